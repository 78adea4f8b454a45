"""The options of ``python -m skbalance compare``: the parser and the checks that need no data.

Kept apart from :mod:`skbalance._cli` (which loads data and runs the comparison) so that
``--help`` and option errors cost no more than importing argparse and scikit-learn's metrics.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

PROG = "python -m skbalance"
DATASETS = ("digits", "breast_cancer")
DEFAULTS = {"cv": 3, "epochs": 30, "batch_size": 32, "hidden_units": "64", "ratio": 20.0}


class CLIError(Exception):
    """A problem with the user's input: reported as one line, without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    from skbalance._presets import STRATEGIES

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="skbalance: class-imbalance handling for deep learning as scikit-learn "
        "estimators. Run '%(prog)s compare --help' for the main command.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    strategy_lines = "\n".join(f"  {s.name:<24}{s.description}" for s in STRATEGIES.values())
    compare = commands.add_parser(
        "compare",
        help="cross-validate balancing strategies on a data set and rank them",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Cross-validate balancing strategies (stratified folds, the same folds for every\n"
            "strategy) with a small Keras MLP and print a leaderboard and a recommendation.\n"
            "With no CSV it runs on scikit-learn's digits made long-tailed.\n\n"
            f"Strategies:\n{strategy_lines}\n\n"
            "Examples:\n"
            f"  {PROG} compare\n"
            f"  {PROG} compare houses.csv --target decision --positive-label buy --json out.json\n"
            f"  {PROG} compare --dataset breast_cancer --strategies none,focal,smote --plot cmp.png"
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
    data.add_argument("--target", metavar="COL", help="the CSV column holding the class label")
    data.add_argument(
        "--dataset",
        choices=DATASETS,
        help="a bundled data set instead of a CSV (default without CSV: digits). digits: 10 "
        "classes; breast_cancer: 'malignant' made the rare class of 'benign'.",
    )
    data.add_argument(
        "--imbalance-ratio",
        type=float,
        default=DEFAULTS["ratio"],
        metavar="R",
        help="for a bundled data set: rows of the largest class / rows of the rarest "
        "(default: %(default)g)",
    )
    run = compare.add_argument_group("comparison")
    run.add_argument(
        "--strategies",
        metavar="LIST",
        help="comma-separated strategy names (default: every one the classifier supports)",
    )
    run.add_argument(
        "--scoring",
        metavar="LIST",
        default="balanced_accuracy,f1_macro,geometric_mean",
        help="comma-separated metrics; the first ranks the table. 'geometric_mean' or any "
        "scikit-learn scorer name (default: %(default)s). The recall of --positive-label (and, "
        "for two classes, its average precision) is always added.",
    )
    run.add_argument(
        "--positive-label",
        metavar="LABEL",
        help="the class you care most about (default: the rarest class)",
    )
    run.add_argument(
        "--cv",
        type=int,
        default=DEFAULTS["cv"],
        metavar="N",
        help="number of stratified cross-validation folds (default: %(default)s)",
    )
    run.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    run.add_argument(
        "--jobs",
        type=int,
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
    model = compare.add_argument_group("network")
    model.add_argument(
        "--epochs",
        type=int,
        default=DEFAULTS["epochs"],
        metavar="N",
        help="training epochs per fit (default: %(default)s)",
    )
    model.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULTS["batch_size"],
        metavar="N",
        help="mini-batch size (default: %(default)s)",
    )
    model.add_argument(
        "--hidden-units",
        default=DEFAULTS["hidden_units"],
        metavar="LIST",
        help="comma-separated sizes of the MLP's hidden layers (default: %(default)s)",
    )
    output = compare.add_argument_group("output")
    output.add_argument("--json", metavar="FILE", help="also write the leaderboard as JSON")
    output.add_argument(
        "--plot",
        metavar="FILE.png",
        help="also draw the metrics and per-class recall (needs matplotlib: "
        "pip install 'skbalance[plot]')",
    )
    output.add_argument("--quiet", action="store_true", help="no progress bar")
    output.add_argument(
        "--debug", action="store_true", help="show full tracebacks and library warnings"
    )
    return parser


def _split_list(text: str, option: str) -> list[str]:
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise CLIError(f"{option} is empty; give a comma-separated list.")
    return items


def check_options(args) -> None:
    """Everything about the options that can be checked without reading data or Keras."""
    from sklearn.metrics import get_scorer_names

    from skbalance._presets import STRATEGIES

    if args.csv is not None and args.dataset is not None:
        raise CLIError("give either a CSV file or --dataset, not both.")
    if args.csv is not None and args.target is None:
        raise CLIError(
            f"--target COL is required with a CSV file (which column is the label in {args.csv}?)."
        )
    if args.csv is None and args.target is not None:
        raise CLIError("--target only applies to a CSV file; give the file too.")
    for option, value, low in [
        ("--cv", args.cv, 2),
        ("--epochs", args.epochs, 1),
        ("--batch-size", args.batch_size, 1),
    ]:
        if value < low:
            raise CLIError(f"{option} must be at least {low}; got {value}.")
    if not np.isfinite(args.imbalance_ratio) or args.imbalance_ratio < 1:
        raise CLIError(f"--imbalance-ratio must be >= 1; got {args.imbalance_ratio:g}.")
    try:
        args.hidden_units = tuple(int(u) for u in _split_list(args.hidden_units, "--hidden-units"))
    except ValueError:
        raise CLIError(
            f"--hidden-units must be comma-separated integers such as 64,32; got "
            f"{args.hidden_units!r}."
        ) from None
    if args.strategies is not None:
        args.strategies = _split_list(args.strategies, "--strategies")
        unknown = [name for name in args.strategies if name not in STRATEGIES]
        if unknown:
            raise CLIError(
                f"unknown strategy {', '.join(unknown)}; choose from {', '.join(STRATEGIES)}."
            )
    args.scoring = _split_list(args.scoring, "--scoring")
    known = {"geometric_mean", *get_scorer_names()}
    unknown = [name for name in args.scoring if name not in known]
    if unknown:
        raise CLIError(
            f"unknown metric {', '.join(unknown)}; use geometric_mean or a "
            "scikit-learn scorer name such as balanced_accuracy, f1_macro."
        )
    for option, path in [("--json", args.json), ("--plot", args.plot)]:
        if path is not None and not Path(path).resolve().parent.is_dir():
            raise CLIError(f"{option}: the folder of {path} does not exist.")
    if args.scheduler is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise CLIError(
                "--scheduler needs Dask's distributed scheduler client: "
                "pip install 'dask[distributed]'"
            ) from None
    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            raise CLIError(
                "--plot needs matplotlib, an optional dependency: pip install 'skbalance[plot]'"
            ) from None
