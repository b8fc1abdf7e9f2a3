"""Autoencoders on skorch: plain/sparse, variational, and semi-supervised variational.

Notes 000 §3 (undercomplete and sparse autoencoders, the linear autoencoder spans the
PCA subspace, the VAE objective) and 001 ch. 11 (the simple autoencoder, the VAE with
its KL term, eq. 11.2/11.3, and the semi-supervised VAE that pulls every sample toward
its class centroid, eq. 11.4).

The estimators reuse the shared skorch base (``_base.py``): the training loop, seeding,
sample weights, early stopping and schedules are the MLP's.  What differs is the module
(an encoder and a decoder MLP), the target (the inputs themselves, plus the labels for
the semi-supervised model) and the criterion, which returns per-sample losses and keeps
the reconstruction and KL terms of the last batch so that a callback can write them to
``history_`` separately.
"""

import math
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
import torch
from scipy.special import log_softmax
from sklearn.base import ClassifierMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    _check_y,
    _num_samples,
    check_array,
    check_is_fitted,
)
from skorch.callbacks import Callback
from torch import nn

from ._base import (
    _PREDICT_CHUNK,
    BaseNeuralNetwork,
    _dense_chunks,
)
from ._mlp import _ATTRS_DOC, _EXTRAS_DOC, _HEAD_DOC, _TAIL_DOC, _TRAIN_DOC
from ._modules import MLPModule

_LOG_2PI = math.log(2.0 * math.pi)
# bounds of the encoder's log-variance (exp(-30) ~ 1e-13: no under/overflow in float32)
_LOGVAR_MIN, _LOGVAR_MAX = -30.0, 20.0
# Monte-Carlo draws of z per sample in ``score`` (fixed seed: a deterministic score)
_SCORE_DRAWS = 16
_SCORE_SEED = 0

# the base's parameter docs, split so that each estimator can put its own in between
_REST_DOC = _EXTRAS_DOC + _TRAIN_DOC + _TAIL_DOC
_HIDDEN_DOC = _HEAD_DOC.replace(
    "Number of units of each hidden layer; ``()`` gives no hidden layer (a\n"
    "        linear model on the inputs).",
    "Units of the encoder's hidden layers (the decoder mirrors them); ``()``\n"
    "        gives a single linear layer each way.",
)
_N_COMPONENTS_DOC = """
    n_components : int, default=2
        Size of the code (latent space)."""


# --------------------------------------------------------------------------- #
# torch pieces                                                                 #
# --------------------------------------------------------------------------- #
class AutoencoderModule(nn.Module):
    """Encoder MLP ``x -> code`` and mirrored decoder MLP ``code -> x``.

    With ``variational=True`` the encoder returns the mean and the log-variance of a
    diagonal Gaussian ``q(z | x)`` (note 001 §11.3), and in training mode the forward
    pass decodes ``z = mu + exp(logvar / 2) * eps`` with ``eps ~ N(0, I)`` (the
    reparameterisation); in eval mode it decodes ``mu``.

    ``forward`` returns ``(decoder output, code or mu, logvar or None)``.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        variational=False,
    ):
        super().__init__()
        self.variational = variational
        common = {"activation": activation, "dropout": dropout, "batch_norm": batch_norm}
        n_code = 2 * n_components if variational else n_components
        self.encoder = MLPModule(
            n_features, n_code, hidden_layer_sizes=tuple(hidden_layer_sizes), **common
        )
        self.decoder = MLPModule(
            n_components,
            n_features,
            hidden_layer_sizes=tuple(reversed(hidden_layer_sizes)),
            **common,
        )

    def encode(self, X):
        out = self.encoder(X)
        if not self.variational:
            return out, None
        mu, logvar = out.chunk(2, dim=1)
        return mu, logvar.clamp(_LOGVAR_MIN, _LOGVAR_MAX)

    def decode(self, Z):
        return self.decoder(Z)

    def forward(self, X):
        mu, logvar = self.encode(X)
        z = mu
        if self.variational and self.training:
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decoder(z), mu, logvar


def _reconstruction_nll(out, X, likelihood):
    """Per-sample ``-log p(x | z)`` summed over the features (note 000 §3.4).

    Gaussian: ``N(x | out, I)`` (torch's ``gaussian_nll_loss`` with unit variance, the
    full constant included); Bernoulli: ``out`` are logits.
    """
    if likelihood == "gaussian":
        nll = nn.functional.gaussian_nll_loss(
            out, X, torch.ones_like(out), full=True, reduction="none"
        )
    else:
        nll = nn.functional.binary_cross_entropy_with_logits(out, X, reduction="none")
    return nll.sum(dim=1)


def _kl_to_unit_gaussians(mu, logvar, centers):
    """``KL(N(mu, diag(exp(logvar))) || N(c, I))`` for every row and every centre.

    Note 001 eq. 11.2 with ``Σ_q = I`` (eq. 11.3 for ``c = 0``, eq. 11.4 for a class
    centroid), in the correct sign: ``½ Σ_j (σ²_j + (μ_j − c_j)² − 1 − log σ²_j)``.
    ``centers`` is ``(n_centers, d)``; returns ``(n, n_centers)``.
    """
    base = 0.5 * (logvar.exp() - 1.0 - logvar).sum(dim=1, keepdim=True)
    sq = ((mu[:, None, :] - centers[None, :, :]) ** 2).sum(dim=2)
    return base + 0.5 * sq


class _AutoencoderLoss(nn.Module):
    """Per-sample loss of the three models (``reduction`` 'none' or 'mean').

    ``kind='ae'``: mean squared reconstruction error + ``sparsity * ||h||_1``;
    ``kind='vae'``: ``-log p(x|z) + beta * KL(q(z|x) || N(0, I))``;
    ``kind='ssvae'``: as 'vae', with the prior ``N(c_y, I)`` of the row's class centroid
    (eq. 11.4) for a labelled row, and the mixture ``(1/K) Σ_k N(c_k, I)`` for an
    unlabelled one, whose KL is approximated by ``-log (1/K) Σ_k exp(-KL_k)`` (the
    variational approximation of Hershey & Olsen, 2007).  For 'ssvae' the target
    carries the label code in its last column (``n_classes`` = unlabelled).

    The terms of the last call (detached, summed over the batch) are kept in
    ``last_terms`` for the history callback.
    """

    def __init__(
        self,
        kind="ae",
        likelihood="gaussian",
        beta=1.0,
        sparsity=0.0,
        n_classes=0,
        n_components=2,
        reduction="mean",
    ):
        super().__init__()
        self.kind = kind
        self.likelihood = likelihood
        self.beta = beta
        self.sparsity = sparsity
        self.n_classes = n_classes
        self.reduction = reduction
        self.register_buffer("centroids", torch.zeros(max(n_classes, 1), n_components))
        self.last_terms = None

    def terms(self, y_pred, y_true):
        out, mu, logvar = y_pred
        if self.kind == "ae":
            rec = ((out - y_true) ** 2).mean(dim=1)
            pen = self.sparsity * mu.abs().sum(dim=1)
            return rec + pen, {"reconstruction": rec, "sparsity_penalty": pen}
        if self.kind == "vae":
            rec = _reconstruction_nll(out, y_true, self.likelihood)
            kl = _kl_to_unit_gaussians(mu, logvar, torch.zeros_like(mu[:1]))[:, 0]
        else:
            X, code = y_true[:, :-1], y_true[:, -1].long()
            rec = _reconstruction_nll(out, X, self.likelihood)
            kls = _kl_to_unit_gaussians(mu, logvar, self.centroids)
            labelled = code < self.n_classes
            kl_lab = kls.gather(1, code.clamp(max=self.n_classes - 1)[:, None])[:, 0]
            kl_unl = math.log(self.n_classes) - torch.logsumexp(-kls, dim=1)
            kl = torch.where(labelled, kl_lab, kl_unl)
        return rec + self.beta * kl, {"reconstruction": rec, "kl": kl}

    def forward(self, y_pred, y_true):
        loss, terms = self.terms(y_pred, y_true)
        self.last_terms = {k: (float(v.detach().sum()), v.shape[0]) for k, v in terms.items()}
        return loss.mean() if self.reduction == "mean" else loss


class _TermsHistory(Callback):
    """Write the epoch means of the loss terms to the history (``train_<term>``,
    ``valid_<term>``), next to skorch's ``train_loss``/``valid_loss``."""

    def on_epoch_begin(self, net, **kwargs):
        self.sums_ = {}

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        terms = net.criterion_.last_terms
        if not terms:
            return
        prefix = "train" if training else "valid"
        for name, (total, count) in terms.items():
            s, c = self.sums_.get((prefix, name), (0.0, 0))
            self.sums_[(prefix, name)] = (s + total, c + count)

    def on_epoch_end(self, net, **kwargs):
        for (prefix, name), (total, count) in sorted(self.sums_.items()):
            net.history.record(f"{prefix}_{name}", total / max(count, 1))


class _CentroidUpdate(Callback):
    """Note 001 §11.4: after each epoch, recompute the class centroids of the labelled
    training samples' latent means, centre them about the origin and let them drift
    apart: every pair closer than ``separation`` moves apart by a quarter of the
    shortfall each, ``c_k += Σ_{j≠k} max(0, s − ||c_k − c_j||) / 4 · u_kj`` with ``u_kj``
    the unit vector from ``c_j`` to ``c_k``.  The criterion's ``centroids`` (zero before
    the first update: the first epoch is a plain VAE) are the prior means of eq. 11.4
    for the next epoch."""

    def __init__(self, separation):
        self.separation = separation

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        code = X.y.long()  # the dataset's label codes (n_classes: unlabelled)
        keep = code < net.criterion_.n_classes
        if sp.issparse(X.X):  # kept sparse: densified chunk by chunk below
            self.X_ = X.X[keep.cpu().numpy()]
        else:
            self.X_ = X.X[keep]
        self.code_ = code[keep]

    def _latent_means(self, module, like):
        """``mu`` of the labelled rows, in chunks (sparse rows densified per chunk)."""
        if self.X_.shape[0] == 0:
            return like.new_zeros((0, like.shape[1]))
        if not sp.issparse(self.X_):
            return torch.cat([module.encode(xb)[0] for xb in self.X_.split(_PREDICT_CHUNK)])
        return torch.cat(
            [
                module.encode(torch.from_numpy(chunk).to(like.device))[0]
                for chunk in _dense_chunks(self.X_)
            ]
        )

    @torch.no_grad()
    def on_epoch_end(self, net, **kwargs):
        crit = net.criterion_
        k = crit.n_classes
        module = net.module_
        was_training = module.training
        module.eval()
        try:
            mu = self._latent_means(module, crit.centroids)
        finally:
            module.train(was_training)
        sums = torch.zeros_like(crit.centroids).index_add_(0, self.code_, mu)
        counts = torch.bincount(self.code_, minlength=k).to(mu.dtype)[:, None]
        cent = torch.where(counts > 0, sums / counts.clamp(min=1), crit.centroids)
        cent = cent - cent.mean(dim=0, keepdim=True)
        if k > 1 and self.separation > 0:
            diff = cent[:, None, :] - cent[None, :, :]
            dist = (diff**2).sum(dim=2, keepdim=True).sqrt()
            unit = diff / dist.clamp(min=1e-6)
            push = (self.separation - dist).clamp(min=0) / 4
            cent = cent + (unit * push).sum(dim=1)
        crit.centroids.copy_(cent)


def _input_target(X, y):
    """The autoencoders' target: the batch's inputs."""
    return X


def _labelled_input_target(X, y):
    """The semi-supervised target: the batch's inputs and, last, the label code."""
    return torch.cat([X, y.to(X.dtype)[:, None]], dim=1)


# --------------------------------------------------------------------------- #
# the shared sklearn base                                                      #
# --------------------------------------------------------------------------- #
class _BaseAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNeuralNetwork):
    """Shared code of the autoencoders (not for direct use)."""

    _kind = "ae"
    _parameter_constraints = {
        **BaseNeuralNetwork._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left")],
    }

    # ------------------------------------------------------ base overrides -- #
    def _check_y_present(self, y):
        pass  # unsupervised: y is ignored

    # X may be scipy sparse (CSR/CSC): kept sparse, each batch densified on the fly
    _accepts_sparse = True

    def _prepare_y(self, y, reset, classes=None):
        # the target is X itself (see _batch_target); y only fixes the row count
        return np.zeros(_num_samples(y), dtype=self.dtype), self.n_features_in_

    def _batch_target(self):
        # each batch's target is built from the batch's X, which a dataset of sparse X
        # cannot hold densified
        return _input_target

    def _build_module(self, n_features, n_outputs, **module_kwargs):
        kwargs = {
            "hidden_layer_sizes": self._hidden(),
            "activation": self.activation,
            "dropout": self.dropout,
            "batch_norm": self.batch_norm,
            "variational": self._kind != "ae",
        }
        kwargs.update(module_kwargs)
        return AutoencoderModule(n_features, self.n_components, **kwargs)

    def _criterion(self):
        return _AutoencoderLoss

    def _criterion_kwargs(self):
        return {"kind": self._kind, "n_components": self.n_components}

    def _make_callbacks(self):
        # ours first: early stopping interrupts the epoch-end notifications
        return [("loss_terms", _TermsHistory())] + super()._make_callbacks()

    def _make_net(self, module, device, routed):
        routed = {
            **{f"criterion__{k}": v for k, v in self._criterion_kwargs().items()},
            **routed,
        }
        return super()._make_net(module, device, routed)

    def _check_likelihood_range(self, X):
        if getattr(self, "likelihood", "gaussian") == "bernoulli" and X.size:
            if X.min() < 0 or X.max() > 1:
                raise ValueError(
                    "likelihood='bernoulli' needs X in [0, 1] (e.g. pixel intensities "
                    f"divided by their maximum); got values in [{X.min()}, {X.max()}]."
                )

    def _prepare_X(self, X, reset):
        X = super()._prepare_X(X, reset)
        self._check_likelihood_range(X)
        return X

    def _out_activation(self):
        bern = getattr(self, "likelihood", "gaussian") == "bernoulli"
        return "logistic" if bern else "identity"

    def _fit_autoencoder(self, X, y, sample_weight):
        # unsupervised models pass X as ``y`` (only its row count is used)
        self._fit(X, y, sample_weight)
        self._n_features_out = self.n_components
        return self

    # ----------------------------------------------------------- inference -- #
    def _latent_mean(self, X):
        return self._infer(X, lambda m, xb: m.encode(xb)[0], width=self.n_components)

    def _decode_mean(self, Z):
        bern = getattr(self, "likelihood", "gaussian") == "bernoulli"
        return self._infer(
            Z,
            lambda m, zb: torch.sigmoid(m.decode(zb)) if bern else m.decode(zb),
            width=self.n_features_in_,
        )

    def transform(self, X):
        """Encode ``X``: the code (``Autoencoder``) or the latent means (VAEs).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Float64 codes.
        """
        check_is_fitted(self, "net_")
        return self._latent_mean(self._prepare_X(X, reset=False))

    def inverse_transform(self, X):
        """Decode codes back to the input space (the decoder's mean).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_components)
            Codes, e.g. from ``transform``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_in_)
            Reconstructions (probabilities for ``likelihood='bernoulli'``).
        """
        check_is_fitted(self, "net_")
        Z = check_array(X, dtype=np.float64, order="C", accept_sparse=["csr"])
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"X has {Z.shape[1]} features, but inverse_transform expects "
                f"n_components={self.n_components} features."
            )
        return self._decode_mean(Z)

    def _elbo_per_sample(self, X):
        """Monte-Carlo ELBO ``E_q[log p(x|z)] − KL(q(z|x) || N(0, I))`` of every row."""
        gen = torch.Generator().manual_seed(_SCORE_SEED)
        eps = torch.randn(
            (_SCORE_DRAWS, X.shape[0], self.n_components), generator=gen, dtype=torch.float64
        ).numpy()
        lik = self.likelihood
        offset = 0

        def elbo(module, xb):
            nonlocal offset
            e = torch.from_numpy(eps[:, offset : offset + len(xb)])
            offset += len(xb)
            mu, logvar = module.encode(xb)
            e = e.to(mu)
            std = torch.exp(0.5 * logvar)
            rec = torch.stack(
                [_reconstruction_nll(module.decode(mu + std * e_s), xb, lik) for e_s in e]
            ).mean(dim=0)
            kl = _kl_to_unit_gaussians(mu, logvar, torch.zeros_like(mu[:1]))[:, 0]
            return -(rec + kl)

        return self._infer(X, elbo)

    def _sample_from(self, centers, random_state):
        rng = check_random_state(random_state)
        Z = centers + rng.standard_normal((len(centers), self.n_components))
        return self._decode_mean(Z)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]  # codes are float64
        return tags


# --------------------------------------------------------------------------- #
# Autoencoder                                                                  #
# --------------------------------------------------------------------------- #
class Autoencoder(_BaseAutoencoder):
    __doc__ = f"""Undercomplete (or sparse) autoencoder, trained with torch through skorch.

    An encoder MLP maps ``x`` to a code ``h = f(x)`` of ``n_components`` units and a
    mirrored decoder MLP maps it back, ``r = g(h)``; both are trained to minimise the
    mean squared reconstruction error plus an L1 sparsity penalty on the code.

    Parameters
    ----------{_N_COMPONENTS_DOC}{_HIDDEN_DOC}    sparsity : float, default=0.0
        Weight ``λ`` of the sparsity penalty ``Ω(h) = λ ||h||_1`` on the code
        (note 000 §3.2); 0 gives the plain undercomplete autoencoder.
{_REST_DOC}
    Attributes
    ----------{_ATTRS_DOC}
    See Also
    --------
    VAE : The variational autoencoder.
    sklearn.decomposition.PCA : What a linear autoencoder learns (up to a basis).

    Notes
    -----
    The per-sample loss is ``(1/d) ||x − g(f(x))||² + λ ||f(x)||_1`` (note 000 §3,
    note 001 eq. 11.1 with the squared error), averaged over minibatches.  The code
    layer and the output layer are linear; with ``activation='identity'`` the whole
    network is linear and, trained with the squared error, its decoder spans the
    subspace of PCA's leading ``n_components`` components (note 000 §3.1; tested).
    ``history_`` records ``train_reconstruction`` and ``train_sparsity_penalty`` per
    epoch beside ``train_loss``.  ``y`` is ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import Autoencoder
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)) @ rng.normal(size=(2, 6))
    >>> ae = Autoencoder(n_components=2, hidden_layer_sizes=(), activation="identity",
    ...                  learning_rate_init=0.01, max_iter=200, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (200, 2)
    >>> ae.inverse_transform(ae.transform(X)).shape
    (200, 6)
    """

    _kind = "ae"
    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        "sparsity": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=2,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        sparsity=0.0,
        dropout=0.0,
        batch_norm=False,
        init="kaiming",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callbacks=None,
        dtype=np.float32,
        device="cpu",
        **kwargs,
    ):
        self.n_components = n_components
        self.sparsity = sparsity
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            init=init,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callbacks=callbacks,
            dtype=dtype,
            device=device,
            **kwargs,
        )

    def _criterion_kwargs(self):
        return {**super()._criterion_kwargs(), "sparsity": self.sparsity}

    def fit(self, X, y=None, sample_weight=None):
        """Fit the autoencoder on ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_autoencoder(X, X, sample_weight)

    def score(self, X, y=None):
        """Negative mean squared reconstruction error (higher is better).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``−mean((X − inverse_transform(transform(X)))²)`` over samples and features.
        """
        check_is_fitted(self, "net_")
        X = self._prepare_X(X, reset=False)
        # per row, chunk by chunk (a sparse X is densified one chunk at a time)
        err = self._infer(X, lambda m, xb: ((xb - m(xb)[0]) ** 2).mean(dim=1))
        return -float(np.mean(err))


# --------------------------------------------------------------------------- #
# VAE                                                                          #
# --------------------------------------------------------------------------- #
_VAE_DOC = """    likelihood : {"gaussian", "bernoulli"}, default="gaussian"
        The decoder's law ``p(x | z)``: ``N(x | g(z), I)`` (standardise ``X`` first,
        e.g. with ``StandardScaler``), or independent Bernoulli laws of means
        ``sigmoid(g(z))`` for ``X`` in ``[0, 1]`` (note 000 §3.4.2).
    beta : float, default=1.0
        Weight of the KL term in the training loss (``beta=1`` gives the negative
        ELBO; a larger ``beta`` pulls the codes harder toward the prior)."""


class VAE(_BaseAutoencoder):
    __doc__ = f"""Variational autoencoder, trained with torch through skorch.

    The encoder gives the mean ``μ`` and a diagonal covariance ``Σ`` of
    ``q(z | x) = N(μ, Σ)``; the decoder gives the law ``p(x | z)``.  Training
    maximises the evidence lower bound with the reparameterisation
    ``z = μ + Σ^{{1/2}} ε``, ``ε ~ N(0, I)``.

    Parameters
    ----------{_N_COMPONENTS_DOC}{_HIDDEN_DOC}{_VAE_DOC}
{_REST_DOC}
    Attributes
    ----------{_ATTRS_DOC}
    See Also
    --------
    Autoencoder : The deterministic autoencoder.
    SemiSupervisedVAE : Class centroids in latent space from partial labels.
    skdl.metrics.multivariate_normal_kl_divergence : The KL term in closed form.

    Notes
    -----
    The per-sample training loss is ``−log p(x | z) + β KL(N(μ, Σ) ‖ N(0, I))`` with
    one draw of ``z`` (note 000 §3.5, note 001 §11.3); the KL term is note 001
    eq. 11.2 with ``q = N(0, I)``, i.e. ``½ Σ_j (Σ_jj + μ_j² − 1 − log Σ_jj)``
    (eq. 11.3 in two dimensions).  With the Gaussian likelihood ``−log p(x | z) =
    ½ ||x − g(z)||² + (d/2) log 2π``.  ``history_`` records ``train_reconstruction``
    and ``train_kl`` (epoch means per sample) beside ``train_loss``; ``score`` is the
    mean ELBO per sample, in nats, estimated with 16 draws of ``z`` per sample from a
    fixed seed (so it is deterministic).  ``y`` is ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.neural_network import VAE
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)) @ rng.normal(size=(2, 6))
    >>> vae = VAE(n_components=2, hidden_layer_sizes=(32,), learning_rate_init=0.01,
    ...           max_iter=50, random_state=0).fit(X)
    >>> vae.transform(X).shape, vae.sample(5, random_state=0).shape
    ((200, 2), (5, 6))
    """

    _kind = "vae"
    _parameter_constraints = {
        **_BaseAutoencoder._parameter_constraints,
        "likelihood": [StrOptions({"gaussian", "bernoulli"})],
        "beta": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_components=2,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        likelihood="gaussian",
        beta=1.0,
        dropout=0.0,
        batch_norm=False,
        init="kaiming",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callbacks=None,
        dtype=np.float32,
        device="cpu",
        **kwargs,
    ):
        self.n_components = n_components
        self.likelihood = likelihood
        self.beta = beta
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            init=init,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callbacks=callbacks,
            dtype=dtype,
            device=device,
            **kwargs,
        )

    def _criterion_kwargs(self):
        return {**super()._criterion_kwargs(), "likelihood": self.likelihood, "beta": self.beta}

    def fit(self, X, y=None, sample_weight=None):
        """Fit the VAE on ``X``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (in ``[0, 1]`` for ``likelihood='bernoulli'``).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit_autoencoder(X, X, sample_weight)

    def score(self, X, y=None):
        """Mean evidence lower bound per sample (higher is better).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``mean_i (E_q[log p(x_i | z)] − KL(q(z | x_i) ‖ N(0, I)))`` in nats
            (a lower bound of the mean log-likelihood).
        """
        check_is_fitted(self, "net_")
        X = self._prepare_X(X, reset=False)
        return float(np.mean(self._elbo_per_sample(X)))

    def sample(self, n_samples=1, random_state=None):
        """Generate new samples: decode ``z ~ N(0, I)``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws of ``z``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            The decoder's means ``E[x | z]`` (probabilities for Bernoulli).
        """
        check_is_fitted(self, "net_")
        n_samples = _check_n_samples(n_samples)
        centers = np.zeros((n_samples, self.n_components))
        return self._sample_from(centers, random_state)


def _same_label(value, marker):
    """``value == marker`` for a label of an object array, without mixing types."""
    if isinstance(marker, str):
        return isinstance(value, str) and value == marker
    return isinstance(value, Integral) and not isinstance(value, bool) and value == marker


def _check_n_samples(n_samples):
    if not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
    return int(n_samples)


# --------------------------------------------------------------------------- #
# SemiSupervisedVAE                                                            #
# --------------------------------------------------------------------------- #
_SSVAE_DOC = """    separation : float, default=4.0
        The drift term of note 001 §11.4: after each epoch, every pair of centroids
        closer than ``separation`` (in prior standard deviations) is moved apart by
        half the shortfall, so that the class priors ``N(c_k, I)`` barely overlap;
        0 disables the drift.
    unlabeled_value : int, str or None, default=-1
        The label of the unlabelled rows (``-1`` is sklearn.semi_supervised's
        convention); ``None`` when every row is labelled (then ``-1`` may be a class).
    labeled_weight : float or "balanced", default="balanced"
        Weight of each labelled row in the loss, relative to an unlabelled one
        (multiplying ``sample_weight``).  "balanced" gives the labelled rows together
        as much weight as the unlabelled ones, ``max(1, n_unlabelled / n_labelled)``, so
        that a few labels still shape the latent space (the weight of the supervised
        term of Kingma et al., 2014, in another guise)."""


class SemiSupervisedVAE(ClassifierMixin, _BaseAutoencoder):
    __doc__ = f"""Semi-supervised variational autoencoder: class centroids in latent space.

    A VAE whose prior for a labelled sample is ``N(c_y, I)``, centred on the current
    latent centroid of its class, so that the classes gather around separate
    centroids; unlabelled rows (``y == unlabeled_value``) are pulled toward the
    mixture of the class priors.  It classifies by the nearest centroid in latent
    space and samples new data of a chosen class.

    Parameters
    ----------{_N_COMPONENTS_DOC}{_HIDDEN_DOC}{_VAE_DOC}
{_SSVAE_DOC}
{_REST_DOC}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (without the unlabelled marker).
    centroids_ : ndarray of shape (n_classes, n_components)
        Latent means of the labelled training samples of each class (used by
        ``predict`` and ``sample``).{_ATTRS_DOC}
    See Also
    --------
    VAE : The unsupervised model.
    sklearn.semi_supervised.SelfTrainingClassifier : Another semi-supervised scheme.

    Notes
    -----
    Note 001 §11.4, eq. 11.4: the KL term of a labelled sample is
    ``KL(N(μ, Σ) ‖ N(c_y, I)) = ½ Σ_j (Σ_jj + (μ_j − c_yj)² − 1 − log Σ_jj)``.  The
    centroids start at the origin (so the first epoch trains a plain VAE) and after
    each epoch they are recomputed as the class means of the labelled samples' ``μ``,
    centred about the origin, and moved apart by the drift term.  An unlabelled
    sample's prior is the mixture ``(1/K) Σ_k N(c_k, I)``; its KL term is
    approximated by ``−log (1/K) Σ_k exp(−KL_k)`` (Hershey & Olsen, 2007), which pulls
    it toward the centroids it is close to.  ``predict_proba`` is the posterior of the
    latent class model with equal priors, ``softmax_k(−½ ||μ − c_k||²)``, with the
    ``centroids_`` of the training data; ``predict`` is its argmax, the nearest
    centroid.

    On ``load_digits`` scaled to ``[0, 1]`` (``X / 16``), 75/25 stratified split, with
    10 % of each class's training labels kept (136 of 1347), ``SemiSupervisedVAE(
    n_components=2, hidden_layer_sizes=(256, 128), likelihood="bernoulli", beta=10.0,
    learning_rate_init=0.002, max_iter=100, alpha=0, batch_size=64,
    n_iter_no_change=np.inf)`` reaches 0.871 ± 0.021 test accuracy, and
    ``n_components=8`` 0.922 ± 0.016 (mean ± sd over ``random_state`` 0-7 with the split
    and the kept labels of seed 0, the same under torch's AVX-512, AVX2 and generic
    kernels to 0.003: ``benchmarks/bench_quality.py``); a fully labelled 2-D fit reaches
    about 0.96.  Tested (the median of three seeds at least 0.80 and 0.87); drawn in
    examples/plot_latent_spaces.py.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from skdl.neural_network import SemiSupervisedVAE
    >>> X, y = make_blobs(300, n_features=6, centers=3, random_state=0)
    >>> y_partial = np.where(np.arange(300) % 10 == 0, y, -1)  # 10 % labelled
    >>> ssvae = SemiSupervisedVAE(n_components=2, hidden_layer_sizes=(32,),
    ...                           learning_rate_init=0.01, max_iter=40, random_state=0)
    >>> ssvae.fit(X, y_partial).classes_
    array([0, 1, 2])
    >>> ssvae.predict_proba(X[:2]).shape
    (2, 3)
    >>> ssvae.sample(4, y=1, random_state=0)[0].shape
    (4, 6)
    """

    _kind = "ssvae"
    _parameter_constraints = {
        **VAE._parameter_constraints,
        "separation": [Interval(Real, 0, None, closed="left")],
        "unlabeled_value": [Integral, str, None],
        "labeled_weight": [Interval(Real, 0, None, closed="neither"), StrOptions({"balanced"})],
    }

    def __init__(
        self,
        n_components=2,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        likelihood="gaussian",
        beta=1.0,
        separation=4.0,
        unlabeled_value=-1,
        labeled_weight="balanced",
        dropout=0.0,
        batch_norm=False,
        init="kaiming",
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        callbacks=None,
        dtype=np.float32,
        device="cpu",
        **kwargs,
    ):
        self.n_components = n_components
        self.likelihood = likelihood
        self.beta = beta
        self.separation = separation
        self.unlabeled_value = unlabeled_value
        self.labeled_weight = labeled_weight
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            batch_norm=batch_norm,
            init=init,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            callbacks=callbacks,
            dtype=dtype,
            device=device,
            **kwargs,
        )

    # ------------------------------------------------------ base overrides -- #
    def _check_y_present(self, y):
        BaseNeuralNetwork._check_y_present(self, y)

    def _unlabeled_mask(self, y):
        marker = self.unlabeled_value
        if marker is None:
            return np.zeros(len(y), dtype=bool)
        if y.dtype.kind in "iuf":
            return (y == marker) if isinstance(marker, Integral) else np.zeros(len(y), bool)
        if y.dtype.kind == "O":
            return np.fromiter((_same_label(v, marker) for v in y), dtype=bool, count=len(y))
        # fixed-width strings
        return (y == marker) if isinstance(marker, str) else np.zeros(len(y), bool)

    def _prepare_y(self, y, reset, classes=None):
        y = _check_y(y, estimator=self)
        unlabeled = self._unlabeled_mask(y)
        labelled = y[~unlabeled]
        if labelled.size == 0:
            raise ValueError(
                "SemiSupervisedVAE needs at least one labelled sample; every label equals "
                f"unlabeled_value={self.unlabeled_value!r}."
            )
        check_classification_targets(labelled)
        if reset:
            self.classes_ = np.unique(labelled)
        codes = np.full(len(y), len(self.classes_), dtype=np.int64)
        codes[~unlabeled] = np.searchsorted(self.classes_, labelled)
        return codes, len(self.classes_)

    def _weigh_labels(self, y, sample_weight):
        """``sample_weight`` times the weight of the labelled rows (None if all one)."""
        unlabeled = self._unlabeled_mask(y)
        n_unl = int(unlabeled.sum())
        n_lab = len(y) - n_unl
        if self.labeled_weight == "balanced":
            factor = max(1.0, n_unl / n_lab) if n_lab else 1.0
        else:
            factor = float(self.labeled_weight)
        if factor == 1.0 or n_unl == 0:
            return sample_weight
        w = np.where(unlabeled, 1.0, factor)
        if sample_weight is not None:
            w = w * _check_sample_weight(sample_weight, y, ensure_non_negative=True)
        return w

    def _class_codes(self, y):
        return y  # stratify the validation split by class (unlabelled: one more group)

    def _batch_target(self):
        return _labelled_input_target

    def _criterion_kwargs(self):
        return {
            **super()._criterion_kwargs(),
            "likelihood": self.likelihood,
            "beta": self.beta,
            "n_classes": len(self.classes_),
        }

    def _make_callbacks(self):
        return [("centroids", _CentroidUpdate(self.separation))] + super()._make_callbacks()

    # ------------------------------------------------------------- fitting -- #
    def fit(self, X, y, sample_weight=None):
        """Fit the model on ``X`` with partial labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (in ``[0, 1]`` for ``likelihood='bernoulli'``).
        y : array-like of shape (n_samples,)
            Class labels, ``unlabeled_value`` (-1) for the unlabelled rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        if y is not None:
            sample_weight = self._weigh_labels(_check_y(y, estimator=self), sample_weight)
        self._fit_autoencoder(X, y, sample_weight)
        Xv = self._prepare_X(X, reset=False)
        y = _check_y(y, estimator=self)
        keep = np.flatnonzero(~self._unlabeled_mask(y))
        Z = self._latent_mean(Xv[keep])
        codes = np.searchsorted(self.classes_, y[keep])
        counts = np.bincount(codes, minlength=len(self.classes_))[:, None]
        sums = np.zeros((len(self.classes_), self.n_components))
        np.add.at(sums, codes, Z)
        self.centroids_ = sums / counts
        return self

    # ----------------------------------------------------------- inference -- #
    def _log_proba(self, X):
        check_is_fitted(self, "net_")
        Z = self._latent_mean(self._prepare_X(X, reset=False))  # not set_output-wrapped
        d2 = ((Z[:, None, :] - self.centroids_[None, :, :]) ** 2).sum(axis=2)
        return log_softmax(-0.5 * d2, axis=1)

    def predict_proba(self, X):
        """Class probabilities from the latent distances to the centroids.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            ``softmax_k(−½ ||μ(x) − c_k||²)``; columns follow ``classes_``.
        """
        return np.exp(self._log_proba(X))

    def predict_log_proba(self, X):
        """Logarithm of ``predict_proba``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities; columns follow ``classes_``.
        """
        return self._log_proba(X)

    def predict(self, X):
        """The class of the nearest centroid in latent space.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels.
        """
        log_proba = self._log_proba(X)
        return self.classes_[np.argmax(log_proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on the labelled rows (``y != unlabeled_value``).

        Unlabelled rows have no true class, so they are left out rather than counted
        as errors: the default scoring of :class:`~sklearn.model_selection.GridSearchCV`
        on semi-supervised folds then measures what it should.  (A string scorer such
        as ``scoring="accuracy"`` compares every row; use the default there.)

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,)
            True labels, ``unlabeled_value`` for rows without one.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy of ``predict(X)`` on the labelled rows.
        """
        y = _check_y(y, estimator=self)
        labelled = ~self._unlabeled_mask(y)
        if not labelled.any():
            raise ValueError(
                "score needs at least one labelled row; every label equals "
                f"unlabeled_value={self.unlabeled_value!r}."
            )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, y)[labelled]
        X = _safe_indexing(X, np.flatnonzero(labelled))
        return accuracy_score(y[labelled], self.predict(X), sample_weight=sample_weight)

    def sample(self, n_samples=1, y=None, random_state=None):
        """Generate samples of chosen classes: decode ``z ~ N(c_y, I)``.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples.
        y : label, array-like of shape (n_samples,) or None, default=None
            The class of every sample (one label for all, or one per sample); ``None``
            draws the classes uniformly.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features_in_)
            The decoder's means (probabilities for Bernoulli).
        y : ndarray of shape (n_samples,)
            The class of each sample.
        """
        check_is_fitted(self, "net_")
        n_samples = _check_n_samples(n_samples)
        rng = check_random_state(random_state)
        if y is None:
            labels = self.classes_[rng.randint(len(self.classes_), size=n_samples)]
        else:
            labels = np.asarray(y, dtype=self.classes_.dtype)
            labels = np.broadcast_to(labels, (n_samples,)) if labels.ndim == 0 else labels
            if labels.shape != (n_samples,):
                raise ValueError(
                    f"y must be one label or {n_samples} labels; got shape {labels.shape}."
                )
            unknown = ~np.isin(labels, self.classes_)
            if np.any(unknown):
                raise ValueError(
                    f"y contains labels not among the classes {self.classes_.tolist()}: "
                    f"{np.unique(labels[unknown]).tolist()}."
                )
        centers = self.centroids_[np.searchsorted(self.classes_, labels)]
        return self._sample_from(centers, rng), np.array(labels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags
