"""Container conversion for the resamplers: read any input once, write the same type back.

Supported: ndarray of any rank >= 2, lists, scipy sparse (matrix or array, format kept),
pandas DataFrame (columns, dtypes and index) and, for ``y``, Series / one-column DataFrame /
one-hot matrix. Inputs are never modified: rows are only read (``take``/``iloc``).

Index rule for pandas outputs: selected rows keep their index labels. Synthetic rows (SMOTE
and friends) are appended with integer labels continuing after the largest integer label
(``RangeIndex``-style), so nothing collides; when the index is not integer, the whole
result gets a fresh ``RangeIndex`` (as imbalanced-learn does for every output).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse

from .._labels import as_label_array, encode_labels
from .._rows import check_sample_weight

__all__ = [
    "Data",
    "NonNumericDataError",
    "read",
    "check_columns",
    "check_finite",
    "assemble_X",
    "assemble_y",
    "assemble_weight",
]


def _is_dataframe(obj) -> bool:
    return hasattr(obj, "iloc") and hasattr(obj, "columns")


def _is_series(obj) -> bool:
    return hasattr(obj, "iloc") and not hasattr(obj, "columns")


class NonNumericDataError(TypeError, ValueError):
    """X holds values that distances or new rows cannot be computed from (text, categories,
    dates).

    A ``TypeError`` (the values are of the wrong type) and a ``ValueError``: scikit-learn's
    ``check_array``, and so imbalanced-learn, raise ``ValueError`` for most such data, and
    code written for them catches that; as scikit-learn's ``NotFittedError`` is both a
    ``ValueError`` and an ``AttributeError``, either ``except`` clause catches this one.
    """


@dataclass
class Data:
    raw: object  # ndarray, sparse (indexable format) or DataFrame
    x_kind: str  # "ndarray" | "list" | "sparse" | "dataframe"
    shape: tuple
    sparse_format: str | None
    y: object  # the caller's y, untouched
    # "ndarray" | "column" (an (n, 1) array) | "list" | "series" | "dataframe" | "onehot"
    y_kind: str
    labels: np.ndarray
    classes: np.ndarray
    codes: np.ndarray
    sample_weight: np.ndarray | None
    sampler_name: str = "this sampler"
    # y's shape, read once through np.asarray: NumPy functions (np.ndim, np.shape) on the
    # caller's y would dispatch to its __array_function__, which an array-like may refuse
    y_shape: tuple = ()

    @property
    def n_features(self) -> int:
        return int(np.prod(self.shape[1:]))

    @property
    def feature_names(self):
        if self.x_kind == "dataframe" and all(isinstance(c, str) for c in self.raw.columns):
            return np.asarray(self.raw.columns, dtype=object)
        return None

    @cached_property
    def counts(self) -> np.ndarray:
        return np.bincount(self.codes, minlength=len(self.classes))

    @cached_property
    def matrix(self):
        """X as a 2-D numeric matrix (rows flattened; float32 kept, other numbers float64).

        Call :func:`check_columns` first: it names the column that cannot be a number.
        """
        if self.x_kind == "sparse":
            matrix = self.raw.tocsr()
        elif self.x_kind == "dataframe":
            # through pandas with a target dtype: nullable Int64/Float64/boolean become
            # floats (pd.NA -> NaN, caught by check_finite), not one object array
            all_float32 = all(dtype == np.float32 for dtype in self.raw.dtypes)
            dtype = np.float32 if all_float32 else np.float64
            return self.raw.to_numpy(dtype=dtype, na_value=np.nan)
        else:
            matrix = self.raw.reshape(self.shape[0], -1)
        if matrix.dtype.kind not in "fiub":
            try:  # object arrays of numbers are fine
                matrix = matrix.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise NonNumericDataError(
                    f"{self.sampler_name} measures distances between rows, so X must be "
                    f"numeric; got dtype {matrix.dtype} ({exc}). Encode categorical columns "
                    "first (e.g. sklearn.preprocessing.OneHotEncoder)."
                ) from None
        dtype = np.float32 if matrix.dtype in (np.float32, np.float16) else np.float64
        return matrix.astype(dtype, copy=False)


def read(X, y, sample_weight, *, sampler_name: str = "this sampler") -> Data:
    """Validate ``X``, ``y`` and ``sample_weight`` (no copies of X) and encode the labels."""
    if X is None:
        raise ValueError("X is None; pass the rows to resample (an array, DataFrame or sparse).")
    sparse_format = None
    if _is_dataframe(X):
        raw, x_kind = X, "dataframe"
    elif sparse.issparse(X):
        sparse_format = X.format
        raw = X if X.format in ("csr", "csc") else X.tocsr()
        x_kind = "sparse"
    else:
        x_kind = "list" if isinstance(X, list | tuple) else "ndarray"
        raw = np.asarray(X)
        if x_kind == "list" and raw.dtype.kind in "US":
            # NumPy turns rows mixing text and numbers ([1.5, "Paris"]) into all text: keep
            # each value as it is (an object array), so numbers come back as numbers
            values = np.asarray(X, dtype=object)
            if not all(isinstance(value, str | bytes) for value in values.flat):
                raw = values
    shape = tuple(raw.shape)
    if len(shape) < 2:
        raise ValueError(
            f"X must have one row per sample and at least 2 dimensions; got shape {shape}. "
            "Reshape a single feature with X.reshape(-1, 1)."
        )
    if shape[0] == 0:
        raise ValueError("X has no rows; there is nothing to resample.")
    if int(np.prod(shape[1:])) == 0:
        raise ValueError(f"X has 0 feature(s) (shape={shape}) while a minimum of 1 is required.")
    if getattr(raw, "dtype", None) is not None and raw.dtype.kind == "c":
        raise ValueError("Complex data not supported; X must hold real numbers.")
    if y is None:
        raise ValueError(
            f"{sampler_name} requires y to be passed, but the target y is None; "
            "pass one label per row."
        )
    labels, y_kind, y_shape = _read_y(y)
    if len(labels) != shape[0]:
        raise ValueError(
            f"X has {shape[0]} rows but y has {len(labels)} labels; "
            "they must have one label per row."
        )
    classes, codes = encode_labels(labels, compact=True)
    weight = None
    if sample_weight is not None:
        weight = _read_weight(sample_weight, shape[0])
    return Data(
        raw,
        x_kind,
        shape,
        sparse_format,
        y,
        y_kind,
        labels,
        classes,
        codes,
        weight,
        sampler_name,
        y_shape,
    )


def _read_y(y) -> tuple[np.ndarray, str, tuple]:
    """``(labels, kind, shape)`` of the caller's ``y`` (see ``Data.y_kind``)."""
    if _is_dataframe(y) and y.shape[1] == 1:
        return as_label_array(y.iloc[:, 0]), "dataframe", tuple(y.shape)
    if _is_series(y):
        return as_label_array(y), "series", tuple(y.shape)
    values = _as_matrix(y)
    if values is not None and values.ndim == 2 and values.shape[1] > 1:
        is_binary = values.dtype.kind in "biuf" and np.isin(values, (0, 1)).all()
        if not (is_binary and (values.sum(axis=1) == 1).all()):
            raise ValueError(
                "Multilabel and multioutput targets are not supported: y must hold one label "
                f"per row (or be one-hot, exactly one 1 per row); got shape {values.shape}."
            )
        # the label of a row is its column: empty columns keep their place (see _onehot)
        return values.argmax(axis=1), "onehot", values.shape
    labels = as_label_array(values)
    if labels.dtype.kind == "f" and np.any(labels != np.floor(labels)):
        raise ValueError(
            "Unknown label type: continuous. y holds non-integer numbers; resamplers need "
            "class labels (integers, strings or other discrete values)."
        )
    if labels.dtype.kind == "c":
        raise ValueError("Unknown label type: complex numbers cannot be class labels.")
    if isinstance(y, list | tuple):
        return labels, "list", values.shape
    return labels, "column" if values.ndim == 2 else "ndarray", values.shape


def _as_matrix(y):
    if _is_dataframe(y):
        try:  # nullable Int64/boolean indicator columns: numbers, not an object array
            return y.to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            return y.to_numpy()
    if sparse.issparse(y):  # a sparse indicator matrix (label_binarize(sparse_output=True))
        return y.toarray()
    return np.asarray(y) if y is not None else None


def _read_weight(sample_weight, n_rows: int) -> np.ndarray:
    # The one sample_weight rule of every skbalance training path (a float64 copy).
    return check_sample_weight(sample_weight, n_rows)


def check_finite(data: Data) -> None:
    matrix = data.matrix
    row = _first_non_finite_row(matrix)
    if row is not None:
        raise ValueError(
            f"X contains NaN or infinity (first in row {row}); {data.sampler_name} measures "
            "distances between rows, which needs finite values. Impute or drop them first "
            "(e.g. sklearn.impute.SimpleImputer)."
        )


def check_columns(data: Data, *, creates_rows: bool) -> None:
    """Refuse, by name, every column that distances (and new values) cannot be computed for.

    One rule for every sampler that reads X's values: numeric and boolean columns (NumPy or
    pandas nullable ``Int64``/``Float64``/``boolean``, sparse) are accepted; categorical,
    date/time, text and complex columns are a :class:`NonNumericDataError` (a ``TypeError``
    and a ``ValueError``) naming the column; ``object``
    columns are accepted when every value is a number (new values are written as floats,
    as for an ``object`` ndarray). ``creates_rows`` only words the message (a generating
    sampler refusing categories or text points to SMOTENC and SMOTEN).
    """
    if data.x_kind == "dataframe":
        columns = list(data.raw.items())
    elif data.raw.dtype == object:  # ndarray or list of Python objects: one "column"
        columns = [(None, data.raw)]
    else:
        return
    does = (
        "computes new rows from X's values" if creates_rows else "measures distances between rows"
    )
    for name, column in columns:
        problem = _column_problem(column)
        if problem is not None:
            what = "X" if name is None else f"column {name!r} of X"
            hint = _CATEGORICAL_HINT if creates_rows and _is_categories(column) else ""
            raise NonNumericDataError(f"{data.sampler_name} {does}, but {what} {problem}{hint}")


_CATEGORICAL_HINT = (
    " To over-sample rows with categorical columns, use skbalance.sampling.SMOTENC "
    "(numeric and categorical columns; categorical_features='auto' finds them) or SMOTEN "
    "(categorical columns only): their new rows take real categories."
)


def _is_categories(column) -> bool:
    """A column SMOTENC can treat as categorical: ``category``, text or (non-number) objects."""
    import pandas as pd

    dtype = column.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _column_problem(column) -> str | None:
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return (
            f"is categorical (dtype {dtype}): there is no distance or midpoint between "
            "categories, so categorical columns are not supported. Encode the column as "
            "numbers (e.g. sklearn.preprocessing.OneHotEncoder) or drop it."
        )
    if dtype.kind in "biuf":
        return None
    if dtype.kind in "mM" or isinstance(dtype, pd.PeriodDtype):
        return (
            f"holds dates or durations (dtype {dtype}). Convert the column to numbers "
            "(e.g. days since a reference date) or drop it."
        )
    if dtype.kind == "c":
        return f"holds complex numbers (dtype {dtype}); X must hold real numbers."
    if dtype != np.dtype(object):  # pandas "string"/"str", intervals, other extension types
        holds = "text" if pd.api.types.is_string_dtype(dtype) else "values that are not numbers"
        return f"holds {holds} (dtype {dtype}). Encode the column as numbers or drop it."
    try:  # object columns of numbers are fine: new values are written as Python floats
        np.asarray(column, dtype=object).astype(np.float64)
    except (TypeError, ValueError) as exc:
        return (
            f"holds values that are not numbers (dtype object: {exc}). Encode them as "
            "numbers (e.g. sklearn.preprocessing.OneHotEncoder) or drop them."
        )
    return None


# Values checked per step: a memmapped X is read in slices, so the check costs a few MB of
# memory rather than a boolean copy of the whole array.
_FINITE_CHUNK = 2**22


def _first_non_finite_row(matrix) -> int | None:
    if sparse.issparse(matrix):
        if np.isfinite(matrix.data).all():
            return None
        return int(np.flatnonzero(~np.isfinite(matrix.toarray()).all(axis=1))[0])
    if matrix.dtype.kind != "f":  # integers and booleans are always finite
        return None
    step = max(1, _FINITE_CHUNK // max(1, matrix.shape[1]))
    for start in range(0, matrix.shape[0], step):
        finite = np.isfinite(matrix[start : start + step]).all(axis=1)
        if not finite.all():
            return start + int(np.flatnonzero(~finite)[0])
    return None


def _new_index(index, indices: np.ndarray, n_new: int):
    import pandas as pd

    taken = index[indices]
    if n_new == 0:
        return taken
    if index.dtype.kind in "iu":
        start = int(index.max()) + 1 if len(index) else 0
        return taken.append(pd.RangeIndex(start, start + n_new))
    return pd.RangeIndex(len(indices) + n_new)


def _synthetic_values(new_rows, dtype):
    """Synthetic values (floats) written in X's dtype: the one rule for every container.

    Integers are rounded (not truncated) and clipped to the dtype's range, so noise
    (``RandomOverSampler(shrinkage=...)``) cannot wrap a ``uint8`` pixel from 255 to 0;
    booleans are rounded, so a value between two parents takes the nearer parent's value.
    """
    if sparse.issparse(new_rows):  # the same rule on the stored values
        rows = new_rows.tocsr()
        values = _synthetic_values(rows.data, dtype)
        out = sparse.csr_matrix((values, rows.indices, rows.indptr), shape=rows.shape)
        out.eliminate_zeros()  # values rounded to 0 are not stored
        return out
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        top = float(info.max)
        if top != info.max:  # 2**63 - 1 is no float64: take the largest float below it
            top = np.nextafter(top, -np.inf)
        new_rows = np.clip(np.rint(new_rows), float(info.min), top)
    elif dtype.kind == "b":
        new_rows = np.rint(new_rows) > 0
    return new_rows.astype(dtype, copy=False)


def _synthetic_column(values: np.ndarray, dtype):
    """One DataFrame column of synthetic values, in the column's own (maybe pandas) dtype.

    ``values`` are numbers to round into the dtype, or (an object array from SMOTENC and
    SMOTEN) values taken as they are from the column: a ``category`` column keeps its
    categories, a text column its text.
    """
    import pandas as pd

    if isinstance(dtype, np.dtype):
        if values.dtype == object and dtype.kind in "biuf":
            values = values.astype(np.float64)
        return _synthetic_values(values, dtype)
    # nullable Int64/Float64/boolean carry their NumPy type; sparse columns their subtype
    numpy_dtype = getattr(dtype, "numpy_dtype", None) or getattr(dtype, "subtype", None)
    if numpy_dtype is None or isinstance(dtype, pd.CategoricalDtype):
        return pd.array(values, dtype=dtype)
    missing = None
    if values.dtype == object:  # a nullable column's category may be pd.NA: it stays missing
        missing = np.asarray(pd.isna(values), dtype=bool)
        values = np.where(missing, 0, values).astype(np.float64)
    out = pd.array(_synthetic_values(values, np.dtype(numpy_dtype)), dtype=dtype)
    if missing is not None and missing.any():
        out[missing] = pd.NA
    return out


def _synthetic_frame(new_rows, columns, dtypes):
    import pandas as pd

    new_rows = np.asarray(new_rows)
    by_position = {
        position: _synthetic_column(new_rows[:, position], dtype)
        for position, dtype in enumerate(dtypes)
    }
    frame = pd.DataFrame(by_position)
    frame.columns = columns
    return frame


def assemble_X(data: Data, plan):
    indices, n_new = plan.indices, plan.n_new
    raw = data.raw
    if data.x_kind == "dataframe":
        import pandas as pd

        if n_new == 0:
            return raw.iloc[indices]
        index = _new_index(raw.index, indices, n_new)
        new = _synthetic_frame(plan.new_rows, raw.columns, raw.dtypes)
        out = pd.concat([raw.iloc[indices], new], axis=0)
        out.index = index
        return out
    if data.x_kind == "sparse":
        out = raw[indices]
        if n_new:
            new = plan.new_rows
            new = new if sparse.issparse(new) else sparse.csr_matrix(new)
            out = sparse.vstack([out, _synthetic_values(new, raw.dtype)], format=raw.format)
        return out.asformat(data.sparse_format)
    if not n_new:
        out = raw.take(indices, axis=0)  # faster than take(..., out=)
        return out.tolist() if data.x_kind == "list" else out
    n_kept = len(indices)
    out = np.empty((n_kept + n_new, *data.shape[1:]), dtype=raw.dtype)
    if n_kept == len(raw) and np.array_equal(indices, np.arange(n_kept)):
        out[:n_kept] = raw  # SMOTE keeps every row: a plain copy
    else:
        out[:n_kept] = raw.take(indices, axis=0)
    if n_new:
        out[n_kept:] = _synthetic_values(plan.new_rows, raw.dtype).reshape(n_new, *data.shape[1:])
    return out.tolist() if data.x_kind == "list" else out


def assemble_y(data: Data, plan, X_res):
    labels = data.labels[plan.indices]
    if plan.n_new:
        labels = np.concatenate([labels, data.classes[plan.new_codes].astype(labels.dtype)])
    kind = data.y_kind
    if kind == "onehot":
        return _onehot(data, labels, plan, X_res)
    if kind in ("series", "dataframe"):
        import pandas as pd

        index = _y_index(data, plan, X_res)
        if kind == "series":
            return pd.Series(labels, index=index, name=data.y.name, dtype=data.y.dtype)
        return pd.DataFrame({data.y.columns[0]: labels}, index=index).astype(data.y.dtypes)
    if kind == "list":
        return labels.tolist()
    if kind == "column":
        return labels.reshape(-1, 1)
    return labels


def _y_index(data: Data, plan, X_res):
    """The index of a pandas ``y``: X_res's when X is a DataFrame, else by the same rule."""
    if data.x_kind == "dataframe":
        return X_res.index
    return _new_index(data.y.index, plan.indices, plan.n_new)


def _onehot(data: Data, columns: np.ndarray, plan, X_res):
    """Indicator rows for ``columns`` (each row's own column of the caller's matrix).

    The labels of a one-hot ``y`` are column positions, never re-numbered: a column no row
    uses (``to_categorical(y, num_classes=K)`` on a fold without some class) stays in place
    and stays empty, so every row keeps its own column.
    """
    n_columns = data.y_shape[1]
    matrix = columns[:, None] == np.arange(n_columns)
    if sparse.issparse(data.y):
        return sparse.csr_matrix(matrix.astype(data.y.dtype)).asformat(data.y.format)
    if not _is_dataframe(data.y):
        matrix = matrix.astype(np.asarray(data.y).dtype)
        return matrix.tolist() if isinstance(data.y, list | tuple) else matrix
    import pandas as pd

    frame = pd.DataFrame(dict(enumerate(matrix.T)), index=_y_index(data, plan, X_res))
    frame.columns = data.y.columns
    return frame.astype(data.y.dtypes.to_dict())


def assemble_weight(weight: np.ndarray, plan) -> np.ndarray:
    kept = weight[plan.indices]
    if not plan.n_new:
        return kept
    if plan.members is not None:  # a summary row: the mean weight of the rows it stands for
        rows, owner = plan.members() if callable(plan.members) else plan.members
        total = np.bincount(owner, weights=weight[rows], minlength=plan.n_new)
        mean = total / np.bincount(owner, minlength=plan.n_new)
        return np.concatenate([kept.astype(np.float64), mean])
    start = weight[plan.parent_a].astype(np.float64)
    end = weight[plan.parent_b].astype(np.float64)
    # a row extrapolated beyond its parents (SVMSMOTE's safe rows, gap < 0) keeps its
    # nearer parent's weight: a weight outside the parents' range could turn negative
    synthetic = start + np.clip(plan.gaps, 0.0, 1.0) * (end - start)
    return np.concatenate([kept.astype(np.float64), synthetic])
