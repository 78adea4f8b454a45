"""What ``python -m skbalance compare data.csv --save FILE`` writes: the winner, ready for raw rows.

The recommended strategy is refit on every row, preprocessing included, but the CSV was read
with guesses (identifier columns left out, placeholders such as ``?`` read as missing values,
decimal commas, the separator). New rows must meet the same guesses, or a ``?`` in a numeric
column reaches the scaler as text. :class:`CsvModel` keeps the fitted estimator together with
those decisions, so that rows read the way a user naturally reads them (``pd.read_csv(path)``,
target and identifier columns included) or the file itself give the same predictions as the
rows the comparison saw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skbalance._errors import InputError

__all__ = ["CsvModel"]


class CsvModel:
    """A fitted classifier that predicts raw CSV rows as ``compare`` read them.

    Parameters
    ----------
    estimator : fitted classifier
        The recommended strategy refit on all rows (a Pipeline with the preprocessing).
    reading : CsvReading
        The decisions :func:`skbalance._cli_data.read_csv` made about the file.
    feature_columns : list of str
        The feature columns the estimator was fitted on, in order.
    numeric_columns : list of str
        The feature columns read as numbers: text cells there must be placeholders.

    Attributes
    ----------
    classes_ : ndarray
        The fitted estimator's classes.
    """

    def __init__(self, estimator, reading, feature_columns, numeric_columns):
        self.estimator = estimator
        self.reading = reading
        self.feature_columns = list(feature_columns)
        self.numeric_columns = list(numeric_columns)

    @property
    def classes_(self) -> np.ndarray:
        return self.estimator.classes_

    def rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame``'s feature columns as the comparison read them: left-out columns (the
        target, identifiers) dropped, placeholders as missing values, numbers as numbers."""
        if not isinstance(frame, pd.DataFrame):
            raise InputError(
                f"rows must be a pandas DataFrame with the CSV's columns; got "
                f"{type(frame).__name__}. Read them with pd.read_csv, or use predict_csv(path)."
            )
        missing = [column for column in self.feature_columns if column not in frame.columns]
        if missing:
            raise InputError(
                f"the rows lack the feature column(s) {', '.join(map(repr, missing))} the model "
                "was trained on."
            )
        frame = self.reading.prepare(frame)[self.feature_columns]
        placeholders = ["", *self.reading.na_values]
        for column in self.numeric_columns:
            values = frame[column]
            if values.dtype.kind in "biuf":
                continue
            text = values.astype("string").str.strip()
            numbers = pd.to_numeric(text.mask(text.isin(placeholders)), errors="coerce")
            bad = numbers.isna() & values.notna() & ~text.isin(placeholders)
            if bad.any():
                row = bad.to_numpy().nonzero()[0][0]
                known = ", ".join(map(repr, placeholders))
                raise InputError(
                    f"column {column!r} holds {values.iloc[row]!r} (row {row}), which is neither "
                    f"a number nor a missing-value placeholder ({known})."
                )
            frame = frame.assign(**{column: numbers.astype(float)})
        return frame

    def read_csv(self, path) -> pd.DataFrame:
        """The feature rows of a CSV file, read as the comparison read its file."""
        return self.rows(pd.read_csv(path, **self.reading.read_options()))

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        """Predicted labels of raw rows (a DataFrame with the CSV's columns)."""
        return self.estimator.predict(self.rows(rows))

    def predict_proba(self, rows: pd.DataFrame) -> np.ndarray:
        """Class probabilities of raw rows, columns in :attr:`classes_` order."""
        return self.estimator.predict_proba(self.rows(rows))

    def predict_csv(self, path) -> np.ndarray:
        """Predicted labels of every row of a CSV file (its target column, if any, ignored)."""
        return self.estimator.predict(self.read_csv(path))

    def __repr__(self) -> str:
        return f"CsvModel({self.estimator!r}, {len(self.feature_columns)} feature columns)"
