"""The data of ``python -m skbalance compare``: the user's CSV, read with every check that can
be made before anything is trained, and the bundled demo data sets.

A CSV problem is an :class:`~skbalance._errors.InputError` that names the file, the column and
(for a bad value) the data row. What the loader guesses on its own (the separator, columns that
look like identifiers, placeholders such as ``?`` read as missing numbers, dropped rows and
columns) is decided in one place, :func:`read_csv`, which returns the decisions
(:class:`CsvReading`, to read new rows the same way) and a note for the user per decision and
column.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import lzma
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skbalance._cli_args import did_you_mean
from skbalance._errors import InputError
from skbalance.compare import check_finite_features

__all__ = ["CsvReading", "DEFAULT_NA_VALUES", "load_bundled", "load_csv", "read_csv"]

_NOT_CSV = {
    ".xlsx": "an Excel workbook",
    ".xlsm": "an Excel workbook",
    ".xls": "an Excel workbook",
    ".ods": "an OpenDocument spreadsheet",
    ".parquet": "a Parquet file",
    ".feather": "a Feather file",
}
_OTHER_SEPARATORS = (";", "\t", "|")
_SEPARATORS = (",", *_OTHER_SEPARATORS)
_SNIFF_BYTES = 64 * 1024
# Cells read as a missing value in any column (besides the empty cell): pandas' own list
# and the placeholders people type for "unknown".
DEFAULT_NA_VALUES = (
    "?", "-", "--", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "-NaN", "null", "NULL", "None",
    "#N/A", "#N/A N/A", "#NA", "<NA>", "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN",
)  # fmt: skip
# An identifier by its name: id, ID, customer_id, customer-id, customerId, uuid, guid.
_ID_NAME = re.compile(r"^(id|uuid|guid)$|[_\- ](id|uuid|guid)$", re.I)
_ID_NAME_CAMEL = re.compile(r"[a-z](Id|ID|Uuid|UUID)$")
# A unique value in every row says "identifier" only when there are enough rows for a real
# feature to repeat a value; in a handful of rows, any column can be unique by chance.
MIN_ROWS_FOR_UNIQUE = 20
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


def _sample(path: str) -> str:
    """The first 64 KiB of the file as text, cut at the last line end."""
    suffix = Path(path).suffix.lower()
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(suffix, open)
    with opener(path, "rb") as file:
        data = file.read(_SNIFF_BYTES)
    text = data.decode("utf-8-sig", errors="replace")
    end = max(text.rfind("\n"), 0) if len(data) == _SNIFF_BYTES else len(text)
    return text[:end] if end else text


def _separator(path: str) -> str:
    """The column separator among , ; tab and |: :class:`csv.Sniffer` on the first 64 KiB
    (the separator that splits every line into the same number of fields); when it cannot
    tell, ',' unless the header has none but holds ';', tabs or '|' (the most frequent)."""
    if Path(path).suffix.lower() in (".zip", ".zst", ".tar"):  # archives pandas opens itself
        return ","
    sample = _sample(path)
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_SEPARATORS)).delimiter
    except csv.Error:  # one column, or no separator splits the lines evenly
        pass
    header = sample.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in _OTHER_SEPARATORS}
    best = max(counts, key=counts.get)
    return best if "," not in header and counts[best] else ","


def _read_frame(path: str, separator: str | None, na_values, notes: list[str]):
    """``(table, raw cells, header as written, separator)``: the table typed by pandas with
    exactly ``na_values`` (and the empty cell) as missing values, and every cell as the text
    the file holds (to count the placeholders), with the separator given or sniffed."""
    if separator is None:
        separator = _separator(path)
        if separator != ",":
            notes.append(
                f"read {path} with {_separator_name(separator)} as the column separator "
                "(guessed from its lines; --sep sets it)"
            )
    missing = dict(keep_default_na=False, na_values=["", *na_values])
    frame = _read(path, sep=separator, **missing)
    # The cells as text, to count the placeholders: only the columns with a missing value.
    positions = [i for i, column in enumerate(frame.columns) if frame[column].isna().any()]
    raw = frame.iloc[:, :0]  # no column with a missing value: nothing to count
    if positions:
        raw = _read(path, sep=separator, dtype=str, keep_default_na=False, usecols=positions)
        raw.columns = [frame.columns[i] for i in positions]
    header = _read(path, sep=separator, header=None, nrows=1, dtype=str, keep_default_na=False)
    return frame, raw, header.iloc[0].tolist() if len(header) else [], separator


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


def _identifier_reason(frame, column, written_name: str) -> str | None:
    """Why ``column`` looks like an identifier (a note's words), or None.

    A column with no name in the header that holds the row numbers (the index that pandas'
    ``to_csv`` writes); a column named like one (id, ID, customer_id, customerId, uuid); a
    non-float column (integers, text) with a different value in every row, in a file of 20
    rows or more. As a feature it would leak the row order (files are often sorted by class)
    or, one-hot encoded, give every row a category of its own that no other row shares.
    """
    values = frame[column]
    n = len(values)
    if written_name == "":
        if (
            values.dtype.kind in "iu"
            and n
            and (
                np.array_equal(values, np.arange(n)) or np.array_equal(values, np.arange(1, n + 1))
            )
        ):
            return (
                "it has no name and holds the row numbers (an index written by pandas' "
                "to_csv?); as a feature it would leak the row order"
            )
    text = str(written_name)
    if _ID_NAME.search(text) or _ID_NAME_CAMEL.search(text):
        return "its name says it is an identifier"
    if (
        n >= MIN_ROWS_FOR_UNIQUE
        and values.dtype.kind not in "fcb"
        and not values.isna().any()
        and values.nunique() == n
    ):
        kind = "number" if values.dtype.kind in "iu" else "value"
        return f"a different {kind} in every row: an identifier, not a feature"
    return None


def _drop_identifiers(frame, header: list[str], skip: set, notes: list[str]):
    """Leave out the columns that look like identifiers (one note each), but those in
    ``skip`` (the target, ``--keep-columns``)."""
    dropped = []
    for position, column in enumerate(frame.columns):
        if column in skip:
            continue
        written = header[position] if position < len(header) else str(column)
        reason = _identifier_reason(frame, column, written)
        if reason is not None:
            where = f"column {column!r}" if written else f"column {position + 1}"
            keep = f"; --keep-columns {column!r} keeps it" if written else ""
            notes.append(f"left out {where}: {reason}{keep}")
            dropped.append(column)
    return frame.drop(columns=dropped), dropped


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
                "list them in --na-values (or empty those cells) to read them as missing numbers"
            )


def _placeholders(frame, raw, na_values, notes: list[str]) -> dict:
    """column -> {placeholder: count} for every column where cells other than empty ones were
    read as missing values (one note per column, naming them and their counts)."""
    found = {}
    for column in raw.columns.intersection(frame.columns, sort=False):
        cells = raw[column]
        counts = cells[cells.isin(na_values) & (cells != "")].value_counts()
        if counts.empty or frame[column].isna().all():  # an empty column has a note of its own
            continue
        found[column] = {str(text): int(n) for text, n in counts.items()}
        listed = ", ".join(f"{n} {text!r}" for text, n in found[column].items())
        empty = int((cells == "").sum())
        listed += f" and {empty} empty" if empty else ""
        numeric = frame[column].dtype.kind in "iuf"
        notes.append(
            f"column {column!r}{': read as numbers;' if numeric else ':'} {listed} "
            f"cell{'s' if sum(found[column].values()) + empty > 1 else ''} read as missing "
            "values (--na-values sets which text means missing)"
        )
    return found


def _labels_as_written(labels: np.ndarray) -> np.ndarray:
    """Whole-number float labels back to int: pandas reads 1, 2, (empty) as 1.0, 2.0, NaN."""
    if labels.dtype.kind != "f" or not len(labels):
        return labels
    if np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
        if np.abs(labels).max() < 2**53:  # exactly representable: the round trip is exact
            return labels.astype(np.int64)
    return labels


def _target_columns(path: str, target: str, columns, header: list, separator: str) -> list:
    """The target column(s) that ``--target`` names: one column, or several separated by
    commas (a multi-label target); a name with a comma in it that is a column stays one.
    A name that the header holds when split at another separator gets that advice."""
    if target in columns:
        return [target]
    names = [name.strip() for name in target.split(",")]
    if len(names) > 1 and all(names):
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise InputError(f"--target names column {repeated[0]!r} twice; name it once.")
    for name in names:
        if name not in columns:
            line = separator.join(map(str, header))
            for other in _SEPARATORS:
                if other != separator and name in [part.strip() for part in line.split(other)]:
                    raise InputError(
                        f"no column {name!r} in {path} read with {_separator_name(separator)} "
                        f"as the column separator (its header then has {len(header)} "
                        f"column{'s' if len(header) != 1 else ''}); it uses "
                        f"{_separator_name(other)}: run again with --sep {_sep_option(other)}."
                    )
            raise InputError(
                f"no column {name!r} in {path}{did_you_mean(name, map(str, columns))}; "
                f"the columns are {', '.join(map(str, columns))}."
            )
    return names


def _sep_option(sep: str) -> str:
    return "tab" if sep == "\t" else f"'{sep}'"


def _named_columns(option: str, names, columns, path: str) -> list:
    """The columns ``--keep-columns`` / ``--drop-columns`` name, each checked to exist."""
    for name in names:
        if name not in columns:
            raise InputError(
                f"{option}: no column {name!r} in {path}"
                f"{did_you_mean(name, map(str, columns))}; the columns are "
                f"{', '.join(map(str, columns))}."
            )
    return list(names)


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


@dataclass
class CsvReading:
    """What :func:`read_csv` decided about a file: apply it to new rows with :meth:`prepare`.

    Attributes
    ----------
    separator : str
        The column separator (given with ``--sep``, or sniffed).
    na_values : tuple of str
        The cell texts read as missing values, besides the empty cell.
    dropped : dict
        Column -> why it was left out: an identifier, no value in any row, ``--drop-columns``.
    placeholders : dict
        Column -> {placeholder text: count} of the cells read as missing values.
    decimal_comma : list
        Columns of a ';' file read as numbers written with decimal commas.
    notes : list of str
        One line per guess and column, for the user.
    """

    separator: str
    na_values: tuple
    dropped: dict = field(default_factory=dict)
    placeholders: dict = field(default_factory=dict)
    decimal_comma: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def read_options(self) -> dict:
        """``pandas.read_csv`` options that read a file of new rows like this one."""
        return {
            "sep": self.separator,
            "keep_default_na": False,
            "na_values": ["", *self.na_values],
            "encoding": "utf-8-sig",
            "index_col": False,
        }

    def prepare(self, frame):
        """New rows (a DataFrame read with :meth:`read_options`) as the features were read:
        the same columns left out, decimal commas read as numbers."""
        import pandas as pd

        frame = frame.drop(columns=[c for c in self.dropped if c in frame.columns])
        for column in self.decimal_comma:
            if column in frame.columns:
                text = frame[column].astype("string").str.replace(",", ".", regex=False)
                frame = frame.assign(**{column: pd.to_numeric(text).astype(float)})
        return frame


def read_csv(
    path: str,
    target: str,
    *,
    sep: str | None = None,
    na_values=DEFAULT_NA_VALUES,
    keep_columns=(),
    drop_columns=(),
):
    """``(X, y, reading)`` from the CSV at ``path``, label column(s) ``target``: every guess
    made once, here, and returned as a :class:`CsvReading`.

    ``target`` may name several 0/1 (or boolean) columns separated by commas: ``y`` is then a
    DataFrame of these columns as ints, a multi-label indicator target. ``sep``: the column
    separator (None: sniffed among , ; tab |). ``na_values``: the texts read as missing
    values besides the empty cell. ``keep_columns``: columns kept even if they look like
    identifiers; ``drop_columns``: columns left out.

    Raises :class:`InputError` for anything that would fail (or be silently wrong) later: a
    missing or unreadable file, a repeated column name, a missing target column (with the
    separator that would find it), an unknown column in ``keep_columns`` / ``drop_columns``,
    a target column of a multi-label target that is not 0/1, an infinite value, no feature
    left.
    """
    if Path(path).is_dir():
        raise InputError(f"{path} is a folder; give the CSV file in it.")
    if not Path(path).is_file():
        raise InputError(f"no such file: {path}")
    notes: list[str] = []
    na_values = tuple(na_values)
    try:
        frame, raw, header, separator = _read_frame(path, sep, na_values, notes)
    except OSError as exc:  # e.g. no permission to read it
        raise InputError(f"cannot read {path}: {exc.strerror or exc}.") from None
    reading = CsvReading(separator, na_values, notes=notes)
    _check_header(path, header)
    read_columns = list(frame.columns)
    targets = _target_columns(path, target, frame.columns, header, separator)
    shown = ", ".join(map(repr, targets))  # for the messages: 'label' or 'a', 'b', 'c'
    keep = _named_columns("--keep-columns", keep_columns, frame.columns, path)
    drop = _named_columns("--drop-columns", drop_columns, frame.columns, path)
    for name in drop:
        if name in targets:
            raise InputError(f"--drop-columns names the target column {name!r}; leave it out.")
        reading.dropped[name] = "--drop-columns"
    frame = frame.drop(columns=drop)
    if frame.shape[1] <= len(targets):
        raise InputError(f"{path} has no feature columns besides the target {shown}.")
    missing = frame[targets].isna().any(axis=1)
    if missing.any():
        notes.append(f"dropping {int(missing.sum())} rows with no {shown} value")
        frame = frame[~missing]
    if frame.empty:
        raise InputError(f"{path} has no rows with a {shown} value.")
    if separator == ";":  # before the identifiers: "1,5" text is unique per row, 1.5 is a number
        before = set(frame.select_dtypes("number").columns)
        frame = _numbers_from_decimal_commas(frame, targets, notes)
        numbers = frame.select_dtypes("number").columns
        reading.decimal_comma = [column for column in numbers if column not in before]
    kept = [column not in drop for column in read_columns]
    header = [name for name, keep_it in zip(header, kept, strict=False) if keep_it]
    frame, identifiers = _drop_identifiers(frame, header, {*targets, *keep}, notes)
    reading.dropped.update(dict.fromkeys(identifiers, "identifier"))
    reading.placeholders = _placeholders(frame, raw.loc[frame.index], na_values, notes)
    if len(targets) > 1:
        labels = _indicator_columns(frame[targets], frame.index, path)
        return _features(frame, targets, path, reading), labels, reading
    target = targets[0]
    labels = frame[target].to_numpy()
    if labels.dtype.kind == "f" and np.isinf(labels).any():
        row = int(frame.index[np.argmax(np.isinf(labels))])
        raise InputError(
            f"the target column {target!r} has an infinite value (data row {row + 1} of "
            f"{path}); every row needs a class label."
        )
    return _features(frame, [target], path, reading), _labels_as_written(labels), reading


def load_csv(path: str, target: str, **options):
    """``(X, y, notes)``: :func:`read_csv`, with the notes for the user (one line each)."""
    X, y, reading = read_csv(path, target, **options)
    return X, y, reading.notes


def _features(frame, targets: list, path: str, reading: CsvReading):
    """Every column but the target(s), with the empty ones left out (a note each) and
    checked."""
    features = frame.drop(columns=targets)
    for column in features.columns:
        if features[column].isna().all():
            reading.notes.append(f"left out column {column!r}: no values in any row")
            reading.dropped[column] = "no values"
            features = features.drop(columns=[column])
    if features.shape[1] == 0:
        raise InputError(
            f"{path} has no feature column with any value besides {', '.join(map(repr, targets))}."
        )
    rows = features.index  # positions in the file's data rows, kept through the drops
    check_finite_features(features, name=path, describe_row=lambda row: f"data row {rows[row] + 1}")
    _note_numbers_read_as_text(features, reading.notes)
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
