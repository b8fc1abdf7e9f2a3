"""make_bouc_wen: shapes, determinism, hysteresis, the linear limit, accuracy."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import signal

from skdl.datasets import make_bouc_wen


def _drift(y):
    """Inter-storey drifts u_i = y_i - y_{i-1}, with y_0 = 0 (the ground)."""
    return np.diff(y, axis=-1, prepend=0.0)


def _linear_building(n_dof, mass, k, zeta):
    """State-space (A, B, C, D) of the linear shear building with stiffness-proportional dampers."""
    K = np.diag(k + np.append(k[1:], 0.0)) - np.diag(k[1:], 1) - np.diag(k[1:], -1)
    M = np.diag(mass)
    w1 = np.sqrt(np.linalg.eigvals(np.linalg.solve(M, K)).real.min())
    C = 2 * zeta / w1 * K
    Minv = np.linalg.inv(M)
    A = np.block([[np.zeros((n_dof, n_dof)), np.eye(n_dof)], [-Minv @ K, -Minv @ C]])
    B = np.r_[np.zeros(n_dof), -np.ones(n_dof)][:, None]
    Cout = np.c_[np.eye(n_dof), np.zeros((n_dof, n_dof))]
    return A, B, Cout, np.zeros((n_dof, 1))


def test_shapes_and_dtypes():
    ag, y = make_bouc_wen(n_sequences=5, n_steps=120, n_dof=4, dt=0.01, random_state=0)
    assert ag.shape == (5, 120) and y.shape == (5, 120, 4)
    assert ag.dtype == y.dtype == np.float64
    assert np.all(np.isfinite(y))
    ag2, y2, f2 = make_bouc_wen(5, 120, 4, 0.01, random_state=0, return_forces=True)
    assert f2.shape == (5, 120, 4)
    assert_array_equal(ag, ag2)
    assert_array_equal(y, y2)
    # starts at rest; the ground RMS lies in the requested range
    assert_array_equal(y[:, 0], 0.0)
    rms = np.sqrt(np.mean(ag**2, axis=1))
    assert np.all((rms >= 1.0 - 1e-12) & (rms <= 3.0 + 1e-12))
    _, y1 = make_bouc_wen(2, 50, 1, random_state=0)
    assert y1.shape == (2, 50, 1)


def test_determinism_from_random_state():
    a1, y1 = make_bouc_wen(3, 100, 2, random_state=42)
    a2, y2 = make_bouc_wen(3, 100, 2, random_state=np.random.RandomState(42))
    assert_array_equal(a1, a2)
    assert_array_equal(y1, y2)
    a3, y3 = make_bouc_wen(3, 100, 2, random_state=43)
    assert not np.allclose(a1, a3)
    assert not np.allclose(y1, y3)


def test_hysteresis_loop_encloses_area():
    # the work done on a Bouc-Wen storey over the record, minus the elastic energy
    # f²/(2k) still stored at the end (unloading is linear with slope k when
    # alpha = beta), is the area enclosed by the force-drift loops: > 0
    k = 400.0
    ag, y, f = make_bouc_wen(6, 400, 3, random_state=0, return_forces=True, stiffness=k)
    u = _drift(y)
    work = np.sum(0.5 * (f[:, 1:] + f[:, :-1]) * np.diff(u, axis=1), axis=1)
    dissipated = work - f[:, -1] ** 2 / (2 * k)
    gross = np.sum(np.abs(0.5 * (f[:, 1:] + f[:, :-1]) * np.diff(u, axis=1)), axis=1)
    storey1 = dissipated[:, 0] / gross[:, 0]
    assert np.all(storey1 > 0.05), storey1
    assert np.all(dissipated > -1e-6 * gross)
    # the restoring force saturates at (k / (alpha + beta))^(1/n) = 20
    assert np.abs(f).max() <= 20.0 * (1 + 1e-4)
    assert np.abs(f[..., 0]).max() > 15.0

    # the linear building (alpha = beta = 0) encloses no area: f = k u
    _, y_lin, f_lin = make_bouc_wen(
        6, 400, 3, random_state=0, return_forces=True, alpha=0.0, beta=0.0, stiffness=k
    )
    u_lin = _drift(y_lin)
    assert_allclose(f_lin, k * u_lin, atol=1e-5 * np.abs(f_lin).max())
    work = np.sum(0.5 * (f_lin[:, 1:] + f_lin[:, :-1]) * np.diff(u_lin, axis=1), axis=1)
    gross = np.sum(np.abs(0.5 * (f_lin[:, 1:] + f_lin[:, :-1]) * np.diff(u_lin, axis=1)), axis=1)
    assert np.all(np.abs(work - f_lin[:, -1] ** 2 / (2 * k)) < 1e-3 * gross)


def test_linear_limit_matches_lsim():
    # alpha = beta = 0: a linear shear building, solved independently by scipy.signal.lsim
    # (which also interpolates the input linearly between samples)
    n_dof, dt, n_steps = 3, 0.02, 300
    mass = np.array([1.0, 1.5, 0.8])
    k = np.array([500.0, 400.0, 300.0])
    ag, y = make_bouc_wen(
        3,
        n_steps,
        n_dof,
        dt,
        mass=mass,
        stiffness=k,
        alpha=0.0,
        beta=0.0,
        random_state=1,
        rtol=1e-8,
        atol=1e-10,
    )
    sys = signal.StateSpace(*_linear_building(n_dof, mass, k, 0.05))
    t = dt * np.arange(n_steps)
    for i in range(3):
        _, y_ref, _ = signal.lsim(sys, ag[i], t)
        assert_allclose(y[i], y_ref, atol=1e-5 * np.abs(y_ref).max())


def test_weak_shaking_is_nearly_linear():
    # far below yielding the Bouc-Wen building behaves like the linear one
    kw = dict(n_sequences=3, n_steps=300, n_dof=3, random_state=2, ground_rms=0.005)
    _, y_bw = make_bouc_wen(**kw)
    _, y_lin = make_bouc_wen(**kw, alpha=0.0, beta=0.0)
    _, y_strong = make_bouc_wen(**(kw | {"ground_rms": 3.0}))
    _, y_strong_lin = make_bouc_wen(**(kw | {"ground_rms": 3.0}), alpha=0.0, beta=0.0)
    rel = np.abs(y_bw - y_lin).max() / np.abs(y_lin).max()
    rel_strong = np.abs(y_strong - y_strong_lin).max() / np.abs(y_strong_lin).max()
    assert rel < 0.02
    assert rel_strong > 0.2


def test_default_tolerance_is_accurate():
    kw = dict(n_sequences=4, n_steps=200, n_dof=3, random_state=3)
    _, y = make_bouc_wen(**kw)
    _, y_tight = make_bouc_wen(**kw, rtol=1e-8, atol=1e-11)
    assert np.abs(y - y_tight).max() < 5e-3 * np.abs(y_tight).max()


def test_per_storey_parameters():
    ag, y, f = make_bouc_wen(
        2,
        200,
        2,
        random_state=0,
        return_forces=True,
        stiffness=[600.0, 300.0],
        alpha=[5.0, 0.0],
        beta=[5.0, 0.0],
        exponent=[2.0, 1.0],
    )
    # storey 2 is linear, storey 1 saturates at (600 / 10)^(1/2)
    assert_allclose(f[..., 1], 300.0 * _drift(y)[..., 1], atol=1e-4 * np.abs(f[..., 1]).max())
    assert np.abs(f[..., 0]).max() <= np.sqrt(60.0) * (1 + 1e-4)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_sequences=0), "n_sequences"),
        (dict(n_steps=1), "n_steps"),
        (dict(dt=-0.1), "dt"),
        (dict(stiffness=[1.0, 2.0]), r"stiffness must be a scalar or an array of shape"),
        (dict(mass=[1.0, 0.0, 1.0]), "mass must be strictly positive"),
        (dict(alpha=-1.0), "alpha"),
        (dict(exponent=0.5), "exponent"),
        (dict(ground_rms=(2.0, 1.0)), "ground_rms"),
        (dict(method="Euler"), "method"),
        (dict(damping_ratio=1.5), "damping_ratio"),
    ],
)
def test_input_validation(kwargs, match):
    args = dict(n_sequences=2, n_steps=20, n_dof=3, random_state=0) | kwargs
    with pytest.raises(ValueError, match=match):
        make_bouc_wen(**args)
