"""Long-tailed versions of balanced data sets, and the bundled demo data.

The long-tailed construction is the one used for CIFAR-10-LT / CIFAR-100-LT (Cui et al. 2019,
Cao et al. 2019): class ``i`` of ``k`` (head first) keeps ``n_max * ratio ** (-i / (k - 1))``
rows ("exponential" profile), or the first half of the classes keep ``n_max`` rows and the
second half ``n_max / ratio`` ("step" profile). Everything here reads data that ships inside an
installed package (scikit-learn's digits): nothing is downloaded.

Multi-label data (an indicator matrix ``Y`` whose labels' positive counts follow the same long
tail): :func:`make_long_tailed_multilabel` generates it, :func:`load_digits_multilabel` builds
an image-tagging demo from the digits (both in :mod:`skbalance._datasets_multilabel`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
from sklearn.utils import _safe_indexing, check_random_state

from skbalance._labels import encode_labels

__all__ = [
    "long_tailed_class_counts",
    "make_long_tailed",
    "load_digits_long_tailed",
    "make_long_tailed_multilabel",
    "load_digits_multilabel",
]

_PROFILES = ("exponential", "step")


def _check_ratio(imbalance_ratio) -> float:
    if isinstance(imbalance_ratio, bool) or not isinstance(imbalance_ratio, numbers.Real):
        raise TypeError(
            f"imbalance_ratio must be a number >= 1 (head count / tail count); "
            f"got {imbalance_ratio!r} of type {type(imbalance_ratio).__name__}."
        )
    if not math.isfinite(imbalance_ratio) or imbalance_ratio < 1:
        raise ValueError(
            f"imbalance_ratio must be a finite number >= 1 (head count / tail count, e.g. 50); "
            f"got {imbalance_ratio!r}."
        )
    return float(imbalance_ratio)


def long_tailed_class_counts(
    max_per_class: int, n_classes: int, *, imbalance_ratio: float, profile: str = "exponential"
) -> list[int]:
    """Return the number of rows each class keeps, head class first.

    Parameters
    ----------
    max_per_class : int
        Rows kept by the head class (``n_max``).
    n_classes : int
        Number of classes ``k`` (at least 2).
    imbalance_ratio : float
        Head count divided by tail count (>= 1).
    profile : {"exponential", "step"}, default="exponential"
        ``"exponential"``: class ``i`` keeps ``floor(n_max * ratio ** (-i / (k - 1)))`` rows.
        ``"step"``: the first ``k - k // 2`` classes keep ``n_max`` rows, the last ``k // 2``
        keep ``floor(n_max / ratio)``. Every class keeps at least one row.

    Returns
    -------
    counts : list of int
        ``counts[i]`` rows for the ``i``-th class of the order (head first).

    Examples
    --------
    >>> long_tailed_class_counts(100, 5, imbalance_ratio=100)
    [100, 31, 10, 3, 1]
    >>> long_tailed_class_counts(100, 4, imbalance_ratio=10, profile="step")
    [100, 100, 10, 10]
    """
    ratio = _check_ratio(imbalance_ratio)
    if profile not in _PROFILES:
        raise ValueError(f"profile must be one of {_PROFILES}; got {profile!r}.")
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2; got {n_classes!r}.")
    if (
        isinstance(max_per_class, bool)
        or not isinstance(max_per_class, numbers.Integral)
        or max_per_class < 1
    ):
        raise ValueError(f"max_per_class must be a positive integer; got {max_per_class!r}.")
    # The small epsilon keeps exact products such as 100 * 10**-1 from flooring to 9.
    if profile == "exponential":
        fractions = [ratio ** (-i / (n_classes - 1)) for i in range(n_classes)]
    else:
        n_head = n_classes - n_classes // 2
        fractions = [1.0] * n_head + [1.0 / ratio] * (n_classes - n_head)
    return [max(1, math.floor(max_per_class * f + 1e-9)) for f in fractions]


def make_long_tailed(
    X,
    y,
    *,
    imbalance_ratio: float,
    profile: str = "exponential",
    class_order: Sequence | None = None,
    max_per_class: int | None = None,
    random_state=None,
    return_indices: bool = False,
):
    """Subsample a data set so that its class sizes follow a long-tailed profile.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Rows to subsample: an ndarray of any rank (tabular, images), a DataFrame (the index
        and dtypes are kept) or a scipy sparse matrix.
    y : array-like of shape (n_samples,)
        Labels of any type (ints, strings).
    imbalance_ratio : float
        Rows of the head class divided by rows of the tail class (>= 1), e.g. 50 or 100.
    profile : {"exponential", "step"}, default="exponential"
        How the counts fall from head to tail; see :func:`long_tailed_class_counts`.
    class_order : sequence of labels, default=None
        Which class gets which count: the first label is the head (``max_per_class`` rows), the
        last the tail. None uses the sorted labels (``classes_`` order), as CIFAR-LT does with
        class indices. When given, it must list every class of ``y`` exactly once.
    max_per_class : int, default=None
        Rows kept by the head class. None uses the size of the smallest class in ``y``, so that
        every class has enough rows whatever its position.
    random_state : None, int or RandomState, default=None
        Which rows of each class are kept.
    return_indices : bool, default=False
        Also return the (sorted) row positions kept, so that ``X_lt == X[indices]``.

    Returns
    -------
    X_lt, y_lt : subsets of ``X`` and ``y``, in their original row order and container type.
    indices : ndarray of int, only if ``return_indices`` is True.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.datasets import make_long_tailed
    >>> X, y = np.zeros((300, 2)), np.repeat(["a", "b", "c"], 100)
    >>> X_lt, y_lt = make_long_tailed(X, y, imbalance_ratio=10, random_state=0)
    >>> {str(c): int(n) for c, n in zip(*np.unique(y_lt, return_counts=True))}
    {'a': 100, 'b': 31, 'c': 10}
    >>> _, y_lt = make_long_tailed(X, y, imbalance_ratio=10, class_order=["c", "b", "a"])
    >>> {str(c): int(n) for c, n in zip(*np.unique(y_lt, return_counts=True))}
    {'a': 10, 'b': 31, 'c': 100}
    """
    classes, codes = encode_labels(y)
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows != codes.shape[0]:
        raise ValueError(
            f"X and y must have the same number of rows; got {n_rows} rows in X and "
            f"{codes.shape[0]} labels in y."
        )
    if len(classes) < 2:
        raise ValueError(
            f"y must contain at least 2 classes to make a long tail; got only {classes.tolist()}."
        )
    class_counts = np.bincount(codes, minlength=len(classes))

    if class_order is None:
        order = np.arange(len(classes))
    else:
        order_labels = list(class_order)
        position = {label: i for i, label in enumerate(classes.tolist())}
        unknown = [label for label in order_labels if label not in position]
        if unknown or len(order_labels) != len(classes) or len(set(order_labels)) != len(classes):
            raise ValueError(
                f"class_order must list every class of y exactly once (head first); got "
                f"{order_labels!r}, the classes are {classes.tolist()!r}."
            )
        order = np.array([position[label] for label in order_labels], dtype=np.intp)

    if max_per_class is None:
        max_per_class = int(class_counts.min())
    targets = long_tailed_class_counts(
        max_per_class, len(classes), imbalance_ratio=imbalance_ratio, profile=profile
    )
    for class_index, target in zip(order, targets, strict=True):
        if class_counts[class_index] < target:
            label = classes.tolist()[class_index]
            raise ValueError(
                f"class {label!r} has {class_counts[class_index]} rows but its "
                f"place in the long tail needs {target}; lower max_per_class (at most "
                f"{int(class_counts.min())} always works) or change class_order."
            )

    rng = check_random_state(random_state)
    kept = [
        rng.choice(np.flatnonzero(codes == class_index), size=target, replace=False)
        for class_index, target in zip(order, targets, strict=True)
    ]
    indices = np.sort(np.concatenate(kept))
    X_lt = _safe_indexing(X, indices)
    y_lt = _safe_indexing(y if hasattr(y, "iloc") else np.asarray(y), indices)
    if return_indices:
        return X_lt, y_lt, indices
    return X_lt, y_lt


def load_digits_long_tailed(
    imbalance_ratio: float = 50,
    *,
    profile: str = "exponential",
    n_test_per_class: int = 50,
    scale: bool = True,
    random_state=0,
):
    """Load scikit-learn's digits as a long-tailed training set and a balanced test set.

    The test set is drawn first (``n_test_per_class`` rows of every digit, so plain accuracy on
    it equals balanced accuracy); the remaining rows are made long-tailed with
    :func:`make_long_tailed`: digit 0 is the head, digit 9 the tail, and the head keeps as many
    rows as the smallest digit has left (124 with the defaults). The data ships with
    scikit-learn; nothing is downloaded.

    The test rows depend only on ``random_state`` and ``n_test_per_class``, not on
    ``imbalance_ratio`` or ``profile``: calls with the same seed and different ratios share the
    same test set (so ``imbalance_ratio=1`` gives a balanced training pool disjoint from it).

    Parameters
    ----------
    imbalance_ratio : float, default=50
        Rows of digit 0 divided by rows of digit 9 in the training set.
    profile : {"exponential", "step"}, default="exponential"
        See :func:`long_tailed_class_counts`.
    n_test_per_class : int, default=50
        Rows of each digit held out for the balanced test set (0 gives an empty test set and
        uses every row for the long-tailed set).
    scale : bool, default=True
        Divide the pixel values (0..16) by 16, so features lie in [0, 1] as a neural network
        likes them.
    random_state : None, int or RandomState, default=0
        Which rows go to the test set and which are kept in the tail.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarrays
        In :func:`sklearn.model_selection.train_test_split` order. ``X_*`` have 64 float
        columns, ``y_*`` are the digits as int.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.datasets import load_digits_long_tailed
    >>> X_train, X_test, y_train, y_test = load_digits_long_tailed(imbalance_ratio=50)
    >>> np.bincount(y_train).tolist()
    [124, 80, 51, 33, 21, 14, 9, 5, 3, 2]
    >>> np.bincount(y_test).tolist()
    [50, 50, 50, 50, 50, 50, 50, 50, 50, 50]
    """
    from sklearn.datasets import load_digits

    if (
        isinstance(n_test_per_class, bool)
        or not isinstance(n_test_per_class, numbers.Integral)
        or not 0 <= n_test_per_class < 170
    ):
        raise ValueError(
            "n_test_per_class must be an integer from 0 to 169 (every digit has at least 174 "
            f"rows and the training set needs some); got {n_test_per_class!r}."
        )
    _check_ratio(imbalance_ratio)
    rng = check_random_state(random_state)
    digits = load_digits()
    X, y = digits.data, digits.target
    if scale:
        X = X / 16.0

    test_rows = np.concatenate(
        [
            rng.choice(np.flatnonzero(y == digit), n_test_per_class, replace=False)
            for digit in range(10)
        ]
    ).astype(np.intp)
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test_rows] = True
    train_rows = np.flatnonzero(~is_test)
    X_train, y_train = make_long_tailed(
        X[train_rows],
        y[train_rows],
        imbalance_ratio=imbalance_ratio,
        profile=profile,
        random_state=rng,
    )
    test_rows = np.sort(test_rows)
    return X_train, X[test_rows], y_train, y[test_rows]


# Defined in their own module (one concept: multi-label data), public here.
from skbalance._datasets_multilabel import (  # noqa: E402
    load_digits_multilabel,
    make_long_tailed_multilabel,
)
