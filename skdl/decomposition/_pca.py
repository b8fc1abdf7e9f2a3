"""Principal component analysis: exact, randomized and streaming fits (note 000 §8-9).

The solvers are pure private functions; :class:`PCA` dispatches to them by its
``solver`` string, as ``sklearn/decomposition/_pca.py`` does.

* ``'covariance'``: the scatter matrix ``Σ (xᵢ - x̄)(xᵢ - x̄)ᵀ`` is formed by one
  symmetric rank-k update (BLAS ``syrk``) over ``X`` without a centred copy - directly
  as ``XᵀX - n x̄x̄ᵀ`` when that cancels few digits, else in pilot-shifted row blocks
  (the shared :func:`skdl.linear_model._linear._gram_statistics`) - then ``eigh``
  (only the leading eigenpairs when few are kept) gives the principal axes.
  ``O(n d²)``: the choice for ``n ≫ d``.
* ``'svd'``: a thin SVD of the centred data, computed as a Householder QR of the tall
  side (block by block, TSQR, when ``n ≥ d``: no copy of ``X``) followed by the SVD
  of the small triangular factor; the orthogonal factor is never formed (only the
  ``k`` kept components are mapped back through it, LAPACK ``ormqr``), which is what
  makes it cheaper than a plain ``gesdd`` with vectors.
* ``'randomized'``: Halko-Martinsson-Tropp range finder with LU-normalised power
  iterations on the *implicitly* centred matrix (``X V - 1 (x̄ᵀV)``): no centred copy.
* streaming (``partial_fit``): each chunk is reduced to its ``(n, mean, scatter)``
  triple, and triples are merged pairwise by :func:`_merge_moments` (the pairwise form
  of note 000 §8's running update).  ``fit`` with the covariance solver is the same code
  path with a single chunk, so a block-parallel fit (dask) only needs to map
  :func:`_chunk_moments` over blocks and reduce with :func:`_merge_moments`.
"""

from math import log
from numbers import Integral

import numpy as np
from scipy import linalg
from scipy.linalg import get_lapack_funcs
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ..utils._atomic import AtomicFitMixin
from ..utils._dask import dask_map_rows, dask_moments, is_dask_array
from ..utils._moments import Moments, block_moments, merge_moments
from ..utils._scale import check_magnitude
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
        moments = _chunk_moments(X)
    if not (np.all(np.isfinite(moments[1])) and np.all(np.isfinite(np.diag(moments[2])))):
        assert_all_finite(X, input_name="X")  # raises for NaN / infinity
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


def _solve_randomized(X, mean, n_components, n_oversamples, n_iter, random_state):
    """Randomized truncated SVD of the implicitly centred ``X - mean``.

    Halko, Martinsson & Tropp (2011), algorithm 4.4 with QR-normalised power
    iterations, as ``sklearn.utils.extmath.randomized_svd`` (which normalises by LU),
    whose random draws it reproduces.  ``Xc V`` is computed as ``X V - 1 (x̄ᵀ V)`` and
    ``Xcᵀ U`` as ``Xᵀ U - x̄ (1ᵀ U)``: no centred copy of ``X``.

    Returns ``s`` (k,) and ``Vt`` (k, d).
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
    if n_iter > 2:

        def normalise(M):
            return np.linalg.qr(M)[0]

    else:

        def normalise(M):
            return M

    if not transpose and d <= _GRAM_POWER_MAX_D:
        # tall X with few features: the power iterations Xcᵀ(Xc V) are (XcᵀXc) V, so
        # form the d×d scatter once (one syrk, compute-bound) instead of 2·n_iter
        # memory-bound passes over X; the same subspace in exact arithmetic
        scatter = _chunk_moments(X)[2].astype(Q.dtype, copy=False)
        for _ in range(n_iter):
            Q = normalise(scatter @ Q)
    else:
        for _ in range(n_iter):
            Q = normalise(A(Q))
            Q = normalise(At(Q))
    Q = np.linalg.qr(A(Q))[0]
    B = At(Q).T  # Qᵀ A
    Uh, s, Vt = np.linalg.svd(B, full_matrices=False)
    if transpose:  # A = Xcᵀ ≈ (Q Uh) S Vt  =>  right vectors of Xc are Q Uh
        Vt = (Q @ Uh[:, :n_components]).T
    else:
        Vt = Vt[:n_components]
    return s[:n_components], np.ascontiguousarray(Vt)


def _flip_signs(components):
    """Make the largest-magnitude loading of each component positive (sklearn's svd_flip)."""
    if components.size == 0:
        return components
    idx = np.argmax(np.abs(components), axis=1)
    signs = np.sign(components[np.arange(components.shape[0]), idx])
    signs[signs == 0] = 1.0
    components *= signs[:, None]
    return components


def _choose_solver(n_samples, n_features, n_components):
    """The solver ``'auto'`` uses for this shape (sklearn's rule, see :class:`PCA`)."""
    if n_features <= 1_000 and n_samples >= 10 * n_features:
        return "covariance"
    if max(n_samples, n_features) <= 500:
        return "svd"
    if (
        isinstance(n_components, Integral)
        and 1 <= n_components < 0.8 * min(n_samples, n_features)
    ):
        return "randomized"
    return "svd"


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
    n_components : int, float or None, default=None
        Number of components to keep.  An int ``0 <= k <= min(n_samples, n_features)``;
        a float in (0, 1): keep the fewest components whose explained variance
        ratio sums to more than this fraction (exact solvers only); ``None``: keep
        ``min(n_samples, n_features)``.
    whiten : bool, default=False
        Scale the projections to unit variance (divide by ``sqrt(explained_variance_)``).
    solver : {"auto", "covariance", "svd", "randomized"}, default="auto"
        ``"covariance"``: eigendecomposition of the scatter matrix, formed in one
        blocked BLAS ``syrk`` pass over X without a centred copy; ``O(n d²)``, best
        for ``n_samples ≫ n_features`` (it squares the condition number: the
        smallest variances are less accurate than with ``"svd"``).
        ``"svd"``: exact thin SVD of the centred data (QR of the tall side - blocked,
        without a copy of X, when ``n_samples >= n_features`` - then the SVD of the
        small triangular factor).
        ``"randomized"``: randomized range finder with power iterations, for
        ``n_components ≪ min(n_samples, n_features)``.
        ``"auto"``: sklearn's rule: ``"covariance"`` when ``n_features <= 1000``
        and ``n_samples >= 10 n_features``; else ``"svd"`` when both dimensions are
        at most 500; else ``"randomized"`` when ``1 <= n_components <
        0.8 min(n_samples, n_features)``; else ``"svd"``.
        ``partial_fit`` always uses the covariance route.
    iterated_power : int or "auto", default="auto"
        Power iterations of the randomized solver; ``"auto"``: 7 when
        ``n_components < 0.1 min(n_samples, n_features)``, else 4 (as sklearn).
    n_oversamples : int, default=10
        Extra random vectors of the randomized solver's range finder.
    copy : bool, default=True
        If False, the ``"svd"`` solver on wide data (``n_samples < n_features``)
        centres a C-ordered, writeable ``X`` in place and uses it as the workspace of
        its QR factorisation, overwriting it; otherwise it works on a centred copy.
        On tall data it factorises ``X`` block by block and never copies or modifies
        it, nor do the other solvers.
    random_state : int, RandomState instance or None, default=None
        Seeds the randomized solver's Gaussian test matrix (the same draws as
        sklearn's PCA with the same seed).

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
    solver_ : str
        The solver actually used (``"covariance"``, ``"svd"`` or ``"randomized"``).
    n_iter_ : int or None
        Power iterations of the randomized solver; None for the exact ones.
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

    ``partial_fit`` continues from earlier ``partial_fit`` calls, or from a ``fit``
    that used the covariance solver; after a ``fit`` with ``"svd"`` or
    ``"randomized"`` (which form no scatter matrix) it warns and starts a new stream.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import PCA
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)) @ np.array([[3.0, 0, 0], [1.0, 1.0, 0], [0, 0, 0.1]])
    >>> pca = PCA(n_components=2).fit(X)
    >>> pca.solver_
    'covariance'
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
            None,
        ],
        "whiten": ["boolean"],
        "solver": [StrOptions({"auto", "covariance", "svd", "randomized"})],
        "iterated_power": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "n_oversamples": [Interval(Integral, 1, None, closed="left")],
        "copy": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_components=None,
        *,
        whiten=False,
        solver="auto",
        iterated_power="auto",
        n_oversamples=10,
        copy=True,
        random_state=None,
    ):
        self.n_components = n_components
        self.whiten = whiten
        self.solver = solver
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.copy = copy
        self.random_state = random_state

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Fit the model on X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (at least 2 samples).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        if is_dask_array(X):
            return self._fit_dask(X)
        # the finiteness check is deferred: the covariance route reads it off the
        # statistics it computes anyway (saving a pass over X), the others check X
        X = validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            ensure_min_samples=2,
            ensure_all_finite=False,
        )
        n, d = X.shape
        k = self.n_components
        solver = self.solver
        if solver == "auto":
            solver = _choose_solver(n, d, min(n, d) if k is None else k)
        self._check_n_components(n, d, solver)
        if solver != "covariance":
            assert_all_finite(X, input_name="X")
        self._moments = None
        self.n_iter_ = None
        try:
            self._fit_in_memory(X, solver)
        except (OverflowError, ArithmeticError, np.linalg.LinAlgError, ValueError):
            _check_magnitude(X)  # a clear error when the scale is the cause
            raise
        _check_fitted_scale(self, X)
        self.solver_ = solver
        return self

    def _fit_in_memory(self, X, solver):
        n, d = X.shape
        k = self.n_components
        if solver == "covariance":
            self._moments = _finite_chunk_moments(X)
            self._fit_from_moments(self._moments, X.dtype)
        elif solver == "svd":
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
        else:  # randomized
            k = min(n, d) if k is None else k
            n_iter = self.iterated_power
            if n_iter == "auto":
                n_iter = 7 if k < 0.1 * min(n, d) else 4
            mean, total_ss = _mean_and_total_var(X)
            s, components = _solve_randomized(
                X, mean, k, self.n_oversamples, n_iter, check_random_state(self.random_state)
            )
            ev = s.astype(np.float64) ** 2 / (n - 1)
            self._set_fit(mean, ev, components, total_ss / (n - 1), n, k, X.dtype)
            self.n_iter_ = n_iter

    def partial_fit(self, X, y=None):
        """Update the fit with one more chunk of samples (exact streaming PCA).

        The chunk is reduced to its mean and scatter matrix and merged into the
        running ones (note 000 §8); the principal axes are then recomputed from the
        merged scatter matrix.  After the last chunk the model equals ``fit`` on all
        the rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One chunk of training data (any number of rows >= 1).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The updated estimator.
        """
        self._validate_params()
        first = getattr(self, "_moments", None) is None
        if first and hasattr(self, "_moments"):
            warn(
                f"partial_fit cannot continue a fit made with solver_={self.solver_!r}, "
                "which keeps no scatter matrix: the stream restarts from this chunk. Fit "
                "with solver='covariance' to continue a fit with partial_fit.",
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
                ensure_all_finite=False,
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
        self._moments = moments
        self._fit_from_moments(moments, X.dtype)
        self.solver_ = "covariance"
        self.n_iter_ = None
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
        solver = "covariance" if self.solver == "auto" else self.solver
        if solver != "covariance":
            raise ValueError(
                "A dask array is fitted block by block from its scatter matrix: use "
                f"solver='covariance' or 'auto'; got solver={self.solver!r}."
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
        self.n_iter_ = None
        self.solver_ = solver
        return self

    def _check_n_components(self, n, d, solver):
        k = self.n_components
        if k is None:
            return
        if isinstance(k, Integral):
            low = 1 if solver == "randomized" else 0
            if not low <= k <= min(n, d):
                raise ValueError(
                    f"n_components={k} must be between {low} and "
                    f"min(n_samples, n_features)={min(n, d)} with solver={solver!r}."
                )
        elif solver == "randomized":
            raise ValueError(
                f"n_components={k} (a fraction of the variance to keep) needs the full "
                "spectrum: use solver='covariance', 'svd' or 'auto', not "
                f"solver={solver!r}."
            )

    def _resolve_k(self, n, d, explained_variance, total_var):
        k = self.n_components
        if k is None:
            return min(n, d)
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
        if k is None:
            k = min(n, d)
        elif not isinstance(k, Integral):
            ratio = ev / total if total > 0 else np.zeros_like(ev)
            k = _n_components_from_ratio(ratio, k)
        self._set_fit(mean, ev, vecs[:k], total, n, int(k), dtype)

    def _set_fit(self, mean, explained_variance, components, total_var, n, k, dtype):
        d = mean.shape[0]
        ev = np.asarray(explained_variance[:k], dtype=np.float64)
        components = _flip_signs(np.array(components[:k], dtype=np.float64))
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

    # ------------------------------------------------------------ transform
    def transform(self, X):
        """Project X onto the principal components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
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
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        Xt = X @ self.components_.T
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
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
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
        return tags
