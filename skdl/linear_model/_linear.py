"""Least squares and ridge regression by the normal equations (note 001 ch. 3-5).

The estimators validate, dispatch by their ``solver`` string, with scikit-learn's
names (``'cholesky'``, ``'svd'``, ``'lsqr'``, ``'sparse_cg'``), as
``sklearn/linear_model/_ridge.py`` does, and publish the result: the direct and
iterative solvers are the pure functions of :mod:`skdl.linear_model._lstsq`
(:func:`~skdl.linear_model._lstsq._solve_direct`), the gradient ones those of
:mod:`skdl.linear_model._gd`.
"""

from numbers import Integral, Real

import numpy as np
from scipy import linalg, sparse
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import check_is_fitted, validate_data

from skdl.exceptions import IllConditionedWarning  # noqa: F401 (skdl.linear_model's)
from skdl.linear_model import _gd, _lstsq_cov
from skdl.linear_model._inference import COV_TYPES, InferenceMixin, check_groups
from skdl.linear_model._lstsq import (
    _check_dask_xy,
    _dask_chunk_moments,
    _divide_columns,
    _equilibration,
    _gram_out_of_range,
    _gram_rss,
    _gram_statistics,
    _merge_chunk,
    _outside_gram_range,
    _predict_blocks,
    _rescaled_alphas,
    _residual_ss,
    _solve_direct,
    _solve_gram,
    _solve_pinv_gram,
    _stats_from_moments,
    _unscaled,
    _with_intercept,
)
from skdl.optim import Schedule
from skdl.utils._atomic import AtomicFitMixin
from skdl.utils._dask import dask_map_rows, dask_moments, is_dask_array
from skdl.utils._moments import block_moments, sparse_moments
from skdl.utils._results import SolverResult
from skdl.utils._scale import column_magnitudes, unrepresentable_squares
from skdl.utils._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    available_if,
)
from skdl.utils._threads import limit_threads
from skdl.utils._validation import numeric_target


def _check_gradient_scales(X, solver):
    """The gradient solvers square the features as they are (no rescaling): refuse
    columns whose magnitude ``m`` makes those squares under- or overflow float64
    (``m < 1e-150``, or ``n m² > 1e306``)."""
    if X.shape[0] == 0:
        return
    mags = column_magnitudes(X)
    bad = unrepresentable_squares(mags, X.shape[0])
    if np.any(bad):
        raise ValueError(
            f"solver={solver!r} cannot fit features of magnitude "
            f"{mags[np.flatnonzero(bad)[0]]:.1e}: their squares under- or overflow float64 "
            "in the gradient and curvature. Standardise X (StandardScaler), or use "
            "solver='auto', 'lstsq' or 'newton', which rescale such columns exactly."
        )

# --------------------------------------------------------------------------- #
# estimators                                                                   #
# --------------------------------------------------------------------------- #
# the direct solvers, with sklearn's names (Ridge's 'solver'); the gradient ones are
# skdl's own (_gd.GRADIENT_SOLVERS)
_DIRECT_SOLVERS = ("cholesky", "svd", "lsqr", "sparse_cg", "lbfgs")
# solvers that take a scipy.sparse X (never densified); 'svd' and the gradient solvers
# need a dense one
_SPARSE_SOLVERS = ("auto", "cholesky", "lsqr", "sparse_cg", "lbfgs")
# solvers of positive=True (NNLS, or bounded L-BFGS, on the normal equations)
_POSITIVE_SOLVERS = ("auto", "cholesky", "lbfgs")


# 'auto' on a sparse X: the iterative solvers cost about this many passes over the stored
# entries (two sparse products each, ~10-50 iterations measured at tol 1e-6 on
# benchmarks/bench_sparse.py data); the direct one ~d³/3 for the factorisation
_ITERATIVE_PASSES = 100


def _iterative_is_cheaper(X):
    """'auto' on a sparse X: LSQR / CG when factorising the d × d Gram matrix would
    cost more than ~100 passes over the stored entries (sklearn also solves sparse
    problems iteratively)."""
    d = X.shape[1]
    return d**3 / 3.0 > _ITERATIVE_PASSES * 2.0 * max(X.nnz, 1)


def _intercept_scalar(value, dtype):
    """A 1-D target's intercept as sklearn stores it: a numpy scalar of X's dtype."""
    return np.dtype(dtype).type(value)

class _BaseLinearModel(InferenceMixin, RegressorMixin, AtomicFitMixin, BaseEstimator):
    """Shared fit/predict of LinearRegression and Ridge."""

    _parameter_constraints = {
        "fit_intercept": ["boolean"],
        "copy_X": ["boolean"],
        "solver": [StrOptions({"auto", *_DIRECT_SOLVERS, *_gd.GRADIENT_SOLVERS})],
        "positive": ["boolean"],
        "optimizer": [StrOptions(set(_gd.OPTIMIZERS)), HasMethods(["step"])],
        "learning_rate_init": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions(set(_gd.SCHEDULES)), Schedule, callable],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "cov_type": [StrOptions(set(COV_TYPES))],
    }

    def _alphas(self, n_targets):
        return np.zeros(n_targets)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, groups=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data; a scipy.sparse X is never densified (solvers "auto",
            "cholesky", "lsqr" and "sparse_cg").
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; ``None`` weighs all equally.  They
            are frequency weights for the covariance: an integer weight counts as
            that many copies of the row.
        groups : array-like of shape (n_samples,), default=None
            Cluster ids of the samples, used only (and required) by
            ``cov_type='cluster'``; ignored by the other types, as sklearn's CV
            splitters ignore groups they do not use.  Inside a Pipeline or
            GridSearchCV, route it with ``set_fit_request(groups=True)`` under
            sklearn's metadata routing.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        if is_dask_array(X):
            return self._fit_dask(X, y, sample_weight, groups)
        # LinearRegression's n_jobs: at most that many BLAS threads (-1, None: as set)
        n_jobs = getattr(self, "n_jobs", None)
        with limit_threads(None if n_jobs is None or n_jobs < 0 else n_jobs, "blas"):
            self._fit(X, y, sample_weight, groups)
        return self._single_target_shapes(y)

    def _single_target_shapes(self, y):
        return self

    def _check_solver_options(self, is_sparse):
        solver = self.solver
        if is_sparse and solver not in _SPARSE_SOLVERS:
            raise ValueError(
                f"solver={solver!r} does not support a sparse X (it needs a dense one); "
                "for a scipy.sparse X use solver='auto', 'cholesky', 'lsqr', 'sparse_cg' "
                "or 'lbfgs' (X is never densified), or convert X with X.toarray()."
            )
        if self.positive and solver not in _POSITIVE_SOLVERS:
            raise ValueError(
                f"solver={solver!r} does not support positive=True: use solver='auto' or "
                "'cholesky' (non-negative least squares on the normal equations) or "
                "'lbfgs' (bounded L-BFGS on them)."
            )

    # ---- statistical inference (skdl.linear_model._lstsq_cov) ---- #
    def _no_covariance_reason(self, solver):
        """Why a fit by ``solver`` (the one 'auto' chose) publishes no ``covariance_``,
        or None when it does."""
        if self.positive:
            return ("positive=True: the constrained (non-negative) estimator has no "
                    "sandwich covariance; fit with positive=False")
        if solver in _lstsq_cov.COVARIANCE_SOLVERS:
            return None
        chosen = (f"solver={solver!r}" if self.solver == solver else
                  f"solver={self.solver!r} ended with {solver!r} for this sparse X (a wide "
                  "X, or a singular Gram matrix)")
        return (f"{chosen}: an iterative solver computes no covariance (solver 'auto', "
                "'cholesky', 'svd', 'lbfgs' or 'newton' give one)")

    def _check_cov_solver(self, solver):
        """``_no_covariance_reason``; raises when a robust ``cov_type`` was asked for."""
        reason = self._no_covariance_reason(solver)
        if reason is not None and self.cov_type != "nonrobust":
            raise ValueError(f"cov_type={self.cov_type!r} needs the covariance of the "
                             f"estimates, but {reason}.")
        return reason

    def _cov_terms(self, result, alphas, gram, scale, solve_units=False):
        """The :class:`~skdl.linear_model._lstsq_cov.FitTerms` of a direct solve, or a
        one-line reason why it has no covariance (see :meth:`_covariance`)."""
        diag = result.diagnostics
        solver = diag.get("solver", "cholesky")
        if solver not in ("cholesky", "svd", "lbfgs", "newton", "pinv"):
            return self._no_covariance_reason(solver)  # e.g. the sparse fallback 'lsqr'
        if not diag["sw"] > 0:
            return "the sample weights sum to zero"
        factors = diag.get("factors")
        if factors is None or solver == "pinv":
            # ('lbfgs'; partial_fit's pinv, whose eigenvalue cut-off keeps rounding) from
            # the Gram matrix, by the rank decision of 'auto'
            if gram is None:
                return f"solver={solver!r} formed no factor of the Gram matrix"
            a = alphas if scale is None else _rescaled_alphas(alphas, scale)
            # (in the solve's units; 'auto''s rank decision: pinv when singular)
            factors = _lstsq_cov.bread_factors(gram, a)
            if scale is not None and not solve_units:
                factors = [(t, f / scale[:, None]) for t, f in factors]
        return _lstsq_cov.fit_terms(result.coef, result.intercept, diag["x_mean"], factors,
                                    scale, diag["sw"], self.fit_intercept, alphas,
                                    solve_units=solve_units)

    def _covariance(self, result, alphas, gram, scale, meat=None, solve_units=False):
        """The covariance of a direct solve: ``(covariance (k, p, p), std_errors (k, p),
        df_resid (k,), n_groups)`` in float64, or a one-line reason why there is none.

        ``result``: a :class:`SolverResult` with ``diagnostics`` ``factors`` (None:
        formed here from ``gram``), ``x_mean``, ``sw``, ``rss`` and ``solver``; ``gram``
        the centred weighted Gram matrix in the solve's units (needed with a penalty
        and by 'lbfgs'); ``scale`` the columns' scales of an equilibrated solve;
        ``meat(terms)`` returns ``(meat, n_groups)`` for the robust types (None: the
        data are gone).
        """
        terms = self._cov_terms(result, alphas, gram, scale, solve_units)
        if isinstance(terms, str):
            return terms
        diag = result.diagnostics
        dfr = _lstsq_cov.df_resid(terms, gram)
        if self.cov_type == "nonrobust":
            if not np.all(dfr > 0):  # (no error: a wide X is a valid least-squares fit)
                return (f"no residual degrees of freedom (df_resid = {dfr.min():.3g}: not "
                        "more observations than parameters)")
            return (*_lstsq_cov.covariance_nonrobust(terms, gram, diag["rss"], dfr), dfr, None)
        if meat is None:
            return ("a robust cov_type needs the data after the final fit: call "
                    "partial_fit_covariance over the chunks")
        _lstsq_cov.check_small_sample_df(terms, dfr, self.cov_type)  # (raises)
        m, n_groups = meat(terms)
        if self.cov_type == "cluster" and n_groups < 2:
            raise ValueError(
                f"cov_type='cluster' needs at least 2 clusters; groups has {n_groups}.")
        return (*_lstsq_cov.covariance_from_meat(terms, dfr, m, self.cov_type, n_groups),
                dfr, n_groups)

    def _publish_covariance(self, cov, y_ndim):
        """Publish ``covariance_``, ``std_errors_``, ``df_resid_`` (``n_groups_``) from
        :meth:`_covariance`, or remove those of an earlier fit and keep the reason in
        ``_no_covariance`` (read by :class:`InferenceMixin`'s error)."""
        state = self.__dict__
        for name in ("covariance_", "std_errors_", "df_resid_", "n_groups_",
                     "_no_covariance", "_cov_fitted"):
            state.pop(name, None)
        self._cov_pass = None  # partial_fit_covariance's pass
        if isinstance(cov, str):
            self._no_covariance = cov
            return self
        covariance, std, dfr, n_groups = cov
        if y_ndim == 1:
            covariance, std, dfr = covariance[0], std[0], float(dfr[0])
        self.covariance_ = covariance
        self.std_errors_ = std
        self.df_resid_ = dfr
        if n_groups is not None:
            self.n_groups_ = int(n_groups)
        self._cov_fitted = self.cov_type
        return self

    def _inference_params(self):
        coef = np.asarray(self.coef_, dtype=np.float64)
        if not self._fitted_intercept():
            return coef
        b = np.asarray(self.intercept_, dtype=np.float64)
        if coef.ndim == 1:
            return np.concatenate([b.ravel()[:1], coef])
        return np.column_stack([b, coef])

    def _inference_df(self):
        if self._cov_fitted != "nonrobust":
            return None  # the normal, as statsmodels' robust covariances
        dfr = self.df_resid_
        return dfr if np.ndim(dfr) == 0 else np.asarray(dfr)[:, None]

    def _summary_index(self, feature_names):
        names = self._inference_names(feature_names)
        if np.ndim(self.std_errors_) == 1:
            return names
        import pandas as pd  # (loaded on use)

        return pd.MultiIndex.from_product([range(self.std_errors_.shape[0]), names],
                                          names=["target", "parameter"])

    def _fit(self, X, y, sample_weight, groups=None):
        # the normal-equations route reads X's finiteness off the statistics it
        # computes anyway (NaN/inf reach the means and the Gram diagonal), saving a
        # full pass over X; every other route checks X up front
        direct = self.solver in ("auto", "cholesky", "lbfgs")
        warm = self.warm_start and self.solver in _gd.GRADIENT_SOLVERS and hasattr(self, "coef_")
        expected = getattr(self, "n_features_in_", None)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            accept_sparse=("csr", "csc"),
            multi_output=True,
            y_numeric=True,
            order="C",
            ensure_all_finite=False,
        )
        is_sparse = sparse.issparse(X)
        self._check_solver_options(is_sparse)
        if not direct:
            assert_all_finite(X.data if is_sparse else X, input_name="X")
        y = numeric_target(y)
        if warm and X.shape[1] != expected:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                f"{expected} features as input (warm_start=True continues from the "
                "previous fit's coefficients; set warm_start=False to fit afresh)."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        n_targets = y_2d.shape[1]
        alphas = self._alphas(n_targets)
        codes, n_groups = check_groups(groups, X.shape[0], self.cov_type, sample_weight)

        solver = self.solver
        if solver == "auto" and is_sparse and not self.positive and _iterative_is_cheaper(X):
            # as sklearn: a wide sparse X is solved iteratively (tol applies), not by
            # factorising its d × d Gram matrix
            solver = "lsqr" if not np.any(alphas > 0) else "sparse_cg"
            assert_all_finite(X.data, input_name="X")
        no_cov = self._check_cov_solver(solver)
        X_data, alphas_data = X, alphas  # (X before any rescaling: the meat pass's)

        def meat(terms):  # the robust meat: one blocked pass over X after the solve
            return _lstsq_cov.meat_pass(X_data, y_2d, sample_weight, terms, self.cov_type,
                                        codes, n_groups), n_groups
        self._gd_state = None  # partial_fit state of a previous solver='sgd' fit
        self._chunk_moments = None  # partial_fit state of the direct solvers
        self._x_scale = None  # column scales of an equilibrated fit (see _equilibration)
        self._n_rows = X.shape[0]
        penalised = bool(np.any(alphas > 0))
        if solver in ("gd", "sgd"):
            _check_gradient_scales(X, solver)
            result = _gd.fit_gradient(X, y, sample_weight, alphas, self._gradient_options(),
                                      warm=self._warm_start_from())
            self._publish_gradient(result, result.diagnostics["rss"], y.ndim, X.dtype)
            return self._publish_covariance(no_cov, y.ndim)
        scale = None
        if solver in ("newton", "svd", "lsqr", "sparse_cg"):
            # one O(n d) pass beside an O(n d²) solve: always checked
            scale = _equilibration(X, penalised)
            if scale is not None:
                X, alphas = _divide_columns(X, scale), _rescaled_alphas(alphas, scale)
        if solver == "newton":
            _gd._check_weights(sample_weight)
            stats = _gram_statistics(X, y_2d, sample_weight, self.fit_intercept)
            warm_coef = self._warm_start_from()
            result = _gd.fit_newton(stats, alphas, self.fit_intercept,
                                    None if warm_coef is None else warm_coef[0])
            rss = _residual_ss(X, y_2d, sample_weight, result.coef, stats)
            cov = self._covariance(
                SolverResult(result.coef, result.intercept, 1,
                             {**result.diagnostics, "rss": rss,
                              "factors": result.diagnostics["std_factors"]}),
                alphas_data, stats["xx"], scale, meat, solve_units=True)
            self._publish_gradient(result, rss, y.ndim, X.dtype)._unscale(scale)
            return self._publish_covariance(cov, y.ndim)
        result = _solve_direct(
            X, y_2d, sample_weight, alphas, solver=solver, scale=scale,
            fit_intercept=self.fit_intercept, positive=self.positive, tol=self.tol,
            max_iter=self.max_iter,
            # the robust meat reads X after the solve: 'svd' must not centre it in place
            copy_X=self.copy_X or self.cov_type != "nonrobust",
        )
        cov = no_cov
        if cov is None:
            diag = result.diagnostics
            mom = diag.get("moments")
            gram = (_stats_from_moments(mom, X.shape[1], self.fit_intercept)["xx"]
                    if mom is not None else diag.get("gram"))
            cov = self._covariance(result, alphas_data, gram, diag.get("x_scale"), meat)
            if isinstance(cov, str) and self.cov_type != "nonrobust":
                # (e.g. a singular sparse Gram matrix: the fallback solver gives none)
                raise ValueError(f"cov_type={self.cov_type!r} needs the covariance of "
                                 f"the estimates, but {cov}.")
        self._publish(result, y.ndim, X.dtype)
        return self._publish_covariance(cov, y.ndim)

    def _unscale(self, scale):
        """Back from a fit on ``X / scale`` to the units of ``X``: the coefficients
        divide by the scales, the means and the predictive-std factors follow.  The
        partial_fit moments stay in the rescaled units, with ``_x_scale`` to rescale
        later chunks alike."""
        self._x_scale = scale
        if scale is None:
            return self
        self.coef_ = (self.coef_ / scale).astype(self.coef_.dtype, copy=False)
        self._x_mean = self._x_mean * scale
        if self._std_factors is not None:
            self._std_factors = [(t, f / scale[:, None]) for t, f in self._std_factors]
        return self

    def _publish(self, result, y_ndim, dtype):
        """Set every fitted attribute of a direct solve from its :class:`SolverResult`
        (``coef`` (k, d), ``intercept`` (k,), the diagnostics of
        :func:`_with_intercept`), in the shapes and dtype of sklearn's estimators."""
        coef, diag = result.coef, result.diagnostics
        n_targets, sw = coef.shape[0], diag["sw"]
        self.coef_ = (coef[0] if y_ndim == 1 else coef).astype(dtype, copy=False)
        if self.fit_intercept:
            self.intercept_ = (
                _intercept_scalar(result.intercept[0], dtype) if y_ndim == 1
                else result.intercept.astype(dtype, copy=False)
            )
        else:
            self.intercept_ = 0.0 if y_ndim == 1 else np.zeros(n_targets, dtype=dtype)
        sigma2 = diag["rss"] / sw if sw > 0 else np.full(n_targets, np.nan)
        self.sigma2_ = float(sigma2[0]) if y_ndim == 1 else sigma2
        self.solver_ = diag["solver"]
        self.n_iter_ = result.n_iter  # 1 for one direct solve
        self._x_mean = diag["x_mean"]
        self._std_factors = diag["factors"]
        self._inv_sw = 1.0 / sw if (self.fit_intercept and sw > 0) else 0.0
        # partial_fit's state: the moments of the chunks (Gram route) and the column
        # scales of an equilibrated fit
        self._chunk_moments = diag.get("moments")
        self._x_scale = diag.get("x_scale")
        if "n_rows" in diag:
            self._n_rows = diag["n_rows"]
        return self

    def _dask_groups(self, groups, n):
        """``groups`` of a dask fit, checked as ``fit`` checks numpy ones: a numpy
        array (any array-like) goes through :func:`check_groups`; a dask array is
        checked for its shape and, when of floats, for NaN (one pass over it)."""
        if self.cov_type != "cluster" or groups is None or not is_dask_array(groups):
            if groups is not None and not is_dask_array(groups):
                groups = np.asarray(groups)
            check_groups(groups, n, self.cov_type)  # (raises)
            return groups if self.cov_type == "cluster" else None
        if groups.ndim != 1 or groups.shape[0] != n:
            raise ValueError(
                f"groups must have shape ({n},), one cluster id per sample; got shape "
                f"{groups.shape}."
            )
        if groups.dtype.kind == "f" and not bool(np.isfinite(groups).all().compute()):
            raise ValueError("groups contains NaN or infinity; every sample needs a "
                             "cluster id.")
        return groups

    def _fit_dask(self, X, y, sample_weight, groups=None):
        """Fit a dask array block by block: merged moments, then the d×d solve here
        (and, for a robust ``cov_type``, one more blockwise pass for the meat)."""
        if self.solver not in ("auto", "cholesky"):
            raise ValueError(
                "A dask array is fitted block by block with the normal equations: use "
                f"solver='cholesky' or 'auto'; got solver={self.solver!r}."
            )
        y_2d = _check_dask_xy(self, X, y, reset=True)
        y_ndim = y.ndim
        groups = self._dask_groups(groups, X.shape[0])
        no_cov = self._check_cov_solver(self.solver)
        mom = dask_moments((X, y_2d), sample_weight)
        stats = _stats_from_moments(mom, X.shape[1], self.fit_intercept)
        finite = np.all(np.isfinite(mom.scatter)) and np.all(np.isfinite(mom.mean))
        if not finite or _gram_out_of_range(stats):
            # one more pass, only then: out of core the columns are not rescaled
            mags = np.asarray(abs(X).max(axis=0).compute(), dtype=np.float64)
            extreme = np.isfinite(mags) & _outside_gram_range(mags)
            if np.any(extreme):
                j = int(np.flatnonzero(extreme)[0])
                raise ValueError(
                    f"{type(self).__name__} cannot fit this dask array: column {j} has "
                    f"magnitude {mags[j]:.1e}, beyond 1e±100, where XᵀX under- or overflows "
                    "float64, and out-of-core fits do not rescale columns. Rescale X first "
                    "(e.g. divide the column by a power of two near its magnitude)."
                )
        if not finite:
            raise ValueError("Input X or y contains NaN or infinity.")
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = X.shape[1]
        alphas = self._alphas(y_2d.shape[1])
        try:
            result = _solve_gram(stats, alphas, self.solver, self.positive, self.tol,
                                 self.max_iter)
        except np.linalg.LinAlgError as exc:
            raise np.linalg.LinAlgError(
                f"The normal equations of the dask array are singular or nearly so ({exc}); "
                "the SVD fallback needs the data in memory: regularise with Ridge(alpha>0), "
                "drop collinear columns, or pass a numpy array."
            ) from exc
        rss = _gram_rss(result.coef, stats)
        if rss is None:
            # near-exact fit: one blockwise residual pass instead of the Gram formula
            import dask

            r = (y_2d - stats["y_mean"]) - (X - stats["x_mean"]) @ result.coef.T
            w = 1.0 if sample_weight is None else sample_weight.reshape(-1, 1)
            (rss,) = dask.compute((w * r**2).sum(axis=0))
        result = _with_intercept(result, stats, rss, "cholesky", self.fit_intercept,
                                 moments=mom, x_scale=None, n_rows=X.shape[0])

        def meat(terms):  # one more blockwise pass: per-block meats (group sums) merged
            m, labels = _lstsq_cov.dask_meat(X, y_2d, sample_weight, groups, terms,
                                             self.cov_type)
            return m, None if labels is None else labels.shape[0]

        cov = no_cov if no_cov is not None else self._covariance(
            result, alphas, stats["xx"], None, meat)
        self._gd_state = None
        self._publish(result, y_ndim, X.dtype)
        return self._publish_covariance(cov, y_ndim)

    @available_if(lambda self: self.solver in ("sgd", "cholesky", "lbfgs", "auto"))
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the fit with one more chunk of data.

        With ``solver="cholesky"`` or ``"auto"``: the chunk's sufficient statistics
        (weight sum, means, scatter of ``[X | y]``) are merged into those of all
        earlier chunks (the pairwise update of note 000 §8) and the normal
        equations are solved again, so that after the last chunk the fit equals
        ``fit`` on all the data (to rounding); memory is O(d²), whatever the number
        of chunks.  A chunk may be a dask array.  ``"auto"`` falls back to the
        minimum-norm (pseudo-inverse) solution while the Gram matrix is singular,
        e.g. before n_features + 1 rows have been seen.  With
        ``cov_type="nonrobust"``, ``covariance_`` is recomputed from the merged
        moments after every call (no data needed).  A robust ``cov_type`` needs the
        residuals at the final coefficients: after a partial_fit there is no
        ``covariance_`` (:meth:`summary` says to call :meth:`partial_fit_covariance`)
        until :meth:`partial_fit_covariance` has been called on all the chunks again.

        With ``solver="sgd"``: one epoch of minibatch SGD. The first call (on an
        unfitted estimator) fixes the shifts of ``X`` and ``y`` (their means on that
        call's data), the update rule and its learning rate ('auto': from that data);
        later calls continue with the same rule state (momenta, moment estimates, step
        count), as does a call after ``fit``. ``n_iter_`` counts epochs over all calls
        and ``loss_curve_`` gains one entry per call.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (a scipy.sparse chunk with the direct solvers).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if self.solver != "sgd":
            if self.positive and self.solver not in _POSITIVE_SOLVERS:
                self._check_solver_options(False)
            return self._partial_fit_moments(X, y, sample_weight)
        first = getattr(self, "_gd_state", None) is None
        X, y = validate_data(
            self,
            X,
            y,
            dtype=[np.float64, np.float32],
            multi_output=True,
            y_numeric=True,
            order="C",
            reset=first,
        )
        y = numeric_target(y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        alphas = self._alphas(1 if y.ndim == 1 else y.shape[1])
        _check_gradient_scales(X, "sgd")
        result = _gd.fit_gradient(
            X, y, sample_weight, alphas, self._gradient_options(),
            warm=self._warm_start_from(), state=getattr(self, "_gd_state", None), partial=True,
        )
        self._publish_gradient(result, result.diagnostics["rss"], y.ndim, X.dtype)
        return self._publish_covariance(self._check_cov_solver("sgd"), y.ndim)

    @available_if(lambda self: self.solver in ("cholesky", "lbfgs", "auto"))
    def partial_fit_covariance(self, X, y, sample_weight=None, groups=None):
        """Accumulate the robust covariance over the chunks, after the last partial_fit.

        The robust covariances (``cov_type`` "HC0" to "HC3", "cluster") need each
        row's residual at the final coefficients, so, after the last
        :meth:`partial_fit` (or a :meth:`fit` by the normal equations), pass every
        chunk once more through this method: it adds the chunk's "meat" (the sums
        ``Σ wᵢ ωᵢ eᵢ² zᵢzᵢᵀ``, or the clusters' score sums ``Σ wᵢ eᵢ zᵢ``, merged by
        cluster id across chunks) at the current coefficients.  The first call after a
        (partial_)fit, or after a completed pass, starts a new pass.  Once the pass
        has seen the fit's total weight ``Σ wᵢ`` (to rounding), ``covariance_``,
        ``std_errors_``, ``df_resid_`` (and ``n_groups_``) are published, equal to
        those of ``fit`` on all the data; until then they are absent and
        :meth:`summary` says how much of the data the pass has seen.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            One chunk of the training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Its sample weights, as given to :meth:`partial_fit`.
        groups : array-like of shape (n_samples,), default=None
            Its cluster ids (``cov_type="cluster"`` only; a cluster may span chunks).

        Returns
        -------
        self : object
            The estimator, with the covariance once the pass is complete.

        Raises
        ------
        ValueError
            If the chunk would take the pass beyond the fitted weight, if
            ``cov_type`` is "nonrobust" (published by partial_fit itself), or on
            bad input; the estimator is then unchanged.
        """
        check_is_fitted(self)
        mom = self.__dict__.get("_chunk_moments")
        if mom is None:
            raise ValueError(
                f"partial_fit_covariance needs a fit by the normal equations (partial_fit, "
                f"or fit with solver 'auto' or 'cholesky'); this {type(self).__name__} "
                f"was fitted by solver {self.solver_!r}."
            )
        if self.cov_type == "nonrobust":
            raise ValueError(
                "cov_type='nonrobust' needs no second pass: partial_fit publishes its "
                "covariance from the merged moments. partial_fit_covariance is for the "
                "robust types ('HC0', 'HC1', 'HC2', 'HC3', 'cluster')."
            )
        self._check_cov_solver(self.solver)
        k = 1 if self.coef_.ndim == 1 else self.coef_.shape[0]
        if is_dask_array(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[-1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
            y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        else:
            X, y = validate_data(
                self, X, y, dtype=[np.float64, np.float32], multi_output=True,
                y_numeric=True, order="C", reset=False, accept_sparse=("csr", "csc"),
            )
            y = numeric_target(y)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(
                    sample_weight, X, dtype=np.float64, ensure_non_negative=True
                )
            y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        n = X.shape[0]
        if y_2d.shape[0] != n or y_2d.shape[1] != k:
            raise ValueError(
                f"y must have shape ({n},) or ({n}, {k}) (the fitted targets); got "
                f"{tuple(y.shape)}."
            )
        groups = self._dask_groups(groups, n)
        fitted_sw = float(mom.sw)
        alphas = self._alphas(k)
        scale = self.__dict__.get("_x_scale")
        gram = _stats_from_moments(mom, self.n_features_in_, self.fit_intercept)["xx"]
        result = SolverResult(
            np.asarray(self.coef_, dtype=np.float64).reshape(k, -1),
            np.asarray(self.intercept_, dtype=np.float64).reshape(-1) * np.ones(k), 1,
            {"factors": self._std_factors, "x_mean": self._x_mean, "sw": fitted_sw,
             "rss": np.atleast_1d(self.sigma2_) * fitted_sw, "solver": self.solver_},
        )
        terms = self._cov_terms(result, alphas, gram, scale)
        if isinstance(terms, str):
            raise ValueError(f"No covariance for this fit: {terms}.")
        previous = self.__dict__.get("_cov_pass")
        if previous is None or previous.get("complete"):
            previous = {"sw": 0.0, "part": None}
        if is_dask_array(X):
            import dask

            w_sum = (float(n) if sample_weight is None
                     else float(dask.compute(sample_weight.sum())[0]))
        else:
            w_sum = float(n) if sample_weight is None else float(np.sum(sample_weight))
        seen = previous["sw"] + w_sum
        tol = 1e-9 * fitted_sw
        if seen > fitted_sw + tol:
            raise ValueError(
                f"This chunk (weight {w_sum:g}) takes the pass of partial_fit_covariance to "
                f"{seen:g} observations, beyond the {fitted_sw:g} of the fit: pass each "
                "chunk of the partial_fit calls exactly once (a new pass starts after the "
                "next partial_fit, or once this pass is complete)."
            )
        if is_dask_array(X):
            part = _lstsq_cov.dask_meat(X, y_2d, sample_weight, groups, terms, self.cov_type)
        else:
            part = _lstsq_cov.labelled_meat_chunk(X, y_2d, sample_weight, terms,
                                                  self.cov_type, groups)
        if previous["part"] is not None:
            part = _lstsq_cov.merge_meats(previous["part"], part)
        y_ndim = 1 if self.coef_.ndim == 1 else 2
        if seen >= fitted_sw - tol:  # the pass is complete: publish
            meat, labels = part
            n_groups = None if labels is None else labels.shape[0]
            cov = self._covariance(result, alphas, gram, scale,
                                   meat=lambda _: (meat, n_groups))
            self._publish_covariance(cov, y_ndim)
            self._cov_pass = {"complete": True}
            return self
        self._publish_covariance(
            f"the pass of partial_fit_covariance has seen {seen:g} of the {fitted_sw:g} "
            "observations of the fit; call it on the remaining chunks", y_ndim)
        self._cov_pass = {"sw": seen, "part": part}
        return self

    # ---- 'gd' / 'sgd' / 'newton': options in, SolverResult out, published here ---- #
    def _gradient_options(self):
        return _gd.GradientOptions.from_params(self.get_params(deep=False))

    def _warm_start_from(self):
        """``(coef_, intercept_)`` of the previous fit when ``warm_start``, else None."""
        if self.warm_start and hasattr(self, "coef_"):
            return self.coef_, self.intercept_
        return None

    def _publish_gradient(self, result, rss, y_ndim, dtype):
        """Publish a gradient or Newton solve: what every solve sets (:meth:`_publish`),
        then the loss curve, learning rate and optimizer state of the gradient loop."""
        diag = result.diagnostics
        common = {key: diag[key] for key in ("sw", "solver", "x_mean")}
        self._publish(
            SolverResult(result.coef.copy(), result.intercept, result.n_iter,
                         {**common, "rss": rss, "factors": diag["std_factors"]}),
            y_ndim, dtype,
        )
        self.loss_curve_ = list(diag["loss_curve"])
        self.learning_rate_ = diag["learning_rate"]
        if "optimizer" in diag:
            self.optimizer_ = diag["optimizer"]
            self._gd_state = diag["state"]
        if "validation_scores" in diag:
            self.validation_scores_ = diag["validation_scores"]
            self.best_validation_score_ = diag["best_validation_score"]
        return self

    def _partial_fit_moments(self, X, y, sample_weight):
        """``partial_fit`` for the direct solvers: merge the chunk's moments, re-solve."""
        previous = getattr(self, "_chunk_moments", None)
        no_cov = self._no_covariance_reason(self.solver)  # (positive=True)
        if no_cov is not None and self.cov_type != "nonrobust":
            self._check_cov_solver(self.solver)  # (raises)
        if is_dask_array(X):
            mom, y_ndim, y_2d = _dask_chunk_moments(self, X, y, sample_weight,
                                                    reset=previous is None)
            dtype = X.dtype
        else:
            X, y = validate_data(
                self, X, y, dtype=[np.float64, np.float32], multi_output=True,
                y_numeric=True, order="C", reset=previous is None,
                accept_sparse=("csr", "csc"),
            )
            y = numeric_target(y)
            if sample_weight is not None:
                sample_weight = _check_sample_weight(
                    sample_weight, X, dtype=np.float64, ensure_non_negative=True
                )
            y_ndim = y.ndim
            y_2d = y.reshape(-1, 1) if y_ndim == 1 else y
            # the stream keeps the scales its first chunk needed (or none)
            scale = (
                _equilibration(X, bool(np.any(self._alphas(y_2d.shape[1]) > 0)))
                if previous is None else getattr(self, "_x_scale", None)
            )
            if scale is not None:
                X = _divide_columns(X, scale)
            if sparse.issparse(X):
                mom = sparse_moments(X, y_2d, sample_weight)
                if not (np.all(np.isfinite(mom.scatter)) and np.all(np.isfinite(mom.mean))):
                    assert_all_finite(X.data, input_name="X")
            else:
                mom = block_moments((X, y_2d), sample_weight)
            dtype = X.dtype
        d = self.n_features_in_
        mom = _merge_chunk(previous, mom, d, y_2d.shape[1])
        stats = _stats_from_moments(mom, d, self.fit_intercept)
        alphas = self._alphas(y_2d.shape[1])
        if is_dask_array(X):
            scale = None
        elif scale is not None:
            alphas = _rescaled_alphas(alphas, scale)
        try:
            result = _solve_gram(stats, alphas, self.solver, self.positive, self.tol,
                                 self.max_iter)
            solver_used = "cholesky"
        except np.linalg.LinAlgError as exc:
            if self.solver == "cholesky" or self.positive:
                raise np.linalg.LinAlgError(
                    f"solver={self.solver!r} failed on the chunks seen so far: {exc}. Use "
                    "solver='auto' (pseudo-inverse while singular; not with positive=True) "
                    "or Ridge(alpha>0)."
                ) from exc
            result = _solve_pinv_gram(stats["xx"], stats["xy"], alphas)
            solver_used = "pinv"
        n_rows = (getattr(self, "_n_rows", 0) if previous is not None else 0) + X.shape[0]
        # the data are gone: the RSS from the Gram statistics alone
        result = _unscaled(_with_intercept(
            result, stats, _gram_rss(result.coef, stats, exact_only=False), solver_used,
            self.fit_intercept, moments=mom, n_rows=n_rows,
        ), scale)
        # nonrobust: from the merged moments; robust: partial_fit_covariance's pass
        cov = no_cov if no_cov is not None else self._covariance(
            result, self._alphas(y_2d.shape[1]), stats["xx"], scale)
        self._publish(result, y_ndim, dtype)
        return self._publish_covariance(cov, y_ndim)

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
        if is_dask_array(X):
            if return_std:
                raise ValueError("return_std=True is not supported for dask arrays.")
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[-1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
            coef, intercept = self.coef_, self.intercept_
            return dask_map_rows(
                X, lambda b: b @ coef.T + intercept, None if coef.ndim == 1 else coef.shape[0]
            )
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], accept_sparse=("csr", "csc"), reset=False
        )
        std = None
        if return_std:
            if self._std_factors is None:
                raise ValueError(
                    f"return_std=True needs (XᵀWX + αI)⁻¹, which solver={self.solver_!r} "
                    "does not form (nor does positive=True); fit with solver='auto', "
                    "'cholesky', 'svd' or 'newton'."
                )
            std = (self._x_mean, self._std_factors, self.sigma2_, self._inv_sw)
        return _predict_blocks([X], self.coef_, self.intercept_, std)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = self.solver in _SPARSE_SOLVERS
        return tags


_SHARED_PARAMS_DOC = """
    fit_intercept : bool, default=True
        Whether to fit an intercept.  The data are centred (with the sample weights)
        for the intercept, which is never penalised.
    copy_X : bool, default=True
        If False, the ``'svd'`` solver may centre ``X`` in place, overwriting it
        (as sklearn's does).  The other solvers never modify or copy ``X``.
    tol : float, default={tol}
        Convergence tolerance of the iterative solvers: ``atol`` and ``btol`` of
        ``'lsqr'``, the relative residual of ``'sparse_cg'``; for "gd" and "sgd",
        stop when, for ``n_iter_no_change`` epochs in a row, the training loss has not
        decreased by ``tol`` times the initial loss (or, with ``early_stopping``, the
        validation R² has not increased by ``tol``).  No effect on the direct solvers.
    positive : bool, default=False
        Constrain the coefficients to be non-negative: non-negative least squares
        (scipy's NNLS) on the Cholesky factor of the normal equations ("auto",
        "cholesky"), or bounded L-BFGS on them ("lbfgs"), from the same one pass over
        X (dense, sparse, chunked or dask).  ``return_std`` is then unavailable.
    solver : {{"auto", "cholesky", "svd", "lsqr", "sparse_cg", "lbfgs", "gd", "sgd", \
"newton"}}, default="auto"
        scikit-learn's names for the direct solvers.
        ``"cholesky"``: Cholesky solve of the normal equations, formed in one blocked
        pass over X (for a sparse X: the sparse Gram product minus the rank-one mean
        term); fastest for n_samples >> n_features; raises
        ``numpy.linalg.LinAlgError`` when the Gram matrix is singular.
        ``"svd"``: SVD of the centred design (robust for ill-conditioned or
        rank-deficient X; minimum-norm solution); dense X only.
        ``"lsqr"``: scipy's LSQR on the implicitly centred X (``damp = √alpha``), and
        ``"sparse_cg"``: conjugate gradients on ``XᵀX + alpha I``: iterative, for very
        wide or very sparse X; ``tol`` and ``max_iter`` apply.
        ``"lbfgs"``: scipy's L-BFGS-B on the quadratic of the normal equations (one
        pass over X), with the bounds ``coef >= 0`` when ``positive``.
        ``"auto"``: for a sparse X whose ``d³/3`` exceeds 200 times its stored
        entries (a wide one, where factorising the d × d Gram matrix costs more than
        ~100 iterations), ``"lsqr"`` (LinearRegression, alpha 0) or ``"sparse_cg"``
        (Ridge), as sklearn, with ``tol``; otherwise
        ``"cholesky"``, falling back to ``"svd"`` (``"lsqr"`` for a sparse
        X) with an :class:`IllConditionedWarning` when the Gram matrix's reciprocal
        condition number is below 1e-10 (for Ridge with ``alpha > 0``: below
        ``n_features · eps``, where Cholesky stays backward stable against the
        penalty); ``"cholesky"`` falls back likewise when the factorisation fails
        (a singular Gram matrix), as sklearn's.
        ``"gd"``: full-batch gradient descent with the update rule ``optimizer``
        (note 001 eq. 6.10); X is shifted by its mean once (one copy of X when
        ``fit_intercept``).
        ``"sgd"``: minibatch stochastic gradient descent (note 002 "SGD on
        mini-batches"): ``batch_size`` samples per update, reshuffled every epoch
        when ``shuffle``; no copy of X.
        ``"newton"``: Newton's method, one step from zero (or the warm start) to the
        exact solution (note 001 eq. 6.11).
        The three gradient solvers (skdl's own; dense X) minimise
        ``[Σ wᵢ (yᵢ - xᵢᵀθ - b)² + α‖θ‖²] / (2 Σ wᵢ)``, the objective of the direct
        ones scaled by ``1/(2 Σ wᵢ)``, and record ``loss_curve_`` and ``n_iter_``.
    optimizer : {{"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", \
"adam"}} or skdl.optim.UpdateRule, default="sgd"
        Update rule of ``solver="gd"|"sgd"`` (:mod:`skdl.optim`); ``"sgd"`` is the
        plain step ``θ ← θ - η g``.  An instance is copied (never modified) and used
        with its own hyper-parameters; a numeric ``learning_rate_init`` or a
        ``learning_rate`` schedule other than "constant" overrides its own.  Ignored
        by the other solvers (as are all the parameters below).
    learning_rate_init : "auto" or float, default="auto"
        Initial learning rate ``η₀`` (sklearn's name in its MLP and SGD models).
        ``"auto"``: for "sgd", "momentum" and "nesterov", ``1/L`` with ``L`` the
        largest curvature of the loss for "gd", and ``(1-γ)/(2 L(b))`` for "sgd" with
        ``L(b)`` the expected smoothness of minibatches of size ``b`` and ``γ`` the
        momentum (Gower et al. 2019); 0.1 for "adagrad", 0.01 for "rmsprop" and
        "adam", 1.0 for "adadelta".  The value used is in ``learning_rate_``.  A rate
        too large makes the loss diverge: the fit then stops with
        :class:`skdl.optim.DivergenceError` naming the rate.
    learning_rate : {{"constant", "inverse", "cosine"}} or skdl.optim.Schedule, \
default="constant"
        Learning-rate schedule (sklearn's name), evaluated at the update count:
        "constant" keeps ``learning_rate_init``; "inverse" is ``η₀/(1 + t/i₀)`` with
        ``i₀`` the updates of one epoch (note 002), "cosine" anneals to 0 over
        ``max_iter`` epochs; any :class:`skdl.optim.Schedule` (step, warm-up, cyclic,
        ...) can be given.
    max_iter : int or None, default=None
        Maximum number of iterations: epochs of "gd"/"sgd" (None: 1000; for "gd" one
        epoch is one update), iterations of "lsqr"/"sparse_cg" (None: scipy's
        default).  A :class:`~sklearn.exceptions.ConvergenceWarning` giving
        ``max_iter`` and ``tol`` is raised when it ends a gradient fit.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its R² stops
        improving and keep the best parameters (note 000 §2.4.1).
    validation_fraction : float, default=0.1
        Fraction of the samples held out for ``early_stopping``.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.  For "gd" with a momentum
        rule it is counted in units of the momentum's memory ``1/(1-γ)`` epochs
        (the loss of a heavy ball oscillates on that time scale).
    random_state : int, RandomState instance or None, default=None
        Seeds the minibatch shuffling, the early-stopping split and the curvature
        subsample; an int makes fits reproducible.
    warm_start : bool, default=False
        Start "gd", "sgd" and "newton" from the previous ``coef_`` and
        ``intercept_`` (the rule's state starts afresh).
    batch_size : "auto" or int, default="auto"
        Minibatch size of "sgd"; "auto" is ``min(200, n_samples)``.
    shuffle : bool, default=True
        Reshuffle the samples every epoch ("sgd").
"""

_COV_TYPE_DOC = """    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}, \
default="nonrobust"
        Covariance of the estimates (``covariance_``, ``std_errors_``,
        :meth:`conf_int`, :meth:`summary`), statsmodels' names: "nonrobust" is
        ``σ̂² B G B`` with ``σ̂² = RSS / df_resid_`` (Student's t with ``df_resid_``
        degrees of freedom), the others the heteroscedasticity-robust sandwiches
        ``c · B M B`` (White's HC0, HC1 ``c = n / df_resid_``, HC2 and HC3 with the
        leverages) and the cluster-robust one (``fit(..., groups=...)``,
        ``c = G/(G-1) · (n-1)/(n-p)`` with ``p`` the number of parameters, as
        statsmodels; ``(n-1)/df_resid_`` for a penalised fit), all with the normal
        distribution (a positively weighted row of leverage 1 makes HC2/HC3 an
        error); see
        Notes.  Given by the direct solvers ("auto", "cholesky", "svd", "lbfgs",
        "newton", ``partial_fit``); the iterative ones and ``positive=True`` publish
        no covariance, and a cov_type other than "nonrobust" is then an error.  The
        robust types cost one more pass over X after the solve.
"""

_SHARED_ATTRS_DOC = """
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Fitted coefficients (1-D when ``y`` was 1-D).
    intercept_ : numpy scalar or ndarray of shape (n_targets,)
        Intercept, of X's dtype (a numpy scalar for a 1-D ``y``, as sklearn's); 0.0
        when ``fit_intercept=False``.
    sigma2_ : float or ndarray of shape (n_targets,)
        Maximum-likelihood noise variance ``RSS / n`` (weighted:
        ``Σ wᵢ rᵢ² / Σ wᵢ``), note 001 eq. 4.15.
    solver_ : str
        The solver actually used (``"cholesky"``, ``"svd"``, ``"lsqr"``,
        ``"sparse_cg"``, ``"nnls"`` (positive fallback), ``"pinv"`` (``partial_fit``
        while the Gram matrix is singular), ``"gd"``, ``"sgd"`` or ``"newton"``).
    n_iter_ : int
        Epochs run by the gradient solvers, iterations of "lsqr"/"sparse_cg" (the
        largest over the targets); 1 for the direct ones (one solve).
    loss_curve_ : list of float
        Iterative solvers: the loss at each epoch (for "sgd" the mean of the
        minibatch losses during the epoch), ``n_iter_`` entries.
    learning_rate_ : float
        Iterative solvers: the base learning rate used (resolves "auto").
    optimizer_ : skdl.optim.UpdateRule
        "gd" and "sgd": the update rule with its final state.
    validation_scores_ : list of float or None
        "gd" and "sgd" with ``early_stopping``: the validation R² after each epoch
        (None without early stopping).
    best_validation_score_ : float or None
        The best of ``validation_scores_`` (its parameters are kept), or None.
    covariance_ : ndarray of shape (p, p) or (n_targets, p, p)
        Covariance of the estimates ``[intercept, coef...]`` (the intercept only with
        ``fit_intercept``; ``p`` = their number), per target for a 2-D ``y``, of
        ``cov_type``.  Absent after a solver that gives none (the reason is in the
        error of :meth:`summary`).
    std_errors_ : ndarray of shape (p,) or (n_targets, p)
        ``sqrt(diag(covariance_))``, in the same order.
    df_resid_ : float or ndarray of shape (n_targets,)
        Residual degrees of freedom ``n - tr(B G)`` with ``n = Σ wᵢ``: ``n - rank``
        for least squares, ``n`` minus the effective degrees of freedom for ridge.
    n_groups_ : int
        Number of clusters (``cov_type="cluster"`` only).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.
"""

_INFERENCE_NOTES = """
    Inference (``cov_type``; the user guide's Inference page): with
    ``zᵢ = (1, xᵢ)``, frequency weights ``wᵢ`` (an integer weight counts as that many
    copies of the row), ``n = Σ wᵢ``, ``G = Σ wᵢ zᵢzᵢᵀ``, ``A = G + P`` (``P`` the
    penalty, zero on the intercept), the bread ``B = A⁻¹`` (``pinv(G)`` for a
    rank-deficient least-squares fit), residuals ``eᵢ``, leverages
    ``hᵢ = zᵢᵀ B zᵢ`` and ``df_resid_ = n - tr(B G)``, the covariance is
    ``c · B M B``: "nonrobust" ``M = G``, ``c = RSS / df_resid_``; "HC0"
    ``M = Σ wᵢ eᵢ² zᵢzᵢᵀ``; "HC1" the same with ``c = n / df_resid_``; "HC2" and "HC3"
    weigh row ``i`` by ``1/(1 - hᵢ)`` and ``1/(1 - hᵢ)²``; "cluster"
    ``M = Σ_g s_g s_gᵀ`` with ``s_g = Σ_{i ∈ g} wᵢ eᵢ zᵢ`` and
    ``c = G/(G-1) · (n-1)/df_resid_``.  These are statsmodels' OLS definitions
    (``OLS(y, add_constant(X)).fit(cov_type=...)``, ``cov_kwds={'groups': g}``),
    which the tests match; the robust meat is one blocked pass over X after the solve.
"""


class LinearRegression(_BaseLinearModel):
    __doc__ = (
        """Ordinary least squares by the normal equations (note 001 ch. 3-4).

    Minimises ``Σ wᵢ (yᵢ - xᵢᵀθ - b)²``.  The maximum-likelihood view (Gaussian
    noise, note 001 ch. 4) gives the same ``θ`` and the noise variance ``sigma2_``.
    Takes scikit-learn's LinearRegression parameters with their meanings and
    defaults, and skdl's solvers on top.

    Parameters
    ----------"""
        + _SHARED_PARAMS_DOC.format(tol="1e-6")
        + """    n_jobs : int or None, default=None
        At most this many BLAS threads for the fit (threadpoolctl, through
        :mod:`skdl.utils._threads`: the BLAS library's setting is lowered, never
        raised, so a limit the user set stays in force); None and -1 leave the BLAS
        library's own setting.
""" + _COV_TYPE_DOC + """
    Attributes
    ----------"""
        + _SHARED_ATTRS_DOC
        + """    rank_ : int
        Rank of the centred (weighted) design: ``n_features`` after a Cholesky solve
        (which requires it), the number of singular values kept by "svd".  Available
        after the direct solvers ("cholesky", "svd", "newton", partial_fit).
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Singular values of the centred (weighted) design, descending (zeros beyond
        ``rank_``), from the factor of the solve (computed on first access).
""" + """
    See Also
    --------
    Ridge : Least squares with an L2 penalty.
    sklearn.linear_model.LinearRegression : The reference implementation (LAPACK gelsd).
    sklearn.linear_model.SGDRegressor : Per-sample SGD (the peer of ``solver="sgd"``).
    skdl.optim : The update rules and schedules of the iterative solvers.

    Notes
    -----""" + _INFERENCE_NOTES + """
    With centred data the solution of the normal equations is
    ``θ = (XᵀX)⁻¹ Xᵀy`` (note 001 eq. 3.5, the least-squares estimate), computed by a
    Cholesky factorisation, never an explicit inverse; the intercept is
    ``b = ȳ - x̄ᵀθ``.  ``XᵀWX`` is accumulated in one pass over ``X`` with a symmetric
    rank-k update (BLAS ``syrk``), so the fit costs about ``n d²`` flops and no copy
    of ``X``.

    The iterative solvers minimise the same objective (scaled by ``1/(2 Σw)``) with
    the update rules of :mod:`skdl.optim`: steepest descent
    ``θ ← θ - η (XᵀWXθ - XᵀWy)/Σw`` (note 001 eq. 6.10) with any rule and schedule,
    on the full batch ("gd") or on minibatches ("sgd", note 002); Newton's method
    reaches the exact solution in one step (note 001 eq. 6.11).

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import LinearRegression
    >>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]])
    >>> y = X @ np.array([1.0, 0.5]) + 2.0
    >>> reg = LinearRegression().fit(X, y)
    >>> np.round(reg.coef_, 6), round(float(reg.intercept_), 6)
    (array([1. , 0.5]), 2.0)
    >>> reg.solver_
    'cholesky'
    >>> reg.rank_, reg.singular_.shape
    (2, (2,))

    The same fit by gradient descent (note 001 eq. 6.10) and by one Newton step
    (eq. 6.11):

    >>> gd = LinearRegression(solver="gd").fit(X, y)
    >>> np.round(gd.coef_, 3), round(float(gd.intercept_), 3), len(gd.loss_curve_) == gd.n_iter_
    (array([1. , 0.5]), 2.0, True)
    >>> LinearRegression(solver="newton").fit(X, y).n_iter_
    1

    Standard errors, tests and intervals (statsmodels' table), here
    heteroscedasticity-robust:

    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2))
    >>> y = X @ np.array([1.0, -0.5]) + rng.normal(size=100) * (1 + np.abs(X[:, 0]))
    >>> reg = LinearRegression(cov_type="HC3").fit(X, y)
    >>> list(reg.summary().columns)
    ['Coef.', 'Std.Err.', 'z', 'P>|z|', '[0.025', '0.975]']
    >>> list(reg.summary().index), reg.covariance_.shape, reg.conf_int().shape
    (['intercept', 'x0', 'x1'], (3, 3), (3, 2))
    """
    )

    _parameter_constraints = {
        **_BaseLinearModel._parameter_constraints,
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        fit_intercept=True,
        copy_X=True,
        tol=1e-6,
        positive=False,
        solver="auto",
        optimizer="sgd",
        learning_rate_init="auto",
        learning_rate="constant",
        max_iter=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        warm_start=False,
        batch_size="auto",
        shuffle=True,
        n_jobs=None,
        cov_type="nonrobust",
    ):
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive
        self.solver = solver
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.warm_start = warm_start
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.cov_type = cov_type


    @property
    def singular_(self):
        factors = self.__dict__.get("_std_factors")
        if not factors:
            raise AttributeError(
                "singular_ is available after a direct solve (solver 'auto', 'cholesky', "
                "'svd', 'newton' or partial_fit), without positive=True."
            )
        # (XᵀWX)⁺ = F Fᵀ  =>  the singular values of F are 1/σ of the centred design
        sv = linalg.svdvals(factors[0][1])
        sv = np.sort(1.0 / sv[sv > 0])[::-1]
        n_rows = self.__dict__.get("_n_rows") or sv.size
        size = max(min(n_rows, self.n_features_in_), sv.size)
        return np.concatenate([sv, np.zeros(size - sv.size)]).astype(self.coef_.dtype)

    @property
    def rank_(self):
        factors = self.__dict__.get("_std_factors")
        if not factors:
            raise AttributeError(
                "rank_ is available after a direct solve (solver 'auto', 'cholesky', "
                "'svd', 'newton' or partial_fit), without positive=True."
            )
        return int(factors[0][1].shape[1])


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
        + _SHARED_PARAMS_DOC.format(tol="1e-4")
        + _COV_TYPE_DOC
        + """
    Attributes
    ----------"""
        + _SHARED_ATTRS_DOC
        + """
    See Also
    --------
    LinearRegression : The unpenalised model.
    sklearn.linear_model.Ridge : The reference implementation.
    skdl.optim : The update rules and schedules of the iterative solvers.

    Notes
    -----
    Implements ``θ_ridge = (XᵀX + δ²I)⁻¹ Xᵀy`` (note 001 eq. 5.2) on centred data,
    by Cholesky.  The Bayesian reading (note 001 §5.3): a Gaussian prior
    ``θ ~ N(0, τ²I)`` with ``δ² = σ²/τ²``; ``predict(X, return_std=True)`` uses the
    matching covariance ``σ² (XᵀX + δ²I)⁻¹``.  The iterative solvers ("gd", "sgd",
    "newton") minimise the same objective scaled by ``1/(2 Σw)``, whose gradient
    gains the weight-decay term ``δ²θ/Σw``, with the rules of :mod:`skdl.optim`.
    """ + _INFERENCE_NOTES + """
    For Ridge (``α > 0``) ``covariance_`` is the sampling covariance of the
    penalised, biased estimator around its expectation (not around the true
    parameters): the nonrobust one is ``σ̂² A⁻¹ G A⁻¹``, not the posterior
    covariance ``σ̂² A⁻¹`` of the Bayesian reading that ``return_std`` uses, and
    ``df_resid_`` subtracts the effective degrees of freedom ``tr(A⁻¹ G)``.  The
    intervals of :meth:`conf_int` therefore cover the shrunken target, not the
    unpenalised coefficients.

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
    >>> reg.std_errors_.shape, list(reg.summary().columns)[:3]
    ((4,), ['Coef.', 'Std.Err.', 't'])
    """
    )

    _parameter_constraints = {
        **_BaseLinearModel._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="left"), np.ndarray, list],
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        copy_X=True,
        tol=1e-4,
        positive=False,
        solver="auto",
        optimizer="sgd",
        learning_rate_init="auto",
        learning_rate="constant",
        max_iter=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        random_state=None,
        warm_start=False,
        batch_size="auto",
        shuffle=True,
        cov_type="nonrobust",
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.warm_start = warm_start
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.cov_type = cov_type

    def _single_target_shapes(self, y):
        # sklearn's Ridge: a 2-D y of one column gives a 1-D coef_ (and a (1,) intercept_)
        if np.asarray(y).ndim == 2 and self.coef_.ndim == 2 and self.coef_.shape[0] == 1:
            self.coef_ = self.coef_[0]
            if hasattr(self, "covariance_"):  # the shapes of the parameters follow
                self.covariance_ = self.covariance_[0]
                self.std_errors_ = self.std_errors_[0]
                self.df_resid_ = float(self.df_resid_[0])
        return self

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
