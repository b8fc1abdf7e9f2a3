"""
Logistic regression's separating line and softmax regions (note 001 ch. 7)
==========================================================================

1. Two classes in the plane, {0 blue, 1 red}: LogisticIRLS learns θ by Newton's
   method (IRLS) and σ(Xᵢθ) = 1/2 exactly on the line Xᵢθ = 0, the separating line of
   note 001 fig. 7.3.  The fitted coefficients come with standard errors.
2. Three classes: SoftmaxClassifier (the softmax formulation, note 001 §7.8-7.9)
   splits the plane into three regions, where each class has the largest score.

Saves examples/figures/logistic_separating_line.png and softmax_regions.png.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from skdl import LogisticIRLS, SoftmaxClassifier

OUT = pathlib.Path(__file__).resolve().parent / "figures"
OUT.mkdir(exist_ok=True)
rng = np.random.default_rng(0)

# --------------------------------------------------------------------------- #
# 1. binary: the separating line                                               #
# --------------------------------------------------------------------------- #
n = 150
X0 = rng.normal(loc=[-1.0, -0.5], scale=1.0, size=(n, 2))
X1 = rng.normal(loc=[1.2, 1.0], scale=1.0, size=(n, 2))
X = np.r_[X0, X1]
y = np.r_[np.zeros(n, int), np.ones(n, int)]

clf = LogisticIRLS().fit(X, y)
b, (w1, w2) = clf.intercept_[0], clf.coef_[0]
se = clf.std_errors_

xx, yy = np.meshgrid(np.linspace(-4.5, 4.5, 300), np.linspace(-4, 4.5, 300))
grid = np.c_[xx.ravel(), yy.ravel()]
proba = clf.predict_proba(grid)[:, 1].reshape(xx.shape)

fig, ax = plt.subplots(figsize=(7, 6))
im = ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
fig.colorbar(im, ax=ax, label=r"$\sigma(X_i\theta) = P(y_i = 1 \mid X_i, \theta)$")
cs = ax.contour(xx, yy, proba, levels=[0.1, 0.9], colors="grey", linestyles="--")
ax.clabel(cs, fmt={0.1: "σ=0.1", 0.9: "σ=0.9"})
ax.scatter(*X0.T, c="tab:blue", edgecolor="k", s=25, label="class 0")
ax.scatter(*X1.T, c="tab:red", edgecolor="k", s=25, label="class 1")
x_line = np.linspace(-4.5, 4.5, 2)
ax.plot(
    x_line,
    -(b + w1 * x_line) / w2,
    "k-",
    lw=2.5,
    label=(
        r"$X_i\theta = 0$  ($\sigma = 1/2$)"
        + "\n"
        + rf"$\theta$ = ({b:.2f}±{se[0]:.2f}, {w1:.2f}±{se[1]:.2f}, {w2:.2f}±{se[2]:.2f})"
    ),
)
ax.set(
    xlim=(-4.5, 4.5),
    ylim=(-4, 4.5),
    xlabel="$x_1$",
    ylabel="$x_2$",
    title=f"LogisticIRLS: the separating line (note 001 fig. 7.3), "
    f"{clf.n_iter_} Newton steps",
)
ax.legend(loc="lower right", fontsize=9, framealpha=0.9)
fig.tight_layout()
fig.savefig(OUT / "logistic_separating_line.png", dpi=110)
plt.close(fig)

# --------------------------------------------------------------------------- #
# 2. three classes: softmax regions                                           #
# --------------------------------------------------------------------------- #
centres = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.0]])
names = np.array(["apple", "banana", "cherry"])  # labels of any type
Xs = np.concatenate([rng.normal(c, 1.0, size=(100, 2)) for c in centres])
ys = np.repeat(names, 100)

soft = SoftmaxClassifier(alpha=1.0, solver="newton").fit(Xs, ys)
xx, yy = np.meshgrid(np.linspace(-5.5, 5.5, 400), np.linspace(-4.5, 5.5, 400))
grid = np.c_[xx.ravel(), yy.ravel()]
P = soft.predict_proba(grid)
region = P.argmax(axis=1).reshape(xx.shape)
colours = ["tab:green", "gold", "tab:purple"]

fig, ax = plt.subplots(figsize=(7, 6))
ax.contourf(
    xx, yy, region, levels=[-0.5, 0.5, 1.5, 2.5], cmap=ListedColormap(colours), alpha=0.25
)
ax.contour(xx, yy, region, levels=[0.5, 1.5], colors="k", linewidths=1.5)
conf = ax.contour(
    xx, yy, P.max(axis=1).reshape(xx.shape), levels=[0.9], colors="grey", linestyles="--"
)
ax.clabel(conf, fmt={0.9: "largest π = 0.9"}, fontsize=8)
for k, name in enumerate(soft.classes_):
    pts = Xs[ys == name]
    ax.scatter(*pts.T, c=colours[k], edgecolor="k", s=25, label=f"class '{name}'")
ax.set(
    xlabel="$x_1$",
    ylabel="$x_2$",
    title="SoftmaxClassifier: three-class regions (note 001 §7.8-7.9)\n"
    f"training accuracy {soft.score(Xs, ys):.2f}, {soft.n_iter_} Newton steps",
)
ax.legend(loc="upper left", fontsize=9)
fig.tight_layout()
fig.savefig(OUT / "softmax_regions.png", dpi=110)
plt.close(fig)
print(f"saved {OUT / 'logistic_separating_line.png'} and {OUT / 'softmax_regions.png'}")
