"""The one exact k-nearest-neighbour search shared by every neighbour-based sampler.

Brute force, Euclidean, in three steps per chunk of query rows:

1. **Block minima in float32.** Rows are centred on the reference mean (which shrinks the
   cancellation error of the dot-product expansion) and augmented so that one matrix product
   gives ``|r|^2 - 2 q.r``: the squared distance minus the per-query constant ``|q|^2``,
   which does not change the ranking. The product is computed tile by tile (a tile stays
   in cache) and immediately reduced to the minimum of every block of ``_BLOCK`` reference
   rows; the full distance matrix never exists.
2. **The k best blocks.** The ``k`` blocks with the smallest minima provably contain the
   ``k`` nearest rows: any row closer than the k-th smallest block minimum lies in a block
   whose minimum is smaller still, i.e. in one of those k blocks.
3. **Exact ranking.** The ``k * _BLOCK`` candidates are scored with ``sum((q - r)**2)`` in
   the data's own precision (float64 data in float64, float32 in float32; no expansion, so
   no cancellation) and the ``k`` nearest are returned, nearest first.

float32 is used only to choose the candidate blocks. It can change the answer only if a
true neighbour's block minimum is within float32 rounding (relative ~1e-6 of the squared
distances, after centring) of the k-th block minimum -- a near-tie. Exact ties at the k-th
place may be resolved either way; the returned neighbours are sorted by (distance, index).

Query chunks run on a thread pool (NumPy's matmul, reductions and partitions release the
GIL) with BLAS held to one thread, so every core works without oversubscription.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

__all__ = ["kneighbors"]

_BLOCK = 32  # columns per block for the block-minimum bound
_CHUNK_BYTES = 16 * 2**20  # block minima per query chunk
_TILE_BYTES = 2 * 2**20  # one float32 distance tile (fits in cache)
_FAR = np.float32(1e30)


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


def _n_workers(n_jobs: int | None) -> int:
    cores = os.cpu_count() or 1
    if n_jobs is None:
        return cores
    if n_jobs < 0:
        return max(1, cores + 1 + n_jobs)
    return max(1, int(n_jobs))


def kneighbors(
    reference,
    k: int,
    *,
    query=None,
    query_index: np.ndarray | None = None,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Indices of the ``k`` nearest reference rows of each query row, nearest first.

    Parameters
    ----------
    reference : ndarray or sparse matrix of shape (n_reference, n_features)
        The points searched (finite values; the caller validates).
    k : int
        Number of neighbours; at most ``n_reference`` (minus one when excluding self).
    query : ndarray or sparse matrix of shape (n_query, n_features), default=None
        Points whose neighbours are wanted. ``None`` means the reference itself, each row
        excluding itself.
    query_index : ndarray of shape (n_query,), default=None
        Row of ``reference`` that each query row *is*, excluded from its own neighbours
        (``-1`` for none). Implied as ``arange(n_reference)`` when ``query`` is None.
    n_jobs : int, default=None
        Worker threads; ``None`` uses every core.

    Returns
    -------
    ndarray of shape (n_query, k), dtype intp
    """
    if query is None:
        query = reference
        if query_index is None:
            query_index = np.arange(reference.shape[0])
    n_ref, n_query = reference.shape[0], query.shape[0]
    exact_dtype = np.float32 if reference.dtype == np.float32 else np.float64
    if n_query == 0:
        return np.empty((0, k), dtype=np.intp)
    if k > n_ref - (query_index is not None):
        raise ValueError(f"asked for {k} neighbours among {n_ref} points")  # caller checks first

    ref_exact = _dense(reference).astype(exact_dtype, copy=False)
    qry_exact = ref_exact if query is reference else _dense(query).astype(exact_dtype, copy=False)
    center = ref_exact.mean(axis=0, dtype=np.float64)
    n_features = ref_exact.shape[1]
    n_blocks = -(-n_ref // _BLOCK)
    padded = n_blocks * _BLOCK
    # augmented reference [r - c, |r - c|^2] so one product gives the ranking distance;
    # padding rows sit far away (finite: BLAS kernels may multiply it by 0, inf*0 is NaN)
    ref_aug = np.zeros((padded, n_features + 1), dtype=np.float32)
    centred = ref_aug[:n_ref, :-1]
    np.subtract(ref_exact, center, out=centred, casting="unsafe")  # no float64 temporary
    ref_aug[:n_ref, -1] = np.einsum("ij,ij->i", centred, centred)
    ref_aug[n_ref:, -1] = _FAR
    n_best = min(k, n_blocks)

    # ~_TILE_BYTES of distances per (reference tile x query chunk) product: stays in cache
    chunk = int(max(8, min(128, _CHUNK_BYTES // (4 * n_blocks))))
    tile = max(_BLOCK, (_TILE_BYTES // (4 * chunk)) // _BLOCK * _BLOCK)
    starts = range(0, n_query, chunk)
    result = np.empty((n_query, k), dtype=np.intp)

    def run(start: int) -> None:
        stop = min(start + chunk, n_query)
        n_rows = stop - start
        q_aug_t = np.empty((n_features + 1, n_rows), dtype=np.float32)
        q_aug_t[:-1] = (qry_exact[start:stop] - center).T
        q_aug_t[:-1] *= -2.0
        q_aug_t[-1] = 1.0
        self_index = None if query_index is None else query_index[start:stop]
        block_min = np.empty((n_blocks, n_rows), dtype=np.float32)
        dist = np.empty((min(tile, padded), n_rows), dtype=np.float32)
        for lo in range(0, padded, tile):
            hi = min(lo + tile, padded)
            part = dist[: hi - lo]
            np.matmul(ref_aug[lo:hi], q_aug_t, out=part)  # |r-c|^2 - 2 (q-c).(r-c)
            if self_index is not None:
                mine = np.flatnonzero((self_index >= lo) & (self_index < hi))
                part[self_index[mine] - lo, mine] = np.inf
            np.minimum.reduce(
                part.reshape(-1, _BLOCK, n_rows), axis=1, out=block_min[lo // _BLOCK : hi // _BLOCK]
            )
        # the n_best blocks with the smallest minima hold the k nearest points
        by_query = np.ascontiguousarray(block_min.T)
        if n_best < n_blocks:
            best = np.argpartition(by_query, n_best - 1, axis=1)[:, :n_best]
        else:
            best = np.broadcast_to(np.arange(n_blocks), (n_rows, n_blocks))
        columns = (best[:, :, None] * _BLOCK + np.arange(_BLOCK)).reshape(n_rows, -1)
        # exact distances in the data's own precision, no expansion (no cancellation)
        invalid = columns >= n_ref  # padding of the last block
        if self_index is not None:
            invalid |= columns == self_index[:, None]
        diff = ref_exact[np.minimum(columns, n_ref - 1)]
        diff -= qry_exact[start:stop, None, :]
        exact = np.einsum("ijk,ijk->ij", diff, diff)
        del diff
        exact[invalid] = np.inf
        if k < exact.shape[1]:
            nearest = np.argpartition(exact, k - 1, axis=1)[:, :k]
            columns = np.take_along_axis(columns, nearest, axis=1)
            exact = np.take_along_axis(exact, nearest, axis=1)
        order = np.lexsort((columns, exact), axis=-1)[:, :k]  # nearest first, then index
        result[start:stop] = np.take_along_axis(columns, order, axis=1)

    workers = min(_n_workers(n_jobs), len(starts))
    # one BLAS thread per worker: the products are small, and BLAS's own threads on top of
    # ours (or on a busy machine) cost far more than they bring
    with threadpool_limits(limits=1, user_api="blas"):
        if workers <= 1:
            for start in starts:
                run(start)
        else:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(run, starts))
    return result
