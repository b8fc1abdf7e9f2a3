"""Update rules of gradient-based learning (note 000 §1, note 001 ch. 6, note 002).

Each rule is a small object that holds its own state (velocities, moment estimates,
the step count) and updates a list of numpy parameter arrays *in place* from a list
of gradients of the same shapes::

    rule = Adam(learning_rate=0.01)
    for epoch in range(n_epochs):
        grads = gradient(params)      # any list of numpy arrays
        rule.step(params, grads)      # params[i] -= ... in place

The arithmetic follows the corresponding ``torch.optim`` class operation for
operation, so that a trajectory in float64 matches torch's to rounding (tested).
Where the printed formulas of the notes differ from that convention (where the ε
sits, the bias correction of Adam, the sign slip of Nesterov's look-ahead) the
docstrings say so.
"""

import numpy as np
from scipy import linalg

from skdl.optim._schedules import _check_schedule
from skdl.utils._scale import power_of_two_scales


class UpdateRule:
    """Base class of the update rules: state, step count and learning-rate schedule.

    Subclasses implement ``_update(params, grads, lr)``, which receives the learning
    rate of the current step (the schedule applied to ``learning_rate``) and
    updates ``params`` in place using per-parameter state from ``self._slots``.

    Parameters
    ----------
    learning_rate : float
        Base learning rate ``η₀``.
    schedule : Schedule or None, default=None
        Learning-rate schedule; ``None`` keeps ``learning_rate`` constant.

    Attributes
    ----------
    t : int
        Number of steps taken so far (the schedule is evaluated at ``t`` before
        each step, so the first step uses ``schedule(learning_rate, 0)``).
    """

    #: short name, as accepted by the estimators' ``optimizer`` parameter
    name = None

    def __init__(self, learning_rate, schedule=None):
        if not (np.isfinite(learning_rate) and learning_rate > 0):
            raise ValueError(
                f"learning_rate must be a positive finite number; got {learning_rate!r}."
            )
        self.learning_rate = float(learning_rate)
        self.schedule = _check_schedule(schedule)
        self.reset()

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self.t = 0
        self._slots = None
        return self

    @property
    def current_learning_rate(self):
        """Learning rate the next ``step`` will use."""
        if self.schedule is None:
            return self.learning_rate
        return float(self.schedule(self.learning_rate, self.t))

    def _init_slots(self, params):
        return [{} for _ in params]

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (lists of arrays of equal shapes).

        Parameters
        ----------
        params : list of ndarray
            Parameters, modified in place (they must be writeable float arrays).
        grads : list of ndarray
            Gradients of the loss at ``params``, same shapes.

        Returns
        -------
        params : list of ndarray
            The same list, for convenience.
        """
        if len(params) != len(grads):
            raise ValueError(
                f"step got {len(params)} parameter arrays but {len(grads)} gradients."
            )
        if self._slots is None or len(self._slots) != len(params):
            self._slots = self._init_slots(params)
        lr = self.current_learning_rate
        self._update(params, grads, lr)
        self.t += 1
        return params

    def _update(self, params, grads, lr):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._repr_args().items())
        return f"{type(self).__name__}({args})"

    def _repr_args(self):
        out = {"learning_rate": self.learning_rate}
        if self.schedule is not None:
            out["schedule"] = self.schedule
        return out


class SGD(UpdateRule):
    """Steepest descent ``θ ← θ - η_t g`` (note 002 "delta rule"; note 001 eq. 6.10).

    Applied to minibatch gradients this is stochastic gradient descent (note 000
    §1.4).  Matches ``torch.optim.SGD(lr)``.

    Parameters
    ----------
    learning_rate : float, default=0.01
        ``η₀``.
    schedule : Schedule or None, default=None
        Learning-rate schedule.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.optim import SGD
    >>> theta = np.array([1.0, -2.0])
    >>> SGD(learning_rate=0.1).step([theta], [2 * theta])[0]
    array([ 0.8, -1.6])
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01, schedule=None):
        super().__init__(learning_rate, schedule)

    def _update(self, params, grads, lr):
        for p, g in zip(params, grads, strict=True):
            p -= lr * g


class Momentum(UpdateRule):
    """Gradient descent with (heavy-ball) momentum (note 000 §1.5, note 001 eq. 6.6).

    ``form="classical"`` (note 000 §1.5, note 002 "SGD with classical momentum")::

        m ← γ m + g,     θ ← θ - η_t m

    which, for a constant ``η``, is note 000's ``ν ← γ ν + η g, θ ← θ - ν`` with
    ``ν = η m``; it is ``torch.optim.SGD(lr, momentum=γ)``.

    ``form="velocity"`` is note 000's recursion literally, ``ν ← γ ν + η_t g,
    θ ← θ - ν``: the same path for a constant ``η``; under a schedule the new rate
    scales only the new gradient, not the accumulated velocity.

    ``form="averaged"`` (note 001 eq. 6.6, momentum parameter ``α = γ``)::

        θ_{k+1} = θ_k + α (θ_k - θ_{k-1}) - (1 - α) η_k g_k

    i.e. ``m ← α m + (1 - α) g, θ ← θ - η m`` with ``m`` starting at zero (the
    gradient is averaged, not summed, so the effective step stays ``η``); it is
    ``torch.optim.SGD(lr, momentum=α, dampening=α)`` with a zero-initialised buffer.

    Parameters
    ----------
    learning_rate : float, default=0.01
        ``η₀``.
    momentum : float, default=0.9
        ``γ`` (or ``α`` of eq. 6.6), in [0, 1).  The notes suggest 0.5 for the
        averaged form and 0.85-0.95 for the classical one.
    form : {"classical", "velocity", "averaged"}, default="classical"
        Which of the formulations above.
    schedule : Schedule or None, default=None
        Learning-rate schedule.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.optim import Momentum
    >>> theta = np.array([1.0])
    >>> rule = Momentum(learning_rate=0.1, momentum=0.5)
    >>> for _ in range(2):
    ...     _ = rule.step([theta], [2 * theta])
    >>> theta
    array([0.54])
    """

    name = "momentum"

    def __init__(self, learning_rate=0.01, momentum=0.9, form="classical", schedule=None):
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}.")
        if form not in ("classical", "velocity", "averaged"):
            raise ValueError(
                f"form must be 'classical', 'velocity' or 'averaged'; got {form!r}."
            )
        self.momentum = float(momentum)
        self.form = form
        super().__init__(learning_rate, schedule)

    def _init_slots(self, params):
        return [{"m": np.zeros_like(p, dtype=np.result_type(p, np.float64))} for p in params]

    def _update(self, params, grads, lr):
        gamma = self.momentum
        if self.form == "velocity":
            for p, g, s in zip(params, grads, self._slots, strict=True):
                v = s["m"]
                v *= gamma
                v += lr * g
                p -= v
            return
        damp = (1.0 - gamma) if self.form == "averaged" else 1.0
        for p, g, s in zip(params, grads, self._slots, strict=True):
            m = s["m"]
            m *= gamma
            m += damp * g
            p -= lr * m

    def _repr_args(self):
        return {**super()._repr_args(), "momentum": self.momentum, "form": self.form}


class Nesterov(Momentum):
    """Nesterov accelerated gradient (note 000 §1.5.1).

    Note 000 writes ``ν ← γν + η ∇f(θ + γν), θ ← θ - ν``; with ``θ ← θ - ν`` the
    look-ahead point is ``θ - γν`` (the printed ``+`` is a sign slip).  A rule that
    only sees the gradient at the current parameters uses the equivalent
    reformulation of Sutskever et al. (2013) in the shifted variable
    ``θ̃ = θ - γν``::

        m ← γ m + g,     θ ← θ - η_t (g + γ m)

    which is ``torch.optim.SGD(lr, momentum=γ, nesterov=True)``.

    Parameters
    ----------
    learning_rate : float, default=0.01
        ``η₀``.
    momentum : float, default=0.9
        ``γ`` in [0, 1).
    schedule : Schedule or None, default=None
        Learning-rate schedule.
    """

    name = "nesterov"

    def __init__(self, learning_rate=0.01, momentum=0.9, schedule=None):
        super().__init__(learning_rate, momentum, "classical", schedule)

    def _update(self, params, grads, lr):
        gamma = self.momentum
        for p, g, s in zip(params, grads, self._slots, strict=True):
            m = s["m"]
            m *= gamma
            m += g
            p -= lr * (g + gamma * m)

    def _repr_args(self):
        return {**UpdateRule._repr_args(self), "momentum": self.momentum}


class AdaGrad(UpdateRule):
    """Adaptive gradient (note 001 eq. 6.16, note 002 "AdaGrad").

    ``G ← G + g²,  θ ← θ - η_t g / (√G + ε)`` element-wise.  Note 001 puts ``ε``
    under the square root; here it is added to ``√G`` as ``torch.optim.Adagrad``
    does (the two agree once ``G ≫ ε``).

    Parameters
    ----------
    learning_rate : float, default=0.01
        ``η₀``.
    eps : float, default=1e-10
        ``ε``.
    initial_accumulator_value : float, default=0.0
        Initial value of ``G``.
    schedule : Schedule or None, default=None
        Learning-rate schedule.
    """

    name = "adagrad"

    def __init__(self, learning_rate=0.01, eps=1e-10, initial_accumulator_value=0.0,
                 schedule=None):
        self.eps = float(eps)
        self.initial_accumulator_value = float(initial_accumulator_value)
        super().__init__(learning_rate, schedule)

    def _init_slots(self, params):
        return [
            {"G": np.full(p.shape, self.initial_accumulator_value, dtype=np.float64)}
            for p in params
        ]

    def _update(self, params, grads, lr):
        for p, g, s in zip(params, grads, self._slots, strict=True):
            G = s["G"]
            G += g * g
            p -= lr * (g / (np.sqrt(G) + self.eps))

    def _repr_args(self):
        return {**super()._repr_args(), "eps": self.eps}


class RMSprop(UpdateRule):
    """RMSprop (note 000 §1.5.2, note 002 "RMSprop").

    ``s ← β s + (1 - β) g²,  θ ← θ - η_t g / (√s + ε)``.  Note 000 puts ``ε``
    under the square root; here it is added to ``√s`` as ``torch.optim.RMSprop``
    does.

    Parameters
    ----------
    learning_rate : float, default=0.01
        ``η₀``.
    beta : float, default=0.99
        Decay ``β`` of the running mean of ``g²`` (torch's ``alpha``; note 002 uses 0.9).
    eps : float, default=1e-8
        ``ε``.
    schedule : Schedule or None, default=None
        Learning-rate schedule.
    """

    name = "rmsprop"

    def __init__(self, learning_rate=0.01, beta=0.99, eps=1e-8, schedule=None):
        if not 0 <= beta < 1:
            raise ValueError(f"beta must be in [0, 1); got {beta!r}.")
        self.beta = float(beta)
        self.eps = float(eps)
        super().__init__(learning_rate, schedule)

    def _init_slots(self, params):
        return [{"s": np.zeros(p.shape)} for p in params]

    def _update(self, params, grads, lr):
        b = self.beta
        for p, g, st in zip(params, grads, self._slots, strict=True):
            s = st["s"]
            s *= b
            s += (1.0 - b) * (g * g)
            p -= lr * (g / (np.sqrt(s) + self.eps))

    def _repr_args(self):
        return {**super()._repr_args(), "beta": self.beta, "eps": self.eps}


class Adadelta(UpdateRule):
    """ADADELTA (note 002 "ADADELTA", Zeiler 2012).

    Running means of the squared gradients and of the squared updates replace the
    learning rate::

        s ← ρ s + (1 - ρ) g²
        u = √(U + ε) / √(s + ε) · g
        U ← ρ U + (1 - ρ) u²
        θ ← θ - η_t u

    ``η = 1`` is Zeiler's rule ("no need to set a default learning rate"); it
    matches ``torch.optim.Adadelta(lr, rho, eps)``.

    Parameters
    ----------
    learning_rate : float, default=1.0
        Multiplier ``η₀`` of the update.
    rho : float, default=0.9
        Decay ``ρ`` of both running means.
    eps : float, default=1e-6
        ``ε``.
    schedule : Schedule or None, default=None
        Learning-rate schedule.
    """

    name = "adadelta"

    def __init__(self, learning_rate=1.0, rho=0.9, eps=1e-6, schedule=None):
        if not 0 <= rho < 1:
            raise ValueError(f"rho must be in [0, 1); got {rho!r}.")
        self.rho = float(rho)
        self.eps = float(eps)
        super().__init__(learning_rate, schedule)

    def _init_slots(self, params):
        return [{"s": np.zeros(p.shape), "U": np.zeros(p.shape)} for p in params]

    def _update(self, params, grads, lr):
        rho, eps = self.rho, self.eps
        for p, g, st in zip(params, grads, self._slots, strict=True):
            s, U = st["s"], st["U"]
            s *= rho
            s += (1.0 - rho) * (g * g)
            u = np.sqrt(U + eps) / np.sqrt(s + eps) * g
            U *= rho
            U += (1.0 - rho) * (u * u)
            p -= lr * u

    def _repr_args(self):
        return {**super()._repr_args(), "rho": self.rho, "eps": self.eps}


class Adam(UpdateRule):
    """Adam (note 000 §1.5.3, note 002 "Adam").

    With ``t`` the number of the step (1, 2, ...)::

        m ← β₁ m + (1 - β₁) g,        s ← β₂ s + (1 - β₂) g²
        m̂ = m / (1 - β₁ᵗ),            ŝ = s / (1 - β₂ᵗ)
        θ ← θ - η_t m̂ / (√ŝ + ε)

    The notes print the bias correction as ``1 - β`` (without the power ``t``) and
    divide by ``√s + ε``; the correct rule (Kingma & Ba 2015) is implemented, in
    the operation order of ``torch.optim.Adam``.

    Parameters
    ----------
    learning_rate : float, default=0.001
        ``η₀``.
    beta1 : float, default=0.9
        Decay of the first-moment estimate.
    beta2 : float, default=0.999
        Decay of the second-moment estimate.
    eps : float, default=1e-8
        ``ε``.
    schedule : Schedule or None, default=None
        Learning-rate schedule.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.optim import Adam
    >>> theta = np.array([1.0, -1.0])
    >>> rule = Adam(learning_rate=0.1)
    >>> _ = rule.step([theta], [np.array([3.0, -0.01])])
    >>> np.round(theta, 6)   # first step: about η·sign(g) whatever |g|
    array([ 0.9, -0.9])
    """

    name = "adam"

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8, schedule=None):
        for nm, b in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= b < 1:
                raise ValueError(f"{nm} must be in [0, 1); got {b!r}.")
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.eps = float(eps)
        super().__init__(learning_rate, schedule)

    def _init_slots(self, params):
        return [{"m": np.zeros(p.shape), "s": np.zeros(p.shape)} for p in params]

    def _update(self, params, grads, lr):
        b1, b2 = self.beta1, self.beta2
        t = self.t + 1
        bc1 = 1.0 - b1**t
        bc2 = 1.0 - b2**t
        step_size = lr / bc1
        sqrt_bc2 = np.sqrt(bc2)
        for p, g, st in zip(params, grads, self._slots, strict=True):
            m, s = st["m"], st["s"]
            m *= b1
            m += (1.0 - b1) * g
            s *= b2
            s += (1.0 - b2) * (g * g)
            denom = np.sqrt(s) / sqrt_bc2 + self.eps
            p -= step_size * (m / denom)

    def _repr_args(self):
        return {
            **super()._repr_args(),
            "beta1": self.beta1,
            "beta2": self.beta2,
            "eps": self.eps,
        }


class Newton(UpdateRule):
    """Newton's method ``θ ← θ - η_t H⁻¹ g`` (note 001 eq. 6.7; note 000 §1.3).

    For problems that provide a Hessian: ``step(params, grads, hessian)`` where
    ``hessian`` is the ``(P, P)`` matrix of second derivatives with respect to the
    concatenation of the raveled parameters (``P = Σ params[i].size``).  The system
    is solved by Cholesky when ``H`` is positive definite, otherwise by least squares
    (the minimum-norm Newton step); ``damping`` adds ``λI`` (Levenberg).  For least
    squares one step with ``η = 1`` lands on the exact solution (note 001 eq. 6.11).

    Parameters
    ----------
    learning_rate : float, default=1.0
        Step multiplier ``η₀`` (1 is the pure Newton step).
    damping : float, default=0.0
        ``λ ≥ 0`` added to the diagonal of ``H``.
    schedule : Schedule or None, default=None
        Learning-rate schedule.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.optim import Newton
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]]); b = np.array([1.0, 1.0])
    >>> theta = np.zeros(2)
    >>> _ = Newton().step([theta], [A @ theta - b], hessian=A)   # f = ½θᵀAθ - bᵀθ
    >>> np.allclose(theta, np.linalg.solve(A, b))
    True
    """

    name = "newton"

    def __init__(self, learning_rate=1.0, damping=0.0, schedule=None):
        if not damping >= 0:
            raise ValueError(f"damping must be >= 0; got {damping!r}.")
        self.damping = float(damping)
        super().__init__(learning_rate, schedule)

    def step(self, params, grads, hessian=None):
        """Update ``params`` in place by one (damped) Newton step.

        Parameters
        ----------
        params : list of ndarray
            Parameters, modified in place.
        grads : list of ndarray
            Gradients at ``params``.
        hessian : ndarray of shape (P, P)
            Hessian with respect to the concatenated raveled parameters.

        Returns
        -------
        params : list of ndarray
        """
        if hessian is None:
            raise ValueError("Newton.step needs the Hessian: step(params, grads, hessian).")
        self._hessian = np.asarray(hessian, dtype=np.float64)
        try:
            return super().step(params, grads)
        finally:
            self._hessian = None

    def _update(self, params, grads, lr):
        g = np.concatenate([np.ravel(x) for x in grads]).astype(np.float64)
        H = self._hessian
        if H.shape != (g.size, g.size):
            raise ValueError(
                f"hessian must have shape ({g.size}, {g.size}) for {g.size} parameters; "
                f"got {H.shape}."
            )
        if self.damping:
            H = H + self.damping * np.eye(g.size)
        # Jacobi scaling by powers of two (exact): the solve does not see the
        # parameters' units, only the conditioning of D⁻¹ H D⁻¹
        d = power_of_two_scales(np.sqrt(np.abs(np.diag(H))))
        Hs = H / np.outer(d, d)
        try:
            delta = linalg.solve(Hs, g / d, assume_a="pos", check_finite=False) / d
        except (linalg.LinAlgError, ValueError):
            delta = linalg.lstsq(Hs, g / d, check_finite=False)[0] / d
        start = 0
        for p in params:
            p -= lr * delta[start : start + p.size].reshape(p.shape)
            start += p.size

    def _repr_args(self):
        return {**super()._repr_args(), "damping": self.damping}


RULES = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adadelta, Adam, Newton)
}


def get_rule(name_or_rule, **kwargs):
    """Return an update rule from its name (``'sgd'``, ``'adam'``, ...) or as given.

    Parameters
    ----------
    name_or_rule : str or UpdateRule
        A key of ``RULES`` or an instance (returned unchanged).
    **kwargs
        Passed to the rule's constructor when a name is given.

    Returns
    -------
    rule : UpdateRule
    """
    if isinstance(name_or_rule, UpdateRule):
        return name_or_rule
    try:
        cls = RULES[name_or_rule]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown update rule {name_or_rule!r}; expected one of {sorted(RULES)} "
            "or an UpdateRule instance."
        ) from None
    return cls(**kwargs)


__all__ = [
    "UpdateRule",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "Newton",
    "RULES",
    "get_rule",
]
