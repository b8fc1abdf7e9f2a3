"""
Ridge regression on radial basis functions: kernel width and regularisation
===========================================================================

Reproduces two figures of note 001 ch. 5 with :class:`skdl.RidgeRBF`:

* fig. 5.6 - the same noisy data fitted with a kernel width ``λ`` that is too
  small (the fit chases the noise between the centres), suitable, and too large
  (the basis functions are so flat that the fit cannot bend to the data);
* fig. 5.8 - the 5-fold cross-validated mean squared error against ``log δ²``
  (``alpha``), with the ``δ²`` that minimises it; and, alongside, the same curve
  against ``log λ``.

The model is ``y ≈ b + Σᵢ θᵢ exp(-(x - μᵢ)²/λ)`` with the centres ``μᵢ`` on a
regular grid, fitted by ridge regression ``θ = (ΦᵀΦ + δ²I)⁻¹Φᵀy`` (note 001 §5.5).
Figures are saved in ``examples/figures/``.
"""

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold, validation_curve

from skdl import RidgeRBF
from skdl.linear_model import IllConditionedWarning

# the sweeps below reach tiny δ² and wide λ, where ΦᵀΦ + δ²I is nearly singular and
# RidgeRBF falls back (with this warning) to the SVD solver: expected here
warnings.simplefilter("ignore", IllConditionedWarning)

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

# noisy samples of a smooth non-linear function on [0, 10]
rng = np.random.default_rng(0)
n = 60
X = np.sort(rng.uniform(0, 10, size=n))[:, None]


def truth(x):
    return np.sin(x) + 0.3 * np.cos(2.5 * x)


y = truth(X[:, 0]) + 0.25 * rng.normal(size=n)
x_plot = np.linspace(0, 10, 500)[:, None]
N_CENTERS = 30  # a grid of centres, 1/3 apart
ALPHA = 1e-3

# --------------------------------------------------------------------------- #
# fig. 5.6: too small / suitable / too large kernel width                      #
# --------------------------------------------------------------------------- #
widths = {"too small": 0.003, "suitable": 1.0, "too large": 100.0}
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), sharey=True)
for ax, (label, width) in zip(axes, widths.items(), strict=True):
    reg = RidgeRBF(n_centers=N_CENTERS, centers="grid", width=width, alpha=ALPHA)
    reg.fit(X, y)
    y_plot, y_std = reg.predict(x_plot, return_std=True)
    ax.plot(x_plot, truth(x_plot[:, 0]), "k--", lw=1, label="true function")
    ax.plot(X, y, "o", ms=4, color="tab:gray", label="training data")
    ax.plot(x_plot, y_plot, color="tab:blue", lw=2, label="RidgeRBF fit")
    ax.fill_between(
        x_plot[:, 0], y_plot - 2 * y_std, y_plot + 2 * y_std, color="tab:blue", alpha=0.15,
        label="± 2 predictive std",
    )
    ax.plot(reg.centers_[:, 0], np.full(reg.n_centers_, -2.1), "|", color="tab:red",
            ms=8, label="centres μᵢ")
    ax.set_title(f"width λ = {width:g} ({label})")
    ax.set_xlabel("x")
    ax.set_ylim(-2.3, 2.3)
axes[0].set_ylabel("y")
axes[0].legend(loc="upper right", fontsize=8)
fig.suptitle(f"RBF ridge regression, {N_CENTERS} centres, δ² = {ALPHA:g} (note 001 fig. 5.6)")
fig.tight_layout()
fig.savefig(FIGURES / "rbf_regression_width.png", dpi=100)

# --------------------------------------------------------------------------- #
# fig. 5.8: cross-validated MSE against log δ² (and against log λ)             #
# --------------------------------------------------------------------------- #
cv = KFold(n_splits=5, shuffle=True, random_state=0)
base = RidgeRBF(n_centers=N_CENTERS, centers="grid", width=1.0)
alphas = np.logspace(-8, 3, 23)
_, test_alpha = validation_curve(
    base, X, y, param_name="alpha", param_range=alphas, cv=cv,
    scoring="neg_mean_squared_error",
)
widths_range = np.logspace(-3, 2, 21)
_, test_width = validation_curve(
    base.set_params(alpha=ALPHA), X, y, param_name="width", param_range=widths_range, cv=cv,
    scoring="neg_mean_squared_error",
)

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for ax, grid, scores, name, sym in [
    (axes[0], alphas, test_alpha, "δ² (alpha), λ = 1", "δ²"),
    (axes[1], widths_range, test_width, f"λ (width), δ² = {ALPHA:g}", "λ"),
]:
    mse = -scores.mean(axis=1)
    sem = scores.std(axis=1) / np.sqrt(scores.shape[1])
    best = np.argmin(mse)
    ax.errorbar(np.log(grid), mse, yerr=sem, fmt="o-", ms=4, capsize=2,
                label="5-fold CV MSE ± s.e.")
    ax.axvline(np.log(grid[best]), color="tab:red", ls=":",
               label=f"minimum at {sym} = {grid[best]:.3g}")
    ax.axhline(0.25**2, color="k", lw=0.8, ls="--", label="noise variance 0.0625")
    ax.set_yscale("log")
    ax.set_xlabel(f"log {sym}")
    ax.set_ylabel("cross-validated MSE")
    ax.set_title(f"CV error against {name}")
    ax.legend(fontsize=8)
fig.suptitle("Choosing δ² and λ by cross validation (note 001 fig. 5.8)")
fig.tight_layout()
fig.savefig(FIGURES / "rbf_regression_cv.png", dpi=100)

print(f"best δ² = {alphas[np.argmax(test_alpha.mean(axis=1))]:.3g}, "
      f"best λ = {widths_range[np.argmax(test_width.mean(axis=1))]:.3g}; "
      f"figures in {FIGURES}")
