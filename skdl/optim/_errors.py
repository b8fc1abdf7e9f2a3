"""Errors and warnings of gradient-based fitting (defined in :mod:`skdl.exceptions`)."""

from skdl.exceptions import DivergenceError, FeatureScaleWarning

__all__ = ["DivergenceError", "FeatureScaleWarning"]
