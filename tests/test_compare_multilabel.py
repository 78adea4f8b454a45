"""skbalance.compare on multi-label (indicator) targets: the folds, the scores against an
independent computation, the presets (run or skipped with the reason), the errors, one small
run with the real Keras classifier, and the command line on a CSV with several 0/1 columns."""

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, recall_score
from test_cli import run_cli, run_main  # the command line run as a process / in this one

from skbalance._errors import InputError
from skbalance.compare import (
    MULTILABEL_STRATEGIES,
    STRATEGIES,
    check_comparison_data,
    compare_strategies,
)
from skbalance.model_selection import IterativeStratifiedKFold

SINGLE_LABEL_ONLY = {
    "ldam_drw",
    "posthoc",
    "undersample",
    "oversample",
    "smote",
    "class_balanced_batches",
    "logistic_balanced",  # the linear reference predicts one label per row
}


def label_data(n=150, counts=(70, 30, 12), seed=0):
    """X (3 features) and an int indicator Y whose column j has exactly counts[j] positives;
    each label shifts the features, so there is something to learn."""
    rng = np.random.RandomState(seed)
    Y = np.zeros((n, len(counts)), dtype=np.int64)
    for column, count in enumerate(counts):
        Y[rng.choice(n, count, replace=False), column] = 1
    X = rng.normal(size=(n, 3)) + 1.5 * Y @ np.eye(len(counts), 3)
    return X, Y


class LabelStandIn(ClassifierMixin, BaseEstimator):
    """KerasBalancedClassifier's balancing parameters on a fast multi-label model: one
    logistic regression per label (class_weight='balanced' when any balancing is asked)."""

    def __init__(
        self,
        loss="cross_entropy",
        class_weight=None,
        sampler=None,
        resample="epoch",
        batch_sampling="instance",
        class_weight_from_epoch=0,
        posthoc_adjustment=None,
        head_retrain_epochs=0,
        epochs=5,
        random_state=None,
    ):
        self.loss = loss
        self.class_weight = class_weight
        self.sampler = sampler
        self.resample = resample
        self.batch_sampling = batch_sampling
        self.class_weight_from_epoch = class_weight_from_epoch
        self.posthoc_adjustment = posthoc_adjustment
        self.head_retrain_epochs = head_retrain_epochs
        self.epochs = epochs
        self.random_state = random_state

    def fit(self, X, Y):
        Y = np.asarray(Y)
        if self.sampler is not None:
            X, Y = self.sampler.fit_resample(X, Y)
            Y = np.asarray(Y)
        weighted = self.class_weight is not None or self.loss != "cross_entropy"
        self.models_ = [
            LogisticRegression(class_weight="balanced" if weighted else None).fit(X, column)
            for column in Y.T
        ]
        self.classes_ = np.arange(Y.shape[1])
        return self

    def predict(self, X):
        return np.column_stack([model.predict(X) for model in self.models_])

    def predict_proba(self, X):
        return np.column_stack([model.predict_proba(X)[:, 1] for model in self.models_])


class NeverFit(LabelStandIn):
    """Proves that an error came before any training."""

    def fit(self, X, Y):
        raise AssertionError("fit was called")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_labels=st.integers(2, 5),
    cv=st.integers(2, 5),
    data=st.data(),
)
def test_every_fold_holds_every_label_when_feasible(seed, n_labels, cv, data):
    """Class: folds that leave a label's positives (or negatives) out of a training or test
    part, as plain KFold does for rare labels (StratifiedKFold cannot split a matrix at all).
    The data is feasible by construction: some assignment of the rows to the folds gives
    every fold positive and negative rows of every label."""
    n = data.draw(st.integers(2 * cv, 60))
    rates = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n_labels, max_size=n_labels))
    rng = np.random.RandomState(seed % 2**32)
    planned = rng.permutation(np.arange(n) % cv)
    Y = (rng.rand(n, n_labels) < rates).astype(np.int64)
    for column in range(n_labels):
        for fold in range(cv):
            positive, negative = rng.choice(np.flatnonzero(planned == fold), 2, replace=False)
            Y[positive, column], Y[negative, column] = 1, 0
    X = rng.normal(size=(n, 2))
    checked = check_comparison_data(X, Y, cv=cv, random_state=seed, repeats=1, holdout=None)
    assert checked.multilabel and len(checked.splits) == cv
    for train, test in checked.splits:
        assert np.all(Y[test].sum(axis=0) >= 1)
        assert np.all(Y[train].sum(axis=0) >= 1) and np.all((1 - Y[train]).sum(axis=0) >= 1)
    folds = np.concatenate([test for _, test in checked.splits])
    assert sorted(folds.tolist()) == list(range(n))  # a partition of the rows
    assert min(Y[train].sum(axis=0).min() for train, _ in checked.splits) == (
        checked.min_train_count
    )
    # random_state fixes them
    again = check_comparison_data(X, Y, cv=cv, random_state=seed, repeats=1, holdout=None)
    for (_, test), (_, test_again) in zip(checked.splits, again.splits, strict=True):
        np.testing.assert_array_equal(test, test_again)


def test_folds_are_iterative_stratification_seeded_by_random_state():
    X, Y = label_data(counts=(70, 30, 12))
    checked = check_comparison_data(X, Y, cv=3, random_state=0, repeats=1, holdout=None)
    splitter = IterativeStratifiedKFold(3, shuffle=True, random_state=checked.seed)
    for (_, test), (_, expected) in zip(checked.splits, splitter.split(X, Y), strict=True):
        np.testing.assert_array_equal(test, expected)


def test_the_rarest_label_is_split_evenly():
    X, Y = label_data(counts=(70, 30, 7))
    checked = check_comparison_data(X, Y, cv=3, random_state=0, repeats=1, holdout=None)
    per_fold = sorted(int(Y[test, 2].sum()) for _, test in checked.splits)
    assert per_fold == [2, 2, 3]


@pytest.mark.parametrize("n_labels", [2, 3])
def test_scores_equal_an_independent_computation(n_labels):
    """Class: scores on other folds or rows than the leaderboard says, the wrong average, or
    (two labels) a predict_proba column taken for the positive class's: scikit-learn reads
    classes_ = [0, 1] as a binary classifier and its scorers keep one column."""
    X, Y = label_data(counts=(70, 30, 12)[:n_labels])
    names = ["head", "middle", "tail"][:n_labels]
    Y = pd.DataFrame(Y, columns=names)
    result = compare_strategies(
        X, Y, strategies={"lr": LabelStandIn()}, cv=3, random_state=7, repeats=1, holdout=None
    )
    rare = names[::-1]  # rarest first
    assert result.metrics == ["f1_macro", "average_precision"] + [
        f"recall[{r}]" for r in rare
    ] + ["brier_score_data_prior", "log_loss_data_prior"]
    assert result.rare_labels == rare and result.positive_label is None
    checked = check_comparison_data(X, Y, cv=3, random_state=7, repeats=1, holdout=None)
    values = Y.to_numpy()
    expected = {name: [] for name in result.metrics}
    recalls = []
    for train, test in checked.splits:
        model = LabelStandIn().fit(X[train], values[train])
        predicted, scores = model.predict(X[test]), model.predict_proba(X[test])
        expected["f1_macro"].append(f1_score(values[test], predicted, average="macro"))
        per_label = [
            average_precision_score(values[test, j], scores[:, j]) for j in range(n_labels)
        ]
        expected["average_precision"].append(np.mean(per_label))
        # per label: mean squared error and binary log-loss of its probability, then the mean
        expected["brier_score_data_prior"].append(np.mean((scores - values[test]) ** 2))
        losses = -(values[test] * np.log(scores) + (1 - values[test]) * np.log(1 - scores))
        expected["log_loss_data_prior"].append(losses.mean(axis=0).mean())
        fold_recalls = [recall_score(values[test, j], predicted[:, j]) for j in range(n_labels)]
        for label in rare:
            expected[f"recall[{label}]"].append(fold_recalls[names.index(label)])
        recalls.append(fold_recalls)
    for name, folds in expected.items():
        np.testing.assert_allclose(result.fold_scores.loc["lr", name], folds, rtol=1e-10)
        assert result.table.loc["lr", f"{name}_mean"] == pytest.approx(np.mean(folds))
    np.testing.assert_allclose(result.per_class_recall.loc["lr"], np.mean(recalls, axis=0))
    assert result.per_class_recall.columns.tolist() == names
    assert result.per_class_recall.columns.name == "label"


def test_default_presets_run_and_the_others_are_skipped_with_the_reason():
    X, Y = label_data()
    base = LabelStandIn(class_weight="balanced", epochs=7)  # presets reset the balancing knobs
    result = compare_strategies(X, Y, estimator=base, cv=3, repeats=1, random_state=0)
    assert set(result.table.index) == set(MULTILABEL_STRATEGIES)
    assert set(result.skipped) == SINGLE_LABEL_ONLY
    assert "ml_ros is the multi-label counterpart" in result.skipped["oversample"]
    assert "mlsmote is the multi-label counterpart" in result.skipped["smote"]
    assert "one class per row" in result.skipped["class_balanced_batches"]
    assert "softmax" in result.skipped["posthoc"]
    est = result.estimators
    assert est["none"].class_weight is None and est["none"].loss == "cross_entropy"
    assert est["sqrt_inverse"].class_weight == "sqrt_inverse"
    assert est["asymmetric"].loss == "asymmetric" and est["asymmetric"].class_weight is None
    assert type(est["ml_ros"].sampler).__name__ == "MultilabelRandomOverSampler"
    assert type(est["ml_rus"].sampler).__name__ == "MultilabelRandomUnderSampler"
    assert est["ml_ros"].resample == "epoch"
    # The tail label has 8 positive rows in each training fold: MLSMOTE keeps k = 5.
    assert type(est["mlsmote"].sampler).__name__ == "MLSMOTE"
    assert est["mlsmote"].sampler.k_neighbors == 5
    assert {e.random_state for e in est.values()} == {est["none"].random_state}
    # Ranked by macro-F1; the recommendation speaks of labels, not of a positive class.
    means = result.table["f1_macro_mean"].tolist()
    assert means == sorted(means, reverse=True)
    text = result.recommendation
    assert "recall of class" not in text and "recall of the rarest labels: 2:" in text
    data = json.loads(json.dumps(result.to_dict()))
    assert data["multilabel"] is True and data["rare_labels"] == [2, 1, 0]


def test_mlsmote_k_neighbors_follows_the_rarest_training_fold():
    X, Y = label_data(counts=(70, 30, 6))  # 4 positive rows of the tail per training fold
    result = compare_strategies(
        X, Y, estimator=LabelStandIn(), strategies=["mlsmote"], cv=3, random_state=0, holdout=None
    )
    assert result.estimators["mlsmote"].sampler.k_neighbors == 3


def test_mlsmote_is_refused_on_categorical_columns():
    """Class: MLSMOTE interpolating one-hot codes into fractions of categories."""
    X, Y = label_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(city=["x", "y", "z"] * 50)
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    base = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["city"]), remainder="passthrough"),
        NeverFit(),
    )
    with pytest.raises(
        InputError,
        match=r"strategy 'mlsmote' cannot run on a multi-label "
        r"\(indicator\) target: MLSMOTE interpolates numbers, and X has "
        r"categorical columns \('city'\)",
    ):
        compare_strategies(frame, Y, estimator=base, strategies=["ml_ros", "mlsmote"], cv=3)


def test_single_label_catalogue_is_unchanged_by_the_multilabel_presets():
    assert not {"asymmetric", "ml_ros", "ml_rus", "mlsmote"} & set(STRATEGIES)
    assert not SINGLE_LABEL_ONLY & set(MULTILABEL_STRATEGIES)
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 2)), np.repeat([0, 1], [45, 15])
    with pytest.raises(
        InputError,
        match=r"strategy 'asymmetric' cannot run here: it is "
        r"defined for multi-label \(indicator\) targets only",
    ):
        compare_strategies(X, y, estimator=NeverFit(), strategies=["none", "asymmetric"], cv=3)


@pytest.mark.parametrize(
    "counts, kwargs, message",
    [
        (
            (70, 30, 2),
            {"cv": 3},
            r"label 2 of y has only 2 positive rows, fewer than the 3 "
            r"cross-validation folds \(every fold needs one\); use cv=2, add rows with that label",
        ),
        ((70, 30, 1), {"cv": 3}, r"label 2 of y has only 1 positive row; cross-validation"),
        ((70, 30, 0), {"cv": 3}, r"label 2 of y has no positive row"),
        ((70, 150, 10), {"cv": 3}, r"label 1 of y is set in every row"),
        ((70, 148, 10), {"cv": 3}, r"label 1 of y is missing from only 2 rows, fewer than the 3"),
        ((70, 30, 12), {"cv": 3, "positive_label": 1}, r"positive_label=1 names one class"),
        (
            (70, 30, 12),
            {"cv": 3, "scoring": ["balanced_accuracy"]},
            r"metric 'balanced_accuracy' cannot score a multi-label \(indicator\) target "
            r"\(multilabel-indicator is not supported\); use metrics that average over the "
            r"labels, such as f1_macro, f1_samples, average_precision, jaccard_samples",
        ),
        (
            (70, 30, 12),
            {"cv": 3, "scoring": ["f1_macro", "f1"]},
            r"metric 'f1' cannot score a multi-label .*average='binary'",
        ),
        (
            (70, 30, 12),
            {"cv": 3, "scoring": "geometric_mean"},
            r"metric 'geometric_mean' cannot score a multi-label",
        ),
        (
            (70, 30, 12),
            {"cv": 3, "strategies": ["none", "smote"]},
            r"strategy 'smote' cannot run on a multi-label \(indicator\) target: it resamples one "
            r"label per row.*mlsmote is the multi-label counterpart",
        ),
        (
            (70, 30, 12),
            {"cv": 3, "strategies": ["posthoc"]},
            r"strategy 'posthoc' cannot run on a multi-label",
        ),
    ],
)
def test_bad_input_is_refused_by_name_before_any_fit(counts, kwargs, message):
    X, Y = label_data(counts=counts)
    Y_before = Y.copy()
    with pytest.raises(InputError, match=message):
        compare_strategies(X, Y, estimator=NeverFit(), **kwargs)
    np.testing.assert_array_equal(Y, Y_before)  # the caller's data untouched


def test_values_other_than_0_1_are_named_by_row_and_label():
    X, Y = label_data()
    Y = pd.DataFrame(Y, columns=["cat", "dog", "bird"])
    Y.loc[4, "dog"] = 2
    with pytest.raises(InputError, match=r"row 4, label 'dog' is 2"):
        compare_strategies(X, Y, estimator=NeverFit(), cv=3)


def test_a_splitter_that_leaves_a_label_out_of_a_fold_is_refused():
    X, Y = label_data(counts=(70, 30, 4))
    Y[:, 2] = 0
    Y[:4, 2] = 1  # the first rows: unshuffled 3-fold KFold puts all four in the first fold
    from sklearn.model_selection import KFold

    with pytest.raises(
        InputError,
        match=r"fold 0 of the cross-validation splitter: its "
        r"training rows have no row with label 2",
    ):
        compare_strategies(X, Y, estimator=NeverFit(), cv=KFold(3))


# Rows with no label and no predicted label make the samples averages' F1 undefined (0).
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_bool_dataframe_and_user_scorers():
    X, Y = label_data()
    Y = pd.DataFrame(Y.astype(bool), columns=["a", "b", "c"])
    result = compare_strategies(
        X,
        Y,
        strategies={"lr": LabelStandIn()},
        scoring=["f1_samples", "jaccard_samples", "roc_auc"],
        cv=3,
        random_state=0,
    )
    assert result.metrics[:4] == ["f1_samples", "jaccard_samples", "roc_auc", "average_precision"]
    assert result.table[[f"{m}_mean" for m in result.metrics]].stack().between(0, 1).all()


def test_a_sparse_indicator_scores_as_the_dense_one():
    X, Y = label_data()
    dense = compare_strategies(X, Y, strategies={"lr": LabelStandIn()}, cv=3, random_state=0)
    sparse = compare_strategies(
        X, scipy.sparse.csr_matrix(Y), strategies={"lr": LabelStandIn()}, cv=3, random_state=0
    )
    pd.testing.assert_frame_equal(
        sparse.fold_scores.drop(columns=["fit_time", "score_time", "wall_time"]),
        dense.fold_scores.drop(columns=["fit_time", "score_time", "wall_time"]),
    )


@pytest.mark.keras
def test_keras_multilabel_presets_run_end_to_end():
    classifier = pytest.importorskip("skbalance.keras.classifier")
    X, Y = label_data(n=90, counts=(40, 20, 8))
    base = classifier.KerasBalancedClassifier(hidden_units=(8,), epochs=2, batch_size=64)
    result = compare_strategies(
        X,
        Y,
        estimator=base,
        strategies=["none", "asymmetric", "ml_ros"],
        cv=2,
        random_state=0,
        repeats=1,
        holdout=None,
    )
    assert set(result.table.index) == {"none", "asymmetric", "ml_ros"}
    assert result.estimators["asymmetric"].loss == "asymmetric"
    scores = result.table[[f"{m}_mean" for m in result.metrics]]
    assert scores.stack().between(0, 1).all()
    assert (result.table["fit_time_mean"] > 0).all()
    # The configured estimators are clones: fitting the winner works on all the data.
    winner = clone(result.estimators[result.best_]).fit(X, Y)
    assert winner.predict(X).shape == Y.shape


# ----------------------------------------------------------------- the command line


def tagged_csv(path, n=60, **overrides):
    X, Y = label_data(n=n, counts=(30, 14, 6))
    frame = pd.DataFrame(X, columns=["x1", "x2", "x3"])
    frame["cat"], frame["dog"], frame["bird"] = Y.T
    for column, values in overrides.items():
        frame[column] = values
    frame.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    "overrides, extra, message",
    [
        (
            {"dog": ["yes", "no"] * 30},
            [],
            r"the target column 'dog' holds 'yes' \(data row 1 "
            r"of .*\); every column of a multi-label target must hold 0 and 1",
        ),
        ({"dog": [0, 1, 2] * 20}, [], r"the target column 'dog' holds 2 \(data row 3 of"),
        (
            {"bird": [1, 1] + [0] * 58},
            [],
            r"label 'bird' of the target columns 'cat', 'dog', "
            r"'bird' has only 2 positive rows, fewer than the 3 cross-validation folds.*--cv 2",
        ),
        ({}, ["--scoring", "balanced_accuracy"], r"metric 'balanced_accuracy' cannot score"),
        (
            {},
            ["--strategies", "none,oversample"],
            r"strategy 'oversample' cannot run on a "
            r"multi-label target: .*ml_ros is the multi-label counterpart",
        ),
        ({}, ["--positive-label", "1"], r"--positive-label names a class of one target column"),
    ],
)
def test_cli_input_errors_name_the_column(overrides, extra, message, tmp_path, capfd):
    csv = tagged_csv(tmp_path / "tags.csv", **overrides)
    argv = ["compare", csv, "--target", "cat,dog,bird", "--cv", "3", *extra]
    status, out, err = run_main(argv, capfd)
    assert status == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and out == "", err
    assert lines[0].startswith("python -m skbalance compare: error: ")
    assert re.search(message, lines[0]), lines[0]


def test_cli_a_misspelt_target_column_gets_the_closest_name(tmp_path, capfd):
    csv = tagged_csv(tmp_path / "tags.csv")
    status, _, err = run_main(["compare", csv, "--target", "cat,dgo"], capfd)
    assert status == 1 and "no column 'dgo' in" in err and "(did you mean 'dog'?)" in err


def test_cli_runs_a_multilabel_csv_end_to_end(tmp_path):
    csv = tagged_csv(tmp_path / "tags.csv", n=72, bird=np.r_[np.ones(8), np.zeros(64)])
    out_json = tmp_path / "board.json"
    out = run_cli(
        "compare", csv, "--target", "cat,dog,bird", "--strategies",
        "none,balanced_weights,mlsmote", "--epochs", 2, "--cv", 2, "--hidden-units", 8,
        "--repeats", 1, "--quiet", "--json", out_json,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "72 rows, 3 labels (positive rows: cat: 30, dog: 14, bird: 8)" in out.stdout
    assert "ranked by f1_macro" in out.stdout
    for legend in (  # the short headers' legend (issue 15: the table fits 80 columns)
        "AP: macro average precision",
        "Rec1: recall of label 'bird'",
        "Rec2: recall of label 'dog'",
        "Rec3: recall of label 'cat'",
    ):
        assert legend in out.stdout
    data = json.loads(out_json.read_text())
    assert data["multilabel"] is True and data["classes"] == ["cat", "dog", "bird"]
    assert data["rare_labels"] == ["bird", "dog", "cat"] and data["positive_label"] is None
    assert {e["strategy"] for e in data["leaderboard"]} == {"none", "balanced_weights", "mlsmote"}
    assert list(data["leaderboard"][0]["metrics"]) == [
        "f1_macro",
        "average_precision",
        "recall[bird]",
        "recall[dog]",
        "recall[cat]",
        "brier_score_data_prior",
        "log_loss_data_prior",
    ]
    assert data["lower_is_better"] == ["brier_score_data_prior", "log_loss_data_prior"]
    assert "#  strategy" in out.stdout and "Brier: Brier score, LL: log-loss" in out.stdout
    ranks = [e["metrics"]["f1_macro"]["mean"] for e in data["leaderboard"]]
    assert ranks == sorted(ranks, reverse=True)
    assert "recall of class" not in out.stdout and "Recommendation:" in out.stdout


def test_cli_bundled_multilabel_demo_and_its_ratio_hint(capfd):
    from skbalance._cli_data import load_bundled

    X, Y = load_bundled("digits_multilabel", 20, 0)
    assert X.shape == (900, 256) and Y.shape == (900, 10)
    assert Y.sum(axis=0).tolist() == [360, 258, 185, 132, 95, 68, 48, 35, 25, 18]
    argv = ["compare", "--dataset", "digits_multilabel", "--imbalance-ratio", "200", "--cv", "3"]
    status, out, err = run_main(argv, capfd)
    assert status == 1 and out == "", err
    assert "label 9 of y has only 1 positive row" in err
    assert "lower --imbalance-ratio instead: 120 or lower leaves at least 3 positive rows" in err


def test_cli_multilabel_input_errors_never_import_tensorflow(tmp_path):
    """Class: a multi-label check that runs only after the heavy import."""
    runs = [
        ["compare", tagged_csv(tmp_path / "a.csv", dog=["yes", "no"] * 30), "--target",
         "cat,dog,bird"],
        ["compare", tagged_csv(tmp_path / "b.csv"), "--target", "cat,dog,bird", "--scoring",
         "balanced_accuracy"],
        ["compare", tagged_csv(tmp_path / "c.csv"), "--target", "cat,dog,bird", "--strategies",
         "smote"],
    ]  # fmt: skip
    code = (
        "import contextlib, io, json, sys\n"
        "from skbalance._cli import main\n"
        f"statuses = []\n"
        f"for argv in {runs!r}:\n"
        "    with contextlib.redirect_stderr(io.StringIO()):\n"
        "        statuses.append(main(argv))\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'jax') if m in sys.modules]\n"
        "print(json.dumps([statuses, heavy]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    statuses, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    assert statuses == [1, 1, 1] and heavy == []
