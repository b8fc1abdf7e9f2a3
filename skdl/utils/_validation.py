"""Small validation helpers shared by the estimators."""

import numpy as np


def numeric_target(y):
    """``y`` as float64 when it holds numbers written as strings or objects (as
    scikit-learn's regressors convert them); a ValueError naming y otherwise."""
    if y.dtype.kind in "USO":
        try:
            return y.astype(np.float64)
        except (TypeError, ValueError) as exc:
            first = y.flat[0] if y.size else None
            raise ValueError(
                f"y must hold numbers (or strings of numbers); got dtype {y.dtype} with "
                f"values such as {first!r}."
            ) from exc
    return y
