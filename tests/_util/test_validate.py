"""The validation layer: each check accepts what it should, returns it in a plain Python
type, and refuses the rest with the right error class and a message that names the
argument and the value."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab._util.validate import (check_array, check_classes, check_finite, check_flag, check_fraction,
                                      check_index, check_int, check_labels_length, check_nonnegative,
                                      check_number, check_positive, check_positive_int, resolve_dtype)


# -- check_number and its spellings ----------------------------------------------------------

@pytest.mark.parametrize("value", [0.5, 3, np.float32(0.25), np.int64(7), -2.0])
def test_check_number_accepts_finite_reals_and_returns_a_float(value):
    got = check_number("x", value)
    assert type(got) is float and got == float(value)


@pytest.mark.parametrize("value, words", [
    ("0.1", ["rate must be a number", "'0.1'"]),
    (True, ["rate must be a number", "True"]),
    (None, ["rate must be a number", "None"]),
    (float("nan"), ["rate must be finite", "nan"]),
    (float("-inf"), ["rate must be finite", "-inf"]),
])
def test_check_number_refuses_non_numbers_and_non_finite_values(value, words):
    with pytest.raises(nl.HyperparameterError) as info:
        check_number("rate", value)
    assert all(w in str(info.value) for w in words)


@pytest.mark.parametrize("kwargs, good, bad, text", [
    ({"positive": True}, 1e-9, 0.0, "must be > 0"),
    ({"minimum": 0}, 0.0, -0.1, "must be >= 0"),
    ({"maximum": 5}, 5.0, 5.5, "must be <= 5"),
    ({"minimum": 10, "maximum": 1000}, 10, 1001, "must be in [10, 1000]"),
])
def test_check_number_bounds(kwargs, good, bad, text):
    assert check_number("dpi", good, **kwargs) == good
    with pytest.raises(nl.HyperparameterError) as info:
        check_number("dpi", bad, **kwargs)
    assert str(info.value) == f"dpi {text}, got {bad!r}"


def test_check_number_raises_the_class_it_is_given():
    with pytest.raises(nl.DataError, match="bias must be finite"):
        check_number("bias", float("inf"), error=nl.DataError)


def test_the_number_spellings_keep_their_messages():
    assert check_finite("x", -3) == -3.0
    assert check_positive("x", 2) == 2.0 and check_nonnegative("x", 0) == 0.0
    with pytest.raises(nl.HyperparameterError, match=r"^learning_rate must be > 0, got -0.1$"):
        check_positive("learning_rate", -0.1)
    with pytest.raises(nl.HyperparameterError, match=r"^l2 must be >= 0, got -1$"):
        check_nonnegative("l2", -1)


@pytest.mark.parametrize("kwargs, good, bad, interval", [
    ({}, 0.0, 1.0, "[0, 1)"),
    ({"high_inclusive": True}, 1.0, 1.5, "[0, 1]"),
    ({"low_inclusive": False, "high_inclusive": True}, 1.0, 0.0, "(0, 1]"),
    ({"low_inclusive": False}, 0.5, 0.0, "(0, 1)"),
])
def test_check_fraction_intervals(kwargs, good, bad, interval):
    assert check_fraction("gamma", good, **kwargs) == good
    with pytest.raises(nl.HyperparameterError) as info:
        check_fraction("gamma", bad, **kwargs)
    assert str(info.value) == f"gamma must be in {interval}, got {bad!r}"


# -- check_int ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [0, 5, np.int32(3), np.int64(-2)])
def test_check_int_accepts_python_and_numpy_integers_and_returns_an_int(value):
    got = check_int("n", value)
    assert type(got) is int and got == int(value)


@pytest.mark.parametrize("value", [2.5, 3.0, True, "3", None, np.float64(2.0)])
def test_check_int_refuses_everything_else(value):
    with pytest.raises(nl.HyperparameterError) as info:
        check_int("epochs", value, minimum=1)
    assert str(info.value) == f"epochs must be an integer >= 1, got {value!r}"


@pytest.mark.parametrize("kwargs, good, bad, bounds", [
    ({"minimum": 1}, 1, 0, " >= 1"),
    ({"maximum": 9}, -100, 10, " <= 9"),
    ({"minimum": 2, "maximum": 1000}, 1000, 1, " in [2, 1000]"),
    ({}, -(10 ** 20), 0.5, ""),
])
def test_check_int_bounds(kwargs, good, bad, bounds):
    assert check_int("bins", good, **kwargs) == good
    with pytest.raises(nl.HyperparameterError) as info:
        check_int("bins", bad, **kwargs)
    assert str(info.value) == f"bins must be an integer{bounds}, got {bad!r}"


def test_check_int_raises_the_class_it_is_given():
    with pytest.raises(nl.ModelFileError, match="step must be an integer >= 0"):
        check_int("step", -1, minimum=0, error=nl.ModelFileError)


def test_check_positive_int_is_check_int_from_one():
    assert check_positive_int("n_in", 4) == 4
    with pytest.raises(nl.HyperparameterError, match="n_in must be an integer >= 1, got 0"):
        check_positive_int("n_in", 0)
    assert check_positive_int("retries", 0, minimum=0) == 0


# -- check_flag -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [True, False, np.True_, np.False_])
def test_check_flag_accepts_bools_and_returns_a_bool(value):
    got = check_flag("nesterov", value)
    assert type(got) is bool and got == bool(value)


@pytest.mark.parametrize("value", [1, 0, "yes", None, 1.0])
def test_check_flag_refuses_look_alikes(value):
    with pytest.raises(nl.HyperparameterError) as info:
        check_flag("nesterov", value)
    assert str(info.value) == f"nesterov must be True or False, got {value!r}"


def test_check_flag_can_allow_none():
    assert check_flag("use_numba", None, allow_none=True) is None
    with pytest.raises(nl.HyperparameterError, match="use_numba must be True, False or None, got 'auto'"):
        check_flag("use_numba", "auto", allow_none=True)


# -- check_index ----------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [(0, 0), (3, 3), (-1, 3), (-4, 0), (np.int64(2), 2)])
def test_check_index_returns_a_nonnegative_position(value, expected):
    got = check_index("neuron", value, 4)
    assert type(got) is int and got == expected


@pytest.mark.parametrize("value", [4, -5, 100])
def test_check_index_out_of_range_is_an_index_range_error(value):
    with pytest.raises(nl.IndexRangeError) as info:
        check_index("neuron", value, 4, context="layer 1 has 4 neurons")
    assert str(info.value) == (f"neuron {value} does not exist: layer 1 has 4 neurons, "
                               "valid neuron indices are 0..3 (or -4..-1)")
    assert isinstance(info.value, IndexError)


def test_check_index_can_refuse_negative_positions():
    with pytest.raises(nl.IndexRangeError, match=r"^layer -1 does not exist: valid layer indices are 0..2$"):
        check_index("layer", -1, 3, negative=False)


@pytest.mark.parametrize("value", [1.0, "0", True, None])
def test_check_index_of_the_wrong_type_is_an_argument_type_error(value):
    with pytest.raises(nl.ArgumentTypeError) as info:
        check_index("layer", value, 3)
    assert str(info.value).startswith("layer must be an integer index in 0..2")
    assert isinstance(info.value, TypeError)


# -- dtypes, arrays and labels ---------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", np.float32, np.dtype(np.float64)])
def test_resolve_dtype_accepts_the_two_float_dtypes(dtype):
    assert resolve_dtype(dtype) == np.dtype(dtype)


@pytest.mark.parametrize("dtype", ["float16", "int64", "nonsense", None])
def test_resolve_dtype_refuses_others(dtype):
    with pytest.raises(nl.HyperparameterError, match="dtype must be 'float32' or 'float64'"):
        resolve_dtype(dtype)


def test_check_array_converts_and_names_the_problem():
    got = check_array([[1, 2], [3, 4]], "X")
    assert got.dtype == np.float32 and got.flags.c_contiguous
    with pytest.raises(nl.ShapeError, match="inputs must be 2-D"):
        check_array([1.0, 2.0], "inputs")
    with pytest.raises(nl.ShapeError, match="3 features per sample but 2 were expected"):
        check_array(np.zeros((1, 3)), "X", n_features=2)
    with pytest.raises(nl.DataError, match="X contains nan at row 1, column 0"):
        check_array([[0.0], [np.nan]], "X")
    with pytest.raises(nl.DataError, match="X is empty"):
        check_array(np.zeros((0, 2)), "X")


def test_labels_must_match_the_samples():
    check_labels_length(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(nl.DataError, match="X has 3 samples but y has 2"):
        check_labels_length(np.zeros((3, 2)), np.zeros(2))


def test_a_classifier_needs_two_classes():
    check_classes(np.array([0, 1, 0]))
    with pytest.raises(nl.DataError, match=r"y holds a single class \(1 for all 3 samples\)"):
        check_classes(np.array([1, 1, 1]))


def test_an_integer_past_the_range_of_a_float_is_refused_as_not_finite():
    with pytest.raises(nl.HyperparameterError, match="learning_rate must be finite"):
        check_number("learning_rate", 10 ** 400, positive=True)
    assert check_number("epochs", 10 ** 300) == 1e300       # a large one that fits is kept
