"""PCA on dask arrays: covariance route block by block, equal to the in-memory fit."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skdl import PCA

da = pytest.importorskip("dask.array")


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(4000, 12)) @ rng.normal(size=(12, 12)) + 50.0


@pytest.mark.parametrize("n_components", [3, 0.9, None])
@pytest.mark.parametrize("whiten", [False, True])
def test_dask_fit_equals_in_memory(n_components, whiten):
    X = _data()
    Xd = da.from_array(X, chunks=(100, 12))
    assert Xd.numblocks[0] == 40
    mem = PCA(n_components=n_components, whiten=whiten, svd_solver="covariance_eigh").fit(X)
    dsk = PCA(n_components=n_components, whiten=whiten).fit(Xd)
    assert dsk.svd_solver_ == "covariance_eigh"
    assert dsk.n_components_ == mem.n_components_
    for attr in ("explained_variance_", "explained_variance_ratio_", "singular_values_",
                 "mean_", "components_"):
        assert_allclose(getattr(dsk, attr), getattr(mem, attr), rtol=1e-8, atol=1e-10)
    assert dsk.noise_variance_ == pytest.approx(mem.noise_variance_, rel=1e-8, abs=1e-12)
    Xt = dsk.transform(Xd)
    assert isinstance(Xt, da.Array)
    assert_allclose(Xt.compute(), mem.transform(X), rtol=1e-8, atol=1e-8)


def test_partial_fit_with_dask_chunks_and_errors():
    X = _data()
    full = PCA(n_components=4, svd_solver="covariance_eigh").fit(X)
    inc = PCA(n_components=4)
    for part in np.array_split(X, 10):
        inc.partial_fit(da.from_array(part, chunks=(100, 12)))
    assert_allclose(inc.components_, full.components_, rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="svd_solver='covariance_eigh' or 'auto'"):
        PCA(svd_solver="full").fit(da.from_array(X, chunks=(500, 12)))
    bad = X.copy()
    bad[3, 3] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        PCA().fit(da.from_array(bad, chunks=(500, 12)))
    with pytest.raises(ValueError, match="expecting 12 features"):
        full.transform(da.from_array(X[:, :5], chunks=(500, 5)))
