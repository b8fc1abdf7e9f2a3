"""Fits beside another process's BLAS job: quiet vs loaded time, skdl and sklearn.

A background process multiplies 800 × 800 matrices in a loop (``a @ b`` on numpy's
default BLAS threads), as another user's numpy job on the same machine would.  It is
started once and paused (SIGSTOP) for the quiet measurements, resumed (SIGCONT) for
the loaded ones, so that quiet and loaded fits alternate in one process: in every run
each estimator is fitted once quiet and once loaded, in alternating order from run to
run.  A fair share of 2 cores beside a 2-thread job is a slowdown of about 2×.

Estimators: skdl's LinearRegression (default solver) and sklearn's LinearRegression on
1e6 × 100, skdl's LogisticIRLS (default, with its covariance) and sklearn's
LogisticRegression(lbfgs, unpenalised) on 200,000 × 100.

Usage: python benchmarks/bench_load.py [--quick] [--runs N] [--no-sklearn]
    --quick: a fifth of the rows and 2 runs (default 5 runs).
"""

import argparse
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from benchmarks._harness import machine_line, table  # noqa: E402
from benchmarks.bench_logistic import binary_data  # noqa: E402
from skdl import LinearRegression, LogisticIRLS  # noqa: E402
from skdl.utils._threads import free_cpus  # noqa: E402

# the other process: matrix products on numpy's default BLAS threads, counted
_LOAD = textwrap.dedent("""
    import sys
    import numpy as np
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(800, 800)), rng.normal(size=(800, 800))
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    while True:
        a @ b
""")
# seconds the resumed load runs before a loaded fit starts, and the paused machine
# rests before a quiet one (the fit's own BLAS threads and the load's go idle)
_SETTLE = 0.5


class Load:
    """The background process, paused or running."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", _LOAD], stdout=subprocess.PIPE,
                                     text=True)
        self.proc.stdout.readline()  # numpy imported, the loop about to start
        self.pause()

    def pause(self):
        os.kill(self.proc.pid, signal.SIGSTOP)
        time.sleep(_SETTLE)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        time.sleep(_SETTLE)

    def close(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.proc.kill()
        self.proc.wait()


def _timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def contenders(quick, with_sklearn):
    """``{name: (shape label, fit callable)}``."""
    rng = np.random.default_rng(0)
    n_lin, n_log, d = (200_000, 40_000, 100) if quick else (1_000_000, 200_000, 100)
    X = rng.normal(size=(n_lin, d)) + rng.uniform(-3, 3, size=d)
    y = X @ rng.normal(size=d) + 5.0 + rng.normal(size=n_lin)
    Xl, yl = binary_data(n_log, d)
    lin, log = f"{n_lin:,} x {d}", f"{n_log:,} x {d}"
    out = {"skdl LinearRegression": (lin, lambda: LinearRegression().fit(X, y))}
    if with_sklearn:
        out["sklearn LinearRegression"] = (lin, lambda: SkLinearRegression().fit(X, y))
    out["skdl LogisticIRLS"] = (log, lambda: LogisticIRLS().fit(Xl, yl))
    if with_sklearn:
        out["sklearn LogisticRegression(lbfgs)"] = (
            log, lambda: LogisticRegression(C=np.inf, solver="lbfgs", max_iter=1000).fit(Xl, yl))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a fifth of the rows, 2 runs")
    parser.add_argument("--runs", type=int, default=None, help="runs (default 5, quick 2)")
    parser.add_argument("--no-sklearn", action="store_true", help="skdl's fits only")
    args = parser.parse_args()
    runs = args.runs or (2 if args.quick else 5)
    warnings.simplefilter("ignore")  # lbfgs's convergence warnings
    print(machine_line())
    print(f"before the load starts: /proc/loadavg {open('/proc/loadavg').read().split()[:4]}, "
          f"free CPUs {free_cpus()} of {os.cpu_count()}")
    fits = contenders(args.quick, not args.no_sklearn)
    for _, f in fits.values():  # warm: first-call costs are no part of either time
        f()
    load = Load()
    rows = []
    ratios = {name: [] for name in fits}
    try:
        for run in range(runs):
            for name, (shape, f) in fits.items():
                times = {}
                # alternate which comes first, so that drifts hit both alike
                for loaded in ((False, True) if run % 2 == 0 else (True, False)):
                    load.resume() if loaded else load.pause()
                    times[loaded] = _timed(f)
                load.pause()
                ratio = times[True] / times[False]
                ratios[name].append(ratio)
                rows.append([run + 1, name, shape, times[False], times[True], ratio])
                print(f"run {run + 1} {name}: quiet {times[False]:.3f} s, loaded "
                      f"{times[True]:.3f} s ({ratio:.2f}x)", file=sys.stderr, flush=True)
    finally:
        load.close()
    print("\n### Each fit quiet and beside a loop of 800 x 800 products (numpy, default "
          "BLAS threads) in another process\n")
    print(table(rows, ["run", "estimator", "n x d", "quiet s", "loaded s", "loaded / quiet"]))
    print("\n### Slowdown over the runs (fair share of 2 cores: ~2x; target <= 3x in every run)\n")
    summary = [[name, fits[name][0], min(r), float(np.median(r)), max(r),
                "yes" if max(r) <= 3.0 else "no"] for name, r in ratios.items()]
    print(table(summary, ["estimator", "n x d", "min", "median", "max", "<= 3x in all runs"]))


if __name__ == "__main__":
    main()
