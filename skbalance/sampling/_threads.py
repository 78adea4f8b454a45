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

**BLAS** (:func:`single_threaded_blas`): the search's matrix products run inside its worker
threads; BLAS's own threads on top of several workers would oversubscribe the cores (and
OpenBLAS serialises concurrent threaded calls). So while a search runs on more than one worker
thread and BLAS is allowed more than one thread, BLAS is held to one thread. BLAS thread
counts are process-wide (no BLAS offers a per-thread setting): the search that sets the hold
restores exactly the user's limits when it ends, from its own thread; a search running
meanwhile changes nothing; nothing is changed when the search runs on one thread or BLAS is
already single-threaded; and where BLAS refuses the change (OpenBLAS ignores thread counts
set from a non-main thread once the main thread has set one) the search runs on one thread
rather than oversubscribe.
"""

from __future__ import annotations

import functools
import os
import threading
from contextlib import contextmanager
from numbers import Integral

from sklearn.utils._param_validation import Interval

__all__ = ["N_JOBS_CONSTRAINT", "effective_n_threads", "single_threaded_blas", "usable_threads"]

# ``_parameter_constraints`` entry of every ``n_jobs``: None or a non-zero int
N_JOBS_CONSTRAINT = [
    Interval(Integral, None, -1, closed="right"),
    Interval(Integral, 1, None, closed="left"),
    None,
]


@functools.cache
def _controller():
    """threadpoolctl's view of the loaded libraries (found once, read at every call, as
    scikit-learn caches its own)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


_hold_lock = threading.Lock()
_holder: int | None = None  # the thread that holds BLAS at one thread, if any
_held_blas_limit: int | None = None  # the user's BLAS limit while it is held


def _blas_limit() -> int | None:
    """The smallest thread limit of the loaded BLAS libraries (the user's, not our hold)."""
    with _hold_lock:
        if _holder is not None:
            return _held_blas_limit
    limits = [lib.num_threads for lib in _controller().select(user_api="blas").lib_controllers]
    return min(limits) if limits else None


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


@contextmanager
def single_threaded_blas():
    """Hold every loaded BLAS library to one thread while the block runs; yields whether
    BLAS does run single-threaded in the block.

    One search at a time holds BLAS, and it restores the user's limits itself, from the
    thread that set them: OpenBLAS ignores a thread count set from another thread once the
    main thread has set one, so a restore from another thread could leave BLAS at one
    thread for good. A search that enters while another holds BLAS sets and restores
    nothing; one whose hold did not take (``False``) should not start worker threads.
    """
    global _holder, _held_blas_limit
    with _hold_lock:
        mine = _holder is None
        if mine:
            _holder = threading.get_ident()
    blas = _controller().select(user_api="blas").lib_controllers
    limiter = None
    try:
        if mine:
            limits = [lib.num_threads for lib in blas]
            with _hold_lock:
                _held_blas_limit = min(limits) if limits else None
            if any(limit > 1 for limit in limits):
                limiter = _controller().select(user_api="blas").limit(limits=1)
        yield all(lib.num_threads == 1 for lib in blas)
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
        if mine:
            with _hold_lock:
                _holder = _held_blas_limit = None
