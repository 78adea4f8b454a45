"""The multi-label losses: speed against Keras' binary losses, and what they do on long tails.

Default (speed): forward + backward time with respect to the logits, inside ``tf.function``
(as ``model.fit`` runs it), on one (batch, labels) batch of 5 % positives. Repetitions are
interleaved (every round times every loss once, in a shuffled order) so that machine load hits
all of them alike; the table shows the median time and its ratio to Keras'
``BinaryCrossentropy(from_logits=True)``.

    python benchmarks/bench_multilabel_losses.py [--batch 4096] [--labels 100] [--rounds 20]

``--quality`` trains the same small network (Dense(128, relu)-Dense(10), Adam 1e-3, 40 epochs,
batch 64) with each loss on the two long-tailed multi-label sets of ``skbalance.datasets``
(``load_digits_multilabel(20)`` and ``make_long_tailed_multilabel(3000, 20, 10,
imbalance_ratio=50)`` with a 30 % test split), predicts each label at logit > 0, and prints
macro-F1 and the mean recall of the three rarest labels on the test rows, mean over seeds:

    KERAS_BACKEND=jax python benchmarks/bench_multilabel_losses.py --quality [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skbalance.keras.losses import (  # noqa: E402
    AsymmetricLoss,
    DistributionBalancedLoss,
    MultilabelFocalLoss,
    MultilabelLogitAdjustedLoss,
)
from skbalance.weights import compute_label_weight  # noqa: E402


def speed(batch: int, n_labels: int, rounds: int) -> None:
    if keras.backend.backend() != "tensorflow":
        raise SystemExit(
            "The speed table times tf.function steps: run with KERAS_BACKEND=tensorflow."
        )
    import tensorflow as tf

    rng = np.random.default_rng(0)
    y = tf.constant((rng.random((batch, n_labels)) < 0.05).astype("float32"))
    logits = tf.Variable(rng.normal(size=(batch, n_labels)).astype("float32"))
    rates = np.clip(y.numpy().mean(axis=0), 1e-3, 0.999).tolist()
    weights = compute_label_weight("balanced", Y=y.numpy())
    candidates = {
        "keras BinaryCrossentropy": keras.losses.BinaryCrossentropy(from_logits=True),
        "keras BinaryFocalCrossentropy(alpha=0.25)": keras.losses.BinaryFocalCrossentropy(
            apply_class_balancing=True, from_logits=True
        ),
        "MultilabelFocalLoss(gamma=0) + label weights": MultilabelFocalLoss(
            gamma=0.0,
            from_logits=True,
            positive_weights=weights.positive,
            negative_weights=weights.negative,
        ),
        "MultilabelFocalLoss(gamma=2, alpha=0.25)": MultilabelFocalLoss(
            gamma=2.0, alpha=0.25, from_logits=True
        ),
        "AsymmetricLoss()": AsymmetricLoss(),
        "AsymmetricLoss(gamma_pos=1, gamma_neg=4.5)": AsymmetricLoss(1.0, 4.5),
        "MultilabelLogitAdjustedLoss": MultilabelLogitAdjustedLoss(rates),
        "DistributionBalancedLoss": DistributionBalancedLoss(rates),
    }
    steps = {}
    for name, loss in candidates.items():

        @tf.function
        def step(loss=loss):
            with tf.GradientTape() as tape:
                value = loss(y, logits)
            return value, tape.gradient(value, logits)

        step()  # trace outside the timing
        steps[name] = step
    times = {name: [] for name in steps}
    order = list(steps)
    for _ in range(rounds):
        random.shuffle(order)
        for name in order:
            start = time.perf_counter()
            for _ in range(5):
                steps[name]()
            times[name].append((time.perf_counter() - start) / 5 * 1e3)
    base = statistics.median(times["keras BinaryCrossentropy"])
    print(
        f"forward+backward w.r.t. the logits, batch ({batch}, {n_labels}), 5 % positives, "
        f"tf.function, median of {rounds} interleaved rounds x 5 calls"
    )
    print(f"{'loss':46s} {'median ms':>9s} {'vs BCE':>7s}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:46s} {median:9.3f} {median / base:6.2f}x")


def _data(which: str, seed: int):
    from sklearn.model_selection import train_test_split

    from skbalance.datasets import load_digits_multilabel, make_long_tailed_multilabel

    if which == "digits":
        return load_digits_multilabel(20, random_state=seed)
    X, Y = make_long_tailed_multilabel(3000, 20, 10, imbalance_ratio=50, random_state=seed)
    return train_test_split(X, Y, test_size=0.3, random_state=seed)


def _losses(Y) -> dict:
    weights = compute_label_weight("balanced", Y=Y)
    balanced = {"positive_weights": weights.positive, "negative_weights": weights.negative}
    rates = Y.mean(axis=0)
    return {
        "BCE": MultilabelFocalLoss(gamma=0.0, from_logits=True),
        "BCE + balanced label weights": MultilabelFocalLoss(
            gamma=0.0, from_logits=True, **balanced
        ),
        "focal (gamma=2)": MultilabelFocalLoss(gamma=2.0, from_logits=True),
        "asymmetric (0, 4, 0.05)": AsymmetricLoss(),
        "asymmetric (0, 2, 0.05)": AsymmetricLoss(gamma_neg=2.0),
        "logit-adjusted (tau=1)": MultilabelLogitAdjustedLoss(rates),
        "distribution-balanced": DistributionBalancedLoss(rates),
        "distribution-balanced + balanced": DistributionBalancedLoss(rates, **balanced),
    }


def quality(seeds: int) -> None:
    from sklearn.metrics import f1_score, recall_score

    for which in ("digits", "synthetic"):
        scores: dict[str, list] = {}
        for seed in range(seeds):
            X_train, X_test, Y_train, Y_test = _data(which, seed)
            for name, loss in _losses(Y_train).items():
                keras.utils.set_random_seed(seed)
                model = keras.Sequential(
                    [
                        keras.Input((X_train.shape[1],)),
                        keras.layers.Dense(128, activation="relu"),
                        keras.layers.Dense(Y_train.shape[1]),
                    ]
                )
                model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
                model.fit(
                    X_train.astype("float32"),
                    Y_train.astype("float32"),
                    epochs=40,
                    batch_size=64,
                    verbose=0,
                )
                predicted = (np.asarray(model(X_test.astype("float32"))) > 0).astype(int)
                recall = recall_score(Y_test, predicted, average=None, zero_division=0)
                macro_f1 = f1_score(Y_test, predicted, average="macro", zero_division=0)
                scores.setdefault(name, []).append((macro_f1, recall[-3:].mean()))
        title = (
            "load_digits_multilabel(20)"
            if which == "digits"
            else "make_long_tailed_multilabel(3000, 20, 10, imbalance_ratio=50), 30 % test"
        )
        print(f"{title}; backend {keras.backend.backend()}; mean (std) over {seeds} seeds")
        print(f"{'loss':34s} {'macro-F1':>15s} {'rarest-3 recall':>16s}")
        for name, values in scores.items():
            values = np.asarray(values)
            print(
                f"{name:34s} {values[:, 0].mean():8.3f} ({values[:, 0].std():.3f}) "
                f"{values[:, 1].mean():16.3f}"
            )
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--labels", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    if args.quality:
        quality(args.seeds)
    else:
        speed(args.batch, args.labels, args.rounds)


if __name__ == "__main__":
    main()
