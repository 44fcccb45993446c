"""Pictures of backpropagation: one batch's gradients on the network diagram
(:func:`backprop`) and what one step of gradient descent does to the weights
(:func:`gradient_step`).

Every number comes from :meth:`Network.trace <neuronlab.network.Network.trace>` with
targets, the backward pass exactly as training computes it, so the network, its gradient
buffer and its random state are left alone.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._util.text import format_number
from .._util.validate import check_int, check_positive
from ..errors import HyperparameterError, ShapeError
from ..inspect import trace
from ..inspect.gradient import _batch, _batch_targets
from ..layers import Dropout
from .diagram import MAX_EDGES, _add_lines, _gap_edges, _more_marker, _slots, _ys
from .figure import _check_dpi, _class_names, _feature_names, _figure, _mpl, _save

#: columns with at most this many neurons get each neuron's number written beside it
_NUMBERED = 12
#: heatmaps with at most this many cells get each cell's number written in it
_NUMBERED_CELLS = 80


def _traced(net: Any, x: Any, y: Any, what: str) -> Any:
    """``net.trace`` of ``x`` (one sample or a batch) against ``y``, checked first."""
    if y is None:
        raise ShapeError(f"{what} needs the targets y of x: the gradients are the loss's, and the loss compares "
                         f"the output with them (e.g. plots.{what}(net, X[3], y[3]) or plots.{what}(net, X, y))")
    X, one = _batch(net, x)
    return trace(net, X, _batch_targets(net, y, one))


def _check_scale(scale: Any) -> str:
    if scale not in ("layer", "overall"):
        raise HyperparameterError(f"scale must be 'layer' (each layer on its own colour scale) or 'overall' "
                                  f"(one scale for the whole network), got {scale!r}")
    return scale


def _dropout_note(net: Any, i: int) -> str:
    nxt = net.layers[i + 1] if i + 1 < len(net.layers) else None
    return f"\n+ dropout {nxt.rate:g} (off here)" if isinstance(nxt, Dropout) else ""


def _samples(n: int) -> str:
    return "1 sample" if n == 1 else f"a batch of {n} samples"


# ---------------------------------------------------------------------------------------
# backprop: the gradients on the diagram
# ---------------------------------------------------------------------------------------

def backprop(net: Any, x: Any, y: Any, path: Any = None, *, scale: str = "layer", max_neurons: int = 30,
             figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
    """The network diagram of one backward pass: each neuron coloured by its ``δ = ∂L/∂z``,
    each connection coloured and thickened by its ``∂L/∂w``, for the loss of ``x`` against ``y``.

    The colours are diverging and centred at 0: red for a positive gradient (a step of
    gradient descent lowers that weight or bias), blue for a negative one (a step raises
    it), white for none.  For a batch a neuron shows ``Σ_samples δ`` (the batch's
    ``∂L/∂b``: the loss is the mean, so each sample's ``δ`` carries its ``1/n`` share), and a
    connection the batch gradient ``∂L/∂W = xᵀ·δ``.  An arrow under the drawing says which
    way the gradient flows: from the loss at the output back to the first layer.

    With ``scale="layer"`` (the default) every layer has its own symmetric scale, its
    largest ``|δ|`` and ``|∂L/∂w|`` written at the layer, because gradients often differ by
    orders of magnitude between layers and one scale would leave the small ones white;
    ``scale="overall"`` puts the whole network on one scale, which shows where the
    gradient vanishes.  Columns of more than ``max_neurons`` neurons show their first and
    last neurons, and between crowded columns only the strongest ``∂L/∂w`` are drawn, as
    in :func:`network_diagram`.  Dropout is off (the trace runs in prediction mode).

    Parameters
    ----------
    net : Network
    x : array-like of shape (n_inputs,) or (n_samples, n_inputs)
        One sample, or a batch.
    y : array-like
        The targets of ``x``, as ``fit`` takes them (one target, or one row, for one sample).
    path : str or path, optional
        Write the picture there (``.png`` or ``.svg``).
    scale : {"layer", "overall"}
    max_neurons : int
        Most neurons drawn per column (at least 3).

    Returns
    -------
    matplotlib.figure.Figure
    """
    mpl = _mpl()
    check_int("max_neurons", max_neurons, minimum=3)
    scale = _check_scale(scale)
    dpi = _check_dpi(dpi)
    t = _traced(net, x, y, "backprop")
    dense = t.dense
    sizes = [net.n_inputs] + [lt.n_units for lt in dense]
    slots = [_slots(n, max_neurons) for n in sizes]
    tallest = max(len(s) for s in slots)
    ncol = len(sizes)
    if figsize is None:
        figsize = (max(7.0, 2.2 * ncol + 3.4), max(4.8, 0.3 * tallest + 2.6))
    fig = _figure(figsize, dpi)
    ax = fig.subplots()
    ax.set_axis_off()
    deltas = [np.add.reduce(lt.delta.astype(np.float64), 0) for lt in dense]
    grads = [lt.dW.astype(np.float64) for lt in dense]
    d_max, g_max = _largest(deltas, scale), _largest(grads, scale)
    norm, cmap = mpl.colors.Normalize(vmin=-1.0, vmax=1.0), mpl.colormaps["RdBu_r"]
    shown, total = _gradient_edges(mpl, ax, grads, g_max, slots, norm, cmap)
    _gradient_nodes(ax, net, t, deltas, d_max, sizes, slots, norm, cmap)
    _backprop_titles(mpl, ax, net, t, d_max, g_max, ncol)
    top = (tallest - 1) / 2.0 + 0.6
    ax.set_xlim(-0.8, ncol - 1 + 0.8)
    ax.set_ylim(-top - 0.7, top)
    ax.annotate("", xy=(0.0, -top - 0.35), xytext=(ncol - 1, -top - 0.35),
                arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.6, mutation_scale=18), gid="backward")
    ax.text((ncol - 1) / 2.0, -top - 0.25, "backward pass: the gradient flows from the loss at the output "
            "back to the first layer", ha="center", va="bottom", fontsize=8.5, color="0.25")
    _backprop_bar(mpl, fig, ax, figsize, norm, cmap, scale, shown, total)
    name = net.loss.name
    fig.suptitle(f"Backpropagation on {_samples(len(t.X))}: {name} loss L = {format_number(t.loss)}",
                 fontsize=11)
    return _save(fig, path, palette=True)


def _largest(values: list[np.ndarray], scale: str) -> list[float]:
    """Each layer's largest ``|value|`` (the overall largest for every layer with
    ``scale="overall"``); 1 where all are 0."""
    m = [float(np.max(np.abs(v))) if v.size else 0.0 for v in values]
    if scale == "overall":
        m = [max(m)] * len(m)
    return [v if v > 0 else 1.0 for v in m]


def _gradient_edges(mpl: Any, ax: Any, grads: list[np.ndarray], g_max: list[float], slots: list[list[int | None]],
                    norm: Any, cmap: Any) -> tuple[int, int]:
    """The connections coloured by ``∂L/∂w`` on each layer's scale; returns how many of how
    many drawable connections were drawn."""
    segs: list[Any] = []
    parts, total = [], 0
    for k, dW in enumerate(grads):
        s, g, n = _gap_edges(dW, k, slots[k], slots[k + 1], MAX_EDGES)
        segs += s
        parts.append(g / g_max[k])
        total += n
    values = np.concatenate(parts) if parts else np.zeros(0)
    _add_lines(ax, segs, values, norm, cmap)
    return len(values), total


def _gradient_nodes(ax: Any, net: Any, t: Any, deltas: list[np.ndarray], d_max: list[float], sizes: list[int],
                    slots: list[list[int | None]], norm: Any, cmap: Any) -> None:
    """The neurons coloured by ``δ``, the "⋮ N more" markers, the inputs' and outputs'
    names, and each neuron's ``δ`` written beside it in small columns."""
    tallest = max(len(s) for s in slots)
    ncol = len(sizes)
    node_size = float(np.clip(2600.0 / max(tallest, 1) ** 1.15, 25, 420))
    one = len(t.X) == 1
    for col in range(ncol):
        y = _ys(slots[col])
        idx = [s for s in slots[col] if s is not None]
        yy = np.array([y[r] for r, s in enumerate(slots[col]) if s is not None])
        if col == 0:
            ax.scatter(np.full(len(yy), 0), yy, s=node_size, c="0.85", edgecolors="0.2", linewidths=0.8,
                       zorder=3, gid="inputs")
        else:
            d = deltas[col - 1]
            ax.scatter(np.full(len(yy), col), yy, s=node_size, c=cmap(norm(d[idx] / d_max[col - 1])),
                       edgecolors="0.15", linewidths=0.8, zorder=3, gid=f"layer {t.dense[col - 1].index}")
            if len(slots[col]) <= _NUMBERED and col < ncol - 1:
                beside = float(np.sqrt(node_size)) / 2.0 + 4.0       # points right of the circle
                for r, s in enumerate(idx):
                    ax.annotate(f"δ {_short(d[s])}", (col, yy[r]), xytext=(beside, 0), textcoords="offset points",
                                ha="left", va="center", fontsize=7.5, color="0.2", zorder=4,
                                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))
        _more_marker(ax, col, slots[col], y, sizes[col])
        if col in (0, ncol - 1) and len(idx) <= 40:
            labels = _end_labels(net, t, col, idx, sizes[col], one)
            if col == ncol - 1 and len(slots[col]) <= _NUMBERED:
                labels = [f"{label}, δ = {_short(deltas[-1][s])}" for label, s in zip(labels, idx)]
            off = -0.12 if col == 0 else 0.12
            for r, label in enumerate(labels):
                ax.text(col + off, yy[r], label, ha="right" if col == 0 else "left", va="center",
                        fontsize=8 if tallest <= 20 else 7)


def _short(v: float) -> str:
    """A gradient in three significant digits (``-0.0281``, ``1.53e-05``)."""
    return "0" if v == 0 else f"{float(v):.3g}"


def _end_labels(net: Any, t: Any, col: int, idx: list[int], n: int, one: bool) -> list[str]:
    """Names beside the inputs and the outputs; for one sample with its numbers (the
    input's value; the output's activation value and target)."""
    if col == 0:
        names = _feature_names(net)
        return [f"{names[s]} = {format_number(t.X[0, s])}" if one else names[s] for s in idx]
    names = ([f"class {c}" for c in _class_names(net, n)] if net.is_classifier else [f"out {s}" for s in range(n)])
    if not one:
        return [names[s] for s in idx]
    target = (t.y[0] == np.arange(n)).astype(float) if t.y.ndim == 1 else t.y[0]
    return [f"{names[s]}: a = {format_number(t.output[0, s])}, y = {format_number(target[s])}" for s in idx]


def _backprop_titles(mpl: Any, ax: Any, net: Any, t: Any, d_max: list[float], g_max: list[float],
                     ncol: int) -> None:
    """Column titles with each layer's largest ``|δ|``, and each gap's largest ``|∂L/∂w|``
    under it."""
    above = mpl.transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for col in range(ncol):
        if col == 0:
            title, sub = f"inputs\n{net.n_inputs}", "(no δ: not a neuron)"
        else:
            lt = t.dense[col - 1]
            kind = "output" if col == ncol - 1 else "hidden"
            title = f"layer {lt.index} ({kind})\n{lt.activation.name} · {lt.n_units}"
            title += _dropout_note(net, lt.index)
            sub = f"colour scale: δ ±{format_number(d_max[col - 1])}"
        ax.text(col, 1.0, title, ha="center", va="bottom", fontsize=9, fontweight="bold", transform=above,
                clip_on=False)
        ax.text(col, 1.0, sub, ha="center", va="top", fontsize=7.5, color="0.3", transform=above, clip_on=False)
    for k in range(ncol - 1):
        ax.text(k + 0.5, 1.0, f"connections:\n∂L/∂w ±{format_number(g_max[k])}", ha="center", va="top",
                fontsize=7.5, color="0.3", transform=above, clip_on=False)


def _backprop_bar(mpl: Any, fig: Any, ax: Any, figsize: tuple[float, float], norm: Any, cmap: Any, scale: str,
                  shown: int, total: int) -> None:
    """The colour bar under the drawing: one diverging scale for neurons and connections."""
    bar_h = 0.22 / figsize[1]
    cb = fig.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, location="bottom", shrink=0.6,
                      fraction=bar_h, pad=0.02, aspect=40)
    where = "its layer's" if scale == "layer" else "the network's"
    cb.set_ticks([-1.0, 0.0, 1.0], labels=["−largest", "0", "+largest"])
    label = (f"neuron: δ = ∂L/∂z (summed over the batch: ∂L/∂b); connection: ∂L/∂w (thicker = larger); "
             f"each ÷ {where} largest |·|\nred: a gradient-descent step lowers that weight or bias; "
             f"blue: raises it")
    if shown < total:
        label += f"\nthe strongest {shown} of {total} connections drawn (at most {MAX_EDGES} per gap)"
    cb.set_label(label, fontsize=9)


# ---------------------------------------------------------------------------------------
# gradient_step: one step of gradient descent, per layer
# ---------------------------------------------------------------------------------------

def gradient_step(net: Any, x: Any, y: Any, learning_rate: float, path: Any = None, *, max_neurons: int = 64,
                  figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
    """What one step of plain gradient descent on ``x`` against ``y`` does to every Dense
    layer's weights: per layer, heatmaps of ``W`` before, of the step ``−η·∂L/∂W`` and of
    ``W`` after (each with the biases as its last row, ``b``).

    Before and after share one symmetric colour scale, so that they can be compared; the
    step has its own (a step is usually far smaller than the weights, and on their scale
    it would be white), and its title says how large it is next to the weights.  The
    title gives the loss before and after the step.  Small layers get every number
    written in its cell; layers with more than ``max_neurons`` inputs or neurons show
    their first and last rows or columns around a gap.  The network is not changed: the
    step is applied to a copy.

    Parameters
    ----------
    net : Network
    x : array-like of shape (n_inputs,) or (n_samples, n_inputs)
        One sample, or a batch.
    y : array-like
        The targets of ``x``, as ``fit`` takes them.
    learning_rate : float
        ``η`` (> 0).
    path : str or path, optional
        Write the picture there (``.png`` or ``.svg``).
    max_neurons : int
        Most rows (inputs) and columns (neurons) drawn per heatmap (at least 3).

    Returns
    -------
    matplotlib.figure.Figure
    """
    mpl = _mpl()
    eta = check_positive("learning_rate", learning_rate)
    check_int("max_neurons", max_neurons, minimum=3)
    dpi = _check_dpi(dpi)
    t = _traced(net, x, y, "gradient_step")
    after = net.copy()
    for layer, lt in zip(after.dense_layers, t.dense):
        layer.W[...] = layer.W - after.dtype.type(eta) * lt.dW
        if layer.use_bias:
            layer.b[...] = layer.b - after.dtype.type(eta) * lt.db
    loss_after = after.trace(t.X, t.y).loss
    heights = [min(len(_slots(lt.x.shape[1], max_neurons)) + 1, 40) + 3.0 for lt in t.dense]
    if figsize is None:
        figsize = (12.0, max(3.6, sum(0.16 * h + 0.9 for h in heights) + 0.8))
    fig = _figure(figsize, dpi)
    axes = fig.subplots(len(t.dense), 3, squeeze=False, gridspec_kw=dict(height_ratios=heights))
    for row, (lt, new) in enumerate(zip(t.dense, after.dense_layers)):
        _step_row(mpl, fig, axes[row], net, lt, new, eta, max_neurons)
    rose = "\nthe loss rose: this step overshoots, η is too large for this batch" if loss_after > t.loss else ""
    fig.suptitle(f"One gradient-descent step, η = {format_number(eta)}, on {_samples(len(t.X))}: "
                 f"{net.loss.name} loss {format_number(t.loss)} → {format_number(loss_after)}{rose}", fontsize=11)
    return _save(fig, path)


def _with_bias(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.vstack([W, b.reshape(1, -1)]) if b.size else W


def _shown(M: np.ndarray, rows: list[int | None], cols: list[int | None]) -> np.ndarray:
    """``M`` with only the slots' rows and columns, a NaN row or column at each gap."""
    out = np.full((len(rows), len(cols)), np.nan)
    for r, i in enumerate(rows):
        for c, j in enumerate(cols):
            if i is not None and j is not None:
                out[r, c] = M[i, j]
    return out


def _step_row(mpl: Any, fig: Any, axes: Any, net: Any, lt: Any, new: Any, eta: float, max_neurons: int) -> None:
    """One layer's three heatmaps: W before, the step, W after, and their two colour bars."""
    layer = net.layers[lt.index]
    has_b = bool(layer.use_bias)
    before = _with_bias(np.asarray(layer.W, np.float64), np.asarray(layer.b, np.float64) if has_b else np.zeros(0))
    step = -eta * _with_bias(lt.dW.astype(np.float64), lt.db.astype(np.float64) if has_b else np.zeros(0))
    afterM = _with_bias(np.asarray(new.W, np.float64), np.asarray(new.b, np.float64) if has_b else np.zeros(0))
    n_in = layer.n_in
    rows = _slots(n_in, max_neurons) + ([n_in] if has_b else [])
    cols = _slots(layer.n_out, max_neurons)
    w_max = float(max(np.max(np.abs(before)), np.max(np.abs(afterM)))) or 1.0
    s_max = float(np.max(np.abs(step))) or 1.0
    w_norm, s_norm = mpl.colors.Normalize(-w_max, w_max), mpl.colors.Normalize(-s_max, s_max)
    w_cmap, s_cmap = mpl.colormaps["RdBu_r"], mpl.colormaps["PuOr_r"]
    share = s_max / w_max * 100.0 if np.max(np.abs(step)) > 0 else 0.0
    name = f"layer {lt.index} · {lt.activation.name}" + _dropout_note(net, lt.index).replace("\n", " ")
    wb, grad = ("W and b", "−η·∂L/∂W, −η·∂L/∂b") if has_b else ("W", "−η·∂L/∂W")
    titles = [f"{name}\n{wb} before", f"step {grad}\nlargest {_short(s_max)} "
              f"({_short(share)} % of the largest weight)", f"{wb} after"]
    mats = [(before, w_norm, w_cmap), (step, s_norm, s_cmap), (afterM, w_norm, w_cmap)]
    for ax, (M, norm, cmap), title in zip(axes, mats, titles):
        _heatmap(ax, _shown(M, rows, cols), rows, cols, norm, cmap, n_in, _row_names(net, lt, n_in))
        ax.set_title(title, fontsize=9)
    first = lt.index == net.layers.index(net.dense_layers[0])
    axes[0].set_ylabel("input" if first else "from neuron (previous layer)", fontsize=8)
    bar_w = dict(location="right", fraction=0.05, pad=0.02, aspect=25)
    fig.colorbar(mpl.cm.ScalarMappable(norm=s_norm, cmap=s_cmap), ax=axes[1], **bar_w).ax.tick_params(labelsize=7)
    cb = fig.colorbar(mpl.cm.ScalarMappable(norm=w_norm, cmap=w_cmap), ax=[axes[0], axes[2]], **bar_w)
    cb.ax.tick_params(labelsize=7)
    cb.set_label("weight (before and after)", fontsize=8)


def _row_names(net: Any, lt: Any, n_in: int) -> list[str]:
    """The names of a layer's inputs: the features for the first Dense layer, else the
    previous layer's neurons (``a0``, ``a1``, ...)."""
    if lt.index == net.layers.index(net.dense_layers[0]):
        return _feature_names(net)
    return [f"a{k}" for k in range(n_in)]


def _heatmap(ax: Any, M: np.ndarray, rows: list[int | None], cols: list[int | None], norm: Any, cmap: Any,
             n_in: int, names: list[str]) -> None:
    """One matrix as coloured cells (gaps grey), rows named by input and ``b``, columns by
    neuron; small ones with their numbers."""
    shown = np.ma.masked_invalid(M)
    cm = cmap.with_extremes(bad="0.92")
    ax.imshow(shown, cmap=cm, norm=norm, aspect="auto", interpolation="nearest")
    fs = 7 if len(rows) <= 20 else 5.5
    ylabels = ["b" if i == n_in else ("⋮" if i is None else names[i]) for i in rows]
    if len(rows) <= 40:
        ax.set_yticks(range(len(rows)), ylabels, fontsize=fs)
    else:
        ax.set_yticks([r for r, i in enumerate(rows) if i is not None and (i % 8 == 0 or i == n_in)],
                      [ylabels[r] for r, i in enumerate(rows) if i is not None and (i % 8 == 0 or i == n_in)],
                      fontsize=fs)
    xl = ["⋮" if j is None else str(j) for j in cols]
    step = 1 if len(cols) <= 16 else 2
    ax.set_xticks(range(0, len(cols), step), xl[::step], fontsize=fs)
    ax.set_xlabel("neuron", fontsize=8)
    ax.tick_params(length=0)
    if n_in in rows:
        ax.axhline(rows.index(n_in) - 0.5, color="0.2", lw=1.0)
    if M.size <= _NUMBERED_CELLS and len(cols) <= 10:
        top = float(np.nanmax(np.abs(M))) if np.isfinite(M).any() else 0.0
        digits = 3 if len(cols) <= 4 else 2          # significant digits of the largest number
        decimals = max(0, digits - 1 - int(np.floor(np.log10(top)))) if top > 0 else 0
        for (r, c), v in np.ndenumerate(M):
            if np.isfinite(v):
                dark = abs(norm(v) - 0.5) > 0.3
                ax.text(c, r, f"{v:.{decimals}f}", ha="center", va="center", fontsize=7,
                        color="white" if dark else "0.1", in_layout=False)     # inside its cell
