"""Network estimators on skorch/torch (needs the ``nn`` extra)."""

from ..exceptions import DivergenceError  # noqa: F401  (skdl.optim's, documented there)
from ._autoencoder import VAE, Autoencoder, SemiSupervisedVAE
from ._cnn import CNNClassifier, CNNRegressor
from ._mlp import MLPClassifier, MLPRegressor
from ._modules import MLPModule, init_weights
from ._recurrent import LSTMClassifier, LSTMRegressor

__all__ = [
    "Autoencoder",
    "CNNClassifier",
    "CNNRegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "MLPClassifier",
    "MLPModule",
    "MLPRegressor",
    "SemiSupervisedVAE",
    "VAE",
    "init_weights",
]
