"""What ``compare`` writes, fitted to a terminal or a log (issue 15, item 4): the leaderboard
within 80 columns (or COLUMNS) with full strategy names, prose never broken when piped, and
progress as plain lines when stderr is not a terminal. Fast: scikit-learn estimators only."""

import io
import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputClassifier

from skbalance._cli import _print_report
from skbalance._console import Progress, leaderboard_lines, report_console, short_headers
from skbalance._presets import ALL_STRATEGIES
from skbalance.compare import compare_strategies

LONGEST = max(ALL_STRATEGIES, key=len)  # class_balanced_batches


def single_label_result(classes=("benign", "malignant")):
    rng = np.random.RandomState(0)
    sizes = [60, 12, 30][: len(classes)]
    X = np.concatenate([rng.normal(i, 1.0, (n, 3)) for i, n in enumerate(sizes)])
    y = np.repeat(np.array(classes), sizes)
    strategies = {
        LONGEST: LogisticRegression(class_weight="balanced"),
        "none": LogisticRegression(),
    }
    result = compare_strategies(X, y, strategies=strategies, cv=3, random_state=0)
    result.table["fit_time_mean"] = 1234.5  # the widest fit time a long run shows
    return result, y


def multilabel_result():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 3))
    Y = (rng.uniform(size=(90, 4)) < [0.5, 0.3, 0.2, 0.15]).astype(int)
    strategies = {
        LONGEST: MultiOutputClassifier(LogisticRegression(class_weight="balanced")),
        "none": MultiOutputClassifier(LogisticRegression()),
    }
    return compare_strategies(X, Y, strategies=strategies, cv=3, random_state=0), Y


def report(result, y, monkeypatch, columns=None, terminal=False):
    """The report's lines, as ``compare`` prints them to a pipe (or a terminal)."""
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", str(columns))

    class Stream(io.StringIO):
        def isatty(self):
            return terminal

    stream = Stream()
    _print_report(result, y, report_console(stream))
    return re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue()).splitlines()  # no colours


def table_lines(lines):
    start = next(i for i, line in enumerate(lines) if line.startswith("#  strategy"))
    end = next(i for i, line in enumerate(lines) if line.startswith(("BA:", "F1m:")))
    return lines[start:end]


@pytest.mark.parametrize("make", [single_label_result, multilabel_result])
def test_the_leaderboard_fits_80_columns_with_full_names(make, monkeypatch):
    """Class: rich squeezing the table into 80 columns, cutting names (``class_bal…``) and
    headers (``recall[ch…``)."""
    result, y = make()
    lines = report(result, y, monkeypatch)  # piped, COLUMNS unset: 80
    table = table_lines(lines)
    assert max(len(line) for line in table) <= 80, "\n".join(table)
    assert any(LONGEST in line for line in table)
    assert "…" not in "\n".join(lines)
    # every metric has its short header, and the legend names it
    headers = short_headers(result)
    assert len(headers) == 7  # all the default metrics, Brier and log-loss included
    legend = next(line for line in lines if line.startswith(("BA:", "F1m:")))
    header_lines = " ".join(line for line in table if line.startswith("#  strategy")).split()
    for header, meaning in headers.values():
        assert f"{header}: {meaning}" in legend and header in header_lines
    # Brier and log-loss (lower is better, they do not rank) in a block of their own
    assert table[0].split()[-2:] == ["fit", "s"] and header_lines[-2:] == ["Brier", "LL"]
    # the ranking metric keeps its spread; the others show their means at this width
    first_row = table[2].split()
    assert first_row[1] == result.best_ and first_row[3] == "±"


def test_headers_and_legend_say_which_class_and_labels():
    result, _ = single_label_result()
    assert short_headers(result) == {
        "balanced_accuracy": ("BA", "balanced_accuracy"),
        "f1_macro": ("F1m", "f1_macro"),
        "geometric_mean": ("GM", "geometric_mean"),
        "average_precision": ("AP", "average precision of class 'malignant'"),
        "recall[malignant]": ("Rec+", "recall of class 'malignant'"),
        "brier_score_data_prior": ("Brier", "Brier score"),
        "log_loss_data_prior": ("LL", "log-loss"),
    }
    result, _ = multilabel_result()
    assert [h for h, _ in short_headers(result).values()] == [
        "F1m", "AP", "Rec1", "Rec2", "Rec3", "Brier", "LL"
    ]
    assert short_headers(result)["recall[3]"] == ("Rec1", "recall of label 3")


@pytest.mark.parametrize("columns", [60, 120])
def test_columns_is_respected(columns, monkeypatch):
    """COLUMNS=120: every metric as mean ± std; COLUMNS=60: nothing wider than 60, the names
    whole (the metrics come in two blocks, each with the rank and the name)."""
    result, y = single_label_result()
    for terminal in (False, True):
        lines = report(result, y, monkeypatch, columns, terminal)
        assert max(len(line.rstrip()) for line in lines) <= columns, "\n".join(lines)
    table = table_lines(lines)
    rows = [line for line in table if LONGEST in line]
    if columns == 120:  # the ranking block, then the probability block: all with their std
        assert len(rows) == 2 and rows[0].count("±") == 5 and rows[1].count("±") == 2
    else:
        assert len(rows) == 3  # two blocks of ranking columns, one of probability columns
        headers = " ".join(table).split()
        assert all(h in headers for h in ("BA", "F1m", "GM", "AP", "Rec+", "fit", "Brier", "LL"))


def test_piped_prose_is_never_wrapped(monkeypatch):
    """Class: the report hard-wrapped at 200 characters when piped, mid-sentence."""
    result, y = single_label_result()
    lines = report(result, y, monkeypatch)  # piped, COLUMNS unset
    assert f"Recommendation: {result.recommendation}" in lines
    assert len(f"Recommendation: {result.recommendation}") > 80  # would have wrapped at 80
    # On a terminal (or with COLUMNS), prose wraps between words.
    wrapped = report(result, y, monkeypatch, columns=70, terminal=True)
    text = " ".join(line.rstrip() for line in wrapped)
    assert f"Recommendation: {result.recommendation}" in text
    assert max(len(line.rstrip()) for line in wrapped) <= 70


def test_names_are_never_cut_even_when_nothing_fits():
    result, _ = single_label_result()
    lines, _ = leaderboard_lines(result, 20)
    # one block per metric column (+ fit), Brier and log-loss included
    assert sum(LONGEST in line for line in lines) == 8


def test_progress_in_a_log_is_plain_lines_with_times():
    """Class: with ``2>log`` nothing showed for minutes (rich renders no live bar into a
    file)."""
    stream = io.StringIO()
    progress = Progress(3, verbose=1, stream=stream, n_folds=5)
    progress.step("none", 0)
    progress.finished("none", 1.25, 5)
    progress.step("smote", 1)
    progress.finished("smote", 0.5, 5, failed=True)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == "compare: cross-validating 3 strategies on 5 folds"
    assert re.fullmatch(r"compare: \[1/3\] none: 5 folds in 1\.2 s \(0:00:\d\d elapsed\)", lines[1])
    assert re.fullmatch(r"compare: \[2/3\] smote: failed in 0\.5 s \(0:00:\d\d elapsed\)", lines[2])
    assert len(lines) == 3
    silent = io.StringIO()
    quiet = Progress(3, verbose=0, stream=silent)
    quiet.finished("none", 1.0, 5)
    assert silent.getvalue() == ""


def test_progress_on_a_terminal_is_a_live_bar():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(2, verbose=1, stream=stream)
    assert progress.bar is not None
    progress.finished("none", 1.0, 3)
    progress.close()
    assert "compare: [" not in stream.getvalue()


def test_compare_reports_progress_lines_to_a_captured_stderr(capsys):
    result, _ = single_label_result()  # warms nothing: the same data, verbose below
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(40, 2)), np.repeat(["a", "b"], [30, 10])
    compare_strategies(
        X, y, strategies={"lr": LogisticRegression()}, cv=2, repeats=1, verbose=1,
        random_state=0,
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[0] == "compare: cross-validating 1 strategy on 2 folds"
    assert re.fullmatch(r"compare: \[1/1\] lr: 2 folds in \d+\.\d s \(0:00:\d\d elapsed\)",
                        err.splitlines()[1])  # fmt: skip
