"""The lasso and the elastic net by coordinate descent (note 001 §5.2).

The objective is scikit-learn's ``ElasticNet``'s::

    1/(2 Σw) Σ wᵢ (yᵢ - xᵢᵀβ - b)²  +  α ρ ‖β‖₁  +  α (1 - ρ)/2 ‖β‖²

(``ρ = l1_ratio``; ``Lasso`` is ``ρ = 1``; the intercept ``b`` is not penalised).  The
weights enter only through the weighted average of the squared residuals, so scaling
them all by a constant changes nothing (scikit-learn rescales them to sum to
``n_samples``; the objective above is the same thing).

Two routes solve it, with one coordinate-descent driver (:func:`_enet_cd`):

- **the Gram route** (``n_samples > n_features``, a sparse ``X``, a dask array,
  ``partial_fit``): one blocked pass over ``X`` gives the weighted, centred moments
  ``Q = XᵀWX/Σw``, ``q = XᵀWy/Σw``, ``yᵀWy/Σw`` (:func:`~skdl.utils._moments.block_moments`,
  merged across chunks and dask blocks as the normal-equation solvers merge them); a
  coordinate update then reads ``q_j - (Qβ)_j`` and updates ``Qβ`` by one row of ``Q``:
  O(d) per coordinate, O(d²) per sweep, whatever ``n``;
- **the design route** (``n_samples ≤ n_features``, or ``precompute=False``): the same
  updates on the centred, weighted ``X`` itself, keeping the residual: O(n) per
  coordinate.

Each coordinate update is the soft-thresholding step
``βⱼ ← S(zⱼ, αρ) / (Qⱼⱼ + α(1-ρ))`` with ``zⱼ = q_j - (Qβ)_j + Qⱼⱼ βⱼ``.  The sweeps run
over a working set (the non-zero coefficients and the coordinates whose optimality
condition ``|q_j - (Qβ)_j| ≤ αρ`` fails); when a sweep's largest update is below ``tol``
times the largest coefficient, the driver solves the problem restricted to the current
support and signs exactly (``(Q_AA + α(1-ρ)I) β_A = q_A - αρ s_A``, the lasso's
piecewise-linear solution) and keeps that point if it has the same signs and a smaller
duality gap.  It stops as scikit-learn's ``cd_fast`` does: when the duality gap of the
objective above is at most ``tol · yᵀWy/Σw`` (the centred ``y`` when fitting an
intercept).
"""

import math
from numbers import Integral, Real

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import blas
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skdl.linear_model._lstsq import (
    _check_finite_statistics,
    _dask_chunk_moments,
    _gram_statistics,
    _merge_chunk,
    _stats_from_moments,
)
from skdl.utils._atomic import AtomicFitMixin
from skdl.utils._dask import dask_map_rows, is_dask_array
from skdl.utils._moments import block_moments, sparse_moments
from skdl.utils._results import SolverResult
from skdl.utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_params,
)
from skdl.utils._validation import numeric_target
from skdl.utils._warn import warn

__all__ = ["ElasticNet", "Lasso", "enet_path", "lasso_path"]

_CONVERGENCE_MESSAGE = (
    "Objective did not converge. You might want to increase the number of iterations, "
    "check the scale of the features or consider increasing regularisation."
)


# --------------------------------------------------------------------------- #
# the two problems: what a coordinate update reads and writes                  #
# --------------------------------------------------------------------------- #
class _GramProblem:
    """``½ βᵀQβ - qᵀβ + ½ yy`` (+ penalties): the moments only, O(d) per update."""

    def __init__(self, Q, q, yy):
        self.Q = np.ascontiguousarray(Q, dtype=np.float64)
        self.q = np.asarray(q, dtype=np.float64)
        self.yy = float(yy)
        self.d = self.Q.shape[0]
        self.diag = np.diag(self.Q).copy()
        self._rows = list(self.Q)

    def start(self, w):
        self.Qw = self.Q @ w

    def sweep(self, w, coords, l1, l2, positive):
        """One pass of soft-thresholding updates over ``coords`` (in place)."""
        q, diag, rows, Qw = self.q.tolist(), self.diag.tolist(), self._rows, self.Qw
        axpy = blas.daxpy
        w_max = d_w_max = 0.0
        for j in coords:
            qjj = diag[j]
            if qjj == 0.0:
                continue
            wj = w[j]
            tmp = q[j] - Qw[j] + wj * qjj
            if positive and tmp < 0.0:
                new = 0.0
            else:
                a = abs(tmp) - l1
                new = (math.copysign(a, tmp) / (qjj + l2)) if a > 0.0 else 0.0
            if new != wj:
                axpy(rows[j], Qw, a=new - wj)
                w[j] = new
                d_w = abs(new - wj)
                if d_w > d_w_max:
                    d_w_max = d_w
            if abs(new) > w_max:
                w_max = abs(new)
        return w_max, d_w_max

    def xtr(self, w):
        """``Xᵀ(y - Xβ)``, ``‖y - Xβ‖²`` and ``(y - Xβ)ᵀy`` (per Σw)."""
        qw = float(self.q @ w)
        return self.q - self.Qw, self.yy + float(w @ self.Qw) - 2.0 * qw, self.yy - qw

    def restricted(self, support):
        idx = np.ix_(support, support)
        return self.Q[idx], self.q[support]

    def set(self, w):
        self.Qw = self.Q @ w


class _DesignProblem:
    """The same objective on the centred, √(w/Σw)-scaled design: O(n) per update."""

    def __init__(self, Xs, ys):
        self.X = np.asfortranarray(Xs, dtype=np.float64)
        self.y = np.asarray(ys, dtype=np.float64)
        self.d = self.X.shape[1]
        self.diag = np.einsum("ij,ij->j", self.X, self.X)
        self.yy = float(self.y @ self.y)
        self._cols = [self.X[:, j] for j in range(self.d)]

    def start(self, w):
        self.R = self.y - self.X @ w

    def sweep(self, w, coords, l1, l2, positive):
        diag, cols, R = self.diag.tolist(), self._cols, self.R
        axpy, dot = blas.daxpy, blas.ddot
        w_max = d_w_max = 0.0
        for j in coords:
            qjj = diag[j]
            if qjj == 0.0:
                continue
            wj = w[j]
            xj = cols[j]
            tmp = dot(xj, R) + wj * qjj
            if positive and tmp < 0.0:
                new = 0.0
            else:
                a = abs(tmp) - l1
                new = (math.copysign(a, tmp) / (qjj + l2)) if a > 0.0 else 0.0
            if new != wj:
                axpy(xj, R, a=wj - new)
                w[j] = new
                d_w = abs(new - wj)
                if d_w > d_w_max:
                    d_w_max = d_w
            if abs(new) > w_max:
                w_max = abs(new)
        return w_max, d_w_max

    def xtr(self, w):
        R = self.R
        return self.X.T @ R, float(R @ R), float(R @ self.y)

    def restricted(self, support):
        Xa = self.X[:, support]
        return Xa.T @ Xa, Xa.T @ self.y

    def set(self, w):
        self.R = self.y - self.X @ w


def _duality_gap(problem, w, l1, l2, positive):
    """scikit-learn's duality gap (``cd_fast.gap_enet_gram``), per Σw.

    Returns ``(gap, XᵀR - l2 β)``."""
    xtr, r_norm2, ry = problem.xtr(w)
    w_l2 = float(w @ w) if l2 > 0 else 0.0
    if l1 == 0:
        dual_norm = float(xtr @ xtr)
        if l2 == 0:  # least squares: the first-order condition
            return dual_norm, xtr
        gap = r_norm2 + 0.5 * l2 * w_l2 - ry + dual_norm / (2 * l2)
        return gap, xtr - l2 * w
    xta = xtr - l2 * w
    dual_norm = float(xta.max()) if positive else float(np.abs(xta).max())
    primal = 0.5 * (r_norm2 + l2 * w_l2) + l1 * float(np.abs(w).sum())
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    dual = -0.5 * scale**2 * (r_norm2 + l2 * w_l2) + scale * ry
    return primal - dual, xta


def _exact_on_support(problem, w, l1, l2, positive):
    """The minimiser on the current support with the current signs, or None."""
    support = np.flatnonzero(w)
    if support.size == 0:
        return None
    signs = np.sign(w[support])
    a, b = problem.restricted(support)
    if l2 > 0:
        a = a + l2 * np.eye(support.size)
    try:
        cf = linalg.cho_factor(a, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        return None
    v = linalg.cho_solve(cf, b - l1 * signs, check_finite=False)
    if not np.all(np.isfinite(v)) or np.any(np.sign(v) != signs):
        return None
    if positive and np.any(v < 0):
        return None
    out = np.zeros_like(w)
    out[support] = v
    return out


def _enet_cd(problem, l1, l2, w, *, max_iter, tol, positive, rng, random):
    """Coordinate descent on one target (objective per Σw, as in the module docstring).

    Returns ``(w, gap, n_iter, converged)``; ``gap`` is scikit-learn's ``dual_gap_``.
    """
    w = np.array(w, dtype=np.float64)
    d = problem.d
    problem.start(w)
    gap_tol = tol * problem.yy
    # (no gap test before the first sweep: n_iter_ >= 1, skdl's convention)
    gap = np.inf
    working = np.arange(d)
    n_iter = 0
    converged = False
    signs = np.sign(w)
    tried = None  # the sign pattern whose exact solve was last tried
    for n_iter in range(1, max_iter + 1):
        if random:
            coords = working[rng.randint(working.size, size=working.size)].tolist()
        else:
            coords = working.tolist()
        w_max, d_w_max = problem.sweep(w, coords, l1, l2, positive)
        new_signs = np.sign(w)
        stable = np.array_equal(new_signs, signs)
        signs = new_signs
        small_step = w_max == 0.0 or d_w_max <= tol * w_max
        # the exact solve on the support, once per sign pattern that survived a sweep
        try_exact = stable and w_max > 0.0 and (tried is None
                                                or not np.array_equal(tried, signs))
        if not (small_step or try_exact or n_iter == max_iter):
            continue
        gap, xta = _duality_gap(problem, w, l1, l2, positive)
        if try_exact or small_step:
            tried = signs
            exact = _exact_on_support(problem, w, l1, l2, positive)
            if exact is not None:
                problem.set(exact)
                gap_exact, xta_exact = _duality_gap(problem, exact, l1, l2, positive)
                if gap_exact < gap:
                    w, gap, xta = exact, gap_exact, xta_exact
                else:
                    problem.set(w)
        if gap <= gap_tol:
            converged = True
            break
        if not small_step:
            continue
        # the next sweeps: the support and every coordinate whose optimality
        # condition fails (l1 = 0: all of them)
        if l1 > 0:
            grad = xta + l2 * w
            viol = (grad > l1) if positive else (np.abs(grad) > l1)
            working = np.flatnonzero((w != 0) | viol)
            if working.size == 0:
                working = np.arange(d)
    return w, gap, n_iter, converged


def _solve_targets(problems, l1, l2, coef_init, *, max_iter, tol, positive, random_state,
                   selection):
    """Coordinate descent per target; a :class:`SolverResult` of the centred problem
    (``coef`` (k, d); ``diagnostics``: ``dual_gap`` (k,), ``n_iters`` (k,))."""
    rng = check_random_state(random_state)
    k = len(problems)
    d = problems[0].d
    coef = np.zeros((k, d))
    gaps = np.zeros(k)
    n_iters = []
    failed = []
    for t, problem in enumerate(problems):
        w0 = np.zeros(d) if coef_init is None else coef_init[t]
        coef[t], gaps[t], it, ok = _enet_cd(problem, l1, l2, w0, max_iter=max_iter, tol=tol,
                                            positive=positive, rng=rng,
                                            random=selection == "random")
        n_iters.append(int(it))
        if not ok:
            failed.append((gaps[t], tol * problem.yy))
    if failed:
        gap, gap_tol = failed[0]
        message = f"{_CONVERGENCE_MESSAGE} Duality gap: {gap:.6e}, tolerance: {gap_tol:.3e}"
        if l1 < np.finfo(np.float64).eps:
            message += (
                "\nLinear regression models with a zero l1 penalization strength are more "
                "efficiently fitted using skdl.Ridge or skdl.LinearRegression instead."
            )
        warn(message, ConvergenceWarning)
    return SolverResult(coef, np.zeros(k), max(n_iters), {"dual_gap": gaps,
                                                          "n_iters": n_iters})


def _gram_problems(stats):
    """One :class:`_GramProblem` per target from the Gram statistics (per Σw)."""
    sw = stats["sw"]
    if not sw > 0:
        raise ValueError("The sample weights sum to zero: at least one must be positive.")
    Q = stats["xx"] / sw
    return [_GramProblem(Q, stats["xy"][:, t] / sw, stats["yy"][t] / sw)
            for t in range(stats["xy"].shape[1])]


def _design_problems(X, Y, sample_weight, fit_intercept):
    """One :class:`_DesignProblem` per target, the means (x̄ (d,), ȳ (k,)) for the
    intercept."""
    X = np.asarray(X, dtype=np.float64)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    sw = float(X.shape[0] if w is None else w.sum())
    if not sw > 0:
        raise ValueError("The sample weights sum to zero: at least one must be positive.")
    if fit_intercept:
        x_mean = np.average(X, axis=0, weights=w)
        y_mean = np.average(Y, axis=0, weights=w)
    else:
        x_mean, y_mean = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
    scale = np.sqrt((np.ones(X.shape[0]) if w is None else w) / sw)[:, None]
    Xs = np.asfortranarray((X - x_mean) * scale)
    Ys = (Y - y_mean) * scale
    return [_DesignProblem(Xs, Ys[:, t]) for t in range(Y.shape[1])], x_mean, y_mean


# --------------------------------------------------------------------------- #
# the estimators                                                               #
# --------------------------------------------------------------------------- #
class ElasticNet(RegressorMixin, AtomicFitMixin, BaseEstimator):
    """Linear regression with combined L1 and L2 penalties, by coordinate descent.

    Minimises scikit-learn's objective (note 001 §5.2 with the L1 penalty of the lasso
    and the L2 penalty of ridge)::

        1/(2 Σw) Σ wᵢ (yᵢ - xᵢᵀβ - b)² + alpha l1_ratio ‖β‖₁
            + alpha (1 - l1_ratio)/2 ‖β‖²

    by coordinate descent, on the Gram matrix of one blocked pass over ``X`` when
    ``n_samples > n_features`` (then a sweep costs O(n_features²), whatever
    ``n_samples``; a dask array and ``partial_fit`` take this route) and on ``X``
    itself otherwise.  The result equals scikit-learn's ``ElasticNet`` to its tolerance.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms.  ``alpha = 0`` is least squares
        (better solved by :class:`~skdl.LinearRegression`).
    l1_ratio : float, default=0.5
        The mixing parameter, ``0 <= l1_ratio <= 1``: ``1`` is the lasso penalty, ``0``
        the ridge penalty.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept: the data are centred with the
        sample weights.
    precompute : {"auto"} or bool or array-like of shape (n_features, n_features), \
default="auto"
        Whether to use the Gram matrix ``XᵀWX`` (of the centred data when
        ``fit_intercept``).  ``"auto"`` (skdl's default; scikit-learn's is ``False``):
        when ``n_samples > n_features``.  The result does not depend on it, only the
        time.  A sparse ``X``, a dask array and ``partial_fit`` always use it.  An array
        is checked against the Gram matrix computed from ``X`` (a ``ValueError`` if it
        differs); with ``fit_intercept`` and uncentred ``X`` it is ignored with a
        warning, as scikit-learn does.
    max_iter : int, default=1000
        Maximum number of sweeps over the coordinates.
    copy_X : bool, default=True
        If ``True``, ``X`` is copied; else it may be overwritten.  skdl never
        overwrites ``X``: the design route centres a copy.
    tol : float, default=1e-4
        Tolerance: when a sweep's largest coefficient update is at most ``tol`` times
        the largest coefficient, the duality gap is checked, and the fit stops when it
        is at most ``tol`` times ``Σ wᵢ yᵢ²/Σw`` (``y`` centred when
        ``fit_intercept``), scikit-learn's rule.
    warm_start : bool, default=False
        When ``True``, start from the previous fit's coefficients.
    positive : bool, default=False
        When ``True``, constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the random coordinate choice (``selection="random"``).
    selection : {"cyclic", "random"}, default="cyclic"
        ``"cyclic"`` updates the coordinates in turn; ``"random"`` draws a random
        coordinate at every update.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients ``β``.
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a scipy.sparse CSR array.
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept ``b`` (0.0 without ``fit_intercept``).
    n_iter_ : int or list of int
        Sweeps of the coordinate descent (a list, one per target, for a 2-D ``y``).
    dual_gap_ : float or ndarray of shape (n_targets,)
        The duality gap at the end of the fit, per target.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` has string column names.

    See Also
    --------
    Lasso : The L1 penalty alone (``l1_ratio=1``).
    Ridge : The L2 penalty alone, by the normal equations.

    Notes
    -----
    A 2-D ``y`` is fitted as independent problems, one per column, as scikit-learn's
    ``ElasticNet`` does.  Sample weights only weigh the squared residuals: scaling them
    all by one constant changes nothing.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import ElasticNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = X @ np.array([1.5, 0.0, -2.0, 0.0, 0.5]) + 0.1 * rng.normal(size=200)
    >>> model = ElasticNet(alpha=0.1).fit(X, y)
    >>> model.coef_.shape
    (5,)
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "precompute": ["boolean", StrOptions({"auto"}), "array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "copy_X": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "positive": ["boolean"],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        precompute="auto",
        max_iter=1000,
        copy_X=True,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _penalties(self):
        rho = self._l1_ratio()
        return self.alpha * rho, self.alpha * (1.0 - rho)

    def _l1_ratio(self):
        return self.l1_ratio

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (a dask array is fitted block by block on its Gram matrix;
            a sparse one is never densified).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights of the samples (only their ratios matter).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if self.alpha == 0:
            warn("With alpha=0, this algorithm does not converge well. You are advised to "
                 "use the LinearRegression estimator", UserWarning)
        if is_dask_array(X):
            return self._fit_moments(X, y, sample_weight, previous=None, reset=True)
        X, y = validate_data(
            self, X, y, dtype=[np.float64, np.float32], accept_sparse=("csr", "csc"),
            multi_output=True, y_numeric=True, order="C", ensure_all_finite=False,
        )
        y = numeric_target(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                 ensure_non_negative=True)
        y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        n, d = X.shape
        gram = self._use_gram(X)
        if gram:
            with np.errstate(invalid="ignore", over="ignore"):  # (reported just below)
                stats = _gram_statistics(X, y_2d, sample_weight, self.fit_intercept)
            _check_finite_statistics(X, stats)
            if not np.all(np.isfinite(stats["yy"])):
                raise ValueError("Input y contains NaN or infinity.")
            self._check_precomputed(stats)
            problems = _gram_problems(stats)
            x_mean, y_mean, mom = stats["x_mean"], stats["y_mean"], stats["moments"]
        else:
            X = check_array(X, dtype=[np.float64, np.float32], input_name="X")  # finite
            problems, x_mean, y_mean = _design_problems(X, y_2d, sample_weight,
                                                        self.fit_intercept)
            mom = None
        result = self._solve(problems, d, y_2d.shape[1])
        self._publish(result, x_mean, y_mean, y.ndim, X.dtype, mom)
        return self

    def _use_gram(self, X):
        if sparse.issparse(X) or not isinstance(self.precompute, (bool, str)):
            return True
        if isinstance(self.precompute, str):  # "auto"
            return X.shape[0] > X.shape[1]
        return bool(self.precompute)

    def _check_precomputed(self, stats):
        """scikit-learn's treatment of a Gram matrix passed as ``precompute``."""
        if isinstance(self.precompute, (bool, str)):
            return
        gram = np.asarray(self.precompute, dtype=np.float64)
        d = stats["xx"].shape[0]
        if gram.shape != (d, d):
            raise ValueError(
                f"precompute must be a Gram matrix of shape ({d}, {d}) (n_features, "
                f"n_features); got shape {gram.shape}."
            )
        if self.fit_intercept and not np.allclose(stats["x_mean"], 0):
            warn("Gram matrix was provided but X was centered to fit intercept: recompute "
                 "Gram matrix.", UserWarning)
            return
        xx = stats["xx"]
        if not np.allclose(gram, xx, rtol=1e-4, atol=1e-10 * np.abs(xx).max()):
            raise ValueError(
                "Gram matrix passed in via 'precompute' parameter did not pass validation "
                "when a single element was checked: it differs from XᵀWX of the (weighted, "
                "centred) training data. Pass precompute='auto' or recompute it."
            )

    def _solve(self, problems, d, n_targets):
        l1, l2 = self._penalties()
        coef_init = None
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = np.atleast_2d(np.asarray(self.coef_, dtype=np.float64))
            if coef_init.shape != (n_targets, d):
                raise ValueError(
                    f"warm_start=True continues from coef_ of shape {coef_init.shape}, but "
                    f"this fit has {n_targets} target(s) and {d} features; set "
                    "warm_start=False to fit afresh."
                )
        return _solve_targets(problems, l1, l2, coef_init, max_iter=self.max_iter,
                              tol=self.tol, positive=self.positive,
                              random_state=self.random_state, selection=self.selection)

    def _publish(self, result, x_mean, y_mean, y_ndim, dtype, moments):
        """Set every fitted attribute from the solve, in scikit-learn's shapes."""
        coef = result.coef
        if not np.all(np.isfinite(coef)):
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter values. "
                "The input data may contain large values and need to be preprocessed."
            )
        intercept = y_mean - coef @ x_mean if self.fit_intercept else np.zeros(coef.shape[0])
        gaps = result.diagnostics["dual_gap"]
        n_iters = result.diagnostics["n_iters"]
        if y_ndim == 1:
            self.coef_ = coef[0].astype(dtype, copy=False)
            self.intercept_ = (np.dtype(dtype).type(intercept[0]) if self.fit_intercept
                               else 0.0)
            self.dual_gap_ = float(gaps[0])
            self.n_iter_ = n_iters[0]
        else:
            self.coef_ = coef.astype(dtype, copy=False)
            self.intercept_ = intercept.astype(dtype, copy=False)
            self.dual_gap_ = gaps.copy()
            self.n_iter_ = list(n_iters)
        self._chunk_moments = moments
        return self

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy.sparse CSR array (a row per target)."""
        check_is_fitted(self)
        return sparse.csr_array(np.atleast_2d(self.coef_))

    def _fit_moments(self, X, y, sample_weight, previous, reset):
        """The Gram route from moments: a dask array (blockwise) or a partial_fit
        chunk merged into the earlier chunks' moments."""
        if is_dask_array(X):
            mom, y_ndim, y_2d = _dask_chunk_moments(self, X, y, sample_weight, reset)
            dtype = X.dtype
        else:
            X, y = validate_data(
                self, X, y, dtype=[np.float64, np.float32], accept_sparse=("csr", "csc"),
                multi_output=True, y_numeric=True, order="C", reset=reset,
            )
            y = numeric_target(y)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                                     ensure_non_negative=True)
            y_ndim = y.ndim
            y_2d = y.reshape(-1, 1) if y_ndim == 1 else y
            mom = (sparse_moments(X, y_2d, sample_weight) if sparse.issparse(X)
                   else block_moments((X, y_2d), sample_weight))
            dtype = X.dtype
        d = self.n_features_in_
        mom = _merge_chunk(previous, mom, d, y_2d.shape[1])
        stats = _stats_from_moments(mom, d, self.fit_intercept)
        self._check_precomputed(stats)
        problems = _gram_problems(stats)
        result = self._solve(problems, d, y_2d.shape[1]) if previous is None or not hasattr(
            self, "coef_") else self._solve_from_previous(problems, d, y_2d.shape[1])
        self._publish(result, stats["x_mean"], stats["y_mean"], y_ndim, dtype, mom)
        return self

    def _solve_from_previous(self, problems, d, n_targets):
        """partial_fit: continue from the coefficients of the chunks so far (the same
        optimum as a cold start, reached in fewer sweeps)."""
        l1, l2 = self._penalties()
        coef_init = np.atleast_2d(np.asarray(self.coef_, dtype=np.float64))
        return _solve_targets(problems, l1, l2, coef_init, max_iter=self.max_iter,
                              tol=self.tol, positive=self.positive,
                              random_state=self.random_state, selection=self.selection)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the fit with one more chunk of data.

        The chunk's weighted moments (weight sum, means, scatter of ``[X | y]``) are
        merged into those of the earlier chunks (the pairwise update of note 000 §8)
        and the coordinate descent runs again on the merged Gram matrix, from the
        previous coefficients: after the last chunk the fit equals ``fit`` on all the
        data (to the tolerance).  Memory is O(n_features²).  A chunk may be a dask
        array or a scipy.sparse matrix.  After ``fit`` on the Gram route the stream
        continues from that fit's data; after a fit on ``X`` itself (``precompute=False``
        or ``n_samples <= n_features``), which keeps no moments, it starts afresh with
        the same features.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : object
            The updated estimator.
        """
        previous = getattr(self, "_chunk_moments", None)
        return self._fit_moments(X, y, sample_weight, previous,
                                 reset=not hasattr(self, "n_features_in_"))

    def predict(self, X):
        """Predict with the fitted model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples (a dask array gives a lazy dask array).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        check_is_fitted(self)
        coef, intercept = self.coef_, self.intercept_
        if is_dask_array(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[-1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
            return dask_map_rows(
                X, lambda b: b @ coef.T + intercept, None if coef.ndim == 1 else coef.shape[0]
            )
        X = validate_data(self, X, dtype=[np.float64, np.float32],
                          accept_sparse=("csr", "csc"), reset=False)
        out = X @ coef.T + intercept
        return np.asarray(out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty (the lasso), by coordinate descent.

    Minimises scikit-learn's objective (note 001 §5.2)::

        1/(2 Σw) Σ wᵢ (yᵢ - xᵢᵀβ - b)² + alpha ‖β‖₁

    the :class:`ElasticNet` objective with ``l1_ratio=1``.  Where ridge's L2 ball (a
    circle) meets the loss contours anywhere, the L1 ball is a square whose corners lie
    on the axes: as ``alpha`` grows the coefficients reach zero one by one.  Solved by
    coordinate descent on the Gram matrix of one blocked pass over ``X`` when
    ``n_samples > n_features`` (dask arrays and ``partial_fit`` alike), on ``X``
    otherwise.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 term.  ``alpha = 0`` is least squares (better
        solved by :class:`~skdl.LinearRegression`).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept: the data are centred with the
        sample weights.
    precompute : {"auto"} or bool or array-like of shape (n_features, n_features), \
default="auto"
        Whether to use the Gram matrix ``XᵀWX`` (of the centred data when
        ``fit_intercept``).  ``"auto"`` (skdl's default; scikit-learn's is ``False``):
        when ``n_samples > n_features``.  The result does not depend on it, only the
        time.  A sparse ``X``, a dask array and ``partial_fit`` always use it.  An array
        is checked against the Gram matrix computed from ``X``.
    copy_X : bool, default=True
        If ``True``, ``X`` is copied; else it may be overwritten.  skdl never
        overwrites ``X``.
    max_iter : int, default=1000
        Maximum number of sweeps over the coordinates.
    tol : float, default=1e-4
        Tolerance: the fit stops when the duality gap is at most ``tol`` times
        ``Σ wᵢ yᵢ²/Σw`` (``y`` centred when ``fit_intercept``), checked when a sweep's
        largest update is at most ``tol`` times the largest coefficient
        (scikit-learn's rule).
    warm_start : bool, default=False
        When ``True``, start from the previous fit's coefficients.
    positive : bool, default=False
        When ``True``, constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the random coordinate choice (``selection="random"``).
    selection : {"cyclic", "random"}, default="cyclic"
        ``"cyclic"`` updates the coordinates in turn; ``"random"`` draws a random
        coordinate at every update.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The coefficients ``β``.
    sparse_coef_ : sparse matrix of shape (1, n_features) or (n_targets, n_features)
        ``coef_`` as a scipy.sparse CSR array.
    intercept_ : float or ndarray of shape (n_targets,)
        The intercept ``b`` (0.0 without ``fit_intercept``).
    n_iter_ : int or list of int
        Sweeps of the coordinate descent (a list, one per target, for a 2-D ``y``).
    dual_gap_ : float or ndarray of shape (n_targets,)
        The duality gap at the end of the fit, per target.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` has string column names.

    See Also
    --------
    ElasticNet : L1 and L2 penalties together.
    lasso_path : The coefficients over a grid of ``alpha``.

    Notes
    -----
    A 2-D ``y`` is fitted as independent problems, one per column, as scikit-learn's
    ``Lasso`` does.  Sample weights only weigh the squared residuals: scaling them all
    by one constant changes nothing.  The coordinate descent ends with an exact solve
    on the support it found (the lasso solution is linear in ``alpha`` between the
    points where the support changes), so the duality gap at the end is usually far
    below ``tol``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import Lasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = X @ np.array([1.5, 0.0, -2.0, 0.0, 0.5]) + 0.1 * rng.normal(size=200)
    >>> model = Lasso(alpha=0.1).fit(X, y)
    >>> model.sparse_coef_.shape
    (1, 5)
    """

    _parameter_constraints = {
        key: value for key, value in ElasticNet._parameter_constraints.items()
        if key != "l1_ratio"
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        precompute="auto",
        copy_X=True,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        positive=False,
        random_state=None,
        selection="cyclic",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratio(self):
        return 1.0


# --------------------------------------------------------------------------- #
# the regularisation path                                                      #
# --------------------------------------------------------------------------- #
def _alpha_grid(xy, n, l1_ratio, positive, eps, n_alphas):
    """scikit-learn's grid: from the smallest alpha with β = 0 down by ``eps``."""
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. Please "
            "supply a grid by providing the appropriate `alphas=` argument."
        )
    top = max(0.0, float(xy.max())) if positive else float(np.abs(xy).max())
    alpha_max = top / (n * l1_ratio)
    if alpha_max <= np.finfo(np.float64).resolution:
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "n_alphas": [Interval(Integral, 1, None, closed="left")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like", None],
        "precompute": ["boolean", StrOptions({"auto"})],
        "coef_init": ["array-like", None],
        "return_n_iter": ["boolean"],
        "positive": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "selection": [StrOptions({"cyclic", "random"})],
    },
    prefer_skip_nested_validation=True,
)
def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, precompute="auto",
              coef_init=None, return_n_iter=False, positive=False, tol=1e-4, max_iter=1000,
              random_state=None, selection="cyclic"):
    """The elastic-net coefficients over a grid of ``alpha``, warm-started along it.

    The objective is :class:`ElasticNet`'s without an intercept (as scikit-learn's
    ``enet_path``: centre ``X`` and ``y`` first to fit one).  The Gram matrix is
    computed once, in one blocked pass over ``X`` (when ``n_samples > n_features``,
    or ``precompute=True``), and every ``alpha`` starts from the previous one's
    coefficients.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values (one target: scikit-learn's 2-D ``y`` is the multi-task lasso,
        not implemented here).
    l1_ratio : float, default=0.5
        The mixing parameter (``1``: the lasso).
    eps : float, default=1e-3
        Length of the path: ``alpha_min / alpha_max = eps``.
    n_alphas : int, default=100
        Number of alphas of the automatic grid.
    alphas : int or array-like, default=None
        The alphas (sorted in decreasing order), or their number for the automatic
        grid; ``None``: ``n_alphas`` of them.
    precompute : {"auto"} or bool, default="auto"
        Whether to use the Gram matrix (``"auto"``: when ``n_samples > n_features``).
    coef_init : array-like of shape (n_features,), default=None
        Starting coefficients of the first alpha.
    return_n_iter : bool, default=False
        Also return the number of sweeps per alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    tol : float, default=1e-4
        Duality-gap tolerance, as :class:`ElasticNet`'s.
    max_iter : int, default=1000
        Maximum sweeps per alpha.
    random_state : int, RandomState instance or None, default=None
        Seed of ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Order of the coordinate updates.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    coefs : ndarray of shape (n_features, n_alphas)
        The coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        The duality gap at the end of each fit.
    n_iters : list of int
        Sweeps per alpha (only with ``return_n_iter=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.linear_model import enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 4))
    >>> y = X @ np.array([1.0, 0.0, -1.0, 0.5])
    >>> alphas, coefs, gaps = enet_path(X, y, l1_ratio=0.7, n_alphas=5)
    >>> coefs.shape
    (4, 5)
    """
    X = check_array(X, dtype=[np.float64, np.float32], accept_sparse=("csr", "csc"),
                    input_name="X")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            f"y must be 1-D (one target); got shape {y.shape}. scikit-learn's path with a "
            "2-D y is the multi-task lasso, which skdl does not implement: fit one path "
            "per column."
        )
    y = check_array(y, dtype=np.float64, ensure_2d=False, input_name="y")
    n, d = X.shape
    if y.shape[0] != n:
        raise ValueError(f"X and y have inconsistent numbers of samples: {n} and {y.shape[0]}.")
    use_gram = sparse.issparse(X) or (n > d if precompute == "auto" else bool(precompute))
    if use_gram:
        stats = _gram_statistics(X, y.reshape(-1, 1), None, fit_intercept=False)
        problem = _gram_problems(stats)[0]
    else:
        problem = _design_problems(X, y.reshape(-1, 1), None, False)[0][0]
    xy = problem.q if use_gram else problem.X.T @ problem.y  # Xᵀy / n
    if alphas is None or isinstance(alphas, Integral):
        count = n_alphas if alphas is None else int(alphas)
        grid = _alpha_grid(xy * n, n, l1_ratio, positive, eps, count)
    else:
        grid = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
        if grid.size == 0 or np.any(grid < 0) or not np.all(np.isfinite(grid)):
            raise ValueError("alphas must be non-empty, finite and non-negative.")
    rng = check_random_state(random_state)
    w = np.zeros(d) if coef_init is None else np.asarray(coef_init, dtype=np.float64).ravel()
    if w.shape != (d,):
        raise ValueError(f"coef_init must have shape ({d},); got {np.shape(coef_init)}.")
    coefs = np.empty((d, grid.size), dtype=X.dtype)
    gaps = np.empty(grid.size)
    n_iters = []
    for i, alpha in enumerate(grid):
        result = _solve_targets([problem], alpha * l1_ratio, alpha * (1.0 - l1_ratio),
                                w[None, :], max_iter=max_iter, tol=tol, positive=positive,
                                random_state=rng, selection=selection)
        w = result.coef[0]
        coefs[:, i] = w
        gaps[i] = result.diagnostics["dual_gap"][0]
        n_iters.append(result.diagnostics["n_iters"][0])
    if return_n_iter:
        return grid, coefs, gaps, n_iters
    return grid, coefs, gaps


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, precompute="auto",
               coef_init=None, return_n_iter=False, positive=False, tol=1e-4, max_iter=1000,
               random_state=None, selection="cyclic"):
    """The lasso coefficients over a grid of ``alpha``: :func:`enet_path` with
    ``l1_ratio=1``.

    The objective is :class:`Lasso`'s without an intercept, as scikit-learn's
    ``lasso_path``; the Gram matrix is computed once and every ``alpha`` starts from
    the previous one's coefficients.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values (one target).
    eps : float, default=1e-3
        Length of the path: ``alpha_min / alpha_max = eps``.
    n_alphas : int, default=100
        Number of alphas of the automatic grid.
    alphas : int or array-like, default=None
        The alphas, or their number for the automatic grid.
    precompute : {"auto"} or bool, default="auto"
        Whether to use the Gram matrix (``"auto"``: when ``n_samples > n_features``).
    coef_init : array-like of shape (n_features,), default=None
        Starting coefficients of the first alpha.
    return_n_iter : bool, default=False
        Also return the number of sweeps per alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    tol : float, default=1e-4
        Duality-gap tolerance, as :class:`Lasso`'s.
    max_iter : int, default=1000
        Maximum sweeps per alpha.
    random_state : int, RandomState instance or None, default=None
        Seed of ``selection="random"``.
    selection : {"cyclic", "random"}, default="cyclic"
        Order of the coordinate updates.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas, decreasing.
    coefs : ndarray of shape (n_features, n_alphas)
        The coefficients along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        The duality gap at the end of each fit.
    n_iters : list of int
        Sweeps per alpha (only with ``return_n_iter=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.linear_model import lasso_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 4))
    >>> y = X @ np.array([1.0, 0.0, -1.0, 0.5])
    >>> alphas, coefs, gaps = lasso_path(X, y, n_alphas=5)
    >>> coefs.shape
    (4, 5)
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, coef_init=coef_init, return_n_iter=return_n_iter,
                     positive=positive, tol=tol, max_iter=max_iter,
                     random_state=random_state, selection=selection)
