"""Condensed nearest neighbours (Hart, 1968) and one-sided selection (Kubat & Matwin, 1997).

Both under-sample each targeted class against the minority class with a nearest-neighbour
classifier trained on a *store* ``C``: the minority rows, then ``n_seeds_S`` rows of the class
drawn at random (imbalanced-learn's draws: ``randint(0, n_class, n_seeds_S)`` per targeted
class, in label order, so the same ``random_state`` gives the same seeds).

- ``CondensedNearestNeighbour`` scans the class's rows in input order and adds every row the
  store misclassifies to the store; the rows kept are the store. After the pass every row of
  the class is classified correctly by the store (neighbour votes only move towards the class
  as it grows), which is what makes the store a *condensed* set.
- ``OneSidedSelection`` keeps the seeds and the rows the first store misclassifies, then
  removes the targeted rows of Tomek links among what is left.

**Exact and fast.** With the default k-NN rule (an int, or a plain ``KNeighborsClassifier``:
uniform votes, Euclidean) nothing is refitted: each row's ``k`` nearest minority rows are
found once with skbalance's exact search, and as the store grows each pending row's ``k``
nearest store distances are updated from the one row added, in float64 with the search's
canonical distance (features summed in order). A row is classified as ``KNeighborsClassifier``
would: its ``k`` nearest store rows in the order (distance, position in the store), minority
rows first, and the majority vote, ties going to the smaller label. Any other classifier
(``n_neighbors=KNeighborsClassifier(weights='distance')``, a pipeline, ...) is refitted after
each addition, as imbalanced-learn does.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils._param_validation import HasMethods, Interval

from ._base import BaseResampler, ResamplePlan
from ._cleaning import TomekLinks
from ._neighbors import _Space, kneighbors

__all__ = ["CondensedNearestNeighbour", "OneSidedSelection"]

_CHUNK_VALUES = 2**22  # float64 values per temporary of the distance computations


def _plain_knn_size(estimator) -> int | None:
    """``k`` when ``estimator`` is a uniform-vote Euclidean k-NN classifier, else None."""
    if estimator is None:
        return 1
    if isinstance(estimator, Integral):
        return int(estimator)
    if type(estimator) is not KNeighborsClassifier:  # a subclass may change predict
        return None
    params = estimator.get_params()
    metric, power = params["metric"], params["p"]
    euclidean = metric in ("euclidean", "l2") or (metric == "minkowski" and power == 2)
    if params["weights"] == "uniform" and euclidean and not params["metric_params"]:
        return int(params["n_neighbors"])
    return None


def _classifier(value, n_jobs):
    """The unfitted classifier of the store (what ``estimators_`` holds, once fitted)."""
    if value is None or isinstance(value, Integral):
        return KNeighborsClassifier(n_neighbors=1 if value is None else int(value), n_jobs=n_jobs)
    return clone(value)


def _squared_distances(rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Canonical squared distances between ``rows`` (n, d) and ``others`` (n, ..., d) or (d,).

    Summed feature by feature from the first to the last in float64 (``cumsum`` adds in
    order): the distance skbalance's exact search ranks by, so comparisons agree with it.
    """
    if others.ndim == 3:
        diff = others - rows[:, None, :]
    else:
        diff = rows - others
    diff *= diff
    return np.cumsum(diff, axis=-1)[..., -1]


def _votes_lost(store_d: np.ndarray, minority_d: np.ndarray, class_wins_ties: bool):
    """Rows a store misclassifies, from sorted distances to its ``k`` nearest rows of each side.

    ``store_d`` and ``minority_d`` (n, k) are ascending, ``inf`` where a side has fewer than
    ``k`` rows. The store row ``t`` (0-based) is among the ``k`` nearest when fewer than
    ``k - t`` minority rows come before it; minority rows come first on equal distances.
    """
    k = store_d.shape[1]
    votes = np.zeros(len(store_d), dtype=np.intp)
    for t in range(k):
        votes += store_d[:, t] < minority_d[:, k - 1 - t]
    lost = 2 * votes < k
    if not class_wins_ties:
        lost |= 2 * votes == k
    return lost


class _StoreSampler(BaseResampler):
    """Shared parameters, validation and seeding of CNN and OSS."""

    _sampling_type = "clean-sampling"
    _selects_rows = True
    _needs_distances = True
    _grows = True  # CNN adds misclassified rows to the store; OSS classifies once

    _parameter_constraints: dict = {
        "sampling_strategy": "no_validation",  # resolve_sampling_strategy checks it
        "random_state": ["random_state"],
        "n_neighbors": [
            Interval(Integral, 1, None, closed="left"),
            HasMethods(["fit", "predict"]),
            None,
        ],
        "n_seeds_S": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        n_neighbors=None,
        n_seeds_S=1,
        n_jobs=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_seeds_S = n_seeds_S
        self.n_jobs = n_jobs

    def _check_params(self, counts, classes, targets):
        self._validate_params()
        k = _plain_knn_size(self.n_neighbors)
        minority = int(np.argmin(counts))
        for code in targets:
            if code != minority:
                self._check_store_size(k, counts[minority], min(self.n_seeds_S, counts[code]))

    def _check_store_size(self, k, n_minority: int, n_seeds: int) -> None:
        if k is not None and n_minority + n_seeds < k:
            raise ValueError(
                f"{type(self).__name__} classifies with the {k} nearest rows of a store of "
                f"{n_minority} minority rows and {n_seeds} seed row(s), fewer than {k}; lower "
                f"n_neighbors to at most {n_minority + n_seeds}."
            )

    def _fit_resample(self, X, codes, targets, random_state):
        counts = np.bincount(codes)
        minority = int(np.argmin(counts))
        minority_rows = np.flatnonzero(codes == minority)
        k = _plain_knn_size(self.n_neighbors)
        keep = np.ones(len(codes), dtype=bool)
        self.estimators_ = []
        for code in targets:  # label order, as imbalanced-learn draws its seeds
            rows = np.flatnonzero(codes == code)
            draws = random_state.randint(0, len(rows), size=self.n_seeds_S)
            # a row drawn twice is one seed (imbalanced-learn would keep it twice)
            seeds = draws[np.sort(np.unique(draws, return_index=True)[1])]
            if code != minority:
                self._check_store_size(k, len(minority_rows), len(seeds))
            if k is None:
                store = self._by_refitting(X, codes, rows, seeds, minority_rows)
            else:
                store = self._by_distances(X, rows, seeds, minority_rows, k, code, minority)
            keep[rows] = False
            keep[rows[store]] = True
            # CNN's classifier holds the final store, OSS's the store it classified with
            fitted_on = rows[store] if self._grows else rows[seeds]
            self.estimators_.append(self._fit_store(X, codes, minority_rows, fitted_on))
        return self._finish(X, codes, np.flatnonzero(keep), targets, random_state)

    def _finish(self, X, codes, kept, targets, random_state) -> ResamplePlan:
        return ResamplePlan(kept)

    def _fit_store(self, X, codes, minority_rows, store_rows):
        """The classifier of the store as imbalanced-learn's ``estimators_`` hold it."""
        members = np.concatenate([minority_rows, store_rows])
        labels = self._classes_seen[codes[members]]
        return _classifier(self.n_neighbors, self.n_jobs).fit(X[members], labels)

    def _by_distances(self, X, rows, seeds, minority_rows, k, code, minority):
        """Store positions (into ``rows``) by the exact incremental k-NN rule."""
        if code == minority:  # the class votes for itself: nothing is misclassified
            return seeds
        class_x, minority_x = _dense(X[rows]), _dense(X[minority_rows])
        space = _Space(minority_x, class_x)
        own, others = space.canonical(class_x), space.canonical(minority_x)
        n_near = min(k, len(minority_rows))
        nearest = kneighbors(minority_x, n_near, query=class_x, n_jobs=self.n_jobs)
        minority_d = np.full((len(rows), k), np.inf)
        step = max(1, _CHUNK_VALUES // (n_near * own.shape[1]))
        for lo in range(0, len(rows), step):
            part = slice(lo, lo + step)
            found = _squared_distances(own[part], others[nearest[part]])
            minority_d[part, :n_near] = np.sort(found, axis=1)
        class_wins_ties = code < minority  # KNeighborsClassifier: the smaller label wins
        store_d = np.full((len(rows), k), np.inf)
        for seed in seeds:
            store_d = _insert(store_d, _squared_distances(own, own[seed]))
        lost = _votes_lost(store_d, minority_d, class_wins_ties)
        lost[seeds] = False
        if not self._grows:
            return np.concatenate([seeds, np.flatnonzero(lost)])
        store = [seeds]
        pending = np.flatnonzero(lost)
        while len(pending):
            # every pending row is misclassified by the current store: the first one is the
            # next row the scan meets and adds; rows classified correctly stay so
            added, rest = pending[0], pending[1:]
            store.append(pending[:1])
            near = _insert(store_d[rest], _squared_distances(own[rest], own[added]))
            store_d[rest] = near
            pending = rest[_votes_lost(near, minority_d[rest], class_wins_ties)]
        return np.concatenate(store)

    def _by_refitting(self, X, codes, rows, seeds, minority_rows):
        """Store positions by refitting the user's classifier after each addition."""
        labels = self._classes_seen[codes]
        classifier = _classifier(self.n_neighbors, self.n_jobs)
        store = list(seeds)
        members = np.concatenate([minority_rows, rows[seeds]])
        classifier.fit(X[members], labels[members])
        candidates = np.setdiff1d(np.arange(len(rows)), seeds)
        while len(candidates):
            wrong = np.flatnonzero(classifier.predict(X[rows[candidates]]) != labels[rows[0]])
            if not self._grows:
                return np.concatenate([seeds, candidates[wrong]])
            if not len(wrong):
                break
            added = candidates[wrong[0]]
            store.append(added)
            members = np.append(members, rows[added])
            classifier.fit(X[members], labels[members])
            candidates = candidates[wrong[0] + 1 :]
        return np.asarray(store, dtype=np.intp)


def _dense(X):
    return X.toarray() if hasattr(X, "toarray") else X


def _insert(sorted_d: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Each row's ``k`` smallest of its sorted distances and one new distance."""
    if sorted_d.shape[1] == 1:
        return np.minimum(sorted_d, new[:, None])
    return np.sort(np.column_stack([sorted_d, new]), axis=1)[:, :-1]


class CondensedNearestNeighbour(_StoreSampler):
    """Condensed Nearest Neighbour (Hart, 1968): keep a store that classifies the rest.

    For each targeted class, the store starts with every minority row and ``n_seeds_S`` rows
    of the class drawn at random. The class's rows are then scanned in input order; a row
    the store's k-NN rule misclassifies is added to the store. The rows of the class kept
    are its rows in the store; afterwards every row of the class is classified correctly by
    the store. Untargeted classes are kept whole; rows come back in input order.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Classes to condense ('auto': every class but the minority).
    random_state : None, int or RandomState, default=None
        Seed for the seed rows (imbalanced-learn's draws).
    n_neighbors : int, KNeighborsClassifier or classifier, default=None
        The store's rule: ``None`` is 1-NN, an int ``k`` is the k-NN majority vote. A
        uniform-vote Euclidean ``KNeighborsClassifier`` is the same rule; any other classifier
        (with ``fit`` and ``predict``) is refitted after each addition.
    n_seeds_S : int, default=1
        Seed rows drawn per class (with replacement, as imbalanced-learn; a row drawn twice
        is one seed).
    n_jobs : int, default=None
        Threads of the neighbour search; ``None`` uses every core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Targeted labels (values: the minority count, as in imbalanced-learn).
    estimators_ : list of classifiers
        Per targeted class, the store's classifier fitted on the final store.
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import CondensedNearestNeighbour
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [10.0], [11.0], [12.0]])
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1])
    >>> cnn = CondensedNearestNeighbour(random_state=0)
    >>> cnn.fit_resample_indices(X, y).tolist()  # the seed (row 0) classifies all of class 0
    [0, 4, 5, 6]
    """


class OneSidedSelection(_StoreSampler):
    """One-Sided Selection (Kubat & Matwin, 1997): condense once, then remove Tomek links.

    For each targeted class, a store of every minority row and ``n_seeds_S`` seed rows of the
    class classifies the class's other rows with the k-NN rule; the seeds and the rows it
    misclassifies are kept. Tomek links are then removed among the rows kept (their targeted
    row goes). Untargeted classes are kept whole; rows come back in input order.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default='auto'
        Classes to clean ('auto': every class but the minority).
    random_state : None, int or RandomState, default=None
        Seed for the seed rows (imbalanced-learn's draws).
    n_neighbors : int, KNeighborsClassifier or classifier, default=None
        The store's rule: ``None`` is 1-NN, an int ``k`` the k-NN majority vote; any other
        classifier with ``fit`` and ``predict`` is fitted on the store.
    n_seeds_S : int, default=1
        Seed rows drawn per class (with replacement; a row drawn twice is one seed).
    n_jobs : int, default=None
        Threads of the neighbour searches; ``None`` uses every core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Targeted labels (values: the minority count, as in imbalanced-learn).
    estimators_ : list of classifiers
        Per targeted class, the classifier fitted on the store (minority rows and seeds).
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import OneSidedSelection
    >>> X = np.array([[0.0], [1.0], [2.0], [5.0], [5.2], [9.0], [10.0]])
    >>> y = np.array([0, 0, 0, 0, 1, 1, 1])
    >>> OneSidedSelection(random_state=0).fit_resample_indices(X, y).tolist()
    [0, 4, 5, 6]
    """

    _grows = False

    def _finish(self, X, codes, kept, targets, random_state) -> ResamplePlan:
        labels = [self._classes_seen[code] for code in targets]
        tomek = TomekLinks(sampling_strategy=labels, n_jobs=self.n_jobs)
        cleaned = tomek._run_on_arrays(X[kept], self._classes_seen, codes[kept], random_state)
        return ResamplePlan(kept[cleaned.indices])
