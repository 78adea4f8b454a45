"""Multi-label imbalance: the label indicator matrix, its imbalance measures, and the template
of the multi-label resamplers.

A multi-label target is an indicator matrix ``Y`` of shape (n_samples, n_labels) (scikit-learn's
"multilabel-indicator" type): ``Y[i, j] == 1`` when row ``i`` has label ``j``. Its imbalance is
measured per label, as Charte et al. define it (F. Charte, A. J. Rivera, M. J. del Jesus,
F. Herrera, "Addressing imbalance in multilabel classification: Measures and random resampling
algorithms", Neurocomputing 163:3-16, 2015, section 3):

- ``IRLbl(l) = max_l' count(l') / count(l)`` (imbalance ratio per label): 1 for the most
  frequent label, larger for rarer ones;
- ``MeanIR = mean_l IRLbl(l)``: the labels with ``IRLbl(l) > MeanIR`` are the *minority*
  labels, those with ``IRLbl(l) < MeanIR`` the *majority* labels;
- ``CVIR = std(IRLbl) / MeanIR`` (coefficient of variation of IRLbl, sample standard
  deviation with ``n_labels - 1``): how much the labels' imbalance ratios differ.

``count(l)`` is the number of rows that have label ``l``. A label without any positive row has
no defined IRLbl (a division by zero), so it is refused by name.

The resamplers (:class:`MultilabelRandomOverSampler`, :class:`MultilabelRandomUnderSampler`,
:class:`MLSMOTE`) reuse the single-label samplers' machinery for X and ``sample_weight``
(:mod:`._containers`, :class:`._base.ResamplePlan`, the one rule of :mod:`skbalance._rows`):
only ``Y`` is read and written here.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._tags import TargetTags

from .._rows import n_rows
from . import _containers
from ._base import BaseResampler, ResamplePlan, _atomic_fit

__all__ = ["IndicatorTarget", "check_indicator", "cvir", "irlbl", "mean_ir"]


class IndicatorTarget:
    """A validated indicator matrix and how to give it back in the caller's container.

    ``matrix`` is a read-only-by-convention ``bool`` array (n_samples, n_labels); ``names``
    the labels' names for messages (DataFrame columns, else column positions).
    """

    def __init__(self, Y, matrix: np.ndarray, kind: str, names: list):
        self.Y = Y  # the caller's object, never modified
        self.matrix = matrix
        self.kind = kind  # "ndarray" | "list" | "dataframe" | "sparse"
        self.names = names

    @property
    def counts(self) -> np.ndarray:
        """Positive rows per label."""
        return self.matrix.sum(axis=0)

    def assemble(self, plan: ResamplePlan, new_labels: np.ndarray | None, X_res, x_data):
        """Rows ``plan.indices`` of Y, then ``new_labels`` (bool, one row per synthetic row),
        in Y's container, dtype and (pandas) columns; a DataFrame's index follows X's rule."""
        rows = self.matrix[plan.indices]
        if new_labels is not None and len(new_labels):
            rows = np.concatenate([rows, new_labels])
        if self.kind == "sparse":
            return sparse.csr_matrix(rows.astype(self.Y.dtype)).asformat(self.Y.format)
        if self.kind == "dataframe":
            import pandas as pd

            if x_data.x_kind == "dataframe":
                index = X_res.index
            else:
                n_new = len(rows) - len(plan.indices)
                index = _containers._new_index(self.Y.index, plan.indices, n_new)
            frame = pd.DataFrame(dict(enumerate(rows.T)), index=index)
            frame.columns = self.Y.columns
            return frame.astype(self.Y.dtypes.to_dict())
        dtype = np.asarray(self.Y).dtype
        out = rows.astype(dtype)
        return out.tolist() if self.kind == "list" else out


def check_indicator(Y, *, name: str = "Y", allow_empty_labels: bool = False) -> IndicatorTarget:
    """Validate a label indicator matrix; every problem is a ValueError naming what is wrong.

    Accepted: a 2-D ndarray or nested list of 0/1 (ints, floats or booleans), a pandas
    DataFrame of such columns (nullable dtypes included) and a scipy sparse matrix. Refused:
    1-D labels, values other than 0 and 1 (NaN included), no label columns, and -- unless
    ``allow_empty_labels`` -- a label no row has.
    """
    if Y is None:
        raise ValueError(
            f"{name} is None; pass a label indicator matrix of shape (n_samples, n_labels)."
        )
    kind, names = "ndarray", None
    if hasattr(Y, "iloc") and hasattr(Y, "columns"):
        kind, names = "dataframe", list(Y.columns)
        try:  # nullable Int64/boolean columns: pd.NA becomes NaN, refused below as not 0/1
            values = Y.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            values = Y.to_numpy()
    elif sparse.issparse(Y):
        kind, values = "sparse", Y.toarray()
    elif hasattr(Y, "iloc"):  # a Series: one label per row
        values = Y.to_numpy()
    else:
        kind = "list" if isinstance(Y, list | tuple) else "ndarray"
        values = np.asarray(Y)
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be a label indicator matrix of shape (n_samples, n_labels), one 0/1 "
            f"column per label; got {values.ndim}-D input of shape {values.shape}. For one "
            "label per row use the single-label samplers (RandomOverSampler, SMOTE, ...); a "
            "list of label sets becomes an indicator matrix with "
            "sklearn.preprocessing.MultiLabelBinarizer."
        )
    if values.shape[1] == 0:
        raise ValueError(f"{name} has no label columns (shape {values.shape}).")
    if values.dtype.kind not in "biuf":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} must hold 0 and 1 only (an indicator matrix); got dtype {values.dtype}."
            ) from None
    bad = ~((values == 0) | (values == 1))
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        label = column if names is None else names[column]
        raise ValueError(
            f"{name} must hold 0 and 1 only (an indicator matrix); row {row}, label "
            f"{label!r} is {values[row, column].item()!r}. Binarize the labels first (e.g. "
            "sklearn.preprocessing.MultiLabelBinarizer)."
        )
    matrix = values.astype(bool)
    names = list(range(matrix.shape[1])) if names is None else names
    if not allow_empty_labels:
        empty = np.flatnonzero(~matrix.any(axis=0))
        if len(empty):
            listed = [names[i] for i in empty]
            raise ValueError(
                f"{name} has no positive row for label(s) {listed}: their imbalance ratio "
                "(IRLbl = largest label count / this label's count) is undefined. Drop those "
                "columns first."
            )
    return IndicatorTarget(Y, matrix, kind, names)


def irlbl(Y) -> np.ndarray:
    """Imbalance ratio per label, IRLbl (Charte et al. 2015, Neurocomputing, eq. 1).

    ``IRLbl(l) = max_l' count(l') / count(l)``, ``count(l)`` being the number of rows with label
    ``l``: 1 for the most frequent label, ``r`` for a label ``r`` times rarer.

    Parameters
    ----------
    Y : array-like, DataFrame or sparse matrix of shape (n_samples, n_labels)
        Label indicator matrix (0/1); every label needs at least one positive row.

    Returns
    -------
    ndarray of shape (n_labels,), float64

    Examples
    --------
    >>> from skbalance.sampling import irlbl
    >>> Y = [[1, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]]  # label counts 4, 2, 1
    >>> irlbl(Y).tolist()
    [1.0, 2.0, 4.0]
    """
    return _irlbl(check_indicator(Y).counts)


def mean_ir(Y) -> float:
    """Mean imbalance ratio, MeanIR (Charte et al. 2015, Neurocomputing, eq. 2).

    The mean of :func:`irlbl` over the labels. The multi-label resamplers call a label
    *minority* when its IRLbl is above MeanIR and *majority* when below.

    Examples
    --------
    >>> from skbalance.sampling import mean_ir
    >>> mean_ir([[1, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]])  # (1 + 2 + 4) / 3
    2.3333333333333335
    """
    return float(_irlbl(check_indicator(Y).counts).mean())


def cvir(Y) -> float:
    """Coefficient of variation of IRLbl, CVIR (Charte et al. 2015, Neurocomputing, eq. 3).

    ``CVIR = IRLbl_sigma / MeanIR`` with ``IRLbl_sigma`` the sample standard deviation of IRLbl
    (``n_labels - 1`` in the denominator): 0 when every label is equally frequent, and large
    when a few labels are far rarer than the rest. Needs at least two labels.

    Examples
    --------
    >>> from skbalance.sampling import cvir
    >>> round(cvir([[1, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]]), 4)
    0.6547
    """
    ratios = _irlbl(check_indicator(Y).counts)
    if len(ratios) < 2:
        raise ValueError("CVIR needs at least 2 labels (a standard deviation over labels).")
    return float(ratios.std(ddof=1) / ratios.mean())


def _irlbl(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    with np.errstate(divide="ignore"):  # a label with no row left: infinitely rare
        return counts.max() / counts


class MultilabelResampler(BaseResampler):
    """Template of the multi-label resamplers: ``fit_resample(X, Y[, sample_weight=])``.

    A :class:`BaseResampler` (tags, parameter checks, the plan and its containers) whose
    target is an indicator matrix instead of one label per row, so it has no
    ``sampling_strategy``: ``fit``, ``fit_resample`` and ``fit_resample_indices`` read Y here.
    Subclasses set ``_sampling_type``, ``_selects_rows`` and ``_needs_distances`` and implement
    ``_plan_rows(X, labels, random_state)``, returning a :class:`ResamplePlan` and the label
    rows of its synthetic rows (or None).
    """

    _selects_rows = True
    _parameter_constraints: dict = {"random_state": ["random_state"]}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # sampler, input and row_source tags: as every sampler
        tags.target_tags = TargetTags(
            required=True,
            one_d_labels=False,
            two_d_labels=True,
            multi_output=True,
            single_output=False,
        )
        return tags

    def _plan_rows(
        self, X, labels: np.ndarray, random_state
    ) -> tuple[ResamplePlan, np.ndarray | None]:
        raise NotImplementedError

    def fit(self, X, Y):
        """Validate X and Y and compute the imbalance measures; returns ``self``.

        Like the single-label samplers, ``fit`` does not resample: use :meth:`fit_resample`.
        """
        self._validate_params()
        with _atomic_fit(self):
            self._read(X, Y, None)
        return self

    def fit_resample(self, X, Y, *, sample_weight=None):
        """Resample ``X`` and the indicator matrix ``Y`` (and ``sample_weight``, row by row).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), sparse matrix or DataFrame
            Rows to resample (any rank >= 2 unless the sampler measures distances).
        Y : array-like, DataFrame or sparse matrix of shape (n_samples, n_labels)
            Label indicator matrix (0/1), every label with at least one positive row.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights; when given, a third output holds the resampled weights (a kept
            or copied row keeps its weight; a synthetic row gets its parents' weights
            interpolated like its features).

        Returns
        -------
        X_res : X's container type
        Y_res : Y's container type (same columns, dtype, and for pandas the index rule of X)
        sample_weight_res : ndarray, only when ``sample_weight`` was given
        """
        self._validate_params()
        with _atomic_fit(self):
            data, target = self._read(X, Y, sample_weight)
            plan, new_labels = self._resample(data, target)
            X_res = _containers.assemble_X(data, plan)
            Y_res = target.assemble(plan, new_labels, X_res, data)
        if sample_weight is None:
            return X_res, Y_res
        return X_res, Y_res, _containers.assemble_weight(data.sample_weight, plan)

    def fit_resample_indices(self, X, Y) -> np.ndarray:
        """Return only ``sample_indices_``: which input rows the resampled set holds.

        Only for the row-selecting samplers; X's values are never read (only its length), so
        a training loop that resamples every epoch copies nothing: ``X[indices]`` and
        ``Y[indices]`` equal ``fit_resample(X, Y)`` for the same ``random_state``.
        """
        if not self._selects_rows:
            raise TypeError(
                f"{type(self).__name__} creates new rows, so there are no indices to return; "
                "use fit_resample."
            )
        self._validate_params()
        with _atomic_fit(self):
            data, target = self._read(X, Y, None)
            plan, _ = self._resample(data, target)
        return self.sample_indices_

    # -- internals ---------------------------------------------------------------------------
    def _read(self, X, Y, sample_weight):
        """Validate X and ``sample_weight`` (by the single-label samplers' one rule), then Y,
        and store the measures; nothing is resampled yet."""
        if Y is None:  # scikit-learn's wording, which its estimator checks look for
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None; "
                "pass a label indicator matrix Y of shape (n_samples, n_labels)."
            )
        # X's validation and containers are the single-label samplers': they take a 1-D y,
        # so a stand-in with one row per sample is passed (its values are never used).
        n_samples = n_rows(X)
        data = _containers.read(
            X,
            np.zeros(n_samples or 0, dtype=np.int8),
            sample_weight,
            sampler_name=type(self).__name__,
        )
        target = check_indicator(Y)
        if target.matrix.shape[0] != data.shape[0]:
            raise ValueError(
                f"X has {data.shape[0]} rows but Y has {target.matrix.shape[0]}; they must "
                "have one row of labels per sample."
            )
        if self._needs_distances:
            _containers.check_columns(data, creates_rows=not self._selects_rows)
            _containers.check_finite(data)
        self.n_features_in_ = data.n_features
        if data.feature_names is not None:
            self.feature_names_in_ = data.feature_names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.irlbl_ = _irlbl(target.counts)
        self.mean_ir_ = float(self.irlbl_.mean())
        self._check_data(target)
        return data, target

    def _check_data(self, target: IndicatorTarget) -> None:
        """Validate parameters against Y (raise before any work). Default: nothing."""

    def _resample(self, data, target):
        random_state = check_random_state(getattr(self, "random_state", None))
        X = data.matrix if self._needs_distances else data.raw
        plan, new_labels = self._plan_rows(X, target.matrix, random_state)
        if self._selects_rows:
            self.sample_indices_ = plan.indices
        return plan, new_labels


def samples_for(percentage: float, n_samples: int) -> int:
    """Rows to add or remove: ``P`` percent of the data set, rounded down (Charte et al. 2015:
    ``samplesToClone = |D| / 100 * P``)."""
    return int(n_samples * percentage / 100)
