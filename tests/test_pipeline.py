"""skbalance.pipeline: resamplers act in fit only, and per-row fit parameters follow the rows."""

import inspect
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from imblearn.under_sampling import TomekLinks as ImbTomekLinks
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline as SklearnPipeline
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbalance.pipeline import Pipeline, ResampledClassifier, make_pipeline
from skbalance.sampling import (
    SMOTE,
    EditedNearestNeighbours,
    RandomOverSampler,
    RandomUnderSampler,
    SMOTETomek,
    TomekLinks,
)

# ---------------------------------------------------------------------------------------------
# Test-local helpers


class Recorder(LogisticRegression):
    """A classifier that remembers exactly what reached its fit and predict."""

    def fit(self, X, y, sample_weight=None, row_tag=None):
        self.fit_X_, self.fit_y_ = np.asarray(X).copy(), np.asarray(y).copy()
        self.fit_weight_ = None if sample_weight is None else np.asarray(sample_weight).copy()
        self.fit_row_tag_ = row_tag
        return super().fit(X, y, sample_weight=sample_weight)

    def predict(self, X):
        self.predict_X_ = np.asarray(X).copy()
        return super().predict(X)


class EveryOtherRow(BaseEstimator):
    """Selects rows 0, 2, 4, ... and says so in ``sample_indices_``; knows no sample_weight."""

    def fit_resample(self, X, y):
        self.sample_indices_ = np.arange(0, len(y), 2)
        return X[self.sample_indices_], np.asarray(y)[self.sample_indices_]


class MidpointOversampler(BaseEstimator):
    """Appends the midpoint of each pair of consecutive minority rows (synthetic, no indices);
    carries ``sample_weight`` as the mean of the two parents'."""

    def fit_resample(self, X, y, sample_weight=None):
        X, y = np.asarray(X, dtype=float), np.asarray(y)
        labels, counts = np.unique(y, return_counts=True)
        rows = np.flatnonzero(y == labels[np.argmin(counts)])
        a, b = rows[:-1], rows[1:]
        X_res = np.vstack([X, (X[a] + X[b]) / 2])
        y_res = np.concatenate([y, y[a]])
        if sample_weight is None:
            return X_res, y_res
        w = np.asarray(sample_weight, dtype=float)
        return X_res, y_res, np.concatenate([w, (w[a] + w[b]) / 2])


def expected_weight(sampler, X, y, w):
    """The weight the final step must see, computed from a separate, identical sampler:
    the weight it returns when it takes one (the only option for synthetic rows), else the
    weight of the rows it selected."""
    fresh = clone(sampler)
    if "sample_weight" in inspect.signature(fresh.fit_resample).parameters:
        X_res, _, w_res = fresh.fit_resample(X, y, sample_weight=w)
        if hasattr(fresh, "sample_indices_"):  # a row selector must agree with itself
            np.testing.assert_array_equal(w_res, w[fresh.sample_indices_])
            np.testing.assert_array_equal(X_res, X[fresh.sample_indices_])
        return w_res
    fresh.fit_resample(X, y)
    return w[fresh.sample_indices_]


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=150, n_features=4, weights=[0.8], class_sep=0.8, random_state=0
    )
    return X, y


@pytest.fixture(params=[False, True], ids=["routing-off", "routing-on"])
def routing(request):
    with sklearn.config_context(enable_metadata_routing=request.param):
        yield request.param


def weight_params(routing, step_name, w, **extra):
    """The fit parameters that hand ``w`` to step ``step_name``, with routing on or off."""
    if routing:
        return {"sample_weight": w, **extra}
    return {f"{step_name}__sample_weight": w, **{f"{step_name}__{k}": v for k, v in extra.items()}}


def recorder(routing, **request):
    rec = Recorder()
    if routing:
        rec.set_fit_request(sample_weight=True, **request).set_score_request(sample_weight=True)
    return rec


def scaler(routing):
    # StandardScaler accepts sample_weight: with routing on it must say whether it wants it.
    return StandardScaler().set_fit_request(sample_weight=False) if routing else StandardScaler()


SAMPLERS = [
    pytest.param(ImbRandomUnderSampler(random_state=0), id="imblearn-RUS"),
    pytest.param(ImbRandomOverSampler(random_state=0), id="imblearn-ROS"),
    pytest.param(ImbTomekLinks(), id="imblearn-Tomek"),
    pytest.param(RandomUnderSampler(random_state=0), id="ours-RUS"),
    pytest.param(RandomOverSampler(random_state=0), id="ours-ROS"),
    pytest.param(SMOTE(random_state=0), id="ours-SMOTE"),
    pytest.param(TomekLinks(), id="ours-Tomek"),
    pytest.param(EditedNearestNeighbours(), id="ours-ENN"),
    pytest.param(SMOTETomek(random_state=0), id="ours-SMOTETomek"),
    pytest.param(EveryOtherRow(), id="local-indices"),
    pytest.param(MidpointOversampler(), id="local-synthetic-weight"),
]


# ---------------------------------------------------------------------------------------------
# Pipeline


def test_is_a_scikit_learn_pipeline_and_names_steps():
    pipe = make_pipeline(StandardScaler(), ImbRandomUnderSampler(), StandardScaler(), Recorder())
    assert isinstance(pipe, SklearnPipeline) and isinstance(pipe, Pipeline)
    assert [name for name, _ in pipe.steps] == [
        "standardscaler-1",
        "randomundersampler",
        "standardscaler-2",
        "recorder",
    ]
    assert is_classifier(pipe)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_final_step_gets_exactly_the_resampled_rows_and_weight(data, routing, sampler):
    X, y = data
    w = np.linspace(0.5, 2.0, len(y))
    w_before = w.copy()
    pipe = make_pipeline(scaler(routing), sampler, recorder(routing))
    pipe.fit(X, y, **weight_params(routing, "recorder", w))

    rec = pipe[-1]
    np.testing.assert_array_equal(
        rec.fit_weight_, expected_weight(sampler, pipe[0].transform(X), y, w)
    )
    X_res, y_res = clone(sampler).fit_resample(pipe[0].transform(X), y)
    np.testing.assert_array_equal(rec.fit_X_, X_res)
    np.testing.assert_array_equal(rec.fit_y_, y_res)
    assert len(rec.fit_weight_) == len(rec.fit_y_)
    np.testing.assert_array_equal(w, w_before)  # the caller's weight is untouched


def test_every_per_row_parameter_follows_the_rows_and_others_do_not(data, routing):
    X, y = data
    w = np.arange(len(y), dtype=float)
    tag = np.arange(len(y)) * 10
    pipe = make_pipeline(ImbRandomUnderSampler(random_state=1), recorder(routing, row_tag=True))
    pipe.fit(X, y, **weight_params(routing, "recorder", w, row_tag=tag))
    kept = pipe[0].sample_indices_
    assert len(kept) < len(y)
    np.testing.assert_array_equal(pipe[-1].fit_weight_, w[kept])
    np.testing.assert_array_equal(pipe[-1].fit_row_tag_, tag[kept])

    # A parameter that is not per-row (here a 3-element list) is passed on unchanged.
    pipe.fit(X, y, **weight_params(routing, "recorder", w, row_tag=["a", "b", "c"]))
    assert pipe[-1].fit_row_tag_ == ["a", "b", "c"]


def test_parameters_of_steps_before_the_resampler_are_not_resampled(data):
    X, y = data
    w = np.linspace(1, 3, len(y))
    pipe = make_pipeline(StandardScaler(), ImbRandomUnderSampler(random_state=0), Recorder())
    pipe.fit(X, y, standardscaler__sample_weight=w, recorder__sample_weight=w)
    reference = StandardScaler().fit(X, sample_weight=w)
    np.testing.assert_allclose(pipe[0].mean_, reference.mean_)
    np.testing.assert_array_equal(pipe[-1].fit_weight_, w[pipe[1].sample_indices_])


def test_two_resamplers_in_a_row_compose(data):
    X, y = data
    w = np.arange(len(y), dtype=float)
    pipe = make_pipeline(EveryOtherRow(), ImbRandomOverSampler(random_state=0), Recorder())
    pipe.fit(X, y, recorder__sample_weight=w)
    first, second = pipe[0].sample_indices_, pipe[1].sample_indices_
    np.testing.assert_array_equal(pipe[-1].fit_weight_, w[first][second])
    np.testing.assert_array_equal(pipe[-1].fit_X_, X[first][second])


def test_predict_transform_and_score_do_not_resample(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), ImbRandomUnderSampler(random_state=0), Recorder())
    pipe.fit(X, y)
    assert pipe[-1].fit_X_.shape[0] < len(y)  # fit did resample
    assert pipe.predict(X).shape == (len(y),)
    np.testing.assert_allclose(pipe[-1].predict_X_, pipe[0].transform(X))
    assert pipe.predict_proba(X).shape == (len(y), 2)
    assert pipe.decision_function(X).shape == (len(y),)
    expected = np.mean(pipe.predict(X) == y)
    assert pipe.score(X, y) == pytest.approx(expected)

    transformer = make_pipeline(ImbRandomUnderSampler(random_state=0), StandardScaler()).fit(X, y)
    np.testing.assert_allclose(transformer.transform(X), transformer[-1].transform(X))
    assert transformer.fit_transform(X, y).shape[0] < len(y)  # fit_transform resamples


def test_smote_without_indices_cannot_carry_a_weight(data):
    X, y = data
    pipe = make_pipeline(ImbSMOTE(random_state=0), Recorder())
    with pytest.raises(ValueError, match=r"recorder__sample_weight.*SMOTE.*sample_indices_"):
        pipe.fit(X, y, recorder__sample_weight=np.ones(len(y)))
    pipe.fit(X, y)  # without per-row parameters SMOTE is fine
    assert pipe[-1].fit_X_.shape[0] == 2 * np.bincount(y).max()


def test_synthetic_rows_carry_only_weights(data):
    X, y = data
    w = np.linspace(1, 2, len(y))
    pipe = make_pipeline(MidpointOversampler(), Recorder())
    with pytest.raises(ValueError, match=r"recorder__row_tag.*MidpointOversampler turned 150"):
        pipe.fit(X, y, recorder__sample_weight=w, recorder__row_tag=np.arange(len(y)))
    # A weight given to the resampler itself is what it returns, and what later steps get.
    pipe.fit(X, y, midpointoversampler__sample_weight=w, recorder__sample_weight=w)
    expected = MidpointOversampler().fit_resample(X, y, sample_weight=w)[2]
    np.testing.assert_array_equal(pipe[-1].fit_weight_, expected)


def test_our_smote_carries_the_weight_of_synthetic_rows(data, routing):
    X, y = data
    w = np.linspace(1, 2, len(y))
    pipe = make_pipeline(SMOTE(random_state=0), recorder(routing))
    pipe.fit(X, y, **weight_params(routing, "recorder", w))
    rec = pipe[-1]
    assert len(rec.fit_weight_) == 2 * np.bincount(y).max()
    np.testing.assert_array_equal(rec.fit_weight_[: len(y)], w)  # original rows come first
    expected = SMOTE(random_state=0).fit_resample(X, y, sample_weight=w)[2]
    np.testing.assert_array_equal(rec.fit_weight_, expected)


def test_nested_pipeline_with_our_smote_carries_weight(data):
    X, y = data
    w = np.linspace(1, 2, len(y))
    inner = make_pipeline(StandardScaler(), SMOTE(random_state=0))
    outer = make_pipeline(inner, Recorder()).fit(X, y, recorder__sample_weight=w)
    X_res, y_res, w_res = clone(inner).fit_resample(X, y, sample_weight=w)
    np.testing.assert_array_equal(outer[-1].fit_weight_, w_res)
    np.testing.assert_allclose(outer[-1].fit_X_, X_res)
    np.testing.assert_array_equal(outer[-1].fit_y_, y_res)
    assert not hasattr(outer[0], "sample_indices_")  # SMOTE creates rows: no indices


def test_nested_pipeline_resamples_in_fit_only(data, routing):
    X, y = data
    w = np.linspace(0.1, 1.0, len(y))
    inner = make_pipeline(scaler(routing), ImbRandomUnderSampler(random_state=0))
    outer = make_pipeline(inner, recorder(routing))
    outer.fit(X, y, **weight_params(routing, "recorder", w))
    fitted_inner = outer[0]
    kept = fitted_inner.sample_indices_
    np.testing.assert_array_equal(outer[-1].fit_weight_, w[kept])
    np.testing.assert_allclose(outer[-1].fit_X_, fitted_inner[0].transform(X)[kept])
    assert outer.predict(X).shape == (len(y),)
    # The inner scaler still applies at predict time; the inner sampler does not.
    np.testing.assert_allclose(outer[-1].predict_X_, fitted_inner[0].transform(X))


def test_imbalanced_learn_sub_pipeline_still_transforms_at_predict(data, routing):
    """Class: a resampling step that holds transformers but has no ``transform`` of its own
    (imbalanced-learn's Pipeline ending in a sampler) was skipped whole at predict time, so
    its scaler never ran: predictions came from unscaled X. Its transformers must apply, as
    in the flat pipeline and in ResampledClassifier."""
    from imblearn.pipeline import make_pipeline as imb_make_pipeline

    X, y = data
    X = X * 1e3 + 50.0  # unscaled input: skipping the scaler changes every prediction
    inner = imb_make_pipeline(scaler(routing), ImbRandomUnderSampler(random_state=0))
    assert not hasattr(inner, "transform")
    outer = make_pipeline(inner, Recorder()).fit(X, y)
    expected = outer[0][0].transform(X)
    outer.predict(X)
    np.testing.assert_allclose(outer[-1].predict_X_, expected)
    flat = make_pipeline(
        scaler(routing), ImbRandomUnderSampler(random_state=0), LogisticRegression()
    )
    nested = make_pipeline(
        imb_make_pipeline(scaler(routing), ImbRandomUnderSampler(random_state=0)),
        LogisticRegression(),
    )
    if routing:
        flat[-1].set_fit_request(sample_weight=False)
        nested[-1].set_fit_request(sample_weight=False)
    np.testing.assert_array_equal(
        flat.fit(X, y).predict_proba(X), nested.fit(X, y).predict_proba(X)
    )


def test_nested_fit_resample_returns_weight_and_indices(data):
    X, y = data
    w = np.arange(len(y), dtype=float)
    inner = make_pipeline(EveryOtherRow(), StandardScaler(), ImbRandomUnderSampler(random_state=0))
    X_res, y_res, w_res = inner.fit_resample(X, y, sample_weight=w)
    rows = inner.sample_indices_
    np.testing.assert_array_equal(w_res, w[rows])
    np.testing.assert_array_equal(y_res, y[rows])
    np.testing.assert_allclose(X_res, inner[1].transform(X[rows]))
    assert not hasattr(make_pipeline(StandardScaler(), Recorder()), "fit_resample")
    assert not hasattr(make_pipeline(ImbRandomUnderSampler(), Recorder()), "fit_resample")


def test_nested_synthetic_resampler_carries_weight(data):
    X, y = data
    w = np.linspace(1, 2, len(y))
    outer = make_pipeline(make_pipeline(MidpointOversampler()), Recorder())
    outer.fit(X, y, recorder__sample_weight=w)
    np.testing.assert_allclose(
        outer[-1].fit_weight_, MidpointOversampler().fit_resample(X, y, w)[2]
    )
    assert not hasattr(outer[0], "sample_indices_")


@given(
    n_minority=st.integers(2, 15),
    n_majority=st.integers(16, 40),
    seed=st.integers(0, 2**16),
)
def test_property_weight_is_indexed_like_the_rows(n_minority, n_majority, seed):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.r_[np.zeros(n_majority, int), np.ones(n_minority, int)])
    X = rng.normal(size=(len(y), 3))
    w = rng.uniform(0.1, 5.0, len(y))
    pipe = make_pipeline(ImbRandomUnderSampler(random_state=seed), Recorder())
    pipe.fit(X, y, recorder__sample_weight=w)
    rec = pipe[-1]
    assert np.bincount(rec.fit_y_).tolist() == [n_minority, n_minority]
    # Each row arrives with its own weight: match rows of X back to their original index.
    original = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in rec.fit_X_]
    np.testing.assert_array_equal(rec.fit_weight_, w[original])


def test_pandas_input_and_series_weight(data):
    X, y = data
    frame = pd.DataFrame(X, columns=list("abcd"), index=np.arange(len(y)) + 1000)
    w = pd.Series(np.arange(len(y), dtype=float), index=frame.index)
    pipe = make_pipeline(ImbRandomUnderSampler(random_state=0), Recorder())
    pipe.fit(frame, pd.Series(y, index=frame.index), recorder__sample_weight=w)
    np.testing.assert_array_equal(pipe[-1].fit_weight_, w.to_numpy()[pipe[0].sample_indices_])
    assert list(pipe.feature_names_in_) == list("abcd")
    scaler_after_sampler = make_pipeline(ImbRandomUnderSampler(random_state=0), StandardScaler())
    names_out = scaler_after_sampler.fit(frame, y).get_feature_names_out()
    assert names_out.tolist() == list("abcd")


def test_fit_predict_returns_one_label_per_resampled_row(data):
    X, y = data
    pipe = make_pipeline(EveryOtherRow(), KMeans(n_clusters=2, n_init=1, random_state=0))
    labels = pipe.fit_predict(X, y)
    assert labels.shape == (len(range(0, len(y), 2)),)
    assert set(labels.tolist()) == {0, 1}


class WithValidationSet(LogisticRegression):
    def fit(self, X, y, sample_weight=None, X_val=None):
        self.fit_X_val_, self.fit_weight_ = X_val, sample_weight
        return super().fit(X, y, sample_weight=sample_weight)


def test_transform_input_is_transformed_not_resampled(data):
    X, y = data
    X_val = X[::-1] + 1.0  # as many rows as the training set: must still not be resampled
    w = np.arange(len(y), dtype=float)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            ImbRandomUnderSampler(random_state=0),
            WithValidationSet().set_fit_request(sample_weight=True, X_val=True),
            transform_input=["X_val"],
        )
        pipe.fit(X, y, sample_weight=w, X_val=X_val)
    np.testing.assert_allclose(pipe[-1].fit_X_val_, pipe[0].transform(X_val))
    np.testing.assert_array_equal(pipe[-1].fit_weight_, w[pipe[1].sample_indices_])


def test_grid_search_over_sampler_parameter_and_swapping_sampler(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), ImbRandomUnderSampler(random_state=0), Recorder())
    grid = GridSearchCV(
        pipe,
        {
            "randomundersampler": [
                ImbRandomUnderSampler(random_state=0),
                EveryOtherRow(),
                "passthrough",
            ]
        },
        cv=3,
    ).fit(X, y, recorder__sample_weight=np.ones(len(y)))
    assert len(grid.cv_results_["params"]) == 3
    assert isinstance(grid.best_estimator_, Pipeline)
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))


def test_cross_validate_resamples_weight_per_fold(data, routing):
    X, y = data
    w = np.arange(len(y), dtype=float) + 1
    pipe = make_pipeline(ImbRandomUnderSampler(random_state=0), recorder(routing))
    params = weight_params(routing, "recorder", w)
    # An explicit scorer: scikit-learn 1.6's default one cannot be told to ignore sample_weight.
    scorer = get_scorer("accuracy")
    if routing:
        scorer = scorer.set_score_request(sample_weight=False)
    result = cross_validate(pipe, X, y, cv=3, params=params, scoring=scorer, return_estimator=True)
    assert np.all(np.isfinite(result["test_score"]))
    for fitted in result["estimator"]:
        # Every weight that reached the final step is one of the training rows' own.
        rec = fitted[-1]
        original = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in rec.fit_X_]
        np.testing.assert_array_equal(rec.fit_weight_, w[original])


CALLS = {"fit_resample": 0}


class CountingEveryOtherRow(EveryOtherRow):
    def fit_resample(self, X, y):
        CALLS["fit_resample"] += 1
        return super().fit_resample(X, y)


def test_memory_caching_reuses_fitted_resampler(data, tmp_path):
    X, y = data
    w = np.arange(len(y), dtype=float)
    pipe = make_pipeline(
        StandardScaler(), CountingEveryOtherRow(), Recorder(), memory=str(tmp_path)
    )
    CALLS["fit_resample"] = 0
    first = pipe.fit(X, y, recorder__sample_weight=w).predict_proba(X)
    second = clone(pipe).fit(X, y, recorder__sample_weight=w)
    assert CALLS["fit_resample"] == 1  # the second fit loaded the resampled rows from the cache
    np.testing.assert_array_equal(second.predict_proba(X), first)
    np.testing.assert_array_equal(second[-1].fit_weight_, w[::2])
    np.testing.assert_array_equal(second[1].sample_indices_, np.arange(0, len(y), 2))


def test_clone_and_pickle_round_trip(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), ImbRandomUnderSampler(random_state=0), Recorder())
    pipe.fit(X, y)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    cloned = clone(pipe)
    assert isinstance(cloned, Pipeline)
    assert cloned.get_params()["randomundersampler__random_state"] == 0
    assert not hasattr(cloned[-1], "coef_")


def test_verbose_prints_each_step(data, capsys):
    X, y = data
    make_pipeline(ImbRandomUnderSampler(), Recorder(), verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert "(step 1 of 2) Processing randomundersampler" in out
    assert "(step 2 of 2) Processing recorder" in out
    make_pipeline(ImbRandomUnderSampler(), Recorder()).fit(X, y)
    assert capsys.readouterr().out == ""


def test_bad_steps_and_parameters(data):
    X, y = data
    with pytest.raises(TypeError, match="neither a transformer.*nor a resampler"):
        Pipeline([("clf", LogisticRegression()), ("last", Recorder())]).fit(X, y)
    with pytest.raises(ValueError, match="does not accept the sample_weight parameter"):
        make_pipeline(Recorder()).fit(X, y, sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match="does not accept the nope__x parameter"):
        make_pipeline(Recorder()).fit(X, y, nope__x=1)
    with pytest.raises(ValueError, match="transform_input.*only be set if metadata routing"):
        make_pipeline(Recorder(), transform_input=["x"]).fit(X, y)
    with pytest.raises(ValueError, match="X has 150 rows but y has 149 labels"):
        make_pipeline(ImbRandomOverSampler(), Recorder()).fit(X, y[:-1])
    with pytest.raises(ValueError, match="steps"):  # scikit-learn's parameter validation
        Pipeline(steps="bad").fit(X, y)
    with pytest.raises(TypeError, match=r"\(name, estimator\) pair"):
        Pipeline([("scaler", StandardScaler()), Recorder()]).fit(X, y)
    with pytest.raises(ValueError, match="unique"):
        Pipeline([("a", StandardScaler()), ("a", Recorder())]).fit(X, y)


# ---------------------------------------------------------------------------------------------
# ResampledClassifier


def test_resampled_classifier_is_a_classifier_with_resampled_weight(data):
    X, y = data
    w = np.linspace(1, 2, len(y))
    clf = ResampledClassifier(ImbRandomUnderSampler(random_state=0), Recorder())
    assert is_classifier(clf)
    clf.fit(X, y, sample_weight=w, row_tag=np.arange(len(y)))
    kept = clf.sampler_.sample_indices_
    np.testing.assert_array_equal(clf.estimator_.fit_weight_, w[kept])
    np.testing.assert_array_equal(clf.estimator_.fit_row_tag_, np.arange(len(y))[kept])
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.predict(X).shape == (len(y),)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.estimator_.predict_proba(X))
    np.testing.assert_array_equal(clf.decision_function(X), clf.estimator_.decision_function(X))


def test_resampled_classifier_with_our_smote_resamples_weight(data):
    X, y = data
    w = np.linspace(1, 2, len(y))
    clf = ResampledClassifier(SMOTE(random_state=0), Recorder()).fit(X, y, sample_weight=w)
    expected = SMOTE(random_state=0).fit_resample(X, y, sample_weight=w)[2]
    np.testing.assert_array_equal(clf.estimator_.fit_weight_, expected)


def test_resampled_classifier_exposes_only_what_estimator_has():
    clf = ResampledClassifier(ImbRandomUnderSampler(), LinearSVC())
    assert hasattr(clf, "decision_function") and not hasattr(clf, "predict_proba")


@pytest.mark.parametrize("smote", [ImbSMOTE, SMOTE], ids=["imblearn", "ours"])
def test_resampled_classifier_in_plain_pipeline_grid_search(data, smote):
    X, y = data
    pipe = sk_make_pipeline(
        StandardScaler(), ResampledClassifier(smote(random_state=0), LogisticRegression())
    )
    grid = GridSearchCV(
        pipe,
        [
            {"resampledclassifier__sampler__k_neighbors": [2, 4]},
            {"resampledclassifier__sampler": [ImbRandomUnderSampler(random_state=0)]},
        ],
        cv=StratifiedKFold(3),
        scoring="roc_auc",
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 3
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    fitted = grid.best_estimator_[-1]
    assert fitted.estimator_.n_features_in_ == X.shape[1]


def test_resampled_classifier_bad_arguments(data):
    X, y = data
    with pytest.raises(TypeError, match="sampler must have a fit_resample"):
        ResampledClassifier(StandardScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        ResampledClassifier(ImbRandomUnderSampler(), LogisticRegression()).fit(X, X[:, 0])


def _resampled_classifier_expected_failures(estimator):
    expected = {
        # Under-sampling draws rows at random: weight 2 on a row is not the same as the row
        # appearing twice, so the fitted models legitimately differ.
        "check_sample_weight_equivalence_on_dense_data": "resampling is random, not weighted",
        "check_sample_weight_equivalence_on_sparse_data": "resampling is random, not weighted",
    }
    if isinstance(estimator.sampler, RandomUnderSampler):
        # skbalance's samplers take any X (objects, images) without converting it; on
        # scikit-learn 1.6's imbalanced data set the row holding a dict is under-sampled away,
        # so LogisticRegression never sees it and nothing raises (1.9's check is balanced).
        expected["check_dtype_object"] = "the malformed row can be under-sampled away"
    return expected


@parametrize_with_checks(
    [
        ResampledClassifier(ImbRandomUnderSampler(random_state=0), LogisticRegression()),
        ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()),
    ],
    expected_failed_checks=lambda estimator: _resampled_classifier_expected_failures(estimator),
)
def test_resampled_classifier_estimator_checks(estimator, check):
    check(estimator)


def test_library_code_never_imports_imbalanced_learn():
    code = "import sys, skbalance.pipeline, skbalance.weights; print('imblearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# scikit-learn's own Pipeline fails exactly these two checks too: it stores the fitted steps
# in its `steps` parameter.
_PIPELINE_EXPECTED_FAILURES = {
    "check_estimators_overwrite_params": "as sklearn's Pipeline: fitted steps live in `steps`",
    "check_dont_overwrite_parameters": "as sklearn's Pipeline: fitted steps live in `steps`",
}


@parametrize_with_checks(
    [make_pipeline(StandardScaler(), ImbRandomUnderSampler(random_state=0), LogisticRegression())],
    expected_failed_checks=lambda estimator: _PIPELINE_EXPECTED_FAILURES,
)
def test_pipeline_estimator_checks(estimator, check):
    check(estimator)
