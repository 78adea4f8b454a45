"""``compare data.csv --save FILE`` writes a model that predicts raw rows of the file: the CSV
reading's guesses (identifier columns left out, placeholders read as missing values) travel
with it (issue 15, item 3). Fast: a scikit-learn classifier stands in for the winner."""

import pickle
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skbalance._cli import _saved_model
from skbalance._cli_data import read_csv
from skbalance._errors import InputError
from skbalance._preprocess import preprocessor
from skbalance._saved import CsvModel


@pytest.fixture
def customers(tmp_path):
    rng = np.random.RandomState(0)
    n = 60
    price = rng.normal(300, 50, n).round(1).astype(object)
    price[[3, 17, 40]] = "?"  # placeholders a spreadsheet export leaves
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],  # an identifier: left out
            "price": price,
            "city": rng.choice(["Lyon", "Paris", "Nantes"], n),
            "label": np.where(np.arange(n) < 15, "buy", "skip"),
        }
    )
    path = tmp_path / "customers.csv"
    frame.to_csv(path, index=False)
    return path


def fitted_model(path):
    X, y, reading = read_csv(str(path), "label")
    assert list(X.columns) == ["price", "city"] and X["price"].isna().sum() == 3
    estimator = make_pipeline(preprocessor(X), LogisticRegression()).fit(X, y)
    return _saved_model(SimpleNamespace(best_estimator_=estimator), X, reading), estimator, X


def test_saved_model_predicts_raw_rows_as_compare_read_them(customers):
    model, estimator, X = fitted_model(customers)
    assert isinstance(model, CsvModel) and list(model.classes_) == ["buy", "skip"]
    expected = estimator.predict(X)
    raw = pd.read_csv(customers)  # pandas' own reading: '?' stays text, id and label kept
    assert raw["price"].dtype.kind not in "biuf" and "customer_id" in raw.columns
    np.testing.assert_array_equal(model.predict(raw), expected)
    np.testing.assert_allclose(model.predict_proba(raw), estimator.predict_proba(X))
    np.testing.assert_array_equal(model.predict_csv(customers), expected)
    # Columns in another order, the target left out: the same rows.
    shuffled = raw[["city", "price", "customer_id"]]
    np.testing.assert_array_equal(model.predict(shuffled), expected)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(raw), expected)


def test_saved_model_says_what_is_wrong_with_new_rows(customers):
    model, _, _ = fitted_model(customers)
    raw = pd.read_csv(customers)
    with pytest.raises(InputError, match=r"lack the feature column\(s\) 'city'"):
        model.predict(raw.drop(columns="city"))
    bad = raw.copy()
    bad.loc[5, "price"] = "cheap"
    with pytest.raises(InputError, match=r"column 'price' holds 'cheap' \(row 5\), which is "):
        model.predict(bad)
    with pytest.raises(InputError, match="must be a pandas DataFrame"):
        model.predict(raw.to_numpy())


def test_bundled_data_saves_the_estimator_itself():
    estimator = LogisticRegression()
    result = SimpleNamespace(best_estimator_=estimator)
    assert _saved_model(result, np.zeros((3, 2)), None) is estimator
