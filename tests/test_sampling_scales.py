"""Neighbour-based samplers at extreme scales: scale-equivariant, and equal to imbalanced-learn.

Class of bug guarded against throughout: a neighbour search whose answer depends on the
units of the data (float32 over/underflow at 1e20 / 1e-25, cancellation with wide-range
columns), which silently changes which rows the samplers remove or interpolate between.
"""

import numpy as np
import pytest
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from imblearn.under_sampling import TomekLinks as ImbTomekLinks
from sklearn.datasets import make_classification
from test_sampling_neighbors import reference_kneighbors  # tests/ is on sys.path

from skbalance.sampling import (
    ADASYN,
    SMOTE,
    SMOTEENN,
    BorderlineSMOTE,
    EditedNearestNeighbours,
    SMOTETomek,
    TomekLinks,
)

# exactly representable stand-ins for 1e-25 and 1e20: multiplying by them is exact
POWER_OF_TWO_EXPONENTS = [-83, 66]
SCALES = [1e-25, 1e20]
# a minority of ~360 rows: more than k blocks of 32, so the search must choose blocks
OVER_SAMPLING_ROWS = 1200
OVER_SAMPLERS = [SMOTE, BorderlineSMOTE, ADASYN, SMOTETomek, SMOTEENN]


def _two_classes(n_rows=300):
    # the issue's case (300 rows): at 1e-25 TomekLinks kept 297 of them, imbalanced-learn 272
    return make_classification(
        n_rows, 4, n_informative=2, n_redundant=0, weights=[0.7], flip_y=0.1,
        class_sep=0.5, random_state=3,
    )  # fmt: skip


def _mixed_columns():
    rng = np.random.default_rng(7)
    n = 400
    y = (rng.random(n) < 0.25).astype(int)
    X = np.column_stack(
        [
            rng.lognormal(10.5, 0.5, n) + 2e4 * y,  # income, unscaled
            rng.normal(45, 12, n),  # age
            rng.integers(0, 2, n),  # a 0/1 flag
            rng.normal(size=n) * 1e-8 + 1e-8 * y,  # a tiny-valued feature
        ]
    )
    return X, y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", [1.0, *SCALES])
@pytest.mark.parametrize("data", [_two_classes, _mixed_columns])
def test_cleaning_samplers_keep_the_rows_imbalanced_learn_keeps(scale, data, dtype):
    """Class: cleaning decided by a wrong neighbour (297 rows kept where 272 are right)."""
    X, y = data()
    X = (X * scale).astype(dtype)
    theirs = ImbTomekLinks()
    theirs.fit_resample(X, y)
    ours = TomekLinks().fit_resample_indices(X, y)
    np.testing.assert_array_equal(ours, np.sort(theirs.sample_indices_))
    theirs = ImbENN()
    theirs.fit_resample(X, y)
    ours = EditedNearestNeighbours().fit_resample_indices(X, y)
    np.testing.assert_array_equal(ours, np.sort(theirs.sample_indices_))


def test_issue_case_keeps_272_rows_at_every_scale():
    X, y = _two_classes()
    kept = {s: len(TomekLinks().fit_resample_indices(X * s, y)) for s in [1.0, *SCALES]}
    assert kept == {1.0: 272, 1e-25: 272, 1e20: 272}


@pytest.mark.parametrize("exponent", POWER_OF_TWO_EXPONENTS)
@pytest.mark.parametrize("sampler", [*OVER_SAMPLERS, TomekLinks, EditedNearestNeighbours])
def test_results_at_scale_are_exactly_the_unit_results_times_the_scale(sampler, exponent):
    """Scale equivariance, bit for bit: X * 2**e gives X_res * 2**e and the same labels."""
    X, y = _two_classes(OVER_SAMPLING_ROWS)
    params = {"random_state": 0} if sampler in OVER_SAMPLERS else {}
    X_unit, y_unit = sampler(**params).fit_resample(X, y)
    X_scaled, y_scaled = sampler(**params).fit_resample(np.ldexp(X, exponent), y)
    np.testing.assert_array_equal(X_scaled, np.ldexp(X_unit, exponent))
    np.testing.assert_array_equal(y_scaled, y_unit)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("sampler", OVER_SAMPLERS)
def test_decimal_scales_give_the_unit_results_times_the_scale(sampler, scale):
    """The same at 1e-25 and 1e20 (not powers of two: equal up to float64 rounding)."""
    X, y = _two_classes(OVER_SAMPLING_ROWS)
    X_unit, y_unit = sampler(random_state=0).fit_resample(X, y)
    X_scaled, y_scaled = sampler(random_state=0).fit_resample(X * scale, y)
    np.testing.assert_array_equal(y_scaled, y_unit)
    np.testing.assert_allclose(X_scaled, X_unit * scale, rtol=1e-12, atol=0)


def _on_segments(points, starts, ends):
    """For each point, whether it lies on a segment from ``starts[i]`` to some ``ends[i, j]``."""
    d = starts.shape[1]
    step = (ends - starts[:, None, :]).reshape(-1, d)
    start = np.broadcast_to(starts[:, None, :], ends.shape).reshape(-1, d)
    rel = points[:, None, :] - start[None]  # (points, segments, d)
    gap = (rel * step).sum(-1) / (step * step).sum(-1)
    residual = np.linalg.norm(rel - gap[..., None] * step, axis=-1)
    on = residual <= 1e-9 * np.linalg.norm(step, axis=-1)
    return (on & (gap >= -1e-12) & (gap <= 1 + 1e-12)).any(axis=1)


@pytest.mark.parametrize("scale", [1.0, *SCALES])
@pytest.mark.parametrize("sampler", [SMOTE, ADASYN])
def test_synthetic_rows_lie_towards_true_nearest_same_class_neighbours(sampler, scale):
    """Class: interpolation toward a row that is not among the k nearest of its class."""
    X, y = _two_classes(OVER_SAMPLING_ROWS)
    X = X * scale
    X_res, y_res = sampler(random_state=0).fit_resample(X, y)
    minority = X[y == 1]
    synthetic = X_res[len(X) :]
    assert len(synthetic) > 0 and (y_res[len(X) :] == 1).all()
    nearest = reference_kneighbors(minority, 5)  # exact float64 full sort
    assert _on_segments(synthetic, minority, minority[nearest]).all()
    # and never on a segment that only a search off by one rank would use: row to its 6th
    # neighbour, unless the row is among that neighbour's own 5 nearest (the same segment)
    sixth = reference_kneighbors(minority, 6)[:, 5]
    only_wrong = ~(nearest[sixth] == np.arange(len(minority))[:, None]).any(axis=1)
    starts, ends = minority[only_wrong], minority[sixth[only_wrong]][:, None, :]
    assert not _on_segments(synthetic, starts, ends).any()


@pytest.mark.parametrize("scale", [1.0, *SCALES])
def test_borderline_smote_seeds_only_rows_in_danger_by_exact_neighbours(scale):
    """Class: rows judged "in danger", or interpolated towards, from wrong neighbours."""
    X, y = _two_classes(OVER_SAMPLING_ROWS)
    X = X * scale
    X_res, _ = BorderlineSMOTE(random_state=0).fit_resample(X, y)
    rows = np.flatnonzero(y == 1)
    near = reference_kneighbors(X, 10, X[rows], rows)
    n_other = (y[near] != 1).sum(axis=1)
    danger = (2 * n_other >= 10) & (n_other < 10)
    minority = X[rows]
    nearest = reference_kneighbors(minority, 5)[danger]
    synthetic = X_res[len(X) :]
    assert len(synthetic) > 0 and 0 < danger.sum() < len(rows)
    assert _on_segments(synthetic, minority[danger], minority[nearest]).all()
    # no segment starts from a safe row (unless it is a danger row's segment reversed)
    safe = np.flatnonzero(~danger)
    all_nearest = reference_kneighbors(minority, 5)
    danger_rows = np.flatnonzero(danger)
    for row in safe:
        ends = [b for b in all_nearest[row] if not (danger[b] and row in all_nearest[b])]
        if ends:
            segments = minority[np.array(ends)][None]
            assert not _on_segments(synthetic, minority[row : row + 1], segments).any()
    assert len(danger_rows) > 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_interpolation_between_parents_near_the_dtype_limits_stays_finite(dtype):
    """Class: ``a + g (b - a)`` overflows to inf when the parents lie beyond +-max/2 on
    either side of 0, though every point between them is representable. Synthetic rows must
    be finite and lie on the segment between their parents."""
    big = np.finfo(dtype).max * 0.9
    X = np.array([[-big, 1.0], [big, -1.0], [0, 0], [1, 0], [2, 0], [3, 0], [4, 0]], dtype=dtype)
    y = np.array([1, 1, 0, 0, 0, 0, 0])
    X_res, y_res = SMOTE(k_neighbors=1, random_state=0).fit_resample(X, y)
    new = X_res[len(X):]
    assert len(new) == 3 and X_res.dtype == dtype
    assert np.isfinite(new).all()
    # on the segment: the second column is -x/big within rounding, and |x| <= big
    assert (np.abs(new[:, 0]) <= big).all()
    np.testing.assert_allclose(new[:, 1], -new[:, 0] / big, atol=1e-5)
