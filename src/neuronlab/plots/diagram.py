"""The network diagram: layers, neurons and weights, coloured by what the neurons do."""
from __future__ import annotations

from typing import Any, cast

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


#: most connections drawn between two columns; a crowded gap shows its strongest ones
MAX_EDGES = 60


def network_diagram(net: Any, X: Any = None, *, max_neurons: int = 30, path: Any = None,
                    figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
    """The network as circles and lines: neurons coloured by their mean activation value on
    ``X`` (by their bias without data), connections coloured by the sign of the weight and
    drawn thicker for larger ``|w|``.  Neurons that never fire on ``X`` are ringed in red.

    Every layer has its own colour scale, written under its title: bounded activations
    (sigmoid, tanh, softmax, ...) use their whole output range, unbounded ones the layer's
    range on ``X`` (from 0 or below), biases their layer's largest ``|b|``.  So a layer's
    brightest neuron is bright whatever the layer's units, and a softmax's 0.1 is dark.
    Layers with more than ``max_neurons`` neurons show their first and last neurons and a
    "⋮ N more" marker; between crowded columns only the strongest connections are drawn,
    and the figure says how many.

    Parameters
    ----------
    net : Network
    X : array-like, optional
        Data for the neurons' colours and the red rings.
    max_neurons : int
        Most neurons drawn per column (at least 3).
    path : str or path, optional
        Write the picture there (``.png`` or ``.svg``).

    Returns
    -------
    matplotlib.figure.Figure
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
    scales = _node_scales(mpl, net, dense, stats)
    edge_norm, edge_cmap, shown, total = _draw_edges(mpl, ax, net, dense, slots)
    _draw_nodes(ax, net, dense, sizes, slots, stats, scales)
    _draw_titles(mpl, ax, net, dense, sizes, scales)
    top = (tallest - 1) / 2.0 + 0.6
    ax.set_xlim(-0.7, ncol - 1 + 0.7)
    ax.set_ylim(-top, top)
    _colour_bars(mpl, fig, ax, figsize, stats is not None, scales, edge_norm, edge_cmap, shown, total)
    fig.suptitle(_title(sizes, dense, stats, Xc), fontsize=11)
    return _save(fig, path, palette=True)


def _title(sizes: list[int], dense: list[int], stats: Any, Xc: Any) -> str:
    """``Network 2 → 6 → 3``, and with data how many neurons never fire on it."""
    title = f"Network {' → '.join(str(s) for s in sizes)}"
    if stats is None:
        return title + " — colours: biases (no data given)"
    n_dead = sum(int(stats[i].dead.sum()) for i in dense)
    title += f" — colours from {len(Xc)} samples"
    if n_dead == 0:
        return title + "; every neuron fires on some of them"
    return title + f"; red ring: {n_dead} neuron{' never fires' if n_dead == 1 else 's never fire'} on them"


def _colour_bars(mpl: Any, fig: Any, ax: Any, figsize: tuple[float, float], data: bool, scales: list[Any],
                 edge_norm: Any, edge_cmap: Any, shown: int, total: int) -> None:
    """The two colour bars under the drawing: connections, then neurons (on each layer's
    own scale)."""
    bar_h = 0.22 / figsize[1]    # about 0.22 inch thick, whatever the figure's height
    cb2 = fig.colorbar(mpl.cm.ScalarMappable(norm=edge_norm, cmap=edge_cmap), ax=ax, location="bottom",
                       shrink=0.6, fraction=bar_h, pad=0.02, aspect=40)
    label = "connection: weight w ÷ its layer's largest |w| (thicker line = larger |w|)"
    if shown < total:
        label += f"\nthe strongest {shown} of {total} connections drawn (at most {MAX_EDGES} per gap)"
    cb2.set_label(label, fontsize=9)
    sc = next((s for s in scales if s is not None), None)
    if sc is None:
        return
    cb1 = fig.colorbar(mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0.0, 1.0), cmap=sc.cmap), ax=ax,
                       location="bottom", shrink=0.6, fraction=bar_h, pad=0.02, aspect=40)
    if data:
        cb1.set_ticks([0.0, 0.5, 1.0], labels=["low end", "middle", "high end"])
        cb1.set_label("neuron: mean activation value on X, on its layer's own scale (written under the "
                      "layer's name)", fontsize=9)
    else:
        cb1.set_ticks([0.0, 0.5, 1.0], labels=["−largest |b|", "0", "+largest |b|"])
        cb1.set_label("neuron: bias b ÷ its layer's largest |b| (written under the layer's name)", fontsize=9)


class _Scale:
    """One layer's neuron colours: ``values`` mapped by ``norm`` onto ``cmap``; ``text``
    says the range."""

    def __init__(self, values: np.ndarray, lo: float, hi: float, cmap: Any, text: str) -> None:
        from matplotlib.colors import Normalize
        self.values, self.cmap, self.text = values, cmap, text
        self.norm = Normalize(vmin=lo, vmax=hi)

    def colours(self, idx: list[int]) -> np.ndarray:
        """RGBA of the neurons ``idx``."""
        return self.cmap(self.norm(self.values[idx]))


def _node_scales(mpl: Any, net: Any, dense: list[int], stats: Any) -> list[_Scale | None]:
    """Each column's colour scale (``None`` for the inputs, drawn grey): with data the mean
    activation value, on the activation's output range when it is bounded, else on the
    layer's own range; without data the bias, on ± the layer's largest ``|b|``."""
    scales: list[_Scale | None] = [None]
    for i in dense:
        layer = net.layers[i]
        if stats is None:
            b = np.asarray(layer.b, dtype=np.float64) if layer.use_bias else np.zeros(layer.n_out)
            m = float(np.max(np.abs(b))) if b.size else 0.0
            m = m if m > 0 else 1.0
            scales.append(_Scale(b, -m, m, mpl.colormaps["PuOr_r"], f"colour scale: bias ±{m:.3g}"))
            continue
        v = np.asarray(stats[i].mean, dtype=np.float64)
        r_lo, r_hi = (float(x) for x in layer.activation.output_range)
        lo = min(r_lo if np.isfinite(r_lo) else 0.0, float(v.min()))
        hi = max(r_hi, float(v.max())) if np.isfinite(r_hi) else float(v.max())
        how = "output range" if np.isfinite(r_lo) and np.isfinite(r_hi) else "this layer's range"
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        scales.append(_Scale(v, lo, hi, mpl.colormaps["viridis"], f"colour scale {lo:.3g} … {hi:.3g} ({how})"))
    return scales


def _gap_edges(W: np.ndarray, k: int, slots_in: list[int | None], slots_out: list[int | None],
               most: int) -> tuple[list[Any], np.ndarray, int]:
    """The segments and scaled weights of the connections drawn between columns ``k`` and
    ``k + 1`` (the ``most`` strongest of those whose two ends are drawn), and how many
    there are in all."""
    src = np.array([s for s in slots_in if s is not None])
    dst = np.array([s for s in slots_out if s is not None])
    y_in = _ys(slots_in)[[r for r, s in enumerate(slots_in) if s is not None]]
    y_out = _ys(slots_out)[[r for r, s in enumerate(slots_out) if s is not None]]
    w = W[np.ix_(src, dst)].ravel()
    a, b = np.divmod(np.arange(w.size), dst.size)
    keep = np.argsort(-np.abs(w), kind="stable")[:most]
    segs = [((k, y_in[a[j]]), (k + 1, y_out[b[j]])) for j in keep]
    return segs, w[keep], int(w.size)


def _draw_edges(mpl: Any, ax: Any, net: Any, dense: list[int],
                slots: list[list[int | None]]) -> tuple[Any, Any, int, int]:
    """The connections; returns their ``(norm, colormap)`` and how many of how many drawn
    connections were drawn.  Each layer's weights are on their own scale (its largest |w|,
    written under the gap), so the pattern of every layer shows even when the layers'
    weights differ in size.  Colours are blended with white rather than made transparent,
    and all lines are one collection, which keeps the file small."""
    segs: list[Any] = []
    parts, scales, total = [], [], 0
    for k, i in enumerate(dense):
        W = np.asarray(net.layers[i].W, dtype=np.float64)
        scale = float(np.max(np.abs(W))) if W.size else 0.0
        scale = scale if scale > 0 else 1.0
        scales.append(scale)
        s, w, n = _gap_edges(W, k, slots[k], slots[k + 1], MAX_EDGES)
        segs += s
        parts.append(w / scale)
        total += n
    wvals = np.concatenate(parts) if parts else np.zeros(0)
    edge_norm = mpl.colors.Normalize(vmin=-1.0, vmax=1.0)
    edge_cmap = mpl.colormaps["RdBu_r"]
    _add_lines(ax, segs, wvals, edge_norm, edge_cmap)
    below = mpl.transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for k, scale in enumerate(scales):
        ax.text(k + 0.5, 0.0, f"largest |w| {scale:.3g}", ha="center", va="top", fontsize=8, color="0.3",
                transform=below, clip_on=False)
    return edge_norm, edge_cmap, len(wvals), total


def _add_lines(ax: Any, segs: list[Any], values: np.ndarray, norm: Any, cmap: Any) -> Any:
    """One collection of connections coloured by ``values`` (each in -1..1) and drawn
    thicker for larger ``|value|``, the strongest on top; weak ones fade into white."""
    from matplotlib.collections import LineCollection
    order = np.argsort(np.abs(values), kind="stable")      # strongest on top
    r = np.abs(values[order])          # 0..1: strong connections stand out, weak ones fade
    rgba = cmap(norm(values[order]))
    fade = (0.15 + 0.85 * r ** 1.5)[:, None]
    rgba[:, :3] = rgba[:, :3] * fade + (1.0 - fade)
    rgba[:, 3] = 1.0
    return ax.add_collection(LineCollection([segs[o] for o in order], colors=rgba, linewidths=0.3 + 1.9 * r ** 2,
                                            zorder=1, gid="connections"))


def _draw_nodes(ax: Any, net: Any, dense: list[int], sizes: list[int], slots: list[list[int | None]], stats: Any,
                scales: list[_Scale | None]) -> None:
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
            ax.scatter(np.full(len(yy), col), yy, s=node_size, c="0.85", edgecolors="0.2", linewidths=0.8, zorder=3,
                       gid="inputs")
        else:
            edge_c = ["0.15"] * len(idx)
            lw = [0.8] * len(idx)
            if stats is not None:
                dead = stats[dense[col - 1]].dead
                for r, s in enumerate(idx):
                    if dead[s]:
                        edge_c[r], lw[r] = "#d62728", 2.2
            ax.scatter(np.full(len(yy), col), yy, s=node_size, c=cast(_Scale, scales[col]).colours(idx),
                       edgecolors=edge_c, linewidths=lw, zorder=3, gid=f"layer {dense[col - 1]}")
        _more_marker(ax, col, slots[col], y, sizes[col])
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


def _draw_titles(mpl: Any, ax: Any, net: Any, dense: list[int], sizes: list[int], scales: list[_Scale | None]) -> None:
    """Column titles, just above the drawing (x in data units, y in axes units), each
    layer's colour range under its name."""
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
        scale = scales[col]
        if scale is not None:
            ax.text(col, 1.0, scale.text, ha="center", va="top", fontsize=7.5, color="0.3",
                    transform=above, clip_on=False)


def _more_marker(ax: Any, col: int, slots: list[int | None], y: np.ndarray, size: int) -> None:
    """The "⋮ N more" marker where a column's hidden neurons would be."""
    for r, s in enumerate(slots):
        if s is None:
            hidden = size - (len(slots) - 1)
            ax.text(col, y[r], f"⋮  {hidden} more", ha="center", va="center", fontsize=8, zorder=4,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="0.6", lw=0.6))
