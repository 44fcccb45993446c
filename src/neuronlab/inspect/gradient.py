"""One weight's gradient, explained: :func:`explain_gradient` (the chain rule of
backpropagation with a network's own numbers, and the gradient-descent step it makes).

Every number comes from :func:`~neuronlab.inspect.trace` with targets, which computes the
backward pass as training does, so the gradient is the one a step of ``fit`` on the same
batch applies, and the new weight is what plain SGD writes.

>>> import neuronlab as nl
>>> net = nl.Network([nl.Dense(2, 1, activation="relu", weights=[[0.1], [0.2]], bias=[0.3]),
...                   nl.Dense(1, 1, activation="identity", weights=[[2.0]], bias=[0.0])],
...                  loss="mse", dtype="float64")
>>> print(net.explain_gradient([0.5, 0.6], 1.0, layer=0, neuron=0, weight=1, learning_rate=0.5))
layer 0, neuron 0, weight 1 (from x1); loss mse on this sample: L = 0.0036
  ∂L/∂a = Σ_k w_jk·δ_k over layer 1 = 2 × (-0.12) = -0.24   (hidden layer: what the layer above sends back)
  ∂a/∂z = f′(z) = relu′(0.47) = 1
  δ = ∂L/∂z = ∂L/∂a × ∂a/∂z = -0.24 × 1 = -0.24
  ∂L/∂w = δ × x = -0.24 × 0.6 = -0.144
  gradient descent: w ← w − η·∂L/∂w = 0.2 − 0.5 × (-0.144) = 0.272
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike

from .. import activations, optimizers
from .._util import html
from .._util.text import format_number, table
from .._util.validate import check_array, check_index, check_positive
from ..errors import IndexRangeError, ShapeError
from ..layers import Dense, Dropout
from ..neuron import derivative_text, difference_text, factor, loss_derivative_text
from .common import _layer_index, _neuron_index
from .trace import LayerTrace, Trace, _previous_dense, trace

if TYPE_CHECKING:
    from ..network import Network

#: at most this many terms of a sum, and rows of a batch table, are printed
_SHOWN_TERMS = 8
_SHOWN_ROWS = 20


@dataclass
class GradientExplanation:
    """The chain rule behind one parameter's gradient (:func:`explain_gradient`).

    For one sample (``x`` 1-D) every per-sample field is a float; for a batch it is a
    list with one entry per sample, and ``gradient`` is the sum of the samples' shares
    (the loss is their mean, so each ``delta`` carries ``1/n``, or ``w_i/Σw``).

    Attributes
    ----------
    layer, neuron : int
        Position of the Dense layer in ``net.layers`` and the neuron in it.
    weight_index : int or None
        The weight's index (its input); None for the bias.
    source : str
        Where the weight's input comes from (``"x1"``, a feature name, ``"layer 0, neuron 3"``,
        or ``"bias"``).
    loss, activation : str
    n_samples : int
    output : bool
        Whether the layer is the output layer (``∂L/∂a`` from the loss).
    loss_value, penalty : float
        The batch loss (penalty included) and the ``l1``/``l2`` penalty in it.
    target : per sample, or None
        The neuron's target (output layer only; for class labels the one-hot entry).
    weighted_sum, activation_value : per sample
        The neuron's ``z`` and ``a``.
    dL_da : per sample, or None
        ``∂L/∂a``; None when the loss is fused with the output activation.
    da_dz : per sample, or None
        ``f′(z)``; None when fused, and for softmax, whose neurons are coupled.
    delta : per sample
        ``δ = ∂L/∂z``.
    input : per sample
        The value multiplying the weight (the previous layer's activation value; 1 for the bias).
    terms : list
        How ``∂L/∂a`` of a hidden neuron sums over the layer above: per sample a list of
        ``{"neuron", "weight", "delta", "product"}``; for a softmax output without the fused
        loss, the Jacobian-vector product's ``{"neuron", "activation_value", "dL_da", "product"}``.
    penalty_gradient : float
        ``l2·w + l1·sign(w)`` (0 for the bias and without penalties).
    gradient : float
        ``∂L/∂w`` (or ``∂L/∂b``): exactly the backward pass's.
    weight : float
        The parameter's value now.
    learning_rate, new_weight : float
        ``η`` and ``w − η·∂L/∂w`` as plain SGD computes it (in the network's dtype).
    fused : str or None
        ``"softmax and cross_entropy"`` (or sigmoid and binary_crossentropy) when ``δ = a − y``.
    loss_formula : str
        ``∂L/∂a`` as the loss's formula with the first sample's numbers.
    through : str
        What lies between this layer and the next Dense layer (a Dropout, the identity when predicting).
    next_layer : int or None
        The Dense layer whose deltas a hidden neuron's ``∂L/∂a`` sums.
    n_units : int
        Neurons in the layer.
    note : str
        Why the gradient is zero, when it is for a reason worth a word (step, a flat region).
    """

    layer: int
    neuron: int
    weight_index: int | None
    source: str
    loss: str
    activation: str
    n_samples: int
    output: bool
    loss_value: float
    penalty: float
    target: Any
    weighted_sum: Any
    activation_value: Any
    dL_da: Any
    da_dz: Any
    delta: Any
    input: Any
    terms: list = field(default_factory=list)
    penalty_gradient: float = 0.0
    gradient: float = 0.0
    weight: float = 0.0
    learning_rate: float = 0.01
    new_weight: float = 0.0
    fused: str | None = None
    loss_formula: str = ""
    through: str = ""
    next_layer: int | None = None
    n_units: int = 1
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain Python values (JSON-ready)."""
        return asdict(self)

    @property
    def name(self) -> str:
        """``"w"`` for a weight, ``"b"`` for the bias."""
        return "b" if self.weight_index is None else "w"

    def __repr__(self) -> str:
        what = "bias" if self.weight_index is None else f"weight={self.weight_index}"
        return (f"GradientExplanation(layer={self.layer}, neuron={self.neuron}, {what}, "
                f"gradient={self.gradient:.6g}, new_weight={self.new_weight:.6g})")

    def __str__(self) -> str:
        lines = [_head(self)]
        if self.n_samples == 1:
            lines += ["  " + line for line in _chain_lines(self, 0)]
            lines.append("  " + _gradient_line(self))
        else:
            lines += ["  " + line for line in _batch_lines(self)]
        lines.append("  " + _step_line(self))
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The chain rule as formulas, for notebooks."""
        return _gradient_explanation_html(self)


# ---------------------------------------------------------------------------------------
# explain_gradient
# ---------------------------------------------------------------------------------------

def explain_gradient(net: Network, x: ArrayLike, y: ArrayLike, layer: int, neuron: int, weight: int | None = None,
                     learning_rate: float | None = None, *, sample_weight: Any = None, l1: float = 0.0,
                     l2: float = 0.0) -> GradientExplanation:
    """The chain rule behind one weight's (or the bias's) gradient, with the network's
    numbers on ``x`` against targets ``y``, and the gradient-descent step it makes.

    Parameters
    ----------
    net : Network
    x : array-like of shape (n_inputs,) or (n_samples, n_inputs)
        One sample, or a batch (the gradient of the mean loss, with per-sample terms).
    y : array-like
        The targets of ``x``, as :meth:`Network.fit <neuronlab.network.Network.fit>` takes them
        (one target, or one row of targets, for a single sample).
    layer : int
        Position of a Dense layer in ``net.layers`` (negative counts from the end).
    neuron : int
        The neuron in that layer.
    weight : int, optional
        Which of the neuron's weights: the index of its input (the previous layer's neuron,
        or the feature for the first layer).  None (default) explains the bias, ``∂L/∂b = δ``.
    learning_rate : float, optional
        ``η`` of the step shown (default 0.01, plain SGD's).
    sample_weight, l1, l2
        As in ``fit``: weights of the samples in the loss and the weight penalties.

    Returns
    -------
    GradientExplanation
        ``str()`` prints the chain rule in the order a textbook derives it; ``.to_dict()``
        gives every number.

    Raises
    ------
    IndexError
        For a layer, neuron or weight out of range (the message gives the valid range), a
        Dropout position, or the bias of a layer without one.
    ShapeError
        For missing targets, or inputs or targets of the wrong shape.
    """
    i = _layer_index(net, layer)
    dense = cast(Dense, net.layers[i])               # _layer_index made sure it is Dense
    j = _neuron_index(dense, i, neuron)
    w_index = _weight_index(net, dense, i, j, weight)
    eta = optimizers.SGD().learning_rate if learning_rate is None else check_positive("learning_rate", learning_rate)
    X, one = _batch(net, x)
    t = trace(net, X, _batch_targets(net, y, one), sample_weight=sample_weight, l1=l1, l2=l2)
    lt = t.layers[i]
    assert lt.dW is not None and lt.db is not None   # a trace with targets has the backward pass
    g = _explanation(net, t, lt, j, w_index)
    g.learning_rate = float(eta)
    g.gradient = float(lt.db[j] if w_index is None else lt.dW[w_index, j])
    param = dense.b[j] if w_index is None else dense.W[w_index, j]
    g.weight = float(param)
    g.new_weight = float(param - net.dtype.type(eta) * net.dtype.type(g.gradient))
    if w_index is not None and (t.l1 or t.l2):
        g.penalty_gradient = float(t.l2 * param + t.l1 * np.sign(param))
    if not one:
        return g
    for name in ("target", "weighted_sum", "activation_value", "dL_da", "da_dz", "delta", "input"):
        v = getattr(g, name)
        setattr(g, name, None if v is None else v[0])
    g.terms = g.terms[0] if g.terms else []
    return g


def _weight_index(net: Any, dense: Dense, i: int, j: int, weight: Any) -> int | None:
    if weight is None:
        if not dense.use_bias:
            raise IndexRangeError(f"layer {i} has no biases (use_bias=False): pick a weight 0..{dense.n_in - 1}")
        return None
    return check_index("weight", weight, dense.n_in,
                       context=f"neuron {j} of layer {i} has {dense.n_in} weights, one per input; "
                               "weight=None explains its bias")


def _batch(net: Any, x: Any) -> tuple[np.ndarray, bool]:
    """``x`` as a batch, and whether it was one sample."""
    arr = check_array(x, "x", ndim=(1, 2), dtype=net.dtype, vector_index="column")
    one = arr.ndim == 1
    return net.check_inputs(arr.reshape(1, -1) if one else arr, "x"), one


def _batch_targets(net: Any, y: Any, one: bool) -> Any:
    """A single sample's target(s) as a batch of one (a number, or one row of k targets)."""
    if y is None:
        raise ShapeError("explain_gradient needs the targets y of x: the gradient is the loss's, and the loss "
                         "compares the output with them (e.g. explain_gradient(X[3], y[3], layer, neuron))")
    if not one:
        return y
    if np.ndim(y) == 0:
        return [y]
    arr = np.asarray(y)
    if arr.ndim == 1 and net.n_outputs > 1 and len(arr) == net.n_outputs:
        return arr.reshape(1, -1)
    return y


def _column(v: np.ndarray | None, j: int) -> list | None:
    return None if v is None else v[:, j].astype(np.float64).tolist()


def _target_column(t: Trace, j: int) -> list:
    y = cast(np.ndarray, t.y)
    if y.ndim == 1:                                   # class labels: the one-hot entry
        return (y == j).astype(np.float64).tolist()
    return y[:, j].astype(np.float64).tolist()


def _explanation(net: Any, t: Trace, lt: LayerTrace, j: int, w_index: int | None) -> GradientExplanation:
    """The per-sample numbers of neuron ``j`` of the traced layer ``lt``."""
    i, act = lt.index, lt.activation
    assert act is not None and lt.z is not None      # a Dense layer's trace
    output = i == _last_dense(net)
    fused = output and net.loss.fused_activation == act.name
    coupled = act.name == "softmax"
    da_dz = None if fused or coupled else act.derivative(lt.z)[:, j].astype(np.float64).tolist()
    source, inputs = _source(net, lt, w_index)
    g = GradientExplanation(
        layer=i, neuron=j, weight_index=w_index, source=source, loss=net.loss.name, activation=act.name,
        n_samples=len(t.X), output=output, loss_value=float(cast(float, t.loss)), penalty=float(t.penalty),
        target=_target_column(t, j) if output else None, weighted_sum=_column(lt.z, j),
        activation_value=_column(lt.a, j), dL_da=_column(lt.dL_da, j), da_dz=da_dz, delta=_column(lt.delta, j),
        input=inputs, fused=f"{act.name} and {net.loss.name}" if fused else None, n_units=lt.n_units,
    )
    if fused:
        g.loss_formula = "(a − y) / k" if net.loss.name == "binary_crossentropy" and lt.n_units > 1 else "a − y"
    elif output:
        a0, y0 = g.activation_value[0], g.target[0]
        g.loss_formula = loss_derivative_text(net.loss, a0, y0, lt.n_units)
    if coupled and not fused:
        dL_da = cast(np.ndarray, lt.dL_da)            # kept where the loss is not fused away
        g.terms = [[{"neuron": m, "activation_value": float(lt.a[s, m]), "dL_da": float(dL_da[s, m]),
                     "product": float(lt.a[s, m] * dL_da[s, m])} for m in range(lt.n_units)]
                   for s in range(len(t.X))]
    if not output:
        _hidden_terms(net, t, g)
    g.note = _note(act.name, g)
    return g


def _last_dense(net: Any) -> int:
    return max(k for k, l in enumerate(net.layers) if isinstance(l, Dense))


def _source(net: Any, lt: LayerTrace, w_index: int | None) -> tuple[str, list]:
    """The name of the weight's input and its value on each sample."""
    n = len(lt.x)
    if w_index is None:
        return "bias", [1.0] * n
    prev = _previous_dense(net, lt.index)
    if prev is None:
        names = net.metadata.get("feature_names") if isinstance(getattr(net, "metadata", None), dict) else None
        name = str(names[w_index]) if names is not None and len(names) == lt.x.shape[1] else f"x{w_index}"
    else:
        name = f"layer {prev}, neuron {w_index}"
    return name, lt.x[:, w_index].astype(np.float64).tolist()


def _hidden_terms(net: Any, t: Trace, g: GradientExplanation) -> None:
    """``∂L/∂a_j = Σ_k w_jk·δ_k`` over the next Dense layer, each term kept."""
    k = next(m for m in range(g.layer + 1, len(net.layers)) if isinstance(net.layers[m], Dense))
    between = [m for m in range(g.layer + 1, k) if isinstance(net.layers[m], Dropout)]
    if between:
        g.through = (f"through the Dropout at position {between[0]} (the identity when predicting: "
                     "no unit is dropped in a trace)")
    w_row = net.layers[k].W[g.neuron]
    deltas = cast(np.ndarray, t.layers[k].delta)
    g.next_layer = k
    g.terms = [[{"neuron": m, "weight": float(w_row[m]), "delta": float(deltas[s, m]),
                 "product": float(w_row[m] * deltas[s, m])} for m in range(len(w_row))]
               for s in range(g.n_samples)]


def _note(activation: str, g: GradientExplanation) -> str:
    if activation == "step":                         # one sample: the derivative's line says it
        return ("a step neuron's gradient is always 0: its slope is 0 everywhere (undefined at the threshold), so "
                "gradient descent cannot move this weight; a sigmoid is the smooth step that learns"
                ) if g.n_samples > 1 else ""
    if g.gradient == 0 and g.da_dz is not None and all(d == 0 for d in g.da_dz):
        return (f"{activation}′(z) is 0 on every sample here (the neuron is flat, e.g. a ReLU that does not fire), "
                "so no gradient reaches its weights")
    return ""


# ---------------------------------------------------------------------------------------
# The text
# ---------------------------------------------------------------------------------------

def _head(g: GradientExplanation) -> str:
    what = "bias" if g.weight_index is None else f"weight {g.weight_index} (from {g.source})"
    over = "on this sample" if g.n_samples == 1 else f"over {g.n_samples} samples (L is their mean)"
    pen = f", penalty {format_number(g.penalty)} included" if g.penalty else ""
    return f"layer {g.layer}, neuron {g.neuron}, {what}; loss {g.loss} {over}: L = {format_number(g.loss_value)}{pen}"


def _sum_text(products: list[tuple[float, float]]) -> str:
    parts = [f"{format_number(a) if k == 0 else factor(a)} × {factor(b)}"
             for k, (a, b) in enumerate(products[:_SHOWN_TERMS])]
    more = len(products) - _SHOWN_TERMS
    return " + ".join(parts) + (f" + … ({more} more terms)" if more > 0 else "")


def _pick(v: Any, s: int) -> Any:
    return v[s] if isinstance(v, list) else v


def _chain_lines(g: GradientExplanation, s: int) -> list[str]:
    """``∂L/∂a``, ``∂a/∂z`` and ``δ`` of sample ``s``, in the order of the chain rule."""
    a, z, d = _pick(g.activation_value, s), _pick(g.weighted_sum, s), format_number(_pick(g.delta, s))
    if g.fused is not None:
        y = _pick(g.target, s)
        diff = difference_text(a, y)
        numbers = f"({diff}) / {g.n_units}" if g.loss_formula.endswith("/ k") else diff
        return [f"δ = ∂L/∂z = {g.loss_formula} = {numbers} = {d}   "
                f"({g.fused} together: ∂L/∂a × ∂a/∂z simplifies to a − y)"]
    dL_da = _pick(g.dL_da, s)
    terms = g.terms[s] if g.terms and isinstance(g.terms[0], list) else g.terms
    if g.output:
        lines = [f"∂L/∂a = {g.loss_formula if s == 0 else 'the loss′'} = {format_number(dL_da)}   "
                 "(output layer: from the loss)"]
    else:
        sums = _sum_text([(t["weight"], t["delta"]) for t in terms])
        via = f", {g.through}" if g.through else ""
        lines = [f"∂L/∂a = Σ_k w_jk·δ_k over layer {g.next_layer} = {sums} = {format_number(dL_da)}   "
                 f"(hidden layer: what the layer above sends back{via})"]
    if g.activation == "softmax":
        inner = sum(t["product"] for t in terms) if g.output else None
        inner_text = format_number(inner) if inner is not None else "Σ_m a_m·∂L/∂a_m"
        lines.append("∂a/∂z: softmax couples the layer's neurons (∂a_j/∂z_m = a_j(δ_jm − a_m)), so δ is the "
                     "Jacobian-vector product")
        lines.append(f"δ = ∂L/∂z = a_j × (∂L/∂a_j − Σ_m a_m·∂L/∂a_m) = {format_number(a)} × "
                     f"({format_number(dL_da)} − {factor(inner) if inner is not None else inner_text}) = {d}")
        return lines
    da_dz = _pick(g.da_dz, s)
    lines.append(derivative_text(activations.get(g.activation), z, da_dz))
    lines.append(f"δ = ∂L/∂z = ∂L/∂a × ∂a/∂z = {format_number(dL_da)} × {factor(da_dz)} = {d}")
    return lines


def _gradient_line(g: GradientExplanation) -> str:
    d = _pick(g.delta, 0)
    if g.weight_index is None:
        return f"∂L/∂b = δ = {format_number(g.gradient)}"
    x = _pick(g.input, 0)
    if g.penalty_gradient:
        return (f"∂L/∂w = δ × x + l2·w + l1·sign(w) = {format_number(d)} × {factor(x)} + "
                f"{factor(g.penalty_gradient)} = {format_number(g.gradient)}")
    return f"∂L/∂w = δ × x = {format_number(d)} × {factor(x)} = {format_number(g.gradient)}"


def _step_line(g: GradientExplanation) -> str:
    p = g.name
    return (f"gradient descent: {p} ← {p} − η·∂L/∂{p} = {format_number(g.weight)} − "
            f"{format_number(g.learning_rate)} × {factor(g.gradient)} = {format_number(g.new_weight)}")


def _batch_lines(g: GradientExplanation) -> list[str]:
    """The per-sample table of a batch, then the sum that makes the gradient."""
    lines = ["each sample's δ carries its share of the mean (1/n, or w_i/Σw with sample weights)"]
    if g.fused is not None:
        lines.append(f"δ = ∂L/∂z = ({g.loss_formula}) × share   ({g.fused} together)")
    elif g.output:
        lines.append(f"∂L/∂a = {g.loss_formula.split(' = ')[0]} × share   (output layer: from the loss)")
    else:
        via = f", {g.through}" if g.through else ""
        lines.append(f"∂L/∂a = Σ_k w_jk·δ_k over layer {g.next_layer}   (hidden layer{via}; each sample's terms "
                     "are in .terms)")
    header = ["sample"] + (["y"] if g.output else []) + ["z", "a", "∂L/∂a", "∂a/∂z", "δ"]
    if g.weight_index is not None:
        header += ["x", "δ × x"]
    rows = []
    for s in range(min(g.n_samples, _SHOWN_ROWS)):
        row = [s] + ([format_number(g.target[s])] if g.output else [])
        row += [format_number(g.weighted_sum[s]), format_number(g.activation_value[s])]
        row += ["-" if g.dL_da is None else format_number(g.dL_da[s]),
                "-" if g.da_dz is None else format_number(g.da_dz[s]), format_number(g.delta[s])]
        if g.weight_index is not None:
            row += [format_number(g.input[s]), format_number(g.delta[s] * g.input[s])]
        rows.append(row)
    lines += table(rows, header, align="r" * len(header)).splitlines()
    if g.n_samples > _SHOWN_ROWS:
        lines.append(f"… ({g.n_samples - _SHOWN_ROWS} more samples)")
    if g.weight_index is None:
        lines.append(f"∂L/∂b = Σ δ = {format_number(g.gradient)}")
    elif g.penalty_gradient:
        lines.append(f"∂L/∂w = Σ δ × x + l2·w + l1·sign(w) = {format_number(g.gradient - g.penalty_gradient)} + "
                     f"{factor(g.penalty_gradient)} = {format_number(g.gradient)}")
    else:
        lines.append(f"∂L/∂w = Σ δ × x = {format_number(g.gradient)}")
    return lines


def _gradient_explanation_html(g: GradientExplanation) -> str:
    """The chain rule of ``str(g)`` as HTML: the heading in bold, every step a formula line."""
    head, *rest = str(g).split("\n")
    facts = [("∂L/∂" + g.name, g.gradient), ("η", g.learning_rate), ("new " + g.name, g.new_weight),
             ("loss", g.loss_value)]
    return html.box(head, html.facts(facts), html.formulas([line[2:] if line.startswith("  ") else line
                                                            for line in rest]))

