"""Recurrent networks on skorch (note 001 ch. 10, note 002 "Neural networks for time series").

``LSTMRegressor`` and ``LSTMClassifier`` read sequences ``(n, T, d)`` (or ``(n, T)``,
univariate) with an LSTM, GRU or Elman RNN and a linear read-out of the final hidden
state (sequence to one) or, for the regressor, of the state at every step (sequence
to sequence, targets ``(n, T, k)``).  Training, callbacks and devices are the shared
skorch base's (``_base._NetworkBase``: the recurrent estimators have no dense-layer
parameters), the task a mixin of ``_tasks.py``; gradients can be clipped by norm
against the exploding gradients of back-propagation through time.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import GradientNormClipping

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import _ONE_THREAD_WORK, _n_params, _NetworkBase
from ._mlp import _ATTRS_DOC, _TAIL_DOC, _TRAIN_DOC
from ._modules import RNN_CELLS, RecurrentModule
from ._tasks import _ClassifierNetMixin, _RegressorNetMixin

_RNN_PARAMS_DOC = """
    hidden_size : int, default=64
        Size of the hidden state h of each recurrent layer (and direction).
    cell : {"lstm", "gru", "rnn"}, default="lstm"
        The recurrent cell: long short-term memory, gated recurrent unit, or the
        Elman network ``h_t = tanh(W x_t + U h_{t-1} + b)``.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Also read each sequence backwards and concatenate the two hidden states
        (note 001 §10.3).
    dropout : float in [0, 1), default=0.0
        Dropout probability between stacked layers and before the read-out.
    clip_grad_norm : float or None, default=None
        Rescale the gradient whenever its 2-norm exceeds this value (skorch's
        ``GradientNormClipping``), against exploding gradients (note 002, "RNN
        training").  ``None``: no clipping.
""" + _TRAIN_DOC + _TAIL_DOC

_RNN_ATTRS_DOC = (
    """
    n_timesteps_ : int
        Length T of the sequences seen during fit (fixed: predict needs the same T).
    input_size_ : int
        Features d per time step."""
    # the shared attributes (loss_curve_, n_iter_, validation_scores_, ...), then the
    # input's, which count time steps here
    + _ATTRS_DOC[: _ATTRS_DOC.index("    n_features_in_ :")].rstrip("\n")
    + """
    n_features_in_ : int
        Equal to ``n_timesteps_``: a 2-D ``X`` has one column per time step.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the columns (time steps) seen during fit, when ``X`` is a frame with
        string column names.
"""
)

_RNN_NOTES = """
    Input: a 3-D ``X`` is ``(n_sequences, T, d)``; a 2-D ``X`` is ``(n_sequences, T)``,
    univariate sequences (one column per time step, so a pipeline's or sklearn's 2-D
    data are sequences of length ``n_features``).  T is fixed by ``fit``: a ``X`` with
    another number of steps (or features per step) at predict is a ``ValueError``,
    like a wrong number of features.  Sparse input does not apply: a sequence's steps
    are read one after another by the recurrence, not as a sparse feature vector, so
    a scipy sparse ``X`` is refused with a ``TypeError`` (the MLPs, CNNs and
    autoencoders take sparse rows).

    The recurrent layer is torch's ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` (note 001
    §10.2-10.6): back-propagation through time runs through the unrolled sequence,
    and the LSTM's gated cell state ``c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t`` keeps
    gradients from vanishing over long sequences.  Recurrent weights keep torch's
    initialisation ``U(-1/√h, 1/√h)``; the read-out is a linear layer on the last
    layer's final hidden state (of both directions when bidirectional).
"""


class _RecurrentMixin:
    """Sequence handling and module building shared by the recurrent estimators."""

    _accepts_sparse = False  # sequences come dense (see _RNN_NOTES)
    # no batch norm, and torch's initialisation of the recurrent and read-out layers
    # (the base's defaults of ``_batch_normalised`` and ``_init_module``)

    def _prepare_X(self, X, reset):
        name = type(self).__name__
        if sp.issparse(X):
            raise TypeError(
                f"{name} does not take sparse input: X is a scipy sparse matrix, but "
                "sequences are dense arrays (n_sequences, T, n_features_per_step), or "
                "(n_sequences, T) for univariate sequences; pass X.toarray() if that is "
                "what the matrix holds."
            )
        shape = getattr(X, "shape", None) or ()  # arrays and frames; others: sklearn's check
        if not reset and len(shape) == 3 and shape[1] != self.n_timesteps_:
            # sklearn's check would call the time steps of 3-D input "features" (2-D
            # input keeps sklearn's message: its columns are the features it counts)
            raise ValueError(
                f"X has sequences of {shape[1]} time steps, but {name} was fitted on "
                f"sequences of {self.n_timesteps_} time steps (T is fixed per fit)."
            )
        X = validate_data(self, X, reset=reset, dtype=self.dtype, order="C", allow_nd=True)
        if X.ndim == 2:
            X = X[:, :, None]
        elif X.ndim != 3:
            raise ValueError(
                f"{name} expects 3-D input (n_sequences, T, n_features_per_step) or 2-D "
                f"input (n_sequences, T) for univariate sequences; got a {X.ndim}-D array "
                f"(ndim={X.ndim}) of shape {X.shape}."
            )
        if X.shape[1] < 1 or X.shape[2] < 1:
            raise ValueError(
                f"{name} needs sequences of at least 1 step and 1 feature per step; got "
                f"X of shape {X.shape}."
            )
        if reset:
            self.n_timesteps_, self.input_size_ = X.shape[1], X.shape[2]
        elif X.shape[1:] != (self.n_timesteps_, self.input_size_):
            raise ValueError(
                f"X has sequences of {X.shape[1]} time steps with {X.shape[2]} features "
                f"per step, but {name} was fitted on {self.n_timesteps_} time steps with "
                f"{self.input_size_} features per step (T is fixed per fit)."
            )
        return X

    def _n_features(self, X):
        return X.shape[2]

    def _build_module(self, input_size, n_outputs, **module_kwargs):
        kwargs = {
            "cell": self.cell,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "return_sequences": getattr(self, "_y_ndim", None) == 3,
        }
        kwargs.update(module_kwargs)
        return RecurrentModule(input_size, n_outputs, **kwargs)

    def _make_callbacks(self):
        callbacks = super()._make_callbacks()
        if self.clip_grad_norm is not None:
            callbacks.append(
                ("clip_grad_norm", GradientNormClipping(gradient_clip_value=self.clip_grad_norm))
            )
        return callbacks

    _one_thread_work = _ONE_THREAD_WORK

    def _torch_work(self, net, rows):
        # every weight is used once per time step
        return rows * _n_params(net.module_) * self.n_timesteps_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # tests/test_common.py: 3-D input is valid here
    _skdl_accepts_nd = True


_RNN_CONSTRAINTS = {
    **_NetworkBase._parameter_constraints,
    "hidden_size": [Interval(Integral, 1, None, closed="left")],
    "cell": [StrOptions(set(RNN_CELLS))],
    "num_layers": [Interval(Integral, 1, None, closed="left")],
    "bidirectional": ["boolean"],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
}


class LSTMRegressor(_RecurrentMixin, _RegressorNetMixin, _NetworkBase):
    __doc__ = f"""Recurrent (LSTM/GRU/RNN) regressor for sequences, with torch through skorch.

    Sequence to one (``y`` of shape ``(n,)`` or ``(n, k)``: a read-out of the final
    hidden state) or sequence to sequence (``y`` of shape ``(n, T, k)``: a read-out at
    every step); minimises the mean squared error.

    Parameters
    ----------{_RNN_PARAMS_DOC}
    Attributes
    ----------{_RNN_ATTRS_DOC}
    See Also
    --------
    LSTMClassifier : The same network for sequence classification.
    MLPRegressor : A dense network on fixed-length inputs.

    Notes
    -----{_RNN_NOTES}
    ``score`` is the R² of the predictions; for sequence-to-sequence targets it
    averages over the k outputs the R² computed over all steps of all sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import LSTMRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 10))        # 500 univariate sequences of 10 steps
    >>> y = X[:, 0]                           # remember the first value
    >>> reg = LSTMRegressor(hidden_size=16, learning_rate_init=0.01, max_iter=40,
    ...                     random_state=0).fit(X, y)
    >>> reg.predict(X[:4]).shape
    (4,)
    >>> Y = np.cumsum(X, axis=1)[:, :, None]  # running sums: sequence to sequence
    >>> reg.set_params(max_iter=5).fit(X, Y).predict(X[:2]).shape
    (2, 10, 1)
    """

    _parameter_constraints = _RNN_CONSTRAINTS

    def __init__(
        self,
        hidden_size=64,
        cell="lstm",
        *,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        clip_grad_norm=None,
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
        self.hidden_size = hidden_size
        self.cell = cell
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.clip_grad_norm = clip_grad_norm
        super().__init__(
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callbacks=callbacks,
            dtype=dtype,
            device=device,
            **kwargs,
        )

    def _prepare_y(self, y, reset, classes=None):
        ndim = y.ndim if hasattr(y, "ndim") else np.asarray(y).ndim
        if ndim != 3:
            if not reset and self._y_ndim == 3:
                raise ValueError(
                    f"{type(self).__name__} was fitted on sequence targets (n, T, k); got y "
                    f"with {ndim} dimensions."
                )
            return super()._prepare_y(y, reset, classes)
        y = check_array(
            y, ensure_2d=False, allow_nd=True, dtype=self.dtype, order="C", input_name="y"
        )
        if y.shape[1] != self.n_timesteps_:
            raise ValueError(
                f"Sequence targets y of shape {y.shape} must have the T={self.n_timesteps_} "
                "time steps of X (n_sequences, T, n_targets)."
            )
        if reset:
            self._y_ndim = 3
        elif self._y_ndim != 3 or y.shape[2] != self.n_outputs_:
            raise ValueError(
                f"y of shape {y.shape} does not match the targets {type(self).__name__} "
                "was fitted on."
            )
        return y, y.shape[2]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_sequences, T, n_features) or (n_sequences, T)
            Training sequences.
        y : array-like of shape (n_sequences,), (n_sequences, n_targets) or \
(n_sequences, T, n_targets)
            Targets per sequence, or per time step.
        sample_weight : array-like of shape (n_sequences,), default=None
            Non-negative weights of the sequences in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_sequences, T, n_features) or (n_sequences, T)
            Sequences with the T of fit.

        Returns
        -------
        y_pred : ndarray of shape (n_sequences,), (n_sequences, n_targets) or \
(n_sequences, T, n_targets)
            Predictions in the shape of the training ``y``, computed in float64 and
            returned in ``X``'s dtype (float32 for float32 ``X`` when ``dtype`` is
            float32; float64 otherwise).
        """
        return super().predict(X)

    def score(self, X, y, sample_weight=None):
        """R² of the predictions (over all steps for sequence targets).

        Parameters
        ----------
        X : array-like of shape (n_sequences, T, n_features) or (n_sequences, T)
            Test sequences.
        y : array-like of shape (n_sequences,), (n_sequences, n_targets) or \
(n_sequences, T, n_targets)
            True targets.
        sample_weight : array-like of shape (n_sequences,), default=None
            Weights of the sequences.

        Returns
        -------
        score : float
            R² (uniform average over the targets).
        """
        check_is_fitted(self)
        y_pred = self.predict(X)
        y = np.asarray(y)
        if y.ndim == 3:
            steps = y.shape[1]
            if sample_weight is not None:
                sample_weight = np.repeat(np.asarray(sample_weight, dtype=np.float64), steps)
            return float(
                r2_score(
                    y.reshape(-1, y.shape[2]),
                    y_pred.reshape(-1, y_pred.shape[-1]),
                    sample_weight=sample_weight,
                )
            )
        return float(r2_score(y, y_pred, sample_weight=sample_weight))


class LSTMClassifier(_RecurrentMixin, _ClassifierNetMixin, _NetworkBase):
    __doc__ = f"""Recurrent (LSTM/GRU/RNN) sequence classifier, with torch through skorch.

    One label per sequence: a softmax read-out of the final hidden state; minimises
    the cross-entropy.

    Parameters
    ----------{_RNN_PARAMS_DOC}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.{_RNN_ATTRS_DOC}
    See Also
    --------
    LSTMRegressor : The same network for regression, also sequence to sequence.
    MLPClassifier : A dense network on fixed-length inputs.

    Notes
    -----{_RNN_NOTES}
    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import LSTMClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 12))
    >>> y = (X[:, :3].sum(axis=1) > 0).astype(int)   # the sign of an early window
    >>> clf = LSTMClassifier(hidden_size=16, learning_rate_init=0.02, batch_size=32,
    ...                      max_iter=30, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    >>> set(clf.predict(X)) <= set(clf.classes_)
    True
    """

    _parameter_constraints = _RNN_CONSTRAINTS

    def __init__(
        self,
        hidden_size=64,
        cell="lstm",
        *,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        clip_grad_norm=None,
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
        self.hidden_size = hidden_size
        self.cell = cell
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.clip_grad_norm = clip_grad_norm
        super().__init__(
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callbacks=callbacks,
            dtype=dtype,
            device=device,
            **kwargs,
        )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_sequences, T, n_features) or (n_sequences, T)
            Training sequences.
        y : array-like of shape (n_sequences,)
            Class label of each sequence.
        sample_weight : array-like of shape (n_sequences,), default=None
            Non-negative weights of the sequences in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)
