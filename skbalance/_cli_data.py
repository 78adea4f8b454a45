"""The data of ``python -m skbalance compare``: the user's CSV, read with every check that can
be made before anything is trained, and the bundled demo data sets.

A CSV problem is an :class:`~skbalance._errors.InputError` that names the file, the column and
(for a bad value) the data row; what the loader changes on its own (dropped rows and columns, a
guessed separator) comes back as notes for the user, one line each.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import re
import warnings
from pathlib import Path

import numpy as np

from skbalance._cli_args import did_you_mean
from skbalance._errors import InputError
from skbalance.compare import check_finite_features

__all__ = ["load_bundled", "load_csv"]

_NOT_CSV = {
    ".xlsx": "an Excel workbook",
    ".xlsm": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".ods": "an OpenDocument spreadsheet",
    ".parquet": "a Parquet file",
    ".feather": "a Feather file",
}
_OTHER_SEPARATORS = (";", "\t", "|")
# "1,5" or "-0,25e3": a number written with a decimal comma (only read as one in ';' files).
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?\s*$")


def _separator_name(sep: str) -> str:
    return {"\t": "a tab", ";": "';'", "|": "'|'"}.get(sep, repr(sep))


def _read(path: str, **kwargs):
    import pandas as pd

    try:
        with warnings.catch_warnings():
            # index_col=False: rows with one field more than the header must not silently turn
            # the first column into the index (shifting every name by one); pandas warns instead.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(path, encoding="utf-8-sig", index_col=False, **kwargs)
    except pd.errors.ParserWarning:
        raise InputError(
            f"the rows of {path} have more fields than its header has names (a separator at "
            "the end of each row?); give every column a name in the header."
        ) from None
    except UnicodeDecodeError as exc:
        data = Path(path).read_bytes()
        body = data.removeprefix(codecs.BOM_UTF8)
        start = exc.start
        try:  # pandas reports a position within its chunk: locate the byte in the file
            body.decode("utf-8")
        except UnicodeDecodeError as located:
            start = located.start + len(data) - len(body)
        line = data.count(b"\n", 0, start) + 1
        if Path(path).suffix.lower() in _NOT_CSV:
            raise InputError(
                f"{path} looks like {_NOT_CSV[Path(path).suffix.lower()]}, not a CSV file; "
                "export it as CSV (UTF-8) and run again."
            ) from None
        raise InputError(
            f"{path} is not UTF-8 text (byte 0x{data[start]:02x} on line {line}); save it "
            "as UTF-8 (in Excel: 'CSV UTF-8') and run again."
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"cannot read {path} as CSV: {message}") from None


def _separator(path: str) -> str:
    """',' unless the header line has none but holds ';', tabs or '|' (the most frequent)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".zip", ".zst", ".tar"):  # archives pandas opens itself: no look inside
        return ","
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(suffix, open)
    with opener(path, "rb") as file:
        header = file.readline().decode("utf-8-sig", errors="replace")
    counts = {sep: header.count(sep) for sep in _OTHER_SEPARATORS}
    best = max(counts, key=counts.get)
    return best if "," not in header and counts[best] else ","


def _read_frame(path: str, notes: list[str]):
    """The table and its header as written (before pandas renames empty or repeated names)."""
    separator = _separator(path)
    if separator != ",":
        notes.append(f"read {path} with {_separator_name(separator)} as the column separator")
    frame = _read(path, sep=separator)
    header = _read(path, sep=separator, header=None, nrows=1, dtype=str, keep_default_na=False)
    return frame, header.iloc[0].tolist() if len(header) else [], separator


def _check_header(path: str, header: list[str]) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name == "":
            continue
        if name in seen:
            raise InputError(
                f"column name {name!r} appears twice in the header of {path} (columns "
                f"{seen[name]} and {position}); rename one of them."
            )
        seen[name] = position


def _drop_row_number_columns(frame, header: list[str], notes: list[str]):
    """Leave out a nameless column that holds the row numbers (an index written by to_csv).

    As a feature it would leak the row order, and files are often sorted by class.
    """
    for position, name in enumerate(header):
        if name != "" or position >= frame.shape[1]:
            continue
        column = frame.columns[position]
        values = frame[column]
        n = len(values)
        if (
            values.dtype.kind in "iu"
            and n
            and (
                np.array_equal(values, np.arange(n)) or np.array_equal(values, np.arange(1, n + 1))
            )
        ):
            notes.append(
                f"left out column {position + 1}: it has no name and holds the row numbers "
                "(an index written by pandas' to_csv?); as a feature it would leak the row order"
            )
            frame = frame.drop(columns=[column])
    return frame


def _numbers_from_decimal_commas(frame, skip: str, notes: list[str]):
    import pandas as pd

    for column in frame.columns:
        if column == skip or frame[column].dtype.kind != "O":  # object or pandas' str
            continue
        values = frame[column].dropna().astype(str)
        if len(values) and values.str.match(_DECIMAL_COMMA).all():
            converted = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")
            if converted.notna().all():
                as_text = frame[column].astype("string").str.replace(",", ".", regex=False)
                frame = frame.assign(**{column: pd.to_numeric(as_text).astype(float)})
                notes.append(f"column {column!r}: read '1,5' as the number 1.5 (decimal comma)")
    return frame


def _note_numbers_read_as_text(frame, notes: list[str]) -> None:
    """A mostly numeric column with a few stray values ('?', '-') would become categories."""
    import pandas as pd

    for column in frame.columns:
        if frame[column].dtype.kind != "O":  # object or pandas' str
            continue
        values = frame[column].dropna()
        numeric = pd.to_numeric(values, errors="coerce").notna()
        if len(values) and numeric.mean() >= 0.5 and not numeric.all():
            odd = list(dict.fromkeys(values[~numeric].astype(str)))[:3]
            count = int((~numeric).sum())
            notes.append(
                f"column {column!r} is mostly numbers but is read as categories because of "
                f"{count} other value{'s' if count > 1 else ''} ({', '.join(map(repr, odd))}); "
                "leave those cells empty to have them imputed instead"
            )


def _labels_as_written(labels: np.ndarray) -> np.ndarray:
    """Whole-number float labels back to int: pandas reads 1, 2, (empty) as 1.0, 2.0, NaN."""
    if labels.dtype.kind != "f" or not len(labels):
        return labels
    if np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
        if np.abs(labels).max() < 2**53:  # exactly representable: the round trip is exact
            return labels.astype(np.int64)
    return labels


def load_csv(path: str, target: str):
    """``(X, y, notes)`` from the CSV at ``path``, label column ``target``.

    Raises :class:`InputError` for anything that would fail (or be silently wrong) later: a
    missing or unreadable file, a repeated column name, a missing target column, an infinite
    value, no feature left. ``notes`` lists what was changed on the way, one line each.
    """
    if Path(path).is_dir():
        raise InputError(f"{path} is a folder; give the CSV file in it.")
    if not Path(path).is_file():
        raise InputError(f"no such file: {path}")
    notes: list[str] = []
    try:
        frame, header, separator = _read_frame(path, notes)
    except OSError as exc:  # e.g. no permission to read it
        raise InputError(f"cannot read {path}: {exc.strerror or exc}.") from None
    _check_header(path, header)
    if target not in frame.columns:
        raise InputError(
            f"no column {target!r} in {path}{did_you_mean(target, map(str, frame.columns))}; "
            f"the columns are {', '.join(map(str, frame.columns))}."
        )
    if frame.shape[1] < 2:
        raise InputError(f"{path} has no feature columns besides the target {target!r}.")
    missing = frame[target].isna()
    if missing.any():
        notes.append(f"dropping {int(missing.sum())} rows with no {target!r} value")
        frame = frame[~missing]
    if frame.empty:
        raise InputError(f"{path} has no rows with a {target!r} value.")
    frame = _drop_row_number_columns(frame, header, notes)
    if separator == ";":
        frame = _numbers_from_decimal_commas(frame, target, notes)
    labels = frame[target].to_numpy()
    if labels.dtype.kind == "f" and np.isinf(labels).any():
        row = int(frame.index[np.argmax(np.isinf(labels))])
        raise InputError(
            f"the target column {target!r} has an infinite value (data row {row + 1} of "
            f"{path}); every row needs a class label."
        )
    features = frame.drop(columns=[target])
    empty = [column for column in features.columns if features[column].isna().all()]
    if empty:
        notes.append(
            f"left out column{'s' if len(empty) > 1 else ''} {', '.join(map(repr, empty))}: "
            "no values in any row"
        )
        features = features.drop(columns=empty)
    if features.shape[1] == 0:
        raise InputError(f"{path} has no feature column with any value besides {target!r}.")
    rows = features.index  # positions in the file's data rows, kept through the drops
    check_finite_features(features, name=path, describe_row=lambda row: f"data row {rows[row] + 1}")
    _note_numbers_read_as_text(features, notes)
    return features, _labels_as_written(labels), notes


def load_bundled(name: str, ratio: float, seed: int):
    """``(X, y)`` of a bundled data set made long-tailed with ``ratio``."""
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
