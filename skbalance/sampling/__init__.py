"""Resamplers with imbalanced-learn's API: ``fit_resample(X, y[, sample_weight=...])``.

Over-samplers (:class:`RandomOverSampler`, :class:`SMOTE`, :class:`BorderlineSMOTE`,
:class:`ADASYN`, :class:`SMOTENC` and :class:`SMOTEN` for categorical columns),
under-samplers (:class:`RandomUnderSampler`), cleaning samplers (:class:`TomekLinks`,
:class:`EditedNearestNeighbours`) and their combinations (:class:`SMOTETomek`,
:class:`SMOTEENN`). They accept ndarrays of any rank >= 2 (images,
sequences), scipy sparse matrices and pandas objects, and return the same container types.
Importing this package never imports TensorFlow or imbalanced-learn.
"""

from ._base import BaseResampler
from ._cleaning import EditedNearestNeighbours, TomekLinks
from ._combine import SMOTEENN, SMOTETomek
from ._nearest import ExactNearestNeighbors
from ._random import RandomOverSampler, RandomUnderSampler
from ._smote import ADASYN, SMOTE, BorderlineSMOTE
from ._smote_nc import SMOTEN, SMOTENC

__all__ = [
    "ADASYN",
    "BaseResampler",
    "BorderlineSMOTE",
    "EditedNearestNeighbours",
    "ExactNearestNeighbors",
    "RandomOverSampler",
    "RandomUnderSampler",
    "SMOTE",
    "SMOTEENN",
    "SMOTEN",
    "SMOTENC",
    "SMOTETomek",
    "TomekLinks",
]
