"""Resamplers with imbalanced-learn's API: ``fit_resample(X, y[, sample_weight=...])``.

Over-samplers (:class:`RandomOverSampler`, :class:`SMOTE`, :class:`BorderlineSMOTE`,
:class:`ADASYN`), under-samplers (:class:`RandomUnderSampler`), cleaning samplers
(:class:`TomekLinks`, :class:`EditedNearestNeighbours`) and their combinations
(:class:`SMOTETomek`, :class:`SMOTEENN`). They accept ndarrays of any rank >= 2 (images,
sequences), scipy sparse matrices and pandas objects, and return the same container types.
Importing this package never imports TensorFlow or imbalanced-learn.
"""

from ._base import BaseResampler
from ._centroids import ClusterCentroids
from ._cleaning import EditedNearestNeighbours, TomekLinks
from ._combine import SMOTEENN, SMOTETomek
from ._condensed import CondensedNearestNeighbour, OneSidedSelection
from ._hardness import InstanceHardnessThreshold
from ._nearest import ExactNearestNeighbors
from ._random import RandomOverSampler, RandomUnderSampler
from ._smote import ADASYN, SMOTE, BorderlineSMOTE

__all__ = [
    "ADASYN",
    "BaseResampler",
    "BorderlineSMOTE",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "ExactNearestNeighbors",
    "InstanceHardnessThreshold",
    "OneSidedSelection",
    "RandomOverSampler",
    "RandomUnderSampler",
    "SMOTE",
    "SMOTEENN",
    "SMOTETomek",
    "TomekLinks",
]
