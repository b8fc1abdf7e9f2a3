"""One vocabulary: the same concept has the same name, type and meaning on every public
estimator (issue 17), scikit-learn's name wherever sklearn has one."""

import inspect
import warnings
from numbers import Integral, Real

import numpy as np
import pytest
from sklearn.base import clone, is_classifier

from skdl.utils import all_estimators

ESTIMATORS = dict(all_estimators())

# names skdl used before it took sklearn's (max_epochs -> max_iter, patience ->
# n_iter_no_change, weight_decay -> alpha, schedule -> learning_rate, a float
# learning_rate -> learning_rate_init) and other spellings of those concepts
RETIRED = {"max_epochs", "epochs", "n_epochs", "patience", "weight_decay", "schedule", "lr",
           "l2", "n_iter"}


def _is_int(v):
    return isinstance(v, Integral) and not isinstance(v, bool)


# the default each shared parameter must have wherever it appears: sklearn's meaning
DEFAULTS = {
    "max_iter": lambda v: v is None or (_is_int(v) and v >= 1),
    "tol": lambda v: isinstance(v, Real) and v >= 0,
    "alpha": lambda v: isinstance(v, Real) and v >= 0,
    "n_iter_no_change": lambda v: _is_int(v) and v >= 1,
    "random_state": lambda v: v is None,
    "verbose": lambda v: v in (0, False),
    "warm_start": lambda v: v is False,
    "early_stopping": lambda v: v is False,
    "validation_fraction": lambda v: v == 0.1,
    "shuffle": lambda v: v is True,
    "batch_size": lambda v: v == "auto" or (_is_int(v) and v >= 1),
    "learning_rate_init": lambda v: v == "auto" or (isinstance(v, Real) and v > 0),
    "learning_rate": lambda v: v == "constant",
    "fit_intercept": lambda v: v is True,
    "copy_X": lambda v: v is True,
    "copy": lambda v: v is True,
    "positive": lambda v: v is False,
    "class_weight": lambda v: v is None,
}


# parameters whose sklearn meaning is another estimator family's, with the reason
OTHER_MEANING = {
    # the step size of the layout's gradient descent: sklearn's TSNE(learning_rate=...)
    # and umap-learn's (the encoder's Adam step is learning_rate_init)
    ("UMAP", "learning_rate"): lambda v: isinstance(v, Real) and v > 0,
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_parameter_names_and_defaults(name):
    params = inspect.signature(ESTIMATORS[name].__init__).parameters
    names = set(params) - {"self", "kwargs"}
    assert not names & RETIRED, f"{name} still uses {sorted(names & RETIRED)}"
    for param in names & set(DEFAULTS):
        default = params[param].default
        rule = OTHER_MEANING.get((name, param), DEFAULTS[param])
        assert rule(default), f"{name}({param}={default!r}) breaks the convention"


def _fast(name, est):
    """Small, quick settings (never a different algorithm)."""
    params = est.get_params()
    kw = {"max_iter": 8} if "max_iter" in params and params["max_iter"] is None or (
        _is_int(params.get("max_iter")) and params["max_iter"] > 8) else {}
    if "hidden_layer_sizes" in params:
        kw["hidden_layer_sizes"] = (8,)
    if name.startswith("CNN"):
        kw.update(conv_channels=(2,), image_shape=(1, 2, 4))
    if name.startswith("LSTM"):
        kw.update(hidden_size=4)
    if name in ("LinearRegression", "Ridge", "PCA", "LogisticIRLS", "RidgeRBF", "RBFFeatures"):
        kw.pop("max_iter", None)
    return est.set_params(**kw)


def _data(name, est):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int) if is_classifier(est) else X[:, 0] + 0.1
    if name.startswith("LSTM"):
        X = X.reshape(120, 4, 2)
    return X, y


def _variants(name):
    est = ESTIMATORS[name]()
    out = [est]
    params = est.get_params()
    if "solver" in params and name in ("LinearRegression", "Ridge"):
        out += [clone(est).set_params(solver=s) for s in ("gd", "sgd", "lsqr", "newton")]
    if name == "SoftmaxClassifier":
        out += [clone(est).set_params(solver=s) for s in ("newton", "gd", "sgd")]
    if "early_stopping" in params:
        extra = {"solver": "sgd"} if name in ("LinearRegression", "Ridge",
                                             "SoftmaxClassifier") else {}
        out.append(clone(est).set_params(early_stopping=True, **extra))
    return out


CASES = [(name, est) for name in sorted(ESTIMATORS) for est in _variants(name)]


@pytest.mark.parametrize("name, est", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_fitted_attributes_mean_one_thing(name, est):
    est = _fast(name, clone(est))
    X, y = _data(name, est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    # n_iter_: a Python int >= 1 after every fit (epochs, iterations, or 1 direct solve)
    assert _is_int(est.n_iter_) and est.n_iter_ >= 1, f"n_iter_={est.n_iter_!r}"
    if "max_iter" in est.get_params() and est.get_params()["max_iter"] is not None:
        assert est.n_iter_ <= est.get_params()["max_iter"] + 1
    # loss_curve_: where kept, a list of n_iter_ floats (one per iteration or epoch)
    curve = getattr(est, "loss_curve_", None)
    if curve is not None:
        assert isinstance(curve, list) and all(isinstance(v, float) for v in curve)
        assert len(curve) == est.n_iter_
    # validation results: validation_scores_ (a list, one per epoch) and
    # best_validation_score_ (a float), or None without early stopping
    if "early_stopping" in est.get_params():
        scores = getattr(est, "validation_scores_", None)
        if est.get_params()["early_stopping"]:
            assert isinstance(scores, list) and len(scores) == est.n_iter_
            assert all(isinstance(v, float) for v in scores)
            assert isinstance(est.best_validation_score_, float)
            assert est.best_validation_score_ == max(scores)
        else:
            assert scores is None
            assert getattr(est, "best_validation_score_", None) is None
