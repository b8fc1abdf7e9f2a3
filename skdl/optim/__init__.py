"""Numpy update rules, learning-rate schedules and minibatches (note 000 §1, note 001 ch. 6,
note 002 "Optimize the statistical model").

Shared by the numpy estimators with an iterative solver (LinearRegression and Ridge with
``solver='gd'|'sgd'|'newton'``).  Each rule holds its state and updates a list of numpy
arrays in place: ``rule.step(params, grads)``.
"""

from skdl.optim._errors import DivergenceError, FeatureScaleWarning
from skdl.optim._minibatch import MinibatchIterator
from skdl.optim._rules import (
    RULES,
    SGD,
    Adadelta,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    Newton,
    RMSprop,
    UpdateRule,
    get_rule,
)
from skdl.optim._schedules import (
    Constant,
    Cosine,
    CyclicTriangular,
    InverseDecay,
    LinearWarmup,
    Schedule,
    StepDecay,
)

__all__ = [
    "RULES",
    "SGD",
    "AdaGrad",
    "Adadelta",
    "Adam",
    "Constant",
    "Cosine",
    "CyclicTriangular",
    "DivergenceError",
    "FeatureScaleWarning",
    "InverseDecay",
    "LinearWarmup",
    "MinibatchIterator",
    "Momentum",
    "Nesterov",
    "Newton",
    "RMSprop",
    "Schedule",
    "StepDecay",
    "UpdateRule",
    "get_rule",
]
