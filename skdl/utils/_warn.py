"""``warn``: a warning attributed to the user's line, however deep in skdl it is raised."""

import os
import sys
import warnings

from skdl.utils._sklearn_compat import _fit_context

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# the code object of sklearn's ``_fit_context`` wrapper (one for every decorated fit
# method): its frame sits between the user's call and skdl's fit
_FIT_CONTEXT_CODE = _fit_context(prefer_skip_nested_validation=True)(lambda e: e).__code__


def _inside(frame):
    code = frame.f_code
    return code.co_filename.startswith(_PACKAGE) or code is _FIT_CONTEXT_CODE


def warn(message, category=UserWarning):
    """``warnings.warn`` with the stack level of the first caller outside skdl.

    A fixed ``stacklevel`` breaks as soon as a call path gains a frame (a helper, the
    all-or-nothing wrapper of the fit methods, sklearn's ``_fit_context``); this one
    names the line of user code (or of scikit-learn's, e.g. inside ``GridSearchCV``)
    that called into skdl.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and _inside(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
