"""The covariance of the least-squares estimates of LinearRegression and Ridge.

Notation (the user guide's "Inference" page): ``zᵢ = (1, xᵢ)`` (``xᵢ`` without an
intercept), ``wᵢ`` frequency weights, ``n = Σ wᵢ``, ``G = Σ wᵢ zᵢzᵢᵀ``, ``A = G + P``
with ``P = diag(0, α, ..., α)``, the bread ``B = A⁻¹`` (``pinv(G)`` for a
rank-deficient least-squares fit), ``eᵢ`` the residuals, ``hᵢ = zᵢᵀ B zᵢ`` and
``df_resid = n - tr(B G)``; ``Cov = c · B M B`` with

* nonrobust: ``M = G``, ``c = RSS / df_resid``;
* HC0 / HC1: ``M = Σ wᵢ eᵢ² zᵢzᵢᵀ``, ``c = 1`` / ``n / df_resid``;
* HC2 / HC3: ``M = Σ wᵢ eᵢ² / (1 - hᵢ)^a zᵢzᵢᵀ`` with ``a = 1`` / ``2``;
* cluster: ``M = Σ_g s_g s_gᵀ``, ``s_g = Σ_{i ∈ g} wᵢ eᵢ zᵢ``,
  ``c = G/(G-1) · (n-1)/df_resid`` (statsmodels' default correction; without a
  penalty ``(n-1)/(n-p)``, ``p`` the number of parameters even when ``G`` is
  rank-deficient, as statsmodels' OLS).

Everything is computed in the solvers' centred coordinates ``z̃ = (1, x - x̄) = L z``,
where ``A`` is block diagonal, ``B̃ = diag(1/n, H)`` with ``H = (XcᵀWXc + αI)⁻¹ = F Fᵀ``
the solvers' own factor, and mapped back by ``Cov = Lᵀ Cov~ L``; an equilibrated fit
(the solve ran on ``X / s``, :func:`skdl.linear_model._lstsq._equilibration`) is
computed in the solve's units and un-scaled, ``D⁻¹ Cov D⁻¹``.

The robust meat is one blocked pass over ``X`` after the solve
(:func:`meat_chunk`): per row block the residuals, for HC2/HC3 the leverages
``1/n + ‖(x - x̄)ᵀF‖²`` (a triangular product with the Cholesky factor), then a
symmetric rank-k update (BLAS ``syrk``) of the rows scaled by ``√(wᵢ ωᵢ) |eᵢ|``;
for clusters the per-group sums of ``wᵢ eᵢ z̃ᵢ`` by a sparse indicator product.
The partial results of row ranges, dask blocks and ``partial_fit`` chunks add up
(:func:`merge_meats`), and :func:`covariance_from_meat` finishes.
"""

from typing import NamedTuple

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import blas

from skdl.linear_model._inference import cluster_codes, sandwich
from skdl.linear_model._lstsq import (
    _rescaled_alphas,
    _solve_normal_equations,
)
from skdl.utils._scale import power_of_two_scales
from skdl.utils._threads import limit_threads, n_cpus, row_tasks, sum_row_tasks

# bytes of one row block of the meat pass (the block, its copy and the leverage
# product stay in cache)
_BLOCK_BYTES = 4 * 2**20
# rows of X below which the pass runs on one thread
_THREAD_MIN_ROWS = 65536
# rows of one task of the threaded pass at least
_TASK_MIN_ROWS = 8192
# solvers whose result is the exact optimum with a factor of the bread
COVARIANCE_SOLVERS = ("auto", "cholesky", "svd", "lbfgs", "newton")


class FitTerms(NamedTuple):
    """A least-squares fit in the units of its solve (``X / scale``).

    Attributes
    ----------
    coef : ndarray of shape (k, d)
    const : ndarray of shape (k,)
        ``intercept + x̄ᵀθ``: the residual is ``y - const - (x - x̄)ᵀθ``.
    x_mean : ndarray of shape (d,)
        The weighted column means (zeros without an intercept).
    scale : ndarray of shape (d,) or None
        The columns of ``X`` are divided by these before use.
    factors : list of (targets, F, triangular)
        ``H = F Fᵀ`` per distinct penalty; ``triangular``: F is upper triangular.
    sw : float
        ``n = Σ wᵢ``.
    fit_intercept : bool
    alphas : ndarray of shape (k,)
        The penalties (in the solve's units).
    """

    coef: np.ndarray
    const: np.ndarray
    x_mean: np.ndarray
    scale: object
    factors: list
    sw: float
    fit_intercept: bool
    alphas: np.ndarray


def fit_terms(coef, intercept, x_mean, factors, scale, sw, fit_intercept, alphas,
              solve_units=False):
    """:class:`FitTerms` from a fit's quantities: in the units of ``X`` (a published
    result: back to the solve's units by the exact powers of two ``scale``), or already
    in the solve's units (``solve_units``); ``alphas`` always in the units of ``X``."""
    coef = np.asarray(coef, dtype=np.float64).reshape(-1, np.shape(x_mean)[0])
    x_mean = np.asarray(x_mean, dtype=np.float64)
    intercept = np.broadcast_to(np.asarray(intercept, dtype=np.float64), (coef.shape[0],))
    const = intercept + coef @ x_mean
    if scale is not None and not solve_units:
        coef = coef * scale
        x_mean = x_mean / scale
        factors = [(t, f * scale[:, None]) for t, f in factors]
    terms = []
    for targets, f in factors:
        tri = f.shape[0] == f.shape[1] and not np.any(np.tril(f, -1))
        terms.append((np.asarray(targets), np.asfortranarray(f), tri))
    alphas = np.asarray(alphas, dtype=np.float64)
    if scale is not None:
        alphas = _rescaled_alphas(alphas, scale)
    return FitTerms(coef, const, x_mean, scale, terms, float(sw), bool(fit_intercept), alphas)


# eigenvalues of the equilibrated Gram matrix (unit diagonal) below this fraction of
# the largest are rounding: measured ≤ 3 eps for exactly collinear columns (n from 20
# to 2e5, offsets to 1e6), and the Cholesky route already refuses a reciprocal
# condition number below 1e-10 (_lstsq._rcond_min)
_PINV_RTOL = 1e-12


def _pinv_factor(a):
    """``F`` with ``F Fᵀ = pinv(a)`` (Moore-Penrose) for a symmetric positive
    semi-definite ``a``: the rank from the eigenvalues of the equilibrated
    ``D⁻¹ a D⁻¹`` (``D`` powers of two near ``√aⱼⱼ``: the decision carries no column
    units) above :data:`_PINV_RTOL` of the largest, the factor from the largest
    ``rank`` eigenpairs of ``a`` itself (a scaled pseudo-inverse is not ``pinv(a)``)."""
    d = a.shape[0]
    dsc = power_of_two_scales(np.sqrt(np.maximum(np.diag(a), 0.0)))
    mu = linalg.eigh(a / np.outer(dsc, dsc), eigvals_only=True, check_finite=False)
    rank = int(np.sum(mu > _PINV_RTOL * max(mu[-1], 0.0)))
    lam, V = linalg.eigh(a, check_finite=False)
    lam, V = lam[d - rank:], V[:, d - rank:]
    keep = lam > 0
    return V[:, keep] / np.sqrt(lam[keep])


def bread_factors(gram, alphas):
    """``[(targets, F)]`` with ``F Fᵀ = (G + αI)⁻¹`` per distinct penalty of ``alphas``
    (``G`` the centred Gram matrix), by the rank decision of the 'cholesky' / 'auto'
    route: the Cholesky factor when the reciprocal condition number passes its test
    (:func:`skdl.linear_model._lstsq._rcond_min`), otherwise ``pinv(G + αI)``
    (:func:`_pinv_factor`; statsmodels' pinv covariance).  For the solvers that
    check no factor of the Gram matrix themselves ('lbfgs', 'newton'): an unchecked
    Cholesky factor of an exactly singular Gram matrix that succeeds by rounding is a
    bread of order ``1/eps``."""
    gram = np.asarray(gram, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    d = gram.shape[0]
    zeros = np.zeros((d, 1))
    out = []
    for alpha in np.unique(alphas):
        try:
            f = _solve_normal_equations(gram, zeros, np.array([alpha])).diagnostics[
                "factors"][0][1]
        except np.linalg.LinAlgError:
            f = _pinv_factor(gram + alpha * np.eye(d))
        out.append((np.flatnonzero(alphas == alpha), f))
    return out


# --------------------------------------------------------------------------- #
# the meat: one blocked pass                                                   #
# --------------------------------------------------------------------------- #
def _leverages(xc, terms, k):
    """``hᵢ = 1/n + (xᵢ - x̄)ᵀ H (xᵢ - x̄)`` (``1/n`` only with an intercept), (m, k)."""
    h = np.empty((xc.shape[0], k))
    base = 1.0 / terms.sw if terms.fit_intercept else 0.0
    for targets, f, tri in terms.factors:
        if tri:
            # Qᵀ = Fᵀ Xcᵀ by BLAS trmm (Xcᵀ is X's C block read as Fortran)
            q = blas.dtrmm(1.0, f, xc.T, side=0, lower=0, trans_a=1).T
        else:
            q = xc @ f
        h[:, targets] = (np.einsum("ij,ij->i", q, q) + base)[:, None]
    return h


def _group_sums(xc, v, codes, out, fi):
    """``out[t, g] += Σ_{i ∈ g} vᵢₜ (1, xcᵢ)`` for the block's rows: the product of a
    sparse (groups of the block × rows) indicator weighted by ``v`` with ``xc``, in CSC
    form (one entry per column, so no sort to build it); ``O(m d)``."""
    m = xc.shape[0]
    rows, local = np.unique(codes, return_inverse=True)
    indptr = np.arange(m + 1)
    for t in range(v.shape[1]):
        ind = sparse.csc_array((v[:, t], local, indptr), shape=(rows.shape[0], m))
        out[t, rows, fi:] += ind @ xc
        if fi:
            out[t, rows, 0] += np.bincount(local, v[:, t], minlength=rows.shape[0])


def _leverage_factors(xc, w, terms, k, cov_type, first_row):
    """``1 - hᵢ`` (HC3) or ``√(1 - hᵢ)`` (HC2) of a block's rows, 1 where ``wᵢ = 0``
    (such a row adds nothing, and its leverage - outside the fit - may exceed 1);
    raises ValueError when a positively weighted row has ``hᵢ ≥ 1 - 1e-12``
    (``first_row``: the block's first row in the caller's ``X``, to name it)."""
    h = _leverages(xc, terms, k)
    active = np.ones(xc.shape[0], dtype=bool) if w is None else w[:, 0] > 0
    full = active & np.any(h >= 1.0 - 1e-12, axis=1)
    if np.any(full):
        bad = np.flatnonzero(full) + first_row
        raise ValueError(
            f"cov_type={cov_type!r} divides by 1 - h (h the leverage of a sample), "
            f"undefined here: sample(s) {', '.join(map(str, bad[:5]))}"
            f"{' ...' if bad.size > 5 else ''} of X have leverage 1 (they alone "
            "determine a parameter, e.g. no more samples than parameters). Use "
            "cov_type='HC0' or 'HC1', or Ridge with alpha > 0.")
    f = np.where(active[:, None], 1.0 - h, 1.0)
    return f if cov_type == "HC3" else np.sqrt(f)


def meat_chunk(X, Y, w, terms, cov_type, codes=None, n_groups=None, block_rows=None,
               row_offset=0):
    """The meat of the rows of one chunk (numpy or scipy.sparse ``X``, in its own units).

    Returns ``(k, p, p)`` sums of ``wᵢ ωᵢ eᵢ² z̃ᵢz̃ᵢᵀ`` (HC types), or for
    ``cov_type='cluster'`` the ``(k, n_groups, p)`` per-group sums of ``wᵢ eᵢ z̃ᵢ``
    (``codes`` in ``0..n_groups-1``), in the centred solve coordinates.  Per row
    block: ``x - x̄`` into one contiguous buffer, the residuals, the leverages (HC2,
    HC3) by a triangular product with the bread's factor, then the buffer scaled in
    place and one ``syrk`` (the intercept's row of the meat by a matrix-vector
    product).  HC2/HC3 raise ValueError when a positively weighted row has leverage
    1 (named by its index plus ``row_offset``).
    """
    n, d = X.shape
    Y = np.asarray(Y).reshape(n, -1)
    k = Y.shape[1]
    fi = int(terms.fit_intercept)
    cluster = cov_type == "cluster"
    if cluster:
        out = np.zeros((k, n_groups, d + fi))
    else:
        gram = [np.zeros((d, d), order="F") for _ in range(k)]
        cross = np.zeros((k, d))  # Σ s² xc: the intercept's row
        total = np.zeros(k)  # Σ s²
    if block_rows is None:
        block_rows = int(np.clip(_BLOCK_BYTES // (8 * (d + 1)), 256, 8192))
    b = max(1, min(n, block_rows))
    buf = np.empty((b, d))
    is_sparse = sparse.issparse(X)
    if is_sparse:
        X = sparse.csr_array(X)
    for start in range(0, n, b):
        stop = min(start + b, n)
        xc = buf[: stop - start]
        xb = X[start:stop].toarray() if is_sparse else X[start:stop]
        if fi:
            np.subtract(xb, terms.x_mean if terms.scale is None
                        else terms.x_mean * terms.scale, out=xc)
        else:
            xc[...] = xb
        if terms.scale is not None:
            xc /= terms.scale  # (x - x̄ s)/s = x/s - x̄ in the solve's units
        e = Y[start:stop] - terms.const - xc @ terms.coef.T  # (m, k)
        wb = None if w is None else w[start:stop, None]
        if cluster:
            _group_sums(xc, e if wb is None else e * wb, codes[start:stop], out, fi)
            continue
        # row scales √(wᵢ ωᵢ) |eᵢ| with ωᵢ = (1 - hᵢ)^-a
        s = np.abs(e) if wb is None else np.abs(e) * np.sqrt(wb)
        if cov_type in ("HC2", "HC3"):
            s /= _leverage_factors(xc, wb, terms, k, cov_type, row_offset + start)
        for t in range(k):
            st = s[:, t]
            xs = xc * st[:, None] if t < k - 1 else np.multiply(xc, st[:, None], out=xc)
            # xs.T is Fortran-contiguous (d, m): syrk with trans=0 gives xsᵀ xs
            gram[t] = blas.dsyrk(1.0, xs.T, beta=1.0, c=gram[t], trans=0, lower=0,
                                 overwrite_c=1)
            if fi:
                cross[t] += st @ xs
                total[t] += st @ st
    if cluster:
        return out
    meats = np.empty((k, d + fi, d + fi))
    for t in range(k):
        meats[t, fi:, fi:] = np.triu(gram[t]) + np.triu(gram[t], 1).T
        if fi:
            meats[t, 0, 0] = total[t]
            meats[t, 0, 1:] = meats[t, 1:, 0] = cross[t]
    return meats


def meat_pass(X, Y, w, terms, cov_type, codes=None, n_groups=None, n_threads=None):
    """:func:`meat_chunk` over all of ``X`` (in memory), in row tasks pulled by
    ``n_threads`` threads (default: the CPUs) with one BLAS thread each
    (:func:`~skdl.utils._threads.run_row_tasks`: a core another process keeps busy
    just does fewer tasks), summed in task order."""
    n, d = X.shape
    if n_threads is None:
        n_threads = n_cpus()
    if n_threads <= 1 or n < _THREAD_MIN_ROWS:
        return meat_chunk(X, Y, w, terms, cov_type, codes, n_groups)
    k = np.asarray(Y).reshape(n, -1).shape[1]
    p = d + int(terms.fit_intercept)
    partial = 8 * k * p * (n_groups if cov_type == "cluster" else p)
    cuts = row_tasks(n, X.dtype.itemsize * (d + 1), partial_bytes=partial,
                     min_rows=_TASK_MIN_ROWS)

    def one(lo, hi, worker):
        return meat_chunk(X[lo:hi], Y[lo:hi], None if w is None else w[lo:hi], terms,
                          cov_type, None if codes is None else codes[lo:hi], n_groups,
                          row_offset=lo)

    return sum_row_tasks(one, cuts, n_threads)


def labelled_meat_chunk(X, Y, w, terms, cov_type, groups=None, row_offset=0):
    """:func:`meat_chunk` of a chunk whose clusters are given by their labels:
    returns ``(meat, None)`` or, for clusters, ``(sums, labels)`` with the chunk's
    sorted distinct labels (to merge across chunks with :func:`merge_meats`)."""
    if cov_type != "cluster":
        return meat_chunk(X, Y, w, terms, cov_type, row_offset=row_offset), None
    # clusters of weight 0 only are no clusters (as on the repeated rows)
    labels, codes = cluster_codes(groups, w)
    sums = meat_chunk(X, Y, w, terms, cov_type, codes, labels.shape[0])
    return sums, labels


def merge_meats(a, b):
    """Sum two partial results of :func:`labelled_meat_chunk` (clusters by label)."""
    (ma, la), (mb, lb) = a, b
    if la is None:
        return ma + mb, None
    labels, inverse = np.unique(np.concatenate([la, lb]), return_inverse=True)
    out = np.zeros((ma.shape[0], labels.shape[0], ma.shape[2]))
    out[:, inverse[: la.shape[0]]] += ma
    out[:, inverse[la.shape[0]:]] += mb
    return out, labels


def dask_meat(X, Y, w, groups, terms, cov_type):
    """The meat of a dask array: :func:`labelled_meat_chunk` on every row block where
    it lives, merged pairwise as a tree (cluster sums by label, so ``groups`` - a dask
    or numpy array - needs no pass of its own); returns ``(meat, labels)`` as
    :func:`labelled_meat_chunk`."""
    import dask

    from skdl.utils._dask import _as_row_blocks

    rows = X.chunks[0]
    parts = [_as_row_blocks(a, rows).to_delayed().ravel() for a in (X, Y)]
    w_blocks = [None] * len(parts[0]) if w is None else _as_row_blocks(w, rows).to_delayed().ravel()
    g_blocks = ([None] * len(parts[0]) if groups is None
                else _as_row_blocks(groups, rows).to_delayed().ravel())
    one = dask.delayed(labelled_meat_chunk)
    offsets = np.concatenate([[0], np.cumsum(rows)[:-1]]).tolist()
    partial = [one(x, y, wb, terms, cov_type, gb, off)
               for x, y, wb, gb, off in zip(*parts, w_blocks, g_blocks, offsets,
                                            strict=True)]
    merge = dask.delayed(merge_meats)
    while len(partial) > 1:
        partial = [merge(partial[i], partial[i + 1]) if i + 1 < len(partial) else partial[i]
                   for i in range(0, len(partial), 2)]
    # the local threaded scheduler runs the blocks in threads of this process: one
    # BLAS thread each (as skdl.utils._dask.dask_moments)
    with limit_threads(1, "blas"):
        (result,) = dask.compute(partial[0])
    return result


# --------------------------------------------------------------------------- #
# bread, degrees of freedom and the covariance                                 #
# --------------------------------------------------------------------------- #
def _penalised(alphas, targets):
    return bool(np.any(np.asarray(alphas)[targets] > 0))


def _ridge_parts(gram, alpha):
    """``(tr(H G), H G H)`` for ``H = (G + αI)⁻¹`` and the centred Gram matrix ``G``.

    Computed on the equilibrated matrices ``G' = D⁻¹ G D⁻¹`` and
    ``A' = G' + α D⁻² = D⁻¹ (G + αI) D⁻¹`` (``D`` the powers of two nearest the
    columns' norms ``√Gⱼⱼ``: exact), from the generalised eigenproblem
    ``G' v = μ A' v`` with ``Vᵀ A' V = I``: ``μ = γ/(γ+α)`` for the eigenvalues ``γ``
    of ``G``, so ``tr(H G) = Σ μ`` and ``H G H = D⁻¹ V diag(μ) Vᵀ D⁻¹``, positive
    semi-definite by construction (``μ`` clipped to ``[0, 1]``).  LAPACK reduces the
    pencil through the Cholesky factor of the well-conditioned ``A'``; an
    eigendecomposition of the raw ``G`` instead loses the small ``γ`` of columns of
    very different scales (absolute error ``eps ‖G‖``; still the fallback when ``A'``
    is singular to working precision), and the product ``H G H`` of rounded factors
    is not semi-definite when ``G`` is singular and ``α`` small."""
    d = gram.shape[0]
    dsc = power_of_two_scales(np.sqrt(np.maximum(np.diag(gram), 0.0)))
    g = gram / np.outer(dsc, dsc)
    a = g.copy()
    a.flat[:: d + 1] += alpha / dsc**2
    try:
        mu, V = linalg.eigh(g, a, check_finite=False)
    except np.linalg.LinAlgError:
        # A' singular to working precision (α below the rounding of a singular G'):
        # the eigenvalues γ of G itself, μ = γ/(γ+α), as good as G's rounding allows
        gamma, V = linalg.eigh(gram, check_finite=False)
        gamma = np.maximum(gamma, 0.0)
        mu = gamma / (gamma + alpha)
        return float(np.sum(mu)), (V * (mu / (gamma + alpha))) @ V.T
    mu = np.clip(mu, 0.0, 1.0)
    V /= dsc[:, None]
    return float(np.sum(mu)), (V * mu) @ V.T


def df_resid(terms, gram):
    """``n - tr(B G)`` per target: ``n - rank`` (with the intercept) without a
    penalty, ``n - 1 - Σ γ/(γ+α)`` with one (the effective degrees of freedom)."""
    k = terms.coef.shape[0]
    out = np.empty(k)
    for targets, f, _ in terms.factors:
        if _penalised(terms.alphas, targets):
            trace = _ridge_parts(gram, terms.alphas[targets[0]])[0]
        else:
            trace = float(f.shape[1])
        out[targets] = terms.sw - terms.fit_intercept - trace
    # a trace rounded above n (a tiny penalty on a singular G) is no residual freedom
    return np.maximum(out, 0.0)


def check_small_sample_df(terms, dfr, cov_type):
    """Raise ValueError when ``cov_type`` 'HC1' or 'cluster' has no positive
    denominator for its small-sample factor (``df_resid``; a cluster fit without a
    penalty: ``n - p``)."""
    if cov_type not in ("HC1", "cluster"):
        return
    df = np.array([_cluster_df(terms, dfr, t) if cov_type == "cluster" else dfr[t]
                   for t in range(dfr.shape[0])])
    if np.all(df > 0):
        return
    p = terms.coef.shape[1] + terms.fit_intercept
    raise ValueError(
        f"cov_type={cov_type!r} needs more observations than (effective) parameters for "
        f"its small-sample factor; got n = {terms.sw:g} (the sum of the sample weights), "
        f"p = {p} and n - k = {df.min():.3g}. Use cov_type='HC0'.")


def _blockdiag_bread(terms, h):
    """``B̃ = diag(1/n, H)`` (just ``H`` without an intercept)."""
    if not terms.fit_intercept:
        return h
    p = h.shape[0] + 1
    b = np.zeros((p, p))
    b[0, 0] = 1.0 / terms.sw
    b[1:, 1:] = h
    return b


def _to_data_coordinates(cov, terms):
    """``Lᵀ Cov~ L`` (the intercept of the uncentred ``z``) and ``D⁻¹ · D⁻¹`` (an
    equilibrated fit), for one ``(p, p)`` covariance; returns it and the standard
    errors (from the solve's units: finite where only the variance overflows)."""
    if terms.fit_intercept:
        # Lᵀ = [[1, -x̄ᵀ], [0, I]]
        xm = terms.x_mean
        row = cov[0] - xm @ cov[1:]  # (p,)
        out = cov.copy()
        out[0] = row
        out[:, 0] = row
        out[0, 0] = row[0] - row[1:] @ xm
    else:
        out = cov
    out = (out + out.T) / 2.0
    # a variance rounded below zero is a zero one
    std = np.sqrt(np.maximum(np.diag(out), 0.0))
    if terms.scale is not None:
        s = np.concatenate([[1.0], terms.scale]) if terms.fit_intercept else terms.scale
        with np.errstate(over="ignore"):
            out = out / s[:, None] / s[None, :]
        std = std / s
    return out, std


def covariance_nonrobust(terms, gram, rss, dfr):
    """``σ̂² B G B`` per target (``σ̂² B`` without a penalty), ``σ̂² = RSS / df_resid``
    (``dfr``, of :func:`df_resid`).

    Returns ``(covariance (k, p, p), std_errors (k, p))`` in the data's coordinates."""
    k = terms.coef.shape[0]
    covs, stds = [None] * k, [None] * k
    for targets, f, _ in terms.factors:
        if _penalised(terms.alphas, targets):
            base = _ridge_parts(gram, terms.alphas[targets[0]])[1]
        else:
            base = f @ f.T
        base, std = _to_data_coordinates(_blockdiag_bread(terms, base), terms)
        for t in targets:
            sigma2 = rss[t] / dfr[t]
            covs[t], stds[t] = sigma2 * base, np.sqrt(sigma2) * std
    return np.stack(covs), np.stack(stds)


def _cluster_df(terms, dfr, t):
    """The ``n - k`` of the cluster correction: ``df_resid`` with a penalty,
    ``n - p`` without (``p`` the number of parameters, not the rank: statsmodels'
    OLS, whose correction counts the columns of a rank-deficient design)."""
    if terms.alphas[t] > 0:
        return dfr[t]
    return terms.sw - terms.coef.shape[1] - terms.fit_intercept


def covariance_from_meat(terms, dfr, meat, cov_type, n_groups=None):
    """``c · B M B`` per target from the merged meat (HC) or the per-group score
    sums (cluster) of :func:`meat_chunk`; ``dfr`` of :func:`df_resid`.

    Returns ``(covariance (k, p, p), std_errors (k, p))`` in the data's coordinates."""
    k = terms.coef.shape[0]
    n = terms.sw
    covs, stds = [None] * k, [None] * k
    for targets, f, _ in terms.factors:
        bread = _blockdiag_bread(terms, f @ f.T)
        for t in targets:
            m = meat[t].T @ meat[t] if cov_type == "cluster" else meat[t]
            with np.errstate(divide="ignore", invalid="ignore"):
                if cov_type == "HC1":
                    c = n / dfr[t]
                elif cov_type == "cluster":
                    c = n_groups / (n_groups - 1.0) * (n - 1.0) / _cluster_df(terms, dfr, t)
                else:
                    c = 1.0
            covs[t], stds[t] = _to_data_coordinates(c * sandwich(bread, m), terms)
    return np.stack(covs), np.stack(stds)
