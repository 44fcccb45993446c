"""The one validation layer every public entry uses: arrays, numbers, integers, flags, indices, dtypes."""
from __future__ import annotations

import decimal
import math
import numbers
from typing import Any, Literal, overload

import numpy as np

from ..errors import ArgumentTypeError, DataError, HyperparameterError, IndexRangeError, NeuronLabError, ShapeError


def resolve_dtype(dtype: Any) -> np.dtype:
    """``"float32"`` (the default) or ``"float64"``; anything else is an error."""
    try:
        dt = None if dtype is None else np.dtype(dtype)  # np.dtype(None) would be float64
    except TypeError:
        dt = None
    if dt is None or dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise HyperparameterError(
            f"dtype must be 'float32' or 'float64', got {dtype!r}"
        )
    return dt


def check_array(
    X: Any,
    name: str = "X",
    *,
    ndim: int | tuple[int, ...] = 2,
    n_features: int | None = None,
    dtype: Any = np.float32,
    allow_empty: bool = False,
    vector_index: str = "row",
) -> np.ndarray:
    """Return ``X`` as a C-contiguous float array, or raise an error that names the problem.

    Integers, booleans, lists and non-contiguous arrays are accepted and converted.

    Parameters
    ----------
    X : array-like
    name : str
        What to call the array in messages (``"X"``, ``"inputs"``, ...).
    ndim : int or tuple of int
        Allowed numbers of dimensions.
    n_features : int, optional
        Required size of the last axis (for 2-D data: columns).
    dtype : numpy dtype
        Float dtype of the result.
    allow_empty : bool
        Whether zero rows are acceptable.
    vector_index : str
        What the index of a 1-D array is called in messages: ``"row"`` (one value per
        sample, e.g. labels), ``"column"`` (one input vector: its features) or
        ``"position"`` (weights).

    Raises
    ------
    DataError
        Non-numeric values, NaN or inf (with row and column), empty data.
    ShapeError
        Wrong number of dimensions or wrong number of features (expected vs got).
    """
    if X is None:
        raise DataError(f"{name} is None; pass an array of numbers")
    if isinstance(X, np.ndarray) and X.dtype.kind in "fiub":
        arr = X
    else:
        try:
            arr = np.asarray(X)
        except (ValueError, TypeError) as err:
            raise DataError(
                f"{name} could not be read as an array of numbers ({err}); "
                "make every row the same length and every value a number"
            ) from None
    if arr.dtype == object:
        arr = _numbers_as_float(arr, name, vector_index)
    if arr.dtype.kind not in "fiub":
        bad = _first_non_numeric(arr, vector_index)
        raise DataError(
            f"{name} must hold numbers, got dtype {arr.dtype}{bad}; "
            "convert or encode non-numeric columns first"
        )
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if arr.ndim not in allowed:
        want = " or ".join(f"{d}-D" for d in allowed)
        hint = ""
        if arr.ndim == 1 and 2 in allowed:
            hint = " (one sample? use X.reshape(1, -1); one feature? use X.reshape(-1, 1))"
        raise ShapeError(f"{name} must be {want}, got a {arr.ndim}-D array of shape {arr.shape}{hint}")
    if arr.size == 0 and not allow_empty and (arr.ndim == 0 or arr.shape[0] == 0):
        raise DataError(f"{name} is empty (shape {arr.shape}); pass at least one sample")
    if n_features is not None and arr.ndim >= 1 and arr.shape[-1] != n_features:
        raise ShapeError(
            f"{name} has {arr.shape[-1]} features per sample but {n_features} were expected "
            f"(shape {arr.shape}); the network's first layer takes {n_features} inputs"
        )
    _check_fits(arr, name, np.dtype(dtype), vector_index)
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            where = np.argwhere(~finite)[0]
            value = arr[tuple(where)]
            place = _describe_index(where, arr.ndim, vector_index)
            raise DataError(
                f"{name} contains {value} at {place}; remove or impute non-finite values before training"
            )
    return arr


def _numbers_as_float(arr: np.ndarray, name: str, vector_index: str) -> np.ndarray:
    """An object array whose every element is a real number (int, Decimal, Fraction, ...)
    as float64; any other object array is returned as it is (to be reported as non-numeric).

    A number beyond float64's range raises :class:`DataError` naming it and its place.
    """
    flat = arr.reshape(-1)
    if not all(isinstance(v, (numbers.Real, decimal.Decimal)) for v in flat):
        return arr
    out = np.empty(flat.shape, dtype=np.float64)
    for i, v in enumerate(flat):
        try:
            out[i] = float(v)
            ok = math.isfinite(out[i]) or not _is_finite_number(v)
        except OverflowError:
            ok = False
        if not ok:
            where = np.array(np.unravel_index(i, arr.shape) if arr.ndim else (0,))
            place = _describe_index(where, max(arr.ndim, 1), vector_index)
            shown = str(v) if len(str(v)) <= 24 else f"{str(v)[:8]}...({len(str(v))} digits)"
            raise DataError(
                f"{name}: value {shown} at {place} is beyond float64's range (±1.8e+308); scale the data"
            )
    return out.reshape(arr.shape)


def _is_finite_number(v: Any) -> bool:
    try:
        return not (v != v or v in (float("inf"), float("-inf")))
    except TypeError:  # pragma: no cover - exotic number types
        return True


def _check_fits(arr: np.ndarray, name: str, target: np.dtype, vector_index: str) -> None:
    """Raise :class:`DataError` if a finite value of ``arr`` is beyond ``target``'s finite range.

    Checked before casting, so no overflow warning is raised and no value silently turns
    into inf.  Integers are measured exactly (as Python ints), not through float64.
    """
    if target.kind != "f" or arr.size == 0 or arr.dtype.kind == "b":
        return
    limit = float(np.finfo(target).max)
    if arr.dtype.kind == "f":
        if float(np.finfo(arr.dtype).max) <= limit:
            return
        with np.errstate(invalid="ignore"):
            beyond = np.isfinite(arr) & (np.abs(arr) > limit)
    else:
        if float(np.iinfo(arr.dtype).max) <= limit and float(np.iinfo(arr.dtype).min) >= -limit:
            return
        beyond = np.array([abs(int(v)) > limit for v in arr.reshape(-1)]).reshape(arr.shape)
    if not beyond.any():
        return
    where = np.argwhere(beyond)[0]
    value = arr[tuple(where)]
    shown = f"{int(value)}" if arr.dtype.kind in "iu" else f"{float(value):g}"
    place = _describe_index(where, max(arr.ndim, 1), vector_index) if arr.ndim else "its only position"
    hint = " or use dtype='float64'" if target == np.float32 else ""
    raise DataError(
        f"{name}: value {shown} at {place} is beyond {target.name}'s range (±{limit:.2g}); "
        f"scale the data{hint}"
    )


def _describe_index(where: np.ndarray, ndim: int, vector_index: str = "row") -> str:
    if ndim == 1:
        return f"{vector_index} {int(where[0])}"
    if ndim == 2:
        return f"row {int(where[0])}, column {int(where[1])}"
    return f"index {tuple(int(i) for i in where)}"


def _first_non_numeric(arr: np.ndarray, vector_index: str = "row") -> str:
    if arr.dtype != object and arr.dtype.kind not in "US":
        return ""
    flat = arr.reshape(-1) if arr.ndim else arr.reshape(1)
    for i, v in enumerate(flat):
        if isinstance(v, (str, bytes)) or not isinstance(v, numbers.Number):
            idx = np.unravel_index(i, arr.shape) if arr.ndim else (0,)
            shown = repr(v.item()) if isinstance(v, np.generic) else repr(v)
            place = _describe_index(np.array(idx), max(arr.ndim, 1), vector_index)
            return f" (first non-number {shown} at {place})"
    return ""


def check_labels_length(X: np.ndarray, y: np.ndarray, x_name: str = "X", y_name: str = "y") -> None:
    """Raise :class:`DataError` unless ``X`` and ``y`` have the same number of samples."""
    if len(X) != len(y):
        raise DataError(
            f"{x_name} has {len(X)} samples but {y_name} has {len(y)}; "
            "they must have one label per sample"
        )


def _interval(low: Any, high: Any, low_open: bool = False, high_open: bool = False) -> str:
    """``"> 0"``, ``">= 1"``, ``"<= 5"`` or ``"in [0, 1)"``: the allowed values, as messages say them."""
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f"{'>' if low_open else '>='} {low}"
    return f"{'<' if high_open else '<='} {high}"


def _inside(value: Any, low: Any, high: Any, low_open: bool = False, high_open: bool = False) -> bool:
    if low is not None and (value <= low if low_open else value < low):
        return False
    return high is None or (value < high if high_open else value <= high)


def check_number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
    error: type[NeuronLabError] = HyperparameterError,
) -> float:
    """``value`` as a float: a finite real number (not a bool), optionally within bounds.

    Parameters
    ----------
    name : str
        What to call the value in messages (``"learning_rate"``).
    value : Any
    minimum, maximum : float, optional
        Inclusive bounds.
    positive : bool
        Require ``value > 0`` (instead of a ``minimum``).
    error : type
        The class to raise: :class:`HyperparameterError` for an argument, :class:`DataError`
        for a number taken from data, :class:`ModelFileError` for one read from a file.

    >>> check_number("learning_rate", 0.1, positive=True)
    0.1
    >>> check_number("learning_rate", 0, positive=True)
    Traceback (most recent call last):
    ...
    neuronlab.errors.HyperparameterError: learning_rate must be > 0, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise error(f"{name} must be a number, got {value!r}")
    try:
        finite = math.isfinite(value)
    except OverflowError:           # an integer past float's range
        finite = False
    if not finite:
        raise error(f"{name} must be finite, got {value!r}")
    low, low_open = (0, True) if positive else (minimum, False)
    if (low is not None or maximum is not None) and not _inside(value, low, maximum, low_open):
        raise error(f"{name} must be {_interval(low, maximum, low_open)}, got {value!r}")
    return float(value)


def check_finite(name: str, value: Any) -> float:
    """A finite real number or :class:`HyperparameterError`."""
    return check_number(name, value)


def check_positive(name: str, value: Any) -> float:
    """``value > 0`` or :class:`HyperparameterError`."""
    return check_number(name, value, positive=True)


def check_nonnegative(name: str, value: Any) -> float:
    """``value >= 0`` or :class:`HyperparameterError`."""
    return check_number(name, value, minimum=0)


def check_fraction(name: str, value: Any, *, low_inclusive: bool = True, high_inclusive: bool = False) -> float:
    """``value`` in [0, 1) by default (each end open or closed), or :class:`HyperparameterError`.

    >>> check_fraction("dropout rate", 1.0)
    Traceback (most recent call last):
    ...
    neuronlab.errors.HyperparameterError: dropout rate must be in [0, 1), got 1.0
    """
    v = check_number(name, value)
    if not _inside(v, 0, 1, not low_inclusive, not high_inclusive):
        raise HyperparameterError(
            f"{name} must be {_interval(0, 1, not low_inclusive, not high_inclusive)}, got {value!r}"
        )
    return v


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    error: type[NeuronLabError] = HyperparameterError,
) -> int:
    """``value`` as an int: a Python or NumPy integer (not a bool, not a float), optionally
    within inclusive bounds; otherwise ``error`` (:class:`HyperparameterError` by default).

    >>> check_int("bins", 20, minimum=2, maximum=1000)
    20
    >>> check_int("n_out", 2.5, minimum=1)
    Traceback (most recent call last):
    ...
    neuronlab.errors.HyperparameterError: n_out must be an integer >= 1, got 2.5
    """
    bounds = "" if minimum is None and maximum is None else " " + _interval(minimum, maximum)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not _inside(value, minimum, maximum):
        raise error(f"{name} must be an integer{bounds}, got {value!r}")
    return int(value)


def check_positive_int(name: str, value: Any, minimum: int = 1) -> int:
    """An integer ``>= minimum`` (1 by default) or :class:`HyperparameterError`."""
    return check_int(name, value, minimum=minimum)


@overload
def check_flag(name: str, value: Any, *, allow_none: Literal[False] = False,
               error: type[NeuronLabError] = HyperparameterError) -> bool: ...
@overload
def check_flag(name: str, value: Any, *, allow_none: bool,
               error: type[NeuronLabError] = HyperparameterError) -> bool | None: ...
def check_flag(
    name: str,
    value: Any,
    *,
    allow_none: bool = False,
    error: type[NeuronLabError] = HyperparameterError,
) -> bool | None:
    """``value`` as a bool: ``True`` or ``False`` (Python or NumPy), or ``None`` when
    ``allow_none``; anything else (``1``, ``"yes"``) is ``error``.

    >>> check_flag("nesterov", "yes")
    Traceback (most recent call last):
    ...
    neuronlab.errors.HyperparameterError: nesterov must be True or False, got 'yes'
    """
    if value is None and allow_none:
        return None
    if not isinstance(value, (bool, np.bool_)):
        allowed = "True, False or None" if allow_none else "True or False"
        raise error(f"{name} must be {allowed}, got {value!r}")
    return bool(value)


def check_index(name: str, value: Any, n: int, *, negative: bool = True, context: str = "") -> int:
    """``value`` as a position in ``0..n-1``; negative positions count from the end
    (``-1`` is the last) unless ``negative`` is false.

    Parameters
    ----------
    name : str
        What is indexed, singular (``"neuron"``, ``"layer"``).
    value : Any
    n : int
        How many there are.
    negative : bool
        Whether ``-n..-1`` are accepted.
    context : str
        Said before the valid range when the index does not exist
        (``"layer 1 has 4 neurons"``).

    Raises
    ------
    ArgumentTypeError
        ``value`` is not an integer.
    IndexRangeError
        ``value`` is out of range.

    >>> check_index("neuron", -1, 4)
    3
    >>> check_index("neuron", 4, 4, context="layer 1 has 4 neurons")
    Traceback (most recent call last):
    ...
    neuronlab.errors.IndexRangeError: neuron 4 does not exist: layer 1 has 4 neurons, valid neuron indices are 0..3 (or -4..-1)
    """
    valid = f"0..{n - 1}" + (f" (or -{n}..-1)" if negative else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentTypeError(f"{name} must be an integer index in {valid}, got {value!r}")
    index = int(value)
    if not (-n if negative else 0) <= index < n:
        where = f"{context}, " if context else ""
        raise IndexRangeError(f"{name} {index} does not exist: {where}valid {name} indices are {valid}")
    return index % n


def check_classes(y: np.ndarray, name: str = "y") -> None:
    """Raise :class:`DataError` when classification targets hold a single class.

    ``y`` is what a classification loss prepared: integer labels (n_samples,), a 0/1
    column (n_samples, 1), one-hot or probability rows, or multi-label 0/1 rows.  It is
    an error when every sample has the same target: there is nothing to tell apart.
    """
    if len(y) and (y == y[0]).all():
        first = y[0]
        if np.ndim(first) == 0:
            shown = repr(int(first) if float(first).is_integer() else float(first))
        elif first.size == 1:
            shown = repr(int(first[0]) if float(first[0]).is_integer() else float(first[0]))
        else:
            shown = "row " + np.array2string(np.asarray(first), separator=", ")
        raise DataError(
            f"{name} holds a single class ({shown} for all {len(y)} samples); a classifier needs "
            "samples of at least two classes to learn to tell them apart"
        )
