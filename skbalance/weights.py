"""Class-weight strategies, keyed by the user's own labels.

One home for turning "how should the classes be weighted?" into numbers: a dict ``label ->
weight`` (:func:`compute_class_weight`) or one weight per row (:func:`compute_sample_weight`).

Every *computed* strategy is normalised so that the mean per-sample weight over the training
rows is exactly 1::

    w_c = s_c * n / sum_j(n_j * s_j)

where ``s_c`` is the strategy's raw score for class ``c`` and ``n_c`` its row count. Keras
divides the weighted loss by the number of rows, not by the sum of the weights, so a scheme
whose mean weight is not 1 would also change the effective learning rate; with this
normalisation, switching strategy changes only the balance between classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Real
from typing import NamedTuple

import numpy as np

from skbalance._labels import encode_labels

__all__ = [
    "STRATEGIES",
    "LabelWeights",
    "compute_class_weight",
    "compute_label_weight",
    "compute_sample_weight",
]

#: The named strategies accepted by :func:`compute_class_weight` (besides ``None`` and a dict).
STRATEGIES = ("balanced", "effective_number", "sqrt_inverse")


def _raw_scores(strategy: str, counts: np.ndarray, beta: float) -> np.ndarray:
    """Un-normalised weight per class (only ratios matter; normalisation follows)."""
    if strategy == "balanced":
        return 1.0 / counts
    if strategy == "sqrt_inverse":
        return 1.0 / np.sqrt(counts)
    # effective_number (Cui et al. 2019): (1 - beta) / (1 - beta**n_c). beta == 0 gives 1 for
    # every class (no re-weighting), which the formula already yields.
    return (1.0 - beta) / (1.0 - np.power(beta, counts))


def _check_beta(beta) -> float:
    if isinstance(beta, bool) or not isinstance(beta, Real) or not 0.0 <= float(beta) < 1.0:
        raise ValueError(
            f"beta must be a number in [0, 1) (e.g. 0.999 or 0.9999); got {beta!r}. "
            "beta -> 1 approaches 'balanced', beta = 0 gives equal weights."
        )
    return float(beta)


def _check_strategy(class_weight, beta, explicit: str):
    """The one check of a strategy name (and of ``beta`` when it is used); returns ``beta``.

    ``explicit`` names the non-strategy form the caller also accepts, for the message.
    """
    if isinstance(class_weight, str):
        if class_weight not in STRATEGIES:
            raise ValueError(
                f"Unknown class_weight strategy {class_weight!r}; use one of "
                f"{', '.join(repr(s) for s in STRATEGIES)}, None or {explicit}."
            )
        if class_weight == "effective_number":
            return _check_beta(beta)
    return beta


def _weights_per_class(class_weight, y, beta) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(classes, codes, weight_per_class)`` after validating every argument.

    The one validator of ``class_weight``: every path that takes one (this module's functions,
    ``KerasBalancedClassifier``, ``BalancedDataset`` and its deferred re-weighting) ends here.
    """
    # Validate the cheap arguments before touching y, so bad input fails before any work.
    beta = _check_strategy(class_weight, beta, "a dict label -> weight")
    if class_weight is not None and not isinstance(class_weight, str | Mapping):
        raise TypeError(
            "class_weight must be None, a strategy name "
            f"({', '.join(repr(s) for s in STRATEGIES)}) or a dict label -> weight; "
            f"got {type(class_weight).__name__}."
        )
    classes, codes = encode_labels(y)
    if classes.size == 0:
        raise ValueError("y is empty; class weights need at least one labelled row.")

    if class_weight is None:
        return classes, codes, np.ones(classes.size)
    if isinstance(class_weight, str):
        counts = np.bincount(codes, minlength=classes.size).astype(np.float64)
        scores = _raw_scores(class_weight, counts, beta)
        # Mean per-sample weight 1: sum_c n_c * w_c == n (see the module docstring).
        return classes, codes, scores * codes.size / np.dot(counts, scores)
    return classes, codes, _weights_from_dict(class_weight, classes)


def _weights_from_dict(
    class_weight: Mapping, classes: np.ndarray, *, what: str = "class", source: str = "y"
) -> np.ndarray:
    """One weight per class from a dict ``label -> weight``: every key a class, every value a
    finite number >= 0, and not zero for every class (then no row would count).

    ``what``/``source`` word the messages for per-label weights (``"label"``, ``"Y"``).
    """
    index = {label: i for i, label in enumerate(classes.tolist())}
    weights = np.ones(classes.size)
    for label, weight in class_weight.items():
        # numpy scalars (np.int64(1), np.str_("a")) hash like their Python values.
        key = label.item() if isinstance(label, np.generic) else label
        if key not in index:
            raise ValueError(
                f"class_weight has key {label!r}, which is not a {what} in {source}; "
                f"the {what}{'es' if what.endswith('s') else 's'} are {classes.tolist()}."
            )
        if isinstance(weight, bool) or not isinstance(weight, Real):
            raise ValueError(
                f"class_weight[{label!r}] must be a non-negative finite number; got {weight!r}."
            )
        if not np.isfinite(weight) or weight < 0:
            raise ValueError(
                f"class_weight[{label!r}] = {weight!r}; weights must be finite and >= 0."
            )
        weights[index[key]] = float(weight)
    _check_some_weight(weights, classes, what)
    return weights


def _check_some_weight(weights: np.ndarray, classes: np.ndarray, what: str) -> None:
    if not weights.any() and what == "label":
        raise ValueError(
            f"class_weight gives the positives of every label ({classes.tolist()}) weight 0, "
            "so a model would learn to predict no label at all; give at least one label a "
            "positive weight."
        )
    if not weights.any():
        raise ValueError(
            f"class_weight is zero for every {what} ({classes.tolist()}), so no row would count "
            f"in training (all {what} weights are zero); give at least one {what} a positive "
            "weight."
        )


def compute_class_weight(class_weight, *, y, beta: float = 0.999) -> dict:
    """Weight per class, keyed by the labels found in ``y``.

    Parameters
    ----------
    class_weight : None, {"balanced", "effective_number", "sqrt_inverse"} or dict
        - ``None``: every class gets 1.0.
        - ``"balanced"``: ``n / (k * n_c)`` (as scikit-learn), for ``n`` rows, ``k`` classes and
          ``n_c`` rows of class ``c``.
        - ``"effective_number"``: proportional to ``(1 - beta) / (1 - beta ** n_c)``, the
          inverse "effective number of samples" of Cui et al. (CVPR 2019).
        - ``"sqrt_inverse"``: proportional to ``n_c ** -0.5``, a milder re-weighting.
        - dict ``label -> weight``, keyed by your own labels (``{"buy": 0.75,
          "don't buy": 0.25}``); classes left out get 1.0. A dict is used **as given**: it is
          *not* renormalised.

        Computed strategies are scaled so that the mean weight per training row is 1:
        ``w_c = s_c * n / sum_j(n_j * s_j)`` for raw score ``s_c``. ``"balanced"`` already
        satisfies this.
    y : array-like of shape (n_samples,)
        Training labels of any type (ints, strings, objects, a pandas Series).
    beta : float in [0, 1), default=0.999
        Only used by ``"effective_number"``; larger values re-weight more strongly.

    Returns
    -------
    dict
        ``{label: weight}`` for every class in ``y``, in sorted label order, with Python floats.

    Raises
    ------
    ValueError
        Unknown strategy (the valid ones are listed), a dict key that is not a class (the
        classes are listed), a weight that is not a finite number >= 0, a dict that gives
        every class weight 0, or ``beta`` outside [0, 1).
    TypeError
        ``class_weight`` is neither None, a string nor a dict.

    Examples
    --------
    >>> from skbalance.weights import compute_class_weight
    >>> y = ["buy"] + ["don't buy"] * 3
    >>> compute_class_weight("balanced", y=y)
    {'buy': 2.0, "don't buy": 0.6666666666666666}
    >>> compute_class_weight({"buy": 0.75, "don't buy": 0.25}, y=y)
    {'buy': 0.75, "don't buy": 0.25}
    >>> compute_class_weight({"buy": 3.0}, y=y)
    {'buy': 3.0, "don't buy": 1.0}
    """
    classes, _, weights = _weights_per_class(class_weight, y, beta)
    return dict(zip(classes.tolist(), weights.tolist(), strict=True))


def compute_sample_weight(class_weight, *, y, beta: float = 0.999) -> np.ndarray:
    """Weight per row: the weight of each row's class (see :func:`compute_class_weight`).

    Parameters
    ----------
    class_weight : None, {"balanced", "effective_number", "sqrt_inverse"} or dict
        As in :func:`compute_class_weight`.
    y : array-like of shape (n_samples,)
        Training labels of any type.
    beta : float in [0, 1), default=0.999
        Only used by ``"effective_number"``.

    Returns
    -------
    ndarray of shape (n_samples,), dtype float64
        For a computed strategy, its mean is 1. To combine with an existing ``sample_weight``,
        multiply: ``sample_weight * compute_sample_weight(...)``.

    Examples
    --------
    >>> from skbalance.weights import compute_sample_weight
    >>> compute_sample_weight("balanced", y=[0, 0, 0, 1]).tolist()
    [0.6666666666666666, 0.6666666666666666, 0.6666666666666666, 2.0]
    """
    _, codes, weights = _weights_per_class(class_weight, y, beta)
    return weights[codes]


# --------------------------------------------------------------------------------------------
# Multi-label targets: per-label weights.
# --------------------------------------------------------------------------------------------


class LabelWeights(NamedTuple):
    """Per-label weights of a multi-label target, one entry per column of ``Y``.

    A plain pair, so ``positive, negative = compute_label_weight(...)`` unpacks it.
    """

    #: Weight of a row's term for label ``j`` when the row has label ``j`` (``Y[:, j] == 1``).
    positive: np.ndarray
    #: Weight of that term when the row does not have label ``j``.
    negative: np.ndarray


def compute_label_weight(class_weight, *, Y, beta: float = 0.999) -> LabelWeights:
    """Per-label weights for a multi-label target: each label's positives against its negatives.

    A multi-label model has one sigmoid output per label, and so one binary problem per label.
    This weights each of them as :func:`compute_class_weight` weights a binary ``y``: label
    ``j``'s positive rows get ``positive[j]`` and its negative rows ``negative[j]``, like a
    per-label ``pos_weight`` (whose value is the ratio ``positive[j] / negative[j]``). The
    multi-label losses of :mod:`skbalance.keras.losses` take the pair as their
    ``positive_weights`` and ``negative_weights``.

    Normalisation, as in the single-label case, *per label*: for every label, the mean weight
    of its term over the training rows is 1::

        positive[j] * n_pos[j] + negative[j] * n_neg[j] == n

    (``n_pos[j]`` rows have label ``j``, ``n_neg[j] = n - n_pos[j]`` do not). So every label's
    term keeps the scale of plain binary cross-entropy, and a strategy only changes the
    balance between each label's positives and negatives, not the effective learning rate.

    Parameters
    ----------
    class_weight : None, {"balanced", "effective_number", "sqrt_inverse"}, dict or array-like
        - ``None``: every weight is 1.0.
        - ``"balanced"``: ``positive[j] = n / (2 n_pos[j])``, ``negative[j] = n / (2 n_neg[j])``
          (scikit-learn's "balanced" on the label's binary column).
        - ``"effective_number"``: proportional to ``(1 - beta) / (1 - beta ** n_c)`` for
          ``n_c`` = ``n_pos[j]`` and ``n_neg[j]`` (Cui et al., CVPR 2019), then normalised.
        - ``"sqrt_inverse"``: proportional to ``n_c ** -0.5``, then normalised.
        - dict ``label -> positive weight``: keyed by column name when ``Y`` is a DataFrame,
          else by column position (0 to ``n_labels - 1``); labels left out get 1.0.
        - array-like of shape (n_labels,): the positive weight of every label.

        A dict or array is used **as given** (not renormalised) and sets the positive weights
        only; every negative weight is then 1.0.
    Y : array-like, DataFrame or sparse matrix of shape (n_samples, n_labels)
        The training label indicator matrix (0/1, scikit-learn's "multilabel-indicator").
    beta : float in [0, 1), default=0.999
        Only used by ``"effective_number"``.

    Returns
    -------
    LabelWeights
        ``(positive, negative)``: two float64 arrays of shape (n_labels,), in column order.

    Raises
    ------
    ValueError
        ``Y`` is not a 0/1 matrix; a label has no positive or no negative row (named: its
        positives cannot be weighed against its negatives, and the model could not learn it);
        unknown strategy, ``beta`` outside [0, 1), a dict key that is not a label (the labels
        are listed), an array of the wrong length, a weight that is not a finite number >= 0,
        or positive weights that are all zero.
    TypeError
        ``class_weight`` is of none of the types above.

    Examples
    --------
    >>> from skbalance.weights import compute_label_weight
    >>> Y = [[1, 1], [0, 1], [0, 1], [0, 0]]  # label 0: 1 positive, label 1: 3
    >>> positive, negative = compute_label_weight("balanced", Y=Y)
    >>> positive.tolist(), negative.tolist()
    ([2.0, 0.6666666666666666], [0.6666666666666666, 2.0])
    >>> compute_label_weight({1: 0.5}, Y=Y).positive.tolist()
    [1.0, 0.5]
    """
    beta = _check_strategy(class_weight, beta, "per-label positive weights (dict or array)")
    if isinstance(class_weight, bytes) or not (
        class_weight is None
        or isinstance(class_weight, str | Mapping)
        or np.ndim(class_weight) == 1
    ):
        raise TypeError(
            "class_weight for a multi-label Y must be None, a strategy name "
            f"({', '.join(repr(s) for s in STRATEGIES)}), a dict label -> positive weight or "
            f"an array of one positive weight per label; got {class_weight!r}."
        )
    # Imported here: skbalance.sampling (the home of the indicator check) loads every sampler,
    # which a caller of the single-label functions above should not pay for.
    from skbalance.sampling._multilabel import check_indicator

    target = check_indicator(Y, allow_empty_labels=True)
    n_samples, names = target.matrix.shape[0], target.names
    positives = target.counts.astype(np.float64)
    counts = np.stack([positives, n_samples - positives], axis=1)  # (n_labels, [pos, neg])
    for column, what in ((0, "positive"), (1, "negative")):
        missing = np.flatnonzero(counts[:, column] == 0)
        if len(missing):
            other = "1" if what == "positive" else "0"
            raise ValueError(
                f"Y has no {what} row for label(s) {[names[i] for i in missing]} "
                f"(no row with {other} in that column): a label's positives cannot be weighed "
                "against its negatives, and a model cannot learn it, unless both occur. Drop "
                "those columns or add rows of both kinds."
            )

    if class_weight is None:
        return LabelWeights(np.ones(len(names)), np.ones(len(names)))
    if isinstance(class_weight, str):
        scores = _raw_scores(class_weight, counts, beta)
        # Per label: w_pos * n_pos + w_neg * n_neg == n (see the docstring).
        weights = scores * n_samples / (counts * scores).sum(axis=1, keepdims=True)
        return LabelWeights(weights[:, 0].copy(), weights[:, 1].copy())
    labels = np.empty(len(names), dtype=object)
    labels[:] = names
    if isinstance(class_weight, Mapping):
        positive = _weights_from_dict(class_weight, labels, what="label", source="Y")
    else:
        positive = _label_weight_array(class_weight, labels)
    return LabelWeights(positive, np.ones(len(names)))


def _label_weight_array(values, labels: np.ndarray) -> np.ndarray:
    """Positive weights given as one number per label, checked as a dict's values are."""
    try:
        weights = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"class_weight must hold one number per label; got {values!r}.") from None
    if weights.shape != (len(labels),):
        raise ValueError(
            f"class_weight has {weights.size} entries but Y has {len(labels)} labels "
            f"({labels.tolist()}); give one positive weight per label, in column order."
        )
    bad = ~(np.isfinite(weights) & (weights >= 0))
    if bad.any():
        j = int(np.argmax(bad))
        raise ValueError(
            f"class_weight[{j}] (label {labels[j]!r}) = {float(weights[j])!r}; weights must be "
            "finite "
            "and >= 0."
        )
    _check_some_weight(weights, labels, "label")
    return weights
