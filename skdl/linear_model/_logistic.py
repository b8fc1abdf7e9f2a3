"""Binary logistic regression by Newton's method / IRLS (note 001 ch. 7, note 002).

The solver is a pure private function, :func:`_solve_irls`; the estimator validates,
encodes the labels and dispatches to it.

Each Newton iteration costs one symmetric BLAS product and three passes over ``X``:

* the rows of ``[1, X]`` scaled by ``√(w π (1 - π))`` are written into a work buffer
  (allocated once per fit) and ``XᵀSX`` is that buffer's Gram matrix, one rank-k
  update (BLAS ``syrk``, which numpy uses for ``Bᵀ @ B``);
* the gradient ``Xᵀ w (π - y)`` is one GEMV;
* the linear predictor of the Newton direction, ``X δ``, is one GEMV, so that every
  trial of the step-halving line search, ``η - t X δ``, costs no pass over ``X``.

For large problems (``n p² >= 5e7``) the Hessians of the iterations are formed in
float32 (mixed precision: twice as fast; the gradient, objective and line search stay
float64, so the iterates converge to the float64 optimum, the approximate Hessian
only steering the direction) whenever their Cholesky factor is well conditioned;
the Hessian at the final iterate, for the covariance, is always float64.  Once the
mean-loss gradient is below 1e-4 the steps reuse the last Hessian's factor (chord
steps: no new Hessian, each still shrinking the gradient many-fold) until the gradient
meets ``tol``; measured on bench_logistic's 200,000 × 100 problem, two chord steps
replace the fifth Hessian and the fit is 11% faster.

Large dense problems with many rows per parameter (``n p² >= 5e7`` and
``n / 8 >= 64 p``) form no full Hessian before the last one: the iterations use the
Hessian of every 8th row (scaled so that its intercept entry is exact; its relative
error ~ ``√(p / m)`` only slows the convergence, never moves the optimum, which the
full float64 gradient decides) while the mean-loss gradient is above 1e-3, then reuse
the last such factor with L-BFGS corrections (the curvature pairs of the steps since
it was formed, Nocedal and Wright's two-loop recursion) while each step shrinks the
gradient at least 4-fold (refreshed at most twice, then full Hessians as above).
Measured on bench_logistic's 200,000 × 100 problem: 7 steps, 3 subsampled Hessians and
the final float64 one, against 4 float32 and 1 float64 full Hessians before.  Hessians,
gradients, linear predictors and robust meats of large dense ``X`` are formed in row
tasks pulled by one thread per CPU, each with one BLAS thread
(:func:`~skdl.utils._threads.run_row_tasks`: the scaling copies overlap the products,
and a loaded machine slows them down far less than one multi-threaded BLAS call).

The Hessian (plus ``αI`` on the coefficients) is factorised by Cholesky; its inverse
at the optimum is the bread ``B`` of the covariances (:func:`_covariance`).  The
model-based covariance is ``B`` itself for ``α = 0`` (the inverse Fisher information;
for the canonical logit link observed and expected information coincide), as
statsmodels' ``GLM(..., family=Binomial()).fit().cov_params()``, and the sandwich
``B F B`` for ``α > 0``; the robust ones (HC0-HC3, cluster) replace ``F`` by the
outer products of the scores, one more ``syrk`` (or sparse product) over ``X``.
"""

from numbers import Integral, Real

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import lapack
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from skdl.linear_model._inference import COV_TYPES, InferenceMixin, check_groups, sandwich
from skdl.utils._atomic import AtomicFitMixin
from skdl.utils._results import SolverResult
from skdl.utils._scale import (
    column_magnitudes,
    power_of_two_scales,
    unrepresentable_squares,
)
from skdl.utils._sklearn_compat import Interval, StrOptions, _check_sample_weight, _fit_context
from skdl.utils._threads import (
    SMALL_WORK,
    blas_threads,
    row_tasks,
    run_row_tasks,
    sum_row_tasks,
)
from skdl.utils._warn import warn

# step-halving gives up after this many halvings (step 2**-40 of the Newton step)
_MAX_HALVINGS = 40
# Hessians of at least this many multiply-adds (n p²) are formed in float32 during the
# iterations (never for the covariance); below it float64 costs little
_MIXED_MIN = 50_000_000
# the float32 Hessian is used only if its reciprocal condition number is at least this
_RCOND_MIXED = 1e-4
# fitted probabilities closer than this to 0 or 1 count as numerically 0 or 1 (R's glm)
_PROBA_EPS = 10 * np.finfo(np.float64).eps
# rows per block of the float64 Hessian when it is not the main work buffer
_BLOCK_ROWS = 16384
# rows per row task at least, for the Hessians, Gram matrices and matrix-vector passes
_THREAD_MIN_ROWS = 4096
# bytes of X per block of a fused pass (:func:`_pass`): the block is still in the
# core's cache when its rows are multiplied a second time (measured alone at
# 200,000 x 100 on 2 threads: the step's product, the NLL and the gradient 15-16 ms a
# pass in blocks of 4-8 MB, 18-25 ms as separate whole-array passes, 30 ms in blocks
# of 0.4 MB)
_FUSED_BLOCK_BYTES = 4 * 2**20
# below this reciprocal condition number the Hessian counts as singular
_RCOND_MIN = 1e-12
# Below this sup-norm of the mean-loss gradient the Newton step reuses the previous
# Hessian's factor instead of forming a new one (a chord step: the Hessian moves by
# O(|Δθ|) between such close iterates, so the step still shrinks the gradient by
# orders of magnitude - measured x60 per step on bench_logistic's data - and
# convergence is still judged on the gradient alone).  A chord step that shrinks the
# gradient less than tenfold hands back to a fresh Hessian.
_CHORD_GTOL = 1e-4
# Subsampled Hessians (large dense problems, see _solve_irls): every _SUB_STRIDE-th row,
# used when that leaves at least _SUB_ROWS_PER_PARAM rows per parameter (relative
# error of the Hessian ~ √(p/m) <= 1/8) and n p² >= _MIXED_MIN
_SUB_STRIDE = 8
_SUB_ROWS_PER_PARAM = 64
# fresh subsampled Hessians while the gradient is above this (the Hessian still moves
# between iterates); below it the last one is reused with quasi-Newton corrections
# while each step shrinks the gradient at least _SUB_SHRINK-fold
_SUB_GTOL = 1e-3
_SUB_SHRINK = 0.25
# reused subsampled factors that stop converging are refreshed this often, then the
# iterations fall back to full Hessians
_SUB_MAX_REFRESH = 2
# curvature pairs (s, y) kept for the quasi-Newton (L-BFGS) correction of a reused factor
_QN_PAIRS = 10



def _nll(eta, y, w):
    """Weighted negative log-likelihood ``Σ wᵢ (log(1 + e^ηᵢ) - yᵢ ηᵢ)`` (note 001 eq. 7.3).

    ``log(1 + e^η) = max(η, 0) + log1p(e^{-|η|})``, without overflow, in place in one
    temporary: measured twice as fast as ``np.logaddexp(0, η)`` at 200,000 rows.
    """
    loss = np.abs(eta)
    np.negative(loss, out=loss)
    np.exp(loss, out=loss)
    np.log1p(loss, out=loss)
    loss += np.maximum(eta, 0.0)
    loss -= y * eta
    return float(loss @ w)


def _separates(eta, y, w):
    """True when the linear predictor strictly separates the positively weighted samples.

    Then ``c θ`` lowers the unpenalised NLL for every ``c > 1``: the maximum-likelihood
    estimate does not exist (complete separation).
    """
    # a misclassified sample among the first rows settles it without a pass over all
    head = slice(0, 1024)
    if np.any((w[head] > 0) & ((eta[head] > 0) != (y[head] > 0))):
        return False
    active = w > 0
    margin = np.where(y[active] > 0, eta[active], -eta[active])
    return bool(margin.size) and bool(np.all(margin > 0))


def _gemv_tasks(X):
    """Row tasks of a matrix-vector pass over a dense ``X`` (``[0, n]``: one call, for
    fewer than ``SMALL_WORK`` multiply-adds ``n p``)."""
    n, d = X.shape
    if n * d < SMALL_WORK:
        return np.array([0, n])
    return row_tasks(n, X.itemsize * d, min_rows=_THREAD_MIN_ROWS)


def _weighted_gram(X, c, fit_intercept):
    """``Xₐᵀ diag(c) Xₐ`` (``Xₐ = [1, X]`` with an intercept) as a dense float64 array,
    for a sparse ``X``: ``Xᵀ diag(c) X`` is a sparse-sparse product (never a dense
    copy of ``X``), the intercept's row and column ``Σc`` and ``Xᵀc``.  ``c`` may be
    negative (the softmax Hessian's off-diagonal blocks)."""
    off = 1 if fit_intercept else 0
    d = X.shape[1]
    out = np.empty((d + off, d + off))
    gram = X.T @ (sparse.diags_array(c) @ X)
    out[off:, off:] = gram.toarray()
    if fit_intercept:
        out[0, 0] = c.sum()
        out[0, 1:] = out[1:, 0] = X.T @ c
    return out


def _hessian(X, w, pi, fit_intercept, buf):
    """``XₐᵀSXₐ`` with ``S = diag(w π (1 - π))`` (note 001 eq. 7.5), in float64.

    The rows of ``Xₐ`` scaled by ``√s`` are written into the work buffer ``buf``
    (``(rows, p)``, float64 or float32) and ``bufᵀ buf`` is one symmetric rank-k
    update (numpy dispatches ``Bᵀ @ B`` to BLAS ``syrk``: half the flops of a general
    product).  A buffer of ``n`` rows gives one BLAS product for the whole Hessian;
    a smaller one is used in row blocks.  A sparse ``X`` (``buf`` None) goes through
    :func:`_weighted_gram`, never densified.
    """
    return _scaled_gram(X, w * pi * (1.0 - pi), fit_intercept, buf)


def _scaled_gram(X, c, fit_intercept, buf):
    """``Xₐᵀ diag(c) Xₐ`` for ``c >= 0`` (``Xₐ = [1, X]`` with an intercept), float64.

    A dense ``X``: the rows of ``Xₐ`` scaled by ``√c`` are written into the work
    buffer ``buf`` (``(rows, p)``, float64 or float32) and ``bufᵀ buf`` is one
    symmetric rank-k update per block of ``rows`` rows (BLAS ``syrk``).  A sparse
    ``X`` goes through :func:`_weighted_gram`, never densified.  Used for the Hessian
    (``c = w π (1 - π)``) and for the meat of the robust covariances
    (``c = w (y - π)²``, divided by ``(1 - h)`` or ``(1 - h)²`` for HC2 / HC3).
    """
    if sparse.issparse(X):
        return _weighted_gram(X, c, fit_intercept)
    cuts = _row_tasks(X)
    if len(cuts) == 2:
        return _gram_rows(X, c, fit_intercept, buf)
    if buf.shape[0] >= X.shape[0]:
        # a buffer of all rows: each task scales its rows into its own rows of it
        def one(lo, hi, worker):
            return _gram_rows(X[lo:hi], c[lo:hi], fit_intercept, buf[lo:hi])
    else:
        bufs = {0: buf}  # one block buffer per thread, reused by all its tasks

        def one(lo, hi, worker):
            b = bufs.get(worker)
            if b is None:
                b = bufs[worker] = np.empty_like(buf)
            return _gram_rows(X[lo:hi], c[lo:hi], fit_intercept, b)

    return sum_row_tasks(one, cuts)


def _row_tasks(X):
    """Cut points of the row tasks of a Gram pass over a large dense ``X`` (work of at
    least ``SMALL_WORK`` multiply-adds ``n p²``, tasks of at least ``_THREAD_MIN_ROWS``
    rows), else ``[0, n]``.

    The tasks run in :func:`~skdl.utils._threads.sum_row_tasks`: threads with one BLAS
    thread each pull them one at a time.  Numpy's BLAS and elementwise loops release
    the GIL, so the scaling copy of one block overlaps the product of another; and on
    a loaded machine a descheduled thread holds up no other, where the threads of one
    multi-threaded BLAS call wait for each other (measured at 200,000 × 101 beside
    other processes' BLAS jobs: the float64 Hessian in blocks of two-thread ``syrk``
    3.0 s, in two row ranges 0.28 s).  The cut depends on the shape only, so the sum
    is the same on any number of CPUs.
    """
    n, d = X.shape
    if n * d * d < SMALL_WORK or n < 2 * _THREAD_MIN_ROWS:
        return np.array([0, n])
    return row_tasks(n, X.itemsize * (d + 1), partial_bytes=8 * (d + 1) ** 2,
                     min_rows=_THREAD_MIN_ROWS)


def _gram_rows(X, c, fit_intercept, buf):
    """:func:`_scaled_gram` of a dense ``X`` in one thread: a ``syrk`` per block of
    ``buf``'s rows."""
    n = X.shape[0]
    off = 1 if fit_intercept else 0
    rows = buf.shape[0]
    gram = None
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        blk = buf[: stop - start]
        sqrt_c = np.sqrt(c[start:stop])
        if fit_intercept:
            blk[:, 0] = sqrt_c
        np.multiply(X[start:stop], sqrt_c[:, None], out=blk[:, off:], casting="same_kind")
        part = blk.T @ blk
        gram = part.astype(np.float64) if gram is None else gram + part
    return gram


def _linear_predictor(X, theta, fit_intercept):
    """``Xₐ θ`` (``Xₐ = [1, X]`` with an intercept); a large dense ``X`` by a GEMV per
    row task, each into its own rows of the result."""
    coef = theta[1:] if fit_intercept else theta
    cuts = np.array([0, X.shape[0]]) if sparse.issparse(X) else _gemv_tasks(X)
    if len(cuts) == 2:
        return X @ coef + theta[0] if fit_intercept else X @ coef
    out = np.empty(X.shape[0], dtype=np.result_type(X.dtype, coef.dtype))

    def one(lo, hi, worker):
        part = out[lo:hi]
        np.dot(X[lo:hi], coef, out=part)
        if fit_intercept:
            part += theta[0]

    run_row_tasks(one, cuts)
    return out


def _subsampled_hessian(X, c, fit_intercept, stride, buf):
    """``Xₐᵀ diag(c) Xₐ`` estimated on every ``stride``-th row (dense ``X``), in float64,
    scaled by ``Σc / Σ_sub c`` (so that the intercept's entry is exact), or None when
    the subsample carries no weight."""
    c_sub = c[::stride]
    total = float(c_sub.sum())
    if not total > 0:
        return None
    return _scaled_gram(X[::stride], c_sub, fit_intercept, buf) * (float(c.sum()) / total)


def _quasi_newton_direction(factor, hess, grad, pairs):
    """``H⁻¹ g`` for the L-BFGS inverse Hessian whose initial matrix is ``hess`` (by its
    factor) and whose corrections are the curvature ``pairs`` ``(s, y, 1 / sᵀy)``
    (Nocedal and Wright's two-loop recursion, Algorithm 7.4); without pairs, the
    Newton (or chord) direction ``hess⁻¹ g``."""
    q = grad.copy()
    coefs = []
    for s, yv, rho in reversed(pairs):
        a = rho * float(s @ q)
        q -= a * yv
        coefs.append(a)
    r = _solve(factor, hess, q)
    for (s, yv, rho), a in zip(pairs, reversed(coefs), strict=True):
        r += s * (a - rho * float(yv @ r))
    return r


def _positive_rows(w):
    """The rows of positive weight as a mask, or None for all (a row of weight 0 is no
    row at all)."""
    return None if w is None or np.all(w > 0) else w > 0


def _column_scales(X, fit_intercept, w=None, mags=None):
    """Power-of-two magnitude of each column of ``Xₐ = [1, X]`` (its largest |entry|
    over the rows of positive weight ``w``: a row of weight 0 is no row at all).

    The convergence test reads the gradient in these units, ``g / s``: the gradient
    with respect to the coefficients of the columns scaled to unit size, which does
    not change when a column is rescaled (the coefficient rescales inversely).
    """
    if mags is None:
        mags = column_magnitudes(X, _positive_rows(w))
    scales = power_of_two_scales(mags)
    return np.r_[1.0, scales] if fit_intercept else scales


def _hessian_scales(diag, grad, w, pi, fit_intercept, sw):
    """Power-of-two root mean square of each column of ``Xₐ``, weighted by the first
    Hessian's weights ``w π (1 - π)``: ``√(H_jj / Σ w π (1 - π))`` (1 for the
    intercept), from the diagonal ``diag`` of the unpenalised Hessian (read off a full
    Hessian at no cost, from the first :func:`_pass` otherwise).  The convergence test reads
    the gradient in these units, ``g / s``: the gradient with respect to the
    coefficients of the columns scaled to unit size, which does not change when a
    column is rescaled.

    Raises a ValueError naming the columns whose squares the Hessian cannot represent:
    an overflowed diagonal entry, or a root mean square below 1e-152 (x² below 1e-304,
    where it loses precision or underflows; a zero column is fine) or above
    √(1e306 / Σw) (variances below ~1e-306)."""
    off = 1 if fit_intercept else 0
    curv = float(w @ (pi * (1.0 - pi)))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ms = diag[off:] / curv
        bad = ~np.isfinite(ms) | (ms * sw > 1e306) | ((ms < 1e-304) & (grad[off:] != 0))
    if np.any(bad):
        cols = ", ".join(str(j) for j in np.flatnonzero(bad)[:5])
        raise ValueError(
            f"LogisticIRLS cannot fit features of these magnitudes: column(s) {cols}"
            f"{' ...' if np.count_nonzero(bad) > 5 else ''} have a root mean square below "
            f"1e-152 or above {np.sqrt(1e306 / sw):.1e} (for {sw:g} samples), where the "
            "Hessian (x²) or the coefficients' covariance (1/x²) under- or overflows "
            "float64. Rescale X (e.g. with StandardScaler): any scale within those bounds "
            "gives the same fit up to the coefficients' units."
        )
    scales = power_of_two_scales(np.sqrt(np.where(ms > 0, ms, 0.0)))
    return np.r_[1.0, scales] if fit_intercept else scales


def check_column_magnitudes(X, estimator, sw=None, w=None):
    """Raise a ValueError naming the columns of ``X`` whose magnitude ``m`` (largest
    |entry|) makes the Hessian ``XᵀSX`` or the covariance of their coefficients under-
    or overflow float64: ``m < 1e-150`` (``x²`` below 1e-300) or ``sw m² > 1e306``
    (``sw`` the sum of the weights; Hessian entries up to ``sw m² / 4``, variances down
    to ``4 / (sw m²)``).  Zero columns are fine.  For a few thousand samples any column
    scale in 1e±150 passes.  Returns the magnitudes (over the rows of positive weight
    ``w``), for :func:`_column_scales`."""
    sw = X.shape[0] if sw is None else max(float(sw), 1.0)
    mags = column_magnitudes(X, _positive_rows(w))
    bad = np.flatnonzero(unrepresentable_squares(mags, sw))
    if bad.size:
        cols = ", ".join(f"{j} ({mags[j]:.1e})" for j in bad[:5])
        raise ValueError(
            f"{estimator} cannot fit features of these magnitudes: column(s) {cols}"
            f"{' ...' if bad.size > 5 else ''} have their largest |entry| below 1e-150 "
            f"or above {np.sqrt(1e306 / sw):.1e} (for {sw:g} samples), where the "
            "Hessian (x²) or the coefficients' covariance (1/x²) under- or overflows "
            "float64. Rescale X (e.g. with StandardScaler): any scale within those bounds "
            "gives the same fit up to the coefficients' units."
        )
    return mags


def _jacobi(hess):
    """Powers of two near ``√diag(hess)``: the symmetric scaling ``D⁻¹ H D⁻¹`` has a
    diagonal near 1, so its condition number no longer carries the columns' scales
    (e.g. polynomial columns t, t², t³, or features of magnitudes 1e-150 and 1e150)."""
    diag = np.diag(hess)
    return power_of_two_scales(np.sqrt(np.where(diag > 0, diag, 0.0)))


def _factor(hess, rcond_min=None):
    """Cholesky factor of the Jacobi-scaled symmetric (penalised) Hessian ``D⁻¹ H D⁻¹``
    with ``D`` from :func:`_jacobi`, or ``None`` when that matrix is singular or so
    ill-conditioned (reciprocal condition number below ``rcond_min``, default 1e-12)
    that a Cholesky solve would return noise.  Returns ``(c, lower, D)``."""
    rcond_min = _RCOND_MIN if rcond_min is None else rcond_min
    d = _jacobi(hess)
    scaled = hess / np.outer(d, d)
    if not np.all(np.isfinite(scaled)):
        return None
    anorm = np.abs(scaled).sum(axis=0).max()
    try:
        c, lower = linalg.cho_factor(scaled, lower=False, check_finite=False)
    except linalg.LinAlgError:
        return None
    rcond, info = lapack.dpocon(c, anorm)
    if info != 0 or not rcond >= rcond_min:
        return None
    return c, lower, d


def _solve(factor, hess, rhs):
    """``hess⁻¹ rhs`` by the Cholesky factor of the Jacobi-scaled Hessian, or the
    minimum-norm solution of the scaled system (pseudo-inverse by ``eigh``, eigenvalues
    below ``1e-12 λ_max`` dropped) without one."""
    if factor is not None:
        c, lower, d = factor
        dd = d if rhs.ndim == 1 else d[:, None]
        return linalg.cho_solve((c, lower), rhs / dd, check_finite=False) / dd
    # singular Hessian (collinear columns or n < d, alpha = 0): the step in the
    # range of the Hessian, which is the same for weighted and repeated samples
    d = _jacobi(hess)
    dd = d if rhs.ndim == 1 else d[:, None]
    evals, evecs = linalg.eigh(hess / np.outer(d, d), check_finite=False)
    keep = evals > _RCOND_MIN * max(evals[-1], np.finfo(float).tiny)
    v = evecs[:, keep]
    z = v @ ((v.T @ (rhs / dd)) / (evals[keep] if rhs.ndim == 1 else evals[keep, None]))
    return z / dd


def _halving_step(trial, obj, halvings=0):
    """Step-halving line search shared by the Newton solvers (also SoftmaxClassifier's).

    ``trial(t)`` returns ``(objective, state)`` at step length ``t``; ``t`` is halved
    from ``2**-halvings`` (default 1) until the objective does not rise above ``obj``
    (up to 1e-12 relative), at most down to ``2**-(_MAX_HALVINGS - 1)``.
    Returns ``(objective, state)`` of the accepted step, or None when no ``t`` does.
    """
    t = 0.5**halvings
    for _ in range(_MAX_HALVINGS - halvings):
        obj_new, state = trial(t)
        if _accepts(obj_new, obj):
            return obj_new, state
        t *= 0.5
    return None


def _accepts(obj_new, obj):
    """The line search's test: the objective does not rise (up to 1e-12 relative)."""
    return obj_new <= obj + 1e-12 * abs(obj)


def _descent_step(X, y, w, pen, theta, eta, obj, delta, fit_intercept):
    """``θ - t δ`` with ``t`` halved from 1 until the penalised NLL does not rise.

    The full step is tried by one fused pass (:func:`_pass`), which also gives the
    gradient there; a shorter one reuses that pass's ``Xₐ δ`` (no pass over ``X``).
    Returns ``(theta, eta, objective, pi, grad)`` - ``pi`` and ``grad`` (the
    unpenalised gradient) None after a shorter step - or None when no ``t`` decreases
    the objective.
    """
    eta_new, x_delta, pi, nll, grad, _ = _pass(X, y, w, eta, fit_intercept, delta=delta)
    theta_new = theta - delta
    obj_new = nll + 0.5 * float(pen @ theta_new**2)
    if _accepts(obj_new, obj):
        return theta_new, eta_new, obj_new, pi, grad

    def trial(t):
        theta_new, eta_new = theta - t * delta, eta - t * x_delta
        return _nll(eta_new, y, w) + 0.5 * float(pen @ theta_new**2), (theta_new, eta_new)

    step = _halving_step(trial, obj, halvings=1)
    return None if step is None else (*step[1], step[0], None, None)


def _add_parts(parts):
    """The sums of :func:`_pass`'s per-block ``(grad, nll, diag)``, in block order."""
    g, nll, dg = parts[0]
    for pg, pn, pd in parts[1:]:
        g = g + pg
        nll = nll + pn
        dg = None if dg is None else dg + pd
    return g, nll, dg


def _pass(X, y, w, eta, fit_intercept, delta=None, diag=False):
    """One pass over the rows of ``X`` for a Newton iteration, in blocks.

    With a step ``delta``: ``v = Xₐ δ`` and the new linear predictor ``η - v``
    (``Xₐ = [1, X]`` with an intercept); then, at that predictor (``η`` itself without
    a step), ``π``, the weighted NLL and the gradient ``Xₐᵀ w (π - y)`` (note 001
    eq. 7.4), and with ``diag`` the diagonal of the Hessian ``Σ wᵢπᵢ(1 - πᵢ) xᵢⱼ²`` of
    a dense ``X``.  Returns ``(eta, v, pi, nll, grad, diag)`` (``v``, ``nll`` and
    ``diag`` None where not computed).

    A dense ``X`` is read once: each block of about ``_FUSED_BLOCK_BYTES`` is multiplied
    by ``δ`` and by the residuals while it is in the cache (separate passes read ``X``
    twice); the blocks are row tasks (:func:`~skdl.utils._threads.run_row_tasks`),
    whose partial sums are added in task order (the same result on any number of
    threads).  A sparse ``X`` is one block.
    """
    n, d = X.shape
    off = 1 if fit_intercept else 0
    step = delta is not None
    eta_new = np.empty(n) if step else eta
    v = np.empty(n) if step else None
    pi = np.empty(n)
    coef = delta[off:] if step else None

    dense = not sparse.issparse(X)

    def block(lo, hi):
        xb = X if hi - lo == n else X[lo:hi]  # (slicing a sparse X copies it)
        if step:
            # np.dot, not @, on a dense block: numpy's dot releases the GIL (see below)
            vb = np.dot(xb, coef) if dense else xb @ coef
            if fit_intercept:
                vb += delta[0]
            v[lo:hi] = vb
            np.subtract(eta[lo:hi], vb, out=eta_new[lo:hi])
        eb = eta_new[lo:hi]
        pb = expit(eb, out=pi[lo:hi])
        nll = _nll(eb, y[lo:hi], w[lo:hi]) if step else 0.0
        wb = w[lo:hi]
        r = pb - y[lo:hi]
        r *= wb
        g = np.empty(d + off)
        if dense:
            # np.dot, not @: numpy's matmul of a vector by a matrix keeps the GIL
            # (measured: no overlap in two threads), its dot releases it
            g[off:] = np.dot(r, xb)
        else:
            g[off:] = xb.T @ r
        if fit_intercept:
            g[0] = r.sum()
        dg = None
        if diag:
            c = wb * pb * (1.0 - pb)
            dg = np.empty(d + off)
            dg[off:] = np.dot(c, np.square(xb))
            if fit_intercept:
                dg[0] = c.sum()
        return g, nll, dg

    if not dense:
        g, nll, dg = block(0, n)
    else:
        rows = max(1, _FUSED_BLOCK_BYTES // (X.itemsize * max(d, 1)))

        def one(lo, hi, worker):
            return _add_parts([block(s, min(s + rows, hi)) for s in range(lo, hi, rows)])

        g, nll, dg = _add_parts(run_row_tasks(one, _gemv_tasks(X)))
    return eta_new, v, pi, (float(nll) if step else None), g, dg


def _leverages(X, s, factor, bread, fit_intercept):
    """GLM hat values ``hᵢ = sᵢ zᵢᵀ B zᵢ`` (``zᵢ`` the row of ``Xₐ = [1, X]``,
    ``B = A⁻¹`` the bread), in row blocks.

    A dense ``X`` with the Cholesky factor ``D⁻¹AD⁻¹ = UᵀU`` of the Hessian:
    ``zᵀBz = ‖zᵀ W‖²`` with ``W = D⁻¹U⁻¹`` (the triangular inverse, once), one GEMM
    per block of rows (a sum of squares, never negative; measured at 200,000 × 101 on
    one thread 1.8× faster than a triangular solve per block, whose BLAS ``trsm`` runs
    far below GEMM's speed).  Without a factor (a singular Hessian: ``B`` its
    pseudo-inverse) and for a sparse ``X`` (a sparse times dense product per block,
    ``X`` never densified): ``zᵀBz`` from ``B``.
    """
    n = X.shape[0]
    off = 1 if fit_intercept else 0
    h = np.empty(n)
    if factor is not None and not sparse.issparse(X):
        c, lower, d = factor
        u = np.triu(c) if not lower else np.tril(c).T
        right = linalg.solve_triangular(u, np.eye(u.shape[0]), check_finite=False)
        right /= d[:, None]
    else:
        right = None
    for start in range(0, n, _BLOCK_ROWS):
        stop = min(start + _BLOCK_ROWS, n)
        xb = X[start:stop]
        if right is not None:
            zw = xb @ right[off:]
            if fit_intercept:
                zw += right[0]
            h[start:stop] = np.einsum("ij,ij->i", zw, zw)
            continue
        zb = xb @ bread[off:]
        if fit_intercept:
            zb += bread[0]
        if sparse.issparse(xb):
            quad = np.asarray(xb.multiply(zb[:, off:]).sum(axis=1)).ravel()
        else:
            quad = np.einsum("ij,ij->i", xb, zb[:, off:])
        h[start:stop] = quad + zb[:, 0] if fit_intercept else quad
    return h * s


def _cluster_meat(X, u, codes, n_groups, fit_intercept):
    """``Σ_g s_g s_gᵀ`` with the cluster scores ``s_g = Σ_{i∈g} uᵢ zᵢ`` (``uᵢ = wᵢ(yᵢ -
    πᵢ)``): the scores are one sparse product ``C Xₐ`` with the ``(G, n)`` indicator
    matrix ``C`` carrying ``uᵢ`` (a pass over ``X``; a sparse ``X`` stays sparse and
    the meat is a sparse Gram product, as the Hessian's)."""
    n = X.shape[0]
    ind = sparse.csr_array((u, (codes, np.arange(n))), shape=(n_groups, n))
    t = np.bincount(codes, weights=u, minlength=n_groups)  # the intercept's scores
    scores = ind @ X
    if sparse.issparse(scores):
        off = 1 if fit_intercept else 0
        d = X.shape[1]
        meat = np.empty((d + off, d + off))
        meat[off:, off:] = (scores.T @ scores).toarray()
        if fit_intercept:
            meat[0, 0] = t @ t
            meat[0, 1:] = meat[1:, 0] = scores.T @ t
        return meat
    if fit_intercept:
        scores = np.column_stack([t, scores])
    return scores.T @ scores


def _covariance(X, y, w, pi, hess, factor, pen, fit_intercept, cov_type, groups, buf):
    """The covariance of ``θ = [intercept, coef]`` of type ``cov_type``.

    ``B M B`` times a factor ``c`` (``B = A⁻¹`` the bread, ``A = F + P`` the penalised
    Hessian ``hess`` at the optimum with factor ``factor``, ``F = Σ wᵢsᵢzᵢzᵢᵀ``):
    ``M = F`` for "nonrobust" (``B`` itself for ``α = 0``), ``Σ wᵢ(yᵢ - πᵢ)²zᵢzᵢᵀ``
    for "HC0" and "HC1" (``c = n/(n - p)``, ``n = Σw``), the same divided by
    ``(1 - hᵢ)`` resp. ``(1 - hᵢ)²`` (the GLM hat values of :func:`_leverages`) for
    "HC2" and "HC3", ``Σ_g s_g s_gᵀ`` for "cluster" (``c = G/(G-1) · (n-1)/(n-p)``).
    ``groups`` is ``(codes, n_groups, n_clusters)`` for "cluster" (``n_clusters`` the
    clusters with a positively weighted sample).  ``buf`` is a work buffer of rows of
    ``Xₐ`` (dense ``X``).  Raises a ValueError where the type is undefined.
    """
    p = hess.shape[0]
    bread = _solve(factor, hess, np.eye(p))
    bread = 0.5 * (bread + bread.T)
    if cov_type == "nonrobust":
        if not np.any(pen):
            return bread  # the inverse Fisher information
        fisher = hess.copy()
        fisher.flat[:: p + 1] -= pen
        return sandwich(bread, fisher)
    n = float(w.sum())
    if cov_type in ("HC1", "cluster") and not n > p:
        raise ValueError(
            f"cov_type={cov_type!r} needs more observations than parameters for its "
            f"small-sample factor (n - p); got n = {n:g} (the sum of the sample weights) "
            f"and p = {p}. Use cov_type='HC0' (or 'nonrobust')."
        )
    resid = y - pi
    if cov_type == "cluster":
        codes, n_groups, n_clusters = groups
        meat = _cluster_meat(X, w * resid, codes, n_groups, fit_intercept)
        scale = n_clusters / (n_clusters - 1.0) * (n - 1.0) / (n - p)
        return scale * sandwich(bread, meat)
    c = w * resid**2
    if cov_type in ("HC2", "HC3"):
        h = _leverages(X, pi * (1.0 - pi), factor, bread, fit_intercept)
        active = w > 0
        if np.any(h[active] >= 1.0 - 1e-12):
            bad = np.flatnonzero(active & (h >= 1.0 - 1e-12))
            raise ValueError(
                f"cov_type={cov_type!r} divides by 1 - h (h the leverage of a sample), "
                f"undefined here: sample(s) {', '.join(map(str, bad[:5]))}"
                f"{' ...' if bad.size > 5 else ''} have leverage 1 (they alone determine "
                "a parameter). Use cov_type='HC0' or 'HC1', or alpha > 0."
            )
        c = np.divide(c, (1.0 - h) ** (1 if cov_type == "HC2" else 2), out=c,
                      where=active)
    meat = _scaled_gram(X, c, fit_intercept, buf)
    scale = n / (n - p) if cov_type == "HC1" else 1.0
    return scale * sandwich(bread, meat)


def _full_hessian(X, w, pi, pen, fit_intercept, mixed, buf, buf64):
    """The penalised Hessian on every row and its factor, for a Newton step:
    ``(hess, factor, buf, buf64)`` with the work buffers (allocated here on first use).

    Mixed precision (``mixed``, large dense problems): the Newton direction only needs
    an approximate Hessian - the gradient, the objective and the final covariance stay
    in float64, so the iterates converge to the float64 optimum.  A float32 product in
    a buffer of the whole of ``X`` is twice as fast; it is used only when its Cholesky
    factor is well conditioned (reciprocal condition number >= 1e-4), else the float64
    one is formed (in row blocks when ``mixed``, else in one buffer of ``X``'s size).
    """
    n, p = X.shape[0], pen.shape[0]
    factor = None
    if mixed:
        if buf is None:
            buf = np.empty((n, p), dtype=np.float32)
        hess = _hessian(X, w, pi, fit_intercept, buf)
        hess.flat[:: p + 1] += pen
        factor = _factor(hess, rcond_min=_RCOND_MIXED)
    if factor is None:
        if buf64 is None and not sparse.issparse(X):
            buf64 = np.empty((min(n, _BLOCK_ROWS) if mixed else n, p))
        hess = _hessian(X, w, pi, fit_intercept, buf64)
        hess.flat[:: p + 1] += pen
        factor = _factor(hess)
    return hess, factor, buf, buf64


def _solve_irls(X, y, w, alpha=0.0, fit_intercept=True, max_iter=100, tol=1e-8, theta0=None,
                cov_type="nonrobust", groups=None):
    """Newton's method / IRLS for L2-penalised binary logistic regression.

    Minimises ``Σ wᵢ [log(1 + exp(ηᵢ)) - yᵢ ηᵢ] + α/2 ‖coef‖²`` with
    ``ηᵢ = b + xᵢᵀ coef`` (the intercept ``b`` is not penalised), ``y`` in {0, 1}.

    Each iteration solves ``(XₐᵀSXₐ + αI) δ = g`` by Cholesky (of the Jacobi-scaled
    matrix, so that columns of very different scales cost no accuracy) and takes
    ``θ ← θ - t δ``, halving ``t`` until the objective does not rise; near the
    optimum (``max|g / s| <= 1e-4 Σw``) the previous factor is reused while that shrinks
    the gradient at least tenfold per step.  Stops when ``max|g / s| <= tol Σw`` (the
    sup-norm of the gradient of the mean loss with respect to the coefficients of the
    columns scaled by their power-of-two magnitudes ``s``, so that rescaling a column
    changes nothing but its coefficient), when
    ``max_iter`` Newton steps are spent, or, for ``alpha == 0``, when the iterate
    separates the classes (no maximum-likelihood estimate exists).

    Returns
    -------
    result : SolverResult
        ``coef`` (d,), ``intercept`` (a float, 0.0 without ``fit_intercept``),
        ``n_iter`` (Newton steps; may be 0) and ``diagnostics``: ``converged``,
        ``separated``, ``n_extreme`` (samples fitted with probability numerically 0 or
        1), ``covariance`` (the covariance of ``θ = [intercept, coef]`` of type
        ``cov_type``, see :func:`_covariance`: for "nonrobust" the inverse Hessian at
        ``alpha = 0``, the sandwich ``B F B`` for ``alpha > 0``; the intercept first when
        ``fit_intercept``), ``loss_curve`` (list of the objective / Σw after each Newton
        step: ``n_iter`` floats).  ``groups`` is ``(codes, n_groups, n_clusters)`` for
        ``cov_type="cluster"`` (see :func:`_covariance`).
    """
    n, d = X.shape
    off = 1 if fit_intercept else 0
    p = d + off
    sw = float(w.sum())
    pen = np.full(p, float(alpha))
    if fit_intercept:
        pen[0] = 0.0

    theta = np.zeros(p)
    if theta0 is not None:
        theta[:] = theta0
    elif fit_intercept:
        # start at the (weighted) log-odds of the classes: the optimum for coef = 0
        ybar = float(w @ y) / sw
        ybar = min(max(ybar, 1e-10), 1 - 1e-10)
        theta[0] = np.log(ybar / (1.0 - ybar))
    if theta0 is None:
        eta = np.full(n, theta[0] if fit_intercept else 0.0)  # no coefficients yet
    else:
        eta = _linear_predictor(X, theta, fit_intercept)
    obj = _nll(eta, y, w) + 0.5 * float(pen @ theta**2)
    loss_curve = []
    # units of the convergence test, from the first Hessian's diagonal (no extra pass)
    scales = None

    converged = separated = False
    n_iter = 0
    is_sparse = sparse.issparse(X)
    # Large dense problems (n p² >= 5e7): the Hessians of the iterations are formed in
    # float32 (mixed precision, see below) in a work buffer of the whole of X, one BLAS
    # product each; with n >= 8 · 64 p the iterations first use subsampled Hessians
    # (every 8th row) and that buffer is allocated only if they hand over to full ones.
    # A sparse X needs no buffer: its Hessian is a sparse product, in float64.
    mixed = not is_sparse and n * p * p >= _MIXED_MIN
    sub = mixed and n // _SUB_STRIDE >= _SUB_ROWS_PER_PARAM * p
    sub_refresh = 0
    buf = buf64 = buf_sub = None
    factor = hess = None
    factor_is_sub = False
    chord_gmax = np.inf  # the gradient a reused factor's last step started from
    pairs = []  # curvature pairs of the steps since the factor was formed
    theta_prev = grad_prev = None
    # the gradient at the start, and (for subsampled Hessians, which miss rows) the
    # exact diagonal of the first Hessian for the units of the convergence test, in
    # one pass
    _, _, pi, _, grad_nll, first_diag = _pass(X, y, w, eta, fit_intercept, diag=sub)
    while True:
        grad = grad_nll + pen * theta
        if grad_prev is not None:
            s_k, y_k = theta - theta_prev, grad - grad_prev
            sy = float(s_k @ y_k)
            if sy > 0:
                pairs.append((s_k, y_k, 1.0 / sy))
                del pairs[:-_QN_PAIRS]
        gmax = np.max(np.abs(grad / scales), initial=0.0) if scales is not None else np.inf
        if gmax <= tol * sw:
            converged = True
            break
        if n_iter >= max_iter:
            break
        step = None
        # The previous factor while steps with it keep shrinking the gradient: a full
        # Hessian's close to the optimum (a chord step), tenfold per step; a subsampled
        # one's once the gradient is small, 4-fold, corrected by the curvature pairs of
        # the steps since it was formed (L-BFGS with that Hessian as the initial matrix:
        # the pairs fix the subsample's error along the directions the steps explore).
        if factor_is_sub:
            reuse_gtol, shrink, qn_pairs = _SUB_GTOL, _SUB_SHRINK, pairs
        else:
            reuse_gtol, shrink, qn_pairs = _CHORD_GTOL, 0.1, []
        if factor is not None and gmax <= min(reuse_gtol * sw, shrink * chord_gmax):
            step = _descent_step(X, y, w, pen, theta, eta, obj,
                                 _quasi_newton_direction(factor, hess, grad, qn_pairs),
                                 fit_intercept)
            chord_gmax = gmax
        if step is None and factor_is_sub and gmax <= _SUB_GTOL * sw:
            # a reused subsampled factor stopped converging: refresh it, and after
            # _SUB_MAX_REFRESH refreshes hand over to full Hessians
            sub_refresh += 1
            sub = sub_refresh <= _SUB_MAX_REFRESH
        if step is None:
            chord_gmax = np.inf
            pairs = []
            factor = None
            c = w * pi * (1.0 - pi)
            if scales is None:
                # units of the convergence test, from the first Hessian's diagonal
                diag = first_diag
            if sub:
                # Subsampled Newton: the direction needs only an approximate Hessian
                # (the gradient, objective and covariance use every row), and one on
                # n/8 rows costs an eighth; measured on bench_logistic's 200,000 × 100
                # problem it steers as well as the full one until the gradient is small
                if buf_sub is None:
                    buf_sub = np.empty((min(n // _SUB_STRIDE + 1, _BLOCK_ROWS), p))
                hess = _subsampled_hessian(X, c, fit_intercept, _SUB_STRIDE, buf_sub)
                if hess is not None:
                    hess.flat[:: p + 1] += pen
                    factor = _factor(hess)
                if factor is None:
                    sub = False  # a singular subsample: full Hessians from here on
            factor_is_sub = factor is not None
            if factor is None:
                hess, factor, buf, buf64 = _full_hessian(X, w, pi, pen, fit_intercept,
                                                         mixed, buf, buf64)
            if scales is None:
                if diag is None:
                    diag = np.diag(hess) - pen
                scales = _hessian_scales(diag, grad, w, pi, fit_intercept, sw)
                if np.max(np.abs(grad / scales), initial=0.0) <= tol * sw:
                    converged = True  # already at the optimum: no step
                    break
            step = _descent_step(X, y, w, pen, theta, eta, obj, _solve(factor, hess, grad),
                                 fit_intercept)
            if step is None and factor_is_sub:
                # no decrease along a subsampled Newton direction: the full Hessian's
                sub = factor_is_sub = False
                hess, factor, buf, buf64 = _full_hessian(X, w, pi, pen, fit_intercept,
                                                         mixed, buf, buf64)
                step = _descent_step(X, y, w, pen, theta, eta, obj,
                                     _solve(factor, hess, grad), fit_intercept)
        n_iter += 1
        if step is None:
            # no decrease along the Newton direction: the objective is flat to
            # machine precision, keep the current iterate
            converged = True
            break
        theta_prev, grad_prev = theta, grad
        theta, eta, obj, pi, grad_nll = step
        if grad_nll is None:  # a shortened step: the gradient at the new iterate
            _, _, pi, _, grad_nll, _ = _pass(X, y, w, eta, fit_intercept)
        loss_curve.append(obj / sw)
        if alpha == 0 and _separates(eta, y, w):
            separated = True
            break

    # the covariance: the bread is the inverse of the float64 penalised Hessian at the
    # final iterate; a robust meat is one more pass (syrk) over the scaled rows
    if buf64 is None and not is_sparse:
        del buf
        buf64 = np.empty((min(n, _BLOCK_ROWS), p))
    pi = expit(eta)
    hess = _hessian(X, w, pi, fit_intercept, buf64)
    hess.flat[:: p + 1] += pen
    factor = _factor(hess)
    # samples fitted with probability numerically 0 or 1 (R's glm warns alike): the
    # sign of quasi-complete separation when alpha = 0
    n_extreme = int(np.count_nonzero((w > 0) & (np.minimum(pi, 1.0 - pi) < _PROBA_EPS)))
    cov = _covariance(X, y, w, pi, hess, factor, pen, fit_intercept, cov_type, groups, buf64)
    return SolverResult(
        coef=theta[off:],
        intercept=float(theta[0]) if fit_intercept else 0.0,
        n_iter=n_iter,
        diagnostics={
            "converged": converged,
            "separated": separated,
            "n_extreme": n_extreme,
            "covariance": cov,
            "loss_curve": loss_curve,
        },
    )


_ACCEPT_SPARSE = ("csr", "csc")
_FLOATS = [np.float64, np.float32]


def _as_float64(X):
    """The float64 copy the solvers compute in (float32 X: the fit is float64's, cast
    back by the estimator); a sparse X becomes a float64 CSR array, never dense."""
    if sparse.issparse(X):
        return sparse.csr_array(X, dtype=np.float64)
    return np.ascontiguousarray(X, dtype=np.float64)


def _fit_weights(est, X, y, y_enc, classes, sample_weight):
    """``sample_weight`` times the weight of each sample's class (``class_weight``:
    None, "balanced" or a dict of label -> weight, sklearn's meaning: "balanced" gives
    class ``c`` the weight ``Σw / (n_classes Σ_{yᵢ=c} wᵢ)``, ``n / (n_classes ·
    bincount(y))`` without sample weights), as a new float64 array (the caller's is
    never modified).  Raises when a weight is negative or all weights are zero."""
    sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    cw_param = est.class_weight
    if cw_param is not None:
        cw = np.asarray(
            compute_class_weight(cw_param, classes=classes, y=y, sample_weight=sw),
            dtype=np.float64,
        )
        if np.any(np.isnan(cw)) or np.any(cw < 0):
            raise ValueError(
                f"class_weight must give every class a non-negative weight; got {cw_param!r} "
                f"for classes {classes.tolist()}."
            )
        # 'balanced' with a class whose samples all weigh 0: an infinite class weight
        # on weight-0 samples, which count for nothing
        sw = sw * np.where(np.isfinite(cw), cw, 0.0)[y_enc]
    else:
        sw = sw.copy()
    if not sw.sum() > 0:
        raise ValueError("The sample weights sum to zero: there is nothing to fit.")
    return sw


def _warm_start_coef(est, classes, n_features):
    """The previous fit's ``(coef_, intercept_)`` as float64 when ``warm_start`` and it
    fitted the same classes, else None (a cold start: coefficients of other classes
    are no starting point).  Another number of features is an error, as in
    sklearn and skdl's other warm starts."""
    if not est.warm_start or not hasattr(est, "coef_"):
        return None
    if est.coef_.shape[1] != n_features:
        raise ValueError(
            f"X has {n_features} features, but {type(est).__name__} is expecting "
            f"{est.coef_.shape[1]} features as input (warm_start=True starts from the "
            "previous fit's coefficients). Set warm_start=False to fit other features."
        )
    old = getattr(est, "classes_", None)
    if old is None or old.shape != classes.shape or not np.array_equal(old, classes):
        return None
    return np.asarray(est.coef_, dtype=np.float64), np.asarray(est.intercept_, dtype=np.float64)


class LogisticIRLS(InferenceMixin, ClassifierMixin, AtomicFitMixin, BaseEstimator):
    """Binary logistic regression by Newton's method (IRLS), with standard errors.

    Fits ``P(y = classes_[1] | x) = σ(xᵀcoef + intercept)`` by minimising the
    weighted negative log-likelihood plus an optional L2 penalty on the coefficients
    (never the intercept)::

        Σᵢ wᵢ [log(1 + exp(ηᵢ)) - yᵢ ηᵢ] + α/2 ‖coef‖²,   ηᵢ = xᵢᵀcoef + intercept.

    Newton's method with a Cholesky solve of ``XᵀSX + αI`` per iteration and
    step-halving when the objective would rise.  Unlike
    :class:`sklearn.linear_model.LogisticRegression` it reports the covariance and
    standard errors of the estimate (model-based or robust: ``cov_type``), with
    :meth:`conf_int` and :meth:`summary`, as statsmodels' ``GLM(Binomial)`` does.

    Parameters
    ----------
    alpha : float, default=0.0
        Non-negative L2 penalty on the coefficients.  ``alpha = 1 / C`` gives the
        solution of sklearn's ``LogisticRegression(C=C)`` (same objective: sklearn
        minimises ``½‖coef‖² + C Σ wᵢ lossᵢ``, i.e. ``Σ wᵢ lossᵢ + ‖coef‖² / (2C)``).
        ``alpha = 0`` is the maximum-likelihood fit (sklearn's ``C=np.inf`` or
        ``penalty=None``).  (sklearn's ``LogisticRegression`` penalises by default,
        ``C=1``: pass ``alpha=1.0`` for its default fit.)
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    max_iter : int, default=100
        Maximum number of Newton steps.
    tol : float, default=1e-8
        Stop when the largest absolute entry of the gradient of the mean objective
        (the objective divided by the sum of the sample weights) is at most ``tol``,
        each entry taken per unit of its column (divided by the power of two nearest
        the column's root mean square, weighted as in the first Hessian), so that
        rescaling a column changes only its coefficient, never the fit.  Newton's
        method converges quadratically, so a small ``tol`` costs at most an iteration
        or two.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying ``sample_weight`` (sklearn's meaning):
        a dict maps a label to its weight (missing labels weigh 1); ``"balanced"``
        weighs class ``c`` by ``n_samples / (n_classes · bincount(y)[c])``, with
        sample weights by ``Σw / (n_classes Σ_{yᵢ=c} wᵢ)``, so that each class
        carries the same total weight.  ``None``: all classes weigh 1.
    warm_start : bool, default=False
        When True, ``fit`` starts Newton's method from the previous fit's
        ``coef_`` and ``intercept_`` (if it fitted the same two classes; else from the
        cold start) instead of from zero coefficients: refitting at the optimum takes
        no step, and a fit after a small change of the data or of ``alpha`` a few.
        Another number of features raises a ValueError.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}, default="nonrobust"
        The covariance of the estimate in ``covariance_`` (statsmodels' names; the
        formulas are in the Notes): "nonrobust" the model-based (inverse Fisher
        information), "HC0"-"HC3" the heteroskedasticity-robust (sandwich) ones,
        "cluster" the cluster-robust one for the clusters passed to ``fit`` as
        ``groups``.  The tests and intervals of :meth:`summary` and :meth:`conf_int`
        use the normal distribution (z), as statsmodels' GLM.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two class labels; ``classes_[1]`` is the positive class.
    coef_ : ndarray of shape (1, n_features)
        Coefficients (the shape of sklearn's ``LogisticRegression.coef_``), of X's
        dtype: float32 for float32 X (fitted in float64, then cast), else float64.
    intercept_ : ndarray of shape (1,)
        Intercept; 0.0 when ``fit_intercept=False``.  Of the dtype of ``coef_``.
    covariance_ : ndarray of shape (n_params, n_params)
        The (asymptotic, sampling) covariance of the estimate of type ``cov_type``
        for the parameters ``[intercept, coef...]`` (the intercept first, only when
        ``fit_intercept``: statsmodels' order with ``add_constant``).  For
        ``cov_type="nonrobust"`` and ``alpha = 0`` the inverse Fisher information
        ``F⁻¹`` (statsmodels' ``cov_params()``); for ``alpha > 0`` the sandwich
        ``B F B`` with ``B = (F + P)⁻¹``: the covariance of the penalised (biased)
        estimate around its expectation.  Always float64 (also for float32 X).
    std_errors_ : ndarray of shape (n_params,)
        ``sqrt(diag(covariance_))``: the standard errors, as statsmodels' ``bse``.
        Always float64.
    n_groups_ : int
        Number of clusters (with a positively weighted sample) of a
        ``cov_type="cluster"`` fit; absent for the other types.
    n_iter_ : int
        Number of Newton steps taken (those that reuse the previous Hessian
        near the optimum, and for large problems those with a subsampled or
        quasi-Newton-corrected Hessian, included).
    loss_curve_ : list of float
        Objective divided by the sum of the (class-weighted) sample weights after
        each Newton step: ``n_iter_`` entries.
    separated_ : bool
        Whether complete separation was detected (``alpha = 0`` only).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    SoftmaxClassifier : Multinomial (softmax) logistic regression for m classes.
    sklearn.linear_model.LogisticRegression : ``solver="newton-cholesky"`` solves the
        same problem, without standard errors.

    Notes
    -----
    The gradient and Hessian of the negative log-likelihood (note 001 eq. 7.3) are
    ``g = Xᵀ(π - y)`` and ``H = XᵀSX`` with ``S = diag(πᵢ(1 - πᵢ))`` (note 001
    eqs. 7.4-7.5; the printed 7.4 carries a stray ``yᵢ`` inside the sum and calls
    ``S`` d×d: it is n×n), here weighted by the sample weights.  Newton's update
    ``θ ← θ - H⁻¹g`` (note 001 eq. 7.6) is iteratively reweighted least squares.
    The inverse Hessian at the optimum is the inverse of the observed Fisher
    information, the large-sample covariance of the maximum-likelihood estimate
    (note 002, Fisher information and the Cramér-Rao bound).

    **Covariances** (``covariance_``).  With ``zᵢ = (1, xᵢ)`` (``xᵢ`` without
    intercept), ``p = len(zᵢ)``, frequency weights ``wᵢ`` (an integer weight is the
    row repeated; ``class_weight`` multiplies them), ``n = Σ wᵢ``, ``πᵢ = σ(zᵢᵀθ)``,
    ``sᵢ = πᵢ(1 - πᵢ)``, the Fisher information ``F = Σ wᵢ sᵢ zᵢzᵢᵀ``, the penalty
    ``P = diag(0, α, ..., α)`` and the bread ``B = (F + P)⁻¹`` (the inverse Hessian at
    the optimum; its pseudo-inverse if singular), every type is ``c · B M B``:

    - "nonrobust": ``M = F``, ``c = 1``: ``F⁻¹`` for ``α = 0``;
    - "HC0": ``M = Σ wᵢ (yᵢ - πᵢ)² zᵢzᵢᵀ`` (the sandwich of Huber and White),
      ``c = 1``; "HC1": the same with ``c = n / (n - p)``;
    - "HC2", "HC3": ``(yᵢ - πᵢ)²`` divided by ``1 - hᵢ`` resp. ``(1 - hᵢ)²``, with
      the GLM hat values ``hᵢ = sᵢ zᵢᵀ B zᵢ`` (R's ``sandwich::vcovHC`` for a glm);
    - "cluster": ``M = Σ_g s_g s_gᵀ`` with ``s_g = Σ_{i∈g} wᵢ (yᵢ - πᵢ) zᵢ`` and
      ``c = G / (G - 1) · (n - 1) / (n - p)``, ``G`` the number of clusters
      (statsmodels' default correction).

    statsmodels' GLM gives "nonrobust", "HC0" and "cluster" as here, but returns
    the plain HC0 for "HC1", "HC2" and "HC3", and with ``freq_weights`` its cluster
    correction counts rows, not ``n = Σw`` (here: as on the repeated rows); Stata's
    ``glm, vce(robust)`` is ``HC0 · n / (n - 1)``.  The robust meat costs one more
    ``syrk`` of the rows scaled by ``√wᵢ |yᵢ - πᵢ|`` (and, for HC2/HC3, a triangular
    product per row block with the inverse of the Hessian's Cholesky factor), the
    cluster scores one sparse product; a sparse ``X`` is never densified.

    When the classes are linearly separable the likelihood has no maximum: the
    coefficients grow without bound.  If an iterate separates the (positively
    weighted) samples and ``alpha == 0``, the fit stops there, keeps those finite
    coefficients and emits a :class:`~sklearn.exceptions.ConvergenceWarning` naming
    separation; use ``alpha > 0`` for a well-defined fit.  Quasi-complete separation
    (a hyperplane separates the classes except for samples lying on it) is flagged,
    as R's ``glm`` does, by a warning when some fitted probabilities are numerically
    0 or 1 (within ``10 ε``).

    ``XᵀSX`` is formed per iteration by one symmetric rank-k update (BLAS
    ``syrk``) of the rows of ``X`` scaled by ``√s``: about ``n d²/2`` flops.  The
    scaled rows live in a work buffer of the size of ``X``, allocated once per fit.
    For large problems (``n p² >= 5e7``) the iterations use a float32 Hessian (half
    the cost; the float64 gradient and line search still converge to the float64
    optimum) and the covariance a float64 one; with at least ``8 · 64 p`` rows
    they use the Hessian of every 8th row instead, reused near the optimum with
    L-BFGS corrections, so that the only full Hessian is the float64 one at the
    optimum (the gradient, the objective and the covariance always use every row).

    A sparse ``X`` (scipy.sparse CSR or CSC matrix or array) is never densified:
    ``Xᵀ diag(s) X`` is a sparse-sparse product (a dense ``p × p`` result), the
    gradient and the linear predictor sparse products; the fit equals the dense
    one.  The column magnitudes of the convergence test are read off the Hessian's
    diagonal either way.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import LogisticIRLS
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = (X @ [1.5, -1.0] + rng.logistic(size=200) > 0).astype(int)
    >>> clf = LogisticIRLS().fit(X, y)
    >>> clf.coef_.shape, clf.std_errors_.shape
    ((1, 2), (3,))
    >>> bool(clf.score(X, y) > 0.7)
    True

    Class weights, float32 and sparse input, as with sklearn's LogisticRegression:

    >>> from scipy.sparse import csr_matrix
    >>> balanced = LogisticIRLS(class_weight="balanced")
    >>> dense_fit = balanced.fit(X, y).coef_
    >>> bool(np.allclose(balanced.fit(csr_matrix(X), y).coef_, dense_fit))
    True
    >>> LogisticIRLS().fit(X.astype(np.float32), y).coef_.dtype
    dtype('float32')

    Robust standard errors and the table of estimates, tests and intervals:

    >>> robust = LogisticIRLS(cov_type="HC1").fit(X, y)
    >>> list(robust.summary().columns)
    ['Coef.', 'Std.Err.', 'z', 'P>|z|', '[0.025', '0.975]']
    >>> groups = np.arange(200) // 10
    >>> LogisticIRLS(cov_type="cluster").fit(X, y, groups=groups).n_groups_
    20
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "cov_type": [StrOptions(set(COV_TYPES))],
    }

    def __init__(self, alpha=0.0, *, fit_intercept=True, max_iter=100, tol=1e-8,
                 class_weight=None, warm_start=False, cov_type="nonrobust"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.cov_type = cov_type

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the model by Newton's method, and the covariance of ``cov_type``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; scipy.sparse CSR/CSC input is used without densifying it.
            float32 X gives float32 ``coef_`` and ``intercept_``.
        y : array-like of shape (n_samples,)
            Binary target labels (any two values: numbers, strings, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; ``None`` weighs all equally.  An
            integer weight is equivalent to repeating the sample (frequency weights,
            also for the covariances).  Multiplied by the weights of ``class_weight``.
        groups : array-like of shape (n_samples,), default=None
            The cluster of each sample (any labels), for ``cov_type="cluster"`` only
            (required there; ignored by the other types, as sklearn's CV splitters
            ignore groups they do not use).  Inside a
            Pipeline or GridSearchCV route it with ``set_fit_request(groups=True)``
            under sklearn's metadata routing.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, accept_sparse=_ACCEPT_SPARSE, dtype=_FLOATS,
                             order="C")
        out_dtype = X.dtype
        X = _as_float64(X)
        # one type_of_target (a pass over y) for the usual binary y; sklearn's check
        # (its error for continuous y, its warning) for any other
        y_type = type_of_target(y, input_name="y")
        if y_type != "binary":
            check_classification_targets(y)
        if y_type != "binary" and np.unique(y).size > 2:
            raise ValueError(
                "Only binary classification is supported. The type of the target is "
                f"{y_type}. Use SoftmaxClassifier for more than two classes."
            )
        enc = LabelEncoder()
        y_enc = enc.fit_transform(y)
        classes = enc.classes_
        if classes.size < 2:
            raise ValueError(
                "LogisticIRLS needs samples of 2 classes; y contains only one class: "
                f"{classes.tolist()}."
            )
        sample_weight = _fit_weights(self, X, y, y_enc, classes, sample_weight)
        # (a cluster whose samples all weigh 0 is no cluster: weight 0 = no sample)
        codes, n_groups = check_groups(groups, X.shape[0], self.cov_type, sample_weight)
        cluster = None if codes is None else (codes, n_groups, n_groups)
        warm = _warm_start_coef(self, classes, X.shape[1])
        theta0 = None
        if warm is not None:
            theta0 = np.r_[warm[1][:1], warm[0][0]] if self.fit_intercept else warm[0][0]

        with blas_threads(X.shape[0] * X.shape[1] ** 2 // 2):
            res = _solve_irls(
                X,
                y_enc.astype(np.float64),
                sample_weight,
                alpha=float(self.alpha),
                fit_intercept=self.fit_intercept,
                max_iter=self.max_iter,
                tol=self.tol,
                theta0=theta0,
                cov_type=self.cov_type,
                groups=cluster,
            )
        diag = res.diagnostics
        self.classes_ = classes
        self.coef_ = res.coef.reshape(1, -1).astype(out_dtype)
        self.intercept_ = np.array([res.intercept], dtype=out_dtype)
        self.covariance_ = diag["covariance"]
        self.std_errors_ = np.sqrt(np.clip(np.diag(self.covariance_), 0.0, None))
        if cluster is not None:
            self.n_groups_ = cluster[2]
        else:
            self.__dict__.pop("n_groups_", None)  # of an earlier (warm-started) fit
        self.n_iter_ = res.n_iter
        self.loss_curve_ = diag["loss_curve"]
        self.separated_ = diag["separated"]
        self._warn_convergence(diag, res.n_iter)
        return self

    def _warn_convergence(self, diag, n_iter):
        """The ConvergenceWarning of a fit that separated, nearly separated (alpha 0) or
        ran out of iterations."""
        if diag["separated"]:
            warn(
                "Perfect separation detected: a hyperplane separates the two classes, so "
                "the maximum-likelihood estimate does not exist (the coefficients grow "
                f"without bound). Stopped after {n_iter} iteration(s) with finite "
                "coefficients; their standard errors are meaningless. Use alpha > 0 "
                "(an L2 penalty) for a well-defined fit.",
                ConvergenceWarning,
            )
        elif self.alpha == 0 and diag["n_extreme"] > 0:
            warn(
                f"Fitted probabilities numerically 0 or 1 for {diag['n_extreme']} sample(s): "
                "quasi-complete separation is likely (some samples are perfectly predicted "
                "along a direction in which the likelihood keeps rising), so the "
                "maximum-likelihood estimate may not exist and the standard errors are "
                "unreliable. Use alpha > 0 (an L2 penalty) for a well-defined fit.",
                ConvergenceWarning,
            )
        elif not diag["converged"]:
            warn(
                f"LogisticIRLS did not converge in max_iter={self.max_iter} Newton "
                f"iterations (tol={self.tol}); increase max_iter, or use alpha > 0 if the "
                "classes are (nearly) separable.",
                ConvergenceWarning,
            )

    def _inference_params(self):
        """``[intercept, coef...]`` (the intercept only when fitted), float64."""
        coef = np.asarray(self.coef_[0], dtype=np.float64)
        if self._fitted_intercept():
            return np.r_[np.float64(self.intercept_[0]), coef]
        return coef

    def _inference_df(self):
        """None: z statistics and normal intervals, as statsmodels' GLM."""
        return None

    def _summary_index(self, feature_names):
        return self._inference_names(feature_names)

    def decision_function(self, X):
        """Linear predictor ``xᵀcoef + intercept``, the log-odds of ``classes_[1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Positive values predict ``classes_[1]``.  float32 when both X and the
            fit's X were float32, else float64.
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=_ACCEPT_SPARSE, dtype=_FLOATS, reset=False)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``classes_[1]`` where the decision function is positive, else ``classes_[0]``.
        """
        scores = self.decision_function(X)
        return self.classes_[(scores > 0).astype(int)]

    def predict_log_proba(self, X):
        """Log-probabilities of the two classes, by the stable log-sigmoid.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            ``log σ(-η)`` and ``log σ(η)``, computed as ``-log(1 + e^{∓η})`` without
            overflow for large ``|η|``.
        """
        eta = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, eta), -np.logaddexp(0.0, -eta)])

    def predict_proba(self, X):
        """Probabilities of the two classes.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            ``[1 - σ(η), σ(η)]`` in the order of ``classes_``.
        """
        eta = self.decision_function(X)
        return np.column_stack([expit(-eta), expit(eta)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True
        return tags
