"""check_array refuses values beyond the target dtype's range before casting, with no warning."""
import decimal
import warnings

import numpy as np
import pytest

from neuronlab.errors import DataError
from neuronlab._util.validate import check_array


def test_a_float64_value_beyond_float32_is_named_with_its_row_and_column_and_no_warning():
    X = np.zeros((4, 3))
    X[3, 2] = 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match=r"value 1e\+300 at row 3, column 2 is beyond float32's range"
                                            r".*dtype='float64'"):
            check_array(X)


def test_the_same_value_is_accepted_when_float64_is_asked_for():
    assert check_array([[1e300]], dtype=np.float64)[0, 0] == 1e300


def test_values_at_the_edge_of_float32_are_kept():
    assert np.isfinite(check_array([[3.4e38, -3.4e38]])).all()


def test_an_integer_too_large_for_float64_is_refused_as_beyond_its_range():
    with pytest.raises(DataError, match="beyond float64's range"):
        check_array(np.array([[10**400]], dtype=object))


def test_decimal_values_are_read_as_numbers_and_range_checked():
    ok = check_array(np.array([[decimal.Decimal("1.5")]], dtype=object))
    assert ok[0, 0] == 1.5
    with pytest.raises(DataError, match=r"value 1e\+300 at row 0, column 0 is beyond float32's range"):
        check_array(np.array([[decimal.Decimal("1e300")]], dtype=object))


def test_a_decimal_beyond_float64_is_refused_not_turned_into_inf():
    with pytest.raises(DataError, match="beyond float64's range"):
        check_array(np.array([[decimal.Decimal("1e400")]], dtype=object), dtype=np.float64)


def test_inf_itself_is_still_reported_as_non_finite():
    with pytest.raises(DataError, match="contains inf"):
        check_array([[np.inf]])


def test_a_huge_python_int_in_a_table_of_objects_is_named_by_its_row_and_column():
    X = np.array([[1, 2, 3], [4, 5, 10**400]], dtype=object)
    with pytest.raises(DataError, match=r"at row 1, column 2 is beyond float64's range"):
        check_array(X, "X", ndim=2)
