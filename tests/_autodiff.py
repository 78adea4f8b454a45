"""Automatic differentiation and compilation through the running Keras backend, for tests.

One home for what the loss tests need from the backend itself: a gradient as a training step
computes it, and a function compiled as a training step is (TensorFlow, JAX or PyTorch).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest


def values(tensor) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(tensor), np.float64)


def loss_and_gradient(loss, y_true, y_pred):
    """The loss and its gradient with respect to ``y_pred`` (of the sum over rows), through
    the running backend's own automatic differentiation, as a training step computes it."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        y_pred = tf.constant(y_pred)
        with tf.GradientTape() as tape:
            tape.watch(y_pred)
            value = loss(y_true, y_pred)
        return values(value), values(tape.gradient(value, y_pred))
    if backend == "jax":
        import jax

        def total(prediction):
            value = loss(y_true, prediction)
            return jax.numpy.sum(value), value

        grad, value = jax.grad(total, has_aux=True)(jax.numpy.asarray(y_pred))
        return values(value), values(grad)
    if backend == "torch":
        import torch

        prediction = torch.tensor(y_pred, requires_grad=True)
        value = loss(y_true, prediction)
        value.sum().backward()
        return values(value), values(prediction.grad)
    pytest.skip(f"no gradient helper for the {backend} backend")


def compiled(function):
    """``function`` compiled the way the running backend compiles a training step (its values
    are symbolic while it is traced); PyTorch's Keras steps run eagerly, so it is unchanged."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(function)
    if backend == "jax":
        import jax

        return jax.jit(function)
    return function
