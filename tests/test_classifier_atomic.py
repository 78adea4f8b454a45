"""A fit of KerasBalancedClassifier either succeeds or leaves the estimator exactly as it was.

Class of bug guarded against: a fit that fails part-way (bad input found late, a failing
sampler or callback, an interrupt) and leaves a mixture of two fits behind - ``classes_`` of the
new ``y`` beside the network trained on the old one, so that ``predict`` answers the new labels
from the old network (or raises ``IndexError`` when the class count differs), or ``history_``
and ``n_iter_`` of the previous fit beside a half-trained network.

Every case below first fits on labels a/b/c, then refits on labels x/y/z (or on a different
number of classes), in a way that fails, and checks that every fitted attribute is the same
object with the same content, the network has the same weights, and ``predict``,
``predict_proba`` and ``decision_function`` answer exactly as before. The fitted estimators are
shared (deep-copied per case), so each case costs at most one failing fit.
"""

import copy

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

import skbalance.keras.classifier as classifier_module
from skbalance.keras import KerasBalancedClassifier

N_ROWS = 60
FIRST_LABELS = np.repeat(["a", "b", "c"], N_ROWS // 3)
NEW_LABELS = {
    "xyz": np.repeat(["x", "y", "z"], N_ROWS // 3),  # same class count, other labels
    "wxyz": np.repeat(["w", "x", "y", "z"], N_ROWS // 4),  # one class more
    "xy": np.repeat(["x", "y"], N_ROWS // 2),  # one class fewer: binary
}


def make_X(n_rows=N_ROWS, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_rows, 3)).astype(np.float32)
    X[:, 0] += np.repeat([0.0, 2.0, 4.0], n_rows // 3)[:n_rows]
    return X


X = make_X()


def small(**params):
    params = {"hidden_units": (4,), "epochs": 1, "batch_size": 16, "random_state": 0, **params}
    return KerasBalancedClassifier(**params)


@pytest.fixture(scope="module")
def fitted():
    """Fitted estimators on a/b/c, one per starting configuration; deep-copy before use."""
    return {
        "plain": small(class_weight={"a": 1.0, "b": 2.0, "c": 3.0}).fit(X, FIRST_LABELS),
        "warm": small(warm_start=True).fit(X, FIRST_LABELS),
    }


def snapshot(clf):
    """Everything a failed fit must not change: fitted attributes (identity and content), the
    network's weights and the predictions."""
    attributes = {
        name: value
        for name, value in vars(clf).items()
        if name.endswith("_") or (name.startswith("_") and not name.startswith("__"))
    }
    return {
        "names": set(vars(clf)),
        "identity": {name: id(value) for name, value in attributes.items()},
        "content": {
            name: copy.deepcopy(value) for name, value in attributes.items() if name != "model_"
        },
        "weights": [weight.copy() for weight in clf.model_.get_weights()],
        "predict": clf.predict(X),
        "predict_proba": clf.predict_proba(X),
        "decision_function": clf.decision_function(X),
    }


def assert_unchanged(clf, before):
    after_names = set(vars(clf))
    assert after_names == before["names"], after_names ^ before["names"]
    for name, identity in before["identity"].items():
        assert id(getattr(clf, name)) == identity, f"{name} was replaced"
    for name, value in before["content"].items():
        now = getattr(clf, name)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(now, value)
        else:
            assert now == value, name
    weights = clf.model_.get_weights()
    assert len(weights) == len(before["weights"])
    for now, then in zip(weights, before["weights"], strict=True):
        np.testing.assert_array_equal(now, then)
    for method in ("predict", "predict_proba", "decision_function"):
        np.testing.assert_array_equal(getattr(clf, method)(X), before[method])
    assert set(clf.predict(X)) <= {"a", "b", "c"}


# --------------------------------------------------------------- the sources of failure


class RaisingSampler(BaseEstimator):
    """A sampler that fails."""

    def fit_resample(self, X, y):
        raise RuntimeError("the sampler failed")


class ClassDroppingSampler(BaseEstimator):
    """A sampler that keeps no row of the last class."""

    def fit_resample(self, X, y):
        keep = y != np.unique(y)[-1]
        return X[keep], y[keep]


class RaiseAfterBatches(keras.callbacks.Callback):
    """Raises ``error`` at the end of training batch ``batch``: some weights are updated."""

    def __init__(self, error, batch=1):
        super().__init__()
        self.error, self.batch = error, batch

    def on_train_batch_end(self, batch, logs=None):
        if batch >= self.batch:
            raise self.error


class InterruptAtEpochEnd(keras.callbacks.Callback):
    """A user pressing Ctrl-C after the first epoch."""

    def on_epoch_end(self, epoch, logs=None):
        raise KeyboardInterrupt


def one_unit(input_shape, n_classes):
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))


def five_units(input_shape, n_classes):
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, keras.layers.Dense(5)(inputs))


def sigmoid_in_lambda(input_shape, n_classes):
    inputs = keras.Input(shape=input_shape)
    logits = keras.layers.Dense(n_classes)(inputs)
    return keras.Model(inputs, keras.layers.Lambda(keras.ops.sigmoid)(logits))


def interrupt_after(function_name):
    """Patch ``classifier.<function_name>`` to run, then raise KeyboardInterrupt: a fit
    interrupted after that (late) step."""

    def patch(monkeypatch):
        real = getattr(classifier_module, function_name)

        def run_then_interrupt(*args, **kwargs):
            real(*args, **kwargs)
            raise KeyboardInterrupt

        monkeypatch.setattr(classifier_module, function_name, run_then_interrupt)

    return patch


def sample_weight_of_length(n):
    return lambda n_rows: {"sample_weight": np.ones(n)}


def nan_sample_weight(n_rows):
    weight = np.ones(n_rows)
    weight[3] = np.nan
    return {"sample_weight": weight}


# id: (starting estimator, refit parameters, fit keyword arguments from the row count, patch,
#      X transform, expected exception, message pattern, label sets to refit on)
FAILURES = {
    "class_weight_key_of_the_old_labels": (
        "plain", {}, None, None, None, ValueError, "not a class", ("xyz", "wxyz"),
    ),
    "validation_fraction_too_small_to_stratify": (
        "plain", {"class_weight": None, "validation_fraction": 0.02}, None, None, None, ValueError,
        "validation_fraction=0.02 cannot hold out", ("xyz", "wxyz"),
    ),
    "validation_fraction_out_of_range": (
        "plain", {"validation_fraction": 1.5}, None, None, None, ValueError,
        "validation_fraction", ("xyz",),
    ),
    "loss_expecting_probabilities": (
        "plain", {"class_weight": None, "loss": keras.losses.SparseCategoricalCrossentropy()},
        None, None, None, ValueError, "from_logits=True", ("xyz", "wxyz"),
    ),
    "logit_loss_on_a_one_unit_model": (  # found at compile time, after the network is built
        "plain", {"class_weight": None, "loss": "ldam", "model": one_unit}, None, None, None,
        ValueError, "one output unit per class", ("xy",),
    ),
    "model_output_of_the_wrong_shape": (
        "plain", {"class_weight": None, "model": five_units}, None, None, None, ValueError,
        "3 units|4 units", ("xyz", "wxyz"),
    ),
    "model_output_is_probabilities": (
        "plain", {"class_weight": None, "model": sigmoid_in_lambda}, None, None, None,
        ValueError, "probabilities", ("xyz", "wxyz"),
    ),
    "model_callable_returns_no_model": (
        "plain", {"class_weight": None, "model": lambda shape, k: "no model"}, None, None, None,
        TypeError, "must return a keras.Model", ("xyz",),
    ),
    "hidden_units_not_positive": (
        "plain", {"class_weight": None, "hidden_units": (0,)}, None, None, None, ValueError,
        "hidden_units", ("xyz",),
    ),
    "posthoc_auto_without_validation": (
        "plain", {"class_weight": None, "posthoc_adjustment": "auto"}, None, None, None,
        ValueError, "validation_fraction", ("xyz",),
    ),
    "callback_raises_mid_epoch": (
        "plain", {"class_weight": None, "steps_per_execution": 1,
                  "callbacks": [RaiseAfterBatches(RuntimeError("callback failed"))]},
        None, None, None, RuntimeError, "callback failed", ("xyz", "wxyz"),
    ),
    "keyboard_interrupt_mid_epoch": (
        "plain", {"class_weight": None, "steps_per_execution": 1,
                  "callbacks": [RaiseAfterBatches(KeyboardInterrupt())]},
        None, None, None, KeyboardInterrupt, None, ("xyz", "wxyz"),
    ),
    "keyboard_interrupt_after_an_epoch": (
        "plain", {"class_weight": None, "epochs": 2, "callbacks": [InterruptAtEpochEnd()]},
        None, None, None, KeyboardInterrupt, None, ("xyz",),
    ),
    "keyboard_interrupt_after_head_retraining": (
        "plain", {"class_weight": None, "head_retrain_epochs": 1}, None,
        interrupt_after("retrain_head"), None, KeyboardInterrupt, None, ("wxyz",),
    ),
    "keyboard_interrupt_after_choosing_posthoc_tau": (
        "plain", {"class_weight": None, "validation_fraction": 0.25,
                  "posthoc_adjustment": "auto"}, None,
        interrupt_after("choose_posthoc_tau"), None, KeyboardInterrupt, None, ("xyz",),
    ),
    "training_diverges_to_nan": (  # a fit that would predict one class everywhere
        "plain", {"class_weight": None, "optimizer": "sgd", "learning_rate": 1e8, "epochs": 2},
        None, None, None, ValueError, "Training diverged", ("xyz", "wxyz"),
    ),
    "training_diverges_on_unscaled_features": (
        "plain", {"class_weight": None, "epochs": 2}, None, None, lambda X: X * 1e25,
        ValueError, r"Training diverged: .* \(the loss was nan at epoch 0\)", ("xyz",),
    ),
    "sampler_raises_once": (
        "plain", {"class_weight": None, "sampler": RaisingSampler(), "resample": "once"},
        None, None, None, RuntimeError, "the sampler failed", ("xyz", "wxyz"),
    ),
    "sampler_raises_per_epoch": (
        "plain", {"class_weight": None, "sampler": RaisingSampler(), "resample": "epoch"},
        None, None, None, RuntimeError, "the sampler failed", ("xyz",),
    ),
    "sampler_drops_a_class": (
        "plain", {"class_weight": None, "sampler": ClassDroppingSampler(), "resample": "once"},
        None, None, None, ValueError, "no training rows are left", ("xyz", "wxyz"),
    ),
    "sample_weight_of_the_wrong_length": (
        "plain", {"class_weight": None}, sample_weight_of_length(7), None, None, ValueError,
        "sample_weight", ("xyz", "wxyz"),
    ),
    "sample_weight_with_nan": (
        "plain", {"class_weight": None}, nan_sample_weight, None, None, ValueError,
        "sample_weight must be finite for every row", ("xyz",),
    ),
    "X_with_nan": (
        "plain", {"class_weight": None}, None, None,
        lambda X: np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), ValueError,
        "NaN", ("xyz",),
    ),
    "X_sparse": (
        "plain", {"class_weight": None}, None, None, sp.csr_matrix, TypeError, "Sparse data",
        ("xyz",),
    ),
    "y_of_one_class": (
        "plain", {"class_weight": None}, None, None, None, ValueError, "only one class",
        ("x_only",),
    ),
    "distribution_strategy_of_the_wrong_type": (
        "plain", {"class_weight": None, "distribution_strategy": "mirrored"}, None, None, None,
        TypeError, "tf.distribute.Strategy", ("xyz",),
    ),
    "warm_start_with_other_classes": (
        "warm", {}, None, None, None, ValueError, "classes of the first fit", ("xyz", "wxyz"),
    ),
    "warm_start_with_other_hidden_units": (
        "warm", {"hidden_units": (5,)}, None, None, None, ValueError, "hidden_units is now",
        ("abc",),
    ),
    "warm_start_with_other_feature_count": (
        "warm", {}, None, None, lambda X: X[:, :2], ValueError, "features", ("abc",),
    ),
    "warm_start_callback_raises_mid_epoch": (  # the previous network is not half-updated
        "warm", {"steps_per_execution": 1, "loss": "focal", "learning_rate": 0.5,
                 "callbacks": [RaiseAfterBatches(RuntimeError("callback failed"))]},
        None, None, None, RuntimeError, "callback failed", ("abc",),
    ),
    "warm_start_interrupted_after_an_epoch": (
        "warm", {"epochs": 2, "callbacks": [InterruptAtEpochEnd()]}, None, None, None,
        KeyboardInterrupt, None, ("abc",),
    ),
}  # fmt: skip

LABELS = {**NEW_LABELS, "abc": FIRST_LABELS, "x_only": np.repeat("x", N_ROWS)}
CASES = [
    pytest.param(name, labels, id=f"{name}-{labels}")
    for name, case in FAILURES.items()
    for labels in case[-1]
]


@pytest.mark.parametrize("name, labels", CASES)
def test_failed_refit_leaves_the_estimator_as_it_was(fitted, monkeypatch, name, labels):
    """Class: a failed fit that leaves parts of two fits side by side (see the module
    docstring); one case per source of failure, refitting on new labels (x/y/z) and on a
    different class count."""
    start, params, fit_kwargs, patch, transform_X, error, match, _ = FAILURES[name]
    clf = copy.deepcopy(fitted[start])
    before = snapshot(clf)
    y_new = LABELS[labels]
    X_new = X if transform_X is None else transform_X(X)
    kwargs = {} if fit_kwargs is None else fit_kwargs(len(y_new))
    if patch is not None:
        patch(monkeypatch)
    with pytest.raises(error, match=match):
        clf.set_params(**params).fit(X_new, y_new, **kwargs)
    monkeypatch.undo()
    assert_unchanged(clf, before)


@pytest.mark.parametrize(
    "name",
    [
        "class_weight_key_of_the_old_labels",
        "model_output_is_probabilities",
        "callback_raises_mid_epoch",
        "keyboard_interrupt_after_an_epoch",
        "sampler_raises_once",
    ],
)
def test_failed_first_fit_leaves_the_estimator_unfitted(monkeypatch, name):
    """Class: a failed first fit that leaves fitted attributes behind (``check_is_fitted``
    would then pass on an estimator that has no usable network)."""
    _, params, fit_kwargs, patch, transform_X, error, match, _ = FAILURES[name]
    clf = small(class_weight={"a": 1.0, "b": 2.0, "c": 3.0}).set_params(**params)
    names = set(vars(clf))
    with pytest.raises(error, match=match):
        clf.fit(X, NEW_LABELS["xyz"])
    assert set(vars(clf)) == names  # not one attribute added
    with pytest.raises(NotFittedError):
        check_is_fitted(clf)


def test_a_failed_fit_leaves_nothing_that_changes_the_next_one(fitted):
    """Class: state of an interrupted fit (a half-trained network, its optimizer, counts)
    leaking into the next fit: after a failure, a fit equals the same fit on a fresh
    estimator, and a warm start continues from the last successful fit."""
    clf = copy.deepcopy(fitted["plain"])
    with pytest.raises(KeyboardInterrupt):
        clf.set_params(class_weight=None, epochs=2, callbacks=[InterruptAtEpochEnd()]).fit(
            X, NEW_LABELS["wxyz"]
        )
    clf.set_params(callbacks=None).fit(X, NEW_LABELS["wxyz"])
    fresh = small(epochs=2).fit(X, NEW_LABELS["wxyz"])
    np.testing.assert_array_equal(clf.predict_proba(X), fresh.predict_proba(X))
    assert clf.history_ == fresh.history_ and clf.n_iter_ == 2

    warm = copy.deepcopy(fitted["warm"])
    expected = copy.deepcopy(warm).set_params(learning_rate=1e-12).fit(X, FIRST_LABELS)
    with pytest.raises(KeyboardInterrupt):
        warm.set_params(epochs=2, callbacks=[InterruptAtEpochEnd()]).fit(X, FIRST_LABELS)
    warm.set_params(epochs=1, callbacks=None, learning_rate=1e-12).fit(X, FIRST_LABELS)
    # Both warm refits start from the weights of the last successful fit, not from the
    # interrupted one's (a learning rate of 1e-12 keeps them close to where they start).
    for now, then in zip(warm.model_.get_weights(), expected.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(now, then)


@pytest.mark.parametrize("warm_start", [False, True])
def test_model_callable_returning_a_network_it_returned_before_is_refused(warm_start):
    """Class: a refit that trains the previous fit's network in place (a callable returning one
    prebuilt network): a cold refit would silently continue the old training, and a failing
    one would leave model_ half-updated."""
    inputs = keras.Input(shape=(3,))
    shared = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    clf = small(model=lambda shape, k: shared, warm_start=warm_start).fit(X, FIRST_LABELS)
    before = snapshot(clf)
    with pytest.raises(ValueError, match="must build a new keras.Model at every call"):
        clf.fit(X, FIRST_LABELS)
    assert_unchanged(clf, before)
