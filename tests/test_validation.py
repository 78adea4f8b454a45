"""One validator per concept, shared by every training path (sample_weight, class_weight), one
rule for the weight of a resampled row, and sampler capabilities read from one tag.

Class of bug these tests guard against: *the same input meeting different rules on different
code paths* - e.g. negative sample weights refused by ``batch_sampling="class"`` but trained on,
by gradient ascent, by the plain array path; SMOTE's synthetic rows weighted by interpolation
with ``resample="once"``, refused with ``"epoch"`` and documented as weight 1 by
``BalancedDataset``; a sampler's fast path lost by a subclass because it was detected by name.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler
from sklearn.linear_model import LogisticRegression

from skbalance._rows import check_sample_weight
from skbalance.keras import BalancedDataset, KerasBalancedClassifier
from skbalance.keras import classifier as classifier_module
from skbalance.keras import feed as feed_module
from skbalance.keras._training import resample_once
from skbalance.pipeline import Pipeline, ResampledClassifier, make_pipeline
from skbalance.sampling import (
    SMOTE,
    RandomOverSampler,
    RandomUnderSampler,
    TomekLinks,
)
from skbalance.sampling._base import SamplerTags
from skbalance.weights import compute_class_weight, compute_sample_weight

N_ROWS = 40


def _data(n=N_ROWS, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array(["a"] * (n - n // 4) + ["b"] * (n // 4))
    X = rng.normal(size=(n, 3)).astype(np.float32)
    X[y == "b", 0] += 2.0
    return X, y


def _clf(**params):
    return KerasBalancedClassifier(
        **{"hidden_units": (4,), "epochs": 1, "batch_size": 16, "random_state": 0, **params}
    )


# -- sample_weight: every training path x every bad weight ------------------------------------
def _bad_weights():
    """``(kind, weight, message fragment)``: each bad kind and what the one validator says."""
    ones = np.ones(N_ROWS)
    negative, nan, inf = ones.copy(), ones.copy(), ones.copy()
    negative[3], nan[5], inf[7] = -1.0, np.nan, np.inf
    nullable = pd.Series(ones, dtype="Float64")
    nullable[2] = pd.NA
    cases = [
        ("negative", negative, r"must be >= 0 for every row; row 3 is -1\.0"),
        ("nan", nan, r"must be finite for every row; row 5 is nan"),
        ("inf", inf, r"must be finite for every row; row 7 is inf"),
        ("nullable-na", nullable, r"must be finite for every row; row 2 is nan"),
        ("none-in-list", [1.0] * (N_ROWS - 1) + [None], r"must be finite .* row 39 is nan"),
        ("strings", np.array(["1"] * N_ROWS), r"must hold real numbers, .* got dtype <U1"),
        ("complex", ones.astype(complex), r"must hold real numbers, .* got dtype complex128"),
        ("too-short", ones[:-1], rf"one weight per row, shape \({N_ROWS},\); got shape \(39,\)"),
        ("too-long", np.ones(N_ROWS + 1), rf"shape \({N_ROWS},\); got shape \({N_ROWS + 1},\)"),
        ("2-d", ones.reshape(-1, 1), rf"shape \({N_ROWS},\); got shape \({N_ROWS}, 1\)"),
        ("scalar", np.float64(1.0), rf"shape \({N_ROWS},\); got shape \(\)"),
        ("all-zero", np.zeros(N_ROWS), r"all sample weights are zero"),
    ]
    return [pytest.param(weight, message, id=kind) for kind, weight, message in cases]


def _fit_keras(**params):
    return lambda X, y, w: _clf(**params).fit(X, y, sample_weight=w)


TRAINING_PATHS = {
    "classifier-arrays": _fit_keras(),
    "classifier-class-weight": _fit_keras(class_weight="balanced"),
    "classifier-once": _fit_keras(sampler=RandomUnderSampler(), resample="once"),
    "classifier-epoch": _fit_keras(sampler=RandomUnderSampler(), resample="epoch"),
    "classifier-smote-epoch": _fit_keras(sampler=SMOTE(k_neighbors=3), resample="epoch"),
    "classifier-batch-class": _fit_keras(batch_sampling="class"),
    "classifier-drw": _fit_keras(class_weight="balanced", class_weight_from_epoch=1, epochs=2),
    "balanced-dataset": lambda X, y, w: BalancedDataset(X, y, sample_weight=w),
    "balanced-dataset-smote": lambda X, y, w: BalancedDataset(
        X, y, sampler=SMOTE(k_neighbors=3), sample_weight=w
    ),
    "under-sampler": lambda X, y, w: RandomUnderSampler().fit_resample(X, y, sample_weight=w),
    "smote": lambda X, y, w: SMOTE(k_neighbors=3).fit_resample(X, y, sample_weight=w),
    "pipeline-step-weight": lambda X, y, w: make_pipeline(
        RandomUnderSampler(), LogisticRegression()
    ).fit(X, y, logisticregression__sample_weight=w),
    "pipeline-imblearn-sampler": lambda X, y, w: make_pipeline(
        ImbRandomOverSampler(), LogisticRegression()
    ).fit(X, y, logisticregression__sample_weight=w),
    "pipeline-fit-resample": lambda X, y, w: Pipeline(
        [("under", RandomUnderSampler())]
    ).fit_resample(X, y, sample_weight=w),
    "resampled-classifier": lambda X, y, w: ResampledClassifier(
        RandomUnderSampler(), LogisticRegression()
    ).fit(X, y, sample_weight=w),
}


def _snapshot(value):
    return value.copy() if hasattr(value, "copy") else list(value)


def _unchanged(before, after) -> bool:
    if isinstance(before, list):
        return before == after or all(
            (a is b) or (a == b) or (a != a and b != b) for a, b in zip(before, after, strict=True)
        )
    if isinstance(before, pd.Series):
        return before.equals(after)
    return np.array_equal(
        np.asarray(before), np.asarray(after), equal_nan=before.dtype.kind in "fc"
    )


@pytest.mark.parametrize("path", list(TRAINING_PATHS))
@pytest.mark.parametrize(("weight", "message"), _bad_weights())
def test_every_training_path_rejects_bad_sample_weight_alike(path, weight, message):
    """Class: one concept (per-row weights) validated differently, or not at all, on some path.

    Every path raises the same ValueError, from the one validator, before any work, and leaves
    the caller's arrays as they were.
    """
    X, y = _data()
    X_before, y_before, weight_before = X.copy(), y.copy(), _snapshot(weight)
    with pytest.raises(ValueError, match=f"^sample_weight .*{message}") as caught:
        TRAINING_PATHS[path](X, y, weight)
    assert type(caught.value) is ValueError
    assert np.array_equal(X, X_before) and np.array_equal(y, y_before)
    assert _unchanged(weight_before, weight)


@pytest.mark.parametrize("path", list(TRAINING_PATHS))
def test_every_training_path_accepts_good_sample_weight(path):
    """Class: a validator so strict that a valid input (ints, a list, a Series, zeros on some
    rows) is refused on one path: the reference for the test above."""
    X, y = _data()
    weight = pd.Series(np.r_[np.zeros(5), np.arange(1, N_ROWS - 4)].astype(int))
    TRAINING_PATHS[path](X, y, weight)


def test_keras_path_fails_before_building_a_network(monkeypatch):
    """Class: validation after the expensive work (a network built, then a weight refused)."""
    built = []
    original = classifier_module.build_network
    monkeypatch.setattr(
        classifier_module, "build_network", lambda *a, **k: built.append(1) or original(*a, **k)
    )
    X, y = _data()
    with pytest.raises(ValueError, match="sample_weight must be >= 0"):
        _clf().fit(X, y, sample_weight=-np.ones(N_ROWS))
    assert built == []


# -- class_weight: every path x every bad class weight ----------------------------------------
BAD_CLASS_WEIGHTS = [
    ({"a": -1.0}, ValueError, r"class_weight\['a'\] = -1\.0; weights must be finite and >= 0"),
    ({"a": np.nan}, ValueError, r"class_weight\['a'\] = nan; weights must be finite and >= 0"),
    ({"b": np.inf}, ValueError, r"class_weight\['b'\] = inf; weights must be finite and >= 0"),
    ({"a": "2"}, ValueError, r"class_weight\['a'\] must be a non-negative finite number"),
    ({"a": True}, ValueError, r"class_weight\['a'\] must be a non-negative finite number"),
    ({"c": 1.0}, ValueError, r"key 'c', which is not a class in y; the classes are \['a', 'b'\]"),
    ({"a": 0, "b": 0.0}, ValueError, r"all class weights are zero"),
    ("balance", ValueError, r"Unknown class_weight strategy 'balance'"),
    ([1.0, 2.0], TypeError, r"class_weight must be None, a strategy name .* got list"),
]

CLASS_WEIGHT_PATHS = {
    "compute_class_weight": lambda X, y, cw: compute_class_weight(cw, y=y),
    "compute_sample_weight": lambda X, y, cw: compute_sample_weight(cw, y=y),
    "classifier": lambda X, y, cw: _clf(class_weight=cw).fit(X, y),
    "classifier-once": lambda X, y, cw: _clf(
        class_weight=cw, sampler=RandomOverSampler(), resample="once"
    ).fit(X, y),
    "classifier-drw": lambda X, y, cw: _clf(
        class_weight=cw, class_weight_from_epoch=1, epochs=2
    ).fit(X, y),
    "balanced-dataset": lambda X, y, cw: BalancedDataset(X, y, class_weight=cw),
    "balanced-dataset-drw": lambda X, y, cw: BalancedDataset(
        X, y, class_weight=cw, class_weight_from_epoch=2
    ),
}


@pytest.mark.parametrize("path", list(CLASS_WEIGHT_PATHS))
@pytest.mark.parametrize(("class_weight", "error", "message"), BAD_CLASS_WEIGHTS, ids=str)
def test_every_path_rejects_bad_class_weight_alike(path, class_weight, error, message):
    """Class: class weights validated by different rules (or sklearn's parameter checks on one
    path, ours on another), and an all-zero dict silently training nothing."""
    X, y = _data()
    before = dict(class_weight) if isinstance(class_weight, dict) else class_weight
    with pytest.raises(error, match=message) as caught:
        CLASS_WEIGHT_PATHS[path](X, y, class_weight)
    assert type(caught.value) is error
    assert class_weight == before or (isinstance(before, dict) and str(before) == str(class_weight))


def test_zero_weight_for_some_classes_is_allowed():
    """Class: an over-broad all-zero rule; zero for one class (ignore it) is legitimate."""
    X, y = _data()
    assert compute_class_weight({"a": 0.0}, y=y) == {"a": 0.0, "b": 1.0}
    BalancedDataset(X, y, class_weight={"a": 0.0})


# -- synthetic rows: one weight rule on every path --------------------------------------------
def _linear_weight(X):
    """A weight linear in the features: interpolating a synthetic row's weight between its
    parents (the documented rule) then gives exactly this function of its own features."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    return 10.0 + X[:, 0] + 0.5 * X[:, 1]


def _assert_rule(X_rows, weights):
    np.testing.assert_allclose(weights, _linear_weight(X_rows), rtol=1e-4)


def test_synthetic_rows_get_one_weight_rule_on_every_path(monkeypatch):
    """Class: one concept (the weight of a synthetic row) with a different rule per path.

    SMOTE with ``sample_weight``: ``resample="once"``, ``"epoch"``, ``BalancedDataset`` and the
    Pipeline all weight a synthetic row by interpolating its parents' weights.
    """
    X, y = _data(n=60)
    w = _linear_weight(X)
    assert (w > 0).all()
    smote = SMOTE(k_neighbors=3)

    X_once, _, w_once = resample_once(smote, X, y, w, seed=0)  # the once path's one call
    assert len(X_once) > len(X)
    _assert_rule(X_once, w_once)

    feed = BalancedDataset(X, y, sampler=smote, sample_weight=w, random_state=0, batch_size=8)
    assert feed.synthetic_rows_ is not None
    batches = [feed[i] for i in range(len(feed))]
    served_x = np.concatenate([b[0] for b in batches])
    _assert_rule(served_x, np.concatenate([b[2] for b in batches]))

    recorded = []

    class Recorder(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            recorded.append((np.asarray(X), np.asarray(sample_weight)))
            return super().fit(X, y, sample_weight=sample_weight)

    make_pipeline(SMOTE(k_neighbors=3, random_state=0), Recorder()).fit(
        X, y, recorder__sample_weight=w
    )
    _assert_rule(*recorded[0])

    # The classifier, both ways: what reaches Keras follows the same rule.
    captured = []
    original_feed = classifier_module.array_feed
    monkeypatch.setattr(
        classifier_module,
        "array_feed",
        lambda X, t, w, **k: captured.append((X, w)) or original_feed(X, t, w, **k),
    )
    _clf(sampler=smote, resample="once").fit(X, y, sample_weight=w)
    _assert_rule(*captured[0])

    served = []
    original_plan = feed_module.BalancedDataset._epoch_batches

    def recording(self, epoch):  # the epoch plans model.fit trains on (any backend)
        plan = original_plan(self, epoch)
        from skbalance.keras._serving import read_rows

        served.append((read_rows(self._X, plan.rows, plan.synthetic), plan.weights))
        return plan

    monkeypatch.setattr(feed_module.BalancedDataset, "_epoch_batches", recording)
    _clf(sampler=smote, resample="epoch", epochs=2).fit(X, y, sample_weight=w)
    assert served
    _assert_rule(np.concatenate([x for x, _ in served]), np.concatenate([w for _, w in served]))


@pytest.mark.parametrize(
    "make_path",
    [
        lambda s: lambda X, y, w: _clf(sampler=s, resample="once").fit(X, y, sample_weight=w),
        lambda s: lambda X, y, w: _clf(sampler=s, resample="epoch").fit(X, y, sample_weight=w),
        lambda s: lambda X, y, w: BalancedDataset(X, y, sampler=s, sample_weight=w),
        lambda s: (
            lambda X, y, w: make_pipeline(s, LogisticRegression()).fit(
                X, y, logisticregression__sample_weight=w
            )
        ),
    ],
    ids=["once", "epoch", "feed", "pipeline"],
)
def test_sampler_that_cannot_weight_its_rows_is_refused_alike(make_path):
    """Class: a guessed weight (1, or a parent's) for rows whose parents are unknown.

    imbalanced-learn's SMOTE takes no sample_weight and exposes no sample_indices_: every path
    refuses to combine it with sample_weight, with the same message, rather than guess.
    """
    X, y = _data()
    with pytest.raises(ValueError, match=r"sample_weight together with the rows: SMOTE turned"):
        make_path(ImbSMOTE(k_neighbors=3))(X, y, np.ones(len(y)))


# -- sampler capabilities from one tag ---------------------------------------------------------
class _RecordingArray:
    """An array-like that records every index set it is asked for."""

    def __init__(self, data):
        self.data, self.requests = data, []
        self.shape, self.dtype = data.shape, data.dtype

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        self.requests.append(np.asarray(index).copy())
        return self.data[index]


class MyUnderSampler(RandomUnderSampler):
    """A user's subclass under another name: it inherits the ``row_source`` tag."""


class RandomUnderSampler2(RandomUnderSampler):
    pass


class LabelOnlyThirdParty:
    """A sampler from elsewhere that declares, by the tag, that it chooses rows from y alone."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def get_params(self, deep=True):
        return {"random_state": self.random_state}

    def set_params(self, **params):
        self.__dict__.update(params)
        return self

    def __sklearn_tags__(self):
        return SimpleNamespace(sampler_tags=SamplerTags(sample_indices=True, row_source="labels"))

    def fit_resample(self, X, y):
        y = np.asarray(y)
        keep = np.flatnonzero(y == y[0])[:5].tolist() + np.flatnonzero(y != y[0]).tolist()
        self.sample_indices_ = np.array(sorted(keep))
        return np.asarray(X)[self.sample_indices_], y[self.sample_indices_]


class _ReadsX:
    """A third-party sampler that shares a famous name but picks rows by X: its name must not
    buy it the label-only path (it would then see row numbers instead of features)."""

    def get_params(self, deep=True):
        return {}

    def fit_resample(self, X, y):
        X = np.asarray(X)
        self.sample_indices_ = np.flatnonzero(X[:, 0] > np.median(X[:, 0]))
        return X[self.sample_indices_], np.asarray(y)[self.sample_indices_]


_ReadsX.__name__ = _ReadsX.__qualname__ = "RandomUnderSampler"
_ReadsX.__module__ = "imblearn.under_sampling._prototype_selection._random_under_sampler"


@pytest.mark.parametrize("cls", [MyUnderSampler, RandomUnderSampler2, LabelOnlyThirdParty])
def test_subclass_and_tagged_third_party_keep_the_label_only_path(cls):
    """Class: a capability detected by class name, lost by a subclass or a declared tag."""
    X = np.arange(40, dtype=np.float32).reshape(-1, 1)
    y = np.array([0] * 30 + [1] * 10)
    recorder = _RecordingArray(X)
    feed = BalancedDataset(recorder, y, sampler=cls(), random_state=0, batch_size=8)
    feed.set_epoch(1)
    assert recorder.requests == []  # drawing the epochs never read X
    rows = np.concatenate([feed[i][0][:, 0] for i in range(len(feed))]).astype(int)
    assert np.bincount(y[rows]).tolist() in ([10, 10], [5, 10])


def test_name_alone_buys_no_fast_path():
    """Class: detection by name - a third-party 'RandomUnderSampler' that reads X got row
    numbers instead of the features."""
    X = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    sampler = _ReadsX()
    feed = BalancedDataset(X, y, sampler=sampler, random_state=0, shuffle=False)
    expected = np.flatnonzero(X[:, 0] > np.median(X[:, 0]))
    assert np.array_equal(np.sort(feed.epoch_indices_), expected)


def test_undeclared_sampler_that_perturbs_its_copies_serves_the_new_rows():
    """Class: trusting sample_indices_ as 'copies of X' when the sampler changed the rows
    (imbalanced-learn's RandomOverSampler(shrinkage=...) sets it, then adds noise)."""
    X = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    y = np.array([0] * 30 + [1] * 10)
    feed = BalancedDataset(X, y, sampler=ImbRandomOverSampler(shrinkage=1.0), random_state=0)
    assert feed.synthetic_rows_ is not None and feed.synthetic_rows_.shape == (20, 2)
    assert not np.any(np.all(np.isin(feed.synthetic_rows_, X), axis=1))


def test_skbalance_tags_say_where_rows_come_from():
    """Class: a tag that misdescribes a sampler (shrinkage turns copies into new rows)."""

    def source(sampler):
        return sampler.__sklearn_tags__().sampler_tags.row_source

    assert source(RandomUnderSampler()) == source(RandomOverSampler()) == "labels"
    assert source(RandomOverSampler(shrinkage=1.0)) == "generated"
    assert source(TomekLinks()) == "features"
    assert source(SMOTE()) == "generated"
    assert source(MyUnderSampler()) == "labels"


# -- BalancedDataset.replace() ----------------------------------------------------------------
@pytest.mark.parametrize("sampler", [None, RandomOverSampler(), SMOTE(k_neighbors=3)])
def test_replace_reproduces_the_current_epoch_without_a_seed(sampler):
    """Class: a derived feed drawing from a fresh global seed (random_state=None), so the
    'same' feed served other rows - DRW's class weights were then computed on another draw."""
    X, y = _data()
    feed = BalancedDataset(X, y, sampler=sampler, random_state=None, batch_size=8)
    for epoch in (0, 3):
        feed.set_epoch(epoch)
        for changes in ({}, {"class_weight": "balanced"}):
            again = feed.replace(**changes)
            assert again.random_state is None and again.epoch_ == epoch
            assert np.array_equal(again.epoch_indices_, feed.epoch_indices_)
            for i in range(len(feed)):
                np.testing.assert_array_equal(again[i][0], feed[i][0])
    reseeded = feed.replace(random_state=1)
    assert reseeded.epoch_ == 0 and reseeded.random_state == 1


@pytest.mark.parametrize(
    ("weight", "becomes"), [(1e39, "inf"), (1e300, "inf"), (1e-50, "0.0")], ids=str
)
def test_weights_float32_cannot_hold_are_refused_where_keras_trains(weight, becomes):
    """Class: extreme scales - a finite float64 weight turned into inf (NaN loss) or 0 (a row
    that silently stops counting) by the float32 cast of the Keras paths."""
    X, y = _data()
    w = np.ones(N_ROWS)
    w[4] = weight
    message = (
        rf"sample_weight row 4 is {re.escape(str(weight))}, which float32 cannot hold "
        rf"\(it becomes {becomes}\)"
    )
    for fit in (
        TRAINING_PATHS["classifier-arrays"],
        TRAINING_PATHS["classifier-epoch"],
        TRAINING_PATHS["balanced-dataset"],
    ):
        with pytest.raises(ValueError, match=message):
            fit(X, y, w)
    # float64 paths hold it: the samplers return it as given.
    assert RandomUnderSampler(random_state=0).fit_resample(X, y, sample_weight=w)[2].max() in (
        1.0,
        weight,
    )


def test_noisy_copies_keep_their_parent_weight():
    """Class: a documented weight rule (a shrinkage copy weighs what its parent weighs) that
    no test pins."""
    X, y = _data()
    w = np.arange(1.0, N_ROWS + 1)
    sampler = RandomOverSampler(shrinkage=1.0, random_state=0)
    X_res, _, w_res = sampler.fit_resample(X, y, sample_weight=w)
    assert len(X_res) > len(X)
    np.testing.assert_array_equal(w_res, w[sampler.sample_indices_])


@pytest.mark.parametrize(
    "fit",
    [
        lambda X, y, w: _clf(class_weight={"b": 0.0}).fit(X, y, sample_weight=w),
        lambda X, y, w: _clf(class_weight={"b": 0}, batch_sampling="class").fit(
            X, y, sample_weight=w
        ),
        lambda X, y, w: BalancedDataset(X, y, class_weight={"b": 0.0}, sample_weight=w),
    ],
    ids=["classifier", "classifier-feed", "balanced-dataset"],
)
def test_class_and_sample_weights_that_cancel_everywhere_are_refused(fit):
    """Class: all-zero weights reached by combination - each argument valid alone, but every
    row with a nonzero sample weight is in a class weighted 0, so training learns nothing."""
    X, y = _data()
    w = np.where(y == "b", 1.0, 0.0)
    with pytest.raises(ValueError, match="class_weight times sample_weight is zero for every"):
        fit(X, y, w)
    fit(X, y, w + 0.5)  # one row of class "a" counting is enough


@pytest.mark.parametrize(
    ("class_weight", "sample_weight"),
    [({"b": 1e39}, None), ({"b": 1e30}, 1e10), ({"b": 1e-30}, 1e-20)],
    ids=["class-weight", "product-overflows", "product-underflows"],
)
def test_weight_products_float32_cannot_hold_are_refused(class_weight, sample_weight):
    """Class: extreme scales - class and sample weights each valid in float64 whose product,
    cast to the float32 Keras trains with, becomes inf or 0."""
    X, y = _data()
    w = None if sample_weight is None else np.full(N_ROWS, sample_weight)
    for fit in (
        lambda: _clf(class_weight=class_weight).fit(X, y, sample_weight=w),
        lambda: _clf(class_weight=class_weight, batch_sampling="class").fit(X, y, sample_weight=w),
        lambda: BalancedDataset(X, y, class_weight=class_weight, sample_weight=w),
    ):
        with pytest.raises(ValueError, match=r"class_weight times sample_weight is .* for row"):
            fit()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=20
    )
)
def test_sample_weight_validator_accepts_exactly_the_valid_weights(values):
    """Class: a validator whose accept/refuse boundary drifts from its documented rule (finite,
    >= 0, not all zero; float64 here), checked against that rule written out independently."""
    weight = np.array(values)
    valid = all(np.isfinite(v) and v >= 0 for v in values) and any(v > 0 for v in values)
    if valid:
        np.testing.assert_array_equal(check_sample_weight(weight, len(values)), weight)
    else:
        with pytest.raises(ValueError, match="^sample_weight "):
            check_sample_weight(weight, len(values))


def test_weights_that_are_zero_on_every_training_row_after_the_split_are_refused(monkeypatch):
    """Class: all-zero weights reached after a split - valid on the whole data set, but every
    row with a nonzero weight went to the validation split, so training learns nothing. Caught
    before a network is built."""
    X, y = _data()
    clf = _clf(validation_fraction=0.25)
    split_seed = np.random.RandomState(
        int(np.random.RandomState(0).randint(np.iinfo(np.int32).max))
    ).randint(np.iinfo(np.int32).max, size=5)[0]
    codes = (y == "b").astype(int)
    _, validation = clf._split_validation(codes, int(split_seed), 2)
    w = np.zeros(N_ROWS)
    w[validation] = 1.0
    built = []
    original = classifier_module.build_network
    monkeypatch.setattr(
        classifier_module, "build_network", lambda *a, **k: built.append(1) or original(*a, **k)
    )
    with pytest.raises(ValueError, match="zero for every training row left after the validation"):
        clf.fit(X, y, sample_weight=w)
    assert built == [] and not hasattr(clf, "classes_")
    w[0 if 0 not in validation else np.setdiff1d(np.arange(N_ROWS), validation)[0]] = 1.0
    clf.fit(X, y, sample_weight=w)  # one training row counting is enough
