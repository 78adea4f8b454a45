"""SVMSMOTE and KMeansSMOTE: geometry against brute force, exact counts, imbalanced-learn's
parameters and attributes, weights, containers, errors, atomic fits, extreme scales."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.spatial.distance import cdist, pdist
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbalance.sampling import SMOTE, SVMSMOTE, ExactNearestNeighbors, KMeansSMOTE

imblearn_checks = pytest.importorskip("imblearn.utils.estimator_checks")
imblearn_over = pytest.importorskip("imblearn.over_sampling")


def two_moons(n=(90, 30), seed=0, dtype=np.float64):
    """Overlapping classes: a minority with support vectors in danger and safe ones."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], n)
    X = rng.normal(size=(len(y), 2)) + y[:, None] * [1.2, 0.8]
    order = rng.permutation(len(y))
    return X[order].astype(dtype), y[order]


def clustered(seed=0, dtype=np.float64):
    """Three well-separated blobs; the minority (1, 34 rows of 98) is the larger part of two
    of them."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    per_blob = [(14, 16), (40, 3), (10, 15)]  # (majority, minority) rows per blob
    X, y = [], []
    for centre, (n0, n1) in zip(centres, per_blob, strict=True):
        X.append(centre + rng.normal(size=(n0 + n1, 2)) * [1.0, 0.4 + len(X) * 0.5])
        y += [0] * n0 + [1] * n1
    return np.vstack(X).astype(dtype), np.array(y)


class SignClusterer(BaseEstimator):
    """Clusters by the sign of the first two features: independent of the data's scale."""

    n_clusters = 4

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        X = X.toarray() if sparse.issparse(X) else np.asarray(X)
        return (X[:, 0] > 0).astype(int) * 2 + (X[:, 1] > 0).astype(int)


class MajoritySupport(BaseEstimator):
    """A "SVM" whose support vectors are all of class 0."""

    def fit(self, X, y):
        self.support_ = np.flatnonzero(y == 0)[:5]
        return self

    def predict(self, X):
        return np.zeros(X.shape[0], dtype=int)


def on_segments(new, starts, ends, tol=1e-9):
    """For each new row, every ``(i, gap)`` with ``new == starts[i] + gap*(ends[i]-starts[i])``."""
    d = ends - starts
    found = []
    for row in new:
        gaps = np.einsum("ij,ij->i", row - starts, d) / np.einsum("ij,ij->i", d, d)
        residual = np.linalg.norm(row - starts - gaps[:, None] * d, axis=1)
        hits = np.flatnonzero(residual < tol)
        found.append([(int(i), float(gaps[i])) for i in hits])
    return found


def neighbour_pairs(X, rows, seeds, k):
    """Brute force: (seed, neighbour) pairs, neighbour among the seed's k nearest in ``rows``."""
    pairs = []
    for s in seeds:
        d = cdist(X[[s]], X[rows])[0]
        d[rows == s] = np.inf
        order = np.lexsort((rows, d))[:k]
        pairs += [(s, rows[j]) for j in order]
    return np.array(pairs)


# -- SVMSMOTE: every new row follows the algorithm (brute-force reference) ------------------
def svm_reference(X, y, code, m=10):
    """Non-noise support vectors of class ``code`` and which of them are in danger."""
    support = np.sort(SVC(gamma="scale", random_state=0).fit(X, y).support_)
    seeds = support[y[support] == code]
    d = cdist(X[seeds], X)
    d[np.arange(len(seeds)), seeds] = np.inf
    near = np.array([np.lexsort((np.arange(len(X)), row))[:m] for row in d])
    n_other = (y[near] != code).sum(axis=1)
    keep = n_other < m
    return seeds[keep], (2 * n_other >= m)[keep]


def test_svmsmote_rows_come_from_support_vectors_in_danger_or_safe():
    """Class: a seed filter (noise, danger, safe) or a step direction that drifts from the
    algorithm: each new row must lie on the segment from a non-noise support vector to one
    of its k nearest same-class rows (in danger) or beyond the seed, away from it, by at
    most out_step (safe)."""
    X, y = two_moons()
    sampler = SVMSMOTE(random_state=0, out_step=0.3)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [90, 90]
    seeds, danger = svm_reference(X, y, 1)
    assert danger.any() and (~danger).any()  # both branches are exercised
    rows = np.flatnonzero(y == 1)
    pairs = neighbour_pairs(X, rows, seeds, 5)
    in_danger = dict(zip(seeds.tolist(), danger.tolist(), strict=True))
    n_extrapolated = 0

    def allowed(i, gap):
        if in_danger[pairs[i, 0]]:
            return 0 <= gap < 1
        return -0.3 - 1e-12 <= gap <= 0

    for hits in on_segments(X_res[len(X) :], X[pairs[:, 0]], X[pairs[:, 1]]):
        assert any(allowed(i, gap) for i, gap in hits)
        n_extrapolated += any(gap < 0 and allowed(i, gap) for i, gap in hits)
    assert n_extrapolated > 0


def test_svmsmote_class_gets_every_row_when_one_group_is_empty():
    """Class: a count that silently misses the target (imbalanced-learn adds only one
    group's share when no seed is in danger, or none is safe)."""
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(60, 2)), rng.normal(size=(20, 2)) + 6])  # separable
    y = np.repeat([0, 1], [60, 20])
    X_res, y_res = SVMSMOTE(random_state=0).fit_resample(X, y)
    _, danger = svm_reference(X, y, 1)
    assert not danger.any()
    assert np.bincount(y_res).tolist() == [60, 60]
    theirs = imblearn_over.SVMSMOTE(random_state=0).fit_resample(X, y)[1]
    assert np.bincount(theirs)[1] < 60  # the imbalanced-learn shortfall this fixes


def test_svmsmote_counts_and_attributes_match_imbalanced_learn():
    """Class: a parameter or fitted attribute imbalanced-learn users rely on is missing or
    differs (counts, nn_k_/nn_m_ with the +1 convention, svm_estimator_)."""
    X, y = two_moons(n=(100, 20))
    y = np.where(np.arange(len(y)) % 7 == 0, 2, y)  # a third class
    ours = SVMSMOTE(random_state=0).fit(X, y)
    ours_res = ours.fit_resample(X, y)[1]
    theirs = imblearn_over.SVMSMOTE(random_state=0)
    theirs.fit_resample(X, y)
    assert dict(ours.sampling_strategy_) == dict(theirs.sampling_strategy_)
    assert np.bincount(ours_res).tolist() == [int(np.bincount(y).max())] * 3
    assert ours.nn_k_.n_neighbors == theirs.nn_k_.n_neighbors == 6
    assert ours.nn_m_.n_neighbors == theirs.nn_m_.n_neighbors == 11
    assert isinstance(ours.nn_k_, ExactNearestNeighbors)
    assert ours.svm_estimator_.get_params() == theirs.svm_estimator_.get_params()


def test_svmsmote_estimator_objects_give_the_same_rows_as_ints():
    """Class: the int and estimator forms of a neighbour parameter disagree (off-by-one in
    the +1 convention, or a different neighbour order)."""
    X, y = two_moons()
    a = SVMSMOTE(random_state=3).fit_resample(X, y)[0]
    b = SVMSMOTE(
        random_state=3,
        k_neighbors=NearestNeighbors(n_neighbors=6),
        m_neighbors=NearestNeighbors(n_neighbors=11),
        svm_estimator=SVC(gamma="scale", random_state=3),
    ).fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)


def test_svmsmote_fits_the_svm_on_the_callers_labels():
    """Class: labels re-coded before reaching a user's estimator (a class_weight keyed by
    the user's labels would then fail or be ignored)."""
    X, y = two_moons()
    labels = np.array(["buy", "sell"])[y]
    svm = SVC(class_weight={"buy": 1.0, "sell": 3.0})
    sampler = SVMSMOTE(svm_estimator=svm, random_state=0)
    _, y_res = sampler.fit_resample(X, labels)
    assert sampler.svm_estimator_.classes_.tolist() == ["buy", "sell"]
    assert (y_res == "sell").sum() == 90


def test_svmsmote_errors_are_imbalanced_learns_types_and_say_what_to_do():
    """Class: an exception type users of imbalanced-learn catch is not raised (RuntimeError
    for a non-SVM, ValueError for all-noise), or a message that does not say what is wrong."""
    X, y = two_moons()
    with pytest.raises(RuntimeError, match="LogisticRegression has none") as info:
        SVMSMOTE(svm_estimator=LogisticRegression()).fit_resample(X, y)
    assert isinstance(info.value, ValueError)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.zeros(60, dtype=int)
    y[rng.choice(60, 4, replace=False)] = 1  # four minority rows, far apart, among the majority
    with pytest.raises(ValueError, match="class 1 has 4 support vector.*not adapted"):
        SVMSMOTE(k_neighbors=2, m_neighbors=3, random_state=0).fit_resample(X, y)
    y[y == 1] = [1, 1, 1, 0]
    with pytest.raises(ValueError, match="no support vector of class 1, .* not adapted"):
        SVMSMOTE(k_neighbors=2, svm_estimator=MajoritySupport()).fit_resample(X, y)
    with pytest.raises(ValueError, match="m_neighbors=60 needs at least 61 rows; X has 60"):
        SVMSMOTE(k_neighbors=2, m_neighbors=60).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"k_neighbors \+ 1 = 6 rows .* class 1 has 3"):
        SVMSMOTE().fit_resample(X, y)
    with pytest.raises(ValueError, match="n_neighbors >= 2 .* got n_neighbors=1"):
        SVMSMOTE(k_neighbors=NearestNeighbors(n_neighbors=1)).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="out_step"):
        SVMSMOTE(out_step=1.5).fit_resample(X, y)


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_svmsmote_default_svm_is_exact_at_extreme_scales(scale):
    """Class: over- or underflow at extreme scales (SVC's squared norms at 1e200 are inf, at
    1e-200 zero): the rows are the unit-scale rows, scaled."""
    X, y = two_moons()
    unit_X, unit_y = SVMSMOTE(random_state=0).fit_resample(X, y)
    X_res, y_res = SVMSMOTE(random_state=0).fit_resample(X * scale, y)
    np.testing.assert_array_equal(y_res, unit_y)
    np.testing.assert_allclose(X_res / scale, unit_X, rtol=1e-12, atol=0)


# -- KMeansSMOTE ---------------------------------------------------------------------------
def test_kmeans_smote_with_one_cluster_is_smote():
    """Class: KMeansSMOTE's single-cluster path drifts from SMOTE (imbalanced-learn's own
    test; here also with weights, float32 and the default k)."""
    X, y = two_moons(dtype=np.float32)
    w = np.linspace(0.5, 2.0, len(y))
    a = KMeansSMOTE(kmeans_estimator=1, k_neighbors=5, random_state=7).fit_resample(
        X, y, sample_weight=w
    )
    b = SMOTE(k_neighbors=5, random_state=7).fit_resample(X, y, sample_weight=w)
    for ours, smote in zip(a, b, strict=True):
        np.testing.assert_array_equal(ours, smote)
    assert a[0].dtype == np.float32


def reference_shares(X, y, clusters, code, n_add, total, k, exponent="auto"):
    """imbalanced-learn's valid clusters and weights, computed directly (float64 pdist)."""
    valid, sparsity = [], []
    for c in np.unique(clusters):
        in_c = clusters == c
        mean = (y[in_c] == code).mean()
        if mean < n_add / total / 2 or (y[in_c] == code).sum() < k + 1:
            continue
        rows = X[in_c & (y == code)]
        n = len(rows)
        e = math.log(n, 1.6) ** 1.8 * 0.16 if exponent == "auto" else exponent
        valid.append(c)
        sparsity.append(pdist(rows).mean() ** e / n)
    return valid, np.array(sparsity) / np.sum(sparsity)


def test_kmeans_smote_splits_rows_by_cluster_sparsity_and_stays_in_clusters():
    """Class: rows apportioned to the wrong clusters (balance threshold, sparsity weights) or
    interpolated across clusters: each cluster gets its largest-remainder share of the
    brute-force sparsity weights, and each new row lies between a class row of a cluster and
    one of its k nearest class rows in the same cluster."""
    X, y = clustered()
    kmeans = KMeans(n_clusters=3, n_init=3, random_state=0)
    sampler = KMeansSMOTE(kmeans_estimator=kmeans, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_add = int((y == 0).sum() - (y == 1).sum())
    assert np.bincount(y_res).tolist() == [64, 64]
    clusters = sampler.kmeans_estimator_.labels_
    valid, shares = reference_shares(X, y, clusters, 1, n_add, n_add, 2)
    assert len(valid) == 2  # the blob with 3 minority rows of 43 is below the threshold
    expected = np.floor(shares * n_add).astype(int)
    expected[np.argsort(-(shares * n_add - expected))[: n_add - expected.sum()]] += 1
    new = X_res[len(X) :]
    found = np.zeros(len(valid), dtype=int)
    for j, c in enumerate(valid):
        rows = np.flatnonzero((clusters == c) & (y == 1))
        pairs = neighbour_pairs(X, rows, rows, 2)
        hits = on_segments(new, X[pairs[:, 0]], X[pairs[:, 1]])
        on = np.array([any(-1e-12 <= g < 1 for _, g in row_hits) for row_hits in hits])
        found[j] = on.sum()
    assert found.tolist() == expected.tolist()


def test_kmeans_smote_counts_and_attributes_match_imbalanced_learn():
    """Class: a parameter or fitted attribute imbalanced-learn users rely on is missing or
    differs (nn_k_ with the +1 convention, kmeans_estimator_, cluster_balance_threshold_)."""
    X, y = clustered()
    for params in (
        {},
        {"kmeans_estimator": 3, "cluster_balance_threshold": 0.1},
        {"kmeans_estimator": 1},
        {"kmeans_estimator": MiniBatchKMeans(n_clusters=2, n_init=1, random_state=0)},
    ):
        ours = KMeansSMOTE(random_state=0, **params)
        theirs = imblearn_over.KMeansSMOTE(random_state=0, **params)
        ours_y = ours.fit_resample(X, y)[1]
        theirs.fit_resample(X, y)
        assert dict(ours.sampling_strategy_) == dict(theirs.sampling_strategy_)
        assert np.bincount(ours_y).tolist() == [64, 64]  # exact; imbalanced-learn rounds up
        assert ours.nn_k_.n_neighbors == theirs.nn_k_.n_neighbors == 3
        assert ours.cluster_balance_threshold_ == theirs.cluster_balance_threshold_
        assert ours.kmeans_estimator_.get_params() == theirs.kmeans_estimator_.get_params()
        np.testing.assert_array_equal(
            ours.kmeans_estimator_.cluster_centers_, theirs.kmeans_estimator_.cluster_centers_
        )


@pytest.mark.parametrize("scale", [1e-200, 1e200])
def test_kmeans_smote_is_exact_at_extreme_scales(scale):
    """Class: over- or underflow in a density formula (mean_distance ** exponent is inf or 0
    at 1e200 / 1e-200, and imbalanced-learn's shares become NaN). With a fixed exponent the
    shares do not depend on the scale, so the rows are the unit-scale rows, scaled."""
    X, y = clustered()
    X = X - X.mean(axis=0)
    params = dict(kmeans_estimator=SignClusterer(), density_exponent=4.0, random_state=0)
    unit_X, unit_y = KMeansSMOTE(**params).fit_resample(X, y)
    X_res, y_res = KMeansSMOTE(**params).fit_resample(X * scale, y)
    np.testing.assert_array_equal(y_res, unit_y)
    np.testing.assert_allclose(X_res / scale, unit_X, rtol=1e-12, atol=0)


def test_kmeans_smote_errors_are_imbalanced_learns_types_and_say_what_to_do():
    """Class: an exception type users of imbalanced-learn catch is not raised (RuntimeError
    when no cluster qualifies), or a bad parameter accepted silently."""
    X, y = clustered()
    with pytest.raises(RuntimeError, match="No clusters found .* class 1.*at least 10") as e:
        KMeansSMOTE(cluster_balance_threshold=10, random_state=0).fit_resample(X, y)
    assert isinstance(e.value, ValueError)
    with pytest.raises(ValueError, match="density_exponent must be 'auto' or a number; got nan"):
        KMeansSMOTE(density_exponent=float("nan")).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="kmeans_estimator"):
        KMeansSMOTE(kmeans_estimator=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="kmeans_estimator must be None, a number of clusters"):
        KMeansSMOTE(kmeans_estimator=True).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="k_neighbors"):
        KMeansSMOTE(k_neighbors="five").fit_resample(X, y)


# -- both: weights, containers, atomic fits, conformance -------------------------------------
BOTH = [
    lambda: SVMSMOTE(random_state=0),
    lambda: KMeansSMOTE(
        kmeans_estimator=SignClusterer(), cluster_balance_threshold=0.1, random_state=0
    ),
]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), which=st.sampled_from([0, 1]))
def test_weights_stay_between_the_parents(seed, which):
    """Class: a derived weight outside its parents' range (an extrapolated row's weight,
    extrapolated too, can turn negative)."""
    X, y = two_moons(seed=seed)
    X = X - X.mean(axis=0)
    w = np.random.default_rng(seed).uniform(0.0, 5.0, len(y))
    try:
        _, _, w_res = BOTH[which]().fit_resample(X, y, sample_weight=w)
    except ValueError:  # all support vectors noise / no cluster: nothing to check
        return
    assert w_res[: len(y)].tolist() == w.tolist()
    new = w_res[len(y) :]
    assert new.min() >= w[y == 1].min() and new.max() <= w[y == 1].max()


def test_extrapolated_rows_keep_their_seeds_weight():
    """Class: a weight rule that silently differs for SVMSMOTE's extrapolated rows."""
    X, y = two_moons()
    w = np.where(y == 1, np.arange(len(y)) + 1.0, 1.0)  # each minority row its own weight
    X_res, _, w_res = SVMSMOTE(random_state=0, out_step=0.3).fit_resample(X, y, sample_weight=w)
    seeds, danger = svm_reference(X, y, 1)
    safe = seeds[~danger]
    rows = np.flatnonzero(y == 1)
    pairs = neighbour_pairs(X, rows, safe, 5)
    n_checked = 0
    for hits, weight in zip(
        on_segments(X_res[len(X) :], X[pairs[:, 0]], X[pairs[:, 1]]), w_res[len(X) :], strict=True
    ):
        seeds_of_row = {int(pairs[i, 0]) for i, gap in hits if -0.3 - 1e-12 <= gap < -1e-9}
        if len(seeds_of_row) == 1:  # unambiguously an extrapolation from one safe seed
            assert weight == w[seeds_of_row.pop()]
            n_checked += 1
    assert n_checked > 0


@pytest.mark.parametrize("make", BOTH, ids=["SVMSMOTE", "KMeansSMOTE"])
def test_containers_round_trip(make):
    """Class: a container or dtype lost (float32 to float64, DataFrame to ndarray, sparse to
    dense, images to tables) or results that depend on the container."""
    X, y = two_moons(dtype=np.float32)
    X_res, y_res = make().fit_resample(X, y)
    assert X_res.dtype == np.float32
    frame = pd.DataFrame(X, columns=["a", "b"]).astype({"b": np.float64})
    f_res, s_res = make().fit_resample(frame, pd.Series(y, name="t"))
    assert list(f_res.columns) == ["a", "b"] and f_res.dtypes.tolist() == [np.float32, np.float64]
    assert s_res.name == "t" and (s_res.index == f_res.index).all()
    sp_res, _ = make().fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(sp_res) and sp_res.format == "csr"
    np.testing.assert_allclose(sp_res.toarray(), X_res, rtol=1e-6)
    images = X.reshape(len(X), 1, 2, 1)
    i_res, _ = make().fit_resample(images, y)
    assert i_res.shape[1:] == (1, 2, 1)
    np.testing.assert_array_equal(i_res.reshape(len(i_res), -1), X_res)


@pytest.mark.parametrize("make", BOTH, ids=["SVMSMOTE", "KMeansSMOTE"])
def test_failed_fit_changes_nothing(make):
    """Class: a failed fit that leaves a mix of old and new fitted attributes."""
    X, y = two_moons()
    sampler = make().fit(X, y)
    sampler.set_params(k_neighbors=NearestNeighbors(n_neighbors=1))
    before = dict(vars(sampler))
    with pytest.raises(ValueError, match="n_neighbors >= 2"):
        sampler.fit_resample(X[:, :1], y)
    after = vars(sampler)
    assert after.keys() == before.keys()
    assert all(after[name] is value for name, value in before.items())


# imbalanced-learn's own settings for its checks (KMeansSMOTE: 12 clusters)
SAMPLERS = [SVMSMOTE(random_state=42), KMeansSMOTE(random_state=0, kmeans_estimator=12)]


@imblearn_checks.parametrize_with_checks(SAMPLERS)
def test_imbalanced_learn_sampler_checks(estimator, check):
    check(estimator)


def _sklearn_expected_failures(estimator):
    if isinstance(estimator, KMeansSMOTE):
        return {}
    return {
        "check_fit2d_1feature": "10 rows over 3 classes: fewer than k_neighbors + 1 rows in a "
        "class (clear error)",
        "check_estimators_nan_inf": "10 rows, fewer than m_neighbors + 1 = 11 (clear error)",
    }


@parametrize_with_checks(SAMPLERS, expected_failed_checks=_sklearn_expected_failures)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
