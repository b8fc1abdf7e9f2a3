"""LogisticIRLS: parity with statsmodels GLM(Binomial) and sklearn's newton-cholesky."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skdl import LogisticIRLS
from skdl.linear_model import _logistic
from skdl.linear_model._logistic import _column_scales, _hessian, _pass


def _synthetic(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)) * [1.0, 2.0, 0.5, 1.0] + [0.0, 1.0, -1.0, 3.0]
    eta = X @ [0.8, -0.5, 1.2, 0.3] - 0.7
    y = (rng.uniform(size=n) < expit(eta)).astype(int)
    return X, y


def _cancer():
    data = load_breast_cancer()
    # five features on which the classes overlap (the full set is nearly separable)
    X = StandardScaler().fit_transform(data.data[:, [1, 4, 8, 9, 11]])
    return X, data.target


DATASETS = {"synthetic": _synthetic, "breast_cancer": _cancer}


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_statsmodels_glm(dataset, weighted):
    X, y = DATASETS[dataset]()
    w = np.random.default_rng(1).integers(1, 4, size=len(y)).astype(float) if weighted else None
    clf = LogisticIRLS(tol=1e-12).fit(X, y, sample_weight=w)
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), freq_weights=w)
    ref = glm.fit(tol=1e-12)
    assert_allclose(np.r_[clf.intercept_, clf.coef_[0]], ref.params, rtol=0, atol=1e-6)
    assert_allclose(clf.std_errors_, ref.bse, rtol=0, atol=1e-6)
    assert_allclose(clf.covariance_, ref.cov_params(), rtol=0, atol=1e-6)
    assert not clf.separated_


def test_matches_statsmodels_without_intercept():
    X, y = _synthetic()
    clf = LogisticIRLS(fit_intercept=False, tol=1e-12).fit(X, y)
    ref = sm.GLM(y, X, family=sm.families.Binomial()).fit(tol=1e-12)
    assert_allclose(clf.coef_[0], ref.params, atol=1e-6)
    assert_allclose(clf.std_errors_, ref.bse, atol=1e-6)
    assert clf.intercept_[0] == 0.0


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_alpha_is_inverse_C_of_sklearn(C, fit_intercept):
    X, y = _cancer()
    w = np.random.default_rng(2).uniform(0.5, 2.0, size=len(y))
    clf = LogisticIRLS(alpha=1.0 / C, fit_intercept=fit_intercept, tol=1e-12)
    clf.fit(X, y, sample_weight=w)
    ref = LogisticRegression(
        C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000, fit_intercept=fit_intercept
    ).fit(X, y, sample_weight=w)
    assert_allclose(clf.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert_allclose(clf.intercept_, ref.intercept_, rtol=1e-6, atol=1e-8)
    assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize(
    "rows, dtype, rtol",
    [(1000, np.float64, 1e-12), (128, np.float64, 1e-12), (1000, np.float32, 1e-5)],
)
def test_hessian_and_gradient_match_the_formulas(rows, dtype, rtol):
    # note 001 eqs. 7.4-7.5 with weights: g = Xᵀ w (π - y), H = Xᵀ diag(w π (1-π)) X
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 3))
    y = (rng.uniform(size=1000) < 0.4).astype(float)
    w = rng.uniform(0, 2, size=1000)
    pi = expit(X @ [0.5, -1.0, 0.2] + 0.1)
    Xa = np.c_[np.ones(1000), X]
    hess = _hessian(X, w, pi, True, np.empty((rows, 4), dtype=dtype))
    assert hess.dtype == np.float64
    assert_allclose(hess, Xa.T @ (Xa * (w * pi * (1 - pi))[:, None]), rtol=rtol)
    eta = X @ [0.5, -1.0, 0.2] + 0.1
    _, _, pi_pass, _, grad, diag = _pass(X, y, w, eta, True, diag=True)
    assert_allclose(pi_pass, pi, rtol=1e-15)
    assert_allclose(grad, Xa.T @ (w * (pi - y)), rtol=1e-12, atol=1e-12)
    assert_allclose(diag, np.diag(Xa.T @ (Xa * (w * pi * (1 - pi))[:, None])), rtol=1e-12)
    _, _, _, _, grad, _ = _pass(X, y, w, eta - 0.1, False)
    assert_allclose(grad, X.T @ (w * (expit(eta - 0.1) - y)), rtol=1e-12)
    # with a step δ: Xₐδ, the new predictor, its NLL (note 001 eq. 7.3) and gradient
    delta = np.array([0.3, 0.2, -0.1, 0.05])
    eta1, v, pi1, nll, grad, _ = _pass(X, y, w, eta, True, delta=delta)
    assert_allclose(v, Xa @ delta, rtol=1e-12)
    assert_allclose(eta1, eta - Xa @ delta, rtol=1e-12)
    assert_allclose(pi1, expit(eta1), rtol=1e-15)
    assert_allclose(nll, w @ (np.logaddexp(0, eta1) - y * eta1), rtol=1e-12)
    assert_allclose(grad, Xa.T @ (w * (pi1 - y)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_mixed_precision_iterations_reach_the_float64_optimum(dataset, monkeypatch):
    # float32 Hessians in the iterations (used for large n p²): same optimum, same
    # (float64) covariance
    X, y = DATASETS[dataset]()
    monkeypatch.setattr(_logistic, "_MIXED_MIN", 0)
    clf = LogisticIRLS(tol=1e-12).fit(X, y)
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    assert_allclose(np.r_[clf.intercept_, clf.coef_[0]], ref.params, rtol=0, atol=1e-6)
    assert_allclose(clf.std_errors_, ref.bse, rtol=0, atol=1e-6)


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("alpha", [0.0, 3.0])
def test_chord_steps_reach_the_newton_optimum_with_fewer_hessians(dataset, alpha, monkeypatch):
    X, y = DATASETS[dataset]()
    formed = []

    def counting_hessian(*args):
        formed.append(1)
        return _hessian(*args)

    monkeypatch.setattr(_logistic, "_hessian", counting_hessian)
    chord = LogisticIRLS(alpha=alpha).fit(X, y)
    n_chord = len(formed)
    formed.clear()
    monkeypatch.setattr(_logistic, "_CHORD_GTOL", 0.0)  # a fresh Hessian every step
    newton = LogisticIRLS(alpha=alpha).fit(X, y)
    assert n_chord < len(formed)
    assert chord.n_iter_ >= newton.n_iter_
    # both stop at max|gradient of the mean loss / column scale| <= tol = 1e-8 (Newton's
    # last quadratic step lands far below it, the chord steps just below): the same
    # optimum to ~tol / λ_min(mean Hessian), 3e-7 on breast_cancer
    eta = chord.decision_function(X)
    grad = _pass(X, y.astype(float), np.ones(len(y)), eta, True)[4]
    grad[1:] += alpha * chord.coef_[0]
    assert np.max(np.abs(grad / _column_scales(X, True))) <= 1e-8 * len(y)
    assert_allclose(chord.coef_, newton.coef_, rtol=0, atol=1e-6)
    assert_allclose(chord.intercept_, newton.intercept_, rtol=0, atol=1e-6)
    assert_allclose(chord.std_errors_, newton.std_errors_, rtol=1e-6)


def test_penalised_covariance_is_the_sandwich_of_the_inverse_penalised_hessian():
    # alpha > 0: B F B with B = (F + P)^-1 (the sampling covariance of the penalised
    # estimate; before issue 19 it was B alone)
    X, y = _synthetic()
    clf = LogisticIRLS(alpha=3.0, tol=1e-12).fit(X, y)
    Xa = np.c_[np.ones(len(y)), X]
    pi = clf.predict_proba(X)[:, 1]
    F = Xa.T @ (Xa * (pi * (1 - pi))[:, None])
    B = np.linalg.inv(F + np.diag([0, 3.0, 3.0, 3.0, 3.0]))
    assert_allclose(clf.covariance_, B @ F @ B, rtol=1e-9, atol=1e-15)
    assert_allclose(clf.std_errors_, np.sqrt(np.diag(B @ F @ B)), rtol=1e-9)
    # smaller than the inverse penalised Hessian B (B - BFB = BPB is positive semidefinite)
    assert np.all(clf.std_errors_[1:] < np.sqrt(np.diag(B))[1:])


def test_string_labels_pandas_and_predictions():
    X, y = _synthetic()
    labels = np.array(["no", "yes"])[y]
    frame = pd.DataFrame(X, columns=list("abcd"))
    clf = LogisticIRLS().fit(frame, labels)
    assert list(clf.classes_) == ["no", "yes"]
    assert list(clf.feature_names_in_) == list("abcd")
    proba = clf.predict_proba(frame)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(np.exp(clf.predict_log_proba(frame)), proba, rtol=1e-12)
    assert_allclose(proba[:, 1], expit(clf.decision_function(frame)))
    assert np.array_equal(clf.predict(frame), np.where(proba[:, 1] > 0.5, "yes", "no"))
    ref = LogisticIRLS().fit(X, y)
    assert_allclose(clf.coef_, ref.coef_)


def test_log_proba_is_stable_for_large_logits():
    X, y = _synthetic()
    clf = LogisticIRLS(alpha=1.0).fit(X, y)
    Xbig = X * 1e4
    logp = clf.predict_log_proba(Xbig)
    assert np.all(np.isfinite(logp))
    eta = clf.decision_function(Xbig)
    # where σ underflows, log σ(η) ≈ η exactly
    far = eta < -800
    assert far.any()
    assert_allclose(logp[far, 1], eta[far], rtol=1e-12)


def test_separation_is_detected_and_coefficients_stay_finite():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    with pytest.warns(ConvergenceWarning, match="separation.*alpha > 0"):
        clf = LogisticIRLS().fit(X, y)
    assert clf.separated_
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.std_errors_))
    assert clf.score(X, y) == 1.0
    # the penalised problem is well posed: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pen = LogisticIRLS(alpha=1.0).fit(X, y)
    assert not pen.separated_
    # zero-weight samples do not count: a mislabelled sample of weight 0 keeps separation
    y2 = y.copy()
    y2[0] = 1 - y2[0]
    w = np.ones(100)
    w[0] = 0.0
    with pytest.warns(ConvergenceWarning, match="separation"):
        LogisticIRLS().fit(X, y2, sample_weight=w)


def test_quasi_complete_separation_is_flagged():
    # x1 > 0 predicts class 1 perfectly except for tied rows on the line x1 = 0
    # carrying both labels: no hyperplane separates strictly, yet the MLE diverges
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=200), rng.normal(size=200)]
    y = (X[:, 0] > 0).astype(int)
    X = np.r_[X, [[0, 0.5], [0, 0.5], [0, -0.3], [0, -0.3]]]
    y = np.r_[y, 0, 1, 0, 1]
    with pytest.warns(ConvergenceWarning, match="numerically 0 or 1.*quasi-complete"):
        clf = LogisticIRLS().fit(X, y)
    assert not clf.separated_
    assert np.all(np.isfinite(clf.coef_))
    assert abs(clf.coef_[0, 0]) > 100 * abs(clf.coef_[0, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticIRLS(alpha=1.0).fit(X, y)


def test_convergence_warning_when_max_iter_ends_first():
    X, y = _synthetic()
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        clf = LogisticIRLS(max_iter=1).fit(X, y)
    assert clf.n_iter_ == 1
    full = LogisticIRLS().fit(X, y)
    assert 2 <= full.n_iter_ < 15


def test_loss_curve_decreases_with_step_halving():
    # heavy-tailed features make the first full Newton steps overshoot
    rng = np.random.default_rng(3)
    X = rng.standard_cauchy(size=(300, 3))
    y = (rng.uniform(size=300) < expit(np.tanh(X @ [1.0, -1.0, 0.5]))).astype(int)
    clf = LogisticIRLS(tol=1e-10).fit(X, y)
    curve = np.asarray(clf.loss_curve_)
    assert isinstance(clf.loss_curve_, list) and curve.size == clf.n_iter_
    assert np.all(np.diff(curve) <= 1e-12 * curve[:-1])
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    assert_allclose(np.r_[clf.intercept_, clf.coef_[0]], ref.params, atol=1e-6)


@pytest.mark.parametrize("theta0", [[0.0, 5.0, -5.0], [2.0, -4.0, 4.0], [0.0, 10.0, 10.0]])
def test_step_halving_rescues_an_overshooting_newton_step(theta0, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = (rng.uniform(size=300) < expit(X @ [1.0, -1.0])).astype(float)
    w = np.ones(300)
    theta0 = np.array(theta0)
    res = _logistic._solve_irls(X, y, w, tol=1e-10, theta0=theta0)
    assert res.diagnostics["converged"]
    assert np.all(np.diff(res.diagnostics["loss_curve"]) <= 0)
    ref = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    assert_allclose(np.r_[res.intercept, res.coef], ref.params, atol=1e-6)
    # from this start the full Newton step raises the objective: without halving
    # (only the full step tried) the solver cannot move
    monkeypatch.setattr(_logistic, "_MAX_HALVINGS", 1)
    stuck = _logistic._solve_irls(X, y, w, tol=1e-10, theta0=theta0)
    assert_allclose(np.r_[stuck.intercept, stuck.coef], theta0)


def test_multiclass_raises_pointing_to_softmax():
    X, _ = _synthetic()
    y = np.arange(len(X)) % 3
    with pytest.raises(ValueError, match="Only binary classification.*SoftmaxClassifier"):
        LogisticIRLS().fit(X, y)


def test_bad_parameters():
    X, y = _synthetic()
    with pytest.raises(ValueError, match="alpha"):
        LogisticIRLS(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="non-zero|sum to zero"):
        LogisticIRLS().fit(X, y, sample_weight=np.zeros(len(y)))
