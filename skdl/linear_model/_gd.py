"""Gradient solvers of least squares and ridge (note 001 §6.4-6.7, note 002, note 000 §1).

The objective of ``solver='gd'|'sgd'|'newton'`` has the minimiser of the direct
solvers::

    L(θ, b) = 1/(2 Σw) [ Σᵢ wᵢ (yᵢ - xᵢᵀθ - b)² + α ‖θ‖² ]

(the normalisation by ``Σw`` makes learning rates independent of the number of
samples).  ``X`` and ``y`` are shifted by fixed offsets (their weighted means in
``fit``), which conditions the problem (the intercept decouples from ``θ``) without
copying ``X``: the shift is folded into the residuals and the gradient of each batch.

The functions here are pure: they take arrays and an update rule from
:mod:`skdl.optim` and return the fitted parameters and the loss curve.
"""

import copy

import numpy as np
from scipy import linalg
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from skdl.optim import (
    Cosine,
    DivergenceError,
    FeatureScaleWarning,
    InverseDecay,
    MinibatchIterator,
    Newton,
    get_rule,
)
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


def _divergence(loss, epoch, solver, rule, lr_auto, start=None):
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


# a loss this many times its first value means divergence, whatever the patience
_BLOW_UP = 1e6


def _solve_gd(
    X,
    Y,
    sample_weight,
    alphas,
    params,
    rule,
    batches,
    *,
    x_offset,
    y_offset,
    sw_total,
    max_iter,
    tol,
    n_iter_no_change,
    validation=None,
    solver="gd",
    lr_auto=False,
    warn_convergence=True,
    loss_scale=None,
):
    """Minimise the (ridge) least-squares loss by an update rule, in place on ``params``.

    Parameters
    ----------
    X : ndarray (n, d), float32 or float64
        Design, never copied nor modified: index-array batches are gathered, slice
        batches are views, and the shift by ``x_offset`` is folded into the
        residuals and the gradient.
    Y : ndarray (n, k)
        Targets.
    sample_weight : ndarray (n,) or None
    alphas : ndarray (k,)
        Ridge penalties per target.
    params : list of ndarray
        ``[coef (k, d)]`` or ``[coef (k, d), intercept (k,)]`` (intercept in the
        shifted coordinates), float64, updated in place.
    rule : skdl.optim.UpdateRule
    batches : iterable of index arrays or slices, re-iterable (one epoch each)
        A single ``slice(None)`` for full-batch gradient descent.
    x_offset, y_offset : ndarray
        Shifts applied to X and Y.
    sw_total : float
        ``Σw`` of the training data (normalisation of the loss and of the penalty).
    max_iter, tol, n_iter_no_change :
        Stopping: at most ``max_iter`` epochs; stop when the training loss has not
        decreased by ``tol × (initial loss)`` for ``n_iter_no_change`` epochs in a
        row (or, with ``validation``, when the validation R² has not increased by
        ``tol``).
    validation : tuple (X_val, Y_val, w_val) or None
        Early stopping on the R² of this set (already shifted by the offsets); the
        best parameters are restored.

    loss_scale : float or None
        Loss of reference for ``tol`` and for detecting divergence; ``None``: the
        first epoch's loss.

    Raises
    ------
    DivergenceError
        When the loss becomes NaN or infinite, exceeds ``1e6 × loss_scale``, or the
        stopping rule fires while the loss is above both ``loss_scale`` and ten
        times its best value (it is growing, not settling).

    Returns
    -------
    info : dict
        ``loss_scale``, ``loss_curve`` (list), ``n_iter``, ``converged`` (bool),
        ``validation_scores`` (list or None), ``best_validation_score``.
    """
    coef = params[0]
    has_b = len(params) > 1
    reg = bool(np.any(alphas))
    alpha_col = (alphas / sw_total)[:, None]
    loss_curve = []
    val_scores = [] if validation is not None else None
    best_loss, best_score, best_params = np.inf, -np.inf, None
    no_improve = 0
    converged = False
    scale = loss_scale
    shift = bool(np.any(x_offset))
    w_per_sample = sw_total / X.shape[0]
    for epoch in range(max_iter):
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for idx in batches:
                # gathered (a copy) or a view; never modified: the shift by x_offset is
                # folded into the intercept and the gradient (two length-d operations)
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
                    # unbiased minibatch estimate of the weighted gradient: the batch's
                    # share of Σw is its share of the samples (exact for a full batch)
                    Rw = R * sample_weight[idx][:, None]
                    swb = R.shape[0] * w_per_sample
                total += 0.5 * float(np.vdot(Rw, R))
                g_coef = Rw.T @ Xb
                s_r = Rw.sum(axis=0)
                if shift:
                    g_coef -= np.outer(s_r, x_offset)
                g_coef /= swb
                if reg:
                    g_coef += alpha_col * coef
                if has_b:
                    s_r /= swb
                    rule.step(params, [g_coef, s_r])
                else:
                    rule.step(params, [g_coef])
            loss = (total + 0.5 * float(np.sum(alphas * np.einsum("kd,kd->k", coef, coef)))) / (
                sw_total
            )
        if not np.isfinite(loss) or not np.all(np.isfinite(coef)):
            raise _divergence(loss if not np.isfinite(loss) else np.inf, epoch, solver, rule,
                              lr_auto)
        if scale is None:
            scale = max(loss, np.finfo(float).tiny)
        if loss > _BLOW_UP * scale:
            raise _divergence(loss, epoch, solver, rule, lr_auto, start=scale)
        loss_curve.append(loss)
        if validation is not None:
            score = _r2_score(*validation, params)
            val_scores.append(score)
            no_improve = no_improve + 1 if score < best_score + tol else 0
            if score > best_score:
                best_score = score
                best_params = [p.copy() for p in params]
        else:
            no_improve = no_improve + 1 if loss > best_loss - tol * scale else 0
            best_loss = min(best_loss, loss)
        if no_improve >= n_iter_no_change:
            if loss > scale and loss > 10 * best_loss:
                raise _divergence(loss, epoch, solver, rule, lr_auto, start=best_loss)
            converged = True
            break
    if validation is not None and best_params is not None:
        for p, q in zip(params, best_params, strict=True):
            p[...] = q
    if not converged and warn_convergence:
        warn(
            f"solver={solver!r} stopped at max_iter={max_iter} before the loss settled "
            f"(tol={tol}, n_iter_no_change={n_iter_no_change}): the fit has not "
            "converged. Increase max_iter, increase learning_rate_init, or loosen tol.",
            ConvergenceWarning,
        )
    return {
        "loss_scale": scale,
        "loss_curve": loss_curve,
        "n_iter": len(loss_curve),
        "converged": converged,
        "validation_scores": val_scores,
        "best_validation_score": best_score if validation is not None else None,
    }


def _solve_newton(xx, xy, yy, sw, alphas, coef0, learning_rate=1.0):
    """Newton's method on centred Gram statistics (note 001 eqs. 6.7, 6.11).

    ``H = (XᵀWX + αI)/Σw``, ``g = H θ₀ - XᵀWy/Σw``; a full step (``η = 1``) lands on
    the exact minimiser from any ``θ₀``.  One Newton rule per target (the Hessian
    depends on that target's ``α``).

    Returns ``coef`` (k, d), the losses at ``θ₀`` (k,), and the factors ``U⁻¹`` of
    ``(XᵀWX + αI) = UᵀU`` per distinct alpha (``None`` when not positive definite).
    """
    d, k = xy.shape
    coef = np.array(coef0, dtype=np.float64, copy=True).reshape(k, d)
    losses = np.empty(k)
    factors = []
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
        try:
            c = linalg.cholesky(A, lower=False, check_finite=False)
            u_inv = linalg.solve_triangular(c, np.eye(d), lower=False, check_finite=False)
            factors.append((targets, u_inv))
        except linalg.LinAlgError:
            factors = None
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


def _split_validation(n, validation_fraction, rng):
    n_val = int(np.ceil(validation_fraction * n))
    if n_val < 1 or n - n_val < 1:
        raise ValueError(
            f"early_stopping=True needs at least one training and one validation sample: "
            f"validation_fraction={validation_fraction} of n_samples={n} leaves "
            f"{n - n_val} for training and {n_val} for validation."
        )
    perm = rng.permutation(n)
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


# --------------------------------------------------------------------------- #
# estimator glue: parameters -> solver inputs -> fitted attributes            #
# --------------------------------------------------------------------------- #
GRADIENT_SOLVERS = ("gd", "sgd", "newton")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam")
SCHEDULES = ("constant", "inverse", "cosine")


# epochs of the gradient solvers when max_iter=None (sklearn's Ridge default: the
# solver decides)
DEFAULT_MAX_EPOCHS = 1000


def max_epochs(est):
    """The estimator's ``max_iter`` for the gradient solvers (None: 1000 epochs)."""
    return DEFAULT_MAX_EPOCHS if est.max_iter is None else est.max_iter


def _make_schedule(schedule, n_batches, max_iter):
    if not isinstance(schedule, str):
        return copy.deepcopy(schedule)
    if schedule == "constant":
        return None
    if schedule == "inverse":
        # η₀ / (1 + t/i₀) with i₀ one epoch of updates (note 002: η_d = 1/i₀)
        return InverseDecay(decay=1.0 / n_batches)
    return Cosine(t_max=max_iter * n_batches)  # "cosine": anneal to 0 over max_iter epochs


def _make_rule(est, L, L_max, n, batch_size, n_batches):
    opt = est.optimizer
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
    lr_auto = isinstance(est.learning_rate_init, str)  # "auto"
    if lr_auto:
        gamma = 0.9 if name in ("momentum", "nesterov") else 0.0  # the rules' default γ
        lr = _auto_learning_rate(name, L, L_max, n, batch_size, gamma) if rule is None else None
    else:
        lr = float(est.learning_rate_init)
    schedule = _make_schedule(est.learning_rate, n_batches, max_epochs(est))
    if rule is None:
        rule = get_rule(name, learning_rate=lr, schedule=schedule)
    else:
        if lr is not None:
            rule.learning_rate = lr
        else:
            lr_auto = False  # the instance's own learning rate is used
        if not (isinstance(est.learning_rate, str) and est.learning_rate == "constant"):
            rule.schedule = schedule
    return rule, lr_auto


def _weighted_mean(A, w):
    if w is None:
        return np.asarray(A.mean(axis=0), dtype=np.float64)
    return (w @ A) / w.sum()


def _prepare(est, X, Y, sample_weight, alphas, rng):
    """Offsets, curvature, scale warning: what both 'fit' and a first 'partial_fit' need."""
    n = X.shape[0]
    if est.fit_intercept:
        x_off = _weighted_mean(X, sample_weight)
        y_off = _weighted_mean(Y, sample_weight)
    else:
        x_off = np.zeros(X.shape[1])
        y_off = np.zeros(Y.shape[1])
    sw = float(n) if sample_weight is None else float(sample_weight.sum())
    rows = _subsample_rows(n, rng)
    L, L_max, std = _curvature(
        X, sample_weight, x_off, est.fit_intercept, float(np.max(alphas)), sw, rows
    )
    _check_feature_scales(std, est.fit_intercept, est.solver)
    return x_off, y_off, sw, L, L_max


def _check_weights(sample_weight):
    if sample_weight is not None and not sample_weight.sum() > 0:
        raise ValueError("The sample weights sum to zero: there is nothing to fit.")


def _finish(est, X, Y, y_ndim, sample_weight, coef, intercept, x_mean, sw, solver_used):
    """Set the fitted attributes shared with the direct solvers."""
    k = Y.shape[1]
    rss = _weighted_rss(X, Y, sample_weight, coef, intercept)
    dtype = X.dtype
    est.coef_ = (coef[0] if y_ndim == 1 else coef).astype(dtype, copy=True)
    if est.fit_intercept:
        est.intercept_ = dtype.type(intercept[0]) if y_ndim == 1 else intercept.astype(dtype)
    else:
        est.intercept_ = 0.0 if y_ndim == 1 else np.zeros(k, dtype=dtype)
    sigma2 = rss / sw
    est.sigma2_ = float(sigma2[0]) if y_ndim == 1 else sigma2
    est.solver_ = solver_used
    est._x_mean = x_mean
    est._inv_sw = 1.0 / sw if est.fit_intercept else 0.0


def fit_newton(est, X, y, sample_weight, alphas, gram_statistics, rss_fn):
    """``solver='newton'``: one Newton step from zero (or the warm start)."""
    _check_weights(sample_weight)
    Y = y.reshape(-1, 1) if y.ndim == 1 else y
    k, d = Y.shape[1], X.shape[1]
    stats = gram_statistics(X, Y, sample_weight, est.fit_intercept)
    coef0 = np.zeros((k, d))
    if est.warm_start and getattr(est, "coef_", None) is not None:
        prev = np.asarray(est.coef_, dtype=np.float64).reshape(-1, d)
        if prev.shape == coef0.shape:
            coef0 = prev
    coef, losses, factors = _solve_newton(
        stats["xx"], stats["xy"], stats["yy"], stats["sw"], alphas, coef0
    )
    intercept = stats["y_mean"] - coef @ stats["x_mean"]
    if not est.fit_intercept:
        intercept = np.zeros(k)
    _finish(est, X, Y, y.ndim, sample_weight, coef, intercept, stats["x_mean"], stats["sw"],
            "newton")
    rss = rss_fn(X, Y, sample_weight, coef, stats)
    sigma2 = rss / stats["sw"]
    est.sigma2_ = float(sigma2[0]) if y.ndim == 1 else sigma2
    est._std_factors = factors
    est.n_iter_ = 1
    est.loss_curve_ = [float(losses.sum())]
    est.learning_rate_ = 1.0
    return est


def fit_gradient(est, X, y, sample_weight, alphas, partial=False):
    """``solver='gd'|'sgd'`` (``partial=True``: one epoch of 'sgd', continuing)."""
    _check_weights(sample_weight)
    solver = "sgd" if partial else est.solver
    Y = np.asarray(y.reshape(-1, 1) if y.ndim == 1 else y, dtype=np.float64)
    n, d = X.shape
    k = Y.shape[1]
    state = getattr(est, "_gd_state", None) if partial else None
    if state is not None and state["params"][0].shape != (k, d):
        raise ValueError(
            f"partial_fit got y with {k} target(s) but the model was fitted on "
            f"{state['params'][0].shape[0]}."
        )
    rng = check_random_state(est.random_state) if state is None else state["rng"]

    validation = None
    X_tr, Y_tr, w_tr = X, Y, sample_weight
    if est.early_stopping and not partial:
        tr, va = _split_validation(n, est.validation_fraction, rng)
        X_tr, Y_tr = X[tr], Y[tr]
        w_tr = None if sample_weight is None else sample_weight[tr]
        if w_tr is not None and not w_tr.sum() > 0:
            raise ValueError("The training part of the early-stopping split has zero weight.")
        validation = (X[va], Y[va], None if sample_weight is None else sample_weight[va])
    n_tr = X_tr.shape[0]
    if solver == "gd":
        batch_size = n_tr
    else:
        batch_size = min(200, n_tr) if est.batch_size == "auto" else min(est.batch_size, n_tr)
    n_batches = -(-n_tr // batch_size)

    if state is None:
        x_off, y_off, sw, L, L_max = _prepare(est, X_tr, Y_tr, w_tr, alphas, rng)
        rule, lr_auto = _make_rule(est, L, L_max, n_tr, batch_size, n_batches)
        coef = np.zeros((k, d))
        b = np.zeros(k)
        prev = getattr(est, "coef_", None) if est.warm_start else None
        if prev is not None and np.asarray(prev).reshape(-1, d).shape == (k, d):
            coef = np.asarray(prev, dtype=np.float64).reshape(k, d).copy()
            b = np.asarray(est.intercept_, dtype=np.float64).reshape(k) - y_off + coef @ x_off
        params = [coef, b] if est.fit_intercept else [coef]
        state = {"params": params, "x_off": x_off, "y_off": y_off, "rng": rng,
                 "rule": rule, "lr_auto": lr_auto, "n_iter": 0, "loss_curve": []}
    else:
        x_off, y_off, rule, params = state["x_off"], state["y_off"], state["rule"], state["params"]
        lr_auto = state["lr_auto"]
        sw = float(n_tr) if w_tr is None else float(w_tr.sum())

    if solver == "gd":
        batches = [slice(None)]
    else:
        batches = MinibatchIterator(n_tr, batch_size, shuffle=est.shuffle, random_state=rng)
    if validation is not None:
        validation = (validation[0] - x_off, validation[1] - y_off, validation[2])
    patience = est.n_iter_no_change
    gamma = getattr(rule, "momentum", 0.0)
    if solver == "gd" and 0 < gamma < 1:
        # a heavy ball's loss oscillates on the time scale of its memory 1/(1-γ)
        # (note 000 §1.5): count the patience in units of that memory
        patience *= int(np.ceil(1.0 / (1.0 - gamma)))

    info = _solve_gd(
        X_tr, Y_tr, w_tr, alphas, params, rule, batches,
        x_offset=x_off, y_offset=y_off, sw_total=sw,
        max_iter=1 if partial else max_epochs(est), tol=est.tol,
        n_iter_no_change=patience, validation=validation, solver=solver,
        lr_auto=lr_auto, warn_convergence=not partial, loss_scale=state.get("loss_scale"),
    )
    state["loss_scale"] = info["loss_scale"]
    coef = params[0]
    intercept = y_off + (params[1] if est.fit_intercept else 0.0) - coef @ x_off
    if not est.fit_intercept:
        intercept = np.zeros(k)
    sw_all = float(n) if sample_weight is None else float(sample_weight.sum())
    _finish(est, X, Y, y.ndim, sample_weight, coef, intercept, x_off, sw_all, solver)
    est._std_factors = None
    state["n_iter"] = (state["n_iter"] if partial else 0) + info["n_iter"]
    state["loss_curve"] = (state["loss_curve"] if partial else []) + info["loss_curve"]
    est.n_iter_ = state["n_iter"]
    est.loss_curve_ = list(state["loss_curve"])
    est.optimizer_ = rule
    est.learning_rate_ = rule.learning_rate
    if not partial:
        est.validation_scores_ = info["validation_scores"]
        est.best_validation_score_ = info["best_validation_score"]
    est._gd_state = state if solver == "sgd" else None
    return est
