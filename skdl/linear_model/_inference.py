"""Statistical inference of the linear models: covariances, intervals, the summary table.

The estimators compute ``covariance_`` in ``fit`` (the data are needed for the robust
"meat"); everything after that is here and depends only on fitted attributes:

* :func:`sandwich` - ``B M B`` for a bread ``B`` (an inverse Hessian / inverse Gram
  matrix) and a meat ``M`` (outer products of the per-row or per-cluster scores);
* :func:`check_groups` - the cluster ids of ``cov_type='cluster'``;
* :class:`InferenceMixin` - ``conf_int`` and ``summary`` (statsmodels'
  ``summary2().tables[1]``) from ``coef_``, ``intercept_``, ``std_errors_`` and the
  reference distribution the estimator declares (Student's t with ``df`` degrees of
  freedom, or the normal).

The formulas (note 001 §4.7 for the noise variance, ch. 7 for the Newton/IRLS
covariance, note 002 for the Fisher information) are in the user guide's
"Inference" page.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

#: the covariance types of every estimator with ``cov_type`` (statsmodels' names)
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")


def sandwich(bread, meat):
    """``bread @ meat @ bread`` for a symmetric ``bread``, symmetrised exactly."""
    cov = bread @ meat @ bread
    return (cov + cov.T) / 2.0


def check_groups(groups, n_samples, cov_type, sample_weight=None):
    """Validate ``fit``'s ``groups`` against ``cov_type``.

    With frequency weights a cluster whose samples all weigh 0 has no observation:
    it is not counted (as on the data with each row repeated ``wᵢ`` times), and its
    rows get code 0 (they add nothing to any cluster's score).

    Returns
    -------
    codes : ndarray of int64 of shape (n_samples,) or None
        The cluster of each row as 0..n_groups-1 (None unless ``cov_type='cluster'``).
    n_groups : int or None
        The number of clusters (with a positively weighted sample).
    """
    if cov_type != "cluster":
        if groups is not None:
            raise ValueError(
                f"groups is used only by cov_type='cluster' (the cluster-robust "
                f"covariance); got groups with cov_type={cov_type!r}. Set "
                "cov_type='cluster', or do not pass groups."
            )
        return None, None
    if groups is None:
        raise ValueError(
            "cov_type='cluster' needs the cluster of every sample: pass groups= to fit "
            "(an array of shape (n_samples,); inside a Pipeline or GridSearchCV route it "
            "with set_fit_request(groups=True) under sklearn's metadata routing)."
        )
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n_samples:
        raise ValueError(
            f"groups must have shape ({n_samples},), one cluster id per sample; got "
            f"shape {groups.shape}."
        )
    if groups.dtype.kind == "f" and not np.all(np.isfinite(groups)):
        raise ValueError("groups contains NaN or infinity; every sample needs a cluster id.")
    labels, codes = cluster_codes(groups, sample_weight)
    n_groups = int(labels.size)
    if n_groups < 2:
        raise ValueError(
            f"cov_type='cluster' needs at least 2 clusters with a positively weighted "
            f"sample; groups has {n_groups}."
        )
    return codes, n_groups


def cluster_codes(groups, sample_weight=None):
    """The clusters with a positively weighted sample (sorted labels) and each row's
    code among them (0 for a row of weight 0 in no such cluster: it adds nothing)."""
    groups = np.asarray(groups)
    live = slice(None) if sample_weight is None else np.asarray(sample_weight) > 0
    labels = np.unique(groups[live])
    codes = np.searchsorted(labels, groups)
    if sample_weight is not None:
        np.minimum(codes, max(labels.size - 1, 0), out=codes)  # (past the last label)
        codes[~live] = 0
    return labels, codes.astype(np.int64, copy=False)


def _check_alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) \
            or not 0.0 < float(alpha) < 1.0:
        raise ValueError(
            f"alpha must be a float in (0, 1), the significance level (0.05 gives 95% "
            f"intervals); got {alpha!r}."
        )
    return float(alpha)


class InferenceMixin:
    """``conf_int`` and ``summary`` for an estimator with ``covariance_``.

    The estimator provides

    * ``_inference_params()``: the estimates as an array whose last axis runs over
      the parameters in the order of ``covariance_`` (the intercept first when fitted),
      and the same shape as ``std_errors_``;
    * ``_inference_df()``: the degrees of freedom of Student's t for the tests and
      intervals, or None for the normal (statsmodels' ``use_t``);
    * ``_summary_index(feature_names)``: the row labels of :meth:`summary`.

    ``_no_covariance`` (an attribute, optional) says why a fitted estimator has no
    ``covariance_`` (e.g. an iterative solver).
    """

    def _inference_names(self, feature_names=None):
        """Parameter names: 'intercept' first when fitted, then the features'."""
        if feature_names is None:
            feature_names = getattr(self, "feature_names_in_", None)
        if feature_names is None:
            feature_names = [f"x{j}" for j in range(self.n_features_in_)]
        feature_names = [str(name) for name in feature_names]
        if len(feature_names) != self.n_features_in_:
            raise ValueError(
                f"feature_names has {len(feature_names)} names, but the model has "
                f"{self.n_features_in_} features."
            )
        return (["intercept"] if self.fit_intercept else []) + feature_names

    def _check_inference(self):
        check_is_fitted(self)
        if not hasattr(self, "covariance_"):
            reason = getattr(self, "_no_covariance", "it was not computed by this fit")
            raise NotFittedError(
                f"This {type(self).__name__} has no covariance_, so no standard errors: "
                f"{reason}."
            )

    def _reference(self):
        """(name of the statistic, frozen scipy distribution)."""
        from scipy import stats  # (loaded on use: not at import skdl)

        df = self._inference_df()
        if df is None:
            return "z", stats.norm()
        return "t", stats.t(df)

    def conf_int(self, alpha=0.05):
        """Confidence intervals of the parameters.

        ``estimate ± q · std_error`` with ``q`` the ``1 - alpha/2`` quantile of
        Student's t (``df_resid_`` degrees of freedom: least squares with
        ``cov_type='nonrobust'``) or of the standard normal (every other case), as
        statsmodels' ``conf_int``.

        Parameters
        ----------
        alpha : float, default=0.05
            Significance level: ``0.05`` gives 95% intervals.

        Returns
        -------
        intervals : ndarray of shape ``std_errors_.shape + (2,)``
            Lower and upper bounds, the parameters in the order of ``covariance_``
            (the intercept first when fitted).
        """
        alpha = _check_alpha(alpha)
        self._check_inference()
        params = np.asarray(self._inference_params(), dtype=np.float64)
        q = self._reference()[1].ppf(1.0 - alpha / 2.0)
        half = q * self.std_errors_
        return np.stack([params - half, params + half], axis=-1)

    def summary(self, alpha=0.05, feature_names=None):
        """The table of estimates, standard errors, tests and intervals.

        The columns of statsmodels' ``summary2().tables[1]``: ``Coef.``,
        ``Std.Err.``, ``t`` or ``z``, ``P>|t|`` or ``P>|z|`` (two-sided) and the
        interval bounds (``[0.025`` and ``0.975]`` for ``alpha=0.05``).

        Parameters
        ----------
        alpha : float, default=0.05
            Significance level of the intervals.
        feature_names : array-like of str, default=None
            Row labels of the features; default ``feature_names_in_`` (fitted on a
            DataFrame) else ``x0, x1, ...``.  Inside a fitted Pipeline,
            ``pipe[:-1].get_feature_names_out()`` names the final step's inputs.

        Returns
        -------
        table : pandas.DataFrame
            One row per parameter, ``intercept`` first when fitted.
        """
        import pandas as pd  # (loaded on use: not at import skdl)

        alpha = _check_alpha(alpha)
        self._check_inference()
        params = np.asarray(self._inference_params(), dtype=np.float64)
        se = np.asarray(self.std_errors_, dtype=np.float64)
        stat_name, dist = self._reference()
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = params / se
        pvalue = 2.0 * dist.sf(np.abs(stat))
        ci = self.conf_int(alpha)
        lo, hi = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        return pd.DataFrame(
            {
                "Coef.": params.ravel(),
                "Std.Err.": se.ravel(),
                stat_name: stat.ravel(),
                f"P>|{stat_name}|": pvalue.ravel(),
                lo: ci[..., 0].ravel(),
                hi: ci[..., 1].ravel(),
            },
            index=self._summary_index(feature_names),
        )
