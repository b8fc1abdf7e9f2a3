"""Discovery of the public estimators, in the manner of ``sklearn.utils.all_estimators``."""

import importlib
import inspect

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)

# subpackages holding public estimators; those needing an optional extra are
# skipped when it is not installed
_SUBPACKAGES = (
    "skdl.linear_model",
    "skdl.decomposition",
    "skdl.neural_network",
    "skdl.manifold",
)
_OPTIONAL = {"skdl.neural_network": ("torch", "skorch"), "skdl.manifold": ("torch", "skorch")}

_FILTERS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}


def _optional_available(modname):
    for dep in _OPTIONAL.get(modname, ()):
        if importlib.util.find_spec(dep) is None:
            return False
    return True


def all_estimators(type_filter=None):
    """List every public skdl estimator.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"} or list of such, \
            default=None
        Keep only estimators of these kinds.  ``None`` keeps all.

    Returns
    -------
    estimators : list of (name, class) tuples
        Sorted by name.  Network estimators are listed only when the ``nn``
        extra (torch and skorch) is installed.

    Examples
    --------
    >>> from skdl.utils import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> "LinearRegression" in names
    True
    """
    if type_filter is None:
        kinds = []
    elif isinstance(type_filter, str):
        kinds = [type_filter]
    else:
        kinds = list(type_filter)
    for kind in kinds:
        if kind not in _FILTERS:
            raise ValueError(
                f"type_filter must be None or one of {sorted(_FILTERS)} (or a list of them); "
                f"got {kind!r}."
            )
    found = {}
    for modname in _SUBPACKAGES:
        if not _optional_available(modname):
            continue
        module = importlib.import_module(modname)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not name.startswith("_")
                and not inspect.isabstract(obj)
            ):
                found[name] = obj
    items = sorted(found.items())
    if kinds:
        items = [(n, c) for n, c in items if any(issubclass(c, _FILTERS[k]) for k in kinds)]
    return items
