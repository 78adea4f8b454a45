"""Seeding the network build: ``random_state`` alone fixes every initial weight and dropout mask.

Backend-neutral: run under ``KERAS_BACKEND=tensorflow`` (the default here) and
``KERAS_BACKEND=jax``. The default MLP gets explicit seeds; a user's network is built inside
``seeded_build``, which gives Keras' default-seed source a thread-private generator for the
build only. Nothing here may read or change Python's, NumPy's or the backend's global state.
"""

import random
import threading

import keras
import numpy as np
import pytest
from keras.src.random import seed_generator

from skbalance.keras import KerasBalancedClassifier
from skbalance.keras._model import build_network, seeded_build

ROW = np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(6, 4)


class _RandomNormalAtBuild(keras.layers.Layer):
    """A layer whose initializer (and so its seed) is made only when the layer is built."""

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 3), initializer="random_normal")

    def call(self, inputs):
        return keras.ops.matmul(inputs, self.kernel)


def functional_model(input_shape, n_classes):
    inputs = keras.Input(shape=input_shape)
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    hidden = keras.layers.GaussianNoise(0.5)(keras.layers.Dropout(0.5)(hidden))
    return keras.Model(inputs, keras.layers.Dense(n_classes)(hidden))


def unbuilt_sequential(input_shape, n_classes):
    # No Input: every weight is created at the first call, after the callable returned.
    return keras.Sequential(
        [_RandomNormalAtBuild(), keras.layers.Dropout(0.5), keras.layers.Dense(n_classes)]
    )


MODELS = {
    "default_mlp": lambda: None,
    "callable": lambda: functional_model,
    "unbuilt_callable": lambda: unbuilt_sequential,
    "cloned_instance": lambda: functional_model((4,), 3),
}


def build(model, seed):
    network, _ = build_network(
        model, input_shape=(4,), n_classes=3, hidden_units=(8, 8), dropout=0.5, seed=seed
    )
    return network


def weights_and_masks(network):
    """The initial weights, then two training-mode outputs (dropout and noise draw anew)."""
    weights = [np.array(w) for w in network.get_weights()]
    outputs = [keras.ops.convert_to_numpy(network(ROW, training=True)) for _ in range(2)]
    return weights, outputs


@pytest.fixture
def global_seeds_restored():
    """Tests that set global seeds leave Python's and NumPy's global state as they found it."""
    python_state, numpy_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    yield
    random.setstate(python_state)
    np.random.set_state(numpy_state)  # noqa: NPY002


@pytest.mark.parametrize("kind", MODELS)
def test_same_seed_same_weights_and_dropout_masks_other_seed_other_ones(kind):
    """Class: a seeded build whose weights, dropout masks or noise are not fixed by the seed
    (a draw from a global or default source), or a seed that fixes nothing (all seeds alike)."""
    model = MODELS[kind]()
    first_weights, first_outputs = weights_and_masks(build(model, 7))
    again_weights, again_outputs = weights_and_masks(build(model, 7))
    other_weights, other_outputs = weights_and_masks(build(model, 8))
    firsts, agains = first_weights + first_outputs, again_weights + again_outputs
    for first, again in zip(firsts, agains, strict=True):
        np.testing.assert_array_equal(first, again)
    # Training-mode calls draw new masks: a fixed mask would pass the test above trivially.
    assert not np.array_equal(first_outputs[0], first_outputs[1])
    assert not np.array_equal(first_weights[0], other_weights[0])
    assert not np.array_equal(first_outputs[0], other_outputs[0])


def test_default_mlp_draws_no_default_seed(monkeypatch):
    """Class: our own MLP leaving any initializer or dropout seed to Keras' default source."""

    class NoDefaultSeeds:
        def __getattr__(self, name):
            raise AssertionError(f"the default MLP drew a default seed (random.{name})")

    monkeypatch.setattr(seed_generator, "python_random", NoDefaultSeeds())
    network = build(None, 3)
    assert len(network.get_weights()) == 6  # two hidden Dense layers and the logits, built


def test_user_build_draws_from_random_seed_then_restores_keras_source():
    """Class: a seed scope that does not reach Keras' default seeds, draws them from another
    sequence than ``random.Random(seed)``, or leaves its stand-in installed afterwards."""
    seen = {}

    def model(input_shape, n_classes):
        seen["source_during"] = seed_generator.python_random
        seen["first_seed"] = keras.initializers.GlorotUniform().seed
        return functional_model(input_shape, n_classes)

    assert seed_generator.python_random is random
    build(model, 11)
    assert seen["source_during"] is not random
    assert seen["first_seed"] == random.Random(11).randint(1, int(1e9))
    assert seed_generator.python_random is random

    def failing(input_shape, n_classes):
        raise RuntimeError("the user's callable failed")

    with pytest.raises(RuntimeError, match="callable failed"):
        build(failing, 11)
    assert seed_generator.python_random is random


def test_nested_builds_keep_their_own_sequences():
    with seeded_build(1):
        outer_first = keras.initializers.GlorotUniform().seed
        with seeded_build(2):
            inner = keras.initializers.GlorotUniform().seed
        outer_second = keras.initializers.GlorotUniform().seed
    expected_outer = random.Random(1)
    assert outer_first == expected_outer.randint(1, int(1e9))
    assert inner == random.Random(2).randint(1, int(1e9))
    assert outer_second == expected_outer.randint(1, int(1e9))
    assert seed_generator.python_random is random


def test_concurrent_builds_are_each_reproducible_and_other_threads_see_random(
    global_seeds_restored,
):
    """Class: a scope shared between threads (one build's draws reaching another's, the first
    build to finish restoring Keras' source while others still build), or one that diverts the
    draws of threads that are not building."""
    n_threads = 3
    reference = {
        seed: weights_and_masks(build(functional_model, seed))[0] for seed in range(n_threads)
    }
    all_inside = threading.Barrier(n_threads + 1)
    finished = [threading.Event() for _ in range(n_threads)]
    main_thread_drew = threading.Event()
    results, errors = {}, []

    def model_for(seed):
        def model(input_shape, n_classes):
            all_inside.wait(timeout=60)  # every builder is inside its scope at once
            main_thread_drew.wait(timeout=60)
            # Each builder creates its layers only after the previous one has left its scope.
            if seed > 0:
                finished[seed - 1].wait(timeout=60)
            return functional_model(input_shape, n_classes)

        return model

    def builder(seed):
        try:
            results[seed] = weights_and_masks(build(model_for(seed), seed))[0]
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            finished[seed].set()

    stop = threading.Event()

    def busy():  # a Dask worker's event loop draws from random meanwhile
        while not stop.is_set():
            random.random()

    threads = [threading.Thread(target=builder, args=(seed,)) for seed in range(n_threads)]
    noise = threading.Thread(target=busy)
    for thread in threads:
        thread.start()
    all_inside.wait(timeout=60)
    # This thread is not building: its default seeds still come from Python's random.
    random.seed(99)
    drawn = keras.initializers.GlorotUniform().seed
    assert drawn == random.Random(99).randint(1, int(1e9))
    noise.start()
    main_thread_drew.set()
    for thread in threads:
        thread.join(timeout=120)
    stop.set()
    noise.join()
    assert not errors
    assert seed_generator.python_random is random
    for seed in range(n_threads):
        for built, expected in zip(results[seed], reference[seed], strict=True):
            np.testing.assert_array_equal(built, expected)


def _global_draws():
    """One draw from each global source: Python, NumPy, Keras' global SeedGenerator, TF."""
    draws = [
        np.array([random.random()]),
        np.random.rand(3),  # noqa: NPY002 - the legacy global state is what is checked
        keras.ops.convert_to_numpy(keras.random.uniform((3,))),
    ]
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        draws.append(tf.random.uniform((3,)).numpy())
    return draws


@pytest.mark.parametrize("kind", ["default_mlp", "callable"])
def test_build_leaves_every_global_random_state_untouched(kind, global_seeds_restored):
    """Class: a build that reseeds or advances Python's, NumPy's, Keras' or TensorFlow's
    global random state (e.g. through keras.utils.set_random_seed or an unseeded draw)."""
    model = MODELS[kind]()
    keras.utils.set_random_seed(5)
    expected = _global_draws()
    keras.utils.set_random_seed(5)
    python_state, numpy_state = random.getstate(), np.random.get_state()[1].copy()  # noqa: NPY002
    weights_and_masks(build(model, 5))
    assert random.getstate() == python_state
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    for drawn, reference in zip(_global_draws(), expected, strict=True):
        np.testing.assert_array_equal(drawn, reference)


def _fitted_weights(global_seed, **params):
    keras.utils.set_random_seed(global_seed)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 4)).astype(np.float32)
    y = np.repeat([0, 1], [36, 12])
    clf = KerasBalancedClassifier(
        hidden_units=(8,), dropout=0.3, epochs=2, random_state=0, **params
    )
    return np.concatenate([w.ravel() for w in clf.fit(X, y).model_.get_weights()])


@pytest.mark.parametrize("model", [None, functional_model], ids=["default_mlp", "callable"])
def test_random_state_alone_fixes_the_fit_whatever_the_global_seed(model, global_seeds_restored):
    """Class: a fit whose weights depend on the process's global seeds, not on random_state."""
    # Class-balanced batches: the feed that trains on every backend today.
    first = _fitted_weights(123, model=model, batch_sampling="class")
    second = _fitted_weights(456, model=model, batch_sampling="class")
    np.testing.assert_array_equal(first, second)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="the default array feed does not train on JAX yet (issue 12, item 1)",
)
@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="the array feed shuffles with tf.data, whose op-level seed TensorFlow combines with "
    "its global seed; the backend-neutral feed of issue 12 removes it (drop this mark then)",
)
def test_random_state_alone_fixes_the_default_array_fit(global_seeds_restored):
    np.testing.assert_array_equal(_fitted_weights(123), _fitted_weights(456))
