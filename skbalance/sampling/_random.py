"""Random under- and over-sampling: row selection only, fully vectorised."""

from __future__ import annotations

from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseResampler, ResamplePlan, generator_from, rows_of_class_at, spread_draws

__all__ = ["RandomUnderSampler", "RandomOverSampler"]

_OVER_METHODS = ("stratified", "bootstrap")


class RandomUnderSampler(BaseResampler):
    """Under-sample the targeted classes by drawing rows at random.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to shrink and to how many rows (imbalanced-learn's meanings; 'auto'
        shrinks every class but the minority to the minority's size).
    random_state : None, int or RandomState, default=None
        Seed for the draws.
    replacement : bool, default=False
        Draw with replacement (a row may appear several times).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows kept, for the targeted classes.
    sample_indices_ : ndarray
        Input rows in the output, in input order (``X_res == X[sample_indices_]``).

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import RandomUnderSampler
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 8 + [1] * 2)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [2, 2]
    """

    _sampling_type = "under-sampling"
    _selects_rows = True
    _parameter_constraints: dict = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "replacement": ["boolean"],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, replacement=False):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.replacement = replacement

    def _fit_resample(self, X, codes, targets, random_state):
        rng = generator_from(random_state)
        counts = np.bincount(codes)
        kept = []
        for code, count in enumerate(counts):
            if code in targets and (targets[code] < count or self.replacement):
                picked = rng.choice(count, size=targets[code], replace=self.replacement)
                kept.append(rows_of_class_at(codes, code, np.sort(picked)))
            else:
                kept.append(np.flatnonzero(codes == code))
        return ResamplePlan(np.sort(np.concatenate(kept)))


def smoothed_bootstrap_bandwidth(n_samples: int, n_features: int) -> float:
    """imbalanced-learn's smoothed-bootstrap bandwidth ``(4 / ((d + 2) n)) ** (1 / (d + 4))``.

    Silverman's rule of thumb for a Gaussian kernel in ``d = n_features`` dimensions, with
    ``n = n_samples`` the number of rows of X, **all classes together**, as
    ``imblearn.over_sampling.RandomOverSampler`` computes it (not the size of the class
    being over-sampled).

    Examples
    --------
    >>> round(smoothed_bootstrap_bandwidth(200, 3), 4)
    0.4544
    """
    return (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))


_STD_VALUES = 2**22  # values of a sparse X densified at once for the column std


def _column_std(X) -> np.ndarray:
    """Per-column standard deviation at any scale (float64, no overflow or underflow).

    Squares of float32 values overflow above ~1e19 and vanish below ~1e-23, and float64's
    above ~1e154 / below ~1e-162: each column is divided by its largest magnitude first.
    A sparse X (zeros included, as imbalanced-learn's ``mean_variance_axis``) is densified a
    few columns at a time and gets the dense computation, so both give the same values.
    """
    if sparse.issparse(X):
        columns = X.tocsc()
        step = max(1, _STD_VALUES // max(1, X.shape[0]))
        parts = [
            _column_std(columns[:, lo : lo + step].toarray(order="C"))
            for lo in range(0, X.shape[1], step)
        ]
        return np.concatenate(parts) if parts else np.zeros(0)
    magnitude = np.abs(X).max(axis=0).astype(np.float64)
    magnitude[magnitude == 0] = 1.0
    return (X / magnitude).std(axis=0, dtype=np.float64) * magnitude


class RandomOverSampler(BaseResampler):
    """Over-sample the targeted classes by repeating their rows.

    The original rows come first, in order; the added copies are appended.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Which classes to grow and by how much (imbalanced-learn's meanings; 'auto' grows
        every class but the majority to the majority's size).
    random_state : None, int or RandomState, default=None
        Seed for the draws.
    method : {'stratified', 'bootstrap'}, default='stratified'
        How the copies are drawn. ``'stratified'`` repeats every row of a class the same
        number of times and draws the remainder without replacement, so each row ends up
        ``floor(r)`` or ``ceil(r)`` times (``r`` = target / original count): the class's
        empirical distribution is kept, up to one copy per row. ``'bootstrap'`` draws the
        copies with replacement (imbalanced-learn's behaviour): some rows may be copied many
        times, others never.
    shrinkage : float, dict or None, default=None
        Smoothed bootstrap: when given, each copy is perturbed with Gaussian noise whose
        per-feature standard deviation is ``shrinkage * h * std``, ``std`` being the
        feature's standard deviation within the class, and ``h`` imbalanced-learn's
        bandwidth ``(4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))`` with
        ``n_samples`` the number of rows of X (all classes), exactly as
        ``imblearn.over_sampling.RandomOverSampler`` computes it. A dict gives one factor
        per targeted class. Needs numeric X; integer and boolean columns are rounded (and
        clipped to their dtype's range) after the noise is added. With sparse X (as in
        imbalanced-learn) the noise fills the new rows' entries of every column that varies
        within the class: those rows are stored densely in those columns.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows added.
    sample_indices_ : ndarray
        Input row of every output row (with ``shrinkage``, the row each noisy copy comes from).
    shrinkage_ : dict or None
        Shrinkage factor per targeted class.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import RandomOverSampler
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 7 + [1] * 3)
    >>> sampler = RandomOverSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [7, 7]
    >>> sorted(np.bincount(sampler.sample_indices_)[7:].tolist())  # each minority row 2 or 3 times
    [2, 2, 3]
    """

    _sampling_type = "over-sampling"
    _selects_rows = True
    _parameter_constraints: dict = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "method": [StrOptions(set(_OVER_METHODS))],
        "shrinkage": [Interval(Real, 0, None, closed="left"), dict, None],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, method="stratified", shrinkage=None
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.method = method
        self.shrinkage = shrinkage

    def _uses_matrix(self) -> bool:
        return self.shrinkage is not None

    def _row_source(self) -> str:
        return "labels" if self.shrinkage is None else "generated"  # noisy copies are new rows

    def _check_params(self, counts, classes, targets):
        if self.shrinkage is None:
            self.shrinkage_ = None
            return
        if isinstance(self.shrinkage, dict):
            lookup = {label: code for code, label in enumerate(classes.tolist())}
            labels = classes.tolist()
            missing = [labels[c] for c in targets if labels[c] not in self.shrinkage]
            unknown = [key for key in self.shrinkage if key not in lookup]
            if missing or unknown:
                # imbalanced-learn's wording first: code written for it matches on it
                raise ValueError(
                    "`shrinkage` should contain a shrinkage factor for each class that will be "
                    f"resampled, and no other keys. The missing classes are: {missing}; "
                    f"unknown keys: {unknown}; the classes are {classes.tolist()}."
                )
            factors = {labels[c]: self.shrinkage[labels[c]] for c in targets}
        else:
            factors = {classes.tolist()[c]: self.shrinkage for c in targets}
        for label, factor in factors.items():
            if (
                not isinstance(factor, Real)
                or isinstance(factor, bool)
                or not 0 <= factor < np.inf  # inf would turn every copy into inf
            ):
                raise ValueError(
                    "The shrinkage factor needs to be >= 0 (a finite number). Got "
                    f"{factor!r} for class {label!r}."
                )
        self.shrinkage_ = factors

    def _fit_resample(self, X, codes, targets, random_state):
        rng = generator_from(random_state)
        counts = np.bincount(codes)
        extra = []
        for code, n_add in targets.items():
            if n_add == 0:
                continue
            if self.method == "stratified":
                positions = spread_draws(int(counts[code]), n_add, rng)
            else:
                positions = rng.integers(0, counts[code], size=n_add)
            extra.append(rows_of_class_at(codes, code, np.sort(positions)))
        extra = np.concatenate(extra) if extra else np.empty(0, dtype=np.intp)
        originals = np.arange(len(codes))
        if self.shrinkage is None:
            return ResamplePlan(np.concatenate([originals, extra]))
        new_rows = self._noisy_copies(X, codes, extra, targets, rng)
        zero = np.zeros(len(extra))
        return ResamplePlan(
            originals,
            new_rows,
            codes[extra],
            extra,
            extra,
            zero,
            sample_indices=np.concatenate([originals, extra]),
        )

    def _noisy_copies(self, X, codes, extra, targets, rng):
        """``X[extra]`` plus Gaussian noise, ``shrinkage * h * std`` per class and column.

        Noise is drawn only for the columns that vary within the class (elsewhere its scale
        is 0), row by row in the same order for dense and sparse X, and added in X's dtype:
        a sparse X gives the dense X's values.
        """
        n_samples, n_features = X.shape
        bandwidth = smoothed_bootstrap_bandwidth(n_samples, n_features)
        labels = self._classes_seen.tolist()
        is_sparse = sparse.issparse(X)
        new_rows = X[extra] if is_sparse else X[extra].copy()
        rows, columns, values = [], [], []
        for code in targets:
            in_class = np.flatnonzero(codes[extra] == code)
            if len(in_class) == 0:
                continue
            scale = self.shrinkage_[labels[code]] * bandwidth * _column_std(X[codes == code])
            varying = np.flatnonzero(scale)
            noise = rng.standard_normal((len(in_class), len(varying))) * scale[varying]
            noise = noise.astype(X.dtype, copy=False)
            if is_sparse:
                rows.append(np.repeat(in_class, len(varying)))
                columns.append(np.tile(varying, len(in_class)))
                values.append(noise.ravel())
            else:
                new_rows[np.ix_(in_class, varying)] += noise
        if is_sparse and rows:
            noise = sparse.csr_matrix(
                (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
                shape=new_rows.shape,
                dtype=X.dtype,
            )
            new_rows = (new_rows + noise).tocsr()
        return new_rows
