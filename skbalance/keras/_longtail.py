"""Long-tail training methods of :class:`~skbalance.keras.KerasBalancedClassifier`.

Each method is one estimator parameter and has its home here, so that ``classifier.py`` only
routes to it:

- ``resample="epoch"`` and ``batch_sampling``: training through a
  :class:`~skbalance.keras.BalancedDataset` that redraws the balance every epoch by index;
- ``class_weight_from_epoch``: deferred re-weighting (DRW, Cao et al., NeurIPS 2019), served by
  the same feed;
- ``posthoc_adjustment``: post-hoc logit adjustment (Menon et al., ICLR 2021), subtracting
  ``tau * log(prior)`` from the logits at predict time;
- ``head_retrain_epochs``: classifier re-training (cRT, Kang et al., ICLR 2020), the last layer
  retrained on class-balanced batches with everything else frozen.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import NamedTuple

import keras
import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skbalance.keras._epoch_plan import BATCH_SAMPLING, class_shares
from skbalance.keras._prior import expected_epoch_mass, shift_logits
from skbalance.keras.feed import BalancedDataset
from skbalance.weights import compute_class_weight

__all__ = [
    "LONGTAIL_CONSTRAINTS",
    "POSTHOC_TAU_GRID",
    "EpochFeed",
    "adjust_logits",
    "check_longtail_params",
    "choose_posthoc_tau",
    "deferred_epoch",
    "epoch_feed",
    "head_layer",
    "retrain_head",
    "uses_epoch_feed",
]

LONGTAIL_CONSTRAINTS: dict = {
    "resample": [StrOptions({"epoch", "once"})],
    "batch_sampling": [StrOptions(set(BATCH_SAMPLING))],
    # An epoch number, or a fraction of ``epochs`` (the schedule then follows set_params).
    "class_weight_from_epoch": [
        Interval(Integral, 0, None, closed="left"),
        Interval(Real, 0, 1, closed="neither"),
    ],
    "posthoc_adjustment": [None, StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
    "head_retrain_epochs": [Interval(Integral, 0, None, closed="left")],
}

# The taus "auto" tries: 0 (no adjustment) to 2 in steps of 0.1 (Menon et al. find the best
# tau near 1; the grid brackets it generously).
POSTHOC_TAU_GRID = np.round(np.arange(0.0, 2.0001, 0.1), 1)


def deferred_epoch(estimator) -> int:
    """The first class-weighted epoch (counted from 0): ``class_weight_from_epoch`` itself, or
    for a fraction in (0, 1), that fraction of ``epochs``, rounded down."""
    start = estimator.class_weight_from_epoch
    if isinstance(start, Integral):
        return int(start)
    return int(start * estimator.epochs)


def check_longtail_params(estimator) -> None:
    """Cross-parameter checks of the long-tail parameters (each alone is checked by
    ``LONGTAIL_CONSTRAINTS``); raised in ``fit`` before any work."""
    if estimator.posthoc_adjustment == "auto" and estimator.validation_fraction == 0:
        raise ValueError(
            "posthoc_adjustment='auto' picks tau on the validation split, but "
            "validation_fraction=0 holds none out; set validation_fraction (e.g. 0.2) or give "
            "tau as a number (e.g. posthoc_adjustment=1.0)."
        )
    if estimator.class_weight_from_epoch > 0:
        if estimator.class_weight is None:
            raise ValueError(
                f"class_weight_from_epoch={estimator.class_weight_from_epoch} defers class "
                "weights (DRW), but class_weight is None; set class_weight (e.g. "
                "'effective_number') or class_weight_from_epoch=0."
            )
        if deferred_epoch(estimator) >= estimator.epochs:
            raise ValueError(
                f"class_weight_from_epoch={estimator.class_weight_from_epoch} is not before "
                f"the last epoch (epochs={estimator.epochs}, counted from 0), so the class "
                "weights would never apply; use a value below epochs (e.g. 80% of it)."
            )


def uses_epoch_feed(estimator) -> bool:
    """Whether training goes through a per-epoch ``BalancedDataset`` (else plain arrays)."""
    return (
        (estimator.sampler is not None and estimator.resample == "epoch")
        or estimator.batch_sampling != "instance"
        or estimator.class_weight_from_epoch > 0
    )


class EpochFeed(NamedTuple):
    feed: BalancedDataset
    class_counts: np.ndarray  # rows per class code in the first epoch's draw
    class_weight: dict  # label -> weight, computed on that draw
    class_mass: object  # epoch -> expected weighted rows per class code served that epoch


def epoch_feed(
    X: np.ndarray,
    labels: np.ndarray,
    sample_weight,
    *,
    classes: np.ndarray,
    sampler,
    batch_sampling: str,
    batch_size: int,
    class_weight,
    beta: float,
    class_weight_from_epoch: int,
    epochs: int,
    seed: int,
) -> EpochFeed:
    """The per-epoch training feed over ``X`` (never copied) and the facts the loss needs.

    Class counts and class weights come from the first epoch's draw - the rows the network
    trains on, as with ``resample="once"``.
    """
    feed = BalancedDataset(
        X,
        labels,
        sampler=sampler,
        batch_sampling=batch_sampling,
        batch_size=batch_size,
        sample_weight=sample_weight,
        epochs=epochs,
        random_state=seed,
    )
    codes = feed.epoch_codes_
    class_counts = np.bincount(codes, minlength=len(classes))
    weights = compute_class_weight(class_weight, y=classes[codes], beta=beta)
    class_mass = _epoch_class_mass(
        feed, classes=classes, class_weight=None if class_weight is None else weights,
        class_weight_from_epoch=class_weight_from_epoch, epochs=epochs,
    )  # fmt: skip
    if class_weight is not None:
        # Same seed, so the same draws; the weights are now keyed by the user's labels.
        feed = feed.replace(class_weight=weights, class_weight_from_epoch=class_weight_from_epoch)
    return EpochFeed(feed, class_counts, weights, class_mass)


def _epoch_class_mass(feed, *, classes, class_weight, class_weight_from_epoch, epochs):
    """``epoch -> expected weighted rows per class`` of the (not yet class-weighted) ``feed``.

    An epoch draws ``m * share_c`` rows of class ``c`` from the pool (the sampler's rows, or
    all rows), each of the class's mean ``sample_weight``; class weights apply from
    ``class_weight_from_epoch`` on. The first epoch's pool stands for every epoch's (the same
    class counts every epoch for samplers whose counts their ``sampling_strategy`` fixes).
    """
    if feed.sampler is None:  # the pool is every row
        pool_codes, pool_weights = feed._codes, feed._row_weight
    else:
        # An "instance" epoch serves its pool exactly; otherwise the same seed redraws the
        # pool (one more sampler fit) without the batch sampling.
        pool = feed
        if feed.batch_sampling != "instance":
            pool = feed.replace(batch_sampling="instance")
        plan = pool._epoch_batches(pool.epoch_)
        pool_codes, pool_weights = plan.targets, plan.weights
    pool_counts = np.bincount(pool_codes, minlength=len(classes))
    per_class = None
    if class_weight is not None:
        per_class = np.array([class_weight[c] for c in classes.tolist()], dtype=np.float64)

    def class_mass(epoch: int) -> np.ndarray:
        shares = class_shares(pool_counts, feed.batch_sampling, epoch=epoch, epochs=epochs)
        return expected_epoch_mass(
            pool_codes, pool_weights, n_classes=len(classes),
            rows_per_epoch=feed.rows_per_epoch_, shares=shares,
            class_weights=per_class if epoch >= class_weight_from_epoch else None,
        )  # fmt: skip

    return class_mass


def adjust_logits(logits: np.ndarray, log_prior: np.ndarray, tau: float) -> np.ndarray:
    """Post-hoc logit adjustment: ``logits - tau * log(prior)``.

    A single-unit binary network outputs the log-odds of class 1, which moves by
    ``-tau * (log prior_1 - log prior_0)``.
    """
    if tau == 0:
        return logits
    # A prior shift like output_prior's (see skbalance.keras._prior): to prior * exp(-tau log
    # prior) from the network's own.
    return shift_logits(logits, -tau * np.asarray(log_prior))


def _balanced_accuracy(codes: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    recalls = [np.mean(predicted[codes == c] == c) for c in range(n_classes) if np.any(codes == c)]
    return float(np.mean(recalls))


def choose_posthoc_tau(logits: np.ndarray, codes: np.ndarray, log_prior: np.ndarray) -> float:
    """The tau of ``POSTHOC_TAU_GRID`` with the best balanced accuracy on ``(logits, codes)``.

    Small validation sets give ties; among the best taus the one closest to 1 (the value for
    which the adjustment is Bayes-consistent for balanced error) wins.
    """
    n_classes = len(log_prior)
    scores = []
    for tau in POSTHOC_TAU_GRID:
        adjusted = adjust_logits(logits, log_prior, float(tau))
        predicted = (
            (adjusted[:, 0] > 0).astype(np.intp)
            if adjusted.shape[1] == 1
            else np.argmax(adjusted, axis=1)
        )
        scores.append(_balanced_accuracy(codes, predicted, n_classes))
    scores = np.asarray(scores)
    best = POSTHOC_TAU_GRID[np.isclose(scores, scores.max())]
    return float(best[np.argmin(np.abs(best - 1.0))])


def head_layer(network: keras.Model):
    """The last layer that has weights: the classifier head that cRT retrains."""
    weighted = [layer for layer in network.layers if layer.weights]
    if not weighted:
        raise ValueError(
            "head_retrain_epochs > 0 retrains the network's last layer with weights, but the "
            "model has no layer with weights."
        )
    return weighted[-1]


def retrain_head(
    network: keras.Model,
    X: np.ndarray,
    labels: np.ndarray,
    sample_weight,
    *,
    make_loss,
    optimizer,
    epochs: int,
    batch_size: int,
    steps_per_execution,
    verbose: int,
    seed: int,
) -> None:
    """Classifier re-training (cRT): freeze every layer but the head, retrain the head.

    The head is trained for ``epochs`` epochs on class-balanced batches drawn from the
    training rows (``batch_sampling="class"``, no sampler), with a fresh ``optimizer`` and
    the loss ``make_loss(class_counts)`` built from the balanced batches' class counts (so a
    logit-adjusted loss adds nothing on balanced batches, as in Kang et al. who use plain
    cross-entropy). ``steps_per_execution(batches_per_epoch)`` gives Keras' compile option.
    The layers' ``trainable`` flags are restored afterwards.
    """
    head = head_layer(network)
    feed = BalancedDataset(
        X,
        labels,
        batch_sampling="class",
        batch_size=batch_size,
        sample_weight=sample_weight,
        random_state=seed,
    )
    counts = np.bincount(feed.epoch_codes_, minlength=feed.classes_.size)
    flags = [(layer, layer.trainable) for layer in network.layers]
    try:
        for layer in network.layers:
            layer.trainable = layer is head
        network.compile(
            optimizer=optimizer,
            loss=make_loss(counts),
            steps_per_execution=steps_per_execution(len(feed)),
        )
        network.fit(feed, epochs=epochs, verbose=verbose)  # the feed shuffles, seeded
    finally:
        for layer, trainable in flags:
            layer.trainable = trainable
