"""Table 3.1 of note 001: wind and people -> energy."""

import numpy as np
from sklearn.utils import Bunch

from skdl.utils._sklearn_compat import validate_params

_DATA = np.array([[100.0, 2.0], [50.0, 42.0], [45.0, 31.0], [60.0, 35.0]])
_TARGET = np.array([5.0, 25.0, 22.0, 18.0])
_FEATURE_NAMES = ["wind", "people"]

_DESCR = """\
Note 001 table 3.1: a typical data set
---------------------------------------

4 instances, 2 input attributes (wind, people) and one output (energy), used by
note 001 ch. 3 to introduce linear regression.  With a column of ones prepended,
the note's guess ``θ = [1, 0, 0.5]`` predicts ``[2, 22, 16.5, 18.5]`` on the
training set and 11 at ``x = [50, 20]``.

=========  ======  ======
wind       people  energy
=========  ======  ======
100        2       5
50         42      25
45         31      22
60         35      18
=========  ======  ======
"""


@validate_params(
    {"return_X_y": ["boolean"], "as_frame": ["boolean"]}, prefer_skip_nested_validation=True
)
def load_table31(*, return_X_y=False, as_frame=False):
    """Load note 001's table 3.1 (wind, people -> energy).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        Give ``data`` as a pandas DataFrame and ``target`` as a Series (and a
        ``frame`` holding both); needs pandas.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` of shape (4, 2), ``target`` of shape (4,), ``feature_names``
        (``['wind', 'people']``), ``target_names`` (``['energy']``), ``frame``
        (a DataFrame when ``as_frame=True``, else None) and ``DESCR``.
    (data, target) : tuple if ``return_X_y`` is True
        The arrays (or DataFrame and Series) alone.

    See Also
    --------
    make_bouc_wen : Hysteretic shear-building responses to random ground motion.

    Notes
    -----
    The numbers are those printed in note 001 §3.2 (table 3.1); §3.5 uses them to
    show the linear model ``ŷ = Xθ`` with a column of ones for the bias.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.datasets import load_table31
    >>> X, y = load_table31(return_X_y=True)
    >>> X.shape, y
    ((4, 2), array([ 5., 25., 22., 18.]))
    >>> np.c_[np.ones(4), X] @ np.array([1.0, 0.0, 0.5])  # note 001 §3.5
    array([ 2. , 22. , 16.5, 18.5])
    """
    data, target = _DATA.copy(), _TARGET.copy()
    frame = None
    if as_frame:
        import pandas as pd

        data = pd.DataFrame(data, columns=_FEATURE_NAMES)
        target = pd.Series(target, name="energy")
        frame = pd.concat([data, target], axis=1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=list(_FEATURE_NAMES),
        target_names=["energy"],
        DESCR=_DESCR,
    )
