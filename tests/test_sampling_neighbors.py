"""The shared k-NN routine against independent references, at every scale.

The contract (``skbalance/sampling/_neighbors.py``): the k rows first in the order of
(canonical float64 distance, index), where the canonical distance sums ``(q_j - r_j)**2``
in float64 from the first feature to the last. Two rows tie only when those float64
values are equal. The reference below builds the full distance matrix that way and sorts
it, so every comparison is exact -- indices included.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from skbalance.sampling import _neighbors
from skbalance.sampling._neighbors import kneighbors


def canonical_distances(reference, query):
    """Full float64 matrix, summed feature by feature (the contract's definition)."""
    reference = np.asarray(reference, dtype=np.float64)
    query = np.asarray(query, dtype=np.float64)
    dist = np.zeros((len(query), len(reference)))
    for feature in range(reference.shape[1]):
        diff = query[:, None, feature] - reference[None, :, feature]
        dist += diff * diff
    return dist


def reference_kneighbors(reference, k, query=None, query_index=None):
    """Exact k-NN: full sort of the canonical distances, ties broken by the lower index."""
    if query is None:
        query, query_index = reference, np.arange(len(reference))
    dist = canonical_distances(reference, query)
    if query_index is not None:
        own = np.flatnonzero(np.asarray(query_index) >= 0)
        dist[own, np.asarray(query_index)[own]] = np.inf
    index = np.broadcast_to(np.arange(dist.shape[1]), dist.shape)
    return np.lexsort((index, dist), axis=-1)[:, :k]


def assert_matches_sklearn_brute(X, k, ours):
    """scikit-learn's float64 brute force, up to its own rounding.

    scikit-learn ranks by ``|a|^2 - 2 a.b + |b|^2`` (relative error ~1e-15 on this data), so
    its order may differ from ours only between distances within that rounding: the
    distance multisets must agree, and the indices wherever no such near-tie exists.
    """
    theirs = NearestNeighbors(n_neighbors=k + 1, algorithm="brute").fit(X)
    theirs = theirs.kneighbors(X, return_distance=False)
    # drop each row itself (or, for a duplicate, any one row at distance 0: a tie)
    self_pos = np.argmax(theirs == np.arange(len(X))[:, None], axis=1)
    has_self = (theirs == np.arange(len(X))[:, None]).any(axis=1)
    self_pos[~has_self] = k
    keep = np.arange(k + 1) != self_pos[:, None]
    theirs = theirs[keep].reshape(len(X), k)
    dist = canonical_distances(X, X)
    ours_d = np.take_along_axis(dist, ours, axis=1)
    theirs_d = np.sort(np.take_along_axis(dist, theirs, axis=1), axis=1)
    np.testing.assert_allclose(ours_d, theirs_d, rtol=1e-12, atol=0)
    np.fill_diagonal(dist, np.inf)
    sorted_d = np.sort(dist, axis=1)[:, : k + 1]
    near_tie = (np.diff(sorted_d, axis=1) <= 1e-12 * sorted_d[:, 1:]).any(axis=1)
    np.testing.assert_array_equal(ours[~near_tie], theirs[~near_tie])


def _data(kind: str, n: int, d: int, rng) -> np.ndarray:
    if kind == "normal":
        return rng.normal(size=(n, d))
    if kind == "mixed":  # an unscaled money column, 0/1 flags, and features near 1e-8
        money = np.round(rng.lognormal(11, 1.0, n), 2)
        flags = rng.integers(0, 2, size=(n, 2))
        small = rng.normal(size=(n, max(d - 3, 1))) * 1e-8
        return np.column_stack([money, flags, small])
    if kind == "steps":  # one column in steps of 1e3 beside unit-scale columns
        return np.column_stack([rng.permutation(n) * 1e3, rng.normal(size=(n, d))])
    if kind == "duplicates":
        base = rng.normal(size=(max(n // 4, 1), d))
        return base[rng.integers(0, len(base), size=n)]
    if kind == "constant":
        X = rng.normal(size=(n, d))
        X[:, 0] = 7.0
        return X
    raise AssertionError(kind)


@settings(max_examples=60, deadline=None)
@given(
    exponent=st.integers(-25, 20),
    kind=st.sampled_from(["normal", "mixed", "steps", "duplicates", "constant"]),
    n=st.integers(2, 140),
    d=st.integers(1, 5),
    k=st.integers(1, 7),
    dtype=st.sampled_from([np.float64, np.float32]),
    separate_query=st.booleans(),
    keep_e=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_exact_at_every_scale(exponent, kind, n, d, k, dtype, separate_query, keep_e, seed):
    """Class: float32 rounding, cancellation, over- and underflow in the candidate search.

    At 1e-25 squared distances underflow float32 and at 1e20 they overflow it; a money
    column beside 1e-8 features loses them to cancellation; a column in steps of 1e3 leaves
    no float32 digit for the other columns. Whatever the scale, layout, dtype or row count
    (rarely a multiple of the 32-row block), the answer equals the full float64 sort; both
    where a chunk's E is kept for the row pruning (small references) and where it is
    computed again for the candidate blocks (``keep_e=False``: large references).
    """
    rng = np.random.default_rng(seed)
    X = (_data(kind, n, d, rng) * 10.0**exponent).astype(dtype)
    k = min(k, len(X) - 1)
    with pytest.MonkeyPatch.context() as patch:
        if not keep_e:  # as for a reference too large to keep its chunk's E
            patch.setattr(_neighbors, "_KEEP_BYTES", 0)
        if separate_query:
            query = X[rng.integers(0, len(X), size=5)]
            query = np.concatenate([query, X[:3] * 0.5]).astype(dtype)
            expected = reference_kneighbors(X, k, query)
            np.testing.assert_array_equal(kneighbors(X, k, query=query, n_jobs=1), expected)
        else:
            found = kneighbors(X, k, n_jobs=1)
            np.testing.assert_array_equal(found, reference_kneighbors(X, k))


@settings(max_examples=30, deadline=None)
@given(exponent=st.integers(-25, 20), n=st.integers(3, 150), seed=st.integers(0, 2**31))
def test_equals_sklearn_brute_force_at_every_scale(exponent, n, seed):
    """Class: a neighbour search that disagrees with scikit-learn's brute force at a scale.

    Before the fix, agreement was 0.166 at 1e-25 and 0.143 at 1e20.
    """
    X = np.random.default_rng(seed).normal(size=(n, 3)) * 10.0**exponent
    k = min(5, n - 1)
    assert_matches_sklearn_brute(X, k, kneighbors(X, k, n_jobs=1))


@pytest.mark.parametrize("scale", [1e-25, 1e20])
def test_issue_figures_now_agree_everywhere(scale):
    """Class: float32 over/underflow at extreme scales (the issue's 0.166 / 0.143)."""
    X = np.random.default_rng(0).normal(size=(1000, 5)) * scale
    np.testing.assert_array_equal(kneighbors(X, 5), reference_kneighbors(X, 5))


@pytest.mark.parametrize("scale_exponent", [-520, -300, 300, 520])
def test_beyond_float64_squares_the_ranking_is_that_of_the_power_of_two_rescaled_data(
    scale_exponent,
):
    """Class: squared distances that over- or underflow float64 itself (beyond 1e+-154).

    Multiplying by a power of two is exact, so the answer is the float64 sort of the data
    brought to unit scale.
    """
    X = np.ldexp(np.random.default_rng(3).normal(size=(200, 3)), scale_exponent)
    unit = np.ldexp(X, -scale_exponent)
    np.testing.assert_array_equal(kneighbors(X, 4), reference_kneighbors(unit, 4))


def test_realistic_mixed_columns_match_exactly_and_use_the_float64_pass(monkeypatch):
    """Class: one wide-range column (income) hiding the others from float32 (1.6% wrong).

    Also proves the ambiguous-row path (float64 block minima) runs on such data.
    """
    precisions = []
    original = _neighbors._BlockMinima.__init__

    def spy(self, space, reference, dtype):
        precisions.append(np.dtype(dtype))
        original(self, space, reference, dtype)

    monkeypatch.setattr(_neighbors._BlockMinima, "__init__", spy)
    rng = np.random.default_rng(5)
    n = 1500
    X = np.column_stack(
        [
            np.round(rng.lognormal(10.5, 0.6, n), -2),  # income, many equal values
            rng.integers(18, 90, n),  # age
            rng.integers(0, 2, (n, 2)),  # flags
            rng.normal(size=(n, 2)) * 1e-8,
        ]
    )
    np.testing.assert_array_equal(kneighbors(X, 5, n_jobs=2), reference_kneighbors(X, 5))
    assert precisions == [np.float32, np.float64]


@pytest.mark.parametrize("n", [1, 31, 32, 33, 63, 64, 65, 97])
def test_row_counts_around_block_sizes_with_and_without_self(n):
    """Class: padding of the last block taken for data (the old 1e30 sentinel)."""
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, 3)) * 1e15  # squared distances near the old sentinel
    far = np.full((2, 3), 1e15)
    if n > 1:
        k = min(n - 1, 6)
        np.testing.assert_array_equal(kneighbors(X, k), reference_kneighbors(X, k))
    k = min(n, 6)
    np.testing.assert_array_equal(kneighbors(X, k, query=far), reference_kneighbors(X, k, far))


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
    # without exclusion a query row that is a reference row finds itself first
    assert (kneighbors(X, 2, query=X[rows])[:, 0] == rows).all()
    mixed = np.array([3, -1, 499])  # -1: this query row is no reference row
    np.testing.assert_array_equal(
        kneighbors(X, 4, query=X[rows], query_index=mixed),
        reference_kneighbors(X, 4, X[rows], mixed),
    )


def test_threads_and_chunks_give_the_same_answer_as_one_thread():
    X = np.random.default_rng(2).normal(size=(3000, 8)).astype(np.float32)
    np.testing.assert_array_equal(kneighbors(X, 5, n_jobs=2), kneighbors(X, 5, n_jobs=1))
    np.testing.assert_array_equal(kneighbors(X, 5, n_jobs=2), reference_kneighbors(X, 5))


def test_duplicates_and_constant_columns_tie_by_index():
    """Class: ties resolved by whichever candidate a partition happened to keep."""
    X = np.zeros((70, 2))  # every distance ties: the lowest indices, self excluded
    expected = [[j for j in range(70) if j != i][:3] for i in range(70)]
    np.testing.assert_array_equal(kneighbors(X, 3), expected)
    X = np.array([[0.0], [1.0], [1.0], [3.0]])  # rows 1 and 2 tie for row 0's 1st place
    assert kneighbors(X, 2)[0].tolist() == [1, 2]
    X = np.repeat(np.random.default_rng(4).normal(size=(20, 3)), 7, axis=0)
    np.testing.assert_array_equal(kneighbors(X, 9), reference_kneighbors(X, 9))


@pytest.mark.parametrize("k", [1, 5, 12])
def test_many_exact_duplicates_take_the_lowest_indices(k):
    """Class: ties among many blocks (one-hot data) resolved by block choice, not by index.

    Each of 64 patterns appears ~30 times across ~60 blocks, and a few rows are unique
    (their k nearest tie at distance 1 over many blocks).
    """
    rng = np.random.default_rng(9)
    X = rng.integers(0, 2, size=(2000, 6)).astype(float)
    X[::97] += rng.integers(2, 4, size=(len(X[::97]), 6))
    np.testing.assert_array_equal(kneighbors(X, k, n_jobs=2), reference_kneighbors(X, k))
    query = X[:50]
    np.testing.assert_array_equal(kneighbors(X, k, query=query), reference_kneighbors(X, k, query))


@pytest.mark.parametrize("scale", [1.0, 1e-25, 1e20])
def test_sparse_input_gives_the_dense_answer(scale):
    X = sparse.random(200, 30, density=0.2, random_state=0, format="csr") * scale
    np.testing.assert_array_equal(kneighbors(X, 4), reference_kneighbors(X.toarray(), 4))
    np.testing.assert_array_equal(kneighbors(X, 4), kneighbors(X.toarray(), 4))


@settings(max_examples=40, deadline=None)
@given(
    exponent=st.integers(-25, 20),
    kind=st.sampled_from(["normal", "mixed", "steps"]),
    n=st.integers(2, 100),
    d=st.integers(1, 6),
    seed=st.integers(0, 2**31),
)
def test_float32_block_minima_stay_within_the_proven_bound(exponent, kind, n, d, seed):
    """Class: an error bound that is stated but false (the heart of the exactness proof).

    Each computed block minimum of ``|x|^2 - 2 y.x`` is within ``delta`` of the exact
    ``min |y - x|^2 - |y|^2`` of the block, computed here in float64 from the unrounded
    scaled points (float64's own error is ~1e9 times smaller than float32's bound).
    """
    rng = np.random.default_rng(seed)
    X = _data(kind, n, d, rng) * 10.0**exponent
    space = _neighbors._Space(X, X)
    minima = _neighbors._BlockMinima(space, X, np.float32)
    q_aug_t, query_norm = minima.query_side(space, X)
    computed = minima.minima(q_aug_t, None, tile=64).astype(np.float64)
    scaled = space.search(X, np.float64)
    exact = canonical_distances(scaled, scaled) - (scaled**2).sum(axis=1)[:, None]
    blocks = -(-n // 32)
    exact = np.pad(exact, ((0, 0), (0, blocks * 32 - n)), constant_values=np.inf)
    exact = exact.reshape(n, blocks, 32).min(axis=2)
    dims = X.shape[1]
    delta = 3 * (dims + 2) * 2.0**-24 * (minima.radius + query_norm) ** 2
    assert (np.abs(computed - exact) <= delta[:, None]).all()


def test_differences_that_underflow_float64_squares_are_ties_as_in_the_reference():
    """Class: a search finer than its own definition (float32 sees what float64 cannot).

    With a unit column beside distinct values near 1e-300, every canonical distance
    underflows to the same value: all rows tie, and the lowest indices win.
    """
    rng = np.random.default_rng(8)
    X = np.column_stack([np.ones(100), rng.normal(size=100) * 1e-300])
    np.testing.assert_array_equal(kneighbors(X, 3), reference_kneighbors(X, 3))


def test_candidates_are_scored_in_bounded_pieces(monkeypatch):
    """Class: a candidate gather of chunk x 32 k x d floats (~500 MB for images).

    With the per-gather budget shrunk to 1,024 values, every row's candidates are split
    across several gathers (by rows and by blocks); the answer is unchanged.
    """
    monkeypatch.setattr(_neighbors, "_SCORE_VALUES", 2**10)
    X = np.random.default_rng(10).normal(size=(700, 8)).astype(np.float32)
    np.testing.assert_array_equal(kneighbors(X, 7), reference_kneighbors(X, 7))
    X = np.column_stack([np.round(np.random.default_rng(11).lognormal(10, 1, 700), -2), X])
    np.testing.assert_array_equal(kneighbors(X, 7), reference_kneighbors(X, 7))


def test_too_many_neighbours_is_an_error():
    with pytest.raises(ValueError, match="5 neighbours among 5 points"):
        kneighbors(np.zeros((5, 2)), 5)


def test_input_is_never_modified():
    """Class: scaling in place on a view of the caller's array."""
    X = np.asfortranarray(np.random.default_rng(6).normal(size=(50, 3)) * 1e300)
    before = X.copy()
    kneighbors(X, 3)
    np.testing.assert_array_equal(X, before)
