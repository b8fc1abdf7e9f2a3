import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skdl.utils._moments import Moments, block_moments, merge_all, merge_moments


def _reference(Z, w=None):
    w = np.ones(len(Z)) if w is None else w
    mean = np.average(Z, axis=0, weights=w)
    D = Z - mean
    return w.sum(), mean, (D * w[:, None]).T @ D


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("block_rows", [1, 7, 64, None])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_block_moments_equal_two_pass(weighted, block_rows, n_threads):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 5)) * [1, 10, 1e-2, 1, 1] + 1e6  # large offset
    Y = rng.normal(size=(1000, 2))
    w = rng.uniform(0, 3, size=1000) if weighted else None
    mom = block_moments((X, Y), w, block_rows=block_rows, n_threads=n_threads)
    sw, mean, scatter = _reference(np.hstack([X, Y]), w)
    assert mom.sw == pytest.approx(sw, rel=1e-12)
    assert_allclose(mom.mean, mean, rtol=1e-13, atol=1e-12)
    assert_allclose(mom.scatter, scatter, rtol=1e-9, atol=1e-9 * np.abs(scatter).max())


def test_merge_equals_whole_and_single_sample_update():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(300, 4)) + 5
    chunks = np.array_split(Z, 10)
    merged = merge_all(block_moments((c,)) for c in chunks)
    whole = block_moments((Z,))
    assert merged.sw == whole.sw
    assert_allclose(merged.mean, whole.mean, rtol=1e-13)
    assert_allclose(merged.scatter, whole.scatter, rtol=1e-11)
    # note 000 §8: S_n = S_{n-1} + (x_n - mu_n)(x_n - mu_{n-1}), one sample at a time
    acc = block_moments((Z[:1],))
    for row in Z[1:]:
        prev_mean = acc.mean
        acc = merge_moments(acc, block_moments((row[None, :],)))
        assert_allclose(acc.mean, prev_mean + (row - prev_mean) / acc.sw, rtol=1e-12)
    assert_allclose(acc.scatter, whole.scatter, rtol=1e-10)


def test_merge_with_empty_and_errors():
    a = block_moments((np.ones((3, 2)),))
    empty = Moments(0.0, np.zeros(2), np.zeros((2, 2)))
    assert merge_moments(a, empty) is a and merge_moments(empty, a) is a
    with pytest.raises(ValueError, match="at least one"):
        merge_all([])


@pytest.mark.parametrize("offset", [0.0, 3.0, 1e6])
def test_direct_path_for_large_unweighted_input(offset, monkeypatch):
    # large unweighted float64 input: XᵀX straight from BLAS plus the centring
    # correction; badly centred columns (offset 1e6) must take the blocked path
    import skdl.utils._moments as mod

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 5)) + offset
    Y = rng.normal(size=(200_000, 2))
    calls = []
    real = mod._direct_moments
    monkeypatch.setattr(mod, "_direct_moments", lambda *a: calls.append(r := real(*a)) or r)
    mom = block_moments((X, Y))
    assert len(calls) == 1
    assert (calls[0] is None) == (offset == 1e6)
    sw, mean, scatter = _reference(np.hstack([X, Y]))
    assert mom.sw == sw
    assert_allclose(mom.mean, mean, rtol=1e-12, atol=1e-12)
    assert_allclose(mom.scatter, scatter, rtol=1e-10, atol=1e-10 * np.abs(scatter).max())


@pytest.mark.parametrize("weighted", [False, True])
def test_moments_in_many_row_tasks_equal_two_pass_on_any_threads(weighted, monkeypatch):
    # small tasks (a few blocks each): the threaded blocked path and the direct path
    # cut X into many tasks; the result is bitwise the same on 2 or 3 threads
    from skdl.utils import _threads

    rng = np.random.default_rng(3)
    X = rng.normal(size=(200_000, 6)) + 2.0
    Y = rng.normal(size=(200_000, 1))
    w = rng.uniform(0, 3, size=200_000) if weighted else None
    monkeypatch.setattr(_threads, "TASK_BYTES", 2**17)
    sw, mean, scatter = _reference(np.hstack([X, Y]), w)
    runs = []
    for n_cpus in (2, 3):
        monkeypatch.setattr(_threads, "n_cpus", lambda n=n_cpus: n)
        runs.append(block_moments((X, Y), w, block_rows=None if weighted else 512,
                                  n_threads=n_cpus))
        if not weighted:
            runs.append(block_moments((X, Y)))  # the direct path
    for mom in runs:
        assert mom.sw == pytest.approx(sw, rel=1e-12)
        assert_allclose(mom.mean, mean, rtol=1e-12, atol=1e-12)
        assert_allclose(mom.scatter, scatter, rtol=1e-10, atol=1e-10 * np.abs(scatter).max())
    half = len(runs) // 2
    for a, b in zip(runs[:half], runs[half:], strict=True):
        assert_array_equal(a.scatter, b.scatter)
        assert_array_equal(a.mean, b.mean)
