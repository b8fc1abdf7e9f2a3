"""Network estimators on skorch/torch (needs the ``nn`` extra)."""

from ._base import DivergenceError
from ._mlp import MLPClassifier, MLPRegressor
from ._modules import MLPModule, init_weights

__all__ = ["DivergenceError", "MLPClassifier", "MLPModule", "MLPRegressor", "init_weights"]
