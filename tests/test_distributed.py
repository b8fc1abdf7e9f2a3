"""Distributed tuning: GridSearchCV under joblib's dask backend on a 2-process LocalCluster.

The cluster's workers are separate processes on this machine; results must equal the
local run's (same folds, same seeds)."""

import importlib.util

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import skdl

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=50,
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def _compare(search, X, y, atol=None):
    """The dask run equals the local one: to 1e-10 for closed-form estimators, to
    ``atol`` in the mean test score for trained networks (a worker may run torch on
    another thread count, which rounds float sums in another order)."""
    local = clone(search).set_params(n_jobs=1).fit(X, y)
    with joblib.parallel_backend("dask"):
        dist = clone(search).set_params(n_jobs=-1).fit(X, y)
    assert_array_equal(dist.cv_results_["params"], local.cv_results_["params"])
    if atol is not None:
        assert_allclose(
            dist.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"],
            rtol=0, atol=atol,
        )
        return dist
    assert dist.best_params_ == local.best_params_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        assert_allclose(dist.cv_results_[key], local.cv_results_[key], rtol=1e-10)
    return dist


def test_gridsearch_linear_under_dask(client):
    X, y = load_diabetes(return_X_y=True)
    search = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("reg", skdl.Ridge())]),
        {"reg__alpha": [0.01, 1.0, 100.0], "reg__solver": ["cholesky", "svd"]},
        cv=KFold(4, shuffle=True, random_state=0),
    )
    _compare(search, X, y)
    with joblib.parallel_backend("dask"):
        scores = cross_val_score(skdl.LinearRegression(), X, y, cv=5, n_jobs=-1)
    assert_allclose(scores, cross_val_score(skdl.LinearRegression(), X, y, cv=5))


@pytest.mark.skipif(not all(hasattr(skdl, n) for n in ("PCA", "SoftmaxClassifier")),
                    reason="PCA and SoftmaxClassifier not available")
def test_gridsearch_pca_softmax_under_dask(client):
    X, y = load_digits(return_X_y=True)
    search = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("pca", skdl.PCA()),
                  ("clf", skdl.SoftmaxClassifier())]),
        {"pca__n_components": [10, 30], "clf__alpha": [0.1, 10.0]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    _compare(search, X, y)


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch not installed")
def test_gridsearch_mlp_under_dask(client):
    if not hasattr(skdl, "MLPClassifier"):
        pytest.skip("MLPClassifier not available")
    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]
    # float64 training: another thread count changes the weights by ~1e-16, not ~1e-7,
    # so a prediction flips essentially never; allowed: one of the 200 test rows a fold
    mlp = skdl.MLPClassifier(max_iter=8, random_state=0, dtype=np.float64)
    search = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("mlp", mlp)]),
        {"mlp__hidden_layer_sizes": [(16,), (32,)], "mlp__learning_rate_init": [1e-3, 1e-2]},
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )
    dist = _compare(search, X, y, atol=1 / 200)
    assert np.isfinite(dist.best_score_)
