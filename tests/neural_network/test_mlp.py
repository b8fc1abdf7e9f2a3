"""Tests of the skorch-backed MLPClassifier / MLPRegressor and their shared base."""

import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skdl.neural_network import DivergenceError, MLPClassifier, MLPRegressor
from skdl.neural_network._modules import INITS, MLPModule, init_variance, init_weights

# trained-quality claims are asserted over seeds with measured bounds (nn_quality.py)
from nn_quality import XOR_X, XOR_Y, assert_claim
from nn_quality import xor as _xor


# --------------------------------------------------------------- note 002 -- #
def test_xor_needs_a_hidden_layer():
    assert_claim("mlp_xor")
    X, y = _xor()
    common = dict(activation="tanh", learning_rate_init=0.05, max_iter=150)
    # a linear model cannot separate XOR: at most 3 of the 4 points right
    for seed in range(3):
        linear = MLPClassifier(hidden_layer_sizes=(), **{**common, "random_state": seed})
        assert linear.fit(X, y).score(XOR_X, XOR_Y) <= 0.75


@pytest.mark.parametrize("scheme", [s for s in INITS if s != "default"])
def test_init_variance_matches_formula(scheme):
    torch.manual_seed(0)
    fan_in, fan_out = 400, 500
    module = MLPModule(fan_in, 10, hidden_layer_sizes=(fan_out,))
    init_weights(module, scheme)
    first = module.layers[0]
    w = first.weight.detach().double().numpy()
    expected = {
        "kaiming": 2 / fan_in,
        "kaiming_uniform": 2 / fan_in,
        "xavier": 2 / (fan_in + fan_out),
        "xavier_uniform": 2 / (fan_in + fan_out),
        "lecun": 1 / fan_in,
        "normal": 0.01**2,
        "constant": 0.0,
    }[scheme]
    assert init_variance(scheme, fan_in, fan_out) == pytest.approx(expected)
    assert np.all(first.bias.detach().numpy() == 0)
    if scheme == "constant":
        assert np.unique(w).size == 1  # every unit identical: the symmetric evolution
        np.testing.assert_allclose(w, 1 / fan_in, rtol=1e-7)
        return
    # 200,000 draws: the sample variance is within ~1 % of the law's (3 % allowed)
    assert w.var() == pytest.approx(expected, rel=0.03)
    assert abs(w.mean()) < 4 * math.sqrt(expected / w.size)
    if scheme.endswith("_uniform"):
        bound = math.sqrt(3 * expected)
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    # the output layer (fan_in=500, fan_out=10) follows the same formula
    out = module.layers[-1].weight.detach().double().numpy()
    exp_out = init_variance(scheme, fan_out, 10)
    assert out.var() == pytest.approx(exp_out, rel=0.15)


def test_estimator_applies_init():
    X, y = _xor()
    for scheme in ("constant", "xavier"):
        clf = MLPClassifier(
            hidden_layer_sizes=(300,),
            init=scheme,
            solver="sgd", momentum=0.0,
            learning_rate_init=1e-9,
            max_iter=1,
            random_state=0,
        ).fit(X, y)
        w = clf.net_.module_.layers[2].weight.detach().double().numpy()  # 300 -> 2
        if scheme == "constant":
            np.testing.assert_allclose(w, 1 / 300, rtol=1e-4)
        else:
            assert w.var() == pytest.approx(2 / 302, rel=0.25)


# -------------------------------------------------------------- seeding -- #
def test_random_state_reproducible_and_global_rng_untouched():
    X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    params = dict(hidden_layer_sizes=(16,), dropout=0.2, max_iter=5)
    p1 = MLPClassifier(random_state=7, **params).fit(X, y).predict_proba(X)
    p2 = MLPClassifier(random_state=7, **params).fit(X, y).predict_proba(X)
    assert torch.equal(torch.get_rng_state(), state)
    np.testing.assert_array_equal(p1, p2)
    p3 = MLPClassifier(random_state=8, **params).fit(X, y).predict_proba(X)
    assert not np.allclose(p1, p3)
    # random_state=None also leaves the global RNG alone
    MLPClassifier(**params).fit(X, y)
    assert torch.equal(torch.get_rng_state(), state)


def test_divergence_raises_clear_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = 1e3 * X[:, 0]
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), solver="sgd", momentum=0.0, learning_rate_init=10.0,
        max_iter=20, random_state=0,
    )
    with pytest.raises(DivergenceError, match="learning_rate") as exc:
        reg.fit(X, y)
    assert isinstance(exc.value, ValueError)


# -------------------------------------------------------- sklearn tools -- #
def test_early_stopping_in_cross_val_score():
    # cross-validated accuracy, and training stops before max_iter
    assert_claim("mlp_early_stopping")
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    clf = MLPClassifier(
        hidden_layer_sizes=(16,),
        learning_rate_init=0.01,
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=300,
        random_state=0,
    )
    clf.fit(X, y)
    assert "valid_loss" in clf.history_[-1]
    # too few samples for a validation split: sklearn's error
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True, max_iter=5).fit(X[:5], y[:5])


@pytest.mark.slow  # starting two worker processes that import torch dominates
def test_grid_search_pipeline_n_jobs_and_pickle():
    X, _ = load_iris(return_X_y=True)
    grid = assert_claim("mlp_grid_search")[0]["grid"]  # best_score_ over seeds
    assert len(grid.cv_results_["params"]) == 8
    assert isinstance(grid.best_estimator_, Pipeline)
    best = pickle.loads(pickle.dumps(grid.best_estimator_))
    np.testing.assert_array_equal(best.predict_proba(X), grid.best_estimator_.predict_proba(X))


def test_pandas_feature_names():
    X, y = make_classification(
        n_samples=60, n_features=3, n_informative=2, n_redundant=0, random_state=0
    )
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c"])
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(df, X[:, 0])
    np.testing.assert_array_equal(reg.feature_names_in_, ["a", "b", "c"])
    assert reg.predict(df).shape == (60,)


def test_load_digits_accuracy():
    # the documented settings (see MLPClassifier's Notes)
    assert_claim("mlp_digits")


# --------------------------------------------------------------- device -- #
@pytest.mark.parametrize("device", ["cpu", "auto"])
def test_device_cpu_and_auto(device):
    X, y = _xor(5)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, device=device, random_state=0).fit(
        X, y
    )
    expected = "cpu" if not torch.cuda.is_available() or device == "cpu" else "cuda"
    assert torch.device(clf.net_.device).type == expected
    assert clf.predict(X).shape == (20,)


def test_bad_device():
    X, y = _xor(5)
    with pytest.raises(ValueError, match="device"):
        MLPClassifier(device="tpu", max_iter=1).fit(X, y)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            MLPClassifier(device="cuda", max_iter=1).fit(X, y)


def test_unpickle_gpu_state_on_cpu():
    # a net whose state says 'cuda' unpickles on a CPU-only machine (skorch maps it)
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    X, y = _xor(5)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    expected = clf.predict_proba(X)
    clf.net_.device = "cuda"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = pickle.loads(pickle.dumps(clf))
    assert any("CUDA" in str(w.message) or "cuda" in str(w.message) for w in caught)
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_allclose(loaded.predict_proba(X), expected)


@pytest.mark.cuda
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "auto"])
def test_cuda(device):
    X, y = _xor()
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        activation="tanh",
        learning_rate_init=0.05,
        max_iter=150,
        device=device,
        random_state=0,
    ).fit(X, y)
    assert next(clf.net_.module_.parameters()).is_cuda
    assert clf.score(XOR_X, XOR_Y) == 1.0
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))


# ------------------------------------------------------- the base's API -- #
def test_partial_fit_continues_training():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    for _ in range(10):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 11  # as sklearn: per call
    assert clf.t_ == 11 * len(X)
    assert_claim("mlp_partial_fit")  # the loss went down, over seeds
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X, y + 5)


def test_sample_weight_is_a_weighted_loss():
    # full batch (batch_size >= n): zero weights == removed samples, 2 == repeated;
    # float64 agrees to ~1e-15 per step; float32 sums the rows in another order (~1e-7
    # per step, amplified by training): its agreement is a claim over seeds (nn_quality)
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    sw = np.r_[np.zeros(10), np.ones(20), 2 * np.ones(10)]
    params = dict(
        hidden_layer_sizes=(8,), batch_size=100, max_iter=20, learning_rate_init=0.01,
        random_state=0, dtype=np.float64,
    )
    weighted = MLPClassifier(**params).fit(X, y, sample_weight=sw)
    Xr = np.r_[X[10:], X[30:]]
    yr = np.r_[y[10:], y[30:]]
    repeated = MLPClassifier(**params).fit(Xr, yr)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-11, atol=1e-13
    )
    assert_claim("mlp_weights_equal_repeats_float32")
    unweighted = MLPClassifier(**params).fit(X, y)
    assert not np.allclose(weighted.predict_proba(X), unweighted.predict_proba(X), atol=1e-4)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_dtype_sets_the_training_precision(cls):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    single = cls(**params).fit(X, y)
    double = cls(**params, dtype=np.float64).fit(X, y)
    assert {p.dtype for p in single.net_.module_.parameters()} == {torch.float32}
    assert {p.dtype for p in double.net_.module_.parameters()} == {torch.float64}
    assert double.predict(X).dtype == single.predict(X).dtype
    # the same initial weights and data: the two precisions follow the same path
    # (loss curves to rtol 1e-4, a claim over seeds for both classes: nn_quality)
    if cls is MLPClassifier:
        assert_claim("mlp_float32_follows_float64")
    with pytest.raises(ValueError, match="dtype"):
        cls(dtype="float16").fit(X, y)


def test_verbose(capsys):
    X, y = _xor(5)
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""
    MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, verbose=1, random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "epoch" in out


def test_history_and_loss_curve():
    X, y = _xor()
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        activation="tanh",
        learning_rate_init=0.05,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    assert clf.n_iter_ == 30 == len(clf.loss_curve_) == len(clf.history_)
    assert_claim("mlp_loss_curve")  # the loss went down, over seeds
    assert clf.loss_curve_ == list(clf.history_[:, "train_loss"])


def test_string_labels_and_proba():
    X, y = make_classification(
        n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    labels = np.array(["cat", "dog", "eel"])[y]
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=20, learning_rate_init=0.01, random_state=0
    ).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["cat", "dog", "eel"])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-10)
    assert set(clf.predict(X)) <= set(labels)
    assert_claim("mlp_string_labels")


def test_regressor_shapes_and_multioutput():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    Y = np.c_[X[:, 0], X[:, 1] - X[:, 2]]
    params = dict(hidden_layer_sizes=(16,), max_iter=40, learning_rate_init=0.01, random_state=0)
    reg = MLPRegressor(**params).fit(X, Y)
    pred = reg.predict(X)
    assert pred.shape == (80, 2) and pred.dtype == np.float64
    assert_claim("mlp_multioutput")
    assert MLPRegressor(**params).fit(X, Y[:, :1]).predict(X).shape == (80, 1)
    assert MLPRegressor(**params).fit(X, Y[:, 0]).predict(X).shape == (80,)


@pytest.mark.parametrize(
    "solver, cls",
    [
        ("sgd", torch.optim.SGD),
        ("adagrad", torch.optim.Adagrad),
        ("rmsprop", torch.optim.RMSprop),
        ("adadelta", torch.optim.Adadelta),
        ("adam", torch.optim.Adam),
        ("adamw", torch.optim.AdamW),
        ("lbfgs", torch.optim.LBFGS),
    ],
)
def test_solvers_by_name(solver, cls):
    X, y = _xor(5)
    clf = MLPClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    opt = clf.net_.optimizer_
    assert type(opt) is cls
    group = opt.param_groups[0]
    if solver == "lbfgs":
        assert group["lr"] == 1.0 and group["line_search_fn"] == "strong_wolfe"
        return
    # the L2 penalty is alpha in the loss, never the optimizer's weight decay
    assert group["lr"] == 0.001 and group["weight_decay"] == 0.0
    if solver == "sgd":  # sklearn's defaults: momentum 0.9, Nesterov's
        assert group["momentum"] == 0.9 and group["nesterov"] is True
    if solver in ("adam", "adamw"):
        assert group["betas"] == (0.9, 0.999) and group["eps"] == 1e-8


@pytest.mark.parametrize("momentum, nesterovs", [(0.9, False), (0.5, True), (0.0, True)])
def test_sgd_momentum_params(momentum, nesterovs):
    X, y = _xor(5)
    group = (
        MLPClassifier(
            hidden_layer_sizes=(4,), solver="sgd", momentum=momentum,
            nesterovs_momentum=nesterovs, max_iter=1, random_state=0,
        )
        .fit(X, y)
        .net_.optimizer_.param_groups[0]
    )
    assert group["momentum"] == momentum
    assert group["nesterov"] == (nesterovs and momentum > 0)


@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine", "plateau"])
def test_schedules_reduce_the_learning_rate(schedule):
    X, y = _xor(5)
    clf = MLPClassifier(
        hidden_layer_sizes=(4,),
        learning_rate=schedule,
        learning_rate_init=0.1,
        n_iter_no_change=2,
        max_iter=12,
        random_state=0,
    )
    if schedule == "plateau":  # a tiny lr makes no progress: the plateau schedule acts
        clf.set_params(learning_rate_init=1e-7)
    clf.fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["lr"] < clf.learning_rate_init


def test_dropout_and_batch_norm():
    X, y = make_classification(n_samples=129, n_features=5, random_state=0)  # 129 = 2*64 + 1
    clf = MLPClassifier(
        hidden_layer_sizes=(16, 16),
        dropout=0.3,
        batch_norm=True,
        max_iter=10,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X, y)
    kinds = {type(m).__name__ for m in clf.net_.module_.modules()}
    assert {"BatchNorm1d", "Dropout"} <= kinds
    assert_claim("mlp_dropout_batch_norm")
    with pytest.raises(ValueError, match="at least 2 samples"):
        clone(clf).fit(X[:1], y[:1])


def test_skorch_routing_params():
    X, y = _xor(5)
    clf = MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=1, random_state=0, optimizer__betas=(0.5, 0.6)
    )
    assert clf.get_params()["optimizer__betas"] == (0.5, 0.6)
    cloned = clone(clf)
    assert cloned.get_params() == clf.get_params()
    cloned.set_params(module__activation="tanh", optimizer__betas=(0.7, 0.8))
    cloned.fit(X, y)
    assert cloned.net_.optimizer_.param_groups[0]["betas"] == (0.7, 0.8)
    assert any(isinstance(m, torch.nn.Tanh) for m in cloned.net_.module_.modules())
    with pytest.raises(ValueError, match="extra parameters must start with"):
        MLPClassifier(max_iter=1, bogus=3).fit(X, y)


def test_bad_params():
    X, y = _xor(5)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(4, 0)).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate_init"):
        MLPClassifier(learning_rate_init=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        MLPClassifier(solver="nesterov").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate_init"):  # the float is _init
        MLPClassifier(learning_rate=0.01).fit(X, y)
    renamed = {
        "max_epochs": "max_iter",
        "patience": "n_iter_no_change",
        "weight_decay": "alpha",
        "optimizer": "solver",
        "schedule": "learning_rate",
    }
    for old, new in renamed.items():  # renamed to sklearn's names: say so
        with pytest.raises(ValueError, match=f"{old}.*renamed.*{new}"):
            MLPClassifier(**{old: 1}).fit(X, y)


def test_prediction_is_batch_invariant():
    X, y = make_classification(n_samples=300, n_features=20, random_state=0)
    clf = MLPClassifier(hidden_layer_sizes=(64,), max_iter=3, random_state=0).fit(X, y)
    full = clf.predict_proba(X)
    parts = np.vstack([clf.predict_proba(X[i : i + 7]) for i in range(0, 300, 7)])
    np.testing.assert_allclose(parts, full, rtol=1e-12)


def test_grad_callbacks_still_run():
    # a callback listening to on_grad_computed takes skorch's closure path
    from skorch.callbacks import GradientNormClipping

    X, y = make_classification(n_samples=100, n_features=5, random_state=0)
    params = dict(hidden_layer_sizes=(8,), learning_rate_init=0.1, max_iter=3, random_state=0)
    plain = MLPClassifier(**params).fit(X, y)
    clipped = MLPClassifier(**params).set_params(
        callbacks__divergence=GradientNormClipping(gradient_clip_value=1e-3)
    )
    clipped.fit(X, y)
    assert clipped.net_._listeners("on_grad_computed")
    assert not np.allclose(plain.predict_proba(X), clipped.predict_proba(X))


def test_plateau_schedule_with_early_stopping_data():
    X, y = _xor(5)  # the plateau schedule watches the validation loss: no KeyError
    clf = MLPClassifier(
        hidden_layer_sizes=(4,),
        learning_rate="plateau",
        early_stopping=True,
        validation_fraction=0.2,
        max_iter=3,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.n_iter_ >= 1 and "valid_loss" in clf.history_[-1]


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_docstring_lists_the_signature_parameters(cls):
    import inspect
    import re

    section = cls.__doc__.split("Parameters\n    ----------")[1].split("Attributes\n")[0]
    documented = re.findall(r"^    (\*{0,2}\w+) :|^    (\*\*\w+)$", section, flags=re.M)
    documented = [a or b for a, b in documented]
    signature = [
        ("**" + n if p.kind is p.VAR_KEYWORD else n)
        for n, p in inspect.signature(cls).parameters.items()
    ]
    assert documented == signature


def test_binary_uses_one_logit_like_sklearn():
    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    labels = np.array(["no", "yes"])[y]
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=10, learning_rate_init=0.01, random_state=0
    ).fit(X, labels)
    assert clf.n_outputs_ == 1 and isinstance(clf.net_.criterion_, torch.nn.BCEWithLogitsLoss)
    proba = clf.predict_proba(X)
    z = clf._forward(clf._prepare_X(X, reset=False))[:, 0]
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-z)), rtol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_grid_search_over_routed_skorch_params():
    X, y = _xor(4)
    grid = GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
        {"optimizer__betas": [(0.9, 0.999), (0.5, 0.9)], "module__activation": ["tanh"]},
        cv=2,
    ).fit(X, y)
    assert grid.best_estimator_.get_params()["module__activation"] == "tanh"
    assert isinstance(grid.best_estimator_.net_.module_[1], torch.nn.Tanh)
