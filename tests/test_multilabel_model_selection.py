"""IterativeStratifiedKFold: iterative stratification of multi-label targets (Sechidis et al.
2011) against a hand run, its guarantees as properties, and its use in scikit-learn."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

from skbalance.model_selection import IterativeStratifiedKFold


def _folds(cv, Y, X=None):
    X = np.zeros((len(Y), 1)) if X is None else X
    return list(cv.split(X, Y))


def test_hand_run_of_the_algorithm():
    # Worked by hand in the order of algorithm 1 (label 1 has fewer rows, so goes first):
    #   row 2 -> fold 0 (tie on label 1 and on size: first fold); row 3 -> fold 1 (wants
    #   more of label 1); row 6 -> fold 0 (tie, tie); row 7 -> fold 1; then label 0:
    #   rows 0, 1 -> fold 1 (wants 2.5 of label 0); row 4 -> fold 0 (tie on label 0, fold 0
    #   wants 2 rows, fold 1 none); the unlabelled row 5 -> fold 0 (wants 1 row).
    Y = np.array([[1, 0], [1, 0], [1, 1], [0, 1], [1, 0], [0, 0], [1, 1], [0, 1]])
    cv = IterativeStratifiedKFold(n_splits=2)
    assert cv.assign_folds(None, Y).tolist() == [1, 1, 0, 1, 0, 0, 0, 1]
    (train0, test0), (train1, test1) = _folds(cv, Y)
    assert test0.tolist() == [2, 4, 5, 6] and train0.tolist() == [0, 1, 3, 7]
    assert test1.tolist() == train0.tolist()


@st.composite
def indicator(draw):
    n = draw(st.integers(4, 60))
    n_labels = draw(st.integers(1, 6))
    flat = draw(st.lists(st.booleans(), min_size=n * n_labels, max_size=n * n_labels))
    return np.array(flat, dtype=int).reshape(n, n_labels)


@settings(max_examples=80, deadline=None)
@given(indicator(), st.integers(2, 4), st.booleans(), st.integers(0, 2**31))
def test_folds_partition_the_rows(Y, n_splits, shuffle, seed):
    cv = IterativeStratifiedKFold(n_splits, shuffle=shuffle, random_state=seed if shuffle else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # rare labels: tested below
        folds = _folds(cv, Y)
    assert len(folds) == n_splits == cv.get_n_splits()
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(len(Y)))  # every row in exactly one test fold
    for train, test in folds:
        assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(Y)))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=6, max_size=80),
    st.integers(2, 5),
    st.integers(0, 2**31),
)
def test_labels_on_separate_rows_are_split_evenly(label_of_row, n_splits, seed):
    # Each row has at most one label (4 = none): nothing placed earlier disturbs a label, so
    # every fold holds floor or ceil of count / n_splits of it -- the exact guarantee.
    label_of_row = np.array(label_of_row)
    Y = (label_of_row[:, None] == np.arange(4)).astype(int)
    cv = IterativeStratifiedKFold(n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if len(Y) < n_splits:
            return
        folds = _folds(cv, Y)
    counts = Y.sum(axis=0)
    for _, test in folds:
        in_fold = Y[test].sum(axis=0)
        assert (np.floor(counts / n_splits) <= in_fold).all()
        assert (in_fold <= np.ceil(counts / n_splits)).all()


def _deviation(folds, Y):
    """Mean over labels and folds of |positives in the test fold - count / n_splits|."""
    ideal = Y.sum(axis=0) / len(folds)
    return np.mean([np.abs(Y[test].sum(axis=0) - ideal) for _, test in folds])


def test_far_closer_to_the_ideal_than_random_folds():
    X, Y = make_multilabel_classification(
        n_samples=600, n_classes=12, n_labels=3, allow_unlabeled=True, random_state=0
    )
    ours = np.mean(
        [
            _deviation(_folds(IterativeStratifiedKFold(5, shuffle=True, random_state=s), Y), Y)
            for s in range(5)
        ]
    )
    random = np.mean(
        [_deviation(_folds(KFold(5, shuffle=True, random_state=s), Y), Y) for s in range(5)]
    )
    assert ours < 0.5 * random
    # the rarest label is placed first: within 1 of its ideal share in every fold
    rarest = np.argmin(Y.sum(axis=0))
    folds = _folds(IterativeStratifiedKFold(5), Y)
    ideal = Y[:, rarest].sum() / 5
    assert all(abs(Y[test, rarest].sum() - ideal) < 1 for _, test in folds)


def test_repeatable_by_random_state():
    _, Y = make_multilabel_classification(n_samples=200, n_classes=6, random_state=1)
    first = IterativeStratifiedKFold(4, shuffle=True, random_state=3).assign_folds(None, Y)
    np.random.seed(0)  # noqa: NPY002 - the global seed must not matter
    again = IterativeStratifiedKFold(4, shuffle=True, random_state=3).assign_folds(None, Y)
    other = IterativeStratifiedKFold(4, shuffle=True, random_state=4).assign_folds(None, Y)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    plain = IterativeStratifiedKFold(4).assign_folds(None, Y)
    np.testing.assert_array_equal(plain, IterativeStratifiedKFold(4).assign_folds(None, Y))


def test_single_label_y_is_stratified_by_class():
    # one indicator column per class: each fold holds floor or ceil of each class's share
    y = np.array(["a"] * 10 + ["b"] * 7 + ["c"] * 3)
    for _, test in IterativeStratifiedKFold(3, shuffle=True, random_state=0).split(y, y):
        counts = [int((y[test] == label).sum()) for label in "abc"]
        assert counts[0] in (3, 4) and counts[1] in (2, 3) and counts[2] == 1
    series = pd.Series([0, 1] * 5)
    positives = [int(series[test].sum()) for _, test in _folds(IterativeStratifiedKFold(2), series)]
    assert sorted(positives) == [2, 3]


def test_dataframe_and_cross_val_score():
    X, Y = make_multilabel_classification(n_samples=120, n_classes=4, random_state=0)
    frame = pd.DataFrame(Y, columns=["a", "b", "c", "d"])
    cv = IterativeStratifiedKFold(3, shuffle=True, random_state=0)
    np.testing.assert_array_equal(cv.assign_folds(X, frame), cv.assign_folds(X, Y))
    scores = cross_val_score(KNeighborsClassifier(3), X, Y, cv=cv, scoring="f1_macro")
    assert scores.shape == (3,) and (scores > 0).all()


def test_bad_input_and_parameters():
    Y = np.array([[1, 0], [0, 1], [1, 1], [0, 1]])
    with pytest.raises(ValueError, match="n_splits must be an integer >= 2"):
        IterativeStratifiedKFold(1)
    with pytest.raises(ValueError, match="random_state has no effect since shuffle is False"):
        IterativeStratifiedKFold(2, random_state=0)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        IterativeStratifiedKFold(2, shuffle="yes")
    with pytest.raises(ValueError, match="n_splits=5 greater than the number of samples: n_"):
        _folds(IterativeStratifiedKFold(5), Y)
    with pytest.raises(ValueError, match="0 and 1 only.*row 0, label 1 is 2"):
        _folds(IterativeStratifiedKFold(2), np.array([[1, 2], [0, 1]]))
    with pytest.raises(ValueError, match="indicator matrix.*3-D"):
        _folds(IterativeStratifiedKFold(2), np.zeros((4, 2, 2)))
    with pytest.warns(UserWarning, match="only 1 positive rows, which is less than n_splits=2"):
        _folds(IterativeStratifiedKFold(2), np.array([[1, 0], [1, 1], [1, 0], [1, 0]]))
    assert repr(IterativeStratifiedKFold(3, shuffle=True, random_state=1)) == (
        "IterativeStratifiedKFold(n_splits=3, random_state=1, shuffle=True)"
    )
