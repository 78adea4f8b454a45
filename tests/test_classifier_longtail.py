"""KerasBalancedClassifier's long-tail methods: per-epoch resampling, balanced batches, deferred
re-weighting (DRW), post-hoc logit adjustment and classifier re-training (cRT).

Each parameter's effect is checked exactly where it can be: the logits move by exactly
``-tau * log(prior)``, DRW weights are exactly 1 before their epoch, cRT leaves every non-head
weight bit-identical. Fits are tiny (<= 120 rows, 1-3 epochs).
"""

import keras
import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from sklearn.base import clone

import skbalance.keras.feed as feed_module
from skbalance.keras import BalancedDataset, KerasBalancedClassifier
from skbalance.keras._longtail import POSTHOC_TAU_GRID, adjust_logits, choose_posthoc_tau
from skbalance.keras.losses import LogitAdjustedLoss
from skbalance.sampling import RandomOverSampler, RandomUnderSampler


def make_multiclass(counts=(60, 20, 10), seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(["a", "b", "c"], counts)
    X = rng.normal(size=(len(y), 3)).astype(np.float32)
    X[np.arange(len(y)), np.searchsorted(["a", "b", "c"], y)] += 2.0
    return X, y


def small(**params):
    params = {"hidden_units": (8,), "epochs": 2, "random_state": 0, **params}
    return KerasBalancedClassifier(**params)


@pytest.fixture
def served_batches(monkeypatch):
    """Record every epoch plan a BalancedDataset hands to Keras: ``(epoch, codes, weights)``,
    one entry per position of the epoch (Keras cuts its batches from these arrays)."""
    served = []
    original = feed_module.BalancedDataset._epoch_batches

    def recording(self, epoch):
        plan = original(self, epoch)
        served.append((epoch, plan.targets, plan.weights))
        return plan

    monkeypatch.setattr(feed_module.BalancedDataset, "_epoch_batches", recording)
    return served


@pytest.fixture
def epoch_draws(monkeypatch):
    """Record every epoch a BalancedDataset draws: ``(epoch, rows per class code, rows)``.

    (Counting served batches would not do: Keras fetches the first batch again to inspect it.)
    """
    draws = []
    original = feed_module.BalancedDataset._draw

    def recording(self, epoch):
        state = original(self, epoch)
        rows, row_codes = state[0], state[1]
        draws.append((epoch, np.bincount(row_codes[rows]).tolist(), np.sort(rows)))
        return state

    monkeypatch.setattr(feed_module.BalancedDataset, "_draw", recording)
    return draws


@pytest.fixture
def fit_inputs(monkeypatch):
    """Record what KerasBalancedClassifier passes to model.fit (the training data)."""
    seen = []
    original = keras.Model.fit

    def recording(self, x=None, *args, **kwargs):
        seen.append(x)
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", recording)
    return seen


# ----------------------------------------------------------------------- parameters


def test_new_parameters_are_stored_verbatim_and_clone():
    clf = KerasBalancedClassifier(
        resample="once",
        batch_sampling="sqrt",
        class_weight_from_epoch=3,
        posthoc_adjustment="auto",
        head_retrain_epochs=4,
    )
    params = clone(clf).get_params()
    assert params["resample"] == "once"
    assert params["batch_sampling"] == "sqrt"
    assert params["class_weight_from_epoch"] == 3
    assert params["posthoc_adjustment"] == "auto"
    assert params["head_retrain_epochs"] == 4
    defaults = KerasBalancedClassifier().get_params()
    assert (
        defaults["resample"],
        defaults["batch_sampling"],
        defaults["class_weight_from_epoch"],
        defaults["posthoc_adjustment"],
        defaults["head_retrain_epochs"],
    ) == ("epoch", "instance", 0, None, 0)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"resample": "always"}, "resample"),
        ({"batch_sampling": "balanced"}, "batch_sampling"),
        ({"class_weight_from_epoch": -1}, "class_weight_from_epoch"),
        ({"head_retrain_epochs": 1.5}, "head_retrain_epochs"),
        ({"posthoc_adjustment": -0.5}, "posthoc_adjustment"),
        ({"posthoc_adjustment": "best"}, "posthoc_adjustment"),
        ({"posthoc_adjustment": "auto"}, "validation_fraction"),
        ({"class_weight_from_epoch": 1}, "class_weight is None"),
        (
            {"class_weight_from_epoch": 2, "class_weight": "balanced", "epochs": 2},
            "never apply",
        ),
    ],
)
def test_bad_long_tail_parameters_are_rejected_before_training(params, message, fit_inputs):
    X, y = make_multiclass()
    X_before = X.copy()
    with pytest.raises(ValueError, match=message):
        small(**params).fit(X, y)
    assert fit_inputs == []  # nothing was trained
    np.testing.assert_array_equal(X, X_before)


# ------------------------------------------------------------- per-epoch resampling


def test_sampler_with_resample_epoch_trains_on_a_balanced_dataset(fit_inputs, epoch_draws):
    X, y = make_multiclass()
    sampler = RandomUnderSampler()
    clf = small(sampler=sampler, batch_size=8, epochs=3).fit(X, y)
    assert len(fit_inputs) == 1 and isinstance(fit_inputs[0], BalancedDataset)
    assert sampler.get_params()["random_state"] is None  # the user's sampler is untouched
    # Under-sampled to 10 + 10 + 10 rows per epoch: 4 batches of 8; epochs 0-2 trained, and
    # epoch 3 drawn when epoch 2 ends.
    assert len(fit_inputs[0]) == 4
    assert [(epoch, counts) for epoch, counts, _ in epoch_draws] == [
        (e, [10, 10, 10]) for e in range(4)
    ]
    assert clf.class_weight_ == {"a": 1.0, "b": 1.0, "c": 1.0}


def test_resample_epoch_draws_a_fresh_under_sample_every_epoch(epoch_draws):
    X, y = make_multiclass()
    small(sampler=ImbRandomUnderSampler(), epochs=3).fit(X, y)  # imbalanced-learn's works too
    rows = [r for _, _, r in epoch_draws]
    assert len(rows) == 4
    assert not np.array_equal(rows[0], rows[1])
    assert not np.array_equal(rows[1], rows[2])
    # All 10 rows of the tail class "c" (rows 80-89) are in every epoch.
    assert all(np.isin(np.arange(80, 90), r).all() for r in rows)


def test_resample_once_trains_on_arrays_and_resamples_once(fit_inputs):
    calls = []

    class CountingSampler:
        def fit_resample(self, X, y):
            calls.append(len(y))
            return RandomOverSampler(random_state=0).fit_resample(X, y)

    X, y = make_multiclass()
    small(sampler=CountingSampler(), resample="once", epochs=3).fit(X, y)
    assert calls == [90]
    assert not isinstance(fit_inputs[0], BalancedDataset)


def test_epoch_feed_loss_counts_come_from_the_drawn_epoch():
    X, y = make_multiclass()
    clf = small(sampler=RandomOverSampler(), loss="logit_adjusted", epochs=1).fit(X, y)
    assert isinstance(clf.model_.loss, LogitAdjustedLoss)
    assert list(clf.model_.loss.class_counts) == [60.0, 60.0, 60.0]
    clf = small(batch_sampling="class", loss="logit_adjusted", epochs=1).fit(X, y)
    assert list(clf.model_.loss.class_counts) == [30.0, 30.0, 30.0]


def test_generating_sampler_with_sample_weight_is_rejected_per_epoch_too():
    X, y = make_multiclass()
    with pytest.raises(ValueError, match="sample_indices_"):
        small(sampler=SMOTE(k_neighbors=3)).fit(X, y, sample_weight=np.ones(len(y)))


def test_generating_sampler_per_epoch_without_weights_fits():
    X, y = make_multiclass()
    clf = small(sampler=SMOTE(k_neighbors=3), epochs=1).fit(X, y)
    assert clf.predict(X).shape == (90,)


@pytest.mark.parametrize("mode", ["class", "sqrt", "progressive"])
def test_batch_sampling_sets_the_class_shares_of_an_epoch(mode, epoch_draws):
    X, y = make_multiclass()
    small(batch_sampling=mode, epochs=2, batch_size=16).fit(X, y)
    first, last = (np.array(counts) for epoch, counts, _ in epoch_draws[:2])
    counts = np.array([60, 20, 10])
    expected = {
        "class": ([30, 30, 30], [30, 30, 30]),
        # sqrt shares of 90 rows: 90 * sqrt(n_c) / sum sqrt = 41.6, 24.0, 17.0 (rounded)
        "sqrt": (None, None),
        # progressive over 2 epochs: instance at epoch 0, halfway to class at epoch 1
        "progressive": (counts.tolist(), [45, 25, 20]),
    }[mode]
    if mode == "sqrt":
        quota = 90 * np.sqrt(counts) / np.sqrt(counts).sum()
        assert np.all(np.abs(first - quota) < 1) and np.all(np.abs(last - quota) < 1)
    else:
        assert first.tolist() == expected[0]
        assert last.tolist() == expected[1]


# ----------------------------------------------------------- deferred re-weighting


def test_drw_weights_are_one_before_the_epoch_and_class_weights_after(served_batches):
    X, y = make_multiclass()
    clf = small(class_weight="balanced", class_weight_from_epoch=2, epochs=3).fit(X, y)
    # balanced: 90 / (3 * n_c)
    expected = {"a": 0.5, "b": 1.5, "c": 3.0}
    assert clf.class_weight_ == pytest.approx(expected)
    per_code = np.array([expected["a"], expected["b"], expected["c"]], dtype=np.float32)
    # Epochs 0-2 are trained; TensorFlow's iterator may also plan epoch 3 (Keras creates the
    # next epoch's iterator before the fit ends).
    assert {0, 1, 2} <= {b[0] for b in served_batches} <= {0, 1, 2, 3}
    for epoch, codes, weights in served_batches:
        if epoch < 2:
            np.testing.assert_array_equal(weights, np.ones_like(weights))
        else:
            np.testing.assert_allclose(weights, per_code[codes], rtol=1e-6)


def test_drw_multiplies_sample_weight_from_its_epoch(served_batches):
    X, y = make_multiclass()
    sample_weight = np.full(len(y), 2.0)
    small(class_weight="balanced", class_weight_from_epoch=1, epochs=2).fit(
        X, y, sample_weight=sample_weight
    )
    per_code = np.array([0.5, 1.5, 3.0], dtype=np.float32)
    for epoch, codes, weights in served_batches:
        expected = 2.0 * (per_code[codes] if epoch >= 1 else 1.0)
        np.testing.assert_allclose(weights, expected, rtol=1e-6)
    np.testing.assert_array_equal(sample_weight, 2.0)  # the caller's array is untouched


# ---------------------------------------------------------- post-hoc adjustment


@pytest.fixture(scope="module")
def posthoc_pair():
    X, y = make_multiclass()
    plain = small(epochs=3).fit(X, y)
    adjusted = small(epochs=3, posthoc_adjustment=0.7).fit(X, y)
    return plain, adjusted, X, y


def test_posthoc_adjustment_subtracts_exactly_tau_log_prior(posthoc_pair):
    plain, adjusted, X, y = posthoc_pair
    # Training is untouched: the same seed gives the same network.
    raw = keras.ops.convert_to_numpy(adjusted.model_(X))
    np.testing.assert_array_equal(raw, keras.ops.convert_to_numpy(plain.model_(X)))
    prior = np.array([60, 20, 10]) / 90
    expected = raw - 0.7 * np.log(prior)
    np.testing.assert_allclose(adjusted.decision_function(X), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(plain.decision_function(X), raw, rtol=1e-6)
    assert adjusted.posthoc_tau_ == 0.7 and plain.posthoc_tau_ == 0.0
    np.testing.assert_allclose(adjusted.class_prior_, prior)


def test_posthoc_predict_proba_is_softmax_of_adjusted_logits(posthoc_pair):
    _, adjusted, X, _ = posthoc_pair
    logits = adjusted.decision_function(X).astype(np.float64)
    softmax = np.exp(logits - logits.max(axis=1, keepdims=True))
    softmax /= softmax.sum(axis=1, keepdims=True)
    proba = adjusted.predict_proba(X)
    np.testing.assert_allclose(proba, softmax, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(adjusted.predict(X), adjusted.classes_[logits.argmax(axis=1)])


def test_posthoc_adjustment_moves_predictions_toward_rare_classes(posthoc_pair):
    plain, adjusted, X, _ = posthoc_pair
    rare = np.isin(adjusted.predict(X), ["b", "c"]).sum()
    assert rare >= np.isin(plain.predict(X), ["b", "c"]).sum()


def test_posthoc_binary_single_unit_shifts_the_log_odds():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3)).astype(np.float32)
    y = np.array([0] * 80 + [1] * 20)

    def one_logit(input_shape, n_classes):
        return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(1)])

    clf = small(model=one_logit, posthoc_adjustment=1.0).fit(X, y)
    raw = keras.ops.convert_to_numpy(clf.model_(X))[:, 0]
    np.testing.assert_allclose(
        clf.decision_function(X), raw - (np.log(0.2) - np.log(0.8)), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_array_equal(clf.predict(X), (clf.decision_function(X) > 0).astype(int))
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-clf.decision_function(X))), rtol=1e-5)


def test_posthoc_auto_picks_a_tau_of_the_grid_on_the_validation_split():
    X, y = make_multiclass(counts=(60, 30, 20))
    clf = small(posthoc_adjustment="auto", validation_fraction=0.3, epochs=3).fit(X, y)
    assert clf.posthoc_tau_ in POSTHOC_TAU_GRID
    # The prior is that of the training rows after the stratified split: 42 / 21 / 14.
    np.testing.assert_allclose(clf.class_prior_, np.array([42, 21, 14]) / 77)


def test_choose_posthoc_tau_maximises_balanced_accuracy_and_breaks_ties_toward_one():
    log_prior = np.log(np.array([0.8, 0.2]))
    # Row 0 is class 1 and needs tau > 0.5 to be predicted so (margin 0.5 * log 4 = 0.69);
    # row 1 is class 0 and turns to class 1 when tau > 1.5 (margin 1.5 * log 4 = 2.08).
    logits = np.array([[0.7, 0.0], [2.0, 0.0]], dtype=np.float32)
    codes = np.array([1, 0])
    tau = choose_posthoc_tau(logits, codes, log_prior)
    assert tau == 1.0  # 0.6 .. 1.4 are all perfect; 1.0 is closest to 1
    assert choose_posthoc_tau(np.zeros((2, 2), np.float32), np.array([0, 0]), log_prior) == 0.0
    shifted = adjust_logits(logits, log_prior, 0.5)
    np.testing.assert_allclose(shifted, logits - 0.5 * log_prior, rtol=1e-6)


# ------------------------------------------------------------------------------ cRT


def test_crt_retrains_only_the_head_and_restores_trainable_flags():
    X, y = make_multiclass()
    plain = small(hidden_units=(8, 8), epochs=2).fit(X, y)
    crt = small(hidden_units=(8, 8), epochs=2, head_retrain_epochs=2).fit(X, y)
    plain_layers = [layer for layer in plain.model_.layers if layer.weights]
    crt_layers = [layer for layer in crt.model_.layers if layer.weights]
    for before, after in zip(plain_layers[:-1], crt_layers[:-1], strict=True):
        for w_before, w_after in zip(before.get_weights(), after.get_weights(), strict=True):
            np.testing.assert_array_equal(w_before, w_after)
    assert crt_layers[-1].name == "logits"
    assert not np.array_equal(crt_layers[-1].get_weights()[0], plain_layers[-1].get_weights()[0])
    assert all(layer.trainable for layer in crt.model_.layers)
    assert crt.predict(X).shape == (90,)


def test_crt_trains_the_head_on_class_balanced_batches(epoch_draws, fit_inputs):
    X, y = make_multiclass()
    small(epochs=1, head_retrain_epochs=2).fit(X, y)
    # Main training uses arrays; only the head retraining goes through the feed.
    assert not isinstance(fit_inputs[0], BalancedDataset)
    assert isinstance(fit_inputs[1], BalancedDataset)
    assert [(epoch, counts) for epoch, counts, _ in epoch_draws] == [
        (e, [30, 30, 30]) for e in range(3)
    ]


def test_head_retraining_without_a_weighted_layer_is_refused_before_training():
    """Class: a check that runs only after the whole training (cRT needs a layer with weights;
    a model without one used to train every epoch first)."""
    X = np.random.RandomState(0).normal(size=(40, 2)).astype(np.float32)
    y = np.repeat([0, 1], 20)
    trained = []

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            trained.append(True)

    def weightless(input_shape, n_classes):
        inputs = keras.Input(shape=input_shape)
        return keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2.0)(inputs))

    clf = KerasBalancedClassifier(
        model=weightless, head_retrain_epochs=1, epochs=1, callbacks=[Record()]
    )
    with pytest.raises(ValueError, match="no layer with weights"):
        clf.fit(X, y)
    assert trained == [] and not hasattr(clf, "model_")
