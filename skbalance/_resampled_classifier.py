"""ResampledClassifier: a resampler and a classifier as one scikit-learn classifier.

Public name: :class:`skbalance.pipeline.ResampledClassifier` (re-exported there, its one
documented home); it lives in its own module because it is a different concept from the
pipeline: an estimator that owns one resampler, rather than a chain of steps.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from skbalance import _routing

__all__ = ["ResampledClassifier"]


def _estimator_has(attr: str):
    """``available_if`` check: the (fitted, else unfitted) estimator has ``attr``."""

    def check(self) -> bool:
        estimator = getattr(self, "estimator_", self.estimator)
        getattr(estimator, attr)  # raises AttributeError, which hides the method
        return True

    return check


class ResampledClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A resampler followed by a classifier, as one scikit-learn classifier.

    ``fit`` resamples the training rows with a clone of ``sampler`` (``sample_weight`` and
    other per-row fit parameters are resampled with them) and fits a clone of ``estimator``
    on the result; ``predict``, ``predict_proba``, ``predict_log_proba`` and
    ``decision_function`` go straight to the fitted estimator, so predictions are never
    resampled. Only the methods the estimator has are exposed.

    Because it is an ordinary classifier, it fits in a *plain* ``sklearn.pipeline.Pipeline``
    and ``GridSearchCV`` can tune the sampler (``resampledclassifier__sampler__k_neighbors``)
    or swap it (``resampledclassifier__sampler``).

    Parameters
    ----------
    sampler : object with ``fit_resample``
        skbalance's or imbalanced-learn's resampler (or a :class:`Pipeline` that resamples).
    estimator : classifier
        Fitted on the resampled rows.

    Attributes
    ----------
    sampler_ : the fitted clone of ``sampler``.
    estimator_ : the fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        The estimator's classes.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.under_sampling import RandomUnderSampler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.pipeline import ResampledClassifier
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0] * 8 + [1] * 2)
    >>> clf = ResampledClassifier(RandomUnderSampler(random_state=0), LogisticRegression())
    >>> clf.fit(X, y).predict(X).shape
    (10,)
    >>> clf.estimator_.n_features_in_, np.bincount(y[clf.sampler_.sample_indices_]).tolist()
    (2, [2, 2])
    """

    def __init__(self, sampler, estimator):
        self.sampler = sampler
        self.estimator = estimator

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Resample ``(X, y)`` (with ``sample_weight``), then fit the estimator on the result.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Resampled with the rows and passed to ``estimator.fit``.
        **fit_params : dict
            Passed to ``estimator.fit``; per-row values are resampled with the rows.

        Returns
        -------
        self : ResampledClassifier
        """
        if not hasattr(self.sampler, "fit_resample"):
            raise TypeError(
                f"sampler must have a fit_resample method (a resampler such as "
                f"RandomUnderSampler); got {type(self.sampler).__name__}."
            )
        if not hasattr(self.estimator, "fit"):
            raise TypeError(
                f"estimator must be a classifier with fit; got {type(self.estimator).__name__}."
            )
        if y is None:
            raise ValueError(
                "ResampledClassifier requires y to be passed, but the target y is None."
            )
        X, y = _routing.as_container(X), _routing.as_container(y)
        sample_weight = _routing.as_container(sample_weight)
        if getattr(y, "ndim", 1) == 2:
            y = column_or_1d(y, warn=True)  # warns (DataConversionWarning) like any classifier
        check_classification_targets(y)
        n_samples = _routing.n_rows(X)
        if _routing.n_rows(y) != n_samples:
            raise ValueError(
                f"X has {n_samples} rows but y has {_routing.n_rows(y)} entries; "
                "pass one per row."
            )
        if sample_weight is not None:  # the one rule of every training path
            _routing.check_sample_weight(sample_weight, n_samples)
        carried = dict(fit_params)
        if sample_weight is not None:
            carried["sample_weight"] = sample_weight
        self.sampler_ = clone(self.sampler)
        X_res, y_res, _, _ = _routing.resample_step(self.sampler_, X, y, carried=carried)
        self.estimator_ = clone(self.estimator).fit(X_res, y_res, **carried)
        self.classes_ = getattr(self.estimator_, "classes_", None)
        if self.classes_ is None:
            self.classes_ = np.unique(y_res)
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        return self

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Class labels predicted by the fitted estimator (no resampling)."""
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the fitted estimator (no resampling)."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the fitted estimator (no resampling)."""
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the fitted estimator (no resampling)."""
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        try:
            estimator_tags = get_tags(self.estimator)
        except (AttributeError, TypeError, ValueError):  # not an estimator: fit will say so
            return tags
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan
        return tags
