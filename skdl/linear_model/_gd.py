"""Gradient solvers of least squares and ridge (note 001 §6.4-6.7, note 002, note 000 §1).

The objective of ``solver='gd'|'sgd'|'newton'`` has the minimiser of the direct
solvers::

    L(θ, b) = 1/(2 Σw) [ Σᵢ wᵢ (yᵢ - xᵢᵀθ - b)² + α ‖θ‖² ]

(the normalisation by ``Σw`` makes learning rates independent of the number of
samples).  ``X`` and ``y`` are shifted by fixed offsets (their weighted means in
``fit``), which conditions the problem (the intercept decouples from ``θ``) without
copying ``X``: the shift is folded into the residuals and the gradient of each batch.

The functions here are pure: they take arrays and options (:class:`GradientOptions`,
the estimator's hyper-parameters) and return a
:class:`skdl.utils._results.SolverResult`; the epochs run in
:func:`skdl.optim.gradient_descent`, and the estimator publishes the result.
"""

import copy
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from scipy import linalg
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from skdl.linear_model._lstsq_cov import bread_factors
from skdl.optim import (
    Cosine,
    FeatureScaleWarning,
    InverseDecay,
    MinibatchIterator,
    Newton,
    get_rule,
    gradient_descent,
    validation_split,
)
from skdl.utils._results import SolverResult
from skdl.utils._warn import warn

# rows used to estimate the curvature and the feature scales (deterministic subsample)
_SUBSAMPLE = 10_000
# 'auto' learning rates of the adaptive rules (their step is about η per coordinate,
# whatever the scale of the gradient); the plain-gradient rules get 1/L
_AUTO_ADAPTIVE_LR = {"adagrad": 0.1, "rmsprop": 0.01, "adadelta": 1.0, "adam": 0.01}
# feature standard deviations further apart than this ratio trigger a warning
_SCALE_RATIO = 1e2


def _subsample_rows(n, rng):
    if n <= _SUBSAMPLE:
        return slice(None)
    return np.sort(rng.choice(n, _SUBSAMPLE, replace=False))


def _curvature(X, sample_weight, x_offset, fit_intercept, alpha_max, sw_total, rows,
               n_power=30):
    """Largest curvature ``L`` of the full-batch loss and ``L_max``, the largest of
    one sample's, both estimated on ``rows`` (the top eigenvalue of the Gram matrix
    of those rows; power iteration beyond 2000 features).

    Also returns the weighted root mean squares of the shifted features on those rows
    (their standard deviations when ``x_offset`` is the mean).
    """
    Xs = np.asarray(X[rows], dtype=np.float64) - x_offset
    w = None if sample_weight is None else sample_weight[rows]
    if w is not None:
        keep = w > 0
        Xs, w = Xs[keep], w[keep]
    m, d = Xs.shape
    if m == 0:
        return 1.0, 1.0, np.ones(d)
    sws = float(m) if w is None else float(w.sum())
    row_sq = np.einsum("ij,ij->i", Xs, Xs)
    ridge = alpha_max / sw_total
    L_max = float(row_sq.max()) + ridge + (1.0 if fit_intercept else 0.0)
    Xw = Xs if w is None else Xs * w[:, None]
    if d <= 2000:
        # exact top eigenvalue of H = XsᵀWXs / Σw
        lam = float(linalg.eigvalsh(Xw.T @ Xs / sws, subset_by_index=[d - 1, d - 1])[0])
    else:
        # power iteration from a fixed start (deterministic); the Rayleigh quotient
        # is at most the top eigenvalue
        v = np.ones(d) / np.sqrt(d)
        lam = 0.0
        for _ in range(n_power):
            hv = Xw.T @ (Xs @ v) / sws
            lam = float(v @ hv)
            nrm = np.linalg.norm(hv)
            if nrm == 0:
                break
            v = hv / nrm
    L = lam + ridge
    if fit_intercept:
        L = max(L, 1.0)
    L = max(L, np.finfo(float).tiny)
    std = np.sqrt(np.average(Xs**2, axis=0, weights=w))
    return L, max(L_max, L), std


def _auto_learning_rate(rule_name, L, L_max, n, batch_size, momentum=0.0):
    """Step size of the plain-gradient rules: ``1/L`` for full-batch descent, and
    ``1/(2 L(b))`` for minibatches of size ``b`` (the step of Gower et al. 2019, "SGD:
    general analysis and improved rates", Thm. 3.1), with the expected smoothness
    ``L(b) = n(b-1)/(b(n-1)) L + (n-b)/(b(n-1)) L_max`` (their Prop. 3.8;
    ``L(n) = L``, ``L(1) = L_max``).

    With momentum ``γ`` on minibatches the step is ``(1-γ)/(2 L(b))``, so that the
    effective step ``η/(1-γ)`` (and with it the gradient noise) is plain SGD's;
    full-batch heavy-ball descent keeps ``1/L`` (stable up to ``2(1+γ)/L``)."""
    if rule_name in _AUTO_ADAPTIVE_LR:
        return _AUTO_ADAPTIVE_LR[rule_name]
    b = min(batch_size, n)
    if b >= n or n <= 1:
        return 1.0 / L
    Lb = n * (b - 1) / (b * (n - 1)) * L + (n - b) / (b * (n - 1)) * L_max
    return (1.0 - momentum) / (2.0 * Lb)


# below this largest feature standard deviation the intercept's unit curvature caps the
# step so far under the features' 1/L that they cannot move in float64 (ratio 1e-16)
_MIN_SCALE_WITH_INTERCEPT = 1e-8


def _check_feature_scales(std, fit_intercept=False, solver="gd"):
    """Raise when the features are too small beside the intercept for gradient steps
    to move them; warn when their scales differ by orders of magnitude."""
    top = float(std.max()) if std.size else 0.0
    if fit_intercept and 0 < top < _MIN_SCALE_WITH_INTERCEPT:
        raise ValueError(
            f"solver={solver!r} cannot fit these features: their standard deviations are "
            f"at most {top:.3g}, so beside the intercept (curvature 1) the gradient "
            f"steps on their coefficients are smaller than float64 resolves (the "
            f"features' curvature is {top * top:.1e}). Standardise X (StandardScaler), or "
            "use solver='auto', 'svd' or 'newton', which fit any scale."
        )
    nz = std[std > 1e-12 * max(top, np.finfo(float).tiny)] if std.size else std
    if nz.size >= 2 and nz.max() / nz.min() > _SCALE_RATIO:
        warn(
            f"The feature scales differ by orders of magnitude (standard deviations "
            f"from {nz.min():.3g} to {nz.max():.3g}): gradient descent converges slowly "
            "on such data. Standardise the features first, e.g. "
            "make_pipeline(StandardScaler(), ...) with sklearn.preprocessing.StandardScaler.",
            FeatureScaleWarning,
        )


def _r2_score(X, Y, sample_weight, params):
    """Weighted R² (averaged over targets) of the shifted model ``params`` on (X, Y)."""
    b = params[1] if len(params) > 1 else 0.0
    rss = _weighted_rss(X, Y, sample_weight, params[0], b)
    ybar = np.average(Y, axis=0, weights=sample_weight)
    tss = (np.ones(1) if sample_weight is None else sample_weight[:, None]) * (Y - ybar) ** 2
    tss = tss.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(tss > 0, 1 - rss / tss, np.where(rss > 0, 0.0, 1.0))
    return float(np.mean(r2))


def _least_squares(X, Y, sample_weight, alphas, params, x_offset, y_offset, sw_total):
    """The (ridge) least-squares problem as :func:`skdl.optim.gradient_descent` takes it.

    ``X`` (n, d), float32 or float64, is never copied nor modified: index-array batches
    are gathered, slice batches are views, and the shift by ``x_offset`` is folded into
    the residuals and the gradient (two length-d operations).  ``params`` is
    ``[coef (k, d)]`` or ``[coef (k, d), intercept (k,)]`` (intercept in the shifted
    coordinates), read at each call.  Returns ``(loss_grad, objective)``: a batch's
    ``½ Σ wᵢ rᵢ²`` with the gradients of the loss ``L`` above, and the epoch's ``L``
    from the sum of those (the penalty at the epoch's end).
    """
    coef = params[0]
    has_b = len(params) > 1
    reg = bool(np.any(alphas))
    alpha_col = (alphas / sw_total)[:, None]
    shift = bool(np.any(x_offset))
    w_per_sample = sw_total / X.shape[0]

    def loss_grad(idx):
        Xb = X[idx] if isinstance(idx, slice) else X.take(idx, axis=0)
        R = Xb @ coef.T
        if shift:
            R -= coef @ x_offset
        if has_b:
            R += params[1]
        R -= Y[idx]
        R += y_offset
        if sample_weight is None:
            Rw, swb = R, float(R.shape[0])
        else:
            # unbiased minibatch estimate of the weighted gradient: the batch's share of
            # Σw is its share of the samples (exact for a full batch)
            Rw = R * sample_weight[idx][:, None]
            swb = R.shape[0] * w_per_sample
        loss = 0.5 * float(np.vdot(Rw, R))
        g_coef = Rw.T @ Xb
        s_r = Rw.sum(axis=0)
        if shift:
            g_coef -= np.outer(s_r, x_offset)
        g_coef /= swb
        if reg:
            g_coef += alpha_col * coef
        if not has_b:
            return loss, [g_coef]
        s_r /= swb
        return loss, [g_coef, s_r]

    def objective(total):
        return (total + 0.5 * float(np.sum(alphas * np.einsum("kd,kd->k", coef, coef)))) / (
            sw_total
        )

    return loss_grad, objective


def _solve_newton(xx, xy, yy, sw, alphas, coef0, learning_rate=1.0):
    """Newton's method on centred Gram statistics (note 001 eqs. 6.7, 6.11).

    ``H = (XᵀWX + αI)/Σw``, ``g = H θ₀ - XᵀWy/Σw``; a full step (``η = 1``) lands on
    the exact minimiser from any ``θ₀``.  One Newton rule per target (the Hessian
    depends on that target's ``α``).

    Returns ``coef`` (k, d), the losses at ``θ₀`` (k,), and ``[(targets, F)]`` with
    ``F Fᵀ = (XᵀWX + αI)⁻¹`` per distinct alpha (the pseudo-inverse when singular:
    :func:`skdl.linear_model._lstsq_cov.bread_factors`).
    """
    d, k = xy.shape
    coef = np.array(coef0, dtype=np.float64, copy=True).reshape(k, d)
    losses = np.empty(k)
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        A = xx.copy()
        A.flat[:: d + 1] += alpha
        H = A / sw
        for j in targets:
            th = coef[j]
            losses[j] = 0.5 * (yy[j] - 2 * th @ xy[:, j] + th @ A @ th) / sw
            grad = H @ th - xy[:, j] / sw
            Newton(learning_rate=learning_rate).step([th], [grad], hessian=H)
    # the bread's factors by the rank decision of solver='auto' (pinv when singular:
    # an unchecked Cholesky of an exactly singular matrix can succeed by rounding)
    factors = bread_factors(xx, alphas)
    return coef, losses, factors


def _weighted_rss(X, Y, sample_weight, coef, intercept, block_rows=8192):
    """``Σ wᵢ rᵢ²`` per target for the final parameters, by row blocks."""
    rss = np.zeros(Y.shape[1])
    for start in range(0, X.shape[0], block_rows):
        sl = slice(start, start + block_rows)
        R = Y[sl] - (X[sl] @ coef.T + intercept)
        w = 1.0 if sample_weight is None else sample_weight[sl, None]
        rss += (w * R * R).sum(axis=0)
    return rss


# --------------------------------------------------------------------------- #
# options -> update rule -> solve -> SolverResult                              #
# --------------------------------------------------------------------------- #
GRADIENT_SOLVERS = ("gd", "sgd", "newton")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam")
SCHEDULES = ("constant", "inverse", "cosine")


# epochs of the gradient solvers when max_iter=None (sklearn's Ridge default: the
# solver decides)
DEFAULT_MAX_EPOCHS = 1000


@dataclass(frozen=True)
class GradientOptions:
    """The hyper-parameters of ``solver='gd'|'sgd'`` (the estimators' parameters of the
    same names), so that the solvers take values, not an estimator."""

    solver: str
    optimizer: Any
    learning_rate_init: Any
    learning_rate: Any
    max_iter: Any
    tol: float
    batch_size: Any
    shuffle: bool
    early_stopping: bool
    validation_fraction: float
    n_iter_no_change: int
    random_state: Any
    fit_intercept: bool

    @classmethod
    def from_params(cls, params):
        """The options from an estimator's ``get_params(deep=False)``."""
        return cls(**{f.name: params[f.name] for f in fields(cls)})


def max_epochs(options):
    """``max_iter`` for the gradient solvers (None: 1000 epochs)."""
    return DEFAULT_MAX_EPOCHS if options.max_iter is None else options.max_iter


def _make_schedule(schedule, n_batches, max_iter):
    if not isinstance(schedule, str):
        return copy.deepcopy(schedule)
    if schedule == "constant":
        return None
    if schedule == "inverse":
        # η₀ / (1 + t/i₀) with i₀ one epoch of updates (note 002: η_d = 1/i₀)
        return InverseDecay(decay=1.0 / n_batches)
    return Cosine(t_max=max_iter * n_batches)  # "cosine": anneal to 0 over max_iter epochs


def _make_rule(options, L, L_max, n, batch_size, n_batches):
    """The update rule of ``options`` (a copy of an instance) with its learning rate
    ('auto': from the curvature bounds ``L``, ``L_max``) and schedule; and whether the
    rate was chosen automatically."""
    opt = options.optimizer
    if isinstance(opt, str):
        name = opt
        rule = None
    else:
        if isinstance(opt, Newton) or not hasattr(opt, "step"):
            raise ValueError(
                f"optimizer must be one of {list(OPTIMIZERS)} or a first-order "
                f"skdl.optim.UpdateRule instance; got {opt!r} (Newton's rule needs a "
                "Hessian: use solver='newton')."
            )
        rule = copy.deepcopy(opt)
        rule.reset()
        name = getattr(rule, "name", None)
    lr_auto = isinstance(options.learning_rate_init, str)  # "auto"
    if lr_auto:
        gamma = 0.9 if name in ("momentum", "nesterov") else 0.0  # the rules' default γ
        lr = _auto_learning_rate(name, L, L_max, n, batch_size, gamma) if rule is None else None
    else:
        lr = float(options.learning_rate_init)
    schedule = _make_schedule(options.learning_rate, n_batches, max_epochs(options))
    if rule is None:
        rule = get_rule(name, learning_rate=lr, schedule=schedule)
    else:
        if lr is not None:
            rule.learning_rate = lr
        else:
            lr_auto = False  # the instance's own learning rate is used
        if not (isinstance(options.learning_rate, str) and options.learning_rate == "constant"):
            rule.schedule = schedule
    return rule, lr_auto


def _weighted_mean(A, w):
    if w is None:
        return np.asarray(A.mean(axis=0), dtype=np.float64)
    return (w @ A) / w.sum()


def _prepare(options, X, Y, sample_weight, alphas, rng):
    """Offsets, curvature, scale warning: what both 'fit' and a first 'partial_fit' need."""
    n = X.shape[0]
    if options.fit_intercept:
        x_off = _weighted_mean(X, sample_weight)
        y_off = _weighted_mean(Y, sample_weight)
    else:
        x_off = np.zeros(X.shape[1])
        y_off = np.zeros(Y.shape[1])
    sw = float(n) if sample_weight is None else float(sample_weight.sum())
    rows = _subsample_rows(n, rng)
    L, L_max, std = _curvature(
        X, sample_weight, x_off, options.fit_intercept, float(np.max(alphas)), sw, rows
    )
    _check_feature_scales(std, options.fit_intercept, options.solver)
    return x_off, y_off, sw, L, L_max


def _check_weights(sample_weight):
    if sample_weight is not None and not sample_weight.sum() > 0:
        raise ValueError("The sample weights sum to zero: there is nothing to fit.")


def fit_newton(stats, alphas, fit_intercept, warm_coef=None):
    """``solver='newton'``: one Newton step from zero (or ``warm_coef``, when its shape
    fits) on the centred Gram statistics ``stats`` of ``_lstsq._gram_statistics``.

    Returns a :class:`SolverResult` in float64 (``coef`` (k, d), ``intercept`` (k,));
    ``diagnostics``: ``loss_curve`` (the loss at the start), ``std_factors`` (see
    :func:`_solve_newton`), ``x_mean``, ``sw``, ``learning_rate``, ``solver``.  The
    residual sum of squares is the caller's (it owns the RSS from the statistics).
    """
    d, k = stats["xy"].shape
    coef0 = np.zeros((k, d))
    if warm_coef is not None:
        prev = np.asarray(warm_coef, dtype=np.float64).reshape(-1, d)
        if prev.shape == coef0.shape:
            coef0 = prev
    coef, losses, factors = _solve_newton(
        stats["xx"], stats["xy"], stats["yy"], stats["sw"], alphas, coef0
    )
    intercept = stats["y_mean"] - coef @ stats["x_mean"] if fit_intercept else np.zeros(k)
    return SolverResult(coef, intercept, n_iter=1, diagnostics={
        "loss_curve": [float(losses.sum())],
        "learning_rate": 1.0,
        "std_factors": factors,
        "x_mean": stats["x_mean"],
        "sw": stats["sw"],
        "solver": "newton",
    })


def _batching(options, n_tr, solver):
    if solver == "gd":
        return n_tr
    return min(200, n_tr) if options.batch_size == "auto" else min(options.batch_size, n_tr)


def _start(options, X_tr, Y_tr, w_tr, alphas, rng, warm, batch_size):
    """The state of a fresh gradient fit: offsets, rule, initial parameters."""
    n_tr, d = X_tr.shape
    k = Y_tr.shape[1]
    x_off, y_off, _, L, L_max = _prepare(options, X_tr, Y_tr, w_tr, alphas, rng)
    rule, lr_auto = _make_rule(options, L, L_max, n_tr, batch_size, -(-n_tr // batch_size))
    coef = np.zeros((k, d))
    b = np.zeros(k)
    if warm is not None and np.asarray(warm[0]).reshape(-1, d).shape == (k, d):
        coef = np.asarray(warm[0], dtype=np.float64).reshape(k, d).copy()
        b = np.asarray(warm[1], dtype=np.float64).reshape(k) - y_off + coef @ x_off
    params = [coef, b] if options.fit_intercept else [coef]
    return {"params": params, "x_off": x_off, "y_off": y_off, "rng": rng,
            "rule": rule, "lr_auto": lr_auto, "n_iter": 0, "loss_curve": []}


def fit_gradient(X, y, sample_weight, alphas, options, *, warm=None, state=None,
                 partial=False):
    """``solver='gd'|'sgd'`` on (X, y); ``partial=True``: one epoch of 'sgd', continuing
    ``state`` (the ``diagnostics["state"]`` of an earlier 'sgd' result; None: a first
    call), which is copied, not modified.

    ``warm`` is ``(coef_, intercept_)`` of a previous fit to start from (when its shape
    fits), or None.  Returns a :class:`SolverResult` in float64 (``coef`` (k, d),
    ``intercept`` (k,)); ``diagnostics``: ``loss_curve`` (all calls' with
    ``partial``), ``rss`` (per target, on all of X), ``sw``, ``x_mean`` (the shift),
    ``solver``, ``std_factors`` (None), ``learning_rate``, ``optimizer`` (the rule),
    ``state`` ('sgd': for the next partial call), and without ``partial``
    ``validation_scores`` and ``best_validation_score``.
    """
    _check_weights(sample_weight)
    solver = "sgd" if partial else options.solver
    Y = np.asarray(y.reshape(-1, 1) if y.ndim == 1 else y, dtype=np.float64)
    n, d = X.shape
    k = Y.shape[1]
    if state is not None:
        if state["params"][0].shape != (k, d):
            raise ValueError(
                f"partial_fit got y with {k} target(s) but the model was fitted on "
                f"{state['params'][0].shape[0]}."
            )
        # the rule and iterate continue in a copy (a failed call leaves the estimator's
        # untouched); the generator stays the same object, as sklearn's SGD keeps
        # drawing from a RandomState instance passed as random_state
        rng = state["rng"]
        state = copy.deepcopy(state, memo={id(rng): rng})
    rng = check_random_state(options.random_state) if state is None else state["rng"]

    validation = None
    X_tr, Y_tr, w_tr = X, Y, sample_weight
    if options.early_stopping and not partial:
        tr, va = validation_split(n, options.validation_fraction, rng)
        X_tr, Y_tr = X[tr], Y[tr]
        w_tr = None if sample_weight is None else sample_weight[tr]
        if w_tr is not None and not w_tr.sum() > 0:
            raise ValueError("The training part of the early-stopping split has zero weight.")
        validation = (X[va], Y[va], None if sample_weight is None else sample_weight[va])
    n_tr = X_tr.shape[0]
    batch_size = _batching(options, n_tr, solver)
    if state is None:
        state = _start(options, X_tr, Y_tr, w_tr, alphas, rng, warm, batch_size)
    x_off, y_off, rule, params = state["x_off"], state["y_off"], state["rule"], state["params"]
    sw = float(n_tr) if w_tr is None else float(w_tr.sum())

    if solver == "gd":
        batches = [slice(None)]
    else:
        batches = MinibatchIterator(n_tr, batch_size, shuffle=options.shuffle, random_state=rng)
    score = None
    if validation is not None:
        Xv, Yv, wv = validation[0] - x_off, validation[1] - y_off, validation[2]

        def score(p):
            return _r2_score(Xv, Yv, wv, p)

    patience = options.n_iter_no_change
    gamma = getattr(rule, "momentum", 0.0)
    if solver == "gd" and 0 < gamma < 1:
        # a heavy ball's loss oscillates on the time scale of its memory 1/(1-γ)
        # (note 000 §1.5): count the patience in units of that memory
        patience *= int(np.ceil(1.0 / (1.0 - gamma)))

    loss_grad, objective = _least_squares(X_tr, Y_tr, w_tr, alphas, params, x_off, y_off, sw)
    max_iter = 1 if partial else max_epochs(options)
    res = gradient_descent(
        loss_grad, params, rule, batches, max_iter=max_iter, tol=options.tol,
        n_iter_no_change=patience, objective=objective, validation_score=score,
        loss_scale=state.get("loss_scale"), track_loss_with_validation=False,
        solver=solver, lr_auto=state["lr_auto"],
    )
    info = res.diagnostics
    if not info["converged"] and not partial:
        warn(
            f"solver={solver!r} stopped at max_iter={max_iter} before the loss settled "
            f"(tol={options.tol}, n_iter_no_change={patience}): the fit has not "
            "converged. Increase max_iter, increase learning_rate_init, or loosen tol.",
            ConvergenceWarning,
        )
    state["loss_scale"] = info["loss_scale"]
    state["n_iter"] += res.n_iter
    state["loss_curve"] = state["loss_curve"] + info["loss_curve"]
    coef = params[0]
    intercept = y_off + (params[1] if options.fit_intercept else 0.0) - coef @ x_off
    if not options.fit_intercept:
        intercept = np.zeros(k)
    diagnostics = {
        "loss_curve": list(state["loss_curve"]),
        "rss": _weighted_rss(X, Y, sample_weight, coef, intercept),
        "sw": float(n) if sample_weight is None else float(sample_weight.sum()),
        "x_mean": x_off,
        "solver": solver,
        "std_factors": None,
        "learning_rate": rule.learning_rate,
        "optimizer": rule,
        "state": state if solver == "sgd" else None,
    }
    if not partial:
        diagnostics["validation_scores"] = info["validation_scores"]
        diagnostics["best_validation_score"] = info["best_validation_score"]
    return SolverResult(coef.copy(), intercept, n_iter=state["n_iter"], diagnostics=diagnostics)
