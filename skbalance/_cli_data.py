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


def _numbers_from_decimal_commas(frame, skip: list, notes: list[str]):
    import pandas as pd

    for column in frame.columns:
        if column in skip or frame[column].dtype.kind != "O":  # object or pandas' str
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


def _target_columns(path: str, target: str, columns) -> list:
    """The target column(s) that ``--target`` names: one column, or several separated by
    commas (a multi-label target); a name with a comma in it that is a column stays one."""
    if target in columns:
        return [target]
    names = [name.strip() for name in target.split(",")]
    if len(names) > 1 and all(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InputError(f"--target names column {repeated[0]!r} twice; name it once.")
    for name in names:
        if name not in columns:
            raise InputError(
                f"no column {name!r} in {path}{did_you_mean(name, map(str, columns))}; "
                f"the columns are {', '.join(map(str, columns))}."
            )
    return names


def _indicator_columns(frame, rows, path: str):
    """The target columns as a 0/1 int DataFrame, or an :class:`InputError` naming the column
    (and data row) that holds something other than 0/1 or true/false."""
    import pandas as pd

    columns = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype.kind == "b":
            columns[column] = values.to_numpy().astype(np.int64)
            continue
        numeric = pd.to_numeric(values, errors="coerce") if values.dtype.kind == "O" else values
        bad = ~np.isin(np.asarray(numeric, dtype=float), (0.0, 1.0)) | values.isna().to_numpy()
        if values.dtype.kind not in "iuf" or bad.any():
            position = int(np.argmax(bad)) if bad.any() else 0
            value = values.iloc[position]
            value = value.item() if hasattr(value, "item") else value  # 2, not np.int64(2)
            raise InputError(
                f"the target column {column!r} holds {value!r} (data row "
                f"{rows[position] + 1} of {path}); every column of a multi-label target must "
                "hold 0 and 1 (or true and false)."
            )
        columns[column] = values.to_numpy().astype(np.int64)
    return pd.DataFrame(columns, index=frame.index)


def load_csv(path: str, target: str):
    """``(X, y, notes)`` from the CSV at ``path``, label column ``target``.

    ``target`` may name several 0/1 (or boolean) columns separated by commas: ``y`` is then a
    DataFrame of these columns as ints, a multi-label indicator target.

    Raises :class:`InputError` for anything that would fail (or be silently wrong) later: a
    missing or unreadable file, a repeated column name, a missing target column, a target
    column of a multi-label target that is not 0/1, an infinite value, no feature left.
    ``notes`` lists what was changed on the way, one line each.
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
    targets = _target_columns(path, target, frame.columns)
    shown = ", ".join(map(repr, targets))  # for the messages: 'label' or 'a', 'b', 'c'
    if frame.shape[1] <= len(targets):
        raise InputError(f"{path} has no feature columns besides the target {shown}.")
    missing = frame[targets].isna().any(axis=1)
    if missing.any():
        notes.append(f"dropping {int(missing.sum())} rows with no {shown} value")
        frame = frame[~missing]
    if frame.empty:
        raise InputError(f"{path} has no rows with a {shown} value.")
    frame = _drop_row_number_columns(frame, header, notes)
    if separator == ";":
        frame = _numbers_from_decimal_commas(frame, targets, notes)
    if len(targets) > 1:
        labels = _indicator_columns(frame[targets], frame.index, path)
        return _features(frame, targets, path, notes), labels, notes
    target = targets[0]
    labels = frame[target].to_numpy()
    if labels.dtype.kind == "f" and np.isinf(labels).any():
        row = int(frame.index[np.argmax(np.isinf(labels))])
        raise InputError(
            f"the target column {target!r} has an infinite value (data row {row + 1} of "
            f"{path}); every row needs a class label."
        )
    return _features(frame, [target], path, notes), _labels_as_written(labels), notes


def _features(frame, targets: list, path: str, notes: list[str]):
    """Every column but the target(s), with the empty ones left out (a note) and checked."""
    features = frame.drop(columns=targets)
    empty = [column for column in features.columns if features[column].isna().all()]
    if empty:
        notes.append(
            f"left out column{'s' if len(empty) > 1 else ''} {', '.join(map(repr, empty))}: "
            "no values in any row"
        )
        features = features.drop(columns=empty)
    if features.shape[1] == 0:
        raise InputError(
            f"{path} has no feature column with any value besides {', '.join(map(repr, targets))}."
        )
    rows = features.index  # positions in the file's data rows, kept through the drops
    check_finite_features(features, name=path, describe_row=lambda row: f"data row {rows[row] + 1}")
    _note_numbers_read_as_text(features, notes)
    return features


def load_bundled(name: str, ratio: float, seed: int):
    """``(X, y)`` of a bundled data set made long-tailed with ``ratio``.

    ``digits_multilabel``: 900 pictures of up to 4 digits, tagged with the digits they hold
    (a 0/1 matrix, column ``d`` for digit ``d``), ``ratio`` times more pictures with a 0 than
    with a 9.
    """
    from skbalance.datasets import load_digits_long_tailed, load_digits_multilabel, make_long_tailed

    if name == "digits_multilabel":
        X, _, Y, _ = load_digits_multilabel(ratio, n_train=900, n_test=0, random_state=seed)
        return X, Y
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
