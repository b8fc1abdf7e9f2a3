"""Network estimators on skorch/torch (needs the ``nn`` extra)."""

from ._base import DivergenceError
from ._cnn import CNNClassifier, CNNRegressor
from ._mlp import MLPClassifier, MLPRegressor
from ._modules import MLPModule, init_weights
from ._recurrent import LSTMClassifier, LSTMRegressor

__all__ = [
    "CNNClassifier",
    "CNNRegressor",
    "DivergenceError",
    "LSTMClassifier",
    "LSTMRegressor",
    "MLPClassifier",
    "MLPModule",
    "MLPRegressor",
    "init_weights",
]
