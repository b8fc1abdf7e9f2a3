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
the same gamma = 1/width grid {0.05, 0.1} and a 5-point alpha grid per method scaled
by n / 5,000 (the Gram matrices grow like n, so this keeps alpha / ‖ΦᵀΦ‖ fixed):
KernelRidge and Nystroem + Ridge (whose penalties are the same RKHS norm)
alpha ∈ {1e-5, ..., 1e-1}·n/5,000; RidgeRBF, whose penalty ``‖θ‖²`` on the basis
coefficients is a different norm, alpha ∈ {1e-8, ..., 1e-4}·n/5,000 (with wide,
overlapping Gaussians its held-out R² keeps improving as alpha shrinks down to about
1e-7·n/5,000; the grid stops at 1e-8·n/5,000, where rcond(ΦᵀΦ + αI) ≈ 1e-13 is still
above the Cholesky path's limit 300·eps ≈ 7e-14: 1e-9·n/5,000 falls back to the SVD
of the n × m basis with an IllConditionedWarning, and is slower).  KernelRidge at
n = 20,000 is not cross-validated (3 folds × 10 settings of a 1-minute fit): it uses
its n = 5,000 choice with alpha scaled by 4.
The search is not timed; the table times one fit with the chosen values.
RidgeRBF's centres: KMeans (k-means++, n_init=1, ≤ 20 iterations) on a random
subsample of max(1,000, 5·m) = 1,500 rows, included in the timed fit.

Usage: python benchmarks/bench_rbf.py [--quick] [--skip-krr-20000]
    --quick           n = 2,000 and 5,000 only, and n = 50,000 for the Nystroem row
    --skip-krr-20000  no KernelRidge at n = 20,000 (about 1 min and 6.4 GB on a quiet
                      2-core machine, several on a loaded one)
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

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from benchmarks._harness import interleaved, machine_line, table  # noqa: E402
from skdl import RidgeRBF  # noqa: E402

M = 300
GAMMAS = (0.05, 0.1)
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
            lambda n: {"width": [1 / g for g in GAMMAS], "alpha": scaled(ALPHAS_RBF, n)},
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


def select(name, X, y):
    """Hyper-parameters of one method by 3-fold CV R² on the training set."""
    model, grid = _models()[name]
    search = GridSearchCV(model, grid(X.shape[0]), cv=KFold(3, shuffle=True, random_state=0),
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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = interleaved(funcs, repeats=repeats)
    t_ours, ours = res.pop("RidgeRBF")
    r2_ours = r2_score(y_test, ours.predict(X_test))
    rows = []
    for name, (t_peer, peer) in res.items():
        r2_peer = r2_score(y_test, peer.predict(X_test))
        rows.append([f"{n:,}", name, t_ours, t_peer, t_peer / t_ours, f"{r2_ours:.5f}",
                     f"{r2_peer:.5f}", f"{r2_ours - r2_peer:+.5f}"])
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
                       "RidgeRBF R²", "peer R²", "ΔR² (ours - peer)"]))
    if skip_krr_big and not quick:
        print("\nKernelRidge at n = 20,000 skipped (--skip-krr-20000).")


def _fmt_params(p):
    return "(" + ", ".join(f"{k.split('__')[-1]}={v:.3g}" for k, v in sorted(p.items())) + ")"


if __name__ == "__main__":
    main()
