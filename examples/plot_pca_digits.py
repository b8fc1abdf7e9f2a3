"""
PCA of handwritten digits
=========================

Projects the 8x8 digits (64 pixels) onto their first two principal components
(note 000 §9: the directions of largest variance, the leading eigenvectors of the
sample covariance), coloured by class, and plots the cumulative explained variance
ratio of all components.  The streaming fit (``partial_fit`` over 10 chunks, note 000
§8) is checked to give the same components as the full fit.

Saves ``examples/figures/pca_digits_2d.png`` and
``examples/figures/pca_digits_explained_variance.png``.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from skdl import PCA  # noqa: E402

FIGURES = pathlib.Path(__file__).parent / "figures"
FIGURES.mkdir(exist_ok=True)

digits = load_digits()
X, y = digits.data, digits.target

# full fit: all 64 components, for the spectrum
pca = PCA().fit(X)
Z = pca.transform(X)[:, :2]

# streaming fit over 10 chunks: the same principal axes
stream = PCA(n_components=2)
for chunk in np.array_split(X, 10):
    stream.partial_fit(chunk)
gap = np.abs(stream.components_ - pca.components_[:2]).max()
print(f"solver used by the full fit: {pca.svd_solver_}")
print(f"max |components| difference, 10-chunk partial_fit vs fit: {gap:.2e}")

# --- 2-D projection coloured by class -------------------------------------
fig, ax = plt.subplots(figsize=(7, 6))
cmap = plt.get_cmap("tab10")
for digit in range(10):
    sel = y == digit
    ax.scatter(Z[sel, 0], Z[sel, 1], s=8, alpha=0.7, color=cmap(digit), label=str(digit))
    cx, cy = np.median(Z[sel], axis=0)
    ax.annotate(str(digit), (cx, cy), fontsize=14, weight="bold", ha="center",
                va="center", color="black",
                bbox={"boxstyle": "circle,pad=0.2", "fc": cmap(digit), "alpha": 0.8})
evr = pca.explained_variance_ratio_
ax.set_xlabel(f"principal component 1 ({100 * evr[0]:.1f}% of variance)")
ax.set_ylabel(f"principal component 2 ({100 * evr[1]:.1f}% of variance)")
ax.set_title("Digits projected on their first two principal components")
ax.legend(title="digit", markerscale=2, fontsize=8, ncol=2, loc="best")
fig.tight_layout()
fig.savefig(FIGURES / "pca_digits_2d.png", dpi=120)

# --- cumulative explained variance -----------------------------------------
cum = np.cumsum(evr)
k90 = int(np.searchsorted(cum, 0.9, side="right")) + 1
fig, ax = plt.subplots(figsize=(7, 4.5))
ks = np.arange(1, cum.size + 1)
ax.bar(ks, evr, color="tab:blue", alpha=0.5, label="explained variance ratio per component")
ax.step(ks, cum, where="mid", color="tab:red", label="cumulative explained variance ratio")
ax.axhline(0.9, color="gray", ls="--", lw=1, label="90% of the variance")
ax.axvline(k90, color="gray", ls=":", lw=1)
ax.annotate(f"{k90} components keep 90%", (k90, 0.9), xytext=(k90 + 4, 0.7),
            arrowprops={"arrowstyle": "->"})
ax.set_xlabel("number of components")
ax.set_ylabel("fraction of the total variance")
ax.set_ylim(0, 1.02)
ax.set_title("Digits: explained variance of the principal components")
ax.legend(loc="center right")
fig.tight_layout()
fig.savefig(FIGURES / "pca_digits_explained_variance.png", dpi=120)
print(f"{k90} components explain 90% of the variance; PCA(n_components=0.9) keeps "
      f"{PCA(n_components=0.9).fit(X).n_components_}")
