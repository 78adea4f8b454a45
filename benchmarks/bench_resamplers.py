"""skbalance.sampling vs imbalanced-learn: time and peak memory of ``fit_resample``.

Every measurement runs in its own subprocess (so peak memory is each side's alone); the two
sides alternate, run after run, so machine load hits both alike; the table shows medians and
ratios (imbalanced-learn / skbalance: above 1 means skbalance is faster or smaller).

Cases (the issue's goals): random under- and over-sampling on 1,000,000 x 20 with a 1%
minority (goal: at least as fast), SMOTE on 300,000 x 20 with a 20% minority (goal: at least
2x faster); peak memory no higher. The prototype samplers (issue 11) on sizes where
imbalanced-learn takes seconds: CondensedNearestNeighbour and OneSidedSelection (goal: at most
half imbalanced-learn's time), InstanceHardnessThreshold and ClusterCentroids (goal: no slower;
both spend their time in scikit-learn's forest / k-means, as imbalanced-learn does).

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
    # imbalanced-learn refits a 1-NN classifier per row added to the store: ~40 s here
    "condensed_nn": ("CondensedNearestNeighbour", 2_000, 20, 0.20),
    "one_sided_selection": ("OneSidedSelection", 20_000, 20, 0.20),
    "instance_hardness": ("InstanceHardnessThreshold", 5_000, 20, 0.20),
    "cluster_centroids": ("ClusterCentroids", 5_000, 20, 0.20),
}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


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
    name, n_rows, n_features, minority = CASES[case]
    n_rows = int(n_rows * scale)
    rng = np.random.default_rng(0)
    y = (rng.random(n_rows) < minority).astype(np.int64)
    X = rng.standard_normal((n_rows, n_features)) + y[:, None] * 0.5
    sampler = getattr(library, name)(random_state=0)

    baseline, peak, done = _rss_bytes(), [0], threading.Event()

    def watch():  # RSS sampled every 2 ms during the call
        while not done.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.perf_counter()
    X_res, y_res = sampler.fit_resample(X, y)
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    peak[0] = max(peak[0], _rss_bytes())
    return {"seconds": seconds, "peak_mb": (peak[0] - baseline) / 2**20, "rows_out": len(y_res)}


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
        _, n_rows, n_features, _ = CASES[case]
        print(
            f"| {case} | {int(n_rows * args.scale):,} x {n_features} | {t_ours:.3f} "
            f"| {t_theirs:.3f} | {t_theirs / t_ours:.2f}x | {m_ours:.0f} | {m_theirs:.0f} "
            f"| {m_theirs / max(m_ours, 1e-9):.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
