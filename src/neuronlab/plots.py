"""Pictures: activations, training curves, decision regions, neuron maps, histograms,
the network diagram and neuron health over training.

Floor 4 (faces).  Needs the ``plot`` extra (``pip install "neuronlab[plot]"``);
matplotlib is imported inside each function, so ``import neuronlab`` never needs it.
Every function draws on a fresh :class:`matplotlib.figure.Figure` with an Agg canvas —
no pyplot, no global state, no window — returns it, and writes it when given ``path=``
(``.png`` or ``.svg``; ``.pdf`` works too).

>>> import neuronlab as nl                               # doctest: +SKIP
>>> fig = nl.plots.activation("relu", path="relu.png")   # doctest: +SKIP
"""
from __future__ import annotations

import math
import os
from typing import Any, Sequence

import numpy as np

from . import activations as _activations
from .errors import MissingExtraError
from .errors import HyperparameterError, ShapeError
from .inspect import neuron_stats, trace
from .layers import Dense, Dropout

__all__ = [
    "MissingExtraError", "activation", "activations_grid", "training_curves", "decision_regions",
    "neuron_maps", "activation_histograms", "network_diagram", "neuron_health",
]

_INSTALL = 'pip install "neuronlab[plot]"'
_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
_F_COLOR, _DF_COLOR, _FIRE_COLOR = "#1f77b4", "#ff7f0e", "#2ca02c"
_TRAIN, _VAL = "#1f77b4", "#d62728"


# ---------------------------------------------------------------------------------------
# matplotlib, lazily
# ---------------------------------------------------------------------------------------

def _mpl() -> Any:
    """Import matplotlib's object API, or raise :class:`MissingExtraError` naming the extra."""
    try:
        import matplotlib
        import matplotlib.colors  # noqa: F401
        import matplotlib.figure  # noqa: F401
        import matplotlib.transforms  # noqa: F401
        import matplotlib.ticker  # noqa: F401
        import matplotlib.patches  # noqa: F401
        import matplotlib.cm  # noqa: F401
        from matplotlib.backends import backend_agg  # noqa: F401
    except ImportError as err:
        raise MissingExtraError(
            f"neuronlab.plots draws with matplotlib, which is not installed; install it with: {_INSTALL}"
        ) from err
    return matplotlib


def _figure(figsize: tuple[float, float], dpi: float) -> Any:
    mpl = _mpl()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = mpl.figure.Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, path: Any) -> Any:
    if path is None:
        return fig
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in _FORMATS:
        raise HyperparameterError(f"path must end in .png or .svg (or .pdf), got {path!r}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
    fig.savefig(path, format=_FORMATS[ext], dpi=fig.dpi, facecolor="white")
    return fig


def _check_dpi(dpi: Any) -> float:
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 1000:
        raise HyperparameterError(f"dpi must be a number in [10, 1000], got {dpi!r}")
    return float(dpi)


def _feature_names(net: Any) -> list[str]:
    names = net.metadata.get("feature_names") if isinstance(getattr(net, "metadata", None), dict) else None
    if names and len(names) == net.n_inputs:
        return [str(n) for n in names]
    return [f"x{i}" for i in range(net.n_inputs)]


def _class_names(net: Any, k: int) -> list[str]:
    classes = net.metadata.get("classes") if isinstance(getattr(net, "metadata", None), dict) else None
    if classes and len(classes) == k:
        return [str(c) for c in classes]
    return [str(i) for i in range(k)]


def _layer_label(net: Any, i: int) -> str:
    layer = net.layers[i]
    return f"layer {i} · {layer.activation.name}"


def _curve(act: Any, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f(z), f'(z) and 'fires' over a 1-D grid (softmax: the first of two classes, [z, 0])."""
    if act.name == "softmax":
        zz = np.stack([z, np.zeros_like(z)], axis=1)
        a = act.f(zz)
        return a[:, 0], act.df(zz)[:, 0], act.fires(a)[:, 0]
    a = act(z)
    return a, act.derivative(z), np.asarray(act.fires(a), dtype=bool)


def _z_range(z: Any) -> np.ndarray:
    try:
        lo, hi = (float(v) for v in z)
    except (TypeError, ValueError):
        raise HyperparameterError(f"z must be a (low, high) pair, e.g. (-5, 5), got {z!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise HyperparameterError(f"z must be a finite (low, high) pair with low < high, got {z!r}")
    return np.linspace(lo, hi, 801)


def _fires_text(act: Any) -> str:
    if act.name == "step":
        return "a = 1"
    if act.name == "softmax":
        return "a > 1/k"
    return f"a > {act.threshold:.3g}"


def _draw_activation(ax: Any, act: Any, z: np.ndarray, legend: bool, small: bool) -> list[Any]:
    a, d, fires = _curve(act, z)
    ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.6", lw=0.8, zorder=0)
    span = ax.fill_between(z, 0, 1, where=fires, transform=ax.get_xaxis_transform(), color=_FIRE_COLOR,
                           alpha=0.10, lw=0, label=f"fires ({_fires_text(act)})")
    (lf,) = ax.plot(z, a, color=_F_COLOR, lw=2.0, label="f(z)")
    (ld,) = ax.plot(z, d, color=_DF_COLOR, lw=1.6, ls="--", label="f′(z)")
    ax.set_xlim(z[0], z[-1])
    lo = min(float(a.min()), float(d.min()))
    hi = max(float(a.max()), float(d.max()))
    pad = 0.08 * (hi - lo if hi > lo else 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    ax.grid(True, alpha=0.25)
    if legend:
        ax.legend(loc="upper left", fontsize=9 if small else 10, framealpha=0.9)
    return [lf, ld, span]


# ---------------------------------------------------------------------------------------
# 1. activation functions
# ---------------------------------------------------------------------------------------

def activation(name: Any, z: Sequence[float] = (-5.0, 5.0), *, path: Any = None,
               figsize: tuple[float, float] = (6.0, 4.2), dpi: float = 100, **params: Any) -> Any:
    """One activation function ``f`` with its derivative ``f'``, the firing region shaded.

    Parameters
    ----------
    name : str or Activation
        Any registered activation (``"relu"``, ``{"name": "elu", "alpha": 0.5}``, ...).
    z : (low, high)
        Range of weighted sums on the horizontal axis.
    path : str or path, optional
        Write the picture there (``.png`` or ``.svg``).
    **params
        Parameters of the activation (``alpha=0.1``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    act = _activations.get(name, **params)
    zs = _z_range(z)
    fig = _figure(figsize, _check_dpi(dpi))
    ax = fig.subplots()
    _draw_activation(ax, act, zs, legend=True, small=False)
    title = act.name + (f"({', '.join(f'{k}={v:g}' for k, v in act.params.items())})" if act.params else "")
    if act.name == "softmax":
        title += " — first of two classes, weighted sums (z, 0)"
    ax.set_title(title, fontsize=13, fontweight="bold", loc="left")
    if act.formula:
        ax.set_title(f"f(z) = {act.formula}\nf′(z) = {act.derivative_formula}", fontsize=9, loc="right",
                     color="0.3")
    ax.set_xlabel("weighted sum z")
    ax.set_ylabel("activation value a = f(z),  slope f′(z)")
    return _save(fig, path)


def activations_grid(names: Sequence[Any] | None = None, z: Sequence[float] = (-5.0, 5.0), *, ncols: int = 4,
                     path: Any = None, dpi: float = 100) -> Any:
    """Every registered activation (or ``names``), each with its derivative, in a grid."""
    names = list(_activations.names()) if names is None else list(names)
    if not names:
        raise HyperparameterError("names is empty; pass at least one activation name")
    acts = [_activations.get(n) for n in names]
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise HyperparameterError(f"ncols must be a positive integer, got {ncols!r}")
    ncols = min(ncols, len(acts))
    nrows = math.ceil(len(acts) / ncols)
    zs = _z_range(z)
    fig = _figure((3.2 * ncols, 2.5 * nrows + 0.7), _check_dpi(dpi))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    handles = None
    for k, (ax, act) in enumerate(zip(axes, acts)):
        handles = _draw_activation(ax, act, zs, legend=False, small=True)
        ax.set_title(act.name + (" (of [z, 0])" if act.name == "softmax" else ""), fontsize=11)
        ax.tick_params(labelsize=8)
        if k // ncols == nrows - 1 or k + ncols >= len(acts):
            ax.set_xlabel("z", fontsize=9)
    for ax in axes[len(acts):]:
        ax.set_visible(False)
    fig.suptitle("Activation functions: f(z), its derivative f′(z), and where the neuron fires",
                 fontsize=13, fontweight="bold")
    fig.legend(handles, ["f(z)", "f′(z)", "fires (a past the threshold)"], loc="outside lower center",
               ncols=3, fontsize=10, frameon=False)
    return _save(fig, path)


# ---------------------------------------------------------------------------------------
# 2. training curves
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
        raise TypeError(f"history must be a History (what fit returns) or its dict, got {type(history).__name__}")
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
    show_lr = bool(lr) and len(set(float(v) for v in lr)) > 1
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
            ax.yaxis.set_major_formatter(_mpl().ticker.PercentFormatter(1.0, decimals=0))
        if (key == "loss" and logy) or key == "lr":
            if min(float(v) for v in h[key]) > 0:
                ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.set_title({"loss": "Loss", "lr": "Learning rate"}.get(key, label.capitalize()), fontweight="bold")
        ax.grid(True, alpha=0.3)
        ax.xaxis.set_major_locator(_mpl().ticker.MaxNLocator(integer=True))
        if key != "lr":
            ax.legend(fontsize=9)
    fig.suptitle(f"Training curves ({len(epochs)} epochs)", fontsize=12)
    return _save(fig, path)


# ---------------------------------------------------------------------------------------
# 3. decision regions and 4. neuron maps: the 2-D input plane
# ---------------------------------------------------------------------------------------

def _two_d(net: Any, what: str) -> None:
    if net.n_inputs != 2:
        raise ShapeError(f"{what} draws the 2-D input plane, but this network takes {net.n_inputs} inputs; "
                         "it needs a network with exactly 2 inputs")


def _plane(X: np.ndarray | None, extent: Any, resolution: int, margin: float = 0.1) -> tuple[np.ndarray, ...]:
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 10 <= resolution <= 2000:
        raise HyperparameterError(f"resolution must be an integer in [10, 2000], got {resolution!r}")
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
    elif net.is_classifier:
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
    else:
        v = P[:, 0].reshape(xx.shape)
        vals = [v.min(), v.max()]
        if labels is not None:
            vals += [float(np.min(labels)), float(np.max(labels))]
        im = ax.imshow(v, origin="lower", extent=ext, cmap="viridis", vmin=min(vals), vmax=max(vals),
                       aspect="auto", interpolation="bilinear")
        cb = fig.colorbar(im, ax=ax, shrink=0.9)
        cb.set_label("predicted value (points: true value)")
        title = "Predictions over the input plane"
        if labels is not None:
            ax.scatter(X[:, 0], X[:, 1], c=labels.astype(float), cmap="viridis", vmin=min(vals), vmax=max(vals),
                       s=18, edgecolors="k", linewidths=0.6)
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
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -len(net.layers) <= i < len(net.layers):
            raise IndexError(f"layer {i!r} does not exist; valid layer indices are 0..{len(net.layers) - 1}")
        i = int(i) % len(net.layers)
        if i not in dense:
            raise IndexError(f"layer {i} is {net.layers[i]!r}, which has no neurons; Dense layers: {dense}")
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
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise HyperparameterError(f"{name} must be a positive integer, got {v!r}")
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
        lt = t.layers[i]
        layer = net.layers[i]
        n_show = shown[i]
        A = lt.a[:, :n_show].astype(np.float64)
        thr = _threshold_for(layer)
        norm, lcmap, extend = _layer_colors(mpl, A, thr, layer.activation.output_range)
        axes = np.atleast_2d(sf.subplots(rows[i], cols, squeeze=False))
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
        kind = "output layer" if i == chosen[-1] and i == len(net.layers) - 1 else "layer"
        sf.suptitle(f"{kind} {i} · {layer.activation.name} · {layer.n_out} neuron{'s' if layer.n_out > 1 else ''}"
                    + (f" (first {n_show} shown, {more} more)" if more else ""),
                    fontsize=10, fontweight="bold", x=0.02, ha="left")
        cb = sf.colorbar(im, ax=axes, shrink=0.9, aspect=12 * rows[i], pad=0.02, extend=extend)
        cb.set_label("activation value" + (f"\n(white = threshold {thr:.3g})" if thr is not None else ""),
                     fontsize=8)
        cb.ax.tick_params(labelsize=7)
    fig.suptitle(f"Neuron maps: each neuron's activation value over the input plane ({names[0]} →, {names[1]} ↑)\n"
                 "red = fires · white = at the firing threshold · blue = below it · black line = firing boundary",
                 fontsize=10)
    return _save(fig, path)


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


def _threshold_for(layer: Dense) -> float | None:
    act = layer.activation
    if act.name == "softmax":
        return 1.0 / layer.n_out
    if act.name == "step":
        return 0.5
    return act.threshold


# ---------------------------------------------------------------------------------------
# 5. activation histograms
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
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= 1000:
        raise HyperparameterError(f"bins must be an integer in [2, 1000], got {bins!r}")
    current = neuron_stats(net, X) if net is not None else None
    t = trace(net, X) if net is not None else None
    ep_stats, ep_numbers = ([], [])
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
    for k, (ax, ls) in enumerate(zip(axes, layers)):
        if t is not None:
            a = t.layers[ls.index].a.astype(np.float64).ravel()
            lo, hi = float(a.min()), float(a.max())
            if hi - lo < 1e-12:
                lo, hi = lo - 0.5, hi + 0.5
            ax.hist(a, bins=bins, range=(lo, hi), density=True, color="0.78", edgecolor="0.5", lw=0.5,
                    label="now" if ep_stats else None)
        for e, st in zip(ep_numbers, ep_stats):
            layer_stats = next((l for l in st.layers if l.index == ls.index), None)
            if layer_stats is None or layer_stats.hist_counts.size == 0:
                continue
            counts, edges = layer_stats.hist_counts, layer_stats.hist_edges
            density = counts / max(counts.sum(), 1) / np.diff(edges)
            ax.stairs(density, edges, baseline=None, color=cmap(enorm(e)), lw=1.5)
        if ls.threshold is not None:
            ax.axvline(ls.threshold, color="#d62728", ls="--", lw=1.3, label=f"fires above {ls.threshold:.3g}")
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("activation value")
        ax.set_ylabel("density of values" + (" (log scale)" if log else ""))
        role = " (output)" if ls.is_output else ""
        facts = f"{ls.firing_fraction:.0%} firing · {ls.dead_fraction:.0%} dead"
        if ls.saturating:
            facts += f" · {ls.saturated_fraction:.0%} saturated"
        ax.set_title(f"layer {ls.index}{role} · {ls.activation} · {ls.n_neurons} neurons\n{facts}", fontsize=10)
        ax.grid(True, alpha=0.25)
        ax.legend(fontsize=8, loc="upper right")
    for ax in axes[n:]:
        ax.set_visible(False)
    if ep_stats:
        sm = mpl.cm.ScalarMappable(norm=enorm, cmap=cmap)
        cb = fig.colorbar(sm, ax=axes[:n].tolist(), shrink=0.8, pad=0.02)
        cb.set_label("epoch (outlines)")
        cb.ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    where = f"on {ref.settings['n_samples']} samples" if current is not None else f"at epoch {ep_numbers[-1]}"
    fig.suptitle(f"Activation values per layer {where}", fontsize=12, fontweight="bold")
    return _save(fig, path)


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
# 6. network diagram
# ---------------------------------------------------------------------------------------

def _slots(n: int, max_neurons: int) -> list[int | None]:
    """Neuron indices drawn for a column of n (None = the ellipsis)."""
    if n <= max_neurons:
        return list(range(n))
    head = (max_neurons - 1) // 2
    tail = max_neurons - 1 - head
    return list(range(head)) + [None] + list(range(n - tail, n))


def network_diagram(net: Any, X: Any = None, *, max_neurons: int = 30, path: Any = None,
                    figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
    """The network as circles and lines: neurons coloured by their mean activation value on
    ``X`` (by their bias without data), connections coloured by the sign of the weight and
    drawn thicker for larger ``|w|``.  Neurons that never fire on ``X`` are ringed in red.

    Layers with more than ``max_neurons`` neurons show their first and last neurons and a
    "⋮ N more" marker.
    """
    mpl = _mpl()
    if isinstance(max_neurons, bool) or not isinstance(max_neurons, int) or max_neurons < 3:
        raise HyperparameterError(f"max_neurons must be an integer >= 3, got {max_neurons!r}")
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

    def ys(col: int) -> np.ndarray:
        m = len(slots[col])
        return (np.arange(m) - (m - 1) / 2.0)[::-1]

    # node values
    values: list[np.ndarray | None] = []
    values.append(None)    # the inputs are drawn grey
    for k, i in enumerate(dense):
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

    # edges: each layer's weights on its own scale (its largest |w|, written under the gap),
    # so the pattern of every layer shows even when the layers' weights differ in size
    segs, wvals, scales = [], [], []
    for k, i in enumerate(dense):
        W = np.asarray(net.layers[i].W, dtype=np.float64)
        scale = float(np.max(np.abs(W))) if W.size else 0.0
        scale = scale if scale > 0 else 1.0
        scales.append(scale)
        y_in, y_out = ys(k), ys(k + 1)
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
    from matplotlib.collections import LineCollection
    r = np.abs(wvals[order])          # 0..1: strong connections stand out, weak ones fade
    rgba = edge_cmap(edge_norm(wvals[order]))
    crowded = len(wvals) > 150
    rgba[:, 3] = 0.12 + 0.78 * r ** 1.5 if crowded else 0.3 + 0.65 * r
    widths = 0.2 + 2.8 * r ** 2 if crowded else 0.4 + 2.6 * r
    lc = LineCollection([segs[o] for o in order], colors=rgba, linewidths=widths, zorder=1)
    ax.add_collection(lc)
    below = mpl.transforms.blended_transform_factory(ax.transData, ax.transAxes)
    for k, scale in enumerate(scales):
        ax.text(k + 0.5, 0.0, f"largest |w| {scale:.3g}", ha="center", va="top", fontsize=8, color="0.3",
                transform=below, clip_on=False)

    # nodes
    node_size = float(np.clip(2600.0 / max(tallest, 1) ** 1.15, 25, 420))
    for col in range(ncol):
        y = ys(col)
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
        # labels beside the first and last columns
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
    # column titles, just above the drawing (x in data units, y in axes units)
    top = (tallest - 1) / 2.0 + 0.6
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


# ---------------------------------------------------------------------------------------
# 7. neuron health over training
# ---------------------------------------------------------------------------------------

def neuron_health(history: Any, *, path: Any = None, figsize: tuple[float, float] = (13.0, 4.2),
                  dpi: float = 100) -> Any:
    """Share of firing, dead and saturated neurons per layer over the epochs, from a run
    with :class:`~neuronlab.callbacks.NeuronMonitor`."""
    mpl = _mpl()
    h = getattr(history, "history", history)
    if isinstance(h, dict) and isinstance(h.get("history"), dict):     # History.to_dict()
        h = h["history"]
    if not isinstance(h, dict) or "dead_fraction" not in h:
        raise HyperparameterError(
            "this history holds no neuron statistics; train with "
            "callbacks=[nl.callbacks.NeuronMonitor(X_val)] to record them each epoch")
    dead = np.asarray(h["dead_fraction"], dtype=np.float64)
    sat = np.asarray(h.get("saturated_fraction", np.zeros_like(dead)), dtype=np.float64)
    fire = np.asarray(h.get("firing_fraction", np.full_like(dead, np.nan)), dtype=np.float64)
    if dead.ndim != 2 or dead.shape[0] == 0:
        raise HyperparameterError("dead_fraction must hold one list of per-layer shares per epoch")
    n_ep, n_layers = dead.shape
    epochs = list(getattr(history, "epochs", []) or [])
    if len(epochs) != n_ep:
        epochs = list(range(1, n_ep + 1))
    extra = getattr(history, "extra", {}) or {}
    positions = extra.get("neuron_layers") or list(range(n_layers))
    acts = extra.get("neuron_activations") or ["?"] * n_layers
    stats = extra.get("neuron_stats") or []
    saturating = [bool(stats[-1].layers[k].saturating) if stats else True for k in range(n_layers)]
    fig = _figure(figsize, _check_dpi(dpi))
    axes = fig.subplots(1, 3, sharex=True)
    colors = mpl.colormaps["tab10"]
    marker = "o" if n_ep <= 30 else None
    for k in range(n_layers):
        label = f"layer {positions[k]} ({acts[k]})" + (" · output" if k == n_layers - 1 else "")
        c = colors(k % 10)
        axes[0].plot(epochs, 100 * fire[:, k], color=c, marker=marker, ms=3, lw=1.8, label=label)
        axes[1].plot(epochs, 100 * dead[:, k], color=c, marker=marker, ms=3, lw=1.8, label=label)
        if saturating[k]:
            axes[2].plot(epochs, 100 * sat[:, k], color=c, marker=marker, ms=3, lw=1.8, label=label)
    if not any(saturating):
        axes[2].text(0.5, 0.5, "no saturating activations\n(sigmoid, tanh, ...) in this network",
                     transform=axes[2].transAxes, ha="center", va="center", fontsize=9, color="0.4")
    settings = getattr(stats[-1], "settings", {}) if stats else {}
    d, f = settings.get("saturation_derivative", 1e-3), settings.get("saturation_fraction", 0.99)
    titles = ["Firing: share of activation values", "Dead: never fire on the data",
              f"Saturated: |f′| < {d:g} on ≥ {f:.0%} of samples"]
    for ax, title in zip(axes, titles):
        ax.set_title(title, fontsize=10, fontweight="bold")
        ax.set_xlabel("epoch")
        ax.set_ylabel("% of the layer's neurons" if ax is not axes[0] else "% of values past the threshold")
        ax.set_ylim(-3, 103)
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(100))
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(n_layers, 5), fontsize=9, frameon=False)
    fig.suptitle("Neuron health during training", fontsize=12)
    return _save(fig, path)
