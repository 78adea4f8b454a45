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
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError(f"{name} contains NaN or infinity; every row needs a finite label.")
    if labels.dtype.kind == "O" and any(label is None for label in labels):
        raise ValueError(f"{name} contains None; every row needs a label.")
    return labels


def encode_labels(y, *, name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """Return ``(classes, codes)``: sorted unique labels and each row's index into them.

    Examples
    --------
    >>> classes, codes = encode_labels(["buy", "don't buy", "buy"])
    >>> classes.tolist(), codes.tolist()
    (['buy', "don't buy"], [0, 1, 0])
    """
    labels = as_label_array(y, name=name)
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError as exc:  # e.g. a mix of str and int in an object array
        raise ValueError(
            f"{name} mixes label types that cannot be ordered ({exc}); "
            "use labels of one type (all strings or all numbers)."
        ) from None
    return classes, codes.reshape(-1).astype(np.intp, copy=False)
