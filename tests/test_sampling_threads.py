"""The samplers' thread policy (skbalance.sampling._threads): how many threads a neighbour
search runs under CPU affinity, cgroup quotas, threadpoolctl limits and joblib workers, and
BLAS's thread limit left as the user set it."""

import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from joblib import Parallel, cpu_count, delayed, parallel_config
from threadpoolctl import threadpool_info, threadpool_limits

import skbalance.sampling._neighbors as neighbors_module
from skbalance.sampling import SMOTE, _threads
from skbalance.sampling._neighbors import kneighbors
from skbalance.sampling._threads import (
    effective_n_threads,
    single_threaded_blas,
    usable_threads,
)


def blas_limits():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_n_jobs_counts_like_scikit_learn():
    """Class: n_jobs read another way than scikit-learn's (explicit counts honoured,
    negative counts from the usable CPUs, 0 meaningless)."""
    usable = usable_threads()
    assert effective_n_threads(None) == usable
    assert effective_n_threads(3) == 3 and effective_n_threads(np.int64(5)) == 5
    assert effective_n_threads(-1) == usable
    assert effective_n_threads(-2) == max(1, usable - 1)
    assert effective_n_threads(-1000) == 1
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs must be None, a positive number"):
            effective_n_threads(bad)


def test_threadpoolctl_limits_bound_the_default():
    """Class: threads that ignore ``threadpool_limits`` (scikit-learn's OpenMP kernels obey
    it; so must we, for every API the user may limit)."""
    with threadpool_limits(limits=1):
        assert usable_threads() == 1 and effective_n_threads(None) == 1
    with threadpool_limits(limits=1, user_api="blas"):
        assert usable_threads() == 1
    if any(lib["user_api"] == "openmp" for lib in threadpool_info()):
        with threadpool_limits(limits=1, user_api="openmp"):
            assert usable_threads() == 1
    with threadpool_limits(limits=1):
        assert effective_n_threads(4) == 4  # an explicit request is honoured


def test_omp_num_threads_bounds_the_default(monkeypatch):
    """Class: an environment limit ignored when no OpenMP library reports it."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert usable_threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "not a number")
    assert usable_threads() >= 1


def test_cgroup_quota_bounds_the_default(monkeypatch):
    """Class: a container's CPU quota ignored (os.cpu_count() reports the host's CPUs)."""
    from joblib.externals.loky.backend import context

    monkeypatch.setattr(context, "_cpu_count_cgroup", lambda os_cpu_count: 1)
    assert usable_threads() == 1 and effective_n_threads(-1) == 1


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs CPU affinity and 2 CPUs",
)
def test_cpu_affinity_bounds_the_default():
    """Class: CPU affinity (taskset, a batch scheduler) ignored: threads on CPUs the process
    may not use only time-share the ones it may."""
    code = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))});"
        "from skbalance.sampling._threads import effective_n_threads as e;"
        "print(e(None), e(-1))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1"]


def test_joblib_contexts_and_workers():
    """Class: oversubscription inside ``GridSearchCV(n_jobs=...)`` workers (each worker's
    search on every core) and a ``parallel_config(n_jobs=...)`` ignored."""
    with parallel_config(n_jobs=3):
        assert effective_n_threads(None) == 3
    with parallel_config(n_jobs=-1):
        assert effective_n_threads(None) == usable_threads()
    in_threads = Parallel(n_jobs=2, backend="threading")(
        delayed(effective_n_threads)(None) for _ in range(2)
    )
    assert in_threads == [1, 1]


@pytest.mark.slow
def test_loky_workers_use_their_share_of_the_cores():
    """Class: oversubscription inside ``GridSearchCV(n_jobs=-1)``'s process workers.

    loky workers start with their share of the cores as their OpenMP/BLAS limit (a few
    seconds: the workers import the library)."""
    share = int(os.environ.get("OMP_NUM_THREADS", max(1, cpu_count() // 2)))  # loky's rule
    in_processes = Parallel(n_jobs=2, backend="loky")(
        delayed(effective_n_threads)(None) for _ in range(2)
    )
    assert all(1 <= n <= share for n in in_processes)


def test_one_thread_changes_nothing_and_runs_no_pool(monkeypatch):
    """Class: a process-wide BLAS change (or a thread pool) where the search runs on one
    thread."""
    holds = []
    monkeypatch.setattr(neighbors_module, "single_threaded_blas", lambda: holds.append(1))
    monkeypatch.setattr(neighbors_module, "ThreadPoolExecutor", None)  # any use fails
    X = np.random.default_rng(0).normal(size=(3000, 4))
    kneighbors(X, 3, n_jobs=1)
    with threadpool_limits(limits=1):
        kneighbors(X, 3)
        SMOTE(random_state=0).fit_resample(X, np.arange(3000) % 3 == 0)
    assert holds == []


def test_blas_hold_restores_the_users_limits_from_the_thread_that_set_them():
    """Class: searches that each save and restore BLAS's limit (threadpoolctl per call):
    with A saving N, B saving 1, A restoring N and B restoring 1, BLAS stays at one thread
    for the rest of the process. One holder at a time: the holder restores the user's value
    exactly (from its own thread: OpenBLAS ignores another thread's change once the main
    thread has set a count); a search entering meanwhile changes nothing."""
    if not blas_limits():
        pytest.skip("no BLAS library seen by threadpoolctl")
    with threadpool_limits(limits=3, user_api="blas"):
        user = blas_limits()
        b_in, a_out, seen = threading.Event(), threading.Event(), {}

        def second():
            with single_threaded_blas() as single:
                seen["single"], seen["reported"] = single, _threads._blas_limit()
                b_in.set()
                a_out.wait(5)
                seen["after A"] = blas_limits()
            seen["after B"] = blas_limits()

        with single_threaded_blas() as single:
            assert single and blas_limits() == [1] * len(user)
            thread = threading.Thread(target=second)
            thread.start()
            b_in.wait(5)
        a_out.set()
        thread.join(10)
        assert seen == {"single": True, "reported": min(user), "after A": user, "after B": user}
        assert blas_limits() == user and _threads._holder is None


def test_no_worker_threads_where_blas_stays_multithreaded(monkeypatch):
    """Class: a worker pool on top of a multi-threaded BLAS (where BLAS refuses to go
    single-threaded): the cores oversubscribed."""
    from contextlib import contextmanager

    @contextmanager
    def refused():
        yield False

    monkeypatch.setattr(neighbors_module, "single_threaded_blas", refused)
    monkeypatch.setattr(neighbors_module, "ThreadPoolExecutor", None)  # any use fails
    X = np.random.default_rng(2).normal(size=(3000, 4))
    np.testing.assert_array_equal(kneighbors(X, 3, n_jobs=2), kneighbors(X, 3, n_jobs=1))


def test_concurrent_searches_leave_blas_as_it_was():
    """Class: the BLAS limit leaking out of searches run from several threads at once."""
    before = blas_limits()
    X = np.random.default_rng(1).normal(size=(4000, 5))
    expected = kneighbors(X, 4, n_jobs=1)
    results = []

    def search(delay):
        time.sleep(delay)
        results.append(kneighbors(X, 4, n_jobs=2))

    threads = [threading.Thread(target=search, args=(0.01 * i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 4 and all(np.array_equal(r, expected) for r in results)
    assert blas_limits() == before and _threads._holder is None
