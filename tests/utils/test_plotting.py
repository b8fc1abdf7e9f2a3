"""TrainingCurveDisplay with fake fitted objects; matplotlib stays a lazy import."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import NotFittedError

from skdl.utils import TrainingCurveDisplay

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


class FakeLossCurve:
    def __init__(self, loss_curve):
        self.loss_curve_ = loss_curve


class FakeSkorchLike:
    def __init__(self, history):
        self.history_ = history


class Unfitted(RegressorMixin, BaseEstimator):
    def fit(self, X, y):  # pragma: no cover - never called
        self.coef_ = 0
        return self


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_import_skdl_does_not_import_matplotlib():
    code = (
        "import sys, skdl, skdl.utils, skdl.metrics, skdl.datasets; "
        "from skdl.utils import TrainingCurveDisplay; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("curve", [[3.0, 2.0, 1.5, 1.2, 1.1], np.array([0.9, 0.4, 0.2])])
def test_from_estimator_loss_curve(curve):
    disp = TrainingCurveDisplay.from_estimator(FakeLossCurve(curve))
    assert_allclose(disp.line_.get_ydata(), curve)
    assert_allclose(disp.line_.get_xdata(), np.arange(1, len(curve) + 1))
    assert disp.valid_line_ is None
    assert disp.ax_.get_xlabel() == "Epoch" and disp.ax_.get_ylabel() == "Loss"
    assert disp.figure_ is disp.ax_.figure
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert labels == ["FakeLossCurve: training loss"]


def test_from_estimator_history_with_validation():
    history = [
        {"epoch": 1, "train_loss": 2.0, "valid_loss": 2.2, "dur": 0.1},
        {"epoch": 2, "train_loss": 1.0, "valid_loss": 1.4, "dur": 0.1},
        {"epoch": 3, "train_loss": 0.5, "valid_loss": 1.1, "dur": 0.1},
    ]
    fig, ax = plt.subplots()
    disp = TrainingCurveDisplay.from_estimator(FakeSkorchLike(history), ax=ax, name="net")
    assert disp.ax_ is ax and disp.figure_ is fig
    assert_allclose(disp.line_.get_ydata(), [2.0, 1.0, 0.5])
    assert_allclose(disp.valid_line_.get_ydata(), [2.2, 1.4, 1.1])
    assert_allclose(disp.valid_line_.get_xdata(), [1, 2, 3])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["net: training loss", "net: validation loss"]


def test_history_with_partial_validation_and_no_epoch_key():
    history = [
        {"train_loss": 3.0},
        {"train_loss": 2.0, "valid_loss": 2.5},
        {"train_loss": 1.0},
        {"train_loss": 0.8, "valid_loss": 1.5},
    ]
    disp = TrainingCurveDisplay.from_estimator(FakeSkorchLike(history))
    assert_allclose(disp.line_.get_xdata(), [1, 2, 3, 4])
    assert_allclose(disp.valid_line_.get_xdata(), [2, 4])
    assert_allclose(disp.valid_line_.get_ydata(), [2.5, 1.5])


def test_history_takes_precedence_over_loss_curve():
    est = FakeSkorchLike([{"train_loss": 5.0}, {"train_loss": 4.0}])
    est.loss_curve_ = [1.0, 0.5, 0.25]
    disp = TrainingCurveDisplay.from_estimator(est)
    assert_allclose(disp.line_.get_ydata(), [5.0, 4.0])


def test_sklearn_mlp_loss_curve():
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    with pytest.warns(Warning):  # ConvergenceWarning after 20 iterations
        mlp.fit(X, X[:, 0])
    disp = TrainingCurveDisplay.from_estimator(mlp)
    assert_allclose(disp.line_.get_ydata(), mlp.loss_curve_)


def test_direct_construction_and_kwargs():
    disp = TrainingCurveDisplay(
        train_loss=[1.0, 0.5], valid_loss=[0.8], valid_epochs=[2], estimator_name="m"
    ).plot(train_kw={"color": "red"}, valid_kw={"marker": "o"})
    assert disp.line_.get_color() == "red"
    assert disp.valid_line_.get_marker() == "o"
    assert disp.valid_line_.get_linestyle() == "--"


@pytest.mark.parametrize(
    "est, err, match",
    [
        (FakeLossCurve([]), ValueError, "loss_curve_ is empty"),
        (FakeSkorchLike([]), ValueError, "history_ is empty"),
        (FakeSkorchLike([{"valid_loss": 1.0}]), ValueError, "no 'train_loss'"),
        (FakeSkorchLike("loss"), TypeError, "list of per-epoch dicts"),
        (FakeSkorchLike([1.0, 2.0]), TypeError, "list of per-epoch dicts"),
        (FakeLossCurve([[1.0, 2.0]]), ValueError, "one-dimensional"),
        (FakeLossCurve(["a"]), TypeError, "sequence of numbers"),
    ],
)
def test_bad_curves(est, err, match):
    with pytest.raises(err, match=match):
        TrainingCurveDisplay.from_estimator(est)


def test_unfitted_and_curveless_estimators():
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(Unfitted())
    fitted = Unfitted()
    fitted.coef_ = 1.0
    with pytest.raises(ValueError, match="records no training curve"):
        TrainingCurveDisplay.from_estimator(fitted)


def test_mismatched_lengths():
    with pytest.raises(ValueError, match="valid_loss has 3 entries"):
        TrainingCurveDisplay(train_loss=[1.0, 0.5], valid_loss=[1.0, 0.5, 0.2]).plot()
    with pytest.raises(ValueError, match="epochs has 3 entries"):
        TrainingCurveDisplay(train_loss=[1.0, 0.5], epochs=[1, 2, 3]).plot()


def test_real_skorch_net_history():
    pytest.importorskip("skorch")
    import torch
    from skorch import NeuralNetRegressor

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3)).astype(np.float32)
    y = X[:, :1] * 2.0
    net = NeuralNetRegressor(torch.nn.Linear(3, 1), max_epochs=4, lr=0.05, verbose=0)
    net.fit(X, y)
    disp = TrainingCurveDisplay.from_estimator(net)  # skorch's own `history`
    assert_allclose(disp.line_.get_ydata(), net.history[:, "train_loss"])
    assert_allclose(disp.valid_line_.get_ydata(), net.history[:, "valid_loss"])
    assert_allclose(disp.line_.get_xdata(), [1, 2, 3, 4])
    # a wrapper exposing it as history_ (skdl's network estimators) reads the same
    disp2 = TrainingCurveDisplay.from_estimator(FakeSkorchLike(net.history))
    assert_allclose(disp2.line_.get_ydata(), disp.line_.get_ydata())
