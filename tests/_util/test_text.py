"""Text for people: short numbers, one table printer, errors on one line."""
import errno

import pytest

from neuronlab._util.text import format_number, one_line, table
from neuronlab.errors import DataError


# -- format_number ---------------------------------------------------------------------------

def test_numbers_are_short_and_exact_zero_is_zero():
    assert format_number(0.1 + 0.37) == "0.47"
    assert format_number(0.0) == "0"
    assert format_number(-0.0) == "0"
    assert format_number(2) == "2"
    assert format_number(1 / 3) == "0.3333"
    assert format_number(1234567.0) == "1.235e+06"


# -- table -----------------------------------------------------------------------------------

def test_columns_are_padded_to_their_widest_cell_and_two_blanks_apart():
    text = table([["a", "bbb"], ["cccc", "d"]])
    assert text.split("\n") == ["a     bbb", "cccc  d"]


def test_right_aligned_columns_for_numbers():
    text = table([["x", 1], ["yy", 100]], header=["name", "n"], align="lr")
    assert text.split("\n") == ["name    n", "x       1", "yy    100"]


def test_a_rule_under_the_header_as_wide_as_each_column():
    text = table([["relu", "0.5"]], header=["activation", "value"], rule=True)
    assert text.split("\n") == ["activation  value", "----------  -----", "relu        0.5"]


def test_a_closing_rule_and_unstripped_lines_keep_the_padding():
    text = table([["a", "b"], ["cc", "d"]], header=["h1", "h2"], rule=True, closing_rule=True, strip=False)
    assert text.split("\n") == ["h1  h2", "--  --", "a   b ", "cc  d ", "--  --"]


def test_trailing_blanks_are_stripped_by_default():
    text = table([["a", ""], ["bbb", "c"]])
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert text.split("\n")[0] == "a"


def test_cells_are_turned_into_text_and_a_separator_can_be_chosen():
    assert table([[1, 2.5, None]], sep=" | ") == "1 | 2.5 | None"


def test_rows_of_unequal_length_are_padded_by_the_columns_they_have():
    assert table([["a", "b", "c"], ["dd"]]).split("\n") == ["a   b  c", "dd"]


# -- one_line --------------------------------------------------------------------------------

def test_whitespace_runs_become_one_blank():
    assert one_line(ValueError("first line\n    second\tline  ")) == "first line second line"


def test_an_os_error_says_what_and_which_file():
    err = FileNotFoundError(errno.ENOENT, "No such file or directory", "data.csv")
    assert one_line(err) == "No such file or directory: data.csv"
    assert one_line(PermissionError(errno.EACCES, "Permission denied")) == "Permission denied"


def test_a_key_error_reads_without_quotes_and_an_empty_error_by_its_class():
    assert one_line(KeyError("no such column 'age'")) == "no such column 'age'"
    assert one_line(RuntimeError()) == "RuntimeError"


def test_neuronlab_errors_keep_their_own_message():
    assert one_line(DataError("bad\nrow 3")) == "bad row 3"


def test_with_type_names_the_class_once():
    assert one_line(ValueError("bad value"), with_type=True) == "ValueError: bad value"
    assert one_line(ValueError("ValueError: bad value"), with_type=True) == "ValueError: bad value"
    assert one_line(ZeroDivisionError(), with_type=True) == "ZeroDivisionError"
    assert one_line(ValueError("   "), with_type=True) == "ValueError"


@pytest.mark.parametrize("err", [ValueError("a\nb"), OSError(5, "I/O error", "f"), KeyError("k")])
def test_never_more_than_one_line(err):
    assert "\n" not in one_line(err) and "\n" not in one_line(err, with_type=True)
