"""How per-row fit parameters follow the rows through a resampler, and how they are routed.

The one place in skbalance that knows scikit-learn internals. Everything version-sensitive is
here, so a scikit-learn upgrade is checked in one module (tests run it on 1.6 and the newest):

- ``Pipeline._iter`` is the private hook through which every inference method of
  ``sklearn.pipeline.Pipeline`` (predict, predict_proba, transform, score, ...) walks the steps;
  :func:`inference_steps` is what our override yields.
- ``BaseEstimator._validate_params`` checks ``_parameter_constraints``
  (:func:`validate_params`).
- ``sklearn.utils._user_interface._print_elapsed_time`` prints ``verbose`` logs in
  scikit-learn's exact format (:func:`log_step`).

Everything else uses public API: ``sklearn.get_config``, ``process_routing``,
``MetadataRouter``/``MethodMapping`` and ``sklearn.utils._safe_indexing`` (documented as public).
"""

from __future__ import annotations

import numpy as np
from sklearn import get_config
from sklearn.utils import Bunch
from sklearn.utils._user_interface import _print_elapsed_time
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    get_routing_for_object,
    process_routing,
)

# Per-row data (its validation, and how it follows a resampler's rows) has its own home; these
# names are re-exported because the pipeline and ResampledClassifier reach them through here.
from skbalance._rows import (  # noqa: F401
    accepts_sample_weight,
    as_container,
    check_sample_weight,
    fit_resample_rows,
    is_weight_label,
    n_rows,
    take_rows,
)

# Methods whose routed parameters a step may receive while the pipeline is being fitted.
FIT_METHODS = ("fit", "fit_transform", "fit_predict")
INFERENCE_METHODS = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score",
    "transform",
)


def fit_transform_one(transformer, X, y, params):
    if hasattr(transformer, "fit_transform"):
        return transformer.fit_transform(X, y, **params.get("fit_transform", {})), transformer
    fitted = transformer.fit(X, y, **params.get("fit", {}))
    return fitted.transform(X, **params.get("transform", {})), fitted


def routing_enabled() -> bool:
    """True when ``sklearn.set_config(enable_metadata_routing=True)`` is in effect."""
    return bool(get_config().get("enable_metadata_routing", False))


def validate_params(estimator) -> None:
    """Check ``_parameter_constraints`` the way scikit-learn's own ``fit`` does (private API)."""
    validate = getattr(estimator, "_validate_params", None)
    if validate is not None:
        validate()


def is_passthrough(step) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


def is_resampler(step) -> bool:
    """A resampler is anything with ``fit_resample`` (ours, imbalanced-learn's, a sub-pipeline)."""
    return not is_passthrough(step) and hasattr(step, "fit_resample")


def transform_at_predict(step, X, params: dict):
    """What ``step`` does to ``X`` at predict time: its ``transform``, or nothing.

    Resampling happens in fit only, and a resampler that also transforms (our pipeline of a
    scaler and a sampler) still transforms. A pipeline that ends in a resampler but has no
    ``transform`` of its own (imbalanced-learn's) is walked step by step, so its transformers
    are applied all the same.
    """
    if is_passthrough(step):
        return X
    if hasattr(step, "transform"):
        return step.transform(X, **params)
    for _, inner in getattr(step, "steps", None) or ():
        X = transform_at_predict(inner, X, {})
    return X


def transforms_at_predict(step) -> bool:
    """Whether :func:`transform_at_predict` can change ``X``."""
    if is_passthrough(step):
        return False
    if hasattr(step, "transform"):
        return True
    return any(transforms_at_predict(inner) for _, inner in getattr(step, "steps", None) or ())


def skipped_at_inference(step) -> bool:
    """Resamplers change the rows only while fitting; at predict time they are skipped,
    unless they hold transformers (see :func:`transform_at_predict`)."""
    return is_resampler(step) and not transforms_at_predict(step)


class _PredictTimeTransform:
    """A resampling sub-pipeline without ``transform`` (imbalanced-learn's), as scikit-learn's
    inference loop sees it: ``transform`` applies its transformers and skips its resamplers."""

    def __init__(self, step):
        self.step = step

    def transform(self, X, **params):
        return transform_at_predict(self.step, X, params)


def inference_steps(steps, *, with_final: bool, filter_passthrough: bool):
    """What our ``Pipeline._iter`` yields: sklearn's, minus resamplers when filtering (a
    resampler holding transformers yields them, wrapped when it has no ``transform``)."""
    stop = len(steps) if with_final else len(steps) - 1
    for idx, (name, step) in enumerate(steps[:stop]):
        if filter_passthrough:
            if is_passthrough(step) or skipped_at_inference(step):
                continue
            if is_resampler(step) and not hasattr(step, "transform"):
                step = _PredictTimeTransform(step)
        yield idx, name, step


def route(owner, method: str, params: dict, step_names) -> dict:
    """``name -> Bunch(method -> params)`` for every step, with routing on or off.

    Routing off reproduces scikit-learn's ``step__param`` convention: the parameter goes to
    the fit-like method of that step.
    """
    if routing_enabled():
        return process_routing(owner, method, **params)
    per_step = {name: Bunch(**{m: {} for m in FIT_METHODS}) for name in step_names}
    for key, value in params.items():
        step, sep, param = key.partition("__")
        if not sep or step not in per_step:
            raise ValueError(
                f"{type(owner).__name__}.{method} does not accept the {key} parameter. Pass "
                "parameters to a step as stepname__parameter, e.g. "
                f"`{method}(X, y, logisticregression__sample_weight=w)`; step names are "
                f"{list(per_step)}. With sklearn.set_config(enable_metadata_routing=True), "
                "pass `sample_weight=w` and request it on the step instead."
            )
        for fit_method in FIT_METHODS:
            per_step[step][fit_method][param] = value
    return per_step


def route_inference(owner, method: str, params: dict) -> dict:
    """Routed parameters for a method such as ``transform``, which only takes routed metadata."""
    if routing_enabled():
        return process_routing(owner, method, **params)
    if params:
        raise ValueError(
            f"{type(owner).__name__}.{method} got unexpected parameters {sorted(params)}; they "
            "are only accepted with sklearn.set_config(enable_metadata_routing=True)."
        )
    return {}


def own_fit_params(routed_step) -> dict:
    """Parameters a resampler step receives itself: those routed to its ``fit`` and, with
    imbalanced-learn's routing API, to its ``fit_resample`` (``set_fit_resample_request``)."""
    if routed_step is None:
        return {}
    return {**routed_step.get("fit", {}), **routed_step.get("fit_resample", {})}


def per_row_params(routed: dict, names, n_samples: int, carried: dict, exclude=()) -> list:
    """``[(label, array)]``: distinct parameters of the later steps with one entry per row.

    Parameters named in ``exclude`` (a pipeline's ``transform_input``: validation data, not
    training rows) are never treated as per-row.
    """
    found, seen = [], set()
    candidates = [(f"{k}", v) for k, v in carried.items()]
    for name in names:
        for method_params in routed.get(name, {}).values():
            candidates += [
                (f"{name}__{k}", v) for k, v in method_params.items() if k not in exclude
            ]
    for label, value in candidates:
        if id(value) not in seen and n_rows(value) == n_samples:
            seen.add(id(value))
            found.append((label, value))
    return found


def check_routed_weights(routed: dict, carried: dict, n_samples: int) -> None:
    """Validate every ``sample_weight`` a resampling pipeline got, before any step is fitted.

    A weight that follows the rows through a resampler meets skbalance's one rule
    (:func:`skbalance._rows.check_sample_weight`), whichever step it is routed to.
    """
    values = [value for key, value in carried.items() if is_weight_label(key)]
    if isinstance(routed, dict):  # routing on without parameters gives a dict-less stand-in
        for step_params in routed.values():
            for method_params in step_params.values():
                values += [value for key, value in method_params.items() if is_weight_label(key)]
    checked = set()
    for value in values:
        if value is not None and id(value) not in checked:
            checked.add(id(value))
            check_sample_weight(value, n_samples)


def substitute(routed: dict, names, carried: dict, aligned: dict) -> None:
    """Replace each per-row parameter of the later steps by its resampled version."""
    for name in names:
        step_params = routed.get(name)
        if step_params is None:
            continue
        for method in list(step_params):
            step_params[method] = {k: aligned.get(id(v), v) for k, v in step_params[method].items()}
    for key, value in list(carried.items()):
        carried[key] = aligned.get(id(value), value)


def check_steps(pipeline) -> None:
    """Validate a pipeline's parameters and steps before anything is fitted."""
    validate_params(pipeline)
    if pipeline.transform_input is not None and not routing_enabled():
        raise ValueError(
            "The `transform_input` parameter can only be set if metadata routing is enabled: "
            "call sklearn.set_config(enable_metadata_routing=True), or leave it as None."
        )
    for step in pipeline.steps:
        if not (isinstance(step, (tuple, list)) and len(step) == 2 and isinstance(step[0], str)):
            raise TypeError(
                f"Each step must be a (name, estimator) pair with a string name; got {step!r}."
            )
    if not pipeline.steps:
        raise ValueError("The pipeline is empty; give it at least one (name, estimator) step.")
    names = [name for name, _ in pipeline.steps]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Step names must be unique; {duplicates} appear more than once.")
    for name in names:
        if "__" in name:
            raise ValueError(f"Step name {name!r} must not contain '__'.")
    for name, step in pipeline.steps[:-1]:
        if is_passthrough(step) or is_resampler(step):
            continue
        if not (hasattr(step, "fit") or hasattr(step, "fit_transform")) or not hasattr(
            step, "transform"
        ):
            # scikit-learn's and imbalanced-learn's phrase first: code written for them
            # matches on it
            raise TypeError(
                "All intermediate steps should be transformers and implement fit and "
                f"transform or fit_resample, or be the string 'passthrough'; step {name!r} "
                f"({type(step).__name__}) is neither a transformer (fit and transform) nor a "
                "resampler (fit_resample)."
            )
    final_name, final = pipeline.steps[-1]
    if not (is_passthrough(final) or hasattr(final, "fit") or hasattr(final, "fit_resample")):
        raise TypeError(
            "Last step of Pipeline should implement fit or be the string 'passthrough' (a "
            f"resampler's fit_resample also does); step {final_name!r} "
            f"({type(final).__name__}) has none of these."
        )


def resample_step(
    step,
    X,
    y,
    *,
    own_params=None,
    routed=None,
    later=(),
    carried,
    indices=None,
    fit_resample_rows=fit_resample_rows,
    exclude=(),
):
    """Resample with ``step``; per-row params of the ``later`` steps and ``carried`` follow.

    ``routed`` and ``carried`` are updated in place. ``indices`` (original row of each current
    row) is composed with ``step.sample_indices_``, or becomes None if the step has none.
    Returns ``(X_res, y_res, fitted_step, indices)``.
    """
    routed = {} if routed is None else routed
    travelling = per_row_params(routed, later, n_rows(X), carried, exclude)
    X, y, step, aligned = fit_resample_rows(step, X, y, own_params or {}, travelling)
    mapping = {id(v): a for (_, v), a in zip(travelling, aligned, strict=True)}
    substitute(routed, later, carried, mapping)
    selected = getattr(step, "sample_indices_", None)
    if indices is None or selected is None:
        return X, y, step, None
    return X, y, step, indices[np.asarray(selected)]


def transform_value(sub_pipeline, value):
    """A ``transform_input`` value through the fitted steps; a tuple (several validation
    sets, as lightgbm and xgboost take) element by element, as scikit-learn does."""
    if isinstance(value, tuple):
        return tuple(sub_pipeline.transform(element) for element in value)
    return sub_pipeline.transform(value)


def fit_resample_requested(step) -> bool:
    """Whether metadata is routed to ``step.fit_resample`` by imbalanced-learn's routing API
    (``set_fit_resample_request``).

    imbalanced-learn registers ``fit_resample`` with scikit-learn's metadata routing when it
    is imported, so any sampler class defined afterwards (ours too, depending on import order)
    has ``set_fit_resample_request``. A step routes there when a request was set, or when its
    ``fit_resample`` takes metadata other than ``sample_weight`` (so that passing it unset
    gets scikit-learn's "set_fit_resample_request" message). An untouched ``sample_weight``
    request is left to the pipeline, which carries the weight through every resampler by
    itself, whatever the import order.
    """
    if not hasattr(step, "set_fit_resample_request"):
        return False
    request = getattr(get_routing_for_object(step), "fit_resample", None)
    if request is None:
        return False
    return any(
        value is not None or name != "sample_weight" for name, value in request.requests.items()
    )


def build_router(owner, steps) -> MetadataRouter:
    """Metadata routing of a pipeline whose steps may be resamplers.

    Like scikit-learn's, except that a resampler step receives (in ``fit_resample``) what its
    ``fit`` requests, or what its ``fit_resample`` requests where imbalanced-learn's routing
    API offers ``set_fit_resample_request``; steps skipped at inference get nothing at
    inference.
    """
    router = MetadataRouter(owner=owner)
    for idx, (name, step) in enumerate(steps):
        if is_passthrough(step):
            continue
        mapping = MethodMapping()
        is_last = idx == len(steps) - 1
        if is_resampler(step):
            for caller in FIT_METHODS:
                mapping.add(caller=caller, callee="fit")
                if fit_resample_requested(step):
                    mapping.add(caller=caller, callee="fit_resample")
        elif hasattr(step, "fit_transform") and not is_last:
            for caller in FIT_METHODS:
                mapping.add(caller=caller, callee="fit_transform")
        else:
            for caller in FIT_METHODS:
                mapping.add(caller=caller, callee="fit")
                if not is_last:
                    mapping.add(caller=caller, callee="transform")
        if is_last and not is_resampler(step):
            if hasattr(step, "fit_transform"):
                mapping.add(caller="fit_transform", callee="fit_transform")
            else:  # fit_transform calls fit then transform
                mapping.add(caller="fit_transform", callee="transform")
            mapping.add(caller="fit_predict", callee="fit_predict")
            for method in INFERENCE_METHODS:
                mapping.add(caller=method, callee=method)
            mapping.add(caller="inverse_transform", callee="inverse_transform")
        elif not skipped_at_inference(step):
            for method in INFERENCE_METHODS:
                mapping.add(caller=method, callee="transform")
            mapping.add(caller="inverse_transform", callee="inverse_transform")
        router.add(method_mapping=mapping, **{name: step})
    return router


def name_steps(steps) -> list:
    """Lower-cased class names, numbered when repeated (scikit-learn's convention)."""
    names = [type(step).__name__.lower() if not isinstance(step, str) else step for step in steps]
    counts = {name: names.count(name) for name in names}
    seen: dict = {}
    named = []
    for name, step in zip(names, steps, strict=True):
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}-{seen[name]}"
        named.append((name, step))
    return named


def log_step(owner: str, message: str | None):
    """Print ``[owner] ... message, total=...`` when ``verbose`` asks for it (``message`` not
    None), in scikit-learn's own format: a log read or parsed for scikit-learn's Pipeline
    reads the same for ours."""
    return _print_elapsed_time(owner, message)
