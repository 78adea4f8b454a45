"""skbalance.metrics: G-mean equals imbalanced-learn's, class recall, scorers."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from imblearn.metrics import geometric_mean_score as imblearn_gmean
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score

from skbalance.metrics import (
    class_recall_score,
    geometric_mean_score,
    geometric_mean_scorer,
    make_class_recall_scorer,
)

labelled_pairs = st.integers(2, 4).flatmap(
    lambda k: st.integers(2, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, k - 1), min_size=n, max_size=n),
            st.lists(st.integers(0, k - 1), min_size=n, max_size=n),
        )
    )
)


def reference(y_true, y_pred, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # imblearn warns on ill-defined specificity
        return imblearn_gmean(y_true, y_pred, **kwargs)


@given(pair=labelled_pairs, average=st.sampled_from(["multiclass", "macro", "weighted", "micro"]))
def test_equals_imblearn(pair, average):
    y_true, y_pred = pair
    np.testing.assert_allclose(
        geometric_mean_score(y_true, y_pred, average=average),
        reference(y_true, y_pred, average=average),
    )


@given(pair=labelled_pairs)
def test_per_class_equals_imblearn(pair):
    y_true, y_pred = pair
    np.testing.assert_allclose(
        geometric_mean_score(y_true, y_pred, average=None), reference(y_true, y_pred, average=None)
    )


@given(pair=labelled_pairs, data=st.data())
def test_integer_weights_equal_repeated_rows(pair, data):
    # imblearn counts true negatives unweighted with sample_weight in its one-vs-rest averages;
    # repeating rows is the unambiguous meaning of an integer weight, so that is the reference.
    y_true, y_pred = np.array(pair[0]), np.array(pair[1])
    weights = np.array(
        data.draw(st.lists(st.integers(1, 3), min_size=len(y_true), max_size=len(y_true)))
    )
    for average in ["multiclass", "macro", "weighted", "micro"]:
        np.testing.assert_allclose(
            geometric_mean_score(y_true, y_pred, average=average, sample_weight=weights),
            reference(np.repeat(y_true, weights), np.repeat(y_pred, weights), average=average),
        )


def test_binary_average_and_string_labels():
    y_true = ["buy"] * 4 + ["wait"] * 6
    y_pred = ["buy", "buy", "buy", "wait", "wait", "wait", "wait", "wait", "buy", "buy"]
    # recall(buy) = 3/4, recall(wait) = 4/6
    expected = np.sqrt(0.75 * 4 / 6)
    assert geometric_mean_score(y_true, y_pred) == pytest.approx(expected)
    assert geometric_mean_score(y_true, y_pred, average="binary", pos_label="buy") == (
        pytest.approx(expected)
    )
    assert geometric_mean_score(y_true, y_pred, average="binary", pos_label="buy") == (
        pytest.approx(reference(y_true, y_pred, average="binary", pos_label="buy"))
    )


def test_multiclass_value_and_correction():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 0, 1, 0, 0, 0]  # recalls 1, 1/2, 0
    assert geometric_mean_score(y_true, y_pred) == 0.0
    assert geometric_mean_score(y_true, y_pred, correction=0.001) == pytest.approx(
        (1 * 0.5 * 0.001) ** (1 / 3)
    )
    assert geometric_mean_score(y_true, y_pred, correction=0.001) == pytest.approx(
        reference(y_true, y_pred, correction=0.001)
    )
    assert geometric_mean_score(y_true, y_pred, labels=[0, 1]) == pytest.approx(np.sqrt(0.5))
    assert geometric_mean_score(y_true, y_pred, labels=[0, 1]) == pytest.approx(
        reference(y_true, y_pred, labels=[0, 1])
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"average": "samples"}, "average must be one of"),
        ({"average": "binary"}, "average='binary' needs two classes"),
        ({"sample_weight": [1, 2]}, "one weight per row"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        geometric_mean_score([0, 1, 2], [0, 1, 1], **kwargs)


def test_bad_lengths_and_pos_label():
    with pytest.raises(ValueError, match="same length; got 3 and 2"):
        geometric_mean_score([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="pos_label='yes' is not a label"):
        geometric_mean_score([0, 1], [0, 1], average="binary", pos_label="yes")


def test_class_recall_score():
    y_true = ["a", "a", "a", "a", "b", "c"]
    y_pred = ["a", "b", "a", "c", "b", "a"]
    assert class_recall_score(y_true, y_pred, label="a") == 0.5
    assert class_recall_score(y_true, y_pred, label="b") == 1.0
    assert class_recall_score(y_true, y_pred, label="c") == 0.0
    assert class_recall_score(y_true, y_pred, label="a", sample_weight=[3, 1, 1, 1, 1, 1]) == (
        pytest.approx(4 / 6)
    )


def test_scorers_in_cross_validation_and_grid_search():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 1, (90, 2)), rng.normal(1.5, 1, (10, 2))]
    y = np.array(["common"] * 90 + ["rare"] * 10)
    model = LogisticRegression()
    gmean = cross_val_score(model, X, y, cv=5, scoring=geometric_mean_scorer)
    recall = cross_val_score(model, X, y, cv=5, scoring=make_class_recall_scorer("rare"))
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    # the same numbers, computed by hand from out-of-fold predictions fold by fold
    for fold, (train, test) in enumerate(StratifiedKFold(5).split(X, y)):
        pred = LogisticRegression().fit(X[train], y[train]).predict(X[test])
        assert gmean[fold] == pytest.approx(reference(y[test], pred))
        assert recall[fold] == pytest.approx(np.mean(pred[y[test] == "rare"] == "rare"))
    assert cross_val_predict(model, X, y, cv=5).shape == (100,)

    search = GridSearchCV(
        model, {"class_weight": [None, "balanced"]}, cv=5, scoring=make_class_recall_scorer("rare")
    ).fit(X, y)
    assert search.best_params_ == {"class_weight": "balanced"}
