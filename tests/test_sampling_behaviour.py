"""Behaviour of skbalance.sampling: counts, provenance, geometry, weights, containers, errors."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import sparse
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

ALL = [
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
ROW_SELECTING = [RandomUnderSampler, RandomOverSampler, TomekLinks, EditedNearestNeighbours]
OVER = [RandomOverSampler, SMOTE, BorderlineSMOTE, ADASYN]
NEIGHBOUR_BASED = [SMOTE, BorderlineSMOTE, ADASYN, TomekLinks, EditedNearestNeighbours]


def make(cls, **params):
    if "random_state" in cls().get_params():
        params.setdefault("random_state", 0)
    return cls(**params)


def blobs(n_per_class=(60, 25, 10), n_features=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    X = rng.normal(size=(len(y), n_features)) + y[:, None] * 0.7
    order = rng.permutation(len(y))
    return X[order].astype(dtype), y[order]


counts_strategy = st.lists(st.integers(7, 40), min_size=2, max_size=4)


# -- exact counts (independent formulas of imbalanced-learn's meanings) -----------------------
@given(counts=counts_strategy, name=st.sampled_from(["auto", "not majority", "all", "minority"]))
def test_over_samplers_reach_the_majority_count_for_targeted_classes(counts, name):
    X, y = blobs(counts)
    majority, minority = int(np.argmax(counts)), int(np.argmin(counts))
    targeted = {
        "auto": [c for c in range(len(counts)) if c != majority],
        "not majority": [c for c in range(len(counts)) if c != majority],
        "all": list(range(len(counts))),
        "minority": [minority],
    }[name]
    expected = [max(counts) if c in targeted else n for c, n in enumerate(counts)]
    for cls in (RandomOverSampler, SMOTE):
        _, y_res = make(
            cls, sampling_strategy=name, **({"k_neighbors": 3} if cls is SMOTE else {})
        ).fit_resample(X, y)
        assert np.bincount(y_res).tolist() == expected


@given(counts=counts_strategy, name=st.sampled_from(["auto", "not minority", "all", "majority"]))
def test_under_sampler_reaches_the_minority_count_for_targeted_classes(counts, name):
    X, y = blobs(counts)
    majority, minority = int(np.argmax(counts)), int(np.argmin(counts))
    targeted = {
        "auto": [c for c in range(len(counts)) if c != minority],
        "not minority": [c for c in range(len(counts)) if c != minority],
        "all": list(range(len(counts))),
        "majority": [majority],
    }[name]
    expected = [min(counts) if c in targeted else n for c, n in enumerate(counts)]
    _, y_res = make(RandomUnderSampler, sampling_strategy=name).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == expected


@given(minority=st.integers(5, 30), majority=st.integers(31, 80), ratio=st.floats(0.5, 1.0))
def test_float_strategy_binary(minority, majority, ratio):
    assume(int(majority * ratio) > minority and int(minority / ratio) <= majority)
    X, y = blobs((majority, minority))
    _, y_over = make(RandomOverSampler, sampling_strategy=ratio).fit_resample(X, y)
    assert np.bincount(y_over).tolist() == [majority, int(majority * ratio)]
    _, y_under = make(RandomUnderSampler, sampling_strategy=ratio).fit_resample(X, y)
    assert np.bincount(y_under).tolist() == [int(minority / ratio), minority]


def test_dict_and_callable_strategies_and_fitted_strategy():
    X, y = blobs((60, 25, 10))
    sampler = make(RandomOverSampler, sampling_strategy={1: 40, 2: 30})
    _, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [60, 40, 30]
    assert dict(sampler.sampling_strategy_) == {1: 15, 2: 20}  # rows added, as imblearn
    under = make(RandomUnderSampler, sampling_strategy=lambda labels: {0: 12})
    _, y_res = under.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [12, 25, 10]
    assert dict(under.sampling_strategy_) == {0: 12}


def test_string_labels_and_list_strategy_for_cleaning():
    X, y = blobs((60, 25, 10))
    labels = np.array(["buy", "hold", "sell"], dtype=object)[y]
    _, y_res = make(SMOTE, k_neighbors=3).fit_resample(X, labels)
    assert sorted(set(y_res)) == ["buy", "hold", "sell"] and len(y_res) == 180
    cleaner = EditedNearestNeighbours(sampling_strategy=["buy"])
    _, y_clean = cleaner.fit_resample(X, labels)
    assert (y_clean == "hold").sum() == 25 and (y_clean == "sell").sum() == 10


# -- provenance and geometry ----------------------------------------------------------------
@pytest.mark.parametrize("cls", ROW_SELECTING)
@given(seed=st.integers(0, 1000))
def test_row_selecting_samplers_return_input_rows_of_the_same_class(cls, seed):
    X, y = blobs((40, 15, 9), seed=seed)
    sampler = make(cls)
    X_res, y_res = sampler.fit_resample(X, y)
    idx = sampler.sample_indices_
    np.testing.assert_array_equal(X_res, X[idx])
    np.testing.assert_array_equal(y_res, y[idx])
    np.testing.assert_array_equal(sampler.fit_resample_indices(X, y), idx)


@given(n_minority=st.integers(5, 20), n_majority=st.integers(21, 60))
def test_stratified_over_sampling_uses_every_row_floor_or_ceil_times(n_minority, n_majority):
    X, y = blobs((n_majority, n_minority))
    sampler = make(RandomOverSampler)
    sampler.fit_resample(X, y)
    uses = np.bincount(sampler.sample_indices_, minlength=len(y))[y == 1]
    ratio = n_majority / n_minority
    assert set(uses.tolist()) <= {int(np.floor(ratio)), int(np.ceil(ratio))}
    assert uses.sum() == n_majority


@pytest.mark.parametrize("cls", [SMOTE, BorderlineSMOTE, ADASYN])
@given(seed=st.integers(0, 1000))
def test_synthetic_rows_lie_on_segments_to_same_class_neighbours(cls, seed):
    X, y = blobs((50, 15), seed=seed)
    w = np.random.default_rng(seed).uniform(0.5, 2.0, size=len(y))
    sampler = make(cls, random_state=seed)
    try:
        X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    except ValueError as exc:  # ADASYN/Borderline may find no hard region: a clear error
        assert isinstance(sampler, ADASYN | BorderlineSMOTE)
        assert "use SMOTE for this data" in str(exc)
        return
    np.testing.assert_array_equal(X_res[: len(X)], X)  # originals first, in order
    np.testing.assert_array_equal(w_res[: len(X)], w)
    k = 5
    minority = np.flatnonzero(y == 1)
    dist = ((X[minority, None] - X[None, minority]) ** 2).sum(-1)
    np.fill_diagonal(dist, np.inf)
    neighbours = np.argsort(dist, axis=1)[:, :k]
    for row, label, weight in zip(X_res[len(X) :], y_res[len(X) :], w_res[len(X) :], strict=True):
        assert label == 1
        found = False
        for i, a in enumerate(minority):
            for b in minority[neighbours[i]]:
                step = X[b] - X[a]
                gap = step @ (row - X[a]) / (step @ step)
                if -1e-9 <= gap <= 1 + 1e-9 and np.allclose(X[a] + gap * step, row):
                    found = found or np.isclose(weight, w[a] + gap * (w[b] - w[a]))
        assert found


# -- sample weights ---------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_sample_weight_is_returned_row_aligned_and_not_modified(cls):
    X, y = blobs((60, 25, 10))
    w = np.arange(1, len(y) + 1, dtype=float)
    w_before = w.copy()
    sampler = make(cls)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=w)
    assert len(w_res) == len(y_res) == len(X_res)
    np.testing.assert_array_equal(w, w_before)
    if cls in ROW_SELECTING:
        np.testing.assert_array_equal(w_res, w[sampler.sample_indices_])
    X_plain, y_plain = clone(sampler).fit_resample(X, y)
    np.testing.assert_array_equal(X_plain, X_res)


# -- containers -------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_pandas_in_pandas_out(cls):
    X, y = blobs((60, 25, 10))
    X_df = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(100, 195))
    X_df["c"] = X_df["c"].astype(np.float32)
    y_s = pd.Series(y, name="target", index=X_df.index)
    sampler = make(cls)
    X_res, y_res = sampler.fit_resample(X_df, y_s)
    assert list(X_res.columns) == ["a", "b", "c"]
    assert X_res.dtypes.tolist() == X_df.dtypes.tolist()
    assert y_res.name == "target" and X_res.index.equals(y_res.index)
    assert X_res.index.is_unique or cls is RandomOverSampler  # copies keep their label
    if cls in ROW_SELECTING:  # row selection keeps the index labels
        assert X_res.index.equals(X_df.index[sampler.sample_indices_])
        np.testing.assert_allclose(X_res.to_numpy(), X_df.iloc[sampler.sample_indices_])
    else:
        kept = X_res.index[X_res.index < 195]
        np.testing.assert_allclose(X_res.loc[kept].to_numpy(), X_df.loc[kept].to_numpy())
    if cls in OVER[1:]:  # synthetic rows continue the integer index after its maximum
        assert X_res.index[-1] == 194 + (len(X_res) - len(X_df))


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_in_sparse_out_same_format_and_same_values_as_dense(cls, fmt):
    if cls is RandomOverSampler:
        pass
    X, y = blobs((60, 25, 10))
    X[np.abs(X) < 0.5] = 0
    X_sp = sparse.csr_matrix(X).asformat(fmt)
    X_res, y_res = make(cls).fit_resample(X_sp, y)
    assert sparse.issparse(X_res) and X_res.format == fmt
    X_dense, y_dense = make(cls).fit_resample(X, y)
    np.testing.assert_allclose(X_res.toarray(), X_dense, rtol=1e-6)
    np.testing.assert_array_equal(y_res, y_dense)


@pytest.mark.parametrize("cls", ALL)
def test_float32_stays_float32_and_higher_rank_arrays_keep_their_shape(cls):
    X, y = blobs((60, 25, 10), n_features=12, dtype=np.float32)
    X_img = X.reshape(-1, 2, 3, 2)  # images (n, h, w, c)
    X_res, y_res = make(cls).fit_resample(X_img, y)
    assert X_res.dtype == np.float32 and X_res.shape[1:] == (2, 3, 2)
    X_flat, _ = make(cls).fit_resample(X, y)
    np.testing.assert_array_equal(X_res.reshape(len(X_res), -1), X_flat)
    X_seq, _ = make(cls).fit_resample(X.reshape(-1, 4, 3), y)  # sequences (n, t, f)
    assert X_seq.shape == (len(X_res), 4, 3)


@pytest.mark.parametrize("cls", ALL)
def test_inputs_are_never_modified(cls):
    X, y = blobs((60, 25, 10))
    X_df = pd.DataFrame(X)
    copies = (X.copy(), y.copy(), X_df.copy())
    make(cls).fit_resample(X, y)
    make(cls).fit_resample(X_df, pd.Series(y))
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    pd.testing.assert_frame_equal(X_df, copies[2])


def test_row_selection_keeps_a_non_integer_index_and_synthetic_rows_renumber():
    X, y = blobs((30, 10))
    index = [f"r{i}" for i in range(40)]
    X_df, y_s = pd.DataFrame(X, index=index), pd.Series(y, index=index)
    X_under, _ = make(RandomUnderSampler).fit_resample(X_df, y_s)
    assert set(X_under.index) <= set(index)
    X_smote, _ = make(SMOTE).fit_resample(X_df, y_s)
    assert X_smote.index.equals(pd.RangeIndex(60))


def test_list_input_gives_list_output_and_onehot_y_stays_onehot():
    X, y = blobs((30, 10))
    X_res, y_res = make(RandomOverSampler).fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list) and len(y_res) == 60
    onehot = np.eye(2, dtype=int)[y]
    _, y_oh = make(SMOTE).fit_resample(X, onehot)
    assert y_oh.shape == (60, 2) and (y_oh.sum(axis=1) == 1).all()


# -- determinism, clone, index path ------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_same_random_state_same_output_and_clone(cls):
    X, y = blobs((60, 25, 10))
    sampler = make(cls)
    assert clone(sampler).get_params() == sampler.get_params()
    first, second = sampler.fit_resample(X, y), clone(sampler).fit_resample(X, y)
    np.testing.assert_array_equal(first[0], second[0])
    assert sampler.fit(X, y) is sampler and hasattr(sampler, "sampling_strategy_")


def test_random_state_instance_advances_between_calls():
    X, y = blobs((60, 10))
    sampler = RandomUnderSampler(random_state=np.random.RandomState(0))
    assert not np.array_equal(
        sampler.fit_resample_indices(X, y), sampler.fit_resample_indices(X, y)
    )


def test_over_sampler_method_bootstrap_and_smoothed_bootstrap():
    X, y = blobs((60, 10))
    boot = make(RandomOverSampler, method="bootstrap")
    X_res, _ = boot.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X[boot.sample_indices_])
    smooth = make(RandomOverSampler, shrinkage=1.0)
    X_smooth, y_smooth = smooth.fit_resample(X, y)
    np.testing.assert_array_equal(X_smooth[:70], X)
    assert not np.allclose(X_smooth[70:], X[smooth.sample_indices_[70:]])
    assert smooth.shrinkage_ == {1: 1.0}


def test_index_only_path_refuses_samplers_that_create_rows():
    X, y = blobs((30, 10))
    with pytest.raises(TypeError, match="creates new rows"):
        SMOTE().fit_resample_indices(X, y)


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_one_class_is_an_error(cls):
    message = r"y needs to have more than 1 class; it has only one: \[7\]"
    with pytest.raises(ValueError, match=message):
        make(cls).fit_resample(np.zeros((10, 2)), np.full(10, 7))


@pytest.mark.parametrize("cls", ALL)
def test_x_and_y_of_different_lengths_is_an_error(cls):
    with pytest.raises(ValueError, match="X has 10 rows but y has 9 labels"):
        make(cls).fit_resample(np.zeros((10, 2)), np.arange(9) % 2)


def test_unknown_strategy_string_names_it_and_lists_valid_ones():
    X, y = blobs((30, 10))
    with pytest.raises(ValueError, match="Unknown sampling_strategy 'most'.*'not minority'"):
        RandomUnderSampler(sampling_strategy="most").fit_resample(X, y)


def test_k_neighbors_larger_than_the_class_names_class_count_and_k():
    X, y = blobs((30, 4))
    labels = np.array(["big", "tiny"])[y]
    with pytest.raises(ValueError, match="class 'tiny' has 4 .*k_neighbors=5.*at most 3"):
        SMOTE().fit_resample(X, labels)


@pytest.mark.parametrize("cls", NEIGHBOUR_BASED + [SMOTETomek, SMOTEENN])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_where_distances_are_needed(cls, bad):
    X, y = blobs((30, 10))
    X[5, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinity \\(first in row 5\\)"):
        make(cls).fit_resample(X, y)


def test_random_samplers_accept_nan_and_strings():
    X = np.array([["a"], ["b"], [np.nan], ["c"], ["d"]], dtype=object)
    _, y_res = RandomOverSampler(random_state=0).fit_resample(X, [0, 0, 0, 1, 1])
    assert len(y_res) == 6


@pytest.mark.parametrize(
    ("sampler", "message"),
    [
        (RandomOverSampler(sampling_strategy="majority"), "cannot be used with an over-sampler"),
        (RandomUnderSampler(sampling_strategy={0: 100}), "can only remove rows.*has 30"),
        (RandomOverSampler(sampling_strategy={9: 100}), "class 9, which is not present"),
        (RandomOverSampler(sampling_strategy=0.1), "increase the ratio"),
        (TomekLinks(sampling_strategy={0: 3}), "dict is not supported by cleaning"),
        (
            RandomOverSampler(method="smote"),
            "The 'method' parameter of RandomOverSampler must be a str among "
            "{'[a-z]+', '[a-z]+'}. Got 'smote' instead.",
        ),
        (
            SMOTE(k_neighbors=0),
            "The 'k_neighbors' parameter of SMOTE must be an int in the range \\[1, inf\\) or "
            "an object implementing 'fit' and 'kneighbors'. Got 0 instead.",
        ),
        (BorderlineSMOTE(kind="borderline-3"), "The 'kind' parameter of BorderlineSMOTE must"),
        (EditedNearestNeighbours(kind_sel="any"), "The 'kind_sel' parameter of Edited"),
        (
            RandomOverSampler(shrinkage={1: -1.0}),
            "The shrinkage factor needs to be >= 0 \\(a finite number\\). Got -1.0 for class 1.",
        ),
    ],
)
def test_bad_parameters_are_clear_value_errors(sampler, message):
    X, y = blobs((30, 10))
    with pytest.raises(ValueError, match=message):
        sampler.fit_resample(X, y)


def test_continuous_and_multilabel_targets_are_errors():
    X = np.zeros((20, 2))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        SMOTE().fit_resample(X, np.linspace(0, 1, 20))
    with pytest.raises(ValueError, match="Multilabel and multioutput"):
        SMOTE().fit_resample(X, np.random.default_rng(0).integers(0, 2, size=(20, 3)))


def test_bad_sample_weight_is_an_error_before_work():
    X, y = blobs((30, 10))
    with pytest.raises(ValueError, match="one weight per row, shape \\(40,\\)"):
        SMOTE().fit_resample(X, y, sample_weight=np.ones(39))
    with pytest.raises(ValueError, match="must be >= 0 for every row"):
        SMOTE().fit_resample(X, y, sample_weight=-np.ones(40))


@pytest.mark.parametrize(
    "module", ["_random", "_smote", "_cleaning", "_combine", "_strategy", "_containers"]
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(f"skbalance.sampling.{module}")
    assert doctest.testmod(mod, optionflags=doctest.ELLIPSIS).failed == 0


def test_unknown_keyword_arguments_are_a_type_error():
    X, y = blobs((30, 10))
    with pytest.raises(TypeError, match="unexpected keyword argument.*'classes'"):
        SMOTE().fit_resample(X, y, classes=[0, 1])
