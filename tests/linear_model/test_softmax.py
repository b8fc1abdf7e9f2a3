"""SoftmaxClassifier: parity with sklearn's multinomial LogisticRegression."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import approx_fprime
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdl import LogisticIRLS, SoftmaxClassifier
from skdl.linear_model._softmax import _Problem

SOLVERS = ["lbfgs", "newton"]


def _load(name):
    X, y = {"iris": load_iris, "digits": load_digits}[name](return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("dataset", ["iris", "digits"])
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("C", [0.1, 1.0])
def test_probabilities_match_sklearn_multinomial(dataset, solver, C):
    X, y = _load(dataset)
    with threadpool_limits(1):  # small GEMMs: threads only add overhead
        ref = LogisticRegression(C=C, solver="lbfgs", tol=1e-10, max_iter=10_000).fit(X, y)
    clf = SoftmaxClassifier(alpha=1.0 / C, solver=solver, tol=1e-10, max_iter=10_000).fit(X, y)
    assert_allclose(clf.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-5)
    # the penalty makes the solution unique: coefficients agree too (sklearn keeps
    # class-sums zero as the penalty does; intercepts only up to a common shift)
    assert_allclose(clf.coef_, ref.coef_, atol=1e-4)
    assert_allclose(clf.coef_.sum(axis=0), 0.0, atol=1e-8)
    assert clf.solver_ == solver


@pytest.mark.parametrize("solver", SOLVERS)
def test_sample_weight_matches_sklearn(solver):
    X, y = _load("iris")
    w = np.random.default_rng(0).uniform(0.2, 3.0, size=len(y))
    with threadpool_limits(1):
        ref = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000).fit(X, y, sample_weight=w)
    clf = SoftmaxClassifier(alpha=2.0, solver=solver, tol=1e-10, max_iter=10_000)
    clf.fit(X, y, sample_weight=w)
    assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def _problem(alpha=0.7, fit_intercept=True, m=3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = rng.integers(0, m, size=60)
    w = rng.uniform(0.5, 2.0, size=60)
    return _Problem(X, y, w, m, alpha, fit_intercept), rng


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradient_and_hessian_are_the_derivatives(fit_intercept):
    prob, rng = _problem(fit_intercept=fit_intercept)
    theta = rng.normal(size=prob.m * prob.p)
    f, g = prob.loss_grad(theta)
    assert_allclose(f, prob.loss(theta))
    assert_allclose(g, approx_fprime(theta, prob.loss, 1e-7), atol=1e-5)
    H = prob.hessian(theta) / prob.sw
    H_fd = np.array([(prob.loss_grad(theta + 1e-6 * e)[1] - g) / 1e-6 for e in np.eye(theta.size)])
    assert_allclose(H, H_fd, atol=1e-4)
    assert_allclose(H, H.T)


def test_minibatch_gradient_is_unbiased():
    prob, rng = _problem(alpha=0.7)
    theta = rng.normal(size=prob.m * prob.p)
    full = prob.loss_grad(theta)
    batch = prob.loss_grad_batch(theta, np.arange(60))
    assert_allclose(batch[0], full[0])
    assert_allclose(batch[1], full[1])
    # the weighted average of the halves' data terms is the whole: with equal-weight
    # halves, the mean of the two batch gradients is the full gradient
    prob.w[:] = 1.0
    prob.sw = 60.0
    halves = [prob.loss_grad_batch(theta, idx) for idx in (np.arange(30), np.arange(30, 60))]
    assert_allclose((halves[0][1] + halves[1][1]) / 2, prob.loss_grad(theta)[1])


def test_newton_and_lbfgs_agree_without_penalty():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=300)
    X = rng.normal(size=(300, 3)) + np.eye(3)[y]  # overlapping classes: the MLE exists
    fits = [
        SoftmaxClassifier(alpha=0.0, solver=s, tol=1e-9, max_iter=10_000).fit(X, y) for s in SOLVERS
    ]
    assert_allclose(fits[0].predict_proba(X), fits[1].predict_proba(X), atol=1e-6)
    newton = fits[1]
    assert_allclose(newton.coef_.sum(axis=0), 0.0, atol=1e-8)  # zero class-sums kept
    assert_allclose(newton.intercept_.sum(), 0.0, atol=1e-8)
    assert newton.n_iter_ < 10  # quadratic convergence


def test_binary_equals_logistic_with_half_the_penalty():
    X, y = _load("iris")
    yb = (y == 2).astype(int)
    for solver in SOLVERS:
        clf = SoftmaxClassifier(alpha=2.0, solver=solver, tol=1e-10, max_iter=1000).fit(X, yb)
        ref = LogisticIRLS(alpha=1.0, tol=1e-12).fit(X, yb)
        assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-6)
        assert_allclose(clf.decision_function(X), ref.decision_function(X), atol=1e-5)
        assert clf.coef_.shape == (2, 4)


def test_no_overflow_for_large_logits():
    X, y = _load("iris")
    clf = SoftmaxClassifier(alpha=0.01, solver="newton").fit(X, y)
    Xbig = X * 1e4
    proba = clf.predict_proba(Xbig)
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1.0)
    logp = clf.predict_log_proba(Xbig)
    assert np.all(np.isfinite(logp)) and logp.min() < -1000
    # the objective stays finite too
    prob = _Problem(Xbig, y, np.ones(len(y)), 3, 0.0, True)
    f, g = prob.loss_grad(np.r_[clf.intercept_[:, None].T, clf.coef_.T].T.ravel())
    assert np.isfinite(f) and np.all(np.isfinite(g))


def test_string_labels_and_pandas():
    X, y = _load("iris")
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = SoftmaxClassifier().fit(frame, labels)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    proba = clf.predict_proba(frame)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(np.exp(clf.predict_log_proba(frame)), proba, rtol=1e-10)
    assert np.array_equal(clf.predict(frame), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(frame, labels) > 0.9


def test_loss_curve_and_convergence_warning():
    X, y = _load("digits")
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        clf = SoftmaxClassifier(max_iter=3).fit(X, y)
    assert clf.n_iter_ == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = SoftmaxClassifier(solver="newton", tol=1e-8).fit(*_load("iris"))
    curve = clf.loss_curve_
    assert isinstance(curve, list) and len(curve) == clf.n_iter_
    assert np.all(np.diff(curve) <= 0)


@pytest.mark.parametrize("solver", SOLVERS)
def test_separation_warning_without_penalty(solver):
    X, y = _load("iris")
    keep = y < 2  # setosa vs versicolor (+ a third, separable cluster)
    X3 = np.r_[X[keep], X[keep][:20] + [0, 0, 8, 8]]
    y3 = np.r_[y[keep], np.full(20, 2)]
    with pytest.warns(ConvergenceWarning, match="separation.*alpha > 0"):
        clf = SoftmaxClassifier(alpha=0.0, solver=solver).fit(X3, y3)
    assert clf.separated_
    assert np.all(np.isfinite(clf.coef_))
    assert clf.score(X3, y3) == 1.0
