"""Shannon entropy of discrete distributions against scipy.stats.entropy."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from skdl.metrics import shannon_entropy


def test_shannon_entropy_matches_scipy():
    rng = np.random.default_rng(0)
    for k in (2, 5, 30):
        p = rng.dirichlet(np.ones(k))
        assert_allclose(shannon_entropy(p), stats.entropy(p), rtol=1e-12)
        assert_allclose(shannon_entropy(p, base=2), stats.entropy(p, base=2), rtol=1e-12)
    # unnormalised weights are normalised, as scipy does
    w = rng.uniform(0, 5, size=8)
    assert_allclose(shannon_entropy(w), stats.entropy(w), rtol=1e-12)
    # one distribution per row / column
    P = rng.dirichlet(np.ones(4), size=10)
    assert_allclose(shannon_entropy(P, axis=1), stats.entropy(P, axis=1), rtol=1e-12)
    assert_allclose(shannon_entropy(P.T), stats.entropy(P.T), rtol=1e-12)


def test_bernoulli_entropy_eq_4_18():
    theta = np.linspace(0.0, 1.0, 101)
    h = shannon_entropy(np.stack([theta, 1 - theta]), base=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = -np.nan_to_num((1 - theta) * np.log2(1 - theta) + theta * np.log2(theta))
    assert_allclose(h, expected, atol=1e-12)
    assert h[50] == pytest.approx(1.0)  # one bit at θ = ½
    assert h[0] == h[-1] == 0.0  # 0 log 0 = 0: a certain outcome carries no information
    assert np.argmax(h) == 50


def test_uniform_has_maximal_entropy():
    rng = np.random.default_rng(1)
    k = 6
    assert shannon_entropy(np.ones(k)) == pytest.approx(np.log(k))
    for _ in range(20):
        assert shannon_entropy(rng.dirichlet(np.ones(k))) < np.log(k)


@pytest.mark.parametrize(
    "pk, kwargs, err, match",
    [
        ([0.5, -0.1, 0.6], {}, ValueError, "non-negative"),
        ([0.0, 0.0], {}, ValueError, "sums to zero"),
        ([0.5, np.nan], {}, ValueError, "NaN"),
        ([], {}, ValueError, "empty"),
        (0.5, {}, ValueError, "scalar"),
        (["a", "b"], {}, TypeError, "numeric"),
        ([0.5, 0.5], {"base": 0.5}, ValueError, "base"),
        ([0.5, 0.5], {"axis": 1}, ValueError, "out of bounds"),
        ([0.5, 0.5], {"axis": 0.0}, TypeError, "axis must be an integer"),
    ],
)
def test_shannon_entropy_input_validation(pk, kwargs, err, match):
    with pytest.raises(err, match=match):
        shannon_entropy(pk, **kwargs)
