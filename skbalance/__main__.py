"""``python -m skbalance``: the command line (see ``python -m skbalance compare --help``)."""

import os

from skbalance._cli_backend import choose_backend, share_jax_compilations

# TensorFlow reads these once, when it is first imported: they must be set before anything
# imports it, or its C++ start-up messages reach the user's terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Keras reads its backend once, at its first import: the fastest installed one unless the
# user chose (README, "Backends"). Only the command does this, never `import skbalance`.
_backend = choose_backend()
if _backend is not None:
    os.environ["KERAS_BACKEND"] = _backend
# On JAX, each distinct XLA program of the run is compiled once (compare: 2.4x faster).
share_jax_compilations()

import sys  # noqa: E402

from skbalance._cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
