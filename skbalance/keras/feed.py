"""The training-data feed: a Keras ``PyDataset`` that balances every epoch afresh, by index.

Sampling once before training throws rows away (under-sampling) or copies them
(over-sampling). :class:`BalancedDataset` instead redraws the balance at every epoch and slices
each batch from the *original* ``X`` by row index, so a fresh under-sample is seen each epoch (all
majority rows get used over training) and no resampled copy of ``X`` is ever built (``X`` may be
a read-only ``np.memmap``). The pure NumPy part (how an epoch is drawn) lives in
:mod:`skbalance.keras._epoch_plan`; this module holds the data and speaks Keras.
"""

from __future__ import annotations

import math
import sys
from numbers import Integral

import keras
import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from skbalance._labels import as_label_array, encode_labels
from skbalance._rows import (
    check_sample_weight,
    check_weighted_rows,
    fit_resample_rows,
    fresh_sampler,
    n_rows,
    sample_indices,
)
from skbalance.keras._epoch_plan import BATCH_SAMPLING, draw_epoch
from skbalance.keras._serving import _LOCK, EpochBatches, EpochServer, read_rows
from skbalance.weights import compute_class_weight

__all__ = ["BalancedDataset"]

# The keyword arguments keras.utils.PyDataset itself understands.
_PYDATASET_KWARGS = ("workers", "use_multiprocessing", "max_queue_size")


def _imblearn_row_source(sampler) -> str | None:
    """The ``row_source`` tag imbalanced-learn's random samplers would declare if its tags had
    the field: for these two exact classes only (a subclass may read X; it is checked)."""
    under = sys.modules.get("imblearn.under_sampling")
    over = sys.modules.get("imblearn.over_sampling")
    if under is not None and type(sampler) is under.RandomUnderSampler:
        return "labels"
    if over is not None and type(sampler) is over.RandomOverSampler:
        return "labels" if sampler.shrinkage is None else "generated"
    return None


def _row_source(sampler) -> str | None:
    """The sampler's ``row_source`` tag (see :class:`skbalance.sampling._base.SamplerTags`):
    ``"labels"``, ``"features"``, ``"generated"``, or None when it declares none.

    The one place the feed learns what a sampler can do: from the tag, which a subclass
    inherits, never from a class name. ``"labels"`` samplers get a one-column stand-in for X
    (the row numbers), so a memmapped X is never read, let alone copied, to draw the rows.
    """
    try:
        source = sampler.__sklearn_tags__().sampler_tags.row_source
    except AttributeError:
        source = None
    if source is None:
        source = _imblearn_row_source(sampler)
    return source if source in ("labels", "features", "generated") else None


def _same_rows(X, X_res, rows: np.ndarray) -> bool:
    """Whether ``X_res`` is exactly ``X[rows]``: a sampler that declares no ``row_source`` but
    sets ``sample_indices_`` may still perturb its copies (imbalanced-learn's
    ``RandomOverSampler(shrinkage=...)`` does)."""
    taken = X[rows]
    if sp.issparse(taken) or sp.issparse(X_res):
        if not (sp.issparse(taken) and sp.issparse(X_res)) or taken.shape != X_res.shape:
            return False
        return (taken != X_res).nnz == 0
    taken, X_res = np.asarray(taken), np.asarray(X_res)
    if taken.shape != X_res.shape:
        return False
    try:
        return bool(np.array_equal(taken, X_res, equal_nan=True))
    except TypeError:  # object dtype cannot test NaN
        return bool(np.array_equal(taken, X_res))


def _as_feature_array(X):
    """X as something sliceable by a sorted row-index array, converted once (never copied
    unless it is a pandas object or a plain sequence)."""
    if hasattr(X, "iloc") and hasattr(X, "to_numpy"):  # pandas DataFrame / Series
        return X.to_numpy()
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return X
    if hasattr(X, "shape") and hasattr(X, "__getitem__"):  # lazy arrays (h5py, zarr, ...)
        return X
    return np.asarray(X)


class BalancedDataset(keras.utils.PyDataset, EpochServer):
    """A Keras training feed that redraws the class balance at every epoch, by row index.

    Pass it to ``model.fit`` like any ``keras.utils.PyDataset``, on any Keras backend. Each
    epoch is drawn in two stages, from a random state derived from ``random_state`` and the
    epoch number (so epochs differ and runs repeat, whatever global seeds are set):

    1. **Resampling** (``sampler``, optional). A row-selecting sampler (one that sets
       ``sample_indices_``, e.g. imbalanced-learn's or skbalance's ``RandomUnderSampler``) is
       cloned and refitted each epoch; only its row indices are kept, and batches are sliced
       from the original ``X``. A sampler whose ``row_source`` tag is ``"labels"``
       (``RandomUnderSampler``/``RandomOverSampler``, skbalance's - subclasses included - and
       imbalanced-learn's) sees only the labels (a one-column stand-in replaces ``X``); others,
       such as cleaning samplers, get the real ``X``. skbalance's row-selecting samplers are
       asked for the indices only (``fit_resample_indices``), so no ``X_res`` is assembled. A
       generating sampler (SMOTE, ...) is refitted each epoch and only its synthetic rows
       (``X_res[n_samples:]``) are kept, so memory grows with the synthetic rows only. The
       result is the epoch's *pool*.
    2. **Batch sampling** (``batch_sampling``) over the pool, after Kang et al., "Decoupling
       Representation and Classifier for Long-Tailed Recognition", ICLR 2020. With ``m`` rows
       per epoch and ``m_c`` pool rows of class ``c`` (``K`` classes present), the class shares
       are ``"instance"``: ``m_c / m``; ``"class"``: ``1 / K``; ``"sqrt"``:
       ``sqrt(m_c) / sum_j sqrt(m_j)``; ``"progressive"``: ``(1 - a) m_c / m + a / K`` with
       ``a = min(epoch / epochs, 1)``. Class ``c`` gets ``round(m * share_c)`` draws (largest
       remainder rounding, ties broken at random, so the draws sum to ``m``): every pool row of
       the class ``draws // m_c`` times plus ``draws % m_c`` rows drawn without replacement, so
       rows repeat only when the class needs more draws than it has rows.

    ``m`` is the size of the first drawn epoch's pool (``n_samples`` without a sampler) and
    stays fixed, so ``len()`` (``ceil(m / batch_size)``) never changes during training. The
    last batch may be short: no row is dropped.

    ``model.fit(feed)`` is as fast as ``model.fit(X, y)``: the feed is also a Keras data adapter,
    which Keras uses as it is, so each epoch's plan (row indices, labels, weights) is built once
    in NumPy and its batches are cut and gathered in the backend's own data path (a ``tf.data``
    pipeline under TensorFlow, groups of batches gathered at once under JAX and PyTorch) instead
    of one ``__getitem__`` call per batch. The batch order is the feed's own (``shuffle``):
    ``fit``'s ``shuffle`` argument does not apply, nor does ``fit``'s ``class_weight`` (pass
    ``class_weight`` to the feed). ``feed[i]`` serves the same batches, for inspection.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Features: ndarray of any rank >= 2 (``np.memmap`` included), scipy sparse (batches are
        densified), pandas DataFrame (converted to NumPy once), or any array-like with
        ``shape`` and ``__getitem__`` accepting a sorted integer array. Never modified or
        copied whole; dtypes are kept (float32 stays float32).
    y : array-like of shape (n_samples,)
        Labels of any type. The dataset yields their integer codes, ``classes_[code]`` being the
        label, so train with ``SparseCategoricalCrossentropy`` and map predictions back with
        ``classes_[model.predict(X).argmax(axis=1)]``.
    sampler : object with ``fit_resample``, default=None
        An imbalanced-learn compatible sampler; cloned per epoch, the original is not touched.
    batch_sampling : {"instance", "class", "sqrt", "progressive"}, default="instance"
        How many rows of each class an epoch holds (see above).
    batch_size : int, default=32
    sample_weight : array-like of shape (n_samples,), default=None
        Per-row weights: finite, >= 0, not all zero (the rule of every skbalance training
        path). A selected or copied row keeps its row's weight; a synthetic row gets the weight
        its sampler derives (skbalance's SMOTE family interpolates it between the two parents,
        like the features), so a generating sampler must accept ``sample_weight`` (every
        skbalance sampler does; imbalanced-learn's SMOTE does not: a ValueError).
    class_weight : None, {"balanced", "effective_number", "sqrt_inverse"} or dict, default=None
        Computed by :func:`skbalance.weights.compute_class_weight` on ``y`` (a dict is keyed by
        your labels); multiplied into ``sample_weight``. With either given, batches are
        ``(x, y, w)`` (float32 weights), otherwise ``(x, y)``.
    class_weight_from_epoch : int, default=0
        Deferred re-weighting (DRW, Cao et al., NeurIPS 2019): ``class_weight`` applies from this
        epoch on (weights are 1 before it, batches stay ``(x, y, w)``).
    epochs : int, default=None
        Total epochs of training; required by ``batch_sampling="progressive"`` only.
    shuffle : bool, default=True
        Shuffle rows across batches each epoch. With ``False`` rows come in ascending order.
        Within a batch rows are always in ascending order (fast slicing of memmaps).
    random_state : None, int or numpy.random.RandomState, default=None
        Seeds every epoch's draw (``None``: a seed is drawn once from NumPy's global state).
    **pydataset_kwargs
        ``workers``, ``use_multiprocessing``, ``max_queue_size``, passed to ``PyDataset``
        (accepted for compatibility: ``model.fit`` uses the feed's own data path, which needs
        no worker threads).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted unique labels; batch labels are indices into it.
    epoch_ : int
        The epoch whose draw is being served. Advanced by ``on_epoch_end`` after each epoch
        Keras trains on (a second ``fit`` continues counting; call ``set_epoch(0)`` to restart).
    rows_per_epoch_ : int
        ``m`` above.
    epoch_indices_ : ndarray of int
        Rows of the current epoch in serving order; values ``>= n_samples`` are synthetic rows.

    Examples
    --------
    >>> import numpy as np, keras
    >>> from skbalance.sampling import RandomUnderSampler
    >>> from skbalance.keras import BalancedDataset
    >>> X = np.random.default_rng(0).normal(size=(120, 4)).astype("float32")
    >>> y = np.array(["ok"] * 100 + ["fraud"] * 20)
    >>> feed = BalancedDataset(X, y, sampler=RandomUnderSampler(), batch_size=16,
    ...                        random_state=0)
    >>> feed.classes_.tolist(), feed.rows_per_epoch_, len(feed)
    (['fraud', 'ok'], 40, 3)
    >>> x_batch, y_batch = feed[0]
    >>> x_batch.dtype, x_batch.shape, y_batch.dtype
    (dtype('float32'), (16, 4), dtype('int32'))
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    >>> history = model.fit(feed, epochs=2, verbose=0)
    >>> feed.epoch_
    2
    """

    def __init__(
        self,
        X,
        y,
        *,
        sampler=None,
        batch_sampling: str = "instance",
        batch_size: int = 32,
        sample_weight=None,
        class_weight=None,
        class_weight_from_epoch: int = 0,
        epochs: int | None = None,
        shuffle: bool = True,
        random_state=None,
        **pydataset_kwargs,
    ):
        self._check_parameters(
            sampler, batch_sampling, batch_size, class_weight, class_weight_from_epoch, epochs,
            shuffle, pydataset_kwargs,
        )  # fmt: skip
        # Validates (a bad seed is a ValueError) without drawing from a RandomState yet.
        seed_source = check_random_state(random_state)
        labels = as_label_array(y)
        features = _as_feature_array(X)
        n_samples = features.shape[0] if hasattr(features, "shape") else len(features)
        if len(getattr(features, "shape", (0, 0))) < 2:
            raise ValueError(
                f"X must have one row per sample and at least 2 dimensions "
                f"(n_samples, n_features, ...); got shape {getattr(features, 'shape', None)}. "
                "Reshape a single feature with X.reshape(-1, 1)."
            )
        if n_samples != labels.shape[0]:
            raise ValueError(
                f"X has {n_samples} rows but y has {labels.shape[0]} labels; "
                "pass one label per row."
            )
        if n_samples == 0:
            raise ValueError("X and y are empty; a training feed needs at least one row.")
        row_weight = None
        if sample_weight is not None:
            # float32, as the batches serve them (a weight float32 cannot hold is an error)
            row_weight = check_sample_weight(sample_weight, n_samples, dtype=np.float32)
        classes, codes = encode_labels(labels)
        index_dtype = np.int32 if n_samples < np.iinfo(np.int32).max // 4 else np.intp
        class_weights = None
        if class_weight is not None:  # validated by skbalance.weights, as on every path
            weight_of = compute_class_weight(class_weight, y=labels)
            class_weights = np.array([weight_of[c] for c in classes.tolist()], dtype=np.float64)
            check_weighted_rows(row_weight, class_weights[codes])
        if isinstance(random_state, Integral):
            seed = int(random_state)
        else:  # None or a RandomState: one draw, so each new feed gets its own stream
            seed = int(seed_source.randint(np.iinfo(np.int32).max))

        super().__init__(**pydataset_kwargs)
        self.sampler = sampler
        self.batch_sampling = batch_sampling
        self._batch_size = int(batch_size)
        self.sample_weight = sample_weight
        self.class_weight = class_weight
        self.class_weight_from_epoch = class_weight_from_epoch
        self.epochs = epochs
        self.shuffle = shuffle
        self.random_state = random_state
        self._pydataset_kwargs = dict(pydataset_kwargs)
        self._X = features
        self._labels = labels
        # Index arrays in int32 where rows fit: an epoch of 2 M rows then costs 8 MB, not 16.
        self._index_dtype = index_dtype
        self._codes = codes.astype(np.int32)
        self._row_weight = row_weight
        self._class_weights = class_weights
        self._seed = seed
        self._in_epoch = False
        self._ahead = None  # (epoch, state) drawn ahead by Keras' prefetching, see _serving
        self.classes_ = classes
        self.rows_per_epoch_: int | None = None
        self.set_epoch(0)

    @property
    def batch_size(self) -> int:
        """Rows per batch (the last batch of an epoch may be shorter)."""
        return self._batch_size

    # -- validation -----------------------------------------------------------------------
    @staticmethod
    def _check_parameters(
        sampler, batch_sampling, batch_size, class_weight, class_weight_from_epoch, epochs,
        shuffle, pydataset_kwargs,
    ) -> None:  # fmt: skip
        if sampler is not None and not callable(getattr(sampler, "fit_resample", None)):
            raise TypeError(
                "sampler must have a fit_resample(X, y) method (an imbalanced-learn compatible "
                f"sampler such as RandomUnderSampler or SMOTE); got {type(sampler).__name__}."
            )
        if batch_sampling not in BATCH_SAMPLING:
            raise ValueError(
                f"batch_sampling must be one of {', '.join(map(repr, BATCH_SAMPLING))}; "
                f"got {batch_sampling!r}."
            )
        if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
        if epochs is not None and (
            isinstance(epochs, bool) or not isinstance(epochs, Integral) or epochs < 1
        ):
            raise ValueError(f"epochs must be a positive integer or None; got {epochs!r}.")
        if batch_sampling == "progressive" and epochs is None:
            raise ValueError(
                "batch_sampling='progressive' moves from instance to class sampling over the "
                "training run and needs its length: pass epochs=<the epochs given to fit>."
            )
        if (
            isinstance(class_weight_from_epoch, bool)
            or not isinstance(class_weight_from_epoch, Integral)
            or class_weight_from_epoch < 0
        ):
            raise ValueError(
                "class_weight_from_epoch must be an integer >= 0 (the first epoch, counted "
                f"from 0, whose rows are class-weighted); got {class_weight_from_epoch!r}."
            )
        if class_weight_from_epoch > 0 and class_weight is None:
            raise ValueError(
                f"class_weight_from_epoch={class_weight_from_epoch} defers class weights, but "
                "class_weight is None; pass class_weight='balanced' (or another strategy/dict)."
            )
        if not isinstance(shuffle, bool | np.bool_):
            raise TypeError(f"shuffle must be True or False; got {shuffle!r}.")
        unknown = sorted(set(pydataset_kwargs) - set(_PYDATASET_KWARGS))
        if unknown:
            raise TypeError(
                f"Unknown keyword argument(s) {unknown}; besides its own parameters "
                f"BalancedDataset accepts the PyDataset ones: {list(_PYDATASET_KWARGS)}."
            )

    # -- epochs -----------------------------------------------------------------------------
    def set_epoch(self, epoch: int) -> None:
        """Serve the draw of ``epoch`` (counted from 0) from now on.

        The draw depends only on ``random_state`` and ``epoch``, so this also resumes a run
        (``model.fit(..., initial_epoch=e)`` after ``feed.set_epoch(e)``).
        """
        if isinstance(epoch, bool) or not isinstance(epoch, Integral) or epoch < 0:
            raise ValueError(f"epoch must be an integer >= 0; got {epoch!r}.")
        self._install_epoch(int(epoch))
        self._restart_passes(self.epoch_)

    def _install_epoch(self, epoch: int) -> None:
        """Make ``epoch``'s draw the current one (taken over if Keras already drew it ahead)."""
        with _LOCK:
            ahead, self._ahead = self._ahead, None
            state = ahead[1] if ahead is not None and ahead[0] == epoch else self._draw(epoch)
            # One assignment swaps the whole epoch: a reader never mixes two epochs.
            self._state = state
            self.epoch_ = epoch

    def _draw(self, epoch: int) -> tuple:
        """``(rows, row_codes, synthetic, synthetic_weight, weighted)`` of ``epoch``: its draw
        depends on the seed and ``epoch`` only."""
        rng = np.random.default_rng(np.random.SeedSequence(self._seed, spawn_key=(int(epoch),)))
        pool_rows, pool_codes, synthetic, synthetic_codes, synthetic_weight = self._resample(rng)
        if pool_rows.size == 0:
            raise ValueError(
                f"{type(self.sampler).__name__}.fit_resample returned no rows for epoch {epoch}; "
                "check its sampling_strategy."
            )
        if self.rows_per_epoch_ is None:
            self.rows_per_epoch_ = int(pool_rows.size)
        plan = draw_epoch(
            pool_rows, pool_codes, n_classes=self.classes_.size,
            rows_per_epoch=self.rows_per_epoch_, batch_size=self.batch_size,
            mode=self.batch_sampling, epoch=int(epoch), epochs=self.epochs,
            shuffle=bool(self.shuffle), rng=rng,
        )  # fmt: skip
        row_codes = self._codes
        if synthetic is not None:
            row_codes = np.concatenate([self._codes, synthetic_codes])
        weighted = self._class_weights is not None and epoch >= self.class_weight_from_epoch
        # Labels and weights are looked up from the rows, so an epoch's draw is one index array.
        return plan.rows, row_codes, synthetic, synthetic_weight, weighted

    def _resample(self, rng: np.random.Generator):
        """Return ``(pool_rows, pool_codes, synthetic_X, synthetic_codes, synthetic_weight)``
        for one epoch (the last three None without synthetic rows; the weight also None
        without ``sample_weight``)."""
        n_samples = self._codes.size
        if self.sampler is None:
            return np.arange(n_samples, dtype=self._index_dtype), self._codes, None, None, None
        sampler = fresh_sampler(
            self.sampler, int(rng.integers(np.iinfo(np.int32).max)), keep_given_seed=False
        )
        source = _row_source(sampler)
        index_method = callable(getattr(sampler, "fit_resample_indices", None))
        rows = None
        if source == "labels":
            # The stand-in's single column is the row number: it *is* the selected index.
            stand_in = np.arange(n_samples, dtype=self._index_dtype).reshape(-1, 1)
            if index_method:
                rows = sampler.fit_resample_indices(stand_in, self._labels)
            else:
                rows = sampler.fit_resample(stand_in, self._labels)[0][:, 0]
        elif source == "features" and index_method:  # e.g. TomekLinks: reads X, builds no X_res
            rows = sampler.fit_resample_indices(self._X, self._labels)
        if rows is not None:
            rows = np.ascontiguousarray(rows, dtype=self._index_dtype)
            return rows, self._codes[rows], None, None, None
        # Any other sampler: per-row weights follow its rows by the one rule of skbalance._rows
        # (through its sample_weight=, else its sample_indices_, else a ValueError).
        travelling = [] if self._row_weight is None else [("sample_weight", self._row_weight)]
        X = self._X
        if isinstance(X, np.ndarray) and X.ndim > 2:  # samplers take 2-D X: a view, no copy
            X = X.reshape(n_samples, -1)
        X_res, y_res, _, aligned = fit_resample_rows(sampler, X, self._labels, {}, travelling)
        weight_res = np.asarray(aligned[0], dtype=np.float64) if aligned else None
        indices = sample_indices(sampler, n_rows(X_res))
        if (
            indices is not None
            and source != "generated"
            and (source == "features" or _same_rows(X, X_res, indices))
        ):
            rows = indices.astype(self._index_dtype)
            return rows, self._codes[rows], None, None, None
        # A generating sampler: imbalanced-learn's and skbalance's keep the original rows first,
        # in order, and append the synthetic ones; keep only those (a copy, so X_res is freed).
        y_res = as_label_array(y_res, name="the sampler's y_res")
        keeps_originals = y_res.size >= n_samples and np.array_equal(
            y_res[:n_samples], self._labels
        )
        first_new = n_samples if keeps_originals else 0
        synthetic = X_res[first_new:]
        synthetic = synthetic.toarray() if sp.issparse(synthetic) else np.array(synthetic)
        synthetic = synthetic.reshape(-1, *self._X.shape[1:])  # N-D rows were flattened above
        # Batches keep X's dtype whether or not they hold synthetic rows.
        synthetic = synthetic.astype(self._X.dtype, copy=False)
        synthetic_weight = None if weight_res is None else weight_res[first_new:].copy()
        new_codes = np.searchsorted(self.classes_, y_res[first_new:]).astype(np.int32)
        if np.any(new_codes >= self.classes_.size) or np.any(
            self.classes_[np.minimum(new_codes, self.classes_.size - 1)] != y_res[first_new:]
        ):
            raise ValueError(
                f"{type(sampler).__name__}.fit_resample returned labels that are not in y; "
                f"the classes are {self.classes_.tolist()}."
            )
        new_rows = n_samples + np.arange(synthetic.shape[0], dtype=np.intp)
        if keeps_originals:
            return (
                np.concatenate([np.arange(n_samples), new_rows]),
                np.concatenate([self._codes, new_codes]),
                synthetic,
                new_codes,
                synthetic_weight,
            )
        return new_rows, new_codes, synthetic, new_codes, synthetic_weight

    def _batch_weights(self, rows: np.ndarray, codes: np.ndarray, synthetic_weight, weighted):
        weights = np.ones(rows.size, dtype=np.float32)
        if self._row_weight is not None:
            n_samples = self._codes.size
            original = rows < n_samples
            weights[original] = self._row_weight[rows[original]]
            if synthetic_weight is not None:  # the weights the sampler gave its new rows
                weights[~original] = synthetic_weight[rows[~original] - n_samples]
        if weighted:
            weights *= self._class_weights[codes]
        return weights

    # -- Keras interface ---------------------------------------------------------------------
    def __len__(self) -> int:
        return math.ceil(self.rows_per_epoch_ / self.batch_size)

    def __getitem__(self, index: int):
        epoch_rows, row_codes, synthetic, synthetic_weight, weighted = self._state
        if not 0 <= index < len(self):
            raise IndexError(f"batch index {index} out of range for {len(self)} batches.")
        rows = epoch_rows[index * self.batch_size : (index + 1) * self.batch_size]
        x = read_rows(self._X, rows, synthetic)
        y = row_codes[rows]
        if not self._has_weights():
            return x, y
        return x, y, self._batch_weights(rows, y, synthetic_weight, weighted)

    def on_epoch_begin(self) -> None:
        self._in_epoch = True

    def on_epoch_end(self) -> None:
        # Keras also calls on_epoch_end when a fit starts (see EpochServer._epoch_ended); only
        # the end of an epoch trained advances the draw, so epoch_ counts epochs trained.
        if self._epoch_ended():
            with _LOCK:
                # Keras has stopped fetching this epoch's batches: free its arrays before the
                # next draw, so the two never coexist (unless Keras drew the next one ahead).
                self._state = None
                self._install_epoch(self.epoch_ + 1)

    def _current_epoch(self) -> int:
        return self.epoch_

    # -- the data adapter Keras uses (see skbalance.keras._serving) ----------------------------
    def _epoch_batches(self, epoch: int) -> EpochBatches:
        """``epoch``'s plan, position by position: the current draw, or one drawn ahead (kept
        until ``on_epoch_end`` installs it, so no epoch is drawn twice)."""
        with _LOCK:
            if self._state is not None and self.epoch_ == epoch:
                state = self._state
            elif self._ahead is not None and self._ahead[0] == epoch:
                state = self._ahead[1]
            else:
                state = self._draw(epoch)
                self._ahead = (epoch, state)
        rows, row_codes, synthetic, synthetic_weight, weighted = state
        codes = row_codes[rows]
        weights = None
        if self._has_weights():
            weights = self._batch_weights(rows, codes, synthetic_weight, weighted)
        return EpochBatches(rows, codes, weights, synthetic)

    def _features(self):
        return self._X

    def _rows_per_epoch(self) -> int:
        return self.rows_per_epoch_

    def _target_spec(self):
        return np.dtype(np.int32), ()

    def _has_weights(self) -> bool:
        return self._row_weight is not None or self._class_weights is not None

    def _has_synthetic(self) -> bool:
        return self._state is not None and self._state[2] is not None

    # -- derived feeds -----------------------------------------------------------------------
    @property
    def epoch_indices_(self) -> np.ndarray:
        return self._state[0]

    @property
    def epoch_codes_(self) -> np.ndarray:
        """Class code of every row of the current epoch's draw, synthetic rows included.

        Read from the epoch's index array, without fetching a batch: what a caller needs to
        count the classes the network is about to train on.
        """
        rows, row_codes = self._state[0], self._state[1]
        return row_codes[rows]

    @property
    def synthetic_rows_(self) -> np.ndarray | None:
        """The current epoch's synthetic rows (a generating sampler's), else ``None``."""
        return self._state[2]

    def replace(self, **changes) -> BalancedDataset:
        """A new feed over the same (already converted) data with some parameters changed.

        Cheap: nothing is copied, so e.g. classifier re-training (cRT) on class-balanced
        batches is ``feed.replace(batch_sampling="class", sampler=None, class_weight=None)``.
        Unless ``random_state`` is among the changes, the new feed draws from this feed's seed
        (also when ``random_state`` is None or a ``RandomState``) and serves the same epoch:
        ``feed.replace()`` reproduces the current epoch's draw, and changing only the weights
        keeps the rows.
        """
        params = {
            "sampler": self.sampler, "batch_sampling": self.batch_sampling,
            "batch_size": self.batch_size, "sample_weight": self._row_weight,
            "class_weight": self.class_weight,
            "class_weight_from_epoch": self.class_weight_from_epoch, "epochs": self.epochs,
            "shuffle": self.shuffle, "random_state": self.random_state,
            **self._pydataset_kwargs,
        }  # fmt: skip
        unknown = sorted(set(changes) - set(params) - set(_PYDATASET_KWARGS))
        if unknown:
            raise TypeError(f"replace() got unknown parameter(s) {unknown}; use {sorted(params)}.")
        params.update(changes)
        if params["class_weight"] is None and "class_weight_from_epoch" not in changes:
            params["class_weight_from_epoch"] = 0  # nothing left to defer
        same_seed = "random_state" not in changes
        if same_seed:
            # The seed every epoch's draw derives from; the public attribute stays as given.
            params["random_state"] = self._seed
        feed = type(self)(self._X, self._labels, **params)
        if same_seed:
            feed.random_state = self.random_state
            if self.epoch_ != feed.epoch_:
                feed.set_epoch(self.epoch_)
        return feed
