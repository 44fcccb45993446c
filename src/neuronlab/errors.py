"""Every exception and warning class neuronlab raises or warns with.

Every error says what is wrong *and* how to fix it.  The classes are also the
built-in ``ValueError`` / ``TypeError`` / ... that code written against plain Python
conventions expects, so either ``except`` works::

    try:
        net.fit(X, y)
    except nl.NeuronLabError as err:   # or ValueError
        print(err)
"""
from __future__ import annotations

__all__ = [
    "NeuronLabError", "ShapeError", "DataError", "UnknownNameError", "HyperparameterError",
    "ArgumentTypeError", "IndexRangeError", "DivergenceError", "NotFittedError", "ModelFileError",
    "MissingExtraError", "SweepError", "UsageError",
    "ConvergenceWarning", "NeuronWarning",
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


class SweepError(NeuronLabError, RuntimeError):
    """The sweep itself could not go on (not one run failing: that is recorded, not raised)."""


class UsageError(NeuronLabError, ValueError):
    """The command line itself is wrong (an unknown option, a malformed value)."""


class ConvergenceWarning(UserWarning):
    """A learning rule stopped at its iteration limit without converging."""


class NeuronWarning(UserWarning):
    """A training run shows a neuron-health problem: dead or saturated neurons,
    vanishing or exploding gradients (see :class:`neuronlab.callbacks.NeuronMonitor`)."""
