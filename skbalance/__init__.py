"""skbalance: class-imbalance handling for deep learning as plain scikit-learn estimators.

Importing ``skbalance`` (and ``skbalance.sampling``, ``skbalance.pipeline``,
``skbalance.weights``) never imports TensorFlow: the Keras-dependent names below are loaded
on first access (PEP 562), so resamplers and weights stay fast to import.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> module that defines it; nothing here is imported until it is first used.
_LAZY = {
    # non-Keras
    "compute_class_weight": "skbalance.weights",
    "compute_sample_weight": "skbalance.weights",
    "Pipeline": "skbalance.pipeline",
    "make_pipeline": "skbalance.pipeline",
    "ResampledClassifier": "skbalance.pipeline",
    "compare_strategies": "skbalance.compare",
    "make_long_tailed": "skbalance.datasets",
    "load_digits_long_tailed": "skbalance.datasets",
    "geometric_mean_score": "skbalance.metrics",
    # Keras (imports TensorFlow on first access)
    "KerasBalancedClassifier": "skbalance.keras",
    "BalancedDataset": "skbalance.keras",
}

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'skbalance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
