"""LogisticIRLS's large-problem path: subsampled Hessians with L-BFGS-corrected reuse,
and Gram matrices in parallel row ranges.  The thresholds are lowered so that small
data take the path (in the library it starts at n p² >= 5e7 and n / 8 >= 64 p)."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from skdl import LogisticIRLS
from skdl.linear_model import _logistic


def _data(n=4000, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * [1.0, 3.0, 0.1, 1.0, 10.0][:d]
    eta = X @ (rng.normal(size=d) / [1.0, 3.0, 0.1, 1.0, 10.0][:d]) + 0.4
    y = (rng.uniform(size=n) < expit(eta)).astype(int)
    return X, y


@pytest.fixture
def subsampled(monkeypatch):
    """Turn the subsampled path on for small data; returns the list of full Hessians
    formed (one entry per call of _hessian) and of subsampled ones."""
    monkeypatch.setattr(_logistic, "_MIXED_MIN", 0)
    monkeypatch.setattr(_logistic, "_SUB_ROWS_PER_PARAM", 16)
    formed = {"full": [], "sub": []}
    hessian, sub = _logistic._hessian, _logistic._subsampled_hessian

    def counting_hessian(*args):
        formed["full"].append(1)
        return hessian(*args)

    def counting_sub(*args):
        formed["sub"].append(1)
        return sub(*args)

    monkeypatch.setattr(_logistic, "_hessian", counting_hessian)
    monkeypatch.setattr(_logistic, "_subsampled_hessian", counting_sub)
    return formed


def _full_newton(monkeypatch, est, X, y, **fit):
    with monkeypatch.context() as m:
        m.setattr(_logistic, "_SUB_ROWS_PER_PARAM", 10**9)  # no subsampling
        return est.fit(X, y, **fit)


@pytest.mark.parametrize(
    "params",
    [{}, {"alpha": 5.0}, {"fit_intercept": False}, {"class_weight": "balanced"},
     {"cov_type": "HC3"}],
)
def test_subsampled_hessians_reach_the_full_newton_fit(params, subsampled, monkeypatch):
    X, y = _data()
    sw = np.random.default_rng(1).integers(0, 4, size=len(y)).astype(float)
    est = LogisticIRLS(tol=1e-10, **params).fit(X, y, sample_weight=sw)
    # the only full Hessian is the final float64 one, for the covariance
    assert len(subsampled["full"]) == 1 and len(subsampled["sub"]) >= 1
    ref = _full_newton(monkeypatch, LogisticIRLS(tol=1e-10, **params), X, y,
                       sample_weight=sw)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-8, atol=1e-9)
    assert_allclose(est.intercept_, ref.intercept_, atol=1e-9)
    assert_allclose(est.covariance_, ref.covariance_, rtol=1e-7)


def test_subsampled_path_matches_statsmodels(subsampled):
    X, y = _data()
    est = LogisticIRLS().fit(X, y)
    res = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    assert_allclose(np.r_[est.intercept_, est.coef_[0]], res.params, rtol=1e-7, atol=1e-8)
    assert_allclose(est.std_errors_, res.bse, rtol=1e-8)
    assert est.n_iter_ == len(est.loss_curve_)
    assert np.all(np.diff(est.loss_curve_) <= 1e-12 * np.abs(est.loss_curve_[:-1]))


def test_a_column_missing_from_the_subsample_falls_back_to_full_hessians(subsampled):
    # the last column is nonzero only off every 8th row: the subsampled Hessian is
    # singular there, so the iterations take full Hessians (and the exact diagonal
    # gives the convergence units, no "magnitude" error)
    X, y = _data()
    X[::8, -1] = 0.0
    est = LogisticIRLS().fit(X, y)
    assert len(subsampled["full"]) >= 2
    res = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    assert_allclose(np.r_[est.intercept_, est.coef_[0]], res.params, rtol=1e-7, atol=1e-8)
    assert_allclose(est.std_errors_, res.bse, rtol=1e-7)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_a_rare_feature_still_converges(alpha, subsampled, monkeypatch):
    # a binary feature in 20 rows: a poor subsampled Hessian, rescued by the quasi-
    # Newton corrections, refreshes or full Hessians; the same fit
    X, y = _data()
    X[:, -1] = 0.0
    X[np.arange(20) * 37, -1] = 1.0
    est = LogisticIRLS(alpha=alpha, tol=1e-10).fit(X, y)
    ref = _full_newton(monkeypatch, LogisticIRLS(alpha=alpha, tol=1e-10), X, y)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-7, atol=1e-8)
    assert_allclose(est.covariance_, ref.covariance_, rtol=1e-6)


def test_zero_weights_on_every_subsampled_row_equal_dropping_them(subsampled, monkeypatch):
    X, y = _data()
    w = np.ones(len(y))
    w[::8] = 0.0  # the subsample carries no weight: full Hessians
    est = LogisticIRLS().fit(X, y, sample_weight=w)
    keep = w > 0
    ref = _full_newton(monkeypatch, LogisticIRLS(), X[keep], y[keep])
    assert_allclose(est.coef_, ref.coef_, rtol=1e-8)
    assert_allclose(est.covariance_, ref.covariance_, rtol=1e-8)


def test_warm_start_at_the_optimum_takes_no_step(subsampled):
    X, y = _data()
    est = LogisticIRLS(warm_start=True).fit(X, y)
    coef = est.coef_.copy()
    est.fit(X, y)
    assert est.n_iter_ == 0
    assert_allclose(est.coef_, coef)


def test_separation_is_detected_on_the_subsampled_path(subsampled):
    X, _ = _data()
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est = LogisticIRLS().fit(X, y)
    assert est.separated_
    assert any(issubclass(r.category, ConvergenceWarning) for r in rec)


@pytest.mark.parametrize("rows", [None, 64])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gram_in_parallel_row_tasks_equals_one_range(rows, dtype, monkeypatch):
    from skdl.utils import _threads

    X, _ = _data(n=1000)
    c = np.random.default_rng(2).uniform(size=len(X))
    r = np.random.default_rng(3).normal(size=len(X))
    theta = np.random.default_rng(4).normal(size=X.shape[1] + 1)
    buf = np.empty((rows or len(X), X.shape[1] + 1), dtype=dtype)
    one = _logistic._scaled_gram(X, c, True, buf)
    y = (r > 0).astype(float)
    eta = _logistic._linear_predictor(X, theta, True)
    one_pass = _logistic._pass(X, y, c, eta, True, delta=theta / 10, diag=True)
    # 10 tasks of 100 rows, 3 workers asked for (the pool's helpers, sized at first use,
    # and the calling thread)
    monkeypatch.setattr(_threads, "n_cpus", lambda: 3)
    monkeypatch.setattr(_threads, "TASK_BYTES", 100 * X.itemsize * (X.shape[1] + 1))
    monkeypatch.setattr(_logistic, "SMALL_WORK", 0)
    monkeypatch.setattr(_logistic, "_THREAD_MIN_ROWS", 100)
    # and the fused pass in blocks of 30 rows within each task
    monkeypatch.setattr(_logistic, "_FUSED_BLOCK_BYTES", 30 * X.itemsize * X.shape[1])
    assert len(_logistic._row_tasks(X)) == 11
    assert len(_logistic._gemv_tasks(X)) > 2
    three = _logistic._scaled_gram(X, c, True, buf)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert_allclose(three, one, rtol=rtol)
    three_pass = _logistic._pass(X, y, c, eta, True, delta=theta / 10, diag=True)
    for a, b in zip(three_pass, one_pass, strict=True):
        assert_allclose(a, b, rtol=1e-12)
    assert_allclose(_logistic._linear_predictor(X, theta, True), eta, rtol=1e-12)
    assert_allclose(_logistic._linear_predictor(X, theta[1:], False), eta - theta[0],
                    rtol=1e-12, atol=1e-12)
    # the fused pass's Hessian diagonal, at its predictor η - Xₐδ
    pi1 = three_pass[2]
    exact = _logistic._scaled_gram(X, c * pi1 * (1 - pi1), True, np.empty((len(X), X.shape[1] + 1)))
    assert_allclose(three_pass[5], np.diag(exact), rtol=1e-12)
