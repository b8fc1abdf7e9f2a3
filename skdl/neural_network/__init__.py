"""Network estimators on skorch/torch (needs the ``nn`` extra)."""

from ._autoencoder import VAE, Autoencoder, SemiSupervisedVAE
from ._base import DivergenceError
from ._mlp import MLPClassifier, MLPRegressor
from ._modules import MLPModule, init_weights

__all__ = [
    "VAE",
    "Autoencoder",
    "DivergenceError",
    "MLPClassifier",
    "MLPModule",
    "MLPRegressor",
    "SemiSupervisedVAE",
    "init_weights",
]
