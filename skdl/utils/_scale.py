"""Scale helpers: exact power-of-two rescaling, and one check for data whose magnitude
a squaring estimator cannot represent."""

import numpy as np
from scipy import sparse


def power_of_two_scales(values):
    """The powers of two nearest to positive finite ``values`` (1 elsewhere).

    Dividing by a power of two is exact in floating point, so a problem rescaled by
    these has the same rounding as the original wherever neither under- nor overflows.
    """
    values = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(values) & (values > 0)
    return np.where(ok, np.exp2(np.round(np.log2(np.where(ok, values, 1.0)))), 1.0)


def column_magnitudes(X, rows=None, block_rows=8192):
    """The largest |entry| of each column of a 2-D array (float64; NaN where a column
    holds NaN; 0 for no rows), over the rows where the boolean mask ``rows`` is true
    (all by default).  One pass over ``X`` in row blocks: no temporary its size.  A
    scipy.sparse ``X`` is read through its stored entries only (never densified)."""
    if sparse.issparse(X):
        Xr = X if rows is None else X[np.flatnonzero(rows)]
        if Xr.shape[0] == 0 or Xr.nnz == 0:
            return np.zeros(X.shape[1])
        mags = abs(sparse.csc_array(Xr)).max(axis=0)
        mags = mags.toarray() if sparse.issparse(mags) else mags
        return np.asarray(mags, dtype=np.float64).ravel()
    out = np.zeros(X.shape[1])
    for start in range(0, X.shape[0], block_rows):
        blk = X[start : start + block_rows]
        if rows is not None:
            blk = blk[rows[start : start + block_rows]]
        if blk.shape[0]:
            out = np.maximum(out, np.abs(blk).max(axis=0))
    return out.astype(np.float64, copy=False)


def unrepresentable_squares(mags, n_terms):
    """Mask of the nonzero finite magnitudes ``m`` whose squares float64 cannot hold:
    ``m < 1e-150`` (x² below 1e-300, losing precision or underflowing) or
    ``n_terms m² > 1e306`` (a sum of ``n_terms`` squares overflowing)."""
    mags = np.asarray(mags, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return (np.isfinite(mags) & (mags > 0)
                & ((mags < 1e-150) | (max(n_terms, 1) * np.square(mags) > 1e306)))


def check_magnitude(X, estimator, what, n_terms):
    """Raise a ValueError naming ``estimator`` and ``what`` it squares when the largest
    |entry| ``m`` of ``X`` is nonzero and its squares under- or overflow float64:
    ``m < 1e-150`` (x² below 1e-300) or ``n_terms m² > 1e306`` (a sum of ``n_terms``
    squares).  NaN/inf are left to the finiteness checks.  One pass over ``X``."""
    if X.size == 0:
        return
    with np.errstate(invalid="ignore"):
        top = max(abs(float(np.max(X))), abs(float(np.min(X))))
    if unrepresentable_squares(top, n_terms):
        hi = float(np.sqrt(1e306 / max(n_terms, 1)))
        raise ValueError(
            f"{estimator} cannot fit X of magnitude {top:.1e} (its largest |entry|): "
            f"{what} under- or overflow float64 outside magnitudes [1e-150, {hi:.1e}] "
            "here. Multiply X by a constant first (e.g. StandardScaler)."
        )
