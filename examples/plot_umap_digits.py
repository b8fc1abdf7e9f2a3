"""
UMAP against PCA on the digits, and new points placed by transform
==================================================================

Note 000 §10 presents UMAP as the non-linear counterpart of PCA (§9): instead of
the directions of largest variance, it keeps each point's neighbourhood.  Left: the
first two principal components of the standardised 8 x 8 digits.  Right:
:class:`~skdl.manifold.UMAP` fitted on three quarters of them, with the held-out
quarter embedded afterwards by ``transform`` (crosses).  The figure's title reports
each embedding's trustworthiness (how well it keeps the data's five nearest
neighbours, :func:`sklearn.manifold.trustworthiness`) and the accuracy of a 5-NN
classifier on the held-out points.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.manifold import trustworthiness
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from skdl import PCA, UMAP

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# Both embeddings are fitted on the training rows and applied to the held-out ones.
results = {}
for name, est in [("PCA", PCA(n_components=2)), ("UMAP", UMAP(random_state=0))]:
    train = est.fit_transform(X_train)
    test = est.transform(X_test)
    knn = KNeighborsClassifier().fit(train, y_train)
    results[name] = (
        train,
        test,
        trustworthiness(X_train, train, n_neighbors=5),
        knn.score(test, y_test),
    )

fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, (name, (train, test, trust, acc)) in zip(axes, results.items(), strict=True):
    ax.scatter(train[:, 0], train[:, 1], c=y_train, cmap="tab10", s=6, alpha=0.6)
    ax.scatter(test[:, 0], test[:, 1], c=y_test, cmap="tab10", s=22, marker="x")
    ax.set_title(f"{name}: trustworthiness {trust:.3f}\nheld-out 5-NN accuracy {acc:.3f}")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Digits: training points (dots) and held-out points placed by transform (x)")
fig.tight_layout()
fig.savefig(FIGURES / "umap_digits.png", dpi=90)
