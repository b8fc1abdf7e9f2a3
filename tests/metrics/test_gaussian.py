"""Closed-form Gaussian KL divergence, NLL and entropy against Monte Carlo and scipy/torch."""

import importlib.util

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from skdl.metrics import (
    gaussian_entropy,
    gaussian_nll,
    multivariate_normal_kl_divergence,
    normal_kl_divergence,
)

HAS_TORCH = importlib.util.find_spec("torch") is not None
N_MC = 400_000


def _random_spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.3 * np.eye(d)


# --------------------------------------------------------------------------- #
# KL divergence                                                                #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "mu_p, sigma_p, mu_q, sigma_q",
    [(0.0, 1.0, 1.0, 1.0), (1.0, 2.0, 0.0, 1.0), (-0.5, 0.5, 0.3, 1.5), (2.0, 3.0, 1.0, 2.0)],
)
def test_normal_kl_matches_monte_carlo(mu_p, sigma_p, mu_q, sigma_q):
    rng = np.random.default_rng(0)
    x = rng.normal(mu_p, sigma_p, size=N_MC)
    mc = np.mean(stats.norm.logpdf(x, mu_p, sigma_p) - stats.norm.logpdf(x, mu_q, sigma_q))
    kl = normal_kl_divergence(mu_p, sigma_p, mu_q, sigma_q)
    assert isinstance(kl, float)
    assert kl == pytest.approx(mc, rel=0.01)


def test_normal_kl_notes_printed_constant_is_wrong():
    # note 000 §3.7 prints "- 1/(2 σ_p²)" instead of "- 1/2": for σ_p != 1 that form is
    # not zero at p = q, whereas the divergence of a distribution from itself is zero
    mu, sigma = 0.3, 2.0
    printed = np.log(sigma / sigma) - 1 / (2 * sigma**2) + sigma**2 / (2 * sigma**2)
    assert printed != pytest.approx(0.0, abs=1e-3)
    assert normal_kl_divergence(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-15)


def test_normal_kl_broadcasts_and_is_nonnegative():
    rng = np.random.default_rng(1)
    mu_p, mu_q = rng.normal(size=(50, 4)), rng.normal(size=4)
    s_p, s_q = rng.uniform(0.2, 3, size=(50, 4)), rng.uniform(0.2, 3, size=4)
    kl = normal_kl_divergence(mu_p, s_p, mu_q, s_q)
    assert kl.shape == (50, 4)
    assert np.all(kl >= 0)
    expected = [
        normal_kl_divergence(mu_p[i, j], s_p[i, j], mu_q[j], s_q[j])
        for i in range(50)
        for j in range(4)
    ]
    assert_allclose(kl.ravel(), expected, rtol=1e-12)


@pytest.mark.parametrize("d", [2, 3, 5])
def test_multivariate_kl_full_matches_monte_carlo(d):
    rng = np.random.default_rng(d)
    mean_p, mean_q = rng.normal(size=d), rng.normal(size=d)
    cov_p, cov_q = _random_spd(rng, d), _random_spd(rng, d)
    x = rng.multivariate_normal(mean_p, cov_p, size=N_MC)
    mc = np.mean(
        stats.multivariate_normal(mean_p, cov_p).logpdf(x)
        - stats.multivariate_normal(mean_q, cov_q).logpdf(x)
    )
    kl = multivariate_normal_kl_divergence(mean_p, cov_p, mean_q, cov_q)
    assert kl > 0.3  # a relative tolerance means something
    assert kl == pytest.approx(mc, rel=0.01)


def test_multivariate_kl_diag_matches_monte_carlo_and_full():
    rng = np.random.default_rng(7)
    d = 4
    mean_p, mean_q = rng.normal(size=d), rng.normal(size=d)
    var_p, var_q = rng.uniform(0.3, 2.0, size=d), rng.uniform(0.3, 2.0, size=d)
    x = mean_p + np.sqrt(var_p) * rng.standard_normal(size=(N_MC, d))
    logp = stats.norm.logpdf(x, mean_p, np.sqrt(var_p)).sum(axis=1)
    logq = stats.norm.logpdf(x, mean_q, np.sqrt(var_q)).sum(axis=1)
    kl_diag = multivariate_normal_kl_divergence(
        mean_p, var_p, mean_q, var_q, covariance_type="diag"
    )
    assert kl_diag == pytest.approx(np.mean(logp - logq), rel=0.01)
    kl_full = multivariate_normal_kl_divergence(mean_p, np.diag(var_p), mean_q, np.diag(var_q))
    assert_allclose(kl_diag, kl_full, rtol=1e-12)
    # a diagonal KL is the sum of the univariate ones
    assert_allclose(
        kl_diag, normal_kl_divergence(mean_p, np.sqrt(var_p), mean_q, np.sqrt(var_q)).sum()
    )


def test_multivariate_kl_reduces_to_vae_term_eq_11_3():
    # note 001 eq. 11.3: q = N(0, I), diagonal Σ_p, d = 2
    mu = np.array([[0.4, -1.2], [0.0, 0.0], [2.0, 1.0]])
    var = np.array([[0.5, 1.5], [1.0, 1.0], [0.1, 3.0]])
    expected = 0.5 * (
        -np.log(var[:, 0] * var[:, 1]) - 2 + var[:, 0] + var[:, 1] + (mu**2).sum(axis=1)
    )
    kl = multivariate_normal_kl_divergence(mu, var, np.zeros(2), np.ones(2), covariance_type="diag")
    assert kl.shape == (3,)
    assert_allclose(kl, expected, rtol=1e-12)
    assert kl[1] == 0.0


def test_multivariate_kl_batches_broadcast():
    rng = np.random.default_rng(3)
    d, n = 3, 6
    mean_p = rng.normal(size=(n, d))
    cov_p = np.stack([_random_spd(rng, d) for _ in range(n)])
    mean_q, cov_q = rng.normal(size=d), _random_spd(rng, d)
    kl = multivariate_normal_kl_divergence(mean_p, cov_p, mean_q, cov_q)
    assert kl.shape == (n,)
    one_by_one = [
        multivariate_normal_kl_divergence(mean_p[i], cov_p[i], mean_q, cov_q) for i in range(n)
    ]
    assert_allclose(kl, one_by_one, rtol=1e-12)
    # a batch of means against one covariance
    kl2 = multivariate_normal_kl_divergence(mean_p, cov_q, mean_q, cov_q)
    assert kl2.shape == (n,)
    diff = mean_p - mean_q
    assert_allclose(kl2, 0.5 * np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov_q), diff))


def test_multivariate_kl_identical_is_zero_and_asymmetric():
    rng = np.random.default_rng(4)
    m, c = rng.normal(size=3), _random_spd(rng, 3)
    assert multivariate_normal_kl_divergence(m, c, m, c) == pytest.approx(0.0, abs=1e-12)
    c2 = 3.0 * c
    assert multivariate_normal_kl_divergence(m, c, m, c2) != pytest.approx(
        multivariate_normal_kl_divergence(m, c2, m, c), rel=1e-3
    )


@pytest.mark.skipif(not HAS_TORCH, reason="needs torch")
def test_multivariate_kl_matches_torch():
    import torch
    from torch.distributions import MultivariateNormal, kl_divergence

    rng = np.random.default_rng(5)
    d = 4
    mean_p, mean_q = rng.normal(size=d), rng.normal(size=d)
    cov_p, cov_q = _random_spd(rng, d), _random_spd(rng, d)
    ref = kl_divergence(
        MultivariateNormal(torch.tensor(mean_p), torch.tensor(cov_p)),
        MultivariateNormal(torch.tensor(mean_q), torch.tensor(cov_q)),
    ).item()
    assert_allclose(
        multivariate_normal_kl_divergence(mean_p, cov_p, mean_q, cov_q), ref, rtol=1e-10
    )


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(sigma_p=0.0), ValueError, "sigma_p must be strictly positive"),
        (dict(sigma_q=-1.0), ValueError, "sigma_q must be strictly positive"),
        (dict(mu_p=np.nan), ValueError, "mu_p contains NaN"),
        (dict(mu_q=np.inf), ValueError, "mu_q contains NaN"),
        (dict(mu_p="a"), TypeError, "mu_p must be numeric"),
        (dict(mu_p=[1.0, 2.0], mu_q=[1.0, 2.0, 3.0]), ValueError, "do not broadcast"),
    ],
)
def test_normal_kl_input_validation(kwargs, err, match):
    args = dict(mu_p=0.0, sigma_p=1.0, mu_q=0.0, sigma_q=1.0) | kwargs
    with pytest.raises(err, match=match):
        normal_kl_divergence(**args)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(cov_p=[[1.0, 2.0], [2.0, 1.0]]), "cov_p is not positive definite"),
        (dict(cov_q=[[1.0, 0.5], [0.0, 1.0]]), "cov_q is not symmetric"),
        (dict(cov_p=np.eye(3)), r"cov_p must have shape \(\.\.\., 2, 2\)"),
        (dict(mean_q=[0.0, 0.0, 0.0]), "different dimensions"),
        (dict(mean_p=[np.nan, 0.0]), "mean_p contains NaN"),
        (dict(mean_p=1.0), "got a scalar"),
        (dict(mean_p=[]), "mean_p is empty"),
        (dict(covariance_type="spherical"), "covariance_type must be one of"),
        (dict(covariance_type="diag", cov_p=np.ones(3)), r"cov_p must hold the d=2 variances"),
        (
            dict(covariance_type="diag", cov_p=[1.0, 0.0], cov_q=[1.0, 1.0]),
            "cov_p must be strictly positive",
        ),
    ],
)
def test_multivariate_kl_input_validation(kwargs, match):
    args = dict(mean_p=[0.0, 0.0], cov_p=np.eye(2), mean_q=[1.0, 0.0], cov_q=np.eye(2)) | kwargs
    covariance_type = args.pop("covariance_type", "full")
    with pytest.raises(ValueError, match=match):
        multivariate_normal_kl_divergence(**args, covariance_type=covariance_type)


# --------------------------------------------------------------------------- #
# Gaussian negative log-likelihood                                             #
# --------------------------------------------------------------------------- #
def test_gaussian_nll_matches_scipy_logpdf():
    rng = np.random.default_rng(0)
    y_pred = rng.normal(size=200)
    var = rng.uniform(0.1, 2.0, size=200)
    y_true = y_pred + np.sqrt(var) * rng.normal(size=200)
    ref = -stats.norm.logpdf(y_true, y_pred, np.sqrt(var)).mean()
    assert_allclose(gaussian_nll(y_true, y_pred, var), ref, rtol=1e-12)
    # the MLE σ² of a constant-variance model is the MSE (note 001 eq. 4.15)
    mse = np.mean((y_true - y_pred) ** 2)
    grid = mse * np.linspace(0.5, 1.5, 101)
    nlls = [gaussian_nll(y_true, y_pred, v) for v in grid]
    assert grid[int(np.argmin(nlls))] == pytest.approx(mse)


def test_gaussian_nll_weights_and_multioutput():
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    var = np.array([0.5, 1.0, 2.0])
    w = rng.uniform(0, 2, size=30)
    raw = gaussian_nll(y_true, y_pred, var, sample_weight=w, multioutput="raw_values")
    ref = np.average(-stats.norm.logpdf(y_true, y_pred, np.sqrt(var)), axis=0, weights=w)
    assert raw.shape == (3,)
    assert_allclose(raw, ref, rtol=1e-12)
    assert gaussian_nll(y_true, y_pred, var, sample_weight=w) == pytest.approx(ref.mean())
    # integer weights equal repeated rows
    wi = rng.integers(0, 3, size=30)
    rep = gaussian_nll(np.repeat(y_true, wi, axis=0), np.repeat(y_pred, wi, axis=0), var)
    assert gaussian_nll(y_true, y_pred, var, sample_weight=wi) == pytest.approx(rep)


@pytest.mark.skipif(not HAS_TORCH, reason="needs torch")
def test_gaussian_nll_matches_torch():
    import torch

    rng = np.random.default_rng(2)
    y_true, y_pred = rng.normal(size=(40, 2)), rng.normal(size=(40, 2))
    var = rng.uniform(0.1, 3.0, size=(40, 2))
    ref = torch.nn.GaussianNLLLoss(full=True)(
        torch.tensor(y_pred), torch.tensor(y_true), torch.tensor(var)
    ).item()
    assert_allclose(gaussian_nll(y_true, y_pred, var), ref, rtol=1e-10)


@pytest.mark.parametrize(
    "args, kwargs, err, match",
    [
        (([1.0, 2.0], [1.0], 1.0), {}, ValueError, "inconsistent numbers of samples"),
        (([1.0, 2.0], [1.0, 2.0], 0.0), {}, ValueError, "y_var must be strictly positive"),
        (([1.0, np.nan], [1.0, 2.0], 1.0), {}, ValueError, "NaN"),
        (([1.0, 2.0], [1.0, 2.0], [1.0, 1.0, 1.0]), {}, ValueError, "does not broadcast"),
        (([[1.0, 2.0]], [[1.0, 2.0, 3.0]], 1.0), {}, ValueError, "different shapes"),
        (([], [], 1.0), {}, ValueError, "0 sample"),
        (([1.0], [1.0], 1.0), {"multioutput": "sum"}, ValueError, "multioutput must be"),
        (([1.0, 2.0], [1.0, 2.0], 1.0), {"sample_weight": [1.0]}, ValueError, "sample_weight"),
    ],
)
def test_gaussian_nll_input_validation(args, kwargs, err, match):
    with pytest.raises(err, match=match):
        gaussian_nll(*args, **kwargs)


# --------------------------------------------------------------------------- #
# Gaussian entropy                                                             #
# --------------------------------------------------------------------------- #
def test_gaussian_entropy_matches_scipy():
    assert gaussian_entropy(1.0) == pytest.approx(1.418938533204673, rel=1e-14)  # note 002
    for var in (0.1, 2.5, 9.0):
        assert_allclose(gaussian_entropy(var), stats.norm(scale=np.sqrt(var)).entropy())
    rng = np.random.default_rng(0)
    for d in (1, 2, 5):
        cov = _random_spd(rng, d)
        ref = stats.multivariate_normal(np.zeros(d), cov).entropy()
        assert_allclose(gaussian_entropy(cov), ref, rtol=1e-12)
        assert_allclose(gaussian_entropy(cov, base=2), ref / np.log(2), rtol=1e-12)
    var = rng.uniform(0.2, 3.0, size=(7, 3))
    h = gaussian_entropy(var, covariance_type="diag")
    assert h.shape == (7,)
    assert_allclose(h, [stats.multivariate_normal(np.zeros(3), np.diag(v)).entropy() for v in var])


def test_gaussian_entropy_matches_monte_carlo():
    rng = np.random.default_rng(1)
    cov = _random_spd(rng, 3)
    dist = stats.multivariate_normal(np.ones(3), cov)
    mc = -dist.logpdf(dist.rvs(size=N_MC, random_state=rng)).mean()
    assert gaussian_entropy(cov) == pytest.approx(mc, rel=0.01)


@pytest.mark.parametrize(
    "cov, kwargs, err, match",
    [
        (0.0, {}, ValueError, "cov must be strictly positive"),
        ([[1.0, 2.0], [2.0, 1.0]], {}, ValueError, "not positive definite"),
        ([1.0, 2.0], {}, ValueError, "must be a square matrix"),
        ([1.0, -2.0], {"covariance_type": "diag"}, ValueError, "strictly positive"),
        ([np.inf], {"covariance_type": "diag"}, ValueError, "NaN or infinity"),
        (1.0, {"base": 1}, ValueError, "base must be a number > 1"),
        (1.0, {"base": "e"}, TypeError, "base must be a number"),
        ("x", {}, TypeError, "cov must be numeric"),
    ],
)
def test_gaussian_entropy_input_validation(cov, kwargs, err, match):
    with pytest.raises(err, match=match):
        gaussian_entropy(cov, **kwargs)
