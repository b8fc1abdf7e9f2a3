"""Learning-rate schedules (note 002 "Learning rate scheduler").

A schedule maps the base learning rate ``η₀`` and the step count ``t`` (0 for the
first step) to the learning rate of that step: ``schedule(eta0, t) -> eta_t``.
Any update rule takes one (``Adam(0.01, schedule=Cosine(t_max=100))``).  The
schedules with a ``torch.optim.lr_scheduler`` counterpart give the same sequence as
that scheduler stepped once after every optimiser step (tested).
"""

import math


class Schedule:
    """Base class: ``schedule(eta0, t)`` returns the learning rate of step ``t``."""

    def __call__(self, eta0, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """``η_t = η₀``.

    Examples
    --------
    >>> from skdl.optim import Constant
    >>> Constant()(0.1, 50)
    0.1
    """

    def __call__(self, eta0, t):
        return eta0


class InverseDecay(Schedule):
    """Classical decay ``η_t = η₀ / (1 + t·η_d)`` (note 002; often ``η_d = 1/i₀``).

    ``torch.optim.Adagrad``'s ``lr_decay`` is this schedule.

    Parameters
    ----------
    decay : float
        ``η_d ≥ 0``.

    Examples
    --------
    >>> from skdl.optim import InverseDecay
    >>> InverseDecay(decay=0.5)(1.0, 2)
    0.5
    """

    def __init__(self, decay):
        if not decay >= 0:
            raise ValueError(f"decay must be >= 0; got {decay!r}.")
        self.decay = float(decay)

    def __call__(self, eta0, t):
        return eta0 / (1.0 + t * self.decay)


class StepDecay(Schedule):
    """``η_t = η₀ · γ^⌊t / step_size⌋`` (``torch.optim.lr_scheduler.StepLR``).

    Parameters
    ----------
    step_size : int
        Number of steps between two decays.
    gamma : float, default=0.1
        Multiplicative factor of each decay.
    """

    def __init__(self, step_size, gamma=0.1):
        if not (int(step_size) == step_size and step_size >= 1):
            raise ValueError(f"step_size must be a positive integer; got {step_size!r}.")
        if not gamma > 0:
            raise ValueError(f"gamma must be > 0; got {gamma!r}.")
        self.step_size = int(step_size)
        self.gamma = float(gamma)

    def __call__(self, eta0, t):
        return eta0 * self.gamma ** (t // self.step_size)


class LinearWarmup(Schedule):
    """Linear warm-up from ``start_factor·η₀`` to ``η₀`` over ``warmup_steps`` steps.

    ``η_t = η₀ (s + (1 - s) min(t, T)/T)``, constant ``η₀`` afterwards
    (``torch.optim.lr_scheduler.LinearLR(start_factor=s, total_iters=T)``).

    Parameters
    ----------
    warmup_steps : int
        ``T ≥ 1``.
    start_factor : float, default=0.1
        ``s`` in (0, 1].
    """

    def __init__(self, warmup_steps, start_factor=0.1):
        if not (int(warmup_steps) == warmup_steps and warmup_steps >= 1):
            raise ValueError(f"warmup_steps must be a positive integer; got {warmup_steps!r}.")
        if not 0 < start_factor <= 1:
            raise ValueError(f"start_factor must be in (0, 1]; got {start_factor!r}.")
        self.warmup_steps = int(warmup_steps)
        self.start_factor = float(start_factor)

    def __call__(self, eta0, t):
        s = self.start_factor
        return eta0 * (s + (1.0 - s) * min(t, self.warmup_steps) / self.warmup_steps)


class CyclicTriangular(Schedule):
    """Cyclic learning rate, triangular policy (Smith 2017; note 002 "cyclic scheduler").

    The rate goes linearly from ``η₀`` up to ``max_learning_rate`` in ``step_size``
    steps and back down in as many, periodically
    (``torch.optim.lr_scheduler.CyclicLR(mode="triangular")``).

    Parameters
    ----------
    max_learning_rate : float
        Peak of each cycle.
    step_size : int
        Steps of each half cycle.
    """

    def __init__(self, max_learning_rate, step_size):
        if not (int(step_size) == step_size and step_size >= 1):
            raise ValueError(f"step_size must be a positive integer; got {step_size!r}.")
        if not max_learning_rate > 0:
            raise ValueError(f"max_learning_rate must be > 0; got {max_learning_rate!r}.")
        self.max_learning_rate = float(max_learning_rate)
        self.step_size = int(step_size)

    def __call__(self, eta0, t):
        s = self.step_size
        cycle = math.floor(1 + t / (2 * s))
        x = abs(t / s - 2 * cycle + 1)
        return eta0 + (self.max_learning_rate - eta0) * max(0.0, 1.0 - x)


class Cosine(Schedule):
    """Cosine annealing ``η_t = η_min + (η₀ - η_min)(1 + cos(π t / T))/2`` (Loshchilov
    & Hutter 2017; ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T)``).

    Parameters
    ----------
    t_max : int
        ``T``, the number of steps of the half period.
    eta_min : float, default=0.0
        Final learning rate.
    """

    def __init__(self, t_max, eta_min=0.0):
        if not (int(t_max) == t_max and t_max >= 1):
            raise ValueError(f"t_max must be a positive integer; got {t_max!r}.")
        if not eta_min >= 0:
            raise ValueError(f"eta_min must be >= 0; got {eta_min!r}.")
        self.t_max = int(t_max)
        self.eta_min = float(eta_min)

    def __call__(self, eta0, t):
        return self.eta_min + (eta0 - self.eta_min) * (1 + math.cos(math.pi * t / self.t_max)) / 2


def _check_schedule(schedule):
    if schedule is None or isinstance(schedule, Schedule):
        return schedule
    if callable(schedule):
        return schedule
    raise TypeError(
        f"schedule must be a Schedule (or a callable (eta0, t) -> eta_t) or None; "
        f"got {schedule!r}."
    )
