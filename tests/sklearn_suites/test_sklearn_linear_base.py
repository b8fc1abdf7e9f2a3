"""scikit-learn's ``linear_model/tests/test_base.py``, run against
:class:`skdl.LinearRegression`."""

import skdl

from _harness import load_suite

DECLARED = {
    "test_raises_value_error_if_positive_and_sparse": (
        "skdl fits positive=True on sparse X (NNLS on the Cholesky factor of the sparse "
        "Gram matrix); sklearn refuses sparse input there"
    ),
}

globals().update(
    load_suite(
        "sklearn.linear_model.tests.test_base",
        {"sklearn.linear_model.LinearRegression": skdl.LinearRegression},
        DECLARED,
        alias="skdl_suite_test_linear_base",
    )
)
