"""Training plumbing of :class:`~skbalance.keras.KerasBalancedClassifier`.

The pieces ``fit`` assembles, each in one place: applying a sampler once, the loss for a
``loss`` parameter, the seeded array feed, and silencing TensorFlow's false retracing warning.
"""

from __future__ import annotations

import contextlib
import copy
import logging
from collections.abc import Iterator

import keras
import numpy as np

from skbalance._rows import fit_resample_rows, fresh_sampler
from skbalance.keras._epoch_plan import sort_within_batches
from skbalance.keras._serving import EpochBatches, EpochServer

__all__ = [
    "LOSSES",
    "ArrayFeed",
    "array_feed",
    "check_loss_instance",
    "make_loss",
    "no_retracing_warning",
    "resample_once",
]

LOSSES = ("cross_entropy", "focal", "logit_adjusted", "balanced_softmax", "ldam")
_LOGIT_ONLY_LOSSES = ("logit_adjusted", "balanced_softmax", "ldam")  # need k >= 2 units


def resample_once(sampler, X: np.ndarray, labels: np.ndarray, sample_weight, *, seed: int):
    """Apply a clone of ``sampler`` to the training rows: ``(X, labels, sample_weight)``.

    The user's sampler is never fitted. A sampler whose ``random_state`` is None gets ``seed``,
    so the estimator's ``random_state`` makes the fit reproducible. ``sample_weight`` follows
    the rows by the one rule of :func:`skbalance._rows.fit_resample_rows`: through the
    sampler's own ``sample_weight=`` argument when it has one (synthetic rows get the weight it
    derives: interpolated between the parents by skbalance's SMOTE family), else through
    ``sample_indices_``, else a ValueError.
    """
    sampler = fresh_sampler(sampler, seed, keep_given_seed=True)
    # Samplers (imbalanced-learn's among them) take 2-D X: images are flattened for them.
    flat = X.reshape(len(X), -1)
    travelling = [] if sample_weight is None else [("sample_weight", sample_weight)]
    X_res, y_res, _, aligned = fit_resample_rows(sampler, flat, labels, {}, travelling)
    if aligned:
        sample_weight = np.asarray(aligned[0], dtype=np.float32)
    y_res = np.asarray(y_res)
    unknown = np.setdiff1d(y_res, labels)
    if unknown.size:
        raise ValueError(
            f"The sampler returned labels {unknown.tolist()} that are not in y; a sampler "
            "must keep the original labels."
        )
    X_res = np.asarray(X_res, dtype=np.float32).reshape((-1, *X.shape[1:]))
    return X_res, y_res, sample_weight


def check_loss_instance(loss) -> None:
    """Reject a Keras loss instance that expects probabilities: the network outputs logits."""
    if isinstance(loss, keras.losses.Loss) and getattr(loss, "from_logits", None) is False:
        raise ValueError(
            f"loss={loss!r} expects probabilities (from_logits=False), but the network "
            "outputs logits; create it with from_logits=True."
        )


def make_loss(
    loss, n_outputs: int, class_counts: np.ndarray, *, gamma: float, alpha, tau: float
) -> keras.losses.Loss:
    """The Keras loss for the ``loss`` parameter and a network with ``n_outputs`` logit units.

    ``class_counts`` (rows per class, in class-index order) are the training rows' counts.
    """
    from skbalance.keras import losses

    if isinstance(loss, keras.losses.Loss):
        check_loss_instance(loss)
        return copy.deepcopy(loss)  # never share (or let Keras mutate) the user's object
    if n_outputs == 1 and loss in _LOGIT_ONLY_LOSSES:
        raise ValueError(
            f"loss={loss!r} needs one output unit per class; the model has a single unit. "
            "Give its last layer 2 units, or use 'cross_entropy' or 'focal'."
        )
    counts = class_counts.astype(float).tolist()
    if loss == "cross_entropy":
        if n_outputs == 1:
            return keras.losses.BinaryCrossentropy(from_logits=True)
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if loss == "focal":
        return losses.FocalLoss(gamma=gamma, alpha=alpha, from_logits=True)
    if loss == "logit_adjusted":
        return losses.LogitAdjustedLoss(counts, tau=tau)
    if loss == "balanced_softmax":
        return losses.BalancedSoftmaxLoss(counts)
    # The paper's scale=30 is for cosine (normalised) logits; the networks built or accepted
    # here output ordinary logits, where scale=1 is right (digits LT-50, LDAM-DRW: 88.7%
    # balanced accuracy with scale=1 against 84.5% with 30). A cosine head can pass its own
    # LDAMLoss(counts, scale=30) as `loss`.
    return losses.LDAMLoss(counts, scale=1.0)


class _RetracingWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


@contextlib.contextmanager
def no_retracing_warning() -> Iterator[None]:
    """Hide TensorFlow's "N out of the last M calls ... triggered retracing" during a fit.

    Every fit builds a new network and so traces a new training function once; after five
    fits in a process (a grid search) TensorFlow mistakes that for retracing one function and
    logs a warning - output the user did not ask for. Other TensorFlow messages pass through.
    """
    tf_logger = logging.getLogger("tensorflow")
    quiet = _RetracingWarningFilter()
    tf_logger.addFilter(quiet)
    try:
        yield
    finally:
        tf_logger.removeFilter(quiet)


class ArrayFeed(EpochServer):
    """The classifier's feed over in-memory (or memory-mapped) training arrays.

    Every epoch serves every row once, in an order drawn from ``seed`` and the epoch number
    alone (NumPy's, Python's and the backend's global seeds play no part), reshuffled every
    epoch; rows are ascending within each batch, so a memmapped ``X`` is read in order, batch
    by batch, and never whole. Passed to ``model.fit`` as it is (it is a Keras data adapter).
    """

    def __init__(self, X, targets: np.ndarray, weights, *, batch_size: int, seed: int):
        self._X = X
        self._targets = targets
        self._weights = None if weights is None else np.asarray(weights, dtype=np.float32)
        self._batch_size = int(batch_size)
        self._seed = int(seed)
        self._index_dtype = np.int32 if len(targets) < np.iinfo(np.int32).max else np.intp
        self._epoch = 0
        self._in_epoch = False

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @property
    def num_batches(self) -> int:
        return -(-len(self._targets) // self._batch_size)

    def _rows_per_epoch(self) -> int:
        return len(self._targets)

    def _features(self):
        return self._X

    def _target_spec(self):
        return self._targets.dtype, self._targets.shape[1:]

    def _has_weights(self) -> bool:
        return self._weights is not None

    def _has_synthetic(self) -> bool:
        return False

    def epoch_rows(self, epoch: int) -> np.ndarray:
        """The rows of ``epoch`` (counted from 0) in serving order."""
        rng = np.random.default_rng(np.random.SeedSequence(self._seed, spawn_key=(int(epoch),)))
        rows = rng.permutation(len(self._targets)).astype(self._index_dtype, copy=False)
        return sort_within_batches(rows, self._batch_size)

    def _epoch_batches(self, epoch: int) -> EpochBatches:
        rows = self.epoch_rows(epoch)
        weights = None if self._weights is None else self._weights[rows]
        return EpochBatches(rows, self._targets[rows], weights, None)

    def on_epoch_begin(self) -> None:
        self._in_epoch = True

    def on_epoch_end(self) -> None:
        if self._epoch_ended():
            self._epoch += 1

    def _current_epoch(self) -> int:
        return self._epoch


def array_feed(X, targets, weights, *, batch_size: int, seed: int) -> ArrayFeed:
    """A shuffled batch feed over in-memory arrays, seeded, reshuffled every epoch.

    The same feed on every backend (a tf.data pipeline under TensorFlow, NumPy batches under
    JAX and PyTorch), so ``random_state`` fixes the order everywhere. A memory-mapped ``X``
    is never turned into one tensor (that would read the whole file into memory): each batch's
    rows are read from it, in the same order, so the training is the same as from RAM.
    """
    return ArrayFeed(X, targets, weights, batch_size=batch_size, seed=seed)
