"""Time per epoch of CNNClassifier (digits) and LSTMRegressor (Bouc-Wen) on CPU.

Each estimator (skorch's training loop, through skdl's base) is timed against a plain
torch loop training the same module (same initial weights, Adam, the same batch
size, a fresh permutation each epoch), interleaved in this process; the ratio is
skdl's overhead.  Both run with the torch thread count the estimator picks for that
work; the last column is the plain loop on torch's default thread count, for
comparison (skdl uses one thread below ~2e8 multiply-adds per batch).

* CNNClassifier on load_digits as 1 x 8 x 8 images (70 % of 1797 = 1257 images),
  conv_channels=(16, 32), 3 x 3 kernels, 2 x 2 max pooling, dense head (64,), batch 64.
* LSTMRegressor, sequence to sequence, on make_bouc_wen(200, 250, n_dof=3) (160
  training records of 250 steps -> 3 storey displacements), hidden 64, batch 16.

Usage: python benchmarks/bench_nets.py [--quick]   (--quick: fewer epochs and repeats)
"""

import copy
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from benchmarks._harness import interleaved, machine_line, table
from skdl.datasets import make_bouc_wen
from skdl.neural_network import CNNClassifier, LSTMRegressor
from skdl.utils._threads import limit_threads


def _torch_loop(module, X, y, loss_fn, lr, batch, epochs, threads):
    """The textbook torch training loop, for reference."""
    module = copy.deepcopy(module).train()
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(0)
    with limit_threads(threads, "openmp"):
        for _ in range(epochs):
            perm = torch.randperm(len(Xt), generator=gen)
            for start in range(0, len(Xt), batch):
                idx = perm[start : start + batch]
                opt.zero_grad()
                loss = loss_fn(module(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()
    return module


def _case(name, est, X, y, loss_fn, epochs, repeats):
    # one fit to build the module (and warm torch up); both timings start from its
    # initial weights
    est.set_params(max_iter=1).fit(X, y)
    Xp = est._prepare_X(X, reset=False)
    yp, _ = est._prepare_y(y, reset=False)
    module = est._build_module(est._n_features(Xp), est.n_outputs_)
    est._init_module(module)
    small = est._torch_work(est.net_, est.batch_size) < est._one_thread_work
    threads = 1 if small else torch.get_num_threads()
    est.set_params(max_iter=epochs)
    default = torch.get_num_threads()
    funcs = {
        "skdl": lambda: est.fit(X, y),
        "torch": lambda: _torch_loop(
            module, Xp, yp, loss_fn, est.learning_rate_init, est.batch_size, epochs, threads
        ),
        "torch_default": lambda: _torch_loop(
            module, Xp, yp, loss_fn, est.learning_rate_init, est.batch_size, epochs, default
        ),
    }
    res = interleaved(funcs, repeats=repeats)
    t_ours, t_torch = res["skdl"][0] / epochs, res["torch"][0] / epochs
    t_default = res["torch_default"][0] / epochs
    return [name, f"{Xp.shape}", threads, t_ours, t_torch, t_ours / t_torch, t_default]


def main():
    quick = "--quick" in sys.argv
    epochs, repeats = (3, 2) if quick else (10, 3)
    rows = []

    X, y = load_digits(return_X_y=True)
    Xtr, _, ytr, _ = train_test_split(X / 16, y, test_size=0.3, random_state=0, stratify=y)
    cnn = CNNClassifier(
        conv_channels=(16, 32), hidden_layer_sizes=(64,), learning_rate_init=0.003,
        batch_size=64, alpha=0.0, n_iter_no_change=np.inf, random_state=0,
    )
    rows.append(
        _case(
            "CNNClassifier, digits 1x8x8",
            cnn,
            Xtr,
            ytr,
            torch.nn.CrossEntropyLoss(),
            epochs,
            repeats,
        )
    )

    t0 = time.perf_counter()
    ag, disp = make_bouc_wen(200, 250, 3, 0.02, random_state=0)
    t_sim = time.perf_counter() - t0
    Xs = (ag[:160] / ag[:160].std())[:, :, None]
    Ys = disp[:160] / disp[:160].std(axis=(0, 1))
    lstm = LSTMRegressor(
        hidden_size=64, learning_rate_init=0.01, batch_size=16, alpha=0.0,
        n_iter_no_change=np.inf, random_state=0,
    )
    rows.append(
        _case(
            "LSTMRegressor, Bouc-Wen seq2seq",
            lstm,
            Xs,
            Ys,
            torch.nn.MSELoss(),
            max(2, epochs // 2),
            repeats,
        )
    )

    print(
        f"Time per training epoch on CPU, skdl (skorch loop) vs a plain torch loop; "
        f"torch {torch.__version__}, torch threads by default: {torch.get_num_threads()}"
    )
    print(machine_line())
    print(f"(make_bouc_wen(200, 250, 3) simulated in {t_sim:.1f} s)")
    print()
    print(
        table(
            rows,
            [
                "model, data",
                "train X",
                "threads",
                "skdl s/epoch",
                "torch s/epoch",
                "skdl/torch",
                f"torch s/epoch, {torch.get_num_threads()} threads",
            ],
        )
    )


if __name__ == "__main__":
    main()
