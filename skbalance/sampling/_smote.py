"""The SMOTE family: synthetic rows on segments between a row and a same-class neighbour.

Output: every input row first, in input order, then the synthetic rows (grouped by class).
A synthetic row ``a + gap * (b - a)`` gets the sample weight ``w_a + gap * (w_b - w_a)``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import StrOptions

from .._apportion import apportion
from ._base import BaseResampler, ResamplePlan, class_rows, generator_from, spread_draws
from ._nearest import NEIGHBORS_CONSTRAINT, nearest, neighbors_param
from ._threads import N_JOBS_CONSTRAINT

__all__ = ["SMOTE", "BorderlineSMOTE", "ADASYN"]

_CHUNK_ROWS = 16384


def _check_class_sizes(sampler, param: str, k: int, counts, classes, targets) -> None:
    """Every class that gets new rows needs ``k + 1`` rows (itself and k neighbours)."""
    for code, n_add in targets.items():
        if n_add > 0 and counts[code] < k + 1:
            raise ValueError(
                f"{type(sampler).__name__} needs {param} + 1 = {k + 1} rows in every class it "
                f"over-samples, but class {classes.tolist()[code]!r} has {counts[code]} (with "
                f"{param}={k}). Lower {param} to at most {max(counts[code] - 1, 0)}, or use "
                "RandomOverSampler for such a small class."
            )


def _interpolate(X, base, neighbour, gaps: np.ndarray):
    """Rows ``X[base] + gaps * (X[neighbour] - X[base])`` (dense or sparse, X's dtype)."""
    if sparse.issparse(X):  # the dense formula and precision, so both give the same values
        start = X[base]
        return start + sparse.diags(gaps.astype(X.dtype, copy=False)) @ (X[neighbour] - start)
    rows = X[neighbour]
    gaps = gaps.astype(X.dtype, copy=False)[:, None]
    for lo in range(0, len(rows), _CHUNK_ROWS):  # chunks: a small temporary, not a copy
        part = slice(lo, lo + _CHUNK_ROWS)
        start = X[base[part]]
        end = rows[part].copy() if np.issubdtype(rows.dtype, np.floating) else None
        with np.errstate(over="ignore", invalid="ignore"):
            rows[part] -= start
            rows[part] *= gaps[part]
            rows[part] += start
        if end is not None and not np.isfinite(rows[part]).all():
            # b - a overflows when the parents lie beyond +-max/2 on either side of 0; the
            # convex form (1 - g) a + g b cannot (each term is at most max(|a|, |b|))
            bad = ~np.isfinite(rows[part])
            g = np.broadcast_to(gaps[part], bad.shape)[bad]
            rows[part][bad] = (1 - g) * start[bad] + g * end[bad]
    return rows


def _stack(parts: list, X) -> ResamplePlan:
    """Original rows, then each class's synthetic part (tuples of new, code, a, b, gaps)."""
    originals = np.arange(X.shape[0])
    if not parts:
        return ResamplePlan(originals)
    new, codes, parent_a, parent_b, gaps = zip(*parts, strict=True)
    stack = sparse.vstack if sparse.issparse(X) else np.concatenate
    return ResamplePlan(
        originals,
        stack(new) if len(new) > 1 else new[0],
        np.concatenate(codes),
        np.concatenate(parent_a),
        np.concatenate(parent_b),
        np.concatenate(gaps),
    )


class _SMOTEBase(BaseResampler):
    _sampling_type = "over-sampling"
    _needs_distances = True
    _parameter_constraints: dict = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def _synthesise(
        self, X, rows, n_add, base_positions, neighbours, code, rng, halve=None, step=1.0
    ):
        """``n_add`` rows from ``base_positions`` (spread evenly) to random neighbours.

        ``rows`` maps positions to input rows; ``neighbours[i]`` are input-row indices of the
        neighbours of ``rows[base_positions[i]]``. Gaps are uniform on ``[0, step)``; a
        negative ``step`` extrapolates away from the neighbour (SVMSMOTE's safe rows).
        """
        pick = base_positions[spread_draws(len(base_positions), n_add, rng)]
        which = rng.integers(0, neighbours.shape[1], size=n_add)
        chosen = np.searchsorted(base_positions, pick)
        start, end = rows[pick], neighbours[chosen, which]
        gaps = rng.random(n_add)
        if step != 1.0:
            gaps *= step
        if halve is not None:
            gaps[halve[end]] *= 0.5
        new = _interpolate(X, start, end, gaps)
        return new, np.full(n_add, code, dtype=np.intp), start, end, gaps


class SMOTE(_SMOTEBase):
    """Synthetic Minority Over-sampling TEchnique (Chawla et al., 2002).

    Each new row lies at a uniform random point of the segment between a row of the class
    and one of its ``k_neighbors`` nearest same-class rows. Base rows are spread evenly
    (every row of the class is used ``floor`` or ``ceil`` of ``n_new / n_class`` times),
    the neighbour and the position on the segment are random.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        imbalanced-learn's meanings ('auto': grow every class but the majority to its size).
    random_state : None, int or RandomState, default=None
    k_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=5
        Neighbours considered per row; each over-sampled class needs ``k_neighbors + 1`` rows.
        An int uses skbalance's exact search; an estimator (such as
        ``NearestNeighbors(n_neighbors=6)``, whose count includes the row itself, as in
        imbalanced-learn) is fitted and queried instead.
    n_jobs : int, default=None
        Threads of the exact neighbour search; ``None`` uses every usable core (see
        "Neighbour parameters and threads" in docs/sampling.md).

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows added.
    nn_k_ : estimator
        The k-NN estimator used: ``ExactNearestNeighbors(k_neighbors + 1)`` for an int, a
        clone of the estimator given otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import SMOTE
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(30, 2)), np.array([0] * 24 + [1] * 6)
    >>> X_res, y_res = SMOTE(k_neighbors=3, random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist(), bool((X_res[:30] == X).all())
    ([24, 24], True)
    """

    _parameter_constraints: dict = {
        **_SMOTEBase._parameter_constraints,
        "k_neighbors": NEIGHBORS_CONSTRAINT,
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5, n_jobs=None):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.n_jobs = n_jobs

    def _check_params(self, counts, classes, targets):
        k = neighbors_param(self, "k_neighbors", "nn_k_")
        _check_class_sizes(self, "k_neighbors", k, counts, classes, targets)

    def _fit_resample(self, X, codes, targets, random_state):
        rng = generator_from(random_state)
        groups = class_rows(codes, len(np.bincount(codes)))
        parts = []
        for code, n_add in targets.items():
            if n_add == 0:
                continue
            rows = groups[code]
            local = nearest(self.nn_k_, X[rows], self.nn_k_.n_neighbors - 1)
            positions = np.arange(len(rows))
            parts.append(self._synthesise(X, rows, n_add, positions, rows[local], code, rng))
        return _stack(parts, X)


class BorderlineSMOTE(_SMOTEBase):
    """SMOTE seeded only from the rows "in danger" (Han et al., 2005).

    A row of an over-sampled class is in danger when at least half, but not all, of its
    ``m_neighbors`` nearest rows (any class) belong to other classes. New rows are
    interpolated from those rows only: towards same-class neighbours (``'borderline-1'``),
    or towards neighbours of any class (``'borderline-2'``; towards another class the point
    stays in the nearer half of the segment).

    A class to over-sample with no row in danger is a ``ValueError`` (imbalanced-learn
    silently adds no rows to it): like ADASYN, every class gets exactly the rows
    ``sampling_strategy_`` reports, or the fit fails and says why.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
    random_state : None, int or RandomState, default=None
    k_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=5
        Neighbours used for interpolation (an estimator's ``n_neighbors`` counts the row
        itself, as in imbalanced-learn).
    m_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=10
        Neighbours used to decide whether a row is in danger.
    kind : {'borderline-1', 'borderline-2'}, default='borderline-1'
    n_jobs : int, default=None
        Threads of the exact neighbour search; ``None`` uses every usable core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows added.
    nn_k_, nn_m_ : estimator
        The k-NN estimators used for ``k_neighbors`` and ``m_neighbors``
        (``ExactNearestNeighbors(n + 1)`` for an int ``n``).
    in_danger_indices : dict
        Label -> input rows of that class found in danger (the rows new ones grow from), for
        each over-sampled class.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import BorderlineSMOTE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 2)); y = (X[:, 0] > 0.8).astype(int)
    >>> X_res, y_res = BorderlineSMOTE(random_state=0).fit_resample(X, y)
    >>> bool((X_res[:60] == X).all()), len(y_res) >= 60
    (True, True)
    """

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        kind="borderline-1",
        n_jobs=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.kind = kind
        self.n_jobs = n_jobs

    _parameter_constraints: dict = {
        **_SMOTEBase._parameter_constraints,
        "k_neighbors": NEIGHBORS_CONSTRAINT,
        "m_neighbors": NEIGHBORS_CONSTRAINT,
        "kind": [StrOptions({"borderline-1", "borderline-2"})],
    }

    def _check_params(self, counts, classes, targets):
        k = neighbors_param(self, "k_neighbors", "nn_k_")
        m = neighbors_param(self, "m_neighbors", "nn_m_")
        n_rows = int(counts.sum())
        if m > n_rows - 1:
            raise ValueError(f"m_neighbors={m} needs at least {m + 1} rows; X has {n_rows}.")
        if self.kind == "borderline-1":
            _check_class_sizes(self, "k_neighbors", k, counts, classes, targets)
        elif k > n_rows - 1:
            raise ValueError(f"k_neighbors={k} needs at least {k + 1} rows; X has {n_rows}.")

    def _fit_resample(self, X, codes, targets, random_state):
        rng = generator_from(random_state)
        groups = class_rows(codes, len(np.bincount(codes)))
        k, m = self.nn_k_.n_neighbors - 1, self.nn_m_.n_neighbors - 1
        labels = self._classes_seen.tolist()
        parts = []
        self.in_danger_indices = {}
        for code, n_add in targets.items():
            rows = groups[code]
            if n_add == 0:
                continue
            near = nearest(self.nn_m_, X, m, query=X[rows], query_index=rows)
            n_other = np.count_nonzero(codes[near] != code, axis=1)
            danger = np.flatnonzero((2 * n_other >= m) & (n_other < m))
            if len(danger) == 0:
                raise ValueError(
                    f"BorderlineSMOTE: no row of class {labels[code]!r} is in danger (at least "
                    f"half, but not all, of its m_neighbors={m} nearest rows in other "
                    "classes), so no row can seed its new rows; use SMOTE for this data, or "
                    "change m_neighbors."
                )
            self.in_danger_indices[labels[code]] = rows[danger]
            query = X[rows[danger]]
            if self.kind == "borderline-1":
                local = nearest(self.nn_k_, X[rows], k, query=query, query_index=danger)
                neighbours, halve = rows[local], None
            else:
                neighbours = nearest(self.nn_k_, X, k, query=query, query_index=rows[danger])
                halve = codes != code
            parts.append(self._synthesise(X, rows, n_add, danger, neighbours, code, rng, halve))
        return _stack(parts, X)


class ADASYN(_SMOTEBase):
    """ADAptive SYNthetic sampling (He et al., 2008).

    Like SMOTE, but each row of the class seeds a number of new rows proportional to the
    share of other classes among its ``n_neighbors`` nearest rows: hard regions get more.
    Unlike imbalanced-learn (which rounds each row's share and may miss the target by a
    few rows), the shares are rounded by largest remainder so the class reaches exactly the
    requested count. A class to over-sample none of whose rows has a neighbour of another
    class is a ``ValueError`` (imbalanced-learn raises a ``RuntimeError``); BorderlineSMOTE
    follows the same rule for a class with no row in danger.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
    random_state : None, int or RandomState, default=None
    n_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=5
        Neighbours that weigh a row's hardness and that it is interpolated towards (an
        estimator's ``n_neighbors`` counts the row itself, as in imbalanced-learn).
    n_jobs : int, default=None
        Threads of the exact neighbour search; ``None`` uses every usable core.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows added.
    nn_ : estimator
        The k-NN estimator used (``ExactNearestNeighbors(n_neighbors + 1)`` for an int).

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import ADASYN
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 2)); y = (X[:, 0] > 0.8).astype(int)
    >>> X_res, y_res = ADASYN(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [44, 44]
    """

    _parameter_constraints: dict = {
        **_SMOTEBase._parameter_constraints,
        "n_neighbors": NEIGHBORS_CONSTRAINT,
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, n_neighbors=5, n_jobs=None):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_jobs = n_jobs

    def _check_params(self, counts, classes, targets):
        k = neighbors_param(self, "n_neighbors", "nn_")
        _check_class_sizes(self, "n_neighbors", k, counts, classes, targets)

    def _fit_resample(self, X, codes, targets, random_state):
        rng = generator_from(random_state)
        groups = class_rows(codes, len(np.bincount(codes)))
        k = self.nn_.n_neighbors - 1
        parts = []
        for code, n_add in targets.items():
            rows = groups[code]
            if n_add == 0:
                continue
            near = nearest(self.nn_, X, k, query=X[rows], query_index=rows)
            hardness = np.count_nonzero(codes[near] != code, axis=1).astype(np.float64)
            if hardness.sum() == 0:
                label = self._classes_seen.tolist()[code]
                raise ValueError(
                    f"ADASYN: no row of class {label!r} has a neighbour of another class, "
                    "so there is no hard region to weight; use SMOTE for this data."
                )
            per_row = apportion(n_add, hardness / hardness.sum())
            local = nearest(self.nn_, X[rows], k)
            start_pos = np.repeat(np.arange(len(rows)), per_row)
            which = rng.integers(0, k, size=n_add)
            start, end = rows[start_pos], rows[local[start_pos, which]]
            gaps = rng.random(n_add)
            new = _interpolate(X, start, end, gaps)
            parts.append((new, np.full(n_add, code, dtype=np.intp), start, end, gaps))
        return _stack(parts, X)
