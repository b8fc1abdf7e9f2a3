"""Torch threads: skdl lowers the calling thread's OpenMP pool for small passes, and
nothing else (no process-global ``torch.set_num_threads``, never a raised count)."""

import threading

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from threadpoolctl import threadpool_limits

from skdl.neural_network import CNNClassifier, LSTMRegressor, MLPClassifier

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 16)).astype(np.float32)
Y = (X[:, 0] > 0).astype(int)


class _Stage:
    """A point inside the worker's fit or predict: the worker records its own torch
    threads there, signals, and waits until the test's thread has read its own."""

    def __init__(self):
        self.reached, self.resume, self.seen = threading.Event(), threading.Event(), None

    def __call__(self, *args, **kwargs):
        if self.seen is None:
            self.seen = torch.get_num_threads()
            self.reached.set()
            assert self.resume.wait(60)


class _AtEpochEnd(Callback):
    def __init__(self, stage):
        self.stage = stage

    def on_epoch_end(self, net, **kwargs):
        self.stage()


def _fresh_thread_count():
    """``torch.get_num_threads()`` in a new Python thread: torch sizes a thread's pool
    on its first use from the process-wide setting, which ``torch.set_num_threads``
    changes from any thread (the leak this guards against)."""
    out = []
    t = threading.Thread(target=lambda: out.append(torch.get_num_threads()))
    t.start()
    t.join(60)
    return out[0]


def _run_and_watch(est, X, y):
    """Fit then predict ``est`` in a worker thread; at a point inside the fit and inside
    the predict, read ``torch.get_num_threads()`` in this (the main) thread too."""
    stages = {"fit": _Stage(), "predict": _Stage()}
    est.set_params(callbacks=[("watch", _AtEpochEnd(stages["fit"]))])
    errors = []

    def work():
        try:
            est.fit(X, y)
            # a forward pre-hook runs inside predict (the inference copy of the module
            # keeps it; a function, which deepcopy shares, not the stage's events)
            est.net_.module_.register_forward_pre_hook(lambda m, a: stages["predict"]())
            est.predict(X[:5])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            for stage in stages.values():
                stage.reached.set()

    worker = threading.Thread(target=work)
    worker.start()
    main = {}
    for name, stage in stages.items():
        assert stage.reached.wait(120), f"the worker never reached {name}"
        main[name] = (torch.get_num_threads(), _fresh_thread_count())
        stage.resume.set()
    worker.join(120)
    if errors:
        raise errors[0]
    return {name: stage.seen for name, stage in stages.items()}, main


@pytest.mark.parametrize(
    "est, y",
    [
        (MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0), Y),
        (CNNClassifier(conv_channels=(2,), hidden_layer_sizes=(4,), max_iter=2), Y),
        (LSTMRegressor(hidden_size=4, max_iter=2, random_state=0), X[:, 0]),
    ],
    ids=["mlp", "cnn", "lstm"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_small_network_lowers_only_its_own_thread(est, y):
    before = (torch.get_num_threads(), _fresh_thread_count())
    seen, main = _run_and_watch(est, X, y)
    # the fitting thread ran the small passes on one thread ...
    assert seen == {"fit": 1, "predict": 1}
    # ... while the other Python threads, running or new, kept their count, during
    # the fit and the predict and after
    assert main == {"fit": before, "predict": before}
    assert (torch.get_num_threads(), _fresh_thread_count()) == before


@pytest.mark.parametrize("small", [0, np.inf], ids=["large-work", "small-work"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_users_openmp_limit_is_never_raised(small):
    seen = {}

    class Probe(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.setdefault("fit", []).append(torch.get_num_threads())

    est = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0,
                        callbacks=[("probe", Probe())])
    # the work above which skdl keeps torch's count (0: always; inf: never)
    est._one_thread_work = small
    with threadpool_limits(limits=1, user_api="openmp"):
        assert torch.get_num_threads() == 1
        est.fit(X, Y)
        est.predict(X)
        assert torch.get_num_threads() == 1
    assert seen["fit"] == [1, 1, 1]


def test_openmp_limit_reaches_torch_imported_after_a_first_limit():
    # a KMeans fit (RidgeRBF's centres) may set an OpenMP limit before torch is
    # imported; torch's own OpenMP runtime, loaded later, must still be limited
    import subprocess
    import sys

    code = (
        "from skdl.utils._threads import openmp_threads\n"
        "with openmp_threads(0):\n"
        "    pass\n"
        "import torch\n"
        "torch.set_num_threads(2)\n"
        "with openmp_threads(0):\n"
        "    inside = torch.get_num_threads()\n"
        "print(inside, torch.get_num_threads())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.split() == ["1", "2"], out.stdout + out.stderr
