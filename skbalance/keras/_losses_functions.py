"""The loss functions behind :mod:`skbalance.keras.losses` (see that module for the formats).

Pure functions over ``keras.ops`` returning one loss value per sample; the serializable
``keras.losses.Loss`` classes in :mod:`skbalance.keras.losses` wrap them.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from skbalance.keras._losses_checks import (
    check_alpha,
    check_class_counts,
    check_gamma,
    check_label_smoothing,
    check_label_values,
    check_positive,
    check_probability_values,
    check_tau,
    check_vector_length,
)

__all__ = ["focal_loss", "ldam_loss", "ldam_margins", "logit_adjusted_loss"]

# np.finfo(dtype).tiny, spelled out because NumPy has no bfloat16.
_SMALLEST_NORMAL = {
    "float16": 2.0**-14,
    "bfloat16": 2.0**-126,
    "float32": 2.0**-126,
    "float64": 2.0**-1022,
}


# --------------------------------------------------------------------------------------------
# Shapes and numerically safe pieces shared by the losses.
# --------------------------------------------------------------------------------------------


def _split_targets(y_true, y_pred, loss_name: str):
    """Return ``(y_pred, binary, labels, targets)`` with exactly one of labels/targets set.

    ``y_pred`` comes back with a class axis (``(n,)`` becomes ``(n, 1)``); ``labels`` are int32
    class indices without the class axis; ``targets`` are float targets with ``k`` columns
    (two columns ``[1 - y, y]`` for a one-unit binary model). The format is read from the
    static shapes; then ``y_true``'s values are checked against it (eager calls only, see
    :func:`check_label_values`), the same way for every loss.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    if keras.backend.standardize_dtype(y_pred.dtype) not in _SMALLEST_NORMAL:
        y_pred = ops.cast(y_pred, keras.backend.floatx())
    y_true = ops.convert_to_tensor(y_true)
    if ops.ndim(y_pred) == 0:
        raise ValueError(f"{loss_name}: y_pred must have a batch axis; got a scalar.")
    if ops.ndim(y_pred) == 1:
        y_pred = ops.expand_dims(y_pred, -1)
    rank, n_units = ops.ndim(y_pred), y_pred.shape[-1]
    if n_units is None:
        raise ValueError(
            f"{loss_name}: the number of output units (the last axis of y_pred) must be known "
            f"statically; got y_pred of shape {tuple(y_pred.shape)}."
        )
    true_rank, true_last = ops.ndim(y_true), (y_true.shape[-1] if ops.ndim(y_true) else None)
    if n_units == 1:
        y = ops.cast(y_true, y_pred.dtype)
        if true_rank == rank - 1:
            y = ops.expand_dims(y, -1)
        elif true_rank != rank or true_last != 1:
            raise ValueError(
                f"{loss_name}: a model with one output unit is binary and needs 0/1 labels of "
                f"shape (n,) or (n, 1); got y_true of shape {tuple(y_true.shape)}."
            )
        check_label_values(y_true, "binary", 2, loss_name)
        return y_pred, True, None, ops.concatenate([1.0 - y, y], axis=-1)
    if true_rank == rank and true_last == n_units:
        check_label_values(y_true, "targets", n_units, loss_name)
        return y_pred, False, None, ops.cast(y_true, y_pred.dtype)
    if true_rank == rank and true_last == 1:
        y_true = ops.squeeze(y_true, -1)
    elif true_rank != rank - 1:
        raise ValueError(
            f"{loss_name}: with {n_units} output units, y_true must be integer class indices of "
            f"shape (n,) or (n, 1), or one-hot of shape (n, {n_units}); got y_true of shape "
            f"{tuple(y_true.shape)}."
        )
    check_label_values(y_true, "indices", n_units, loss_name)
    return y_pred, False, ops.cast(y_true, "int32"), None


def _n_classes(y_pred, binary: bool) -> int:
    return 2 if binary else y_pred.shape[-1]


def _binary_logits(z):
    """Logits ``[0, z]``: their softmax is ``[1 - sigmoid(z), sigmoid(z)]``."""
    return ops.concatenate([ops.zeros_like(z), z], axis=-1)


def _take_class(values, labels):
    """``values[..., labels]`` row by row: the true-class entry of each sample."""
    return ops.squeeze(ops.take_along_axis(values, ops.expand_dims(labels, -1), axis=-1), -1)


def _safe_log(x):
    """``log(x)``, floored at the smallest normal float instead of ``-inf`` at ``x == 0``.

    Exact for every ``x`` at or above that floor (1.2e-38 in float32), unlike Keras' clip to
    1e-7 (which caps the loss at 16.1 and zeroes the gradient below it); the gradient ``1 / x``
    stays finite (at most 8.5e37 in float32).
    """
    return ops.log(ops.maximum(x, _SMALLEST_NORMAL[keras.backend.standardize_dtype(x.dtype)]))


def _focal_modulator(q, gamma: float):
    """The focal factor ``q^gamma`` for ``q = 1 - p``, as ``exp(gamma * log q)``.

    Through the floored log its gradient ``gamma q^(gamma - 1)`` stays finite even for
    ``gamma < 1`` and ``q`` = 0 or subnormal, where ``ops.power`` would give ``inf * 0 = NaN``.
    Where ``q`` is 0, ``log p`` is 0 too, so the floor never changes a loss value.
    """
    return ops.exp(gamma * _safe_log(q))


# --------------------------------------------------------------------------------------------
# Focal loss (Lin et al. 2017).
# --------------------------------------------------------------------------------------------


def focal_loss(
    y_true,
    y_pred,
    gamma: float = 2.0,
    alpha: float | Sequence[float] | None = None,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
):
    """Focal loss ``-alpha_t (1 - p_t)^gamma log p_t`` per sample (Lin et al., ICCV 2017).

    With label smoothing (or soft targets) it is the sum over classes
    ``-sum_j y_j alpha_j (1 - p_j)^gamma log p_j``, as in Keras' categorical focal loss.

    Parameters
    ----------
    y_true : tensor
        Binary model: 0/1 of shape ``(n,)`` or ``(n, 1)``. k-unit model: integer class indices
        of shape ``(n,)`` or ``(n, 1)``, or one-hot ``(n, k)``.
    y_pred : tensor
        Probabilities (sigmoid or softmax outputs, in ``[0, 1]``: checked when run eagerly),
        or logits if ``from_logits``; shape ``(n,)`` or ``(n, 1)`` for a binary model,
        ``(n, k)`` otherwise.
    gamma : float, default=2.0
        Focusing parameter (>= 0). ``gamma=0`` with ``alpha=None`` is exactly cross-entropy.
    alpha : float, sequence of float or None, default=None
        Class weights. A float (binary models only) weights the positive class by ``alpha``
        and the negative one by ``1 - alpha`` (the paper's convention, and Keras'
        ``BinaryFocalCrossentropy(apply_class_balancing=True)``). A sequence gives one weight
        per class, in class-index order (``[w_negative, w_positive]`` for a binary model).
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits (the numerically safest choice).
    label_smoothing : float, default=0.0
        In ``[0, 1]``; targets become ``y (1 - label_smoothing) + label_smoothing / k``, which
        for a binary model (k = 2) is Keras' squeeze towards 0.5.

    Returns
    -------
    tensor of shape ``(n,)``
        The loss of each sample (``y_pred``'s shape without the class axis when there are more
        axes, e.g. one loss per pixel).

    Notes
    -----
    Computed in log space, without clipping: with logits, ``log p`` is ``log_softmax`` (or
    ``log_sigmoid``) and ``1 - p`` is ``-expm1(log p)`` (no cancellation near ``p = 1``); with
    probabilities, ``log p`` is only floored at the smallest normal float, so ``p = 0`` gives a
    large but finite loss (87.3 in float32) and every ``p`` above the floor is exact (Keras
    clips at 1e-7 instead). The focal factor is ``exp(gamma * log(1 - p))``, so its gradient
    stays finite at ``p = 1`` even for ``gamma < 1``. Logits of +-200 and probabilities of
    exactly 0 or 1 give finite losses and gradients.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import focal_loss
    >>> logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]], dtype="float32")
    >>> loss = focal_loss(np.array([0, 1]), logits, gamma=2.0, from_logits=True)
    >>> [round(float(v), 4) for v in loss]
    [0.0041, 2.2912]
    """
    gamma, alpha, label_smoothing = (
        check_gamma(gamma),
        check_alpha(alpha),
        check_label_smoothing(label_smoothing),
    )
    y_pred, binary, labels, targets = _split_targets(y_true, y_pred, "focal_loss")
    n_classes = _n_classes(y_pred, binary)
    if isinstance(alpha, float):
        if not binary:
            raise ValueError(
                f"alpha={alpha} (a single float) only applies to binary models with one output "
                f"unit; this model has {n_classes} output units, so give alpha as "
                f"{n_classes} per-class weights, or None."
            )
        alpha = (1.0 - alpha, alpha)
    if alpha is not None:
        check_vector_length("alpha", alpha, n_classes)
        alpha = ops.convert_to_tensor(np.asarray(alpha), dtype=y_pred.dtype)
    if not from_logits:
        check_probability_values(y_pred, "focal_loss")

    if binary:
        if from_logits:
            log_pos, log_neg = ops.log_sigmoid(y_pred), ops.log_sigmoid(-y_pred)
            log_p = ops.concatenate([log_neg, log_pos], axis=-1)
            # 1 - p of each column is the other column: no cancellation at all.
            modulator = ops.exp(gamma * ops.concatenate([log_pos, log_neg], axis=-1))
        else:
            log_p = _safe_log(ops.concatenate([1.0 - y_pred, y_pred], axis=-1))
            modulator = _focal_modulator(ops.concatenate([y_pred, 1.0 - y_pred], -1), gamma)
    elif from_logits:
        log_p = ops.log_softmax(y_pred, axis=-1)
    else:
        # Renormalised like Keras' categorical cross-entropy.
        row_sum = ops.sum(y_pred, axis=-1, keepdims=True)

    if labels is not None and label_smoothing == 0.0:
        # Integer labels: only the true class contributes, so gather first and do the rest on
        # (n,) values instead of (n, k). -expm1(log p) is 1 - p without cancellation.
        if from_logits:
            log_p_t = _take_class(log_p, labels)
            q_t = -ops.expm1(log_p_t)
        else:
            p_t = _take_class(y_pred, labels) / ops.squeeze(row_sum, -1)
            log_p_t, q_t = _safe_log(p_t), 1.0 - p_t
        loss = -log_p_t
        if gamma > 0.0:
            loss = loss * _focal_modulator(q_t, gamma)
        if alpha is not None:
            loss = loss * ops.take(alpha, labels)
        return loss

    if not binary:
        if from_logits:
            q = -ops.expm1(log_p)
        else:
            p = y_pred / row_sum
            log_p, q = _safe_log(p), 1.0 - p
        modulator = _focal_modulator(q, gamma) if gamma > 0.0 else None
    if targets is None:
        targets = ops.one_hot(labels, n_classes, dtype=y_pred.dtype)
    if label_smoothing > 0.0:
        targets = targets * (1.0 - label_smoothing) + label_smoothing / n_classes
    terms = targets * log_p
    if gamma > 0.0:
        terms = terms * modulator
    if alpha is not None:
        terms = terms * alpha
    return -ops.sum(terms, axis=-1)


# --------------------------------------------------------------------------------------------
# Long-tail losses on logits: logit adjustment / balanced softmax, LDAM.
# --------------------------------------------------------------------------------------------


def _cross_entropy_on_logits(labels, targets, logits):
    if labels is not None:
        return ops.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    return ops.categorical_crossentropy(targets, logits, from_logits=True)


def logit_adjusted_loss(y_true, y_pred, class_counts: Sequence[float], tau: float = 1.0):
    """Logit-adjusted cross-entropy (Menon et al., ICLR 2021) per sample.

    Softmax cross-entropy on ``logits + tau * log(prior)``, where ``prior`` is
    ``class_counts / sum(class_counts)``. Training this way makes the plain logits (what the
    model predicts with) estimate the *balanced* posterior, so ``argmax`` is fair to rare
    classes. ``tau=0`` is plain cross-entropy; ``tau=1`` is the balanced softmax of Ren et al.
    (NeurIPS 2020).

    Parameters
    ----------
    y_true : tensor
        Integer class indices ``(n,)`` / ``(n, 1)``, or one-hot ``(n, k)``; 0/1 for a model with
        one output unit.
    y_pred : tensor
        Logits, ``(n, k)``; a single logit per sample (``(n,)`` or ``(n, 1)``) is read as the
        two-class logits ``[0, z]``.
    class_counts : sequence of float
        Training-set count (or frequency) of each class, in class-index order; all > 0.
    tau : float, default=1.0
        Strength of the adjustment (>= 0).

    Returns
    -------
    tensor of shape ``(n,)``
        The loss of each sample (one per position when ``y_pred`` has more axes).

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import logit_adjusted_loss
    >>> logits = np.zeros((2, 2), dtype="float32")
    >>> loss = logit_adjusted_loss(np.array([0, 1]), logits, class_counts=[90, 10])
    >>> [round(float(v), 4) for v in loss]  # the rare class pays -log(0.1)
    [0.1054, 2.3026]
    """
    counts, tau = check_class_counts(class_counts), check_tau(tau)
    y_pred, binary, labels, targets = _split_targets(y_true, y_pred, "logit_adjusted_loss")
    check_vector_length("class_counts", counts, _n_classes(y_pred, binary))
    logits = _binary_logits(y_pred) if binary else y_pred
    if tau != 0.0:
        # log(count) - log(total) in log space: sum(counts) overflows for counts near 1e308.
        log_counts = np.log(np.asarray(counts))
        log_prior = log_counts - np.logaddexp.reduce(log_counts)
        logits = logits + ops.convert_to_tensor(tau * log_prior, dtype=logits.dtype)
    return _cross_entropy_on_logits(labels, targets, logits)


def ldam_margins(class_counts: Sequence[float], max_margin: float = 0.5) -> np.ndarray:
    """LDAM's per-class margins ``C / n_j^(1/4)``, with ``C`` set so the largest is ``max_margin``.

    Examples
    --------
    >>> from skbalance.keras.losses import ldam_margins
    >>> ldam_margins([10000, 100, 1], max_margin=0.5).round(4).tolist()
    [0.05, 0.1581, 0.5]
    """
    counts = np.asarray(check_class_counts(class_counts))
    max_margin = check_positive("max_margin", max_margin)
    margins = counts**-0.25
    return margins * (max_margin / margins.max())


def ldam_loss(
    y_true,
    y_pred,
    class_counts: Sequence[float],
    max_margin: float = 0.5,
    scale: float = 30.0,
):
    """Label-distribution-aware margin loss (Cao et al., NeurIPS 2019) per sample.

    The true-class logit is lowered by the margin ``C / n_j^(1/4)`` of its class (rare classes
    get the largest margin, ``max_margin``), then softmax cross-entropy is taken on
    ``scale * logits``. The paper uses cosine logits (normalised features and weights, in
    ``[-1, 1]``) with ``scale=30``, the default here; for ordinary unnormalised logits use
    ``scale=1`` (as ``KerasBalancedClassifier(loss="ldam")`` does) and a ``max_margin`` on the
    scale of your logits.

    Parameters
    ----------
    y_true : tensor
        Integer class indices ``(n,)`` / ``(n, 1)``, or one-hot ``(n, k)``; 0/1 for a model with
        one output unit.
    y_pred : tensor
        Logits, ``(n, k)``; a single logit per sample is read as the two-class logits ``[0, z]``.
    class_counts : sequence of float
        Training-set count of each class, in class-index order; all > 0.
    max_margin : float, default=0.5
        Margin of the rarest class (> 0).
    scale : float, default=30.0
        Multiplier applied to the margin-adjusted logits (> 0); 30 is the paper's value for
        cosine logits.

    Returns
    -------
    tensor of shape ``(n,)``
        The loss of each sample (one per position when ``y_pred`` has more axes).

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import ldam_loss
    >>> logits = np.zeros((2, 2), dtype="float32")
    >>> loss = ldam_loss(np.array([0, 1]), logits, class_counts=[10000, 1], scale=1.0)
    >>> [round(float(v), 4) for v in loss]  # the rare class keeps a larger margin
    [0.7185, 0.9741]
    """
    margins = ldam_margins(class_counts, max_margin)
    scale = check_positive("scale", scale)
    y_pred, binary, labels, targets = _split_targets(y_true, y_pred, "ldam_loss")
    n_classes = _n_classes(y_pred, binary)
    check_vector_length("class_counts", margins, n_classes)
    logits = _binary_logits(y_pred) if binary else y_pred
    if targets is None:
        targets = ops.one_hot(labels, n_classes, dtype=logits.dtype)
    margins = ops.convert_to_tensor(margins, dtype=logits.dtype)
    logits = scale * (logits - targets * margins)
    return _cross_entropy_on_logits(labels, targets, logits)
