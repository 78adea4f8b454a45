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
