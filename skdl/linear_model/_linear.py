"""Least squares and ridge regression by the normal equations (note 001 ch. 3-5).

The solvers are pure private functions; the estimators dispatch to them by their
``solver`` string, as ``sklearn/linear_model/_ridge.py`` does.

The normal-equations path reads ``X`` once, in row blocks that stay in cache: each
block is shifted by a pilot estimate of the mean, scaled by the square root of the
sample weights and appended with a column of ones and the (shifted) targets, and a
symmetric rank-k update (BLAS ``syrk``) accumulates everything the fit needs -
``sum(w)``, the weighted column sums, ``XᵀWX``, ``XᵀWy`` and ``yᵀWy`` - in one pass,
without copying ``X``.  Because the pilot shift is close to the true mean, the final
centring correction ``G - (sum w) s sᵀ`` involves only small numbers and is
numerically safe (no cancellation of large uncentred sums).
"""

import warnings
from numbers import Real

import numpy as np
from scipy import linalg
from scipy.linalg import blas, lapack
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

# rows per block of the one-pass Gram accumulation (about 3 MB of float64 at d=100)
_BLOCK_ROWS = 4096
# below this reciprocal condition number of the (regularised) Gram matrix the
# normal equations lose more than ~6 significant digits: 'auto' falls back to lstsq
_RCOND_MIN = 1e-10


class IllConditionedWarning(UserWarning):
    """The normal equations were not safely positive definite; another solver was used."""


# --------------------------------------------------------------------------- #
# sufficient statistics                                                        #
# --------------------------------------------------------------------------- #
def _gram_statistics(X, Y, sample_weight=None, fit_intercept=True, block_rows=_BLOCK_ROWS):
    """One pass over ``X`` in row blocks: weighted, centred Gram blocks.

    Returns
    -------
    stats : dict
        ``sw`` (sum of weights), ``x_mean`` (d,), ``y_mean`` (k,), ``xx`` (d, d) the
        weighted centred ``XᵀWX``, ``xy`` (d, k), ``yy`` (k,) the weighted centred
        ``Σ w y²`` per target.
    """
    n, d = X.shape
    k = Y.shape[1]
    off = 1 if fit_intercept else 0
    p = off + d + k
    sqrt_w = None if sample_weight is None else np.sqrt(sample_weight)

    if fit_intercept:
        # pilot shift: (weighted) mean of the first block; any value works, a close one
        # keeps the final correction small
        head = slice(0, min(n, block_rows))
        w_head = None if sample_weight is None else sample_weight[head]
        if w_head is not None and not np.any(w_head > 0):
            w_head = None
        x_shift = np.average(X[head], axis=0, weights=w_head).astype(np.float64)
        y_shift = np.average(Y[head], axis=0, weights=w_head).astype(np.float64)
    else:
        x_shift = np.zeros(d)
        y_shift = np.zeros(k)

    b = min(n, block_rows)
    buf = np.empty((b, p), dtype=np.float64)
    gram = np.zeros((p, p), dtype=np.float64, order="F")
    for start in range(0, n, b):
        stop = min(start + b, n)
        m = stop - start
        blk = buf[:m]
        if fit_intercept:
            blk[:, 0] = 1.0
        np.subtract(X[start:stop], x_shift, out=blk[:, off : off + d])
        np.subtract(Y[start:stop], y_shift, out=blk[:, off + d :])
        if sqrt_w is not None:
            blk *= sqrt_w[start:stop, None]
        # blk.T is Fortran-contiguous (p, m): syrk with trans=0 gives blkᵀ blk, no copy
        gram = blas.dsyrk(1.0, blk.T, beta=1.0, c=gram, trans=0, lower=0, overwrite_c=1)
    gram = np.triu(gram) + np.triu(gram, 1).T

    if fit_intercept:
        sw = gram[0, 0]
        s = gram[0, 1:] / sw  # mean of the shifted data
        inner = gram[1:, 1:] - sw * np.outer(s, s)
        x_mean = x_shift + s[:d]
        y_mean = y_shift + s[d:]
    else:
        sw = float(n) if sample_weight is None else float(np.sum(sample_weight))
        inner = gram
        x_mean, y_mean = x_shift, y_shift
    return {
        "sw": float(sw),
        "x_mean": x_mean,
        "y_mean": y_mean,
        "xx": inner[:d, :d],
        "xy": inner[:d, d:],
        "yy": np.diag(inner[d:, d:]).copy(),
    }


# --------------------------------------------------------------------------- #
# solvers                                                                      #
# --------------------------------------------------------------------------- #
def _solve_normal_equations(xx, xy, alphas, check_rcond=True):
    """Solve ``(XᵀX + αI) θ = Xᵀy`` by Cholesky, one factorisation per distinct alpha.

    Returns ``coef`` (k, d) and a list of ``(targets, factor)`` pairs where
    ``factor`` (d, d) satisfies ``(XᵀX + αI)⁻¹ = factor factorᵀ`` (for the
    predictive standard deviation).

    Raises ``np.linalg.LinAlgError`` when a matrix is not (safely) positive definite.
    """
    d, k = xy.shape
    coef = np.empty((k, d))
    factors = []
    for alpha in np.unique(alphas):
        targets = np.flatnonzero(alphas == alpha)
        a = xx.copy()
        a.flat[:: d + 1] += alpha
        anorm = np.abs(a).sum(axis=0).max()
        c, lower = linalg.cho_factor(a, lower=False, overwrite_a=True, check_finite=False)
        if check_rcond:
            rcond, info = lapack.dpocon(c, anorm)
            if info != 0 or not rcond >= _RCOND_MIN:
                raise np.linalg.LinAlgError(
                    f"Gram matrix is ill-conditioned (reciprocal condition number {rcond:.2e})"
                )
        coef[targets] = linalg.cho_solve((c, lower), xy[:, targets], check_finite=False).T
        # a = UᵀU  =>  a⁻¹ = U⁻¹ U⁻ᵀ
        u_inv = linalg.solve_triangular(c, np.eye(d), lower=False, check_finite=False)
        factors.append((targets, u_inv))
    return coef, factors


def _solve_lstsq(Xc, Yc, alphas):
    """Least squares / ridge through the SVD of the centred (weighted) design.

    ``alpha == 0`` gives the minimum-norm least-squares solution (as LAPACK's
    ``gelsd``, which sklearn's LinearRegression uses); ``alpha > 0`` the ridge
    solution ``V diag(s / (s² + α)) Uᵀ y``.  Works for rank-deficient ``Xc``.
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
    return coef, factors


# --------------------------------------------------------------------------- #
# estimators                                                                   #
# --------------------------------------------------------------------------- #
class _BaseLinearModel(RegressorMixin, BaseEstimator):
    """Shared fit/predict of LinearRegression and Ridge."""

    _parameter_constraints = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "solver": [StrOptions({"auto", "normal", "lstsq"})],
    }

    def _alphas(self, n_targets):
        return np.zeros(n_targets)

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; ``None`` weighs all equally.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            multi_output=True,
            y_numeric=True,
            order="C",
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        n_targets = y_2d.shape[1]
        alphas = self._alphas(n_targets)

        solver = self.solver
        coef = factors = stats = None
        if solver in ("auto", "normal"):
            stats = _gram_statistics(X, y_2d, sample_weight, self.fit_intercept)
            try:
                coef, factors = _solve_normal_equations(
                    stats["xx"], stats["xy"], alphas, check_rcond=(solver == "auto")
                )
                solver_used = "normal"
            except np.linalg.LinAlgError as exc:
                if solver == "normal":
                    raise np.linalg.LinAlgError(
                        f"solver='normal' failed: {exc}. XᵀX is singular or nearly so "
                        "(collinear or constant features, or fewer samples than features); "
                        "use solver='lstsq' or 'auto', or regularise with Ridge(alpha>0)."
                    ) from exc
                warnings.warn(
                    f"The normal equations are not safely positive definite ({exc}); "
                    "falling back to solver='lstsq' (SVD). Expect collinear or constant "
                    "features, or fewer samples than features.",
                    IllConditionedWarning,
                    stacklevel=2,
                )
                coef = None
        if coef is None:
            coef, factors, stats = self._fit_lstsq(X, y_2d, sample_weight, alphas)
            solver_used = "lstsq"

        x_mean, y_mean, sw = stats["x_mean"], stats["y_mean"], stats["sw"]
        rss = self._rss(X, y_2d, sample_weight, coef, stats)
        dtype = X.dtype
        if y.ndim == 1:
            self.coef_ = coef[0].astype(dtype, copy=False)
        else:
            self.coef_ = coef.astype(dtype, copy=False)
        if self.fit_intercept:
            intercept = y_mean - coef @ x_mean
            self.intercept_ = (
                float(intercept[0]) if y.ndim == 1 else intercept.astype(dtype, copy=False)
            )
        else:
            self.intercept_ = 0.0 if y.ndim == 1 else np.zeros(n_targets, dtype=dtype)
        sigma2 = rss / sw if sw > 0 else np.full(n_targets, np.nan)
        self.sigma2_ = float(sigma2[0]) if y.ndim == 1 else sigma2
        self.solver_ = solver_used
        self.n_iter_ = None
        self._x_mean = x_mean
        self._std_factors = factors
        self._inv_sw = 1.0 / sw if (self.fit_intercept and sw > 0) else 0.0
        return self

    def _fit_lstsq(self, X, y_2d, sample_weight, alphas):
        if self.fit_intercept:
            x_mean = np.average(X, axis=0, weights=sample_weight).astype(np.float64)
            y_mean = np.average(y_2d, axis=0, weights=sample_weight).astype(np.float64)
        else:
            x_mean = np.zeros(X.shape[1])
            y_mean = np.zeros(y_2d.shape[1])
        if not self.copy_X and X.dtype == np.float64 and X.flags.writeable and X.base is None:
            Xc = X  # documented: copy_X=False lets the lstsq solver overwrite X
            Xc -= x_mean
        else:
            Xc = X - x_mean
        Yc = y_2d - y_mean
        if sample_weight is not None:
            sqrt_w = np.sqrt(sample_weight)[:, None]
            Xc *= sqrt_w
            Yc = Yc * sqrt_w
        coef, factors = _solve_lstsq(Xc, Yc, alphas)
        resid = Yc - Xc @ coef.T
        sw = float(X.shape[0]) if sample_weight is None else float(np.sum(sample_weight))
        stats = {"x_mean": x_mean, "y_mean": y_mean, "sw": sw, "rss": (resid**2).sum(axis=0)}
        return coef, factors, stats

    @staticmethod
    def _rss(X, y_2d, sample_weight, coef, stats):
        """Weighted residual sum of squares per target."""
        if "rss" in stats:
            return stats["rss"]
        xx, xy, yy = stats["xx"], stats["xy"], stats["yy"]
        rss = yy - 2 * np.einsum("kd,dk->k", coef, xy) + np.einsum("kd,de,ke->k", coef, xx, coef)
        if np.all(rss > 1e-6 * np.maximum(yy, np.finfo(float).tiny)):
            return rss
        # the Gram formula cancels badly for near-exact fits: one residual pass
        rss = np.zeros(y_2d.shape[1])
        y_mean, x_mean = stats["y_mean"], stats["x_mean"]
        for start in range(0, X.shape[0], _BLOCK_ROWS):
            sl = slice(start, start + _BLOCK_ROWS)
            r = (y_2d[sl] - y_mean) - (X[sl] - x_mean) @ coef.T
            w = 1.0 if sample_weight is None else sample_weight[sl, None]
            rss += (w * r**2).sum(axis=0)
        return rss

    def predict(self, X, return_std=False):
        """Predict with the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        return_std : bool, default=False
            Also return the predictive standard deviation
            ``sqrt(sigma2_ * (1 + 1/sum(w) + (x - x̄)ᵀ (XᵀWX + αI)⁻¹ (x - x̄)))``:
            the noise plus the uncertainty of the fitted parameters (the ``1/sum(w)``
            intercept term only when ``fit_intercept``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        y_std : ndarray of the same shape as ``y_pred``
            Only when ``return_std=True``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        y_pred = X @ self.coef_.T + self.intercept_
        if not return_std:
            return y_pred
        Xc = X - self._x_mean
        k = 1 if self.coef_.ndim == 1 else self.coef_.shape[0]
        lev = np.empty((X.shape[0], k))
        for targets, factor in self._std_factors:
            lev[:, targets] = (np.square(Xc @ factor).sum(axis=1))[:, None]
        var = np.asarray(self.sigma2_).reshape(1, -1) * (1.0 + self._inv_sw + lev)
        std = np.sqrt(var)
        return y_pred, (std[:, 0] if self.coef_.ndim == 1 else std)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


_SHARED_PARAMS_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an intercept.  The data are centred (with the sample weights)
        for the intercept, which is never penalised.
    copy_X : bool, default=True
        If False, the ``'lstsq'`` solver may centre ``X`` in place, overwriting it
        (as sklearn's does).  The ``'normal'`` solver never modifies or copies ``X``.
    solver : {"auto", "normal", "lstsq"}, default="auto"
        ``"normal"``: Cholesky solve of the normal equations, formed in one blocked
        pass over X (fastest for n_samples >> n_features); raises
        ``numpy.linalg.LinAlgError`` when the Gram matrix is singular.
        ``"lstsq"``: SVD of the centred design (robust for ill-conditioned or
        rank-deficient X; minimum-norm solution).
        ``"auto"``: ``"normal"``, falling back to ``"lstsq"`` with an
        :class:`IllConditionedWarning` when the Gram matrix's reciprocal condition
        number is below 1e-10.
"""

_SHARED_ATTRS_DOC = """
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Fitted coefficients (1-D when ``y`` was 1-D).
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept; 0.0 when ``fit_intercept=False``.
    sigma2_ : float or ndarray of shape (n_targets,)
        Maximum-likelihood noise variance ``RSS / n`` (weighted:
        ``Σ wᵢ rᵢ² / Σ wᵢ``), note 001 eq. 4.15.
    solver_ : str
        The solver actually used (``"normal"`` or ``"lstsq"``).
    n_iter_ : None
        Direct solvers take no iterations.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
"""


class LinearRegression(_BaseLinearModel):
    __doc__ = (
        """Ordinary least squares by the normal equations (note 001 ch. 3-4).

    Minimises ``Σ wᵢ (yᵢ - xᵢᵀθ - b)²``.  The maximum-likelihood view (Gaussian
    noise, note 001 ch. 4) gives the same ``θ`` and the noise variance ``sigma2_``.

    Parameters
    ----------"""
        + _SHARED_PARAMS_DOC
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRS_DOC
        + """
    See Also
    --------
    Ridge : Least squares with an L2 penalty.
    sklearn.linear_model.LinearRegression : The reference implementation (LAPACK gelsd).

    Notes
    -----
    With centred data the solution of the normal equations is
    ``θ = (XᵀX)⁻¹ Xᵀy`` (note 001 eq. 3.x, "the least squares estimate"), computed by a
    Cholesky factorisation, never an explicit inverse; the intercept is
    ``b = ȳ - x̄ᵀθ``.  ``XᵀWX`` is accumulated in one pass over ``X`` with a symmetric
    rank-k update (BLAS ``syrk``), so the fit costs about ``n d²`` flops and no copy
    of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import LinearRegression
    >>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]])
    >>> y = X @ np.array([1.0, 0.5]) + 2.0
    >>> reg = LinearRegression().fit(X, y)
    >>> np.round(reg.coef_, 6), round(reg.intercept_, 6)
    (array([1. , 0.5]), 2.0)
    >>> reg.solver_
    'normal'
    """
    )

    def __init__(self, *, fit_intercept=True, copy_X=True, solver="auto"):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.solver = solver


class Ridge(_BaseLinearModel):
    __doc__ = (
        """Ridge regression: least squares with an L2 penalty (note 001 ch. 5).

    Minimises ``Σ wᵢ (yᵢ - xᵢᵀθ - b)² + α ‖θ‖²``; the intercept ``b`` is not
    penalised.  ``α`` is the ``δ²`` of the notes.

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Non-negative regularisation strength; an array gives one per target, as
        in sklearn."""
        + _SHARED_PARAMS_DOC
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRS_DOC
        + """
    See Also
    --------
    LinearRegression : The unpenalised model.
    sklearn.linear_model.Ridge : The reference implementation.

    Notes
    -----
    Implements ``θ_ridge = (XᵀX + δ²I)⁻¹ Xᵀy`` (note 001 eq. 5.2) on centred data,
    by Cholesky.  The Bayesian reading (note 001 §5.3): a Gaussian prior
    ``θ ~ N(0, τ²I)`` with ``δ² = σ²/τ²``; ``predict(X, return_std=True)`` uses the
    matching covariance ``σ² (XᵀX + δ²I)⁻¹``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import Ridge
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 3))
    >>> y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=50)
    >>> reg = Ridge(alpha=1.0).fit(X, y)
    >>> reg.coef_.shape
    (3,)
    """
    )

    _parameter_constraints = {
        **_BaseLinearModel._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="left"), np.ndarray, list],
    }

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, solver="auto"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.solver = solver

    def _alphas(self, n_targets):
        alpha = np.asarray(self.alpha, dtype=np.float64)
        if alpha.ndim == 0:
            return np.full(n_targets, float(alpha))
        if alpha.ndim != 1 or alpha.shape[0] not in (1, n_targets):
            raise ValueError(
                f"alpha must be a scalar or an array of shape (n_targets,) = ({n_targets},); "
                f"got an array of shape {alpha.shape}."
            )
        if not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
            raise ValueError(
                f"alpha must be non-negative and finite; got {alpha.tolist()}."
            )
        return np.broadcast_to(alpha, (n_targets,)).copy()
