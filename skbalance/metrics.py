"""Imbalance metrics that scikit-learn does not have, and scorers for them.

scikit-learn already provides balanced accuracy, macro-F1, per-class recall
(``recall_score(average=None)``) and average precision; this module adds the geometric mean of
the per-class recalls (G-mean, Kubat & Matwin 1997) with imbalanced-learn's exact semantics, and
scorers that make G-mean and the recall of one chosen class usable in ``cross_validate``,
``GridSearchCV`` and :func:`skbalance.compare.compare_strategies`.

Those metrics say whether the rare class is *ranked* higher; the Brier score and the log-loss
say whether the probabilities are *right*. A balanced model's probabilities assume the prior
balancing put in, so :func:`data_prior_proba` first moves them to the class frequencies of the
training ``y`` (exactly, for a :class:`~skbalance.keras.KerasBalancedClassifier`), and
:func:`brier_score_data_prior` / :func:`log_loss_data_prior` score them (lower is better).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.metrics import log_loss, make_scorer, multilabel_confusion_matrix, recall_score
from sklearn.utils.multiclass import type_of_target, unique_labels

from skbalance._labels import as_label_array, encode_labels

__all__ = [
    "geometric_mean_score",
    "class_recall_score",
    "geometric_mean_scorer",
    "make_class_recall_scorer",
    "brier_score",
    "data_prior_proba",
    "DataPriorRecorder",
    "brier_score_data_prior",
    "log_loss_data_prior",
    "neg_brier_score_data_prior",
    "neg_log_loss_data_prior",
    "CALIBRATION_METRICS",
    "LOWER_IS_BETTER",
]

_AVERAGES = ("multiclass", "binary", "macro", "weighted", "micro", None)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # A class that never occurs has no defined recall; like scikit-learn's zero_division=0 and
    # imbalanced-learn, it counts as 0 (which makes the multiclass G-mean 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.true_divide(numerator, denominator)
    return np.where(denominator == 0, 0.0, ratio)


def geometric_mean_score(
    y_true,
    y_pred,
    *,
    labels=None,
    pos_label=None,
    average: str | None = "multiclass",
    sample_weight=None,
    correction: float = 0.0,
):
    """Geometric mean of the per-class recalls (G-mean).

    A classifier that ignores a class scores 0, however well it does on the others, which is
    why G-mean is a common headline metric for imbalanced problems. The results equal
    ``imblearn.metrics.geometric_mean_score`` for every ``average``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (any label type).
    labels : array-like, default=None
        Classes to include. None uses every label in ``y_true`` or ``y_pred``.
    pos_label : label, default=None
        The positive class when ``average="binary"``; None means 1 (for 0/1 labels). (None
        rather than imbalanced-learn's 1, so that ``make_scorer`` works with string labels.)
    average : {"multiclass", "binary", "macro", "weighted", "micro"} or None, default="multiclass"
        ``"multiclass"``: the geometric mean of the recalls of all classes (for two classes this
        is ``sqrt(sensitivity * specificity)``).
        ``"binary"``: ``sqrt(sensitivity * specificity)`` of ``pos_label`` (two classes only).
        ``"macro"``, ``"weighted"``, ``"micro"``: one-vs-rest sensitivity and specificity are
        averaged over classes first (unweighted, weighted by support, or pooled), and the
        square root of their product is returned. None: the one-vs-rest G-mean of each class.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.
    correction : float, default=0.0
        With ``average="multiclass"``, a recall of 0 is replaced by this value, so that one
        missed class does not zero the score (e.g. 0.001).

    Returns
    -------
    score : float, or ndarray of shape (n_classes,) when ``average`` is None.

    Examples
    --------
    >>> from skbalance.metrics import geometric_mean_score
    >>> y_true = ["cat", "cat", "cat", "dog", "dog", "fox"]
    >>> y_pred = ["cat", "cat", "dog", "dog", "dog", "fox"]
    >>> round(geometric_mean_score(y_true, y_pred), 4)  # (2/3 * 1 * 1) ** (1/3)
    0.8736
    >>> round(geometric_mean_score([0, 0, 1, 1], [0, 0, 0, 1]), 4)  # sqrt(1 * 0.5)
    0.7071
    """
    if average not in _AVERAGES:
        raise ValueError(f"average must be one of {_AVERAGES}; got {average!r}.")
    y_true = as_label_array(y_true, name="y_true")
    y_pred = as_label_array(y_pred, name="y_pred")
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"y_true and y_pred must have the same length; got {y_true.shape[0]} and "
            f"{y_pred.shape[0]}."
        )
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=float)
        if sample_weight.shape != y_true.shape:
            raise ValueError(
                f"sample_weight must have one weight per row, shape {y_true.shape}; got "
                f"{sample_weight.shape}."
            )
    present = unique_labels(y_true, y_pred)

    if average == "multiclass":
        labels = present if labels is None else np.asarray(labels)
        recall = recall_score(
            y_true,
            y_pred,
            labels=labels,
            average=None,
            sample_weight=sample_weight,
            zero_division=0.0,
        )
        recall = np.where(recall == 0, correction, recall)
        if np.any(recall == 0):
            return 0.0
        return float(np.exp(np.mean(np.log(recall))))

    if average == "binary":
        if type_of_target(np.concatenate([y_true, y_pred])) != "binary" and labels is None:
            raise ValueError(
                f"average='binary' needs two classes; got {present.tolist()}. Use "
                "average='multiclass' (or 'macro') for more classes."
            )
        if pos_label is None:
            pos_label = 1
        if pos_label not in present.tolist():
            raise ValueError(f"pos_label={pos_label!r} is not a label; the labels are {present}.")
        labels = [pos_label]
    elif labels is None:
        labels = present
    confusion = multilabel_confusion_matrix(
        y_true, y_pred, labels=labels, sample_weight=sample_weight
    )
    tn, fp, fn, tp = (confusion[:, i // 2, i % 2] for i in range(4))
    if average == "micro":
        tn, fp, fn, tp = tn.sum(), fp.sum(), fn.sum(), tp.sum()
    sensitivity = _divide(tp, tp + fn)
    specificity = _divide(tn, tn + fp)
    if average == "macro":
        sensitivity, specificity = sensitivity.mean(), specificity.mean()
    elif average == "weighted":
        support = tp + fn
        if support.sum() == 0:
            return 0.0
        sensitivity = np.average(sensitivity, weights=support)
        specificity = np.average(specificity, weights=support)
    score = np.sqrt(sensitivity * specificity)
    if average is None:
        return score
    return float(np.squeeze(score))


def class_recall_score(y_true, y_pred, *, label, sample_weight=None) -> float:
    """Recall of one class: the fraction of its rows predicted as it.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    label : label
        The class whose recall is returned (0.0 if it does not occur in ``y_true``).
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights.

    Examples
    --------
    >>> from skbalance.metrics import class_recall_score
    >>> class_recall_score(["buy", "buy", "wait", "wait"], ["buy", "wait", "wait", "wait"],
    ...                    label="buy")
    0.5
    """
    return float(
        recall_score(
            y_true,
            y_pred,
            labels=[label],
            average="macro",
            sample_weight=sample_weight,
            zero_division=0.0,
        )
    )


#: Scorer for ``cross_validate`` / ``GridSearchCV``: G-mean of the predictions, greater is better.
geometric_mean_scorer = make_scorer(geometric_mean_score)


def make_class_recall_scorer(label):
    """Scorer giving the recall of ``label``, for ``cross_validate`` or ``GridSearchCV``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skbalance.metrics import make_class_recall_scorer
    >>> X, y = [[0.0], [0.1], [0.2], [1.0], [1.1], [1.2]], [0, 0, 0, 1, 1, 1]
    >>> cross_val_score(LogisticRegression(), X, y, cv=3,
    ...                 scoring=make_class_recall_scorer(1)).tolist()
    [1.0, 1.0, 1.0]
    """
    return make_scorer(class_recall_score, label=label)


# ------------------------------------------------------------------ calibration


def brier_score(y_true, y_proba, *, labels=None) -> float:
    """Brier score: the mean squared distance between predicted probabilities and outcomes.

    - One label per row: ``mean over rows of sum over classes (p_c - [y == c])**2`` (Brier
      1950), from 0 (certain and right) to 2, for any number of classes. For two classes this
      is *twice* scikit-learn's default ``brier_score_loss``, which scores the positive
      column only; it equals ``brier_score_loss(y_true, y_proba, labels=labels,
      scale_by_half=False)`` (scikit-learn >= 1.7).
    - An indicator ``y_true`` (n_samples, n_labels): the mean over the labels of each label's
      ``mean((p_j - y_j)**2)`` (scikit-learn's binary Brier score of that label), 0 to 1.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_labels)
        Labels, or a 0/1 indicator matrix.
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples, n_labels)
        Probabilities, columns in ``labels`` order (``predict_proba``'s).
    labels : array-like of shape (n_classes,), default=None
        The classes of the columns (an estimator's ``classes_``); None: the sorted labels of
        ``y_true``, which must then hold every class. Not used for an indicator ``y_true``.

    Returns
    -------
    score : float
        Lower is better.

    Examples
    --------
    >>> from skbalance.metrics import brier_score
    >>> round(brier_score(["a", "b"], [[0.9, 0.1], [0.4, 0.6]]), 6)  # (.01 + .01 + .16 + .16) / 2
    0.17
    >>> round(brier_score([[1, 0], [0, 0]], [[0.8, 0.1], [0.2, 0.3]]), 6)  # (.04+.01+.04+.09) / 4
    0.045
    """
    proba = np.asarray(y_proba, dtype=np.float64)
    if np.ndim(y_true) == 2:
        truth = np.asarray(y_true, dtype=np.float64)
        if truth.shape != proba.shape:
            raise ValueError(
                f"y_true has shape {truth.shape} but y_proba {proba.shape}; an indicator y_true "
                "needs one probability per label."
            )
        return float(np.mean((proba - truth) ** 2))
    one_hot = _one_hot(y_true, labels, proba)
    return float(np.mean(np.sum((proba - one_hot) ** 2, axis=1)))


def _one_hot(y_true, labels, proba: np.ndarray) -> np.ndarray:
    y_true = as_label_array(y_true, name="y_true")
    if labels is None:
        labels, _ = encode_labels(y_true, name="y_true")
    labels = np.asarray(labels)
    if proba.ndim != 2 or proba.shape != (len(y_true), len(labels)):
        raise ValueError(
            f"y_proba has shape {proba.shape}; {len(y_true)} rows of y_true and {len(labels)} "
            f"classes {labels.tolist()} need ({len(y_true)}, {len(labels)})."
        )
    one_hot = y_true[:, None] == labels[None, :]
    unknown = ~one_hot.any(axis=1)
    if unknown.any():
        raise ValueError(
            f"y_true holds {y_true[unknown][0].item()!r}, which is not one of the classes "
            f"{labels.tolist()}."
        )
    return one_hot.astype(np.float64)


def _mean_log_loss(y_true, proba: np.ndarray, *, labels) -> float:
    """scikit-learn's log-loss; for an indicator ``y_true``, the mean of each label's."""
    if np.ndim(y_true) == 2:
        truth = np.asarray(y_true)
        per_label = [log_loss(truth[:, j], proba[:, j], labels=[0, 1]) for j in range(len(proba.T))]
        return float(np.mean(per_label))
    return float(log_loss(y_true, proba, labels=labels))


def _steps(estimator):
    """Every step of a (nested) pipeline, in order, the final estimator last."""
    if hasattr(estimator, "steps"):
        for _, step in estimator.steps:
            yield from _steps(step)
    else:
        yield estimator


class DataPriorRecorder(TransformerMixin, BaseEstimator):
    """A pipeline step that passes ``X`` through and records the class frequencies of ``y``.

    Put first in a pipeline whose resampler runs before the classifier (the classifier then
    only sees the resampled ``y``): :func:`data_prior_proba` takes the data prior from here.

    Attributes
    ----------
    data_prior_ : ndarray of shape (n_classes,)
        The class frequencies of ``y`` in sorted-class order (for an indicator ``y``, each
        label's positive rate).

    Examples
    --------
    >>> from skbalance.metrics import DataPriorRecorder
    >>> DataPriorRecorder().fit([[0], [1], [2], [3]], ["b", "a", "b", "b"]).data_prior_
    array([0.25, 0.75])
    """

    def fit(self, X, y):
        if np.ndim(y) == 2:
            self.data_prior_ = np.asarray(y, dtype=np.float64).mean(axis=0)
        else:
            _, codes = encode_labels(y, name="y")
            self.data_prior_ = np.bincount(codes) / len(codes)
        return self

    def transform(self, X):
        return X


def data_prior_proba(estimator, X) -> np.ndarray:
    """``estimator.predict_proba(X)`` under the class frequencies of the ``y`` it was fitted on.

    A :class:`~skbalance.keras.KerasBalancedClassifier` (alone or the last step of a
    pipeline) moves its outputs from the prior they assume (``output_prior_``) to its
    ``data_prior_``: the exact prior shift, so the probabilities of a fit with
    ``output_prior="data"`` come back unchanged. If the pipeline starts with a
    :class:`DataPriorRecorder` (a resampler before the classifier hides the data's ``y``
    from it), that step's ``data_prior_`` is the target. Any other estimator's ``predict_proba``
    is returned as it is: its prior is not known (a ``class_weight="balanced"``
    ``LogisticRegression`` keeps its balanced probabilities).

    Returns
    -------
    proba : ndarray of shape (n_samples, n_classes) or (n_samples, n_labels)
        Columns in ``classes_`` order; for a multi-output classifier whose ``predict_proba``
        is a list of (n_samples, 2) arrays, each label's positive column.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.metrics import data_prior_proba
    >>> X, y = [[0.0], [0.2], [0.8], [1.0]], [0, 0, 1, 1]
    >>> clf = LogisticRegression().fit(X, y)
    >>> bool((data_prior_proba(clf, X) == clf.predict_proba(X)).all())  # no known prior
    True
    """
    proba = estimator.predict_proba(X)
    if isinstance(proba, list):  # MultiOutputClassifier and the like: one (n, 2) per label
        return np.column_stack([np.asarray(p, dtype=np.float64)[:, -1] for p in proba])
    proba = np.asarray(proba, dtype=np.float64)
    steps = list(_steps(estimator))
    final = steps[-1]
    if not (hasattr(final, "output_prior_") and hasattr(final, "data_prior_")):
        return proba
    from skbalance.keras._prior import shift_probabilities  # only for a fitted Keras model

    target = next(step.data_prior_ for step in steps if hasattr(step, "data_prior_"))
    multilabel = getattr(final, "_multilabel", False)
    return shift_probabilities(proba, final.output_prior_, target, multilabel=multilabel)


def _data_prior_loss(metric, estimator, X, y_true) -> float:
    if not hasattr(estimator, "predict_proba"):
        return float("nan")  # e.g. LinearSVC: no probabilities to score
    proba = data_prior_proba(estimator, X)
    labels = None if np.ndim(y_true) == 2 else estimator.classes_
    return metric(y_true, proba, labels=labels)


def brier_score_data_prior(estimator, X, y_true) -> float:
    """:func:`brier_score` of :func:`data_prior_proba`: lower is better.

    A callable for ``cross_validate``'s ``scoring`` and for
    :func:`~skbalance.compare.compare_strategies` (``"brier_score_data_prior"``); NaN for an
    estimator without ``predict_proba``. It returns the loss itself, so a search that
    maximises its scorer needs :func:`neg_brier_score_data_prior` instead.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.metrics import brier_score_data_prior
    >>> X, y = [[0.0], [0.2], [0.8], [1.0]], [0, 0, 1, 1]
    >>> clf = LogisticRegression(C=1e6).fit(X, y)
    >>> brier_score_data_prior(clf, X, y) < 0.01
    True
    """
    return _data_prior_loss(brier_score, estimator, X, y_true)


def log_loss_data_prior(estimator, X, y_true) -> float:
    """scikit-learn's ``log_loss`` of :func:`data_prior_proba`: lower is better.

    For an indicator ``y_true``, the mean over the labels of each label's binary log-loss.
    NaN for an estimator without ``predict_proba``; :func:`neg_log_loss_data_prior` is the
    scorer to maximise.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from skbalance.metrics import log_loss_data_prior
    >>> X, y = [[0], [0], [0], [0]], [0, 0, 0, 1]
    >>> clf = DummyClassifier(strategy="prior").fit(X, y)
    >>> round(log_loss_data_prior(clf, X, y), 4)  # -(3 log 0.75 + log 0.25) / 4
    0.5623
    """
    return _data_prior_loss(_mean_log_loss, estimator, X, y_true)


def neg_brier_score_data_prior(estimator, X, y_true) -> float:
    """``-brier_score_data_prior``: greater is better, scikit-learn's scorer convention (as
    its ``"neg_brier_score"``), for ``GridSearchCV`` and the like."""
    return -brier_score_data_prior(estimator, X, y_true)


def neg_log_loss_data_prior(estimator, X, y_true) -> float:
    """``-log_loss_data_prior``: greater is better (as scikit-learn's ``"neg_log_loss"``)."""
    return -log_loss_data_prior(estimator, X, y_true)


#: The calibration metrics of :func:`~skbalance.compare.compare_strategies` (name -> callable),
#: always in its report; never the ranking metric unless named first in ``scoring``.
CALIBRATION_METRICS = {
    "brier_score_data_prior": brier_score_data_prior,
    "log_loss_data_prior": log_loss_data_prior,
}
#: Metric names whose smaller values are better: a leaderboard ranked by one sorts ascending.
LOWER_IS_BETTER = frozenset(CALIBRATION_METRICS)
