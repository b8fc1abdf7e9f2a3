"""Out-of-core LinearRegression on a lazily generated dask array larger than a third of RAM.

Runs the fit in a fresh subprocess so that its peak RSS is the fit's own; compares with
an in-memory fit on the first chunk-sized slice for scale.  Usage:
python benchmarks/bench_dask.py [--quick]   (--quick: 1 GB instead of 8 GB)
"""

import subprocess
import sys
import textwrap

CODE = textwrap.dedent(
    """
    import resource, time, sys
    import dask.array as da
    from skdl import LinearRegression, Ridge
    n, d, chunk = {n}, 100, 125_000
    rng = da.random.default_rng(0)
    X = rng.random(size=(n, d), chunks=(chunk, d))
    y = X @ da.arange(1.0, d + 1.0) + 3.0 + X[:, 0] ** 2
    t0 = time.perf_counter()
    reg = LinearRegression().fit(X, y)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    Ridge(alpha=1.0).fit(X, y)
    t_ridge = time.perf_counter() - t0
    try:  # this process's own high-water mark: ru_maxrss carries the parent's over exec
        with open("/proc/self/status") as fh:
            peak = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:")) / 2**20
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{{X.nbytes / 2**30:.2f}} {{X.numblocks[0]}} {{t_fit:.2f}} {{t_ridge:.2f}} {{peak:.3f}}")
    """
)


def main():
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from benchmarks._harness import machine_line, table

    quick = "--quick" in sys.argv
    n = 1_250_000 if quick else 10_000_000
    out = subprocess.run([sys.executable, "-c", CODE.format(n=n)], capture_output=True,
                         text=True, check=True)
    gib, blocks, t_fit, t_ridge, peak = out.stdout.split()
    import os

    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(machine_line())
    print(f"machine memory: {mem_gib:.1f} GiB\n")
    print(table(
        [[f"{n:,} x 100 float64", f"{float(gib):.2f}", blocks, float(t_fit), float(t_ridge),
          f"{float(peak):.3f}", f"{float(peak) / float(gib):.3f}"]],
        ["array (generated lazily)", "size GiB", "chunks", "LinearRegression fit s",
         "Ridge fit s", "peak RSS GiB", "peak / size"],
    ))
    print("\nThe array is never materialised: each chunk is generated, reduced to its "
          "moments and freed; generation time is included in the fit times.")


if __name__ == "__main__":
    main()
