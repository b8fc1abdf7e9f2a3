"""SoftmaxClassifier's first-order solvers 'gd' and 'sgd' (skdl.optim update rules).

Parity with sklearn's multinomial LogisticRegression (lbfgs, C = 1/alpha) on
standardised iris and digits, to looser tolerances than the direct solvers' 1e-5:
gd to 1e-4 (measured max |Δp| at tol=1e-7: iris plain 1.2e-6, Nesterov 1.4e-6, Adam
3.8e-7; digits Adam 5.2e-6 -- plain steepest descent on digits, condition number
~1e4, is still at 1e-1 after 4000 steps and is not tested there), minibatch sgd (three
batches per epoch, Adam, cosine learning_rate schedule) to 1e-3 (measured 7.9e-5 on iris, 5.6e-4 on
digits; 5-9e-4 over seeds 0-3 with 1500 epochs, hence 2500).
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdl import SoftmaxClassifier
from skdl.linear_model._softmax import _initial_theta, _Problem
from skdl.optim import Adam, DivergenceError

_CACHE = {}


def _data(name):
    if name not in _CACHE:
        X, y = (load_iris if name == "iris" else load_digits)(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        # one BLAS thread: on a loaded 2-core machine sklearn's lbfgs takes 17 s on
        # digits with the default threads (oversubscription), 0.2 s with one
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore", ConvergenceWarning)
            ref = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y)
        _CACHE[name] = X, y, ref.predict_proba(X)
    return _CACHE[name]


GD_CASES = [
    ("iris", {"optimizer": "sgd"}, 4000),  # plain steepest descent, learning_rate_init='auto'
    ("iris", {"optimizer": "nesterov"}, 1000),
    ("iris", {"optimizer": "adam", "learning_rate_init": 0.05}, 3000),
    ("digits", {"optimizer": "adam", "learning_rate_init": 0.05}, 3000),
]


@pytest.mark.parametrize("dataset,params,max_iter", GD_CASES)
def test_gd_probabilities_match_sklearn(dataset, params, max_iter):
    X, y, proba = _data(dataset)
    clf = SoftmaxClassifier(alpha=1.0, solver="gd", tol=1e-7, max_iter=max_iter, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # converges: max |∇| <= tol
        clf.fit(X, y)
    assert clf.solver_ == "gd"
    assert_allclose(clf.predict_proba(X), proba, rtol=0, atol=1e-4)
    assert isinstance(clf.loss_curve_, list) and len(clf.loss_curve_) == clf.n_iter_


@pytest.mark.parametrize(
    "dataset,batch_size,max_iter", [("iris", 50, 1000), ("digits", 600, 2500)]
)
def test_minibatch_sgd_probabilities_match_sklearn(dataset, batch_size, max_iter):
    """Three minibatches per epoch, Adam with a cosine-annealed rate."""
    X, y, proba = _data(dataset)
    clf = SoftmaxClassifier(
        alpha=1.0, solver="sgd", optimizer="adam", learning_rate_init=0.05, learning_rate="cosine",
        batch_size=batch_size, max_iter=max_iter, tol=0.0, n_iter_no_change=max_iter,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # runs all max_iter epochs
        clf.fit(X, y)
    assert clf.n_iter_ == max_iter
    assert_allclose(clf.predict_proba(X), proba, rtol=0, atol=1e-3)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_huge_learning_rate_raises_divergence_error(solver):
    X, y, _ = _data("iris")
    clf = SoftmaxClassifier(solver=solver, learning_rate_init=1e6, batch_size=32)
    with pytest.raises(DivergenceError, match=r"diverged.*=1000000\.0"):
        clf.fit(X, y)
    assert issubclass(DivergenceError, ValueError)


def test_auto_learning_rate_descends_monotonically():
    """'auto' is 1/L with L an upper bound on the curvature (Böhning's ½ for the
    softmax): at most the inverse of the true curvature, and every full-batch step
    decreases the objective."""
    X, y, _ = _data("digits")
    X, y = X[:500], y[:500]
    clf = SoftmaxClassifier(solver="gd", max_iter=50)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=50.*tol=0\.0001"):
        clf.fit(X, y)
    curve = np.asarray(clf.loss_curve_)
    prob = _Problem(X, np.searchsorted(clf.classes_, y), np.ones(len(y)), 10, 1.0, True)
    theta0 = _initial_theta(prob)
    assert np.all(np.diff(np.r_[prob.loss(theta0), curve]) < 0)
    L_true = np.linalg.eigvalsh(prob.hessian(theta0) / prob.sw)[-1]
    assert clf.learning_rate_ <= 1.0 / L_true


def test_full_batch_sgd_equals_gd():
    X, y, _ = _data("iris")
    kw = {"max_iter": 20, "tol": 0.0, "learning_rate_init": 0.3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gd = SoftmaxClassifier(solver="gd", **kw).fit(X, y)
        sgd = SoftmaxClassifier(solver="sgd", batch_size=len(y), shuffle=False, **kw).fit(X, y)
    assert_allclose(sgd.coef_, gd.coef_, rtol=1e-10, atol=1e-12)
    # gd records the objective after each update; sgd during each epoch, before its
    # update: one epoch apart
    assert len(gd.loss_curve_) == 20 and len(sgd.loss_curve_) == 20
    assert_allclose(sgd.loss_curve_[1:], gd.loss_curve_[:-1], rtol=1e-10)


def test_sgd_reproducible_and_seeded():
    X, y, _ = _data("iris")
    clf = SoftmaxClassifier(solver="sgd", batch_size=16, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = clone(clf).fit(X, y).coef_
        b = clone(clf).fit(X, y).coef_
        c = clone(clf).set_params(random_state=1).fit(X, y).coef_
    assert_allclose(a, b, rtol=0, atol=0)
    assert not np.allclose(a, c)


def test_optimizer_instance_is_copied_and_schedule_used():
    X, y, _ = _data("iris")
    rule = Adam(learning_rate=0.05)
    clf = SoftmaxClassifier(solver="gd", optimizer=rule, max_iter=3000, tol=1e-6).fit(X, y)
    assert rule.t == 0  # never modified
    assert clf.optimizer_ is not rule and clf.optimizer_.t == clf.n_iter_
    assert clf.learning_rate_ == 0.05


def test_early_stopping_keeps_best_validation_accuracy():
    X, y, _ = _data("digits")
    clf = SoftmaxClassifier(
        solver="sgd", early_stopping=True, validation_fraction=0.2, n_iter_no_change=3,
        max_iter=200, random_state=0,
    ).fit(X, y)
    scores = clf.validation_scores_
    assert len(scores) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(scores) > 0.9
    assert clf.score(X, y) > 0.9


def test_direct_solvers_ignore_gradient_parameters():
    X, y, _ = _data("iris")
    ref = SoftmaxClassifier(solver="lbfgs").fit(X, y)
    other = SoftmaxClassifier(
        solver="lbfgs", optimizer="adam", learning_rate_init=1e6, learning_rate="cosine",
        batch_size=3,
        early_stopping=True, random_state=0,
    ).fit(X, y)
    assert_allclose(other.coef_, ref.coef_, rtol=0, atol=0)
    assert not hasattr(other, "learning_rate_")
    # a refit with a direct solver drops the attributes of a previous 'gd' fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        other.set_params(solver="gd", learning_rate_init=0.1, learning_rate="constant",
                         max_iter=5).fit(X, y)
    assert other.learning_rate_ == 0.1 and other.optimizer_.t == 5
    other.set_params(solver="lbfgs", max_iter=100).fit(X, y)
    assert not hasattr(other, "learning_rate_") and not hasattr(other, "optimizer_")


def test_sgd_convergence_warning_names_max_iter_and_tol():
    X, y, _ = _data("iris")
    clf = SoftmaxClassifier(solver="sgd", batch_size=16, max_iter=3, tol=1e-9, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"solver='sgd'.*max_iter=3.*tol=1e-09"):
        clf.fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3


@pytest.mark.parametrize(
    "params,match",
    [
        ({"optimizer": "lion"}, "optimizer"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
        ({"learning_rate": 0.1}, "learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": "linear"}, "learning_rate"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ],
)
def test_bad_gradient_parameters(params, match):
    X, y, _ = _data("iris")
    with pytest.raises(ValueError, match=match):
        SoftmaxClassifier(solver="sgd", **params).fit(X, y)
