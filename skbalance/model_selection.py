"""Cross-validation splitters for imbalanced targets that scikit-learn does not stratify.

:class:`IterativeStratifiedKFold` stratifies a multi-label indicator matrix, which
``StratifiedKFold`` refuses, by iterative stratification (K. Sechidis, G. Tsoumakas,
I. Vlahavas, "On the Stratification of Multi-Label Data", ECML PKDD 2011, LNCS 6913,
pp. 145-158, algorithm 1).

Why not the ``iterative-stratification`` package: it implements the same algorithm (BSD-3),
but its last release (0.1.9, 2024) documents testing on Python 3.4-3.9 only and it refuses
``random_state`` without ``shuffle=True`` although it draws random tie-breaks in either case
(an issue open since 2023); as an optional extra it would also leave skbalance's own
multi-label cross-validation depending on whether it is installed. The algorithm is short.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples

from skbalance.sampling._multilabel import check_indicator

__all__ = ["IterativeStratifiedKFold"]


class IterativeStratifiedKFold(BaseCrossValidator):
    """K-fold cross-validation that keeps every label's share of positives in every fold.

    Iterative stratification (Sechidis et al. 2011, algorithm 1). Each fold ``j`` wants
    ``n_samples / n_splits`` rows and, of every label ``l``, ``count(l) / n_splits`` positive
    rows. Repeatedly, the label with the fewest rows not yet assigned (``l``) is taken, and
    each of its rows goes to the fold that still wants the most rows of ``l``; ties go to the
    fold that wants the most rows overall, then to a fold drawn at random (``shuffle=True``)
    or the first one (``shuffle=False``). Ties between labels are broken the same way. Each
    placed row lowers its fold's wants for every label it has. Rows without any label
    finally go, one by one, to the fold that wants the most rows.

    The rarest labels are placed first, while every fold still wants them: a label whose
    rows share no other label is split as evenly as possible (every fold holds the floor or
    the ceiling of ``count(l) / n_splits``), and in general the rare labels' shares are
    close to even, which random folds are not. A label with fewer positive rows than
    ``n_splits`` leaves some folds without it (a warning says so, as ``StratifiedKFold``'s).

    A 1-D ``y`` of class labels is treated as one indicator column per class, so the folds
    are stratified by class (the same guarantee as ``StratifiedKFold``, though not the same
    folds).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    shuffle : bool, default=False
        Whether to shuffle the rows first and break ties at random; otherwise the folds
        depend only on the data (row order and labels).
    random_state : None, int or RandomState, default=None
        With ``shuffle=True``, fixes the shuffle and the tie-breaks; must be None otherwise
        (as scikit-learn's splitters require).

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.model_selection import IterativeStratifiedKFold
    >>> Y = np.array([[1, 0], [1, 0], [1, 1], [0, 1], [1, 0], [0, 0], [1, 1], [0, 1]])
    >>> cv = IterativeStratifiedKFold(n_splits=2)
    >>> [Y[test].sum(axis=0).tolist() for _, test in cv.split(np.zeros((8, 1)), Y)]
    [[3, 2], [2, 2]]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state=None):
        if not isinstance(n_splits, Integral) or isinstance(n_splits, bool) or n_splits < 2:
            raise ValueError(
                f"n_splits must be an integer >= 2 (at least one train/test split); got "
                f"{n_splits!r}."
            )
        if not isinstance(shuffle, bool | np.bool_):
            raise TypeError(f"shuffle must be True or False; got {shuffle!r}.")
        if not shuffle and random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False: the folds "
                "then depend on the data alone. Leave random_state to None, or set "
                "shuffle=True."
            )
        self.n_splits = int(n_splits)
        self.shuffle = bool(shuffle)
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """Number of splits (``n_splits``); the arguments are ignored."""
        return self.n_splits

    def split(self, X, y, groups=None):
        """Generate ``(train, test)`` row indices, one pair per fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Only its number of rows is used.
        y : array-like, DataFrame or sparse matrix of shape (n_samples, n_labels) or (n_samples,)
            Label indicator matrix (0/1), or one class label per row.
        groups : ignored

        Yields
        ------
        train, test : ndarray of int
        """
        return super().split(X, y, groups)

    def _iter_test_masks(self, X, y, groups=None):
        fold = self.assign_folds(X, y)
        for j in range(self.n_splits):
            yield fold == j

    def assign_folds(self, X, y) -> np.ndarray:
        """The fold (0 to ``n_splits - 1``) of every row, as :meth:`split` uses it."""
        labels = _as_indicator(y)
        n_samples = labels.shape[0]
        if X is not None and _num_samples(X) != n_samples:
            raise ValueError(
                f"X has {_num_samples(X)} rows but y has {n_samples}; they must have one row "
                "of labels per sample."
            )
        if self.n_splits > n_samples:
            raise ValueError(
                f"Cannot have number of splits n_splits={self.n_splits} greater than the "
                f"number of samples: n_samples={n_samples}."
            )
        counts = labels.sum(axis=0)
        if counts.min() < self.n_splits:
            warnings.warn(
                f"The least populated label in y has only {int(counts.min())} positive rows, "
                f"which is less than n_splits={self.n_splits}: some folds will have none.",
                UserWarning,
                stacklevel=3,
            )
        rng = check_random_state(self.random_state) if self.shuffle else None
        order = rng.permutation(n_samples) if rng is not None else np.arange(n_samples)
        return _iterative_stratification(labels[order], self.n_splits, rng)[np.argsort(order)]


def _as_indicator(y) -> np.ndarray:
    """y as a bool indicator matrix; a 1-D y of classes becomes one column per class."""
    values = y.to_numpy() if hasattr(y, "to_numpy") and not hasattr(y, "columns") else y
    if values is not None and np.ndim(values) == 1:
        from skbalance._labels import as_label_array, encode_labels

        classes, codes = encode_labels(as_label_array(values), compact=True)
        return codes[:, None] == np.arange(len(classes))
    # labels without positives are allowed: they constrain nothing (the warning names them)
    return check_indicator(y, name="y", allow_empty_labels=True).matrix


def _iterative_stratification(labels: np.ndarray, n_splits: int, rng) -> np.ndarray:
    """Sechidis et al.'s algorithm 1 on rows in the given order; ``rng`` None: no randomness."""
    n_samples, n_labels = labels.shape
    fold = np.full(n_samples, -1, dtype=np.intp)
    wanted_rows = np.full(n_splits, n_samples / n_splits)
    wanted = np.outer(labels.sum(axis=0) / n_splits, np.ones(n_splits))  # (label, fold)
    remaining = labels.sum(axis=0).astype(np.int64)
    rows_of = [np.flatnonzero(labels[:, label]) for label in range(n_labels)]

    def best(scores: np.ndarray, then: np.ndarray | None = None) -> int:
        candidates = np.flatnonzero(scores == scores.max())
        if then is not None and len(candidates) > 1:
            candidates = candidates[then[candidates] == then[candidates].max()]
        if len(candidates) > 1 and rng is not None:
            return int(candidates[rng.randint(len(candidates))])
        return int(candidates[0])

    while remaining.any():
        # the label with the fewest rows left (ties: at random, or the first)
        left = np.where(remaining > 0, remaining, np.iinfo(np.int64).max)
        label = best(-left)
        for row in rows_of[label]:
            if fold[row] >= 0:
                continue
            j = best(wanted[label], wanted_rows)
            fold[row] = j
            has = labels[row]
            wanted[has, j] -= 1
            wanted_rows[j] -= 1
            remaining -= has
    for row in np.flatnonzero(fold < 0):  # rows without any label
        j = best(wanted_rows)
        fold[row] = j
        wanted_rows[j] -= 1
    return fold
