"""How an epoch's rows reach Keras: one index plan per epoch, sliced in the backend's own path.

A training feed of skbalance (:class:`~skbalance.keras.BalancedDataset`, the classifier's array
feed) decides each epoch in NumPy - which row is served at which position, with which target
and weight - and hands that plan to Keras as a *data adapter* (Keras' ``model.fit`` uses an
object that is one as it is, ``keras/src/trainers/data_adapters/__init__.py``). So Keras never
wraps the feed batch by batch:

- TensorFlow: a ``tf.data`` pipeline that receives the epoch's plan once (one generator element
  per epoch) and cuts its batches in C++, reading their rows of X on the host a group of
  batches per call. Keras wraps a ``PyDataset`` in
  ``Dataset.from_generator``, one Python call per batch competing with the training loop for
  the GIL: 0.67x the throughput of a plain ``model.fit(X, y)`` at batch size 32.
- JAX and PyTorch (whose Keras training loops take batches from Python on every backend,
  NumPy arrays included): rows are gathered for a group of batches at once, each batch a view.

The batch order is the feed's own, seeded from its ``random_state``: ``model.fit``'s
``shuffle`` argument is not used (Keras would reorder a ``PyDataset``'s batches with Python's
global ``random``).

Keras creates the iterator of the next epoch before it ends the current one (and under
``tf.distribute`` reads one epoch ahead), so a pass never reads "the current epoch" of the feed:
passes are numbered from the epoch the fit starts at, one per iterator, in order.
"""

from __future__ import annotations

import sys
import threading
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

# The base class Keras recognises in model.fit: a private module, the only hook Keras offers
# for feeding a custom object without wrapping it (present in every Keras 3 release).
from keras.src.trainers.data_adapters.data_adapter import DataAdapter

__all__ = ["EpochBatches", "EpochServer", "is_file_backed", "read_rows"]

# Rows gathered at once on the NumPy path: one fancy-indexing call serves this many rows'
# batches (each a view), so the per-batch Python cost is a slice, not a gather.
_GATHER_ROWS = 8192
# On TensorFlow an epoch of at most this many bytes of X is gathered in one call (see
# EpochServer._small_epoch_dataset); larger ones are read a group of batches at a time.
_WHOLE_EPOCH_BYTES = 32 * 2**20
# Pass numbering and the one-epoch-ahead draw are shared with Keras' prefetching thread.
_LOCK = threading.RLock()


class EpochBatches(NamedTuple):
    """One epoch, position by position."""

    rows: np.ndarray  # row of X served at each position; >= len(X): a row of ``synthetic``
    targets: np.ndarray  # the target of each position
    weights: np.ndarray | None  # float32 weight of each position, or None: batches are (x, y)
    synthetic: np.ndarray | None  # the epoch's generated rows (X's dtype and row shape)


def read_rows(X, rows: np.ndarray, synthetic: np.ndarray | None = None) -> np.ndarray:
    """``X[rows]`` as a dense ndarray; rows ``>= len(X)`` are read from ``synthetic``.

    ``X`` may be an ndarray (a memmap: only these rows are read), scipy sparse (densified) or
    any array-like with ``shape`` and ``__getitem__``.
    """
    n_samples = X.shape[0]
    if synthetic is not None and rows.size and rows.max() >= n_samples:
        new = rows >= n_samples
        x = np.empty((rows.size, *X.shape[1:]), dtype=np.result_type(X.dtype, synthetic.dtype))
        if not new.all():
            x[~new] = read_rows(X, rows[~new])
        x[new] = synthetic[rows[new] - n_samples]
        return x
    x = X[rows]
    return x.toarray() if sp.issparse(x) else np.asarray(x)


class EpochServer(DataAdapter):
    """A Keras data adapter serving the epochs that ``_epoch_batches(epoch)`` plans.

    A subclass provides ``_features()`` (X), ``batch_size``, ``num_batches``,
    ``_rows_per_epoch()``, ``_epoch_batches(epoch)``, ``_target_spec()`` (dtype and row shape
    of the targets), ``_has_weights()``, ``_has_synthetic()`` and ``_current_epoch()``, sets
    ``_in_epoch`` in ``on_epoch_begin`` and asks :meth:`_epoch_ended` in ``on_epoch_end``.
    """

    _next_pass = 0
    _in_epoch = False

    def _epoch_ended(self) -> bool:
        """Called from ``on_epoch_end``: whether an epoch of training has just ended.

        Keras also calls ``on_epoch_end`` when a fit (or evaluate) starts, from
        ``EpochIterator.reset``, after it may have read a first batch to build the model
        (every backend but TensorFlow without a strategy does), which began an "epoch" too.
        Neither is an epoch trained: the passes of the fit then start afresh from the current
        epoch.
        """
        began, self._in_epoch = self._in_epoch, False
        if began and not _called_by_reset():
            return True
        self._restart_passes(self._current_epoch())
        return False

    def _restart_passes(self, epoch: int) -> None:
        with _LOCK:
            self._next_pass = int(epoch)

    def _take_pass(self) -> int:
        with _LOCK:
            epoch = self._next_pass
            self._next_pass = epoch + 1
            return epoch

    # -- Keras' DataAdapter interface -----------------------------------------------------
    @property
    def has_partial_batch(self) -> bool:
        return self.num_batches * self.batch_size != self._rows_per_epoch()

    @property
    def partial_batch_size(self) -> int | None:
        rest = self._rows_per_epoch() % self.batch_size
        return rest or None

    def get_numpy_iterator(self):
        _refuse_fit_arguments(self)
        return self._numpy_batches()

    def get_jax_iterator(self):
        _refuse_fit_arguments(self)
        return self._numpy_batches()  # NumPy arrays are what JAX's training step takes

    def get_torch_dataloader(self):
        from keras.src.trainers.data_adapters import data_adapter_utils

        _refuse_fit_arguments(self)
        return data_adapter_utils.get_torch_dataloader(self._numpy_batches())

    def get_tf_dataset(self):
        import tensorflow as tf

        _refuse_fit_arguments(self)

        X = self._features()
        n_samples, row_shape = X.shape[0], tuple(X.shape[1:])
        x_dtype = tf.as_dtype(X.dtype)
        batch_size = self.batch_size
        target_dtype, target_shape = self._target_spec()
        with_weights, with_synthetic = self._has_weights(), self._has_synthetic()
        # int32 row numbers where they fit (synthetic rows are numbered from n_samples on, and
        # a pool is never far larger than an epoch): half the memory of int64 per epoch.
        wide = 2 * (n_samples + self._rows_per_epoch()) >= np.iinfo(np.int32).max
        index_dtype = np.dtype(np.int64 if wide else np.int32)
        signature = [
            tf.TensorSpec((None,), tf.as_dtype(index_dtype)),
            tf.TensorSpec((None, *target_shape), tf.as_dtype(target_dtype)),
        ]
        if with_weights:
            signature.append(tf.TensorSpec((None,), tf.float32))
        if with_synthetic:
            signature.append(tf.TensorSpec((None, *row_shape), x_dtype))

        def one_epoch(_):
            plan = self._epoch_batches(self._take_pass())
            rows = plan.rows
            if rows.dtype.itemsize > index_dtype.itemsize and rows.size:
                if rows.max() > np.iinfo(index_dtype).max:  # never silently wrap a row number
                    raise OverflowError(
                        f"row {rows.max()} of the epoch does not fit in {index_dtype}."
                    )
            # Copies: TensorFlow may share a returned array's memory and compute in place into
            # it once a batch is consumed (a weight divided by the batch size was seen written
            # back), which would change the plan's arrays, kept by the feed (a few MB an epoch).
            element = [rows.astype(index_dtype, copy=True), plan.targets.copy()]
            if with_weights:
                element.append(plan.weights.copy())
            if with_synthetic:
                synthetic = plan.synthetic
                if synthetic is None:
                    synthetic = np.zeros((0, *row_shape), dtype=X.dtype)
                element.append(synthetic)
            return tuple(element)

        # The epoch's plan, drawn when the pass's iterator first pulls.
        epoch_element = _numpy_element(tf, one_epoch, signature)

        full_batches, partial = divmod(self._rows_per_epoch(), batch_size)
        row_bytes = X.dtype.itemsize * int(np.prod(row_shape, dtype=np.int64))
        if (
            isinstance(X, np.ndarray)
            and not is_file_backed(X)
            and self._rows_per_epoch() * row_bytes <= _WHOLE_EPOCH_BYTES
        ):
            return self._small_epoch_dataset(
                one_epoch, signature, x_dtype, row_shape, full_batches, partial
            )

        # X stays where it is: rows are read on the host (no tensor of X: a copy of it, or
        # two, is what tf.data makes of a captured array), a group of batches per call for an
        # ndarray in RAM, batch by batch from a memmap or another store (one batch in memory
        # at a time, each batch's rows ascending).
        batches_per_read = max(1, _GATHER_ROWS // batch_size)
        if not isinstance(X, np.ndarray) or is_file_backed(X):
            batches_per_read = 1

        def read_host(rows: np.ndarray, *synthetic) -> np.ndarray:
            return read_rows(X, rows, synthetic[0] if synthetic else None)

        def read(rows, synthetic):
            """The rows of one read, ``rows`` of shape (batches, batch_size) or (rows,)."""
            flat = tf.reshape(rows, [-1])
            extra = [] if synthetic is None else [synthetic]
            x = tf.numpy_function(read_host, [flat, *extra], Tout=x_dtype, stateful=False)
            x = tf.reshape(x, tf.concat([tf.shape(rows), row_shape], axis=0))
            x.set_shape(rows.shape.concatenate(row_shape))
            return x

        # Plain TensorFlow ops: AutoGraph has nothing to convert (and would log when it cannot
        # read the source, e.g. from a zip-imported package).
        @tf.autograph.experimental.do_not_convert
        def batches(rows, targets, *rest):
            """One epoch's element -> its batches (a dataset): the full batches cut by one
            reshape (as Keras' array adapter cuts them) and read a group at a time, then the
            partial batch."""
            synthetic = rest[-1] if with_synthetic else None
            parts = (rows, targets, *rest[: int(with_weights)])
            in_full = full_batches * batch_size

            @tf.autograph.experimental.do_not_convert
            def with_x(batch_rows, *labelled):
                return (read(batch_rows, synthetic), *labelled)

            cut = (
                tf.data.Dataset.from_tensor_slices(
                    tuple(
                        tf.reshape(p[:in_full], [full_batches, batch_size, *p.shape[1:]])
                        for p in parts
                    )
                )
                .batch(batches_per_read)
                .map(with_x)
                .unbatch()
            )
            if partial:
                last = tf.data.Dataset.from_tensors(tuple(p[in_full:] for p in parts))
                cut = cut.concatenate(last.map(with_x))
            return cut

        return _pass_pipeline(epoch_element, batches)

    def _small_epoch_dataset(self, one_epoch, signature, x_dtype, row_shape, full, partial):
        """A short epoch's pipeline: the whole epoch read from RAM in one NumPy call.

        The grouped reads of the general pipeline cost ~40 ms to set up per epoch (a nested
        dataset per pass), which dominated small fits (a 342-row, 30-epoch fit took 4x as long
        as with an in-graph gather); an epoch of at most ``_WHOLE_EPOCH_BYTES`` is gathered at
        once instead (a copy of that size, freed after the epoch) and cut into batches by
        slicing.
        """
        import tensorflow as tf

        X, batch_size = self._features(), self.batch_size
        with_synthetic = self._has_synthetic()

        def epoch_arrays(pass_number):
            rows, *labelled = one_epoch(pass_number)
            synthetic = labelled.pop() if with_synthetic else None
            x = read_rows(X, rows.astype(np.intp, copy=False), synthetic)
            return (x, *labelled)

        specs = [tf.TensorSpec((None, *row_shape), x_dtype), *signature[1:]]
        if with_synthetic:
            specs = specs[:-1]

        epoch_element = _numpy_element(tf, epoch_arrays, specs)

        @tf.autograph.experimental.do_not_convert
        def batches(*parts):
            in_full = full * batch_size
            cut = tf.data.Dataset.from_tensor_slices(
                tuple(tf.reshape(p[:in_full], [full, batch_size, *p.shape[1:]]) for p in parts)
            )
            if partial:
                cut = cut.concatenate(
                    tf.data.Dataset.from_tensors(tuple(p[in_full:] for p in parts))
                )
            return cut

        return _pass_pipeline(epoch_element, batches)

    # -- the NumPy path -------------------------------------------------------------------
    def _numpy_batches(self):
        """One epoch's batches as NumPy arrays (a generator: drawn at the first batch)."""
        plan = self._epoch_batches(self._take_pass())
        X, batch_size = self._features(), self.batch_size
        # An ndarray in RAM is gathered a group of batches at once; a memmap or another store
        # is read batch by batch (one batch in memory at a time), each batch's rows ascending
        # (h5py requires that).
        group = batch_size * max(1, _GATHER_ROWS // batch_size)
        if not isinstance(X, np.ndarray) or is_file_backed(X):
            group = batch_size
        for first in range(0, plan.rows.size, group):
            x_group = read_rows(X, plan.rows[first : first + group], plan.synthetic)
            for start in range(0, x_group.shape[0], batch_size):
                at = slice(first + start, first + start + batch_size)
                x = x_group[start : start + batch_size]
                if plan.weights is None:
                    yield x, plan.targets[at]
                else:
                    yield x, plan.targets[at], plan.weights[at]

    def _rows_per_epoch(self) -> int:
        raise NotImplementedError


def _numpy_element(tf, produce, specs):
    """A ``tf.data`` map function from a pass number to ``produce(pass_number)``'s NumPy arrays
    as tensors of ``specs``: the one bridge from the NumPy epoch plan to TensorFlow."""

    @tf.autograph.experimental.do_not_convert
    def element(pass_number):
        parts = tf.numpy_function(
            produce, [pass_number], Tout=[spec.dtype for spec in specs], stateful=True
        )
        for part, spec in zip(parts, specs, strict=True):
            part.set_shape(spec.shape)
        return tuple(parts)

    return element


def _pass_pipeline(epoch_element, batches):
    """The ``tf.data`` pipeline of one pass: one element (the epoch's plan, made by a NumPy
    call when the pass's iterator first pulls), cut into ``batches``, prefetched.

    A generator dataset (``from_generator``) would cost ~30 ms per iterator, i.e. per epoch,
    which dominated small fits.
    """
    import tensorflow as tf

    options = tf.data.Options()
    # As in Keras' array adapter: tf.data's default graph rewrites only cost time here.
    options.experimental_optimization.apply_default_optimizations = False
    return (
        tf.data.Dataset.range(1)
        .map(epoch_element)
        .flat_map(batches)
        .with_options(options)
        .prefetch(tf.data.AUTOTUNE)
    )


# model.fit arguments that Keras silently drops for a data adapter (it uses one as it is).
_FIT_ARGUMENTS_THE_FEED_OWNS = {
    "y": "the labels come from the feed's own y",
    "sample_weight": "give sample_weight= to the feed",
    "class_weight": "give class_weight= to the feed",
}


def _refuse_fit_arguments(feed) -> None:
    """Raise when the running ``model.fit`` was given ``y``, ``sample_weight`` or
    ``class_weight`` beside the feed: Keras hands a data adapter to training as it is, so they
    would be ignored without a word (a ``class_weight`` that never weighs anything); or a
    ``steps_per_epoch`` other than the feed's, which would cut epochs across the draws."""
    frame = sys._getframe(1)
    for _ in range(40):  # Keras' fit is a handful of frames up; stop well before the user's code
        frame = frame.f_back
        if frame is None:
            return
        code = frame.f_code
        if code.co_name == "fit" and "keras" in code.co_filename and "trainer" in code.co_filename:
            given = [
                name for name in _FIT_ARGUMENTS_THE_FEED_OWNS
                if frame.f_locals.get(name) is not None
            ]  # fmt: skip
            steps = frame.f_locals.get("steps_per_epoch")
            if steps is not None and steps != feed.num_batches:
                # Keras would then run one iterator over several epochs (or stop one short),
                # and the epochs trained would no longer be the epochs drawn.
                raise ValueError(
                    f"model.fit got steps_per_epoch={steps}, but a {type(feed).__name__} epoch "
                    f"is its own draw of {feed.num_batches} batches; leave steps_per_epoch "
                    "None (change batch_size, or the sampler, to change an epoch's length)."
                )
            if given:
                how = "; ".join(_FIT_ARGUMENTS_THE_FEED_OWNS[name] for name in given)
                raise ValueError(
                    f"model.fit got {', '.join(given)} beside a {type(feed).__name__}, which "
                    f"serves its own batches and would ignore {'them' if len(given) > 1 else 'it'}"
                    f": {how}."
                )
            return


def _called_by_reset() -> bool:
    """Whether the running ``on_epoch_end`` was called by Keras' ``EpochIterator.reset``."""
    frame = sys._getframe(2)  # the frame that called on_epoch_end (or a subclass's override)
    while frame is not None and frame.f_code.co_name == "on_epoch_end":
        frame = frame.f_back
    return (
        frame is not None
        and frame.f_code.co_name == "reset"
        and frame.f_code.co_filename.endswith("epoch_iterator.py")
    )


def is_file_backed(array) -> bool:
    """Whether ``array``'s memory is a mapped file (an ``np.memmap`` or a view of one)."""
    import mmap

    base = array
    while base is not None:
        if isinstance(base, np.memmap | mmap.mmap):
            return True
        base = getattr(base, "base", None)
    return False
