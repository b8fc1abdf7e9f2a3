"""skdl PCA against scikit-learn's PCA, solver by solver, interleaved in one process.

Pairs: ours ``covariance`` / sklearn ``covariance_eigh``, ours ``svd`` / sklearn
``full``, ours ``randomized`` / sklearn ``randomized`` (same seed, so the same random
draws), plus our ``auto``.  For each shape it prints the median fit times, the ratio
ours / sklearn (< 1: ours is faster), the explained variance (sum over the kept
components) and explained variance ratio of both, and which solver ``auto`` picks
against the fastest of ours.

    python benchmarks/bench_pca.py                       # the issue's two shapes
    python benchmarks/bench_pca.py --sizes 20000x200,1000x2500 --repeats 2
    python benchmarks/bench_pca.py --quick                # 20000x200 and 500x2500, once

The covariance pair is skipped for ``n_features > 1000`` (a d x d eigenproblem, the
wrong tool for that shape) unless ``--wide-covariance`` is given.
"""

import argparse
import os
import sys

import numpy as np
from sklearn.decomposition import PCA as SkPCA

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from skdl import PCA  # noqa: E402

from _harness import interleaved, machine_line, table  # noqa: E402

SOLVERS = ("covariance_eigh", "full", "randomized")


def make_data(n, d, seed=0):
    """Gaussian data with a decaying spectrum (scales 10 -> 0.1) and non-zero means."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X *= np.geomspace(10.0, 0.1, d)
    X += rng.normal(scale=3.0, size=d)
    return X


def bench_shape(n, d, k, repeats, wide_covariance):
    X = make_data(n, d)
    funcs = {}
    solvers = [s for s in SOLVERS if s != "covariance_eigh" or d <= 1000 or wide_covariance]
    for s in solvers:
        funcs[f"ours {s}"] = lambda s=s: PCA(k, svd_solver=s, random_state=0).fit(X)
        funcs[f"sk {s}"] = lambda s=s: SkPCA(k, svd_solver=s, random_state=0).fit(X)
    funcs["ours auto"] = lambda: PCA(k, random_state=0).fit(X)
    res = interleaved(funcs, repeats=repeats)

    rows = []
    for s in solvers:
        t_ours, ours = res[f"ours {s}"]
        t_sk, sk = res[f"sk {s}"]
        ev_rel = np.max(np.abs(ours.explained_variance_ / sk.explained_variance_ - 1))
        rows.append(
            [
                s,
                t_ours,
                t_sk,
                t_ours / t_sk,
                float(ours.explained_variance_.sum()),
                float(sk.explained_variance_.sum()),
                float(ours.explained_variance_ratio_.sum()),
                float(sk.explained_variance_ratio_.sum()),
                float(ev_rel),
            ]
        )
    t_auto, auto = res["ours auto"]
    fastest = min(solvers, key=lambda s: res[f"ours {s}"][0])
    print(f"\n### n={n:,} x d={d:,}, n_components={k}, median of {repeats}\n")
    print(
        table(
            rows,
            [
                "svd_solver",
                "ours s",
                "sklearn s",
                "ratio",
                "EV ours",
                "EV sklearn",
                "EVR ours",
                "EVR sklearn",
                "max rel diff EV",
            ],
        )
    )
    verdict = "yes" if auto.svd_solver_ == fastest else "NO"
    print(
        f"\n'auto' picks {auto.svd_solver_!r} ({t_auto:.3f} s); fastest of ours: {fastest!r} "
        f"({res[f'ours {fastest}'][0]:.3f} s) -> auto picks the fastest: {verdict}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000x200,2000x5000")
    parser.add_argument("--components", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--wide-covariance", action="store_true")
    parser.add_argument(
        "--quick", action="store_true", help="small shapes, one repeat (run_all.py --quick)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats = "20000x200,500x2500", 1
    print(machine_line())
    threads = {v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    print("thread settings:", {k: v for k, v in threads.items() if v} or "defaults")
    for size in args.sizes.split(","):
        n, d = (int(v) for v in size.lower().split("x"))
        bench_shape(n, d, args.components, args.repeats, args.wide_covariance)


if __name__ == "__main__":
    main()
