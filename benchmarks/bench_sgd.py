"""solver='sgd' of skdl's LinearRegression against sklearn's SGDRegressor.

n = 1,000,000 x d = 100 (``--quick``: 100,000), float64, standardised features.
Both run a fixed number of epochs (no early stop: ``tol`` disabled), A/B interleaved
in one process; the time per epoch is the fit time divided by the epochs (setup
passes included, for both).  R² is measured on a held-out set, next to the
normal-equations fit (the optimum both approach).

BLAS is limited to one thread for the timed fits (``threadpoolctl``): SGDRegressor is
single-threaded Cython, skdl's minibatch products are too small to gain from threads,
and on a shared, oversubscribed machine multi-threaded OpenBLAS spin-waits distort
every timing.

Usage: python benchmarks/bench_sgd.py [--quick]
"""

import pathlib
import sys
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor
from threadpoolctl import threadpool_limits

from benchmarks._harness import interleaved, machine_line, table
from skdl import LinearRegression

EPOCHS = 5


def main():
    quick = "--quick" in sys.argv
    n, d = (100_000 if quick else 1_000_000), 100
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d))
    beta = rng.standard_normal(d)
    y = X @ beta + 2.0 + rng.standard_normal(n)
    X_test = rng.standard_normal((100_000, d))
    y_test = X_test @ beta + 2.0 + rng.standard_normal(100_000)

    ours = {
        (bs, sched): LinearRegression(solver="sgd", batch_size=bs, learning_rate=sched,
                                      max_iter=EPOCHS, tol=0.0, random_state=0)
        for bs, sched in ((200, "constant"), (1000, "constant"), (200, "inverse"))
    }
    peer = SGDRegressor(penalty=None, max_iter=EPOCHS, tol=None, random_state=0)
    normal = LinearRegression(solver="cholesky")
    funcs = {
        "skdl sgd, batch 200 (default)": lambda: ours[200, "constant"].fit(X, y),
        "sklearn SGDRegressor (per sample)": lambda: peer.fit(X, y),
        "skdl sgd, batch 1000": lambda: ours[1000, "constant"].fit(X, y),
        "skdl sgd, batch 200, learning_rate='inverse'": lambda: ours[200, "inverse"].fit(X, y),
    }
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = interleaved(funcs, repeats=3 if quick else 2)
        t_normal = interleaved({"cholesky": lambda: normal.fit(X, y)}, repeats=1)["cholesky"][0]

    r2_opt = normal.score(X_test, y_test)
    t_peer = res["sklearn SGDRegressor (per sample)"][0] / EPOCHS
    rows = []
    for name, (t, est) in res.items():
        per_epoch = t / EPOCHS
        r2 = est.score(X_test, y_test)
        rows.append([name, EPOCHS, per_epoch, per_epoch / t_peer, r2, r2_opt - r2])
    rows.append(["skdl LinearRegression(solver='cholesky')", "-", t_normal, "-", r2_opt, 0.0])
    print(f"n={n:,} d={d}, {EPOCHS} epochs each, BLAS limited to 1 thread; {machine_line()}\n")
    print(table(rows, ["estimator", "epochs", "s/epoch", "ratio to SGDRegressor",
                       "test R²", "R² gap to normal eq."]))
    print("\n(the 'cholesky' row is the time of the whole fit, one pass over X)")


if __name__ == "__main__":
    main()
