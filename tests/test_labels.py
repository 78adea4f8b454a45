"""encode_labels: every fast path must agree with np.unique(return_inverse=True)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skbalance._labels import as_label_array, encode_labels

label_arrays = st.one_of(
    hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(-5, 5)),
    hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(0, 70000)),
    hnp.arrays(np.uint8, st.integers(1, 60)),
    hnp.arrays(np.float64, st.integers(1, 60), elements=st.sampled_from([0.5, -2.0, 7.25])),
    hnp.arrays("<U3", st.integers(1, 60), elements=st.sampled_from(["a", "bb", "ccc"])),
)


@given(labels=label_arrays, compact=st.booleans())
def test_matches_numpy_unique(labels, compact):
    expected_classes, expected_codes = np.unique(labels, return_inverse=True)
    classes, codes = encode_labels(labels, compact=compact)
    np.testing.assert_array_equal(classes, expected_classes)
    np.testing.assert_array_equal(codes, expected_codes.ravel())
    assert classes.dtype == labels.dtype
    if compact:
        assert codes.dtype == np.uint8
    else:
        assert codes.dtype == np.intp


def test_object_labels_and_series():
    classes, codes = encode_labels(pd.Series(["buy", "don't buy", "buy"], dtype=object))
    assert classes.tolist() == ["buy", "don't buy"]
    assert codes.tolist() == [0, 1, 0]


def test_column_vector_is_flattened():
    assert as_label_array(np.array([[1], [2]])).tolist() == [1, 2]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([[1, 2], [3, 4]]), r"must be 1-D .* shape \(2, 2\)"),
        (np.array([1.0, np.nan]), "missing label .*first in row 1"),
        (np.array([1.0, 2.0, -np.inf]), "contains infinity \\(first in row 2\\)"),
        (np.array(["a", None], dtype=object), "missing label .*first in row 1"),
        (np.array(["a", 1], dtype=object), "mixes label types"),
        (None, "y is None"),
    ],
)
def test_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        encode_labels(labels)


@pytest.mark.parametrize(
    "labels",
    [
        pd.Series([0, 1, pd.NA, 1], dtype="Int64"),
        np.array([0.0, 1.0, np.nan, 1.0]),
        pd.Series([True, False, pd.NA, True], dtype="boolean"),
        pd.Series(["a", "b", None, "a"], dtype="string"),
        pd.Series(["a", "b", None, "a"], dtype=object),
        pd.Series(pd.Categorical(["a", "b", None, "a"])),
        np.array(["a", "b", np.nan, "a"], dtype=object),
        np.array([0.0, 1.0, np.nan, 1.0], dtype=object),
        np.array(["2020-01-01", "2021-01-01", "NaT", "2020-01-01"], dtype="datetime64[D]"),
        np.array([1, 2, "NaT", 1], dtype="timedelta64[s]"),
    ],
    ids=[
        "Int64",
        "float",
        "boolean",
        "string",
        "object",
        "category",
        "str+nan",
        "object+nan",
        "NaT",
        "NaT-td",
    ],
)
def test_missing_labels_of_every_dtype_are_named_as_missing(labels):
    """Class: a missing value that becomes a class of its own (NaT did) or is reported as
    something else ("mixes label types"). Every missing marker is found, with its row.
    """
    with pytest.raises(ValueError, match="missing label .*first in row 2"):
        encode_labels(labels)
