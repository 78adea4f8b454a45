"""Multi-label resamplers (ML-ROS, ML-RUS, MLSMOTE) and the imbalance measures IRLbl, MeanIR,
CVIR: exact values against hand computations, properties on random indicator matrices,
containers, sample weights, pipelines and bad input."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import get_tags
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbalance._rows import fit_resample_rows
from skbalance.pipeline import Pipeline
from skbalance.sampling import (
    MLSMOTE,
    MultilabelRandomOverSampler,
    MultilabelRandomUnderSampler,
    cvir,
    irlbl,
    mean_ir,
)
from skbalance.sampling._containers import NonNumericDataError

SAMPLERS = [MultilabelRandomOverSampler, MultilabelRandomUnderSampler, MLSMOTE]


def _labels(counts_by_rows):
    """Rows of label sets given as ``[(label_set, n_rows), ...]`` -> indicator matrix."""
    n_labels = 1 + max(label for labels, _ in counts_by_rows for label in labels)
    rows = []
    for labels, n in counts_by_rows:
        row = np.zeros(n_labels, dtype=int)
        row[list(labels)] = 1
        rows.extend([row] * n)
    return np.array(rows)


# -- measures ---------------------------------------------------------------------------------


def test_measures_against_hand_computation():
    # label counts 6, 3, 2, 1 -> IRLbl 6/6, 6/3, 6/2, 6/1
    Y = _labels([((0,), 3), ((0, 1), 1), ((0, 1, 2), 1), ((0, 1, 2, 3), 1)])
    assert Y.sum(axis=0).tolist() == [6, 3, 2, 1]
    assert irlbl(Y).tolist() == [1.0, 2.0, 3.0, 6.0]
    assert mean_ir(Y) == 3.0
    # sample std of (1, 2, 3, 6): sqrt(((-2)^2 + (-1)^2 + 0 + 3^2) / 3) = sqrt(14 / 3)
    assert cvir(Y) == pytest.approx(np.sqrt(14 / 3) / 3, rel=1e-12)


def test_measures_accept_every_container():
    Y = _labels([((0,), 3), ((0, 1), 1), ((2,), 2)])
    expected = irlbl(Y)
    frame = pd.DataFrame(Y, columns=["a", "b", "c"]).astype({"a": "Int64", "b": bool})
    for container in (Y.tolist(), frame, sparse.csr_matrix(Y), Y.astype(float)):
        np.testing.assert_array_equal(irlbl(container), expected)
    assert cvir(np.ones((3, 2))) == 0.0


def test_measures_refuse_bad_input():
    with pytest.raises(ValueError, match="no positive row for label.*'c'"):
        irlbl(pd.DataFrame({"a": [1, 0], "b": [1, 1], "c": [0, 0]}))
    with pytest.raises(ValueError, match="1-D input of shape .4,.*MultiLabelBinarizer"):
        mean_ir([0, 1, 1, 0])
    with pytest.raises(ValueError, match="row 1, label 0 is 2"):
        irlbl([[1, 0], [2, 1]])
    with pytest.raises(ValueError, match="0 and 1 only.*is nan"):
        irlbl([[1, 0], [np.nan, 1]])
    with pytest.raises(ValueError, match="0 and 1 only.*pd.NA|0 and 1 only.*nan"):
        irlbl(pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [1, 1]}))
    with pytest.raises(ValueError, match="0 and 1 only.*dtype <U"):
        irlbl([["a", "b"], ["b", "a"]])
    with pytest.raises(ValueError, match="no label columns"):
        irlbl(np.zeros((3, 0)))
    with pytest.raises(ValueError, match="at least 2 labels"):
        cvir([[1], [0]])


# -- ML-ROS -----------------------------------------------------------------------------------


def _ros_data():
    # 30 rows with label 0; label 1 on rows 0-4, label 2 on rows 5-7, label 3 on rows 8-9:
    # counts 30, 5, 3, 2 -> IRLbl 1, 6, 10, 15, MeanIR 8: labels 2 and 3 are minority.
    Y = _labels([((0, 1), 5), ((0, 2), 3), ((0, 3), 2), ((0,), 20)])
    X = np.arange(60, dtype=float).reshape(30, 2)
    return X, Y


def test_ml_ros_exact_rotation_and_stop():
    X, Y = _ros_data()
    sampler = MultilabelRandomOverSampler(random_state=0)  # 25% of 30: at most 7 clones
    X_res, Y_res = sampler.fit_resample(X, Y)
    # Hand run: bag 2 clones once (counts 31, 5, 4, 2: IRLbl 31/4 = 7.75 <= 8, it leaves);
    # bag 3 clones three times (32/3, 33/4 = 8.25 stay; 34/5 = 6.8 leaves); then no bag is
    # left, so only 4 of the 7 clones are made.
    assert sampler.minority_labels_.tolist() == [2, 3]
    assert sampler.mean_ir_ == 8.0
    assert Y_res.sum(axis=0).tolist() == [34, 5, 4, 5]
    indices = sampler.sample_indices_
    assert indices[:30].tolist() == list(range(30))
    assert np.isin(indices[30:31], [5, 6, 7]).all() and np.isin(indices[31:], [8, 9]).all()
    np.testing.assert_array_equal(X_res, X[indices])
    np.testing.assert_array_equal(Y_res, Y[indices])


def test_ml_ros_stops_at_exactly_percentage():
    X, Y = _ros_data()
    sampler = MultilabelRandomOverSampler(percentage=10, random_state=0)  # 3 clones
    _, Y_res = sampler.fit_resample(X, Y)
    # bag 2 (leaves), bag 3, bag 3: the count is reached before bag 3 is balanced
    assert Y_res.sum(axis=0).tolist() == [33, 5, 4, 4]
    assert len(Y_res) == 33


def test_ml_ros_bag_leaves_when_irlbl_reaches_mean_ir():
    # counts 12, 6, 2 -> IRLbl 1, 2, 6, MeanIR 3; label 2 alone on its rows: after two clones
    # IRLbl(2) = 12 / 4 = 3 <= MeanIR, so its bag leaves (the paper's "<=") with 3 of 5 unused
    Y = _labels([((0,), 12), ((1,), 6), ((2,), 2)])
    _, Y_res = MultilabelRandomOverSampler(random_state=0).fit_resample(np.eye(20), Y)
    assert Y_res.sum(axis=0).tolist() == [12, 6, 4]


def test_ml_ros_nothing_to_do_when_no_label_is_minority():
    Y = _labels([((0,), 3), ((1,), 3)])
    X_res, Y_res = MultilabelRandomOverSampler(random_state=0).fit_resample(np.eye(6), Y)
    np.testing.assert_array_equal(Y_res, Y)


# -- ML-RUS -----------------------------------------------------------------------------------


def _rus_data():
    # labels alone on their rows: counts 20, 10, 2, 2 -> IRLbl 1, 2, 10, 10, MeanIR 5.75:
    # labels 0 and 1 are majority.
    Y = _labels([((0,), 20), ((1,), 10), ((2,), 2), ((3,), 2)])
    return np.arange(68, dtype=float).reshape(34, 2), Y


def test_ml_rus_exact_rotation():
    X, Y = _rus_data()
    sampler = MultilabelRandomUnderSampler(random_state=0)  # 25% of 34: 8 deletions
    X_res, Y_res = sampler.fit_resample(X, Y)
    # the two bags alternate, four deletions each; label 1 stays majority (16/6 < 5.75)
    assert sampler.majority_labels_.tolist() == [0, 1]
    assert Y_res.sum(axis=0).tolist() == [16, 6, 2, 2]
    indices = sampler.sample_indices_
    assert np.all(np.diff(indices) > 0)  # input order
    np.testing.assert_array_equal(X_res, X[indices])
    np.testing.assert_array_equal(Y_res, Y[indices])


def test_ml_rus_bag_leaves_once_no_longer_majority():
    X, Y = _rus_data()
    sampler = MultilabelRandomUnderSampler(percentage=60, random_state=0)  # 20 deletions
    _, Y_res = sampler.fit_resample(X, Y)
    # after 8 rounds label 1 has 12/2 = 6 >= 5.75 and leaves; bag 0 takes the last 4 turns
    assert Y_res.sum(axis=0).tolist() == [8, 2, 2, 2]


def test_ml_rus_bag_leaves_when_irlbl_reaches_mean_ir():
    # counts 12, 6, 2 -> IRLbl 1, 2, 6, MeanIR 3; 50% of 20 rows: 10 deletions. The bags
    # alternate until label 1 has 9 / 3 = 3 >= MeanIR (the paper's ">=") after three
    # deletions each; bag 0 takes the last four turns.
    Y = _labels([((0,), 12), ((1,), 6), ((2,), 2)])
    sampler = MultilabelRandomUnderSampler(percentage=50, random_state=0)
    _, Y_res = sampler.fit_resample(np.eye(20), Y)
    assert Y_res.sum(axis=0).tolist() == [5, 3, 2]


# -- MLSMOTE ----------------------------------------------------------------------------------


def _reference_mlsmote_labels(X, Y, k, label_set):
    """Label rows of MLSMOTE's synthetic rows, from a brute-force sort of the distances."""
    counts = Y.sum(axis=0)
    ratios = counts.max() / counts
    rows = []
    for label in np.flatnonzero(ratios > ratios.mean()):
        bag = np.flatnonzero(Y[:, label])
        for row in bag:
            distance = ((X[bag] - X[row]) ** 2).sum(axis=1)
            order = [bag[i] for i in np.lexsort((bag, distance)) if bag[i] != row][:k]
            votes = Y[row] + Y[order].sum(axis=0)
            rows.append(
                {
                    "ranking": votes > (k + 1) / 2,
                    "union": votes > 0,
                    "intersection": votes == k + 1,
                }[label_set]
            )
    return np.array(rows, dtype=int), ratios > ratios.mean()


@pytest.mark.parametrize("label_set", ["ranking", "union", "intersection"])
def test_mlsmote_label_sets_follow_the_neighbours(label_set):
    rng = np.random.RandomState(3)
    X = rng.normal(size=(60, 3))
    Y = (rng.random_sample((60, 5)) < [0.9, 0.6, 0.3, 0.15, 0.1]).astype(int)
    Y[0] = 1  # every label has a row
    expected, minority = _reference_mlsmote_labels(X, Y, 3, label_set)
    sampler = MLSMOTE(k_neighbors=3, label_set=label_set, random_state=0)
    X_res, Y_res = sampler.fit_resample(X, Y)
    assert sampler.minority_labels_.tolist() == np.flatnonzero(minority).tolist()
    np.testing.assert_array_equal(X_res[:60], X)
    np.testing.assert_array_equal(Y_res[:60], Y)
    np.testing.assert_array_equal(Y_res[60:], expected)


def test_mlsmote_hand_computed_labels():
    # One minority label (2) on rows 0-3 at x = 0, 1, 2, 10; k=2: row 0's neighbours are rows
    # 1, 2; row 1's 0, 2; row 2's 1, 0; row 3's 2, 1. Label 1 is on rows 1 and 2 only.
    X = np.array([[0.0], [1.0], [2.0], [10.0]] + [[20.0 + i] for i in range(14)])
    Y = _labels([((0, 2), 1), ((0, 1, 2), 2), ((0, 2), 1), ((0, 1), 6), ((0,), 8)])
    # counts 18, 8, 4: IRLbl 1, 2.25, 4.5, MeanIR 7.75 / 3: only label 2 is minority
    assert irlbl(Y).tolist() == [1.0, 2.25, 4.5]
    _, Y_res = MLSMOTE(k_neighbors=2, random_state=0).fit_resample(X, Y)
    # votes for label 1 (row + 2 neighbours): row 0: 0+1+1 = 2 > 1.5 kept; row 1: 1+0+1 = 2
    # kept; row 2: 1+1+0 = 2 kept; row 3: 0+1+1 = 2 kept. Labels 0, 2: on every row.
    assert Y_res[18:].tolist() == [[1, 1, 1]] * 4
    _, Y_res = MLSMOTE(k_neighbors=2, label_set="intersection", random_state=0).fit_resample(X, Y)
    assert Y_res[18:].tolist() == [[1, 0, 1]] * 4


def test_mlsmote_rows_and_weights_lie_between_their_parents():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    Y = (rng.random_sample((50, 3)) < [0.8, 0.5, 0.2]).astype(int)
    Y[0] = 1
    weight = rng.uniform(0.5, 2.0, size=50)
    sampler = MLSMOTE(k_neighbors=3, random_state=1)
    X_res, Y_res, w_res = sampler.fit_resample(X, Y, sample_weight=weight)
    np.testing.assert_array_equal(w_res[:50], weight)
    for new, w_new, labels in zip(X_res[50:], w_res[50:], Y_res[50:], strict=True):
        # some pair (a, b) of rows sharing a minority label with new == a + g (b - a)
        found = False
        for label in sampler.minority_labels_[labels[sampler.minority_labels_] == 1]:
            bag = np.flatnonzero(Y[:, label])
            for a in bag:
                for b in bag:
                    if a == b:
                        continue
                    g = (new - X[a]) @ (X[b] - X[a]) / ((X[b] - X[a]) @ (X[b] - X[a]))
                    if 0 <= g <= 1 and np.allclose(X[a] + g * (X[b] - X[a]), new):
                        found |= np.isclose(w_new, weight[a] + g * (weight[b] - weight[a]))
        assert found


def test_mlsmote_refuses_small_bags_and_non_numeric_x():
    X = np.arange(20, dtype=float).reshape(10, 2)
    Y = _labels([((0,), 7), ((0, 1), 3)])
    with pytest.raises(ValueError, match=r"label\(s\) 1 \(3 rows\).*at most 2"):
        MLSMOTE().fit_resample(X, Y)
    frame = pd.DataFrame({"a": np.arange(10.0), "b": list("abcdefghij")})
    with pytest.raises(NonNumericDataError, match="column 'b'"):
        MLSMOTE(k_neighbors=2).fit_resample(frame, Y)
    X_nan = X.copy()
    X_nan[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity.*row 4"):
        MLSMOTE(k_neighbors=2).fit_resample(X_nan, Y)


def test_mlsmote_accepts_a_neighbour_estimator():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 2))
    Y = _labels([((0,), 30), ((0, 1), 10)])
    by_int = MLSMOTE(k_neighbors=3, random_state=0).fit_resample(X, Y)
    by_estimator = MLSMOTE(k_neighbors=NearestNeighbors(n_neighbors=4), random_state=0)
    for a, b in zip(by_int, by_estimator.fit_resample(X, Y), strict=True):
        np.testing.assert_allclose(a, b)


# -- properties on random indicator matrices --------------------------------------------------


@st.composite
def indicator_data(draw, min_rows=4):
    n = draw(st.integers(min_rows, 30))
    n_labels = draw(st.integers(2, 5))
    flat = draw(st.lists(st.booleans(), min_size=n * n_labels, max_size=n * n_labels))
    Y = np.array(flat, dtype=int).reshape(n, n_labels)
    Y[draw(st.integers(0, n - 1))] = 1  # every label has a positive row
    X = np.arange(n * 2, dtype=float).reshape(n, 2) + np.repeat(np.arange(n), 2).reshape(n, 2)
    return X, Y


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(indicator_data(), st.floats(1, 200), st.integers(0, 2**31))
def test_ml_ros_properties(data, percentage, seed):
    X, Y = data
    sampler = MultilabelRandomOverSampler(percentage=percentage, random_state=seed)
    X_res, Y_res = sampler.fit_resample(X, Y)
    n, n_added = len(Y), len(Y_res) - len(Y)
    assert 0 <= n_added <= int(n * percentage / 100)
    indices = sampler.sample_indices_
    np.testing.assert_array_equal(indices[:n], np.arange(n))
    np.testing.assert_array_equal(X_res, X[indices])
    np.testing.assert_array_equal(Y_res, Y[indices])
    # every clone has a minority label, and the minority labels never shrink
    assert Y[indices[n:]][:, sampler.minority_labels_].any(axis=1).all()
    assert sampler.minority_labels_.tolist() == np.flatnonzero(irlbl(Y) > mean_ir(Y)).tolist()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(indicator_data(), st.floats(1, 99), st.integers(0, 2**31))
def test_ml_rus_properties(data, percentage, seed):
    X, Y = data
    sampler = MultilabelRandomUnderSampler(percentage=percentage, random_state=seed)
    X_res, Y_res = sampler.fit_resample(X, Y)
    n_deleted = len(Y) - len(Y_res)
    assert 0 <= n_deleted <= int(len(Y) * percentage / 100)
    kept = sampler.sample_indices_
    assert np.all(np.diff(kept) > 0)
    np.testing.assert_array_equal(X_res, X[kept])
    np.testing.assert_array_equal(Y_res, Y[kept])
    deleted = np.setdiff1d(np.arange(len(Y)), kept)
    assert Y[deleted][:, sampler.majority_labels_].any(axis=1).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(indicator_data(min_rows=6), st.integers(1, 3), st.integers(0, 2**31))
def test_mlsmote_properties(data, k, seed):
    X, Y = data
    counts = Y.sum(axis=0)
    minority = np.flatnonzero(irlbl(Y) > mean_ir(Y))
    assume((counts[minority] >= k + 1).all())
    sampler = MLSMOTE(k_neighbors=k, random_state=seed)
    X_res, Y_res = sampler.fit_resample(X, Y)
    n = len(Y)
    assert len(Y_res) == n + counts[minority].sum()  # one synthetic row per bag member
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(Y_res[:n], Y)
    start = n
    for label in minority:  # grouped by minority label, each row has that label
        block = slice(start, start + counts[label])
        assert Y_res[block, label].all()
        start += counts[label]
    # X rows are x = (i, i + 1) * const + i: a segment between two rows stays on the line
    new = X_res[n:]
    np.testing.assert_allclose(new[:, 1] - new[:, 0], 1.0)
    assert (new[:, 0] >= X[:, 0].min()).all() and (new[:, 0] <= X[:, 0].max()).all()


# -- random_state, parameters, tags -----------------------------------------------------------


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_random_state_alone_fixes_every_draw(Sampler):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 3))
    Y = (rng.random_sample((200, 4)) < [0.9, 0.5, 0.1, 0.05]).astype(int)
    np.random.seed(1)  # noqa: NPY002 - the legacy global seed must not matter
    first = Sampler(random_state=7).fit_resample(X, Y)
    np.random.seed(2)  # noqa: NPY002
    again = Sampler(random_state=7).fit_resample(X, Y)
    other = Sampler(random_state=8).fit_resample(X, Y)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first, other, strict=True)
    )


@pytest.mark.parametrize(
    "sampler",
    [
        MultilabelRandomOverSampler(percentage=0),
        MultilabelRandomOverSampler(percentage="25"),
        MultilabelRandomUnderSampler(percentage=100),
        MLSMOTE(label_set="vote"),
        MLSMOTE(k_neighbors=0),
    ],
)
def test_parameters_are_validated(sampler):
    Y = _labels([((0,), 8), ((0, 1), 4)])
    with pytest.raises(InvalidParameterError):
        sampler.fit_resample(np.eye(12), Y)


def test_tags_say_multilabel_sampler():
    for Sampler in SAMPLERS:
        tags = get_tags(Sampler())
        assert tags.estimator_type == "sampler"
        assert tags.target_tags.multi_output and not tags.target_tags.single_output
        selects = Sampler is not MLSMOTE
        assert tags.sampler_tags.sample_indices is selects
        assert tags.sampler_tags.row_source == ("labels" if selects else "generated")
        assert Sampler()._sampling_type in ("over-sampling", "under-sampling")


def test_clone_pickle_and_fit():
    X, Y = _ros_data()
    sampler = MultilabelRandomOverSampler(percentage=10, random_state=3)
    copy = pickle.loads(pickle.dumps(clone(sampler)))
    assert copy.get_params() == sampler.get_params()
    assert sampler.fit(X, Y) is sampler and not hasattr(sampler, "sample_indices_")
    assert sampler.irlbl_.tolist() == [1.0, 6.0, 10.0, 15.0]
    np.testing.assert_array_equal(copy.fit_resample(X, Y)[1], sampler.fit_resample(X, Y)[1])


@pytest.mark.parametrize("Sampler", [MultilabelRandomOverSampler, MultilabelRandomUnderSampler])
def test_fit_resample_indices_match_fit_resample(Sampler):
    X, Y = _ros_data()
    indices = Sampler(random_state=5).fit_resample_indices(np.zeros((30, 1)), Y)
    sampler = Sampler(random_state=5)
    X_res, _ = sampler.fit_resample(X, Y)
    np.testing.assert_array_equal(indices, sampler.sample_indices_)
    np.testing.assert_array_equal(X_res, X[indices])


def test_mlsmote_has_no_indices():
    with pytest.raises(TypeError, match="creates new rows"):
        MLSMOTE().fit_resample_indices(np.eye(4), np.eye(4))


# -- containers and sample weights -----------------------------------------------------------


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_pandas_in_pandas_out(Sampler):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(40, 2)), columns=["f1", "f2"], index=np.arange(40) * 3)
    Y = pd.DataFrame(
        {"rare": [1] * 6 + [0] * 34, "common": [1] * 40, "mid": [0] * 20 + [1] * 20},
        index=X.index,
    ).astype({"rare": "Int64", "common": bool})
    before = (X.copy(), Y.copy())
    sampler = Sampler(random_state=0)
    X_res, Y_res = sampler.fit_resample(X, Y)
    assert isinstance(Y_res, pd.DataFrame) and list(Y_res.columns) == ["rare", "common", "mid"]
    assert Y_res.dtypes.to_dict() == Y.dtypes.to_dict()
    assert X_res.index.equals(Y_res.index)
    if Sampler is MLSMOTE:  # synthetic rows get new labels after the largest one
        assert X_res.index[40:].tolist() == list(range(118, 118 + len(X_res) - 40))
    else:  # selected rows keep theirs
        assert X_res.index.equals(X.index[sampler.sample_indices_])
    assert list(X_res.columns) == ["f1", "f2"]
    pd.testing.assert_frame_equal(X, before[0])  # the caller's data is untouched
    pd.testing.assert_frame_equal(Y, before[1])
    # numpy X with a DataFrame Y: Y keeps its index rule
    _, Y_only = Sampler(random_state=0).fit_resample(X.to_numpy(), Y)
    assert isinstance(Y_only, pd.DataFrame) and Y_only.index.equals(Y_res.index)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_containers_round_trip(Sampler):
    rng = np.random.RandomState(1)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    Y = np.zeros((40, 3), dtype=np.uint8)
    Y[:, 0], Y[:8, 1], Y[20:, 2] = 1, 1, 1
    X_res, Y_res = Sampler(random_state=0).fit_resample(X, Y)
    assert X_res.dtype == np.float32 and Y_res.dtype == np.uint8
    X_sp, Y_sp = Sampler(random_state=0).fit_resample(sparse.csr_matrix(X), sparse.csc_matrix(Y))
    assert sparse.issparse(X_sp) and Y_sp.format == "csc"
    np.testing.assert_allclose(X_sp.toarray(), X_res, rtol=1e-6)
    np.testing.assert_array_equal(Y_sp.toarray(), Y_res)
    X_list, Y_list = Sampler(random_state=0).fit_resample(X.tolist(), Y.tolist())
    assert isinstance(Y_list, list) and Y_list == Y_res.tolist()


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_images_keep_their_shape_and_dtype(Sampler):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(60, 4, 4, 3)).astype(np.uint8)
    Y = (rng.random((60, 3)) < [0.9, 0.4, 0.15]).astype(int)
    Y[0] = 1
    sampler = Sampler(random_state=0)
    X_res, Y_res = sampler.fit_resample(X, Y)
    assert X_res.shape[1:] == (4, 4, 3) and X_res.dtype == np.uint8 and len(X_res) == len(Y_res)
    if Sampler is MLSMOTE:  # a pixel between its parents' pixels, rounded into uint8
        assert len(X_res) > 60
        np.testing.assert_array_equal(X_res[:60], X)
    else:
        np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])


def test_imbalanced_learn_pipeline_takes_them():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    Y = (rng.random((80, 3)) < [0.9, 0.4, 0.15]).astype(int)
    Y[0] = 1
    for Sampler in SAMPLERS:
        pipe = imblearn_pipeline.make_pipeline(Sampler(random_state=0), _Recorder())
        pipe.fit(X, Y)
        X_ref, Y_ref = Sampler(random_state=0).fit_resample(X, Y)
        np.testing.assert_array_equal(pipe[-1].y_, Y_ref)


@pytest.mark.parametrize("Sampler", [MultilabelRandomOverSampler, MultilabelRandomUnderSampler])
def test_sample_weight_follows_selected_rows(Sampler):
    X, Y = _ros_data()
    weight = np.linspace(0.5, 3.0, 30)
    sampler = Sampler(random_state=0)
    _, _, w_res = sampler.fit_resample(X, Y, sample_weight=weight)
    np.testing.assert_array_equal(w_res, weight[sampler.sample_indices_])
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        Sampler().fit_resample(X, Y, sample_weight=-weight)


class _Recorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.X_, self.y_, self.weight_ = np.asarray(X), np.asarray(y), sample_weight
        return self

    def predict(self, X):
        return np.zeros((len(X), self.y_.shape[1]), dtype=int)


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_pipeline_step_carries_sample_weight(Sampler):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    Y = (rng.random_sample((60, 3)) < [0.9, 0.5, 0.15]).astype(int)
    Y[0] = 1
    weight = rng.uniform(1, 2, size=60)
    pipe = Pipeline([("sampler", Sampler(random_state=0)), ("model", _Recorder())])
    pipe.fit(X, Y, model__sample_weight=weight)
    X_ref, Y_ref, w_ref = Sampler(random_state=0).fit_resample(X, Y, sample_weight=weight)
    model = pipe.named_steps["model"]
    np.testing.assert_array_equal(model.X_, X_ref)
    np.testing.assert_array_equal(model.y_, Y_ref)
    np.testing.assert_array_equal(model.weight_, w_ref)
    # the one rule of skbalance._rows: the same aligned weights through fit_resample_rows
    _, _, _, (aligned,) = fit_resample_rows(
        Sampler(random_state=0), X, Y, {}, [("model__sample_weight", weight)]
    )
    np.testing.assert_array_equal(aligned, w_ref)


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("Sampler", SAMPLERS)
def test_bad_targets_are_refused_by_name(Sampler):
    X = np.arange(12, dtype=float).reshape(6, 2)
    with pytest.raises(ValueError, match="label indicator matrix.*1-D"):
        Sampler().fit_resample(X, np.array([0, 1, 0, 1, 0, 1]))
    with pytest.raises(ValueError, match="0 and 1 only.*row 2, label 'b' is 3"):
        Sampler().fit_resample(X, pd.DataFrame({"a": [1] * 6, "b": [0, 1, 3, 0, 1, 0]}))
    with pytest.raises(ValueError, match=r"no positive row for label\(s\) \['b'\]"):
        Sampler().fit_resample(X, pd.DataFrame({"a": [1] * 6, "b": [0] * 6}))
    with pytest.raises(ValueError, match="X has 6 rows but Y has 5"):
        Sampler().fit_resample(X, np.ones((5, 2)))
    sampler = Sampler().fit(X, np.eye(6)[:, :3] + np.eye(6)[:, 3:])
    fitted = dict(vars(sampler))
    with pytest.raises(ValueError):
        sampler.fit(X, np.full((6, 2), 2))
    assert vars(sampler).keys() == fitted.keys()  # a failed fit changes nothing


# -- scikit-learn's estimator checks ----------------------------------------------------------

# scikit-learn's checks make their y from class labels 0, 1, 2 (one column for a
# multi-output-only estimator), which is no indicator matrix: every check that fits on such a
# y meets the samplers' refusal ("Y must hold 0 and 1 only"). The checks that pass (clone,
# params, pickle, repr, n_features_in_, empty data, y=None, 1-D X, complex X) run for real.
_CHECKS_WITH_A_NON_INDICATOR_Y = {
    name: "scikit-learn's check fits on y = 0/1/2 class labels, not an indicator matrix"
    for name in [
        "check_dict_unchanged",
        "check_dont_overwrite_parameters",
        "check_dtype_object",
        "check_estimator_sparse_array",
        "check_estimator_sparse_matrix",
        "check_estimator_sparse_tag",
        "check_estimators_dtypes",
        "check_estimators_fit_returns_self",
        "check_estimators_overwrite_params",
        "check_f_contiguous_array_estimator",
        "check_fit2d_1feature",
        "check_fit2d_predict1d",
        "check_fit_score_takes_y",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit",
        "check_readonly_memmap_input",
    ]
}


@parametrize_with_checks(
    [Sampler(random_state=0) for Sampler in SAMPLERS],
    expected_failed_checks=lambda estimator: _CHECKS_WITH_A_NON_INDICATOR_Y,
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
