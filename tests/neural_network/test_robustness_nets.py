"""Networks: the smaller repro cases of the all-or-nothing / scale issue (16)."""

import numpy as np
import pytest

from skdl.neural_network import MLPClassifier, MLPRegressor


def _data(n=60, d=3):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    return X, X[:, 0] + 0.1 * rng.normal(size=n)


def test_target_beyond_the_training_dtype_names_y():
    # was a DivergenceError blaming learning_rate
    X, y = _data()
    with pytest.raises(ValueError, match="y has values of magnitude .* float32.*dtype=np.float64"):
        MLPRegressor(max_iter=2).fit(X, y * 1e200)
    MLPRegressor(max_iter=2, dtype=np.float64).fit(X, y * 1e100)  # representable


def test_numeric_strings_as_y():
    X, y = _data()
    params = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0, dtype=np.float64)
    np.testing.assert_allclose(
        MLPRegressor(**params).fit(X, y.astype(str)).predict(X),
        MLPRegressor(**params).fit(X, y).predict(X), rtol=1e-12,
    )


def test_keyboard_interrupt_warns_and_keeps_the_trained_epochs(monkeypatch):
    # skorch returns quietly; sklearn's MLP warns "Training interrupted by user."
    from skdl.neural_network._base import _SkdlNet

    epoch = _SkdlNet.run_single_epoch

    def interrupt_third(self, *args, **kwargs):
        if len(self.history) == 3:  # the third epoch's row exists: Ctrl-C in it
            raise KeyboardInterrupt
        return epoch(self, *args, **kwargs)

    monkeypatch.setattr(_SkdlNet, "run_single_epoch", interrupt_third)
    X, y = _data()
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=10, random_state=0)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        clf.fit(X, y > 0)
    # as sklearn: the two finished epochs count (the third was cut short)
    assert clf.n_iter_ == 2 == len(clf.loss_curve_) and clf.predict(X).shape == (60,)


def test_verbose_log_has_no_ansi_codes_off_a_terminal(capsys):
    X, y = _data()
    MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, verbose=1, early_stopping=True,
                 random_state=0).fit(X, y)
    out = capsys.readouterr().out
    assert "valid_loss" in out and "\x1b[" not in out
