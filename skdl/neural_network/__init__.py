"""Network estimators on skorch/torch (needs the ``nn`` extra)."""

from ._base import DivergenceError
from ._mlp import MLPClassifier, MLPRegressor

__all__ = ["DivergenceError", "MLPClassifier", "MLPRegressor"]
