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

__all__ = ["FASTEST_FIRST", "choose_backend"]

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
