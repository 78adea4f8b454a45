"""The exception that marks a problem with the user's input (as opposed to a bug in skbalance).

``InputError`` is a ``ValueError``, so library callers who catch ``ValueError`` see no change.
It exists for the command line: only an ``InputError`` is reported as one line ("what was wrong,
what would be right"); any other exception escaping our code is unexpected, and is shown with
its traceback and a request to report it.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """The user's input (an option, a file, the data) cannot be used; the message says why.

    Raised only by code that validates the user's input, with a message that names what was
    wrong and what would be right.
    """


PYTHON_CV = "cv={}"  # how the folds option is written in Python ...
CLI_CV = "--cv {}"  # ... and on the command line


def fewer_folds(count: int, spelling: str = PYTHON_CV) -> str:
    """``use cv=2`` (``use cv=3 or fewer``): the advice for a class or label with ``count``
    rows (``count`` >= 2), the folds option written as ``spelling`` (:data:`PYTHON_CV` or
    :data:`CLI_CV`). With 2 rows, 2 folds is the only choice: cross-validation needs 2."""
    option = spelling.format(count)
    return f"use {option}" if count <= 2 else f"use {option} or fewer"
