"""Distribution-balanced loss (Wu et al., ECCV 2020) for multi-label targets.

T. Wu, Q. Huang, Z. Liu, Y. Wang, D. Lin, "Distribution-Balanced Loss for Multi-Label
Classification in Long-Tailed Datasets", ECCV 2020. Public through
:mod:`skbalance.keras.losses`; shapes, label checks and the per-label plumbing are those of
:mod:`skbalance.keras._losses_multilabel`.

Two corrections to binary cross-entropy, per label ``i`` of a sample ``k``:

- **Re-balanced weighting.** A sample with a frequent *and* a rare label is over-sampled by
  class-aware sampling for the rare one, which also over-counts its frequent label. The weight
  ``r_ki = (1 / n_i) / sum_{j positive in k} (1 / n_j)`` (the label's share of the sample's
  sampling probability) corrects that, smoothed to ``w_ki = floor + sigmoid(slope * (r_ki -
  center))``; it multiplies both the positive and the negative term of every label of ``k``
  (a sample without any positive label gets ``floor + 1``).
- **Negative-tolerant regularisation.** The logit is shifted by ``bias_scale / neg_scale``
  times the label's prior log-odds ``log(pi_i / (1 - pi_i))`` (a rare label starts low, so its
  many negatives are not over-suppressed), and the negative term is
  ``softplus(neg_scale * z') / neg_scale`` instead of ``softplus(z')``: a steep loss that
  flattens once a negative is below the threshold.

Both terms carry the focal factor ``(1 - p_t)^gamma`` of the (shifted, scaled) logit. The
defaults are the authors' published configuration (COCO-MLT and VOC-MLT): ``floor=0.1``,
``slope=10``, ``center=0.2``, ``neg_scale=2``, ``bias_scale=0.05``, ``gamma=2``. Their code
also multiplies the loss by a constant 2 (``balance_param``), which only rescales the learning
rate and is left out here.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from skbalance.keras._losses_checks import _real, check_gamma, check_positive
from skbalance.keras._losses_multilabel import (
    _check_length,
    _check_positive_rates,
    _check_weights,
    _indicator_pair,
    _MultilabelLoss,
    _per_label,
)

__all__ = ["DistributionBalancedLoss", "distribution_balanced_loss"]


def _check_nonnegative(name: str, value) -> float:
    value = _real(name, value, "a finite number >= 0")
    if value < 0:
        raise ValueError(f"{name} must be >= 0; got {value}.")
    return value


def _check_parameters(gamma, floor, slope, center, neg_scale, bias_scale) -> dict:
    """The loss's scalar parameters, checked, as the floats the class keeps in its config."""
    return {
        "gamma": check_gamma(gamma),
        "floor": _check_nonnegative("floor", floor),
        "slope": _check_nonnegative("slope", slope),
        "center": _real("center", center, "a finite number"),
        "neg_scale": check_positive("neg_scale", neg_scale),
        "bias_scale": _check_nonnegative("bias_scale", bias_scale),
    }


def distribution_balanced_loss(
    y_true,
    y_pred,
    positive_rates: Sequence[float],
    gamma: float = 2.0,
    floor: float = 0.1,
    slope: float = 10.0,
    center: float = 0.2,
    neg_scale: float = 2.0,
    bias_scale: float = 0.05,
    positive_weights: Sequence[float] | None = None,
    negative_weights: Sequence[float] | None = None,
):
    """Distribution-balanced loss (Wu et al., ECCV 2020) per sample, on logits.

    Per label ``i`` of sample ``k``, with the shifted logit
    ``z' = z + (bias_scale / neg_scale) * log(pi_i / (1 - pi_i))`` and the re-balancing
    weight ``w_ki`` (see the module docstring)::

        y:      w_ki * (1 - sigmoid(z'))^gamma * softplus(-z')
        1 - y:  w_ki / neg_scale * sigmoid(neg_scale * z')^gamma * softplus(neg_scale * z')

    averaged over the labels.

    Parameters
    ----------
    y_true : tensor of shape (n, L)
        Label indicator (0/1; soft targets in [0, 1] are allowed).
    y_pred : tensor of shape (n, L)
        Logits.
    positive_rates : sequence of float
        Each label's fraction of positive training rows ``pi_i``, in (0, 1) (e.g.
        ``Y.mean(axis=0)``); the re-balancing weights use their ratios (the label counts
        ``n_i`` up to a common factor).
    gamma : float, default=2.0
        Focusing parameter (>= 0; 0 switches the focal factor off).
    floor, slope, center : float, default=0.1, 10.0, 0.2
        The smoothing ``w = floor + sigmoid(slope * (r - center))`` of the re-balancing weight
        (the paper's alpha, beta, mu); ``floor >= 0``, ``slope >= 0`` (0 with ``floor=0.5``
        gives every weight 1), any finite ``center``.
    neg_scale : float, default=2.0
        The negative-tolerant scale (the paper's lambda, > 0; 1 is plain softplus).
    bias_scale : float, default=0.05
        The weight of the prior log-odds in the logit shift (the paper's kappa, >= 0).
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights (>= 0), multiplied on top.

    Returns
    -------
    tensor of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import distribution_balanced_loss
    >>> y = np.array([[1, 0, 0], [1, 0, 1]])
    >>> logits = np.array([[2.0, -1.0, 0.0], [0.5, -3.0, -0.5]], dtype="float32")
    >>> loss = distribution_balanced_loss(y, logits, positive_rates=[0.5, 0.2, 0.05])
    >>> [round(float(v), 4) for v in loss]
    [0.0254, 0.1609]
    """
    rates = _check_positive_rates(positive_rates)
    params = _check_parameters(gamma, floor, slope, center, neg_scale, bias_scale)
    gamma, floor, slope = params["gamma"], params["floor"], params["slope"]
    center, neg_scale, bias_scale = params["center"], params["neg_scale"], params["bias_scale"]
    positive_weights = _check_weights("positive_weights", positive_weights)
    negative_weights = _check_weights("negative_weights", negative_weights)
    y, logits = _indicator_pair(y_true, y_pred, "distribution_balanced_loss")
    n_labels, dtype = logits.shape[-1], logits.dtype
    _check_length("positive_rates", rates, n_labels)
    positive_weights = _per_label("positive_weights", positive_weights, n_labels, dtype)
    negative_weights = _per_label("negative_weights", negative_weights, n_labels, dtype)

    rates_array = np.asarray(rates)
    # 1 / n_i up to a common factor, scaled so the largest is 1 (no overflow for tiny rates).
    inverse = ops.convert_to_tensor(rates_array.min() / rates_array, dtype=dtype)
    share = ops.sum(y * inverse, axis=-1, keepdims=True)
    # A sample without positives has no sampling share: r is infinite and its weight
    # floor + 1, as in the authors' code; the floor keeps the division finite.
    ratio = inverse / ops.maximum(share, np.finfo(np.float32).tiny)
    weight = floor + ops.sigmoid(slope * (ratio - center))
    weight = ops.stop_gradient(weight)  # a function of the labels only

    if bias_scale != 0.0:
        log_odds = np.log(rates_array) - np.log1p(-rates_array)
        logits = logits + ops.convert_to_tensor(bias_scale / neg_scale * log_odds, dtype=dtype)
    scaled = neg_scale * logits
    # log-space focal factors: (1 - sigmoid(z'))^gamma = exp(gamma * log_sigmoid(-z')).
    positive = ops.softplus(-logits)
    negative = ops.softplus(scaled) / neg_scale
    if gamma > 0.0:
        positive = positive * ops.exp(gamma * ops.log_sigmoid(-logits))
        negative = negative * ops.exp(gamma * ops.log_sigmoid(scaled))
    if positive_weights is not None:
        positive = positive * positive_weights
    if negative_weights is not None:
        negative = negative * negative_weights
    return ops.mean(weight * (y * positive + (1.0 - y) * negative), axis=-1)


@keras.saving.register_keras_serializable(package="skbalance")
class DistributionBalancedLoss(_MultilabelLoss):
    """Distribution-balanced loss (Wu et al., ECCV 2020) for multi-label targets, on logits.

    Re-balanced weighting (a sample's rare labels count more than its frequent ones, smoothed)
    plus negative-tolerant regularisation (the negatives of a rare label are not
    over-suppressed), on a focal binary cross-entropy; see
    :func:`distribution_balanced_loss`. Per-label ``positive_weights`` and
    ``negative_weights`` multiply on top, as in the other multi-label losses.

    Parameters
    ----------
    positive_rates : sequence of float
        Each label's fraction of positive training rows, in (0, 1), in column order.
    gamma, floor, slope, center, neg_scale, bias_scale
        See :func:`distribution_balanced_loss`; the defaults are the authors'.
    positive_weights, negative_weights : sequence of float, default=None
        Optional per-label weights (>= 0).
    reduction, name, dtype
        As for any ``keras.losses.Loss``; the value of a sample is its mean over the labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import DistributionBalancedLoss
    >>> loss = DistributionBalancedLoss(positive_rates=[0.5, 0.2, 0.05])
    >>> y = np.array([[1, 0, 0], [1, 0, 1]])
    >>> logits = np.array([[2.0, -1.0, 0.0], [0.5, -3.0, -0.5]], dtype="float32")
    >>> round(float(loss(y, logits)), 4)
    0.0931
    """

    def __init__(
        self,
        positive_rates: Sequence[float],
        gamma: float = 2.0,
        floor: float = 0.1,
        slope: float = 10.0,
        center: float = 0.2,
        neg_scale: float = 2.0,
        bias_scale: float = 0.05,
        positive_weights: Sequence[float] | None = None,
        negative_weights: Sequence[float] | None = None,
        reduction: str | None = "sum_over_batch_size",
        name: str = "distribution_balanced_loss",
        dtype=None,
    ):
        super().__init__(
            positive_weights, negative_weights, name=name, reduction=reduction, dtype=dtype
        )
        self.positive_rates = _check_positive_rates(positive_rates)
        params = _check_parameters(gamma, floor, slope, center, neg_scale, bias_scale)
        self.gamma, self.floor, self.slope = params["gamma"], params["floor"], params["slope"]
        self.center, self.neg_scale = params["center"], params["neg_scale"]
        self.bias_scale = params["bias_scale"]

    def call(self, y_true, y_pred):
        return distribution_balanced_loss(
            y_true,
            y_pred,
            positive_rates=self.positive_rates,
            gamma=self.gamma,
            floor=self.floor,
            slope=self.slope,
            center=self.center,
            neg_scale=self.neg_scale,
            bias_scale=self.bias_scale,
            positive_weights=self.positive_weights,
            negative_weights=self.negative_weights,
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "positive_rates": list(self.positive_rates),
            "gamma": self.gamma,
            "floor": self.floor,
            "slope": self.slope,
            "center": self.center,
            "neg_scale": self.neg_scale,
            "bias_scale": self.bias_scale,
        }
