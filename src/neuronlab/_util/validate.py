"""The one validation layer every public entry uses: arrays, numbers, flags, dtypes."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..errors import ArgumentTypeError, DataError, HyperparameterError, ShapeError


def resolve_dtype(dtype: Any) -> np.dtype:
    """``"float32"`` (the default) or ``"float64"``; anything else is an error."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
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


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise HyperparameterError(f"{name} must be a number, got {value!r}")
    if not np.isfinite(value):
        raise HyperparameterError(f"{name} must be finite, got {value!r}")
    return float(value)


def check_finite(name: str, value: Any) -> float:
    """A finite real number or :class:`HyperparameterError`."""
    return _number(name, value)


def check_positive(name: str, value: Any) -> float:
    """``value > 0`` or :class:`HyperparameterError`."""
    v = _number(name, value)
    if v <= 0:
        raise HyperparameterError(f"{name} must be > 0, got {value!r}")
    return v


def check_nonnegative(name: str, value: Any) -> float:
    """``value >= 0`` or :class:`HyperparameterError`."""
    v = _number(name, value)
    if v < 0:
        raise HyperparameterError(f"{name} must be >= 0, got {value!r}")
    return v


def check_fraction(name: str, value: Any, *, low_inclusive: bool = True, high_inclusive: bool = False) -> float:
    """``value`` in [0, 1) by default, or :class:`HyperparameterError`."""
    v = _number(name, value)
    lo_ok = v >= 0 if low_inclusive else v > 0
    hi_ok = v <= 1 if high_inclusive else v < 1
    if not (lo_ok and hi_ok):
        lo = "[" if low_inclusive else "("
        hi = "]" if high_inclusive else ")"
        raise HyperparameterError(f"{name} must be in {lo}0, 1{hi}, got {value!r}")
    return v


def check_positive_int(name: str, value: Any, minimum: int = 1) -> int:
    """An integer ``>= minimum`` or :class:`HyperparameterError`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise HyperparameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise HyperparameterError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


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
