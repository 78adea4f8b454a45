"""SMOTE seeded from a filtered part of the class: SVMSMOTE (support vectors), KMeansSMOTE
(clusters where the class is dense enough).

Both are imbalanced-learn's algorithms on skbalance's SMOTE machinery (exact neighbour search,
rows spread evenly over the seeds, sample weights following the parents, every container).
Output: every input row first, in input order, then the synthetic rows (grouped by class).
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.cluster import MiniBatchKMeans
from sklearn.svm import SVC
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._apportion import apportion
from ._base import class_rows, generator_from
from ._nearest import check_neighbors_object, n_neighbors_of, nearest
from ._smote import _check_class_sizes, _SMOTEBase, _stack

__all__ = ["SVMSMOTE", "KMeansSMOTE"]

_SAMPLING_STRATEGY = [
    Interval(Real, 0, 1, closed="right"),
    StrOptions({"auto", "minority", "majority", "not minority", "not majority", "all"}),
    dict,
    callable,
]
# an int, or any object a neighbour parameter accepts (see _nearest.check_neighbors_object)
_NEIGHBOURS = [Interval(Integral, 1, None, closed="left"), HasMethods(["fit", "kneighbors"])]


class UnsuitableDataError(ValueError, RuntimeError):
    """The data (or an estimator given as a parameter) cannot drive this sampler.

    Both a ``ValueError`` (skbalance's rule for input that cannot be used) and a
    ``RuntimeError`` (what imbalanced-learn raises in the same situations), so code written
    for either catches it.
    """


def _neighbour_estimator(name: str, value, n_jobs=None) -> tuple[object, int]:
    """The stored k-NN estimator for a neighbour parameter, and the neighbours it gives a row.

    imbalanced-learn's convention: an int ``n`` means ``n`` neighbours besides the row itself;
    an estimator's ``n_neighbors`` counts the row.
    """
    estimator = check_neighbors_object(name, value, additional_neighbor=1, n_jobs=n_jobs)
    k = n_neighbors_of(estimator, name) - 1
    if k < 1:
        raise ValueError(
            f"{name} as an estimator must have n_neighbors >= 2 (the row itself counts as "
            f"one neighbour); got n_neighbors={k + 1}."
        )
    return estimator, k


class SVMSMOTE(_SMOTEBase):
    """SMOTE seeded from the class's support vectors (Nguyen, Cooper and Kamei, 2011).

    An SVM (``svm_estimator``, default ``SVC(gamma='scale')``) is fitted on all rows; the
    support vectors of the class to over-sample are the seeds. A seed whose ``m_neighbors``
    nearest rows are all of other classes is noise and dropped. A seed with at least half of
    them in other classes is *in danger*: its new rows are interpolated towards one of its
    ``k_neighbors`` nearest same-class rows. A *safe* seed extrapolates instead, away from
    that neighbour, by up to ``out_step`` of the distance, to widen the class's region. The
    share of new rows from seeds in danger is drawn from Beta(10, 10), as imbalanced-learn
    does; new rows are spread evenly over the seeds of each group.

    Differences from imbalanced-learn, on purpose:

    * the class gets exactly the rows ``sampling_strategy_`` reports; imbalanced-learn adds
      only the rows of one group when the other group (in danger, or safe) is empty;
    * the SVM is fitted once per call (imbalanced-learn refits the same SVM for every
      class), on the caller's labels;
    * the random draws differ (seeds spread evenly, skbalance's generator), so the rows are
      not imbalanced-learn's rows for the same ``random_state``;
    * with the default SVM, data whose largest magnitude lies beyond ``2**100`` or below
      ``2**-100`` is first multiplied by a power of two (the RBF kernel with
      ``gamma='scale'`` does not change), so the SVM neither over- nor underflows (at 1e200
      imbalanced-learn's SVC fails, at 1e-200 it finds other support vectors).

    A synthetic row's sample weight lies between its parents' weights: an interpolated row
    gets ``w_a + gap * (w_b - w_a)``; an extrapolated row (safe seed) the seed's own weight.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        imbalanced-learn's meanings ('auto': grow every class but the majority to its size).
    random_state : None, int or RandomState, default=None
        Seeds the draws and, when ``svm_estimator`` is None, the default SVC.
    k_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=5
        Same-class neighbours used for new rows. An int ``n`` uses skbalance's exact search
        (:class:`ExactNearestNeighbors` with ``n + 1`` neighbours, the row counting as one);
        an estimator's ``n_neighbors`` counts the row itself, as in imbalanced-learn.
    m_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=10
        Neighbours (any class) that decide whether a seed is noise, in danger or safe.
    svm_estimator : estimator with ``fit``, ``predict`` and a fitted ``support_``, default=None
        ``None`` means ``SVC(gamma='scale', random_state=random_state)``; an estimator is cloned.
    out_step : float in [0, 1], default=0.5
        How far a safe seed extrapolates, as a fraction of the distance to its neighbour.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows added.
    nn_k_ : estimator
        The k-NN estimator of ``k_neighbors``.
    nn_m_ : estimator
        The k-NN estimator of ``m_neighbors``.
    svm_estimator_ : estimator
        The SVM, fitted when a class was over-sampled.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import SVMSMOTE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(80, 2)); y = (X[:, 0] + 0.3 * X[:, 1] > 0.7).astype(int)
    >>> X_res, y_res = SVMSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y).tolist(), np.bincount(y_res).tolist(), bool((X_res[:80] == X).all())
    ([59, 21], [59, 59], True)
    """

    _parameter_constraints: dict = {
        "sampling_strategy": _SAMPLING_STRATEGY,
        "random_state": ["random_state"],
        "k_neighbors": _NEIGHBOURS,
        "m_neighbors": _NEIGHBOURS,
        "svm_estimator": [HasMethods(["fit", "predict"]), None],
        "out_step": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        svm_estimator=None,
        out_step=0.5,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step

    def _check_params(self, counts, classes, targets):
        self._validate_params()
        self.nn_k_, self._k = _neighbour_estimator("k_neighbors", self.k_neighbors)
        self.nn_m_, self._m = _neighbour_estimator("m_neighbors", self.m_neighbors)
        if self.svm_estimator is None:
            self.svm_estimator_ = SVC(gamma="scale", random_state=self.random_state)
        else:
            self.svm_estimator_ = clone(self.svm_estimator)
        _check_class_sizes(self, "k_neighbors", self._k, counts, classes, targets)
        n_rows = int(counts.sum())
        if self._m > n_rows - 1:
            raise ValueError(
                f"m_neighbors={self._m} needs at least {self._m + 1} rows; X has {n_rows}. "
                f"Lower m_neighbors to at most {n_rows - 1}."
            )

    def _fit_svm(self, X, codes) -> np.ndarray:
        """Fit the SVM on every row (with the caller's labels); its support vectors, sorted."""
        svm = self.svm_estimator_
        if self.svm_estimator is None:
            X = _rescaled_if_extreme(X)
        svm.fit(X, self._classes_seen[codes])
        if not hasattr(svm, "support_"):
            raise UnsuitableDataError(
                "`svm_estimator` is required to exposed a `support_` fitted attribute "
                f"(imbalanced-learn's wording): {type(svm).__name__} has none. Pass a support "
                "vector machine such as sklearn.svm.SVC or sklearn.svm.NuSVC."
            )
        return np.sort(np.asarray(svm.support_, dtype=np.intp))

    def _fit_resample(self, X, codes, targets, random_state):
        rng = generator_from(random_state)
        groups = class_rows(codes, len(self._classes_seen))
        k, m = self._k, self._m
        parts = []
        support = None
        for code, n_add in targets.items():
            if n_add == 0:
                continue
            if support is None:  # one fit serves every class
                support = self._fit_svm(X, codes)
            rows = groups[code]
            seeds = support[codes[support] == code]
            if len(seeds) == 0:
                label = self._classes_seen.tolist()[code]
                raise UnsuitableDataError(
                    f"The SVM has no support vector of class {label!r}, so no row can seed its "
                    "new rows: SVM-SMOTE is not adapted to your dataset. Try another SMOTE "
                    "variant."
                )
            near = nearest(self.nn_m_, X, m, query=X[seeds], query_index=seeds)
            n_other = np.count_nonzero(codes[near] != code, axis=1)
            not_noise = n_other < m
            if not not_noise.any():
                label = self._classes_seen.tolist()[code]
                raise UnsuitableDataError(
                    f"All support vectors are considered as noise: class {label!r} has "
                    f"{len(seeds)} support vector(s), each with all its m_neighbors={m} nearest "
                    "rows in other classes. SVM-SMOTE is not adapted to your dataset. Try "
                    "another SMOTE variant."
                )
            seeds, n_other = seeds[not_noise], n_other[not_noise]
            in_danger = 2 * n_other >= m
            positions = np.searchsorted(rows, seeds)  # rows are sorted; seeds are among them
            local = nearest(self.nn_k_, X[rows], k, query=X[seeds], query_index=positions)
            neighbours = rows[local]
            n_danger = self._danger_share(n_add, in_danger, rng)
            for group, n_group, step in (
                (in_danger, n_danger, 1.0),
                (~in_danger, n_add - n_danger, -float(self.out_step)),
            ):
                if n_group:
                    parts.append(
                        self._synthesise(
                            X,
                            rows,
                            n_group,
                            positions[group],
                            neighbours[group],
                            code,
                            rng,
                            step=step,
                        )
                    )
        return _stack(parts, X)

    @staticmethod
    def _danger_share(n_add: int, in_danger: np.ndarray, rng: np.random.Generator) -> int:
        """New rows seeded by rows in danger: a Beta(10, 10) share when both groups exist."""
        if in_danger.all():
            return n_add
        if not in_danger.any():
            return 0
        return int(rng.beta(10, 10) * (n_add + 1))


def _rescaled_if_extreme(X):
    """X times a power of two bringing its largest magnitude to ``[1, 2)``, when it lies
    outside ``[2**-100, 2**100]`` (else X itself).

    For the default ``SVC(kernel='rbf', gamma='scale')`` this changes nothing but rounding
    (``gamma`` scales with ``1 / var(X)``, so the kernel matrix is the same), while squared
    norms of data near 1e200 overflow, and near 1e-200 underflow, inside the SVM.
    """
    values = X.data if sparse.issparse(X) else X
    magnitude = float(np.abs(values).max()) if values.size else 0.0
    if magnitude == 0 or 2.0**-100 <= magnitude <= 2.0**100:
        return X
    return X * math.ldexp(1.0, -math.frexp(magnitude)[1])


class KMeansSMOTE(_SMOTEBase):
    """SMOTE inside the clusters where the class is well represented (Douzas et al., 2018).

    A clustering (``kmeans_estimator``, default ``MiniBatchKMeans``) is fitted on all rows.
    A cluster can seed new rows of a class when the class makes up at least
    ``cluster_balance_threshold`` of it and has ``k_neighbors + 1`` rows in it. The class's
    new rows are split among those clusters in proportion to their sparsity
    ``mean_distance ** density_exponent / n_rows`` (mean Euclidean distance between the
    class's rows in the cluster), then made by SMOTE inside each cluster, from the class's
    rows there to their nearest same-class rows there. With one cluster and a threshold of 0
    it is :class:`SMOTE` exactly (same rows for the same ``random_state``).

    Differences from imbalanced-learn, on purpose:

    * the class gets exactly the rows ``sampling_strategy_`` reports (shares rounded by
      largest remainder); imbalanced-learn rounds each cluster's share up and may add more;
    * the clustering is fitted once per call (imbalanced-learn refits it for every class);
    * sparsities are computed in log space on centred, rescaled data, so data at extreme
      scales (1e-200, 1e200) gets the shares the formula defines, where
      ``mean_distance ** exponent`` over- or underflows (imbalanced-learn then fails on NaN
      shares); a cluster whose class rows all coincide gets no rows (unless every cluster's
      do: then they share equally);
    * the random draws differ, as for :class:`SMOTE`.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
    random_state : None, int or RandomState, default=None
        Seeds the draws and the default ``MiniBatchKMeans``.
    k_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=2
        Same-class neighbours inside a cluster (an int ``n``: skbalance's exact search with
        ``n + 1`` neighbours, the row counting as one; an estimator's ``n_neighbors`` counts
        the row itself).
    n_jobs : int, default=None
        Threads of the neighbour search (``None``: every core).
    kmeans_estimator : None, int or estimator with ``fit`` and ``predict``, default=None
        ``None``: ``MiniBatchKMeans(random_state=random_state)``; an int: that many clusters
        of ``MiniBatchKMeans``; an estimator (``KMeans``, ``MiniBatchKMeans``...) is cloned.
        Every label its ``predict`` returns is a cluster.
    cluster_balance_threshold : 'auto' or float, default='auto'
        Smallest share of the class in a cluster that can seed; 'auto' is imbalanced-learn's
        ``n_new_rows_of_the_class / n_new_rows_of_all_classes / 2``.
    density_exponent : 'auto' or float, default='auto'
        Exponent of the mean distance in the sparsity; 'auto' is imbalanced-learn's
        ``0.16 * log(n_rows, 1.6) ** 1.8`` (``n_rows`` of the class in the cluster).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows added.
    nn_k_ : estimator
        The k-NN estimator of ``k_neighbors``.
    kmeans_estimator_ : estimator
        The clustering, fitted when a class was over-sampled.
    cluster_balance_threshold_ : 'auto' or float
        The threshold used (``-inf`` with a single cluster: every row is in it).

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import KMeansSMOTE
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(5, 1, (20, 2))])
    >>> y = np.array([0] * 50 + [1] * 10 + [0] * 5 + [1] * 15)
    >>> sampler = KMeansSMOTE(kmeans_estimator=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), sampler.nn_k_.n_neighbors
    ([55, 55], 3)
    """

    _parameter_constraints: dict = {
        "sampling_strategy": _SAMPLING_STRATEGY,
        "random_state": ["random_state"],
        "k_neighbors": _NEIGHBOURS,
        "n_jobs": [Integral, None],
        "kmeans_estimator": [
            HasMethods(["fit", "predict"]),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "cluster_balance_threshold": [StrOptions({"auto"}), Real],
        "density_exponent": [StrOptions({"auto"}), Real],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=2,
        n_jobs=None,
        kmeans_estimator=None,
        cluster_balance_threshold="auto",
        density_exponent="auto",
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.n_jobs = n_jobs
        self.kmeans_estimator = kmeans_estimator
        self.cluster_balance_threshold = cluster_balance_threshold
        self.density_exponent = density_exponent

    def _check_params(self, counts, classes, targets):
        self._validate_params()
        for name in ("cluster_balance_threshold", "density_exponent"):
            value = getattr(self, name)
            if not isinstance(value, str) and math.isnan(value):
                raise ValueError(f"{name} must be 'auto' or a number; got nan.")
        self.nn_k_, self._k = _neighbour_estimator("k_neighbors", self.k_neighbors, self.n_jobs)
        kmeans = self.kmeans_estimator
        if isinstance(kmeans, bool):  # an Integral to Python, but never a cluster count
            raise ValueError(
                "kmeans_estimator must be None, a number of clusters >= 1 or a clustering "
                f"estimator with fit and predict (such as KMeans); got {kmeans!r}."
            )
        if kmeans is None or isinstance(kmeans, Integral):
            n_clusters = {} if kmeans is None else {"n_clusters": int(kmeans)}
            self.kmeans_estimator_ = MiniBatchKMeans(random_state=self.random_state, **n_clusters)
        else:
            self.kmeans_estimator_ = clone(kmeans)
        single = getattr(self.kmeans_estimator_, "n_clusters", None) == 1
        self.cluster_balance_threshold_ = -np.inf if single else self.cluster_balance_threshold
        _check_class_sizes(self, "k_neighbors", self._k, counts, classes, targets)

    def _fit_resample(self, X, codes, targets, random_state):
        rng = generator_from(random_state)
        if not any(targets.values()):
            return _stack([], X)
        clustering = self.kmeans_estimator_
        fit_predict = getattr(clustering, "fit_predict", None)
        clusters = fit_predict(X) if fit_predict else clustering.fit(X).predict(X)
        names, clusters = np.unique(np.asarray(clusters), return_inverse=True)
        cluster_sizes = np.bincount(clusters, minlength=len(names))
        groups = class_rows(codes, len(self._classes_seen))
        total = sum(targets.values())
        parts = []
        for code, n_add in targets.items():
            if n_add == 0:
                continue
            rows = groups[code]
            in_cluster = clusters[rows]
            class_sizes = np.bincount(in_cluster, minlength=len(names))
            threshold = self.cluster_balance_threshold_
            if threshold == "auto":
                threshold = n_add / total / 2
            valid = np.flatnonzero(
                (class_sizes / cluster_sizes >= threshold) & (class_sizes >= self._k + 1)
            )
            if len(valid) == 0:
                label = self._classes_seen.tolist()[code]
                raise UnsuitableDataError(
                    f"No clusters found with sufficient samples of class {label!r}: none of "
                    f"the {len(names)} clusters is at least {threshold:g} class {label!r} with "
                    f"k_neighbors + 1 = {self._k + 1} of its rows. Try lowering the "
                    "cluster_balance_threshold or increasing the number of clusters."
                )
            members = [rows[in_cluster == cluster] for cluster in valid]
            shares = _sparsity_shares([self._log_sparsity(X[member]) for member in members])
            for member, n_cluster in zip(members, apportion(n_add, shares), strict=True):
                if n_cluster:
                    local = nearest(self.nn_k_, X[member], self._k)
                    positions = np.arange(len(member))
                    parts.append(
                        self._synthesise(
                            X, member, int(n_cluster), positions, member[local], code, rng
                        )
                    )
        return _stack(parts, X)

    def _log_sparsity(self, rows) -> float:
        """``log(mean_distance ** exponent / n)`` of one cluster's class rows (in log space:
        ``mean_distance ** exponent`` alone over- or underflows at extreme scales)."""
        n = rows.shape[0]
        exponent = (
            0.16 * math.log(n, 1.6) ** 1.8
            if isinstance(self.density_exponent, str)
            else float(self.density_exponent)
        )
        log_mean = _log_mean_distance(rows)
        if exponent == 0:  # mean ** 0 is 1, also for a mean of 0
            return -math.log(n)
        return exponent * log_mean - math.log(n)


_TILE = 2048  # rows per side of a distance tile: 32 MB of float64


def _log_mean_distance(rows) -> float:
    """Log of the mean Euclidean distance between distinct rows (``-inf`` if all coincide).

    Rows are centred (dense) and divided by a power of two near their largest magnitude, so
    the squared distances neither over- nor underflow at any scale and the
    ``|a|^2 - 2ab + |b|^2`` form (scikit-learn's, in float64) loses no digits to an offset;
    the power of two is added back in log space. Each pair is computed once (tiles on and
    above the diagonal), half the work of the full distance matrix, in bounded memory.
    """
    if sparse.issparse(rows):
        scaled = sparse.csr_matrix(rows, dtype=np.float64)
        magnitude = np.abs(scaled.data).max() if scaled.nnz else 0.0
    else:
        scaled = np.asarray(rows, dtype=np.float64)
        scaled = scaled - scaled.mean(axis=0)
        magnitude = np.abs(scaled).max()
    if magnitude == 0:
        return -math.inf
    exponent = math.frexp(magnitude)[1]
    scaled = scaled * math.ldexp(1.0, -exponent)
    if sparse.issparse(scaled):
        norms = np.asarray(scaled.multiply(scaled).sum(axis=1)).ravel()
    else:
        norms = np.einsum("ij,ij->i", scaled, scaled)
    n = rows.shape[0]
    upper = 0.0  # sum over pairs i < j
    for lo in range(0, n, _TILE):
        for lo2 in range(lo, n, _TILE):
            squared = scaled[lo : lo + _TILE] @ scaled[lo2 : lo2 + _TILE].T
            squared = squared.toarray() if sparse.issparse(squared) else squared
            squared *= -2.0
            squared += norms[lo : lo + _TILE, None]
            squared += norms[None, lo2 : lo2 + _TILE]
            np.maximum(squared, 0.0, out=squared)
            np.sqrt(squared, out=squared)
            if lo2 == lo:  # a diagonal tile: the pairs above its diagonal, once each
                np.fill_diagonal(squared, 0.0)
                upper += float(squared.sum()) / 2
            else:
                upper += float(squared.sum())
    if upper == 0:
        return -math.inf
    return math.log(2 * upper / (n * (n - 1))) + exponent * math.log(2.0)


def _sparsity_shares(log_sparsities: list[float]) -> np.ndarray:
    """Shares proportional to ``exp(log_sparsities)``, computed without over- or underflow."""
    logs = np.asarray(log_sparsities, dtype=np.float64)
    if np.isposinf(logs).any():  # an infinite sparsity (negative exponent, coincident rows)
        weights = np.isposinf(logs).astype(np.float64)
    elif np.isneginf(logs).all():
        weights = np.ones_like(logs)
    else:
        weights = np.exp(logs - logs.max())
    return weights / weights.sum()
