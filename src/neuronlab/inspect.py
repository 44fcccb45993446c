"""Looking inside a network: traces, one neuron's arithmetic, neuron health, gradient flow.

Floor 3 (learning and looking): imports NumPy and the floors below only.

* :func:`trace` — a forward pass that keeps every layer's weighted sums ``z`` and
  activation values ``a`` (as copies: the network's own caches are not touched);
* :func:`explain` — the seed-000 computation of any neuron of a trained network on one
  input: inputs, weights, products, bias, weighted sum, activation, fires or not;
* :func:`neuron_stats` — per neuron: mean, std, min and max activation value, firing
  rate, **dead** (never fires on the data) and **saturated** (derivative below ``1e-3``
  on at least 99 % of the samples, for saturating activations such as sigmoid and tanh);
* :func:`gradient_flow` — per layer: mean ``|dL/dW|``, its ratio to mean ``|W|`` and
  vanishing / exploding flags.

Layer indices are **positions in** ``net.layers`` everywhere (Dropout layers included),
the same numbers :meth:`Network.summary <neuronlab.network.Network.summary>` prints.

>>> import numpy as np, neuronlab as nl
>>> net = nl.Network([nl.Dense(2, 2, activation="relu", weights=[[0.1, -0.5], [0.2, 0.4]], bias=[0.3, -0.1]),
...                   nl.Dense(2, 1, activation="identity", weights=[[1.0], [1.0]], bias=[0.0])],
...                  loss="mse", dtype="float64")
>>> t = net.trace([[0.5, 0.6]])
>>> t.layers[0].z
array([[ 0.47, -0.11]])
>>> t.layers[0].a
array([[0.47, 0.  ]])
>>> print(net.explain([0.5, 0.6], layer=0, neuron=0))
layer 0, neuron 0: 0.5×0.1 + 0.6×0.2 + 0.3 = 0.47 → relu(0.47) = 0.47 → fires
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

import numpy as np

from .activations import Activation
from .errors import (ArgumentTypeError, HyperparameterError, IndexRangeError, ShapeError, check_array,
                     check_fraction, check_positive)
from .layers import Dense, Dropout
from .neuron import NeuronExplanation

__all__ = [
    "NeuronWarning", "trace", "Trace", "LayerTrace", "NeuronTrace", "explain",
    "neuron_stats", "NeuronStats", "LayerStats", "LayerSummary",
    "gradient_flow", "GradientFlow", "LayerGradient",
]

#: default: a neuron is saturated when ``|f'(z)|`` is below this ...
SATURATION_DERIVATIVE = 1e-3
#: ... on at least this fraction of the samples
SATURATION_FRACTION = 0.99
#: number of histogram bins kept per layer in :class:`LayerStats`
HISTOGRAM_BINS = 30


class NeuronWarning(UserWarning):
    """A training run shows a neuron-health problem: dead or saturated neurons,
    vanishing or exploding gradients (see :class:`neuronlab.callbacks.NeuronMonitor`)."""


# ---------------------------------------------------------------------------------------
# Index checks
# ---------------------------------------------------------------------------------------

def _dense_positions(net: Any) -> list[int]:
    return [i for i, l in enumerate(net.layers) if isinstance(l, Dense)]


def _layer_index(net: Any, layer: Any) -> int:
    """``layer`` as a non-negative position of a Dense layer in ``net.layers``."""
    n = len(net.layers)
    dense = _dense_positions(net)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)):
        raise ArgumentTypeError(f"layer must be an integer position in net.layers (0..{n - 1}), got {layer!r}")
    i = int(layer)
    if not -n <= i < n:
        raise IndexRangeError(
            f"layer {i} does not exist: this network has {n} layers, valid layer indices are 0..{n - 1} "
            f"(or -{n}..-1); its Dense layers are at {dense}"
        )
    i %= n
    if not isinstance(net.layers[i], Dense):
        raise IndexRangeError(
            f"layer {i} is {net.layers[i]!r}, which has no neurons of its own; "
            f"pick a Dense layer: {dense}"
        )
    return i


def _neuron_index(layer: Dense, i: int, neuron: Any) -> int:
    if isinstance(neuron, bool) or not isinstance(neuron, (int, np.integer)):
        raise ArgumentTypeError(f"neuron must be an integer in 0..{layer.n_out - 1}, got {neuron!r}")
    j = int(neuron)
    if not -layer.n_out <= j < layer.n_out:
        raise IndexRangeError(
            f"neuron {j} does not exist: layer {i} ({layer!r}) has {layer.n_out} neurons, "
            f"valid neuron indices are 0..{layer.n_out - 1}"
        )
    return j % layer.n_out


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


def _fires(act: Activation, a: np.ndarray, threshold: float | None) -> np.ndarray:
    if threshold is not None:
        return a > threshold
    return np.asarray(act.fires(a), dtype=bool)


def _threshold_value(act: Activation, n_units: int, threshold: float | None) -> float | None:
    """The threshold on activation values actually used (softmax: the uniform share 1/k)."""
    if threshold is not None:
        return threshold
    if act.name == "softmax":
        return 1.0 / n_units
    if act.name == "step":
        return 0.5  # a step neuron's value is 0 or 1 and it fires at a = 1
    return act.threshold


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
        if isinstance(j, bool) or not isinstance(j, (int, np.integer)) or not -self.n_units <= j < self.n_units:
            raise IndexRangeError(f"neuron {j!r} does not exist: layer {self.index} has {self.n_units} units, "
                             f"valid neuron indices are 0..{self.n_units - 1}")
        j = int(j) % self.n_units
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
        if isinstance(layer, Dense):
            z = a @ layer.W
            if layer.use_bias:
                z += layer.b
            new_a = layer.activation.f(z)
            if new_a is z or np.shares_memory(new_a, z):
                new_a = new_a.copy()
            out.append(LayerTrace(i, "Dense", layer.activation, a, z, new_a))
            a = new_a
        elif isinstance(layer, Dropout):
            out.append(LayerTrace(i, "Dropout", None, a, None, a))
        else:  # pragma: no cover - only Dense and Dropout exist
            raise ArgumentTypeError(f"cannot trace layer {i} of type {type(layer).__name__}")
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
    """The seed-000 computation of one neuron of a (trained) network on one input.

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
    thr = _threshold_value(act, dense.n_out, threshold)
    if act.name == "step" and threshold is None:
        thr = act.threshold  # reported as the step's θ on z, as Neuron.explain does
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


# ---------------------------------------------------------------------------------------
# neuron_stats
# ---------------------------------------------------------------------------------------

@dataclass
class LayerStats:
    """Health of the neurons of one Dense layer over a data set (arrays have one entry per neuron).

    Attributes
    ----------
    index : int
        Position in ``net.layers``.
    activation : str
    threshold : float or None
        Firing threshold on the activation values (softmax: ``1/k``).
    n_samples : int
    mean, std, min, max : ndarray of shape (n_neurons,)
        Of the activation values.
    firing_rate : ndarray
        Fraction of samples on which each neuron fires.
    saturation : ndarray
        Fraction of samples on which ``|f'(z)|`` is below the saturation derivative
        (all zeros for non-saturating activations).
    dead : ndarray of bool
        Never fires on the data.
    saturated : ndarray of bool
        ``saturation >= saturation_fraction`` and the activation is saturating.
    hist_counts, hist_edges : ndarray
        Histogram of all the layer's activation values (for plots).
    """

    index: int
    activation: str
    saturating: bool
    threshold: float | None
    n_samples: int
    mean: np.ndarray
    std: np.ndarray
    min: np.ndarray
    max: np.ndarray
    firing_rate: np.ndarray
    saturation: np.ndarray
    dead: np.ndarray
    saturated: np.ndarray
    hist_counts: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    hist_edges: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    is_output: bool = False

    @property
    def n_neurons(self) -> int:
        return int(self.mean.shape[0])

    @property
    def firing_fraction(self) -> float:
        """Share of (sample, neuron) pairs that fire: the mean firing rate."""
        return float(self.firing_rate.mean())

    @property
    def dead_fraction(self) -> float:
        """Share of the layer's neurons that are dead."""
        return float(self.dead.mean())

    @property
    def saturated_fraction(self) -> float:
        """Share of the layer's neurons that are saturated."""
        return float(self.saturated.mean())

    @property
    def dead_neurons(self) -> list[int]:
        return [int(k) for k in np.flatnonzero(self.dead)]

    @property
    def saturated_neurons(self) -> list[int]:
        return [int(k) for k in np.flatnonzero(self.saturated)]

    def to_dict(self) -> dict[str, Any]:
        """Plain Python values (JSON-ready)."""
        return {
            "layer": self.index, "activation": self.activation, "threshold": self.threshold,
            "n_samples": self.n_samples, "n_neurons": self.n_neurons, "is_output": self.is_output,
            "mean": self.mean.tolist(), "std": self.std.tolist(), "min": self.min.tolist(),
            "max": self.max.tolist(), "firing_rate": self.firing_rate.tolist(),
            "saturation": self.saturation.tolist(), "dead": self.dead.tolist(),
            "saturated": self.saturated.tolist(), "firing_fraction": self.firing_fraction,
            "dead_fraction": self.dead_fraction, "saturated_fraction": self.saturated_fraction,
        }


class LayerSummary:
    """Per layer: % firing, % dead, % saturated.  Printing it gives a table; iterating
    gives one dict per Dense layer."""

    columns = ("layer", "activation", "neurons", "firing", "dead", "saturated")

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, k: int) -> dict[str, Any]:
        return self.rows[k]

    def to_dict(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.rows]

    def __str__(self) -> str:
        head = ("layer", "activation", "neurons", "% firing", "% dead", "% saturated")
        body = [(str(r["layer"]) + (" (output)" if r["is_output"] else ""), r["activation"], str(r["neurons"]),
                 f"{100 * r['firing']:.1f}", f"{100 * r['dead']:.1f}",
                 f"{100 * r['saturated']:.1f}" if r["saturating"] else "-") for r in self.rows]
        widths = [max(len(row[c]) for row in [head] + body) for c in range(len(head))]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)), "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in body]
        return "\n".join(line.rstrip() for line in lines)

    __repr__ = __str__


class NeuronStats:
    """The result of :func:`neuron_stats`: one :class:`LayerStats` per Dense layer.

    ``stats.layers`` lists them in order; ``stats[i]`` looks one up by its position in
    ``net.layers``.  ``stats.dead`` and ``stats.saturated`` list ``(layer, neuron)`` pairs.
    """

    def __init__(self, layers: list[LayerStats], settings: dict[str, Any]) -> None:
        self.layers = layers
        self.settings = settings

    def __getitem__(self, index: int) -> LayerStats:
        for l in self.layers:
            if l.index == index:
                return l
        raise IndexRangeError(f"no Dense layer at position {index}; Dense layers are at {[l.index for l in self.layers]}")

    def __iter__(self) -> Iterator[LayerStats]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def dead(self) -> list[tuple[int, int]]:
        return [(l.index, k) for l in self.layers for k in l.dead_neurons]

    @property
    def saturated(self) -> list[tuple[int, int]]:
        return [(l.index, k) for l in self.layers for k in l.saturated_neurons]

    def layer_summary(self) -> LayerSummary:
        """Per Dense layer: share of firing (mean firing rate), dead and saturated neurons."""
        return LayerSummary([
            {"layer": l.index, "activation": l.activation, "neurons": l.n_neurons, "is_output": l.is_output,
             "saturating": l.saturating, "firing": l.firing_fraction, "dead": l.dead_fraction,
             "saturated": l.saturated_fraction}
            for l in self.layers])

    def worst(self, n: int = 5) -> list[dict[str, Any]]:
        """The ``n`` least healthy neurons: dead ones first, then saturated ones, then the
        ones that fire least often."""
        rows = []
        for l in self.layers:
            for k in range(l.n_neurons):
                rank = 0 if l.dead[k] else 1 if l.saturated[k] else 2
                rows.append((rank, float(l.firing_rate[k]), l.index, k, l))
        rows.sort(key=lambda r: r[:4])
        return [{"layer": idx, "neuron": k, "activation": l.activation, "firing_rate": rate,
                 "dead": bool(l.dead[k]), "saturated": bool(l.saturated[k]), "mean": float(l.mean[k]),
                 "max": float(l.max[k])} for _, rate, idx, k, l in rows[:max(int(n), 0)]]

    def to_dict(self) -> dict[str, Any]:
        return {"settings": dict(self.settings), "layers": [l.to_dict() for l in self.layers]}

    def __str__(self) -> str:
        return str(self.layer_summary())

    def __repr__(self) -> str:
        parts = ", ".join(f"{l.index}: {l.dead_fraction:.0%} dead, {l.saturated_fraction:.0%} saturated"
                          for l in self.layers)
        return f"NeuronStats({parts})"


def neuron_stats(net: Any, X: Any, threshold: Any = None, saturation_derivative: float = SATURATION_DERIVATIVE,
                 saturation_fraction: float = SATURATION_FRACTION) -> NeuronStats:
    """Activation statistics and health of every neuron on the data ``X``.

    Parameters
    ----------
    net : Network
    X : array-like of shape (n_samples, n_inputs)
    threshold : float or dict, optional
        Firing threshold on the activation values, for every layer (a float) or per
        layer position (``{0: 0.1}``); default: each activation's own (registry).
    saturation_derivative : float
        A neuron is saturated on a sample when ``|f'(z)|`` is below this (default 1e-3) ...
    saturation_fraction : float in (0, 1]
        ... on at least this share of the samples (default 0.99).  Only saturating
        activations (sigmoid, tanh, softsign, hard_*, softmax) can be saturated.

    Returns
    -------
    NeuronStats
        Per neuron: mean, std, min, max activation value, firing rate, dead, saturated;
        ``stats.layer_summary()`` per layer.
    """
    X = net.check_inputs(X)
    thresholds = _thresholds(net, threshold)
    saturation_derivative = check_positive("saturation_derivative", saturation_derivative)
    saturation_fraction = check_fraction("saturation_fraction", saturation_fraction,
                                         low_inclusive=False, high_inclusive=True)
    layers = []
    last = _dense_positions(net)[-1]
    for lt in _forward(net, X):
        if lt.kind != "Dense":
            continue
        layers.append(_layer_stats(lt, thresholds[lt.index], saturation_derivative, saturation_fraction,
                                   lt.index == last))
    return NeuronStats(layers, {"threshold": threshold, "saturation_derivative": saturation_derivative,
                                "saturation_fraction": saturation_fraction, "n_samples": len(X)})


def _layer_stats(lt: LayerTrace, threshold: float | None, sat_d: float, sat_f: float, is_output: bool) -> LayerStats:
    act = lt.activation
    a = lt.a.astype(np.float64)
    n, k = a.shape
    fires = _fires(act, lt.a, threshold)
    rate = fires.mean(axis=0)
    if act.saturating:
        d = np.abs(act.derivative(lt.z.astype(np.float64)))
        saturation = (d < sat_d).mean(axis=0)
    else:
        saturation = np.zeros(k)
    # min/max/mean/std in float64: no overflow even for huge activation values
    mean = a.mean(axis=0)
    std = a.std(axis=0)
    lo, hi = float(a.min()), float(a.max())
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(a, bins=HISTOGRAM_BINS, range=(lo, hi))
    return LayerStats(
        index=lt.index, activation=act.name, saturating=bool(act.saturating),
        threshold=_threshold_value(act, k, threshold), n_samples=n, mean=mean, std=std,
        min=a.min(axis=0), max=a.max(axis=0), firing_rate=rate, saturation=saturation,
        dead=rate == 0.0, saturated=(saturation >= sat_f) & bool(act.saturating),
        hist_counts=counts, hist_edges=edges, is_output=is_output,
    )


# ---------------------------------------------------------------------------------------
# gradient_flow
# ---------------------------------------------------------------------------------------

@dataclass
class LayerGradient:
    """Gradient facts of one Dense layer (see :func:`gradient_flow`).

    Attributes
    ----------
    index : int
        Position in ``net.layers``.
    grad_mean_abs : float
        Mean ``|dL/dW|`` over the layer's weights.
    weight_mean_abs : float
        Mean ``|W|``.
    grad_to_weight : float
        ``grad_mean_abs / weight_mean_abs`` (inf when the weights are all zero).
    relative : float
        ``grad_mean_abs`` divided by the largest layer's (1.0 for the strongest layer).
    bias_grad_mean_abs : float
        Mean ``|dL/db|`` (0 without biases).
    vanishing, exploding : bool
    """

    index: int
    activation: str
    grad_mean_abs: float
    weight_mean_abs: float
    grad_to_weight: float
    relative: float
    bias_grad_mean_abs: float
    vanishing: bool
    exploding: bool

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.index, "activation": self.activation, "grad_mean_abs": self.grad_mean_abs,
                "weight_mean_abs": self.weight_mean_abs, "grad_to_weight": self.grad_to_weight,
                "relative": self.relative, "bias_grad_mean_abs": self.bias_grad_mean_abs,
                "vanishing": self.vanishing, "exploding": self.exploding}


class GradientFlow:
    """The result of :func:`gradient_flow`: one :class:`LayerGradient` per Dense layer, from
    the first layer to the output layer.  ``flow[i]`` looks one up by its position in
    ``net.layers``; ``flow.vanishing`` / ``flow.exploding`` list the flagged positions."""

    def __init__(self, layers: list[LayerGradient], loss: float, settings: dict[str, Any]) -> None:
        self.layers = layers
        self.loss = loss
        self.settings = settings

    def __getitem__(self, index: int) -> LayerGradient:
        for l in self.layers:
            if l.index == index:
                return l
        raise IndexRangeError(f"no Dense layer at position {index}; Dense layers are at {[l.index for l in self.layers]}")

    def __iter__(self) -> Iterator[LayerGradient]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def vanishing(self) -> list[int]:
        return [l.index for l in self.layers if l.vanishing]

    @property
    def exploding(self) -> list[int]:
        return [l.index for l in self.layers if l.exploding]

    def to_dict(self) -> dict[str, Any]:
        return {"loss": self.loss, "settings": dict(self.settings), "layers": [l.to_dict() for l in self.layers]}

    def __str__(self) -> str:
        head = ("layer", "activation", "mean |dL/dW|", "mean |W|", "|dL/dW| / |W|", "vs strongest", "flag")
        body = []
        for l in self.layers:
            flag = "vanishing" if l.vanishing else "exploding" if l.exploding else ""
            body.append((str(l.index), l.activation, f"{l.grad_mean_abs:.3g}", f"{l.weight_mean_abs:.3g}",
                         f"{l.grad_to_weight:.3g}", f"{l.relative:.3g}", flag))
        widths = [max(len(r[c]) for r in [head] + body) for c in range(len(head))]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)), "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in body]
        return "\n".join(line.rstrip() for line in lines)

    __repr__ = __str__


def gradient_flow(net: Any, X: Any, y: Any, sample_weight: Any = None, vanishing: float = 1e-3,
                  exploding: float = 10.0) -> GradientFlow:
    """How strongly the loss gradient reaches each layer.

    One forward and backward pass over ``(X, y)`` in prediction mode (no dropout, no
    RNG drawn).  The network's ``gradients`` buffer is restored afterwards, so this is
    safe to call from a callback in the middle of training.

    Parameters
    ----------
    net : Network
    X, y : array-like
        Data and targets, as for :meth:`Network.fit`.
    sample_weight : array-like, optional
    vanishing : float
        A layer's gradients are **vanishing** when its mean ``|dL/dW|`` is below this
        fraction of the strongest layer's (default 1e-3: a thousand times weaker) — the
        signature of a deep stack of saturating activations — or when no gradient reaches
        any layer at all.
    exploding : float
        A layer's gradients are **exploding** when mean ``|dL/dW|`` exceeds ``exploding``
        times mean ``|W|`` (default 10: one plain gradient step of learning rate 0.1
        would change the weights by more than their own size), or is not finite.

    Returns
    -------
    GradientFlow
    """
    X = net.check_inputs(X)
    y = net.check_targets(X, y)
    sw = net.check_sample_weight(X, sample_weight)
    vanishing = check_positive("vanishing", vanishing)
    exploding = check_positive("exploding", exploding)
    saved = net.gradients.copy()
    try:
        net.forward(X, training=False)
        loss = net.loss_value(y, sw)
        net.backward(y, sw)
        raw = []
        for pos in _dense_positions(net):
            layer: Dense = net.layers[pos]
            dW = np.abs(layer.dW.astype(np.float64))
            W = np.abs(layer.W.astype(np.float64))
            g = float(dW.mean())
            w = float(W.mean())
            gb = float(np.abs(layer.db.astype(np.float64)).mean()) if layer.use_bias else 0.0
            raw.append((pos, layer.activation.name, g, w, gb))
    finally:
        net.gradients[...] = saved
    finite = [g for (_, _, g, _, _) in raw if math.isfinite(g)]
    strongest = max(finite) if finite else 0.0
    out = []
    for pos, name, g, w, gb in raw:
        if not math.isfinite(g):
            rel, ratio = float("nan"), float("inf")
        else:
            rel = g / strongest if strongest > 0 else 0.0
            ratio = g / w if w > 0 else (float("inf") if g > 0 else 0.0)
        van = math.isfinite(g) and (strongest == 0.0 or rel < vanishing)
        exp = (not math.isfinite(g)) or (w > 0 and ratio > exploding)
        out.append(LayerGradient(pos, name, g, w, ratio, rel, gb, bool(van), bool(exp)))
    return GradientFlow(out, float(loss), {"vanishing": vanishing, "exploding": exploding, "n_samples": len(X)})
