"""NearMiss (Mani and Zhang, 2003): under-sample by distance to the minority class.

Row selection, ``sample_indices_`` and output order follow imbalanced-learn's ``NearMiss``:
class by class in label order, the kept rows of a targeted class in the order of their score
(ties: input order), every row of an untargeted class in input order.
"""

from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval

from ._base import BaseResampler, ResamplePlan, class_rows
from ._nearest import ExactNearestNeighbors, check_neighbors_object, n_neighbors_of
from ._neighbors import _SAFE_EXPONENT, _dense, _shift_to_unit, kneighbors

__all__ = ["NearMiss"]

_DISTANCE_VALUES = 2**20  # float64 differences held at once while scoring (8 MB)


def _neighbour_constraint() -> list:
    return [Interval(Integral, 1, None, closed="left"), HasMethods(["kneighbors", "fit"])]


def minority_code(codes: np.ndarray, counts: np.ndarray) -> int:
    """The minority class as imbalanced-learn picks it: among the smallest classes, the one
    seen first in ``y`` (``min(Counter(y), key=...)`` keeps first-appearance order)."""
    smallest = np.flatnonzero(counts == counts.min())
    if len(smallest) == 1:
        return int(smallest[0])
    _, first_seen = np.unique(codes, return_index=True)
    return int(smallest[np.argmin(first_seen[smallest])])


def _common_scale(*matrices) -> int:
    """Power-of-two exponent that keeps squared differences in float64 range (0 if safe)."""
    largest = max((float(np.abs(m).max()) if m.size else 0.0) for m in matrices)
    if largest == 0 or 2.0**-_SAFE_EXPONENT <= largest <= 2.0**_SAFE_EXPONENT:
        return 0
    return _shift_to_unit(largest)


def _distances_to(reference, query, indices: np.ndarray | None, shift: int | None = None):
    """Float64 Euclidean distances of each query row to ``reference[indices[i]]`` (or to every
    reference row when ``indices`` is None), in query chunks of bounded memory.

    Data beyond ``2**+-200`` are first scaled by ``2**shift`` (exact; by default the power of
    two that brings them to ``[1, 2)``), so squares neither over- nor underflow; distances
    then come out in that scale, which only ranks need.
    """
    if shift is None:
        shift = _common_scale(reference, query)
    width = reference.shape[0] if indices is None else indices.shape[1]
    out = np.empty((query.shape[0], width), dtype=np.float64)
    step = max(1, _DISTANCE_VALUES // max(1, width * reference.shape[1]))
    for lo in range(0, query.shape[0], step):
        q = query[lo : lo + step].astype(np.float64, copy=False)
        r = reference if indices is None else reference[indices[lo : lo + step]]
        r = r.astype(np.float64, copy=False)
        if shift:  # scaling by 2**0 would only copy (neither is changed in place)
            q, r = np.ldexp(q, shift), np.ldexp(r, shift)
        diff = r - q[:, None, :]
        out[lo : lo + step] = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
    return out


def neighbour_distances(estimator, reference, query, k: int) -> np.ndarray:
    """Distances (nearest first) from each query row to its ``k`` nearest reference rows.

    ``ExactNearestNeighbors`` (an int parameter) runs skbalance's exact search; any other
    k-NN estimator is fitted on ``reference`` and asked, as imbalanced-learn does, so its own
    metric gives the distances. A query row is never excluded from its own neighbours.
    """
    if type(estimator) is ExactNearestNeighbors:  # a subclass may change kneighbors
        # the search's own canonical distances (scaled by a power of two only where the
        # data would over- or underflow when squared, as _distances_to does)
        _, squared = kneighbors(
            _dense(reference),
            k,
            query=_dense(query),
            n_jobs=estimator.n_jobs,
            return_distance=True,
        )
        return np.sqrt(squared)
    estimator.fit(reference)
    distances, _ = estimator.kneighbors(query, n_neighbors=k)
    distances = np.asarray(distances, dtype=np.float64)
    if distances.shape != (query.shape[0], k):
        raise ValueError(
            f"{type(estimator).__name__}.kneighbors returned distances of shape "
            f"{distances.shape}; expected {(query.shape[0], k)}."
        )
    return distances


class NearMiss(BaseResampler):
    """Under-sample with NearMiss: keep the rows closest to (or farthest from) the minority.

    - ``version=1``: keep the rows whose mean distance to their ``n_neighbors`` nearest
      minority rows is smallest;
    - ``version=2``: keep the rows whose mean distance to their ``n_neighbors`` *farthest*
      minority rows is smallest;
    - ``version=3``: first keep, for each minority row, its ``n_neighbors_ver3`` nearest rows
      of the class; of those, keep the rows whose mean distance to their ``n_neighbors``
      nearest minority rows is *largest*. This may keep fewer rows than asked (a warning
      says so), as in imbalanced-learn.

    Same selection, output order and ``sample_indices_`` as imbalanced-learn's ``NearMiss``.
    Ties in the score keep input order. X may be of any rank >= 2 (rows are flattened),
    sparse, or a DataFrame; ``sample_weight`` follows the rows.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to under-sample and to how many rows (imbalanced-learn's meaning).
    version : {1, 2, 3}, default=1
    n_neighbors : int or k-NN estimator, default=3
        Minority neighbours in the score. An estimator (``fit`` and ``kneighbors``, e.g.
        ``NearestNeighbors(n_neighbors=3)``) is cloned and used with its own metric.
    n_neighbors_ver3 : int or k-NN estimator, default=3
        Version 3's pre-selection: neighbours of each minority row among the class's rows.
    n_jobs : int, default=None
        Threads of the exact search built for an int; ``None`` uses every core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Number of rows to keep per targeted label.
    nn_ : estimator
        The k-NN estimator built from ``n_neighbors``.
    nn_ver3_ : estimator
        The one built from ``n_neighbors_ver3`` (only with ``version=3``).
    sample_indices_ : ndarray
        Input rows kept, in output order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import NearMiss
    >>> X = np.array([[0.0], [0.2], [1.0], [3.0], [4.0], [9.0]]); y = np.array([1, 1, 0, 0, 0, 0])
    >>> NearMiss(n_neighbors=1).fit_resample_indices(X, y).tolist()  # the 0s nearest the 1s
    [2, 3, 0, 1]
    """

    _sampling_type = "under-sampling"
    _selects_rows = True
    _needs_distances = True

    _parameter_constraints: dict = {
        "sampling_strategy": "no_validation",  # resolve_sampling_strategy checks it
        "version": [Interval(Integral, 1, 3, closed="both")],
        "n_neighbors": _neighbour_constraint(),
        "n_neighbors_ver3": _neighbour_constraint(),
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        version=1,
        n_neighbors=3,
        n_neighbors_ver3=3,
        n_jobs=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.version = version
        self.n_neighbors = n_neighbors
        self.n_neighbors_ver3 = n_neighbors_ver3
        self.n_jobs = n_jobs

    def _check_params(self, counts, classes, targets):
        self._validate_params()
        self.nn_ = check_neighbors_object("n_neighbors", self.n_neighbors, n_jobs=self.n_jobs)
        k = n_neighbors_of(self.nn_, "n_neighbors")
        if k > counts.min():
            raise ValueError(
                f"n_neighbors={k} needs at least {k} minority rows; the minority class "
                f"has {int(counts.min())}."
            )
        if self.version == 3:
            self.nn_ver3_ = check_neighbors_object(
                "n_neighbors_ver3", self.n_neighbors_ver3, n_jobs=self.n_jobs
            )
            k3 = n_neighbors_of(self.nn_ver3_, "n_neighbors_ver3")
            smallest = min(int(counts[code]) for code in targets) if targets else k3
            if k3 > smallest:
                raise ValueError(
                    f"n_neighbors_ver3={k3} needs at least {k3} rows in every class to "
                    f"under-sample; one has {smallest}."
                )
        elif hasattr(self, "nn_ver3_"):
            del self.nn_ver3_

    def _fit_resample(self, X, codes, targets, random_state):
        counts = np.bincount(codes, minlength=len(self._classes_seen))
        rows = class_rows(codes, len(counts))
        minority = rows[minority_code(codes, counts)]
        X_minority = X[minority]
        k = n_neighbors_of(self.nn_, "n_neighbors")
        kept = []
        for code, class_index in enumerate(rows):
            if code not in targets:
                kept.append(class_index)
                continue
            kept.append(class_index[self._select(X, X_minority, class_index, k, targets[code])])
        return ResamplePlan(np.concatenate(kept).astype(np.intp, copy=False))

    def _select(self, X, X_minority, class_index, k, n_keep) -> np.ndarray:
        """Positions (within the class) of the rows kept, in imbalanced-learn's order."""
        X_class = X[class_index]
        if self.version == 1:
            score = neighbour_distances(self.nn_, X_minority, X_class, k).sum(axis=1)
            return np.argsort(score, kind="stable")[:n_keep]
        if self.version == 2:
            score = self._farthest_sum(X_minority, X_class, k)
            return np.argsort(score, kind="stable")[:n_keep]
        k3 = n_neighbors_of(self.nn_ver3_, "n_neighbors_ver3")
        near_minority = self._nearest_in_class(X_class, X_minority, k3)
        candidates = np.unique(near_minority)
        score = neighbour_distances(self.nn_, X_minority, X_class[candidates], k).sum(axis=1)
        if len(candidates) < n_keep:
            warnings.warn(
                f"NearMiss-3 found {len(candidates)} rows of a class near the minority, fewer "
                f"than the {n_keep} asked for: all {len(candidates)} are kept, so the classes "
                "are not balanced. Increase n_neighbors_ver3 to keep more.",
                UserWarning,
                stacklevel=5,
            )
        # the largest scores first, ties in input order (as a stable reverse sort)
        return candidates[np.argsort(-score, kind="stable")[:n_keep]]

    def _farthest_sum(self, X_minority, X_class, k) -> np.ndarray:
        """Version 2's score: the sum of the ``k`` largest distances to minority rows."""
        n_min = X_minority.shape[0]
        if type(self.nn_) is not ExactNearestNeighbors:
            return neighbour_distances(self.nn_, X_minority, X_class, n_min)[:, -k:].sum(axis=1)
        X_minority, X_class = _dense(X_minority), _dense(X_class)
        shift = _common_scale(X_minority, X_class)  # one scale: scores of all chunks compare
        # Which k minority rows are farthest is found with one matrix product per chunk, on
        # data centred on the minority's mean: the farthest distance from any row is at least
        # its distance to that mean, so the float64 error of |a|^2 + |b|^2 - 2 a.b is tiny
        # beside the distances that matter. The chosen distances are then computed exactly.
        minority = np.ldexp(X_minority.astype(np.float64), shift)
        centre = minority.mean(axis=0)
        minority -= centre
        minority_norms = np.einsum("ij,ij->i", minority, minority)
        score = np.empty(X_class.shape[0])
        step = max(1, _DISTANCE_VALUES // n_min)  # never the whole distance matrix at once
        for lo in range(0, X_class.shape[0], step):
            rows = np.ldexp(X_class[lo : lo + step].astype(np.float64), shift) - centre
            squared = minority_norms - 2.0 * (rows @ minority.T)  # + |row|^2: same per row
            farthest = np.argpartition(squared, n_min - k, axis=1)[:, n_min - k :]
            distances = _distances_to(X_minority, X_class[lo : lo + step], farthest, shift)
            # summed nearest first, as imbalanced-learn sums its sorted distances
            score[lo : lo + step] = np.sort(distances, axis=1).sum(axis=1)
        return score

    def _nearest_in_class(self, X_class, X_minority, k3) -> np.ndarray:
        """Version 3's pre-selection: each minority row's ``k3`` nearest rows of the class."""
        if type(self.nn_ver3_) is ExactNearestNeighbors:
            return kneighbors(
                _dense(X_class), k3, query=_dense(X_minority), n_jobs=self.nn_ver3_.n_jobs
            )
        self.nn_ver3_.fit(X_class)
        return np.asarray(self.nn_ver3_.kneighbors(X_minority, return_distance=False))
