"""Class-weight strategies: values against independent formulas, normalisation, errors."""

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse
from sklearn.utils.class_weight import compute_class_weight as sk_compute_class_weight

from skbalance.weights import (
    STRATEGIES,
    compute_class_weight,
    compute_label_weight,
    compute_sample_weight,
)

# Label vectors: 1 to 6 classes with 1 to 60 rows each, as small ints.
label_vectors = st.lists(st.integers(0, 5), min_size=1, max_size=200)


def reference(strategy, y, beta=0.999):
    """Per-class weights written out longhand, independent of the implementation."""
    counts = Counter(y)
    n = len(y)
    if strategy == "balanced":
        raw = {c: n / (len(counts) * m) for c, m in counts.items()}
    elif strategy == "sqrt_inverse":
        raw = {c: 1 / math.sqrt(m) for c, m in counts.items()}
    else:
        raw = {c: (1 - beta) / (1 - beta**m) for c, m in counts.items()}
    mean = sum(raw[c] * m for c, m in counts.items()) / n
    return {c: w / mean for c, w in raw.items()}


@given(label_vectors, st.sampled_from(STRATEGIES), st.floats(0.0, 0.99999))
def test_matches_reference_formula_and_mean_is_one(y, strategy, beta):
    weights = compute_class_weight(strategy, y=y, beta=beta)
    expected = reference(strategy, y, beta)
    assert list(weights) == sorted(expected)
    for label, weight in weights.items():
        assert weight == pytest.approx(expected[label], rel=1e-9)
    per_row = compute_sample_weight(strategy, y=y, beta=beta)
    assert per_row.shape == (len(y),)
    assert per_row.mean() == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(per_row, [weights[label] for label in y], rtol=0)


@given(label_vectors)
def test_balanced_equals_scikit_learn(y):
    classes = np.unique(y)
    expected = sk_compute_class_weight("balanced", classes=classes, y=np.asarray(y))
    got = compute_class_weight("balanced", y=y)
    np.testing.assert_allclose(list(got.values()), expected, rtol=1e-12)


@given(label_vectors)
def test_rarer_class_never_gets_less_weight(y):
    counts = Counter(y)
    for strategy in STRATEGIES:
        w = compute_class_weight(strategy, y=y)
        for a in counts:
            for b in counts:
                if counts[a] < counts[b]:
                    assert w[a] >= w[b] - 1e-12


def test_none_is_all_ones():
    assert compute_class_weight(None, y=["a", "b", "b"]) == {"a": 1.0, "b": 1.0}
    assert compute_sample_weight(None, y=["a", "b", "b"]).tolist() == [1.0, 1.0, 1.0]


def test_effective_number_beta_zero_is_uniform_and_near_one_is_balanced():
    y = [0] * 90 + [1] * 10
    assert compute_class_weight("effective_number", y=y, beta=0.0) == {0: 1.0, 1: 1.0}
    near_balanced = compute_class_weight("effective_number", y=y, beta=1 - 1e-9)
    balanced = compute_class_weight("balanced", y=y)
    assert near_balanced[1] == pytest.approx(balanced[1], rel=1e-5)


def test_sqrt_inverse_exact_values():
    # counts 1 and 4: raw 1 and 1/2; mean raw per row (1*1 + 4*0.5)/5 = 0.6
    assert compute_class_weight("sqrt_inverse", y=[1, 0, 0, 0, 0]) == pytest.approx(
        {0: 0.5 / 0.6, 1: 1 / 0.6}
    )


def test_dict_keyed_by_user_labels_is_not_renormalised():
    y = ["buy"] + ["don't buy"] * 9
    weights = compute_class_weight({"buy": 0.75, "don't buy": 0.25}, y=y)
    assert weights == {"buy": 0.75, "don't buy": 0.25}
    assert compute_sample_weight({"buy": 0.75}, y=y).tolist() == [0.75] + [1.0] * 9


@pytest.mark.parametrize(
    "y, key",
    [
        (np.array([3, 1, 3, 3]), 1),
        (np.array([3, 1, 3, 3], dtype=np.int8), np.int8(1)),
        (np.array(["x", "y", "y", "y"], dtype=object), "x"),
        (pd.Series(["x", "y", "y", "y"], name="target"), "x"),
        (pd.Series([2.5, 7.0, 7.0, 7.0]), 2.5),
        (np.array([[10], [20], [20], [20]]), 10),
    ],
)
def test_label_types(y, key):
    weights = compute_class_weight({key: 4.0}, y=y)
    assert weights[key] == 4.0
    assert sorted(weights.values()) == [1.0, 4.0]
    labels = np.asarray(y).ravel()
    expected = np.where(labels == key, 2.0, 2 / 3)  # the key is the one-row class
    np.testing.assert_allclose(compute_sample_weight("balanced", y=y), expected, rtol=1e-12)


def test_caller_data_untouched():
    y = pd.Series(["a", "b", "b"])
    before = y.copy()
    cw = {"a": 2.0}
    compute_sample_weight(cw, y=y)
    pd.testing.assert_series_equal(y, before)
    assert cw == {"a": 2.0}


def test_unknown_key_names_it_and_lists_classes():
    with pytest.raises(ValueError, match=r"key 'sell'.*classes are \['buy', \"don't buy\"\]"):
        compute_class_weight({"sell": 1.0}, y=["buy", "don't buy"])


@pytest.mark.parametrize("bad", [-0.5, float("nan"), float("inf"), "heavy", None])
def test_bad_weight_value(bad):
    with pytest.raises(ValueError, match=r"class_weight\['a'\]"):
        compute_class_weight({"a": bad}, y=["a", "b"])


def test_unknown_strategy_lists_strategies():
    with pytest.raises(ValueError, match=r"'inverse'.*'balanced', 'effective_number', 'sqrt_inv"):
        compute_class_weight("inverse", y=[0, 1])


def test_wrong_type():
    with pytest.raises(TypeError, match="got list"):
        compute_class_weight([1.0, 2.0], y=[0, 1])


@pytest.mark.parametrize("beta", [1.0, -0.1, 1.5, float("nan"), "0.9", True])
def test_beta_outside_range(beta):
    with pytest.raises(ValueError, match=r"beta must be a number in \[0, 1\)"):
        compute_class_weight("effective_number", y=[0, 1], beta=beta)


def test_beta_ignored_by_other_strategies():
    assert compute_class_weight("balanced", y=[0, 1, 1], beta=5) == compute_class_weight(
        "balanced", y=[0, 1, 1]
    )


def test_bad_y():
    with pytest.raises(ValueError, match="y is empty"):
        compute_class_weight("balanced", y=[])
    with pytest.raises(ValueError, match="must be 1-D"):
        compute_class_weight("balanced", y=np.zeros((3, 2)))


def test_signature_is_keyword_only():
    with pytest.raises(TypeError):
        compute_class_weight("balanced", [0, 1])  # y must be passed by keyword


# ------------------------------------------------------------------------------------------
# Per-label weights of a multi-label target (compute_label_weight).
# ------------------------------------------------------------------------------------------


@st.composite
def indicator_matrices(draw):
    """0/1 matrices of 2 to 60 rows and 1 to 5 labels, each label with both values."""
    n = draw(st.integers(2, 60))
    columns = []
    for _ in range(draw(st.integers(1, 5))):
        n_pos = draw(st.integers(1, n - 1))
        column = [1] * n_pos + [0] * (n - n_pos)
        columns.append(draw(st.permutations(column)))
    return np.array(columns, dtype=np.int64).T


@given(indicator_matrices(), st.sampled_from(STRATEGIES), st.floats(0.0, 0.99999))
def test_label_weights_match_the_binary_reference_per_label(Y, strategy, beta):
    positive, negative = compute_label_weight(strategy, Y=Y, beta=beta)
    assert positive.shape == negative.shape == (Y.shape[1],)
    for j in range(Y.shape[1]):
        # Each label is its own binary problem: the single-label reference on its column.
        expected = reference(strategy, Y[:, j].tolist(), beta)
        assert positive[j] == pytest.approx(expected[1], rel=1e-9)
        assert negative[j] == pytest.approx(expected[0], rel=1e-9)
        # The per-label normalisation: mean weight of the label's term over the rows is 1.
        n_pos = Y[:, j].sum()
        assert positive[j] * n_pos + negative[j] * (len(Y) - n_pos) == pytest.approx(len(Y))
        if 2 * n_pos < len(Y):
            assert positive[j] >= negative[j]  # the rarer side never gets less weight


def test_label_weights_exact_values_and_scikit_learn_balanced():
    Y = np.array([[1, 1], [0, 1], [0, 1], [0, 0]])
    positive, negative = compute_label_weight("balanced", Y=Y)
    assert positive.tolist() == [2.0, 2 / 3]
    assert negative.tolist() == [2 / 3, 2.0]
    for j in range(2):
        expected = sk_compute_class_weight("balanced", classes=np.array([0, 1]), y=Y[:, j])
        np.testing.assert_allclose([negative[j], positive[j]], expected, rtol=1e-12)
    # sqrt_inverse on label 0 (1 positive, 3 negatives): raw 1 and 3**-0.5, scaled so that
    # 1 * w_pos + 3 * w_neg == 4.
    scale = 4 / (1 + 3 * 3**-0.5)
    positive, negative = compute_label_weight("sqrt_inverse", Y=Y)
    assert positive[0] == pytest.approx(scale)
    assert negative[0] == pytest.approx(scale * 3**-0.5)


def test_label_weights_none_dict_and_array():
    Y = np.array([[1, 0, 1], [0, 1, 1], [0, 1, 0]])
    ones = compute_label_weight(None, Y=Y)
    assert ones.positive.tolist() == ones.negative.tolist() == [1.0, 1.0, 1.0]
    by_index = compute_label_weight({2: 4.0, np.int64(0): 0.5}, Y=Y)
    assert by_index.positive.tolist() == [0.5, 1.0, 4.0]  # as given, not renormalised
    assert by_index.negative.tolist() == [1.0, 1.0, 1.0]
    assert compute_label_weight([3, 0, 2.5], Y=Y).positive.tolist() == [3.0, 0.0, 2.5]
    frame = pd.DataFrame(Y, columns=["cat", "dog", "bird"])
    assert compute_label_weight({"bird": 4.0}, Y=frame).positive.tolist() == [1.0, 1.0, 4.0]


@pytest.mark.parametrize(
    "Y",
    [
        [[1, 0], [0, 1], [1, 1]],
        np.array([[True, False], [False, True], [True, True]]),
        np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=np.float32),
        pd.DataFrame({"a": [1, 0, 1], "b": pd.array([0, 1, 1], dtype="Int64")}),
        sparse.csr_matrix(np.array([[1, 0], [0, 1], [1, 1]])),
    ],
)
def test_label_weights_accept_every_indicator_container(Y):
    positive, negative = compute_label_weight("balanced", Y=Y)
    np.testing.assert_allclose(positive, [0.75, 0.75])
    np.testing.assert_allclose(negative, [1.5, 1.5])


def test_label_weights_leave_the_callers_data_untouched():
    Y = pd.DataFrame({"a": [1, 0, 0], "b": [0, 1, 1]})
    before, weights = Y.copy(), {"a": 2.0}
    compute_label_weight(weights, Y=Y)
    compute_label_weight("effective_number", Y=Y)
    pd.testing.assert_frame_equal(Y, before)
    assert weights == {"a": 2.0}


@pytest.mark.parametrize("class_weight", [None, "balanced", {0: 2.0}, [1.0, 1.0, 1.0]])
def test_a_label_without_positives_or_negatives_is_named(class_weight):
    Y = pd.DataFrame({"cat": [1, 0, 1], "dog": [0, 0, 0], "bird": [1, 1, 0]})
    with pytest.raises(ValueError, match=r"no positive row for label\(s\) \['dog'\]"):
        compute_label_weight(class_weight, Y=Y)
    Y["dog"] = 1
    with pytest.raises(ValueError, match=r"no negative row for label\(s\) \['dog'\]"):
        compute_label_weight(class_weight, Y=Y)


@pytest.mark.parametrize(
    "class_weight, error, match",
    [
        ("inverse", ValueError, r"Unknown class_weight strategy 'inverse'; use one of 'bal"),
        ({"cow": 1.0}, ValueError, r"key 'cow', which is not a label in Y; the labels are \["),
        ({5: 1.0}, ValueError, r"key 5, which is not a label in Y; the labels are \[0, 1\]"),
        ({0: -1.0}, ValueError, r"class_weight\[0\] = -1.0; weights must be finite"),
        ([1.0, float("nan")], ValueError, r"class_weight\[1\] \(label 1\) = nan"),
        ([1.0, 2.0, 3.0], ValueError, r"has 3 entries but Y has 2 labels"),
        (["a", "b"], ValueError, r"one number per label"),
        ([0.0, 0.0], ValueError, r"positives of every label \(\[0, 1\]\) weight 0"),
        ({0: 0.0, 1: 0.0}, ValueError, r"positives of every label"),
        (2.0, TypeError, r"multi-label Y must be None, a strategy name"),
        (np.ones((2, 2)), TypeError, r"multi-label Y must be None"),
    ],
)
def test_bad_label_weights(class_weight, error, match):
    Y = np.array([[1, 0], [0, 1], [1, 1]])
    with pytest.raises(error, match=match):
        compute_label_weight(class_weight, Y=Y)


@pytest.mark.parametrize("beta", [1.0, -0.1, float("nan"), True])
def test_label_weights_check_beta_as_the_single_label_path(beta):
    with pytest.raises(ValueError, match=r"beta must be a number in \[0, 1\)"):
        compute_label_weight("effective_number", Y=[[1], [0]], beta=beta)
    compute_label_weight("balanced", Y=[[1], [0]], beta=beta)  # unused, so not checked


@pytest.mark.parametrize(
    "Y, match",
    [
        ([0, 1, 1], "must be a label indicator matrix of shape"),
        ([[0, 2], [1, 0]], "must hold 0 and 1 only"),
        (None, "Y is None"),
    ],
)
def test_label_weights_refuse_what_is_not_an_indicator_matrix(Y, match):
    with pytest.raises(ValueError, match=match):
        compute_label_weight("balanced", Y=Y)


def test_strategy_is_checked_before_Y():
    with pytest.raises(ValueError, match="Unknown class_weight strategy"):
        compute_label_weight("inverse", Y=None)


def test_docstring_examples_run():
    import doctest

    import skbalance.weights

    result = doctest.testmod(skbalance.weights, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 8 and result.failed == 0
