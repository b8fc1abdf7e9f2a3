"""Every update rule follows its torch.optim counterpart step by step (float64)."""

import numpy as np
import pytest

from skdl.optim import (
    RULES,
    SGD,
    Adadelta,
    AdaGrad,
    Adam,
    InverseDecay,
    Momentum,
    Nesterov,
    Newton,
    RMSprop,
    get_rule,
)

torch = pytest.importorskip("torch")

N_STEPS = 200
TOL = 1e-6


# --------------------------------------------------------------------------- #
# two fixed problems, each with a numpy gradient and a torch loss              #
# --------------------------------------------------------------------------- #
def _quadratic():
    """f(θ) = ½ θᵀAθ - bᵀθ with condition number 100 (eigenvalues 1..100)."""
    rng = np.random.default_rng(42)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    A = Q @ np.diag(np.logspace(0, 2, 5)) @ Q.T
    b = rng.normal(size=5)
    theta0 = [rng.normal(size=5)]

    def grad(params):
        return [A @ params[0] - b]

    def hess(params):
        return A

    At, bt = torch.tensor(A), torch.tensor(b)

    def loss_t(params):
        (th,) = params
        return 0.5 * th @ At @ th - bt @ th

    return theta0, grad, hess, loss_t


def _logistic():
    """Mean logistic loss of a linear model with weights (3,) and bias (1,)."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(40, 3)) * np.array([1.0, 3.0, 0.3])
    y = (X @ np.array([1.0, -0.5, 2.0]) + 0.5 * rng.normal(size=40) > 0).astype(float)
    theta0 = [rng.normal(size=3), np.array([0.1])]

    def grad(params):
        w, b = params
        p = 1.0 / (1.0 + np.exp(-(X @ w + b[0])))
        r = (p - y) / X.shape[0]
        return [X.T @ r, np.array([r.sum()])]

    def hess(params):
        w, b = params
        p = 1.0 / (1.0 + np.exp(-(X @ w + b[0])))
        Z = np.hstack([X, np.ones((X.shape[0], 1))])
        return (Z * (p * (1 - p))[:, None]).T @ Z / X.shape[0]

    Xt, yt = torch.tensor(X), torch.tensor(y)

    def loss_t(params):
        w, b = params
        return torch.nn.functional.binary_cross_entropy_with_logits(Xt @ w + b, yt)

    return theta0, grad, hess, loss_t


PROBLEMS = {"quadratic": _quadratic, "logistic": _logistic}

# rule name -> (skdl rule factory, torch optimizer factory, torch state preparation)
CASES = {
    "sgd": (lambda: SGD(0.009), lambda p: torch.optim.SGD(p, lr=0.009), None),
    "momentum": (
        lambda: Momentum(0.004, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.004, momentum=0.9),
        None,
    ),
    "momentum-averaged": (
        lambda: Momentum(0.015, momentum=0.5, form="averaged"),
        lambda p: torch.optim.SGD(p, lr=0.015, momentum=0.5, dampening=0.5),
        "zero_buffer",
    ),
    "nesterov": (
        lambda: Nesterov(0.004, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.004, momentum=0.9, nesterov=True),
        None,
    ),
    "adagrad": (lambda: AdaGrad(0.3), lambda p: torch.optim.Adagrad(p, lr=0.3), None),
    "adagrad-decay": (
        lambda: AdaGrad(0.3, schedule=InverseDecay(0.05)),
        lambda p: torch.optim.Adagrad(p, lr=0.3, lr_decay=0.05),
        None,
    ),
    "rmsprop": (
        lambda: RMSprop(0.01, beta=0.99),
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99),
        None,
    ),
    "adadelta": (
        lambda: Adadelta(1.0, rho=0.9),
        lambda p: torch.optim.Adadelta(p, lr=1.0, rho=0.9),
        None,
    ),
    "adam": (
        lambda: Adam(0.05, beta1=0.9, beta2=0.99),
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.99)),
        None,
    ),
}


def _run_torch(theta0, loss_t, make_opt, prep):
    params = [torch.tensor(p.copy(), requires_grad=True) for p in theta0]
    opt = make_opt(params)
    if prep == "zero_buffer":
        # eq. 6.6 starts from θ₋₁ = θ₀: a zero momentum buffer (torch would start at g)
        for p in params:
            opt.state[p]["momentum_buffer"] = torch.zeros_like(p)
    path = []
    for _ in range(N_STEPS):
        opt.zero_grad()
        loss_t(params).backward()
        opt.step()
        path.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    return np.array(path)


def _run_ours(theta0, grad, rule, hess=None):
    params = [p.copy() for p in theta0]
    path = []
    for _ in range(N_STEPS):
        if hess is None:
            rule.step(params, grad(params))
        else:
            rule.step(params, grad(params), hessian=hess(params))
        path.append(np.concatenate([p.ravel() for p in params]))
    return np.array(path)


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_rule_follows_torch(case, problem):
    theta0, grad, _, loss_t = PROBLEMS[problem]()
    ours_f, torch_f, prep = CASES[case]
    ours = _run_ours(theta0, grad, ours_f())
    ref = _run_torch(theta0, loss_t, torch_f, prep)
    assert np.all(np.isfinite(ours))
    # the trajectory moves (a trivial, stuck path would also "match")
    assert np.abs(ours[-1] - np.concatenate([p.ravel() for p in theta0])).max() > 1e-2
    np.testing.assert_allclose(ours, ref, rtol=0, atol=TOL)


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_newton_follows_torch_hessian(problem):
    """No torch.optim rule is Newton's: compare with θ ← θ - η H⁻¹g from torch autograd."""
    theta0, grad, hess, loss_t = PROBLEMS[problem]()
    eta = 0.5
    ours = _run_ours(theta0, grad, Newton(learning_rate=eta), hess=hess)
    sizes = [p.size for p in theta0]
    flat = torch.tensor(np.concatenate([p.ravel() for p in theta0]))

    def f_flat(v):
        return loss_t(list(torch.split(v, sizes)))

    ref = []
    for _ in range(N_STEPS):
        g = torch.autograd.functional.jacobian(f_flat, flat)
        H = torch.autograd.functional.hessian(f_flat, flat)
        flat = flat - eta * torch.linalg.solve(H, g)
        ref.append(flat.numpy().copy())
    np.testing.assert_allclose(ours, np.array(ref), rtol=0, atol=TOL)


def test_newton_one_step_on_least_squares():
    """Note 001 eq. 6.11: one Newton step from anywhere is the least-squares solution."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = rng.normal(size=30)
    theta = rng.normal(size=4)
    Newton().step([theta], [2 * X.T @ (X @ theta - y)], hessian=2 * X.T @ X)
    np.testing.assert_allclose(theta, np.linalg.lstsq(X, y, rcond=None)[0], atol=1e-12)


def test_newton_singular_hessian_uses_min_norm_step():
    theta = np.zeros(2)
    H = np.array([[1.0, 1.0], [1.0, 1.0]])
    Newton().step([theta], [np.array([-2.0, -2.0])], hessian=H)
    np.testing.assert_allclose(theta, [1.0, 1.0])
    with pytest.raises(ValueError, match="Hessian"):
        Newton().step([theta], [theta])
    with pytest.raises(ValueError, match="shape"):
        Newton().step([theta], [theta], hessian=np.eye(3))


def test_step_updates_in_place_and_counts():
    p = [np.ones(3), np.ones((2, 2))]
    ids = [id(x) for x in p]
    rule = Adam(0.1)
    out = rule.step(p, [np.ones(3), -np.ones((2, 2))])
    assert out is p and [id(x) for x in p] == ids
    assert rule.t == 1
    np.testing.assert_allclose(p[0], 0.9)
    np.testing.assert_allclose(p[1], 1.1)
    rule.reset()
    assert rule.t == 0 and rule._slots is None
    with pytest.raises(ValueError, match="2 parameter arrays but 1 gradients"):
        rule.step(p, [np.ones(3)])


def test_state_persists_across_steps():
    """Momentum accumulates: two steps on a constant gradient move 1 + (1+γ) times ηg."""
    p = [np.zeros(1)]
    rule = Momentum(1.0, momentum=0.5)
    rule.step(p, [np.ones(1)])
    rule.step(p, [np.ones(1)])
    np.testing.assert_allclose(p[0], [-2.5])


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: SGD(learning_rate=0.0), "learning_rate"),
        (lambda: SGD(learning_rate=np.nan), "learning_rate"),
        (lambda: Momentum(momentum=1.0), "momentum"),
        (lambda: Momentum(form="nope"), "form"),
        (lambda: RMSprop(beta=1.5), "beta"),
        (lambda: Adadelta(rho=-0.1), "rho"),
        (lambda: Adam(beta2=1.0), "beta2"),
        (lambda: Newton(damping=-1), "damping"),
        (lambda: get_rule("lbfgs"), "Unknown update rule"),
    ],
)
def test_bad_hyperparameters(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_bad_schedule_type():
    with pytest.raises(TypeError, match="schedule"):
        SGD(0.1, schedule=3)


def test_registry_names():
    assert set(RULES) == {
        "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "newton"
    }
    for name, cls in RULES.items():
        assert isinstance(get_rule(name), cls)
    rule = Adam()
    assert get_rule(rule) is rule
    assert "Adam(learning_rate=0.001" in repr(rule)


def test_float32_params_stay_float32():
    p = [np.ones(3, dtype=np.float32)]
    for name in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"):
        get_rule(name).step(p, [np.ones(3, dtype=np.float32)])
    assert p[0].dtype == np.float32


def test_momentum_velocity_form_is_note_000():
    """form='velocity': ν ← γν + η_t g, θ ← θ - ν, literally; equal to the classical
    form for a constant η, different (new rate on the new gradient only) under a schedule."""
    from skdl.optim import StepDecay

    theta0, grad, _, _ = _quadratic()
    a = _run_ours(theta0, grad, Momentum(0.004, 0.9, form="velocity"))
    b = _run_ours(theta0, grad, Momentum(0.004, 0.9))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)

    sched = StepDecay(step_size=10, gamma=0.5)
    ours = _run_ours(theta0, grad, Momentum(0.004, 0.9, form="velocity", schedule=sched))
    th, nu, ref = theta0[0].copy(), np.zeros(5), []
    for t in range(N_STEPS):
        nu = 0.9 * nu + sched(0.004, t) * grad([th])[0]
        th = th - nu
        ref.append(th)
    np.testing.assert_allclose(ours, np.array(ref), rtol=0, atol=1e-12)
    classical = _run_ours(theta0, grad, Momentum(0.004, 0.9, schedule=sched))
    assert np.abs(classical - ours).max() > 1e-4
