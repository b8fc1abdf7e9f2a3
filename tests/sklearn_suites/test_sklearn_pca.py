"""scikit-learn's ``decomposition/tests/test_pca.py``, run against :class:`skdl.PCA`."""

import skdl

from _harness import Random, load_suite

DECLARED = {
    **{
        f"test_pca_score[{solver}]": (
            "skdl's probabilistic-PCA likelihood does not depend on whiten (sklearn "
            "rescales the covariance when whitening, scikit-learn #13898); the test asserts "
            "the whitened model scores lower"
        )
        for solver in ("full", "covariance_eigh", "arpack", "auto")
    },
    # its two fits (whiten or not) are unseeded randomized SVDs: their components, and
    # so which scores higher, differ by the approximation error from run to run
    "test_pca_score[randomized]": Random(
        "as test_pca_score[full], with two unseeded randomized fits: their approximation "
        "errors decide which scores higher, at random"
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
