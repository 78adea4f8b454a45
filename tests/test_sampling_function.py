"""FunctionSampler: imbalanced-learn's semantics, plus functions that return row indices."""

import numpy as np
import pandas as pd
import pytest
from imblearn import FunctionSampler as ImbFunctionSampler
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LinearRegression

from skbalance.pipeline import make_pipeline
from skbalance.sampling import FunctionSampler, RandomUnderSampler


def _data(n=40):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [n - n // 4, n // 4])
    return rng.normal(size=(n, 3)) + y[:, None], y


def every_other(X, y):
    return np.arange(0, len(y), 2)


def test_tuple_functions_behave_as_in_imbalanced_learn():
    X, y = _data()

    def func(X, y, sampling_strategy, random_state):
        return RandomUnderSampler(
            sampling_strategy=sampling_strategy, random_state=random_state
        ).fit_resample(X, y)

    kw_args = {"sampling_strategy": "auto", "random_state": 0}
    ours = FunctionSampler(func=func, kw_args=kw_args).fit_resample(X, y)
    theirs = ImbFunctionSampler(func=func, kw_args=kw_args).fit_resample(X, y)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)
    identity = FunctionSampler().fit_resample(X, y)
    np.testing.assert_array_equal(identity[0], X)
    assert not hasattr(FunctionSampler().fit(X, y), "sample_indices_")


def test_indices_carry_weights_and_set_sample_indices():
    X, y = _data()
    weight = np.linspace(1.0, 2.0, len(y))
    sampler = FunctionSampler(func=every_other)
    X_res, y_res, w_res = sampler.fit_resample(X, y, sample_weight=weight)
    rows = np.arange(0, len(y), 2)
    np.testing.assert_array_equal(sampler.sample_indices_, rows)
    np.testing.assert_array_equal(X_res, X[rows])
    np.testing.assert_array_equal(y_res, y[rows])
    np.testing.assert_array_equal(w_res, weight[rows])
    np.testing.assert_array_equal(sampler.fit_resample_indices(X, y), rows)


def test_a_mask_and_repeated_indices_are_rows_too():
    X, y = _data()
    mask_sampler = FunctionSampler(func=lambda X, y: y == 1)
    X_res, y_res = mask_sampler.fit_resample(X, y)
    np.testing.assert_array_equal(mask_sampler.sample_indices_, np.flatnonzero(y == 1))
    repeated = FunctionSampler(func=lambda X, y: np.array([3, 3, 0]))
    np.testing.assert_array_equal(repeated.fit_resample(X, y)[0], X[[3, 3, 0]])


def test_containers_kept_for_indices_and_for_arrays():
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(len(y)) + 10)
    frame["c"] = frame["c"].astype(np.float32)
    labels = pd.Series(np.array(["no", "yes"])[y], index=frame.index, name="label")
    X_res, y_res = FunctionSampler(func=every_other).fit_resample(frame, labels)
    np.testing.assert_array_equal(X_res.index, frame.index[::2])  # rows keep their index
    assert y_res.name == "label" and (y_res.index == X_res.index).all()
    assert X_res.dtypes["c"] == np.float32

    def first_ten(X, y):
        assert isinstance(X, np.ndarray)  # validated, as imbalanced-learn passes it
        return X[:10], y[:10]

    X_res, y_res = FunctionSampler(func=first_ten).fit_resample(frame, labels)
    assert list(X_res.columns) == ["a", "b", "c"] and X_res.dtypes["c"] == np.float32
    assert y_res.tolist() == labels.tolist()[:10] and (y_res.index == X_res.index).all()

    images = np.repeat(X[:, :, None], 4, axis=2).astype(np.float32)
    X_res, _ = FunctionSampler(func=every_other).fit_resample(images, y)
    assert X_res.shape == (len(y) // 2, 3, 4) and X_res.dtype == np.float32
    X_csc, _ = FunctionSampler(func=every_other).fit_resample(sparse.csc_matrix(X), y)
    assert X_csc.format == "csc"
    np.testing.assert_array_equal(X_csc.toarray(), X[::2])


def test_func_with_a_sample_weight_parameter_gets_the_weights():
    X, y = _data()

    def halve(X, y, sample_weight):
        return X, y, sample_weight / 2

    weight = np.ones(len(y))
    _, _, w_res = FunctionSampler(func=halve).fit_resample(X, y, sample_weight=weight)
    np.testing.assert_array_equal(w_res, weight / 2)
    np.testing.assert_array_equal(weight, np.ones(len(y)))  # the caller's array untouched


def test_weights_that_cannot_follow_are_an_error_and_the_sampler_is_unchanged():
    """Class: a per-row parameter silently misaligned with rows a function returned."""
    X, y = _data()
    sampler = FunctionSampler(func=every_other)
    sampler.fit_resample(X, y)
    before = dict(vars(sampler))
    sampler.set_params(func=lambda X, y: (X[:5], y[:5]))
    with pytest.raises(ValueError, match="sample_weight cannot follow the rows func returned"):
        sampler.fit_resample(X, y, sample_weight=np.ones(len(y)))
    assert vars(sampler).keys() == before.keys()
    np.testing.assert_array_equal(sampler.sample_indices_, before["sample_indices_"])


@pytest.mark.parametrize(
    ("func", "error", "message"),
    [
        (lambda X, y: np.array([0, 99]), ValueError, r"row indices outside \[0, 40\)"),
        (lambda X, y: np.array([-1]), ValueError, "row indices outside"),
        (lambda X, y: np.ones(3, dtype=bool), ValueError, "mask of 3 entries"),
        (lambda X, y: "rows", TypeError, "func must return"),
        (lambda X, y: np.array([0.5]), TypeError, "func must return"),
    ],
)
def test_bad_returns_are_explained(func, error, message):
    X, y = _data()
    with pytest.raises(error, match=message):
        FunctionSampler(func=func).fit_resample(X, y)


def test_validation_rules():
    X, y = _data()
    with pytest.raises(TypeError, match="dense data is required"):
        FunctionSampler(accept_sparse=False).fit_resample(sparse.csr_matrix(X), y)
    with pytest.raises(ValueError, match="'kw_args' parameter of FunctionSampler"):
        FunctionSampler(kw_args=[1]).fit_resample(X, y)
    with pytest.raises(ValueError, match="y needs to have more than 1 class; it has only one"):
        FunctionSampler().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="continuous"):
        FunctionSampler().fit_resample(X, np.linspace(0, 1, len(y)))
    # validate=False: anything goes, untouched (a regression target, NaN in X)
    target = np.linspace(0, 1, len(y))
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    sampler = FunctionSampler(func=every_other, validate=False)
    X_res, t_res = sampler.fit_resample(X_nan, target)
    np.testing.assert_array_equal(t_res, target[::2])
    assert np.isnan(X_res[0, 0]) and not hasattr(sampler, "n_features_in_")
    pipe = make_pipeline(FunctionSampler(validate=False), LinearRegression())
    assert pipe.fit(X, target).predict(X).shape == (len(y),)


class _WeightRecorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None):
        self.seen_ = (np.asarray(X), np.asarray(y), sample_weight)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_in_our_pipeline_the_weights_follow_the_rows():
    X, y = _data()
    weight = np.arange(len(y), dtype=float)
    pipe = make_pipeline(FunctionSampler(func=every_other), _WeightRecorder())
    pipe.fit(X, y, _weightrecorder__sample_weight=weight)
    X_seen, y_seen, w_seen = pipe[-1].seen_
    np.testing.assert_array_equal(X_seen, X[::2])
    np.testing.assert_array_equal(w_seen, weight[::2])
    clone(pipe)  # a FunctionSampler clones like any estimator


def test_as_the_keras_classifiers_sampler_with_resample_once():
    pytest.importorskip("keras")
    from skbalance.keras import KerasBalancedClassifier
    from skbalance.keras._training import resample_once

    X, y = _data()
    X = X.astype(np.float32)  # the classifier's training dtype
    weight = np.arange(len(y), dtype=float) + 1
    X_res, y_res, w_res = resample_once(FunctionSampler(func=every_other), X, y, weight, seed=0)
    np.testing.assert_array_equal(X_res, X[::2])
    np.testing.assert_array_equal(w_res, weight[::2].astype(np.float32))
    clf = KerasBalancedClassifier(
        hidden_units=(4,),
        epochs=1,
        random_state=0,
        sampler=FunctionSampler(func=every_other),
        resample="once",
    )
    assert clf.fit(X, y, sample_weight=weight).predict(X).shape == (len(y),)
