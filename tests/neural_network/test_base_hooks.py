"""The net-class hook that lets a subclass train through another skorch net class
(e.g. skorch.hf.AccelerateMixin for multi-GPU; accelerate is not installed here)."""

import numpy as np

from skdl.neural_network import MLPClassifier
from skdl.neural_network._base import _SkdlNet


class _CountingNet(_SkdlNet):
    def __init__(self, *args, marker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.marker = marker


class _CustomMLP(MLPClassifier):
    _net_class = _CountingNet

    def _net_kwargs(self):
        return {"marker": "custom"}


def test_net_class_hook_is_used():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    clf = _CustomMLP(hidden_layer_sizes=(8,), max_iter=3, random_state=0).fit(X, y)
    assert isinstance(clf.net_, _CountingNet) and clf.net_.marker == "custom"
    assert clf.predict(X).shape == (60,)
