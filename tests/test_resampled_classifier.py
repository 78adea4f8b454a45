"""skbalance.pipeline.ResampledClassifier: predict sees what fit saw, routing sends metadata only
where it is requested, a failed refit changes nothing.

The basic contract (weights resampled with the rows, grid search, estimator checks with a plain
resampler) is tested in tests/test_pipeline.py.
"""

import numpy as np
import pandas as pd
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbRandomUnderSampler
from sklearn.base import BaseEstimator
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skbalance.pipeline import ResampledClassifier, make_pipeline
from skbalance.sampling import SMOTE, RandomUnderSampler


class WeightRecorder(LogisticRegression):
    """Remembers the sample_weight that reached its fit."""

    def fit(self, X, y, sample_weight=None):
        self.fit_weight_ = None if sample_weight is None else np.asarray(sample_weight).copy()
        return super().fit(X, y, sample_weight=sample_weight)


class RequestingSampler(BaseEstimator):
    """Keeps rows 0, 1, 4, 5, 8, 9, ...; its ``fit`` names sample_weight, so it can request it
    through metadata routing. Remembers the weight it was given and returns it times 10."""

    def fit(self, X, y, sample_weight=None):
        return self

    def fit_resample(self, X, y, sample_weight=None):
        self.given_weight_ = None if sample_weight is None else np.asarray(sample_weight).copy()
        self.sample_indices_ = np.flatnonzero(np.arange(len(y)) % 4 < 2)
        X_res, y_res = X[self.sample_indices_], np.asarray(y)[self.sample_indices_]
        if sample_weight is None:
            return X_res, y_res
        return X_res, y_res, np.asarray(sample_weight)[self.sample_indices_] * 10


@pytest.fixture
def unscaled():
    """Imbalanced data whose columns are far from standardised (a forgotten scaler shows)."""
    X, y = make_classification(300, n_features=5, n_informative=3, weights=[0.85], random_state=0)
    return X * [1e3, 1.0, 1e-3, 50.0, 7.0] + [5e3, -2.0, 0.0, 1e2, 3.0], y


# ---------------------------------------------------------------------------------------------
# A sampler that transforms: its transformers act at predict time too


SAMPLERS_THAT_TRANSFORM = {
    "skbalance scaler+sampler": lambda: make_pipeline(
        StandardScaler(), RandomUnderSampler(random_state=0)
    ),
    "imblearn scaler+sampler": lambda: imb_make_pipeline(
        StandardScaler(), ImbRandomUnderSampler(random_state=0)
    ),
    "skbalance sampler+scaler": lambda: make_pipeline(
        RandomUnderSampler(random_state=0), StandardScaler()
    ),
    "nested, with SMOTE": lambda: make_pipeline(
        make_pipeline(StandardScaler(), SMOTE(random_state=0)), PCA(3, random_state=0)
    ),
}


@pytest.mark.parametrize("build", SAMPLERS_THAT_TRANSFORM.values(), ids=SAMPLERS_THAT_TRANSFORM)
def test_transforming_sampler_predicts_as_the_equivalent_pipeline(unscaled, build):
    """Class: train/predict skew: steps of the sampler transform X in fit but were skipped at
    predict time (accuracy 0.204 against the equivalent Pipeline's 0.966).

    Reference: the flat Pipeline of the same steps plus the estimator, which must give
    exactly the same answers from every inference method."""
    X, y = unscaled
    w = np.linspace(0.5, 2.0, len(y))
    clf = ResampledClassifier(build(), LogisticRegression()).fit(X, y)
    sampler = build()
    reference = make_pipeline(*[step for _, step in sampler.steps], LogisticRegression())
    reference.fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), reference.predict(X))
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        np.testing.assert_array_equal(getattr(clf, method)(X), getattr(reference, method)(X))
    assert clf.score(X, y) == reference.score(X, y)
    assert clf.score(X, y, sample_weight=w) == reference.score(X, y, sample_weight=w)
    # The test can fail: the estimator alone on the caller's X answers differently (or, after
    # PCA, cannot answer at all).
    if clf.estimator_.n_features_in_ == X.shape[1]:
        assert not np.array_equal(clf.estimator_.decision_function(X), clf.decision_function(X))


def test_imblearn_sampler_pipeline_predicts_as_imblearn_pipeline(unscaled):
    """Class: train/predict skew, against imbalanced-learn's own Pipeline as the reference."""
    X, y = unscaled
    sampler = imb_make_pipeline(StandardScaler(), ImbRandomUnderSampler(random_state=0))
    clf = ResampledClassifier(sampler, LogisticRegression()).fit(X, y)
    reference = imb_make_pipeline(
        StandardScaler(), ImbRandomUnderSampler(random_state=0), LogisticRegression()
    ).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), reference.predict_proba(X))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    log_scale=st.integers(-12, 12),
    weight=st.floats(0.6, 0.95),
)
def test_transforming_sampler_matches_pipeline_property(seed, log_scale, weight):
    """Class: train/predict skew, at every scale of the features and class balance."""
    X, y = make_classification(120, n_features=4, weights=[weight], flip_y=0, random_state=seed)
    X = X * 10.0**log_scale
    sampler = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=seed))
    clf = ResampledClassifier(sampler, LogisticRegression()).fit(X, y)
    reference = make_pipeline(
        StandardScaler(), RandomUnderSampler(random_state=seed), LogisticRegression()
    ).fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), reference.predict(X))
    np.testing.assert_array_equal(clf.decision_function(X), reference.decision_function(X))


def test_plain_sampler_passes_x_untouched(unscaled):
    """Class: train/predict skew, the other way: a sampler without transform must not change
    what the estimator sees at predict time."""
    X, y = unscaled
    clf = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression()).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.estimator_.predict_proba(X))


# ---------------------------------------------------------------------------------------------
# n_features_in_ / feature_names_in_ describe the caller's X


def test_n_features_in_is_the_callers_not_the_estimators(unscaled):
    """Class: input checks made against the transformed X instead of the one the user gave:
    with a sampler that reduces 5 columns to 2, the estimator sees 2."""
    X, y = unscaled
    sampler = make_pipeline(PCA(2, random_state=0), RandomUnderSampler(random_state=0))
    clf = ResampledClassifier(sampler, LogisticRegression()).fit(X, y)
    assert (clf.n_features_in_, clf.estimator_.n_features_in_) == (5, 2)
    with pytest.raises(
        ValueError, match="X has 4 features, but ResampledClassifier is expecting 5 features"
    ):
        clf.predict(X[:, :4])
    with pytest.raises(ValueError, match=r"Expected a 2-dimensional X .*reshape\(1, -1\)"):
        clf.predict(X[0])


def test_feature_names_in_are_the_callers_and_checked_at_predict(unscaled):
    """Class: feature names recorded from the transformed X (the estimator sees a bare array
    after PCA) or kept stale after a refit on an array without names."""
    X, y = unscaled
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(5)])
    sampler = make_pipeline(PCA(2, random_state=0), RandomUnderSampler(random_state=0))
    clf = ResampledClassifier(sampler, LogisticRegression()).fit(frame, y)
    assert list(clf.feature_names_in_) == list(frame.columns)
    assert not hasattr(clf.estimator_, "feature_names_in_")
    renamed = frame.rename(columns={"c0": "other"})
    with pytest.raises(ValueError, match="feature names should match"):
        clf.predict(renamed)
    clf.fit(X, y)
    assert not hasattr(clf, "feature_names_in_") and clf.n_features_in_ == 5


# ---------------------------------------------------------------------------------------------
# A fit either succeeds or leaves the classifier as it was


def test_failed_refit_leaves_the_classifier_as_it_was(unscaled):
    """Class: partial refit: a new sampler_ (or n_features_in_) beside the old estimator_ when
    the estimator's fit fails after the resampling succeeded."""
    X, y = unscaled
    clf = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    clf.fit(X, y)
    before = {k: v for k, v in vars(clf).items() if k.endswith("_")}
    expected = clf.predict_proba(X)
    clf.set_params(estimator=LogisticRegression(C=-1.0))
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    with pytest.raises(ValueError, match="'C' parameter of LogisticRegression"):
        clf.fit(frame, y)
    after = {k: v for k, v in vars(clf).items() if k.endswith("_")}
    assert after.keys() == before.keys()
    assert all(after[k] is before[k] for k in before)
    np.testing.assert_array_equal(clf.predict_proba(X), expected)


# ---------------------------------------------------------------------------------------------
# Metadata routing: sample_weight goes only where it is requested


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def _requests(sampler_request, estimator_request):
    sampler, estimator = RequestingSampler(), WeightRecorder()
    if sampler_request is not None:
        sampler.set_fit_request(sample_weight=sampler_request)
    if estimator_request is not None:
        estimator.set_fit_request(sample_weight=estimator_request)
    return ResampledClassifier(sampler, estimator)


@pytest.mark.parametrize(
    "sampler_request, estimator_request", [(True, False), (False, True), (True, True)]
)
def test_routing_sends_sample_weight_only_where_requested(
    unscaled, routing, sampler_request, estimator_request
):
    """Class: metadata delivered to a component that did not ask for it (or withheld from
    one that did). Reference: the weights computed by hand from the sampler's indices."""
    X, y = unscaled
    w = np.arange(len(y), dtype=float)
    clf = _requests(sampler_request, estimator_request).fit(X, y, sample_weight=w)
    kept = clf.sampler_.sample_indices_
    if estimator_request:
        # A fit_resample that takes sample_weight carries the estimator's weight (as in
        # Pipeline: the only way to weight synthetic rows), so the sampler's rule (x10) applies.
        np.testing.assert_array_equal(clf.estimator_.fit_weight_, w[kept] * 10)
    else:
        assert clf.estimator_.fit_weight_ is None
    given = clf.sampler_.given_weight_
    np.testing.assert_array_equal(given, w)  # requested, or carrying the estimator's


def test_routing_through_nested_resampled_classifiers(unscaled, routing):
    """Class: a meta-estimator that hides its children's requests from an outer router: the
    inner sampler's request must reach it through the outer classifier, resampled by the
    outer sampler's rule, and the inner estimator that declines gets nothing."""
    X, y = unscaled
    w = np.arange(len(y), dtype=float)
    clf = ResampledClassifier(
        RequestingSampler().set_fit_request(sample_weight=False),
        ResampledClassifier(
            RequestingSampler().set_fit_request(sample_weight=True),
            WeightRecorder().set_fit_request(sample_weight=False),
        ),
    ).fit(X, y, sample_weight=w)
    outer_kept, inner = clf.sampler_.sample_indices_, clf.estimator_
    np.testing.assert_array_equal(clf.sampler_.given_weight_, w)  # carried for the inner one
    np.testing.assert_array_equal(inner.sampler_.given_weight_, w[outer_kept] * 10)
    assert inner.estimator_.fit_weight_ is None


def test_routing_refuses_unrequested_and_unset_metadata(unscaled, routing):
    """Class: metadata silently dropped or silently delivered when routing is on: scikit-learn's
    errors must reach the user."""
    X, y = unscaled
    w = np.ones(len(y))
    with pytest.raises(TypeError, match="not routed to any object"):
        _requests(False, False).fit(X, y, sample_weight=w)
    with pytest.raises(UnsetMetadataPassedError, match="WeightRecorder.fit"):
        _requests(True, None).fit(X, y, sample_weight=w)
    with pytest.raises(UnsetMetadataPassedError, match="RequestingSampler.fit"):
        _requests(None, True).fit(X, y, sample_weight=w)
    assert not hasattr(
        ResampledClassifier(RequestingSampler(), WeightRecorder()), "set_fit_request"
    )


def test_routing_through_a_plain_sklearn_pipeline(unscaled, routing):
    """Class: a meta-estimator that hides its children's requests from an outer router."""
    X, y = unscaled
    w = np.arange(len(y), dtype=float)
    clf = ResampledClassifier(
        ImbRandomUnderSampler(random_state=0), WeightRecorder().set_fit_request(sample_weight=True)
    )
    pipe = sk_make_pipeline(StandardScaler().set_fit_request(sample_weight=False), clf)
    pipe.fit(X, y, sample_weight=w)
    fitted = pipe[-1]
    np.testing.assert_array_equal(fitted.estimator_.fit_weight_, w[fitted.sampler_.sample_indices_])
    Xt = pipe[0].transform(X)
    np.testing.assert_array_equal(pipe.predict(X), fitted.estimator_.predict(Xt))
    fitted.estimator.set_score_request(sample_weight=True)  # the parameter routes
    assert fitted.score(Xt, y, sample_weight=w) == fitted.estimator_.score(Xt, y, sample_weight=w)
    fitted.estimator.set_score_request(sample_weight=False)
    assert fitted.score(Xt, y) == fitted.estimator_.score(Xt, y)
    routing_info = clf.get_metadata_routing()
    assert routing_info.consumes("fit", ["sample_weight"]) == {"sample_weight"}
    assert routing_info.consumes("predict", ["sample_weight"]) == set()


def test_routing_off_keeps_the_default(unscaled):
    """Class: routing-off behaviour changed by the routing support: sample_weight still goes,
    resampled, to the estimator (and is carried through the sampler), with no requests set."""
    X, y = unscaled
    w = np.arange(len(y), dtype=float)
    clf = ResampledClassifier(RequestingSampler(), WeightRecorder()).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(clf.estimator_.fit_weight_, w[clf.sampler_.sample_indices_] * 10)


# ---------------------------------------------------------------------------------------------
# scikit-learn's estimator checks with a sampler that transforms


@parametrize_with_checks(
    [
        ResampledClassifier(
            make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0)),
            LogisticRegression(),
        )
    ],
    expected_failed_checks=lambda estimator: {
        "check_sample_weight_equivalence_on_dense_data": "resampling is random, not weighted",
        "check_sample_weight_equivalence_on_sparse_data": "resampling is random, not weighted",
    },
)
def test_estimator_checks_with_a_transforming_sampler(estimator, check):
    check(estimator)
