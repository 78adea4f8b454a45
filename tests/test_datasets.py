"""skbalance.datasets: exact long-tail counts, containers kept, balanced digits test set."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from skbalance.datasets import (
    load_digits_long_tailed,
    load_digits_multilabel,
    long_tailed_class_counts,
    make_long_tailed,
    make_long_tailed_multilabel,
)


def reference_counts(n_max, k, ratio, profile):
    """CIFAR-LT (Cao et al. 2019, LDAM-DRW code), written independently of the library."""
    if profile == "exponential":
        return [max(1, int(n_max * (1.0 / ratio) ** (i / (k - 1)) + 1e-9)) for i in range(k)]
    n_tail = k // 2
    return [n_max] * (k - n_tail) + [max(1, int(n_max / ratio + 1e-9))] * n_tail


@given(
    n_max=st.integers(1, 500),
    k=st.integers(2, 12),
    ratio=st.floats(1, 500),
    profile=st.sampled_from(["exponential", "step"]),
)
def test_counts_follow_the_cifar_lt_formula(n_max, k, ratio, profile):
    counts = long_tailed_class_counts(n_max, k, imbalance_ratio=ratio, profile=profile)
    assert counts == reference_counts(n_max, k, ratio, profile)
    assert counts[0] == n_max
    assert counts == sorted(counts, reverse=True)
    assert all(c >= 1 for c in counts)


def test_known_counts():
    assert long_tailed_class_counts(5000, 10, imbalance_ratio=100) == [
        5000,
        2997,
        1796,
        1077,
        645,
        387,
        232,
        139,
        83,
        50,
    ]  # CIFAR-10-LT, ratio 100
    assert long_tailed_class_counts(100, 3, imbalance_ratio=10, profile="step") == [100, 100, 10]


@given(
    sizes=st.lists(st.integers(5, 40), min_size=2, max_size=6),
    ratio=st.floats(1, 30),
    profile=st.sampled_from(["exponential", "step"]),
    seed=st.integers(0, 2**16),
)
def test_make_long_tailed_exact_counts_per_class(sizes, ratio, profile, seed):
    labels = [f"class_{i}" for i in range(len(sizes))]
    y = np.repeat(labels, sizes)
    X = np.arange(len(y) * 2).reshape(-1, 2)
    X_lt, y_lt, idx = make_long_tailed(
        X, y, imbalance_ratio=ratio, profile=profile, random_state=seed, return_indices=True
    )
    expected = reference_counts(min(sizes), len(sizes), ratio, profile)
    got = [int(np.sum(y_lt == label)) for label in labels]
    assert got == expected
    np.testing.assert_array_equal(X_lt, X[idx])
    np.testing.assert_array_equal(y_lt, y[idx])
    assert np.all(np.diff(idx) > 0)  # original row order, no duplicates


def test_class_order_decides_who_is_head_and_tail():
    y = np.repeat([0, 1, 2, 3], 100)
    X = np.zeros((400, 1))
    _, y_lt = make_long_tailed(X, y, imbalance_ratio=8, class_order=[2, 0, 3, 1], random_state=0)
    assert np.bincount(y_lt).tolist() == [50, 12, 100, 25]


def test_max_per_class_and_error_when_a_class_is_too_small():
    y = np.repeat(["a", "b"], [100, 30])
    X = np.zeros((130, 1))
    _, y_lt = make_long_tailed(X, y, imbalance_ratio=10, max_per_class=80)
    assert (y_lt == "a").sum() == 80 and (y_lt == "b").sum() == 8
    with pytest.raises(ValueError, match=r"class 'a' has 100 rows but .* needs 120"):
        make_long_tailed(X, y, imbalance_ratio=10, max_per_class=120)
    with pytest.raises(ValueError, match=r"class 'b' has 30 rows but .* needs 80"):
        make_long_tailed(X, y, imbalance_ratio=1, max_per_class=80)


def test_same_seed_same_rows_and_inputs_untouched():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(200, 3)), np.repeat([0, 1, 2, 3], 50)
    X_copy, y_copy = X.copy(), y.copy()
    a = make_long_tailed(X, y, imbalance_ratio=5, random_state=3, return_indices=True)[2]
    b = make_long_tailed(X, y, imbalance_ratio=5, random_state=3, return_indices=True)[2]
    c = make_long_tailed(X, y, imbalance_ratio=5, random_state=4, return_indices=True)[2]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_containers_are_kept():
    frame = pd.DataFrame(
        {"size": np.arange(60.0), "city": ["x", "y", "z"] * 20}, index=np.arange(100, 160)
    )
    target = pd.Series(np.repeat(["buy", "wait"], 30), index=frame.index, name="decision")
    X_lt, y_lt = make_long_tailed(frame, target, imbalance_ratio=3, random_state=0)
    assert isinstance(X_lt, pd.DataFrame) and isinstance(y_lt, pd.Series)
    assert list(X_lt.columns) == ["size", "city"] and X_lt.dtypes["city"] == frame.dtypes["city"]
    assert X_lt.index.equals(y_lt.index)
    assert y_lt.value_counts().to_dict() == {"buy": 30, "wait": 10}

    images = np.arange(40 * 4 * 4 * 3, dtype=np.float32).reshape(40, 4, 4, 3)
    X_img, _ = make_long_tailed(images, np.repeat([0, 1], 20), imbalance_ratio=4)
    assert X_img.shape == (25, 4, 4, 3) and X_img.dtype == np.float32

    X_sparse, _ = make_long_tailed(
        sp.csr_matrix(np.eye(40)), np.repeat([0, 1], 20), imbalance_ratio=4
    )
    assert sp.issparse(X_sparse) and X_sparse.shape == (25, 40)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"imbalance_ratio": 0.5}, ValueError, "imbalance_ratio must be a finite number >= 1"),
        ({"imbalance_ratio": float("inf")}, ValueError, "imbalance_ratio must be a finite"),
        ({"imbalance_ratio": "10"}, TypeError, "imbalance_ratio must be a number"),
        ({"imbalance_ratio": 10, "profile": "linear"}, ValueError, "profile must be one of"),
        ({"imbalance_ratio": 10, "class_order": [0, 1]}, ValueError, "every class of y exactly"),
        ({"imbalance_ratio": 10, "class_order": [0, 1, 1]}, ValueError, "exactly once"),
        ({"imbalance_ratio": 10, "class_order": [0, 1, 7]}, ValueError, r"classes are \[0, 1, 2\]"),
        ({"imbalance_ratio": 10, "max_per_class": 0}, ValueError, "max_per_class must be a posi"),
    ],
)
def test_bad_arguments(kwargs, error, message):
    X, y = np.zeros((30, 1)), np.repeat([0, 1, 2], 10)
    with pytest.raises(error, match=message):
        make_long_tailed(X, y, **kwargs)


def test_bad_data():
    with pytest.raises(ValueError, match="at least 2 classes"):
        make_long_tailed(np.zeros((5, 1)), [1] * 5, imbalance_ratio=2)
    with pytest.raises(ValueError, match="got 5 rows in X and 4 labels"):
        make_long_tailed(np.zeros((5, 1)), [0, 1, 0, 1], imbalance_ratio=2)


def test_digits_long_tailed_train_and_balanced_test():
    X_train, X_test, y_train, y_test = load_digits_long_tailed(imbalance_ratio=50)
    expected = [math.floor(124 * 50 ** (-i / 9) + 1e-9) for i in range(10)]
    assert np.bincount(y_train).tolist() == expected
    assert np.bincount(y_test).tolist() == [50] * 10
    assert X_train.shape == (sum(expected), 64) and X_test.shape == (500, 64)
    assert X_train.min() >= 0 and X_train.max() <= 1
    # train and test never share a row: every image of digits is distinct enough to check
    train_rows = {row.tobytes() for row in X_train}
    assert not any(row.tobytes() in train_rows for row in X_test)

    X_raw, _, y_step, _ = load_digits_long_tailed(
        10, profile="step", scale=False, n_test_per_class=0
    )
    assert np.bincount(y_step).tolist() == [174] * 5 + [17] * 5
    assert X_raw.max() == 16

    again = load_digits_long_tailed(imbalance_ratio=50)
    np.testing.assert_array_equal(again[0], X_train)
    # The test set depends on the seed only: other ratios share it (documented contract).
    X_pool, X_test_1, y_pool, _ = load_digits_long_tailed(imbalance_ratio=1, profile="step")
    np.testing.assert_array_equal(X_test_1, X_test)
    assert np.bincount(y_pool).tolist() == [124] * 10
    assert not {row.tobytes() for row in X_pool} & {row.tobytes() for row in X_test}
    with pytest.raises(ValueError, match="n_test_per_class must be an integer from 0 to 169"):
        load_digits_long_tailed(n_test_per_class=200)


# ------------------------------------------------------------------------------------------
# Multi-label: make_long_tailed_multilabel and load_digits_multilabel.
# ------------------------------------------------------------------------------------------


def reference_label_counts(n, n_labels, ratio, profile, rate):
    """Each label's positives: the CIFAR-LT counts with the head at round(rate * n)."""
    return reference_counts(math.floor(rate * n + 0.5), n_labels, ratio, profile)


@given(
    n=st.integers(20, 400),
    n_labels=st.integers(2, 8),
    ratio=st.floats(1, 200),
    profile=st.sampled_from(["exponential", "step"]),
    rate=st.floats(0.05, 0.9),
    seed=st.integers(0, 2**16),
)
def test_multilabel_label_counts_are_exact(n, n_labels, ratio, profile, rate, seed):
    X, Y = make_long_tailed_multilabel(
        n,
        3,
        n_labels,
        imbalance_ratio=ratio,
        profile=profile,
        max_positive_rate=rate,
        random_state=seed,
    )
    assert X.shape == (n, 3) and X.dtype == np.float64
    assert Y.shape == (n, n_labels) and Y.dtype == np.int64
    assert set(np.unique(Y)) <= {0, 1}
    assert Y.sum(axis=0).tolist() == reference_label_counts(n, n_labels, ratio, profile, rate)
    assert (Y.sum(axis=0) < n).all()  # every label keeps negatives


def test_multilabel_generator_seeding():
    first = make_long_tailed_multilabel(300, 5, 4, random_state=7)
    np.random.seed(0)  # noqa: NPY002 - the global seed must not matter
    again = make_long_tailed_multilabel(300, 5, 4, random_state=7)
    np.random.seed(1)  # noqa: NPY002
    from_state = make_long_tailed_multilabel(300, 5, 4, random_state=np.random.RandomState(7))
    for a, b, c in zip(first, again, from_state, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    other = make_long_tailed_multilabel(300, 5, 4, random_state=8)
    assert not np.array_equal(first[1], other[1]) and not np.allclose(first[0], other[0])


@pytest.mark.parametrize("separation", [0.0, 3.0])
def test_each_label_shifts_its_positives_by_the_separation(separation):
    X, Y = make_long_tailed_multilabel(
        20000, 8, 4, imbalance_ratio=4, separation=separation, random_state=0
    )
    for label in range(4):
        positive, negative = Y[:, label] == 1, Y[:, label] == 0
        shift = X[positive].mean(axis=0) - X[negative].mean(axis=0)
        # Other labels are drawn independently, so their shifts cancel in the difference.
        assert np.linalg.norm(shift) == pytest.approx(separation, abs=0.15)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n_samples": 1}, ValueError, "n_samples must be an integer >= 2"),
        ({"n_samples": 10.0}, TypeError, "n_samples must be an integer"),
        ({"n_features": 0}, ValueError, "n_features must be an integer >= 1"),
        ({"n_labels": 1}, ValueError, "n_labels must be an integer >= 2"),
        ({"max_positive_rate": 1.0}, ValueError, r"max_positive_rate .* in \(0, 1\)"),
        ({"max_positive_rate": 0}, ValueError, r"max_positive_rate"),
        ({"max_positive_rate": 0.001}, ValueError, "gives the head label 0 positive rows"),
        ({"imbalance_ratio": 0.5}, ValueError, "imbalance_ratio must be a finite number >= 1"),
        ({"profile": "linear"}, ValueError, "profile must be one of"),
        ({"separation": -1.0}, ValueError, "separation must be a finite number >= 0"),
        ({"separation": float("inf")}, ValueError, "separation must be a finite number"),
    ],
)
def test_multilabel_generator_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_long_tailed_multilabel(**{"n_samples": 100, **kwargs})


@pytest.fixture(scope="module")
def digits_multilabel():
    return load_digits_multilabel(imbalance_ratio=20)


def digit_lookup():
    from sklearn.datasets import load_digits

    digits = load_digits()
    return {
        (image / 16.0).tobytes(): int(t)
        for image, t in zip(digits.images, digits.target, strict=True)
    }


def cells(X, n_slots=4):
    """The 8x8 cells of flat pictures: shape (n, n_slots, 8, 8)."""
    return X.reshape(len(X), 8, n_slots, 8).transpose(0, 2, 1, 3)


def test_digits_multilabel_shapes_and_exact_label_counts(digits_multilabel):
    X_train, X_test, Y_train, Y_test = digits_multilabel
    assert X_train.shape == (1500, 256) and X_test.shape == (500, 256)
    assert Y_train.shape == (1500, 10) and Y_test.shape == (500, 10)
    assert Y_train.sum(axis=0).tolist() == reference_label_counts(1500, 10, 20, "exponential", 0.4)
    assert Y_test.sum(axis=0).tolist() == reference_label_counts(500, 10, 20, "exponential", 0.4)
    assert Y_train.sum(axis=0).tolist() == [600, 430, 308, 221, 158, 113, 81, 58, 41, 30]
    assert 0.0 <= X_train.min() and X_train.max() == 1.0
    assert Y_train.sum(axis=1).max() <= 4


def test_digits_multilabel_pictures_show_exactly_their_labels(digits_multilabel):
    lookup = digit_lookup()
    for X, Y in (digits_multilabel[0::2], digits_multilabel[1::2]):
        for picture, labels in zip(cells(X), Y, strict=True):
            shown = [lookup[cell.tobytes()] for cell in picture if cell.any()]
            assert sorted(shown) == np.flatnonzero(labels).tolist()


def test_digits_multilabel_train_and_test_share_no_handwritten_image(digits_multilabel):
    X_train, X_test = digits_multilabel[:2]

    def used(X):
        return {cell.tobytes() for cell in cells(X).reshape(-1, 8, 8) if cell.any()}

    train, test = used(X_train), used(X_test)
    assert len(train) > 500 and len(test) > 200
    assert not train & test


def test_digits_multilabel_options_and_seeding(digits_multilabel):
    again = load_digits_multilabel(imbalance_ratio=20)
    for a, b in zip(digits_multilabel, again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = load_digits_multilabel(imbalance_ratio=20, random_state=1)
    assert not np.array_equal(other[0], digits_multilabel[0])
    X_train, X_test, Y_train, Y_test = load_digits_multilabel(
        20, n_train=200, n_test=0, n_slots=2, scale=False, as_images=True, max_positive_rate=0.5
    )
    assert X_train.shape == (200, 8, 16, 1) and X_train.max() == 16.0
    assert X_test.shape == (0, 8, 16, 1) and Y_test.shape == (0, 10)
    assert Y_train.sum(axis=0).tolist() == reference_label_counts(200, 10, 20, "exponential", 0.5)
    assert Y_train.sum(axis=1).max() <= 2


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_slots": 1, "imbalance_ratio": 1}, r"digit \d needs \d+ rows but only \d+ have a free"),
        ({"n_slots": 0}, "n_slots must be an integer from 1 to 10"),
        ({"n_slots": 11}, "n_slots must be an integer from 1 to 10"),
        ({"n_train": 1}, "n_train must be an integer >= 2"),
        ({"n_test": -1}, "n_test must be an integer >= 0"),
        ({"max_positive_rate": 1.5}, "max_positive_rate"),
        ({"imbalance_ratio": 0}, "imbalance_ratio must be a finite number >= 1"),
    ],
)
def test_digits_multilabel_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_digits_multilabel(**kwargs)


def test_multilabel_docstring_examples_run():
    import doctest

    import skbalance._datasets_multilabel as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0
