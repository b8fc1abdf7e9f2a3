"""RidgeRBF vs sklearn's KernelRidge(kernel='rbf') and Pipeline(Nystroem, Ridge).

Data: 4-D inputs uniform on [-π, π]⁴, target ``Σⱼ sin(xⱼ)`` plus Gaussian noise of
standard deviation 0.1 (so the best attainable R² is about 0.995); held-out R² on
20,000 fresh samples.  ``m = 300`` centres / Nyström components.

Rows: n = 2,000, 5,000, 20,000 against KernelRidge (the exact ``n × n`` kernel
system) and Nystroem(n_components=m) + Ridge; n = 200,000 against Nystroem + Ridge
only (KernelRidge would need a 320 GB kernel matrix).  Within each n the fits are
interleaved in one process (benchmarks/_harness.py) and the ratio is
``peer time / RidgeRBF time`` (> 1: RidgeRBF is faster).

Hyper-parameters (fixed, chosen once by held-out R² at n = 5,000 on a grid
gamma ∈ {0.1, 0.15, 0.25}, alpha ∈ {1e-6 ... 1e-1}): gamma = 1/width = 0.1 for all;
alpha = 1e-2 for KernelRidge and Nystroem + Ridge (whose penalties are the same
RKHS norm); for RidgeRBF, whose penalty ``‖θ‖²`` on the basis coefficients is a
different norm, alpha = 2e-9·n (1e-5 at n = 5,000, 4e-4 at n = 200,000).  With
wide, overlapping Gaussians the held-out R² keeps improving as alpha shrinks
(n = 20,000: 0.99404 at 4e-3, 0.99438 at 4e-4, 0.99451 at 4e-5, 0.99457 at 1e-6), until
``ΦᵀΦ + αI`` (whose largest eigenvalue grows like n) becomes too ill-conditioned for
the Cholesky path and RidgeRBF falls back to the SVD of the n × m basis; scaling
alpha with n keeps alpha / λ_max, hence the conditioning, the same at every n, as
small as the Cholesky path allows (a constant 1e-4 falls back at n = 200,000).
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
from sklearn.kernel_approximation import Nystroem
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Ridge as SkRidge
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from benchmarks._harness import interleaved, machine_line, table  # noqa: E402
from skdl import RidgeRBF  # noqa: E402

M = 300
GAMMA = 0.1
ALPHA_KERNEL = 1e-2


def alpha_rbf(n):
    return 2e-9 * n


def make_data(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-np.pi, np.pi, size=(n, 4))
    y = np.sin(X).sum(axis=1) + 0.1 * rng.normal(size=n)
    return X, y


def _peers(n, with_krr):
    peers = {}
    if with_krr:
        peers["KernelRidge"] = lambda X, y: KernelRidge(
            kernel="rbf", gamma=GAMMA, alpha=ALPHA_KERNEL
        ).fit(X, y)
    peers["Nystroem+Ridge"] = lambda X, y: make_pipeline(
        Nystroem(gamma=GAMMA, n_components=M, random_state=0), SkRidge(alpha=ALPHA_KERNEL)
    ).fit(X, y)
    return peers


def run(n, with_krr, X_test, y_test, repeats):
    X, y = make_data(n, seed=n)
    funcs = {
        "RidgeRBF": lambda: RidgeRBF(
            n_centers=M, width=1.0 / GAMMA, alpha=alpha_rbf(n), random_state=0
        ).fit(X, y)
    }
    for name, fit in _peers(n, with_krr).items():
        funcs[name] = lambda fit=fit: fit(X, y)
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
    return rows, ours.solver_, notes


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
          f"gamma = 1/width = {GAMMA})")
    print(machine_line())
    rows = []
    for n, with_krr, repeats in plan:
        r, solver, notes = run(n, with_krr, X_test, y_test, repeats)
        rows += r
        print(f"n = {n:,}: RidgeRBF solver_ = {solver!r}, {repeats} interleaved round(s)"
              + ("".join(f"\n    warning: {w}" for w in notes)), flush=True)
    print()
    print(table(rows, ["n", "peer", "RidgeRBF fit s", "peer fit s", "speed-up (peer/ours)",
                       "RidgeRBF R²", "peer R²", "ΔR² (ours - peer)"]))
    if skip_krr_big and not quick:
        print("\nKernelRidge at n = 20,000 skipped (--skip-krr-20000).")


if __name__ == "__main__":
    main()
