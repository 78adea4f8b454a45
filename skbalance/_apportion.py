"""Largest-remainder apportionment: split a whole number of draws among shares.

One home for "how many of ``total`` does each part get", used where a count must come out
exact: ADASYN's new rows per seed row, and the training feed's draws per class per epoch.
"""

from __future__ import annotations

import numpy as np

__all__ = ["apportion"]


def apportion(total: int, shares, rng: np.random.Generator | None = None) -> np.ndarray:
    """Whole counts summing to ``total``: largest-remainder rounding of ``total * shares``.

    ``shares`` are non-negative and sum to 1; a zero share never receives a count. Ties
    between equal remainders are broken at random with ``rng`` (so no part is favoured
    systematically across repeated draws), or by position, first part first, without one.

    Examples
    --------
    >>> apportion(10, [0.55, 0.25, 0.2]).tolist()
    [6, 2, 2]
    """
    shares = np.asarray(shares, dtype=np.float64)
    # Rounding the quotas first keeps float noise (99.999999999 for 100) from creating
    # remainders that are not really there.
    quotas = np.round(total * shares, 9)
    draws = np.floor(quotas).astype(np.int64)
    missing = int(total - draws.sum())
    if missing > 0:
        remainders = np.where(shares > 0, quotas - draws, -1.0)
        tiebreak = np.arange(remainders.size) if rng is None else rng.random(remainders.size)
        order = np.lexsort((tiebreak, -remainders))
        draws[order[:missing]] += 1
    return draws
