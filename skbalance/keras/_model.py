"""Building the network behind :class:`~skbalance.keras.KerasBalancedClassifier`.

One home for everything that turns the estimator's ``model`` parameter into a fresh Keras
model that outputs logits: the default MLP, cloning a user's model, seeding the build,
detecting (and removing) a final softmax/sigmoid, refusing probabilities whatever layer makes
them, loading a previous fit's weights for a warm start, and refusing a network that training
drove to non-finite weights.
"""

from __future__ import annotations

import contextlib
import random
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence

import keras
import numpy as np

__all__ = [
    "build_network",
    "check_finite_weights",
    "check_network_output",
    "load_weights",
    "seeded_build",
]

_PROBABILITY_ACTIVATIONS = {"softmax", "sigmoid"}
# Every network build_network has returned (and what a model callable returned for it), so that
# a callable handing back a network it already gave - a prebuilt one captured by a lambda - is
# caught: training it again would continue the previous fit instead of starting a new one, and
# would change a fitted estimator's model_ in place.
_BUILT_NETWORKS: weakref.WeakSet = weakref.WeakSet()


class _ThreadSeeds:
    """Keras' default-seed source while networks are being built (see :func:`seeded_build`).

    A thread inside :func:`seeded_build` draws from its own ``random.Random(seed)``; every other
    thread reaches the source Keras had before (Python's :mod:`random` module), unchanged.
    """

    def __init__(self, fallback, local: threading.local) -> None:
        self._fallback = fallback
        self._local = local

    def __getattr__(self, name: str):
        rng = getattr(self._local, "rng", None)
        return getattr(self._fallback if rng is None else rng, name)


class _BuildScope:
    """Installs :class:`_ThreadSeeds` while at least one thread builds, and restores Keras' own.

    Threads build concurrently (threaded Dask workers, joblib's threading backend): the stand-in
    is installed by the first build to enter and removed by the last to leave, under a lock, so
    no build ever runs without it and none outlives the last build.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._builds = 0
        self._original = None
        self._stand_in = None
        self.local = threading.local()

    def enter(self, module) -> None:
        with self._lock:
            if self._builds == 0:
                self._original = module.python_random
                self._stand_in = _ThreadSeeds(self._original, self.local)
                module.python_random = self._stand_in
            self._builds += 1

    def leave(self, module) -> None:
        with self._lock:
            self._builds -= 1
            if self._builds == 0:
                # Put back what was there, unless someone else replaced the stand-in meanwhile.
                if module.python_random is self._stand_in:
                    module.python_random = self._original
                self._original = self._stand_in = None


_BUILD_SCOPE = _BuildScope()


def _keras_seed_module():
    """Keras' private module whose ``python_random`` gives unseeded layers their seeds, or None."""
    try:
        from keras.src.random import seed_generator
    except ImportError:  # pragma: no cover - a Keras without this private module
        return None
    return seed_generator if hasattr(seed_generator, "python_random") else None


@contextlib.contextmanager
def seeded_build(seed: int) -> Iterator[None]:
    """Seed, from ``seed``, the initializers and dropout layers that a network build creates.

    Keras 3 gives every initializer or ``SeedGenerator`` created with ``seed=None`` a seed drawn
    from Python's :mod:`random` module (``make_default_seed`` in the private
    ``keras.src.random.seed_generator``, through its module attribute ``python_random``), and
    offers no public seed scope: only ``keras.utils.set_random_seed``, which reseeds Python,
    NumPy and the backend globally. A network someone else builds - a user's callable, a clone
    of a user's instance - can only be seeded there: its variables do not keep their
    initializers (``Variable._initializer`` is None once initialised), so re-initialising them
    afterwards is not possible in general, and would also overwrite weights a callable loaded
    on purpose (a pretrained backbone).

    So, for the duration of the ``with`` block only, ``python_random`` becomes a stand-in
    through which this thread draws from its own ``random.Random(seed)``, while every other
    thread reaches Python's :mod:`random` as before; the last build to leave restores the
    original. A Dask worker's event loop drawing from :mod:`random` meanwhile disturbs nothing
    (seeding the global module instead was measured to fail: with a thread calling
    ``random.random()``, 20 of 20 seeded builds differed), and no global state - Python's,
    NumPy's, the backend's - is read or changed. Should Keras' private module ever move, the
    network is built unseeded, with a warning.
    """
    module = _keras_seed_module()
    if module is None:  # pragma: no cover - other Keras versions
        warnings.warn(
            "This Keras version has no keras.src.random.seed_generator.python_random: the "
            "initial weights of a model callable or keras.Model instance are not seeded by "
            "random_state (the default MLP's are).",
            RuntimeWarning,
            stacklevel=3,
        )
        yield
        return
    _BUILD_SCOPE.enter(module)
    local = _BUILD_SCOPE.local
    previous = getattr(local, "rng", None)  # a build nested in another one's callable
    local.rng = random.Random(seed)
    try:
        yield
    finally:
        local.rng = previous
        _BUILD_SCOPE.leave(module)


def _derived_seed(seed: int, *key: int) -> int:
    """An independent seed for one draw of a build, in [0, 2**31): every backend's seed dtype."""
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1)[0] >> 1)


def _default_mlp(
    input_shape: tuple[int, ...],
    n_outputs: int,
    hidden_units: Sequence[int],
    dropout: float,
    seed: int,
) -> keras.Model:
    """Our MLP, every random draw given an explicit seed derived from ``seed``.

    Keras' defaults otherwise (Glorot-uniform kernels, zero biases): explicit seeds make the
    build independent of any global or default seed source, on every backend.
    """
    inputs = keras.Input(shape=input_shape)
    # Images or sequences reach the default network too: it sees them as flat feature vectors.
    hidden = keras.layers.Flatten()(inputs) if len(input_shape) > 1 else inputs
    for index, units in enumerate(hidden_units):
        kernel = keras.initializers.GlorotUniform(seed=_derived_seed(seed, index, 0))
        hidden = keras.layers.Dense(units, activation="relu", kernel_initializer=kernel)(hidden)
        if dropout > 0:
            hidden = keras.layers.Dropout(dropout, seed=_derived_seed(seed, index, 1))(hidden)
    kernel = keras.initializers.GlorotUniform(seed=_derived_seed(seed, len(hidden_units), 0))
    logits = keras.layers.Dense(n_outputs, kernel_initializer=kernel, name="logits")(hidden)
    return keras.Model(inputs, logits, name="balanced_mlp")


def _activation_name(layer) -> str | None:
    """Name of the activation a layer applies last, or None when it is not a known one."""
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    name = getattr(activation, "__name__", None) or str(activation)
    return name if name in _PROBABILITY_ACTIVATIONS else None


def _strip_probability_activation(model: keras.Model) -> tuple[keras.Model, str | None]:
    """Return ``(model, removed)``: the same network emitting logits, and what was removed.

    A final ``softmax``/``sigmoid`` would make the logit-based losses and ``decision_function``
    silently wrong, so it is removed: on a layer that has an ``activation`` attribute (Dense,
    Conv, Activation, ...) it is set to linear; a ``Softmax`` layer is cut off.
    """
    if not model.layers:
        return model, None
    last = model.layers[-1]
    removed = _activation_name(last)
    if removed is None:
        return model, None
    if isinstance(last, keras.layers.Softmax) or isinstance(last, keras.layers.Activation):
        # A pure activation layer: the logits are its input.
        if isinstance(model, keras.Sequential):
            return keras.Sequential(model.layers[:-1], name=model.name), removed
        return keras.Model(model.input, last.input, name=model.name), removed
    last.activation = keras.activations.linear
    return model, removed


def build_network(
    model,
    *,
    input_shape: tuple[int, ...],
    n_classes: int,
    hidden_units: Sequence[int],
    dropout: float,
    seed: int,
) -> tuple[keras.Model, str | None]:
    """Return ``(network, removed_activation)``: a fresh, untrained network that outputs logits.

    ``model`` is the estimator's parameter: None (default MLP with ``n_classes`` logits), a
    callable ``model(input_shape, n_classes)``, or a ``keras.Model`` instance, which is cloned
    with fresh weights (the user's object is never trained). ``seed`` fixes every initial
    weight and every dropout or noise layer's sequence: explicitly for the default MLP, through
    :func:`seeded_build` for a user's network.
    """
    if model is None:
        network = _default_mlp(input_shape, n_classes, hidden_units, dropout, seed)
    else:
        with seeded_build(seed):
            network = _build_user_network(model, input_shape, n_classes)
    network, removed = _strip_probability_activation(network)
    _BUILT_NETWORKS.add(network)
    return network, removed


def _build_user_network(model, input_shape: tuple[int, ...], n_classes: int) -> keras.Model:
    """The network of a model callable or a clone of a ``keras.Model``; run in a seeded build."""
    if isinstance(model, keras.Model):
        network = keras.models.clone_model(model)
    elif isinstance(model, Callable):
        network = model(input_shape, n_classes)
        if not isinstance(network, keras.Model):
            raise TypeError(
                "model(input_shape, n_classes) must return a keras.Model; "
                f"it returned {type(network).__name__}."
            )
        if network in _BUILT_NETWORKS:
            raise ValueError(
                "model(input_shape, n_classes) returned a network it had already returned "
                "for an earlier fit; it must build a new keras.Model at every call (or "
                "pass the keras.Model itself as model, which is cloned at every fit)."
            )
        _BUILT_NETWORKS.add(network)
    else:  # pragma: no cover - excluded by _parameter_constraints
        raise TypeError(f"model must be None, a callable or a keras.Model; got {model!r}.")
    if not network.built:
        # A Sequential without an Input, or a subclassed model, creates its weights at its
        # first call - with initializers such as add_weight(initializer="random_normal") that
        # draw their seed only then: that call must happen inside the seeded build.
        try:
            network(np.zeros((1, *input_shape), dtype="float32"), training=False)
        except Exception:  # noqa: BLE001 - check_network_output reports a network that fails
            pass
    return network


# Probes of the output check. The network runs on its sample and on standard-normal rows, each
# negated and scaled by 1000: the logits of a fresh network move with them (a ReLU network with
# Keras' zero initial biases is positively homogeneous, f(cx) = c f(x); a tanh one is odd), so
# some leave [0, 1]. A network whose hidden layers are bounded (sigmoid units, say) can keep its
# logits in [0, 1] whatever its input; so outputs that stayed in [0, 1] are probed again with the
# trainable weights of the last layer that has any scaled by +-1000: logits computed by that
# layer scale and change sign with them, while a sigmoid or softmax after it stays in [0, 1].
_PROBE_SCALES = (1e3, -1e3, 1.0, -1.0)
_PROBE_ROWS = 8


def check_network_output(network: keras.Model, sample: np.ndarray, n_classes: int) -> int:
    """Run ``network`` on a few rows and return its number of output units.

    Raises a ValueError when the output does not have one unit per class (or one unit for a
    binary problem), or when it looks like probabilities although no final softmax/sigmoid
    could be found - a softmax or sigmoid inside a ``Lambda`` or custom layer, say - which would
    be silently wrong: every output stays within [0, 1] on probe inputs that move any logit
    out of it.
    """
    output = keras.ops.convert_to_numpy(network(sample, training=False))
    allowed_units = {n_classes, 1} if n_classes == 2 else {n_classes}
    n_allowed = str(n_classes) if n_classes > 2 else "2 (or 1)"
    if output.ndim != 2 or output.shape[1] not in allowed_units:
        raise ValueError(
            f"The model must output logits of shape (n_rows, {n_allowed}) for the {n_classes} "
            f"classes in y; it output shape {output.shape[1:]} per batch. Give the last layer "
            f"{n_classes} units and no activation."
        )
    n_outputs = output.shape[1]
    kind = _probability_kind(network, sample)
    if kind is not None:
        raise ValueError(
            "The model's outputs stay within [0, 1] on every probe, even on inputs negated and "
            f"scaled by 1000: they are probabilities, and it looks like it ends in a {kind} "
            "that could not be removed automatically (inside a Lambda or custom layer, say). "
            "KerasBalancedClassifier needs logits: end the model with a Dense layer without "
            f"activation (a final activation='{kind}' or Activation layer is removed for you)."
        )
    return n_outputs


def _probability_kind(network: keras.Model, sample: np.ndarray) -> str | None:
    """``"softmax"`` or ``"sigmoid"`` when the network's outputs look like probabilities.

    Probabilities: every output on every probe lies in [0, 1], and either each row sums to 1
    (a softmax, over one unit too) or the outputs vary (an all-equal output in [0, 1] is a
    zero-initialised head as much as a probability).
    """
    noise = np.random.RandomState(0).standard_normal((_PROBE_ROWS, *sample.shape[1:]))
    rows = (noise.astype(sample.dtype, copy=False), sample)
    outputs = []
    # Stops at the first output outside [0, 1]: a logit network usually costs one or two calls.
    for part in rows:
        for scale in _PROBE_SCALES:
            outputs.append(_probe(network, part * np.asarray(scale, part.dtype)))
            if _outside_unit_interval(outputs[-1]):
                return None
    weighted = [layer for layer in network.layers if layer.trainable_weights]
    if weighted:
        variables = weighted[-1].trainable_weights
        saved = [keras.ops.convert_to_numpy(variable) for variable in variables]
        try:
            for factor in (1e3, -1e3):
                for variable, value in zip(variables, saved, strict=True):
                    variable.assign(value * factor)
                for part in rows:
                    outputs.append(_probe(network, part))
                    if _outside_unit_interval(outputs[-1]):
                        return None
        finally:
            for variable, value in zip(variables, saved, strict=True):
                variable.assign(value)
    return _kind_of(outputs)


def _probe(network: keras.Model, rows: np.ndarray) -> np.ndarray:
    """The network's outputs on ``rows`` that are finite, shape (n, units); none if it fails."""
    try:
        output = keras.ops.convert_to_numpy(network(rows, training=False))
    except Exception:  # noqa: BLE001 - e.g. an Embedding given negative indices
        return np.empty((0, 0))  # an input the network cannot take tells nothing
    output = output.reshape(len(output), -1)
    # An overflow (a probe scaled beyond float32) is no evidence either way.
    return output[np.isfinite(output).all(axis=1)]


def _outside_unit_interval(output: np.ndarray) -> bool:
    return not np.all((output >= 0.0) & (output <= 1.0))


def _kind_of(outputs: list[np.ndarray]) -> str | None:
    """The kind of probabilities ``outputs`` (all within [0, 1]) are, if any."""
    outputs = [output for output in outputs if output.size]
    if not outputs:
        return None
    values = np.concatenate(outputs)
    if np.allclose(values.sum(axis=1), 1.0, rtol=0.0, atol=1e-5):
        return "softmax"
    return "sigmoid" if np.ptp(values) > 0 else None


def load_weights(network: keras.Model, previous: keras.Model) -> None:
    """Give ``network`` (built from the current parameters) the weights of ``previous``."""
    try:
        network.set_weights(previous.get_weights())
    except ValueError as exc:
        raise ValueError(
            "warm_start=True could not load the previous fit's weights into the network built "
            f"from the current parameters ({exc}); a model callable must build the same "
            "architecture at every call. Set warm_start=False to train a new model."
        ) from None


def check_finite_weights(network: keras.Model, history: dict) -> None:
    """Refuse a network that training drove to NaN or infinite weights.

    Such a network predicts ``classes_[0]`` for every row and NaN probabilities: a fit that
    would look successful while every answer is wrong.
    """
    if all(np.isfinite(weight).all() for weight in network.get_weights()):
        return
    losses = np.asarray(history.get("loss", ()), dtype=float)
    bad_epochs = np.flatnonzero(~np.isfinite(losses))
    when = (
        f" (the loss was {losses[bad_epochs[0]]} at epoch {bad_epochs[0]})"
        if bad_epochs.size
        else ""
    )
    raise ValueError(
        f"Training diverged: the network's weights are no longer finite{when}, so it would "
        "predict one class for every row; the estimator was left as it was. Lower "
        "learning_rate, scale the features (e.g. with StandardScaler), or use early_stopping."
    )
