"""Lasso: skdl's coordinate descent on the Gram matrix vs sklearn's Lasso.

skdl reads X once (one blocked pass for the weighted, centred moments, O(n·d²)), then
runs coordinate descent on the d × d Gram matrix (O(d²) per sweep, whatever n).
sklearn's default (``precompute=False``) sweeps over X itself, O(n·d) per sweep; with
``precompute=True`` it forms the Gram matrix of a centred copy of X first.  The
three are timed interleaved in one process (medians); the coefficients are compared
(max |Δcoef| against skdl's) and each fit's duality gap is printed.

The design is an AR(1) one (neighbouring columns correlated 0.9, as in real data where
features overlap) with a sparse true β: the case where coordinate descent needs many
sweeps.  The number of sweeps (n_iter_) of each is printed: the Gram route's advantage
grows with them.

Usage: python benchmarks/bench_lasso.py [--quick]
"""

import sys

import numpy as np
from sklearn.linear_model import Lasso as SkLasso

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from benchmarks._harness import interleaved, machine_line, table  # noqa: E402
from skdl import Lasso  # noqa: E402


def _data(n, d, rho=0.9, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((n, d))
    X[:, 0] = rng.normal(size=n)
    for j in range(1, d):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.normal(size=n)
    X += rng.uniform(-2, 2, size=d)
    beta = np.zeros(d)
    beta[rng.choice(d, size=d // 5, replace=False)] = rng.normal(scale=2, size=d // 5)
    y = X @ beta + 3.0 + rng.normal(size=n)
    return X, y


def _row(n, d, alpha, repeats):
    X, y = _data(n, d)
    res = interleaved(
        {
            "skdl": lambda: Lasso(alpha=alpha).fit(X, y),
            "sklearn": lambda: SkLasso(alpha=alpha).fit(X, y),
            "sklearn_gram": lambda: SkLasso(alpha=alpha, precompute=True).fit(X, y),
        },
        repeats=repeats,
        pause=0.5,
    )
    (t_ours, ours), (t_sk, sk), (t_skg, skg) = res["skdl"], res["sklearn"], res["sklearn_gram"]
    return [
        f"{n:,} x {d}", alpha, t_ours, t_sk, t_skg, t_sk / t_ours, t_skg / t_ours,
        f"{np.abs(ours.coef_ - sk.coef_).max():.1e}", f"{np.abs(ours.coef_ - skg.coef_).max():.1e}",
        f"{ours.n_iter_}/{sk.n_iter_}/{skg.n_iter_}",
        f"{ours.dual_gap_:.1e}/{sk.dual_gap_:.1e}/{skg.dual_gap_:.1e}",
        int(np.count_nonzero(ours.coef_)),
    ]


def main():
    quick = "--quick" in sys.argv
    cases = ([(100_000, 100, 0.01, 3), (100_000, 100, 0.001, 3)] if quick else
             [(100_000, 100, 0.01, 3), (1_000_000, 100, 0.01, 3), (1_000_000, 100, 0.001, 3)])
    print(machine_line())
    rows = [_row(*case) for case in cases]
    print(table(rows, ["shape", "alpha", "skdl s", "sklearn s", "sklearn Gram s",
                       "speed-up", "speed-up vs Gram", "max|Δcoef| sklearn",
                       "max|Δcoef| sklearn Gram", "sweeps skdl/sk/skGram",
                       "dual gap skdl/sk/skGram", "non-zero"]))
    print("\nmedians of interleaved runs (3 each); speed-up = sklearn / skdl; "
          "default tol=1e-4 for all three (sklearn's coefficients are accurate to its gap)")


if __name__ == "__main__":
    main()
