"""LinearRegression / Ridge as sklearn's namesakes: sparse input, positive=True, the
'lsqr'/'sparse_cg'/'lbfgs' solvers, rank_/singular_, intercept_ dtype - against sklearn."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import Ridge as SkRidge

from skdl import LinearRegression, Ridge
from skdl.exceptions import IllConditionedWarning


def _data(n=300, d=12, density=0.2, seed=0, k=None):
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=seed) * 5
    X = X + sp.csr_array(np.outer(np.ones(n), np.r_[np.zeros(d - 2), 0.5, 0.0]))  # offset column
    coef = rng.normal(size=d if k is None else (d, k))
    y = X @ coef + 1.5 + 0.3 * rng.normal(size=n if k is None else (n, k))
    return sp.csr_array(X), y


SOLVERS = ["auto", "cholesky", "lsqr", "sparse_cg", "lbfgs"]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_equals_dense(solver, fmt, fit_intercept, weighted):
    X, y = _data()
    X = X.asformat(fmt)
    w = np.random.default_rng(1).uniform(0.2, 2.0, size=X.shape[0]) if weighted else None
    kw = dict(alpha=0.7, solver=solver, fit_intercept=fit_intercept, tol=1e-12)
    ours = Ridge(**kw).fit(X, y, sample_weight=w)
    dense = Ridge(**{**kw, "solver": "cholesky"}).fit(X.toarray(), y, sample_weight=w)
    assert_allclose(ours.coef_, dense.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.intercept_, dense.intercept_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.predict(X), dense.predict(X.toarray()), rtol=1e-8, atol=1e-10)
    if solver in ("auto", "cholesky"):  # the same normal equations: the predictive std too
        _, s1 = ours.predict(X[:5], return_std=True)
        _, s2 = dense.predict(X[:5].toarray(), return_std=True)
        assert_allclose(s1, s2, rtol=1e-8)


@pytest.mark.parametrize("solver", ["lsqr", "sparse_cg", "lbfgs", "auto"])
@pytest.mark.parametrize("Est, Sk, kw", [(LinearRegression, SkLinearRegression, {}),
                                         (Ridge, SkRidge, {"alpha": 2.0})])
def test_sparse_matches_sklearn(solver, Est, Sk, kw):
    X, y = _data(k=2)
    # sklearn's sparse fits are iterative (lsqr, sparse_cg): run to tight tolerances
    ref = Sk(tol=1e-12, **kw) if Est is LinearRegression else Sk(solver="sparse_cg", tol=1e-12,
                                                                    **kw)
    ref.fit(X, y)
    ours = Est(solver=solver, tol=1e-12, **kw).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-8)


def test_sparse_partial_fit_equals_fit():
    X, y = _data(n=400)
    stream = Ridge(alpha=1.0)
    for start in range(0, 400, 100):
        stream.partial_fit(X[start : start + 100], y[start : start + 100])
    full = Ridge(alpha=1.0).fit(X, y)
    assert_allclose(stream.coef_, full.coef_, rtol=1e-9)
    assert_allclose(stream.intercept_, full.intercept_, rtol=1e-9)


def test_sparse_singular_falls_back_to_minimum_norm_lsqr():
    X, y = _data(n=8, d=20)  # wide: XᵀX singular
    with pytest.warns(IllConditionedWarning, match="solver='lsqr'"):
        ours = LinearRegression(tol=1e-14).fit(X, y)
    ref = LinearRegression(solver="svd").fit(X.toarray(), y)
    assert ours.solver_ == "lsqr"
    assert_allclose(ours.predict(X), ref.predict(X.toarray()), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", ["svd", "gd", "sgd", "newton"])
def test_sparse_refused_with_dense_only_solvers(solver):
    X, y = _data()
    with pytest.raises(ValueError, match=f"solver='{solver}' does not support a sparse X"):
        Ridge(solver=solver).fit(X, y)
    assert not Ridge(solver=solver).__sklearn_tags__().input_tags.sparse


@pytest.mark.parametrize("sparse_input", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_positive_linear_regression_matches_sklearn_nnls(sparse_input, fit_intercept):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 8))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0, -1.0, 0.2, -0.3]) + rng.normal(size=200)
    ref = SkLinearRegression(positive=True, fit_intercept=fit_intercept).fit(X, y)
    Xin = sp.csr_array(X) if sparse_input else X
    ours = LinearRegression(positive=True, fit_intercept=fit_intercept).fit(Xin, y)
    assert np.all(ours.coef_ >= 0) and np.any(ours.coef_ == 0)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("solver", ["auto", "cholesky", "lbfgs"])
def test_positive_ridge_matches_sklearn_lbfgs(solver):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 10))
    y = X @ rng.normal(size=10) + rng.normal(size=150)
    w = rng.uniform(0.5, 2, size=150)
    ref = SkRidge(alpha=3.0, positive=True, solver="lbfgs", tol=1e-12).fit(X, y, sample_weight=w)
    ours = Ridge(alpha=3.0, positive=True, solver=solver, tol=1e-12).fit(X, y, sample_weight=w)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-8)


def test_positive_refused_with_other_solvers_and_no_return_std():
    X, y = _data()
    with pytest.raises(ValueError, match="does not support positive=True"):
        Ridge(positive=True, solver="lsqr").fit(X, y)
    est = Ridge(positive=True).fit(X, y)
    with pytest.raises(ValueError, match="positive=True"):
        est.predict(X[:2], return_std=True)


@pytest.mark.parametrize("rank_deficient", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_rank_and_singular_values_as_sklearn(rank_deficient, weighted):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6)) * np.array([1.0, 10.0, 0.1, 1.0, 3.0, 1.0])
    if rank_deficient:
        X[:, 5] = X[:, 0] + X[:, 1]
    y = rng.normal(size=60)
    w = rng.uniform(0.5, 2.0, size=60) if weighted else None
    ref = SkLinearRegression().fit(X, y, sample_weight=w)
    if rank_deficient:
        with pytest.warns(IllConditionedWarning):
            ours = LinearRegression().fit(X, y, sample_weight=w)
    else:
        ours = LinearRegression().fit(X, y, sample_weight=w)
    assert ours.rank_ == ref.rank_
    assert ours.singular_.shape == ref.singular_.shape
    k = ref.rank_
    assert_allclose(ours.singular_[:k], ref.singular_[:k], rtol=1e-8)
    assert_allclose(ours.singular_[k:], 0.0, atol=1e-8 * ref.singular_[0])


def test_rank_unavailable_after_gradient_fit():
    X, y = _data()
    est = LinearRegression(solver="gd").fit(X.toarray(), y)
    with pytest.raises(AttributeError, match="singular_ is available after a direct solve"):
        est.singular_  # noqa: B018


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["auto", "svd", "lsqr", "gd"])
def test_intercept_is_a_numpy_scalar_of_xs_dtype(dtype, solver):
    X, y = _data()
    X = X.toarray().astype(dtype)
    est = LinearRegression(solver=solver).fit(X, y.astype(dtype))
    assert isinstance(est.intercept_, dtype) and est.coef_.dtype == dtype
    assert LinearRegression(fit_intercept=False).fit(X, y).intercept_ == 0.0


def test_ridge_single_column_target_shapes_as_sklearn():
    X, y = _data()
    est = Ridge().fit(X, y[:, None])
    ref = SkRidge().fit(X, y[:, None])
    assert est.coef_.shape == ref.coef_.shape and est.intercept_.shape == ref.intercept_.shape
    assert LinearRegression().fit(X, y[:, None]).coef_.shape == (1, X.shape[1])


def test_n_jobs_limits_blas_threads_and_keeps_the_result():
    X, y = _data()
    a = LinearRegression(n_jobs=1).fit(X.toarray(), y)
    b = LinearRegression(n_jobs=-1).fit(X.toarray(), y)
    assert_allclose(a.coef_, b.coef_, rtol=1e-10)


def test_iterative_solvers_report_iterations_and_tol():
    X, y = _data()
    loose = Ridge(solver="lsqr", tol=1e-2).fit(X, y)
    tight = Ridge(solver="lsqr", tol=1e-12).fit(X, y)
    assert isinstance(loose.n_iter_, int) and 1 <= loose.n_iter_ < tight.n_iter_
    capped = Ridge(solver="sparse_cg", tol=1e-14, max_iter=2)
    with pytest.warns(Warning, match="did not converge"):
        capped.fit(X, y)


@pytest.mark.parametrize("Est, expected", [(LinearRegression, "lsqr"), (Ridge, "sparse_cg")])
def test_auto_solves_wide_sparse_x_iteratively_as_sklearn(Est, expected):
    X = sp.random(2000, 300, density=0.01, format="csr", random_state=0)  # d³/3 >> 200 nnz
    y = X @ np.random.default_rng(0).normal(size=300) + 1.0
    ours = Est(tol=1e-12).fit(X, y)
    assert ours.solver_ == expected and ours.n_iter_ > 1
    dense = Est(solver="cholesky").fit(X.toarray(), y)
    assert_allclose(ours.coef_, dense.coef_, rtol=1e-8, atol=1e-8)
    assert_allclose(ours.intercept_, dense.intercept_, rtol=1e-8, atol=1e-8)
    narrow = sp.random(2000, 10, density=0.3, format="csr", random_state=0)
    assert Est().fit(narrow, narrow @ np.ones(10)).solver_ == "cholesky"
