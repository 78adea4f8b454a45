"""KerasBalancedClassifier with a multi-label indicator y (issue 13 items 1, 2, 3 and 8).

Small networks, few epochs; backend-neutral (run again under KERAS_BACKEND=jax).
"""

from __future__ import annotations

import pickle
import re

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.special import expit, logit
from sklearn.base import clone
from sklearn.metrics import recall_score
from sklearn.model_selection import GridSearchCV, cross_val_score

from skbalance.datasets import make_long_tailed_multilabel
from skbalance.keras import (
    AsymmetricLoss,
    DistributionBalancedLoss,
    KerasBalancedClassifier,
    MultilabelFocalLoss,
    MultilabelLogitAdjustedLoss,
)
from skbalance.keras._multilabel import LabelEpochFeed, holdout_rows
from skbalance.model_selection import IterativeStratifiedKFold
from skbalance.sampling import (
    MLSMOTE,
    SMOTE,
    MultilabelRandomOverSampler,
    MultilabelRandomUnderSampler,
)
from skbalance.weights import compute_label_weight

FAST = dict(hidden_units=(16,), epochs=2, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def data():
    X, Y = make_long_tailed_multilabel(240, 8, 4, imbalance_ratio=10, random_state=0)
    return X.astype(np.float32), Y


def test_outputs_follow_mlpclassifier(data):
    X, Y = data
    clf = KerasBalancedClassifier(**FAST).fit(X, Y)
    proba = clf.predict_proba(X[:20])
    logits = clf.decision_function(X[:20])
    predicted = clf.predict(X[:20])
    assert clf.classes_.tolist() == [0, 1, 2, 3] and clf.n_classes_ == 4
    assert proba.shape == logits.shape == predicted.shape == (20, 4)
    assert proba.dtype == np.float64 and predicted.dtype.kind == "i"
    np.testing.assert_array_equal(np.unique(predicted), [0, 1])
    # per-label sigmoids (rows do not sum to 1), the logits are their log-odds
    np.testing.assert_allclose(proba, expit(logits.astype(np.float64)), rtol=1e-6)
    np.testing.assert_allclose(logit(proba), logits, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    assert clf.model_.output_shape == (None, 4)
    np.testing.assert_allclose(clf.class_prior_, Y.mean(axis=0))
    assert KerasBalancedClassifier().__sklearn_tags__().classifier_tags.multi_label


def test_cross_entropy_is_binary_cross_entropy(data):
    """Unweighted: the compiled loss is Keras' own per-label BCE on logits."""
    X, Y = data
    clf = KerasBalancedClassifier(**FAST).fit(X, Y)
    logits = clf.decision_function(X)
    ours = float(clf.model_.loss(Y.astype("float32"), logits))
    reference = keras.losses.BinaryCrossentropy(from_logits=True)(Y.astype("float32"), logits)
    assert ours == pytest.approx(float(reference), rel=1e-5)


@pytest.mark.parametrize(
    "loss, expected",
    [
        ("focal", MultilabelFocalLoss),
        ("asymmetric", AsymmetricLoss),
        ("logit_adjusted", MultilabelLogitAdjustedLoss),
        ("distribution_balanced", DistributionBalancedLoss),
    ],
)
def test_losses_get_label_weights_and_rates(data, loss, expected):
    X, Y = data
    params = dict(gamma=1.5, alpha=0.3, tau=0.5, gamma_pos=1.0, gamma_neg=3.0, clip=0.1)
    clf = KerasBalancedClassifier(loss=loss, class_weight="balanced", **params, **FAST)
    clf.fit(X, Y)
    compiled = clf.model_.loss
    assert type(compiled) is expected
    positive, negative = compute_label_weight("balanced", Y=Y)
    np.testing.assert_allclose(compiled.positive_weights, positive)
    np.testing.assert_allclose(compiled.negative_weights, negative)
    np.testing.assert_allclose(clf.class_weight_.positive, positive)
    if loss == "focal":
        assert (compiled.gamma, compiled.alpha) == (1.5, 0.3)
    if loss == "asymmetric":
        assert (compiled.gamma_pos, compiled.gamma_neg, compiled.clip) == (1.0, 3.0, 0.1)
    if loss in ("logit_adjusted", "distribution_balanced"):
        np.testing.assert_allclose(compiled.positive_rates, Y.mean(axis=0))
    if loss == "logit_adjusted":
        assert compiled.tau == 0.5


def test_balanced_weights_raise_rare_label_recall():
    X, Y = make_long_tailed_multilabel(800, 10, 5, imbalance_ratio=30, random_state=1)
    train, test = slice(0, 600), slice(600, None)
    recall = {}
    for class_weight in (None, "balanced"):
        clf = KerasBalancedClassifier(
            hidden_units=(32,), epochs=5, class_weight=class_weight, random_state=0
        ).fit(X[train], Y[train])
        recall[class_weight] = recall_score(Y[test], clf.predict(X[test]), average=None)
    rare = [3, 4]  # the two rarest labels: 24 and 10 positive rows of 800 (5 and 4 tested)
    assert recall[None][rare].mean() + 0.3 < recall["balanced"][rare].mean()


def test_user_model_gets_one_output_per_label(data):
    X, Y = data
    seen = []

    def model(input_shape, n_outputs):
        seen.append((input_shape, n_outputs))
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, keras.layers.Dense(n_outputs, activation="sigmoid")(inputs))

    clf = KerasBalancedClassifier(model, epochs=1, random_state=0).fit(X, Y)
    assert seen == [((8,), 4)]
    assert clf.model_.layers[-1].activation is keras.activations.linear  # sigmoid removed

    def one_unit(input_shape, n_outputs):
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))

    with pytest.raises(ValueError, match=r"shape \(n_rows, 2\), one per label"):
        KerasBalancedClassifier(one_unit, epochs=1).fit(X, Y[:, :2])


class _TaglessSampler:
    """A multi-label sampler that does not say which rows it returns (no row_source tag)."""

    def fit_resample(self, X, Y):
        return X, Y

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=True, two_d_labels=True))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss": "balanced_softmax"}, "loss='balanced_softmax' cannot be used with a multi"),
        ({"loss": "ldam"}, "softmax loss over classes that exclude each other"),
        ({"batch_sampling": "class"}, "batch_sampling='class' cannot"),
        ({"head_retrain_epochs": 1}, "head_retrain_epochs=1 cannot"),
        ({"posthoc_adjustment": 1.0}, "posthoc_adjustment=1.0 cannot"),
        ({"class_weight": "balanced", "class_weight_from_epoch": 1}, "class_weight_from_epoch"),
        ({"sampler": SMOTE()}, "sampler=SMOTE cannot .* do not declare two_d_labels"),
        ({"sampler": _TaglessSampler()}, "resample='epoch' with sampler=_TaglessSampler"),
        (
            {"loss": keras.losses.BinaryCrossentropy(from_logits=True), "class_weight": "balanced"},
            "class_weight with a keras.losses.Loss instance",
        ),
    ],
)
def test_single_label_options_refused_before_work(data, params, match, monkeypatch):
    X, Y = data
    clf = KerasBalancedClassifier(**{**FAST, **params})

    def no_build(*args, **kwargs):
        raise AssertionError("a network was built")

    monkeypatch.setattr(KerasBalancedClassifier, "_build_network", no_build)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, Y)
    assert not hasattr(clf, "model_")


def test_multilabel_only_losses_refused_for_one_label_per_row(data):
    X, Y = data
    for loss in ("asymmetric", "distribution_balanced"):
        with pytest.raises(ValueError, match=f"loss='{loss}' is a per-label loss"):
            KerasBalancedClassifier(loss=loss, **FAST).fit(X, Y[:, 0])


def test_label_without_positives_or_negatives_is_named(data):
    X, Y = data
    frame = pd.DataFrame(Y, columns=["cat", "dog", "owl", "eel"])
    frame["eel"] = 0
    with pytest.raises(ValueError, match=r"no positive row for label\(s\) \['eel'\] .*\(in y\)"):
        KerasBalancedClassifier(**FAST).fit(X, frame)
    Y_all = Y.copy()
    Y_all[:, 1] = 1
    with pytest.raises(ValueError, match=r"no negative row for label\(s\) \[1\]"):
        KerasBalancedClassifier(**FAST).fit(X, Y_all)
    # a label whose one positive row is held out for validation: named, with the reason
    Y_one = Y.copy()
    Y_one[:, 3] = 0
    Y_one[5, 3] = 1
    message = r"\[3\].*\(in the training rows left by validation_fraction=0.5\)"
    for seed in range(20):  # each seed holds the row out with probability 1/2
        clf = KerasBalancedClassifier(validation_fraction=0.5, **{**FAST, "random_state": seed})
        try:
            clf.fit(X, Y_one)
        except ValueError as exc:
            assert re.search(message, str(exc)), str(exc)
            break
    else:
        pytest.fail("row 5 was never held out")


def test_containers_dataframe_sparse_and_dict_weights(data):
    X, Y = data
    names = ["cat", "dog", "owl", "eel"]
    frame = pd.DataFrame(Y, columns=names)
    reference = KerasBalancedClassifier(class_weight=[1.0, 2.0, 3.0, 4.0], **FAST).fit(X, Y)
    by_name = KerasBalancedClassifier(
        class_weight={"dog": 2.0, "owl": 3.0, "eel": 4.0}, **FAST
    ).fit(X, frame)
    sparse = KerasBalancedClassifier(class_weight=[1.0, 2.0, 3.0, 4.0], **FAST)
    sparse.fit(X, sp.csr_matrix(Y))
    np.testing.assert_allclose(by_name.class_weight_.positive, [1.0, 2.0, 3.0, 4.0])
    for other in (by_name, sparse):
        np.testing.assert_array_equal(other.predict_proba(X), reference.predict_proba(X))
    with pytest.raises(ValueError, match="'bee'"):
        KerasBalancedClassifier(class_weight={"bee": 2.0}, **FAST).fit(X, frame)


def test_multilabel_sampler_once(data):
    X, Y = data
    sample_weight = np.linspace(0.5, 1.5, len(X))
    kept = sample_weight.copy()
    sampler = MultilabelRandomOverSampler(percentage=30, random_state=3)
    clf = KerasBalancedClassifier(sampler=sampler, resample="once", class_weight="balanced")
    clf.set_params(**FAST).fit(X, Y, sample_weight=sample_weight)
    # a sampler's own seed is kept: the rows trained on are exactly its resample
    _, Y_res = clone(sampler).fit_resample(X, Y)
    assert len(X) < len(Y_res) <= len(X) + 72  # up to 30 % more rows
    np.testing.assert_allclose(clf.class_prior_, Y_res.mean(axis=0))
    assert clf.class_prior_[3] > Y[:, 3].mean()  # the rarest label gained share
    np.testing.assert_allclose(
        clf.class_weight_.positive, compute_label_weight("balanced", Y=Y_res).positive
    )
    np.testing.assert_array_equal(sample_weight, kept)
    assert not hasattr(sampler, "sample_indices_")  # the user's sampler was never fitted


def test_multilabel_sampler_every_epoch(data):
    X, Y = data
    weights = np.linspace(0.5, 1.5, len(X)).astype(np.float32)
    sampler = MultilabelRandomUnderSampler(percentage=20, random_state=5)
    feed = LabelEpochFeed(X, Y.astype(np.float32), weights, sampler=sampler, batch_size=32, seed=3)
    epochs = [feed.epoch_rows(e) for e in range(3)]
    # epoch 0 is the sampler's draw with its per-epoch seed, every row of it once
    seeds = np.random.SeedSequence(3, spawn_key=(0, 1))
    own = clone(sampler).set_params(random_state=int(seeds.generate_state(1)[0] >> 1))
    np.testing.assert_array_equal(np.sort(epochs[0]), np.sort(own.fit_resample_indices(X, Y)))
    assert len(epochs[0]) == len(X) - 48 and feed.num_batches == -(-(len(X) - 48) // 32)
    assert all(len(rows) == len(epochs[0]) for rows in epochs)  # the same m every epoch
    assert not np.array_equal(np.sort(epochs[0]), np.sort(epochs[1]))  # redrawn
    np.testing.assert_array_equal(epochs[2], feed.epoch_rows(2))  # reproducible
    batches = feed._epoch_batches(1)
    np.testing.assert_array_equal(batches.targets, Y[epochs[1]])
    np.testing.assert_array_equal(batches.weights, weights[epochs[1]])


def test_generating_sampler_every_epoch(data):
    X, Y = data
    weights = np.linspace(0.5, 1.5, len(X)).astype(np.float32)
    targets = Y.astype(np.float32)
    feed = LabelEpochFeed(X, targets, weights, sampler=MLSMOTE(), batch_size=32, seed=3)
    seeds = np.random.SeedSequence(3, spawn_key=(1, 1))
    own = MLSMOTE(random_state=int(seeds.generate_state(1)[0] >> 1))
    X_res, Y_res, w_res = own.fit_resample(X, targets, sample_weight=weights)
    batches = feed._epoch_batches(1)
    n_new = len(X_res) - len(X)
    assert n_new > 0 and len(batches.rows) == feed._rows_per_epoch()
    np.testing.assert_array_equal(batches.synthetic, X_res[len(X) :])  # epoch 1's own draw
    # every served row carries its own label row and weight: input rows and generated ones
    pool_targets = np.concatenate([targets, Y_res[len(X) :]])
    pool_weights = np.concatenate([weights, w_res[len(X) :]])
    np.testing.assert_array_equal(batches.targets, pool_targets[batches.rows])
    np.testing.assert_allclose(batches.weights, pool_weights[batches.rows], rtol=1e-6)
    assert batches.rows.max() >= len(X)  # generated rows are served
    assert not np.array_equal(feed._epoch_batches(2).synthetic, batches.synthetic)  # redrawn
    clf = KerasBalancedClassifier(sampler=MLSMOTE(), **FAST).fit(X, Y, sample_weight=weights)
    assert clf.predict(X).shape == Y.shape and clf.class_prior_[3] > Y[:, 3].mean()


def test_fit_redraws_the_sampler_every_epoch(data, monkeypatch):
    X, Y = data
    served = []
    original = LabelEpochFeed._epoch_batches

    def recording(self, epoch):
        served.append(int(epoch))
        return original(self, epoch)

    monkeypatch.setattr(LabelEpochFeed, "_epoch_batches", recording)
    params = {**FAST, "epochs": 3}
    clf = KerasBalancedClassifier(sampler=MultilabelRandomOverSampler(), **params).fit(X, Y)
    assert {0, 1, 2} <= set(served)
    again = KerasBalancedClassifier(sampler=MultilabelRandomOverSampler(), **params).fit(X, Y)
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))
    assert clf.class_prior_[3] > Y[:, 3].mean()  # the first draw over-samples the rare label


def test_validation_split_early_stopping_and_sample_weight(data):
    X, Y = data
    clf = KerasBalancedClassifier(
        validation_fraction=0.25, early_stopping=True, patience=0, **{**FAST, "epochs": 10}
    ).fit(X, Y)
    assert len(clf.history_["val_loss"]) == len(clf.history_["loss"]) == clf.n_iter_ <= 10
    # the hold-out: one of round(1 / 0.25) = 4 iterative-stratified folds, every label's
    # positives shared out (a plain shuffled split can leave a rare label's all on one side)
    train, validation = holdout_rows(Y.astype(bool), 0.25, seed=7)
    assert len(validation) == 60 and len(np.union1d(train, validation)) == len(X)
    held = Y[validation].sum(axis=0)
    assert np.all(np.abs(held - Y.sum(axis=0) / 4) <= 1)
    weighted = KerasBalancedClassifier(**FAST).fit(X, Y, sample_weight=np.ones(len(X)))
    plain = KerasBalancedClassifier(**FAST).fit(X, Y)
    np.testing.assert_allclose(weighted.predict_proba(X), plain.predict_proba(X), rtol=1e-5)
    skewed = np.where(Y[:, 3] == 1, 20.0, 1.0)
    heavy = KerasBalancedClassifier(**FAST).fit(X, Y, sample_weight=skewed)
    assert heavy.predict_proba(X)[:, 3].mean() > plain.predict_proba(X)[:, 3].mean()


def test_warm_start_needs_same_labels(data):
    X, Y = data
    clf = KerasBalancedClassifier(warm_start=True, **{**FAST, "epochs": 1}).fit(X, Y)
    first = clf.model_.get_weights()
    clf.fit(X, Y)
    assert clf.model_.output_shape == (None, 4)
    later = clf.model_.get_weights()
    assert any(not np.array_equal(a, b) for a, b in zip(first, later, strict=True))
    with pytest.raises(ValueError, match="indicator y of 4 labels.*indicator y of 3 labels"):
        clf.fit(X, Y[:, :3])
    with pytest.raises(ValueError, match="indicator y of 4 labels.*y is 2 classes"):
        clf.fit(X, Y[:, 0])


def test_clone_pickle_and_model_selection(data):
    X, Y = data
    clf = KerasBalancedClassifier(loss="asymmetric", gamma_neg=2.0, **FAST).fit(X, Y)
    assert clone(clf).get_params()["gamma_neg"] == 2.0
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    scores = cross_val_score(
        KerasBalancedClassifier(**FAST),
        X,
        Y,
        cv=IterativeStratifiedKFold(2, shuffle=True, random_state=0),
        scoring="f1_macro",
        error_score="raise",
    )
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))


@pytest.mark.slow
def test_grid_search_over_class_weight_and_loss(data):
    X, Y = data
    grid = GridSearchCV(
        KerasBalancedClassifier(**FAST),
        {"class_weight": [None, "balanced"], "loss": ["cross_entropy", "asymmetric"]},
        cv=2,
        scoring="f1_macro",
        error_score="raise",
    ).fit(X, Y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_estimator_.predict(X).shape == Y.shape


def test_new_parameters_validated(data):
    X, Y = data
    with pytest.raises(ValueError, match="'clip' parameter"):
        KerasBalancedClassifier(clip=1.0).fit(X, Y)
    with pytest.raises(ValueError, match="'gamma_neg' parameter"):
        KerasBalancedClassifier(gamma_neg=-1).fit(X, Y)


MULTILABEL_CHECKS = (
    "check_classifiers_multilabel_representation_invariance",
    "check_classifiers_multilabel_output_format_predict",
    "check_classifiers_multilabel_output_format_predict_proba",
    "check_classifiers_multilabel_output_format_decision_function",
)


@pytest.mark.parametrize("name", MULTILABEL_CHECKS)
def test_scikit_learn_multilabel_checks(name):
    """The checks scikit-learn runs on an estimator whose tags say multi_label."""
    from sklearn.utils import estimator_checks

    estimator = KerasBalancedClassifier(hidden_units=(8,), epochs=2, random_state=0)
    getattr(estimator_checks, name)(type(estimator).__name__, estimator)


def test_keras_loss_instance_gets_the_indicator_matrix(data):
    X, Y = data
    given = keras.losses.BinaryCrossentropy(from_logits=True)
    clf = KerasBalancedClassifier(loss=given, **FAST).fit(X, Y)
    assert clf.model_.loss is not given and isinstance(clf.model_.loss, type(given))
    assert clf.predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="from_logits=False"):
        KerasBalancedClassifier(loss=keras.losses.BinaryCrossentropy(), **FAST).fit(X, Y)
