"""Traces and explanations: :func:`trace` (a forward pass that keeps every layer's
weighted sums and activation values, and with targets the backward pass too) and
:func:`explain` (one neuron's arithmetic on one input).

A trace computes each Dense layer as the network does,
:meth:`Dense.weighted_sum <neuronlab.layers.Dense.weighted_sum>` and then the activation,
so its numbers are the network's own, but into fresh arrays: the layers' caches, the
gradient buffer and the network's random state are left alone.  Given targets, it then
backpropagates as :meth:`Network.backward <neuronlab.network.Network.backward>` does, layer
by layer from the output, and keeps each layer's ``dL/da``, ``delta`` (``dL/dz``), ``dW``
and ``db``: the gradients one step of ``fit`` on this batch would apply.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, cast

import numpy as np
from numpy.typing import ArrayLike

from ..activations import Activation
from ..errors import ShapeError
from .. import losses
from .._util import html
from .._util.validate import check_array, check_index, check_nonnegative
from ..layers import Dense, Dropout
from ..neuron import NeuronExplanation
from .common import _fires, _finite, _layer_index, _neuron_index

if TYPE_CHECKING:
    from ..network import Network

# ---------------------------------------------------------------------------------------
# trace
# ---------------------------------------------------------------------------------------

@dataclass
class NeuronTrace:
    """One neuron over the traced samples: weighted sums ``z`` and activation values ``a``
    (each of shape (n_samples,)) and whether it ``fires`` on each sample; for a trace with
    targets also ``dL_da`` and ``delta`` (``dL/dz``), each of shape (n_samples,)."""

    layer: int
    neuron: int
    z: np.ndarray | None
    a: np.ndarray
    fires: np.ndarray | None
    dL_da: np.ndarray | None = None
    delta: np.ndarray | None = None


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

    With targets (``trace(net, X, y)``) the backward pass fills, for this batch's loss ``L``:

    dL_da : ndarray of shape (n_samples, n_units) or None
        ``∂L/∂a``: from the loss for the output layer (None when the output activation
        and the loss are fused, softmax + cross_entropy or sigmoid + binary_crossentropy,
        whose ``delta`` is ``a − y`` at once), ``Σ_k w_jk·δ_k`` of the layer above for a
        hidden layer.  A Dropout layer passes it through unchanged.
    delta : ndarray of shape (n_samples, n_units) or None
        ``δ = ∂L/∂z = ∂L/∂a × f′(z)`` (softmax: its Jacobian applied to ``∂L/∂a``);
        None for Dropout.  ``L`` is the mean over the samples, so each row carries the
        sample's share (``1/n``, or ``w_i/Σw`` with sample weights).
    dW : ndarray of shape (n_in, n_units) or None
        ``∂L/∂W = xᵀ·δ`` (plus the penalty's gradient when ``l1``/``l2`` are given).
    db : ndarray of shape (n_units,) or None
        ``∂L/∂b = Σ_samples δ``.
    """

    index: int
    kind: str
    activation: Activation | None
    x: np.ndarray
    z: np.ndarray | None
    a: np.ndarray
    dL_da: np.ndarray | None = None
    delta: np.ndarray | None = None
    dW: np.ndarray | None = None
    db: np.ndarray | None = None

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

        def column(v: np.ndarray | None) -> np.ndarray | None:
            return None if v is None else v[:, j].copy()

        return NeuronTrace(self.index, j, column(self.z), self.a[:, j].copy(),
                           None if fires is None else fires[:, j], column(self.dL_da), column(self.delta))

    def __repr__(self) -> str:
        act = f", activation={self.activation.name!r}" if self.activation is not None else ""
        return f"LayerTrace(index={self.index}, kind={self.kind!r}{act}, a.shape={self.a.shape})"

    def _repr_html_(self) -> str:
        """The layer's shapes and a few numbers per neuron, for notebooks."""
        return _layer_trace_html(self)


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
    y : ndarray or None
        The targets as the loss takes them (None without targets).
    loss : float or None
        With targets: the batch loss exactly as a training step on this batch computes it
        (the weighted mean with ``sample_weight``; plus the penalty with ``l1``/``l2``).
    penalty : float
        The ``l1``/``l2`` weight penalty included in ``loss`` (0 without).
    sample_weight : ndarray or None
    l1, l2 : float
    """

    def __init__(self, X: np.ndarray, layers: list[LayerTrace], y: np.ndarray | None = None,
                 loss: float | None = None, penalty: float = 0.0, sample_weight: np.ndarray | None = None,
                 l1: float = 0.0, l2: float = 0.0) -> None:
        self.X = X
        self.layers = layers
        self.dense = [l for l in layers if l.kind == "Dense"]
        self.output = layers[-1].a
        self.y, self.loss, self.penalty = y, loss, penalty
        self.sample_weight, self.l1, self.l2 = sample_weight, l1, l2

    @property
    def has_gradients(self) -> bool:
        """Whether the trace ran the backward pass (it was given targets)."""
        return self.y is not None

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> LayerTrace:
        return self.layers[i]

    def __iter__(self) -> Iterator[LayerTrace]:
        return iter(self.layers)

    def __repr__(self) -> str:
        kinds = ", ".join(f"{l.index}:{l.kind}({l.n_units})" for l in self.layers)
        loss = "" if self.loss is None else f"; loss {self.loss:.6g}"
        return f"Trace({len(self.X)} samples; layers {kinds}{loss})"

    def _repr_html_(self) -> str:
        """One row per layer (kind, activation, shapes, activation values), for notebooks."""
        return _trace_html(self)


#: the most neurons the HTML of a :class:`LayerTrace` lists
TRACE_ROWS = 16


def _firing_share(lt: LayerTrace) -> np.ndarray | None:
    """Per neuron, the share of the samples on which it fires (None for Dropout)."""
    fires = lt.fires
    return None if fires is None else fires.mean(axis=0)


def _trace_html(t: Trace) -> str:
    """A trace as HTML: per layer its kind, activation, input and output shapes, the range
    and mean of its activation values and the share of (sample, neuron) pairs that fire."""
    rows = []
    with np.errstate(all="ignore"):          # a display reads whatever the arrays hold, inf included
        for lt in t.layers:
            a = lt.a.astype(np.float64)
            share = _firing_share(lt)
            rows.append((lt.index, lt.kind, lt.activation.name if lt.activation is not None else None,
                         f"{lt.x.shape} → {lt.a.shape}", float(a.min()), float(a.mean()), float(a.max()),
                         None if share is None else html.percent(share.mean())))
    return html.box(f"Trace: {len(t.X)} samples, {len(t.layers)} layers",
                    html.table(rows, ("layer", "kind", "activation", "x → a", "min a", "mean a", "max a",
                                      "% firing"), align="rlllrrrr", noun="layers"),
                    note="t.layers[i].z, .a, .x hold the arrays; t.layers[i].neuron(j) one neuron")


def _layer_trace_html(lt: LayerTrace) -> str:
    """One traced layer as HTML: its shapes, then per neuron (at most :data:`TRACE_ROWS`)
    the mean weighted sum, the mean and largest activation value and the firing share;
    neurons that never fire on these samples are tinted."""
    with np.errstate(all="ignore"):
        a = lt.a.astype(np.float64)
        z = None if lt.z is None else lt.z.astype(np.float64).mean(axis=0)
        mean, top, share = a.mean(axis=0), a.max(axis=0), _firing_share(lt)
        rows = [(j, None if z is None else float(z[j]), float(mean[j]), float(top[j]),
                 None if share is None else html.percent(share[j])) for j in range(lt.n_units)]
        header: tuple[str, ...] = ("neuron", "mean z", "mean a", "max a", "% firing")
        backward = _backward_columns(lt)
        if backward is not None:
            rows = [row + extra for row, extra in zip(rows, backward)]
            header += ("mean δ", "mean |dW|", "db")
    marks = [None if share is None or share[j] > 0 else "bad" for j in range(lt.n_units)]
    act = f", {lt.activation.name}" if lt.activation is not None else ""
    shapes = [("x", lt.x.shape), ("z", None if lt.z is None else lt.z.shape), ("a", lt.a.shape)]
    if backward is not None:
        shapes += [("δ", None if lt.delta is None else lt.delta.shape), ("dW", None if lt.dW is None else lt.dW.shape)]
    return html.box(f"LayerTrace: layer {lt.index} ({lt.kind}{act}), {len(lt.a)} samples",
                    html.facts([(k, None if v is None else str(v)) for k, v in shapes]),
                    html.table(rows, header, align="r" * len(header), highlight=marks, max_rows=TRACE_ROWS,
                               noun="neurons"),
                    note=None if backward is None else "δ = ∂L/∂z per sample; dW[:, j] = x.T @ δ[:, j] "
                                                       "(the gradient of the mean loss), db = Σ δ")


def _backward_columns(lt: LayerTrace) -> list[tuple] | None:
    """Per neuron, the mean δ, the mean |dW| of its weights and db; None without targets."""
    if lt.delta is None:
        return None
    delta = lt.delta.astype(np.float64).mean(axis=0)
    dW = None if lt.dW is None else np.abs(lt.dW.astype(np.float64)).mean(axis=0)
    db = None if lt.db is None else lt.db.astype(np.float64)
    return [(float(delta[j]), None if dW is None else float(dW[j]), None if db is None else float(db[j]))
            for j in range(lt.n_units)]


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


def _output_delta(net: Any, out: LayerTrace, y: np.ndarray, sw: np.ndarray | None) -> None:
    """The output layer's ``dL/da`` and ``delta``, as :meth:`Network.backward` starts."""
    assert out.activation is not None and out.z is not None      # the output layer is Dense
    if net.loss.fused_activation == out.activation.name:
        out.delta = net.loss.fused_gradient(out.a, y, sw)
    else:
        dL_da = out.dL_da = net.loss.gradient(out.a, y, sw)
        out.delta = out.activation.backward(out.z, out.a, dL_da)


def _backward(net: Any, layers: list[LayerTrace], y: np.ndarray, sw: np.ndarray | None,
              l1: float, l2: float) -> None:
    """Backpropagation into fresh arrays: each Dense trace gets ``delta``, ``dW`` and ``db``
    (and ``dL_da`` where it is not fused away), computed as the layers' own backward pass."""
    _output_delta(net, layers[-1], y, sw)
    grad: Any = None                                 # dL/da of the layer being visited
    for lt in reversed(layers):
        layer = net.layers[lt.index]
        if lt.kind == "Dropout":
            lt.dL_da = grad                         # the identity when predicting
            continue
        act = cast(Activation, lt.activation)      # a Dense layer's
        if lt.delta is None:                        # a hidden layer
            lt.dL_da = grad
            lt.delta = act.backward(cast(np.ndarray, lt.z), lt.a, grad)
        lt.dW = np.matmul(lt.x.T, lt.delta)
        if l1 or l2:
            lt.dW += losses.weight_penalty(layer.W, l1, l2)[1]
        lt.db = np.add.reduce(lt.delta, 0) if layer.use_bias else np.zeros(0, lt.delta.dtype)
        grad = np.matmul(lt.delta, layer.W.T)


def trace(net: Network, X: ArrayLike, y: ArrayLike | None = None, *, sample_weight: ArrayLike | None = None, l1: float = 0.0,
          l2: float = 0.0) -> Trace:
    """Forward pass that keeps every layer's weighted sums and activation values; with
    targets ``y``, the backward pass too.

    Runs in prediction mode (Dropout is the identity) and computes fresh arrays: the
    layers' cached ``x``/``z``/``a``, the network's ``gradients``, any optimizer and the
    network's random state are left alone.

    Parameters
    ----------
    net : Network
    X : array-like of shape (n_samples, n_inputs)
    y : array-like, optional
        Targets, as :meth:`Network.fit <neuronlab.network.Network.fit>` takes them.  With
        them the trace holds the batch loss ``t.loss`` and every Dense layer's
        ``dL_da``, ``delta`` (n_samples, units), ``dW`` and ``db``: exactly the gradients
        one plain gradient-descent step of ``fit`` on this batch applies.
    sample_weight : array-like of shape (n_samples,), optional
        Weights of the samples in the loss (only with ``y``).
    l1, l2 : float
        Weight penalties included in ``t.loss`` and ``dW`` (only with ``y``).

    Returns
    -------
    Trace
        ``t.layers[i].z`` and ``t.layers[i].a`` for the layer at position ``i`` of
        ``net.layers``; ``t.layers[i].neuron(j)`` for one neuron.

    Examples
    --------
    The worked example's neuron (0.5×0.1 + 0.6×0.2 + 0.3 = 0.47) feeding one output
    neuron, and the gradient of the squared error against the target 1:

    >>> import neuronlab as nl
    >>> net = nl.Network([nl.Dense(2, 1, activation="relu", weights=[[0.1], [0.2]], bias=[0.3]),
    ...                   nl.Dense(1, 1, activation="identity", weights=[[2.0]], bias=[0.0])],
    ...                  loss="mse", dtype="float64")
    >>> t = net.trace([[0.5, 0.6]], [1.0])
    >>> round(t.loss, 10)                       # (2 × 0.47 − 1)² = (−0.06)²
    0.0036
    >>> t.layers[1].delta.round(10)             # ∂L/∂a × identity′ = 2 × (0.94 − 1) × 1
    array([[-0.12]])
    >>> t.layers[0].delta.round(10)             # w × δ above × relu′(0.47) = 2 × (−0.12) × 1
    array([[-0.24]])
    >>> t.layers[0].dW.round(10)                # δ × x
    array([[-0.12 ],
           [-0.144]])
    """
    X = net.check_inputs(X)
    layers = _forward(net, X)
    if y is None:
        if sample_weight is not None or l1 or l2:
            raise ShapeError("sample_weight, l1 and l2 weigh the loss, which needs targets: pass y "
                             "(trace(X, y, ...)), or leave them out for a forward trace")
        return Trace(X, layers)
    y = net.check_targets(X, y)
    sw = net.check_sample_weight(X, sample_weight)
    l1, l2 = check_nonnegative("l1", l1), check_nonnegative("l2", l2)
    out = layers[-1]
    fused = net.loss.fused_activation == cast(Activation, out.activation).name
    loss = float(net.loss.value(out.a, y, sw, z=out.z if fused else None))
    penalty = net.penalty(l1, l2)
    _backward(net, layers, y, sw, l1, l2)
    return Trace(X, layers, y, loss + penalty, penalty, sw, l1, l2)


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


def explain(net: Network, x: ArrayLike, layer: int, neuron: int, threshold: float | None = None) -> NeuronExplanation:
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
    dense = cast(Dense, net.layers[i])               # _layer_index made sure it is Dense
    j = _neuron_index(dense, i, neuron)
    if threshold is not None:
        threshold = _finite("threshold", threshold)
    X = _one_input(net, x)
    lt = _forward(net, X, upto=i)[i]
    assert lt.z is not None                          # a Dense layer's trace
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
