"""Linear models: least squares, ridge (note 001 ch. 3-5)."""

from skdl.linear_model._basis import RBFFeatures, RidgeRBF
from skdl.linear_model._linear import IllConditionedWarning, LinearRegression, Ridge

__all__ = ["IllConditionedWarning", "LinearRegression", "RBFFeatures", "Ridge", "RidgeRBF"]
