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

import numpy as np

from skbalance._labels import encode_labels

__all__ = ["STRATEGIES", "compute_class_weight", "compute_sample_weight"]

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


def _weights_per_class(class_weight, y, beta) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(classes, codes, weight_per_class)`` after validating every argument.

    The one validator of ``class_weight``: every path that takes one (this module's functions,
    ``KerasBalancedClassifier``, ``BalancedDataset`` and its deferred re-weighting) ends here.
    """
    # Validate the cheap arguments before touching y, so bad input fails before any work.
    if isinstance(class_weight, str):
        if class_weight not in STRATEGIES:
            raise ValueError(
                f"Unknown class_weight strategy {class_weight!r}; use one of "
                f"{', '.join(repr(s) for s in STRATEGIES)}, None or a dict label -> weight."
            )
        if class_weight == "effective_number":
            beta = _check_beta(beta)
    elif class_weight is not None and not isinstance(class_weight, Mapping):
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


def _weights_from_dict(class_weight: Mapping, classes: np.ndarray) -> np.ndarray:
    """One weight per class from a dict ``label -> weight``: every key a class, every value a
    finite number >= 0, and not zero for every class (then no row would count)."""
    index = {label: i for i, label in enumerate(classes.tolist())}
    weights = np.ones(classes.size)
    for label, weight in class_weight.items():
        # numpy scalars (np.int64(1), np.str_("a")) hash like their Python values.
        key = label.item() if isinstance(label, np.generic) else label
        if key not in index:
            raise ValueError(
                f"class_weight has key {label!r}, which is not a class in y; "
                f"the classes are {classes.tolist()}."
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
    if not weights.any():
        raise ValueError(
            f"class_weight is zero for every class ({classes.tolist()}), so no row would count "
            "in training (all class weights are zero); give at least one class a positive "
            "weight."
        )
    return weights


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
