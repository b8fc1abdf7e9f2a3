"""Shared helpers of the benchmark scripts: interleaved A/B timing and tables.

Every script times ours against the peer *in one process*, alternating
(A B A B ...), and reports medians and the ratio, because the machines are shared
and noisy: a ratio measured side by side is meaningful, an absolute time less so.
"""

import platform
import statistics
import time

import numpy as np


def interleaved(funcs, repeats=3, warmup=False, pause=0.0):
    """Time callables alternately; return ``{name: (median_seconds, last_result)}``.

    ``funcs`` maps a label to a zero-argument callable.  Each round calls every
    callable once, in order, so drifts in machine load hit all of them alike.
    ``pause`` seconds of sleep before each timed call let the BLAS threads of the
    previous call go idle: numpy and scipy each bundle an OpenBLAS whose threads
    spin for a while after a call, and a fit of a few tens of milliseconds that starts
    while the other library's threads spin runs up to 1.5x slower on 2 cores, so
    without a pause such a time depends on which callable ran before it.
    """
    times = {name: [] for name in funcs}
    results = {}
    if warmup:
        for f in funcs.values():
            f()
    for _ in range(repeats):
        for name, f in funcs.items():
            if pause:
                time.sleep(pause)
            t0 = time.perf_counter()
            results[name] = f()
            times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(ts), results[name]) for name, ts in times.items()}


def table(rows, headers):
    """Format rows (lists) as a GitHub-markdown table and return it as a string."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for j, r in enumerate(cells):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
        if j == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(c):
    if isinstance(c, float | np.floating):
        if c != 0 and (abs(c) < 1e-3 or abs(c) >= 1e5):
            return f"{c:.3e}"
        return f"{c:.4g}"
    return str(c)


def status_kb(field):
    """A ``kB`` field of ``/proc/self/status`` (``"VmRSS"``, ``"VmHWM"``: Linux only;
    ``OSError`` elsewhere)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def machine_line():
    """One line describing the machine and the BLAS in use."""
    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(
            f"{i['internal_api']} {i.get('version') or ''} {i.get('architecture') or ''} "
            f"x{i['num_threads']}"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        )
    except Exception:  # pragma: no cover
        blas = "unknown BLAS"
    return f"python {platform.python_version()}, numpy {np.__version__}, {blas}"
