"""Fixtures and markers sklearn's test modules expect (from sklearn's own conftest)."""

from sklearn.conftest import (  # noqa: F401  (sklearn's fixtures)
    global_dtype,
    pyplot,
    pytest_generate_tests,  # noqa: F401  (global_random_seed)
)

from _harness import declared_reason, xfail_mark


def pytest_configure(config):
    for marker in ("thread_unsafe", "parallel_threads(n)", "iterations(n)"):
        config.addinivalue_line("markers", marker)


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = declared_reason(item)
        if reason is not None:
            item.add_marker(xfail_mark(reason))
