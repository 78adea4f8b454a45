"""How one epoch of a :class:`~skbalance.keras.BalancedDataset` is drawn (pure NumPy).

Batch sampling after Kang et al., "Decoupling Representation and Classifier for Long-Tailed
Recognition", ICLR 2020: a class share per class, turned into whole draws per class that sum to
the rows of the epoch, then rows drawn within each class, with replacement only where a class
needs more draws than it has rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skbalance._apportion import apportion

__all__ = [
    "BATCH_SAMPLING",
    "EpochPlan",
    "apportion",
    "class_shares",
    "draw_epoch",
    "sort_within_batches",
]

BATCH_SAMPLING = ("instance", "class", "sqrt", "progressive")


@dataclass(frozen=True)
class EpochPlan:
    """One epoch: ``rows[i]`` is the row served at position ``i``."""

    rows: np.ndarray  # ascending within each batch
    class_draws: np.ndarray  # draws per class code


def class_shares(
    pool_counts: np.ndarray, mode: str, *, epoch: int = 0, epochs: int | None = None
) -> np.ndarray:
    """Share of the epoch for each class, given the pool's rows per class (absent classes: 0)."""
    counts = np.asarray(pool_counts, dtype=np.float64)
    instance = counts / counts.sum()
    present = (counts > 0).astype(np.float64)
    balanced = present / present.sum()
    if mode == "instance":
        return instance
    if mode == "class":
        return balanced
    if mode == "sqrt":
        roots = np.sqrt(counts)
        return roots / roots.sum()
    if mode == "progressive":
        # Kang et al.: p(t) = (1 - t/T) p_instance + (t/T) p_class, t = epoch, T = epochs.
        alpha = min(epoch / epochs, 1.0)
        return (1.0 - alpha) * instance + alpha * balanced
    raise ValueError(f"batch_sampling must be one of {BATCH_SAMPLING}; got {mode!r}.")


def draw_epoch(
    pool_rows: np.ndarray,
    pool_codes: np.ndarray,
    *,
    n_classes: int,
    rows_per_epoch: int,
    batch_size: int,
    mode: str,
    epoch: int,
    epochs: int | None,
    shuffle: bool,
    rng: np.random.Generator,
) -> EpochPlan:
    """Draw one epoch of ``rows_per_epoch`` rows from the pool ``(pool_rows, pool_codes)``.

    Class ``c`` with ``d_c`` draws and ``m_c`` pool rows gets all its rows ``d_c // m_c``
    times plus ``d_c % m_c`` of them chosen without replacement. With ``shuffle`` the draws are
    permuted; then each batch is sorted by row, so slicing X (a memmap especially) reads in
    ascending order. Without ``shuffle`` the whole epoch is in ascending row order. Only one
    array of ``rows_per_epoch`` indices is built (in the pool's index dtype), sorted in place.
    """
    counts = np.bincount(pool_codes, minlength=n_classes)
    draws = apportion(rows_per_epoch, class_shares(counts, mode, epoch=epoch, epochs=epochs), rng)
    rows = np.empty(rows_per_epoch, dtype=pool_rows.dtype)  # filled in place: no copies
    filled = 0
    for code in np.flatnonzero(draws):
        members = pool_rows[pool_codes == code]
        full_passes, rest = divmod(int(draws[code]), members.size)
        for _ in range(full_passes):
            rows[filled : filled + members.size] = members
            filled += members.size
        if rest:
            rows[filled : filled + rest] = rng.choice(members, size=rest, replace=False)
            filled += rest
    if not shuffle:
        rows.sort()
        return EpochPlan(rows=rows, class_draws=draws)
    rng.shuffle(rows)
    return EpochPlan(rows=sort_within_batches(rows, batch_size), class_draws=draws)


def sort_within_batches(rows: np.ndarray, batch_size: int) -> np.ndarray:
    """Sort ``rows`` in place within each batch of ``batch_size`` positions; return it.

    Which rows share a batch, and the batches' order, stay as drawn; ascending rows within a
    batch make slicing X (a memmap especially) read in order.
    """
    full = rows.size - rows.size % batch_size
    rows[:full].reshape(-1, batch_size).sort(axis=1)  # a view: sorts every full batch in place
    rows[full:].sort()
    return rows
