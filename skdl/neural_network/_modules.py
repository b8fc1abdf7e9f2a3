"""Plain ``torch.nn`` building blocks of the network estimators (no sklearn here).

The sklearn-facing estimators in ``_mlp.py`` (and the CNN, recurrent and
autoencoder modules) build these modules lazily at fit time, once the number
of input features and outputs is known.

Weight initialisation follows note 002 ("Initialize weights"): the variance of a
pre-activation ``a_i = Σ_j W_ij h_j + b_i`` of a layer with ``u`` inputs is
``u · V(W) · V(h) + V(b)`` for centred, independent terms, so it neither vanishes
nor explodes through depth when ``V(W) = 1/u`` (LeCun), ``2/u`` (He/Kaiming, which
compensates ReLU halving the variance) or ``2/(u_in + u_out)`` (Xavier/Glorot, a
compromise between the forward and backward passes).  A uniform law
``U(-√(3σ²), √(3σ²))`` has the same variance ``σ²`` as ``N(0, σ²)``.
"""

import math
from collections import OrderedDict

import torch
from torch import nn

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
}

# std of the fixed-variance 'normal' scheme (the naive choice the notes warn about)
NORMAL_STD = 0.01

INITS = (
    "default",
    "kaiming",
    "kaiming_uniform",
    "xavier",
    "xavier_uniform",
    "lecun",
    "normal",
    "constant",
)


def make_activation(name):
    """A fresh activation module from its name (see ``ACTIVATIONS``)."""
    return ACTIVATIONS[name]()


def init_variance(scheme, fan_in, fan_out):
    """Variance of the weights that ``scheme`` gives a layer (note 002).

    ``None`` for ``'default'`` (torch's own per-layer rule); ``0`` for ``'constant'``.
    """
    if scheme in ("kaiming", "kaiming_uniform"):
        return 2.0 / fan_in
    if scheme in ("xavier", "xavier_uniform"):
        return 2.0 / (fan_in + fan_out)
    if scheme == "lecun":
        return 1.0 / fan_in
    if scheme == "normal":
        return NORMAL_STD**2
    if scheme == "constant":
        return 0.0
    if scheme == "default":
        return None
    raise ValueError(f"Unknown init scheme {scheme!r}; expected one of {INITS}.")


@torch.no_grad()
def init_weights(module, scheme):
    """Initialise every ``Linear``/``Conv`` layer of ``module`` in place.

    Weights get the variance of :func:`init_variance` (normal law, or uniform for the
    ``*_uniform`` schemes); ``'constant'`` sets every weight of a layer to
    ``1/fan_in`` (all units identical: the symmetric evolution of note 002); biases
    are set to zero.  ``'default'`` leaves torch's initialisation untouched.
    Other layers (batch norm, ...) keep their own initialisation.
    """
    if scheme == "default":
        return module
    for layer in module.modules():
        if not isinstance(layer, nn.Linear | nn.Conv1d | nn.Conv2d | nn.Conv3d):
            continue
        w = layer.weight
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
        var = init_variance(scheme, fan_in, fan_out)
        if scheme == "constant":
            w.fill_(1.0 / fan_in)
        elif scheme.endswith("_uniform"):
            bound = math.sqrt(3.0 * var)
            w.uniform_(-bound, bound)
        else:
            w.normal_(0.0, math.sqrt(var))
        if layer.bias is not None:
            layer.bias.zero_()
    return module


class MLPModule(nn.Sequential):
    """Multilayer perceptron returning raw outputs (logits for classification).

    Each hidden layer is ``Linear -> [BatchNorm1d] -> activation -> [Dropout]``;
    the output layer is a plain ``Linear`` (note 002, "Create a statistical model").
    The module is the ``nn.Sequential`` of these layers (``layers`` is itself).

    Parameters
    ----------
    n_features : int
        Number of inputs.
    n_outputs : int
        Number of outputs (classes for a classifier, targets for a regressor).
    hidden_layer_sizes : tuple of int, default=(100,)
        Units per hidden layer; ``()`` gives a linear (generalised linear) model.
    activation : str, default="relu"
        Name of the hidden activation, a key of ``ACTIVATIONS``.
    dropout : float, default=0.0
        Probability of zeroing a hidden unit during training.
    batch_norm : bool, default=False
        Whether to batch-normalise each hidden pre-activation.
    """

    def __init__(
        self,
        n_features,
        n_outputs,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        layers = []
        width = n_features
        for units in hidden_layer_sizes:
            layers.append(nn.Linear(width, units))
            if batch_norm:
                layers.append(nn.BatchNorm1d(units))
            layers.append(make_activation(activation))
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = units
        layers.append(nn.Linear(width, n_outputs))
        super().__init__(*layers)

    def __getitem__(self, idx):
        if isinstance(idx, slice):  # a plain Sequential (this class needs its sizes)
            return nn.Sequential(OrderedDict(list(self._modules.items())[idx]))
        return super().__getitem__(idx)

    @property
    def layers(self):
        """The layers, in order (the module itself: an ``nn.Sequential``)."""
        return self
