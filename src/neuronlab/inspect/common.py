"""What the instruments of :mod:`neuronlab.inspect` share: layer and neuron index checks,
threshold overrides and the firing rule, and the lookup and table helpers of the result
classes."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..activations import Activation
from .._util.validate import check_index
from ..errors import HyperparameterError, IndexRangeError
from ..layers import Dense


# ---------------------------------------------------------------------------------------
# Index checks
# ---------------------------------------------------------------------------------------

def _dense_positions(net: Any) -> list[int]:
    return [i for i, l in enumerate(net.layers) if isinstance(l, Dense)]


def _layer_index(net: Any, layer: Any) -> int:
    """``layer`` as a non-negative position of a Dense layer in ``net.layers``."""
    n = len(net.layers)
    dense = _dense_positions(net)
    i = check_index("layer", layer, n, context=f"this network has {n} layers, its Dense layers are at {dense}")
    if not isinstance(net.layers[i], Dense):
        raise IndexRangeError(
            f"layer {i} is {net.layers[i]!r}, which has no neurons of its own; "
            f"pick a Dense layer: {dense}"
        )
    return i


def _neuron_index(layer: Dense, i: int, neuron: Any) -> int:
    return check_index("neuron", neuron, layer.n_out, context=f"layer {i} ({layer!r}) has {layer.n_out} neurons")


def _thresholds(net: Any, threshold: Any) -> dict[int, float | None]:
    """Per Dense-layer position: the firing threshold override, or None for the registry's."""
    dense = _dense_positions(net)
    if threshold is None:
        return {i: None for i in dense}
    if isinstance(threshold, Mapping):
        out: dict[int, float | None] = {i: None for i in dense}
        for k, v in threshold.items():
            idx = _layer_index(net, k)
            out[idx] = None if v is None else _finite("threshold", v)
        return out
    t = _finite("threshold", threshold)
    return {i: t for i in dense}


def _finite(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
        raise HyperparameterError(f"{name} must be a finite number (or a dict layer → number), got {v!r}")
    return float(v)


def _threshold_value(act: Activation, n_units: int, threshold: float | None) -> float | None:
    """The threshold on a layer's activation values: the override, else the activation's
    own for a layer of ``n_units`` (softmax: the uniform share 1/k)."""
    return threshold if threshold is not None else act.firing_threshold(n_units)


def _fires(act: Activation, a: np.ndarray, threshold: float | None) -> np.ndarray:
    """Boolean, shaped like ``a`` (n_samples, n_units): each activation value past the threshold."""
    return a > _threshold_value(act, a.shape[-1], threshold)


# ---------------------------------------------------------------------------------------
# Result helpers
# ---------------------------------------------------------------------------------------

def _find_layer(layers: Sequence[Any], index: int) -> Any:
    """The entry of ``layers`` (LayerStats or LayerGradient) for position ``index`` in ``net.layers``."""
    for l in layers:
        if l.index == index:
            return l
    raise IndexRangeError(f"no Dense layer at position {index}; Dense layers are at {[l.index for l in layers]}")
