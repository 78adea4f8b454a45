"""The options of ``python -m skbalance compare``: the parser, which judges everything that the
command line alone decides (each option's value and range, the combinations of options).

A malformed command line exits with status 2 and one line (argparse's convention). Kept apart
from :mod:`skbalance._cli` (which loads data and runs the comparison) so that ``--help`` and
option errors cost no more than importing argparse and scikit-learn's metrics.
"""

from __future__ import annotations

import argparse

import numpy as np

from skbalance import _defaults
from skbalance._errors import InputError

PROG = "python -m skbalance"
DATASETS = ("digits", "breast_cancer", "digits_multilabel")
DEFAULTS = {  # compare_strategies' own defaults (one home: skbalance._defaults)
    "cv": _defaults.DEFAULT_CV,
    "epochs": _defaults.DEFAULT_EPOCHS,
    "batch_size": _defaults.DEFAULT_BATCH_SIZE,
    "hidden_units": ",".join(map(str, _defaults.DEFAULT_HIDDEN_UNITS)),
    "seed": _defaults.DEFAULT_RANDOM_STATE,
    "repeats": _defaults.DEFAULT_REPEATS,
    "ratio": 20.0,
}
SEED_MAX = 2**32 - 1  # NumPy's RandomState (the folds, the samplers) takes seeds up to here


class _Parser(argparse.ArgumentParser):
    """argparse, with a command-line error reported as one line instead of the whole usage."""

    commands: dict  # command name -> its parser (set on the top-level parser)

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message.rstrip('.')} (see '{self.prog} --help').\n")


def did_you_mean(name: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices`` to a misspelt ``name``, or ``""``."""
    import difflib

    by_folded = {str(choice).casefold(): str(choice) for choice in choices}
    close = difflib.get_close_matches(str(name).casefold(), list(by_folded), n=1, cutoff=0.6)
    return f" (did you mean {by_folded[close[0]]!r}?)" if close else ""


def _integer(text: str, what: str, low: int, high: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(f"must be {what}; got {text!r}.")
    return value


def _int_type(what: str, low: int, high: int | None = None):
    def parse(text: str) -> int:
        return _integer(text, what, low, high)

    parse.__name__ = "int"
    return parse


def _jobs(text: str) -> int:
    value = _integer(text, "a nonzero integer", -(2**31), 2**31)
    if value == 0:
        raise argparse.ArgumentTypeError(
            "must be a positive number of parallel fits, or -1 for every core (-2: all but "
            f"one, ...); got {text!r}."
        )
    return value


def _imbalance_ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not np.isfinite(value) or value < 1:
        raise argparse.ArgumentTypeError(
            f"must be a number >= 1 (rows of the largest class / rows of the rarest); got {text!r}."
        )
    return value


def _split_list(text: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise argparse.ArgumentTypeError("is empty; give a comma-separated list.")
    if not all(items):
        raise argparse.ArgumentTypeError(f"has an empty entry in {text!r}; remove the extra comma.")
    return items


def _hidden_units(text: str) -> tuple[int, ...]:
    what = "comma-separated positive integers (layer sizes) such as 64,32"
    return tuple(_integer(item, what, 1) for item in _split_list(text))


def _strategies(text: str) -> list[str]:
    from skbalance._presets import ALL_STRATEGIES

    names = _split_list(text)
    for name in names:
        if name not in ALL_STRATEGIES:
            raise argparse.ArgumentTypeError(
                f"unknown strategy {name!r}{did_you_mean(name, ALL_STRATEGIES)}; choose from "
                f"{', '.join(ALL_STRATEGIES)}."
            )
    return names


def _scoring(text: str) -> list[str]:
    from sklearn.metrics import get_scorer_names

    from skbalance.metrics import CALIBRATION_METRICS

    names = _split_list(text)
    known = ["geometric_mean", *CALIBRATION_METRICS, *get_scorer_names()]
    for name in names:
        if name not in known:
            raise argparse.ArgumentTypeError(
                f"unknown metric {name!r}{did_you_mean(name, known)}; use geometric_mean or a "
                "scikit-learn scorer name such as balanced_accuracy, f1_macro."
            )
    return names


def _separator(text: str) -> str:
    """``--sep``: one character; ``tab`` or ``\\t`` for a tab."""
    value = {"tab": "\t", "\\t": "\t"}.get(text.casefold(), text)
    if len(value) != 1 or value in '"\n\r':
        raise argparse.ArgumentTypeError(
            f"must be one character such as ',', ';', '|' (or 'tab'); got {text!r}."
        )
    return value


def _na_values(text: str) -> list[str]:
    """``--na-values``: comma-separated texts; an empty string: only empty cells."""
    return [] if text == "" else [item.strip() for item in text.split(",")]


def _version_line() -> str:
    """``skbalance X.Y.Z (Python A.B.C, Keras backend: NAME)``, without importing Keras.

    The backend is the one ``python -m skbalance`` would train with (the user's
    ``KERAS_BACKEND``, else the fastest installed): what a bug report needs, in well under a
    second.
    """
    import os
    import platform

    from skbalance import __version__
    from skbalance._cli_backend import _configured_backend, choose_backend

    backend = (
        os.environ.get("KERAS_BACKEND")
        or choose_backend()
        or _configured_backend(os.environ)
        or "none installed"
    )
    return f"skbalance {__version__} (Python {platform.python_version()}, Keras backend: {backend})"


def build_parser() -> argparse.ArgumentParser:
    from skbalance._presets import ALL_STRATEGIES

    parser = _Parser(
        prog=PROG,
        description="skbalance: class-imbalance handling for deep learning as scikit-learn "
        "estimators. Run '%(prog)s compare --help' for the main command.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=_version_line(),
        help="show skbalance's version and the Keras backend the command would use, then exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    strategy_lines = "\n".join(
        f"  {s.name:<24}{s.description}"
        + (" [one label per row]" if s.not_multilabel else "")
        + (" [multi-label]" if s.not_single_label else "")
        for s in ALL_STRATEGIES.values()
    )
    compare = commands.add_parser(
        "compare",
        help="cross-validate balancing strategies on a data set and rank them",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Cross-validate balancing strategies (stratified folds, the same folds for every\n"
            "strategy) with a small Keras MLP and print a leaderboard and a recommendation.\n"
            "With no CSV it runs on scikit-learn's digits made long-tailed. Several 0/1 target\n"
            "columns (--target a,b,c) make a multi-label target: iteratively stratified\n"
            "folds, ranked by macro-F1, with macro average precision and the recall of the\n"
            "rarest labels; presets that do not apply are listed as skipped.\n\n"
            f"Strategies:\n{strategy_lines}\n\n"
            "Examples:\n"
            f"  {PROG} compare\n"
            f"  {PROG} compare houses.csv --target decision --positive-label buy --json out.json\n"
            f"  {PROG} compare --dataset breast_cancer --strategies none,focal,smote --plot cmp.png"
            f"\n  {PROG} compare photos.csv --target cat,dog,bird"
            f"\n  {PROG} compare --dataset digits_multilabel"
            "\n\nExit status: 0 done; 1 the input cannot be used (a file, the data, an output\n"
            "path; every check runs before any training); 2 the command line is wrong (an\n"
            "unknown option, a value out of range); 3 an internal error (a bug: please report\n"
            "it); 130 interrupted."
        ),
    )
    data = compare.add_argument_group("data")
    data.add_argument(
        "csv",
        nargs="?",
        metavar="CSV",
        help="a CSV file with a header row; numeric columns are standardised, other columns "
        "one-hot encoded (inside the cross-validated pipeline). Needs --target.",
    )
    data.add_argument(
        "--target",
        metavar="COL",
        help="the CSV column holding the class label; several 0/1 (or true/false) columns "
        "separated by commas (a,b,c) make a multi-label target",
    )
    data.add_argument(
        "--dataset",
        choices=DATASETS,
        help="a bundled data set instead of a CSV (default without CSV: digits). digits: 10 "
        "classes; breast_cancer: 'malignant' made the rare class of 'benign'; "
        "digits_multilabel: 900 pictures of up to 4 digits tagged with the digits they hold "
        "(10 labels, digit 9 the rarest).",
    )
    data.add_argument(
        "--imbalance-ratio",
        type=_imbalance_ratio,
        metavar="R",
        help="for a bundled data set: rows of the largest class / rows of the rarest (for "
        f"digits_multilabel: of the most / least frequent label), >= 1 (default: "
        f"{DEFAULTS['ratio']:g})",
    )
    reading = compare.add_argument_group(
        "reading the CSV (every guess is printed as a 'note:' line on stderr)"
    )
    reading.add_argument(
        "--sep",
        type=_separator,
        metavar="CHAR",
        help="the column separator, one character ('tab' for a tab; default: guessed from the "
        "file's lines among , ; tab |)",
    )
    reading.add_argument(
        "--na-values",
        type=_na_values,
        metavar="LIST",
        help="comma-separated cell texts read as missing values, besides empty cells "
        "(default: ?, -, --, NA, N/A, n/a, NaN, null, NULL, None, #N/A and pandas' other "
        "spellings; '' for empty cells only)",
    )
    reading.add_argument(
        "--keep-columns",
        type=_split_list,
        metavar="LIST",
        help="columns to keep as features even if they look like identifiers (a name such as "
        "id or customer_id, or a different value in every row of 20 or more)",
    )
    reading.add_argument(
        "--drop-columns",
        type=_split_list,
        metavar="LIST",
        help="columns to leave out of the features",
    )
    run = compare.add_argument_group("comparison")
    run.add_argument(
        "--strategies",
        type=_strategies,
        metavar="LIST",
        help="comma-separated strategy names (default: every one the classifier supports)",
    )
    run.add_argument(
        "--scoring",
        type=_scoring,
        metavar="LIST",
        default=None,
        help="comma-separated metrics; the first ranks the table. 'geometric_mean' or any "
        "scikit-learn scorer name (default: balanced_accuracy,f1_macro,geometric_mean; "
        "f1_macro for a multi-label target). The recall of --positive-label (and, for two "
        "classes, its average precision) is always added; for a multi-label target, macro "
        "average precision and the recall of the 3 rarest labels.",
    )
    run.add_argument(
        "--positive-label",
        metavar="LABEL",
        help="the class you care most about (default: the rarest class; not for a multi-label "
        "target)",
    )
    run.add_argument(
        "--cv",
        type=_int_type("an integer >= 2 (the number of folds)", 2),
        default=DEFAULTS["cv"],
        metavar="N",
        help="number of stratified cross-validation folds, >= 2 (default: %(default)s)",
    )
    run.add_argument(
        "--seed",
        type=_int_type(f"an integer from 0 to {SEED_MAX} (2**32 - 1)", 0, SEED_MAX),
        default=DEFAULTS["seed"],
        metavar="N",
        help="random seed, 0 to 2**32 - 1 (default: %(default)s)",
    )
    run.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="folds trained in parallel (default: 1; -1 uses every core)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="train on the workers of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(needs pip install 'dask[distributed]'); --jobs then defaults to -1, every worker",
    )
    _add_verdict_options(compare)
    model = compare.add_argument_group("network")
    model.add_argument(
        "--epochs",
        type=_int_type("an integer >= 1", 1),
        default=DEFAULTS["epochs"],
        metavar="N",
        help="training epochs per fit (default: %(default)s)",
    )
    model.add_argument(
        "--batch-size",
        type=_int_type("an integer >= 1", 1),
        default=DEFAULTS["batch_size"],
        metavar="N",
        help="mini-batch size (default: %(default)s)",
    )
    model.add_argument(
        "--hidden-units",
        type=_hidden_units,
        default=DEFAULTS["hidden_units"],
        metavar="LIST",
        help="comma-separated sizes of the MLP's hidden layers (default: %(default)s)",
    )
    output = compare.add_argument_group("output")
    output.add_argument("--json", metavar="FILE", help="also write the leaderboard as JSON")
    output.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw the metrics, per-class recall and a reliability diagram (needs matplotlib: "
        "pip install 'skbalance[plot]')",
    )
    output.add_argument(
        "--quiet",
        action="store_true",
        help="no progress (the live bar, or the lines written when stderr is not a terminal); "
        "the notes and the report still print",
    )
    output.add_argument(
        "--debug", action="store_true", help="show full tracebacks and library warnings"
    )
    parser.commands = {"compare": compare}
    return parser


def _holdout(text: str) -> float | str | None:
    if text == "auto":  # also the default, which argparse passes through this type
        return text
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 0.5:
        raise argparse.ArgumentTypeError(
            f"must be a fraction of the rows from 0 (no hold-out) to 0.5; got {text!r}."
        )
    return value or None


def _add_verdict_options(compare) -> None:
    """The options of the verdict (issue 15): repeated folds, the hold-out, the saved winner."""
    verdict = compare.add_argument_group("verdict")
    verdict.add_argument(
        "--repeats",
        type=_int_type("an integer >= 1", 1),
        default=DEFAULTS["repeats"],
        metavar="N",
        help="repeat the folds with other shuffles; every strategy is scored on the same "
        "folds, and the best group is decided on their paired differences (default: "
        "%(default)s)",
    )
    verdict.add_argument(
        "--holdout",
        type=_holdout,
        default="auto",
        metavar="FRACTION",
        help="rows kept out of the comparison, to score the recommended strategy refit on "
        "the others: an honest estimate of the choice. 0: none (default: auto, "
        f"{_defaults.AUTO_HOLDOUT:g} when every class has enough rows for it and the folds)",
    )
    verdict.add_argument(
        "--save",
        metavar="FILE",
        help="write the recommended strategy, refit on all rows with its preprocessing, as a "
        "pickle (joblib.load it after 'import skbalance'; it predicts rows with the CSV's "
        "feature columns)",
    )


def parse_args(argv: list[str] | None = None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    """Parse the command line; a malformed one exits with status 2 and one line on stderr.

    Everything that can be judged from the command line alone is judged here: every option's
    value (by its ``type``) and the combinations of options.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "compare":
        return parser, args
    compare = parser.commands["compare"]
    if args.csv is not None and args.dataset is not None:
        compare.error("give either a CSV file or --dataset, not both.")
    if args.csv is not None and args.target is None:
        compare.error(
            f"--target COL is required with a CSV file (which column is the label in {args.csv}?)."
        )
    if args.csv is None and args.target is not None:
        compare.error("--target only applies to a CSV file; give the file too.")
    if args.csv is not None and args.imbalance_ratio is not None:
        compare.error("--imbalance-ratio only applies to a bundled data set, not to a CSV.")
    for option in ("sep", "na_values", "keep_columns", "drop_columns"):
        if args.csv is None and getattr(args, option) is not None:
            flag = "--" + option.replace("_", "-")
            compare.error(f"{flag} only applies to a CSV file; give the file.")
    both = sorted(set(args.keep_columns or ()) & set(args.drop_columns or ()))
    if both:
        compare.error(f"column {both[0]!r} is in both --keep-columns and --drop-columns.")
    if args.imbalance_ratio is None:
        args.imbalance_ratio = DEFAULTS["ratio"]
    return parser, args


def check_environment(args) -> None:
    """Raise :class:`InputError` if an optional dependency that the options need is missing."""
    if args.scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise InputError(
                "--scheduler needs Dask's distributed scheduler client: "
                "pip install 'dask[distributed]'"
            ) from None
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise InputError(
                "--plot needs matplotlib, an optional dependency: pip install 'skbalance[plot]'"
            ) from None
