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


@pytest.fixture
def rng():
    return np.random.default_rng(0)
