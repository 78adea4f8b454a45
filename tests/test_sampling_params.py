"""imbalanced-learn's parameters and fitted attributes on skbalance's samplers: neighbour
settings given as k-NN estimators (``nn_k_``, ``nn_m_``, ``nn_``), ``in_danger_indices``,
``sample_indices_``, the components of the combined samplers, and ``_parameter_constraints``
checked before any work."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

import skbalance.sampling._nearest as nearest_module
from skbalance.sampling import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    ExactNearestNeighbors,
    RandomOverSampler,
    RandomUnderSampler,
    SMOTETomek,
    TomekLinks,
)

ALL_SAMPLERS = [
    RandomUnderSampler,
    RandomOverSampler,
    SMOTE,
    BorderlineSMOTE,
    ADASYN,
    TomekLinks,
    EditedNearestNeighbours,
    SMOTETomek,
    SMOTEENN,
]

# (sampler class, neighbour parameter, fitted attribute, default int, extra parameters)
NEIGHBOUR_PARAMS = [
    (SMOTE, "k_neighbors", "nn_k_", 5, {"random_state": 0}),
    (BorderlineSMOTE, "k_neighbors", "nn_k_", 5, {"random_state": 0}),
    (BorderlineSMOTE, "m_neighbors", "nn_m_", 10, {"random_state": 0}),
    (BorderlineSMOTE, "k_neighbors", "nn_k_", 5, {"random_state": 0, "kind": "borderline-2"}),
    (ADASYN, "n_neighbors", "nn_", 5, {"random_state": 0}),
    (EditedNearestNeighbours, "n_neighbors", "nn_", 3, {}),
]
IDS = [
    f"{cls.__name__}-{param}-{extra.get('kind', '')}"
    for cls, param, _, _, extra in NEIGHBOUR_PARAMS
]


def overlapping(counts=(120, 40), n_features=3, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    return rng.normal(size=(len(y), n_features)) + 0.7 * y[:, None], y


class KDTreeNeighbors:
    """A k-NN estimator that is not scikit-learn's: only ``fit`` and ``kneighbors``
    (imbalanced-learn's ``_CustomNearestNeighbors`` pattern), with get_params for clone."""

    def __init__(self, n_neighbors=1):
        self.n_neighbors = n_neighbors

    def get_params(self, deep=True):
        return {"n_neighbors": self.n_neighbors}

    def set_params(self, **params):
        self.n_neighbors = params.get("n_neighbors", self.n_neighbors)
        return self

    def fit(self, X, y=None):
        from sklearn.neighbors import KDTree

        self.tree_ = KDTree(np.asarray(X))
        return self

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        distances, indices = self.tree_.query(np.asarray(X), k=n_neighbors or self.n_neighbors)
        return (distances, indices) if return_distance else indices


@pytest.mark.parametrize(
    ("cls", "param", "attribute", "default", "extra"), NEIGHBOUR_PARAMS, ids=IDS
)
@pytest.mark.parametrize("make", [NearestNeighbors, KDTreeNeighbors], ids=["sklearn", "custom"])
def test_an_estimator_gives_what_the_int_gives(cls, param, attribute, default, extra, make):
    """Class: a neighbour parameter given as an estimator (imbalanced-learn's API) that is
    ignored, miscounted (its n_neighbors includes the row itself) or queried differently.

    Reference: the same sampler with the int; on data without distance ties both searches
    have one answer, so every output row must be equal.
    """
    X, y = overlapping()
    k = 4
    by_int = cls(**extra, **{param: k})
    by_estimator = cls(**extra, **{param: make(n_neighbors=k + 1)})
    X_int, y_int = by_int.fit_resample(X, y)
    X_est, y_est = by_estimator.fit_resample(X, y)
    np.testing.assert_array_equal(X_est, X_int)
    np.testing.assert_array_equal(y_est, y_int)
    stored = getattr(by_estimator, attribute)
    assert type(stored) is make and stored.n_neighbors == k + 1
    assert stored is not by_estimator.get_params()[param]  # a clone: the parameter untouched
    assert not hasattr(by_estimator.get_params()[param], "tree_")
    exact = getattr(by_int, attribute)
    assert type(exact) is ExactNearestNeighbors and exact.n_neighbors == k + 1


@pytest.mark.parametrize(
    ("cls", "param", "attribute", "default", "extra"), NEIGHBOUR_PARAMS, ids=IDS
)
def test_fitted_neighbour_attributes_count_like_imbalanced_learn(
    cls, param, attribute, default, extra
):
    """Class: a fitted attribute missing or counted another way than imbalanced-learn's
    (its tests read ``smote.nn_k_.n_neighbors == 6``, ``smote.nn_m_.n_neighbors == 11``)."""
    X, y = overlapping()
    sampler = cls(**extra, n_jobs=2).fit(X, y)
    estimator = getattr(sampler, attribute)
    assert estimator.n_neighbors == default + 1 and estimator.n_jobs == 2
    imblearn = pytest.importorskip("imblearn")
    module = imblearn.under_sampling if cls is EditedNearestNeighbours else imblearn.over_sampling
    theirs = getattr(module, cls.__name__)(**extra)
    theirs.fit_resample(X, y)
    assert getattr(theirs, attribute).n_neighbors == estimator.n_neighbors


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), k=st.integers(1, 6), n_minority=st.integers(8, 30))
def test_smote_estimator_and_int_agree_property(seed, k, n_minority):
    """Class: two code paths for one parameter (int: our search; estimator: the user's)
    disagreeing on any data, sizes and k."""
    X, y = overlapping((50, n_minority), n_features=2, seed=seed)
    ours = SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)
    theirs = SMOTE(k_neighbors=NearestNeighbors(n_neighbors=k + 1), random_state=seed)
    np.testing.assert_array_equal(theirs.fit_resample(X, y)[0], ours[0])


def test_the_int_path_is_the_exact_search_with_self_exclusion(monkeypatch):
    """Class: the fast path lost (an int routed through a generic estimator, or a search
    that keeps each row as its own neighbour)."""
    calls = []
    original = nearest_module.kneighbors

    def spy(reference, k, *, query=None, query_index=None, n_jobs=None):
        calls.append((k, query is None or query_index is not None, n_jobs))
        return original(reference, k, query=query, query_index=query_index, n_jobs=n_jobs)

    monkeypatch.setattr(nearest_module, "kneighbors", spy)
    X, y = overlapping()
    for sampler in (
        SMOTE(k_neighbors=3, n_jobs=1),
        BorderlineSMOTE(k_neighbors=3, m_neighbors=7, n_jobs=1),
        BorderlineSMOTE(k_neighbors=3, m_neighbors=7, kind="borderline-2", n_jobs=1),
        ADASYN(n_neighbors=3, n_jobs=1),
        EditedNearestNeighbours(n_neighbors=3, n_jobs=1),
    ):
        calls.clear()
        sampler.fit_resample(X, y)
        assert calls and all(excludes_self and n_jobs == 1 for _, excludes_self, n_jobs in calls)
        assert {k for k, _, _ in calls} <= {3, 7}


def test_in_danger_indices_are_imbalanced_learns_rows():
    """Class: ``in_danger_indices`` missing, keyed by code instead of label, or holding
    positions within the class instead of rows of X.

    References: a brute-force rule (at least half, not all, of the m nearest rows of another
    class) and imbalanced-learn's attribute on the same data (no distance ties).
    """
    X, y = overlapping((150, 40, 30), n_features=2, seed=4)
    labels = np.array(["a", "b", "c"])[y]
    sampler = BorderlineSMOTE(m_neighbors=6, random_state=0)
    sampler.fit_resample(X, labels)
    distances = ((X[:, None] - X[None]) ** 2).sum(-1)
    np.fill_diagonal(distances, np.inf)
    near = np.argsort(distances, axis=1, kind="stable")[:, :6]
    n_other = (labels[near] != labels[:, None]).sum(axis=1)
    danger = (2 * n_other >= 6) & (n_other < 6)
    assert set(sampler.in_danger_indices) == {"b", "c"}
    for label, rows in sampler.in_danger_indices.items():
        np.testing.assert_array_equal(rows, np.flatnonzero(danger & (labels == label)))
    over_sampling = pytest.importorskip("imblearn.over_sampling")
    theirs = over_sampling.BorderlineSMOTE(m_neighbors=6, random_state=0)
    theirs.fit_resample(X, labels)
    assert set(theirs.in_danger_indices) == set(sampler.in_danger_indices)
    for label, rows in theirs.in_danger_indices.items():
        np.testing.assert_array_equal(sampler.in_danger_indices[label], rows)


@pytest.mark.parametrize(
    "make",
    [
        lambda: RandomUnderSampler(random_state=0),
        lambda: RandomOverSampler(random_state=0),
        TomekLinks,
        EditedNearestNeighbours,
        lambda: EditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=4)),
    ],
)
def test_row_selectors_expose_sample_indices(make):
    """Class: ``sample_indices_`` missing or not the rows returned."""
    X, y = overlapping()
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


@pytest.mark.parametrize(("cls", "cleaner"), [(SMOTEENN, "enn_"), (SMOTETomek, "tomek_")])
def test_combined_samplers_pass_n_jobs_to_their_default_components(cls, cleaner):
    """Class: imbalanced-learn's ``smt.enn_.n_jobs == 8`` (a component that ignores the
    wrapper's n_jobs)."""
    X, y = overlapping()
    for n_jobs in (None, 8):
        sampler = cls(random_state=0, n_jobs=n_jobs)
        sampler.fit_resample(X, y)
        assert getattr(sampler, cleaner).n_jobs == n_jobs
        assert sampler.smote_.n_jobs == n_jobs and sampler.smote_.nn_k_.n_jobs == n_jobs


def test_components_given_as_estimators_reach_the_components():
    """Class: a component's own neighbour estimator dropped when the combined sampler
    clones it."""
    X, y = overlapping()
    smote = SMOTE(k_neighbors=NearestNeighbors(n_neighbors=4), random_state=0)
    enn = EditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=4))
    sampler = SMOTEENN(smote=smote, enn=enn, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert type(sampler.smote_.nn_k_) is NearestNeighbors and sampler.smote_.nn_k_.n_neighbors == 4
    assert type(sampler.enn_.nn_) is NearestNeighbors
    reference = SMOTEENN(
        smote=SMOTE(k_neighbors=3, random_state=0), enn=EditedNearestNeighbours(n_neighbors=3)
    )
    np.testing.assert_array_equal(X_res, reference.fit_resample(X, y)[0])


@pytest.mark.parametrize("cls", ALL_SAMPLERS)
def test_parameter_constraints_name_every_parameter(cls):
    """Class: a parameter that escapes validation (scikit-learn's parameter validation only
    checks what ``_parameter_constraints`` names)."""
    assert set(cls._parameter_constraints) == set(cls().get_params(deep=False))


BAD_PARAMS = [
    (RandomUnderSampler, {"replacement": "yes"}, "'replacement' parameter of RandomUnderSampler"),
    (RandomUnderSampler, {"random_state": "zero"}, "'random_state' parameter"),
    (RandomOverSampler, {"shrinkage": -1}, "'shrinkage' parameter of RandomOverSampler"),
    (RandomOverSampler, {"method": "smote"}, "'method' parameter of RandomOverSampler"),
    (SMOTE, {"k_neighbors": 0}, "'k_neighbors' parameter of SMOTE must be an int in the range"),
    (SMOTE, {"k_neighbors": object()}, "or an object implementing 'fit' and 'kneighbors'"),
    (SMOTE, {"n_jobs": 0}, "'n_jobs' parameter of SMOTE must be an int in the range"),
    (BorderlineSMOTE, {"m_neighbors": 2.5}, "'m_neighbors' parameter of BorderlineSMOTE"),
    (BorderlineSMOTE, {"kind": "borderline"}, "'kind' parameter of BorderlineSMOTE"),
    (ADASYN, {"n_neighbors": -3}, "'n_neighbors' parameter of ADASYN"),
    (TomekLinks, {"n_jobs": 1.5}, "'n_jobs' parameter of TomekLinks"),
    (EditedNearestNeighbours, {"kind_sel": "any"}, "'kind_sel' parameter of Edited"),
    (SMOTETomek, {"smote": RandomOverSampler()}, "'smote' parameter of SMOTETomek"),
    (SMOTEENN, {"enn": TomekLinks()}, "'enn' parameter of SMOTEENN"),
]


@pytest.mark.parametrize(("cls", "params", "message"), BAD_PARAMS)
@pytest.mark.parametrize("method", ["fit", "fit_resample"])
def test_bad_parameters_are_refused_before_any_work(cls, params, message, method):
    """Class: a bad parameter found only after work (or never), or reported differently by
    fit and fit_resample. InvalidParameterError is a ValueError and a TypeError, so either
    ``except`` catches it; X=None proves no data was read first; the sampler is untouched."""
    sampler = cls(**params)
    before = dict(vars(sampler))
    with pytest.raises(InvalidParameterError, match=message) as error:
        getattr(sampler, method)(None, None)
    assert isinstance(error.value, ValueError) and isinstance(error.value, TypeError)
    assert vars(sampler) == before


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(replacement=1.5),
        RandomOverSampler(method="?"),
        TomekLinks(n_jobs=0),
        EditedNearestNeighbours(n_neighbors=0),
    ],
)
def test_fit_resample_indices_validates_parameters_first_too(sampler):
    """Class: one input, two rules (the index-only call skipping parameter validation)."""
    with pytest.raises(InvalidParameterError, match=f"parameter of {type(sampler).__name__}"):
        sampler.fit_resample_indices(None, None)


def test_an_estimator_that_only_counts_the_row_itself_is_refused():
    """Class: an estimator with n_neighbors=1 (the row alone, no neighbour), which
    imbalanced-learn turns into an empty neighbour list and an obscure error later."""
    X, y = overlapping()
    for sampler in (
        SMOTE(k_neighbors=NearestNeighbors(n_neighbors=1)),
        EditedNearestNeighbours(n_neighbors=NearestNeighbors(n_neighbors=1)),
    ):
        with pytest.raises(ValueError, match="n_neighbors=1, which counts the row itself"):
            sampler.fit_resample(X, y)
        assert not hasattr(sampler, "sampling_strategy_")
    with pytest.raises(ValueError, match="must have an integer n_neighbors >= 1"):
        SMOTE(k_neighbors=KDTreeNeighbors(n_neighbors=None)).fit_resample(X, y)


def test_estimator_too_large_for_a_class_is_a_clear_error():
    """Class: one size rule for the int and the estimator form of a parameter."""
    X, y = overlapping((50, 5))
    for k_neighbors in (5, NearestNeighbors(n_neighbors=6)):
        with pytest.raises(ValueError, match="needs k_neighbors \\+ 1 = 6 rows .* has 5"):
            SMOTE(k_neighbors=k_neighbors).fit_resample(X, y)
