"""Neighbourhood Cleaning Rule (Laurikkala, 2001), with imbalanced-learn 0.14's signature."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval

from ._base import BaseResampler, ResamplePlan
from ._cleaning import EditedNearestNeighbours
from ._nearest import ExactNearestNeighbors, n_neighbors_of
from ._nearmiss import _neighbour_constraint, minority_code
from ._neighbors import kneighbors

__all__ = ["NeighbourhoodCleaningRule"]


class NeighbourhoodCleaningRule(BaseResampler):
    """Neighbourhood Cleaning Rule: ENN, then clear the neighbourhood of misclassified minority.

    Removes the union of two sets of rows:

    1. the rows ``edited_nearest_neighbours`` removes (default: an
       :class:`EditedNearestNeighbours` with ``kind_sel='mode'`` and ``n_neighbors``);
    2. the ``n_neighbors`` nearest neighbours of every minority row that a k-NN vote
       misclassifies (the vote counts the row itself and its ``n_neighbors - 1`` nearest rows,
       as a ``KNeighborsClassifier`` fitted on the data does; ties go to the smallest label),
       where the neighbour's class is targeted by ``sampling_strategy`` and has more than
       ``threshold_cleaning`` times the minority's rows.

    Same rows as imbalanced-learn 0.14's ``NeighbourhoodCleaningRule`` (which no longer has
    ``kind_sel``), kept in input order. A row's own index is always the row itself (with
    duplicated rows imbalanced-learn may take a duplicate for it).

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Classes to clean ('auto': every class but the minority).
    edited_nearest_neighbours : sampler or None, default=None
        The first step: any sampler with ``fit_resample`` and ``sample_indices_`` (cloned).
    n_neighbors : int or estimator, default=3
        Neighbours of the second step. An int or a neighbour search without ``predict``
        (``NearestNeighbors(n_neighbors=4)``, whose count includes the row itself, so ``3``)
        runs skbalance's exact Euclidean search; a k-NN *classifier* (with ``predict``, e.g.
        ``KNeighborsClassifier``) is cloned, fitted and asked, as imbalanced-learn does.
    threshold_cleaning : float, default=0.5
        A class is cleaned in step 2 only if it has more than ``threshold_cleaning`` times the
        minority's rows.
    n_jobs : int, default=None
        Threads for the neighbour search; ``None`` uses every core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
    edited_nearest_neighbours_ : sampler
        Step 1's sampler, fitted.
    nn_ : estimator
        Step 2's k-NN: ``ExactNearestNeighbors(n_neighbors=k)`` or the cloned classifier.
    classes_to_clean_ : list
        Labels cleaned in step 2.
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import NeighbourhoodCleaningRule
    >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [0.5], [5.0], [5.1]])
    >>> y = np.array([0, 0, 1, 0, 0, 0, 1, 1])
    >>> ncr = NeighbourhoodCleaningRule(threshold_cleaning=1.0)
    >>> ncr.fit_resample_indices(X, y).tolist(), ncr.classes_to_clean_
    ([2, 4, 5, 6, 7], [0])
    """

    _sampling_type = "clean-sampling"
    _selects_rows = True
    _needs_distances = True

    _parameter_constraints: dict = {
        "sampling_strategy": "no_validation",  # resolve_sampling_strategy checks it
        "edited_nearest_neighbours": [HasMethods(["fit_resample"]), None],
        "n_neighbors": _neighbour_constraint(),
        "threshold_cleaning": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        edited_nearest_neighbours=None,
        n_neighbors=3,
        threshold_cleaning=0.5,
        n_jobs=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.edited_nearest_neighbours = edited_nearest_neighbours
        self.n_neighbors = n_neighbors
        self.threshold_cleaning = threshold_cleaning
        self.n_jobs = n_jobs

    def _check_params(self, counts, classes, targets):
        self._validate_params()
        value = self.n_neighbors
        if isinstance(value, Integral):
            self.nn_ = ExactNearestNeighbors(n_neighbors=int(value), n_jobs=self.n_jobs)
        elif not callable(getattr(value, "predict", None)):
            # a neighbour search counts the row itself (imbalanced-learn's NearestNeighbors)
            k = n_neighbors_of(value, "n_neighbors") - 1
            if k < 1:
                raise ValueError(
                    f"n_neighbors as a neighbour search must find at least 2 rows (the row "
                    f"itself and a neighbour); {type(value).__name__} has n_neighbors={k + 1}."
                )
            self.nn_ = ExactNearestNeighbors(n_neighbors=k, n_jobs=self.n_jobs)
        else:
            self.nn_ = clone(value)
        k = n_neighbors_of(self.nn_, "n_neighbors")
        if k > counts.sum() - 1:
            raise ValueError(
                f"n_neighbors={k} needs at least {k + 1} rows; X has {int(counts.sum())}."
            )
        if self.edited_nearest_neighbours is None:
            self.edited_nearest_neighbours_ = EditedNearestNeighbours(
                sampling_strategy=self.sampling_strategy,
                n_neighbors=self.n_neighbors,
                kind_sel="mode",
                n_jobs=self.n_jobs,
            )
        else:
            self.edited_nearest_neighbours_ = clone(self.edited_nearest_neighbours)

    def _fit_resample(self, X, codes, targets, random_state):
        counts = np.bincount(codes, minlength=len(self._classes_seen))
        # listed in the order the classes first appear in y, as imbalanced-learn lists them
        _, first_seen = np.unique(codes, return_index=True)
        bar = counts.min() * self.threshold_cleaning
        clean_codes = [c for c in np.argsort(first_seen) if c in targets and counts[c] > bar]
        self.classes_to_clean_ = np.asarray(self._classes_seen)[clean_codes].tolist()
        keep = np.zeros(len(codes), dtype=bool)
        keep[self._edited_rows(X, codes, random_state)] = True

        minority_rows = np.flatnonzero(codes == minority_code(codes, counts))
        misclassified, neighbours = self._vote(X, codes, minority_rows)
        around = np.unique(neighbours[misclassified])
        keep[around[np.isin(codes[around], clean_codes)]] = False
        return ResamplePlan(np.flatnonzero(keep))

    def _edited_rows(self, X, codes, random_state) -> np.ndarray:
        """Rows kept by step 1's sampler."""
        editor = self.edited_nearest_neighbours_
        if isinstance(editor, BaseResampler) and editor._selects_rows:
            # skbalance's own sampler: the data are validated already
            plan = editor._run_on_arrays(X, self._classes_seen, codes, random_state)
            editor.sample_indices_ = plan.indices
            return plan.indices
        editor.fit_resample(X, self._classes_seen[codes])
        rows = getattr(editor, "sample_indices_", None)
        if rows is None:
            raise ValueError(
                f"edited_nearest_neighbours must select rows and set sample_indices_ (as "
                f"EditedNearestNeighbours does); {type(editor).__name__} did not."
            )
        return np.asarray(rows)

    def _vote(self, X, codes, minority_rows):
        """Which minority rows the k-NN vote misclassifies, and each one's k neighbours."""
        k = n_neighbors_of(self.nn_, "n_neighbors")
        if type(self.nn_) is not ExactNearestNeighbors:
            labels = self._classes_seen[codes]
            self.nn_.fit(X, labels)
            query = X[minority_rows]
            predicted = np.asarray(self.nn_.predict(query))
            neighbours = np.asarray(
                self.nn_.kneighbors(query, n_neighbors=k + 1, return_distance=False)
            )[:, 1:]
            return predicted != labels[minority_rows], neighbours
        neighbours = kneighbors(
            X, k, query=X[minority_rows], query_index=minority_rows, n_jobs=self.nn_.n_jobs
        )
        # the vote of a k-NN classifier fitted on X: the row itself and its k - 1 nearest
        voters = np.column_stack([codes[minority_rows], codes[neighbours[:, : k - 1]]])
        votes = np.column_stack(
            [(voters == code).sum(axis=1) for code in range(len(self._classes_seen))]
        )
        return votes.argmax(axis=1) != codes[minority_rows], neighbours
