"""Callbacks for :meth:`Network.fit <neuronlab.network.Network.fit>`.

* :class:`Callback` and :class:`EarlyStopping` (from :mod:`neuronlab.training`);
* :class:`NeuronMonitor` — measures neuron health (:func:`neuronlab.inspect.neuron_stats`)
  on a data set after every epoch, records it in the history and warns, once per
  problem, when a layer's neurons die or saturate (and, given targets, when its
  gradients vanish or explode);
* :class:`LivePlot` — in a notebook, the loss and metric curves (and the decision regions
  of 2-D inputs) redrawn in place while the network trains.

>>> import numpy as np, neuronlab as nl
>>> X = np.random.default_rng(0).normal(size=(64, 2)); y = (X[:, 0] > 0).astype(int)
>>> net = nl.Network.mlp([2, 8, 2], seed=0)
>>> history = net.fit(X, y, epochs=3, callbacks=[nl.callbacks.NeuronMonitor(X)])
>>> len(history["dead_fraction"]), len(history["dead_fraction"][0])   # epochs, Dense layers
(3, 2)
"""
from __future__ import annotations

import io
import os
import sys
import time
import warnings
from types import FrameType
from typing import Any, cast

import numpy as np

from ._util.extras import require
from ._util.files import atomic_write
from ._util.notebook import LiveDisplay
from ._util.validate import check_array, check_flag, check_fraction, check_positive_int
from .errors import ArgumentTypeError, HyperparameterError, ShapeError
from .errors import NeuronWarning
from .inspect import NeuronStats, gradient_flow, neuron_stats
from .inspect.health import SATURATION_DERIVATIVE, SATURATION_FRACTION
from .training import Callback, EarlyStopping

__all__ = ["Callback", "EarlyStopping", "LivePlot", "NeuronMonitor", "NeuronWarning"]

_RELU_FAMILY = {"relu"}


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _outside_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside neuronlab
    (the user's ``net.fit(...)`` line), counted from the function calling ``warnings.warn``."""
    frame: FrameType | None = sys._getframe(2)   # the caller of the function that calls warnings.warn
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
        self.check(epoch, stats, flow)
        return None

    # -- warnings --------------------------------------------------------------------------
    def _problems(self, stats: NeuronStats, flow: Any) -> dict[tuple[int, str], tuple[str, str]]:
        """``(layer, problem) → (what, advice)`` for every problem present now."""
        found: dict[tuple[int, str], tuple[str, str]] = {}
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

    def check(self, epoch: int, stats: NeuronStats, flow: Any = None) -> dict[tuple[int, str], str]:
        """Follow the problems in ``stats`` (and ``flow``), measured after ``epoch``: warn (with
        ``warn``) the first time one has lasted ``patience`` epochs, and return the message of
        every problem that has lasted that long now, ``(layer, problem) → message``.

        :meth:`on_epoch_end` calls it; a live view (the playground) calls it on its own
        measurements to show the warnings as they happen.
        """
        found = self._problems(stats, flow)
        for key in list(self._since):
            if key not in found:
                del self._since[key]      # the problem went away: a new streak starts later
        current: dict[tuple[int, str], str] = {}
        for key, (what, advice) in found.items():
            since = self._since.setdefault(key, epoch)
            if epoch - since + 1 < self.patience:
                continue
            current[key] = message = f"layer {key[0]}: {what} since epoch {since} — {advice}"
            if key in self.warned:
                continue
            self.warned[key] = message
            if self.warn:
                warnings.warn(message, NeuronWarning, stacklevel=_outside_stacklevel())
        return current

    def __repr__(self) -> str:
        n = np.shape(self.X)[0] if np.ndim(self.X) else 0
        return f"NeuronMonitor({n} samples, warn_dead={self.warn_dead:g}, warn_saturated={self.warn_saturated:g})"


#: at most this many of ``X``'s points are drawn over :class:`LivePlot`'s decision regions
LIVE_POINTS = 400


class _Png(bytes):
    """PNG bytes that a notebook shows as the picture."""

    def _repr_png_(self) -> bytes:
        return bytes(self)

    def __repr__(self) -> str:
        return f"<LivePlot picture, {len(self):,} bytes of PNG>"


class LivePlot(Callback):
    """Training curves that redraw in place in a notebook while :meth:`Network.fit
    <neuronlab.network.Network.fit>` runs.

    One picture in the cell's output, replaced after the epochs (no new outputs, no
    flicker): the loss (and ``val_loss``) on the left, the metric (``accuracy`` or ``mae``,
    and its ``val_`` twin) in the middle and, with ``regions=True``, the network's decision
    regions over the points ``X`` on the right.  Outside a notebook it shows nothing; with
    ``path=`` it also writes the picture to that PNG file (whole or not at all) at every
    redraw, in a notebook or not.

    Drawing costs time, so it redraws only when the epochs since the last redraw took at
    least ``(1 − budget) / budget`` times as long as that redraw (``budget=0.1``: drawing
    stays near a tenth of the run); slow epochs redraw every epoch, fast ones every few;
    the last epoch always redraws.  ``budget=1`` redraws after every epoch.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2), optional
        Points for the decision regions (needed with ``regions=True``).
    y : array-like of shape (n_samples,), optional
        Their labels, for the points' colours.
    regions : bool
        Also draw the decision regions (inputs with two features only), with at most 400
        of the points (a random sample of them, the same at every redraw).
    path : str or path-like, optional
        A ``.png`` file to write at every redraw.
    budget : float in (0, 1]
        The share of the training time that drawing may take (default 0.1).
    figsize : (float, float)
        The picture's size in inches (default: 4 inches per panel by 3).
    dpi : int
        Pixels per inch (default 72).

    Attributes
    ----------
    draws : int
        Redraws so far.
    draw_time : float
        Seconds spent drawing (building the figure included), in all.
    backgrounds : int
        How many times the axes, ticks and legends were rendered: once, and again only
        when a curve left its axis limits (a redraw otherwise draws just the curves).
    display : LiveDisplay
        The notebook output it updates (``display.shown`` is False outside a notebook).

    >>> import numpy as np, neuronlab as nl
    >>> X = np.random.default_rng(0).normal(size=(64, 2)); y = (X[:, 0] > 0).astype(int)
    >>> live = nl.callbacks.LivePlot(X, y, regions=True)               # doctest: +SKIP
    >>> nl.Network.mlp([2, 8, 2], seed=0).fit(X, y, epochs=20, callbacks=[live])  # doctest: +SKIP
    """

    def __init__(self, X: Any = None, y: Any = None, *, regions: bool = False, path: Any = None,
                 budget: float = 0.1, figsize: tuple[float, float] | None = None, dpi: int = 72) -> None:
        self.regions = check_flag("regions", regions, error=ArgumentTypeError)
        if self.regions and X is None:
            raise HyperparameterError("LivePlot(regions=True) needs the points to draw the regions over: "
                                      "LivePlot(X, y, regions=True)")
        self.X = None if X is None else check_array(X, "LivePlot X", ndim=2)
        self.y = None if y is None else np.asarray(y)
        if self.regions and self.X is not None and self.X.shape[1] != 2:
            raise ShapeError(f"LivePlot(regions=True) draws inputs with 2 features; X has {self.X.shape[1]} "
                             "(leave regions=False to see the curves only)")
        if self.y is not None and self.X is not None and len(self.y) != len(self.X):
            raise ShapeError(f"LivePlot y has {len(self.y)} entries for the {len(self.X)} rows of X; give one per row")
        self.path = None if path is None else os.fspath(path)
        if self.path is not None and not self.path.lower().endswith(".png"):
            raise HyperparameterError(f"LivePlot path must end in .png, got {self.path!r}")
        self.budget = check_fraction("budget", budget, low_inclusive=False, high_inclusive=True)
        self.figsize = figsize
        self.dpi = check_positive_int("dpi", dpi)
        self.draws, self.draw_time, self.backgrounds = 0, 0.0, 0
        self.display = LiveDisplay(active=False)

    def set_network(self, network: Any) -> None:
        super().set_network(network)
        if self.regions and network.n_inputs != 2:
            raise ShapeError(f"LivePlot(regions=True) draws networks with 2 inputs; this one has {network.n_inputs}")

    def on_train_begin(self, logs: dict[str, Any]) -> None:
        self.display = LiveDisplay()
        self.draws, self.draw_time, self.backgrounds = 0, 0.0, 0
        self._fig: Any = None
        self._epochs = int(logs.get("epochs", 0))       # the x axis spans them from the start
        self._last_draw_cost = 0.0
        self._since = time.perf_counter()
        if not self.display.active and self.path is None:
            return              # nothing to show and nothing to write: draw nothing
        self._fig, self._lines, self._image = self._build()
        self.draw_time += time.perf_counter() - self._since     # building the figure counts as drawing

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        if self._fig is None:
            return None
        waited = time.perf_counter() - self._since
        if self.draws == 0 or waited * self.budget >= self._last_draw_cost * (1 - self.budget):
            self._draw()
        else:
            self._pending = True
        return None

    def on_train_end(self, logs: dict[str, Any]) -> None:
        if self._fig is not None and getattr(self, "_pending", False):
            self._draw()

    def __repr__(self) -> str:
        what = "curves and regions" if self.regions else "curves"
        path = f", path={self.path!r}" if self.path is not None else ""
        return f"LivePlot({what}, budget={self.budget:g}{path}, {self.draws} redraws)"

    # -- drawing ---------------------------------------------------------------------------
    def _keys(self) -> list[tuple[str, str]]:
        metric = self.network.metric_name
        return [("loss", "val_loss"), (metric, "val_" + metric)]

    def _build(self) -> tuple[Any, dict[str, Any], Any]:
        """The figure, its lines (one per history key, filled at each redraw) and the image
        of the regions."""
        figure = require("matplotlib.figure", extra="plot", what="LivePlot", package="matplotlib")
        agg = require("matplotlib.backends.backend_agg", extra="plot", what="LivePlot", package="matplotlib")
        panels = 2 + self.regions
        fig = figure.Figure(figsize=self.figsize or (4.0 * panels, 3.0), dpi=self.dpi)   # a fixed layout: cheaper
        fig.subplots_adjust(left=0.35 / panels, right=0.98, bottom=0.16, top=0.9, wspace=0.3)
        agg.FigureCanvasAgg(fig)
        axes = fig.subplots(1, panels)
        fig.patch.set_facecolor("white")
        lines = {}
        for ax, keys in zip(axes, self._keys()):
            for key, style in zip(keys, ("-", "--")):
                lines[key], = ax.plot([], [], style, label=key, animated=True)   # drawn over the background
            ax.set_xlabel("epoch")
            ax.set_title(keys[0])
            ax.grid(True, alpha=0.3)
        self._animated: list[Any] = list(lines.values())
        image = self._build_regions(axes[2]) if self.regions else None
        self._background: Any = None
        return fig, lines, image

    def _build_regions(self, ax: Any) -> Any:
        X = cast(np.ndarray, self.X)                  # regions=True needs the points
        pad = 0.1 * (X.max(axis=0) - X.min(axis=0) + 1e-12)
        lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
        g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], 80), np.linspace(lo[1], hi[1], 80))
        self._grid = np.column_stack([g0.ravel(), g1.ravel()])
        image = ax.imshow(np.zeros((80, 80)), origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]),
                          aspect="auto", cmap="coolwarm", alpha=0.45, interpolation="nearest", animated=True)
        colour = None if self.y is None else np.unique(self.y, return_inverse=True)[1]
        shown = np.random.default_rng(0).permutation(len(X))[:LIVE_POINTS]    # points cost time at each redraw
        points = ax.scatter(X[shown, 0], X[shown, 1], c=None if colour is None else colour[shown], cmap="coolwarm",
                            s=10, edgecolors="k", linewidths=0.3, animated=True)
        ax.set_title("decision regions")
        self._animated += [image, points]            # the regions first, the points over them
        return image

    def _draw(self) -> None:
        """Redraw: the axes, ticks and legends are rendered once into a background (again
        only when a curve leaves its axis limits); each redraw puts that background back
        and draws the curves, the regions and the points over it (blitting), then encodes
        the pixels as a PNG."""
        start = time.perf_counter()
        h = self.network.history.history
        for key, line in self._lines.items():
            values = h.get(key, [])
            line.set_data(np.arange(1, len(values) + 1), values)
        if self._image is not None:
            self._draw_regions()
        canvas = self._fig.canvas
        if self._rescale(h) or self._background is None:
            canvas.draw()                              # everything but the animated artists
            self._background = canvas.copy_from_bbox(self._fig.bbox)
            self.backgrounds += 1
        canvas.restore_region(self._background)
        for artist in self._animated:
            artist.axes.draw_artist(artist)
        picture = _Png(self._png(canvas))
        self.display.update(picture)
        if self.path is not None:
            atomic_write(self.path, lambda fh: fh.write(picture))
        self._pending = False
        self.draws += 1
        self._since = time.perf_counter()
        self._last_draw_cost = self._since - start
        self.draw_time += self._last_draw_cost

    def _rescale(self, h: dict[str, list[float]]) -> bool:
        """Fit the curve panels' limits to the data, with room to spare so that later epochs
        mostly stay inside; True when a limit or a legend changed (the background is stale)."""
        changed = False
        n = max((len(v) for v in h.values()), default=0)
        for ax, keys in zip(self._fig.axes[:2], self._keys()):
            values = np.array([v for k in keys for v in h.get(k, [])], dtype=np.float64)
            values = values[np.isfinite(values)]
            x0, x1 = ax.get_xlim()
            if n > x1 - 0.5 or self._background is None:
                ax.set_xlim(0.5, max(self._epochs, 10, 2 ** int(np.ceil(np.log2(max(n, 1))))) + 0.5)
                changed = True
            if values.size:
                lo, hi = float(values.min()), float(values.max())
                y0, y1 = ax.get_ylim()
                if self._background is None or lo < y0 or hi > y1:
                    span = max(hi - lo, abs(hi), 1e-12)
                    bottom = 0.0 if lo >= 0 else lo - 0.1 * span
                    top = 1.02 if keys[0] == "accuracy" and hi <= 1.0 else hi + 0.15 * span
                    ax.set_ylim(bottom, top)
                    changed = True
            shown = [l for l in ax.lines if len(h.get(str(l.get_label()), []))]
            legend = ax.get_legend()
            if shown and (legend is None or len(legend.get_texts()) != len(shown)):
                corner = "lower right" if keys[0] == "accuracy" else "upper right"    # away from where it heads
                ax.legend(handles=shown, loc=corner, fontsize=8)
                changed = True
        return changed

    def _png(self, canvas: Any) -> bytes:
        """The canvas's pixels as PNG bytes (fast compression: the picture is redrawn soon)."""
        image = require("PIL.Image", extra="plot", what="LivePlot", package="pillow")
        rgb = np.asarray(canvas.buffer_rgba())[..., :3]
        out = io.BytesIO()
        image.fromarray(np.ascontiguousarray(rgb)).save(out, format="PNG", compress_level=1)
        return out.getvalue()

    def _draw_regions(self) -> None:
        net = self.network
        out = net.predict_proba(self._grid) if net.is_classifier else net.predict(self._grid)
        out = np.asarray(out, dtype=np.float64)
        if out.ndim == 2 and out.shape[1] > 1:
            value, top = out.argmax(axis=1), out.shape[1] - 1
        else:
            value, top = out.reshape(len(self._grid), -1)[:, 0], None
        self._image.set_data(value.reshape(80, 80))
        self._image.set_clim(0, top) if top else self._image.set_clim(float(value.min()), float(value.max()) + 1e-12)
