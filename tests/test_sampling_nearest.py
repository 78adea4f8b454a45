"""Neighbour parameters as imbalanced-learn accepts them (skbalance.sampling._nearest)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors

from skbalance.sampling import ExactNearestNeighbors
from skbalance.sampling._nearest import check_neighbors_object, n_neighbors_of, nearest


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(3, 90),
    d=st.integers(1, 5),
    k=st.integers(1, 6),
    exponent=st.integers(-25, 20),
    seed=st.integers(0, 2**31),
)
def test_same_answer_as_scikit_learn_brute_force(n, d, k, exponent, seed):
    """Class: an estimator that claims scikit-learn's API must give its answers (indices,
    distances, self-exclusion with X=None) -- at every scale of the data."""
    k = min(k, n - 1)
    X = np.random.default_rng(seed).normal(size=(n, d)) * 10.0**exponent
    ours = ExactNearestNeighbors(n_neighbors=k).fit(X)
    dist, ind = ours.kneighbors()
    np.testing.assert_array_equal(ind, full_sort(X, X, k, exclude_self=True))
    exact = np.sqrt(((X[ind] - X[:, None, :]) ** 2).sum(-1))
    np.testing.assert_allclose(dist, exact, rtol=1e-15)
    # scikit-learn's brute force (the dot-product expansion) only to its own precision
    ref_dist, _ = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(X).kneighbors()
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-6, atol=1e-7 * np.abs(X).max())
    Q = np.random.default_rng(seed + 1).normal(size=(4, d)) * 10.0**exponent
    np.testing.assert_array_equal(
        ours.kneighbors(Q, return_distance=False), full_sort(X, Q, k, exclude_self=False)
    )


def full_sort(X, Q, k, *, exclude_self):
    """Reference: sort every float64 distance, ties to the lower index."""
    dist = ((Q[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    if exclude_self:
        np.fill_diagonal(dist, np.inf)
    index = np.broadcast_to(np.arange(len(X)), dist.shape)
    return np.lexsort((index, dist), axis=-1)[:, :k]


def test_user_estimator_gives_the_exact_answer_without_ties():
    """Class: two code paths (our search, a user's estimator) must agree wherever the answer
    is unique."""
    X = np.random.default_rng(0).normal(size=(60, 3))
    exact = nearest(check_neighbors_object("k", 4, additional_neighbor=1), X, 4)
    user = nearest(check_neighbors_object("k", NearestNeighbors(n_neighbors=5)), X, 4)
    np.testing.assert_array_equal(exact, user)
    rows = np.array([2, 7, 59])
    np.testing.assert_array_equal(
        nearest(ExactNearestNeighbors(), X, 3, query=X[rows], query_index=rows),
        nearest(NearestNeighbors(), X, 3, query=X[rows], query_index=rows),
    )


def test_a_row_is_never_its_own_neighbour_even_behind_a_duplicate():
    """Class: with duplicated rows a user's estimator may list a duplicate before the row
    itself; dropping the first column (imbalanced-learn) then keeps the row as its own
    neighbour."""
    X = np.array([[0.0], [0.0], [0.0], [5.0]])
    found = nearest(NearestNeighbors(), X, 2)
    exact = nearest(ExactNearestNeighbors(), X, 2)
    for row, neighbours in enumerate(found):
        assert row not in neighbours
        # ties may be listed in another order, but the distances are the exact ones
        np.testing.assert_array_equal(
            np.abs(X[neighbours] - X[row]), np.abs(X[exact[row]] - X[row])
        )


def test_check_neighbors_object_counts_and_clones():
    nn = check_neighbors_object("k_neighbors", 5, additional_neighbor=1, n_jobs=1)
    assert type(nn) is ExactNearestNeighbors and nn.n_neighbors == 6 and nn.n_jobs == 1
    given_nn = NearestNeighbors(n_neighbors=6)
    copy = check_neighbors_object("k_neighbors", given_nn)
    assert copy is not given_nn and copy.get_params() == given_nn.get_params()
    assert n_neighbors_of(copy, "k_neighbors") == 6
    for bad in (0, -1, True, 2.5, "5", object()):
        with pytest.raises(ValueError, match="k_neighbors must be"):
            check_neighbors_object("k_neighbors", bad)


def test_errors_and_clone():
    X = np.arange(10.0).reshape(5, 2)
    nn = ExactNearestNeighbors(n_neighbors=5).fit(X)
    with pytest.raises(ValueError, match="Expected n_neighbors <= 4"):
        nn.kneighbors()
    with pytest.raises(ValueError, match="n_neighbors must be an integer >= 1; got 0"):
        nn.kneighbors(X, n_neighbors=0)
    with pytest.raises(ValueError, match="X has 3 features"):
        nn.kneighbors(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="finite|NaN|infinity"):
        ExactNearestNeighbors().fit(np.array([[0.0], [np.nan]]))
    assert clone(nn).get_params() == {"n_neighbors": 5, "n_jobs": None}
