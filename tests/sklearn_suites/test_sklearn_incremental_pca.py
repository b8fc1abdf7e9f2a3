"""scikit-learn's ``decomposition/tests/test_incremental_pca.py``, run against
:meth:`skdl.PCA.partial_fit`.

skdl has no IncrementalPCA class: its ``PCA.partial_fit`` is the streaming fit (exact,
from merged scatter matrices, where sklearn's IncrementalPCA updates an SVD).  The
module's ``IncrementalPCA`` is replaced by the thinnest adapter that gives
``skdl.PCA`` sklearn's IncrementalPCA constructor: ``fit`` feeds ``partial_fit``
batches of ``batch_size`` rows (default ``5 * n_features``, as sklearn).  sklearn's own
``PCA`` stays the reference the tests compare against.
"""

from numbers import Integral

from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval

import skdl

from _harness import load_suite


class IncrementalPCA(skdl.PCA):
    """skdl.PCA with IncrementalPCA's constructor; ``fit`` streams through partial_fit."""

    _parameter_constraints = {
        **{k: v for k, v in skdl.PCA._parameter_constraints.items()
           if k in ("n_components", "whiten", "copy")},
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
    }
    # PCA's other parameters, fixed (the streaming route is the covariance one)
    svd_solver, tol, iterated_power, n_oversamples = "covariance_eigh", 0.0, "auto", 10
    power_iteration_normalizer, random_state = "auto", None

    def __init__(self, n_components=None, *, whiten=False, copy=True, batch_size=None):
        self.n_components = n_components
        self.whiten = whiten
        self.copy = copy
        self.batch_size = batch_size

    def fit(self, X, y=None):
        for attr in [k for k in vars(self) if k.endswith("_") or k == "_moments"]:
            delattr(self, attr)
        n, d = X.shape
        self.batch_size_ = 5 * d if self.batch_size is None else self.batch_size
        for batch in gen_batches(n, self.batch_size_, min_batch_size=self.n_components or 0):
            self.partial_fit(X[batch])
        return self

    def partial_fit(self, X, y=None):
        super().partial_fit(X)
        self.n_samples_seen_ = self.n_samples_  # IncrementalPCA's name for the count
        return self

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


DECLARED = {
    "test_incremental_pca_sparse": (
        "skdl's PCA.partial_fit takes sparse chunks (their sparse Gram moments); the test "
        "expects IncrementalPCA.partial_fit to refuse them"
    ),
    "test_incremental_pca_validation": (
        "skdl's exact streaming (merged scatter matrices) allows n_components above the "
        "first chunk's rows, which sklearn's incremental SVD refuses; and sklearn's wording"
    ),
    "test_incremental_pca_set_params": (
        "skdl recomputes the components from the merged scatter matrix when n_components "
        "changes mid-stream; sklearn's incremental SVD cannot, and the test expects errors"
    ),
}

globals().update(
    load_suite(
        "sklearn.decomposition.tests.test_incremental_pca",
        {"sklearn.decomposition.IncrementalPCA": IncrementalPCA},
        DECLARED,
        alias="skdl_suite_test_incremental_pca",
    )
)
