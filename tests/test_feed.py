"""Tests for skbalance.keras.BalancedDataset (the per-epoch balanced training feed)."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import keras
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE
from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from sklearn.utils.class_weight import compute_class_weight as sk_class_weight

from skbalance.keras import BalancedDataset
from skbalance.keras._epoch_plan import apportion, class_shares

COUNTS = [50, 30, 15, 5]


def _labelled_rows(counts):
    """X whose single feature is the row number, so every served row can be identified."""
    y = np.repeat(np.arange(len(counts)), counts)
    X = np.arange(y.size, dtype=np.float32).reshape(-1, 1)
    return X, y


def _served(feed):
    """All rows (by identity), labels and weights the feed serves in its current epoch."""
    xs, ys, ws = [], [], []
    for i in range(len(feed)):
        batch = feed[i]
        xs.append(batch[0])
        ys.append(batch[1])
        if len(batch) == 3:
            ws.append(batch[2])
    rows = np.concatenate(xs)[:, 0].astype(int) if xs[0].ndim == 2 else None
    return rows, np.concatenate(ys), (np.concatenate(ws) if ws else None)


def _samplers():
    """(under, over) sampler classes: imbalanced-learn's, plus skbalance's once they exist."""
    pairs = [pytest.param(ImbRandomUnderSampler, ImbRandomOverSampler, id="imblearn")]
    try:
        from skbalance.sampling import RandomOverSampler, RandomUnderSampler
    except ImportError:
        pass
    else:
        pairs.append(pytest.param(RandomUnderSampler, RandomOverSampler, id="skbalance"))
    return pairs


def _smotes():
    smotes = [pytest.param(SMOTE, id="imblearn")]
    try:
        from skbalance.sampling import SMOTE as OurSMOTE
    except ImportError:
        pass
    else:
        smotes.append(pytest.param(OurSMOTE, id="skbalance"))
    return smotes


def _reference_draws(counts, mode, epoch=0, epochs=None):
    """Exact quotas (Fractions) of an epoch of sum(counts) rows, independent of the library."""
    total = sum(counts)
    k = sum(c > 0 for c in counts)
    if mode == "instance":
        return [Fraction(c) for c in counts]
    if mode == "class":
        return [Fraction(total, k) if c else Fraction(0) for c in counts]
    if mode == "sqrt":  # irrational: floats, checked with a tolerance by the caller
        roots = [math.sqrt(c) for c in counts]
        return [total * r / sum(roots) for r in roots]
    alpha = min(Fraction(epoch, epochs), Fraction(1))
    return [(1 - alpha) * c + alpha * (Fraction(total, k) if c else 0) for c in counts]


# -- exact per-epoch counts --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("instance", [50, 30, 15, 5]),
        ("class", [25, 25, 25, 25]),
        # sqrt(n_c) / sum sqrt(n_j) * 100 = 37.90, 29.36, 20.76, 11.98 -> largest remainders
        ("sqrt", [38, 29, 21, 12]),
    ],
)
def test_counts_per_epoch_are_exact(mode, expected):
    X, y = _labelled_rows(COUNTS)
    feed = BalancedDataset(X, y, batch_sampling=mode, batch_size=7, random_state=0)
    for epoch in range(3):
        feed.set_epoch(epoch)
        rows, labels, _ = _served(feed)
        assert np.bincount(labels, minlength=4).tolist() == expected
        assert rows.size == 100 and len(feed) == math.ceil(100 / 7)
        assert np.array_equal(y[rows], labels)  # each row is served with its own label
        # within a class, rows repeat only where needed: used floor or ceil(draws / rows) times
        for code, draws in enumerate(expected):
            uses = np.bincount(rows[labels == code] - np.flatnonzero(y == code)[0])
            low, high = divmod(draws, COUNTS[code])
            assert uses.size <= COUNTS[code]
            uses = np.pad(uses, (0, COUNTS[code] - uses.size))
            assert set(np.unique(uses)) <= {low, low + (high > 0)}


def test_instance_mode_serves_every_row_once():
    X, y = _labelled_rows(COUNTS)
    feed = BalancedDataset(X, y, batch_size=16, random_state=1)
    rows, labels, weights = _served(feed)
    assert sorted(rows.tolist()) == list(range(100)) and weights is None
    assert not np.array_equal(rows, np.arange(100))  # shuffled across batches ...
    for start in range(0, 100, 16):  # ... but ascending within each batch
        assert np.all(np.diff(rows[start : start + 16]) >= 0)


def test_no_shuffle_serves_rows_in_ascending_order():
    X, y = _labelled_rows(COUNTS)
    rows, _, _ = _served(BalancedDataset(X, y, shuffle=False, batch_size=8))
    assert rows.tolist() == list(range(100))


@pytest.mark.parametrize("epoch", [0, 1, 2, 3, 4, 7])
def test_progressive_counts_follow_kang_schedule(epoch):
    X, y = _labelled_rows(COUNTS)
    feed = BalancedDataset(X, y, batch_sampling="progressive", epochs=4, random_state=0)
    feed.set_epoch(epoch)
    counts = np.bincount(_served(feed)[1], minlength=4)
    quotas = _reference_draws(COUNTS, "progressive", epoch, 4)
    assert counts.sum() == 100
    for count, quota in zip(counts, quotas, strict=True):
        assert count in (math.floor(quota), math.ceil(quota))
    if epoch == 0:
        assert counts.tolist() == COUNTS
    if epoch >= 4:
        assert counts.tolist() == [25, 25, 25, 25]


@given(
    counts=st.lists(st.integers(0, 60), min_size=1, max_size=6).filter(lambda c: sum(c) > 0),
    mode=st.sampled_from(["instance", "class", "sqrt", "progressive"]),
    epoch=st.integers(0, 6),
    seed=st.integers(0, 2**16),
)
def test_apportion_matches_exact_quotas(counts, mode, epoch, seed):
    shares = class_shares(np.array(counts), mode, epoch=epoch, epochs=5)
    draws = apportion(sum(counts), shares, np.random.default_rng(seed))
    quotas = _reference_draws(counts, mode, epoch, 5)
    assert draws.sum() == sum(counts)
    for draw, quota, count in zip(draws, quotas, counts, strict=True):
        slack = 1e-9 if mode == "sqrt" else 0  # Fractions are exact; sqrt needs floats
        assert math.floor(quota - slack) <= draw <= math.ceil(quota + slack)
        assert count > 0 or draw == 0  # an absent class is never drawn


def test_len_keeps_the_partial_last_batch():
    X, y = _labelled_rows([70, 31])
    feed = BalancedDataset(X, y, batch_size=25, random_state=0)
    sizes = [feed[i][0].shape[0] for i in range(len(feed))]
    assert len(feed) == 5 and sizes == [25, 25, 25, 25, 1]
    with pytest.raises(IndexError, match="out of range"):
        feed[5]


# -- per-epoch resampling ----------------------------------------------------------------------
@pytest.mark.parametrize(("under", "over"), _samplers())
def test_under_sampler_is_redrawn_each_epoch_and_uses_all_majority_rows(under, over):
    X, y = _labelled_rows([90, 10])
    sampler = under(random_state=0)
    feed = BalancedDataset(X, y, sampler=sampler, batch_size=8, random_state=3)
    seen, previous = set(), None
    for epoch in range(60):
        feed.set_epoch(epoch)
        rows, labels, _ = _served(feed)
        assert np.bincount(labels).tolist() == [10, 10] and len(feed) == 3
        majority = frozenset(rows[labels == 0].tolist())
        assert majority != previous  # a fresh under-sample every epoch
        seen |= majority
        previous = majority
    assert seen == set(range(90))
    assert not hasattr(sampler, "sample_indices_")  # the user's sampler is cloned, not fitted
    assert sampler.get_params()["random_state"] == 0


@pytest.mark.parametrize(("under", "over"), _samplers())
def test_over_sampler_serves_original_rows_by_index(under, over):
    X, y = _labelled_rows([40, 8])
    feed = BalancedDataset(X, y, sampler=over(), batch_size=10, random_state=0)
    rows, labels, _ = _served(feed)
    assert feed.rows_per_epoch_ == 80 and np.bincount(labels).tolist() == [40, 40]
    assert sorted(set(rows[labels == 1].tolist())) == list(range(40, 48))
    assert np.array_equal(y[rows], labels)


def test_same_random_state_repeats_and_epochs_differ():
    X, y = _labelled_rows(COUNTS)

    def draws(random_state):
        feed = BalancedDataset(
            X, y, sampler=ImbRandomUnderSampler(), batch_sampling="class",
            random_state=random_state,
        )  # fmt: skip
        out = []
        for epoch in range(3):
            feed.set_epoch(epoch)
            out.append(feed.epoch_indices_.copy())
        return out

    first, again = draws(7), draws(7)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[0], draws(8)[0])
    rs_a, rs_b = draws(np.random.RandomState(5)), draws(np.random.RandomState(5))
    assert np.array_equal(rs_a[1], rs_b[1])


@pytest.mark.parametrize("smote", _smotes())
def test_generating_sampler_keeps_only_synthetic_rows(smote):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3)).astype(np.float32)
    y = np.array(["common"] * 80 + ["rare"] * 20)
    feed = BalancedDataset(X, y, sampler=smote(k_neighbors=3), batch_size=32, random_state=0)
    synthetic_first = feed._state[2].copy()
    assert synthetic_first.shape == (60, 3) and synthetic_first.dtype == np.float32
    xs, ys = zip(*(feed[i] for i in range(len(feed))), strict=True)
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    assert len(feed) == 5 and np.bincount(ys).tolist() == [80, 80]
    rows = feed.epoch_indices_
    assert sorted(rows[rows < 100].tolist()) == list(range(100))  # originals, once each
    assert np.array_equal(xs[rows < 100], X[rows[rows < 100]])
    assert np.array_equal(xs[rows >= 100], synthetic_first[rows[rows >= 100] - 100])
    assert np.all(ys[rows >= 100] == 1)  # synthetic rows are "rare"
    feed.set_epoch(1)
    assert not np.allclose(feed._state[2], synthetic_first)  # regenerated each epoch


@pytest.mark.parametrize(("under", "over"), _samplers())
def test_over_sampler_with_shrinkage_generates_noisy_rows(under, over):
    X = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    y = np.array([0] * 40 + [1] * 10)
    feed = BalancedDataset(X, y, sampler=over(shrinkage=1.0), random_state=0)
    synthetic = feed._state[2]
    assert synthetic.shape == (30, 2)  # the noisy copies, not indices into X
    assert not np.any(np.all(np.isin(synthetic, X), axis=1))
    rows = feed.epoch_indices_
    assert np.bincount(feed._state[1][rows]).tolist() == [40, 40]


def test_cleaning_sampler_gets_the_real_x():
    from imblearn.under_sampling import EditedNearestNeighbours

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2)).astype(np.float32)
    y = (X[:, 0] + 0.3 * rng.normal(size=120) > 0.8).astype(int)
    cleaners = [EditedNearestNeighbours()]
    try:
        from skbalance.sampling import EditedNearestNeighbours as OurENN
    except ImportError:
        pass
    else:
        cleaners.append(OurENN())
    for cleaner in cleaners:
        expected = np.sort(clone_fit_indices(cleaner, X, y))
        feed = BalancedDataset(X, y, sampler=cleaner, shuffle=False, random_state=0)
        assert np.array_equal(feed.epoch_indices_, expected)
        assert 0 < feed.rows_per_epoch_ < 120


def clone_fit_indices(sampler, X, y):
    from sklearn.base import clone

    fitted = clone(sampler)
    fitted.fit_resample(X, y)
    return fitted.sample_indices_


def test_image_input_with_label_only_sampler():
    # imbalanced-learn rejects rank-4 X; the label-only path never hands X to the sampler
    X = np.random.default_rng(0).random((30, 4, 4, 1), dtype=np.float32)
    y = np.array([0] * 25 + [1] * 5)
    feed = BalancedDataset(X, y, sampler=ImbRandomOverSampler(), batch_size=16, random_state=0)
    x, labels = feed[0]
    assert x.shape == (16, 4, 4, 1)
    assert np.array_equal(x, X[feed.epoch_indices_[:16]])


# -- memory: X is sliced by index, never copied whole ------------------------------------------
class RecordingArray:
    """An array-like that records every index set it is asked for."""

    def __init__(self, data):
        self.data, self.requests = data, []
        self.shape, self.dtype = data.shape, data.dtype

    def __len__(self):
        return self.data.shape[0]

    def __getitem__(self, index):
        self.requests.append(np.asarray(index).copy())
        return self.data[index]


@pytest.mark.parametrize(("under", "over"), _samplers())
def test_x_is_only_read_batch_by_batch(under, over):
    X, y = _labelled_rows([60, 12])
    recorder = RecordingArray(X)
    feed = BalancedDataset(recorder, y, sampler=over(), batch_size=16, random_state=0)
    feed.set_epoch(1)
    assert recorder.requests == []  # drawing epochs never touches X
    for i in range(len(feed)):
        feed[i]
    assert len(recorder.requests) == len(feed) == 8
    assert all(r.size <= 16 and np.all(np.diff(r) >= 0) for r in recorder.requests)


def test_skbalance_samplers_use_the_index_only_method(monkeypatch):
    sampling = pytest.importorskip("skbalance.sampling")

    def no_x_res(self, X, y, **params):
        raise AssertionError("fit_resample would assemble X_res")

    X, y = _labelled_rows([30, 6])
    for sampler in (sampling.RandomOverSampler(), sampling.TomekLinks()):
        monkeypatch.setattr(type(sampler), "fit_resample", no_x_res)
        feed = BalancedDataset(X, y, sampler=sampler, random_state=0)
        expected = type(sampler)(**sampler.get_params()).fit_resample_indices(X, y)
        if isinstance(sampler, sampling.TomekLinks):  # deterministic: same rows
            assert np.array_equal(np.sort(feed.epoch_indices_), np.sort(expected))
        else:
            assert feed.rows_per_epoch_ == expected.size == 60


def test_memmap_input(tmp_path):
    X, y = _labelled_rows([90, 10])
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    feed = BalancedDataset(mapped, y, sampler=ImbRandomUnderSampler(), random_state=0)
    assert feed._X is mapped  # kept as the memmap, not loaded
    rows, labels, _ = _served(feed)
    assert np.bincount(labels).tolist() == [10, 10]
    assert np.array_equal(y[rows], labels)
    model = _tiny_model(n_features=1)
    model.fit(feed, epochs=1, verbose=0)


# -- weights -----------------------------------------------------------------------------------
def test_sample_and_class_weights_multiply():
    X, y = _labelled_rows([30, 10])
    labels = np.array(["a", "b"])[y]
    sample_weight = np.linspace(0.5, 2.0, 40)
    before = sample_weight.copy()
    feed = BalancedDataset(
        X, labels, sample_weight=sample_weight, class_weight="balanced", random_state=0
    )
    rows, codes, weights = _served(feed)
    reference = sk_class_weight("balanced", classes=np.array(["a", "b"]), y=labels)
    assert weights.dtype == np.float32
    np.testing.assert_allclose(weights, sample_weight[rows] * reference[codes], rtol=1e-6)
    assert np.array_equal(sample_weight, before)


def test_class_weight_dict_keyed_by_user_labels():
    X, y = _labelled_rows([30, 10])
    labels = np.array(["buy", "don't buy"])[y]
    feed = BalancedDataset(X, labels, class_weight={"buy": 3.0}, random_state=0)
    _, codes, weights = _served(feed)
    assert np.array_equal(weights, np.where(codes == 0, 3.0, 1.0).astype(np.float32))
    with pytest.raises(ValueError, match="not a class in y"):
        BalancedDataset(X, labels, class_weight={"sell": 2.0})


def test_deferred_reweighting_switches_class_weights_on():
    X, y = _labelled_rows([30, 10])
    feed = BalancedDataset(X, y, class_weight="balanced", class_weight_from_epoch=2)
    for epoch, weighted in [(0, False), (1, False), (2, True), (5, True)]:
        feed.set_epoch(epoch)
        batch = feed[0]
        assert len(batch) == 3  # the batch structure never changes mid-training
        expected = np.where(batch[1] == 0, 40 / 60, 40 / 20) if weighted else 1.0
        np.testing.assert_allclose(batch[2], np.broadcast_to(expected, batch[2].shape), 1e-6)


# -- Keras -------------------------------------------------------------------------------------
def _tiny_model(n_features, n_classes=2):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((n_features,)), keras.layers.Dense(16, "relu"), keras.layers.Dense(n_classes)]
    )
    model.compile(
        keras.optimizers.Adam(0.02),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def test_fit_end_to_end_without_warnings_and_counts_epochs():
    rng = np.random.default_rng(0)
    y = np.array(["neg"] * 270 + ["pos"] * 30)
    X = (rng.normal(size=(300, 2)) + np.where(y == "pos", 2.5, -0.5)[:, None]).astype(np.float32)
    feed = BalancedDataset(
        X, y, sampler=ImbRandomUnderSampler(), class_weight="balanced",
        class_weight_from_epoch=3, batch_size=16, random_state=0,
    )  # fmt: skip
    model = _tiny_model(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(feed, epochs=6, verbose=0)
    assert [str(w.message) for w in caught] == []  # e.g. Keras's "call super().__init__"
    assert feed.epoch_ == 6  # the on_epoch_end Keras sends before epoch 0 is not counted
    predicted = feed.classes_[np.argmax(keras.ops.convert_to_numpy(model(X)), axis=1)]
    recall = [np.mean(predicted[y == c] == c) for c in feed.classes_]
    assert min(recall) > 0.85


def test_pydataset_kwargs_pass_through_and_threads_work():
    X, y = _labelled_rows([50, 10])
    feed = BalancedDataset(X, y, batch_sampling="class", workers=2, max_queue_size=4)
    assert (feed.workers, feed.max_queue_size, feed.use_multiprocessing) == (2, 4, False)
    _tiny_model(1).fit(feed, epochs=2, verbose=0)
    assert feed.epoch_ == 2


def test_dataframe_is_converted_once_and_float32_kept():
    frame = pd.DataFrame({"a": np.arange(20, dtype=np.float32), "b": np.ones(20, np.float32)})
    y = pd.Series([0] * 15 + [1] * 5)
    feed = BalancedDataset(frame, y, batch_size=8, random_state=0)
    x, labels = feed[0]
    assert isinstance(x, np.ndarray) and x.dtype == np.float32 and labels.dtype == np.int32
    assert np.array_equal(x[:, 0].astype(int), feed.epoch_indices_[:8])


def test_sparse_input_is_densified_per_batch():
    import scipy.sparse as sp

    X, y = _labelled_rows([12, 4])
    feed = BalancedDataset(sp.csr_matrix(X), y, batch_size=5, random_state=0)
    x, _ = feed[1]
    assert isinstance(x, np.ndarray) and np.array_equal(x, X[feed.epoch_indices_[5:10]])


def test_replace_shares_the_data_for_class_balanced_retraining():
    X, y = _labelled_rows(COUNTS)
    feed = BalancedDataset(X, y, class_weight="balanced", class_weight_from_epoch=2)
    head = feed.replace(batch_sampling="class", class_weight=None)
    assert head._X is feed._X and head.class_weight_from_epoch == 0
    assert np.bincount(_served(head)[1]).tolist() == [25, 25, 25, 25]
    with pytest.raises(TypeError, match="unknown parameter"):
        feed.replace(batch_sise=3)


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"batch_sampling": "balanced"}, ValueError, "batch_sampling must be one of"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
        ({"batch_size": 2.5}, ValueError, "batch_size must be a positive integer"),
        ({"batch_sampling": "progressive"}, ValueError, "needs its length: pass epochs"),
        ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
        ({"sampler": "smote"}, TypeError, "must have a fit_resample"),
        ({"sample_weight": np.ones(3)}, ValueError, r"one weight per row, shape \(10,\)"),
        ({"sample_weight": -np.ones(10)}, ValueError, "must be >= 0 for every row"),
        ({"class_weight_from_epoch": 2}, ValueError, "class_weight is None"),
        ({"class_weight_from_epoch": -1}, ValueError, "integer >= 0"),
        ({"class_weight": 3}, TypeError, "class_weight must be None"),
        ({"class_weight": "balance"}, ValueError, "Unknown class_weight strategy"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"random_state": "seed"}, ValueError, "seed"),
        ({"worker": 2}, TypeError, "Unknown keyword argument"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, error, match):
    X, y = _labelled_rows([8, 2])
    with pytest.raises(error, match=match):
        BalancedDataset(X, y, **kwargs)


def test_bad_data_is_rejected():
    X, y = _labelled_rows([8, 2])
    with pytest.raises(ValueError, match="X has 10 rows but y has 9"):
        BalancedDataset(X, y[:9])
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        BalancedDataset(X.ravel(), y)
    with pytest.raises(ValueError, match="epoch must be an integer >= 0"):
        BalancedDataset(X, y).set_epoch(-1)


def test_epoch_codes_and_synthetic_rows_describe_the_current_draw():
    from skbalance.sampling import SMOTE as OurSMOTE
    from skbalance.sampling import RandomUnderSampler as OurRandomUnderSampler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    y = np.array(["a"] * 45 + ["b"] * 15)

    under = BalancedDataset(X, y, sampler=OurRandomUnderSampler(), random_state=0)
    np.testing.assert_array_equal(under.epoch_codes_, (y == "b")[under.epoch_indices_])
    assert np.bincount(under.epoch_codes_).tolist() == [15, 15]
    assert under.synthetic_rows_ is None

    grown = BalancedDataset(X, y, sampler=OurSMOTE(k_neighbors=3), random_state=0)
    assert grown.synthetic_rows_.shape == (30, 3)  # 15 "b" rows grown to 45
    assert np.bincount(grown.epoch_codes_).tolist() == [45, 45]


class _PlainSampler:
    """A sampler with ``fit_resample`` and nothing else of scikit-learn's API (no
    ``get_params``): the documented contract of ``sampler=``."""

    def __init__(self, random_state=None):
        self.random_state = random_state
        self.seeds = []

    def fit_resample(self, X, y):
        self.seeds.append(self.random_state)
        rng = np.random.default_rng(self.random_state)
        keep = np.sort(rng.choice(len(y), size=len(y) // 2, replace=False))
        self.sample_indices_ = keep
        return X[keep], y[keep]


def test_any_object_with_fit_resample_works_per_epoch_and_once():
    """Class: one concept (copy and seed the user's sampler) had two homes with two rules:
    the per-epoch feed cloned with scikit-learn only, so a sampler without get_params failed
    there while resample="once" accepted it. The user's object is never fitted or reseeded."""
    from skbalance.keras._training import resample_once

    X = np.arange(40.0).reshape(20, 2)
    y = np.repeat([0, 1], [14, 6])
    sampler = _PlainSampler()
    feed = BalancedDataset(X, y, sampler=sampler, batch_size=4, random_state=0)
    first = feed.epoch_indices_.copy()
    assert len(first) == 10 and set(first) <= set(range(20))
    feed.set_epoch(1)
    assert not np.array_equal(np.sort(feed.epoch_indices_), np.sort(first))  # a new draw
    again = BalancedDataset(X, y, sampler=sampler, batch_size=4, random_state=0)
    np.testing.assert_array_equal(again.epoch_indices_, first)
    X_res, y_res, _ = resample_once(_PlainSampler(random_state=7), X, y, None, seed=3)
    expected = np.sort(np.random.default_rng(7).choice(20, 10, replace=False))  # seed kept
    np.testing.assert_array_equal(y_res, y[expected])
    assert sampler.seeds == [] and sampler.random_state is None


# -- the data path Keras trains on (every backend) ---------------------------------------------
def _keras_batches(feed, path=None):
    """One pass of the batches ``model.fit`` trains on: through tf.data under TensorFlow, the
    NumPy iterator (JAX, PyTorch) otherwise, or the one named by ``path``."""
    path = path or ("tf" if keras.backend.backend() == "tensorflow" else "numpy")
    batches = feed.get_tf_dataset() if path == "tf" else feed.get_numpy_iterator()
    return [tuple(np.asarray(part) for part in batch) for batch in batches]


def _paths():
    return ["numpy", "tf"] if keras.backend.backend() == "tensorflow" else ["numpy"]


@pytest.mark.parametrize("path", _paths())
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sampler": ImbRandomOverSampler(), "class_weight": "balanced"},
        {"batch_sampling": "class", "sample_weight": np.linspace(0.5, 2.0, 100)},
        {"sampler": SMOTE(k_neighbors=3), "class_weight_from_epoch": 1, "class_weight": "balanced"},
    ],
    ids=["plain", "over+class-weight", "class+sample-weight", "smote+drw"],
)
def test_keras_trains_on_exactly_the_batches_the_feed_serves(params, path):
    X, y = _labelled_rows(COUNTS)
    feed = BalancedDataset(X, y, batch_size=16, random_state=0, **params)
    for epoch in range(3):
        feed.set_epoch(epoch)
        served = _keras_batches(feed, path)
        assert len(served) == len(feed)
        for index, batch in enumerate(served):
            expected = feed[index]
            assert len(batch) == len(expected)
            for got, want in zip(batch, expected, strict=True):
                assert got.dtype == want.dtype
                np.testing.assert_array_equal(got, want)


def test_batch_order_depends_on_random_state_alone():
    import random

    X, y = _labelled_rows(COUNTS)

    def passes(random_state, global_seed):
        np.random.seed(global_seed)  # noqa: NPY002 - the legacy global state a user may set
        random.seed(global_seed)
        keras.utils.set_random_seed(global_seed)
        feed = BalancedDataset(X, y, batch_size=8, random_state=random_state)
        return [np.concatenate([b[0][:, 0] for b in _keras_batches(feed)]) for _ in range(3)]

    first = passes(3, global_seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, passes(3, global_seed=2), strict=True))
    assert not np.array_equal(first[0], first[1])  # reshuffled every epoch
    assert not np.array_equal(first[1], first[2])
    assert not np.array_equal(first[0], passes(4, global_seed=1)[0])
    for rows in first:  # instance sampling without a sampler: every row once per epoch
        np.testing.assert_array_equal(np.sort(rows), np.arange(len(y)))


def test_fit_serves_the_epochs_in_order_whatever_fit_shuffle_says(monkeypatch):
    X, y = _labelled_rows([120, 40])
    X = X / 160.0
    planned = []
    original = BalancedDataset._epoch_batches

    def recording(self, epoch):
        planned.append(epoch)
        return original(self, epoch)

    monkeypatch.setattr(BalancedDataset, "_epoch_batches", recording)
    trained = []
    for shuffle in (True, False):
        feed = BalancedDataset(X, y, batch_sampling="sqrt", batch_size=16, random_state=0)
        model = _tiny_model(1)  # the same initial weights each time
        model.fit(feed, epochs=3, verbose=0, shuffle=shuffle)  # Keras' shuffle is not used
        assert feed.epoch_ == 3
        trained.append([keras.ops.convert_to_numpy(w) for w in model.weights])
        # Epochs 0, 1, 2 in order (a backend may peek at epoch 0 first, and TensorFlow may
        # plan epoch 3 when the last one ends): never an epoch skipped or served twice.
        served = [e for i, e in enumerate(planned) if i == 0 or e != planned[i - 1]]
        assert served[:3] == [0, 1, 2] and set(served) <= {0, 1, 2, 3}
        planned.clear()
    for with_shuffle, without in zip(*trained, strict=True):
        np.testing.assert_array_equal(with_shuffle, without)
