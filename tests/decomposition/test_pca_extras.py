"""PCA's sklearn namesakes: n_components='mle', 'arpack', power_iteration_normalizer,
sparse input, fit_transform's scores - each against scikit-learn's PCA."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes, load_iris
from sklearn.decomposition import PCA as SkPCA

from skdl import PCA
from skdl.decomposition._pca import _mle_rank


def _low_rank(n=300, d=12, rank=4, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, d)) * 3
    return X + noise * rng.normal(size=(n, d)) + rng.normal(size=d)


def _sparse(n=400, d=30, density=0.1, seed=0):
    return sp.random(n, d, density=density, format="csr", random_state=seed) * 10


@pytest.mark.parametrize(
    "X",
    [_low_rank(), _low_rank(rank=7, noise=0.5, seed=1), load_iris().data,
     load_diabetes().data, np.random.default_rng(3).normal(size=(50, 10))],
)
@pytest.mark.parametrize("svd_solver", ["full", "covariance_eigh", "auto"])
def test_mle_picks_sklearns_rank(X, svd_solver):
    ours = PCA(n_components="mle", svd_solver=svd_solver).fit(X)
    ref = SkPCA(n_components="mle", svd_solver="full").fit(X)
    assert ours.n_components_ == ref.n_components_
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)


def test_mle_rank_of_a_planted_subspace():
    for rank in (1, 3, 6):
        X = _low_rank(n=2000, d=10, rank=rank, noise=0.05, seed=rank)
        assert PCA(n_components="mle").fit(X).n_components_ == rank
    assert _mle_rank(np.array([5.0]), 10) == 1


def test_mle_errors():
    with pytest.raises(ValueError, match="n_samples >= n_features"):
        PCA(n_components="mle").fit(np.random.default_rng(0).normal(size=(5, 8)))
    with pytest.raises(ValueError, match="cannot be a string with svd_solver='randomized'"):
        PCA(n_components="mle", svd_solver="randomized").fit(_low_rank())


@pytest.mark.parametrize("shape", [(300, 20), (40, 90)])
def test_arpack_matches_sklearn(shape):
    X = np.random.default_rng(0).normal(size=shape) @ np.diag(np.geomspace(5, 0.5, shape[1]))
    ours = PCA(n_components=5, svd_solver="arpack", random_state=0).fit(X)
    ref = SkPCA(n_components=5, svd_solver="arpack", random_state=0).fit(X)
    assert ours.svd_solver_ == "arpack"
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)
    assert_allclose(ours.components_, ref.components_, atol=1e-7)
    assert_allclose(ours.fit_transform(X), ref.fit_transform(X), atol=1e-7)
    assert PCA(svd_solver="arpack").fit(X).n_components_ == min(shape) - 1


@pytest.mark.parametrize("normalizer", ["QR", "LU", "none", "auto"])
def test_power_iteration_normalizer_same_subspace(normalizer):
    X = _low_rank(n=500, d=60, rank=5, noise=0.01)
    kw = dict(n_components=5, svd_solver="randomized", random_state=0)
    ours = PCA(power_iteration_normalizer=normalizer, iterated_power=3, **kw).fit(X)
    exact = PCA(n_components=5, svd_solver="full").fit(X)
    assert_allclose(ours.explained_variance_, exact.explained_variance_, rtol=1e-6)
    assert_allclose(np.abs(ours.components_ @ exact.components_.T), np.eye(5), atol=1e-6)


@pytest.mark.parametrize("whiten", [False, True])
def test_randomized_fit_transform_is_sklearns(whiten):
    X = np.random.default_rng(0).normal(size=(200, 80))  # flat spectrum: U S != X V
    kw = dict(n_components=3, svd_solver="randomized", whiten=whiten, random_state=0)
    ours, ref = PCA(**kw), SkPCA(**kw)
    assert_allclose(ours.fit_transform(X), ref.fit_transform(X), rtol=1e-8, atol=1e-10)
    assert_allclose(ours.singular_values_, ref.singular_values_, rtol=1e-10)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("svd_solver", ["covariance_eigh", "randomized", "arpack", "auto"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_equals_dense(fmt, svd_solver, dtype):
    Xs = _sparse().asformat(fmt).astype(dtype)
    kw = dict(n_components=5, svd_solver=svd_solver, random_state=0)
    ours = PCA(**kw).fit(Xs)
    dense = PCA(**kw).fit(Xs.toarray())
    single = dtype == np.float32
    rtol = 1e-4 if single else 1e-8
    assert ours.components_.dtype == dtype
    assert_allclose(ours.explained_variance_, dense.explained_variance_, rtol=rtol)
    assert_allclose(ours.mean_, dense.mean_, rtol=rtol, atol=1e-6 if single else 0)
    cos = np.abs(ours.components_ @ dense.components_.T)
    assert_allclose(cos, np.eye(5), atol=1e-3 if single else 1e-7)
    Xt, Xt_dense = ours.transform(Xs), dense.transform(Xs.toarray())
    assert_allclose(Xt, Xt_dense, rtol=rtol, atol=1e-4 if single else 1e-9)
    assert_allclose(ours.score_samples(Xs), dense.score_samples(Xs.toarray()), rtol=rtol)


def test_sparse_matches_sklearn_and_partial_fit():
    Xs = _sparse(n=600, d=20)
    ours = PCA(n_components=4, svd_solver="covariance_eigh").fit(Xs)
    ref = SkPCA(n_components=4, svd_solver="covariance_eigh").fit(Xs)
    assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)
    stream = PCA(n_components=4)
    for start in range(0, 600, 150):
        stream.partial_fit(Xs[start : start + 150])
    assert_allclose(stream.explained_variance_, ours.explained_variance_, rtol=1e-8)
    auto = PCA(n_components=4, random_state=0).fit(_sparse(n=100, d=30))
    assert auto.svd_solver_ == SkPCA(n_components=4).fit(_sparse(n=100, d=30))._fit_svd_solver


def test_sparse_full_refused():
    with pytest.raises(TypeError, match=r"svd_solver='full'\) needs a dense X"):
        PCA(svd_solver="full").fit(_sparse())
