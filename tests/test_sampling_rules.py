"""One rule per concept in the samplers: combined samplers and the SMOTE passed in, what
``sampling_strategy_`` reports, classes with nothing to seed from, atomic fits, and the
smoothed-bootstrap bandwidth of ``RandomOverSampler(shrinkage=...)``."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from skbalance.sampling import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    RandomOverSampler,
    RandomUnderSampler,
    SMOTETomek,
    TomekLinks,
)
from skbalance.sampling._random import smoothed_bootstrap_bandwidth


def overlapping(counts=(80, 30), n_features=2, seed=0, shift=0.8):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    return rng.normal(size=(len(y), n_features)) + shift * y[:, None], y


COMBINED = [(SMOTETomek, "tomek", TomekLinks), (SMOTEENN, "enn", EditedNearestNeighbours)]


# -- combined samplers: the SMOTE passed in ---------------------------------------------------
@pytest.mark.parametrize(("combined", "param", "cleaner"), COMBINED)
@pytest.mark.parametrize("outer_seed", [None, 1, 2])
def test_smote_passed_in_runs_with_its_own_random_state(combined, param, cleaner, outer_seed):
    """Class: a component's random_state overridden by the wrapper's (runs differed).

    Reference: the same SMOTE, then the cleaner, called one after the other.
    """
    X, y = overlapping()
    smote = SMOTE(random_state=0, k_neighbors=3)
    sampler = combined(smote=smote, random_state=outer_seed)
    first, second = sampler.fit_resample(X, y), clone(sampler).fit_resample(X, y)
    X_grown, y_grown = clone(smote).fit_resample(X, y)
    X_ref, y_ref = cleaner(sampling_strategy="all").fit_resample(X_grown, y_grown)
    for X_res, y_res in (first, second):
        np.testing.assert_array_equal(X_res, X_ref)
        np.testing.assert_array_equal(y_res, y_ref)


@pytest.mark.parametrize(("combined", "param", "cleaner"), COMBINED)
def test_smote_without_a_seed_takes_the_combined_samplers_seed(combined, param, cleaner):
    """Class: a documented fallback that is not what the code does (seed rule)."""
    X, y = overlapping()
    X_res, _ = combined(smote=SMOTE(k_neighbors=3), random_state=7).fit_resample(X, y)
    X_grown, y_grown = SMOTE(k_neighbors=3, random_state=7).fit_resample(X, y)
    X_ref, _ = cleaner(sampling_strategy="all").fit_resample(X_grown, y_grown)
    np.testing.assert_array_equal(X_res, X_ref)


@pytest.mark.parametrize(("combined", "param", "cleaner"), COMBINED)
@pytest.mark.parametrize(
    "smote",
    [
        SMOTE(sampling_strategy={1: 50}, random_state=3),
        SMOTE(sampling_strategy=0.5, random_state=3),
        BorderlineSMOTE(sampling_strategy={1: 45}, random_state=3),
        ADASYN(random_state=3),
    ],
)
def test_sampling_strategy_reports_what_the_smote_passed_in_added(combined, param, cleaner, smote):
    """Class: a fitted attribute that reports the request instead of what was done.

    ``sampling_strategy_`` equals what the SMOTE passed in adds on its own (its
    ``sampling_strategy_``, which is exactly the rows it added), after ``fit`` and after
    ``fit_resample``; the cleaner's targets are in ``<cleaner>_.sampling_strategy_``.
    """
    X, y = overlapping()
    alone = clone(smote)
    X_grown, y_grown = alone.fit_resample(X, y)
    added = np.bincount(y_grown) - np.bincount(y)
    assert dict(alone.sampling_strategy_) == {
        label: int(n) for label, n in enumerate(added) if label in alone.sampling_strategy_
    }
    sampler = combined(smote=smote)
    assert dict(sampler.fit(X, y).sampling_strategy_) == dict(alone.sampling_strategy_)
    X_res, y_res = sampler.fit_resample(X, y)
    assert dict(sampler.sampling_strategy_) == dict(alone.sampling_strategy_)
    assert dict(sampler.smote_.sampling_strategy_) == dict(alone.sampling_strategy_)
    X_ref, y_ref = cleaner(sampling_strategy="all").fit_resample(X_grown, y_grown)
    np.testing.assert_array_equal(X_res, X_ref)
    assert getattr(sampler, param + "_").sampling_strategy_ is not None


@pytest.mark.parametrize(("combined", "param", "cleaner"), COMBINED)
def test_default_smote_uses_the_combined_samplers_strategy_and_seed(combined, param, cleaner):
    """Class: the wrapper's own parameters not reaching its default component."""
    X, y = overlapping()
    sampler = combined(sampling_strategy=0.6, random_state=4)
    X_res, _ = sampler.fit_resample(X, y)
    reference = SMOTE(sampling_strategy=0.6, random_state=4)
    X_grown, y_grown = reference.fit_resample(X, y)
    X_ref, _ = cleaner(sampling_strategy="all").fit_resample(X_grown, y_grown)
    np.testing.assert_array_equal(X_res, X_ref)
    assert dict(sampler.sampling_strategy_) == dict(reference.sampling_strategy_) == {1: 18}


@pytest.mark.parametrize(("combined", "param", "cleaner"), COMBINED)
def test_conflicting_or_foreign_components_are_refused(combined, param, cleaner):
    """Class: a parameter silently ignored (the wrapper's strategy beside a given SMOTE)."""
    X, y = overlapping()
    sampler = combined(smote=SMOTE(), sampling_strategy=0.5)
    with pytest.raises(ValueError, match="got both smote=SMOTE\\(\\) and sampling_strategy=0.5"):
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "sampling_strategy_")
    name = combined.__name__
    with pytest.raises(TypeError, match=f"The 'smote' parameter of {name} must be an instance"):
        combined(smote=RandomOverSampler()).fit_resample(X, y)
    wrong_cleaner = EditedNearestNeighbours() if cleaner is TomekLinks else TomekLinks()
    expected = f"The '{param}' parameter of {name} must be an instance of .*{cleaner.__name__}"
    with pytest.raises(TypeError, match=expected):
        combined(**{param: wrong_cleaner}).fit_resample(X, y)


# -- sampling_strategy_ is what was added; nothing to seed from is an error ------------------
@settings(max_examples=25, deadline=None)
@given(
    counts=st.lists(st.integers(8, 40), min_size=2, max_size=4),
    shift=st.sampled_from([0.3, 1.0, 4.0, 50.0]),
    seed=st.integers(0, 1000),
)
def test_over_samplers_add_exactly_sampling_strategy_or_raise(counts, shift, seed):
    """Class: an over-sampler that adds fewer rows than ``sampling_strategy_`` reports.

    Every over-sampler, on overlapping or well-separated classes, either adds exactly
    ``sampling_strategy_[label]`` rows of each class, or raises a ValueError that names
    the class and says what to use instead.
    """
    X, y = overlapping(counts, seed=seed, shift=shift)
    for sampler in (
        RandomOverSampler(random_state=0),
        SMOTE(random_state=0, k_neighbors=5),
        BorderlineSMOTE(random_state=0, m_neighbors=5),
        BorderlineSMOTE(random_state=0, m_neighbors=5, kind="borderline-2"),
        ADASYN(random_state=0),
    ):
        try:
            _, y_res = sampler.fit_resample(X, y)
        except ValueError as exc:
            assert isinstance(sampler, BorderlineSMOTE | ADASYN), exc
            assert "use SMOTE for this data" in str(exc) and "of class" in str(exc)
            assert not hasattr(sampler, "sampling_strategy_")
            continue
        added = np.bincount(y_res) - np.bincount(y)
        expected = np.zeros(len(counts), dtype=int)
        for label, n_rows in sampler.sampling_strategy_.items():
            expected[label] = n_rows
        np.testing.assert_array_equal(added, expected)


@pytest.mark.parametrize(
    ("sampler", "message"),
    [
        (BorderlineSMOTE(random_state=0), "no row of class 'rare' is in danger"),
        (ADASYN(random_state=0), "no row of class 'rare' has a neighbour of another class"),
    ],
)
def test_separated_classes_follow_one_rule_for_borderline_and_adasyn(sampler, message):
    """Class: two samplers with two rules for "nothing to seed from" (one skipped silently).

    imbalanced-learn's BorderlineSMOTE adds no rows and says nothing, its ADASYN raises a
    RuntimeError; ours both raise a ValueError naming the class.
    """
    X, y = overlapping((60, 20), shift=100.0)
    labels = np.array(["common", "rare"])[y]
    with pytest.raises(ValueError, match=message + ".*use SMOTE for this data"):
        sampler.fit_resample(X, labels)


def test_imbalanced_learn_differs_as_documented():
    """The difference from imbalanced-learn stated in the docstrings is real."""
    over_sampling = pytest.importorskip("imblearn.over_sampling")
    X, y = overlapping((60, 20), shift=100.0)
    _, y_res = over_sampling.BorderlineSMOTE(random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [60, 20]  # silently nothing added
    with pytest.raises(RuntimeError, match="Use SMOTE instead"):
        over_sampling.ADASYN(random_state=0).fit_resample(X, y)


# -- a failed fit leaves the sampler as it was ------------------------------------------------
FAILURES = [
    ("bad parameter", {"k_neighbors": 0}, None),
    ("NaN in X", {}, "nan"),
    ("categorical column", {}, "category"),
    ("y of another length", {}, "short_y"),
    ("one class", {}, "one_class"),
]


def broken_input(kind, X, y):
    if kind == "nan":
        X = X.copy()
        X[3, 0] = np.nan
    elif kind == "category":
        X = pd.DataFrame(X).assign(c=pd.Categorical(["a", "b"] * (len(X) // 2)))
    elif kind == "short_y":
        y = y[:-1]
    elif kind == "one_class":
        y = np.zeros_like(y)
    return X, y


def fitted_state(sampler):
    return {
        key: (value.tolist() if isinstance(value, np.ndarray) else value)
        for key, value in vars(sampler).items()
        if key.endswith("_") or key.startswith("_")
    }


@pytest.mark.parametrize(("what", "params", "kind"), FAILURES, ids=[f[0] for f in FAILURES])
@pytest.mark.parametrize(
    "make",
    [
        lambda: SMOTE(random_state=0, k_neighbors=3),
        lambda: RandomOverSampler(random_state=0, shrinkage=1.0),
        lambda: TomekLinks(),
        lambda: SMOTETomek(random_state=0, smote=SMOTE(k_neighbors=3)),
    ],
    ids=["SMOTE", "RandomOverSampler", "TomekLinks", "SMOTETomek"],
)
def test_a_failed_refit_leaves_the_sampler_exactly_as_it_was(make, what, params, kind):
    """Class: a fit that fails half-way (new n_features_in_ beside an old sampling_strategy_).

    Every source of failure -- parameters, data, labels -- is tried after a good fit on
    other data; the fitted attributes afterwards are exactly those of the good fit.
    """
    sampler = make()
    X_good, y_good = overlapping((50, 20), n_features=3, seed=1)
    sampler.fit_resample(pd.DataFrame(X_good, columns=["a", "b", "c"]), y_good)
    before = fitted_state(sampler)
    if params and "k_neighbors" not in sampler.get_params():
        params = {"sampling_strategy": "nonsense"}
    sampler.set_params(**params)
    X, y = broken_input(kind, *overlapping((40, 12), n_features=2, seed=2))
    for method in (sampler.fit_resample, sampler.fit):
        with pytest.raises((ValueError, TypeError)):
            method(X, y)
        assert fitted_state(sampler) == before


# -- smoothed bootstrap: imbalanced-learn's bandwidth -----------------------------------------
def noise_of(sampler, X, y):
    X_res, _ = sampler.fit_resample(X, y)
    new = slice(len(X), None)
    return (X_res[new].astype(np.float64) - X[sampler.sample_indices_[new]]).astype(np.float64)


def test_bandwidth_is_imbalanced_learns_formula_with_all_rows():
    """Class: a docstring claim of sameness that is not tested (the class size was used).

    The formula is read from imbalanced-learn 0.14's ``_random_over_sampler.py``:
    ``(4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))`` with
    ``n_samples, n_features = X.shape`` -- every row, not the class's.
    """
    for n_samples, n_features in [(200, 3), (21000, 2), (7, 50)]:
        expected = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
        assert smoothed_bootstrap_bandwidth(n_samples, n_features) == expected


@pytest.mark.parametrize("shrinkage", [0.5, 2.0])
def test_noise_std_matches_imbalanced_learns_formula_and_imbalanced_learn(shrinkage):
    """Class: the smoothed-bootstrap noise of another bandwidth than imbalanced-learn's.

    Noise std per feature = shrinkage * h * (the class's std of the feature), h with all
    rows; measured on 19000 noisy copies (sampling error ~0.5%), for ours and for
    imbalanced-learn's RandomOverSampler.
    """
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [20000, 1000])
    X = rng.normal(size=(len(y), 2)) * [1.0, 30.0] + 5 * y[:, None]
    h = (4 / ((2 + 2) * len(y))) ** (1 / (2 + 4))
    expected = shrinkage * h * X[y == 1].std(axis=0)
    ours = noise_of(RandomOverSampler(shrinkage=shrinkage, random_state=0), X, y).std(axis=0)
    np.testing.assert_allclose(ours, expected, rtol=0.03)
    h_class = (4 / ((2 + 2) * 1000)) ** (1 / (2 + 4))  # the old rule: 1.6x wider here
    assert np.all(ours < 0.8 * shrinkage * h_class * X[y == 1].std(axis=0))
    over_sampling = pytest.importorskip("imblearn.over_sampling")
    theirs = noise_of(over_sampling.RandomOverSampler(shrinkage=shrinkage, random_state=0), X, y)
    np.testing.assert_allclose(theirs.std(axis=0), expected, rtol=0.03)


@pytest.mark.parametrize(
    ("scale", "dtype"),
    [(1e-25, np.float32), (1e20, np.float32), (1e-200, np.float64), (1e200, np.float64)],
)
def test_noise_keeps_its_relative_size_at_extreme_scales(scale, dtype):
    """Class: statistics whose squares overflow (1e20**2 in float32, 1e200**2 in float64)
    or underflow to zero noise (1e-25**2, 1e-200**2).

    Reference: the std of the unscaled data, times the scale.
    """
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], [3000, 300])
    unscaled = rng.normal(size=(len(y), 2)) + y[:, None]
    X = (unscaled * scale).astype(dtype)
    noise = noise_of(RandomOverSampler(shrinkage=1.0, random_state=0), X, y)
    h = smoothed_bootstrap_bandwidth(len(y), 2)
    expected = h * unscaled[y == 1].std(axis=0)
    assert np.isfinite(noise).all()
    np.testing.assert_allclose((noise / scale).std(axis=0), expected, rtol=0.1)


@pytest.mark.parametrize("factor", [np.inf, np.nan, -0.5, "1"])
def test_shrinkage_must_be_a_finite_number(factor):
    """Class: a parameter accepted that makes every output row inf or NaN."""
    X, y = overlapping()
    with pytest.raises(
        ValueError,
        match="The 'shrinkage' parameter of RandomOverSampler must be a float in "
        "the range \\[0.0, inf\\), an instance of 'dict' or None",
    ):
        RandomOverSampler(shrinkage=factor).fit_resample(X, y)
    # a factor per class (in a dict), or a bool, meets the same rule
    for shrinkage in ({1: factor}, True):
        message = "needs to be >= 0 \\(a finite number\\). Got .* for class 1"
        with pytest.raises(ValueError, match=message):
            RandomOverSampler(shrinkage=shrinkage).fit_resample(X, y)


def test_zero_shrinkage_gives_exact_copies():
    """Class: noise added when none is asked for (imbalanced-learn: 0 == plain bootstrap)."""
    X, y = overlapping()
    sampler = RandomOverSampler(shrinkage=0.0, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])


def test_under_sampler_unaffected_by_shrinkage_rules():
    """Row selection never reads X's values (it stays the cheap per-epoch path)."""
    X = np.array([["a"], ["b"], ["c"], ["d"], ["e"]], dtype=object)
    sampler = RandomUnderSampler(random_state=0)
    X_res, _ = sampler.fit_resample(X, [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])


def test_shrinkage_on_sparse_x_follows_imbalanced_learn():
    """Class: a documented imbalanced-learn feature refused (sparse X with shrinkage), and
    noise that fills columns the class never varies in (a sparse X stays sparse there).

    imbalanced-learn 0.14 (``RandomOverSampler._fit_resample``, sparse branch): noise std per
    column = shrinkage * h * the class's std with zeros counted (``mean_variance_axis``), h
    with all rows; the new rows are returned in X's sparse format.
    """
    from scipy import sparse
    from sklearn.utils.sparsefuncs import mean_variance_axis

    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], [8000, 2000])
    dense = np.where(rng.random((len(y), 4)) < 0.6, 0.0, rng.normal(size=(len(y), 4)) * 3)
    dense[y == 1, 2] = 0.0  # never varies within the over-sampled class
    X = sparse.csc_matrix(dense)
    sampler = RandomOverSampler(shrinkage=0.7, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sparse.issparse(X_res) and X_res.format == "csc" and X_res.dtype == X.dtype
    assert (X_res[: len(y)] != X).nnz == 0 and np.bincount(y_res).tolist() == [8000, 8000]
    noise = (X_res[len(y) :] - X[sampler.sample_indices_[len(y) :]]).toarray()
    h = (4 / ((4 + 2) * len(y))) ** (1 / (4 + 4))
    _, variance = mean_variance_axis(X.tocsr()[y == 1], axis=0)
    expected = 0.7 * h * np.sqrt(variance)
    np.testing.assert_allclose(noise.std(axis=0), expected, rtol=0.04)
    assert not noise[:, 2].any() and X_res[len(y) :, 2].nnz == 0  # stays sparse there
    over_sampling = pytest.importorskip("imblearn.over_sampling")
    theirs = over_sampling.RandomOverSampler(shrinkage=0.7, random_state=0)
    X_theirs, _ = theirs.fit_resample(X, y)
    their_noise = (X_theirs[len(y) :] - X[theirs.sample_indices_[len(y) :]]).toarray()
    np.testing.assert_allclose(their_noise.std(axis=0), expected, rtol=0.04)
    # fit accepts what fit_resample accepts
    assert RandomOverSampler(shrinkage=0.7).fit(X, y).sampling_strategy_ == {1: 6000}
