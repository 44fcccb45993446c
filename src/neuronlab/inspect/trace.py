"""Traces and explanations: :func:`trace` (a forward pass that keeps every layer's
weighted sums and activation values) and :func:`explain` (one neuron's arithmetic on
one input).

A trace computes each Dense layer as the network does,
:meth:`Dense.weighted_sum <neuronlab.layers.Dense.weighted_sum>` and then the activation,
so its numbers are the network's own, but into fresh arrays: the layers' caches and the
network's random state are left alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from ..activations import Activation
from ..errors import ShapeError
from .._util.validate import check_array, check_index
from ..layers import Dense, Dropout
from ..neuron import NeuronExplanation
from .common import _fires, _finite, _layer_index, _neuron_index

# ---------------------------------------------------------------------------------------
# trace
# ---------------------------------------------------------------------------------------

@dataclass
class NeuronTrace:
    """One neuron over the traced samples: weighted sums ``z`` and activation values ``a``
    (each of shape (n_samples,)) and whether it ``fires`` on each sample."""

    layer: int
    neuron: int
    z: np.ndarray | None
    a: np.ndarray
    fires: np.ndarray | None


@dataclass
class LayerTrace:
    """What one layer computed during :func:`trace`.

    Attributes
    ----------
    index : int
        Position in ``net.layers``.
    kind : str
        ``"Dense"`` or ``"Dropout"``.
    activation : Activation or None
        The Dense layer's activation (None for Dropout).
    x : ndarray of shape (n_samples, n_in)
        The layer's inputs (the previous layer's activation values, or ``X``).
    z : ndarray of shape (n_samples, n_units) or None
        Weighted sums ``x @ W + b``; **None for Dropout**.
    a : ndarray of shape (n_samples, n_units)
        Activation values ``f(z)``.  Dropout is the identity at prediction time, so its
        ``a`` is its input passed through (the same array as ``x``).
    """

    index: int
    kind: str
    activation: Activation | None
    x: np.ndarray
    z: np.ndarray | None
    a: np.ndarray

    @property
    def n_units(self) -> int:
        return int(self.a.shape[1])

    @property
    def fires(self) -> np.ndarray | None:
        """Boolean (n_samples, n_units): activation value past the activation's threshold
        (None for Dropout)."""
        if self.activation is None:
            return None
        return _fires(self.activation, self.a, None)

    def neuron(self, j: int) -> NeuronTrace:
        """Neuron ``j``'s weighted sums and activation values over the samples."""
        j = check_index("neuron", j, self.n_units, context=f"layer {self.index} has {self.n_units} units")
        fires = self.fires
        return NeuronTrace(self.index, j, None if self.z is None else self.z[:, j].copy(), self.a[:, j].copy(),
                           None if fires is None else fires[:, j])

    def __repr__(self) -> str:
        act = f", activation={self.activation.name!r}" if self.activation is not None else ""
        return f"LayerTrace(index={self.index}, kind={self.kind!r}{act}, a.shape={self.a.shape})"


class Trace:
    """The result of :func:`trace`.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_inputs)
        The inputs, as the network's dtype.
    layers : list of LayerTrace
        One per entry of ``net.layers``, same positions (Dropout entries included).
    dense : list of LayerTrace
        The Dense layers only, in order.
    output : ndarray
        The output layer's activation values (``net.predict_proba(X)``).
    """

    def __init__(self, X: np.ndarray, layers: list[LayerTrace]) -> None:
        self.X = X
        self.layers = layers
        self.dense = [l for l in layers if l.kind == "Dense"]
        self.output = layers[-1].a

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> LayerTrace:
        return self.layers[i]

    def __iter__(self) -> Iterator[LayerTrace]:
        return iter(self.layers)

    def __repr__(self) -> str:
        kinds = ", ".join(f"{l.index}:{l.kind}({l.n_units})" for l in self.layers)
        return f"Trace({len(self.X)} samples; layers {kinds})"


def _forward(net: Any, X: np.ndarray, upto: int | None = None) -> list[LayerTrace]:
    """Pure forward pass (prediction mode): no layer cache is written, no RNG is drawn."""
    out: list[LayerTrace] = []
    a = X
    for i, layer in enumerate(net.layers):
        if upto is not None and i > upto:
            break
        if isinstance(layer, Dropout):
            out.append(LayerTrace(i, "Dropout", None, a, None, a))
            continue
        z = layer.weighted_sum(a)
        new_a = layer.activation.f(z)
        if np.shares_memory(new_a, z):      # an activation that works in place: keep z
            new_a = new_a.copy()
        out.append(LayerTrace(i, "Dense", layer.activation, a, z, new_a))
        a = new_a
    return out


def trace(net: Any, X: Any) -> Trace:
    """Forward pass that keeps every layer's weighted sums and activation values.

    Runs in prediction mode (Dropout is the identity) and computes fresh arrays: the
    layers' cached ``x``/``z``/``a`` and the network's random state are left alone.

    Parameters
    ----------
    net : Network
    X : array-like of shape (n_samples, n_inputs)

    Returns
    -------
    Trace
        ``t.layers[i].z`` and ``t.layers[i].a`` for the layer at position ``i`` of
        ``net.layers``; ``t.layers[i].neuron(j)`` for one neuron.
    """
    X = net.check_inputs(X)
    return Trace(X, _forward(net, X))


# ---------------------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------------------

def _one_input(net: Any, x: Any) -> np.ndarray:
    arr = check_array(x, "x", ndim=(1, 2), dtype=net.dtype, vector_index="column")
    if arr.ndim == 2:
        if arr.shape[0] != 1:
            raise ShapeError(f"explain() takes one input vector, got {arr.shape[0]} rows (shape {arr.shape}); "
                             "pick one row, e.g. X[3]")
    else:
        arr = arr.reshape(1, -1)
    return net.check_inputs(arr, "x")


def explain(net: Any, x: Any, layer: int, neuron: int, threshold: float | None = None) -> NeuronExplanation:
    """Every step of one neuron's computation, as in the worked example, for a (trained)
    network on one input.

    Parameters
    ----------
    net : Network
    x : array-like of shape (n_inputs,) (or (1, n_inputs))
        One sample.
    layer : int
        Position of a Dense layer in ``net.layers`` (negative counts from the end).
    neuron : int
        Index of the neuron in that layer.
    threshold : float, optional
        Firing threshold on the activation value (default: the activation's own).

    Returns
    -------
    NeuronExplanation
        ``inputs`` are the previous layer's activation values (the network's inputs for
        the first layer), then ``weights``, ``products``, ``bias``, ``weighted_sum`` (z),
        ``activation``, ``activation_value`` (a) and ``fires``.  For a softmax layer
        ``normalisation`` holds the whole layer's weighted sums: the activation value is
        ``e^z / Σ_j e^z_j`` over the layer.  ``str()`` prints it as arithmetic,
        ``.to_dict()`` returns plain values.  The numbers equal :func:`trace`'s.

    Raises
    ------
    IndexError
        For a layer or neuron index out of range (the message gives the valid range) or
        a Dropout layer.
    ShapeError
        For an input of the wrong size.
    """
    i = _layer_index(net, layer)
    dense: Dense = net.layers[i]
    j = _neuron_index(dense, i, neuron)
    if threshold is not None:
        threshold = _finite("threshold", threshold)
    X = _one_input(net, x)
    lt = _forward(net, X, upto=i)[i]
    inputs = lt.x[0]
    w = dense.W[:, j]
    products = inputs * w
    act = dense.activation
    z = float(lt.z[0, j])
    a = float(lt.a[0, j])
    fires = bool(_fires(act, lt.a, threshold)[0, j])
    thr = NeuronExplanation.threshold_for(act, dense.n_out, threshold)
    prev = _previous_dense(net, i)
    if prev is None:
        names = net.metadata.get("feature_names") if isinstance(getattr(net, "metadata", None), dict) else None
        if names is None or len(names) != len(inputs):
            names = [f"x{k}" for k in range(len(inputs))]
        names = [str(n) for n in names]
    else:
        names = [f"layer {prev}, neuron {k}" for k in range(len(inputs))]
    return NeuronExplanation(
        inputs=inputs.tolist(), weights=w.tolist(), products=products.tolist(),
        bias=float(dense.b[j]) if dense.use_bias else 0.0, weighted_sum=z, activation=act.name,
        activation_value=a, threshold=thr, fires=fires, layer=i, neuron=j, input_names=names,
        normalisation=lt.z[0].tolist() if act.name == "softmax" else None,
    )


def _previous_dense(net: Any, i: int) -> int | None:
    for k in range(i - 1, -1, -1):
        if isinstance(net.layers[k], Dense):
            return k
    return None
