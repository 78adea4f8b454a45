"""Peak memory of ``KerasBalancedClassifier.fit`` with per-epoch over-sampling (issue 5 goal).

One fresh subprocess per case builds 1,000,000 x 50 float32 rows (200 MB; classes 90% / 10%)
and fits ``KerasBalancedClassifier(hidden_units=(64,), epochs=1, batch_size=4096)`` once;
the case's peak RSS (``ru_maxrss``) is reported:

- ``no-sampler``: no sampler - the reference;
- ``ros-epoch``: ``sampler=skbalance.sampling.RandomOverSampler()``, ``resample="epoch"`` (an
  epoch of 1.8 M rows, sliced from ``X`` by index);
- ``imb-ros-epoch``: the same with imbalanced-learn's ``RandomOverSampler``;
- ``class-batches``: no sampler, ``batch_sampling="class"``: the same per-epoch feed
  (1 M rows per epoch), so ``ros-epoch`` minus this is what the sampler itself costs;
- ``ros-once``: ``resample="once"`` (the over-sampled copy of ``X`` is built, for contrast).

Without a sampler (and with ``batch_sampling="instance"``) the classifier feeds in-memory
arrays through ``tf.data``, which holds a copy of ``X`` in a tensor: that is why the
per-epoch feed, which slices ``X`` in place, peaks lower than the no-sampler reference.

The goal is ``ros-epoch`` at most 50 MB above ``no-sampler``. Cases run interleaved, and the
median over repetitions is reported.

Run: ``python benchmarks/bench_classifier_memory.py`` (``--repeats N``, default 3).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CASES = ["no-sampler", "ros-epoch", "imb-ros-epoch", "class-batches", "ros-once"]


def _case(case: str) -> None:
    """Child process: build the data, fit once, print the peak RSS (MB) as JSON."""
    import resource

    import numpy as np

    from skbalance.keras import KerasBalancedClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((1_000_000, 50), dtype=np.float32)
    y = (rng.random(1_000_000) < 0.1).astype(np.int64)
    params = {"hidden_units": (64,), "epochs": 1, "batch_size": 4096, "random_state": 0}
    if case == "ros-epoch":
        from skbalance.sampling import RandomOverSampler

        params.update(sampler=RandomOverSampler(), resample="epoch")
    elif case == "imb-ros-epoch":
        from imblearn.over_sampling import RandomOverSampler

        params.update(sampler=RandomOverSampler(), resample="epoch")
    elif case == "class-batches":
        params.update(batch_sampling="class")
    elif case == "ros-once":
        from skbalance.sampling import RandomOverSampler

        params.update(sampler=RandomOverSampler(), resample="once")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    KerasBalancedClassifier(**params).fit(X, y)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"case": case, "peak_mb": peak, "before_fit_mb": before}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        _case(args.case)
        return
    peaks: dict[str, list[float]] = {case: [] for case in CASES}
    for _ in range(args.repeats):
        for case in CASES:
            out = subprocess.run(
                [sys.executable, __file__, "--case", case],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            result = json.loads(out.stdout.strip().splitlines()[-1])
            peaks[case].append(result["peak_mb"])
            print(
                f"  {case:14s} peak RSS {result['peak_mb']:7.0f} MB "
                f"(before fit {result['before_fit_mb']:.0f} MB)",
                flush=True,
            )
    reference = statistics.median(peaks["no-sampler"])
    feed_reference = statistics.median(peaks["class-batches"])
    print(
        "\n| case | median peak RSS (MB) | vs no-sampler (MB) | vs class-batches (MB) |"
        "\n|---|---|---|---|"
    )
    for case in CASES:
        median = statistics.median(peaks[case])
        print(
            f"| {case} | {median:.0f} | {median - reference:+.0f} | "
            f"{median - feed_reference:+.0f} |"
        )
    print("\ngoal: ros-epoch at most +50 MB")


if __name__ == "__main__":
    main()
