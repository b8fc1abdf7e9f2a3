"""UMAP: skdl against umap-learn, on standardised digits and on 70,000 x 50.

Each library runs in fresh processes, one after the other in one run, so each time
includes what a first call pays: skdl's torch import, umap-learn's numba compilation.
Per data set and library the table gives the import time, the first fit (in the
fresh process), a second fit in the same process (warm), and on digits the quality
of the embedding:

- ``trust``: :func:`sklearn.manifold.trustworthiness` with 5 neighbours;
- ``knn``: 5-fold accuracy of a 5-NN classifier in the embedding;
- ``held-out``: fitted on three quarters (stratified), the other quarter embedded by
  ``transform``, 5-NN accuracy on it.

Libraries: skdl's ``UMAP()`` (layout, transform by placement) and
``UMAP(parametric=True)`` (the encoder), umap-learn seeded (``random_state``: one
thread, reproducible, as skdl) and umap-learn unseeded (its parallel mode).  umap-learn
is installed for the benchmark only (``pip install umap-learn``); without it only
skdl's rows are printed.

Usage: python benchmarks/bench_umap.py [--quick]   (--quick: digits only)
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks._harness import machine_line, table  # noqa: E402

# the child: import, fit twice, measure; prints one JSON line
_CHILD = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
t0 = time.perf_counter()
library, params, data, seed = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
if library == "skdl":
    from skdl import UMAP
else:
    from umap import UMAP
t_import = time.perf_counter() - t0
import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.manifold import trustworthiness
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
if data == "digits":
    X, y = load_digits(return_X_y=True)
else:
    X, y = make_classification(70_000, 50, n_informative=30, n_classes=10, random_state=0)
X = StandardScaler().fit_transform(X)
out = {"import": t_import}
t = time.perf_counter()
emb = UMAP(**params).fit_transform(X)
out["first"] = time.perf_counter() - t
t = time.perf_counter()
UMAP(**params).fit_transform(X)
out["warm"] = time.perf_counter() - t
if data == "digits":
    out["trust"] = trustworthiness(X, emb, n_neighbors=5)
    out["knn"] = cross_val_score(KNeighborsClassifier(), emb, y, cv=5).mean()
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=seed, stratify=y)
    est = UMAP(**params).fit(Xtr)
    tr = est.embedding_
    out["held_out"] = KNeighborsClassifier().fit(tr, ytr).score(est.transform(Xte), yte)
print(json.dumps(out))
"""


def _run(library, params, data, seed):
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, library, json.dumps(params), data, str(seed)],
        capture_output=True, text=True, cwd=ROOT, timeout=1800,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{library} {params} on {data} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(quick=False):
    import importlib.util

    seed = 0
    candidates = [
        ("skdl UMAP()", "skdl", {"random_state": seed}),
        ("skdl UMAP(parametric=True)", "skdl", {"random_state": seed, "parametric": True}),
    ]
    if importlib.util.find_spec("umap") is not None:
        candidates += [
            ("umap-learn seeded", "umap", {"random_state": seed}),
            ("umap-learn unseeded (parallel)", "umap", {}),
        ]
    else:
        print("umap-learn is not installed: skdl's rows only (pip install umap-learn)")
    print(machine_line())
    datasets = ["digits"] if quick else ["digits", "70k x 50"]
    for data in datasets:
        rows = []
        for label, library, params in candidates:
            r = _run(library, params, "digits" if data == "digits" else "large", seed)
            rows.append([
                label, r["import"], r["first"], r["warm"],
                *([f"{r['trust']:.4f}", f"{r['knn']:.4f}", f"{r['held_out']:.4f}"]
                  if data == "digits" else []),
            ])
        print(f"\n{data} (standardised), fresh process per library, seconds")
        headers = ["library", "import", "first fit", "warm fit"]
        if data == "digits":
            headers += ["trust", "knn", "held-out"]
        print(table(rows, headers))
        if len(rows) > 2:
            ref_first = rows[2][2]
            for row in rows[:2]:
                print(f"  {row[0]}: first fit {row[2]:.2f} s = {row[2] / ref_first:.2f}x "
                      f"umap-learn seeded's first call ({ref_first:.2f} s)")
            if data == "digits":
                for row in rows[:2]:
                    d_trust = float(row[4]) - float(rows[2][4])
                    d_knn = float(row[5]) - float(rows[2][5])
                    print(f"  {row[0]}: trust {d_trust:+.4f}, knn {d_knn:+.4f} against "
                          "umap-learn seeded")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
