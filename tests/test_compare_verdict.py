"""The verdict of compare (issue 15): the best group on paired folds, the recommendation and
what it trades, the hold-out estimate, the shared defaults, the winner carried away (refit,
pickle, Python snippet), and random_state fixing every draw.

The verdict rules are checked on results built from fixed fold scores (no training at all);
the rest on scikit-learn estimators, and one tiny Keras run."""

import pickle
import random

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score

from skbalance._errors import InputError
from skbalance._presets import ALL_STRATEGIES, SIMPLICITY
from skbalance._report import ComparisonResult
from skbalance.compare import compare_strategies


def fixed_result(scores: dict, recalls: dict | None = None, ratio=0.5, simplicity=None):
    """A ComparisonResult from fixed fold scores (name -> per-fold balanced accuracy) and
    fixed per-fold recalls of the rare class (default: equal to the scores)."""
    recalls = recalls or scores
    rows = []
    for name, values in scores.items():
        for fold, value in enumerate(values):
            recall = recalls[name][fold]
            rows.append(
                {
                    "strategy": name,
                    "fold": fold,
                    "balanced_accuracy": value,
                    "recall[rare]": recall,
                    "fit_time": 1.0,
                    "_recall_0": 0.9,
                    "_recall_1": recall,
                }
            )
    return ComparisonResult.from_folds(
        pd.DataFrame(rows),
        metrics=["balanced_accuracy", "recall[rare]"],
        classes=np.array(["common", "rare"]),
        positive_label="rare",
        descriptions={name: f"about {name}" for name in scores},
        skipped={},
        failures={},
        n_splits=len(next(iter(scores.values()))),
        estimators={name: LogisticRegression() for name in scores},
        test_train_ratio=ratio,
        simplicity=simplicity if simplicity is not None else list(SIMPLICITY),
    )


def test_every_preset_has_a_place_in_the_simplicity_order():
    assert sorted(SIMPLICITY) == sorted(ALL_STRATEGIES)
    assert SIMPLICITY[:2] == ("none", "balanced_weights")


def test_identical_fold_scores_make_a_group_never_a_single_winner():
    folds = [0.8, 0.7, 0.9, 0.75]
    result = fixed_result(
        {"effective_number": folds, "balanced_weights": folds, "focal": [0.5, 0.4, 0.6, 0.45]}
    )
    assert result.best_group_ == ["balanced_weights", "effective_number"]  # simpler first
    assert result.recommended_ == "balanced_weights"
    text = result.recommendation
    assert text.startswith("2 strategies cannot be told apart from the best on balanced_accuracy")
    assert "'balanced_weights' and 'effective_number' have identical fold scores: ranked by " \
        "simplicity." in text  # fmt: skip
    assert "Why: the simplest strategy of the best group." in text
    assert "is best on" not in text


def test_user_strategies_with_identical_scores_form_a_group():
    """Real estimators: the same model under two names scores identically on every fold."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 3))
    y = np.where(X[:, 0] + rng.normal(0, 0.5, 120) > 1.0, "rare", "common")
    same = {"b": LogisticRegression(), "a": LogisticRegression()}
    result = compare_strategies(X, y, strategies=same, repeats=1, holdout=None)
    assert set(result.best_group_) == {"a", "b"}
    assert result.recommended_ == "b"  # your own strategies: simplest is the first given


def test_none_in_the_group_with_a_clearly_lower_recall_names_the_trade():
    """Issue 15: with roc_auc 'none' won by 0.001 while its rare-class recall was far lower."""
    result = fixed_result(
        {"none": [0.81, 0.80, 0.82, 0.80], "balanced_weights": [0.80, 0.80, 0.81, 0.80]},
        recalls={"none": [0.3, 0.4, 0.35, 0.45], "balanced_weights": [0.7, 0.75, 0.7, 0.72]},
    )
    assert result.best_ == "none" and set(result.best_group_) == {"none", "balanced_weights"}
    assert result.recommended_ == "balanced_weights"
    text = result.recommendation
    assert "No balancing needed" not in text
    assert "Use 'balanced_weights' (about balanced_weights): balanced_accuracy 0.80" in text
    assert "-0.005 over no balancing; recall of class 'rare': 0.718 (none: 0.375)." in text
    assert (
        "Why: 'none' is in the best group too, but its recall of class 'rare' is clearly lower"
        in text
    )


def test_no_balancing_needed_only_when_its_recall_is_not_clearly_lower():
    equal = [0.6, 0.62, 0.58, 0.61]
    result = fixed_result(
        {"none": [0.81, 0.80, 0.82, 0.80], "focal": [0.80, 0.81, 0.81, 0.79]},
        recalls={"none": equal, "focal": [0.6, 0.63, 0.57, 0.62]},
    )
    assert result.recommended_ == "none"
    assert result.recommendation.split(". ", 1)[1].startswith(
        "No balancing needed: plain training ('none') is in the best group"
    )
    # 'none' best alone, and a strategy outside the group raises the rare recall: say so.
    alone = fixed_result(
        {"none": [0.90, 0.91, 0.92, 0.90], "oversample": [0.70, 0.71, 0.70, 0.72]},
        recalls={"none": [0.2, 0.25, 0.2, 0.3], "oversample": [0.9, 0.95, 0.9, 0.9]},
    )
    assert alone.best_group_ == ["none"] and alone.recommended_ == "none"
    assert "If class 'rare' matters most: 'oversample' raises its recall to 0.912 for " \
        "-0.200 balanced_accuracy." in alone.recommendation  # fmt: skip


def test_one_strategy_gives_no_verdict():
    result = fixed_result({"none": [0.8, 0.7, 0.9]})
    assert result.recommended_ is None
    assert result.recommendation.startswith(
        "One strategy ran ('none'): nothing to compare it with, so no verdict."
    )
    assert "No balancing needed" not in result.recommendation


@pytest.mark.parametrize("seed", range(5))
def test_group_rule_matches_an_independent_computation(seed):
    rng = np.random.RandomState(seed)
    k, ratio = 9, 0.5  # 3 folds x 3 repeats: test / train = 1/2
    base = rng.uniform(0.6, 0.9, k)
    scores = {f"s{i}": base + rng.normal(0.02 * i, 0.03, k) for i in range(6)}
    result = fixed_result(scores, ratio=ratio, simplicity=list(scores))
    best = max(scores, key=lambda name: np.mean(scores[name]))
    expected = []
    for name, values in scores.items():
        d = [b - v for b, v in zip(scores[best], values, strict=True)]
        mean = sum(d) / k
        variance = sum((x - mean) ** 2 for x in d) / (k - 1)
        if mean <= ((1 / k + ratio) * variance) ** 0.5:
            expected.append(name)
    assert set(result.best_group_) == set(expected)
    assert result.best_ == best
    table = result.group_table_
    assert table.loc[best, "mean_difference"] == 0 and bool(table.loc[best, "in_group"])


def test_the_linear_reference_is_named_when_in_the_group_and_used_when_alone_best():
    folds = [0.8, 0.82, 0.79, 0.81]
    both = fixed_result({"logistic_balanced": folds, "focal": [0.8, 0.81, 0.8, 0.8]})
    assert both.recommended_ == "focal"  # a network strategy; the reference is reported
    assert "The linear reference 'logistic_balanced'" in both.recommendation
    assert "is in the best group too: a linear model does as well here" in both.recommendation
    alone = fixed_result({"logistic_balanced": folds, "focal": [0.5, 0.52, 0.5, 0.49]})
    assert alone.recommended_ == "logistic_balanced"
    assert "Why: the linear reference alone is best" in alone.recommendation


def test_exact_mean_ties_are_ranked_by_simplicity_with_notice():
    result = fixed_result({"smote": [0.8, 0.6], "balanced_weights": [0.6, 0.8], "none": [0.2, 0.3]})
    assert list(result.table.index[:2]) == ["balanced_weights", "smote"]
    assert "'balanced_weights' and 'smote' have identical mean scores: ranked by simplicity." \
        in result.recommendation  # fmt: skip


class RowRecorder(ClassifierMixin, BaseEstimator):
    """Logistic regression that records the row ids (column 0) of every fit."""

    seen: set = set()

    def fit(self, X, y):
        RowRecorder.seen.update(np.asarray(X)[:, 0].astype(int).tolist())
        self.model_ = LogisticRegression().fit(np.asarray(X)[:, 1:], y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(np.asarray(X)[:, 1:])

    def predict_proba(self, X):
        return self.model_.predict_proba(np.asarray(X)[:, 1:])


def two_classes(n=200, seed=0):
    rng = np.random.RandomState(seed)
    features = rng.normal(size=(n, 2))
    y = np.where(features[:, 0] + rng.normal(0, 0.7, n) > 1.2, "rare", "common")
    return np.column_stack([np.arange(n), features]), y


def test_the_holdout_is_untouched_by_the_comparison_and_scores_an_independent_refit():
    X, y = two_classes()
    RowRecorder.seen = set()
    result = compare_strategies(
        X, y, strategies={"lr": RowRecorder(), "other": RowRecorder()}, holdout=0.25
    )
    held = result.holdout_["rows"]
    rest = np.setdiff1d(np.arange(len(y)), held)
    assert RowRecorder.seen == set(rest.tolist())  # CV and the refit saw only the other rows
    assert len(held) == 50 and result.holdout_["fraction"] == 0.25
    for label in ("rare", "common"):  # stratified: the class shares of all rows
        assert np.sum(y[held] == label) == pytest.approx(0.25 * np.sum(y == label), abs=1)
    model = LogisticRegression().fit(X[rest, 1:], y[rest])
    expected = balanced_accuracy_score(y[held], model.predict(X[held, 1:]))
    assert result.holdout_["scores"]["balanced_accuracy"] == pytest.approx(expected)
    assert result.holdout_["strategy"] == result.recommended_ == "lr"
    assert f"scores balanced_accuracy {expected:.3f} on 50 rows held out" in result.recommendation
    rare = int(np.sum(y[held] == "rare"))
    assert result.holdout_["n_focus_rows"] == rare
    assert f"(25%, {rare} of class 'rare'; CV: " in result.recommendation
    assert result.to_dict()["holdout"]["n_rows"] == 50
    assert ("read the held-out score as a rough check" in result.recommendation) == (rare < 5)


def test_a_holdout_with_few_rows_of_the_class_of_interest_is_called_a_rough_check():
    X, y = two_classes(120)
    y[:] = "common"
    y[:12] = "rare"  # 20%: 2 or 3 rare rows held out
    result = compare_strategies(
        X, y, strategies={"a": LogisticRegression(), "b": LogisticRegression(C=0.1)}, repeats=1
    )
    few = result.holdout_["n_focus_rows"]
    assert few in (2, 3)
    assert (
        f"With {few} held-out rows of class 'rare', its recall there moves in steps of "
        f"{1 / few:.0%}: read the held-out score as a rough check"
    ) in result.recommendation


def test_auto_holdout_is_off_with_a_note_when_a_class_is_too_small():
    X, y = two_classes(60)
    y[:] = "common"
    y[:3] = "rare"  # 3 rare rows: not one for the hold-out and 3 for the 3 folds
    result = compare_strategies(
        X, y, strategies={"a": LogisticRegression(), "b": LogisticRegression(C=0.1)}, repeats=1
    )
    assert result.holdout_ is None
    assert result.holdout_note.startswith("no hold-out: a 20% hold-out (12 rows) is too small")
    assert "No hold-out: a 20% hold-out" in result.recommendation
    with pytest.raises(InputError, match=r"holdout=0.2: a 20% hold-out \(12 rows\) cannot be"):
        compare_strategies(X, y, strategies={"a": LogisticRegression()}, holdout=0.2)


def test_repeats_multiply_the_paired_folds():
    X, y = two_classes(90)
    result = compare_strategies(X, y, strategies={"a": LogisticRegression()}, cv=3, repeats=2)
    assert result.n_splits == 3 and result.n_repeats == 2
    assert len(result.fold_scores.loc["a"]) == 6
    assert result.fold_scores.loc["a"]["repeat"].tolist() == [0, 0, 0, 1, 1, 1]
    with pytest.raises(InputError, match="repeats must be an integer >= 1"):
        compare_strategies(X, y, strategies={"a": LogisticRegression()}, repeats=0)
    from sklearn.model_selection import StratifiedKFold

    with pytest.raises(InputError, match="with a CV splitter, configure its repeats"):
        compare_strategies(
            X, y, strategies={"a": LogisticRegression()}, cv=StratifiedKFold(3), repeats=2
        )


def test_python_and_command_line_share_their_defaults():
    import inspect

    from skbalance import _defaults
    from skbalance._cli_args import parse_args

    _, args = parse_args(["compare"])
    defaults = inspect.signature(compare_strategies).parameters
    assert args.cv == defaults["cv"].default == _defaults.DEFAULT_CV == 3
    assert args.seed == defaults["random_state"].default == 0
    assert args.repeats == _defaults.DEFAULT_REPEATS
    assert args.epochs == _defaults.DEFAULT_EPOCHS
    assert args.hidden_units == _defaults.DEFAULT_HIDDEN_UNITS
    assert args.holdout == defaults["holdout"].default == "auto"
    assert defaults["on_error"].default == _defaults.DEFAULT_ON_ERROR == "skip"


def test_network_settings_reach_the_given_estimators_classifier():
    X, y = two_classes(90)
    with pytest.raises(InputError, match="epochs set.* no such parameter"):
        compare_strategies(X, y, estimator=LogisticRegression(), epochs=5)


@pytest.mark.keras
def test_winner_refit_pickles_predicts_raw_rows_and_its_snippet_rebuilds_it():
    """Also: random_state alone fixes every draw, whatever the global seeds are."""
    import keras
    import tensorflow as tf

    rng = np.random.RandomState(0)
    n = 60
    frame = pd.DataFrame(
        {
            "price": rng.normal(300, 50, n),
            "city": rng.choice(["Lyon", "Paris"], n),
        }
    )
    y = np.where(np.arange(n) < 15, "buy", "skip")
    frame.loc[:14, "price"] -= 80
    kwargs = dict(
        strategies=["none", "balanced_weights"],
        epochs=2,
        hidden_units=(4,),
        cv=2,
        repeats=1,
        holdout=None,
        random_state=7,
    )
    tf.random.set_seed(1)
    np.random.seed(1)  # noqa: NPY002 (the legacy global state a notebook sets)
    random.seed(1)
    result = compare_strategies(frame, y, refit=True, **kwargs)
    tf.random.set_seed(12345)
    np.random.seed(999)  # noqa: NPY002
    random.seed(42)
    keras.random.SeedGenerator(3)  # advance nothing of ours, but perturb Keras' global state
    again = compare_strategies(frame, y, **kwargs)
    pd.testing.assert_frame_equal(
        result.fold_scores[result.metrics], again.fold_scores[again.metrics]
    )
    assert again.recommended_ == result.recommended_

    model = pickle.loads(pickle.dumps(result.best_estimator_))
    raw = frame.iloc[:10].copy()  # raw rows: a text column, unscaled numbers
    np.testing.assert_array_equal(model.predict(raw), result.best_estimator_.predict(raw))
    assert set(model.predict(raw)) <= {"buy", "skip"}

    namespace: dict = {}
    *imports, expression = result.snippet.splitlines()
    exec("\n".join(imports), namespace)
    rebuilt = eval(expression, namespace)
    classifier = result.estimators[result.recommended_].steps[-1][1]
    assert type(rebuilt) is type(classifier)
    assert rebuilt.get_params(deep=False) == classifier.get_params(deep=False)
    assert rebuilt.epochs == 2 and rebuilt.hidden_units == (4,)


@pytest.mark.keras
def test_class_weight_from_epoch_takes_a_fraction_of_epochs():
    from skbalance.keras import KerasBalancedClassifier
    from skbalance.keras._longtail import deferred_epoch

    drw = KerasBalancedClassifier(class_weight="balanced", class_weight_from_epoch=0.8, epochs=30)
    assert deferred_epoch(drw) == 24  # floor(0.8 * 30)
    assert deferred_epoch(drw.set_params(epochs=7)) == 5
    assert deferred_epoch(drw.set_params(class_weight_from_epoch=3)) == 3
    X, y = two_classes(40)
    X = X[:, 1:]
    fitted = [
        KerasBalancedClassifier(
            class_weight="balanced",
            class_weight_from_epoch=start,
            epochs=4,
            hidden_units=(4,),
            random_state=0,
        ).fit(X, y)
        for start in (0.5, 2)
    ]
    np.testing.assert_array_equal(fitted[0].predict_proba(X), fitted[1].predict_proba(X))
    for bad in (1.0, 1.5, -0.2):
        with pytest.raises(ValueError, match="class_weight_from_epoch"):
            KerasBalancedClassifier(class_weight="balanced", class_weight_from_epoch=bad).fit(X, y)
