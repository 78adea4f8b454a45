"""InstanceHardnessThreshold: imbalanced-learn's rows, exact counts, X as given."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.datasets import make_classification
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from skbalance.sampling import InstanceHardnessThreshold

imblearn_under = pytest.importorskip("imblearn.under_sampling")


def _data(seed=0, n=120):
    return make_classification(
        n_samples=n, n_features=4, n_classes=3, n_informative=3, n_redundant=0,
        weights=[0.2, 0.3, 0.5], flip_y=0.05, random_state=seed,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("estimator", "strategy"),
    [
        (LogisticRegression(), "auto"),
        (GaussianNB(), {0: 10, 1: 20, 2: 15}),
        (LogisticRegression(C=0.1), "not minority"),
    ],
)
def test_same_rows_as_imbalanced_learn(estimator, strategy):
    """Class: folds, estimator seeds or the probability column differing from imbalanced-learn
    (continuous probabilities: no ties at the cut, so both keep the same rows)."""
    X, y = _data()
    ours = InstanceHardnessThreshold(
        estimator=estimator, sampling_strategy=strategy, random_state=0
    )
    ours.fit_resample(X, y)
    theirs = imblearn_under.InstanceHardnessThreshold(
        estimator=estimator, sampling_strategy=strategy, random_state=0
    )
    theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, np.sort(theirs.sample_indices_))


def test_exact_counts_when_probabilities_tie():
    """Class: a threshold that keeps every row tied at the cut (imbalanced-learn returns more
    rows than sampling_strategy asks when probabilities tie; here every row ties)."""
    X, y = _data()
    strategy = {0: 5, 1: 7, 2: 9}
    iht = InstanceHardnessThreshold(estimator=DummyClassifier(), sampling_strategy=strategy)
    _, y_res = iht.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [5, 7, 9]
    again = InstanceHardnessThreshold(
        estimator=DummyClassifier(), sampling_strategy=strategy, random_state=1
    )
    first = again.fit_resample_indices(X, y)
    np.testing.assert_array_equal(again.fit_resample_indices(X, y), first)  # seeded ties


def test_estimator_seed_is_overridden_and_default_forest():
    """Class: results depending on the estimator's own seed instead of random_state."""
    X, y = _data()
    runs = [
        InstanceHardnessThreshold(
            estimator=GradientBoostingClassifier(n_estimators=5, subsample=0.5, random_state=s),
            random_state=0,
        ).fit_resample_indices(X, y)
        for s in range(2)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    default = InstanceHardnessThreshold(random_state=0)
    default.fit_resample(X, y)
    assert type(default.estimator_).__name__ == "RandomForestClassifier"


def test_dataframe_with_text_column_goes_to_the_estimator_as_given():
    """Class: X converted to a numeric matrix before the estimator (a pipeline that encodes a
    text column would then be unusable); index and string labels kept."""
    X, y = _data()
    frame = pd.DataFrame(X, columns=list("abcd"), index=np.arange(len(y)) + 100)
    frame["colour"] = np.where(X[:, 0] > 0, "red", "blue")
    labels = np.array(["low", "mid", "high"])[y]
    model = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
        LogisticRegression(),
    )
    iht = InstanceHardnessThreshold(estimator=model, random_state=0)
    X_res, y_res = iht.fit_resample(frame, pd.Series(labels, index=frame.index))
    rows = iht.sample_indices_
    assert X_res.index.tolist() == (rows + 100).tolist()
    assert y_res.tolist() == labels[rows].tolist()
    assert pd.Series(y_res).value_counts().tolist() == [np.bincount(y).min()] * 3


def test_cv_splitter_and_iterable():
    """Class: cv accepting only an int (imbalanced-learn's code builds a StratifiedKFold)."""
    X, y = _data()
    splitter = KFold(4, shuffle=True, random_state=0)
    by_object = InstanceHardnessThreshold(estimator=LogisticRegression(), cv=splitter)
    by_splits = InstanceHardnessThreshold(
        estimator=LogisticRegression(), cv=list(splitter.split(X, y))
    )
    np.testing.assert_array_equal(
        by_object.fit_resample_indices(X, y), by_splits.fit_resample_indices(X, y)
    )


def test_bad_estimator_fails_before_work_and_changes_nothing():
    """Class: an estimator without predict_proba reported late or leaving a half fit."""
    X, y = _data()
    iht = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    kept = iht.fit_resample_indices(X, y).copy()
    iht.set_params(estimator=KFold())
    with pytest.raises(ValueError, match="'estimator' parameter"):
        iht.fit_resample(X, y)
    np.testing.assert_array_equal(iht.sample_indices_, kept)
    assert isinstance(iht.estimator_, LogisticRegression)


def test_default_forest_folds_run_on_threads_with_the_same_rows(monkeypatch):
    """Class: the default forest's folds run one after another where cores are free (n_jobs
    None), or threads that change the probabilities and so the rows kept; and threads
    started inside a joblib worker thread (oversubscription in GridSearchCV)."""
    import threading

    from joblib import Parallel, delayed
    from sklearn.ensemble import RandomForestClassifier

    import skbalance.sampling._hardness as hardness_module

    X, y = _data(seed=4, n=400)
    one = InstanceHardnessThreshold(random_state=0, n_jobs=1).fit_resample(X, y)
    fits = []
    fit = RandomForestClassifier.fit

    def recorded(self, *args, **kwargs):
        fits.append(threading.get_ident())
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(RandomForestClassifier, "fit", recorded)
    monkeypatch.setattr(hardness_module, "effective_n_threads", lambda n_jobs: 2)
    threaded = InstanceHardnessThreshold(random_state=0).fit_resample(X, y)
    assert len(fits) == 5 and threading.get_ident() not in fits
    np.testing.assert_array_equal(threaded[0], one[0])
    np.testing.assert_array_equal(threaded[1], one[1])

    monkeypatch.undo()
    monkeypatch.setattr(RandomForestClassifier, "fit", recorded)
    fits.clear()

    def in_worker():
        InstanceHardnessThreshold(random_state=0).fit_resample(X, y)
        return threading.get_ident()

    workers = Parallel(n_jobs=2, backend="threading")(delayed(in_worker)() for _ in range(2))
    assert len(fits) == 10 and set(fits) <= set(workers)  # each worker's folds in itself
