"""All-or-nothing fits over every estimator (with the settings of test_common.py).

A fit, partial_fit or warm-started fit that raises leaves the estimator's ``__dict__``
(keys and objects) and its outputs exactly as they were; a fresh estimator stays
unfitted; and a refit under other settings leaves exactly the attributes that a fresh
fit under those settings has (nothing stale of the previous fit)."""

import itertools

import numpy as np
import pytest
from sklearn.base import clone
from test_common import CHECK_PARAMS, ESTIMATORS, _fit_data

from skdl.utils import all_estimators


def _outputs(est, X):
    out = {}
    for method in ("predict", "predict_proba", "transform", "decision_function"):
        if hasattr(est, method):
            out[method] = getattr(est, method)(X)
    return out


def _needs_y(est):
    return est.__sklearn_tags__().target_tags.required


def _failing_fits(est, X, y):
    """(label, call) pairs of fits that must raise on a fitted ``est``."""
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    calls = [("NaN in X", lambda: est.fit(Xnan, y))]
    if _needs_y(est):
        calls.append(("y of the wrong length", lambda: est.fit(X, y[:-3])))
    if hasattr(est, "partial_fit"):
        calls.append(("partial_fit, fewer features", lambda: est.partial_fit(X[:, :-1], y)))
        calls.append(("partial_fit, NaN in X", lambda: est.partial_fit(Xnan, y)))
    params = est.get_params()
    if "warm_start" in params and params.get("solver") in ("gd", "sgd", "newton"):
        def warm():
            est.set_params(warm_start=True)
            try:
                est.fit(X[:, :-1], y)
            finally:
                est.set_params(warm_start=False)

        calls.append(("warm start, fewer features", warm))
    return calls


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_failed_fit_leaves_the_estimator_as_it_was(estimator):
    est = clone(estimator)
    X, y = _fit_data(est)
    # a fresh estimator stays unfitted
    fresh = dict(vars(est))
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    with pytest.raises(ValueError):
        est.fit(Xnan, y)
    assert vars(est) == fresh

    est.fit(X, y)
    before = dict(vars(est))
    outputs = _outputs(est, X)
    for label, call in _failing_fits(est, X, y):
        with pytest.raises((ValueError, TypeError)):
            call()
        state = vars(est)
        assert state.keys() == before.keys(), label
        for key, value in before.items():
            # the same objects: no solver changes the estimator's state in place
            assert state[key] is value, (label, key)
        after = _outputs(est, X)
        for method, expected in outputs.items():
            np.testing.assert_array_equal(after[method], expected, err_msg=f"{label} {method}")


def _setting_pairs():
    classes = dict(all_estimators())
    for name, settings in CHECK_PARAMS.items():
        for a, b in itertools.permutations(range(len(settings)), 2):
            yield pytest.param(classes[name], settings[a], settings[b], id=f"{name}-{a}-{b}")


@pytest.mark.parametrize(("cls", "first", "second"), list(_setting_pairs()))
def test_refit_leaves_exactly_the_attributes_of_a_fresh_fit(cls, first, second):
    fresh = cls(**second)
    X, y = _fit_data(fresh)
    est = cls(**first).fit(X, y)
    est.set_params(**fresh.get_params(deep=False)).fit(X, y)
    assert sorted(vars(est)) == sorted(vars(fresh.fit(X, y)))


def test_warm_start_with_other_features_says_what_it_expects():
    from skdl import LinearRegression

    X, y = _fit_data(LinearRegression())
    est = LinearRegression(solver="gd", warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LinearRegression is expecting 4"):
        est.fit(X[:, :3], y)
    assert est.n_features_in_ == 4 and est.coef_.shape == (4,)


@pytest.mark.network
def test_partial_fit_that_diverges_restores_the_network():
    # the net is trained in place: a DivergenceError mid-epoch must not leave NaN weights
    pytest.importorskip("torch")
    from skdl.neural_network import DivergenceError, MLPClassifier, MLPRegressor

    X, y = _fit_data(MLPRegressor())
    reg = MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", momentum=0.0,
                       learning_rate_init=10.0, max_iter=1, random_state=0).fit(X, y)
    for _ in range(50):  # plain SGD with lr=10 on targets of 1e3 blows up in a few epochs
        before, pred, n_iter = dict(vars(reg)), reg.predict(X), reg.n_iter_
        try:
            reg.partial_fit(X, 1e3 * y)
        except DivergenceError:
            break
    else:
        pytest.fail("partial_fit never diverged")
    assert vars(reg).keys() == before.keys()
    np.testing.assert_array_equal(reg.predict(X), pred)
    assert reg.n_iter_ == n_iter
    assert len(reg.loss_curve_) == len(reg.history_) == len(reg.net_.history)
    assert reg.t_ == reg.net_.callbacks_[-1][1].t_  # the samples-seen counter too
    assert reg.history_ is reg.net_.history

    # the repro: a refit with labels of another kind and length raises and
    # leaves classes_ with the model they belong to
    Xc, yc = _fit_data(MLPClassifier())
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(Xc, yc)
    proba = clf.predict_proba(Xc)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.fit(Xc, np.array(["a", "b", "c"])[np.arange(len(yc) - 1) % 3])
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    np.testing.assert_array_equal(clf.predict_proba(Xc), proba)
