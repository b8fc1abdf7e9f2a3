"""Network estimators on skorch/torch (needs the ``nn`` extra)."""

from ._autoencoder import VAE, Autoencoder, SemiSupervisedVAE
from ._base import DivergenceError
from ._cnn import CNNClassifier, CNNRegressor
from ._mlp import MLPClassifier, MLPRegressor
from ._modules import MLPModule, init_weights
from ._recurrent import LSTMClassifier, LSTMRegressor

__all__ = [
    "Autoencoder",
    "CNNClassifier",
    "CNNRegressor",
    "DivergenceError",
    "LSTMClassifier",
    "LSTMRegressor",
    "MLPClassifier",
    "MLPModule",
    "MLPRegressor",
    "SemiSupervisedVAE",
    "VAE",
    "init_weights",
]
