"""Numpy update rules, learning-rate schedules and minibatches (note 000 §1, note 001 ch. 6,
note 002 "Optimize the statistical model").

Shared by the numpy estimators with an iterative solver (LinearRegression and Ridge with
``solver='gd'|'sgd'|'newton'``, SoftmaxClassifier with ``solver='gd'|'sgd'``), whose
epochs all run in one loop, :func:`gradient_descent` (stopping, early stopping,
divergence).  Each rule holds its state and updates a list of numpy
arrays in place: ``rule.step(params, grads)``; a schedule is evaluated at the rule's
step count; ``MinibatchIterator`` yields one epoch of index batches per iteration,
reshuffled from its seed.  A training loop (here a logistic regression):

>>> import numpy as np
>>> from skdl.optim import Adam, Cosine, MinibatchIterator
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(500, 3))
>>> y = (X @ np.array([2.0, -1.0, 0.5]) > 0).astype(float)
>>> w, b = np.zeros(3), np.zeros(1)
>>> batches = MinibatchIterator(500, batch_size=50, random_state=0)
>>> rule = Adam(learning_rate=0.1, schedule=Cosine(t_max=20 * len(batches)))
>>> for epoch in range(20):
...     for idx in batches:
...         p = 1 / (1 + np.exp(-(X[idx] @ w + b)))
...         r = (p - y[idx]) / len(idx)
...         _ = rule.step([w, b], [X[idx].T @ r, np.array([r.sum()])])
>>> bool(np.mean((X @ w + b > 0) == y) > 0.95), rule.t
(True, 200)
"""

from skdl.optim._errors import DivergenceError, FeatureScaleWarning
from skdl.optim._loop import gradient_descent, validation_split
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
    "gradient_descent",
    "validation_split",
]
