"""scikit-learn's ``decomposition/tests/test_pca.py``, run against :class:`skdl.PCA`."""

import skdl

from _harness import load_suite

DECLARED = {
    "test_pca_score": (
        "skdl's probabilistic-PCA likelihood does not depend on whiten (sklearn rescales "
        "the covariance when whitening, scikit-learn #13898); the test asserts the "
        "whitened model scores lower"
    ),
    "test_sparse_pca_solver_error": (
        "skdl also fits sparse X with svd_solver='randomized' (an implicitly centred "
        "operator), which sklearn refuses; for 'full' both raise TypeError, worded "
        "differently"
    ),
}

globals().update(
    load_suite(
        "sklearn.decomposition.tests.test_pca",
        {"sklearn.decomposition.PCA": skdl.PCA},
        DECLARED,
        alias="skdl_suite_test_pca",
    )
)
