"""Sparse input: skdl's LinearRegression, Ridge, SoftmaxClassifier and PCA on a scipy.sparse
CSR X, against scikit-learn's sparse fits.

X is ``scipy.sparse.random(n, d, density)`` in CSR, float64, with standard normal
stored entries; the stored entries of the first 20 columns are shifted by +3, so those
columns have nonzero means and centring (the intercept, PCA's mean) matters.  Targets:
``y = X β + 5 + 0.1 ε`` for the regressions; for the classifier 5 classes, the argmax of
a linear score ``X B`` plus Gumbel noise (a multinomial logit model).

Three parts, all in one run:

1. Timing: each fit of ours and sklearn's on the same sparse X, interleaved in one
   process (benchmarks/_harness.py), median of ``--repeats``; ``ours / sklearn`` < 1
   means ours is faster.  sklearn's sparse-capable solvers: LinearRegression (LSQR on
   the implicitly centred X), Ridge 'auto' (picks 'sparse_cg' for sparse X with an
   intercept), LogisticRegression(lbfgs, C = 1/alpha; multinomial for 5 classes),
   PCA 'arpack' and 'covariance_eigh'.  Our solvers: each estimator's default
   ('auto' for LinearRegression, Ridge and PCA, 'lbfgs' for SoftmaxClassifier) and the
   other sparse-capable ones ('lsqr'; 'sparse_cg' and 'lsqr'; SoftmaxClassifier with
   max_iter=1000 so that it stops at its tol; 'arpack', 'covariance_eigh' and
   'randomized').  A line below the table times scipy's L-BFGS-B alone on all BLAS
   threads and on one: on a loaded machine its small multithreaded BLAS calls dominate
   both libraries' lbfgs fits (``--blas-threads 1`` limits the whole run).
2. Memory, measured first: every fit once more in a child forked from this process
   (X built, nothing fitted yet), so each starts from the same heap: the growth of the
   peak resident set (VmHWM reset through /proc/self/clear_refs just before the fit)
   and tracemalloc's peak over a second fit (numpy and scipy allocate their arrays
   through it; BLAS/OpenMP work space shows only in the RSS), against the size of X's
   CSR arrays and of a dense copy (n·d·8 bytes).
3. Dense equality (``--check-dense``, on by default): ``X.toarray()`` once, our same
   estimators fitted on it (BLAS on one thread; PCA's 'auto' pinned to the solver the
   sparse fit chose), and the largest relative difference of the sparse fit to the
   dense one, ``max|a - b| / max|b|`` over coef_ and intercept_ (PCA: over
   explained_variance_ elementwise, the sign-aligned components_ and mean_).

Usage:
    python benchmarks/bench_sparse.py                    # 100,000 x 2,000, density 0.005
    python benchmarks/bench_sparse.py --quick            # 10,000 x 200, 1 round: seconds
    python benchmarks/bench_sparse.py --no-check-dense   # skip the 1.6 GB dense fits
    python benchmarks/bench_sparse.py --newton           # + SoftmaxClassifier(solver='newton')
"""

import argparse
import gc
import json
import os
import pathlib
import sys
import time
import tracemalloc
import warnings

import numpy as np
from scipy import optimize, sparse
from scipy.special import log_softmax
from sklearn.base import clone
from sklearn.decomposition import PCA as SkPCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model import Ridge as SkRidge
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks._harness import interleaved, machine_line, status_kb, table  # noqa: E402
from skdl import PCA, LinearRegression, Ridge, SoftmaxClassifier  # noqa: E402

N_CLASSES = 5
N_SHIFTED, SHIFT = 20, 3.0  # columns whose stored entries are shifted: nonzero means
ALPHA = 1.0  # Ridge's and SoftmaxClassifier's penalty (LogisticRegression C = 1/ALPHA)
K = 20  # PCA components
MB = 2.0**20


def make_data(n, d, density, seed=0):
    """CSR X (float64), a regression target and a 5-class target."""
    rng = np.random.default_rng(seed)
    X = sparse.random(
        n, d, density=density, format="csr", dtype=np.float64, rng=rng,
        data_rvs=rng.standard_normal,
    )
    X.data[X.indices < N_SHIFTED] += SHIFT
    y = X @ rng.normal(size=d) + 5.0 + 0.1 * rng.normal(size=n)
    scores = X @ rng.normal(scale=2.0, size=(d, N_CLASSES))
    y_cls = np.argmax(scores + rng.gumbel(size=(n, N_CLASSES)), axis=1)
    return X, y, y_cls


# --------------------------------------------------------------------------- #
# the fits                                                                     #
# --------------------------------------------------------------------------- #
# (estimator, label, side, factory, target, label of the sklearn fit it is timed against)
def cases(newton=False):
    c = [
        ("LinearRegression", "skdl auto", "skdl", lambda: LinearRegression(), "y",
         "sklearn default"),
        ("LinearRegression", "skdl lsqr", "skdl", lambda: LinearRegression(solver="lsqr"), "y",
         "sklearn default"),
        # 'auto' solves a wide sparse X iteratively to tol (sklearn's meaning of tol);
        # a tight tol, or the exact Cholesky solve of the sparse Gram matrix, equals the
        # dense (Cholesky) fit
        ("LinearRegression", "skdl auto, tol=1e-12", "skdl",
         lambda: LinearRegression(tol=1e-12), "y", "sklearn tol=1e-12"),
        ("LinearRegression", "skdl cholesky", "skdl",
         lambda: LinearRegression(solver="cholesky"), "y", "sklearn default"),
        ("LinearRegression", "sklearn default", "sklearn", lambda: SkLinearRegression(), "y",
         None),
        ("LinearRegression", "sklearn tol=1e-12", "sklearn",
         lambda: SkLinearRegression(tol=1e-12), "y", None),
        ("Ridge", "skdl auto", "skdl", lambda: Ridge(alpha=ALPHA), "y", "sklearn auto"),
        ("Ridge", "skdl sparse_cg", "skdl", lambda: Ridge(alpha=ALPHA, solver="sparse_cg"), "y",
         "sklearn auto"),
        ("Ridge", "skdl lsqr", "skdl", lambda: Ridge(alpha=ALPHA, solver="lsqr"), "y",
         "sklearn auto"),
        ("Ridge", "skdl auto, tol=1e-12", "skdl", lambda: Ridge(alpha=ALPHA, tol=1e-12), "y",
         "sklearn auto, tol=1e-12"),
        ("Ridge", "skdl cholesky", "skdl", lambda: Ridge(alpha=ALPHA, solver="cholesky"), "y",
         "sklearn auto"),
        ("Ridge", "sklearn auto", "sklearn", lambda: SkRidge(alpha=ALPHA), "y", None),
        ("Ridge", "sklearn auto, tol=1e-12", "sklearn", lambda: SkRidge(alpha=ALPHA, tol=1e-12),
         "y", None),
        ("SoftmaxClassifier", "skdl lbfgs", "skdl", lambda: SoftmaxClassifier(alpha=ALPHA),
         "cls", "sklearn lbfgs"),
        ("SoftmaxClassifier", "skdl lbfgs, max_iter=1000", "skdl",
         lambda: SoftmaxClassifier(alpha=ALPHA, max_iter=1000), "cls", "sklearn lbfgs"),
        ("SoftmaxClassifier", "sklearn lbfgs", "sklearn",
         lambda: LogisticRegression(C=1.0 / ALPHA), "cls", None),
        ("PCA", "skdl auto", "skdl", lambda: PCA(K), None, "same solver"),
        ("PCA", "skdl arpack", "skdl", lambda: PCA(K, svd_solver="arpack"), None,
         "sklearn arpack"),
        ("PCA", "skdl covariance_eigh", "skdl", lambda: PCA(K, svd_solver="covariance_eigh"),
         None, "sklearn covariance_eigh"),
        ("PCA", "skdl randomized", "skdl",
         lambda: PCA(K, svd_solver="randomized", random_state=0), None, None),
        ("PCA", "sklearn arpack", "sklearn", lambda: SkPCA(K, svd_solver="arpack"), None, None),
        ("PCA", "sklearn covariance_eigh", "sklearn",
         lambda: SkPCA(K, svd_solver="covariance_eigh"), None, None),
    ]
    if newton:
        at = next(i for i, row in enumerate(c) if row[:2] == ("SoftmaxClassifier",
                                                              "sklearn lbfgs"))
        c.insert(at, ("SoftmaxClassifier", "skdl newton", "skdl",
                     lambda: SoftmaxClassifier(alpha=ALPHA, solver="newton"), "cls",
                     "sklearn lbfgs"))
    return [dict(zip(("est", "label", "side", "make", "target", "peer"), row, strict=True))
            for row in c]


# the fit the others are compared with in the agreement table (PCA: sklearn's exact one)
REFERENCE = {"LinearRegression": "skdl auto", "Ridge": "skdl auto",
             "SoftmaxClassifier": "skdl lbfgs", "PCA": "sklearn covariance_eigh"}


def peer_of(case, est):
    """The label of the sklearn fit a fit of ours is timed against (None: no peer)."""
    if case["peer"] == "same solver":
        return f"sklearn {solver_used(est)}"
    return case["peer"]


def fitter(case, X, y, y_cls, make=None):
    """A zero-argument callable fitting a fresh estimator of ``case`` (or ``make()``) on
    ``X``."""
    target = {"y": y, "cls": y_cls, None: None}[case["target"]]

    def fit():
        est = (make or case["make"])()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return est.fit(X, target)

    return fit


def dense_twin(sparse_fit):
    """A factory of the estimator for the dense reference fit: the sparse fit's
    parameters, with PCA's svd_solver='auto' pinned to the solver it chose (on a dense X
    'auto' picks by other rules)."""
    params = {}
    if getattr(sparse_fit, "svd_solver", None) == "auto":
        params["svd_solver"] = sparse_fit.svd_solver_
    return lambda: clone(sparse_fit).set_params(**params)


def solver_used(est):
    for attr in ("svd_solver_", "_fit_svd_solver", "solver_"):
        v = getattr(est, attr, None)
        if isinstance(v, str):
            return v
    return getattr(est, "solver", "lsqr" if isinstance(est, SkLinearRegression) else "-")


def n_iter(est):
    it = getattr(est, "n_iter_", None)
    if it is None:
        return "-"
    it = np.ravel(it)
    return int(it.max()) if it.size else "-"


def softmax_objective(X, y, est):
    """Mean penalised log-loss of a fitted multinomial model (both libraries' objective:
    skdl's ``(Σ -log π + α/2 ‖coef‖²)/n``, sklearn's ``(½‖coef‖² + C Σ -log π)/(C n)``)."""
    logp = log_softmax(np.asarray(X @ est.coef_.T) + est.intercept_, axis=1)
    nll = -np.mean(logp[np.arange(len(y)), y])
    return float(nll + 0.5 * ALPHA * np.sum(est.coef_**2) / len(y))


# --------------------------------------------------------------------------- #
# comparisons                                                                  #
# --------------------------------------------------------------------------- #
def _rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), np.finfo(float).tiny))


def fit_difference(a, b):
    """Largest relative difference of fit ``a`` to fit ``b`` (see the module doc)."""
    if hasattr(a, "components_"):
        ca, cb = np.asarray(a.components_), np.asarray(b.components_)
        signs = np.sign(np.sum(ca * cb, axis=1))
        ev = float(np.max(np.abs(a.explained_variance_ / b.explained_variance_ - 1)))
        return max(ev, _rel(ca * signs[:, None], cb), _rel(a.mean_, b.mean_))
    return max(_rel(a.coef_, b.coef_), _rel(np.atleast_1d(a.intercept_),
                                            np.atleast_1d(b.intercept_)))


def quality(est, X, y, y_cls):
    """What the fit reached: R² (regressions), the objective (classifier), the explained
    variance of the kept components (PCA)."""
    if hasattr(est, "components_"):
        return f"EV {float(np.sum(est.explained_variance_)):.10g}"
    if hasattr(est, "classes_"):
        return f"obj {softmax_objective(X, y_cls, est):.10f}"
    r = y - est.predict(X)
    return f"R² {1 - float(r @ r) / float(np.sum((y - y.mean()) ** 2)):.12f}"


# --------------------------------------------------------------------------- #
# memory, in a forked child per fit                                            #
# --------------------------------------------------------------------------- #
def _measure_here(fit):
    """The RSS peak growth of one fit and tracemalloc's peak of another (bytes)."""
    out = {"rss_peak_growth": None}
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset VmHWM, the peak RSS, to the current RSS
        base = status_kb("VmRSS")
        fit()
        out["rss_peak_growth"] = (status_kb("VmHWM") - base) * 1024.0
    except OSError:
        pass
    gc.collect()
    tracemalloc.start()
    fit()
    out["tracemalloc_peak"] = float(tracemalloc.get_traced_memory()[1])
    tracemalloc.stop()
    return out


def measure_memory(fit):
    """:func:`_measure_here` in a child forked from this process, so that every fit starts
    from the same heap (X built, nothing fitted yet).  Call it before any fit has run in
    this process: libgomp (sklearn's OpenMP) cannot be used in a child forked after it has
    started its threads."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(r)
            out = _measure_here(fit)
        except BaseException as exc:  # noqa: BLE001 - reported by the parent
            out, code = {"error": repr(exc)}, 1
        os.write(w, json.dumps(out).encode())
        os._exit(code)
    os.close(w)
    data = b""
    while chunk := os.read(r, 1 << 16):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    out = json.loads(data or b'{"error": "no output"}')
    if "error" in out:
        print(f"memory measurement failed: {out['error']}", file=sys.stderr)
        return {"rss_peak_growth": None, "tracemalloc_peak": None}
    return out


def _mb(v):
    return "n/a" if v is None else v / MB


# --------------------------------------------------------------------------- #
def lbfgs_overhead(p, iters=50):
    """Seconds per iteration of scipy's L-BFGS-B itself (a separable quadratic, whose
    objective costs next to nothing) on ``p`` parameters, with the BLAS on all cores and
    on one thread."""
    diag = np.random.default_rng(0).uniform(1.0, 1e3, p)

    def fg(x):
        return 0.5 * float(np.sum(diag * x * x)), diag * x

    def run(threads):
        with threadpool_limits(threads, user_api="blas"):
            t0 = time.perf_counter()
            res = optimize.minimize(fg, np.ones(p), jac=True, method="L-BFGS-B",
                                    options={"maxiter": iters, "gtol": 0.0, "ftol": 0.0})
            return (time.perf_counter() - t0) / max(res.nit, 1)

    return run(os.cpu_count()), run(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None, help="rows of X (100,000)")
    parser.add_argument("--d", type=int, default=None, help="columns of X (2,000)")
    parser.add_argument("--density", type=float, default=0.005)
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds (3)")
    parser.add_argument("--pause", type=float, default=0.2,
                        help="seconds of idle time before each timed fit (see _harness)")
    parser.add_argument("--check-dense", action=argparse.BooleanOptionalAction, default=True,
                        help="fit ours on X.toarray() too and compare (n·d·8 bytes)")
    parser.add_argument("--memory", action=argparse.BooleanOptionalAction, default=True,
                        help="measure each fit's peak memory in a forked child (Linux)")
    parser.add_argument("--newton", action="store_true",
                        help="add SoftmaxClassifier(solver='newton') (a (5·(d+1))² Hessian)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit the BLAS to this many threads for the whole run "
                        "(threadpoolctl; default: as the libraries start)")
    parser.add_argument("--quick", action="store_true", help="10,000 x 200, one round")
    args = parser.parse_args(argv)
    quick = {"n": 10_000, "d": 200, "repeats": 1}
    full = {"n": 100_000, "d": 2_000, "repeats": 3}
    for k, v in (quick if args.quick else full).items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.blas_threads is not None:
        with threadpool_limits(args.blas_threads, user_api="blas"):
            return run(args)
    return run(args)


def run(args):
    n, d = args.n, args.d
    t0 = time.perf_counter()
    X, y, y_cls = make_data(n, d, args.density)
    t_make = time.perf_counter() - t0
    x_bytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    dense_bytes = n * d * 8
    print(machine_line())
    threads = {v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    limit = f"; BLAS limited to {args.blas_threads} thread(s)" if args.blas_threads else ""
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"thread settings: {({k: v for k, v in threads.items() if v} or 'defaults')}"
          f"{limit}; load average before the run {load} on {os.cpu_count()} cores")
    means = np.asarray(X.mean(axis=0)).ravel()
    print(f"X: {n:,} x {d:,} CSR float64, density {args.density}, nnz {X.nnz:,} "
          f"(made in {t_make:.1f} s); CSR arrays {x_bytes / MB:.1f} MiB (nnz·12 = "
          f"{X.nnz * 12 / MB:.1f} MiB), a dense copy n·d·8 = {dense_bytes / MB:,.0f} MiB; "
          f"column means {means[:N_SHIFTED].mean():.4f} (columns 0-{N_SHIFTED - 1}), "
          f"{means[N_SHIFTED:].mean():.1e} (the others)")
    print(f"classes: {np.bincount(y_cls).tolist()}")

    all_cases = cases(args.newton)
    fits = {(c["est"], c["label"]): fitter(c, X, y, y_cls) for c in all_cases}

    # memory first: the children are forked before this process has fitted anything
    mem = {}
    if args.memory and hasattr(os, "fork"):
        for key, fit in fits.items():
            mem[key] = measure_memory(fit)
            print(f"memory: {key[0]} {key[1]}", file=sys.stderr, flush=True)

    results = {}
    for est_name in dict.fromkeys(c["est"] for c in all_cases):
        group = {k[1]: f for k, f in fits.items() if k[0] == est_name}
        res = interleaved(group, repeats=args.repeats, pause=args.pause)
        results.update({(est_name, label): r for label, r in res.items()})
        print(f"timed: {est_name}", file=sys.stderr, flush=True)

    p = N_CLASSES * (d + 1)
    lbfgs_all, lbfgs_one = lbfgs_overhead(p)

    # dense references: X.toarray() once, our estimators on it (BLAS on one thread: these
    # are references, not timed against anything, and a loaded machine makes multi-
    # threaded small BLAS calls erratic)
    dense = {}
    if args.check_dense:
        Xd = X.toarray()
        for c in all_cases:
            if c["side"] != "skdl":
                continue
            t1 = time.perf_counter()
            make = dense_twin(results[c["est"], c["label"]][1])
            with threadpool_limits(1, user_api="blas"):
                est = fitter(c, Xd, y, y_cls, make)()
            dense[c["est"], c["label"]] = (time.perf_counter() - t1, est)
            print(f"dense: {c['est']} {c['label']}", file=sys.stderr, flush=True)
        del Xd

    # ---- table 1: time and memory
    rows = []
    for c in all_cases:
        key = (c["est"], c["label"])
        t, est = results[key]
        peer = peer_of(c, est)
        m = mem.get(key, {})
        rss, tm = m.get("rss_peak_growth"), m.get("tracemalloc_peak")
        peak = max((v for v in (rss, tm) if v is not None), default=None)
        rows.append([
            c["est"], c["label"], solver_used(est), n_iter(est), t,
            peer or "-", "-" if peer is None else t / results[c["est"], peer][0],
            _mb(tm), _mb(rss), "n/a" if peak is None else peak / x_bytes,
            "n/a" if peak is None else peak / dense_bytes,
        ])
    print(f"\n### {n:,} x {d:,} CSR, density {args.density}: fit time (median of "
          f"{args.repeats}) and peak memory\n")
    print(table(rows, ["estimator", "fit", "solver", "n_iter", "fit s", "sklearn peer",
                       "ours / peer", "tracemalloc peak MiB", "RSS peak growth MiB",
                       "peak / X (CSR)", "peak / dense X"]))
    print(f"\nours / peer < 1: ours faster; peak = the larger of the two memory measures; "
          f"X (CSR) = {x_bytes / MB:.1f} MiB, dense X = {dense_bytes / MB:,.0f} MiB.")
    print(f"scipy's L-BFGS-B alone on {p:,} parameters (a free objective): "
          f"{lbfgs_all * 1e3:.2f} ms per iteration with {os.cpu_count()} BLAS threads, "
          f"{lbfgs_one * 1e3:.2f} ms with 1.")

    # ---- table 2: what each fit reached, and sparse vs dense
    rows = []
    for c in all_cases:
        key = (c["est"], c["label"])
        est = results[key][1]
        ref = REFERENCE[c["est"]]
        diff = fit_difference(est, results[c["est"], ref][1])
        row = [c["est"], c["label"], quality(est, X, y, y_cls),
               "(ref)" if key[1] == ref else f"{diff:.2e}"]
        if args.check_dense:
            if key in dense:
                t_dense, est_dense = dense[key]
                err = fit_difference(est, est_dense)
                row += [t_dense, quality(est_dense, X, y, y_cls), f"{err:.2e}",
                        "yes" if err <= 1e-8 else "no"]
            else:
                row += ["-", "-", "-", "-"]
        rows.append(row)
    headers = ["estimator", "fit", "reached (sparse fit)", "rel diff to ref"]
    if args.check_dense:
        headers += ["dense fit s", "reached (dense fit)", "sparse vs dense rel diff", "≤ 1e-8"]
    print("\n### Agreement: with the reference fit, and with our fit on X.toarray()\n")
    print(table(rows, headers))
    print("\nref: " + ", ".join(f"{k} {v!r}" for k, v in REFERENCE.items())
          + "; rel diff = max|a - b| / max|b| over coef_ and intercept_ (PCA: the largest of "
          "explained_variance_'s elementwise relative difference and those of the "
          "sign-aligned components_ and mean_); R² on the training data; obj = mean "
          "log-loss + alpha/2 ‖coef‖²/n; EV = explained variance of the kept components; "
          "dense fit s: one fit on X.toarray() with 1 BLAS thread (PCA 'auto': with the "
          "solver the sparse fit chose).")


if __name__ == "__main__":
    main()
