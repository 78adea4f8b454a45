"""Imbalance metrics that scikit-learn does not have, and scorers for them.

scikit-learn already provides balanced accuracy, macro-F1, per-class recall
(``recall_score(average=None)``) and average precision; this module adds the geometric mean of
the per-class recalls (G-mean, Kubat & Matwin 1997) with imbalanced-learn's exact semantics, and
scorers that make G-mean and the recall of one chosen class usable in ``cross_validate``,
``GridSearchCV`` and :func:`skbalance.compare.compare_strategies`.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import make_scorer, multilabel_confusion_matrix, recall_score
from sklearn.utils.multiclass import type_of_target, unique_labels

from skbalance._labels import as_label_array

__all__ = [
    "geometric_mean_score",
    "class_recall_score",
    "geometric_mean_scorer",
    "make_class_recall_scorer",
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
