"""Python source that rebuilds an estimator: what compare prints for its recommendation.

Only the parameters that differ from the class's defaults are written (as scikit-learn's
``repr`` does), nested estimators (a sampler) as code too, and the imports come first, from
the shortest public module that exports each class (``skbalance.keras``, not
``skbalance.keras.classifier``).
"""

from __future__ import annotations

import importlib
import inspect

__all__ = ["estimator_code"]


def _public_module(cls) -> str:
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        name = ".".join(parts[:end])
        try:
            if getattr(importlib.import_module(name), cls.__name__, None) is cls:
                return name
        except ImportError:  # a private module that cannot be imported alone: keep going
            continue
    return cls.__module__


def _changed_params(estimator) -> dict:
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(type(estimator).__init__).parameters.items()
    }
    changed = {}
    for name, value in estimator.get_params(deep=False).items():
        default = defaults.get(name, inspect.Parameter.empty)
        same = default is not inspect.Parameter.empty and type(default) is type(value)
        try:
            same = same and bool(default == value)
        except (TypeError, ValueError):  # arrays and the like: always written out
            same = False
        if not same:
            changed[name] = value
    return changed


def _code(value, imports: dict) -> str:
    if hasattr(value, "get_params") and inspect.isclass(type(value)):
        cls = type(value)
        imports.setdefault(_public_module(cls), set()).add(cls.__name__)
        arguments = ", ".join(
            f"{name}={_code(item, imports)}" for name, item in _changed_params(value).items()
        )
        return f"{cls.__name__}({arguments})"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        items = [_code(item, imports) for item in value]
        if isinstance(value, tuple):
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        return f"[{', '.join(items)}]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{_code(k, imports)}: {_code(v, imports)}" for k, v in value.items())
            + "}"
        )
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # a NumPy scalar
        value = value.item()
    return repr(value)


def estimator_code(estimator) -> str:
    """Python source, imports first, whose last line is an expression that builds an
    estimator with the same parameters as ``estimator``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> print(estimator_code(LogisticRegression(class_weight="balanced", max_iter=1000)))
    from sklearn.linear_model import LogisticRegression
    LogisticRegression(class_weight="balanced", max_iter=1000)
    """
    imports: dict = {}
    expression = _code(estimator, imports)
    lines = [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(imports.items())
    ]
    return "\n".join([*lines, expression])
