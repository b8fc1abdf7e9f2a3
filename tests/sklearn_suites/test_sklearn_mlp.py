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
    "test_partial_fit_regression": "compares fit with 100 partial_fit calls to rtol=1e-7; "
    "skdl trains in float32 by default (dtype=np.float32), where the two agree to ~2e-5",
    "test_mlp_param_dtypes[MLPClassifier-float64]": "skdl trains in its dtype parameter "
    "(float32 by default), not X's dtype",
    "test_mlp_param_dtypes[MLPRegressor-float32]": "skdl predicts in float64 whatever the "
    "training dtype (batch-invariant predictions)",
    "test_mlp_param_dtypes[MLPRegressor-float64]": "skdl trains in its dtype parameter "
    "(float32 by default), not X's dtype",
    "test_mlp_diverging_loss": "skdl raises DivergenceError when the training loss becomes "
    "non-finite (a deliberate skdl feature); sklearn goes on and records NaN scores",
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
