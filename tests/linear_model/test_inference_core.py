"""The shared inference core: groups, the significance level, the sandwich."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError

from skdl.linear_model._inference import (
    COV_TYPES,
    InferenceMixin,
    _check_alpha,
    check_groups,
    sandwich,
)


def test_cov_types_are_statsmodels_names():
    assert COV_TYPES == ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")


def test_sandwich_is_symmetric_and_equals_the_product():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 4))
    bread = a @ a.T + np.eye(4)
    m = rng.normal(size=(4, 6))
    meat = m @ m.T
    cov = sandwich(bread, meat)
    np.testing.assert_array_equal(cov, cov.T)
    np.testing.assert_allclose(cov, bread @ meat @ bread, rtol=1e-12)


@pytest.mark.parametrize("cov_type", [c for c in COV_TYPES if c != "cluster"])
def test_groups_only_with_cluster(cov_type):
    assert check_groups(None, 5, cov_type) == (None, None)
    with pytest.raises(ValueError, match="groups is used only by cov_type='cluster'"):
        check_groups(np.arange(5), 5, cov_type)


def test_cluster_groups_are_coded_in_order_of_their_labels():
    codes, n_groups = check_groups(np.array(["b", "a", "b", "c"]), 4, "cluster")
    np.testing.assert_array_equal(codes, [1, 0, 1, 2])
    assert n_groups == 3 and codes.dtype == np.int64


@pytest.mark.parametrize(
    "groups, match",
    [
        (None, "needs the cluster of every sample"),
        (np.arange(3), r"shape \(4,\)"),
        (np.zeros((4, 1)), r"shape \(4,\)"),
        (np.array([0.0, 1.0, np.nan, 1.0]), "NaN"),
        (np.zeros(4), "at least 2 clusters"),
    ],
)
def test_bad_groups_raise(groups, match):
    with pytest.raises(ValueError, match=match):
        check_groups(groups, 4, "cluster")


@pytest.mark.parametrize("alpha", [0, 1, -0.1, 1.5, True, "0.05", None, np.nan])
def test_bad_alpha_raises(alpha):
    with pytest.raises(ValueError, match=r"alpha must be a float in \(0, 1\)"):
        _check_alpha(alpha)


class _Fitted(InferenceMixin, BaseEstimator):
    """A minimal estimator with published inference attributes."""

    fit_intercept = True
    n_features_in_ = 2

    def __init__(self, df=None):
        self.df = df
        self.coef_ = np.array([1.0, -2.0])
        self.intercept_ = 0.5
        self.covariance_ = np.diag([0.25, 1.0, 4.0])
        self.std_errors_ = np.sqrt(np.diag(self.covariance_))

    def _inference_params(self):
        return np.r_[self.intercept_, self.coef_]

    def _inference_df(self):
        return self.df

    def _summary_index(self, feature_names):
        return self._inference_names(feature_names)

    def fit(self, X=None, y=None):
        return self

    def __sklearn_is_fitted__(self):
        return True


@pytest.mark.parametrize("df", [None, 7.0])
def test_summary_and_conf_int_follow_the_reference_distribution(df):
    from scipy import stats

    est = _Fitted(df)
    dist = stats.norm() if df is None else stats.t(df)
    name = "z" if df is None else "t"
    table = est.summary(alpha=0.1)
    assert list(table.columns) == ["Coef.", "Std.Err.", name, f"P>|{name}|", "[0.05", "0.95]"]
    assert list(table.index) == ["intercept", "x0", "x1"]
    np.testing.assert_allclose(table[name], [1.0, 1.0, -1.0])
    np.testing.assert_allclose(table[f"P>|{name}|"], 2 * dist.sf(1.0))
    q = dist.ppf(0.95)
    np.testing.assert_allclose(est.conf_int(0.1)[:, 0], [0.5 - 0.5 * q, 1 - q, -2 - 2 * q])
    np.testing.assert_allclose(table["0.95]"], est.conf_int(0.1)[:, 1])


def test_summary_feature_names_are_checked():
    est = _Fitted()
    assert list(est.summary(feature_names=["a", "b"]).index) == ["intercept", "a", "b"]
    with pytest.raises(ValueError, match="feature_names has 3 names"):
        est.summary(feature_names=["a", "b", "c"])


def test_missing_covariance_says_why():
    est = _Fitted()
    del est.covariance_
    est._no_covariance = "solver='sgd' gives no covariance"
    with pytest.raises(NotFittedError, match="solver='sgd' gives no covariance"):
        est.summary()
    with pytest.raises(NotFittedError, match="no covariance_"):
        est.conf_int()


def test_clusters_of_zero_weight_are_not_counted():
    groups = np.array([5, 5, 7, 9, 9, 7])
    w = np.array([1.0, 0.0, 2.0, 0.0, 0.0, 1.0])
    codes, n_groups = check_groups(groups, 6, "cluster", sample_weight=w)
    assert n_groups == 2  # cluster 9 has no observation
    np.testing.assert_array_equal(codes[w > 0], [0, 1, 1])
    assert codes.max() < n_groups
    with pytest.raises(ValueError, match="at least 2 clusters with a positively weighted"):
        check_groups(groups, 6, "cluster", sample_weight=np.array([1.0, 1, 0, 0, 0, 0]))


def test_zero_weight_cluster_equals_dropping_its_rows():
    from skdl import LinearRegression, LogisticIRLS, SoftmaxClassifier

    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2))
    y = (X[:, 0] + rng.logistic(size=120) > 0).astype(int)
    y3 = np.argmax(X @ [[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]] + rng.gumbel(size=(120, 3)),
                   axis=1)
    groups = np.arange(120) // 10
    w = np.where(groups == 11, 0.0, 1.0)
    keep = w > 0
    for est, target in [(LinearRegression(cov_type="cluster"), X @ [1.0, 2.0] + y),
                        (LogisticIRLS(cov_type="cluster"), y),
                        (SoftmaxClassifier(solver="newton", alpha=0.0, tol=1e-10,
                                           cov_type="cluster"), y3)]:
        full = clone(est).fit(X, target, sample_weight=w, groups=groups)
        dropped = clone(est).fit(X[keep], target[keep], groups=groups[keep])
        assert full.n_groups_ == dropped.n_groups_ == 11
        np.testing.assert_allclose(full.covariance_, dropped.covariance_, rtol=1e-7,
                                   atol=1e-12)


def test_zero_weight_cluster_through_partial_fit_covariance():
    from skdl import LinearRegression

    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -1.0, 0.5] + rng.normal(size=200) * (1 + X[:, 0] ** 2)
    groups = np.arange(200) // 10
    w = np.where(groups == 3, 0.0, rng.uniform(0.5, 2.0, size=200))
    full = LinearRegression(cov_type="cluster").fit(X, y, sample_weight=w, groups=groups)
    chunked = LinearRegression(cov_type="cluster")
    for part in np.array_split(np.arange(200), 7):
        chunked.partial_fit(X[part], y[part], sample_weight=w[part])
    for part in np.array_split(np.arange(200), 7):
        chunked.partial_fit_covariance(X[part], y[part], sample_weight=w[part],
                                       groups=groups[part])
    assert full.n_groups_ == chunked.n_groups_ == 19
    np.testing.assert_allclose(chunked.covariance_, full.covariance_, rtol=1e-8)
