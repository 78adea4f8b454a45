"""``sampling_strategy`` parsing: the one place that turns the user's request into counts.

The meanings are imbalanced-learn's, so code written for it keeps its behaviour:

* over-sampling: ``sampling_strategy_[label]`` is the number of rows to **add**;
* under-sampling: it is the number of rows to **keep**;
* cleaning: the targeted classes (the value, the minority count, is informational only).
"""

from __future__ import annotations

from collections import OrderedDict
from numbers import Integral, Real

import numpy as np

__all__ = ["STRATEGY_NAMES", "resolve_sampling_strategy"]

STRATEGY_NAMES = ("auto", "minority", "majority", "not minority", "not majority", "all")
OVER, UNDER, CLEAN = "over-sampling", "under-sampling", "clean-sampling"


def _targeted_codes(name: str, counts: np.ndarray, sampling_type: str) -> list[int]:
    """Class codes a string strategy targets (ties: the first class in sorted order)."""
    n_classes = len(counts)
    majority, minority = int(np.argmax(counts)), int(np.argmin(counts))
    if name == "auto":
        name = "not majority" if sampling_type == OVER else "not minority"
    if name == "majority" and sampling_type == OVER:
        raise ValueError(
            "sampling_strategy='majority' cannot be used with an over-sampler (there is "
            "nothing to add to the largest class); use 'minority', 'not majority' or 'all'."
        )
    if name == "minority" and sampling_type != OVER:
        raise ValueError(
            f"sampling_strategy='minority' cannot be used with an {sampling_type.split('-')[0]}"
            "-sampler (the smallest class cannot shrink towards itself); use 'majority', "
            "'not minority' or 'all'."
        )
    return {
        "all": list(range(n_classes)),
        "majority": [majority],
        "minority": [minority],
        "not majority": [c for c in range(n_classes) if c != majority],
        "not minority": [c for c in range(n_classes) if c != minority],
    }[name]


def _code_of(label, lookup: dict, classes: np.ndarray, what: str) -> int:
    try:
        return lookup[label]
    except (KeyError, TypeError):
        raise ValueError(
            f"{what} names class {label!r}, which is not present in y; "
            f"the classes are {classes.tolist()}."
        ) from None


def _from_dict(request: dict, counts, classes, lookup, sampling_type: str) -> dict[int, int]:
    if sampling_type == CLEAN:
        raise ValueError(
            "sampling_strategy as a dict is not supported by cleaning samplers (they remove "
            "what their rule says, not a number of rows); pass a list of the classes to clean."
        )
    result = {}
    for label, wanted in request.items():
        code = _code_of(label, lookup, classes, "sampling_strategy")
        if isinstance(wanted, bool) or not isinstance(wanted, Integral | np.integer):
            raise ValueError(
                f"sampling_strategy[{label!r}] must be an integer number of rows; got {wanted!r}."
            )
        wanted, have = int(wanted), int(counts[code])
        if wanted < 0:
            raise ValueError(
                f"sampling_strategy[{label!r}] = {wanted} is negative; a class cannot have "
                "fewer than 0 rows."
            )
        if sampling_type == OVER and wanted < have:
            raise ValueError(
                f"An over-sampler can only add rows: class {label!r} has {have} rows and "
                f"sampling_strategy asks for {wanted}; ask for at least {have}."
            )
        if sampling_type == UNDER and wanted > have:
            raise ValueError(
                f"An under-sampler can only remove rows: class {label!r} has {have} rows and "
                f"sampling_strategy asks for {wanted}; ask for at most {have}."
            )
        result[code] = wanted - have if sampling_type == OVER else wanted
    return result


def _from_float(ratio: float, counts, sampling_type: str) -> dict[int, int]:
    if sampling_type == CLEAN:
        raise ValueError(
            "sampling_strategy as a float is not supported by cleaning samplers; "
            "use a string such as 'auto' or a list of classes."
        )
    if len(counts) != 2:
        raise ValueError(
            f"sampling_strategy can be a float only for binary targets; y has {len(counts)} "
            "classes. Use a dict {label: n_rows} for more than two classes."
        )
    if not 0 < ratio <= 1:
        raise ValueError(f"sampling_strategy as a float must be in (0, 1]; got {ratio}.")
    majority, minority = int(np.argmax(counts)), int(np.argmin(counts))
    if sampling_type == OVER:
        # minority after resampling = ratio * majority count (imbalanced-learn's rounding)
        to_add = int(counts[majority] * ratio - counts[minority])
        if to_add <= 0:
            raise ValueError(
                f"sampling_strategy={ratio} asks for a minority/majority ratio the data already "
                f"exceeds ({counts[minority]}/{counts[majority]}); increase the ratio."
            )
        return {minority: to_add}
    keep = int(counts[minority] / ratio)
    if keep > counts[majority]:
        raise ValueError(
            f"sampling_strategy={ratio} would need {keep} majority rows but there are only "
            f"{counts[majority]}; increase the ratio."
        )
    return {majority: keep}


def resolve_sampling_strategy(
    sampling_strategy, classes: np.ndarray, codes: np.ndarray, sampling_type: str
) -> tuple[OrderedDict, dict[int, int]]:
    """Return ``(sampling_strategy_, targets)`` for one fit.

    ``sampling_strategy_`` is keyed by the user's labels (as imbalanced-learn's, sorted by
    label); ``targets`` is the same mapping keyed by class code, for the samplers' own use.
    """
    counts = np.bincount(codes, minlength=len(classes))
    lookup = {label: code for code, label in enumerate(classes.tolist())}
    if isinstance(sampling_strategy, str):
        if sampling_strategy not in STRATEGY_NAMES:
            raise ValueError(
                f"Unknown sampling_strategy {sampling_strategy!r}; valid strings are "
                f"{', '.join(repr(name) for name in STRATEGY_NAMES)} (or pass a float, a dict "
                "or a callable)."
            )
        targeted = _targeted_codes(sampling_strategy, counts, sampling_type)
        if sampling_type == OVER:
            targets = {c: int(counts.max() - counts[c]) for c in targeted}
        else:
            targets = {c: int(counts.min()) for c in targeted}
    elif isinstance(sampling_strategy, dict):
        targets = _from_dict(sampling_strategy, counts, classes, lookup, sampling_type)
    elif isinstance(sampling_strategy, list | tuple):
        if sampling_type != CLEAN:
            raise ValueError(
                "sampling_strategy as a list is only for cleaning samplers; over- and "
                "under-samplers take a dict {label: n_rows}."
            )
        targeted = [
            _code_of(lab, lookup, classes, "sampling_strategy") for lab in sampling_strategy
        ]
        targets = {c: int(counts.min()) for c in targeted}
    elif isinstance(sampling_strategy, Real) and not isinstance(sampling_strategy, bool):
        targets = _from_float(float(sampling_strategy), counts, sampling_type)
    elif callable(sampling_strategy):
        request = sampling_strategy(classes[codes])
        if not isinstance(request, dict):
            raise ValueError(
                "A callable sampling_strategy must return a dict {label: n_rows}; "
                f"it returned {type(request).__name__}."
            )
        targets = _from_dict(request, counts, classes, lookup, sampling_type)
    else:
        raise ValueError(
            "sampling_strategy must be a float, one of "
            f"{', '.join(repr(name) for name in STRATEGY_NAMES)}, a dict {{label: n_rows}}, "
            f"a list of labels (cleaning samplers) or a callable; got {sampling_strategy!r}."
        )
    targets = dict(sorted(targets.items()))
    fitted = OrderedDict((classes[code], n_rows) for code, n_rows in targets.items())
    return fitted, targets
