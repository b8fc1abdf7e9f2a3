"""Sparse (scipy CSR/CSC) input to the networks that take 2-D rows: the MLPs, the CNNs
(flattened images) and the autoencoders keep X sparse and densify one batch (or one
inference chunk) at a time; the LSTMs refuse it."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse._compressed import _cs_matrix
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import get_tags

from skdl.neural_network import (
    VAE,
    Autoencoder,
    CNNClassifier,
    CNNRegressor,
    LSTMClassifier,
    LSTMRegressor,
    MLPClassifier,
    MLPRegressor,
    SemiSupervisedVAE,
    _base,
)

N, D = 200, 16  # 16 features: 4 x 4 single-channel images for the CNNs
SMALL = {"max_iter": 4, "batch_size": 25, "learning_rate_init": 0.01}
ESTIMATORS = [
    MLPClassifier(hidden_layer_sizes=(8,), **SMALL),
    MLPRegressor(hidden_layer_sizes=(8,), **SMALL),
    CNNClassifier(conv_channels=(3,), hidden_layer_sizes=(8,), **SMALL),
    CNNRegressor(conv_channels=(3,), hidden_layer_sizes=(8,), **SMALL),
    Autoencoder(hidden_layer_sizes=(8,), **SMALL),
    VAE(hidden_layer_sizes=(8,), **SMALL),
    SemiSupervisedVAE(hidden_layer_sizes=(8,), **SMALL),
]
IDS = [type(e).__name__ for e in ESTIMATORS]


def _data(seed=0):
    Xs = sp.random(N, D, density=0.25, format="csr", random_state=seed)
    s = Xs.sum(axis=1).A1
    labels = (s > np.median(s)).astype(int)
    return Xs, labels


def _target(est, labels):
    name = type(est).__name__
    if name == "SemiSupervisedVAE":
        return np.where(np.arange(N) % 4 == 0, labels, -1)  # a quarter labelled
    if name in ("Autoencoder", "VAE"):
        return None
    if "Regressor" in name:
        return labels + 0.1 * np.arange(N) / N
    return labels


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _outputs(est, X):
    """What the estimator computes from X (every X-taking method but fit)."""
    out = []
    for method in ("predict_proba", "predict", "transform", "score"):
        if not hasattr(est, method):
            continue
        if method == "score":
            if type(est).__name__ in ("Autoencoder", "VAE"):
                out.append(np.atleast_1d(est.score(X)))
            continue
        values = getattr(est, method)(X)
        if np.asarray(values).dtype.kind == "f":
            out.append(np.asarray(values, dtype=np.float64).ravel())
    if hasattr(est, "inverse_transform"):
        Z = est.transform(X)
        out.append(est.inverse_transform(sp.csr_matrix(Z)).ravel())
    return np.concatenate(out)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_sparse_fit_equals_dense_fit(estimator, seed):
    # Same seed, same batches: the sparse path densifies the rows the dense path slices,
    # so the two fits see the same float32 numbers in the same order.  Measured on an
    # AVX2 machine, and under ATEN_CPU_CAPABILITY=default OMP_NUM_THREADS=1: identical
    # (difference 0) for every estimator and seed.  The tolerances leave room for a
    # kernel that takes another path on other memory alignment (a few float32 ulps,
    # grown over 4 epochs), and are far below what another seed changes (at least 0.18
    # in the largest output difference, seeds 0-3 against 10-13).
    Xs, labels = _data(seed)
    y = _target(estimator, labels)
    est = clone(estimator).set_params(random_state=seed)
    dense = _fit(clone(est), Xs.toarray(), y)
    for Xfit in (Xs, Xs.tocsc()):
        sparse = _fit(clone(est), Xfit, y)
        np.testing.assert_allclose(sparse.loss_curve_[0], dense.loss_curve_[0], rtol=1e-6)
        np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-4)
        np.testing.assert_allclose(
            _outputs(sparse, Xs), _outputs(dense, Xs.toarray()), rtol=1e-4, atol=1e-5
        )
        # sparse and dense X give the same outputs from one fitted network
        np.testing.assert_allclose(
            _outputs(sparse, Xs.tocsc()), _outputs(sparse, Xs.toarray()), rtol=1e-12, atol=1e-12
        )
    assert isinstance(sparse.n_iter_, int) and len(sparse.loss_curve_) == sparse.n_iter_


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_sparse_X_is_never_densified_whole(estimator, monkeypatch):
    chunk = 32  # inference chunk, below N: predictions must come in chunks too
    monkeypatch.setattr(_base, "_PREDICT_CHUNK", chunk)
    shapes = []
    toarray = _cs_matrix.toarray

    def spy(self, *args, **kwargs):
        shapes.append(self.shape)
        return toarray(self, *args, **kwargs)

    monkeypatch.setattr(_cs_matrix, "toarray", spy)
    Xs, labels = _data()
    y = _target(estimator, labels)
    # early stopping: the validation rows are batched as well
    est = clone(estimator).set_params(random_state=0, early_stopping=True)
    _fit(est, Xs, y)
    n_fit = len(shapes)
    assert n_fit > 0
    # training batches; SemiSupervisedVAE's centroids are inference chunks
    assert max(s[0] for s in shapes) <= max(chunk, SMALL["batch_size"])
    if hasattr(est, "partial_fit"):
        est.set_params(early_stopping=False).partial_fit(Xs, y)
    _outputs(est, Xs)
    assert len(shapes) > n_fit
    assert max(s[0] for s in shapes) <= max(chunk, SMALL["batch_size"]) < N
    assert all(s[1] in (D, 2) for s in shapes)  # rows of X, or codes (inverse_transform)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_sparse_tag(estimator):
    assert get_tags(estimator).input_tags.sparse


@pytest.mark.parametrize("cls", [LSTMClassifier, LSTMRegressor])
def test_lstm_refuses_sparse_input(cls):
    Xs, labels = _data()
    assert not get_tags(cls()).input_tags.sparse
    with pytest.raises(TypeError, match="does not take sparse input"):
        cls(hidden_size=4, max_iter=1).fit(Xs, labels)
    est = _fit(cls(hidden_size=4, max_iter=1), Xs.toarray(), labels)
    with pytest.raises(TypeError, match="does not take sparse input"):
        est.predict(Xs)
