"""Lasso, ElasticNet and lasso_path/enet_path (skdl/linear_model/_coordinate.py):
parity with scikit-learn's coordinate descent, the Gram route on dask arrays and
through partial_fit, bad input, all-or-nothing fits."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skdl import ElasticNet, Lasso
from skdl.linear_model import enet_path, lasso_path

# scikit-learn's gap rule at tol=1e-10 leaves its coefficients ~4e-6 from the optimum on
# diabetes (measured; skdl's exact support solve ends at gaps ~1e-12): the reference
# runs at tol=1e-12 (then within 5e-8 of ours)
SK_TOL, OUR_TOL = 1e-12, 1e-10
SK_KW = {"tol": SK_TOL, "max_iter": 1_000_000}


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def _pair(cls, **params):
    sk_cls = getattr(sk, cls.__name__)
    return cls(tol=OUR_TOL, **params), sk_cls(**SK_KW, **params)


@pytest.mark.parametrize("cls, extra", [(Lasso, {}), (ElasticNet, {"l1_ratio": 0.3}),
                                        (ElasticNet, {"l1_ratio": 0.9})])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("precompute", ["auto", False])
def test_diabetes_alpha_path_equals_sklearn(diabetes, cls, extra, fit_intercept, precompute):
    X, y = diabetes
    for alpha in np.geomspace(1.0, 1e-4, 6):
        ours, ref = _pair(cls, alpha=alpha, fit_intercept=fit_intercept, **extra)
        ours.set_params(precompute=precompute)
        ours.fit(X, y)
        ref.fit(X, y)
        assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-6)
        assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-6)
        assert ours.dual_gap_ <= OUR_TOL * np.sum((y - y.mean() * fit_intercept) ** 2) / len(y)
        assert isinstance(ours.n_iter_, int) and 1 <= ours.n_iter_ <= ours.max_iter


@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
def test_sample_weight_equals_sklearn_and_repetition(diabetes, cls):
    X, y = diabetes
    w = np.random.default_rng(0).integers(0, 4, size=len(y)).astype(float)
    for alpha in (0.5, 0.01):
        ours, ref = _pair(cls, alpha=alpha)
        ours.fit(X, y, sample_weight=w)
        ref.fit(X, y, sample_weight=w)
        assert_allclose(ours.coef_, ref.coef_, atol=1e-6, rtol=0)
        assert_allclose(ours.intercept_, ref.intercept_, atol=1e-6, rtol=0)
        # the weights enter as an average: repeating the rows gives the same fit
        rep = cls(alpha=alpha, tol=OUR_TOL).fit(np.repeat(X, w.astype(int), axis=0),
                                                np.repeat(y, w.astype(int)))
        assert_allclose(ours.coef_, rep.coef_, atol=1e-6, rtol=0)
        # and scaling them changes nothing
        scaled = cls(alpha=alpha, tol=OUR_TOL).fit(X, y, sample_weight=7.5 * w)
        assert_allclose(ours.coef_, scaled.coef_, atol=1e-8, rtol=0)


@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
@pytest.mark.parametrize("precompute", ["auto", False])
def test_positive_equals_sklearn(diabetes, cls, precompute):
    X, y = diabetes
    for alpha in (0.3, 0.003):
        ours, ref = _pair(cls, alpha=alpha, positive=True)
        ours.set_params(precompute=precompute).fit(X, y)
        ref.fit(X, y)
        assert np.all(ours.coef_ >= 0)
        assert_allclose(ours.coef_, ref.coef_, atol=1e-6, rtol=0)


@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
def test_multi_target_equals_sklearn(diabetes, cls):
    X, y = diabetes
    Y = np.column_stack([y, np.log(y), X[:, 2] * 50 - y / 100])
    ours, ref = _pair(cls, alpha=0.01)
    ours.fit(X, Y)
    ref.fit(X, Y)
    assert ours.coef_.shape == ref.coef_.shape == (3, X.shape[1])
    assert_allclose(ours.coef_, ref.coef_, atol=1e-6, rtol=0)
    assert_allclose(ours.intercept_, ref.intercept_, atol=1e-6, rtol=0)
    assert isinstance(ours.n_iter_, list) and len(ours.n_iter_) == 3
    assert ours.dual_gap_.shape == (3,)
    assert ours.sparse_coef_.shape == (3, X.shape[1])
    assert_allclose(ours.predict(X), ref.predict(X), atol=1e-5)


def test_warm_start_continues_and_matches(diabetes):
    X, y = diabetes
    est = Lasso(alpha=0.01, tol=OUR_TOL, warm_start=True).fit(X, y)
    first = est.coef_.copy()
    est.set_params(alpha=0.005).fit(X, y)
    ref = sk.Lasso(alpha=0.005, **SK_KW).fit(X, y)
    assert_allclose(est.coef_, ref.coef_, atol=1e-6, rtol=0)
    assert not np.allclose(first, est.coef_)
    # starting at the optimum: converged before any sweep
    est.fit(X, y)
    assert est.n_iter_ == 0 or est.n_iter_ <= 2
    with pytest.raises(ValueError, match="warm_start=True continues from coef_"):
        est.fit(X[:, :5], y)


def test_random_selection_reaches_the_same_optimum(diabetes):
    X, y = diabetes
    a = Lasso(alpha=0.01, tol=OUR_TOL, selection="random", random_state=0).fit(X, y)
    b = sk.Lasso(alpha=0.01, **SK_KW).fit(X, y)
    assert_allclose(a.coef_, b.coef_, atol=1e-6, rtol=0)


def _synthetic(n, d, seed=0):
    rng = np.random.default_rng(seed)
    # correlated columns (AR(1), rho 0.8) of different scales and means
    Z = rng.normal(size=(n, d))
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, d):
        X[:, j] = 0.8 * X[:, j - 1] + 0.6 * Z[:, j]
    X = X * rng.uniform(0.5, 3, size=d) + rng.uniform(-2, 2, size=d)
    beta = np.zeros(d)
    beta[rng.choice(d, size=d // 10, replace=False)] = rng.normal(scale=2, size=d // 10)
    y = X @ beta + 1.5 + rng.normal(size=n)
    return X, y


@pytest.mark.slow
@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
def test_synthetic_1e5_by_200_equals_sklearn(cls):
    X, y = _synthetic(100_000, 200)
    for alpha in (0.1, 0.01):
        ours = cls(alpha=alpha, tol=OUR_TOL).fit(X, y)
        ref = getattr(sk, cls.__name__)(alpha=alpha, tol=SK_TOL, max_iter=100_000).fit(X, y)
        assert_allclose(ours.coef_, ref.coef_, atol=1e-6, rtol=0)
        assert_allclose(ours.intercept_, ref.intercept_, atol=1e-6, rtol=0)


def test_small_synthetic_wide_design_equals_sklearn():
    # n < d: the design route (a hard problem: sklearn needs ~4400 sweeps at alpha=0.05)
    X, y = _synthetic(60, 150, seed=3)
    for alpha in (0.5, 0.05):
        ours = Lasso(alpha=alpha, tol=OUR_TOL, max_iter=10_000).fit(X, y)
        ref = sk.Lasso(alpha=alpha, **SK_KW).fit(X, y)
        assert_allclose(ours.coef_, ref.coef_, atol=1e-6, rtol=0)


def test_lasso_path_equals_sklearn(diabetes):
    X, y = diabetes
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    ours = lasso_path(Xc, yc, n_alphas=30, tol=OUR_TOL)
    ref = sk.lasso_path(Xc, yc, alphas=30, tol=SK_TOL, max_iter=1_000_000)
    assert_allclose(ours[0], ref[0], rtol=1e-12)
    assert ours[1].shape == ref[1].shape == (X.shape[1], 30)
    assert_allclose(ours[1], ref[1], atol=1e-6, rtol=0)
    assert ours[2].shape == (30,)
    # given alphas, in any order, are used in decreasing order; positive; design route
    grid = [0.01, 1.0, 0.1]
    a, coefs, _ = lasso_path(Xc, yc, alphas=grid, positive=True, precompute=False,
                             tol=OUR_TOL)
    _, ref_coefs, _ = sk.lasso_path(Xc, yc, alphas=grid, positive=True, tol=SK_TOL,
                                    max_iter=1_000_000)
    assert_allclose(a, [1.0, 0.1, 0.01])
    assert_allclose(coefs, ref_coefs, atol=1e-6, rtol=0)
    _, en, _, n_iters = enet_path(Xc, yc, l1_ratio=0.5, n_alphas=10, tol=OUR_TOL,
                                  return_n_iter=True)
    _, en_ref, _ = sk.enet_path(Xc, yc, l1_ratio=0.5, alphas=10, tol=SK_TOL,
                                max_iter=1_000_000)
    assert_allclose(en, en_ref, atol=1e-6, rtol=0)
    assert len(n_iters) == 10


def test_path_rejects_2d_y_and_bad_alphas(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="multi-task"):
        lasso_path(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="non-negative"):
        lasso_path(X, y, alphas=[-1.0, 0.1])
    with pytest.raises(ValueError, match="l1_ratio=0"):
        enet_path(X, y, l1_ratio=0.0)


def test_sparse_input_equals_dense(diabetes):
    from scipy import sparse

    X, y = diabetes
    X = np.where(np.abs(X) < 0.02, 0.0, X)
    dense = Lasso(alpha=0.01, tol=OUR_TOL).fit(X, y)
    sp = Lasso(alpha=0.01, tol=OUR_TOL).fit(sparse.csr_matrix(X), y)
    assert_allclose(sp.coef_, dense.coef_, atol=1e-8, rtol=0)
    assert_allclose(sp.predict(sparse.csr_matrix(X)), dense.predict(X), atol=1e-8)


def test_precompute_array(diabetes):
    X, y = diabetes
    Xc = X - X.mean(axis=0)
    gram = Xc.T @ Xc
    a = Lasso(alpha=0.01, tol=OUR_TOL, precompute=gram).fit(Xc, y)
    b = Lasso(alpha=0.01, tol=OUR_TOL).fit(Xc, y)
    assert_allclose(a.coef_, b.coef_, atol=1e-10)
    with pytest.raises(ValueError, match="did not pass validation"):
        Lasso(alpha=0.01, precompute=2 * gram).fit(Xc, y)
    with pytest.raises(ValueError, match="shape"):
        Lasso(alpha=0.01, precompute=gram[:3, :3]).fit(Xc, y)


def test_bad_input_raises_clearly(diabetes):
    X, y = diabetes
    with pytest.raises(InvalidParameterError, match="l1_ratio"):
        ElasticNet(l1_ratio=1.5).fit(X, y)
    with pytest.raises(InvalidParameterError, match="selection"):
        Lasso(selection="greedy").fit(X, y)
    with pytest.raises(InvalidParameterError, match="alpha"):
        Lasso(alpha=-1).fit(X, y)
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lasso().fit(Xn, y)
    with pytest.raises(ValueError, match="NaN"):
        Lasso(precompute=False).fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Lasso().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        Lasso().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="non-zero"):
        Lasso().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.warns(UserWarning, match="alpha=0"):
        Lasso(alpha=0.0, max_iter=5).fit(X, y)


def test_convergence_warning():
    X, y = _synthetic(300, 40, seed=1)
    with pytest.warns(ConvergenceWarning, match="Duality gap"):
        Lasso(alpha=1e-4, tol=1e-14, max_iter=1).fit(X, y)


def test_failed_fit_leaves_state(diabetes):
    X, y = diabetes
    est = Lasso(alpha=0.1).fit(X, y)
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(est).items()}
    Xn = X.copy()
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError):
        est.fit(Xn, y)
    assert vars(est).keys() == before.keys()
    assert_allclose(est.coef_, before["coef_"])
    # partial_fit: a bad chunk leaves the merged moments as they were
    pf = Lasso(alpha=0.1).partial_fit(X[:200], y[:200])
    coef = pf.coef_.copy()
    with pytest.raises(ValueError):
        pf.partial_fit(X[200:, :4], y[200:])
    assert_allclose(pf.coef_, coef)
    pf.partial_fit(X[200:], y[200:])
    assert_allclose(pf.coef_, Lasso(alpha=0.1).fit(X, y).coef_, atol=1e-6)


@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
@pytest.mark.parametrize("weighted", [False, True])
def test_partial_fit_over_chunks_equals_fit(diabetes, cls, weighted):
    X, y = diabetes
    w = np.random.default_rng(2).uniform(0.1, 3, size=len(y)) if weighted else None
    full = cls(alpha=0.01, tol=OUR_TOL).fit(X, y, sample_weight=w)
    est = cls(alpha=0.01, tol=OUR_TOL)
    for part in np.array_split(np.arange(len(y)), 7):
        est.partial_fit(X[part], y[part], sample_weight=None if w is None else w[part])
    assert_allclose(est.coef_, full.coef_, atol=1e-8, rtol=0)
    assert_allclose(est.intercept_, full.intercept_, atol=1e-8, rtol=0)


@pytest.mark.parametrize("cls", [Lasso, ElasticNet])
@pytest.mark.parametrize("k", [None, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_dask_fit_equals_in_memory(cls, k, weighted):
    da = pytest.importorskip("dask.array")
    X, y = _synthetic(4000, 12, seed=4)
    if k:
        y = np.column_stack([y, X[:, 0] - y])
    w = np.random.default_rng(1).uniform(0.2, 2, size=len(X)) if weighted else None
    Xd = da.from_array(X, chunks=(100, 12))  # 40 row chunks
    yd = da.from_array(y, chunks=100 if k is None else (100, k))
    wd = None if w is None else da.from_array(w, chunks=100)
    assert Xd.numblocks[0] == 40
    mem = cls(alpha=0.05, tol=OUR_TOL).fit(X, y, sample_weight=w)
    dsk = cls(alpha=0.05, tol=OUR_TOL).fit(Xd, yd, sample_weight=wd)
    assert_allclose(dsk.coef_, mem.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-8, atol=1e-10)
    assert_allclose(dsk.predict(Xd).compute(), mem.predict(X), rtol=1e-8, atol=1e-8)
    # and partial_fit on dask chunks
    pf = cls(alpha=0.05, tol=OUR_TOL)
    for lo in range(0, 4000, 1000):
        pf.partial_fit(Xd[lo:lo + 1000], yd[lo:lo + 1000],
                       sample_weight=None if wd is None else wd[lo:lo + 1000])
    assert_allclose(pf.coef_, mem.coef_, rtol=1e-8, atol=1e-9)


def test_feature_names_and_dtype(diabetes):
    pd = pytest.importorskip("pandas")
    X, y = diabetes
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = Lasso(alpha=0.1).fit(df, y)
    assert list(est.feature_names_in_) == list(df.columns)
    assert est.n_features_in_ == X.shape[1]
    est32 = Lasso(alpha=0.1).fit(X.astype(np.float32), y)
    assert est32.coef_.dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Lasso(alpha=0.1).fit(X, y)  # converges at the default tol without a warning
