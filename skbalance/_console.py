"""What ``python -m skbalance compare`` writes, fitted to where it goes: a terminal, or a pipe
or log file.

- **Width.** On a terminal, its width (``COLUMNS`` first, as :func:`shutil.get_terminal_size`
  reads it); prose is wrapped there, between words. Into a pipe or a file, the leaderboard
  fits 80 columns (``COLUMNS`` when set) and prose is not wrapped at all, unless ``COLUMNS``
  is set: one paragraph, one line, so that a log never breaks a sentence and ``grep`` finds it.
- **Leaderboard.** Full strategy names always; metrics under short headers that a legend
  explains. The widest layout that fits: every metric as mean ± std; else the ranking metric
  as mean ± std and the others as means; else that layout in blocks of columns, each block
  with the rank and the names.
- **Progress** (stderr). On a terminal, a live line (rich); in a log, plain lines: one when
  each strategy's folds are done, with its time and the time elapsed.
"""

from __future__ import annotations

import os
import shutil
import sys
import time

__all__ = ["Progress", "leaderboard_lines", "legend", "report_console", "short_headers"]

TABLE_WIDTH_IN_LOGS = 80
_GAP = "  "
# Short headers of the usual metrics; any other is shortened by the initials of its words.
_SHORT = {
    "balanced_accuracy": "BA",
    "f1_macro": "F1m",
    "f1_weighted": "F1w",
    "f1_micro": "F1mi",
    "geometric_mean": "GM",
    "average_precision": "AP",
    "accuracy": "Acc",
    "roc_auc": "AUC",
    "roc_auc_ovr": "AUCovr",
    "roc_auc_ovo": "AUCovo",
    "roc_auc_ovr_weighted": "AUCovrW",
    "roc_auc_ovo_weighted": "AUCovoW",
    "matthews_corrcoef": "MCC",
    "neg_log_loss": "-LL",
    "brier_score_data_prior": "Brier",
    "log_loss_data_prior": "LL",
}
# What a short header stands for, where the metric's name alone does not say it.
_MEANING = {
    "brier_score_data_prior": "Brier score",
    "log_loss_data_prior": "log-loss",
}


def _columns_from_environment() -> int | None:
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return None
    return columns if columns > 0 else None


def report_console(file=None):
    """A rich console for the report on ``file`` (default: stdout at print time).

    Its ``width`` is the leaderboard's: the terminal's, ``COLUMNS``, or 80 into a pipe or file.
    Prose wraps at that width on a terminal or when ``COLUMNS`` is set, and not at all
    otherwise (``soft_wrap``).
    """
    from rich.console import Console

    stream = sys.stdout if file is None else file
    columns = _columns_from_environment()
    is_terminal = bool(getattr(stream, "isatty", lambda: False)())
    if columns is None and is_terminal:
        columns = shutil.get_terminal_size().columns
    return Console(
        file=file,
        width=columns or TABLE_WIDTH_IN_LOGS,
        soft_wrap=columns is None,
        highlight=False,
        emoji=False,
    )


def _initials(name: str) -> str:
    """``neg_brier_score`` -> ``NBS``; a word with a digit stays whole (``f1`` -> ``F1``)."""
    words = [word for word in name.replace("[", "_").replace("]", "").split("_") if word]
    return "".join(w.upper() if any(c.isdigit() for c in w) else w[0].upper() for w in words)


def short_headers(result) -> dict:
    """metric -> ``(header, what it is)`` for every metric of ``result``'s leaderboard."""
    recall_of = {}
    if result.multilabel:
        for rank, label in enumerate(result.rare_labels, start=1):
            recall_of[f"recall[{label}]"] = (f"Rec{rank}", f"recall of label {label!r}")
    else:
        label = result.positive_label
        recall_of[f"recall[{label}]"] = ("Rec+", f"recall of class {label!r}")
    headers, used = {}, set()
    for metric in result.metrics:
        if metric in recall_of:
            header, meaning = recall_of[metric]
        elif metric == "average_precision":
            header = "AP"
            meaning = (
                "macro average precision"
                if result.multilabel
                else f"average precision of class {result.positive_label!r}"
                if len(result.classes) == 2
                else "average_precision"
            )
        else:
            header = _SHORT.get(metric) or (metric if len(metric) <= 6 else _initials(metric))
            meaning = _MEANING.get(metric, metric)
        base, n = header, 2
        while header in used:  # two metrics with the same initials
            header, n = f"{base}{n}", n + 1
        used.add(header)
        headers[metric] = (header, meaning)
    return headers


def legend(result, with_std: str) -> str:
    """``BA: balanced_accuracy, ...; mean ± std over 3 folds``: what the headers mean.

    ``with_std``: ``"all"`` (every metric showed its std), ``"first"`` (only the ranking
    metric did) or ``"none"``.
    """
    parts = [f"{header}: {meaning}" for header, meaning in short_headers(result).values()]
    spread = f"mean ± std over {result.n_splits} folds"
    if result.n_repeats > 1:
        spread = (
            f"mean ± std over {result.n_splits * result.n_repeats} folds "
            f"({result.n_splits} x {result.n_repeats} repeats)"
        )
    if with_std == "first":
        spread += f" for {short_headers(result)[result.primary_metric][0]}, means for the others"
    return "; ".join([", ".join(parts), "fit s: seconds per fit", spread]) + "."


def _columns(result, with_std: str, metrics=None, *, fit_time: bool = True):
    """``[(header, cells, align)]``: rank, strategy, the ``metrics`` (default: all) and the fit
    time."""
    table = result.table
    names = [str(name) for name in table.index]
    columns = [("#", [str(i) for i in range(1, len(names) + 1)], ">"), ("strategy", names, "<")]
    headers = short_headers(result)
    for index, metric in enumerate(headers if metrics is None else metrics):
        means, stds = table[f"{metric}_mean"], table[f"{metric}_std"]
        full = with_std == "all" or (with_std == "first" and index == 0)
        cells = [
            f"{m:.3f} ± {s:.3f}" if full else f"{m:.3f}" for m, s in zip(means, stds, strict=True)
        ]
        columns.append((headers[metric][0], cells, ">"))
    if fit_time:
        columns.append(("fit s", [f"{t:.1f}" for t in table["fit_time_mean"]], ">"))
    return columns


def _render(columns) -> list[str]:
    widths = [max(len(header), *(len(c) for c in cells)) for header, cells, _ in columns]

    def line(texts):
        return _GAP.join(
            f"{text:{align}{width}}"
            for text, width, (_, _, align) in zip(texts, widths, columns, strict=True)
        ).rstrip()

    lines = [line([header for header, _, _ in columns])]
    lines.append("─" * sum(widths) + "─" * len(_GAP) * (len(widths) - 1))
    lines.extend(line(row) for row in zip(*(cells for _, cells, _ in columns), strict=True))
    return lines


def _width(lines: list[str]) -> int:
    return max(len(line) for line in lines)


def _probability_metrics(result) -> list[str]:
    """The lower-is-better probability metrics (Brier, log-loss) shown in a block of their own:
    they do not rank (unless named first), so they need not crowd the ranking metrics."""
    from skbalance.metrics import LOWER_IS_BETTER

    return [m for m in result.metrics[1:] if m in LOWER_IS_BETTER]


def _blocks(fixed, rest, width: int) -> list[list]:
    """``rest``'s columns cut into blocks that each fit ``width`` beside the ``fixed`` ones."""
    blocks, block = [], []
    for column in rest:
        if block and _width(_render([*fixed, *block, column])) > width:
            blocks.append(block)
            block = []
        block.append(column)
    return [*blocks, block] if block else blocks


def leaderboard_lines(result, width: int) -> tuple[list[str], str]:
    """``(lines of the leaderboard, its legend)``, laid out to fit ``width`` columns.

    The ranking metrics and the fit time come first, every metric as mean ± std if that fits,
    else only the ranking metric; the probability metrics (Brier, log-loss: lower is better,
    they do not rank) follow in a block of their own, under the same ranks and names. Names
    are never cut: when even the narrowest layout is wider than ``width``, the metric columns
    come in more blocks (each repeating the rank and the name), one under another.
    """
    probability = _probability_metrics(result)
    ranking = [m for m in short_headers(result) if m not in probability]

    def side_columns(with_std: str):  # the probability block: std only where every metric has it
        return _columns(result, "all" if with_std == "all" else "none", probability, fit_time=False)

    for with_std in ("all", "first"):
        main = _render(_columns(result, with_std, ranking))
        side = _render(side_columns(with_std)) if probability else []
        if _width(main) <= width and (not side or _width(side) <= width):
            return main + ([""] + side if side else []), legend(result, with_std)
    lines = []
    for columns in (_columns(result, "first", ranking), side_columns("first")):
        if len(columns) == 2:  # no probability metric
            continue
        for block in _blocks(columns[:2], columns[2:], width):
            lines.extend([""] if lines else [])
            lines.extend(_render([*columns[:2], *block]))
    return lines, legend(result, "first")


class Progress:
    """Progress of the comparison on ``stream`` (default: stderr).

    A terminal gets a live line (rich); any other stream plain lines, flushed at once: one
    when the run starts and one when each strategy's folds are done, with the time they took
    and the time elapsed (a log shows progress as it happens, and keeps it).
    """

    def __init__(self, total: int, verbose: int, stream=None, n_folds: int | None = None):
        self.verbose, self.total, self.bar, self.done = verbose, total, None, 0
        self.stream = sys.stderr if stream is None else stream
        self.start = time.perf_counter()
        if verbose <= 0:
            return
        if getattr(self.stream, "isatty", lambda: False)():
            try:
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
            except ImportError:
                pass
            else:
                self.bar = Progress(
                    TextColumn("{task.description:<34}"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(),
                    console=Console(file=self.stream),
                    transient=verbose < 2,
                )
                self.task = self.bar.add_task("cross-validating", total=total)
                self.bar.start()
                return
        folds = "" if n_folds is None else f" on {n_folds} folds"
        self._line(f"cross-validating {total} strateg{'y' if total == 1 else 'ies'}{folds}")

    def _line(self, text: str) -> None:
        print(f"compare: {text}", file=self.stream, flush=True)

    def step(self, name: str, done: int) -> None:
        """Strategy ``name`` (the ``done``-th, from 0) starts."""
        if self.bar is not None:
            self.bar.update(self.task, description=f"cross-validating {name}", completed=done)

    def finished(self, name: str, seconds: float, n_folds: int, failed: bool = False) -> None:
        """Strategy ``name``'s ``n_folds`` folds are done (or it failed) after ``seconds``."""
        self.done += 1
        if self.verbose <= 0 or self.bar is not None:
            return
        elapsed = time.perf_counter() - self.start
        what = "failed" if failed else f"{n_folds} fold{'s' if n_folds != 1 else ''}"
        self._line(
            f"[{self.done}/{self.total}] {name}: {what} in {seconds:.1f} s "
            f"({_clock(elapsed)} elapsed)"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=self.total, description="done")
            self.bar.stop()


def _clock(seconds: float) -> str:
    """``0:01:05``: elapsed time as rich's bar shows it."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
