"""The multi-label table of ``benchmarks/bench_quality.py``: what its columns and its peer row
mean, checked against independent references, and a one-epoch run of its command line.

The benchmark's figures go into the README and docs/quality.md; these tests pin down the
definitions behind them (which labels are "rare", the hand-written weighted binary
cross-entropy of the Keras peer, the three scores) so that a change to the script cannot
silently change what the published table measures. The command-line run trains four
one-epoch networks, so it is in the slow run (``python -m pytest -m slow
tests/test_bench_quality.py``).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_quality.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_quality", BENCH)
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is being made
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def _with_counts(counts: list[int], n_rows: int = 6) -> np.ndarray:
    Y = np.zeros((n_rows, len(counts)), dtype=int)
    for label, count in enumerate(counts):
        Y[:count, label] = 1
    return Y


def test_rare_labels_are_the_third_with_fewest_training_positives(bench):
    # 6 labels: the 2 rarest; the tie at 2 positives (labels 3 and 5) goes to the earlier one
    assert bench.rare_labels(_with_counts([5, 1, 3, 2, 4, 2])).tolist() == [1, 3]
    # 10 labels: 3; 2 labels: still one
    assert bench.rare_labels(_with_counts([9, 8, 7, 6, 5, 4, 3, 2, 1, 1], 9)).tolist() == [8, 9, 7]
    assert bench.rare_labels(_with_counts([2, 3])).tolist() == [0]


def test_multilabel_scores_on_a_worked_example(bench):
    # label 2 is the rare one (1 training positive): its test recall is 1 of 2 positives
    split = bench.Split(
        X_train=np.zeros((4, 1)),
        y_train=np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0]]),
        X_test=np.zeros((4, 1)),
        y_test=np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]]),
    )
    Y_pred = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 0]])
    # scores: labels 0 and 1 ranked perfectly (AP 1); label 2's positives ranked 1st and 3rd,
    # AP = (1/1 + 2/3) / 2
    Y_score = np.array([[0.9, 0.1, 0.8], [0.2, 0.7, 0.3], [0.8, 0.6, 0.5], [0.1, 0.2, 0.1]])
    macro_f1, rare_recall, macro_ap = bench._multilabel_scores(split, (Y_pred, Y_score))
    # per-label F1: label 0 tp 2 fp 1 fn 0 -> 0.8; label 1 tp 1 fn 1 -> 2/3; label 2 tp 1 fn 1
    assert macro_f1 == pytest.approx((0.8 + 2 / 3 + 2 / 3) / 3)
    assert rare_recall == pytest.approx(0.5)
    assert macro_ap == pytest.approx((1 + 1 + (1 + 2 / 3) / 2) / 3)


def test_peer_loss_is_binary_cross_entropy_with_positive_weights(bench):
    rng = np.random.default_rng(0)
    y = (rng.random((16, 4)) < 0.3).astype("float32")
    logits = rng.normal(scale=3.0, size=(16, 4)).astype("float32")
    pos_weight = np.array([1.0, 2.5, 10.0, 40.0])
    value = keras.ops.convert_to_numpy(bench.pos_weight_bce(pos_weight)(y, logits))

    p = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    expected = -(pos_weight * y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=1)
    np.testing.assert_allclose(value, expected, rtol=1e-5)
    # weights of 1: Keras' own binary cross-entropy on logits, per row
    plain = keras.ops.convert_to_numpy(bench.pos_weight_bce(np.ones(4))(y, logits))
    keras_bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)(y, logits)
    np.testing.assert_allclose(plain, keras.ops.convert_to_numpy(keras_bce), rtol=1e-5)


@pytest.mark.slow  # four one-epoch fits: about 5 s of CPU (10 s on the loaded 2-core machine)
def test_multilabel_command_prints_the_table(bench, capsys):
    bench.main(
        [
            "--multilabel",
            "--quick",
            "--epochs",
            "1",
            "--methods",
            "ce",
            "balanced_weights",
            "peer_keras_pos_weight",
            "peer_sklearn_mlp",
            "ldam_drw",  # a single-label row: not in the multi-label table
        ]
    )
    out = capsys.readouterr().out
    assert "### ml_generated_lt50 (1 epochs, seeds [0]; a label is predicted when its " in out
    assert "| method | macro-F1 % | rare-label recall % | macro AP % | fit s |" in out
    rows = re.findall(r"^\| (\w+): .*$", out, flags=re.M)
    assert rows == ["ce", "balanced_weights", "peer_keras_pos_weight", "peer_sklearn_mlp"]
    scores = re.findall(r"\| (\d+\.\d) ± (\d+\.\d) ", out)
    assert len(scores) == 12  # 4 rows x 3 score columns, each a percentage
    assert all(0 <= float(mean) <= 100 and float(std) == 0 for mean, std in scores)
    assert "Best skbalance method by macro-F1: balanced_weights " in out
    assert "points vs cross-entropy" in out and "; best peer recipe: peer_" in out


def test_a_data_set_without_the_requested_rows_says_so(bench, capsys):
    bench.main(["--datasets", "ml_digits_lt20", "--methods", "crt", "--seeds", "0"])
    out = capsys.readouterr().out
    assert "### ml_digits_lt20: none of the methods ['crt'] has a row for it." in out
