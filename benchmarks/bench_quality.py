"""The network tests' trained-quality claims, measured over seeds and torch kernel sets.

Every claim of ``tests/neural_network/nn_quality.py`` (the tests assert the median over
3 seeds against its bound) is run here for ``--seeds`` seeds under each kernel set, each
set in its own process:

* ``native``  — torch's dispatch for this CPU (AVX-512 or AVX2), torch's default threads;
* ``avx2``    — ``ATEN_CPU_CAPABILITY=avx2``, MKL and oneDNN capped at AVX2 too
  (``MKL_ENABLE_INSTRUCTIONS``, ``ONEDNN_MAX_CPU_ISA``): an AVX2-only CPU such as the
  AMD EPYC the portability issue was found on;
* ``default`` — ``ATEN_CPU_CAPABILITY=default`` (torch's generic, non-vectorised kernels)
  on one thread: exactly the second network run of ``make test``.

For each claim and metric it prints mean ± sd over the seeds per set, the bound the test
uses, and the bound's distance from the worst set's mean in that set's standard
deviations; a bound must be at least 3 sd beyond every set's mean ("ok").

Usage: python benchmarks/bench_quality.py [--seeds 8] [--sets native,avx2,default]
       [--claims name,...] [--quick] [--raw DIR] [--reprint]
(--quick: 5 seeds, no slow claims; --raw DIR keeps each set's per-seed results as JSON in
DIR; --reprint prints the table again from DIR without running anything, e.g. after a
bound changed)
"""

import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "neural_network"))

from benchmarks._harness import machine_line, table  # noqa: E402

KERNEL_SETS = {
    "native": {},
    "avx2": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
    },
    "default": {"ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "1"},
}


def _worker(names, seeds, out):
    """Run the claims in this process; write {claim: {metric: [per seed]}} as JSON."""
    import torch

    from nn_quality import CLAIMS, bounds

    results = {
        "capability": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
        "seeds": list(seeds),
        "claims": {},
    }
    for name in names:
        c = CLAIMS[name]
        metrics = sorted({m for m, _, _ in bounds(c)})
        per = {m: [] for m in metrics}
        t0 = time.perf_counter()
        for seed in seeds:
            r = c.func(seed)
            for m in metrics:
                per[m].append(float(r[m]))
        per["_seconds_per_seed"] = (time.perf_counter() - t0) / len(seeds)
        results["claims"][name] = per
        print(f"  {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    pathlib.Path(out).write_text(json.dumps(results))


def _seeds_of(run):
    """Seeds 0..k-1 of a raw result written before the seeds were recorded."""
    per = next(iter(run["claims"].values()))
    return list(range(len(next(v for k, v in per.items() if not k.startswith("_")))))


def _fmt(values):
    m = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{m:.4g} ± {sd:.2g}", m, sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--sets", default="native,avx2,default")
    ap.add_argument("--claims", default="")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--raw", default=None)
    ap.add_argument("--reprint", action="store_true")
    ap.add_argument("--worker", nargs=2, metavar=("SEEDS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()

    from nn_quality import CLAIMS, TEST_SEEDS, bounds

    names = [n for n in args.claims.split(",") if n] or [
        n for n, c in CLAIMS.items() if not (args.quick and c.slow)
    ]
    if args.worker:
        _worker(names, [int(s) for s in args.worker[0].split(",")], args.worker[1])
        return
    n_seeds = 5 if args.quick else args.seeds
    seeds = list(range(n_seeds))
    sets = args.sets.split(",")

    tmp = pathlib.Path(args.raw) if args.raw else pathlib.Path(
        tempfile.mkdtemp(prefix="bench_quality_"))
    tmp.mkdir(parents=True, exist_ok=True)
    if not args.reprint:
        # one process per kernel set, all at once (the numbers do not depend on the
        # load; each set's thread count is its own)
        procs = {}
        for s in sets:
            env = {**os.environ, **KERNEL_SETS[s]}
            cmd = [sys.executable, __file__, "--worker", ",".join(map(str, seeds)),
                   str(tmp / s), "--claims", ",".join(names)]
            procs[s] = subprocess.Popen(cmd, env=env, cwd=ROOT)
        for s, p in procs.items():
            if p.wait() != 0:
                sys.exit(f"kernel set {s!r} failed (exit {p.returncode})")
    runs = {s: json.loads((tmp / s).read_text()) for s in sets}
    seeds = runs[sets[0]].get("seeds") or _seeds_of(runs[sets[0]])

    print(machine_line())
    for s in sets:
        print(f"- {s}: torch CPU capability {runs[s]['capability']}, "
              f"{runs[s]['threads']} thread(s), env {KERNEL_SETS[s] or 'unchanged'}")
    print(f"\nseeds {seeds[0]}..{seeds[-1]} (random_state of the estimator; data fixed); "
          f"the tests assert the median over seeds {list(TEST_SEEDS)}\n")

    rows, bad = [], []
    for name in names:
        for metric, op, bound in bounds(CLAIMS[name]):
            cells, dists = [], []
            for s in sets:
                values = runs[s]["claims"][name][metric]
                if not all(math.isfinite(v) for v in values):
                    cells.append(f"non-finite: {values}")
                    dists.append(float("-inf"))
                    continue
                text, m, sd = _fmt(values)
                cells.append(text)
                # distance of the bound from this set's mean, in this set's sd
                gap = (m - bound) if op == ">=" else (bound - m)
                dists.append(float("inf") if sd == 0 and gap >= 0 else gap / sd if sd else
                             float("-inf"))
            worst = min(dists)
            ok = worst >= 3
            if not ok:
                bad.append(f"{name}.{metric}")
            secs = max(runs[s]["claims"][name]["_seconds_per_seed"] for s in sets)
            rows.append([name, metric, f"{op} {bound}", *cells,
                         "sd = 0" if worst == float("inf") else f"{worst:.1f}",
                         "ok" if ok else "TOO TIGHT", f"{secs:.2f}"])
    headers = ["claim", "metric", "test bound", *[f"{s} mean ± sd" for s in sets],
               "bound in sd (worst set)", "≥ 3 sd", "s/seed (slowest set)"]
    print(table(rows, headers))
    print(f"\n{len(rows) - len(bad)} of {len(rows)} bounds at least 3 sd beyond every set's mean"
          + (f"; too tight: {', '.join(bad)}" if bad else ""))


if __name__ == "__main__":
    main()
