"""
Ridge coefficients against the penalty
======================================

Ridge regression (note 001 eq. 5.2) solves
``θ = (XᵀX + δ²I)⁻¹ Xᵀy``; skdl's :class:`~skdl.linear_model.Ridge` calls
``δ²`` ``alpha``.  As ``alpha`` grows the penalty pulls every coefficient
towards zero - the path the notes draw in figure 5.1 - and at ``alpha = 0`` the
fit is ordinary least squares.

We fit the ten standardised features of the diabetes data (shipped with
scikit-learn) for 60 values of ``alpha`` and plot each coefficient against it.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

from skdl import LinearRegression, Ridge

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

data = load_diabetes()
X = StandardScaler().fit_transform(data.data)
y = data.target

# %%
# One fit per penalty
# -------------------
# The estimator is cheap to refit: each fit is one pass over ``X`` and a Cholesky
# solve of a 10 x 10 system.

alphas = np.logspace(-2, 5, 60)
coefs = np.array([Ridge(alpha=a).fit(X, y).coef_ for a in alphas])
ols = LinearRegression().fit(X, y).coef_
print("least squares coefficients:", np.round(ols, 1))
print("ridge, alpha=1e5:          ", np.round(coefs[-1], 1))

# %%
# The path
# --------
# Small penalties leave the least-squares solution (the dots on the left)
# unchanged; large ones shrink all coefficients to zero, the strongly correlated
# serum measurements ``s1`` and ``s2`` first.

fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
colors = plt.cm.tab10(np.arange(X.shape[1]))
for j, name in enumerate(data.feature_names):
    ax.plot(alphas, coefs[:, j], color=colors[j], label=name)
    ax.plot(alphas[0] / 2, ols[j], "o", color=colors[j], markersize=4)
ax.set_xscale("log")
ax.axhline(0.0, color="0.5", linewidth=0.8)
ax.set_xlabel(r"penalty $\alpha = \delta^2$ (log scale)")
ax.set_ylabel(r"coefficient $\theta_j$")
ax.set_title("Ridge coefficient path on the diabetes data (skdl.Ridge)")
ax.plot([], [], "o", color="0.3", markersize=4, label=r"least squares ($\alpha = 0$)")
ax.legend(title="feature", ncol=2, fontsize="small")
fig.savefig(FIGURES / "ridge_path.png", dpi=100)
