"""Speed and memory of skbalance.keras.BalancedDataset against plain ``model.fit(X, y)``.

Speed: batches/s of a training epoch on 100,000 x 20 float32 rows with a small MLP, fed
(a) as plain arrays to ``model.fit(X, y, batch_size=b)`` and (b) through ``BalancedDataset``
(no sampler, same batch size). Each fit runs 3 epochs and the first is not timed (it builds
the input pipeline); fits alternate between the two sides and the median epoch time is
reported, so that load on the machine affects both sides alike.

Memory: peak RSS of a process that builds 1,000,000 x 50 float32 rows (200 MB, 90% / 10%
classes) and trains one epoch (batch 4096), one fresh subprocess per case:

- ``feed``: ``BalancedDataset(X, y)`` (no sampler) - the reference;
- ``feed+ros``: ``BalancedDataset(X, y, sampler=skbalance.sampling.RandomOverSampler())``
  (epoch of 1.8 M rows);
- ``feed+imb-ros``: the same with imbalanced-learn's ``RandomOverSampler``;
- ``imblearn+fit``: what users do today - ``RandomOverSampler().fit_resample`` then ``fit``.

The goal (issue 5) is ``feed+ros`` at most 50 MB above ``feed``.

Run: ``python benchmarks/bench_feed.py`` (``--quick`` for fewer repetitions; ``--only speed``
or ``--only memory``).
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


class _EpochTimer:
    """Keras callback recording the wall time of every epoch after the first of each fit."""

    def __new__(cls):
        import keras

        class EpochTimer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.times: list[float] = []

            def on_epoch_begin(self, epoch, logs=None):
                self._start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                if epoch > 0:  # the first epoch of a fit also pays for building the pipeline
                    self.times.append(time.perf_counter() - self._start)

        return EpochTimer()


def _slices(X, y, batch_size: int):
    """The cheapest possible PyDataset (contiguous slices, no balancing): the floor for any
    PyDataset, which Keras feeds through a Python generator with per-batch overhead."""
    import keras

    class Slices(keras.utils.PyDataset):
        def __len__(self):
            return -(-len(y) // batch_size)

        def __getitem__(self, index):
            batch = slice(index * batch_size, (index + 1) * batch_size)
            return X[batch], y[batch]

    return Slices()


def bench_speed(batch_sizes: list[int], repeats: int, epochs: int = 3) -> None:
    import numpy as np

    from skbalance.keras import BalancedDataset

    rng = np.random.default_rng(0)
    X = rng.standard_normal((100_000, 20), dtype=np.float32)
    y = (rng.random(100_000) < 0.1).astype(np.int64)
    for batch_size in batch_sizes:
        models = {name: _model(20) for name in ("plain", "slices", "feed")}
        feed = BalancedDataset(X, y, batch_size=batch_size, random_state=0)
        slices = _slices(X, y, batch_size)
        n_batches = len(feed)
        timers = {name: _EpochTimer() for name in models}
        fits = {  # (data, fit keyword arguments)
            "plain": ((X, y), {"batch_size": batch_size}),
            "slices": ((slices,), {}),
            "feed": ((feed,), {}),
        }
        for _ in range(repeats):  # interleaved, so machine load hits all sides alike
            for name, (data, kwargs) in fits.items():
                models[name].fit(
                    *data, epochs=epochs, verbose=0, callbacks=[timers[name]], **kwargs
                )
        rate = {name: n_batches / statistics.median(t.times) for name, t in timers.items()}
        print(
            f"speed batch_size={batch_size} ({n_batches} batches/epoch, median over {repeats} x "
            f"{epochs - 1} epochs, interleaved): model.fit(X, y) {rate['plain']:.0f} batches/s | "
            f"minimal PyDataset {rate['slices']:.0f} | BalancedDataset {rate['feed']:.0f} | "
            f"ratio feed/plain = {rate['feed'] / rate['plain']:.2f}, "
            f"feed/minimal PyDataset = {rate['feed'] / rate['slices']:.2f}"
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
    parser.add_argument("--memory-case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_case:
        _memory_case(args.memory_case)
        return
    if args.only in (None, "speed"):
        bench_speed([32, 256], repeats=3 if args.quick else 5)
    if args.only in (None, "memory"):
        bench_memory(repeats=1 if args.quick else 3)


if __name__ == "__main__":
    main()
