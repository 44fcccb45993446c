"""Pictures: activations, training curves, decision regions, neuron maps, histograms,
the network diagram, neuron health over training, and backpropagation (the gradients on
the diagram, and what one gradient-descent step does to the weights).

Needs the ``plot`` extra (``pip install 'neuronlab[plot]'``; from a checkout
``pip install -e '.[plot]'``); matplotlib is imported inside
each function, so ``import neuronlab`` never needs it.
Every function draws on a fresh :class:`matplotlib.figure.Figure` with an Agg canvas —
no pyplot, no global state, no window — returns it, and writes it when given ``path=``
(``.png`` or ``.svg``; ``.pdf`` works too).  In a notebook a figure that ends a cell
shows itself, once, as PNG (:func:`set_display_format` ``("svg")`` for SVG) — no
``%matplotlib`` needed.

>>> import neuronlab as nl                               # doctest: +SKIP
>>> fig = nl.plots.activation("relu", path="relu.png")   # doctest: +SKIP
"""
from __future__ import annotations

from ..errors import MissingExtraError
from .activations import activation, activations_grid
from .backprop import backprop, gradient_step
from .diagram import network_diagram
from .figure import set_display_format
from .plane import decision_regions, neuron_maps
from .training import activation_histograms, neuron_health, training_curves

__all__ = [
    "MissingExtraError", "activation", "activations_grid", "training_curves", "decision_regions",
    "neuron_maps", "activation_histograms", "network_diagram", "neuron_health",
    "backprop", "gradient_step", "set_display_format",
]
