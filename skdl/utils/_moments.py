"""Weighted first and second moments of row blocks, and their pairwise merge.

Note 000 §8 updates a running mean and the sum of squared deviations one sample at a
time: ``μₙ = μₙ₋₁ + (xₙ - μₙ₋₁)/n`` and ``Sₙ = Sₙ₋₁ + (xₙ - μₙ)(xₙ - μₙ₋₁)``.  The
same algebra merges two whole blocks ``a`` and ``b`` (Chan, Golub and LeVeque's
pairwise update)::

    n = nₐ + n_b,   δ = μ_b - μₐ,   μ = μₐ + δ n_b/n,
    S = Sₐ + S_b + (nₐ n_b / n) δ δᵀ

with weights in place of counts.  Every chunked fit in skdl (in-memory row blocks,
``partial_fit`` over chunks, dask blocks) reduces to :func:`block_moments` on each
piece and :func:`merge_moments` between pieces.
"""

from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.linalg import blas

from skdl.utils._threads import n_cpus, row_tasks, sum_row_tasks

# bytes of one row block: small enough to stay in cache between the copy that shifts
# it and the syrk that consumes it
_BLOCK_BYTES = 4 * 2**20
# unweighted float64 inputs with at least this many elements take _direct_moments
_DIRECT_MIN_ELEMENTS = 2**20
# largest n μⱼ² / Sⱼⱼ accepted by _direct_moments' centring correction
_MAX_CANCELLATION = 1e4


class Moments(NamedTuple):
    """Sufficient statistics of a weighted sample of row vectors.

    Attributes
    ----------
    sw : float
        Sum of the weights (the number of rows when unweighted).
    mean : ndarray of shape (p,)
        Weighted mean.
    scatter : ndarray of shape (p, p)
        Weighted sum of outer products of deviations from the mean,
        ``Σ wᵢ (zᵢ - μ)(zᵢ - μ)ᵀ``.
    """

    sw: float
    mean: np.ndarray
    scatter: np.ndarray


def _direct_moments(X, Y=None):
    """Unweighted float64 moments of ``[X | Y]`` straight from BLAS on ``X`` itself.

    Per row task of :func:`~skdl.utils._threads.run_row_tasks` (one BLAS thread each,
    pulled by as many Python threads as CPUs, summed in task order): ``XᵀX`` by one
    symmetric rank-k update (numpy dispatches ``X.T @ X`` to syrk), ``Xᵀ[1 | Y]`` by
    one thin product and ``[1 | Y]ᵀ[1 | Y]``: no copy of ``X``.  Then the centring
    correction ``S = G - n μμᵀ``.  That correction cancels about
    ``log10(n μⱼ² / Sⱼⱼ)`` digits, so it is accepted only when ``n μⱼ² ≤ 10⁴ Sⱼⱼ`` for
    every column (at most ~4 digits lost, still ~1e-12 relative); otherwise ``None`` is
    returned and the caller takes the pilot-shifted blocked path.

    One multi-threaded syrk over all of ``X`` was 0.26 s at 1e6 × 100 on 2 cores, and
    1-41 s beside another process's BLAS job (its threads wait for each other); the
    tasks take 0.16 s, and beside that job about twice that.
    """
    n = X.shape[0]
    d = X.shape[1]
    k = 0 if Y is None else Y.shape[1]

    def task(lo, hi, worker):
        # [X | 1 | Y]ᵀ[X | 1 | Y] of rows lo:hi, without copying X
        xb = X[lo:hi]
        ones_y = np.empty((hi - lo, 1 + k))
        ones_y[:, 0] = 1.0
        if k:
            ones_y[:, 1:] = Y[lo:hi]
        part = np.empty((d + 1 + k, d + 1 + k))
        part[:d, :d] = xb.T @ xb
        part[:d, d:] = xb.T @ ones_y
        part[d:, :d] = part[:d, d:].T
        part[d:, d:] = ones_y.T @ ones_y
        return part

    cuts = row_tasks(n, 8 * (d + 1 + k), partial_bytes=8 * (d + 1 + k) ** 2)
    full = sum_row_tasks(task, cuts)
    # drop the ones' row and column: [X | Y] with the sums apart
    keep = np.r_[0:d, d + 1 : d + 1 + k]
    g = full[np.ix_(keep, keep)]
    sums = full[d, keep]
    mean = sums / n
    mean_sq = n * mean * mean
    centred_diag = np.diag(g) - mean_sq
    if not (np.all(np.isfinite(g)) and np.all(mean_sq <= _MAX_CANCELLATION * centred_diag)):
        return None
    g -= n * np.outer(mean, mean)
    return Moments(float(n), mean, g)


def block_moments(arrays, sample_weight=None, block_rows=None, n_threads=None):
    """Weighted moments of the rows of ``hstack(arrays)``, without forming it.

    ``X`` is read once, in row blocks that stay in cache: each block is shifted by a
    pilot estimate of the mean (the first block's), scaled by ``√w``, appended with a
    column of ones, and a symmetric rank-k update (BLAS ``syrk``) accumulates
    ``Σw``, ``Σ w z`` and ``Σ w z zᵀ`` of the shifted data.  Since the shift is close
    to the mean, the final correction ``G - Σw s sᵀ`` involves small numbers only and
    does not cancel.  Large inputs are split into row tasks of whole blocks pulled by
    ``n_threads`` threads, each with single-threaded BLAS, so that block copies overlap
    products (:func:`~skdl.utils._threads.run_row_tasks`).

    Parameters
    ----------
    arrays : sequence of ndarray of shape (n, p_j)
        Column groups (e.g. ``X`` and ``Y``); any float dtype, never copied whole.
    sample_weight : ndarray of shape (n,), default=None
        Non-negative weights.
    block_rows : int, default=None
        Rows per block; by default about 4 MB of float64.
    n_threads : int, default=None
        Threads; by default the CPUs available.  Pass 1 inside other parallel code.

    Returns
    -------
    Moments
    """
    arrays = [np.asarray(a) for a in arrays]
    arrays = [a.reshape(-1, 1) if a.ndim == 1 else a for a in arrays]
    n = arrays[0].shape[0]
    widths = [a.shape[1] for a in arrays]
    p = sum(widths)
    edges = np.cumsum([1, *widths])
    if (
        sample_weight is None
        and block_rows is None
        and n_threads is None
        and n * p >= _DIRECT_MIN_ELEMENTS
        and len(arrays) <= 2
        and all(a.dtype == np.float64 for a in arrays)
    ):
        mom = _direct_moments(arrays[0], arrays[1] if len(arrays) == 2 else None)
        if mom is not None:
            return mom
    sqrt_w = None if sample_weight is None else np.sqrt(np.asarray(sample_weight, float))
    if block_rows is None:
        block_rows = int(np.clip(_BLOCK_BYTES // (8 * (p + 1)), 256, 8192))
    b = max(1, min(n, block_rows))

    head = slice(0, b)
    w_head = None if sample_weight is None else np.asarray(sample_weight)[head]
    if w_head is not None and not np.any(w_head > 0):
        w_head = None
    if n:
        shift = np.concatenate(
            [np.average(a[head], axis=0, weights=w_head).astype(np.float64) for a in arrays]
        )
    else:
        shift = np.zeros(p)

    bufs = {}

    def accumulate(lo, hi, worker=0):
        # one work buffer per thread, reused by all its tasks
        buf = bufs.get(worker)
        if buf is None:
            buf = bufs[worker] = np.empty((b, p + 1), dtype=np.float64)
        gram = np.zeros((p + 1, p + 1), dtype=np.float64, order="F")
        for start in range(lo, hi, b):
            stop = min(start + b, hi)
            blk = buf[: stop - start]
            blk[:, 0] = 1.0
            for a, lo_c, hi_c in zip(arrays, edges[:-1], edges[1:], strict=True):
                np.subtract(a[start:stop], shift[lo_c - 1 : hi_c - 1], out=blk[:, lo_c:hi_c])
            if sqrt_w is not None:
                blk *= sqrt_w[start:stop, None]
            # blk.T is Fortran-contiguous (p+1, m): syrk with trans=0 gives blkᵀ blk
            gram = blas.dsyrk(1.0, blk.T, beta=1.0, c=gram, trans=0, lower=0, overwrite_c=1)
        return gram

    if n_threads is None:
        n_threads = n_cpus()
    if n_threads <= 1 or n <= 8 * b:
        gram = accumulate(0, n)
    else:
        # row tasks of whole blocks pulled by n_threads threads, one BLAS thread each
        cuts = row_tasks(n, 8 * (p + 1), partial_bytes=8 * (p + 1) ** 2, min_rows=b)
        gram = sum_row_tasks(accumulate, cuts, n_threads)
    gram = np.triu(gram) + np.triu(gram, 1).T

    sw = float(gram[0, 0])
    if sw > 0:
        s = gram[0, 1:] / sw
    else:
        s = np.zeros(p)
    scatter = gram[1:, 1:] - sw * np.outer(s, s)
    return Moments(sw, shift + s, scatter)


def sparse_moments(X, Y=None, sample_weight=None):
    """Weighted moments of the rows of ``[X | Y]`` for a scipy.sparse ``X``, never dense.

    ``XᵀWX`` is a product of sparse factors (made dense, d × d, at the end) and the
    centring is the rank-one correction ``XᵀWX - Σw x̄x̄ᵀ``: ``X`` cannot be shifted
    without densifying it, so a column whose mean is large against its spread loses
    digits here that :func:`block_moments`' pilot shift saves on dense data.  The dense
    ``Y`` is shifted by its mean first, so its blocks are exact:
    ``Σ w (x - x̄)(y - ȳ) = XᵀW(y - ȳ)``.

    Parameters
    ----------
    X : sparse matrix or array of shape (n, d)
    Y : ndarray of shape (n,) or (n, k), default=None
    sample_weight : ndarray of shape (n,), default=None

    Returns
    -------
    Moments
        Of the ``d + k`` columns of ``[X | Y]``.
    """
    X = sparse.csr_array(X, dtype=np.float64)  # copies the stored entries at most
    n, d = X.shape
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    sw = float(w.sum())
    Xw = X if sample_weight is None else sparse.diags_array(w) @ X
    x_mean = np.asarray(Xw.sum(axis=0), dtype=np.float64).ravel() / sw if sw > 0 else np.zeros(d)
    gram = X.T @ Xw
    gram = gram.toarray() if sparse.issparse(gram) else np.asarray(gram)
    xx = gram - sw * np.outer(x_mean, x_mean)
    if Y is None:
        return Moments(sw, x_mean, xx)
    Y = np.asarray(Y, dtype=np.float64)
    Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
    y_mean = (w @ Y) / sw if sw > 0 else np.zeros(Y.shape[1])
    Yc = Y - y_mean
    WYc = w[:, None] * Yc
    xy = np.asarray(X.T @ WYc)
    yy = Yc.T @ WYc
    scatter = np.block([[xx, xy], [xy.T, yy]])
    return Moments(sw, np.concatenate([x_mean, y_mean]), scatter)


def merge_moments(a, b):
    """Merge the moments of two disjoint samples (the pairwise update of note 000 §8).

    Parameters
    ----------
    a, b : Moments

    Returns
    -------
    Moments
        The moments of the union.
    """
    if a.sw == 0:
        return b
    if b.sw == 0:
        return a
    sw = a.sw + b.sw
    delta = b.mean - a.mean
    mean = a.mean + delta * (b.sw / sw)
    scatter = a.scatter + b.scatter + (a.sw * b.sw / sw) * np.outer(delta, delta)
    return Moments(sw, mean, scatter)


def merge_all(moments):
    """Merge an iterable of :class:`Moments` pairwise, as a balanced tree."""
    items = list(moments)
    if not items:
        raise ValueError("merge_all needs at least one Moments to merge.")
    while len(items) > 1:
        items = [
            merge_moments(items[i], items[i + 1]) if i + 1 < len(items) else items[i]
            for i in range(0, len(items), 2)
        ]
    return items[0]
