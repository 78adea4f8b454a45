"""``python -m skbalance compare``: which balancing technique helps on *your* data?

Everything that can be checked (files, columns, classes, folds, option values) is checked
before TensorFlow is imported or anything is trained, and a problem is one line on stderr with a
non-zero exit status; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from skbalance._cli_args import PROG, CLIError, build_parser, check_options


def _load_csv(path: str, target: str):
    import pandas as pd

    if not Path(path).is_file():
        raise CLIError(f"no such file: {path}")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot read {path} as CSV: {exc}") from exc
    if target not in frame.columns:
        raise CLIError(
            f"no column {target!r} in {path}; the columns are {', '.join(map(str, frame.columns))}."
        )
    if frame.shape[1] < 2:
        raise CLIError(f"{path} has no feature columns besides the target {target!r}.")
    missing = frame[target].isna()
    if missing.any():
        print(f"note: dropping {int(missing.sum())} rows with no {target!r} value", file=sys.stderr)
        frame = frame[~missing]
    if frame.empty:
        raise CLIError(f"{path} has no rows with a {target!r} value.")
    return frame.drop(columns=[target]), frame[target].to_numpy()


def _load_bundled(name: str, ratio: float, seed: int):
    from skbalance.datasets import load_digits_long_tailed, make_long_tailed

    if name == "digits":
        X, _, y, _ = load_digits_long_tailed(ratio, n_test_per_class=0, random_state=seed)
        return X, y
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    labels = data.target_names[data.target]  # string labels: 'malignant' / 'benign'
    return make_long_tailed(
        data.data,
        labels,
        imbalance_ratio=ratio,
        class_order=["benign", "malignant"],
        random_state=seed,
    )


def _preprocessor(X):
    """Standardise numeric columns and one-hot encode the others, fitted inside each fold."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if not hasattr(X, "columns"):
        return StandardScaler()
    numeric = [c for c in X.columns if X[c].dtype.kind in "biuf"]
    other = [c for c in X.columns if c not in numeric]
    return ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                other,
            ),
        ],
        sparse_threshold=0.0,
    )


def _positive_label(text, y):
    if text is None:
        return None
    if y.dtype.kind in "biuf":
        try:
            value = float(text)
        except ValueError:
            raise CLIError(
                f"--positive-label {text!r} is not a class; the classes are "
                f"{np.unique(y).tolist()}."
            ) from None
        return int(value) if y.dtype.kind in "biu" and value.is_integer() else value
    return text


def _print_report(result, y, console) -> None:
    from rich.markup import escape  # labels like "[rare]" must not be read as rich markup
    from rich.table import Table

    classes, counts = np.unique(y, return_counts=True)
    summary = ", ".join(f"{c}: {n}" for c, n in zip(classes.tolist(), counts, strict=True))
    console.print(escape(f"{len(y)} rows, {len(classes)} classes ({summary})"))
    table = Table(
        title=f"Balancing strategies, {result.n_splits}-fold CV, ranked by "
        f"{escape(result.primary_metric)}"
    )
    shown = result.display_table()
    table.add_column("#", justify="right")
    table.add_column("strategy")
    for column in shown.columns:
        table.add_column(escape(str(column)), justify="right")
    for rank, (name, row) in enumerate(shown.iterrows(), start=1):
        table.add_row(str(rank), escape(str(name)), *row.tolist())
    console.print(table)
    for name, reason in result.skipped.items():
        console.print(escape(f"skipped {name}: {reason}"))
    for name, error in result.failures.items():
        console.print(f"[red]failed[/red] {escape(f'{name}: {error}')}")
    console.print(f"[bold]Recommendation:[/bold] {escape(result.recommendation)}")


def _run(args) -> int:
    check_options(args)
    if args.csv is not None:
        X, y = _load_csv(args.csv, args.target)
    else:
        X, y = _load_bundled(args.dataset or "digits", args.imbalance_ratio, args.seed)
    positive_label = _positive_label(args.positive_label, y)

    from rich.console import Console
    from sklearn.pipeline import Pipeline

    from skbalance.compare import check_comparison_data, compare_strategies

    # Fail on bad data now, not after the TensorFlow import and the first fits.
    check_comparison_data(X, y, cv=args.cv, positive_label=positive_label, random_state=args.seed)
    try:
        from skbalance.keras.classifier import KerasBalancedClassifier
    except ImportError as exc:
        raise CLIError(f"the Keras classifier cannot be imported: {exc}") from exc
    classifier = KerasBalancedClassifier(
        hidden_units=args.hidden_units,
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=args.seed,
    )
    estimator = Pipeline([("preprocess", _preprocessor(X)), ("classifier", classifier)])
    n_jobs = -1 if args.scheduler is not None and args.jobs is None else args.jobs
    with _dask_backend(args.scheduler):
        result = compare_strategies(
            X,
            y,
            strategies=args.strategies,
            estimator=estimator,
            cv=args.cv,
            scoring=args.scoring,
            positive_label=positive_label,
            n_jobs=n_jobs,
            random_state=args.seed,
            on_error="raise" if args.debug else "skip",
            verbose=0 if args.quiet else 1,
        )
    console = Console()
    if not console.is_terminal:  # a file or a pipe: no need to squeeze the table into 80 columns
        console = Console(width=200)
    _print_report(result, y, console)
    if args.json is not None:
        Path(args.json).write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    if args.plot is not None:
        result.plot(args.plot)
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
    except (OSError, TimeoutError) as exc:
        raise CLIError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m skbalance``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
        return 130
    except (CLIError, ValueError, TypeError, OSError, ImportError, RuntimeError) as exc:
        # Problems with the input: their message says what to change.
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{PROG} {args.command}: error: {message}", file=sys.stderr)
        return 1
    except Exception as exc:  # anything else is unexpected: name it, point to --debug
        print(
            f"{PROG} {args.command}: error: {type(exc).__name__}: {exc} "
            "(run again with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1
