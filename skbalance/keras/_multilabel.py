"""Multi-label targets of :class:`~skbalance.keras.KerasBalancedClassifier`.

An indicator ``y`` of shape (n_samples, n_labels) (scikit-learn's "multilabel-indicator") is
trained as ``n_labels`` binary problems sharing one network: one logit per label, a per-label
sigmoid loss, and per-label positive/negative weights in the loss instead of per-row class
weights. Everything ``fit`` does differently for such a target has its home here: which
options apply (and why the others cannot), the validation hold-out, the training rows and
their label weights, and the loss.
"""

from __future__ import annotations

import copy
import warnings
from typing import NamedTuple

import keras
import numpy as np
from sklearn.utils.multiclass import type_of_target

from skbalance._rows import fresh_sampler
from skbalance.keras._prior import label_mass
from skbalance.keras._serving import EpochBatches
from skbalance.keras._training import ArrayFeed, array_feed, check_loss_instance, resample_once
from skbalance.weights import LabelWeights, compute_label_weight

__all__ = [
    "MULTILABEL_LOSSES",
    "MULTILABEL_ONLY_LOSSES",
    "LabelTarget",
    "check_label_options",
    "check_label_output",
    "check_single_label_options",
    "check_training_labels",
    "holdout_rows",
    "is_indicator",
    "label_training_source",
    "make_label_loss",
    "read_indicator",
]

# The losses an indicator y can train with: the per-label (sigmoid) forms.
MULTILABEL_LOSSES = (
    "cross_entropy",
    "focal",
    "asymmetric",
    "logit_adjusted",
    "distribution_balanced",
)
# Losses only defined for an indicator y (one sigmoid per label).
MULTILABEL_ONLY_LOSSES = ("asymmetric", "distribution_balanced")


class LabelTarget(NamedTuple):
    """A validated indicator ``y``: the 0/1 matrix and the labels' names."""

    matrix: np.ndarray  # bool, (n_samples, n_labels)
    names: list  # DataFrame column names, else column positions
    from_frame: bool  # whether y was a DataFrame (a class_weight dict is keyed by its columns)


def is_indicator(y) -> bool:
    """Whether ``y`` is a label indicator matrix (scikit-learn's "multilabel-indicator")."""
    try:
        return type_of_target(y) == "multilabel-indicator"
    except (TypeError, ValueError):  # not a target type_of_target knows: the 1-D path reports it
        return False


def read_indicator(y) -> LabelTarget:
    """Validate an indicator ``y`` (ndarray, nested list, DataFrame or scipy sparse)."""
    # The samplers' one validator of indicator matrices; a label without positives (or
    # negatives) is reported by compute_label_weight, whose message says why it matters here.
    from skbalance.sampling._multilabel import check_indicator

    target = check_indicator(y, name="y", allow_empty_labels=True)
    return LabelTarget(target.matrix, target.names, target.kind == "dataframe")


def _refusal(option: str, reason: str) -> ValueError:
    return ValueError(
        f"{option} cannot be used with a multi-label (indicator) y: {reason} Leave it at its "
        "default, or train on one label per row."
    )


def check_label_options(estimator) -> None:
    """Refuse, before any work, each option that is only defined for one label per row."""
    loss = estimator.loss
    if isinstance(loss, str) and loss not in MULTILABEL_LOSSES:
        raise _refusal(
            f"loss={loss!r}",
            "it is a softmax loss over classes that exclude each other, while each label of an "
            f"indicator y is its own yes/no problem. Use one of {list(MULTILABEL_LOSSES)}.",
        )
    if isinstance(loss, keras.losses.Loss) and estimator.class_weight is not None:
        raise _refusal(
            "class_weight with a keras.losses.Loss instance",
            "per-label weights are applied inside the loss (they are not row weights), and "
            "a loss instance is used as given. Pass the weights to your loss (e.g. "
            "positive_weights= of skbalance's multi-label losses, from "
            "skbalance.weights.compute_label_weight), or use a loss name.",
        )
    if estimator.batch_sampling != "instance":
        raise _refusal(
            f"batch_sampling={estimator.batch_sampling!r}",
            "class shares of a batch need one class per row, and a row of an indicator y can "
            "have several labels or none. A multi-label sampler (MultilabelRandomOverSampler, "
            "MLSMOTE) with resample='once' rebalances the labels instead.",
        )
    if estimator.class_weight_from_epoch > 0:
        raise _refusal(
            f"class_weight_from_epoch={estimator.class_weight_from_epoch}",
            "deferred re-weighting is served by the single-label per-epoch feed.",
        )
    if estimator.posthoc_adjustment is not None:
        raise _refusal(
            f"posthoc_adjustment={estimator.posthoc_adjustment!r}",
            "it subtracts log class priors across softmax classes; for per-label logit "
            "adjustment train with loss='logit_adjusted'.",
        )
    if estimator.head_retrain_epochs > 0:
        raise _refusal(
            f"head_retrain_epochs={estimator.head_retrain_epochs}",
            "classifier re-training draws class-balanced batches, which need one class per row.",
        )
    sampler = estimator.sampler
    if sampler is None:
        return
    try:
        multi_label = bool(sampler.__sklearn_tags__().target_tags.two_d_labels)
    except AttributeError:
        multi_label = False
    if not multi_label:
        raise _refusal(
            f"sampler={type(sampler).__name__}",
            "it resamples one label per row (its target tags do not declare two_d_labels). "
            "Use a multi-label sampler: MultilabelRandomOverSampler, "
            "MultilabelRandomUnderSampler or MLSMOTE from skbalance.sampling.",
        )
    if estimator.resample == "epoch" and _epoch_draw(sampler) is None:
        raise _refusal(
            f"resample='epoch' with sampler={type(sampler).__name__}",
            "a per-epoch redraw needs a sampler whose row_source tag says what it returns: "
            "rows selected from the labels ('labels', with fit_resample_indices: "
            "MultilabelRandomOverSampler, MultilabelRandomUnderSampler) or the input rows "
            "followed by generated ones ('generated': MLSMOTE). Set resample='once' to "
            "resample the training rows once per fit.",
        )


def _epoch_draw(sampler) -> str | None:
    """How a sampler is redrawn every epoch: ``"indices"``, ``"generated"`` or None (not)."""
    from skbalance.keras.feed import _row_source  # the feed's one reading of the tag

    source = _row_source(sampler)
    if source == "labels" and callable(getattr(sampler, "fit_resample_indices", None)):
        return "indices"
    return "generated" if source == "generated" else None


def check_single_label_options(estimator) -> None:
    """Refuse, before any work, a loss that is only defined for an indicator y."""
    if isinstance(estimator.loss, str) and estimator.loss in MULTILABEL_ONLY_LOSSES:
        raise ValueError(
            f"loss={estimator.loss!r} is a per-label loss for a multi-label (indicator) y of "
            "shape (n_samples, n_labels); y has one label per row. Use 'cross_entropy', "
            "'focal', 'logit_adjusted', 'balanced_softmax' or 'ldam'."
        )


def check_training_labels(estimator, target: LabelTarget, rows, *, where: str) -> LabelWeights:
    """The label weights of ``target``'s ``rows``; a ValueError names a label without positive
    or negative rows there (``where`` says which rows, for the message)."""
    try:
        return _label_weights(estimator, target.matrix[rows], target)
    except ValueError as exc:
        raise ValueError(f"{exc} (in {where})") from None


def _label_weights(estimator, matrix: np.ndarray, target: LabelTarget) -> LabelWeights:
    Y = matrix
    if target.from_frame:  # a class_weight dict is keyed by the DataFrame's column names
        import pandas as pd

        Y = pd.DataFrame(matrix, columns=target.names)
    return compute_label_weight(estimator.class_weight, Y=Y, beta=estimator.beta)


def holdout_rows(matrix: np.ndarray, fraction: float, seed: int):
    """``(train, validation)`` row indices: one fold of iterative stratification.

    A stratified split of the classes cannot stratify an indicator matrix, and a plain
    shuffled one can leave a rare label's few positives all on one side. Iterative
    stratification (Sechidis et al. 2011) spreads every label's positives over
    ``k = round(1 / fraction)`` folds (at least 2); the first fold is held out, so the share held
    out is ``1 / k`` (0.2 -> 1/5, 0.1 -> 1/10, 0.3 -> 1/3).
    """
    from skbalance.model_selection import IterativeStratifiedKFold

    n_splits = max(2, round(1.0 / fraction))
    folds = IterativeStratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # "fewer positives than n_splits" speaks of folds the user never asked for; a label
        # left without training positives is an error below (check_training_labels), and
        # one without validation positives is harmless to val_loss.
        warnings.filterwarnings("ignore", "The least populated label", UserWarning)
        train, validation = next(folds.split(np.empty((len(matrix), 0)), matrix))
    return train, validation


def check_label_output(network: keras.Model, sample: np.ndarray, n_labels: int) -> None:
    """Refuse a network that does not output one logit per label."""
    shape = tuple(keras.ops.convert_to_numpy(network(sample, training=False)).shape)
    if len(shape) != 2 or shape[1] != n_labels:
        raise ValueError(
            f"The model must output logits of shape (n_rows, {n_labels}), one per label of the "
            f"indicator y; it output shape {shape[1:]} per batch. Give the last layer "
            f"{n_labels} units and no activation."
        )


class LabelSource(NamedTuple):
    """What a multi-label fit trains on (the fields of the classifier's training source)."""

    data: object  # the seeded, shuffled array feed
    class_counts: np.ndarray  # positive rows per label, of the rows trained on
    n_rows: int
    class_weight: LabelWeights
    # epoch -> each label's weighted (positive, negative) rows, shape (2, n_labels): what the
    # effective positive rates (output_prior) are read from
    class_mass: object


def label_training_source(
    estimator, X, Y: np.ndarray, sample_weight, target: LabelTarget, *, shuffle_seed: int,
    sampler_seed: int,
) -> LabelSource:  # fmt: skip
    """The training feed of an indicator ``Y``: resampled once or every epoch (a multi-label
    sampler), label weights computed on the rows trained on (the first epoch's draw),
    ``sample_weight`` kept per row."""
    if estimator.sampler is not None and estimator.resample == "epoch":
        feed = LabelEpochFeed(
            X, Y.astype(np.float32), sample_weight, sampler=estimator.sampler,
            batch_size=estimator.batch_size, seed=sampler_seed,
        )  # fmt: skip
        first = feed.epoch_targets(0).astype(bool)
        label_weight = check_training_labels(
            estimator, target._replace(matrix=first), slice(None), where="the first epoch's draw"
        )
        # Every epoch serves m rows of a fresh draw; the first one's rates stand for all.
        pool = feed._draw(0)
        mass = label_mass(pool.targets, pool.weights, label_weight)
        return LabelSource(feed, first.sum(axis=0), len(first), label_weight, lambda _: mass)
    if estimator.sampler is not None:
        X, Y, sample_weight = resample_once(
            estimator.sampler, X, Y, sample_weight, seed=sampler_seed
        )
        Y = np.asarray(Y).astype(bool)
        label_weight = check_training_labels(
            estimator, target._replace(matrix=Y), slice(None), where="the resampled rows"
        )
    else:
        label_weight = _label_weights(estimator, Y, target)
    data = array_feed(
        X, Y.astype(np.float32), sample_weight, batch_size=estimator.batch_size, seed=shuffle_seed
    )
    mass = label_mass(Y, sample_weight, label_weight)
    return LabelSource(data, Y.sum(axis=0), len(Y), label_weight, lambda _: mass)


def make_label_loss(estimator, source: LabelSource) -> keras.losses.Loss:
    """The Keras loss of the ``loss`` parameter for one logit per label.

    ``class_weight`` enters as the loss's per-label ``positive_weights`` and
    ``negative_weights``; the logit-adjusted and distribution-balanced losses get the positive
    rates of the rows trained on.
    """
    from skbalance.keras import losses

    loss = estimator.loss
    if isinstance(loss, keras.losses.Loss):
        check_loss_instance(loss)
        return copy.deepcopy(loss)  # never share (or let Keras mutate) the user's object
    weights = {}
    if estimator.class_weight is not None:
        weights = {
            "positive_weights": source.class_weight.positive.tolist(),
            "negative_weights": source.class_weight.negative.tolist(),
        }
    rates = (source.class_counts / source.n_rows).tolist()
    if loss == "cross_entropy":  # focal with gamma=0 is the per-label weighted BCE
        return losses.MultilabelFocalLoss(gamma=0.0, from_logits=True, **weights)
    if loss == "focal":
        return losses.MultilabelFocalLoss(
            gamma=estimator.gamma, alpha=estimator.alpha, from_logits=True, **weights
        )
    if loss == "asymmetric":
        return losses.AsymmetricLoss(
            gamma_pos=estimator.gamma_pos,
            gamma_neg=estimator.gamma_neg,
            clip=estimator.clip,
            from_logits=True,
            **weights,
        )
    if loss == "logit_adjusted":
        return losses.MultilabelLogitAdjustedLoss(rates, tau=estimator.tau, **weights)
    return losses.DistributionBalancedLoss(rates, **weights)


class _Pool(NamedTuple):
    """One epoch's draw: rows (``>= n_samples``: generated), their targets and weights."""

    rows: np.ndarray
    targets: np.ndarray
    weights: np.ndarray | None
    synthetic: np.ndarray | None  # the generated rows of X, or None


class LabelEpochFeed(ArrayFeed):
    """An array feed that redraws a multi-label sampler every epoch.

    Epoch ``e`` refits a fresh copy of the sampler, seeded from ``seed`` and ``e``. A sampler
    that selects rows from the labels (ML-ROS, ML-RUS) is asked for row indices only
    (``fit_resample_indices`` on a stand-in of ``X``: X is never read or copied); a generating
    one (MLSMOTE, ``row_source`` "generated": the input rows, then the new ones) is refitted
    on ``X`` and only its generated rows, their label rows and weights are kept. The epoch's
    rows are served shuffled (weights and targets follow them, as in the array feed). Keras
    needs the same number of batches every epoch, so every epoch serves ``m`` rows, ``m``
    being the size of the first draw: a larger draw is cut to ``m`` rows at random, a smaller
    one topped up with rows drawn from it at random.
    """

    def __init__(self, X, targets: np.ndarray, weights, *, sampler, batch_size: int, seed: int):
        super().__init__(X, targets, weights, batch_size=batch_size, seed=seed)
        self._sampler = sampler
        self._how = _epoch_draw(sampler)
        self._first = self._draw(0)
        self._m = len(self._first.rows)

    def _rows_per_epoch(self) -> int:
        return self._m

    @property
    def num_batches(self) -> int:
        return -(-self._m // self._batch_size)

    def _has_synthetic(self) -> bool:
        return self._how == "generated"

    def _draw(self, epoch: int) -> _Pool:
        if epoch == 0 and hasattr(self, "_first"):
            return self._first
        seeds = np.random.SeedSequence(self._seed, spawn_key=(int(epoch), 1))
        sampler = fresh_sampler(
            self._sampler, int(seeds.generate_state(1)[0] >> 1), keep_given_seed=False
        )
        n_samples = len(self._targets)
        if self._how == "indices":
            # The row numbers stand in for X: a labels-only sampler never reads X's values.
            stand_in = np.arange(n_samples).reshape(-1, 1)
            rows = np.asarray(sampler.fit_resample_indices(stand_in, self._targets), np.intp)
            weights = None if self._weights is None else self._weights[rows]
            return _Pool(rows, self._targets[rows], weights, None)
        X = self._X
        extra = {} if self._weights is None else {"sample_weight": self._weights}
        X_res, Y_res, *weight_res = sampler.fit_resample(
            X.reshape(n_samples, -1), self._targets, **extra
        )
        synthetic = np.asarray(X_res[n_samples:], dtype=X.dtype).reshape(-1, *X.shape[1:])
        new_targets = np.asarray(Y_res[n_samples:], dtype=self._targets.dtype)
        weights = None
        if self._weights is not None:
            new_weights = np.asarray(weight_res[0][n_samples:], dtype=np.float32)
            weights = np.concatenate([self._weights, new_weights])
        rows = np.arange(n_samples + len(synthetic), dtype=np.intp)
        return _Pool(rows, np.concatenate([self._targets, new_targets]), weights, synthetic)

    def _positions(self, epoch: int, pool: _Pool) -> np.ndarray:
        """Which of the pool's entries are served, in serving order."""
        rng = np.random.default_rng(np.random.SeedSequence(self._seed, spawn_key=(int(epoch),)))
        n_pool = len(pool.rows)
        positions = np.arange(n_pool)
        if n_pool != self._m:
            extra = max(self._m - n_pool, 0)
            keep = rng.permutation(n_pool)[: self._m]
            positions = np.concatenate([keep, rng.integers(n_pool, size=extra)])
        positions = positions[rng.permutation(len(positions))]
        # rows ascending within each batch (in-order reads of a memmap), as in the array feed
        batch = np.arange(len(positions)) // self._batch_size
        return positions[np.lexsort((pool.rows[positions], batch))]

    def epoch_rows(self, epoch: int) -> np.ndarray:
        """The rows of ``epoch`` (counted from 0) in serving order; ``>= n_samples``: generated."""
        pool = self._draw(epoch)
        rows = pool.rows[self._positions(epoch, pool)]
        return rows.astype(self._index_dtype, copy=False)

    def epoch_targets(self, epoch: int) -> np.ndarray:
        """The label rows of ``epoch``'s rows, in serving order."""
        pool = self._draw(epoch)
        return pool.targets[self._positions(epoch, pool)]

    def _epoch_batches(self, epoch: int) -> EpochBatches:
        pool = self._draw(epoch)
        positions = self._positions(epoch, pool)
        weights = None if pool.weights is None else pool.weights[positions]
        rows = pool.rows[positions].astype(self._index_dtype, copy=False)
        return EpochBatches(rows, pool.targets[positions], weights, pool.synthetic)
