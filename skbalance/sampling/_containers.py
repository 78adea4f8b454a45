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

__all__ = ["Data", "read", "check_finite", "assemble_X", "assemble_y", "assemble_weight"]


def _is_dataframe(obj) -> bool:
    return hasattr(obj, "iloc") and hasattr(obj, "columns")


def _is_series(obj) -> bool:
    return hasattr(obj, "iloc") and not hasattr(obj, "columns")


@dataclass
class Data:
    raw: object  # ndarray, sparse (indexable format) or DataFrame
    x_kind: str  # "ndarray" | "list" | "sparse" | "dataframe"
    shape: tuple
    sparse_format: str | None
    y: object  # the caller's y, untouched
    y_kind: str  # "ndarray" | "list" | "series" | "dataframe" | "onehot"
    labels: np.ndarray
    classes: np.ndarray
    codes: np.ndarray
    sample_weight: np.ndarray | None
    sampler_name: str = "this sampler"

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
        """X as a 2-D numeric matrix (rows flattened; float32 kept, other numbers float64)."""
        if self.x_kind == "sparse":
            matrix = self.raw.tocsr()
        elif self.x_kind == "dataframe":
            matrix = self.raw.to_numpy()
        else:
            matrix = self.raw.reshape(self.shape[0], -1)
        if matrix.dtype.kind not in "fiub":
            try:  # object arrays of numbers are fine
                matrix = matrix.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise TypeError(
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
    labels, y_kind = _read_y(y)
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
        raw, x_kind, shape, sparse_format, y, y_kind, labels, classes, codes, weight, sampler_name
    )


def _read_y(y) -> tuple[np.ndarray, str]:
    if _is_dataframe(y) and y.shape[1] == 1:
        return as_label_array(y.iloc[:, 0]), "dataframe"
    if _is_series(y):
        return as_label_array(y), "series"
    values = y.to_numpy() if _is_dataframe(y) else np.asarray(y) if y is not None else None
    if values is not None and values.ndim == 2 and values.shape[1] > 1:
        is_binary = values.dtype.kind in "biuf" and np.isin(values, (0, 1)).all()
        if not (is_binary and (values.sum(axis=1) == 1).all()):
            raise ValueError(
                "Multilabel and multioutput targets are not supported: y must hold one label "
                f"per row (or be one-hot, exactly one 1 per row); got shape {values.shape}."
            )
        return values.argmax(axis=1), "onehot"
    labels = as_label_array(y)
    if labels.dtype.kind == "f" and np.any(labels != np.floor(labels)):
        raise ValueError(
            "Unknown label type: continuous. y holds non-integer numbers; resamplers need "
            "class labels (integers, strings or other discrete values)."
        )
    if labels.dtype.kind == "c":
        raise ValueError("Unknown label type: complex numbers cannot be class labels.")
    return labels, "list" if isinstance(y, list | tuple) else "ndarray"


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
    if sparse.issparse(new_rows):
        return new_rows.astype(dtype) if dtype.kind in "fc" else new_rows
    if dtype.kind in "iub":
        new_rows = np.rint(new_rows)  # integer features: round rather than truncate
    return new_rows.astype(dtype, copy=False)


def assemble_X(data: Data, plan):
    indices, n_new = plan.indices, plan.n_new
    raw = data.raw
    if data.x_kind == "dataframe":
        import pandas as pd

        if n_new == 0:
            return raw.iloc[indices]
        index = _new_index(raw.index, indices, n_new)
        new = pd.DataFrame(np.asarray(plan.new_rows), columns=raw.columns)
        new = new.astype(raw.dtypes.to_dict())
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
        codes = np.searchsorted(data.classes, labels)
        return (codes[:, None] == np.arange(np.asarray(data.y).shape[1])).astype(
            np.asarray(data.y).dtype
        )
    if kind in ("series", "dataframe"):
        import pandas as pd

        if data.x_kind == "dataframe":
            index = X_res.index
        else:
            index = _new_index(data.y.index, plan.indices, plan.n_new)
        if kind == "series":
            return pd.Series(labels, index=index, name=data.y.name, dtype=data.y.dtype)
        return pd.DataFrame({data.y.columns[0]: labels}, index=index).astype(data.y.dtypes)
    if kind == "list":
        return labels.tolist()
    if np.ndim(data.y) == 2:
        return labels.reshape(-1, 1)
    return labels


def assemble_weight(weight: np.ndarray, plan) -> np.ndarray:
    kept = weight[plan.indices]
    if not plan.n_new:
        return kept
    start = weight[plan.parent_a].astype(np.float64)
    end = weight[plan.parent_b].astype(np.float64)
    synthetic = start + plan.gaps * (end - start)
    return np.concatenate([kept.astype(np.float64), synthetic])
