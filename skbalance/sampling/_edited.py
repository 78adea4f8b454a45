"""Repeated editing: :class:`RepeatedEditedNearestNeighbours` and :class:`AllKNN`.

Both run :class:`~skbalance.sampling.EditedNearestNeighbours` again and again on what the last
run kept, and stop as imbalanced-learn's classes do. Rows keep the input order, as every
skbalance cleaning sampler's do (imbalanced-learn groups its output by class); the set of rows
kept is imbalanced-learn's.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseResampler, ResamplePlan
from ._cleaning import EditedNearestNeighbours
from ._nearest import check_neighbors_object, n_neighbors_of, nearest
from ._nearmiss import _neighbour_constraint, minority_code

__all__ = ["AllKNN", "RepeatedEditedNearestNeighbours"]


class _RepeatedEditing(BaseResampler):
    """What both share: the ENN they run, its checks, and imbalanced-learn's stop rule."""

    _sampling_type = "clean-sampling"
    _selects_rows = True
    _needs_distances = True

    def _editor(self) -> EditedNearestNeighbours:
        return EditedNearestNeighbours(
            sampling_strategy=self.sampling_strategy,
            n_neighbors=self.n_neighbors,
            kind_sel=self.kind_sel,
            n_jobs=self.n_jobs,
        )

    def _check_params(self, counts, classes, targets):
        self._validate_params()
        self.nn_ = check_neighbors_object(
            "n_neighbors", self.n_neighbors, additional_neighbor=1, n_jobs=self.n_jobs
        )
        self.enn_ = self._editor()
        # the first edit meets the data as a plain ENN would (same checks, same messages)
        self.enn_._check_params(counts, classes, targets)

    def _edit(self, X, codes, rows: np.ndarray, random_state, known=None) -> np.ndarray:
        """One ENN run on ``rows``; returns the rows it keeps (input order kept).

        ``known``, if given, is ``(near, valid)``: the exact search's neighbours of each of
        ``rows`` within ``rows`` (positions), where ``valid``. The run uses those, searches
        the others, and updates ``known`` in place to describe the rows kept.
        """
        X_rows = X[rows]
        neighbours = None
        if known is not None:
            near, valid = known

            def neighbours(checked):
                need = checked[~valid[checked]]
                if len(need):
                    k = near.shape[1]
                    query = X_rows[need]
                    near[need] = nearest(self.enn_.nn_, X_rows, k, query=query, query_index=need)
                    valid[need] = True
                return near[checked]

        plan = self.enn_._run_on_arrays(
            X_rows, self._classes_seen, codes[rows], random_state, neighbours=neighbours
        )
        self.enn_.sample_indices_ = plan.indices
        if known is not None:
            # a row's k nearest (by distance, then index) that are all kept are still its k
            # nearest among the rows kept: no other row can come closer, and the order of
            # the indices is kept. Rows that lost a neighbour are searched again when needed.
            position = np.full(len(rows), -1)
            position[plan.indices] = np.arange(len(plan.indices))
            moved = position[near[plan.indices]]
            kept_valid = valid[plan.indices] & (moved >= 0).all(axis=1)
            known[0], known[1] = np.where(kept_valid[:, None], moved, 0), kept_valid
        return rows[plan.indices]

    def _known_neighbours(self, n_rows: int):
        """An empty ``known`` for :meth:`_edit` when the exact search answers (its answers
        can then be carried from run to run), else None (an estimator searches each run)."""
        if not isinstance(self.n_neighbors, Integral):
            return None
        return [np.zeros((n_rows, int(self.n_neighbors)), dtype=np.intp), np.zeros(n_rows, bool)]

    @staticmethod
    def _too_few(codes, rows, minority: int, minority_count: int, n_classes: int):
        """imbalanced-learn's stop rule: a class vanished, or one besides the minority fell
        below the minority's original count. Returns (vanished, fell_below)."""
        counts = np.bincount(codes[rows], minlength=n_classes)
        present = counts > 0
        others = present.copy()
        others[minority] = False
        return bool(not present.all()), bool((counts[others] < minority_count).any())


class RepeatedEditedNearestNeighbours(_RepeatedEditing):
    """Repeated Edited Nearest Neighbours (Tomek, 1976): ENN until nothing changes.

    Runs :class:`EditedNearestNeighbours` on the rows the previous run kept, at most
    ``max_iter`` times, and stops early (as imbalanced-learn does) when a run removes nothing,
    when a class vanishes, or when a class other than the minority falls below the minority's
    count. Rows keep the input order.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Classes to clean ('auto': every class but the minority).
    n_neighbors : int or k-NN estimator, default=3
        Neighbours of each row, as in :class:`EditedNearestNeighbours`.
    max_iter : int, default=100
        Most ENN runs.
    kind_sel : {'all', 'mode'}, default='all'
    n_jobs : int, default=None
        Threads for the neighbour search; ``None`` uses every core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
    nn_ : estimator
        The k-NN estimator built from ``n_neighbors`` (an int counts the row itself: ``+1``).
    enn_ : EditedNearestNeighbours
        The editor, as left by its last run.
    n_iter_ : int
        ENN runs made.
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import RepeatedEditedNearestNeighbours
    >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [5.0], [5.1], [5.2], [5.3], [5.4]])
    >>> y = np.array([0, 1, 0, 0, 0, 1, 1, 1, 1, 0])
    >>> renn = RepeatedEditedNearestNeighbours(n_neighbors=2)
    >>> renn.fit_resample_indices(X, y).tolist(), renn.n_iter_
    ([0, 2, 3, 4, 5, 6, 7, 9], 1)
    """

    _parameter_constraints: dict = {
        "sampling_strategy": "no_validation",  # resolve_sampling_strategy checks it
        "n_neighbors": _neighbour_constraint(),
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "kind_sel": [StrOptions({"all", "mode"})],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self, *, sampling_strategy="auto", n_neighbors=3, max_iter=100, kind_sel="all", n_jobs=None
    ):
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.max_iter = max_iter
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _fit_resample(self, X, codes, targets, random_state):
        n_classes = len(self._classes_seen)
        counts = np.bincount(codes, minlength=n_classes)
        minority = minority_code(codes, counts)
        rows = np.arange(len(codes))
        known = self._known_neighbours(len(rows))
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            self.n_iter_ += 1
            kept = self._edit(X, codes, rows, random_state, known)
            converged = len(kept) == len(rows)
            vanished, fell_below = self._too_few(codes, kept, minority, counts[minority], n_classes)
            rows = kept
            if converged or vanished or fell_below:
                break
        return ResamplePlan(rows)


class AllKNN(_RepeatedEditing):
    """All k-NN (Tomek, 1976): ENN with 1, 2, ..., ``n_neighbors`` neighbours in turn.

    Each run cleans what the previous run kept. As in imbalanced-learn, it stops early when a
    class vanishes or (unless ``allow_minority``) when a class other than the minority falls
    below the minority's count; an estimator given as ``n_neighbors`` sets only the largest
    neighbourhood (its ``n_neighbors - 1``), the runs use skbalance's exact search. Rows keep
    the input order.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Classes to clean ('auto': every class but the minority).
    n_neighbors : int or k-NN estimator, default=3
        Largest neighbourhood.
    kind_sel : {'all', 'mode'}, default='all'
    allow_minority : bool, default=False
        Keep going even when a class falls below the minority's count.
    n_jobs : int, default=None
        Threads for the neighbour search; ``None`` uses every core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
    nn_ : estimator
        The k-NN estimator built from ``n_neighbors`` (an int counts the row itself: ``+1``).
    enn_ : EditedNearestNeighbours
        The editor, as left by its last run.
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import AllKNN
    >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [5.0], [5.1], [5.2], [5.3], [5.4]])
    >>> y = np.array([0, 1, 0, 0, 0, 1, 1, 1, 1, 0])
    >>> AllKNN(n_neighbors=2).fit_resample_indices(X, y).tolist()  # as imbalanced-learn
    [0, 2, 3, 4, 5, 6, 7, 8, 9]
    """

    _parameter_constraints: dict = {
        "sampling_strategy": "no_validation",  # resolve_sampling_strategy checks it
        "n_neighbors": _neighbour_constraint(),
        "kind_sel": [StrOptions({"all", "mode"})],
        "allow_minority": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        n_neighbors=3,
        kind_sel="all",
        allow_minority=False,
        n_jobs=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.allow_minority = allow_minority
        self.n_jobs = n_jobs

    def _editor(self) -> EditedNearestNeighbours:
        # every run uses an int neighbourhood, as imbalanced-learn's AllKNN does
        editor = super()._editor()
        editor.n_neighbors = 1
        return editor

    def _check_params(self, counts, classes, targets):
        super()._check_params(counts, classes, targets)
        largest = n_neighbors_of(self.nn_, "n_neighbors") - 1
        if largest > counts.sum() - 1:
            raise ValueError(
                f"n_neighbors={largest} needs at least {largest + 1} rows; X has "
                f"{int(counts.sum())}."
            )

    def _fit_resample(self, X, codes, targets, random_state):
        n_classes = len(self._classes_seen)
        counts = np.bincount(codes, minlength=n_classes)
        minority = minority_code(codes, counts)
        rows = np.arange(len(codes))
        for size in range(1, n_neighbors_of(self.nn_, "n_neighbors")):
            self.enn_.n_neighbors = size
            rows = self._edit(X, codes, rows, random_state)
            vanished, fell_below = self._too_few(codes, rows, minority, counts[minority], n_classes)
            if vanished or (fell_below and not self.allow_minority):
                break
        return ResamplePlan(rows)
