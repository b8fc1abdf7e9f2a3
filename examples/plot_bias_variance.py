"""
Bias-variance decomposition of polynomial fits
==============================================

Note 000 §2.5: data come from a noisy model ``y = f(x) + ε`` with ``ε ~ N(0, σ²)``;
we fit ``f̂`` on a training set ``D`` and take expectations over training sets.  The
expected squared error at ``x`` splits into

``E_D[(y − f̂(x))²] = (f(x) − E_D[f̂(x)])² + Var_D[f̂(x)] + σ²``  (bias² + variance + noise).

Here every term is *measured*: we draw many training sets at the same inputs, fit
polynomials of growing degree with a scikit-learn ``Pipeline`` (``PolynomialFeatures``
→ ``StandardScaler`` → :class:`skdl.LinearRegression`), and estimate, at the inputs,
the squared bias of the average fit, the variance of the fits around it, the noise of
fresh test targets, and the test error itself, which matches their sum.  For least
squares with ``p + 1`` parameters the variance is ``σ² (p + 1) / n``, which the measured
one follows.  Low
degrees under-fit (high bias), high degrees over-fit (high variance).

Run: ``python examples/plot_bias_variance.py`` (writes
``examples/figures/bias_variance.png``).
"""

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from threadpoolctl import threadpool_limits

from skdl import LinearRegression

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

rng = np.random.default_rng(0)
SIGMA = 0.3  # noise standard deviation
N_TRAIN = 25  # points per training set
N_SETS = 200  # resampled training sets D_j
DEGREES = np.arange(1, 13)
SHOW = (1, 4, 12)  # degrees whose individual fits are drawn


def f(x):
    """The deterministic part of the model (E[f] = f, Var[f] = 0)."""
    return np.sin(3.0 * x) + 0.3 * x


# As in the note, the inputs x_i are fixed and the training sets D_j differ by their
# noise: y_ij = f(x_i) + ε_ij.  The test targets are fresh noisy draws at the same x_i.
x = np.linspace(-1, 1, N_TRAIN)
f_x = f(x)
y_train = f_x + SIGMA * rng.standard_normal((N_SETS, N_TRAIN))
y_test = f_x + SIGMA * rng.standard_normal((N_SETS, N_TRAIN))
x_grid = np.linspace(-1, 1, 300)  # for drawing the fitted curves

bias2, variance, test_mse = [], [], []
curves = {}
# thousands of tiny fits: BLAS threads only add overhead (and on a busy machine a lot)
with threadpool_limits(limits=1), warnings.catch_warnings():
    # at high degree the normal equations are ill-conditioned and 'auto' falls back to
    # lstsq with an IllConditionedWarning: expected here
    warnings.simplefilter("ignore", UserWarning)
    for degree in DEGREES:
        model = make_pipeline(
            PolynomialFeatures(degree, include_bias=False), StandardScaler(), LinearRegression()
        )
        preds = np.empty((N_SETS, N_TRAIN))
        grid_preds = np.empty((N_SETS, x_grid.size)) if degree in SHOW else None
        for j in range(N_SETS):
            model.fit(x[:, None], y_train[j])
            preds[j] = model.predict(x[:, None])
            if grid_preds is not None:
                grid_preds[j] = model.predict(x_grid[:, None])
        mean_fit = preds.mean(axis=0)  # E_D[f̂(x_i)]
        bias2.append(np.mean((mean_fit - f_x) ** 2))
        variance.append(np.mean(preds.var(axis=0)))
        test_mse.append(np.mean((y_test - preds) ** 2))
        if grid_preds is not None:
            curves[degree] = grid_preds
noise = np.mean((y_test - f_x) ** 2)  # ≈ σ²
# (the measured bias² cannot go below ~variance / N_SETS: the average fit is itself
# estimated from N_SETS fits; that floor is what remains at high degree)
bias2, variance, test_mse = map(np.asarray, (bias2, variance, test_mse))
total = bias2 + variance + noise

print(f"noise (measured) {noise:.4f}, σ² = {SIGMA**2:.4f}")
print("degree   bias²     variance  σ²(p+1)/n  bias²+var+noise  test MSE")
for d, b, v, t, m in zip(DEGREES, bias2, variance, total, test_mse, strict=True):
    print(f"{d:6d}  {b:8.4f}  {v:9.4f}  {SIGMA**2 * (d + 1) / N_TRAIN:9.4f}  {t:15.4f}  {m:8.4f}")
best = DEGREES[np.argmin(test_mse)]
print("lowest test error at degree", best)
# the decomposition holds up to sampling error (the test noise is independent of the fits)
assert np.allclose(total, test_mse, rtol=0.05)
# for least squares with p + 1 parameters the variance at the inputs is σ² (p + 1) / n
assert np.allclose(variance, SIGMA**2 * (DEGREES + 1) / N_TRAIN, rtol=0.15)

# %%
# Figure: the decomposition against the degree (top) and the resampled fits (bottom)
fig = plt.figure(figsize=(12, 8))
grid = fig.add_gridspec(2, 3, height_ratios=[1.1, 1])
ax = fig.add_subplot(grid[0, :])
ax.plot(DEGREES, bias2, "o-", label="bias²  (f − E_D[f̂])²")
ax.plot(DEGREES, variance, "s-", label="variance  Var_D[f̂]")
ax.plot(
    DEGREES,
    SIGMA**2 * (DEGREES + 1) / N_TRAIN,
    "--",
    color="tab:orange",
    alpha=0.6,
    label="σ²(p+1)/n (least-squares variance)",
)
ax.plot(DEGREES, np.full_like(bias2, noise), ":", color="0.4", label="noise σ² (measured)")
ax.plot(DEGREES, total, "-", color="k", lw=2, label="bias² + variance + noise")
ax.plot(DEGREES, test_mse, "x", color="tab:red", ms=9, mew=2, label="measured test MSE")
ax.axvline(best, color="tab:red", alpha=0.3, lw=6, label=f"lowest test error (degree {best})")
ax.set_ylim(0, 0.34)
ax.set_xticks(DEGREES)
ax.set_xlabel("polynomial degree")
ax.set_ylabel("mean squared error at the inputs x_i")
ax.set_title(
    f"Bias-variance decomposition (note 000 §2.5): {N_SETS} training sets of "
    f"{N_TRAIN} points, σ = {SIGMA}"
)
ax.legend(loc="upper right", ncol=2, fontsize=9)

for k, degree in enumerate(SHOW):
    axk = fig.add_subplot(grid[1, k])
    grid_preds = curves[degree]
    for j in range(25):
        axk.plot(x_grid, grid_preds[j], color="tab:blue", alpha=0.15, lw=1)
    axk.plot(x_grid, grid_preds.mean(axis=0), color="tab:blue", lw=2.5, label="mean fit E_D[f̂]")
    axk.plot(x_grid, f(x_grid), "k--", lw=2, label="true f(x)")
    axk.scatter(x, y_train[0], s=12, color="tab:orange", zorder=3, label="one training set")
    axk.set_ylim(-2.2, 2.2)
    axk.set_xlabel("x")
    axk.set_ylabel("y")
    i = degree - 1
    axk.set_title(f"degree {degree}: bias² {bias2[i]:.3f}, var {variance[i]:.3f}", fontsize=10)
    if k == 0:
        axk.legend(loc="lower right", fontsize=8)
fig.tight_layout()
out = FIGURES / "bias_variance.png"
fig.savefig(out, dpi=110)
print("saved", out)
