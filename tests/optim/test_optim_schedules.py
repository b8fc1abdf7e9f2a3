"""Schedules against torch.optim.lr_scheduler; the seeded minibatch iterator."""

import numpy as np
import pytest

from skdl.optim import (
    SGD,
    Adam,
    Constant,
    Cosine,
    CyclicTriangular,
    InverseDecay,
    LinearWarmup,
    MinibatchIterator,
    StepDecay,
)

torch = pytest.importorskip("torch")
sched = torch.optim.lr_scheduler

N_STEPS = 200
ETA0 = 0.05

# ours, torch scheduler factory (given a torch optimizer)
CASES = {
    "step": (StepDecay(step_size=30, gamma=0.5), lambda o: sched.StepLR(o, 30, gamma=0.5)),
    "warmup": (
        LinearWarmup(warmup_steps=25, start_factor=0.1),
        lambda o: sched.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=25),
    ),
    "cyclic": (
        CyclicTriangular(max_learning_rate=0.2, step_size=15),
        lambda o: sched.CyclicLR(
            o, base_lr=ETA0, max_lr=0.2, step_size_up=15, mode="triangular",
            cycle_momentum=False,
        ),
    ),
    "cosine": (
        Cosine(t_max=N_STEPS, eta_min=0.001),
        lambda o: sched.CosineAnnealingLR(o, T_max=N_STEPS, eta_min=0.001),
    ),
    "inverse": (
        InverseDecay(decay=0.1),
        lambda o: sched.LambdaLR(o, lambda t: 1.0 / (1.0 + 0.1 * t)),
    ),
    "constant": (Constant(), lambda o: sched.ConstantLR(o, factor=1.0, total_iters=0)),
}


def _torch_lrs(make_sched):
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=ETA0)
    s = make_sched(opt)
    lrs = []
    for _ in range(N_STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    return np.array(lrs)


@pytest.mark.parametrize("case", sorted(CASES))
def test_schedule_matches_torch(case):
    ours, make = CASES[case]
    got = np.array([ours(ETA0, t) for t in range(N_STEPS)])
    np.testing.assert_allclose(got, _torch_lrs(make), rtol=1e-12, atol=1e-15)
    assert np.ptp(got) > 0 or case == "constant"


def test_schedule_inside_rule_follows_torch_trajectory():
    """Adam + cosine annealing on a quadratic, 200 steps, against torch."""
    rng = np.random.default_rng(0)
    A = np.diag([1.0, 10.0, 100.0])
    theta0 = rng.normal(size=3)
    rule = Adam(0.05, schedule=Cosine(t_max=N_STEPS))
    p = [theta0.copy()]
    ours = []
    for _ in range(N_STEPS):
        rule.step(p, [A @ p[0]])
        ours.append(p[0].copy())
    pt = torch.tensor(theta0.copy(), requires_grad=True)
    opt = torch.optim.Adam([pt], lr=0.05)
    s = sched.CosineAnnealingLR(opt, T_max=N_STEPS)
    At = torch.tensor(A)
    ref = []
    for _ in range(N_STEPS):
        opt.zero_grad()
        (0.5 * pt @ At @ pt).backward()
        opt.step()
        s.step()
        ref.append(pt.detach().numpy().copy())
    np.testing.assert_allclose(np.array(ours), np.array(ref), rtol=0, atol=1e-6)


def test_current_learning_rate_uses_step_count():
    rule = SGD(1.0, schedule=StepDecay(step_size=2, gamma=0.5))
    p = [np.zeros(1)]
    seen = []
    for _ in range(5):
        seen.append(rule.current_learning_rate)
        rule.step(p, [np.ones(1)])
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25]
    np.testing.assert_allclose(p[0], [-3.25])


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: InverseDecay(-1.0), "decay"),
        (lambda: StepDecay(0), "step_size"),
        (lambda: StepDecay(5, gamma=0), "gamma"),
        (lambda: LinearWarmup(0), "warmup_steps"),
        (lambda: LinearWarmup(5, start_factor=0.0), "start_factor"),
        (lambda: CyclicTriangular(0.1, 2.5), "step_size"),
        (lambda: CyclicTriangular(-0.1, 2), "max_learning_rate"),
        (lambda: Cosine(0), "t_max"),
    ],
)
def test_bad_schedule_parameters(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


# --------------------------------------------------------------------------- #
# minibatches                                                                  #
# --------------------------------------------------------------------------- #
def test_minibatches_cover_each_epoch_and_reshuffle():
    it = MinibatchIterator(103, batch_size=10, random_state=3)
    assert len(it) == it.n_batches == 11
    epochs = [np.concatenate(list(it)) for _ in range(3)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(103))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[1], epochs[2])
    assert it.epoch == 3
    # seeded: the same sequence of epochs again
    it2 = MinibatchIterator(103, batch_size=10, random_state=3)
    for e in epochs:
        np.testing.assert_array_equal(np.concatenate(list(it2)), e)
    # batch sizes: all full but the last
    assert [len(b) for b in MinibatchIterator(103, 10, random_state=0)] == [10] * 10 + [3]


def test_minibatches_without_shuffle_are_slices():
    batches = list(MinibatchIterator(7, batch_size=3, shuffle=False))
    assert batches == [slice(0, 3), slice(3, 6), slice(6, 7)]
    assert list(MinibatchIterator(4, batch_size=100, shuffle=False)) == [slice(0, 4)]


def test_minibatch_bad_arguments():
    with pytest.raises(ValueError, match="n_samples"):
        MinibatchIterator(0, 3)
    with pytest.raises(ValueError, match="batch_size"):
        MinibatchIterator(5, 0)
