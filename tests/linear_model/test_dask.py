"""Out-of-core fits of the linear models on dask arrays (block moments merged)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skdl import LinearRegression, Ridge

da = pytest.importorskip("dask.array")


def _data(n=4000, d=6, k=None):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d)) * np.arange(1, d + 1) + 100.0
    coef = rng.normal(size=(d,) if k is None else (d, k))
    y = X @ coef + 3.0 + rng.normal(size=(n,) if k is None else (n, k))
    return X, y


@pytest.mark.parametrize("est", [LinearRegression(), Ridge(alpha=2.5),
                                 LinearRegression(fit_intercept=False)], ids=repr)
@pytest.mark.parametrize("k", [None, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_dask_fit_equals_in_memory_fit(est, k, weighted):
    X, y = _data(k=k)
    w = np.random.default_rng(1).uniform(0.2, 2, size=len(X)) if weighted else None
    Xd = da.from_array(X, chunks=(100, 6))  # 40 row chunks
    yd = da.from_array(y, chunks=100 if k is None else (100, k))
    wd = None if w is None else da.from_array(w, chunks=100)
    assert Xd.numblocks[0] == 40
    mem = type(est)(**est.get_params()).fit(X, y, sample_weight=w)
    dsk = type(est)(**est.get_params()).fit(Xd, yd, sample_weight=wd)
    assert_allclose(dsk.coef_, mem.coef_, rtol=1e-8)
    assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-8, atol=1e-10)
    assert_allclose(dsk.sigma2_, mem.sigma2_, rtol=1e-8)
    pred = dsk.predict(Xd)
    assert isinstance(pred, da.Array)
    assert_allclose(pred.compute(), mem.predict(X), rtol=1e-8)
    assert dsk.n_features_in_ == X.shape[1]


def test_dask_errors():
    X, y = _data()
    Xd = da.from_array(X, chunks=(500, 6))
    with pytest.raises(ValueError, match="solver='cholesky' or 'auto'"):
        LinearRegression(solver="svd").fit(Xd, y)
    bad = X.copy()
    bad[7, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        LinearRegression().fit(da.from_array(bad, chunks=(500, 6)), y)
    reg = LinearRegression().fit(Xd, y)
    with pytest.raises(ValueError, match="expecting 6 features"):
        reg.predict(Xd[:, :5])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearRegression().fit(Xd, y[:-1])


@pytest.mark.slow
def test_dask_fits_of_4gb_array_stay_under_1gb_peak_rss():
    # LinearRegression and PCA, in a fresh process so that the peak RSS is theirs
    code = textwrap.dedent(
        """
        import resource, time
        import dask.array as da
        from skdl import PCA, LinearRegression
        n, d = 5_000_000, 100                       # 4.0 GB of float64, 40 chunks
        X = da.random.default_rng(0).random(size=(n, d), chunks=(125_000, d))
        y = X[:, 0] * 2.0 - X[:, 1] + 1.0 + X[:, 2] ** 2
        t0 = time.perf_counter()
        reg = LinearRegression().fit(X, y)
        dt = time.perf_counter() - t0
        pca = PCA(n_components=5).fit(X)  # the covariance route, block by block
        assert pca.svd_solver_ == "covariance_eigh" and pca.n_samples_ == n
        try:  # this process's own high-water mark (VmHWM: a new one per exec)
            with open("/proc/self/status") as fh:
                peak = next(int(line.split()[1]) for line in fh
                            if line.startswith("VmHWM:")) / 2**20  # GiB
        except (OSError, StopIteration):
            # (ru_maxrss would be no smaller: Linux carries the parent's peak at fork
            # over the exec into the child's, so a large pytest process inflates it)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"{X.nbytes / 2**30:.2f} {peak:.3f} {dt:.1f} {reg.coef_[0]:.6f}")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    nbytes_gib, peak_gib, seconds, coef0 = map(float, out.stdout.split())
    print(f"dask fit: {nbytes_gib:.2f} GiB array, peak RSS {peak_gib:.3f} GiB, {seconds:.1f} s")
    assert nbytes_gib > 3.7
    assert peak_gib < 1.0
    assert coef0 == pytest.approx(2.0, abs=1e-2)


@pytest.mark.parametrize("est", [LinearRegression(), Ridge(alpha=2.5), Ridge(solver="cholesky"),
                                 LinearRegression(fit_intercept=False)], ids=repr)
@pytest.mark.parametrize("k", [None, 2])
def test_partial_fit_over_chunks_equals_fit(est, k):
    X, y = _data(k=k)
    w = np.random.default_rng(2).uniform(0.2, 2, size=len(X))
    full = type(est)(**est.get_params()).fit(X, y, sample_weight=w)
    inc = type(est)(**est.get_params())
    for idx in np.array_split(np.arange(len(X)), 40):
        inc.partial_fit(X[idx], y[idx], sample_weight=w[idx])
    assert_allclose(inc.coef_, full.coef_, rtol=1e-8)
    assert_allclose(inc.intercept_, full.intercept_, rtol=1e-8, atol=1e-10)
    assert_allclose(inc.sigma2_, full.sigma2_, rtol=1e-6)
    assert inc.solver_ == "cholesky"
    # chunks given as dask arrays go through the same merge
    dinc = type(est)(**est.get_params())
    for idx in np.array_split(np.arange(len(X)), 4):
        dinc.partial_fit(da.from_array(X[idx], chunks=(250, 6)), y[idx], sample_weight=w[idx])
    assert_allclose(dinc.coef_, full.coef_, rtol=1e-8)
    # fit, then partial_fit continues from the fitted statistics
    half = len(X) // 2
    cont = type(est)(**est.get_params()).fit(X[:half], y[:half], sample_weight=w[:half])
    cont.partial_fit(X[half:], y[half:], sample_weight=w[half:])
    assert_allclose(cont.coef_, full.coef_, rtol=1e-8)


def test_partial_fit_singular_start_and_errors():
    X, y = _data()
    reg = LinearRegression()
    reg.partial_fit(X[:3], y[:3])  # 3 rows, 6 features: singular, pseudo-inverse
    assert reg.solver_ == "pinv" and np.all(np.isfinite(reg.coef_))
    reg.partial_fit(X[3:], y[3:])
    assert reg.solver_ == "cholesky"
    assert_allclose(reg.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-8)
    with pytest.raises(ValueError, match="expecting 6 features"):
        reg.partial_fit(X[:, :5], y)
    with pytest.raises(np.linalg.LinAlgError, match="chunks seen so far"):
        LinearRegression(solver="cholesky").partial_fit(X[:3], y[:3])
    assert not hasattr(LinearRegression(solver="svd"), "partial_fit")
