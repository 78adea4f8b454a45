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

__all__ = [
    "LOSSES",
    "array_feed",
    "epoch_by_epoch",
    "check_loss_instance",
    "make_loss",
    "is_file_backed",
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


def is_file_backed(array) -> bool:
    """Whether ``array``'s memory is a mapped file (an ``np.memmap`` or a view of one)."""
    import mmap

    base = array
    while base is not None:
        if isinstance(base, np.memmap | mmap.mmap):
            return True
        base = getattr(base, "base", None)
    return False


def array_feed(X, targets, weights, *, batch_size: int, seed: int):
    """A shuffled batch feed over in-memory arrays, seeded, reshuffled every epoch.

    Shuffles row indices and gathers whole batches (as Keras' own array adapter does), but
    with an op-level seed, so ``random_state`` fixes the order without TensorFlow's global
    seed. Other backends get the arrays and Keras' own (unseeded) shuffling. A memory-mapped
    ``X`` is not turned into a tensor (that would read the whole file into memory): each batch's
    rows are read from it, in the same order, so the training is the same as from RAM.
    """
    arrays = (X, targets) if weights is None else (X, targets, weights)
    if keras.backend.backend() != "tensorflow":  # pragma: no cover - TensorFlow in CI
        return arrays
    import tensorflow as tf

    from_file = is_file_backed(X)
    # convert_to_tensor may share an aligned float32 buffer instead of copying it
    tensors = tuple(tf.convert_to_tensor(array) for array in arrays[from_file:])

    def read_rows(rows: np.ndarray) -> np.ndarray:
        return np.asarray(X[rows])

    # Plain TensorFlow ops: AutoGraph has nothing to convert (and would log when it cannot
    # read the source, e.g. from a zip-imported package).
    @tf.autograph.experimental.do_not_convert
    def gather_batch(rows):
        gathered = tuple(tf.gather(tensor, rows) for tensor in tensors)
        if not from_file:
            return gathered
        x = tf.numpy_function(read_rows, [rows], Tout=tf.as_dtype(X.dtype), stateful=False)
        x.set_shape((None, *X.shape[1:]))
        return (x, *gathered)

    return (
        tf.data.Dataset.range(len(X))
        .shuffle(len(X), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(gather_batch)
        .prefetch(tf.data.AUTOTUNE)
    )


def epoch_by_epoch(feed):
    """A ``tf.data.Dataset`` serving a ``keras.utils.PyDataset``'s epochs one per pass, in order.

    Used under a ``tf.distribute`` strategy: Keras 3.15 then reads a ``PyDataset`` one epoch
    ahead (measured: 3 epochs advanced a ``BalancedDataset`` to ``epoch_ == 4``), which shifts
    the per-epoch draws against a one-device run. Keras re-creates a dataset's iterator every
    epoch, so this generator serves exactly the batches of the feed's current epoch, then calls
    ``on_epoch_end`` - the same sequence of draws as on one device.
    """
    import tensorflow as tf

    first = feed[0]
    signature = tuple(
        tf.TensorSpec((None, *np.shape(part)[1:]), tf.as_dtype(np.asarray(part).dtype))
        for part in first
    )

    def one_epoch():
        feed.on_epoch_begin()
        for index in range(len(feed)):
            yield feed[index]
        feed.on_epoch_end()

    return tf.data.Dataset.from_generator(one_epoch, output_signature=signature)
