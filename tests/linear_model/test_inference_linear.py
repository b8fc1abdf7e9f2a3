"""Statistical inference of LinearRegression and Ridge: cov_type, covariance_,
std_errors_, df_resid_, n_groups_, conf_int and summary (issue 19).

Least squares against statsmodels' OLS computed here (and against the Stata / NIST
numbers statsmodels ships in its test-results modules); Ridge against the formulas
of the user guide's Inference page assembled with numpy."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse
from sklearn.datasets import load_diabetes
from sklearn.exceptions import NotFittedError

from skdl import LinearRegression, Ridge
from skdl.linear_model._inference import COV_TYPES

sm = pytest.importorskip("statsmodels.api")

RTOL = 1e-8


def _hetero(n=300, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.arange(1, d + 1) + 5.0
    y = X @ rng.normal(size=d) + 2.0 + rng.normal(size=n) * (1.0 + np.abs(X[:, 0] - 5.0))
    groups = rng.integers(0, 17, size=n)
    return X, y, groups


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    groups = np.random.default_rng(3).integers(0, 25, size=len(y))
    return X, y, groups


DATASETS = {"hetero": _hetero, "diabetes": _diabetes}


def _statsmodels(X, y, cov_type, fit_intercept, groups=None):
    Z = sm.add_constant(X, has_constant="add") if fit_intercept else X
    kw = {"cov_kwds": {"groups": groups}} if cov_type == "cluster" else {}
    return sm.OLS(y, Z).fit(cov_type=cov_type, **kw)


def _fit_kw(cov_type, groups):
    return {"groups": groups} if cov_type == "cluster" else {}


def _assert_matches_statsmodels(est, ref, rtol=RTOL):
    assert_allclose(est._inference_params(), ref.params, rtol=rtol)
    assert_allclose(est.std_errors_, ref.bse, rtol=rtol)
    assert_allclose(est.covariance_, ref.cov_params(), rtol=rtol, atol=1e-14 * np.abs(
        ref.cov_params()).max())
    assert_allclose(est.conf_int(), ref.conf_int(), rtol=rtol)
    table, expected = est.summary(), ref.summary2().tables[1]
    assert list(table.columns) == list(expected.columns)
    assert_allclose(table.to_numpy(), expected.to_numpy(), rtol=rtol, atol=1e-300)
    assert_allclose(table.iloc[:, 2], ref.tvalues, rtol=rtol)
    assert_allclose(table.iloc[:, 3], ref.pvalues, rtol=1e-7, atol=1e-300)


@pytest.mark.parametrize("data", sorted(DATASETS))
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_linear_regression_matches_statsmodels_ols(data, fit_intercept, cov_type):
    X, y, groups = DATASETS[data]()
    ref = _statsmodels(X, y, cov_type, fit_intercept, groups)
    est = LinearRegression(cov_type=cov_type, fit_intercept=fit_intercept).fit(
        X, y, **_fit_kw(cov_type, groups))
    _assert_matches_statsmodels(est, ref)
    assert est.df_resid_ == pytest.approx(ref.df_resid, rel=1e-12)
    assert isinstance(est.df_resid_, float)
    assert est.covariance_.dtype == np.float64 and est.std_errors_.shape == (X.shape[1]
                                                                             + fit_intercept,)
    if cov_type == "cluster":
        assert est.n_groups_ == len(np.unique(groups))
    else:
        assert not hasattr(est, "n_groups_")
    # the names of the summary: 'intercept', then the features'
    names = (["intercept"] if fit_intercept else []) + [f"x{j}" for j in range(X.shape[1])]
    assert list(est.summary().index) == names


@pytest.mark.parametrize("solver", ["cholesky", "svd", "lbfgs", "newton"])
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_every_direct_solver_gives_the_same_covariance(solver, cov_type):
    X, y, groups = _hetero()
    ref = LinearRegression(cov_type=cov_type).fit(X, y, **_fit_kw(cov_type, groups))
    est = LinearRegression(cov_type=cov_type, solver=solver, tol=1e-12).fit(
        X, y, **_fit_kw(cov_type, groups))
    assert_allclose(est.covariance_, ref.covariance_, rtol=1e-7)
    assert_allclose(est.df_resid_, ref.df_resid_, rtol=1e-12)


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_frequency_weights_equal_repeated_rows(cov_type, fit_intercept):
    X, y, groups = _hetero(n=120)
    w = np.random.default_rng(2).integers(1, 4, size=len(y))
    rep = np.repeat(np.arange(len(y)), w)
    ref = _statsmodels(X[rep], y[rep], cov_type, fit_intercept, groups[rep])
    est = LinearRegression(cov_type=cov_type, fit_intercept=fit_intercept).fit(
        X, y, sample_weight=w.astype(float), **_fit_kw(cov_type, groups))
    _assert_matches_statsmodels(est, ref)
    assert est.df_resid_ == pytest.approx(ref.df_resid, rel=1e-12)


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("est", [LinearRegression(), Ridge(alpha=3.0),
                                 LinearRegression(fit_intercept=False)], ids=repr)
def test_sparse_X_equals_dense(cov_type, est):
    X, y, groups = _hetero()
    X[np.random.default_rng(4).random(X.shape) < 0.5] = 0.0
    w = np.random.default_rng(5).uniform(0.5, 2.0, size=len(y))
    kw = {"sample_weight": w, **_fit_kw(cov_type, groups)}
    dense = type(est)(**est.get_params()).set_params(cov_type=cov_type).fit(X, y, **kw)
    for fmt in (sparse.csr_matrix, sparse.csc_array):
        sp = type(est)(**est.get_params()).set_params(cov_type=cov_type).fit(fmt(X), y, **kw)
        assert_allclose(sp.covariance_, dense.covariance_, rtol=1e-8)
        assert_allclose(sp.df_resid_, dense.df_resid_, rtol=1e-12)


def test_summary_of_a_dataframe_has_its_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    est = LinearRegression(cov_type="HC3").fit(X, y)
    table = est.summary()
    assert list(table.index) == ["intercept", *X.columns]
    assert list(table.columns) == ["Coef.", "Std.Err.", "z", "P>|z|", "[0.025", "0.975]"]
    assert isinstance(table, pd.DataFrame)
    ref = sm.OLS(y, sm.add_constant(X)).fit(cov_type="HC3").summary2().tables[1]
    assert_allclose(table.to_numpy(), ref.to_numpy(), rtol=RTOL)
    assert list(est.summary(alpha=0.1).columns)[-2:] == ["[0.05", "0.95]"]
    renamed = est.summary(feature_names=[f"f{j}" for j in range(X.shape[1])])
    assert list(renamed.index)[:2] == ["intercept", "f0"]


def test_multi_target_covariance_is_per_target():
    X, y, groups = _hetero()
    Y = np.column_stack([y, 2.0 * y + X[:, 1] ** 2, -y])
    for cov_type in COV_TYPES:
        kw = _fit_kw(cov_type, groups)
        both = LinearRegression(cov_type=cov_type).fit(X, Y, **kw)
        assert both.covariance_.shape == (3, 5, 5) and both.std_errors_.shape == (3, 5)
        assert both.df_resid_.shape == (3,)
        for t in range(3):
            one = LinearRegression(cov_type=cov_type).fit(X, Y[:, t], **kw)
            assert_allclose(both.covariance_[t], one.covariance_, rtol=1e-10)
        table = both.summary()
        assert table.shape == (15, 6)
        assert table.index.names == ["target", "parameter"]
        assert_allclose(table.loc[1].to_numpy(),
                        LinearRegression(cov_type=cov_type).fit(X, Y[:, 1], **kw)
                        .summary().to_numpy(), rtol=1e-9)
    ridge = Ridge(alpha=[1.0, 50.0, 0.0], cov_type="HC2").fit(X, Y)
    for t, a in enumerate([1.0, 50.0, 0.0]):
        one = Ridge(alpha=a, cov_type="HC2").fit(X, Y[:, t])
        assert_allclose(ridge.covariance_[t], one.covariance_, rtol=1e-9)


def test_equilibrated_fit_unscales_the_covariance():
    # columns beyond 1e±100 are rescaled by powers of two before the solve: the
    # covariance is D⁻¹ Cov D⁻¹ of the rescaled problem's
    X, y, groups = _hetero()
    s = np.array([1e120, 1.0, 1e-110, 1.0])
    for cov_type in COV_TYPES:
        kw = _fit_kw(cov_type, groups)
        for est in (LinearRegression(cov_type=cov_type), Ridge(alpha=0.0, cov_type=cov_type),
                    LinearRegression(solver="svd", cov_type=cov_type)):
            ref = type(est)(**est.get_params()).fit(X, y, **kw)
            fit = est.fit(X * s, y, **kw)
            d = np.concatenate([[1.0], s])
            assert_allclose(fit.std_errors_ * d, ref.std_errors_, rtol=1e-9)
            assert_allclose(fit.covariance_[1:, 1:] * np.outer(s, s)[:, :],
                            ref.covariance_[1:, 1:], rtol=1e-9,
                            atol=1e-12 * np.abs(ref.covariance_).max())


# --------------------------------------------------------------------------- #
# Ridge: the sandwich of the penalised estimator                               #
# --------------------------------------------------------------------------- #
def _ridge_reference(X, y, w, alpha, cov_type, groups, fit_intercept=True):
    """The formulas of the Inference page, straight from numpy (uncentred z)."""
    Z = np.column_stack([np.ones(len(y)), X]) if fit_intercept else X
    p = Z.shape[1]
    P = alpha * np.eye(p)
    if fit_intercept:
        P[0, 0] = 0.0
    G = Z.T @ (w[:, None] * Z)
    A = G + P
    B = np.linalg.inv(A)
    beta = B @ Z.T @ (w * y)
    e = y - Z @ beta
    n = w.sum()
    df = n - np.trace(B @ G)
    h = np.einsum("ij,jk,ik->i", Z, B, Z)
    if cov_type == "nonrobust":
        return (w @ e**2) / df * B @ G @ B, beta, df
    if cov_type == "cluster":
        labels = np.unique(groups)
        S = np.array([(w * e)[groups == g] @ Z[groups == g] for g in labels])
        c = len(labels) / (len(labels) - 1) * (n - 1) / df
        return c * B @ (S.T @ S) @ B, beta, df
    omega = {"HC0": 1.0, "HC1": 1.0, "HC2": 1 / (1 - h), "HC3": 1 / (1 - h) ** 2}[cov_type]
    M = Z.T @ ((w * omega * e**2)[:, None] * Z)
    c = n / df if cov_type == "HC1" else 1.0
    return c * B @ M @ B, beta, df


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver", ["auto", "svd", "lbfgs", "newton"])
def test_ridge_sandwich_equals_the_formulas(cov_type, fit_intercept, solver):
    X, y, groups = _hetero()
    w = np.random.default_rng(7).uniform(0.2, 3.0, size=len(y))
    alpha = 40.0
    cov, beta, df = _ridge_reference(X, y, w, alpha, cov_type, groups, fit_intercept)
    est = Ridge(alpha=alpha, cov_type=cov_type, fit_intercept=fit_intercept, solver=solver,
                tol=1e-12).fit(X, y, sample_weight=w, **_fit_kw(cov_type, groups))
    assert_allclose(est._inference_params(), beta, rtol=1e-8)
    assert_allclose(est.covariance_, cov, rtol=1e-7, atol=1e-13 * np.abs(cov).max())
    assert est.df_resid_ == pytest.approx(df, rel=1e-10)
    # the reference distribution: t(df_resid) only for the nonrobust covariance
    assert est.summary().columns[2] == ("t" if cov_type == "nonrobust" else "z")


def test_ridge_with_a_singular_gram_and_tiny_alpha_has_finite_errors():
    rng = np.random.default_rng(5)
    A = rng.normal(size=(300, 4))
    X = np.hstack([A, A[:, :2] @ rng.normal(size=(2, 3))])  # rank 4
    y = A @ rng.normal(size=4) + 0.1 * rng.normal(size=300)
    est = Ridge(alpha=1e-9).fit(X, y)
    assert np.all(np.isfinite(est.std_errors_)) and np.all(est.std_errors_ >= 0)
    # the covariance is positive semi-definite
    assert np.linalg.eigvalsh(est.covariance_).min() > -1e-9 * est.covariance_.max()


@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_ridge_alpha_zero_equals_linear_regression(cov_type):
    X, y, groups = _hetero()
    kw = _fit_kw(cov_type, groups)
    ridge = Ridge(alpha=0.0, cov_type=cov_type).fit(X, y, **kw)
    ols = LinearRegression(cov_type=cov_type).fit(X, y, **kw)
    assert_allclose(ridge.covariance_, ols.covariance_, rtol=1e-10)
    assert ridge.df_resid_ == pytest.approx(ols.df_resid_, rel=1e-12)
    assert_allclose(ridge.summary().to_numpy(), ols.summary().to_numpy(), rtol=1e-9)


# --------------------------------------------------------------------------- #
# Stata's and NIST's numbers, as statsmodels ships them                        #
# --------------------------------------------------------------------------- #
def _reorder_constant_last(cov):
    """Ours is [intercept, x...]; Stata's [x..., _cons]."""
    order = np.r_[1:cov.shape[0], 0]
    return cov[np.ix_(order, order)]


def test_stata_macro_robust():
    results = pytest.importorskip(
        "statsmodels.regression.tests.results.results_macro_ols_robust")
    macrodata = pytest.importorskip("statsmodels.datasets.macrodata")
    d = macrodata.load_pandas().data
    g_gdp = 400 * np.diff(np.log(d["realgdp"].to_numpy()))
    g_inv = 400 * np.diff(np.log(d["realinv"].to_numpy()))
    X = np.column_stack([g_gdp, d["realint"].to_numpy()[:-1]])
    # Stata's regress, vce(robust) is HC1; ivreg2's large-sample robust is HC0
    for cov_type, res in (("HC1", results.results_hc0), ("HC0", results.results_ivhc0_large)):
        est = LinearRegression(cov_type=cov_type).fit(X, g_inv)
        assert_allclose(_reorder_constant_last(est.covariance_), res.cov, rtol=1e-6)
        table = res.params_table
        assert_allclose(np.r_[est.coef_, est.intercept_], table[:, 0], rtol=1e-9)
        assert_allclose(np.roll(est.std_errors_, -1), table[:, 1], rtol=1e-6)


def test_stata_grunfeld_cluster():
    results = pytest.importorskip(
        "statsmodels.regression.tests.results.results_grunfeld_ols_robust_cluster")
    grunfeld = pytest.importorskip("statsmodels.datasets.grunfeld")
    data = grunfeld.load_pandas().data[:200]  # Stata's example lacks the last firm
    X = data[["value", "capital"]].to_numpy()
    res = results.results_cluster
    est = LinearRegression(cov_type="cluster").fit(X, data["invest"].to_numpy(),
                                                   groups=data["firm"].to_numpy())
    assert est.n_groups_ == 10
    assert_allclose(_reorder_constant_last(est.covariance_), res.cov, rtol=1e-6)
    assert_allclose(np.roll(est.std_errors_, -1), res.params_table[:, 1], rtol=1e-6)


def test_nist_longley():
    results = pytest.importorskip("statsmodels.regression.tests.results.results_regression")
    longley = pytest.importorskip("statsmodels.datasets.longley")
    data = longley.load()
    X, y = np.asarray(data.exog, dtype=float), np.asarray(data.endog, dtype=float)
    res = results.Longley()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (ill-conditioned: 'auto' may fall back to the SVD)
        est = LinearRegression().fit(X, y)
    assert_allclose(np.roll(est._inference_params(), -1), res.params, rtol=1e-8)
    assert_allclose(np.roll(est.std_errors_, -1), res.bse, rtol=1e-8)
    assert est.df_resid_ == res.df_resid
    assert_allclose(np.roll(est.conf_int(), -1, axis=0), res.conf_int(), rtol=1e-5)
    assert_allclose(np.roll(est.summary()["P>|t|"].to_numpy(), -1), res.pvalues, rtol=1e-5)
    for cov_type in ("HC0", "HC1", "HC2", "HC3"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            robust = LinearRegression(cov_type=cov_type).fit(X, y)
        # Stata's numbers, printed to 5 decimals or 7 digits
        assert_allclose(np.roll(robust.std_errors_, -1), getattr(res, f"{cov_type}_se"),
                        rtol=1e-6, atol=5e-6)


# --------------------------------------------------------------------------- #
# groups through Pipeline and GridSearchCV                                     #
# --------------------------------------------------------------------------- #
def test_groups_through_pipeline_and_grid_search():
    import sklearn
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, groups = _hetero()
    ref = LinearRegression(cov_type="cluster").fit(StandardScaler().fit_transform(X), y,
                                                   groups=groups)
    # without routing: the step's name
    pipe = make_pipeline(StandardScaler(), LinearRegression(cov_type="cluster"))
    pipe.fit(X, y, linearregression__groups=groups)
    assert_allclose(pipe[-1].covariance_, ref.covariance_, rtol=1e-10)
    assert pipe[-1].summary().shape == (5, 6)
    with sklearn.config_context(enable_metadata_routing=True):
        est = LinearRegression(cov_type="cluster").set_fit_request(groups=True)
        pipe = make_pipeline(StandardScaler(), est).fit(X, y, groups=groups)
        assert_allclose(pipe[-1].covariance_, ref.covariance_, rtol=1e-10)
        names = list(pipe[:-1].get_feature_names_out())
        assert list(pipe[-1].summary(feature_names=names).index) == ["intercept", *names]
        search = GridSearchCV(
            make_pipeline(StandardScaler(),
                          Ridge(cov_type="cluster").set_fit_request(groups=True)),
            {"ridge__alpha": [0.1, 10.0]}, cv=GroupKFold(n_splits=3),
        ).fit(X, y, groups=groups)
        best = search.best_estimator_[-1]
        assert best.n_groups_ == len(np.unique(groups))
        assert best.summary().shape == (5, 6)


# --------------------------------------------------------------------------- #
# bad input, failed fits, refits                                               #
# --------------------------------------------------------------------------- #
def test_bad_groups_raise():
    X, y, groups = _hetero()
    # groups without cov_type='cluster' are ignored (sklearn's splitters' convention)
    assert_allclose(LinearRegression(cov_type="HC1").fit(X, y, groups=groups).covariance_,
                    LinearRegression(cov_type="HC1").fit(X, y).covariance_, rtol=1e-14)
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        LinearRegression(cov_type="cluster").fit(X, y)
    with pytest.raises(ValueError, match=r"groups must have shape \(300,\)"):
        LinearRegression(cov_type="cluster").fit(X, y, groups=groups[:-1])
    with pytest.raises(ValueError, match="at least 2 clusters"):
        LinearRegression(cov_type="cluster").fit(X, y, groups=np.zeros(len(y)))
    with pytest.raises(ValueError, match="cov_type"):
        LinearRegression(cov_type="HC4").fit(X, y)


@pytest.mark.parametrize("params", [{"solver": "sgd"}, {"solver": "gd"}, {"solver": "lsqr"},
                                    {"solver": "sparse_cg"}, {"positive": True}])
def test_robust_cov_type_with_a_solver_without_covariance_raises(params):
    X, y, _ = _hetero()
    with pytest.raises(ValueError, match="cov_type='HC3' needs the covariance"):
        Ridge(cov_type="HC3", **params).fit(X, y)
    # the default publishes none, and says why
    est = Ridge(max_iter=5, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    assert not hasattr(est, "covariance_")
    with pytest.raises(NotFittedError, match="solver 'auto', 'cholesky', 'svd'|positive"):
        est.summary()


def test_wide_sparse_auto_has_no_covariance():
    rng = np.random.default_rng(0)
    X = sparse.random(60, 400, density=0.01, random_state=0, format="csr")
    y = rng.normal(size=60)
    est = LinearRegression().fit(X, y)
    assert est.solver_ == "lsqr" and not hasattr(est, "covariance_")
    with pytest.raises(NotFittedError, match="solver='auto' ended with 'lsqr'"):
        est.conf_int()
    with pytest.raises(ValueError, match="ended with 'lsqr'"):
        LinearRegression(cov_type="HC0").fit(X, y)


def test_failed_fit_leaves_the_covariance():
    X, y, groups = _hetero()
    est = LinearRegression(cov_type="cluster").fit(X, y, groups=groups)
    before = dict(vars(est))
    with pytest.raises(ValueError):
        est.fit(X, y, groups=groups[:-2])
    with pytest.raises(ValueError):
        est.fit(X, y, groups=np.ones(len(y)))
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        est.fit(bad, y, groups=groups)
    assert vars(est).keys() == before.keys()
    for key, value in before.items():
        assert vars(est)[key] is value, key


def test_refit_without_covariance_removes_it():
    X, y, groups = _hetero()
    est = LinearRegression(cov_type="cluster").fit(X, y, groups=groups)
    assert hasattr(est, "n_groups_")
    est.set_params(cov_type="nonrobust", solver="sgd", max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    for name in ("covariance_", "std_errors_", "df_resid_", "n_groups_"):
        assert not hasattr(est, name), name
    with pytest.raises(NotFittedError, match="solver='sgd'"):
        est.summary()
    with pytest.raises(NotFittedError, match="solver='sgd'"):
        est.conf_int()
    # and back: a direct refit publishes it again, nothing stale
    est.set_params(solver="auto", cov_type="HC0").fit(X, y)
    assert hasattr(est, "covariance_") and not hasattr(est, "n_groups_")
    assert "_no_covariance" not in vars(est)
    assert sorted(vars(est)) == sorted(vars(LinearRegression(cov_type="HC0").fit(X, y)))


def test_unfitted_summary_raises():
    with pytest.raises(NotFittedError):
        LinearRegression().summary()


# --------------------------------------------------------------------------- #
# out of core: dask arrays and partial_fit                                     #
# --------------------------------------------------------------------------- #
def _chunked_data(n=4000, d=5, k=None):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(n, d)) * np.arange(1, d + 1) + 10.0
    noise = rng.normal(size=(n,) if k is None else (n, k))
    scale = (1.0 + np.abs(X[:, 0] - 10.0))
    y = X @ rng.normal(size=(d,) if k is None else (d, k)) + 3.0 + noise * (
        scale if k is None else scale[:, None])
    w = rng.integers(1, 4, size=n).astype(float)
    groups = rng.integers(0, 60, size=n)
    return X, y, w, groups


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("est", [LinearRegression(), Ridge(alpha=30.0),
                                 LinearRegression(fit_intercept=False)], ids=repr)
def test_dask_covariance_equals_in_memory(cov_type, est):
    da = pytest.importorskip("dask.array")
    X, y, w, groups = _chunked_data()
    est = type(est)(**est.get_params()).set_params(cov_type=cov_type)
    Xd = da.from_array(X, chunks=(100, X.shape[1]))  # 40 row chunks
    assert Xd.numblocks[0] == 40
    yd, wd = da.from_array(y, chunks=100), da.from_array(w, chunks=100)
    for weights in (None, (w, wd)):
        kw_mem = {} if weights is None else {"sample_weight": weights[0]}
        kw_dask = {} if weights is None else {"sample_weight": weights[1]}
        if cov_type == "cluster":
            kw_mem["groups"] = groups
            kw_dask["groups"] = da.from_array(groups, chunks=250)  # other chunks: rechunked
        mem = type(est)(**est.get_params()).fit(X, y, **kw_mem)
        dsk = type(est)(**est.get_params()).fit(Xd, yd, **kw_dask)
        assert_allclose(dsk.covariance_, mem.covariance_, rtol=1e-8)
        assert_allclose(dsk.df_resid_, mem.df_resid_, rtol=1e-12)
        if cov_type == "cluster":
            assert dsk.n_groups_ == mem.n_groups_ == 60
            # numpy groups with a dask X
            np_groups = type(est)(**est.get_params()).fit(Xd, yd, groups=groups)
            assert np_groups.n_groups_ == 60


def test_dask_multi_target_and_errors():
    da = pytest.importorskip("dask.array")
    X, Y, w, groups = _chunked_data(n=1000, k=2)
    Xd, Yd = da.from_array(X, chunks=(100, 5)), da.from_array(Y, chunks=(100, 2))
    mem = Ridge(alpha=[1.0, 9.0], cov_type="HC3").fit(X, Y, sample_weight=w)
    dsk = Ridge(alpha=[1.0, 9.0], cov_type="HC3").fit(Xd, Yd, sample_weight=w)
    assert dsk.covariance_.shape == (2, 6, 6)
    assert_allclose(dsk.covariance_, mem.covariance_, rtol=1e-8)
    ignored = LinearRegression().fit(Xd, Y[:, 0], groups=groups)  # (not 'cluster')
    assert_allclose(ignored.covariance_, LinearRegression().fit(Xd, Y[:, 0]).covariance_)
    with pytest.raises(ValueError, match="groups contains NaN"):
        LinearRegression(cov_type="cluster").fit(
            Xd, Y[:, 0], groups=np.where(np.arange(len(Y)) == 3, np.nan, 1.0 * groups))
    with pytest.raises(ValueError, match="groups contains NaN"):
        LinearRegression(cov_type="cluster").fit(
            Xd, Y[:, 0], groups=da.from_array(np.where(np.arange(len(Y)) == 3, np.nan,
                                                        1.0 * groups), chunks=17))
    list_groups = LinearRegression(cov_type="cluster").fit(Xd, Y[:, 0], groups=list(groups))
    assert list_groups.n_groups_ == len(np.unique(groups))
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        LinearRegression(cov_type="cluster").fit(Xd, Y[:, 0])
    with pytest.raises(ValueError, match=r"groups must have shape \(1000,\)"):
        LinearRegression(cov_type="cluster").fit(Xd, Y[:, 0], groups=groups[:-1])
    with pytest.raises(ValueError, match="at least 2 clusters"):
        LinearRegression(cov_type="cluster").fit(Xd, Y[:, 0], groups=np.ones(1000))
    with pytest.raises(ValueError, match="positive=True"):
        LinearRegression(cov_type="HC0", positive=True).fit(Xd, Y[:, 0])


def _partial(est, X, y, w, n_chunks=40):
    for idx in np.array_split(np.arange(len(y)), n_chunks):
        est.partial_fit(X[idx], y[idx], sample_weight=None if w is None else w[idx])
    return est


def _second_pass(est, X, y, w, groups, n_chunks=40):
    for idx in np.array_split(np.arange(len(y)), n_chunks):
        est.partial_fit_covariance(
            X[idx], y[idx], sample_weight=None if w is None else w[idx],
            groups=None if est.cov_type != "cluster" else groups[idx])
    return est


@pytest.mark.parametrize("cov_type", COV_TYPES)
@pytest.mark.parametrize("est", [LinearRegression(), Ridge(alpha=30.0),
                                 LinearRegression(fit_intercept=False)], ids=repr)
def test_partial_fit_covariance_equals_in_memory(cov_type, est):
    X, y, w, groups = _chunked_data()
    est = type(est)(**est.get_params()).set_params(cov_type=cov_type)
    for weights in (None, w):
        kw = {"groups": groups} if cov_type == "cluster" else {}
        mem = type(est)(**est.get_params()).fit(X, y, sample_weight=weights, **kw)
        part = _partial(type(est)(**est.get_params()), X, y, weights)
        if cov_type == "nonrobust":  # from the merged moments, after every call
            assert_allclose(part.covariance_, mem.covariance_, rtol=1e-8)
            with pytest.raises(ValueError, match="needs no second pass"):
                part.partial_fit_covariance(X, y)
            continue
        assert not hasattr(part, "covariance_")
        with pytest.raises(NotFittedError, match="call partial_fit_covariance"):
            part.summary()
        _second_pass(part, X, y, weights, groups)
        assert_allclose(part.covariance_, mem.covariance_, rtol=1e-8)
        assert_allclose(part.std_errors_, mem.std_errors_, rtol=1e-8)
        assert part.df_resid_ == pytest.approx(mem.df_resid_, rel=1e-10)
        assert_allclose(part.summary().to_numpy(), mem.summary().to_numpy(), rtol=1e-8)


def test_partial_fit_covariance_pass_bookkeeping():
    X, y, w, groups = _chunked_data(n=400)
    est = _partial(LinearRegression(cov_type="HC1"), X, y, w, n_chunks=4)
    chunks = np.array_split(np.arange(len(y)), 4)
    est.partial_fit_covariance(X[chunks[0]], y[chunks[0]], sample_weight=w[chunks[0]])
    assert not hasattr(est, "covariance_")
    seen = w[chunks[0]].sum()
    with pytest.raises(NotFittedError, match=f"has seen {seen:g} of the {w.sum():g}"):
        est.summary()
    # a chunk beyond the fitted weight raises, state unchanged
    before = dict(vars(est))
    with pytest.raises(ValueError, match="beyond the"):
        est.partial_fit_covariance(X, y, sample_weight=w)
    assert vars(est) == before and all(vars(est)[key] is v for key, v in before.items())
    for idx in chunks[1:]:
        est.partial_fit_covariance(X[idx], y[idx], sample_weight=w[idx])
    ref = LinearRegression(cov_type="HC1").fit(X, y, sample_weight=w)
    assert_allclose(est.covariance_, ref.covariance_, rtol=1e-8)
    # a completed pass: the next call starts a new one; so does the next partial_fit
    est.partial_fit_covariance(X, y, sample_weight=w)
    assert_allclose(est.covariance_, ref.covariance_, rtol=1e-8)
    est.partial_fit(X[:10], y[:10])
    assert not hasattr(est, "covariance_")
    # bad input
    est.set_params(cov_type="cluster")
    with pytest.raises(ValueError, match="needs the cluster of every sample"):
        est.partial_fit_covariance(X, y)
    with pytest.raises(ValueError, match="expecting 5 features"):
        est.partial_fit_covariance(X[:, :4], y, groups=groups)
    assert not hasattr(LinearRegression(solver="svd"), "partial_fit_covariance")
    svd = LinearRegression(solver="svd", cov_type="HC0").fit(X, y)
    svd.set_params(solver="auto")
    with pytest.raises(ValueError, match="needs a fit by the normal equations"):
        svd.partial_fit_covariance(X, y)


def test_partial_fit_covariance_of_dask_chunks():
    da = pytest.importorskip("dask.array")
    X, y, w, groups = _chunked_data(n=1200)
    ref = LinearRegression(cov_type="cluster").fit(X, y, groups=groups)
    est = LinearRegression(cov_type="cluster")
    halves = np.array_split(np.arange(len(y)), 2)
    for idx in halves:
        est.partial_fit(da.from_array(X[idx], chunks=(200, 5)), da.from_array(y[idx], chunks=200))
    for idx in halves:
        est.partial_fit_covariance(da.from_array(X[idx], chunks=(200, 5)),
                                   da.from_array(y[idx], chunks=200), groups=groups[idx])
    assert_allclose(est.covariance_, ref.covariance_, rtol=1e-8)
    assert est.n_groups_ == ref.n_groups_


def test_ridge_single_column_y_has_the_shapes_of_its_coef():
    # sklearn's Ridge gives a 1-D coef_ for a (n, 1) y: the inference follows coef_
    X, y, _ = _hetero()
    est = Ridge(cov_type="HC1").fit(X, y[:, None])
    ref = Ridge(cov_type="HC1").fit(X, y)
    assert est.coef_.shape == (4,) and est.covariance_.shape == (5, 5)
    assert isinstance(est.df_resid_, float)
    assert_allclose(est.summary().to_numpy(), ref.summary().to_numpy(), rtol=1e-12)


def test_float32_input_gives_a_float64_covariance():
    X, y, _ = _hetero()
    est = LinearRegression(cov_type="HC3").fit(X.astype(np.float32), y.astype(np.float32))
    ref = LinearRegression(cov_type="HC3").fit(X.astype(np.float32).astype(float),
                                               y.astype(np.float32).astype(float))
    assert est.covariance_.dtype == est.std_errors_.dtype == np.float64
    assert_allclose(est.std_errors_, ref.std_errors_, rtol=1e-5)


# --------------------------------------------------------------------------- #
# review fixes: exact references                                               #
# --------------------------------------------------------------------------- #
def _scaled_ridge_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 4)) * [1e8, 10.0, 0.1, 1.0]
    y = X @ [1e-8, -0.2, 5.0, 0.5] + rng.normal(size=50)
    return X, y, np.arange(50) % 7


def _exact_ridge(X, y, alpha, groups):
    """``(covariances by cov_type, df_resid)`` of the Inference page's formulas in
    60-digit arithmetic (the data's float64 values taken as exact)."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(60):
        n, p = X.shape[0], X.shape[1] + 1
        Z = mp.matrix([[1] + [mp.mpf(float(v)) for v in row] for row in X])
        Y = mp.matrix([mp.mpf(float(v)) for v in y])
        G = Z.T * Z
        B = (G + mp.diag([0] + [alpha] * (p - 1))) ** -1
        e = Y - Z * (B * (Z.T * Y))
        dfr = n - sum((B * G)[i, i] for i in range(p))
        M = mp.zeros(p, p)
        for i in range(n):
            M += e[i] ** 2 * Z[i, :].T * Z[i, :]
        labels = np.unique(groups)
        S = mp.zeros(len(labels), p)
        for i in range(n):
            g = int(np.searchsorted(labels, groups[i]))
            S[g, :] += e[i] * Z[i, :]
        nG = len(labels)
        covs = {"nonrobust": sum(v**2 for v in e) / dfr * B * G * B,
                "HC1": n / dfr * B * M * B,
                "cluster": mp.mpf(nG) / (nG - 1) * (n - 1) / dfr * B * (S.T * S) * B}
        return ({k: np.array(c.tolist(), dtype=np.float64) for k, c in covs.items()},
                float(dfr))


@pytest.mark.parametrize("solver", ["auto", "svd", "newton"])
def test_ridge_with_columns_of_very_different_scales_is_exact(solver):
    # the eigenvalues of the raw Gram matrix (1e17 .. 0.5) lose the small ones: the
    # degrees of freedom and B G B come from the equilibrated pencil (G', G' + α D⁻²)
    X, y, groups = _scaled_ridge_data()
    covs, dfr = _exact_ridge(X, y, 100.0, groups)
    for cov_type, cov in covs.items():
        est = Ridge(alpha=100.0, cov_type=cov_type, solver=solver).fit(
            X, y, **_fit_kw(cov_type, groups))
        assert est.df_resid_ == pytest.approx(dfr, rel=1e-12)
        assert_allclose(est.std_errors_, np.sqrt(np.diag(cov)), rtol=1e-9)


def _collinear(n=50, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X = np.column_stack([X, X[:, 0] - X[:, 2]])  # rank 3 (4 with the intercept)
    return X, rng.normal(size=n if k is None else (n, k))


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC1", "HC3"])
@pytest.mark.parametrize("solver", ["auto", "lbfgs", "newton", "partial_fit"])
def test_exactly_collinear_X_has_statsmodels_pinv_covariance(solver, cov_type):
    # an unchecked Cholesky factor of the singular Gram matrix succeeds by rounding
    # (std errors 1e7 times statsmodels', df_resid_ one short): every route takes
    # 'auto''s rank decision, pinv(G) as statsmodels
    X, y = _collinear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _statsmodels(X, y, cov_type, True)
        if solver == "partial_fit":
            est = _partial(LinearRegression(cov_type=cov_type), X, y, None, n_chunks=5)
            if cov_type != "nonrobust":
                _second_pass(est, X, y, None, None, n_chunks=5)
        else:
            est = LinearRegression(solver=solver, cov_type=cov_type, tol=1e-12).fit(X, y)
    assert est.df_resid_ == ref.df_resid == 46
    assert_allclose(est.std_errors_, ref.bse, rtol=1e-8)
    assert_allclose(est.covariance_, ref.cov_params(), rtol=1e-7, atol=1e-12)


def test_newton_with_per_target_alphas_on_collinear_X():
    # a singular Hessian for one alpha once dropped every factor (AttributeError)
    X, Y = _collinear(k=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = Ridge(alpha=[0.0, 1.0, 0.0], solver="newton").fit(X, Y)
        ref = Ridge(alpha=[0.0, 1.0, 0.0], solver="svd").fit(X, Y)
        for t in (0, 2):
            assert_allclose(est.std_errors_[t], _statsmodels(X, Y[:, t], "nonrobust",
                                                             True).bse, rtol=1e-8)
    assert_allclose(est.std_errors_, ref.std_errors_, rtol=1e-8)
    assert_allclose(est.df_resid_, ref.df_resid_, rtol=1e-12)


def _outlier_with_zero_weight(n=40):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    y = X @ [1.0, 2.0] + rng.normal(size=n)
    X[0] = [50.0, -50.0]  # its leverage (outside the fit) exceeds 1
    w = np.ones(n)
    w[0] = 0.0
    return X, y, w


@pytest.mark.parametrize("cov_type", ["HC2", "HC3"])
@pytest.mark.parametrize("route", ["fit", "dask", "partial_fit"])
def test_zero_weight_row_with_leverage_above_one_adds_nothing(cov_type, route):
    # (1 - h) of a weightless row once made every standard error NaN
    X, y, w = _outlier_with_zero_weight()
    ref = _statsmodels(X[1:], y[1:], cov_type, True)
    if route == "fit":
        est = LinearRegression(cov_type=cov_type).fit(X, y, sample_weight=w)
    elif route == "dask":
        da = pytest.importorskip("dask.array")
        est = LinearRegression(cov_type=cov_type).fit(
            da.from_array(X, chunks=(10, 2)), da.from_array(y, chunks=10),
            sample_weight=da.from_array(w, chunks=10))
    else:
        est = _second_pass(_partial(LinearRegression(cov_type=cov_type), X, y, w, 4),
                           X, y, w, None, 4)
    assert_allclose(est.std_errors_, ref.bse, rtol=1e-8)


@pytest.mark.parametrize("cov_type", ["HC2", "HC3"])
def test_positively_weighted_row_with_leverage_one_raises(cov_type):
    rng = np.random.default_rng(0)
    # the last column is a dummy of sample 0 alone: its leverage is 1
    X = np.column_stack([rng.normal(size=(30, 2)), np.r_[1.0, np.zeros(29)]])
    y = rng.normal(size=30)
    match = r"sample\(s\) 0 of X have leverage 1.*Use cov_type='HC0' or 'HC1'"
    est = LinearRegression(cov_type="HC0").fit(X, y)
    before = est.covariance_.copy()
    with pytest.raises(ValueError, match=match):
        est.set_params(cov_type=cov_type).fit(X, y)
    assert_allclose(est.covariance_, before)  # the failed fit changed nothing
    # n == p: every sample
    with pytest.raises(ValueError, match=r"sample\(s\) 0, 1, 2, 3 of X have leverage 1"):
        LinearRegression(cov_type=cov_type).fit(X[:4], y[:4])
    # dask (the row named in the whole X) and partial_fit_covariance (in its chunk)
    da = pytest.importorskip("dask.array")
    Xs = np.roll(X, 12, axis=0)  # sample 12 is the dummy's
    with pytest.raises(ValueError, match=r"sample\(s\) 12 of X"):
        LinearRegression(cov_type=cov_type).fit(da.from_array(Xs, chunks=(5, 3)),
                                                da.from_array(y, chunks=5))
    part = _partial(LinearRegression(cov_type=cov_type), X, y, None, 2)
    with pytest.raises(ValueError, match=r"sample\(s\) 0 of X"):
        part.partial_fit_covariance(X[:15], y[:15])
    _second_pass(part.set_params(cov_type="HC1"), X, y, None, None, 2)
    assert np.all(np.isfinite(part.std_errors_))


@pytest.mark.parametrize("solver", ["auto", "newton", "partial_fit"])
@pytest.mark.parametrize("cov_type", ["cluster", "HC1"])
def test_rank_deficient_cluster_correction_counts_the_parameters(solver, cov_type):
    # statsmodels' cluster factor is G/(G-1) (n-1)/(n-k) with k the number of columns
    # (5 here), not the rank (4); its HC1 is n / df_resid (n - rank)
    X, y = _collinear(n=60)
    groups = np.arange(60) % 9
    kw = _fit_kw(cov_type, groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _statsmodels(X, y, cov_type, True, groups)
        if solver == "partial_fit":
            est = _second_pass(_partial(LinearRegression(cov_type=cov_type), X, y, None, 3),
                               X, y, None, groups, 3)
        else:
            est = LinearRegression(cov_type=cov_type, solver=solver).fit(X, y, **kw)
        ridge = Ridge(alpha=0.0, cov_type=cov_type).fit(X, y, **kw)
    assert est.df_resid_ == ref.df_resid == 56
    assert_allclose(est.std_errors_, ref.bse, rtol=1e-8)
    assert_allclose(ridge.std_errors_, ref.bse, rtol=1e-8)


def test_ridge_tiny_alpha_without_residual_freedom():
    # n = 2 rows, 6 columns, alpha 1e-12: tr(B G) rounds above n - 1; df_resid_ is
    # clipped to 0 and the types dividing by it refuse
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(2, 6)), rng.normal(size=2)
    est = Ridge(alpha=1e-12, cov_type="HC0").fit(X, y)
    assert est.df_resid_ == 0.0
    assert est.summary().columns[2] == "z"
    plain = Ridge(alpha=1e-12).fit(X, y)
    assert not hasattr(plain, "covariance_")
    with pytest.raises(NotFittedError, match="no residual degrees of freedom"):
        plain.summary()
    for cov_type in ("HC1", "cluster"):
        with pytest.raises(ValueError, match=rf"cov_type='{cov_type}' needs more "
                                             "observations.*Use cov_type='HC0'"):
            Ridge(alpha=1e-12, cov_type=cov_type).fit(X, y, **_fit_kw(cov_type, [0, 1]))
    # least squares with n <= p likewise
    with warnings.catch_warnings(), pytest.raises(ValueError, match="n = 3 .* p = 7"):
        warnings.simplefilter("ignore")  # (the IllConditionedWarning of the fallback)
        LinearRegression(cov_type="HC1").fit(rng.normal(size=(3, 6)), rng.normal(size=3))


@pytest.mark.parametrize("cov_type", ["HC0", "HC3", "cluster"])
def test_robust_meat_in_threaded_row_tasks_equals_one_pass(cov_type, monkeypatch):
    # the meat pass in 10+ row tasks pulled by 3 threads: the covariance of one pass,
    # and a leverage-1 row still named by its index in X
    from skdl.linear_model import _lstsq_cov
    from skdl.utils import _threads

    rng = np.random.default_rng(5)
    X = rng.normal(size=(3000, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=3000) * (1 + np.abs(X[:, 0]))
    w = rng.uniform(0.5, 2.0, size=3000)
    groups = rng.integers(0, 40, size=3000)
    kw = {"groups": groups} if cov_type == "cluster" else {}

    def fit():
        return LinearRegression(cov_type=cov_type).fit(X, y, sample_weight=w, **kw)

    one = fit().covariance_
    monkeypatch.setattr(_threads, "n_cpus", lambda: 3)
    monkeypatch.setattr(_threads, "TASK_BYTES", 200 * 8 * 5)
    monkeypatch.setattr(_lstsq_cov, "n_cpus", lambda: 3)
    monkeypatch.setattr(_lstsq_cov, "_THREAD_MIN_ROWS", 100)
    monkeypatch.setattr(_lstsq_cov, "_TASK_MIN_ROWS", 50)
    assert_allclose(fit().covariance_, one, rtol=1e-11, atol=1e-14)
    if cov_type == "HC3":
        X2 = X.copy()
        X2[:, 3] = 0.0
        X2[2500, 3] = 1.0  # row 2500 alone determines coefficient 3: leverage 1
        with pytest.raises(ValueError, match="sample\\(s\\) 2500 "):
            LinearRegression(cov_type="HC3").fit(X2, y)
