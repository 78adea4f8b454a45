"""Keras losses for class imbalance: focal loss and the long-tail losses that grew out of it.

Each loss is a pure function over ``keras.ops`` (it runs on the TensorFlow, JAX and PyTorch
backends) returning one value per sample, plus a thin ``keras.losses.Loss`` class around it,
registered as ``skbalance>ClassName`` when this module is imported, so that a model compiled
with it saves to ``.keras`` and reloads with ``keras.saving.load_model`` and no
``custom_objects``. Sample weights and reduction are the Keras base class's.

Label formats (every loss):

- a model with **one output unit** (``y_pred`` of shape ``(n,)`` or ``(n, 1)``) is binary:
  ``y_true`` holds 0/1 of shape ``(n,)`` or ``(n, 1)``, and the loss is exactly that of the
  two-class model with logits ``[0, z]`` (probabilities ``[1 - p, p]``);
- a model with **k >= 2 output units** takes integer class indices of shape ``(n,)`` or
  ``(n, 1)``, or one-hot (or soft) targets of shape ``(n, k)``; both give the same value. The
  format is read from the static shapes: ``y_true`` with the rank of ``y_pred`` and ``k``
  entries on its last axis is one-hot; anything else is integer indices.

Label values are checked, by one rule for every loss, whenever the loss runs eagerly (a
direct call, ``model.compile(run_eagerly=True)``, the PyTorch backend): class indices must be
whole numbers in ``[0, k)`` (a ``-1`` is not "the last class"), one-hot or soft targets and
binary labels must lie in ``[0, 1]`` (binary soft targets are allowed); anything else is a
``ValueError`` naming the first bad value. Inside a compiled step (``tf.function``, ``jax.jit``,
i.e. an ordinary ``model.fit`` on TensorFlow or JAX) the values do not exist while the step is
traced, and checking them at run time would cost a device-to-host copy every step, so they are
not checked there: run one eager call (``loss(y[:1000], model(x[:1000]))``) to validate new
label data.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from skbalance.keras._losses_checks import (
    check_alpha,
    check_class_counts,
    check_gamma,
    check_label_smoothing,
    check_positive,
    check_tau,
)
from skbalance.keras._losses_distribution_balanced import (
    DistributionBalancedLoss,
    distribution_balanced_loss,
)
from skbalance.keras._losses_functions import (
    focal_loss,
    ldam_loss,
    ldam_margins,
    logit_adjusted_loss,
)
from skbalance.keras._losses_multilabel import (
    AsymmetricLoss,
    MultilabelFocalLoss,
    MultilabelLogitAdjustedLoss,
    asymmetric_loss,
    multilabel_focal_loss,
    multilabel_logit_adjusted_loss,
)

__all__ = [
    "AsymmetricLoss",
    "DistributionBalancedLoss",
    "distribution_balanced_loss",
    "MultilabelFocalLoss",
    "MultilabelLogitAdjustedLoss",
    "asymmetric_loss",
    "multilabel_focal_loss",
    "multilabel_logit_adjusted_loss",
    "BalancedSoftmaxLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "focal_loss",
    "ldam_loss",
    "ldam_margins",
    "logit_adjusted_loss",
]


class _SkbalanceLoss(keras.losses.Loss):
    """Shared plumbing: the config carries the dtype policy as well as name and reduction."""

    def get_config(self) -> dict:
        config = super().get_config()
        config["dtype"] = self._dtype_policy.name
        return config


@keras.saving.register_keras_serializable(package="skbalance")
class FocalLoss(_SkbalanceLoss):
    """Focal loss (Lin et al., ICCV 2017): ``-alpha_t (1 - p_t)^gamma log p_t``.

    Down-weights the easy, well-classified samples (mostly the majority class) so that the
    gradient comes from the hard ones. Works with one sigmoid unit (binary) or k softmax units,
    with integer or one-hot labels alike (see :func:`focal_loss`).

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter (>= 0). ``gamma=0`` and ``alpha=None`` is exactly cross-entropy.
    alpha : float, sequence of float or None, default=None
        Binary models: a float weights the positive class by ``alpha`` and the negative one by
        ``1 - alpha`` (as Keras' ``BinaryFocalCrossentropy(apply_class_balancing=True)``).
        Any model: one weight per class, in class-index order.
    from_logits : bool, default=False
        Whether the model outputs logits (no final sigmoid/softmax); the safest choice.
    label_smoothing : float, default=0.0
        In ``[0, 1]``: targets become ``y (1 - label_smoothing) + label_smoothing / k``.
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> import keras
    >>> from skbalance.keras.losses import FocalLoss
    >>> loss = FocalLoss(gamma=2.0, alpha=[0.25, 0.75], from_logits=True)
    >>> logits = np.array([[1.5, -0.5], [0.2, 0.1]], dtype="float32")
    >>> round(float(loss(np.array([0, 1]), logits)), 4)
    0.0772
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    >>> model.compile(optimizer="adam", loss=FocalLoss(from_logits=True))
    """

    def __init__(
        self,
        gamma: float = 2.0,
        alpha: float | Sequence[float] | None = None,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "focal_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.gamma = check_gamma(gamma)
        self.alpha = check_alpha(alpha)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)

    def call(self, y_true, y_pred):
        return focal_loss(
            y_true,
            y_pred,
            gamma=self.gamma,
            alpha=self.alpha,
            from_logits=self.from_logits,
            label_smoothing=self.label_smoothing,
        )

    def get_config(self) -> dict:
        alpha = list(self.alpha) if isinstance(self.alpha, tuple) else self.alpha
        return {
            **super().get_config(),
            "gamma": self.gamma,
            "alpha": alpha,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


@keras.saving.register_keras_serializable(package="skbalance")
class LogitAdjustedLoss(_SkbalanceLoss):
    """Logit-adjusted cross-entropy (Menon et al., ICLR 2021), on logits.

    Cross-entropy on ``logits + tau * log(prior)``: the model learns logits whose ``argmax``
    is the balanced (prior-free) decision, so rare classes are predicted fairly without any
    post-hoc threshold. ``tau=0`` is plain cross-entropy; ``tau=1`` is
    :class:`BalancedSoftmaxLoss`.

    Parameters
    ----------
    class_counts : sequence of float
        Training-set count of each class in class-index order (all > 0); its length must match
        the model's classes (checked when the loss is first called).
    tau : float, default=1.0
        Strength of the adjustment (>= 0).
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import LogitAdjustedLoss
    >>> loss = LogitAdjustedLoss(class_counts=[900, 90, 10], tau=1.0)
    >>> logits = np.zeros((2, 3), dtype="float32")
    >>> round(float(loss(np.array([0, 2]), logits)), 4)
    2.3553
    """

    def __init__(
        self,
        class_counts: Sequence[float],
        tau: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "logit_adjusted_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.class_counts = check_class_counts(class_counts)
        self.tau = check_tau(tau)

    def call(self, y_true, y_pred):
        return logit_adjusted_loss(y_true, y_pred, class_counts=self.class_counts, tau=self.tau)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_counts": list(self.class_counts), "tau": self.tau}


@keras.saving.register_keras_serializable(package="skbalance")
class BalancedSoftmaxLoss(LogitAdjustedLoss):
    """Balanced softmax (Ren et al., NeurIPS 2020): :class:`LogitAdjustedLoss` with ``tau=1``.

    Parameters
    ----------
    class_counts : sequence of float
        Training-set count of each class in class-index order (all > 0).
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import BalancedSoftmaxLoss
    >>> loss = BalancedSoftmaxLoss(class_counts=[900, 90, 10])
    >>> logits = np.zeros((2, 3), dtype="float32")
    >>> round(float(loss(np.array([0, 2]), logits)), 4)
    2.3553
    """

    def __init__(
        self,
        class_counts: Sequence[float],
        reduction: str | None = "sum_over_batch_size",
        name: str = "balanced_softmax_loss",
        dtype=None,
    ):
        super().__init__(class_counts, tau=1.0, reduction=reduction, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["tau"]  # fixed at 1: not a parameter of this class
        return config


@keras.saving.register_keras_serializable(package="skbalance")
class LDAMLoss(_SkbalanceLoss):
    """Label-distribution-aware margin loss (Cao et al., NeurIPS 2019), on logits.

    Subtracts a class-dependent margin ``C / n_j^(1/4)`` (largest, ``max_margin``, for the
    rarest class) from the true-class logit, then takes cross-entropy on ``scale * logits``:
    rare classes must be won by a wider margin, which tightens their generalisation bound.

    The default ``scale=30`` is the paper's, for cosine logits (normalised features and
    weights, in ``[-1, 1]``). With an ordinary ``Dense`` output layer, use ``scale=1``: that
    is what ``KerasBalancedClassifier(loss="ldam")`` builds, because its networks output
    ordinary logits, whose range is not bounded like a cosine's: multiplied by 30, they
    saturate the softmax. To use another scale with the classifier, pass
    ``loss=LDAMLoss(counts, scale=...)``.

    Parameters
    ----------
    class_counts : sequence of float
        Training-set count of each class in class-index order (all > 0).
    max_margin : float, default=0.5
        Margin of the rarest class (> 0).
    scale : float, default=30.0
        Multiplier of the margin-adjusted logits (> 0); the paper's value for cosine logits
        (``KerasBalancedClassifier(loss="ldam")`` uses 1, for ordinary logits).
    reduction, name, dtype
        As for any ``keras.losses.Loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras.losses import LDAMLoss
    >>> loss = LDAMLoss(class_counts=[1000, 10], max_margin=0.5, scale=1.0)
    >>> logits = np.array([[2.0, -1.0], [0.0, 1.0]], dtype="float32")
    >>> round(float(loss(np.array([0, 1]), logits)), 4)
    0.2654
    """

    def __init__(
        self,
        class_counts: Sequence[float],
        max_margin: float = 0.5,
        scale: float = 30.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "ldam_loss",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.class_counts = check_class_counts(class_counts)
        self.max_margin = check_positive("max_margin", max_margin)
        self.scale = check_positive("scale", scale)

    def call(self, y_true, y_pred):
        return ldam_loss(
            y_true,
            y_pred,
            class_counts=self.class_counts,
            max_margin=self.max_margin,
            scale=self.scale,
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "class_counts": list(self.class_counts),
            "max_margin": self.max_margin,
            "scale": self.scale,
        }
