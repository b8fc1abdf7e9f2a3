"""The autograd-free training step of plain perceptrons (``_direct.MLPStep``) and the
direct fused Adam step: bitwise the same training as autograd + ``Optimizer.step``,
and declined whenever something could observe the difference."""

import copy

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skdl.neural_network import MLPClassifier, MLPRegressor, _base, _direct

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(kind, n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    if kind == "multiclass":
        y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    elif kind == "binary":
        y = (X[:, 0] + X[:, 2] > 0).astype(int)
    elif kind == "multilabel":
        y = np.stack([X[:, 0] > 0, X[:, 1] > 0], axis=1).astype(int)
    else:
        y = np.stack([X[:, 0] - X[:, 1], X[:, 2] ** 2], axis=1)
    return X, y


def _counting(monkeypatch):
    """Count the direct steps and direct optimiser steps taken."""
    counts = {"grad": 0, "adam": 0}
    call, step = _direct.MLPStep.__call__, _base.fused_adam_step

    def counted_call(self, X, y):
        counts["grad"] += 1
        return call(self, X, y)

    def counted_step(optimizer):
        done = step(optimizer)
        counts["adam"] += done
        return done

    monkeypatch.setattr(_direct.MLPStep, "__call__", counted_call)
    monkeypatch.setattr(_base, "fused_adam_step", counted_step)
    return counts


def _autograd_only(monkeypatch):
    monkeypatch.setattr(_direct.MLPStep, "plan", classmethod(lambda cls, m, c: None))
    monkeypatch.setattr(_base, "fused_adam_step", lambda optimizer: False)


def _params(est):
    return [p.detach().clone() for p in est.net_.module_.parameters()]


CASES = [
    ("multiclass", MLPClassifier, {}),
    ("multiclass", MLPClassifier, {"alpha": 0.0, "batch_size": 32}),
    ("multiclass", MLPClassifier, {"hidden_layer_sizes": (7, 5), "activation": "tanh"}),
    ("multiclass", MLPClassifier, {"activation": "logistic", "alpha": 0.1}),
    ("multiclass", MLPClassifier, {"activation": "identity", "solver": "adamw"}),
    ("multiclass", MLPClassifier, {"solver": "sgd", "dtype": np.float64}),
    ("multiclass", MLPClassifier, {"early_stopping": True}),
    ("binary", MLPClassifier, {"alpha": 0.01}),
    ("multilabel", MLPClassifier, {}),
    ("regression", MLPRegressor, {"hidden_layer_sizes": (9, 4)}),
    # a width-1 layer on 1-row batches: autograd's mm backward takes its column-major
    # branch for the (1, 1) activation (another BLAS call, other rounding)
    ("binary", MLPClassifier, {"hidden_layer_sizes": (3, 1), "batch_size": 1}),
    ("regression", MLPRegressor, {"hidden_layer_sizes": (5, 1), "batch_size": 1}),
]


@pytest.mark.parametrize("kind, cls, params", CASES)
def test_direct_step_trains_bitwise_as_autograd(monkeypatch, kind, cls, params):
    X, y = _data(kind)
    kw = {"hidden_layer_sizes": (10,), "max_iter": 4, "random_state": 0, **params}
    with monkeypatch.context() as m:
        counts = _counting(m)
        direct = cls(**kw).fit(X, y)
    assert counts["grad"] > 0
    assert counts["adam"] > 0 or kw.get("solver") == "sgd"
    with monkeypatch.context() as m:
        _autograd_only(m)
        plain = cls(**kw).fit(X, y)
    assert direct.loss_curve_ == plain.loss_curve_
    for a, b in zip(_params(direct), _params(plain), strict=True):
        assert torch.equal(a, b)
    np.testing.assert_array_equal(direct.predict(X), plain.predict(X))


def test_direct_step_partial_fit_and_warm_start_bitwise(monkeypatch):
    X, y = _data("multiclass")
    runs = []
    for direct in (True, False):
        with monkeypatch.context() as m:
            if not direct:
                _autograd_only(m)
            a = MLPClassifier((8,), random_state=0)
            for _ in range(3):
                a.partial_fit(X, y, classes=[0, 1, 2])
            b = MLPClassifier((8,), max_iter=3, warm_start=True, random_state=0)
            b.fit(X, y).fit(X, y)
            runs.append(_params(a) + _params(b))
    for p, q in zip(*runs, strict=True):
        assert torch.equal(p, q)


def test_direct_step_declines_what_it_does_not_cover(monkeypatch):
    X, y = _data("multiclass")
    counts = _counting(monkeypatch)
    # dropout, sample weights, a loss option, an activation autograd must differentiate
    MLPClassifier((8,), dropout=0.2, max_iter=2, random_state=0).fit(X, y)
    MLPClassifier((8,), max_iter=2, random_state=0).fit(X, y, sample_weight=np.ones(len(y)))
    MLPClassifier((8,), max_iter=2, criterion__label_smoothing=0.1, random_state=0).fit(X, y)
    MLPClassifier((8,), activation="gelu", max_iter=2, random_state=0).fit(X, y)
    assert counts["grad"] == 0
    # under no_grad: the ordinary path (whose backward raises)
    with torch.no_grad(), pytest.raises(RuntimeError):
        MLPClassifier((8,), max_iter=2, random_state=0).fit(X, y)
    assert counts["grad"] == 0
    # a poisson loss
    Xr, yr = _data("regression")
    reg = MLPRegressor(hidden_layer_sizes=(8,), loss="poisson", max_iter=2, random_state=0)
    reg.fit(Xr, np.abs(yr))
    assert counts["grad"] == 0


def test_direct_step_declines_autocast_inference_mode_and_edited_modules(monkeypatch):
    X, y = _data("multiclass")
    counts = _counting(monkeypatch)
    with torch.autocast("cpu"):  # bfloat16 kernels: autograd's path, no crash
        MLPClassifier((8,), max_iter=1, random_state=0).fit(X, y)
    with torch.inference_mode(), torch.enable_grad(), pytest.raises(RuntimeError):
        MLPClassifier((8,), max_iter=1, random_state=0).fit(X, y)  # as autograd's path
    assert counts["grad"] == 0

    # an activation swapped in place after the first epoch: trained with the new one
    class Swap(Callback):
        def on_epoch_end(self, net, **kwargs):
            net.module_[1] = torch.nn.Tanh()

    runs = []
    for direct in (True, False):
        with monkeypatch.context() as m:
            if not direct:
                _autograd_only(m)
            est = MLPClassifier((8,), max_iter=3, random_state=0, callbacks=[Swap()])
            runs.append(_params(est.fit(X, y)))
    for p, q in zip(*runs, strict=True):
        assert torch.equal(p, q)


def test_direct_step_keeps_a_custom_net_class_loss(monkeypatch):
    X, y = _data("multiclass")

    class Doubled(_base._SkdlNet):
        def get_loss(self, y_pred, y_true, X=None, training=False):
            return 2 * super().get_loss(y_pred, y_true, X=X, training=training)

    class Est(MLPClassifier):
        _net_class = Doubled

    runs = []
    for direct in (True, False):
        with monkeypatch.context() as m:
            if not direct:
                _autograd_only(m)
            runs.append(Est((8,), max_iter=2, random_state=0).fit(X, y).loss_curve_)
    assert runs[0] == runs[1]


def test_direct_step_leaves_hooks_their_calls(monkeypatch):
    X, y = _data("multiclass")
    counts = _counting(monkeypatch)
    seen = {"forward": 0, "grad": 0, "step": 0}

    class Hooks(Callback):
        def on_train_begin(self, net, **kwargs):
            net.module_[0].register_forward_hook(lambda *a: seen.__setitem__("forward", 1))
            net.optimizer_.register_step_post_hook(lambda *a: seen.__setitem__("step", 1))

    class GradWatch(Callback):
        def on_grad_computed(self, net, named_parameters, **kwargs):
            seen["grad"] += 1

    MLPClassifier((8,), max_iter=2, callbacks=[Hooks()], random_state=0).fit(X, y)
    assert seen["forward"] == 1 and seen["step"] == 1
    assert counts == {"grad": 0, "adam": 0}
    MLPClassifier((8,), max_iter=2, callbacks=[GradWatch()], random_state=0).fit(X, y)
    assert seen["grad"] > 0
    assert counts == {"grad": 0, "adam": 0}

    # a tensor hook on a weight: autograd calls it, so the direct step steps aside
    calls = []
    net = MLPClassifier((8,), max_iter=1, random_state=0).fit(X, y).net_
    net.module_[0].weight.register_hook(lambda g: calls.append(1))
    plan = _direct.MLPStep.plan(net.module_, net.criterion_)
    xb = torch.zeros(4, 6)
    assert plan is not None and not plan.usable(xb, torch.zeros(4, dtype=torch.int64))


def test_direct_adam_step_equals_optimizer_step():
    torch.manual_seed(0)
    for cls in (torch.optim.Adam, torch.optim.AdamW):
        mods = [torch.nn.Linear(5, 3) for _ in range(2)]
        mods[1].load_state_dict(mods[0].state_dict())
        opts = [cls(m.parameters(), lr=1e-2, weight_decay=0.1, fused=True) for m in mods]
        for step in range(5):
            x = torch.randn(8, 5)
            for m, opt in zip(mods, opts, strict=True):
                opt.zero_grad()
                m(x).pow(2).mean().backward()
            opts[0].step()
            # the first step initialises the state through step() itself
            assert _direct.fused_adam_step(opts[1]) == (step > 0)
            if step == 0:
                opts[1].step()
            for p, q in zip(mods[0].parameters(), mods[1].parameters(), strict=True):
                assert torch.equal(p, q)
    # the optimizer state replaced (load_state_dict), a parameter without a gradient
    saved = opts[0].state_dict()
    for opt in opts:
        opt.load_state_dict(copy.deepcopy(saved))
    for step in range(4):
        x = torch.randn(8, 5)
        for m, opt in zip(mods, opts, strict=True):
            opt.zero_grad()
            m(x).pow(2).mean().backward()
            if step == 2:
                m.bias.grad = None
        opts[0].step()
        assert _direct.fused_adam_step(opts[1])
        for p, q in zip(mods[0].parameters(), mods[1].parameters(), strict=True):
            assert torch.equal(p, q)
    # declined: amsgrad, a non-fused optimiser, a step hook
    m = torch.nn.Linear(2, 1)
    m(torch.ones(1, 2)).sum().backward()
    for opt in (
        torch.optim.Adam(m.parameters(), amsgrad=True, fused=True),
        torch.optim.Adam(m.parameters(), foreach=False),
        torch.optim.SGD(m.parameters(), lr=0.1),
    ):
        opt.step()
        assert not _direct.fused_adam_step(opt)
    opt = torch.optim.Adam(m.parameters(), fused=True)
    opt.step()
    opt.register_step_pre_hook(lambda *a: None)
    assert not _direct.fused_adam_step(opt)
