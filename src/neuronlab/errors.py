"""The library's exceptions and the one validation layer every public entry uses.

Floor 1 (math): imports NumPy only.

Every error says what is wrong *and* how to fix it.  The classes are also the
built-in ``ValueError`` / ``TypeError`` so that code written against plain
Python conventions keeps working::

    try:
        net.fit(X, y)
    except nl.NeuronLabError as err:   # or ValueError
        print(err)
"""
from __future__ import annotations

import difflib
import numbers
from typing import Any, Iterable

import numpy as np

__all__ = [
    "NeuronLabError", "ShapeError", "DataError", "UnknownNameError", "HyperparameterError",
    "ArgumentTypeError", "IndexRangeError", "DivergenceError", "NotFittedError", "ModelFileError", "MissingExtraError", "ConvergenceWarning",
    "check_array", "check_labels_length", "check_positive", "check_fraction",
    "check_positive_int", "check_nonnegative", "check_finite", "check_classes", "unknown_name",
    "resolve_dtype",
]


class NeuronLabError(Exception):
    """Base class of every error neuronlab raises on purpose."""


class ShapeError(NeuronLabError, ValueError):
    """An array has the wrong number of dimensions or the wrong size."""


class DataError(NeuronLabError, ValueError):
    """Data holds NaN/inf, is empty, is not numeric, or does not match its labels."""


class UnknownNameError(NeuronLabError, ValueError):
    """A name (activation, loss, optimizer, ...) is not registered."""


class HyperparameterError(NeuronLabError, ValueError):
    """A hyperparameter is out of its allowed range."""


class ArgumentTypeError(NeuronLabError, TypeError):
    """An argument has the wrong Python type (a string where a layer is expected, ...)."""


class IndexRangeError(NeuronLabError, IndexError):
    """A layer or neuron index that does not exist in this network."""


class DivergenceError(NeuronLabError, ArithmeticError):
    """Training produced a non-finite loss or weight."""


class NotFittedError(NeuronLabError, AttributeError):
    """A model was used before it was trained."""


class ModelFileError(NeuronLabError, ValueError):
    """A model file is missing, damaged, of another version, or inconsistent."""


class MissingExtraError(NeuronLabError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


class ConvergenceWarning(UserWarning):
    """A learning rule stopped at its iteration limit without converging."""
