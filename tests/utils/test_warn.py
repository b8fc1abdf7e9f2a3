"""skdl's warnings name the user's line, through every wrapper of a fit method."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skdl.linear_model import LinearRegression, SoftmaxClassifier


def _caught(fit):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        fit()  # the line the warnings must name
    return [r for r in records if issubclass(r.category, ConvergenceWarning)]


@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearRegression(solver="gd", max_iter=1),
        lambda: SoftmaxClassifier(solver="lbfgs", max_iter=1),
    ],
    ids=["LinearRegression-gd", "SoftmaxClassifier-lbfgs"],
)
def test_convergence_warning_names_the_callers_line(make):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int) if "Softmax" in type(make()).__name__ else X[:, 0]
    est = make()
    records = _caught(lambda: est.fit(X, y))
    assert records, "expected a ConvergenceWarning"
    # the lambda above is the first frame outside skdl and sklearn's _fit_context
    assert all(r.filename == __file__ for r in records), [r.filename for r in records]


def test_network_warning_names_the_callers_line():
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skdl.neural_network import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    records = _caught(lambda: est.fit(X, X[:, 0]))
    assert records, "expected a ConvergenceWarning"
    assert all(r.filename == __file__ for r in records), [r.filename for r in records]
