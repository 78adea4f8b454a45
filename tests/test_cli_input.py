"""Reading the user's CSV says what it guessed (issue 15, item 7): identifier columns left
out, placeholders read as missing numbers, the separator sniffed; each guess one note line
per column, and options to decide instead (--keep-columns, --drop-columns, --na-values,
--sep). No training: the CLI tests stop the run right after the data is read."""

import numpy as np
import pandas as pd
import pytest

from skbalance._cli_data import DEFAULT_NA_VALUES, load_csv, read_csv
from skbalance._errors import InputError


def write(tmp_path, frame_or_text, name="data.csv", **to_csv):
    path = tmp_path / name
    if isinstance(frame_or_text, str):
        path.write_text(frame_or_text, encoding="utf-8")
    else:
        frame_or_text.to_csv(path, index=False, **to_csv)
    return str(path)


def customers(n=30):
    rng = np.random.RandomState(0)
    return pd.DataFrame(
        {
            "customer_id": rng.permutation(n) + 1000,  # ints, unique: a name and a count
            "email": [f"user{i}@example.org" for i in range(n)],  # text, unique per row
            "customerId": rng.randint(0, 3, n),  # camelCase id name, not unique
            "paid": rng.uniform(10, 20, n).round(2),  # 'paid' ends in 'id' but is not one
            "score": rng.normal(size=n),  # floats are unique by nature: kept
            "city": rng.choice(["Lyon", "Paris"], n),
            "label": ["yes"] * 10 + ["no"] * (n - 10),
        }
    )


def test_identifier_columns_are_left_out_with_one_note_each(tmp_path):
    """Class: a customer-ID column with a unique value per row was one-hot encoded (every
    row a category of its own), without a word."""
    X, y, notes = load_csv(write(tmp_path, customers()), "label")
    assert X.columns.tolist() == ["paid", "score", "city"]
    assert notes == [
        "left out column 'customer_id': its name says it is an identifier; --keep-columns "
        "'customer_id' keeps it",
        "left out column 'email': a different value in every row: an identifier, not a "
        "feature; --keep-columns 'email' keeps it",
        "left out column 'customerId': its name says it is an identifier; --keep-columns "
        "'customerId' keeps it",
    ]
    X, _, notes = load_csv(
        write(tmp_path, customers()), "label", keep_columns=["email", "customerId"],
        drop_columns=["city"],
    )  # fmt: skip
    assert X.columns.tolist() == ["email", "customerId", "paid", "score"]
    assert len(notes) == 1 and "customer_id" in notes[0]


@pytest.mark.parametrize(
    "option, names, message",
    [
        ("keep_columns", ["emial"], r"--keep-columns: no column 'emial' in .*\(did you mean "
         r"'email'\?\); the columns are customer_id, email"),
        ("drop_columns", ["City"], r"--drop-columns: no column 'City' .*\(did you mean 'city'"),
        ("drop_columns", ["label"], r"--drop-columns names the target column 'label'"),
    ],
)  # fmt: skip
def test_unknown_columns_in_keep_or_drop_are_named(tmp_path, option, names, message):
    with pytest.raises(InputError, match=message):
        load_csv(write(tmp_path, customers()), "label", **{option: names})


def test_placeholders_in_numbers_are_missing_values_with_a_note(tmp_path):
    """Class: a numeric column with '?' placeholders became a string column (one-hot encoded
    categories) without a word; 'NA' was silently missing."""
    age = ["31", "?", "45", "NA", "-", "", "52", "?"] * 3
    region = ["NA", "EU", "?", "EU"] * 6
    frame = pd.DataFrame(
        {"age": age, "region": region, "x": np.arange(24) + 0.5, "label": ["a", "b"] * 12}
    )
    path = write(tmp_path, frame)
    X, _, notes = load_csv(path, "label")
    assert X["age"].dtype == np.float64
    expected = [31, np.nan, 45, np.nan, np.nan, np.nan, 52, np.nan] * 3
    np.testing.assert_array_equal(X["age"].to_numpy(), expected)
    assert X["region"].isna().sum() == 12
    assert notes == [
        "column 'age': read as numbers; 6 '?', 3 'NA', 3 '-' and 3 empty cells read as "
        "missing values (--na-values sets which text means missing)",
        "column 'region': 6 'NA', 6 '?' cells read as missing values (--na-values sets "
        "which text means missing)",
    ]
    # --na-values sets the list: here '?' only, so 'NA' is a region and '-' is text in 'age'
    X, _, notes = load_csv(path, "label", na_values=["?"])
    assert X["age"].dtype.kind == "O" and X["region"].isna().sum() == 6
    assert "'NA'" in X["region"].map(repr).str.cat()
    assert any("column 'age' is mostly numbers but is read as categories" in n for n in notes)
    assert "?" in DEFAULT_NA_VALUES and "-" in DEFAULT_NA_VALUES


def test_the_separator_is_sniffed_from_the_lines(tmp_path):
    """Class: a ';' file whose header had a comma in a name read with ',' (one column), and a
    '|' file sniffed from its lines."""
    text = '"price, eur";rooms;label\n1,5;3;a\n2,25;4;b\n3;2;a\n4,5;1;b\n'
    X, y, notes = load_csv(write(tmp_path, text), "label")
    assert X.columns.tolist() == ["price, eur", "rooms"]
    np.testing.assert_array_equal(X["price, eur"].to_numpy(), [1.5, 2.25, 3.0, 4.5])
    assert notes[0].endswith("with ';' as the column separator (guessed from its lines; --sep "
                             "sets it)")  # fmt: skip
    piped = "x|z|label\n1.5|a,b|a\n2.5|c|b\n3.5|d,e|a\n"
    X, _, notes = load_csv(write(tmp_path, piped, "p.csv"), "label")
    assert X.columns.tolist() == ["x", "z"] and "'|' as the column separator" in notes[0]
    X, _, notes = load_csv(write(tmp_path, piped, "p.csv"), "label", sep="|")
    assert X.columns.tolist() == ["x", "z"] and notes == []  # given, not guessed: no note


def test_a_wrong_separator_names_itself_and_the_one_to_use(tmp_path):
    """Class: a semicolon-separated file only got "no column 'status'"."""
    path = write(tmp_path, "a;b;status\n1;2;x\n3;4;y\n")
    with pytest.raises(
        InputError,
        match=r"no column 'status' in .*data\.csv read with ',' as the column separator \(its "
        r"header then has 1 column\); it uses ';': run again with --sep ';'\.$",
    ):
        load_csv(path, "status", sep=",")
    tabbed = write(tmp_path, "a\tb\tstatus\n1\t2\tx\n3\t4\ty\n", "t.csv")
    with pytest.raises(InputError, match=r"it uses a tab: run again with --sep tab\.$"):
        load_csv(tabbed, "status", sep=";")


def test_the_decisions_read_new_rows_the_same_way(tmp_path):
    """The one reading function returns its decisions: new rows read with its options and
    prepared come out with the same columns and types as the features."""
    frame = customers()
    frame["age"] = ["40", "?"] * 15
    path = write(tmp_path, frame, sep=";", decimal=",")
    X, _, reading = read_csv(path, "label")
    assert reading.separator == ";" and reading.decimal_comma == ["paid", "score"]
    assert reading.dropped == dict.fromkeys(["customer_id", "email", "customerId"], "identifier")
    assert reading.placeholders == {"age": {"?": 15}}
    new = pd.read_csv(path, **reading.read_options()).drop(columns="label")
    prepared = reading.prepare(new)
    pd.testing.assert_frame_equal(prepared, X)


def stop_after_reading(monkeypatch):
    """Interrupt the command right after the data is read: no training, no Keras."""
    import skbalance.compare

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(skbalance.compare, "check_comparison_data", interrupt)


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_the_command_prints_every_guess_once_before_training(tmp_path, monkeypatch, capfd, quiet):
    from skbalance._cli import main

    stop_after_reading(monkeypatch)
    frame = customers()
    frame["age"] = ["40", "?"] * 15
    path = write(tmp_path, frame, sep="|")
    status = main(["compare", path, "--target", "label", "--keep-columns", "email", *quiet])
    out, err = capfd.readouterr()
    assert status == 130 and out == ""
    assert err.splitlines() == [
        f"note: read {path} with '|' as the column separator (guessed from its lines; --sep "
        "sets it)",
        "note: left out column 'customer_id': its name says it is an identifier; "
        "--keep-columns 'customer_id' keeps it",
        "note: left out column 'customerId': its name says it is an identifier; "
        "--keep-columns 'customerId' keeps it",
        "note: column 'age': read as numbers; 15 '?' cells read as missing values "
        "(--na-values sets which text means missing)",
        "python -m skbalance compare: interrupted",
    ]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--keep-columns", "emial"], r"--keep-columns: no column 'emial' .*did you mean"),
        (["--sep", ","], r"read with ',' as the column separator .* --sep '\|'"),
    ],
)
def test_the_command_reports_reading_errors_in_one_line(tmp_path, capfd, extra, message):
    from skbalance._cli import main

    path = write(tmp_path, customers(), sep="|")
    status = main(["compare", path, "--target", "label", *extra])
    out, err = capfd.readouterr()
    assert status == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("python -m skbalance compare: error: ")
    import re

    assert re.search(message, err), err
