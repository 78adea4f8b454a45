"""ML-ROS and ML-RUS: random over- and under-sampling by label (Charte et al. 2015).

F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera, "Addressing imbalance in multilabel
classification: Measures and random resampling algorithms", Neurocomputing 163:3-16, 2015,
section 4.2 (algorithms 3 and 4). Both select rows only, from ``Y`` alone.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import ResamplePlan, generator_from
from ._multilabel import MultilabelResampler, samples_for

__all__ = ["MultilabelRandomOverSampler", "MultilabelRandomUnderSampler"]


class MultilabelRandomOverSampler(MultilabelResampler):
    """ML-ROS: clone rows of the minority labels until they are no longer minority.

    Charte et al. (2015), algorithm 3. A label is *minority* when its imbalance ratio
    ``IRLbl`` (see :func:`irlbl`) is above the data set's ``MeanIR`` (:func:`mean_ir`), both
    measured on the input. Each minority label has a *bag*: the input rows that have it. The
    bags take turns; each turn clones one row of the bag drawn at random (with replacement),
    and a bag leaves the rotation once its label's IRLbl, recomputed on the growing data set
    (a clone adds to every label it has), is at most the original MeanIR. Cloning stops after
    ``floor(n_samples * percentage / 100)`` clones, or earlier when every bag has left.

    Two details the paper's pseudo-code leaves open are fixed here: the data set grows by
    *exactly* that many rows (the pseudo-code finishes the round of bags, which can overshoot
    by up to one clone per bag), and cloning ends when every bag has left (the pseudo-code
    would loop forever).

    Parameters
    ----------
    percentage : float, default=25
        ``P`` of the paper: the data set grows by at most ``P`` percent of its rows
        (Charte et al. evaluate 10, 20 and 25).
    random_state : None, int or RandomState, default=None
        Seed of the draws; an int makes ``fit_resample`` repeatable whatever the global seed.

    Attributes
    ----------
    irlbl_ : ndarray of shape (n_labels,)
        IRLbl of every label in the input.
    mean_ir_ : float
        MeanIR of the input.
    minority_labels_ : ndarray of int
        Column positions of the minority labels (IRLbl > MeanIR), in bag order.
    sample_indices_ : ndarray
        Input row of every output row: all input rows in order, then the clones
        (``X_res == X[sample_indices_]``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X is a DataFrame with string column names.

    See Also
    --------
    MultilabelRandomUnderSampler : ML-RUS, the under-sampling twin.
    MLSMOTE : synthetic rows instead of clones.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import MultilabelRandomOverSampler
    >>> X = np.arange(20).reshape(10, 2)
    >>> Y = np.array([[1, 0]] * 8 + [[1, 1]] * 2)  # label 1 is four times rarer
    >>> X_res, Y_res = MultilabelRandomOverSampler(random_state=0).fit_resample(X, Y)
    >>> Y_res.sum(axis=0).tolist()  # 10 rows grow by 25%: two clones of label-1 rows
    [12, 4]
    """

    _sampling_type = "over-sampling"
    _selects_rows = True
    _parameter_constraints: dict = {
        **MultilabelResampler._parameter_constraints,
        "percentage": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, *, percentage=25, random_state=None):
        self.percentage = percentage
        self.random_state = random_state

    def _check_data(self, target):
        self.minority_labels_ = np.flatnonzero(self.irlbl_ > self.mean_ir_)

    def _plan_rows(self, X, labels, random_state):
        n_samples = labels.shape[0]
        n_clones = samples_for(self.percentage, n_samples)
        bags = [np.flatnonzero(labels[:, label]) for label in self.minority_labels_]
        # one uniform draw per clone, taken from the estimator's own generator
        draws = generator_from(random_state).random(n_clones)
        counts = labels.sum(axis=0).astype(np.int64)
        active = list(range(len(bags)))
        clones: list[int] = []
        turn = 0
        while len(clones) < n_clones and active:
            bag_index = active[turn]
            bag = bags[bag_index]
            row = int(bag[min(int(draws[len(clones)] * len(bag)), len(bag) - 1)])
            clones.append(row)
            counts += labels[row]
            label = self.minority_labels_[bag_index]
            if counts.max() / counts[label] <= self.mean_ir_:
                active.pop(turn)  # no longer minority: the next bag takes this turn
            else:
                turn += 1
            if turn >= len(active):
                turn = 0
        indices = np.concatenate([np.arange(n_samples), np.asarray(clones, dtype=np.intp)])
        return ResamplePlan(indices), None


class MultilabelRandomUnderSampler(MultilabelResampler):
    """ML-RUS: delete rows of the majority labels until they are no longer majority.

    Charte et al. (2015), algorithm 4. A label is *majority* when its imbalance ratio
    ``IRLbl`` (see :func:`irlbl`) is below the data set's ``MeanIR`` (:func:`mean_ir`), both
    measured on the input. Each majority label has a *bag*: the rows that have it. The bags
    take turns; each turn deletes one row of the bag, drawn at random among the rows not yet
    deleted, and a bag leaves the rotation once its label's IRLbl, recomputed on the shrinking
    data set, is at least the original MeanIR (or every row of the bag is gone). Deleting
    stops after ``floor(n_samples * percentage / 100)`` rows, or earlier when every bag has
    left. As in the paper, a deleted row may also have minority labels.

    Parameters
    ----------
    percentage : float, default=25
        ``P`` of the paper: at most ``P`` percent of the rows are deleted (0 < P < 100).
    random_state : None, int or RandomState, default=None
        Seed of the draws; an int makes ``fit_resample`` repeatable whatever the global seed.

    Attributes
    ----------
    irlbl_ : ndarray of shape (n_labels,)
        IRLbl of every label in the input.
    mean_ir_ : float
        MeanIR of the input.
    majority_labels_ : ndarray of int
        Column positions of the majority labels (IRLbl < MeanIR), in bag order.
    sample_indices_ : ndarray
        The input rows kept, in input order (``X_res == X[sample_indices_]``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X is a DataFrame with string column names.

    See Also
    --------
    MultilabelRandomOverSampler : ML-ROS, the over-sampling twin.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import MultilabelRandomUnderSampler
    >>> X = np.arange(28).reshape(14, 2)
    >>> Y = np.array([[1, 0, 0]] * 10 + [[0, 1, 0]] * 2 + [[0, 0, 1]] * 2)
    >>> sampler = MultilabelRandomUnderSampler(random_state=0)
    >>> X_res, Y_res = sampler.fit_resample(X, Y)
    >>> Y_res.sum(axis=0).tolist()  # 14 rows shrink by 25%: three rows of label 0 go
    [7, 2, 2]
    """

    _sampling_type = "under-sampling"
    _selects_rows = True
    _parameter_constraints: dict = {
        **MultilabelResampler._parameter_constraints,
        "percentage": [Interval(Real, 0, 100, closed="neither")],
    }

    def __init__(self, *, percentage=25, random_state=None):
        self.percentage = percentage
        self.random_state = random_state

    def _check_data(self, target):
        self.majority_labels_ = np.flatnonzero(self.irlbl_ < self.mean_ir_)

    def _plan_rows(self, X, labels, random_state):
        n_samples = labels.shape[0]
        n_delete = samples_for(self.percentage, n_samples)
        rng = generator_from(random_state)
        # Walking a random permutation of a bag, skipping rows already deleted (through
        # another bag), draws uniformly among the bag's remaining rows at each turn.
        orders = [rng.permutation(np.flatnonzero(labels[:, j])) for j in self.majority_labels_]
        next_position = [0] * len(orders)
        deleted = np.zeros(n_samples, dtype=bool)
        counts = labels.sum(axis=0).astype(np.int64)
        active = list(range(len(orders)))
        n_deleted = turn = 0
        while n_deleted < n_delete and active:
            bag_index = active[turn]
            order, position = orders[bag_index], next_position[bag_index]
            while position < len(order) and deleted[order[position]]:
                position += 1
            label = self.majority_labels_[bag_index]
            if position < len(order):
                row = order[position]
                position += 1
                deleted[row] = True
                n_deleted += 1
                counts -= labels[row]
            next_position[bag_index] = position
            if counts[label] == 0 or counts.max() / counts[label] >= self.mean_ir_:
                active.pop(turn)  # no longer majority: the next bag takes this turn
            else:
                turn += 1
            if turn >= len(active):
                turn = 0
        return ResamplePlan(np.flatnonzero(~deleted)), None
