"""neuronlab: build, train and look inside neural networks, neuron by neuron.

>>> import neuronlab as nl
>>> nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu").activation_value([0.5, 0.6])  # doctest: +ELLIPSIS
0.47...
"""
from . import activations
from . import initializers
from . import losses
from . import optimizers
from .errors import (ArgumentTypeError, ConvergenceWarning, DataError, DivergenceError, HyperparameterError,
                     IndexRangeError, MissingExtraError, ModelFileError, NeuronLabError, NotFittedError,
                     ShapeError, UnknownNameError)
from .neuron import Neuron, NeuronExplanation, NeuronGradient
from .layers import Dense, Dropout, Layer
from .network import Network
from .training import Callback, EarlyStopping, History
from .training.gradcheck import GradientCheck, gradcheck
from .perceptron import Perceptron
# ``nl.sweep`` is the function; imported eagerly (the sweep package loads dask only when a sweep
# asks for it) so that a later ``import neuronlab.sweep`` cannot rebind the name to the module
from .sweep import sweep
# ``nl.playground`` is the function, for the same reason; its package loads the web server only
# when a playground starts
from .playground import playground

__version__ = "0.1.0"

# These load on first use, and with them their optional dependencies (matplotlib for plots,
# scikit-learn for sklearn; torch and onnx only when an interop function runs): ``import neuronlab``
# needs NumPy alone.
_LAZY_MODULES = {"inspect", "callbacks", "plots", "sklearn", "serialize", "datasets", "cli", "interop"}
_LAZY_ATTRS = {"load": ("serialize", "load"), "from_sklearn": ("interop", "from_sklearn"),
               "from_torch": ("interop", "from_torch"), "from_onnx": ("interop", "from_onnx")}


def __getattr__(name: str):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_ATTRS:
        module, attr = _LAZY_ATTRS[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'neuronlab' has no attribute {name!r}")

__all__ = [
    "activations", "initializers", "losses", "optimizers",
    "Neuron", "NeuronExplanation", "NeuronGradient", "Dense", "Dropout", "Layer", "Network", "History", "Callback",
    "EarlyStopping", "gradcheck", "GradientCheck", "Perceptron", "sweep", "playground", "load", "from_sklearn", "from_torch",
    "from_onnx",
    "NeuronLabError", "ShapeError", "DataError", "UnknownNameError", "HyperparameterError",
    "ArgumentTypeError", "IndexRangeError", "DivergenceError", "NotFittedError", "ModelFileError",
    "MissingExtraError", "ConvergenceWarning",
]


def __dir__() -> list[str]:
    """The public names, the lazily loaded ones included (``dir(nl)``, tab completion)."""
    return sorted({*__all__, *_LAZY_MODULES, *_LAZY_ATTRS, "__version__"})
