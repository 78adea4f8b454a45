"""Resamplers with imbalanced-learn's API: ``fit_resample(X, y[, sample_weight=...])``.

Over-samplers (:class:`RandomOverSampler`, :class:`SMOTE`, :class:`BorderlineSMOTE`,
:class:`SVMSMOTE`, :class:`KMeansSMOTE`, :class:`ADASYN`, and :class:`SMOTENC` and
:class:`SMOTEN` for categorical columns), under-samplers (:class:`RandomUnderSampler`,
:class:`NearMiss`, :class:`CondensedNearestNeighbour`, :class:`OneSidedSelection`,
:class:`InstanceHardnessThreshold`, :class:`ClusterCentroids`), cleaning samplers
(:class:`TomekLinks`, :class:`EditedNearestNeighbours`,
:class:`RepeatedEditedNearestNeighbours`, :class:`AllKNN`,
:class:`NeighbourhoodCleaningRule`), combinations (:class:`SMOTETomek`, :class:`SMOTEENN`)
and :class:`FunctionSampler` (any function as a sampler). They accept ndarrays of any rank
>= 2 (images, sequences), scipy sparse matrices and pandas objects, and return the same
container types. Importing this package never imports TensorFlow or imbalanced-learn.

Multi-label targets (an indicator matrix ``Y``): :class:`MultilabelRandomOverSampler`,
:class:`MultilabelRandomUnderSampler`, :class:`MLSMOTE`, and the imbalance measures
:func:`irlbl`, :func:`mean_ir` and :func:`cvir` they use (Charte et al. 2015).
"""

from ._base import BaseResampler
from ._centroids import ClusterCentroids
from ._cleaning import EditedNearestNeighbours, TomekLinks
from ._combine import SMOTEENN, SMOTETomek
from ._condensed import CondensedNearestNeighbour, OneSidedSelection
from ._edited import AllKNN, RepeatedEditedNearestNeighbours
from ._function import FunctionSampler
from ._hardness import InstanceHardnessThreshold
from ._multilabel import cvir, irlbl, mean_ir
from ._multilabel_random import MultilabelRandomOverSampler, MultilabelRandomUnderSampler
from ._multilabel_smote import MLSMOTE
from ._ncr import NeighbourhoodCleaningRule
from ._nearest import ExactNearestNeighbors
from ._nearmiss import NearMiss
from ._random import RandomOverSampler, RandomUnderSampler
from ._smote import ADASYN, SMOTE, BorderlineSMOTE
from ._smote_filtered import SVMSMOTE, KMeansSMOTE
from ._smote_nc import SMOTEN, SMOTENC

__all__ = [
    "ADASYN",
    "AllKNN",
    "BaseResampler",
    "BorderlineSMOTE",
    "ClusterCentroids",
    "CondensedNearestNeighbour",
    "EditedNearestNeighbours",
    "ExactNearestNeighbors",
    "FunctionSampler",
    "InstanceHardnessThreshold",
    "KMeansSMOTE",
    "MLSMOTE",
    "MultilabelRandomOverSampler",
    "MultilabelRandomUnderSampler",
    "NearMiss",
    "NeighbourhoodCleaningRule",
    "OneSidedSelection",
    "RandomOverSampler",
    "RandomUnderSampler",
    "RepeatedEditedNearestNeighbours",
    "SMOTE",
    "SMOTEENN",
    "SMOTEN",
    "SMOTENC",
    "SMOTETomek",
    "SVMSMOTE",
    "TomekLinks",
    "cvir",
    "irlbl",
    "mean_ir",
]
