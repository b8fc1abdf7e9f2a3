"""Thread pools, sized in one place.

Every thread limit skdl sets goes through :mod:`threadpoolctl`, for BLAS (numpy's and
scipy's OpenBLAS) and for OpenMP (KMeans, and torch's intra-op pool with the MKL
calls it makes on CPU).  Two properties follow:

- The limit is **lowered only**: a pass too small to gain from more threads runs on
  one; otherwise the library's current setting is kept.  A user's own limit
  (``threadpoolctl.threadpool_limits``, ``torch.set_num_threads``,
  ``OMP_NUM_THREADS``) is never raised, so it is the setting that overrides skdl's.
- For OpenMP the limit is the calling thread's own (``omp_set_num_threads`` sets a
  per-thread value), restored on exit: fits and predictions running in other Python
  threads do not see it.  ``torch.set_num_threads``, which also changes a
  process-wide default, is never called.

Waking a pool's threads costs more than it saves on a pass of a few million
multiply-adds, and on a loaded machine a multi-threaded small product can be 10-50x
slower; hence :data:`SMALL_WORK`.

**Under load.**  A multi-threaded BLAS call splits its work evenly between its threads
and they wait for each other (OpenBLAS spins, yielding, at its barriers): when another
process holds one of the cores, the whole call runs at the pace of its slowest,
time-sliced thread, and the spinning threads take CPU from the one doing the work.
Measured on 2 cores beside a loop of 800 × 800 products on numpy's 2 BLAS threads in
another process: ``X.T @ X`` at 1e6 × 100 went from 0.26 s to 1-41 s.  Hence two
rules for the large passes over ``X`` (the Gram matrices, Hessians and gradients of
the linear models):

- :func:`run_row_tasks` cuts the rows into many tasks (about :data:`TASK_BYTES` of
  ``X`` each) that a few Python threads pull one at a time, each with one BLAS
  thread (the GIL is released inside BLAS): a core taken by another process just
  does fewer tasks, and no thread waits at a barrier for a descheduled one.  The cut
  depends on the data's shape only and the partial results are summed in task order,
  so the result is the same for any number of threads and any load.
- A large BLAS call left as one call gets at most :func:`free_cpus` threads (the
  CPUs not running another process's thread, from ``/proc/loadavg``), through
  :func:`blas_threads`.
"""

import contextlib
import functools
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import ThreadpoolController

__all__ = [
    "SMALL_WORK",
    "TASK_BYTES",
    "blas_threads",
    "free_cpus",
    "limit_threads",
    "n_cpus",
    "openmp_threads",
    "row_tasks",
    "run_row_tasks",
    "sum_row_tasks",
]

#: passes of fewer multiply-adds than this run on one thread
SMALL_WORK = 10_000_000
#: bytes of input one task of :func:`run_row_tasks` reads (measured at 1e6 × 100:
#: ``XᵀX`` in 100 tasks of single-threaded syrk on 2 threads 0.16 s, in 16 tasks
#: 0.19 s, one 2-thread syrk 0.26 s)
TASK_BYTES = 8 * 2**20
# a pass holds at most this many bytes of per-task partial results
_PARTIAL_BYTES = 64 * 2**20


def n_cpus():
    """The CPUs this process may run on (its affinity mask, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def free_cpus(loadavg="/proc/loadavg", own_tasks="/proc/self/task"):
    """The CPUs of :func:`n_cpus` not busy with another process's thread (at least 1).

    ``/proc/loadavg``'s fourth field counts the threads running or ready to run on
    the machine now (not an average); this process's own running threads (the caller
    among them, and BLAS threads still spinning after a call) are subtracted.  Costs
    a few tens of microseconds; ``n_cpus()`` where ``/proc`` cannot be read.
    """
    cpus = n_cpus()
    try:
        with open(loadavg) as f:
            running = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return cpus
    others = max(0, running - _own_running(own_tasks))
    return max(1, min(cpus, cpus - others))


def _own_running(own_tasks):
    """Threads of this process in state R (running or runnable), at least 1 (the
    caller's)."""
    count = 0
    try:
        tids = os.listdir(own_tasks)
    except OSError:
        return 1
    for tid in tids:
        try:
            with open(os.path.join(own_tasks, tid, "stat")) as f:
                stat = f.read()
        except OSError:  # the thread ended meanwhile
            continue
        # "tid (comm) S ...": comm may hold spaces and parentheses, the state follows
        # the last ")"
        fields = stat[stat.rfind(")") + 1 :].split()
        count += bool(fields) and fields[0] == "R"
    return max(count, 1)


def _libraries(user_api):
    # torch brings its own OpenMP runtime: a list made before torch was imported (a
    # KMeans fit, say) would miss it, so the list is remade once torch is loaded
    return _loaded_libraries(user_api, "torch" in sys.modules)


@functools.cache
def _loaded_libraries(user_api, torch_loaded):
    # Cached: finding the loaded libraries walks the process's shared objects (~1 ms);
    # a cached list switches a limit in a few microseconds.
    return tuple(ThreadpoolController().select(user_api=user_api).lib_controllers)


class _Lowered:
    """Context: each library of one API at most ``limits`` threads, restored on exit.

    The libraries' own setters are called directly (threadpoolctl's controllers), a few
    microseconds a switch: this sits on the path of a one-row ``predict``.
    """

    def __init__(self, libraries, limits):
        self.libraries, self.limits, self.saved = libraries, limits, []

    def __enter__(self):
        for lib in self.libraries:
            n = lib.get_num_threads()
            if n is not None and n > self.limits:
                setter = lib.set_num_threads
                setter(self.limits)
                if lib.get_num_threads() != self.limits:
                    # OpenBLAS 0.3.30-0.3.31 ignore openblas_set_num_threads called
                    # from a thread other than the main one once the main thread has
                    # set a count (a fit run in a worker thread kept 2 BLAS threads
                    # per row task, and rounded like 2 threads); its
                    # openblas_set_num_threads_local (>= 0.3.27) takes effect from any
                    # thread, for every thread, as the plain setter does from the main
                    setter = _openblas_local_setter(lib) or setter
                    setter(self.limits)
                self.saved.append((setter, n))
        return self

    def __exit__(self, *exc):
        for setter, n in reversed(self.saved):
            setter(n)
        self.saved = []
        return False


def _openblas_local_setter(lib):
    """``openblas_set_num_threads_local`` of an OpenBLAS controller, or None."""
    if getattr(lib, "internal_api", None) != "openblas":
        return None
    return getattr(getattr(lib, "dynlib", None), "openblas_set_num_threads_local", None)


def limit_threads(limits, user_api="blas"):
    """Context: at most ``limits`` threads for ``user_api`` ("blas" or "openmp").

    ``None`` leaves the pools as they are.  A limit above a pool's current size is
    not applied (see the module docstring).
    """
    if limits is None:
        return contextlib.nullcontext()
    return _Lowered(_libraries(user_api), limits)


def blas_threads(work, small=SMALL_WORK):
    """Context: one BLAS thread when a pass does fewer than ``small`` multiply-adds,
    else at most :func:`free_cpus` (the cores another process keeps busy are not
    waited for at a BLAS barrier)."""
    return limit_threads(1 if work < small else free_cpus(), "blas")


def openmp_threads(work, small=SMALL_WORK):
    """Context: one OpenMP thread (torch's intra-op pool on CPU, KMeans) for small work.

    Only the calling thread's OpenMP setting changes, and only for the block.
    """
    if work >= small:
        return contextlib.nullcontext()
    torch = sys.modules.get("torch")
    if torch is not None:
        # torch sets each thread's OpenMP size lazily, on its first parallel region;
        # trigger that first so it cannot overwrite the limit inside the block.
        torch.get_num_threads()
    return limit_threads(1, "openmp")


def row_tasks(n, row_bytes, partial_bytes=0, min_rows=1):
    """Cut points of ``n`` rows into the tasks of :func:`run_row_tasks`.

    About :data:`TASK_BYTES` of input per task (``row_bytes`` per row), at least
    ``min_rows`` rows each, and no more tasks than keep their partial results
    (``partial_bytes`` each) under 64 MB.  Depends on the arguments only - never on
    the CPUs or the load - so a pass summed in task order gives the same result
    anywhere.
    """
    n_tasks = max(1, round(n * row_bytes / TASK_BYTES))
    if partial_bytes > 0:
        n_tasks = min(n_tasks, max(1, _PARTIAL_BYTES // partial_bytes))
    n_tasks = max(1, min(n_tasks, n // max(min_rows, 1)))
    return np.linspace(0, n, n_tasks + 1).astype(np.intp)


_POOL = {}
_POOL_LOCK = threading.Lock()


def _pool():
    """The helper threads of :func:`run_row_tasks`, started on first use and kept: a
    pass is a few milliseconds, and starting threads for each one cost ~3 ms a pass on
    a loaded machine (measured in LogisticIRLS's fit at 200,000 × 100).  Sized by
    :func:`n_cpus` at first use."""
    with _POOL_LOCK:
        if "pool" not in _POOL:
            _POOL["pool"] = ThreadPoolExecutor(max(1, n_cpus() - 1),
                                               thread_name_prefix="skdl-rows")
        return _POOL["pool"]


if hasattr(os, "register_at_fork"):
    # a forked child has none of the parent's threads: it starts its own pool
    os.register_at_fork(after_in_child=_POOL.clear)


def run_row_tasks(func, cuts, n_workers=None):
    """``[func(lo, hi, worker) for each task]`` in task order, tasks pulled dynamically.

    The tasks are the row ranges ``cuts[i]:cuts[i + 1]``; ``n_workers`` threads (by
    default :func:`n_cpus`; the calling thread is one of them) each take the next
    task when done with the last, with one BLAS thread each, so that a worker on a
    core another process keeps busy just does fewer tasks.  ``worker`` (``0 ..
    n_workers - 1``) names the thread running the task, for per-thread work buffers.
    With one worker (or one task) the tasks run in the calling thread with the BLAS
    threads as they are.

    A task that raises stops the taking of new ones; the exception of the first
    failing task (in task order, as a loop would meet it) is raised.
    """
    cuts = np.asarray(cuts)
    n_tasks = len(cuts) - 1
    if n_workers is None:
        n_workers = n_cpus()
    n_workers = max(1, min(n_workers, n_tasks))
    if n_workers == 1:
        return [func(int(cuts[i]), int(cuts[i + 1]), 0) for i in range(n_tasks)]
    results = [None] * n_tasks
    errors = {}
    lock = threading.Lock()
    state = {"next": 0}

    def worker(index):
        while True:
            with lock:
                i = state["next"]
                # tasks are taken in order: once one failed, every earlier one was
                # taken already, so the first failure (in task order) is always seen
                if i >= n_tasks or errors:
                    return
                state["next"] = i + 1
            try:
                results[i] = func(int(cuts[i]), int(cuts[i + 1]), index)
            except BaseException as exc:  # re-raised in the calling thread below
                with lock:
                    errors[i] = exc

    futures = []
    with limit_threads(1, "blas"):
        try:
            futures.extend(_pool().submit(worker, k) for k in range(1, n_workers))
            worker(0)
        finally:
            # every task is taken once worker(0) returns (or, if the calling thread
            # was interrupted, none is taken any more): a helper that has not started
            # has nothing left to do (and may be queued behind a task that waits for
            # this call: a nested pass, or another thread's); the running ones are
            # waited for, so that no task outlives the call
            with lock:
                state["next"] = n_tasks
            for fut in futures:
                if not fut.cancel():
                    fut.exception()
    if errors:
        raise errors[min(errors)]
    return results


def sum_row_tasks(func, cuts, n_workers=None):
    """``Σ func(lo, hi, worker)`` of :func:`run_row_tasks`, summed in task order (the
    same result for any number of workers)."""
    parts = run_row_tasks(func, cuts, n_workers)
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total
