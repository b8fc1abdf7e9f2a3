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
"""

import contextlib
import functools
import os
import sys

from threadpoolctl import ThreadpoolController

__all__ = ["SMALL_WORK", "blas_threads", "limit_threads", "n_cpus", "openmp_threads"]

#: passes of fewer multiply-adds than this run on one thread
SMALL_WORK = 10_000_000


def n_cpus():
    """The CPUs this process may run on (its affinity mask, else ``os.cpu_count()``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


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
                lib.set_num_threads(self.limits)
                self.saved.append((lib, n))
        return self

    def __exit__(self, *exc):
        for lib, n in reversed(self.saved):
            lib.set_num_threads(n)
        self.saved = []
        return False


def limit_threads(limits, user_api="blas"):
    """Context: at most ``limits`` threads for ``user_api`` ("blas" or "openmp").

    ``None`` leaves the pools as they are.  A limit above a pool's current size is
    not applied (see the module docstring).
    """
    if limits is None:
        return contextlib.nullcontext()
    return _Lowered(_libraries(user_api), limits)


def blas_threads(work, small=SMALL_WORK):
    """Context: one BLAS thread when a pass does fewer than ``small`` multiply-adds."""
    return limit_threads(1 if work < small else None, "blas")


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
