"""Which Keras backend ``python -m skbalance`` runs on when the user has not chosen one.

Keras reads its backend once, when it is first imported, from ``KERAS_BACKEND`` or else from
``keras.json``, and falls back to TensorFlow. The command picks the fastest backend that is
installed instead (README, "Backends": the classifier's default MLP fits about 2x faster on
JAX than on TensorFlow on a CPU). Only the command does this: importing skbalance as a
library never touches the backend, which is the application's choice.

Nothing here imports a backend: the command checks its input before any of them is imported.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["FASTEST_FIRST", "backend_in_effect", "choose_backend", "share_jax_compilations"]

# Measured with benchmarks/bench_classifier.py (default classifier, 100,000 x 20 rows, CPU):
# JAX well ahead of TensorFlow, and PyTorch behind both, so it is never picked over them.
FASTEST_FIRST: tuple[str, ...] = ("jax", "tensorflow", "torch")

# The packages a backend needs, as they are found without importing them.
_BACKEND_MODULES: dict[str, tuple[str, ...]] = {
    "jax": ("jax", "jaxlib"),
    "tensorflow": ("tensorflow",),
    "torch": ("torch",),
}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-removed package
        return False


def _configured_backend(environ: Mapping[str, str]) -> str | None:
    """The backend named in Keras' own ``keras.json``, where Keras looks for it."""
    home = environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        backend = json.loads(Path(home, "keras.json").read_text()).get("backend")
    except (OSError, ValueError, AttributeError):  # absent, unreadable or not a JSON object
        return None
    return backend if isinstance(backend, str) else None


def choose_backend(
    environ: Mapping[str, str] = os.environ,
    installed: Callable[[str], bool] = _installed,
) -> str | None:
    """The backend the command should set, or None to leave the user's choice alone.

    A ``KERAS_BACKEND`` in the environment always wins. So does a ``keras.json`` that names
    anything but ``"tensorflow"``: Keras writes that file itself, with ``"tensorflow"``, the
    first time it is imported, so only that value cannot be told apart from no choice at all
    (to pin TensorFlow, set ``KERAS_BACKEND=tensorflow``). Otherwise the first installed
    backend of :data:`FASTEST_FIRST`; None when none is (Keras' import then says what is
    missing).
    """
    if environ.get("KERAS_BACKEND"):
        return None
    if _configured_backend(environ) not in (None, "tensorflow"):
        return None
    for backend in FASTEST_FIRST:
        if all(installed(module) for module in _BACKEND_MODULES[backend]):
            return backend
    return None


def backend_in_effect(environ: Mapping[str, str]) -> str:
    """The backend Keras will load in this process, as it decides it."""
    return environ.get("KERAS_BACKEND") or _configured_backend(environ) or "tensorflow"


def share_jax_compilations(environ: dict = os.environ) -> str | None:
    """Give the command's JAX programs a compilation cache for this run; its directory, or
    None when nothing was changed.

    Keras compiles each new model's train and predict steps with XLA, and ``compare`` fits
    the same small network many times (every fold, repeat and refit of a strategy): with
    JAX's persistent compilation cache, keyed by the program itself, each distinct program
    is compiled once. ``python -m skbalance compare --quiet`` took 76 s without it and 31 s
    with it (the same scores: a cached program is the same program).

    Only on JAX, and only where the user has not set ``JAX_COMPILATION_CACHE_DIR`` (a
    directory of their own is used as it is, across runs, with their thresholds): a fresh
    temporary directory, removed when the command exits, and JAX's thresholds (programs
    compiled in under 1 s are not cached by default) lowered to cache every program unless
    the user set them. Workers started by ``--jobs`` inherit it. Must run before JAX is
    imported: it reads these variables once. Without a writable temporary directory the
    command runs as before, without the cache.
    """
    if backend_in_effect(environ) != "jax" or environ.get("JAX_COMPILATION_CACHE_DIR"):
        return None
    import atexit
    import shutil
    import tempfile

    try:
        directory = tempfile.mkdtemp(prefix="skbalance-jax-cache-")
    except OSError:  # no writable temporary directory: the command runs without the cache
        return None
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    environ["JAX_COMPILATION_CACHE_DIR"] = directory
    environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
    return directory
