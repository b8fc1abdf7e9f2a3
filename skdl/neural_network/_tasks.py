"""Classification and regression on the networks: the task mixins.

``_ClassifierNetMixin`` and ``_RegressorNetMixin`` hold what depends on the task and
not on the architecture: the targets (``_prepare_y``), the loss (``_criterion``), the
output transform and the public ``fit``/``partial_fit``/``predict`` (and
``predict_proba``).  The MLP, CNN and LSTM estimators are each one of these mixins
over a base of ``_base.py``: ``MLPClassifier(_ClassifierNetMixin, BaseNeuralNetwork)``.

The mixins are ``AtomicFitMixin`` subclasses so that the fit methods they define are
all-or-nothing like those of the estimators (see ``utils/_atomic.py``).
"""

import numpy as np
from scipy.special import expit, log_softmax
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_array, check_is_fitted
from torch import nn

from ..utils._atomic import AtomicFitMixin
from ..utils._sklearn_compat import _check_y, _fit_context, available_if
from ..utils._validation import numeric_target
from ._modules import _PoissonLoss


def _cast_target(Y, dtype, name):
    """The targets in the training ``dtype``; a ValueError naming y when they overflow it
    (e.g. y of magnitude 1e200 in float32), rather than a loss that diverges."""
    with np.errstate(over="ignore"):
        out = np.ascontiguousarray(Y, dtype=dtype)
    if not np.all(np.isfinite(out)):
        top = float(np.max(np.abs(Y)))
        raise ValueError(
            f"y has values of magnitude {top:.3g}, beyond the range of {name}'s training "
            f"dtype {np.dtype(dtype).name} (largest {np.finfo(dtype).max:.3g}). "
            "Standardise the targets (e.g. sklearn.compose.TransformedTargetRegressor "
            "with a StandardScaler), or train with dtype=np.float64."
        )
    return out


def _check_stochastic(estimator):
    """sklearn's rule: partial_fit needs a stochastic solver (not "lbfgs")."""
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. lbfgs is not "
            "stochastic."
        )
    return True


class _ClassifierNetMixin(ClassifierMixin, AtomicFitMixin):
    """Classification on a network: labels encoded for a softmax over the logits (one
    logistic logit for two classes, as sklearn; one per label for multilabel
    indicator targets), the cross-entropy, and ``predict``/``predict_proba``."""

    _validation_score_kind = "accuracy"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any hashable type), or a multilabel indicator matrix (one
            logistic output per label).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    @available_if(_check_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train one more epoch on ``(X, y)`` (initialising the network if needed).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes, at the first call (default: those of ``y``).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _is_multilabel(self):
        return getattr(self, "_multilabel", False)

    def _prepare_y(self, y, reset, classes=None):
        if reset:
            self._multilabel = type_of_target(y) == "multilabel-indicator"
        if self._is_multilabel():  # indicator matrix: one logistic output per label
            Y = check_array(y, ensure_2d=True, dtype=None, input_name="y")
            check_classification_targets(Y)
            if reset:
                self.classes_ = np.arange(Y.shape[1])
            elif Y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"y has {Y.shape[1]} labels, but {type(self).__name__} was fitted with "
                    f"{len(self.classes_)}."
                )
            return np.ascontiguousarray(Y, dtype=self.dtype), Y.shape[1]
        y = _check_y(y, estimator=self)
        check_classification_targets(y)
        if reset:
            labels = np.unique(y) if classes is None else np.unique(np.asarray(classes))
            self.classes_ = labels
        elif classes is not None and not np.array_equal(
            np.unique(np.asarray(classes)), self.classes_
        ):
            raise ValueError(
                f"`classes={list(np.unique(np.asarray(classes)))}` is not the same as on the "
                f"first call to partial_fit, was: {list(self.classes_)}."
            )
        unseen = ~np.isin(y, self.classes_)
        if np.any(unseen):
            raise ValueError(
                f"y contains labels not among the classes {self.classes_.tolist()}: "
                f"{np.unique(y[unseen]).tolist()}."
            )
        codes = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:  # one logit, as sklearn: P(classes_[1]) = σ(z)
            return codes.astype(self.dtype).reshape(-1, 1), 1
        return codes.astype(np.int64), len(self.classes_)

    def _check_warm_start_y(self, y):
        if self._is_multilabel():
            return
        labels = np.unique(_check_y(y, estimator=self))
        if not np.array_equal(labels, self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in the "
                f"previous call to fit. Previously got {self.classes_}, `y` has {labels}"
            )

    def _class_codes(self, y):
        if self._is_multilabel():
            return None
        return y.ravel().astype(np.int64)

    def _criterion(self):
        binary = len(self.classes_) == 2 or self._is_multilabel()
        return nn.BCEWithLogitsLoss if binary else nn.CrossEntropyLoss

    def _out_activation(self):
        return "logistic" if len(self.classes_) == 2 or self._is_multilabel() else "softmax"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _log_proba(self, X):
        z = self._forward(self._prepare_X(X, reset=False))
        if self._is_multilabel():  # log of σ(z) per label, as sklearn (ties kept)
            with np.errstate(divide="ignore"):
                return np.log(expit(z))
        if len(self.classes_) == 2:  # one logit: log σ(-z), log σ(z)
            return np.hstack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)])
        return log_softmax(z, axis=1)

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits; logistic for two classes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``.  For a multilabel
            indicator target, the probability of each label (rows need not sum to
            one).
        """
        check_is_fitted(self)
        if self._is_multilabel():  # σ(z) per label: rows need not sum to one
            return expit(self._forward(self._prepare_X(X, reset=False)))
        proba = np.exp(self._log_proba(X))
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-softmax of the logits (log-sigmoid for two classes).
        """
        check_is_fitted(self)
        return self._log_proba(X)

    def predict(self, X):
        """Most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels (an indicator matrix for multilabel targets).
        """
        check_is_fitted(self)
        z = self._forward(self._prepare_X(X, reset=False))
        if self._is_multilabel():
            return (z > 0).astype(int)
        if len(self.classes_) == 2:
            return self.classes_[(z[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(z, axis=1)]


class _RegressorNetMixin(RegressorMixin, AtomicFitMixin):
    """Regression on a network: float targets (2-D inside, returned in the training
    ``y``'s shape), the mean squared error (or the Poisson deviance of log-link
    outputs, see ``_poisson``) and ``predict``."""

    def _poisson(self):
        """Whether the outputs are log-means of a Poisson loss (``MLPRegressor`` with
        ``loss="poisson"``); the squared error otherwise."""
        return False

    @property
    def _validation_score_kind(self):
        return "r2_exp" if self._poisson() else "r2"

    def _out_activation(self):
        return "exp" if self._poisson() else "identity"

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    @available_if(_check_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train one more epoch on ``(X, y)`` (initialising the network if needed).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _prepare_y(self, y, reset, classes=None):
        y = numeric_target(_check_y(y, multi_output=True, y_numeric=True, estimator=self))
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-D or 2-D; got an array of shape {y.shape}.")
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if reset:
            self._y_ndim = y.ndim
        elif Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} targets, but {type(self).__name__} was fitted with "
                f"{self.n_outputs_}."
            )
        if self._poisson() and np.any(Y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson "
                "regression."
            )
        return _cast_target(Y, self.dtype, type(self).__name__), Y.shape[1]

    def _criterion(self):
        return _PoissonLoss if self._poisson() else nn.MSELoss

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions in the shape of the training ``y``, computed in float64 and
            returned in ``X``'s dtype as sklearn's (float32 for float32 ``X`` when
            ``dtype`` is float32; float64 otherwise).
        """
        check_is_fitted(self)
        out_dtype = self._output_dtype(X)
        out = self._forward(self._prepare_X(X, reset=False))
        if self._poisson():
            out = np.exp(out)
        out = out.astype(out_dtype, copy=False)  # rounded per entry: batch-invariant
        return out.ravel() if self._y_ndim == 1 else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
