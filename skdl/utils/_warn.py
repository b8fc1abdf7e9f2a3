"""``warn``: a warning attributed to the user's line, however deep in skdl it is raised."""

import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def warn(message, category=UserWarning):
    """``warnings.warn`` with the stack level of the first caller outside skdl.

    A fixed ``stacklevel`` breaks as soon as a call path gains a frame (a helper, the
    all-or-nothing wrapper of the fit methods); this one names the line of user code
    (or of scikit-learn's, e.g. inside ``GridSearchCV``) that called into skdl.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
