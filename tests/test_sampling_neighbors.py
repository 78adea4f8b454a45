"""The shared k-NN routine against an independent reference (sorted exact distances)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from skbalance.sampling._neighbors import kneighbors


def reference_kneighbors(reference, k, query=None, query_index=None):
    """Exact k-NN by full sort of float64 distances, ties broken by the lower index."""
    reference = np.asarray(reference, dtype=np.float64)
    if query is None:
        query, query_index = reference, np.arange(len(reference))
    query = np.asarray(query, dtype=np.float64)
    dist = ((query[:, None, :] - reference[None, :, :]) ** 2).sum(-1)
    if query_index is not None:
        dist[np.arange(len(query)), query_index] = np.inf
    order = np.lexsort((np.broadcast_to(np.arange(len(reference)), dist.shape), dist), axis=-1)
    return order[:, :k]


@given(
    n=st.integers(2, 120),
    d=st.integers(1, 6),
    k=st.integers(1, 8),
    offset=st.sampled_from([0.0, 1e3]),
    seed=st.integers(0, 2**31),
)
def test_matches_exact_reference_on_random_data(n, d, k, offset, seed):
    k = min(k, n - 1)
    X = np.random.default_rng(seed).normal(size=(n, d)) + offset  # offset: cancellation
    np.testing.assert_array_equal(kneighbors(X, k, n_jobs=1), reference_kneighbors(X, k))


def test_query_with_self_index_and_without():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 5))
    rows = np.array([3, 10, 499])
    np.testing.assert_array_equal(
        kneighbors(X, 4, query=X[rows], query_index=rows),
        reference_kneighbors(X, 4, X[rows], rows),
    )
    Q = rng.normal(size=(7, 5))
    np.testing.assert_array_equal(kneighbors(X, 3, query=Q), reference_kneighbors(X, 3, Q))


def test_threads_and_chunks_give_the_same_answer_as_one_thread():
    X = np.random.default_rng(2).normal(size=(3000, 8)).astype(np.float32)
    np.testing.assert_array_equal(kneighbors(X, 5, n_jobs=2), kneighbors(X, 5, n_jobs=1))
    np.testing.assert_array_equal(kneighbors(X, 5, n_jobs=2), reference_kneighbors(X, 5))


def test_duplicates_are_valid_ties_sorted_by_index_and_self_is_excluded():
    X = np.zeros((6, 2))
    result = kneighbors(X, 3)
    for i, row in enumerate(result):
        assert i not in row and len(set(row)) == 3 and row.tolist() == sorted(row)
        assert set(row) <= set(range(6))
    X = np.array([[0.0], [1.0], [1.0], [3.0]])  # rows 1 and 2 tie for row 0's 1st place
    assert kneighbors(X, 2)[0].tolist() == [1, 2]


def test_sparse_input_gives_the_dense_answer():
    X = sparse.random(200, 30, density=0.2, random_state=0, format="csr")
    dense = X.toarray()
    ours, reference = kneighbors(X, 4), reference_kneighbors(dense, 4)

    def distances(neighbours):  # sparse rows tie often: compare distances, not indices
        return ((dense[:, None, :] - dense[neighbours]) ** 2).sum(-1)

    np.testing.assert_allclose(distances(ours), distances(reference))
    assert (ours != np.arange(200)[:, None]).all()


def test_too_many_neighbours_is_an_error():
    with pytest.raises(ValueError, match="5 neighbours among 5 points"):
        kneighbors(np.zeros((5, 2)), 5)
