"""Time of make_bouc_wen: all sequences as one ODE system against one solve per sequence.

The brief asks for 200 sequences x 500 steps x 3 storeys "in a few seconds".
``make_bouc_wen`` integrates every sequence at once (one ``solve_ivp`` on the stacked
state); the peer is the same generator called once per sequence, the way a simulation
is usually written.  Interleaved in this process, median of ``--repeats``.  (This
timing was an assertion in tests/datasets/test_bouc_wen.py; wall-clock times belong here.)

Usage: python benchmarks/bench_bouc_wen.py [--quick]
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks._harness import interleaved, machine_line, table
from skdl.datasets import make_bouc_wen


def main():
    quick = "--quick" in sys.argv
    n_seq, n_steps, n_dof = (50, 500, 3) if quick else (200, 500, 3)

    def stacked():
        return make_bouc_wen(n_seq, n_steps, n_dof, random_state=0)

    def per_sequence():
        # the same generator, one sequence per call (other random draws, same sizes)
        parts = [make_bouc_wen(1, n_steps, n_dof, random_state=i) for i in range(n_seq)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    res = interleaved({"stacked": stacked, "per sequence": per_sequence}, repeats=3)
    t_ours, t_peer = res["stacked"][0], res["per sequence"][0]
    print(machine_line())
    print()
    print(table(
        [[f"{n_seq} x {n_steps} x {n_dof}", t_ours, t_peer, t_peer / t_ours]],
        ["sequences x steps x storeys", "make_bouc_wen s", "one call per sequence s",
         "speed-up"],
    ))
    print("\nmedian of 3 interleaved runs; speed-up = per-sequence / stacked")


if __name__ == "__main__":
    main()
