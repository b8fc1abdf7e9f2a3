"""
XOR: a decision boundary that needs a hidden layer (note 002, "Decision boundary")
==================================================================================

Four noisy clusters labelled by XOR.  Without a hidden layer the network is a linear
classifier (a softmax of an affine map) and cannot separate them; one hidden layer of
8 tanh units bends the boundary around the clusters.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skdl.neural_network import MLPClassifier

rng = np.random.default_rng(0)
centres = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
labels = np.array([0, 1, 1, 0])
idx = rng.integers(0, 4, size=400)
X = centres[idx] + 0.15 * rng.normal(size=(400, 2))
y = labels[idx]

models = {
    "no hidden layer": MLPClassifier(hidden_layer_sizes=()),
    "one hidden layer of 8 tanh units": MLPClassifier(hidden_layer_sizes=(8,)),
}
xx, yy = np.meshgrid(np.linspace(-0.6, 1.6, 200), np.linspace(-0.6, 1.6, 200))
grid = np.c_[xx.ravel(), yy.ravel()]

fig, axes = plt.subplots(1, 2, figsize=(10, 5), sharey=True, layout="constrained")
for ax, (name, model) in zip(axes, models.items(), strict=True):
    model.set_params(activation="tanh", learning_rate_init=0.02, max_iter=150, random_state=0)
    model.fit(X, y)
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    cs = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.7)
    ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1.5)
    for label, marker in ((0, "o"), (1, "s")):
        sel = y == label
        ax.scatter(
            X[sel, 0],
            X[sel, 1],
            marker=marker,
            s=14,
            edgecolor="k",
            linewidth=0.4,
            label=f"class {label}",
        )
    ax.set_title(f"{name}\ntraining accuracy {model.score(X, y):.2f}")
    ax.set_xlabel("$x_1$")
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
axes[0].set_ylabel("$x_2$")
fig.colorbar(cs, ax=axes, label="P(class 1 | x)")
fig.suptitle("XOR with MLPClassifier (black line: decision boundary, P = 0.5)")

out = pathlib.Path(__file__).parent / "figures"
out.mkdir(exist_ok=True)
fig.savefig(out / "mlp_xor.png", dpi=110, bbox_inches="tight")
print(f"saved {out / 'mlp_xor.png'}")
