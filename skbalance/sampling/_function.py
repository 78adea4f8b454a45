"""FunctionSampler: any function as a sampler (imbalanced-learn's API, plus row indices)."""

from __future__ import annotations

import inspect

import numpy as np
from scipy import sparse
from sklearn.utils.multiclass import check_classification_targets

from .._rows import check_sample_weight, n_rows, take_rows
from . import _containers
from ._base import BaseResampler, ResamplePlan, _atomic_fit

__all__ = ["FunctionSampler"]


def _identity(X, y):
    return X, y


class FunctionSampler(BaseResampler):
    """Construct a sampler from a function ``func(X, y, **kw_args)``.

    ``func`` may return either

    - ``(X_res, y_res)`` or ``(X_res, y_res, sample_weight_res)``, as in imbalanced-learn; or
    - the rows to keep: a 1-D integer array of row indices (repeats allowed) or a boolean
      mask with one entry per row. skbalance then builds ``X[indices]`` in the caller's
      container (pandas index, N-D arrays, sparse kept), sets ``sample_indices_``, and
      ``sample_weight`` follows the rows.

    With ``fit_resample(X, y, sample_weight=w)``: a ``func`` that has a ``sample_weight``
    parameter gets ``w`` and must return indices or the three outputs; any other ``func``
    must return indices (a ValueError says so otherwise, since its rows cannot be matched to
    the weights). This is how a FunctionSampler works in skbalance's ``Pipeline`` and as the
    ``sampler`` of ``KerasBalancedClassifier`` with sample weights.

    Parameters
    ----------
    func : callable, default=None
        ``func(X, y, **kw_args)``; ``None`` is the identity. With ``validate=True`` it gets X
        as an ndarray (a DataFrame's values) or sparse matrix, and y as a 1-D label array.
    accept_sparse : bool, default=True
        Whether sparse X is accepted (only checked with ``validate=True``).
    kw_args : dict, default=None
        Keyword arguments for ``func``.
    validate : bool, default=True
        Validate X and y (classification labels, one per row) and give the outputs the
        caller's container types. ``False`` passes X and y to ``func`` untouched (any data,
        e.g. a regression target) and returns what ``func`` returns.

    Attributes
    ----------
    sampling_strategy_ : str
        ``'auto'`` (imbalanced-learn's value; a FunctionSampler balances nothing itself).
    sample_indices_ : ndarray
        Only when ``func`` returned row indices: the input rows of the output.
    n_features_in_ : int
        Only with ``validate=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import FunctionSampler
    >>> X = np.arange(12.0).reshape(6, 2); y = np.array([0, 0, 0, 0, 1, 1])
    >>> def drop_first_two(X, y):
    ...     return np.arange(2, len(y))
    >>> X_res, y_res, w_res = FunctionSampler(func=drop_first_two).fit_resample(
    ...     X, y, sample_weight=np.arange(6.0))
    >>> y_res.tolist(), w_res.tolist()
    ([0, 0, 1, 1], [2.0, 3.0, 4.0, 5.0])
    >>> X_res, y_res = FunctionSampler(func=lambda X, y: (X[:3], y[:3])).fit_resample(X, y)
    >>> X_res.shape
    (3, 2)
    """

    _sampling_type = "bypass"

    _parameter_constraints: dict = {
        "func": [callable, None],
        "accept_sparse": ["boolean"],
        "kw_args": [dict, None],
        "validate": ["boolean"],
    }

    def __init__(self, *, func=None, accept_sparse=True, kw_args=None, validate=True):
        self.func = func
        self.accept_sparse = accept_sparse
        self.kw_args = kw_args
        self.validate = validate

    def _row_source(self):
        return None  # what func returns is known only once it has run

    def fit(self, X, y, **params):
        """Validate ``X`` and ``y`` (with ``validate=True``); returns ``self``.

        ``func`` is not called: use :meth:`fit_resample`.
        """
        self._reject_params(params, "fit")
        with _atomic_fit(self):
            self._validate_params()
            if self.validate:
                self._checked(X, y, None)
            self.sampling_strategy_ = "auto"
        return self

    def fit_resample(self, X, y, *, sample_weight=None, **params):
        """Call ``func`` and return its resampled ``X``, ``y`` (and ``sample_weight``).

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights; see the class docstring for how they follow the rows.

        Returns
        -------
        X_res, y_res : resampled data (the caller's container types with ``validate=True``).
        sample_weight_res : ndarray, when ``sample_weight`` was given or ``func`` returned it.
        """
        self._reject_params(params, "fit_resample")
        with _atomic_fit(self):
            self._validate_params()
            if self.validate:
                data = self._checked(X, y, sample_weight)
                X_func = data.raw.to_numpy() if data.x_kind == "dataframe" else data.raw
                y_func, weight = data.labels, data.sample_weight
            else:
                data, X_func, y_func = None, X, y
                weight = None
                if sample_weight is not None:
                    weight = check_sample_weight(sample_weight, n_rows(X))
            self.sampling_strategy_ = "auto"
            if hasattr(self, "sample_indices_"):
                del self.sample_indices_
            kw_args = dict(self.kw_args or {})
            passes_weight = weight is not None and _takes_sample_weight(self.func)
            if passes_weight:
                kw_args["sample_weight"] = weight
            output = (self.func or _identity)(X_func, y_func, **kw_args)
            n_in = len(y_func) if data is None else data.shape[0]
            rows = _as_row_indices(output, n_in)
            if rows is not None:
                return self._take(data, X, y, weight, rows)
            return self._outputs(data, output, weight, passes_weight)

    def fit_resample_indices(self, X, y) -> np.ndarray:
        """Rows kept, when ``func`` returns row indices (else a TypeError)."""
        self.fit_resample(X, y)
        if not hasattr(self, "sample_indices_"):
            raise TypeError(
                "func returned resampled arrays, not row indices, so there are no indices to "
                "return; use fit_resample, or make func return the indices of the rows to keep."
            )
        return self.sample_indices_

    # -- internals ----------------------------------------------------------------------------
    def _checked(self, X, y, sample_weight) -> _containers.Data:
        data = self._validate(X, y, sample_weight)
        if data.x_kind == "sparse" and not self.accept_sparse:
            raise TypeError(
                "Sparse data was passed for X, but dense data is required "
                "(accept_sparse=False). Use X.toarray() to convert to a dense array."
            )
        check_classification_targets(data.labels)
        if len(data.classes) < 2:  # imbalanced-learn's FunctionSampler refuses it too
            raise ValueError(
                "FunctionSampler validates y as a classification target, so y needs to have "
                f"more than 1 class; it has only one: {data.classes.tolist()}. Pass "
                "validate=False to resample any y."
            )
        return data

    def _take(self, data, X, y, weight, rows: np.ndarray):
        self.sample_indices_ = rows
        if data is None:  # validate=False: index the caller's objects as they are
            out = (take_rows(X, rows), take_rows(y, rows))
        else:
            plan = ResamplePlan(rows)
            X_res = _containers.assemble_X(data, plan)
            out = (X_res, _containers.assemble_y(data, plan, X_res))
        if weight is None:
            return out
        return (*out, weight[rows])

    def _outputs(self, data, output, weight, passes_weight: bool):
        if weight is not None and (not passes_weight or len(output) < 3):
            raise ValueError(
                "sample_weight cannot follow the rows func returned: make func return the "
                "indices of the rows to keep (the weights then follow them), or give func a "
                "sample_weight parameter and return (X_res, y_res, sample_weight_res)."
            )
        if data is None:
            return tuple(output)
        X_res, y_res = _like_input(data, output[0], output[1])
        return (X_res, y_res) if len(output) == 2 else (X_res, y_res, output[2])


def _like_input(data: _containers.Data, X_res, y_res):
    """``func``'s arrays in the caller's container types (a new index, as imbalanced-learn)."""
    if data.x_kind == "dataframe" and not _containers._is_dataframe(X_res):
        import pandas as pd

        columns = data.raw.columns
        if sparse.issparse(X_res):
            X_res = pd.DataFrame.sparse.from_spmatrix(X_res, columns=columns)
        else:
            X_res = pd.DataFrame(X_res, columns=columns)
            try:
                X_res = X_res.astype(data.raw.dtypes.to_dict())
            except (TypeError, ValueError):
                pass  # func changed the values' types: keep what it returned
    elif data.x_kind == "sparse" and sparse.issparse(X_res):
        X_res = X_res.asformat(data.sparse_format)
    elif data.x_kind == "list" and isinstance(X_res, np.ndarray):
        X_res = X_res.tolist()
    if hasattr(y_res, "iloc") or sparse.issparse(y_res):
        return X_res, y_res
    labels = np.asarray(y_res)
    index = X_res.index if data.x_kind == "dataframe" else None
    kind, y = data.y_kind, data.y
    if kind == "onehot":
        matrix = labels[:, None] == np.arange(np.shape(y)[1])
        if _containers._is_dataframe(y):
            import pandas as pd

            return X_res, pd.DataFrame(matrix.astype(int), columns=y.columns, index=index)
        if sparse.issparse(y):
            return X_res, sparse.csr_matrix(matrix.astype(y.dtype)).asformat(y.format)
        matrix = matrix.astype(np.asarray(y).dtype)
        return X_res, matrix.tolist() if kind == "list" else matrix
    if kind in ("series", "dataframe"):
        import pandas as pd

        if kind == "series":
            return X_res, pd.Series(labels, index=index, name=y.name)
        return X_res, pd.DataFrame({y.columns[0]: labels}, index=index)
    if kind == "list":
        return X_res, labels.tolist()
    return X_res, labels.reshape(-1, 1) if np.ndim(y) == 2 else labels


def _takes_sample_weight(func) -> bool:
    try:
        return "sample_weight" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _as_row_indices(output, n_rows: int) -> np.ndarray | None:
    """``output`` as row indices if ``func`` returned indices or a mask; None for arrays."""
    if isinstance(output, tuple | list) and len(output) in (2, 3):
        return None
    if isinstance(output, np.ndarray) and output.ndim == 1 and not sparse.issparse(output):
        if output.dtype == bool:
            if len(output) != n_rows:
                raise ValueError(
                    f"func returned a boolean mask of {len(output)} entries; a mask needs one "
                    f"entry per row ({n_rows})."
                )
            return np.flatnonzero(output)
        if output.dtype.kind in "iu":
            if output.size and (output.min() < 0 or output.max() >= n_rows):
                raise ValueError(
                    f"func returned row indices outside [0, {n_rows}); indices must name rows of X."
                )
            return output.astype(np.intp, copy=False)
    raise TypeError(
        "func must return (X_res, y_res), (X_res, y_res, sample_weight_res), a 1-D integer "
        f"array of row indices or a boolean row mask; got {type(output).__name__}."
    )
