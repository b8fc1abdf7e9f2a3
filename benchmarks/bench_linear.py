"""LinearRegression(solver='cholesky') vs sklearn's LinearRegression, and the BLAS limit.

For each shape: our fit, sklearn's fit and forming XᵀX alone (numpy ``X.T @ X``, a
BLAS syrk), interleaved in one process; the symmetric product is counted as n·d²
flops and compared with the machine's square matrix-multiply throughput.

Usage: python benchmarks/bench_linear.py [--quick]
"""

import sys
import time

import numpy as np
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.metrics import r2_score

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from benchmarks._harness import interleaved, machine_line, table  # noqa: E402
from skdl import LinearRegression  # noqa: E402


def gemm_gflops(n=3000, repeats=3):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    A @ B
    best = min(_timeit(lambda: A @ B) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timeit(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def _row(n, d, peak):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d)) + rng.uniform(-3, 3, size=d)
    y = X @ rng.normal(size=d) + 5.0 + rng.normal(size=n)
    res = interleaved(
        {
            "skdl": lambda: LinearRegression(solver="cholesky").fit(X, y),
            "sklearn": lambda: SkLinearRegression().fit(X, y),
            "XtX": lambda: X.T @ X,
        },
        repeats=3,
    )
    t_ours, ours = res["skdl"]
    t_sk, sk = res["sklearn"]
    t_xtx = res["XtX"][0]
    r2_ours = r2_score(y, ours.predict(X))
    r2_sk = r2_score(y, sk.predict(X))
    gflops_xtx = n * d * d / t_xtx / 1e9
    return [f"{n:,} x {d:,}", t_ours, t_sk, t_sk / t_ours, t_xtx, t_ours / t_xtx,
            gflops_xtx, gflops_xtx / peak, f"{r2_ours:.10f}", f"{r2_sk:.10f}"]


def main():
    quick = "--quick" in sys.argv
    shapes = [(100_000, 100), (20_000, 1_000)] if quick else [(1_000_000, 100), (200_000, 1_000)]
    print(machine_line())
    peak = gemm_gflops()
    print(f"square matrix multiply (3000x3000 float64): {peak:.1f} GFLOP/s\n")
    rows = [_row(n, d, peak) for n, d in shapes]
    print(
        table(
            rows,
            ["shape", "skdl fit s", "sklearn fit s", "speed-up", "XᵀX alone s",
             "fit / XᵀX", "XᵀX GFLOP/s (n·d²)", "XᵀX / peak", "R² skdl", "R² sklearn"],
        )
    )
    print("\nmedian of 3 interleaved runs; speed-up = sklearn / skdl; "
          "fit / XᵀX = our whole fit over forming XᵀX alone")


if __name__ == "__main__":
    main()
