"""The shared sklearn-facing base of the network estimators, on skorch.

``_NetworkBase`` (training) and ``BaseNeuralNetwork`` (plus the dense layers) keep a
flat, GridSearchCV-friendly ``__init__`` and build a skorch ``NeuralNet`` (the
``net_`` attribute) at fit time, once the number of input features and outputs is
known.  skorch runs the training loop, the callbacks
(history, early stopping, learning-rate schedules, printing) and the device
handling; this module adds what sklearn's estimator checks need and skorch lacks:
``validate_data`` (float32, C order), label encoding, seeding from
``random_state`` without touching torch's global RNG, sample weights, a clear error
when training diverges, and predictions that do not depend on batch composition
(inference in float64).

Speed.  Plain skorch pays a large per-batch overhead on small networks: a
``DataLoader`` indexes the dataset one sample at a time and collates the samples
into a batch.  Here the data are converted to tensors once, and skorch iterates
over whole batches cut from them (``_BatchIterator``: contiguous views, or with
shuffling the rows of each batch gathered by a permutation of the indices drawn per
epoch), so skorch's loop sees ready-made batches.  Small
networks also run on one torch thread during fit/predict (thread hand-off costs
more than it saves on a 64 x 100 matmul, and much more on a loaded machine; the
calling thread's OpenMP pool is lowered, never raised, and only for the pass:
``utils._threads.openmp_threads``), and
the optimisers use torch's fused CPU kernels where torch has them.  A plain
perceptron (``MLPModule`` without dropout or batch norm, an unweighted
cross-entropy, logistic or squared loss) takes its gradients from the kernels
autograd would run, called directly, and a fused Adam its kernel without
``Optimizer.step``'s wrapper (``_direct``: bitwise the same training, 0.6x the time
per batch at 64 x 50 -> 100 -> 10), whenever no hook could tell the difference.

Two bases: ``_NetworkBase`` (the training parameters and everything above; the
recurrent estimators build on it) and ``BaseNeuralNetwork`` (plus the dense-layer
parameters ``hidden_layer_sizes``, ``activation``, ``dropout``, ``batch_norm``,
``init``: the MLPs, CNNs and autoencoders).  Subclasses override
``_build_module(n_features, n_outputs, **module_kwargs)`` and ``_prepare_X(X,
reset)``; classifiers and regressors take ``_prepare_y``, ``_criterion`` and the
output transform from the task mixins of ``_tasks.py``.  The skorch callbacks are in
``_callbacks.py``, the torch modules in ``_modules.py``.
"""

import contextlib
import copy
import math
import weakref
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import get_len
from skorch.history import History

from ..utils._atomic import AtomicFitMixin
from ..utils._sklearn_compat import (
    Interval,
    Options,
    StrOptions,
    _approximate_mode,
    _check_sample_weight,
)
from ..utils._threads import openmp_threads
from ..utils._warn import warn
from ._callbacks import _Convergence, _DivergenceCheck, _LRScheduler, _PrintLog, _StopTraining
from ._direct import MLPStep, fused_adam_step
from ._modules import ACTIVATIONS, INITS, MLPModule, init_weights

# prefixes of the skorch parameters a power user may route through the estimator
_ROUTED_PREFIXES = (
    "module",
    "optimizer",
    "criterion",
    "callbacks",
    "iterator_train",
    "iterator_valid",
)

# solver name -> torch.optim class ("sgd" takes ``momentum``/``nesterovs_momentum``,
# "adam"/"adamw" take ``beta_1``, ``beta_2``, ``epsilon``, as sklearn's MLP)
_SOLVERS = {
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
    "lbfgs": torch.optim.LBFGS,
    "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop,
    "adadelta": torch.optim.Adadelta,
    "adamw": torch.optim.AdamW,
}
# torch has fused (one kernel per step) CPU/CUDA implementations of these
_FUSABLE = {torch.optim.SGD, torch.optim.Adagrad, torch.optim.Adam, torch.optim.AdamW}

# ``learning_rate``: sklearn's rules (invscaling and adaptive act with solver="sgd"
# only, as sklearn), then skdl's torch.optim.lr_scheduler schedules (every solver but
# lbfgs)
_SKLEARN_RATES = ("constant", "invscaling", "adaptive")
_SCHEDULES = ("step", "exponential", "cosine", "plateau")

# the names of the callbacks skorch and skdl add themselves
_SKORCH_CALLBACKS = ("epoch_timer", "train_loss", "valid_loss", "print_log")
_OWN_CALLBACKS = (
    "divergence",
    "convergence",
    "lr_scheduler",
    "clip_grad_norm",
    "loss_terms",
    "centroids",
)

# skdl's names before the networks took sklearn's (refused with the new name)
_RENAMED = {
    "max_epochs": "'max_iter'",
    "patience": "'n_iter_no_change'",
    "weight_decay": "'alpha' (the L2 penalty added to the loss, as sklearn's)",
    "optimizer": "'solver' ('momentum'/'nesterov' are solver='sgd' with momentum and "
    "nesterovs_momentum)",
    "schedule": "'learning_rate' (its schedule; the float step size is "
    "'learning_rate_init')",
}

# loss evaluations of one L-BFGS iteration's line search, at most
_LBFGS_LINE_SEARCH_EVALS = 25

# multiply-adds per batch below which one torch thread is faster than several (the
# calling thread's OpenMP pool is lowered to one: ``utils._threads.openmp_threads``)
_SMALL_WORK = 2e7
# the CNNs' and recurrent networks' threshold.  Convolutions and recurrences are many
# small kernels per batch: on 2 cores, 2 threads were slower than one up to ~2e8
# (digits CNN, 64 x 8 x 8 batches: 0.43-2.9 s/epoch on 1 thread, 3.7-9.2 s on 2
# threads of a loaded machine), so the MLP's threshold is raised tenfold.
_ONE_THREAD_WORK = 10 * _SMALL_WORK
# rows per chunk at inference
_PREDICT_CHUNK = 4096
# fitted module -> (dtype, version counters, tensors, its inference copy); see
# _NetworkBase._eval_module
_EVAL_COPIES = weakref.WeakKeyDictionary()
# module -> its parameter count (see _n_params)
_N_PARAMS = weakref.WeakKeyDictionary()
# skorch net -> (module, criterion, its _direct.MLPStep or None); outside the net's
# __dict__, which is pickled
_DIRECT_STEPS = weakref.WeakKeyDictionary()


# --------------------------------------------------------------------------- #
# data: tensors converted once, batches sliced from them                      #
# --------------------------------------------------------------------------- #
TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


class _TensorDataset(torch.utils.data.Dataset):
    """Tensors ``X``, ``y`` and optional per-sample weights ``w`` already on a device
    (``X`` may be a scipy CSR matrix instead: each batch is densified on the fly).

    A subset (the training and validation parts of an early-stopping split) is the
    same tensors with an ``index`` of its rows: batches gather their rows from the
    full data, and no copy of a part is ever made.
    """

    def __init__(self, X, y, w=None, index=None):
        self.X = X
        self.y = y
        self.w = w
        self.index = index

    def __len__(self):
        return self.X.shape[0] if self.index is None else len(self.index)

    def __getitem__(self, i):
        if self.index is not None:
            i = int(self.index[i])
        yi = self.y[i] if self.w is None else (self.y[i], self.w[i])
        return self.X[i], yi

    def subset(self, idx):
        idx = torch.as_tensor(np.asarray(idx), dtype=torch.int64)
        index = idx if self.index is None else self.index[idx]
        return _TensorDataset(self.X, self.y, self.w, index)

    def all_rows(self):
        """``(X, y, w)`` of a dense dataset in order: the tensors themselves, or for a
        subset its rows gathered once and kept (``_BatchIterator`` asks for them only
        when the subset is one batch, read whole every epoch: a small validation part,
        or the training part of a one-batch fit)."""
        if self.index is None:
            return self.X, self.y, self.w
        if getattr(self, "_gathered", None) is None:
            self._gathered = self.rows(torch.arange(len(self)))
        return self._gathered

    def rows(self, idx):
        """``(X, y, w)`` of the dataset's rows ``idx`` (a CPU int64 tensor of positions
        in this dataset, or a slice of them), gathered (X densified when sparse)."""
        if self.index is not None:
            idx = self.index[idx]
        elif isinstance(idx, slice):
            idx = torch.arange(idx.start, idx.stop)
        X, y, w = self.X, self.y, self.w
        if sp.issparse(X):
            xb = torch.from_numpy(X[idx.numpy()].toarray()).to(y.device)
        else:
            xb = X.index_select(0, idx.to(X.device))
        # index_select: the same copy as X[idx], without advanced indexing's set-up
        idx = idx.to(y.device)
        return xb, y.index_select(0, idx), None if w is None else w.index_select(0, idx)


def _dense_chunks(X, size=None):
    """``X`` in consecutive row chunks of at most ``size`` rows (``_PREDICT_CHUNK``),
    as writeable numpy arrays: a scipy sparse ``X`` is densified one chunk at a time,
    never whole (the inference side of ``_BatchIterator``'s sparse batches)."""
    size = _PREDICT_CHUNK if size is None else size
    for start in range(0, X.shape[0], size):
        chunk = X[start : start + size]
        chunk = chunk.toarray() if sp.issparse(chunk) else chunk
        yield np.require(chunk, requirements=["W"])


class _BatchIterator:
    """skorch ``iterator_train``/``iterator_valid``: whole batches sliced from tensors.

    With ``shuffle`` a permutation of the row indices is drawn once per epoch (from
    torch's global RNG, which the estimator forks and seeds) and each batch gathers
    its rows: no permuted copy of the data is ever made.  Without it the batches are
    contiguous views.  A final
    batch of a single sample is merged into the previous one when training (batch
    norm cannot normalise one sample, and a one-sample step is mostly noise).  When
    the whole set is one batch the permutation is drawn (the RNG stream stays the
    same) but not applied: it would only change the order of the floating-point sums,
    so a full-batch ``fit`` equals as many ``partial_fit`` calls bit for bit.
    """

    def __init__(self, dataset, batch_size, shuffle=False):
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle

    def _bounds(self):
        n, b = len(self.dataset), self.batch_size
        starts = list(range(0, n, b))
        if self.shuffle and len(starts) > 1 and n - starts[-1] == 1:
            starts.pop()
        return starts + [n]

    def __len__(self):
        if hasattr(self.dataset, "iter_batches"):
            return max(1, math.ceil(len(self.dataset) / self.batch_size))
        return len(self._bounds()) - 1

    def __iter__(self):
        ds = self.dataset
        if hasattr(ds, "iter_batches"):  # a dataset that draws its own batches (UMAP's edges)
            yield from ds.iter_batches(self.batch_size, self.shuffle)
            return
        n = len(ds)
        bounds = self._bounds()
        perm = None
        if self.shuffle and n > 1:
            perm = torch.randperm(n)
            if len(bounds) <= 2:  # one batch: the same rows, whatever their order
                perm = None
        if perm is None and not sp.issparse(ds.X) and (ds.index is None or len(bounds) <= 2):
            # in order: contiguous views, one C call per tensor cuts them all (a subset
            # in one batch: its rows gathered once, see all_rows)
            X, y, w = ds.all_rows()
            sizes = [stop - start for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]
            Xs, ys = torch.split(X, sizes), torch.split(y, sizes)
            if w is None:
                yield from zip(Xs, ys, strict=True)
            else:
                for xb, yb, wb in zip(Xs, ys, torch.split(w, sizes), strict=True):
                    yield xb, (yb, wb)
            return
        # rows gathered per batch: never a permuted copy of the whole data, nor a copy of
        # a subset read in order (a validation part of several batches: gathered whole
        # it was an extra 10% of X for the whole fit)
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            xb, yb, wb = ds.rows(slice(start, stop) if perm is None else perm[start:stop])
            yield (xb, yb) if wb is None else (xb, (yb, wb))


def _stratified_split(labels, test_fraction, seed):
    """Sorted training and validation row indices of ``train_test_split(arange(n),
    test_size=test_fraction, random_state=seed, stratify=labels)``, equal to them, for
    1-D ``labels`` of non-negative integer (or boolean) class codes.

    scikit-learn's ``StratifiedShuffleSplit`` collects the rows of each part in a
    Python list of numpy scalars (12 MB more at the peak of an early-stopping fit on
    200,000 rows, on top of the float32 copy of ``X``); here each class's draws are
    marked in a boolean mask, from the same random stream: the counts per class
    (``_approximate_mode`` for the training part, then for the test part from what
    is left), then one permutation of each class's rows, in class order.  The final
    shuffles of the two parts only reorder them and are not drawn (the indices come
    back sorted).  The errors are scikit-learn's.
    """
    labels = np.asarray(labels)
    n = labels.shape[0]
    n_test = math.ceil(test_fraction * n)
    n_train = n - n_test
    if n_train == 0:
        raise ValueError(
            f"With n_samples={n}, test_size={test_fraction} and train_size=None, the "
            "resulting train set will be empty. Adjust any of the aforementioned "
            "parameters."
        )
    counts = np.bincount(labels.astype(np.int64, copy=False))
    codes = np.flatnonzero(counts)
    counts = counts[codes]
    if counts.min() < 2:
        few = codes[counts < 2].tolist()
        if labels.dtype == bool:  # sklearn's MLP: its column of booleans, as strings
            few = [str(bool(c)) for c in few]
        raise ValueError(
            "The least populated classes in y have only 1 member, which is too few. The "
            "minimum number of groups for any class cannot be less than 2. Classes with "
            f"too few members are: {few}"
        )
    for size, name in ((n_train, "train_size"), (n_test, "test_size")):
        if size < len(codes):
            raise ValueError(
                f"The {name} = {size} should be greater or equal to the number of "
                f"classes = {len(codes)}"
            )
    # each class's rows in increasing order, classes in increasing code order
    by_class = np.split(np.argsort(labels, kind="stable"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(seed)
    n_train_k = _approximate_mode(counts, n_train, rng)
    n_test_k = _approximate_mode(counts - n_train_k, n_test, rng)
    in_train = np.zeros(n, dtype=bool)
    in_test = np.zeros(n, dtype=bool)
    for rows, a, b in zip(by_class, n_train_k, n_test_k, strict=True):
        rows = rows[rng.permutation(len(rows))]
        in_train[rows[:a]] = True
        in_test[rows[a : a + b]] = True
    return np.flatnonzero(in_train), np.flatnonzero(in_test)


class _PredefinedSplit:
    """skorch ``train_split``: the training set as given, and a fixed validation set."""

    def __init__(self, valid):
        self.valid = valid

    def __call__(self, dataset, y=None, **fit_params):
        return dataset, self.valid


# --------------------------------------------------------------------------- #
# skorch pieces                                                                #
# --------------------------------------------------------------------------- #
class _SkdlNet(NeuralNet):
    """skorch ``NeuralNet`` whose loss accepts per-sample weights.

    The criterion is built with ``reduction='none'``; a batch's loss is the mean of
    the per-sample losses, weighted when the targets come with weights (weights are
    normalised to mean one over the training set, so each minibatch loss is an
    unbiased estimate of the weighted mean loss of note 002).

    The training loss adds the L2 penalty of sklearn's MLP,
    ``0.5 * alpha * sum(W ** 2) / n_batch`` over the weight matrices and kernels (the
    parameters of two or more dimensions: not the biases, nor batch norm's scales),
    ``n_batch`` being the batch's sample count (its sum of the user's sample weights
    when weighted: the normalised weights times ``skdl_weight_scale``, their mean).
    ``alpha`` is read from ``self.__dict__["skdl_alpha"]`` (0 when absent).

    ``self.__dict__["skdl_target"]``, when set, is a function ``(X_batch, y_batch) ->
    target`` giving the criterion's target from the batch (the autoencoders
    reconstruct their input: the target is the batch's densified ``X``, which a
    dataset of sparse ``X`` cannot hold as a tensor).
    """

    def _penalty(self, n_batch):
        alpha = self.__dict__.get("skdl_alpha", 0.0)
        if not alpha:
            return None
        cache = self.__dict__.get("_skdl_weights")
        if cache is None or cache[0] is not self.module_:
            weights = [p for p in self.module_.parameters() if p.ndim >= 2 and p.requires_grad]
            cache = (self.module_, weights)
            self.__dict__["_skdl_weights"] = cache
        weights = cache[1]
        if not weights:
            return None
        total = torch.stack([p.pow(2).sum() for p in weights]).sum()
        return (0.5 * alpha) * total / n_batch

    def fit_loop(self, X, y=None, **fit_params):
        # skorch's partial_fit swallows KeyboardInterrupt and returns; say so, as
        # sklearn's MLP does (the weights are those of the last finished batch), unless
        # it is skdl's own end of training (convergence, early stopping)
        try:
            return super().fit_loop(X, y, **fit_params)
        except _StopTraining:
            raise
        except KeyboardInterrupt:
            warn("Training interrupted by user.", UserWarning)
            raise

    def _set_training(self, training=True):
        # skorch calls this before every batch; ``Module.train`` walks the whole module
        # tree each time, so only switch when the mode actually changes
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def _listeners(self, method_name):
        """The callbacks that implement ``method_name`` (not Callback's no-op)."""
        cache = self.__dict__.get("_skdl_listeners")
        if cache is None or cache[0] is not self.callbacks_:
            cache = (self.callbacks_, {})
            self.__dict__["_skdl_listeners"] = cache
        found = cache[1].get(method_name)
        if found is None:
            base = getattr(Callback, method_name, None)
            found = [
                cb
                for _, cb in self.callbacks_
                if base is None or getattr(type(cb), method_name, None) is not base
            ]
            cache[1][method_name] = found
        return found

    def _fast_path(self):
        """Whether the per-batch loop may take the shortcuts of ``run_single_epoch``
        and ``train_step``: a plain skorch ``History``, skorch's own batch hooks, step
        and inference (a subclass such as an accelerate mixin gets skorch's loop)."""
        cls = type(self)
        return (
            type(self.history) is History
            and cls.on_batch_begin is NeuralNet.on_batch_begin
            and cls.on_batch_end is NeuralNet.on_batch_end
            and cls.train_step_single is NeuralNet.train_step_single
            and cls.infer is NeuralNet.infer
            and cls._zero_grad_optimizer is NeuralNet._zero_grad_optimizer
        )

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop, with the same history (one ``{prefix}_loss`` and
        # ``{prefix}_batch_size`` entry per batch, ``{prefix}_batch_count`` per epoch)
        # written straight into the epoch's list of batches, and the batch hooks
        # called only on the callbacks that implement them: skorch's
        # ``notify``/``new_batch``/``record_batch`` walk every callback and index the
        # history three times per batch
        if iterator is None:
            return
        if not self._fast_path():
            super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
            return
        begin = self._listeners("on_batch_begin")
        end = self._listeners("on_batch_end")
        batches = list.__getitem__(self.history, -1)["batches"]
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        count = 0
        for batch in iterator:
            entry = {}
            batches.append(entry)  # skorch: net.on_batch_begin -> history.new_batch()
            for cb in begin:
                cb.on_batch_begin(self, batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            entry[loss_key] = step["loss"].item()
            xb = batch[0]
            entry[size_key] = xb.shape[0] if isinstance(xb, torch.Tensor) else get_len(xb)
            for cb in end:
                cb.on_batch_end(self, batch=batch, training=training, **step)
            count += 1
        self.history.record(prefix + "_batch_count", count)

    def notify(self, method_name, **cb_kwargs):
        # as skorch's, but skip the callbacks whose hook is the base class's no-op
        # (skorch notifies every callback three times per batch)
        getattr(self, method_name)(self, **cb_kwargs)
        for cb in self._listeners(method_name):
            getattr(cb, method_name)(self, **cb_kwargs)

    def train_step(self, batch, **fit_params):
        # skorch's train_step wraps the step in an optimizer closure so that LBFGS-like
        # optimisers can re-evaluate the loss, and notifies ``on_grad_computed``; when
        # no callback listens and the optimiser needs no closure, step directly
        if self._listeners("on_grad_computed") or isinstance(self.optimizer_, torch.optim.LBFGS):
            return super().train_step(batch, **fit_params)
        if not self._fast_path():
            self._zero_grad_optimizer()
            step = self.train_step_single(batch, **fit_params)
            self._step_optimizer(None)
            return step
        # skorch's zero_grad + train_step_single + step, without its per-batch detours:
        # gradients set to None directly (``Optimizer.zero_grad()``'s default, which
        # runs behind a dynamo guard and a profiler record), the module called on the
        # batch tensor (``infer``'s ``to_tensor`` is a no-op on it)
        for optimizer in self._skdl_optimizers():
            if type(optimizer).zero_grad is torch.optim.Optimizer.zero_grad:
                for group in optimizer.param_groups:
                    for p in group["params"]:
                        p.grad = None
            else:
                optimizer.zero_grad()
        self._set_training(True)
        Xi, yi = batch
        direct = None if fit_params else self._direct_step(Xi, yi)
        if direct is not None:
            # loss and gradients by the kernels autograd would run (bitwise the same)
            loss, y_pred = direct(Xi, yi)
            loss = self._direct_penalty(loss, len(yi))
        else:
            if isinstance(Xi, torch.Tensor) and not fit_params:
                y_pred = self.module_(Xi)
            else:
                y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
            loss.backward()
        self._step_optimizer(None)
        return {"loss": loss, "y_pred": y_pred}

    def _direct_step(self, Xi, yi):
        """The autograd-free step of a plain perceptron (``_direct.MLPStep``) when it
        applies to this batch, else None."""
        if not isinstance(Xi, torch.Tensor) or not isinstance(yi, torch.Tensor):
            return None  # sparse X, or (y, sample weights)
        if self.__dict__.get("skdl_target") is not None:
            return None
        cls = type(self)
        if (
            cls.get_loss is not _SkdlNet.get_loss
            or cls._data_loss is not _SkdlNet._data_loss
            or cls._penalty is not _SkdlNet._penalty
        ):
            return None  # a custom _net_class's loss: autograd's path
        cache = _DIRECT_STEPS.get(self)
        module, criterion = self.module_, self.criterion_
        if cache is None or cache[0] is not module or cache[1] is not criterion:
            cache = (module, criterion, MLPStep.plan(module, criterion))
            _DIRECT_STEPS[self] = cache
        plan = cache[2]
        if plan is None or not plan.usable(Xi, yi):
            return None
        return plan

    def _direct_penalty(self, loss, n_batch):
        """Add the L2 penalty to a direct step's loss and its gradient to the weights'
        gradients, as autograd does for ``get_loss``'s ``loss + penalty``:
        ``d/dW [(0.5 alpha) * sum(W ** 2) / n] = (1 / n) * (0.5 alpha) * (2 W)``."""
        if not self.__dict__.get("skdl_alpha", 0.0):
            return loss
        with torch.no_grad():
            penalty = self._penalty(n_batch)
            if penalty is None:
                return loss
            alpha = self.__dict__["skdl_alpha"]
            scale = (torch.ones((), dtype=loss.dtype) / n_batch) * (0.5 * alpha)
            for w in self.__dict__["_skdl_weights"][1]:
                w.grad = w.grad + scale * (2 * w.pow(1))
            return loss + penalty

    def _step_optimizer(self, step_fn):
        # the fused Adam kernel called directly when nothing hooks into step()
        if step_fn is None and self._fast_path():
            optimizers = self._skdl_optimizers()
            if len(optimizers) == 1 and fused_adam_step(optimizers[0]):
                return
        super()._step_optimizer(step_fn)

    def _skdl_optimizers(self):
        return [getattr(self, name + "_") for name in self._optimizers]

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if isinstance(y_true, tuple | list):
            y_true, w = y_true
        else:
            w = None
        target = self.__dict__.get("skdl_target")
        if target is not None:  # e.g. the autoencoders': the batch's own X
            y_true = target(X, y_true)
        loss = self._data_loss(y_pred, y_true, w)
        if training:
            # sklearn divides by the batch's sum of (raw) sample weights
            scale = self.__dict__.get("skdl_weight_scale", 1.0)
            penalty = self._penalty(len(y_true) if w is None else w.sum() * scale)
            if penalty is not None:
                loss = loss + penalty
        return loss

    def _data_loss(self, y_pred, y_true, w):
        criterion = self.criterion_
        if w is None and getattr(criterion, "reduction", None) == "none":
            # unweighted: let the criterion average (one fused op instead of two)
            # (a plain attribute: set past ``Module.__setattr__``'s lookups, per batch)
            object.__setattr__(criterion, "reduction", "mean")
            try:
                return criterion(y_pred, y_true)
            finally:
                object.__setattr__(criterion, "reduction", "none")
        loss = criterion(y_pred, y_true)
        if loss.ndim > 1:
            loss = loss.flatten(1).mean(dim=1)
        if w is None:
            return loss.mean()
        return (loss * w).mean()


# --------------------------------------------------------------------------- #
# torch context: seeding and devices                                          #
# --------------------------------------------------------------------------- #
@contextmanager
def seeded(seed, device):
    """Fork torch's RNG (CPU, and the accelerator in use), seed it, restore it after."""
    dev = torch.device(device)
    if dev.type == "cuda":
        ctx = torch.random.fork_rng(devices=list(range(torch.cuda.device_count())))
    elif dev.type == "mps":
        ctx = torch.random.fork_rng(devices=[0], device_type="mps")
    else:
        ctx = torch.random.fork_rng(devices=[])
    with ctx:
        torch.random.default_generator.manual_seed(seed)
        if dev.type == "cuda":
            torch.cuda.manual_seed_all(seed)
        elif dev.type == "mps":
            torch.mps.manual_seed(seed)
        yield


def resolve_device(device):
    """'auto' -> the best available device; check the others exist."""
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"device must be 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'; got {device!r}."
        ) from exc
    if dev.type not in ("cpu", "cuda", "mps"):
        raise ValueError(
            f"device must be 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'; got {device!r}."
        )
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available; use "
                "device='cpu' or device='auto'."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r}: only {torch.cuda.device_count()} CUDA device(s) exist."
            )
    if dev.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(f"device={device!r} was requested but MPS is not available.")
    return str(dev)


def _plain_rows(X, n_features, estimator):
    """Whether ``X`` is a finite 2-D float numpy array of ``n_features`` columns for an
    estimator fitted without feature names (the inputs ``_prepare_X`` may just cast)."""
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype.kind == "f"
        and X.shape[1] == n_features
        and X.shape[0] > 0
        and not hasattr(estimator, "feature_names_in_")
        and bool(np.isfinite(X).all())
    )


def _float_dtype(X):
    """float32 when ``X`` holds float32 (an array, a sparse matrix, a frame of float32
    columns), else float64: the dtype sklearn's MLP would compute in."""
    dtypes = getattr(X, "dtypes", None)  # pandas
    if dtypes is not None and not isinstance(dtypes, np.dtype):
        ok = len(dtypes) > 0 and all(np.dtype(d) == np.float32 for d in dtypes)
        return np.dtype(np.float32) if ok else np.dtype(np.float64)
    dtype = getattr(X, "dtype", None)
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


def _n_params(module):
    """The module's parameter count, cached per module (it sizes the thread limit of
    every pass, a one-row ``predict`` included; ``_fit`` and ``_eval_module`` drop it
    with the module's inference copy)."""
    n = _N_PARAMS.get(module)
    if n is None:
        n = _N_PARAMS[module] = sum(p.numel() for p in module.parameters())
    return n


# --------------------------------------------------------------------------- #
# the estimator base                                                           #
# --------------------------------------------------------------------------- #
class _NetworkBase(AtomicFitMixin, BaseEstimator):
    """What every network estimator shares (not for direct use): the training
    parameters (sklearn MLP's, then ``callbacks``, ``dtype``, ``device``), skorch's
    training loop, seeding, sample weights, early stopping and inference.

    Extra keyword arguments with a skorch prefix (``module__*``, ``optimizer__*``,
    ``criterion__*``, ``callbacks__*``, ``iterator_train__*``, ``iterator_valid__*``)
    are routed to skorch (the ``module__*`` ones to ``_build_module``); they appear in
    ``get_params`` and survive ``clone``.  Anything else is refused at fit.

    A concrete estimator writes an ordinary ``__init__`` listing all its parameters
    (its architecture's, then the training ones passed on to this ``__init__``),
    composes ``_parameter_constraints`` as ``{**Base._parameter_constraints, ...}``,
    takes its task (``_prepare_y``, ``_criterion``, ``predict``...) from
    ``_tasks._ClassifierNetMixin`` or ``_tasks._RegressorNetMixin``, and overrides:

    - ``_build_module(n_features, n_outputs, **module_kwargs)`` -> ``nn.Module``
      returning raw outputs (logits for classifiers);
    - ``_init_module(module)``: weight initialisation (default: torch's own);
    - ``_batch_normalised``: whether the module batch-normalises (then ``fit`` needs
      two rows; default False);
    - ``_prepare_X(X, reset)`` -> validated array (``validate_data``; set the class
      attribute ``_skdl_accepts_nd = True`` when it takes 3-D/4-D input) and
      ``_n_features(X)`` -> the input size given to ``_build_module``;
    - ``_prepare_y(y, reset, classes)`` -> ``(targets array, n_outputs)`` and
      ``_criterion()`` -> a torch loss class (built with ``reduction='none'``);
    - ``_torch_work(net, rows)``: multiply-adds of a pass on ``rows`` rows, and
      ``_one_thread_work``: below it, the pass runs on one torch (OpenMP) thread.
    """

    def _partial_fit_snapshot(self):
        """partial_fit trains ``net_`` in place: keep copies of the weights (and
        buffers), the optimizer's and the criterion's state and the history's length,
        and put them back if it raises (a deep copy of the skorch net cost 5-13 ms per
        call, 25-40 % of an epoch on 2,000 rows)."""
        net = self.__dict__.get("net_")
        if net is None:
            return None
        module = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        optimizer = copy.deepcopy(net.optimizer_.state_dict())
        # the optimizer object and its settings (a warm-started fit replaces both:
        # see _refresh_optimizer)
        optimizer_obj = net.optimizer_
        settings = {k: v for k, v in vars(net).items()
                    if k in ("optimizer", "lr") or k.startswith("optimizer__")}
        criterion = net.criterion_
        crit = (
            {k: v.detach().clone() for k, v in criterion.state_dict().items()}
            if isinstance(criterion, torch.nn.Module) else None
        )
        n_epochs = len(net.history)
        # the convergence callback's counters (samples seen, best loss, ...)
        conv = dict(net.callbacks_).get("convergence")
        conv_state = None if conv is None else copy.deepcopy(vars(conv))

        def restore():
            with torch.no_grad():
                net.module_.load_state_dict(module)
                if crit is not None:
                    criterion.load_state_dict(crit)
            for key in [k for k in vars(net) if k.startswith("optimizer__")]:
                delattr(net, key)
            for key, value in settings.items():
                setattr(net, key, value)
            net.optimizer_ = optimizer_obj
            net.optimizer_.load_state_dict(optimizer)
            del net.history[n_epochs:]
            if conv is not None:
                vars(conv).clear()
                vars(conv).update(conv_state)

        return restore

    _parameter_constraints = {
        "solver": [StrOptions(set(_SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions(set(_SKLEARN_RATES) | set(_SCHEDULES))],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [list, tuple, None],
        "dtype": [Options(type, {np.float32, np.float64})],
        "device": [str],
    }

    def __init__(
        self,
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callbacks=None,
        dtype=np.float32,
        device="cpu",
        **kwargs,
    ):
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.callbacks = callbacks
        self.dtype = dtype
        self.device = device
        # routed skorch parameters (module__*, optimizer__*, ...): see _routed_params
        vars(self).update(kwargs)

    # ----------------------------------------------------------- params ---- #
    @staticmethod
    def _is_routed(key):
        return "__" in key and key.split("__", 1)[0] in _ROUTED_PREFIXES

    def _extra_params(self):
        """Keyword arguments given beyond the signature (the routed skorch ones)."""
        names = set(self._get_param_names())
        return {
            k: v
            for k, v in vars(self).items()
            if k not in names and not k.startswith("_") and not k.endswith("_")
        }

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        params.update(self._extra_params())
        return params

    def set_params(self, **params):
        extra = self._extra_params()
        routed = {k: params.pop(k) for k in list(params) if self._is_routed(k) or k in extra}
        super().set_params(**params)
        for key, value in routed.items():
            setattr(self, key, value)
        return self

    def _routed_params(self):
        """The routed skorch parameters, split into module kwargs and the rest."""
        module_kwargs, other = {}, {}
        for key, value in self._extra_params().items():
            if key in _RENAMED:
                raise ValueError(
                    f"Unexpected parameter {key!r}: it was renamed {_RENAMED[key]} "
                    "(scikit-learn's MLP names)."
                )
            if not self._is_routed(key):
                raise ValueError(
                    f"Unexpected parameter {key!r}: extra parameters must start with one "
                    f"of {[p + '__' for p in _ROUTED_PREFIXES]}."
                )
            if key.startswith("module__"):
                module_kwargs[key[len("module__") :]] = value
            else:
                other[key] = value
        return module_kwargs, other

    # --------------------------------------------------------- overridable -- #
    def _build_module(self, n_features, n_outputs, **module_kwargs):
        """Return the (uninitialised) ``nn.Module``; ``module__*`` kwargs override."""
        raise NotImplementedError

    def _init_module(self, module):
        """Initialise the module's weights in place (default: torch's initialisation)."""

    @property
    def _batch_normalised(self):
        """Whether the module has batch-norm layers (then fitting needs two rows)."""
        return False

    # whether ``X`` may be a scipy sparse matrix (kept sparse, densified per batch)
    _accepts_sparse = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._accepts_sparse
        return tags

    def _prepare_X(self, X, reset):
        """Validate ``X`` into a C-ordered ``dtype`` array, or a CSR matrix where sparse
        input is accepted (sets ``n_features_in_``)."""
        if not reset and _plain_rows(X, getattr(self, "n_features_in_", None), self):
            # a numpy array of floats, finite, with the fitted width and no fitted
            # feature names: validate_data's result is this cast (and its checks
            # cost as much as a one-row forward); anything else takes its path
            return np.asarray(X, dtype=self.dtype, order="C")
        sparse = ["csr"] if self._accepts_sparse else False
        return validate_data(
            self, X, reset=reset, dtype=self.dtype, order="C", accept_sparse=sparse
        )

    def _n_features(self, X):
        """The input size the module is built for."""
        return X.shape[1]

    # multiply-adds of a pass below which it runs on one torch thread
    _one_thread_work = _SMALL_WORK

    def _torch_work(self, net, rows):
        """Multiply-adds of a forward/backward pass on ``rows`` rows (about ``rows`` x
        parameters), compared with ``_one_thread_work``."""
        return rows * _n_params(net.module_)

    def _torch_threads(self, net, rows):
        """Context: one torch (OpenMP) thread for a small pass, in the calling thread only
        (on CPU: elsewhere the thread count does not matter)."""
        if torch.device(net.device).type != "cpu":
            return contextlib.nullcontext()
        return openmp_threads(self._torch_work(net, rows), small=self._one_thread_work)

    # subclasses: _prepare_y(y, reset, classes) -> (y array, n_outputs), _criterion()

    def _make_optimizer(self):
        """The torch.optim class and its ``optimizer__*`` keywords for ``solver``."""
        solver = self.solver
        if solver == "lbfgs":
            # one L-BFGS iteration per skorch epoch (the optimizer keeps its curvature
            # pairs between steps), with a strong-Wolfe line search as scipy's L-BFGS-B
            kwargs = {
                "max_iter": 1,
                "max_eval": _LBFGS_LINE_SEARCH_EVALS,
                "tolerance_grad": self.tol,
                "tolerance_change": 0.0,
                "history_size": 10,
                "line_search_fn": "strong_wolfe",
            }
        else:
            # the L2 penalty is ``alpha`` in the loss; decoupled decay for "adamw" goes
            # through optimizer__weight_decay
            kwargs = {"weight_decay": 0.0}
            if solver == "sgd":
                kwargs["momentum"] = self.momentum
                kwargs["nesterov"] = bool(self.nesterovs_momentum and self.momentum > 0)
            elif solver in ("adam", "adamw"):
                kwargs["betas"] = (self.beta_1, self.beta_2)
                kwargs["eps"] = self.epsilon
        return _SOLVERS[solver], {f"optimizer__{k}": v for k, v in kwargs.items()}

    def _make_callbacks(self):
        """skdl's own callbacks, before the user's (``callbacks``) and the final
        ``convergence`` callback (sklearn's stopping rules)."""
        callbacks = [("divergence", _DivergenceCheck(self.learning_rate_init))]
        schedule = self.learning_rate
        if schedule in _SCHEDULES and self.solver != "lbfgs":
            if schedule == "step":
                sched = _LRScheduler("StepLR", step_size=max(1, self.max_iter // 3), gamma=0.1)
            elif schedule == "exponential":
                sched = _LRScheduler("ExponentialLR", gamma=0.01 ** (1.0 / self.max_iter))
            elif schedule == "cosine":
                sched = _LRScheduler("CosineAnnealingLR", T_max=self.max_iter)
            else:  # plateau
                patience = self.n_iter_no_change
                patience = 5 if not math.isfinite(patience) else max(1, int(patience) // 2)
                sched = _LRScheduler(
                    "ReduceLROnPlateau", monitor="train_loss", factor=0.1, patience=patience
                )
            callbacks.append(("lr_scheduler", sched))
        return callbacks

    def _convergence_config(self, fresh_optimizer=False):
        lbfgs = self.solver == "lbfgs"
        return {
            "lbfgs": lbfgs,
            "tol": float(self.tol),
            "n_iter_no_change": self.n_iter_no_change,
            "early_stopping": bool(self.early_stopping) and not lbfgs,
            "score": self._validation_score_kind,
            "schedule": self.learning_rate if self.solver == "sgd" else "constant",
            "learning_rate_init": float(self.learning_rate_init),
            "power_t": float(self.power_t),
            "max_fun": int(self.max_fun),
            "verbose": bool(self.verbose),
            "fresh_optimizer": fresh_optimizer,
        }

    # the validation score of early stopping: "accuracy", "r2", or None (minus the
    # validation loss)
    _validation_score_kind = None

    def _user_callbacks(self):
        """``callbacks`` as (name, callback) pairs, checked."""
        if self.callbacks is None:
            return []
        out = []
        for item in self.callbacks:
            if isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], str):
                name, cb = item
            else:
                name, cb = None, item
            is_cb = isinstance(cb, Callback) or (
                isinstance(cb, type) and issubclass(cb, Callback)
            )
            if not is_cb:
                raise TypeError(
                    "callbacks must be a list of skorch callbacks (instances or classes) "
                    f"or (name, callback) pairs; got {item!r}."
                )
            if name is None:
                name = (cb if isinstance(cb, type) else type(cb)).__name__
            if name in _OWN_CALLBACKS or name in _SKORCH_CALLBACKS:
                raise ValueError(
                    f"callbacks: the name {name!r} is taken by one of skdl's or skorch's "
                    f"own callbacks ({list(_SKORCH_CALLBACKS + _OWN_CALLBACKS)}); give "
                    f"yours another name, or replace that one with "
                    f"callbacks__{name}=<callback or None>."
                )
            out.append((name, cb))
        return out

    def _check_routed_callbacks(self, net, routed):
        """``callbacks__<name>[__<param>]`` must name a callback of the net (skorch
        ignores the others)."""
        names = {name for name, _ in net._uniquely_named_callbacks()}
        for key in routed:
            if not key.startswith("callbacks__"):
                continue
            name = key.split("__")[1]
            if name not in names:
                raise ValueError(
                    f"{key}: there is no callback named {name!r} (this net has "
                    f"{sorted(names)}). Add a new callback with callbacks=[({name!r}, cb)]; "
                    "callbacks__<name>=... replaces a callback, callbacks__<name>__<param>=... "
                    "sets one of its parameters."
                )

    def _optimizer_params(self, device, routed):
        """The net's ``optimizer`` class, its ``lr`` and ``optimizer__*`` keywords for
        the current parameters (fused where torch has the kernel)."""
        opt_cls, opt_kwargs = self._make_optimizer()
        if (
            opt_cls in _FUSABLE
            and torch.device(device).type in ("cpu", "cuda")
            and not any(k in routed for k in ("optimizer__fused", "optimizer__foreach"))
        ):
            opt_kwargs["optimizer__fused"] = True
        lr = 1.0 if self.solver == "lbfgs" else self.learning_rate_init
        return opt_cls, lr, opt_kwargs

    def _refresh_optimizer(self, net, device, routed):
        """Point a fitted net at the optimizer of the current parameters (``solver``,
        ``learning_rate_init``, ``momentum``, ``beta_1`` ...) before a warm-started fit
        builds a new one, as sklearn's MLP does; the routed ``optimizer__*`` keywords
        stay."""
        opt_cls, lr, opt_kwargs = self._optimizer_params(device, routed)
        for key in [k for k in vars(net) if k.startswith("optimizer__") and k not in routed]:
            delattr(net, key)
        net.optimizer, net.lr = opt_cls, lr
        for key, value in {**opt_kwargs, **routed}.items():
            if key.startswith("optimizer__"):
                setattr(net, key, value)

    def _make_net(self, module, device, routed):
        opt_cls, lr, opt_kwargs = self._optimizer_params(device, routed)
        kwargs = {
            # verbose=0: no PrintLog (it formats a table every epoch even when silent)
            "callbacks__print_log": _PrintLog() if self.verbose else None,
            "criterion__reduction": "none",
            "iterator_train__shuffle": bool(self.shuffle) and self.solver != "lbfgs",
            **opt_kwargs,
            **routed,
        }
        callbacks = (
            self._make_callbacks()
            + self._user_callbacks()
            + [("convergence", _Convergence(**self._convergence_config()))]
        )
        params = dict(
            module=module,
            criterion=self._criterion(),
            optimizer=opt_cls,
            lr=lr,
            max_epochs=self.max_iter,
            batch_size=128,  # set per fit from batch_size and the training rows
            iterator_train=_BatchIterator,
            iterator_valid=_BatchIterator,
            train_split=None,
            callbacks=callbacks,
            predict_nonlinearity=None,
            verbose=int(self.verbose),
            device=device,
            **kwargs,
        )
        params.update(self._net_kwargs())
        net = self._net_class(**params)
        self._check_routed_callbacks(net, routed)
        return net

    # the skorch net class and extra constructor arguments: a subclass may swap in,
    # e.g., ``type("AccNet", (skorch.hf.AccelerateMixin, _SkdlNet), {})`` and
    # ``{"accelerator": Accelerator(), "device": None}`` for multi-GPU training
    _net_class = _SkdlNet

    def _net_kwargs(self):
        """Extra keyword arguments of the skorch net (override in subclasses)."""
        return {}

    # ------------------------------------------------------------- fitting -- #
    def _seed(self, incremental):
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        net = self.__dict__.get("net_")
        if net is not None and (incremental or self.warm_start):
            seed = (seed + len(net.history)) % np.iinfo(np.int32).max
        return seed

    def _split(self, X, y, w, seed):
        """Indices of the training and validation sets for early stopping, as sklearn's
        MLP: ``validation_fraction`` of the rows, stratified for classifiers (sklearn's
        error when a class has one member), at least 2 validation rows."""
        n = X.shape[0]
        labels = self._class_codes(y)
        if labels is not None:
            # sklearn stratifies binary targets on the binarised labels, a column of
            # booleans: the same groups in the same order as 1-D booleans, so the same
            # split (SemiSupervisedVAE's codes have one more group, the unlabelled rows:
            # not binary)
            if len(self.classes_) == 2 and labels.max(initial=0) <= 1:
                labels = labels.astype(bool)  # sklearn's error names 'True'/'False'
            else:  # stratified when every class can be (sklearn does not stratify
                # multiclass targets at all)
                counts = np.bincount(labels)
                if counts[counts > 0].min() < 2:
                    labels = None
        if labels is None:
            train, valid = train_test_split(
                np.arange(n), test_size=self.validation_fraction, random_state=seed
            )
            train, valid = np.sort(train), np.sort(valid)
        else:  # sklearn's stratified split, without its lists of numpy scalars
            train, valid = _stratified_split(labels, self.validation_fraction, seed)
        if len(valid) < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the "
                "size of your dataset."
            )
        return train, valid

    def _class_codes(self, y):
        """Class index of each prepared target (to stratify the split), or None."""
        return None

    def _batch_target(self):
        """``(X_batch, y_batch) -> target`` of the loss, or None: the prepared ``y``."""
        return None

    def _check_y_present(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )

    def _batch_size(self, n_train):
        """sklearn's rule: "auto" is min(200, n); a larger int is clipped, with a warning
        (lbfgs: the whole training set)."""
        if self.solver == "lbfgs":
            return max(1, n_train)
        if self.batch_size == "auto":
            return max(1, min(200, n_train))
        if self.batch_size > n_train:
            warn(
                f"Got `batch_size` less than 1 or larger than sample size. It is going to "
                f"be clipped (batch_size={self.batch_size}, {n_train} training samples)."
            )
        return int(np.clip(self.batch_size, 1, max(1, n_train)))

    def _output_dtype(self, X):
        """The dtype of results computed from ``X`` (``coefs_``, regression
        predictions): ``X``'s float dtype, as sklearn's MLP, or the training ``dtype``
        when that is wider (float32 weights are exact in float64; float64 weights are
        never rounded to float32)."""
        return np.result_type(_float_dtype(X), self.dtype)

    def _validate_params(self):
        # (called by sklearn's ``_fit_context`` on fit/partial_fit) a float
        # learning_rate is skdl's old spelling of learning_rate_init: say so, rather
        # than sklearn's generic message
        if isinstance(self.learning_rate, Real) and not isinstance(self.learning_rate, bool):
            raise ValueError(
                f"learning_rate={self.learning_rate!r}: learning_rate is the schedule "
                f"({list(_SKLEARN_RATES + _SCHEDULES)}), as sklearn's; the step size is "
                "learning_rate_init."
            )
        super()._validate_params()

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        """Train on ``(X, y)``: the fit methods' body, after ``_fit_context``'s
        validation of the parameters."""
        # training changes the weights in place, and torch's optimizers do not bump
        # their version counters: the inference copy is dropped explicitly
        net = self.__dict__.get("net_")
        if net is not None:
            _EVAL_COPIES.pop(net.module_, None)
            _N_PARAMS.pop(net.module_, None)
        self._check_y_present(y)
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        module_kwargs, routed = self._routed_params()
        device = resolve_device(self.device)
        fitted = hasattr(self, "net_")
        first = not fitted or (not incremental and not self.warm_start)
        warm = fitted and not first and not incremental
        if warm:
            self._check_warm_start_y(y)
        out_dtype = self._output_dtype(X)
        X = self._prepare_X(X, reset=first)
        y, n_outputs = self._prepare_y(y, reset=first, classes=classes)
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}]"
            )
        if self._batch_normalised and X.shape[0] < 2:
            raise ValueError(
                f"batch_norm=True needs at least 2 samples to fit; got {X.shape[0]} sample."
            )
        w, weight_scale = None, 1.0
        if sample_weight is not None:
            w = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            weight_scale = float(w.sum() / len(w))
            w = w * (len(w) / w.sum())
            w = w.astype(self.dtype)

        seed = self._seed(incremental)
        restore = self._partial_fit_snapshot() if warm else None
        try:
            with seeded(seed, device):
                if first:
                    module = self._build_module(self._n_features(X), n_outputs, **module_kwargs)
                    self._init_module(module)
                    dtype = TORCH_DTYPES[np.dtype(self.dtype)]
                    module.to(dtype)
                    net = self._make_net(module, device, routed)
                    net.initialize()
                    if isinstance(net.criterion_, torch.nn.Module):  # buffers, e.g. centroids
                        net.criterion_.to(dtype)
                else:
                    net = self.net_
                    if warm:  # sklearn: each fit starts a new optimizer, of the
                        # current parameters
                        self._refresh_optimizer(net, device, routed)
                        net.initialize_optimizer()
                net.__dict__["skdl_alpha"] = float(self.alpha)
                net.__dict__["skdl_weight_scale"] = weight_scale
                net.__dict__["skdl_target"] = self._batch_target()
                conv = dict(net.callbacks_).get("convergence")
                if conv is not None:
                    conv.config = self._convergence_config(fresh_optimizer=not incremental)
                self._fit_net(net, X, y, w, device, seed, incremental)
        except BaseException:
            if restore is not None:
                restore()
            raise

        self.net_ = net
        self.n_outputs_ = n_outputs
        self._set_fitted_attributes(net, conv, incremental, out_dtype)
        return self

    def _set_fitted_attributes(self, net, conv, incremental, out_dtype=np.float64):
        """sklearn MLP's fitted attributes, from the history and the convergence state."""
        self.history_ = net.history
        self.loss_curve_ = [float(v) for v in net.history[:, "train_loss"]]
        self.loss_ = self.loss_curve_[-1]
        epochs = conv.epochs_ if conv is not None else len(net.history)
        self.n_iter_ = int(epochs)
        self.t_ = int(conv.t_) if conv is not None else 0
        validating = conv is not None and conv.validating_
        if validating:
            self.best_loss_ = None
            self.validation_scores_ = list(conv.validation_scores_)
            self.best_validation_score_ = float(conv.best_validation_score_)
        else:
            best = conv.best_loss_ if conv is not None else min(self.loss_curve_)
            self.best_loss_ = float(best)
            self.validation_scores_ = None
            self.best_validation_score_ = None
        # sklearn's private counter, mirrored (its tests read it)
        self._no_improvement_count = 0 if conv is None else conv.no_improvement_count_
        self.out_activation_ = self._out_activation()
        self._set_weights_attributes(net.module_, out_dtype)
        reason = None if conv is None else conv.stop_reason_
        if reason == "diverged":
            warn(
                f"Training diverged: the training loss became {self.loss_} at epoch "
                f"{len(self.loss_curve_)}; training stopped there and the weights of the "
                f"best validation epoch (score {self.best_validation_score_:.6g}) are "
                f"kept. The learning rate is probably too large: lower learning_rate_init "
                f"(currently {self.learning_rate_init!r}), or standardise the "
                "inputs/targets.",
                ConvergenceWarning,
            )
            return
        if incremental or reason == "converged":
            return
        if reason == "max_fun":
            warn(
                f"lbfgs failed to converge after {self.n_iter_} iteration(s): the number "
                f"of loss evaluations reached max_fun={self.max_fun}. Increase max_fun, "
                "or scale the data.",
                ConvergenceWarning,
            )
        elif self.n_iter_ >= self.max_iter:
            optimizer = "lbfgs" if self.solver == "lbfgs" else "Stochastic Optimizer"
            warn(
                f"{optimizer}: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
            )

    def _check_warm_start_y(self, y):
        """Check the targets of a warm-started fit (classifiers: the same classes)."""

    def _out_activation(self):
        """sklearn's name of the output layer's activation (overridden per task)."""
        return "identity"

    def _set_weights_attributes(self, module, dtype=None):
        """``coefs_``, ``intercepts_`` (numpy copies in ``dtype``, sklearn's shapes) and
        ``n_layers_`` when the module is a plain multilayer perceptron."""
        if not isinstance(module, MLPModule):
            return
        linears = [m for m in module.modules() if isinstance(m, torch.nn.Linear)]
        dtype = self.dtype if dtype is None else dtype
        with torch.no_grad():
            self.coefs_ = [
                m.weight.detach().cpu().numpy().T.astype(dtype, order="C") for m in linears
            ]
            self.intercepts_ = [m.bias.detach().cpu().numpy().astype(dtype) for m in linears]
        self.n_layers_ = len(linears) + 1

    def _fit_net(self, net, X, y, w, device, seed, incremental):
        """Run skorch's training loop on tensors made once (and a validation split)."""
        dataset = self._make_dataset(X, y, w, device)
        valid = None
        epochs = 1 if incremental else self.max_iter
        if self.early_stopping and not incremental and self.solver != "lbfgs":
            train_idx, valid_idx = self._split(X, y, w, seed)
            valid = dataset.subset(valid_idx)
            dataset = dataset.subset(train_idx)
        batch_size = self._batch_size(len(dataset))
        net.batch_size = batch_size
        net.train_split = None if valid is None else _PredefinedSplit(valid)
        try:
            with self._torch_threads(net, batch_size):
                net.partial_fit(dataset, None, epochs=epochs)
        finally:
            net.train_split = None

    def _make_dataset(self, X, y, w, device):
        y = np.require(y, requirements=["W"])
        if sp.issparse(X):  # kept sparse; each batch is densified (never the whole X)
            Xt = X.tocsr()
        else:
            Xt = torch.from_numpy(np.require(X, requirements=["C", "W"])).to(device)
        yt = torch.from_numpy(y).to(device)
        wt = None if w is None else torch.from_numpy(np.require(w, requirements=["W"]))
        if wt is not None:
            wt = wt.to(device)
        return _TensorDataset(Xt, yt, wt)

    # ----------------------------------------------------------- inference -- #
    def _forward(self, X):
        """Raw module outputs for validated ``X``, in float64 (batch-invariant)."""
        check_is_fitted(self, "net_")
        return self._infer(X, width=self.n_outputs_)

    def _eval_module(self, module, dtype):
        """The inference copy of ``module``: in ``dtype``, in eval mode, made once and
        reused while the weights are unchanged.

        Every ``fit``/``partial_fit`` drops the copy (``_fit``); it is also keyed on
        the version counters of the module's parameters and buffers, which torch bumps
        on an in-place edit outside the optimizers (``load_state_dict``, ``mul_``, the
        restore after a failed ``partial_fit``), so an edit of ``net_.module_`` after
        fitting is seen too.  The copies live in a weak mapping keyed by the module,
        not in the estimator: predicting leaves ``__dict__`` unchanged (sklearn's
        ``check_dict_unchanged``) and nothing extra is pickled.
        """
        cached = _EVAL_COPIES.get(module)
        if cached is not None and cached[0] == dtype:
            _, versions, tensors, copy_ = cached
            if all(t._version == v for t, v in zip(tensors, versions, strict=True)):
                return copy_
        tensors = [*module.parameters(), *module.buffers()]
        _N_PARAMS.pop(module, None)
        copy_ = copy.deepcopy(module).to(dtype).eval()
        _EVAL_COPIES[module] = (dtype, [t._version for t in tensors], tensors, copy_)
        return copy_

    def _infer(self, A, fn=None, width=None):
        """The one inference path: ``fn(module, tensor)`` (default: the module's forward)
        over ``A`` in chunks, on the fitted net's device, as a float64 numpy array.

        The module runs on a float64 copy in eval mode (float32 on MPS), which keeps
        the outputs batch-invariant on CPU; a sparse ``A`` is densified one chunk at a
        time.  With no rows, the result is empty with ``width`` columns (or 1-D).
        """
        net = self.net_
        dev = torch.device(net.device)
        dtype = torch.float32 if dev.type == "mps" else torch.float64
        module = self._eval_module(net.module_, dtype)
        if 0 < A.shape[0] <= _PREDICT_CHUNK and not sp.issparse(A):
            # one chunk (a one-row predict): no chunk generator, no concatenation
            with torch.inference_mode(), self._torch_threads(net, A.shape[0]):
                xb = torch.from_numpy(np.require(A, requirements=["W"]))
                xb = xb.to(device=dev, dtype=dtype)
                out = module(xb) if fn is None else fn(module, xb)
                return out.to("cpu", torch.float64).numpy()
        outs = []
        with (
            torch.inference_mode(),
            self._torch_threads(net, min(A.shape[0], _PREDICT_CHUNK)),
        ):
            for chunk in _dense_chunks(A):
                xb = torch.from_numpy(chunk).to(device=dev, dtype=dtype)
                outs.append(module(xb) if fn is None else fn(module, xb))
        if not outs:
            return np.zeros((0,) if width is None else (0, width))
        return torch.cat(outs).to("cpu", torch.float64).numpy()


class BaseNeuralNetwork(_NetworkBase):
    """Base of the networks built on a stack of dense layers (the MLPs, the CNNs'
    head, the autoencoders): the parameters ``hidden_layer_sizes``, ``activation``,
    ``dropout``, ``batch_norm`` and ``init`` over the training ones of
    ``_NetworkBase`` (not for direct use).

    Its ``_build_module`` is the multilayer perceptron ``MLPModule``; its weights
    follow the ``init`` scheme.
    """

    _parameter_constraints = {
        **_NetworkBase._parameter_constraints,
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "init": [StrOptions(set(INITS))],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        dropout=0.0,
        batch_norm=False,
        init="kaiming",
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        super().__init__(**kwargs)  # the training parameters and routed ones

    def _hidden(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral):
            sizes = (sizes,)
        sizes = tuple(sizes)
        for s in sizes:
            if not isinstance(s, Integral) or isinstance(s, bool) or s < 1:
                raise ValueError(
                    "hidden_layer_sizes must be a positive int or a sequence of positive "
                    f"ints; got {self.hidden_layer_sizes!r}."
                )
        return tuple(int(s) for s in sizes)

    def _dense_kwargs(self, **module_kwargs):
        """The dense layers' module keywords from the parameters; ``module__*`` override."""
        kwargs = {
            "hidden_layer_sizes": self._hidden(),
            "activation": self.activation,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
        }
        kwargs.update(module_kwargs)
        return kwargs

    def _build_module(self, n_features, n_outputs, **module_kwargs):
        """Return the (uninitialised) ``nn.Module``; ``module__*`` kwargs override."""
        return MLPModule(n_features, n_outputs, **self._dense_kwargs(**module_kwargs))

    def _init_module(self, module):
        """Initialise the module's weights in place (the ``init`` scheme, note 002)."""
        init_weights(module, self.init)

    @property
    def _batch_normalised(self):
        return bool(self.batch_norm)
