"""Pictures over training: training curves, activation histograms per epoch and neuron
health."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._util.validate import check_int
from ..errors import ArgumentTypeError, HyperparameterError
from ..inspect import neuron_stats, trace
from .figure import _check_dpi, _figure, _legend_away, _mpl, _save, _share_axis

_TRAIN, _VAL = "#1f77b4", "#d62728"


# ---------------------------------------------------------------------------------------
# training curves
# ---------------------------------------------------------------------------------------

def _history_dict(history: Any) -> tuple[dict[str, list[Any]], list[int], int | None]:
    if hasattr(history, "history") and isinstance(history.history, dict):
        h = history.history
        epochs = list(getattr(history, "epochs", []) or [])
        best = getattr(history, "best_epoch", None)
    elif isinstance(history, dict):
        h = history.get("history", history) if isinstance(history.get("history"), dict) else history
        epochs = list(history.get("epochs", []) or []) if "history" in history else []
        best = history.get("best_epoch")
    else:
        raise ArgumentTypeError(f"history must be a History (what fit returns) or its dict, got {type(history).__name__}")
    n = max((len(v) for v in h.values() if isinstance(v, list)), default=0)
    if n == 0:
        raise HyperparameterError("this history is empty; train for at least one epoch first")
    if len(epochs) != n:
        epochs = list(range(1, n + 1))
    return h, epochs, best


def training_curves(history: Any, *, path: Any = None, logy: bool = False,
                    figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
    """Loss and metric per epoch, training vs validation (and the learning rate when a
    schedule changed it).

    Parameters
    ----------
    history : History or dict
        What :meth:`Network.fit` returns (or ``history.to_dict()``).
    logy : bool
        Loss on a logarithmic axis.
    """
    h, epochs, best = _history_dict(history)
    metric = next((m for m in ("accuracy", "mae") if m in h), None)
    lr = h.get("lr")
    show_lr = lr is not None and len(set(float(v) for v in lr)) > 1
    panels = [("loss", "loss")] + ([(metric, metric)] if metric else []) + ([("lr", "learning rate")] if show_lr else [])
    if "loss" not in h:
        raise HyperparameterError(f"this history has no 'loss'; it has {sorted(h)}")
    figsize = figsize or (4.6 * len(panels) + 0.4, 4.0)
    fig = _figure(figsize, _check_dpi(dpi))
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (key, label) in zip(axes, panels):
        x = epochs[:len(h[key])]
        marker = "o" if len(x) <= 30 else None
        if key == "lr":
            ax.plot(x, h[key], color="0.3", marker=marker, ms=3)
        else:
            fmt = (lambda v: f"{v:.1%}") if key == "accuracy" else (lambda v: f"{v:.4g}")
            ax.plot(x, h[key], color=_TRAIN, lw=2, marker=marker, ms=3, label=f"training (last {fmt(h[key][-1])})")
            vkey = "val_" + key
            if vkey in h:
                ax.plot(epochs[:len(h[vkey])], h[vkey], color=_VAL, lw=2, ls="--", marker=marker, ms=3,
                        label=f"validation (last {fmt(h[vkey][-1])})")
        if best is not None:
            ax.axvline(best, color="0.4", ls=":", lw=1.2, label=f"best epoch ({best})")
        if key == "accuracy":
            _share_axis(ax, list(h[key]) + list(h.get("val_" + key, [])))
        if (key == "loss" and logy) or key == "lr":
            if min(float(v) for v in h[key]) > 0:
                ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title({"loss": "Loss", "lr": "Learning rate"}.get(key, label.capitalize()), fontweight="bold")
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(_mpl().ticker.MaxNLocator(integer=True))
        if key != "lr":
            _legend_away(ax, [h[key], h.get("val_" + key, [])], fontsize=9)
    fig.suptitle(f"Training curves ({len(epochs)} epochs)", fontsize=12)
    return _save(fig, path)


# ---------------------------------------------------------------------------------------
# activation histograms
# ---------------------------------------------------------------------------------------

def _epoch_stats(history: Any) -> tuple[list[Any], list[int]]:
    extra = getattr(history, "extra", None)
    stats = extra.get("neuron_stats") if isinstance(extra, dict) else None
    if not stats:
        raise HyperparameterError(
            "this history holds no neuron statistics; train with "
            "callbacks=[nl.callbacks.NeuronMonitor(X_val)] to record them each epoch")
    epochs = list(getattr(history, "epochs", []) or [])
    if len(epochs) != len(stats):
        epochs = list(range(1, len(stats) + 1))
    return stats, epochs


def activation_histograms(net: Any = None, X: Any = None, *, history: Any = None, epochs: Sequence[int] | None = None,
                          bins: int = 40, log: bool = True, ncols: int = 3, path: Any = None,
                          dpi: float = 100) -> Any:
    """Distribution of each Dense layer's activation values on ``X``, with the firing threshold.

    Parameters
    ----------
    net, X : Network and data
        The current activation values (filled histogram).  May be omitted when
        ``history`` is given.
    history : History, optional
        From a run with :class:`~neuronlab.callbacks.NeuronMonitor`: adds one outline per
        recorded epoch (colour = epoch), showing how the distributions moved in training.
    epochs : list of int, optional
        Which recorded epochs to draw (default: up to 5, evenly spaced, first and last included).
    bins : int
        Bins of the filled histogram.
    log : bool
        Logarithmic vertical axis (default True: the pile of relu zeros does not flatten the rest).
    """
    mpl = _mpl()
    if net is None and history is None:
        raise HyperparameterError("give a network and data (net, X), a history from NeuronMonitor, or both")
    if (net is None) != (X is None):
        raise HyperparameterError("net and X go together: pass both (or neither, with history=)")
    check_int("bins", bins, minimum=2, maximum=1000)
    current = neuron_stats(net, X) if net is not None else None
    t = trace(net, X) if net is not None else None
    ep_stats: list[Any] = []
    ep_numbers: list[int] = []
    if history is not None:
        ep_stats, ep_numbers = _epoch_stats(history)
        pick = _pick_epochs(ep_numbers, epochs)
        ep_stats = [ep_stats[ep_numbers.index(e)] for e in pick]
        ep_numbers = pick
    ref = current if current is not None else ep_stats[-1]
    layers = ref.layers
    n = len(layers)
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig = _figure((4.3 * ncols + (1.2 if ep_stats else 0.3), 3.4 * nrows + 0.5), _check_dpi(dpi))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    cmap = mpl.colormaps["viridis"]
    enorm = mpl.colors.Normalize(vmin=min(ep_numbers), vmax=max(max(ep_numbers), min(ep_numbers) + 1)) \
        if ep_numbers else None
    for ax, ls in zip(axes, layers):
        a = t.layers[ls.index].a.astype(np.float64).ravel() if t is not None else None
        _layer_histogram(ax, ls, a, bins, log, list(zip(ep_numbers, ep_stats)), cmap, enorm)
    for ax in axes[n:]:
        ax.set_visible(False)
    if ep_stats:
        sm = mpl.cm.ScalarMappable(norm=enorm, cmap=cmap)
        cb = fig.colorbar(sm, ax=axes[:n].tolist(), shrink=0.8, pad=0.02)
        cb.set_label("epoch (outlines)")
        cb.ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    where = f"on {ref.settings['n_samples']} samples" if current is not None else f"at epoch {ep_numbers[-1]}"
    fig.suptitle(f"Activation values per layer {where}", fontsize=12, fontweight="bold")
    handles, names = axes[0].get_legend_handles_labels()
    if handles:      # one legend under the panels, where it covers no bars
        fig.legend(handles, names, loc="outside lower center", ncols=len(handles), fontsize=9, frameon=False)
    return _save(fig, path)


def _layer_histogram(ax: Any, ls: Any, a: np.ndarray | None, bins: int, log: bool, recorded: list[tuple[int, Any]],
                     cmap: Any, enorm: Any) -> None:
    """One layer's panel: the current values ``a`` (filled), one outline per recorded epoch,
    the firing threshold, and the layer's facts in the title."""
    if a is not None:
        lo, hi = float(a.min()), float(a.max())
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        ax.hist(a, bins=bins, range=(lo, hi), density=True, color="0.78", edgecolor="0.5", lw=0.5,
                label="now (on X)" if recorded else "activation values")
    for e, st in recorded:
        layer_stats = next((l for l in st.layers if l.index == ls.index), None)
        if layer_stats is None or layer_stats.hist_counts.size == 0:
            continue
        counts, edges = layer_stats.hist_counts, layer_stats.hist_edges
        density = counts / max(counts.sum(), 1) / np.diff(edges)
        ax.stairs(density, edges, baseline=None, color=cmap(enorm(e)), lw=1.5)
    if ls.threshold is not None:
        ax.axvline(ls.threshold, color="#d62728", ls="--", lw=1.3, label="firing threshold")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("activation value")
    ax.set_ylabel("density of values" + (" (log scale)" if log else ""))
    role = " (output)" if ls.is_output else ""
    facts = f"{ls.firing_fraction:.0%} firing · {ls.dead_fraction:.0%} dead"
    if ls.threshold is not None:
        facts = f"fires above {ls.threshold:.3g} · " + facts
    if ls.saturating:
        facts += f" · {ls.saturated_fraction:.0%} saturated"
    ax.set_title(f"layer {ls.index}{role} · {ls.activation} · {ls.n_neurons} neurons\n{facts}", fontsize=10)
    ax.grid(True, alpha=0.25)


def _pick_epochs(recorded: list[int], epochs: Sequence[int] | None, most: int = 5) -> list[int]:
    if epochs is not None:
        bad = [e for e in epochs if e not in recorded]
        if bad:
            raise HyperparameterError(f"epochs {bad} were not recorded; recorded epochs: {recorded[0]}..{recorded[-1]}")
        return list(epochs)
    if len(recorded) <= most:
        return list(recorded)
    idx = np.unique(np.linspace(0, len(recorded) - 1, most).round().astype(int))
    return [recorded[i] for i in idx]


# ---------------------------------------------------------------------------------------
# neuron health over training
# ---------------------------------------------------------------------------------------

def neuron_health(history: Any, *, path: Any = None, figsize: tuple[float, float] = (13.0, 4.6),
                  dpi: float = 100) -> Any:
    """Share of firing, dead and saturated neurons per layer over the epochs, from a run
    with :class:`~neuronlab.callbacks.NeuronMonitor`.

    Every axis runs from 0 % to 100 %.  Layers whose lines coincide (several at 0 % dead,
    say) stay visible: each layer has its own marker and the earlier layers are drawn
    wider underneath the later ones, and the panel names the layers that overlap.

    Parameters
    ----------
    history : History or dict
        What :meth:`Network.fit` returns (or ``history.to_dict()``) with ``NeuronMonitor``.
    path : str or path, optional
        Write the picture there (``.png`` or ``.svg``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fire, dead, sat = _health_shares(history)
    n_ep, n_layers = dead.shape
    epochs = list(getattr(history, "epochs", []) or [])
    if len(epochs) != n_ep:
        epochs = list(range(1, n_ep + 1))
    extra = getattr(history, "extra", {}) or {}
    positions = extra.get("neuron_layers") or list(range(n_layers))
    acts = extra.get("neuron_activations") or ["?"] * n_layers
    stats = extra.get("neuron_stats") or []
    saturating = [bool(stats[-1].layers[k].saturating) if stats else True for k in range(n_layers)]
    labels = [f"layer {positions[k]} ({acts[k]})" + (" · output" if k == n_layers - 1 else "")
              for k in range(n_layers)]
    fig = _figure(figsize, _check_dpi(dpi))
    axes = fig.subplots(1, 3, sharex=True)
    everyone = [True] * n_layers
    for ax, shares, shown in zip(axes, (fire, dead, sat), (everyone, everyone, saturating)):
        _health_panel(ax, epochs, 100.0 * shares, labels, shown)
    if not any(saturating):
        axes[2].text(0.5, 0.5, "no saturating activations\n(sigmoid, tanh, ...) in this network",
                     transform=axes[2].transAxes, ha="center", va="center", fontsize=9, color="0.4")
    settings = getattr(stats[-1], "settings", {}) if stats else {}
    d, f = settings.get("saturation_derivative", 1e-3), settings.get("saturation_fraction", 0.99)
    titles = ["Firing: share of activation values", "Dead: never fire on the data",
              f"Saturated: |f′| < {d:g} on ≥ {f:.0%} of samples"]
    for ax, title in zip(axes, titles):
        ax.set_title(title, fontsize=10, fontweight="bold")
        ax.set_ylabel("% of the layer's neurons" if ax is not axes[0] else "% of values past the threshold")
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(n_layers, 5), fontsize=9, frameon=False)
    fig.suptitle("Neuron health during training", fontsize=12)
    return _save(fig, path)


_MARKERS = "osD^v<>ph*"


def _health_shares(history: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The firing, dead and saturated shares, each of shape ``(epochs, layers)``."""
    h = getattr(history, "history", history)
    if isinstance(h, dict) and isinstance(h.get("history"), dict):     # History.to_dict()
        h = h["history"]
    if not isinstance(h, dict) or "dead_fraction" not in h:
        raise HyperparameterError(
            "this history holds no neuron statistics; train with "
            "callbacks=[nl.callbacks.NeuronMonitor(X_val)] to record them each epoch")
    dead = np.asarray(h["dead_fraction"], dtype=np.float64)
    if dead.ndim != 2 or dead.shape[0] == 0:
        raise HyperparameterError("dead_fraction must hold one list of per-layer shares per epoch")
    sat = np.asarray(h.get("saturated_fraction", np.zeros_like(dead)), dtype=np.float64)
    fire = np.asarray(h.get("firing_fraction", np.full_like(dead, np.nan)), dtype=np.float64)
    return fire, dead, sat


def _health_panel(ax: Any, epochs: list[int], percents: np.ndarray, labels: list[str], shown: list[bool]) -> None:
    """One share over the epochs, a line per layer, on a 0–100 % axis; coinciding lines
    stay visible (wider lines and bigger markers underneath) and are named in a note."""
    mpl = _mpl()
    colors = mpl.colormaps["tab10"]
    drawn = [k for k in range(len(labels)) if shown[k]]
    n = max(len(drawn), 1)
    for rank, k in enumerate(drawn):
        under = (n - 1 - rank) / max(n - 1, 1)          # 1 for the first layer drawn, 0 for the last
        ax.plot(epochs, percents[:, k], color=colors(k % 10), lw=1.4 + 3.0 * under,
                marker=_MARKERS[k % len(_MARKERS)] if len(epochs) <= 30 else None, ms=4 + 5 * under,
                mfc="white" if rank % 2 else None, label=labels[k], zorder=2 + rank)
    note = _overlap_note(percents, labels, drawn)
    if note:
        ax.text(0.98, 0.96, note, transform=ax.transAxes, ha="right", va="top", fontsize=8, color="0.25",
                bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.7", lw=0.6, alpha=0.9), zorder=10)
    ax.set_xlabel("epoch")
    _share_axis(ax, scale=100.0)
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)


def _overlap_note(percents: np.ndarray, labels: list[str], drawn: list[int]) -> str:
    """A line per group of layers whose shares are equal at every epoch, e.g.
    ``"layers 0, 1: 0 % throughout (lines overlap)"``; empty when no lines coincide."""
    groups: list[list[int]] = []
    for k in drawn:
        for g in groups:
            if np.allclose(percents[:, k], percents[:, g[0]], atol=0.05, equal_nan=True):
                g.append(k)
                break
        else:
            groups.append([k])
    lines = []
    for g in groups:
        if len(g) < 2:
            continue
        names = ", ".join(labels[k].split(" (")[0].removeprefix("layer ") for k in g)
        col = percents[:, g[0]]
        same = bool(np.all(np.isfinite(col))) and float(np.ptp(col)) < 0.05
        level = f"{col[0]:.0f} % throughout" if same else "the same shares"
        lines.append(f"layers {names}: {level} (lines overlap)")
    return "\n".join(lines)
