"""UMAP's fuzzy topological representation, in numpy/scipy (no torch).

Note 000 §10 and McInnes, Healy & Melville (2018), "UMAP: Uniform Manifold
Approximation and Projection for Dimension Reduction", §3:

- each point ``i`` sees its ``k`` nearest neighbours at distances ``d_ij``; ``ρ_i`` is
  the distance to its nearest (non-identical) neighbour and ``σ_i`` solves
  ``Σ_j exp(−max(0, d_ij − ρ_i) / σ_i) = log2(k)`` (the "smooth k-NN distance",
  a local unit of length that makes every point's neighbourhood equally large);
- the directed memberships ``v_ij = exp(−max(0, d_ij − ρ_i) / σ_i)`` are made
  symmetric by the fuzzy union, ``w_ij = v_ij + v_ji − v_ij v_ji``;
- the low-dimensional similarity is ``q(d) = 1 / (1 + a d^{2b})``, with ``(a, b)``
  fitted to the curve that is 1 up to ``min_dist`` and decays as
  ``exp(−(d − min_dist) / spread)`` beyond;
- the layout starts from the graph's Laplacian eigenmap (the eigenvectors of the
  normalised adjacency ``D^{-1/2} W D^{-1/2}`` after the constant one).
"""

import numpy as np
import scipy.sparse as sp
from scipy.optimize import curve_fit
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigsh

from ..utils._warn import warn

# the binary search for σ_i: iterations, tolerance on the sum, and the floor of σ_i
# as a fraction of the mean neighbour distance (the UMAP paper's reference values)
_SIGMA_ITERATIONS = 64
_SIGMA_TOL = 1e-5
_MIN_SIGMA_SCALE = 1e-3


# metrics scikit-learn's NearestNeighbors accepts on sparse input
SPARSE_METRICS = ("euclidean", "cosine", "manhattan")
# query rows per block of the exact distance recomputation
_EXACT_BLOCK = 2048


def nearest_neighbors(X, n_neighbors, metric, n_jobs=None):
    """The ``n_neighbors`` nearest training points of each row of ``X`` (itself
    included, first), by scikit-learn's exact ``NearestNeighbors``, with the
    distances recomputed exactly (``neighbor_distances``).

    Returns the fitted ``NearestNeighbors`` (``transform`` of the non-parametric UMAP
    queries it), the distances and the indices, both ``(n, n_neighbors)``.
    """
    from sklearn.neighbors import NearestNeighbors

    nn = NearestNeighbors(n_neighbors=n_neighbors, metric=metric, n_jobs=n_jobs).fit(X)
    return (nn, *query_neighbors(nn, X, X, n_neighbors, metric))


def query_neighbors(nn, X_fit, Q, n_neighbors, metric):
    """Neighbours of the rows of ``Q`` among ``X_fit`` (``nn`` fitted on it): indices
    from the search, distances recomputed exactly and each row sorted by them."""
    _, ind = nn.kneighbors(Q, n_neighbors=n_neighbors)
    dist = neighbor_distances(X_fit, Q, ind, metric)
    order = np.argsort(dist, axis=1, kind="stable")
    return np.take_along_axis(dist, order, axis=1), np.take_along_axis(ind, order, axis=1)


def neighbor_distances(X_fit, Q, ind, metric):
    """``d(Q[i], X_fit[ind[i, j]])`` computed from the rows' differences.

    scikit-learn's euclidean search expands ``|x|² + |y|² − 2 x·y``: a point's distance
    to itself comes out as ~1e-7 rather than 0, and the rounding of the others
    depends on the batch of queries.  UMAP's ``ρ_i`` (the nearest *positive* distance)
    would take that rounding for a neighbour, so the distances are recomputed
    directly, in blocks of queries.
    """
    m, k = ind.shape
    out = np.empty((m, k))
    for start in range(0, m, _EXACT_BLOCK):
        stop = min(m, start + _EXACT_BLOCK)
        rows = np.repeat(np.arange(start, stop), k)
        cols = ind[start:stop].ravel()
        a, b = Q[rows], X_fit[cols]
        if sp.issparse(a):
            a, b = sp.csr_matrix(a), sp.csr_matrix(b)
            diff = a - b
            if metric == "euclidean":
                d = np.sqrt(np.asarray(diff.multiply(diff).sum(axis=1)).ravel())
            elif metric == "manhattan":
                d = np.asarray(abs(diff).sum(axis=1)).ravel()
            else:  # cosine
                dot = np.asarray(a.multiply(b).sum(axis=1)).ravel()
                na = np.sqrt(np.asarray(a.multiply(a).sum(axis=1)).ravel())
                nb = np.sqrt(np.asarray(b.multiply(b).sum(axis=1)).ravel())
                d = _cosine(dot, na, nb)
        else:
            a = np.asarray(a, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            if metric == "cosine":
                d = _cosine(
                    np.einsum("ij,ij->i", a, b),
                    np.sqrt(np.einsum("ij,ij->i", a, a)),
                    np.sqrt(np.einsum("ij,ij->i", b, b)),
                )
            else:
                diff = np.abs(a - b)
                if metric == "euclidean":
                    d = np.sqrt(np.einsum("ij,ij->i", diff, diff))
                elif metric == "manhattan":
                    d = diff.sum(axis=1)
                else:  # chebyshev
                    d = diff.max(axis=1, initial=0.0)
        out[start:stop] = d.reshape(stop - start, k)
    return out


def _cosine(dot, na, nb):
    """scikit-learn's cosine distance: 1 − cos, with a zero vector's cosine 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = np.where((na > 0) & (nb > 0), dot / (na * nb), 0.0)
    return np.clip(1.0 - cos, 0.0, 2.0)


def smooth_knn_dist(dist, skip_first=True, local_connectivity=1):
    """``ρ`` and ``σ`` of each row of the neighbour distances ``dist`` (n, k).

    ``ρ_i`` is the smallest positive distance of the row (``local_connectivity=1``:
    the nearest neighbour gets membership 1), or 0 (``local_connectivity=0``, for
    new points, as the reference implementation's ``transform``); ``σ_i`` is found by
    bisection so that the memberships of the neighbours (the first column, the point
    itself, left out when ``skip_first``) sum to ``log2(k)``, then floored at
    ``1e-3`` times the mean distance of the row (of all rows where ``ρ_i`` is 0), as
    in the reference implementation.
    """
    dist = np.asarray(dist, dtype=np.float64)
    n, k = dist.shape
    target = np.log2(k)
    if local_connectivity:
        positive = np.where(dist > 0, dist, np.inf)
        rho = positive.min(axis=1)
        rho[~np.isfinite(rho)] = 0.0
    else:
        rho = np.zeros(n)
    others = dist[:, 1:] if skip_first else dist
    excess = np.maximum(others - rho[:, None], 0.0)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    sigma = np.ones(n)
    active = np.ones(n, dtype=bool)
    for _ in range(_SIGMA_ITERATIONS):
        if not active.any():
            break
        s = sigma[active]
        total = np.exp(-excess[active] / s[:, None]).sum(axis=1)
        close = np.abs(total - target) < _SIGMA_TOL
        big = total > target
        h = np.where(big, s, hi[active])
        low = np.where(big, lo[active], s)
        new = np.where(np.isinf(h), s * 2.0, (low + h) / 2.0)
        hi[active] = h
        lo[active] = low
        sigma[active] = np.where(close, s, new)
        idx = np.flatnonzero(active)
        active[idx[close]] = False
    row_mean = dist.mean(axis=1)
    floor = np.where(rho > 0, row_mean, dist.mean()) * _MIN_SIGMA_SCALE
    sigma = np.maximum(sigma, floor)
    return rho, sigma


def memberships(dist, rho, sigma):
    """Directed memberships ``exp(−max(0, d − ρ_i) / σ_i)`` (1 within ``ρ_i``)."""
    excess = np.maximum(dist - rho[:, None], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.exp(-excess / sigma[:, None])
    v[excess <= 0] = 1.0
    return v


def fuzzy_simplicial_set(dist, ind):
    """The symmetric fuzzy graph (CSR, n x n) of the neighbour lists: the fuzzy union
    ``W = V + Vᵀ − V ∘ Vᵀ`` of the directed memberships, no self-loops."""
    n, k = ind.shape
    rho, sigma = smooth_knn_dist(dist)
    v = memberships(dist, rho, sigma)
    rows = np.repeat(np.arange(n), k)
    v = v.ravel()
    cols = ind.ravel()
    keep = (cols != rows) & (cols >= 0)
    V = sp.csr_matrix((v[keep], (rows[keep], cols[keep])), shape=(n, n))
    V.sum_duplicates()
    Vt = V.T.tocsr()
    W = (V + Vt - V.multiply(Vt)).tocsr()
    W.eliminate_zeros()
    return W


def find_ab_params(spread, min_dist):
    """``(a, b)`` of ``1 / (1 + a d^{2b})`` fitted (least squares) to the curve that is
    1 for ``d < min_dist`` and ``exp(−(d − min_dist) / spread)`` beyond, on
    ``[0, 3 spread]``.

    The fit is made at ``spread = 1`` (the target for ``min_dist / spread``) and
    rescaled, ``a = a₁ / spread^{2b}``, which is exact: a fit started from
    ``(1, 1)`` in absolute units diverges for a small ``spread``.
    """
    ratio = min_dist / spread
    x = np.linspace(0.0, 3.0, 300)
    target = np.where(x < ratio, 1.0, np.exp(-(x - ratio)))

    def curve(d, a, b):
        return 1.0 / (1.0 + a * d ** (2.0 * b))

    (a, b), _ = curve_fit(curve, x, target, p0=(1.0, 1.0), maxfev=10_000)
    if not (a > 0 and b > 0 and np.isfinite(a) and np.isfinite(b)):
        raise ValueError(
            f"min_dist={min_dist!r} and spread={spread!r} give no decreasing similarity "
            f"curve (fitted a={a:.3g}, b={b:.3g}); lower min_dist relative to spread."
        )
    return float(a / spread ** (2.0 * b)), float(b)


def _eigenmap(W, n_components, rng):
    """Laplacian eigenmap of one connected graph: the eigenvectors after the first of
    ``D^{-1/2} W D^{-1/2}`` (those of the smallest non-zero eigenvalues of the
    normalised Laplacian), or None when they cannot be had."""
    n = W.shape[0]
    k = n_components + 1
    if n <= k:
        return None
    deg = np.asarray(W.sum(axis=1)).ravel()
    scale = 1.0 / np.sqrt(np.maximum(deg, 1e-300))
    M = sp.diags(scale) @ W @ sp.diags(scale)
    if n < 500:
        vals, vecs = np.linalg.eigh(M.toarray())
    else:
        try:
            vals, vecs = eigsh(
                M,
                k=k,
                which="LA",
                ncv=min(n, max(2 * k + 1, int(np.sqrt(n)))),
                tol=1e-4,
                v0=np.sqrt(deg),
                maxiter=5 * n,
            )
        except (ArpackError, ArpackNoConvergence):
            return None
    order = np.argsort(vals)[::-1]
    return vecs[:, order[1:k]]


def spectral_layout(X, W, n_components, rng):
    """The initial layout: the graph's Laplacian eigenmap, one per connected
    component, the components placed apart along the principal axes of their mean
    points in ``X`` (random in a small box for a component too small for an
    eigenmap); a random layout, with a warning, when the eigensolver fails."""
    n = W.shape[0]
    n_comp, labels = connected_components(W, directed=False)
    if n_comp == 1:
        emb = _eigenmap(W, n_components, rng)
        if emb is None:
            if n > n_components + 1:
                warn(
                    "The spectral initialisation of UMAP did not converge; starting from "
                    "a random layout (pass init='pca' or 'random' to choose).",
                    UserWarning,
                )
            return rng.uniform(-10.0, 10.0, size=(n, n_components))
        return emb
    # several components: each its own eigenmap in a unit box, the boxes apart
    centers = _component_centers(X, labels, n_comp, n_components)
    emb = np.empty((n, n_components))
    for c in range(n_comp):
        rows = np.flatnonzero(labels == c)
        local = _eigenmap(W[rows][:, rows], n_components, rng)
        if local is None:
            local = rng.uniform(-1.0, 1.0, size=(len(rows), n_components))
        span = np.abs(local).max()
        local = local / span if span > 0 else local
        emb[rows] = centers[c] + 0.5 * local
    return emb


def _component_centers(X, labels, n_comp, n_components):
    """Centres of the components' boxes: their mean points projected on the leading
    principal axes of those means (from the ``n_comp x n_comp`` Gram matrix of the
    centred means: a sparse X stays sparse), spaced so that unit boxes do not
    overlap."""
    from scipy.spatial import cKDTree

    n = len(labels)
    counts = np.bincount(labels, minlength=n_comp).astype(np.float64)
    indicator = sp.csr_matrix((1.0 / counts[labels], (labels, np.arange(n))), shape=(n_comp, n))
    means = indicator @ X  # (n_comp, d), sparse when X is
    grand = np.asarray(means.mean(axis=0)).ravel()
    gram = means @ means.T
    gram = gram.toarray() if sp.issparse(gram) else np.asarray(gram)
    cross = np.asarray(means @ grand).ravel()
    gram = gram - cross[:, None] - cross[None, :] + grand @ grand
    vals, vecs = np.linalg.eigh(gram)
    order = np.argsort(vals)[::-1][:n_components]
    proj = np.zeros((n_comp, n_components))
    proj[:, : len(order)] = vecs[:, order] * np.sqrt(np.maximum(vals[order], 0.0))
    if not np.any(proj):  # the means coincide: along a line
        proj[:, 0] = np.arange(n_comp)
    nearest = cKDTree(proj).query(proj, k=2)[0][:, 1].min()
    if np.isfinite(nearest) and nearest > 0:
        return proj * (2.0 / nearest)
    proj = np.zeros((n_comp, n_components))
    proj[:, 0] = 2.0 * np.arange(n_comp)
    return proj


def rescale_layout(emb, rng, noise=1e-4):
    """Each coordinate mapped to [0, 10], plus a little noise (ties broken), as the
    reference implementation starts its optimisation."""
    emb = np.asarray(emb, dtype=np.float64)
    emb = emb + rng.normal(scale=noise, size=emb.shape)
    lo, hi = emb.min(axis=0), emb.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return 10.0 * (emb - lo) / span
