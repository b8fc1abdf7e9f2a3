"""scikit-learn's ``linear_model/tests/test_ridge.py``, run against :class:`skdl.Ridge`."""

import skdl

from _harness import load_suite

SAG = "a sklearn-only solver (stochastic average gradient 'sag'/'saga')"
DECLARED = {
    # parametrised over sklearn's solvers: their sag/saga cases
    **{
        f"{name}[{pattern}]": SAG
        for name in (
            "test_ridge_regression", "test_ridge_regression_hstacked_X",
            "test_ridge_regression_vstacked_X", "test_ridge_regression_unpenalized",
            "test_ridge_regression_unpenalized_hstacked_X",
            "test_ridge_regression_unpenalized_vstacked_X",
            "test_ridge_regression_sample_weights", "test_ridge_sample_weight_consistency",
            "test_solver_consistency", "test_dtype_match", "test_ridge_fit_intercept_sparse",
            "test_ridge_positive_regression_test",
            "test_ridge_fit_intercept_sparse_error", "test_ridge_positive_error_test",
        )
        for pattern in ("*-sag-*", "*-saga-*", "*-sag", "*-saga", "sag-*", "saga-*",
                        "sag", "saga")
    },
    # tests that use 'sag'/'saga' in their body
    "test_n_iter": SAG + "; also sklearn's n_iter_ is None for direct solvers, skdl's 1",
    "test_ridge_individual_penalties": SAG,
    "test_ridgeclassifier_multilabel": SAG + " (the reference for RidgeClassifier)",
    "test_ridge_fit_intercept_sparse_sag": SAG,
    "test_ridge_sag_with_X_fortran": SAG,
    "test_ridge_fit_intercept_sparse_error[*-cholesky]": (
        "skdl fits the intercept on sparse X with 'cholesky' (the sparse Gram matrix "
        "centred by the rank-one correction); sklearn refuses"
    ),
    "test_ridge_positive_error_test[cholesky]": (
        "skdl solves positive=True with 'cholesky' too (NNLS on the Cholesky factor of the "
        "normal equations); sklearn only with 'lbfgs'"
    ),
}

globals().update(
    load_suite(
        "sklearn.linear_model.tests.test_ridge",
        {"sklearn.linear_model.Ridge": skdl.Ridge},
        DECLARED,
        alias="skdl_suite_test_ridge",
    )
)
