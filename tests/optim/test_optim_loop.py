"""skdl.optim.gradient_descent, the one training loop, on small problems of its own."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skdl.optim import (
    SGD,
    DivergenceError,
    MinibatchIterator,
    gradient_descent,
    validation_split,
)
from skdl.utils._results import SolverResult


def _least_squares(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    w = np.zeros(3)

    def loss_grad(idx):
        idx = slice(None) if idx is None else idx
        r = X[idx] @ w - y[idx]
        return 0.5 * float(r @ r), [X[idx].T @ r / len(r)]

    return X, y, w, loss_grad


def test_minibatch_epochs_reach_the_minimum_and_return_a_result():
    X, y, w, loss_grad = _least_squares()
    rule = SGD(learning_rate=0.1)
    res = gradient_descent(loss_grad, [w], rule, MinibatchIterator(200, 20, random_state=0),
                           max_iter=200, tol=1e-8, objective=lambda total: total / 200)
    assert isinstance(res, SolverResult) and res.coef is w and res.intercept is None
    assert_allclose(w, [1.0, -2.0, 0.5], atol=1e-6)
    diag = res.diagnostics
    assert diag["converged"] and not diag["stopped"]
    assert res.n_iter == len(diag["loss_curve"]) < 200
    assert diag["steps"] == rule.t == 10 * res.n_iter
    assert diag["validation_scores"] is None and diag["best_validation_score"] is None


def test_full_batch_records_after_the_step_and_stops_on_the_gradient():
    _, _, w, loss_grad = _least_squares()
    res = gradient_descent(loss_grad, [w], SGD(learning_rate=0.5), None, max_iter=1000,
                           tol=0.0, grad_tol=1e-10, initial_loss=loss_grad(None)[0])
    assert res.diagnostics["converged"]
    assert np.max(np.abs(loss_grad(None)[1][0])) <= 1e-10
    # the last recorded objective is the one at the returned parameters
    assert res.diagnostics["loss_curve"][-1] == loss_grad(None)[0]


def test_patience_stops_after_n_iter_no_change_epochs():
    calls = []

    def flat(idx):
        calls.append(idx)
        return 1.0, [np.zeros(1)]

    res = gradient_descent(flat, [np.zeros(1)], SGD(learning_rate=0.1), [slice(None)],
                           max_iter=100, tol=1e-3, n_iter_no_change=4)
    # the first epoch sets the reference (best +inf before it), then 4 without progress
    assert res.n_iter == 5 and res.diagnostics["converged"]


@pytest.mark.parametrize("lr,match", [(10.0, "became infinite|became NaN|grew from"),
                                      (1e3, "learning_rate=1000.0")])
def test_divergence_raises_naming_the_learning_rate(lr, match):
    _, _, w, loss_grad = _least_squares()
    with pytest.raises(DivergenceError, match=match):
        gradient_descent(loss_grad, [w], SGD(learning_rate=lr), [slice(None)], max_iter=500,
                         tol=1e-4, solver="gd")


def test_validation_restores_the_best_parameters_and_stop_ends_the_loop():
    p = np.zeros(1)
    scores = iter([0.1, 0.5, 0.3, 0.2, 0.2])

    def loss_grad(idx):
        return 1.0, [np.array([-1.0])]  # p grows by 1 per epoch

    res = gradient_descent(loss_grad, [p], SGD(learning_rate=1.0), [0], max_iter=10, tol=0.0,
                           n_iter_no_change=3, validation_score=lambda params: next(scores))
    assert res.diagnostics["validation_scores"] == [0.1, 0.5, 0.3, 0.2, 0.2]
    assert res.diagnostics["best_validation_score"] == 0.5 and p[0] == 2.0

    q = np.zeros(1)
    res = gradient_descent(loss_grad, [q], SGD(learning_rate=1.0), [0], max_iter=10, tol=0.0,
                           stop=lambda params: params[0][0] >= 3)
    assert res.diagnostics["stopped"] and not res.diagnostics["converged"] and res.n_iter == 3


def test_validation_split_sizes_and_error():
    tr, va = validation_split(10, 0.25, np.random.RandomState(0))
    assert len(va) == 3 and sorted(np.r_[tr, va]) == list(range(10))
    with pytest.raises(ValueError, match="validation_fraction"):
        validation_split(1, 0.5, np.random.RandomState(0))
