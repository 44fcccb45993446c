"""Looking inside a network: traces, one neuron's arithmetic, neuron health, gradient flow.

* :func:`trace` — a forward pass that keeps every layer's weighted sums ``z`` and
  activation values ``a`` (as copies: the network's own caches are not touched);
* :func:`explain` — the worked example's computation for any neuron of a trained network
  on one input: inputs, weights, products, bias, weighted sum, activation, fires or not;
* :func:`explain_gradient` — backpropagation for one weight (or bias) of a network on
  inputs and targets: ``∂L/∂a``, ``f′(z)``, ``δ``, ``∂L/∂w`` and the gradient-descent
  step, with the network's numbers (``trace(net, X, y)`` holds them for every neuron);
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

from ..errors import NeuronWarning
from .gradient import GradientExplanation, explain_gradient
from .flow import GradientFlow, LayerGradient, gradient_flow
from .health import LayerStats, LayerSummary, NeuronStats, neuron_stats
from .trace import LayerTrace, NeuronTrace, Trace, explain, trace

__all__ = [
    "NeuronWarning", "trace", "Trace", "LayerTrace", "NeuronTrace", "explain",
    "explain_gradient", "GradientExplanation",
    "neuron_stats", "NeuronStats", "LayerStats", "LayerSummary",
    "gradient_flow", "GradientFlow", "LayerGradient",
]

