"""An imported model's layer specifications turned into a neuronlab network."""
from __future__ import annotations

import numpy as np

from .. import activations
from ..errors import ShapeError
from ..layers import Dense, Dropout, Layer
from ..network import Network
from .spec import MAX_PARAMETERS, DenseSpec, DropoutSpec, Imported

__all__ = ["build_network"]


def build_network(found: Imported) -> Network:
    """A :class:`~neuronlab.network.Network` holding exactly the weights a reader found.

    Its dtype is the weights' own (float32 or float64); Dropout at the start or the end,
    where neuronlab has no place for it, is refused naming the layer.
    """
    specs, source = found.specs, found.source
    dense = [s for s in specs if isinstance(s, DenseSpec)]
    if not dense:
        raise ShapeError(f"{source} has no fully connected layer; a neuronlab network needs at least one")
    total = sum(s.W.size + (0 if s.b is None else s.b.size) for s in dense)
    if total > MAX_PARAMETERS:
        raise ShapeError(f"{source} holds {total:,} parameters, more than the {MAX_PARAMETERS:,} an imported "
                         "model may have")
    dtype = np.float64 if dense[0].W.dtype == np.float64 else np.float32
    for i, s in enumerate(specs):
        if isinstance(s, DropoutSpec) and (i == 0 or i == len(specs) - 1):
            place = "before the first" if i == 0 else "after the last"
            raise ShapeError(f"{s.where or f'layer {i}'}: a Dropout {place} fully connected layer has no "
                             "neuronlab equivalent; remove it (it changes nothing at prediction time)")
    layers: list[Layer] = []
    for s in specs:
        if isinstance(s, DropoutSpec):
            layers.append(Dropout(s.rate))
            continue
        act = activations.get({"name": s.activation, **s.params})
        layers.append(Dense(s.W.shape[0], s.W.shape[1], activation=act, weights=s.W,
                            bias=s.b, use_bias=s.b is not None))
    net = Network(layers, loss=found.loss, dtype=dtype)
    net.metadata = dict(found.metadata)
    return net
