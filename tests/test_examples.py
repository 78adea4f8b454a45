"""Smoke tests for ``examples/``: each script runs as a user runs it, exits 0 and prints its
results.

Every example is run once, in a fresh interpreter (``sys.executable examples/NAME.py``), exactly
as its docstring tells a user to. The assertions check the lines a reader relies on: the data
set sizes (exact), one result row per variant with scores that are probabilities, and the
effects each story is about where they are large and deterministic (on CPU, fixed seeds).
Run time is not asserted here (the machine may be shared); each example takes about 20-40 s
of CPU time, so they are in the slow run (``python -m pytest -m slow tests/test_examples.py``),
outside the default one, which must stay within its time budget.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# Generous: the examples take well under a minute alone, but CI machines are shared.
TIMEOUT_S = 600
_NUMBER = r"[-+]?\d+(?:\.\d+)?"


def run_example(name: str) -> str:
    """Run ``examples/<name>`` and return its stdout; fail with its stderr if it fails."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
        cwd=EXAMPLES.parent,
    )
    assert result.returncode == 0, f"{name} exited {result.returncode}:\n{result.stderr[-3000:]}"
    # The examples must not teach users to live with warnings (TensorFlow's C++ start-up
    # lines on stderr are not Python warnings and are ignored).
    warnings = [line for line in result.stderr.splitlines() if re.search(r"\w+Warning: ", line)]
    assert not warnings, f"{name} emitted Python warnings:\n" + "\n".join(warnings)
    return result.stdout


def scores_line(stdout: str, row_name: str) -> str:
    """The single output line that starts with ``row_name`` (followed by a space)."""
    lines = [line for line in stdout.splitlines() if line.startswith(row_name + " ")]
    assert len(lines) == 1, f"expected one line starting with {row_name!r} in:\n{stdout}"
    return lines[0]


def scores(stdout: str, row_name: str) -> list[float]:
    """The numbers on the (single) output line that starts with ``row_name``."""
    return [float(v) for v in re.findall(_NUMBER, scores_line(stdout, row_name)[len(row_name) :])]


def assert_probabilities(values: list[float], count: int) -> None:
    assert len(values) == count, values
    assert all(0.0 <= value <= 1.0 for value in values), values


def test_house_buying():
    stdout = run_example("house_buying.py")
    assert "training visits: 2100, of which buy: 118 (5.6%)" in stdout
    variants = ["cross-entropy", "class weights", "focal + weights", "under-sampling"]
    rows = {name: scores(stdout, name) for name in [*variants, "tuned threshold"]}
    for values in rows.values():
        assert_probabilities(values, 3)  # recall(buy), precision(buy), balanced accuracy
    # The story's point: plain cross-entropy misses most buyers; balancing finds more.
    baseline_recall = rows["cross-entropy"][0]
    assert baseline_recall < 0.4
    assert rows["under-sampling"][0] > baseline_recall + 0.2
    assert rows["tuned threshold"][0] > baseline_recall + 0.2
    threshold = re.search(rf"tuned threshold: P\(buy\) >= ({_NUMBER}) instead of 0.5", stdout)
    assert threshold is not None, stdout
    assert 0.0 < float(threshold.group(1)) < 0.5  # a rare positive needs a lower cut-off


def test_long_tailed_images():
    stdout = run_example("long_tailed_images.py")
    assert "training images per digit: [124, 80, 51, 33, 21, 14, 9, 5, 3, 2]" in stdout
    assert "test images per digit:     [50, 50, 50, 50, 50, 50, 50, 50, 50, 50]" in stdout
    rows = {
        name: scores(stdout, name)
        for name in ["cross-entropy", "balanced weights", "logit-adjusted", "LDAM"]
    }
    for values in rows.values():
        assert_probabilities(values, 3)  # balanced accuracy, tail recall, head recall
    # The long tail hurts plain cross-entropy on the rare digits.
    balanced, tail, head = rows["cross-entropy"]
    assert tail < head - 0.2
    assert balanced > 0.5  # the CNN did learn (chance is 0.1)


def test_grid_search():
    stdout = run_example("grid_search.py")
    assert "training rows: 800, churn: 10.0%" in stdout
    header = next(line for line in stdout.splitlines() if line.lstrip().startswith("class_weight"))
    assert header.split() == [
        "class_weight",
        "loss",
        "sampler",
        "balanced_accuracy",
        "f1_macro",
        "average_precision",
        "rank",
    ]
    table = stdout.split(header, 1)[1].split("best:", 1)[0].strip().splitlines()
    assert len(table) == 5  # the top 5 of the 8 candidates
    ranks = [int(line.split()[-1]) for line in table]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for line in table:
        class_weight, loss, sampler, *metrics, _ = line.split()
        assert class_weight in {"None", "balanced"}
        assert loss in {"cross_entropy", "focal"}
        assert sampler in {"-", "RandomUnderSampler"}
        assert_probabilities([float(m) for m in metrics], 3)
    # The refitted model is the rank-1 row of the table.
    class_weight, loss, sampler = table[0].split()[:3]
    best = re.search(r"best: (\{.*\})", stdout).group(1)
    assert f"'class_weight': '{class_weight}'" in best
    assert f"'loss': '{loss}'" in best
    assert ("'sampler': 'None'" in best) == (sampler == "-")
    test_scores = re.search(
        rf"refitted best on the test set: balanced_accuracy ({_NUMBER}), "
        rf"average_precision ({_NUMBER})",
        stdout,
    )
    assert test_scores is not None, stdout
    assert_probabilities([float(v) for v in test_scores.groups()], 2)


def test_smote_pipeline():
    stdout = run_example("smote_pipeline.py")
    assert "loans: 1200, default: 8.5%" in stdout
    # SMOTE brings "default" up to the 1098 "repaid" rows, and keeps one weight per row.
    assert "SMOTE: 1200 -> 2196 rows (1098 default), 2196 weights" in stdout
    rows = {
        name: scores(stdout, name)
        for name in ["no resampling", "SMOTE pipeline", "ResampledClassifier"]
    }
    for values in rows.values():
        assert_probabilities(values, 4)  # balanced accuracy +- std, recall +- std
    # skbalance's Pipeline and ResampledClassifier in sklearn's Pipeline train on the same
    # resampled rows and weights with the same seeds: identical cross-validation scores.
    assert rows["SMOTE pipeline"] == rows["ResampledClassifier"]
    assert rows["SMOTE pipeline"][2] > rows["no resampling"][2]  # SMOTE finds more defaults
    # With imbalanced-learn installed, the example shows its Pipeline failing on the same fit:
    # the weights reach the classifier un-resampled.
    if importlib.util.find_spec("imblearn") is not None:
        peer_line = scores_line(stdout, "imbalanced-learn Pipeline:")
        assert peer_line.startswith("imbalanced-learn Pipeline: ValueError: ")
        assert "1200" in peer_line and "2196" in peer_line  # weights vs rows after SMOTE
    else:
        assert "imbalanced-learn Pipeline" not in stdout
