"""The network as values: its weights, copies, architecture config and pickling.

Floor 2 (model).  A private part of :mod:`neuronlab.network`: the functions below are
``Network`` methods, assigned in its class body (``get_weights``, ``set_weights``,
``copy``, ``config``, ``from_config`` and the pickle hooks).
"""
from __future__ import annotations

import copy as _copy
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from .errors import ShapeError
from ._util.validate import check_array, resolve_dtype
from .layers import Dense, Dropout, Layer

if TYPE_CHECKING:  # pragma: no cover
    from .network import Network


def __getstate__(self) -> dict[str, Any]:
    state = self.__dict__.copy()
    state.pop("_workspaces", None)   # scratch buffers are rebuilt on demand, never copied
    return state


def __setstate__(self, state: dict[str, Any]) -> None:
    # pickle and deepcopy copy each layer's W, b, dW, db as arrays of their own: make them
    # views of the (copied) flat buffers again, or training would update copies nobody reads
    self.__dict__.update(state)
    for name in ("parameters", "gradients"):      # joblib may hand back read-only memory maps
        buf = getattr(self, name)
        if not (buf.flags.writeable and buf.flags.c_contiguous) or type(buf) is not np.ndarray:
            setattr(self, name, np.array(buf, copy=True, order="C"))
    for layer, s in zip([l for l in self.layers if l.n_params], self._slices):
        layer.bind(self.parameters[s], self.gradients[s])


def get_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
    """Copies of ``(W, b)`` for every Dense layer."""
    return [(l.W.copy(), l.b.copy()) for l in self.dense_layers]


def set_weights(self, weights: Sequence[tuple[Any, Any]]) -> None:
    """Set ``(W, b)`` for every Dense layer (shapes must match)."""
    if len(weights) != len(self.dense_layers):
        raise ShapeError(f"expected {len(self.dense_layers)} (W, b) pairs, got {len(weights)}")
    for i, (layer, (W, b)) in enumerate(zip(self.dense_layers, weights)):
        W = check_array(W, f"W of layer {i}", ndim=2, dtype=self.dtype)
        b = check_array(b, f"b of layer {i}", ndim=1, dtype=self.dtype, allow_empty=True)
        if W.shape != layer.W.shape or b.shape != layer.b.shape:
            raise ShapeError(f"dense layer {i}: expected W {layer.W.shape} and b {layer.b.shape}, "
                             f"got {W.shape} and {b.shape}")
        layer.W[...] = W
        layer.b[...] = b


def copy(self, dtype: Any = None) -> "Network":
    """A deep copy, optionally converted to another dtype."""
    new = _copy.deepcopy(self)
    if dtype is not None and resolve_dtype(dtype) != self.dtype:
        new.dtype = resolve_dtype(dtype)
        params = new.parameters.astype(new.dtype)
        new._allocate_from(params)
    return new


def _allocate_from(self, params: np.ndarray) -> None:
    self.parameters = params
    self.gradients = np.zeros_like(params)
    for layer, s in zip([l for l in self.layers if l.n_params], self._slices):
        layer.W = layer.W.astype(self.dtype)
        layer.b = layer.b.astype(self.dtype)
        layer.bind(self.parameters[s], self.gradients[s])
        layer.x = layer.z = layer.a = None


def config(self) -> dict[str, Any]:
    """Architecture and settings (no weights) as plain Python values."""
    return {"layers": [l.config() for l in self.layers], "loss": self.loss.name,
            "dtype": self.dtype.name, "seed": self.seed}


def from_config(cls, config: dict[str, Any]) -> "Network":
    """Rebuild an (untrained) network from :meth:`config`."""
    layers: list[Layer] = []
    for spec in config["layers"]:
        kind = spec.get("type")
        if kind == "Dense":
            layers.append(Dense(spec["n_in"], spec["n_out"], activation=spec["activation"],
                                init=spec.get("init"), use_bias=spec.get("use_bias", True)))
        elif kind == "Dropout":
            layers.append(Dropout(spec["rate"]))
        else:
            raise ShapeError(f"unknown layer type {kind!r} in config; known: Dense, Dropout")
    return cls(layers, loss=config.get("loss"), seed=config.get("seed"), dtype=config.get("dtype", "float32"))
