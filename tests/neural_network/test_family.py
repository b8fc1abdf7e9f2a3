"""The network family's shape: MLP, CNN and LSTM estimators are siblings over the
shared bases, each with its own ``__init__``, and their fit methods validate the
parameters once, through scikit-learn's ``_fit_context``."""

import inspect

import numpy as np
import pytest
from sklearn import config_context

from skdl.neural_network import (
    CNNClassifier,
    CNNRegressor,
    LSTMClassifier,
    LSTMRegressor,
    MLPClassifier,
    MLPRegressor,
)
from skdl.neural_network._base import BaseNeuralNetwork, _NetworkBase

FAMILY = [MLPClassifier, MLPRegressor, CNNClassifier, CNNRegressor, LSTMClassifier, LSTMRegressor]
RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 4))
Y = (X[:, 0] > 0).astype(int)


def test_siblings_not_subclasses():
    for cls in FAMILY:
        assert issubclass(cls, _NetworkBase)
        for other in FAMILY:
            if other is not cls:
                assert not issubclass(cls, other), (cls, other)
    # the recurrent networks have no dense-layer parameters
    assert not issubclass(LSTMRegressor, BaseNeuralNetwork)
    assert issubclass(CNNClassifier, BaseNeuralNetwork)


@pytest.mark.parametrize("cls", FAMILY)
def test_own_init_and_composed_constraints(cls):
    assert "__init__" in vars(cls)
    params = set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs"}
    # every parameter is constrained, and nothing but the parameters is
    assert set(cls._parameter_constraints) == params
    assert set(_NetworkBase._parameter_constraints) <= params
    # no class attribute stands in for a parameter the estimator does not have
    for name in BaseNeuralNetwork._parameter_constraints:
        if name not in params:
            assert not hasattr(cls, name), (cls.__name__, name)


def _counting(est):
    calls = []
    validate = est._validate_params

    def counted():
        calls.append(1)
        validate()

    est._validate_params = counted
    return calls


def _small(cls):
    if cls.__name__.startswith("LSTM"):
        return cls(hidden_size=2, max_iter=1, random_state=0)
    if cls.__name__.startswith("CNN"):
        return cls(conv_channels=(2,), hidden_layer_sizes=(2,), max_iter=1, random_state=0)
    return cls(hidden_layer_sizes=(2,), max_iter=1, random_state=0)


@pytest.mark.parametrize("cls", FAMILY)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_validated_once_per_fit_and_not_again_by_partial_fit(cls):
    y = Y if cls.__name__.endswith("Classifier") else X[:, 0]
    est = _small(cls)
    calls = _counting(est)
    est.fit(X, y)
    assert len(calls) == 1
    est = _small(cls)
    calls = _counting(est)
    est.partial_fit(X, y)
    est.partial_fit(X, y)  # fitted: as sklearn, partial_fit does not validate again
    assert len(calls) == 1
    with config_context(skip_parameter_validation=True):
        est = _small(cls)
        calls = _counting(est)
        est.fit(X, y)
    assert calls == []
