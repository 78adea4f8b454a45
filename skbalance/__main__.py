"""``python -m skbalance``: the command line (see ``python -m skbalance compare --help``)."""

import os

# TensorFlow reads these once, when it is first imported: they must be set before anything
# imports it, or its C++ start-up messages reach the user's terminal.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import sys  # noqa: E402

from skbalance._cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
