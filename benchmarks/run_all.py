"""Run every benchmark script and write benchmarks/RESULTS.md.

Usage: python benchmarks/run_all.py [--quick]
"""

import datetime
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).parent


def main():
    scripts = sorted(p for p in HERE.glob("bench_*.py"))
    extra = sys.argv[1:]
    parts = [f"# Benchmark results\n\nWritten by `benchmarks/run_all.py` on "
             f"{datetime.date.today().isoformat()}.  Each table comes from one process "
             "run, ours and the peer interleaved; ratios are what to read.\n"]
    for script in scripts:
        print(f"== {script.name}", flush=True)
        out = subprocess.run(
            [sys.executable, str(script), *extra], capture_output=True, text=True, cwd=HERE.parent
        )
        print(out.stdout)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            parts.append(f"## {script.name}\n\nFAILED (exit {out.returncode})\n\n```\n"
                         f"{out.stderr[-3000:]}\n```\n")
        else:
            parts.append(f"## {script.name}\n\n{out.stdout}\n")
    (HERE / "RESULTS.md").write_text("\n".join(parts))
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
