"""Multinomial (softmax) logistic regression (note 001 §7.8-7.9).

The objective and its gradient are one pure function, :func:`_loss_grad`, of the
flat parameter vector; the solvers are pure functions that minimise it
(:func:`_solve_lbfgs` through ``scipy.optimize.minimize`` with the analytic gradient,
:func:`_solve_newton` by Newton's method with the full Hessian), each returning a
:class:`skdl.utils._results.SolverResult`.  A first-order solver needs nothing more
than ``_loss_grad``: the gradient-descent solvers (:func:`_solve_gd`,
``solver='gd'|'sgd'``) pass it (or its minibatch estimate) to
:func:`skdl.optim.gradient_descent`, the training loop LinearRegression and Ridge use
too, with an update rule built as theirs (``_gd._make_rule``: the optimizer by name or
instance, ``learning_rate_init`` with its ``'auto'`` value, the ``learning_rate``
schedule).

Parameters are ``Θ`` of shape ``(m, p)``, one row per class, with the intercept in
column 0 when ``fit_intercept`` (the over-complete softmax parametrisation of the
notes, as sklearn's multinomial ``LogisticRegression``).  Every function works with
log-sum-exp, so large logits never overflow.

The statistical inference (``cov_type``, ``covariance_``) is
:func:`_softmax_covariance`: the sandwich of the pseudo-inverse Hessian (the softmax's
flat directions projected out) and the scores' outer products, with the
multivariate leverage adjustment of HC2/HC3 in :func:`_adjusted_residuals`.
"""

from numbers import Integral, Real

import numpy as np
from scipy import optimize, sparse
from scipy.sparse.linalg import LinearOperator, eigsh
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from skdl.linear_model import _gd
from skdl.linear_model._inference import COV_TYPES, InferenceMixin, check_groups, sandwich
from skdl.linear_model._logistic import (
    _ACCEPT_SPARSE,
    _FLOATS,
    _as_float64,
    _column_scales,
    _factor,
    _fit_weights,
    _halving_step,
    _solve,
    _warm_start_coef,
    _weighted_gram,
    check_column_magnitudes,
)
from skdl.optim import MinibatchIterator, Schedule, gradient_descent, validation_split
from skdl.utils._atomic import AtomicFitMixin
from skdl.utils._results import SolverResult
from skdl.utils._scale import power_of_two_scales
from skdl.utils._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from skdl.utils._threads import blas_threads
from skdl.utils._warn import warn


# --------------------------------------------------------------------------- #
# objective                                                                    #
# --------------------------------------------------------------------------- #
def _logits(X, coef, intercept):
    z = X @ coef.T
    if intercept is not None:
        z += intercept
    return z


class _Problem:
    """The data of one fit: ``X``, integer labels, weights, penalty and shapes.

    Holds reusable work buffers so that an objective evaluation allocates only
    arrays of size ``n × m`` (the logits) and the gradient.
    """

    def __init__(self, X, y, w, n_classes, alpha, fit_intercept):
        self.X, self.y, self.w = X, y, w
        self.m = n_classes
        self.d = X.shape[1]
        self.off = 1 if fit_intercept else 0
        self.p = self.d + self.off
        self.alpha = float(alpha)
        self.fit_intercept = fit_intercept
        self.sw = float(w.sum())
        self.rows = np.arange(X.shape[0])
        self._scales = None

    @property
    def scales(self):
        """Power-of-two magnitude of the column behind each entry of ``theta``
        (class-major): the Newton solver's convergence test reads ``grad / scales``
        and L-BFGS runs on ``theta * scales``, so that rescaling a column changes
        nothing but its coefficients.  Set by the estimator from the magnitudes it
        checked (one pass over X), else computed here."""
        if self._scales is None:
            self._scales = np.tile(_column_scales(self.X, self.fit_intercept, self.w), self.m)
        return self._scales

    @scales.setter
    def scales(self, value):
        self._scales = value

    def split(self, theta):
        t = theta.reshape(self.m, self.p)
        return t[:, self.off :], (t[:, 0] if self.fit_intercept else None)

    def _logits_t(self, coef, intercept):
        """Logits in the ``(m, n)`` layout: reductions over classes then run over m
        contiguous rows of length n (vectorised), not over n short rows of length m."""
        if sparse.issparse(self.X):
            zt = np.ascontiguousarray((self.X @ coef.T).T)
        else:
            zt = coef @ self.X.T
        if intercept is not None:
            zt += intercept[:, None]
        return zt

    def loss_grad(self, theta):
        """Objective ``(Σ wᵢ (-log π_{i yᵢ}) + α/2 ‖coef‖²) / Σw`` and its gradient.

        Two GEMMs (the logits and the gradient ``(Π - Y)ᵀ W X``) and a few passes
        over the ``(m, n)`` logits; log-sum-exp throughout.
        """
        coef, intercept = self.split(theta)
        zt = self._logits_t(coef, intercept)
        zt -= zt.max(axis=0)
        z_true = zt[self.y, self.rows]
        np.exp(zt, out=zt)
        s = zt.sum(axis=0)
        # -log π_{i,yᵢ} = log Σ_c exp(z_ic) - z_{i,yᵢ}  (shifted logits: no overflow)
        loss = float((np.log(s) - z_true) @ self.w)
        # zt ← wᵢ (πᵢ - Yᵢ)ᵀ
        zt *= self.w / s
        zt[self.y, self.rows] -= self.w
        grad = np.empty((self.m, self.p))
        grad[:, self.off :] = (self.X.T @ zt.T).T if sparse.issparse(self.X) else zt @ self.X
        if self.fit_intercept:
            grad[:, 0] = zt.sum(axis=1)
        if self.alpha > 0:
            loss += 0.5 * self.alpha * float(np.sum(coef * coef))
            grad[:, self.off :] += self.alpha * coef
        return loss / self.sw, grad.ravel() / self.sw

    def loss_grad_batch(self, theta, idx):
        """Mini-batch estimate of :meth:`loss_grad` from the rows ``idx`` (for SGD).

        The data term is averaged over the batch's weights, the penalty is the full
        one (``α coef / Σw``), so the estimate is unbiased for uniformly drawn
        batches and equals :meth:`loss_grad` when ``idx`` holds every row.
        """
        sub = _Problem(self.X[idx], self.y[idx], self.w[idx], self.m, 0.0, self.fit_intercept)
        loss, grad = sub.loss_grad(theta)
        if self.alpha > 0:
            coef, _ = self.split(theta)
            loss += 0.5 * self.alpha * float(np.sum(coef * coef)) / self.sw
            g = grad.reshape(self.m, self.p)
            g[:, self.off :] += self.alpha * coef / self.sw
        return loss, grad

    def separates(self, theta):
        """True when every positively weighted sample scores its own class highest.

        Then scaling ``Θ`` up drives the unpenalised NLL to 0 without reaching it:
        no maximum-likelihood estimate exists (complete separation).
        """
        zt = self._logits_t(*self.split(theta))
        z_true = zt[self.y, self.rows]
        zt[self.y, self.rows] = -np.inf
        active = self.w > 0
        return bool(np.all(z_true[active] > zt.max(axis=0)[active]))

    def loss(self, theta):
        coef, intercept = self.split(theta)
        zt = self._logits_t(coef, intercept)
        zt -= zt.max(axis=0)
        z_true = zt[self.y, self.rows]
        np.exp(zt, out=zt)
        loss = float((np.log(zt.sum(axis=0)) - z_true) @ self.w)
        if self.alpha > 0:
            loss += 0.5 * self.alpha * float(np.sum(coef * coef))
        return loss / self.sw

    def hessian(self, theta):
        """Hessian of the objective (times Σw) ``(m p, m p)``, class-major blocks.

        ``H_kl = Xₐᵀ diag(wᵢ πᵢₖ (δ_kl - πᵢₗ)) Xₐ``: the block diagonal
        ``Xₐᵀ diag(w πₖ) Xₐ`` minus ``Qᵀ diag(w) Q`` with ``Q = [Xₐ π₁, ..., Xₐ πₘ]``,
        both by symmetric rank-k updates (BLAS ``syrk``, numpy's ``Bᵀ @ B``) over row
        blocks.  A sparse ``X``: each block ``Xₐᵀ diag(wᵢ πᵢₖ (δ_kl - πᵢₗ)) Xₐ`` by a
        sparse product, never densifying ``X``.
        """
        coef, intercept = self.split(theta)
        m, p, off = self.m, self.p, self.off
        X, w = self.X, self.w
        if sparse.issparse(X):
            return self._sparse_hessian(coef, intercept)
        n = X.shape[0]
        # row blocks of at most ~4M entries of Q (32 MB)
        b = max(1, min(n, (1 << 22) // (m * p)))
        xa = np.empty((b, p))
        q = np.empty((b, m * p))
        big = np.zeros((m * p, m * p))
        diag = np.zeros((m, p, p))
        for start in range(0, n, b):
            stop = min(start + b, n)
            k = stop - start
            blk = xa[:k]
            if off:
                blk[:, 0] = 1.0
            blk[:, off:] = X[start:stop]
            z = _logits(X[start:stop], coef, intercept)
            pi = np.exp(log_softmax(z, axis=1))
            wb = w[start:stop]
            qb = q[:k]
            np.multiply(
                blk[:, None, :], (pi * np.sqrt(wb)[:, None])[:, :, None], out=qb.reshape(k, m, p)
            )
            big += qb.T @ qb  # numpy: syrk for Bᵀ @ B
            for c in range(m):
                sc = blk * np.sqrt(wb * pi[:, c])[:, None]
                diag[c] += sc.T @ sc
        big = -big
        for c in range(m):
            big[c * p : (c + 1) * p, c * p : (c + 1) * p] += diag[c]
        if self.alpha > 0:
            pen = np.tile(np.r_[np.zeros(off), np.full(self.d, self.alpha)], m)
            big.flat[:: m * p + 1] += pen
        return big

    def _sparse_hessian(self, coef, intercept):
        m, p = self.m, self.p
        pi = np.exp(log_softmax(_logits(self.X, coef, intercept), axis=1))
        big = np.empty((m * p, m * p))
        for k in range(m):
            for j in range(k, m):
                c = self.w * pi[:, k] * ((k == j) - pi[:, j])
                blk = _weighted_gram(self.X, c, self.fit_intercept)
                big[k * p : (k + 1) * p, j * p : (j + 1) * p] = blk
                big[j * p : (j + 1) * p, k * p : (k + 1) * p] = blk.T
        if self.alpha > 0:
            pen = np.tile(np.r_[np.zeros(self.off), np.full(self.d, self.alpha)], m)
            big.flat[:: m * p + 1] += pen
        return big

    def null_space_fix(self, hess):
        """Add ``c · (J/m ⊗ D)`` to lift the softmax's flat directions.

        Adding the same vector ``u`` to every class row leaves the probabilities, hence
        the NLL, unchanged: ``(u, ..., u)`` spans the null space of the Hessian on the
        intercepts (always, as they are unpenalised) and on the coefficients when
        ``alpha == 0``.  The gradient is orthogonal to those directions, so lifting
        them leaves the Newton step unchanged while making the matrix positive
        definite (the iterates keep a zero class-sum).
        """
        m, p = self.m, self.p
        dvec = np.zeros(p)
        if self.fit_intercept:
            dvec[0] = 1.0
        if self.alpha == 0:
            dvec[self.off :] = 1.0
        if not dvec.any():
            return hess
        # per column, the mean of its diagonal entries over the classes: the lift has
        # the scale of the column it lifts (columns may differ by orders of magnitude)
        col = np.diag(hess).reshape(m, p).mean(axis=0)
        dvec *= np.where(col > 0, col, 1.0)
        return hess + np.kron(np.full((m, m), 1.0 / m), np.diag(dvec))


# --------------------------------------------------------------------------- #
# solvers                                                                      #
# --------------------------------------------------------------------------- #
def _initial_theta(prob):
    """Zero coefficients; intercepts at the centred log class frequencies."""
    theta = np.zeros((prob.m, prob.p))
    if prob.fit_intercept:
        freq = np.bincount(prob.y, weights=prob.w, minlength=prob.m) / prob.sw
        logf = np.log(np.clip(freq, 1e-12, None))
        theta[:, 0] = logf - logf.mean()
    return theta.ravel()


def _rms_column_scales(X, w, fit_intercept):
    """Power-of-two weighted root mean square of each column of ``Xₐ = [1, X]``
    (``√(Σ wᵢ xᵢⱼ² / Σ w)``, zeros included; 1 for a zero column and the intercept).

    The curvature of the loss along a coefficient grows with its column's mean square,
    not its largest entry: for a sparse column the two differ by the density, and
    scaling by the largest entry leaves L-BFGS a badly conditioned problem (measured on
    benchmarks/bench_sparse.py data: 117 iterations against 18).  Powers of two keep the
    rescaling exact; the convergence test reads the gradient in these units."""
    sw = float(w.sum())
    if sparse.issparse(X):
        Xa = sparse.csr_array(X)
        sq = np.asarray(Xa.multiply(Xa).T @ w, dtype=np.float64).ravel()
    else:
        sq = np.zeros(X.shape[1])
        for start in range(0, X.shape[0], 4096):
            blk = np.asarray(X[start : start + 4096], dtype=np.float64)
            sq += w[start : start + 4096] @ (blk * blk)
    with np.errstate(over="ignore", invalid="ignore"):
        rms = np.sqrt(sq / sw) if sw > 0 else np.zeros_like(sq)
    scales = power_of_two_scales(rms)
    return np.r_[1.0, scales] if fit_intercept else scales


def _solve_lbfgs(prob, theta0, max_iter, tol):
    """L-BFGS-B (scipy) on the mean objective with the analytic gradient, in the
    coordinates ``theta * scales`` of the columns scaled to unit root mean square (powers of
    two: exact), so that neither its steps nor its ``gtol`` depend on the columns'
    units."""
    scales = prob.scales
    curve = []  # the objective after each iteration
    separated = [False]

    def loss_grad(theta_scaled):
        loss, grad = prob.loss_grad(theta_scaled / scales)
        return loss, grad / scales

    def callback(intermediate_result):
        curve.append(float(intermediate_result.fun))
        if prob.alpha == 0 and prob.separates(intermediate_result.x / scales):
            separated[0] = True
            raise StopIteration

    res = optimize.minimize(
        loss_grad,
        theta0 * scales,
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={
            "maxiter": max_iter,
            "maxls": 50,
            "gtol": tol,
            "ftol": 64 * np.finfo(float).eps,
        },
    )
    converged = res.status != 1  # 1: iteration (or evaluation) limit reached
    # one callback per iteration: len(curve) is the iteration count (also when the
    # callback stopped the run on separation)
    return _result(prob, res.x / scales, len(curve), converged=converged,
                   separated=separated[0], loss_curve=curve)


def _solve_newton(prob, theta0, max_iter, tol):
    """Newton's method with the full ``(m p)²`` Hessian, Cholesky and step-halving."""
    theta = theta0.copy()
    obj, grad = prob.loss_grad(theta)
    curve = []  # the objective after each Newton step
    n_iter = 0
    converged = separated = False
    while True:
        if np.max(np.abs(grad / prob.scales)) <= tol:
            converged = True
            break
        if n_iter >= max_iter:
            break
        hess = prob.null_space_fix(prob.hessian(theta)) / prob.sw
        # Cholesky, or the minimum-norm step when X is rank deficient and alpha = 0
        delta = _solve(_factor(hess), hess, grad)
        n_iter += 1
        def trial(t, theta=theta, delta=delta):
            theta_new = theta - t * delta
            return prob.loss(theta_new), theta_new

        step = _halving_step(trial, obj)
        if step is None:
            converged = True  # flat to machine precision along the Newton direction
            break
        theta = step[1]
        obj, grad = prob.loss_grad(theta)
        curve.append(obj)
        if prob.alpha == 0 and prob.separates(theta):
            separated = True
            break
    return _result(prob, theta, n_iter, converged=converged, separated=separated,
                   loss_curve=curve)


def _result(prob, theta, n_iter, **diagnostics):
    """The :class:`SolverResult` of ``theta``: ``coef`` (m, d) and ``intercept`` (m,)
    (zeros without one); ``diagnostics`` has ``converged``, ``separated`` and
    ``loss_curve``, and for 'gd'/'sgd' the loop's extras."""
    coef, intercept = prob.split(theta)
    intercept = np.zeros(prob.m) if intercept is None else intercept
    return SolverResult(coef, intercept, n_iter=int(n_iter), diagnostics=diagnostics)


def _solve_gd(
    prob,
    theta0,
    max_iter,
    tol,
    *,
    rule,
    batches,
    n_iter_no_change=10,
    validation=None,
    solver="gd",
    lr_auto=False,
):
    """First-order descent with an update rule of :mod:`skdl.optim`, in
    :func:`skdl.optim.gradient_descent`.

    ``batches`` is ``None`` for full-batch gradient descent on :meth:`_Problem.loss_grad`
    (``'gd'``: one update per iteration, recording the objective after it, stopping
    when ``max |∇| <= tol`` as the other solvers), or a re-iterable of row indices or
    slices (one epoch each) for minibatch SGD on :meth:`_Problem.loss_grad_batch`
    (``'sgd'``: the epoch's objective is the weighted mean of the minibatch
    objectives, each before its update; stopping when it has not decreased by ``tol``
    times the initial objective for ``n_iter_no_change`` epochs in a row).  With
    ``validation = (X, y_enc, w)`` both stop when the (weighted) validation accuracy
    has not improved by ``tol`` for ``n_iter_no_change`` epochs, and the best
    parameters are kept.  ``alpha = 0``: stops on complete separation.

    Raises :class:`skdl.optim.DivergenceError` (naming the learning rate) when the
    objective becomes non-finite, exceeds ``1e6`` times its initial value (or
    ``log m``, if larger), or is still above both that and ten times its best after
    ``n_iter_no_change`` epochs without improvement.

    Returns a :class:`SolverResult` (see :func:`_result`) whose diagnostics also hold
    ``validation_scores``, ``best_validation_score``, ``learning_rate`` and
    ``optimizer`` (the rule with its final state).
    """
    theta = theta0.copy()
    w = prob.w

    def loss_grad(idx):
        if idx is None:  # full batch: the mean objective itself
            loss, grad = prob.loss_grad(theta)
            return loss, [grad]
        swb = float(w[idx].sum())
        if not swb > 0:
            return 0.0, None  # only zero weights: no information in this batch
        loss_b, grad = prob.loss_grad_batch(theta, idx)
        return swb * loss_b, [grad]

    score = None
    if validation is not None:
        X_val, y_val, w_val = validation

        def score(params):
            z = _logits(X_val, *prob.split(params[0]))
            return _weighted_accuracy(np.argmax(z, axis=1) == y_val, w_val)

    res = gradient_descent(
        loss_grad, [theta], rule, batches, max_iter=max_iter, tol=tol,
        n_iter_no_change=n_iter_no_change,
        objective=None if batches is None else (lambda total: total / prob.sw),
        validation_score=score,
        grad_tol=tol,
        # the initial objective is the reference of tol; of divergence at least log m,
        # the objective of uniform probabilities (it is ~0 when one class has all the
        # weight)
        initial_loss=prob.loss(theta),
        divergence_floor=np.log(prob.m),
        stop=(lambda params: prob.separates(params[0])) if prob.alpha == 0 else None,
        solver=solver,
        lr_auto=lr_auto,
    )
    diag = res.diagnostics
    return _result(
        prob, theta, res.n_iter, converged=diag["converged"], separated=diag["stopped"],
        loss_curve=diag["loss_curve"], validation_scores=diag["validation_scores"],
        best_validation_score=diag["best_validation_score"],
        learning_rate=rule.learning_rate, optimizer=rule,
    )


def _weighted_accuracy(correct, w):
    return float(np.average(correct, weights=w)) if w.sum() > 0 else float(np.mean(correct))


def _softmax_curvature(prob, rng, alpha):
    """``L`` and ``L_max`` of the mean objective, for the 'auto' learning rates.

    The Hessian of one sample's cross-entropy is ``(diag π - ππᵀ) ⊗ x̃x̃ᵀ``, at most
    ``½ x̃x̃ᵀ`` (Böhning's bound, ``x̃ = (1, x)`` with an intercept), so
    ``L = ½ λ_max(X̃ᵀWX̃/Σw) + α/Σw`` and ``L_max = ½ max ‖x̃ᵢ‖² + α/Σw``; the top
    eigenvalue is :func:`skdl.linear_model._gd._curvature`'s, on a subsample of rows.
    Also warns when the feature scales differ by orders of magnitude.
    """
    X, w = prob.X, prob.w
    rows = _gd._subsample_rows(X.shape[0], rng)
    Xs, ws = X[rows], w[rows]
    if sparse.issparse(Xs):
        return _sparse_softmax_curvature(Xs, ws, prob, alpha)
    _gd._check_feature_scales(
        np.sqrt(np.average((Xs - np.average(Xs, axis=0, weights=ws)) ** 2, axis=0, weights=ws)),
        prob.fit_intercept,
        "gd/sgd",
    )
    if prob.fit_intercept:
        Xs = np.hstack([np.ones((Xs.shape[0], 1)), Xs])
    # _curvature returns λ + 2α/Σw: halve it for the ½ of the softmax bound
    L, L_max, _ = _gd._curvature(Xs, ws, 0.0, False, 2.0 * alpha, prob.sw, slice(None))
    return 0.5 * L, 0.5 * L_max


def _sparse_softmax_curvature(Xs, ws, prob, alpha):
    """:func:`_softmax_curvature` on the sparse rows ``Xs``: the weighted standard
    deviations from the first two moments and the top eigenvalue of
    ``X̃ᵀWX̃ / Σw`` by Lanczos (``eigsh``) on sparse products, never densifying."""
    keep = ws > 0
    Xs, ws = Xs[np.flatnonzero(keep)], ws[keep]
    if Xs.shape[0] == 0:
        return 0.5, 0.5
    sws = float(ws.sum())
    mean = (Xs.T @ ws) / sws
    sq = Xs.multiply(Xs)
    var = np.maximum((sq.T @ ws) / sws - mean**2, 0.0)
    _gd._check_feature_scales(np.sqrt(var), prob.fit_intercept, "gd/sgd")
    off = prob.off
    p = Xs.shape[1] + off

    def matvec(v):
        v = np.ravel(v)
        u = Xs @ v[off:] + (v[0] if off else 0.0)
        out = np.empty(p)
        out[off:] = Xs.T @ (ws * u)
        if off:
            out[0] = ws @ u
        return out / sws

    op = LinearOperator((p, p), matvec=matvec, dtype=np.float64)
    if p == 1:
        lam = float(matvec(np.ones(1))[0])
    else:
        lam = float(eigsh(op, k=1, which="LA", tol=1e-10, v0=np.ones(p),
                          return_eigenvectors=False)[0])
    ridge = 2.0 * alpha / prob.sw
    L = max(lam + ridge, np.finfo(float).tiny)
    L_max = float(np.max(np.asarray(sq.sum(axis=1)).ravel())) + off + ridge
    # as _gd._curvature's, halved for the ½ of the softmax bound
    return 0.5 * L, 0.5 * max(L_max, L)


def _gd_setup(X, y_enc, sample_weight, n_classes, alpha, options):
    """'gd' / 'sgd': the early-stopping split, the problem on the training part, the
    batches and the update rule (its 'auto' learning rate from the curvature bound),
    all seeded by ``options.random_state`` (a :class:`_gd.GradientOptions`).

    Returns ``(prob, solver_options)``, the keyword arguments of :func:`_solve_gd`."""
    rng = check_random_state(options.random_state)
    validation = None
    if options.early_stopping:
        tr, va = validation_split(X.shape[0], options.validation_fraction, rng)
        validation = (X[va], y_enc[va], sample_weight[va])
        X, y_enc, sample_weight = X[tr], y_enc[tr], sample_weight[tr]
        if not sample_weight.sum() > 0:
            raise ValueError("The training part of the early-stopping split has zero weight.")
    prob = _Problem(X, y_enc, sample_weight, n_classes, alpha, options.fit_intercept)
    n = X.shape[0]
    if options.solver == "gd":
        batch_size, batches = n, None
    else:
        batch_size = min(200, n) if options.batch_size == "auto" else min(options.batch_size, n)
        batches = MinibatchIterator(n, batch_size, shuffle=options.shuffle, random_state=rng)
    L, L_max = _softmax_curvature(prob, rng, alpha)
    rule, lr_auto = _gd._make_rule(options, L, L_max, n, batch_size, -(-n // batch_size))
    return prob, {
        "rule": rule,
        "batches": batches,
        "n_iter_no_change": options.n_iter_no_change,
        "validation": validation,
        "solver": options.solver,
        "lr_auto": lr_auto,
    }


# --------------------------------------------------------------------------- #
# inference                                                                    #
# --------------------------------------------------------------------------- #
def _null_projector(prob):
    """Orthogonal projector onto the flat directions ``N`` of the softmax objective:
    ``J/m ⊗ diag(d)``, with ``d`` marking the intercept (always unpenalised) and, when
    ``alpha = 0``, the coefficients (adding one vector to every class row of those
    columns changes no probability)."""
    dvec = np.zeros(prob.p)
    if prob.fit_intercept:
        dvec[0] = 1.0
    if prob.alpha == 0:
        dvec[prob.off :] = 1.0
    return np.kron(np.full((prob.m, prob.m), 1.0 / prob.m), np.diag(dvec))


def _rowdot(a, b):
    """``Σⱼ aᵢⱼ bᵢⱼ`` per row, for a dense or sparse ``a`` and a dense ``b``."""
    if sparse.issparse(a):
        return np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", a, b)


def _adjusted_residuals(prob, bread, pi, resid, power):
    """HC2 (``power = 1/2``) / HC3 (``power = 1``) residual vectors ``r*ᵢ``.

    ``r*ᵢ = rᵢ + Sᵢ ((I - Hᵢ)^(-power) - I) Sᵢ⁺ rᵢ`` with ``Sᵢ = Wᵢ^½``
    (``Wᵢ = diag πᵢ - πᵢπᵢᵀ``) and ``Hᵢ = Sᵢ Zᵢ B Zᵢᵀ Sᵢ`` the ``m × m`` leverage block
    of row ``i``, so that the score ``Zᵢᵀ r*ᵢ`` is ``Zᵢᵀ Sᵢ (I - Hᵢ)^(-power) eᵢ`` for the
    standardised residual ``eᵢ = Sᵢ⁺ rᵢ``.  Directions of ``Wᵢ`` with a negligible
    eigenvalue (the constant vector, and classes of probability ~0) have leverage ~0
    and keep their residual.  For two classes ``Hᵢ = hᵢ uuᵀ`` (``u ∝ (-1, 1)``) with
    ``hᵢ`` the binary GLM hat value, and ``r*ᵢ = rᵢ / (1 - hᵢ)^power``.  Rows in
    blocks: one GEMM ``Z_blk Bᵣ`` per block and batched ``m × m`` eigendecompositions.
    """
    X, w, m, p, off = prob.X, prob.w, prob.m, prob.p, prob.off
    n = X.shape[0]
    # bread as (p, m·m·p): column block (k, l) is B_kl
    b4 = bread.reshape(m, p, m, p).transpose(1, 0, 2, 3).reshape(p, m * m * p)
    out = np.zeros_like(resid)
    rows = max(1, min(n, (1 << 21) // (m * m * p)))
    eps = np.finfo(float).eps
    for start in range(0, n, rows):
        sl = slice(start, min(start + rows, n))
        live = np.flatnonzero(w[sl] > 0) + start  # zero weight: no part in the meat
        if live.size == 0:
            continue
        xb = X[live]
        zb = xb @ b4[off:]  # Z B, (rows, m·m·p)
        if off:
            zb += b4[0]
        zb = zb.reshape(live.size, m, m, p)
        q = np.empty((live.size, m, m))
        for k in range(m):
            for j in range(k, m):
                v = _rowdot(xb, zb[:, k, j, off:])
                if off:
                    v += zb[:, k, j, 0]
                q[:, k, j] = q[:, j, k] = v
        pb, rb = pi[live], resid[live]
        wmat = -pb[:, :, None] * pb[:, None, :]
        wmat[:, np.arange(m), np.arange(m)] += pb
        lam, vec = np.linalg.eigh(wmat)
        keep = lam > 64 * eps * m
        root = np.sqrt(np.where(keep, lam, 0.0))
        inv_root = np.where(keep, 1.0 / np.where(keep, root, 1.0), 0.0)
        s = (vec * root[:, None, :]) @ vec.transpose(0, 2, 1)
        e = np.einsum("ikj,ik,ij->ij", vec, rb, inv_root)  # Vᵀ r / √λ (eigenbasis)
        e = np.einsum("ikj,ij->ik", vec, e)  # Sᵢ⁺ rᵢ
        mu, u = np.linalg.eigh(s @ q @ s)
        if np.max(mu) >= 1.0 - 1e-10:
            i = live[int(np.argmax(np.max(mu, axis=1)))]
            raise ValueError(
                f"the HC{2 if power == 0.5 else 3} covariance is undefined: sample {i} has "
                "leverage 1 (its fitted probabilities are determined by its own label). "
                "Use cov_type='HC0', 'HC1' or 'cluster'."
            )
        f = (1.0 - mu) ** -power - 1.0
        corr = np.einsum("ijk,ik,ilk,il->ij", u, f, u, e)  # U diag(f) Uᵀ e
        out[live] = rb + np.einsum("ijk,ik->ij", s, corr)
    return out


def _softmax_covariance(prob, theta, cov_type, codes=None, n_groups=None):
    """``c · B M B`` at the optimum ``theta`` (class-major ``[intercept_k, coef_k]``).

    ``B`` is the Moore-Penrose pseudo-inverse of the penalised Hessian ``A = F + P``
    (``F = Σ wᵢ Wᵢ ⊗ zᵢzᵢᵀ``, the Fisher information): the inverse of ``A`` on the
    complement of the flat directions ``N`` (:func:`_null_projector`), computed as
    ``Π (A + E)⁻¹ Π`` with the lift ``E`` of :meth:`_Problem.null_space_fix` and
    ``Π = I - proj_N``.  The fitted ``theta`` lies in that complement (class-sums
    zero), so the result is the covariance of that (sum-to-zero) parametrisation;
    ``C cov Cᵀ`` of contrasts ``C`` orthogonal to ``N`` (e.g. ``β_k - β_0``) does not
    depend on the choice.  The meat ``M``: ``F`` ("nonrobust"), ``Σ wᵢ gᵢgᵢᵀ`` with
    ``gᵢ = rᵢ ⊗ zᵢ``, ``rᵢ = yᵢ - πᵢ`` ("HC0", "HC1"; ``c = n/(n - (m-1)p)``),
    the adjusted residuals of :func:`_adjusted_residuals` ("HC2", "HC3"), or
    ``Σ_g s_g s_gᵀ``, ``s_g = Σ_{i∈g} wᵢ gᵢ`` ("cluster", ``c = G/(G-1) · (n-1)/(n -
    (m-1)p)``, statsmodels' MNLogit default).
    """
    m, p, off = prob.m, prob.p, prob.off
    X, w = prob.X, prob.w
    n = prob.sw
    hess = prob.hessian(theta)
    pen = np.tile(np.r_[np.zeros(off), np.full(prob.d, prob.alpha)], m)
    proj = np.eye(m * p) - _null_projector(prob)
    lifted = prob.null_space_fix(hess)
    bread = proj @ _solve(_factor(lifted), lifted, proj)
    bread = (bread + bread.T) / 2.0
    p_eff = (m - 1) * p  # identified parameters (the likelihood's)
    if cov_type in ("HC1", "cluster") and not n > p_eff:
        raise ValueError(
            f"cov_type={cov_type!r} needs more observations (sum of sample weights "
            f"n = {n:g}) than identified parameters (n_classes - 1) * n_params = {p_eff}."
        )
    if cov_type == "nonrobust":
        meat = hess.copy()
        meat.flat[:: m * p + 1] -= pen
        return sandwich(bread, meat)
    pi = np.exp(log_softmax(_logits(X, *prob.split(theta)), axis=1))
    resid = -pi
    resid[prob.rows, prob.y] += 1.0
    if cov_type == "cluster":
        wr = w[:, None] * resid
        scores = np.empty((n_groups, m, p))
        for k in range(m):
            ind = sparse.csr_array((wr[:, k], (codes, prob.rows)), shape=(n_groups, X.shape[0]))
            sx = ind @ X
            scores[:, k, off:] = sx.toarray() if sparse.issparse(sx) else sx
            if off:
                scores[:, k, 0] = np.bincount(codes, weights=wr[:, k], minlength=n_groups)
        scores = scores.reshape(n_groups, m * p)
        c = n_groups / (n_groups - 1.0) * (n - 1.0) / (n - p_eff)
        return c * sandwich(bread, scores.T @ scores)
    if cov_type in ("HC2", "HC3"):
        resid = _adjusted_residuals(prob, bread, pi, resid, 0.5 if cov_type == "HC2" else 1.0)
    meat = _score_gram(prob, resid)
    c = n / (n - p_eff) if cov_type == "HC1" else 1.0
    return c * sandwich(bread, meat)


def _score_gram(prob, resid):
    """``Σ wᵢ (rᵢ ⊗ zᵢ)(rᵢ ⊗ zᵢ)ᵀ``: dense X by one symmetric rank-k update per row
    block of ``√wᵢ rᵢ ⊗ zᵢ``; sparse X by the blocks ``Zᵀ diag(w r_k r_l) Z``."""
    X, w, m, p, off = prob.X, prob.w, prob.m, prob.p, prob.off
    if sparse.issparse(X):
        meat = np.empty((m * p, m * p))
        for k in range(m):
            for j in range(k, m):
                blk = _weighted_gram(X, w * resid[:, k] * resid[:, j], prob.fit_intercept)
                meat[k * p : (k + 1) * p, j * p : (j + 1) * p] = blk
                meat[j * p : (j + 1) * p, k * p : (k + 1) * p] = blk.T
        return meat
    n = X.shape[0]
    rows = max(1, min(n, (1 << 22) // (m * p)))
    meat = np.zeros((m * p, m * p))
    za = np.empty((rows, p))
    if off:
        za[:, 0] = 1.0
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        k = stop - start
        za[:k, off:] = X[start:stop]
        g = (resid[start:stop] * np.sqrt(w[start:stop])[:, None])[:, :, None] * za[:k, None, :]
        g = g.reshape(k, m * p)
        meat += g.T @ g
    return meat


# solver name -> pure function (prob, theta0, max_iter, tol, **options) -> SolverResult;
# 'gd' and 'sgd' take their update rule and batches as options (built by _gd_setup).
_SOLVERS = {"lbfgs": _solve_lbfgs, "newton": _solve_newton, "gd": _solve_gd, "sgd": _solve_gd}


class SoftmaxClassifier(InferenceMixin, ClassifierMixin, AtomicFitMixin, BaseEstimator):
    """Multinomial logistic regression: the softmax formulation (note 001 §7.8-7.9).

    One linear score per class, ``zᵢₖ = xᵢᵀcoef_ₖ + intercept_ₖ``, turned into
    probabilities by the softmax; the fit minimises the weighted negative
    log-likelihood (cross-entropy) plus an L2 penalty on the coefficients::

        Σᵢ wᵢ (-log πᵢ,yᵢ) + α/2 ‖coef‖²_F,   πᵢₖ = exp(zᵢₖ) / Σ_c exp(zᵢ_c).

    Parameters
    ----------
    alpha : float, default=1.0
        Non-negative L2 penalty on the coefficients (the intercepts are not
        penalised).  ``alpha = 1 / C`` gives the solution of sklearn's multinomial
        ``LogisticRegression(C=C)`` (sklearn minimises ``½‖coef‖² + C Σ wᵢ lossᵢ``);
        the default matches sklearn's ``C=1.0``.  ``alpha = 0`` is the
        maximum-likelihood fit.
    solver : {"lbfgs", "newton", "gd", "sgd"}, default="lbfgs"
        ``"lbfgs"``: scipy's L-BFGS-B on the objective with its analytic gradient
        (note 001 eq. 7.12).  ``"newton"``: Newton's method with the full Hessian of
        size ``(n_classes · n_params)²``, Cholesky and step-halving; quadratic
        convergence, for small ``n_classes × n_features``.
        ``"gd"``: full-batch gradient descent with the update rule ``optimizer``
        (note 001 eq. 6.10 on the gradient 7.12).  ``"sgd"``: minibatch stochastic
        gradient descent (note 002 "SGD on mini-batches"), ``batch_size`` samples per
        update, reshuffled every epoch when ``shuffle``.  Both minimise the same mean
        objective as the other solvers; they need standardised features and many
        more iterations (raise ``max_iter``).
    fit_intercept : bool, default=True
        Whether to fit one (unpenalised) intercept per class.
    max_iter : int, default=100
        Maximum number of iterations of the solver (for "gd" and "sgd": epochs,
        full passes over the data; "gd" makes one update per epoch).  A
        :class:`~sklearn.exceptions.ConvergenceWarning` giving ``max_iter`` and
        ``tol`` is raised when it ends the fit.
    tol : float, default=1e-4
        Stop when the largest absolute entry of the gradient of the mean objective
        (objective divided by the sum of sample weights) is at most ``tol``, each
        entry per unit of its column for ``"newton"`` and ``"lbfgs"`` (divided by the
        power of two nearest the column's largest absolute value; L-BFGS runs in those
        units, so rescaling a column changes only its coefficients) (``"lbfgs"``:
        scipy's ``gtol``, as sklearn passes its ``tol``; also ``"gd"``).  ``"sgd"``,
        whose minibatch gradients never vanish, stops when for ``n_iter_no_change``
        epochs in a row the epoch's mean objective has not
        decreased by ``tol`` times the initial objective.  With ``early_stopping``,
        "gd" and "sgd" stop when the validation accuracy has not increased by
        ``tol`` for ``n_iter_no_change`` epochs.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying ``sample_weight`` (sklearn's meaning):
        a dict maps a label to its weight (missing labels weigh 1); ``"balanced"``
        weighs class ``c`` by ``n_samples / (n_classes · bincount(y)[c])``, with
        sample weights by ``Σw / (n_classes Σ_{yᵢ=c} wᵢ)``, so that each class
        carries the same total weight.  ``None``: all classes weigh 1.
    warm_start : bool, default=False
        When True, ``fit`` starts the solver from the previous fit's ``coef_`` and
        ``intercept_`` (if it fitted the same classes; else from the cold start)
        instead of zero coefficients: refitting at the optimum stops after at most an
        iteration ("lbfgs", "newton", "gd"; "sgd" still runs ``n_iter_no_change``
        epochs).  The update rule of "gd"/"sgd" starts afresh (its state, e.g. Adam's
        moments, is not kept).  Another number of features raises a ValueError.
    optimizer : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", \
            "adam"} or skdl.optim.UpdateRule, default="sgd"
        Update rule of ``solver="gd"|"sgd"`` (:mod:`skdl.optim`); ``"sgd"`` is the
        plain step ``θ ← θ - η g``.  An instance is copied (never modified) and used
        with its own hyper-parameters; a numeric ``learning_rate_init`` or a
        ``learning_rate`` schedule other than "constant" overrides its own.  Ignored
        by "lbfgs" and "newton", as are all the parameters below.
    learning_rate_init : "auto" or float, default="auto"
        Base learning rate (step size) ``η₀``, sklearn MLP's name.  ``"auto"``: for
        the optimizers "sgd", "momentum" and "nesterov", ``1/L`` for "gd" with
        ``L = ½ λ_max(X̃ᵀWX̃)/Σw + α/Σw`` the bound on the curvature of the
        objective (``X̃`` is X with a column of ones for the intercept; ½ bounds the
        softmax's ``diag π - ππᵀ``), and ``(1-γ)/(2 L(b))`` for "sgd" with ``L(b)``
        the expected smoothness of minibatches of size ``b`` and ``γ`` the momentum
        (Gower et al. 2019); 0.1 for "adagrad", 0.01 for "rmsprop" and "adam", 1.0
        for "adadelta".  The value used is in ``learning_rate_``.  A rate too large
        makes the objective diverge: the fit then stops with
        :class:`skdl.optim.DivergenceError` naming the rate.
    learning_rate : {"constant", "inverse", "cosine"} or skdl.optim.Schedule, \
            default="constant"
        Learning-rate schedule (sklearn MLP's name for it), evaluated at the update
        count: "constant" keeps ``learning_rate_init``; "inverse" is
        ``η₀/(1 + t/i₀)`` with ``i₀`` the updates of one epoch (note 002),
        "cosine" anneals to 0 over ``max_iter`` epochs; any
        :class:`skdl.optim.Schedule` can be given.
    batch_size : "auto" or int, default="auto"
        Minibatch size of "sgd"; "auto" is ``min(200, n_samples)``.
    shuffle : bool, default=True
        Reshuffle the samples every epoch ("sgd").
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its accuracy
        (weighted by ``sample_weight``) stops improving and keep the best parameters
        (note 000 §2.4.1).
    validation_fraction : float, default=0.1
        Fraction of the samples held out for ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before "sgd" (or early stopping) stops.
    random_state : int, RandomState instance or None, default=None
        Seeds the minibatch shuffling, the early-stopping split and the curvature
        subsample; an int makes fits reproducible.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"} or None, \
            default=None
        Covariance of the estimates in ``covariance_`` (statsmodels' names; see
        Notes): "nonrobust" the model-based (inverse Fisher information) one,
        "HC0"-"HC3" heteroskedasticity-robust sandwiches, "cluster" the
        cluster-robust one over the ``groups`` passed to :meth:`fit`.  ``None``
        (the default): no covariance, so that a fit costs what sklearn's
        ``LogisticRegression`` does (the ``(n_classes · n_params)²`` Fisher
        information costs ``n (n_classes · n_params)²`` flops, more than the
        "lbfgs" fit itself for wide data).  Only "lbfgs" and "newton" compute a
        covariance (at the optimum); a ``cov_type`` with "gd" or "sgd" raises a
        ValueError.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (n_classes, n_features)
        One row of coefficients per class (also for two classes: the softmax
        formulation keeps two sets of parameters, note 001 fig. 7.4).  Of X's
        dtype: float32 for float32 X (fitted in float64, then cast), else float64.
    intercept_ : ndarray of shape (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``), of the dtype of ``coef_``.
    solver_ : str
        The solver used.
    n_iter_ : int
        Number of iterations run.
    loss_curve_ : list of float
        Mean objective after each iteration, ``n_iter_`` entries; for "sgd" the
        weighted mean of the minibatch objectives during each epoch (each before its
        update).
    learning_rate_ : float
        "gd" and "sgd": the base learning rate used (resolves "auto").
    optimizer_ : skdl.optim.UpdateRule
        "gd" and "sgd": the update rule with its final state.
    validation_scores_ : list of float or None
        "gd" and "sgd" with ``early_stopping``: the validation accuracy after each
        epoch (None without early stopping).
    best_validation_score_ : float or None
        The best of ``validation_scores_`` (its parameters are kept), or None.
    covariance_ : ndarray of shape (n_classes * n_params, n_classes * n_params)
        Covariance of the estimates (when ``cov_type`` is not None; "lbfgs" and
        "newton" only), class-major
        blocks of ``[intercept_k, coef_k...]`` (``n_params = n_features + 1`` with an
        intercept).  The softmax parameters are not identified: they are those of the
        sum-to-zero parametrisation (the fitted intercepts, and the coefficients when
        ``alpha = 0``, sum to zero over the classes), and ``covariance_`` is singular
        along those sums.  Contrasts ``β_k - β_0`` give statsmodels' ``MNLogit``
        (class 0 the reference).  Always float64.
    std_errors_ : ndarray of shape (n_classes, n_params)
        ``sqrt(diag(covariance_))``, in the layout of ``[intercept_, coef_]``.
    n_groups_ : int
        Number of clusters, with ``cov_type="cluster"``.
    separated_ : bool
        Whether complete separation was detected (``alpha = 0`` only): the fit then
        stops early with a :class:`~sklearn.exceptions.ConvergenceWarning`.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    LogisticIRLS : Binary logistic regression with standard errors.
    sklearn.linear_model.LogisticRegression : The reference (multinomial for more
        than two classes).

    Notes
    -----
    The loss is note 001 eq. 7.12, ``L = -Σᵢ Σⱼ Πⱼ(yᵢ) log πᵢⱼ``, with gradient
    ``∂L/∂θⱼ = Σᵢ xᵢ (πᵢⱼ - Πⱼ(yᵢ))`` (the printed 7.12 writes ``yᵢ`` for the
    indicator ``Πⱼ(yᵢ)``), plus ``α θⱼ`` from the penalty.  The Hessian blocks are
    ``Xᵀ diag(πₖ (δₖₗ - πₗ)) X``.  Probabilities and losses go through
    log-sum-exp, so no logit overflows.  The parametrisation is over-complete
    (adding one vector to every class row changes nothing); the penalty picks the
    solution with class-sums zero, and the Newton solver keeps the class-sums of the
    iterates at zero when ``alpha = 0``.

    With two classes the probabilities equal those of a binary logistic regression
    with ``θ = coef_[1] - coef_[0]`` and penalty ``alpha / 2``.

    A sparse ``X`` (scipy.sparse CSR or CSC matrix or array) is never densified:
    the logits and the gradient are sparse products, the Newton Hessian's blocks
    ``Xₐᵀ diag(c) Xₐ`` sparse-sparse products, the column magnitudes read from the
    stored entries, and the "auto" learning rate's curvature bound a Lanczos
    eigenvalue of sparse products; every solver gives the dense fit.

    **Inference.**  With ``zᵢ = (1, xᵢ)`` (``xᵢ`` without an intercept), one-hot
    ``yᵢ`` and probabilities ``πᵢ``, row ``i`` has the score ``gᵢ = (yᵢ - πᵢ) ⊗ zᵢ``,
    the Fisher information is ``F = Σ wᵢ Wᵢ ⊗ zᵢzᵢᵀ`` with
    ``Wᵢ = diag πᵢ - πᵢπᵢᵀ``, and the Hessian of the objective ``A = F + P`` (``P``:
    ``alpha`` on the coefficients).  ``A`` is singular along the directions that add
    one vector to every class's parameters (the intercepts always, the coefficients
    too when ``alpha = 0``); the bread ``B`` is its pseudo-inverse, the inverse on the
    sum-to-zero parameters, and ``covariance_ = c · B M B``:

    * "nonrobust": ``M = F`` (``B`` itself when ``alpha = 0``; for ``alpha > 0`` the
      sampling covariance of the penalised estimator, not ``A⁻¹``);
    * "HC0": ``M = Σ wᵢ gᵢgᵢᵀ``; "HC1": the same with ``c = n / (n - (K-1) p)``,
      ``n = Σ wᵢ`` and ``(K-1) p`` the identified parameters (statsmodels'
      ``MNLogit`` returns plain HC0 for "HC1");
    * "HC2", "HC3": the residual vectors adjusted by the leverage block of each
      row, ``Hᵢ = Wᵢ^½ Zᵢ B Zᵢᵀ Wᵢ^½`` (``K × K``, ``Zᵢ = I ⊗ zᵢᵀ``): the standardised
      residual ``Wᵢ^-½ (yᵢ - πᵢ)`` multiplied by ``(I - Hᵢ)^-½`` (HC2,
      Kauermann-Carroll) or ``(I - Hᵢ)⁻¹`` (HC3, Mancl-DeRouen).  For two classes
      ``Hᵢ`` has the single eigenvalue ``hᵢ = sᵢ zᵢᵀ B zᵢ`` of the binary GLM, and the
      covariance of ``β₁ - β₀`` is :class:`LogisticIRLS`'s, residuals
      ``(yᵢ - πᵢ)/(1 - hᵢ)^{½ or 1}``;
    * "cluster": ``M = Σ_g s_g s_gᵀ``, ``s_g = Σ_{i∈g} wᵢ gᵢ``, with statsmodels'
      correction ``c = G/(G-1) · (n-1)/(n - (K-1) p)``.

    The tests and intervals of :meth:`summary` and :meth:`conf_int` use the normal
    distribution, as ``MNLogit``.  Sample weights are frequency weights (an integer
    weight is a repeated row).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdl import SoftmaxClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = SoftmaxClassifier(alpha=1.0, solver="newton").fit(X, y)
    >>> clf.coef_.shape
    (3, 4)
    >>> bool(clf.score(X, y) > 0.95)
    True

    Minibatch SGD (16 samples per update) on standardised features:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> sgd = make_pipeline(
    ...     StandardScaler(), SoftmaxClassifier(solver="sgd", batch_size=16, random_state=0)
    ... ).fit(X, y)
    >>> bool(sgd.score(X, y) > 0.95), sgd[-1].n_iter_ < 100
    (True, True)
    >>> len(sgd[-1].loss_curve_) == sgd[-1].n_iter_
    True

    A warm start from the optimum stops at once:

    >>> warm = SoftmaxClassifier(warm_start=True).fit(X, y)
    >>> warm.fit(X, y).n_iter_
    0

    Standard errors and the statsmodels-like table (one row per class and
    parameter):

    >>> clf = SoftmaxClassifier(alpha=0.0, solver="newton", cov_type="HC1")
    >>> clf.fit(StandardScaler().fit_transform(X[:, :2]), y).std_errors_.shape
    (3, 3)
    >>> clf.summary().index.names
    FrozenList(['class', 'parameter'])
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(_SOLVERS))],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions(set(_gd.OPTIMIZERS)), HasMethods(["step"])],
        "learning_rate_init": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "inverse", "cosine"}), Schedule, callable],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "cov_type": [StrOptions(set(COV_TYPES)), None],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        solver="lbfgs",
        fit_intercept=True,
        max_iter=100,
        tol=1e-4,
        class_weight=None,
        warm_start=False,
        optimizer="sgd",
        learning_rate_init="auto",
        learning_rate="constant",
        batch_size="auto",
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        cov_type=None,
    ):
        self.alpha = alpha
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.cov_type = cov_type

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; scipy.sparse CSR/CSC input is used without densifying it.
            float32 X gives float32 ``coef_`` and ``intercept_``.
        y : array-like of shape (n_samples,)
            Class labels (any hashable, sortable values: numbers, strings, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; ``None`` weighs all equally.  An
            integer weight is equivalent to repeating the sample.  Multiplied by the
            weights of ``class_weight``.
        groups : array-like of shape (n_samples,), default=None
            Cluster of each sample (any labels), used only by ``cov_type='cluster'``
            (required there).  Routed by sklearn's metadata routing
            (``set_fit_request(groups=True)``) inside a Pipeline or a search.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=_FLOATS,
                             order="C")
        out_dtype = X.dtype
        X = _as_float64(X)
        if self.solver in ("gd", "sgd") and self.cov_type is not None:
            raise ValueError(
                f"cov_type={self.cov_type!r} needs the covariance at the optimum, which "
                f"solver={self.solver!r} does not compute: use solver='lbfgs' or "
                "'newton' (or cov_type=None, no covariance)."
            )
        check_classification_targets(y)
        enc = LabelEncoder()
        y_enc = enc.fit_transform(y)
        classes = enc.classes_
        if classes.size < 2:
            raise ValueError(
                "SoftmaxClassifier needs samples of at least 2 classes; y contains only "
                f"one class: {classes.tolist()}."
            )
        sample_weight = _fit_weights(self, X, y, y_enc, classes, sample_weight)
        codes, n_groups = check_groups(groups, X.shape[0], self.cov_type, sample_weight)
        warm = _warm_start_coef(self, classes, X.shape[1])
        # (raises for columns whose squares float64 cannot hold)
        check_column_magnitudes(X, "SoftmaxClassifier", sample_weight.sum(), sample_weight)
        no_cov = None
        if self.cov_type is None:
            no_cov = ("it was fitted with cov_type=None (the default); pass "
                      "cov_type='nonrobust' or a robust type to fit")

        for attr in ("learning_rate_", "optimizer_", "validation_scores_",
                     "best_validation_score_"):
            self.__dict__.pop(attr, None)  # of a previous 'gd' / 'sgd' fit
        if self.solver in ("gd", "sgd"):
            prob, options = _gd_setup(X, y_enc, sample_weight, classes.size, self.alpha,
                                      _gd.GradientOptions.from_params(self.get_params(deep=False)))
        else:
            prob = _Problem(X, y_enc, sample_weight, classes.size, self.alpha, self.fit_intercept)
            prob.scales = np.tile(_rms_column_scales(X, sample_weight, self.fit_intercept),
                                  prob.m)
            options = {}
        if warm is None:
            theta0 = _initial_theta(prob)
        elif self.fit_intercept:
            theta0 = np.column_stack([warm[1], warm[0]]).ravel()
        else:
            theta0 = warm[0].ravel().copy()
        # work per pass: a sparse X's products touch its stored entries only
        per_pass = X.nnz if sparse.issparse(X) else X.shape[0] * prob.p
        with blas_threads(per_pass * prob.m):
            result = _SOLVERS[self.solver](prob, theta0, self.max_iter, self.tol, **options)
        cov = None
        if no_cov is None:
            theta = (np.column_stack([result.intercept, result.coef]) if self.fit_intercept
                     else np.asarray(result.coef)).ravel()
            with blas_threads(per_pass * prob.m * prob.p):
                cov = _softmax_covariance(prob, theta, self.cov_type, codes, n_groups)
        return self._publish(result, classes, out_dtype, cov, n_groups, no_cov)

    def _publish(self, result, classes, out_dtype, cov=None, n_groups=None, no_cov=None):
        """Set the fitted attributes from the solver's result and the covariance (or
        the reason there is none), and warn, in one place."""
        for attr in ("covariance_", "std_errors_", "n_groups_", "df_resid_"):
            self.__dict__.pop(attr, None)  # of a previous fit (also with warm_start)
        self.__dict__.pop("_no_covariance", None)
        if cov is None:
            self._no_covariance = no_cov
        else:
            self.covariance_ = cov
            self.std_errors_ = np.sqrt(np.clip(np.diag(cov), 0.0, None)).reshape(
                classes.size, -1)
            if n_groups is not None:
                self.n_groups_ = int(n_groups)
        diag = result.diagnostics
        n_iter, separated = result.n_iter, diag["separated"]
        self.classes_ = classes
        self.coef_ = np.array(result.coef, dtype=out_dtype)
        self.intercept_ = np.array(result.intercept, dtype=out_dtype)
        self.solver_ = self.solver
        self.n_iter_ = int(n_iter)
        self.loss_curve_ = [float(v) for v in diag["loss_curve"]]
        self.separated_ = separated
        if "optimizer" in diag:
            self.learning_rate_ = diag["learning_rate"]
            self.optimizer_ = diag["optimizer"]
            self.validation_scores_ = diag["validation_scores"]
            self.best_validation_score_ = diag["best_validation_score"]
        if separated:
            warn(
                "Perfect separation detected: the fitted scores already classify every "
                "training sample correctly, so the unpenalised maximum-likelihood estimate "
                "does not exist (the coefficients grow without bound). Stopped after "
                f"{n_iter} iteration(s) with finite coefficients (their standard errors "
                "are meaningless). Use alpha > 0 (an L2 "
                "penalty) for a well-defined fit.",
                ConvergenceWarning,
            )
        elif not diag["converged"]:
            warn(
                f"SoftmaxClassifier (solver={self.solver!r}) did not converge in "
                f"max_iter={self.max_iter} iterations (tol={self.tol}); increase max_iter"
                + (
                    " (gradient descent needs many epochs; standardise the features, or "
                    "try optimizer='adam' or a larger learning_rate_init)"
                    if self.solver in ("gd", "sgd")
                    else ""
                )
                + ", or alpha if the classes are (nearly) separable.",
                ConvergenceWarning,
            )
        return self

    # ---- inference (InferenceMixin) ---------------------------------------------------
    def _inference_params(self):
        coef = np.asarray(self.coef_, dtype=np.float64)
        if not self.fit_intercept:
            return coef
        return np.column_stack([np.asarray(self.intercept_, dtype=np.float64), coef])

    def _inference_df(self):
        return None  # the normal (z), as statsmodels' MNLogit

    def _summary_index(self, feature_names):
        import pandas as pd  # (loaded on use: not at import skdl)

        return pd.MultiIndex.from_product(
            [self.classes_.tolist(), self._inference_names(feature_names)],
            names=["class", "parameter"],
        )

    def _scores(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=_ACCEPT_SPARSE, dtype=_FLOATS, reset=False)
        return _logits(X, self.coef_, self.intercept_)

    def decision_function(self, X):
        """Class scores (logits).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes) or (n_samples,)
            The logits; for two classes the log-odds ``z₁ - z₀`` of ``classes_[1]``
            (sklearn's convention for binary classifiers).
        """
        z = self._scores(X)
        if z.shape[1] == 2:
            return z[:, 1] - z[:, 0]
        return z

    def predict(self, X):
        """Predict class labels (the class of largest score).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        scores = self._scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_log_proba(self, X):
        """Log-probabilities by log-softmax (log-sum-exp; no overflow).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        return log_softmax(self._scores(X), axis=1)

    def predict_proba(self, X):
        """Class probabilities by softmax; rows sum to 1.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        z = self._scores(X)
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
