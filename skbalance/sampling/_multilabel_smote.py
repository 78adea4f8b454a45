"""MLSMOTE: synthetic rows for the minority labels, whose label sets follow their neighbours.

F. Charte, A. J. Rivera, M. J. del Jesus, F. Herrera, "MLSMOTE: Approaching imbalanced
multilabel learning through synthetic instance generation", Knowledge-Based Systems
89:385-397, 2015 (algorithm 1).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import StrOptions

from ._base import ResamplePlan, generator_from
from ._multilabel import MultilabelResampler
from ._nearest import NEIGHBORS_CONSTRAINT, nearest, neighbors_param
from ._smote import _interpolate
from ._threads import N_JOBS_CONSTRAINT

__all__ = ["MLSMOTE"]

_LABEL_SETS = ("ranking", "union", "intersection")


class MLSMOTE(MultilabelResampler):
    """Multilabel SMOTE (Charte et al. 2015, Knowledge-Based Systems, algorithm 1).

    For every *minority* label (``IRLbl > MeanIR``, see :func:`irlbl` and :func:`mean_ir`),
    every row that has the label (its *bag*) seeds one synthetic row:

    - its ``k_neighbors`` nearest rows within the bag are found (exact Euclidean search);
    - the features lie at a uniform random point of the segment from the row to one of those
      neighbours drawn at random, ``x + gap * (x_neighbour - x)``, as :class:`SMOTE` does;
    - the label set comes from the row and all its ``k_neighbors`` neighbours:
      ``'ranking'`` (the paper's choice) keeps the labels that more than half of these
      ``k_neighbors + 1`` rows have; ``'union'`` the labels any of them has;
      ``'intersection'`` those all of them have. Every bag member has the minority label, so
      each synthetic row has it.

    The minority labels, their bags and the neighbours are all taken from the input rows
    (as in mldr.resampling, the paper's authors' reference implementation), so the result
    does not depend on the order of the labels. The output holds every input row, in order,
    then the synthetic rows grouped by minority label. A row at ``gap`` from parent ``a``
    towards ``b`` gets the sample weight ``w_a + gap * (w_b - w_a)``, as in :class:`SMOTE`.

    The paper's pseudo-code draws the interpolation factor inside its loop over features;
    one factor per row is drawn here, as SMOTE's text and every SMOTE implementation do, so
    that a synthetic row lies on the segment between its parents. X must be numeric (for
    categorical columns the paper takes the neighbours' most frequent value; encode them
    first).

    Parameters
    ----------
    k_neighbors : int or estimator with ``fit`` and ``kneighbors``, default=5
        Neighbours per row (the paper uses 5). Every minority label needs
        ``k_neighbors + 1`` rows. An int uses skbalance's exact search; an estimator (such
        as ``NearestNeighbors(n_neighbors=6)``, whose count includes the row itself, as in
        imbalanced-learn) is fitted on each bag instead.
    label_set : {'ranking', 'union', 'intersection'}, default='ranking'
        How a synthetic row's labels are chosen (see above).
    random_state : None, int or RandomState, default=None
        Seed of the draws; an int makes ``fit_resample`` repeatable whatever the global seed.
    n_jobs : int, default=None
        Threads of the exact neighbour search; ``None`` uses every usable core.

    Attributes
    ----------
    irlbl_ : ndarray of shape (n_labels,)
        IRLbl of every label in the input.
    mean_ir_ : float
        MeanIR of the input.
    minority_labels_ : ndarray of int
        Column positions of the minority labels, in the order their rows are appended.
    nn_k_ : estimator
        The k-NN estimator used (``ExactNearestNeighbors(k_neighbors + 1)`` for an int).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X is a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import MLSMOTE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 3))
    >>> Y = np.zeros((40, 3), dtype=int); Y[:, 0] = 1; Y[:30, 1] = 1; Y[30:, 2] = 1
    >>> X_res, Y_res = MLSMOTE(k_neighbors=3, random_state=0).fit_resample(X, Y)
    >>> Y.sum(axis=0).tolist(), Y_res.sum(axis=0).tolist()  # label 2 is the minority
    ([40, 30, 10], [50, 30, 20])
    """

    _sampling_type = "over-sampling"
    _selects_rows = False
    _needs_distances = True
    _parameter_constraints: dict = {
        **MultilabelResampler._parameter_constraints,
        "k_neighbors": NEIGHBORS_CONSTRAINT,
        "label_set": [StrOptions(set(_LABEL_SETS))],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def __init__(self, *, k_neighbors=5, label_set="ranking", random_state=None, n_jobs=None):
        self.k_neighbors = k_neighbors
        self.label_set = label_set
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _check_data(self, target):
        k = neighbors_param(self, "k_neighbors", "nn_k_")
        self.minority_labels_ = np.flatnonzero(self.irlbl_ > self.mean_ir_)
        counts = target.counts
        small = [label for label in self.minority_labels_ if counts[label] < k + 1]
        if small:
            listed = ", ".join(f"{target.names[j]!r} ({counts[j]} rows)" for j in small)
            raise ValueError(
                f"MLSMOTE needs k_neighbors + 1 = {k + 1} rows with each minority label, to "
                f"find k_neighbors={k} neighbours among them; label(s) {listed} have fewer. "
                f"Lower k_neighbors to at most {max(min(counts[j] for j in small) - 1, 0)}, "
                "or use MultilabelRandomOverSampler for such rare labels."
            )

    def _plan_rows(self, X, labels, random_state):
        rng = generator_from(random_state)
        k = self.nn_k_.n_neighbors - 1  # checked by neighbors_param: the row itself counts
        parts = []
        for label in self.minority_labels_:
            bag = np.flatnonzero(labels[:, label])
            neighbours = bag[nearest(self.nn_k_, X[bag], k)]  # (len(bag), k) input rows
            chosen = neighbours[np.arange(len(bag)), rng.integers(0, k, size=len(bag))]
            gaps = rng.random(len(bag))
            votes = labels[bag].astype(np.intp) + labels[neighbours].sum(axis=1)
            if self.label_set == "ranking":
                label_rows = votes > (k + 1) / 2
            elif self.label_set == "union":
                label_rows = votes > 0
            else:
                label_rows = votes == k + 1
            parts.append((_interpolate(X, bag, chosen, gaps), bag, chosen, gaps, label_rows))
        originals = np.arange(X.shape[0])
        if not parts:
            return ResamplePlan(originals), None
        new, parent_a, parent_b, gaps, label_rows = zip(*parts, strict=True)
        stack = sparse.vstack if sparse.issparse(X) else np.concatenate
        parent_a = np.concatenate(parent_a)
        plan = ResamplePlan(
            originals,
            stack(new) if len(new) > 1 else new[0],
            # the plan counts synthetic rows by their codes; Y is written from label_rows
            np.zeros(len(parent_a), dtype=np.intp),
            parent_a,
            np.concatenate(parent_b),
            np.concatenate(gaps),
        )
        return plan, np.concatenate(label_rows)
