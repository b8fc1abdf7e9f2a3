"""MLPClassifier (skdl, torch via skorch) against sklearn's MLPClassifier.

Same architecture (one hidden layer of 100 ReLU units), initialisation law
(Glorot/Xavier uniform, which is sklearn's: ``init="xavier_uniform"``; skdl's default
is He/Kaiming normal), optimiser (Adam, learning rate 1e-3, no L2 penalty), 20 epochs,
minibatches of 64, shuffled each epoch; inputs standardised; 70/30 train/test split.
Fit time (median over interleaved repeats, ours and sklearn's alternating in this
process; wall clock, and CPU time of the process as a steadier second measure on a
shared machine) and test accuracy (mean over the repeats, repeat r seeded with
random_state=r for both) side by side.

Usage: python benchmarks/bench_mlp.py [--quick]   (--quick: 20,000 rows instead of 100,000)
"""

import pathlib
import statistics
import sys
import time
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler

from benchmarks._harness import interleaved, machine_line, table
from skdl.neural_network import MLPClassifier

EPOCHS, BATCH, HIDDEN, LR = 20, 64, (100,), 1e-3


def _ours():
    return MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        init="xavier_uniform",
        solver="adam",
        learning_rate_init=LR,
        batch_size=BATCH,
        max_iter=EPOCHS,
        alpha=0.0,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        random_state=0,
    )


def _sklearn():
    # tol=0 and n_iter_no_change > epochs: exactly EPOCHS epochs, like ours
    return SkMLP(
        hidden_layer_sizes=HIDDEN,
        solver="adam",
        learning_rate_init=LR,
        alpha=0.0,
        batch_size=BATCH,
        max_iter=EPOCHS,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        shuffle=True,
        random_state=0,
    )


def _case(name, X, y, repeats):
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    cpu = {"skdl": [], "sklearn": []}
    models = {"skdl": [], "sklearn": []}

    def timed(label, make):
        # CPU seconds of this process (all threads) too: steadier than wall time on a
        # loaded machine, and it counts the work of sklearn's BLAS threads.  Repeat r
        # uses random_state=r for both, so the accuracy is a mean over seeds.
        def run():
            seed = len(cpu[label])
            t0 = time.process_time()
            model = make().set_params(random_state=seed).fit(Xtr, ytr)
            cpu[label].append(time.process_time() - t0)
            models[label].append(model)
            return model

        return run

    res = interleaved(
        {"skdl": timed("skdl", _ours), "sklearn": timed("sklearn", _sklearn)},
        repeats=repeats,
        warmup=False,
    )
    t_ours, t_sk = res["skdl"][0], res["sklearn"][0]
    c_ours, c_sk = statistics.median(cpu["skdl"]), statistics.median(cpu["sklearn"])
    acc_ours = statistics.mean(m.score(Xte, yte) for m in models["skdl"])
    acc_sk = statistics.mean(m.score(Xte, yte) for m in models["sklearn"])
    return [
        name,
        f"{Xtr.shape[0]} x {Xtr.shape[1]}",
        t_ours,
        t_sk,
        t_ours / t_sk,
        c_ours / c_sk,
        acc_ours,
        acc_sk,
        acc_ours - acc_sk,
    ]


def main():
    quick = "--quick" in sys.argv
    warnings.simplefilter("ignore", ConvergenceWarning)
    # one untimed fit each: torch's lazy imports and thread pools start once per process
    Xw, yw = load_digits(return_X_y=True)
    _ours().set_params(max_iter=1).fit(Xw, yw)
    _sklearn().set_params(max_iter=1).fit(Xw, yw)
    rows = [_case("load_digits", *load_digits(return_X_y=True), repeats=5)]
    n = 20_000 if quick else 100_000
    X, y = make_classification(
        n_samples=n, n_features=50, n_informative=30, n_redundant=10, n_classes=2, random_state=0
    )
    rows.append(_case(f"make_classification({n}, 50)", X, y, repeats=3))
    print(f"MLP, {HIDDEN[0]} ReLU hidden units, Adam lr={LR}, {EPOCHS} epochs, batch {BATCH}")
    print(machine_line())
    print()
    print(
        table(
            rows,
            [
                "data",
                "train",
                "skdl fit s",
                "sklearn fit s",
                "wall ratio",
                "cpu ratio",
                "skdl acc (mean)",
                "sklearn acc (mean)",
                "acc diff",
            ],
        )
    )


if __name__ == "__main__":
    main()
