"""Chunked fits on dask arrays: per-block moments, merged as a tree, never materialised.

dask is optional (``pip install "skdl[dask]"``): nothing here imports it until a dask
array is actually passed.
"""

import numpy as np

from skdl.utils._moments import block_moments, merge_moments
from skdl.utils._threads import limit_threads


def is_dask_array(obj):
    """True for a ``dask.array.Array``, without importing dask."""
    return type(obj).__module__.startswith("dask.array") and hasattr(obj, "to_delayed")


def _as_row_blocks(arr, row_chunks):
    """Rechunk a 1-D or 2-D dask array to the given row chunks and full width."""
    import dask.array as da

    if not is_dask_array(arr):
        arr = da.from_array(np.asarray(arr), chunks=(row_chunks,) + (-1,) * (np.ndim(arr) - 1))
    chunks = (row_chunks,) + tuple((s,) for s in arr.shape[1:])
    return arr.rechunk(chunks)


def dask_moments(arrays, sample_weight=None):
    """Weighted moments of ``hstack(arrays)`` for dask arrays, block by block.

    Every row block is reduced to :class:`~skdl.utils._moments.Moments` where it
    lives (a worker, or a thread of the local scheduler), the small results are
    merged pairwise as a balanced tree (note 000 §8), and only the final ``p × p``
    statistics reach this process.  Peak memory is a few blocks, whatever the size
    of the array.

    Parameters
    ----------
    arrays : sequence of dask arrays (or array-likes) with the same number of rows
        The first one's row chunks are used for all.
    sample_weight : dask array or array-like of shape (n,), default=None

    Returns
    -------
    Moments
    """
    import dask

    first = arrays[0]
    if first.ndim != 2:
        raise ValueError(f"Expected a 2-D dask array, got {first.ndim} dimension(s).")
    row_chunks = first.chunks[0]
    blocks = [_as_row_blocks(a, row_chunks).to_delayed().ravel() for a in arrays]
    if sample_weight is not None:
        w_blocks = _as_row_blocks(sample_weight, row_chunks).to_delayed().ravel()
    else:
        w_blocks = [None] * len(blocks[0])

    def one(w, *parts):
        # inside dask's own parallelism: one thread per block; non-finite input is
        # reported by the caller from the merged statistics
        with np.errstate(invalid="ignore", over="ignore"):
            return block_moments(parts, w, n_threads=1)

    partial = [
        dask.delayed(one)(w, *parts) for w, *parts in zip(w_blocks, *blocks, strict=True)
    ]
    merge = dask.delayed(merge_moments)
    while len(partial) > 1:
        partial = [
            merge(partial[i], partial[i + 1]) if i + 1 < len(partial) else partial[i]
            for i in range(0, len(partial), 2)
        ]
    # the local threaded scheduler runs the blocks in this process, each in its own
    # thread: single-threaded BLAS avoids oversubscribing the cores (set once, here,
    # because the limit is process-wide)
    with limit_threads(1, "blas"):
        (result,) = dask.compute(partial[0])
    return result


def dask_map_rows(X, func, n_out):
    """Apply ``func`` (numpy rows -> numpy rows) blockwise; returns a lazy dask array.

    ``n_out`` is the number of output columns, or ``None`` for a 1-D result.
    """
    X = X.rechunk({1: -1})
    if n_out is None:
        return X.map_blocks(func, drop_axis=1, dtype=np.float64)
    return X.map_blocks(func, chunks=(X.chunks[0], (n_out,)), dtype=np.float64)
