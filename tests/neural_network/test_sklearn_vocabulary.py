"""The networks' scikit-learn vocabulary: sklearn's MLP parameters with sklearn's
meanings (stopping on tol, alpha, the sgd schedules, lbfgs, warm_start), its fitted
attributes, and the ``callbacks`` parameter."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

from skdl.exceptions import DivergenceError
from skdl.neural_network import (
    VAE,
    CNNRegressor,
    LSTMClassifier,
    MLPClassifier,
    MLPRegressor,
)

X, Y = make_classification(n_samples=120, n_features=5, random_state=0)


def _quiet(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def test_defaults_are_sklearns():
    sk = pytest.importorskip("sklearn.neural_network")
    for ours, theirs in [(MLPClassifier, sk.MLPClassifier), (MLPRegressor, sk.MLPRegressor)]:
        mine, ref = ours().get_params(), theirs().get_params()
        assert {k: mine[k] for k in ref} == ref


def test_fitted_attributes_as_sklearn():
    clf = _quiet(MLPClassifier(hidden_layer_sizes=(7, 3), max_iter=5, random_state=0), X, Y)
    assert isinstance(clf.n_iter_, int) and clf.n_iter_ == len(clf.loss_curve_) == 5
    assert all(isinstance(v, float) for v in clf.loss_curve_)
    assert clf.loss_ == clf.loss_curve_[-1] and clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.t_ == 5 * len(X)
    assert [c.shape for c in clf.coefs_] == [(5, 7), (7, 3), (3, 1)]
    assert [b.shape for b in clf.intercepts_] == [(7,), (3,), (1,)]
    assert clf.n_layers_ == 4 and clf.out_activation_ == "logistic"
    # numpy copies of the torch weights
    w = clf.net_.module_.layers[0].weight.detach().numpy().T
    np.testing.assert_array_equal(clf.coefs_[0], w)
    clf.coefs_[0][:] = 0
    assert not np.all(clf.net_.module_.layers[0].weight.detach().numpy() == 0)
    multi = _quiet(MLPClassifier(max_iter=2, random_state=0), X, Y + np.arange(len(Y)) % 3)
    assert multi.out_activation_ == "softmax"
    reg = _quiet(MLPRegressor(max_iter=2, random_state=0), X, X[:, 0])
    assert reg.out_activation_ == "identity"


def test_tol_stops_training_without_early_stopping():
    # sklearn stops when the training loss has not improved by tol for more than
    # n_iter_no_change epochs, even without early_stopping
    params = dict(hidden_layer_sizes=(4,), learning_rate_init=1e-7, max_iter=100, random_state=0)
    clf = MLPClassifier(**params, tol=1.0, n_iter_no_change=3).fit(X, Y)
    assert clf.n_iter_ == 5  # the first epoch sets best_loss_, then 4 > 3 misses
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(**{**params, "max_iter": 6}, n_iter_no_change=np.inf).fit(X, Y)


def test_early_stopping_scores_and_best_weights():
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), early_stopping=True, n_iter_no_change=2, max_iter=50,
        learning_rate_init=0.01, random_state=0,
    )
    _quiet(clf, X, Y)
    assert clf.best_loss_ is None and len(clf.validation_scores_) == clf.n_iter_
    assert all(0 <= s <= 1 for s in clf.validation_scores_)  # accuracies
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert "validation_score" in clf.history_[-1] and "valid_loss" in clf.history_[-1]
    # the kept weights are the best epoch's: recompute its validation accuracy
    reg = _quiet(
        MLPRegressor(early_stopping=True, max_iter=20, random_state=0), X, X @ np.arange(5)
    )
    assert reg.best_validation_score_ == max(reg.validation_scores_) <= 1  # R²
    with pytest.raises(ValueError, match="early_stopping"):
        clone(clf).partial_fit(X, Y, classes=[0, 1])


def test_alpha_is_sklearns_l2_term():
    # one full-batch sgd step from the same weights: the penalty adds alpha * W / n to
    # the weights' gradient and nothing to the biases'
    params = dict(
        hidden_layer_sizes=(3,), solver="sgd", momentum=0.0, learning_rate_init=0.1,
        batch_size=len(X), shuffle=False, max_iter=1, random_state=0, dtype=np.float64,
    )
    a = _quiet(MLPRegressor(**params, alpha=0.0), X, X[:, 0])
    b = _quiet(MLPRegressor(**params, alpha=10.0), X, X[:, 0])
    init = _quiet(MLPRegressor(**{**params, "learning_rate_init": 1e-300}, alpha=0.0), X, X[:, 0])
    for wa, wb, w0 in zip(a.coefs_, b.coefs_, init.coefs_, strict=True):
        np.testing.assert_allclose(wb - wa, -0.1 * 10.0 * w0 / len(X), rtol=1e-9, atol=1e-15)
    for ba, bb in zip(a.intercepts_, b.intercepts_, strict=True):
        np.testing.assert_allclose(ba, bb, rtol=1e-12)
    # the reported loss includes it
    penalty = 0.5 * 10.0 * sum((w**2).sum() for w in init.coefs_) / len(X)
    assert b.loss_curve_[0] == pytest.approx(a.loss_curve_[0] + penalty, rel=1e-9)


def test_invscaling_and_adaptive_sgd():
    params = dict(hidden_layer_sizes=(4,), solver="sgd", max_iter=3, random_state=0)
    inv = _quiet(MLPClassifier(**params, learning_rate="invscaling", power_t=0.25), X, Y)
    lr = inv.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.001 / (3 * len(X) + 1) ** 0.25)
    # adaptive: a stalled loss divides the step by 5 instead of stopping
    ada = MLPClassifier(
        **{**params, "max_iter": 12}, learning_rate="adaptive", tol=10.0, n_iter_no_change=1
    )
    _quiet(ada, X, Y)
    assert ada.n_iter_ == 12
    assert ada.net_.optimizer_.param_groups[0]["lr"] < 0.001 / 5**3
    # other solvers ignore sklearn's sgd schedules, as sklearn
    adam = _quiet(MLPClassifier(**{**params, "solver": "adam"}, learning_rate="invscaling"), X, Y)
    assert adam.net_.optimizer_.param_groups[0]["lr"] == 0.001


def test_lbfgs():
    clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=(8,), random_state=0).fit(X, Y)
    assert clf.score(X, Y) > 0.95 and clf.n_iter_ < 200
    assert isinstance(clf.net_.optimizer_, torch.optim.LBFGS)
    assert not hasattr(clf, "partial_fit")
    with pytest.warns(ConvergenceWarning, match="max_fun"):
        MLPClassifier(solver="lbfgs", max_fun=5, random_state=0).fit(X, Y)


def test_warm_start_continues_and_checks_classes():
    clf = MLPClassifier(hidden_layer_sizes=(4,), warm_start=True, max_iter=3, random_state=0)
    _quiet(clf, X, Y)
    w = clf.coefs_[0].copy()
    net = clf.net_
    _quiet(clf, X, Y)
    assert clf.net_ is net and clf.n_iter_ == 3 and len(clf.loss_curve_) == 6
    assert clf.t_ == 6 * len(X) and not np.array_equal(w, clf.coefs_[0])
    with pytest.raises(ValueError, match="warm_start can only be used"):
        clf.fit(X, Y + 1)
    cold = _quiet(clone(clf).set_params(warm_start=False), X, Y)
    assert len(cold.loss_curve_) == 3


def test_warm_start_fit_builds_the_optimizer_of_the_current_parameters():
    # sklearn's MLP makes a new optimizer for each warm-started fit, from the current
    # solver and step size; the weights carry over, routed optimizer__* keywords stay
    clf = MLPClassifier(hidden_layer_sizes=(4,), warm_start=True, max_iter=2, random_state=0,
                        optimizer__weight_decay=1e-4)
    _quiet(clf, X, Y)
    net, w = clf.net_, clf.coefs_[0].copy()
    _quiet(clf.set_params(solver="sgd", learning_rate_init=0.05, momentum=0.5), X, Y)
    opt = clf.net_.optimizer_
    assert clf.net_ is net and isinstance(opt, torch.optim.SGD)
    assert opt.param_groups[0]["lr"] == 0.05 and opt.param_groups[0]["momentum"] == 0.5
    assert opt.param_groups[0]["weight_decay"] == 1e-4
    assert not np.array_equal(w, clf.coefs_[0]) and len(clf.loss_curve_) == 4
    _quiet(clf.set_params(solver="adam", learning_rate_init=0.01), X, Y)
    group = clf.net_.optimizer_.param_groups[0]
    assert isinstance(clf.net_.optimizer_, torch.optim.Adam)
    assert group["lr"] == 0.01 and group["weight_decay"] == 1e-4 and "momentum" not in group
    # a warm-started fit that fails puts back the optimizer it replaced, and its settings
    opt, w = clf.net_.optimizer_, clf.coefs_[0].copy()
    with pytest.raises(DivergenceError):
        _quiet(clf.set_params(solver="sgd", learning_rate_init=1e38, max_iter=5), X, Y)
    assert clf.net_.optimizer_ is opt and clf.net_.optimizer is torch.optim.Adam
    assert clf.net_.lr == 0.01 and "optimizer__momentum" not in vars(clf.net_)
    np.testing.assert_array_equal(w, clf.coefs_[0])
    _quiet(clf.set_params(solver="adam", learning_rate_init=0.01, max_iter=2), X, Y)  # trains on


def test_batch_size_auto_and_clipped():
    clf = _quiet(MLPClassifier(max_iter=1, random_state=0), X, Y)
    assert clf.net_.batch_size == len(X)  # min(200, n)
    with pytest.warns(UserWarning, match="batch_size"):
        _quiet(MLPClassifier(batch_size=500, max_iter=1, random_state=0), X, Y)


def test_poisson_loss():
    rng = np.random.default_rng(0)
    y = rng.poisson(np.exp(X[:, 0] / 2))
    reg = _quiet(MLPRegressor(loss="poisson", max_iter=100, random_state=0), X, y)
    assert reg.out_activation_ == "exp" and np.all(reg.predict(X) > 0)
    with pytest.raises(ValueError, match="negative"):
        MLPRegressor(loss="poisson").fit(X, -y - 1)


class _Counter(Callback):
    def __init__(self, step=1):
        self.step = step

    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += self.step


@pytest.mark.parametrize(
    "est",
    [
        MLPClassifier(hidden_layer_sizes=(4,)),
        CNNRegressor(conv_channels=(2,), hidden_layer_sizes=(4,)),
        LSTMClassifier(hidden_size=4),
        VAE(hidden_layer_sizes=(4,)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_callbacks_parameter(est):
    counter, named = _Counter(), _Counter()
    est = clone(est).set_params(max_iter=3, random_state=0, callbacks=[counter, ("mine", named)])
    y = X[:, 0] if isinstance(est, CNNRegressor) else Y
    _quiet(est, X[:, :4], y)
    names = [n for n, _ in est.net_.callbacks_]
    assert names.index("_Counter") < names.index("mine") < names.index("convergence")
    assert dict(est.net_.callbacks_)["mine"] is named and named.epochs_ == counter.epochs_ == 3
    # callbacks__<name>__<param> reaches the callback; clones keep the parameter
    est = clone(est).set_params(callbacks__mine__step=10)
    assert clone(est).get_params()["callbacks__mine__step"] == 10
    _quiet(est, X[:, :4], y)
    assert dict(est.net_.callbacks_)["mine"].epochs_ == 30
    with pytest.raises(ValueError, match="no callback named 'nope'"):
        clone(est).set_params(callbacks__nope=_Counter()).fit(X[:, :4], y)
    with pytest.raises(ValueError, match="taken by one of skdl's"):
        clone(est).set_params(callbacks=[("convergence", _Counter())]).fit(X[:, :4], y)
    with pytest.raises(TypeError, match="skorch callbacks"):
        clone(est).set_params(callbacks=[print]).fit(X[:, :4], y)


def test_early_stopping_does_not_warn_of_a_user_interrupt():
    clf = MLPClassifier(early_stopping=True, n_iter_no_change=1, tol=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.fit(X, Y)
    assert clf.n_iter_ < 200


def test_sparse_input_is_densified_per_batch():
    import scipy.sparse as sp

    Xs = sp.random(150, 30, density=0.1, format="csr", random_state=0)
    y = (Xs.sum(axis=1).A1 > np.median(Xs.sum(axis=1).A1)).astype(int)
    params = dict(hidden_layer_sizes=(8,), max_iter=5, early_stopping=True, random_state=0)
    dense = _quiet(MLPClassifier(**params), Xs.toarray(), y)
    sparse = _quiet(MLPClassifier(**params), Xs, y)
    np.testing.assert_allclose(sparse.predict_proba(Xs), dense.predict_proba(Xs.toarray()))
    reg = _quiet(MLPRegressor(max_iter=3, random_state=0), Xs.tocsc(), y.astype(float))
    assert reg.predict(Xs).shape == (150,)
    with pytest.raises(TypeError, match="[Ss]parse"):
        LSTMClassifier(hidden_size=4).fit(Xs, y)


def test_multilabel_indicator_targets():
    from sklearn.datasets import make_multilabel_classification

    Xm, Ym = make_multilabel_classification(n_samples=80, n_classes=4, random_state=0)
    clf = MLPClassifier(solver="lbfgs", hidden_layer_sizes=(30,), random_state=0).fit(Xm, Ym)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 4
    np.testing.assert_array_equal(clf.classes_, np.arange(4))
    assert clf.predict(Xm).shape == Ym.shape and clf.score(Xm, Ym) > 0.9
    proba = clf.predict_proba(Xm)
    np.testing.assert_array_equal(proba > 0.5, clf.predict(Xm).astype(bool))
    np.testing.assert_allclose(clf.predict_log_proba(Xm), np.log(proba))


def test_partial_fit_refuses_other_classes():
    clf = MLPClassifier(solver="sgd").partial_fit(X, Y, classes=[0, 1])
    with pytest.raises(ValueError, match="not the same"):
        clf.partial_fit(X, Y, classes=[1, 2])


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_full_batch_fit_equals_partial_fit_calls(momentum):
    # one batch is not permuted (the order of a sum is all a permutation would change),
    # so max_iter epochs of fit and as many partial_fit calls run the same float32
    # operations in the same order (sklearn's test_partial_fit_regression asks 1e-7;
    # the margin allows for nothing but identical runs)
    params = dict(
        solver="sgd", momentum=momentum, learning_rate_init=0.01, batch_size=len(X),
        n_iter_no_change=np.inf, random_state=1,
    )
    fitted = _quiet(MLPRegressor(max_iter=30, **params), X, X[:, 0])
    stepped = MLPRegressor(**params)
    for _ in range(30):
        stepped.partial_fit(X, X[:, 0])
    np.testing.assert_allclose(stepped.predict(X), fitted.predict(X), rtol=1e-6, atol=1e-7)
    assert stepped.loss_curve_ == pytest.approx(fitted.loss_curve_, rel=1e-6)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_coefs_and_predictions_in_the_dtype_of_X(cls):
    y = Y if cls is MLPClassifier else X[:, 0]
    for Xd, dtype, expected in [
        (X.astype(np.float32), np.float32, np.float32),
        (X, np.float32, np.float64),  # float32 weights, exact in float64
        (X.astype(np.float32), np.float64, np.float64),  # never rounded down
    ]:
        est = _quiet(cls(hidden_layer_sizes=(5, 3), max_iter=3, dtype=dtype, random_state=0), Xd, y)
        assert {c.dtype for c in est.coefs_ + est.intercepts_} == {np.dtype(expected)}
        torch_weights = est.net_.module_.layers[0].weight.detach().numpy().T
        np.testing.assert_array_equal(est.coefs_[0], torch_weights.astype(expected))
        if cls is MLPRegressor:
            pred = est.predict(Xd)
            assert pred.dtype == expected
            # computed in float64, rounded per entry: batch-invariant still
            np.testing.assert_array_equal(est.predict(Xd[:7]), pred[:7])


def test_divergence_with_early_stopping_keeps_the_best_weights():
    from sklearn.datasets import load_iris

    from skdl.neural_network import DivergenceError

    Xi, yi = load_iris(return_X_y=True)
    params = dict(
        hidden_layer_sizes=100, activation="identity", solver="sgd", learning_rate_init=1,
        max_iter=20, random_state=0,
    )
    reg = MLPRegressor(early_stopping=True, **params)
    with pytest.warns(ConvergenceWarning, match="diverged.*best validation epoch"):
        reg.fit(Xi, yi)
    assert not np.isfinite(reg.loss_curve_[-1]) and reg.n_iter_ < 20
    assert np.isnan(reg.validation_scores_[-1])
    assert reg.best_validation_score_ == max(s for s in reg.validation_scores_ if s == s)
    assert all(np.isfinite(c).all() for c in reg.coefs_ + reg.intercepts_)
    assert np.isfinite(reg.predict(Xi)).all()
    # without a validation epoch to go back to, the error as before
    with pytest.raises(DivergenceError, match="learning_rate_init"):
        MLPRegressor(**params).fit(Xi, yi)


def test_semi_supervised_validation_split_keeps_the_unlabelled_apart():
    # two classes and the unlabelled rows are three groups to stratify (not sklearn's
    # binarised labels, which would lump class 1 with the unlabelled rows)
    from skdl.neural_network import SemiSupervisedVAE

    est = SemiSupervisedVAE(validation_fraction=0.25)
    est.classes_ = np.array([0, 1])
    codes = np.repeat([0, 1, 2], [8, 20, 52])  # code 2: unlabelled
    for seed in range(5):
        _, valid = est._split(np.zeros((80, 1)), codes, None, seed)
        assert np.bincount(codes[valid], minlength=3).tolist() == [2, 5, 13]


def test_bernoulli_vae_out_activation():
    Xb = (X > 0).astype(float)
    assert _quiet(VAE(likelihood="bernoulli", max_iter=1), Xb).out_activation_ == "logistic"
    assert _quiet(VAE(max_iter=1), X).out_activation_ == "identity"
