"""Display objects in scikit-learn's style (``from_estimator``, ``plot``).

matplotlib is imported only inside ``plot``: importing skdl never imports it.
"""

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.utils.validation import check_is_fitted

from skdl.utils._sklearn_compat import check_matplotlib_support


def _as_curve(values, name):
    try:
        curve = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a sequence of numbers: {exc}") from exc
    if curve.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {curve.shape}.")
    if curve.size == 0:
        raise ValueError(f"{name} is empty: there is no training curve to plot.")
    return curve


def _curves_from_history(history, source):
    """Epochs, train and valid losses from a skorch-like list of per-epoch dicts."""
    if not isinstance(history, Sequence) or isinstance(history, str | bytes):
        raise TypeError(f"{source} must be a list of per-epoch dicts, got {type(history)}.")
    if len(history) == 0:
        raise ValueError(f"{source} is empty: there is no training curve to plot.")
    if not all(isinstance(row, Mapping) for row in history):
        raise TypeError(f"{source} must be a list of per-epoch dicts.")
    missing = [i for i, row in enumerate(history) if "train_loss" not in row]
    if missing:
        raise ValueError(
            f"{source} has no 'train_loss' in epoch(s) {missing[:5]}; every epoch needs one."
        )
    epochs = np.array([row.get("epoch", i + 1) for i, row in enumerate(history)], dtype=float)
    train = _as_curve([row["train_loss"] for row in history], f"{source} 'train_loss'")
    has_valid = [row.get("valid_loss") is not None for row in history]
    valid_epochs = valid = None
    if any(has_valid):
        valid_epochs = epochs[np.array(has_valid)]
        valid = _as_curve(
            [row["valid_loss"] for row, ok in zip(history, has_valid, strict=True) if ok],
            f"{source} 'valid_loss'",
        )
    return epochs, train, valid_epochs, valid


class TrainingCurveDisplay:
    """Training curve (loss per epoch) of an iterative estimator.

    Build it with :meth:`from_estimator` from a fitted estimator's ``history_``
    (a skorch-like list of per-epoch dicts with ``'train_loss'`` and optionally
    ``'valid_loss'``) or ``loss_curve_`` (a list of per-epoch losses, as
    :class:`sklearn.neural_network.MLPRegressor` records), or directly from the
    losses; then :meth:`plot` draws it.

    Parameters
    ----------
    train_loss : array-like of shape (n_epochs,)
        Training loss per epoch.
    valid_loss : array-like of shape (n_valid_epochs,), default=None
        Validation loss, for the epochs in ``valid_epochs``.
    epochs : array-like of shape (n_epochs,), default=None
        Epoch numbers of ``train_loss``; ``None`` numbers them from 1.
    valid_epochs : array-like of shape (n_valid_epochs,), default=None
        Epoch numbers of ``valid_loss``; ``None`` uses ``epochs`` (then
        ``valid_loss`` must have one value per epoch).
    estimator_name : str, default=None
        Name used in the legend.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training-loss line.
    valid_line_ : matplotlib Line2D or None
        The validation-loss line, if there is a validation curve.
    ax_ : matplotlib Axes
        Axes with the curves.
    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against training-set size.

    Notes
    -----
    Every iterative estimator of the notes (gradient descent, note 001 ch. 3; the
    networks trained by back-propagation) minimises a loss epoch by epoch; its curve is
    the first diagnostic of the learning rate and of over-fitting (the validation loss
    rising while the training loss falls).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from types import SimpleNamespace
    >>> from skdl.utils import TrainingCurveDisplay
    >>> est = SimpleNamespace(loss_curve_=[1.0, 0.5, 0.3, 0.25])
    >>> disp = TrainingCurveDisplay.from_estimator(est, name="gd")
    >>> disp.line_.get_ydata().tolist()
    [1.0, 0.5, 0.3, 0.25]
    >>> disp.ax_.get_xlabel(), disp.ax_.get_ylabel()
    ('Epoch', 'Loss')
    """

    def __init__(
        self, *, train_loss, valid_loss=None, epochs=None, valid_epochs=None, estimator_name=None
    ):
        self.train_loss = train_loss
        self.valid_loss = valid_loss
        self.epochs = epochs
        self.valid_epochs = valid_epochs
        self.estimator_name = estimator_name

    def _checked_curves(self):
        train = _as_curve(self.train_loss, "train_loss")
        epochs = (
            np.arange(1, train.size + 1, dtype=float)
            if self.epochs is None
            else _as_curve(self.epochs, "epochs")
        )
        if epochs.shape != train.shape:
            raise ValueError(f"epochs has {epochs.size} entries but train_loss has {train.size}.")
        valid = valid_epochs = None
        if self.valid_loss is not None:
            valid = _as_curve(self.valid_loss, "valid_loss")
            valid_epochs = (
                epochs
                if self.valid_epochs is None
                else _as_curve(self.valid_epochs, "valid_epochs")
            )
            if valid_epochs.shape != valid.shape:
                raise ValueError(
                    f"valid_loss has {valid.size} entries but its epochs have {valid_epochs.size}."
                )
        return epochs, train, valid_epochs, valid

    def plot(self, ax=None, *, name=None, train_kw=None, valid_kw=None):
        """Plot the training (and validation) loss against the epoch.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on; ``None`` creates a new figure and axes.
        name : str, default=None
            Name for the legend; ``None`` uses ``estimator_name``.
        train_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of the training loss.
        valid_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of the validation loss.

        Returns
        -------
        display : TrainingCurveDisplay
            The object, with ``line_``, ``valid_line_``, ``ax_`` and ``figure_`` set.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        epochs, train, valid_epochs, valid = self._checked_curves()
        name = self.estimator_name if name is None else name
        prefix = f"{name}: " if name else ""
        if ax is None:
            _, ax = plt.subplots()
        train_kw = {"label": f"{prefix}training loss", **(train_kw or {})}
        (self.line_,) = ax.plot(epochs, train, **train_kw)
        self.valid_line_ = None
        if valid is not None:
            valid_kw = {"label": f"{prefix}validation loss", "linestyle": "--", **(valid_kw or {})}
            (self.valid_line_,) = ax.plot(valid_epochs, valid, **valid_kw)
        ax.set_xlabel("Epoch")
        ax.set_ylabel("Loss")
        ax.legend(loc="upper right")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, train_kw=None, valid_kw=None):
        """Plot the training curve of a fitted iterative estimator.

        Reads ``history_`` (a list of per-epoch dicts with ``'train_loss'`` and
        optionally ``'valid_loss'`` and ``'epoch'``, as skorch records them) when the
        estimator has it, else ``loss_curve_`` (a list of per-epoch losses), else a
        skorch net's ``history``.

        Parameters
        ----------
        estimator : object
            A fitted estimator with ``history_`` or ``loss_curve_``.
        ax : matplotlib Axes, default=None
            Axes to plot on; ``None`` creates a new figure and axes.
        name : str, default=None
            Name for the legend; ``None`` uses the estimator's class name.
        train_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of the training loss.
        valid_kw : dict, default=None
            Keyword arguments for matplotlib's ``plot`` of the validation loss.

        Returns
        -------
        display : TrainingCurveDisplay
            The display, plotted.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator has no learned attributes.
        ValueError
            If the estimator records no training curve, or it is empty or malformed.
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if getattr(estimator, "history_", None) is not None:
            epochs, train, valid_epochs, valid = _curves_from_history(
                estimator.history_, "history_"
            )
        elif getattr(estimator, "loss_curve_", None) is not None:
            train = _as_curve(estimator.loss_curve_, "loss_curve_")
            epochs, valid_epochs, valid = None, None, None
        elif type(getattr(estimator, "history", None)).__name__ == "History":
            # an unwrapped skorch net
            epochs, train, valid_epochs, valid = _curves_from_history(estimator.history, "history")
        else:
            check_is_fitted(estimator)
            raise ValueError(
                f"{type(estimator).__name__} records no training curve: it has neither "
                "a 'history_' (list of per-epoch dicts) nor a 'loss_curve_' attribute."
            )
        display = cls(
            train_loss=train,
            valid_loss=valid,
            epochs=epochs,
            valid_epochs=valid_epochs,
            estimator_name=type(estimator).__name__ if name is None else name,
        )
        return display.plot(ax=ax, train_kw=train_kw, valid_kw=valid_kw)
