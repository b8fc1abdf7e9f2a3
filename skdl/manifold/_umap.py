"""UMAP (note 000 §10) on torch: a layout optimised on the fuzzy cross-entropy, and an
encoder network trained through skdl's network base so that new points can be
embedded.

The fit has three stages:

1. the fuzzy graph of the data (``_graph.py``: k-NN graph, smooth k-NN distances,
   fuzzy union) and the ``(a, b)`` of the low-dimensional similarity
   ``q(d) = 1 / (1 + a d^{2b})``;
2. the layout (classic, "non-parametric" UMAP): from the graph's spectral embedding,
   ``max_iter`` epochs of stochastic gradient descent on the cross-entropy between
   the graph's memberships ``w_ij`` and ``q_ij``,
   ``Σ w_ij log(w_ij / q_ij) + (1 − w_ij) log((1 − w_ij) / (1 − q_ij))``: each epoch
   every edge is drawn with probability ``w_ij / max w`` and pulls its two ends
   together (the gradient of ``−log q_ij``), and each drawn edge's head is pushed
   away from ``negative_sample_rate`` points drawn at random (the gradient of
   ``−log(1 − q_ik)``, the repulsion of the pairs the graph leaves apart); the
   per-pair gradients are clipped to ±4 and the step decays linearly from
   ``learning_rate`` to 0, as in the reference implementation.  The updates of an
   epoch are computed together (vectorised, on the ``device``) and summed;
3. new points: by default (``parametric=False``), each new point starts at the
   membership-weighted mean of its training neighbours' layout coordinates and is
   optimised against the fixed layout (the reference implementation's
   ``transform``, in numpy so that a point's result does not depend on the batch);
   with ``parametric=True``, an encoder MLP ``x -> y`` is trained through skorch,
   first fitted (mean squared error) to the layout, then on the same cross-entropy
   over minibatches of drawn edges (the negatives of a head being the tails of
   other edges of its batch), and ``transform`` is the encoder.
"""

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import DivergenceError
from ..neural_network._base import TORCH_DTYPES, BaseNeuralNetwork, resolve_device, seeded
from ..neural_network._modules import MLPModule, init_weights
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._threads import free_cpus, limit_threads
from ..utils._warn import warn
from . import _graph

_METRICS = ("euclidean", "cosine", "manhattan", "chebyshev")
# the layout's distance floor of the repulsion and the per-pair gradient clip
_REPULSION_EPS = 1e-3
_GRAD_CLIP = 4.0
# the encoder's first stage: minibatch steps of the regression onto the layout, and
# rows per step; its second stage: minibatch steps on the cross-entropy by default,
# and edges per step
_DISTILL_STEPS = 3000
_DISTILL_BATCH = 256
_DISTILL_LR_SCALE = 10.0  # the regression's step: 10 x learning_rate_init
_FINE_TUNE_STEPS = 400
_MAX_STAGE_EPOCHS = 200
# pairs (attractions + repulsions) per epoch below which the layout runs on one
# OpenMP thread: its per-pair operations are many small kernels, and a second
# thread descheduled by another process's job stalls every one of them (digits,
# 72,000 pairs per epoch: 1.0 s on 2 threads of a quiet machine, 12 s of a loaded one)
_SMALL_EPOCH = 1_000_000
_EDGE_BATCH = 1024


# --------------------------------------------------------------------------- #
# the layout optimisation                                                      #
# --------------------------------------------------------------------------- #
def _epochs_default(n_samples):
    """The reference implementation's epochs: 500 up to 10,000 points, else 200."""
    return 500 if n_samples <= 10_000 else 200


def _attraction(diff, a, b):
    """Gradient step of ``−log q`` for each pair, clipped: ``−2ab d^{2(b−1)} /
    (1 + a d^{2b}) (y_i − y_j)`` (0 for coincident points).  ``diff`` is
    ``y_i − y_j`` with the coordinates as rows, shape ``(c, pairs)``."""
    d2 = (diff * diff).sum(dim=0)
    pos = d2 > 0
    d2 = torch.where(pos, d2, torch.ones_like(d2))
    d2b = d2.pow(b)
    coef = (-2.0 * a * b) * d2b / (d2 * (1.0 + a * d2b))
    coef = torch.where(pos, coef, torch.zeros_like(coef))
    return diff.mul_(coef).clamp_(-_GRAD_CLIP, _GRAD_CLIP)


def _repulsion(diff, a, b):
    """Gradient step of ``−log(1 − q)`` for each pair, clipped:
    ``2b / ((ε + d²)(1 + a d^{2b})) (y_i − y_k)`` (0 for coincident points, which
    have no direction; ``diff`` as in ``_attraction``)."""
    d2 = (diff * diff).sum(dim=0)
    coef = (2.0 * b) / ((_REPULSION_EPS + d2) * (1.0 + a * d2.pow(b)))
    return diff.mul_(coef).clamp_(-_GRAD_CLIP, _GRAD_CLIP)


def _epoch_threads(pairs, device):
    """Context: the OpenMP threads of the layout's epochs on CPU - one for small
    epochs, else the CPUs not busy with other processes (``free_cpus``), lowering
    only."""
    if torch.device(device).type != "cpu":
        return limit_threads(None, "openmp")
    torch.get_num_threads()  # torch sizes a thread's pool lazily: before the limit
    return limit_threads(1 if pairs < _SMALL_EPOCH else free_cpus(), "openmp")


def optimize_layout(Y, head, tail, prob, a, b, n_epochs, negative_sample_rate,
                    learning_rate, generator):
    """Run the layout's stochastic gradient descent in place on ``Y`` (a float
    tensor, one row per point): each epoch every directed edge ``(head, tail)`` is
    drawn with probability ``prob`` (``w / max w``), pulls both its ends together and
    pushes its head away from ``negative_sample_rate`` random points."""
    neg = int(negative_sample_rate)
    # coordinates as rows: every per-pair operation runs on contiguous vectors
    Yt = Y.t().contiguous()
    pairs = float(prob.sum()) * (1 + neg)
    with _epoch_threads(pairs, Y.device):
        _layout_epochs(Yt, head, tail, prob, a, b, n_epochs, neg, learning_rate, generator)
    Y.copy_(Yt.t())
    return Y


def _layout_epochs(Yt, head, tail, prob, a, b, n_epochs, neg, learning_rate, generator):
    n = Yt.shape[1]
    for epoch in range(n_epochs):
        alpha = learning_rate * (1.0 - epoch / n_epochs)
        drawn = torch.rand(prob.shape[0], generator=generator, device=prob.device) < prob
        idx = drawn.nonzero().squeeze(1)
        if idx.numel() == 0:
            continue
        h, t = head.index_select(0, idx), tail.index_select(0, idx)
        step = _attraction(Yt.index_select(1, h) - Yt.index_select(1, t), a, b).mul_(alpha)
        update = torch.zeros_like(Yt)
        update.index_add_(1, h, step)
        update.index_add_(1, t, step.neg_())
        if neg > 0:
            hn = h.repeat_interleave(neg)
            kn = torch.randint(0, n, hn.shape, generator=generator, device=Yt.device)
            step = _repulsion(Yt.index_select(1, hn) - Yt.index_select(1, kn), a, b)
            step.masked_fill_(hn == kn, 0.0)  # a point is not its own negative
            update.index_add_(1, hn, step.mul_(alpha))
        Yt.add_(update)


def place_points(Y, neighbors, prob, reference, a, b, n_epochs, negative_sample_rate,
                 learning_rate, rng):
    """Optimise new points ``Y`` (m, c; float64, in place) against the fixed
    ``reference`` layout: point ``i`` is pulled towards ``reference[neighbors[i, j]]``
    with probability ``prob[i, j]`` per epoch and pushed from random reference
    points, the step decaying from ``learning_rate`` to 0.

    numpy, on the CPU, so that each point's result does not depend on the other
    points of the call (torch's elementwise kernels round the tail of a tensor
    through a scalar path, which the descent amplifies): the draws depend on the
    epoch and the neighbour's rank only (one uniform number and
    ``negative_sample_rate`` negatives per rank, the same for every point), and each
    point's updates are summed in the order of its neighbours.
    """
    m, k = neighbors.shape
    neg = int(negative_sample_rate)
    n_ref = reference.shape[0]
    rows = np.repeat(np.arange(m), k)
    cols = neighbors.ravel()
    rank = np.tile(np.arange(k), m)
    p = prob.ravel()
    for epoch in range(n_epochs):
        alpha = learning_rate * (1.0 - epoch / n_epochs)
        u = rng.random(k)
        kn = rng.integers(0, n_ref, size=(k, max(neg, 1)))
        idx = np.flatnonzero(u[rank] < p)
        if idx.size == 0:
            continue
        r = rows[idx]
        update = _pair_sums(r, _np_attraction(Y[r] - reference[cols[idx]], a, b), m)
        if neg > 0:  # each drawn edge brings its rank's negatives
            rn = np.repeat(r, neg)
            targets = kn[rank[idx]].ravel()
            update += _pair_sums(rn, _np_repulsion(Y[rn] - reference[targets], a, b), m)
        Y += alpha * update
    return Y


def _pair_sums(index, steps, m):
    """Per point, the sum of its pairs' steps (in the pairs' order)."""
    return np.stack(
        [np.bincount(index, weights=steps[:, j], minlength=m) for j in range(steps.shape[1])],
        axis=1,
    )


def _np_attraction(diff, a, b):
    """``_attraction`` in numpy, one pair per row."""
    d2 = np.einsum("ij,ij->i", diff, diff)
    pos = d2 > 0
    d2 = np.where(pos, d2, 1.0)
    d2b = np.power(d2, b)
    coef = np.where(pos, (-2.0 * a * b) * d2b / (d2 * (1.0 + a * d2b)), 0.0)
    return np.clip(coef[:, None] * diff, -_GRAD_CLIP, _GRAD_CLIP)


def _np_repulsion(diff, a, b):
    """``_repulsion`` in numpy, one pair per row."""
    d2 = np.einsum("ij,ij->i", diff, diff)
    coef = (2.0 * b) / ((_REPULSION_EPS + d2) * (1.0 + a * np.power(d2, b)))
    return np.clip(coef[:, None] * diff, -_GRAD_CLIP, _GRAD_CLIP)


# --------------------------------------------------------------------------- #
# the encoder's data and loss                                                  #
# --------------------------------------------------------------------------- #
class _EdgeDataset(torch.utils.data.Dataset):
    """The encoder's cross-entropy stage: each epoch, every edge drawn with
    probability ``prob``; a batch is the rows of its edges' heads then tails
    (``2 B`` rows of ``X``) with their layout coordinates as targets."""

    def __init__(self, points, head, tail, prob):
        self.points = points  # the network base's dataset of X and the layout
        self.head, self.tail, self.prob = head, tail, prob

    def __len__(self):  # edges expected per epoch (skorch sizes its bookkeeping on it)
        return max(1, int(round(float(self.prob.sum()))))

    def __getitem__(self, i):  # pragma: no cover - batches come from iter_batches
        raise NotImplementedError

    def _drawn(self, shuffle):
        """This epoch's edges: each drawn with its probability (torch's global RNG,
        which the estimator forks and seeds), in a random order when ``shuffle``."""
        drawn = torch.rand(self.prob.shape[0]) < self.prob
        h, t = self.head[drawn], self.tail[drawn]
        if shuffle:
            perm = torch.randperm(h.shape[0])
            h, t = h[perm], t[perm]
        return h, t

    def iter_batches(self, batch_size, shuffle):
        h, t = self._drawn(shuffle)
        for start in range(0, h.shape[0], batch_size):
            rows = torch.cat([h[start : start + batch_size], t[start : start + batch_size]])
            xb, yb, _ = self.points.rows(rows)
            yield xb, yb


class _MixedEdgeDataset(_EdgeDataset):
    """The encoder's regression stage: points drawn along the graph's edges, each
    ``x = (1 − u) x_h + u x_t`` with its target ``(1 − u) y_h + u y_t`` for a
    uniform ``u`` (the layout's coordinates interpolated between neighbours)."""

    def iter_batches(self, batch_size, shuffle):
        h, t = self._drawn(shuffle)
        for start in range(0, h.shape[0], batch_size):
            hb, tb = h[start : start + batch_size], t[start : start + batch_size]
            xb, yb, _ = self.points.rows(torch.cat([hb, tb]))
            m = hb.shape[0]
            u = torch.rand(m, 1, dtype=xb.dtype, device=xb.device)
            yield torch.lerp(xb[:m], xb[m:], u), torch.lerp(yb[:m], yb[m:], u)


class _UMAPLoss(torch.nn.Module):
    """The encoder's loss on a batch of ``2 B`` outputs (heads then tails).

    ``distill=True``: the mean squared distance to the targets (the layout).
    Otherwise the fuzzy cross-entropy of the batch's edges, per edge
    ``−log q(d_ht) − Σ_k log(1 − q(d_hk))`` over ``negative_sample_rate`` tails ``k``
    of the batch drawn at random, with ``log q = −softplus(s)`` and
    ``log(1 − q) = −softplus(−s)``, ``s = log a + b log d²`` (distances floored at
    1e-3 for the repulsion, as the layout's).
    """

    def __init__(self, a=1.577, b=0.895, negative_sample_rate=5, reduction="none"):
        super().__init__()
        self.a, self.b = float(a), float(b)
        self.negative_sample_rate = int(negative_sample_rate)
        self.reduction = reduction
        self.distill = False

    def forward(self, y_pred, y_true):
        if self.distill:
            return (y_pred - y_true).pow(2).sum(dim=1).mean()
        n_edges = y_pred.shape[0] // 2
        zh, zt = y_pred[:n_edges], y_pred[n_edges:]
        log_a = math.log(self.a)
        d2 = (zh - zt).pow(2).sum(dim=1)
        attract = torch.nn.functional.softplus(log_a + self.b * torch.log(d2 + 1e-12))
        loss = attract.sum()
        neg = self.negative_sample_rate
        if neg > 0:
            k = torch.randint(0, n_edges, (n_edges * neg,), device=y_pred.device)
            d2n = (zh.repeat(neg, 1) - zt[k]).pow(2).sum(dim=1)
            s = log_a + self.b * torch.log(d2n + _REPULSION_EPS)
            loss = loss + torch.nn.functional.softplus(-s).sum()
        return loss / max(n_edges, 1)


# --------------------------------------------------------------------------- #
# the estimator                                                                #
# --------------------------------------------------------------------------- #
class UMAP(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralNetwork):
    """Uniform Manifold Approximation and Projection, with a transform for new points.

    UMAP (note 000 §10; McInnes, Healy & Melville 2018) is the non-linear
    counterpart of PCA: it represents the data by a fuzzy graph of each point's
    nearest neighbours, measured in locally adapted units, and finds a
    low-dimensional layout whose own fuzzy graph is close to it in cross-entropy.
    skdl optimises the layout on torch (CPU or GPU), and ``transform`` embeds points
    not seen in ``fit`` (which sklearn's ``TSNE`` cannot do): by UMAP's placement
    against the layout, or (``parametric=True``) by an encoder network trained on
    the same loss through skorch.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the embedding.
    n_neighbors : int, default=15
        Size of each point's neighbourhood (the point included), the scale of the
        structure kept: small values keep local detail, large ones the global
        shape.  At most the number of training samples (truncated with a warning).
    metric : {"euclidean", "cosine", "manhattan", "chebyshev"}, default="euclidean"
        Distance of the nearest-neighbour graph (scikit-learn's
        ``NearestNeighbors``).
    min_dist : float, default=0.1
        Smallest distance between embedded points: the low-dimensional similarity
        is 1 below it.  Must not exceed ``spread``.
    spread : float, default=1.0
        Scale of the embedded clusters: the similarity decays as
        ``exp(−(d − min_dist) / spread)``.
    max_iter : int or None, default=None
        Epochs of the layout optimisation; ``None`` is 500 up to 10,000 samples,
        else 200 (the reference implementation's ``n_epochs``).  Edges of weight
        below ``max w / max_iter`` are never drawn and are dropped.
    learning_rate : float, default=1.0
        Initial step of the layout optimisation (decays linearly to 0).
    negative_sample_rate : int, default=5
        Negative samples (random points pushed away) per drawn edge.
    init : {"spectral", "pca", "random"} or ndarray of shape \
(n_samples, n_components), default="spectral"
        Initial layout: the graph's Laplacian eigenmap (each connected component
        apart), the leading principal components of ``X``, uniform random, or the
        given coordinates; each coordinate is rescaled to [0, 10].
    parametric : bool, default=False
        ``False``: classic UMAP; ``transform`` places new points against the
        optimised layout (``layout_``) from their training neighbours.  ``True``:
        also train an encoder network (``transform`` is the encoder, ``embedding_``
        its output on the training data): no neighbour search at ``transform``, a
        forward pass on the CPU or a GPU, at some cost in quality (see Notes).
    hidden_layer_sizes : int or tuple of int, default=(100, 100)
        Units of the encoder's hidden layers (``parametric=True``).
    activation : {"relu", "leaky_relu", "tanh", "logistic", "sigmoid", "elu", \
"gelu", "identity"}, default="relu"
        Activation of the encoder's hidden layers (``parametric=True``).
    encoder_max_iter : int or None, default=None
        Epochs of the encoder's cross-entropy stage (each draws every edge with
        probability ``w / max w``); ``None``: enough epochs for about 400 steps of
        ``batch_size`` edges.
    learning_rate_init : float, default=0.001
        Step size of the encoder's Adam optimiser.
    batch_size : int, default=1024
        Edges per minibatch of the encoder's cross-entropy stage (each batch runs
        the encoder on ``2 * batch_size`` rows).
    n_jobs : int or None, default=None
        Parallel jobs of the nearest-neighbour search (scikit-learn's meaning).
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation, the edge and negative sampling and the encoder's
        weights and batches.  The global numpy and torch RNGs are left untouched.
    verbose : bool or int, default=False
        Print the encoder's per-epoch losses.
    callbacks : list of skorch callbacks or (name, callback) pairs, default=None
        Extra callbacks of the encoder's skorch training loop.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        Dtype of the encoder's weights and training data.
    device : str, default="cpu"
        Torch device of the layout optimisation and the encoder: "cpu", "cuda",
        "cuda:N", "mps" or "auto".

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
        The training data's embedding (float64), what ``fit_transform`` returns
        and ``transform`` gives for the training data: the training points placed
        against ``layout_`` as new points are (``parametric=False``), or the
        encoder's output (``parametric=True``).
    layout_ : ndarray of shape (n_samples, n_components)
        The optimised layout (classic UMAP's embedding).
    nearest_neighbors_ : sklearn.neighbors.NearestNeighbors
        The fitted neighbour search of ``transform`` (``parametric=False``).
    graph_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        The fuzzy graph: symmetric memberships ``w_ij`` in [0, 1].
    a_ : float
        ``a`` of the low-dimensional similarity ``1 / (1 + a d^{2b})``, fitted from
        ``min_dist`` and ``spread``.
    b_ : float
        ``b`` of the same curve.
    n_neighbors_ : int
        Neighbours used (``n_neighbors``, or the sample count when smaller).
    n_iter_ : int
        Epochs of the layout optimisation.
    net_ : skorch.NeuralNet
        The trained encoder's skorch net (``parametric=True``).
    history_ : skorch.History
        The encoder's per-epoch history: the regression onto the layout, then the
        cross-entropy epochs (``parametric=True``).
    loss_curve_ : list of float
        The encoder's training loss per epoch (``parametric=True``).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during ``fit``, when ``X`` has string column
        names.

    See Also
    --------
    skdl.PCA : The linear projection (note 000 §9).
    sklearn.manifold.TSNE : A neighbour embedding with no ``transform``.

    Notes
    -----
    The graph follows the paper (§3): ``ρ_i`` is the distance to the nearest
    neighbour, ``σ_i`` solves ``Σ_j exp(−max(0, d_ij − ρ_i)/σ_i) = log2(k)``, and the
    directed memberships are symmetrised by the fuzzy union
    ``w_ij = v_ij + v_ji − v_ij v_ji``.  The layout's epochs are vectorised: the
    updates of all the edges drawn in an epoch are computed from the same
    coordinates and summed (Hogwild-style, as GPU implementations do), where the
    reference implementation applies them one edge at a time.

    ``transform`` (``parametric=False``) is the reference implementation's: each
    point's memberships in its training neighbours, with local connectivity 0 (no
    neighbour forced to 1), give its start, their weighted mean of the neighbours'
    layout coordinates; then epochs of the same descent at a quarter of
    ``learning_rate`` move it with the layout fixed (100 epochs up to 10,000
    training samples, else 30; ``max_iter // 3`` when ``max_iter`` is set).  It runs
    in numpy, with draws that depend on the epoch and the neighbour's rank only, so
    a point's embedding does not depend on the other points passed with it.  The
    training points go through the same placement (``embedding_``), so that
    ``fit_transform`` and ``transform`` agree; ``layout_`` keeps the optimised
    layout itself.  Neighbour distances are recomputed exactly after the search
    (scikit-learn's euclidean search gives a point ~1e-7 from itself), and data of
    magnitude beyond 1e±100 are searched at a power-of-two scale (the graph does
    not depend on the scale).

    The encoder (``parametric=True``) is trained first on the mean squared error to
    the layout at points drawn along the graph's edges (``x`` interpolated between
    the two ends, its target likewise; 3,000 minibatch steps of 256 points at ten
    times ``learning_rate_init``), then on the cross-entropy.  Starting from the
    layout gives it the layout's global arrangement; trained on the cross-entropy
    alone from random weights, it needs many more epochs for the same
    trustworthiness.  On standardised digits its embedding's trustworthiness is
    within 0.01 of the layout's, but held-out points land with their class less
    often than by the neighbour placement (kNN accuracy 0.86-0.90 against
    0.96-0.98; ``benchmarks/bench_umap.py``): it is the default's fast alternative,
    not its replacement.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdl.manifold import UMAP
    >>> X, _ = load_digits(return_X_y=True)
    >>> umap = UMAP(n_neighbors=10, max_iter=50, random_state=0)
    >>> umap.fit_transform(X[:300]).shape
    (300, 2)
    >>> umap.transform(X[300:310]).shape
    (10, 2)
    >>> encoder = UMAP(max_iter=50, parametric=True, encoder_max_iter=2, random_state=0)
    >>> encoder.fit(X[:300]).transform(X[300:310]).shape
    (10, 2)
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 2, None, closed="left")],
        "metric": [StrOptions(set(_METRICS))],
        "min_dist": [Interval(Real, 0, None, closed="left")],
        "spread": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "negative_sample_rate": [Interval(Integral, 0, None, closed="left")],
        "init": [StrOptions({"spectral", "pca", "random"}), "array-like"],
        "parametric": ["boolean"],
        "hidden_layer_sizes": BaseNeuralNetwork._parameter_constraints["hidden_layer_sizes"],
        "activation": BaseNeuralNetwork._parameter_constraints["activation"],
        "encoder_max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, tuple, None],
        "dtype": BaseNeuralNetwork._parameter_constraints["dtype"],
        "device": [str],
    }

    # the network base's training settings that UMAP fixes (class attributes: not
    # parameters): Adam, no L2 penalty, no stopping rule, no validation split
    solver = "adam"
    alpha = 0.0
    shuffle = True
    tol = 0.0
    warm_start = False
    momentum = 0.9
    nesterovs_momentum = True
    early_stopping = False
    validation_fraction = 0.1
    beta_1 = 0.9
    beta_2 = 0.999
    epsilon = 1e-8
    n_iter_no_change = np.inf
    max_fun = 15000
    power_t = 0.5
    dropout = 0.0
    batch_norm = False
    _accepts_sparse = True

    def __init__(
        self,
        n_components=2,
        n_neighbors=15,
        *,
        metric="euclidean",
        min_dist=0.1,
        spread=1.0,
        max_iter=None,
        learning_rate=1.0,
        negative_sample_rate=5,
        init="spectral",
        parametric=False,
        hidden_layer_sizes=(100, 100),
        activation="relu",
        encoder_max_iter=None,
        learning_rate_init=0.001,
        batch_size=_EDGE_BATCH,
        n_jobs=None,
        random_state=None,
        verbose=False,
        callbacks=None,
        dtype=np.float32,
        device="cpu",
    ):
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.min_dist = min_dist
        self.spread = spread
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.negative_sample_rate = negative_sample_rate
        self.init = init
        self.parametric = parametric
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.encoder_max_iter = encoder_max_iter
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.dtype = dtype
        self.device = device

    # ------------------------------------------------------ base overrides -- #
    def _validate_params(self):
        # the network base refuses a float learning_rate (its schedule's name); here
        # it is the layout's step size
        BaseEstimator._validate_params(self)

    def _init_module(self, module):
        init_weights(module, "kaiming")

    def _criterion(self):
        return _UMAPLoss

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]  # embeddings are float64
        return tags

    # ------------------------------------------------------------- fitting -- #
    def _check_params(self, X):
        """Check the parameters against ``X`` before any work; the neighbours to use."""
        n_samples = X.shape[0]
        if self.min_dist > self.spread:
            raise ValueError(
                f"min_dist must not exceed spread; got min_dist={self.min_dist!r}, "
                f"spread={self.spread!r}."
            )
        if n_samples < 2:
            raise ValueError(
                f"UMAP needs at least 2 samples; got n_samples = {n_samples}."
            )
        init, c = self.init, self.n_components
        if isinstance(init, str) and init == "pca" and c > min(X.shape):
            raise ValueError(
                f"init='pca' needs n_components <= min(n_samples, n_features) = "
                f"{min(X.shape)}; got n_components={c}."
            )
        if not isinstance(init, str):
            init = np.asarray(init, dtype=np.float64)
            if init.shape != (n_samples, c) or not np.isfinite(init).all():
                raise ValueError(
                    f"init as an array must be finite, of shape (n_samples, n_components) "
                    f"= ({n_samples}, {c}); got shape {init.shape}."
                )
        k = int(self.n_neighbors)
        if k > n_samples:
            warn(
                f"n_neighbors={k} is larger than the number of samples ({n_samples}); "
                f"using n_neighbors={n_samples}.",
                UserWarning,
            )
            k = n_samples
        return k

    def _initial_layout(self, X, W, rng):
        """The starting layout of ``init`` (checked by ``_check_params``)."""
        init = self.init
        if isinstance(init, str) and init == "spectral":
            return _graph.spectral_layout(X, W, self.n_components, rng)
        if isinstance(init, str) and init == "pca":
            from sklearn.decomposition import PCA, TruncatedSVD

            reducer = TruncatedSVD if sp.issparse(X) else PCA
            return reducer(n_components=self.n_components, random_state=rng).fit_transform(X)
        if isinstance(init, str):  # "random"
            return rng.uniform(-10.0, 10.0, size=(X.shape[0], self.n_components))
        return np.asarray(init, dtype=np.float64)

    def _fit_umap(self, X):
        X = validate_data(
            self, X, reset=True, accept_sparse="csr", dtype=[np.float64, np.float32]
        )
        n = X.shape[0]
        k = self._check_params(X)
        hidden = self._hidden() if self.parametric else None
        if self.parametric:
            self._check_encoder_range(X)  # before any work
        if sp.issparse(X) and self.metric not in _graph.SPARSE_METRICS:
            raise ValueError(
                f"metric={self.metric!r} does not take sparse X; use one of "
                f"{list(_graph.SPARSE_METRICS)}, or pass a dense array."
            )
        device = resolve_device(self.device)
        rng = check_random_state(self.random_state)
        a, b = _graph.find_ab_params(self.spread, self.min_dist)
        # the graph does not change when X is scaled: extreme magnitudes, whose squared
        # distances would overflow or flush to zero, are searched at a power-of-two scale
        self._graph_scale = _graph_scale(X)
        Xg = _scaled(X, self._graph_scale)
        nn, dist, ind = _graph.nearest_neighbors(Xg, k, self.metric, self.n_jobs)
        W = _graph.fuzzy_simplicial_set(dist, ind)
        n_epochs = _epochs_default(n) if self.max_iter is None else int(self.max_iter)
        layout = _graph.rescale_layout(self._initial_layout(Xg, W, rng), rng)

        edges = W.tocoo()
        weights = edges.data
        keep = weights >= weights.max() / n_epochs if weights.size else weights > 0
        head = torch.from_numpy(edges.row[keep].astype(np.int64)).to(device)
        tail = torch.from_numpy(edges.col[keep].astype(np.int64)).to(device)
        prob = torch.from_numpy(weights[keep] / weights.max() if weights.size else weights)
        prob = prob.to(device=device, dtype=torch.float32)
        gen = torch.Generator(device=device)
        gen.manual_seed(int(rng.randint(np.iinfo(np.int32).max)))
        Y = torch.from_numpy(layout.astype(np.float32)).to(device)
        optimize_layout(
            Y, head, tail, prob, a, b, n_epochs, self.negative_sample_rate,
            self.learning_rate, gen,
        )
        layout = Y.cpu().numpy().astype(np.float64)
        if not np.isfinite(layout).all():  # clipped steps from a finite start stay finite
            raise FloatingPointError("The UMAP layout optimisation produced non-finite values.")

        self.layout_ = layout
        self._placement_seed = int(rng.randint(np.iinfo(np.int32).max))
        self.a_, self.b_ = a, b
        self.n_neighbors_ = k
        self.n_iter_ = n_epochs
        if self.parametric:
            self._neighbor_X = None
            self._fit_encoder(X, layout, head.cpu(), tail.cpu(), prob.cpu(), a, b, hidden,
                              device, rng)
            embedding = self._infer(self._encoder_input(X), width=self.n_components)
        else:
            # the training points placed against the layout as transform places any
            # point (their neighbour lists are the fit's): fit_transform(X) equals
            # fit(X).transform(X)
            self.nearest_neighbors_ = nn
            self._neighbor_X = Xg
            embedding = self._place(dist, ind)
        self.embedding_ = embedding
        self.graph_ = W
        self._n_features_out = self.n_components
        return embedding

    def _check_encoder_range(self, X):
        """A ``ValueError`` when values of ``X`` would overflow or flush to zero in the
        encoder's dtype (the embedding would be NaN, or of zeros, silently)."""
        values = X.data if sp.issparse(X) else X
        info = np.finfo(self.dtype)
        top, tiny = float(info.max), float(info.tiny)
        if values.size:
            big = float(np.abs(values).max())
            nonzero = np.abs(values[values != 0])
            small = float(nonzero.min()) if nonzero.size else info.tiny
            if big > top or small < tiny:
                raise ValueError(
                    f"X has values of magnitude {small:.3g} to {big:.3g}, outside the range "
                    f"of the encoder's dtype={np.dtype(self.dtype).name} ({info.tiny:.3g} to "
                    f"{info.max:.3g}): standardise X, or pass dtype=np.float64."
                )

    def _encoder_input(self, X):
        """``X`` as the encoder takes it: the training dtype, C order (CSR kept)."""
        if sp.issparse(X):
            return X.astype(self.dtype).tocsr()
        return np.asarray(X, dtype=self.dtype, order="C")

    def _fit_encoder(self, X, layout, head, tail, prob, a, b, hidden, device, rng):
        seed = int(rng.randint(np.iinfo(np.int32).max))
        Xe = self._encoder_input(X)
        n = Xe.shape[0]
        with seeded(seed, device):
            module = MLPModule(
                Xe.shape[1], self.n_components, hidden_layer_sizes=hidden,
                activation=self.activation,
            )
            self._init_module(module)
            dtype = TORCH_DTYPES[np.dtype(self.dtype)]
            module.to(dtype)
            net = self._make_net(module, device, {
                "criterion__a": a,
                "criterion__b": b,
                "criterion__negative_sample_rate": self.negative_sample_rate,
            })
            net.initialize()
            points = self._make_dataset(Xe, layout.astype(self.dtype), None, device)
            # stage 1: the encoder regressed onto the layout
            net.criterion_.distill = True
            batch = min(_DISTILL_BATCH, n)
            net.batch_size = batch
            for group in net.optimizer_.param_groups:
                group["lr"] = _DISTILL_LR_SCALE * self.learning_rate_init
            mixed = _MixedEdgeDataset(points, head, tail, prob)
            per_epoch = max(1, math.ceil(len(mixed) / batch))
            epochs = int(np.clip(math.ceil(_DISTILL_STEPS / per_epoch), 1, _MAX_STAGE_EPOCHS))
            with self._torch_threads(net, batch):
                net.partial_fit(mixed, None, epochs=epochs)
            # stage 2: the fuzzy cross-entropy over drawn edges, a fresh optimizer
            net.initialize_optimizer()
            net.criterion_.distill = False
            edges = _EdgeDataset(points, head, tail, prob)
            net.batch_size = int(self.batch_size)
            if self.encoder_max_iter is None:
                per_epoch = max(1, math.ceil(len(edges) / self.batch_size))
                epochs = int(np.clip(math.ceil(_FINE_TUNE_STEPS / per_epoch), 1, _MAX_STAGE_EPOCHS))
            else:
                epochs = int(self.encoder_max_iter)
            with self._torch_threads(net, 2 * int(self.batch_size)):
                net.partial_fit(edges, None, epochs=epochs)
        self.net_ = net
        self.n_outputs_ = self.n_components
        self.history_ = net.history
        self.loss_curve_ = [float(v) for v in net.history[:, "train_loss"]]
        self.loss_ = self.loss_curve_[-1]
        if not np.isfinite(self.loss_):
            raise DivergenceError(
                f"The UMAP encoder's training loss became {self.loss_}; lower "
                f"learning_rate_init (currently {self.learning_rate_init!r}) or scale X."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the embedding of ``X`` (and the encoder, with ``parametric=True``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._fit_umap(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit the embedding of ``X`` and return it (``embedding_``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The embedding, float64.
        """
        return self._fit_umap(X).copy()

    # ----------------------------------------------------------- inference -- #
    def transform(self, X):
        """Embed ``X``: the encoder's output (``parametric=True``), or new points
        optimised against the training layout (``parametric=False``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to embed.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The embedding, float64.
        """
        check_is_fitted(self, "embedding_")
        if hasattr(self, "net_"):  # fitted with parametric=True
            X = self._prepare_X(X, reset=False)
            return self._infer(X, width=self.n_components)
        X = validate_data(
            self, X, reset=False, accept_sparse="csr", dtype=[np.float64, np.float32]
        )
        return self._transform_layout(X)

    def _transform_layout(self, X):
        """Non-parametric ``transform``: each point placed against ``layout_``."""
        if X.shape[0] == 0:
            return np.zeros((0, self.n_components))
        dist, ind = _graph.query_neighbors(
            self.nearest_neighbors_, self._neighbor_X, _scaled(X, self._graph_scale),
            self.n_neighbors_, self.metric,
        )
        return self._place(dist, ind)

    def _place(self, dist, ind):
        """The reference implementation's ``transform`` from the points' training
        neighbours (distances ``dist``, indices ``ind``): memberships with ``ρ = 0``
        (local connectivity 0: a point's own distances decide, nothing is forced to
        1), a start at their weighted mean of the neighbours' layout coordinates, then
        epochs of ``place_points`` at a quarter of ``learning_rate`` with the layout
        fixed (100 epochs up to 10,000 training samples, else 30; ``max_iter // 3``
        when ``max_iter`` is set)."""
        rho, sigma = _graph.smooth_knn_dist(dist, skip_first=False, local_connectivity=0)
        v = _graph.memberships(dist, rho, sigma)
        total = v.sum(axis=1, keepdims=True)
        weights = v / np.where(total > 0, total, 1.0)
        ref = self.layout_
        start = np.einsum("nk,nkc->nc", weights, ref[ind])
        if self.max_iter is None:
            n_epochs = 100 if ref.shape[0] <= 10_000 else 30
        else:
            n_epochs = max(1, int(self.max_iter) // 3)
        # the fitted graph's rule: memberships below 1 / epochs are never drawn
        prob = np.where(v >= 1.0 / n_epochs, v, 0.0)
        rng = np.random.default_rng(self._placement_seed)  # drawn at fit: a function of X
        return place_points(
            start, ind, prob, ref, self.a_, self.b_, n_epochs, self.negative_sample_rate,
            self.learning_rate / 4.0, rng,
        )


def _graph_scale(X):
    """A power of two bringing ``X``'s largest magnitude near 1 when it is beyond
    1e±100 (squared distances would overflow or flush to zero), else 1."""
    values = X.data if sp.issparse(X) else X
    top = float(np.abs(values).max()) if values.size else 0.0
    if top == 0.0 or 1e-100 <= top <= 1e100:
        return 1.0
    return float(2.0 ** -np.round(np.log2(top)))


def _scaled(X, scale):
    """``X`` times ``scale`` (exact: a power of two), as float64; ``X`` when 1."""
    if scale == 1.0:
        return X
    return X.multiply(scale).tocsr() if sp.issparse(X) else np.asarray(X, np.float64) * scale
