"""Every pandas column dtype through every sampler: it round-trips with valid values, or it
is refused with an error that names the column.

Classes of bug guarded here: synthetic values cast to a column's dtype by truncation (ints),
by ``bool(value)`` (any non-zero becomes True), by a category lookup that gives NaN, or
wrapping around an integer dtype's range; and a dtype that no rule covers silently passing.
"""

import numpy as np
import pandas as pd
import pytest

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

N_MAJORITY, N_MINORITY = 60, 30
rng = np.random.default_rng(0)
Y = np.repeat([0, 1], [N_MAJORITY, N_MINORITY])
BASE = rng.normal(size=len(Y)) + 0.8 * Y  # overlapping classes: rows in danger exist
SMALL_INTS = rng.integers(-50, 50, size=len(Y))
FLAGS = rng.random(len(Y)) < 0.4

NUMERIC = {
    **{name: SMALL_INTS.astype(name) for name in ("int8", "int16", "int32", "int64")},
    **{name: np.abs(SMALL_INTS).astype(name) for name in ("uint8", "uint16", "uint32", "uint64")},
    "float16": rng.normal(size=len(Y)).astype("float16"),
    "float32": rng.normal(size=len(Y)).astype("float32"),
    "float64": rng.normal(size=len(Y)),
    "bool": FLAGS,
    "Int8": pd.array(SMALL_INTS, dtype="Int8"),
    "Int64": pd.array(SMALL_INTS, dtype="Int64"),
    "UInt16": pd.array(np.abs(SMALL_INTS), dtype="UInt16"),
    "Float32": pd.array(rng.normal(size=len(Y)), dtype="Float32"),
    "Float64": pd.array(rng.normal(size=len(Y)), dtype="Float64"),
    "boolean": pd.array(FLAGS, dtype="boolean"),
    "Sparse[float64]": pd.arrays.SparseArray(np.where(FLAGS, 1.5, 0.0)),
    "object of numbers": pd.array(rng.normal(size=len(Y)).tolist(), dtype=object),
}
REFUSED = {
    "category (numbers)": (pd.Categorical(SMALL_INTS % 3), "is categorical"),
    "category (strings)": (pd.Categorical(np.array(list("abc"))[SMALL_INTS % 3]), "is categorical"),
    "object (strings)": (
        pd.array(np.array(list("abc"))[SMALL_INTS % 3], dtype=object),
        "holds values that are not numbers",
    ),
    "string": (pd.array(np.array(list("abc"))[SMALL_INTS % 3], dtype="string"), "holds text"),
    "datetime64": (pd.date_range("2024-01-01", periods=len(Y)), "holds dates or durations"),
    "datetime64 tz": (pd.date_range("2024", periods=len(Y), tz="UTC"), "holds dates or durations"),
    "timedelta64": (pd.to_timedelta(np.arange(len(Y)), unit="D"), "holds dates or durations"),
    "period": (pd.period_range("2024-01", periods=len(Y), freq="D"), "holds dates or durations"),
    "complex": (np.arange(len(Y)) * (1 + 1j), "holds complex numbers"),
}

GENERATORS = {
    "SMOTE": lambda: SMOTE(random_state=0),
    "BorderlineSMOTE": lambda: BorderlineSMOTE(random_state=0, kind="borderline-2"),
    "ADASYN": lambda: ADASYN(random_state=0),
    "RandomOverSampler(shrinkage)": lambda: RandomOverSampler(random_state=0, shrinkage=2.0),
    "SMOTETomek": lambda: SMOTETomek(random_state=0),
    "SMOTEENN": lambda: SMOTEENN(random_state=0),
}
DISTANCE_SELECTORS = {"TomekLinks": TomekLinks, "EditedNearestNeighbours": EditedNearestNeighbours}
RANDOM_SELECTORS = {
    "RandomUnderSampler": lambda: RandomUnderSampler(random_state=0),
    "RandomOverSampler": lambda: RandomOverSampler(random_state=0),
}


def frame(column):
    index = pd.RangeIndex(1000, 1000 + len(Y))
    # a Series with an explicit dtype: pandas 3 would infer "str" from an object array
    dtype = (
        column.dtype if isinstance(column, np.ndarray | pd.api.extensions.ExtensionArray) else None
    )
    return pd.DataFrame(
        {"base": BASE, "col": pd.Series(column, index=index, dtype=dtype)}, index=index
    )


def numpy_dtype_of(dtype) -> np.dtype:
    if isinstance(dtype, np.dtype):
        return dtype if dtype != np.dtype(object) else np.dtype(np.float64)
    return np.dtype(getattr(dtype, "numpy_dtype", None) or dtype.subtype)


def as_float(column) -> np.ndarray:
    return pd.Series(column).to_numpy(dtype=np.float64, na_value=np.nan)


@pytest.mark.parametrize("dtype_name", list(NUMERIC))
@pytest.mark.parametrize("sampler_name", list(GENERATORS))
def test_numeric_columns_round_trip_with_the_float_path_as_reference(sampler_name, dtype_name):
    """Class: synthetic values cast to a column dtype (truncation, bool(), wrap-around).

    Reference: the same sampler on the same frame with the column as float64 (same
    distances, same draws). Integer columns must be its values rounded, booleans its values
    rounded (a value between two parents takes the nearer parent's), floats equal.
    """
    X = frame(NUMERIC[dtype_name])
    before = X.copy()
    X_res, y_res = GENERATORS[sampler_name]().fit_resample(X, Y)
    X_ref, y_ref = GENERATORS[sampler_name]().fit_resample(frame(as_float(X["col"])), Y)
    pd.testing.assert_frame_equal(X, before)  # the caller's frame is untouched
    np.testing.assert_array_equal(y_res, y_ref)
    assert X_res.dtypes.tolist() == X.dtypes.tolist()
    assert X_res.index.equals(X_ref.index)
    got, expected = as_float(X_res["col"]), X_ref["col"].to_numpy()
    assert not np.isnan(got).any()
    numpy_dtype = numpy_dtype_of(X["col"].dtype)
    if numpy_dtype.kind == "b":
        np.testing.assert_array_equal(got, np.rint(expected) > 0)
    elif numpy_dtype.kind in "iu":
        info = np.iinfo(numpy_dtype)
        np.testing.assert_array_equal(got, np.clip(np.rint(expected), info.min, info.max))
    elif numpy_dtype.itemsize < 8:  # float16/float32: the reference rounded to that type
        np.testing.assert_allclose(got, expected.astype(numpy_dtype), rtol=1e-6)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    kept = X_res.index[X_res.index < 1000 + len(X)]  # originals (a cleaner may drop some)
    pd.testing.assert_frame_equal(X_res.loc[kept], X.loc[kept])


def test_bool_columns_follow_the_parents_share():
    """Class: ``bool(value)`` on interpolated values (any non-zero value became True).

    40% of the minority rows are True; synthetic rows must keep about that share (the old
    cast gave about 60%), and a column True in every minority row stays True.
    """
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], [2000, 400])
    flags = np.zeros(len(y), dtype=bool)
    flags[y == 1] = rng.random(400) < 0.4
    # x spans hundreds of units, so neighbours ignore the flag and parents often differ in it
    X = pd.DataFrame({"x": 100 * (rng.normal(size=len(y)) + y), "flag": flags, "always": y == 1})
    X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    new = X_res.iloc[len(X) :]
    share = new["flag"].mean()
    assert abs(share - flags[y == 1].mean()) < 0.05, share
    assert new["always"].all() and X_res["flag"].dtype == bool


def test_integer_noise_is_clipped_to_the_dtype_range_not_wrapped():
    """Class: integer overflow of synthetic values (uint8 255 + noise wrapped to 0)."""
    rng = np.random.default_rng(2)
    X = np.repeat(rng.integers(250, 256, size=(40, 1)), 3, axis=1).astype(np.uint8)
    X[:, 0] = rng.integers(0, 256, size=40)  # a spread column gives the class a large std
    y = np.repeat([0, 1], [30, 10])
    sampler = RandomOverSampler(random_state=0, shrinkage=50.0)
    X_res, _ = sampler.fit_resample(X, y)
    new = X_res[40:].astype(int)
    assert X_res.dtype == np.uint8
    # every column-0 value was drawn far beyond [0, 255]: the clipped ends are there
    assert {0, 255} <= set(new[:, 0].tolist())
    frame_res, _ = sampler.fit_resample(pd.DataFrame(X), y)
    np.testing.assert_array_equal(frame_res.to_numpy(), X_res)


@pytest.mark.parametrize("dtype_name", list(REFUSED))
@pytest.mark.parametrize("sampler_name", list(GENERATORS) + list(DISTANCE_SELECTORS))
def test_unsupported_columns_are_refused_by_name_before_any_work(sampler_name, dtype_name):
    """Class: a column dtype no rule covers (categories became NaN, dates were floats).

    A TypeError names the column and what it holds; the caller's frame and the sampler
    are left as they were (no fitted attribute appears).
    """
    column, reason = REFUSED[dtype_name]
    X = frame(column)
    before = X.copy()
    make = GENERATORS.get(sampler_name) or DISTANCE_SELECTORS[sampler_name]
    sampler = make()
    with pytest.raises(TypeError, match=f"column 'col' of X {reason}") as info:
        sampler.fit_resample(X, Y)
    # a generator refusing categories or text points to the samplers made for them
    points_to_smotenc = sampler_name in GENERATORS and dtype_name.startswith(
        ("category", "object", "string")
    )
    assert ("SMOTENC" in str(info.value)) == points_to_smotenc
    assert not hasattr(sampler, "n_features_in_") and not hasattr(sampler, "sampling_strategy_")
    pd.testing.assert_frame_equal(X, before)


@pytest.mark.parametrize("dtype", ["Int64", "Float64", "boolean"])
def test_missing_values_in_nullable_columns_are_the_usual_nan_error(dtype):
    """Class: pd.NA turned into a number (or a crash) instead of the NaN rule."""
    column = pd.array(np.where(FLAGS, 1, 0), dtype=dtype)
    column[7] = pd.NA
    with pytest.raises(ValueError, match="NaN or infinity \\(first in row 7\\)"):
        SMOTE().fit_resample(frame(column), Y)


def test_categorical_message_says_what_to_do():
    """Class: an error that names the problem but not the way out."""
    X = frame(REFUSED["category (strings)"][0])
    with pytest.raises(TypeError) as info:
        SMOTE().fit_resample(X, Y)
    message = str(info.value)
    assert "categorical columns are not supported" in message
    assert "OneHotEncoder" in message and "drop it" in message
    assert "SMOTENC" in message and "SMOTEN (" in message


@pytest.mark.parametrize(
    "column",
    [*NUMERIC.values(), *(column for column, _ in REFUSED.values())],
    ids=[*NUMERIC, *REFUSED],
)
@pytest.mark.parametrize("sampler_name", list(RANDOM_SELECTORS))
def test_random_selectors_copy_rows_of_every_dtype_exactly(sampler_name, column):
    """Class: dtype round trip of row selection (values, dtypes and index labels kept)."""
    X = frame(column)
    sampler = RANDOM_SELECTORS[sampler_name]()
    X_res, _ = sampler.fit_resample(X, Y)
    pd.testing.assert_frame_equal(X_res, X.iloc[sampler.sample_indices_])


SPARSE_SAMPLERS = {
    **GENERATORS,
    **{name: make for name, make in RANDOM_SELECTORS.items()},
    **DISTANCE_SELECTORS,
}


@pytest.mark.parametrize("dtype", ["int64", "uint8", "bool", "float32", "float64"])
@pytest.mark.parametrize("sampler_name", list(SPARSE_SAMPLERS))
def test_sparse_input_gives_the_dense_values_in_its_own_dtype(sampler_name, dtype):
    """Class: sparse synthetic rows that skipped the dtype rule (ints came back as unrounded
    float64) or used another formula/precision than the dense path (float32 off by an ulp).
    """
    from scipy import sparse

    values = np.where(
        np.random.default_rng(5).random((len(Y), 3)) < 0.5, 0, SMALL_INTS[:, None] % 7
    )
    X = np.column_stack([BASE, values]).astype(dtype) if dtype != "bool" else values > 2
    X_dense, y_dense = SPARSE_SAMPLERS[sampler_name]().fit_resample(X, Y)
    X_sparse, y_sparse = SPARSE_SAMPLERS[sampler_name]().fit_resample(sparse.csr_matrix(X), Y)
    assert X_sparse.dtype == X_dense.dtype == X.dtype
    np.testing.assert_array_equal(X_sparse.toarray(), X_dense)
    np.testing.assert_array_equal(y_sparse, y_dense)
