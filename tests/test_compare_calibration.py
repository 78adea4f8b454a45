"""Calibration in compare's report (issue 14 item 5): the Brier score and log-loss under the
data prior, each against an independent NumPy computation; the exact move of a Keras
classifier's probabilities to the training fold's data prior; "lower is better" in the
leaderboard; the reliability diagram of ``--plot``; multi-label targets.

Fast estimators (logistic regressions) everywhere but three tiny Keras fits (<= 150 rows, 2
epochs).
"""

import inspect

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit, logit, softmax
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.multioutput import MultiOutputClassifier
from sklearn.svm import LinearSVC
from test_classifier_longtail import make_multiclass, small  # tests/ is on sys.path
from test_compare import imbalanced_data
from test_compare_multilabel import label_data

from skbalance.compare import check_comparison_data, compare_strategies
from skbalance.metrics import (
    CALIBRATION_METRICS,
    LOWER_IS_BETTER,
    DataPriorRecorder,
    brier_score,
    brier_score_data_prior,
    data_prior_proba,
    log_loss_data_prior,
    neg_brier_score_data_prior,
    neg_log_loss_data_prior,
)
from skbalance.pipeline import Pipeline
from skbalance.sampling import RandomOverSampler

BRIER, LOG_LOSS = "brier_score_data_prior", "log_loss_data_prior"


# Calibration is under test here, not the verdict: plain 3-fold CV on every row.
ONE_PASS = {"cv": 3, "repeats": 1, "holdout": None}

def brier_by_rows(y, proba, labels):
    """Brier 1950, one row at a time: sum over classes of (p - [y == c])**2, averaged."""
    total = 0.0
    for label, row in zip(y, proba, strict=True):
        total += sum((p - (label == c)) ** 2 for p, c in zip(row, labels, strict=True))
    return total / len(y)


def log_loss_by_rows(y, proba, labels):
    labels = list(labels)
    return -np.mean([np.log(row[labels.index(label)]) for label, row in zip(y, proba, strict=True)])


# ------------------------------------------------------------------ the metrics themselves


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_brier_score_is_the_sum_over_classes(n_classes):
    rng = np.random.RandomState(n_classes)
    labels = np.array(["v", "w", "x", "y", "z"][:n_classes])
    y = rng.choice(labels, 40)
    proba = rng.dirichlet(np.ones(n_classes), 40)
    expected = brier_by_rows(y, proba, labels)
    assert brier_score(y, proba, labels=labels) == pytest.approx(expected, rel=1e-12)
    if "scale_by_half" in inspect.signature(brier_score_loss).parameters:  # scikit-learn >= 1.7
        reference = brier_score_loss(y, proba, labels=labels, scale_by_half=False)
        assert brier_score(y, proba, labels=labels) == pytest.approx(reference, rel=1e-12)
    if n_classes == 2:  # twice the usual binary Brier score of the positive column
        binary = np.mean((proba[:, 1] - (y == labels[1])) ** 2)
        assert brier_score(y, proba, labels=labels) == pytest.approx(2 * binary, rel=1e-12)


def test_brier_score_of_an_indicator_target_is_the_mean_per_label():
    rng = np.random.RandomState(0)
    Y = rng.randint(0, 2, (30, 4))
    proba = rng.uniform(size=(30, 4))
    per_label = [sum((p - t) ** 2 for p, t in zip(proba[:, j], Y[:, j], strict=True)) / 30
                 for j in range(4)]  # fmt: skip
    assert brier_score(Y, proba) == pytest.approx(np.mean(per_label), rel=1e-12)


def test_brier_score_refuses_mismatched_input():
    with pytest.raises(ValueError, match=r"y_proba has shape \(2, 3\); 2 rows of y_true and 2"):
        brier_score(["a", "b"], np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="y_true holds 'c', which is not one of the classes"):
        brier_score(["a", "c"], np.full((2, 2), 0.5), labels=["a", "b"])
    with pytest.raises(ValueError, match="an indicator y_true needs one probability per label"):
        brier_score(np.ones((3, 2)), np.ones((3, 3)))


def test_scorers_of_a_sklearn_estimator_score_its_probabilities_as_they_are():
    X, y = imbalanced_data()
    clf = LogisticRegression(class_weight="balanced").fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(data_prior_proba(clf, X), proba)
    assert brier_score_data_prior(clf, X, y) == pytest.approx(
        brier_by_rows(y, proba, clf.classes_), rel=1e-12
    )
    assert log_loss_data_prior(clf, X, y) == pytest.approx(
        log_loss_by_rows(y, proba, clf.classes_), rel=1e-12
    )
    # scikit-learn's convention for scorers: greater is better, hence the neg_ names
    assert neg_brier_score_data_prior(clf, X, y) == -brier_score_data_prior(clf, X, y)
    assert neg_log_loss_data_prior(clf, X, y) == -log_loss_data_prior(clf, X, y)
    assert np.isnan(brier_score_data_prior(LinearSVC().fit(X, y), X, y))  # no predict_proba


def test_multi_output_probabilities_are_each_labels_positive_column():
    X, Y = label_data()
    clf = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    proba = data_prior_proba(clf, X)
    expected = np.column_stack([model.predict_proba(X)[:, 1] for model in clf.estimators_])
    np.testing.assert_array_equal(proba, expected)
    losses = -(Y * np.log(expected) + (1 - Y) * np.log(1 - expected))
    assert log_loss_data_prior(clf, X, Y) == pytest.approx(losses.mean(), rel=1e-10)
    assert brier_score_data_prior(clf, X, Y) == pytest.approx(np.mean((expected - Y) ** 2))


def test_data_prior_recorder_passes_rows_through():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]})
    recorder = DataPriorRecorder().fit(X, ["u", "v", "v", "v"])
    np.testing.assert_array_equal(recorder.data_prior_, [0.25, 0.75])
    assert recorder.transform(X) is X
    Y = np.array([[1, 0], [1, 1], [0, 0], [1, 0]])
    np.testing.assert_array_equal(DataPriorRecorder().fit(X, Y).data_prior_, [0.75, 0.25])


# ------------------------------------------- Keras: the exact move to the data prior


@pytest.mark.keras
def test_keras_probabilities_move_exactly_to_the_data_prior():
    """The same network (same random_state) trained balanced: its 'train' probabilities moved
    by data_prior_proba are those of output_prior='data', and the prior-shift formula."""
    X, y = make_multiclass()
    trained = small(class_weight="balanced").fit(X, y)
    data = small(class_weight="balanced", output_prior="data").fit(X, y)
    counts = np.array([60, 20, 10])
    for clf in (trained, data):
        np.testing.assert_allclose(clf.data_prior_, counts / counts.sum(), rtol=1e-12)
    np.testing.assert_allclose(trained.effective_prior_, np.full(3, 1 / 3), rtol=1e-6)
    moved = data_prior_proba(trained, X)
    expected = softmax(
        np.log(trained.predict_proba(X)) + np.log(trained.data_prior_) - np.log(1 / 3), axis=1
    )
    np.testing.assert_allclose(moved, expected, rtol=1e-10)
    np.testing.assert_allclose(moved, data.predict_proba(X), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(data_prior_proba(data, X), data.predict_proba(X), rtol=1e-12)
    assert brier_score_data_prior(trained, X, y) == pytest.approx(
        brier_by_rows(y, expected, trained.classes_), rel=1e-9
    )
    assert brier_score_data_prior(trained, X, y) < brier_score(
        y, trained.predict_proba(X), labels=trained.classes_
    )
    # posthoc_adjustment: output_prior_ is the prior its adjusted outputs assume, so the move
    # back to the data prior gives the unadjusted network's probabilities.
    plain = small().fit(X, y)
    posthoc = small(posthoc_adjustment=1.0).fit(X, y)
    np.testing.assert_allclose(posthoc.output_prior_, np.full(3, 1 / 3), rtol=1e-6)
    np.testing.assert_allclose(
        data_prior_proba(posthoc, X), plain.predict_proba(X), rtol=1e-5, atol=1e-7
    )


@pytest.mark.keras
def test_a_resampler_before_the_classifier_takes_the_prior_of_the_recorder():
    """Class: the classifier of a raw-sampler pipeline (compare's smote preset on data with
    categories) sees only the balanced rows; its own data_prior_ is theirs."""
    X, y = make_multiclass()
    pipe = Pipeline(
        [
            ("data_prior", DataPriorRecorder()),
            ("oversample", RandomOverSampler(random_state=0)),
            ("classifier", small()),
        ]
    ).fit(X, y)
    classifier = pipe.named_steps["classifier"]
    np.testing.assert_allclose(classifier.data_prior_, np.full(3, 1 / 3))  # the resampled y
    data = np.array([60, 20, 10]) / 90
    expected = softmax(
        np.log(pipe.predict_proba(X)) + np.log(data) - np.log(classifier.output_prior_), axis=1
    )
    np.testing.assert_allclose(data_prior_proba(pipe, X), expected, rtol=1e-10)


@pytest.mark.keras
def test_keras_multilabel_probabilities_move_per_label():
    X, Y = label_data(n=120, counts=(50, 20, 10))
    clf = small(class_weight="balanced").fit(X.astype(np.float32), Y)
    np.testing.assert_allclose(clf.data_prior_, [50 / 120, 20 / 120, 10 / 120])
    proba = clf.predict_proba(X)
    expected = expit(logit(proba) + logit(clf.data_prior_) - logit(clf.output_prior_))
    np.testing.assert_allclose(data_prior_proba(clf, X), expected, rtol=1e-10)
    assert brier_score_data_prior(clf, X, Y) == pytest.approx(np.mean((expected - Y) ** 2))


# ------------------------------------------------------------------ in compare's report


def strategies():
    return {
        "none": LogisticRegression(),
        "balanced": LogisticRegression(class_weight="balanced"),
        "svm": LinearSVC(),
    }


def test_report_adds_both_metrics_scored_fold_by_fold():
    X, y = imbalanced_data()
    result = compare_strategies(X, y, strategies=strategies(), **ONE_PASS, random_state=0)
    assert result.metrics[-2:] == [BRIER, LOG_LOSS]
    assert result.primary_metric == "balanced_accuracy"  # they never rank by default
    means = result.table["balanced_accuracy_mean"]
    assert means.is_monotonic_decreasing
    splits = check_comparison_data(X, y, **ONE_PASS, random_state=0).splits
    for name in ("none", "balanced"):
        briers, losses = [], []
        for train, test in splits:
            model = clone(strategies()[name]).fit(X[train], y[train])
            proba = model.predict_proba(X[test])
            briers.append(brier_by_rows(y[test], proba, model.classes_))
            losses.append(log_loss_by_rows(y[test], proba, model.classes_))
        np.testing.assert_allclose(result.fold_scores.loc[name, BRIER], briers, rtol=1e-10)
        np.testing.assert_allclose(result.fold_scores.loc[name, LOG_LOSS], losses, rtol=1e-10)
    # A strategy without predict_proba still runs; its calibration cells say n/a.
    assert result.failures == {} and np.isnan(result.table.loc["svm", f"{BRIER}_mean"])
    shown = result.display_table()
    assert shown.loc["svm", "Brier ↓"] == "n/a" and shown.loc["svm", "log-loss ↓"] == "n/a"
    svm = next(e for e in result.to_dict()["leaderboard"] if e["strategy"] == "svm")
    assert svm["metrics"][BRIER]["mean"] is None
    assert result.to_dict()["lower_is_better"] == [BRIER, LOG_LOSS]


@pytest.mark.parametrize("metric", sorted(LOWER_IS_BETTER))
def test_a_lower_is_better_ranking_metric_sorts_ascending(metric):
    X, y = imbalanced_data()
    result = compare_strategies(
        X, y, strategies=strategies(), **ONE_PASS, random_state=0, scoring=[metric, "f1_macro"]
    )
    assert result.metrics == [metric, "f1_macro", "recall[rare]", *CALIBRATION_METRICS.keys() - {
        metric
    }]
    ranked = result.table[f"{metric}_mean"]
    assert ranked.iloc[:2].is_monotonic_increasing and np.isnan(ranked.iloc[-1])  # NaN last
    assert result.best_ == "none"  # balanced weights overstate the rare class
    gain = ranked["none"] - ranked["balanced"]
    assert "No balancing needed" in result.recommendation and gain < 0


def test_recommendation_against_no_balancing_when_lower_is_better():
    X, y = imbalanced_data()
    result = compare_strategies(
        X, y, strategies={"balanced": LogisticRegression(class_weight="balanced"),
                          "none": LogisticRegression(C=1e-4)},
        **ONE_PASS, random_state=0, scoring=[BRIER],
    )  # fmt: skip
    table = result.table
    assert result.best_ == "balanced", table  # a near-constant model is worse still
    gain = table.loc["balanced", f"{BRIER}_mean"] - table.loc["none", f"{BRIER}_mean"]
    assert f"{gain:+.3f} against no balancing (lower is better)" in result.recommendation


def test_out_of_fold_probabilities_travel_back_from_parallel_workers():
    """``n_jobs``: the fold models come back from loky's worker processes and predict their
    own test rows, as in one process."""
    X, y = imbalanced_data()
    kwargs = dict(strategies=strategies(), **ONE_PASS, random_state=0, keep_probabilities=True)
    alone = compare_strategies(X, y, **kwargs)
    parallel = compare_strategies(X, y, **kwargs, n_jobs=2)
    assert set(parallel.oof_proba) == set(alone.oof_proba) == {"none", "balanced"}
    for name, proba in alone.oof_proba.items():
        np.testing.assert_array_equal(parallel.oof_proba[name], proba)
    np.testing.assert_array_equal(parallel.oof_target, alone.oof_target)


def test_out_of_fold_probabilities_and_the_reliability_diagram(tmp_path):
    X, y = imbalanced_data()
    result = compare_strategies(
        X, y, strategies=strategies(), **ONE_PASS, random_state=0, keep_probabilities=True
    )
    assert set(result.oof_proba) == {"none", "balanced"}  # svm has no predict_proba
    splits = check_comparison_data(X, y, **ONE_PASS, random_state=0).splits
    for name in ("none", "balanced"):
        expected = np.empty((len(y), 3))
        for train, test in splits:
            expected[test] = clone(strategies()[name]).fit(X[train], y[train]).predict_proba(
                X[test]
            )
        np.testing.assert_allclose(result.oof_proba[name], expected, rtol=1e-12)
    # three classes: every (row, class) pair, one-vs-rest
    predicted, outcome = result.reliability_data("none")
    np.testing.assert_array_equal(predicted, result.oof_proba["none"].ravel())
    one_hot = np.column_stack([y == c for c in ("common", "middle", "rare")])
    np.testing.assert_array_equal(outcome, one_hot.ravel())
    assert compare_strategies(X, y, strategies=strategies(), **ONE_PASS).oof_proba == {}
    pytest.importorskip("matplotlib")
    path = tmp_path / "board.png"
    figure = result.plot(path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    reliability = figure.axes[2]
    assert reliability.get_title().startswith("reliability, every class")
    legend = [text.get_text() for text in reliability.get_legend().get_texts()]
    best = result.best_
    assert legend == [
        "calibrated",
        f"{best} (Brier {result.table.loc[best, f'{BRIER}_mean']:.3f})",
        f"none (Brier {result.table.loc['none', f'{BRIER}_mean']:.3f})",
    ]
    without = compare_strategies(X, y, strategies=strategies(), **ONE_PASS).plot()
    assert len(without.axes) == 3  # bars, heat map, its colour bar: no reliability panel


def test_two_classes_reliability_is_the_positive_label(tmp_path):
    X, y = imbalanced_data(labels=("stay", "churn"))
    result = compare_strategies(
        X, y, strategies={"none": LogisticRegression()}, **ONE_PASS, random_state=0,
        positive_label="stay", keep_probabilities=True,
    )  # fmt: skip
    predicted, outcome = result.reliability_data("none")
    np.testing.assert_array_equal(predicted, result.oof_proba["none"][:, 1])  # classes: churn, stay
    np.testing.assert_array_equal(outcome, y == "stay")
    pytest.importorskip("matplotlib")
    figure = result.plot(tmp_path / "two.png")
    assert figure.axes[2].get_title().startswith("reliability, class 'stay'")


def test_multilabel_report_and_reliability_pool_every_label(tmp_path):
    X, Y = label_data()
    result = compare_strategies(
        X, Y, **ONE_PASS, random_state=0, keep_probabilities=True, strategies={
            "none": MultiOutputClassifier(LogisticRegression()),
            "weighted": MultiOutputClassifier(LogisticRegression(class_weight="balanced")),
        },
    )  # fmt: skip
    assert result.metrics[-2:] == [BRIER, LOG_LOSS]
    predicted, outcome = result.reliability_data("none")
    np.testing.assert_array_equal(predicted, result.oof_proba["none"].ravel())
    np.testing.assert_array_equal(outcome, Y.ravel())
    brier = np.mean((result.oof_proba["none"] - Y) ** 2)  # equal folds: mean of fold means
    assert result.table.loc["none", f"{BRIER}_mean"] == pytest.approx(brier, rel=1e-2)
    pytest.importorskip("matplotlib")
    figure = result.plot(tmp_path / "labels.png")
    assert figure.axes[2].get_title().startswith("reliability, every label")


def test_command_line_takes_the_calibration_metrics_by_name(capsys):
    from skbalance._cli_args import parse_args

    _, args = parse_args(["compare", "--scoring", "brier_score_data_prior,f1_macro"])
    assert args.scoring == ["brier_score_data_prior", "f1_macro"]
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["compare", "--scoring", "brier_data_prior"])
    assert exit_info.value.code == 2
    assert "(did you mean 'brier_score_data_prior'?)" in capsys.readouterr().err
