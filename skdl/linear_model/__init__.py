"""Linear models: least squares, ridge (note 001 ch. 3-5)."""

from skdl.linear_model._linear import IllConditionedWarning, LinearRegression, Ridge
from skdl.linear_model._logistic import LogisticIRLS
from skdl.linear_model._softmax import SoftmaxClassifier

__all__ = ["IllConditionedWarning", "LinearRegression", "Ridge"]
__all__ += ["LogisticIRLS", "SoftmaxClassifier"]  # note 001 ch. 7
