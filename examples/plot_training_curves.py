"""
Training curves of the iterative estimators
===========================================

Every iterative skdl estimator records its loss per epoch: the numpy solvers in
``loss_curve_`` (gradient descent on the least-squares loss, note 001 ch. 6; on the
softmax cross-entropy, note 001 §7.9), the networks in skorch's ``history_`` with the
training and, under early stopping, the validation loss (note 000 §2.4.1).
:class:`skdl.utils.TrainingCurveDisplay` draws either, in scikit-learn's Display style.
The radial basis functions of :class:`skdl.RBFFeatures` feed the softmax here.
"""

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl import LinearRegression, MLPRegressor, RBFFeatures, SoftmaxClassifier
from skdl.utils import TrainingCurveDisplay

# fixed numbers of epochs on purpose (tol=0): the curves, not convergence, are the point
warnings.filterwarnings("ignore", category=ConvergenceWarning)
FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)
rng = np.random.default_rng(0)

# a noisy sine for the regressors
x = rng.uniform(-3, 3, size=(600, 1))
y = np.sin(x[:, 0]) + 0.1 * rng.normal(size=600)
X_lin = np.hstack([x, x**2, x**3]) / np.array([3.0, 9.0, 27.0])

sgd = LinearRegression(solver="sgd", optimizer="adam", learning_rate_init=0.05, max_iter=60,
                       tol=0.0, random_state=0).fit(X_lin, y)
mlp = MLPRegressor(hidden_layer_sizes=(32, 32), activation="tanh", learning_rate_init=0.01,
                   max_iter=150, early_stopping=True, n_iter_no_change=30,
                   random_state=0).fit(x, y)

X_digits, y_digits = load_digits(return_X_y=True)
softmax = make_pipeline(
    StandardScaler(), RBFFeatures(n_centers=100, random_state=0), StandardScaler(),
    SoftmaxClassifier(solver="gd", optimizer="nesterov", learning_rate_init=0.5,
                      max_iter=60, tol=0.0),
).fit(X_digits, y_digits)

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
TrainingCurveDisplay.from_estimator(sgd, ax=axes[0], name="LinearRegression(sgd, adam)")
axes[0].set_title("Least squares by minibatch SGD: sin(x) + noise, cubic features")
TrainingCurveDisplay.from_estimator(mlp, ax=axes[1], name="MLPRegressor")
axes[1].set_title("MLP on the same data, early stopping")
TrainingCurveDisplay.from_estimator(softmax[-1], ax=axes[2], name="SoftmaxClassifier(gd)")
axes[2].set_title("Softmax on RBF features of digits, Nesterov GD")
for ax in axes:
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
fig.suptitle("Training curves read by TrainingCurveDisplay")
fig.tight_layout()
fig.savefig(FIGURES / "training_curves.png", dpi=120)
print(f"SGD R² {sgd.score(X_lin, y):.3f}, MLP R² {mlp.score(x, y):.3f}, "
      f"softmax training accuracy {softmax.score(X_digits, y_digits):.3f}")
