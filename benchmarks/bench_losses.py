"""Forward + backward time of each skbalance loss vs Keras' SparseCategoricalCrossentropy.

Each loss is compiled with ``tf.function`` (as ``model.fit`` runs it) computing the loss and its
gradient w.r.t. the logits on one (batch, classes) batch with integer labels. Repetitions are
interleaved (every round times every loss once, in a shuffled order) so that machine load hits
all of them alike; the table shows the median time, its ratio to Keras' sparse cross-entropy on
logits, and its ratio to the "peer": the Keras loss doing the same job on the same inputs
(sparse cross-entropy for integer labels, on logits or on softmax outputs; Keras' categorical
focal loss for one-hot labels, which is the only form Keras offers). Goal: every ratio to the
peer <= 1.5.

    python benchmarks/bench_losses.py [--batch 4096] [--classes 100] [--rounds 30]

``--quality`` instead trains the same small network with each loss on a synthetic long-tailed
problem (5 Gaussian classes in 8-D, 2000/600/180/54/16 training rows) and prints the balanced
accuracy and the rarest class's recall on a balanced test set, mean over seeds:

    python benchmarks/bench_losses.py --quality [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from skbalance.keras.losses import (  # noqa: E402
    BalancedSoftmaxLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)

GOAL = 1.5


SPARSE_CE = "keras SparseCategoricalCrossentropy"


def make_cases(n_classes: int, rng: np.random.Generator) -> dict:
    """name -> (loss, inputs, labels, peer): inputs are "logits" or "probabilities" (softmax
    outputs), labels "int" or "onehot"; peer names the Keras loss doing the same job."""
    counts = np.sort(rng.integers(1, 1000, size=n_classes))[::-1].astype(float).tolist()
    alpha = (1.0 / np.asarray(counts)).tolist()
    keras_losses = keras.losses
    return {
        SPARSE_CE: (
            keras_losses.SparseCategoricalCrossentropy(from_logits=True),
            "logits",
            "int",
            SPARSE_CE,
        ),
        "FocalLoss(gamma=2)": (FocalLoss(gamma=2.0, from_logits=True), "logits", "int", SPARSE_CE),
        "FocalLoss(gamma=2, alpha=k weights)": (
            FocalLoss(gamma=2.0, alpha=alpha, from_logits=True),
            "logits",
            "int",
            SPARSE_CE,
        ),
        "keras SparseCategoricalCrossentropy [probs]": (
            keras_losses.SparseCategoricalCrossentropy(),
            "probabilities",
            "int",
            None,
        ),
        "FocalLoss(gamma=2) [probs]": (
            FocalLoss(gamma=2.0),
            "probabilities",
            "int",
            "keras SparseCategoricalCrossentropy [probs]",
        ),
        "keras CategoricalFocalCrossentropy [onehot]": (
            keras_losses.CategoricalFocalCrossentropy(alpha=1.0, from_logits=True),
            "logits",
            "onehot",
            None,
        ),
        "FocalLoss(gamma=2) [onehot]": (
            FocalLoss(gamma=2.0, from_logits=True),
            "logits",
            "onehot",
            "keras CategoricalFocalCrossentropy [onehot]",
        ),
        "keras CategoricalFocalCrossentropy(ls=0.1) [onehot]": (
            keras_losses.CategoricalFocalCrossentropy(
                alpha=1.0, from_logits=True, label_smoothing=0.1
            ),
            "logits",
            "onehot",
            None,
        ),
        "FocalLoss(gamma=2, label_smoothing=0.1) [onehot]": (
            FocalLoss(gamma=2.0, from_logits=True, label_smoothing=0.1),
            "logits",
            "onehot",
            "keras CategoricalFocalCrossentropy(ls=0.1) [onehot]",
        ),
        "LogitAdjustedLoss(tau=1)": (
            LogitAdjustedLoss(counts, tau=1.0),
            "logits",
            "int",
            SPARSE_CE,
        ),
        "BalancedSoftmaxLoss": (BalancedSoftmaxLoss(counts), "logits", "int", SPARSE_CE),
        "LDAMLoss": (LDAMLoss(counts), "logits", "int", SPARSE_CE),
    }


def compile_step(loss, from_probabilities: bool):
    @tf.function(jit_compile=False)
    def step(labels, logits):
        with tf.GradientTape() as tape:
            tape.watch(logits)
            y_pred = tf.nn.softmax(logits) if from_probabilities else logits
            value = loss(labels, y_pred)
        return value, tape.gradient(value, logits)

    return step


def long_tailed_blobs(seed: int, counts, n_test_per_class: int = 400, n_features: int = 8):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0.0, 1.2, size=(len(counts), n_features))

    def draw(sizes):
        x = np.concatenate(
            [rng.normal(c, 1.0, size=(s, n_features)) for c, s in zip(centers, sizes, strict=True)]
        )
        return x.astype(np.float32), np.repeat(np.arange(len(sizes)), sizes)

    return draw(counts), draw([n_test_per_class] * len(counts))


def quality(seeds: int) -> None:
    counts = [2000, 600, 180, 54, 16]
    makers = {
        "cross-entropy (keras)": lambda: keras.losses.SparseCategoricalCrossentropy(
            from_logits=True
        ),
        "FocalLoss(gamma=2)": lambda: FocalLoss(gamma=2.0, from_logits=True),
        "FocalLoss(gamma=2, alpha=1/n_j)": lambda: FocalLoss(
            gamma=2.0,
            alpha=(len(counts) * (1 / np.array(counts)) / np.sum(1 / np.array(counts))).tolist(),
            from_logits=True,
        ),
        "LogitAdjustedLoss(tau=1)": lambda: LogitAdjustedLoss(counts, tau=1.0),
        "BalancedSoftmaxLoss": lambda: BalancedSoftmaxLoss(counts),
        "LDAMLoss(max_margin=1, scale=1)": lambda: LDAMLoss(counts, max_margin=1.0, scale=1.0),
        "LDAMLoss() (paper defaults 0.5, 30)": lambda: LDAMLoss(counts),
    }
    results = {name: [] for name in makers}
    for seed in range(seeds):
        (x, y), (x_test, y_test) = long_tailed_blobs(seed, counts)
        for name, make in makers.items():
            keras.utils.set_random_seed(seed)
            model = keras.Sequential(
                [
                    keras.Input((x.shape[1],)),
                    keras.layers.Dense(32, activation="relu"),
                    keras.layers.Dense(len(counts)),
                ]
            )
            model.compile(optimizer=keras.optimizers.Adam(0.01), loss=make())
            model.fit(x, y, epochs=30, batch_size=256, verbose=0)
            predicted = np.argmax(model(x_test).numpy(), axis=1)
            recalls = [np.mean(predicted[y_test == c] == c) for c in range(len(counts))]
            results[name].append((np.mean(recalls), recalls[-1]))
    print(
        f"long-tailed blobs: train counts {counts}, balanced test set, Dense(32)-Dense(5), "
        f"Adam(0.01), 30 epochs; mean over {seeds} seeds"
    )
    print(f"{'loss':<34} {'balanced accuracy':>17} {'rarest-class recall':>20}")
    for name, rows in results.items():
        balanced, rarest = np.mean(rows, axis=0)
        print(f"{name:<34} {balanced:>17.3f} {rarest:>20.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--classes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--inner", type=int, default=5, help="calls per timed repetition")
    parser.add_argument("--quality", action="store_true", help="compare accuracy, not speed")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    if args.quality:
        quality(args.seeds)
        return

    rng = np.random.default_rng(0)
    logits = tf.constant(rng.normal(0.0, 3.0, size=(args.batch, args.classes)), tf.float32)
    int_labels = tf.constant(rng.integers(0, args.classes, size=args.batch), tf.int32)
    label_sets = {"int": int_labels, "onehot": tf.one_hot(int_labels, args.classes)}
    cases = make_cases(args.classes, rng)
    steps = {}
    for name, (loss, inputs, labels, _) in cases.items():
        step = compile_step(loss, from_probabilities=inputs == "probabilities")
        steps[name] = (step, label_sets[labels])
        for _ in range(3):  # trace + warm up
            value, grad = step(label_sets[labels], logits)
        assert np.isfinite(float(value)) and bool(tf.reduce_all(tf.math.is_finite(grad)))
        assert step.experimental_get_tracing_count() == 1, name

    times = {name: [] for name in steps}
    order = list(steps)
    shuffler = random.Random(0)
    for _ in range(args.rounds):
        shuffler.shuffle(order)
        for name in order:
            step, labels = steps[name]
            start = time.perf_counter()
            for _ in range(args.inner):
                value, grad = step(labels, logits)
            grad.numpy()  # wait for the work to finish
            times[name].append((time.perf_counter() - start) / args.inner)

    medians = {name: statistics.median(samples) for name, samples in times.items()}
    print(
        f"forward+backward w.r.t. the logits, batch ({args.batch}, {args.classes}), "
        f"tf.function, median of {args.rounds} interleaved rounds x {args.inner} calls"
    )
    print("[probs]: on softmax outputs (softmax included in the time); [onehot]: one-hot labels")
    print(f"{'loss':<52} {'median ms':>9} {'vs sparse CE':>12} {'vs peer':>8}  goal <= {GOAL}x")
    for name, (_, _, _, peer) in cases.items():
        vs_sparse = medians[name] / medians[SPARSE_CE]
        vs_peer = f"{medians[name] / medians[peer]:.2f}x" if peer and peer != name else ""
        verdict = ""
        if peer and peer != name:
            verdict = "ok" if medians[name] / medians[peer] <= GOAL else "SLOWER"
        print(f"{name:<52} {1e3 * medians[name]:>9.3f} {vs_sparse:>11.2f}x {vs_peer:>8}  {verdict}")


if __name__ == "__main__":
    main()
