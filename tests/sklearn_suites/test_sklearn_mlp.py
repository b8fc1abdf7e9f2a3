"""scikit-learn's ``neural_network/tests/test_mlp.py``, run against skdl's
:class:`skdl.MLPClassifier` and :class:`skdl.MLPRegressor`."""

import pytest

pytest.importorskip("torch")

import skdl  # noqa: E402

from _harness import load_suite  # noqa: E402

DECLARED = {
    "test_fit": "sets coefs_/intercepts_ and sklearn's private _coef_grads by hand before "
    "fitting; skdl's weights live in the torch module (coefs_ are read-only copies)",
    "test_gradient": "calls sklearn's private _loss_grad_lbfgs (its numpy backprop)",
    "test_learning_rate_warmstart": "reads sklearn's private _optimizer object (skdl's "
    "step is net_.optimizer_.param_groups[0]['lr'], tested in tests/neural_network)",
    "test_adaptive_learning_rate": "reads sklearn's private _optimizer object (skdl's "
    "adaptive schedule is tested in tests/neural_network/test_sklearn_vocabulary.py)",
    "test_nonfinite_params": "sklearn's exact error text: skdl refuses X beyond its float32 "
    "training range earlier, at validation, with a ValueError naming X",
}

globals().update(
    load_suite(
        "sklearn.neural_network.tests.test_mlp",
        {
            "sklearn.neural_network.MLPClassifier": skdl.MLPClassifier,
            "sklearn.neural_network.MLPRegressor": skdl.MLPRegressor,
        },
        DECLARED,
        alias="skdl_suite_test_mlp",
    )
)
