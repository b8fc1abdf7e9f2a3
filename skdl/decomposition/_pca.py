"""Principal component analysis: exact, randomized and streaming fits (note 000 §8-9).

The solvers are pure private functions; :class:`PCA` dispatches to them by its
``svd_solver`` string, with scikit-learn's names, as ``sklearn/decomposition/_pca.py``
does.

* ``'covariance_eigh'``: the scatter matrix ``Σ (xᵢ - x̄)(xᵢ - x̄)ᵀ`` is formed by one
  symmetric rank-k update (BLAS ``syrk``) over ``X`` without a centred copy - directly
  as ``XᵀX - n x̄x̄ᵀ`` when that cancels few digits, else in pilot-shifted row blocks
  (the shared :func:`skdl.linear_model._lstsq._gram_statistics`) - then ``eigh``
  (only the leading eigenpairs when few are kept) gives the principal axes.
  ``O(n d²)``: the choice for ``n ≫ d``.
* ``'full'``: a thin SVD of the centred data, computed as a Householder QR of the tall
  side (block by block, TSQR, when ``n ≥ d``: no copy of ``X``) followed by the SVD
  of the small triangular factor; the orthogonal factor is never formed (only the
  ``k`` kept components are mapped back through it, LAPACK ``ormqr``), which is what
  makes it cheaper than a plain ``gesdd`` with vectors.
* ``'randomized'``: Halko-Martinsson-Tropp range finder with LU-normalised power
  iterations on the *implicitly* centred matrix (``X V - 1 (x̄ᵀV)``): no centred copy.
* ``'arpack'``: scipy's ``svds`` (ARPACK) on the same implicitly centred operator.
* sparse ``X`` (CSR/CSC): the covariance route from the sparse Gram ``XᵀX`` minus the
  rank-one ``n x̄x̄ᵀ``; randomized and arpack through the implicitly centred operator;
  ``X`` is never densified.
* streaming (``partial_fit``): each chunk is reduced to its ``(n, mean, scatter)``
  triple, and triples are merged pairwise by :func:`_merge_moments` (the pairwise form
  of note 000 §8's running update).  ``fit`` with the covariance solver is the same code
  path with a single chunk, so a block-parallel fit (dask) only needs to map
  :func:`_chunk_moments` over blocks and reduce with :func:`_merge_moments`.
"""

from math import log, pi
from numbers import Integral, Real

import numpy as np
from scipy import linalg, sparse
from scipy.linalg import get_lapack_funcs
from scipy.sparse.linalg import LinearOperator, svds
from scipy.special import gammaln
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils._atomic import AtomicFitMixin
from ..utils._dask import dask_map_rows, dask_moments, is_dask_array
from ..utils._moments import Moments, block_moments, merge_moments, sparse_moments
from ..utils._scale import check_magnitude
from ..utils._sklearn_compat import Interval, RealNotInt, StrOptions, _fit_context
from ..utils._warn import warn

# rows per block of the one-pass statistics
_BLOCK_ROWS = 4096
# up to this many features the covariance route uses numpy's full eigh
_NUMPY_EIGH_MAX_D = 1000
# tall data with up to this many features run the randomized power iterations on the
# d×d scatter matrix (cheaper than 2·n_iter passes over X while d ≲ 4·n_iter·(k+p))
_GRAM_POWER_MAX_D = 500
# rows per block of the 'svd' solver's blocked (TSQR) factorisation of tall data: large
# enough that each LAPACK call has work for several BLAS threads (2048 was 3x slower
# than 8192 with 2 OpenBLAS threads on a loaded 2-core machine)
_QR_BLOCK_ROWS = 8192


# --------------------------------------------------------------------------- #
# running moments: one chunk -> (n, mean, scatter); merging triples            #
# --------------------------------------------------------------------------- #
def _chunk_moments(X):
    """``(n, mean, scatter)`` of the rows of one chunk ``X``, in float64.

    :func:`skdl.utils._moments.block_moments`, the linear models' path: large float64
    chunks take one BLAS ``syrk`` over ``X`` itself with the rank-one correction
    ``XᵀX - n x̄x̄ᵀ`` (accepted only when it cancels fewer than four digits), all
    others cache-sized, pilot-shifted row blocks; never a centred copy of ``X``.
    """
    return block_moments((X,))


def _finite_chunk_moments(X):
    """:func:`_chunk_moments` of a chunk that was validated without its finiteness check.

    A NaN or infinity anywhere in ``X`` makes its column's mean or diagonal scatter
    entry non-finite, so checking those ``2d`` numbers replaces a full pass over
    ``X``; only then is ``X`` scanned, to raise sklearn's usual error.
    """
    with np.errstate(all="ignore"):  # non-finite input is reported below
        moments = _moments_of(X)
    if not (np.all(np.isfinite(moments[1])) and np.all(np.isfinite(np.diag(moments[2])))):
        assert_all_finite(X.data if sparse.issparse(X) else X, input_name="X")
        raise ValueError(
            "The scatter matrix of X overflows float64: X has entries too large in "
            "magnitude; rescale X."
        )
    return moments


def _merge_moments(a, b):
    """Merge two ``(n, mean, scatter)`` triples into the triple of their union.

    The pairwise update of note 000 §8, shared with the linear models:
    :func:`skdl.utils._moments.merge_moments`.
    """
    return merge_moments(Moments(*a), Moments(*b))


# --------------------------------------------------------------------------- #
# solvers                                                                      #
# --------------------------------------------------------------------------- #
def _eigh_scatter(scatter, n_samples, n_top=None):
    """Principal axes of a scatter matrix.

    Returns the explained variances (descending, clipped at 0), the matching
    eigenvectors as rows, and the total variance ``trace(S) / (n - 1)``.  With
    ``n_top`` only the leading ``n_top`` eigenpairs are computed (LAPACK ``evr``).
    """
    d = scatter.shape[0]
    ddof = max(n_samples - 1, 1)
    if d <= _NUMPY_EIGH_MAX_D:
        # numpy's LAPACK, the same OpenBLAS as the X.T @ X just before: alternating
        # numpy's and scipy's OpenBLAS leaves one library's threads spinning against
        # the other's (measured 5x slower eigh on 2 cores); a full eigh is cheap here
        evals, evecs = np.linalg.eigh(scatter)
        if n_top is not None:
            evals, evecs = evals[d - n_top :], evecs[:, d - n_top :]
    elif n_top is not None and n_top < d:
        if n_top == 0:
            evals, evecs = np.empty(0), np.empty((d, 0))
        else:
            evals, evecs = linalg.eigh(
                scatter, subset_by_index=[d - n_top, d - 1], driver="evr", check_finite=False
            )
    else:
        evals, evecs = linalg.eigh(scatter, driver="evd", check_finite=False)
    evals = np.maximum(evals[::-1], 0.0) / ddof
    return evals, np.ascontiguousarray(evecs[:, ::-1].T), max(np.trace(scatter), 0.0) / ddof


def _mean_and_total_var(X, block_rows=_BLOCK_ROWS):
    """Column means and ``Σ ‖xᵢ - x̄‖²`` in one blocked pass (pilot-shifted, float64)."""
    n, d = X.shape
    b = min(n, block_rows)
    shift = X[:b].mean(axis=0, dtype=np.float64)
    buf = np.empty((b, d))
    col = np.zeros(d)
    ss = 0.0
    for start in range(0, n, b):
        blk = buf[: min(b, n - start)]
        np.subtract(X[start : start + b], shift, out=blk)
        col += blk.sum(axis=0)
        flat = blk.reshape(-1)
        ss += float(flat @ flat)
    s = col / n
    return shift + s, max(ss - n * float(s @ s), 0.0)


def _lapack_qr(A):
    """Householder QR of the Fortran-ordered tall ``A`` in place: ``(qr, tau)``."""
    (geqrf,) = get_lapack_funcs(("geqrf",), (A,))
    lwork = int(geqrf(A, lwork=-1)[2][0].real)
    qr, tau, _, info = geqrf(A, lwork=max(lwork, 1), overwrite_a=1)
    if info != 0:  # pragma: no cover - LAPACK argument errors only
        raise linalg.LinAlgError(f"geqrf failed with info={info}")
    return qr, tau


def _apply_q(qr, tau, C):
    """``Q @ C`` for the implicit orthogonal factor of ``_lapack_qr`` (LAPACK ``ormqr``)."""
    (ormqr,) = get_lapack_funcs(("ormqr",), (qr,))
    m, r = qr.shape
    c = np.zeros((m, C.shape[1]), dtype=qr.dtype, order="F")
    c[:r] = C
    lwork = int(ormqr("L", "N", qr, tau, c, lwork=-1)[1][0].real)
    out, _, info = ormqr("L", "N", qr, tau, c, lwork=max(lwork, 1), overwrite_c=1)
    if info != 0:  # pragma: no cover
        raise linalg.LinAlgError(f"ormqr failed with info={info}")
    return out


def _check_magnitude(X):
    check_magnitude(
        X, "PCA", "its variances (x²; the components do not change under a common scale)",
        X.shape[0],
    )


def _check_fitted_scale(est, X):
    """After a fit: variances that are all below 1e-250 or not finite may be an
    under- or overflow; then the (one-pass) magnitude check decides."""
    ev = est.explained_variance_
    if ev.size and not (np.all(np.isfinite(ev)) and ev.max() >= 1e-250):
        _check_magnitude(X)


def _tall_r_factor(X, mean, block_rows=None):
    """``R`` (d, d) of the Householder QR of the tall ``X - mean``, without a copy of X.

    Sequential TSQR: a Fortran buffer holds the running ``R`` on top of the next
    centred row block, and one LAPACK ``geqrf`` of the buffer gives the next ``R``
    (``[R; B] = Q' R'``, so ``Xc = Q R`` with ``Q`` never formed).  Memory is one
    cache-friendly block; no full centred (or Fortran-ordered) copy of ``X``.
    """
    n, d = X.shape
    b = max(_QR_BLOCK_ROWS if block_rows is None else block_rows, d)
    mean = mean.astype(X.dtype, copy=False)
    buf = np.zeros((d + b, d), dtype=X.dtype, order="F")
    for start in range(0, n, b):
        m = min(b, n - start)
        np.subtract(X[start : start + m], mean, out=buf[d : d + m])
        qr, _ = _lapack_qr(buf if m == b else np.asfortranarray(buf[: d + m]))
        buf[:d] = np.triu(qr[:d])
    return buf[:d].copy()


def _solve_svd(X, mean, choose_k, copy=True):
    """Exact thin SVD of ``X - mean``: singular values and the leading right vectors.

    The tall side is reduced by a Householder QR, then the small triangular ``R``
    goes through ``gesdd``.  When ``n ≥ d``, ``Xc = QR`` by the blocked TSQR of
    :func:`_tall_r_factor` (``Q`` is not needed: ``Xc`` and ``R`` share their right
    singular vectors).  When ``n < d``, ``Xcᵀ = QR`` on a centred copy (in place in
    ``X`` when ``copy=False`` and ``X`` is C-ordered and writeable), and only the
    ``k = choose_k(s)`` kept right singular vectors ``Q Ur[:, :k]`` are formed (LAPACK
    ``ormqr``).

    Returns ``s`` (all ``min(n, d)`` singular values, descending) and ``Vt_k`` (k, d).
    """
    n, d = X.shape
    if n >= d:  # Xc = Q R = Q Ur S Wt  =>  Vt = Wt
        R = _tall_r_factor(X, mean)
        _, s, Wt = linalg.svd(R, check_finite=False, lapack_driver="gesdd")
        return s, np.array(Wt[: choose_k(s)])
    # wide: Xcᵀ (the transpose of a C-ordered Xc) is Fortran-ordered for LAPACK
    if not copy and X.flags.writeable and X.flags.c_contiguous:
        Xc = X
        Xc -= mean.astype(X.dtype, copy=False)
    else:
        Xc = np.empty(X.shape, dtype=X.dtype, order="C")
        np.subtract(X, mean.astype(X.dtype, copy=False), out=Xc)
    qr, tau = _lapack_qr(Xc.T)
    Ur, s, _ = linalg.svd(np.triu(qr[:n]), check_finite=False, lapack_driver="gesdd")
    # Xcᵀ = Q Ur S Wt  =>  Xc = Wtᵀ S (Q Ur)ᵀ  =>  Vt = (Q Ur)ᵀ
    Vt = np.ascontiguousarray(_apply_q(qr, tau, Ur[:, : choose_k(s)]).T)
    return s, Vt


def _solve_randomized(
    X, mean, n_components, n_oversamples, n_iter, random_state, normalizer="auto"
):
    """Randomized truncated SVD of the implicitly centred ``X - mean``.

    Halko, Martinsson & Tropp (2011), algorithm 4.4 with QR-normalised power
    iterations, as ``sklearn.utils.extmath.randomized_svd`` (which normalises by LU),
    whose random draws it reproduces.  ``Xc V`` is computed as ``X V - 1 (x̄ᵀ V)`` and
    ``Xcᵀ U`` as ``Xᵀ U - x̄ (1ᵀ U)``: no centred copy of ``X`` (which may be sparse).
    ``normalizer`` is sklearn's ``power_iteration_normalizer``: ``'auto'`` normalises by
    QR when ``n_iter > 2`` (sklearn: by LU; both span the same subspace), ``'QR'``,
    ``'LU'`` (scipy's ``lu`` with the permutation applied) or ``'none'``.

    Returns ``s`` (k,), ``Vt`` (k, d) and the left vectors ``U`` (n, k).
    """
    n, d = X.shape
    mean = mean.astype(X.dtype, copy=False)

    def right(V):  # Xc @ V
        out = X @ V
        out -= mean @ V
        return out

    def left(U):  # Xcᵀ @ U
        out = X.T @ U
        out -= np.outer(mean, U.sum(axis=0)).astype(out.dtype, copy=False)
        return out

    transpose = n < d  # work on Xcᵀ, the tall orientation, as sklearn does
    A, At, n_cols = (left, right, n) if transpose else (right, left, d)
    size = n_components + n_oversamples
    Q = random_state.normal(size=(n_cols, size))
    if X.dtype == np.float32:
        Q = Q.astype(np.float32)
    # numpy's LAPACK throughout (QR normalisation instead of scipy's LU): the products
    # run in numpy's OpenBLAS, and alternating with scipy's leaves one library's
    # threads spinning against the other's; QR and LU span the same subspace
    if normalizer == "auto":
        normalizer = "QR" if n_iter > 2 else "none"
    if normalizer == "QR":

        def normalise(M):
            return np.linalg.qr(M)[0]

    elif normalizer == "LU":

        def normalise(M):
            return linalg.lu(M, permute_l=True, check_finite=False)[0]

    else:

        def normalise(M):
            return M

    if not transpose and d <= _GRAM_POWER_MAX_D:
        # tall X with few features: the power iterations Xcᵀ(Xc V) are (XcᵀXc) V, so
        # form the d×d scatter once (one syrk, compute-bound) instead of 2·n_iter
        # memory-bound passes over X; the same subspace in exact arithmetic
        scatter = _moments_of(X)[2].astype(Q.dtype, copy=False)
        for _ in range(n_iter):
            Q = normalise(scatter @ Q)
    else:
        for _ in range(n_iter):
            Q = normalise(A(Q))
            Q = normalise(At(Q))
    Q = np.linalg.qr(A(Q))[0]
    B = At(Q).T  # Qᵀ A
    Uh, s, Vt = np.linalg.svd(B, full_matrices=False)
    if transpose:  # A = Xcᵀ ≈ (Q Uh) S Vt  =>  Xc ≈ Vtᵀ S (Q Uh)ᵀ
        U = Vt[:n_components].T
        Vt = (Q @ Uh[:, :n_components]).T
    else:
        U = Q @ Uh[:, :n_components]
        Vt = Vt[:n_components]
    return s[:n_components], np.ascontiguousarray(Vt), U


def _centred_operator(X, mean):
    """``X - 1 mean`` as a scipy ``LinearOperator`` (dense or sparse ``X``, no copy)."""
    n, d = X.shape
    mean = mean.astype(X.dtype, copy=False)

    def matvec(v):
        v = np.ravel(v)
        return X @ v - mean @ v

    def rmatvec(u):
        u = np.ravel(u)
        return X.T @ u - mean * u.sum()

    def matmat(V):
        return X @ V - (mean @ V)[None, :]

    def rmatmat(U):
        return X.T @ U - np.outer(mean, U.sum(axis=0))

    return LinearOperator(
        (n, d), matvec=matvec, rmatvec=rmatvec, matmat=matmat, rmatmat=rmatmat, dtype=X.dtype
    )


def _solve_arpack(X, mean, n_components, tol, random_state):
    """Truncated SVD of the implicitly centred ``X - mean`` by ARPACK (scipy ``svds``).

    The starting vector is drawn as sklearn's ``_init_arpack_v0`` draws it (uniform on
    ``[-1, 1]``), so a seed gives sklearn's iterates.  Returns ``s`` (k,) descending
    , ``Vt`` (k, d) and the left vectors ``U`` (n, k).
    """
    v0 = random_state.uniform(-1, 1, size=min(X.shape))
    U, s, Vt = svds(_centred_operator(X, mean), k=n_components, tol=tol, v0=v0)
    order = np.argsort(s)[::-1]
    return s[order], np.ascontiguousarray(Vt[order]), U[:, order]


def _moments_of(X):
    """The ``(n, mean, scatter)`` triple of dense or sparse ``X``."""
    return sparse_moments(X) if sparse.issparse(X) else _chunk_moments(X)


def _sparse_mean_and_total_var(X):
    """Column means and ``Σ ‖xᵢ - x̄‖²`` of a sparse ``X`` (float64; nonzeros only)."""
    X = X.astype(np.float64) if X.dtype != np.float64 else X
    n = X.shape[0]
    mean = np.asarray(X.mean(axis=0)).ravel()
    data = X.data
    return mean, max(float(data @ data) - n * float(mean @ mean), 0.0)


def _mle_log_likelihood(spectrum, rank, n_samples):
    """Log-evidence of a probabilistic PCA of this ``rank`` (Minka 2000, Laplace method).

    ``spectrum`` holds the ``d`` eigenvalues of the sample covariance, descending;
    ``1 <= rank < d``.  With ``v`` the mean discarded eigenvalue and ``m = d k -
    k(k+1)/2`` the dimension of the Stiefel manifold (Minka's eq. 30)::

        log p(D | k) = log p(U) - n/2 Σ_{i<=k} log λᵢ - n(d-k)/2 log v
                       + (m + k)/2 log 2π - 1/2 log|A_Z| - k/2 log n

    where ``log p(U) = -k log 2 + Σ_{i<=k} [lnΓ((d-i+1)/2) - (d-i+1)/2 log π]`` and
    ``|A_Z| = Π_{i<=k} Π_{j>i} n (λᵢ - λⱼ)(1/λ̂ⱼ - 1/λ̂ᵢ)``, ``λ̂`` the spectrum with the
    discarded eigenvalues replaced by ``v``.
    """
    d = spectrum.shape[0]
    n = float(n_samples)
    tiny = 1e-15
    if spectrum[rank - 1] < tiny:
        return -np.inf
    i = np.arange(1, rank + 1)
    log_pu = -rank * log(2.0) + float(
        np.sum(gammaln((d - i + 1) / 2.0) - log(pi) * (d - i + 1) / 2.0)
    )
    log_pl = -n / 2.0 * float(np.sum(np.log(spectrum[:rank])))
    v = max(tiny, float(spectrum[rank:].sum()) / (d - rank))
    log_pv = -n * (d - rank) / 2.0 * log(v)
    m = d * rank - rank * (rank + 1) / 2.0
    log_pp = log(2.0 * pi) * (m + rank) / 2.0
    hat = spectrum.copy()
    hat[rank:] = v
    lead = spectrum[:rank, None]
    diff = lead - spectrum[None, :]  # λᵢ - λⱼ, i < k
    inv = 1.0 / hat[None, :] - 1.0 / hat[:rank, None]  # 1/λ̂ⱼ - 1/λ̂ᵢ
    upper = np.triu(np.ones((rank, d), dtype=bool), k=1)  # j > i
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pa = float(np.sum(np.log(diff[upper] * inv[upper]) + log(n)))
    return log_pu + log_pl + log_pv + log_pp - log_pa / 2.0 - rank * log(n) / 2.0


def _mle_rank(spectrum, n_samples):
    """The rank ``1 <= k < d`` of largest Minka evidence (``n_components='mle'``)."""
    d = spectrum.shape[0]
    if d < 2:
        return d
    ll = [_mle_log_likelihood(spectrum, k, n_samples) for k in range(1, d)]
    return int(np.nanargmax(ll)) + 1 if np.any(np.isfinite(ll)) else 1


def _flip_signs(components):
    """Make the largest-magnitude loading of each component positive (sklearn's svd_flip).

    Returns the components (flipped in place) and the signs applied.
    """
    if components.size == 0:
        return components, np.ones(components.shape[0])
    idx = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), idx])
    signs[signs == 0] = 1.0
    components *= signs[:, None]
    return components, signs


def _choose_solver(n_samples, n_features, n_components, is_sparse=False):
    """The solver ``'auto'`` uses for this shape (sklearn's rule, see :class:`PCA`)."""
    if n_features <= 1_000 and n_samples >= 10 * n_features:
        return "covariance_eigh"
    if is_sparse:
        # 'full' would densify X; the full spectrum ('mle', a fraction) from the Gram
        exact = n_components is None or not isinstance(n_components, Integral)
        return "covariance_eigh" if exact and n_components is not None else "arpack"
    if max(n_samples, n_features) <= 500 or n_components == "mle":
        return "full"
    if (
        isinstance(n_components, Integral)
        and 1 <= n_components < 0.8 * min(n_samples, n_features)
    ):
        return "randomized"
    return "full"


def _n_components_from_ratio(explained_variance_ratio, fraction):
    """Smallest k whose cumulated explained-variance ratio exceeds ``fraction``."""
    cum = np.cumsum(explained_variance_ratio)
    k = int(np.searchsorted(cum, fraction, side="right")) + 1
    return min(k, explained_variance_ratio.shape[0])


# --------------------------------------------------------------------------- #
# estimator                                                                    #
# --------------------------------------------------------------------------- #
class PCA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, AtomicFitMixin, BaseEstimator):
    """Principal component analysis (note 000 §9), exact, randomized or streaming.

    Projects the centred data onto the ``n_components`` directions of largest
    variance: the leading eigenvectors of the sample covariance
    ``S = 1/(n-1) Σ (xᵢ - x̄)(xᵢ - x̄)ᵀ``.  ``partial_fit`` fits chunk by chunk,
    keeping only the running mean and scatter matrix (note 000 §8), and equals the
    full fit.

    Parameters
    ----------
    n_components : int, float, "mle" or None, default=None
        Number of components to keep.  An int ``0 <= k <= min(n_samples, n_features)``
        (``1 <= k < min(n_samples, n_features)`` with ``svd_solver="arpack"``); a
        float in (0, 1): keep the fewest components whose explained variance ratio
        sums to more than this fraction; ``"mle"``: Minka's maximum-evidence rank
        (needs ``n_samples >= n_features``); ``None``: ``min(n_samples, n_features)``
        (one less with ``"arpack"``).  A fraction and ``"mle"`` need the full spectrum:
        ``svd_solver`` ``"full"`` or ``"covariance_eigh"``.
    copy : bool, default=True
        If False, the ``"full"`` solver on wide data (``n_samples < n_features``)
        centres a C-ordered, writeable ``X`` in place and uses it as the workspace of
        its QR factorisation, overwriting it; otherwise it works on a centred copy.
        On tall data it factorises ``X`` block by block and never copies or modifies
        it, nor do the other solvers.
    whiten : bool, default=False
        Scale the projections to unit variance (divide by ``sqrt(explained_variance_)``).
    svd_solver : {"auto", "full", "covariance_eigh", "randomized", "arpack"}, \
default="auto"
        scikit-learn's names and meanings.
        ``"covariance_eigh"``: eigendecomposition of the scatter matrix, formed in one
        blocked BLAS ``syrk`` pass over X without a centred copy (for sparse X: the
        sparse Gram ``XᵀX`` minus ``n x̄x̄ᵀ``); ``O(n d²)``, best for ``n_samples ≫
        n_features`` (it squares the condition number: the smallest variances are
        less accurate than with ``"full"``).
        ``"full"``: exact thin SVD of the centred data (QR of the tall side - blocked,
        without a copy of X, when ``n_samples >= n_features`` - then the SVD of the
        small triangular factor).  Dense X only.
        ``"randomized"``: randomized range finder with power iterations, for
        ``n_components ≪ min(n_samples, n_features)``, on the implicitly centred X
        (dense or sparse).
        ``"arpack"``: scipy's ARPACK ``svds`` on the implicitly centred X (dense or
        sparse); ``n_components`` strictly below ``min(n_samples, n_features)``.
        ``"auto"``: sklearn's rule: ``"covariance_eigh"`` when ``n_features <= 1000``
        and ``n_samples >= 10 n_features``; else, for sparse X, ``"arpack"`` (or
        ``"covariance_eigh"`` for a fraction or ``"mle"``); else ``"full"`` when both
        dimensions are at most 500 or ``n_components="mle"``; else ``"randomized"``
        when ``1 <= n_components < 0.8 min(n_samples, n_features)``; else ``"full"``.
        ``partial_fit`` always uses the covariance route.
    tol : float, default=0.0
        Tolerance of the ``"arpack"`` solver (0: machine precision); ignored by the
        others.
    iterated_power : int or "auto", default="auto"
        Power iterations of the randomized solver; ``"auto"``: 7 when
        ``n_components < 0.1 min(n_samples, n_features)``, else 4 (as sklearn).
    n_oversamples : int, default=10
        Extra random vectors of the randomized solver's range finder.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}, default="auto"
        Normalisation between the randomized solver's power iterations; ``"auto"``:
        ``"QR"`` when ``iterated_power > 2`` else ``"none"`` (sklearn's ``"auto"``
        uses LU; both span the same subspace, QR stays in numpy's LAPACK).
    random_state : int, RandomState instance or None, default=None
        Seeds the randomized solver's Gaussian test matrix and ARPACK's starting
        vector (the same draws as sklearn's PCA with the same seed).

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes (unit rows), by decreasing explained variance; the
        largest-magnitude loading of each is positive.
    explained_variance_ : ndarray of shape (n_components_,)
        Variance along each component (eigenvalues of ``S``, ``ddof=1``).
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Fraction of the total variance ``trace(S)`` explained by each component.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of the centred data, ``sqrt((n-1) explained_variance_)``.
    mean_ : ndarray of shape (n_features,)
        Per-feature mean of the training data.
    noise_variance_ : float
        Probabilistic PCA noise variance: the mean of the discarded variances,
        ``(trace(S) - Σ explained_variance_) / (min(n_samples, n_features) - k)``;
        0 when ``k = min(n_samples, n_features)``.
    n_components_ : int
        Number of components kept.
    n_samples_ : int
        Number of samples seen (summed over ``partial_fit`` calls).
    svd_solver_ : str
        The solver actually used (``"covariance_eigh"``, ``"full"``, ``"randomized"``
        or ``"arpack"``).
    n_iter_ : int
        Power iterations of the randomized solver; 1 for the exact solvers and
        ``partial_fit`` (one pass over the data); ARPACK's are not reported (1).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    sklearn.decomposition.PCA : The reference implementation.
    sklearn.decomposition.IncrementalPCA : Streaming PCA by incremental SVD
        (approximate); ``partial_fit`` here is exact.

    Notes
    -----
    Maximising the projected variance ``u₁ᵀ S u₁`` subject to ``u₁ᵀu₁ = 1`` (note 000
    §9) gives ``S u₁ = λ₁ u₁``: the first principal axis is the leading eigenvector of
    ``S`` and ``λ₁`` the variance it explains; the next axes follow by deflation.

    Streaming (note 000 §8): each chunk is summarised by ``(n, x̄, S)`` with
    ``S = Σ (xᵢ - x̄)(xᵢ - x̄)ᵀ``, and two summaries merge exactly by
    ``x̄ = x̄_a + δ n_b/n``, ``S = S_a + S_b + (n_a n_b / n) δδᵀ`` with
    ``δ = x̄_b - x̄_a``; with ``n_b = 1`` this is the notes' running update
    ``S_n = S_{n-1} + (x_n - μ_n)(x_n - μ_{n-1})``.  Memory is ``O(d²)``.

    ``score_samples`` is the log-likelihood under probabilistic PCA (Tipping &
    Bishop 1999): ``x ~ N(x̄, W Wᵀ + σ² I)`` with ``σ² = noise_variance_``.  It is a
    model of the data, so it does not depend on ``whiten`` (sklearn's PCA rescales
    the components by ``sqrt(explained_variance_)`` in ``get_covariance`` when
    whitening, scikit-learn issue #13898; without whitening the two agree).

    ``n_components="mle"`` picks the rank ``k`` that maximises the Laplace
    approximation of the probabilistic PCA evidence ``p(X | k)`` (Minka 2000,
    "Automatic choice of dimensionality for PCA").

    ``partial_fit`` continues from earlier ``partial_fit`` calls, or from a ``fit``
    that used the covariance solver; after a ``fit`` with another solver (which forms
    no scatter matrix) it warns and starts a new stream.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import PCA
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)) @ np.array([[3.0, 0, 0], [1.0, 1.0, 0], [0, 0, 0.1]])
    >>> pca = PCA(n_components=2).fit(X)
    >>> pca.svd_solver_
    'covariance_eigh'
    >>> np.round(pca.explained_variance_ratio_.sum(), 3)
    np.float64(0.999)
    >>> pca.transform(X).shape
    (200, 2)
    >>> stream = PCA(n_components=2)
    >>> for chunk in np.array_split(X, 4):
    ...     stream = stream.partial_fit(chunk)
    >>> bool(np.allclose(stream.components_, pca.components_))
    True
    """

    _parameter_constraints = {
        "n_components": [
            Interval(Integral, 0, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
            StrOptions({"mle"}),
            None,
        ],
        "copy": ["boolean"],
        "whiten": ["boolean"],
        "svd_solver": [
            StrOptions({"auto", "full", "covariance_eigh", "randomized", "arpack"})
        ],
        "tol": [Interval(Real, 0, None, closed="left")],
        "iterated_power": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "n_oversamples": [Interval(Integral, 1, None, closed="left")],
        "power_iteration_normalizer": [StrOptions({"auto", "QR", "LU", "none"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=None,
        *,
        copy=True,
        whiten=False,
        svd_solver="auto",
        tol=0.0,
        iterated_power="auto",
        n_oversamples=10,
        power_iteration_normalizer="auto",
        random_state=None,
    ):
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.tol = tol
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model on X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (at least 2 samples); sparse CSR/CSC X is never densified.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._fit(X)
        return self

    @property
    def _fit_svd_solver(self):
        # the private name sklearn's PCA gives the solver it used (read by code and
        # tests written for sklearn); skdl's public name is svd_solver_
        return self.svd_solver_

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit the model on X and return its projection (``fit(X).transform(X)``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
            The projections of the training data.  With the ``"randomized"`` and
            ``"arpack"`` solvers these are the factorisation's scores ``U S``, as
            sklearn returns them (``transform(X)`` projects onto the computed axes; the
            two differ by the truncated solver's approximation error).
        """
        scores = self._fit(X)
        if scores is None or is_dask_array(X):
            return self.transform(X)
        if self.whiten:
            scores /= self._whiten_scale()
        return scores

    def _fit(self, X):
        if is_dask_array(X):
            self._fit_dask(X)
            return None
        # the finiteness check is deferred: the covariance route reads it off the
        # statistics it computes anyway (saving a pass over X), the others check X
        X = validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            accept_sparse=("csr", "csc"),
            ensure_min_samples=2,
            ensure_all_finite=False,
        )
        n, d = X.shape
        is_sparse = sparse.issparse(X)
        solver = self.svd_solver
        if solver == "auto":
            solver = _choose_solver(n, d, self.n_components, is_sparse)
        elif solver == "full" and is_sparse:
            raise TypeError(
                "PCA(svd_solver='full') needs a dense X (its SVD would densify a sparse "
                "one): use svd_solver='covariance_eigh', 'randomized', 'arpack' or "
                "'auto' for sparse input."
            )
        self._check_n_components(n, d, solver)
        if solver != "covariance_eigh":
            assert_all_finite(X.data if is_sparse else X, input_name="X")
        self._moments = None
        self.n_iter_ = 1
        try:
            scores = self._fit_in_memory(X, solver)
        except (OverflowError, ArithmeticError, np.linalg.LinAlgError, ValueError):
            _check_magnitude(X.data[:, None] if is_sparse else X)  # name the scale
            raise
        _check_fitted_scale(self, X.data[:, None] if is_sparse else X)
        self.svd_solver_ = solver
        return scores

    def _fit_in_memory(self, X, solver):
        n, d = X.shape
        k = self.n_components
        if solver == "covariance_eigh":
            self._moments = _finite_chunk_moments(X)
            self._fit_from_moments(self._moments, X.dtype)
        elif solver == "full":
            mean = X.mean(axis=0, dtype=np.float64)
            chosen = {}

            def choose_k(s):
                ev = s**2 / (n - 1)
                total = float(ev.sum())
                chosen["ev"], chosen["total"] = ev, total
                chosen["k"] = self._resolve_k(n, d, ev, total)
                return chosen["k"]

            s, components = _solve_svd(X, mean, choose_k, copy=self.copy)
            self._set_fit(
                mean, chosen["ev"], components, chosen["total"], n, chosen["k"], X.dtype
            )
        else:  # truncated: randomized or arpack
            random_state = check_random_state(self.random_state)
            if sparse.issparse(X):
                mean, total_ss = _sparse_mean_and_total_var(X)
            else:
                mean, total_ss = _mean_and_total_var(X)
            if solver == "arpack":
                k = min(n, d) - 1 if k is None else k
                s, components, U = _solve_arpack(X, mean, k, self.tol, random_state)
            else:
                k = min(n, d) if k is None else k
                n_iter = self.iterated_power
                if n_iter == "auto":
                    n_iter = 7 if k < 0.1 * min(n, d) else 4
                s, components, U = _solve_randomized(
                    X, mean, k, self.n_oversamples, n_iter, random_state,
                    self.power_iteration_normalizer,
                )
                self.n_iter_ = n_iter
            ev = s.astype(np.float64) ** 2 / (n - 1)
            signs = self._set_fit(mean, ev, components, total_ss / (n - 1), n, k, X.dtype)
            # the scores of the factorisation, U S (as sklearn's fit_transform): equal to
            # transform(X) up to the truncated solvers' approximation error
            return (U * (s * signs)).astype(X.dtype, copy=False)
        return None

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Update the fit with one more chunk of samples (exact streaming PCA).

        The chunk is reduced to its mean and scatter matrix and merged into the
        running ones (note 000 §8); the principal axes are then recomputed from the
        merged scatter matrix.  After the last chunk the model equals ``fit`` on all
        the rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            One chunk of training data (any number of rows >= 1).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The updated estimator.
        """
        first = getattr(self, "_moments", None) is None
        if first and hasattr(self, "_moments"):
            warn(
                "partial_fit cannot continue a fit made with "
                f"svd_solver_={self.svd_solver_!r}, which keeps no scatter matrix: the "
                "stream restarts from this chunk. Fit with svd_solver='covariance_eigh' "
                "to continue a fit with partial_fit.",
                UserWarning,
            )
        # a fitted PCA takes chunks of its own width only, even when the stream restarts
        fitted = hasattr(self, "components_")
        if is_dask_array(X):
            if fitted and X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but PCA is expecting "
                    f"{self.n_features_in_} features as input."
                )
            moments = self._dask_moments(X)
            if first:
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
                self.n_features_in_ = X.shape[1]
        else:
            X = validate_data(
                self, X, dtype=[np.float64, np.float32], reset=not fitted,
                accept_sparse=("csr", "csc"), ensure_all_finite=False,
            )
            moments = _finite_chunk_moments(X)
        if not first:
            moments = _merge_moments(self._moments, moments)
        d = X.shape[1]
        k = self.n_components
        if isinstance(k, Integral) and k > d:
            raise ValueError(
                f"n_components={k} must be between 0 and n_features={d} for partial_fit."
            )
        if k == "mle" and moments[0] < d:
            raise ValueError(
                "n_components='mle' is only supported if n_samples >= n_features; "
                f"partial_fit has seen {int(round(moments[0]))} samples of {d} features."
            )
        self._moments = moments
        self._fit_from_moments(moments, X.dtype)
        self.svd_solver_ = "covariance_eigh"
        self.n_iter_ = 1
        return self

    @staticmethod
    def _dask_moments(X):
        if X.ndim != 2:
            raise ValueError(f"Expected a 2-D dask array, got {X.ndim} dimension(s).")
        if not np.issubdtype(X.dtype, np.number):
            raise TypeError(f"X must hold numbers; got dtype {X.dtype}.")
        moments = dask_moments((X,))
        if not (np.all(np.isfinite(moments.mean)) and np.all(np.isfinite(moments.scatter))):
            raise ValueError("Input X contains NaN or infinity.")
        return moments

    def _fit_dask(self, X):
        """Fit a dask array block by block (covariance route; never materialised)."""
        solver = "covariance_eigh" if self.svd_solver == "auto" else self.svd_solver
        if solver != "covariance_eigh":
            raise ValueError(
                "A dask array is fitted block by block from its scatter matrix: use "
                f"svd_solver='covariance_eigh' or 'auto'; got svd_solver={self.svd_solver!r}."
            )
        n, d = X.shape
        if n < 2 or d < 1:
            raise ValueError(f"Found array with shape {X.shape}; PCA needs at least 2 "
                             "samples and 1 feature.")
        try:
            moments = self._dask_moments(X)
        except ValueError:
            _check_magnitude(X)  # overflow rather than NaN: name the scale
            raise
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = d
        self._check_n_components(n, d, solver)
        self._moments = moments
        self._fit_from_moments(moments, X.dtype if X.dtype == np.float32 else np.float64)
        _check_fitted_scale(self, X)  # (one more pass over X only if the variances underflowed)
        self.n_iter_ = 1
        self.svd_solver_ = solver
        return self

    def _check_n_components(self, n, d, solver):
        k = self.n_components
        if k is None:
            if solver == "arpack" and min(n, d) < 2:
                raise ValueError(
                    "svd_solver='arpack' keeps at most min(n_samples, n_features) - 1 "
                    f"components: none with n_samples={n}, n_features={d}."
                )
            return
        if k == "mle":
            if solver not in ("full", "covariance_eigh"):
                raise ValueError(
                    f"n_components='mle' cannot be a string with svd_solver={solver!r}: "
                    "it needs the full spectrum (svd_solver='full', 'covariance_eigh' or "
                    "'auto')."
                )
            if n < d:
                raise ValueError(
                    "n_components='mle' is only supported if n_samples >= n_features; "
                    f"got n_samples={n}, n_features={d}."
                )
        elif isinstance(k, Integral):
            if solver == "arpack":
                if k < 1:
                    raise ValueError(
                        f"n_components={k} must be between 1 and "
                        f"min(n_samples, n_features)={min(n, d)} with svd_solver='arpack'."
                    )
                if k >= min(n, d):
                    raise ValueError(
                        f"n_components={k} must be strictly less than "
                        f"min(n_samples, n_features)={min(n, d)} with svd_solver='arpack' "
                        f"(n_samples={n}, n_features={d})."
                    )
                return
            low = 1 if solver == "randomized" else 0
            if not low <= k <= min(n, d):
                raise ValueError(
                    f"n_components={k} must be between {low} and "
                    f"min(n_samples, n_features)={min(n, d)} with svd_solver={solver!r}."
                )
        elif solver in ("randomized", "arpack"):
            raise ValueError(
                f"n_components={k} (a fraction of the variance to keep) needs the full "
                "spectrum: use svd_solver='full', 'covariance_eigh' or 'auto', not "
                f"svd_solver={solver!r}."
            )

    def _resolve_k(self, n, d, explained_variance, total_var):
        k = self.n_components
        if k is None:
            return min(n, d)
        if k == "mle":
            return _mle_rank(np.asarray(explained_variance, dtype=np.float64), n)
        if isinstance(k, Integral):
            return int(k)
        ratio = explained_variance / total_var if total_var > 0 else explained_variance * 0
        return _n_components_from_ratio(ratio, k)

    def _fit_from_moments(self, moments, dtype):
        """Attributes from a merged ``(n, mean, scatter)`` triple (covariance route)."""
        n, mean, scatter = moments
        n = int(round(n))  # the moments count rows as a float (their sum of weights)
        d = scatter.shape[0]
        k = self.n_components
        k_int = min(n, d) if k is None else (k if isinstance(k, Integral) else None)
        # only the leading eigenpairs when few are kept (the total is the trace)
        n_top = k_int if k_int is not None and k_int <= d // 2 else None
        ev, vecs, total = _eigh_scatter(scatter, n, n_top)
        k = self._resolve_k(n, d, ev[: min(n, d)], total)
        self._set_fit(mean, ev, vecs[:k], total, n, int(k), dtype)

    def _set_fit(self, mean, explained_variance, components, total_var, n, k, dtype):
        d = mean.shape[0]
        ev = np.asarray(explained_variance[:k], dtype=np.float64)
        components, signs = _flip_signs(np.array(components[:k], dtype=np.float64))
        rank = min(n, d)
        if k < rank:
            noise = max(total_var - float(ev.sum()), 0.0) / (rank - k)
        else:
            noise = 0.0
        ratio = ev / total_var if total_var > 0 else np.zeros_like(ev)
        self.mean_ = mean.astype(dtype)
        self.components_ = components.astype(dtype)
        self.explained_variance_ = ev.astype(dtype)
        self.explained_variance_ratio_ = ratio.astype(dtype)
        self.singular_values_ = np.sqrt(ev * max(n - 1, 0)).astype(dtype)
        self.noise_variance_ = float(noise)
        self.n_components_ = int(k)
        self.n_samples_ = int(n)
        return signs

    # ------------------------------------------------------------ transform
    def transform(self, X):
        """Project X onto the principal components.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
            Coordinates ``(x - x̄) components_ᵀ`` (divided by the component standard
            deviations when ``whiten``).
        """
        check_is_fitted(self)
        if is_dask_array(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[-1]} features, but PCA is expecting "
                    f"{self.n_features_in_} features as input."
                )
            return dask_map_rows(X, self.transform, self.n_components_)
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], accept_sparse=("csr", "csc"), reset=False
        )
        Xt = np.asarray(X @ self.components_.T)
        Xt -= self.mean_ @ self.components_.T
        if self.whiten:
            Xt /= self._whiten_scale()
        return Xt

    def _whiten_scale(self):
        scale = np.sqrt(self.explained_variance_)
        return np.maximum(scale, np.finfo(scale.dtype).eps)

    def inverse_transform(self, X):
        """Map projections back to the input space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components_)
            Projections, as returned by ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            ``X components_ + mean_`` (whitening undone first); exact for the
            component of the data inside the kept subspace.
        """
        check_is_fitted(self)
        X = check_array(X, dtype=[np.float64, np.float32])
        if X.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {X.shape[1]} features, but inverse_transform expects "
                f"n_components_={self.n_components_} features."
            )
        if self.whiten:
            X = X * self._whiten_scale()
        return X @ self.components_ + self.mean_

    # ------------------------------------------------- probabilistic PCA
    def get_covariance(self):
        """Data covariance of the probabilistic PCA model.

        Returns
        -------
        cov : ndarray of shape (n_features, n_features)
            ``componentsᵀ diag(λ - σ²)₊ components + σ² I``.
        """
        check_is_fitted(self)
        comps = self.components_.astype(np.float64)
        ev = self.explained_variance_.astype(np.float64)
        sigma2 = self.noise_variance_
        cov = (comps.T * np.maximum(ev - sigma2, 0.0)) @ comps
        cov.flat[:: cov.shape[0] + 1] += sigma2
        return cov

    def get_precision(self):
        """Inverse of :meth:`get_covariance`, by the matrix inversion lemma.

        Returns
        -------
        precision : ndarray of shape (n_features, n_features)
            The precision matrix of the probabilistic PCA model.
        """
        check_is_fitted(self)
        d = self.components_.shape[1]
        sigma2 = self.noise_variance_
        if self.n_components_ == 0:
            return np.eye(d) / sigma2
        if sigma2 == 0.0:
            return linalg.inv(self.get_covariance())
        comps = self.components_.astype(np.float64)
        ev = self.explained_variance_.astype(np.float64)
        diff = np.where(ev > sigma2, ev - sigma2, 0.0)
        with np.errstate(divide="ignore"):
            inner = comps @ comps.T / sigma2
            inner.flat[:: inner.shape[0] + 1] += 1.0 / diff
        precision = comps.T @ linalg.inv(inner) @ comps
        precision /= -(sigma2**2)
        precision.flat[:: d + 1] += 1.0 / sigma2
        return precision

    def score_samples(self, X):
        """Log-likelihood of each sample under the probabilistic PCA model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ll : ndarray of shape (n_samples,)
            ``log N(x | mean_, get_covariance())`` per sample.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], accept_sparse=("csr", "csc"), reset=False
        )
        if sparse.issparse(X):
            X = X.toarray()  # the residuals x - mean are dense
        Xr = X - self.mean_
        d = X.shape[1]
        precision = self.get_precision()
        sign, logdet = np.linalg.slogdet(precision)
        logdet = logdet if sign > 0 else -np.inf
        ll = -0.5 * np.sum(Xr * (Xr @ precision), axis=1)
        ll -= 0.5 * (d * log(2.0 * np.pi) - logdet)
        return ll

    def score(self, X, y=None):
        """Average log-likelihood of the samples (see :meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        y : None
            Ignored.

        Returns
        -------
        ll : float
            Mean log-likelihood.
        """
        return float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = self.svd_solver != "full"
        return tags
