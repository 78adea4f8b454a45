"""KerasBalancedClassifier's ``output_prior``: the exact prior-shift correction of the outputs.

Three kinds of check: the correction is the formula ``logits + log t - log q`` on the
network's own logits (exact to float32); ``effective_prior_`` (``q``) of every training
technique equals a hand computation from the counts, weights and schedule; and on simulated
data whose Bayes posterior is known, the ``"data"``-corrected probabilities of a balanced model
are many times closer to it than the network's own. Fits are tiny (<= 300 rows, 1-3 epochs)
except the simulation (3,000 rows, a linear model, 10 epochs).
"""

import pickle
import warnings

import keras
import numpy as np
import pytest
from scipy.special import expit, logit, softmax
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV, CalibrationDisplay, calibration_curve
from sklearn.model_selection import TunedThresholdClassifierCV
from sklearn.utils._param_validation import InvalidParameterError
from test_classifier_longtail import make_multiclass, small  # tests/ is on sys.path

import skbalance.keras.classifier as classifier_module
from skbalance.keras import KerasBalancedClassifier, PriorCorrectionWarning
from skbalance.keras.losses import FocalLoss, LogitAdjustedLoss
from skbalance.sampling import SMOTE, RandomOverSampler, RandomUnderSampler

COUNTS = np.array([60, 20, 10])


def network_logits(clf, X):
    return keras.ops.convert_to_numpy(clf.model_(X)).astype(np.float64)


def normalise(values):
    values = np.asarray(values, dtype=np.float64)
    return values / values.sum()


# ------------------------------------------------------------------ the correction itself


@pytest.mark.parametrize("output_prior", ["data", "uniform", [0.2, 0.3, 0.5]])
def test_outputs_are_the_prior_shift_of_the_network_logits(output_prior):
    X, y = make_multiclass()
    clf = small(class_weight={"a": 1.0, "b": 2.0, "c": 5.0}, output_prior=output_prior).fit(X, y)
    effective = normalise(COUNTS * [1.0, 2.0, 5.0])
    if isinstance(output_prior, str):
        target = {"data": normalise(COUNTS), "uniform": np.full(3, 1 / 3)}[output_prior]
    else:
        target = normalise(output_prior)
    np.testing.assert_allclose(clf.effective_prior_, effective, rtol=1e-6)
    np.testing.assert_allclose(clf.output_prior_, target, rtol=1e-12)
    expected = network_logits(clf, X) + np.log(target) - np.log(effective)
    np.testing.assert_allclose(clf.decision_function(X), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(clf.predict_proba(X), softmax(expected, axis=1), atol=1e-6)
    assert np.array_equal(clf.predict(X), clf.classes_[np.argmax(clf.predict_proba(X), axis=1)])


def test_train_is_the_network_unchanged():
    X, y = make_multiclass()
    clf = small(class_weight="balanced").fit(X, y)
    assert clf.output_prior == "train"
    np.testing.assert_array_equal(clf.output_prior_, clf.effective_prior_)
    np.testing.assert_array_equal(
        clf.decision_function(X), network_logits(clf, X).astype(np.float32)
    )


def _one_unit(input_shape, n_classes):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Dense(1)])


@pytest.mark.parametrize("model", [None, _one_unit], ids=["two_units", "one_unit"])
def test_binary_log_odds_move_by_the_difference_of_the_shifts(model):
    X, y = make_multiclass(counts=(80, 20, 0))
    y = np.where(y == "a", "no", "yes")
    clf = small(model=model, class_weight="balanced", output_prior=[0.99, 0.01]).fit(X, y)
    logits = network_logits(clf, X)
    raw = logits[:, 0] if logits.shape[1] == 1 else logits[:, 1] - logits[:, 0]
    effective = clf.effective_prior_
    np.testing.assert_allclose(effective, [0.5, 0.5], rtol=1e-6)
    shift = np.log(0.01 / 0.99) - np.log(effective[1] / effective[0])
    np.testing.assert_allclose(clf.decision_function(X), raw + shift, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], expit(raw + shift), atol=1e-6)
    assert np.array_equal(clf.predict(X), np.where(raw + shift > 0, "yes", "no"))


def test_posthoc_tau_one_on_an_unbalanced_model_is_output_prior_uniform():
    X, y = make_multiclass()
    posthoc = small(posthoc_adjustment=1.0).fit(X, y)
    uniform = small(output_prior="uniform").fit(X, y)
    np.testing.assert_allclose(uniform.effective_prior_, posthoc.class_prior_)
    np.testing.assert_allclose(uniform.predict_proba(X), posthoc.predict_proba(X), atol=1e-6)


# ------------------------------------------------------ the effective prior of each technique

WEIGHTS = {"a": 1.0, "b": 2.0, "c": 5.0}
# per-class constant sample weights: their class means do not depend on which rows a draw takes
ROW_WEIGHT = {"a": 2.0, "b": 1.0, "c": 3.0}


def _effective_number(counts, beta=0.999):
    return (1 - beta) / (1 - beta ** np.asarray(counts, dtype=np.float64))


CASES = {
    "none": ({}, False, normalise(COUNTS)),
    "balanced": ({"class_weight": "balanced"}, False, np.full(3, 1 / 3)),
    "dict": ({"class_weight": WEIGHTS}, False, normalise(COUNTS * [1, 2, 5])),
    "effective_number": (
        {"class_weight": "effective_number"}, False, normalise(COUNTS * _effective_number(COUNTS)),
    ),
    "sample_weight": ({}, True, normalise(COUNTS * [2, 1, 3])),
    "sample_weight_and_dict": ({"class_weight": WEIGHTS}, True, normalise(COUNTS * [2, 2, 15])),
    "undersample_once": ({"sampler": RandomUnderSampler(), "resample": "once"}, False, [1, 1, 1]),
    "oversample_once": (
        {"sampler": RandomOverSampler(sampling_strategy={"c": 30}), "resample": "once"},
        False, normalise([60, 20, 30]),
    ),
    "smote_once_weighted": (
        # synthetic rows get their parents' weight (interpolated between equal weights)
        {"sampler": SMOTE(sampling_strategy={"b": 40}), "resample": "once"}, True,
        normalise(np.array([60, 40, 10]) * [2, 1, 3]),
    ),
    "undersample_epoch": ({"sampler": RandomUnderSampler()}, False, [1, 1, 1]),
    "smote_epoch_weighted": (
        {"sampler": SMOTE(sampling_strategy={"b": 40, "c": 30})}, True,
        normalise(np.array([60, 40, 30]) * [2, 1, 3]),
    ),
    "undersample_epoch_weighted": (
        {"sampler": RandomUnderSampler(sampling_strategy={"a": 30})}, True,
        normalise(np.array([30, 20, 10]) * [2, 1, 3]),
    ),
    "undersample_epoch_sqrt": (
        {"sampler": RandomUnderSampler(sampling_strategy={"a": 40}), "batch_sampling": "sqrt"},
        False, normalise(np.sqrt([40, 20, 10])),
    ),
    "class_batches": ({"batch_sampling": "class"}, False, [1, 1, 1]),
    "class_batches_weighted": ({"batch_sampling": "class"}, True, normalise([2, 1, 3])),
    "sqrt_batches": ({"batch_sampling": "sqrt"}, False, normalise(np.sqrt(COUNTS))),
    # epochs=3: the last epoch (2) is 2/3 of the way from instance to class shares
    "progressive": (
        {"batch_sampling": "progressive", "epochs": 3}, False,
        normalise(COUNTS) / 3 + 2 / 3 * np.full(3, 1 / 3),
    ),
    "drw": (
        {"class_weight": WEIGHTS, "class_weight_from_epoch": 1}, False,
        normalise(COUNTS * [1, 2, 5]),
    ),
    "once_then_class_batches": (
        {"sampler": RandomOverSampler(sampling_strategy={"c": 30}), "resample": "once",
         "batch_sampling": "class"}, False, [1, 1, 1],
    ),
    "logit_adjusted": ({"loss": "logit_adjusted"}, False, [1, 1, 1]),
    "logit_adjusted_half": (
        {"loss": "logit_adjusted", "tau": 0.5}, False, normalise(COUNTS**0.5),
    ),
    "logit_adjusted_weighted": (
        # weights give q = n * w; the loss's term divides by pi = n: w is left
        {"loss": "logit_adjusted", "class_weight": WEIGHTS}, False, normalise([1, 2, 5]),
    ),
    "balanced_softmax_undersampled": (
        {"loss": "balanced_softmax", "sampler": RandomUnderSampler()}, False, [1, 1, 1],
    ),
    "logit_adjusted_instance": (
        {"loss": LogitAdjustedLoss([1.0, 1.0, 2.0])}, False, normalise(COUNTS / [1, 1, 2]),
    ),
    "crt": ({"head_retrain_epochs": 1}, False, [1, 1, 1]),
    "crt_weighted": (
        {"head_retrain_epochs": 1, "class_weight": WEIGHTS}, True, normalise([2, 1, 3]),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_effective_prior_of_each_technique(case):
    params, weighted, expected = CASES[case]
    X, y = make_multiclass()
    sample_weight = np.array([ROW_WEIGHT[label] for label in y]) if weighted else None
    clf = small(**{"epochs": 2, **params}).fit(X, y, sample_weight=sample_weight)
    np.testing.assert_allclose(clf.effective_prior_, normalise(expected), rtol=1e-5)
    assert clf.effective_prior_.sum() == pytest.approx(1.0)


def test_early_stopping_reads_the_prior_of_the_restored_epoch(monkeypatch):
    """DRW switches weights on at epoch 2; weights restored from epoch 0 carry no class weights."""
    X, y = make_multiclass()
    original = keras.callbacks.EarlyStopping.on_train_end

    def restore_first(self, logs=None):
        self.best_epoch = 0
        original(self, logs)

    monkeypatch.setattr(keras.callbacks.EarlyStopping, "on_train_end", restore_first)
    clf = small(
        class_weight=WEIGHTS, class_weight_from_epoch=2, epochs=3, early_stopping=True
    ).fit(X, y)
    np.testing.assert_allclose(clf.effective_prior_, normalise(COUNTS), rtol=1e-6)
    late = small(class_weight=WEIGHTS, class_weight_from_epoch=2, epochs=3).fit(X, y)
    np.testing.assert_allclose(late.effective_prior_, normalise(COUNTS * [1, 2, 5]), rtol=1e-6)


# ---------------------------------------------------------------------- multi-label


def make_indicator(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    Y = np.column_stack([X[:, 0] > 1.0, X[:, 1] > 0.0, X[:, 2] > 1.5]).astype(int)
    return X, Y


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, None),
        ({"class_weight": "balanced"}, "half"),
        ({"loss": "logit_adjusted"}, "half"),
    ],
    ids=["plain", "balanced", "logit_adjusted"],
)
def test_multilabel_shift_is_per_label_log_odds(params, expected):
    X, Y = make_indicator()
    rates = Y.mean(axis=0)
    clf = small(output_prior="data", **params).fit(X, Y)
    effective = rates if expected is None else np.full(3, 0.5)
    np.testing.assert_allclose(clf.effective_prior_, effective, rtol=1e-5)
    np.testing.assert_allclose(clf.output_prior_, rates)
    expected_logits = network_logits(clf, X) + logit(rates) - logit(clf.effective_prior_)
    np.testing.assert_allclose(clf.decision_function(X), expected_logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(clf.predict_proba(X), expit(expected_logits), atol=1e-6)
    assert np.array_equal(clf.predict(X), (expected_logits > 0).astype(int))


def test_multilabel_effective_rate_counts_sample_weight_and_label_weights():
    X, Y = make_indicator()
    weight = np.where(Y[:, 0] == 1, 3.0, 1.0)
    positive = weight @ Y
    negative = weight.sum() - positive
    clf = small(class_weight=[2.0, 1.0, 0.5], output_prior=[0.1, 0.5, 0.9]).fit(
        X, Y, sample_weight=weight
    )
    positive = positive * [2.0, 1.0, 0.5]
    np.testing.assert_allclose(clf.effective_prior_, positive / (positive + negative), rtol=1e-6)
    np.testing.assert_allclose(clf.output_prior_, [0.1, 0.5, 0.9])


# ------------------------------------------------------- against a known posterior


def simulate(n, seed, rate=0.1):
    """Two Gaussian classes, identity covariance: the Bayes posterior is logistic in x."""
    rng = np.random.RandomState(seed)
    y = (rng.rand(n) < rate).astype(int)
    mean = np.array([1.5, -1.0])
    X = rng.normal(size=(n, 2)) + y[:, None] * mean
    posterior = expit(X @ mean - mean @ mean / 2 + np.log(rate / (1 - rate)))
    return X.astype(np.float32), y, posterior


@pytest.mark.parametrize(
    "params",
    [{"class_weight": "balanced"}, {"loss": "logit_adjusted"}, {"sampler": RandomUnderSampler()}],
    ids=["balanced_weights", "logit_adjusted", "undersampling"],
)
def test_data_prior_recovers_the_true_posterior(params):
    X, y, _ = simulate(3000, 0)
    X_test, _, posterior = simulate(2000, 1)
    # a linear model is well specified here: the Bayes posterior is logistic
    clf = KerasBalancedClassifier(
        hidden_units=(), epochs=10, batch_size=64, learning_rate=0.05, random_state=0,
        output_prior="data", **params,
    ).fit(X, y)  # fmt: skip
    logits = network_logits(clf, X_test)
    trained = expit(logits[:, 1] - logits[:, 0])  # what output_prior="train" outputs
    corrected = clf.predict_proba(X_test)[:, 1]
    error_train = np.abs(trained - posterior).mean()
    error_data = np.abs(corrected - posterior).mean()
    # measured: train 0.19-0.21, data 0.004-0.014
    assert error_train > 0.15
    assert error_data < 0.03
    assert error_data < error_train / 5


# ----------------------------------------------------------------- errors and messages


class _NoBuild(Exception):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Fail if fit gets as far as building a network: bad output_prior is refused before."""

    def refuse(*args, **kwargs):
        raise _NoBuild

    monkeypatch.setattr(classifier_module, "build_network", refuse)


@pytest.mark.parametrize(
    "output_prior, message",
    [
        ([0.5, 0.5], r"output_prior has shape \(2,\), but y has 3 classes \['a', 'b', 'c'\]"),
        ([0.5, -0.1, 0.6], "output_prior has negative entries"),
        ([0.0, 0.0, 0.0], "output_prior sums to zero"),
        ([0.5, np.nan, 0.5], "output_prior must be finite"),
        ([0.5, np.inf, 0.5], "output_prior must be finite"),
        ([0.5, 0.0, 0.5], r"output_prior gives classes \['b'\] prior 0"),
        ([["a", "b", "c"]], "output_prior must be 'train', 'data', 'uniform' or one number"),
    ],
)
def test_bad_array_prior_is_a_value_error_before_any_work(output_prior, message, no_network):
    X, y = make_multiclass()
    clf = small(output_prior=output_prior)
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "effective_prior_") and not hasattr(clf, "model_")


def test_bad_prior_leaves_a_fitted_estimator_as_it_was():
    X, y = make_multiclass()
    clf = small(epochs=1).fit(X, y)
    before = clf.predict_proba(X)
    clf.set_params(output_prior=[1.0, 2.0])
    with pytest.raises(ValueError, match="output_prior has shape"):
        clf.fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.output_prior_.shape == (3,)


def test_unknown_name_is_refused_by_the_parameter_check():
    X, y = make_multiclass()
    with pytest.raises(InvalidParameterError, match="'output_prior' parameter"):
        small(output_prior="balanced").fit(X, y)


def test_multilabel_rates_must_lie_strictly_between_0_and_1(no_network):
    X, Y = make_indicator()
    with pytest.raises(ValueError, match="each label's positive rate, strictly between 0 and 1"):
        small(output_prior=[0.1, 1.0, 0.5]).fit(X, Y)
    with pytest.raises(ValueError, match=r"but y has 3 labels \[0, 1, 2\]"):
        small(output_prior=[0.1, 0.5]).fit(X, Y)


def test_posthoc_adjustment_and_output_prior_are_exclusive(no_network):
    X, y = make_multiclass()
    with pytest.raises(ValueError, match="both set the prior the outputs assume; use one"):
        small(output_prior="uniform", posthoc_adjustment=1.0).fit(X, y)


def test_a_class_of_weight_zero_cannot_be_corrected(no_network):
    X, y = make_multiclass()
    with pytest.raises(ValueError, match=r"classes \['c'\] are trained with total weight 0"):
        small(class_weight={"c": 0.0}, output_prior="data").fit(X, y)


# --------------------------------------------------------------------------- warnings


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"loss": "focal"}, "the focal loss"),
        ({"loss": "ldam"}, "LDAM's per-class margins"),
        ({"loss": FocalLoss(from_logits=True)}, "FocalLoss instance"),
    ],
)
def test_inexact_correction_warns(params, reason):
    X, y = make_multiclass()
    with pytest.warns(PriorCorrectionWarning, match=reason):
        small(epochs=1, output_prior="data", **params).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"loss": "focal", "output_prior": "train"},
        {"loss": "focal", "gamma": 0.0, "output_prior": "data"},  # cross-entropy exactly
        {"loss": "balanced_softmax", "output_prior": "data"},
    ],
)
def test_exact_or_unasked_correction_does_not_warn(params):
    X, y = make_multiclass()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PriorCorrectionWarning)
        small(epochs=1, **params).fit(X, y)


def test_multilabel_asymmetric_loss_warns():
    X, Y = make_indicator()
    with pytest.warns(PriorCorrectionWarning, match="loss='asymmetric'"):
        small(epochs=1, loss="asymmetric", output_prior="data").fit(X, Y)


# ------------------------------------------------------- scikit-learn's tools and state


def test_clone_get_params_and_pickle_round_trip():
    X, y = make_multiclass()
    clf = small(class_weight="balanced", output_prior=[0.7, 0.2, 0.1])
    assert clone(clf).get_params()["output_prior"] == [0.7, 0.2, 0.1]
    clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.effective_prior_, clf.effective_prior_)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def binary_data():
    X, y = make_multiclass(counts=(80, 20, 0))
    return X, (y != "a").astype(int)


def test_composes_with_calibrated_classifier_cv():
    X, y = binary_data()
    calibrated = CalibratedClassifierCV(
        small(class_weight="balanced", output_prior="data"), cv=2, method="sigmoid"
    ).fit(X, y)
    probabilities = calibrated.predict_proba(X)
    assert probabilities.shape == (100, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_composes_with_tuned_threshold_classifier_cv():
    X, y = binary_data()
    tuned = TunedThresholdClassifierCV(
        small(class_weight="balanced", output_prior="data"), cv=2, scoring="balanced_accuracy"
    ).fit(X, y)
    assert 0.0 < tuned.best_threshold_ < 1.0
    assert set(np.unique(tuned.predict(X))) <= {0, 1}


def test_reliability_curve_of_the_corrected_probabilities():
    """What CalibrationDisplay plots (calibration_curve of predict_proba), without matplotlib."""
    X, y = binary_data()
    clf = small(class_weight="balanced", output_prior="data").fit(X, y)
    observed, predicted = calibration_curve(y, clf.predict_proba(X)[:, 1], n_bins=3)
    assert observed.size == predicted.size > 0
    assert np.all((predicted >= 0) & (predicted <= 1))


def test_composes_with_calibration_display():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    X, y = binary_data()
    clf = small(class_weight="balanced", output_prior="data").fit(X, y)
    display = CalibrationDisplay.from_estimator(clf, X, y, n_bins=3)
    assert display.prob_pred.size > 0
    np.testing.assert_allclose(display.y_prob, clf.predict_proba(X)[:, 1])
