"""skorch callbacks of the network estimators: sklearn MLP's stopping rules, the
divergence check, learning-rate schedules and the epoch table.

Each is a plain skorch ``Callback``; ``_NetworkBase._make_callbacks`` and ``_make_net``
put them in order (``divergence``, ``lr_scheduler``, the user's, then ``convergence``
last).
The autoencoders add ``_TermsHistory`` (the loss terms per epoch) and, for the
semi-supervised VAE, ``_CentroidUpdate``.
"""

import math
import sys

import numpy as np
import scipy.sparse as sp
import torch
from skorch.callbacks import Callback, LRScheduler, PrintLog
from skorch.utils import Ansi

from ..exceptions import DivergenceError

# sklearn's L-BFGS-B stops when the relative decrease of the loss is below
# factr * machine epsilon (scipy's default ftol)
_LBFGS_FTOL = 1e7 * np.finfo(float).eps


class _PrintLog(PrintLog):
    """skorch's epoch table, coloured (the best values) only on a terminal: a log file
    or a pipe gets no ANSI escape codes."""

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not _is_terminal(self.sink):
            text = text.replace(color, "").replace(Ansi.ENDC.value, "")
        return text


def _is_terminal(sink):
    """Whether the table's sink writes to a terminal (print: standard output)."""
    stream = sys.stdout if sink is print else getattr(sink, "__self__", None)
    return bool(getattr(stream, "isatty", lambda: False)())


class _StopTraining(KeyboardInterrupt):
    """skdl's end of training (convergence, early stopping), which skorch's
    ``partial_fit`` catches as it catches its own callbacks' KeyboardInterrupt."""


class _DivergenceCheck(Callback):
    """Stop with a clear error when the training loss stops being finite, unless early
    stopping has the weights of a best validation epoch to go back to: then the
    ``convergence`` callback stops the training there and restores them (as sklearn's
    MLP, which records a NaN validation score and keeps its best weights; it never
    leaves NaN weights)."""

    def __init__(self, learning_rate_init):
        self.learning_rate_init = learning_rate_init

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        if not math.isfinite(loss):
            conv = dict(net.callbacks_).get("convergence")
            if conv is not None and conv.keeps_best_weights():
                return
            raise DivergenceError(
                f"Training diverged: the training loss became {loss} at epoch "
                f"{len(net.history)}. The learning rate is probably too large: lower "
                f"learning_rate_init (currently {self.learning_rate_init!r}), or standardise "
                "the inputs/targets."
            )


class _LRScheduler(LRScheduler):
    """skorch ``LRScheduler``; ReduceLROnPlateau watches the validation loss when there
    is one and the training loss otherwise (never a KeyError)."""

    def on_epoch_end(self, net, **kwargs):
        if self.policy == "ReduceLROnPlateau":
            self.monitor = "valid_loss" if "valid_loss" in net.history[-1] else "train_loss"
        return super().on_epoch_end(net, **kwargs)


class _Convergence(Callback):
    """sklearn MLP's end-of-epoch rules, as a skorch callback (always the last one).

    Stochastic solvers (sklearn's ``_fit_stochastic``): each epoch, the training loss
    (or, with a validation set, the validation score: accuracy or R², or minus the
    validation loss where the estimator has no such score) is compared with the best
    so far; after more than ``n_iter_no_change`` consecutive epochs without an
    improvement by ``tol``, training stops, or, for ``solver='sgd'`` with
    ``learning_rate='adaptive'``, the step is divided by 5 (training stops once it is
    below 1e-6).  ``learning_rate='invscaling'`` (sgd) sets the step to
    ``learning_rate_init / (t + 1) ** power_t`` after each epoch, t counting the
    samples seen.  With a validation set the best weights are restored at the end.

    ``lbfgs``: one L-BFGS iteration per epoch; stops (converged) when torch's LBFGS
    finds the gradient's largest entry within ``tol`` or the loss's relative decrease
    within scipy's ftol, and (not converged) after ``max_fun`` loss evaluations.

    The state (best loss or score, the count, samples seen ``t_``) lives as long as
    the net: through ``partial_fit`` calls and warm-started fits, as in sklearn.
    """

    def __init__(self, **config):
        self.config = config

    def initialize(self):
        self.t_ = 0
        self.best_loss_ = np.inf
        self.best_validation_score_ = -np.inf
        self.validation_scores_ = []
        self.no_improvement_count_ = 0
        self.best_state_ = None
        self.lr_ = None
        self.stop_reason_ = None
        self._acc = None
        self._nonfinite = False
        self._prev_loss = None
        self._lbfgs_iter = None
        return self

    def get_params(self, deep=True):
        return {"config": self.config}

    # -------------------------------------------------------------- hooks -- #
    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.n_train_ = len(X)
        self.stop_reason_ = None
        self.epochs_ = 0
        # the estimator sets a validation split (train_split) only for early stopping
        self.validating_ = net.train_split is not None and self.config["early_stopping"]
        if self.lr_ is None or self.config["fresh_optimizer"]:
            self.lr_ = self.config["learning_rate_init"]

    def on_epoch_begin(self, net, **kwargs):
        self._acc = None
        self._nonfinite = False

    def keeps_best_weights(self):
        """Whether the weights of a best validation epoch are kept to be restored."""
        return bool(getattr(self, "validating_", False)) and self.best_state_ is not None

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if training or not self.validating_ or self.config["score"] is None:
            return
        _, yb = batch
        wb = None
        if isinstance(yb, tuple | list):
            yb, wb = yb
        with torch.no_grad():
            self._accumulate(y_pred.detach(), yb, wb)

    def _accumulate(self, z, y, w):
        z = z.to(torch.float64)
        if not bool(torch.isfinite(z).all()):  # sklearn: the score of such outputs is NaN
            self._nonfinite = True
        if self.config["score"] == "r2_exp":  # log-link (poisson) outputs
            z = z.exp()
        if self.config["score"] == "accuracy":
            if y.dtype != torch.int64:  # one logit (binary), or multilabel indicators
                hit = ((z > 0).to(torch.float64) == y.to(torch.float64)).all(dim=-1)
            else:
                hit = z.argmax(dim=-1) == y
            hit = hit.to(torch.float64)
            w = torch.ones_like(hit) if w is None else w.to(torch.float64)
            acc = torch.stack([(w * hit).sum(), w.sum()])
        else:  # r2: per output, weighted sums of y, y² and squared residuals
            k = z.shape[-1]
            y = y.to(torch.float64).reshape(-1, k)
            steps = y.shape[0] // max(len(z), 1)
            z = z.reshape(-1, k)
            w = torch.ones(len(y), dtype=torch.float64, device=y.device) if w is None else (
                w.to(torch.float64).repeat_interleave(steps)
            )
            w = w[:, None]
            acc = torch.stack(
                [
                    w.sum().expand(k),
                    (w * y).sum(0),
                    (w * y * y).sum(0),
                    (w * (y - z) ** 2).sum(0),
                ]
            )
        self._acc = acc if self._acc is None else self._acc + acc

    def _validation_score(self, net):
        if self.config["score"] is None:
            return -float(net.history[-1, "valid_loss"])
        if getattr(self, "_nonfinite", False):
            return float("nan")
        acc = self._acc.cpu().numpy()
        if self.config["score"] == "accuracy":
            return float(acc[0] / acc[1])
        sw, swy, swy2, sse = acc
        sst = swy2 - swy**2 / sw
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(sst > 0, 1.0 - sse / sst, np.where(sse == 0, 1.0, 0.0))
        return float(np.mean(r2))

    def on_epoch_end(self, net, **kwargs):
        cfg = self.config
        self.epochs_ += 1
        self.t_ += self.n_train_
        loss = float(net.history[-1, "train_loss"])
        if cfg["verbose"]:  # sklearn's line, under skorch's table row
            print(f"Iteration {len(net.history)}, loss = {loss:.8f}")
        if cfg["lbfgs"]:
            return self._lbfgs_epoch_end(net, loss)
        if self.validating_:
            score = self._validation_score(net)
            self.validation_scores_.append(score)
            net.history.record("validation_score", score)
            if cfg["verbose"]:
                print(f"Validation score: {score:f}")
            if not math.isfinite(loss) and self.best_state_ is not None:
                # diverged (see _DivergenceCheck): stop, the best weights are restored
                self.stop_reason_ = "diverged"
                raise _StopTraining
            if score < self.best_validation_score_ + cfg["tol"]:
                self.no_improvement_count_ += 1
            else:
                self.no_improvement_count_ = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self.best_state_ = {
                    k: v.detach().clone() for k, v in net.module_.state_dict().items()
                }
        else:
            if loss > self.best_loss_ - cfg["tol"]:
                self.no_improvement_count_ += 1
            else:
                self.no_improvement_count_ = 0
            self.best_loss_ = min(self.best_loss_, loss)
        if cfg["schedule"] == "invscaling":
            self._set_lr(net, cfg["learning_rate_init"] / (self.t_ + 1) ** cfg["power_t"])
        if self.no_improvement_count_ > cfg["n_iter_no_change"]:
            what = "Validation score" if self.validating_ else "Training loss"
            msg = (
                f"{what} did not improve more than tol={cfg['tol']:f} for "
                f"{cfg['n_iter_no_change']} consecutive epochs."
            )
            if cfg["schedule"] == "adaptive" and self.lr_ > 1e-6:
                self._set_lr(net, self.lr_ / 5.0)
                self.no_improvement_count_ = 0
                if cfg["verbose"]:
                    print(f"{msg} Setting learning rate to {self.lr_:f}")
                return
            if cfg["verbose"]:
                extra = " Learning rate too small." if cfg["schedule"] == "adaptive" else ""
                print(f"{msg}{extra} Stopping.")
            self.stop_reason_ = "converged"
            raise _StopTraining

    def _set_lr(self, net, lr):
        self.lr_ = lr
        for group in net.optimizer_.param_groups:
            group["lr"] = lr

    def _lbfgs_epoch_end(self, net, loss):
        cfg = self.config
        self.best_loss_ = min(self.best_loss_, loss)
        state = net.optimizer_.state[net.optimizer_.param_groups[0]["params"][0]]
        n_iter, evals = state.get("n_iter", 0), state.get("func_evals", 0)
        stalled = n_iter == self._lbfgs_iter
        self._lbfgs_iter = n_iter
        prev, self._prev_loss = self._prev_loss, loss
        small = prev is not None and (prev - loss) <= _LBFGS_FTOL * max(abs(prev), abs(loss), 1.0)
        if stalled or small:  # torch's gradient test, or scipy's relative-decrease test
            self.stop_reason_ = "converged"
            raise _StopTraining
        if evals >= cfg["max_fun"]:
            self.stop_reason_ = "max_fun"
            raise _StopTraining

    def on_train_end(self, net, **kwargs):
        if self.validating_ and self.best_state_ is not None:
            with torch.no_grad():
                net.module_.load_state_dict(self.best_state_)


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
