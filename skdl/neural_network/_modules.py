"""Plain ``torch.nn`` building blocks of the network estimators (no sklearn here).

Every ``nn.Module`` of the network estimators lives here: the multilayer perceptron
``MLPModule``, the Poisson loss, ``CNNModule`` (with ``conv_plan``),
``RecurrentModule``, and the autoencoders' ``AutoencoderModule`` with their three
losses (``ReconstructionLoss``, ``ELBOLoss``, ``SemiSupervisedELBOLoss``).  The
sklearn-facing estimators (``_mlp.py``, ``_cnn.py``, ``_recurrent.py``,
``_autoencoder.py``) build them lazily at fit time, once the number of input features
and outputs is known.

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

    Parameters
    ----------
    module : torch.nn.Module
        The module whose ``Linear``/``Conv`` layers are initialised.
    scheme : str
        ``'kaiming'``, ``'xavier'``, ``'lecun'``, ``'normal'``, ``'constant'``,
        ``'default'``, or a ``*_uniform`` variant (see :func:`init_variance`).

    Returns
    -------
    module : torch.nn.Module
        The same module, initialised.
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


# --------------------------------------------------------------------------- #
# losses                                                                       #
# --------------------------------------------------------------------------- #
class _PoissonLoss(nn.PoissonNLLLoss):
    """``exp(z) - y z`` per entry: the half Poisson deviance of sklearn's MLP up to a
    term free of the weights (torch's PoissonNLLLoss with log input)."""

    def __init__(self, reduction="mean"):
        super().__init__(log_input=True, full=False, reduction=reduction)


# --------------------------------------------------------------------------- #
# convolutional and recurrent modules (note 000 §5, note 001 ch. 9-10)          #
# --------------------------------------------------------------------------- #
# ``CNNModule`` is note 000 §5's "rounds of conv plus maxPool, followed by a dense
# layer"; ``RecurrentModule`` an LSTM/GRU/Elman RNN with a linear read-out (note 002
# "Neural networks for time series").  ``conv_plan`` works out the per-block kernel,
# padding and pooling and the feature-map sizes, so the estimators can check them (and
# explain a too-small image) before building anything.
RNN_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def _conv_out(extent, kernel, stride, padding):
    """Output extent of a convolution (note 000 §5): ``(W − K + 2P) // S + 1``."""
    return (extent - kernel + 2 * padding) // stride + 1


def conv_plan(image_shape, n_blocks, kernel_size, stride, padding, pool_size):
    """Per-block layer sizes for a ``(C, H, W)`` image, and the final map shape.

    A spatial dimension of the *image* smaller than ``kernel_size`` (the height of a
    ``1 × d`` row, both sides of a 2 × 2 image) is "tiny": in it, every block's kernel
    and pooling window are clipped to the current extent, so the network convolves and
    pools only along the dimensions that have room.  Other dimensions use the sizes as
    given, and when a block's feature map becomes too small for its kernel or pooling
    window (too many blocks, too large a kernel, stride or pool for the image) a
    ``ValueError`` explains which block, at which size.

    ``padding="same"`` pads ``(k − 1) // 2`` on each side (the size is kept for odd
    kernels at stride 1).

    Returns
    -------
    blocks : list of dict
        ``kernel``, ``padding``, ``pool`` and ``conv_out`` (the convolution's output
        size), each an ``(h, w)`` pair, per block.
    out_shape : tuple of int
        ``(H, W)`` of the last block's feature maps.
    """
    _, height, width = image_shape
    extents = [height, width]
    tiny = [e < kernel_size for e in extents]
    blocks = []
    for b in range(n_blocks):
        kernel, pad, pool, conv_out, after = [], [], [], [], []
        for axis in range(2):
            e = extents[axis]
            k = min(kernel_size, e) if tiny[axis] else kernel_size
            p = (k - 1) // 2 if padding == "same" else padding
            if e + 2 * p < k:
                raise ValueError(
                    f"The image of shape {tuple(image_shape)} (C, H, W) is too small for "
                    f"the architecture: conv block {b + 1} sees feature maps of size "
                    f"{extents[0]}x{extents[1]}, smaller than kernel_size={kernel_size} "
                    f"(with padding {p}). Use fewer conv_channels, a smaller kernel_size, "
                    "stride or pool_size, or padding='same'."
                )
            e = _conv_out(e, k, stride, p)
            q = min(pool_size, e) if tiny[axis] else pool_size
            if e < q:
                raise ValueError(
                    f"The image of shape {tuple(image_shape)} (C, H, W) is too small for "
                    f"the architecture: after conv block {b + 1} a feature-map side is {e}, "
                    f"smaller than pool_size={pool_size}. Use fewer conv_channels, a "
                    "smaller pool_size, kernel_size or stride, or larger images."
                )
            kernel.append(k)
            pad.append(p)
            pool.append(q)
            conv_out.append(e)
            after.append(e // q)
        extents = after
        blocks.append(
            {
                "kernel": tuple(kernel),
                "padding": tuple(pad),
                "pool": tuple(pool),
                "conv_out": tuple(conv_out),
            }
        )
    return blocks, tuple(extents)


class CNNModule(nn.Module):
    """Convolutional network returning raw outputs (logits for classification).

    Each block is ``Conv2d -> [BatchNorm2d] -> activation -> [MaxPool2d]``; the
    flattened maps go through a dense head (``MLPModule``: hidden layers, then a
    linear output layer).

    Parameters
    ----------
    image_shape : tuple of int
        ``(C, H, W)`` of the input images; ``forward`` takes ``(n, C, H, W)``, or
        flattened rows ``(n, C·H·W)``.
    n_outputs : int
        Number of outputs.
    conv_channels : tuple of int, default=(32, 64)
        Number of filters of each conv block.
    kernel_size, stride, pool_size : int
        Convolution kernel side, stride and max-pooling window (1: no pooling).
    padding : int or "same", default="same"
        Zero padding of each side.
    hidden_layer_sizes : tuple of int, default=(128,)
        Units of the dense head's hidden layers.
    activation : str, default="relu"
        Activation after every conv and hidden layer.
    dropout : float, default=0.0
        Dropout probability in the dense head (and after the conv blocks).
    batch_norm : bool, default=False
        Batch-normalise the conv and hidden pre-activations.
    """

    def __init__(
        self,
        image_shape,
        n_outputs,
        conv_channels=(32, 64),
        kernel_size=3,
        stride=1,
        padding="same",
        pool_size=2,
        hidden_layer_sizes=(128,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        self.image_shape = tuple(image_shape)
        blocks, (h, w) = conv_plan(
            image_shape, len(conv_channels), kernel_size, stride, padding, pool_size
        )
        layers = []
        c_in = image_shape[0]
        macs = 0
        for c_out, plan in zip(conv_channels, blocks, strict=True):
            layers.append(nn.Conv2d(c_in, c_out, plan["kernel"], stride, plan["padding"]))
            macs += c_in * c_out * math.prod(plan["kernel"]) * math.prod(plan["conv_out"])
            if batch_norm:
                layers.append(nn.BatchNorm2d(c_out))
            layers.append(make_activation(activation))
            if plan["pool"] != (1, 1):
                layers.append(nn.MaxPool2d(plan["pool"]))
            c_in = c_out
        layers.append(nn.Flatten())
        if dropout > 0 and conv_channels:
            layers.append(nn.Dropout(dropout))
        self.features = nn.Sequential(*layers)
        self.feature_shape = (c_in, h, w)
        self.head = MLPModule(
            c_in * h * w,
            n_outputs,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
        )
        # multiply-adds of one sample's forward pass (a kernel is applied at every
        # output position), for the estimators' choice of torch threads
        self.macs_per_sample = macs + sum(p.numel() for p in self.head.parameters())

    def forward(self, X):
        if X.ndim == 2:  # flattened rows (C-order), e.g. densified sparse batches
            X = X.reshape(X.shape[0], *self.image_shape)
        return self.head(self.features(X))


class RecurrentModule(nn.Module):
    """LSTM, GRU or Elman RNN with a linear read-out.

    Sequence to one: the last layer's final hidden state (both directions' when
    bidirectional) goes through a linear layer to ``n_outputs``.  Sequence to
    sequence: the hidden state at every step is read out, giving ``(n, T,
    n_outputs)``.

    Parameters
    ----------
    input_size : int
        Features per time step.
    n_outputs : int
        Outputs (per sequence, or per step when ``return_sequences``).
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        Recurrent cell (``"rnn"`` is the Elman network with tanh).
    hidden_size : int, default=64
        Size of the hidden state.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Also run the sequence backwards and concatenate both states.
    dropout : float, default=0.0
        Dropout between stacked layers and before the read-out.
    return_sequences : bool, default=False
        Read out every step instead of the last.
    """

    def __init__(
        self,
        input_size,
        n_outputs,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        return_sequences=False,
    ):
        super().__init__()
        self.rnn = RNN_CELLS[cell](
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.is_lstm = cell == "lstm"
        self.n_directions = 2 if bidirectional else 1
        self.return_sequences = return_sequences
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self.readout = nn.Linear(self.n_directions * hidden_size, n_outputs)

    def forward(self, X):
        out, state = self.rnn(X)
        if self.return_sequences:
            return self.readout(self.dropout(out))
        h_n = state[0] if self.is_lstm else state
        # the last layer's final state of each direction: (n, directions * hidden)
        last = h_n[-self.n_directions :].transpose(0, 1).reshape(X.shape[0], -1)
        return self.readout(self.dropout(last))


# --------------------------------------------------------------------------- #
# autoencoders: the module, its loss terms and the three losses               #
# (note 000 §3, note 001 ch. 11)                                              #
# --------------------------------------------------------------------------- #
# bounds of the encoder's log-variance (exp(-30) ~ 1e-13: no under/overflow in float32)
_LOGVAR_MIN, _LOGVAR_MAX = -30.0, 20.0


class AutoencoderModule(nn.Module):
    """Encoder MLP ``x -> code`` and mirrored decoder MLP ``code -> x``.

    With ``variational=True`` the encoder returns the mean and the log-variance of a
    diagonal Gaussian ``q(z | x)`` (note 001 §11.3), and in training mode the forward
    pass decodes ``z = mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)`` (the
    reparameterisation); in eval mode it decodes ``mu``.

    ``forward`` returns ``(decoder output, code or mu, logvar or None)``.

    Parameters
    ----------
    n_features : int
        Number of inputs (and of reconstructed outputs).
    n_components : int
        Size of the code.
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of the encoder's hidden layers; the decoder mirrors them.
    activation : str, default="relu"
        Name of the hidden activation, a key of ``ACTIVATIONS``.
    dropout : float, default=0.0
        Probability of zeroing a hidden unit during training.
    batch_norm : bool, default=False
        Whether to batch-normalise each hidden pre-activation.
    variational : bool, default=False
        Whether the encoder gives a Gaussian ``q(z | x)`` rather than a code.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        variational=False,
    ):
        super().__init__()
        self.variational = variational
        common = {"activation": activation, "dropout": dropout, "batch_norm": batch_norm}
        n_code = 2 * n_components if variational else n_components
        self.encoder = MLPModule(
            n_features, n_code, hidden_layer_sizes=tuple(hidden_layer_sizes), **common
        )
        self.decoder = MLPModule(
            n_components,
            n_features,
            hidden_layer_sizes=tuple(reversed(hidden_layer_sizes)),
            **common,
        )

    def encode(self, X):
        """``(code, None)``, or ``(mu, logvar)`` of ``q(z | x)`` when variational."""
        out = self.encoder(X)
        if not self.variational:
            return out, None
        mu, logvar = out.chunk(2, dim=1)
        return mu, logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)

    def decode(self, Z):
        """The decoder's raw output (means, or logits for a Bernoulli likelihood)."""
        return self.decoder(Z)

    def forward(self, X):
        mu, logvar = self.encode(X)
        z = mu
        if self.variational and self.training:
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decoder(z), mu, logvar


def _reconstruction_nll(out, X, likelihood):
    """Per-sample ``-log p(x | z)`` summed over the features (note 000 §3.4).

    Gaussian: ``N(x | out, I)`` (torch's ``gaussian_nll_loss`` with unit variance, the
    full constant included); Bernoulli: ``out`` are logits.
    """
    if likelihood == "gaussian":
        nll = nn.functional.gaussian_nll_loss(
            out, X, torch.ones_like(out), full=True, reduction="none"
        )
    else:
        nll = nn.functional.binary_cross_entropy_with_logits(out, X, reduction="none")
    return nll.sum(dim=1)


def _kl_to_unit_gaussians(mu, logvar, centers):
    """``KL(N(mu, diag(exp(logvar))) || N(c, I))`` for every row and every centre.

    Note 001 eq. 11.2 with ``Σ_q = I`` (eq. 11.3 for ``c = 0``, eq. 11.4 for a class
    centroid), in the correct sign: ``½ Σ_j (σ²_j + (μ_j − c_j)² − 1 − log σ²_j)``.
    ``centers`` is ``(n_centers, d)``; returns ``(n, n_centers)``.
    """
    base = 0.5 * (logvar.exp() - 1.0 - logvar).sum(dim=1, keepdim=True)
    sq = ((mu[:, None, :] - centers[None, :, :]) ** 2).sum(dim=2)
    return base + 0.5 * sq


class LabelledBatch:
    """The semi-supervised loss's target: a batch's inputs and their label codes.

    ``labels`` is an int64 tensor of class indices, ``n_classes`` marking an
    unlabelled row.  ``len`` is the batch's row count (the net divides its L2 penalty
    by it), as for a tensor target.
    """

    __slots__ = ("X", "labels")

    def __init__(self, X, labels):
        self.X = X
        self.labels = labels

    def __len__(self):
        return self.X.shape[0]


class _TermsLoss(nn.Module):
    """A per-sample loss that is a sum of named terms (``reduction`` 'none' or 'mean').

    Subclasses give ``terms(y_pred, y_true) -> (loss, {name: per-sample term})``; the
    terms of the last call (detached, summed over the batch, with the batch's row
    count) are kept in ``last_terms`` for the history callback.  ``variational`` says
    whether the autoencoder's encoder must give a Gaussian ``q(z | x)``.
    """

    variational = False

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction
        self.last_terms = None

    def forward(self, y_pred, y_true):
        loss, terms = self.terms(y_pred, y_true)
        self.last_terms = {k: (float(v.detach().sum()), v.shape[0]) for k, v in terms.items()}
        return loss.mean() if self.reduction == "mean" else loss


class ReconstructionLoss(_TermsLoss):
    """The autoencoder's loss: mean squared reconstruction error + ``sparsity * ||h||_1``.

    Note 000 §3 (§3.2 for the L1 penalty on the code ``h``); the target is the batch's
    inputs.

    Parameters
    ----------
    sparsity : float, default=0.0
        Weight of the L1 penalty on the code.
    reduction : {"mean", "none"}, default="mean"
        Mean over the batch, or the per-sample losses.
    """

    def __init__(self, sparsity=0.0, reduction="mean"):
        super().__init__(reduction)
        self.sparsity = sparsity

    def terms(self, y_pred, y_true):
        out, code, _ = y_pred
        rec = ((out - y_true) ** 2).mean(dim=1)
        pen = self.sparsity * code.abs().sum(dim=1)
        return rec + pen, {"reconstruction": rec, "sparsity_penalty": pen}


class ELBOLoss(_TermsLoss):
    """The VAE's loss: ``-log p(x | z) + beta * KL(q(z | x) || N(0, I))``.

    The negative evidence lower bound for ``beta=1`` (note 000 §3.5, note 001 §11.3);
    the target is the batch's inputs.

    Parameters
    ----------
    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        The decoder's law ``p(x | z)`` (see :func:`_reconstruction_nll`).
    beta : float, default=1.0
        Weight of the KL term.
    reduction : {"mean", "none"}, default="mean"
        Mean over the batch, or the per-sample losses.
    """

    variational = True

    def __init__(self, likelihood="gaussian", beta=1.0, reduction="mean"):
        super().__init__(reduction)
        self.likelihood = likelihood
        self.beta = beta

    def _inputs(self, y_true):
        """The reconstruction target within ``y_true``."""
        return y_true

    def _kl(self, mu, logvar, y_true):
        """Per-sample KL term (here to the standard normal prior, eq. 11.3)."""
        return _kl_to_unit_gaussians(mu, logvar, torch.zeros_like(mu[:1]))[:, 0]

    def terms(self, y_pred, y_true):
        out, mu, logvar = y_pred
        rec = _reconstruction_nll(out, self._inputs(y_true), self.likelihood)
        kl = self._kl(mu, logvar, y_true)
        return rec + self.beta * kl, {"reconstruction": rec, "kl": kl}


class SemiSupervisedELBOLoss(ELBOLoss):
    """The semi-supervised VAE's loss: the ELBO with class-centroid priors (eq. 11.4).

    A labelled row's prior is ``N(c_y, I)``, centred on its class centroid; an
    unlabelled row's is the mixture ``(1/K) Σ_k N(c_k, I)``, whose KL is approximated
    by ``-log (1/K) Σ_k exp(-KL_k)`` (the variational approximation of Hershey &
    Olsen, 2007).  The target is a :class:`LabelledBatch`.  The centroids are a
    buffer (zero until a callback updates them).

    Parameters
    ----------
    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        The decoder's law ``p(x | z)``.
    beta : float, default=1.0
        Weight of the KL term.
    n_classes : int, default=1
        Number of classes ``K`` (the label code ``K`` marks an unlabelled row).
    n_components : int, default=2
        Size of the latent space.
    reduction : {"mean", "none"}, default="mean"
        Mean over the batch, or the per-sample losses.
    """

    def __init__(
        self, likelihood="gaussian", beta=1.0, n_classes=1, n_components=2, reduction="mean"
    ):
        super().__init__(likelihood, beta, reduction)
        self.n_classes = n_classes
        self.register_buffer("centroids", torch.zeros(max(n_classes, 1), n_components))

    def _inputs(self, y_true):
        return y_true.X

    def _kl(self, mu, logvar, y_true):
        code = y_true.labels
        kls = _kl_to_unit_gaussians(mu, logvar, self.centroids)
        labelled = code < self.n_classes
        kl_lab = kls.gather(1, code.clamp(max=self.n_classes - 1)[:, None])[:, 0]
        kl_unl = math.log(self.n_classes) - torch.logsumexp(-kls, dim=1)
        return torch.where(labelled, kl_lab, kl_unl)
