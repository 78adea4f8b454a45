"""The preprocessing that compare puts before every strategy's classifier (fitted per fold).

Numeric columns are imputed (median), scaled exactly by a power of two, then standardised;
other columns are imputed (most frequent) and one-hot encoded. The same pipeline is in the
estimator that ``--save`` writes, so a saved winner predicts raw rows of the CSV's columns.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin

__all__ = ["PowerOfTwoScaler", "preprocessor"]


class PowerOfTwoScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Divide every column by the power of two nearest its largest magnitude (exact).

    ``StandardScaler`` squares the values: above ~1e154 the variance overflows and the column
    becomes NaN; below ~1e-15 its spread is taken for zero and the column is left near 0.
    Scaling by a power of two first brings each column near 1 without rounding any value, so
    the standardisation that follows sees the same numbers at every scale.
    """

    def fit(self, X, y=None):
        magnitude = np.max(np.abs(np.asarray(X, dtype=float)), axis=0, initial=0.0)
        usable = np.isfinite(magnitude) & (magnitude > 0)
        self.exponent_ = np.frexp(np.where(usable, magnitude, 1.0))[1]
        return self

    def transform(self, X):
        return np.ldexp(np.asarray(X, dtype=float), -self.exponent_)


def preprocessor(X):
    """Standardise numeric columns and one-hot encode the others, fitted inside each fold."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    if not hasattr(X, "columns"):
        return make_pipeline(PowerOfTwoScaler(), StandardScaler())
    from skbalance.compare import categorical_columns

    other = categorical_columns(X)  # the smote preset keeps exactly these as categories
    numeric = [c for c in X.columns if c not in other]
    return ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    # keep_empty_features: a column with no value in a training fold becomes
                    # zeros, quietly, instead of a warning per fit and a narrower fold.
                    SimpleImputer(strategy="median", keep_empty_features=True),
                    PowerOfTwoScaler(),
                    StandardScaler(),
                ),
                numeric,
            ),
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
