"""LogisticIRLS and SoftmaxClassifier against sklearn and statsmodels.

Binary: n=200,000 x d=100, unpenalised (LogisticIRLS alpha=0; sklearn C=inf;
statsmodels GLM(Binomial) IRLS); sklearn's lbfgs also with tol=1e-10, where it reaches
LogisticIRLS's optimum (its default tol=1e-4 stops ~1e-8 above it in log-loss), and
Intel's extension (``sklearnex``, oneDAL) when it is importable (optional, never a
dependency).  LogisticIRLS's time includes its covariance (standard errors).
Multinomial: n=100,000 x d=50 x 10 classes, L2 penalty alpha=1 (sklearn C=1), plus
SoftmaxClassifier's minibatch solver='sgd' (Adam) for scale.  Every contender runs at
its default tolerance (and lbfgs also at tol=1e-10), in
one process, interleaved (benchmarks/_harness.py); the table reports the median
time, the ratio to skdl, the iterations and the training log-loss (mean negative
log-likelihood, plus the penalty term for the multinomial), whose difference to
skdl's shows that the fits are equally converged, and the median CPU time (process
time: all threads) as a second measure on a shared machine.

Usage: python benchmarks/bench_logistic.py [--quick] [--repeats R] [--threads T]
"""

import argparse
import pathlib
import statistics
import sys
import time
import warnings

import numpy as np
from scipy.special import expit, log_softmax
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

from benchmarks._harness import interleaved, machine_line, table
from skdl import LogisticIRLS, SoftmaxClassifier


def binary_data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    theta = rng.normal(size=d) * 2.0 / np.sqrt(d)
    y = (rng.uniform(size=n) < expit(X @ theta + 0.3)).astype(np.int64)
    return X, y


def multinomial_data(n, d, m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    W = rng.normal(size=(m, d)) * 1.5 / np.sqrt(d)
    logits = X @ W.T
    p = np.exp(log_softmax(logits, axis=1))
    y = (rng.uniform(size=(n, 1)) > np.cumsum(p, axis=1)).sum(axis=1)
    return X, np.minimum(y, m - 1)


def binary_logloss(X, y, coef, intercept):
    eta = X @ coef + intercept
    return float(np.mean(np.logaddexp(0.0, eta) - y * eta))


def multinomial_objective(X, y, coef, intercept, alpha):
    logp = log_softmax(X @ coef.T + intercept, axis=1)
    nll = -np.mean(logp[np.arange(len(y)), y])
    return float(nll + 0.5 * alpha * np.sum(coef**2) / len(y))


def run_binary(n, d, repeats, with_statsmodels=True):
    X, y = binary_data(n, d)

    def skdl_irls():
        clf = LogisticIRLS().fit(X, y)
        return clf.coef_[0], clf.intercept_[0], clf.n_iter_

    def sk(solver, cls=LogisticRegression, **params):
        def f():
            clf = cls(C=np.inf, solver=solver, max_iter=1000, **params).fit(X, y)
            return clf.coef_[0], clf.intercept_[0], int(np.ravel(clf.n_iter_)[0])

        return f

    def statsmodels_glm():
        res = sm.GLM(y, sm.add_constant(X, prepend=True), family=sm.families.Binomial()).fit()
        return res.params[1:], res.params[0], int(res.fit_history["iteration"])

    funcs = {
        "skdl LogisticIRLS": skdl_irls,
        "sklearn newton-cholesky": sk("newton-cholesky"),
        "sklearn lbfgs": sk("lbfgs"),
        "sklearn lbfgs tol=1e-10": sk("lbfgs", tol=1e-10),
    }
    intelex = _sklearnex_logistic()
    if intelex is not None:
        funcs["sklearnex lbfgs"] = sk("lbfgs", cls=intelex)
        funcs["sklearnex lbfgs tol=1e-10"] = sk("lbfgs", cls=intelex, tol=1e-10)
    if with_statsmodels:
        funcs["statsmodels GLM"] = statsmodels_glm
    res = _timed(funcs, repeats)
    return _rows(res, lambda r: binary_logloss(X, y, r[0], r[1]), "skdl LogisticIRLS")


def _sklearnex_logistic():
    """Intel's extension's LogisticRegression (oneDAL), or None when not installed."""
    try:
        from sklearnex.linear_model import LogisticRegression as IntelLogisticRegression
    except ImportError:
        return None
    return IntelLogisticRegression


def _timed(funcs, repeats):
    """:func:`interleaved` with the median CPU (process) time of each callable added:
    ``{name: (median_seconds, last_result, median_cpu_seconds)}``."""
    cpu = {name: [] for name in funcs}

    def wrap(name, f):
        def g():
            c0 = time.process_time()
            out = f()
            cpu[name].append(time.process_time() - c0)
            return out

        return g

    res = interleaved({name: wrap(name, f) for name, f in funcs.items()}, repeats=repeats)
    return {name: (t, r, statistics.median(cpu[name])) for name, (t, r) in res.items()}


def run_multinomial(n, d, m, repeats, alpha=1.0):
    X, y = multinomial_data(n, d, m)

    def skdl_softmax(solver, **params):
        def f():
            clf = SoftmaxClassifier(alpha=alpha, solver=solver, **params).fit(X, y)
            return clf.coef_, clf.intercept_, clf.n_iter_

        return f

    def sk(solver):
        def f():
            clf = LogisticRegression(C=1.0 / alpha, solver=solver).fit(X, y)
            return clf.coef_, clf.intercept_, int(clf.n_iter_[0])

        return f

    funcs = {
        "skdl SoftmaxClassifier lbfgs": skdl_softmax("lbfgs"),
        "sklearn lbfgs": sk("lbfgs"),
        "sklearn newton-cholesky": sk("newton-cholesky"),
        # minibatch SGD at its defaults (200 per batch, stops when the epoch objective
        # settles): cheap epochs, a visibly less converged objective
        "skdl SoftmaxClassifier sgd (adam)": skdl_softmax("sgd", optimizer="adam",
                                                          random_state=0),
    }
    res = _timed(funcs, repeats)
    return _rows(
        res,
        lambda r: multinomial_objective(X, y, r[0], r[1], alpha),
        "skdl SoftmaxClassifier lbfgs",
    )


def _rows(res, loss, ours):
    t_ours = res[ours][0]
    l_ours = loss(res[ours][1])
    rows = []
    for name, (t, r, cpu) in res.items():
        ll = loss(r)
        rows.append([name, t, t / t_ours, cpu, r[2], ll, ll - l_ours])
    return rows


HEADERS = ["method", "time [s]", "time / skdl", "CPU [s]", "n_iter", "train log-loss",
           "Δ vs skdl"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a tenth of the samples")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--binary-only", action="store_true", help="skip the multinomial")
    parser.add_argument("--no-statsmodels", action="store_true",
                        help="skip statsmodels' GLM (~10 s a fit)")
    parser.add_argument(
        "--threads", type=int, default=None, help="limit BLAS/OpenMP threads (all contenders)"
    )
    args = parser.parse_args()
    if args.threads is not None:
        threadpool_limits(args.threads)
    scale = 10 if args.quick else 1
    warnings.simplefilter("ignore")  # sklearn's lbfgs may stop at max_iter=100
    print(machine_line() + (f"; limited to {args.threads} thread(s)" if args.threads else ""))
    n, d = 200_000 // scale, 100
    print(f"\n### Binary, n={n:,} x d={d}, unpenalised\n")
    print(table(run_binary(n, d, args.repeats, not args.no_statsmodels), HEADERS))
    if _sklearnex_logistic() is None:
        print("\n(sklearnex not installed: no Intel extension rows)")
    if args.binary_only:
        return
    n, d, m = 100_000 // scale, 50, 10
    print(f"\n### Multinomial, n={n:,} x d={d} x {m} classes, alpha=1 (C=1)\n")
    print(table(run_multinomial(n, d, m, args.repeats), HEADERS))


if __name__ == "__main__":
    main()
