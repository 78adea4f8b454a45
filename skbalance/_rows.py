"""Per-row data: the one ``sample_weight`` validator, and the one rule that carries per-row
arrays (weights, group ids, tags) through a resampler.

Every training path of skbalance - the samplers' ``fit_resample(sample_weight=)``,
:class:`~skbalance.pipeline.Pipeline` and :class:`~skbalance.pipeline.ResampledClassifier`,
:class:`~skbalance.keras.KerasBalancedClassifier` (arrays, ``resample="once"`` and
``"epoch"``) and :class:`~skbalance.keras.BalancedDataset` - validates ``sample_weight`` with
:func:`check_sample_weight` and moves per-row data through a sampler with
:func:`fit_resample_rows`, so the same input meets the same rule everywhere.

**The weight of a resampled row.** A row a sampler keeps or copies has the weight of its input
row. A synthetic row is weighted by the sampler that made it: skbalance's generating samplers
(the SMOTE family, ``RandomOverSampler(shrinkage=...)``) give the row that lies at ``gap`` of
the way from parent ``a`` to parent ``b`` the weight ``w_a + gap * (w_b - w_a)`` - interpolated
like its features, so a synthetic row between two heavy rows is heavy, and a noisy copy has the
weight of the row it copies. A sampler that can say neither (it takes no ``sample_weight`` and
exposes no ``sample_indices_``, like imbalanced-learn's SMOTE) cannot be combined with per-row
data: that is an error, never a guess.

No TensorFlow here: the samplers and the pipeline import this module.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np
from sklearn.base import clone
from sklearn.utils import _safe_indexing

__all__ = [
    "accepts_sample_weight",
    "as_container",
    "check_sample_weight",
    "check_weighted_rows",
    "fit_resample_rows",
    "fresh_sampler",
    "is_weight_label",
    "n_rows",
    "take_rows",
]


def check_sample_weight(sample_weight, n_samples: int, *, dtype=np.float64) -> np.ndarray:
    """Validate ``sample_weight`` and return it as a new 1-D array of ``dtype``.

    The one validator of per-row weights, used by every training path.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,)
        One weight per row: a list, ndarray, pandas Series (nullable dtypes included).
    n_samples : int
        Rows of the data the weights belong to.
    dtype : numpy dtype, default=np.float64
        dtype of the returned array.

    Returns
    -------
    ndarray of shape (n_samples,)
        A copy: the caller's array is never modified, nor shared.

    Raises
    ------
    ValueError
        When the weights are not one per row (wrong length or not 1-D), not real numbers, NaN
        or infinite, negative (a negative weight makes training *maximise* that row's loss),
        all zero (no row would count), or a nonzero weight that ``dtype`` cannot hold (it
        would become inf or 0).

    Examples
    --------
    >>> from skbalance._rows import check_sample_weight
    >>> check_sample_weight([1, 0.5, 2], 3).tolist()
    [1.0, 0.5, 2.0]
    >>> check_sample_weight([1.0, -1.0, 2.0], 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: sample_weight must be >= 0 for every row; row 1 is -1.0. ...
    """
    weight = _as_float_array(sample_weight)
    if weight.ndim != 1 or weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must be 1-D with one weight per row, shape ({n_samples},); got "
            f"shape {weight.shape}."
        )
    finite = np.isfinite(weight)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ValueError(
            f"sample_weight must be finite for every row; row {row} is {weight[row]}. "
            "Drop those rows or give them a finite weight."
        )
    negative = weight < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise ValueError(
            f"sample_weight must be >= 0 for every row; row {row} is {weight[row]}. A "
            "negative weight would make training maximise that row's loss."
        )
    if n_samples and not weight.any():
        raise ValueError(
            "sample_weight is zero for every row (all sample weights are zero), so no row "
            "would count in training; give at least one row a positive weight."
        )
    return _cast(weight, dtype, "sample_weight row {row} is {value}")


def check_weighted_rows(
    sample_weight: np.ndarray | None,
    class_weight_of_row: np.ndarray,
    *,
    dtype=np.float32,
    training_rows: np.ndarray | None = None,
) -> None:
    """Refuse class weights and sample weights whose products, the weights training uses, are
    zero for every row or cannot be held in ``dtype`` (float32 for Keras).

    Each argument may be valid alone (some zero sample weights; a class weighted 0; 1e30 and
    1e10) and still, together, train nothing or overflow to inf. ``training_rows`` (the rows
    left for training after a validation split) must not all weigh zero either.
    """
    combined = np.asarray(class_weight_of_row, dtype=np.float64)
    if sample_weight is not None:
        combined = combined * sample_weight
    if not combined.any():
        raise ValueError(
            "class_weight times sample_weight is zero for every row: each row with a nonzero "
            "sample_weight is in a class whose class_weight is 0 (all weights are zero), so no "
            "row would count in training; give one of those classes a positive weight."
        )
    if training_rows is not None and not combined[training_rows].any():
        raise ValueError(
            "class_weight times sample_weight is zero for every training row left after the "
            "validation split (the rows with nonzero weight all went to validation), so no row "
            "would count in training; give more rows a nonzero weight, or lower "
            "validation_fraction."
        )
    _cast(combined, dtype, "class_weight times sample_weight is {value} for row {row}")


def _cast(values: np.ndarray, dtype, what: str) -> np.ndarray:
    """``values`` (float64) as a new ``dtype`` array; a value it cannot hold is a ValueError.

    A weight that is fine in float64 may not be in the float32 Keras trains with: 1e39
    overflows to inf (a NaN loss), 1e-46 underflows to 0 (a row that silently stops counting).
    ``what`` names the offending value, with ``{row}`` and ``{value}`` fields.
    """
    with np.errstate(over="ignore"):  # overflow is reported below, as an error
        converted = np.array(values, dtype=dtype)  # a copy: never shares the caller's memory
    lost = ~np.isfinite(converted) | ((converted == 0) & (values != 0))
    if lost.any():
        row = int(np.flatnonzero(lost)[0])
        raise ValueError(
            f"{what.format(row=row, value=values[row])}, which {np.dtype(dtype).name} cannot "
            f"hold (it becomes {converted[row]}); rescale the weights into "
            f"[{np.finfo(dtype).tiny:.3g}, {np.finfo(dtype).max:.3g}]."
        )
    return converted


def _as_float_array(sample_weight) -> np.ndarray:
    """float64 values of ``sample_weight``; a non-numeric one is a ValueError."""
    if hasattr(sample_weight, "to_numpy") and hasattr(sample_weight, "dtype"):
        try:  # pandas: nullable dtypes turn pd.NA into NaN (then reported as not finite)
            return np.asarray(sample_weight.to_numpy(dtype=np.float64, na_value=np.nan))
        except (TypeError, ValueError):
            pass  # not numeric: reported below with its dtype
    weight = np.asarray(sample_weight)
    if weight.dtype.kind in "biuf":
        return weight.astype(np.float64, copy=False)
    if weight.dtype.kind == "O":
        try:  # e.g. [1, 2.5, None] or Decimals; strings are refused (not weights)
            if not any(isinstance(value, str | bytes) for value in weight.ravel()):
                return weight.astype(np.float64)
        except (TypeError, ValueError):
            pass
    raise ValueError(
        f"sample_weight must hold real numbers, one non-negative weight per row; got dtype "
        f"{getattr(sample_weight, 'dtype', weight.dtype)}."
    )


def fresh_sampler(sampler, seed: int, *, keep_given_seed: bool):
    """An unfitted copy of a user's sampler, seeded: the user's object is never fitted.

    A scikit-learn style sampler is cloned; any other object with ``fit_resample`` (the
    documented contract of ``sampler=``) is deep-copied. Its ``random_state``, if it has one,
    becomes ``seed`` -- always (a per-epoch draw), or only where it is None
    (``keep_given_seed``: a fit that resamples once keeps a seed the user chose).
    """
    if hasattr(sampler, "get_params"):
        fresh = clone(sampler)
        has_seed = "random_state" in fresh.get_params(deep=False)
    else:
        fresh = copy.deepcopy(sampler)
        has_seed = hasattr(fresh, "random_state")
    if has_seed and not (keep_given_seed and fresh.random_state is not None):
        if hasattr(fresh, "set_params"):
            fresh.set_params(random_state=seed)
        else:
            fresh.random_state = seed
    return fresh


def is_weight_label(label: str) -> bool:
    """Whether a per-row parameter's label (``sample_weight``, ``step__sample_weight``) is a
    sample weight: then it is validated, and a sampler may derive it for synthetic rows."""
    return label == "sample_weight" or label.endswith("__sample_weight")


def accepts_sample_weight(resampler) -> bool:
    """Whether ``fit_resample`` names ``sample_weight`` (then it returns the resampled weight).

    ``**params`` alone does not count: imbalanced-learn's samplers take ``**params`` but reject
    ``sample_weight``.
    """
    try:
        parameters = inspect.signature(resampler.fit_resample).parameters
    except (TypeError, ValueError):
        return False
    return "sample_weight" in parameters


def n_rows(value) -> int | None:
    """Number of rows of an array-like, or None for scalars, strings, dicts and the like."""
    if value is None or isinstance(value, (str, bytes)):
        return None
    shape = getattr(value, "shape", None)  # before the dict test: a dok sparse array is a dict
    if shape is not None:
        return int(shape[0]) if len(shape) > 0 else None
    if isinstance(value, dict) or np.isscalar(value):
        return None
    if hasattr(value, "__len__"):
        return len(value)
    if hasattr(value, "__array__"):
        array = np.asarray(value)
        return int(array.shape[0]) if array.ndim > 0 else None
    return None


def as_container(value):
    """Arrays, lists, pandas and sparse as they are; any other array-like as an ndarray
    (resamplers and indexing only promise to handle the former)."""
    if value is None or isinstance(value, (np.ndarray, list)):
        return value
    if hasattr(value, "iloc") or hasattr(value, "tocsr"):
        return value
    return np.asarray(value)


def take_rows(value, indices: np.ndarray):
    """``value[indices]`` for arrays, lists, pandas and sparse; other array-likes via NumPy."""
    return _safe_indexing(as_container(value), indices)


def sample_indices(resampler, n_out: int) -> np.ndarray | None:
    """``resampler.sample_indices_`` when it maps every output row to an input row, else None."""
    indices = getattr(resampler, "sample_indices_", None)
    if indices is None:
        return None
    indices = np.asarray(indices)
    if indices.ndim != 1 or indices.shape[0] != n_out or indices.dtype.kind not in "iu":
        return None
    return indices


def fit_resample_rows(resampler, X, y, own_params: dict, travelling: list):
    """Call ``fit_resample`` and bring every per-row array in ``travelling`` along.

    ``travelling`` is a list of ``(label, array)`` with one entry per row of ``X``. Every array
    labelled as a sample weight (:func:`is_weight_label`) is validated first
    (:func:`check_sample_weight`), so a bad weight fails before the sampler runs. Rows then map
    by the module's rule: a weight follows through ``fit_resample(sample_weight=)`` when the
    sampler accepts it (the only way synthetic rows get one: the sampler's own
    ``sample_weight`` in ``own_params``, else the first travelling weight); everything else
    through ``sample_indices_``. Anything that can follow neither way is a ValueError.

    Returns ``(X_res, y_res, fitted_resampler, [aligned arrays in travelling order])``.
    """
    n_in = n_rows(X)
    for label, value in travelling:
        if is_weight_label(label):
            check_sample_weight(value, n_in)
    call_params = dict(own_params)
    carried_weight = call_params.get("sample_weight")
    if carried_weight is None and travelling and accepts_sample_weight(resampler):
        # Only a weight may be derived for synthetic rows; other per-row parameters (group
        # ids, tags) must come through sample_indices_.
        weights = [value for label, value in travelling if is_weight_label(label)]
        if weights:
            carried_weight = call_params["sample_weight"] = weights[0]
    output = resampler.fit_resample(X, y, **call_params)
    X_res, y_res = output[0], output[1]
    weight_res = output[2] if "sample_weight" in call_params and len(output) > 2 else None

    n_out = n_rows(X_res)
    if weight_res is not None and n_rows(weight_res) != n_out:
        raise ValueError(
            f"{type(resampler).__name__}.fit_resample returned {n_rows(weight_res)} sample "
            f"weights for {n_out} rows; a sampler must return one weight per row."
        )
    indices = sample_indices(resampler, n_out)
    aligned = []
    for label, value in travelling:
        if weight_res is not None and value is carried_weight:
            aligned.append(weight_res)
        elif indices is not None:
            aligned.append(take_rows(value, indices))
        else:
            raise ValueError(
                f"Cannot resample the per-row parameter {label} together with the rows: "
                f"{type(resampler).__name__} turned {n_in} rows into {n_out} without exposing "
                "sample_indices_, and its fit_resample does not accept sample_weight. Use a "
                "resampler that does either (every skbalance resampler accepts "
                "sample_weight), or drop the parameter."
            )
    return X_res, y_res, resampler, aligned
