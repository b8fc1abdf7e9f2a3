"""
Lasso and ridge: squares against circles
========================================

Note 001 §5.2 replaces ridge's L2 penalty ``δ²θᵀθ`` by the L1 norm
``‖θ‖₁ = Σ|θᵢ|``: "the regularisation circles are replaced by regularisation
squares" (figure 5.2), and the lasso's path assigns zero weights to the less
important attributes as the penalty grows.  skdl's :class:`~skdl.Lasso` minimises
scikit-learn's objective ``1/(2n) ‖y - Xθ - b‖² + α‖θ‖₁`` by coordinate descent on
the Gram matrix, and :func:`~skdl.linear_model.lasso_path` computes a whole path on
one Gram matrix, each fit starting from the previous one.

Top: the coefficient paths of ridge (:class:`~skdl.Ridge`) and of the lasso on the ten
standardised features of the diabetes data.  Bottom: the figure-5.2 idea on two
features - the contours of the squared-error loss, the L2 circle and the L1 square
that constrain the solution, and the path each solution takes as the penalty grows.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from skdl import Lasso, Ridge
from skdl.linear_model import lasso_path

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

data = load_diabetes()
X = StandardScaler().fit_transform(data.data)
y = data.target

# %%
# Two paths on the diabetes data
# ------------------------------
# The lasso path is one call: the Gram matrix of the centred data is formed once and
# every ``alpha`` warm-starts from the previous solution.  Ridge shrinks every
# coefficient smoothly; the lasso sets them to zero one by one.

ridge_alphas = np.logspace(-2, 5, 60)
ridge_coefs = np.array([Ridge(alpha=a).fit(X, y).coef_ for a in ridge_alphas])
Xc, yc = X - X.mean(axis=0), y - y.mean()
lasso_alphas, lasso_coefs, gaps = lasso_path(Xc, yc, n_alphas=80, eps=1e-4)
print("largest duality gap along the lasso path:", f"{gaps.max():.1e}")
print("non-zero lasso coefficients at alpha=5:",
      np.count_nonzero(Lasso(alpha=5.0).fit(X, y).coef_), "of", X.shape[1])

# %%
# The constraint regions on two features
# --------------------------------------
# Two correlated features with least-squares solution ``θ̂``.  The penalised solution
# is where a loss contour (an ellipse) first touches the constraint region: anywhere
# on the circle, but most often at a corner of the square, on an axis - a zero
# coefficient.

rng = np.random.default_rng(0)
Z = rng.normal(size=(500, 2))
X2 = np.column_stack([Z[:, 0], 0.7 * Z[:, 0] + 0.7 * Z[:, 1]])
y2 = X2 @ np.array([2.0, 0.6]) + 0.3 * rng.normal(size=500)
X2c, y2c = X2 - X2.mean(axis=0), y2 - y2.mean()
ols2 = np.linalg.lstsq(X2c, y2c, rcond=None)[0]
ridge_path2 = np.array([Ridge(alpha=a).fit(X2, y2).coef_ for a in np.logspace(-1, 4.5, 80)])
_, lasso_path2, _ = lasso_path(X2c, y2c, n_alphas=80, eps=1e-4)
ridge_at = Ridge(alpha=300.0).fit(X2, y2).coef_
lasso_at = Lasso(alpha=1.2).fit(X2, y2).coef_  # at a corner: theta_2 = 0

fig = plt.figure(figsize=(11, 9), layout="constrained")
top = fig.subfigures(2, 1, height_ratios=[1, 1.1])
ax_r, ax_l = top[0].subplots(1, 2)
colors = plt.cm.tab10(np.arange(X.shape[1]))
for j, name in enumerate(data.feature_names):
    ax_r.plot(ridge_alphas, ridge_coefs[:, j], color=colors[j], label=name)
    ax_l.plot(lasso_alphas, lasso_coefs[j], color=colors[j], label=name)
for ax, title, xlabel in ((ax_r, "ridge (skdl.Ridge): circles", r"$\alpha = \delta^2$"),
                          (ax_l, "lasso (skdl.linear_model.lasso_path): squares",
                           r"$\alpha$")):
    ax.set_xscale("log")
    ax.axhline(0.0, color="0.5", linewidth=0.8)
    ax.set_xlabel(f"penalty {xlabel} (log scale)")
    ax.set_ylabel(r"coefficient $\theta_j$")
    ax.set_title(title)
ax_l.legend(title="feature", ncol=2, fontsize="small")

ax_c, ax_s = top[1].subplots(1, 2)
g = np.linspace(-1.0, 3.0, 300)
T0, T1 = np.meshgrid(g, g)
gram2 = X2c.T @ X2c / len(y2c)
D0, D1 = T0 - ols2[0], T1 - ols2[1]
loss = gram2[0, 0] * D0**2 + 2 * gram2[0, 1] * D0 * D1 + gram2[1, 1] * D1**2
levels = np.quantile(loss, [0.002, 0.01, 0.03, 0.07, 0.15, 0.3])
t = np.linspace(0, 2 * np.pi, 400)
for ax, path, at, title in ((ax_c, ridge_path2, ridge_at, r"$L_2$: $\theta^T\theta \leq c$"),
                            (ax_s, lasso_path2.T, lasso_at, r"$L_1$: $\|\theta\|_1 \leq c$")):
    ax.contour(T0, T1, loss, levels=levels, colors="tab:red", linewidths=0.8)
    # the loss contour through the constrained optimum touches the region there
    d = at - ols2
    ax.contour(T0, T1, loss, levels=[d @ gram2 @ d], colors="tab:red", linewidths=1.6,
               linestyles="--")
    if ax is ax_c:
        r = np.hypot(*at)
        ax.fill(r * np.cos(t), r * np.sin(t), color="tab:blue", alpha=0.25)
    else:
        r = np.abs(at).sum()
        ax.fill([r, 0, -r, 0], [0, r, 0, -r], color="tab:blue", alpha=0.25)
    ax.plot(path[:, 0], path[:, 1], color="tab:purple", linewidth=2, label="path as δ grows")
    ax.plot(*ols2, "k*", markersize=10, label=r"least squares $\hat\theta$")
    ax.plot(*at, "o", color="tab:purple", label="constrained optimum")
    ax.axhline(0, color="0.5", linewidth=0.6)
    ax.axvline(0, color="0.5", linewidth=0.6)
    ax.set_aspect("equal")
    ax.set_xlim(-1, 3)
    ax.set_ylim(-1, 2)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.set_title(title)
ax_s.legend(fontsize="small", loc="upper left")
fig.suptitle("Ridge and lasso: note 001 §5.2, figures 5.1 and 5.2")
fig.savefig(FIGURES / "lasso_path.png", dpi=100)
