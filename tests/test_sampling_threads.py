"""The samplers' thread policy (skbalance.sampling._threads): how many threads a neighbour
search runs under CPU affinity, cgroup quotas, threadpoolctl limits and joblib workers; and
the rule that BLAS's thread limits stay as the user set them, in every thread, during and
after a search (the products are kept small enough that BLAS runs them on the calling thread
instead)."""

import json
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
from skbalance.sampling._threads import effective_n_threads, usable_threads


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


def test_one_thread_runs_no_pool(monkeypatch):
    """Class: a thread pool where the search runs on one thread."""
    monkeypatch.setattr(neighbors_module, "ThreadPoolExecutor", None)  # any use fails
    X = np.random.default_rng(0).normal(size=(3000, 4))
    kneighbors(X, 3, n_jobs=1)
    with threadpool_limits(limits=1):
        kneighbors(X, 3)
        SMOTE(random_state=0).fit_resample(X, np.arange(3000) % 3 == 0)


def _observe_blas_inside_the_search(monkeypatch, n_jobs):
    """BLAS limits as threadpoolctl reports them from inside every step of a search (the
    threads that run it), and those threads."""
    seen = []
    minima = neighbors_module._BlockMinima.minima

    def observed(*args, **kwargs):
        seen.append((threading.get_ident(), tuple(blas_limits())))
        return minima(*args, **kwargs)

    monkeypatch.setattr(neighbors_module._BlockMinima, "minima", observed)
    monkeypatch.setattr(_threads, "WORK_PER_THREAD", 1)  # a pool even for this small search
    X = np.random.default_rng(3).normal(size=(4000, 6))
    kneighbors(X, 3, n_jobs=n_jobs)
    return seen


@pytest.mark.parametrize("user_limit", [None, 1, 2, 3])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_blas_limits_are_the_users_inside_and_after_the_search(monkeypatch, user_limit, n_jobs):
    """The rule (issue 11, item 6): ``threadpool_limits`` is never changed behind the
    user's back. Every thread of a search, at every step, sees BLAS's limits exactly as the
    user set them (no process-wide hold while it runs, from any thread), and they are the
    same after it.

    Class: a search that holds BLAS at one thread process-wide while it runs (as
    ``threadpool_limits(1)`` would), so that the user's other threads' BLAS calls, or a
    callback, see a limit the user never set."""
    if not blas_limits():
        pytest.skip("no BLAS library seen by threadpoolctl")
    with threadpool_limits(limits=user_limit, user_api="blas"):
        user = tuple(blas_limits())
        seen = _observe_blas_inside_the_search(monkeypatch, n_jobs)
        assert blas_limits() == list(user)
    assert len(seen) >= 2 and {limits for _, limits in seen} == {user}
    threads = {ident for ident, _ in seen}
    if n_jobs == 2 and _threads.serial_product_size() is not None:
        assert threading.get_ident() not in threads  # the pool's threads did the work


def test_serial_product_size_follows_the_blas_limits(monkeypatch):
    """Class: products cut for a BLAS that is single-threaded anyway (slower for nothing),
    or left whole under a multi-threaded BLAS whose threading rule is unknown."""
    if not blas_limits():
        pytest.skip("no BLAS library seen by threadpoolctl")
    with threadpool_limits(limits=1, user_api="blas"):
        assert _threads.serial_product_size() == float("inf")
    openblas = [lib for lib in threadpool_info() if lib["internal_api"] == "openblas"]
    if len(openblas) == len(blas_limits()):
        with threadpool_limits(limits=2, user_api="blas"):
            assert _threads.serial_product_size() == _threads.OPENBLAS_SERIAL_SIZE == 2**18

    class Library:
        def __init__(self, internal_api, num_threads):
            self.internal_api, self.num_threads = internal_api, num_threads

    fake = [Library("openblas", 4), Library("mkl", 1)]
    monkeypatch.setattr(_threads, "_blas_libraries", lambda: fake)
    assert _threads.serial_product_size() == 2**18  # MKL is single-threaded
    fake[1].num_threads = 2
    assert _threads.serial_product_size() is None
    monkeypatch.setattr(_threads, "_blas_libraries", lambda: [])
    assert _threads.serial_product_size() == float("inf")


@pytest.mark.parametrize("n_features", [4, 40, 700])
def test_products_stay_below_the_serial_size(monkeypatch, n_features):
    """Class: a product big enough for BLAS to start its own threads under ours (the cores
    oversubscribed, and a threaded product on busy cores is many times slower)."""
    sizes = []
    matmul = np.matmul

    def recorded(a, b, *args, **kwargs):
        # a stack of matrices is one BLAS call per 2-D product
        sizes.append(a.shape[-2] * a.shape[-1] * b.shape[-1])
        return matmul(a, b, *args, **kwargs)

    monkeypatch.setattr(_threads, "serial_product_size", lambda: 2.0**18)
    monkeypatch.setattr(_threads, "WORK_PER_THREAD", 1)  # also products of a pool's workers
    # 700 features: one reference row per product, and fewer query rows per chunk
    X = np.random.default_rng(4).normal(size=(3000 if n_features < 700 else 600, n_features))
    expected = kneighbors(X, 3, n_jobs=1)
    monkeypatch.setattr(np, "matmul", recorded)
    found = kneighbors(X, 3, n_jobs=2)
    monkeypatch.setattr(np, "matmul", matmul)
    assert sizes and max(sizes) <= 2**18
    np.testing.assert_array_equal(found, expected)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_openblas_threads_stay_idle_under_the_search():
    """Class: OpenBLAS's own threads working under the search's (n_jobs=2: oversubscribed
    cores) or beside a one-thread search (n_jobs=1 is one thread, whatever BLAS's default).

    In a fresh process with OpenBLAS allowed 2 threads: its threads are started by one big
    product, left to go idle, then the CPU time of every thread that existed before the
    search (the main thread excepted) is read from /proc around each search."""
    code = """
import os, threading, time, json
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits
from skbalance.sampling._neighbors import kneighbors

def ticks():
    out = {}
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        out[int(tid)] = int(fields[11]) + int(fields[12])
    return out

if not any(lib["internal_api"] == "openblas" for lib in threadpool_info()):
    print(json.dumps(None)); raise SystemExit
X = np.random.default_rng(0).normal(size=(10000, 20))
result = {}
with threadpool_limits(limits=2, user_api="blas"):
    X[:2000] @ X[:2000].T  # OpenBLAS's threads started and used
    for n_jobs in (1, 2):
        time.sleep(0.5)  # they spin a while after their last product, then sleep
        before = ticks()
        start = time.process_time()
        kneighbors(X, 3, n_jobs=n_jobs)
        total = round((time.process_time() - start) * os.sysconf("SC_CLK_TCK"))
        after = ticks()
        main = threading.get_native_id()
        others = sum(after[t] - before[t] for t in before if t in after and t != main)
        result[n_jobs] = [others, total]
print(json.dumps(result))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result is None:
        pytest.skip("BLAS is not OpenBLAS")
    for n_jobs, (others, total) in result.items():
        assert total >= 10, (n_jobs, total)  # the search did run long enough to tell
        assert others <= 2, (n_jobs, others, total)  # 2 ticks: /proc's rounding


def test_no_worker_threads_under_a_blas_of_unknown_threading_rule(monkeypatch):
    """Class: a worker pool on top of a multi-threaded BLAS whose products cannot be kept
    on the calling thread (the cores oversubscribed)."""
    monkeypatch.setattr(_threads, "serial_product_size", lambda: None)
    monkeypatch.setattr(_threads, "WORK_PER_THREAD", 1)
    monkeypatch.setattr(neighbors_module, "ThreadPoolExecutor", None)  # any use fails
    X = np.random.default_rng(2).normal(size=(3000, 4))
    found = kneighbors(X, 3, n_jobs=2)
    monkeypatch.undo()
    np.testing.assert_array_equal(found, kneighbors(X, 3, n_jobs=1))


def test_concurrent_searches_leave_blas_as_it_was():
    """Class: the BLAS limit changed by searches run from several threads at once."""
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
    assert blas_limits() == before


def test_small_searches_run_on_one_thread_without_a_library_lookup(monkeypatch):
    """Class: a thread pool (and a ~10 ms lookup of the loaded libraries) for a search of a
    few milliseconds; or a large search kept on one thread by the rule."""
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="n_jobs must be None"):
            _threads.search_threads(bad, 10)
    lookups = []
    size = _threads.serial_product_size
    monkeypatch.setattr(_threads, "serial_product_size", lambda: lookups.append(1) or size())
    monkeypatch.setattr(_threads, "effective_n_threads", lambda n_jobs: 4)
    share = _threads.WORK_PER_THREAD
    assert _threads.search_threads(2, 2 * share - 1) == (1, 2.0**18) and lookups == []
    if size() is not None:
        assert _threads.search_threads(None, 2 * share)[0] == 2
        assert _threads.search_threads(None, 3 * share + 7)[0] == 3
        assert _threads.search_threads(None, 100 * share)[0] == 4
    assert len(lookups) == 3 or size() is None
