"""Long-tailed multi-label data: a generator and a bundled image-tagging demo.

Public through :mod:`skbalance.datasets`. A multi-label target is an indicator matrix ``Y`` of
shape (n_samples, n_labels); it is *long-tailed* when its labels' positive counts fall from a
head label to a tail label as the classes of CIFAR-LT do. Both builders give every label
exactly ``long_tailed_class_counts(n_max, n_labels, imbalance_ratio=...)`` positive rows (head
first, ``n_max = round(max_positive_rate * n_samples)``), so the label rates are exact, not
drawn. Nothing is downloaded: the demo is assembled from scikit-learn's bundled digits.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["load_digits_multilabel", "make_long_tailed_multilabel"]


def _check_int(name: str, value, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r} of type {type(value).__name__}.")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"from {low} to {high}"
        raise ValueError(f"{name} must be an integer {allowed}; got {value!r}.")
    return int(value)


def _check_rate(max_positive_rate) -> float:
    if (
        isinstance(max_positive_rate, bool)
        or not isinstance(max_positive_rate, numbers.Real)
        or not 0.0 < max_positive_rate < 1.0
    ):
        raise ValueError(
            "max_positive_rate (the head label's fraction of positive rows) must be a number "
            f"in (0, 1), e.g. 0.4; got {max_positive_rate!r}."
        )
    return float(max_positive_rate)


def _label_counts(
    n_samples: int, n_labels: int, imbalance_ratio, profile: str, max_positive_rate: float
) -> list[int]:
    """Positive rows per label, head first; every label keeps at least one negative row."""
    from skbalance.datasets import long_tailed_class_counts

    head = math.floor(max_positive_rate * n_samples + 0.5)
    if not 1 <= head <= n_samples - 1:
        raise ValueError(
            f"max_positive_rate={max_positive_rate} of n_samples={n_samples} gives the head "
            f"label {head} positive rows; it needs at least 1 positive and 1 negative row. "
            "Raise n_samples or change max_positive_rate."
        )
    return long_tailed_class_counts(
        head, n_labels, imbalance_ratio=imbalance_ratio, profile=profile
    )


def make_long_tailed_multilabel(
    n_samples: int = 1000,
    n_features: int = 20,
    n_labels: int = 10,
    *,
    imbalance_ratio: float = 50,
    max_positive_rate: float = 0.4,
    profile: str = "exponential",
    separation: float = 3.0,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate a multi-label data set whose labels' positive rates follow a long tail.

    Label ``j`` (head first) has exactly ``counts[j]`` positive rows,
    ``counts = long_tailed_class_counts(round(max_positive_rate * n_samples), n_labels,
    imbalance_ratio=imbalance_ratio, profile=profile)``: label 0 is positive in about
    ``max_positive_rate`` of the rows, the last label ``imbalance_ratio`` times less often.
    Each label's positive rows are drawn uniformly and independently of the other labels'
    (so a row may have no label, or several).

    Features: ``X = noise + separation * Y @ directions``, Gaussian noise of unit variance
    plus, for every label a row has, a shift of length ``separation`` along that label's own
    random unit direction. Every label is informative in its own direction (linearly
    separable from its negatives up to the noise and the other labels' shifts); the classes
    are as hard as ``separation`` makes them, and the tail labels are rare.

    Generate one set and split it (``train_test_split``, or
    :class:`skbalance.model_selection.IterativeStratifiedKFold`): two calls with different
    seeds draw different label directions, i.e. two different problems.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of rows (>= 2).
    n_features : int, default=20
        Number of feature columns (>= 1).
    n_labels : int, default=10
        Number of labels (>= 2), the columns of ``Y``.
    imbalance_ratio : float, default=50
        Positive rows of the head label divided by those of the tail label (>= 1).
    max_positive_rate : float in (0, 1), default=0.4
        The head label's fraction of positive rows.
    profile : {"exponential", "step"}, default="exponential"
        How the counts fall from head to tail; see :func:`long_tailed_class_counts`.
    separation : float, default=3.0
        Length of each label's shift, in units of the noise's standard deviation (>= 0; 0
        makes the features pure noise).
    random_state : None, int or RandomState, default=None
        Fixes every draw (positive rows, directions, noise).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    Y : ndarray of shape (n_samples, n_labels), int64
        The label indicator matrix (0/1), head label first.

    Examples
    --------
    >>> from skbalance.datasets import make_long_tailed_multilabel
    >>> X, Y = make_long_tailed_multilabel(1000, 20, 5, imbalance_ratio=50, random_state=0)
    >>> X.shape, Y.shape
    ((1000, 20), (1000, 5))
    >>> Y.sum(axis=0).tolist()
    [400, 150, 56, 21, 8]
    """
    n_samples = _check_int("n_samples", n_samples, 2)
    n_features = _check_int("n_features", n_features, 1)
    n_labels = _check_int("n_labels", n_labels, 2)
    max_positive_rate = _check_rate(max_positive_rate)
    if (
        isinstance(separation, bool)
        or not isinstance(separation, numbers.Real)
        or not math.isfinite(separation)
        or separation < 0
    ):
        raise ValueError(f"separation must be a finite number >= 0; got {separation!r}.")
    counts = _label_counts(n_samples, n_labels, imbalance_ratio, profile, max_positive_rate)

    rng = check_random_state(random_state)
    Y = np.zeros((n_samples, n_labels), dtype=np.int64)
    for label, count in enumerate(counts):
        Y[rng.choice(n_samples, size=count, replace=False), label] = 1
    directions = rng.normal(size=(n_labels, n_features))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    X = rng.normal(size=(n_samples, n_features)) + float(separation) * (Y @ directions)
    return X, Y


def _assign_labels(n_rows: int, counts: list[int], n_slots: int, rng) -> np.ndarray:
    """Indicator matrix with ``counts[d]`` positives of digit ``d`` and at most ``n_slots``
    digits per row: each digit's rows are drawn uniformly among the rows with a free slot."""
    Y = np.zeros((n_rows, len(counts)), dtype=np.int64)
    for digit, count in enumerate(counts):
        free = np.flatnonzero(Y.sum(axis=1) < n_slots)
        if len(free) < count:
            raise ValueError(
                f"digit {digit} needs {count} rows but only {len(free)} have a free slot "
                f"(n_slots={n_slots}); raise n_slots or lower max_positive_rate."
            )
        Y[rng.choice(free, size=count, replace=False), digit] = 1
    return Y


def _render(Y: np.ndarray, images: np.ndarray, targets: np.ndarray, n_slots: int, rng):
    """One ``8 x (8 * n_slots)`` picture per row: each of its digits, drawn from ``images`` of
    that digit, in its own random slot; the other slots are blank."""
    pictures = np.zeros((len(Y), 8, 8 * n_slots), dtype=np.float64)
    pools = [np.flatnonzero(targets == digit) for digit in range(Y.shape[1])]
    for row, labels in enumerate(Y):
        digits = np.flatnonzero(labels)
        slots = rng.choice(n_slots, size=len(digits), replace=False)
        for digit, slot in zip(digits, slots, strict=True):
            image = images[rng.choice(pools[digit])]
            pictures[row, :, 8 * slot : 8 * slot + 8] = image
    return pictures


def load_digits_multilabel(
    imbalance_ratio: float = 20,
    *,
    n_train: int = 1500,
    n_test: int = 500,
    max_positive_rate: float = 0.4,
    n_slots: int = 4,
    profile: str = "exponential",
    scale: bool = True,
    as_images: bool = False,
    random_state=0,
):
    """A long-tailed multi-label image-tagging demo built from scikit-learn's digits.

    Each picture is a strip of ``n_slots`` cells of 8x8 pixels; a cell is blank or holds one
    handwritten digit, and the labels say *which digits appear* (``Y[i, d] == 1`` when digit
    ``d`` is in picture ``i``): a multi-label task, like tagging the objects in a photo. The
    digits' frequencies follow a long tail, digit 0 the head and digit 9 the tail: digit ``d``
    appears in exactly ``counts[d]`` pictures, ``counts = long_tailed_class_counts(
    round(max_positive_rate * n), 10, imbalance_ratio=...)`` for each split of ``n`` rows.

    The 1,797 digit images are split first (a random third of each digit's images for the
    test set, stratified), so no handwritten image is seen in both sets. Then, per split, the
    pictures' label sets are drawn (each digit's pictures uniformly among those with a free
    cell, so a picture may hold no digit or several; the same digit never twice) and every
    digit is drawn from that split's images and put in a random free cell. The data ships
    with scikit-learn; nothing is downloaded.

    Parameters
    ----------
    imbalance_ratio : float, default=20
        Pictures with digit 0 divided by pictures with digit 9, in each split (>= 1).
    n_train, n_test : int, default=1500 and 500
        Pictures in the training and test sets (n_train >= 2; n_test 0 gives an empty test set).
    max_positive_rate : float in (0, 1), default=0.4
        Fraction of the pictures that contain digit 0 (the head).
    n_slots : int, default=4
        Cells per picture (1 to 10): the most digits one picture can hold.
    profile : {"exponential", "step"}, default="exponential"
        See :func:`long_tailed_class_counts`.
    scale : bool, default=True
        Divide the pixel values (0..16) by 16, so features lie in [0, 1].
    as_images : bool, default=False
        Return ``X`` as images of shape ``(n, 8, 8 * n_slots, 1)`` (for a convolutional
        network) instead of flat rows of ``64 * n_slots`` pixels.
    random_state : None, int or RandomState, default=0
        Fixes every draw (image split, label sets, images, cells).

    Returns
    -------
    X_train, X_test, Y_train, Y_test : ndarrays
        In :func:`sklearn.model_selection.train_test_split` order. ``Y_*`` are int 0/1 label
        indicator matrices of shape ``(n, 10)``, column ``d`` for digit ``d``.

    Examples
    --------
    >>> from skbalance.datasets import load_digits_multilabel
    >>> X_train, X_test, Y_train, Y_test = load_digits_multilabel(imbalance_ratio=20)
    >>> X_train.shape, Y_train.shape, X_test.shape
    ((1500, 256), (1500, 10), (500, 256))
    >>> Y_train.sum(axis=0).tolist()
    [600, 430, 308, 221, 158, 113, 81, 58, 41, 30]
    >>> Y_test.sum(axis=0).tolist()
    [200, 143, 102, 73, 52, 37, 27, 19, 13, 10]
    """
    from sklearn.datasets import load_digits

    n_train = _check_int("n_train", n_train, 2)
    n_test = _check_int("n_test", n_test, 0)
    n_slots = _check_int("n_slots", n_slots, 1, 10)
    max_positive_rate = _check_rate(max_positive_rate)
    train_counts = _label_counts(n_train, 10, imbalance_ratio, profile, max_positive_rate)
    test_counts = (
        _label_counts(n_test, 10, imbalance_ratio, profile, max_positive_rate) if n_test else []
    )

    rng = check_random_state(random_state)
    digits = load_digits()
    images, targets = digits.images, digits.target
    if scale:
        images = images / 16.0
    is_test = np.zeros(len(targets), dtype=bool)
    for digit in range(10):
        rows = np.flatnonzero(targets == digit)
        is_test[rng.choice(rows, size=len(rows) // 3, replace=False)] = True

    splits = []
    for n_rows, counts, in_split in (
        (n_train, train_counts, ~is_test),
        (n_test, test_counts, is_test),
    ):
        if n_rows == 0:
            Y = np.zeros((0, 10), dtype=np.int64)
        else:
            Y = _assign_labels(n_rows, counts, n_slots, rng)
        X = _render(Y, images[in_split], targets[in_split], n_slots, rng)
        # The width, not -1: an empty test set (n_test=0) has no size to infer it from.
        X = X[..., np.newaxis] if as_images else X.reshape(len(X), int(np.prod(X.shape[1:])))
        splits.append((X, Y))
    (X_train, Y_train), (X_test, Y_test) = splits
    return X_train, X_test, Y_train, Y_test
