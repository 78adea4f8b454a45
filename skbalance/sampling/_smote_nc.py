"""SMOTE for categorical data: SMOTENC (numeric and categorical columns), SMOTEN (categorical).

Both give synthetic rows whose categorical values are real categories of the column (never a
fraction of a one-hot code), chosen by a vote among the base row's nearest same-class rows:

- :class:`SMOTENC` interpolates the continuous columns as :class:`~skbalance.sampling.SMOTE`
  does and gives each categorical column the category most frequent among the base row's
  ``k_neighbors`` neighbours. Neighbours are found by Euclidean distance on the continuous
  columns next to the one-hot categorical columns scaled by the class's median standard
  deviation of the continuous columns (so two rows that differ in one category are that
  median apart), as imbalanced-learn does.
- :class:`SMOTEN` has only categorical columns: neighbours by the Value Difference Metric
  (two categories are near when the classes are distributed alike among their rows), and each
  new row takes, column by column, the most frequent category among the base row and its
  ``k_neighbors`` neighbours.

Output: every input row first, in input order, then the synthetic rows (grouped by class).
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from . import _containers
from ._base import BaseResampler, ResamplePlan, class_rows, generator_from, spread_draws
from ._nearest import ExactNearestNeighbors, check_neighbors_object, n_neighbors_of, nearest
from ._smote import _check_class_sizes, _SMOTEBase, _stack

__all__ = ["SMOTENC", "SMOTEN"]

# SMOTEN's default encoder codes a missing value (None, NaN) so; it is then a category of its
# own, as in SMOTENC's one-hot encoding (imbalanced-learn's SMOTEN raises on it).
_MISSING_CODE = -1
# Vote tables (rows x categories) are built this many cells at a time.
_VOTE_CELLS = 2**22
# Distance blocks of SMOTEN's Value Difference Metric: this many cells (8 MB) at a time; the
# selection beside it needs a few more of that size, so the peak stays a few tens of MB.
_VDM_CELLS = 2**20


_CONSTRAINTS: dict = {
    "sampling_strategy": [
        Interval(Real, 0, 1, closed="right"),
        StrOptions({"auto", "minority", "majority", "not minority", "not majority", "all"}),
        dict,
        callable,
    ],
    "random_state": ["random_state"],
    "k_neighbors": [Interval(Integral, 1, None, closed="left"), HasMethods(["kneighbors", "fit"])],
    "categorical_encoder": [HasMethods(["fit_transform", "inverse_transform"]), None],
}


def _column_values(raw, columns: np.ndarray):
    """The columns ``columns`` of X, as an encoder reads them (DataFrame or dense 2-D array)."""
    if _containers._is_dataframe(raw):
        return raw.iloc[:, columns]
    part = raw[:, columns]
    return part.toarray() if sparse.issparse(part) else part


def _vote(votes: np.ndarray, n_categories: int, rng=None) -> np.ndarray:
    """The most frequent code of each row of ``votes`` (rows x voters).

    Ties: ``rng`` given, a tied code at random (imbalanced-learn's SMOTENC rule); ``None``,
    the smallest code (``scipy.stats.mode``'s rule, imbalanced-learn's SMOTEN).
    """
    n_rows = len(votes)
    out = np.empty(n_rows, dtype=np.intp)
    step = max(1, _VOTE_CELLS // max(1, n_categories))
    for lo in range(0, n_rows, step):
        part = votes[lo : lo + step]
        flat = np.arange(len(part))[:, None] * n_categories + part
        counts = np.bincount(flat.ravel(), minlength=len(part) * n_categories)
        counts = counts.reshape(len(part), n_categories)
        if rng is None:
            out[lo : lo + step] = counts.argmax(axis=1)
        else:
            tied = counts == counts.max(axis=1, keepdims=True)
            out[lo : lo + step] = np.where(tied, rng.random(counts.shape), -1.0).argmax(axis=1)
    return out


def _encode(encoder, values, n_rows: int, sampler: str):
    """Fit ``encoder`` on the categorical columns; returns ``(codes, categories)``.

    ``codes[:, j]`` indexes ``categories[j]``: from one-hot output (SMOTENC; one column per
    category, exactly one set per row and column) or ordinal output (SMOTEN).
    """
    try:
        encoded = encoder.fit_transform(values)
    except TypeError as exc:  # e.g. text and numbers in one column
        raise TypeError(
            f"{sampler} could not encode the categorical columns with "
            f"{type(encoder).__name__}: {exc}. Give each categorical column values of one "
            "kind (all text or all numbers), e.g. with X[column].astype(str)."
        ) from None
    categories = [np.asarray(cats) for cats in encoder.categories_]
    n_columns = len(categories)
    if sampler == "SMOTEN":
        codes = np.asarray(encoded, dtype=np.float64)
        sizes = np.array([len(cats) for cats in categories])
        missing_code = getattr(encoder, "encoded_missing_value", None)
        if codes.shape == (n_rows, n_columns) and missing_code == _MISSING_CODE:
            # scikit-learn lists the missing value last among a column's categories
            codes = np.where(codes == _MISSING_CODE, sizes - 1, codes)
        if (
            codes.shape != (n_rows, n_columns)
            or not np.isfinite(codes).all()
            or (codes < 0).any()
            or (codes >= sizes).any()
        ):
            raise ValueError(
                "SMOTEN needs an ordinal encoding with one code per column, each a position "
                f"in the column's categories_; the categorical_encoder gave shape "
                f"{codes.shape} for {n_columns} column(s), or codes outside the categories "
                "(a missing value coded NaN?). Use sklearn.preprocessing.OrdinalEncoder("
                "encoded_missing_value=-1)."
            )
        return codes.astype(np.intp), categories
    sizes = np.array([len(cats) for cats in categories])
    encoded = sparse.csr_matrix(encoded)
    encoded.eliminate_zeros()
    if encoded.shape[1] != sizes.sum():
        raise ValueError(
            "SMOTENC requires a one-hot encoding with one column per category for the "
            f"categorical features. The provided `categorical_encoder` produced "
            f"{encoded.shape[1]} columns for {sizes.sum()} categories. This happens when the "
            "encoder drops columns (e.g. `OneHotEncoder(drop=...)`) or merges infrequent "
            "categories, which is not supported. Pass an encoder that keeps all categories, "
            "such as `OneHotEncoder(handle_unknown='ignore')`."
        )
    if not (np.diff(encoded.indptr) == n_columns).all():
        raise ValueError(
            "SMOTENC needs exactly one category per row in every categorical column; the "
            "categorical_encoder's output has rows with none or several. Pass an encoder "
            "fitted to these values, such as `OneHotEncoder(handle_unknown='ignore')`."
        )
    encoded.sort_indices()
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    codes = encoded.indices.reshape(n_rows, n_columns).astype(np.intp) - offsets
    return codes, categories


def _new_rows(data, n_new: int, parts: dict) -> np.ndarray:
    """Full-width synthetic rows from ``{column: values}``, in a type X's container takes.

    Numbers go in a float array for numeric ndarrays and sparse X (whose categories are
    numbers); DataFrames and object arrays get an object array, each category as it is.
    """
    numeric = data.x_kind in ("sparse", "ndarray", "list") and data.raw.dtype.kind in "biuf"
    rows = np.empty((n_new, data.n_features), dtype=np.float64 if numeric else object)
    for column, values in parts.items():
        rows[:, column] = values
    return rows


class _CategoricalSMOTE(BaseResampler):
    """What SMOTENC and SMOTEN share: X's values are read column by column, not as a matrix.

    Not a ``_SMOTEBase``: that is the type SMOTETomek/SMOTEENN accept as ``smote``, and their
    cleaners measure distances on a numeric matrix, which these samplers' inputs are not.
    """

    _sampling_type = "over-sampling"
    _needs_distances = False
    _synthesise = _SMOTEBase._synthesise  # SMOTENC's continuous columns: SMOTE's segments

    def _uses_matrix(self) -> bool:  # categorical columns: no numeric matrix of all of X
        return False

    _finite_columns = False  # whether some columns must hold finite numbers

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = not self._finite_columns
        tags.input_tags.three_d_array = False
        return tags

    def _check_params(self, counts, classes, targets):
        self.nn_k_ = check_neighbors_object("k_neighbors", self.k_neighbors, additional_neighbor=1)
        k = n_neighbors_of(self.nn_k_, "k_neighbors") - 1
        _check_class_sizes(self, "k_neighbors", k, counts, classes, targets)

    def _plan_checks(self, data):
        return self._checks(data)[0]

    def _checks(self, data):
        """``sampling_strategy`` and parameter checks, then the columns' (before any work)."""
        if len(data.shape) != 2:
            raise ValueError(
                f"{type(self).__name__} reads X column by column, so X must be 2-D (rows x "
                f"columns); got shape {data.shape}."
            )
        targets = super()._plan_checks(data)
        return targets, self._check_columns(data)

    def _plan(self, data):
        targets, columns = self._checks(data)
        random_state = check_random_state(self.random_state)
        return self._resample_columns(data, columns, targets, random_state)

    def _encoder(self, default):
        if self.categorical_encoder is None:
            return default
        return clone(self.categorical_encoder)


class SMOTENC(_CategoricalSMOTE):
    """SMOTE for Nominal and Continuous columns (Chawla et al., 2002), as imbalanced-learn.

    Continuous columns of a new row are interpolated between a row of the class and one of
    its ``k_neighbors`` nearest same-class rows, as in :class:`SMOTE`; each categorical
    column takes the category most frequent among the base row's ``k_neighbors`` neighbours
    (a tie goes to one of the tied categories at random), so it is always a real category.
    Neighbours are found by Euclidean distance on the continuous columns beside the one-hot
    encoded categorical columns scaled by ``median_std_ / sqrt(2)`` (rows that differ in one
    category are the class's median standard deviation apart), with skbalance's exact search
    when ``k_neighbors`` is an int.

    Parameters
    ----------
    categorical_features : 'auto' or array-like of int, str or bool
        Which columns are categorical: indices, column names (X a DataFrame), a boolean mask
        of length ``n_features``, or ``'auto'``: the DataFrame's ``category`` columns and its
        ``object``/string columns that hold anything but numbers (imbalanced-learn's
        ``'auto'`` takes ``category`` columns only, and fails on the others).
    categorical_encoder : estimator, default=None
        One-hot encoder of the categorical columns (cloned into ``categorical_encoder_``);
        ``None`` means ``OneHotEncoder(handle_unknown='ignore')``. It must keep one column
        per category.
    sampling_strategy : float, str, dict or callable, default='auto'
        imbalanced-learn's meanings.
    random_state : None, int or RandomState, default=None
    k_neighbors : int or estimator, default=5
        Neighbours per row; or a k-NN estimator with ``fit``/``kneighbors`` whose
        ``n_neighbors`` counts the row itself (``NearestNeighbors(n_neighbors=6)`` is the
        int 5).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows added.
    categorical_features_ : ndarray of int
        Indices of the categorical columns.
    continuous_features_ : ndarray of int
        Indices of the other columns.
    categorical_encoder_ : estimator
        The fitted one-hot encoder.
    median_std_ : dict
        Label -> median standard deviation of the continuous columns within the class, for
        each class that got new rows.
    nn_k_ : estimator
        The k-NN estimator used (:class:`ExactNearestNeighbors` for an int).
    n_features_ : int
        Columns of X.

    Notes
    -----
    With ``sample_weight``, a new row ``a + gap * (b - a)`` gets ``w_a + gap * (w_b - w_a)``.
    Base rows are spread evenly over the class (each used ``floor`` or ``ceil`` of
    ``n_new / n_class`` times), as in :class:`SMOTE`; imbalanced-learn draws them at random,
    so the rows differ from its for the same ``random_state``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skbalance.sampling import SMOTENC
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"income": rng.normal(50, 10, 40),
    ...                   "city": pd.Categorical(rng.choice(["Oslo", "Rome"], 40))})
    >>> y = np.array([0] * 32 + [1] * 8)
    >>> X_res, y_res = SMOTENC(categorical_features=["city"], random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), X_res["city"].dtype == X["city"].dtype
    ([32, 32], True)
    >>> sorted(set(X_res["city"]))
    ['Oslo', 'Rome']
    """

    _parameter_constraints: dict = {
        **_CONSTRAINTS,
        "categorical_features": ["array-like", StrOptions({"auto"})],
    }
    _finite_columns = True  # the continuous ones

    def __init__(
        self,
        categorical_features,
        *,
        categorical_encoder=None,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        self.categorical_features = categorical_features
        self.categorical_encoder = categorical_encoder
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    # -- columns ----------------------------------------------------------------------------
    def _categorical_columns(self, data) -> np.ndarray:
        n_features = data.shape[1]
        spec = self.categorical_features
        is_frame = data.x_kind == "dataframe"
        if isinstance(spec, str) and spec == "auto":
            if not is_frame:
                raise ValueError(
                    "When `categorical_features='auto'`, the input data should be a "
                    f"pandas.DataFrame. Got {type(data.raw)} instead; give the categorical "
                    "columns by index or boolean mask."
                )
            return np.flatnonzero([_is_categorical(col) for _, col in data.raw.items()])
        values = np.asarray(spec)
        if values.size == 0:  # an empty list: no categorical column (refused by the caller)
            return np.empty(0, dtype=np.intp)
        if isinstance(spec, str) or values.ndim != 1:
            raise ValueError(
                "categorical_features must be 'auto' or a 1-D list of column indices, column "
                f"names or a boolean mask; got {spec!r}."
            )
        if values.dtype.kind == "b":
            if len(values) != n_features:
                raise ValueError(
                    f"categorical_features as a boolean mask needs one entry per column of X "
                    f"({n_features}); got {len(values)}."
                )
            return np.flatnonzero(values)
        if values.dtype.kind in "iu":
            if len(values) and (values.min() < -n_features or values.max() >= n_features):
                raise ValueError(
                    f"categorical_features {values.tolist()} are not column indices of X: all "
                    f"features must be in [0, {n_features - 1}] (or negative from the end)."
                )
            return np.unique(values % n_features) if len(values) else values.astype(np.intp)
        if values.dtype.kind in "UO" and all(isinstance(name, str) for name in values):
            if not is_frame:
                raise ValueError(
                    "categorical_features given as column names needs X as a pandas "
                    "DataFrame; give column indices or a boolean mask for an array."
                )
            columns = list(data.raw.columns)
            unknown = [str(name) for name in values if name not in columns]
            if unknown:
                raise ValueError(
                    f"categorical_features {unknown} are not columns of X; all features must "
                    f"be in {columns}."
                )
            return np.unique([columns.index(name) for name in values])
        raise ValueError(
            "categorical_features must hold column indices (int), column names (str) or a "
            f"boolean mask; got {spec!r}."
        )

    def _check_columns(self, data) -> None:
        categorical = self._categorical_columns(data)
        n_features = data.shape[1]
        if len(categorical) == n_features:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical features. It requires "
                "some numerical features; use SMOTEN for all-categorical data."
            )
        if len(categorical) == 0:
            raise ValueError(
                "SMOTE-NC is not designed to work only with numerical features. It requires "
                "some categorical features; use SMOTE for all-numeric data."
            )
        continuous = np.setdiff1d(np.arange(n_features), categorical)
        part = _continuous_data(data, continuous)
        _containers.check_columns(part, creates_rows=True)
        _containers.check_finite(part)
        self.categorical_features_ = categorical
        self.continuous_features_ = continuous
        self.n_features_ = n_features
        return part

    # -- resampling ---------------------------------------------------------------------------
    def _resample_columns(self, data, columns, targets, random_state) -> ResamplePlan:
        """``columns``: X's continuous columns, checked (from :meth:`_check_columns`)."""
        continuous = columns.matrix
        if sparse.issparse(continuous):
            continuous = continuous.toarray()
        encoder = self._encoder(OneHotEncoder(handle_unknown="ignore", dtype=continuous.dtype))
        codes, categories = _encode(
            encoder, _column_values(data.raw, self.categorical_features_), data.shape[0], "SMOTENC"
        )
        self.categorical_encoder_ = encoder
        k = n_neighbors_of(self.nn_k_, "k_neighbors") - 1
        rng = generator_from(random_state)
        groups = class_rows(data.codes, len(data.classes))
        parts, self.median_std_ = [], {}
        for code, n_add in targets.items():
            if n_add == 0:
                continue
            rows = groups[code]
            label = data.classes[code]
            median_std = _median_std(continuous[rows])
            self.median_std_[label.item() if hasattr(label, "item") else label] = median_std
            space = _encoded_space(continuous[rows], codes[rows], median_std)
            local = nearest(self.nn_k_, space, k)
            positions = np.arange(len(rows))
            part = self._synthesise(continuous, rows, n_add, positions, rows[local], code, rng)
            new_continuous, _, start, _, _ = part
            voters = local[np.searchsorted(rows, start)]  # each base row's k neighbours
            new = {int(c): new_continuous[:, i] for i, c in enumerate(self.continuous_features_)}
            for j, column in enumerate(self.categorical_features_):
                chosen = _vote(codes[rows[voters], j], len(categories[j]), rng)
                new[int(column)] = categories[j][chosen]
            parts.append((_new_rows(data, n_add, new), *part[1:]))
        return _stack(parts, continuous)


def _is_categorical(column) -> bool:
    """``'auto'``'s rule: a ``category`` column, or text/objects that are not all numbers."""
    import pandas as pd

    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return _containers._column_problem(column) is not None
    return False


def _median_std(continuous: np.ndarray) -> float:
    """Median over the columns of their standard deviation (ddof=0), at every scale.

    Each column is divided by a power of two near its largest magnitude first (exact), so
    squaring neither overflows (values ~1e200 gave an infinite spread) nor underflows
    (~1e-200 gave 0, and categories then stopped counting in the distances).
    """
    values = continuous.astype(np.float64)
    magnitude = np.abs(values).max(axis=0, initial=0.0)
    exponent = np.frexp(np.where(magnitude > 0, magnitude, 1.0))[1]
    spread = np.ldexp(np.ldexp(values, -exponent).std(axis=0), exponent)
    return float(np.median(spread))


def _continuous_data(data, columns: np.ndarray):
    """``data`` restricted to ``columns``: the one container rule, applied to those columns."""
    from dataclasses import replace

    raw = data.raw.iloc[:, columns] if data.x_kind == "dataframe" else data.raw[:, columns]
    return replace(data, raw=raw, shape=(data.shape[0], len(columns)))


def _encoded_space(continuous: np.ndarray, codes: np.ndarray, median_std: float) -> np.ndarray:
    """Continuous columns beside one-hot categories worth ``median_std / sqrt(2)`` each.

    Only the categories present in the class get a column (the others are zero for every
    row of the class and change no distance).
    """
    scale = median_std / math.sqrt(2)
    blocks = [continuous]
    for j in range(codes.shape[1]):
        present, local = np.unique(codes[:, j], return_inverse=True)
        onehot = np.zeros((len(codes), len(present)), dtype=continuous.dtype)
        onehot[np.arange(len(codes)), local.reshape(-1)] = scale
        blocks.append(onehot)
    return np.hstack(blocks)


class SMOTEN(_CategoricalSMOTE):
    """SMOTE for Nominal (categorical only) columns (Chawla et al., 2002), as imbalanced-learn.

    Neighbours are found by the Value Difference Metric: the distance between two rows is
    ``sum over columns of (sum over classes |P(class | a) - P(class | b)|) ** 2`` with the
    probabilities measured on all of X (imbalanced-learn's ``ValueDifferenceMetric`` with
    ``k=1, r=2``; the same distances, computed column by column from small per-category
    tables). A new row takes, column by column, the most frequent category among a base row
    and its ``k_neighbors`` nearest same-class rows (a tie goes to the first category in
    sorted order, as ``scipy.stats.mode`` gives imbalanced-learn). Of rows equally distant,
    the one first in X is nearer; imbalanced-learn leaves such ties to ``argpartition``.

    Parameters
    ----------
    categorical_encoder : estimator, default=None
        Ordinal encoder of the columns (cloned into ``categorical_encoder_``); ``None`` means
        ``OrdinalEncoder(dtype=np.int32, encoded_missing_value=-1)``: a missing value (None,
        NaN) is a category of its own, as in SMOTENC (imbalanced-learn's default raises).
    sampling_strategy : float, str, dict or callable, default='auto'
    random_state : None, int or RandomState, default=None
    k_neighbors : int or estimator, default=5
        Neighbours per row; an estimator (``NearestNeighbors(n_neighbors=6)`` is the int 5) is
        fitted on the precomputed distances, as imbalanced-learn does.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
    categorical_encoder_ : estimator
        The fitted ordinal encoder.
    nn_k_ : estimator
        The k-NN estimator used.

    Notes
    -----
    Base rows are spread evenly over the class (imbalanced-learn draws them at random). With
    ``sample_weight``, a new row gets its base row's weight: it is made from the base row and
    its neighbours by a vote, not on a segment between two rows. Sparse X is converted to a
    dense array (a ``DataConversionWarning``, as imbalanced-learn), and returned sparse.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import SMOTEN
    >>> X = np.array([["red"], ["red"], ["blue"], ["blue"], ["blue"], ["green"]] * 5)
    >>> y = np.array([0, 0, 0, 1, 1, 0] * 5)
    >>> X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), sorted(set(X_res[len(X):, 0].tolist()))
    ([20, 20], ['blue'])
    """

    _parameter_constraints: dict = dict(_CONSTRAINTS)

    def __init__(
        self,
        categorical_encoder=None,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
    ):
        self.categorical_encoder = categorical_encoder
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def _check_columns(self, data) -> None:
        """Every column is categorical: any values are accepted; sparse X is densified."""
        if data.x_kind == "sparse":
            warnings.warn(
                "Passing a sparse matrix to SMOTEN is not really efficient since it is "
                "converted to a dense array internally.",
                DataConversionWarning,
                stacklevel=5,  # the caller of fit or fit_resample
            )

    def _resample_columns(self, data, columns, targets, random_state) -> ResamplePlan:
        values = data.raw.toarray() if data.x_kind == "sparse" else data.raw
        default = OrdinalEncoder(dtype=np.int32, encoded_missing_value=_MISSING_CODE)
        encoder = self._encoder(default)
        codes, categories = _encode(encoder, values, data.shape[0], "SMOTEN")
        self.categorical_encoder_ = encoder
        sizes = [len(cats) for cats in categories]
        probabilities = _class_probabilities(codes, data.codes, len(data.classes), sizes)
        k = n_neighbors_of(self.nn_k_, "k_neighbors") - 1
        rng = generator_from(random_state)
        groups = class_rows(data.codes, len(data.classes))
        parts = []
        for code, n_add in targets.items():
            if n_add == 0:
                continue
            rows = groups[code]
            voters = self._neighbourhoods(codes[rows], probabilities, k)
            pick = spread_draws(len(rows), n_add, rng)
            new = {
                j: categories[j][_vote(codes[rows[voters[pick]], j], sizes[j])]
                for j in range(len(sizes))
            }
            start = rows[pick]
            parts.append(
                (
                    _new_rows(data, n_add, new),
                    np.full(n_add, code, dtype=np.intp),
                    start,
                    start,
                    np.zeros(n_add),
                )
            )
        return _stack(parts, np.empty((data.shape[0], 0)))

    def _neighbourhoods(self, codes: np.ndarray, probabilities: list, k: int) -> np.ndarray:
        """Each class row with its ``k`` nearest class rows by the VDM (local positions)."""
        tables, local_codes = _vdm_tables(codes, probabilities)
        n_rows = len(codes)
        if type(self.nn_k_) is not ExactNearestNeighbors:  # a user's estimator, as imblearn
            estimator = self.nn_k_
            if "metric" in estimator.get_params():
                estimator.set_params(metric="precomputed")
            distances = _vdm_block(tables, local_codes, slice(0, n_rows))
            estimator.fit(distances)
            return np.asarray(estimator.kneighbors(distances, return_distance=False))
        out = np.empty((n_rows, k + 1), dtype=np.intp)
        step = max(1, _VDM_CELLS // n_rows)
        for lo in range(0, n_rows, step):
            block = _vdm_block(tables, local_codes, slice(lo, lo + step))
            block[np.arange(len(block)), np.arange(lo, lo + len(block))] = -1.0  # itself first
            out[lo : lo + len(block)] = _smallest(block, k + 1)
        return out


def _class_probabilities(codes, class_codes, n_classes: int, sizes: list) -> list:
    """Per column, ``P(class | category)`` as a (categories x classes) table (VDM's input)."""
    tables = []
    for j, size in enumerate(sizes):
        counts = (
            np.bincount(codes[:, j] * n_classes + class_codes, minlength=size * n_classes)
            .reshape(size, n_classes)
            .astype(np.float64)
        )
        with np.errstate(invalid="ignore"):
            counts /= counts.sum(axis=1, keepdims=True)
        tables.append(np.nan_to_num(counts, copy=False))
    return tables


def _vdm_tables(codes: np.ndarray, probabilities: list) -> tuple[list, list]:
    """Per column, the VDM term between every two categories present in ``codes``.

    Returns ``(tables, local_codes)``: ``tables[j][a, b]`` is column ``j``'s term between its
    ``a``-th and ``b``-th present categories, ``local_codes[j]`` each row's position among
    them (a table as small as the categories present, not the whole column's).
    """
    tables, local_codes = [], []
    for j, table in enumerate(probabilities):
        present, local = np.unique(codes[:, j], return_inverse=True)
        p = table[present]
        # imbalanced-learn's arithmetic (scipy's distance_matrix, p=1, then ** 2)
        tables.append(np.sum(np.abs(p[None, :, :] - p[:, None, :]), axis=-1) ** 2)
        local_codes.append(local.reshape(-1))
    return tables, local_codes


def _vdm_block(tables: list, local_codes: list, queries: slice) -> np.ndarray:
    """VDM distances from the rows ``queries`` to every row, summed column by column."""
    distance = None
    for table, local in zip(tables, local_codes, strict=True):
        part = table[local[queries]][:, local]
        if distance is None:
            distance = part
        else:  # in place: one block of memory, not one per column
            distance += part
    return distance


def _smallest(block: np.ndarray, count: int) -> np.ndarray:
    """Per row, the ``count`` columns first in (value, column) order (in column order)."""
    n_rows, n_columns = block.shape
    if count >= n_columns:
        return np.broadcast_to(np.arange(n_columns), (n_rows, n_columns)).copy()
    kth = np.partition(block, count - 1, axis=1)[:, count - 1 : count]
    below = block < kth
    tied = block == kth
    need = count - below.sum(axis=1, keepdims=True)
    chosen = below | (tied & (np.cumsum(tied, axis=1) <= need))
    return np.nonzero(chosen)[1].reshape(n_rows, count)
