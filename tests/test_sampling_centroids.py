"""ClusterCentroids: imbalanced-learn's centroids and rows, centroid weights, containers."""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from skbalance.sampling import ClusterCentroids

imblearn_under = pytest.importorskip("imblearn.under_sampling")


def _data(seed=0, n=90):
    return make_classification(
        n_samples=n, n_features=3, n_classes=3, n_informative=3, n_redundant=0,
        weights=[0.2, 0.3, 0.5], random_state=seed,
    )  # fmt: skip


def _sorted_rows(X):
    X = X.toarray() if sparse.issparse(X) else np.asarray(X)
    return X[np.lexsort(X.T[::-1])]


@pytest.mark.parametrize("voting", ["soft", "hard"])
def test_same_output_as_imbalanced_learn(voting):
    """Class: clustering, seeds or the nearest-row choice differing from imbalanced-learn
    (same rows up to order: imbalanced-learn groups rows by class)."""
    X, y = _data()
    X_ours, y_ours = ClusterCentroids(voting=voting, random_state=0).fit_resample(X, y)
    X_theirs, y_theirs = imblearn_under.ClusterCentroids(
        voting=voting, random_state=0
    ).fit_resample(X, y)
    for label in range(3):
        np.testing.assert_allclose(
            _sorted_rows(X_ours[y_ours == label]), _sorted_rows(X_theirs[y_theirs == label])
        )


def test_hard_voting_selects_rows_and_soft_does_not():
    """Class: sample_indices_ disagreeing with the sampler tag, or left over from an earlier
    fit with another voting."""
    X, y = _data()
    sampler = ClusterCentroids(voting="hard", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    tags = sampler.__sklearn_tags__().sampler_tags
    assert tags.sample_indices and tags.row_source == "features"
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])
    sampler.set_params(voting="soft").fit_resample(X, y)
    assert not hasattr(sampler, "sample_indices_")
    assert sampler.__sklearn_tags__().sampler_tags.row_source == "generated"
    auto = ClusterCentroids(random_state=0)
    auto.fit_resample(sparse.csr_matrix(X), y)
    assert auto.voting_ == "hard" and not hasattr(auto, "sample_indices_")


def test_centroid_weight_is_the_mean_weight_of_its_members():
    """Class: a centroid weighted by an arbitrary rule (a parent's weight, the class's sum)
    rather than the mean weight of the rows it stands for; brute-force reference."""
    X, y = _data(1)
    w = np.random.RandomState(0).uniform(0.5, 3, len(y))
    sampler = ClusterCentroids(random_state=0)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    untouched = np.flatnonzero(y == 0)  # the minority, kept whole and first
    np.testing.assert_array_equal(w_res[: len(untouched)], w[untouched])
    for label in (1, 2):
        rows = np.flatnonzero(y == label)
        centres = X_res[len(untouched) :][y_res[len(untouched) :] == label]
        owner = ((X[rows][:, None] - centres[None]) ** 2).sum(-1).argmin(axis=1)
        expected = [w[rows][owner == c].mean() for c in range(len(centres))]
        got = w_res[len(untouched) :][y_res[len(untouched) :] == label]
        np.testing.assert_allclose(got, expected)
    uniform = sampler.fit_resample(X, y, sample_weight=np.full(len(y), 2.5))[2]
    np.testing.assert_array_equal(uniform, 2.5)


class _OneCluster(BaseEstimator):
    """Puts every centre on the first row: all but one centre own no row."""

    def __init__(self, n_clusters=2):
        self.n_clusters = n_clusters

    def fit(self, X, y=None):
        self.cluster_centers_ = np.repeat(np.asarray(X[:1]) + 100.0, self.n_clusters, axis=0)
        self.cluster_centers_[1:] += np.arange(1, self.n_clusters)[:, None]
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


def test_centre_without_members_weighs_as_its_nearest_row():
    """Class: a division by zero (NaN weight) for a centre that is nearest to no row."""
    X, y = _data(2)
    w = np.arange(len(y)) + 1.0
    _, y_res, w_res = ClusterCentroids(estimator=_OneCluster()).fit_resample(X, y, sample_weight=w)
    assert np.isfinite(w_res).all() and len(w_res) == len(y_res)


def test_containers_and_dtypes():
    """Class: centroids written in the wrong container or dtype."""
    X, y = _data(3)
    X32 = X.astype(np.float32)
    X_res, _ = ClusterCentroids(random_state=0).fit_resample(X32, y)
    assert X_res.dtype == np.float32
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    X_df, y_s = ClusterCentroids(random_state=0).fit_resample(frame, pd.Series(y, name="t"))
    assert list(X_df.columns) == ["a", "b", "c"] and y_s.name == "t"
    X_sp, _ = ClusterCentroids(voting="soft", random_state=0).fit_resample(sparse.csc_matrix(X), y)
    assert sparse.issparse(X_sp) and X_sp.format == "csc"
    images, _ = ClusterCentroids(random_state=0).fit_resample(X.reshape(-1, 3, 1, 1), y)
    assert images.shape[1:] == (3, 1, 1)


def test_class_asked_for_zero_rows_is_dropped():
    """Class: k-means asked for 0 clusters (an error) instead of dropping the class."""
    X, y = _data(4)
    _, y_res = ClusterCentroids(sampling_strategy={2: 0, 1: 5}, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res, minlength=3).tolist() == [np.sum(y == 0), 5, 0]


class _NoParams:
    """Has fit and predict but no get_params (not a scikit-learn estimator)."""

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ({"estimator": LogisticRegression()}, ValueError, "exposing a parameter `n_clusters`"),
        ({"estimator": _NoParams()}, ValueError, "exposing a parameter `n_clusters`"),
        ({"voting": "both"}, ValueError, "'voting' parameter"),
    ],
)
def test_bad_parameters_fail_and_change_nothing(params, error, message):
    """Class: bad parameters reported late or leaving a half-fitted sampler."""
    X, y = _data()
    sampler = ClusterCentroids(random_state=0)
    sampler.fit_resample(X, y)
    centres = sampler.estimator_.cluster_centers_.copy()
    sampler.set_params(**params)
    with pytest.raises(error, match=message):
        sampler.fit_resample(X, y)
    np.testing.assert_array_equal(sampler.estimator_.cluster_centers_, centres)


def test_clusterer_without_centres_is_a_runtime_error():
    """Class: a clusterer without cluster_centers_ failing with an AttributeError deep inside."""

    class NoCentres(_OneCluster):
        def fit(self, X, y=None):
            return self

    X, y = _data()
    with pytest.raises(RuntimeError, match="fitted parameter `cluster_centers_`"):
        ClusterCentroids(estimator=NoCentres()).fit_resample(X, y)


def test_kmeans_object_is_cloned():
    """Class: the user's estimator refitted in place."""
    X, y = _data()
    kmeans = KMeans(n_init=1, random_state=0)
    ClusterCentroids(estimator=kmeans).fit_resample(X, y)
    assert not hasattr(kmeans, "cluster_centers_")
