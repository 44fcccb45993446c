"""One neuron: weighted sum, activation value, firing, and a step-by-step explanation.

The worked example, executable::

    >>> import neuronlab as nl
    >>> n = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
    >>> round(n.weighted_sum([0.5, 0.6]), 10)       # 0.5×0.1 + 0.6×0.2 + 0.3
    0.47
    >>> round(n.activation_value([0.5, 0.6]), 10)   # relu(0.47)
    0.47
    >>> n.fires([0.5, 0.6])                          # 0.47 > relu's threshold 0
    True
    >>> print(n.explain([0.5, 0.6]))
    0.5×0.1 + 0.6×0.2 + 0.3 = 0.47 → relu(0.47) = 0.47 → fires

A neuron learns by gradient descent: the derivative of a loss against a target, taken
back through its activation by the chain rule, says how to move each weight::

    >>> g = n.learn([0.5, 0.6], target=1.0, learning_rate=0.1)   # loss mse: (0.47 − 1)²
    >>> print(g)
    one neuron, loss mse against the target 1: a = relu(0.47) = 0.47, L = 0.2809
      ∂L/∂a = 2(a − y)/k = 2 × (0.47 − 1) = -1.06
      ∂a/∂z = f′(z) = relu′(0.47) = 1
      δ = ∂L/∂z = ∂L/∂a × ∂a/∂z = -1.06 × 1 = -1.06
      ∂L/∂w0 = δ × x0 = -1.06 × 0.5 = -0.53
      ∂L/∂w1 = δ × x1 = -1.06 × 0.6 = -0.636
      ∂L/∂b = δ = -1.06
      gradient descent (η = 0.1): each parameter p ← p − η·∂L/∂p
        w0 ← 0.1 − 0.1 × (-0.53) = 0.153
        w1 ← 0.2 − 0.1 × (-0.636) = 0.2636
        b ← 0.3 − 0.1 × (-1.06) = 0.406
      after the step: a = 0.6407, L = 0.1291 (was 0.2809)

A neuron taken from a layer (``layer.neuron(j)``) is a *view*: its weights are column
``j`` of the layer's weight matrix and change as the network trains (it learns with its
network: :meth:`Network.explain_gradient <neuronlab.network.Network.explain_gradient>`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import activations, losses
from .errors import ArgumentTypeError, DataError, HyperparameterError, ShapeError
from ._util import html
from ._util.text import format_number, table
from ._util.validate import check_array, check_finite, check_number, check_positive

__all__ = ["Neuron", "NeuronExplanation", "NeuronGradient"]


@dataclass
class NeuronExplanation:
    """One neuron's computation on one input, every number kept.

    ``str()`` prints it as arithmetic; :meth:`to_dict` returns plain Python values.
    For a softmax neuron ``normalisation`` holds the whole layer's weighted sums, and
    the activation value is ``e^z / Σ_j e^z_j`` over the layer.
    """

    inputs: list[float]
    weights: list[float]
    products: list[float]
    bias: float
    weighted_sum: float
    activation: str
    activation_value: float
    threshold: float | None
    fires: bool
    layer: int | None = None
    neuron: int | None = None
    input_names: list[str] | None = None
    normalisation: list[float] | None = field(default=None)
    max_terms: int = 8

    @staticmethod
    def threshold_for(activation: Any, n_units: int, threshold: float | None = None) -> float | None:
        """The threshold an explanation reports: ``threshold`` when one is given, for a step
        neuron its θ (what the weighted sum is compared with), else the activation value
        above which the neuron fires (:meth:`Activation.firing_threshold
        <neuronlab.activations.Activation.firing_threshold>`; softmax: ``1/n_units``)."""
        if threshold is not None:
            return threshold
        if activation.name == "step":
            return activation.threshold
        return activation.firing_threshold(n_units)

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain Python values (JSON-ready)."""
        d = asdict(self)
        d.pop("max_terms")
        d["sum_of_products"] = float(sum(self.products))
        return d

    def __str__(self) -> str:
        def factor(v: float) -> str:
            text = format_number(v)
            return f"({text})" if v < 0 else text

        terms = [f"{format_number(x)}×{factor(w)}" for x, w in zip(self.inputs, self.weights)]
        if len(terms) > self.max_terms:
            keep = self.max_terms // 2
            hidden = len(terms) - 2 * keep
            terms = terms[:keep] + [f"… ({hidden} more terms)"] + terms[-keep:]
        lhs = " + ".join(terms)
        bias = format_number(abs(self.bias))
        lhs = f"{lhs} - {bias}" if self.bias < 0 else f"{lhs} + {bias}"
        z = format_number(self.weighted_sum)
        a = format_number(self.activation_value)
        if self.normalisation is not None:
            f_part = f"softmax: e^{z} / Σ_j e^z_j over {len(self.normalisation)} neurons = {a}"
        else:
            f_part = f"{self.activation}({z}) = {a}"
        verdict = "fires" if self.fires else "does not fire"
        head = ""
        if self.layer is not None:
            head = f"layer {self.layer}, neuron {self.neuron}: "
        return f"{head}{lhs} = {z} → {f_part} → {verdict}"

    def __repr__(self) -> str:
        where = f"layer {self.layer}, neuron {self.neuron}: " if self.layer is not None else ""
        verdict = "fires" if self.fires else "does not fire"
        return (f"NeuronExplanation({where}{len(self.inputs)} inputs, z={format_number(self.weighted_sum)}, "
                f"{self.activation} → a={format_number(self.activation_value)}, {verdict})")

    def _repr_html_(self) -> str:
        """The arithmetic as a formula and the inputs as a table, for notebooks."""
        return _explanation_html(self)


class Neuron:
    """A single artificial neuron ``a = f(w·x + b)``.

    Parameters
    ----------
    weights : array-like of shape (n_inputs,)
        One weight per input.
    bias : float
        Added to the weighted sum.
    activation : str or Activation
        Any registered activation name (see :func:`neuronlab.activations.names`).
    threshold : float, optional
        Firing threshold on the activation value; defaults to the activation's own
        (``relu``: 0, ``sigmoid``: 0.5, ``tanh``: 0, ``step``: fires at ``a = 1``).
    """

    def __init__(self, weights: ArrayLike, bias: float = 0.0, activation: Any = "relu", threshold: float | None = None,
                 *, _layer: Any = None, _index: int | None = None) -> None:
        self._layer = _layer
        self._index = _index
        if _layer is None:
            w = check_array(weights, "weights", ndim=1, dtype=np.float64, vector_index="position")
            self._weights = w
            self._bias = check_number("bias", bias, error=DataError)
            self.activation = activations.get(activation)
            if self.activation.name == "softmax":
                raise HyperparameterError(
                    "softmax normalises over a whole layer, so a lone neuron cannot use it; "
                    "take the neuron from a layer (layer.neuron(j)) or use net.explain(...)"
                )
        else:
            self.activation = _layer.activation
        self._threshold = None if threshold is None else check_finite("threshold", threshold)

    # -- parameters ----------------------------------------------------------------------
    @property
    def weights(self) -> NDArray[np.float64]:
        """Weights, shape (n_inputs,); a live view for a neuron of a layer."""
        if self._layer is not None:
            return self._layer.W[:, self._index]
        return self._weights

    @property
    def bias(self) -> float:
        if self._layer is not None:
            return float(self._layer.b[self._index]) if self._layer.use_bias else 0.0
        return self._bias

    @property
    def n_inputs(self) -> int:
        return int(self.weights.shape[0])

    @property
    def threshold(self) -> float | None:
        """Firing threshold on the activation value."""
        return self._threshold if self._threshold is not None else self.activation.threshold

    def __repr__(self) -> str:
        where = f", layer neuron {self._index}" if self._layer is not None else ""
        return f"Neuron(n_inputs={self.n_inputs}, bias={format_number(self.bias)}, activation={self.activation.name!r}{where})"

    # -- the computation -----------------------------------------------------------------
    def _inputs(self, x: Any) -> np.ndarray:
        x = check_array(x, "inputs", ndim=(1, 2), dtype=self.weights.dtype, vector_index="position")
        if x.shape[-1] != self.n_inputs:
            raise ShapeError(
                f"inputs have {x.shape[-1]} values per sample but this neuron has {self.n_inputs} weights"
            )
        return x

    @staticmethod
    def _out(v: np.ndarray, x: np.ndarray) -> Any:
        return float(v) if x.ndim == 1 else v

    def weighted_sum(self, x: ArrayLike) -> Any:
        """``z = w·x + b``: a float for one input vector, an array (n_samples,) for a 2-D batch."""
        x = self._inputs(x)
        return self._out(x @ self.weights + self.bias, x)

    def _activate(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        if self.activation.name == "softmax":
            layer_z = x @ self._layer.W + (self._layer.b if self._layer.use_bias else 0.0)
            return self.activation(layer_z)[..., self._index]
        return self.activation(z)

    def activation_value(self, x: ArrayLike) -> Any:
        """``a = f(w·x + b)``: a float for one input vector, an array for a batch."""
        x = self._inputs(x)
        z = x @ self.weights + self.bias
        return self._out(self._activate(x, z), x)

    def fires(self, x: ArrayLike) -> Any:
        """Whether the activation value passes the firing threshold (bool, or bool array for a batch)."""
        x = self._inputs(x)
        a = np.asarray(self._activate(x, x @ self.weights + self.bias))
        threshold = self._threshold
        if threshold is None:
            threshold = self.activation.firing_threshold(self._layer.n_out if self._layer is not None else 1)
        fired = a > threshold
        return bool(fired) if x.ndim == 1 else fired

    def explain(self, x: ArrayLike) -> NeuronExplanation:
        """Every step of the computation for one input vector, as a :class:`NeuronExplanation`."""
        x = self._inputs(x)
        if x.ndim != 1:
            raise ShapeError(f"explain() takes one input vector, got shape {x.shape}; pick one row, e.g. X[3]")
        w = self.weights
        z = float(x @ w + self.bias)
        a = float(self._activate(x, np.asarray(z)))
        norm = None
        if self.activation.name == "softmax":
            norm = (x @ self._layer.W + (self._layer.b if self._layer.use_bias else 0.0)).tolist()
        return NeuronExplanation(
            inputs=x.tolist(), weights=w.tolist(), products=(x * w).tolist(), bias=self.bias,
            weighted_sum=z, activation=self.activation.name, activation_value=a,
            threshold=NeuronExplanation.threshold_for(self.activation, len(norm) if norm is not None else 1,
                                                      self._threshold),
            fires=bool(self.fires(x)), neuron=self._index, normalisation=norm,
        )

    def _repr_html_(self) -> str:
        """The neuron's formula, weights and bias, for notebooks."""
        return _neuron_html(self)

    # -- learning ------------------------------------------------------------------------
    def gradient(self, x: ArrayLike, target: ArrayLike, loss: Any = "mse") -> NeuronGradient:
        """The chain rule for this neuron's loss against ``target``: ``∂L/∂a``, ``f′(z)``,
        ``δ = ∂L/∂z`` and ``∂L/∂w_i = δ·x_i``, ``∂L/∂b = δ``, as a :class:`NeuronGradient`.

        Parameters
        ----------
        x : array-like of shape (n_inputs,) or (n_samples, n_inputs)
            One input vector, or a batch (the loss is then the mean over the samples).
        target : float or array-like of shape (n_samples,)
            What the activation value should be (0/1 for binary_crossentropy).
        loss : str or Loss
            ``"mse"`` (default), ``"mae"`` or ``"binary_crossentropy"`` (with a sigmoid
            neuron the fused ``δ = a − y``).

        Nothing changes: :meth:`learn` takes the step.
        """
        if self._layer is not None:
            raise ArgumentTypeError(
                "this neuron is a view of a layer in a network, whose loss is the network's: use "
                "net.explain_gradient(x, y, layer, neuron, weight) there (or build a standalone "
                "Neuron(weights, bias, activation) to learn on its own)"
            )
        x = self._inputs(x)
        return _neuron_gradient(self, x, target, losses.get(loss))

    def learn(self, x: ArrayLike, target: ArrayLike, learning_rate: float = 0.1, loss: Any = "mse") -> NeuronGradient:
        """One step of gradient descent on ``(x, target)``: every weight and the bias move
        against their gradient, ``p ← p − η·∂L/∂p``.  Returns the :class:`NeuronGradient`
        with the new parameters and the loss after the step.

        >>> n = Neuron(weights=[0.1, 0.2], bias=0.3, activation="sigmoid")
        >>> before = n.gradient([0.5, 0.6], 1.0).loss_value
        >>> g = n.learn([0.5, 0.6], 1.0, learning_rate=1.0)
        >>> g.loss_after < before, n.weights.tolist() == g.new_weights
        (True, True)
        """
        eta = check_positive("learning_rate", learning_rate)
        g = self.gradient(x, target, loss)
        new_w = self._weights - eta * np.asarray(g.weight_gradients)
        new_b = self._bias - eta * g.bias_gradient
        self._weights, self._bias = new_w, float(new_b)
        after = self.gradient(x, target, loss)
        g.learning_rate, g.new_weights, g.new_bias = eta, new_w.tolist(), float(new_b)
        g.loss_after, g.activation_after = after.loss_value, after.activation_value
        return g


# ---------------------------------------------------------------------------------------
# The chain rule, as text: shared by a lone neuron's gradient and a network's
# ---------------------------------------------------------------------------------------

def factor(v: float) -> str:
    """A number as a factor in a product: negative numbers in parentheses."""
    text = format_number(v)
    return f"({text})" if v < 0 else text


def difference_text(a: float, y: float) -> str:
    """``a − y`` with both numbers written to as many digits as tell them apart (an output of
    0.9999999979 against the target 1 is not ``1 − 1``); a negative ``y`` in parentheses.

    >>> difference_text(0.47, 1.0), difference_text(0.9999999979, 1.0), difference_text(1.0, -1.0)
    ('0.47 − 1', '0.999999998 − 1', '1 − (-1)')
    """
    a, y = float(a), float(y)
    digits = 4
    while digits < 17 and a != y and f"{a:.{digits}g}" == f"{y:.{digits}g}":
        digits += 1

    def text(v: float) -> str:
        return "0" if v == 0 else f"{v:.{digits}g}"

    return f"{text(a)} − {'(' + text(y) + ')' if y < 0 else text(y)}"


def loss_derivative_text(loss: Any, a: float, y: float, k: int) -> str:
    """``∂L/∂a`` of one output on one sample, as the loss's formula with the numbers put in
    (``k`` outputs; the built-in losses), else the formula alone."""
    fa, fy, diff = format_number(a), format_number(y), difference_text(a, y)
    per_k = f" / {k}" if k > 1 else ""
    numbers = {
        "mse": f"2 × ({diff}){per_k}",
        "mae": f"sign({diff}){per_k}",
        "binary_crossentropy": f"({diff}) / ({fa} × (1 − {fa})){per_k}",
        "cross_entropy": f"−{fy} / {fa}",
    }.get(loss.name)
    formula = loss.gradient_formula or f"the derivative of {loss.name}"
    return formula if numbers is None else f"{formula} = {numbers}"


def derivative_text(activation: Any, z: float, value: float) -> str:
    """``∂a/∂z = f′(z) = …`` for an elementwise activation, with a word on a zero slope."""
    line = f"∂a/∂z = f′(z) = {activation.name}′({format_number(z)}) = {format_number(value)}"
    if activation.name == "step":
        line += ("   (a step has no slope: 0 everywhere, undefined at its threshold, so no gradient reaches "
                 "this neuron's weights and gradient descent cannot change them; sigmoid is the smooth step "
                 "that learns)")
    elif value == 0:
        line += "   (flat here: this sample passes no gradient through this neuron)"
    return line


@dataclass
class NeuronGradient:
    """A lone neuron's gradient of a loss against a target (:meth:`Neuron.gradient`), and
    after :meth:`Neuron.learn` the step it took.

    For one input vector every per-sample field is a float; for a batch it is a list, one
    entry per sample, and ``∂L/∂w_i = Σ_samples δ·x_i`` (``δ`` then carries each sample's
    share ``1/n`` of the mean loss).

    Attributes
    ----------
    loss : str
    inputs : list (n_inputs values, or n_samples lists of them)
    weights, bias : the parameters before the step
    target, weighted_sum, activation_value : per sample
    loss_value : float
        The loss before the step.
    dL_da, da_dz : per sample, or None
        ``∂L/∂a`` and ``f′(z)``; None when the loss and activation are fused
        (sigmoid + binary_crossentropy: ``δ = a − y`` directly).
    delta : per sample
        ``δ = ∂L/∂z``.
    weight_gradients : list of float
        ``∂L/∂w_i``, one per weight.
    bias_gradient : float
        ``∂L/∂b = Σ δ``.
    learning_rate, new_weights, new_bias, loss_after, activation_after :
        Set by :meth:`Neuron.learn` (None otherwise).
    """

    loss: str
    activation: str
    inputs: Any
    weights: list[float]
    bias: float
    target: Any
    weighted_sum: Any
    activation_value: Any
    loss_value: float
    dL_da: Any
    da_dz: Any
    delta: Any
    weight_gradients: list[float]
    bias_gradient: float
    loss_formula: str = ""
    fused: str | None = None
    learning_rate: float | None = None
    new_weights: list[float] | None = None
    new_bias: float | None = None
    loss_after: float | None = None
    activation_after: Any = None

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain Python values (JSON-ready)."""
        return asdict(self)

    def __str__(self) -> str:
        if isinstance(self.delta, list):
            return _batch_neuron_text(self)
        a, z, y = self.activation_value, self.weighted_sum, self.target
        head = (f"one neuron, loss {self.loss} against the target {format_number(y)}: "
                f"a = {self.activation}({format_number(z)}) = {format_number(a)}, L = {format_number(self.loss_value)}")
        lines = [head] + ["  " + line for line in _chain_text(self.fused, self.loss_formula, self.dL_da,
                                                              self.activation, z, self.da_dz, a, y, self.delta)]
        d = format_number(self.delta)
        for i, (x, g) in enumerate(zip(self.inputs, self.weight_gradients)):
            lines.append(f"  ∂L/∂w{i} = δ × x{i} = {d} × {factor(x)} = {format_number(g)}")
        lines.append(f"  ∂L/∂b = δ = {format_number(self.bias_gradient)}")
        return "\n".join(lines + _step_text(self))

    def __repr__(self) -> str:
        n = f"{len(self.delta)} samples, " if isinstance(self.delta, list) else ""
        step = "" if self.learning_rate is None else f", stepped with η={format_number(self.learning_rate)}"
        return (f"NeuronGradient({n}loss {self.loss}={format_number(self.loss_value)}, "
                f"∂L/∂b={format_number(self.bias_gradient)}{step})")

    def _repr_html_(self) -> str:
        """The chain rule (and the step, after :meth:`Neuron.learn`) as formulas, for notebooks."""
        return _neuron_gradient_html(self)


def _chain_text(fused: str | None, loss_text: str, dL_da: float | None, activation: str, z: float,
                da_dz: float | None, a: float, y: float, delta: float) -> list[str]:
    """The three chain-rule lines of one output neuron on one sample."""
    d = format_number(delta)
    if fused is not None:
        return [f"δ = ∂L/∂z = a − y = {difference_text(a, y)} = {d}   ({fused} together: "
                "∂L/∂a × ∂a/∂z simplifies to a − y)"]
    assert dL_da is not None and da_dz is not None     # both are given whenever the loss is not fused
    return [f"∂L/∂a = {loss_text} = {format_number(dL_da)}",
            derivative_text(activations.get(activation), z, da_dz),
            f"δ = ∂L/∂z = ∂L/∂a × ∂a/∂z = {format_number(dL_da)} × {factor(da_dz)} = {d}"]


def _step_text(g: NeuronGradient) -> list[str]:
    if g.learning_rate is None or g.new_weights is None or g.new_bias is None or g.loss_after is None:
        return []                                      # not stepped: no gradient descent to show
    eta = format_number(g.learning_rate)
    lines = [f"  gradient descent (η = {eta}): each parameter p ← p − η·∂L/∂p"]
    for i, (w, gw, nw) in enumerate(zip(g.weights, g.weight_gradients, g.new_weights)):
        lines.append(f"    w{i} ← {format_number(w)} − {eta} × {factor(gw)} = {format_number(nw)}")
    lines.append(f"    b ← {format_number(g.bias)} − {eta} × {factor(g.bias_gradient)} = {format_number(g.new_bias)}")
    after = g.activation_after
    a_text = format_number(after) if not isinstance(after, list) else "[" + ", ".join(map(format_number, after)) + "]"
    lines.append(f"  after the step: a = {a_text}, L = {format_number(g.loss_after)} "
                 f"(was {format_number(g.loss_value)})")
    return lines


def _batch_neuron_text(g: NeuronGradient) -> str:
    n = len(g.delta)
    head = (f"one neuron, loss {g.loss} over {n} samples (L is their mean: each sample's δ carries 1/{n}): "
            f"L = {format_number(g.loss_value)}")
    rows = []
    for i in range(n):
        rows.append([i, format_number(g.target[i]), format_number(g.activation_value[i]),
                     "-" if g.dL_da is None else format_number(g.dL_da[i]),
                     "-" if g.da_dz is None else format_number(g.da_dz[i]), format_number(g.delta[i])])
    hdr = ["sample", "y", "a", "∂L/∂a", "∂a/∂z", "δ"]
    body = table(rows, hdr, align="rrrrrr")
    lines = [head] + ["  " + line for line in body.splitlines()]
    for i, gw in enumerate(g.weight_gradients):
        lines.append(f"  ∂L/∂w{i} = Σ δ × x{i} = {format_number(gw)}")
    lines.append(f"  ∂L/∂b = Σ δ = {format_number(g.bias_gradient)}")
    return "\n".join(lines + _step_text(g))


def _neuron_gradient(n: Neuron, x: np.ndarray, target: Any, loss: Any) -> NeuronGradient:
    """Forward and backward for one standalone neuron (float64) under ``loss``."""
    if loss.name == "cross_entropy":
        raise HyperparameterError("cross_entropy compares a softmax layer's outputs with a class; a lone neuron "
                                  "has one output: use loss='binary_crossentropy' with a sigmoid neuron, or mse")
    X = x.reshape(1, -1) if x.ndim == 1 else x
    Y = loss.prepare_targets(_targets_for(target, x), 1, np.float64)
    if Y.shape[0] != X.shape[0]:
        raise ShapeError(f"target has {Y.shape[0]} values for {X.shape[0]} input sample"
                         f"{'s' if X.shape[0] != 1 else ''}; give one target per sample")
    act = n.activation
    Z = (X @ n.weights + n.bias).reshape(-1, 1)
    A = act.f(Z)
    fused = loss.fused_activation == act.name
    value = float(loss.value(A, Y, z=Z if fused else None))
    if fused:
        dL_da = da_dz = None
        delta = loss.fused_gradient(A, Y)
    else:
        dL_da = loss.gradient(A, Y)
        da_dz = act.derivative(Z)
        delta = act.backward(Z, A, dL_da)
    one = x.ndim == 1

    def per_sample(v: np.ndarray | None) -> Any:
        return None if v is None else (float(v[0, 0]) if one else v[:, 0].tolist())

    return NeuronGradient(
        loss=loss.name, activation=act.name, inputs=x.tolist(), weights=n.weights.tolist(), bias=n.bias,
        target=per_sample(Y), weighted_sum=per_sample(Z), activation_value=per_sample(A), loss_value=value,
        dL_da=per_sample(dL_da), da_dz=per_sample(da_dz), delta=per_sample(delta),
        weight_gradients=(X.T @ delta)[:, 0].tolist(), bias_gradient=float(delta.sum()),
        loss_formula="" if fused else loss_derivative_text(loss, float(A[0, 0]), float(Y[0, 0]), 1),
        fused=f"{act.name} and {loss.name}" if fused else None,
    )


def _targets_for(target: Any, x: np.ndarray) -> Any:
    """One target per sample: a lone number stands for one input vector's."""
    return [target] if x.ndim == 1 and np.ndim(target) == 0 else target


#: the most inputs the table of an explanation's HTML shows
EXPLAIN_ROWS = 12

_FORMULA = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:3px 0"


def _explanation_html(e: NeuronExplanation) -> str:
    """An explanation as HTML: ``z = x×w + … + b`` (cut to ``max_terms`` terms as ``str()``
    is), ``a = f(z)`` and the verdict, then the inputs, weights and products (at most
    :data:`EXPLAIN_ROWS` of them).  Input names are escaped."""
    def factor(v: float) -> str:
        return f"({html.number(v)})" if v < 0 else html.number(v)

    names = list(e.input_names) if e.input_names else [f"x{k}" for k in range(len(e.inputs))]
    terms = [f'<span title="{html.escape(n)}">{html.number(x)}</span>×{factor(w)}'
             for n, x, w in zip(names, e.inputs, e.weights)]
    first, hidden, last = html.cut(terms, max(int(e.max_terms), 1))
    terms = first + ([f"… ({hidden} more terms)"] if hidden else []) + last
    bias = f" − {html.number(-e.bias)}" if e.bias < 0 else f" + {html.number(e.bias)}"
    z, a = html.number(e.weighted_sum), html.number(e.activation_value)
    if e.normalisation is not None:
        f_part = (f"softmax: e<sup>{z}</sup> / Σ<sub>j</sub> e<sup>z<sub>j</sub></sup> "
                  f"over {len(e.normalisation)} neurons")
    else:
        f_part = f"{html.escape(e.activation)}({z})"
    verdict = html.badge("fires", "good") if e.fires else html.badge("does not fire", "plain")
    formula = (f'<div style="{_FORMULA}">z = {" + ".join(terms)}{bias} = <b>{z}</b></div>'
               f'<div style="{_FORMULA}">a = {f_part} = <b>{a}</b> → {verdict}</div>')
    rows = [(n, x, w, p) for n, x, w, p in zip(names, e.inputs, e.weights, e.products)]
    title = f"layer {e.layer}, neuron {e.neuron}" if e.layer is not None else "one neuron"
    facts = [("activation", e.activation), ("threshold", e.threshold), ("bias", e.bias),
             ("Σ x×w", float(sum(e.products)))]
    return html.box(f"{title}: {len(e.inputs)} inputs", formula, html.facts(facts),
                    html.table(rows, ("input", "x", "w", "x×w"), align="lrrr", max_rows=EXPLAIN_ROWS, noun="inputs"))


def _neuron_html(n: Neuron) -> str:
    """A neuron as HTML: ``a = f(w·x + b)``, its bias, threshold and weights (at most
    :data:`EXPLAIN_ROWS` of them)."""
    where = f"neuron {n._index} of a layer (a live view of W[:, {n._index}] and b[{n._index}])" \
        if n._layer is not None else None
    facts = [("inputs", n.n_inputs), ("bias", n.bias), ("threshold", n.threshold)]
    weights = html.names([html.number(w) for w in n.weights], limit=EXPLAIN_ROWS)
    return html.box(f"Neuron: a = {n.activation.name}(w·x + b)", html.facts(facts),
                    html.facts([("weights", weights)]), note=where)


def _neuron_gradient_html(g: NeuronGradient) -> str:
    """A lone neuron's chain rule as HTML: the heading in bold, the gradients as a table,
    every line of ``str(g)`` after the heading as a formula."""
    head, *rest = str(g).split("\n")
    rows = [(f"w{i}", w, gw, None if g.new_weights is None else g.new_weights[i])
            for i, (w, gw) in enumerate(zip(g.weights, g.weight_gradients))]
    rows.append(("b", g.bias, g.bias_gradient, g.new_bias))
    facts = [("loss", g.loss_value)] + ([] if g.loss_after is None else [("after the step", g.loss_after)])
    return html.box(head, html.facts(facts),
                    html.table(rows, ("parameter", "value", "∂L/∂p", "after the step"), align="lrrr",
                               max_rows=EXPLAIN_ROWS, noun="weights"),
                    html.formulas([line[2:] if line.startswith("  ") else line for line in rest]))
