"""ResampledClassifier: a resampler and a classifier as one scikit-learn classifier.

Public name: :class:`skbalance.pipeline.ResampledClassifier` (re-exported there, its one
documented home); it lives in its own module because it is a different concept from the
pipeline: an estimator that owns one resampler, rather than a chain of steps.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metadata_routing import UNUSED, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from skbalance import _routing

__all__ = ["ResampledClassifier"]

# The names under which metadata routing knows the two parts (``routed.sampler.fit``, ...).
_SAMPLER, _ESTIMATOR = "sampler", "estimator"


def _estimator_has(attr: str):
    """``available_if`` check: the (fitted, else unfitted) estimator has ``attr``."""

    def check(self) -> bool:
        estimator = getattr(self, "estimator_", self.estimator)
        getattr(estimator, attr)  # raises AttributeError, which hides the method
        return True

    return check


def _is_one_dimensional(X) -> bool:
    """A 1-D array, or a list of scalars or strings: one value per row, not a row of features."""
    shape = getattr(X, "shape", None)
    if shape is not None:
        return len(shape) == 1
    if isinstance(X, (list, tuple)) and len(X) > 0:
        return isinstance(X[0], (str, bytes)) or not hasattr(X[0], "__len__")
    return False


class _InputFeatures(BaseEstimator):
    """Records ``n_features_in_``/``feature_names_in_`` of a fit's input before any work, so a
    fit that fails later leaves the classifier's own attributes as they were."""


class ResampledClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A resampler followed by a classifier, as one scikit-learn classifier.

    ``fit`` resamples the training rows with a clone of ``sampler`` (``sample_weight`` and
    other per-row fit parameters are resampled with them) and fits a clone of ``estimator``
    on the result. At predict time nothing is resampled: ``predict``, ``predict_proba``,
    ``predict_log_proba``, ``decision_function`` and ``score`` pass ``X`` through the
    sampler's ``transform`` when it has one (a :class:`Pipeline` of transformers and a
    resampler, e.g. ``make_pipeline(StandardScaler(), RandomUnderSampler())``: its scaler is
    applied, exactly as in the equivalent three-step pipeline), then to the fitted
    estimator. Only the methods the estimator has are exposed.

    Because it is an ordinary classifier, it fits in a *plain* ``sklearn.pipeline.Pipeline``
    and ``GridSearchCV`` can tune the sampler (``resampledclassifier__sampler__k_neighbors``)
    or swap it (``resampledclassifier__sampler``).

    **Metadata routing.** Off (the default), ``sample_weight`` and ``**fit_params`` go to
    ``estimator.fit``, resampled with the rows. With
    ``sklearn.set_config(enable_metadata_routing=True)``, each goes only where it is
    requested: to the sampler's ``fit_resample`` if ``sampler.set_fit_request`` asks for it
    (as in :class:`Pipeline`, a resampler receives what its ``fit`` requests), to
    ``estimator.fit`` (resampled with the rows) if ``estimator.set_fit_request`` asks for it;
    scikit-learn raises if it is requested by neither or left unset.

    Parameters
    ----------
    sampler : object with ``fit_resample``
        skbalance's or imbalanced-learn's resampler, or a pipeline of transformers and
        resamplers (skbalance's or imbalanced-learn's); its transformers also act at predict
        time.
    estimator : classifier
        Fitted on the resampled rows.

    Attributes
    ----------
    sampler_ : the fitted clone of ``sampler``.
    estimator_ : the fitted clone of ``estimator``.
    classes_ : ndarray of shape (n_classes,)
        The estimator's classes.
    n_features_in_ : int
        Number of features of the ``X`` given to ``fit`` (before the sampler transforms it);
        checked at predict time.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of the ``X`` given to ``fit``, when it had string column names; checked
        at predict time.

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
    >>> clf.n_features_in_, np.bincount(y[clf.sampler_.sample_indices_]).tolist()
    (2, [2, 2])
    """

    # ResampledClassifier only passes these on (metadata routing decides where to); a request
    # of its own would be a switch that does nothing.
    __metadata_request__fit = {"sample_weight": UNUSED}
    __metadata_request__score = {"sample_weight": UNUSED}

    def __init__(self, sampler, estimator):
        self.sampler = sampler
        self.estimator = estimator

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Resample ``(X, y)`` (with ``sample_weight``), then fit the estimator on the result.

        Either the fit succeeds, or the classifier is left exactly as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Routing off: resampled with the rows and passed to ``estimator.fit``. Routing
            on: goes where it is requested (see the class docstring).
        **fit_params : dict
            Routing off: passed to ``estimator.fit``; per-row values are resampled with the
            rows. Routing on: routed like ``sample_weight``.

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
        features = _InputFeatures()
        validate_data(features, X, reset=True, skip_check_array=True)
        params = dict(fit_params)
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        sampler = clone(self.sampler)
        if _routing.routing_enabled():
            routed = process_routing(self, "fit", **params)
            X_res, y_res, sampler, _ = _routing.resample_step(
                sampler,
                X,
                y,
                own_params=_routing.own_fit_params(routed[_SAMPLER]),
                routed=routed,
                later=(_ESTIMATOR,),
                carried={},
            )
            estimator_params = routed[_ESTIMATOR].fit
        else:
            X_res, y_res, sampler, _ = _routing.resample_step(sampler, X, y, carried=params)
            estimator_params = params
        estimator = clone(self.estimator).fit(X_res, y_res, **estimator_params)

        # Everything succeeded: only now does the classifier change.
        self.sampler_, self.estimator_ = sampler, estimator
        self.classes_ = getattr(estimator, "classes_", None)
        if self.classes_ is None:
            self.classes_ = np.unique(y_res)
        for attribute in ("n_features_in_", "feature_names_in_"):
            if hasattr(features, attribute):
                setattr(self, attribute, getattr(features, attribute))
            elif attribute in vars(self):
                delattr(self, attribute)
        return self

    def _inference_input(self, X, method: str, params: dict):
        """``X`` as the estimator sees it at predict time, and the estimator's parameters."""
        check_is_fitted(self)
        if hasattr(self, "n_features_in_") and _is_one_dimensional(X):
            raise ValueError(
                f"Expected a 2-dimensional X (a row of {self.n_features_in_} features per "
                "sample, as in fit), got a 1-dimensional one. Reshape your data either using "
                "array.reshape(-1, 1) if your data has a single feature or "
                "array.reshape(1, -1) if it contains a single sample."
            )
        validate_data(self, X, reset=False, skip_check_array=True)
        if _routing.routing_enabled():
            routed = process_routing(self, method, **params)
            sampler_params = routed[_SAMPLER].get("transform", {})
            estimator_params = routed[_ESTIMATOR].get(method, {})
        else:  # as scikit-learn's Pipeline: parameters go to the final step
            sampler_params, estimator_params = {}, params
        return _routing.transform_at_predict(self.sampler_, X, sampler_params), estimator_params

    @available_if(_estimator_has("predict"))
    def predict(self, X, **params):
        """Class labels from the fitted estimator (the sampler transforms, never resamples).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        **params : dict
            Routing off: passed to ``estimator.predict``. Routing on: routed as requested.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        Xt, params = self._inference_input(X, "predict", params)
        return self.estimator_.predict(Xt, **params)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X, **params):
        """Class probabilities from the fitted estimator (the sampler transforms, never
        resamples); parameters as for :meth:`predict`."""
        Xt, params = self._inference_input(X, "predict_proba", params)
        return self.estimator_.predict_proba(Xt, **params)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X, **params):
        """Log class probabilities from the fitted estimator (the sampler transforms, never
        resamples); parameters as for :meth:`predict`."""
        Xt, params = self._inference_input(X, "predict_log_proba", params)
        return self.estimator_.predict_log_proba(Xt, **params)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X, **params):
        """Decision function of the fitted estimator (the sampler transforms, never
        resamples); parameters as for :meth:`predict`."""
        Xt, params = self._inference_input(X, "decision_function", params)
        return self.estimator_.decision_function(Xt, **params)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None, **params):
        """The fitted estimator's ``score`` on ``X`` as the sampler transforms it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to ``estimator.score`` (routing on: if it requests it).
        **params : dict
            Routing on only: metadata requested by the estimator's ``score``.

        Returns
        -------
        score : float
        """
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        Xt, params = self._inference_input(X, "score", params)
        return self.estimator_.score(Xt, y, **params)

    def get_metadata_routing(self):
        """Routing of metadata: as a two-step :class:`Pipeline` ``(sampler, estimator)``.

        The sampler receives in ``fit_resample`` what its ``fit`` requests (and in
        ``transform``, at predict time, what its ``transform`` requests); the estimator
        receives what its methods request.

        Returns
        -------
        MetadataRouter
        """
        return _routing.build_router(self, [(_SAMPLER, self.sampler), (_ESTIMATOR, self.estimator)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Input goes through the sampler (at fit, and its transform at predict) and the
        # estimator: accept sparse input or NaN only when both do.
        parts = []
        for part in (self.sampler, self.estimator):
            try:
                parts.append(get_tags(part).input_tags)
            except (AttributeError, TypeError, ValueError):  # not an estimator: fit says so
                return tags
        tags.input_tags.sparse = all(part.sparse for part in parts)
        tags.input_tags.allow_nan = all(part.allow_nan for part in parts)
        return tags
