"""``python -m skbalance compare``: help, bad input (one line, exit 1, before any training), a
small CSV run with --json, and (slow) the default run on long-tailed digits."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from skbalance._cli import main

OPTIONS = [
    "--target",
    "--dataset",
    "--imbalance-ratio",
    "--strategies",
    "--scoring",
    "--positive-label",
    "--cv",
    "--seed",
    "--jobs",
    "--scheduler",
    "--epochs",
    "--batch-size",
    "--hidden-units",
    "--json",
    "--plot",
    "--quiet",
    "--debug",
]


def run_cli(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "skbalance", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
    )


@pytest.fixture(scope="module")
def houses_csv(tmp_path_factory):
    rng = np.random.RandomState(0)
    n = 90
    frame = pd.DataFrame(
        {
            "price": rng.normal(300, 50, n).round(1),
            "rooms": rng.randint(1, 6, n),
            "city": rng.choice(["Lyon", "Nantes", "Paris"], n),
            "decision": np.where(np.arange(n) < 15, "buy", "don't buy"),
        }
    )
    frame.loc[:14, "price"] -= 60  # the rare 'buy' rows are cheaper: something to learn
    path = tmp_path_factory.mktemp("data") / "houses.csv"
    frame.to_csv(path, index=False)
    return path


def test_help_explains_every_option_and_strategy():
    out = run_cli("compare", "--help")
    assert out.returncode == 0
    for option in OPTIONS:
        assert option in out.stdout
    from skbalance._presets import STRATEGIES

    for name in STRATEGIES:
        assert name in out.stdout
    top = run_cli("--help")
    assert top.returncode == 0 and "compare" in top.stdout


def test_no_command_prints_usage():
    out = run_cli()
    assert out.returncode == 2 and "usage:" in out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.csv", "--target", "y"], "no such file: missing.csv"),
        (["{csv}", "--target", "price_eur"], "no column 'price_eur' in .*columns are price, rooms"),
        (["{csv}"], "--target COL is required with a CSV file"),
        (["{csv}", "--target", "decision", "--strategies", "none,magic"], "unknown strategy magic"),
        (["{csv}", "--target", "decision", "--scoring", "acuracy"], "unknown metric acuracy"),
        (
            ["{csv}", "--target", "decision", "--cv", "16"],
            "class 'buy' has only 15 rows, fewer than the 16 cross-validation folds",
        ),
        (
            ["{csv}", "--target", "city", "--positive-label", "Rome"],
            "positive_label='Rome' is not a class",
        ),
        (["{csv}", "--target", "rooms", "--positive-label", "x"], "--positive-label 'x' is not"),
        (
            ["{csv}", "--target", "decision", "--dataset", "digits"],
            "either a CSV file or --dataset",
        ),
        (["--dataset", "digits", "--imbalance-ratio", "0.5"], "--imbalance-ratio must be >= 1"),
        (["--dataset", "digits", "--hidden-units", "64,x"], "--hidden-units must be comma-sep"),
        (["--json", "/no/such/folder/out.json"], "--json: the folder of"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(houses_csv, args, message, capfd):
    # In-process (fast); the subprocess tests below check the real exit status end to end.
    status = main(["compare", *[a.replace("{csv}", str(houses_csv)) for a in args]])
    out, err = capfd.readouterr()
    assert status == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m skbalance compare: error: ")
    assert re.search(message, lines[0]), lines[0]
    assert out == ""


def test_bad_input_in_a_real_process_exits_1_without_traceback():
    out = run_cli("compare", "missing.csv", "--target", "y")
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr == "python -m skbalance compare: error: no such file: missing.csv\n"


def test_one_class_target_and_debug_raises(tmp_path, capfd):
    path = tmp_path / "one.csv"
    pd.DataFrame({"x": range(10), "label": ["yes"] * 10}).to_csv(path, index=False)
    assert main(["compare", str(path), "--target", "label"]) == 1
    err = capfd.readouterr().err
    assert "single class" in err and "Traceback" not in err
    with pytest.raises(ValueError, match="single class"):  # --debug: the real exception
        main(["compare", str(path), "--target", "label", "--debug"])


def test_empty_and_unreadable_csv(tmp_path, capfd):
    header_only = tmp_path / "header.csv"
    header_only.write_text("x,label\n")
    assert main(["compare", str(header_only), "--target", "label"]) == 1
    assert "has no rows with a 'label' value" in capfd.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert main(["compare", str(empty), "--target", "label"]) == 1
    assert f"cannot read {empty} as CSV" in capfd.readouterr().err


def test_plot_without_matplotlib_is_a_clear_message(tmp_path, monkeypatch, capfd):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    assert main(["compare", "--plot", str(tmp_path / "x.png")]) == 1
    err = capfd.readouterr().err
    assert "--plot needs matplotlib" in err and "pip install 'skbalance[plot]'" in err


def test_csv_run_writes_the_leaderboard_as_json(houses_csv, tmp_path):
    out_json, out_png = tmp_path / "board.json", tmp_path / "board.png"
    try:
        import matplotlib  # noqa: F401

        plot_args = ["--plot", out_png]
    except ImportError:  # the optional extra is not installed: the PNG is not checked
        plot_args = []
    out = run_cli(
        "compare",
        houses_csv,
        "--target",
        "decision",
        "--strategies",
        "none,balanced_weights",
        "--epochs",
        2,
        "--cv",
        2,
        "--hidden-units",
        8,
        "--positive-label",
        "buy",
        "--json",
        out_json,
        *plot_args,
    )
    assert out.returncode == 0, out.stderr
    # No TensorFlow / absl start-up noise reaches the user.
    assert "oneDNN" not in out.stderr and "absl" not in out.stderr, out.stderr
    assert "90 rows, 2 classes (buy: 15, don't buy: 75)" in out.stdout
    assert "Recommendation:" in out.stdout
    assert "recall[buy]" in out.stdout  # a label in brackets is not swallowed as rich markup
    data = json.loads(out_json.read_text())
    assert {e["strategy"] for e in data["leaderboard"]} == {"none", "balanced_weights"}
    assert data["positive_label"] == "buy" and data["n_splits"] == 2
    assert data["classes"] == ["buy", "don't buy"]
    metrics = data["leaderboard"][0]["metrics"]
    assert list(metrics) == [
        "balanced_accuracy",
        "f1_macro",
        "geometric_mean",
        "average_precision",
        "recall[buy]",
    ]
    assert all(len(m["folds"]) == 2 and 0 <= m["mean"] <= 1 for m in metrics.values())
    assert data["recommendation"] in out.stdout.replace("\n", " ") or data["best"] in out.stdout
    ranks = [e["metrics"]["balanced_accuracy"]["mean"] for e in data["leaderboard"]]
    assert ranks == sorted(ranks, reverse=True)
    if plot_args:
        assert out_png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_default_run_on_long_tailed_digits(tmp_path):
    out_json, out_png = tmp_path / "digits.json", tmp_path / "digits.png"
    out = run_cli("compare", "--json", out_json, "--plot", out_png, timeout=1200)
    assert out.returncode == 0, out.stderr
    data = json.loads(out_json.read_text())
    assert len(data["leaderboard"]) >= 5 and data["classes"] == list(range(10))
    by_name = {e["strategy"]: e for e in data["leaderboard"]}
    best = data["leaderboard"][0]["metrics"]["balanced_accuracy"]["mean"]
    assert best > by_name["none"]["metrics"]["balanced_accuracy"]["mean"]
    assert out_png.read_bytes()[:4] == b"\x89PNG"
