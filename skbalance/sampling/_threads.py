"""How many threads a neighbour search runs, and what BLAS does underneath them.

The one home of skbalance's thread policy (used by :func:`._neighbors.kneighbors`, so by
every neighbour-based sampler and :class:`ExactNearestNeighbors`).

**Worker threads** (:func:`effective_n_threads`), following scikit-learn's OpenMP kernels
(``sklearn.utils._openmp_helpers._openmp_effective_n_threads``) and joblib's ``n_jobs``:

- ``n_jobs > 0``: that many threads (an explicit request is honoured, as scikit-learn does);
- ``n_jobs < 0``: ``usable + 1 + n_jobs`` threads (at least 1), so ``-1`` means ``usable``;
- ``n_jobs=None``: the ``n_jobs`` of an enclosing ``joblib.parallel_config`` when it sets
  one; else 1 inside a joblib worker *thread* (a ``GridSearchCV(n_jobs=...)`` run on the
  threading or dask backend: the cores are already shared among the workers, and joblib's own
  nested default is sequential); else ``usable``.

``usable`` is the smallest of: ``joblib.cpu_count()`` (the CPUs this process may run on:
CPU affinity, the cgroup CPU quota of a container, ``LOKY_MAX_CPU_COUNT``), the thread limit
of every OpenMP and BLAS library loaded in the process as ``threadpoolctl`` reports it
(``threadpool_limits(1)`` therefore makes the search single-threaded; joblib's loky workers
start with ``OMP_NUM_THREADS``/``OPENBLAS_NUM_THREADS`` set to their share of the cores, which
those libraries report), and ``OMP_NUM_THREADS`` itself when it is set.

**BLAS** (:func:`serial_product_size`): the search's matrix products run inside its worker
threads, and BLAS's own threads on top of several workers would oversubscribe the cores. BLAS
thread counts are process-wide (OpenBLAS's ``openblas_set_num_threads_local`` too, in its
pthreads builds: a count set from a worker thread is the whole process's), so the search never
changes them: ``threadpool_limits`` stays exactly as the user set it, in every thread, during
and after a search. Instead each product is kept small enough that BLAS runs it on the calling
thread alone:

- every loaded BLAS library is limited to one thread: any size;
- OpenBLAS allowed more threads: at most ``2**18`` multiply-adds per product, OpenBLAS's
  smallest threading threshold (``GEMM_MULTITHREAD_THRESHOLD * SMP_THRESHOLD_MIN``, 4 x 65536
  by default; builds with small-matrix kernels thread only above ~``10**6``). Such products
  are also the fastest per flop here (they stay in a core's cache), and a threaded one on
  busy cores costs many times more than its work in thread hand-offs;
- another BLAS (MKL, BLIS, ...) allowed more threads: its rule is unknown, so the search runs
  on one Python thread and its products use BLAS's threads, as the user allowed them.

``n_jobs=1`` therefore means one thread for the whole search, whatever BLAS's default, except
under such another multi-threaded BLAS, whose threads then do the parallel work.

**Small searches** (:func:`search_threads`): at most one worker per ``2**27`` multiply-adds
of the search's first pass (a few milliseconds of work, less than a thread costs to start and
feed); below two such shares the search runs on one thread, with products cut as for
OpenBLAS, without the ~10 ms lookup of the loaded libraries.
"""

from __future__ import annotations

import functools
import math
import os
import threading
from numbers import Integral

from sklearn.utils._param_validation import Interval

__all__ = [
    "N_JOBS_CONSTRAINT",
    "OPENBLAS_SERIAL_SIZE",
    "effective_n_threads",
    "search_threads",
    "serial_product_size",
    "usable_threads",
]

# ``_parameter_constraints`` entry of every ``n_jobs``: None or a non-zero int
N_JOBS_CONSTRAINT = [
    Interval(Integral, None, -1, closed="right"),
    Interval(Integral, 1, None, closed="left"),
    None,
]


@functools.cache
def _controller():
    """threadpoolctl's view of the loaded libraries, found once and read at every call:
    scikit-learn's own cached one where available (finding the libraries costs ~10 ms,
    paid once per process for both)."""
    try:
        from sklearn.utils.parallel import _get_threadpool_controller
    except ImportError:  # another scikit-learn layout: our own
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController()
    return _get_threadpool_controller()


# OpenBLAS threads no product of at most this many multiply-adds (see the module docstring)
OPENBLAS_SERIAL_SIZE = 2**18
# multiply-adds of a search's first pass per worker thread: a smaller share (a few ms)
# gains less than starting and feeding the thread costs
WORK_PER_THREAD = 2**27


def _blas_libraries():
    return _controller().select(user_api="blas").lib_controllers


def _blas_limit() -> int | None:
    """The smallest thread limit of the loaded BLAS libraries (None: no BLAS loaded)."""
    limits = [lib.num_threads for lib in _blas_libraries()]
    return min(limits) if limits else None


def serial_product_size() -> float | None:
    """Largest matrix product (``m * n * k`` multiply-adds) that every loaded BLAS library
    runs on the calling thread alone, as their limits stand now (nothing is changed).

    Returns
    -------
    float or None
        ``inf`` when every BLAS library is limited to one thread (or none is loaded);
        :data:`OPENBLAS_SERIAL_SIZE` when those allowed more threads are all OpenBLAS;
        ``None`` when another BLAS may thread a product of any size.
    """
    threaded = [lib for lib in _blas_libraries() if lib.num_threads > 1]
    if not threaded:
        return math.inf
    if all(lib.internal_api == "openblas" for lib in threaded):
        return float(OPENBLAS_SERIAL_SIZE)
    return None


def _omp_env_limit() -> int | None:
    value = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    try:
        return max(1, int(value)) if value else None
    except ValueError:
        return None


def usable_threads() -> int:
    """Threads a search may use by default: CPUs (affinity, cgroup quota) and thread limits.

    See the module docstring for the rule.
    """
    from joblib import cpu_count

    bounds = [cpu_count()]
    openmp = _controller().select(user_api="openmp").lib_controllers
    bounds += [lib.num_threads for lib in openmp]
    bounds += [limit for limit in (_blas_limit(), _omp_env_limit()) if limit is not None]
    return max(1, min(bounds))


def _joblib_context() -> tuple[int | None, bool]:
    """``(n_jobs set by parallel_config or None, whether we run in a joblib worker thread)``."""
    try:
        from joblib.parallel import get_active_backend

        backend, n_jobs = get_active_backend()
    except Exception:  # noqa: BLE001 - a joblib without this API: no context to follow
        return None, False
    in_worker = getattr(backend, "nesting_level", 0) >= 1
    return n_jobs, in_worker and threading.current_thread() is not threading.main_thread()


def effective_n_threads(n_jobs: int | None) -> int:
    """Worker threads for a search asked to run with ``n_jobs`` (see the module docstring).

    Parameters
    ----------
    n_jobs : int or None
        ``None``, a positive count, or a negative count relative to :func:`usable_threads`
        (``-1``: all of them). 0 is an error.

    Returns
    -------
    int, at least 1
    """
    if n_jobs is None:
        n_jobs, in_worker_thread = _joblib_context()
        if n_jobs is None:
            return 1 if in_worker_thread else usable_threads()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(
            f"n_jobs must be None, a positive number of threads or a negative one counted "
            f"from the usable CPUs (-1: all); got {n_jobs!r}."
        )
    if n_jobs > 0:
        return int(n_jobs)
    return max(1, usable_threads() + 1 + int(n_jobs))


def search_threads(n_jobs: int | None, work: int) -> tuple[int, float | None]:
    """Worker threads and product size (:func:`serial_product_size`) for a search whose
    first pass costs ``work`` multiply-adds.

    At most one worker per :data:`WORK_PER_THREAD` of work. A search below two shares runs
    on one thread without looking up the loaded libraries (a lookup costs ~10 ms once per
    process) and cuts its products to :data:`OPENBLAS_SERIAL_SIZE`: BLAS runs them on the
    calling thread where it is single-threaded or OpenBLAS; another BLAS runs them within
    the user's limits, as always.
    """
    if n_jobs is not None and (
        isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0
    ):
        effective_n_threads(n_jobs)  # raises its error for a bad n_jobs
    if work < 2 * WORK_PER_THREAD:
        return 1, float(OPENBLAS_SERIAL_SIZE)
    size = serial_product_size()
    if size is None:
        return 1, None  # BLAS's own threads do the parallel work
    return max(1, min(effective_n_threads(n_jobs), work // WORK_PER_THREAD)), size
