"""Prediction reuses one inference copy of the module while the weights are unchanged,
and makes a fresh one after any change of them."""

import gc
import pickle

import numpy as np
import pytest
import torch

from skdl.neural_network import MLPClassifier, MLPRegressor
from skdl.neural_network._base import _EVAL_COPIES

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 5))
Y = (X[:, 0] + X[:, 1] > 0).astype(int)


def _fitted(**params):
    return MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0, **params).fit(X, Y)


def _copy(est):
    return _EVAL_COPIES[est.net_.module_][3]


def test_predict_reuses_the_copy_and_matches_a_fresh_forward():
    est = _fitted()
    proba = est.predict_proba(X)
    first = _copy(est)
    np.testing.assert_array_equal(est.predict_proba(X[:7]), proba[:7])
    assert _copy(est) is first
    assert "_eval_cache" not in vars(est)  # not in the estimator (check_dict_unchanged)
    _EVAL_COPIES.pop(est.net_.module_)  # a fresh copy gives the same numbers
    np.testing.assert_array_equal(est.predict_proba(X), proba)


@pytest.mark.parametrize("change", ["partial_fit", "fit", "load_state_dict", "in_place"])
def test_a_change_of_the_weights_makes_a_new_copy(change):
    est = _fitted(warm_start=change == "fit")
    est.predict(X)
    before = _copy(est)
    module = est.net_.module_
    if change == "partial_fit":
        est.partial_fit(X, Y)
    elif change == "fit":
        est.fit(X, Y)
    elif change == "load_state_dict":
        state = {k: torch.zeros_like(v) for k, v in module.state_dict().items()}
        module.load_state_dict(state)
    else:
        with torch.no_grad():
            next(module.parameters()).mul_(2.0)
    out = est.predict_proba(X)
    assert _copy(est) is not before
    _EVAL_COPIES.pop(est.net_.module_)
    np.testing.assert_array_equal(est.predict_proba(X), out)


def test_the_copy_is_not_pickled_and_goes_with_its_module():
    est = MLPRegressor(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, X[:, 0])
    pred = est.predict(X)
    size = len(pickle.dumps(est))
    module = est.net_.module_
    assert module in _EVAL_COPIES
    _EVAL_COPIES.pop(module)
    assert len(pickle.dumps(est)) == size
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict(X), pred)
    n = len(_EVAL_COPIES)
    del est, clone, module
    gc.collect()
    assert len(_EVAL_COPIES) < n
