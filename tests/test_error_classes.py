"""Every exception and warning class lives in neuronlab.errors, is a NeuronLabError (the
warnings: a UserWarning) and also the built-in a caller would catch."""
import pytest

import neuronlab as nl
from neuronlab import errors


@pytest.mark.parametrize("name, builtin", [
    ("ShapeError", ValueError), ("DataError", ValueError), ("UnknownNameError", ValueError),
    ("HyperparameterError", ValueError), ("ModelFileError", ValueError), ("UsageError", ValueError),
    ("ArgumentTypeError", TypeError), ("IndexRangeError", IndexError), ("DivergenceError", ArithmeticError),
    ("NotFittedError", AttributeError), ("MissingExtraError", ImportError),
    ("SweepError", RuntimeError),
])
def test_each_error_is_a_neuronlab_error_and_its_builtin(name, builtin):
    cls = getattr(errors, name)
    assert issubclass(cls, errors.NeuronLabError) and issubclass(cls, builtin)


@pytest.mark.parametrize("name", ["ConvergenceWarning", "NeuronWarning"])
def test_the_warnings_are_user_warnings(name):
    assert issubclass(getattr(errors, name), UserWarning)


def test_the_module_exports_exactly_its_classes():
    classes = {n for n, v in vars(errors).items() if isinstance(v, type) and issubclass(v, BaseException)}
    assert set(errors.__all__) == classes
    namespace: dict = {}
    exec("from neuronlab.errors import *", namespace)
    assert classes <= set(namespace)


def test_the_top_level_errors_are_the_same_classes():
    for name in ("ShapeError", "DataError", "HyperparameterError", "ConvergenceWarning"):
        assert getattr(nl, name) is getattr(errors, name)
