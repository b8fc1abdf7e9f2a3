"""
Paths of the update rules on one 2-D loss surface
==================================================

The rules of note 001 fig. 6.3 on one surface.

Every rule of :mod:`skdl.optim` starts from the same point of Beale's function

    f(x, y) = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²,

whose minimum is at (3, 0.5) at the end of a long, curved, flat valley: the setting of
the animation reproduced in note 001 fig. 6.3.  Plain steepest descent crawls along
the valley, momentum and Nesterov overshoot and then accelerate, the adaptive rules
(AdaGrad, RMSprop, Adadelta, Adam) rescale each coordinate.  Newton's method uses
the curvature: the pure step heads for the nearest stationary point, here the saddle
(0, 1) (the Hessian at the start is indefinite); with Levenberg damping ``H + λI`` it
reaches the minimum.

Run: python examples/plot_optimizer_paths.py  (writes examples/figures/optimizer_paths.png)
"""

import pathlib
import sys

try:
    import skdl  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from skdl.optim import SGD, Adadelta, AdaGrad, Adam, Momentum, Nesterov, Newton, RMSprop

A = np.array([1.5, 2.25, 2.625])
K = np.arange(1, 4)  # powers of y in the three terms
MINIMUM = np.array([3.0, 0.5])
START = np.array([1.0, 1.5])
N_STEPS = 500


def beale(x, y):
    x, y = np.asarray(x)[..., None], np.asarray(y)[..., None]
    return ((A - x + x * y**K) ** 2).sum(axis=-1)


def gradient(p):
    x, y = p
    r = A - x + x * y**K  # residuals
    dr_dx = -1 + y**K
    dr_dy = x * K * y ** (K - 1)
    return 2 * np.array([r @ dr_dx, r @ dr_dy])


def hessian(p, h=1e-6):
    # central differences of the analytic gradient (symmetrised)
    H = np.empty((2, 2))
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        H[:, j] = (gradient(p + e) - gradient(p - e)) / (2 * h)
    return (H + H.T) / 2


RULES = {
    "SGD (steepest descent)": SGD(learning_rate=0.01),
    "Momentum": Momentum(learning_rate=0.002, momentum=0.9),
    "Nesterov": Nesterov(learning_rate=0.002, momentum=0.9),
    "AdaGrad": AdaGrad(learning_rate=0.5),
    "RMSprop": RMSprop(learning_rate=0.02, beta=0.99),
    "Adadelta (η = 1, Zeiler's rule)": Adadelta(learning_rate=1.0),
    "Adam": Adam(learning_rate=0.05),
    "Newton (pure): to the saddle (0, 1)": Newton(learning_rate=1.0),
    "Newton, damped H + 30 I": Newton(learning_rate=1.0, damping=30.0),
}


def run(rule):
    p = START.copy()
    path = [p.copy()]
    for _ in range(N_STEPS):
        if isinstance(rule, Newton):
            rule.step([p], [gradient(p)], hessian=hessian(p))
        else:
            rule.step([p], [gradient(p)])
        path.append(p.copy())
    return np.array(path)


def main():
    paths = {name: run(rule) for name, rule in RULES.items()}

    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(17, 6))
    xs, ys = np.meshgrid(np.linspace(-0.5, 4.5, 400), np.linspace(-1.6, 2.0, 360))
    zs = beale(xs, ys)
    ax.contourf(xs, ys, zs, levels=np.logspace(-1, 3.5, 30), norm=LogNorm(), cmap="Greys",
                alpha=0.35)
    ax.contour(xs, ys, zs, levels=np.logspace(-1, 3.5, 16), norm=LogNorm(), colors="0.55",
               linewidths=0.5)
    colors = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown",
              "tab:pink", "black", "tab:olive"]
    for (name, path), c in zip(paths.items(), colors, strict=True):
        ax.plot(path[:, 0], path[:, 1], "-", color=c, lw=1.6)
        ax.plot(*path[-1], "o", color=c, ms=5)
        loss = beale(path[:, 0], path[:, 1])
        ax_loss.semilogy(np.arange(len(loss)), loss, color=c, label=name)
    ax.plot(*START, "ks", ms=8, label="start")
    ax.plot(*MINIMUM, "r*", ms=14, label="minimum (3, 0.5)")
    ax.plot(0.0, 1.0, "rx", ms=10, mew=2, label="saddle point (0, 1)")
    ax.set_xlim(-0.5, 4.5)
    ax.set_ylim(-1.6, 2.0)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.set_title(f"Paths of the update rules on Beale's function ({N_STEPS} steps)")
    ax.legend(loc="lower right", fontsize=9)  # the rules' colours: see the right panel
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss f(θ)")
    ax_loss.set_title("Loss along each path")
    ax_loss.legend(fontsize=9, title="update rule (same colours on the left)",
                   loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax_loss.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    out = pathlib.Path(__file__).parent / "figures" / "optimizer_paths.png"
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out, dpi=110)
    for name, path in paths.items():
        print(f"{name:24s} final θ = ({path[-1, 0]:.4f}, {path[-1, 1]:.4f}), "
              f"f = {beale(*path[-1]):.3e}")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
