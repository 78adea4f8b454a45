"""Test configuration: the Keras backend of each pass, and the second pass on JAX.

Keras picks its backend once per process, at its first import, so one pytest process (and its
xdist workers, which inherit the environment) runs on one backend. A plain ``python -m pytest``
therefore runs in two passes:

1. every test on TensorFlow (the backend these tests were first written for);
2. then, in a second pytest run started from this one, the tests marked ``keras`` on JAX
   (``KERAS_BACKEND=jax``), with the same arguments (files, ``-k``, ``-n``, ...). The session's
   exit status is a failure if either pass fails.

A ``KERAS_BACKEND`` set by the caller means "this backend only": one pass, every selected test
on it, e.g. ``KERAS_BACKEND=jax python -m pytest -n 2 -m keras`` is the second pass alone.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Read before the default below is filled in: None when the caller left the backend to us.
_CHOSEN_BACKEND = os.environ.get("KERAS_BACKEND") or None

# Must be set before TensorFlow is first imported by any test module.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from hypothesis import HealthCheck, settings  # noqa: E402

# Keras compiles each new model's train and predict steps with XLA, and the tests build many
# identical small networks: JAX's persistent compilation cache (the command's own, in a fresh
# directory removed at exit) compiles each program once. The JAX pass of `.ci/run` took
# 2 min 1 s without it, 1 min 18 s with it, starting empty. Set before any xdist worker
# starts, so that workers share it.
from skbalance._cli_backend import share_jax_compilations  # noqa: E402

# A run on JAX from the start (``KERAS_BACKEND=jax python -m pytest ...``; nothing happens on
# another backend); xdist workers inherit the controller's environment, so only the
# controller makes the directory.
if "PYTEST_XDIST_WORKER" not in os.environ:
    share_jax_compilations(os.environ)

SECOND_BACKEND = "jax"
# Set in the second pass's environment: that run starts no pass of its own.
_SECOND_PASS_FLAG = "SKBALANCE_SECOND_BACKEND_PASS"

# CI machines are shared and slow: no per-example deadline, modest example counts. The second
# pass checks the same properties on another backend's numerics, with fewer examples, to stay
# within the suite's time budget.
settings.register_profile(
    "ci", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci-second-backend",
    deadline=None,
    max_examples=10,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci-second-backend" if os.environ.get(_SECOND_PASS_FLAG) else "ci")

_ROOT = Path(__file__).resolve().parent.parent
# Test modules that exercise skbalance.keras as a whole: every test in them is marked ``keras``
# (a test elsewhere that needs Keras carries @pytest.mark.keras itself). The list is what the
# second pass can afford within the suite's ~5 minutes on two cores (the classifier's every
# parameter, the feed, the losses); what it leaves out runs on TensorFlow only: the
# scikit-learn estimator checks and failed-fit atomicity (backend-independent bookkeeping),
# the command line (its compare runs are in test_compare.py's marked test), examples, README
# tour, Dask, tf.distribute and memmaps. test_losses_multilabel.py joins once its gradient
# checks stop calling tf.GradientTape directly (test_losses.py shows the backend-neutral way).
KERAS_TEST_MODULES = frozenset(
    {
        "test_classifier.py",
        "test_classifier_longtail.py",
        "test_feed.py",
        "test_losses.py",
        "test_losses_multilabel.py",
        "test_classifier_multilabel.py",
        "test_seeds.py",
    }
)
# Modules of which only some tests join the second pass: the rest is arithmetic on the
# network's outputs in NumPy, the same on every backend (test_classifier_prior.py: the
# effective prior of each technique, errors, warnings), and is run once, on TensorFlow.
KERAS_TEST_SELECTIONS = {
    "test_classifier_prior.py": frozenset(
        {
            "test_outputs_are_the_prior_shift_of_the_network_logits",
            "test_train_is_the_network_unchanged",
            "test_binary_log_odds_move_by_the_difference_of_the_shifts",
            "test_multilabel_shift_is_per_label_log_odds",
            "test_data_prior_recovers_the_true_posterior",
            "test_clone_get_params_and_pickle_round_trip",
        }
    ),
}
# Doctests of the Keras subpackage run Keras too.
_KERAS_SOURCES = _ROOT / "skbalance" / "keras"
_SESSION = pytest.StashKey[pytest.Session]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "keras: exercises Keras; runs again on JAX in the second pass (conftest.py)"
    )


def _is_keras_test(item: pytest.Item) -> bool:
    path = Path(item.path)
    if path.parent == _ROOT / "tests":
        if path.name in KERAS_TEST_MODULES:
            return True
        selected = KERAS_TEST_SELECTIONS.get(path.name)
        if selected is not None:
            return getattr(item, "originalname", item.name) in selected
    return path.suffix == ".py" and _KERAS_SOURCES in path.parents


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    checked = set()
    for item in items:
        if _is_keras_test(item):
            item.add_marker(pytest.mark.keras)
        name, module = Path(item.path).name, getattr(item, "module", None)
        if name in KERAS_TEST_SELECTIONS and name not in checked and module is not None:
            checked.add(name)  # a renamed test must not drop out of the JAX pass unseen
            missing = sorted(t for t in KERAS_TEST_SELECTIONS[name] if not hasattr(module, t))
            if missing:
                raise pytest.UsageError(
                    f"conftest.KERAS_TEST_SELECTIONS names tests that {name} does not have: "
                    f"{', '.join(missing)}"
                )


def _backend_installed(backend: str) -> bool:
    modules = {"jax": ("jax", "jaxlib")}.get(backend, (backend,))
    return all(importlib.util.find_spec(module) is not None for module in modules)


def _starts_second_pass(config: pytest.Config) -> bool:
    return (
        _CHOSEN_BACKEND is None
        and not os.environ.get(_SECOND_PASS_FLAG)
        and not hasattr(config, "workerinput")  # an xdist worker: the controller decides
    )


def pytest_report_header(config: pytest.Config) -> str:
    backend = os.environ["KERAS_BACKEND"]
    if not _starts_second_pass(config):
        return f"Keras backend: {backend} (one pass)"
    return (
        f"Keras backends: {backend} (every test), then {SECOND_BACKEND} (tests marked keras, "
        f"in a second pytest run; set KERAS_BACKEND for one pass on one backend)"
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_SESSION] = session


def pytest_unconfigure(config: pytest.Config) -> None:
    """Run the second pass after the first has printed its summary, so that each pass's
    result line closes its own output, and fold its result into the session's exit status."""
    session = config.stash.get(_SESSION, None)
    if session is None or not _starts_second_pass(config) or config.option.collectonly:
        return
    status = session.exitstatus
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        return  # interrupted, a usage or internal error, or nothing collected
    if status == pytest.ExitCode.TESTS_FAILED and session.shouldstop:
        return  # -x / --maxfail: the caller asked to stop at the first failures
    print(flush=True)
    if not _backend_installed(SECOND_BACKEND):
        print(
            f"second pass on {SECOND_BACKEND} NOT RUN: {SECOND_BACKEND} is not installed "
            "(a dependency of skbalance: pip install -e . installs it)",
            flush=True,
        )
        return
    markers = config.option.markexpr
    selection = f"({markers}) and keras" if markers else "keras"
    print(f"=== second pass: KERAS_BACKEND={SECOND_BACKEND}, -m {selection!r} ===", flush=True)
    env = {**os.environ, "KERAS_BACKEND": SECOND_BACKEND, _SECOND_PASS_FLAG: "1"}
    share_jax_compilations(env)  # only where the backend is JAX
    command = [sys.executable, "-m", "pytest", *config.invocation_params.args, "-m", selection]
    second = subprocess.run(command, env=env, cwd=config.invocation_params.dir).returncode
    # "No tests collected" (5) is fine: a selection with no Keras test in it.
    if second not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        print(f"second pass on {SECOND_BACKEND} FAILED (exit status {second})", flush=True)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = (
                second if second == pytest.ExitCode.INTERRUPTED else pytest.ExitCode.TESTS_FAILED
            )
