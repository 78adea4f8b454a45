"""Compare balancing strategies on one data set with honest cross-validation.

"Should I balance, and how?" depends on the data and on which class matters.
:func:`compare_strategies` cross-validates a set of strategies (named presets over
``KerasBalancedClassifier``, or the user's own estimators) on the *same* stratified folds and
returns a leaderboard. The command line front end is ``python -m skbalance compare``.

A multi-label target (an indicator matrix of shape (n_samples, n_labels)) is compared too:
iteratively stratified folds, macro-F1 first, the presets that apply to it (see
:mod:`skbalance._compare_multilabel`).
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score, get_scorer, get_scorer_names, make_scorer
from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
from sklearn.utils import check_random_state

from skbalance import _compare_multilabel as multilabel
from skbalance import _scorer_trial as trial
from skbalance._console import Progress as _Progress
from skbalance._defaults import (
    AUTO_HOLDOUT,
    DEFAULT_BATCH_SIZE,
    DEFAULT_CV,
    DEFAULT_EPOCHS,
    DEFAULT_HIDDEN_UNITS,
    DEFAULT_HOLDOUT,
    DEFAULT_ON_ERROR,
    DEFAULT_RANDOM_STATE,
    DEFAULT_REPEATS,
)
from skbalance._errors import PYTHON_CV, InputError, fewer_folds
from skbalance._labels import encode_labels
from skbalance._presets import (
    ALL_STRATEGIES,
    MULTILABEL_STRATEGIES,
    RAW_SAMPLER,
    REPLACE_CLASSIFIER,
    SIMPLICITY,
    STRATEGIES,
    resolve_strategy,
)
from skbalance._report import ComparisonResult
from skbalance._rows import take_rows
from skbalance.metrics import (
    CALIBRATION_METRICS,
    DataPriorRecorder,
    data_prior_proba,
    geometric_mean_scorer,
    make_class_recall_scorer,
)

__all__ = [
    "compare_strategies",
    "ComparisonResult",
    "DEFAULT_CV",
    "DEFAULT_EPOCHS",
    "DEFAULT_HIDDEN_UNITS",
    "DEFAULT_REPEATS",
    "MULTILABEL_STRATEGIES",
    "STRATEGIES",
]

DEFAULT_SCORING = ("balanced_accuracy", "f1_macro", "geometric_mean")
MULTILABEL_DEFAULT_SCORING = multilabel.DEFAULT_SCORING
_OWN_SCORERS = {"geometric_mean": geometric_mean_scorer, **CALIBRATION_METRICS}


@dataclass
class _Plan:
    estimators: dict = field(default_factory=dict)  # name -> unfitted estimator
    descriptions: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)  # preset name -> why it is not offered


def _final_step(estimator):
    """``(prefix, classifier)``: the step of a (nested) Pipeline that strategies configure."""
    prefix = ""
    while hasattr(estimator, "steps"):
        name, estimator = estimator.steps[-1]
        prefix += f"{name}__"
    return prefix, estimator


def categorical_columns(X) -> list:
    """The categorical columns of ``X``: a DataFrame's columns that are not numbers or booleans.

    The one rule of the command line's preprocessing (these columns are one-hot encoded, the
    others scaled) and of the ``smote`` preset (these columns stay categories: SMOTENC).
    """
    if not hasattr(X, "columns"):
        return []
    return [column for column in X.columns if X[column].dtype.kind not in "biuf"]


def _with_raw_sampler(estimator, sampler, numeric: list):
    """``estimator`` preceded by ``sampler``, which then sees the rows as the user gave them.

    A Pipeline's steps are kept (so the strategies' parameter names stay the same); any other
    estimator becomes the step ``"classifier"``. Missing numbers are filled (median of the
    training fold) before the sampler, which needs finite values; the estimator's own
    preprocessing then finds none. The first step records the class frequencies of the
    training fold's ``y``, which the classifier never sees: the data prior of the calibration
    metrics (:func:`skbalance.metrics.data_prior_proba`).
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer

    from skbalance.pipeline import Pipeline

    steps = list(estimator.steps) if hasattr(estimator, "steps") else [("classifier", estimator)]
    fill = ColumnTransformer(
        [
            (
                "numeric",
                SimpleImputer(strategy="median", keep_empty_features=True),
                numeric,
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return Pipeline(
        [("data_prior", DataPriorRecorder()), ("fill_numbers", fill), ("raw_sampler", sampler),
         *steps]
    )  # fmt: skip


def _default_estimator(X, network: dict):
    """The command line's estimator: the preprocessing (for a DataFrame or a 2-D array) and
    ``KerasBalancedClassifier`` with ``network`` (epochs, hidden_units, batch_size)."""
    from skbalance.keras.classifier import KerasBalancedClassifier
    from skbalance.pipeline import Pipeline

    classifier = KerasBalancedClassifier(**network)
    if not (hasattr(X, "columns") or (isinstance(X, np.ndarray) and X.ndim == 2)):
        return classifier  # images, sparse, ...: the classifier takes them as they are
    from skbalance._preprocess import preprocessor

    return Pipeline([("preprocess", preprocessor(X)), ("classifier", classifier)])


def _base_estimator(estimator, X, epochs, hidden_units, batch_size):
    """The estimator the presets configure, with the network settings given (None: default)."""
    given = {
        name: value
        for name, value in [
            ("epochs", epochs),
            ("hidden_units", hidden_units),
            ("batch_size", batch_size),
        ]
        if value is not None
    }
    if estimator is None:
        network = {
            "epochs": DEFAULT_EPOCHS,
            "hidden_units": DEFAULT_HIDDEN_UNITS,
            "batch_size": DEFAULT_BATCH_SIZE,
            **given,
        }
        return _default_estimator(X, network)
    if not given:
        return estimator
    prefix, classifier = _final_step(estimator)
    missing = [name for name in given if name not in classifier.get_params(deep=False)]
    if missing:
        raise InputError(
            f"{', '.join(missing)} set(s) the default network, and the estimator's classifier "
            f"({type(classifier).__name__}) has no such parameter; configure the estimator "
            "itself instead."
        )
    return clone(estimator).set_params(**{prefix + name: value for name, value in given.items()})


def _scorer_by_name(name):
    """The scorer of a metric name in ``scoring``: ours, or scikit-learn's."""
    if not isinstance(name, str):
        raise TypeError(
            f"scoring entries must be metric names (str); got {name!r}. Pass a dict "
            "name -> scorer for custom scorers."
        )
    if name in _OWN_SCORERS:
        return _OWN_SCORERS[name]
    try:
        return get_scorer(name)
    except ValueError:
        raise InputError(
            f"unknown metric {name!r} in scoring; use 'geometric_mean' or a "
            f"scikit-learn scorer name such as 'balanced_accuracy', 'f1_macro', "
            f"'roc_auc_ovr' (all: sklearn.metrics.get_scorer_names())."
        ) from None


def _named_scorers(scoring, default: tuple) -> dict:
    """``scoring`` (None: ``default``; a name, names or a dict) as a dict name -> scorer."""
    if scoring is None:
        scoring = default
    if isinstance(scoring, str):
        scoring = (scoring,)
    if isinstance(scoring, Mapping):
        scorers = dict(scoring)
    else:
        scorers = {name: _scorer_by_name(name) for name in scoring}
    if not scorers:
        raise InputError(f"scoring is empty; name at least one metric, e.g. {default[0]!r}.")
    return scorers


def _resolve_scoring(scoring, classes, positive_label) -> tuple[dict, list[str]]:
    """Scorers by name, and the names shown in the leaderboard (first = ranking metric)."""
    scorers = _named_scorers(scoring, DEFAULT_SCORING)
    if len(classes) == 2 and not (isinstance(scoring, Mapping) and "average_precision" in scoring):
        # scikit-learn's "average_precision" assumes label 1 is positive (and fails on string
        # labels): score the class the user cares about instead.
        scorers["average_precision"] = make_scorer(
            average_precision_score,
            response_method=("decision_function", "predict_proba"),
            pos_label=positive_label,
        )
    scorers[f"recall[{positive_label}]"] = make_class_recall_scorer(positive_label)
    shown = list(scorers)
    for index, label in enumerate(classes):
        scorers[f"_recall_{index}"] = make_class_recall_scorer(label)
    return scorers, shown


def _check_target(y, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(classes, codes)`` of a classification target (labels, not numbers to regress on).

    The rule for "continuous": float labels that are not all whole numbers (scikit-learn's
    ``type_of_target`` calls them "continuous"). Whole-number floats (1.0, 2.0) are classes.
    """
    try:
        classes, codes = encode_labels(y, name=name)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if classes.dtype.kind in "fc":
        fractional = classes[classes != np.round(classes)]
        if len(fractional):
            raise InputError(
                f"{name} looks continuous: {len(classes)} distinct values in {len(codes)} rows, "
                f"such as {fractional[0].item()!r}, which is not a whole number. compare ranks "
                "classifiers: give a column of class labels, or bin this one into classes "
                "first (e.g. with pandas.cut)."
            )
    return classes, codes


def first_infinite(X) -> tuple[object, int, int] | None:
    """``(column, row, count)`` for the first column of ``X`` that holds an infinite value.

    Columns are searched left to right; ``column`` is the DataFrame column name or the column
    position (of the flattened row, for rank > 2), ``row`` the position of its first infinite
    value and ``count`` how many that column has. None when every value is finite. NaN is not
    reported (a missing value, for an imputer to fill), nor are non-numeric columns.
    """
    if hasattr(X, "columns"):
        for column in X.columns:
            values = X[column].to_numpy()
            if values.dtype.kind in "fc":
                bad = np.isinf(values)
                if bad.any():
                    return column, int(np.argmax(bad)), int(bad.sum())
        return None
    if hasattr(X, "tocoo"):  # scipy sparse: only the stored values can be infinite
        coo = X.tocoo()
        if coo.data.dtype.kind not in "fc" or not np.isinf(coo.data).any():
            return None
        bad = np.isinf(coo.data)
        rows, columns = coo.row[bad], coo.col[bad]
        column = int(columns.min())
        return column, int(rows[columns == column].min()), int((columns == column).sum())
    try:
        values = np.asarray(X)
    except (ValueError, TypeError):  # ragged rows, ...: the estimator's own input to judge
        return None
    if values.dtype.kind not in "fc" or values.ndim == 0 or values.size == 0:
        return None
    bad = np.isinf(values.reshape(values.shape[0], -1))
    per_column = bad.sum(axis=0)
    if not per_column.any():
        return None
    column = int(np.argmax(per_column > 0))
    return column, int(np.argmax(bad[:, column])), int(per_column[column])


def check_finite_features(X, *, name: str = "X", describe_row=lambda row: f"row {row}") -> None:
    """Raise :class:`InputError` naming the first column of ``X`` with an infinite value.

    ``name`` is what the message calls ``X``; ``describe_row`` turns a row position into words
    (the command line counts the data rows of the file).
    """
    infinite = first_infinite(X)
    if infinite is None:
        return
    column, row, count = infinite
    plural = count > 1
    raise InputError(
        f"column {column!r} of {name} has {count} infinite value{'s' if plural else ''} (the "
        f"first in {describe_row(row)}); the classifiers need finite numbers: replace "
        f"{'them' if plural else 'it'}, or use NaN (an empty cell in a CSV) to have "
        f"{'them' if plural else 'it'} imputed."
    )


def _check_folds(cv, seeds, codes, classes, name="y", spelling=PYTHON_CV):
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if cv < 2:
            raise InputError(f"cv must be at least 2 folds; got {cv}.")
        counts = np.bincount(codes, minlength=len(classes))
        rarest = int(np.argmin(counts))
        label, count = classes.tolist()[rarest], int(counts[rarest])
        hint = ""
        if len(classes) > max(10, len(codes) // 4):  # an id or a count rather than a label?
            hint = (
                f" ({name} has {len(classes)} distinct values in {len(codes)} rows: is it "
                "really a class label?)"
            )
        if count < 2:
            raise InputError(
                f"class {label!r} has only 1 row; cross-validation needs at least 2 rows of "
                f"every class. Remove it or add rows.{hint}"
            )
        if count < cv:
            raise InputError(
                f"class {label!r} has only {count} rows, fewer than the {cv} cross-validation "
                f"folds (every fold needs one); {fewer_folds(count, spelling)}, or add rows of "
                f"that class.{hint}"
            )
        splitters = [
            StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed) for seed in seeds
        ]
    elif isinstance(cv, str) or not hasattr(cv, "split"):
        raise TypeError(f"cv must be a number of folds or a CV splitter; got {cv!r}.")
    else:
        splitters = [cv]
    # Materialised once: every strategy is scored on exactly the same folds (paired scores).
    rows = np.zeros((len(codes), 1))
    splits = [split for splitter in splitters for split in splitter.split(rows, codes)]
    min_train_count = min(
        int(np.bincount(codes[train], minlength=len(classes)).min()) for train, _ in splits
    )
    return splits, min_train_count


def _plan(strategies, base, min_train_count, seed, X=None, multilabel=False) -> _Plan:
    plan = _Plan()
    if isinstance(strategies, Mapping):
        for name, candidate in strategies.items():
            if not hasattr(candidate, "fit"):
                raise TypeError(
                    f"strategies[{name!r}] must be an estimator with fit/predict; got "
                    f"{type(candidate).__name__}."
                )
            plan.estimators[str(name)] = candidate
            plan.descriptions[str(name)] = "user estimator"
        return plan
    if isinstance(strategies, str):
        strategies = [strategies]
    catalogue = MULTILABEL_STRATEGIES if multilabel else STRATEGIES
    if strategies is None:
        # An indicator target lists every preset, those for one label per row as skipped
        # with the reason; one label per row lists its own catalogue.
        requested = list(ALL_STRATEGIES if multilabel else STRATEGIES)
    else:
        requested = list(strategies)
    unknown = [name for name in requested if name not in ALL_STRATEGIES]
    if unknown:
        raise InputError(
            f"unknown strategy {', '.join(map(repr, unknown))}; choose from "
            f"{', '.join(catalogue)} (or pass a dict name -> estimator)."
        )
    prefix, classifier = _final_step(base)
    params = classifier.get_params(deep=False)
    categorical = categorical_columns(X)
    n_columns = X.shape[1] if hasattr(X, "columns") else 0
    for name in requested:
        settings, reason = resolve_strategy(
            ALL_STRATEGIES[name],
            params,
            min_train_count=min_train_count,
            random_state=seed,
            categorical_columns=tuple(categorical),
            n_columns=n_columns,
            multilabel=multilabel,
        )
        if reason is not None:
            plan.skipped[name] = reason
            continue
        if REPLACE_CLASSIFIER in settings:  # the reference: another model, same preprocessing
            plan.estimators[name] = _replace_classifier(base, settings[REPLACE_CLASSIFIER])
            plan.descriptions[name] = ALL_STRATEGIES[name].description
            continue
        configured = clone(base)
        if "random_state" in params and params["random_state"] is None:
            settings["random_state"] = seed  # same initial weights for every strategy
        raw_sampler = settings.pop(RAW_SAMPLER, None)
        configured.set_params(**{prefix + key: value for key, value in settings.items()})
        if raw_sampler is not None:
            numeric = [column for column in X.columns if column not in categorical]
            configured = _with_raw_sampler(configured, raw_sampler, numeric)
        plan.estimators[name] = configured
        plan.descriptions[name] = ALL_STRATEGIES[name].description
    if strategies is not None and plan.skipped:
        name, reason = next(iter(plan.skipped.items()))
        where = "on a multi-label (indicator) target" if multilabel else "here"
        raise InputError(f"strategy {name!r} cannot run {where}: {reason}.")
    if not plan.estimators:
        raise InputError(
            "no strategy can run with this estimator: "
            + "; ".join(f"{n}: {r}" for n, r in plan.skipped.items())
        )
    return plan


def _replace_classifier(base, replacement):
    """``base`` with its last step (of the innermost Pipeline) replaced by ``replacement``."""
    prefix, _ = _final_step(base)
    if not prefix:
        return clone(replacement)
    return clone(base).set_params(**{prefix[:-2]: clone(replacement)})


@dataclass
class _CheckedData:
    classes: np.ndarray  # the classes; for an indicator target, the labels' names
    positive_label: object  # None for an indicator target
    seed: int
    splits: list  # row positions within ``rest`` (all rows without a hold-out)
    min_train_count: int  # rows of the rarest class (positive rows of the rarest label)
    # in the smallest training fold
    multilabel: bool = False
    label_counts: np.ndarray | None = None  # positive rows of every label (indicator target)
    n_repeats: int = 1
    rest: np.ndarray | None = None  # rows compared by CV (None: all of them)
    held_out: np.ndarray | None = None  # rows of the hold-out (None: no hold-out)
    holdout_note: str | None = None  # why there is no hold-out, when "auto" found none

    @property
    def test_train_ratio(self) -> float:
        """Mean test rows / training rows of the folds (the variance correction's term)."""
        return float(np.mean([len(test) / len(train) for train, test in self.splits]))


def _seeds(random_state, repeats: int) -> tuple[int, int, list[int]]:
    """``(seed, hold-out seed, fold seeds of every repeat)``, all from ``random_state`` alone.

    The first repeat's folds use ``seed`` itself, so one repeat gives the folds compare has
    always drawn.
    """
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    derived = np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=repeats)
    return seed, int(derived[0]), [seed, *map(int, derived[1:])]


def _check_repeats(repeats, cv) -> int:
    own_folds = isinstance(cv, numbers.Integral) and not isinstance(cv, bool)
    if repeats is None:
        return DEFAULT_REPEATS if own_folds else 1
    if isinstance(repeats, bool) or not isinstance(repeats, numbers.Integral) or repeats < 1:
        raise InputError(f"repeats must be an integer >= 1; got {repeats!r}.")
    if repeats > 1 and not own_folds:
        raise InputError(
            f"repeats={repeats} repeats compare's own stratified folds; with a CV splitter, "
            "configure its repeats (e.g. RepeatedStratifiedKFold) and leave repeats=None."
        )
    return int(repeats)


def _check_holdout(holdout):
    """``(fraction or None, whether "auto")``."""
    if holdout is None or (isinstance(holdout, str) and holdout == "auto"):
        return (AUTO_HOLDOUT if holdout == "auto" else None), holdout == "auto"
    if (
        isinstance(holdout, bool)
        or not isinstance(holdout, numbers.Real)
        or not 0 <= holdout < 1
        or holdout > 0.5
    ):
        raise InputError(
            f"holdout must be 'auto', None, 0 or a fraction of the rows in (0, 0.5]; got "
            f"{holdout!r}."
        )
    return (float(holdout) or None), False


def _holdout_split(fraction: float, seed: int, codes=None, matrix=None):
    """``(rest, held_out)`` row positions: stratified by class, or iteratively by label.

    For an indicator target the hold-out is one fold of ``round(1 / fraction)`` iteratively
    stratified folds (0.2: exactly a fifth).
    """
    n = len(codes) if matrix is None else len(matrix)
    if matrix is None:
        rest, held = train_test_split(
            np.arange(n), test_size=fraction, stratify=codes, random_state=seed
        )
        return np.sort(rest), np.sort(held)
    from skbalance.model_selection import IterativeStratifiedKFold

    n_folds = max(2, int(round(1 / fraction)))
    splitter = IterativeStratifiedKFold(n_folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # a label too rare for the hold-out: judged by the caller
        warnings.simplefilter("ignore", UserWarning)
        rest, held = next(splitter.split(np.zeros((n, 1)), matrix.astype(np.int64)))
    return np.sort(rest), np.sort(held)


def _holdout_problem(held: np.ndarray, codes, matrix, classes) -> str | None:
    """Why the hold-out cannot score: a class (a label's positives) absent from it."""
    if matrix is None:
        counts = np.bincount(codes[held], minlength=len(classes))
        if counts.min() == 0:
            return f"class {classes.tolist()[int(np.argmin(counts))]!r} would have no row in it"
        return None
    counts = matrix[held].sum(axis=0)
    if counts.min() == 0:
        return f"label {list(classes)[int(np.argmin(counts))]!r} would have no positive row in it"
    return None


def check_comparison_data(
    X,
    y,
    *,
    cv=DEFAULT_CV,
    repeats=None,
    holdout=None,
    positive_label=None,
    random_state=DEFAULT_RANDOM_STATE,
    target_name: str = "y",
    cv_spelling: str = PYTHON_CV,
) -> _CheckedData:
    """Validate what :func:`compare_strategies` needs of the data, without fitting anything.

    The command line calls it before it imports TensorFlow, so that bad input fails in a
    second. Raises :class:`~skbalance._errors.InputError` (a ``ValueError``) for a continuous
    or one-class target, a class with fewer rows than folds, an infinite feature value, an
    unknown ``positive_label``, mismatched lengths, or a ``holdout`` fraction the classes
    cannot fill; ``target_name`` is what the messages call ``y``. A ``y`` with two or more
    columns is a multi-label indicator target: values other than 0/1, a label with fewer
    positive (or negative) rows than folds and a ``positive_label`` are refused. ``holdout``
    "auto" holds out 20% when every class keeps enough rows for it and for the folds, and
    none otherwise (``holdout_note`` says why). ``cv_spelling`` writes the folds option in
    the advice for too few rows (``"cv={}"``; the command line passes ``"--cv {}"``).
    """
    repeats = _check_repeats(repeats, cv)
    fraction, auto = _check_holdout(holdout)
    if multilabel.is_indicator_target(y):
        classes, matrix, codes = _check_label_target(X, y, positive_label, target_name)
        positive_label = None
    else:
        classes, codes, positive_label = _check_class_target(X, y, positive_label, target_name)
        matrix = None
    check_finite_features(X)
    seed, holdout_seed, fold_seeds = _seeds(random_state, repeats)

    def folds(rows):
        if matrix is None:
            return _check_folds(cv, fold_seeds, codes[rows], classes, target_name, cv_spelling)
        found = [
            multilabel.check_label_folds(
                cv, fold_seed, matrix[rows], list(classes), target_name, cv_spelling
            )
            for fold_seed in fold_seeds
        ]
        return [s for splits, _ in found for s in splits], min(count for _, count in found)

    rest = held = note = None
    if fraction is not None:
        try:
            rest, held = _holdout_split(fraction, holdout_seed, codes, matrix)
            problem = _holdout_problem(held, codes, matrix, classes)
        except ValueError as exc:  # e.g. a class of one row, which cannot be split
            n_rows = len(codes) if matrix is None else len(matrix)
            held, problem = np.arange(int(np.ceil(fraction * n_rows))), str(exc)
        if problem is None:
            try:
                splits, min_train_count = folds(rest)
            except InputError as exc:
                problem = f"the other rows could not fill the folds: {exc}"
        if problem is not None:
            what = f"a {fraction:.0%} hold-out ({len(held)} rows)"
            if not auto:
                raise InputError(
                    f"holdout={holdout!r}: {what} cannot be used: {problem}; lower the "
                    "hold-out, or set it to 0 (none)."
                )
            note = f"no hold-out: {what} is too small here ({problem})"
            rest = held = None
    if held is None:
        splits, min_train_count = folds(np.arange(len(codes if matrix is None else matrix)))
    return _CheckedData(
        classes,
        positive_label,
        seed,
        splits,
        min_train_count,
        multilabel=matrix is not None,
        label_counts=None if matrix is None else matrix.sum(axis=0),
        n_repeats=repeats,
        rest=rest,
        held_out=held,
        holdout_note=note,
    )


def _check_class_target(X, y, positive_label, target_name):
    """``(classes, codes, positive_label)`` of a one-label-per-row target."""
    classes, codes = _check_target(y, target_name)
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows != len(codes):
        raise InputError(
            f"X has {n_rows} rows but {target_name} has {len(codes)} labels; they must match."
        )
    if len(classes) < 2:
        raise InputError(
            f"{target_name} has a single class ({classes.tolist()!r}); there is nothing to "
            "balance. A classification target needs at least 2 classes."
        )
    class_list = classes.tolist()
    if positive_label is None:
        positive_label = class_list[int(np.argmin(np.bincount(codes)))]
    elif positive_label not in class_list:
        raise InputError(
            f"positive_label={positive_label!r} is not a class of {target_name}; the classes "
            f"are {class_list!r}."
        )
    else:  # the class itself (e.g. 1 for 1.0 or True): the scorers compare labels by type
        positive_label = class_list[class_list.index(positive_label)]
    return classes, codes, positive_label


def _check_label_target(X, Y, positive_label, target_name):
    """``(label names, bool matrix, None)`` of an indicator target."""
    names, matrix = multilabel.check_label_target(Y, target_name)
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows != len(matrix):
        raise InputError(
            f"X has {n_rows} rows but {target_name} has {len(matrix)} rows of labels; they "
            "must match."
        )
    if positive_label is not None:
        raise InputError(
            f"positive_label={positive_label!r} names one class of a one-label-per-row target; "
            f"{target_name} is a multi-label (indicator) target, whose rarest labels' recall "
            "is reported instead. Leave positive_label to None."
        )
    return np.asarray(names, dtype=object), matrix, None


def resolve_scoring(
    scoring, checked: _CheckedData, target_name: str = "y"
) -> tuple[object, list[str], list | None]:
    """``(scoring for cross_validate, metric names shown, rarest labels or None)``.

    Every metric is checked against the target here, before any fit (the command line calls
    it before importing Keras): an unknown name, or a metric that cannot score this target
    (``roc_auc`` on three classes, ``f1`` on string labels or on an indicator target), is an
    :class:`InputError` that names a metric that can. ``target_name`` is what the message
    calls ``y``.
    """
    if checked.multilabel:
        scorers = _named_scorers(scoring, MULTILABEL_DEFAULT_SCORING)
        label_scoring, shown, rare = multilabel.resolve_label_scoring(
            scorers, list(checked.classes), checked.label_counts
        )
        _add_calibration(label_scoring.scorers, shown)
        return label_scoring, shown, rare
    scorers, shown = _resolve_scoring(scoring, checked.classes, checked.positive_label)
    for name in shown:
        exc = _scorer_error(scorers[name], checked)
        if exc is not None:
            classes = checked.classes.tolist()
            listed = ", ".join(map(repr, classes[:5])) + (", ..." if len(classes) > 5 else "")
            raise InputError(
                f"metric {name!r} cannot score {target_name}, whose {len(classes)} classes are "
                f"{listed} ({trial.reason(exc)}); use {_alternatives(name)} instead."
            )
    _add_calibration(scorers, shown)
    return scorers, shown, None


def _add_calibration(scorers: dict, shown: list) -> None:
    """The calibration metrics, shown after the others (they rank only when named first)."""
    for name, metric in CALIBRATION_METRICS.items():
        if name not in scorers:
            scorers[name] = metric
            shown.append(name)


def _scorer_error(scorer, checked: _CheckedData, methods=trial.RESPONSE_METHODS):
    """What ``scorer`` raises on a few made-up rows of the target's kind (the same classes, or
    as many labels) from an estimator offering the response ``methods``; None when it scores
    or is not a scikit-learn scorer (a plain callable gets the real estimator: not tried)."""
    if not trial.is_sklearn_scorer(scorer):
        return None
    if checked.multilabel:
        return multilabel.indicator_trial_error(scorer, len(checked.classes), methods)
    stand_in, y = trial.single_label_stand_in(checked.classes, methods)
    return trial.trial_error(scorer, stand_in, y)


def _alternatives(name: str) -> str:
    """``roc_auc_ovr (or balanced_accuracy, ...)``: the metrics to use instead of ``name``."""
    known = set(get_scorer_names())
    closer = [f"{name}{suffix}" for suffix in ("_ovr", "_macro") if f"{name}{suffix}" in known]
    fallback = ", ".join(metric for metric in DEFAULT_SCORING if metric not in closer[:1])
    return f"{closer[0]} (or {fallback})" if closer else fallback


def _check_responses(scoring, estimators: dict, checked: _CheckedData) -> None:
    """Raise :class:`InputError` if a metric reads a response (``predict_proba``, ...) that a
    strategy's estimator does not offer, before any fit."""
    scorers = getattr(scoring, "scorers", scoring)  # an indicator target's LabelScoring
    tried = {trial.RESPONSE_METHODS}  # every response offered: the target check covered it
    for strategy, estimator in estimators.items():
        methods = trial.offered_methods(estimator)
        if methods in tried:
            continue
        tried.add(methods)
        for name, scorer in scorers.items():
            if name.startswith("_recall_"):  # our own recall scorers read predict
                continue
            exc = _scorer_error(scorer, checked, methods)
            if exc is not None:
                # AttributeError: scikit-learn's "has none of the following attributes", which
                # the start of the message already says in words.
                why = "" if isinstance(exc, AttributeError) else f" ({trial.reason(exc)})"
                raise InputError(
                    f"metric {name!r} reads {trial.needed_methods(scorer)}, which strategy "
                    f"{strategy!r} ({type(_final_step(estimator)[1]).__name__}) does not "
                    f"offer{why}; leave the metric out, or use one read from predict such as "
                    f"{', '.join(DEFAULT_SCORING)}."
                )


def compare_strategies(
    X,
    y,
    *,
    strategies: Sequence[str] | Mapping | None = None,
    estimator=None,
    epochs: int | None = None,
    hidden_units: Sequence[int] | None = None,
    batch_size: int | None = None,
    cv=DEFAULT_CV,
    repeats: int | None = None,
    holdout: float | str | None = DEFAULT_HOLDOUT,
    scoring=None,
    positive_label=None,
    n_jobs: int | None = None,
    random_state=DEFAULT_RANDOM_STATE,
    on_error: str = DEFAULT_ON_ERROR,
    refit: bool = False,
    verbose: int = 0,
    keep_probabilities: bool = False,
) -> ComparisonResult:
    """Cross-validate balancing strategies on the same folds, rank them and pick one honestly.

    The defaults are those of ``python -m skbalance compare`` (one home: the ``DEFAULT_*``
    constants of this module). The verdict names the *best group*, the strategies whose
    paired fold scores cannot be told from the best one's (see :mod:`skbalance._verdict`),
    and recommends the simplest of them; a hold-out part of the rows, untouched by the
    comparison, then scores the recommended strategy.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Features, as the estimators accept them. With the default estimator, a DataFrame's
        numeric columns are standardised and its other columns one-hot encoded inside the
        pipeline (as on the command line).
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Labels of any type, or a multi-label indicator matrix (0/1 or boolean; ndarray,
        DataFrame, nested list or sparse, which is densified for the cross-validation; two
        or more columns), whose folds come from
        :class:`~skbalance.model_selection.IterativeStratifiedKFold`.
    strategies : list of str, dict name -> estimator, or None, default=None
        Preset names from :data:`STRATEGIES` (:data:`MULTILABEL_STRATEGIES` for an indicator
        ``y``; None: every preset the estimator supports, and the linear reference
        ``"logistic_balanced"``; a preset it cannot run, or one that does not apply to the
        target, is listed in ``result.skipped`` with the reason), or your own estimators
        (their order is then their simplicity order, simplest first). A named preset that
        cannot run is an error.
    estimator : estimator, default=None
        The base estimator the presets configure with ``set_params``; a ``Pipeline`` whose last
        step is the classifier also works (``"logistic_balanced"`` replaces that step). None:
        the command line's pipeline, the preprocessing (for a DataFrame or a 2-D array) and a
        ``KerasBalancedClassifier``. Each preset sets all balancing parameters.
    epochs, hidden_units, batch_size : int, tuple of int, int, default=None
        The network's settings; None: 30, (64,) and 32 for the default estimator, the given
        ``estimator``'s own otherwise (a value given is set on its classifier).
    cv : int or CV splitter, default=3
        Number of stratified, shuffled folds, or a splitter. Every strategy sees the same folds.
    repeats : int, default=None
        Repeats of the ``cv`` folds with other shuffles (seeded from ``random_state``; for an
        indicator ``y``, iterative stratification with derived seeds). None: 3 for an int
        ``cv``, 1 (the splitter as given) otherwise.
    holdout : "auto", float in (0, 0.5] or None, default="auto"
        Rows held out of the comparison (stratified; iteratively for an indicator ``y``), to
        score the recommended strategy refit on the other rows: ``result.holdout_``. "auto":
        0.2 when every class keeps at least one row in it and enough rows for the folds, else
        none, with ``result.holdout_note`` saying why. None or 0: no hold-out.
    scoring : sequence of str, dict name -> scorer, or None, default=None
        Metrics; the first ranks the leaderboard and decides the best group. None:
        :data:`DEFAULT_SCORING`, ``("balanced_accuracy", "f1_macro", "geometric_mean")``; for
        an indicator ``y``, ``("f1_macro",)``. ``"geometric_mean"`` is
        :func:`skbalance.metrics.geometric_mean_score`; other names are scikit-learn scorers.
        Always added: the recall of ``positive_label`` and, for two classes, its average
        precision; the recall of every class is kept in ``result.per_class_recall``. For an
        indicator ``y``: macro average precision (from ``predict_proba``) and the recall of
        the 3 labels with the fewest positive rows (``recall[<label>]``); a scikit-learn
        metric that cannot score an indicator target (``balanced_accuracy``, ``f1``) is refused
        before any training. Last, for every target, the calibration metrics
        ``"brier_score_data_prior"`` and ``"log_loss_data_prior"`` (lower is better, NaN
        without ``predict_proba``): the probabilities under the class frequencies of each
        training fold, see :func:`skbalance.metrics.data_prior_proba`. They rank the table
        only when named first in ``scoring`` (then ascending).
    positive_label : label, default=None
        The class you care most about; None picks the rarest class. Must be None for an
        indicator ``y``.
    n_jobs : int, default=None
        Folds fitted in parallel (``cross_validate``'s ``n_jobs``).
    random_state : None, int or RandomState, default=0
        Seeds the hold-out, the folds, the presets' samplers and (when the base estimator's own
        ``random_state`` is None) the estimator, the same for every strategy. It alone fixes
        every draw: global NumPy, Python or TensorFlow seeds change nothing.
    on_error : {"skip", "raise"}, default="skip"
        What a failing strategy does: be listed in ``result.failures`` and left out of the
        leaderboard, or stop the comparison.
    refit : bool, default=False
        Fit the recommended strategy on all rows (hold-out included) as
        ``result.best_estimator_``.
    verbose : int, default=0
        0 silent; 1 progress on stderr: a live bar on a terminal, else (a log) one line per
        finished strategy with its time; 2 also keeps the bar when done.
    keep_probabilities : bool, default=False
        Keep every strategy's out-of-fold probabilities under the data prior (each row
        predicted by the fold model that did not train on it: no refit) in
        ``result.oof_proba`` and ``y`` in ``result.oof_target``, for
        ``result.plot``'s reliability diagram. The fold models are kept until their test rows
        are predicted (``cross_validate(return_estimator=True)``), so with ``n_jobs`` they
        travel back from the workers.

    Returns
    -------
    result : :class:`ComparisonResult`
        ``table`` (the leaderboard), ``fold_scores``, ``per_class_recall``, ``best_group_``,
        ``recommended_``, ``recommendation``, ``holdout_``, ``snippet``,
        ``best_estimator_``, ``to_dict()``, ``oof_proba`` with ``keep_probabilities``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.compare import compare_strategies
    >>> X, y = make_classification(300, weights=[0.9], random_state=0)
    >>> result = compare_strategies(  # presets that only set class_weight suit any classifier
    ...     X, y, strategies=["none", "balanced_weights"], estimator=LogisticRegression(),
    ...     random_state=0, refit=True,
    ... )
    >>> sorted(result.table.index)
    ['balanced_weights', 'none']
    >>> result.n_splits, result.n_repeats, result.holdout_["n_rows"]  # 3 folds x 3, 20% held out
    (3, 3, 60)
    >>> result.recommended_ in result.best_group_
    True
    >>> result.best_estimator_.predict(X[:3]).shape  # the recommended strategy, fitted on all rows
    (3,)
    >>> result.positive_label  # the rarest class, unless you say otherwise
    1
    >>> result.table.columns[:2].tolist()
    ['balanced_accuracy_mean', 'balanced_accuracy_std']

    A multi-label target: macro-F1 ranks, then macro average precision, the recall of the
    rarest labels (here 3, 2 and 1, with 12, 25 and 55 positive rows of 300) and the
    calibration metrics (lower is better).

    >>> from sklearn.multioutput import MultiOutputClassifier
    >>> from skbalance.datasets import make_long_tailed_multilabel
    >>> X, Y = make_long_tailed_multilabel(300, 5, 4, imbalance_ratio=10, random_state=0)
    >>> result = compare_strategies(X, Y, cv=3, random_state=0, strategies={
    ...     "plain": MultiOutputClassifier(LogisticRegression()),
    ...     "weighted": MultiOutputClassifier(LogisticRegression(class_weight="balanced")),
    ... })
    >>> result.metrics  # doctest: +NORMALIZE_WHITESPACE
    ['f1_macro', 'average_precision', 'recall[3]', 'recall[2]', 'recall[1]',
     'brier_score_data_prior', 'log_loss_data_prior']
    """
    if on_error not in ("raise", "skip"):
        raise InputError(f"on_error must be 'raise' or 'skip'; got {on_error!r}.")
    checked = check_comparison_data(
        X,
        y,
        cv=cv,
        repeats=repeats,
        holdout=holdout,
        positive_label=positive_label,
        random_state=random_state,
    )
    classes, positive_label, seed = checked.classes, checked.positive_label, checked.seed
    splits, min_train_count = checked.splits, checked.min_train_count
    if checked.multilabel and hasattr(y, "toarray"):
        y = y.toarray()  # cross_validate refuses a sparse y; (n_samples, n_labels) is small
    X_all, y_all = X, y
    if checked.held_out is not None:
        X, y = take_rows(X_all, checked.rest), take_rows(y_all, checked.rest)
    scorers, shown, rare_labels = resolve_scoring(scoring, checked)
    base = _base_estimator(estimator, X, epochs, hidden_units, batch_size)
    plan = _plan(strategies, base, min_train_count, seed, X, multilabel=checked.multilabel)
    _check_responses(scorers, plan.estimators, checked)

    fold_rows, failures, last_error, probabilities = [], {}, None, {}
    n_folds = len(splits) // checked.n_repeats
    progress = _Progress(len(plan.estimators), verbose, n_folds=len(splits))
    try:
        for done, (name, candidate) in enumerate(plan.estimators.items()):
            progress.step(name, done)
            start = time.perf_counter()
            try:
                scores = cross_validate(
                    candidate,
                    X,
                    y,
                    cv=splits,
                    scoring=scorers,
                    n_jobs=n_jobs,
                    error_score="raise",
                    return_estimator=keep_probabilities,
                )
                if keep_probabilities:
                    probabilities[name] = _out_of_fold_proba(scores.pop("estimator"), X, splits)
            except Exception as exc:
                if on_error == "raise":
                    raise RuntimeError(f"strategy {name!r} failed: {exc}") from exc
                failures[name] = f"{type(exc).__name__}: {exc}"
                last_error = exc
                progress.finished(name, time.perf_counter() - start, len(splits), failed=True)
                continue
            wall = time.perf_counter() - start
            progress.finished(name, wall, len(splits))
            for fold in range(len(splits)):
                row = {"strategy": name, "fold": fold, "repeat": fold // n_folds}
                row.update(
                    {
                        key[5:]: values[fold]
                        for key, values in scores.items()
                        if key.startswith("test_")
                    }
                )
                row["fit_time"] = scores["fit_time"][fold]
                row["score_time"] = scores["score_time"][fold]
                row["wall_time"] = wall / len(splits)
                fold_rows.append(row)
    finally:
        progress.close()
    if not fold_rows:
        raise RuntimeError(  # chained: the traceback shows where the last one failed
            "every strategy failed: " + "; ".join(f"{n}: {m}" for n, m in failures.items())
        ) from last_error
    result = ComparisonResult.from_folds(
        pd.DataFrame(fold_rows),
        metrics=shown,
        classes=classes,
        positive_label=positive_label,
        descriptions=plan.descriptions,
        skipped=plan.skipped,
        failures=failures,
        n_splits=n_folds,
        estimators=plan.estimators,
        rare_labels=rare_labels,
        n_repeats=checked.n_repeats,
        test_train_ratio=checked.test_train_ratio,
        simplicity=_simplicity(plan.estimators, strategies),
    )
    if keep_probabilities:
        result.oof_proba = {k: v for k, v in probabilities.items() if v is not None}
        result.oof_target = np.asarray(y)
    result.holdout_note = checked.holdout_note
    chosen = result.recommended_ or result.best_
    if checked.held_out is not None:
        model = clone(plan.estimators[chosen]).fit(X, y)
        X_held, y_held = take_rows(X_all, checked.held_out), take_rows(y_all, checked.held_out)
        result.holdout_ = {
            "strategy": chosen,
            "fraction": len(checked.held_out) / (len(checked.held_out) + len(checked.rest)),
            "n_rows": len(checked.held_out),
            "rows": checked.held_out,  # positions in X, y
            # Rows of the class of interest (positive rows of the rarest label) held out: a
            # few of them make its recall, and so the hold-out score, move in large steps.
            "n_focus_rows": _focus_rows(y_all, checked),
            "scores": _score(scorers, shown, model, X_held, y_held),
        }
    if refit:
        result.best_estimator_ = clone(plan.estimators[chosen]).fit(X_all, y_all)
    return result


def _out_of_fold_proba(fold_models: list, X, splits) -> np.ndarray | None:
    """Each row's data-prior probabilities from the fold model that did not train on it
    (NaN for a row in no test fold of a custom splitter; with repeated CV, the last repeat's
    model, so that every row counts once); None for an estimator without ``predict_proba``."""
    from sklearn.utils import _safe_indexing
    from sklearn.utils.validation import _num_samples

    if not hasattr(fold_models[0], "predict_proba"):
        return None
    proba = None
    for model, (_, test) in zip(fold_models, splits, strict=True):
        fold = data_prior_proba(model, _safe_indexing(X, test))
        if proba is None:
            proba = np.full((_num_samples(X), fold.shape[1]), np.nan)
        proba[test] = fold
    return proba


def _focus_rows(y, checked: _CheckedData) -> int:
    held = take_rows(y, checked.held_out)
    if checked.multilabel:
        rarest = int(np.argmin(checked.label_counts))  # rare_labels[0]: the first fewest
        return int(np.asarray(held, dtype=np.int64)[:, rarest].sum())
    return int(np.sum(np.asarray(held, dtype=object) == checked.positive_label))


def _simplicity(estimators: dict, strategies) -> list:
    """The strategies, simplest first: the presets' :data:`SIMPLICITY` order, or the order in
    which the user gave their own estimators."""
    if isinstance(strategies, Mapping):
        return list(estimators)
    rank = {name: i for i, name in enumerate(SIMPLICITY)}
    return sorted(estimators, key=lambda name: rank.get(name, len(rank)))


def _score(scorers, shown: list, model, X, y) -> dict:
    """``shown`` metrics of a fitted ``model`` on ``(X, y)``, as cross_validate computes them."""
    if callable(scorers) and not isinstance(scorers, Mapping):  # an indicator target's scoring
        scores = scorers(model, X, y)
    else:
        scores = {name: scorers[name](model, X, y) for name in shown}
    return {name: float(scores[name]) for name in shown}


def available_metrics() -> list[str]:
    """Names accepted in ``scoring``: ``"geometric_mean"`` plus scikit-learn's scorers."""
    return sorted({*_OWN_SCORERS, *get_scorer_names()})
