"""The named balancing strategies that :func:`skbalance.compare.compare_strategies` offers.

A strategy is a set of parameters for ``KerasBalancedClassifier`` (or any classifier with the
same parameter names). Each one sets *all* the balancing knobs the classifier has (loss, class
weights, sampler, ...), so a strategy means the same thing whatever the base estimator was
configured with; the base estimator keeps owning the network and the training schedule.

A strategy that sets a parameter the classifier does not have (for example
``batch_sampling``, added with the balanced training feed, or ``loss`` on a scikit-learn
classifier) is not offered rather than failing: it appears automatically once the classifier
supports it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "RAW_SAMPLER",
    "Strategy",
    "STRATEGIES",
    "balancing_reset",
    "resolve_strategy",
    "unmet_need",
]


# The key under which a strategy returns a sampler that must see the rows as the user gave
# them (categorical columns as categories), before the estimator's preprocessing: not a
# classifier parameter, compare puts it in a pipeline step (see compare._with_raw_sampler).
RAW_SAMPLER = "raw_sampler"


@dataclass(frozen=True)
class _Context:
    params: dict  # the configured classifier's get_params(deep=False)
    min_train_count: int  # rows of the rarest class in the smallest training fold
    random_state: int
    categorical_columns: tuple = ()  # X's categorical columns (see compare.categorical_columns)
    n_columns: int = 0  # X's columns


@dataclass(frozen=True)
class Strategy:
    """A named balancing strategy: what it does and the classifier parameters it sets."""

    name: str
    description: str
    build: Callable[[_Context], dict]
    sampler: str | None = None  # class name in skbalance.sampling, if it uses one


# The value that switches each balancing knob off. A strategy starts from these, so that
# e.g. "focal" on a base estimator configured with class_weight="balanced" is still plain focal.
_NEUTRAL = {
    "loss": "cross_entropy",
    "class_weight": None,
    "sampler": None,
    "batch_sampling": "instance",
    "class_weight_from_epoch": 0,
    "posthoc_adjustment": None,
    "head_retrain_epochs": 0,
}


def balancing_reset(params: dict) -> dict:
    """The neutral value of every balancing knob that the classifier has."""
    return {name: value for name, value in _NEUTRAL.items() if name in params}


def _sampler(class_name: str, ctx: _Context, **kwargs):
    sampler_class = getattr(importlib.import_module("skbalance.sampling"), class_name)
    sampler = sampler_class(**kwargs)
    if "random_state" in sampler.get_params():
        sampler.set_params(random_state=ctx.random_state)
    return sampler


def _with_sampler(class_name: str, **kwargs) -> Callable[[_Context], dict]:
    def build(ctx: _Context) -> dict:
        params = {"sampler": _sampler(class_name, ctx, **kwargs)}
        if "resample" in ctx.params:  # draw a fresh sample every epoch when the feed can
            params["resample"] = "epoch"
        return params

    return build


def _smote(ctx: _Context) -> dict:
    # SMOTE needs k_neighbors + 1 rows of a class in every training fold.
    k_neighbors = max(1, min(5, ctx.min_train_count - 1))
    if ctx.categorical_columns:
        # Categories stay categories: SMOTENC (SMOTEN when no column is numeric) on the raw
        # columns, before one-hot encoding, never SMOTE on fractions of one-hot codes.
        if len(ctx.categorical_columns) == ctx.n_columns:
            return {RAW_SAMPLER: _sampler("SMOTEN", ctx, k_neighbors=k_neighbors)}
        sampler = _sampler(
            "SMOTENC",
            ctx,
            categorical_features=list(ctx.categorical_columns),
            k_neighbors=k_neighbors,
        )
        return {RAW_SAMPLER: sampler}
    params = {"sampler": _sampler("SMOTE", ctx, k_neighbors=k_neighbors)}
    if "resample" in ctx.params:
        params["resample"] = "epoch"
    return params


def _ldam_drw(ctx: _Context) -> dict:
    # Cao et al. 2019 re-weight for the last fifth of training (epoch 160 of 200).
    epochs = ctx.params.get("epochs") or 1
    return {
        "loss": "ldam",
        "class_weight": "effective_number",
        "class_weight_from_epoch": int(0.8 * epochs),
    }


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in [
        Strategy("none", "plain cross-entropy, no balancing (the baseline)", lambda ctx: {}),
        Strategy(
            "balanced_weights",
            "class weights n / (k * n_c), scikit-learn's 'balanced'",
            lambda ctx: {"class_weight": "balanced"},
        ),
        Strategy(
            "effective_number",
            "class weights from the effective number of samples (Cui et al. 2019)",
            lambda ctx: {"class_weight": "effective_number"},
        ),
        Strategy("focal", "focal loss, gamma=2 (Lin et al. 2017)", lambda ctx: {"loss": "focal"}),
        Strategy(
            "logit_adjusted",
            "logit-adjusted loss, tau=1 (Menon et al. 2021)",
            lambda ctx: {"loss": "logit_adjusted"},
        ),
        Strategy(
            "ldam_drw",
            "LDAM loss with deferred re-weighting from 80% of the epochs (Cao et al. 2019)",
            _ldam_drw,
        ),
        Strategy(
            "posthoc",
            "plain training, then post-hoc logit adjustment, tau=1 (Menon et al. 2021)",
            lambda ctx: {"posthoc_adjustment": 1.0},
        ),
        Strategy(
            "undersample",
            "random under-sampling to the rarest class (redrawn every epoch if supported)",
            _with_sampler("RandomUnderSampler"),
            sampler="RandomUnderSampler",
        ),
        Strategy(
            "oversample",
            "random over-sampling to the largest class (redrawn every epoch if supported)",
            _with_sampler("RandomOverSampler"),
            sampler="RandomOverSampler",
        ),
        Strategy(
            "smote",
            "SMOTE synthetic over-sampling (SMOTENC/SMOTEN on categorical columns)",
            _smote,
            sampler="SMOTE",
        ),
        Strategy(
            "class_balanced_batches",
            "every class equally often in each batch (Kang et al. 2020)",
            lambda ctx: {"batch_sampling": "class"},
        ),
    ]
}


def unmet_need(strategy: Strategy, *, min_train_count: int) -> str | None:
    """Why ``strategy`` cannot run on this installation and data, or None.

    Needs only the data (``min_train_count``: rows of the rarest class in the smallest
    training fold), not the classifier, so the command line checks it before importing Keras.
    """
    if strategy.sampler is not None:
        try:
            getattr(importlib.import_module("skbalance.sampling"), strategy.sampler)
        except (ImportError, AttributeError):
            return f"skbalance.sampling.{strategy.sampler} is not available"
    if strategy.name == "smote" and min_train_count < 2:
        return "a class has fewer than 2 rows in a training fold, too few to interpolate"
    return None


def resolve_strategy(
    strategy: Strategy,
    params: dict,
    *,
    min_train_count: int,
    random_state: int,
    categorical_columns: tuple = (),
    n_columns: int = 0,
) -> tuple[dict | None, str | None]:
    """``(parameters to set, None)`` for ``strategy``, or ``(None, why it cannot run)``.

    ``params`` is the classifier's ``get_params(deep=False)``: a strategy that sets a parameter
    the classifier does not have is not offered. ``categorical_columns`` (of ``n_columns``)
    are the data's categorical columns; a strategy may then return a sampler for the raw rows
    under :data:`RAW_SAMPLER`.
    """
    reason = unmet_need(strategy, min_train_count=min_train_count)
    if reason is not None:
        return None, reason
    ctx = _Context(
        params=params,
        min_train_count=min_train_count,
        random_state=random_state,
        categorical_columns=tuple(categorical_columns),
        n_columns=n_columns,
    )
    built = strategy.build(ctx)
    missing = sorted(name for name in built if name not in params and name != RAW_SAMPLER)
    if missing:
        return None, f"the classifier has no parameter {', '.join(missing)}"
    return {**balancing_reset(params), **built}, None
