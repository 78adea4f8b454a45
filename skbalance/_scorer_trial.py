"""Metrics tried on a few made-up rows before anything is trained.

A scikit-learn scorer only finds out at scoring time that it cannot score the target
(``roc_auc`` on three classes, ``f1`` on string labels or on an indicator matrix) or that the
estimator lacks the response it reads (``neg_log_loss`` without ``predict_proba``): after the
first fits, once per strategy. Here each scorer is run on a fitted stand-in with fixed
responses and a target of the same kind as the user's (the same classes, or the same number of
labels), which takes milliseconds. The one home of that trial, for one label per row
(:mod:`skbalance.compare`) and for indicator targets (:mod:`skbalance._compare_multilabel`).

Nothing here imports Keras.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = [
    "RESPONSE_METHODS",
    "classifier_tags",
    "FixedResponses",
    "indicator_stand_in",
    "is_sklearn_scorer",
    "needed_methods",
    "offered_methods",
    "reason",
    "single_label_stand_in",
    "trial_error",
]

RESPONSE_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function")


def classifier_tags():
    """The tags by which scikit-learn's scorers take a stand-in for a fitted classifier."""
    from sklearn.utils import ClassifierTags, Tags, TargetTags

    return Tags(
        estimator_type="classifier",
        target_tags=TargetTags(required=True),
        classifier_tags=ClassifierTags(),
    )


class FixedResponses:
    """A fitted classifier stand-in that answers ``methods`` with fixed arrays."""

    def __init__(self, classes, responses: dict, methods=RESPONSE_METHODS):
        self.classes_ = classes
        self._responses = {name: responses[name] for name in methods if name in responses}

    def __sklearn_tags__(self):
        return classifier_tags()

    def __getattr__(self, name: str):
        responses = self.__dict__.get("_responses", {})
        if name not in responses:
            raise AttributeError(name)

        def respond(X):
            return responses[name]

        respond.__name__ = name  # scikit-learn post-processes a response by the method's name
        return respond


def offered_methods(estimator) -> tuple[str, ...]:
    """The response methods an (unfitted) estimator offers: ``hasattr`` follows scikit-learn's
    ``available_if`` (a Pipeline asks its last step, ``SVC`` its ``probability``)."""
    return tuple(name for name in RESPONSE_METHODS if hasattr(estimator, name))


def single_label_stand_in(classes, methods=RESPONSE_METHODS):
    """``(stand-in, y)`` for one label per row: two rows of every class, half predicted
    right, probabilities that favour the predicted class."""
    classes = np.asarray(classes)
    k = len(classes)
    truth = np.r_[np.arange(k), np.arange(k)]
    predicted = np.r_[np.arange(k), (np.arange(k) + 1) % k]
    proba = np.full((2 * k, k), 0.2 / (k - 1))
    proba[np.arange(2 * k), predicted] = 0.8
    scores = np.log(proba)
    responses = {
        "predict": classes[predicted],
        "predict_proba": proba,
        "predict_log_proba": scores,
        "decision_function": scores[:, 1] - scores[:, 0] if k == 2 else scores,
    }
    return FixedResponses(classes, responses, methods), classes[truth]


def indicator_stand_in(n_labels: int, methods=RESPONSE_METHODS):
    """``(stand-in, Y)`` for an indicator target: four rows where every label has both values."""
    Y = np.zeros((4, n_labels), dtype=np.int64)
    Y[0], Y[2, ::2], Y[3, 1::2] = 1, 1, 1
    proba = 0.2 + 0.6 * Y[[0, 3, 1, 2]]
    responses = {
        "predict": Y[[0, 1, 3, 2]],
        "predict_proba": proba,
        "predict_log_proba": np.log(proba),
        "decision_function": np.log(proba) - np.log1p(-proba),
    }
    return FixedResponses([np.array([0, 1])] * n_labels, responses, methods), Y


def is_sklearn_scorer(scorer) -> bool:
    """Whether ``scorer`` reads the estimator's responses through scikit-learn (``make_scorer``
    / ``get_scorer``); any other callable gets the estimator itself and is not tried."""
    from sklearn.metrics._scorer import _BaseScorer  # the base of every make_scorer object

    return isinstance(scorer, _BaseScorer)


def trial_error(scorer, stand_in, y) -> Exception | None:
    """The exception ``scorer`` raises on the stand-in and ``y``, or None when it scores."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # undefined precision and such on a few rows
            scorer(stand_in, np.zeros((len(y), 1)), y)
    except Exception as exc:  # whatever the metric raises is what the user would see later
        return exc
    return None


def reason(exc: Exception) -> str:
    """The first line of an exception's message, without its final full stop."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__).rstrip(".")


def needed_methods(scorer) -> str:
    """``predict_proba or decision_function``: what a scorer reads, in words."""
    methods = getattr(scorer, "_response_method", "predict")
    return " or ".join([methods] if isinstance(methods, str) else methods)
