"""Run scikit-learn's own test modules, from the installed package, against skdl.

:func:`load_suite` imports one of sklearn's test modules (``sklearn.decomposition.tests.
test_pca``, ...) as a *fresh* module object while the names it imports from sklearn
(``sklearn.decomposition.PCA``, ...) are patched to skdl's estimators; the patches are
undone right after the import, so the rest of the process (our own tests, sklearn's
internals) keeps sklearn's classes, while the loaded module's globals hold skdl's.  Its
test functions and fixtures are returned to be placed in a test file's namespace, where
pytest collects them with their own parametrisations.

Nothing of sklearn's test code is copied into this repository: it is read from the
installed wheel at collection time (the modules ship in ``sklearn/*/tests``).

``declared`` maps a test name, or ``name[param-id]`` for single parametrisations (a
glob: ``test_x[*sag*]``), to the reason it cannot apply to skdl; each such test is
marked ``xfail(strict=True)`` so that the list cannot go stale: a declared test that
starts passing fails the suite.  The one exception, a :class:`Random` reason, is for a
case whose outcome is random (an unseeded randomized solver inside sklearn's test).
"""

import importlib.util
import re
import sys
from contextlib import ExitStack
from unittest import mock

import pytest

# the scikit-learn series whose test modules the declared lists were written against
# (pyproject.toml bounds scikit-learn below the next one)
SKLEARN_SERIES = "1.9."

# suite alias -> (name or glob -> reason) of single parametrisations, filled by
# load_suite and read by the directory's conftest (pytest_collection_modifyitems)
DECLARED_CASES = {}


def declared_reason(item):
    """The declared reason of a collected test case of a loaded suite, or None."""
    function = getattr(item, "function", None)
    cases = DECLARED_CASES.get(getattr(function, "__module__", None), {})
    reason = cases.get(item.name)
    if reason is not None:
        return reason
    for pattern, why in cases.items():
        if "*" in pattern and _glob(pattern).fullmatch(item.name):
            return why
    return None


class Random(str):
    """A declared reason for a case whose outcome is random under skdl (an unseeded
    randomized solver inside sklearn's test): marked ``xfail(strict=False)``, the only
    non-strict declaration."""


def xfail_mark(reason):
    """``xfail(strict=True)`` for a declared reason; non-strict for a :class:`Random` one."""
    return pytest.mark.xfail(strict=not isinstance(reason, Random), reason=str(reason))


def _glob(pattern):
    """``*`` matches anything; everything else (brackets too) literally."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def load_suite(module_name, substitutes, declared, alias):
    """Import sklearn's ``module_name`` with ``substitutes`` patched in.

    Parameters
    ----------
    module_name : str
        Dotted name of the test module in the installed sklearn.
    substitutes : dict of str -> object
        ``"sklearn.decomposition.PCA": skdl.PCA``: attributes patched during the import.
    declared : dict of str -> str
        Tests (``name`` or ``name[id]``) that cannot apply, with the reason.
    alias : str
        Name of the fresh module object (``sys.modules`` keeps sklearn's own untouched).

    Returns
    -------
    namespace : dict
        The module's test functions, test classes and fixtures.
    """
    import sklearn

    if not sklearn.__version__.startswith(SKLEARN_SERIES):
        pytest.skip(
            f"the declared lists are for scikit-learn {SKLEARN_SERIES}x's test modules; "
            f"installed: {sklearn.__version__}",
            allow_module_level=True,
        )
    spec = importlib.util.find_spec(module_name)
    if spec is None:  # pragma: no cover - sklearn wheels ship their tests
        pytest.skip(f"{module_name} is not installed", allow_module_level=True)
    if type(spec.loader).__name__ != "AssertionRewritingHook":
        # a plain file loader only loads the module under its own name (under pytest's
        # --assert=plain): the same file, under the alias, without assertion rewriting
        spec = importlib.util.spec_from_file_location(alias, spec.origin)
    module = importlib.util.module_from_spec(spec)
    module.__name__ = alias
    with ExitStack() as stack:
        for target, value in substitutes.items():
            stack.enter_context(mock.patch(target, value))
        sys.modules[alias] = module
        spec.loader.exec_module(module)
    names = {n for n in vars(module) if n.startswith(("test_", "Test"))}
    unknown = {d.split("[")[0] for d in declared} - names - {"*"}
    if unknown:
        raise RuntimeError(f"declared tests not in {module_name}: {sorted(unknown)}")
    namespace = {}
    for name, obj in vars(module).items():
        if name in names:
            reason = declared.get(name)
            if reason is not None:
                obj = xfail_mark(reason)(obj)
            namespace[name] = obj
        elif getattr(obj, "_fixture_function_marker", None) is not None or (
            type(obj).__name__ == "FixtureFunctionDefinition"
        ):
            namespace[name] = obj
    DECLARED_CASES[alias] = {case: why for case, why in declared.items() if "[" in case}
    return namespace
