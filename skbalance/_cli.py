"""``python -m skbalance compare``: which balancing technique helps on *your* data?

Everything that can be checked (options, files, columns, classes, folds, output paths) is
checked before TensorFlow is imported or anything is trained. Exit status:

- 0: done;
- 1: the input cannot be used (a file, the data, an output path, a missing optional
  dependency): one line on stderr that says what to change;
- 2: the command line itself is wrong (an unknown option, a value out of range): one line;
- 3: an unexpected error inside skbalance (a bug): the traceback, and where to report it;
- 130: interrupted (Ctrl-C).

Only an :class:`~skbalance._errors.InputError` gets the one-line treatment; ``--debug`` shows
the traceback of any error.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

from skbalance._cli_args import PROG, check_environment, did_you_mean, parse_args
from skbalance._errors import CLI_CV, InputError
from skbalance._preprocess import PowerOfTwoScaler as _PowerOfTwoScaler  # noqa: F401
from skbalance._preprocess import preprocessor as _preprocessor  # noqa: F401

EXIT_INPUT_ERROR, EXIT_BUG, EXIT_INTERRUPTED = 1, 3, 130


def _positive_label(text: str | None, classes: np.ndarray, target_name: str):
    """The class that ``--positive-label TEXT`` names, or an :class:`InputError`.

    Text matches a class written the same way; numbers also match by value ("1" names 1.0)
    and booleans by true/false/1/0 in any case.
    """
    if text is None:
        return None
    class_list = classes.tolist()
    matches = [label for label in class_list if str(label) == text]
    if not matches and classes.dtype.kind == "b":
        spelled = {"true": True, "1": True, "false": False, "0": False}.get(text.casefold())
        matches = [label for label in class_list if label is spelled]
    elif not matches and classes.dtype.kind in "iuf":
        try:
            value = float(text)
        except ValueError:
            value = None
        matches = [label for label in class_list if value is not None and label == value]
    if not matches:
        shown = ", ".join(map(str, class_list[:20])) + (", ..." if len(class_list) > 20 else "")
        raise InputError(
            f"--positive-label {text!r} is not a class of {target_name}"
            f"{did_you_mean(text, map(str, class_list))}; the classes are {shown}."
        )
    return matches[0]


class _OutputFiles:
    """The ``--json`` and ``--plot`` files, made sure to be writable before any work.

    A file that does not exist yet is created (empty) up front; if the run then fails, the
    files it created are removed again, so a failed run leaves no empty or partial result
    behind. A file that existed is opened for appending (which writes nothing) to check that
    it can be written, and is replaced only when the run succeeds.
    """

    def __init__(self, args):
        self.created: list[Path] = []
        paths = {"--json": args.json, "--plot": args.plot, "--save": args.save}
        given = [(option, path) for option, path in paths.items() if path is not None]
        for index, (option, path) in enumerate(given):
            for other, other_path in given[index + 1 :]:
                if Path(path).resolve() == Path(other_path).resolve():
                    raise InputError(f"{option} and {other} name the same file, {path}.")
        if args.plot is not None:
            self._check_plot_format(args.plot)
        try:
            for option, path in paths.items():
                if path is not None:
                    self._prepare(option, Path(path), args.csv)
        except BaseException:
            self.remove_created()
            raise

    @staticmethod
    def _check_plot_format(path: str) -> None:
        from matplotlib.backend_bases import FigureCanvasBase

        suffix = Path(path).suffix.lower().lstrip(".")
        formats = FigureCanvasBase.get_supported_filetypes()
        if suffix and suffix not in formats:
            raise InputError(
                f"--plot cannot write a .{suffix} file; use one of "
                f"{', '.join('.' + name for name in sorted(formats))} (e.g. cmp.png)."
            )

    def _prepare(self, option: str, path: Path, csv: str | None) -> None:
        if path.is_dir():
            raise InputError(f"{option}: {path} is a folder; give a file name in it.")
        if not path.resolve().parent.is_dir():
            raise InputError(f"{option}: the folder of {path} does not exist.")
        if csv is not None and path.exists() and Path(csv).exists():
            if os.path.samefile(path, csv):
                raise InputError(f"{option} {path} would overwrite the input CSV.")
        existed = path.exists()
        try:
            with open(path, "a"):  # creates it, or checks it is writable; never truncates
                pass
        except OSError as exc:
            raise InputError(f"{option}: cannot write {path}: {exc.strerror or exc}.") from None
        if not existed:
            self.created.append(path)

    def remove_created(self) -> None:
        for path in self.created:
            with contextlib.suppress(OSError):
                path.unlink()
        self.created = []


def _data_summary(result, y) -> str:
    """``587 rows, 10 classes (0: 174, ...)``; for a multi-label target the positive rows of
    every label: ``900 rows, 10 labels (positive rows: 0: 360, ...)``."""
    if result.multilabel:
        counts = np.asarray(y, dtype=np.int64).sum(axis=0)
        summary = ", ".join(f"{c}: {n}" for c, n in zip(result.classes, counts, strict=True))
        return f"{len(y)} rows, {len(counts)} labels (positive rows: {summary})"
    classes, counts = np.unique(y, return_counts=True)
    summary = ", ".join(f"{c}: {n}" for c, n in zip(classes.tolist(), counts, strict=True))
    return f"{len(y)} rows, {len(classes)} classes ({summary})"


def _print_report(result, y, console) -> None:
    """The data, the leaderboard (fitted to ``console.width``: see :mod:`skbalance._console`),
    its legend, skipped and failed strategies, and the recommendation."""
    from rich.markup import escape  # labels like "[rare]" must not be read as rich markup

    from skbalance._console import leaderboard_lines

    console.print(escape(_data_summary(result, y)))
    console.print(
        f"Balancing strategies, {result.n_splits}-fold CV"
        + (f" x {result.n_repeats} repeats" if result.n_repeats > 1 else "")
        + ", ranked by "
        f"{escape(result.primary_metric)}"
    )
    lines, legend = leaderboard_lines(result, console.width)
    for line in lines:  # laid out to the width already: never wrapped again
        console.print(line, markup=False, soft_wrap=True)
    console.print(escape(legend))
    if {"brier_score_data_prior", "log_loss_data_prior"} & set(result.metrics):
        console.print(
            "Brier, log-loss: lower is better; the probabilities under each training fold's "
            "class frequencies (docs/compare.md, Ranking or probabilities)."
        )
    for name, reason in result.skipped.items():
        console.print(escape(f"skipped {name}: {reason}"))
    for name, error in result.failures.items():
        console.print(f"[red]failed[/red] {escape(f'{name}: {error}')}")
    if result.failures:  # the input was checked: a strategy that fails is unexpected
        console.print(
            escape(
                f"Run again with --debug for the traceback, and please report it: {_issues_url()}"
            )
        )
    console.print(f"[bold]Recommendation:[/bold] {escape(result.recommendation)}")


def _print_takeaway(result, save: str | None, from_csv: bool = False) -> None:
    """The winner to carry away: the code that builds it, and where it was saved.

    Plain prints, never wrapped: the code is meant to be copied.
    """
    name = result.recommended_ or result.best_
    print(f"\nBuild '{name}' in Python (the classifier; compare puts the preprocessing before it):")
    print("\n".join("    " + line for line in result.snippet.splitlines()))
    if save is not None:
        print(
            f"Saved '{name}', refit on all rows with its preprocessing, to {save}: "
            f"model = joblib.load({str(save)!r}) after 'import skbalance'; "
            + (
                "model.predict(pd.read_csv(path)) or model.predict_csv(path) predicts raw rows "
                "of a file like this one, read with the same guesses (its target and left-out "
                "columns ignored)."
                if from_csv
                else "model.predict(rows) takes rows like the data's features."
            )
        )


def _saved_model(result, X, reading):
    """What ``--save`` writes: the refit winner; for a CSV, wrapped with the reading's
    decisions so that it predicts raw rows of the file (:class:`skbalance._saved.CsvModel`)."""
    if reading is None:
        return result.best_estimator_
    from skbalance._saved import CsvModel

    numeric = [column for column in X.columns if X[column].dtype.kind in "biuf"]
    return CsvModel(result.best_estimator_, reading, list(X.columns), numeric)


def _run(args) -> int:
    check_environment(args)
    outputs = _OutputFiles(args)
    try:
        status = _compare(args, outputs)
    except BaseException:
        outputs.remove_created()
        raise
    return status


def _load(args):
    """``(X, y, target_name, reading)``, every check on the data done (no TensorFlow yet);
    ``reading``: the CSV's :class:`~skbalance._cli_data.CsvReading` (None for bundled data)."""
    from skbalance._cli_data import load_bundled, read_csv

    if args.csv is None:
        X, y = load_bundled(args.dataset or "digits", args.imbalance_ratio, args.seed)
        return X, y, "y", None
    options = {
        "sep": args.sep,
        "keep_columns": args.keep_columns or (),
        "drop_columns": args.drop_columns or (),
    }
    if args.na_values is not None:
        options["na_values"] = args.na_values
    X, y, reading = read_csv(args.csv, args.target, **options)
    for note in reading.notes:
        print(f"note: {note}", file=sys.stderr)
    if getattr(y, "ndim", 1) == 2:
        return X, y, f"the target columns {', '.join(map(repr, y.columns))}", reading
    return X, y, f"the target column {args.target!r}", reading


def _compare(args, outputs: _OutputFiles) -> int:
    X, y, target_name, reading = _load(args)

    from skbalance._console import report_console
    from skbalance._presets import ALL_STRATEGIES, unmet_need
    from skbalance.compare import (
        categorical_columns,
        check_comparison_data,
        compare_strategies,
        resolve_scoring,
    )

    # Fail on bad data now, not after the TensorFlow import and the first fits.
    try:
        checked = check_comparison_data(
            X,
            y,
            cv=args.cv,
            repeats=args.repeats,
            holdout=args.holdout,
            random_state=args.seed,
            target_name=target_name,
            cv_spelling=CLI_CV,
        )
    except InputError as exc:
        if args.csv is not None:
            raise
        # Bundled data is valid by construction: only the ratio can leave too short a tail.
        if np.ndim(y) == 2:
            counts = np.asarray(y).sum(axis=0)
            what = "positive rows of every label"
        else:
            counts = np.unique(y, return_counts=True)[1]
            what = "rows of every class"
        raise InputError(
            f"{exc} With --dataset, lower --imbalance-ratio instead: "
            f"{np.floor(counts.max() / args.cv):g} or lower leaves at least {args.cv} {what}."
        ) from exc
    if checked.multilabel and args.positive_label is not None:
        raise InputError(
            "--positive-label names a class of one target column, and this target is "
            "multi-label: the recall of its rarest labels is reported instead. Leave "
            "--positive-label out."
        )
    positive_label = _positive_label(args.positive_label, checked.classes, target_name)
    # A metric that cannot score this target (roc_auc on 3 classes) fails now, not after the fits.
    resolve_scoring(args.scoring, checked, target_name)
    categorical = tuple(categorical_columns(X))
    for name in args.strategies or ():
        reason = unmet_need(
            ALL_STRATEGIES[name],
            min_train_count=checked.min_train_count,
            multilabel=checked.multilabel,
            categorical_columns=categorical,
        )
        if reason is not None:
            where = "on a multi-label target" if checked.multilabel else "here"
            raise InputError(f"strategy {name!r} cannot run {where}: {reason}.")
    try:
        import skbalance.keras.classifier  # noqa: F401
    except ImportError as exc:
        raise InputError(f"the Keras classifier cannot be imported: {exc}") from exc
    n_jobs = -1 if args.scheduler is not None and args.jobs is None else args.jobs
    with _dask_backend(args.scheduler):
        result = compare_strategies(
            X,
            y,
            strategies=args.strategies,
            epochs=args.epochs,
            hidden_units=args.hidden_units,
            batch_size=args.batch_size,
            cv=args.cv,
            repeats=args.repeats,
            holdout=args.holdout,
            refit=args.save is not None,
            scoring=args.scoring,
            positive_label=positive_label,
            n_jobs=n_jobs,
            random_state=args.seed,
            on_error="raise" if args.debug else "skip",
            verbose=0 if args.quiet else 1,
            keep_probabilities=args.plot is not None,  # for the reliability diagram
        )
    _print_report(result, y, report_console())
    _print_takeaway(result, args.save, from_csv=reading is not None)
    try:  # checked up front; what can still fail here is the disk (full, removed)
        if args.save is not None:
            import pickle

            with open(args.save, "wb") as file:
                pickle.dump(_saved_model(result, X, reading), file, pickle.HIGHEST_PROTOCOL)
        if args.json is not None:
            Path(args.json).write_text(json.dumps(result.to_dict(), indent=2) + "\n")
        if args.plot is not None:
            result.plot(args.plot)
    except OSError as exc:
        raise InputError(
            f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}."
        ) from exc
    return 0


@contextlib.contextmanager
def _dask_backend(address: str | None):
    """Send joblib's work (the cross-validation fits) to the Dask scheduler at ``address``.

    The fits then run in the scheduler's worker processes, on this machine or others; the
    estimators travel there as their parameters (a few kB), the data once per task.
    """
    if address is None:
        yield
        return
    import joblib
    from distributed import Client

    try:  # waits up to Dask's connect timeout (DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT)
        client = Client(address)
    except (OSError, TimeoutError, ValueError) as exc:  # ValueError: a malformed address
        raise InputError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        with joblib.parallel_backend("dask"):
            yield
    finally:
        client.close()


@contextlib.contextmanager
def _native_stderr_silenced():
    """Send what C++ code writes to file descriptor 2 to /dev/null; keep Python's stderr.

    TensorFlow 2.21 prints absl and oneDNN start-up lines from C++ whatever
    ``TF_CPP_MIN_LOG_LEVEL`` says, in this process and in every worker that ``--jobs`` starts
    (they inherit descriptor 2). Python's ``sys.stderr`` (the progress bar, warnings, our error
    lines) is moved to a duplicate of the original descriptor, so it still reaches the user.
    """
    try:
        sys.stderr.flush()
        original = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, AttributeError, ValueError):  # no real descriptor 2 (e.g. embedded)
        yield
        return
    saved_stderr = sys.stderr
    sys.stderr = os.fdopen(
        os.dup(original),
        "w",
        buffering=1,
        encoding=saved_stderr.encoding,
        errors="backslashreplace",
    )
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(original, 2)
        sys.stderr.close()
        sys.stderr = saved_stderr
        os.close(original)
        os.close(devnull)


def _quiet_python_loggers() -> None:
    """Keep Keras/TensorFlow/absl warnings and log lines out of the report (--debug keeps them)."""
    import logging

    warnings.filterwarnings("ignore", module=r"(keras|tensorflow|absl|google)(\.|$)")
    for name in ("tensorflow", "keras", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import absl.logging  # a TensorFlow dependency; does not import TensorFlow
    except ImportError:
        return
    absl.logging.set_verbosity(absl.logging.ERROR)


def _issues_url() -> str:
    """Where to report a bug: the project's Homepage (pyproject.toml) + ``/issues``."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("skbalance").get_all("Project-URL") or []
    except PackageNotFoundError:  # running from a source tree that was never installed
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "homepage":
            return url.strip().rstrip("/") + "/issues"
    return "the skbalance issue tracker"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m skbalance``; returns the exit status (see the module doc)."""
    parser, args = parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.debug:
        return _run(args)
    _quiet_python_loggers()
    with _native_stderr_silenced():
        return _guarded_run(args)


def _guarded_run(args) -> int:
    try:
        return _run(args)
    except KeyboardInterrupt:
        print(f"{PROG} {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except InputError as exc:  # our checks of the input: the message says what to change
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{PROG} {args.command}: error: {message}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except Exception:  # anything else escaped our checks: a bug, shown in full
        traceback.print_exc(file=sys.stderr)
        print(
            f"{PROG} {args.command}: internal error: this is a bug in skbalance, not a problem "
            f"with your input. Please report it at {_issues_url()} with the command you ran "
            "and the traceback above.",
            file=sys.stderr,
        )
        return EXIT_BUG
