"""KerasBalancedClassifier: behaviour, errors, scikit-learn integration.

Every fit here is tiny (<= 120 rows, 1-3 epochs): the cost of a fit is mostly Keras tracing
its training step, so the module keeps the number of fits low and shares fitted models.
"""

import copy
import gc
import os
import pickle
import random
import weakref

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, StratifiedShuffleSplit, cross_validate

from skbalance.keras import KerasBalancedClassifier
from skbalance.keras.losses import BalancedSoftmaxLoss, FocalLoss, LDAMLoss, LogitAdjustedLoss

BUY, NO = "buy", "don't buy"


def make_data(n=120, n_features=4, seed=0, minority_share=0.25):
    """Linearly separable-ish binary data with string labels, 1 'buy' in 4."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_features)).astype(np.float32)
    n_buy = int(n * minority_share)
    y = np.array([BUY] * n_buy + [NO] * (n - n_buy), dtype=object)
    X[:n_buy, 0] += 2.0
    return X, y


def make_multiclass(n=90, seed=0):
    rng = np.random.RandomState(seed)
    counts = [60, 20, 10]
    y = np.repeat([0, 1, 2], counts)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    X[np.arange(n), y] += 2.5
    return X, y


def small(**params):
    params = {"hidden_units": (16,), "epochs": 2, "random_state": 0, **params}
    return KerasBalancedClassifier(**params)


@pytest.fixture(scope="module")
def fitted_seed_example():
    """The seed's example: string labels, class weights keyed by them."""
    X, y = make_data()
    clf = small(class_weight={BUY: 0.75, NO: 0.25}).fit(X, y)
    return clf, X, y


def test_seed_example_string_labels_and_class_weights(fitted_seed_example):
    clf, X, y = fitted_seed_example
    assert clf.classes_.tolist() == [BUY, NO]
    assert clf.n_classes_ == 2
    assert clf.class_weight_ == {BUY: 0.75, NO: 0.25}
    assert set(clf.predict(X)) <= {BUY, NO}
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    # predict is the argmax of predict_proba, in the user's labels
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    # decision_function is the log-odds of classes_[1]
    decision = clf.decision_function(X)
    assert decision.shape == (len(X),)
    np.testing.assert_allclose(1 / (1 + np.exp(-decision)), proba[:, 1], rtol=1e-5, atol=1e-6)
    assert clf.n_iter_ == 2 and len(clf.history_["loss"]) == 2
    assert all(type(v) is float for v in clf.history_["loss"])
    assert clf.score(X, y) == pytest.approx(np.mean(clf.predict(X) == y))


def test_class_weight_equals_the_same_weights_given_as_sample_weight():
    """class_weight keyed by labels must train exactly as per-row weights would."""
    X, y = make_data()
    by_class = small(class_weight={BUY: 3.0, NO: 0.5}).fit(X, y)
    by_row = small().fit(X, y, sample_weight=np.where(y == BUY, 3.0, 0.5))
    unweighted = small().fit(X, y)
    np.testing.assert_allclose(by_class.predict_proba(X), by_row.predict_proba(X), rtol=1e-6)
    assert not np.allclose(by_class.predict_proba(X), unweighted.predict_proba(X), rtol=1e-3)


def test_class_weight_multiplies_sample_weight_and_leaves_it_untouched():
    X, y = make_data()
    sample_weight = np.linspace(0.5, 1.5, len(y))
    original = sample_weight.copy()
    combined = small(class_weight={BUY: 2.0}).fit(X, y, sample_weight=sample_weight)
    by_row = small().fit(X, y, sample_weight=sample_weight * np.where(y == BUY, 2.0, 1.0))
    np.testing.assert_array_equal(sample_weight, original)
    assert combined.class_weight_ == {BUY: 2.0, NO: 1.0}
    np.testing.assert_allclose(combined.predict_proba(X), by_row.predict_proba(X), rtol=1e-6)


def test_computed_class_weight_uses_skbalance_weights():
    X, y = make_data()
    clf = small(class_weight="balanced", epochs=1).fit(X, y)
    n_buy = np.sum(y == BUY)
    assert clf.class_weight_[BUY] == pytest.approx(len(y) / (2 * n_buy))
    assert clf.class_weight_[NO] == pytest.approx(len(y) / (2 * (len(y) - n_buy)))


def test_unknown_class_weight_key_is_an_error_naming_it_before_any_work():
    X, y = make_data()
    built = []

    def model(input_shape, n_classes):
        built.append(input_shape)
        inputs = keras.Input(shape=input_shape)
        return keras.Model(inputs, keras.layers.Dense(n_classes)(inputs))

    with pytest.raises(ValueError, match="sell") as excinfo:
        small(model=model, class_weight={"sell": 2.0}).fit(X, y)
    assert BUY in str(excinfo.value)
    with pytest.raises(ValueError, match="from_logits=True"):
        small(model=model, loss=keras.losses.SparseCategoricalCrossentropy()).fit(X, y)
    assert built == []  # rejected before a network was built


@pytest.mark.parametrize(
    "loss, loss_type",
    [
        ("cross_entropy", keras.losses.SparseCategoricalCrossentropy),
        ("focal", FocalLoss),
        ("logit_adjusted", LogitAdjustedLoss),
        ("balanced_softmax", BalancedSoftmaxLoss),
        ("ldam", LDAMLoss),
    ],
)
def test_every_loss_string_trains_with_training_fold_counts(loss, loss_type):
    X, y = make_multiclass()
    clf = small(loss=loss, epochs=1, validation_fraction=0.2).fit(X, y)
    assert isinstance(clf.model_.loss, loss_type)
    if hasattr(clf.model_.loss, "class_counts"):
        # counts of the training rows only: a stratified 20% of each class was held out
        np.testing.assert_array_equal(clf.model_.loss.class_counts, [48, 16, 8])
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert clf.decision_function(X).shape == (len(X), 3)
    assert np.isfinite(clf.history_["loss"]).all() and "val_loss" in clf.history_
    restored = pickle.loads(pickle.dumps(clf))  # the compiled skbalance loss round-trips too
    assert type(restored.model_.loss) is type(clf.model_.loss)
    np.testing.assert_array_equal(restored.predict_proba(X), proba)


def test_focal_and_tau_parameters_reach_the_loss():
    X, y = make_multiclass()
    clf = small(loss="focal", gamma=0.5, epochs=1).fit(X, y)
    assert clf.model_.loss.get_config()["gamma"] == 0.5
    clf.set_params(loss="logit_adjusted", tau=0.3).fit(X, y)
    assert clf.model_.loss.tau == 0.3
    # LDAM on the ordinary (not cosine) logits these networks produce: scale 1, not the
    # paper's 30 (which is for normalised logits).
    clf.set_params(loss="ldam").fit(X, y)
    assert clf.model_.loss.scale == 1.0 and clf.model_.loss.max_margin == 0.5


def test_keras_loss_instance_needs_logits():
    X, y = make_multiclass()
    with pytest.raises(ValueError, match="from_logits=True"):
        small(loss=keras.losses.SparseCategoricalCrossentropy()).fit(X, y)
    user_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    clf = small(loss=user_loss, epochs=1).fit(X, y)
    assert clf.model_.loss is not user_loss  # copied, never shared between fits


def test_sampler_applies_to_training_rows_only():
    X, y = make_data(n=100)
    batches = []

    class CountBatches(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)

    clf = small(
        sampler=RandomUnderSampler(random_state=0),
        batch_size=10,
        epochs=1,
        validation_fraction=0.2,
        callbacks=[CountBatches()],
        steps_per_execution=1,
    ).fit(X, y)
    # 80 training rows, 20 of them "buy" -> under-sampled to 20 + 20 rows = 4 batches of 10;
    # the 20 validation rows are held out before resampling.
    assert len(batches) == 4
    assert "val_loss" in clf.history_


def test_sampler_with_sample_weight_follows_selected_rows():
    X, y = make_data(n=100)
    sampler = RandomOverSampler(random_state=0)
    clf = small(sampler=sampler, epochs=1).fit(X, y, sample_weight=np.ones(len(y)))
    assert clf.predict(X).shape == (100,)
    assert not hasattr(sampler, "sample_indices_")  # the user's sampler was cloned, not fitted


def test_generating_sampler_with_sample_weight_is_rejected():
    from imblearn.over_sampling import SMOTE

    X, y = make_data(n=60)
    with pytest.raises(ValueError, match="sample_indices_"):
        small(sampler=SMOTE(k_neighbors=2)).fit(X, y, sample_weight=np.ones(len(y)))


def test_user_model_callable_binary_single_unit():
    X, y = make_data()

    def single_logit(input_shape, n_classes):
        assert n_classes == 2
        inputs = keras.Input(shape=input_shape)
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))

    for loss in ("cross_entropy", "focal"):
        clf = small(model=single_logit, loss=loss).fit(X, y)
        logit = clf.decision_function(X)
        proba = clf.predict_proba(X)
        assert proba.shape == (len(X), 2) and logit.shape == (len(X),)
        np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-logit)), rtol=1e-6)
        np.testing.assert_array_equal(clf.predict(X), np.where(logit > 0, NO, BUY))
    with pytest.raises(ValueError, match="one output unit per class"):
        small(model=single_logit, loss="ldam").fit(X, y)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_single_unit_probabilities_at_extreme_logits():
    """Class: overflow and cancellation at extreme logits (exp(1000) overflowed with a warning,
    and 1 - p rounded a probability of 1e-20 to 0)."""
    from scipy.special import expit

    X, y = make_data(n=60)

    def single_logit(input_shape, n_classes):
        inputs = keras.Input(shape=input_shape)
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))

    clf = small(model=single_logit, epochs=1).fit(X, y)
    kernel, _ = clf.model_.get_weights()
    for logit in (-1000.0, -46.0, 0.0, 46.0, 1000.0):
        clf.model_.set_weights([np.zeros_like(kernel), np.array([logit], np.float32)])
        proba = clf.predict_proba(X[:2])
        np.testing.assert_array_equal(proba, [[expit(-logit), expit(logit)]] * 2)
        assert np.isfinite(proba).all() and (proba.min() > 0 or abs(logit) > 700)
        np.testing.assert_array_equal(clf.predict(X[:2]), [NO if logit > 0 else BUY] * 2)


def _softmax_model(n_features, n_classes, kind):
    inputs = keras.Input(shape=(n_features,))
    if kind == "dense":
        outputs = keras.layers.Dense(n_classes, activation="softmax")(inputs)
    elif kind == "layer":
        outputs = keras.layers.Softmax()(keras.layers.Dense(n_classes)(inputs))
    else:  # a softmax the classifier cannot see
        outputs = keras.layers.Lambda(keras.ops.softmax)(keras.layers.Dense(n_classes)(inputs))
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("kind", ["dense", "layer"])
def test_user_model_instance_with_softmax_is_cloned_and_outputs_logits(kind):
    X, y = make_multiclass()
    user_model = _softmax_model(X.shape[1], 3, kind)
    weights_before = [w.copy() for w in user_model.get_weights()]
    clf = small(model=user_model, epochs=1).fit(X, y)
    assert clf.model_ is not user_model
    for before, after in zip(weights_before, user_model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    # the user's model still ends in softmax; ours outputs logits (rows do not sum to 1)
    probabilities = keras.ops.convert_to_numpy(user_model(X[:5]))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    logits = clf.decision_function(X)
    assert not np.allclose(logits.sum(axis=1), 1.0, atol=1e-3)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)


def test_hidden_softmax_is_rejected():
    X, y = make_multiclass()
    with pytest.raises(ValueError, match="looks like it ends in a softmax"):
        small(model=_softmax_model(X.shape[1], 3, "lambda")).fit(X, y)


class _SoftmaxHead(keras.layers.Layer):
    """A custom layer whose softmax no activation attribute reveals."""

    def call(self, inputs):
        return keras.ops.softmax(inputs * 2.0)


def _probability_head(kind):
    """A model builder ending in a probability layer the classifier cannot see by name."""

    def build(input_shape, n_units):
        inputs = keras.Input(shape=input_shape)
        hidden = keras.layers.Dense(4, activation="relu")(inputs)
        if kind == "lambda_sigmoid":
            return keras.Model(
                inputs, keras.layers.Lambda(keras.ops.sigmoid)(keras.layers.Dense(n_units)(hidden))
            )
        if kind == "hard_sigmoid":
            return keras.Model(
                inputs, keras.layers.Dense(n_units, activation="hard_sigmoid")(hidden)
            )
        if kind == "custom_softmax":
            return keras.Model(inputs, _SoftmaxHead()(keras.layers.Dense(n_units)(hidden)))
        if kind == "lambda_softmax_of_one_unit":
            softmax = keras.layers.Lambda(keras.ops.softmax)
            return keras.Model(inputs, softmax(keras.layers.Dense(n_units)(hidden)))
        # a per-class sigmoid (rows do not sum to 1) inside a Lambda
        return keras.Model(
            inputs,
            keras.layers.Lambda(lambda z: 1 / (1 + keras.ops.exp(-z)))(
                keras.layers.Dense(n_units)(hidden)
            ),
        )

    return build


@pytest.mark.filterwarnings("ignore:You are using a softmax over axis")  # Keras' own, deserved
@pytest.mark.parametrize(
    "kind, n_units, name",
    [
        ("lambda_sigmoid", 1, "sigmoid"),
        ("hard_sigmoid", 1, "sigmoid"),
        ("custom_softmax", 3, "softmax"),
        ("lambda_per_class_sigmoid", 3, "sigmoid"),
        ("lambda_softmax_of_one_unit", 1, "softmax"),  # always 1.0
        ("hard_sigmoid", 3, "sigmoid"),
    ],
)
def test_probability_outputs_are_refused_whatever_layer_makes_them(kind, n_units, name):
    """Class: an output check fooled by probabilities from a layer it does not recognise (a
    one-unit Lambda(sigmoid) used to train and predict a single class, with only a warning)."""
    from skbalance.keras._model import check_network_output

    n_classes = 2 if n_units == 1 else 3
    builder = _probability_head(kind)
    for scale in (1e-3, 1.0, 1e5):  # whatever the scale of the user's features
        X = (np.random.RandomState(0).normal(size=(8, 3)) * scale).astype(np.float32)
        with pytest.raises(ValueError, match=f"it ends in a {name}") as excinfo:
            check_network_output(builder((3,), n_units), X, n_classes)
        assert "Dense layer without activation" in str(excinfo.value)
    X, y = make_data(n=60, n_features=3) if n_units == 1 else make_multiclass(n=90)
    with pytest.raises(ValueError, match="probabilities"):
        small(model=builder, epochs=1).fit(X, y)


@settings(max_examples=25)
@given(
    seed=st.integers(0, 2**31 - 1),
    scale=st.sampled_from([1e-6, 1e-2, 1.0, 1e3, 1e6]),
    n_units=st.sampled_from([1, 2, 5]),
    hidden=st.sampled_from(["relu", "tanh", "sigmoid", "none", "layer_norm", "zero_head"]),
)
def test_logit_networks_are_never_taken_for_probabilities(seed, scale, n_units, hidden):
    """Class: a probability probe that refuses a legitimate logit network (fresh weights, any
    seed, any feature scale, positive-only features, bounded hidden layers whose logits can
    all lie in [0, 1], a zero-initialised head whose every output is 0)."""
    from skbalance.keras._model import check_network_output, seeded_build

    rng = np.random.RandomState(seed % 1000)
    X = (np.abs(rng.normal(size=(8, 3))) * scale).astype(np.float32)  # one-signed features
    with seeded_build(seed):
        inputs = keras.Input(shape=(3,))
        if hidden == "none":
            features = inputs
        elif hidden == "layer_norm":
            features = keras.layers.LayerNormalization()(keras.layers.Dense(4)(inputs))
        else:
            features = keras.layers.Dense(2, activation=hidden.replace("zero_head", "relu"))(inputs)
        initializer = "zeros" if hidden == "zero_head" else "glorot_uniform"
        head = keras.layers.Dense(n_units, kernel_initializer=initializer)
        network = keras.Model(inputs, head(features))
    n_classes = 2 if n_units == 1 else n_units
    assert check_network_output(network, X, n_classes) == n_units


def test_probe_skips_inputs_the_network_cannot_take():
    """Class: a probability probe that crashes a valid network (an Embedding over integer codes
    cannot take the negated or noisy probe rows)."""
    from skbalance.keras._model import check_network_output

    X = np.random.RandomState(0).randint(0, 10, size=(8, 3)).astype(np.float32)
    inputs = keras.Input(shape=(3,))
    embedded = keras.layers.Flatten()(keras.layers.Embedding(10, 2)(inputs))
    network = keras.Model(inputs, keras.layers.Dense(3)(embedded))
    assert check_network_output(network, X, 3) == 3
    probabilities = keras.Model(inputs, keras.layers.Lambda(keras.ops.softmax)(network.output))
    with pytest.raises(ValueError, match="softmax"):
        check_network_output(probabilities, X, 3)


def test_model_with_wrong_number_of_outputs_is_rejected():
    X, y = make_multiclass()
    with pytest.raises(ValueError, match="3 units"):
        small(
            model=lambda shape, k: keras.Sequential([keras.Input(shape), keras.layers.Dense(2)])
        ).fit(X, y)
    with pytest.raises(TypeError, match="must return a keras.Model"):
        small(model=lambda shape, k: "not a model").fit(X, y)


def test_nd_input_with_user_model_and_default_model():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 4, 4, 1)).astype(np.float32)
    y = np.repeat([0, 1], 20)

    def conv(input_shape, n_classes):
        inputs = keras.Input(shape=input_shape)
        hidden = keras.layers.Conv2D(2, 3)(inputs)
        return keras.Model(inputs, keras.layers.Dense(n_classes)(keras.layers.Flatten()(hidden)))

    clf = small(model=conv, epochs=1).fit(X, y)
    assert clf.predict_proba(X).shape == (40, 2)
    assert clf.n_features_in_ == 4
    with pytest.raises(ValueError, match="shape"):
        clf.predict(X[:, :, :3])
    assert small(epochs=1).fit(X, y).predict(X).shape == (40,)


def test_random_state_int_reproducible_and_instance_honoured():
    X, y = make_data(n=60)
    python_state = random.getstate()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002 - the legacy global state
    first = small(dropout=0.2, epochs=1).fit(X, y).predict_proba(X)
    second = small(dropout=0.2, epochs=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    # no global seed was changed behind the user's back
    assert random.getstate() == python_state
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    shared = np.random.RandomState(0)
    clf = small(random_state=shared, epochs=1)
    third = clf.fit(X, y).predict_proba(X)
    fourth = clf.fit(X, y).predict_proba(X)  # the RandomState advanced: a different model
    assert not np.allclose(third, fourth)


def _set_global_seeds(seed):
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global state a user may set
    keras.utils.set_random_seed(seed)


@pytest.mark.parametrize(
    "params",
    [{}, {"sampler": RandomUnderSampler(), "resample": "epoch"}, {"batch_sampling": "class"}],
    ids=["array-feed", "epoch-feed", "balanced-batches"],
)
def test_random_state_alone_fixes_the_fit_whatever_the_global_seeds(params):
    X, y = make_data(n=60)
    weights = np.linspace(0.5, 1.5, len(y))
    fits = []
    for global_seed in (1, 2):
        _set_global_seeds(global_seed)
        clf = small(class_weight="balanced", **params).fit(X, y, sample_weight=weights)
        fits.append((clf.history_, clf.predict_proba(X)))
    assert fits[0][0] == fits[1][0]
    np.testing.assert_array_equal(fits[0][1], fits[1][1])


def test_array_feed_serves_every_row_once_per_epoch_in_a_seeded_order():
    from skbalance.keras._training import ArrayFeed, array_feed

    n_rows = 50
    X = np.arange(n_rows, dtype=np.float32).reshape(-1, 1)  # the feature is the row number
    targets = (np.arange(n_rows) % 3).astype(np.int32)
    weights = np.linspace(0.1, 5.0, n_rows).astype(np.float32)

    def epochs(seed, global_seed, path="numpy"):
        _set_global_seeds(global_seed)
        feed = array_feed(X, targets, weights, batch_size=8, seed=seed)
        assert isinstance(feed, ArrayFeed) and feed.num_batches == 7
        out = []
        for _ in range(3):  # one pass per epoch, as model.fit takes them
            batches = feed.get_tf_dataset() if path == "tf" else feed.get_numpy_iterator()
            batches = [[np.asarray(part) for part in batch] for batch in batches]
            assert [len(b[0]) for b in batches] == [8] * 6 + [2]  # the last batch is short
            x, t, w = (np.concatenate(part) for part in zip(*batches, strict=True))
            rows = x[:, 0].astype(int)
            np.testing.assert_array_equal(np.sort(rows), np.arange(n_rows))  # each row once
            np.testing.assert_array_equal(t, targets[rows])  # targets and weights follow
            np.testing.assert_array_equal(w, weights[rows])
            out.append(rows)
        return out

    first = epochs(seed=5, global_seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, epochs(5, 2), strict=True))
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[1], first[2])
    assert not np.array_equal(first[0], epochs(6, 1)[0])
    if keras.backend.backend() == "tensorflow":  # the tf.data path serves the same order
        assert all(np.array_equal(a, b) for a, b in zip(first, epochs(5, 3, "tf"), strict=True))


def test_array_path_hands_keras_one_feed_not_a_tuple(monkeypatch):
    """On JAX, model.fit(x=(X, y, w)) would be a model with three inputs ("expects 1 named
    input(s) ... received 2 input tensors"): the array path hands over one data adapter."""
    from skbalance.keras._training import ArrayFeed

    seen = []
    original = keras.Model.fit

    def recording(self, x=None, *args, **kwargs):
        seen.append((x, kwargs.get("y"), kwargs.get("shuffle")))
        return original(self, x, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", recording)
    X, y = make_data(n=60)
    clf = small(class_weight="balanced").fit(X, y, sample_weight=np.full(len(y), 2.0))
    assert isinstance(seen[0][0], ArrayFeed) and seen[0][1:] == (None, None)
    assert len(clf.history_["loss"]) == 2 and np.isfinite(clf.history_["loss"]).all()


def test_validation_split_is_stratified_and_early_stopping_restores_best():
    X, y = make_data(n=100)
    clf = small(
        epochs=30, validation_fraction=0.2, early_stopping=True, patience=1, learning_rate=0.3
    ).fit(X, y)
    val_loss = clf.history_["val_loss"]
    assert clf.n_iter_ == len(val_loss) < 30  # a learning rate of 0.3 overshoots quickly
    best = int(np.argmin(val_loss))
    assert clf.n_iter_ == best + 2  # stopped `patience` epochs after the best one


def test_early_stopping_without_validation_monitors_training_loss():
    X, y = make_data(n=60)
    clf = small(epochs=3, early_stopping=True).fit(X, y)
    assert "val_loss" not in clf.history_ and clf.n_iter_ <= 3


def test_warm_start_continues_from_the_trained_weights_in_a_copy():
    """Class: a warm start that trains the previous network in place (a failure would leave it
    half-updated) or that does not actually continue from it."""
    X, y = make_data(n=60)
    clf = small(epochs=1, warm_start=True, learning_rate=0.05).fit(X, y)
    first = clf.model_
    trained = [w.copy() for w in first.get_weights()]
    # A learning rate of 1e-12 leaves the weights where the refit starts from: the trained ones
    # with warm_start, the (same-seed) initial ones without.
    warm = clf.set_params(learning_rate=1e-12).fit(X, y).model_
    cold = small(epochs=1, learning_rate=1e-12).fit(X, y).model_
    assert warm is not first  # a copy was trained; the previous network was left alone
    for before, kept, warm_weight in zip(
        trained, first.get_weights(), warm.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(before, kept)
        np.testing.assert_allclose(warm_weight, before, atol=1e-6)
    assert not np.allclose(cold.get_weights()[0], trained[0], atol=1e-3)
    with pytest.raises(ValueError, match="warm_start"):
        clf.fit(X, np.where(y == BUY, "a", "b"))


def test_warm_start_recompiles_with_the_current_loss_optimizer_and_counts():
    """Class: a warm start that silently keeps the loss, optimizer, learning rate or class
    counts of the previous fit after set_params."""
    X, y = make_multiclass()
    clf = small(epochs=1, warm_start=True).fit(X, y)
    assert isinstance(clf.model_.loss, keras.losses.SparseCategoricalCrossentropy)
    assert isinstance(clf.model_.optimizer, keras.optimizers.Adam)
    subset = np.r_[0:30, 60:90]  # 30, 20 and 10 rows: other counts than the first fit's
    clf.set_params(loss="logit_adjusted", optimizer="sgd", learning_rate=0.123)
    clf.fit(X[subset], y[subset])
    assert isinstance(clf.model_.loss, LogitAdjustedLoss)
    np.testing.assert_array_equal(clf.model_.loss.class_counts, [30, 20, 10])
    assert isinstance(clf.model_.optimizer, keras.optimizers.SGD)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.123)
    clf.set_params(loss=FocalLoss(gamma=0.5, from_logits=True)).fit(X, y)
    assert isinstance(clf.model_.loss, FocalLoss) and clf.model_.loss.gamma == 0.5


def test_warm_start_after_pickling_with_a_model_instance():
    """Class: a warm-start check that compares the model parameter by identity and breaks
    when a round trip copies it (pickle and deepcopy keep one object for both references)."""
    X, y = make_multiclass()
    inputs = keras.Input(shape=(X.shape[1],))
    user_model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    clf = small(model=user_model, epochs=1, warm_start=True).fit(X, y)
    for restored in (pickle.loads(pickle.dumps(clf)), copy.deepcopy(clf)):
        weights = [w.copy() for w in restored.model_.get_weights()]
        restored.set_params(learning_rate=1e-12).fit(X, y)
        for before, after in zip(weights, restored.model_.get_weights(), strict=True):
            np.testing.assert_allclose(after, before, atol=1e-6)


def test_learning_rate_is_never_ignored_with_an_optimizer_instance():
    """Class: a parameter silently ignored (learning_rate used to apply to optimizers given by
    name only, so set_params(learning_rate=...) did nothing with an instance)."""
    X, y = make_data(n=60)
    clf = small(epochs=1, optimizer=keras.optimizers.SGD(learning_rate=0.5), warm_start=True)
    assert float(clf.fit(X, y).model_.optimizer.learning_rate) == pytest.approx(0.5)
    assert float(clf.set_params(learning_rate=0.02).fit(X, y).model_.optimizer.learning_rate) == (
        pytest.approx(0.02)
    )
    named = small(epochs=1, optimizer="sgd").fit(X, y)  # None: 1e-3, whatever the optimizer
    assert float(named.model_.optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(clf.optimizer.learning_rate) == pytest.approx(0.5)  # the user's, untouched


@pytest.mark.parametrize(
    "change, match",
    [
        ({"hidden_units": (8,)}, r"hidden_units=\(16,\); hidden_units is now \(8,\)"),
        (
            {
                "model": lambda shape, k: keras.Sequential(
                    [keras.Input(shape), keras.layers.Dense(k)]
                )
            },
            "model parameter has been replaced",
        ),
    ],
)
def test_warm_start_refuses_a_changed_architecture(change, match):
    """Class: a warm start that silently keeps the old network after the parameters that build
    it changed (or loads its weights into a different one)."""
    X, y = make_data(n=60)
    clf = small(epochs=1, warm_start=True).fit(X, y)
    model, history = clf.model_, clf.history_
    with pytest.raises(ValueError, match=match):
        clf.set_params(**change).fit(X, y)
    assert clf.model_ is model and clf.history_ is history
    clf.set_params(warm_start=False).fit(X, y)  # a new network is fine
    assert clf.model_ is not model


def test_dataframe_input_and_feature_names():
    X, y = make_data(n=40)
    frame = pd.DataFrame(X, columns=list("abcd"))
    fitted = small(epochs=1).fit(frame, pd.Series(y))
    np.testing.assert_array_equal(fitted.feature_names_in_, list("abcd"))
    with pytest.raises(ValueError, match="feature names"):
        fitted.predict(frame.rename(columns={"a": "z"}))


def test_float32_input_reaches_the_feed_without_a_copy(monkeypatch):
    import skbalance.keras.classifier as classifier_module

    X, y = make_data(n=40)
    seen = []
    real_feed = classifier_module.array_feed

    def spy(X_fed, *args, **kwargs):
        seen.append(X_fed)
        return real_feed(X_fed, *args, **kwargs)

    monkeypatch.setattr(classifier_module, "array_feed", spy)
    small(epochs=1).fit(X, y)
    assert np.shares_memory(seen[0], X)
    small(epochs=1).fit(X.astype(np.float64), y)
    assert seen[1].dtype == np.float32


def test_predict_single_row_and_large_input_in_chunks(fitted_seed_example):
    clf, X, _ = fitted_seed_example
    assert clf.predict_proba(X[:1]).shape == (1, 2)
    big = np.tile(X, (80, 1))  # 9,600 rows > one predict chunk
    np.testing.assert_allclose(clf.predict_proba(big)[: len(X)], clf.predict_proba(X), rtol=1e-5)


@pytest.mark.parametrize(
    "make_input, error, match",
    [
        (lambda X: sp.csr_matrix(X), TypeError, "[Ss]parse"),
        (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.nan, X), ValueError, "NaN"),
        (lambda X: np.where(np.eye(*X.shape, dtype=bool), np.inf, X), ValueError, "infinity"),
    ],
)
def test_bad_training_input_is_rejected(make_input, error, match):
    X, y = make_data(n=40)
    with pytest.raises(error, match=match):
        small().fit(make_input(X), y)


def test_errors_one_class_unfitted_wrong_features_and_bad_params(fitted_seed_example):
    clf, X, y = fitted_seed_example
    with pytest.raises(ValueError, match="at least 2 classes"):
        small().fit(X, np.full(len(X), BUY))
    with pytest.raises(NotFittedError):
        small().predict(X)
    with pytest.raises(ValueError, match="4 features"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="epochs"):
        small(epochs=0).fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        small(loss="hinge").fit(X, y)
    # Class: a sequence converted to one array before its elements are checked ((8, True) was
    # silently (8, 1)).
    for bad in [(8, -1), (8, True), (8, 2.0), (8, "4"), [[8, 0]]]:
        with pytest.raises(ValueError, match="hidden_units must be a sequence of positive"):
            small(hidden_units=bad).fit(X, y)
    with pytest.raises(ValueError, match="validation_fraction"):
        small(validation_fraction=0.5).fit(X[:4], np.array([BUY, NO, NO, NO]))


def test_pickle_clone_deepcopy(fitted_seed_example):
    clf, X, _ = fitted_seed_example
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.history_ == clf.history_ and restored.class_weight_ == clf.class_weight_
    copied = copy.deepcopy(clf)
    np.testing.assert_array_equal(copied.predict_proba(X), clf.predict_proba(X))
    fresh = clone(clf)
    assert not hasattr(fresh, "model_") and fresh.get_params()["class_weight"] == {
        BUY: 0.75,
        NO: 0.25,
    }
    # an unfitted estimator holding a Keras model pickles and clones as well
    holder = small(model=_softmax_model(4, 2, "dense"))
    assert isinstance(clone(holder).model, keras.Model)
    assert isinstance(pickle.loads(pickle.dumps(holder)).model, keras.Model)


def test_is_classifier_and_cross_validate_with_probability_scorers():
    X, y = make_data(n=80)
    clf = small(epochs=1)
    assert is_classifier(clf)
    y01 = (y == BUY).astype(int)
    scores = cross_validate(clf, X, y01, cv=2, scoring=["roc_auc", "average_precision"])
    assert np.all((scores["test_roc_auc"] >= 0) & (scores["test_roc_auc"] <= 1))
    assert np.isfinite(scores["test_average_precision"]).all()


# n_jobs=2 pays for two loky workers importing TensorFlow (~1 min on a busy 2-core machine).
@pytest.mark.parametrize("n_jobs", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_grid_search_class_weight_loss_sampler(n_jobs):
    X, y = make_data(n=80)
    grid = GridSearchCV(
        small(epochs=2),
        {
            "class_weight": [None, "balanced"],
            "loss": ["cross_entropy", "focal"],
            "sampler": [None, RandomOverSampler(random_state=0)],
        },
        scoring=["balanced_accuracy", "f1_macro", "roc_auc"],
        refit="balanced_accuracy",
        # one stratified split keeps this to 8 + 1 fits; n_jobs=2 runs them in loky processes
        cv=StratifiedShuffleSplit(n_splits=1, test_size=0.5, random_state=0),
        n_jobs=n_jobs,
        error_score="raise",
    )
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 8
    for scorer in ("balanced_accuracy", "f1_macro", "roc_auc"):
        assert np.isfinite(grid.cv_results_[f"mean_test_{scorer}"]).all()
    assert grid.best_estimator_.predict(X).shape == (80,)


def test_silent_unless_verbose(capfd):
    X, y = make_data(n=40)
    clf = small(epochs=1).fit(X, y)
    clf.predict_proba(X)
    out, err = capfd.readouterr()
    assert out == ""
    assert "retracing" not in err
    small(epochs=1, verbose=2).fit(X, y)
    assert "loss:" in capfd.readouterr().out  # Keras' per-epoch line


def test_steps_per_execution_changes_speed_not_results():
    X, y = make_data(n=100)
    one_step = small(steps_per_execution=1, batch_size=16).fit(X, y).predict_proba(X)
    auto = small(batch_size=16).fit(X, y).predict_proba(X)  # 7 batches per epoch in one call
    np.testing.assert_allclose(auto, one_step, rtol=1e-5, atol=1e-6)


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
def test_25_fits_leak_nothing_beyond_what_plain_keras_retains():
    """Each traced Keras training step leaves ~3-5 MiB inside TensorFlow (plain model.fit does
    the same, with or without clear_session); the estimator must add nothing on top."""
    X, y = make_data(n=60)
    codes = (y == NO).astype(np.int32)

    def plain_fit():
        inputs = keras.Input(shape=(4,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
        model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(X, codes, epochs=1, batch_size=32, verbose=0)

    def ours_fit():
        clf = small(epochs=1).fit(X, y)
        clf.predict_proba(X)
        return weakref.ref(clf.model_)

    for _ in range(3):  # warm-up: first-use allocations of both paths
        plain_fit()
        ours_fit()

    def growth(fit):
        gc.collect()
        before = _rss_mib()
        results = [fit() for _ in range(25)]
        gc.collect()
        return _rss_mib() - before, results

    plain_growth, _ = growth(plain_fit)
    ours_growth, model_refs = growth(ours_fit)
    alive = sum(ref() is not None for ref in model_refs)
    assert alive == 0, f"{alive} of 25 fitted networks are still alive"
    assert ours_growth <= 1.3 * plain_growth + 25, (ours_growth, plain_growth)
