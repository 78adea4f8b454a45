"""skbalance.compare: the cross-validation machinery (fast, with scikit-learn estimators),
the presets (with a stand-in classifier that has KerasBalancedClassifier's parameter names),
and one small run with the real Keras classifier."""

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import skbalance.sampling
from skbalance._errors import InputError
from skbalance.compare import (
    STRATEGIES,
    check_comparison_data,
    compare_strategies,
    first_infinite,
)
from skbalance.metrics import CALIBRATION_METRICS, geometric_mean_score


def imbalanced_data(n_rare=12, labels=("common", "middle", "rare"), seed=0):
    rng = np.random.RandomState(seed)
    sizes = [90, 40, n_rare][: len(labels)]
    X = np.concatenate([rng.normal(1.2 * i, 1.0, (n, 3)) for i, n in enumerate(sizes)])
    y = np.repeat(np.array(labels), sizes)
    return X, y


class StandIn(ClassifierMixin, BaseEstimator):
    """KerasBalancedClassifier's balancing parameters (issue 4) on top of a fast model."""

    def __init__(
        self, loss="cross_entropy", class_weight=None, sampler=None, epochs=10, random_state=None
    ):
        self.loss = loss
        self.class_weight = class_weight
        self.sampler = sampler
        self.epochs = epochs
        self.random_state = random_state

    def fit(self, X, y):
        if self.sampler is not None:
            X, y = self.sampler.fit_resample(X, y)
        weighted = self.class_weight is not None or self.loss != "cross_entropy"
        self.model_ = LogisticRegression(class_weight="balanced" if weighted else None)
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(X)

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


class StandInWithFeed(StandIn):
    """... plus the balanced-feed parameters of issue 5."""

    def __init__(
        self,
        loss="cross_entropy",
        class_weight=None,
        sampler=None,
        epochs=10,
        random_state=None,
        resample=None,
        batch_sampling="instance",
        class_weight_from_epoch=0,
        posthoc_adjustment=None,
    ):
        super().__init__(loss, class_weight, sampler, epochs, random_state)
        self.resample = resample
        self.batch_sampling = batch_sampling
        self.class_weight_from_epoch = class_weight_from_epoch
        self.posthoc_adjustment = posthoc_adjustment


@pytest.fixture
def imblearn_samplers(monkeypatch):
    """Stand in imbalanced-learn's samplers where skbalance.sampling does not have them yet."""
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    for cls in (SMOTE, RandomOverSampler, RandomUnderSampler):
        if not hasattr(skbalance.sampling, cls.__name__):
            monkeypatch.setattr(skbalance.sampling, cls.__name__, cls, raising=False)


def test_user_strategies_scores_equal_a_hand_computed_cv():
    X, y = imbalanced_data()
    X_copy, y_copy = X.copy(), y.copy()
    cv = StratifiedKFold(4, shuffle=True, random_state=1)
    strategies = {
        "plain": LogisticRegression(),
        "weighted": LogisticRegression(class_weight="balanced"),
    }
    result = compare_strategies(X, y, strategies=strategies, cv=cv, holdout=None)

    for name, model in strategies.items():
        recalls = []
        for fold, (train, test) in enumerate(cv.split(X, y)):
            pred = LogisticRegression(**model.get_params()).fit(X[train], y[train]).predict(X[test])
            row = result.fold_scores.loc[(name, fold)]
            assert row["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y[test], pred))
            assert row["f1_macro"] == pytest.approx(f1_score(y[test], pred, average="macro"))
            assert row["geometric_mean"] == pytest.approx(geometric_mean_score(y[test], pred))
            assert row["recall[rare]"] == pytest.approx(np.mean(pred[y[test] == "rare"] == "rare"))
            recalls.append([np.mean(pred[y[test] == c] == c) for c in ["common", "middle", "rare"]])
        np.testing.assert_allclose(result.per_class_recall.loc[name], np.mean(recalls, axis=0))
        folds = result.fold_scores.loc[name]
        assert result.table.loc[name, "balanced_accuracy_mean"] == pytest.approx(
            folds["balanced_accuracy"].mean()
        )
        assert result.table.loc[name, "balanced_accuracy_std"] == pytest.approx(
            np.std(folds["balanced_accuracy"])
        )
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    assert result.positive_label == "rare"  # the rarest class by default
    assert list(result.per_class_recall.columns) == ["common", "middle", "rare"]
    assert result.fold_scores.shape[0] == 8 and result.n_splits == 4


def test_leaderboard_is_ranked_and_recommends_the_winner():
    X, y = imbalanced_data(n_rare=8)
    strategies = {
        "none": LogisticRegression(C=1e-3),
        "weighted": LogisticRegression(C=1e-3, class_weight="balanced"),
    }
    result = compare_strategies(X, y, strategies=strategies, cv=3, random_state=0)
    means = result.table["balanced_accuracy_mean"].to_numpy()
    assert np.all(np.diff(means) <= 0)
    assert result.best_ == result.table.index[0] == "weighted"
    assert result.best_group_ == ["weighted"] and result.recommended_ == "weighted"
    assert result.recommendation.startswith(
        "'weighted' is best on balanced_accuracy, clearly ahead of every other strategy over "
        "9 paired folds (3 folds x 3 repeats). Use 'weighted' (user estimator): balanced_accuracy"
    )
    gain = means[0] - result.table.loc["none", "balanced_accuracy_mean"]
    assert f"{gain:+.3f} over no balancing" in result.recommendation
    rare_recall = result.per_class_recall.loc[["weighted", "none"], "rare"].to_numpy()
    assert (
        f"; recall of class 'rare': {rare_recall[0]:.3f} (none: {rare_recall[1]:.3f}). "
        "Why: the best." in result.recommendation
    )

    ranked_by_recall = compare_strategies(
        X, y, strategies=strategies, cv=3, random_state=0, scoring=["recall_macro"]
    )
    assert ranked_by_recall.primary_metric == "recall_macro"
    assert list(ranked_by_recall.table.columns[:2]) == ["recall_macro_mean", "recall_macro_std"]


def test_every_strategy_sees_the_same_folds():
    X, y = imbalanced_data()
    result = compare_strategies(
        X,
        y,
        strategies={"a": LogisticRegression(), "b": LogisticRegression()},
        cv=5,
        random_state=3,
    )
    a, b = result.fold_scores.loc["a"], result.fold_scores.loc["b"]
    pd.testing.assert_frame_equal(a[result.metrics], b[result.metrics])
    again = compare_strategies(X, y, strategies={"a": LogisticRegression()}, cv=5, random_state=3)
    pd.testing.assert_frame_equal(again.fold_scores.loc["a"][result.metrics], a[result.metrics])


def test_binary_adds_average_precision_of_the_positive_label():
    X, y = imbalanced_data(labels=("stay", "churn"))
    cv = StratifiedKFold(3)
    result = compare_strategies(
        X, y, strategies={"lr": LogisticRegression()}, cv=cv, positive_label="stay", holdout=None
    )
    assert result.metrics == [
        "balanced_accuracy",
        "f1_macro",
        "geometric_mean",
        "average_precision",
        "recall[stay]",
        *CALIBRATION_METRICS,
    ]
    for fold, (train, test) in enumerate(cv.split(X, y)):
        model = LogisticRegression().fit(X[train], y[train])
        stay = list(model.classes_).index("stay")
        expected = average_precision_score(y[test] == "stay", model.predict_proba(X[test])[:, stay])
        assert result.fold_scores.loc[("lr", fold), "average_precision"] == pytest.approx(expected)
    default = compare_strategies(X, y, strategies={"lr": LogisticRegression()}, cv=cv)
    assert default.positive_label == "churn" and "recall[churn]" in default.metrics


def test_presets_configure_the_base_estimator(imblearn_samplers):
    X, y = imbalanced_data()
    base = StandIn(class_weight="balanced", epochs=7)  # presets reset the balancing knobs
    result = compare_strategies(X, y, estimator=base, cv=3, random_state=0, repeats=1)
    est = result.estimators
    assert est["none"].get_params()["class_weight"] is None
    assert est["focal"].loss == "focal" and est["focal"].class_weight is None
    assert est["balanced_weights"].class_weight == "balanced"
    assert est["effective_number"].class_weight == "effective_number"
    assert est["logit_adjusted"].loss == "logit_adjusted"
    assert type(est["undersample"].sampler).__name__ == "RandomUnderSampler"
    # SMOTE needs k_neighbors + 1 rows per training fold: the rare class has 8 there.
    assert est["smote"].sampler.get_params()["k_neighbors"] == 5
    networks = [e for name, e in est.items() if name != "logistic_balanced"]
    assert all(e.epochs == 7 for e in networks) and base.class_weight == "balanced"
    assert est["logistic_balanced"].get_params() == (
        LogisticRegression(class_weight="balanced", max_iter=1000).get_params()
    )  # the linear reference replaces the classifier
    seeds = {e.random_state for e in networks}
    assert len(seeds) == 1 and None not in seeds  # one seed: same initial state for all
    assert set(result.skipped) == {"ldam_drw", "posthoc", "class_balanced_batches"}
    assert "no parameter batch_sampling" in result.skipped["class_balanced_batches"]
    assert set(result.table.index) == set(STRATEGIES) - set(result.skipped)


def test_feed_presets_light_up_when_the_classifier_supports_them(imblearn_samplers):
    X, y = imbalanced_data(n_rare=4)
    result = compare_strategies(
        X, y, estimator=StandInWithFeed(epochs=10), cv=2, random_state=0, holdout=None, repeats=1
    )
    est = result.estimators
    assert result.skipped == {}
    assert est["ldam_drw"].loss == "ldam" and est["ldam_drw"].class_weight_from_epoch == 0.8
    assert est["posthoc"].posthoc_adjustment == 1.0
    assert est["class_balanced_batches"].batch_sampling == "class"
    assert est["oversample"].resample == "epoch" and est["none"].resample is None
    assert est["smote"].sampler.get_params()["k_neighbors"] == 1  # 2 rare rows per fold


def test_presets_reach_the_last_step_of_a_pipeline():
    X, y = imbalanced_data()
    pipe = Pipeline([("scale", StandardScaler()), ("model", StandIn())])
    result = compare_strategies(X, y, estimator=pipe, strategies=["none", "focal"], cv=3)
    assert result.estimators["focal"].named_steps["model"].loss == "focal"
    assert pipe.named_steps["model"].loss == "cross_entropy"  # the caller's object is untouched


def test_sklearn_estimator_gets_only_the_presets_it_can_take():
    X, y = imbalanced_data()
    result = compare_strategies(
        X, y, estimator=LogisticRegression(), cv=3, random_state=0, on_error="skip"
    )
    # LogisticRegression has class_weight, so the class-weight presets apply; it rejects
    # "effective_number" when fitted, which is reported, not fatal, with on_error="skip".
    assert set(result.table.index) == {"none", "balanced_weights", "logistic_balanced"}
    assert "effective_number" in result.failures
    assert "no parameter loss" in result.skipped["focal"]


def test_failing_strategy_raises_on_request_with_its_name():
    X, y = imbalanced_data()
    with pytest.raises(RuntimeError, match="strategy 'effective_number' failed"):
        compare_strategies(
            X,
            y,
            estimator=LogisticRegression(),
            cv=3,
            strategies=["none", "effective_number"],
            on_error="raise",
        )


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"strategies": ["none", "magic"]}, InputError, "unknown strategy 'magic'; choose from"),
        ({"strategies": ["focal"]}, InputError, "strategy 'focal' cannot run here: .*loss"),
        ({"scoring": ["balanced_accurcy"]}, InputError, "unknown metric 'balanced_accurcy'"),
        ({"scoring": []}, InputError, "scoring is empty"),
        ({"positive_label": "gold"}, InputError, r"positive_label='gold' is not a class"),
        ({"cv": 1}, InputError, "cv must be at least 2"),
        ({"cv": 13}, InputError, r"class 'rare' has only 12 rows, fewer than the 13 .*cv=12"),
        ({"cv": "five"}, TypeError, "cv must be a number of folds or a CV splitter"),
        ({"on_error": "ignore"}, InputError, "on_error must be 'raise' or 'skip'"),
        ({"strategies": {"x": "LogisticRegression"}}, TypeError, r"strategies\['x'\] must be"),
    ],
)
def test_bad_arguments_fail_before_any_fit(kwargs, error, message):
    X, y = imbalanced_data()
    kwargs.setdefault("estimator", LogisticRegression())
    with pytest.raises(error, match=message):
        compare_strategies(X, y, **kwargs)


def test_bad_data():
    X, y = imbalanced_data()
    with pytest.raises(ValueError, match="single class"):
        compare_strategies(X, np.zeros(len(X)), estimator=LogisticRegression())
    with pytest.raises(ValueError, match="has only 1 row"):
        compare_strategies(X, np.r_[np.zeros(len(X) - 1), 1], estimator=LogisticRegression())
    with pytest.raises(ValueError, match="X has 142 rows but y has 5 labels"):
        compare_strategies(X, y[:5], estimator=LogisticRegression())


def test_a_continuous_target_is_named_as_such():
    """Class: a regression target taken for hundreds of one-row classes ('class -2.05 has only
    1 row'). Rule: float labels that are not all whole numbers; whole-number floats are classes."""
    X, y = imbalanced_data()
    continuous = np.random.RandomState(0).normal(size=len(X))
    with pytest.raises(InputError, match=r"^y looks continuous: 142 distinct values in 142 rows"):
        check_comparison_data(X, continuous, cv=3)
    with pytest.raises(InputError, match=r"^the column 'v' looks continuous: 2 distinct .* 0\.5"):
        check_comparison_data(X, np.where(y == "rare", 0.5, 1.0), target_name="the column 'v'")
    checked = check_comparison_data(X, np.where(y == "rare", 2.0, 1.0), cv=3)
    assert checked.classes.tolist() == [1.0, 2.0] and checked.positive_label == 2.0


def test_positive_label_is_the_class_itself():
    """Class: a positive label equal to a class but of another type (True for 1, 1.0 for 1),
    passed on to the scorers as given."""
    X, y = imbalanced_data(labels=(0, 1, 2))
    for given_label in (2, 2.0, np.int64(2)):
        label = check_comparison_data(X, y, positive_label=given_label, cv=3).positive_label
        assert label == 2 and type(label) is int
    label = check_comparison_data(X, y % 2, positive_label=True, cv=3).positive_label
    assert label == 1 and type(label) is int


def test_bool_labels_with_a_bool_positive_label_score_and_serialise():
    """Class: labels of a type the scorers or JSON do not expect (bool) failing or mis-scoring
    only after training."""
    X, y = imbalanced_data(labels=("common", "rare"))
    flags = y == "rare"
    result = compare_strategies(
        X,
        flags,
        strategies={"lr": LogisticRegression()},
        positive_label=True,
        cv=3,
        random_state=0,
    )
    reference = compare_strategies(
        X,
        flags.astype(int),
        strategies={"lr": LogisticRegression()},
        positive_label=1,
        cv=3,
        random_state=0,
    )
    assert result.positive_label is True and "recall[True]_mean" in result.table.columns
    data = json.loads(json.dumps(result.to_dict()))
    assert data["classes"] == [False, True] and data["positive_label"] is True
    for metric in ("balanced_accuracy", "average_precision", "recall[True]"):
        assert result.table.loc["lr", f"{metric}_mean"] == pytest.approx(
            reference.table.loc["lr", f"{metric.replace('True', '1')}_mean"]
        )


def brute_force_first_infinite(table: np.ndarray):
    for column in range(table.shape[1]):
        rows = [row for row in range(table.shape[0]) if np.isinf(table[row, column])]
        if rows:
            return column, rows[0], len(rows)
    return None


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 8), st.integers(1, 6)),
    cells=st.lists(st.tuples(st.integers(0, 63), st.sampled_from([np.inf, -np.inf, np.nan]))),
    dtype=st.sampled_from([np.float64, np.float32]),
)
def test_first_infinite_matches_brute_force_for_every_container(shape, cells, dtype):
    """Class: infinite feature values that reached the fits (every strategy then failed) or
    a report that names the wrong column or row; NaN is a missing value, not an error."""
    table = np.zeros(shape, dtype=dtype)
    for cell, value in cells:
        table.flat[cell % table.size] = value
    expected = brute_force_first_infinite(table)
    assert first_infinite(table) == expected
    assert first_infinite(scipy.sparse.csr_matrix(table)) == expected
    frame = pd.DataFrame(table, columns=[f"c{i}" for i in range(shape[1])])
    frame.insert(0, "text", "a")  # skipped: not numeric
    found = first_infinite(frame)
    assert found == (None if expected is None else (f"c{expected[0]}", *expected[1:]))
    images = table.reshape(shape[0], 1, shape[1], 1)  # rank 4: columns of the flattened rows
    assert first_infinite(images) == expected


def test_first_infinite_leaves_other_containers_to_the_estimator():
    """Class: a check of our own that crashes on input the estimator may accept (ragged rows,
    text), or reads a nullable float column as non-numeric."""
    assert first_infinite([[1.0], [2.0, 3.0]]) is None
    assert first_infinite(np.array(["a", "inf"])) is None
    nullable = pd.DataFrame({"a": pd.Series([1.0, None, np.inf], dtype="Float64")})
    assert first_infinite(nullable) == ("a", 2, 1)


def test_infinite_features_are_refused_before_any_fit():
    X, y = imbalanced_data()
    X = X.copy()
    X[[7, 30], 2] = [np.inf, -np.inf]
    with pytest.raises(
        InputError, match=r"column 2 of X has 2 infinite values \(the first in row 7\)"
    ):
        compare_strategies(X, y, estimator=LogisticRegression(), cv=3)


def test_every_strategy_failed_chains_the_last_failure():
    """Class: a failure whose cause is lost (only its message kept), so the command line could
    show no traceback for what is a bug."""
    X, y = imbalanced_data()
    with pytest.raises(RuntimeError, match="every strategy failed") as info:
        compare_strategies(
            X, y, strategies={"bad": LogisticRegression(C=-1)}, cv=3, on_error="skip"
        )
    assert isinstance(info.value.__cause__, ValueError) and "C" in str(info.value.__cause__)


def test_to_dict_is_json_and_matches_the_table(tmp_path):
    X, y = imbalanced_data(labels=(0, 1, 2))
    result = compare_strategies(X, y, strategies={"lr": LogisticRegression()}, cv=3)
    data = json.loads(json.dumps(result.to_dict()))
    entry = data["leaderboard"][0]
    assert data["best"] == "lr" and data["classes"] == [0, 1, 2] and data["positive_label"] == 2
    assert entry["metrics"]["f1_macro"]["mean"] == pytest.approx(
        result.table.loc["lr", "f1_macro_mean"]
    )
    assert entry["metrics"]["f1_macro"]["folds"] == pytest.approx(
        result.fold_scores.loc["lr", "f1_macro"].tolist()
    )
    assert entry["per_class_recall"] == pytest.approx(
        {str(k): v for k, v in result.per_class_recall.loc["lr"].items()}
    )
    pytest.importorskip("matplotlib")
    result.plot(tmp_path / "cmp.png")
    assert (tmp_path / "cmp.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_silent_unless_verbose(capsys):
    X, y = imbalanced_data()
    compare_strategies(X, y, strategies={"lr": LogisticRegression()}, cv=3)
    assert capsys.readouterr() == ("", "")


@pytest.mark.keras
def test_keras_presets_run_end_to_end():
    classifier = pytest.importorskip("skbalance.keras.classifier")
    X, y = imbalanced_data(n_rare=9)
    base = classifier.KerasBalancedClassifier(hidden_units=(8,), epochs=5, batch_size=64)
    # LDAM-DRW once the classifier has deferred re-weighting (issue 5), focal before that.
    has_drw = "class_weight_from_epoch" in base.get_params()
    second = "ldam_drw" if has_drw else "focal"
    result = compare_strategies(
        X, y, estimator=base, strategies=["none", second], cv=2, repeats=1, holdout=None
    )
    assert set(result.table.index) == {"none", second}
    configured = result.estimators[second]
    assert configured.loss == ("ldam" if has_drw else "focal")
    if has_drw:  # a fraction of epochs: set_params(epochs=...) keeps the schedule
        from skbalance.keras._longtail import deferred_epoch

        assert configured.class_weight_from_epoch == 0.8
        assert deferred_epoch(configured) == 4
        assert deferred_epoch(clone(configured).set_params(epochs=100)) == 80
    assert result.table["balanced_accuracy_mean"].between(0, 1).all()
    assert (result.table["fit_time_mean"] > 0).all()


def test_resampling_pipelines_as_user_strategies():
    from imblearn.over_sampling import RandomOverSampler as ImblearnROS
    from imblearn.pipeline import make_pipeline as imblearn_pipeline

    from skbalance.pipeline import ResampledClassifier
    from skbalance.sampling import RandomOverSampler

    X, y = imbalanced_data(n_rare=9)
    strategies = {
        "plain": LogisticRegression(),
        "skbalance_ros": ResampledClassifier(
            RandomOverSampler(random_state=0), LogisticRegression()
        ),
        "imblearn_ros": imblearn_pipeline(ImblearnROS(random_state=0), LogisticRegression()),
    }
    result = compare_strategies(
        X, y, strategies=strategies, cv=3, random_state=0, repeats=1, holdout=None
    )
    assert set(result.table.index) == set(strategies)
    # Over-sampling lifts the rare class's recall over plain training on this data.
    recall = result.per_class_recall["rare"]
    assert recall["skbalance_ros"] > recall["plain"] and recall["imblearn_ros"] > recall["plain"]


def test_sampler_presets_apply_to_a_resampled_classifier():
    from skbalance.pipeline import ResampledClassifier
    from skbalance.sampling import RandomUnderSampler

    X, y = imbalanced_data()
    base = ResampledClassifier(RandomUnderSampler(), LogisticRegression())
    result = compare_strategies(
        X, y, estimator=base, strategies=["oversample", "smote"], cv=3, repeats=1
    )
    assert type(result.estimators["oversample"].sampler).__name__ == "RandomOverSampler"
    assert type(result.estimators["smote"].sampler).__name__ == "SMOTE"
    assert result.table.shape[0] == 2


def test_importing_compare_metrics_datasets_does_not_import_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys, skbalance.compare, skbalance.metrics, skbalance.datasets\n"
        "print(','.join(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_average_precision_by_name_scores_the_positive_label_with_string_labels():
    X, y = imbalanced_data(labels=("stay", "churn"))
    result = compare_strategies(
        X, y, strategies={"lr": LogisticRegression()}, cv=3, scoring=["average_precision"]
    )
    assert result.metrics == ["average_precision", "recall[churn]", *CALIBRATION_METRICS]
    assert result.table["average_precision_mean"].between(0, 1).all()


def mixed_frame(n=90, seed=0):
    """Numbers (one missing), a text column and a category column; 'rare' is 1 row in 6."""
    rng = np.random.RandomState(seed)
    y = np.where(np.arange(n) % 6 == 0, "rare", "common")
    X = pd.DataFrame(
        {
            "price": rng.normal(300, 50, n) - 60 * (y == "rare"),
            "rooms": rng.randint(1, 6, n),
            "city": rng.choice(["Lyon", "Nantes", "Paris"], n),
            "tier": pd.Categorical(rng.choice(["low", "high"], n), categories=["low", "high"]),
        }
    )
    X.loc[4, "price"] = np.nan
    return X, y


def cli_pipeline(X):
    from skbalance._cli import _preprocessor

    return Pipeline([("preprocess", _preprocessor(X)), ("classifier", LogisticRegression())])


def test_smote_preset_keeps_categories_with_smotenc_before_one_hot():
    """Class: SMOTE run on one-hot columns, giving synthetic rows fractional 'categories'.

    With categorical columns, the smote preset puts SMOTENC on the raw columns (after the
    numbers' missing values are filled) before the estimator's one-hot encoding: every
    synthetic row carries a category the column has. Only the sampler part is fitted here.
    """
    X, y = mixed_frame()
    result = compare_strategies(
        X, y, estimator=cli_pipeline(X), strategies=["none", "smote"], cv=3, repeats=1
    )
    smote = result.estimators["smote"]
    assert [name for name, _ in smote.steps] == [
        "data_prior", "fill_numbers", "raw_sampler", "preprocess", "classifier"
    ]  # fmt: skip
    sampler = smote.named_steps["raw_sampler"]
    assert type(sampler).__name__ == "SMOTENC"
    assert sampler.categorical_features == ["city", "tier"]
    assert sampler.k_neighbors == 5 and sampler.random_state is not None
    filled = smote.named_steps["fill_numbers"].fit_transform(X)
    assert not filled.isna().any().any()
    X_res, y_res = sampler.fit_resample(filled, y)
    new = X_res.iloc[len(X) :]
    assert len(new) == (y == "common").sum() - (y == "rare").sum()
    assert set(new["city"]) <= {"Lyon", "Nantes", "Paris"}
    assert new["tier"].dtype == X["tier"].dtype and new["tier"].notna().all()
    # the encoded synthetic rows are exact one-hot codes, never fractions
    encoded = smote.named_steps["preprocess"].fit(filled).transform(new)
    one_hot = encoded[:, 2:]
    assert set(np.unique(one_hot)) <= {0.0, 1.0} and (one_hot.sum(axis=1) == 2).all()
    assert result.table.shape[0] == 2 and result.failures == {}


def test_smote_preset_on_categorical_only_and_numeric_data():
    """Class: a mixed-data rule applied where it cannot run (SMOTENC needs a numeric column)
    or where it changes nothing (numeric data keeps the classifier's per-epoch SMOTE)."""
    X, y = mixed_frame()
    only_categories = X[["city", "tier"]]
    result = compare_strategies(
        only_categories, y, estimator=cli_pipeline(only_categories), strategies=["smote"], cv=2
    )
    assert type(result.estimators["smote"].named_steps["raw_sampler"]).__name__ == "SMOTEN"
    numeric = X[["rooms"]]
    base = Pipeline([("scale", StandardScaler()), ("classifier", StandIn())])
    result = compare_strategies(numeric, y, estimator=base, strategies=["smote"], cv=2)
    assert type(result.estimators["smote"].named_steps["classifier"].sampler).__name__ == "SMOTE"


def test_one_rule_for_categorical_columns():
    """Class: the preprocessing one-hot encoding other columns than the preset keeps as
    categories (a category SMOTENC interpolates, or a number it votes on)."""
    from skbalance.compare import categorical_columns

    X, _ = mixed_frame()
    X["flag"] = X["rooms"] > 2
    X["count"] = pd.array(X["rooms"], dtype="Int64")
    assert categorical_columns(X) == ["city", "tier"]
    encoded = [
        c
        for name, _, cols in cli_pipeline(X)[0].transformers
        for c in cols
        if name == "categorical"
    ]
    assert encoded == ["city", "tier"]
    assert categorical_columns(X.to_numpy()) == []
