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
"""
from __future__ import annotations

from typing import Any

from ..network import Network
from .spec import EXPORTABLE

__all__ = ["from_sklearn", "from_torch", "to_torch", "from_onnx", "to_onnx", "EXPORTABLE"]


def from_sklearn(mlp: Any) -> Network:
    """A network with the weights of a fitted scikit-learn MLP; see
    :func:`neuronlab.interop.scikit.from_sklearn`."""
    from .scikit import from_sklearn as read
    return read(mlp)


def from_torch(module: Any, n_inputs: int | None = None) -> Network:
    """A network with the weights of a PyTorch ``nn.Sequential``; see
    :func:`neuronlab.interop.pytorch.from_torch`."""
    from .pytorch import from_torch as read
    return read(module, n_inputs)


def to_torch(net: Network) -> Any:
    """An ``nn.Sequential`` with the network's weights, in eval mode; see
    :func:`neuronlab.interop.pytorch.to_torch`."""
    from .pytorch import to_torch as write
    return write(net)


def from_onnx(path: Any) -> Network:
    """A network read from an ONNX file; see :func:`neuronlab.interop.onnxfile.from_onnx`."""
    from .onnxfile import from_onnx as read
    return read(path)


def to_onnx(net: Network, path: Any) -> None:
    """Write the network as an ONNX file; see :func:`neuronlab.interop.onnxfile.to_onnx`."""
    from .onnxfile import to_onnx as write
    write(net, path)
