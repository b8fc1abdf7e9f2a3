"""
Locating a blob: a CNN regressor with two outputs
=================================================

A convolution layer shares its weights across the image (note 000 §5.1), so a
feature detector learned in one place works everywhere.  Here each 12×12 image holds
one Gaussian blob at a random position plus noise, and
:class:`skdl.neural_network.CNNRegressor` predicts the blob's (row, column) - a
two-output regression from flattened images, reshaped by ``image_shape``.  A linear
model on the raw pixels is the baseline.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skdl import LinearRegression
from skdl.neural_network import CNNRegressor

FIGURES = Path(__file__).resolve().parent / "figures"
FIGURES.mkdir(exist_ok=True)
SIDE = 12


def blobs(n, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(2, SIDE - 3, size=(n, 2))
    rows, cols = np.mgrid[0:SIDE, 0:SIDE]
    d2 = (rows[None] - centres[:, 0, None, None]) ** 2
    d2 = d2 + (cols[None] - centres[:, 1, None, None]) ** 2
    images = np.exp(-d2 / 2.0) + 0.1 * rng.normal(size=(n, SIDE, SIDE))
    return images.reshape(n, -1), centres


X, y = blobs(2000)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
cnn = CNNRegressor(image_shape=(1, SIDE, SIDE), conv_channels=(8, 16),
                   hidden_layer_sizes=(64,), learning_rate_init=0.003, max_iter=25,
                   random_state=0).fit(X_train, y_train)
linear = LinearRegression().fit(X_train, y_train)
r2_cnn, r2_lin = cnn.score(X_test, y_test), linear.score(X_test, y_test)
print(f"held-out R²: CNNRegressor {r2_cnn:.3f}, LinearRegression on pixels {r2_lin:.3f}")

pred_cnn, pred_lin = cnn.predict(X_test[:4]), linear.predict(X_test[:4])
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
for ax, img, true, pc, pl in zip(axes, X_test[:4], y_test[:4], pred_cnn, pred_lin, strict=True):
    ax.imshow(img.reshape(SIDE, SIDE), cmap="gray_r")
    ax.plot(true[1], true[0], "o", mfc="none", mec="tab:green", ms=14, mew=2, label="true centre")
    ax.plot(pc[1], pc[0], "x", color="tab:red", ms=10, mew=2, label="CNNRegressor")
    ax.plot(pl[1], pl[0], "+", color="tab:blue", ms=10, mew=2, label="LinearRegression")
    ax.set_xlabel("column")
    ax.set_ylabel("row")
axes[0].legend(loc="lower left", fontsize=8)
fig.suptitle(f"Blob centres on held-out images (R²: CNN {r2_cnn:.3f}, linear {r2_lin:.3f})")
fig.tight_layout()
fig.savefig(FIGURES / "cnn_regression.png", dpi=110)
