"""Callbacks for :meth:`Network.fit <neuronlab.network.Network.fit>`.

* :class:`Callback` and :class:`EarlyStopping` (from :mod:`neuronlab.training`);
* :class:`NeuronMonitor` — measures neuron health (:func:`neuronlab.inspect.neuron_stats`)
  on a data set after every epoch, records it in the history and warns, once per
  problem, when a layer's neurons die or saturate (and, given targets, when its
  gradients vanish or explode).

>>> import numpy as np, neuronlab as nl
>>> X = np.random.default_rng(0).normal(size=(64, 2)); y = (X[:, 0] > 0).astype(int)
>>> net = nl.Network.mlp([2, 8, 2], seed=0)
>>> history = net.fit(X, y, epochs=3, callbacks=[nl.callbacks.NeuronMonitor(X)])
>>> len(history["dead_fraction"]), len(history["dead_fraction"][0])   # epochs, Dense layers
(3, 2)
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

import numpy as np

from ._util.validate import check_fraction, check_positive_int
from .errors import NeuronWarning
from .inspect import NeuronStats, gradient_flow, neuron_stats
from .inspect.health import SATURATION_DERIVATIVE, SATURATION_FRACTION
from .training import Callback, EarlyStopping

__all__ = ["Callback", "EarlyStopping", "NeuronMonitor", "NeuronWarning"]

_RELU_FAMILY = {"relu"}


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _outside_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside neuronlab
    (the user's ``net.fit(...)`` line), counted from the function calling ``warnings.warn``."""
    frame = sys._getframe(2)   # the caller of the function that calls warnings.warn
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def _dead_advice(activation: str) -> str:
    if activation in _RELU_FAMILY:
        return ("their weighted sums are negative on every sample, so relu outputs 0 and passes no gradient back "
                "— try leaky_relu, a lower learning rate or he initialization")
    return (f"their weighted sums never get past {activation}'s firing threshold on this data "
            "— try a lower learning rate, standardized inputs or a different initialization")


def _saturated_advice(activation: str, derivative: float) -> str:
    return (f"{activation}'s derivative is below {derivative:g} on almost every sample, so almost no gradient "
            "flows back through them — standardize the inputs, use glorot initialization, a lower learning "
            "rate, or relu-family activations in the hidden layers")


class NeuronMonitor(Callback):
    """Record neuron health on ``X`` after every epoch and warn about problems.

    After each epoch it runs :func:`~neuronlab.inspect.neuron_stats` on ``X`` (prediction
    mode: no dropout, no random numbers drawn, so training is unchanged) and appends to
    the run's :class:`~neuronlab.training.History`:

    * ``history["dead_fraction"]``, ``history["saturated_fraction"]``,
      ``history["firing_fraction"]``: per epoch, a list with one share per Dense layer;
    * ``history.extra["neuron_stats"]``: per epoch, the full
      :class:`~neuronlab.inspect.NeuronStats` (for :func:`neuronlab.plots.neuron_health`
      and :func:`neuronlab.plots.activation_histograms`), and
      ``history.extra["neuron_layers"]`` / ``["neuron_activations"]``: the Dense layers'
      positions and activation names;
    * with ``y``: ``history["grad_relative"]`` (per layer, mean ``|dL/dW|`` relative to
      the strongest layer) and ``history.extra["gradient_flow"]``.

    It warns (:class:`~neuronlab.inspect.NeuronWarning`) once per problem and layer, as
    soon as the problem has lasted ``patience`` epochs, for example::

        layer 1: 97% of relu neurons dead since epoch 1 — their weighted sums are negative
        on every sample, ... try leaky_relu, a lower learning rate or he initialization

    Parameters
    ----------
    X : array-like of shape (n_samples, n_inputs)
        Data to measure on (validation data is a good choice).
    y : array-like, optional
        Targets for ``X``: also record and check the gradient flow each epoch.
    threshold, saturation_derivative, saturation_fraction
        Passed to :func:`~neuronlab.inspect.neuron_stats`.
    warn_dead : float in (0, 1]
        Warn when at least this share of a layer's neurons is dead (default 0.25).
    warn_saturated : float in (0, 1]
        Warn when at least this share of a layer's neurons is saturated (default 0.25).
    patience : int
        Epochs in a row a problem must be present before the warning (default 1).
    include_output : bool
        Also warn about the output layer (default False: a confident sigmoid or softmax
        output is saturated by design, and an output neuron that never fires is a class
        that is never predicted, not a training pathology).
    warn : bool
        False records without warning.

    Attributes
    ----------
    stats : list of NeuronStats
        One per epoch.
    warned : dict
        ``(layer, problem) → message`` of the warnings issued.
    """

    def __init__(self, X: Any, y: Any = None, *, threshold: Any = None,
                 saturation_derivative: float = SATURATION_DERIVATIVE,
                 saturation_fraction: float = SATURATION_FRACTION, warn_dead: float = 0.25,
                 warn_saturated: float = 0.25, patience: int = 1, include_output: bool = False,
                 warn: bool = True) -> None:
        self.X = X
        self.y = y
        self.threshold = threshold
        self.saturation_derivative = saturation_derivative
        self.saturation_fraction = saturation_fraction
        self.warn_dead = check_fraction("warn_dead", warn_dead, low_inclusive=False, high_inclusive=True)
        self.warn_saturated = check_fraction("warn_saturated", warn_saturated, low_inclusive=False,
                                             high_inclusive=True)
        self.patience = check_positive_int("patience", patience)
        self.include_output = bool(include_output)
        self.warn = bool(warn)
        self.stats: list[NeuronStats] = []
        self.flows: list[Any] = []
        self.warned: dict[tuple[int, str], str] = {}
        self._since: dict[tuple[int, str], int] = {}

    def set_network(self, network: Any) -> None:
        super().set_network(network)
        # validate early, with the network's own messages
        self._X = network.check_inputs(self.X, "NeuronMonitor X")
        self._y = self.y

    def on_train_begin(self, logs: dict[str, Any]) -> None:
        self.stats = []
        self.flows = []
        self.warned = {}
        self._since = {}
        # fail before the first epoch, not after it, on bad settings or targets
        neuron_stats(self.network, self._X[:1], self.threshold, self.saturation_derivative,
                     self.saturation_fraction)
        if self._y is not None:
            self.network.check_targets(self._X, self._y, "NeuronMonitor y")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        net = self.network
        stats = neuron_stats(net, self._X, self.threshold, self.saturation_derivative, self.saturation_fraction)
        self.stats.append(stats)
        flow = gradient_flow(net, self._X, self._y) if self._y is not None else None
        if flow is not None:
            self.flows.append(flow)
        history = net.history
        if history is not None:
            h = history.history
            h.setdefault("dead_fraction", []).append([l.dead_fraction for l in stats.layers])
            h.setdefault("saturated_fraction", []).append([l.saturated_fraction for l in stats.layers])
            h.setdefault("firing_fraction", []).append([l.firing_fraction for l in stats.layers])
            history.extra.setdefault("neuron_stats", []).append(stats)
            history.extra["neuron_layers"] = [l.index for l in stats.layers]
            history.extra["neuron_activations"] = [l.activation for l in stats.layers]
            if flow is not None:
                h.setdefault("grad_relative", []).append([l.relative for l in flow.layers])
                history.extra.setdefault("gradient_flow", []).append(flow)
        self._check(epoch, stats, flow)
        return None

    # -- warnings --------------------------------------------------------------------------
    def _problems(self, stats: NeuronStats, flow: Any) -> dict[tuple[int, str], str]:
        """``(layer, problem) → message body`` for every problem present now."""
        found: dict[tuple[int, str], str] = {}
        for l in stats.layers:
            if l.is_output and not self.include_output:
                continue
            if l.n_neurons and l.dead_fraction >= self.warn_dead:
                found[(l.index, "dead")] = (f"{l.dead_fraction:.0%} of {l.activation} neurons dead",
                                            _dead_advice(l.activation))
            if l.saturating and l.saturated_fraction >= self.warn_saturated:
                found[(l.index, "saturated")] = (f"{l.saturated_fraction:.0%} of {l.activation} neurons saturated",
                                                 _saturated_advice(l.activation, self.saturation_derivative))
        if flow is not None:
            for g in flow.layers:
                if g.vanishing:
                    found[(g.index, "vanishing")] = (
                        f"gradients vanishing (mean |dL/dW| {g.relative:.1e} of the strongest layer's)",
                        "the early layers barely learn — use relu-family activations instead of sigmoid/tanh, "
                        "he or glorot initialization, or fewer layers")
                if g.exploding:
                    found[(g.index, "exploding")] = (
                        f"gradients exploding (mean |dL/dW| is {g.grad_to_weight:.3g}× mean |W|)",
                        "use a lower learning rate, an l2 penalty, or smaller initial weights")
        return found

    def _check(self, epoch: int, stats: NeuronStats, flow: Any) -> None:
        found = self._problems(stats, flow)
        for key in list(self._since):
            if key not in found:
                del self._since[key]      # the problem went away: a new streak starts later
        for key, (what, advice) in found.items():
            since = self._since.setdefault(key, epoch)
            if key in self.warned or epoch - since + 1 < self.patience:
                continue
            message = f"layer {key[0]}: {what} since epoch {since} — {advice}"
            self.warned[key] = message
            if self.warn:
                warnings.warn(message, NeuronWarning, stacklevel=_outside_stacklevel())

    def __repr__(self) -> str:
        n = np.shape(self.X)[0] if np.ndim(self.X) else 0
        return f"NeuronMonitor({n} samples, warn_dead={self.warn_dead:g}, warn_saturated={self.warn_saturated:g})"
