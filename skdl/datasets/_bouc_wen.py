"""A shear building with Bouc-Wen hysteretic storeys under random ground motion (note 002).

All sequences are integrated together as one ODE system by ``scipy.integrate.solve_ivp``
(the right-hand side is vectorised over sequences and storeys), which is what keeps a few
hundred sequences within seconds.
"""

from numbers import Integral, Real

import numpy as np
from scipy import signal
from scipy.integrate import solve_ivp
from sklearn.utils import check_random_state

from skdl.utils._sklearn_compat import Interval, StrOptions, validate_params


def _per_storey(value, n_dof, name, *, allow_zero=False):
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_dof, float(arr))
    if arr.shape != (n_dof,):
        raise ValueError(
            f"{name} must be a scalar or an array of shape (n_dof,) = ({n_dof},), "
            f"got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if allow_zero:
        if np.any(arr < 0):
            raise ValueError(f"{name} must be non-negative, got {arr}.")
    elif np.any(arr <= 0):
        raise ValueError(f"{name} must be strictly positive, got {arr}.")
    return arr


def _kanai_tajimi_noise(rng, n_sequences, n_steps, dt, frequency, damping):
    """White noise through the Kanai-Tajimi filter (bilinear discretisation), from rest."""
    two_zw = 2.0 * damping * frequency
    num, den = [two_zw, frequency**2], [1.0, two_zw, frequency**2]
    b, a, _ = signal.cont2discrete((num, den), dt, method="bilinear")
    noise = rng.standard_normal((n_sequences, n_steps))
    return signal.lfilter(np.ravel(b), a, noise, axis=1)


def _shear_building_rhs(dt, ground, mass, k, c, alpha, beta, exponent):
    """Right-hand side of the first-order system for all sequences at once.

    The state holds, per sequence, the storey displacements ``y``, velocities ``v`` and
    inter-storey restoring forces ``f`` (each of length ``n_dof``).
    """
    n_sequences, n_steps = ground.shape
    n_dof = mass.shape[0]
    linear_exponent = np.all(exponent == 1.0)

    def rhs(t, state):
        state = state.reshape(n_sequences, 3, n_dof)
        v, f = state[:, 1], state[:, 2]
        # inter-storey velocity (storey 0 is the ground: displacements are relative to it)
        du = v.copy()
        du[:, 1:] -= v[:, :-1]
        abs_f = np.abs(f)
        f_pow = abs_f if linear_exponent else abs_f**exponent
        f_pow_m1_f = f if linear_exponent else abs_f ** (exponent - 1.0) * f
        df = k * du - alpha * np.abs(du) * f_pow_m1_f - beta * du * f_pow
        # storey i is pushed back by its own spring/damper and pulled by the one above
        inner = c * du + f
        net = inner.copy()
        net[:, :-1] -= inner[:, 1:]
        s = t / dt
        i = min(int(s), n_steps - 2)
        theta = s - i
        ag = (1.0 - theta) * ground[:, i] + theta * ground[:, i + 1]
        acc = -net / mass - ag[:, None]
        return np.stack([v, acc, df], axis=1).ravel()

    return rhs


@validate_params(
    {
        "n_sequences": [Interval(Integral, 1, None, closed="left")],
        "n_steps": [Interval(Integral, 2, None, closed="left")],
        "n_dof": [Interval(Integral, 1, None, closed="left")],
        "dt": [Interval(Real, 0, None, closed="neither")],
        "mass": [Interval(Real, 0, None, closed="neither"), "array-like"],
        "stiffness": [Interval(Real, 0, None, closed="neither"), "array-like"],
        "alpha": [Interval(Real, 0, None, closed="left"), "array-like"],
        "beta": [Interval(Real, None, None, closed="neither"), "array-like"],
        "exponent": [Interval(Real, 1, None, closed="left"), "array-like"],
        "damping_ratio": [Interval(Real, 0, 1, closed="left")],
        "ground_frequency": [Interval(Real, 0, None, closed="neither")],
        "ground_damping": [Interval(Real, 0, None, closed="neither")],
        "ground_rms": [Interval(Real, 0, None, closed="neither"), tuple],
        "return_forces": ["boolean"],
        "method": [StrOptions({"RK45", "RK23", "DOP853"})],
        "rtol": [Interval(Real, 0, None, closed="neither")],
        "atol": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_bouc_wen(
    n_sequences=100,
    n_steps=500,
    n_dof=3,
    dt=0.02,
    *,
    mass=1.0,
    stiffness=400.0,
    alpha=10.0,
    beta=10.0,
    exponent=1.0,
    damping_ratio=0.05,
    ground_frequency=15.0,
    ground_damping=0.6,
    ground_rms=(1.0, 3.0),
    return_forces=False,
    method="RK45",
    rtol=1e-5,
    atol=1e-8,
    random_state=None,
):
    r"""Simulate a shear building with Bouc-Wen hysteretic storeys under ground motion.

    The multi-degree-of-freedom shear building of note 002 ("Predict the non-linear
    response of a MDOF with LSTM"): ``n_dof`` storeys of mass ``mᵢ`` linked by
    hysteretic springs and viscous dampers, shaken at the base by random ground
    accelerations.  It returns the ground accelerations (the input sequences) and the
    storey displacements relative to the ground (the responses to predict), e.g. for a
    sequence-to-sequence recurrent network.

    Parameters
    ----------
    n_sequences : int, default=100
        Number of independent ground-motion records (and responses).
    n_steps : int, default=500
        Number of time samples per sequence (at least 2).
    n_dof : int, default=3
        Number of storeys (degrees of freedom).
    dt : float, default=0.02
        Sampling interval in seconds; the records last ``(n_steps - 1) * dt``.
    mass : float or array-like of shape (n_dof,), default=1.0
        Storey masses ``mᵢ``.
    stiffness : float or array-like of shape (n_dof,), default=400.0
        Initial inter-storey stiffnesses ``kᵢ`` (with the defaults and ``n_dof=3`` the
        first natural frequency of the linear building is 1.42 Hz).
    alpha : float or array-like of shape (n_dof,), default=10.0
        Bouc-Wen ``αᵢ ≥ 0`` (the ``|ẏ| |f|ⁿ⁻¹ f`` term).
    beta : float or array-like of shape (n_dof,), default=10.0
        Bouc-Wen ``βᵢ`` (the ``ẏ |f|ⁿ`` term).  ``alpha = beta = 0`` gives the linear
        building.  With ``αᵢ ≥ |βᵢ|`` and ``αᵢ + βᵢ > 0`` the restoring force is bounded by
        ``(kᵢ / (αᵢ + βᵢ))^(1/nᵢ)`` (20 with the defaults).
    exponent : float or array-like of shape (n_dof,), default=1.0
        Bouc-Wen ``nᵢ ≥ 1``, the sharpness of the transition to yielding.
    damping_ratio : float, default=0.05
        Viscous damping ratio of the first mode of the linear building; the dampers
        are stiffness proportional, ``cᵢ = 2 ζ kᵢ / ω₁``.
    ground_frequency : float, default=15.0
        Kanai-Tajimi filter frequency ``ω_g`` in rad/s (the ground's dominant frequency).
    ground_damping : float, default=0.6
        Kanai-Tajimi filter damping ``ζ_g``.
    ground_rms : float or tuple of (float, float), default=(1.0, 3.0)
        Root-mean-square ground acceleration of each record (m/s²); a ``(low, high)``
        pair draws it uniformly per record, so the records span mild (nearly linear)
        to strong (yielding) shaking.
    return_forces : bool, default=False
        Also return the inter-storey restoring forces ``fᵢ``.
    method : {"RK45", "RK23", "DOP853"}, default="RK45"
        Integrator of ``scipy.integrate.solve_ivp``.
    rtol : float, default=1e-5
        Relative tolerance of the integrator.
    atol : float, default=1e-8
        Absolute tolerance of the integrator.
    random_state : int, RandomState instance or None, default=None
        Seed of the ground-motion noise and the per-record intensities.

    Returns
    -------
    ground_acceleration : ndarray of shape (n_sequences, n_steps)
        The ground accelerations ``ẍ_G`` (m/s²) at ``t = 0, dt, 2 dt, ...``; between
        samples the ODE sees their linear interpolation.
    displacement : ndarray of shape (n_sequences, n_steps, n_dof)
        Storey displacements ``yᵢ`` relative to the ground (m), storey 1 at the bottom.
    force : ndarray of shape (n_sequences, n_steps, n_dof)
        The inter-storey restoring forces ``fᵢ`` (N), storey ``i``'s spring between
        storeys ``i - 1`` and ``i``.  Only when ``return_forces=True``.

    Raises
    ------
    ValueError
        If a parameter is out of range or a per-storey array has the wrong shape.
    RuntimeError
        If the integrator fails.

    See Also
    --------
    load_table31 : The small wind/people/energy table of note 001.

    Notes
    -----
    The equations of motion (note 002) are

    .. math::

        \mathbf{M}\ddot{\mathbf{y}}(t) + \mathbf{C}\dot{\mathbf{y}}(t)
        + \mathbf{F}(\mathbf{y}(t), \dot{\mathbf{y}}(t))
        = -\mathbf{M}\boldsymbol{\Gamma}\ddot{x}_G(t)

    with ``M = diag(mᵢ)``, ``Γ`` a vector of ones, ``C`` the shear-type damping
    matrix of the dampers ``cᵢ`` and ``F`` the storey forces
    ``Fᵢ = fᵢ − fᵢ₊₁`` (``f_{n+1} = 0``).  Each inter-storey force follows the
    Bouc-Wen law, with the drift ``uᵢ = yᵢ − yᵢ₋₁`` (``y₀ = 0``, the ground):

    .. math::

        \dot f_i = k_i \dot u_i - \alpha_i |\dot u_i|\,|f_i|^{n_i-1} f_i
                   - \beta_i \dot u_i\, |f_i|^{n_i}.

    Note 002 prints the last term as :math:`\beta_i \dot u_i |f_i|^{n_i-1}`; that term
    does not have the units of the other two (force per time) unless :math:`n_i = 1`,
    and the Bouc-Wen model has :math:`|f_i|^{n_i}` there, implemented here.

    The ground acceleration is Kanai-Tajimi filtered white noise,
    :math:`H(s) = (2\zeta_g\omega_g s + \omega_g^2)/(s^2 + 2\zeta_g\omega_g s + \omega_g^2)`,
    discretised by the bilinear transform, started from rest and scaled to the record's
    RMS.  The building starts at rest.  All ``3 · n_dof · n_sequences`` states are
    integrated as one system by ``scipy.integrate.solve_ivp``, sampled at the output
    times.

    Examples
    --------
    >>> from skdl.datasets import make_bouc_wen
    >>> ag, y = make_bouc_wen(n_sequences=4, n_steps=100, n_dof=2, random_state=0)
    >>> ag.shape, y.shape
    ((4, 100), (4, 100, 2))
    >>> ag, y, f = make_bouc_wen(4, 100, 2, random_state=0, return_forces=True)
    >>> bool(abs(f).max() <= 20.0 + 1e-6)  # the Bouc-Wen force saturates at (k/(α+β))^(1/n)
    True
    """
    mass = _per_storey(mass, n_dof, "mass")
    k = _per_storey(stiffness, n_dof, "stiffness")
    alpha = _per_storey(alpha, n_dof, "alpha", allow_zero=True)
    beta = np.asarray(beta, dtype=np.float64)
    beta = np.full(n_dof, float(beta)) if beta.ndim == 0 else beta
    if beta.shape != (n_dof,) or not np.all(np.isfinite(beta)):
        raise ValueError(
            f"beta must be a finite scalar or an array of shape ({n_dof},), got {beta!r}."
        )
    exponent = _per_storey(exponent, n_dof, "exponent")
    if np.any(exponent < 1):
        raise ValueError(f"exponent must be >= 1, got {exponent}.")
    if isinstance(ground_rms, tuple):
        if len(ground_rms) != 2 or not 0 < ground_rms[0] <= ground_rms[1]:
            raise ValueError(
                f"ground_rms must be a positive float or a (low, high) pair with "
                f"0 < low <= high, got {ground_rms!r}."
            )
    rng = check_random_state(random_state)

    # first natural frequency of the linear building, for the damping
    stiff = np.diag(k + np.append(k[1:], 0.0))
    if n_dof > 1:
        stiff -= np.diag(k[1:], 1) + np.diag(k[1:], -1)
    inv_sqrt_m = 1.0 / np.sqrt(mass)
    omega1 = np.sqrt(np.linalg.eigvalsh(stiff * np.outer(inv_sqrt_m, inv_sqrt_m))[0])
    c = 2.0 * damping_ratio * k / omega1

    ground = _kanai_tajimi_noise(rng, n_sequences, n_steps, dt, ground_frequency, ground_damping)
    if isinstance(ground_rms, tuple):
        target = rng.uniform(ground_rms[0], ground_rms[1], size=n_sequences)
    else:
        target = np.full(n_sequences, float(ground_rms))
    rms = np.sqrt(np.mean(ground**2, axis=1))
    ground *= (target / np.where(rms > 0, rms, 1.0))[:, None]

    rhs = _shear_building_rhs(dt, ground, mass, k, c, alpha, beta, exponent)
    t_eval = dt * np.arange(n_steps)
    sol = solve_ivp(
        rhs,
        (0.0, t_eval[-1]),
        np.zeros(n_sequences * 3 * n_dof),
        method=method,
        t_eval=t_eval,
        rtol=rtol,
        atol=atol,
    )
    if not sol.success:  # pragma: no cover - the defaults integrate fine
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    states = sol.y.reshape(n_sequences, 3, n_dof, n_steps).transpose(0, 1, 3, 2)
    displacement = np.ascontiguousarray(states[:, 0])
    if return_forces:
        return ground, displacement, np.ascontiguousarray(states[:, 2])
    return ground, displacement
