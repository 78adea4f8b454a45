"""Neighbour parameters as imbalanced-learn accepts them: an int or a k-NN estimator.

imbalanced-learn's samplers take ``k_neighbors=5`` or ``k_neighbors=NearestNeighbors(6)``
(any object with ``fit`` and ``kneighbors``) and expose the estimator they used as a fitted
attribute (``nn_k_``, ``nn_m_``, ``nn_``). This module is the one home of that contract:

- :func:`check_neighbors_object` turns the parameter into the estimator a sampler stores:
  an int ``n`` becomes :class:`ExactNearestNeighbors` with ``n + additional_neighbor``
  neighbours (the query row itself counts as one, as in imbalanced-learn), an estimator is
  cloned.
- :func:`nearest` is how every sampler asks that estimator for neighbours. For
  :class:`ExactNearestNeighbors` it runs skbalance's exact search
  (:func:`skbalance.sampling._neighbors.kneighbors`), which excludes each row from its own
  neighbours by index. A user's estimator is fitted and queried as imbalanced-learn does,
  with one deliberate difference: the query row's own index is removed wherever it appears
  in the answer, rather than always dropping the first column (with duplicated rows a
  duplicate can come first, and imbalanced-learn then keeps the row as its own neighbour).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._neighbors import kneighbors
from ._threads import N_JOBS_CONSTRAINT

__all__ = [
    "NEIGHBORS_CONSTRAINT",
    "ExactNearestNeighbors",
    "check_neighbors_object",
    "n_neighbors_of",
    "nearest",
    "neighbors_param",
]

# ``_parameter_constraints`` entry of every neighbour parameter: what imbalanced-learn accepts
# (it asks for ``kneighbors`` and ``kneighbors_graph``; we call ``fit`` and ``kneighbors``)
NEIGHBORS_CONSTRAINT = [
    Interval(Integral, 1, None, closed="left"),
    HasMethods(["fit", "kneighbors"]),
]


class ExactNearestNeighbors(BaseEstimator):
    """Exact Euclidean k-nearest neighbours with scikit-learn's ``NearestNeighbors`` API.

    The estimator skbalance's samplers use when a neighbour parameter is an int; pass it (or
    any object with ``fit`` and ``kneighbors``) as ``k_neighbors``/``n_neighbors`` to say
    how neighbours are found. The answer is exact at every scale of the data: the rows first
    in the order of (float64 Euclidean distance, index), as a full sort would give.

    Parameters
    ----------
    n_neighbors : int, default=5
        Neighbours returned by :meth:`kneighbors` when it is not told otherwise.
    n_jobs : int, default=None
        Worker threads of the search; ``None`` uses every usable core (CPU affinity, cgroup
        quota, threadpoolctl limits and joblib contexts respected; see docs/sampling.md).

    Attributes
    ----------
    n_samples_fit_ : int
        Rows seen in :meth:`fit`.
    n_features_in_ : int
        Features seen in :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import ExactNearestNeighbors
    >>> X = np.array([[0.0], [1.0], [3.0], [7.0]])
    >>> nn = ExactNearestNeighbors(n_neighbors=2).fit(X)
    >>> nn.kneighbors(return_distance=False).tolist()  # each row excludes itself
    [[1, 2], [0, 2], [1, 0], [2, 1]]
    >>> distances, indices = nn.kneighbors([[2.5]], n_neighbors=1)
    >>> distances.tolist(), indices.tolist()
    ([[0.5]], [[2]])
    """

    _parameter_constraints: dict = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(self, n_neighbors: int = 5, *, n_jobs: int | None = None):
        self.n_neighbors = n_neighbors
        self.n_jobs = n_jobs

    def fit(self, X, y=None) -> ExactNearestNeighbors:
        """Store the reference rows (finite numbers; sparse rows are searched densely).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._validate_params()
        self._fit_X = validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=True
        )
        self.n_samples_fit_ = self._fit_X.shape[0]
        return self

    def kneighbors(self, X=None, n_neighbors: int | None = None, return_distance: bool = True):
        """The nearest fitted rows of each query row, nearest first.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_queries, n_features), default=None
            Query rows. ``None`` queries the fitted rows, each excluding itself (as
            scikit-learn's ``NearestNeighbors`` does).
        n_neighbors : int, default=None
            Neighbours per row; ``None`` means ``self.n_neighbors``.
        return_distance : bool, default=True
            Whether to return the Euclidean distances too.

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors), float64
            Only if ``return_distance``.
        indices : ndarray of shape (n_queries, n_neighbors)
        """
        check_is_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        _check_count(k, "n_neighbors")
        available = self.n_samples_fit_ - (X is None)
        if k > available:
            raise ValueError(
                f"Expected n_neighbors <= {available} (the rows that can be neighbours); got "
                f"n_neighbors={k}."
            )
        if X is None:
            query = self._fit_X
            indices = kneighbors(self._fit_X, k, n_jobs=self.n_jobs)
        else:
            query = validate_data(
                self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
            )
            indices = kneighbors(self._fit_X, k, query=query, n_jobs=self.n_jobs)
        if not return_distance:
            return indices
        return _distances(self._fit_X, query, indices), indices


def _check_count(value, name: str) -> None:
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")


def _distances(reference, query, indices: np.ndarray) -> np.ndarray:
    """Euclidean distances of each query row to its neighbours, in float64."""
    ref = reference.toarray() if sparse.issparse(reference) else reference
    qry = query.toarray() if sparse.issparse(query) else query
    diff = ref[indices].astype(np.float64) - qry[:, None, :].astype(np.float64)
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))


def check_neighbors_object(name: str, value, *, additional_neighbor: int = 0, n_jobs=None):
    """The k-NN estimator a sampler stores for a neighbour parameter.

    Parameters
    ----------
    name : str
        The parameter's name, for messages.
    value : int or estimator with ``fit`` and ``kneighbors``
        The parameter. An int ``n`` becomes ``ExactNearestNeighbors(n + additional_neighbor)``;
        an estimator is cloned (its ``n_neighbors`` then already counts the query row).
    additional_neighbor : int, default=0
        Added to an int: 1 where the query row itself is counted among its neighbours.
    n_jobs : int, default=None
        Threads of the exact search built for an int.

    Returns
    -------
    estimator
    """
    if isinstance(value, Integral) and not isinstance(value, bool):
        _check_count(value, name)
        return ExactNearestNeighbors(n_neighbors=int(value) + additional_neighbor, n_jobs=n_jobs)
    if callable(getattr(value, "kneighbors", None)) and callable(getattr(value, "fit", None)):
        return clone(value)
    raise ValueError(
        f"{name} must be an int or an estimator with fit and kneighbors (such as "
        f"sklearn.neighbors.NearestNeighbors); got {value!r}."
    )


def neighbors_param(sampler, name: str, attribute: str) -> int:
    """Store the k-NN estimator of ``sampler``'s parameter ``name`` as ``attribute``; return
    the neighbours a row gets from it, itself not counted.

    imbalanced-learn's convention: an int ``k`` means ``k`` neighbours besides the row (the
    estimator stored asks for ``k + 1``); an estimator's ``n_neighbors`` counts the row, so
    it must be at least 2. The exact search runs with the sampler's ``n_jobs``.
    """
    estimator = check_neighbors_object(
        name, getattr(sampler, name), additional_neighbor=1, n_jobs=getattr(sampler, "n_jobs", None)
    )
    count = n_neighbors_of(estimator, name)
    if count < 2:
        raise ValueError(
            f"{name}={getattr(sampler, name)!r} asks for n_neighbors={count}, which counts the "
            "row itself; it must be at least 2 (the row and one neighbour)."
        )
    setattr(sampler, attribute, estimator)
    return count - 1


def n_neighbors_of(estimator, name: str) -> int:
    """``estimator.n_neighbors``, checked: every k-NN estimator a sampler takes must say it."""
    value = getattr(estimator, "n_neighbors", None)
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(
            f"{name} must have an integer n_neighbors >= 1 (as NearestNeighbors has); "
            f"{type(estimator).__name__} has {value!r}."
        )
    return int(value)


def nearest(estimator, reference, k: int, *, query=None, query_index=None) -> np.ndarray:
    """Indices of the ``k`` nearest ``reference`` rows of each query row, by ``estimator``.

    Parameters
    ----------
    estimator : ExactNearestNeighbors or estimator with ``fit`` and ``kneighbors``
        From :func:`check_neighbors_object`; a user's estimator is fitted on ``reference``.
    reference : ndarray or sparse matrix of shape (n_reference, n_features)
    k : int
        Neighbours per query row, not counting the row itself.
    query : ndarray or sparse matrix of shape (n_query, n_features), default=None
        ``None`` means the reference rows themselves, each excluding itself.
    query_index : ndarray of shape (n_query,), default=None
        Row of ``reference`` that each query row is, excluded from its own neighbours.

    Returns
    -------
    ndarray of shape (n_query, k), dtype intp
    """
    if query is None:
        query_index = np.arange(reference.shape[0])
    if type(estimator) is ExactNearestNeighbors:  # a subclass may change kneighbors
        return kneighbors(
            reference, k, query=query, query_index=query_index, n_jobs=estimator.n_jobs
        )
    estimator.fit(reference)
    rows = reference if query is None else query
    extra = 0 if query_index is None else 1
    found = np.asarray(estimator.kneighbors(rows, n_neighbors=k + extra, return_distance=False))
    found = check_array(found, dtype=np.intp, ensure_min_samples=0)
    if found.shape != (rows.shape[0], k + extra):
        raise ValueError(
            f"{type(estimator).__name__}.kneighbors returned shape {found.shape}; expected "
            f"{(rows.shape[0], k + extra)}."
        )
    if query_index is None:
        return found
    is_self = found == np.asarray(query_index)[:, None]
    # drop the row itself where it was found, else the farthest (a duplicate took its place)
    is_self[~is_self.any(axis=1), -1] = True
    is_self &= np.cumsum(is_self, axis=1) == 1  # only one column per row
    return found[~is_self].reshape(rows.shape[0], k)
