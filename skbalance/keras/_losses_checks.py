"""Argument validation for the losses: one home, used by the pure functions and the classes.

Each parameter check returns the value in the plain-Python form the losses keep (floats,
tuples of floats), so that configs are JSON-serializable and nothing holds on to the caller's
array. :func:`check_label_values` is the one check of ``y_true``'s values, for every loss.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from keras import ops

__all__ = [
    "check_alpha",
    "check_class_counts",
    "check_gamma",
    "check_label_smoothing",
    "check_label_values",
    "check_positive",
    "check_probability_values",
    "check_tau",
    "check_vector_length",
]


def _real(name: str, value, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}; got {value!r} of type {type(value).__name__}.")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {expected}; got {value}.")
    return value


def check_gamma(gamma) -> float:
    gamma = _real("gamma", gamma, "a finite number >= 0")
    if gamma < 0:
        raise ValueError(
            f"gamma must be >= 0 (0 is plain cross-entropy, 2 the paper's default); got {gamma}."
        )
    return gamma


def check_tau(tau) -> float:
    tau = _real("tau", tau, "a finite number >= 0")
    if tau < 0:
        raise ValueError(f"tau must be >= 0 (0 is plain cross-entropy, 1 the default); got {tau}.")
    return tau


def check_positive(name: str, value) -> float:
    value = _real(name, value, "a finite number > 0")
    if value <= 0:
        raise ValueError(f"{name} must be > 0; got {value}.")
    return value


def check_label_smoothing(label_smoothing) -> float:
    value = _real("label_smoothing", label_smoothing, "a number in [0, 1]")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1]; got {value}.")
    return value


def _vector(name: str, values, expected: str) -> np.ndarray:
    if isinstance(values, str | bytes | dict):
        raise TypeError(f"{name} must be {expected}; got {values!r}.")
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {expected}; got {values!r}.") from None
    if array.ndim != 1 or array.size < 2:
        raise ValueError(
            f"{name} must be {expected} (one entry per class, at least 2); got {values!r}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be {expected}; got non-finite entries in {values!r}.")
    return array


def check_alpha(alpha) -> float | tuple[float, ...] | None:
    """None, a float in [0, 1] (binary: the positive class's weight) or per-class weights."""
    if alpha is None:
        return None
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        alpha = _real("alpha", alpha, "a number in [0, 1]")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(
                f"alpha={alpha}: a single alpha is the positive class's weight (the negative "
                "class gets 1 - alpha), so it must be in [0, 1]; for arbitrary weights give "
                "one weight per class."
            )
        return alpha
    weights = _vector("alpha", alpha, "None, a float in [0, 1] or a sequence of class weights")
    if np.any(weights < 0):
        raise ValueError(f"alpha must hold non-negative class weights; got {weights.tolist()}.")
    return tuple(weights.tolist())


def check_class_counts(class_counts) -> tuple[float, ...]:
    """Positive, finite count (or frequency) of each class, in class-index order."""
    counts = _vector(
        "class_counts", class_counts, "a sequence of positive class counts in class-index order"
    )
    if np.any(counts <= 0):
        raise ValueError(
            "class_counts must all be > 0 (a class with no training samples has no prior; drop "
            f"it or give it a pseudo-count such as 1); got {counts.tolist()}."
        )
    return tuple(counts.tolist())


def check_vector_length(name: str, values, n_classes: int) -> None:
    """Per-class parameters must match the model's classes (checked when the loss is called)."""
    if len(values) != n_classes:
        raise ValueError(
            f"{name} has {len(values)} entries but the model has {n_classes} classes "
            f"(y_pred's last axis; a one-unit binary model has 2); give one entry per class."
        )


def concrete_values(tensor) -> np.ndarray | None:
    """The values of ``tensor`` if they exist now (eager execution), else None.

    While a compiled step is traced (``tf.function``, ``jax.jit``) or a functional model is
    built, a tensor is symbolic and has no values yet; reading them at run time would need a
    device-to-host copy at every step, so they are left unchecked.
    """
    if isinstance(tensor, np.ndarray):
        return tensor
    try:
        return np.asarray(ops.convert_to_numpy(tensor))
    except (RuntimeError, TypeError, ValueError):
        # Symbolic: TensorFlow graph tensors raise NotImplementedError (a RuntimeError), JAX
        # tracers a TypeError subclass, KerasTensor a ValueError.
        return None


def _first(values: np.ndarray, bad: np.ndarray) -> str:
    """The first offending value, as the caller wrote it (``-1``, ``1.5``, ``nan``)."""
    return repr(values.ravel()[np.flatnonzero(bad.ravel())[0]].item())


def _concrete_numbers(tensor, name: str, loss_name: str):
    """``(values as given, values as float64)`` when they exist now, else ``(None, None)``."""
    given = concrete_values(tensor)
    if given is None or given.size == 0:
        return None, None
    try:  # bfloat16 (ml_dtypes) has no NumPy kind letter, so convert rather than test dtypes
        return given, given.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{loss_name}: {name} must be numeric; got values of dtype {given.dtype}."
        ) from None


def check_label_values(y_true, kind: str, n_classes: int, loss_name: str) -> None:
    """Reject ``y_true`` values that cannot be labels of this format; eager calls only.

    ``kind`` is the format read from the shapes: ``"indices"`` (whole numbers in
    ``[0, n_classes)``), ``"binary"`` (0/1, or probabilities in ``[0, 1]``, for a model with
    one output unit) or ``"targets"`` (one-hot or soft rows, entries in ``[0, 1]``). Without
    this, a label of -1 would pick the last class and 1.5 would be truncated to 1. When the
    values are symbolic (see :func:`concrete_values`), nothing is checked.
    """
    given, values = _concrete_numbers(y_true, "y_true", loss_name)
    if values is None:
        return
    if kind == "indices":
        outside = ~((values >= 0) & (values < n_classes))  # NaN and inf are outside too
        if outside.any():
            raise ValueError(
                f"{loss_name}: with {n_classes} output units, y_true must hold class indices "
                f"in [0, {n_classes}), i.e. 0 to {n_classes - 1}; got {_first(given, outside)} "
                f"({int(outside.sum())} of {values.size} labels outside). Encode the labels "
                "as 0..k-1 (e.g. sklearn.preprocessing.LabelEncoder) and give the model one "
                "output unit per class."
            )
        fractional = values != np.floor(values)
        if fractional.any():
            raise ValueError(
                f"{loss_name}: class indices in y_true must be whole numbers; got "
                f"{_first(given, fractional)} ({int(fractional.sum())} of {values.size} "
                f"labels fractional). For soft labels, give probability rows of shape "
                f"(n, {n_classes}) instead."
            )
        return
    outside = ~((values >= 0) & (values <= 1))
    if not outside.any():
        return
    if kind == "binary":
        raise ValueError(
            f"{loss_name}: a model with one output unit is binary: y_true must hold 0/1 "
            f"labels (or probabilities in [0, 1]); got {_first(given, outside)} "
            f"({int(outside.sum())} of {values.size} labels outside). With more than two "
            "classes, give the model one output unit per class."
        )
    raise ValueError(
        f"{loss_name}: y_true of shape (..., {n_classes}) is read as one-hot (or soft) "
        f"targets, whose entries must lie in [0, 1]; got {_first(given, outside)}. Integer "
        "class indices go in shape (n,) or (n, 1)."
    )


def check_probability_values(y_pred, loss_name: str) -> None:
    """Reject ``y_pred`` entries outside ``[0, 1]`` where probabilities are expected (a loss
    with ``from_logits=False``); eager calls only, as :func:`check_label_values`.

    Logits given as probabilities would otherwise be renormalised into a finite, meaningless
    loss with no error at all.
    """
    given, values = _concrete_numbers(y_pred, "y_pred", loss_name)
    if values is None:
        return
    outside = ~((values >= 0) & (values <= 1))
    if outside.any():
        raise ValueError(
            f"{loss_name}: with from_logits=False, y_pred must hold probabilities in [0, 1] "
            f"(a softmax or sigmoid output); got {_first(given, outside)} "
            f"({int(outside.sum())} of {values.size} entries outside). If the model outputs "
            "logits (no final softmax/sigmoid), use from_logits=True."
        )
