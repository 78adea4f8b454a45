"""SMOTENC and SMOTEN: imbalanced-learn's methods, checked against independent references.

References: imbalanced-learn itself (counts, ``median_std_``, the Value Difference Metric),
brute-force neighbours (a full sort of every distance), and the parents recovered from each
synthetic row. imbalanced-learn's own test modules for these classes are run against ours
by tests/test_imblearn_suite.py.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.metrics.pairwise import ValueDifferenceMetric
from imblearn.over_sampling import SMOTEN as ImbSMOTEN
from imblearn.over_sampling import SMOTENC as ImbSMOTENC
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbalance.sampling import SMOTE, SMOTEN, SMOTENC
from skbalance.sampling._smote_nc import (
    _class_probabilities,
    _smallest,
    _vdm_block,
    _vdm_tables,
)

rng0 = np.random.default_rng(0)
N = 60
Y = np.repeat([0, 1], [45, 15])


def mixed_frame(n=N, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "income": rng.normal(50, 10, n),
            "age": rng.integers(18, 90, n),
            "city": pd.Categorical(
                rng.choice(["Oslo", "Rome", "Lima"], n),
                categories=["Lima", "Oslo", "Rome", "Unused"],
            ),
            "plan": rng.choice(["basic", "gold"], n).astype(object),
            "score": rng.normal(size=n).astype(np.float32),
            "flag": rng.random(n) < 0.3,
        }
    )


def brute_neighbours(space, k):
    """k nearest rows (excluding itself) by a full stable sort of float64 distances."""
    diff = space[:, None, :].astype(np.float64) - space[None, :, :]
    dist = np.sqrt((diff**2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    return np.argsort(dist, axis=1, kind="stable")[:, :k]


def imblearn_space(continuous, categorical):
    """imbalanced-learn's encoded space for one class, built independently."""
    median_std = np.median(continuous.std(axis=0))
    onehot = OneHotEncoder(sparse_output=False).fit_transform(categorical)
    return np.hstack([continuous, onehot * median_std / np.sqrt(2)]), median_std


# -- counts and fitted attributes against imbalanced-learn -----------------------------------
@pytest.mark.parametrize("strategy", ["auto", 0.5, {1: 30}, "not majority"])
def test_counts_and_attributes_match_imblearn(strategy):
    """Class: a sampler that reaches other counts, or other fitted attributes, than its twin."""
    X = mixed_frame()
    ours = SMOTENC(categorical_features=[2, 3], sampling_strategy=strategy, random_state=0)
    theirs = ImbSMOTENC(categorical_features=[2, 3], sampling_strategy=strategy, random_state=0)
    _, y_ours = ours.fit_resample(X, Y)
    _, y_theirs = theirs.fit_resample(X, Y)
    assert np.bincount(y_ours).tolist() == np.bincount(y_theirs).tolist()
    np.testing.assert_array_equal(ours.categorical_features_, theirs.categorical_features_)
    np.testing.assert_array_equal(ours.continuous_features_, theirs.continuous_features_)
    assert ours.median_std_.keys() == theirs.median_std_.keys()
    for label, value in theirs.median_std_.items():
        assert ours.median_std_[label] == pytest.approx(value, rel=1e-12)
    assert ours.n_features_ == theirs.n_features_ == 6
    assert ours.nn_k_.n_neighbors == 6
    assert [c.tolist() for c in ours.categorical_encoder_.categories_] == [
        c.tolist() for c in theirs.categorical_encoder_.categories_
    ]

    X_cat = np.array([["a", "x"], ["b", "y"], ["a", "y"], ["c", "x"]] * 15, dtype=object)
    _, y_n = SMOTEN(sampling_strategy=strategy, random_state=0).fit_resample(X_cat, Y)
    _, y_imb = ImbSMOTEN(sampling_strategy=strategy, random_state=0).fit_resample(X_cat, Y)
    assert np.bincount(y_n).tolist() == np.bincount(y_imb).tolist()


# -- SMOTENC: parents, neighbours and the vote, recovered from the output ---------------------
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 5), n_categories=st.integers(1, 4))
def test_smotenc_rows_come_from_exact_neighbours_and_the_vote(seed, k, n_categories):
    """Class: neighbours found in the wrong space (unscaled one-hot, fractional categories) or
    a categorical value that is not the vote of the base row's neighbours.

    Every synthetic row is traced back to a base row ``a`` and one of its ``k`` brute-force
    nearest class rows ``b`` (continuous part and weight on the same segment); each category
    is one of the most frequent among ``a``'s neighbours.
    """
    rng = np.random.default_rng(seed)
    n = 40
    y = np.repeat([0, 1], [28, 12])
    X = np.empty((n, 4), dtype=object)
    X[:, :2] = rng.normal(size=(n, 2)) * rng.choice([1e-3, 1.0, 1e4])
    X[:, 2] = rng.choice(list("pqrs")[:n_categories], n)
    X[:, 3] = rng.integers(0, 2, n)
    weight = rng.random(n) + 1.0
    sampler = SMOTENC(categorical_features=[2, 3], k_neighbors=k, random_state=seed)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weight)
    np.testing.assert_array_equal(X_res[:n], X)

    rows = np.flatnonzero(y == 1)
    continuous = X[rows, :2].astype(float)
    space, median_std = imblearn_space(continuous, X[rows][:, 2:])
    assert sampler.median_std_[1] == pytest.approx(median_std)
    neighbours = brute_neighbours(space, k)
    for new, w_new in zip(X_res[n:], w_res[n:], strict=True):
        # a segment can be found from either end (mutual neighbours): any base row explains it
        explained = False
        for a in range(len(rows)):
            for b in neighbours[a]:
                delta = continuous[b] - continuous[a]
                moved = new[:2].astype(float) - continuous[a]
                g = moved[np.argmax(np.abs(delta))] / delta[np.argmax(np.abs(delta))]
                w_a, w_b = weight[rows[a]], weight[rows[b]]
                on_segment = np.allclose(continuous[a] + g * delta, new[:2].astype(float))
                if not (on_segment and -1e-9 <= g <= 1 + 1e-9):
                    continue
                if not np.isclose(w_a + g * (w_b - w_a), w_new):
                    continue
                voted = True
                for column in (2, 3):
                    values, counts = np.unique(X[rows[neighbours[a]], column], return_counts=True)
                    voted &= new[column] in set(values[counts == counts.max()])
                explained |= voted
        assert explained, new


def test_smotenc_ties_go_to_any_tied_category_at_random():
    """Class: a tie rule that always picks the first category (a bias imbalanced-learn avoids)."""
    rng = np.random.default_rng(1)
    X = np.empty((40, 2), dtype=object)
    X[:, 0] = rng.normal(size=40)
    X[:, 1] = np.tile(["u", "v"], 20)  # every minority neighbourhood of 2 ties 1:1 or agrees
    y = np.repeat([0, 1], [20, 20])
    y[::7] = 0
    seen = set()
    for seed in range(8):
        X_res, _ = SMOTENC(
            categorical_features=[1], k_neighbors=2, sampling_strategy={1: 60}, random_state=seed
        ).fit_resample(X, y)
        seen |= set(X_res[40:, 1])
    assert seen == {"u", "v"}


# -- SMOTEN: the Value Difference Metric and its neighbours ------------------------------------
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_classes=st.integers(2, 4))
def test_vdm_distances_are_imblearns_and_neighbours_exact(seed, n_classes):
    """Class: a 'fast' VDM that is not the metric (or rounds differently), or neighbours that
    miss a tie at the k-th distance.

    The distances equal imbalanced-learn's ``ValueDifferenceMetric.pairwise`` bit for bit; the
    selected neighbours are the first ``k + 1`` by (distance, index), as a full stable sort.
    """
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 3, size=(50, 3))
    y = rng.integers(0, n_classes, 50)
    y[:n_classes] = np.arange(n_classes)
    vdm = ValueDifferenceMetric(n_categories=[3, 3, 3]).fit(codes, y)
    expected = vdm.pairwise(codes[y == 0])
    probabilities = _class_probabilities(codes, y, n_classes, [3, 3, 3])
    for ours, theirs in zip(probabilities, vdm.proba_per_class_, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    tables, local_codes = _vdm_tables(codes[y == 0], probabilities)
    got = _vdm_block(tables, local_codes, slice(0, int((y == 0).sum())))
    np.testing.assert_array_equal(got, expected)
    expected = vdm.pairwise(codes)
    for count in (1, 4, 10):
        reference = np.sort(np.argsort(expected, axis=1, kind="stable")[:, :count], axis=1)
        np.testing.assert_array_equal(_smallest(expected.copy(), count), reference)


def test_smoten_rows_are_the_mode_of_the_base_row_and_its_neighbours():
    """Class: SMOTEN votes among the wrong rows, or its ties are not the smallest category.

    Reference: imbalanced-learn's own VDM, brute-force neighbours (the row itself first) and
    ``scipy.stats.mode``; each new row must be the mode of some row's neighbourhood.
    """
    from scipy.stats import mode

    rng = np.random.default_rng(3)
    X = rng.choice(list("abcd"), size=(50, 3)).astype(object)
    y = np.repeat([0, 1], [35, 15])
    weight = rng.random(50)
    X_res, y_res, w_res = SMOTEN(k_neighbors=3, random_state=0).fit_resample(
        X, y, sample_weight=weight
    )
    encoder = OrdinalEncoder(dtype=np.int32).fit(X)
    codes = encoder.transform(X)
    distance = ValueDifferenceMetric().fit(codes, y).pairwise(codes[y == 1])
    np.fill_diagonal(distance, -1.0)
    near = np.argsort(distance, axis=1, kind="stable")[:, :4]
    modes = mode(codes[y == 1][near], axis=1, keepdims=False).mode
    candidates = {tuple(row) for row in encoder.inverse_transform(modes)}
    assert {tuple(row) for row in X_res[50:]} <= candidates
    # a new row carries its base row's weight (it lies on no segment)
    assert set(np.round(w_res[50:], 12)) <= set(np.round(weight[y == 1], 12))


def test_smoten_resampling_takes_the_class_category():
    """Class: categories drawn from the wrong class (imbalanced-learn's own example)."""
    X = np.array(["green"] * 5 + ["red"] * 10 + ["blue"] * 7, dtype=object).reshape(-1, 1)
    y = np.array(
        ["apple"] * 5 + ["not apple"] * 3 + ["apple"] * 7 + ["not apple"] * 5 + ["apple"] * 2,
        dtype=object,
    )
    X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[len(X) :], "blue")
    np.testing.assert_array_equal(y_res[len(X) :], "not apple")


# -- neighbour parameter as an estimator ------------------------------------------------------
def test_k_neighbors_estimator_is_the_int():
    """Class: an estimator parameter that counts neighbours differently from the int."""
    X = mixed_frame()
    by_int = SMOTENC(categorical_features=[2, 3], k_neighbors=4, random_state=0)
    by_estimator = SMOTENC(
        categorical_features=[2, 3], k_neighbors=NearestNeighbors(n_neighbors=5), random_state=0
    )
    pd.testing.assert_frame_equal(by_int.fit_resample(X, Y)[0], by_estimator.fit_resample(X, Y)[0])
    assert isinstance(by_estimator.nn_k_, NearestNeighbors)

    X_cat = np.array([["a", "x"], ["b", "y"], ["a", "y"], ["c", "x"], ["c", "y"]] * 12)
    X_a, _ = SMOTEN(k_neighbors=NearestNeighbors(n_neighbors=3), random_state=0).fit_resample(
        X_cat, Y
    )
    assert SMOTEN(k_neighbors=NearestNeighbors(n_neighbors=3)).fit(X_cat, Y).nn_k_ is not None
    assert {tuple(r) for r in X_a[60:]} <= {tuple(r) for r in X_cat}


# -- containers and dtypes ------------------------------------------------------------------
def test_dataframe_dtypes_and_categories_round_trip():
    """Class: synthetic values cast to the wrong dtype (categories lost or NaN, ints
    truncated, bools from any non-zero, float32 widened)."""
    X = mixed_frame()
    before = X.copy()
    X_res, y_res = SMOTENC(categorical_features="auto", random_state=0).fit_resample(X, Y)
    pd.testing.assert_frame_equal(X, before)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert X_res["city"].cat.categories.tolist() == ["Lima", "Oslo", "Rome", "Unused"]
    new = X_res.iloc[N:]
    assert set(new["city"]) <= {"Oslo", "Rome", "Lima"}
    assert set(new["plan"]) <= {"basic", "gold"}
    assert new["city"].notna().all() and new["plan"].notna().all()
    minority = X[Y == 1]
    assert new["age"].between(minority["age"].min(), minority["age"].max()).all()
    pd.testing.assert_frame_equal(X_res.iloc[:N], X)
    assert list(X_res.index) == list(range(len(X_res)))


@pytest.mark.parametrize("fmt", ["ndarray_float32", "ndarray_object", "csr", "csc", "list"])
def test_array_containers_keep_type_and_categories(fmt):
    """Class: a container or dtype changed by the categorical path (sparse made dense,
    float32 widened, object arrays turned into numbers)."""
    rng = np.random.default_rng(0)
    dense = np.column_stack([rng.normal(size=N), rng.integers(0, 3, N), rng.normal(size=N)])
    X = {
        "ndarray_float32": dense.astype(np.float32),
        "ndarray_object": dense.astype(object),
        "csr": sparse.csr_matrix(dense),
        "csc": sparse.csc_matrix(dense),
        "list": dense.tolist(),
    }[fmt]
    X_res, y_res = SMOTENC(categorical_features=[1], random_state=0).fit_resample(X, Y)
    if fmt == "list":
        assert isinstance(X_res, list)
        X_res = np.asarray(X_res)
    elif sparse.issparse(X):
        assert X_res.format == X.format
        X_res = X_res.toarray()
    else:
        assert X_res.dtype == X.dtype
    assert set(np.asarray(X_res[N:, 1], dtype=float)) <= {0.0, 1.0, 2.0}
    assert len(y_res) == 90


def test_smoten_dataframe_and_sparse():
    """Class: SMOTEN losing a DataFrame's dtypes or a sparse format."""
    X = pd.DataFrame(
        {
            "colour": pd.Categorical(np.tile(["r", "g", "b"], 20)),
            "size": np.tile(["S", "M", "L", "XL"], 15),
            "n": np.tile([1, 2], 30),
        }
    )
    X_res, _ = SMOTEN(random_state=0).fit_resample(X, Y)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert X_res["colour"].cat.categories.tolist() == ["b", "g", "r"]
    X_sp = sparse.csr_matrix(np.tile([[1.0, 0.0], [0.0, 2.0], [1.0, 2.0]], (20, 1)))
    with pytest.warns(Warning, match="not really efficient"):
        X_res, _ = SMOTEN(random_state=0).fit_resample(X_sp, Y)
    assert X_res.format == "csr"
    assert {tuple(r) for r in X_res.toarray()} <= {(1.0, 0.0), (0.0, 2.0), (1.0, 2.0)}


# -- errors, before any work, estimator unchanged --------------------------------------------
@pytest.mark.parametrize(
    ("features", "X_kind", "error", "message"),
    [
        ([0, 10], "frame", ValueError, r"all features must be in \[0, 5\]"),
        (["city", "nope"], "frame", ValueError, r"\['nope'\] are not columns of X"),
        (["city"], "array", ValueError, "needs X as a pandas DataFrame"),
        ([True, False], "frame", ValueError, "one entry per column of X \\(6\\)"),
        ("auto", "array", ValueError, "should be a pandas.DataFrame"),
        ([0, 1, 2, 3, 4, 5], "frame", ValueError, "only with categorical features"),
        ([], "frame", ValueError, "only with numerical features"),
        ([2], "frame", TypeError, "column 'plan' of X holds"),
        (
            "bad", "frame", ValueError,
            r"'categorical_features' parameter of SMOTENC must be an array-like or a str "
            r"among \{'auto'\}",
        ),
    ],
)
def test_bad_categorical_features(features, X_kind, error, message):
    """Class: a bad column spec found late, with a vague message, or leaving a half fit."""
    X = mixed_frame()
    X = X.to_numpy() if X_kind == "array" else X
    sampler = SMOTENC(categorical_features=features, random_state=0)
    with pytest.raises(error, match=message):
        sampler.fit_resample(X, Y)
    assert not hasattr(sampler, "sampling_strategy_") and not hasattr(sampler, "median_std_")


def test_bad_input_leaves_a_fitted_sampler_as_it_was():
    """Class: a failed fit that mixes new attributes with the old ones."""
    X = mixed_frame()
    sampler = SMOTENC(categorical_features="auto", random_state=0)
    sampler.fit_resample(X, Y)
    before = dict(vars(sampler))
    X_nan = X.copy()
    X_nan.loc[3, "income"] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity \\(first in row 3\\)"):
        sampler.fit_resample(X_nan, Y)
    assert vars(sampler).keys() == before.keys()
    assert sampler.median_std_ is before["median_std_"]
    encoder = OneHotEncoder(drop="first")
    with pytest.raises(ValueError, match="one column per category"):
        sampler.set_params(categorical_encoder=encoder).fit_resample(X, Y)
    with pytest.raises(ValueError, match="k_neighbors \\+ 1 = 16 rows"):
        SMOTEN(k_neighbors=15).fit_resample(X[["city", "plan"]], Y)


def test_smote_points_to_smotenc_for_category_columns():
    """Class: an error that names the problem but not the sampler that solves it."""
    with pytest.raises(TypeError, match="column 'city' of X is categorical.*SMOTENC"):
        SMOTE().fit_resample(mixed_frame(), Y)


@pytest.mark.parametrize("factor", [2.0**600, 2.0**-600, 2.0**-40])
def test_smotenc_is_exact_at_every_scale(factor):
    """Class: squares that overflow or underflow at extreme scales (the median std became
    inf or 0, so the one-hot part broke the search or stopped counting).

    Scaling the continuous columns by a power of two scales ``median_std_`` and the
    synthetic continuous values by exactly that factor and changes no category.
    """
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=(N, 2)), rng.integers(0, 3, N)])
    sampler = SMOTENC(categorical_features=[2], random_state=0)
    base = sampler.fit_resample(X, Y)[0]
    base_std = sampler.median_std_[1]
    scaled = X.copy()
    scaled[:, :2] *= factor
    out = sampler.fit_resample(scaled, Y)[0]
    assert sampler.median_std_[1] == base_std * factor
    np.testing.assert_array_equal(out[:, 2], base[:, 2])
    np.testing.assert_array_equal(out[:, :2], base[:, :2] * factor)


def test_missing_categories_are_a_category_of_their_own():
    """Class: a missing value (None/NaN) in a categorical column crashing the encoder (SMOTEN
    with imbalanced-learn's default) or coming back as a category it is not."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=N), "c": rng.choice(["x", "y"], N).astype(object)})
    X.loc[Y == 1, "c"] = None  # the minority's only value is missing
    X_res, _ = SMOTENC(categorical_features=["c"], random_state=0).fit_resample(X, Y)
    assert X_res["c"].iloc[N:].isna().all() and X_res["c"].iloc[:N].equals(X["c"])
    X_res, _ = SMOTEN(random_state=0).fit_resample(X[["c"]], Y)
    assert X_res["c"].iloc[N:].isna().all()
    X.loc[Y == 1, "c"] = "x"
    X.loc[0, "c"] = None
    X_res, _ = SMOTEN(random_state=0).fit_resample(X[["c"]], Y)
    assert (X_res["c"].iloc[N:] == "x").all()


# -- imbalanced-learn's sampler checks and scikit-learn's estimator checks ---------------------
CHECKED = [SMOTEN(random_state=0), SMOTENC(categorical_features=[0], random_state=0)]
# Each failure is a property of the method, not a defect:
EXPECTED_FAILURES = {
    "SMOTEN": {
        "check_fit2d_1feature": "10 rows over 3 classes: a class has fewer than k_neighbors + 1 "
        "rows, and the sampler says so (the check wants a message about the feature count)",
    },
    "SMOTENC": {
        "check_fit2d_1feature": "as SMOTEN",
        "check_samplers_string": "X is one text column, so every column is categorical: SMOTENC "
        "needs a numeric one and says so (imbalanced-learn's SMOTENC too; SMOTEN is for this)",
        "check_estimators_nan_inf": "NaN/inf land in column 0, the categorical one, where a "
        "missing or odd value is a category (as with imbalanced-learn's one-hot encoder); "
        "NaN in a continuous column is refused",
    },
}


def _expected(estimator):
    return EXPECTED_FAILURES[type(estimator).__name__]


@imblearn_parametrize_with_checks(CHECKED)
def test_imbalanced_learn_sampler_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in _expected(estimator):
        pytest.xfail(_expected(estimator)[name])
    check(estimator)


@parametrize_with_checks(CHECKED, expected_failed_checks=_expected)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


_SMALL = np.random.default_rng(5).integers(0, 3, N)
CATEGORY_COLUMNS = {
    "int64": _SMALL,
    "Int64 with NA": pd.array(np.where(_SMALL == 2, None, _SMALL), dtype="Int64"),
    "bool": _SMALL > 0,
    "boolean": pd.array(_SMALL > 0, dtype="boolean"),
    "string": pd.array(np.array(list("abc"))[_SMALL], dtype="string"),
    "object": np.array(list("abc"), dtype=object)[_SMALL],
    "category of ints": pd.Categorical(_SMALL),
    "datetime": pd.Timestamp("2024-01-01") + pd.to_timedelta(_SMALL, unit="D"),
}


@pytest.mark.parametrize("sampler", ["SMOTENC", "SMOTEN"])
@pytest.mark.parametrize("column", list(CATEGORY_COLUMNS))
def test_every_column_dtype_as_a_category_round_trips(column, sampler):
    """Class: a category written back through a numeric rule (pd.NA cast to a garbage
    integer, a date turned into a float, a nullable dtype lost)."""
    X = pd.DataFrame({"x": np.random.default_rng(0).normal(size=N), "c": CATEGORY_COLUMNS[column]})
    if sampler == "SMOTEN":
        X = X[["c"]]
        X_res, _ = SMOTEN(random_state=0).fit_resample(X, Y)
    else:
        X_res, _ = SMOTENC(categorical_features=["c"], random_state=0).fit_resample(X, Y)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    pd.testing.assert_frame_equal(X_res.iloc[:N], X)
    new = X_res["c"].iloc[N:]
    assert set(new.dropna().tolist()) <= set(X["c"].dropna().tolist())
    assert new.isna().sum() == 0 or X["c"].isna().any()


def test_a_column_mixing_text_and_numbers_is_named_in_the_error():
    """Class: an encoder's error that does not say which sampler or what to change."""
    X = pd.DataFrame({"x": np.arange(N, dtype=float), "c": np.array(["a", 1, "b"], object)[_SMALL]})
    with pytest.raises(TypeError, match="SMOTENC could not encode .* values of one kind"):
        SMOTENC(categorical_features=["c"]).fit_resample(X, Y)


def test_smoten_refuses_an_encoding_it_cannot_index():
    """Class: NaN or out-of-range codes from a user's encoder used as category positions."""
    X = np.array([["a"], [np.nan], ["b"]] * 20, dtype=object)
    with pytest.raises(ValueError, match="encoded_missing_value=-1"):
        SMOTEN(categorical_encoder=OrdinalEncoder()).fit_resample(X, Y)
    X_res, _ = SMOTEN(categorical_encoder=OrdinalEncoder(encoded_missing_value=-1)).fit_resample(
        X, Y
    )
    assert len(X_res) == 90


def test_combined_samplers_refuse_smotenc_by_name():
    """Class: a sampler accepted where it cannot run (SMOTETomek's cleaner needs a numeric
    matrix), failing later with a NotImplementedError instead of saying what fits."""
    from skbalance.sampling import SMOTETomek

    X = np.column_stack([np.arange(N, dtype=float), np.arange(N) % 3])
    message = r"The 'smote' parameter of SMOTETomek must be an instance of .*SMOTE.*Got SMOTENC"
    with pytest.raises(TypeError, match=message):
        SMOTETomek(smote=SMOTENC(categorical_features=[1])).fit_resample(X, Y)


def test_a_list_of_mixed_rows_keeps_its_numbers():
    """Class: NumPy's conversion of rows mixing text and numbers to all text, which turned
    every number of the output (original rows too) into a string."""
    rng = np.random.default_rng(0)
    X = [[float(v), c] for v, c in zip(rng.normal(size=N), rng.choice(["a", "b"], N), strict=True)]
    X_res, _ = SMOTENC(categorical_features=[1], random_state=0).fit_resample(X, Y.tolist())
    assert X_res[: len(X)] == X
    assert all(isinstance(row[0], float) and row[1] in ("a", "b") for row in X_res)
