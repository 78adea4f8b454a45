"""The class prior a :class:`~skbalance.keras.KerasBalancedClassifier`'s outputs assume.

Every balancing technique trains the network under a class prior that is not the data's: that
is how it makes decisions fair to rare classes, and why the network's probabilities overstate
them. A network trained by cross-entropy on rows whose class ``c`` carries the total weight
``m_c`` (rows after resampling, times class weights, times ``sample_weight``) learns
``q(y | x)``, the posterior under the prior ``q_c = m_c / sum(m)`` with the data's
class-conditional densities. Any other prior ``t`` then follows exactly (Saerens et al. 2002;
Elkan 2001)::

    p_t(y | x)  proportional to  q(y | x) * t_y / q_y,   i.e.   logits + log t - log q

so the correction is a shift of the logits: ``predict`` (the argmax), ``predict_proba`` (their
softmax) and ``decision_function`` stay consistent. This module works out ``q`` - the
*effective training prior* - for every training technique, checks the ``output_prior``
parameter and applies the shift; ``classifier.py`` only routes to it.

- Class weights, resampling once, ``sample_weight``: ``m_c`` = the weighted rows of class
  ``c`` trained on.
- Per-epoch resampling and batch sampling: the expected weighted rows per class of an epoch,
  ``draws_c * mean weight of c``, for the epoch whose weights the model ends with (the last
  one, or the best one under ``early_stopping``): for ``"progressive"`` and deferred
  re-weighting that is the prior in force at the end of training.
- The logit-adjusted and balanced-softmax losses train ``softmax(logits + tau * log pi)`` to
  fit ``q(y | x)`` (``pi`` the class distribution of the rows trained on), so the network's own
  logits assume the prior ``q * pi**-tau`` (renormalised): uniform for ``tau=1`` and no other
  balancing.
- Classifier re-training (cRT) refits the last layer, bias included, on class-balanced batches:
  its prior is equal draws times each class's mean ``sample_weight``.
- Multi-label: each label is its own binary problem, so each label's positive rate is corrected
  on its own: ``logit_j + logit(t_j) - logit(q_j)``.

The focal loss (gamma > 0, or alpha) and LDAM's margins distort the probabilities in a way that
is not a prior shift; there the prior part is still corrected and a
:class:`PriorCorrectionWarning` says that the rest is not.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
from scipy.special import expit, logit
from sklearn.utils._param_validation import StrOptions

__all__ = [
    "OUTPUT_PRIOR_CONSTRAINT",
    "PriorCorrectionWarning",
    "check_output_prior",
    "check_some_mass",
    "corrects",
    "effective_label_rate",
    "effective_prior",
    "expected_epoch_mass",
    "label_mass",
    "loss_log_prior",
    "output_shift",
    "shift_logits",
    "shift_probabilities",
    "target_prior",
    "warn_inexact",
]

OUTPUT_PRIOR_CONSTRAINT = [StrOptions({"train", "data", "uniform"}), "array-like"]


class PriorCorrectionWarning(UserWarning):
    """``output_prior`` asks for a prior correction that is not exact for this training.

    The focal loss and LDAM's margins change the network's probabilities in a way that is not
    a shift of the class prior, so the correction of ``output_prior`` fixes the prior part only
    (resampling, class weights); calibrate on held-out data (``CalibratedClassifierCV``) when
    the probabilities themselves matter.

    Examples
    --------
    >>> import warnings
    >>> from skbalance.keras import PriorCorrectionWarning
    >>> issubclass(PriorCorrectionWarning, UserWarning)
    True
    >>> with warnings.catch_warnings():  # make it an error, e.g. in a test
    ...     warnings.simplefilter("error", PriorCorrectionWarning)
    """


def corrects(output_prior) -> bool:
    """Whether ``output_prior`` asks for a correction (anything but ``"train"``; an array
    is never compared with a string, which NumPy would do element by element)."""
    return not (isinstance(output_prior, str) and output_prior == "train")


def check_output_prior(estimator, classes, *, multilabel: bool) -> np.ndarray | None:
    """The array ``output_prior`` as a target prior (None for a name); checked before any work.

    Single-label: ``n_classes`` finite entries > 0, normalised to sum 1. Multi-label: one
    positive rate per label, each in (0, 1).
    """
    output_prior = estimator.output_prior
    if corrects(output_prior) and estimator.posthoc_adjustment is not None:
        raise ValueError(
            f"output_prior={output_prior!r} and posthoc_adjustment="
            f"{estimator.posthoc_adjustment!r} both set the prior the outputs assume; use one. "
            "posthoc_adjustment=1.0 on a model trained without balancing is "
            "output_prior='uniform'."
        )
    if isinstance(output_prior, str):
        return None
    what, plural = ("label", "labels") if multilabel else ("class", "classes")
    try:
        prior = np.asarray(output_prior, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"output_prior must be 'train', 'data', 'uniform' or one number per {what}; got "
            f"{output_prior!r}."
        ) from None
    if prior.shape != (len(classes),):
        raise ValueError(
            f"output_prior has shape {prior.shape}, but y has {len(classes)} {plural} "
            f"{np.asarray(classes).tolist()}: give one prior per {what}, in classes_ order."
        )
    if not np.all(np.isfinite(prior)):
        raise ValueError(f"output_prior must be finite; got {prior.tolist()}.")
    if multilabel:
        if np.any((prior <= 0) | (prior >= 1)):
            raise ValueError(
                "output_prior for a multi-label y is each label's positive rate, strictly "
                f"between 0 and 1; got {prior.tolist()}."
            )
        return prior
    if np.any(prior < 0):
        raise ValueError(f"output_prior has negative entries: {prior.tolist()}.")
    if prior.sum() == 0:
        raise ValueError(
            f"output_prior sums to zero ({prior.tolist()}); give each class a positive share."
        )
    if np.any(prior == 0):
        missing = np.asarray(classes)[prior == 0].tolist()
        raise ValueError(
            f"output_prior gives classes {missing} prior 0, so they could never be predicted "
            "and their logits would be -inf; give them a small positive share."
        )
    return prior / prior.sum()


def _exact_loss_reason(estimator, *, multilabel: bool) -> str | None:
    """Why the prior correction is not exact for this loss, or None when it is."""
    loss = estimator.loss
    if isinstance(loss, keras.losses.Loss):
        from skbalance.keras.losses import LogitAdjustedLoss

        plain = (
            keras.losses.SparseCategoricalCrossentropy,
            keras.losses.CategoricalCrossentropy,
            keras.losses.BinaryCrossentropy,
        )
        smoothing = getattr(loss, "_fn_kwargs", {}).get("label_smoothing", 0.0)
        if isinstance(loss, plain) and not smoothing:
            return None
        if isinstance(loss, LogitAdjustedLoss) and not multilabel:
            return None
        return (
            f"no exact prior correction is known for a {type(loss).__name__} instance (exact: "
            "Keras' cross-entropies without label smoothing and LogitAdjustedLoss)"
        )
    if loss == "focal" and (estimator.gamma > 0 or estimator.alpha is not None):
        return (
            "the focal loss (gamma > 0 or alpha) reshapes the probabilities in a way that is "
            "not a prior shift"
        )
    if loss == "ldam":
        return "LDAM's per-class margins distort the probabilities in a way that is not a shift"
    if loss in ("asymmetric", "distribution_balanced"):
        return f"loss={loss!r} reshapes the probabilities in a way that is not a prior shift"
    return None


def warn_inexact(estimator, *, multilabel: bool) -> None:
    """Warn, once per fit, when ``output_prior`` asks for a correction that is not exact."""
    if not corrects(estimator.output_prior):
        return
    reason = _exact_loss_reason(estimator, multilabel=multilabel)
    if reason is not None:
        warnings.warn(
            f"output_prior={estimator.output_prior!r}: {reason}. Only the prior of the "
            "resampling and weights is corrected; calibrate on held-out data "
            "(sklearn.calibration.CalibratedClassifierCV) if the probabilities matter.",
            PriorCorrectionWarning,
            stacklevel=3,
        )


def loss_log_prior(estimator, class_counts: np.ndarray, n_rows: int, *, multilabel: bool):
    """The log-prior term the loss adds to the logits in training (0 for most losses).

    ``loss="logit_adjusted"`` adds ``tau * log(pi)`` (per label: ``tau * logit(pi)``) and
    ``"balanced_softmax"`` ``log(pi)``, ``pi`` being the class distribution (positive rates) of
    the rows trained on; a :class:`~skbalance.keras.losses.LogitAdjustedLoss` instance its own.
    """
    loss = estimator.loss
    counts = np.asarray(class_counts, dtype=np.float64)
    if isinstance(loss, keras.losses.Loss):
        from skbalance.keras.losses import LogitAdjustedLoss

        if isinstance(loss, LogitAdjustedLoss) and not multilabel:
            counts, tau = np.asarray(loss.class_counts, dtype=np.float64), loss.tau
        else:
            return 0.0
    elif loss == "logit_adjusted":
        tau = float(estimator.tau)
    elif loss == "balanced_softmax":
        tau = 1.0
    else:
        return 0.0
    if multilabel:
        return tau * logit(counts / n_rows)
    return tau * np.log(counts / counts.sum())


def effective_prior(class_mass: np.ndarray, loss_term) -> np.ndarray:
    """The prior of the network's logits: ``class_mass * exp(-loss_term)``, normalised."""
    with np.errstate(divide="ignore"):  # a class of weight 0 has prior 0
        log_prior = np.log(np.asarray(class_mass, dtype=np.float64)) - loss_term
    log_prior -= np.max(log_prior)
    prior = np.exp(log_prior)
    return prior / prior.sum()


def effective_label_rate(label_mass: np.ndarray, loss_term) -> np.ndarray:
    """Each label's effective positive rate from its ``(positive, negative)`` weighted rows."""
    positive, negative = np.asarray(label_mass, dtype=np.float64)
    with np.errstate(divide="ignore"):
        log_odds = np.log(positive) - np.log(negative) - loss_term
    return expit(log_odds)


def expected_epoch_mass(
    pool_codes: np.ndarray,
    pool_weights,
    *,
    n_classes: int,
    rows_per_epoch: int,
    shares,
    class_weights,
) -> np.ndarray:
    """Expected weighted rows per class of an epoch drawn from a pool.

    Class ``c`` gets ``rows_per_epoch * shares[c]`` draws (in expectation), each a pool row of
    ``c`` drawn uniformly, so of ``c``'s mean weight; times its class weight, if applied.
    """
    counts = np.bincount(pool_codes, minlength=n_classes).astype(np.float64)
    weight = counts if pool_weights is None else np.bincount(
        pool_codes, weights=pool_weights, minlength=n_classes
    )
    mean_weight = np.divide(weight, counts, out=np.zeros(n_classes), where=counts > 0)
    mass = rows_per_epoch * np.asarray(shares, dtype=np.float64) * mean_weight
    return mass if class_weights is None else mass * class_weights


def label_mass(Y: np.ndarray, sample_weight, label_weight) -> np.ndarray:
    """Weighted positive and negative rows of each label, shape (2, n_labels): the rows'
    ``sample_weight`` times the loss's per-label positive and negative weights."""
    Y = np.asarray(Y, dtype=np.float64)
    weight = np.ones(len(Y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    positive = weight @ Y
    negative = weight.sum() - positive
    return np.stack([positive * label_weight.positive, negative * label_weight.negative])


def target_prior(output_prior, given: np.ndarray | None, *, data, effective, multilabel: bool):
    """The prior the outputs assume: ``output_prior`` resolved (``given``: its checked array)."""
    if given is not None:
        return given
    if output_prior == "train":  # a name here: an array came as `given`
        return effective
    if output_prior == "data":
        return np.asarray(data, dtype=np.float64)
    n = len(effective)
    return np.full(n, 0.5) if multilabel else np.full(n, 1.0 / n)


def output_shift(effective, target, *, multilabel: bool) -> np.ndarray:
    """The shift of the logits from the ``effective`` prior to ``target``: ``log t - log q``
    (per label: ``logit(t) - logit(q)``)."""
    effective = np.asarray(effective, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if multilabel:
        return logit(target) - logit(effective)
    return np.log(target) - np.log(effective)


def shift_logits(logits: np.ndarray, shift) -> np.ndarray:
    """``logits + shift``, as float32; a single-unit binary network (the log-odds of class 1)
    moves by ``shift[1] - shift[0]``."""
    shift = np.asarray(shift, dtype=np.float64)
    if logits.shape[1] == 1 and shift.size == 2:
        return (logits + (shift[1] - shift[0])).astype(np.float32)
    return (logits + shift[None, :]).astype(np.float32)


def shift_probabilities(probabilities, source, target, *, multilabel: bool) -> np.ndarray:
    """Probabilities that assume the prior ``source``, moved to ``target``: the shift of
    :func:`output_shift` applied to their logarithms (per label: to their log-odds), float64.

    The same correction as the logits', for when only ``predict_proba`` is at hand (a
    pipeline); a probability of 0 stays 0.
    """
    shift = output_shift(source, target, multilabel=multilabel)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    with np.errstate(divide="ignore"):
        if multilabel:
            return expit(logit(probabilities) + shift)
        log_p = np.log(probabilities) + shift
    log_p -= np.max(log_p, axis=1, keepdims=True)
    moved = np.exp(log_p)
    return moved / moved.sum(axis=1, keepdims=True)


def check_some_mass(class_mass: np.ndarray, classes, output_prior) -> None:
    """A class trained with total weight 0 has effective prior 0: no prior can be put back."""
    if not corrects(output_prior):
        return
    empty = np.asarray(class_mass) <= 0
    if np.any(empty):
        raise ValueError(
            f"output_prior={output_prior!r} cannot correct the outputs: classes "
            f"{np.asarray(classes)[empty].tolist()} are trained with total weight 0 (class "
            "weight or sample_weight), so the network's prior for them is 0. Give them a "
            "positive weight or leave output_prior='train'."
        )
