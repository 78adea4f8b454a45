"""Metrics checked against the target and the estimators before any fit (issue 15, item 6):
one mechanism, ``skbalance._scorer_trial``, for one label per row and for indicator targets.
Every test uses estimators whose ``fit`` raises: the error must come before any training."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbalance._errors import CLI_CV, PYTHON_CV, InputError, fewer_folds
from skbalance._scorer_trial import single_label_stand_in, trial_error
from skbalance.compare import check_comparison_data, compare_strategies, resolve_scoring


class NeverFit(ClassifierMixin, BaseEstimator):
    """A spy: any fit means the check came too late."""

    def fit(self, X, y):
        raise AssertionError("fit was called")

    def predict(self, X):  # pragma: no cover - never reached
        raise AssertionError("predict was called")


class NeverFitWithProba(NeverFit):
    def predict_proba(self, X):  # pragma: no cover - never reached
        raise AssertionError("predict_proba was called")


def data(labels=("a", "b", "c"), sizes=(30, 20, 10)):
    rng = np.random.RandomState(0)
    return rng.normal(size=(sum(sizes), 3)), np.repeat(np.array(labels), sizes)


@pytest.mark.parametrize(
    "labels, sizes, metric, message",
    [
        (
            ("a", "b", "c"), (30, 20, 10), "roc_auc",
            r"metric 'roc_auc' cannot score y, whose 3 classes are 'a', 'b', 'c' \(multi_class "
            r"must be in \('ovo', 'ovr'\)\); use roc_auc_ovr \(or balanced_accuracy, f1_macro, "
            r"geometric_mean\) instead\.$",
        ),
        (("a", "b", "c"), (30, 20, 10), "f1", r"'f1' .*average='binary'.*use f1_macro \(or"),
        (("a", "b", "c"), (30, 20, 10), "precision", r"use precision_macro \(or"),
        (("a", "b", "c"), (30, 20, 10), "recall", r"use recall_macro \(or"),
        (("a", "b", "c"), (30, 20, 10), "jaccard", r"use jaccard_macro \(or"),
        (("a", "b", "c"), (30, 20, 10), "positive_likelihood_ratio", r"only supports binary"),
        (("a", "b", "c"), (30, 20, 10), "f1_samples", r"Samplewise metrics are not available"),
        # two classes, neither of them 1: scikit-learn's binary metrics score pos_label=1
        (("buy", "keep"), (20, 40), "f1", r"pos_label=1 is not a valid label.*use f1_macro"),
        (("buy", "keep"), (20, 40), "precision", r"pos_label=1 is not a valid label"),
    ],
)  # fmt: skip
def test_a_metric_that_cannot_score_the_target_fails_before_any_fit(labels, sizes, metric, message):
    """Class: ``--scoring roc_auc`` on 3 classes trained every strategy (45 s), then failed 11
    times with scikit-learn's 'multi_class must be in ('ovo', 'ovr')'."""
    X, y = data(labels, sizes)
    with pytest.raises(InputError, match=message):
        compare_strategies(X, y, strategies={"spy": NeverFit()}, scoring=[metric], cv=3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_metrics_that_suit_the_target_pass_the_check():
    """The check refuses nothing that would score: every scikit-learn classification scorer
    that works in a real cross-validation on 3 string classes passes it, and vice versa."""
    X, y = data()
    checked = check_comparison_data(X, y, cv=3)
    model = LogisticRegression(max_iter=500)
    for name in get_scorer_names():
        try:
            cross_validate(model, X, y, cv=3, scoring=name, error_score="raise")
            real = None
        except Exception as exc:  # noqa: BLE001 - whatever scikit-learn raises
            real = exc
        try:
            resolve_scoring([name], checked)
            refused = None
        except InputError as exc:
            refused = exc
        assert (real is None) == (refused is None), (name, real, refused)


def test_a_metric_needing_probabilities_the_estimator_lacks_fails_before_any_fit():
    """Class: ``neg_log_loss`` with an estimator without ``predict_proba`` failed at scoring
    time, after each strategy's fits."""
    X, y = data()
    with pytest.raises(
        InputError,
        match=r"metric 'neg_log_loss' reads predict_proba, which strategy 'plain' \(NeverFit\) "
        r"does not offer; leave the metric out, or use one read from predict",
    ):
        compare_strategies(
            X, y, strategies={"ok": NeverFitWithProba(), "plain": NeverFit()},
            scoring=["balanced_accuracy", "neg_log_loss"], cv=3,
        )  # fmt: skip
    # A Pipeline answers for its last step: a Perceptron has no predict_proba (roc_auc_ovr
    # reads only that), a logistic regression has.
    with pytest.raises(InputError, match=r"'roc_auc_ovr' reads predict_proba.*'p' \(Perceptron\)"):
        compare_strategies(
            X, y, strategies={"p": make_pipeline(StandardScaler(), Perceptron())},
            scoring=["roc_auc_ovr"], cv=3,
        )  # fmt: skip
    result = compare_strategies(
        X, y, strategies={"lr": make_pipeline(StandardScaler(), LogisticRegression())},
        scoring=["roc_auc_ovr"], cv=3, random_state=0,
    )  # fmt: skip
    assert 0 <= result.table.loc["lr", "roc_auc_ovr_mean"] <= 1


def test_a_multilabel_metric_needing_probabilities_is_checked_against_the_estimator():
    """The same trial serves an indicator target: average precision (always added) reads
    predict_proba or decision_function."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    Y = (rng.uniform(size=(60, 3)) < [0.5, 0.3, 0.2]).astype(int)
    with pytest.raises(
        InputError,
        match=r"metric 'average_precision' reads predict_proba or decision_function, which "
        r"strategy 'spy' \(NeverFit\) does not offer",
    ):
        compare_strategies(X, Y, strategies={"spy": NeverFit()}, cv=3)


def test_the_stand_in_scores_like_the_metric_on_its_own_rows():
    """The stand-in's responses are consistent: a metric scores them as scikit-learn would."""
    from sklearn.metrics import balanced_accuracy_score

    stand_in, y = single_label_stand_in(np.array(["a", "b", "c"]))
    assert trial_error(get_scorer("roc_auc_ovr"), stand_in, y) is None
    score = get_scorer("balanced_accuracy")(stand_in, np.zeros((6, 1)), y)
    assert score == balanced_accuracy_score(y, stand_in.predict(None)) == 0.5


@pytest.mark.parametrize(
    "count, spelling, advice",
    [
        (2, PYTHON_CV, "use cv=2"),
        (2, CLI_CV, "use --cv 2"),
        (3, PYTHON_CV, "use cv=3 or fewer"),
        (4, CLI_CV, "use --cv 4 or fewer"),
    ],
)
def test_fold_advice_names_the_real_option(count, spelling, advice):
    assert fewer_folds(count, spelling) == advice


def test_too_few_rows_for_the_folds_names_cv_2_exactly():
    """Class: 'use cv=2 or fewer' (cv=1 is refused) and 'cv=' on the command line, whose
    option is --cv."""
    X, y = data(("a", "b"), (20, 2))
    with pytest.raises(InputError, match=r"fewer than the 3 cross-validation folds \(every fold "
                       r"needs one\); use cv=2, or add rows of that class\.$"):  # fmt: skip
        compare_strategies(X, y, strategies={"spy": NeverFit()}, cv=3)
    with pytest.raises(InputError, match=r"; use --cv 2, or add rows"):
        check_comparison_data(X, y, cv=3, cv_spelling=CLI_CV)
    X, y = data(("a", "b"), (20, 3))
    with pytest.raises(InputError, match=r"; use cv=3 or fewer, or add rows"):
        check_comparison_data(X, y, cv=4)
