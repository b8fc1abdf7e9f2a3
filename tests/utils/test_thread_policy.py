"""The thread policy of skdl.utils._threads: the free-CPU reader, the row tasks and
their scheduler (no timing: the speed lives in benchmarks/bench_load.py)."""

import threading

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from threadpoolctl import threadpool_info, threadpool_limits

from skdl.utils import _threads
from skdl.utils._threads import (
    blas_threads,
    free_cpus,
    row_tasks,
    run_row_tasks,
    sum_row_tasks,
)


def _blas_threads():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def _proc(tmp_path, running, states, comm="python"):
    """A fake /proc/loadavg with ``running`` runnable threads and a task directory
    with one thread per entry of ``states``."""
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(f"1.50 0.90 0.70 {running}/321 4242\n")
    tasks = tmp_path / "task"
    for tid, state in enumerate(states, start=100):
        (tasks / str(tid)).mkdir(parents=True)
        (tasks / str(tid) / "stat").write_text(f"{tid} ({comm}) {state} 1 2 3 4 5\n")
    return str(loadavg), str(tasks)


@pytest.mark.parametrize(
    "running, states, expected",
    [
        (1, ["R"], 4),  # only the caller runs: every CPU free
        (3, ["R", "S", "S"], 2),  # two threads of other processes
        (3, ["R", "R", "S"], 3),  # one of ours still spinning, one other
        (9, ["R"], 1),  # more others than CPUs: still one
        (2, ["S"], 3),  # the caller counted even when its own state reads S
    ],
)
def test_free_cpus_subtracts_other_processes_running_threads(
        tmp_path, monkeypatch, running, states, expected):
    monkeypatch.setattr(_threads, "n_cpus", lambda: 4)
    assert free_cpus(*_proc(tmp_path, running, states)) == expected


def test_free_cpus_parses_a_command_name_with_spaces_and_parentheses(tmp_path, monkeypatch):
    monkeypatch.setattr(_threads, "n_cpus", lambda: 4)
    # "(a) S (b)" as the command: the state is the field after the last ")"
    paths = _proc(tmp_path, 3, ["R", "R"], comm="a) S (b")
    assert free_cpus(*paths) == 3


@pytest.mark.parametrize("content", [None, "", "garbage", "1.0 1.0 1.0 x/12 3"])
def test_free_cpus_falls_back_to_all_cpus(tmp_path, monkeypatch, content):
    monkeypatch.setattr(_threads, "n_cpus", lambda: 3)
    loadavg = tmp_path / "loadavg"
    if content is not None:
        loadavg.write_text(content)
    assert free_cpus(str(loadavg), str(tmp_path / "missing")) == 3


def test_free_cpus_on_this_machine():
    assert 1 <= free_cpus() <= _threads.n_cpus()


def test_row_tasks_cover_the_rows_and_depend_on_the_shape_only(monkeypatch):
    cuts = row_tasks(1_000_000, 800)
    assert cuts[0] == 0 and cuts[-1] == 1_000_000
    assert np.all(np.diff(cuts) > 0)
    assert len(cuts) - 1 == round(800e6 / _threads.TASK_BYTES)
    monkeypatch.setattr(_threads, "n_cpus", lambda: 7)
    assert_array_equal(row_tasks(1_000_000, 800), cuts)
    # partial results of 16 MB: at most 4 of them (64 MB)
    assert len(row_tasks(1_000_000, 800, partial_bytes=16 * 2**20)) - 1 == 4
    # at least min_rows rows per task; never more tasks than rows
    assert np.all(np.diff(row_tasks(100_000, 800, min_rows=30_000)) >= 30_000)
    assert_array_equal(row_tasks(3, 2**30), [0, 1, 2, 3])
    assert_array_equal(row_tasks(0, 800), [0, 0])


@pytest.mark.parametrize("n_workers", [1, 2, 3, 8])
def test_run_row_tasks_runs_each_task_once_results_in_task_order(n_workers):
    cuts = np.linspace(0, 1000, 41).astype(int)
    seen = []
    lock = threading.Lock()

    def task(lo, hi, worker):
        assert 0 <= worker < n_workers
        with lock:
            seen.append(lo)
        return lo, hi

    out = run_row_tasks(task, cuts, n_workers)
    assert out == list(zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True))
    assert sorted(seen) == cuts[:-1].tolist()


def test_run_row_tasks_shares_the_tasks_between_threads():
    # the first two tasks wait for each other: they must run in two threads at once
    barrier = threading.Barrier(2, timeout=30)
    workers = []

    def task(lo, hi, worker):
        if lo < 2:
            barrier.wait()
        workers.append(worker)
        return threading.get_ident()

    idents = run_row_tasks(task, np.arange(11), n_workers=2)
    assert len(set(idents)) == 2
    assert set(workers) == {0, 1}


@pytest.mark.parametrize("n_workers", [2, 3])
def test_sum_row_tasks_equals_one_blas_call_whatever_the_threads(n_workers):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 30)) + 2.0
    cuts = np.linspace(0, 5000, 23).astype(int)

    def gram(lo, hi, worker):
        xb = X[lo:hi]
        return xb.T @ xb

    one_thread = sum_row_tasks(gram, cuts, n_workers=1)
    assert_allclose(one_thread, X.T @ X, rtol=1e-12)
    # the same cut summed in task order: bitwise the same on any number of threads
    assert_array_equal(sum_row_tasks(gram, cuts, n_workers=n_workers), one_thread)


@pytest.mark.skipif(_threads.n_cpus() < 2, reason="needs 2 CPUs")
def test_tasks_run_on_one_blas_thread_and_the_limit_is_restored():
    inside = []

    def task(lo, hi, worker):
        inside.extend(_blas_threads())
        return 0

    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads()
        if max(before) < 2:
            pytest.skip("BLAS runs on one thread here")
        run_row_tasks(task, np.arange(5), n_workers=2)
        assert inside and set(inside) == {1}
        assert _blas_threads() == before

        def failing(lo, hi, worker):
            raise RuntimeError("task failed")

        with pytest.raises(RuntimeError, match="task failed"):
            run_row_tasks(failing, np.arange(5), n_workers=2)
        assert _blas_threads() == before


def test_run_row_tasks_raises_the_first_failing_task_s_error():
    def task(lo, hi, worker):
        if lo in (3, 7):
            raise ValueError(f"task {lo}")
        return lo

    for n_workers in (1, 2, 3):
        with pytest.raises(ValueError, match="task 3"):
            run_row_tasks(task, np.arange(11), n_workers)


def test_blas_threads_of_a_large_pass_at_most_the_free_cpus(monkeypatch):
    if _threads.n_cpus() < 2:
        pytest.skip("needs 2 CPUs")
    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads()
        monkeypatch.setattr(_threads, "free_cpus", lambda: 1)
        with blas_threads(10**12):
            assert set(_blas_threads()) == {1}
        assert _blas_threads() == before
        monkeypatch.setattr(_threads, "free_cpus", lambda: 64)
        with blas_threads(10**12):  # never raised above the current setting
            assert _blas_threads() == before
        with blas_threads(1):
            assert set(_blas_threads()) == {1}


def test_row_tasks_nested_and_from_several_threads_finish():
    # the helper threads are one persistent pool: a pass run inside a task of another
    # pass (or from several threads at once) must not wait for a helper that is itself
    # waiting - a queued helper is cancelled once the caller has taken every task
    import concurrent.futures

    cuts = np.linspace(0, 4000, 11).astype(np.intp)  # 10 tasks

    def inner(lo, hi, worker):
        return float(hi - lo)

    def outer(lo, hi, worker):
        return _threads.sum_row_tasks(inner, cuts, n_workers=4) + (hi - lo)

    expected = (len(cuts) - 1) * 4000 + 4000
    with concurrent.futures.ThreadPoolExecutor(3) as ex:  # a hang fails, not blocks
        one = ex.submit(_threads.sum_row_tasks, outer, cuts, 4)
        assert one.result(timeout=60) == expected
        runs = [ex.submit(_threads.sum_row_tasks, outer, cuts, 4) for _ in range(3)]
        assert [f.result(timeout=60) for f in runs] == [expected] * 3


def test_blas_limit_and_fits_in_another_thread_as_in_the_main_one():
    # OpenBLAS 0.3.30-0.3.31 ignore openblas_set_num_threads from a non-main thread once
    # the main one set a count: the limit falls back to its _local setter, so a fit run
    # in a worker thread (joblib's threading backend, a server) has one BLAS thread per
    # row task and gives the main thread's result bit for bit
    from skdl import LinearRegression, LogisticIRLS

    libs = _threads._libraries("blas")
    before = [lib.get_num_threads() for lib in libs]
    seen = {}

    def limited():
        with _threads.limit_threads(1, "blas"):
            seen["inside"] = [lib.get_num_threads() for lib in libs]
        seen["after"] = [lib.get_num_threads() for lib in libs]

    t = threading.Thread(target=limited)
    t.start()
    t.join(60)
    assert seen["inside"] == [min(1, n) for n in before]
    assert seen["after"] == before

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60_000, 40))
    y = (rng.uniform(size=60_000) < 1 / (1 + np.exp(-X @ rng.normal(size=40) * 0.3)))
    fits = {"main": (LogisticIRLS().fit(X, y).coef_, LinearRegression().fit(X, X[:, 0] +
                                                                            y).coef_)}

    def in_thread():
        fits["thread"] = (LogisticIRLS().fit(X, y).coef_,
                          LinearRegression().fit(X, X[:, 0] + y).coef_)

    t = threading.Thread(target=in_thread)
    t.start()
    t.join(120)
    for a, b in zip(fits["main"], fits["thread"], strict=True):
        assert_array_equal(a, b)
