"""Everything in skbalance that needs Keras: losses, the balanced training feed, the classifier.

Importing this package imports Keras (and so TensorFlow). The names are resolved from their
one home module on first access, so ``from skbalance.keras import FocalLoss`` does not pay for
the classifier module and vice versa.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "FocalLoss": "skbalance.keras.losses",
    "LogitAdjustedLoss": "skbalance.keras.losses",
    "BalancedSoftmaxLoss": "skbalance.keras.losses",
    "LDAMLoss": "skbalance.keras.losses",
    "focal_loss": "skbalance.keras.losses",
    "logit_adjusted_loss": "skbalance.keras.losses",
    "ldam_loss": "skbalance.keras.losses",
    "ldam_margins": "skbalance.keras.losses",
    "AsymmetricLoss": "skbalance.keras.losses",
    "DistributionBalancedLoss": "skbalance.keras.losses",
    "distribution_balanced_loss": "skbalance.keras.losses",
    "MultilabelFocalLoss": "skbalance.keras.losses",
    "MultilabelLogitAdjustedLoss": "skbalance.keras.losses",
    "asymmetric_loss": "skbalance.keras.losses",
    "multilabel_focal_loss": "skbalance.keras.losses",
    "multilabel_logit_adjusted_loss": "skbalance.keras.losses",
    "BalancedDataset": "skbalance.keras.feed",
    "KerasBalancedClassifier": "skbalance.keras.classifier",
    "PriorCorrectionWarning": "skbalance.keras._prior",
}

__all__ = sorted(_LAZY)

# Keras loads TensorFlow on its first import; where the user asked TensorFlow to be quiet
# (TF_CPP_MIN_LOG_LEVEL, as the command line and the examples do), its start-up lines must not
# slip past the switch (see skbalance/_tf_start.py).
from skbalance._tf_start import import_tensorflow_quietly  # noqa: E402

import_tensorflow_quietly()

# Registering the serializable losses (``skbalance>FocalLoss``, ...) on ``import skbalance.keras``
# lets ``keras.saving.load_model`` find them without ``custom_objects``.
from skbalance.keras import losses as _losses  # noqa: E402,F401


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'skbalance.keras' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
