"""Instance hardness threshold (Smith, Martinez & Giraud-Carrier, 2014): drop the hardest rows.

A row is *hard* when a classifier trained without it gives its own class a low probability.
The probabilities come from ``cross_val_predict(estimator, X, y, method='predict_proba')``,
as imbalanced-learn computes them; each targeted class keeps the rows its class is most
probable for.
"""

from __future__ import annotations

import contextlib
from numbers import Integral

import numpy as np
from joblib import parallel_config
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils._param_validation import HasMethods

from ._base import BaseResampler, ResamplePlan
from ._threads import effective_n_threads

__all__ = ["InstanceHardnessThreshold"]


def _reseed(estimator, random_state: np.random.RandomState) -> None:
    """Give every ``random_state`` parameter of ``estimator`` (nested ones too) a seed drawn
    from ``random_state``, in the sorted order of the parameter names.

    imbalanced-learn seeds the user's estimator this way (scikit-learn's ensemble helper), so
    the same ``random_state`` gives the same probabilities and rows whatever seed the
    estimator was built with.
    """
    seeds = {
        name: random_state.randint(np.iinfo(np.int32).max)
        for name in sorted(estimator.get_params(deep=True))
        if name == "random_state" or name.endswith("__random_state")
    }
    if seeds:
        estimator.set_params(**seeds)


def _n_folds(cv) -> int:
    """Number of folds of a splitter (2 when it cannot tell before splitting)."""
    get_n_splits = getattr(cv, "get_n_splits", None)
    try:
        return max(1, int(get_n_splits())) if get_n_splits is not None else 2
    except (TypeError, ValueError):  # a splitter that needs the data to count
        return 2


class InstanceHardnessThreshold(BaseResampler):
    """Under-sample by instance hardness: keep the rows a classifier finds easiest.

    Each row's probability of its own class is estimated out of fold with
    ``cross_val_predict(estimator, X, y, cv=..., method='predict_proba')``. A targeted class
    keeps exactly ``sampling_strategy_[label]`` rows: those with the highest probability
    (rows of equal probability at the cut are drawn at random). Rows come back in input
    order. ``X`` goes to the estimator as given (a DataFrame stays a DataFrame, so a pipeline
    with a column transformer works; NaN is the estimator's business). ``sample_weight``
    follows the rows kept; it is not passed to the estimator.

    Parameters
    ----------
    estimator : classifier with ``fit`` and ``predict_proba``, default=None
        ``None`` is ``RandomForestClassifier(n_estimators=100, random_state=random_state,
        n_jobs=n_jobs)``. A given estimator is cloned and every ``random_state`` in it
        reseeded from ``random_state`` (as imbalanced-learn does).
    sampling_strategy : float, str, dict or callable, default='auto'
        Rows to keep per class (imbalanced-learn's meanings; 'auto' shrinks every class but
        the minority to the minority's size).
    random_state : None, int or RandomState, default=None
        Seed for the folds, the estimator and ties at the cut.
    cv : int, cross-validation generator or iterable, default=5
        An int ``n`` is ``StratifiedKFold(n, shuffle=True, random_state=random_state)`` (as
        imbalanced-learn); a splitter or an iterable of (train, test) splits is used as is.
    n_jobs : int, default=None
        Processes of ``cross_val_predict`` (and of the default forest). ``None`` with the
        default forest: its folds run on threads, as many as the neighbour searches use
        (the usable cores, within threadpoolctl limits and joblib contexts; see
        ``docs/sampling.md``), each fitted as on one thread, so the rows kept are the same.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        Label -> number of rows kept, for the targeted classes.
    estimator_ : classifier
        The estimator cross-validated (unfitted: ``cross_val_predict`` fits clones).
    sample_indices_ : ndarray
        Input rows kept, in input order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.sampling import InstanceHardnessThreshold
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(2, 1, (10, 2))]
    >>> y = np.array([0] * 30 + [1] * 10)
    >>> iht = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    >>> X_res, y_res = iht.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [10, 10]
    """

    _sampling_type = "under-sampling"
    _selects_rows = True

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "sampling_strategy": "no_validation",  # resolve_sampling_strategy checks it
        "random_state": ["random_state"],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        estimator=None,
        sampling_strategy="auto",
        random_state=None,
        cv=5,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.cv = cv
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # X goes to the estimator as given: the default forest needs numbers (NaN is fine);
        # a pipeline that encodes text columns is the user's choice, not a promise of ours
        tags.input_tags.string = False
        return tags

    def _row_source(self) -> str:
        return "features"  # X's values decide, through the estimator

    def _check_params(self, counts, classes, targets):
        self._validate_params()

    def _fit_resample(self, X, codes, targets, random_state):
        if self.estimator is None:
            estimator = RandomForestClassifier(
                n_estimators=100, random_state=self.random_state, n_jobs=self.n_jobs
            )
        else:
            estimator = clone(self.estimator)
            _reseed(estimator, random_state)
        cv = self.cv
        if isinstance(cv, Integral) and not isinstance(cv, bool):
            cv = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
        labels = self._classes_seen[codes]
        folds = contextlib.nullcontext()
        threads = effective_n_threads(None) if self.estimator is None else 1
        if self.n_jobs is None and threads > 1:
            # the default forest's folds on threads (growing trees releases the GIL); each
            # fold is fitted and predicted alone, sequentially inside its thread, so the
            # probabilities are those of one thread, bit for bit
            folds = parallel_config(backend="threading", n_jobs=min(threads, _n_folds(cv)))
        with folds:
            probabilities = cross_val_predict(
                estimator, X, labels, cv=cv, n_jobs=self.n_jobs, method="predict_proba"
            )
        # columns follow the sorted labels, which is the order of the codes
        own = probabilities[np.arange(len(codes)), codes]
        keep = np.ones(len(codes), dtype=bool)
        for code, n_keep in targets.items():
            rows = np.flatnonzero(codes == code)
            if n_keep >= len(rows):
                continue
            # highest probability first; a random key orders rows of equal probability
            order = np.lexsort((random_state.random_sample(len(rows)), -own[rows]))
            keep[rows] = False
            keep[rows[order[:n_keep]]] = True
        self.estimator_ = estimator
        return ResamplePlan(np.flatnonzero(keep))
