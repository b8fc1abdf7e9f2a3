"""
Latent spaces of an autoencoder, a VAE and a semi-supervised VAE on digits
==========================================================================

Note 001 ch. 11 (figs. 11.3, 11.5, 11.6 and 11.8), on scikit-learn's 8x8 digits
instead of MNIST.  The three models squeeze the 64 pixels through a 2-D code:

- :class:`skdl.neural_network.Autoencoder` (fig. 11.3): nothing controls where the
  codes go, the classes smear across the plane;
- :class:`skdl.neural_network.VAE` (fig. 11.5): the KL term pulls every code toward
  ``N(0, I)``, the classes still overlap;
- :class:`skdl.neural_network.SemiSupervisedVAE` (fig. 11.6): with only 10 % of the
  training labels kept, each labelled code is pulled toward its class centroid
  (eq. 11.4), the centroids drift apart, and the classes gather around them.

Each panel shows the *test* digits' codes coloured by their true class, the class
centroids of the labelled training codes (digits in circles), and the accuracy of
the nearest-centroid classifier in that latent space (the measure the notes quote).
A second figure decodes digits drawn near each class centroid of the
semi-supervised VAE (fig. 11.8).  The script also prints the test accuracy of the
semi-supervised VAE with an 8-D latent space.

Run: ``python examples/plot_latent_spaces.py`` (writes
``examples/figures/latent_spaces.png`` and ``examples/figures/ssvae_samples.png``;
about a minute on one CPU core).
"""

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdl.neural_network import VAE, Autoencoder, SemiSupervisedVAE

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

# the documented settings (SemiSupervisedVAE's docstring quotes the accuracies)
NET = dict(hidden_layer_sizes=(256, 128), learning_rate_init=0.002, max_iter=100, random_state=0)
SSVAE = dict(likelihood="bernoulli", beta=10.0, **NET)
LABELLED_SHARE = 0.10


def digits_with_few_labels(share=LABELLED_SHARE, seed=0):
    """Digits in [0, 1], a 75/25 stratified split, and ``share`` of each training
    class's labels kept (the others set to -1)."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    rng = np.random.default_rng(seed)
    keep = np.zeros(len(y_train), dtype=bool)
    for c in np.unique(y_train):
        idx = np.flatnonzero(y_train == c)
        keep[rng.choice(idx, size=int(round(share * len(idx))), replace=False)] = True
    return X_train, X_test, y_train, y_test, np.where(keep, y_train, -1)


def nearest_centroid_accuracy(Z_train, y_partial, Z_test, y_test):
    """Class centroids of the labelled training codes; accuracy of the nearest one."""
    classes = np.unique(y_partial[y_partial != -1])
    centroids = np.array([Z_train[y_partial == c].mean(axis=0) for c in classes])
    d2 = ((Z_test[:, None, :] - centroids[None]) ** 2).sum(axis=2)
    return centroids, float(np.mean(classes[d2.argmin(axis=1)] == y_test))


def main():
    X_train, X_test, y_train, y_test, y_partial = digits_with_few_labels()
    print(
        f"digits: {len(X_train)} training samples ({np.sum(y_partial != -1)} labelled), "
        f"{len(X_test)} test samples"
    )
    models = {
        "Autoencoder (fig. 11.3)": Autoencoder(n_components=2, **NET),
        "VAE (fig. 11.5)": VAE(n_components=2, likelihood="bernoulli", **NET),
        "SemiSupervisedVAE, 10 % labels (fig. 11.6)": SemiSupervisedVAE(n_components=2, **SSVAE),
    }
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.6))
    cmap = plt.get_cmap("tab10")
    for ax, (title, model) in zip(axes, models.items(), strict=True):
        t0 = time.perf_counter()
        if isinstance(model, SemiSupervisedVAE):
            model.fit(X_train, y_partial)
        else:
            model.fit(X_train)
        Z_train, Z_test = model.transform(X_train), model.transform(X_test)
        centroids, acc = nearest_centroid_accuracy(Z_train, y_partial, Z_test, y_test)
        if isinstance(model, SemiSupervisedVAE):
            assert acc == model.score(X_test, y_test)  # its predict is the nearest centroid
        seconds = time.perf_counter() - t0
        print(f"{title}: nearest-centroid test accuracy {acc:.3f} ({seconds:.0f} s)")
        for c in range(10):
            pts = Z_test[y_test == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=9, color=cmap(c), alpha=0.7, label=str(c))
        for c, (u, v) in enumerate(centroids):
            ax.annotate(
                str(c),
                (u, v),
                ha="center",
                va="center",
                fontsize=11,
                weight="bold",
                bbox=dict(boxstyle="circle,pad=0.2", fc="white", ec=cmap(c), lw=2),
            )
        ax.set_title(f"{title}\nnearest-centroid test accuracy {acc:.2f}", fontsize=11)
        ax.set_xlabel("latent dimension 1")
        ax.set_ylabel("latent dimension 2")
    axes[-1].legend(title="digit", loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=2)
    fig.suptitle("2-D latent spaces of the test digits (centroids of the labelled training codes)")
    fig.tight_layout()
    fig.savefig(FIGURES / "latent_spaces.png", dpi=110)
    plt.close(fig)

    # fig. 11.8: digits decoded from near each class centroid
    ssvae = models["SemiSupervisedVAE, 10 % labels (fig. 11.6)"]
    n_per_class = 10
    fig, axes = plt.subplots(10, n_per_class, figsize=(n_per_class * 0.8, 10 * 0.85))
    for c in range(10):
        images, _ = ssvae.sample(n_per_class, y=c, random_state=c)
        for j in range(n_per_class):
            ax = axes[c, j]
            ax.imshow(images[j].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        axes[c, 0].set_ylabel(str(c), rotation=0, labelpad=12, fontsize=12)
    fig.suptitle("SemiSupervisedVAE.sample(10, y=class): z ~ N(c_class, I), decoded", fontsize=10)
    fig.supylabel("class")
    fig.tight_layout()
    fig.savefig(FIGURES / "ssvae_samples.png", dpi=110)
    plt.close(fig)

    # the 8-D latent space
    t0 = time.perf_counter()
    ss8 = SemiSupervisedVAE(n_components=8, **SSVAE).fit(X_train, y_partial)
    acc8 = ss8.score(X_test, y_test)
    print(
        f"SemiSupervisedVAE, 8-D latent space, 10 % labels: test accuracy {acc8:.3f} "
        f"({time.perf_counter() - t0:.0f} s)"
    )
    print(f"figures written to {FIGURES}")


if __name__ == "__main__":
    main()
