"""What every framework's reader and writer share: a network as a list of plain layer
specifications (weights, biases, activation), the activations each target can express,
and the size limits an imported model must respect."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import numpy.typing as npt

from .. import activations
from ..errors import ArgumentTypeError
from ..layers import Dense, Dropout

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["DenseSpec", "DropoutSpec", "Spec", "Imported", "EXPORTABLE", "network_specs",
           "exportable_activation", "readable_float", "MAX_PARAMETERS"]

#: The most parameters an imported model may hold (a bound checked before anything is allocated).
MAX_PARAMETERS = 50_000_000

#: Every neuronlab activation that PyTorch and ONNX express exactly, in the order the messages list them.
EXPORTABLE = ("identity", "relu", "leaky_relu", "elu", "selu", "gelu", "gelu_tanh", "sigmoid", "tanh",
              "softplus", "silu", "mish", "softsign", "hard_sigmoid", "hard_tanh", "softmax")


@dataclass
class DenseSpec:
    """One fully connected layer as the frameworks write it.

    Attributes
    ----------
    W : ndarray of shape (n_in, n_out)
        Weights, column ``j`` feeding neuron ``j`` (neuronlab's orientation).
    b : ndarray of shape (n_out,) or None
        Biases (None for a layer without them).
    activation : str
        A neuronlab activation name.
    params : dict
        Its parameters (``{"alpha": 0.1}`` for leaky_relu and elu).
    where : str
        The source's name for the layer, for messages.
    """

    W: npt.NDArray[np.floating[Any]]
    b: npt.NDArray[np.floating[Any]] | None
    activation: str = "identity"
    params: dict[str, float] = field(default_factory=dict)
    where: str = ""


@dataclass
class DropoutSpec:
    """A dropout layer (no effect on predictions; kept so that fine-tuning drops the same units)."""

    rate: float
    where: str = ""


Spec = Union[DenseSpec, DropoutSpec]


@dataclass
class Imported:
    """What a reader found: the layers, the loss (None: the output activation's default),
    the metadata for ``net.metadata``, and the source's name for messages."""

    specs: list[Spec]
    loss: str | None
    metadata: dict[str, Any]
    source: str

    @property
    def output(self) -> str:
        """The last layer's activation name (identity for a model without one)."""
        dense = [s for s in self.specs if isinstance(s, DenseSpec)]
        return dense[-1].activation if dense else "identity"

    def task(self) -> str:
        """``"classification"`` for a softmax or sigmoid output, else ``"regression"``."""
        return "classification" if self.output in ("softmax", "sigmoid") else "regression"


def readable_float(value: float) -> float:
    """The shortest decimal that a float32 attribute ``value`` rounds from: ``0.3`` read back
    from ONNX's float32 0.30000001192092896 is 0.3 again.

    >>> readable_float(float(np.float32(0.3)))
    0.3
    """
    return float(np.format_float_positional(np.float32(value), unique=True, trim="-"))


def exportable_activation(act: activations.Activation, where: str, target: str) -> tuple[str, dict[str, float]]:
    """``(name, params)`` of a built-in activation ``target`` can express, or an error naming
    the layer and the activations that can."""
    name = act.name
    builtin = activations.is_builtin(name) and type(act) is type(activations.get(name))
    if name in EXPORTABLE and builtin:
        return name, dict(act.params)
    why = ("is registered by the user: its formula is Python code " + target + " cannot hold"
           if not builtin else f"has no exact {target} equivalent")
    raise ArgumentTypeError(f"{where}: activation '{name}' {why}; {target} export supports "
                            f"{', '.join(EXPORTABLE)}")


def network_specs(net: Network, target: str) -> list[Spec]:
    """The network's layers as specifications (copies of the weights), every activation
    checked against what ``target`` expresses."""
    if not hasattr(net, "dense_layers") or not hasattr(net, "layers"):
        raise ArgumentTypeError(f"expected a neuronlab Network, got {type(net).__name__}")
    specs: list[Spec] = []
    for i, layer in enumerate(net.layers):
        where = f"layer {i} ({layer!r})"
        if isinstance(layer, Dropout):
            specs.append(DropoutSpec(float(layer.rate), where))
            continue
        if not isinstance(layer, Dense):
            raise ArgumentTypeError(f"{where}: {type(layer).__name__} layers cannot be exported to {target}; "
                                    "supported: Dense, Dropout")
        name, params = exportable_activation(layer.activation, where, target)
        specs.append(DenseSpec(layer.W.copy(), layer.b.copy() if layer.use_bias else None, name, params, where))
    return specs
