"""The architecture's rules, checked (issue 18).

- Parameters are validated by scikit-learn's ``@_fit_context``: once per fit, not at all
  under ``sklearn.config_context(skip_parameter_validation=True)``, not again by a
  ``partial_fit`` of a fitted estimator, and not by the fits a fit makes inside it.
- scikit-learn's private API is imported in one module only,
  ``skdl/utils/_sklearn_compat.py``.
- No module imports a private name from another skdl subpackage, except from
  ``skdl.utils`` (the shared code).
"""

import ast
import contextlib
from collections import Counter
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

from skdl import PCA, LinearRegression, LogisticIRLS, RBFFeatures, Ridge, RidgeRBF

SKDL = Path(__file__).resolve().parents[1] / "skdl"
COMPAT = SKDL / "utils" / "_sklearn_compat.py"


def _data(classification=False):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=60)
    return X, (y > 0).astype(int) if classification else y


# each estimator with one parameter that breaks its constraint but that its fit does not
# read (or reads harmlessly), so a fit without validation succeeds
INVALID = [
    (lambda X: LinearRegression(tol=-1.0), False),
    (lambda X: Ridge(tol=-1.0), False),
    (lambda X: RBFFeatures(n_centers=5.0, centers=X[:5]), False),
    (lambda X: RidgeRBF(n_centers=5.0, centers=X[:5]), False),
    (lambda X: LogisticIRLS(warm_start="yes"), True),
    (lambda X: PCA(tol=-1.0, svd_solver="full"), False),
]


@pytest.mark.parametrize("make, classification", INVALID)
def test_skip_parameter_validation_is_honoured(make, classification):
    X, y = _data(classification)
    with pytest.raises(InvalidParameterError):
        make(X).fit(X, y)
    with config_context(skip_parameter_validation=True):
        make(X).fit(X, y)


@contextlib.contextmanager
def _count_validations():
    """Count ``_validate_params`` calls per estimator class (sklearn's included)."""
    counts = Counter()
    original = BaseEstimator._validate_params

    def counting(self):
        counts[type(self).__name__] += 1
        return original(self)

    with mock.patch.object(BaseEstimator, "_validate_params", counting):
        yield counts


@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearRegression(),
        lambda: Ridge(solver="cholesky"),
        lambda: Ridge(solver="sgd", random_state=0),
        lambda: PCA(n_components=2),
    ],
)
def test_partial_fit_validates_once_then_not_again(make):
    X, y = _data()
    est = make()
    args = (X,) if isinstance(est, PCA) else (X, y)
    with _count_validations() as counts:
        est.partial_fit(*args)
    assert counts == {type(est).__name__: 1}
    with _count_validations() as counts:
        est.partial_fit(*args)
        est.partial_fit(*args)
    assert counts == {}
    with _count_validations() as counts:
        est.fit(*args)
    assert counts == {type(est).__name__: 1}


@pytest.mark.parametrize(
    "make, classification",
    [
        (lambda: LinearRegression(), False),
        (lambda: Ridge(solver="svd"), False),
        (lambda: RBFFeatures(n_centers=5, random_state=0), False),
        # fits KMeans for its centres: only the outer fit validates
        (lambda: RidgeRBF(n_centers=5, random_state=0), False),
        (lambda: LogisticIRLS(), True),
        (lambda: PCA(n_components=2), False),
    ],
)
def test_fit_validates_once(make, classification):
    X, y = _data(classification)
    est = make()
    with _count_validations() as counts:
        est.fit(X, y)
    assert counts == {type(est).__name__: 1}
    if hasattr(est, "fit_transform"):
        with _count_validations() as counts:
            est.fit_transform(X, y)
        assert counts == {type(est).__name__: 1}


# --------------------------------------------------------------------------- #
# imports                                                                      #
# --------------------------------------------------------------------------- #
def _modules():
    for path in sorted(SKDL.rglob("*.py")):
        rel = path.relative_to(SKDL.parent)
        parts = list(rel.with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        yield path, rel.as_posix(), ".".join(parts), is_package


def _imports(path, module, is_package):
    """``(line, source module, imported names)`` of every import in the file, nested
    ones included; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([source] if source else []))
            yield node.lineno, source, [alias.name for alias in node.names]


def _is_private(dotted):
    return any(part.startswith("_") for part in dotted.split("."))


def _subpackage(module):
    """``skdl.<sub>`` of a module (a top-level module is its own)."""
    return ".".join(module.split(".")[:2])


def _violations():
    found = []
    for path, rel, module, is_package in _modules():
        for line, source, names in _imports(path, module, is_package):
            where = f"{rel}:{line}"
            if source == "sklearn" or source.startswith("sklearn."):
                private = [n for n in names if n.startswith("_")]
                if path != COMPAT and (_is_private(source) or private):
                    found.append((rel, f"{where} imports sklearn private {source} {private}"))
            elif source == "skdl" or source.startswith("skdl."):
                sub = _subpackage(source)
                if sub in (_subpackage(module), "skdl.utils", "skdl"):
                    continue
                # from skdl.x._mod import _name, or from skdl.x import _mod
                private = [n for n in names if n.startswith("_")]
                if private:
                    found.append((rel, f"{where} imports {private} from {source}"))
    return found


def test_sklearn_private_api_only_through_the_compat_module():
    bad = [msg for rel, msg in _violations()
           if "sklearn private" in msg]
    assert not bad, "import these through skdl.utils._sklearn_compat:\n" + "\n".join(bad)


def test_no_private_imports_across_subpackages_except_utils():
    bad = [msg for rel, msg in _violations()
           if "sklearn private" not in msg]
    assert not bad, "move the shared code to skdl.utils:\n" + "\n".join(bad)


# --------------------------------------------------------------------------- #
# solvers                                                                      #
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "lsqr", "sparse_cg", "lbfgs"])
def test_least_squares_solvers_return_a_result_the_estimator_publishes(solver):
    from skdl.linear_model._lstsq import _solve_direct
    from skdl.utils._results import SolverResult

    X, y = _data()
    w = np.linspace(0.5, 1.5, X.shape[0])
    result = _solve_direct(X, y[:, None], w, np.array([0.5]), solver=solver,
                           fit_intercept=True, positive=False, tol=1e-10, max_iter=None,
                           copy_X=True)
    assert isinstance(result, SolverResult)
    est = Ridge(alpha=0.5, solver=solver, tol=1e-10).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(est.coef_, result.coef[0], rtol=1e-12)
    np.testing.assert_allclose(est.intercept_, result.intercept[0], rtol=1e-12)
    assert est.n_iter_ == result.n_iter and est.solver_ == result.diagnostics["solver"]


def test_basis_and_irls_solvers_return_results():
    from skdl.linear_model._basis import _solve_basis
    from skdl.linear_model._logistic import _solve_irls
    from skdl.utils._results import SolverResult

    X, y = _data()
    res = _solve_basis(X, y[:, None], X[:5], 3.0, np.array([1e-3]), None, "auto")
    assert isinstance(res, SolverResult) and res.coef.shape == (1, 5)
    Xc, yc = _data(classification=True)
    res = _solve_irls(Xc, yc.astype(float), np.ones(len(yc)), alpha=1.0)
    est = LogisticIRLS(alpha=1.0).fit(Xc, yc)
    assert isinstance(res, SolverResult)
    np.testing.assert_allclose(est.coef_[0], res.coef)
    np.testing.assert_allclose(est.covariance_, res.diagnostics["covariance"])
