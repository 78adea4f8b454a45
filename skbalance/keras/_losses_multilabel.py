"""Losses for multi-label targets: one sigmoid output unit per label, a 0/1 indicator ``y``.

A multi-label model has ``L`` output units and ``y_true`` is an indicator matrix of shape
``(n, L)`` (scikit-learn's "multilabel-indicator"): each unit is its own binary problem, under a
sigmoid, not one softmax over the units. That cannot be read from the shapes (an ``(n, k)``
one-hot target looks the same), so the single-label losses of :mod:`skbalance.keras.losses`
read ``(n, k)`` targets as one-hot or soft rows under a softmax; the losses here are their
per-label counterparts:

- :func:`asymmetric_loss` / :class:`AsymmetricLoss`: Ridnik et al. (ICCV 2021);
- :func:`multilabel_focal_loss` / :class:`MultilabelFocalLoss`: sigmoid focal loss per label
  (``gamma=0`` is binary cross-entropy);
- :func:`multilabel_logit_adjusted_loss` / :class:`MultilabelLogitAdjustedLoss`: the binary
  logit adjustment of Menon et al. (ICLR 2021) per label.

All three are one formula, per label ``j`` with ``p = sigmoid(z)``::

    -(w_pos[j] * y * (1 - p)^gamma_pos * log(p)
      + w_neg[j] * (1 - y) * p_m^gamma_neg * log(1 - p_m)),      p_m = max(p - clip, 0)

on the model's logits (shifted by the logit adjustment), averaged over the labels: the value
per sample is the mean over the last axis, as in ``keras.losses.BinaryCrossentropy``, and the
batch reduction and ``sample_weight`` are the Keras base class's. ``w_pos`` and ``w_neg`` are
the optional per-label weights, e.g. :func:`skbalance.weights.compute_label_weight`'s.

Shapes: ``y_pred`` of shape ``(..., L)`` and ``y_true`` of the same shape; for a single label,
``(n,)`` against ``(n, 1)`` (either way round) is accepted too. Values of ``y_true`` must lie in
``[0, 1]`` (soft targets are allowed); this is checked whenever the loss runs eagerly, as for
the single-label losses (see :mod:`skbalance.keras.losses`).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from skbalance.keras._losses_checks import (
    _concrete_numbers,
    _first,
    _real,
    check_alpha,
    check_gamma,
    check_probability_values,
    check_tau,
)
from skbalance.keras._losses_functions import _SMALLEST_NORMAL, _safe_log

# Machine epsilon per float dtype (NumPy has no bfloat16).
_EPSILON = {"float16": 2.0**-10, "bfloat16": 2.0**-7, "float32": 2.0**-23, "float64": 2.0**-52}

__all__ = [
    "AsymmetricLoss",
    "MultilabelFocalLoss",
    "MultilabelLogitAdjustedLoss",
    "asymmetric_loss",
    "multilabel_focal_loss",
    "multilabel_logit_adjusted_loss",
]


# --------------------------------------------------------------------------------------------
# Argument checks (the plain-Python forms the classes keep in their configs).
# --------------------------------------------------------------------------------------------


def _label_vector(name: str, values, *, low: float, high: float | None, closed: bool = True):
    """A per-label parameter as a tuple of floats, every entry finite and in range."""
    if isinstance(values, str | bytes | dict) or np.ndim(values) != 1:
        raise TypeError(f"{name} must be a sequence of one number per label; got {values!r}.")
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a sequence of one number per label; got {values!r}."
        ) from None
    if array.size == 0:
        raise ValueError(f"{name} is empty; give one number per label.")
    if closed:
        bad = ~(np.isfinite(array) & (array >= low) & (array <= (np.inf if high is None else high)))
        expected = f">= {low:g}" if high is None else f"in [{low:g}, {high:g}]"
    else:  # an open interval (low, high)
        bad = ~(np.isfinite(array) & (array > low) & (array < high))
        expected = f"in ({low:g}, {high:g})"
    if bad.any():
        j = int(np.argmax(bad))
        raise ValueError(
            f"{name}[{j}] = {float(array[j])!r}; every entry must be finite and {expected}."
        )
    return tuple(array.tolist())


def _check_weights(name: str, weights) -> tuple[float, ...] | None:
    return None if weights is None else _label_vector(name, weights, low=0.0, high=None)


def _check_clip(clip) -> float:
    clip = _real("clip", clip, "a number in [0, 1)")
    if not 0.0 <= clip < 1.0:
        raise ValueError(
            f"clip (the probability margin of the negatives) must be in [0, 1), e.g. 0.05 as "
            f"in the paper, 0 for none; got {clip}."
        )
    return clip


def _check_multilabel_alpha(alpha) -> float | tuple[float, ...] | None:
    """None, or the positives' weight in [0, 1] (the negatives get ``1 - alpha``): one for every
    label, or one per label."""
    if alpha is None or (isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)):
        return check_alpha(alpha)  # the single-label losses' rule for one alpha
    return _label_vector("alpha", alpha, low=0.0, high=1.0)


def _check_positive_rates(positive_rates) -> tuple[float, ...]:
    if positive_rates is None:
        raise TypeError(
            "positive_rates is required: the training rows' fraction of positives for each "
            "label, e.g. Y.mean(axis=0)."
        )
    return _label_vector("positive_rates", positive_rates, low=0.0, high=1.0, closed=False)


# --------------------------------------------------------------------------------------------
# Shapes, values and the one formula.
# --------------------------------------------------------------------------------------------


def _indicator_pair(y_true, y_pred, loss_name: str):
    """``(y, y_pred)`` as float tensors of one shape ``(..., L)``, after checking both."""
    y_pred = ops.convert_to_tensor(y_pred)
    if keras.backend.standardize_dtype(y_pred.dtype) not in _SMALLEST_NORMAL:
        y_pred = ops.cast(y_pred, keras.backend.floatx())
    y_true = ops.convert_to_tensor(y_true)
    if ops.ndim(y_pred) == 0:
        raise ValueError(f"{loss_name}: y_pred must have a batch axis; got a scalar.")
    if ops.ndim(y_pred) == 1:
        y_pred = ops.expand_dims(y_pred, -1)
    if ops.ndim(y_true) == ops.ndim(y_pred) - 1 and y_pred.shape[-1] == 1:
        y_true = ops.expand_dims(y_true, -1)
    n_labels = y_pred.shape[-1]
    if n_labels is None:
        raise ValueError(
            f"{loss_name}: the number of labels (the last axis of y_pred) must be known "
            f"statically; got y_pred of shape {tuple(y_pred.shape)}."
        )
    if ops.ndim(y_true) != ops.ndim(y_pred) or y_true.shape[-1] != n_labels:
        raise ValueError(
            f"{loss_name}: a multi-label model with {n_labels} output unit(s) needs a 0/1 "
            f"label indicator y_true of shape (n, {n_labels}), one column per unit; got y_true "
            f"of shape {tuple(y_true.shape)} for y_pred of shape {tuple(y_pred.shape)}. "
            "Single-label class indices or one-hot rows under a softmax belong to the "
            "single-label losses (FocalLoss, LogitAdjustedLoss)."
        )
    given, values = _concrete_numbers(y_true, "y_true", loss_name)
    if values is not None:
        outside = ~((values >= 0) & (values <= 1))
        if outside.any():
            raise ValueError(
                f"{loss_name}: y_true must be a label indicator matrix of 0/1 entries (or "
                f"probabilities in [0, 1]); got {_first(given, outside)} "
                f"({int(outside.sum())} of {values.size} entries outside)."
            )
    return ops.cast(y_true, y_pred.dtype), y_pred


def _check_length(name: str, values, n_labels: int) -> None:
    """Per-label parameters must match the model's labels (checked when the loss is called)."""
    if values is not None and len(values) != n_labels:
        raise ValueError(
            f"{name} has {len(values)} entries but the model has {n_labels} labels (y_pred's "
            "last axis); give one entry per label."
        )


def _per_label(name: str, values, n_labels: int, dtype):
    if values is None:
        return None
    _check_length(name, values, n_labels)
    return ops.convert_to_tensor(np.asarray(values), dtype=dtype)


def _is_small_whole(gamma: float) -> bool:
    return gamma == int(gamma) and 1 <= gamma <= 16


def _focal_power(x, gamma: float):
    """``x ** gamma`` for ``x`` in [0, 1], with a finite gradient at ``x = 0``.

    A whole ``gamma`` (the usual 1 to 4) is multiplied out: no transcendental at all, and the
    loss's slowest op otherwise (``ops.power`` made the asymmetric loss ~1.8x slower on
    TensorFlow). Other ``gamma >= 1`` use the power, whose gradient ``gamma x^(gamma - 1)``
    is finite; below 1 that gradient is infinite at 0, so the floored log is used instead
    (see ``_losses_functions._focal_modulator``).
    """
    if _is_small_whole(gamma):
        result, base, exponent = None, x, int(gamma)
        while exponent:  # square and multiply
            if exponent & 1:
                result = base if result is None else result * base
            exponent >>= 1
            if exponent:
                base = base * base
        return result
    if gamma >= 1.0:
        return ops.power(x, gamma)
    return ops.exp(gamma * _safe_log(x))


def _asymmetric_terms(
    y,
    y_pred,
    *,
    from_logits: bool,
    gamma_pos: float,
    gamma_neg: float,
    clip: float,
    positive_weights,
    negative_weights,
    loss_name: str,
):
    """The per-sample mean over labels of the formula in the module docstring.

    Everything is computed in log space: with logits, ``log p`` and ``log(1 - p)`` are
    ``log_sigmoid(+-z)`` (exact at any ``|z|``), and the focal factors are
    ``exp(gamma * log(.))``, whose gradients stay finite where ``ops.power`` gives ``inf * 0``.
    The shifted ``1 - p_m = min(1 - p + clip, 1)`` is exact for any logit and any
    ``clip > 0``: taken directly when ``clip`` is far above the dtype's underflow (then an
    underflowing ``1 - p`` is below ``clip``'s last digit), else in log space.
    """
    n_labels = y_pred.shape[-1]
    positive_weights = _per_label("positive_weights", positive_weights, n_labels, y_pred.dtype)
    negative_weights = _per_label("negative_weights", negative_weights, n_labels, y_pred.dtype)
    dtype = keras.backend.standardize_dtype(y_pred.dtype)
    # With a clip well above the dtype's underflow, 1 - p + clip is computed directly (cheaper);
    # otherwise in log space. Only the pieces the parameters need are computed: each
    # elementwise op is a pass over n x L values.
    direct_clip = clip >= _SMALLEST_NORMAL[dtype] / _EPSILON[dtype]
    # A whole gamma_pos multiplies 1 - p out (see _focal_power) rather than exp(gamma * log).
    whole_gamma_pos = gamma_pos > 0.0 and _is_small_whole(gamma_pos)
    need_q = whole_gamma_pos or (clip > 0.0 and direct_clip)
    need_log_q = (gamma_pos > 0.0 and not whole_gamma_pos) or not direct_clip
    if from_logits:
        log_p = ops.log_sigmoid(y_pred)
        log_q = ops.log_sigmoid(-y_pred) if need_log_q else None
        q = ops.sigmoid(-y_pred) if need_q else None
    else:
        check_probability_values(y_pred, loss_name)
        log_p = _safe_log(y_pred)
        log_q = _safe_log(1.0 - y_pred) if need_log_q else None
        q = 1.0 - y_pred

    positive = log_p
    if whole_gamma_pos:
        positive = positive * _focal_power(q, gamma_pos)
    elif gamma_pos > 0.0:
        positive = positive * ops.exp(gamma_pos * log_q)
    if clip > 0.0:
        # Probability shifting: a negative whose p is below clip costs nothing at all, and
        # log(1 - p_m) = log(min(1 - p + clip, 1)). Directly, 1 - p may underflow at large
        # logits, but only where it is below clip's last digit; for a clip so small that this
        # matters, logaddexp keeps the exact value.
        if direct_clip:
            negative = ops.log(ops.minimum(q + clip, 1.0))
        else:
            log_clip = ops.convert_to_tensor(np.log(clip), dtype=dtype)
            negative = ops.minimum(ops.logaddexp(log_q, log_clip), 0.0)
        if gamma_neg > 0.0:
            p = ops.sigmoid(y_pred) if from_logits else y_pred
            negative = negative * _focal_power(ops.maximum(p - clip, 0.0), gamma_neg)
    else:
        negative = log_q
        if gamma_neg > 0.0:
            negative = negative * ops.exp(gamma_neg * log_p)

    positive, negative = y * positive, (1.0 - y) * negative
    if positive_weights is not None:
        positive = positive * positive_weights
    if negative_weights is not None:
        negative = negative * negative_weights
    return -ops.mean(positive + negative, axis=-1)


# --------------------------------------------------------------------------------------------
# The pure functions.
# --------------------------------------------------------------------------------------------


def asymmetric_loss(
    y_true,
    y_pred,
    gamma_pos: float = 0.0,
    gamma_neg: float = 4.0,
    clip: float = 0.05,
    from_logits: bool = True,
    positive_weights: Sequence[float] | None = None,
    negative_weights: Sequence[float] | None = None,
):
    """Asymmetric loss (Ridnik et al., ICCV 2021) per sample, for multi-label targets.

    Per label, with ``p = sigmoid(z)`` and the shifted probability ``p_m = max(p - clip, 0)``::

        -(y (1 - p)^gamma_pos log(p) + (1 - y) p_m^gamma_neg log(1 - p_m))

    averaged over the labels. The negatives, which swamp every rare label, are focused harder
    (``gamma_neg > gamma_pos``) and the easy ones (``p < clip``) are discarded outright.
    ``gamma_pos = gamma_neg = clip = 0`` is binary cross-entropy.

    Parameters
    ----------
    y_true : tensor of shape (n, L)
        Label indicator (0/1; soft targets in [0, 1] are allowed).
    y_pred : tensor of shape (n, L)
        Logits, or sigmoid probabilities if ``from_logits=False``.
    gamma_pos : float, default=0.0
        Focusing parameter of the positives (>= 0).
    gamma_neg : float, default=4.0
        Focusing parameter of the negatives (>= 0).
    clip : float in [0, 1), default=0.05
        Probability margin of the negatives (the paper's ``m``).
    from_logits : bool, default=True
        Whether ``y_pred`` holds logits (the numerically safe choice).
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights (>= 0) of the positive and negative terms, e.g. from
        :func:`skbalance.weights.compute_label_weight`.

    Returns
    -------
    tensor of shape (n,)
        The mean over labels of each sample's loss.

    Notes
    -----
    The paper's reference implementation returns the *sum* over labels and batch; this is the
    mean over labels (as Keras' ``BinaryCrossentropy``), so it is that sum divided by ``L``
    (and by the batch size under the default reduction). With soft targets the two terms are
    weighted by ``y`` and ``1 - y`` (the reference mixes the two focusing exponents instead);
    for 0/1 targets both agree. Gradients flow through the focusing factors, as in focal loss.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import asymmetric_loss
    >>> y = np.array([[1, 0, 0], [0, 1, 0]])
    >>> logits = np.array([[2.0, -1.0, 0.0], [-3.0, 0.5, -0.5]], dtype="float32")
    >>> [round(float(v), 4) for v in asymmetric_loss(y, logits)]
    [0.0507, 0.1595]
    """
    gamma_pos = check_gamma(gamma_pos)
    gamma_neg = check_gamma(gamma_neg)
    clip = _check_clip(clip)
    positive_weights = _check_weights("positive_weights", positive_weights)
    negative_weights = _check_weights("negative_weights", negative_weights)
    y, y_pred = _indicator_pair(y_true, y_pred, "asymmetric_loss")
    return _asymmetric_terms(
        y,
        y_pred,
        from_logits=bool(from_logits),
        gamma_pos=gamma_pos,
        gamma_neg=gamma_neg,
        clip=clip,
        positive_weights=positive_weights,
        negative_weights=negative_weights,
        loss_name="asymmetric_loss",
    )


def multilabel_focal_loss(
    y_true,
    y_pred,
    gamma: float = 2.0,
    alpha: float | Sequence[float] | None = None,
    from_logits: bool = False,
    positive_weights: Sequence[float] | None = None,
    negative_weights: Sequence[float] | None = None,
):
    """Sigmoid focal loss (Lin et al., ICCV 2017) per label, averaged over the labels.

    Per label, with ``p = sigmoid(z)``:
    ``-(alpha y (1 - p)^gamma log p + (1 - alpha) (1 - y) p^gamma log(1 - p))``. With one
    label it equals :func:`skbalance.keras.losses.focal_loss` on a one-unit binary model;
    ``gamma=0`` and no weights is binary cross-entropy (``keras.losses.binary_crossentropy``).

    Parameters
    ----------
    y_true : tensor of shape (n, L)
        Label indicator (0/1; soft targets in [0, 1] are allowed).
    y_pred : tensor of shape (n, L)
        Sigmoid probabilities, or logits if ``from_logits=True``.
    gamma : float, default=2.0
        Focusing parameter (>= 0).
    alpha : float, sequence of float or None, default=None
        The positives' weight in [0, 1] (the negatives get ``1 - alpha``), as in Keras'
        ``BinaryFocalCrossentropy(apply_class_balancing=True)``: one for every label, or one
        per label.
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits (the numerically safe choice).
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights (>= 0), multiplied with ``alpha``'s.

    Returns
    -------
    tensor of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import multilabel_focal_loss
    >>> y = np.array([[1, 0, 0], [0, 1, 1]])
    >>> logits = np.array([[2.0, -1.0, 0.0], [-3.0, 0.5, -0.5]], dtype="float32")
    >>> [round(float(v), 4) for v in multilabel_focal_loss(y, logits, from_logits=True)]
    [0.0659, 0.1484]
    """
    gamma = check_gamma(gamma)
    alpha = _check_multilabel_alpha(alpha)
    positive_weights = _check_weights("positive_weights", positive_weights)
    negative_weights = _check_weights("negative_weights", negative_weights)
    y, y_pred = _indicator_pair(y_true, y_pred, "multilabel_focal_loss")
    if alpha is not None:
        n_labels = y_pred.shape[-1]
        for name, values in (
            ("alpha", alpha if isinstance(alpha, tuple) else None),
            ("positive_weights", positive_weights),
            ("negative_weights", negative_weights),
        ):
            _check_length(name, values, n_labels)
        alpha = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (n_labels,))
        ones = np.ones(n_labels)
        positive_weights = alpha * (ones if positive_weights is None else positive_weights)
        negative_weights = (1.0 - alpha) * (ones if negative_weights is None else negative_weights)
    return _asymmetric_terms(
        y,
        y_pred,
        from_logits=bool(from_logits),
        gamma_pos=gamma,
        gamma_neg=gamma,
        clip=0.0,
        positive_weights=positive_weights,
        negative_weights=negative_weights,
        loss_name="multilabel_focal_loss",
    )


def multilabel_logit_adjusted_loss(
    y_true,
    y_pred,
    positive_rates: Sequence[float],
    tau: float = 1.0,
    positive_weights: Sequence[float] | None = None,
    negative_weights: Sequence[float] | None = None,
):
    """Logit-adjusted binary cross-entropy (Menon et al., ICLR 2021) per label, on logits.

    Label ``j``'s logit is shifted by ``tau * log(pi_j / (1 - pi_j))``, the log-odds of its
    positive rate ``pi_j``, before the binary cross-entropy: the binary form of logit
    adjustment. Trained this way, the plain logit estimates the label's *balanced* log-odds,
    so ``sigmoid(z) > 0.5`` (what a classifier predicts with) is fair to a rare label without
    a tuned threshold. ``tau=0`` is binary cross-entropy.

    Parameters
    ----------
    y_true : tensor of shape (n, L)
        Label indicator (0/1; soft targets in [0, 1] are allowed).
    y_pred : tensor of shape (n, L)
        Logits.
    positive_rates : sequence of float
        Each label's fraction of positive training rows, in (0, 1) (e.g. ``Y.mean(axis=0)``).
    tau : float, default=1.0
        Strength of the adjustment (>= 0).
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights (>= 0).

    Returns
    -------
    tensor of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import multilabel_logit_adjusted_loss
    >>> y = np.array([[1, 0], [0, 1]])
    >>> logits = np.zeros((2, 2), dtype="float32")
    >>> loss = multilabel_logit_adjusted_loss(y, logits, positive_rates=[0.5, 0.1])
    >>> [round(float(v), 4) for v in loss]  # a positive of the rare label costs -log(0.1)
    [0.3993, 1.4979]
    """
    rates = _check_positive_rates(positive_rates)
    tau = check_tau(tau)
    positive_weights = _check_weights("positive_weights", positive_weights)
    negative_weights = _check_weights("negative_weights", negative_weights)
    y, logits = _indicator_pair(y_true, y_pred, "multilabel_logit_adjusted_loss")
    _check_length("positive_rates", rates, logits.shape[-1])
    if tau != 0.0:
        # log(pi) - log1p(-pi): exact for rates near 0 and near 1 alike.
        log_odds = np.log(rates) - np.log1p(-np.asarray(rates))
        logits = logits + ops.convert_to_tensor(tau * log_odds, dtype=logits.dtype)
    return _asymmetric_terms(
        y,
        logits,
        from_logits=True,
        gamma_pos=0.0,
        gamma_neg=0.0,
        clip=0.0,
        positive_weights=positive_weights,
        negative_weights=negative_weights,
        loss_name="multilabel_logit_adjusted_loss",
    )


# --------------------------------------------------------------------------------------------
# The serializable classes.
# --------------------------------------------------------------------------------------------


class _MultilabelLoss(keras.losses.Loss):
    """Shared plumbing: the per-label weights, and a config that carries the dtype policy (as
    the single-label losses' base does; not shared with it because ``losses`` re-exports this
    module, and the other way round would be an import cycle)."""

    def __init__(self, positive_weights, negative_weights, *, name, reduction, dtype):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.positive_weights = _check_weights("positive_weights", positive_weights)
        self.negative_weights = _check_weights("negative_weights", negative_weights)

    def get_config(self) -> dict:
        def as_list(values):
            return None if values is None else list(values)

        return {
            **super().get_config(),
            "dtype": self._dtype_policy.name,
            "positive_weights": as_list(self.positive_weights),
            "negative_weights": as_list(self.negative_weights),
        }


@keras.saving.register_keras_serializable(package="skbalance")
class AsymmetricLoss(_MultilabelLoss):
    """Asymmetric loss (Ridnik et al., ICCV 2021) for multi-label targets.

    One sigmoid output per label and a 0/1 indicator ``y_true`` of shape ``(n, L)``. The
    negatives, which outnumber the positives of every rare label, get a stronger focusing
    exponent (``gamma_neg``) and a probability margin (``clip``) below which they cost nothing,
    so the gradient comes from the positives and the hard negatives (see
    :func:`asymmetric_loss`). ``gamma_pos = gamma_neg = clip = 0`` is binary cross-entropy.

    Parameters
    ----------
    gamma_pos : float, default=0.0
        Focusing parameter of the positives (>= 0).
    gamma_neg : float, default=4.0
        Focusing parameter of the negatives (>= 0).
    clip : float in [0, 1), default=0.05
        Probability margin of the negatives: ``p`` is shifted to ``max(p - clip, 0)``.
    from_logits : bool, default=True
        Whether the model outputs logits (no final sigmoid); the numerically safe choice.
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights of the positive and negative terms (>= 0), e.g.
        ``compute_label_weight("balanced", Y=Y)`` from :mod:`skbalance.weights`.
    reduction, name, dtype
        As for any ``keras.losses.Loss``; the value of a sample is its mean over the labels.

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> from skbalance.keras.losses import AsymmetricLoss
    >>> loss = AsymmetricLoss(gamma_neg=4.0, clip=0.05)
    >>> y = np.array([[1, 0, 0], [0, 1, 0]])
    >>> logits = np.array([[2.0, -1.0, 0.0], [-3.0, 0.5, -0.5]], dtype="float32")
    >>> round(float(loss(y, logits)), 4)
    0.1051
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    >>> model.compile(optimizer="adam", loss=AsymmetricLoss())
    """

    def __init__(
        self,
        gamma_pos: float = 0.0,
        gamma_neg: float = 4.0,
        clip: float = 0.05,
        from_logits: bool = True,
        positive_weights: Sequence[float] | None = None,
        negative_weights: Sequence[float] | None = None,
        reduction: str | None = "sum_over_batch_size",
        name: str = "asymmetric_loss",
        dtype=None,
    ):
        super().__init__(
            positive_weights, negative_weights, name=name, reduction=reduction, dtype=dtype
        )
        self.gamma_pos = check_gamma(gamma_pos)
        self.gamma_neg = check_gamma(gamma_neg)
        self.clip = _check_clip(clip)
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        return asymmetric_loss(
            y_true,
            y_pred,
            gamma_pos=self.gamma_pos,
            gamma_neg=self.gamma_neg,
            clip=self.clip,
            from_logits=self.from_logits,
            positive_weights=self.positive_weights,
            negative_weights=self.negative_weights,
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "gamma_pos": self.gamma_pos,
            "gamma_neg": self.gamma_neg,
            "clip": self.clip,
            "from_logits": self.from_logits,
        }


@keras.saving.register_keras_serializable(package="skbalance")
class MultilabelFocalLoss(_MultilabelLoss):
    """Sigmoid focal loss (Lin et al., ICCV 2017) per label, for multi-label targets.

    One sigmoid output per label and a 0/1 indicator ``y_true`` of shape ``(n, L)`` (see
    :func:`multilabel_focal_loss`). :class:`FocalLoss` reads an ``(n, k)`` target as one-hot
    rows under a softmax, which is not a multi-label model; this is its per-label counterpart.
    ``gamma=0`` without weights is binary cross-entropy, so with ``positive_weights`` and
    ``negative_weights`` it is also the per-label weighted binary cross-entropy.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter (>= 0).
    alpha : float, sequence of float or None, default=None
        The positives' weight in [0, 1] (the negatives get ``1 - alpha``): one for every
        label, or one per label.
    from_logits : bool, default=False
        Whether the model outputs logits (no final sigmoid); the safest choice.
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights (>= 0), multiplied with ``alpha``'s.
    reduction, name, dtype
        As for any ``keras.losses.Loss``; the value of a sample is its mean over the labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import MultilabelFocalLoss
    >>> loss = MultilabelFocalLoss(gamma=2.0, from_logits=True)
    >>> y = np.array([[1, 0, 0], [0, 1, 1]])
    >>> logits = np.array([[2.0, -1.0, 0.0], [-3.0, 0.5, -0.5]], dtype="float32")
    >>> round(float(loss(y, logits)), 4)
    0.1071
    """

    def __init__(
        self,
        gamma: float = 2.0,
        alpha: float | Sequence[float] | None = None,
        from_logits: bool = False,
        positive_weights: Sequence[float] | None = None,
        negative_weights: Sequence[float] | None = None,
        reduction: str | None = "sum_over_batch_size",
        name: str = "multilabel_focal_loss",
        dtype=None,
    ):
        super().__init__(
            positive_weights, negative_weights, name=name, reduction=reduction, dtype=dtype
        )
        self.gamma = check_gamma(gamma)
        self.alpha = _check_multilabel_alpha(alpha)
        self.from_logits = bool(from_logits)

    def call(self, y_true, y_pred):
        return multilabel_focal_loss(
            y_true,
            y_pred,
            gamma=self.gamma,
            alpha=self.alpha,
            from_logits=self.from_logits,
            positive_weights=self.positive_weights,
            negative_weights=self.negative_weights,
        )

    def get_config(self) -> dict:
        alpha = list(self.alpha) if isinstance(self.alpha, tuple) else self.alpha
        return {
            **super().get_config(),
            "gamma": self.gamma,
            "alpha": alpha,
            "from_logits": self.from_logits,
        }


@keras.saving.register_keras_serializable(package="skbalance")
class MultilabelLogitAdjustedLoss(_MultilabelLoss):
    """Logit-adjusted binary cross-entropy (Menon et al., ICLR 2021) per label, on logits.

    Each label's logit is shifted by ``tau`` times the log-odds of its positive rate before
    the binary cross-entropy (see :func:`multilabel_logit_adjusted_loss`), so that the plain
    logits learn each label's balanced decision. :class:`LogitAdjustedLoss` is the softmax
    form for one label per row; this is its per-label counterpart.

    Parameters
    ----------
    positive_rates : sequence of float
        Each label's fraction of positive training rows, in (0, 1), in column order (e.g.
        ``Y.mean(axis=0)``); its length must match the model's labels.
    tau : float, default=1.0
        Strength of the adjustment (>= 0); 0 is binary cross-entropy.
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights (>= 0).
    reduction, name, dtype
        As for any ``keras.losses.Loss``; the value of a sample is its mean over the labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import MultilabelLogitAdjustedLoss
    >>> loss = MultilabelLogitAdjustedLoss(positive_rates=[0.5, 0.1])
    >>> y = np.array([[1, 0], [0, 1]])
    >>> round(float(loss(y, np.zeros((2, 2), dtype="float32"))), 4)
    0.9486
    """

    def __init__(
        self,
        positive_rates: Sequence[float],
        tau: float = 1.0,
        positive_weights: Sequence[float] | None = None,
        negative_weights: Sequence[float] | None = None,
        reduction: str | None = "sum_over_batch_size",
        name: str = "multilabel_logit_adjusted_loss",
        dtype=None,
    ):
        super().__init__(
            positive_weights, negative_weights, name=name, reduction=reduction, dtype=dtype
        )
        self.positive_rates = _check_positive_rates(positive_rates)
        self.tau = check_tau(tau)

    def call(self, y_true, y_pred):
        return multilabel_logit_adjusted_loss(
            y_true,
            y_pred,
            positive_rates=self.positive_rates,
            tau=self.tau,
            positive_weights=self.positive_weights,
            negative_weights=self.negative_weights,
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "positive_rates": list(self.positive_rates),
            "tau": self.tau,
        }
