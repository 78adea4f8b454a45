"""Pipelines in which resamplers change the rows while fitting, and only then.

- :class:`Pipeline` / :func:`make_pipeline`: a ``sklearn.pipeline.Pipeline`` that also takes
  resampler steps (anything with ``fit_resample``: skbalance's or imbalanced-learn's). During
  ``fit``/``fit_transform``/``fit_predict`` a resampler replaces ``(X, y)`` by its output and
  every per-row fit parameter of the later steps (``sample_weight``, ...) is resampled with
  the rows; ``predict``/``transform``/``score`` skip it.
- :class:`ResampledClassifier`: a resampler and a classifier as one classifier, so that a
  resampler can sit in a *plain* scikit-learn pipeline and be grid-searched.

How per-row parameters follow the rows is in ``skbalance._routing``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.pipeline import Pipeline as _SklearnPipeline
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, check_memory, column_or_1d

from skbalance import _routing

# Re-exported here, its documented home; it lives in its own module (one concept per module).
from skbalance._resampled_classifier import ResampledClassifier

__all__ = ["Pipeline", "ResampledClassifier", "make_pipeline"]


class Pipeline(_SklearnPipeline):
    """A scikit-learn ``Pipeline`` whose steps may also be resamplers.

    Any step with a ``fit_resample`` method (skbalance's or imbalanced-learn's samplers, or a
    nested :class:`Pipeline` that contains one) changes the training rows during ``fit``,
    ``fit_transform`` and ``fit_predict``, and is skipped by ``predict``, ``predict_proba``,
    ``decision_function``, ``transform`` and ``score``: predictions are always made for the
    rows you pass.

    Per-row fit parameters of later steps (``sample_weight`` and any other fit parameter with
    one entry per row) are resampled together with the rows, with metadata routing off
    (``pipe.fit(X, y, clf__sample_weight=w)``) or on (``pipe.fit(X, y, sample_weight=w)``
    after ``clf.set_fit_request(sample_weight=True)``). Rows are matched through the weight
    returned by ``fit_resample(X, y, sample_weight=w)`` when the resampler accepts it (needed
    for synthetic rows, e.g. SMOTE, which interpolates it between the parents) and otherwise
    through its ``sample_indices_``; a per-row parameter that cannot be matched is a
    ``ValueError``. In a pipeline that resamples, every ``sample_weight`` is checked before any
    step is fitted, by the rule of every skbalance training path: one finite weight >= 0 per
    row, not all zero.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        Transformers, resamplers, ``"passthrough"`` or ``None``; the last one may be any
        estimator.
    transform_input : list of str, default=None
        Names of fit metadata (e.g. a validation set) to pass through the fitted steps before
        they reach a step, as in scikit-learn; resamplers are skipped for them, and they are
        never resampled. Needs metadata routing on.
    memory : str, joblib.Memory or None, default=None
        Caches fitted transformers *and* resamplers (with their output), as scikit-learn's.
    verbose : bool, default=False
        Print the time taken by each step while fitting.

    Attributes
    ----------
    named_steps : Bunch
        The steps by name (fitted after ``fit``).
    sample_indices_ : ndarray of shape (n_resampled,)
        Only after :meth:`fit_resample`, when every resampler selects existing rows: the
        original row of each output row.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.under_sampling import RandomUnderSampler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.pipeline import make_pipeline
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0] * 8 + [1] * 2)
    >>> pipe = make_pipeline(RandomUnderSampler(random_state=0), LogisticRegression())
    >>> w = np.linspace(1.0, 2.0, 10)
    >>> pipe = pipe.fit(X, y, logisticregression__sample_weight=w)  # w is resampled too
    >>> pipe.predict(X).shape  # predict is not resampled
    (10,)
    """

    def _iter(self, with_final=True, filter_passthrough=True):
        # Private scikit-learn hook used by every inference method (see skbalance._routing).
        return _routing.inference_steps(
            self.steps, with_final=with_final, filter_passthrough=filter_passthrough
        )

    def _fit_steps(self, X, y, params: dict, method: str, carried: dict):
        """Fit every step but the last; return ``(Xt, yt, routed_params, row_indices)``.

        ``row_indices`` maps each output row to its input row, or is None once a resampler
        without ``sample_indices_`` has run.

        ``carried`` holds extra per-row arrays (a nested pipeline's own ``sample_weight``) that
        must follow the rows; they are updated in place.
        """
        _routing.check_steps(self)
        self.steps = list(self.steps)  # shallow copy, as scikit-learn does
        resamples = any(_routing.is_resampler(step) for _, step in self.steps)
        if resamples and getattr(y, "ndim", 1) == 2 and y.shape[1] == 1:
            # Resamplers flatten a column y silently; warn as a classifier given it would.
            y = column_or_1d(y, warn=True)
        n_samples, n_labels = _routing.n_rows(X), _routing.n_rows(y)
        if resamples and None not in (n_samples, n_labels) and n_samples != n_labels:
            # Some resamplers (imbalanced-learn's) would silently accept the mismatch.
            raise ValueError(
                f"X has {n_samples} rows but y has {n_labels} labels; pass one label per row."
            )
        names = [name for name, _ in self.steps]
        routed = _routing.route(self, method, params, names)
        if resamples and n_samples is not None:
            _routing.check_routed_weights(routed, carried, n_samples)
        memory = check_memory(self.memory)
        caching = getattr(memory, "location", None) is not None
        fit_transform_one = memory.cache(_routing.fit_transform_one)
        fit_resample_rows = memory.cache(_routing.fit_resample_rows)
        indices = np.arange(_routing.n_rows(X) or 0)

        for idx, (name, step) in enumerate(self.steps[:-1]):
            # As scikit-learn, a "passthrough" step is logged too (verbose=True).
            with _routing.log_step("Pipeline", self._step_message(idx)):
                if _routing.is_passthrough(step):
                    continue
                # As scikit-learn: clone only when caching, so a cached fit can be reused.
                step = clone(step) if caching else step
                if _routing.is_resampler(step):
                    X, y, step, indices = _routing.resample_step(
                        step,
                        X,
                        y,
                        own_params=_routing.own_fit_params(routed.get(name)),
                        routed=routed,
                        later=names[idx + 1 :],
                        carried=carried,
                        indices=indices,
                        fit_resample_rows=fit_resample_rows,
                        exclude=self.transform_input or (),
                    )
                else:
                    X, step = fit_transform_one(step, X, y, self._step_params(idx, routed))
            self.steps[idx] = (name, step)
        return X, y, routed, indices

    def _step_params(self, idx: int, routed: dict) -> dict:
        """The routed parameters of step ``idx``, with ``transform_input`` ones transformed
        by the (already fitted) steps before it; resamplers are skipped, as at predict time."""
        idx = idx % len(self.steps)
        step_params = routed.get(self.steps[idx][0], {})
        if not self.transform_input or idx == 0:
            return step_params
        before = self[:idx]
        out = {}
        for method, method_params in step_params.items():
            out[method] = {
                key: _routing.transform_value(before, value)
                if key in self.transform_input
                else value
                for key, value in method_params.items()
            }
        return out

    def _step_message(self, idx: int):
        if not self.verbose:
            return None
        return f"(step {idx + 1} of {len(self.steps)}) Processing {self.steps[idx][0]}"

    def _final(self):
        return self.steps[-1]

    def _last_step(self):
        # For available_if checks, which may run before fit has validated `steps`.
        try:
            return self.steps[-1][1]
        except (IndexError, TypeError, ValueError):
            return None

    def _can_fit_transform(self) -> bool:
        final = self._last_step()
        return _routing.is_passthrough(final) or (
            hasattr(final, "transform") or hasattr(final, "fit_transform")
        )

    def fit(self, X, y=None, **params):
        """Fit the steps in order; resamplers change the rows (and per-row params) they pass on.

        Parameters
        ----------
        X : array-like
            Training data.
        y : array-like, default=None
            Training targets.
        **params : dict
            Routing off: ``step__param`` for the fit method of ``step``. Routing on: metadata
            requested by the steps. Per-row values are resampled with the rows.

        Returns
        -------
        self : Pipeline
        """
        Xt, yt, routed, _ = self._fit_steps(X, y, params, "fit", {})
        name, final = self._final()
        with _routing.log_step("Pipeline", self._step_message(len(self.steps) - 1)):
            if _routing.is_passthrough(final):
                pass
            elif _routing.is_resampler(final) and not hasattr(final, "fit"):
                final.fit_resample(Xt, yt, **_routing.own_fit_params(routed.get(name)))
            else:
                final.fit(Xt, yt, **self._step_params(-1, routed).get("fit", {}))
        return self

    @available_if(_can_fit_transform)
    def fit_transform(self, X, y=None, **params):
        """Fit all steps and return the (resampled) transformed training data."""
        Xt, yt, routed, _ = self._fit_steps(X, y, params, "fit_transform", {})
        name, final = self._final()
        with _routing.log_step("Pipeline", self._step_message(len(self.steps) - 1)):
            if _routing.is_passthrough(final):
                return Xt
            step_params = self._step_params(-1, routed)
            if hasattr(final, "fit_transform"):
                return final.fit_transform(Xt, yt, **step_params.get("fit_transform", {}))
            final.fit(Xt, yt, **step_params.get("fit", {}))
            return final.transform(Xt, **step_params.get("transform", {}))

    @available_if(lambda self: hasattr(self._last_step(), "fit_predict"))
    def fit_predict(self, X, y=None, **params):
        """Fit all steps and return ``fit_predict`` of the last one, on the resampled rows.

        As in imbalanced-learn, the result has one entry per *resampled* row; use
        ``fit(X, y).predict(X)`` for predictions on the rows you passed.
        """
        Xt, yt, routed, _ = self._fit_steps(X, y, params, "fit_predict", {})
        name, final = self._final()
        with _routing.log_step("Pipeline", self._step_message(len(self.steps) - 1)):
            params_last = self._step_params(-1, routed)
            return final.fit_predict(Xt, yt, **params_last.get("fit_predict", {}))

    def _can_transform(self) -> bool:
        # A pipeline that ends in a resampler transforms with its other steps at predict time.
        final = self._last_step()
        return _routing.is_passthrough(final) or (
            hasattr(final, "transform") or _routing.skipped_at_inference(final)
        )

    @available_if(_can_transform)
    def transform(self, X, **params):
        """Apply every transformer in turn; resamplers are skipped.

        Parameters
        ----------
        X : array-like
            Data to transform.
        **params : dict
            Metadata requested by the steps' ``transform`` (metadata routing on only).

        Returns
        -------
        Xt : the transformed data, one row per row of ``X``.
        """
        check_is_fitted(self)
        routed = _routing.route_inference(self, "transform", params)
        for _, name, step in self._iter():
            X = step.transform(X, **routed.get(name, {}).get("transform", {}))
        return X

    def _can_fit_resample(self) -> bool:
        # A pipeline resamples when it contains a resampler and does not end in a predictor,
        # so that it can itself be a step of an outer pipeline.
        final = self._last_step()
        ends_in_transform = (
            _routing.is_passthrough(final)
            or _routing.is_resampler(final)
            or hasattr(final, "transform")
        )
        try:
            return ends_in_transform and any(_routing.is_resampler(s) for _, s in self.steps)
        except (TypeError, ValueError):  # `steps` not validated yet: fit will report it
            return False

    @available_if(_can_fit_resample)
    def fit_resample(self, X, y, sample_weight=None, **params):
        """Fit the steps and return the resampled, transformed training rows.

        This is what makes a pipeline of transformers and resamplers usable as a resampler
        step of an outer pipeline.

        Parameters
        ----------
        X, y : array-like
            Training data.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights to carry through the resamplers (not given to any step).
        **params : dict
            Fit parameters of the steps, as for :meth:`fit`.

        Returns
        -------
        X_res, y_res : resampled data; and ``sample_weight_res`` if ``sample_weight`` is given.
        """
        carried = {}
        if sample_weight is not None:
            _routing.check_sample_weight(sample_weight, _routing.n_rows(X))
            carried["sample_weight"] = sample_weight
        Xt, yt, routed, indices = self._fit_steps(X, y, params, "fit", carried)
        name, final = self._final()
        with _routing.log_step("Pipeline", self._step_message(len(self.steps) - 1)):
            if _routing.is_resampler(final):
                Xt, yt, final, indices = _routing.resample_step(
                    final,
                    Xt,
                    yt,
                    own_params=_routing.own_fit_params(routed.get(name)),
                    carried=carried,
                    indices=indices,
                )
            elif not _routing.is_passthrough(final):
                Xt, _ = _routing.fit_transform_one(final, Xt, yt, self._step_params(-1, routed))
        if indices is not None:
            self.sample_indices_ = indices
        elif hasattr(self, "sample_indices_"):
            del self.sample_indices_
        if sample_weight is None:
            return Xt, yt
        return Xt, yt, carried["sample_weight"]

    def get_metadata_routing(self):
        """Routing of metadata to the steps; a resampler step receives what its ``fit`` requests.

        Returns
        -------
        MetadataRouter
        """
        return _routing.build_router(self, self.steps)


def make_pipeline(*steps, memory=None, transform_input=None, verbose=False) -> Pipeline:
    """Build a :class:`Pipeline`, naming each step after its class (lower case).

    Examples
    --------
    >>> from imblearn.over_sampling import SMOTE
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skbalance.pipeline import make_pipeline
    >>> [name for name, _ in make_pipeline(StandardScaler(), SMOTE(), LogisticRegression()).steps]
    ['standardscaler', 'smote', 'logisticregression']
    """
    return Pipeline(
        _routing.name_steps(steps), memory=memory, transform_input=transform_input, verbose=verbose
    )
