"""The one exact k-nearest-neighbour search shared by every neighbour-based sampler.

**What is returned.** For each query row ``q``, the ``k`` reference rows ``r`` that come first
in the order of ``(dist(q, r), index of r)``, nearest first, where ``dist`` is the
*canonical float64 distance*::

    dist(q, r) = (...((q_0 - r_0)**2 + (q_1 - r_1)**2) + ...) + (q_{d-1} - r_{d-1})**2

evaluated in float64 (float32 data is first widened, which is exact), feature by feature
from the first to the last. Two rows tie only when these float64 values are equal; a tie
goes to the lower index. The answer is therefore fully determined and equals a full sort of
the float64 distance matrix, at every scale. Only if the data's largest magnitude lies
outside ``[2**-200, 2**200]`` is the data first multiplied by a power of two that brings it
to ``[1, 2)``: that is exact (so the ranking is the one a float64 computation would give
without over- or underflow), where the unscaled squares would overflow (beyond ~1e154) or
underflow (below ~1e-154).

**How it is fast.** Brute force, in two steps per chunk of query rows.

1. *Block minima in float32.* Data are centred on the reference's mid-range and scaled by a
   power of two so that the largest centred magnitude lies in ``[1, 2)`` -- no over- or
   underflow at any input scale, the ranking unchanged. One matrix product with the
   augmented reference ``[x, |x|^2]`` gives ``E = |x|^2 - 2 y.x``, the squared distance less
   the per-query constant ``|y|^2``, reduced at once to the minimum of every block of
   ``_BLOCK`` reference rows (padding and the query's own row are masked to ``+inf``
   explicitly, never by a sentinel value).
2. *Exact scoring.* The rows of the blocks whose minimum passes the threshold below are
   scored with the canonical distance, and the ``k`` first by ``(distance, index)`` win.
   Where only ``k`` blocks pass (the common case), only their rows whose own ``E`` passes
   the same threshold are scored (about ``k`` of the ``k * _BLOCK``): a chunk's ``E`` is
   kept where the reference is small, else computed again for those blocks' rows.

**Why no true neighbour is missed.** Let ``u`` be the unit roundoff of the pass (``2**-24``
for float32), ``d`` the feature count, ``R`` an upper bound on the norms of the scaled,
centred reference rows (rounded to the pass's precision or not) and ``Q`` the same for the
query row. For every reference row the computed ``E`` differs from ``D - |y|^2``, ``D`` the
exact squared distance of the unrounded scaled points and ``|y|^2`` the query's own
squared norm (a constant per query, which the ranking ignores), by at most::

    delta = 3 (d + 2) u (R + Q)^2 + tau

Proof. (a) A dot product of ``d + 1`` terms, in any summation order, with or without FMA,
errs by at most ``gamma_{d+1} sum |terms|`` (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2002, section 3.1), ``gamma_n = n u / (1 - n u)``; here
``sum |terms| <= R^2 (1 + (d + 1) u) + 2 R Q``, so at most ``1.02 (d + 1) u (R + Q)^2``
(the float32 pass is used only while ``(d + 4) u < 0.01``). (b) The norm column is summed in
float64 from the rounded points and rounded to the pass's precision: at most
``(d + 1) u R^2``. (c) Rounding the points moves each by at most ``1.0001 u`` of its norm
(the float64 centring adds ``2**-53``), so ``|sqrt(D) - sqrt(D_rounded)| <= 1.0001 u
(R + Q)`` and ``|D - D_rounded| <= 2.001 u (R + Q)^2``. The sum, ``(2.02 d + 4.03) u
(R + Q)^2``, is below ``3 (d + 2) u (R + Q)^2``. ``tau = 2**8 (d + 2) tiny`` (``tiny``: the
smallest normal number) covers products and coordinates that underflow, even where
denormals are flushed to zero, against ``R + Q <= 4 sqrt(d)``.

Let ``m_k`` be the k-th smallest block minimum. The k blocks that reach it hold k distinct
rows with ``D <= m_k + |y|^2 + delta``, so the k-th smallest canonical distance is at most
that, up to the canonical distance's own error: relative ``rho = (d + 3) 2**-52``, plus
``(d + 2) 2**-1021`` absolute where squares of tiny differences underflow, which is
``ldexp(d + 2, 2 scale - 1021)`` in search units (``2**scale`` being the factor of
step 1). Any row among the k first by ``(distance, index)`` therefore has::

    E <= m_k + 2 delta + 4 rho (|m_k| + Q^2 + delta) + ldexp(d + 2, 2 scale - 1020)

(the ``4`` also covers rounding in this sum), so its block minimum is below that threshold:
the scored blocks always contain the answer, ties included. A block whose minimum is
``+inf`` (only masked rows) passes only when ``m_k`` is ``+inf``, when every block is
scored. The bound is itself tested against float64 on data of every scale.

On well-spread data ``delta`` is tiny beside the gaps between block minima, so about ``k``
blocks pass. Where many pass, two things can be behind it. Exact duplicates: when the
first passing blocks (in index order) already hold k rows at distance 0, those are the
answer, since no distance is smaller and later blocks hold only higher indices. A column
spanning a far larger range than the distances between neighbours (unscaled income beside
0/1 flags): the rows concerned get float64 block minima (the same bound with
``u = 2**-53``, ~1e9 times tighter) and the blocks passing both thresholds are scored; once
most rows of a chunk need that, later chunks start in float64. Either way the result is
the same; only the cost grows with the number of rows that could be the answer.

Query chunks run on a thread pool (NumPy's matmul, reductions and partitions release the
GIL); how many threads follow the thread policy of :mod:`skbalance.sampling._threads` (CPU
affinity, cgroup quota, threadpoolctl limits, joblib contexts). BLAS's thread limits are never
changed: each matrix product is cut to a size BLAS runs on the calling thread alone
(:func:`~skbalance.sampling._threads.serial_product_size`), so every usable core works
without oversubscription.
"""

from __future__ import annotations

import math
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse

from ._threads import search_threads

__all__ = ["kneighbors"]

_BLOCK = 32  # reference rows per block minimum
_CHUNK_BYTES = 16 * 2**20  # block minima per query chunk
# query rows per chunk: a chunk's NumPy calls cost the same whatever its length, and each
# hands the GIL to the other workers and back (several microseconds on busy cores)
_MAX_CHUNK = 1024
_PRODUCT_COLUMNS = 256  # query rows per matrix product (about BLAS's best shape here)
_TILE_BYTES = 2**20  # one distance tile (stays in a core's cache)
_SCORE_VALUES = 2**19  # float64 values per gather of candidates (4 MB)
# a chunk's whole E is kept (for row-level pruning) up to this size (counted in float64),
# for at least this many query rows per chunk
_KEEP_BYTES = 32 * 2**20
_KEEP_MIN_CHUNK = 256
_SAFE_EXPONENT = 200  # canonical distances use unscaled data while max |x| is in 2**+-200


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


def _shift_to_unit(max_abs: float) -> int:
    """The ``e`` with ``max_abs * 2**e`` in ``[1, 2)`` (0 for 0)."""
    if max_abs == 0:
        return 0
    _, exponent = np.frexp(max_abs)  # max_abs = m * 2**exponent with m in [0.5, 1)
    return 1 - int(exponent)


def _column_range(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if matrix.shape[0] == 0:
        return np.full(matrix.shape[1], np.inf), np.full(matrix.shape[1], -np.inf)
    return matrix.min(axis=0).astype(np.float64), matrix.max(axis=0).astype(np.float64)


class _Space:
    """The map from input rows to the search space, ``2**scale * (2**exact * x - centre)``.

    ``exact`` is the canonical-distance shift (0 unless the data would over- or underflow
    when squared); ``centre`` is the reference's mid-range, which minimises the largest
    centred magnitude and so the bound; ``scale`` brings that magnitude to ``[1, 2)``.
    """

    def __init__(self, reference: np.ndarray, query: np.ndarray):
        ref_low, ref_high = _column_range(reference)
        qry_low, qry_high = (ref_low, ref_high) if query is reference else _column_range(query)
        low, high = np.minimum(ref_low, qry_low), np.maximum(ref_high, qry_high)
        largest = float(max(np.abs(low).max(initial=0.0), np.abs(high).max(initial=0.0)))
        inside = largest == 0 or 2.0**-_SAFE_EXPONENT <= largest <= 2.0**_SAFE_EXPONENT
        self.exact = 0 if inside else _shift_to_unit(largest)
        ref_low, ref_high = np.ldexp(ref_low, self.exact), np.ldexp(ref_high, self.exact)
        low, high = np.ldexp(low, self.exact), np.ldexp(high, self.exact)
        # halves first: the sum of two values near the float64 limit would overflow
        self.centre = ref_low / 2 + ref_high / 2
        # rounding is monotone, so these are the largest computed |x - centre|
        spread = np.maximum(np.abs(low - self.centre), np.abs(high - self.centre))
        self.scale = _shift_to_unit(float(spread.max(initial=0.0)))

    def canonical(self, rows: np.ndarray) -> np.ndarray:
        """Rows in float64 for the canonical distance (times ``2**exact``)."""
        values = rows.astype(np.float64)
        return np.ldexp(values, self.exact, out=values) if self.exact else values

    def search(self, rows: np.ndarray, dtype, out: np.ndarray | None = None) -> np.ndarray:
        """Rows centred and scaled, rounded to ``dtype``."""
        values = self.canonical(rows)
        values -= self.centre
        np.ldexp(values, self.scale, out=values)
        if out is None:
            return values.astype(dtype, copy=False)
        out[...] = values
        return out


class _BlockMinima:
    """Block minima of ``E = |x|^2 - 2 y.x`` in one precision, with their error bound."""

    def __init__(self, space: _Space, reference: np.ndarray, dtype):
        n_ref, n_features = reference.shape
        self.dtype, self.n_ref, self.n_features = dtype, n_ref, n_features
        self.unit = float(np.finfo(dtype).eps) / 2
        # products below the normal range may be flushed to zero: 2**-126 (float32) each
        self.tiny = float(np.finfo(dtype).tiny)
        # canonical squares of differences below ~1e-154 underflow: an absolute error of
        # (d + 2) 2**-1021 canonical units, 4**scale times that in search units
        self.underflow = math.ldexp(n_features + 2, min(2 * space.scale - 1020, 1000))
        self.n_blocks = -(-n_ref // _BLOCK)
        padded = self.n_blocks * _BLOCK
        # padding rows are zeros (finite: BLAS may multiply them by 0) and masked after
        self.aug = np.zeros((padded, n_features + 1), dtype=dtype)
        step = max(1, 2**20 // max(1, n_features))  # no float64 copy of the whole reference
        for lo in range(0, n_ref, step):
            part = self.aug[lo : lo + step, :-1][: n_ref - lo]
            space.search(reference[lo : lo + step], dtype, out=part)
        points = self.aug[:n_ref, :-1]
        norms = np.einsum("ij,ij->i", points, points, dtype=np.float64)
        self.aug[:n_ref, -1] = norms
        self.radius = self._upper_norm(float(np.sqrt(norms.max(initial=0.0))))

    def _upper_norm(self, norm):
        """Bound on the norm of the unrounded point, from the norm of the rounded one."""
        return norm * (1 + 16 * self.unit) + np.sqrt(self.n_features) * 2 * self.tiny

    def query_side(self, space: _Space, rows: np.ndarray):
        """``[-2 y, 1]`` (transposed, for the product) and the bound ``Q`` on ``|y|``."""
        y = space.search(rows, np.float64)
        norms = np.sqrt(np.einsum("ij,ij->i", y, y))
        q_aug_t = np.empty((self.n_features + 1, len(rows)), dtype=self.dtype)
        q_aug_t[:-1] = y.T
        q_aug_t[:-1] *= -2.0  # exact
        q_aug_t[-1] = 1.0
        # bounds the norm of the rounded point (relative u) and of the exact one (2**-52)
        return q_aug_t, self._upper_norm(norms)

    def minima(
        self, q_aug_t: np.ndarray, self_index, tile: int, full=None, product=None
    ) -> np.ndarray:
        """Block minima, shape ``(n_query, n_blocks)``; masked rows count as ``+inf``.

        ``full``, if given (shape ``(padded n_reference, n_query)``), receives every row's
        ``E`` (masked rows ``+inf``). Each matrix product covers at most ``product`` =
        ``(reference rows, query rows)`` (default: a whole tile), so that BLAS runs it on the
        calling thread.
        """
        product_rows, product_cols = product or (tile, q_aug_t.shape[1])
        n_rows = q_aug_t.shape[1]
        padded = self.aug.shape[0]
        block_min = np.empty((self.n_blocks, n_rows), dtype=self.dtype)
        if full is None:
            dist = np.empty((min(tile, padded), n_rows), dtype=self.dtype)
        else:
            # the chunk's E is stored anyway: filled in one stacked product and reduced in
            # one call (each NumPy call hands the GIL to the other workers and back, which
            # costs more than the cache misses of a larger tile: -13% time on two threads)
            tile = padded
        for lo in range(0, padded, tile):
            hi = min(lo + tile, padded)
            part = dist[: hi - lo] if full is None else full[lo:hi]
            _products(self.aug[lo:hi], q_aug_t, part, product_rows, product_cols)
            if hi > self.n_ref:
                part[max(self.n_ref - lo, 0) :] = np.inf  # padding of the last block
            if self_index is not None:
                mine = np.flatnonzero((self_index >= lo) & (self_index < hi))
                part[self_index[mine] - lo, mine] = np.inf
            np.minimum.reduce(
                part.reshape(-1, _BLOCK, n_rows), axis=1, out=block_min[lo // _BLOCK : hi // _BLOCK]
            )
        return np.ascontiguousarray(block_min.T)

    def threshold(self, kth: np.ndarray, query_norm: np.ndarray) -> np.ndarray:
        """Per query, the proven bound on the ``E`` of every row among its ``k`` first, from
        the k-th smallest block minimum ``kth`` (see the module docstring)."""
        d = self.n_features
        delta = 3 * (d + 2) * self.unit * (self.radius + query_norm) ** 2
        delta += (d + 2) * 2**8 * self.tiny  # tau: underflowing products
        rho = (d + 3) * 2.0**-52  # canonical distance's relative error, and this sum's
        kth = kth.astype(np.float64)  # +inf when masked rows fill the k-th block: all pass
        threshold = kth + 2 * delta + 4 * rho * (np.abs(kth) + query_norm**2 + delta)
        return threshold + self.underflow


def _products(left: np.ndarray, right: np.ndarray, out: np.ndarray, rows: int, cols: int):
    """``out[...] = left @ right``, as matrix products of at most ``rows`` rows of ``left``
    by ``cols`` columns of ``right``.

    The pieces go to NumPy as stacks (views, nothing copied): its matmul loops over a stack
    in C, one BLAS call per piece (each still small enough for BLAS to run on the calling
    thread), where a Python loop would pay a call's overhead per piece, about what a
    piece's work costs here.
    """
    n_rows, n_inner = left.shape
    n_cols = right.shape[1]
    full_rows, full_cols = n_rows // rows * rows, n_cols // cols * cols
    for lo, hi, width in ((0, full_cols, cols), (full_cols, n_cols, n_cols - full_cols)):
        if hi == lo:
            continue
        n_pieces = (hi - lo) // width
        pieces = right[:, lo:hi].reshape(n_inner, n_pieces, width).transpose(1, 0, 2)
        if full_rows:
            target = out[:full_rows, lo:hi].reshape(-1, rows, n_pieces, width)
            np.matmul(
                left[:full_rows].reshape(-1, 1, rows, n_inner),
                pieces,
                out=target.transpose(0, 2, 1, 3),
            )
        if full_rows < n_rows:
            target = out[full_rows:, lo:hi].reshape(n_rows - full_rows, n_pieces, width)
            np.matmul(left[full_rows:], pieces, out=target.transpose(1, 0, 2))


def kneighbors(
    reference,
    k: int,
    *,
    query=None,
    query_index: np.ndarray | None = None,
    n_jobs: int | None = None,
    return_distance: bool = False,
):
    """Indices of the ``k`` nearest reference rows of each query row, nearest first.

    Exact: the rows first in the order of (float64 squared Euclidean distance, index), as a
    full sort of the float64 distance matrix would give, at any scale of the data (see the
    module docstring for the definition and the proof).

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
        Worker threads, as :func:`skbalance.sampling._threads.effective_n_threads` counts
        them (``None``: every usable core, within threadpoolctl limits and joblib contexts).
    return_distance : bool, default=False
        Also return the canonical squared distances the ranking used (computed anyway:
        a caller needing distances does not compute them again).

    Returns
    -------
    indices : ndarray of shape (n_query, k), dtype intp
    squared_distances : ndarray of shape (n_query, k), dtype float64
        Only with ``return_distance``: the canonical squared distances (see the module
        docstring) of the data times ``2**e``, where ``e`` is 0 unless the largest
        magnitude of ``reference`` and ``query`` together lies outside ``2**+-200`` (then
        the ``e`` that brings it to ``[1, 2)``): exact scaling, so only their ratios, which
        ranks need, are the unscaled data's.
    """
    if query is None:
        query = reference
        if query_index is None:
            query_index = np.arange(reference.shape[0])
    n_ref, n_query = reference.shape[0], query.shape[0]
    if n_query == 0:
        empty = np.empty((0, k), dtype=np.intp)
        return (empty, np.empty((0, k))) if return_distance else empty
    if k > n_ref - (query_index is not None):
        raise ValueError(f"asked for {k} neighbours among {n_ref} points")  # caller checks first

    ref_raw = _dense(reference)
    qry_raw = ref_raw if query is reference else _dense(query)
    space = _Space(ref_raw, qry_raw)
    # canonical float64 coordinates by block: a candidate block is one contiguous copy
    exact_blocks = _exact_blocks(ref_raw, space)
    use_float32 = (ref_raw.shape[1] + 4) * 2.0**-24 < 1e-2  # else the float32 bound is void
    first = _BlockMinima(space, ref_raw, np.float32 if use_float32 else np.float64)
    second: list[_BlockMinima] = []  # float64 minima, built once, only if rows need them
    second_lock = threading.Lock()
    float64_first: list[bool] = []  # set once most rows of a chunk needed float64
    n_blocks = first.n_blocks
    fast_width = max(2 * k, k + 8)  # passing blocks scored without a float64 pass

    chunk = int(max(8, min(_MAX_CHUNK, _CHUNK_BYTES // (4 * n_blocks))))
    n_inner = ref_raw.shape[1] + 1
    # BLAS's limits stay the user's: products of at most serial_size multiply-adds, which
    # BLAS runs on the calling thread (None: a BLAS that may thread any product)
    workers, serial_size = search_threads(n_jobs, n_query * first.aug.shape[0] * n_inner)
    if workers > 1:  # at least 4 chunks a worker, so that the last ones finish together
        chunk = min(chunk, max(_KEEP_MIN_CHUNK, -(-n_query // (4 * workers))))
    # a small reference keeps each chunk's E of every row: the rows of the passing blocks
    # are then pruned one by one (the bound that let their blocks pass holds for each row
    # of the answer) before the exact scoring
    keep_rows = _KEEP_BYTES // (first.aug.shape[0] * 8)
    keep = keep_rows >= min(chunk, _KEEP_MIN_CHUNK)
    # without it, longer chunks gain nothing: their scoring gathers grow with them
    chunk = min(chunk, keep_rows if keep else _KEEP_MIN_CHUNK)
    if chunk > _PRODUCT_COLUMNS:  # whole products across a chunk: one NumPy call a tile
        chunk = chunk // _PRODUCT_COLUMNS * _PRODUCT_COLUMNS
    tile = max(_BLOCK, (_TILE_BYTES // (4 * chunk)) // _BLOCK * _BLOCK)
    product = None  # whole tiles
    if serial_size is not None and math.isfinite(serial_size):
        cols = min(chunk, _PRODUCT_COLUMNS, max(1, int(serial_size) // n_inner))
        rows = max(1, int(serial_size) // (n_inner * cols))
        unit = math.lcm(_BLOCK, rows)  # tiles of whole blocks and whole products
        tile = max(unit, tile // unit * unit) if unit <= 2 * tile else tile
        product = (min(tile, rows), cols)
    starts = range(0, n_query, chunk)
    result = np.empty((n_query, k), dtype=np.intp)
    distances = np.empty((n_query, k)) if return_distance else np.empty((0, k))

    # each worker's buffer for a chunk's E, allocated once a search: a fresh one a chunk
    # would have the allocator hand pages back and forth (page faults cost more than the E)
    kept_buffers = threading.local()

    def kept_e(searcher: _BlockMinima, n_rows: int) -> np.ndarray:
        size = searcher.aug.shape[0] * chunk
        flat = getattr(kept_buffers, searcher.dtype.__name__, None)
        if flat is None:
            flat = np.empty(size, dtype=searcher.dtype)
            setattr(kept_buffers, searcher.dtype.__name__, flat)
        # contiguous whatever the chunk's length (a column slice would not be)
        return flat[: searcher.aug.shape[0] * n_rows].reshape(-1, n_rows)

    def best_blocks(searcher: _BlockMinima, rows: np.ndarray, self_index, keep=False):
        q_aug_t, query_norm = searcher.query_side(space, rows)
        full = kept_e(searcher, len(rows)) if keep else None
        block_min = searcher.minima(q_aug_t, self_index, tile, full, product)
        if k < n_blocks:
            kth = np.partition(block_min, k - 1, axis=1)[:, k - 1]
        else:  # fewer blocks than neighbours: every block is needed
            kth = np.full(len(rows), np.inf)
        threshold = searcher.threshold(kth, query_norm)
        passing = block_min <= threshold[:, None]
        return passing, block_min, (searcher, q_aug_t, full, threshold)

    def second_pass() -> _BlockMinima:
        with second_lock:
            if not second:
                second.append(_BlockMinima(space, ref_raw, np.float64))
        return second[0]

    def run(start: int) -> None:
        stop = min(start + chunk, n_query)
        rows = qry_raw[start:stop]
        self_index = None if query_index is None else query_index[start:stop]
        q_canonical = space.canonical(rows)
        out = result[start:stop]
        out_dist = distances[start:stop]  # empty without return_distance
        # data where float32 leaves most rows ambiguous go straight to float64
        searcher = second_pass() if float64_first else first
        passing, block_min, kept = best_blocks(searcher, rows, self_index, keep)
        n_pass = np.count_nonzero(passing, axis=1)
        if k < n_blocks:
            # the common case: only the k smallest block minima pass (the k-th passes)
            simple = np.flatnonzero(n_pass == k)
            blocks = _true_columns(passing[simple]).reshape(-1, k)  # increasing per row
            searcher_, q_aug_t, full, threshold = kept
            if full is not None:  # the chunk's E of these blocks' rows, as computed
                e = full.reshape(-1, _BLOCK, full.shape[1])[blocks, :, simple[:, None]]
            else:  # computed again, for these rows only (see _recomputed_e)
                own = None if self_index is None else self_index[simple]
                e = _recomputed_e(searcher_, q_aug_t[:, simple], blocks, own)
            queries, e = q_canonical[simple], e.reshape(len(simple), k * _BLOCK)
            found, dist = _score_rows(exact_blocks, queries, blocks, e, threshold[simple], k)
            out[simple] = found
            if return_distance:
                out_dist[simple] = dist
            rest = np.flatnonzero(n_pass != k)
        else:
            rest = np.arange(stop - start)
        if len(rest) == 0:
            return
        passing = passing[rest]
        counts = passing.sum(axis=1)
        medium, slow = np.flatnonzero(counts <= fast_width), np.flatnonzero(counts > fast_width)
        if len(slow):
            # exact duplicates: k rows at distance 0 in the first passing blocks are the
            # answer (no distance is below 0; later blocks hold only higher indices)
            blocks, valid = _listed(passing[slow], counts[slow], fast_width)
            own = None if self_index is None else self_index[rest[slow]]
            found, dist = _score(
                exact_blocks, n_ref, q_canonical[rest[slow]], blocks, valid, own, k
            )
            duplicated = dist[:, -1] == 0
            out[rest[slow[duplicated]]] = found[duplicated]
            if return_distance:
                out_dist[rest[slow[duplicated]]] = 0.0
            slow = slow[~duplicated]
        if len(slow) and searcher.dtype != np.float64:
            # many blocks within the float32 bound: the float64 bound is ~1e9 times tighter
            if 2 * len(slow) > stop - start:
                float64_first.append(True)  # sticky; a race only delays it by a chunk
            own = None if self_index is None else self_index[rest[slow]]
            passing_64, _, _ = best_blocks(second_pass(), rows[rest[slow]], own)
            passing[slow] &= passing_64  # both are proven supersets of the answer's blocks
            counts[slow] = passing[slow].sum(axis=1)
        left = np.sort(np.concatenate([medium, slow]))
        if len(left) == 0:
            return
        group = max(1, 8 * _SCORE_VALUES // (int(counts[left].max()) * _BLOCK))
        for lo in range(0, len(left), group):
            part = left[lo : lo + group]
            blocks, valid = _listed(passing[part], counts[part])
            own = None if self_index is None else self_index[rest[part]]
            found, dist = _score(
                exact_blocks, n_ref, q_canonical[rest[part]], blocks, valid, own, k
            )
            out[rest[part]] = found
            if return_distance:
                out_dist[rest[part]] = dist

    workers = min(workers, len(starts))
    if workers <= 1:
        for start in starts:
            run(start)
    else:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, starts))
    return (result, distances) if return_distance else result


def _exact_blocks(reference: np.ndarray, space: _Space) -> np.ndarray:
    """The reference in canonical float64, as ``(block, feature, row in block)``.

    One block's values are contiguous, so gathering candidate blocks copies whole runs.
    """
    n_ref, n_features = reference.shape
    n_blocks = -(-n_ref // _BLOCK)
    out = np.zeros((n_blocks, n_features, _BLOCK))  # padding rows: zeros, masked later
    full = n_ref // _BLOCK
    step = max(1, 2**16 // max(1, n_features))  # blocks per copy: a small temporary
    for lo in range(0, full, step):
        hi = min(lo + step, full)
        rows = reference[lo * _BLOCK : hi * _BLOCK]
        out[lo:hi] = rows.reshape(hi - lo, _BLOCK, n_features).transpose(0, 2, 1)
    if full < n_blocks:
        out[full, :, : n_ref - full * _BLOCK] = reference[full * _BLOCK :].T
    if space.exact:
        np.ldexp(out, space.exact, out=out)
    return out


def _score(exact_blocks, n_ref: int, queries, blocks, valid, self_index, k: int):
    """The ``k`` rows of the given blocks first by (canonical distance, index), and those
    distances.

    ``blocks`` (n_rows, width) are in increasing order along each row where ``valid``
    (the rest is padding), so candidate columns are in index order and a stable sort by
    distance breaks ties by index.
    """
    n_rows, width = blocks.shape
    if n_rows == 0:
        return np.empty((0, k), dtype=np.intp), np.empty((0, k))
    n_features = exact_blocks.shape[1]
    columns, invalid = _block_rows(blocks, n_ref, self_index)
    columns, invalid = columns.reshape(n_rows, -1), invalid.reshape(n_rows, -1)
    invalid |= np.repeat(~valid, _BLOCK, axis=1)
    # canonical distance: feature by feature, first to last, in float64; gathered a few
    # MB at a time, whatever the width and the feature count
    dist = np.empty((n_rows, width, _BLOCK))
    per_row = max(1, min(width, _SCORE_VALUES // (_BLOCK * n_features)))
    group = max(1, _SCORE_VALUES // (per_row * _BLOCK * n_features))
    for lo in range(0, n_rows, group):
        for left in range(0, width, per_row):
            rows, cols = slice(lo, lo + group), slice(left, left + per_row)
            candidates = exact_blocks[blocks[rows, cols]]  # (rows, blocks, features, 32)
            candidates -= queries[rows, None, :, None]
            candidates *= candidates
            total = dist[rows, cols]
            total[...] = candidates[:, :, 0]
            for feature in range(1, n_features):
                total += candidates[:, :, feature]
    dist = dist.reshape(n_rows, -1)
    dist[invalid] = np.inf
    return _k_first(columns, dist, k)


def _k_first(columns: np.ndarray, dist: np.ndarray, k: int):
    """The ``k`` candidates of each row first by (distance, index), nearest first:
    ``(columns, distances)``. ``columns`` must run in index order along each row (masked
    candidates at distance ``+inf``)."""
    if columns.shape[1] > k:
        # all below the k-th distance, then the tied ones in index order
        kth = np.partition(dist, k - 1, axis=1)[:, k - 1 : k]
        below = dist < kth
        tied = dist == kth
        room = k - below.sum(axis=1, keepdims=True)
        chosen = below | (tied & (np.cumsum(tied, axis=1) <= room))
        _, picked = np.nonzero(chosen)  # k per row, in index order
        picked = picked.reshape(len(columns), k)
        columns = np.take_along_axis(columns, picked, axis=1)
        dist = np.take_along_axis(dist, picked, axis=1)
    if not np.isfinite(dist).all():
        raise RuntimeError("neighbour search: fewer candidates than neighbours (a bug)")
    order = np.argsort(dist, axis=1, kind="stable")
    return np.take_along_axis(columns, order, axis=1), np.take_along_axis(dist, order, axis=1)


def _recomputed_e(searcher: _BlockMinima, q_aug_t: np.ndarray, blocks: np.ndarray, own):
    """``E`` of every row of the given blocks, shape ``(n_rows, k, _BLOCK)``, computed again
    from the search's operands (where the chunk's E was not kept); masked rows (padding, the
    query's own row) ``+inf``.

    The same rounded operands, and dot products of the same ``d + 1`` terms in another
    order: the module docstring's bound (any summation order) holds for these values too, so
    the threshold prunes them as it prunes the kept ones.
    """
    n_rows, width = blocks.shape
    n_inner = searcher.aug.shape[1]
    operands = searcher.aug.reshape(-1, _BLOCK * n_inner)[blocks]  # a block: contiguous
    e = np.matmul(operands.reshape(n_rows, width * _BLOCK, n_inner), q_aug_t.T[:, :, None])
    e = e.reshape(n_rows, width, _BLOCK)
    e[_block_rows(blocks, searcher.n_ref, own)[1]] = np.inf
    return e


def _block_rows(blocks: np.ndarray, n_ref: int, self_index):
    """Reference row of every row of the given blocks, shape ``(n_rows, width, _BLOCK)``,
    and which of them are masked: the padding of the last block, and the query's own row
    (``self_index``, one per query, or None)."""
    rows = blocks[:, :, None] * _BLOCK + np.arange(_BLOCK)
    invalid = rows >= n_ref
    if self_index is not None:
        invalid |= rows == self_index[:, None, None]
    return rows, invalid


def _score_rows(exact_blocks, queries, blocks, e, threshold, k: int):
    """:func:`_score` of the given blocks, only on their rows whose ``E`` passes:
    ``(columns, distances)``.

    ``e`` (n_rows, ``blocks.shape[1] * _BLOCK``) holds the blocks' rows' ``E`` (masked rows
    ``+inf``) and ``threshold`` each query's bound. The module docstring's bound holds row
    by row: every row among a query's ``k`` first has ``E`` at most the threshold (that is
    why its block passes), so the rows at or below it are a superset of the answer (on
    well-spread data, about ``k`` of the ``k * _BLOCK``).

    The rows that pass are scored as one flat list (no padding to a common width), in
    index order within each query, so that a stable sort by distance keeps ties in index
    order.
    """
    n_rows = blocks.shape[0]
    if n_rows == 0:
        return np.empty((0, k), dtype=np.intp), np.empty((0, k))
    # masked rows are +inf, above any finite threshold; a simple row's threshold is finite
    # (an infinite k-th block minimum lets every block pass)
    passing = e <= _rounded_up(threshold, e.dtype)[:, None]
    row, slot = np.divmod(np.flatnonzero(passing), passing.shape[1])  # in index order
    block, within = np.divmod(slot, _BLOCK)
    block = blocks[row, block]
    # canonical distance: feature by feature, first to last, in float64; one contiguous
    # run per feature
    diff = exact_blocks.transpose(1, 0, 2)[:, block, within]  # (features, candidates)
    diff -= queries.T[:, row]
    diff *= diff
    dist = diff[0].copy()
    for feature in range(1, len(diff)):
        dist += diff[feature]
    counts = np.bincount(row, minlength=n_rows)
    if counts.min() < k:
        raise RuntimeError("neighbour search: fewer candidates than neighbours (a bug)")
    return _k_first_flat(row, block * _BLOCK + within, dist, counts, k)


def _k_first_flat(row: np.ndarray, columns: np.ndarray, dist: np.ndarray, counts, k: int):
    """:func:`_k_first` of candidates listed flat: query ``row[i]`` (non-decreasing), each
    query's ``counts`` (at least ``k``) candidates in index order."""
    n_rows = len(counts)
    columns_out = np.empty((n_rows, k), dtype=np.intp)
    dist_out = np.empty((n_rows, k))
    exact = counts == k  # the common case: only the k answers passed
    candidates = exact[row] if not exact.all() else slice(None)
    found = columns[candidates].reshape(-1, k)
    found_dist = dist[candidates].reshape(-1, k)
    order = np.argsort(found_dist, axis=1, kind="stable")  # ties keep index order
    columns_out[exact] = np.take_along_axis(found, order, axis=1)
    dist_out[exact] = np.take_along_axis(found_dist, order, axis=1)
    if exact.all():
        return columns_out, dist_out
    # the others, padded to a common width with +inf (after every real candidate)
    more = ~exact
    candidates = more[row]
    local = (np.cumsum(more) - 1)[row[candidates]]
    counts_more = counts[more]
    slot = np.arange(len(local)) - (np.cumsum(counts_more) - counts_more)[local]
    width = int(counts_more.max())
    padded_columns = np.full((len(counts_more), width), np.iinfo(np.intp).max, dtype=np.intp)
    padded_dist = np.full((len(counts_more), width), np.inf)
    padded_columns[local, slot] = columns[candidates]
    padded_dist[local, slot] = dist[candidates]
    columns_out[more], dist_out[more] = _k_first(padded_columns, padded_dist, k)
    return columns_out, dist_out


def _rounded_up(values: np.ndarray, dtype) -> np.ndarray:
    """``values`` in ``dtype``, each rounded up (``x <= values`` implies ``x <= result`` for
    any ``x`` of that type), so comparisons run in the narrower type."""
    narrow = values.astype(dtype)
    below = narrow < values
    narrow[below] = np.nextafter(narrow[below], np.asarray(np.inf, dtype=narrow.dtype))
    return narrow


def _true_columns(mask: np.ndarray) -> np.ndarray:
    """Column of every true entry of a 2-D mask, row by row (``np.nonzero(mask)[1]``,
    without the row indices: ~10x faster on a chunk's masks)."""
    return np.flatnonzero(mask) % mask.shape[1]


def _listed(passing: np.ndarray, counts: np.ndarray, most: int | None = None):
    """Passing block ids per row, increasing, padded to one width; and which are real.

    With ``most``, only each row's first ``most`` passing blocks.
    """
    width = int(counts.max()) if most is None else most
    row, block = np.divmod(np.flatnonzero(passing), passing.shape[1])  # increasing per row
    slot = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    kept = slot < width
    blocks = np.zeros((len(counts), width), dtype=np.intp)
    blocks[row[kept], slot[kept]] = block[kept]
    return blocks, np.arange(width) < np.minimum(counts, width)[:, None]
