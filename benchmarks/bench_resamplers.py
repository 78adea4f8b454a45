"""skbalance.sampling vs imbalanced-learn: time and peak memory of ``fit_resample``.

Every measurement runs in its own subprocess (so peak memory is each side's alone: the
kernel's peak-RSS mark, reset just before the call, less the RSS at that moment); the two
sides alternate, run after run, so machine load hits both alike; the table shows medians and
ratios (imbalanced-learn / skbalance: above 1 means skbalance is faster or smaller).

Cases (the issue's goals): random under- and over-sampling on 1,000,000 x 20 with a 1%
minority (goal: at least as fast), SMOTE on 300,000 x 20 with a 20% minority (goal: at least
2x faster); SVMSMOTE (5,000 x 20) and KMeansSMOTE (100,000 x 20), 20% minority (goal: at
least as fast); NearMiss (each version), RepeatedEditedNearestNeighbours, AllKNN and
NeighbourhoodCleaningRule on 20,000-50,000 x 20 (goal: at most 0.5x imbalanced-learn's time);
SMOTENC (50,000 x 20, 4 categorical columns) and SMOTEN (20,000 x 10, all categorical; goal
for both: at least 2x faster); the prototype samplers on sizes where imbalanced-learn takes
seconds: CondensedNearestNeighbour and OneSidedSelection (goal: at most half
imbalanced-learn's time), InstanceHardnessThreshold and ClusterCentroids (goal: no slower;
both spend their time in scikit-learn's forest / k-means, as imbalanced-learn does: ours runs
the forest's folds on threads, with the same probabilities); peak memory no higher.

Workers import skbalance afresh: to measure a checkout, export ``PYTHONPATH`` to it (the
subprocesses inherit it), e.g. ``PYTHONPATH=. python benchmarks/bench_resamplers.py``.

    python benchmarks/bench_resamplers.py                 # 3 repeats, a few minutes
    python benchmarks/bench_resamplers.py --repeats 5 --cases smote
    python benchmarks/bench_resamplers.py --scale 0.1     # quick smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

CASES = {
    # name: (sampler class name, rows, features, minority fraction)
    "random_under": ("RandomUnderSampler", 1_000_000, 20, 0.01),
    "random_over": ("RandomOverSampler", 1_000_000, 20, 0.01),
    "smote": ("SMOTE", 300_000, 20, 0.20),
    # the SVC fit (the same scikit-learn SVC on both sides) is most of SVMSMOTE's time
    "svm_smote": ("SVMSMOTE", 5_000, 20, 0.20),
    # the mean distance between a cluster's minority rows is most of KMeansSMOTE's time
    "kmeans_smote": ("KMeansSMOTE", 100_000, 20, 0.20),
    # neighbour-based under-samplers (goal: at most 0.5x imbalanced-learn's time); a fifth
    # entry gives the sampler's parameters (default: random_state=0)
    "nearmiss1": ("NearMiss", 50_000, 20, 0.10, {"version": 1}),
    "nearmiss2": ("NearMiss", 20_000, 20, 0.05, {"version": 2}),
    "nearmiss3": ("NearMiss", 50_000, 20, 0.10, {"version": 3}),
    "renn": ("RepeatedEditedNearestNeighbours", 50_000, 20, 0.20, {}),
    "allknn": ("AllKNN", 50_000, 20, 0.20, {}),
    "ncr": ("NeighbourhoodCleaningRule", 50_000, 20, 0.20, {}),
    # the last 4 of the 20 columns categorical (5 categories each)
    "smotenc": (
        "SMOTENC",
        50_000,
        20,
        0.20,
        {"random_state": 0, "categorical_features": [16, 17, 18, 19]},
    ),
    # every column categorical (4 categories, whose frequencies differ by class)
    "smoten": ("SMOTEN", 20_000, 10, 0.10),
    # imbalanced-learn refits a 1-NN classifier per row added to the store: ~40 s here
    "condensed_nn": ("CondensedNearestNeighbour", 2_000, 20, 0.20),
    "one_sided_selection": ("OneSidedSelection", 20_000, 20, 0.20),
    "instance_hardness": ("InstanceHardnessThreshold", 5_000, 20, 0.20),
    "cluster_centroids": ("ClusterCentroids", 5_000, 20, 0.20),
}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux 4.0+); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _peak_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmHWM in /proc/self/status")


def _measure(call) -> tuple[float, int]:
    """Seconds and peak extra RSS (bytes) of ``call()``.

    The peak is the kernel's own high-water mark, reset just before the call: exact, and
    with no thread of ours running beside the call (a watcher thread sampling RSS takes
    the GIL every few ms, which slows a sampler whose threads hand the GIL around more
    than one whose threads are OpenMP's, and it misses peaks shorter than its period).
    Where the mark cannot be reset, RSS is sampled every 2 ms by such a thread instead.
    """
    baseline = _rss_bytes()
    exact = _reset_peak()
    if not exact:
        peak, done = [baseline], threading.Event()

        def watch():
            while not done.is_set():
                peak[0] = max(peak[0], _rss_bytes())
                time.sleep(0.002)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    start = time.perf_counter()
    call()
    seconds = time.perf_counter() - start
    if exact:
        return seconds, _peak_bytes() - baseline
    done.set()
    watcher.join()
    return seconds, max(peak[0], _rss_bytes()) - baseline


def worker(side: str, case: str, scale: float) -> dict:
    """One measurement in this (fresh) process: seconds and peak extra RSS of fit_resample."""
    import numpy as np

    if side == "skbalance":
        import skbalance.sampling as library
    else:
        import imblearn.over_sampling
        import imblearn.under_sampling

        library = imblearn.over_sampling
        if not hasattr(library, CASES[case][0]):
            library = imblearn.under_sampling
    name, n_rows, n_features, minority, *params = CASES[case]
    n_rows = int(n_rows * scale)
    rng = np.random.default_rng(0)
    y = (rng.random(n_rows) < minority).astype(np.int64)
    X = rng.standard_normal((n_rows, n_features)) + y[:, None] * 0.5
    if case == "smotenc":  # the columns its categorical_features names
        X[:, -4:] = rng.integers(0, 5, size=(n_rows, 4))
    elif case == "smoten":
        X = np.floor(np.clip(X + 2, 0, 3.5)).astype(np.int64)
    sampler = getattr(library, name)(**(params[0] if params else {"random_state": 0}))
    result = []
    seconds, peak = _measure(lambda: result.extend(sampler.fit_resample(X, y)))
    return {"seconds": seconds, "peak_mb": peak / 2**20, "rows_out": len(result[1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the rows")
    parser.add_argument("--worker", nargs=2, metavar=("SIDE", "CASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker, args.scale)))
        return

    sides = ("skbalance", "imbalanced-learn")
    print(
        "| case | rows x features | skbalance s | imbalanced-learn s | speed-up "
        "| skbalance peak MB | imbalanced-learn peak MB | memory ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        results = {side: [] for side in sides}
        for repeat in range(args.repeats):
            order = sides if repeat % 2 == 0 else sides[::-1]  # alternate who goes first
            for side in order:
                out = subprocess.run(
                    [sys.executable, __file__, "--worker", side, case, "--scale", str(args.scale)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
        ours, theirs = results["skbalance"], results["imbalanced-learn"]
        t_ours = statistics.median(r["seconds"] for r in ours)
        t_theirs = statistics.median(r["seconds"] for r in theirs)
        m_ours = statistics.median(r["peak_mb"] for r in ours)
        m_theirs = statistics.median(r["peak_mb"] for r in theirs)
        _, n_rows, n_features, *_ = CASES[case]
        print(
            f"| {case} | {int(n_rows * args.scale):,} x {n_features} | {t_ours:.3f} "
            f"| {t_theirs:.3f} | {t_theirs / t_ours:.2f}x | {m_ours:.0f} | {m_theirs:.0f} "
            f"| {m_theirs / max(m_ours, 1e-9):.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
