"""KerasBalancedClassifier: a Keras network as a scikit-learn classifier with balancing built in.

Class weights, imbalance-aware losses and resamplers are plain parameters, so ``GridSearchCV``
can search over them and ``cross_validate`` can score them like any scikit-learn classifier.

Inside ``fit`` each concern has one home, so new training methods slot in without touching
the others: :meth:`KerasBalancedClassifier._make_training_source` (resampling, class weights,
the batch feed), :meth:`~KerasBalancedClassifier._make_loss`,
:func:`skbalance.keras._model.build_network` (the network) and
:meth:`~KerasBalancedClassifier._make_callbacks`. The long-tail methods (per-epoch resampling,
balanced batches, deferred re-weighting, post-hoc adjustment, classifier re-training) live in
:mod:`skbalance.keras._longtail`.
"""

from __future__ import annotations

import contextlib
import math
from numbers import Integral, Real
from typing import NamedTuple

import keras
import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _get_feature_names,
    _num_features,
    check_is_fitted,
    check_X_y,
    validate_data,
)

from skbalance._labels import encode_labels
from skbalance._rows import check_sample_weight, check_weighted_rows
from skbalance.keras._longtail import (
    LONGTAIL_CONSTRAINTS,
    adjust_logits,
    check_longtail_params,
    choose_posthoc_tau,
    deferred_epoch,
    epoch_feed,
    head_layer,
    retrain_head,
    uses_epoch_feed,
)
from skbalance.keras._model import (
    build_network,
    check_finite_weights,
    check_network_output,
    load_weights,
)
from skbalance.keras._multilabel import (
    MULTILABEL_ONLY_LOSSES,
    check_label_options,
    check_label_output,
    check_single_label_options,
    check_training_labels,
    holdout_rows,
    is_indicator,
    label_training_source,
    make_label_loss,
    read_indicator,
)
from skbalance.keras._prior import (
    OUTPUT_PRIOR_CONSTRAINT,
    check_output_prior,
    check_some_mass,
    corrects,
    effective_label_rate,
    effective_prior,
    expected_epoch_mass,
    loss_log_prior,
    output_shift,
    shift_logits,
    target_prior,
    warn_inexact,
)
from skbalance.keras._training import (
    LOSSES,
    array_feed,
    check_loss_instance,
    make_loss,
    no_retracing_warning,
    resample_once,
)
from skbalance.weights import LabelWeights, compute_class_weight, compute_sample_weight

__all__ = ["KerasBalancedClassifier"]

# Most executions that "auto" folds into one call: enough to amortise the per-call overhead of
# Keras' training loop (measured: 2-4x faster for a small MLP at batch_size=32), small enough
# that the progress bar and batch-level callbacks still update often.
_AUTO_STEPS_PER_EXECUTION = 128
# Learning rate of an optimizer given by name when learning_rate is None (Adam's default).
_DEFAULT_LEARNING_RATE = 1e-3
# Rows per forward pass at predict time: bounds memory on large inputs.
_PREDICT_CHUNK = 8192


class _TrainingSource(NamedTuple):
    """What ``model.fit`` trains on, and the facts about it the loss needs."""

    # A Keras data adapter serving seeded epochs on every backend: an ArrayFeed or a
    # BalancedDataset (see skbalance.keras._serving).
    data: object
    class_counts: np.ndarray  # rows per class (class-index order) the network is trained on
    n_rows: int
    class_weight: dict  # label -> weight, computed on the rows trained on
    # epoch -> weighted rows per class code served that epoch (expected, for a per-epoch
    # feed); per label (2, n_labels): weighted positive and negative rows. See _prior.
    class_mass: object


class _Architecture(NamedTuple):
    """What the network of a fit is built from; a warm start must keep all of it."""

    model: object  # the model parameter itself: compared by identity
    hidden_units: tuple[int, ...]
    row_shape: tuple[int, ...]


class KerasBalancedClassifier(ClassifierMixin, BaseEstimator):
    """A Keras network as a scikit-learn classifier, with class-imbalance handling built in.

    Class weights, imbalance-aware losses (focal, logit-adjusted, balanced softmax, LDAM) and
    resamplers are parameters, so they can be grid-searched and cross-validated.

    Parameters
    ----------
    model : None, callable or keras.Model, default=None
        The network. ``None`` builds an MLP with ``hidden_units`` ReLU layers (and ``dropout``)
        and one logit per class; N-D inputs are flattened first. A callable is called as
        ``model(input_shape, n_classes)`` at every fit and must return a new ``keras.Model``
        each time (one it returned before is refused, as refitting it would continue its
        training) that outputs logits: one unit per class, or one unit for a binary problem
        (one unit per label for an indicator ``y``, called with ``n_classes = n_labels``).
        A ``keras.Model`` instance is cloned with fresh weights at every fit; your object is
        never trained.
        A final softmax/sigmoid (as a layer's ``activation`` or a ``Softmax``/``Activation``
        layer) is removed, since the network must output logits; a network whose outputs
        still look like probabilities, whatever layer computes them (a ``Lambda``, a custom
        layer), is rejected: see Notes.
    hidden_units : tuple of int, default=(64, 64)
        Hidden layer sizes of the default MLP (ignored with a user model).
    dropout : float in [0, 1), default=0.0
        Dropout rate after each hidden layer of the default MLP.
    loss : str or keras.losses.Loss, default="cross_entropy"
        ``"cross_entropy"``, ``"focal"`` (with ``gamma``, ``alpha``), ``"logit_adjusted"``
        (with ``tau``), ``"balanced_softmax"`` or ``"ldam"``; the last three need one unit
        per class and take their class counts from the training fold (after resampling). A
        Keras loss instance is used as given: it receives integer class indices and logits,
        so it must accept them (e.g. ``SparseCategoricalCrossentropy(from_logits=True)``).
        With an indicator ``y`` (multi-label) each label is its own sigmoid problem:
        ``"cross_entropy"`` (per-label binary cross-entropy), ``"focal"``
        (:class:`~skbalance.keras.MultilabelFocalLoss`), ``"asymmetric"``
        (:class:`~skbalance.keras.AsymmetricLoss`, with ``gamma_pos``, ``gamma_neg``,
        ``clip``), ``"logit_adjusted"`` (:class:`~skbalance.keras.MultilabelLogitAdjustedLoss`
        with ``tau``) and ``"distribution_balanced"``
        (:class:`~skbalance.keras.DistributionBalancedLoss`); the last two take each label's
        positive rate from the rows trained on. A loss instance then receives the 0/1 float
        matrix and logits (e.g. ``BinaryCrossentropy(from_logits=True)``).
    gamma : float, default=2.0
        Focusing parameter of ``loss="focal"``.
    alpha : None, float or sequence of float, default=None
        Class balancing of ``loss="focal"`` (see :class:`skbalance.keras.FocalLoss`; for an
        indicator ``y``, the positives' weight in [0, 1], one or one per label).
    tau : float, default=1.0
        Strength of ``loss="logit_adjusted"``.
    gamma_pos : float, default=0.0
        Focusing parameter of the positives, ``loss="asymmetric"`` only (indicator ``y``).
    gamma_neg : float, default=4.0
        Focusing parameter of the negatives, ``loss="asymmetric"`` only.
    clip : float in [0, 1), default=0.05
        Probability margin of the negatives, ``loss="asymmetric"`` only (Ridnik et al. 2021;
        the three defaults are the paper's).
    class_weight : None, {"balanced", "effective_number", "sqrt_inverse"} or dict, default=None
        Per-class weights (see :func:`skbalance.weights.compute_class_weight`), computed on the
        rows the network trains on (after resampling) and keyed by your labels. They multiply
        ``sample_weight``. Validation rows are never re-weighted. With an indicator ``y`` they
        are per-label weights inside the loss, not row weights (see
        :func:`skbalance.weights.compute_label_weight`): a strategy weighs each label's
        positives against its negatives; a dict (keyed by column name for a DataFrame ``y``,
        else by position) or an array of ``n_labels`` numbers gives positive weights.
    beta : float in [0, 1), default=0.999
        Used by ``class_weight="effective_number"``.
    sampler : object with ``fit_resample(X, y)`` or None, default=None
        A resampler (skbalance's or imbalanced-learn's), cloned and applied to the training
        rows after the validation split: every epoch or once, see ``resample``. N-D inputs
        are reshaped to 2-D for it. An indicator ``y`` needs a multi-label sampler
        (``MultilabelRandomOverSampler``, ``MultilabelRandomUnderSampler``, ``MLSMOTE``),
        redrawn every epoch or applied once alike (see docs/classifier.md).
    resample : {"epoch", "once"}, default="epoch"
        With a ``sampler``: ``"epoch"`` redraws the resample every epoch, by row index,
        through a :class:`~skbalance.keras.BalancedDataset` (no resampled copy of ``X``);
        ``"once"`` resamples once per fit and trains on the copy.
    batch_sampling : {"instance", "class", "sqrt", "progressive"}, default="instance"
        Class shares of each epoch (Kang et al. 2020): natural, equal, proportional to
        ``sqrt(n_c)``, or moving from natural to equal over the ``epochs``.
    class_weight_from_epoch : int or float in (0, 1), default=0
        Deferred re-weighting (DRW, Cao et al. 2019): ``class_weight`` applies from this epoch
        (counted from 0) on; a float is a fraction of ``epochs`` (0.8: the last fifth, rounded
        down), which follows ``set_params(epochs=...)``. Needs a ``class_weight``; an int must
        be below ``epochs``.
    posthoc_adjustment : None, float >= 0 or "auto", default=None
        Post-hoc logit adjustment (Menon et al. 2021): predictions use ``logits - tau *
        log(class_prior_)``. A float is ``tau``; ``"auto"`` picks it from 0, 0.1, ..., 2 for
        the best balanced accuracy on the validation split (needs ``validation_fraction``).
    output_prior : {"train", "data", "uniform"} or array-like of shape (n_classes,), \
            default="train"
        The class prior the outputs (``predict_proba``, ``decision_function``, ``predict``)
        assume. ``"train"``: the network's own, i.e. the *effective training prior*
        (``effective_prior_``) that balancing put in; ``"data"``: the class frequencies of the
        ``y`` given to ``fit`` (unweighted), so the probabilities are calibrated for data
        distributed like it; ``"uniform"``: equal priors (balanced decisions); an array: a
        deployment prior you know, normalised (each entry > 0). The logits are shifted by
        ``log(output_prior_) - log(effective_prior_)``, the exact prior-shift correction
        (Saerens et al. 2002), so ``predict`` stays the argmax of ``predict_proba``. With an
        indicator ``y``: each label's positive rate (an array: one rate in (0, 1) per label;
        ``"uniform"``: 0.5), each logit shifted by ``logit(target) - logit(effective)``.
        Exclusive with ``posthoc_adjustment``. Losses whose effect is not a prior shift
        (focal with gamma > 0 or alpha, LDAM, asymmetric, distribution-balanced, unknown loss
        instances) get a :class:`~skbalance.keras.PriorCorrectionWarning`: only the
        prior of the resampling and weights is corrected. See docs/classifier.md,
        *Calibrated probabilities*.
    head_retrain_epochs : int, default=0
        Classifier re-training (cRT, Kang et al. 2020): after training, freeze every layer but
        the last one with weights and retrain it for this many epochs on class-balanced
        batches of the training rows.
    optimizer : str or keras.optimizers.Optimizer, default="adam"
        A name is built with ``learning_rate``; an instance is copied from its config so that
        it is never shared between fits (with ``learning_rate`` set, that rate replaces its
        own).
    learning_rate : None or float, default=None
        The optimizer's learning rate. None: 1e-3 for an optimizer given by name, an
        instance's own rate (or schedule) for an instance. A number applies to both, so that
        ``set_params(learning_rate=...)`` always takes effect.
    epochs : int, default=20
        Passes over the training rows (fewer with ``early_stopping``).
    batch_size : int, default=32
        Rows per gradient step; the last batch of an epoch may be smaller.
    steps_per_execution : "auto" or int, default="auto"
        Batches run per call into the compiled training step (Keras' ``compile`` option). It
        changes speed, not results. ``"auto"`` uses ``min(128, batches per epoch)`` (1 on
        PyTorch, whose Keras trainer takes no more, and under a strategy). Callbacks'
        batch-level hooks run once per execution; set 1 if yours need every batch.
    validation_fraction : float in [0, 1), default=0.0
        Share of the rows held out, stratified, *before* resampling and re-weighting, to
        compute ``val_loss`` (in ``history_``) and to drive ``early_stopping``. An indicator
        ``y`` is held out by iterative stratification: one of ``k = round(1 /
        validation_fraction)`` folds (at least 2) of
        :class:`~skbalance.model_selection.IterativeStratifiedKFold`, so the share is ``1 / k``.
    early_stopping : bool, default=False
        Stop when the monitored loss (``val_loss`` with a validation split, else the training
        ``loss``) has not improved for ``patience`` epochs, and restore the best weights.
    patience : int, default=5
        Epochs without improvement before early stopping.
    callbacks : list of keras.callbacks.Callback or None, default=None
        Extra Keras callbacks, passed to ``model.fit`` as given.
    verbose : int, default=0
        0 is silent; 1 or 2 shows Keras' progress output.
    random_state : None, int or numpy.random.RandomState, default=None
        Seeds the weight initialisation, dropout, shuffling, the validation split and the
        sampler's seed when it has none. The same int gives the same model (on CPU, on each
        backend); a ``RandomState`` is advanced by one draw per fit. The default MLP's
        initializers and dropout layers get explicit seeds; a ``model`` callable or a cloned
        ``keras.Model`` is built in a seed scope private to the building thread and to the
        build (Keras' default seeds come from ``random.Random(seed)`` there), so other
        threads - a Dask worker's - cannot disturb it. Python's, NumPy's, Keras' and
        TensorFlow's global random states are never reseeded or advanced (see
        docs/classifier.md, *Reproducibility*).
    warm_start : bool, default=False
        A refit continues from the weights of the existing ``model_``: a network built from the
        same ``model`` (and ``hidden_units``) gets a copy of them and is trained, so ``model_``
        itself is never changed by a refit that fails. Every refit compiles that network
        afresh, with the current ``loss``, ``optimizer`` and ``learning_rate`` (the optimizer's
        state, e.g. Adam's moments, starts anew) and the class counts of this fit's rows. The
        classes, the row shape, ``model`` and (for the default MLP) ``hidden_units`` must be
        those of the previous fit, else a ``ValueError`` says what changed; every training
        parameter (``dropout``, ``class_weight``, ``sampler``, ...) may change.
    distribution_strategy : None or tf.distribute.Strategy, default=None
        Build, compile and train the network inside ``strategy.scope()``: e.g.
        ``MirroredStrategy`` for the GPUs of one machine, ``MultiWorkerMirroredStrategy`` for
        several machines. ``batch_size`` is then the *global* batch, split over the
        ``num_replicas_in_sync`` replicas (scale it with them to keep the per-device batch).
        ``steps_per_execution="auto"`` is 1 under a strategy (Keras 3.15 fails with more).
        Cloned by deep copy; a strategy cannot be pickled, so set it to None before saving a
        fitted classifier. TensorFlow backend only.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels seen in ``fit``, sorted; ``np.arange(n_labels)`` for an indicator ``y``.
    n_classes_ : int
        ``len(classes_)`` (the number of labels for an indicator ``y``).
    n_features_in_ : int
        Features (for N-D input, the size of the second axis) seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.
    model_ : keras.Model
        The trained network (outputs logits).
    history_ : dict of str -> list of float
        Per-epoch training loss (and ``val_loss``), as plain Python data.
    class_weight_ : dict or LabelWeights
        Label -> class weight actually used (1.0 for every class without ``class_weight``);
        for an indicator ``y``, the per-label ``(positive, negative)`` weights of
        :func:`skbalance.weights.compute_label_weight`.
    n_iter_ : int
        Epochs run in the last fit (without ``head_retrain_epochs``).
    class_prior_ : ndarray of shape (n_classes,)
        Class distribution the network was trained on (after resampling; with a per-epoch
        feed, that of the first epoch's draw): the prior of ``posthoc_adjustment``. For an
        indicator ``y``, each label's positive rate in those rows.
    posthoc_tau_ : float
        The post-hoc adjustment's tau applied at predict time (0.0 without it).
    effective_prior_ : ndarray of shape (n_classes,)
        The class prior the network's own logits assume, worked out from how it was trained:
        the weighted rows per class trained on (after resampling; class weights times
        ``sample_weight``), for a per-epoch feed the expected rows of the epoch the weights
        come from (the last one, or the best with ``early_stopping``: for DRW and
        ``"progressive"`` the prior in force at the end), divided by ``prior ** tau`` for the
        logit-adjusted and balanced-softmax losses; class-balanced for cRT. For an indicator
        ``y``, each label's effective positive rate.
    output_prior_ : ndarray of shape (n_classes,)
        The prior the outputs assume (``output_prior`` resolved; ``effective_prior_`` for
        ``"train"``; with ``posthoc_adjustment``, ``effective_prior_ / class_prior_ **
        posthoc_tau_``, normalised).
    data_prior_ : ndarray of shape (n_classes,)
        The class frequencies of the ``y`` given to ``fit``, before any balancing (unweighted;
        for an indicator ``y``, each label's positive rate): the prior of
        ``output_prior="data"``, kept whatever ``output_prior`` is, so that the outputs can be
        moved to it afterwards (``skbalance.metrics.data_prior_proba``).

    Notes
    -----
    **A fit either succeeds or leaves the estimator exactly as it was.** Every input and
    parameter is checked before training (labels, ``class_weight`` keys, the validation split,
    the loss, the network's output); the network is then built and trained as a local object,
    and the fitted attributes are installed together, in one step, only once the whole fit has
    succeeded. A fit that raises - a bad input, a failing sampler or callback, a
    ``KeyboardInterrupt`` - so leaves a fitted estimator with the attributes, network weights
    and predictions of its previous fit, and an unfitted one unfitted. Training that diverges
    (the network's weights become NaN or infinite) is such a failure too: a ``ValueError``.

    **The network must output logits.** After building it, ``fit`` runs the fresh network on a
    few of the training rows and on standard-normal rows, each also negated and scaled by
    1000, and again with the trainable weights of its last layer that has weights scaled by
    +-1000. Logits move with these probes; probabilities stay within [0, 1]. A network whose
    outputs all stay within [0, 1] (and vary, or sum to 1 per row) is rejected with a
    ``ValueError``, whichever layer computes them.

    Examples
    --------
    >>> import numpy as np
    >>> from skbalance.keras import KerasBalancedClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 4)).astype("float32")
    >>> y = np.where(X[:, 0] > 1.0, "buy", "don't buy")
    >>> clf = KerasBalancedClassifier(
    ...     class_weight={"buy": 0.75, "don't buy": 0.25}, epochs=3, random_state=0
    ... ).fit(X, y)
    >>> clf.classes_.tolist()
    ['buy', "don't buy"]
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)

    A multi-label indicator ``y`` trains one sigmoid output per label:

    >>> Y = np.column_stack([X[:, 0] > 1.0, X[:, 1] > 0.0, X[:, 2] > 1.5]).astype(int)
    >>> multi = KerasBalancedClassifier(
    ...     loss="asymmetric", class_weight="balanced", epochs=3, random_state=0
    ... ).fit(X, Y)
    >>> multi.classes_.tolist()
    [0, 1, 2]
    >>> multi.predict(X[:2]).shape, multi.predict_proba(X[:2]).shape
    ((2, 3), (2, 3))
    >>> sorted(np.unique(multi.predict(X)).tolist())
    [0, 1]
    """

    _parameter_constraints: dict = {
        "model": [None, callable],
        "hidden_units": ["array-like"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "loss": [StrOptions(set(LOSSES) | set(MULTILABEL_ONLY_LOSSES)), keras.losses.Loss],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "alpha": "no_validation",  # validated by FocalLoss, which knows the class count
        "tau": [Interval(Real, 0, None, closed="left")],
        "gamma_pos": [Interval(Real, 0, None, closed="left")],
        "gamma_neg": [Interval(Real, 0, None, closed="left")],
        "clip": [Interval(Real, 0, 1, closed="left")],
        "class_weight": "no_validation",  # skbalance.weights validates it, as on every path
        "beta": [Interval(Real, 0, 1, closed="left")],
        "sampler": [None, HasMethods(["fit_resample"])],
        "optimizer": [str, keras.optimizers.Optimizer],
        "learning_rate": [None, Interval(Real, 0, None, closed="neither")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "steps_per_execution": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "patience": [Interval(Integral, 0, None, closed="left")],
        "callbacks": [None, list],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "distribution_strategy": "no_validation",  # checked in fit: needs TensorFlow's type
        "output_prior": OUTPUT_PRIOR_CONSTRAINT,
        **LONGTAIL_CONSTRAINTS,
    }

    def __init__(
        self,
        model=None,
        *,
        hidden_units=(64, 64),
        dropout=0.0,
        loss="cross_entropy",
        gamma=2.0,
        alpha=None,
        tau=1.0,
        gamma_pos=0.0,
        gamma_neg=4.0,
        clip=0.05,
        class_weight=None,
        beta=0.999,
        sampler=None,
        resample="epoch",
        batch_sampling="instance",
        class_weight_from_epoch=0,
        posthoc_adjustment=None,
        output_prior="train",
        head_retrain_epochs=0,
        optimizer="adam",
        learning_rate=None,
        epochs=20,
        batch_size=32,
        steps_per_execution="auto",
        validation_fraction=0.0,
        early_stopping=False,
        patience=5,
        callbacks=None,
        verbose=0,
        random_state=None,
        warm_start=False,
        distribution_strategy=None,
    ):
        self.model = model
        self.hidden_units = hidden_units
        self.dropout = dropout
        self.loss = loss
        self.gamma = gamma
        self.alpha = alpha
        self.tau = tau
        self.gamma_pos = gamma_pos
        self.gamma_neg = gamma_neg
        self.clip = clip
        self.class_weight = class_weight
        self.beta = beta
        self.sampler = sampler
        self.resample = resample
        self.batch_sampling = batch_sampling
        self.class_weight_from_epoch = class_weight_from_epoch
        self.posthoc_adjustment = posthoc_adjustment
        self.output_prior = output_prior
        self.head_retrain_epochs = head_retrain_epochs
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.steps_per_execution = steps_per_execution
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.patience = patience
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.warm_start = warm_start
        self.distribution_strategy = distribution_strategy

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.classifier_tags.multi_label = True  # an indicator y, as MLPClassifier
        return tags

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None) -> KerasBalancedClassifier:
        """Train a fresh network (or continue, with ``warm_start``) on ``X, y``.

        A fit that raises - bad input, a failing sampler or callback, ``KeyboardInterrupt`` -
        leaves the estimator exactly as it was before the call: every input is checked before
        any training, the network is trained as a local object, and the fitted attributes are
        installed together only once everything has succeeded.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Training rows: a 2-D array or DataFrame, or an N-D array (images, sequences).
            float32 input is used without a copy. Sparse matrices are not supported.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels of any type (ints, strings, objects); or a multi-label indicator matrix
            of 0/1 (ndarray, DataFrame or scipy sparse), every label with positive and
            negative rows, trained with one sigmoid output per label.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row weights, multiplied with the class weights; never modified.

        Returns
        -------
        self : KerasBalancedClassifier
        """
        continuing = self.warm_start and hasattr(self, "model_")
        # 1. Check every input and parameter. Nothing on self changes before step 4.
        target = None
        if is_indicator(y):  # multi-label: one sigmoid output per label (see _multilabel)
            check_label_options(self)
            target = read_indicator(y)
            X, codes, n_features, feature_names = self._check_fit_input(
                X, target.matrix, continuing=continuing, multi_output=True
            )
            classes = np.arange(codes.shape[1])
        else:
            check_single_label_options(self)
            X, labels, n_features, feature_names = self._check_fit_input(
                X, y, continuing=continuing
            )
            check_classification_targets(labels)
            classes, codes = encode_labels(labels)
        hidden_units = self._check_hidden_units()
        check_longtail_params(self)
        if len(classes) < 2 and target is None:
            raise ValueError(
                f"y has only one class ({classes[0]!r}); a classifier needs samples of at "
                "least 2 classes."
            )
        given_prior = check_output_prior(self, classes, multilabel=target is not None)
        architecture = _Architecture(self.model, hidden_units, tuple(X.shape[1:]))
        if continuing:
            self._check_warm_start(classes, architecture, multilabel=target is not None)
        if sample_weight is not None:
            # the one rule of every training path
            sample_weight = check_sample_weight(sample_weight, len(X), dtype=np.float32)
        # Fail on a bad class_weight (unknown key, negative weight) before any network is built.
        if target is None:
            row_class_weight = compute_sample_weight(self.class_weight, y=labels, beta=self.beta)
        else:  # per-label weights live in the loss; each label needs positives and negatives
            check_training_labels(self, target, slice(None), where="y")
            row_class_weight = np.ones(len(X), dtype=np.float32)
        check_weighted_rows(sample_weight, row_class_weight)
        if target is None:
            row_mass = row_class_weight * (1.0 if sample_weight is None else sample_weight)
            check_some_mass(np.bincount(codes, weights=row_mass), classes, self.output_prior)
        check_loss_instance(self.loss)
        strategy = self._check_distribution_strategy()
        warn_inexact(self, multilabel=target is not None)

        # 2. Seeds and the validation split.
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # The fifth seed (cRT) is drawn after the others, which so stay what they were.
        split_seed, build_seed, shuffle_seed, sampler_seed, head_seed = (
            np.random.RandomState(seed).randint(np.iinfo(np.int32).max, size=5).tolist()
        )
        train_rows, validation_rows = self._split_validation(codes, split_seed, len(classes))
        if validation_rows is not None:
            check_weighted_rows(sample_weight, row_class_weight, training_rows=train_rows)
            if target is not None:
                where = f"the training rows left by validation_fraction={self.validation_fraction}"
                check_training_labels(self, target, train_rows, where=where)

        # 3. Build and train a new network, a local object (a warm start copies model_ into it).
        with contextlib.nullcontext() if strategy is None else strategy.scope():
            seeds = (build_seed, shuffle_seed, sampler_seed, head_seed)
            fitted = self._fit_network(
                X, codes, sample_weight, train_rows, validation_rows, classes=classes,
                architecture=architecture, seeds=seeds,
                previous=self.model_ if continuing else None, target=target,
            )  # fmt: skip
        fitted.update(
            classes_=classes,
            n_classes_=len(classes),
            n_features_in_=n_features,
            posthoc_tau_=0.0,
            _architecture=architecture,
            _multilabel=target is not None,
        )
        if feature_names is not None:
            fitted["feature_names_in_"] = feature_names
        if self.posthoc_adjustment == "auto":
            fitted["posthoc_tau_"] = choose_posthoc_tau(
                _forward(fitted["model_"], X[validation_rows]),
                codes[validation_rows],
                np.log(fitted["class_prior_"]),
            )
        elif self.posthoc_adjustment is not None:
            fitted["posthoc_tau_"] = float(self.posthoc_adjustment)
        fitted.update(self._output_prior(fitted["effective_prior_"], codes, given_prior, classes))
        if fitted["posthoc_tau_"]:
            # The adjusted logits, logits - tau * log(class_prior_), are a prior shift of the
            # network's: output_prior_ says which prior the outputs then assume.
            fitted["output_prior_"] = effective_prior(
                fitted["effective_prior_"], fitted["posthoc_tau_"] * np.log(fitted["class_prior_"])
            )

        # 4. Install the fit, in one place.
        self._set_fitted(fitted)
        return self

    def _output_prior(self, effective, codes, given_prior, classes) -> dict:
        """``output_prior_`` and the logit shift that puts it in place of ``effective``."""
        multilabel = codes.ndim == 2
        data = codes.mean(axis=0) if multilabel else np.bincount(codes) / len(codes)
        target = target_prior(
            self.output_prior, given_prior, data=data, effective=effective, multilabel=multilabel
        )
        if not corrects(self.output_prior):
            return {"output_prior_": target, "data_prior_": data, "_logit_shift": None}
        # A prior of 0 (or a rate of 1) cannot be shifted away: a class weighted 0 after
        # resampling, or a label whose positives (or negatives) all weigh 0.
        check_some_mass(
            effective * (1 - effective if multilabel else 1), classes, self.output_prior
        )
        return {
            "output_prior_": target,
            "data_prior_": data,
            "_logit_shift": output_shift(effective, target, multilabel=multilabel),
        }

    def _check_fit_input(self, X, y, *, continuing: bool, multi_output: bool = False):
        """``(X, labels, n_features, feature_names)`` checked for ``fit``; self is not touched.

        scikit-learn's ``validate_data(reset=True)`` would set ``n_features_in_`` and
        ``feature_names_in_`` at once, before the fit could still fail; here they are returned
        and installed with the rest of the fit. A warm start checks ``X`` against the first fit
        (``reset=False``, which changes nothing).
        """
        check_params = dict(
            accept_sparse=False, dtype=np.float32, allow_nd=True, ensure_all_finite=True,
            multi_output=multi_output,
        )  # fmt: skip
        if continuing:
            X, labels = validate_data(self, X, y, reset=False, **check_params)
            return X, labels, self.n_features_in_, getattr(self, "feature_names_in_", None)
        feature_names = _get_feature_names(X)
        X, labels = check_X_y(X, y, estimator=self, **check_params)
        return X, labels, _num_features(X), feature_names

    def _check_warm_start(
        self, classes: np.ndarray, architecture: _Architecture, *, multilabel: bool
    ) -> None:
        """A warm start continues the previous network: the same classes and architecture."""
        if multilabel != getattr(self, "_multilabel", False) or (
            multilabel and len(classes) != len(self.classes_)
        ):
            raise ValueError(
                f"warm_start=True needs a y like the first fit's "
                f"({_y_kind(getattr(self, '_multilabel', False), len(self.classes_))}); y is "
                f"{_y_kind(multilabel, len(classes))}. Set warm_start=False to train a new model."
            )
        if not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"warm_start=True needs the classes of the first fit {self.classes_.tolist()}; "
                f"y has {classes.tolist()}. Set warm_start=False to train a new model."
            )
        previous = self._architecture
        if architecture.row_shape != previous.row_shape:
            raise ValueError(
                f"warm_start=True needs rows of the first fit's shape {previous.row_shape}; X "
                f"has rows of shape {architecture.row_shape}. Set warm_start=False to train a "
                "new model."
            )
        if architecture.model is not previous.model:
            raise ValueError(
                "warm_start=True continues the network of the previous fit, but the model "
                "parameter has been replaced since; set warm_start=False to build the new "
                "model, or set model back."
            )
        if architecture.model is None and architecture.hidden_units != previous.hidden_units:
            raise ValueError(
                "warm_start=True continues the network of the previous fit, built with "
                f"hidden_units={previous.hidden_units}; hidden_units is now "
                f"{architecture.hidden_units}. Set warm_start=False to build the new network, "
                "or set hidden_units back."
            )

    def _set_fitted(self, fitted: dict) -> None:
        """Install a successful fit's attributes: the one place ``fit`` changes ``self``."""
        state = {name: value for name, value in vars(self).items() if name != "feature_names_in_"}
        state.update(fitted)
        # One assignment: an interrupt cannot leave half of one fit beside half of another.
        self.__dict__ = state

    def _fit_network(
        self, X, codes, sample_weight, train_rows, validation_rows, *, classes, architecture,
        seeds, previous, target=None,
    ) -> dict:  # fmt: skip
        """Build, compile and train a new network; return the fitted attributes it yields.

        Under a strategy, runs in its scope. Nothing on ``self`` changes: with ``previous`` (a
        warm start) the new network starts from its weights, and ``previous`` itself is never
        trained, so a fit that fails midway leaves the estimator's network as it was.
        """
        build_seed, shuffle_seed, sampler_seed, head_seed = seeds
        network, n_outputs = self._build_network(
            X, architecture, len(classes), build_seed, multilabel=target is not None
        )
        if self.head_retrain_epochs > 0:
            head_layer(network)  # cRT needs a layer with weights: refuse before training
        if previous is not None:
            load_weights(network, previous)
        # Without a validation split every row trains: no fancy-indexed copy of X.
        X_train = X if validation_rows is None else X[train_rows]
        codes_train = codes[train_rows]
        weight_train = None if sample_weight is None else sample_weight[train_rows]
        if target is None:
            source = self._make_training_source(
                X_train, codes_train, weight_train, classes=classes, n_outputs=n_outputs,
                shuffle_seed=shuffle_seed, sampler_seed=sampler_seed,
            )  # fmt: skip
        else:
            parts = label_training_source(
                self, X_train, codes_train, weight_train, target,
                shuffle_seed=shuffle_seed, sampler_seed=sampler_seed,
            )  # fmt: skip
            source = _TrainingSource(*parts)
        validation_data = None
        if validation_rows is not None:
            validation_data = (X[validation_rows], _targets(codes[validation_rows], n_outputs))
            if sample_weight is not None:
                validation_data += (sample_weight[validation_rows],)
        # Compiled at every fit, a warm start too: the loss, optimizer and learning rate are
        # those of the current parameters, and the loss's class counts this fit's.
        self._compile(network, source, n_outputs)
        callbacks = self._make_callbacks(has_validation=validation_data is not None)
        with no_retracing_warning():
            # The source is its own Keras data adapter: it shuffles every epoch, seeded from
            # random_state, on every backend (fit's shuffle argument does not reach it), and
            # serves epochs in order even when Keras reads one ahead (tf.distribute).
            history = network.fit(
                source.data,
                epochs=self.epochs,
                verbose=self.verbose,
                callbacks=callbacks,
                validation_data=validation_data,
            )
        history = {
            name: [float(value) for value in values] for name, values in history.history.items()
        }
        if self.head_retrain_epochs > 0:
            with no_retracing_warning():
                retrain_head(
                    network,
                    X_train,
                    classes[codes_train],
                    weight_train,
                    make_loss=lambda counts: self._make_loss(n_outputs, counts),
                    optimizer=self._make_optimizer(),
                    epochs=self.head_retrain_epochs,
                    batch_size=self.batch_size,
                    steps_per_execution=self._steps_per_execution,
                    verbose=self.verbose,
                    seed=head_seed,
                )
            # model_ is left compiled for the whole network, as without cRT.
            self._compile(network, source, n_outputs)
        check_finite_weights(network, history)
        # The epoch whose weights the network ends with: the best one when early stopping
        # restores it (our EarlyStopping is the last callback), else the last one trained.
        final_epoch = len(history.get("loss", ())) - 1
        if self.early_stopping and callbacks[-1].best_weights is not None:
            final_epoch = callbacks[-1].best_epoch
        class_counts, class_mass = source.class_counts, source.class_mass(final_epoch)
        if self.head_retrain_epochs > 0:
            # cRT refits the head, bias included, on class-balanced batches of the training
            # rows (their sample_weight only): equal draws of each class's mean weight.
            class_counts = np.ones(len(classes))
            class_mass = expected_epoch_mass(
                codes_train, weight_train, n_classes=len(classes), rows_per_epoch=1,
                shares=class_counts / len(classes), class_weights=None,
            )  # fmt: skip
        loss_term = loss_log_prior(
            self, class_counts, source.n_rows, multilabel=target is not None
        )
        return {
            "model_": network,
            "history_": history,
            "n_iter_": len(history.get("loss", ())),
            "class_weight_": source.class_weight,
            # per label (indicator y): positive rate; else the class distribution
            "class_prior_": source.class_counts
            / (source.n_rows if target is not None else source.class_counts.sum()),
            "effective_prior_": effective_prior(class_mass, loss_term)
            if target is None
            else effective_label_rate(class_mass, loss_term),
            "_n_outputs": n_outputs,
        }

    def _check_distribution_strategy(self):
        """The ``tf.distribute.Strategy`` to train under, or None; checked before any work."""
        strategy = self.distribution_strategy
        if strategy is None:
            return None
        if keras.backend.backend() != "tensorflow":
            raise ValueError(
                "distribution_strategy needs Keras' TensorFlow backend; the backend is "
                f"{keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow or leave it None."
            )
        import tensorflow as tf

        if not isinstance(strategy, tf.distribute.Strategy):
            raise TypeError(
                "distribution_strategy must be a tf.distribute.Strategy (e.g. "
                f"tf.distribute.MirroredStrategy()) or None; got {type(strategy).__name__}."
            )
        if self.steps_per_execution != "auto" and self.steps_per_execution > 1:
            raise ValueError(
                f"steps_per_execution={self.steps_per_execution} cannot be used under a "
                "tf.distribute strategy: Keras 3.15 fails to run several steps per call under "
                "MirroredStrategy. Use steps_per_execution='auto' (1 under a strategy) or 1."
            )
        return strategy

    def _check_hidden_units(self) -> tuple[int, ...]:
        # Each element is checked as given: converting the sequence to one array first would
        # turn (64, True) into (64, 1) and (64, 2.0) into (64.0, 2.0).
        units = tuple(np.ravel(np.asarray(self.hidden_units, dtype=object)))
        if not all(
            isinstance(u, Integral) and not isinstance(u, bool | np.bool_) and u > 0 for u in units
        ):
            raise ValueError(
                f"hidden_units must be a sequence of positive ints, e.g. (64, 64); "
                f"got {self.hidden_units!r}."
            )
        return tuple(int(u) for u in units)

    def _split_validation(self, codes: np.ndarray, seed: int, n_classes: int):
        """Row indices ``(train, validation)``; validation is None without a split."""
        if self.validation_fraction == 0:
            return slice(None), None  # a view: float32 X reaches the feed without a copy
        if codes.ndim == 2:  # an indicator y
            return holdout_rows(codes, self.validation_fraction, seed)
        all_rows = np.arange(len(codes))
        try:
            return train_test_split(
                all_rows, test_size=self.validation_fraction, stratify=codes, random_state=seed
            )
        except ValueError as exc:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} cannot hold out a stratified "
                f"validation set from {len(codes)} rows of {n_classes} classes: {exc} "
                "Use more rows, a larger fraction, or validation_fraction=0."
            ) from None

    def _make_training_source(
        self, X, codes, sample_weight, *, classes, n_outputs: int, shuffle_seed: int,
        sampler_seed: int,
    ) -> _TrainingSource:  # fmt: skip
        """The one place training rows become what ``model.fit`` consumes.

        Resamples (once), folds the class weights into per-row weights (Keras ignores string
        keys and refuses ``class_weight`` with ``sample_weight``) and builds a seeded, shuffled
        batch feed; or, for per-epoch resampling, balanced batches or DRW, a
        ``BalancedDataset`` that does all of that anew every epoch.
        """
        if uses_epoch_feed(self):
            sampler = self.sampler if self.resample == "epoch" else None
            if self.sampler is not None and sampler is None:
                X, labels, sample_weight = resample_once(
                    self.sampler, X, classes[codes], sample_weight, seed=sampler_seed
                )
                codes = np.searchsorted(classes, labels)
            feed, class_counts, class_weight, epoch_mass = epoch_feed(
                X, classes[codes], sample_weight, classes=classes,
                sampler=sampler, batch_sampling=self.batch_sampling,
                batch_size=self.batch_size, class_weight=self.class_weight, beta=self.beta,
                class_weight_from_epoch=deferred_epoch(self), epochs=self.epochs,
                seed=shuffle_seed if sampler is None else sampler_seed,
            )  # fmt: skip
            _check_class_counts(class_counts, classes)
            return _TrainingSource(
                feed, class_counts, feed.rows_per_epoch_, class_weight, epoch_mass
            )
        if self.sampler is not None:
            X, labels, sample_weight = resample_once(
                self.sampler, X, classes[codes], sample_weight, seed=sampler_seed
            )
            codes = np.searchsorted(classes, labels)
        class_counts = np.bincount(codes, minlength=len(classes))
        _check_class_counts(class_counts, classes)
        class_weight = compute_class_weight(self.class_weight, y=classes[codes], beta=self.beta)
        weights = None
        if self.class_weight is not None:
            per_class = np.array(list(class_weight.values()), dtype=np.float32)
            weights = per_class[codes]
            if sample_weight is not None:
                weights *= sample_weight
        elif sample_weight is not None:
            weights = sample_weight
        data = array_feed(
            X, _targets(codes, n_outputs), weights, batch_size=self.batch_size, seed=shuffle_seed
        )
        mass = np.bincount(codes, weights=weights, minlength=len(classes))
        return _TrainingSource(data, class_counts, len(codes), class_weight, lambda _: mass)

    def _build_network(
        self, X, architecture: _Architecture, n_classes: int, seed: int, *, multilabel: bool
    ) -> tuple[keras.Model, int]:
        """A fresh network for ``X``'s row shape and its number of output units (checked)."""
        network, _ = build_network(
            architecture.model,
            input_shape=architecture.row_shape,
            n_classes=n_classes,
            hidden_units=architecture.hidden_units,
            dropout=self.dropout,
            seed=seed,
        )
        if multilabel:  # one logit per label, whatever their number (never one unit for two)
            check_label_output(network, X[:8], n_classes)
        return network, check_network_output(network, X[:8], n_classes)

    def _compile(self, network: keras.Model, source: _TrainingSource, n_outputs: int) -> None:
        if isinstance(source.class_weight, LabelWeights):  # an indicator y
            loss = make_label_loss(self, source)
        else:
            loss = self._make_loss(n_outputs, source.class_counts)
        network.compile(
            optimizer=self._make_optimizer(),
            loss=loss,
            steps_per_execution=self._steps_per_execution(
                math.ceil(source.n_rows / self.batch_size)
            ),
        )

    def _steps_per_execution(self, steps_per_epoch: int) -> int:
        if self.steps_per_execution == "auto" and self.distribution_strategy is not None:
            return 1  # Keras 3.15 cannot run several steps per call under a strategy
        if self.steps_per_execution == "auto" and keras.backend.backend() == "torch":
            return 1  # Keras' PyTorch trainer refuses more ("must be 1 with the PyTorch backend")
        if self.steps_per_execution == "auto":
            return min(_AUTO_STEPS_PER_EXECUTION, steps_per_epoch)
        return self.steps_per_execution

    def _make_optimizer(self):
        """A new optimizer for this fit: from the name, or a copy of the instance's config."""
        if isinstance(self.optimizer, str):
            optimizer = keras.optimizers.get(self.optimizer)
            optimizer.learning_rate = (
                _DEFAULT_LEARNING_RATE if self.learning_rate is None else self.learning_rate
            )
            return optimizer
        config = self.optimizer.get_config()
        if self.learning_rate is not None:  # a learning rate the user set is never ignored
            config["learning_rate"] = self.learning_rate
        return self.optimizer.__class__.from_config(config)

    def _make_loss(self, n_outputs: int, class_counts: np.ndarray) -> keras.losses.Loss:
        """The loss for a network with ``n_outputs`` logit units, from the training counts."""
        return make_loss(
            self.loss, n_outputs, class_counts, gamma=self.gamma, alpha=self.alpha, tau=self.tau
        )

    def _make_callbacks(self, *, has_validation: bool) -> list:
        callbacks = list(self.callbacks or [])
        if self.early_stopping:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss" if has_validation else "loss",
                    patience=self.patience,
                    restore_best_weights=True,
                )
            )
        return callbacks

    # -------------------------------------------------------------- predict

    def decision_function(self, X) -> np.ndarray:
        """Logits, shape (n_samples, n_classes); binary: the log-odds of ``classes_[1]``, (n,).

        Shifted to ``output_prior_`` (``log output_prior_ - log effective_prior_``), so they
        are the log-probabilities of ``predict_proba`` up to a constant per row.

        For an indicator ``y``: each label's logit (log-odds), shape (n_samples, n_labels).
        """
        logits = self._logits(X)
        if self._fitted_multilabel():
            return logits
        if logits.shape[1] == 1:
            return logits[:, 0]
        if self.n_classes_ == 2:
            return logits[:, 1] - logits[:, 0]
        return logits

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order.

        For an indicator ``y``: each label's own probability (a sigmoid, so a row need not sum
        to 1), shape (n_samples, n_labels).
        """
        logits = self._logits(X).astype(np.float64)
        if self._fitted_multilabel():
            return expit(logits)
        if logits.shape[1] == 1:
            # expit never overflows, and each column keeps its own small values (1 - p would
            # round a probability of 1e-20 to 0).
            return np.column_stack([expit(-logits[:, 0]), expit(logits[:, 0])])
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        """The most probable label of each row, in the user's label type.

        For an indicator ``y``: a 0/1 int matrix (n_samples, n_labels), 1 where a label's
        probability exceeds 0.5 (its logit is positive).
        """
        logits = self._logits(X)
        if self._fitted_multilabel():
            return (logits > 0).astype(np.int64)
        if logits.shape[1] == 1:
            return self.classes_[(logits[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(logits, axis=1)]

    def _fitted_multilabel(self) -> bool:
        check_is_fitted(self, "model_")
        return getattr(self, "_multilabel", False)

    def _logits(self, X) -> np.ndarray:
        """The network's logits, shifted to ``output_prior_`` (or post-hoc adjusted, when
        ``posthoc_adjustment`` asks for it: the two are exclusive)."""
        logits = self._network_logits(X)
        shift = getattr(self, "_logit_shift", None)  # absent from a fit pickled before it
        if shift is not None:
            return shift_logits(logits, shift)
        tau = getattr(self, "posthoc_tau_", 0.0)
        return adjust_logits(logits, np.log(self.class_prior_), tau) if tau else logits

    def _network_logits(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(
            self, X, reset=False, accept_sparse=False, dtype=np.float32, allow_nd=True
        )
        try:  # a subclassed Keras model has no symbolic inputs to compare against
            expected = tuple(self.model_.inputs[0].shape[1:])
        except (AttributeError, IndexError, TypeError, ValueError):
            expected = None
        if expected is not None and (
            len(expected) != X.ndim - 1
            or any(
                want not in (None, got) for want, got in zip(expected, X.shape[1:], strict=False)
            )
        ):
            raise ValueError(
                f"X has rows of shape {X.shape[1:]}, but the model was fitted on rows of shape "
                f"{expected}."
            )
        return _forward(self.model_, X)


def _forward(network: keras.Model, X: np.ndarray) -> np.ndarray:
    """The network's outputs on ``X`` as float32, computed in chunks of ``_PREDICT_CHUNK`` rows.

    Calling the network directly avoids ``model.predict``'s retracing and per-call setup on the
    small inputs that scorers and cross-validation pass in.
    """
    chunks = [
        keras.ops.convert_to_numpy(network(X[start : start + _PREDICT_CHUNK]))
        for start in range(0, len(X), _PREDICT_CHUNK)
    ]
    return np.concatenate(chunks).astype(np.float32, copy=False)


def _targets(codes: np.ndarray, n_outputs: int) -> np.ndarray:
    """Training targets: float labels for a single-unit (binary) network or an indicator
    matrix (2-D ``codes``), else class indices."""
    if codes.ndim == 2:
        return codes.astype(np.float32)
    if n_outputs == 1:
        return codes.astype(np.float32).reshape(-1, 1)
    return codes.astype(np.int32)


def _y_kind(indicator: bool, n: int) -> str:
    return f"an indicator y of {n} labels" if indicator else f"{n} classes"


def _check_class_counts(class_counts: np.ndarray, classes: np.ndarray) -> None:
    if np.any(class_counts == 0):
        missing = classes[class_counts == 0].tolist()
        raise ValueError(
            f"After resampling, no training rows are left for classes {missing}; the "
            "sampler must keep at least one row of every class."
        )
