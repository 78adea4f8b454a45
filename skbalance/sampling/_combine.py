"""Over-sampling followed by cleaning: SMOTETomek and SMOTEENN."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._base import BaseResampler
from ._cleaning import EditedNearestNeighbours, TomekLinks
from ._smote import SMOTE

__all__ = ["SMOTETomek", "SMOTEENN"]


class _SMOTEThenClean(BaseResampler):
    _sampling_type = "over-sampling"
    _needs_distances = True
    _cleaner_param = ""

    def _default_cleaner(self):
        raise NotImplementedError

    def _make_smote(self) -> SMOTE:
        if self.smote is None:
            return SMOTE(
                sampling_strategy=self.sampling_strategy,
                random_state=self.random_state,
                n_jobs=self.n_jobs,
            )
        return clone(self.smote)

    def _check_params(self, counts, classes, targets):
        if self.smote is None:  # same strategy: its checks apply to these targets now
            self._make_smote()._check_params(counts, classes, targets)

    def _plan(self, data):
        self._plan_checks(data)
        random_state = check_random_state(self.random_state)
        self.smote_ = self._make_smote()
        cleaner = getattr(self, self._cleaner_param)
        cleaner = self._default_cleaner() if cleaner is None else clone(cleaner)
        setattr(self, self._cleaner_param + "_", cleaner)
        X, codes = data.matrix, data.codes
        grown = self.smote_._run_on_arrays(X, data.classes, codes, random_state)
        if grown.n_new:
            stack = sparse.vstack if sparse.issparse(X) else np.concatenate
            X = stack([X, grown.new_rows])
            codes = np.concatenate([codes, grown.new_codes])
        cleaned = cleaner._run_on_arrays(X, data.classes, codes, random_state)
        return grown.then(cleaned.indices)


class SMOTETomek(_SMOTEThenClean):
    """SMOTE, then remove the Tomek links of the grown data set (Batista et al., 2003).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Passed to the default SMOTE.
    random_state : None, int or RandomState, default=None
    smote : SMOTE, default=None
        Over-sampler to use (cloned); default ``SMOTE(k_neighbors=5)``.
    tomek : TomekLinks, default=None
        Cleaner to use (cloned); default ``TomekLinks(sampling_strategy='all')``.
    n_jobs : int, default=None
        Threads for the default samplers' neighbour search.

    Attributes
    ----------
    sampling_strategy_, smote_, tomek_

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import SMOTETomek
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(40, 2)), np.array([0] * 30 + [1] * 10)
    >>> X_res, y_res = SMOTETomek(random_state=0).fit_resample(X, y)
    >>> bool(np.bincount(y_res)[1] <= 30)
    True
    """

    _cleaner_param = "tomek"

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, smote=None, tomek=None, n_jobs=None
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.tomek = tomek
        self.n_jobs = n_jobs

    def _default_cleaner(self):
        return TomekLinks(sampling_strategy="all", n_jobs=self.n_jobs)


class SMOTEENN(_SMOTEThenClean):
    """SMOTE, then Edited Nearest Neighbours on the grown data set (Batista et al., 2004).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Passed to the default SMOTE.
    random_state : None, int or RandomState, default=None
    smote : SMOTE, default=None
        Over-sampler to use (cloned); default ``SMOTE(k_neighbors=5)``.
    enn : EditedNearestNeighbours, default=None
        Cleaner to use (cloned); default ``EditedNearestNeighbours(sampling_strategy='all')``.
    n_jobs : int, default=None
        Threads for the default samplers' neighbour search.

    Attributes
    ----------
    sampling_strategy_, smote_, enn_

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.sampling import SMOTEENN
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(40, 2)), np.array([0] * 30 + [1] * 10)
    >>> X_res, y_res = SMOTEENN(random_state=0).fit_resample(X, y)
    >>> len(y_res) < 60
    True
    """

    _cleaner_param = "enn"

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, smote=None, enn=None, n_jobs=None
    ):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.enn = enn
        self.n_jobs = n_jobs

    def _default_cleaner(self):
        return EditedNearestNeighbours(sampling_strategy="all", n_jobs=self.n_jobs)
