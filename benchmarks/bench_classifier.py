"""Fit time of KerasBalancedClassifier per Keras backend, vs a plain ``model.fit`` and scikeras.

Same data (100,000 x 20 float32, 10% minority), same 2-hidden-layer MLP (64-64 ReLU, one logit
per class), same epochs, batch size, optimizer and loss on every side. Keras picks its backend
once per process, so each backend runs in processes of its own: every repetition starts one
fresh process per backend (the backends' order rotates), which imports, warms up on a small
fit (first imports, one-time set-up) and then times each side once (the sides' order rotates
too). The median over repetitions is reported, so load on a shared machine affects every side
and backend alike.

Sides:
  skbalance      KerasBalancedClassifier(hidden_units=(64, 64), ...).fit(X, y): the default MLP
  plain          model.fit(X, y) with Keras' defaults (steps_per_execution=1)
  plain_same     model.fit(X, y) with the steps_per_execution KerasBalancedClassifier picks
  scikeras       scikeras.wrappers.KerasClassifier(...).fit(X, y) (with --sides ... scikeras)

Goals: skbalance on JAX <= 0.5x skbalance on TensorFlow (issue 12); on each backend,
skbalance / plain <= 0.70 and skbalance / plain_same <= 1.10 (issue 4).

``--main-job`` times the README's main job instead, ``python -m skbalance compare --quiet``,
as a whole command (imports included, as a user waits for it), with ``KERAS_BACKEND`` set to
each backend in turn.

Run:  python benchmarks/bench_classifier.py [--backends tensorflow jax] [--repeats 3]
      python benchmarks/bench_classifier.py --main-job [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

N_FEATURES = 20
HIDDEN = (64, 64)
SIDES = ("skbalance", "plain", "plain_same", "scikeras")


# -- inside one backend's process ---------------------------------------------------------------


def make_data(n_rows: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, N_FEATURES)).astype(np.float32)
    score = X[:, :3].sum(axis=1) + rng.normal(scale=0.5, size=n_rows)
    y = (score > np.quantile(score, 0.9)).astype(np.int64)  # 10% minority
    return X, y


def mlp(input_shape, n_classes):
    import keras

    inputs = keras.Input(shape=input_shape)
    hidden = inputs
    for units in HIDDEN:
        hidden = keras.layers.Dense(units, activation="relu")(hidden)
    return keras.Model(inputs, keras.layers.Dense(n_classes)(hidden))


def loss():
    import keras

    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def fit_plain(X, y, epochs, batch_size, steps_per_execution=1):
    model = mlp(X.shape[1:], 2)
    model.compile(optimizer="adam", loss=loss(), steps_per_execution=steps_per_execution)
    model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)


def fit_skbalance(X, y, epochs, batch_size):
    from skbalance.keras import KerasBalancedClassifier

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


def worker(args) -> None:
    """Time each side once on this process's backend; print ``{side: seconds}`` as JSON."""
    import keras

    from skbalance.keras.classifier import _AUTO_STEPS_PER_EXECUTION

    assert keras.backend.backend() == args.backend, keras.backend.backend()
    X, y = make_data(args.rows)
    steps_per_epoch = -(-args.rows // args.batch_size)
    auto_steps = min(_AUTO_STEPS_PER_EXECUTION, steps_per_epoch)
    sides = {
        "skbalance": lambda: fit_skbalance(X, y, args.epochs, args.batch_size),
        "plain": lambda: fit_plain(X, y, args.epochs, args.batch_size),
        "plain_same": lambda: fit_plain(X, y, args.epochs, args.batch_size, auto_steps),
        "scikeras": lambda: fit_scikeras(X, y, args.epochs, args.batch_size),
    }
    names = list(args.sides)
    # warm-up: imports, one-time set-up
    fit_plain(X[:256], y[:256], 1, args.batch_size)
    if "skbalance" in names:
        fit_skbalance(X[:256], y[:256], 1, args.batch_size)
    shift = args.rotate % len(names)
    times = {}
    for name in names[shift:] + names[:shift]:
        start = time.perf_counter()
        sides[name]()
        times[name] = time.perf_counter() - start
    print(json.dumps({"times": times, "auto_steps": auto_steps}))


# -- the driver -------------------------------------------------------------------------------


def _environment(backend: str) -> dict[str, str]:
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path}


def run_worker(args, backend: str, rotate: int) -> dict:
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        "--backend",
        backend,
        "--rows",
        str(args.rows),
        "--epochs",
        str(args.epochs),
        "--batch-size",
        str(args.batch_size),
        "--rotate",
        str(rotate),
        "--sides",
        *args.sides,
    ]
    out = subprocess.run(command, capture_output=True, text=True, env=_environment(backend))
    if out.returncode != 0:
        sys.exit(f"the {backend} process failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_main_job(backend: str, extra: list[str]) -> float:
    command = [sys.executable, "-m", "skbalance", "compare", "--quiet", *extra]
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=_environment(backend))
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"the main job failed on {backend}:\n{out.stderr[-3000:]}")
    return seconds


def _rotations(items: list[str], repeats: int):
    for repeat in range(repeats):
        shift = repeat % len(items)
        yield repeat, items[shift:] + items[:shift]


def _ratio_line(label: str, numerator: float, denominator: float, goal: str) -> str:
    return f"{label} = {numerator / denominator:.2f}  ({goal})"


def main_fit(args) -> None:
    times = {backend: {side: [] for side in args.sides} for backend in args.backends}
    auto_steps = None
    for repeat, order in _rotations(list(args.backends), args.repeats):
        for backend in order:
            result = run_worker(args, backend, repeat)
            auto_steps = result["auto_steps"]
            for side, seconds in result["times"].items():
                times[backend][side].append(seconds)
    print(
        f"{args.rows:,} x {N_FEATURES} rows, MLP {HIDDEN}, epochs={args.epochs}, "
        f"batch_size={args.batch_size}, repeats={args.repeats} (median, one process per "
        f"backend and repetition), steps_per_execution auto={auto_steps}"
    )
    print(f"{'backend':<11} {'side':<11} {'median s':>9}  all runs (s)")
    median = {}
    for backend in args.backends:
        for side in args.sides:
            values = times[backend][side]
            median[backend, side] = statistics.median(values)
            runs = ", ".join(f"{t:.2f}" for t in values)
            print(f"{backend:<11} {side:<11} {median[backend, side]:>9.2f}  {runs}")
    for backend in args.backends:
        if {"skbalance", "plain"} <= set(args.sides):
            print(
                _ratio_line(
                    f"{backend}: skbalance / plain     ",
                    median[backend, "skbalance"],
                    median[backend, "plain"],
                    "goal <= 0.70",
                )
            )
        if {"skbalance", "plain_same"} <= set(args.sides):
            print(
                _ratio_line(
                    f"{backend}: skbalance / plain_same",
                    median[backend, "skbalance"],
                    median[backend, "plain_same"],
                    "goal <= 1.10",
                )
            )
    if "skbalance" in args.sides and {"jax", "tensorflow"} <= set(args.backends):
        print(
            _ratio_line(
                "skbalance: jax / tensorflow",
                median["jax", "skbalance"],
                median["tensorflow", "skbalance"],
                "goal <= 0.50",
            )
        )


def main_job(args) -> None:
    times = {backend: [] for backend in args.backends}
    for _, order in _rotations(list(args.backends), args.repeats):
        for backend in order:
            times[backend].append(time_main_job(backend, args.compare_args))
    command = " ".join(["python -m skbalance compare --quiet", *args.compare_args])
    print(f"main job: KERAS_BACKEND=<backend> {command}, repeats={args.repeats} (median)")
    print(f"{'backend':<11} {'median s':>9}  all runs (s)")
    for backend in args.backends:
        runs = ", ".join(f"{t:.1f}" for t in times[backend])
        print(f"{backend:<11} {statistics.median(times[backend]):>9.1f}  {runs}")
    if {"jax", "tensorflow"} <= set(args.backends):
        ratio = statistics.median(times["jax"]) / statistics.median(times["tensorflow"])
        print(f"main job: jax / tensorflow = {ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--sides", nargs="+", choices=SIDES, default=["skbalance", "plain", "plain_same"]
    )
    parser.add_argument(
        "--main-job",
        action="store_true",
        help="time `python -m skbalance compare --quiet` per backend instead",
    )
    parser.add_argument(
        "--compare-args",
        nargs=argparse.REMAINDER,
        default=[],
        help="with --main-job: more arguments for the compare command (last option)",
    )
    # Internal: one backend's process.
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--rotate", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
    elif args.main_job:
        main_job(args)
    else:
        main_fit(args)


if __name__ == "__main__":
    main()
