"""Speed and memory of skbalance.keras.BalancedDataset against plain ``model.fit(X, y)``.

Speed (issue 12, item 5: every ratio >= 0.95), per Keras backend, each backend in its own
subprocess (``KERAS_BACKEND`` is fixed per process). Training throughput (batches/s of the
steady-state epochs) on 100,000 x 20 float32 rows (10% minority) with a 64-64 MLP, at batch
sizes 32 and 256, for two pairs of sides:

- ``user feed``: ``model.fit(BalancedDataset(X, y, batch_size=b, random_state=0))`` against
  the same fit without a sampler, ``model.fit(X, y, batch_size=b)`` (both compiled with
  Keras' default ``steps_per_execution=1``);
- ``classifier``: ``KerasBalancedClassifier``'s per-epoch path (``class_weight="balanced",
  class_weight_from_epoch=1``: a ``BalancedDataset`` serving every row once per epoch,
  weighted) against its array path (``class_weight="balanced"``: the same rows and weights),
  both at ``steps_per_execution="auto"``.

Each fit runs 3 epochs and the first is not timed (it traces the training step and builds the
input pipeline); the two sides of a pair alternate, and the median over the repetitions is
reported, so that load on the machine affects both sides alike. ratio = feed throughput /
plain throughput.

Memory: peak RSS of a process that builds 1,000,000 x 50 float32 rows (200 MB, 90% / 10%
classes) and trains one epoch (batch 4096), one fresh subprocess per case:

- ``feed``: ``BalancedDataset(X, y)`` (no sampler) - the reference;
- ``feed+ros``: ``BalancedDataset(X, y, sampler=skbalance.sampling.RandomOverSampler())``
  (epoch of 1.8 M rows);
- ``feed+imb-ros``: the same with imbalanced-learn's ``RandomOverSampler``;
- ``imblearn+fit``: what users do today - ``RandomOverSampler().fit_resample`` then ``fit``.

The goal (issue 5) is ``feed+ros`` at most 50 MB above ``feed``.

Run: ``python benchmarks/bench_feed.py`` (``--quick`` for fewer repetitions; ``--only speed``
or ``--only memory``; ``--backends tensorflow jax``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

N_ROWS, N_FEATURES, EPOCHS = 100_000, 20, 3


def _model(n_features: int, n_classes: int = 2):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(n_classes),
        ]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _epoch_timer():
    """A Keras callback recording the wall time of every epoch after the first of each fit."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.times: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            if epoch > 0:  # the first epoch of a fit also pays for tracing and the pipeline
                self.times.append(time.perf_counter() - self._start)

    return EpochTimer()


def _speed_child(batch_sizes: list[int], repeats: int) -> None:
    """Child process (one backend): print one JSON line per pair and batch size."""
    import keras
    import numpy as np

    from skbalance.keras import BalancedDataset, KerasBalancedClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_ROWS, N_FEATURES), dtype=np.float32)
    y = (rng.random(N_ROWS) < 0.1).astype(np.int64)
    for batch_size in batch_sizes:
        n_batches = -(-N_ROWS // batch_size)
        timers = {name: _epoch_timer() for name in ("plain", "feed", "clf-array", "clf-epoch")}
        models = {name: _model(N_FEATURES) for name in ("plain", "feed")}
        feed = BalancedDataset(X, y, batch_size=batch_size, random_state=0)

        for _ in range(repeats):  # interleaved, so machine load hits both sides alike
            models["plain"].fit(
                X, y, batch_size=batch_size, epochs=EPOCHS, verbose=0,
                callbacks=[timers["plain"]],
            )  # fmt: skip
            models["feed"].fit(feed, epochs=EPOCHS, verbose=0, callbacks=[timers["feed"]])
            for name, drw in (("clf-array", {}), ("clf-epoch", {"class_weight_from_epoch": 1})):
                KerasBalancedClassifier(
                    class_weight="balanced", epochs=EPOCHS, batch_size=batch_size,
                    random_state=0, callbacks=[timers[name]], **drw,
                ).fit(X, y)  # fmt: skip
        rate = {name: n_batches / statistics.median(t.times) for name, t in timers.items()}
        for pair, (feed_side, plain_side) in {
            "user feed": ("feed", "plain"),
            "classifier": ("clf-epoch", "clf-array"),
        }.items():
            print(
                json.dumps(
                    {
                        "backend": keras.backend.backend(), "pair": pair,
                        "batch_size": batch_size, "feed": rate[feed_side],
                        "plain": rate[plain_side], "ratio": rate[feed_side] / rate[plain_side],
                        "repeats": repeats, "timed_epochs": EPOCHS - 1,
                    }
                )
            )  # fmt: skip
            sys.stdout.flush()


def bench_speed(backends: list[str], batch_sizes: list[int], repeats: int) -> None:
    print(
        f"speed: {N_ROWS:,} x {N_FEATURES} rows, 64-64 MLP, median over {repeats} x "
        f"{EPOCHS - 1} epochs, sides interleaved; ratio = feed / plain throughput"
    )
    print("| backend | pair | batch size | feed batches/s | plain batches/s | ratio |")
    print("|---|---|---|---|---|---|")
    for backend in backends:  # one process per backend: KERAS_BACKEND is read at import
        env = dict(os.environ, KERAS_BACKEND=backend)
        command = [sys.executable, __file__, "--speed-child", "--repeats", str(repeats)]
        command += ["--batch-sizes", *map(str, batch_sizes)]
        out = subprocess.run(command, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            print(f"| {backend} | failed: {out.stderr.strip().splitlines()[-1:]} |")
            continue
        for line in out.stdout.splitlines():
            if line.startswith("{"):
                r = json.loads(line)
                print(
                    f"| {r['backend']} | {r['pair']} | {r['batch_size']} | {r['feed']:.0f} | "
                    f"{r['plain']:.0f} | {r['ratio']:.2f} |"
                )


def _memory_case(case: str) -> None:
    """Child process: build the data, train one epoch, print peak RSS (MB) as JSON."""
    import resource

    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.standard_normal((1_000_000, 50), dtype=np.float32)
    y = (rng.random(1_000_000) < 0.1).astype(np.int64)
    model = _model(50)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if case == "imblearn+fit":
        from imblearn.over_sampling import RandomOverSampler

        X_res, y_res = RandomOverSampler(random_state=0).fit_resample(X, y)
        model.fit(X_res, y_res, batch_size=4096, epochs=1, verbose=0)
        rows = len(y_res)
    else:
        from imblearn.over_sampling import RandomOverSampler as ImbRandomOverSampler

        from skbalance.keras import BalancedDataset
        from skbalance.sampling import RandomOverSampler

        sampler = {"feed+ros": RandomOverSampler(), "feed+imb-ros": ImbRandomOverSampler()}.get(
            case
        )
        feed = BalancedDataset(X, y, sampler=sampler, batch_size=4096, random_state=0)
        model.fit(feed, epochs=1, verbose=0)
        rows = feed.rows_per_epoch_
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "peak_mb": peak, "before_fit_mb": before, "rows": rows}))


def bench_memory(repeats: int) -> None:
    cases = ["feed", "feed+ros", "feed+imb-ros", "imblearn+fit"]
    peaks: dict[str, list[float]] = {case: [] for case in cases}
    for _ in range(repeats):  # interleaved, one fresh process per case and repetition
        for case in cases:
            out = subprocess.run(
                [sys.executable, __file__, "--memory-case", case],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            peaks[case].append(result["peak_mb"])
            print(
                f"  {case:13s} rows/epoch={result['rows']:>9,d} peak RSS {result['peak_mb']:7.0f} "
                f"MB (before fit {result['before_fit_mb']:.0f} MB)"
            )
    reference = statistics.median(peaks["feed"])
    for case in cases:
        median = statistics.median(peaks[case])
        print(
            f"memory {case:13s} median peak RSS {median:7.0f} MB  "
            f"({median - reference:+5.0f} MB vs feed without sampler)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", choices=["speed", "memory"])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"])
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[32, 256])
    parser.add_argument("--repeats", type=int, help="repetitions of the speed measurement")
    parser.add_argument("--speed-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 5)
    if args.speed_child:
        _speed_child(args.batch_sizes, repeats)
        return
    if args.memory_case:
        _memory_case(args.memory_case)
        return
    if args.only in (None, "speed"):
        bench_speed(args.backends, args.batch_sizes, repeats)
    if args.only in (None, "memory"):
        bench_memory(repeats=1 if args.quick else 3)


if __name__ == "__main__":
    main()
