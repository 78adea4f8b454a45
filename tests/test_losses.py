"""skbalance.keras.losses against independent NumPy references, Keras' own losses, extremes,
serialization, training, and bad arguments."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys

import keras
import numpy as np
import pytest
from _autodiff import compiled, loss_and_gradient, values
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import log_expit, log_softmax

import skbalance.keras._losses_functions as losses_functions
from skbalance.keras import losses
from skbalance.keras.losses import (
    BalancedSoftmaxLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
    focal_loss,
    ldam_loss,
    logit_adjusted_loss,
)

N, K = 64, 4
COUNTS = [500.0, 120.0, 30.0, 6.0]


# ------------------------------------------------------------------------------------------
# Independent NumPy references (float64, written from the papers' formulas).
# ------------------------------------------------------------------------------------------


def ref_focal(targets, y_pred, gamma, alpha, from_logits, label_smoothing=0.0):
    """targets: (n, k) one-hot/soft; y_pred (n, k); or, for a binary model, targets (n,) 0/1
    and y_pred (n,) with alpha a float (positive weight) or None."""
    y_pred = np.asarray(y_pred, np.float64)
    if y_pred.ndim == 1:  # binary: the two-class problem [negative, positive]
        t = np.asarray(targets, np.float64)
        targets = np.stack([1 - t, t], axis=1)
        if from_logits:
            log_p = np.stack([log_expit(-y_pred), log_expit(y_pred)], axis=1)
        else:
            with np.errstate(divide="ignore"):
                log_p = np.log(np.stack([1 - y_pred, y_pred], axis=1))
        if isinstance(alpha, float):
            alpha = [1 - alpha, alpha]
    elif from_logits:
        log_p = log_softmax(y_pred, axis=1)
    else:
        log_p = np.log(y_pred / y_pred.sum(axis=1, keepdims=True))
    k = targets.shape[1]
    targets = targets * (1 - label_smoothing) + label_smoothing / k
    weights = np.ones(k) if alpha is None else np.asarray(alpha, np.float64)
    p = np.exp(log_p)
    return -np.sum(targets * weights * (1 - p) ** gamma * log_p, axis=1)


def ref_logit_adjusted(labels, logits, counts, tau):
    prior = np.asarray(counts, np.float64) / np.sum(counts)
    adjusted = np.asarray(logits, np.float64) + tau * np.log(prior)
    return -log_softmax(adjusted, axis=1)[np.arange(len(labels)), labels]


def ref_ldam(labels, logits, counts, max_margin, scale):
    margins = 1.0 / np.sqrt(np.sqrt(np.asarray(counts, np.float64)))
    margins = margins * max_margin / margins.max()
    z = np.array(logits, np.float64)
    rows = np.arange(len(labels))
    z[rows, labels] -= margins[labels]
    return -log_softmax(scale * z, axis=1)[rows, labels]


def one_hot(labels, k=K):
    return np.eye(k, dtype=np.float32)[labels]


def label_formats(labels):
    """The three formats a k-unit model accepts: (n,), (n, 1), one-hot (n, k)."""
    return {
        "int (n,)": labels.astype(np.int64),
        "int (n,1)": labels.reshape(-1, 1).astype(np.float32),
        "one-hot": one_hot(labels),
    }


def data(seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, scale, size=(N, K)).astype(np.float32)
    labels = rng.integers(0, K, size=N)
    return labels, logits


def softmax(logits):
    return np.exp(log_softmax(np.asarray(logits, np.float64), axis=1)).astype(np.float32)


# ------------------------------------------------------------------------------------------
# Values vs the references.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["int (n,)", "int (n,1)", "one-hot"])
@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, [0.1, 0.2, 0.3, 0.4]])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_focal_multiclass_matches_reference(fmt, from_logits, gamma, alpha, label_smoothing):
    labels, logits = data(seed=int(gamma * 10))
    y_pred = logits if from_logits else softmax(logits)
    y_true = label_formats(labels)[fmt]
    got = focal_loss(y_true, y_pred, gamma, alpha, from_logits, label_smoothing)
    expected = ref_focal(one_hot(labels), y_pred, gamma, alpha, from_logits, label_smoothing)
    assert tuple(got.shape) == (N,)
    np.testing.assert_allclose(values(got), expected, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("shape", ["(n,)", "(n,1)"])
@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.9, [2.0, 0.5]])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_focal_binary_matches_reference(shape, from_logits, gamma, alpha, label_smoothing):
    rng = np.random.default_rng(1)
    z = rng.normal(0.0, 3.0, size=N).astype(np.float32)
    y = rng.integers(0, 2, size=N)
    y_pred = z if from_logits else 1.0 / (1.0 + np.exp(-z.astype(np.float64)))
    y_pred = y_pred.astype(np.float32)
    shaped = (lambda a: a) if shape == "(n,)" else (lambda a: a.reshape(-1, 1))
    got = focal_loss(shaped(y), shaped(y_pred), gamma, alpha, from_logits, label_smoothing)
    expected = ref_focal(y, y_pred, gamma, alpha, from_logits, label_smoothing)
    assert tuple(got.shape) == (N,)
    np.testing.assert_allclose(values(got), expected, rtol=2e-5, atol=1e-6)


def test_binary_focal_equals_two_unit_focal():
    """One logit z is the two-class model with logits [0, z], labels and weights alike."""
    rng = np.random.default_rng(2)
    z = rng.normal(0, 2, size=N).astype(np.float32)
    y = rng.integers(0, 2, size=N)
    two = np.stack([np.zeros_like(z), z], axis=1)
    kwargs = dict(gamma=1.5, alpha=[0.3, 0.7], from_logits=True, label_smoothing=0.1)
    np.testing.assert_allclose(
        values(focal_loss(y, z, **kwargs)), values(focal_loss(y, two, **kwargs)), rtol=1e-5
    )


@given(
    seed=st.integers(0, 2**31 - 1),
    gamma=st.floats(0.0, 4.0),
    from_logits=st.booleans(),
    k=st.integers(2, 6),
)
def test_focal_integer_and_one_hot_labels_agree(seed, gamma, from_logits, k):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 4, size=(16, k)).astype(np.float32)
    labels = rng.integers(0, k, size=16)
    y_pred = logits if from_logits else softmax(logits)
    alpha = rng.uniform(0.1, 1.0, size=k).tolist()
    sparse = focal_loss(labels, y_pred, gamma, alpha, from_logits)
    dense = focal_loss(np.eye(k, dtype=np.float32)[labels], y_pred, gamma, alpha, from_logits)
    np.testing.assert_allclose(values(sparse), values(dense), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "loss",
    [
        FocalLoss(gamma=2.0, alpha=[0.1, 0.2, 0.3, 0.4], from_logits=True, reduction=None),
        LogitAdjustedLoss(COUNTS, reduction=None),
        LDAMLoss(COUNTS, scale=2.0, reduction=None),
    ],
    ids=["focal", "logit_adjusted", "ldam"],
)
def test_extra_axes_give_one_loss_per_position(loss):
    """Per-pixel / per-timestep outputs (n, h, w, k) work like n*h*w independent rows."""
    labels, logits = data(seed=14)
    grid_labels, grid_logits = labels.reshape(4, 4, 4), logits.reshape(4, 4, 4, K)
    expected = values(loss(labels, logits)).reshape(4, 4, 4)
    for y_true in (grid_labels, one_hot(grid_labels)):
        np.testing.assert_allclose(values(loss(y_true, grid_logits)), expected, rtol=1e-6)


@pytest.mark.parametrize("fmt", ["int (n,)", "int (n,1)", "one-hot"])
@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 2.0])
def test_logit_adjusted_matches_reference(fmt, tau):
    labels, logits = data(seed=3)
    got = logit_adjusted_loss(label_formats(labels)[fmt], logits, COUNTS, tau)
    expected = ref_logit_adjusted(labels, logits, COUNTS, tau)
    np.testing.assert_allclose(values(got), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fmt", ["int (n,)", "int (n,1)", "one-hot"])
@pytest.mark.parametrize(("max_margin", "scale"), [(0.5, 30.0), (0.5, 1.0), (2.0, 4.0)])
def test_ldam_matches_reference(fmt, max_margin, scale):
    labels, logits = data(seed=4, scale=0.5)  # cosine-like logits, as in the paper
    got = ldam_loss(label_formats(labels)[fmt], logits, COUNTS, max_margin, scale)
    expected = ref_ldam(labels, logits, COUNTS, max_margin, scale)
    np.testing.assert_allclose(values(got), expected, rtol=1e-5, atol=1e-5)


def test_ldam_margins_follow_the_quarter_power():
    margins = losses.ldam_margins([10000.0, 625.0, 16.0, 1.0], max_margin=0.8)
    np.testing.assert_allclose(margins, [0.08, 0.16, 0.4, 0.8])


@pytest.mark.parametrize(
    "make",
    [
        lambda: LogitAdjustedLoss([90.0, 10.0], tau=0.7),
        lambda: LDAMLoss([90.0, 10.0], max_margin=0.5, scale=2.0),
    ],
    ids=["logit_adjusted", "ldam"],
)
def test_long_tail_losses_read_one_logit_as_two_class_logits(make):
    rng = np.random.default_rng(5)
    z = rng.normal(0, 2, size=N).astype(np.float32)
    y = rng.integers(0, 2, size=N)
    two = np.stack([np.zeros_like(z), z], axis=1)
    loss = make()
    expected = values(loss.call(y, two))
    np.testing.assert_allclose(values(loss.call(y, z)), expected, rtol=1e-5)
    np.testing.assert_allclose(values(loss.call(y.reshape(-1, 1), z[:, None])), expected, rtol=1e-5)


def test_balanced_softmax_is_logit_adjustment_with_tau_one():
    labels, logits = data(seed=6)
    np.testing.assert_allclose(
        values(BalancedSoftmaxLoss(COUNTS).call(labels, logits)),
        values(LogitAdjustedLoss(COUNTS, tau=1.0).call(labels, logits)),
        rtol=1e-6,
    )
    assert isinstance(BalancedSoftmaxLoss(COUNTS), LogitAdjustedLoss)


# ------------------------------------------------------------------------------------------
# Against Keras' own losses where they coincide.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize(("gamma", "alpha"), [(2.0, 0.25), (0.5, 0.8), (3.0, 0.5)])
def test_binary_focal_equals_keras_binary_focal_with_class_balancing(from_logits, gamma, alpha):
    rng = np.random.default_rng(7)
    z = rng.normal(0, 2, size=(N, 1)).astype(np.float32)
    y = rng.integers(0, 2, size=(N, 1)).astype(np.float32)
    y_pred = z if from_logits else (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
    ours = FocalLoss(gamma=gamma, alpha=alpha, from_logits=from_logits)
    theirs = keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=from_logits
    )
    # Keras clips probabilities (even from logits) to [1e-7, 1 - 1e-7], hence the tolerance.
    np.testing.assert_allclose(values(ours(y, y_pred)), values(theirs(y, y_pred)), rtol=1e-4)


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_multiclass_focal_equals_keras_categorical_focal(from_logits, label_smoothing, gamma):
    labels, logits = data(seed=8, scale=1.5)
    y_pred = logits if from_logits else softmax(logits)
    theirs = keras.losses.CategoricalFocalCrossentropy(
        alpha=0.25, gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing
    )
    expected = values(theirs(one_hot(labels), y_pred))
    ours = FocalLoss(gamma, [0.25] * K, from_logits, label_smoothing)
    for y_true in label_formats(labels).values():  # Keras itself only takes one-hot
        np.testing.assert_allclose(values(ours(y_true, y_pred)), expected, rtol=1e-4)


@pytest.mark.parametrize("from_logits", [True, False])
def test_gamma_zero_without_alpha_is_keras_cross_entropy(from_logits):
    labels, logits = data(seed=9)
    y_pred = logits if from_logits else softmax(logits)
    ours = FocalLoss(gamma=0.0, from_logits=from_logits)
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)(labels, y_pred)
    dense = keras.losses.CategoricalCrossentropy(from_logits=from_logits)(one_hot(labels), y_pred)
    np.testing.assert_allclose(float(ours(labels, y_pred)), float(sparse), rtol=1e-5)
    np.testing.assert_allclose(float(ours(one_hot(labels), y_pred)), float(dense), rtol=1e-5)
    z, y = logits[:, :1], (labels[:, None] % 2).astype(np.float32)
    binary = keras.losses.BinaryCrossentropy(from_logits=True)(y, z)
    np.testing.assert_allclose(
        float(FocalLoss(gamma=0.0, from_logits=True)(y, z)), float(binary), rtol=1e-5
    )


def test_tau_zero_is_keras_sparse_cross_entropy():
    labels, logits = data(seed=10)
    expected = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    np.testing.assert_allclose(
        float(LogitAdjustedLoss(COUNTS, tau=0.0)(labels, logits)), float(expected), rtol=1e-6
    )


# ------------------------------------------------------------------------------------------
# Numerical safety at the extremes.
# ------------------------------------------------------------------------------------------


EXTREME_LOGITS = np.array(
    [[200.0, -200.0, 0.0, -200.0], [-200.0, 200.0, 200.0, -200.0], [0.0, 0.0, -200.0, 200.0]],
    dtype=np.float32,
)
EXTREME_LABELS = np.array([0, 3, 2])  # right and sure, tied, wrong and sure


@pytest.mark.parametrize(
    "loss",
    [
        FocalLoss(gamma=2.0, from_logits=True),
        FocalLoss(gamma=0.3, alpha=[1, 2, 3, 4], from_logits=True),
        FocalLoss(gamma=0.3, from_logits=True, label_smoothing=0.1),
        LogitAdjustedLoss(COUNTS, tau=1.0),
        BalancedSoftmaxLoss(COUNTS),
        LDAMLoss(COUNTS),
    ],
    ids=["focal", "focal-gamma<1-alpha", "focal-smoothing", "logit-adjusted", "bsm", "ldam"],
)
@pytest.mark.parametrize("fmt", ["int", "one-hot"])
def test_extreme_logits_give_finite_loss_and_gradient(loss, fmt):
    y_true = EXTREME_LABELS if fmt == "int" else one_hot(EXTREME_LABELS)
    loss = loss.__class__.from_config({**loss.get_config(), "reduction": None})
    value, grad = loss_and_gradient(loss, y_true, EXTREME_LOGITS)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))


def test_focal_at_extreme_logits_has_the_exact_value():
    value, _ = loss_and_gradient(
        FocalLoss(gamma=2.0, from_logits=True, reduction=None), EXTREME_LABELS, EXTREME_LOGITS
    )
    # sure and right: 0; sure and wrong by 400: (1 - 0)^2 * 400.
    np.testing.assert_allclose(value[[0, 2]], [0.0, 400.0], atol=1e-6)


@pytest.mark.parametrize("gamma", [0.0, 0.3, 2.0])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_probabilities_of_exactly_zero_and_one_are_safe(gamma, label_smoothing):
    probs = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=np.float32)
    labels = np.array([0, 0, 1])  # right and sure, wrong and sure, unsure
    loss = FocalLoss(gamma=gamma, label_smoothing=label_smoothing, reduction=None)
    for y_true in (labels, np.eye(3, dtype=np.float32)[labels]):
        value, grad = loss_and_gradient(loss, y_true, probs)
        assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
        if label_smoothing == 0.0:
            # p_t = 1 costs nothing; p_t = 0 costs -log(smallest normal float32), not infinity.
            np.testing.assert_allclose(value[:2], [0.0, -np.log(np.finfo(np.float32).tiny)])
            np.testing.assert_allclose(value[2], 0.5**gamma * np.log(2.0), rtol=1e-6)


@pytest.mark.parametrize("gamma", [0.0, 0.3, 2.0])
@pytest.mark.parametrize("from_logits", [True, False])
def test_binary_extremes_are_safe(gamma, from_logits):
    y = np.array([[1.0], [0.0], [1.0], [0.0]], dtype=np.float32)
    if from_logits:
        y_pred = np.array([[200.0], [-200.0], [-200.0], [200.0]], dtype=np.float32)
    else:
        y_pred = np.array([[1.0], [0.0], [0.0], [1.0]], dtype=np.float32)
    loss = FocalLoss(gamma=gamma, alpha=0.25, from_logits=from_logits, reduction=None)
    value, grad = loss_and_gradient(loss, y, y_pred)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(value[:2], 0.0, atol=1e-30)
    wrong = 200.0 if from_logits else -np.log(np.finfo(np.float32).tiny)
    np.testing.assert_allclose(value[2:], [0.25 * wrong, 0.75 * wrong], rtol=1e-6)


def test_gradient_of_the_focal_factor_is_finite_for_gamma_below_one_near_p_one():
    # p_t one float32 ulp below 1: (1 - p)^gamma has a steep but finite slope there.
    p = np.float32(1.0) - np.float32(2.0**-24)
    probs = np.array([[p, 1.0 - p]], dtype=np.float32)
    for gamma in (0.01, 0.3):
        value, grad = loss_and_gradient(FocalLoss(gamma=gamma), np.array([0]), probs)
        assert np.isfinite(value).all() and np.isfinite(grad).all()


# ------------------------------------------------------------------------------------------
# Sample weights and reduction: the Keras base class's.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loss",
    [FocalLoss(from_logits=True), LogitAdjustedLoss(COUNTS), LDAMLoss(COUNTS, scale=2.0)],
    ids=["focal", "logit_adjusted", "ldam"],
)
def test_sample_weight_and_reduction_follow_keras(loss):
    labels, logits = data(seed=11)
    weights = np.random.default_rng(0).uniform(0, 3, size=N).astype(np.float32)
    per_sample = values(loss.call(labels, logits))
    assert per_sample.shape == (N,)
    weighted = float(loss(labels, logits, sample_weight=weights))
    np.testing.assert_allclose(weighted, np.sum(weights * per_sample) / N, rtol=1e-5)
    summed = loss.__class__.from_config({**loss.get_config(), "reduction": "sum"})
    np.testing.assert_allclose(float(summed(labels, logits)), per_sample.sum(), rtol=1e-5)


# ------------------------------------------------------------------------------------------
# Serialization.
# ------------------------------------------------------------------------------------------

ALL_LOSSES = {
    "focal": FocalLoss(gamma=1.5, alpha=[0.1, 0.2, 0.3, 0.4], from_logits=True, name="f"),
    "focal-binary-alpha": FocalLoss(gamma=3.0, alpha=0.25, label_smoothing=0.05),
    "logit_adjusted": LogitAdjustedLoss(COUNTS, tau=0.5),
    "balanced_softmax": BalancedSoftmaxLoss(COUNTS, reduction="sum"),
    "ldam": LDAMLoss(COUNTS, max_margin=0.3, scale=10.0),
}


@pytest.mark.parametrize("key", list(ALL_LOSSES))
def test_config_round_trip(key):
    loss = ALL_LOSSES[key]
    config = loss.get_config()
    json.dumps(config)  # a .keras file stores it as JSON
    clone = loss.__class__.from_config(config)
    assert clone.get_config() == config
    restored = keras.losses.deserialize(json.loads(json.dumps(keras.losses.serialize(loss))))
    assert type(restored) is type(loss)
    assert restored.get_config() == config
    labels, logits = data(seed=12)
    y_pred = logits if key != "focal-binary-alpha" else softmax(logits)[:, :1]
    y_true = labels if key != "focal-binary-alpha" else (labels % 2)
    np.testing.assert_allclose(float(restored(y_true, y_pred)), float(loss(y_true, y_pred)))


def test_balanced_softmax_serializes_as_itself():
    serialized = keras.losses.serialize(BalancedSoftmaxLoss(COUNTS))
    assert serialized["registered_name"] == "skbalance>BalancedSoftmaxLoss"
    assert "tau" not in serialized["config"]


# One fresh interpreter (TensorFlow takes seconds to import) loads every saved model twice:
# first after `import skbalance.keras` alone (the lazy package), then after importing the
# losses module, with no custom_objects either time.
LOAD_SCRIPT = """
import json, sys
import keras
import skbalance.keras

def load_all(paths):
    out = {}
    for key, path in paths.items():
        try:
            loss = keras.saving.load_model(path).loss
            out[key] = [type(loss).__name__, loss.get_config()]
        except Exception as exc:
            out[key] = ["error", repr(exc)[:300]]
    return out

paths = json.loads(sys.argv[1])
package_only = load_all(paths)
import skbalance.keras.losses
print(json.dumps({"package_only": package_only, "losses_module": load_all(paths)}))
"""


@pytest.fixture(scope="module")
def reloaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    paths = {}
    for key, loss in ALL_LOSSES.items():
        units = 1 if key == "focal-binary-alpha" else K
        activation = "sigmoid" if units == 1 else None
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, activation)])
        model.compile(optimizer="sgd", loss=loss)
        paths[key] = str(folder / f"{key}.keras")
        model.save(paths[key])
    result = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, json.dumps(paths)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def expected_reload():
    return {key: [type(loss).__name__, loss.get_config()] for key, loss in ALL_LOSSES.items()}


def test_saved_models_reload_without_custom_objects(reloaded):
    assert reloaded["losses_module"] == expected_reload()


def test_importing_skbalance_keras_is_enough_to_reload(reloaded):
    assert reloaded["package_only"] == expected_reload()


# ------------------------------------------------------------------------------------------
# Training: the loss falls.
# ------------------------------------------------------------------------------------------


def imbalanced_blobs(seed=0):
    rng = np.random.default_rng(seed)
    sizes = [240, 60, 20]
    centers = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    x = np.concatenate(
        [rng.normal(c, 1.0, size=(s, 2)) for c, s in zip(centers, sizes, strict=True)]
    )
    y = np.repeat(np.arange(3), sizes)
    return x.astype(np.float32), y, sizes


@pytest.mark.parametrize(
    "make_loss",
    [
        lambda sizes: FocalLoss(gamma=2.0, alpha=[0.2, 0.3, 0.5], from_logits=True),
        lambda sizes: FocalLoss(gamma=2.0),
        lambda sizes: LogitAdjustedLoss(sizes, tau=1.0),
        lambda sizes: BalancedSoftmaxLoss(sizes),
        lambda sizes: LDAMLoss(sizes, max_margin=0.5, scale=2.0),
    ],
    ids=["focal-logits", "focal-softmax", "logit-adjusted", "balanced-softmax", "ldam"],
)
def test_training_loss_falls(make_loss):
    keras.utils.set_random_seed(0)
    x, y, sizes = imbalanced_blobs()
    loss = make_loss(sizes)
    activation = None if getattr(loss, "from_logits", True) else "softmax"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation=activation)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=loss)
    history = model.fit(x, y, epochs=20, batch_size=160, verbose=0).history["loss"]
    assert np.all(np.isfinite(history))
    assert history[-1] < 0.6 * history[0]


# ------------------------------------------------------------------------------------------
# Bad arguments.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: FocalLoss(gamma=-1.0), ValueError, "gamma must be >= 0"),
        (lambda: FocalLoss(gamma=float("nan")), ValueError, "gamma"),
        (lambda: FocalLoss(gamma="2"), TypeError, "gamma"),
        (lambda: FocalLoss(alpha=1.5), ValueError, r"alpha=1\.5.*\[0, 1\]"),
        (lambda: FocalLoss(alpha=[0.5]), ValueError, "alpha"),
        (lambda: FocalLoss(alpha=[[0.5, 0.5]]), ValueError, "alpha"),
        (lambda: FocalLoss(alpha=[1.0, -1.0]), ValueError, "alpha must hold non-negative"),
        (lambda: FocalLoss(alpha="balanced"), TypeError, "alpha"),
        (lambda: FocalLoss(label_smoothing=1.5), ValueError, "label_smoothing"),
        (lambda: LogitAdjustedLoss([10, 0, 5]), ValueError, "class_counts must all be > 0"),
        (lambda: LogitAdjustedLoss([10, -3]), ValueError, "class_counts"),
        (lambda: LogitAdjustedLoss([10, np.nan]), ValueError, "class_counts"),
        (lambda: LogitAdjustedLoss([10]), ValueError, "class_counts"),
        (lambda: LogitAdjustedLoss([10, 5], tau=-0.5), ValueError, "tau must be >= 0"),
        (lambda: BalancedSoftmaxLoss([0, 5]), ValueError, "class_counts"),
        (lambda: LDAMLoss([10, 0]), ValueError, "class_counts"),
        (lambda: LDAMLoss([10, 5], max_margin=0.0), ValueError, "max_margin must be > 0"),
        (lambda: LDAMLoss([10, 5], scale=-1.0), ValueError, "scale must be > 0"),
    ],
)
def test_bad_constructor_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("loss", "match"),
    [
        (FocalLoss(alpha=[0.2, 0.3, 0.5]), "alpha has 3 entries but the model has 4 classes"),
        (FocalLoss(alpha=0.25), r"alpha=0\.25 \(a single float\) only applies to binary"),
        (LogitAdjustedLoss([10, 5]), "class_counts has 2 entries but the model has 4 classes"),
        (BalancedSoftmaxLoss([1, 2, 3, 4, 5]), "class_counts has 5 entries"),
        (LDAMLoss([10, 5, 1]), "class_counts has 3 entries"),
    ],
)
def test_per_class_arguments_must_match_the_model(loss, match):
    labels, logits = data(seed=13)
    with pytest.raises(ValueError, match=match):
        loss(labels, logits)


def test_binary_alpha_length_is_checked_against_two_classes():
    with pytest.raises(ValueError, match="alpha has 3 entries but the model has 2 classes"):
        FocalLoss(alpha=[1, 2, 3])(np.array([0, 1]), np.array([[0.3], [0.8]], np.float32))


@pytest.mark.parametrize(
    ("y_true", "y_pred", "match"),
    [
        (np.zeros((4, 2)), np.zeros((4, 1)), "one output unit is binary"),
        (np.zeros((4, 3)), np.zeros((4, 4)), r"integer class indices of shape \(n,\)"),
        (np.zeros((4, 2, 2)), np.zeros((4, 4)), "one-hot of shape"),
    ],
)
def test_label_shapes_that_fit_no_format_are_rejected(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        focal_loss(y_true, y_pred.astype(np.float32))


# ------------------------------------------------------------------------------------------
# Label values: one check for every loss (eager calls).
# ------------------------------------------------------------------------------------------

EVERY_LOSS = {
    "FocalLoss": lambda: FocalLoss(from_logits=True),
    "FocalLoss(softmax)": lambda: FocalLoss(),
    "LogitAdjustedLoss": lambda: LogitAdjustedLoss(COUNTS, tau=0.5),
    "BalancedSoftmaxLoss": lambda: BalancedSoftmaxLoss(COUNTS),
    "LDAMLoss": lambda: LDAMLoss(COUNTS),
    "focal_loss": lambda: lambda y, p: focal_loss(y, p, from_logits=True),
    "logit_adjusted_loss": lambda: lambda y, p: logit_adjusted_loss(y, p, COUNTS),
    "ldam_loss": lambda: lambda y, p: ldam_loss(y, p, COUNTS),
}
BINARY_COUNTS = [30.0, 6.0]
EVERY_BINARY_LOSS = {
    "FocalLoss": lambda: FocalLoss(from_logits=True),
    "FocalLoss(alpha)": lambda: FocalLoss(alpha=0.25),
    "LogitAdjustedLoss": lambda: LogitAdjustedLoss(BINARY_COUNTS),
    "BalancedSoftmaxLoss": lambda: BalancedSoftmaxLoss(BINARY_COUNTS),
    "LDAMLoss": lambda: LDAMLoss(BINARY_COUNTS),
}


def _probabilities(logits):
    return softmax(logits)  # valid for every loss: the logit losses take any real numbers


@pytest.mark.parametrize("make", EVERY_LOSS.values(), ids=EVERY_LOSS)
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (-1, r"class indices in \[0, 4\), i\.e\. 0 to 3; got -1\.0 \(1 of 64 labels outside\)"),
        (4, r"class indices in \[0, 4\).*got 4\.0 "),
        (1.5, r"whole numbers; got 1\.5 \(1 of 64 labels fractional\)"),
        (np.nan, r"class indices in \[0, 4\).*got nan"),
        (np.inf, r"class indices in \[0, 4\).*got inf"),
    ],
)
@pytest.mark.parametrize("shape", ["(n,)", "(n, 1)"])
def test_every_loss_rejects_bad_class_indices(make, bad, match, shape):
    """Class: labels outside the class range or fractional silently reinterpreted (-1 read as
    the last class, 1.5 truncated to 1, k gathered out of bounds)."""
    labels, logits = data(seed=3)
    y_true = labels.astype(np.float64)
    y_true[17] = bad
    if shape == "(n, 1)":
        y_true = y_true.reshape(-1, 1)
    before = y_true.copy()
    with pytest.raises(ValueError, match=match):
        make()(y_true, _probabilities(logits))
    np.testing.assert_array_equal(y_true, before)  # the caller's labels are untouched


@pytest.mark.parametrize("make", EVERY_LOSS.values(), ids=EVERY_LOSS)
@pytest.mark.parametrize("bad", [-0.5, 1.5, np.nan])
def test_every_loss_rejects_one_hot_targets_outside_zero_one(make, bad):
    """Class: target rows that are not probabilities (a label-encoded matrix, a sign flip)
    silently turned into a meaningless loss."""
    labels, logits = data(seed=4)
    targets = one_hot(labels)
    targets[5, 0] = bad
    with pytest.raises(ValueError, match=r"one-hot \(or soft\) targets, whose entries must lie"):
        make()(targets, _probabilities(logits))


@pytest.mark.parametrize("make", EVERY_BINARY_LOSS.values(), ids=EVERY_BINARY_LOSS)
@pytest.mark.parametrize("bad", [2, -1, np.nan])
def test_every_binary_loss_rejects_labels_outside_zero_one(make, bad):
    """Class: a 3-class label (2) or a -1/1 label given to a one-unit model silently read as a
    target outside [0, 1], which gives a negative or unbounded loss."""
    y_true = np.array([0, 1, 1, 0, bad], dtype=np.float64)
    y_pred = np.full((5, 1), 0.4, np.float32)
    with pytest.raises(ValueError, match=r"one output unit is binary: y_true must hold 0/1"):
        make()(y_true, y_pred)


@pytest.mark.parametrize("make", EVERY_BINARY_LOSS.values(), ids=EVERY_BINARY_LOSS)
def test_binary_losses_accept_probability_targets(make):
    """Soft binary targets are the two-class targets ``[1 - y, y]``: the value is the mean of
    the 0 and 1 losses weighted by y (the loss is linear in the targets; LDAM's margin is not,
    so for it only finiteness is asserted)."""
    y_pred = np.array([[0.2], [0.7], [0.9]], np.float32)
    soft = np.array([0.25, 0.5, 1.0])
    loss = make()
    if isinstance(loss, LDAMLoss):
        assert np.isfinite(values(loss(soft, y_pred)))
        return
    pure_0 = values(loss(np.zeros(3), y_pred, sample_weight=1 - soft))
    pure_1 = values(loss(np.ones(3), y_pred, sample_weight=soft))
    np.testing.assert_allclose(values(loss(soft, y_pred)), pure_0 + pure_1, rtol=1e-5)


@given(
    labels=st.lists(st.integers(-3, K + 2), min_size=1, max_size=20),
    loss_name=st.sampled_from(sorted(EVERY_LOSS)),
)
def test_loss_raises_exactly_when_a_label_is_outside_the_classes(labels, loss_name):
    """Class: labels outside the class range: the loss raises if and only if one label is
    outside [0, K), and otherwise gives the reference value (for the logit-adjusted loss)."""
    y_true = np.array(labels)
    logits = _probabilities(np.linspace(-2, 2, len(labels) * K).reshape(-1, K))
    loss = EVERY_LOSS[loss_name]()
    if np.any((y_true < 0) | (y_true >= K)):
        with pytest.raises(ValueError, match=r"class indices in \[0, 4\)"):
            loss(y_true, logits)
    else:
        value = values(loss(y_true, logits))
        assert np.all(np.isfinite(value))
        if loss_name == "logit_adjusted_loss":
            np.testing.assert_allclose(
                value, ref_logit_adjusted(y_true, logits, COUNTS, 1.0), rtol=1e-5
            )


def test_label_check_runs_in_eager_fit_and_not_while_tracing():
    """Class: a check that breaks compiled training (or silently vanishes from eager runs):
    ``run_eagerly=True`` fits see the error; a traced function (``tf.function``,
    ``jax.jit``) is not checked (the values do not exist while tracing, as documented) and
    still computes."""
    x = np.zeros((8, 2), np.float32)
    y = np.array([0, 1, 2, 0, 1, 2, 0, -1])
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=FocalLoss(from_logits=True), run_eagerly=True)
    with pytest.raises(ValueError, match="got -1"):
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    traced = compiled(lambda y_true, y_pred: focal_loss(y_true, y_pred, from_logits=True))
    good = traced(keras.ops.convert_to_tensor(y[:7]), keras.ops.zeros((7, 3)))
    assert np.all(np.isfinite(values(good)))


@pytest.mark.parametrize("shape", ["binary", "multiclass"])
def test_focal_on_probabilities_rejects_logits(shape):
    """Class: inputs outside their domain silently reinterpreted: logits given to a loss that
    expects probabilities (FocalLoss's default from_logits=False) were renormalised into a
    finite, meaningless loss (0.163 for these logits)."""
    labels, logits = data(seed=6)
    y_true, y_pred = (labels % 2, logits[:, :1]) if shape == "binary" else (labels, logits)
    with pytest.raises(ValueError, match=r"from_logits=False, y_pred must hold probabilities"):
        FocalLoss()(y_true, y_pred)
    assert np.isfinite(values(FocalLoss(from_logits=True)(y_true, y_pred)))


def test_label_check_reads_bfloat16_labels():
    """Class: dtype round trips: bfloat16 (no NumPy kind letter) is numeric and is checked."""
    y_true = keras.ops.cast(np.array([0, 1, 3]), "bfloat16")
    logits = np.zeros((3, K), np.float32)
    assert np.isfinite(values(focal_loss(y_true, logits, from_logits=True))).all()
    with pytest.raises(ValueError, match="got -1"):
        focal_loss(keras.ops.cast(np.array([0, -1]), "bfloat16"), logits[:2], from_logits=True)


@pytest.mark.parametrize("total", [1e-300, 1.0, 1e300])
def test_logit_adjustment_is_exact_at_extreme_count_scales(total):
    """Class: extreme scales: the prior was counts / sum(counts), and the sum overflowed to inf
    for counts near 1e308 (every loss NaN). Only the ratios matter, at any scale."""
    labels, logits = data(seed=7)
    frequencies = np.asarray(COUNTS) / np.sum(COUNTS)
    counts = (frequencies * total).tolist()
    if total == 1e300:
        counts = [f * 1e308 * 2 for f in frequencies]  # each finite; their sum overflows
        with np.errstate(over="ignore"):
            assert np.all(np.isfinite(counts)) and not np.isfinite(np.sum(counts))
    expected = ref_logit_adjusted(labels, logits, COUNTS, 1.0)
    np.testing.assert_allclose(
        values(logit_adjusted_loss(labels, logits, counts)), expected, rtol=1e-5, atol=1e-6
    )


def test_ldam_default_scale_is_the_papers():
    """Pins the documented split (LDAMLoss docstring, docs/losses.md): ``LDAMLoss`` defaults
    to the paper's scale 30 for cosine logits; the classifier's ``"ldam"`` uses 1 (pinned in
    tests/test_classifier.py::test_focal_and_tau_parameters_reach_the_loss)."""
    assert LDAMLoss(COUNTS).scale == 30.0
    labels, logits = data(seed=5)
    np.testing.assert_allclose(
        values(ldam_loss(labels, logits, COUNTS)),
        ref_ldam(labels, logits, COUNTS, max_margin=0.5, scale=30.0),
        rtol=1e-4,
        atol=1e-5,
    )


def test_docstring_examples_run():
    for module in (losses, losses_functions):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0
