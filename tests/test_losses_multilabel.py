"""Multi-label losses (asymmetric, sigmoid focal per label, logit-adjusted per label) against an
independent NumPy reference and Keras' own losses, on TensorFlow and JAX: extremes, gradients,
serialization, training and bad arguments."""

from __future__ import annotations

import doctest
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from _autodiff import compiled, loss_and_gradient
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit, log_expit
from scipy.special import softplus as np_softplus

from skbalance.keras import losses
from skbalance.keras.losses import (
    AsymmetricLoss,
    DistributionBalancedLoss,
    FocalLoss,
    MultilabelFocalLoss,
    MultilabelLogitAdjustedLoss,
    asymmetric_loss,
    distribution_balanced_loss,
    multilabel_focal_loss,
    multilabel_logit_adjusted_loss,
)
from skbalance.weights import compute_label_weight

N, L = 32, 5
RATES = [0.4, 0.2, 0.1, 0.05, 0.01]


# ------------------------------------------------------------------------------------------
# Independent NumPy reference (float64), written from the papers' formulas.
# ------------------------------------------------------------------------------------------


def ref_asymmetric(
    y, y_pred, gamma_pos=0.0, gamma_neg=4.0, clip=0.05, from_logits=True, pos_w=None, neg_w=None
):
    """Ridnik et al. 2021, eq. (7)-(8): per label, averaged over the labels."""
    y = np.asarray(y, np.float64)
    z = np.asarray(y_pred, np.float64)
    if from_logits:  # log_expit keeps log p exact where expit(z) rounds to 0 or 1
        p, q, log_p, log_q = expit(z), expit(-z), log_expit(z), log_expit(-z)
    else:
        with np.errstate(divide="ignore"):
            p, q, log_p, log_q = z, 1 - z, np.log(z), np.log(1 - z)
    p_m = np.maximum(p - clip, 0.0)
    log_q_m = np.log(np.minimum(q + clip, 1.0)) if clip > 0 else log_q
    positive = q**gamma_pos * log_p
    negative = p_m**gamma_neg * log_q_m
    pos_w = np.ones(y.shape[-1]) if pos_w is None else np.asarray(pos_w, np.float64)
    neg_w = np.ones(y.shape[-1]) if neg_w is None else np.asarray(neg_w, np.float64)
    # A term whose label weight (y or 1 - y) is 0 is 0, even where its log is -inf.
    terms = np.where(y > 0, pos_w * y * positive, 0.0) + np.where(
        y < 1, neg_w * (1 - y) * negative, 0.0
    )
    return -terms.mean(axis=-1)


def ref_logit_adjusted(y, logits, rates, tau=1.0, pos_w=None, neg_w=None):
    rates = np.asarray(rates, np.float64)
    shifted = np.asarray(logits, np.float64) + tau * np.log(rates / (1 - rates))
    return ref_asymmetric(y, shifted, 0.0, 0.0, 0.0, True, pos_w, neg_w)


def ref_distribution_balanced(
    y, logits, rates, gamma=2.0, floor=0.1, slope=10.0, center=0.2, neg_scale=2.0, kappa=0.05
):
    """Wu et al. 2020, written from the authors' code (ResampleLoss, reweight_func='rebalance',
    logit_reg, focal; without its constant factor balance_param=2). Hard 0/1 labels."""
    y, z, rates = (np.asarray(a, np.float64) for a in (y, logits, rates))
    inverse = 1.0 / rates
    repeat_rate = (y * inverse).sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        ratio = inverse / repeat_rate
    weight = expit(slope * (ratio - center)) + floor
    z = z - np.log(1.0 / rates - 1.0) * kappa / neg_scale
    z = z * (1 - y) * neg_scale + z * y
    weight = weight / neg_scale * (1 - y) + weight * y
    bce = y * np_softplus(-z) + (1 - y) * np_softplus(z)
    return ((1 - np.exp(-bce)) ** gamma * weight * bce).mean(axis=-1)


def data(seed=0, n=N, n_labels=L, scale=3.0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < 0.3).astype(np.float32)
    logits = (rng.normal(size=(n, n_labels)) * scale).astype(np.float32)
    return y, logits


def value(tensor) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor), np.float64)


# ------------------------------------------------------------------------------------------
# Values against the reference and against Keras.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize(
    "gamma_pos, gamma_neg", [(0.0, 4.0), (1.0, 4.0), (0.5, 0.5), (0, 0), (2, 3), (0, 1.5), (0, 1)]
)
@pytest.mark.parametrize("clip", [0.0, 0.05, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_asymmetric_matches_reference(from_logits, gamma_pos, gamma_neg, clip, weighted):
    y, logits = data()
    y_pred = logits if from_logits else expit(logits).astype(np.float32)
    pos_w, neg_w = compute_label_weight("balanced", Y=y) if weighted else (None, None)
    got = asymmetric_loss(
        y,
        y_pred,
        gamma_pos=gamma_pos,
        gamma_neg=gamma_neg,
        clip=clip,
        from_logits=from_logits,
        positive_weights=pos_w,
        negative_weights=neg_w,
    )
    expected = ref_asymmetric(y, y_pred, gamma_pos, gamma_neg, clip, from_logits, pos_w, neg_w)
    assert got.shape == (N,)
    np.testing.assert_allclose(value(got), expected, rtol=2e-5, atol=1e-6)


@given(
    hnp.arrays(np.float64, (6, 3), elements=st.floats(-200, 200)),
    hnp.arrays(np.float64, (6, 3), elements=st.floats(0, 1)),
    st.floats(0, 5),
    st.floats(0, 5),
    st.one_of(st.just(0.0), st.floats(1e-300, 1e-6), st.floats(1e-6, 0.5)),
)
def test_asymmetric_matches_reference_on_any_logits_and_soft_targets(
    logits, y, gamma_pos, gamma_neg, clip
):
    got = asymmetric_loss(
        y, logits.astype(np.float32), gamma_pos=gamma_pos, gamma_neg=gamma_neg, clip=clip
    )
    expected = ref_asymmetric(y, logits.astype(np.float32), gamma_pos, gamma_neg, clip)
    np.testing.assert_allclose(value(got), expected, rtol=1e-4, atol=1e-5)


def test_asymmetric_with_no_focusing_and_no_clip_is_keras_binary_cross_entropy():
    y, logits = data(1)
    got = AsymmetricLoss(gamma_pos=0, gamma_neg=0, clip=0)(y, logits)
    expected = keras.losses.BinaryCrossentropy(from_logits=True)(y, logits)
    np.testing.assert_allclose(value(got), value(expected), rtol=1e-5)


def test_asymmetric_clip_discards_easy_negatives_entirely():
    # Negatives with p below clip cost nothing and get no gradient; positives are untouched.
    y = np.array([[0.0, 0.0, 1.0]])
    logits = np.array([[-4.0, -2.5, -4.0]], "float32")  # p = 0.018, 0.076, 0.018
    per_sample, gradient = loss_and_gradient(
        lambda a, b: asymmetric_loss(a, b, gamma_neg=0.0, clip=0.05), y, logits
    )
    p = expit(np.array([-2.5, -4.0]))
    expected = -(np.log(1 - (p[0] - 0.05)) + np.log(p[1])) / 3
    np.testing.assert_allclose(value(per_sample), [expected], rtol=1e-5)
    assert gradient[0, 0] == 0.0 and gradient[0, 1] > 0 and gradient[0, 2] < 0


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
@pytest.mark.parametrize("alpha", [None, 0.25, (0.1, 0.2, 0.3, 0.4, 0.9)])
def test_multilabel_focal_matches_reference(from_logits, gamma, alpha):
    y, logits = data(2)
    y_pred = logits if from_logits else expit(logits).astype(np.float32)
    got = multilabel_focal_loss(y, y_pred, gamma=gamma, alpha=alpha, from_logits=from_logits)
    if alpha is None:
        expected = ref_asymmetric(y, y_pred, gamma, gamma, 0.0, from_logits)
    else:
        a = np.broadcast_to(np.asarray(alpha, np.float64), (L,))
        expected = ref_asymmetric(y, y_pred, gamma, gamma, 0.0, from_logits, a, 1 - a)
    np.testing.assert_allclose(value(got), expected, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("gamma, alpha", [(2.0, 0.25), (0.0, 0.5), (3.0, 0.9)])
def test_multilabel_focal_equals_keras_binary_focal_per_label(from_logits, gamma, alpha):
    y, logits = data(3)
    y_pred = logits if from_logits else expit(logits).astype(np.float32)
    ours = MultilabelFocalLoss(gamma=gamma, alpha=alpha, from_logits=from_logits)(y, y_pred)
    theirs = keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=alpha, gamma=gamma, from_logits=from_logits
    )(y, y_pred)
    np.testing.assert_allclose(value(ours), value(theirs), rtol=1e-4)


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("alpha", [None, 0.3])
def test_one_label_multilabel_focal_equals_binary_focal(from_logits, alpha):
    y, logits = data(4, n_labels=1)
    y_pred = logits if from_logits else expit(logits).astype(np.float32)
    ours = multilabel_focal_loss(y, y_pred, gamma=2.0, alpha=alpha, from_logits=from_logits)
    single = losses.focal_loss(y, y_pred, gamma=2.0, alpha=alpha, from_logits=from_logits)
    np.testing.assert_allclose(value(ours), value(single), rtol=1e-5, atol=1e-7)


def test_focal_loss_reads_an_indicator_as_softmax_rows_which_is_why_the_multilabel_one_exists():
    # A row with two labels is, to FocalLoss, a soft target under one softmax: a different loss.
    y, logits = np.array([[1.0, 1.0, 0.0]]), np.array([[3.0, 3.0, -3.0]], dtype="float32")
    softmax_value = float(FocalLoss(gamma=0.0, from_logits=True)(y, logits))
    per_label = float(MultilabelFocalLoss(gamma=0.0, from_logits=True)(y, logits))
    assert per_label == pytest.approx(float(ref_asymmetric(y, logits, 0, 0, 0)[0]), rel=1e-5)
    assert abs(softmax_value - per_label) > 0.5


@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 2.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_logit_adjusted_matches_reference(tau, weighted):
    y, logits = data(5)
    pos_w, neg_w = compute_label_weight("sqrt_inverse", Y=y) if weighted else (None, None)
    got = MultilabelLogitAdjustedLoss(
        RATES, tau=tau, positive_weights=pos_w, negative_weights=neg_w
    )(y, logits)
    expected = ref_logit_adjusted(y, logits, RATES, tau, pos_w, neg_w).mean()
    assert float(got) == pytest.approx(expected, rel=2e-5)


def test_logit_adjustment_with_tau_zero_is_binary_cross_entropy():
    y, logits = data(6)
    got = multilabel_logit_adjusted_loss(y, logits, positive_rates=RATES, tau=0.0)
    np.testing.assert_allclose(
        value(got), value(keras.losses.binary_crossentropy(y, logits, from_logits=True)), 1e-5
    )


def test_logit_adjustment_makes_the_balanced_decision_the_minimiser():
    # One label with positive rate pi and an uninformative feature: the minimiser of the
    # adjusted loss is the balanced logit 0 (what the classifier thresholds), not log-odds(pi).
    pi = 0.05
    grid = np.linspace(-5, 5, 1001)
    labels = np.array([1.0] * 5 + [0.0] * 95)
    # Every (grid point, row) pair is one sample of one label: one call scores the whole grid.
    y = np.tile(labels, len(grid))[:, None]
    logits = np.repeat(grid, len(labels))[:, None].astype("float32")
    adjusted = value(MultilabelLogitAdjustedLoss([pi]).call(y, logits))
    plain = value(keras.losses.binary_crossentropy(y, logits, from_logits=True))
    best_adjusted = grid[np.argmin(adjusted.reshape(len(grid), -1).mean(axis=1))]
    best_plain = grid[np.argmin(plain.reshape(len(grid), -1).mean(axis=1))]
    assert best_adjusted == pytest.approx(0.0, abs=0.01)
    assert best_plain == pytest.approx(np.log(pi / (1 - pi)), abs=0.01)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"gamma": 0.0},
        {"gamma": 0.5, "floor": 0.0, "slope": 3.0, "center": 0.5},
        {"neg_scale": 5.0, "kappa": 0.1},
        {"neg_scale": 1.0, "kappa": 0.0},
    ],
)
def test_distribution_balanced_matches_the_authors_formula(params):
    y, logits = data(17)
    y[0] = 0  # a sample without any positive label: weight floor + 1
    kwargs = {("bias_scale" if k == "kappa" else k): v for k, v in params.items()}
    got = distribution_balanced_loss(y, logits, positive_rates=RATES, **kwargs)
    expected = ref_distribution_balanced(y, logits, RATES, **params)
    np.testing.assert_allclose(value(got), expected, rtol=2e-5, atol=1e-7)


def test_distribution_balanced_without_its_corrections_is_binary_cross_entropy():
    y, logits = data(18)
    plain = DistributionBalancedLoss(
        RATES, gamma=0.0, floor=0.5, slope=0.0, neg_scale=1.0, bias_scale=0.0
    )
    expected = keras.losses.BinaryCrossentropy(from_logits=True)(y, logits)
    assert float(plain(y, logits)) == pytest.approx(float(expected), rel=1e-5)


def test_distribution_balanced_weights_a_samples_rare_label_above_its_frequent_one():
    # One sample with the head label (rate 0.4) and the tail label (0.01): r = 0.0244 and
    # 0.976, so the head term gets 0.1 + sigmoid(10 * (0.0244 - 0.2)) = 0.247 and the tail
    # term 0.1 + sigmoid(10 * (0.976 - 0.2)) = 1.1; with gamma 0 and no shift, exactly.
    y = np.array([[1.0, 0.0, 0.0, 0.0, 1.0]])
    logits = np.zeros((1, 5), "float32")
    got = value(
        DistributionBalancedLoss(RATES, gamma=0.0, neg_scale=1.0, bias_scale=0.0).call(y, logits)
    )
    r = np.array([1 / 0.4, 1 / 0.2, 1 / 0.1, 1 / 0.05, 1 / 0.01]) / (1 / 0.4 + 1 / 0.01)
    weights = 0.1 + expit(10 * (r - 0.2))
    assert weights[0] == pytest.approx(0.2473, abs=1e-4) and weights[4] == pytest.approx(1.1, 1e-3)
    np.testing.assert_allclose(got, [np.log(2) * weights.mean()], rtol=1e-5)


def test_label_weights_scale_each_labels_terms():
    y, logits = data(7)
    w = compute_label_weight("balanced", Y=y)
    got = AsymmetricLoss(positive_weights=w.positive, negative_weights=w.negative)(y, logits)
    expected = ref_asymmetric(y, logits, 0.0, 4.0, 0.05, True, w.positive, w.negative).mean()
    assert float(got) == pytest.approx(expected, rel=2e-5)
    assert float(got) != pytest.approx(float(AsymmetricLoss()(y, logits)), rel=1e-3)


@pytest.mark.parametrize("shapes", [((N,), (N, 1)), ((N, 1), (N,)), ((N,), (N,))])
def test_a_single_label_accepts_both_column_shapes(shapes):
    y, logits = data(8, n_labels=1)
    got = asymmetric_loss(y.reshape(shapes[0]), logits.reshape(shapes[1]))
    np.testing.assert_allclose(value(got), ref_asymmetric(y, logits), rtol=2e-5, atol=1e-7)


def test_extra_axes_give_one_loss_per_position():
    rng = np.random.default_rng(9)
    y = (rng.random((4, 6, L)) < 0.3).astype("float32")
    logits = rng.normal(size=(4, 6, L)).astype("float32")
    got = asymmetric_loss(y, logits)
    assert got.shape == (4, 6)
    np.testing.assert_allclose(value(got), ref_asymmetric(y, logits), rtol=2e-5, atol=1e-7)


# ------------------------------------------------------------------------------------------
# Numerical safety: logits of +-200, probabilities of exactly 0 and 1.
# ------------------------------------------------------------------------------------------

EXTREME_Y = np.array([[1, 0, 1, 0], [0, 1, 1, 0]], dtype="float32")
EXTREME_LOGITS = np.array([[200.0, -200.0, -200.0, 200.0], [-200.0, 200.0, 0.0, -0.0]], "float32")
ALL_LOSSES = {
    "asymmetric": lambda: AsymmetricLoss(),
    "asymmetric-focused": lambda: AsymmetricLoss(gamma_pos=0.5, gamma_neg=0.3, clip=0.0),
    "asymmetric-tiny-clip": lambda: AsymmetricLoss(gamma_neg=0.5, clip=1e-30),
    "asymmetric-weighted": lambda: AsymmetricLoss(
        gamma_pos=1.0, positive_weights=[2, 3, 4, 5], negative_weights=[0.5] * 4
    ),
    "focal": lambda: MultilabelFocalLoss(gamma=0.5, alpha=0.25, from_logits=True),
    "logit_adjusted": lambda: MultilabelLogitAdjustedLoss([0.5, 0.1, 0.01, 1e-6], tau=1.0),
    "distribution_balanced": lambda: DistributionBalancedLoss(
        [0.5, 0.1, 0.01, 1e-6], positive_weights=[1, 2, 3, 4]
    ),
}


@pytest.mark.parametrize("key", sorted(ALL_LOSSES))
def test_extreme_logits_give_finite_loss_and_gradient(key):
    loss, gradient = loss_and_gradient(ALL_LOSSES[key](), EXTREME_Y, EXTREME_LOGITS)
    assert np.isfinite(float(loss)) and np.all(np.isfinite(gradient))


def test_asymmetric_at_extreme_logits_has_the_exact_value():
    # Row 0: two confident correct labels (0), a positive at -200 (200), a negative at +200
    # (with clip 0.05: -log(0.05) times 0.95**4).
    got = value(asymmetric_loss(EXTREME_Y, EXTREME_LOGITS))
    expected_row0 = (200.0 - 0.95**4 * np.log(0.05)) / 4
    assert got[0] == pytest.approx(expected_row0, rel=1e-6)
    np.testing.assert_allclose(got, ref_asymmetric(EXTREME_Y, EXTREME_LOGITS), rtol=1e-6)


@pytest.mark.parametrize("clip", [0.3, 1e-20, 1e-40, 1e-100])
def test_shifted_negative_is_exact_at_any_clip_and_logit(clip):
    # A negative at logit 200: 1 - p = 1.4e-87 underflows in float32. The loss is
    # -log(1.4e-87 + clip) (times p_m^0 = 1): about 46.05 for clip 1e-20, 92.1 for 1e-40 and
    # 200 for 1e-100, each exact.
    y = np.zeros((1, 2), "float32")
    logits = np.array([[200.0, -200.0]], "float32")
    per_sample, gradient = loss_and_gradient(
        lambda a, b: asymmetric_loss(a, b, gamma_neg=0.0, clip=clip), y, logits
    )
    expected = ref_asymmetric(y, logits, 0.0, 0.0, clip)
    np.testing.assert_allclose(value(per_sample), expected, rtol=1e-6)
    assert np.all(np.isfinite(gradient))


@pytest.mark.parametrize("clip", [0.0, 0.05])
@pytest.mark.parametrize("gamma_pos, gamma_neg", [(0.0, 4.0), (0.5, 0.5)])
def test_probabilities_of_exactly_zero_and_one_are_safe(clip, gamma_pos, gamma_neg):
    probabilities = np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.5, 0.0]], "float32")
    loss, gradient = loss_and_gradient(
        AsymmetricLoss(gamma_pos, gamma_neg, clip, from_logits=False), EXTREME_Y, probabilities
    )
    assert np.isfinite(float(loss)) and np.all(np.isfinite(gradient))


# ------------------------------------------------------------------------------------------
# Keras integration: reduction, sample weights, serialization, training.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(ALL_LOSSES))
def test_sample_weight_and_reduction_follow_keras(key):
    y, logits = data(10, n_labels=4)
    per_sample = value(ALL_LOSSES[key]().call(y, logits))
    weights = np.linspace(0.0, 2.0, N).astype("float32")
    assert float(ALL_LOSSES[key]()(y, logits)) == pytest.approx(per_sample.mean(), rel=1e-5)
    weighted = float(ALL_LOSSES[key]()(y, logits, sample_weight=weights))
    assert weighted == pytest.approx((per_sample * weights).sum() / N, rel=1e-5)
    loss = ALL_LOSSES[key]()
    summed = type(loss).from_config({**loss.get_config(), "reduction": "sum"})(y, logits)
    assert float(summed) == pytest.approx(per_sample.sum(), rel=1e-5)


@pytest.mark.parametrize("key", sorted(ALL_LOSSES))
def test_config_round_trip(key):
    loss = ALL_LOSSES[key]()
    serialized = json.loads(json.dumps(keras.losses.serialize(loss)))
    assert serialized["registered_name"] == f"skbalance>{type(loss).__name__}"
    restored = keras.losses.deserialize(serialized)
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()
    y, logits = data(11, n_labels=4)
    assert float(restored(y, logits)) == float(loss(y, logits))


LOAD_SCRIPT = """
import json, sys
import keras
import skbalance.keras  # registers the losses; nothing else is needed to reload
out = {}
for key, path in json.loads(sys.argv[1]).items():
    loss = keras.saving.load_model(path).loss
    out[key] = [type(loss).__name__, loss.get_config()]
print(json.dumps(out))
"""


def test_saved_models_reload_without_custom_objects(tmp_path):
    paths, expected = {}, {}
    for key, make in ALL_LOSSES.items():
        loss = make()
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
        model.compile(optimizer="sgd", loss=loss)
        paths[key] = str(tmp_path / f"{key}.keras")
        model.save(paths[key])
        expected[key] = [type(loss).__name__, loss.get_config()]
    result = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, json.dumps(paths)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


def long_tailed_toy(seed=0, n=600):
    """Three labels of rates 0.3, 0.1, 0.03, each switched on by its own feature."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    thresholds = np.quantile(x, [0.7, 0.9, 0.97], axis=0).diagonal()
    return x, (x > thresholds).astype("float32")


@pytest.mark.parametrize("key", ["asymmetric", "focal", "logit_adjusted", "distribution_balanced"])
def test_training_loss_falls(key):
    keras.utils.set_random_seed(0)
    x, y = long_tailed_toy()
    make = {
        "asymmetric": lambda: AsymmetricLoss(gamma_neg=2.0),
        "focal": lambda: MultilabelFocalLoss(from_logits=True),
        "logit_adjusted": lambda: MultilabelLogitAdjustedLoss(y.mean(axis=0).tolist()),
        "distribution_balanced": lambda: DistributionBalancedLoss(y.mean(axis=0).tolist()),
    }[key]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss=make())
    history = model.fit(x, y, epochs=8, batch_size=64, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]


# ------------------------------------------------------------------------------------------
# The JAX backend: the same values and finite gradients, traced under jax.jit.
# ------------------------------------------------------------------------------------------

JAX_SCRIPT = """
import json, sys
import jax, numpy as np
import keras
from skbalance.keras.losses import AsymmetricLoss, MultilabelFocalLoss, MultilabelLogitAdjustedLoss
from skbalance.keras.losses import DistributionBalancedLoss
assert keras.backend.backend() == "jax"
inputs = json.loads(sys.argv[1])
y, logits = np.array(inputs["y"], "float32"), np.array(inputs["logits"], "float32")
made = {
    "asymmetric": AsymmetricLoss(),
    "focal": MultilabelFocalLoss(gamma=0.5, alpha=0.25, from_logits=True),
    "logit_adjusted": MultilabelLogitAdjustedLoss([0.5, 0.1, 0.01, 1e-6]),
    "distribution_balanced": DistributionBalancedLoss([0.5, 0.1, 0.01, 1e-6]),
}
out = {}
for key, loss in made.items():
    eager = float(loss(y, logits))
    traced = jax.jit(lambda z, loss=loss: loss(y, z))
    gradient = np.asarray(jax.grad(lambda z, loss=loss: loss(y, z))(logits))
    out[key] = {"eager": eager, "jit": float(traced(logits)),
                "per_sample": np.asarray(loss.call(y, logits)).tolist(),
                "gradient_finite": bool(np.isfinite(gradient).all())}
print(json.dumps(out))
"""


def run_on_jax(y, logits) -> dict:
    env = dict(os.environ, KERAS_BACKEND="jax")
    payload = json.dumps({"y": y.tolist(), "logits": logits.tolist()})
    result = subprocess.run(
        [sys.executable, "-c", JAX_SCRIPT, payload], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(
    keras.backend.backend() == "jax", reason="this pass runs every test of the module on JAX"
)
def test_jax_backend_gives_the_reference_values_and_finite_gradients():
    rng = np.random.default_rng(12)
    y = np.concatenate([EXTREME_Y, (rng.random((6, 4)) < 0.4).astype("float32")])
    logits = np.concatenate([EXTREME_LOGITS, rng.normal(size=(6, 4)).astype("float32") * 4])
    got = run_on_jax(y, logits)
    expected = {
        "asymmetric": ref_asymmetric(y, logits),
        "focal": ref_asymmetric(y, logits, 0.5, 0.5, 0.0, True, [0.25] * 4, [0.75] * 4),
        "logit_adjusted": ref_logit_adjusted(y, logits, [0.5, 0.1, 0.01, 1e-6]),
        "distribution_balanced": ref_distribution_balanced(y, logits, [0.5, 0.1, 0.01, 1e-6]),
    }
    for key, reference in expected.items():
        np.testing.assert_allclose(got[key]["per_sample"], reference, rtol=1e-5, err_msg=key)
        assert got[key]["eager"] == pytest.approx(reference.mean(), rel=1e-5), key
        assert got[key]["jit"] == pytest.approx(reference.mean(), rel=1e-5), key
        assert got[key]["gradient_finite"], key


def test_values_are_not_checked_while_tracing():
    # Inside tf.function / jax.jit the labels are symbolic: no check, no error, the formula.
    y, logits = data(13)
    traced = compiled(lambda a, b: AsymmetricLoss()(a, b))
    assert float(traced(y, logits)) == pytest.approx(ref_asymmetric(y, logits).mean(), 2e-5)


# ------------------------------------------------------------------------------------------
# Bad arguments and bad labels.
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: AsymmetricLoss(gamma_neg=-1), ValueError, "gamma must be >= 0"),
        (lambda: AsymmetricLoss(gamma_pos="2"), TypeError, "gamma must be a finite number"),
        (lambda: AsymmetricLoss(clip=1.0), ValueError, r"clip .* must be in \[0, 1\)"),
        (lambda: AsymmetricLoss(clip=-0.1), ValueError, r"clip .* must be in \[0, 1\)"),
        (lambda: AsymmetricLoss(clip=float("nan")), ValueError, "clip must be a number"),
        (
            lambda: AsymmetricLoss(positive_weights=[1, -1]),
            ValueError,
            r"positive_weights\[1\] = -1.0; every entry must be finite and >= 0",
        ),
        (
            lambda: AsymmetricLoss(negative_weights=[1, np.inf]),
            ValueError,
            r"negative_weights\[1\] = inf",
        ),
        (lambda: AsymmetricLoss(positive_weights=2.0), TypeError, "one number per label"),
        (lambda: AsymmetricLoss(positive_weights=[]), ValueError, "empty"),
        (lambda: MultilabelFocalLoss(alpha=1.5), ValueError, r"must be in \[0, 1\]"),
        (lambda: MultilabelFocalLoss(alpha=[0.5, 2]), ValueError, r"alpha\[1\] = 2.0"),
        (
            lambda: MultilabelLogitAdjustedLoss([0.5, 0.0]),
            ValueError,
            r"positive_rates\[1\] = 0.0; every entry must be finite and in \(0, 1\)",
        ),
        (lambda: MultilabelLogitAdjustedLoss([0.5, 1.0]), ValueError, r"positive_rates\[1\]"),
        (lambda: MultilabelLogitAdjustedLoss(None), TypeError, "positive_rates is required"),
        (lambda: MultilabelLogitAdjustedLoss([0.5], tau=-1), ValueError, "tau must be >= 0"),
        (lambda: DistributionBalancedLoss([0.5], neg_scale=0), ValueError, "neg_scale must be > 0"),
        (lambda: DistributionBalancedLoss([0.5], floor=-1), ValueError, "floor must be >= 0"),
        (lambda: DistributionBalancedLoss([0.5], slope=-1), ValueError, "slope must be >= 0"),
        (lambda: DistributionBalancedLoss([0.5], center=np.inf), ValueError, "center must be"),
        (lambda: DistributionBalancedLoss([0.5], bias_scale=-1), ValueError, "bias_scale must"),
        (lambda: DistributionBalancedLoss([2.0]), ValueError, r"positive_rates\[0\] = 2.0"),
    ],
)
def test_bad_constructor_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    "loss, match",
    [
        (AsymmetricLoss(positive_weights=[1.0] * 3), "positive_weights has 3 entries but the"),
        (AsymmetricLoss(negative_weights=[1.0] * 6), "negative_weights has 6 entries"),
        (MultilabelFocalLoss(alpha=[0.5] * 2), "alpha has 2 entries but the model has 5 labels"),
        (MultilabelLogitAdjustedLoss([0.1] * 4), "positive_rates has 4 entries"),
        (DistributionBalancedLoss([0.1] * 6), "positive_rates has 6 entries"),
        (DistributionBalancedLoss([0.1] * 5, negative_weights=[1] * 4), "negative_weights has 4"),
    ],
)
def test_per_label_arguments_must_match_the_model(loss, match):
    y, logits = data(14)
    with pytest.raises(ValueError, match=match):
        loss(y, logits)


@pytest.mark.parametrize(
    "y_shape, pred_shape",
    [((N,), (N, L)), ((N, 3), (N, L)), ((N, L, 1), (N, L)), ((N, 1), (N, L))],
)
def test_label_shapes_that_are_not_an_indicator_of_the_units_are_rejected(y_shape, pred_shape):
    with pytest.raises(
        ValueError, match=rf"needs a 0/1 label indicator y_true of shape \(n, {L}\)"
    ):
        asymmetric_loss(np.zeros(y_shape, "float32"), np.zeros(pred_shape, "float32"))


@pytest.mark.parametrize("bad", [2.0, -1.0, float("nan")])
@pytest.mark.parametrize("key", sorted(ALL_LOSSES))
def test_labels_outside_zero_one_are_rejected_by_every_loss(key, bad):
    y, logits = data(15, n_labels=4)
    y[3, 2] = bad
    with pytest.raises(ValueError, match=rf"0/1 entries .*; got {bad!r} \(1 of {y.size}"):
        ALL_LOSSES[key]()(y, logits)


def test_probabilities_expected_but_logits_given_is_rejected():
    y, logits = data(16)
    with pytest.raises(ValueError, match="with from_logits=False, y_pred must hold probabil"):
        AsymmetricLoss(from_logits=False)(y, logits)


@pytest.mark.parametrize("module_name", ["_losses_multilabel", "_losses_distribution_balanced"])
def test_docstring_examples_run(module_name):
    import importlib

    module = importlib.import_module(f"skbalance.keras.{module_name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 6 and result.failed == 0
