"""The verdict of a comparison: which strategies are as good as the best, and which to use.

Every strategy is scored on the same folds, so the honest comparison is *paired*: for each
fold, the best strategy's score minus the other's. The rule (:func:`best_group`):

    a strategy is in the best group when the mean of its paired differences to the best is
    at most one corrected standard error of those differences,
    ``sqrt((1 / K + n_test / n_train) * var(d))`` over the ``K`` folds (all repeats).

This is the one-standard-error rule (Breiman et al. 1984) applied to paired differences, with
Nadeau & Bengio's (2003) correction of the variance: folds overlap in their training rows (and
repeated cross-validation reuses every row), so the plain ``var(d) / K`` underestimates the
variance of the mean; the ``n_test / n_train`` term compensates. Identical fold scores give a
difference of zero, so a strategy that only ties the best is always in its group.

Nothing here imports Keras or trains anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["GROUP_RULE", "best_group", "clearly_above", "paired_test"]

GROUP_RULE = (
    "paired one-standard-error rule: in the best group when the mean of the fold-by-fold "
    "differences to the best is at most one standard error of those differences, corrected "
    "for overlapping training folds (Nadeau & Bengio 2003)"
)


def paired_test(better: np.ndarray, other: np.ndarray, test_train_ratio: float):
    """``(mean difference, corrected standard error)`` of ``better - other`` over paired folds.

    Folds where either score is NaN (a metric undefined on that fold) are left out.
    """
    difference = np.asarray(better, dtype=float) - np.asarray(other, dtype=float)
    difference = difference[np.isfinite(difference)]
    if len(difference) == 0:
        return float("nan"), float("nan")
    variance = float(np.var(difference, ddof=1)) if len(difference) > 1 else 0.0
    return float(difference.mean()), float(
        np.sqrt((1.0 / len(difference) + test_train_ratio) * variance)
    )


def clearly_above(better: np.ndarray, other: np.ndarray, test_train_ratio: float) -> bool:
    """Whether ``better`` is above ``other`` by more than the group rule's margin."""
    mean, error = paired_test(better, other, test_train_ratio)
    # The tolerance keeps floating-point noise of identical scores (1e-17) from counting.
    return bool(np.isfinite(mean) and mean > error + 1e-12)


def best_group(scores: pd.DataFrame, ranking: list, test_train_ratio: float) -> pd.DataFrame:
    """The paired comparison of every strategy with the best.

    ``scores``: one column per strategy, one row per fold (the primary metric); ``ranking``:
    the strategies best first. Returns a frame indexed like ``ranking`` with
    ``mean_difference`` (best minus this one), ``standard_error`` (corrected) and
    ``in_group`` (bool; the best is always in its own group).
    """
    best = ranking[0]
    rows = {}
    for name in ranking:
        mean, error = paired_test(scores[best], scores[name], test_train_ratio)
        within = name == best or (np.isfinite(mean) and mean <= error + 1e-12)
        rows[name] = {"mean_difference": mean, "standard_error": error, "in_group": within}
    return pd.DataFrame.from_dict(rows, orient="index")
