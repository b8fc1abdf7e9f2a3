"""LinearRegression / Ridge with solver='gd' | 'sgd' | 'newton' (issue 3)."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skdl import LinearRegression, Ridge
from skdl.optim import Adam, Cosine, DivergenceError, FeatureScaleWarning, Momentum, Newton

RULES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"]


def _standardised(n=1000, d=6, seed=0, k=None):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))  # correlated features
    X = StandardScaler().fit_transform(X)
    coef = rng.normal(size=(d,) if k is None else (d, k))
    y = X @ coef + 0.5 * rng.normal(size=(n,) if k is None else (n, k))
    y = (y - y.mean(axis=0)) / y.std(axis=0)
    return X, y


@pytest.mark.parametrize("optimizer", RULES)
@pytest.mark.parametrize("solver", ["gd", "sgd"])
@pytest.mark.parametrize("Est, kw", [(LinearRegression, {}), (Ridge, {"alpha": 10.0, "tol": 1e-5})])
def test_every_rule_reaches_normal_equations(Est, kw, solver, optimizer):
    X, y = _standardised()
    ref = Est(solver="cholesky", **kw).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither a convergence nor a scale warning
        est = Est(solver=solver, optimizer=optimizer, random_state=0, **kw).fit(X, y)
    assert est.solver_ == solver
    assert abs(est.score(X, y) - ref.score(X, y)) <= 1e-3
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=0.05)
    assert len(est.loss_curve_) == est.n_iter_ >= 2
    assert est.loss_curve_[-1] < 0.5 * est.loss_curve_[0]


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "Est, kw", [(LinearRegression, {}), (Ridge, {"alpha": [0.5, 20.0], "tol": 1e-5})]
)
def test_newton_equals_normal(Est, kw, fit_intercept):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 5)) * np.array([1.0, 10.0, 0.1, 3.0, 1.0]) + 5.0
    Y = np.c_[X @ rng.normal(size=5) + 2.0, X[:, 0] - X[:, 1]] + rng.normal(size=(200, 2))
    w = rng.uniform(0.0, 3.0, size=200)
    ref = Est(solver="cholesky", fit_intercept=fit_intercept, **kw).fit(X, Y, sample_weight=w)
    est = Est(solver="newton", fit_intercept=fit_intercept, **kw).fit(X, Y, sample_weight=w)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(est.sigma2_, ref.sigma2_, rtol=1e-8)
    assert est.n_iter_ == 1 and est.solver_ == "newton" and len(est.loss_curve_) == 1
    # the same predictive standard deviation (the Hessian is the Gram matrix)
    np.testing.assert_allclose(
        est.predict(X[:5], return_std=True)[1], ref.predict(X[:5], return_std=True)[1],
        rtol=1e-8,
    )


def test_newton_warm_start_is_still_one_step():
    X, y = _standardised(200, 4)
    est = LinearRegression(solver="newton", warm_start=True).fit(X, y)
    est.fit(X, 2 * y)
    np.testing.assert_allclose(est.coef_, LinearRegression().fit(X, 2 * y).coef_, atol=1e-10)


def test_gd_multioutput_with_weights_matches_ridge():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4)) + 1.0
    Y = X @ rng.normal(size=(4, 3)) + rng.normal(size=(400, 3))
    w = rng.uniform(0, 2, size=400)
    alpha = np.array([0.1, 5.0, 50.0])
    ref = Ridge(alpha=alpha).fit(X, Y, sample_weight=w)
    est = Ridge(alpha=alpha, solver="gd", tol=1e-10).fit(X, Y, sample_weight=w)
    assert est.coef_.shape == (3, 4) and est.intercept_.shape == (3,)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-5)


def test_sample_weight_equals_repetition_full_batch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3)) + 3.0
    y = X @ [1.0, -1.0, 2.0] + rng.normal(size=30)
    w = rng.integers(0, 4, size=30)
    for solver in ("gd", "sgd"):  # n < batch_size: 'sgd' sees full batches here
        a = LinearRegression(solver=solver, random_state=0).fit(X, y, sample_weight=w)
        b = LinearRegression(solver=solver, random_state=0).fit(np.repeat(X, w, 0), np.repeat(y, w))
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7)
        assert abs(a.n_iter_ - b.n_iter_) <= 1  # the same path up to rounding


def test_sgd_minibatches_deterministic_from_random_state():
    X, y = _standardised(2000, 5)
    kw = dict(solver="sgd", batch_size=32, max_iter=5, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = LinearRegression(random_state=1, **kw).fit(X, y)
        b = LinearRegression(random_state=1, **kw).fit(X, y)
        c = LinearRegression(random_state=2, **kw).fit(X, y)
        d = LinearRegression(shuffle=False, **kw).fit(X, y)
        e = LinearRegression(shuffle=False, **kw).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.coef_, c.coef_)
    np.testing.assert_array_equal(d.coef_, e.coef_)  # no shuffling: no randomness
    assert a.n_iter_ == 5


def test_convergence_warning_names_max_iter_and_tol():
    X, y = _standardised(300, 4)
    with pytest.warns(ConvergenceWarning, match=r"max_iter=3 .*tol=1e-06"):
        est = LinearRegression(solver="gd", optimizer="adam", max_iter=3).fit(X, y)
    assert est.n_iter_ == 3 == len(est.loss_curve_)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
def test_divergence_raises_naming_learning_rate(solver):
    X, y = _standardised(300, 4)
    est = LinearRegression(solver=solver, learning_rate_init=50.0, random_state=0)
    with pytest.raises(DivergenceError, match=r"learning_rate=50\.0"):
        est.fit(X, y)
    assert not hasattr(est, "coef_")  # never NaN coefficients
    with np.errstate(all="raise"):  # no overflow warnings on the way either
        with pytest.raises(ValueError, match="learning_rate"):
            clone(est).fit(X, y)


def test_divergence_from_explicit_rule_instance():
    X, y = _standardised(300, 4)
    with pytest.raises(DivergenceError, match=r"Momentum.*learning_rate=30\.0"):
        LinearRegression(solver="gd", optimizer=Momentum(30.0)).fit(X, y)


def test_feature_scale_warning_suggests_standard_scaler():
    X, y = _standardised(300, 3)
    Xs = X * np.array([1.0, 1e4, 1.0])
    with pytest.warns(FeatureScaleWarning, match="StandardScaler"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            LinearRegression(solver="sgd", max_iter=2, tol=0.0).fit(Xs, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FeatureScaleWarning)
        LinearRegression(solver="cholesky").fit(Xs, y)  # direct solvers do not care
        LinearRegression(solver="newton").fit(Xs, y)
        LinearRegression(solver="gd", max_iter=5000).fit(X, y)  # scaled data: silent


def test_auto_learning_rate_and_attributes():
    X, y = _standardised(500, 4)
    est = LinearRegression(solver="gd").fit(X, y)
    # 1/L with L the top eigenvalue of the (centred) Hessian, at least 1 (the intercept)
    L = max(np.linalg.eigvalsh(X.T @ X / 500).max(), 1.0)
    # (power iteration: the Rayleigh quotient is at most L, so the step at least 1/L; once
    # it has converged the two agree to rounding, which differs with the BLAS kernels)
    assert (1.0 - 1e-12) / L <= est.learning_rate_ <= 1.02 / L
    assert est.optimizer_.t == est.n_iter_
    sgd = LinearRegression(solver="sgd", batch_size=10, random_state=0).fit(X, y)
    assert sgd.learning_rate_ < est.learning_rate_  # smaller batches: smaller safe step
    assert sgd.optimizer_.t == sgd.n_iter_ * 50
    with pytest.raises(ValueError, match="return_std"):
        est.predict(X, return_std=True)


def test_optimizer_instance_not_modified_and_overrides():
    X, y = _standardised(300, 4)
    rule = Adam(0.05)
    est = LinearRegression(solver="gd", optimizer=rule).fit(X, y)
    assert rule.t == 0 and rule._slots is None  # the given instance was copied
    assert est.optimizer_ is not rule and est.learning_rate_ == 0.05
    est2 = LinearRegression(solver="gd", optimizer=rule, learning_rate_init=0.2,
                            learning_rate=Cosine(50), max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est2.fit(X, y)
    assert est2.optimizer_.learning_rate == 0.2 and isinstance(est2.optimizer_.schedule, Cosine)
    assert rule.learning_rate == 0.05 and rule.schedule is None
    with pytest.raises(ValueError, match="Newton"):
        LinearRegression(solver="gd", optimizer=Newton()).fit(X, y)


@pytest.mark.parametrize("schedule", ["constant", "inverse", "cosine", Cosine(t_max=400)])
def test_schedules(schedule):
    X, y = _standardised(400, 4)
    ref = LinearRegression().fit(X, y).score(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = LinearRegression(solver="sgd", learning_rate=schedule, batch_size=50, max_iter=100,
                               random_state=0).fit(X, y)
    assert abs(est.score(X, y) - ref) < 5e-3
    lr = est.optimizer_.current_learning_rate
    if schedule == "constant":
        assert lr == est.learning_rate_
    else:
        assert lr < est.learning_rate_


def test_partial_fit_only_for_sgd_and_continues():
    X, y = _standardised(1000, 4)
    # the direct solvers' partial_fit merges chunk statistics (tests/linear_model/test_dask.py)
    assert hasattr(LinearRegression(), "partial_fit")
    assert not hasattr(LinearRegression(solver="gd"), "partial_fit")
    assert not hasattr(LinearRegression(solver="svd"), "partial_fit")
    est = LinearRegression(solver="sgd", batch_size=50, random_state=0)
    for i in range(1, 4):
        est.partial_fit(X, y)
        assert est.n_iter_ == i == len(est.loss_curve_)
        assert est.optimizer_.t == 20 * i  # the rule's state carries over
    assert est.loss_curve_[2] < est.loss_curve_[0]
    for _ in range(10):
        est.partial_fit(X, y)
    assert est.score(X, y) > LinearRegression().fit(X, y).score(X, y) - 5e-3
    with pytest.raises(ValueError, match="features"):
        est.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="target"):
        est.partial_fit(X, np.c_[y, y])
    # streaming chunks reach the same fit
    stream = LinearRegression(solver="sgd", random_state=0)
    for _ in range(20):
        for chunk in np.array_split(np.arange(1000), 5):
            stream.partial_fit(X[chunk], y[chunk])
    assert stream.score(X, y) > LinearRegression().fit(X, y).score(X, y) - 5e-3
    # partial_fit after fit continues from the fit
    est = LinearRegression(solver="sgd", random_state=0).fit(X, y)
    n = est.n_iter_
    est.partial_fit(X, y)
    assert est.n_iter_ == n + 1


def test_warm_start_starts_from_previous_fit():
    X, y = _standardised(500, 4)
    cold = LinearRegression(solver="gd").fit(X, y)
    warm = LinearRegression(solver="gd", warm_start=True).fit(X, y)
    warm.fit(X, y)
    assert warm.n_iter_ < cold.n_iter_
    np.testing.assert_allclose(warm.coef_, cold.coef_, atol=1e-3)


def test_early_stopping_keeps_best_validation_score():
    X, y = _standardised(1000, 4)
    est = LinearRegression(solver="sgd", early_stopping=True, random_state=0).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_validation_score_ > 0.5
    est.set_params(early_stopping=False).fit(X, y)
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    with pytest.raises(ValueError, match="validation"):
        LinearRegression(solver="gd", early_stopping=True).fit(X[:1], y[:1])


def test_new_parameters_ignored_by_direct_solvers():
    X, y = _standardised(200, 4)
    a = LinearRegression().fit(X, y)
    b = LinearRegression(optimizer="adam", learning_rate_init=1e3, max_iter=1, tol=1.0,
                         batch_size=3, early_stopping=True).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.n_iter_ == b.n_iter_ == 1


@pytest.mark.parametrize(
    "params, match",
    [
        ({"solver": "bfgs"}, "solver"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"schedule": "exponential"}, "schedule"),
        ({"max_iter": 0}, "max_iter"),
        ({"tol": -1.0}, "tol"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_bad_parameters(params, match):
    X, y = _standardised(50, 3)
    with pytest.raises(ValueError, match=match):
        LinearRegression(solver="sgd").set_params(**params).fit(X, y)


def test_float32_and_pickle():
    X, y = _standardised(300, 4)
    est = LinearRegression(solver="sgd", random_state=0).fit(X.astype(np.float32), y)
    assert est.coef_.dtype == np.float32
    est2 = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(est2.predict(X), est.predict(X))
    est2.partial_fit(X, y)  # the state survives pickling


def test_all_zero_weights_rejected():
    X, y = _standardised(50, 3)
    with pytest.raises(ValueError, match="zero"):
        LinearRegression(solver="gd").fit(X, y, sample_weight=np.zeros(50))


def test_weighted_minibatch_sgd_reaches_weighted_fit():
    """Minibatch gradients are unbiased for the weighted loss: SGD with a decaying step
    reaches the weighted ridge solution (not that of the unweighted data)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2000, 4))
    y = X @ [1.0, -0.5, 0.2, 0.0] + 0.5 * X[:, 0] ** 2 + 0.3 * rng.normal(size=2000)
    w = np.where(X[:, 0] > 0, 5.0, 0.2)  # strongly uneven weights, tied to the misfit
    ref = Ridge(alpha=1.0).fit(X, y, sample_weight=w)
    est = Ridge(alpha=1.0, solver="sgd", batch_size=20, learning_rate="inverse", max_iter=200,
                random_state=0).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=5e-3)
    unweighted = Ridge(alpha=1.0).fit(X, y)
    assert np.abs(unweighted.coef_ - ref.coef_).max() > 10 * np.abs(est.coef_ - ref.coef_).max()


def test_partial_fit_keeps_drawing_from_a_random_state_instance():
    # as sklearn's SGD: a RandomState passed as random_state is the generator of every
    # partial_fit call (not a copy frozen at the first one)
    rs = np.random.RandomState(0)
    X = np.random.default_rng(0).normal(size=(100, 3))
    est = LinearRegression(solver="sgd", random_state=rs)
    est.partial_fit(X, X[:, 0])
    before = rs.get_state()[2]
    est.partial_fit(X, X[:, 0])
    assert rs.get_state()[2] != before
