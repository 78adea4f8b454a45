"""``python -m skbalance compare``: help, command-line errors (one line, exit 2), input errors
(one line, exit 1, before TensorFlow is imported), bugs (traceback, exit 3), reading the CSV,
a small CSV run with --json, and (slow) the default run on long-tailed digits."""

import contextlib
import gzip
import io
import json
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skbalance._cli import _positive_label, _PowerOfTwoScaler, _preprocessor, main
from skbalance._cli_args import parse_args
from skbalance._cli_data import load_csv
from skbalance._errors import InputError

OPTIONS = [
    "--target",
    "--dataset",
    "--imbalance-ratio",
    "--sep",
    "--na-values",
    "--keep-columns",
    "--drop-columns",
    "--strategies",
    "--scoring",
    "--positive-label",
    "--cv",
    "--seed",
    "--jobs",
    "--scheduler",
    "--repeats",
    "--holdout",
    "--save",
    "--epochs",
    "--batch-size",
    "--hidden-units",
    "--json",
    "--plot",
    "--quiet",
    "--debug",
]


def run_cli(*args, timeout=300):
    """The command in a fresh process, its output piped, ``COLUMNS`` unset (as in a script)."""
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "skbalance", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
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
    assert "Exit status: 0 done; 1 the input cannot be used" in out.stdout
    top = run_cli("--help")
    assert top.returncode == 0 and "compare" in top.stdout


def test_version_names_the_release_python_and_backend(monkeypatch, capsys):
    import platform

    from skbalance import __version__
    from skbalance._cli_args import parse_args

    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(SystemExit) as stop:
        parse_args(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == (
        f"skbalance {__version__} (Python {platform.python_version()}, Keras backend: jax)\n"
    )
    out = run_cli("--version")  # the real command, in a fresh interpreter
    assert out.returncode == 0 and out.stdout.startswith(f"skbalance {__version__} (Python ")
    assert out.stderr == ""


def test_no_command_prints_usage():
    out = run_cli()
    assert out.returncode == 2 and "usage:" in out.stderr


def run_main(argv, capfd):
    """``(status, stdout, stderr)`` of ``main`` in this process; argparse's exit is a status too."""
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    out, err = capfd.readouterr()
    return status, out, err


def assert_one_line_error(status, out, err, expected_status, pattern):
    assert status == expected_status, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("python -m skbalance compare: error: "), lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    assert out == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["--hidden-units", "0"], r"argument --hidden-units: must be comma-separated positive"),
        (["--hidden-units", "64,x"], r"argument --hidden-units: .* got 'x'"),
        (["--hidden-units", "64,,32"], r"argument --hidden-units: has an empty entry"),
        (["--jobs", "0"], r"argument --jobs: must be a positive number .* -1 for every core"),
        (["--seed", "-1"], r"argument --seed: must be an integer from 0 to 4294967295"),
        (["--seed", "4294967296"], r"argument --seed: must be an integer from 0 to 4294967295"),
        (["--cv", "1"], r"argument --cv: must be an integer >= 2"),
        (["--epochs", "0"], r"argument --epochs: must be an integer >= 1"),
        (["--batch-size", "-3"], r"argument --batch-size: must be an integer >= 1"),
        (["--repeats", "0"], r"argument --repeats: must be an integer >= 1"),
        (["--holdout", "0.7"], r"argument --holdout: must be a fraction of the rows from 0 "),
        (["--holdout", "half"], r"argument --holdout: must be a fraction .* got 'half'"),
        (["--imbalance-ratio", "0.5"], r"argument --imbalance-ratio: must be a number >= 1"),
        (["--imbalance-ratio", "nan"], r"argument --imbalance-ratio: must be a number >= 1"),
        (["--strategies", "none,smoet"], r"unknown strategy 'smoet' \(did you mean 'smote'\?\)"),
        (["--strategies", ","], r"argument --strategies: is empty"),
        (["--scoring", "acuracy"], r"unknown metric 'acuracy' \(did you mean 'accuracy'\?\)"),
        (["{csv}", "--target", "decision", "--dataset", "digits"], "either a CSV file or --data"),
        (["{csv}"], "--target COL is required with a CSV file"),
        (["--target", "decision"], "--target only applies to a CSV file"),
        (["{csv}", "--target", "decision", "--imbalance-ratio", "3"], "only applies to a bundled"),
        (["--sep", ";"], r"--sep only applies to a CSV file"),
        (["--keep-columns", "a"], r"--keep-columns only applies to a CSV file"),
        (["{csv}", "--target", "decision", "--sep", "ab"], r"argument --sep: must be one char"),
        (
            ["{csv}", "--target", "decision", "--keep-columns", "a", "--drop-columns", "b,a"],
            r"column 'a' is in both --keep-columns and --drop-columns",
        ),
    ],
)
def test_command_line_errors_are_one_line_exit_2_naming_the_option(
    houses_csv, args, message, capfd
):
    """Class: an option value out of its range (or a clash of options) that argparse accepted,
    so that it failed only after the data was read or the network trained, in a message that did
    not name the option (``--jobs 0``: 'n_jobs == 0 in Parallel has no meaning')."""
    argv = ["compare", *[a.replace("{csv}", str(houses_csv)) for a in args]]
    status, out, err = run_main(argv, capfd)
    assert_one_line_error(status, out, err, 2, message)
    assert err.rstrip().endswith("(see 'python -m skbalance compare --help').")


@settings(max_examples=40, deadline=None)
@given(
    option=st.sampled_from(["--seed", "--jobs", "--cv", "--epochs", "--batch-size"]),
    value=st.integers(-(2**33), 2**33),
)
def test_integer_options_accept_exactly_their_documented_range(option, value):
    """Class: an off-by-one or missing bound in an option's range (the boundary values must be
    accepted, the next ones refused)."""
    allowed = {
        "--seed": 0 <= value <= 2**32 - 1,
        "--jobs": value != 0 and abs(value) <= 2**31,
        "--cv": value >= 2,
        "--epochs": value >= 1,
        "--batch-size": value >= 1,
    }[option]
    dest = option.lstrip("-").replace("-", "_")
    if allowed:
        _, args = parse_args(["compare", option, str(value)])
        assert getattr(args, dest) == value
    else:
        with pytest.raises(SystemExit) as exit_info, contextlib.redirect_stderr(io.StringIO()):
            parse_args(["compare", option, str(value)])
        assert exit_info.value.code == 2


def write_csv(path, text: str | bytes) -> str:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def small_frame(n=24, **columns):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.normal(size=n).round(3), "label": ["a"] * 12 + ["b"] * 12})
    for name, values in columns.items():
        frame[name] = values
    return frame


# name -> (CSV content, extra arguments, the message)
INPUT_ERRORS = {
    "missing file": (None, ["--target", "y"], r"no such file: .*nope\.csv"),
    "missing target column": (
        small_frame().to_csv(index=False),
        ["--target", "Label"],
        r"no column 'Label' in .* \(did you mean 'label'\?\); the columns are x, label",
    ),
    "one class": ("x,label\n1,a\n2,a\n3,a\n", ["--target", "label"], r"has a single class"),
    "continuous target": (
        small_frame(label=np.linspace(-2.05, 3, 24)).to_csv(index=False),
        ["--target", "label"],
        r"the target column 'label' looks continuous: 24 distinct values in 24 rows, such as "
        r"-2\.05",
    ),
    "infinite target": (
        "x,label\n1,1\n2,inf\n3,2\n4,1\n5,2\n",
        ["--target", "label"],
        r"the target column 'label' has an infinite value \(data row 2 of",
    ),
    "infinite feature": (
        "x,z,label\n1,0,a\n2,0,b\n3,-inf,a\n4,0,b\n5,inf,a\n6,0,b\n",
        ["--target", "label"],
        r"column 'z' of .* has 2 infinite values \(the first in data row 3\)",
    ),
    "not UTF-8": (
        b"x,label\n1,a\n2,caf\xe9\n",
        ["--target", "label"],
        r"is not UTF-8 text \(byte 0xe9 on line 3\); save it as UTF-8",
    ),
    "repeated column": (
        "x,x,label\n1,2,a\n3,4,b\n",
        ["--target", "label"],
        r"column name 'x' appears twice in the header of .* \(columns 1 and 2\)",
    ),
    "rows longer than the header": (
        "x,label\n0,1,a,\n1,2,b,\n",
        ["--target", "label"],
        r"the rows of .* have more fields than its header has names",
    ),
    "header only": ("x,label\n", ["--target", "label"], r"has no rows with a 'label' value"),
    "empty file": ("", ["--target", "label"], r"cannot read .* as CSV"),
    "no feature with values": (
        "x,label\n,a\n,b\n,a\n,b\n",
        ["--target", "label"],
        r"has no feature column with any value besides 'label'",
    ),
    "more folds than rows": (
        small_frame(label=["a"] * 22 + ["b"] * 2).to_csv(index=False),
        ["--target", "label", "--cv", "3"],
        r"class 'b' has only 2 rows, fewer than the 3 cross-validation folds \(every fold needs "
        r"one\); use --cv 2, or add rows of that class\.$",
    ),
    "an id as target": (
        small_frame(label=np.arange(24)).to_csv(index=False),
        ["--target", "label"],
        r"class 0 has only 1 row.*\(the target column 'label' has 24 distinct values in 24 rows:"
        r" is it really a class label\?\)",
    ),
    "positive label absent": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--positive-label", "A"],
        r"--positive-label 'A' is not a class of the target column 'label' \(did you mean 'a'\?\)"
        r"; the classes are a, b",
    ),
    "positive label absent, bool": (
        small_frame(label=[True] * 6 + [False] * 18).to_csv(index=False),
        ["--target", "label", "--positive-label", "yes"],
        r"--positive-label 'yes' is not a class .*; the classes are False, True",
    ),
    "roc_auc on three classes": (
        small_frame(label=["a"] * 10 + ["b"] * 8 + ["c"] * 6).to_csv(index=False),
        ["--target", "label", "--scoring", "roc_auc"],
        r"metric 'roc_auc' cannot score the target column 'label', whose 3 classes are 'a', 'b', "
        r"'c' \(multi_class must be in \('ovo', 'ovr'\)\); use roc_auc_ovr \(or",
    ),
    "f1 on string labels": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--scoring", "balanced_accuracy,f1"],
        r"metric 'f1' cannot score .*pos_label=1 is not a valid label.*use f1_macro",
    ),
    "smote without 2 rows to interpolate": (
        small_frame(label=["a"] * 22 + ["b"] * 2).to_csv(index=False),
        ["--target", "label", "--cv", "2", "--strategies", "none,smote"],
        r"strategy 'smote' cannot run here: a class has fewer than 2 rows in a training fold",
    ),
    "CSV is a folder": ("{folder}", ["--target", "label"], r"is a folder; give the CSV file in"),
    "Excel workbook": (
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb5",
        ["--target", "label"],
        r"data\.xlsx looks like an Excel workbook, not a CSV file; export it as CSV",
    ),
    "bundled data, ratio too high for the folds": (
        "{no csv}",
        ["--dataset", "breast_cancer", "--imbalance-ratio", "1000"],
        r"class 'malignant' has only 1 row; .* With --dataset, lower --imbalance-ratio instead: "
        r"70 or lower leaves at least 3 rows of every class\.$",
    ),
    "json in /proc": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--json", "/proc/skbalance-out.json"],
        r"--json: cannot write /proc/skbalance-out\.json",
    ),
    "json is a folder": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--json", "{tmp}"],
        r"--json: .* is a folder; give a file name in it",
    ),
    "json in a missing folder": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--json", "{tmp}/no/such/folder/out.json"],
        r"--json: the folder of .* does not exist",
    ),
    "json overwrites the CSV": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--json", "{csv}"],
        r"--json .*data\.csv would overwrite the input CSV",
    ),
    "save is a folder": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--save", "{tmp}"],
        r"--save: .* is a folder; give a file name in it",
    ),
    "save and json name the same file": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--save", "{tmp}/out", "--json", "{tmp}/out"],
        r"--json and --save name the same file",
    ),
    "holdout too large for the classes": (
        small_frame().to_csv(index=False),
        ["--target", "label", "--holdout", "0.5", "--cv", "7"],
        r"holdout=0\.5: a 50% hold-out \(\d+ rows\) cannot be used",
    ),
}


def input_error_argv(case: str, folder) -> list[str]:
    """The command line of ``INPUT_ERRORS[case]``, its files written under ``folder``."""
    content, extra, _ = INPUT_ERRORS[case]
    suffix = ".xlsx" if "Excel" in case else ".csv"
    csv = folder / ("nope.csv" if content is None else f"data{suffix}")
    if content == "{no csv}":
        return ["compare", *extra]
    if content == "{folder}":
        csv = folder
    elif content is not None:
        write_csv(csv, content)
    extra = [a.replace("{tmp}", str(folder)).replace("{csv}", str(csv)) for a in extra]
    return ["compare", str(csv), *extra]


@pytest.mark.parametrize("case", INPUT_ERRORS)
def test_input_errors_are_one_line_exit_1_before_training(case, tmp_path, capfd):
    """Class: bad data that passed the up-front checks and failed after TensorFlow was imported
    and every strategy trained (inf features, an unwritable --json), or failed with a misleading
    message (a continuous target: 'class -2.05 has only 1 row')."""
    argv = input_error_argv(case, tmp_path)
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    status, out, err = run_main(argv, capfd)
    assert_one_line_error(status, out, err, 1, INPUT_ERRORS[case][2])
    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert after == before  # nothing created, removed or overwritten


@pytest.mark.parametrize("where", ["open", "read_csv"])
def test_an_unreadable_csv_is_an_input_error(where, houses_csv, monkeypatch, capfd):
    """Class: an OSError while reading (no permission) reported as a bug in skbalance."""
    import pandas

    import skbalance._cli_data

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(houses_csv))

    if where == "open":
        monkeypatch.setattr(skbalance._cli_data, "open", denied, raising=False)
    else:
        monkeypatch.setattr(pandas, "read_csv", denied)
    status, out, err = run_main(["compare", str(houses_csv), "--target", "decision"], capfd)
    assert_one_line_error(status, out, err, 1, r"cannot read .*houses\.csv: Permission denied")


def test_input_errors_never_import_tensorflow(tmp_path):
    """Class: a check that runs only after the heavy import (TensorFlow takes seconds to load
    and prints to the terminal): every input error must be found without it."""
    runs = []
    for index, case in enumerate(INPUT_ERRORS):
        folder = tmp_path / str(index)
        folder.mkdir()
        runs.append((case, input_error_argv(case, folder)))
    runs.append(("option", ["compare", "--jobs", "0"]))
    runs.append(("bundled, bad label", ["compare", "--positive-label", "11", "--cv", "2"]))
    code = (
        "import contextlib, io, json, sys\n"
        "from skbalance._cli import main\n"
        f"runs = {runs!r}\n"
        "seen = []\n"
        "for case, argv in runs:\n"
        "    with contextlib.redirect_stderr(io.StringIO()):\n"
        "        try:\n"
        "            status = main(argv)\n"
        "        except SystemExit as exc:\n"
        "            status = exc.code\n"
        "    heavy = [m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules]\n"
        "    seen.append([case, status, heavy])\n"
        "print(json.dumps(seen))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert len(seen) == len(runs)
    for case, status, heavy in seen:
        assert status in (1, 2), case
        assert heavy == [], f"{case}: imported {heavy}"


def test_an_unexpected_error_shows_the_traceback_and_where_to_report_it(
    houses_csv, tmp_path, monkeypatch, capfd
):
    """Class: a bug reported like an input error (one line, exit 1), which hides the traceback
    and tells the user to fix input that is fine. Only InputError gets the one-liner."""
    from pathlib import Path

    import tomllib

    import skbalance._cli as cli

    def broken(args, outputs):
        raise ValueError("an internal inconsistency")  # a ValueError, but not an InputError

    monkeypatch.setattr(cli, "_compare", broken)
    out_json = tmp_path / "board.json"
    argv = ["compare", str(houses_csv), "--target", "decision", "--json", str(out_json)]
    status, out, err = run_main(argv, capfd)
    assert status == 3
    assert "Traceback (most recent call last)" in err
    assert "ValueError: an internal inconsistency" in err
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    issues = pyproject["project"]["urls"]["Homepage"].rstrip("/") + "/issues"
    assert "internal error: this is a bug in skbalance, not a problem with your input. " in err
    assert f"Please report it at {issues} " in err
    assert not out_json.exists()  # created up front, removed when the run failed
    with pytest.raises(ValueError, match="internal inconsistency"):  # --debug: raised as is
        main([*argv, "--debug"])
    assert not out_json.exists()


def test_a_strategy_that_fails_asks_for_a_report():
    """Class: a failure inside a strategy (after every input check passed) shown like a
    verdict on the data, without pointing to --debug and the issue tracker."""
    from rich.console import Console
    from sklearn.linear_model import LogisticRegression

    from skbalance._cli import _issues_url, _print_report
    from skbalance.compare import compare_strategies

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 2)), np.repeat(["a", "b"], [30, 10])
    strategies = {"ok": LogisticRegression(), "bad": LogisticRegression(C=-1)}
    result = compare_strategies(X, y, strategies=strategies, cv=2, on_error="skip")
    console = Console(file=io.StringIO(), width=200)
    _print_report(result, y, console)
    text = console.file.getvalue()
    assert "failed bad: InvalidParameterError" in text
    assert (
        f"Run again with --debug for the traceback, and please report it: {_issues_url()}" in text
    )


def test_a_failed_run_leaves_an_existing_output_file_untouched(
    houses_csv, tmp_path, monkeypatch, capfd
):
    """Class: an output file truncated up front (to test that it can be written) and lost when
    the run then fails."""
    import skbalance._cli as cli

    out_json = tmp_path / "board.json"
    out_json.write_text('{"old": true}\n')

    def interrupted(args, outputs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_compare", interrupted)
    argv = ["compare", str(houses_csv), "--target", "decision", "--json", str(out_json)]
    status, _, err = run_main(argv, capfd)
    assert status == 130 and err.strip() == "python -m skbalance compare: interrupted"
    assert out_json.read_text() == '{"old": true}\n'


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
    with pytest.raises(InputError, match="single class"):  # --debug: the real exception
        main(["compare", str(path), "--target", "label", "--debug"])


def test_plot_without_matplotlib_is_a_clear_message(tmp_path, monkeypatch, capfd):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    assert main(["compare", "--plot", str(tmp_path / "x.png")]) == 1
    err = capfd.readouterr().err
    assert "--plot needs matplotlib" in err and "pip install 'skbalance[plot]'" in err


def test_plot_format_and_path_clashes_are_checked_up_front(tmp_path, capfd):
    """Class: an output that can only fail after the whole run (matplotlib picks the format
    from the suffix when it saves)."""
    pytest.importorskip("matplotlib")
    status, out, err = run_main(["compare", "--plot", str(tmp_path / "cmp.xyz")], capfd)
    assert_one_line_error(status, out, err, 1, r"--plot cannot write a \.xyz file; use one of")
    same = str(tmp_path / "out.png")
    status, out, err = run_main(["compare", "--plot", same, "--json", same], capfd)
    assert_one_line_error(status, out, err, 1, r"--json and --plot name the same file")
    assert list(tmp_path.iterdir()) == []


# --- reading the CSV (no training) -----------------------------------------------------------


def test_semicolon_file_with_decimal_commas_reads_as_numbers(tmp_path):
    """Class: numbers silently read as text (then one-hot encoded as categories) because the
    file uses another separator or decimal commas."""
    text = "price;rooms;city;label\n1,5;3;Lyon;a\n-2,25;4;Nantes;b\n1e3;2;Paris;a\n;1;Lyon;b\n"
    X, y, notes = load_csv(write_csv(tmp_path / "eu.csv", text), "label")
    assert X.columns.tolist() == ["price", "rooms", "city"]
    assert X["price"].dtype == np.float64
    np.testing.assert_array_equal(X["price"].to_numpy(), [1.5, -2.25, 1000.0, np.nan])
    assert X["rooms"].tolist() == [3, 4, 2, 1] and y.tolist() == ["a", "b", "a", "b"]
    assert any("';' as the column separator" in note for note in notes)
    assert any("column 'price': read '1,5' as the number 1.5" in note for note in notes)
    compressed = tmp_path / "eu.csv.gz"
    compressed.write_bytes(gzip.compress(text.encode()))
    X_gz, _, _ = load_csv(str(compressed), "label")
    pd.testing.assert_frame_equal(X_gz, X)
    tabbed, _, notes = load_csv(write_csv(tmp_path / "t.tsv", "x\tlabel\n1.5\ta\n2\tb\n"), "label")
    assert tabbed["x"].tolist() == [1.5, 2.0] and "a tab as the column separator" in notes[0]


def test_an_unnamed_row_number_column_is_left_out(tmp_path):
    """Class: the index written by ``DataFrame.to_csv()`` read back as a feature; on a file
    sorted by class it leaks the label into every fold."""
    frame = small_frame()
    X, _, notes = load_csv(write_csv(tmp_path / "i.csv", frame.to_csv()), "label")
    assert X.columns.tolist() == ["x"]
    assert notes == [
        "left out column 1: it has no name and holds the row numbers (an index written by "
        "pandas' to_csv?); as a feature it would leak the row order"
    ]
    # A named column of row numbers (or an unnamed one with other values) has a different
    # number in every row: an identifier too, left out with a note; --keep-columns keeps it.
    named = write_csv(tmp_path / "n.csv", small_frame(row=np.arange(24)).to_csv(index=False))
    X, _, notes = load_csv(named, "label")
    assert X.columns.tolist() == ["x"]
    assert notes == [
        "left out column 'row': a different number in every row: an identifier, not a "
        "feature; --keep-columns 'row' keeps it"
    ]
    X, _, notes = load_csv(named, "label", keep_columns=["row"])
    assert X.columns.tolist() == ["x", "row"] and notes == []
    # In fewer than 20 rows a column can be unique by chance: kept.
    few = pd.DataFrame({"x": np.arange(19), "label": ["a"] * 10 + ["b"] * 9})
    X, _, notes = load_csv(write_csv(tmp_path / "f.csv", few.to_csv(index=False)), "label")
    assert X.columns.tolist() == ["x"] and notes == []


def test_empty_columns_and_stray_text_in_numbers_are_one_note_each(tmp_path):
    """Class: an all-empty column reported as dozens of scikit-learn imputer warnings, and a
    numeric column turned into categories by a few '?' cells without a word."""
    size = [str(i % 5) for i in range(23)] + ["unknown"]
    frame = small_frame(empty=np.nan, blank=np.nan, size=size)
    X, y, notes = load_csv(write_csv(tmp_path / "e.csv", frame.to_csv(index=False)), "label")
    assert X.columns.tolist() == ["x", "size"]
    assert notes == [
        "left out column 'empty': no values in any row",
        "left out column 'blank': no values in any row",
        "column 'size' is mostly numbers but is read as categories because of 1 other value "
        "('unknown'); list them in --na-values (or empty those cells) to read them as missing "
        "numbers",
    ]


@settings(max_examples=30, deadline=None)
@given(labels=st.lists(st.one_of(st.none(), st.integers(-(2**40), 2**40)), min_size=2, max_size=30))
def test_integer_labels_round_trip_through_a_csv_with_missing_labels(labels, tmp_path_factory):
    """Class: dtype round trip of the target: pandas reads ints with an empty cell as floats
    (1.0, 2.0), which compare then showed and matched as 1.0, not the 1 the file holds."""
    if all(label is None for label in labels):
        labels[0] = 7
    frame = pd.DataFrame({"x": np.arange(len(labels)) + 0.5, "label": labels})
    path = tmp_path_factory.mktemp("rt") / "labels.csv"
    X, y, _ = load_csv(write_csv(path, frame.to_csv(index=False)), "label")
    expected = [label for label in labels if label is not None]
    assert y.dtype == np.int64 and y.tolist() == expected
    assert X["x"].tolist() == [i + 0.5 for i, label in enumerate(labels) if label is not None]


@pytest.mark.parametrize(
    "classes, text, expected",
    [
        ([False, True], "True", True),
        ([False, True], "true", True),
        ([False, True], "0", False),
        ([1.0, 2.5], "1", 1.0),
        ([1, 2], "2.0", 2),
        (["buy", "don't buy"], "buy", "buy"),
        (["1", "a"], "1", "1"),
    ],
)
def test_positive_label_names_the_class_as_typed(classes, text, expected):
    """Class: a label typed on the command line never matching a class of another type
    (``--positive-label True`` for a bool target)."""
    label = _positive_label(text, np.array(classes), "y")
    assert label == expected and type(label) is type(expected)


def test_a_column_empty_in_one_training_fold_is_quiet_and_keeps_the_width():
    """Class: one imputer warning per fit (dozens per run) for a column that a training fold
    happens to have no value of, and a fold whose features are one column narrower."""
    frame = pd.DataFrame({"a": [np.nan] * 5 + [1.0], "b": np.arange(6.0), "c": list("xyxyxy")})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fold = _preprocessor(frame).fit_transform(frame.iloc[:5])
    full = _preprocessor(frame).fit_transform(frame)
    assert fold.shape[1] == full.shape[1] == 4
    np.testing.assert_array_equal(fold[:, 0], 0.0)


@settings(max_examples=40, deadline=None)
@given(exponent=st.integers(-300, 300), seed=st.integers(0, 2**16))
def test_preprocessing_is_the_same_at_every_scale(exponent, seed):
    """Class: standardisation that overflows (a column ~1e200 became NaN) or underflows (a
    column ~1e-20 was taken for constant and left near 0) at extreme feature scales."""
    rng = np.random.RandomState(seed)
    base = pd.DataFrame({"a": rng.normal(3, 1, 20), "b": rng.normal(size=20)})
    scaled = base.assign(a=base["a"] * 10.0**exponent)
    reference = _preprocessor(base).fit_transform(base)
    result = _preprocessor(scaled).fit_transform(scaled)
    assert np.all(np.isfinite(result))
    np.testing.assert_allclose(result, reference, rtol=1e-9, atol=1e-9)
    power = _PowerOfTwoScaler().fit(scaled)  # exact: scaling back gives every value bit for bit
    back = np.ldexp(power.transform(scaled), power.exponent_)
    np.testing.assert_array_equal(back, scaled.to_numpy())


def test_csv_run_writes_the_leaderboard_as_json(houses_csv, tmp_path):
    """Also the smote strategy on a CSV with a text column ('city'): SMOTENC on the raw
    columns, then one-hot encoding (class: SMOTE on one-hot codes, fractional categories)."""
    out_json, out_png = tmp_path / "board.json", tmp_path / "board.png"
    out_model = tmp_path / "winner.pkl"
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
        "none,balanced_weights,smote",
        "--epochs",
        2,
        "--cv",
        2,
        "--hidden-units",
        8,
        "--positive-label",
        "buy",
        "--repeats",
        1,
        "--json",
        out_json,
        "--save",
        out_model,
        *plot_args,
    )
    assert out.returncode == 0, out.stderr
    # No TensorFlow / absl start-up noise reaches the user.
    assert "oneDNN" not in out.stderr and "absl" not in out.stderr, out.stderr
    assert "90 rows, 2 classes (buy: 15, don't buy: 75)" in out.stdout
    assert "Recommendation:" in out.stdout
    assert "Rec+: recall of class 'buy'" in out.stdout  # the legend of the short headers
    data = json.loads(out_json.read_text())
    assert {e["strategy"] for e in data["leaderboard"]} == {"none", "balanced_weights", "smote"}
    assert data["failures"] == {}
    assert data["positive_label"] == "buy" and data["n_splits"] == 2
    assert data["classes"] == ["buy", "don't buy"]
    metrics = data["leaderboard"][0]["metrics"]
    assert list(metrics) == [
        "balanced_accuracy",
        "f1_macro",
        "geometric_mean",
        "average_precision",
        "recall[buy]",
        "brier_score_data_prior",
        "log_loss_data_prior",
    ]
    assert all(len(m["folds"]) == 2 for m in metrics.values())
    assert all(0 <= metrics[m]["mean"] <= 1 for m in list(metrics)[:5])
    assert 0 <= metrics["brier_score_data_prior"]["mean"] <= 2
    assert metrics["log_loss_data_prior"]["mean"] > 0
    assert "Brier, log-loss: lower is better" in out.stdout
    # Piped: the table fits 80 columns and prose is never wrapped (one line per paragraph).
    assert f"Recommendation: {data['recommendation']}" in out.stdout.splitlines()
    # The ranking block, then the probability block (Brier, log-loss) under the same names.
    table = [line for line in out.stdout.splitlines() if re.match(r"#  strategy|\d+  \S", line)]
    assert len(table) == 8 and max(len(line) for line in table) <= 80
    assert table[0].split() == ["#", "strategy", "BA", "F1m", "GM", "AP", "Rec+", "fit", "s"]
    assert table[4].split() == ["#", "strategy", "Brier", "LL"]
    assert [row.split()[1] for row in table[1:4]] == [row.split()[1] for row in table[5:8]]
    ranks = [e["metrics"]["balanced_accuracy"]["mean"] for e in data["leaderboard"]]
    assert ranks == sorted(ranks, reverse=True)
    if plot_args:
        assert out_png.read_bytes()[:4] == b"\x89PNG"
    # The held-out estimate (15 'buy' rows: a 20% hold-out of 18 rows leaves 2 folds enough).
    held = data["holdout"]
    assert held["strategy"] == data["recommended"] and held["n_rows"] == 18
    assert "Held-out estimate:" in out.stdout.replace("\n", " ")
    # The winner carried away: a snippet that builds it, and the refit pipeline, which
    # predicts raw rows of the CSV (a text column, unscaled numbers) after 'import skbalance'.
    assert data["snippet"].splitlines()[-1] in out.stdout
    assert f"Saved '{data['recommended']}'" in out.stdout
    import pickle

    import skbalance  # noqa: F401

    model = pickle.loads(out_model.read_bytes())
    rows = pd.read_csv(houses_csv).drop(columns="decision")
    assert set(model.predict(rows)) <= {"buy", "don't buy"}
    # The CSV's guesses travel with it: the file itself, target column included, predicts too.
    np.testing.assert_array_equal(model.predict_csv(houses_csv), model.predict(rows))
    assert len(model.predict(rows.iloc[:5])) == 5


@pytest.mark.slow  # the library half is test_compare's bool-label test, without Keras
def test_bool_target_with_an_empty_column_runs_with_one_note(tmp_path):
    """Class: a bool target that ``--positive-label True`` could not name, and an all-empty
    column that printed a screenful of scikit-learn warnings, end to end in a real process."""
    frame = small_frame(n=24, notes=np.nan, label=[True] * 8 + [False] * 16)
    path = tmp_path / "flags.csv"
    frame.to_csv(path, index=False)
    out = run_cli(
        "compare", path, "--target", "label", "--positive-label", "True", "--strategies",
        "none", "--epochs", 1, "--cv", 2, "--hidden-units", 4, "--quiet",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stderr == "note: left out column 'notes': no values in any row\n"
    assert "24 rows, 2 classes (False: 16, True: 8)" in out.stdout
    assert "Rec+: recall of class True" in out.stdout


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
