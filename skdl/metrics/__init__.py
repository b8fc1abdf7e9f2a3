"""Closed forms from the notes: KL divergences, Gaussian NLL and entropies."""

from skdl.metrics._entropy import shannon_entropy
from skdl.metrics._gaussian import (
    gaussian_entropy,
    gaussian_nll,
    multivariate_normal_kl_divergence,
    normal_kl_divergence,
)

__all__ = [
    "gaussian_entropy",
    "gaussian_nll",
    "multivariate_normal_kl_divergence",
    "normal_kl_divergence",
    "shannon_entropy",
]
