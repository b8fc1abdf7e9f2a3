"""LinearRegression and Ridge: parity with sklearn, closed forms, solvers, errors."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes, make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl import LinearRegression, Ridge
from skdl.linear_model import IllConditionedWarning
from skdl.linear_model._lstsq import _gram_statistics

RTOL = 1e-8


def _datasets():
    rng = np.random.default_rng(42)
    X, y = load_diabetes(return_X_y=True)
    yield "diabetes", X, y
    X, y = make_regression(n_samples=300, n_features=20, noise=5.0, random_state=0)
    yield "make_regression", X + 50.0, y  # large offset: the centring must be exact
    X = rng.normal(size=(500, 8)) * np.logspace(-2, 2, 8) + 1e3
    Y = X @ rng.normal(size=(8, 3)) + rng.normal(size=(500, 3))
    yield "multioutput_offset", X, Y
    X = rng.normal(size=(10_000, 5))  # several blocks of the one-pass accumulation
    yield "multiblock", X, X @ np.arange(1.0, 6.0) + rng.normal(size=10_000)


DATASETS = list(_datasets())
IDS = [d[0] for d in DATASETS]


def _assert_same(ours, ref, X):
    Xd = X - X.mean(axis=0) if ref.fit_intercept else X
    if np.linalg.cond(Xd) > 1e4:
        # least-squares coefficients are determined only to ~cond(X)²·eps
        # by any solver (residual term): compare predictions, as for rank-deficient X
        assert_allclose(ours.predict(X), ref.predict(X), rtol=RTOL, atol=1e-9)
        return
    assert_allclose(ours.coef_, ref.coef_, rtol=RTOL, atol=1e-10 * np.abs(ref.coef_).max())
    assert_allclose(ours.intercept_, ref.intercept_, rtol=RTOL, atol=1e-9)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=RTOL, atol=1e-9)
    assert np.shape(ours.coef_) == np.shape(ref.coef_)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd"])
@pytest.mark.parametrize("name,X,y", DATASETS, ids=IDS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_regression_matches_sklearn(name, X, y, solver, weighted, fit_intercept):
    sw = np.random.default_rng(1).uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    ours = LinearRegression(solver=solver, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    _assert_same(ours, ref, X)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd"])
@pytest.mark.parametrize("name,X,y", DATASETS, ids=IDS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.1, 10.0])
def test_ridge_matches_sklearn(name, X, y, solver, weighted, alpha):
    sw = np.random.default_rng(1).uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    ours = Ridge(alpha=alpha, solver=solver).fit(X, y, sample_weight=sw)
    ref = sk.Ridge(alpha=alpha, solver="cholesky").fit(X, y, sample_weight=sw)
    _assert_same(ours, ref, X)


def test_ridge_alpha_per_target():
    _, X, Y = DATASETS[2]
    alpha = np.array([0.0, 1.0, 100.0])
    ours = Ridge(alpha=alpha).fit(X, Y)
    ref = sk.Ridge(alpha=alpha, solver="cholesky").fit(X, Y)
    _assert_same(ours, ref, X)
    ours_l = Ridge(alpha=alpha, solver="svd").fit(X, Y)
    _assert_same(ours_l, ref, X)
    with pytest.raises(ValueError, match="alpha must be a scalar or an array of shape"):
        Ridge(alpha=[1.0, 2.0]).fit(X, Y)
    with pytest.raises(ValueError, match="non-negative"):
        Ridge(alpha=[1.0, -2.0, 1.0]).fit(X, Y)


def test_rank_deficient_predictions_match_sklearn():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(200, 4))
    X = np.hstack([A, A[:, :2] @ rng.normal(size=(2, 3))])  # 7 columns, rank 4
    y = A @ rng.normal(size=4) + 0.1 * rng.normal(size=200)
    ref = sk.LinearRegression().fit(X, y)
    with pytest.warns(IllConditionedWarning, match="falling back to solver='svd'"):
        ours = LinearRegression().fit(X, y)
    assert ours.solver_ == "svd"
    assert_allclose(ours.predict(X), ref.predict(X), rtol=RTOL)
    # gelsd and our SVD both give the minimum-norm solution
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    # an explicit 'cholesky' falls back too when the factorisation fails (as sklearn's)
    with pytest.warns(IllConditionedWarning, match="falling back to solver='svd'"):
        chol = LinearRegression(solver="cholesky").fit(X, y)
    assert chol.solver_ == "svd"
    assert_allclose(chol.coef_, ours.coef_)


def test_table_3_1_closed_form():
    # note 001 table 3.1 style: exact linear data is recovered exactly
    X = np.array([[2.0, 1.0], [1.0, 3.0], [4.0, 2.0], [3.0, 5.0]])
    theta = np.array([0.0, 0.5])
    y = 1.0 + X @ theta
    reg = LinearRegression().fit(X, y)
    assert_allclose(reg.coef_, theta, atol=1e-12)
    assert_allclose(reg.intercept_, 1.0, atol=1e-12)
    assert reg.sigma2_ == pytest.approx(0.0, abs=1e-20)


def test_sigma2_is_mle_noise_variance():
    _, X, y = DATASETS[0]
    reg = LinearRegression().fit(X, y)
    resid = y - reg.predict(X)
    assert reg.sigma2_ == pytest.approx(np.mean(resid**2), rel=1e-10)
    sw = np.random.default_rng(0).uniform(0.5, 2, size=len(y))
    reg_w = LinearRegression().fit(X, y, sample_weight=sw)
    resid = y - reg_w.predict(X)
    assert reg_w.sigma2_ == pytest.approx(np.sum(sw * resid**2) / sw.sum(), rel=1e-10)
    _, X3, Y3 = DATASETS[2]
    reg3 = LinearRegression().fit(X3, Y3)
    assert reg3.sigma2_.shape == (3,)
    assert_allclose(reg3.sigma2_, np.mean((Y3 - reg3.predict(X3)) ** 2, axis=0), rtol=1e-9)


@pytest.mark.parametrize("solver", ["cholesky", "svd"])
def test_predict_std_formula(solver):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3)) + 2.0
    y = X @ np.array([1.0, -1.0, 2.0]) + rng.normal(size=80)
    for est in (LinearRegression(solver=solver), Ridge(alpha=3.0, solver=solver)):
        est.fit(X, y)
        Xt = rng.normal(size=(5, 3))
        mean, std = est.predict(Xt, return_std=True)
        assert_allclose(mean, est.predict(Xt))
        Xc = X - X.mean(axis=0)
        alpha = getattr(est, "alpha", 0.0)
        cov = np.linalg.inv(Xc.T @ Xc + alpha * np.eye(3))
        d = Xt - X.mean(axis=0)
        expected = np.sqrt(est.sigma2_ * (1 + 1 / 80 + np.einsum("ij,jk,ik->i", d, cov, d)))
        assert_allclose(std, expected, rtol=1e-9)
    _, X3, Y3 = DATASETS[2]
    mean, std = Ridge(alpha=[0.0, 1.0, 2.0]).fit(X3, Y3).predict(X3[:4], return_std=True)
    assert mean.shape == std.shape == (4, 3)
    assert np.all(std > 0)


def test_float32_kept_and_accurate():
    _, X, y = DATASETS[0]
    reg = LinearRegression().fit(X.astype(np.float32), y.astype(np.float32))
    assert reg.coef_.dtype == np.float32
    ref = sk.LinearRegression().fit(X, y)
    assert_allclose(reg.coef_, ref.coef_, rtol=1e-3)


def test_gram_statistics_block_invariance():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 6)) * 10 + 1e4
    Y = rng.normal(size=(1000, 2))
    w = rng.uniform(0, 2, size=1000)
    a = _gram_statistics(X, Y, w, True, block_rows=7)
    b = _gram_statistics(X, Y, w, True, block_rows=100_000)
    Xc = X - np.average(X, axis=0, weights=w)
    for key in ("sw", "x_mean", "y_mean", "xx", "xy", "yy"):
        assert_allclose(a[key], b[key], rtol=1e-10, atol=1e-9)
    assert_allclose(a["xx"], (Xc * w[:, None]).T @ Xc, rtol=1e-10)


def test_copy_x_false_lstsq_overwrites_but_normal_never_does():
    _, X, y = DATASETS[0]
    X1 = X.copy()
    LinearRegression(solver="cholesky", copy_X=False).fit(X1, y)
    assert_allclose(X1, X, rtol=0)
    X2 = X.copy()
    LinearRegression(solver="svd", copy_X=True).fit(X2, y)
    assert_allclose(X2, X, rtol=0)


def test_parameter_validation_messages():
    X, y = DATASETS[0][1:]
    with pytest.raises(ValueError, match=r"'solver' parameter of LinearRegression must be"):
        LinearRegression(solver="qr").fit(X, y)
    with pytest.raises(ValueError, match=r"'alpha' parameter of Ridge must be"):
        Ridge(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match=r"'fit_intercept' parameter"):
        Ridge(fit_intercept="yes").fit(X, y)
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        LinearRegression().fit(X, y, sample_weight=-np.ones(len(y)))


def test_pipeline_gridsearch_pickle_pandas():
    data = load_diabetes(as_frame=True)
    X, y = data.data, data.target
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Ridge()), {"ridge__alpha": [0.01, 1.0, 100.0]}, cv=3
    ).fit(X, y)
    assert search.best_params_["ridge__alpha"] in (0.01, 1.0, 100.0)
    best = pickle.loads(pickle.dumps(search.best_estimator_))
    assert_allclose(best.predict(X), search.predict(X))
    reg = LinearRegression().fit(X, y)
    assert list(reg.feature_names_in_) == list(X.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg.predict(X)
    assert isinstance(reg.predict(pd.DataFrame(X)), np.ndarray)


def test_small_alpha_ridge_stays_on_cholesky_and_matches_svd():
    """alpha > 0: rcond between d·eps and 1e-10 keeps the (backward-stable) Cholesky path.

    Collinear columns make XᵀX singular; a tiny alpha makes rcond ≈ alpha / ‖XᵀX‖
    about 1e-12, below the alpha = 0 threshold 1e-10 but above d·eps.
    """
    rng = np.random.default_rng(5)
    A = rng.normal(size=(300, 4))
    X = np.hstack([A, A[:, :2] @ rng.normal(size=(2, 3))])  # 7 columns, rank 4
    y = A @ rng.normal(size=4) + 0.1 * rng.normal(size=300)
    alpha = 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("error", IllConditionedWarning)
        ours = Ridge(alpha=alpha).fit(X, y)
    assert ours.solver_ == "cholesky"
    svd = Ridge(alpha=alpha, solver="svd").fit(X, y)
    ref = sk.Ridge(alpha=alpha, solver="svd").fit(X, y)
    assert_allclose(ours.predict(X), svd.predict(X), rtol=1e-9)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9)
    # alpha = 0 on the same data still falls back to the minimum-norm SVD solution
    with pytest.warns(IllConditionedWarning):
        assert LinearRegression().fit(X, y).solver_ == "svd"
    # far below d·eps the normal equations are refused again
    with pytest.warns(IllConditionedWarning):
        assert Ridge(alpha=1e-16).fit(X * 1e3, y).solver_ == "svd"


def test_finiteness_read_off_the_statistics():
    # the normal route skips sklearn's separate finiteness pass over X: NaN/inf are
    # found in the statistics (sklearn's message), overflow gets its own message
    X, y = DATASETS[0][1:]
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        LinearRegression().fit(bad, y)
    bad[5, 2] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        Ridge(solver="cholesky").fit(bad, y)
    # a Gram matrix that would overflow (or underflow) is formed from columns rescaled
    # by powers of two instead: the scale-equivariant answer, no error
    ref = LinearRegression().fit(X, y)
    for s in (1e160, 1e-200):
        fit = LinearRegression().fit(X * s, y)
        assert_allclose(fit.coef_ * s, ref.coef_, rtol=1e-9)
        assert_allclose(fit.intercept_, ref.intercept_, rtol=1e-9)
