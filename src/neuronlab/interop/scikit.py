"""scikit-learn's fitted ``MLPClassifier`` and ``MLPRegressor`` as neuronlab networks."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ArgumentTypeError, NotFittedError, UnknownNameError
from .spec import DenseSpec, Imported, Spec

__all__ = ["read_sklearn"]

#: scikit-learn's hidden activations → neuronlab's
HIDDEN = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
#: scikit-learn's output activations → neuronlab's
OUTPUT = {"identity": "identity", "logistic": "sigmoid", "softmax": "softmax"}


def _check_mlp(mlp: Any) -> str:
    """``"classification"`` or ``"regression"`` for a fitted MLP, or an error saying what is wrong."""
    kind = type(mlp).__name__
    if kind not in ("MLPClassifier", "MLPRegressor") or not type(mlp).__module__.startswith("sklearn."):
        raise ArgumentTypeError(f"from_sklearn reads a fitted sklearn.neural_network.MLPClassifier or "
                                f"MLPRegressor, got {kind}; for a Pipeline pass its last step (pipe[-1]) "
                                "and apply the steps before it to the data yourself")
    if not hasattr(mlp, "coefs_"):
        raise NotFittedError(f"this {kind} is not fitted yet; call fit(X, y) before from_sklearn")
    return "classification" if kind == "MLPClassifier" else "regression"


def _activation(table: dict[str, str], name: str, what: str) -> str:
    if name not in table:
        raise UnknownNameError(f"the {what} activation {name!r} of this MLP has no neuronlab equivalent; "
                               f"supported: {', '.join(sorted(table))}")
    return table[name]


def _loss(mlp: Any, task: str, output: str) -> str:
    loss = getattr(mlp, "loss", "log_loss" if task == "classification" else "squared_error")
    if task == "classification":
        return "cross_entropy" if output == "softmax" else "binary_crossentropy"
    if loss != "squared_error":
        raise UnknownNameError(f"the MLPRegressor's loss {loss!r} has no neuronlab equivalent; "
                               "supported: 'squared_error' (neuronlab's mse)")
    return "mse"


def _metadata(mlp: Any, task: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"task": task, "source": f"sklearn {type(mlp).__name__}"}
    names = getattr(mlp, "feature_names_in_", None)
    if names is not None:
        meta["feature_names"] = [str(f) for f in names]
    if task == "classification":
        meta["classes"] = np.asarray(mlp.classes_).tolist()
    return meta


def read_sklearn(mlp: Any) -> Imported:
    """The layers, loss and metadata of a fitted scikit-learn MLP, which
    :func:`neuronlab.interop.from_sklearn` documents: the weights as they are (float64 unless
    the MLP was fitted on float32 data), the loss, and ``task``, ``classes`` (classifiers) and
    ``feature_names`` (when fitted on a DataFrame) for ``net.metadata``."""
    task = _check_mlp(mlp)
    hidden = _activation(HIDDEN, mlp.activation, "hidden")
    output = _activation(OUTPUT, mlp.out_activation_, "output")
    n = len(mlp.coefs_)
    specs: list[Spec] = []
    for i, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        specs.append(DenseSpec(np.asarray(W), np.asarray(b), output if i == n - 1 else hidden,
                               where=f"coefs_[{i}]"))
    return Imported(specs, _loss(mlp, task, output), _metadata(mlp, task), f"this {type(mlp).__name__}")
