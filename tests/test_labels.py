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
        (np.array([1.0, np.nan]), "NaN or infinity"),
        (np.array(["a", None], dtype=object), "contains None"),
        (np.array(["a", 1], dtype=object), "mixes label types"),
        (None, "y is None"),
    ],
)
def test_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        encode_labels(labels)
