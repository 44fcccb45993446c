"""Models trained elsewhere, as neuronlab networks, and neuronlab networks for other frameworks.

* :func:`from_sklearn` reads a fitted ``MLPClassifier`` / ``MLPRegressor``;
* :func:`from_torch` reads an ``nn.Sequential`` of ``Linear`` layers and activations, and
  :func:`to_torch` writes one (``Network.to_torch()``);
* :func:`from_onnx` reads an ONNX file of ``MatMul``/``Gemm`` + ``Add`` + activation chains, and
  :func:`to_onnx` writes one (``Network.to_onnx(path)``).

The imported network is a full :class:`~neuronlab.network.Network`: trace it, explain its
neurons, plot it, save it, fine-tune it.  scikit-learn, PyTorch and ONNX are optional
(extras ``sklearn``, ``torch``, ``onnx``) and imported only when one of these functions runs.
What a framework cannot express is refused with an error naming the layer and what is supported.

Each framework's file (``scikit``, ``pytorch``, ``onnxfile``) translates between its format and
plain layer specifications (``spec``); ``build`` turns those into a network.
"""
from __future__ import annotations

from typing import Any

from ..network import Network
from .build import build_network
from .onnxfile import MAX_FILE_BYTES, OPSET, to_onnx
from .pytorch import to_torch
from .spec import EXPORTABLE, MAX_PARAMETERS

__all__ = ["from_sklearn", "from_torch", "to_torch", "from_onnx", "to_onnx", "EXPORTABLE", "OPSET",
           "MAX_FILE_BYTES", "MAX_PARAMETERS"]


def from_sklearn(mlp: Any) -> Network:
    """A :class:`~neuronlab.network.Network` with the weights of a fitted scikit-learn MLP.

    Parameters
    ----------
    mlp : sklearn.neural_network.MLPClassifier or MLPRegressor
        Fitted.  Its hidden activation (identity, logistic, tanh, relu), output activation
        (softmax, logistic, identity) and loss (log-loss, squared error) are carried over.

    Returns
    -------
    Network
        In the weights' dtype (float64 unless the MLP was fitted on float32 data).
        ``net.predict_proba(X)`` of shape (n_samples, n_outputs) equals
        ``mlp.predict_proba(X)`` (for a binary classifier, its second column) to float64
        rounding.  ``net.metadata`` holds ``task``, ``classes`` (classifiers) and
        ``feature_names`` (when the MLP was fitted on a DataFrame).

    Examples
    --------
    >>> from sklearn.neural_network import MLPClassifier                  # doctest: +SKIP
    >>> net = nl.from_sklearn(MLPClassifier(random_state=0).fit(X, y))     # doctest: +SKIP
    >>> net.neuron_stats(X)                                                # doctest: +SKIP
    """
    from .scikit import read_sklearn
    return build_network(read_sklearn(mlp))


def from_torch(module: Any, n_inputs: int | None = None) -> Network:
    """A :class:`~neuronlab.network.Network` with the weights of a PyTorch ``nn.Sequential``.

    Parameters
    ----------
    module : torch.nn.Sequential (or one torch.nn.Linear)
        ``Linear`` layers, each followed by at most one activation (ReLU, LeakyReLU, ELU, SELU,
        GELU both forms, Sigmoid, Tanh, Softplus, SiLU, Mish, Softsign, Hardsigmoid, Hardtanh,
        Softmax), with ``Dropout``, ``Flatten(start_dim=1)`` and ``Identity`` in between and
        ``Softmax`` or ``LogSoftmax`` at the end.  ``LogSoftmax`` is read as a softmax output:
        ``predict_proba`` is the exponential of the model's output, and
        ``metadata["log_probabilities"]`` is True.  Nested ``nn.Sequential`` are read in order.
    n_inputs : int, optional
        The number of input features, checked against the first ``Linear``.

    Returns
    -------
    Network
        float64 for a double model, else float32.  The loss follows the output activation
        (cross-entropy for softmax, binary cross-entropy for sigmoid, mse otherwise).
        ``net.predict_proba(X)`` equals ``module(X)`` to float32 rounding.

    Raises
    ------
    ArgumentTypeError
        For a module that is not an ``nn.Sequential`` (its ``forward`` is code neuronlab cannot
        read) or holds a layer other than those above (a Conv, a BatchNorm, ...), naming it.
    """
    from .pytorch import read_torch
    return build_network(read_torch(module, n_inputs))


def from_onnx(path: Any) -> Network:
    """A :class:`~neuronlab.network.Network` read from an ONNX file.

    Parameters
    ----------
    path : str or path-like
        A self-contained ``.onnx`` file whose graph is one chain from its input to its
        output: ``MatMul`` + ``Add`` or ``Gemm`` per layer, each followed by at most one
        activation (one operator, or the compositions :func:`to_onnx` writes: SiLU
        ``x·σ(x)``, Mish ``x·tanh(softplus(x))``, GELU's erf and tanh forms), with
        ``Dropout``, ``Identity`` and ``Flatten(axis=1)`` in between and ``Softmax`` or
        ``LogSoftmax`` last.

    Returns
    -------
    Network
        In the weights' dtype (float32 or float64).  ``net.metadata`` has ``task`` and what
        :func:`to_onnx` wrote (class labels, feature names); the loss written there is used.

    Raises
    ------
    ModelFileError
        For a file that is not ONNX, larger than ``MAX_FILE_BYTES``, keeping tensors in other
        files (external data), or declaring tensors over ``MAX_PARAMETERS`` values.
    ShapeError
        For a graph neuronlab cannot express (a branching graph, an unknown operator, a
        convolution), naming the node and what is supported.

    Notes
    -----
    Reading runs nothing from the file: the graph is parsed (protobuf), matched node by node,
    and only its constant tensors become arrays, after their declared sizes are checked.
    """
    from .onnxfile import read_onnx
    return build_network(read_onnx(path))
