"""RidgeRBF vs sklearn's KernelRidge(kernel='rbf') and Pipeline(Nystroem, Ridge).

Data: 4-D inputs uniform on [-π, π]⁴, target ``Σⱼ sin(xⱼ)`` plus Gaussian noise of
standard deviation 0.1 (so the best attainable R² is about 0.995); held-out R² on
20,000 fresh samples.  ``m = 300`` centres / Nyström components.

Rows: n = 2,000, 5,000, 20,000 against KernelRidge (the exact ``n × n`` kernel
system) and Nystroem(n_components=m) + Ridge; n = 200,000 against Nystroem + Ridge
only (KernelRidge would need a 320 GB kernel matrix).  Within each n the fits are
interleaved in one process (benchmarks/_harness.py) and the ratio is
``peer time / RidgeRBF time`` (> 1: RidgeRBF is faster).

Hyper-parameters: chosen for every method by the same rule, 3-fold cross-validated
R² on the training set (GridSearchCV, KFold(3, shuffle=True, random_state=0)), over
the same gamma = 1/width grid {0.02, 0.05, 0.1} and 5-point alpha grids scaled by
n / 5,000 (the Gram matrices grow like n, so this keeps alpha / ‖ΦᵀΦ‖ fixed).
KernelRidge and Nystroem + Ridge penalise the RKHS norm: alpha ∈ {1e-5, ..., 1e-1}·n/5,000.
RidgeRBF is tuned as a user would tune it, over its own parameters: ``penalty``
"rkhs" (the same norm, same alpha grid) or "l2" (the notes' ``‖θ‖²``, a different
scale: alpha ∈ {1e-8, ..., 1e-4}·n/5,000, the smallest still on the Cholesky path
at gamma = 0.05), and ``centers`` "kmeans" (default: KMeans, k-means++, n_init=1,
≤ 20 iterations, on a random subsample of max(1,000, 5·m) = 1,500 rows) or "random"
(m training rows, as Nystroem draws them).  KernelRidge at n = 20,000 is not
cross-validated (3 folds × 15 settings of a 1-minute fit): it uses its n = 5,000
choice with alpha scaled by 4.  The search is not timed; the table times one fit
with the chosen values (centre selection included).  Each timed fit starts after
0.3 s of idle time, so that it does not run against the spinning BLAS threads of the
fit before it (see ``interleaved``).

Held-out R² differences between these methods are a few 1e-5 (all sit near the
noise ceiling 1 - 0.01/2.01 = 0.99502), the size of the spread over training sets,
so ``--seeds K`` adds, for n = 2,000 / 5,000 / 20,000, K further training sets
(seeds 1..K) with the whole selection redone on each, and prints every paired
difference RidgeRBF - Nystroem + Ridge and their mean, for RidgeRBF searched as in the
table and for each penalty with the default k-means centres (tuned over width, alpha).

Usage: python benchmarks/bench_rbf.py [--quick] [--skip-krr-20000] [--seeds K]
    --quick           n = 2,000 and 5,000 only, and n = 50,000 for the Nystroem row
    --skip-krr-20000  no KernelRidge at n = 20,000 (about 1 min and 6.4 GB on a quiet
                      2-core machine, several on a loaded one)
    --seeds K         the paired R² comparison over K more training sets (about
                      1.5 min per seed)
"""

import sys
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.kernel_approximation import Nystroem
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Ridge as SkRidge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from benchmarks._harness import interleaved, machine_line, table  # noqa: E402
from skdl import RidgeRBF  # noqa: E402

M = 300
# seconds of idle time before each timed fit (see benchmarks/_harness.interleaved):
# measured at n = 5,000, RidgeRBF and Nystroem+Ridge took 54 and 44 ms back to back
# in the order RidgeRBF, KernelRidge, Nystroem, and 36 and 39 ms with 0.3 s pauses
PAUSE = 0.3
GAMMAS = (0.02, 0.05, 0.1)
ALPHAS_RBF = (1e-8, 1e-7, 1e-6, 1e-5, 1e-4)
ALPHAS_KERNEL = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1)


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-np.pi, np.pi, size=(n, 4))
    y = np.sin(X).sum(axis=1) + 0.1 * rng.normal(size=n)
    return X, y


def _models():
    """name -> (unfitted model, its parameter grid as a function of n)."""
    def scaled(alphas, n):
        return [a * n / 5_000 for a in alphas]

    return {
        "RidgeRBF": (
            RidgeRBF(n_centers=M, random_state=0),
            lambda n: [
                {"width": [1 / g for g in GAMMAS], "centers": ["kmeans", "random"],
                 "penalty": [penalty], "alpha": scaled(alphas, n)}
                for penalty, alphas in (("rkhs", ALPHAS_KERNEL), ("l2", ALPHAS_RBF))
            ],
        ),
        "KernelRidge": (
            KernelRidge(kernel="rbf"),
            lambda n: {"gamma": list(GAMMAS), "alpha": scaled(ALPHAS_KERNEL, n)},
        ),
        "Nystroem+Ridge": (
            make_pipeline(Nystroem(n_components=M, random_state=0), SkRidge()),
            lambda n: {"nystroem__gamma": list(GAMMAS),
                       "ridge__alpha": scaled(ALPHAS_KERNEL, n)},
        ),
    }


# from this n on, KernelRidge's kernel Cholesky runs on one BLAS thread (see run)
_POTRF_CRASH_N = 15_000


def select(name, X, y, fixed=None):
    """Hyper-parameters of one method by 3-fold CV R² on the training set.

    ``fixed``: parameters held at one value (the grids that do not allow it are dropped).
    """
    model, grid = _models()[name]
    grid = grid(X.shape[0])
    if fixed:
        grid = [{**g, **{k: [v] for k, v in fixed.items()}} for g in grid
                if all(v in g.get(k, [v]) for k, v in fixed.items())]
    search = GridSearchCV(model, grid, cv=KFold(3, shuffle=True, random_state=0),
                          scoring="r2", refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return search.best_params_


def run(n, with_krr, X_test, y_test, repeats, chosen):
    X, y = make_data(n, seed=n)
    names = ["RidgeRBF"] + (["KernelRidge"] if with_krr else []) + ["Nystroem+Ridge"]
    params = {}
    for name in names:
        if name == "KernelRidge" and n > 5_000:
            p = dict(chosen[5_000]["KernelRidge"])
            p["alpha"] *= n / 5_000
        else:
            p = select(name, X, y)
        params[name] = p
    chosen[n] = params
    funcs = {
        name: (lambda name=name: clone(_models()[name][0]).set_params(**params[name]).fit(X, y))
        for name in names
    }
    if "KernelRidge" in funcs and n >= _POTRF_CRASH_N:
        # OpenBLAS 0.3.30/0.3.31's threaded Cholesky (dpotrf) segfaults on its AVX-512
        # (SkylakeX) kernels from n ~ 16,000 on (reproduced with numpy/scipy alone,
        # scipy.linalg.lapack.dpotrf of a 16,000 x 16,000 SPD matrix); one BLAS thread
        # does not crash, so KernelRidge's n x n solve runs single-threaded here
        krr = funcs["KernelRidge"]

        def single_threaded_krr():
            with threadpool_limits(1, user_api="blas"):
                return krr()

        funcs["KernelRidge"] = single_threaded_krr
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = interleaved(funcs, repeats=repeats, pause=PAUSE)
    t_ours, ours = res.pop("RidgeRBF")
    r2_ours = r2_score(y_test, ours.predict(X_test))
    rows = []
    for name, (t_peer, peer) in res.items():
        r2_peer = r2_score(y_test, peer.predict(X_test))
        rows.append([f"{n:,}", name, t_ours, t_peer, t_peer / t_ours, f"{r2_ours:.6f}",
                     f"{r2_peer:.6f}", f"{(r2_ours - r2_peer) * 1e6:+.2f}"])
    notes = sorted({f"{w.category.__name__}: {str(w.message)[:90]}" for w in caught})
    return rows, ours.solver_, notes, params


def main():
    quick = "--quick" in sys.argv
    skip_krr_big = "--skip-krr-20000" in sys.argv
    X_test, y_test = make_data(20_000, seed=1)
    plan = [(2_000, True, 3), (5_000, True, 3)]
    if quick:
        plan.append((50_000, False, 3))
    else:
        plan += [(20_000, not skip_krr_big, 1), (200_000, False, 3)]
    print(f"# RidgeRBF vs KernelRidge / Nystroem+Ridge (4-D sin target, m = {M}, "
          "gamma = 1/width and alpha by 3-fold CV on the training set)")
    print(machine_line())
    rows = []
    chosen = {}
    for n, with_krr, repeats in plan:
        r, solver, notes, params = run(n, with_krr, X_test, y_test, repeats, chosen)
        rows += r
        print(f"n = {n:,}: RidgeRBF solver_ = {solver!r}, {repeats} interleaved round(s); "
              + "; ".join(f"{k} {_fmt_params(v)}" for k, v in params.items())
              + ("".join(f"\n    warning: {w}" for w in notes)), flush=True)
    print()
    print(table(rows, ["n", "peer", "RidgeRBF fit s", "peer fit s", "speed-up (peer/ours)",
                       "RidgeRBF R²", "peer R²", "ΔR² (ours - peer), 1e-6"]))
    if skip_krr_big and not quick:
        print("\nKernelRidge at n = 20,000 skipped (--skip-krr-20000).")
    elif not quick:
        print("\nKernelRidge at n = 20,000 runs on one BLAS thread: OpenBLAS 0.3.30/0.3.31's "
              "threaded Cholesky segfaults on AVX-512 kernels from n ~ 16,000 on.")
    if "--seeds" in sys.argv:
        k = int(sys.argv[sys.argv.index("--seeds") + 1])
        print(f"\n# Paired held-out R²: RidgeRBF - Nystroem+Ridge over {k} more training "
              "sets (selection redone on each)")
        rows = paired_seeds(k, X_test, y_test)
        print()
        print(table(rows, ["n", "RidgeRBF", "ΔR² per seed (1e-6)", "mean ΔR² (1e-6)",
                           "seeds with ΔR² ≥ 0"]))


# RidgeRBF settings of the paired comparison: the full search of the main table, and
# the two penalties with the default (k-means) centres, each tuned over width and alpha
_VARIANTS = {
    "CV over penalty and centers": None,
    "penalty='rkhs', centers='kmeans'": {"penalty": "rkhs", "centers": "kmeans"},
    "penalty='l2', centers='kmeans'": {"penalty": "l2", "centers": "kmeans"},
}


def paired_seeds(k, X_test, y_test):
    """RidgeRBF - Nystroem + Ridge held-out R² over k more training sets (untimed)."""
    diffs = {(n, v): [] for n in (2_000, 5_000, 20_000) for v in _VARIANTS}
    for n in (2_000, 5_000, 20_000):
        for seed in range(1, k + 1):
            X, y = make_data(n, seed=n + 1_000 * seed)

            def held_out_r2(name, fixed=None, X=X, y=y):
                model = clone(_models()[name][0]).set_params(**select(name, X, y, fixed))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return r2_score(y_test, model.fit(X, y).predict(X_test))

            ref = held_out_r2("Nystroem+Ridge")
            for variant, fixed in _VARIANTS.items():
                diffs[n, variant].append(held_out_r2("RidgeRBF", fixed) - ref)
            print(f"  n = {n:,} seed {seed}: ΔR² = "
                  + ", ".join(f"{diffs[n, v][-1]:+.2e} ({v})" for v in _VARIANTS), flush=True)
    return [[f"{n:,}", v, " ".join(f"{x * 1e6:+.2f}" for x in d),
             f"{np.mean(d) * 1e6:+.2f}", f"{sum(x >= 0 for x in d)} of {len(d)}"]
            for (n, v), d in diffs.items()]


def _fmt_params(p):
    return "(" + ", ".join(
        f"{k.split('__')[-1]}={v:.3g}" if isinstance(v, float) else f"{k.split('__')[-1]}={v}"
        for k, v in sorted(p.items())) + ")"


if __name__ == "__main__":
    main()
