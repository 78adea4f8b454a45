"""What :func:`skbalance.compare.compare_strategies` does differently for a multi-label target.

A multi-label target is an indicator matrix ``Y`` of shape (n_samples, n_labels), 0/1 (or
boolean), at least two label columns. Compared with one label per row:

- the folds come from :class:`~skbalance.model_selection.IterativeStratifiedKFold` (a
  stratified split of classes cannot stratify a matrix), and every label needs at least as
  many positive (and negative) rows as there are folds;
- the default metrics are macro-F1 (the ranking metric), macro average precision and the
  recall of the rarest labels; a scikit-learn metric that cannot score an indicator target
  (``balanced_accuracy``, ``f1`` with its binary average, ...) is refused before any training;
- scikit-learn's scorers see the estimator through :class:`_IndicatorResponses`, which also
  computes each prediction once per fold for all the metrics.

Nothing here imports Keras: the command line runs these checks before TensorFlow is imported.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.metrics import average_precision_score, make_scorer, recall_score
from sklearn.utils import check_random_state

from skbalance import _scorer_trial as trial
from skbalance._errors import PYTHON_CV, InputError, fewer_folds
from skbalance._scorer_trial import RESPONSE_METHODS

__all__ = [
    "DEFAULT_SCORING",
    "check_label_folds",
    "check_label_target",
    "is_indicator_target",
    "rarest_labels",
    "resolve_label_scoring",
]

DEFAULT_SCORING = ("f1_macro",)
N_RARE_LABELS = 3  # labels whose recall the leaderboard shows
_ATTEMPTS = 20  # draws of iterative stratification's tie-breaks before giving up
# Metrics that average over the labels, offered when a metric cannot score an indicator target.
ALTERNATIVES = "f1_macro, f1_samples, average_precision, jaccard_samples, recall_macro"


def is_indicator_target(y) -> bool:
    """Whether ``y`` is meant as a label matrix: 2-D with at least two columns.

    The values are checked by :func:`check_label_target` (a 2-D ``y`` of other values gets a
    message naming the cell). A single column stays a one-label-per-row target.
    """
    shape = getattr(y, "shape", None)
    if shape is None:
        try:
            shape = np.shape(y)
        except ValueError:  # ragged nested lists: the single-label path reports them
            return False
    return len(shape) == 2 and shape[1] > 1


def check_label_target(Y, name: str) -> tuple[list, np.ndarray]:
    """``(label names, bool matrix)`` of an indicator target, or an :class:`InputError`.

    Names are a DataFrame's columns, else the column positions.
    """
    from skbalance.sampling._multilabel import check_indicator  # the one validator of Y

    try:
        target = check_indicator(Y, name=name, allow_empty_labels=True)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return list(target.names), target.matrix


def _feasible_folds(cv: int, matrix: np.ndarray, names: list, name: str, spelling: str) -> None:
    positives = matrix.sum(axis=0)
    negatives = len(matrix) - positives
    for column, label in enumerate(names):
        count, others = int(positives[column]), int(negatives[column])
        if count == 0:
            raise InputError(
                f"label {label!r} of {name} has no positive row: nothing to learn or score for "
                "it. Drop that column."
            )
        if others == 0:
            raise InputError(
                f"label {label!r} of {name} is set in every row: nothing to learn or score for "
                "it. Drop that column."
            )
        if count < 2:
            raise InputError(
                f"label {label!r} of {name} has only 1 positive row; cross-validation needs at "
                "least 2 rows with every label. Add rows with it, or drop that column."
            )
        if count < cv:
            raise InputError(
                f"label {label!r} of {name} has only {count} positive rows, fewer than the {cv} "
                f"cross-validation folds (every fold needs one); {fewer_folds(count, spelling)}, "
                "add rows with that label, or drop that column."
            )
        if others < cv:
            raise InputError(
                f"label {label!r} of {name} is missing from only {others} row"
                f"{'s' if others > 1 else ''}, fewer than the {cv} cross-validation folds (every "
                f"fold needs a row without it); "
                + (f"{fewer_folds(others, spelling)}, or " if others >= 2 else "")
                + "drop that column."
            )


def _fold_problem(splits, matrix: np.ndarray, names: list):
    """``(fold, what, label)`` for the first fold whose training rows lack a label's positive
    or negative rows, or whose test rows lack its positive rows; None when there is none."""
    for fold, (train, test) in enumerate(splits):
        train_positives = matrix[train].sum(axis=0)
        checks = (
            (train_positives, "training rows have no row with"),
            (len(train) - train_positives, "training rows have no row without"),
            (matrix[test].sum(axis=0), "test rows have no row with"),
        )
        for counts, what in checks:
            if counts.min() == 0:
                return fold, what, names[int(np.argmin(counts))]
    return None


def check_label_folds(
    cv, seed: int, matrix: np.ndarray, names: list, name: str, spelling: str = PYTHON_CV
):
    """``(splits, min_train_count)`` for an indicator target; ``min_train_count`` is the fewest
    positive rows of any label in any training fold.

    An int ``cv`` gives ``IterativeStratifiedKFold(cv, shuffle=True, random_state=seed)``,
    after checking that every label has enough positive and negative rows for the folds. The
    folds stratify ``Y``'s columns and, for a label set in more than half the rows, its
    complement too: iterative stratification spreads a label's positive rows, and for such a
    label the negative rows are the rare ones (a label set in all rows but two could leave
    both in one fold, and a training part without a negative row). Iterative stratification
    is greedy: when its folds still leave a label out of a fold, its tie-breaks are drawn
    again (up to 20 times, seeded by ``seed``).

    Whatever the splitter, a fold whose training rows lack a label's positives or negatives
    (the classifier refuses it) or whose test rows lack its positives (its recall and average
    precision would be undefined) is an :class:`InputError` naming the label. ``spelling``
    writes the folds option in the advice (``cv={}``, or ``--cv {}`` for the command line).
    """
    from skbalance.model_selection import IterativeStratifiedKFold

    own_folds = isinstance(cv, numbers.Integral) and not isinstance(cv, bool)
    if own_folds:
        if cv < 2:
            raise InputError(f"cv must be at least 2 folds; got {cv}.")
        _feasible_folds(int(cv), matrix, names, name, spelling)
        frequent = matrix.sum(axis=0) * 2 > len(matrix)
        strata = np.hstack([matrix, ~matrix[:, frequent]]).astype(np.int64)
        # Iterative stratification is greedy: rows shared by labels can still leave a label
        # with as many positive rows as folds out of one fold. Another draw of its tie-breaks
        # usually succeeds; the seeds of the retries come from random_state alone.
        draws = check_random_state(seed)
        for _ in range(_ATTEMPTS):
            splitter = IterativeStratifiedKFold(int(cv), shuffle=True, random_state=seed)
            splits = list(splitter.split(np.zeros((len(matrix), 1)), strata))
            problem = _fold_problem(splits, matrix, names)
            if problem is None:
                break
            seed = int(draws.randint(np.iinfo(np.int32).max))
        where = f"in any of {_ATTEMPTS} draws of iterative stratification, fold"
        advice = "lower the number of folds, or add rows with and without that label"
    elif isinstance(cv, str) or not hasattr(cv, "split"):
        raise TypeError(f"cv must be a number of folds or a CV splitter; got {cv!r}.")
    else:
        splits = list(cv.split(np.zeros((len(matrix), 1)), matrix.astype(np.int64)))
        problem = _fold_problem(splits, matrix, names)
        where = "fold"
        advice = "use an int cv for iterative stratification"
    if problem is not None:
        fold, what, label = problem
        raise InputError(
            f"{where} {fold} of the cross-validation splitter: its {what} label {label!r} of "
            f"{name}; every fold needs rows with and without every label ({advice})."
        )
    min_train_count = min(int(matrix[train].sum(axis=0).min()) for train, _ in splits)
    return splits, min_train_count


def rarest_labels(names: list, counts: np.ndarray, n: int = N_RARE_LABELS) -> list:
    """The ``n`` labels with the fewest positive rows, rarest first (ties: column order)."""
    order = np.argsort(counts, kind="stable")[:n]
    return [names[i] for i in order]


def _label_recall(y_true, y_pred, *, column: int) -> float:
    true = np.asarray(y_true)[:, column].astype(np.int64)
    predicted = np.asarray(y_pred)[:, column].astype(np.int64)
    return recall_score(true, predicted, zero_division=0.0)


def _label_recall_scorer(column: int):
    return make_scorer(_label_recall, response_method="predict", column=column)


class _IndicatorResponses:
    """The estimator as scikit-learn's scorers should see it for an indicator target.

    scikit-learn derives the target type from ``classes_``: a multi-label classifier's
    ``arange(n_labels)`` reads as "binary" for two labels, and the scorer then keeps one
    column of ``predict_proba``. Here ``classes_`` is one ``[0, 1]`` per label (the
    multi-output form), which reads as "multilabel-indicator" for any number of labels. Each
    response is computed once (one X per scoring call) and shared by all the metrics.
    """

    def __init__(self, estimator, n_labels: int):
        self._estimator = estimator
        self._cache: dict = {}
        self.classes_ = [np.array([0, 1])] * n_labels

    def __sklearn_tags__(self):
        return trial.classifier_tags()

    def __getattr__(self, name: str):
        if name not in RESPONSE_METHODS:
            raise AttributeError(name)
        method = getattr(self._estimator, name)  # AttributeError when it lacks this method

        def respond(X):
            if name not in self._cache:
                self._cache[name] = method(X)
            return self._cache[name]

        respond.__name__ = name  # scikit-learn post-processes by the method's name
        return respond


def indicator_trial_error(scorer, n_labels: int, methods=RESPONSE_METHODS):
    """What ``scorer`` raises on an indicator target of ``n_labels`` labels and an estimator
    offering the response ``methods`` (four made-up rows, see :mod:`skbalance._scorer_trial`);
    None when it scores."""
    stand_in, Y = trial.indicator_stand_in(n_labels, methods)
    return trial.trial_error(scorer, _IndicatorResponses(stand_in, n_labels), Y)


class LabelScoring:
    """``cross_validate``'s scoring for an indicator target: one call per fold returns every
    metric (name -> score), the scikit-learn scorers reading the estimator's responses
    through one :class:`_IndicatorResponses`."""

    def __init__(self, scorers: dict, n_labels: int):
        self.scorers = scorers
        self.n_labels = n_labels

    def __call__(self, estimator, X, y) -> dict:
        responses = _IndicatorResponses(estimator, self.n_labels)
        return {
            name: scorer(responses if trial.is_sklearn_scorer(scorer) else estimator, X, y)
            for name, scorer in self.scorers.items()
        }


def resolve_label_scoring(scorers: dict, names: list, counts: np.ndarray):
    """``(LabelScoring, metric names shown, rarest labels)`` for an indicator target.

    ``scorers``: name -> scorer, the user's metrics (each scikit-learn scorer is tried on an
    indicator target first). Macro average precision (scikit-learn's
    ``"average_precision"``, from ``predict_proba``) and the recall of the rarest labels
    (``counts``: positive rows per label) are added; every label's recall is kept as
    ``_recall_<i>``.
    """
    scorers = dict(scorers)
    # Macro over the labels (average_precision_score's default), from the probabilities.
    scorers.setdefault(
        "average_precision",
        make_scorer(
            average_precision_score,
            response_method=("predict_proba", "decision_function"),
            average="macro",
        ),
    )
    for name, scorer in scorers.items():
        exc = indicator_trial_error(scorer, len(names)) if trial.is_sklearn_scorer(scorer) else None
        if exc is not None:
            raise InputError(
                f"metric {name!r} cannot score a multi-label (indicator) target "
                f"({trial.reason(exc)}); use metrics that average over the labels, such as "
                f"{ALTERNATIVES}."
            )
    rare = rarest_labels(names, counts)
    positions = {label: i for i, label in enumerate(names)}
    for label in rare:
        scorers[f"recall[{label}]"] = _label_recall_scorer(positions[label])
    shown = list(scorers)
    for column in range(len(names)):
        scorers[f"_recall_{column}"] = _label_recall_scorer(column)
    return LabelScoring(scorers, len(names)), shown, rare
