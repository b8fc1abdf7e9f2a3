"""Linear models: least squares and ridge (note 001 ch. 3-5), radial-basis-function
regression (note 001 ch. 5), logistic and softmax classification (note 001 ch. 7), the
lasso and the elastic net (note 001 §5.2)."""

from skdl.linear_model._basis import RBFFeatures, RidgeRBF
from skdl.linear_model._coordinate import ElasticNet, Lasso, enet_path, lasso_path
from skdl.linear_model._linear import IllConditionedWarning, LinearRegression, Ridge
from skdl.linear_model._logistic import LogisticIRLS
from skdl.linear_model._softmax import SoftmaxClassifier

__all__ = [
    "ElasticNet",
    "IllConditionedWarning",
    "Lasso",
    "LinearRegression",
    "LogisticIRLS",
    "RBFFeatures",
    "Ridge",
    "RidgeRBF",
    "SoftmaxClassifier",
    "enet_path",
    "lasso_path",
]
