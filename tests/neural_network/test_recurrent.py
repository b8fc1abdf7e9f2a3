"""Tests of LSTMRegressor / LSTMClassifier: memory, cells, shapes, clipping."""

import inspect
import re

import numpy as np
import pytest
import torch

from skdl.neural_network import LSTMClassifier, LSTMRegressor

# trained-quality claims are asserted over seeds with measured bounds (nn_quality.py)
from nn_quality import assert_claim, lstm_step_size
from nn_quality import memory_task as _memory_task

FAST = dict(hidden_size=8, max_iter=2, random_state=0)


def test_memory_task_needs_the_recurrence():
    # the LSTM recalls the first of 10 values; the same network shown only the last
    # step cannot know it
    assert_claim("lstm_memory")


@pytest.mark.parametrize("cell", ["gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_cells_and_bidirectional_fit_and_predict(cell, bidirectional):
    X, y = _memory_task(300, T=6)
    reg = LSTMRegressor(
        hidden_size=16,
        cell=cell,
        bidirectional=bidirectional,
        learning_rate_init=0.01,
        max_iter=2,
        random_state=0,
    ).fit(X[:200], y[:200])
    rnn = reg.net_.module_.rnn
    assert isinstance(rnn, {"gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell])
    assert rnn.bidirectional is bidirectional
    assert reg.net_.module_.readout.in_features == 16 * (2 if bidirectional else 1)
    pred = reg.predict(X[200:])
    assert pred.shape == (100,) and np.all(np.isfinite(pred))
    # even short training (15 epochs) recalls the first of 6 values reasonably
    assert_claim(f"{cell}{'_bidirectional' if bidirectional else ''}_memory")


def test_lstm_bidirectional_classifier():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8, 2))
    y = np.where(X[:, 0, 0] + X[:, -1, 1] > 0, "up", "down")
    clf = LSTMClassifier(
        hidden_size=16,
        bidirectional=True,
        num_layers=2,
        dropout=0.1,
        learning_rate_init=0.01,
        max_iter=2,
        random_state=0,
    ).fit(X[:200], y[:200])
    assert list(clf.classes_) == ["down", "up"]
    proba = clf.predict_proba(X[200:])
    assert proba.shape == (100, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert_claim("lstm_bidirectional_classifier")  # 20 epochs: held-out accuracy


def test_2d_input_is_a_univariate_sequence():
    X, y = _memory_task(60, T=7)
    a = LSTMRegressor(**FAST).fit(X[:, :, 0], y)
    b = LSTMRegressor(**FAST).fit(X, y)
    assert a.n_features_in_ == a.n_timesteps_ == 7 and a.input_size_ == 1
    np.testing.assert_allclose(a.predict(X[:, :, 0]), b.predict(X), rtol=1e-6)
    np.testing.assert_allclose(a.predict(X), a.predict(X[:, :, 0]))


def test_fixed_T_and_feature_count_at_predict():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 9, 3))
    reg = LSTMRegressor(**FAST).fit(X, X[:, 0, 0])
    with pytest.raises(ValueError, match="8 time steps, but LSTMRegressor was fitted on .* 9"):
        reg.predict(X[:, :8])
    with pytest.raises(ValueError, match="9 time steps with 2 features per step.*3 features"):
        reg.predict(X[:, :, :2])
    with pytest.raises(ValueError, match="3-D input .* or 2-D input .* got a 4-D array"):
        reg.fit(X[..., None], X[:, 0, 0])


def test_sequence_to_sequence_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 12, 1))
    Y = np.concatenate([np.cumsum(X, axis=1) / 3, X**2], axis=2)  # (n, T, 2)
    reg = LSTMRegressor(hidden_size=32, learning_rate_init=0.01, max_iter=2, random_state=0)
    reg.fit(X[:300], Y[:300])
    pred = reg.predict(X[300:])
    assert pred.shape == (100, 12, 2) and reg.n_outputs_ == 2
    assert_claim("lstm_sequence_to_sequence")  # 40 epochs: held-out R²
    with pytest.raises(ValueError, match="T=12 time steps"):
        reg.fit(X, Y[:, :5])


def test_clip_grad_norm_bounds_each_step():
    # plain SGD with lr=1: every step moves the weights by at most the clipping norm
    # (to float32 rounding); the unclipped step on the same huge gradients is large,
    # a claim over seeds (nn_quality.lstm_unclipped_step)
    assert lstm_step_size(0.01, seed=0) <= 0.01 + 1e-5
    assert_claim("lstm_unclipped_step")


def test_bad_params():
    X, y = _memory_task(20, T=4)
    with pytest.raises(ValueError, match="cell"):
        LSTMRegressor(cell="transformer").fit(X, y)
    with pytest.raises(ValueError, match="clip_grad_norm"):
        LSTMRegressor(clip_grad_norm=0.0).fit(X, y)
    with pytest.raises(ValueError, match="hidden_size"):
        LSTMClassifier(hidden_size=0).fit(X, y > 0)


@pytest.mark.parametrize("cls", [LSTMClassifier, LSTMRegressor])
def test_docstring_lists_the_signature_parameters(cls):
    section = cls.__doc__.split("Parameters\n    ----------")[1].split("Attributes\n")[0]
    documented = re.findall(r"^    (\w+) :|^    (\*\*\w+)$", section, flags=re.M)
    documented = [a or b for a, b in documented]
    signature = [
        ("**" + n if p.kind is p.VAR_KEYWORD else n)
        for n, p in inspect.signature(cls).parameters.items()
    ]
    assert documented == signature


def test_bouc_wen_lstm_beats_linear_arx():
    # 200 records of 250 steps of a 3-storey Bouc-Wen building, 160 to train, 40 held
    # out (examples/plot_lstm_bouc_wen.py plots it): the LSTM's R² in simulation, and
    # its margin over a linear ARX(6) model
    assert_claim("lstm_bouc_wen")
