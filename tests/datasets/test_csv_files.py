"""CSV and tab-separated files: a missing header is noticed, and every odd shape of file either
reads correctly or is refused naming the file and the row."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab import datasets

from bad_input import cases, check, write

HEADERLESS = "5.1,3.5,0\n4.9,3.0,1\n6.2,2.9,1\n"


def test_a_csv_without_a_header_row_is_refused_naming_the_file_and_the_option(tmp_path):
    path = write(tmp_path, "plain.csv", HEADERLESS)
    with pytest.raises(nl.DataError) as err:
        datasets.read_csv(path)
    message = str(err.value)
    assert path in message and "line 1" in message and "looks like data" in message
    assert "header=False" in message and "--no-header" in message and "\n" not in message


def test_load_refuses_a_headerless_csv_too(tmp_path):
    with pytest.raises(ValueError, match="header=False"):
        datasets.load(write(tmp_path, "plain.csv", HEADERLESS))


def test_header_false_reads_every_row_as_data_with_generated_names(tmp_path):
    data = datasets.load(write(tmp_path, "plain.csv", HEADERLESS), header=False)
    assert data.feature_names == ["x0", "x1"]
    assert data.target == "x2"
    np.testing.assert_array_equal(data.X, [[5.1, 3.5], [4.9, 3.0], [6.2, 2.9]])
    assert data.target_names == [0, 1] and data.y.tolist() == [0, 1, 1]


def test_header_false_takes_a_generated_target_name(tmp_path):
    data = datasets.read_csv(write(tmp_path, "plain.csv", HEADERLESS), header=False, target="x0", task="regression")
    assert data.feature_names == ["x1", "x2"]
    np.testing.assert_array_equal(data.y, [5.1, 4.9, 6.2])


def test_header_true_keeps_a_numeric_first_row_as_column_names(tmp_path):
    data = datasets.read_csv(write(tmp_path, "years.csv", "2020,2021,2022\n1.5,2.5,0\n3.5,4.5,1\n"), header=True)
    assert data.feature_names == ["2020", "2021"] and len(data) == 2


def test_a_numeric_header_over_text_labels_is_still_a_header(tmp_path):
    data = datasets.read_csv(write(tmp_path, "n.csv", "1,2,3\n0.5,0.25,cat\n0.5,0.75,dog\n"))
    assert data.feature_names == ["1", "2"] and data.target_names == ["cat", "dog"]


def test_a_usual_header_is_not_mistaken_for_data(tmp_path):
    data = datasets.read_csv(write(tmp_path, "h.csv", "a,b,y\n1,2,0\n3,4,1\n"))
    assert data.feature_names == ["a", "b"] and len(data) == 2


@pytest.mark.parametrize("name, content", [
    ("crlf.csv", b"a,b,y\r\n1,2,0\r\n3,4,1\r\n"),
    ("bom.csv", b"\xef\xbb\xbfa,b,y\n1,2,0\n3,4,1\n"),
    ("semicolon.csv", b"a;b;y\n1;2;0\n3;4;1\n"),
    ("quoted.csv", b'"a","b","y"\n"1","2","0"\n"3","4","1"\n'),
    ("trailing-blank.csv", b"a,b,y\n1,2,0\n3,4,1\n\n\n"),
    ("leading-blank.csv", b"\na,b,y\n1,2,0\n3,4,1\n"),
    ("tabs.tsv", b"a\tb\ty\n1\t2\t0\n3\t4\t1\n"),
    ("tabs-with-commas.tsv", b"a,1\tb,2\ty\n1\t2\t0\n3\t4\t1\n"),
    ("old-mac.csv", b"a,b,y\r1,2,0\r3,4,1\r"),
    ("spaces.csv", b" a , b , y \n 1 , 2 , 0 \n 3 , 4 , 1 \n"),
])
def test_common_csv_dialects_read_the_same_table(tmp_path, name, content):
    data = datasets.load(write(tmp_path, name, content))
    assert len(data.feature_names) == 2 and len(data) == 2
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4]])
    assert data.y.tolist() == [0, 1]


# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    ("duplicate-column-name", lambda t: datasets.read_csv(write(t, "d.csv", "a,a,y\n1,2,0\n3,4,1\n")),
     nl.DataError, ["d.csv", "line 1", "'a' appears twice", "columns 1 and 2"]),
    ("duplicate-after-a-blank-line", lambda t: datasets.read_csv(write(t, "d2.csv", "\n\na,b,a\n1,2,0\n")),
     nl.DataError, ["line 3", "'a' appears twice"]),
    ("empty-column-name", lambda t: datasets.read_csv(write(t, "e.csv", "a,,y\n1,2,0\n3,4,1\n")),
     nl.DataError, ["e.csv", "line 1", "column 2 of the header has no name"]),
    ("trailing-delimiter-in-header", lambda t: datasets.read_csv(write(t, "t.csv", "a,b,y,\n1,2,0\n")),
     nl.DataError, ["line 1", "column 4 of the header has no name"]),
    ("ragged-row", lambda t: datasets.read_csv(write(t, "r.csv", "a,b,y\n1,2,0\n3,4,1,9\n")),
     nl.DataError, ["r.csv", "line 3", "expected 3 values", "got 4"]),
    ("ragged-row-without-header", lambda t: datasets.read_csv(write(t, "r.csv", "1,2,0\n3,4\n"), header=False),
     nl.DataError, ["line 2", "expected 3 values", "as many as the first row", "got 2"]),
    ("empty-file", lambda t: datasets.load(write(t, "empty.csv", "")), nl.DataError, ["empty.csv", "is empty"]),
    ("blank-lines-only", lambda t: datasets.load(write(t, "blank.csv", "\n \n\r\n")), nl.DataError,
     ["blank.csv", "is empty"]),
    ("header-only", lambda t: datasets.load(write(t, "h.csv", "a,b,y\n")), nl.DataError,
     ["h.csv", "header (line 1) but no data rows"]),
    ("one-numeric-row", lambda t: datasets.load(write(t, "one.csv", "1,2,3\n")), nl.DataError,
     ["one.csv", "looks like data", "header=False"]),
    ("decimal-comma", lambda t: datasets.read_csv(write(t, "c.csv", "a;b;y\n1,5;2;0\n3;4;1\n")), nl.DataError,
     ["line 2", "column 'a'", "'1,5' is not a number", "decimal comma"]),
    ("not-utf8", lambda t: datasets.read_csv(write(t, "latin.csv", "a,b,y\n1,2,\xe9\n".encode("latin-1"))),
     nl.DataError, ["latin.csv", "not a UTF-8 text file"]),
    ("nul-byte", lambda t: datasets.read_csv(write(t, "nul.csv", b"a,b,y\n1,\x002,0\n")), nl.DataError,
     ["nul.csv", "line 2"]),
    ("header-not-a-flag", lambda t: datasets.read_csv(write(t, "h.csv", "a,y\n1,0\n"), header="no"),
     nl.ArgumentTypeError, ["header must be True, False or None", "'no'"]),
    ("header-for-a-generated-set", lambda t: datasets.load("moons", header=False), nl.HyperparameterError,
     ["header= applies to CSV files only", "moons"]),
    ("header-for-an-idx-pair", lambda t: datasets.load("a.idx,b.idx", header=False), nl.HyperparameterError,
     ["header= applies to CSV files only"]),
]


@cases(CASES)
def test_a_malformed_csv_is_refused_naming_the_row_and_the_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
