"""Tests of Autoencoder, VAE and SemiSupervisedVAE (notes 000 §3, 001 ch. 11)."""

import inspect
import pickle
import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl.metrics import gaussian_nll, multivariate_normal_kl_divergence
from skdl.neural_network import VAE, Autoencoder, SemiSupervisedVAE
from skdl.neural_network._autoencoder import _kl_to_unit_gaussians, _reconstruction_nll
from skdl.neural_network._modules import (
    ELBOLoss,
    LabelledBatch,
    ReconstructionLoss,
    SemiSupervisedELBOLoss,
)

# trained-quality claims are asserted over seeds with measured bounds (nn_quality.py)
from nn_quality import assert_claim
from nn_quality import blobs as _blobs
from nn_quality import low_rank as _low_rank


# ------------------------------------------------------- the loss terms -- #
def test_kl_term_matches_the_closed_form_of_skdl_metrics(rng):
    mu = rng.normal(size=(20, 3))
    logvar = rng.normal(size=(20, 3))
    centers = rng.normal(size=(4, 3))
    ours = _kl_to_unit_gaussians(
        torch.from_numpy(mu), torch.from_numpy(logvar), torch.from_numpy(centers)
    ).numpy()
    for k, c in enumerate(centers):
        ref = multivariate_normal_kl_divergence(
            mu, np.exp(logvar), c, np.ones(3), covariance_type="diag"
        )
        np.testing.assert_allclose(ours[:, k], ref, rtol=1e-10)


def test_gaussian_reconstruction_term_is_the_gaussian_nll(rng):
    X, out = rng.normal(size=(30, 5)), rng.normal(size=(30, 5))
    ours = _reconstruction_nll(torch.from_numpy(out), torch.from_numpy(X), "gaussian").numpy()
    # the NLL of the whole vector is n_outputs times the uniform average of skdl.metrics
    assert np.mean(ours) == pytest.approx(5 * gaussian_nll(X, out, 1.0), rel=1e-10)


def test_semi_supervised_kl_term_per_label(rng):
    # a labelled row's KL is to its class centroid's prior (eq. 11.4); an unlabelled
    # row's (label code K) is -log (1/K) Σ_k exp(-KL_k)
    loss = SemiSupervisedELBOLoss(n_classes=2, n_components=2, reduction="none").double()
    centroids = torch.tensor([[1.0, 0.0], [-1.0, 0.5]], dtype=torch.float64)
    loss.centroids.copy_(centroids)
    mu, logvar, X, out = (
        torch.from_numpy(rng.normal(size=shape)) for shape in [(4, 2), (4, 2), (4, 3), (4, 3)]
    )
    labels = torch.tensor([0, 1, 2, 2])
    total, terms = loss.terms((out, mu, logvar), LabelledBatch(X, labels))
    kls = _kl_to_unit_gaussians(mu, logvar, centroids).numpy()
    unlabelled = np.log(2) - np.log(np.exp(-kls[2:]).sum(axis=1))
    np.testing.assert_allclose(terms["kl"].numpy(), [kls[0, 0], kls[1, 1], *unlabelled])
    rec = _reconstruction_nll(out, X, "gaussian")
    np.testing.assert_allclose(terms["reconstruction"].numpy(), rec.numpy())
    np.testing.assert_allclose(total.numpy(), (rec + terms["kl"]).numpy())
    # the unsupervised ELBO's target is the inputs themselves, its prior N(0, I)
    plain = ELBOLoss(beta=0.5, reduction="none").double()
    total, terms = plain.terms((out, mu, logvar), X)
    kl0 = _kl_to_unit_gaussians(mu, logvar, torch.zeros(1, 2, dtype=torch.float64))[:, 0]
    np.testing.assert_allclose(total.numpy(), (rec + 0.5 * kl0).numpy())


# ------------------------------------------- one base, three loss objects -- #
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_three_models_differ_by_their_loss():
    from skdl.neural_network import _autoencoder

    # the moved pieces stay importable from the estimators' module
    for name in ("AutoencoderModule", "_TermsHistory", "_CentroidUpdate"):
        assert hasattr(_autoencoder, name)
    assert issubclass(SemiSupervisedVAE, VAE)
    X, y = _blobs(n=60)
    common = dict(hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    cases = [
        (Autoencoder(**common), ReconstructionLoss, False),
        (VAE(**common), ELBOLoss, True),
        (SemiSupervisedVAE(**common), SemiSupervisedELBOLoss, True),
    ]
    for est, loss, variational in cases:
        est.fit(X, y)
        assert type(est.net_.criterion_) is loss and loss.variational is variational
        assert est.net_.module_.variational is variational
    # SemiSupervisedVAE's VAE parameters reach its loss
    ss = SemiSupervisedVAE(**common, n_components=3, beta=0.25).fit(X, y)
    assert (ss.net_.criterion_.beta, ss.net_.criterion_.centroids.shape) == (0.25, (3, 3))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_ssvae_loss_gets_the_labels_as_integer_codes(monkeypatch):
    seen = []
    kl = SemiSupervisedELBOLoss._kl

    def spy(self, mu, logvar, y_true):
        seen.append(y_true)
        return kl(self, mu, logvar, y_true)

    monkeypatch.setattr(SemiSupervisedELBOLoss, "_kl", spy)
    X, y = _blobs(n=60)
    names = np.array(["a", "b", "c"], dtype=object)[y]
    partial = np.where(np.arange(60) % 3 == 0, names, -1)
    # one batch of the whole set: its rows in order
    SemiSupervisedVAE(hidden_layer_sizes=(4,), max_iter=1, batch_size=60, random_state=0).fit(
        X, partial
    )
    batch = seen[0]
    assert isinstance(batch, LabelledBatch) and len(batch) == 60
    assert batch.labels.dtype == torch.int64
    np.testing.assert_array_equal(batch.labels.numpy(), np.where(partial == -1, 3, y))
    np.testing.assert_allclose(batch.X.numpy(), X.astype(np.float32))


# ----------------------------------------------------------- Autoencoder -- #
def test_linear_autoencoder_spans_the_pca_subspace():
    # the decoder spans PCA's subspace, and the reconstruction error is PCA's optimum
    # up to 1 % of the data variance (over seeds)
    assert_claim("ae_linear_spans_pca")
    X = _low_rank(rank=2)
    ae = Autoencoder(
        n_components=2, hidden_layer_sizes=(), activation="identity", learning_rate_init=0.02,
        batch_size=32, max_iter=5, random_state=0,
    ).fit(X)
    # PCA's reconstruction is the best of any rank-2 affine map: never beaten
    pca = PCA(n_components=2).fit(X)
    pca_mse = np.mean((X - pca.inverse_transform(pca.transform(X))) ** 2)
    assert pca_mse <= -ae.score(X)


def test_autoencoder_score_history_and_sparsity():
    X = _low_rank(rank=3)
    common = dict(n_components=3, hidden_layer_sizes=(16,), max_iter=5, alpha=0.0, random_state=0)
    ae = Autoencoder(**common, learning_rate_init=0.01).fit(X)
    hist = ae.history_
    rec = np.array(hist[:, "train_reconstruction"])
    np.testing.assert_allclose(hist[:, "train_loss"], rec, rtol=1e-5)  # no penalty
    R = ae.inverse_transform(ae.transform(X))
    assert ae.score(X) == pytest.approx(-np.mean((X - R) ** 2))
    # the L1 penalty Ω(h) shrinks the code, and is logged apart
    sparse = Autoencoder(**common, learning_rate_init=0.01, sparsity=0.3).fit(X)
    pen = np.array(sparse.history_[:, "train_sparsity_penalty"])
    loss = np.array(sparse.history_[:, "train_loss"])
    np.testing.assert_allclose(
        loss, np.array(sparse.history_[:, "train_reconstruction"]) + pen, rtol=1e-5
    )
    # 40 epochs cut the reconstruction loss fivefold, and the penalty halves the code
    assert_claim("ae_training_and_sparsity")


def test_autoencoder_outputs_names_pandas_and_pickle():
    X = _low_rank()
    ae = Autoencoder(n_components=2, hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    Z = ae.fit_transform(X)
    assert Z.shape == (len(X), 2) and Z.dtype == np.float64
    assert list(ae.get_feature_names_out()) == ["autoencoder0", "autoencoder1"]
    assert ae.inverse_transform(Z).shape == X.shape
    with pytest.raises(ValueError, match="n_components=2"):
        ae.inverse_transform(Z[:, :1])
    frame = clone(ae).set_output(transform="pandas").fit(X).transform(X)
    assert list(frame.columns) == ["autoencoder0", "autoencoder1"]
    np.testing.assert_allclose(frame.to_numpy(), Z)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(ae)).transform(X), Z)
    # in a pipeline
    pipe = make_pipeline(StandardScaler(), clone(ae)).fit(X)
    assert pipe.transform(X).shape == (len(X), 2)


# ------------------------------------------------------------------- VAE -- #
def test_vae_score_rises_over_training_and_beats_an_untrained_vae():
    assert_claim("vae_score_rises")


def test_vae_score_is_a_tight_lower_bound_of_a_linear_gaussian_likelihood():
    # a linear decoder makes p(x) = N(b, W Wᵀ + I) exact; the ELBO (score) must stay
    # below the mean log-likelihood, and close to it once trained (the posterior of a
    # linear-Gaussian model is Gaussian, and a linear encoder can approach it)
    runs = assert_claim("vae_linear_gaussian_gap")
    assert all(r["gap"] > 0 for r in runs), runs


def test_vae_history_terms_and_beta():
    X = StandardScaler().fit_transform(_low_rank(n=300))
    vae = VAE(
        n_components=2,
        hidden_layer_sizes=(16,),
        max_iter=10,
        beta=0.5,
        learning_rate_init=0.01,
        alpha=0.0,  # the L2 penalty would be a third term of train_loss
        random_state=0,
    ).fit(X)
    h = vae.history_
    rec, kl = np.array(h[:, "train_reconstruction"]), np.array(h[:, "train_kl"])
    np.testing.assert_allclose(h[:, "train_loss"], rec + 0.5 * kl, rtol=1e-5)
    assert np.all(kl > 0)
    # with early stopping the validation terms are logged too
    vae_es = clone(vae).set_params(early_stopping=True, max_iter=3).fit(X)
    assert "valid_kl" in vae_es.history_[-1] and "valid_reconstruction" in vae_es.history_[-1]


def test_vae_sample_shapes_and_determinism():
    X = StandardScaler().fit_transform(_low_rank(n=200))
    vae = VAE(n_components=3, hidden_layer_sizes=(16,), max_iter=5, random_state=0).fit(X)
    a = vae.sample(7, random_state=0)
    assert a.shape == (7, X.shape[1]) and a.dtype == np.float64
    np.testing.assert_array_equal(a, vae.sample(7, random_state=0))
    assert not np.allclose(a, vae.sample(7, random_state=1))
    # the samples are the decoded prior draws
    Z = np.random.RandomState(0).standard_normal((7, 3))
    np.testing.assert_allclose(a, vae.inverse_transform(Z))
    with pytest.raises(ValueError, match="n_samples"):
        vae.sample(0)
    # the score is deterministic
    assert vae.score(X) == vae.score(X)
    # refitting with the same seed gives the same model
    np.testing.assert_array_equal(clone(vae).fit(X).transform(X), vae.transform(X))


def test_vae_bernoulli():
    X = (_low_rank(n=300) > 0).astype(float)
    vae = VAE(
        n_components=2,
        hidden_layer_sizes=(16,),
        likelihood="bernoulli",
        max_iter=20,
        learning_rate_init=0.01,
        random_state=0,
    ).fit(X)
    S = vae.sample(10, random_state=0)
    assert np.all((S >= 0) & (S <= 1))
    assert_claim("vae_bernoulli")  # the ELBO rises from 1 to 20 epochs
    with pytest.raises(ValueError, match=r"bernoulli.*\[0, 1\]"):
        clone(vae).fit(X * 2)


# ----------------------------------------------------- SemiSupervisedVAE -- #
def test_ssvae_learns_from_ten_percent_of_the_labels():
    X, y = _blobs(n=600)
    y_partial = np.where(np.arange(len(y)) % 10 == 0, y, -1)
    ss = SemiSupervisedVAE(
        n_components=2, hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=40,
        random_state=0,
    ).fit(X, y_partial)
    np.testing.assert_array_equal(ss.classes_, [0, 1, 2])
    # accuracy, separated centroids, samples at a centroid decode to its class
    assert_claim("ssvae_ten_percent_of_labels")
    proba = ss.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(ss.classes_[proba.argmax(axis=1)], ss.predict(X))
    # the centroids are the latent class means of the labelled rows, and are separated
    Z = ss.transform(X)
    keep = y_partial != -1
    for k in range(3):
        np.testing.assert_allclose(ss.centroids_[k], Z[keep & (y == k)].mean(axis=0), atol=1e-6)
    for k in range(3):
        Xk, yk = ss.sample(40, y=k, random_state=0)
        assert Xk.shape == (40, X.shape[1]) and np.all(yk == k)
    # pandas output for transform leaves predict alone
    frame = clone(ss).set_output(transform="pandas").fit(X, y_partial)
    assert list(frame.transform(X).columns) == ["semisupervisedvae0", "semisupervisedvae1"]
    np.testing.assert_array_equal(frame.predict(X), ss.predict(X))
    Xs, ys = ss.sample(30, random_state=0)
    assert set(ys) <= {0, 1, 2}
    np.testing.assert_array_equal(ss.sample(30, random_state=0)[0], Xs)
    with pytest.raises(ValueError, match="not among the classes"):
        ss.sample(3, y=7)
    with pytest.raises(ValueError, match="one label or 3 labels"):
        ss.sample(3, y=[0, 1])


def test_ssvae_history_and_kl_pull():
    X, y = _blobs(n=300)
    ss = SemiSupervisedVAE(
        n_components=2, hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=15,
        alpha=0.0, random_state=0,
    ).fit(X, y)
    h = ss.history_
    np.testing.assert_allclose(
        h[:, "train_loss"],
        np.array(h[:, "train_reconstruction"]) + np.array(h[:, "train_kl"]),
        rtol=1e-5,
    )
    assert_claim("ssvae_fully_labelled")


def test_ssvae_score_leaves_out_unlabelled_rows():
    X, y = _blobs(n=150)
    partial = np.where(np.arange(len(y)) % 3 == 0, y, -1)
    ss = SemiSupervisedVAE(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=10, random_state=0
    ).fit(X, partial)
    labelled = partial != -1
    expected = np.mean(ss.predict(X[labelled]) == partial[labelled])
    assert ss.score(X, partial) == pytest.approx(expected)
    # counting the unlabelled rows as errors would give at most a third of that
    assert ss.score(X, partial) >= 3 * np.mean(ss.predict(X) == partial) - 1e-12
    sw = np.arange(len(y)) % 2 + 1.0
    w = sw[labelled]
    hits = ss.predict(X[labelled]) == partial[labelled]
    assert ss.score(pd.DataFrame(X), partial, sample_weight=sw) == pytest.approx(
        np.sum(w * hits) / np.sum(w)
    )
    # grid search's default scoring is this score
    search = GridSearchCV(ss, {"max_iter": [5, 10]}, cv=3).fit(X, partial)
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])
    # over seeds: the labelled accuracy, and the search's best score
    assert_claim("ssvae_third_labelled")
    with pytest.raises(ValueError, match="at least one labelled row"):
        ss.score(X, np.full(len(y), -1))


def test_ssvae_labels_marker_and_errors():
    X, y = _blobs(n=150)
    names = np.array(["a", "b", "c"], dtype=object)[y]
    partial = names.copy()
    partial[np.arange(len(y)) % 3 != 0] = -1  # object labels with -1 for unlabelled
    common = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=10, random_state=0)
    ss = SemiSupervisedVAE(**common).fit(X, partial)
    assert list(ss.classes_) == ["a", "b", "c"]
    assert set(ss.predict(X)) <= {"a", "b", "c"}
    # a custom marker, and no marker at all (then -1 is an ordinary class)
    marked = np.where(np.arange(len(y)) % 3 == 0, y, 99)
    ss99 = SemiSupervisedVAE(**common, unlabeled_value=99).fit(X, marked)
    np.testing.assert_array_equal(ss99.classes_, [0, 1, 2])
    signed = np.where(y == 0, -1, y)
    ss_none = SemiSupervisedVAE(**common, unlabeled_value=None).fit(X, signed)
    np.testing.assert_array_equal(ss_none.classes_, [-1, 1, 2])
    with pytest.raises(ValueError, match="at least one labelled"):
        SemiSupervisedVAE(**common).fit(X, np.full(len(y), -1))
    with pytest.raises(ValueError, match="requires y"):
        SemiSupervisedVAE(**common).fit(X, None)
    with pytest.raises(ValueError, match="Unknown label type"):
        SemiSupervisedVAE(**common).fit(X, np.linspace(0, 1, len(y)))


@pytest.mark.parametrize("cls", [Autoencoder, VAE, SemiSupervisedVAE])
def test_docstring_lists_the_signature_parameters(cls):
    section = cls.__doc__.split("Parameters\n    ----------")[1].split("Attributes\n")[0]
    documented = re.findall(r"^    (\*{0,2}\w+) :|^    (\*\*\w+)$", section, flags=re.M)
    documented = [a or b for a, b in documented]
    signature = [
        ("**" + n if p.kind is p.VAR_KEYWORD else n)
        for n, p in inspect.signature(cls).parameters.items()
    ]
    assert documented == signature


def test_ssvae_labeled_weight_and_separation():
    X, y = _blobs(n=200)
    y_partial = np.where(np.arange(len(y)) % 10 == 0, y, -1)
    common = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=20, random_state=0)
    ss = SemiSupervisedVAE(**common)
    w = ss._weigh_labels(y_partial, None)
    np.testing.assert_allclose(w[y_partial != -1], 9.0)  # 180 unlabelled / 20 labelled
    np.testing.assert_allclose(w[y_partial == -1], 1.0)
    sw = np.linspace(0.5, 1.5, len(y))
    np.testing.assert_allclose(ss._weigh_labels(y_partial, sw), w * sw)
    assert ss._weigh_labels(y, None) is None  # fully labelled: the unweighted loss
    assert SemiSupervisedVAE(labeled_weight=1.0)._weigh_labels(y_partial, None) is None
    with pytest.raises(ValueError, match="labeled_weight"):
        SemiSupervisedVAE(**common, labeled_weight=0.0).fit(X, y_partial)
    # the drift keeps the training centroids at least ~separation apart
    assert_claim("ssvae_separation")
    near = SemiSupervisedVAE(**common, separation=0.0).fit(X, y_partial)
    np.testing.assert_allclose(near.net_.criterion_.centroids.numpy().mean(axis=0), 0, atol=1e-5)


@pytest.mark.slow  # two fits of 100 epochs on 1347 digits (~10 s each on a quiet core)
def test_ssvae_digits_with_ten_percent_of_the_labels():
    # the documented settings (SemiSupervisedVAE's Notes, examples/plot_latent_spaces.py)
    from nn_quality import digits_with_few_labels

    _, _, y_partial, _ = digits_with_few_labels()
    assert np.mean(y_partial != -1) == pytest.approx(0.1, abs=0.005)
    assert_claim("ssvae_digits")
