"""Training callbacks of the skdl networks (skorch Callbacks)."""

import scipy.sparse as sp
import torch
from skorch.callbacks import Callback


# --------------------------------------------------------------------------- #
# autoencoders                                                                 #
# --------------------------------------------------------------------------- #
class _TermsHistory(Callback):
    """Write the epoch means of the loss terms to the history (``train_<term>``,
    ``valid_<term>``), next to skorch's ``train_loss``/``valid_loss``.

    The terms are the criterion's ``last_terms`` after each batch (the autoencoders'
    losses keep them: ``_modules._TermsLoss``)."""

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
    for the next epoch.

    The latent means are computed ``chunk_size`` rows at a time (the estimator's
    inference chunk), a sparse ``X`` densified one chunk at a time."""

    def __init__(self, separation, chunk_size):
        self.separation = separation
        self.chunk_size = chunk_size

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
        X, size = self.X_, self.chunk_size
        if X.shape[0] == 0:
            return like.new_zeros((0, like.shape[1]))
        chunks = (X[start : start + size] for start in range(0, X.shape[0], size))
        if sp.issparse(X):
            chunks = (torch.from_numpy(c.toarray()).to(like.device) for c in chunks)
        return torch.cat([module.encode(xb)[0] for xb in chunks])

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
