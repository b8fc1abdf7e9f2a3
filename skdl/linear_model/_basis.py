"""Radial basis functions with chosen centres, and ridge regression on them (note 001 §5.5).

``RBFFeatures`` maps ``x`` to ``φ(x) = [k(x, μ₁, λ), ..., k(x, μ_m, λ)]`` with
``k(x, μ, λ) = exp(-‖x - μ‖² / λ)``; ``RidgeRBF`` solves the ridge problem on that
basis without ever holding the ``n × m`` basis matrix: it is built in row blocks
(of 16 MB) whose Gram statistics are accumulated with the one-pass shifted update of
:mod:`skdl.utils._moments`, then solved with the same Cholesky / SVD solvers as
:class:`skdl.linear_model.Ridge`.  The cost is ``O(n m²)`` time and ``O(m²)`` memory
beyond the data and one block: an ``m × m`` system, never an ``n × n`` kernel matrix.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    RegressorMixin,
    TransformerMixin,
)
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skdl.linear_model._lstsq import (
    _centred,
    _cholesky_or_fallback,
    _gram_rss,
    _predict_blocks,
    _solve_lstsq,
    _solve_normal_equations,
    _stats_from_moments,
    _with_intercept,
)
from skdl.utils._atomic import AtomicFitMixin
from skdl.utils._moments import Moments
from skdl.utils._scale import check_magnitude, power_of_two_scales
from skdl.utils._sklearn_compat import Interval, StrOptions, _fit_context
from skdl.utils._threads import blas_threads, openmp_threads
from skdl.utils._warn import warn

# elements (rows x centres) of one block of the basis matrix: 16 MB of float64, so
# n=5,000 rows of m=300 centres are one block (one GEMM for the distances, one SYRK
# for the Gram matrix).  Measured on 2 cores (benchmarks/bench_rbf.py data, m=300):
# 2**19 ... 2**23 elements per block all cost within ~15% of each other.
_BLOCK_ELEMENTS = 2**21
# penalty='rkhs' multiplies every block by W (m × r) before the rank-k update; there
# smaller blocks that stay in cache between the GEMM and the SYRK win.  Measured
# (same data, m = 300, r = 300, 2 cores): 2**17-2**19 elements 23-27 ms at n=5,000
# and 0.90 s at n=200,000; 2**21 48 ms and 1.03 s.
_WHITEN_BLOCK_ELEMENTS = 2**18
# centres='kmeans' fits KMeans (k-means++ initialisation, n_init=1, at most
# _KMEANS_MAX_ITER Lloyd iterations) on a random subsample of
# max(_KMEANS_MIN_SAMPLES, _KMEANS_SAMPLES_PER_CENTER * m) rows: the centres only need
# to cover the data, and KMeans on all n rows would dominate the cost of the whole fit.
# Measured (benchmarks/bench_rbf.py data, m=300, n=5,000 and 20,000, one thread):
# k-means++ seeding with 20 Lloyd iterations on 3,000 rows 0.038 s, on 1,500 rows
# 0.021 s; held-out R² within 1e-4 of each other (the spread over random_state is as
# large), and Lloyd converges in about 10 iterations.  Random (Forgy) initialisation
# is 3x cheaper but covers tails worse (tests/linear_model/test_basis.py coverage).
_KMEANS_SAMPLES_PER_CENTER = 5
_KMEANS_MIN_SAMPLES = 1_000
_KMEANS_MAX_ITER = 20
# up to this many centres, the m × m solve and KMeans on the centre subsample run
# single-threaded (see _single_threaded); above, they are worth the threads
_SOLVE_THREADED_MIN = 1_000


# --------------------------------------------------------------------------- #
# pure helpers                                                                 #
# --------------------------------------------------------------------------- #
def _block_rows(n_centers, elements=None):
    elements = _BLOCK_ELEMENTS if elements is None else elements
    return int(np.clip(elements // max(n_centers, 1), 64, 16_384))


def _row_sq_norms(X):
    """``‖xᵢ‖²`` per row of a dense or sparse ``X`` (sparse: its stored entries)."""
    if sparse.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", X, X)


def _rbf_block(X, centers, center_sq, width, out=None):
    """``exp(-‖x - μ‖² / width)`` for the rows of ``X`` against every centre.

    Squared distances the BLAS way, ``‖x‖² + ‖μ‖² - 2 x μᵀ`` clipped at 0 (as
    ``sklearn.metrics.pairwise.euclidean_distances``), folded into the exponent:
    ``(2 x μᵀ - ‖x‖² - ‖μ‖²) / width``, then one in-place ``exp``.  A sparse block of
    rows gives its distances from sparse products (the rows stay sparse).
    """
    scale = 1.0 / width
    if sparse.issparse(X):
        prod = np.asarray(X @ (centers.T * (2.0 * scale)))
        if out is None:
            out = prod
        else:
            out[...] = prod
    else:
        out = np.matmul(X, centers.T * (2.0 * scale), out=out)
    out -= _row_sq_norms(X)[:, None] * scale
    out -= center_sq * scale
    np.minimum(out, 0.0, out=out)
    return np.exp(out, out=out)


def _rbf_basis(X, centers, width):
    """The full basis matrix ``Φ`` of shape ``(n_samples, n_centers)``, in row blocks."""
    n = X.shape[0]
    out = np.empty((n, centers.shape[0]), dtype=np.float64)
    center_sq = np.einsum("ij,ij->i", centers, centers)
    step = _block_rows(centers.shape[0])
    for start in range(0, n, step):
        sl = slice(start, min(start + step, n))
        _rbf_block(X[sl], centers, center_sq, width, out=out[sl])
    return out


def _values(X):
    """The entries of a dense or sparse ``X`` (sparse: the stored ones) for the
    magnitude checks."""
    return X.data if sparse.issparse(X) else X


def _iter_basis_blocks(X, centers, width):
    """Yield ``(slice, Φ[slice])`` over row blocks; the block buffer is reused."""
    n = X.shape[0]
    step = min(n, _block_rows(centers.shape[0]))
    center_sq = np.einsum("ij,ij->i", centers, centers)
    buf = np.empty((step, centers.shape[0]), dtype=np.float64)
    for start in range(0, n, step):
        stop = min(start + step, n)
        yield slice(start, stop), _rbf_block(
            X[start:stop], centers, center_sq, width, out=buf[: stop - start]
        )


def _kernel_whitening(centers, width):
    """``W`` (m × r) with ``Wᵀ K W = I`` on the numerically non-null eigenspace of ``K``.

    ``K = [k(μᵢ, μⱼ, λ)]`` is the kernel matrix of the centres; with
    ``K = V Λ Vᵀ``, ``W = V_r Λ_r^(-1/2)`` keeps the eigenvalues above
    ``m · eps · λ_max`` (below that they are rounding noise of ``eigh``).  Writing
    ``θ = W z`` turns the kernel-norm penalty ``θᵀ K θ`` into ``‖z‖²``: ``Φ W`` are
    the Nyström features of :class:`sklearn.kernel_approximation.Nystroem`, which
    clips those eigenvalues at 1e-12 where this drops them (a pseudo-inverse).
    ``numpy.linalg.eigh`` keeps the fit in one BLAS library (see
    :func:`_basis_gram_statistics`).
    """
    K = _rbf_basis(centers, centers, width)
    lam, V = np.linalg.eigh(K)
    keep = lam > lam[-1] * K.shape[0] * np.finfo(np.float64).eps
    return V[:, keep] / np.sqrt(lam[keep])


def _single_threaded(m, user_api="blas"):
    """One BLAS thread for the ``m × m`` solve when ``m <= _SOLVE_THREADED_MIN``.

    numpy and scipy each bundle their own OpenBLAS.  Right after the basis Gram
    matrix is formed in numpy's, that library's idle worker keeps spinning for a
    while; a multi-threaded Cholesky in scipy's then waits on a core that is busy
    spinning.  Measured on 2 cores (m = 300): the 300 × 300 Cholesky took 0.04 s
    inside the fit against 0.001 s alone; single-threaded it takes 0.001 s in both
    places.  The same holds for KMeans' OpenMP threads on the small centre
    subsample (``user_api="openmp"``: 10-15% of the fit at n = 5,000).  The
    threshold is on ``m``, not on the work: :mod:`skdl.utils._threads` with
    ``small = _SOLVE_THREADED_MIN + 1``.
    """
    limit = openmp_threads if user_api == "openmp" else blas_threads
    return limit(m, small=_SOLVE_THREADED_MIN + 1)


def _resolve_width(width, X):
    if isinstance(width, str):  # "scale"
        if sparse.issparse(X):  # the variance of all entries, zeros included
            size = X.shape[0] * X.shape[1]
            mean = float(X.sum()) / size
            var = float(X.data @ X.data) / size - mean * mean
        else:
            var = float(X.var())
        return X.shape[1] * var if var > 0 else 1.0
    return float(width)


def _select_centers(X, centers, n_centers, random_state, caller):
    """Choose the centres ``μ`` (an ``(m, n_features)`` float64 array)."""
    n, d = X.shape
    if not isinstance(centers, str):
        mu = check_array(centers, dtype=np.float64, input_name="centers")
        if mu.shape[1] != d:
            raise ValueError(
                f"centers has {mu.shape[1]} columns but X has {d} features; an explicit "
                f"centers array must have shape (n_centers, n_features) = (m, {d})."
            )
        return mu.copy()
    m = n_centers
    if centers in ("kmeans", "random") and m > n:
        warn(
            f"n_centers={m} > n_samples={n}: {caller} uses n_centers={n} "
            f"(one centre per training sample at most).",
            UserWarning,
        )
        m = n
    rng = check_random_state(random_state)
    if centers == "random":
        mu = X[np.sort(rng.choice(n, size=m, replace=False))]
        return (mu.toarray() if sparse.issparse(mu) else mu).astype(np.float64)
    if centers == "grid":
        lo, hi = X.min(axis=0), X.max(axis=0)
        if sparse.issparse(X):
            lo, hi = (np.asarray(v.toarray() if sparse.issparse(v) else v).ravel()
                      for v in (lo, hi))
        q = int(np.floor(m ** (1.0 / d) + 1e-9))
        q = max(q, 1)
        axes = [
            np.linspace(a, b, q) if q > 1 else np.array([(a + b) / 2.0])
            for a, b in zip(lo, hi, strict=True)
        ]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)
        return np.unique(grid.astype(np.float64), axis=0)
    # 'kmeans': Lloyd's algorithm on a random subsample (documented in the estimators)
    n_sub = min(n, max(_KMEANS_MIN_SAMPLES, _KMEANS_SAMPLES_PER_CENTER * m))
    Xs = X if n_sub == n else X[rng.choice(n, size=n_sub, replace=False)]
    seed = rng.randint(np.iinfo(np.int32).max)
    # KMeans squares the data: at extreme magnitudes it runs on X divided by a power of
    # two (exact, so the same clustering at ordinary scales) and the centres scale back
    values = Xs.data if sparse.issparse(Xs) else Xs
    top = float(np.max(np.abs(values))) if values.size else 0.0
    c = float(power_of_two_scales(top)) if not 1e-100 <= top <= 1e100 else 1.0
    with warnings.catch_warnings(), _single_threaded(m, user_api="openmp"):
        # duplicate points may leave fewer distinct clusters than m: harmless here
        warnings.filterwarnings("ignore", message="Number of distinct clusters")
        km = KMeans(
            n_clusters=m, n_init=1, max_iter=_KMEANS_MAX_ITER, random_state=seed
        ).fit(Xs / c if c != 1.0 else Xs)  # (KMeans takes a sparse X as it is)
    return km.cluster_centers_.astype(np.float64) * c


_CENTER_CONSTRAINTS = {
    "n_centers": [Interval(Integral, 1, None, closed="left")],
    "centers": [StrOptions({"kmeans", "random", "grid"}), "array-like"],
    "width": [Interval(Real, 0, None, closed="neither"), StrOptions({"scale"})],
    "random_state": ["random_state"],
}

_CENTER_PARAMS_DOC = """
    n_centers : int, default=100
        Number of centres ``m`` for ``centers='kmeans'`` or ``'random'`` (reduced to
        ``n_samples``, with a warning, when larger); for ``'grid'`` an upper bound on
        the grid size (``q = ⌊m^(1/d)⌋`` points per feature, ``q^d`` centres).
        Ignored when ``centers`` is an array.
    centers : {"kmeans", "random", "grid"} or array-like of shape (m, n_features), \
default="kmeans"
        How the centres ``μᵢ`` are chosen.  ``"kmeans"``: the cluster centres of
        :class:`sklearn.cluster.KMeans` (k-means++ init, ``n_init=1``, at most 20
        Lloyd iterations), fitted on a random subsample of at most
        ``max(1000, 5 m)`` training rows - the centres only need to cover the data,
        and KMeans on every row would cost more than the whole ridge fit.
        ``"random"``: ``m`` distinct training rows (for an int ``random_state``,
        the rows :class:`~sklearn.kernel_approximation.Nystroem` draws with the same
        seed).  ``"grid"``: a regular grid
        over the bounding box of the training data (sensible for few features).
        An array: these centres, used as given.
    width : float or "scale", default="scale"
        The kernel width ``λ > 0`` of ``k(x, μ, λ) = exp(-‖x - μ‖² / λ)``.  In
        sklearn's parametrisation (``rbf_kernel``, ``KernelRidge``, ``Nystroem``)
        ``gamma = 1 / width``.  ``"scale"`` uses ``λ = n_features · Var(X)`` (the
        inverse of sklearn SVC's ``gamma="scale"``; 1.0 for constant X); the value
        used is ``width_``.  Features are used as given: scale them first
        (e.g. ``StandardScaler``) when their ranges differ."""

_RANDOM_STATE_DOC = """
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample and KMeans (``"kmeans"``) or the choice of rows
        (``"random"``); pass an int for reproducible centres."""


# --------------------------------------------------------------------------- #
# transformer                                                                  #
# --------------------------------------------------------------------------- #
class RBFFeatures(TransformerMixin, AtomicFitMixin, BaseEstimator):
    __doc__ = (
        """Radial basis function features with chosen centres (note 001 §5.5).

    Maps each sample ``x`` to ``[1,] k(x, μ₁, λ), ..., k(x, μ_m, λ)`` with
    ``k(x, μ, λ) = exp(-‖x - μ‖² / λ)``; a linear model on these features is the
    basis-function regression of the notes.

    Parameters
    ----------"""
        + _CENTER_PARAMS_DOC
        + """
    include_bias : bool, default=False
        Prepend a column of ones (the ``1`` of the notes' ``φ(x) = [1, k(x, μ₁, λ),
        ...]``).  Off by default because sklearn's linear models fit their own,
        unpenalised, intercept."""
        + _RANDOM_STATE_DOC
        + """

    Attributes
    ----------
    centers_ : ndarray of shape (n_centers_, n_features_in_)
        The centres ``μᵢ``.
    n_centers_ : int
        Number of centres actually used.
    width_ : float
        The kernel width ``λ`` used.
    n_iter_ : int
        1: the fit is one pass (the centres and the width).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    RidgeRBF : Ridge regression on this basis in one estimator, without
        materialising the basis matrix.
    sklearn.kernel_approximation.Nystroem : Random-subset approximation of the RBF
        kernel's feature map.
    sklearn.metrics.pairwise.rbf_kernel : The kernel, with ``gamma = 1 / width``.

    Notes
    -----
    Implements ``φ(x) = [k(x, μ₁, λ), ..., k(x, μ_d, λ)]``,
    ``k(x, μᵢ, λ) = exp(-‖x - μᵢ‖²/λ)`` (note 001 §5.5, fig. 5.5).  Squared
    distances are computed the BLAS way, ``‖x‖² + ‖μ‖² - 2 x μᵀ`` clipped at 0, in
    row blocks.  The output has ``n_samples × n_centers`` entries; for regression
    on many samples prefer :class:`RidgeRBF`, which never holds it whole.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import RBFFeatures
    >>> X = np.array([[0.0], [1.0], [2.0], [4.0]])
    >>> rbf = RBFFeatures(centers=[[1.0], [2.0], [4.0]], width=2.0, include_bias=True)
    >>> np.round(rbf.fit_transform(X), 3)
    array([[1.   , 0.607, 0.135, 0.   ],
           [1.   , 1.   , 0.607, 0.011],
           [1.   , 0.607, 1.   , 0.135],
           [1.   , 0.011, 0.135, 1.   ]])
    >>> rbf.get_feature_names_out()
    array(['1', 'rbffeatures0', 'rbffeatures1', 'rbffeatures2'], dtype=object)
    """
    )

    _parameter_constraints = {**_CENTER_CONSTRAINTS, "include_bias": ["boolean"]}

    def __init__(
        self,
        n_centers=100,
        *,
        centers="kmeans",
        width="scale",
        include_bias=False,
        random_state=None,
    ):
        self.n_centers = n_centers
        self.centers = centers
        self.width = width
        self.include_bias = include_bias
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Choose the centres.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X = validate_data(self, X, dtype=np.float64, accept_sparse="csr")
        self.centers_ = _select_centers(
            X, self.centers, self.n_centers, self.random_state, type(self).__name__
        )
        self.n_centers_ = self.centers_.shape[0]
        check_magnitude(_values(X), "RBFFeatures", "its squared distances ‖x - μ‖²",
                        4 * X.shape[1])
        self.width_ = _resolve_width(self.width, X)
        self.n_iter_ = 1  # one pass: the centres and the width
        return self

    def transform(self, X):
        """Evaluate the basis functions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        Phi : ndarray of shape (n_samples, n_centers_ + include_bias)
            ``[1,] exp(-‖x - μᵢ‖² / width)`` for every centre.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, accept_sparse="csr", reset=False)
        Phi = _rbf_basis(X, self.centers_, self.width_)
        if self.include_bias:
            Phi = np.hstack([np.ones((X.shape[0], 1)), Phi])
        return Phi

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def get_feature_names_out(self, input_features=None):
        """Output feature names: ``"1"`` for the bias, ``"rbffeatures<i>"`` per centre.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Checked against the names seen in fit; the output names do not
            depend on them.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        # sklearn's "<classname><i>" names (and its check of input_features)
        names = ClassNamePrefixFeaturesOutMixin.get_feature_names_out(self, input_features)
        return np.asarray((["1"] if self.include_bias else []) + list(names), dtype=object)

    @property
    def _n_features_out(self):
        # read by ClassNamePrefixFeaturesOutMixin.get_feature_names_out
        return self.n_centers_


# --------------------------------------------------------------------------- #
# regressor                                                                    #
# --------------------------------------------------------------------------- #
def _basis_gram_statistics(X, Y, centers, width, whiten=None):
    """The centred Gram statistics of ``[Φ, Y]`` (or ``[Φ W, Y]``), one block at a time.

    The one-pass shifted accumulation of :func:`skdl.utils._moments.block_moments`
    (note 000 §8), written out so that each block of ``[Φ | Y]`` is built in place
    in one buffer and consumed by one symmetric rank-k update in numpy's BLAS:
    every row is shifted by the first block's means ``s``, ``G = Σ (z - s)(z - s)ᵀ``
    and ``t = Σ (z - s)`` are summed, and ``S = G - t tᵀ / n``, ``μ = s + t / n``.
    With a single block (``n ≤`` the block rows, e.g. ``n = 5,000``, ``m = 300``)
    ``s`` is the exact mean and this is the two-pass centred Gram matrix.  Keeping
    the whole fit in one BLAS library matters on few cores: alternating numpy's
    and scipy's OpenBLAS per block leaves each library's idle threads spinning
    against the other's (measured 2.5-4x slower on 2 cores).

    With ``whiten`` (``W``, m × r, for ``penalty="rkhs"``) each block is mapped to
    ``Φ W`` before its rank-k update, so the statistics are those of the whitened
    basis (r columns) and are as accurate as an explicit Nyström feature matrix;
    whitening the finished ``ΦᵀΦ`` instead would amplify its rounding by
    ``‖W‖² = 1 / λ_min(K)``, 1e6-1e9 for wide kernels.  ``x_mean`` stays the mean
    of ``Φ`` itself (m columns), for the intercept and the predictive std.
    """
    n = X.shape[0]
    m, k = centers.shape[0], Y.shape[1]
    r = m if whiten is None else whiten.shape[1]
    if whiten is None:
        step = min(n, _block_rows(m + k))
    else:
        step = min(n, _block_rows(max(m, r + k), _WHITEN_BLOCK_ELEMENTS))
    center_sq = np.einsum("ij,ij->i", centers, centers)
    buf = np.empty((step, r + k), dtype=np.float64)
    phi_buf = None if whiten is None else np.empty((step, m), dtype=np.float64)
    phi_total = np.zeros(m)
    gram = np.zeros((r + k, r + k))
    total = np.zeros(r + k)
    shift = None
    for start in range(0, n, step):
        stop = min(start + step, n)
        blk = buf[: stop - start]
        if whiten is None:
            _rbf_block(X[start:stop], centers, center_sq, width, out=blk[:, :m])
        else:
            phi = _rbf_block(X[start:stop], centers, center_sq, width,
                             out=phi_buf[: stop - start])
            phi_total += phi.sum(axis=0)
            blk[:, :r] = phi @ whiten  # (a strided out= would miss BLAS)
        blk[:, r:] = Y[start:stop]
        if shift is None:
            shift = blk.mean(axis=0)
        blk -= shift
        total += blk.sum(axis=0)
        gram += blk.T @ blk  # numpy dispatches Aᵀ A to SYRK
    s = total / n
    mom = Moments(float(n), shift + s, gram - n * np.outer(s, s))
    stats = _stats_from_moments(mom, r, True)
    if whiten is not None:
        stats["x_mean"] = phi_total / n
    return stats


def _unwhiten(coef, factors, whiten):
    """Map a solution in whitened coordinates ``z`` back to ``θ = W z``.

    ``factors`` hold ``F`` with ``(WᵀΦᵀΦW + αI)⁻¹ = F Fᵀ``; the covariance of ``θ``
    is then ``(W F)(W F)ᵀ``, so the leverage in :meth:`RidgeRBF.predict` is unchanged.
    """
    if whiten is None:
        return coef, factors
    return coef @ whiten.T, [(targets, whiten @ f) for targets, f in factors]


def _basis_residual_rss(X, Y, centers, width, coef, stats):
    """Residual sum of squares per target by one pass over the basis blocks."""
    rss = np.zeros(Y.shape[1])
    for sl, Phi in _iter_basis_blocks(X, centers, width):
        r = (Y[sl] - stats["y_mean"]) - (Phi - stats["x_mean"]) @ coef.T
        rss += (r**2).sum(axis=0)
    return rss


def _solve_basis(X, Y, centers, width, alphas, whiten, solver):
    """Ridge on the basis ``Φ`` of ``centers`` (``Φ W`` with ``whiten``), for 2-D ``Y``:
    the :class:`~skdl.utils._results.SolverResult` of ``θ`` (k, m) with the diagnostics
    of :func:`skdl.linear_model._lstsq._with_intercept` (``x_mean`` is ``Φ``'s mean).

    'cholesky' solves the ``m × m`` (``r × r``) normal equations accumulated block by
    block; 'svd' the SVD of the whole centred basis; 'auto' the first, falling back
    to the second when they are not safely positive definite.
    """
    m = centers.shape[0]

    def normal_equations():
        # penalty='rkhs': the statistics of Φ W, solved for z (θ = W z)
        stats = _basis_gram_statistics(X, Y, centers, width, whiten)
        with _single_threaded(m):
            result = _solve_normal_equations(stats["xx"], stats["xy"], alphas,
                                             check_rcond=(solver == "auto"))
        rss = _gram_rss(result.coef, stats)
        coef, factors = _unwhiten(result.coef, result.diagnostics["factors"], whiten)
        if rss is None:
            rss = _basis_residual_rss(X, Y, centers, width, coef, stats)
        return _with_intercept(_centred(coef, factors=factors), stats, rss, "cholesky", True)

    def svd():
        Phi = _rbf_basis(X, centers, width)
        phi_mean = Phi.mean(axis=0)
        y_mean = Y.mean(axis=0)
        Phi -= phi_mean
        Yc = Y - y_mean
        result = _solve_lstsq(Phi if whiten is None else Phi @ whiten, Yc, alphas)
        coef, factors = _unwhiten(result.coef, result.diagnostics["factors"], whiten)
        rss = ((Yc - Phi @ coef.T) ** 2).sum(axis=0)
        stats = {"x_mean": phi_mean, "y_mean": y_mean, "sw": float(X.shape[0])}
        return _with_intercept(_centred(coef, factors=factors), stats, rss, "svd", True)

    if solver == "svd":
        return svd()

    def strict(exc):
        pen = "I" if whiten is None else "K"
        return np.linalg.LinAlgError(
            f"solver='cholesky' failed: {exc}. The basis Gram matrix ΦᵀΦ + α{pen} is "
            "singular or nearly so (overlapping basis functions, duplicate "
            "centres or too small alpha); use solver='svd' or 'auto', or a "
            "larger alpha."
        )

    return _cholesky_or_fallback(
        normal_equations, ("solver='svd' (SVD of the n × m basis matrix)", svd),
        "The basis normal equations",
        "Increase alpha or reduce width / n_centers to stay on the normal equations.",
        on_error=strict if solver == "cholesky" else None,
    )


class RidgeRBF(RegressorMixin, AtomicFitMixin, BaseEstimator):
    __doc__ = (
        """Ridge regression on radial basis functions (note 001 §5.5-5.6).

    Fits ``y ≈ b + Σᵢ θᵢ exp(-‖x - μᵢ‖² / λ)`` by minimising
    ``Σ (yᵢ - φ(xᵢ)ᵀθ - b)² + δ² ‖θ‖²`` (the notes' penalty, ``penalty="l2"``) or
    ``Σ (yᵢ - φ(xᵢ)ᵀθ - b)² + δ² θᵀKθ`` with ``Kᵢⱼ = k(μᵢ, μⱼ, λ)`` (``penalty="rkhs"``,
    the squared kernel norm of the fitted function, as kernel ridge regression
    penalises it); the intercept ``b`` is not penalised.  Tune ``width`` (λ) and
    ``alpha`` (δ²) by cross-validation, e.g. with
    :class:`sklearn.model_selection.GridSearchCV`, as the notes do (figs. 5.6, 5.8).

    Parameters
    ----------"""
        + _CENTER_PARAMS_DOC
        + """
    alpha : float, default=1.0
        The regulariser ``δ² ≥ 0`` on the basis coefficients.  The two penalties
        scale differently (``θᵀKθ`` against ``‖θ‖²``): tune ``alpha`` per penalty.
    penalty : {"l2", "rkhs"}, default="l2"
        ``"l2"``: ``δ² ‖θ‖²`` (note 001 §5.5).  ``"rkhs"``: ``δ² θᵀKθ``, the
        norm :class:`sklearn.kernel_ridge.KernelRidge` and
        ``Nystroem`` + ``Ridge`` penalise.  With a centre at every training point it
        is kernel ridge regression with an unpenalised intercept; with ``m``
        centres it is the Nyström (subset-of-regressors) approximation of it, solved
        as ``θ = W z`` with ``WᵀKW = I`` (one ``m × m`` eigendecomposition; kernel
        eigenvalues below ``m · eps · λ_max`` are dropped, a pseudo-inverse).  It
        shrinks the wiggly combinations of overlapping basis functions, which
        ``"l2"`` can only stop by shrinking every coefficient; on the wide kernels
        of ``benchmarks/bench_rbf.py`` cross-validation prefers it to ``"l2"`` from
        n = 5,000 rows on.
    solver : {"auto", "cholesky", "svd"}, default="auto"
        As in :class:`skdl.linear_model.Ridge`.  ``"cholesky"``: the ``m × m``
        normal equations, accumulated block by block over the basis (memory
        ``O(m²)``), solved by Cholesky; raises ``numpy.linalg.LinAlgError`` when
        they are singular.  ``"svd"``: SVD of the whole centred basis matrix
        (``Φ W`` for ``penalty="rkhs"``; memory ``n × m``; robust, minimum-norm
        solution for ``alpha=0``).
        ``"auto"``: ``"cholesky"``, falling back to ``"svd"`` with an
        :class:`~skdl.linear_model.IllConditionedWarning` when the regularised
        Gram matrix's reciprocal condition number is below ``m · eps`` for
        ``alpha > 0`` (where Cholesky stays backward stable against the
        penalty, see ``skdl.linear_model._lstsq._rcond_min``) or below 1e-10 for
        ``alpha = 0`` (e.g. overlapping basis functions without regularisation)."""
        + _RANDOM_STATE_DOC
        + """

    Attributes
    ----------
    centers_ : ndarray of shape (n_centers_, n_features_in_)
        The centres ``μᵢ``.
    n_centers_ : int
        Number of centres actually used.
    width_ : float
        The kernel width ``λ`` used.
    coef_ : ndarray of shape (n_centers_,) or (n_targets, n_centers_)
        Basis coefficients ``θ`` (1-D when ``y`` was 1-D).
    intercept_ : float or ndarray of shape (n_targets,)
        Unpenalised intercept ``b``.
    sigma2_ : float or ndarray of shape (n_targets,)
        Maximum-likelihood noise variance ``RSS / n`` (note 001 eq. 4.15).
    solver_ : str
        The solver actually used (``"cholesky"`` or ``"svd"``).
    n_iter_ : int
        1: one direct solve.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    RBFFeatures : The basis as a transformer.
    Ridge : The ridge solver used on the basis.
    sklearn.kernel_ridge.KernelRidge : Exact kernel ridge regression (an
        ``n × n`` system).
    sklearn.kernel_approximation.Nystroem : Random-subset kernel approximation,
        to be followed by a linear model.

    Notes
    -----
    Implements ``θ_ridge = (ΦᵀΦ + δ²I)⁻¹ Φᵀy`` (``penalty="l2"``; for ``"rkhs"``
    ``θ = W (WᵀΦᵀΦW + δ²I)⁻¹ WᵀΦᵀy``, i.e. ``(ΦᵀΦ + δ²K)⁻¹ Φᵀy`` when ``K`` is
    invertible) with
    ``Φᵢⱼ = k(xᵢ, μⱼ, λ) = exp(-‖xᵢ - μⱼ‖²/λ)`` (note 001 §5.5), on centred ``Φ``
    and ``y`` so that the intercept is not shrunk.  ``Φ`` is built in row blocks
    (of at most 16 MB) whose centred Gram statistics (``ΦᵀΦ``, ``Φᵀy``, ``yᵀy``)
    are accumulated by one-pass shifted rank-k updates (note 000 §8); the fit costs
    ``O(n m² + m³)`` time and ``O(m²)`` extra memory beyond one block.  ``fit`` takes no
    ``sample_weight``: the data-driven centres (KMeans, random rows) would not
    treat a weight as a repetition of the sample.

    ``predict(X, return_std=True)`` returns
    ``sqrt(σ² (1 + 1/n + (φ(x) - φ̄)ᵀ (ΦᵀΦ + δ²I)⁻¹ (φ(x) - φ̄)))`` (``δ²K`` for
    ``penalty="rkhs"``): the noise plus
    the uncertainty of ``θ`` under the Bayesian reading of ridge (note 001 §5.3),
    as :class:`skdl.linear_model.Ridge` does, for the centres held fixed.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import RidgeRBF
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(0, 2 * np.pi, size=(200, 1))
    >>> y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=200)
    >>> reg = RidgeRBF(n_centers=20, width=1.0, alpha=1e-3, random_state=0).fit(X, y)
    >>> reg.centers_.shape
    (20, 1)
    >>> bool(reg.score(X, y) > 0.95)
    True
    >>> y_pred, y_std = reg.predict(X[:3], return_std=True)
    >>> y_std.shape
    (3,)
    """
    )

    _parameter_constraints = {
        **_CENTER_CONSTRAINTS,
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({"l2", "rkhs"})],
        "solver": [StrOptions({"auto", "cholesky", "svd"})],
    }

    def __init__(
        self,
        n_centers=100,
        *,
        centers="kmeans",
        width="scale",
        alpha=1.0,
        penalty="l2",
        solver="auto",
        random_state=None,
    ):
        self.n_centers = n_centers
        self.centers = centers
        self.width = width
        self.alpha = alpha
        self.penalty = penalty
        self.solver = solver
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Choose the centres and solve the ridge problem on the basis.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, y = validate_data(
            self, X, y, dtype=np.float64, multi_output=True, y_numeric=True, order="C",
            accept_sparse="csr",
        )
        y_2d = y.reshape(-1, 1) if y.ndim == 1 else y
        n_targets = y_2d.shape[1]
        check_magnitude(_values(X), "RidgeRBF", "its squared distances ‖x - μ‖²",
                        4 * X.shape[1])
        width = _resolve_width(self.width, X)
        centers = _select_centers(
            X, self.centers, self.n_centers, self.random_state, type(self).__name__
        )
        # penalty='rkhs': solve for z in θ = W z, where the penalty θᵀKθ is ‖z‖²
        whiten = None
        if self.penalty == "rkhs":
            with _single_threaded(centers.shape[0]):
                whiten = _kernel_whitening(centers, width)
        result = _solve_basis(X, y_2d, centers, width, np.full(n_targets, float(self.alpha)),
                              whiten, self.solver)

        coef, rss, n = result.coef, result.diagnostics["rss"], result.diagnostics["sw"]
        if y.ndim == 1:
            self.coef_ = coef[0]
            self.intercept_ = np.float64(result.intercept[0])
            self.sigma2_ = float(rss[0] / n)
        else:
            self.coef_ = coef
            self.intercept_ = result.intercept
            self.sigma2_ = rss / n
        self.centers_ = centers
        self.n_centers_ = centers.shape[0]
        self.width_ = width
        self.solver_ = result.diagnostics["solver"]
        self.n_iter_ = result.n_iter  # one direct solve
        self._phi_mean = result.diagnostics["x_mean"]
        self._std_factors = result.diagnostics["factors"]
        self._inv_n = 1.0 / n
        return self

    def predict(self, X, return_std=False):
        """Predict with the fitted model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        return_std : bool, default=False
            Also return the predictive standard deviation
            ``sqrt(sigma2_ * (1 + 1/n + (φ(x) - φ̄)ᵀ (ΦᵀΦ + αI)⁻¹ (φ(x) - φ̄)))``
            (``αK`` in place of ``αI`` for ``penalty="rkhs"``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        y_std : ndarray of the same shape as ``y_pred``
            Only when ``return_std=True``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, accept_sparse="csr", reset=False)
        std = None
        if return_std:
            std = (self._phi_mean, self._std_factors, self.sigma2_, self._inv_n)
        # the basis block by block: never the whole n × m matrix
        blocks = (Phi for _, Phi in _iter_basis_blocks(X, self.centers_, self.width_))
        return _predict_blocks(blocks, self.coef_, self.intercept_, std)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.sparse = True
        return tags
