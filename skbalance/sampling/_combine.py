"""Over-sampling followed by cleaning: SMOTETomek and SMOTEENN."""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.utils import check_random_state

from ._base import BaseResampler
from ._cleaning import EditedNearestNeighbours, TomekLinks
from ._smote import ADASYN, SMOTE, BorderlineSMOTE, _SMOTEBase
from ._strategy import resolve_sampling_strategy
from ._threads import N_JOBS_CONSTRAINT

__all__ = ["SMOTETomek", "SMOTEENN"]


class _SMOTEThenClean(BaseResampler):
    """SMOTE, then a cleaner on the grown data.

    One rule for the over-sampling step: a ``smote`` passed in runs with its own
    ``sampling_strategy`` and ``random_state`` (imbalanced-learn's rule), except that when
    its ``random_state`` is None the combined sampler's ``random_state`` seeds it. The
    combined sampler's ``sampling_strategy`` configures the default SMOTE only; setting it
    together with ``smote`` is an error rather than a silently ignored parameter.
    ``sampling_strategy_`` is what the over-sampling step did: label -> rows added.
    """

    _sampling_type = "over-sampling"
    _needs_distances = True
    _cleaner_param = ""
    _parameter_constraints: dict = {
        **BaseResampler._parameter_constraints,
        "random_state": ["random_state"],
        "smote": [SMOTE, BorderlineSMOTE, ADASYN, None],
        "n_jobs": N_JOBS_CONSTRAINT,
    }

    def _default_cleaner(self):
        raise NotImplementedError

    def _check_components(self) -> None:
        # the types of smote and the cleaner are _parameter_constraints
        if self.smote is not None and not _is_default(self.sampling_strategy):
            raise ValueError(
                f"{type(self).__name__} got both smote={self.smote!r} and sampling_strategy="
                f"{self.sampling_strategy!r}; the SMOTE passed in uses its own "
                "sampling_strategy. Set it on that SMOTE (or leave smote=None)."
            )

    def _make_smote(self) -> _SMOTEBase:
        if self.smote is None:
            return SMOTE(
                sampling_strategy=self.sampling_strategy,
                random_state=self.random_state,
                n_jobs=self.n_jobs,
            )
        return clone(self.smote)

    def _plan_checks(self, data):
        self._check_components()
        super()._plan_checks(data)
        smote = self._make_smote()
        smote._validate_params()
        strategy, targets = resolve_sampling_strategy(
            smote.sampling_strategy, data.classes, data.codes, smote._sampling_type
        )
        smote._check_params(data.counts, data.classes, targets)
        self.sampling_strategy_ = strategy  # what the over-sampling step adds
        return targets

    def _validate_estimator(self) -> None:
        """Set ``smote_`` and the cleaner (``tomek_``/``enn_``), unfitted: the components a
        fit will use (imbalanced-learn's method of the same name, which its tests call)."""
        self.smote_ = self._make_smote()
        cleaner = getattr(self, self._cleaner_param)
        cleaner = self._default_cleaner() if cleaner is None else clone(cleaner)
        setattr(self, self._cleaner_param + "_", cleaner)

    def _plan(self, data):
        self._plan_checks(data)
        self._validate_estimator()
        smote, cleaner = self.smote_, getattr(self, self._cleaner_param + "_")
        seed = smote.random_state if smote.random_state is not None else self.random_state
        X, codes = data.matrix, data.codes
        grown = smote._run_on_arrays(X, data.classes, codes, check_random_state(seed))
        if grown.n_new:
            stack = sparse.vstack if sparse.issparse(X) else np.concatenate
            X = stack([X, grown.new_rows])
            codes = np.concatenate([codes, grown.new_codes])
        # the cleaners draw nothing at random: any state will do
        cleaned = cleaner._run_on_arrays(X, data.classes, codes, check_random_state(0))
        self.sampling_strategy_ = smote.sampling_strategy_
        return grown.then(cleaned.indices)


def _is_default(sampling_strategy) -> bool:
    return isinstance(sampling_strategy, str) and sampling_strategy == "auto"


class SMOTETomek(_SMOTEThenClean):
    """SMOTE, then remove the Tomek links of the grown data set (Batista et al., 2003).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Used by the default SMOTE. With ``smote`` given, leave it at 'auto' and set the
        strategy on that SMOTE (setting both is a ``ValueError``).
    random_state : None, int or RandomState, default=None
        Seeds the default SMOTE, or a ``smote`` passed in whose ``random_state`` is None.
    smote : SMOTE, BorderlineSMOTE or ADASYN, default=None
        Over-sampler to use (cloned), with its own ``sampling_strategy`` and
        ``random_state``; default ``SMOTE(k_neighbors=5)``.
    tomek : TomekLinks, default=None
        Cleaner to use (cloned); default ``TomekLinks(sampling_strategy='all')``.
    n_jobs : int, default=None
        Threads for the default samplers' neighbour search.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        What the over-sampling step did: label -> number of rows added (the cleaning step's
        targets are in ``tomek_.sampling_strategy_``).
    smote_, tomek_ : the fitted over-sampler and cleaner.

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
    _parameter_constraints: dict = {
        **_SMOTEThenClean._parameter_constraints,
        "tomek": [TomekLinks, None],
    }

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
        Used by the default SMOTE. With ``smote`` given, leave it at 'auto' and set the
        strategy on that SMOTE (setting both is a ``ValueError``).
    random_state : None, int or RandomState, default=None
        Seeds the default SMOTE, or a ``smote`` passed in whose ``random_state`` is None.
    smote : SMOTE, BorderlineSMOTE or ADASYN, default=None
        Over-sampler to use (cloned), with its own ``sampling_strategy`` and
        ``random_state``; default ``SMOTE(k_neighbors=5)``.
    enn : EditedNearestNeighbours, default=None
        Cleaner to use (cloned); default ``EditedNearestNeighbours(sampling_strategy='all')``.
    n_jobs : int, default=None
        Threads for the default samplers' neighbour search.

    Attributes
    ----------
    sampling_strategy_ : OrderedDict
        What the over-sampling step did: label -> number of rows added (the cleaning step's
        targets are in ``enn_.sampling_strategy_``).
    smote_, enn_ : the fitted over-sampler and cleaner.

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
    _parameter_constraints: dict = {
        **_SMOTEThenClean._parameter_constraints,
        "enn": [EditedNearestNeighbours, None],
    }

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
