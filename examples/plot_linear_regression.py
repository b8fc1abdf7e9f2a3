"""
Linear regression on note 001's table 3.1
=========================================

Note 001 ch. 3 introduces linear regression with four instances of two attributes
(wind, people) and one output (energy), table 3.1.  Prepending a column of ones for the
bias, the guess ``θ = [1, 0, 0.5]`` predicts ``ŷ = Xθ = [2, 22, 16.5, 18.5]`` on the
training set and 11 at the new point ``x = [50, 20]`` (§3.5).  The least-squares
``θ = (XᵀX)⁻¹Xᵀy`` (eq. 3.5) is what :class:`skdl.LinearRegression` computes; with
four points and three parameters it cannot fit exactly, and it has the smallest sum of
squared residuals (the energy in the "springs" of fig. 3.1) of all θ.

Run: ``python examples/plot_linear_regression.py`` (writes
``examples/figures/linear_regression_table31.png``).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skdl import LinearRegression
from skdl.datasets import load_table31

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

data = load_table31()
X, y = data.data, data.target
X1 = np.c_[np.ones(len(X)), X]  # the column of ones: θ₁ is the bias

# %%
# The note's guess and its predictions (§3.5)
theta_guess = np.array([1.0, 0.0, 0.5])
y_guess = X1 @ theta_guess
x_new = np.array([50.0, 20.0])
print("θ guess          :", theta_guess)
print("ŷ on table 3.1   :", y_guess)  # [2, 22, 16.5, 18.5]
print("ŷ at x = [50, 20]:", np.r_[1.0, x_new] @ theta_guess)  # 11
assert np.allclose(y_guess, [2.0, 22.0, 16.5, 18.5])

# %%
# The least-squares fit (eq. 3.5)
reg = LinearRegression().fit(X, y)
theta_fit = np.r_[reg.intercept_, reg.coef_]
y_fit = reg.predict(X)
theta_lstsq = np.linalg.lstsq(X1, y, rcond=None)[0]
assert np.allclose(theta_fit, theta_lstsq)
print("fitted θ         :", np.round(theta_fit, 4))
print("ŷ fitted         :", np.round(y_fit, 3))
print("ŷ at x = [50, 20]:", round(float(reg.predict(x_new[None])[0]), 3))
loss_guess = float(np.sum((y - y_guess) ** 2))
loss_fit = float(np.sum((y - y_fit) ** 2))
print(f"loss L(θ) (eq. 3.1): guess {loss_guess:.3f}, fitted {loss_fit:.3f}")

# %%
# Figure: observed energy and both models' predictions per instance (left), and the
# residual "springs" of each model in an observed-vs-predicted plot (right)
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 4.8))
idx = np.arange(len(y))
w = 0.27
y_new_guess = float(np.r_[1.0, x_new] @ theta_guess)
y_new_fit = float(reg.predict(x_new[None])[0])
ax0.bar(idx - w, y, w, label="observed energy y", color="0.35")
ax0.bar(
    np.r_[idx, 4], np.r_[y_guess, y_new_guess], w, label="ŷ, θ = [1, 0, 0.5]", color="tab:orange"
)
ax0.bar(np.r_[idx, 4] + w, np.r_[y_fit, y_new_fit], w, label="ŷ, least-squares θ", color="tab:blue")
X_all = np.r_[X, x_new[None]]
tops = np.r_[np.maximum.reduce([y, y_guess, y_fit]), max(y_new_guess, y_new_fit)]
for i in range(5):
    ax0.annotate(
        f"wind {X_all[i, 0]:.0f}\npeople {X_all[i, 1]:.0f}",
        (i, tops[i] + 0.5),
        ha="center",
        fontsize=8,
    )
ax0.set_xticks(np.arange(5), [f"x{i + 1}" for i in idx] + ["new x"])
ax0.set_ylim(0, 37)
ax0.set_xlabel("instance of table 3.1 (and the new point of §3.5)")
ax0.set_ylabel("energy")
ax0.set_title("Table 3.1: observed energy and predictions")
ax0.legend(loc="upper right", fontsize=8)

lims = [0, 28]
ax1.plot(lims, lims, color="0.6", lw=1, label="ŷ = y")
for preds, color, label, lw in (
    (y_guess, "tab:orange", f"θ = [1, 0, 0.5] (L = {loss_guess:.1f})", 5),
    (y_fit, "tab:blue", f"least squares (L = {loss_fit:.2f})", 2),
):
    # each residual is a spring from the observation (on the diagonal) to the prediction
    ax1.vlines(y, np.minimum(y, preds), np.maximum(y, preds), color=color, lw=lw, alpha=0.8)
    ax1.scatter(y, preds, color=color, zorder=3, label=label)
ax1.set_xlim(lims)
ax1.set_ylim(lims)
ax1.set_xlabel("observed energy y")
ax1.set_ylabel("predicted energy ŷ")
ax1.set_title("Residuals (the springs of fig. 3.1)")
ax1.legend(loc="upper left", fontsize=8)
theta_txt = ", ".join(f"{t:.3f}" for t in theta_fit)
fig.suptitle(f"Note 001 §3.5: least-squares θ = [{theta_txt}] (bias, wind, people)")
fig.tight_layout()
out = FIGURES / "linear_regression_table31.png"
fig.savefig(out, dpi=110)
print("saved", out)
