"""Pictures of the 2-D input plane: decision regions and neuron maps."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .._util.validate import check_index, check_int
from ..errors import HyperparameterError, IndexRangeError, ShapeError
from ..inspect import trace
from ..layers import Dense
from .figure import _check_dpi, _class_names, _feature_names, _figure, _mpl, _save


def _two_d(net: Any, what: str) -> None:
    if net.n_inputs != 2:
        raise ShapeError(f"{what} draws the 2-D input plane, but this network takes {net.n_inputs} inputs; "
                         "it needs a network with exactly 2 inputs")


def _plane(X: np.ndarray | None, extent: Any, resolution: int,
           margin: float = 0.1) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float, float, float]]:
    check_int("resolution", resolution, minimum=10, maximum=2000)
    if extent is not None:
        try:
            x0, x1, y0, y1 = (float(v) for v in extent)
        except (TypeError, ValueError):
            raise HyperparameterError(f"extent must be (x_min, x_max, y_min, y_max), got {extent!r}") from None
        if not (x0 < x1 and y0 < y1):
            raise HyperparameterError(f"extent must have x_min < x_max and y_min < y_max, got {extent!r}")
    elif X is not None:
        lo, hi = X.min(axis=0).astype(float), X.max(axis=0).astype(float)
        span = np.where(hi - lo > 0, hi - lo, 1.0)
        x0, y0 = lo - margin * span
        x1, y1 = hi + margin * span
    else:
        x0, x1, y0, y1 = -3.0, 3.0, -3.0, 3.0
    gx = np.linspace(x0, x1, resolution)
    gy = np.linspace(y0, y1, resolution)
    xx, yy = np.meshgrid(gx, gy)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()]), (x0, x1, y0, y1)


def _labels_1d(y: Any, n: int) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] > 1:
        arr = np.argmax(arr, axis=1)
    arr = arr.reshape(-1)
    if len(arr) != n:
        raise ShapeError(f"X has {n} samples but y has {len(arr)}; give one label per sample")
    return arr


def decision_regions(net: Any, X: Any, y: Any = None, *, resolution: int = 200, extent: Any = None,
                     path: Any = None, figsize: tuple[float, float] = (7.0, 5.6), dpi: float = 100) -> Any:
    """What the network predicts over the 2-D input plane, with the data points on top.

    Classifiers: one colour per class, paler where the network is less sure, for a single
    sigmoid output the probability of class 1 with the 0.5 boundary; regression: the
    predicted value.  ``y`` colours the points (integer labels, one-hot or values).
    """
    mpl = _mpl()
    _two_d(net, "decision_regions")
    X = net.check_inputs(X)
    xx, yy, grid, (x0, x1, y0, y1) = _plane(X, extent, resolution)
    P = net.predict_proba(grid)
    fig = _figure(figsize, _check_dpi(dpi))
    ax = fig.subplots()
    names = _feature_names(net)
    ext = (x0, x1, y0, y1)
    labels = None if y is None else _labels_1d(y, len(X))
    title = "Decision regions"
    k = P.shape[1]
    if net.is_classifier and k == 1 or (net.is_classifier and net.output_activation.name == "sigmoid"):
        _regions_probability(mpl, fig, ax, net, X, labels, xx, yy, P, ext)
    elif net.is_classifier:
        _regions_classes(mpl, fig, ax, net, X, labels, xx, yy, P, ext)
    else:
        _regions_values(fig, ax, X, labels, xx, P, ext)
        title = "Predictions over the input plane"
    if labels is None:
        ax.scatter(X[:, 0], X[:, 1], c="0.2", s=8, alpha=0.6)
    elif net.is_classifier:
        acc = net.evaluate(X, y)["accuracy"]
        title += f" — accuracy {acc:.1%} on these {len(X)} points"
    elif net.n_outputs == 1:
        r2 = net.evaluate(X, y)["r2"]
        title += f" — R² {r2:.3f} on these {len(X)} points"
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(title, fontsize=11, fontweight="bold")
    return _save(fig, path)


def _regions_probability(mpl: Any, fig: Any, ax: Any, net: Any, X: np.ndarray, labels: np.ndarray | None,
                         xx: np.ndarray, yy: np.ndarray, P: np.ndarray, ext: tuple[float, ...]) -> None:
    """Sigmoid outputs: the probability of the first one, with its 0.5 boundary."""
    k = P.shape[1]
    p = P[:, 0].reshape(xx.shape)
    cmap = mpl.colormaps["RdBu_r"]
    im = ax.imshow(p, origin="lower", extent=ext, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto",
                   interpolation="bilinear", alpha=0.85)
    ax.contour(xx, yy, p, levels=[0.5], colors="k", linewidths=1.5)
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    if k == 1:
        cb.set_label(f"P(class {_class_names(net, 2)[1]}) — black line: 0.5")
    else:
        cb.set_label("P(label 0 is on), the first of the sigmoid outputs — black line: 0.5")
    if labels is not None:
        ax.scatter(X[:, 0], X[:, 1], c=labels.astype(float), cmap=cmap, vmin=0, vmax=1, s=18,
                   edgecolors="k", linewidths=0.6)


def _regions_classes(mpl: Any, fig: Any, ax: Any, net: Any, X: np.ndarray, labels: np.ndarray | None,
                     xx: np.ndarray, yy: np.ndarray, P: np.ndarray, ext: tuple[float, ...]) -> None:
    """Softmax outputs: one colour per predicted class, paler where the network is less sure."""
    k = P.shape[1]
    cls = _class_names(net, k)
    base = mpl.colormaps["tab10" if k <= 10 else "tab20"]
    colors = np.array([base(i % base.N)[:3] for i in range(k)])
    winner = np.argmax(P, axis=1)
    conf = (P.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k)
    strength = (0.25 + 0.55 * conf)[:, None]
    rgb = np.clip(colors[winner] * strength.astype(np.float64) + (1.0 - strength), 0.0, 1.0)
    ax.imshow(rgb.reshape(xx.shape + (3,)), origin="lower", extent=ext, aspect="auto", interpolation="nearest")
    ax.contour(xx, yy, winner.reshape(xx.shape), levels=np.arange(k - 1) + 0.5, colors="k",
               linewidths=0.8, alpha=0.7)
    handles = [mpl.patches.Patch(color=colors[i], label=f"class {cls[i]}") for i in range(k)]
    if labels is not None:
        li = np.clip(np.asarray(labels).astype(int), 0, k - 1)
        ax.scatter(X[:, 0], X[:, 1], c=colors[li], s=18, edgecolors="k", linewidths=0.6)
    fig.legend(handles=handles, loc="outside right upper", fontsize=9,
               title="predicted class\n(paler: less sure)", title_fontsize=9)


def _regions_values(fig: Any, ax: Any, X: np.ndarray, labels: np.ndarray | None, xx: np.ndarray, P: np.ndarray,
                    ext: tuple[float, ...]) -> None:
    """Regression: the predicted value (the points coloured by the true value)."""
    v = P[:, 0].reshape(xx.shape)
    vals = [v.min(), v.max()]
    if labels is not None:
        vals += [float(np.min(labels)), float(np.max(labels))]
    im = ax.imshow(v, origin="lower", extent=ext, cmap="viridis", vmin=min(vals), vmax=max(vals),
                   aspect="auto", interpolation="bilinear")
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    cb.set_label("predicted value (points: true value)")
    if labels is not None:
        ax.scatter(X[:, 0], X[:, 1], c=labels.astype(float), cmap="viridis", vmin=min(vals), vmax=max(vals),
                   s=18, edgecolors="k", linewidths=0.6)


def _layer_colors(mpl: Any, values: np.ndarray, threshold: float | None,
                  output_range: tuple[float, float]) -> tuple[Any, Any, str]:
    """Norm, colormap and colour-bar ``extend`` for one layer's maps: white at the firing
    threshold, red above it (fires), blue below it.  Bounded activations (sigmoid, tanh,
    softmax, ...) use their whole output range, so maps compare across layers and runs;
    unbounded ones stop at the 0.5th and 99.5th percentiles, so that a few huge values do
    not wash out every other map."""
    true_lo, true_hi = float(values.min()), float(values.max())
    if all(math.isfinite(v) for v in output_range):
        lo, hi = (float(v) for v in output_range)
        lo, hi = min(lo, true_lo), max(hi, true_hi)
    else:
        lo, hi = (float(v) for v in np.percentile(values, [0.5, 99.5]))
        if hi - lo < 1e-9:
            lo, hi = true_lo, true_hi
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max",
              (True, True): "both"}[(true_lo < lo, true_hi > hi)]
    if threshold is None:
        return mpl.colors.Normalize(vmin=lo, vmax=hi), mpl.colormaps["viridis"], extend
    if lo < threshold < hi:
        return mpl.colors.TwoSlopeNorm(vcenter=threshold, vmin=lo, vmax=hi), mpl.colormaps["RdBu_r"], extend
    rdbu = mpl.colormaps["RdBu_r"]
    if threshold <= lo:   # everything at or above the threshold (relu: 0 = silent): white → red
        cmap = mpl.colors.LinearSegmentedColormap.from_list("fires", rdbu(np.linspace(0.5, 1.0, 128)))
        return mpl.colors.Normalize(vmin=threshold, vmax=max(hi, threshold + 1e-9)), cmap, extend
    cmap = mpl.colors.LinearSegmentedColormap.from_list("silent", rdbu(np.linspace(0.0, 0.5, 128)))
    return mpl.colors.Normalize(vmin=min(lo, threshold - 1e-9), vmax=threshold), cmap, extend


def _dense_choice(net: Any, layers: Any) -> list[int]:
    dense = [i for i, l in enumerate(net.layers) if isinstance(l, Dense)]
    if layers is None:
        return dense
    out = []
    for i in layers:
        i = check_index("layer", i, len(net.layers))
        if i not in dense:
            raise IndexRangeError(f"layer {i} is {net.layers[i]!r}, which has no neurons; Dense layers: {dense}")
        out.append(i)
    if not out:
        raise HyperparameterError("layers is empty; pass at least one Dense layer index")
    return out


def neuron_maps(net: Any, X: Any = None, *, layers: Sequence[int] | None = None,
                resolution: int = 60, extent: Any = None, ncols: int = 8, max_neurons: int = 32,
                path: Any = None, dpi: float = 100) -> Any:
    """One small heat map per neuron over the 2-D input plane, layer by layer (as in
    TensorFlow Playground): the colour is the neuron's activation value at each input
    point, red where it fires, blue where it does not (the colour scale is centred on the
    layer's firing threshold), and the black line is its firing boundary.

    Parameters
    ----------
    net : Network with 2 inputs
    X : array-like, optional
        Data: sets the extent of the plane and is drawn as small dots.
    layers : list of int, optional
        Positions of the Dense layers to draw (default: all, output included).
    resolution : int
        Grid points per axis.
    extent : (x_min, x_max, y_min, y_max), optional
        Default: the data's range plus 10 %, or (-3, 3) × (-3, 3) without data.
    ncols : int
        Maps per row.
    max_neurons : int
        At most this many maps per layer (the first ones; the title says how many are left out).
    """
    mpl = _mpl()
    _two_d(net, "neuron_maps")
    Xc = None if X is None else net.check_inputs(X)
    for name, v in (("ncols", ncols), ("max_neurons", max_neurons)):
        check_int(name, v, minimum=1)
    chosen = _dense_choice(net, layers)
    xx, yy, grid, ext = _plane(Xc, extent, resolution)
    t = trace(net, grid)
    shown = {i: min(net.layers[i].n_out, max_neurons) for i in chosen}
    cols = min(ncols, max(max(shown.values()), 5))   # at least 5 columns: square-ish maps
    rows = {i: math.ceil(shown[i] / cols) for i in chosen}
    cell = 1.45
    width = cols * cell + 1.3
    height = sum(rows[i] * cell + 0.55 for i in chosen) + 0.5
    fig = _figure((max(width, 7.5), height), _check_dpi(dpi))
    subfigs = np.atleast_1d(fig.subfigures(len(chosen), 1, height_ratios=[rows[i] * cell + 0.55 for i in chosen]))
    names = _feature_names(net)
    for sf, i in zip(subfigs, chosen):
        kind = "output layer" if i == chosen[-1] and i == len(net.layers) - 1 else "layer"
        _layer_maps(mpl, sf, net.layers[i], t.layers[i], f"{kind} {i}", shown[i], rows[i], cols, xx, yy, ext, Xc)
    fig.suptitle(f"Neuron maps: each neuron's activation value over the input plane ({names[0]} →, {names[1]} ↑)\n"
                 "red = fires · white = at the firing threshold · blue = below it · black line = firing boundary",
                 fontsize=10)
    return _save(fig, path)


def _layer_maps(mpl: Any, sf: Any, layer: Dense, lt: Any, name: str, n_show: int, nrows: int, cols: int,
                xx: np.ndarray, yy: np.ndarray, ext: Any, Xc: np.ndarray | None) -> None:
    """One layer's maps on the subfigure ``sf``: a heat map per neuron with its firing
    boundary, the layer's title and its colour bar."""
    A = lt.a[:, :n_show].astype(np.float64)
    thr = layer.activation.firing_threshold(layer.n_out)
    norm, lcmap, extend = _layer_colors(mpl, A, thr, layer.activation.output_range)
    axes = np.atleast_2d(sf.subplots(nrows, cols, squeeze=False))
    im = None
    for j, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if j >= n_show:
            ax.set_visible(False)
            continue
        img = A[:, j].reshape(xx.shape)
        im = ax.imshow(img, origin="lower", extent=ext, cmap=lcmap, norm=norm, aspect="auto",
                       interpolation="bilinear")
        margin = _firing_margin(layer, lt.z[:, j], lt.a[:, j], thr)
        if margin is not None:
            m = margin.reshape(xx.shape)
            if m.min() < 0.0 < m.max():
                ax.contour(xx, yy, m, levels=[0.0], colors="k", linewidths=0.8)
        if Xc is not None:
            ax.scatter(Xc[:, 0], Xc[:, 1], s=1.5, c="k", alpha=0.35, linewidths=0)
        ax.set_xlim(ext[0], ext[1])
        ax.set_ylim(ext[2], ext[3])
        ax.set_title(f"neuron {j}", fontsize=8, pad=2)
        for s in ax.spines.values():
            s.set_linewidth(0.5)
    more = layer.n_out - n_show
    sf.suptitle(f"{name} · {layer.activation.name} · {layer.n_out} neuron{'s' if layer.n_out > 1 else ''}"
                + (f" (first {n_show} shown, {more} more)" if more else ""),
                fontsize=10, fontweight="bold", x=0.02, ha="left")
    cb = sf.colorbar(im, ax=axes, shrink=0.9, aspect=12 * nrows, pad=0.02, extend=extend)
    cb.set_label("activation value" + (f"\n(white = threshold {thr:.3g})" if thr is not None else ""),
                 fontsize=8)
    cb.ax.tick_params(labelsize=7)


def _firing_margin(layer: Dense, z: np.ndarray, a: np.ndarray, thr: float | None) -> np.ndarray | None:
    """A smooth quantity that is positive exactly where the neuron fires: the weighted sum
    ``z`` (minus θ for step) when the threshold is ``f(0)``, as for every registered
    elementwise activation, else ``a − threshold``."""
    act = layer.activation
    if thr is None:
        return None
    z = z.astype(np.float64)
    if act.name == "step":
        return z - act.threshold
    if act.name != "softmax":
        with np.errstate(all="ignore"):
            f0 = float(np.asarray(act(np.zeros(1)))[0])
        if math.isfinite(f0) and abs(f0 - thr) < 1e-12:
            return z
    return a.astype(np.float64) - thr
