"""The network diagram: layers, neurons and weights, coloured by what the neurons do."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._util.validate import check_int
from ..inspect import neuron_stats
from ..layers import Dense, Dropout
from .figure import _check_dpi, _class_names, _feature_names, _figure, _mpl, _save


def _slots(n: int, max_neurons: int) -> list[int | None]:
    """Neuron indices drawn for a column of n (None = the ellipsis)."""
    if n <= max_neurons:
        return list(range(n))
    head = (max_neurons - 1) // 2
    tail = max_neurons - 1 - head
    return list(range(head)) + [None] + list(range(n - tail, n))


def _ys(slots: list[int | None]) -> np.ndarray:
    """Heights of a column's slots, centred on 0, the first at the top."""
    m = len(slots)
    return (np.arange(m) - (m - 1) / 2.0)[::-1]


def network_diagram(net: Any, X: Any = None, *, max_neurons: int = 30, path: Any = None,
                    figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
    """The network as circles and lines: neurons coloured by their mean activation value on
    ``X`` (by their bias without data), connections coloured by the sign of the weight and
    drawn thicker for larger ``|w|``.  Neurons that never fire on ``X`` are ringed in red.

    Layers with more than ``max_neurons`` neurons show their first and last neurons and a
    "⋮ N more" marker.
    """
    mpl = _mpl()
    check_int("max_neurons", max_neurons, minimum=3)
    Xc = None if X is None else net.check_inputs(X)
    dense = [i for i, l in enumerate(net.layers) if isinstance(l, Dense)]
    sizes = [net.n_inputs] + [net.layers[i].n_out for i in dense]
    slots = [_slots(n, max_neurons) for n in sizes]
    tallest = max(len(s) for s in slots)
    ncol = len(sizes)
    if figsize is None:
        figsize = (max(6.5, 2.0 * ncol + 3.2), max(4.5, 0.3 * tallest + 2.0))
    fig = _figure(figsize, _check_dpi(dpi))
    ax = fig.subplots()
    ax.set_axis_off()
    stats = neuron_stats(net, Xc) if Xc is not None else None
    values, node_norm, node_cmap = _node_colours(mpl, net, dense, stats)
    edge_norm, edge_cmap = _draw_edges(mpl, ax, net, dense, slots)
    _draw_nodes(ax, net, dense, sizes, slots, stats, values, node_norm, node_cmap)
    _draw_titles(mpl, ax, net, dense, sizes)
    top = (tallest - 1) / 2.0 + 0.6
    ax.set_xlim(-0.7, ncol - 1 + 0.7)
    ax.set_ylim(-top, top)
    bar_h = 0.22 / figsize[1]    # about 0.22 inch thick, whatever the figure's height
    cb2 = fig.colorbar(mpl.cm.ScalarMappable(norm=edge_norm, cmap=edge_cmap), ax=ax, location="bottom",
                       shrink=0.6, fraction=bar_h, pad=0.02, aspect=40)
    cb2.set_label("connection: weight w ÷ its layer's largest |w| (thicker line = larger |w|)", fontsize=9)
    cb1 = fig.colorbar(mpl.cm.ScalarMappable(norm=node_norm, cmap=node_cmap), ax=ax, location="bottom",
                       shrink=0.6, fraction=bar_h, pad=0.02, aspect=40)
    cb1.set_label("neuron: mean activation value on X" if stats is not None else "neuron: bias b", fontsize=9)
    title = f"Network {' → '.join(str(s) for s in sizes)}"
    if stats is not None:
        n_dead = sum(int(stats[i].dead.sum()) for i in dense)
        title += (f" — colours from {len(Xc)} samples; red ring: never fires on them "
                  f"({n_dead if n_dead else 'no'} neuron{'' if n_dead == 1 else 's'})")
    fig.suptitle(title, fontsize=11)
    return _save(fig, path)


def _node_colours(mpl: Any, net: Any, dense: list[int], stats: Any) -> tuple[list[np.ndarray | None], Any, Any]:
    """``(values, norm, colormap)`` of the neurons: the mean activation value on the data, or
    the bias without data; the inputs (``values[0] = None``) are drawn grey."""
    values: list[np.ndarray | None] = [None]
    for i in dense:
        layer = net.layers[i]
        if stats is not None:
            values.append(stats[i].mean)
        else:
            values.append(np.asarray(layer.b, dtype=np.float64) if layer.use_bias else np.zeros(layer.n_out))
    allv = np.concatenate([v for v in values[1:] if v is not None])
    vmax = float(np.max(np.abs(allv))) if allv.size else 1.0
    vmax = vmax if vmax > 0 else 1.0
    node_norm = mpl.colors.Normalize(vmin=-vmax, vmax=vmax) if stats is None or allv.min() < 0 else \
        mpl.colors.Normalize(vmin=0.0, vmax=vmax)
    node_cmap = mpl.colormaps["PuOr_r" if stats is None else ("viridis" if allv.min() >= 0 else "PuOr_r")]
    return values, node_norm, node_cmap


def _draw_edges(mpl: Any, ax: Any, net: Any, dense: list[int], slots: list[list[int | None]]) -> tuple[Any, Any]:
    """The connections; returns their ``(norm, colormap)``.  Each layer's weights are on their
    own scale (its largest |w|, written under the gap), so the pattern of every layer shows
    even when the layers' weights differ in size."""
    from matplotlib.collections import LineCollection
    segs, wvals, scales = [], [], []
    for k, i in enumerate(dense):
        W = np.asarray(net.layers[i].W, dtype=np.float64)
        scale = float(np.max(np.abs(W))) if W.size else 0.0
        scale = scale if scale > 0 else 1.0
        scales.append(scale)
        y_in, y_out = _ys(slots[k]), _ys(slots[k + 1])
        for a, src in enumerate(slots[k]):
            if src is None:
                continue
            for b, dst in enumerate(slots[k + 1]):
                if dst is None:
                    continue
                segs.append(((k, y_in[a]), (k + 1, y_out[b])))
                wvals.append(W[src, dst] / scale)
    wvals = np.asarray(wvals)
    order = np.argsort(np.abs(wvals))
    edge_norm = mpl.colors.Normalize(vmin=-1.0, vmax=1.0)
    edge_cmap = mpl.colormaps["RdBu_r"]
    r = np.abs(wvals[order])          # 0..1: strong connections stand out, weak ones fade
    rgba = edge_cmap(edge_norm(wvals[order]))
    crowded = len(wvals) > 150
    rgba[:, 3] = 0.12 + 0.78 * r ** 1.5 if crowded else 0.3 + 0.65 * r
    widths = 0.2 + 2.8 * r ** 2 if crowded else 0.4 + 2.6 * r
    ax.add_collection(LineCollection([segs[o] for o in order], colors=rgba, linewidths=widths, zorder=1))
    below = mpl.transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for k, scale in enumerate(scales):
        ax.text(k + 0.5, 0.0, f"largest |w| {scale:.3g}", ha="center", va="top", fontsize=8, color="0.3",
                transform=below, clip_on=False)
    return edge_norm, edge_cmap


def _draw_nodes(ax: Any, net: Any, dense: list[int], sizes: list[int], slots: list[list[int | None]], stats: Any,
                values: list[np.ndarray | None], node_norm: Any, node_cmap: Any) -> None:
    """The neurons (dead ones ringed in red), the "⋮ N more" markers and the labels beside
    the first and last columns."""
    tallest = max(len(s) for s in slots)
    ncol = len(sizes)
    node_size = float(np.clip(2600.0 / max(tallest, 1) ** 1.15, 25, 420))
    for col in range(ncol):
        y = _ys(slots[col])
        idx = [s for s in slots[col] if s is not None]
        yy = np.array([y[r] for r, s in enumerate(slots[col]) if s is not None])
        if col == 0:
            ax.scatter(np.full(len(yy), col), yy, s=node_size, c="0.85", edgecolors="0.2", linewidths=0.8, zorder=3)
        else:
            v = values[col][idx]
            edge_c = ["0.15"] * len(idx)
            lw = [0.8] * len(idx)
            if stats is not None:
                dead = stats[dense[col - 1]].dead
                for r, s in enumerate(idx):
                    if dead[s]:
                        edge_c[r], lw[r] = "#d62728", 2.2
            ax.scatter(np.full(len(yy), col), yy, s=node_size, c=v, cmap=node_cmap, norm=node_norm,
                       edgecolors=edge_c, linewidths=lw, zorder=3)
        for r, s in enumerate(slots[col]):
            if s is None:
                hidden = sizes[col] - (len(slots[col]) - 1)
                ax.text(col, y[r], f"⋮  {hidden} more", ha="center", va="center", fontsize=8, zorder=4,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.6", lw=0.6))
        if col in (0, ncol - 1) and len(idx) <= 40:
            if col == 0:
                names = _feature_names(net)
                text = [names[s] for s in idx]
            else:
                text = (_class_names(net, sizes[col]) if net.is_classifier else [f"out {s}" for s in idx])
                text = [f"class {text[s]}" if net.is_classifier else text[r] for r, s in enumerate(idx)]
            for r, label in enumerate(text):
                off = -0.12 if col == 0 else 0.12
                ax.text(col + off, yy[r], label, ha="right" if col == 0 else "left", va="center",
                        fontsize=8 if tallest <= 20 else 7)


def _draw_titles(mpl: Any, ax: Any, net: Any, dense: list[int], sizes: list[int]) -> None:
    """Column titles, just above the drawing (x in data units, y in axes units)."""
    ncol = len(sizes)
    above = mpl.transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for col in range(ncol):
        if col == 0:
            title = f"inputs\n{sizes[0]}"
        else:
            i = dense[col - 1]
            layer = net.layers[i]
            kind = "output" if col == ncol - 1 else "hidden"
            title = f"layer {i} ({kind})\n{layer.activation.name} · {layer.n_out}"
            nxt = net.layers[i + 1] if i + 1 < len(net.layers) else None
            if isinstance(nxt, Dropout):
                title += f"\n+ dropout {nxt.rate:g}"
        ax.text(col, 1.0, title, ha="center", va="bottom", fontsize=9, fontweight="bold", transform=above,
                clip_on=False)
