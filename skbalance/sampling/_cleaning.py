"""Cleaning samplers: remove rows that sit among another class's rows.

They select rows (``sample_indices_``), keep the input order, and by default
(``sampling_strategy='auto'``) clean every class except the minority.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.utils._param_validation import StrOptions

from ._base import BaseResampler, ResamplePlan
from ._nearest import NEIGHBORS_CONSTRAINT, nearest, neighbors_param
from ._neighbors import kneighbors
from ._threads import N_JOBS_CONSTRAINT

__all__ = ["TomekLinks", "EditedNearestNeighbours"]


class TomekLinks(BaseResampler):
    """Remove Tomek links: pairs of rows of different classes that are each other's nearest.

    Of each link, the row whose class is targeted by ``sampling_strategy`` is removed
    ('auto': every class but the minority; 'all': both rows of the link).

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Classes to clean (a list of labels, or imbalanced-learn's strings).
    n_jobs : int, default=None
        Threads of the exact neighbour search; ``None`` uses every usable core (see
        "Neighbour parameters and threads" in docs/sampling.md).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Targeted labels (values: the minority count, as in imbalanced-learn).
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import TomekLinks
    >>> X = np.array([[0.0], [1.0], [1.1], [5.0], [6.0]]); y = np.array([0, 0, 1, 0, 1])
    >>> TomekLinks().fit_resample_indices(X, y).tolist()  # links 1-2 and 3-4: drop the 0s
    [0, 2, 4]
    """

    _sampling_type = "clean-sampling"
    _selects_rows = True
    _needs_distances = True
    _parameter_constraints: dict = {
        **BaseResampler._parameter_constraints,
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(self, *, sampling_strategy="auto", n_jobs=None):
        self.sampling_strategy = sampling_strategy
        self.n_jobs = n_jobs

    def _fit_resample(self, X, codes, targets, random_state):
        # only the targeted rows and the rows of other classes they are nearest to need
        # their nearest row (the search is exact: a row's answer does not depend on which
        # other rows are asked about)
        nearest_of = np.full(len(codes), -1)
        checked = np.flatnonzero(np.isin(codes, list(targets)))
        in_link = np.zeros(len(codes), dtype=bool)
        if len(checked):
            nearest_of[checked] = self._nearest(X, checked)
            across = checked[codes[nearest_of[checked]] != codes[checked]]
            partners = np.unique(nearest_of[across])
            unknown = partners[nearest_of[partners] < 0]
            if len(unknown):
                nearest_of[unknown] = self._nearest(X, unknown)
            in_link[across] = nearest_of[nearest_of[across]] == across
        return ResamplePlan(np.flatnonzero(~in_link))

    def _nearest(self, X, rows: np.ndarray) -> np.ndarray:
        return kneighbors(X, 1, query=X[rows], query_index=rows, n_jobs=self.n_jobs)[:, 0]


class EditedNearestNeighbours(BaseResampler):
    """Edited Nearest Neighbours (Wilson, 1972): remove rows their neighbours disagree with.

    A row of a targeted class is removed when its ``n_neighbors`` nearest rows are not all
    of its class (``kind_sel='all'``) or when their most common class (ties: the smallest
    label) is not its class (``kind_sel='mode'``).

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Classes to clean ('auto': every class but the minority).
    n_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=3
        Neighbours that vote on a row. An estimator (such as ``NearestNeighbors(4)``) counts
        the row itself, as in imbalanced-learn.
    kind_sel : {'all', 'mode'}, default='all'
    n_jobs : int, default=None
        Threads of the exact neighbour search; ``None`` uses every usable core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
    nn_ : estimator
        The k-NN estimator used (``ExactNearestNeighbors(n_neighbors + 1)`` for an int).
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import EditedNearestNeighbours
    >>> X = np.array([[0.0], [0.1], [0.2], [0.3], [5.0], [5.1], [5.2]])
    >>> y = np.array([0, 0, 1, 0, 1, 1, 1])
    >>> EditedNearestNeighbours(n_neighbors=2).fit_resample_indices(X, y).tolist()
    [0, 1, 3, 4, 5, 6]
    """

    _sampling_type = "clean-sampling"
    _selects_rows = True
    _needs_distances = True
    _parameter_constraints: dict = {
        **BaseResampler._parameter_constraints,
        "n_neighbors": NEIGHBORS_CONSTRAINT,
        "kind_sel": [StrOptions({"all", "mode"})],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(self, *, sampling_strategy="auto", n_neighbors=3, kind_sel="all", n_jobs=None):
        self.sampling_strategy = sampling_strategy
        self.n_neighbors = n_neighbors
        self.kind_sel = kind_sel
        self.n_jobs = n_jobs

    def _check_params(self, counts, classes, targets):
        k = neighbors_param(self, "n_neighbors", "nn_")
        if k > counts.sum() - 1:
            raise ValueError(
                f"n_neighbors={k} needs at least {k + 1} rows; X has {int(counts.sum())}."
            )

    def _fit_resample(self, X, codes, targets, random_state, neighbours=None):
        """``neighbours(checked)``, if given, returns the ``k`` nearest rows of X (positions)
        of the rows ``checked``, as the search would (a caller that knows some already)."""
        checked = np.flatnonzero(np.isin(codes, list(targets)))
        keep = np.ones(len(codes), dtype=bool)
        if len(checked):
            k = self.nn_.n_neighbors - 1
            if neighbours is None:
                near = nearest(self.nn_, X, k, query=X[checked], query_index=checked)
            else:
                near = neighbours(checked)
            neighbour_codes = codes[near]
            own = codes[checked]
            if self.kind_sel == "all":
                agrees = (neighbour_codes == own[:, None]).all(axis=1)
            else:
                agrees = stats.mode(neighbour_codes, axis=1, keepdims=False).mode == own
            keep[checked] = agrees
        return ResamplePlan(np.flatnonzero(keep))
