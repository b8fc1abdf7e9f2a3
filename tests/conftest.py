import importlib.util

import numpy as np
import pytest

HAS_TORCH = importlib.util.find_spec("torch") is not None and (
    importlib.util.find_spec("skorch") is not None
)


def pytest_collection_modifyitems(config, items):
    if HAS_TORCH:
        try:
            import torch

            has_cuda = torch.cuda.is_available()
        except Exception:  # pragma: no cover
            has_cuda = False
    else:
        has_cuda = False
    skip_cuda = pytest.mark.skip(reason="needs a CUDA device; none is available")
    for item in items:
        if "cuda" in item.keywords and not has_cuda:
            item.add_marker(skip_cuda)
        if _trains_a_network(item):
            item.add_marker(pytest.mark.network)


def _trains_a_network(item):
    """Tests and doctests whose numbers depend on torch's kernels: the ``network`` marker
    (``make test`` runs them a second time on torch's generic kernels, one thread)."""
    parts = item.path.parts
    if "neural_network" in parts or "manifold" in parts:
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    estimator = params.get("estimator")
    if estimator is not None:
        return type(estimator).__module__.startswith(("skdl.neural_network", "skdl.manifold"))
    return item.name == "test_gridsearch_mlp_under_dask"


@pytest.fixture
def rng():
    return np.random.default_rng(0)
