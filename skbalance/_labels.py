"""Label handling shared by every part of skbalance.

One home for turning the user's labels (ints, strings, objects, a pandas Series) into
``classes`` + integer codes, so weights, resamplers and the Keras classifier agree on the
class order: the sorted unique labels, as scikit-learn's ``classes_``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_label_array", "encode_labels"]


def as_label_array(y, *, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D NumPy array without modifying the caller's object.

    A column vector ``(n, 1)`` is accepted and flattened (it is what ``df[["target"]]`` gives);
    anything else that is not one-dimensional is a ``ValueError``.
    """
    if y is None:
        raise ValueError(f"{name} is None; pass one label per row (a 1-D array or Series).")
    labels = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one label per row); got an array of shape {labels.shape}. "
            "Multi-label and multi-output targets are not supported."
        )
    if labels.dtype.kind == "f" and np.isinf(labels).any():
        raise ValueError(
            f"{name} contains infinity (first in row {int(np.argmax(np.isinf(labels)))}); "
            "every row needs a finite label."
        )
    missing = _missing(labels)
    if missing is not None and missing.any():
        raise ValueError(
            f"{name} contains a missing label (None, NaN, NaT or pd.NA; first in row "
            f"{int(np.argmax(missing))}); every row needs a label."
        )
    return labels


def _missing(labels: np.ndarray) -> np.ndarray | None:
    """Which labels are missing (NaN, NaT, None, pd.NA), for every dtype.

    Without this, NaT became a class of its own and None/NaN/pd.NA among strings or in a
    nullable or categorical Series gave a misleading "mixes label types" error.
    """
    if labels.dtype.kind == "f":
        return np.isnan(labels)
    if labels.dtype.kind in "mM":
        return np.isnat(labels)
    if labels.dtype.kind == "O":
        import pandas as pd

        return np.asarray(pd.isna(labels), dtype=bool)
    return None


def encode_labels(y, *, name: str = "y", compact: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(classes, codes)``: sorted unique labels and each row's index into them.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The labels, of any orderable type.
    name : str, default="y"
        What to call ``y`` in error messages.
    compact : bool, default=False
        Return the codes in the smallest unsigned integer type that holds them (``uint8`` for
        up to 256 classes): an 8x smaller array for callers that only index and compare with
        it, such as resamplers redrawn every epoch. ``False`` gives ``np.intp`` codes.

    Examples
    --------
    >>> classes, codes = encode_labels(["buy", "don't buy", "buy"])
    >>> classes.tolist(), codes.tolist()
    (['buy', "don't buy"], [0, 1, 0])
    """
    labels = as_label_array(y, name=name)
    code_dtype = _smallest_uint if compact else (lambda n_classes: np.intp)
    # Fast paths: np.unique(return_inverse=True) argsorts all rows; on 10^6 labels a lookup
    # table (small non-negative ints) or unique + binary search is ~10x faster and leaner.
    if labels.dtype.kind in "iu" and len(labels):
        if labels.min() >= 0 and labels.max() < 2**16:
            present = np.bincount(labels.astype(np.intp, copy=False)) > 0
            table = (np.cumsum(present) - 1).astype(code_dtype(int(present.sum())))
            return np.flatnonzero(present).astype(labels.dtype), table[labels]
    if labels.dtype.kind in "biufUSM":
        classes = np.unique(labels)
        codes = np.searchsorted(classes, labels)
        return classes, codes.astype(code_dtype(len(classes)), copy=False)
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:  # e.g. a mix of str and int in an object array
        raise ValueError(
            f"{name} mixes label types that cannot be ordered ({exc}); "
            "use labels of one type (all strings or all numbers)."
        ) from None
    return classes, codes.reshape(-1).astype(code_dtype(len(classes)), copy=False)


def _smallest_uint(n_classes: int):
    return np.uint8 if n_classes <= 2**8 else np.uint16 if n_classes <= 2**16 else np.intp
