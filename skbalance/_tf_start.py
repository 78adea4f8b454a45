"""TensorFlow's start-up lines, silenced when the user asked TensorFlow to be quiet.

``TF_CPP_MIN_LOG_LEVEL`` is TensorFlow's switch for its C++ log lines, and the command line and
the examples set it. Since TensorFlow moved to Abseil logging, the lines written while it loads
(the oneDNN notice, "Could not find cuda drivers", a failed ``cuInit`` on a CPU machine) are
printed before Abseil's logging is initialised, so they ignore the switch and reach the
terminal anyway. Where the switch asks for quiet, this module imports TensorFlow with the
process's standard error pointed at the null device, and restores it as soon as the import
returns or fails (an import error still reaches the user, as a Python exception).
"""

from __future__ import annotations

import os
import sys

__all__ = ["import_tensorflow_quietly"]


def _keras_backend() -> str:
    """The backend ``import keras`` will load: the environment, else ``keras.json``, else TF."""
    from skbalance._cli_backend import backend_in_effect

    return backend_in_effect(os.environ)


def _quiet_requested() -> bool:
    """True when ``TF_CPP_MIN_LOG_LEVEL`` hides at least warnings (2 or 3)."""
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")) >= 2
    except ValueError:
        return False


def import_tensorflow_quietly() -> None:
    """Import TensorFlow now, without its start-up lines, if Keras will load it and the user
    asked for quiet; otherwise do nothing (Keras imports it later, as usual)."""
    if "tensorflow" in sys.modules or _keras_backend() != "tensorflow" or not _quiet_requested():
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no process-level stderr to redirect
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        try:
            import tensorflow  # noqa: F401
        except ImportError:
            pass  # Keras' own import says what is missing, with standard error restored
    finally:
        os.dup2(saved, 2)
        os.close(saved)
