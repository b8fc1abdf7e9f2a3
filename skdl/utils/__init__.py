"""Utilities: estimator discovery, shared helpers and plotting displays."""

from skdl.utils._discovery import all_estimators
from skdl.utils._plotting import TrainingCurveDisplay

__all__ = ["TrainingCurveDisplay", "all_estimators"]
