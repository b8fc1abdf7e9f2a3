"""The shared sklearn-facing base of the network estimators, on skorch.

``BaseNeuralNetwork`` keeps a flat, GridSearchCV-friendly ``__init__`` and builds a
skorch ``NeuralNet`` (the ``net_`` attribute) at fit time, once the number of input
features and outputs is known.  skorch runs the training loop, the callbacks
(history, early stopping, learning-rate schedules, printing) and the device
handling; this module adds what sklearn's estimator checks need and skorch lacks:
``validate_data`` (float32, C order), label encoding, seeding from
``random_state`` without touching torch's global RNG, sample weights, a clear error
when training diverges, and predictions that do not depend on batch composition
(inference in float64).

Speed.  Plain skorch pays a large per-batch overhead on small networks: a
``DataLoader`` indexes the dataset one sample at a time and collates the samples
into a batch.  Here the data are converted to tensors once, and skorch iterates
over whole batches sliced from them (``_BatchIterator``: one permutation per
epoch, then contiguous views), so skorch's loop sees ready-made batches.  Small
networks also run on one torch thread during fit/predict (thread hand-off costs
more than it saves on a 64 x 100 matmul, and much more on a loaded machine), and
the optimisers use torch's fused CPU kernels where torch has them.

Subclasses (CNN, recurrent, autoencoders) override ``_build_module(n_features,
n_outputs, **module_kwargs)`` and ``_prepare_X(X, reset)``; classifiers and
regressors differ by ``_prepare_y``, ``_criterion`` and the output transform.
"""

import copy
import math
import sys
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, LRScheduler, PrintLog
from skorch.utils import Ansi

from ..exceptions import DivergenceError
from ..utils._atomic import AtomicFitMixin
from ..utils._warn import warn
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

# optimiser name -> (torch.optim class, whether ``momentum`` applies, extra kwargs)
_OPTIMIZERS = {
    "sgd": (torch.optim.SGD, False, {}),
    "momentum": (torch.optim.SGD, True, {}),
    "nesterov": (torch.optim.SGD, True, {"nesterov": True}),
    "adagrad": (torch.optim.Adagrad, False, {}),
    "rmsprop": (torch.optim.RMSprop, False, {}),
    "adadelta": (torch.optim.Adadelta, False, {}),
    "adam": (torch.optim.Adam, False, {}),
    "adamw": (torch.optim.AdamW, False, {}),
}
# torch has fused (one kernel per step) CPU/CUDA implementations of these
_FUSABLE = {torch.optim.SGD, torch.optim.Adagrad, torch.optim.Adam, torch.optim.AdamW}

_SCHEDULES = ("step", "exponential", "cosine", "plateau")

# multiply-adds per batch below which one torch thread is faster than several
_SMALL_WORK = 2e7
# rows per chunk at inference
_PREDICT_CHUNK = 4096


# --------------------------------------------------------------------------- #
# data: tensors converted once, batches sliced from them                      #
# --------------------------------------------------------------------------- #
_TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


class _TensorDataset(torch.utils.data.Dataset):
    """Tensors ``X``, ``y`` and optional per-sample weights ``w`` already on a device."""

    def __init__(self, X, y, w=None):
        self.X = X
        self.y = y
        self.w = w

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        yi = self.y[i] if self.w is None else (self.y[i], self.w[i])
        return self.X[i], yi

    def subset(self, idx):
        idx = torch.as_tensor(idx, device=self.X.device)
        w = None if self.w is None else self.w[idx]
        return _TensorDataset(self.X[idx], self.y[idx], w)


class _BatchIterator:
    """skorch ``iterator_train``/``iterator_valid``: whole batches sliced from tensors.

    With ``shuffle`` the data are permuted once per epoch (from torch's global RNG,
    which the estimator forks and seeds), then cut into contiguous views.  A final
    batch of a single sample is merged into the previous one when training (batch
    norm cannot normalise one sample, and a one-sample step is mostly noise).
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
        return len(self._bounds()) - 1

    def __iter__(self):
        ds = self.dataset
        X, y, w = ds.X, ds.y, ds.w
        if self.shuffle and len(ds) > 1:
            perm = torch.randperm(len(ds)).to(X.device)
            X, y = X[perm], y[perm]
            w = None if w is None else w[perm]
        bounds = self._bounds()
        sizes = [stop - start for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]
        # one C call per tensor to cut all the batch views
        Xs, ys = torch.split(X, sizes), torch.split(y, sizes)
        if w is None:
            yield from zip(Xs, ys, strict=True)
        else:
            ws = torch.split(w, sizes)
            for xb, yb, wb in zip(Xs, ys, ws, strict=True):
                yield xb, (yb, wb)


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
    """

    def fit_loop(self, X, y=None, **fit_params):
        # skorch's partial_fit swallows KeyboardInterrupt and returns; say so, as
        # sklearn's MLP does (the weights are those of the last finished batch)
        try:
            return super().fit_loop(X, y, **fit_params)
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
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        self._step_optimizer(None)
        return step

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if isinstance(y_true, tuple | list):
            y_true, w = y_true
        else:
            w = None
        criterion = self.criterion_
        if w is None and getattr(criterion, "reduction", None) == "none":
            # unweighted: let the criterion average (one fused op instead of two)
            criterion.reduction = "mean"
            try:
                return criterion(y_pred, y_true)
            finally:
                criterion.reduction = "none"
        loss = criterion(y_pred, y_true)
        if loss.ndim > 1:
            loss = loss.flatten(1).mean(dim=1)
        if w is None:
            return loss.mean()
        return (loss * w).mean()


class _PrintLog(PrintLog):
    """skorch's epoch table, coloured (the best values) only on a terminal: a log file
    or a pipe gets no ANSI escape codes."""

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not _is_terminal(self.sink):
            text = text.replace(color, "").replace(Ansi.ENDC.value, "")
        return text


def _is_terminal(sink):
    """Whether the table's sink writes to a terminal (print: standard output)."""
    stream = sys.stdout if sink is print else getattr(sink, "__self__", None)
    return bool(getattr(stream, "isatty", lambda: False)())


class _DivergenceCheck(Callback):
    """Stop with a clear error when the training loss stops being finite."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        if not math.isfinite(loss):
            raise DivergenceError(
                f"Training diverged: the training loss became {loss} at epoch "
                f"{len(net.history)}. The learning rate is probably too large: lower "
                f"learning_rate (currently {self.learning_rate!r}), or standardise the "
                "inputs/targets."
            )


class _LRScheduler(LRScheduler):
    """skorch ``LRScheduler``; ReduceLROnPlateau watches the validation loss when there
    is one and the training loss otherwise (never a KeyError)."""

    def on_epoch_end(self, net, **kwargs):
        if self.policy == "ReduceLROnPlateau":
            self.monitor = "valid_loss" if "valid_loss" in net.history[-1] else "train_loss"
        return super().on_epoch_end(net, **kwargs)


class _EarlyStopping(EarlyStopping):
    """skorch ``EarlyStopping`` on the validation loss, or on the training loss when
    there is no validation set (tiny data), so it never fails with a KeyError."""

    def on_epoch_end(self, net, **kwargs):
        self.monitor = "valid_loss" if "valid_loss" in net.history[-1] else "train_loss"
        return super().on_epoch_end(net, **kwargs)


# --------------------------------------------------------------------------- #
# torch context: seeding and threads                                          #
# --------------------------------------------------------------------------- #
@contextmanager
def _seeded(seed, device):
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


@contextmanager
def _torch_threads(n):
    """Run with ``n`` torch threads (``None``: leave as is), restoring the count after."""
    old = torch.get_num_threads()
    change = n is not None and n != old
    if change:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if change:
            torch.set_num_threads(old)


def _resolve_device(device):
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


def _n_params(module):
    return sum(p.numel() for p in module.parameters())


# --------------------------------------------------------------------------- #
# the estimator base                                                           #
# --------------------------------------------------------------------------- #
class BaseNeuralNetwork(AtomicFitMixin, BaseEstimator):
    """Shared base of the skorch-backed network estimators (not for direct use).

    Extra keyword arguments with a skorch prefix (``module__*``, ``optimizer__*``,
    ``criterion__*``, ``callbacks__*``, ``iterator_train__*``, ``iterator_valid__*``)
    are routed to skorch (the ``module__*`` ones to ``_build_module``); they appear in
    ``get_params`` and survive ``clone``.  Anything else is refused at fit.

    Hooks for subclasses (CNN, recurrent, autoencoders):

    - ``_build_module(n_features, n_outputs, **module_kwargs)`` -> ``nn.Module``
      returning raw outputs (logits for classifiers);
    - ``_init_module(module)``: weight initialisation (the ``init`` scheme);
    - ``_prepare_X(X, reset)`` -> validated float32 array (``validate_data``; set the
      class attribute ``_skdl_accepts_nd = True`` when it takes 3-D/4-D input) and
      ``_n_features(X)`` -> the input size given to ``_build_module``;
    - ``_prepare_y(y, reset, classes)`` -> ``(targets array, n_outputs)`` and
      ``_criterion()`` -> a torch loss class (built with ``reduction='none'``);
      ``_check_y_present(y)`` for estimators without targets;
    - ``_forward(X)`` -> the module's outputs for validated ``X``, float64 numpy;
    - ``_n_torch_threads(net, rows)``: torch threads for a pass on ``rows`` rows.

    A subclass with more hyper-parameters writes its own ``__init__`` (explicit
    keywords, then ``**kwargs`` passed on) and extends ``_parameter_constraints``.
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
        criterion = net.criterion_
        crit = (
            {k: v.detach().clone() for k, v in criterion.state_dict().items()}
            if isinstance(criterion, torch.nn.Module) else None
        )
        n_epochs = len(net.history)

        def restore():
            with torch.no_grad():
                net.module_.load_state_dict(module)
                if crit is not None:
                    criterion.load_state_dict(crit)
            net.optimizer_.load_state_dict(optimizer)
            del net.history[n_epochs:]

        return restore

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "init": [StrOptions(set(INITS))],
        "optimizer": [StrOptions(set(_OPTIMIZERS))],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "schedule": [StrOptions(set(_SCHEDULES)), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "dtype": [Options(type, {np.float32, np.float64})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        dropout=0.0,
        batch_norm=False,
        init="kaiming",
        optimizer="adam",
        learning_rate=0.001,
        weight_decay=0.0,
        momentum=0.9,
        schedule=None,
        batch_size=64,
        dtype=np.float32,
        max_epochs=200,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        device="cpu",
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.init = init
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.schedule = schedule
        self.batch_size = batch_size
        self.dtype = dtype
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
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

    # --------------------------------------------------------- overridable -- #
    def _build_module(self, n_features, n_outputs, **module_kwargs):
        """Return the (uninitialised) ``nn.Module``; ``module__*`` kwargs override."""
        kwargs = {
            "hidden_layer_sizes": self._hidden(),
            "activation": self.activation,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
        }
        kwargs.update(module_kwargs)
        return MLPModule(n_features, n_outputs, **kwargs)

    def _init_module(self, module):
        """Initialise the module's weights in place (the ``init`` scheme)."""
        init_weights(module, self.init)

    def _prepare_X(self, X, reset):
        """Validate ``X`` into a C-ordered ``dtype`` array (sets ``n_features_in_``)."""
        return validate_data(self, X, reset=reset, dtype=self.dtype, order="C")

    def _n_features(self, X):
        """The input size the module is built for."""
        return X.shape[1]

    def _n_torch_threads(self, net, rows):
        """Torch threads for a forward/backward pass on ``rows`` rows: one when the work
        (about ``rows`` x parameters multiply-adds) is small, else torch's default."""
        if torch.device(net.device).type != "cpu":
            return None
        return 1 if rows * _n_params(net.module_) < _SMALL_WORK else None

    # subclasses: _prepare_y(y, reset, classes) -> (y array, n_outputs), _criterion()

    def _make_optimizer(self):
        cls, uses_momentum, extra = _OPTIMIZERS[self.optimizer]
        kwargs = {"optimizer__weight_decay": self.weight_decay}
        if uses_momentum:
            if self.optimizer == "nesterov" and self.momentum <= 0:
                raise ValueError(
                    f"optimizer='nesterov' needs momentum > 0; got momentum={self.momentum}."
                )
            kwargs["optimizer__momentum"] = self.momentum
        kwargs.update({f"optimizer__{k}": v for k, v in extra.items()})
        return cls, kwargs

    def _make_callbacks(self):
        callbacks = [("divergence", _DivergenceCheck(self.learning_rate))]
        if self.early_stopping:
            callbacks.append(
                ("early_stopping", _EarlyStopping(patience=self.patience, load_best=True))
            )
        if self.schedule is not None:
            if self.schedule == "step":
                sched = _LRScheduler("StepLR", step_size=max(1, self.max_epochs // 3), gamma=0.1)
            elif self.schedule == "exponential":
                sched = _LRScheduler("ExponentialLR", gamma=0.01 ** (1.0 / self.max_epochs))
            elif self.schedule == "cosine":
                sched = _LRScheduler("CosineAnnealingLR", T_max=self.max_epochs)
            else:  # plateau
                sched = _LRScheduler(
                    "ReduceLROnPlateau",
                    monitor="train_loss",
                    factor=0.1,
                    patience=max(1, self.patience // 2),
                )
            callbacks.append(("lr_scheduler", sched))
        return callbacks

    def _make_net(self, module, device, routed):
        opt_cls, opt_kwargs = self._make_optimizer()
        if (
            opt_cls in _FUSABLE
            and torch.device(device).type in ("cpu", "cuda")
            and not any(k in routed for k in ("optimizer__fused", "optimizer__foreach"))
        ):
            opt_kwargs["optimizer__fused"] = True
        kwargs = {
            # verbose=0: no PrintLog (it formats a table every epoch even when silent)
            "callbacks__print_log": _PrintLog() if self.verbose else None,
            "criterion__reduction": "none",
            "iterator_train__shuffle": True,
            **opt_kwargs,
            **routed,
        }
        params = dict(
            module=module,
            criterion=self._criterion(),
            optimizer=opt_cls,
            lr=self.learning_rate,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=_BatchIterator,
            iterator_valid=_BatchIterator,
            train_split=None,
            callbacks=self._make_callbacks(),
            predict_nonlinearity=None,
            verbose=self.verbose,
            device=device,
            **kwargs,
        )
        params.update(self._net_kwargs())
        return self._net_class(**params)

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
        if incremental and hasattr(self, "n_iter_"):
            seed = (seed + self.n_iter_) % np.iinfo(np.int32).max
        return seed

    def _split(self, X, y, w, seed):
        """Indices of the training and validation sets for early stopping."""
        n = X.shape[0]
        idx = np.arange(n)
        n_valid = int(round(self.validation_fraction * n))
        if n < 2 or n_valid < 1 or n_valid >= n:
            return idx, None
        stratify = None
        labels = self._class_codes(y)
        if labels is not None:
            counts = np.bincount(labels)
            counts = counts[counts > 0]
            if counts.min() >= 2 and n_valid >= len(counts) and n - n_valid >= len(counts):
                stratify = labels
        train, valid = train_test_split(
            idx, test_size=n_valid, random_state=seed, stratify=stratify
        )
        return np.sort(train), np.sort(valid)

    def _class_codes(self, y):
        """Class index of each prepared target (to stratify the split), or None."""
        return None

    def _check_y_present(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )

    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        self._validate_params()
        self._check_y_present(y)
        module_kwargs, routed = self._routed_params()
        device = _resolve_device(self.device)
        first = not (incremental and hasattr(self, "net_"))
        X = self._prepare_X(X, reset=first)
        y, n_outputs = self._prepare_y(y, reset=first, classes=classes)
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}]"
            )
        if self.batch_norm and X.shape[0] < 2:
            raise ValueError(
                f"batch_norm=True needs at least 2 samples to fit; got {X.shape[0]} sample."
            )
        w = None
        if sample_weight is not None:
            w = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            w = w * (len(w) / w.sum())
            w = w.astype(self.dtype)

        seed = self._seed(incremental)
        with _seeded(seed, device):
            if first:
                module = self._build_module(self._n_features(X), n_outputs, **module_kwargs)
                self._init_module(module)
                dtype = _TORCH_DTYPES[np.dtype(self.dtype)]
                module.to(dtype)
                net = self._make_net(module, device, routed)
                net.initialize()
                if isinstance(net.criterion_, torch.nn.Module):  # buffers, e.g. centroids
                    net.criterion_.to(dtype)
            else:
                net = self.net_
            with _torch_threads(self._n_torch_threads(net, self.batch_size)):
                self._fit_net(net, X, y, w, device, seed, incremental)

        self.net_ = net
        self.n_outputs_ = n_outputs
        self.history_ = net.history
        self.loss_curve_ = [float(v) for v in net.history[:, "train_loss"]]
        self.n_iter_ = len(net.history)
        return self

    def _fit_net(self, net, X, y, w, device, seed, incremental):
        """Run skorch's training loop on tensors made once (and a validation split)."""
        dataset = self._make_dataset(X, y, w, device)
        valid = None
        epochs = 1 if incremental else self.max_epochs
        if self.early_stopping and not incremental:
            train_idx, valid_idx = self._split(X, y, w, seed)
            if valid_idx is not None:
                valid = dataset.subset(valid_idx)
                dataset = dataset.subset(train_idx)
        net.train_split = None if valid is None else _PredefinedSplit(valid)
        try:
            net.partial_fit(dataset, None, epochs=epochs)
        finally:
            net.train_split = None

    def _make_dataset(self, X, y, w, device):
        X = np.require(X, requirements=["C", "W"])
        y = np.require(y, requirements=["W"])
        Xt = torch.from_numpy(X).to(device)
        yt = torch.from_numpy(y).to(device)
        wt = None if w is None else torch.from_numpy(np.require(w, requirements=["W"]))
        if wt is not None:
            wt = wt.to(device)
        return _TensorDataset(Xt, yt, wt)

    # ----------------------------------------------------------- inference -- #
    def _forward(self, X):
        """Raw module outputs for validated ``X``, in float64 (batch-invariant)."""
        check_is_fitted(self, "net_")
        net = self.net_
        dev = torch.device(net.device)
        dtype = torch.float32 if dev.type == "mps" else torch.float64
        module = copy.deepcopy(net.module_).to(dtype).eval()
        n = X.shape[0]
        with (
            torch.inference_mode(),
            _torch_threads(self._n_torch_threads(net, min(n, _PREDICT_CHUNK))),
        ):
            outs = []
            for start in range(0, n, _PREDICT_CHUNK):
                chunk = np.require(X[start : start + _PREDICT_CHUNK], requirements=["W"])
                xb = torch.from_numpy(chunk)
                outs.append(module(xb.to(device=dev, dtype=dtype)).to("cpu", torch.float64))
        out = torch.cat(outs) if outs else torch.empty((0, self.n_outputs_), dtype=torch.float64)
        return out.numpy()
