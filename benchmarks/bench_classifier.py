"""Fit time of KerasBalancedClassifier vs a plain Keras ``model.fit`` and vs scikeras.

Same data (100,000 x 20 float32, 10% minority), same 2-hidden-layer MLP (64-64 ReLU, one logit
per class), same epochs, batch size, optimizer and loss on every side. Sides run interleaved
(the order rotates every repetition) and the median of the repetitions is reported, so load on
a shared machine affects every side alike.

Sides:
  plain          model.fit(X, y) with Keras' defaults (steps_per_execution=1)
  plain_same     model.fit(X, y) with the steps_per_execution KerasBalancedClassifier picks
  skbalance      KerasBalancedClassifier(...).fit(X, y)
  scikeras       scikeras.wrappers.KerasClassifier(...).fit(X, y)

Goals (issue 4): skbalance / plain <= 0.70 and skbalance / plain_same <= 1.10.

Run:  python benchmarks/bench_classifier.py [--epochs 2] [--repeats 3] [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from skbalance.keras import KerasBalancedClassifier  # noqa: E402
from skbalance.keras.classifier import _AUTO_STEPS_PER_EXECUTION  # noqa: E402

N_FEATURES = 20
HIDDEN = (64, 64)


def make_data(n_rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, N_FEATURES)).astype(np.float32)
    score = X[:, :3].sum(axis=1) + rng.normal(scale=0.5, size=n_rows)
    y = (score > np.quantile(score, 0.9)).astype(np.int64)  # 10% minority
    return X, y


def mlp(input_shape, n_classes):
    inputs = keras.Input(shape=input_shape)
    hidden = inputs
    for units in HIDDEN:
        hidden = keras.layers.Dense(units, activation="relu")(hidden)
    return keras.Model(inputs, keras.layers.Dense(n_classes)(hidden))


def loss():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def fit_plain(X, y, epochs, batch_size, steps_per_execution=1):
    model = mlp(X.shape[1:], 2)
    model.compile(optimizer="adam", loss=loss(), steps_per_execution=steps_per_execution)
    model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)


def fit_skbalance(X, y, epochs, batch_size):
    KerasBalancedClassifier(
        hidden_units=HIDDEN, epochs=epochs, batch_size=batch_size, random_state=0
    ).fit(X, y)


def fit_scikeras(X, y, epochs, batch_size):
    from scikeras.wrappers import KerasClassifier

    KerasClassifier(
        model=lambda: mlp(X.shape[1:], 2),
        loss=loss(),
        optimizer="adam",
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        random_state=0,
    ).fit(X, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-scikeras", action="store_true")
    args = parser.parse_args()

    X, y = make_data(args.rows)
    steps_per_epoch = -(-args.rows // args.batch_size)
    auto_steps = min(_AUTO_STEPS_PER_EXECUTION, steps_per_epoch)
    sides = {
        "plain": lambda: fit_plain(X, y, args.epochs, args.batch_size),
        "plain_same": lambda: fit_plain(X, y, args.epochs, args.batch_size, auto_steps),
        "skbalance": lambda: fit_skbalance(X, y, args.epochs, args.batch_size),
    }
    if not args.no_scikeras:
        sides["scikeras"] = lambda: fit_scikeras(X, y, args.epochs, args.batch_size)

    fit_skbalance(X[:256], y[:256], 1, args.batch_size)  # warm-up: imports, first tracing
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for repeat in range(args.repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            sides[name]()
            times[name].append(time.perf_counter() - start)

    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"{args.rows:,} x {N_FEATURES} rows, MLP {HIDDEN}, epochs={args.epochs}, "
        f"batch_size={args.batch_size}, repeats={args.repeats} (median), "
        f"steps_per_execution auto={auto_steps}"
    )
    print(f"{'side':<12} {'median s':>9}  all runs (s)")
    for name in names:
        runs = ", ".join(f"{t:.1f}" for t in times[name])
        print(f"{name:<12} {median[name]:>9.2f}  {runs}")
    print(f"skbalance / plain      = {median['skbalance'] / median['plain']:.2f}  (goal <= 0.70)")
    print(
        f"skbalance / plain_same = {median['skbalance'] / median['plain_same']:.2f}  (goal <= 1.10)"
    )
    if "scikeras" in median:
        print(f"scikeras  / plain      = {median['scikeras'] / median['plain']:.2f}")


if __name__ == "__main__":
    main()
