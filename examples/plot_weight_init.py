"""Weight initialisation and the variance of activations through depth (note 002).

A pre-activation of a layer with ``u`` inputs has variance ``u · V(W) · V(h)``
(centred, independent weights and inputs, zero biases), so across ``k`` layers the
signal is scaled by about ``(u · V(W))^k``: it vanishes when ``u · V(W) < 1`` and
explodes when it is ``> 1``.  LeCun (``V(W) = 1/u``) keeps it for linear-like units,
He/Kaiming (``2/u``) for ReLU (which zeroes half of the signal), Xavier/Glorot
(``2/(u_in + u_out)``) is the compromise of the forward and backward passes; a fixed
small ``N(0, 0.01²)`` vanishes, and a constant init makes every unit of a layer
identical (the symmetric evolution of note 002).

The figure shows ``V(h)`` after each of 12 hidden layers of 256 units, for standard
normal inputs, with ReLU and tanh activations.
"""

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

from skdl.neural_network import MLPModule, init_weights

DEPTH, WIDTH, N = 12, 256, 2000
SCHEMES = ["kaiming", "xavier", "lecun", "normal", "constant", "default"]

torch.manual_seed(0)
X = torch.randn(N, WIDTH)

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
for ax, activation in zip(axes, ["relu", "tanh"], strict=True):
    for scheme in SCHEMES:
        module = MLPModule(WIDTH, 1, hidden_layer_sizes=(WIDTH,) * DEPTH, activation=activation)
        init_weights(module, scheme)
        variances = []
        h = X
        with torch.no_grad():
            for layer in module.layers[:-1]:
                h = layer(h)
                if not isinstance(layer, torch.nn.Linear):  # after each activation
                    variances.append(h.var().item())
        ax.semilogy(
            np.arange(1, DEPTH + 1),
            np.maximum(variances, 1e-30),
            marker="o",
            markersize=3,
            label=scheme,
        )
    ax.set_title(f"{activation} activations")
    ax.set_xlabel("hidden layer")
    ax.grid(True, which="major", alpha=0.3)
axes[0].set_ylabel("variance of the layer's activations $V(h^{(k)})$")
axes[1].legend(title="init", fontsize=8)
fig.suptitle(f"Activation variance through depth ({WIDTH} units per layer, inputs N(0, 1))")

out = pathlib.Path(__file__).parent / "figures"
out.mkdir(exist_ok=True)
fig.savefig(out / "weight_init.png", dpi=110, bbox_inches="tight")
print(f"saved {out / 'weight_init.png'}")
