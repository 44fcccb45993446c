"""Neuron health: :func:`neuron_stats` (per neuron: activation statistics, firing rate,
dead, saturated) and its results :class:`NeuronStats`, :class:`LayerStats` and
:class:`LayerSummary`.

A neuron fires on a sample when its activation value is past its firing threshold
(:meth:`Activation.firing_threshold <neuronlab.activations.Activation.firing_threshold>`,
or the one given); it is **dead** when it never fires on the data, and **saturated**
when its derivative is nearly zero on almost every sample.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
from numpy.typing import ArrayLike

from .._util import html
from .._util.validate import check_fraction, check_positive
from .._util.text import table
from .common import _dense_positions, _find_layer, _fires, _threshold_value, _thresholds
from .trace import LayerTrace, _forward

if TYPE_CHECKING:
    from ..network import Network

#: default: a neuron is saturated when ``|f'(z)|`` is below this ...
SATURATION_DERIVATIVE = 1e-3
#: ... on at least this fraction of the samples
SATURATION_FRACTION = 0.99
#: number of histogram bins kept per layer in :class:`LayerStats`
HISTOGRAM_BINS = 30


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

    def __repr__(self) -> str:
        output = " (output)" if self.is_output else ""
        saturated = f", {self.saturated_fraction:.1%} saturated" if self.saturating else ""
        return (f"LayerStats(layer {self.index}{output}, {self.activation}, {self.n_neurons} neurons, "
                f"{self.n_samples} samples: {self.firing_fraction:.1%} firing, {self.dead_fraction:.1%} dead"
                f"{saturated})")

    def _repr_html_(self) -> str:
        """Per neuron: activation statistics, firing and saturation, flags; for notebooks."""
        return _layer_stats_html(self)


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
        return table(body, head, rule=True)

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
        return _find_layer(self.layers, index)

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

    def _repr_html_(self) -> str:
        """The per-layer table and the least healthy neurons, flagged; for notebooks."""
        return _neuron_stats_html(self)


#: how many of the least healthy neurons the HTML of :class:`NeuronStats` lists
WORST_SHOWN = 5


def _flag(dead: bool, saturated: bool) -> tuple[str | None, str | None]:
    """The word and the row tint of a neuron's (or a layer's) problem."""
    if dead:
        return "dead", "bad"
    if saturated:
        return "saturated", "warn"
    return None, None


def _neuron_stats_html(stats: NeuronStats) -> str:
    """Neuron health as HTML: one row per Dense layer (tinted when some of its neurons are
    dead or saturated, which are named), then the least healthy neurons."""
    rows, marks = [], []
    for l in stats.layers:
        flagged = [f"{k} dead" for k in l.dead_neurons] + [f"{k} saturated" for k in l.saturated_neurons]
        rows.append((f"{l.index}" + (" (output)" if l.is_output else ""), l.activation, l.n_neurons,
                     html.percent(l.firing_fraction), html.percent(l.dead_fraction),
                     html.percent(l.saturated_fraction) if l.saturating else None, html.names(flagged, limit=6)))
        marks.append(_flag(bool(l.dead.any()), bool(l.saturated.any()))[1])
    worst, worst_marks = [], []
    for w in stats.worst(WORST_SHOWN):
        word, mark = _flag(w["dead"], w["saturated"])
        worst.append((w["layer"], w["neuron"], w["activation"], html.percent(w["firing_rate"]), w["mean"], w["max"],
                      html.badge(word, mark) if word and mark else html.Html("")))
        worst_marks.append(mark)
    n = stats.settings.get("n_samples")
    return html.box(
        f"NeuronStats: {len(stats.layers)} Dense layers" + (f", {n} samples" if n is not None else ""),
        html.table(rows, ("layer", "activation", "neurons", "% firing", "% dead", "% saturated", "flagged"),
                   align="llrrrrl", highlight=marks, noun="layers"),
        html.table(worst, ("layer", "neuron", "activation", "% firing", "mean a", "max a", "flag"),
                   align="rrlrrrl", highlight=worst_marks, caption="least healthy neurons"),
        note="dead: never fires on these samples; saturated: |f′(z)| below "
             f"{html.number(stats.settings.get('saturation_derivative', SATURATION_DERIVATIVE))} on at least "
             f"{html.percent(stats.settings.get('saturation_fraction', SATURATION_FRACTION), 0)}% of them")


def _layer_stats_html(l: LayerStats) -> str:
    """One layer's health as HTML: per neuron (at most ``html.MAX_ROWS`` of them) the
    activation statistics, firing rate and saturation, dead and saturated neurons tinted."""
    rows, marks = [], []
    for k in range(l.n_neurons):
        word, mark = _flag(bool(l.dead[k]), bool(l.saturated[k]))
        rows.append((k, float(l.mean[k]), float(l.std[k]), float(l.min[k]), float(l.max[k]),
                     html.percent(l.firing_rate[k]), html.percent(l.saturation[k]) if l.saturating else None,
                     html.badge(word, mark) if word and mark else html.Html("")))
        marks.append(mark)
    facts = [("% firing", html.percent(l.firing_fraction)), ("% dead", html.percent(l.dead_fraction)),
             ("% saturated", html.percent(l.saturated_fraction) if l.saturating else None),
             ("threshold", l.threshold)]
    output = " (output)" if l.is_output else ""
    return html.box(f"LayerStats: layer {l.index}{output}, {l.activation}, {l.n_neurons} neurons, "
                    f"{l.n_samples} samples", html.facts(facts),
                    html.table(rows, ("neuron", "mean a", "std", "min", "max", "% firing", "% saturated", "flag"),
                               align="rrrrrrrl", highlight=marks, noun="neurons"))


def neuron_stats(net: Network, X: ArrayLike, threshold: float | None = None, saturation_derivative: float = SATURATION_DERIVATIVE,
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
    assert act is not None and lt.z is not None      # a Dense layer's trace
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

