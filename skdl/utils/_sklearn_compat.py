"""The one door to scikit-learn's private helpers.

skdl builds on a few of scikit-learn's private names (parameter constraints, the
``_fit_context`` validation decorator, sample-weight checks).  They are imported
here and nowhere else, so a scikit-learn release that moves one of them is fixed in
this file; ``pyproject.toml`` bounds scikit-learn to the series CI tests.
"""

from sklearn.base import _fit_context
from sklearn.utils import _safe_indexing
from sklearn.utils._available_if import available_if
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    Options,
    RealNotInt,
    StrOptions,
    validate_params,
)
from sklearn.utils.extmath import _approximate_mode
from sklearn.utils.validation import _check_sample_weight, _check_y

__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "RealNotInt",
    "StrOptions",
    "_approximate_mode",
    "_check_sample_weight",
    "_check_y",
    "_fit_context",
    "_safe_indexing",
    "available_if",
    "check_matplotlib_support",
    "validate_params",
]
