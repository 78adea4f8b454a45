"""BaseResampler: the template every sampler follows (imbalanced-learn's API).

``fit_resample`` validates everything, converts the containers, resolves
``sampling_strategy`` and only then calls the subclass's ``_fit_resample``, which returns a
:class:`ResamplePlan` -- *which* input rows to keep (in output order) and which synthetic rows
to append. The base class then builds the output in the caller's container type (ndarray of
any rank, scipy sparse, pandas, list) and resamples ``sample_weight`` alongside.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.utils import check_random_state
from sklearn.utils._tags import InputTags, Tags, TargetTags

from . import _containers
from ._strategy import resolve_sampling_strategy

__all__ = ["BaseResampler", "ResamplePlan"]

_ROW_CHUNK = 2**16


@dataclass(slots=True)
class SamplerInputTags(InputTags):
    """scikit-learn's input tags plus imbalanced-learn's ``dataframe`` flag."""

    dataframe: bool = True


@dataclass(slots=True)
class SamplerTags:
    """imbalanced-learn's sampler tags (read by ``imblearn.utils.estimator_checks``), plus
    skbalance's ``row_source``.

    ``row_source`` says where the output rows come from, so that a training feed can take its
    fast path from the tag - which a subclass inherits - rather than from a class name:

    - ``"labels"``: input rows, ``X[sample_indices_]``, chosen from ``y`` alone (X's values
      are never read: a one-column stand-in for X gives the same rows);
    - ``"features"``: input rows, ``X[sample_indices_]``, chosen by reading X;
    - ``"generated"``: new rows (synthetic, or perturbed copies) besides any input rows;
    - ``None``: not declared (a third-party sampler); the feed then checks what it gets.
    """

    sample_indices: bool = False
    row_source: str | None = None


@dataclass(slots=True)
class ResamplerTags(Tags):
    """scikit-learn tags with imbalanced-learn's ``sampler_tags`` field."""

    sampler_tags: SamplerTags | None = None


@dataclass
class ResamplePlan:
    """What a sampler decided, independent of the container.

    Output rows are ``X[indices]`` followed by ``new_rows`` (flattened features, labels
    ``new_codes``). Synthetic row ``i`` lies at ``gaps[i]`` of the way from input row
    ``parent_a[i]`` to ``parent_b[i]``: that is also how its sample weight is derived.
    A synthetic row that summarises several input rows (a cluster centroid) instead names
    them in ``members = (rows, owner)``: its weight is the mean weight of the input rows
    ``rows[owner == i]``. ``members`` may be a function returning that pair, called only
    when weights are resampled (finding the members can cost a neighbour search).
    """

    indices: np.ndarray
    new_rows: np.ndarray | sparse.spmatrix | None = None
    new_codes: np.ndarray | None = None
    parent_a: np.ndarray | None = None
    parent_b: np.ndarray | None = None
    gaps: np.ndarray | None = None
    sample_indices: np.ndarray | None = None  # when it differs from ``indices``
    members: tuple[np.ndarray, np.ndarray] | Callable | None = None

    @property
    def n_new(self) -> int:
        return 0 if self.new_codes is None else len(self.new_codes)

    def then(self, keep: np.ndarray) -> ResamplePlan:
        """This plan followed by keeping output rows ``keep`` (a cleaning step)."""
        n_kept = len(self.indices)
        from_input, from_new = keep[keep < n_kept], keep[keep >= n_kept] - n_kept
        if self.n_new == 0:
            return ResamplePlan(self.indices[from_input])
        if self.members is not None:
            position = np.full(self.n_new, -1)
            position[from_new] = np.arange(len(from_new))
            rows, owner = self.members() if callable(self.members) else self.members
            kept = position[owner] >= 0
            return ResamplePlan(
                self.indices[from_input],
                self.new_rows[from_new],
                self.new_codes[from_new],
                members=(rows[kept], position[owner[kept]]),
            )
        return ResamplePlan(
            self.indices[from_input],
            self.new_rows[from_new],
            self.new_codes[from_new],
            self.parent_a[from_new],
            self.parent_b[from_new],
            self.gaps[from_new],
        )


class BaseResampler(OneToOneFeatureMixin, BaseEstimator):
    """Base class for skbalance's resamplers; subclasses implement ``_fit_resample``.

    Subclass attributes: ``_sampling_type`` (``"over-sampling"``, ``"under-sampling"`` or
    ``"clean-sampling"``), ``_selects_rows`` (output rows are input rows: sets
    ``sample_indices_``), ``_needs_distances`` (X must be numeric and finite).
    """

    _estimator_type = "sampler"
    _sampling_type = "over-sampling"
    _selects_rows = False
    _needs_distances = False
    # scikit-learn's parameter validation, run first by every fit method. sampling_strategy
    # is checked against y's classes by resolve_sampling_strategy (its one home).
    _parameter_constraints: dict = {"sampling_strategy": "no_validation"}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        return ResamplerTags(
            estimator_type="sampler",
            target_tags=TargetTags(required=True),
            input_tags=SamplerInputTags(
                sparse=True,
                string=not self._needs_distances,
                allow_nan=not self._needs_distances,
                three_d_array=True,
            ),
            non_deterministic=tags.non_deterministic,
            sampler_tags=SamplerTags(
                sample_indices=self._selects_rows, row_source=self._row_source()
            ),
        )

    def _row_source(self) -> str:
        """The ``row_source`` sampler tag (see :class:`SamplerTags`); per instance, since a
        parameter (``RandomOverSampler(shrinkage=...)``) may turn copies into new rows."""
        if not self._selects_rows:
            return "generated"
        return "features" if self._uses_matrix() else "labels"

    # -- hooks for subclasses ---------------------------------------------------------------
    def _check_params(self, counts: np.ndarray, classes: np.ndarray, targets: dict) -> None:
        """Validate parameters against the data (raise before any work). Default: nothing."""

    def _fit_resample(self, X, codes: np.ndarray, targets: dict, random_state) -> ResamplePlan:
        raise NotImplementedError

    # -- public API -------------------------------------------------------------------------
    def fit(self, X, y, **params):
        """Validate the data and compute ``sampling_strategy_``; returns ``self``.

        Like imbalanced-learn, ``fit`` does not resample: use :meth:`fit_resample`.
        """
        self._reject_params(params, "fit")
        self._validate_params()
        with _atomic_fit(self):
            data = self._validate(X, y)
            self._plan_checks(data)
        return self

    def _reject_params(self, params: dict, method: str) -> None:
        if params:
            raise TypeError(
                f"{type(self).__name__}.{method} got unexpected keyword argument(s) "
                f"{sorted(params)}; it accepts X, y and (fit_resample) sample_weight."
            )

    def fit_resample(self, X, y, *, sample_weight=None, **params):
        """Resample ``X`` and ``y`` (and ``sample_weight``, row by row, if given).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), sparse matrix or DataFrame
            Rows to resample; any rank >= 2.
        y : array-like of shape (n_samples,)
            Labels of any type (a one-hot matrix is accepted and returned one-hot).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights; when given, a third output holds the resampled weights.

        Returns
        -------
        X_res, y_res : resampled data, in the input's container types.
        sample_weight_res : ndarray, only when ``sample_weight`` was given.
        """
        self._reject_params(params, "fit_resample")
        self._validate_params()
        with _atomic_fit(self):
            data = self._validate(X, y, sample_weight)
            plan = self._plan(data)
            if self._selects_rows:
                self.sample_indices_ = (
                    plan.sample_indices if plan.sample_indices is not None else plan.indices
                )
            X_res = _containers.assemble_X(data, plan)
            y_res = _containers.assemble_y(data, plan, X_res)
        if sample_weight is None:
            return X_res, y_res
        return X_res, y_res, _containers.assemble_weight(data.sample_weight, plan)

    def fit_resample_indices(self, X, y) -> np.ndarray:
        """Return only ``sample_indices_``: which input rows the resampled set holds.

        Available on row-selecting samplers (``RandomUnderSampler``, ``RandomOverSampler``
        -- with ``shrinkage``, the rows its noisy copies come from --, ``TomekLinks``,
        ``EditedNearestNeighbours``). Nothing is copied:
        ``X[indices]``, ``y[indices]`` equal ``fit_resample(X, y)`` for the same
        ``random_state``. Random samplers never read the values of ``X``, only its length,
        which makes this the cheap call for a training loop that resamples every epoch.
        """
        if not self._selects_rows:
            raise TypeError(
                f"{type(self).__name__} creates new rows, so there are no indices to return; "
                "use fit_resample."
            )
        self._validate_params()
        with _atomic_fit(self):
            data = self._validate(X, y)
            plan = self._plan(data)
            self.sample_indices_ = (
                plan.sample_indices if plan.sample_indices is not None else plan.indices
            )
        return self.sample_indices_

    # -- template internals -----------------------------------------------------------------
    def _validate(self, X, y, sample_weight=None) -> _containers.Data:
        data = _containers.read(X, y, sample_weight, sampler_name=type(self).__name__)
        self.n_features_in_ = data.n_features
        if data.feature_names is not None:
            self.feature_names_in_ = data.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return data

    def _plan_checks(self, data: _containers.Data) -> dict:
        if len(data.classes) < 2:
            raise ValueError(
                f"{type(self).__name__} balances classes against each other, so y needs to "
                f"have more than 1 class; it has only one: {data.classes.tolist()}."
            )
        self.sampling_strategy_, targets = resolve_sampling_strategy(
            self.sampling_strategy, data.classes, data.codes, self._sampling_type
        )
        self._classes_seen = data.classes  # for messages raised while resampling
        if self._uses_matrix():
            _containers.check_columns(data, creates_rows=self._row_source() == "generated")
            _containers.check_finite(data)
        self._check_params(data.counts, data.classes, targets)
        return targets

    def _uses_matrix(self) -> bool:
        """Whether ``_fit_resample`` reads X's values (as a 2-D numeric matrix)."""
        return self._needs_distances

    def _plan(self, data: _containers.Data) -> ResamplePlan:
        targets = self._plan_checks(data)
        random_state = check_random_state(getattr(self, "random_state", None))
        X = data.matrix if self._uses_matrix() else data.raw
        return self._fit_resample(X, data.codes, targets, random_state)

    def _run_on_arrays(self, matrix, classes, codes, random_state, **known) -> ResamplePlan:
        """Resample already-validated arrays (used by the combined samplers); ``known``
        goes to ``_fit_resample`` (what a caller already computed for it)."""
        self._validate_params()
        self.sampling_strategy_, targets = resolve_sampling_strategy(
            self.sampling_strategy, classes, codes, self._sampling_type
        )
        self._classes_seen = classes
        self._check_params(np.bincount(codes, minlength=len(classes)), classes, targets)
        return self._fit_resample(matrix, codes, targets, random_state, **known)


@contextmanager
def _atomic_fit(sampler):
    """Run a fit; if it raises, put back every attribute as it was before the call.

    A failed fit (bad parameter, bad data, an error while resampling) then leaves no mix of
    new attributes (``n_features_in_``, ``sampling_strategy_``) beside the old ones.
    """
    before = dict(vars(sampler))
    try:
        yield
    except BaseException:
        vars(sampler).clear()
        vars(sampler).update(before)
        raise


def generator_from(random_state: np.random.RandomState) -> np.random.Generator:
    """A fast ``Generator`` seeded from the estimator's ``RandomState`` (advances it)."""
    return np.random.default_rng(random_state.randint(0, 2**32, size=4, dtype=np.uint64))


def class_rows(codes: np.ndarray, n_classes: int) -> list[np.ndarray]:
    """Row indices of each class, in input order (one stable sort, any number of classes)."""
    # small unsigned codes let NumPy use its O(n) radix sort
    small = codes.astype(np.uint16) if n_classes <= 2**16 else codes
    order = np.argsort(small, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=n_classes))[:-1]
    return np.split(order, bounds)


def rows_of_class_at(codes: np.ndarray, code: int, positions: np.ndarray) -> np.ndarray:
    """Input rows of the ``positions``-th members (sorted) of class ``code``.

    Walks ``codes`` in chunks, so the row list of a large class is never materialised:
    under-sampling a million-row majority needs memory for the rows it keeps only.
    """
    out = np.empty(len(positions), dtype=np.intp)
    seen = done = 0
    for lo in range(0, len(codes), _ROW_CHUNK):
        mask = codes[lo : lo + _ROW_CHUNK] == code
        count = int(np.count_nonzero(mask))
        upto = int(np.searchsorted(positions, seen + count))
        if upto > done:
            out[done:upto] = lo + np.flatnonzero(mask)[positions[done:upto] - seen]
            done = upto
        seen += count
    return out


def spread_draws(n_rows: int, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """``n_draws`` positions in ``range(n_rows)``, each used floor or ceil(n_draws / n_rows) times.

    Every position is taken ``n_draws // n_rows`` times and the remainder is drawn without
    replacement: the empirical distribution is kept exactly, up to one copy per row.
    """
    full, rest = divmod(n_draws, n_rows)
    picked = np.tile(np.arange(n_rows), full) if full else np.empty(0, dtype=np.intp)
    if rest:
        picked = np.concatenate([picked, np.sort(rng.choice(n_rows, size=rest, replace=False))])
    return picked
