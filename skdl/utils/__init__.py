"""Utilities: estimator discovery and shared helpers."""

from skdl.utils._discovery import all_estimators

__all__ = ["all_estimators"]
