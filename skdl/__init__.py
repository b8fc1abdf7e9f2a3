"""skdl: scikit-learn compatible estimators for classic and deep-learning techniques.

The classic estimators (linear models, basis-function regression, PCA, ...) need only
numpy, scipy and scikit-learn.  The network estimators need the ``nn`` extra
(``pip install "skdl[nn]"``: torch and skorch); their names resolve lazily, so
``import skdl`` never imports torch.
"""

import importlib

__version__ = "0.1.0.dev0"

# public name -> module that defines it; resolved on first attribute access
_PUBLIC = {
    "ElasticNet": "skdl.linear_model",
    "Lasso": "skdl.linear_model",
    "LinearRegression": "skdl.linear_model",
    "LogisticIRLS": "skdl.linear_model",
    "PCA": "skdl.decomposition",
    "Ridge": "skdl.linear_model",
    "RBFFeatures": "skdl.linear_model",
    "RidgeRBF": "skdl.linear_model",
    "CNNClassifier": "skdl.neural_network",
    "CNNRegressor": "skdl.neural_network",
    "LSTMClassifier": "skdl.neural_network",
    "LSTMRegressor": "skdl.neural_network",
    "MLPClassifier": "skdl.neural_network",
    "MLPRegressor": "skdl.neural_network",
    "SoftmaxClassifier": "skdl.linear_model",
    "Autoencoder": "skdl.neural_network",
    "VAE": "skdl.neural_network",
    "SemiSupervisedVAE": "skdl.neural_network",
    "UMAP": "skdl.manifold",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'skdl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
