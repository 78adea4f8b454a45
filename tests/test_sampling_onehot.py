"""Indicator (one-hot) targets through every sampler: each row keeps its own column.

Class of bug guarded here: a one-hot ``y`` decoded to labels and re-encoded against the
*present* classes only, so an empty column (``to_categorical(y, num_classes=K)`` on a fold
that lacks a class) shifts every later class one column to the left.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skbalance.sampling import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    RandomOverSampler,
    RandomUnderSampler,
    SMOTETomek,
    TomekLinks,
)

SAMPLERS = [
    lambda: RandomUnderSampler(random_state=0),
    lambda: RandomOverSampler(random_state=0),
    lambda: RandomOverSampler(random_state=0, shrinkage=0.5),
    lambda: SMOTE(k_neighbors=3, random_state=0),
    lambda: BorderlineSMOTE(k_neighbors=3, m_neighbors=5, random_state=0),
    lambda: ADASYN(n_neighbors=3, random_state=0),
    lambda: TomekLinks(),
    lambda: EditedNearestNeighbours(),
    lambda: SMOTETomek(smote=SMOTE(k_neighbors=3), random_state=0),
    lambda: SMOTEENN(smote=SMOTE(k_neighbors=3), random_state=0),
]

# per column: 0 rows (an empty indicator column) or 4..20 rows
column_counts = st.lists(st.sampled_from([0, 0, 4, 6, 9, 14, 20]), min_size=2, max_size=6).filter(
    lambda counts: sum(c > 0 for c in counts) >= 2
)


def indicator_data(counts, seed):
    rng = np.random.default_rng(seed)
    columns = np.repeat(np.arange(len(counts)), counts)
    rng.shuffle(columns)
    X = rng.normal(size=(len(columns), 2)) + 0.6 * columns[:, None]
    return X, columns, np.eye(len(counts))[columns]


def run(sampler, X, y):
    try:
        return sampler.fit_resample(X, y), sampler
    except ValueError as exc:  # e.g. a class too small for k_neighbors: same on both paths
        return str(exc), sampler


@settings(max_examples=30, deadline=None)
@given(counts=column_counts, seed=st.integers(0, 2**16), dtype=st.sampled_from(["f4", "i8", "?"]))
def test_every_output_row_keeps_its_own_indicator_column(counts, seed, dtype):
    """Class: one-hot targets re-numbered against the present classes (empty column).

    Reference: the same sampler on the integer column labels (the path without indicator
    decoding). Row selectors: ``Y_res == Y[sample_indices_]``; generators: every new row's
    indicator is the column of the class it was made for, and the column counts are the
    input's plus ``sampling_strategy_`` (keyed by column).
    """
    X, columns, Y = indicator_data(counts, seed)
    Y = Y.astype(dtype)
    for make in SAMPLERS:
        result, sampler = run(make(), X, Y)
        reference, ref_sampler = run(make(), X, columns)
        if isinstance(reference, str):
            assert result == reference
            continue
        (X_res, Y_res), (X_ref, y_ref) = result, reference
        assert Y_res.shape == (len(X_res), len(counts)) and Y_res.dtype == Y.dtype
        np.testing.assert_array_equal(X_res, X_ref)
        np.testing.assert_array_equal(Y_res.argmax(axis=1), y_ref)
        assert (Y_res.sum(axis=1) == 1).all()
        if hasattr(sampler, "sample_indices_"):
            np.testing.assert_array_equal(Y_res, Y[sampler.sample_indices_])
        if isinstance(sampler, RandomOverSampler | SMOTE | BorderlineSMOTE | ADASYN):
            np.testing.assert_array_equal(Y_res[: len(Y)], Y)  # originals first, in order
            added = np.zeros(len(counts), dtype=int)
            for column, n_added in sampler.sampling_strategy_.items():
                added[column] = n_added
            np.testing.assert_array_equal(Y_res.sum(axis=0), np.asarray(counts) + added)
            for column in np.flatnonzero(np.asarray(counts) == 0):
                assert not Y_res[:, column].any()  # an empty column stays empty


def test_empty_column_regression_random_over_sampler():
    """Class: one-hot re-numbering -- the reported case (class 2 rows moved to column 1)."""
    columns = np.array([0] * 10 + [2] * 4)
    Y = np.eye(3)[columns]
    sampler = RandomOverSampler(random_state=0)
    _, Y_res = sampler.fit_resample(np.arange(14.0).reshape(-1, 1), Y)
    assert Y_res.sum(axis=0).tolist() == [10, 0, 10]
    np.testing.assert_array_equal(Y_res, Y[sampler.sample_indices_])
    assert dict(sampler.sampling_strategy_) == {2: 6}


@pytest.mark.parametrize("y_dtype", ["int64", "float32", "bool", "Int64", "boolean"])
@pytest.mark.parametrize("x_frame", [False, True])
def test_dataframe_indicator_y_comes_back_as_the_same_dataframe(y_dtype, x_frame):
    """Class: container round trip of a one-hot DataFrame y (columns, dtypes, index).

    The output is a DataFrame with the caller's column names and dtypes, an index aligned
    with X_res, and the same indicator values as the ndarray path.
    """
    X, columns, Y = indicator_data([12, 0, 5, 7], seed=3)
    index = pd.RangeIndex(100, 100 + len(X))
    Y_df = pd.DataFrame(Y, columns=["cat", "dog", "eel", "fox"], index=index).astype(y_dtype)
    X_in = pd.DataFrame(X, columns=["a", "b"], index=index) if x_frame else X
    for make in (SAMPLERS[0], SAMPLERS[1], SAMPLERS[3]):
        X_res, Y_res = make().fit_resample(X_in, Y_df)
        _, Y_arr = make().fit_resample(X, Y)
        assert isinstance(Y_res, pd.DataFrame)
        assert list(Y_res.columns) == ["cat", "dog", "eel", "fox"]
        assert Y_res.dtypes.tolist() == Y_df.dtypes.tolist()
        np.testing.assert_array_equal(Y_res.to_numpy(dtype=float), Y_arr)
        if x_frame:
            assert Y_res.index.equals(X_res.index)
        assert Y_res["dog"].sum() == 0


def test_list_of_lists_indicator_y_comes_back_as_a_list():
    """Class: container round trip (a list in, a list out) for indicator targets."""
    X, _, Y = indicator_data([10, 0, 4], seed=1)
    _, Y_res = RandomOverSampler(random_state=0).fit_resample(X, Y.astype(int).tolist())
    assert isinstance(Y_res, list) and len(Y_res[0]) == 3
    assert np.asarray(Y_res).sum(axis=0).tolist() == [10, 0, 10]


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_indicator_y_comes_back_sparse_in_its_format(fmt):
    """Class: container round trip of a sparse indicator y (it was read as a 0-d array)."""
    from scipy import sparse

    X, _, Y = indicator_data([10, 0, 4, 6], seed=2)
    Y_sparse = sparse.csr_matrix(Y.astype(np.int8)).asformat(fmt)
    for make in SAMPLERS:
        _, Y_res = make().fit_resample(X, Y_sparse)
        _, Y_ref = make().fit_resample(X, Y.astype(np.int8))
        assert sparse.issparse(Y_res) and Y_res.format == fmt and Y_res.dtype == np.int8
        np.testing.assert_array_equal(Y_res.toarray(), Y_ref)
