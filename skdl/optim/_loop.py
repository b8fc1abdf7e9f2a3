"""The one gradient training loop of the numpy estimators (note 000 §1-2, note 002).

:func:`gradient_descent` runs an update rule of :mod:`skdl.optim` over epochs of
batches and decides when to stop: on a plateau of the objective (``tol``,
``n_iter_no_change``), on a plateau of a validation score (early stopping, keeping the
best parameters), on a small gradient (full-batch descent), or on divergence.  It
knows nothing of the model: the problem comes in as callables over the parameter
arrays, which the loop updates in place; LinearRegression and Ridge
(``solver='gd'|'sgd'``) and SoftmaxClassifier (``solver='gd'|'sgd'``) pass their own.
"""

import numpy as np

from skdl.exceptions import DivergenceError
from skdl.utils._results import SolverResult

__all__ = ["gradient_descent", "validation_split"]

# an objective this many times its reference means divergence, whatever the patience
_BLOW_UP = 1e6
_TINY = np.finfo(float).tiny


def _divergence(loss, epoch, solver, rule, lr_auto, start=None):
    """The error naming what diverged, when, and the learning rate that did it."""
    if np.isfinite(loss):
        what = f"grew from {start:.4g} to {loss:.4g}"
    else:
        what = "became NaN" if np.isnan(loss) else "became infinite"
    auto = " (chosen by learning_rate_init='auto')" if lr_auto else ""
    return DivergenceError(
        f"Gradient descent diverged: the loss {what} at iteration {epoch + 1} "
        f"(solver={solver!r}, optimizer={type(rule).__name__}) with "
        f"learning_rate={rule.learning_rate!r}{auto}. Use a smaller learning_rate_init, or "
        "standardise the features (sklearn.preprocessing.StandardScaler)."
    )


def validation_split(n_samples, validation_fraction, random_state):
    """Random split of ``n_samples`` rows into training and validation rows.

    Parameters
    ----------
    n_samples : int
        Number of rows.
    validation_fraction : float
        Share of the rows held out, rounded up to a whole row.
    random_state : numpy.random.RandomState
        Generator of the permutation (one draw of ``permutation(n_samples)``).

    Returns
    -------
    train, validation : ndarray of int
        Sorted row indices of the two parts.

    Raises
    ------
    ValueError
        When either part would be empty.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.optim import validation_split
    >>> train, val = validation_split(10, 0.2, np.random.RandomState(0))
    >>> len(train), len(val)
    (8, 2)
    """
    n = n_samples
    n_val = int(np.ceil(validation_fraction * n))
    if n_val < 1 or n - n_val < 1:
        raise ValueError(
            f"early_stopping=True needs at least one training and one validation sample: "
            f"validation_fraction={validation_fraction} of n_samples={n} leaves "
            f"{n - n_val} for training and {n_val} for validation."
        )
    perm = random_state.permutation(n)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


class _Patience:
    """The stopping state: epochs in a row without improvement, the best so far, and
    the references of ``tol`` and of the divergence tests (see gradient_descent)."""

    def __init__(self, reference, initial_loss, tol, floor, track_loss):
        self.tol = tol
        self.tol_scale = max(reference, _TINY)
        self.div_scale = max(self.tol_scale, floor)
        # a blow-up is reported as growing from the start's objective, else the reference
        self.start = initial_loss if initial_loss is not None else self.tol_scale
        self.best_loss = initial_loss if initial_loss is not None else np.inf
        self.track_loss = track_loss
        self.best_score, self.best_params = -np.inf, None
        self.no_improve = 0

    def loss(self, loss):
        better = loss <= self.best_loss - self.tol * self.tol_scale
        self.no_improve = 0 if better else self.no_improve + 1
        self.best_loss = min(self.best_loss, loss)

    def score(self, score, loss, params):
        self.no_improve = self.no_improve + 1 if score < self.best_score + self.tol else 0
        if score > self.best_score:
            self.best_score = score
            self.best_params = [p.copy() for p in params]
        if self.track_loss:
            self.best_loss = min(self.best_loss, loss)


def gradient_descent(
    loss_grad,
    params,
    rule,
    batches=None,
    *,
    max_iter,
    tol,
    n_iter_no_change=10,
    objective=None,
    validation_score=None,
    grad_tol=None,
    initial_loss=None,
    loss_scale=None,
    divergence_floor=0.0,
    track_loss_with_validation=True,
    stop=None,
    solver="gd",
    lr_auto=False,
):
    """Minimise an objective by an update rule, epoch by epoch, updating ``params`` in place.

    Parameters
    ----------
    loss_grad : callable
        ``loss_grad(batch) -> (loss, grads)`` at the current ``params``: the batch's
        contribution to the epoch's objective (a float, summed over the epoch) and the
        gradients to step with (a list of arrays shaped as ``params``; ``None`` skips
        the step, e.g. for a batch of zero weight).  ``batch`` is an item of
        ``batches``, or ``None`` (full-batch mode).
    params : list of ndarray
        The parameters, float64, updated in place by ``rule``.
    rule : skdl.optim.UpdateRule
        The update rule, with its schedule; its state carries over between calls.
    batches : re-iterable or None, default=None
        One epoch per iteration over it (e.g. a :class:`MinibatchIterator`, or
        ``[slice(None)]`` for one full batch): ``loss_grad`` is called on each batch
        before the update it drives, and the epoch's objective is
        ``objective(sum of the batch losses)``.  ``None``: full-batch descent on
        ``loss_grad(None)``, one update per iteration, recording the objective
        *after* the update (the gradient there drives the next one: one evaluation
        per iteration), and stopping on ``grad_tol``.
    max_iter : int
        Most epochs (iterations) to run.
    tol : float
        Improvement that resets the patience: of the objective, by ``tol`` times its
        reference (see ``initial_loss``); of the validation score, by ``tol``.
    n_iter_no_change : int, default=10
        Epochs in a row without improvement after which the loop stops.
    objective : callable or None, default=None
        ``objective(total) -> float``: the epoch's objective from the sum of its batch
        losses (e.g. adding a penalty at the epoch's end, dividing by ``Σw``); None is
        the identity.
    validation_score : callable or None, default=None
        ``validation_score(params) -> float``, higher is better, after every epoch:
        early stopping on it instead of on the objective, restoring the parameters of
        the best score at the end.
    grad_tol : float or None, default=None
        Full-batch mode without ``validation_score`` (else ignored): stop (converged)
        before an update when the largest absolute entry of the gradient is at most
        ``grad_tol``; the patience then only tests for divergence (never stops the
        loop), and at ``max_iter`` the loop has converged if the gradient is small.
    initial_loss : float or None, default=None
        The objective at the starting ``params``, if known: the reference of ``tol``
        and of the divergence tests, and the best objective so far.  None: the
        reference is ``loss_scale``, or the first epoch's objective, and the best
        objective starts at infinity.
    loss_scale : float or None, default=None
        The reference when ``initial_loss`` is None (a loop continuing an earlier
        one passes that one's ``loss_scale``).
    divergence_floor : float, default=0.0
        Least reference of the divergence tests (e.g. ``log m``, the objective of
        uniform class probabilities, when the initial objective may be ~0).
    track_loss_with_validation : bool, default=True
        With ``validation_score``, keep tracking the best objective, so that the
        growth test below applies too; False trusts the validation score alone.
    stop : callable or None, default=None
        ``stop(params) -> bool`` after each recorded epoch: True ends the loop, not
        converged (e.g. on complete separation).
    solver : str, default="gd"
        Named in the :class:`DivergenceError` message.
    lr_auto : bool, default=False
        Whether the learning rate was chosen automatically (said in that message).

    Returns
    -------
    result : skdl.utils._results.SolverResult
        ``coef`` is ``params[0]`` and ``intercept`` ``params[1]`` (None with one
        array), both the arrays updated in place; ``n_iter`` the epochs recorded.
        ``diagnostics``: ``loss_curve`` (list of float, one objective per epoch),
        ``converged`` (bool: the patience, or ``grad_tol``, stopped the loop),
        ``stopped`` (bool: ``stop`` ended it), ``loss_scale`` (the reference),
        ``best_loss``, ``validation_scores`` (list, or None without a score),
        ``best_validation_score`` (or None), ``learning_rate`` (the rule's base rate)
        and ``steps`` (the rule's update count).

    Raises
    ------
    DivergenceError
        When the objective or a parameter becomes NaN or infinite, the objective
        exceeds ``1e6`` times its reference, or the patience runs out while the
        objective is above both its reference and ten times its best (growing, not
        settling).

    Examples
    --------
    Least squares by minibatch SGD:

    >>> import numpy as np
    >>> from skdl.optim import SGD, MinibatchIterator, gradient_descent
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = X @ np.array([1.0, -2.0])
    >>> w = np.zeros(2)
    >>> def loss_grad(idx):
    ...     r = X[idx] @ w - y[idx]
    ...     return 0.5 * r @ r, [X[idx].T @ r / len(r)]
    >>> res = gradient_descent(
    ...     loss_grad, [w], SGD(learning_rate=0.1), MinibatchIterator(200, 20, random_state=0),
    ...     max_iter=100, tol=1e-6, objective=lambda total: total / 200,
    ... )
    >>> np.round(res.coef, 3), res.diagnostics["converged"]
    (array([ 1., -2.]), True)
    """
    objective = objective or (lambda total: total)
    full_batch = batches is None
    curve, val_scores = [], ([] if validation_score is not None else None)
    reference = initial_loss if initial_loss is not None else loss_scale
    patience = None if reference is None else _Patience(
        reference, initial_loss, tol, divergence_floor, track_loss_with_validation
    )
    # full-batch descent without a validation score stops on the gradient
    gradient_stop = full_batch and grad_tol is not None and validation_score is None
    converged = stopped = False
    grads = None
    if full_batch:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            _, grads = loss_grad(None)
    for epoch in range(max_iter):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if full_batch:
                if gradient_stop and _max_abs(grads) <= grad_tol:
                    converged = True
                    break
                rule.step(params, grads)
                loss, grads = loss_grad(None)
                loss = objective(loss)
            else:
                loss = objective(_epoch(loss_grad, params, rule, batches))
        if not np.isfinite(loss) or not all(np.all(np.isfinite(p)) for p in params):
            raise _divergence(loss if not np.isfinite(loss) else np.inf, epoch, solver, rule,
                              lr_auto)
        if patience is None:  # the first epoch's objective is the reference
            patience = _Patience(loss, None, tol, divergence_floor, track_loss_with_validation)
        if loss > _BLOW_UP * patience.div_scale:
            raise _divergence(loss, epoch, solver, rule, lr_auto, start=patience.start)
        curve.append(float(loss))
        if stop is not None and stop(params):
            stopped = True
            break
        if validation_score is not None:
            score = validation_score(params)
            val_scores.append(score)
            patience.score(score, loss, params)
        else:
            patience.loss(loss)
        if patience.no_improve >= n_iter_no_change:
            if loss > patience.div_scale and loss > 10 * patience.best_loss:
                raise _divergence(loss, epoch, solver, rule, lr_auto, start=patience.best_loss)
            if not gradient_stop:
                converged = True
                break
            patience.no_improve = 0  # it stops on the gradient only
    else:
        if gradient_stop:
            converged = bool(_max_abs(grads) <= grad_tol)
    if patience is not None and patience.best_params is not None:
        for p, q in zip(params, patience.best_params, strict=True):
            p[...] = q
    return SolverResult(
        coef=params[0],
        intercept=params[1] if len(params) > 1 else None,
        n_iter=len(curve),
        diagnostics={
            "loss_curve": curve,
            "converged": converged,
            "stopped": stopped,
            "loss_scale": None if patience is None else patience.tol_scale,
            "best_loss": None if patience is None else patience.best_loss,
            "validation_scores": val_scores,
            "best_validation_score": (patience.best_score if val_scores else None),
            "learning_rate": getattr(rule, "learning_rate", None),
            "steps": getattr(rule, "t", None),
        },
    )


def _epoch(loss_grad, params, rule, batches):
    """One pass over the batches, one update each; the sum of the batch losses."""
    total = 0.0
    for batch in batches:
        loss, grads = loss_grad(batch)
        total += loss
        if grads is not None:
            rule.step(params, grads)
    return total


def _max_abs(arrays):
    return max(float(np.max(np.abs(a))) for a in arrays)
