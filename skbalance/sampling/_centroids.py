"""Cluster centroids: under-sample a class by clustering it and keeping one row per cluster.

``voting='soft'`` replaces the class by the cluster centres (new rows); ``voting='hard'``
keeps, for each centre, the row of the class nearest to it (input rows, so the sampler
selects rows and sets ``sample_indices_``); ``'auto'`` is hard for sparse X, soft otherwise,
as in imbalanced-learn.

**Weight of a centroid.** With ``sample_weight``, a soft centroid gets the mean weight of
its members: the rows of its class whose nearest centre it is (by skbalance's exact search,
ties to the lower centre). A centre that is nearest to no row (possible with a clusterer
other than k-means) has one member, its nearest row. Rows weighted alike therefore give
centroids of that weight, as hard voting does: under-sampling shrinks a class's total
weight, it does not move it onto fewer, heavier rows.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.utils._param_validation import HasMethods, StrOptions

from ._base import BaseResampler, ResamplePlan
from ._neighbors import kneighbors

__all__ = ["ClusterCentroids"]

_NO_N_CLUSTERS = (
    "`estimator` should be a clustering estimator exposing a parameter `n_clusters` and a "
    "fitted parameter `cluster_centers_`."
)
_NO_CENTERS = (
    "`estimator` should be a clustering estimator exposing a fitted parameter `cluster_centers_`."
)


class ClusterCentroids(BaseResampler):
    """Under-sample each targeted class to the centres of ``n`` clusters of its rows.

    Each targeted class is clustered into ``sampling_strategy_[label]`` clusters (k-means by
    default) and replaced by the cluster centres (``voting='soft'``) or by the row of the
    class nearest to each centre (``voting='hard'``; two centres may share their nearest
    row, which then appears twice). Untargeted classes are kept whole, in input order, and
    come first; soft centroids follow, grouped by class in label order.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Rows to keep per class (imbalanced-learn's meanings; 'auto' shrinks every class but
        the minority to the minority's size).
    random_state : None, int or RandomState, default=None
        Seed of the default ``KMeans`` (a given estimator keeps its own).
    estimator : clusterer with ``n_clusters`` and ``cluster_centers_``, default=None
        ``None`` is ``KMeans(random_state=random_state)``; a given one is cloned and its
        ``n_clusters`` set per class.
    voting : {'auto', 'hard', 'soft'}, default='auto'
        'soft': centres are new rows; 'hard': the nearest input row of each centre;
        'auto': hard for sparse X, soft otherwise.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows kept, for the targeted classes.
    estimator_ : clusterer
        The clusterer, as fitted on the last targeted class.
    voting_ : str
        The voting used ('hard' or 'soft').
    sample_indices_ : ndarray
        Only with ``voting='hard'``: input row of every output row.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import ClusterCentroids
    >>> X = np.array([[0.0], [0.2], [5.0], [5.2], [9.0], [9.5]])
    >>> y = np.array([0, 0, 0, 0, 1, 1])
    >>> X_res, y_res = ClusterCentroids(random_state=0).fit_resample(X, y)
    >>> X_res.ravel().round(6).tolist(), y_res.tolist()  # class 1, then class 0's centres
    ([9.0, 9.5, 5.1, 0.1], [1, 1, 0, 0])
    """

    _sampling_type = "under-sampling"
    _needs_distances = True

    _parameter_constraints: dict = {
        "sampling_strategy": "no_validation",  # resolve_sampling_strategy checks it
        "random_state": ["random_state"],
        "estimator": [HasMethods(["fit", "predict"]), None],
        "voting": [StrOptions({"auto", "hard", "soft"})],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, estimator=None, voting="auto"
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.estimator = estimator
        self.voting = voting

    @property
    def _selects_rows(self) -> bool:
        # 'auto' may generate rows (dense X), so only an explicit 'hard' promises indices
        return self.voting == "hard"

    def _check_params(self, counts, classes, targets):
        self._validate_params()
        get_params = getattr(self.estimator, "get_params", None)
        if self.estimator is not None and (get_params is None or "n_clusters" not in get_params()):
            raise ValueError(f"{_NO_N_CLUSTERS} Got {self.estimator!r}.")

    def _fit_resample(self, X, codes, targets, random_state):
        voting = self.voting
        if voting == "auto":
            voting = "hard" if sparse.issparse(X) else "soft"
        if self.estimator is None:
            estimator = KMeans(random_state=self.random_state)
        else:
            estimator = clone(self.estimator)
        kept, selected = [], []
        new_rows, new_codes, soft = [], [], []
        for code in range(len(self._classes_seen)):
            rows = np.flatnonzero(codes == code)
            if code not in targets:
                kept.append(rows)
                continue
            if targets[code] == 0:
                continue
            centers = self._centres(estimator, X[rows], targets[code])
            if voting == "hard":
                selected.append(rows[kneighbors(X[rows], 1, query=centers)[:, 0]])
                continue
            soft.append((rows, centers, sum(len(part) for part in new_codes)))
            new_rows.append(centers)
            new_codes.append(np.full(centers.shape[0], code, dtype=np.intp))
        self.estimator_ = estimator
        self.voting_ = voting
        # an earlier fit's (voting='hard'); the base sets it again when voting='hard'
        self.__dict__.pop("sample_indices_", None)
        indices = np.sort(np.concatenate([*kept, *selected, np.empty(0, dtype=np.intp)]))
        if not new_rows:
            return ResamplePlan(indices)
        stack = sparse.vstack if sparse.issparse(X) else np.concatenate

        def members():
            """The rows each centre is nearest to, else the centre's nearest row (searched
            only when sample weights are resampled)."""
            member_rows, owners = [], []
            for rows, centers, start in soft:
                owner = kneighbors(centers, 1, query=X[rows])[:, 0]
                empty = np.setdiff1d(np.arange(centers.shape[0]), owner)
                nearest = empty
                if len(empty):
                    nearest = kneighbors(X[rows], 1, query=centers[empty])[:, 0]
                member_rows += [rows, rows[nearest]]
                owners += [start + owner, start + empty]
            return np.concatenate(member_rows), np.concatenate(owners)

        return ResamplePlan(indices, stack(new_rows), np.concatenate(new_codes), members=members)

    def _centres(self, estimator, rows, n_clusters: int):
        """Cluster centres of ``rows``, checked: (n_clusters, n_features), finite."""
        estimator.set_params(n_clusters=n_clusters)
        estimator.fit(rows)
        centers = getattr(estimator, "cluster_centers_", None)
        if centers is None:
            raise RuntimeError(_NO_CENTERS)
        centers = np.asarray(centers.toarray() if sparse.issparse(centers) else centers)
        if centers.shape != (n_clusters, rows.shape[1]) or not np.isfinite(centers).all():
            raise ValueError(
                f"{type(estimator).__name__}.cluster_centers_ must be {n_clusters} finite rows "
                f"of {rows.shape[1]} features; got shape {centers.shape}."
            )
        dtype = rows.dtype if rows.dtype.kind == "f" else np.float64
        centers = centers.astype(dtype, copy=False)
        return sparse.csr_matrix(centers) if sparse.issparse(rows) else centers
