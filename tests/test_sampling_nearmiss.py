"""NearMiss: imbalanced-learn's rows in imbalanced-learn's order, with skbalance's extras."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import NearMiss as ImbNearMiss
from scipy import sparse
from scipy.spatial.distance import cdist
from sklearn.neighbors import NearestNeighbors

from skbalance.sampling import NearMiss


def _data(seed=0, sizes=(60, 30, 12), n_features=3):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(sizes)), sizes)
    rng.shuffle(y)
    X = rng.normal(size=(len(y), n_features)) + 0.8 * y[:, None]
    return X, y


def _brute_force(X, y, version, k=3, k3=3, n_keep=None):
    """NearMiss from its definition, with a full distance matrix (scipy's cdist)."""
    counts = np.bincount(y)
    minority = np.argmin(counts)
    n_keep = counts.min() if n_keep is None else n_keep
    X_min = X[y == minority]
    kept = []
    for label in range(len(counts)):
        rows = np.flatnonzero(y == label)
        if label == minority:
            kept.append(rows)
            continue
        distances = np.sort(cdist(X[rows], X_min), axis=1)
        if version == 1:
            order = np.argsort(distances[:, :k].sum(axis=1), kind="stable")
        elif version == 2:
            order = np.argsort(distances[:, -k:].sum(axis=1), kind="stable")
        else:
            near = np.argsort(cdist(X_min, X[rows]), axis=1, kind="stable")[:, :k3]
            candidates = np.unique(near)
            score = distances[candidates, :k].sum(axis=1)
            order = candidates[np.argsort(-score, kind="stable")]
        kept.append(rows[order[:n_keep]])
    return np.concatenate(kept)


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("strategy", ["auto", "all", "not minority", {0: 20, 1: 15}])
def test_same_rows_and_order_as_imbalanced_learn(version, strategy):
    X, y = _data()
    ours = NearMiss(version=version, sampling_strategy=strategy)
    theirs = ImbNearMiss(version=version, sampling_strategy=strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NearMiss-3 may find too few rows
        X_res, y_res = ours.fit_resample(X, y)
        X_imb, y_imb = theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    np.testing.assert_array_equal(X_res, X_imb)
    np.testing.assert_array_equal(y_res, y_imb)
    assert dict(ours.sampling_strategy_) == dict(theirs.sampling_strategy_)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    version=st.sampled_from([1, 2, 3]),
    k=st.integers(1, 4),
    sizes=st.lists(st.integers(5, 25), min_size=2, max_size=4),
)
def test_matches_a_brute_force_reference(seed, version, k, sizes):
    """Class: a wrong score (nearest vs farthest, sum over the wrong neighbours) or a wrong
    tie order, checked against NearMiss computed from a full distance matrix."""
    X, y = _data(seed, sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rows = NearMiss(version=version, n_neighbors=k, n_neighbors_ver3=k).fit_resample_indices(
            X, y
        )
    if np.sum(np.bincount(y) == min(sizes)) > 1:  # several minorities: imbalanced-learn's pick
        return
    np.testing.assert_array_equal(rows, _brute_force(X, y, version, k, k))


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("scale", [1e-300, 1e-160, 1e160, 1e300])
def test_same_rows_at_extreme_scales(version, scale):
    """Class: squared distances over- or underflowing float64 (1e160**2 is inf, 1e-160**2 is
    0), which turns every score into inf or 0 and the selection into input order."""
    X, y = _data(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        expected = NearMiss(version=version).fit_resample_indices(X, y)
        got = NearMiss(version=version).fit_resample_indices(X * scale, y)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_estimator_gives_the_same_rows_as_the_int(version):
    X, y = _data(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        by_int = NearMiss(version=version, n_neighbors=2, n_neighbors_ver3=4)
        by_object = NearMiss(
            version=version,
            n_neighbors=NearestNeighbors(n_neighbors=2),
            n_neighbors_ver3=NearestNeighbors(n_neighbors=4),
        )
        np.testing.assert_array_equal(
            by_int.fit_resample_indices(X, y), by_object.fit_resample_indices(X, y)
        )
    assert isinstance(by_object.nn_, NearestNeighbors) and by_object.nn_.n_neighbors == 2
    assert (version == 3) == hasattr(by_object, "nn_ver3_")
    assert by_int.nn_.n_neighbors == 2  # no "+1": the query rows are not among the minority


def test_a_metric_of_the_estimator_is_used():
    """The estimator's own distances score the rows, as in imbalanced-learn."""
    X, y = _data(3)
    nn = NearestNeighbors(n_neighbors=3, metric="manhattan")
    ours = NearMiss(n_neighbors=nn).fit_resample_indices(X, y)
    theirs = ImbNearMiss(n_neighbors=nn)
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours, theirs.sample_indices_)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_containers_dtype_and_weights_follow_the_rows(version):
    X, y = _data(4)
    weight = np.linspace(0.5, 2.0, len(y))
    images = np.repeat(X[:, :, None], 2, axis=2).astype(np.float32)  # (n, 3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sampler = NearMiss(version=version)
        X_res, y_res, w_res = sampler.fit_resample(images, y, sample_weight=weight)
        rows = sampler.sample_indices_
        assert X_res.dtype == np.float32 and X_res.shape[1:] == (3, 2)
        np.testing.assert_array_equal(X_res, images[rows])
        np.testing.assert_array_equal(y_res, y[rows])
        np.testing.assert_array_equal(w_res, weight[rows])

        frame = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(len(y)) * 3)
        X_df, y_s = sampler.fit_resample(frame, pd.Series(y, index=frame.index, name="t"))
        np.testing.assert_array_equal(X_df.index, frame.index[sampler.sample_indices_])
        assert list(X_df.columns) == ["a", "b", "c"] and y_s.name == "t"

        X_sp, _ = sampler.fit_resample(sparse.csr_matrix(X), y)
        assert sparse.issparse(X_sp)
        np.testing.assert_array_equal(X_sp.toarray(), X[sampler.sample_indices_])
        np.testing.assert_array_equal(sampler.sample_indices_, rows)


def test_nearmiss3_warns_when_it_keeps_fewer_rows():
    X, y = _data(5, sizes=(80, 20))
    sampler = NearMiss(version=3, n_neighbors_ver3=1)
    with pytest.warns(UserWarning, match="NearMiss-3 found .* fewer than the 20 asked for"):
        _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res)[0] < 20


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"version": 4}, ValueError, "'version' parameter of NearMiss must be"),
        ({"n_neighbors": "rnd"}, ValueError, "'n_neighbors' parameter of NearMiss must be"),
        ({"n_neighbors": 0}, ValueError, "'n_neighbors' parameter of NearMiss must be"),
        ({"n_neighbors": 13}, ValueError, "n_neighbors=13 needs at least 13 minority rows"),
        ({"version": 3, "n_neighbors_ver3": 31}, ValueError, "n_neighbors_ver3=31 needs"),
    ],
)
def test_bad_parameters_fail_before_any_work_and_leave_the_sampler_as_it_was(
    params, error, message
):
    X, y = _data(6)
    sampler = NearMiss().fit(X, y)
    before = dict(vars(sampler))
    sampler.set_params(**params)
    with pytest.raises(error, match=message):
        sampler.fit_resample(X, y)
    after = dict(vars(sampler))
    assert after.keys() == before.keys()
    assert {k: v for k, v in after.items() if k not in params} == {
        k: v for k, v in before.items() if k not in params
    }


@pytest.mark.parametrize("version", [1, 2, 3])
def test_scores_computed_in_chunks_compare_across_chunks(version, monkeypatch):
    """Class: chunked scoring where each chunk picks its own scale (or drops rows at chunk
    edges), making scores of different chunks incomparable at extreme scales."""
    import skbalance.sampling._nearmiss as nearmiss

    monkeypatch.setattr(nearmiss, "_DISTANCE_VALUES", 40)  # a few rows per chunk
    X, y = _data(7)
    X[np.flatnonzero(y == 0)[::3]] *= 8  # the chunks' own largest values differ
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = NearMiss(version=version).fit_resample_indices(X * 1e250, y)
    np.testing.assert_array_equal(got, _brute_force(X, y, version))


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("offset", [1e6, 1e9])
def test_a_large_common_offset_changes_nothing(version, offset):
    """Class: float64 cancellation in |a|^2 + |b|^2 - 2 a.b when the data sit far from the
    origin (unscaled columns such as incomes): distances of order 1 beside norms of 1e9."""
    X, y = _data(8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        got = NearMiss(version=version).fit_resample_indices(X + offset, y)
    np.testing.assert_array_equal(got, _brute_force(X, y, version))
