"""Package-level promises: lazy torch, public names, docstrings matching signatures."""

import inspect
import re
import subprocess
import sys

import pytest

import skdl
from skdl.utils import all_estimators


def test_import_skdl_does_not_import_torch():
    code = (
        "import sys, skdl; from skdl import LinearRegression, Ridge; "
        "import skdl.utils; skdl.utils.all_estimators; "
        "assert 'torch' not in sys.modules and 'skorch' not in sys.modules, 'torch imported'; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'; "
        "assert 'dask' not in sys.modules, 'dask imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        skdl.Nope  # noqa: B018


def _documented_params(doc):
    section = re.search(r"Parameters\n\s*-+\n(.*?)(\n\s*(Attributes|Returns|See Also)\n\s*-+)",
                        doc, re.S)
    assert section, "no Parameters section"
    body = section.group(1)
    indent = min(len(m.group(1)) for m in re.finditer(r"^( *)\w+ :", body, re.M))
    return [m.group(1) for m in re.finditer(rf"^ {{{indent}}}(\w+) :", body, re.M)]


@pytest.mark.parametrize("name,cls", all_estimators())
def test_docstring_lists_exactly_the_parameters(name, cls):
    doc = inspect.getdoc(cls)
    for section in ("Parameters", "Attributes", "See Also", "Notes", "Examples"):
        assert re.search(rf"^{section}\n-+$", doc, re.M), f"{name}: no {section} section"
    # named parameters; **kwargs (skorch's prefixed routing) is documented in prose
    signature = [
        name for name, p in inspect.signature(cls.__init__).parameters.items()
        if name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    assert _documented_params(doc) == signature


def test_one_class_per_exception():
    # skdl.optim and skdl.neural_network had two unrelated DivergenceError classes:
    # catching one missed the other
    from skdl import exceptions, linear_model, optim

    assert optim.DivergenceError is exceptions.DivergenceError
    assert optim.FeatureScaleWarning is exceptions.FeatureScaleWarning
    assert linear_model.IllConditionedWarning is exceptions.IllConditionedWarning
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skdl import neural_network

    assert neural_network.DivergenceError is exceptions.DivergenceError
    assert issubclass(exceptions.DivergenceError, ValueError)
