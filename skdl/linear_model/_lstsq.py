"""The least-squares solvers of LinearRegression, Ridge and RidgeRBF (note 001 ch. 3-5).

Pure functions: validated arrays and options in, a
:class:`~skdl.utils._results.SolverResult` out, never an estimator.  The kernels
(:func:`_solve_normal_equations`, :func:`_solve_lstsq`, ...) solve the centred problem
(zero intercept, ``diagnostics["factors"]`` for the predictive std);
:func:`_with_intercept` puts a solve in the data's terms (the intercept ``ȳ - θᵀx̄``,
the RSS, the means) and :func:`_solve_direct` runs a whole direct or iterative fit of
LinearRegression and Ridge, with the 'auto' fallback (:func:`_cholesky_or_fallback`,
shared with RidgeRBF).  :func:`_predict_blocks` is the one prediction (and predictive
standard deviation) of these models.

A scipy.sparse ``X`` is never densified: its Gram matrix is a sparse product centred by
the rank-one correction (:func:`skdl.utils._moments.sparse_moments`), and
``'lsqr'``/``'sparse_cg'`` run on the implicitly centred operator.

The normal-equations path reads ``X`` once, in row blocks that stay in cache: each
block is shifted by a pilot estimate of the mean, scaled by the square root of the
sample weights and appended with a column of ones and the (shifted) targets, and a
symmetric rank-k update (BLAS ``syrk``) accumulates everything the fit needs -
``sum(w)``, the weighted column sums, ``XᵀWX``, ``XᵀWy`` and ``yᵀWy`` - in one pass,
without copying ``X``.  Because the pilot shift is close to the true mean, the final
centring correction ``G - (sum w) s sᵀ`` involves only small numbers and is
numerically safe (no cancellation of large uncentred sums).
"""

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import lapack
from scipy.optimize import lsq_linear, minimize, nnls
from scipy.sparse.linalg import LinearOperator, cg, lsqr
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import assert_all_finite

from skdl.exceptions import IllConditionedWarning
from skdl.linear_model._logistic import _jacobi
from skdl.utils._dask import dask_moments
from skdl.utils._moments import block_moments, merge_moments, sparse_moments
from skdl.utils._results import SolverResult
from skdl.utils._scale import column_magnitudes, power_of_two_scales
from skdl.utils._warn import warn

_BLOCK_ROWS = 4096  # rows per block of the residual pass
# below this reciprocal condition number of the unregularised (alpha = 0) Gram matrix
# the normal equations lose more than ~6 significant digits, and a singular XᵀX has
# no unique solution: 'auto' falls back to lstsq (the minimum-norm solution)
_RCOND_MIN = 1e-10


def _rcond_min(alpha, d):
    """Smallest acceptable reciprocal condition number of ``XᵀX + αI`` (d × d).

    ``alpha == 0``: :data:`_RCOND_MIN`.  ``alpha > 0``: ``d · eps``.  Then
    ``λ_min(XᵀX + αI) ≥ α`` by construction and the solution is unique, so a small
    rcond only says that ``α`` is small against ``‖XᵀX‖``.  Cholesky is backward
    stable: the computed ``θ`` solves ``(XᵀX + E + αI) θ = Xᵀy`` exactly with
    ``‖E‖ ≲ c · d · eps · ‖XᵀX + αI‖`` (Higham, *Accuracy and Stability of Numerical
    Algorithms*, thm. 10.3), the order of the rounding already made in forming
    ``XᵀX``; with ``rcond ≳ α / ‖XᵀX + αI‖ ≥ d · eps`` that perturbation is below the
    regulariser ``α`` itself, so the result is the ridge solution of a problem
    perturbed less than the penalty perturbs it, and directions with singular values
    ``s² ≲ α`` (where ``E`` acts) are shrunk away anyway.  Measured on an RBF basis
    (benchmarks/bench_rbf.py data, d = 300): rcond down to 5e-15 gave coefficients
    within 2e-4 (relative) and predictions with the same held-out R² to 6 digits as
    the SVD.
    """
    if alpha > 0:
        return d * np.finfo(np.float64).eps
    return _RCOND_MIN


# --------------------------------------------------------------------------- #
# sufficient statistics                                                        #
# --------------------------------------------------------------------------- #
def _gram_statistics(X, Y, sample_weight=None, fit_intercept=True, block_rows=None,
                     n_threads=None):
    """One pass over ``X`` in row blocks: weighted, centred Gram blocks (a sparse ``X``:
    the sparse Gram product, centred by the rank-one correction).

    Returns
    -------
    stats : dict
        ``sw`` (sum of weights), ``x_mean`` (d,), ``y_mean`` (k,), ``xx`` (d, d) the
        weighted centred ``XᵀWX``, ``xy`` (d, k), ``yy`` (k,) the weighted centred
        ``Σ w y²`` per target (uncentred, with zero means, when not ``fit_intercept``).
    """
    if sparse.issparse(X):
        mom = sparse_moments(X, Y, sample_weight)
    else:
        mom = block_moments((X, Y), sample_weight, block_rows=block_rows, n_threads=n_threads)
    stats = _stats_from_moments(mom, X.shape[1], fit_intercept)
    stats["moments"] = mom
    return stats


def _stats_from_moments(mom, d, fit_intercept):
    """Split the moments of ``[X | Y]`` into the blocks the solvers need."""
    scatter, mean = mom.scatter, mom.mean
    if not fit_intercept:
        # uncentred second moments: adding sw μμᵀ back cancels nothing
        scatter = scatter + mom.sw * np.outer(mean, mean)
        mean = np.zeros_like(mean)
    return {
        "sw": mom.sw,
        "x_mean": mean[:d],
        "y_mean": mean[d:],
        "xx": scatter[:d, :d],
        "xy": scatter[:d, d:],
        "yy": np.diag(scatter[d:, d:]).copy(),
    }


def _check_dask_xy(est, X, y, reset):
    """The checks ``validate_data`` makes of an in-memory ``(X, y)``, for a dask ``X``
    (and ``y``) fitted block by block; returns ``y`` as a 2-D array."""
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None.")
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array X, got {X.ndim} dimension(s).")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X is a dask array with unknown chunk sizes (e.g. after boolean "
            "indexing): call X.compute_chunk_sizes() first."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"Found array with shape {X.shape}; a non-empty X is required.")
    if not np.issubdtype(X.dtype, np.number):
        raise TypeError(f"X must hold numbers; got dtype {X.dtype}.")
    if not reset and X.shape[1] != est.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(est).__name__} is expecting "
            f"{est.n_features_in_} features as input."
        )
    y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
    if y_2d.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and y have inconsistent numbers of samples: {X.shape[0]} and "
            f"{y_2d.shape[0]}."
        )
    return y_2d


def _dask_chunk_moments(est, X, y, sample_weight, reset):
    """Moments of a dask ``(X, y)`` for a fit or ``partial_fit`` by merged moments,
    after :func:`_check_dask_xy`.

    Sets ``est.n_features_in_`` (and drops ``feature_names_in_`` when ``reset``).

    Returns
    -------
    mom : Moments
    y_ndim : int
    y_2d : dask array of shape (n, n_targets)
    """
    y_2d = _check_dask_xy(est, X, y, reset)
    mom = dask_moments((X, y_2d), sample_weight)
    if not (np.all(np.isfinite(mom.scatter)) and np.all(np.isfinite(mom.mean))):
        raise ValueError("Input X or y contains NaN or infinity.")
    if reset and hasattr(est, "feature_names_in_"):
        del est.feature_names_in_
    est.n_features_in_ = X.shape[1]
    return mom, y.ndim, y_2d


def _merge_chunk(previous, mom, d, n_targets):
    """``mom`` merged into the earlier chunks' moments ``previous`` (None: the first
    chunk), after checking that the chunk has the same number of targets."""
    if previous is None:
        return mom
    if previous.mean.shape[0] != d + n_targets:
        raise ValueError(
            f"y has {n_targets} target(s) but earlier chunks had "
            f"{previous.mean.shape[0] - d}."
        )
    return merge_moments(previous, mom)


def _gram_rss(coef, stats, exact_only=True):
    """Residual sum of squares per target from the Gram statistics:
    ``yᵀy - 2 θᵀXᵀy + θᵀXᵀXθ``.

    The formula cancels badly for near-exact fits: then (``exact_only``) it returns
    None and the caller makes one residual pass over the data; without
    ``exact_only`` (the data are gone: ``partial_fit``) it returns the formula's
    value clipped at 0.
    """
    xx, xy, yy = stats["xx"], stats["xy"], stats["yy"]
    rss = yy - 2 * np.einsum("kd,dk->k", coef, xy) + np.einsum("kd,de,ke->k", coef, xx, coef)
    if not exact_only:
        return np.maximum(rss, 0.0)
    if np.all(rss > 1e-6 * np.maximum(yy, np.finfo(float).tiny)):
        return rss
    return None


# columns of magnitude (largest |entry|) outside this range make XᵀX under- or overflow
# float64 (x² beyond 1e±200, summed over rows); they are rescaled by powers of two
_GRAM_SAFE = (1e-100, 1e100)


def _equilibration(X, penalised):
    """Powers of two to divide the columns of ``X`` by so that ``XᵀX`` neither under- nor
    overflows, or None when every column's magnitude is within ``_GRAM_SAFE``.

    Dividing by a power of two is exact, so the rescaled problem has the original's
    rounding and its coefficients are the original's times the scales.  Without a
    penalty each column gets its own scale (least squares is equivariant under column
    scaling); with one, all share the largest column's scale, so that the penalty stays
    ``α/c² ‖θ'‖²`` in the rescaled coefficients.  NaN/inf entries give None (the
    finiteness checks report them).
    """
    if X.shape[0] == 0:
        return None
    if sparse.issparse(X):  # the common case from the stored entries' extremes alone
        nonzero = np.abs(X.data[X.data != 0])
        if nonzero.size == 0 or (np.all(np.isfinite(nonzero))
                                 and not np.any(_outside_gram_range(
                                     np.array([nonzero.min(), nonzero.max()])))):
            return None
    mags = column_magnitudes(X)  # (dense or sparse)
    if not np.all(np.isfinite(mags)) or not np.any(_outside_gram_range(mags)):
        return None
    if penalised:
        return np.full(X.shape[1], power_of_two_scales(mags.max()))
    return power_of_two_scales(mags)


def _outside_gram_range(mags):
    """Mask of the nonzero column magnitudes beyond ``_GRAM_SAFE``."""
    lo, hi = _GRAM_SAFE
    return (mags > 0) & ((mags < lo) | (mags > hi))


def _divide_columns(X, scale):
    """``X / scale`` column-wise, for a dense or a sparse ``X`` (sparse stays sparse)."""
    if sparse.issparse(X):
        return sparse.csr_array(X) @ sparse.diags_array(1.0 / scale)
    return X / scale


def _rescaled_alphas(alphas, scale):
    """The penalty in the coefficients of ``X / scale`` (one shared scale ``c`` when
    penalised): ``α / c²``, capped at 1e300 (beyond it the coefficients are zero to
    float64 precision either way)."""
    with np.errstate(over="ignore"):
        return np.where(alphas > 0, np.minimum(alphas / scale[0] / scale[0], 1e300), 0.0)


def _gram_out_of_range(stats):
    """True when the Gram statistics look under- or overflowed (non-finite, or a
    diagonal entry below 1e-200: also a constant column's, which the exact test in
    :func:`_equilibration` then tells apart)."""
    diag = np.diag(stats["xx"])
    return not (np.all(np.isfinite(diag)) and np.all(np.isfinite(stats["x_mean"]))) or bool(
        np.any(diag < 1e-200)
    )


def _check_finite_statistics(X, stats):
    """Raise sklearn's error for NaN/inf in ``X`` when the statistics show any."""
    if np.all(np.isfinite(stats["x_mean"])) and np.all(np.isfinite(np.diag(stats["xx"]))):
        return
    assert_all_finite(X.data if sparse.issparse(X) else X, input_name="X")  # sklearn's message
    raise ValueError(
        "The Gram matrix of X overflows float64: X has entries too large in magnitude; "
        "rescale X (e.g. with StandardScaler)."
    )


# --------------------------------------------------------------------------- #
# solvers                                                                      #
# --------------------------------------------------------------------------- #
def _centred(coef, n_iter=1, factors=None, **extra):
    """The :class:`SolverResult` of a solve on centred data: ``coef`` (k, d), a zero
    intercept (the intercept of the data, ``ȳ - θᵀx̄``, is :func:`_with_intercept`'s),
    ``diagnostics["factors"]`` for the predictive std (None when not formed) and
    ``extra`` (the SVD's ``gram``)."""
    return SolverResult(coef, np.zeros(coef.shape[0]), max(int(n_iter), 1),
                        {"factors": factors, **extra})


def _with_intercept(result, stats, rss, solver, fit_intercept, **extra):
    """A centred solve's result in the data's terms: the intercept ``ȳ - θᵀx̄`` (zeros
    without ``fit_intercept``) and the diagnostics the estimator publishes: ``solver``,
    ``rss`` (k,), ``sw``, ``x_mean`` and ``factors`` (+ ``extra``: ``moments`` for
    partial_fit, ``n_rows``)."""
    coef = result.coef
    intercept = (stats["y_mean"] - coef @ stats["x_mean"] if fit_intercept
                 else np.zeros(coef.shape[0]))
    diagnostics = {**result.diagnostics, "solver": solver, "rss": np.asarray(rss),
                   "sw": stats["sw"], "x_mean": stats["x_mean"], **extra}
    return SolverResult(coef, intercept, result.n_iter, diagnostics)


def _unscaled(result, scale):
    """Back from a solve on ``X / scale`` to the units of ``X``: the coefficients divide
    by the scales, the means and the predictive-std factors follow (the intercept is
    unchanged); ``diagnostics["x_scale"]`` keeps the scales, with which partial_fit
    rescales later chunks alike (its moments stay in the rescaled units)."""
    d = {**result.diagnostics, "x_scale": scale}
    if scale is None:
        return SolverResult(result.coef, result.intercept, result.n_iter, d)
    if d["factors"] is not None:
        d["factors"] = [(t, f / scale[:, None]) for t, f in d["factors"]]
    d["x_mean"] = d["x_mean"] * scale
    return SolverResult(result.coef / scale, result.intercept, result.n_iter, d)


def _cholesky_or_fallback(solve, fallback, what, hint, on_error=None):
    """``solve()`` (the normal equations); when it raises ``LinAlgError`` (not safely
    positive definite), either raise ``on_error(exc)`` (a strict 'cholesky') or warn
    with an :class:`IllConditionedWarning` naming ``what`` (e.g. "The normal
    equations"), the fallback and ``hint`` (the user's remedy), and return
    ``fallback[1]()``; ``fallback = (description, callable)``.  'auto' of
    LinearRegression, Ridge and RidgeRBF."""
    try:
        return solve()
    except np.linalg.LinAlgError as exc:
        if on_error is not None:
            raise on_error(exc) from exc
        warn(f"{what} are not safely positive definite ({exc}); falling back to "
             f"{fallback[0]}. {hint}", IllConditionedWarning)
    return fallback[1]()


def _scaled_system(xx, alpha):
    """``(D⁻¹ (XᵀX + αI) D⁻¹, D)`` with ``D`` the powers of two nearest the root of the
    diagonal (Jacobi scaling, exact): the scaled matrix has a unit-order diagonal, so
    its condition number (and the rcond test) no longer carries the columns' units, and
    its factor is the exactly scaled factor of the original (scaling commutes with
    rounding): columns of magnitudes 1 and 1e9 cost no accuracy."""
    a = xx.copy()
    a.flat[:: a.shape[0] + 1] += alpha
    dsc = _jacobi(a)
    a /= np.outer(dsc, dsc)
    return a, dsc


def _checked_cholesky(a, alpha, check_rcond=True):
    """``cho_factor`` of the scaled system ``a`` (overwritten); raises LinAlgError when
    ``a`` is not positive definite, or (``check_rcond``) when its reciprocal condition
    number is below :func:`_rcond_min`."""
    d = a.shape[0]
    anorm = np.abs(a).sum(axis=0).max()
    c, lower = linalg.cho_factor(a, lower=False, overwrite_a=True, check_finite=False)
    if check_rcond:
        rcond, info = lapack.dpocon(c, anorm)
        if info != 0 or not rcond >= _rcond_min(alpha, d):
            raise np.linalg.LinAlgError(
                f"Gram matrix is ill-conditioned (reciprocal condition number {rcond:.2e})"
            )
    return c, lower


def _solve_normal_equations(xx, xy, alphas, check_rcond=True):
    """Solve ``(XᵀX + αI) θ = Xᵀy`` by Cholesky, one factorisation per distinct alpha.

    Returns a :class:`SolverResult` of the centred problem (see :func:`_centred`):
    ``coef`` (k, d) and ``diagnostics["factors"]``, a list of ``(targets, factor)``
    pairs where ``factor`` (d, d) satisfies ``(XᵀX + αI)⁻¹ = factor factorᵀ`` (for
    the predictive standard deviation).

    Raises ``np.linalg.LinAlgError`` when a matrix is not (safely) positive definite.
    """
    d, k = xy.shape
    coef = np.empty((k, d))
    factors = []
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        a, dsc = _scaled_system(xx, alpha)
        c, lower = _checked_cholesky(a, alpha, check_rcond)
        rhs = xy[:, targets] / dsc[:, None]
        coef[targets] = (linalg.cho_solve((c, lower), rhs, check_finite=False)
                         / dsc[:, None]).T
        # D⁻¹ a D⁻¹ = UᵀU  =>  a⁻¹ = (D⁻¹ U⁻¹)(D⁻¹ U⁻¹)ᵀ
        u_inv, info = lapack.dtrtri(c, lower=0)  # LAPACK's triangular inverse
        u_inv = np.triu(u_inv) / dsc[:, None]
        factors.append((targets, u_inv))
    return _centred(coef, factors=factors)


def _solve_pinv_gram(xx, xy, alphas):
    """Minimum-norm solution from the Gram matrix alone: ``pinv(XᵀX + αI) Xᵀy`` by ``eigh``.

    Used where the data are gone (``partial_fit``) and ``XᵀX`` is singular; equals the
    SVD least-squares solution up to the conditioning of the Gram matrix.  Returns a
    :class:`SolverResult` as :func:`_solve_normal_equations`.
    """
    d, k = xy.shape
    coef = np.empty((k, d))
    factors = []
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        lam, V = linalg.eigh(xx + alpha * np.eye(d), check_finite=False)
        keep = lam > np.finfo(np.float64).eps * d * max(lam.max(), 0.0)
        V, lam = V[:, keep], lam[keep]
        coef[targets] = (V @ ((V.T @ xy[:, targets]) / lam[:, None])).T
        factors.append((targets, V / np.sqrt(lam)))
    return _centred(coef, factors=factors)


def _solve_lstsq(Xc, Yc, alphas):
    """Least squares / ridge through the SVD of the centred (weighted) design.

    ``alpha == 0`` gives the minimum-norm least-squares solution (as LAPACK's
    ``gelsd``, which sklearn's LinearRegression uses); ``alpha > 0`` the ridge
    solution ``V diag(s / (s² + α)) Uᵀ y``.  Works for rank-deficient ``Xc``.
    Returns a :class:`SolverResult` as :func:`_solve_normal_equations`; with a penalty
    also ``diagnostics["gram"]``, ``XcᵀXc = V diag(s²) Vᵀ`` (for the ridge covariance
    ``H XcᵀXc H``, :mod:`skdl.linear_model._lstsq_cov`).
    """
    n, d = Xc.shape
    k = Yc.shape[1]
    U, s, Vt = linalg.svd(Xc, full_matrices=False, check_finite=False, lapack_driver="gesdd")
    cutoff = np.finfo(np.float64).eps * max(n, d) * (s[0] if s.size else 0.0)
    keep = s > cutoff
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    UtY = U.T @ Yc
    coef = np.empty((k, d))
    factors = []
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        shrink = s / (s**2 + alpha)
        coef[targets] = (Vt.T @ (shrink[:, None] * UtY[:, targets])).T
        factors.append((targets, Vt.T / np.sqrt(s**2 + alpha)))
    extra = {}
    if np.any(alphas > 0):
        vs = Vt.T * s
        extra["gram"] = vs @ vs.T
    return _centred(coef, factors=factors, **extra)


def _solve_positive(xx, xy, alphas):
    """Non-negative least squares / ridge from the Gram statistics alone.

    With ``A = XᵀWX + αI = RᵀR`` (Cholesky, after the same power-of-two Jacobi scaling
    as :func:`_solve_normal_equations`), ``‖W½(Xθ - y)‖² + α‖θ‖² = ‖Rθ - R⁻ᵀXᵀWy‖² +
    const``: the constrained problem is scipy's NNLS on the d × d triangle ``R``, so
    it costs one pass over ``X`` (dense, sparse or out of core) and a d × d NNLS.

    Returns a :class:`SolverResult` of the centred problem.  Raises
    ``np.linalg.LinAlgError`` when ``A`` is not positive definite (singular ``XᵀWX``
    without a penalty).
    """
    d, k = xy.shape
    coef = np.empty((k, d))
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        a, dsc = _scaled_system(xx, alpha)
        R = np.triu(_checked_cholesky(a, alpha)[0])
        # scaled problem: θ' = D θ >= 0 iff θ >= 0 (D > 0)
        rhs = linalg.solve_triangular(R, xy[:, targets] / dsc[:, None], trans="T")
        for j, t in enumerate(targets):
            coef[t] = nnls(R, rhs[:, j], maxiter=50 * d)[0] / dsc
    return _centred(coef)


def _solve_lbfgs_gram(xx, xy, alphas, positive, tol, max_iter):
    """``'lbfgs'``: scipy's L-BFGS-B on ``½θᵀ(XᵀWX + αI)θ - θᵀXᵀWy`` (the normal
    equations' quadratic, Jacobi-scaled by powers of two), with bounds ``θ >= 0`` when
    ``positive``; sklearn's solver of ``positive=True``.  Returns a
    :class:`SolverResult` of the centred problem; ``n_iter`` is the largest number of
    iterations over the targets."""
    d, k = xy.shape
    coef = np.zeros((k, d))
    n_iter = 0
    for t in range(k):
        a, dsc = _scaled_system(xx, alphas[t])
        b = xy[:, t] / dsc

        def fun(v, a=a, b=b):
            av = a @ v
            return 0.5 * float(v @ av) - float(b @ v), av - b

        res = minimize(
            fun, np.zeros(d), jac=True, method="L-BFGS-B",
            bounds=[(0.0, None)] * d if positive else None,
            # the quadratic's values carry no scale (ftol would stop on a flat stretch):
            # convergence is the projected gradient's, gtol = tol
            options={"maxiter": 15000 if max_iter is None else max_iter, "gtol": tol,
                     "ftol": 0.0},
        )
        if res.status == 1:
            warn(f"The lbfgs solver did not converge within max_iter (tol={tol}); "
                 "increase max_iter or tol.", ConvergenceWarning)
        coef[t] = _polish_active_set(a, b, res.x, positive) / dsc
        n_iter = max(n_iter, int(res.nit))
    return _centred(coef, n_iter)


def _polish_active_set(a, b, v, positive):
    """One exact step on L-BFGS-B's final active set: solve ``a_FF v_F = b_F`` on the
    free coordinates (all of them without bounds) and keep it when it stays feasible
    and optimal (KKT: ``v_F >= 0``, gradient ``>= 0`` on the bound ones).  L-BFGS-B
    stops on a projected-gradient test whose error in ``v`` is ``gtol / λ_min``; the
    quadratic's minimiser on the right face is exact."""
    free = (v > 0) if positive else np.ones(v.shape[0], dtype=bool)
    if not np.any(free):
        return v
    try:
        cf = linalg.cho_factor(a[np.ix_(free, free)], check_finite=False)
    except np.linalg.LinAlgError:
        return v
    w = np.zeros_like(v)
    w[free] = linalg.cho_solve(cf, b[free], check_finite=False)
    grad = a @ w - b
    if positive and (np.any(w[free] < 0) or np.any(grad[~free] < -1e-12 * np.abs(b).max())):
        return v
    return w


def _solve_positive_lstsq(Xc, Yc, alphas):
    """Non-negative least squares on the centred, weighted design itself (scipy's NNLS,
    or the bounded LSMR of ``lsq_linear`` for a sparse operator): the fallback when
    ``XᵀWX`` is singular.  Returns a :class:`SolverResult` of the centred problem."""
    n, d = Xc.shape
    k = Yc.shape[1]
    coef = np.empty((k, d))
    for alpha in np.unique(alphas):
        for t in np.flatnonzero(alphas == alpha):
            if isinstance(Xc, np.ndarray):
                A = Xc if alpha == 0 else np.vstack([Xc, np.sqrt(alpha) * np.eye(d)])
                b = Yc[:, t] if alpha == 0 else np.concatenate([Yc[:, t], np.zeros(d)])
                coef[t] = nnls(A, b, maxiter=50 * d)[0]
            else:
                if alpha > 0:
                    A, b = _damped(Xc, alpha), np.concatenate([Yc[:, t], np.zeros(d)])
                else:
                    A, b = Xc, Yc[:, t]
                res = lsq_linear(A, b, bounds=(0, np.inf), lsq_solver="lsmr",
                                 lsmr_tol="auto", tol=1e-12, max_iter=max(1000, 50 * d))
                coef[t] = res.x
    return _centred(coef)


def _damped(op, alpha):
    """``[op; √α I]`` as a LinearOperator (the ridge problem as least squares)."""
    n, d = op.shape
    r = np.sqrt(alpha)
    return LinearOperator(
        (n + d, d),
        matvec=lambda v: np.concatenate([op.matvec(v), r * np.ravel(v)]),
        rmatvec=lambda u: op.rmatvec(np.ravel(u)[:n]) + r * np.ravel(u)[n:],
        dtype=np.float64,
    )


def _centred_operator(X, x_mean, sqrt_w=None):
    """``W½ (X - 1 x̄ᵀ)`` as a scipy LinearOperator (``X`` dense or sparse; no copy)."""
    n, d = X.shape

    def matvec(v):
        v = np.ravel(v)
        out = np.asarray(X @ v, dtype=np.float64) - float(x_mean @ v)
        return out if sqrt_w is None else out * sqrt_w

    def rmatvec(u):
        u = np.ravel(u).astype(np.float64, copy=False)
        if sqrt_w is not None:
            u = u * sqrt_w
        return np.asarray(X.T @ u, dtype=np.float64) - x_mean * u.sum()

    return LinearOperator((n, d), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)


def _solve_iterative(op, Yc, alphas, solver, tol, max_iter):
    """``'lsqr'`` (scipy's LSQR with ``damp=√α``) or ``'sparse_cg'`` (conjugate
    gradients on ``XcᵀWXc + αI``) on the implicitly centred operator ``op``.

    Returns a :class:`SolverResult` of the centred problem; ``n_iter`` is the largest
    number of iterations over the targets.
    """
    n, d = op.shape
    k = Yc.shape[1]
    coef = np.empty((k, d))
    n_iter = 0
    for t in range(k):
        alpha = float(alphas[t])
        if solver == "lsqr":
            out = lsqr(op, Yc[:, t], damp=np.sqrt(alpha), atol=tol, btol=tol,
                       iter_lim=max_iter)
            coef[t], it = out[0], out[2]
        else:
            normal = LinearOperator(
                (d, d), matvec=lambda v, a=alpha: op.rmatvec(op.matvec(v)) + a * np.ravel(v),
                dtype=np.float64,
            )
            counter = []
            coef[t], info = cg(normal, op.rmatvec(Yc[:, t]), rtol=tol, atol=0.0,
                               maxiter=max_iter, callback=lambda _, c=counter: c.append(1))
            if info > 0:
                warn(f"solver='sparse_cg' did not converge in {info} iterations (tol={tol}); "
                     "increase max_iter or tol.", ConvergenceWarning)
            it = len(counter)
        n_iter = max(n_iter, int(it))
    return _centred(coef, n_iter)


def _leverage(X, x_mean, factors, n_targets):
    """``(x - x̄)ᵀ (XᵀWX + αI)⁻¹ (x - x̄)`` per row and target, from the solvers'
    factors ``F`` (``(XᵀWX + αI)⁻¹ = F Fᵀ``): ``(X - 1x̄ᵀ) F = X F - 1 (x̄ᵀF)``, so
    ``X`` (dense or sparse) is not copied."""
    lev = np.empty((X.shape[0], n_targets))
    for targets, factor in factors:
        proj = np.asarray(X @ factor) - x_mean @ factor
        lev[:, targets] = np.square(proj).sum(axis=1)[:, None]
    return lev


def _predictive_std(lev, sigma2, inv_sw, one_d):
    """``sqrt(σ² (1 + 1/Σw + leverage))``: noise plus parameter uncertainty."""
    std = np.sqrt(np.asarray(sigma2).reshape(1, -1) * (1.0 + inv_sw + lev))
    return std[:, 0] if one_d else std


def _predict_blocks(blocks, coef, intercept, std=None):
    """Predictions of a linear model from its features, given as row blocks (dense or
    sparse; one block for LinearRegression and Ridge, the basis blocks for RidgeRBF).

    With ``std = (x_mean, factors, sigma2, inv_sw)`` also the predictive standard
    deviation ``sqrt(σ² (1 + 1/Σw + (φ - φ̄)ᵀ (ΦᵀWΦ + αI)⁻¹ (φ - φ̄)))`` (note 001
    §5.3: the noise plus the uncertainty of the fitted parameters), from the same
    blocks.  Returns ``y_pred`` or ``(y_pred, y_std)``, 1-D when ``coef`` is.
    """
    one_d = coef.ndim == 1
    k = 1 if one_d else coef.shape[0]
    preds, levs = [], []
    for feats in blocks:
        preds.append(np.asarray(feats @ coef.T))
        if std is not None:
            levs.append(_leverage(feats, std[0], std[1], k))
    y_pred = (preds[0] if len(preds) == 1 else np.concatenate(preds)) + intercept
    if std is None:
        return y_pred
    lev = levs[0] if len(levs) == 1 else np.concatenate(levs)
    return y_pred, _predictive_std(lev, std[2], std[3], one_d)


# --------------------------------------------------------------------------- #
# whole fits                                                                   #
# --------------------------------------------------------------------------- #
def _weighted_means(X, Y, w, fit_intercept):
    """Weighted column means of ``X`` (dense or sparse) and ``Y`` (zeros without an
    intercept: the data are then not centred)."""
    if not fit_intercept:
        return np.zeros(X.shape[1]), np.zeros(Y.shape[1])
    if sparse.issparse(X):
        wx = np.ones(X.shape[0]) if w is None else w
        x_mean = np.asarray(X.T @ wx, dtype=np.float64).ravel() / wx.sum()
    else:
        x_mean = np.average(X, axis=0, weights=w).astype(np.float64)
    return x_mean, np.average(Y, axis=0, weights=w).astype(np.float64)


def _sum_of_weights(X, w):
    return float(X.shape[0]) if w is None else float(np.sum(w))


def _solve_gram(stats, alphas, solver, positive, tol, max_iter):
    """The normal equations from the Gram statistics (with ``positive``, their NNLS
    form; 'lbfgs': L-BFGS-B on them), as a centred :class:`SolverResult` (factors None
    for the constrained fits and 'lbfgs').  'auto' also refuses a Gram matrix whose
    reciprocal condition number is too small (raises LinAlgError)."""
    if solver == "lbfgs":
        return _solve_lbfgs_gram(stats["xx"], stats["xy"], alphas, positive, tol, max_iter)
    if positive:
        return _solve_positive(stats["xx"], stats["xy"], alphas)
    return _solve_normal_equations(stats["xx"], stats["xy"], alphas,
                                   check_rcond=solver == "auto")


def _solve_on_operator(X, Y, w, alphas, solver, fit_intercept, tol, max_iter):
    """'lsqr', 'sparse_cg' (and the positive fallback 'nnls') on the implicitly
    centred, weighted operator: no centred copy of X, dense or sparse."""
    x_mean, y_mean = _weighted_means(X, Y, w, fit_intercept)
    sqrt_w = None if w is None else np.sqrt(w)
    op = _centred_operator(X, x_mean, sqrt_w)
    Yc = Y - y_mean
    if sqrt_w is not None:
        Yc = Yc * sqrt_w[:, None]
    if solver == "nnls":
        Xc = op if sparse.issparse(X) else op.matmat(np.eye(X.shape[1]))
        result = _solve_positive_lstsq(Xc, Yc, alphas)
    else:
        result = _solve_iterative(op, Yc, alphas, solver, tol, max_iter)
    resid = Yc - np.column_stack([op.matvec(c) for c in result.coef])
    stats = {"x_mean": x_mean, "y_mean": y_mean, "sw": _sum_of_weights(X, w)}
    return _with_intercept(result, stats, (resid**2).sum(axis=0), solver, fit_intercept)


def _solve_svd_design(X, Y, w, alphas, fit_intercept, copy_X):
    """'svd': the SVD of the centred, weighted design (dense X).  With ``copy_X=False``
    a writeable float64 ``X`` is centred (and weighted) in place, as sklearn's
    ``copy_X=False`` allows; otherwise ``X`` is not modified."""
    x_mean, y_mean = _weighted_means(X, Y, w, fit_intercept)
    if not copy_X and X.dtype == np.float64 and X.flags.writeable and X.base is None:
        Xc = X  # documented: copy_X=False lets the lstsq solver overwrite X
        Xc -= x_mean
    else:
        Xc = X - x_mean
    Yc = Y - y_mean
    if w is not None:
        sqrt_w = np.sqrt(w)[:, None]
        Xc *= sqrt_w
        Yc = Yc * sqrt_w
    # without a penalty the columns are scaled by powers of two to unit magnitude
    # (exact): the SVD's cut-off and accuracy then do not depend on their units
    # (columns of magnitudes 1 and 1e9 would cost the small ones 9 digits)
    col = None
    if not np.any(alphas > 0) and Xc.shape[0]:
        col = power_of_two_scales(column_magnitudes(Xc))
        Xc /= col
    result = _solve_lstsq(Xc, Yc, alphas)
    factors = result.diagnostics["factors"]
    if col is not None and factors[0][1].shape[1] < Xc.shape[1]:  # SVD rank < d
        # rank deficient: the minimum-norm solution is not scale-equivariant; the one
        # in X's own units is sklearn's (LAPACK gelsd's)
        Xc *= col
        col = None
        result = _solve_lstsq(Xc, Yc, alphas)
    coef, factors = result.coef, result.diagnostics["factors"]
    gram = result.diagnostics.get("gram")  # (penalised: col is None)
    resid = Yc - Xc @ coef.T
    if col is not None:
        Xc *= col  # (Xc may be the caller's X with copy_X=False)
        coef = coef / col
        factors = [(t, f / col[:, None]) for t, f in factors]
    stats = {"x_mean": x_mean, "y_mean": y_mean, "sw": _sum_of_weights(X, w)}
    extra = {} if gram is None else {"gram": gram}
    return _with_intercept(_centred(coef, factors=factors, **extra), stats,
                           (resid**2).sum(axis=0), "svd", fit_intercept)


def _residual_ss(X, y_2d, sample_weight, coef, stats):
    """Weighted residual sum of squares per target: from the Gram statistics
    (:func:`_gram_rss`), or by one residual pass over ``X`` when that formula cancels
    (near-exact fits)."""
    rss = _gram_rss(coef, stats)
    if rss is not None:
        return rss
    rss = np.zeros(y_2d.shape[1])
    y_mean, x_mean = stats["y_mean"], stats["x_mean"]
    shift = x_mean @ coef.T
    for start in range(0, X.shape[0], _BLOCK_ROWS):
        sl = slice(start, start + _BLOCK_ROWS)
        if sparse.issparse(X):
            r = (y_2d[sl] - y_mean) - (np.asarray(X[sl] @ coef.T) - shift)
        else:
            r = (y_2d[sl] - y_mean) - (X[sl] - x_mean) @ coef.T
        w = 1.0 if sample_weight is None else sample_weight[sl, None]
        rss += (w * r**2).sum(axis=0)
    return rss


def _solve_direct(X, Y, w, alphas, *, solver, fit_intercept, positive, tol, max_iter,
                  copy_X, scale=None):
    """The direct and iterative least-squares solvers of LinearRegression and Ridge:
    validated ``X`` (already divided by ``scale`` when the caller equilibrated it), 2-D
    ``Y``, weights ``w``, one penalty per target; returns the :class:`SolverResult` in
    the units of the caller's ``X`` (see :func:`_with_intercept` for its diagnostics).

    'auto', 'cholesky' and 'lbfgs' solve the normal equations from one pass over
    ``X``, rescaling its columns first only when the statistics under- or overflowed;
    when they are not safely positive definite 'auto' and 'cholesky' fall back to the
    SVD ('lsqr' for a sparse X, NNLS on the centred X with ``positive``).
    """
    if solver in ("lsqr", "sparse_cg"):
        result = _solve_on_operator(X, Y, w, alphas, solver, fit_intercept, tol, max_iter)
        return _unscaled(result, scale)
    if solver == "svd":
        return _unscaled(_solve_svd_design(X, Y, w, alphas, fit_intercept, copy_X), scale)
    with np.errstate(all="ignore"):  # non-finite input is reported just below
        stats = _gram_statistics(X, Y, w, fit_intercept)
    # the common case pays nothing: the scales are read only when the Gram statistics
    # look under- or overflowed
    scale = _equilibration(X, bool(np.any(alphas > 0))) if _gram_out_of_range(stats) else None
    if scale is not None:
        X, alphas = _divide_columns(X, scale), _rescaled_alphas(alphas, scale)
        stats = _gram_statistics(X, Y, w, fit_intercept)
    _check_finite_statistics(X, stats)

    def normal_equations():
        result = _solve_gram(stats, alphas, solver, positive, tol, max_iter)
        return _with_intercept(
            result, stats, _residual_ss(X, Y, w, result.coef, stats),
            solver if solver == "lbfgs" else "cholesky", fit_intercept,
            moments=stats["moments"],
        )

    if positive:
        fallback = ("NNLS on the centred X itself", lambda: _solve_on_operator(
            X, Y, w, alphas, "nnls", fit_intercept, tol, max_iter))
    elif sparse.issparse(X):
        fallback = ("solver='lsqr' (the minimum-norm solution)", lambda: _solve_on_operator(
            X, Y, w, alphas, "lsqr", fit_intercept, tol, max_iter))
    else:
        fallback = ("solver='svd'", lambda: _solve_svd_design(
            X, Y, w, alphas, fit_intercept, copy_X))
    result = _cholesky_or_fallback(
        normal_equations, fallback, "The normal equations",
        "Expect collinear or constant features, or fewer samples than features.",
    )
    return _unscaled(result, scale)
