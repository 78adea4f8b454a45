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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score, get_scorer, get_scorer_names, make_scorer
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.utils import check_random_state

from skbalance import _compare_multilabel as multilabel
from skbalance import _scorer_trial as trial
from skbalance._console import Progress as _Progress
from skbalance._errors import PYTHON_CV, InputError, fewer_folds
from skbalance._labels import encode_labels
from skbalance._presets import (
    ALL_STRATEGIES,
    MULTILABEL_STRATEGIES,
    RAW_SAMPLER,
    STRATEGIES,
    resolve_strategy,
)
from skbalance._report import ComparisonResult
from skbalance.metrics import (
    CALIBRATION_METRICS,
    DataPriorRecorder,
    data_prior_proba,
    geometric_mean_scorer,
    make_class_recall_scorer,
)

__all__ = ["compare_strategies", "ComparisonResult", "MULTILABEL_STRATEGIES", "STRATEGIES"]

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


def _default_estimator():
    from skbalance.keras.classifier import KerasBalancedClassifier

    return KerasBalancedClassifier()


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


def _check_folds(cv, random_state, codes, classes, name="y", spelling=PYTHON_CV):
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
        cv = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    elif isinstance(cv, str) or not hasattr(cv, "split"):
        raise TypeError(f"cv must be a number of folds or a CV splitter; got {cv!r}.")
    # Materialised once: every strategy is scored on exactly the same folds.
    splits = list(cv.split(np.zeros((len(codes), 1)), codes))
    min_train_count = min(
        int(np.bincount(codes[train], minlength=len(classes)).min()) for train, _ in splits
    )
    return splits, min_train_count


def _plan(strategies, estimator, min_train_count, seed, X=None, multilabel=False) -> _Plan:
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
    base = _default_estimator() if estimator is None else estimator
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


@dataclass
class _CheckedData:
    classes: np.ndarray  # the classes; for an indicator target, the labels' names
    positive_label: object  # None for an indicator target
    seed: int
    splits: list
    min_train_count: int  # rows of the rarest class (positive rows of the rarest label)
    # in the smallest training fold
    multilabel: bool = False
    label_counts: np.ndarray | None = None  # positive rows of every label (indicator target)


def check_comparison_data(
    X,
    y,
    *,
    cv=5,
    positive_label=None,
    random_state=None,
    target_name: str = "y",
    cv_spelling: str = PYTHON_CV,
) -> _CheckedData:
    """Validate what :func:`compare_strategies` needs of the data, without fitting anything.

    The command line calls it before it imports TensorFlow, so that bad input fails in a
    second. Raises :class:`~skbalance._errors.InputError` (a ``ValueError``) for a continuous
    or one-class target, a class with fewer rows than folds, an infinite feature value, an
    unknown ``positive_label`` or mismatched lengths; ``target_name`` is what the messages
    call ``y``. A ``y`` with two or more columns is a multi-label indicator target: values
    other than 0/1, a label with fewer positive (or negative) rows than folds and a
    ``positive_label`` are refused. ``cv_spelling`` writes the folds option in the advice
    for too few rows (``"cv={}"``; the command line passes ``"--cv {}"``).
    """
    if multilabel.is_indicator_target(y):
        return _check_label_data(X, y, cv, positive_label, random_state, target_name, cv_spelling)
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
    check_finite_features(X)
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
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    splits, min_train_count = _check_folds(cv, seed, codes, classes, target_name, cv_spelling)
    return _CheckedData(classes, positive_label, seed, splits, min_train_count)


def _check_label_data(
    X, Y, cv, positive_label, random_state, target_name, cv_spelling
) -> _CheckedData:
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
    check_finite_features(X)
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    splits, min_train_count = multilabel.check_label_folds(
        cv, seed, matrix, names, target_name, cv_spelling
    )
    return _CheckedData(
        np.asarray(names, dtype=object),
        None,
        seed,
        splits,
        min_train_count,
        multilabel=True,
        label_counts=matrix.sum(axis=0),
    )


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
    cv=5,
    scoring=None,
    positive_label=None,
    n_jobs: int | None = None,
    random_state=None,
    on_error: str = "raise",
    verbose: int = 0,
    keep_probabilities: bool = False,
) -> ComparisonResult:
    """Cross-validate balancing strategies on the same folds and rank them.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Features, as the estimators accept them (use a ``Pipeline`` as ``estimator`` for
        preprocessing).
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Labels of any type, or a multi-label indicator matrix (0/1 or boolean; ndarray,
        DataFrame, nested list or sparse, which is densified for the cross-validation; two
        or more columns), whose folds come from
        :class:`~skbalance.model_selection.IterativeStratifiedKFold`.
    strategies : list of str, dict name -> estimator, or None, default=None
        Preset names from :data:`STRATEGIES` (:data:`MULTILABEL_STRATEGIES` for an indicator
        ``y``; None: every preset the estimator supports; a preset it cannot run, or one that
        does not apply to the target, is listed in ``result.skipped`` with the reason), or
        your own estimators. A named preset that cannot run is an error.
    estimator : estimator, default=None
        The base estimator the presets configure with ``set_params``; a ``Pipeline`` whose last
        step is the classifier also works. None: ``KerasBalancedClassifier()``. The base keeps
        its network and training settings; each preset sets all balancing parameters.
    cv : int or CV splitter, default=5
        Number of stratified, shuffled folds, or a splitter. Every strategy sees the same folds.
    scoring : sequence of str, dict name -> scorer, or None, default=None
        Metrics; the first ranks the leaderboard. None: :data:`DEFAULT_SCORING`,
        ``("balanced_accuracy", "f1_macro", "geometric_mean")``; for an indicator ``y``,
        ``("f1_macro",)``. ``"geometric_mean"`` is
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
    random_state : None, int or RandomState, default=None
        Seeds the folds, the presets' samplers and (when the base estimator's own
        ``random_state`` is None) the estimator, the same for every strategy.
    on_error : {"raise", "skip"}, default="raise"
        What a failing strategy does: stop the comparison, or be listed in
        ``result.failures`` and left out of the leaderboard.
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
        ``table`` (the leaderboard), ``fold_scores``, ``per_class_recall``, ``best_``,
        ``recommendation``, ``to_dict()``; ``oof_proba`` with ``keep_probabilities``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.compare import compare_strategies
    >>> X, y = make_classification(300, weights=[0.9], random_state=0)
    >>> result = compare_strategies(  # presets that only set class_weight suit any classifier
    ...     X, y, strategies=["none", "balanced_weights"], estimator=LogisticRegression(),
    ...     cv=3, random_state=0,
    ... )
    >>> sorted(result.table.index)
    ['balanced_weights', 'none']
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
        X, y, cv=cv, positive_label=positive_label, random_state=random_state
    )
    classes, positive_label, seed = checked.classes, checked.positive_label, checked.seed
    splits, min_train_count = checked.splits, checked.min_train_count
    if checked.multilabel and hasattr(y, "toarray"):
        y = y.toarray()  # cross_validate refuses a sparse y; (n_samples, n_labels) is small
    scorers, shown, rare_labels = resolve_scoring(scoring, checked)
    plan = _plan(strategies, estimator, min_train_count, seed, X, multilabel=checked.multilabel)
    _check_responses(scorers, plan.estimators, checked)

    fold_rows, failures, last_error, probabilities = [], {}, None, {}
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
                row = {"strategy": name, "fold": fold}
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
        n_splits=len(splits),
        estimators=plan.estimators,
        rare_labels=rare_labels,
    )
    if keep_probabilities:
        result.oof_proba = {k: v for k, v in probabilities.items() if v is not None}
        result.oof_target = np.asarray(y)
    return result


def _out_of_fold_proba(fold_models: list, X, splits) -> np.ndarray | None:
    """Each row's data-prior probabilities from the fold model that did not train on it
    (NaN for a row in no test fold of a custom splitter); None for an estimator without
    ``predict_proba``."""
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


def available_metrics() -> list[str]:
    """Names accepted in ``scoring``: ``"geometric_mean"`` plus scikit-learn's scorers."""
    return sorted({*_OWN_SCORERS, *get_scorer_names()})
