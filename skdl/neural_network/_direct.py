"""A training step without autograd's bookkeeping, for plain multilayer perceptrons.

On a small network the work of a training step is a handful of tiny kernels, and
what torch adds around them costs more than they do: building the autograd graph in
the forward pass, the autograd engine's walk in ``backward``, and the Python around
``Optimizer.step`` (its hook and profiler wrapper, ``_init_group``, the grouping of
the tensors by device and dtype) before the one fused Adam kernel.  Measured on a
``Linear(50, 100) -> ReLU -> Linear(100, 10)`` network, batches of 64, one thread:
forward + loss + ``backward`` 160-250 µs, the same kernels called directly 100-140 µs;
``Adam(fused=True).step()`` 49 µs, its kernel called directly 17 µs.

``MLPStep`` computes the loss and the gradients of an ``MLPModule`` (``Linear`` layers
with ``relu``, ``tanh``, ``logistic`` or ``identity`` between them; no dropout, no
batch norm) under a mean cross-entropy or squared-error loss by calling the very
kernels autograd would call, in the same order, with the same operands: the
gradients are bitwise those of ``loss.backward()`` (tested), and so are the weights
after training.  ``fused_adam_step`` calls the fused Adam/AdamW kernel with the
arguments ``Optimizer.step`` would give it (bitwise the same update).

Both decline (return ``None``/``False``) whenever anything could observe or change
what autograd or ``Optimizer.step`` do: module or tensor hooks, frozen parameters,
anomaly detection, other loss options, optimiser hooks or a wrapped ``step``,
uninitialised optimiser state, autocast, inference mode, a module edited since it was
planned; the caller then takes the ordinary path.  Two differences remain visible
and change no result: ``torch.autograd.graph.saved_tensors_hooks`` are not called
(no graph is built), and the loss and outputs a callback's ``on_batch_end`` receives
carry no ``grad_fn``.
"""

import torch
from torch import nn
from torch.nn.modules import module as _module_mod
from torch.optim import optimizer as _opt_mod

from ._modules import MLPModule

_aten = torch.ops.aten

# activation class -> its backward from the activation's output (None: identity)
_ACT_BACKWARD = {
    nn.ReLU: lambda grad, out: _aten.threshold_backward(grad, out, 0),
    nn.Tanh: _aten.tanh_backward,
    nn.Sigmoid: _aten.sigmoid_backward,
    nn.Identity: None,
}
# the activations' forward (as the modules compute it)
_ACT_FORWARD = {
    nn.ReLU: torch.relu,
    nn.Tanh: torch.tanh,
    nn.Sigmoid: torch.sigmoid,
    nn.Identity: None,
}

# nn.functional reduction codes
_MEAN = 1


def _global_hooks():
    """Whether any process-wide module hook is registered."""
    return bool(
        _module_mod._global_forward_hooks
        or _module_mod._global_forward_pre_hooks
        or _module_mod._global_backward_hooks
        or _module_mod._global_backward_pre_hooks
    )


class MLPStep:
    """Loss and gradients of an ``MLPModule`` on a batch, without autograd.

    Build with :meth:`plan`, which returns ``None`` for anything but a plain
    perceptron (exact ``MLPModule``, ``Linear`` and supported activation layers only)
    under an unweighted ``CrossEntropyLoss``, ``BCEWithLogitsLoss`` or ``MSELoss``.
    """

    def __init__(self, module, criterion, layers, kind):
        self.module = module
        self.criterion = criterion
        # [(linear, activation forward, activation backward)], the last with None
        self.layers = layers
        self.kind = kind
        self.submodules = [module, *(m for m in module.children())]
        # (weight, bias) of each layer, in order
        self.params = [p for lin, _, _ in layers for p in (lin.weight, lin.bias)]

    @classmethod
    def plan(cls, module, criterion):
        if type(module) is not MLPModule or type(module).forward is not nn.Sequential.forward:
            return None
        kind = _criterion_kind(criterion)
        if kind is None:
            return None
        children = list(module.children())
        layers = []
        i = 0
        while i < len(children):
            lin = children[i]
            if type(lin) is not nn.Linear or lin.bias is None:
                return None
            act = children[i + 1] if i + 1 < len(children) else None
            if act is None:
                layers.append((lin, None, None))
                i += 1
                continue
            if type(act) not in _ACT_FORWARD:
                return None
            layers.append((lin, _ACT_FORWARD[type(act)], _ACT_BACKWARD[type(act)]))
            i += 2
        if not layers or layers[-1][1] is not None:
            return None
        return cls(module, criterion, layers, kind)

    def usable(self, X, y):
        """Whether the direct step computes what autograd would, now (hooks and
        parameter flags can change between batches)."""
        # (under no_grad or inference mode, autograd's backward raises: so does the
        # ordinary path; autocast changes the kernels' dtypes; the bitwise equality is
        # tested on CPU)
        if (
            not torch.is_grad_enabled()
            or torch.is_inference_mode_enabled()
            or torch.is_anomaly_enabled()
            or _global_hooks()
            or not X.is_cpu
            or torch.is_autocast_enabled(X.device.type)
        ):
            return False
        # the module as planned: the same children (an activation swapped in place
        # would be missed) and the same parameter objects
        if list(self.module.children()) != self.submodules[1:]:
            return False
        if any(
            lin.weight is not w or lin.bias is not b
            for (lin, _, _), w, b in zip(self.layers, self.params[::2], self.params[1::2],
                                         strict=True)
        ):
            return False
        for m in self.submodules:
            if m._forward_hooks or m._forward_pre_hooks or m._backward_hooks or (
                m._backward_pre_hooks
            ):
                return False
        dtype = X.dtype
        for p in self.params:
            if not p.requires_grad or p.dtype != dtype or p._backward_hooks:
                return False
            if getattr(p, "_post_accumulate_grad_hooks", None):
                return False
        if _criterion_kind(self.criterion) != self.kind:
            return False
        if self.kind == "ce":
            return y.dtype == torch.int64 and y.ndim == 1
        out = self.layers[-1][0].out_features
        return y.dtype == dtype and y.ndim == 2 and y.shape[1] == out

    @torch.no_grad()
    def __call__(self, X, y):
        """Forward pass, mean loss and gradients (set as the parameters' ``.grad``);
        returns ``(loss, outputs)``, as ``loss.backward()`` would leave them."""
        layers = self.layers
        inputs = []
        h = X
        for lin, act, _ in layers:
            inputs.append(h)
            h = torch.nn.functional.linear(h, lin.weight, lin.bias)
            if act is not None:
                h = act(h)
        z = h
        if self.kind == "ce":
            logp = torch.log_softmax(z, 1)
            loss, total_weight = _aten.nll_loss_forward(logp, y, None, _MEAN, -100)
            grad = _aten.nll_loss_backward(
                torch.ones_like(loss), logp, y, None, _MEAN, -100, total_weight
            )
            grad = _aten._log_softmax_backward_data(grad, logp, 1, logp.dtype)
        elif self.kind == "bce":
            # autograd's binary_cross_entropy_with_logits_backward without weights:
            # (sigmoid(z) - y) * grad, divided by the element count for the mean
            loss = _aten.binary_cross_entropy_with_logits(z, y, None, None, _MEAN)
            grad = (z.sigmoid() - y) * torch.ones_like(loss)
            grad.div_(z.numel())
        else:  # "mse"
            loss = _aten.mse_loss(z, y, _MEAN)
            grad = _aten.mse_loss_backward(torch.ones_like(loss), z, y, _MEAN)
        # backward through the layers, last first; autograd's AddmmBackward0 for
        # ``addmm(bias, h, W.t())``: W's gradient as grad.t() @ h (W.t() being
        # column-major), h's as grad @ W, the bias's the sum over rows
        for k in range(len(layers) - 1, -1, -1):
            lin = layers[k][0]
            h = inputs[k]
            lin.weight.grad = grad.t().mm(h)
            lin.bias.grad = grad.sum(0)
            if k == 0:
                break
            # autograd's mm_mat1_backward: for an input it counts as column-major
            # (strides (1, rows): a (1, 1) activation of a width-1 layer on a 1-row
            # batch) it multiplies the other way round, rounding differently
            if h.stride(0) == 1 and h.stride(1) == h.shape[0]:
                grad = lin.weight.t().mm(grad.t()).t()
            else:
                grad = grad.mm(lin.weight)
            act_backward = layers[k - 1][2]
            if act_backward is not None:
                grad = act_backward(grad, h)
        return loss, z


def _criterion_kind(criterion):
    """"ce", "bce" or "mse" for a supported loss module (its options as the defaults; the
    reduction is the estimator's "none", averaged by the caller), else None."""
    cls = type(criterion)
    if cls is nn.CrossEntropyLoss:
        if (
            criterion.weight is None
            and criterion.ignore_index == -100
            and criterion.label_smoothing == 0.0
            and criterion.reduction == "none"
        ):
            return "ce"
        return None
    if cls is nn.MSELoss and criterion.reduction == "none":
        return "mse"
    if (
        cls is nn.BCEWithLogitsLoss
        and criterion.weight is None
        and criterion.pos_weight is None
        and criterion.reduction == "none"
    ):
        return "bce"
    return None


# --------------------------------------------------------------------------- #
# the optimiser step                                                           #
# --------------------------------------------------------------------------- #
def fused_adam_step(optimizer):
    """One step of a fused CPU ``Adam``/``AdamW`` optimiser through its kernel, with
    the arguments ``optimizer.step()`` would pass; False (nothing done) when the
    optimiser is not one the shortcut covers exactly (then call ``step()``)."""
    if type(optimizer) not in (torch.optim.Adam, torch.optim.AdamW):
        return False
    if "step" in vars(optimizer):  # e.g. an LR scheduler's wrapper
        return False
    if optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks:
        return False
    if _opt_mod._global_optimizer_pre_hooks or _opt_mod._global_optimizer_post_hooks:
        return False
    if getattr(optimizer, "grad_scale", None) is not None:
        return False
    if getattr(optimizer, "found_inf", None) is not None:
        return False
    state = optimizer.state
    calls = []
    for group in optimizer.param_groups:
        if (
            not group["fused"]
            or group["amsgrad"]
            or group["capturable"]
            or group["differentiable"]
        ):
            return False
        lr = group["lr"]
        if isinstance(lr, torch.Tensor):
            return False
        params, grads, exp_avgs, exp_avg_sqs, steps = [], [], [], [], []
        for p in group["params"]:
            g = p.grad
            if g is None:
                continue
            if g.is_sparse or p.device.type != "cpu" or p.is_complex():
                return False
            s = state.get(p)
            if not s:  # lazy state: let step() create it
                return False
            params.append(p)
            grads.append(g)
            exp_avgs.append(s["exp_avg"])
            exp_avg_sqs.append(s["exp_avg_sq"])
            steps.append(s["step"])
        if params:
            # step() groups its tensors by dtype: one call per dtype here too
            if len({p.dtype for p in params}) != 1:
                return False
            kernel = (
                torch._fused_adamw_
                if group.get("decoupled_weight_decay", False)
                else torch._fused_adam_
            )
            calls.append((kernel, group, lr, params, grads, exp_avgs, exp_avg_sqs, steps))
    with torch.no_grad():
        for kernel, group, lr, params, grads, exp_avgs, exp_avg_sqs, steps in calls:
            beta1, beta2 = group["betas"]
            torch._foreach_add_(steps, 1)
            kernel(
                params,
                grads,
                exp_avgs,
                exp_avg_sqs,
                [],
                steps,
                amsgrad=False,
                lr=lr,
                beta1=float(beta1),
                beta2=float(beta2),
                weight_decay=group["weight_decay"],
                eps=group["eps"],
                maximize=group["maximize"],
                grad_scale=None,
                found_inf=None,
            )
    return True
