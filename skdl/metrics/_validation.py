"""Input checks shared by the closed-form metrics."""

import numpy as np


def _as_float(x, name, *, allow_nan=False):
    """``x`` as a float64 array; a clear error for strings, objects and non-finite values."""
    if isinstance(x, str | bytes):
        raise TypeError(f"{name} must be numeric, got the string {x!r}.")
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be numeric array-like; could not convert it: {exc}") from exc
    if arr.dtype.kind not in "fiub":  # pragma: no cover - asarray(float) guarantees this
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.")
    if not allow_nan and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    return arr


def _check_positive(arr, name):
    if np.any(arr <= 0):
        raise ValueError(
            f"{name} must be strictly positive; got a minimum of {float(arr.min())!r}."
        )
    return arr


def _check_nonempty(arr, name):
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}).")
    return arr
