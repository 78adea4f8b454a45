"""Keras backends: which one the command picks, that the library never picks one, the test
suite's second pass on JAX (tests/conftest.py), and distribution on each backend."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

from skbalance._cli_backend import FASTEST_FIRST, choose_backend, share_jax_compilations

ROOT = Path(__file__).resolve().parent.parent
JAX_INSTALLED = all(importlib.util.find_spec(m) is not None for m in ("jax", "jaxlib"))


def installed_only(*modules):
    return lambda module: module in modules


# -- which backend the command picks ---------------------------------------------------------


@pytest.mark.parametrize(
    "modules, expected",
    [
        (("jax", "jaxlib", "tensorflow", "torch"), "jax"),
        (("tensorflow", "torch"), "tensorflow"),
        (("jax", "tensorflow"), "tensorflow"),  # jax without jaxlib cannot run
        (("torch",), "torch"),
        ((), None),  # Keras' own import then says what is missing
    ],
)
def test_command_picks_the_fastest_installed_backend(tmp_path, modules, expected):
    environ = {"KERAS_HOME": str(tmp_path)}
    assert choose_backend(environ, installed_only(*modules)) == expected


def test_fastest_first_lists_every_backend_once():
    assert sorted(FASTEST_FIRST) == ["jax", "tensorflow", "torch"]
    assert FASTEST_FIRST[0] == "jax"


@pytest.mark.parametrize("chosen", ["tensorflow", "torch", "jax"])
def test_an_explicit_keras_backend_always_wins(tmp_path, chosen):
    environ = {"KERAS_BACKEND": chosen, "KERAS_HOME": str(tmp_path)}
    everything = installed_only("jax", "jaxlib", "tensorflow", "torch")
    assert choose_backend(environ, everything) is None


@pytest.mark.parametrize(
    "config, expected",
    [
        ({"backend": "torch"}, None),  # a user's choice: kept
        ({"backend": "jax"}, None),
        # what Keras writes itself on its first import: not a choice, the fastest runs
        ({"backend": "tensorflow", "floatx": "float32"}, "jax"),
        ({"floatx": "float32"}, "jax"),
        ("not a JSON object", "jax"),
    ],
)
def test_keras_json_choice_is_kept_except_keras_own_default(tmp_path, config, expected):
    (tmp_path / "keras.json").write_text(json.dumps(config))
    everything = installed_only("jax", "jaxlib", "tensorflow", "torch")
    assert choose_backend({"KERAS_HOME": str(tmp_path)}, everything) == expected


def _python(code: str, tmp_path: Path, *args: str, **env_changes: str) -> str:
    """Run ``code`` in a fresh interpreter whose environment has no backend chosen (no
    ``KERAS_BACKEND``, an empty ``KERAS_HOME``) unless ``env_changes`` sets one."""
    env = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "KERAS_HOME")}
    for name in _JAX_CACHE_VARIABLES:  # the test run's own cache (conftest.py) is not theirs
        env.pop(name, None)
    env.update(KERAS_HOME=str(tmp_path), PYTHONPATH=str(ROOT), **env_changes)
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


COMMAND_BACKEND = """
    import os, sys
    import skbalance.__main__  # what `python -m skbalance` runs before the command
    assert "keras" not in sys.modules  # decided before Keras is imported
    print(os.environ.get("KERAS_BACKEND"), end=" ")
    if "--import-keras" in sys.argv:
        import keras
        print(keras.backend.backend(), end="")
"""


def test_the_command_runs_on_the_fastest_backend_unless_told(tmp_path):
    fastest = "jax" if JAX_INSTALLED else "tensorflow"
    assert _python(COMMAND_BACKEND, tmp_path, "--import-keras") == f"{fastest} {fastest}"
    # A slower backend the user chose stays (Keras is not imported: torch may be missing).
    assert _python(COMMAND_BACKEND, tmp_path, KERAS_BACKEND="torch") == "torch"


# -- the command's JAX compilation cache -------------------------------------------------------

_JAX_CACHE_VARIABLES = (
    "JAX_COMPILATION_CACHE_DIR",
    "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS",
    "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES",
)


def test_on_jax_the_command_gets_a_fresh_compilation_cache_for_the_run(tmp_path):
    environ = {"KERAS_BACKEND": "jax"}
    directory = share_jax_compilations(environ)
    try:
        assert Path(directory).is_dir() and not any(Path(directory).iterdir())
        assert Path(directory).name.startswith("skbalance-jax-cache-")
        assert environ == {
            "KERAS_BACKEND": "jax",
            "JAX_COMPILATION_CACHE_DIR": directory,
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
        }
    finally:
        shutil.rmtree(directory)
    # JAX named in keras.json counts as well; thresholds the user set are kept
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax"}))
    environ = {"KERAS_HOME": str(tmp_path), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "2"}
    directory = share_jax_compilations(environ)
    shutil.rmtree(directory)
    assert environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "2"
    assert environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] == "0"


@pytest.mark.parametrize(
    "environ",
    [
        {"KERAS_BACKEND": "tensorflow"},
        {"KERAS_BACKEND": "torch"},
        {"KERAS_BACKEND": "jax", "JAX_COMPILATION_CACHE_DIR": "/the/users/own"},
    ],
)
def test_the_cache_is_left_alone_off_jax_or_where_the_user_set_one(environ):
    before = dict(environ)
    assert share_jax_compilations(environ) is None
    assert environ == before


def test_without_a_writable_temporary_directory_the_command_runs_without_the_cache(monkeypatch):
    import tempfile

    def refuse(**kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    environ = {"KERAS_BACKEND": "jax"}
    assert share_jax_compilations(environ) is None
    assert environ == {"KERAS_BACKEND": "jax"}


COMMAND_JAX_CACHE = """
    import os
    import skbalance.__main__  # what `python -m skbalance` runs before the command
    import jax, jax.numpy as jnp
    directory = os.environ["JAX_COMPILATION_CACHE_DIR"]
    jax.jit(lambda x: x * 2.0 + 1.0)(jnp.arange(3.0)).block_until_ready()
    print(directory, jax.config.jax_compilation_cache_dir == directory, len(os.listdir(directory)))
"""


@pytest.mark.skipif(not JAX_INSTALLED, reason="needs jax")
def test_the_command_compiles_into_its_cache_and_removes_it_at_exit(tmp_path):
    directory, used, entries = _python(COMMAND_JAX_CACHE, tmp_path).split()
    assert used == "True" and int(entries) >= 1  # the program was written there
    assert not Path(directory).exists()  # and the directory went with the command


LIBRARY_BACKEND = """
    import os
    import skbalance
    import skbalance.keras
    from skbalance import KerasBalancedClassifier, compare_strategies
    from skbalance.keras import FocalLoss
    import keras
    print("KERAS_BACKEND" in os.environ, keras.backend.backend())
"""


@pytest.mark.skipif(not JAX_INSTALLED, reason="needs jax, so that there is a faster backend")
def test_importing_skbalance_never_changes_the_backend(tmp_path):
    """Keras' own default (TensorFlow) stays, though JAX is installed and faster."""
    assert _python(LIBRARY_BACKEND, tmp_path) == "False tensorflow"


# -- the test suite's second pass --------------------------------------------------------------

PLUGIN_TEST = """
import os

import pytest


@pytest.mark.keras
def test_keras_marked():
    assert os.environ["KERAS_BACKEND"] != os.environ.get("FAIL_ON", "")


def test_not_marked():
    assert os.environ["KERAS_BACKEND"] == "tensorflow"
"""


@pytest.fixture
def plugin_project(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(ROOT / "tests" / "conftest.py", tests / "conftest.py")
    (tests / "test_plugin.py").write_text(PLUGIN_TEST)
    return tmp_path


def _pytest(project: Path, *args: str, **env_changes: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("KERAS_BACKEND", "SKBALANCE_SECOND_BACKEND_PASS", "PYTEST_XDIST_WORKER")
    }
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=240,
    )


@pytest.mark.skipif(not JAX_INSTALLED, reason="the second pass needs jax")
def test_plain_pytest_reruns_keras_tests_on_jax_and_fails_if_they_fail(plugin_project):
    passing = _pytest(plugin_project)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    first, _, second = passing.stdout.partition("second pass: KERAS_BACKEND=jax")
    assert "2 passed" in first  # both tests on TensorFlow
    assert "1 passed, 1 deselected" in second  # the marked one again, on JAX

    failing = _pytest(plugin_project, FAIL_ON="jax")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "test_keras_marked" in failing.stdout
    assert "second pass on jax FAILED" in failing.stdout


def test_an_explicit_backend_runs_one_pass(plugin_project):
    out = _pytest(plugin_project, "-m", "keras", KERAS_BACKEND="jax", FAIL_ON="tensorflow")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed, 1 deselected" in out.stdout
    assert "second pass" not in out.stdout


# -- distribution ------------------------------------------------------------------------------


@pytest.mark.keras
def test_a_tensorflow_strategy_on_another_backend_is_refused_before_any_work():
    if keras.backend.backend() == "tensorflow":
        pytest.skip("runs on the other backends (the second pass runs it on JAX)")
    from skbalance.keras import KerasBalancedClassifier

    X = np.zeros((8, 2), np.float32)
    y = np.array([0, 1] * 4)
    clf = KerasBalancedClassifier(distribution_strategy=object(), epochs=1)
    with pytest.raises(ValueError, match="distribution_strategy needs Keras' TensorFlow backend"):
        clf.fit(X, y)
    assert not hasattr(clf, "model_")


DATA_PARALLEL = """
    import jax
    import keras
    import numpy as np

    from skbalance.keras import KerasBalancedClassifier

    assert len(jax.devices()) == 2, jax.devices()
    rng = np.random.RandomState(0)
    X = rng.normal(size=(512, 4)).astype("float32")
    y = (X[:, 0] > 0.8).astype(int)
    params = dict(hidden_units=(8,), epochs=3, batch_size=64, random_state=0)
    single = KerasBalancedClassifier(**params).fit(X, y)
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    try:
        parallel = KerasBalancedClassifier(**params).fit(X, y)
    finally:
        keras.distribution.set_distribution(None)
    kernel = parallel.model_.trainable_variables[0].value
    print(len(kernel.sharding.device_set), end=" ")
    print(np.abs(single.predict_proba(X) - parallel.predict_proba(X)).max())
"""


@pytest.mark.skipif(not JAX_INSTALLED, reason="needs jax")
def test_keras_data_parallel_distribution_trains_the_classifier_on_jax(tmp_path):
    """The JAX equivalent of ``distribution_strategy`` (docs/classifier.md): a
    ``keras.distribution.DataParallel`` set around ``fit`` replicates the network on every
    device (two simulated CPU devices here) and trains the same network as one device."""
    out = _python(
        DATA_PARALLEL,
        tmp_path,
        KERAS_BACKEND="jax",
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
    )
    devices, difference = out.split()
    assert devices == "2"
    assert float(difference) < 1e-5
