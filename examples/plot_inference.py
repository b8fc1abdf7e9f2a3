"""
Standard errors and confidence intervals
========================================

:class:`skdl.LinearRegression`, :class:`skdl.Ridge`, :class:`skdl.LogisticIRLS` and
:class:`skdl.SoftmaxClassifier` compute the covariance of their coefficients when they
fit (``cov_type``: the classical one, heteroscedasticity-robust ``"HC0"``-``"HC3"`` or
cluster-robust), and ``summary()`` prints statsmodels' coefficient table.

Left: a ``Pipeline(StandardScaler, LinearRegression(cov_type="HC3"))`` on sklearn's
diabetes data, fitted on a DataFrame with ``set_output(transform="pandas")`` so that
the feature names reach the summary; the coefficients (the change of the disease
progression per standard deviation of each feature) with their 95% intervals.
Right: :class:`skdl.LogisticIRLS` on five standardised features of the breast-cancer
data, the classical (Fisher information, note 002) and the robust HC1 intervals side
by side.  The formulas are on the user guide's "Inference" page.

Run: ``python examples/plot_inference.py`` (writes
``examples/figures/inference_coefficients.png``).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl import LinearRegression, LogisticIRLS

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)

# %%
# Least squares with HC3 standard errors, inside a Pipeline
X, y = load_diabetes(return_X_y=True, as_frame=True)
pipe = make_pipeline(StandardScaler(), LinearRegression(cov_type="HC3"))
pipe.set_output(transform="pandas")  # the scaler passes a DataFrame on: names carry
pipe.fit(X, y)
table = pipe[-1].summary()
print(table.round(3).to_string())
ci = pipe[-1].conf_int(0.05)
assert list(table.index) == ["intercept", *X.columns]
assert np.allclose(table.iloc[:, -2:].to_numpy(), ci)

# %%
# Logistic regression: classical (nonrobust) and robust (HC1) intervals
data = load_breast_cancer(as_frame=True)
features = ["mean radius", "mean texture", "mean smoothness", "mean symmetry",
            "mean fractal dimension"]
Xc, yc = data.data[features], data.target
fits = {}
for cov_type in ("nonrobust", "HC1"):
    clf = make_pipeline(StandardScaler(), LogisticIRLS(cov_type=cov_type))
    clf.set_output(transform="pandas")
    fits[cov_type] = clf.fit(Xc, yc)[-1]
    print(f"\nLogisticIRLS, cov_type={cov_type!r}")
    print(fits[cov_type].summary().round(3).to_string())
# the same estimate; only the standard errors differ
assert np.allclose(fits["nonrobust"].coef_, fits["HC1"].coef_)

# %%
# Figure: coefficients with their 95% intervals
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(12, 5.2), width_ratios=[1.2, 1])
names = table.index[1:]  # the intercept (the mean progression) is off the scale
coef = table["Coef."].to_numpy()[1:]
lo, hi = ci[1:, 0], ci[1:, 1]
pos = np.arange(len(names))[::-1]
excludes_zero = (lo > 0) | (hi < 0)
ax0.errorbar(coef, pos, xerr=[coef - lo, hi - coef], fmt="none", ecolor="0.4", capsize=3)
ax0.scatter(coef, pos, c=np.where(excludes_zero, "tab:red", "tab:blue"), zorder=3)
ax0.axvline(0.0, color="0.6", lw=1)
ax0.set_yticks(pos, names)
ax0.set_xlabel("coefficient (disease progression per standard deviation)")
ax0.set_title("Diabetes: LinearRegression(cov_type='HC3'),\n95% intervals "
              "(red: interval excludes 0)")

for k, (cov_type, color) in enumerate((("nonrobust", "tab:blue"), ("HC1", "tab:orange"))):
    est = fits[cov_type]
    params = np.r_[est.intercept_, est.coef_.ravel()]
    band = est.conf_int(0.05)
    rows = np.arange(len(params))[::-1] + (0.15 if k == 0 else -0.15)
    ax1.errorbar(params, rows, xerr=[params - band[:, 0], band[:, 1] - params], fmt="o",
                 color=color, capsize=3, label=f"cov_type={cov_type!r}")
ax1.axvline(0.0, color="0.6", lw=1)
ax1.set_yticks(np.arange(len(features) + 1)[::-1], ["intercept", *features])
ax1.set_xlabel("coefficient (log-odds of benign per standard deviation)")
ax1.set_title("Breast cancer: LogisticIRLS, 95% intervals")
ax1.legend(loc="upper left", fontsize=8)
fig.tight_layout()
out = FIGURES / "inference_coefficients.png"
fig.savefig(out, dpi=110)
print("saved", out)
