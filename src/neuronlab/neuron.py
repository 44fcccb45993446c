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

A neuron taken from a layer (``layer.neuron(j)``) is a *view*: its weights are column
``j`` of the layer's weight matrix and change as the network trains.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import activations
from .errors import DataError, HyperparameterError, ShapeError
from ._util.text import format_number
from ._util.validate import check_array, check_finite, check_number

__all__ = ["Neuron", "NeuronExplanation"]


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

    def __init__(self, weights: Any, bias: float = 0.0, activation: Any = "relu", threshold: float | None = None,
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
    def weights(self) -> np.ndarray:
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

    def weighted_sum(self, x: Any) -> Any:
        """``z = w·x + b``: a float for one input vector, an array (n_samples,) for a 2-D batch."""
        x = self._inputs(x)
        return self._out(x @ self.weights + self.bias, x)

    def _activate(self, x: np.ndarray, z: np.ndarray) -> np.ndarray:
        if self.activation.name == "softmax":
            layer_z = x @ self._layer.W + (self._layer.b if self._layer.use_bias else 0.0)
            return self.activation(layer_z)[..., self._index]
        return self.activation(z)

    def activation_value(self, x: Any) -> Any:
        """``a = f(w·x + b)``: a float for one input vector, an array for a batch."""
        x = self._inputs(x)
        z = x @ self.weights + self.bias
        return self._out(self._activate(x, z), x)

    def fires(self, x: Any) -> Any:
        """Whether the activation value passes the firing threshold (bool, or bool array for a batch)."""
        x = self._inputs(x)
        a = np.asarray(self._activate(x, x @ self.weights + self.bias))
        threshold = self._threshold
        if threshold is None:
            threshold = self.activation.firing_threshold(self._layer.n_out if self._layer is not None else 1)
        fired = a > threshold
        return bool(fired) if x.ndim == 1 else fired

    def explain(self, x: Any) -> NeuronExplanation:
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
