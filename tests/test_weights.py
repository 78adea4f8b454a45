"""Class-weight strategies: values against independent formulas, normalisation, errors."""

import math
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.utils.class_weight import compute_class_weight as sk_compute_class_weight

from skbalance.weights import STRATEGIES, compute_class_weight, compute_sample_weight

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
