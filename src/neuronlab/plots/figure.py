"""What every picture of :mod:`neuronlab.plots` shares: matplotlib imported lazily, a fresh
Agg figure that a notebook displays by itself, saving, and the names of features, classes
and layers."""
from __future__ import annotations

import io
import os
from typing import Any

from .._util.extras import require
from .._util.files import atomic_write
from .._util.validate import check_number
from ..errors import HyperparameterError

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


# ---------------------------------------------------------------------------------------
# matplotlib, lazily
# ---------------------------------------------------------------------------------------

def _mpl() -> Any:
    """matplotlib with its object API loaded, or :class:`~neuronlab.errors.MissingExtraError`
    naming the extra."""
    mpl = require("matplotlib", extra="plot", what="neuronlab.plots")
    import matplotlib.cm  # noqa: F401
    import matplotlib.colors  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.patches  # noqa: F401
    import matplotlib.ticker  # noqa: F401
    import matplotlib.transforms  # noqa: F401
    return mpl


def _figure(figsize: tuple[float, float], dpi: float) -> Any:
    _mpl()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    fig = _figure_class()(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


# ---------------------------------------------------------------------------------------
# display in notebooks: the figure draws itself, no pyplot, no %matplotlib
# ---------------------------------------------------------------------------------------

#: the notebook format of figures whose ``display_format`` is None: "png" or "svg"
_DISPLAY = {"format": "png"}
DISPLAY_FORMATS = ("png", "svg")


def set_display_format(fmt: str) -> str:
    """How a notebook shows neuronlab's figures: ``"png"`` (the default) or ``"svg"``.

    A figure that is the last expression of a cell displays itself in that format, once,
    without ``%matplotlib`` and without pyplot; ``fig.display_format = "svg"`` sets it for
    one figure.  Scripts are unaffected (nothing is drawn until a notebook asks).

    Parameters
    ----------
    fmt : {"png", "svg"}

    Returns
    -------
    str
        The format before the call.

    >>> old = set_display_format("svg"); set_display_format(old)
    'svg'
    """
    _check_format("fmt", fmt)
    old, _DISPLAY["format"] = _DISPLAY["format"], fmt
    return old


def _check_format(name: str, fmt: Any) -> str:
    if fmt not in DISPLAY_FORMATS:
        raise HyperparameterError(f"{name} must be 'png' or 'svg' (how a notebook shows a figure), got {fmt!r}")
    return fmt


def _render(fig: Any, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=fig.dpi, facecolor="white")
    return buf.getvalue()


_FIGURE_CLASS: list[Any] = []


def _figure_class() -> Any:
    """:class:`matplotlib.figure.Figure` with ``_repr_png_`` and ``_repr_svg_``, made on
    first use (matplotlib is imported lazily); also ``neuronlab.plots.figure.Figure``."""
    if _FIGURE_CLASS:
        return _FIGURE_CLASS[0]
    mpl = _mpl()
    base: Any = mpl.figure.Figure                  # known only at run time (matplotlib is optional)

    class Figure(base):
        """A matplotlib Figure (everything of it works: ``savefig``, ``axes``, ...) that a
        notebook displays: as PNG, or SVG when ``display_format`` (or
        :func:`set_display_format`) says so."""

        #: None: follow :func:`set_display_format`; else "png" or "svg"
        display_format: str | None = None

        def _format(self) -> str:
            fmt = self.display_format
            return _DISPLAY["format"] if fmt is None else _check_format("display_format", fmt)

        def _repr_png_(self) -> bytes | None:
            return _render(self, "png") if self._format() == "png" else None

        def _repr_svg_(self) -> str | None:
            return _render(self, "svg").decode("utf-8") if self._format() == "svg" else None

    Figure.__module__ = __name__
    Figure.__qualname__ = "Figure"
    _FIGURE_CLASS.append(Figure)
    return Figure


def __getattr__(name: str) -> Any:
    if name == "Figure":          # pickle finds the class by this name
        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _save(fig: Any, path: Any, *, palette: bool = False) -> Any:
    """Write ``fig`` to ``path`` (when given) as a whole file or not at all, and return it.

    ``palette=True`` writes a PNG with a palette of at most 256 colours instead of full
    colour: pictures of many thin lines compress several times better, and look the same.
    """
    if path is None:
        return fig
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in _FORMATS:
        raise HyperparameterError(f"path must end in .png or .svg (or .pdf), got {path!r}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
    fmt = _FORMATS[ext]

    def write(fh: Any) -> None:
        if palette and fmt == "png":
            _write_palette_png(fig, fh)
        else:
            fig.savefig(fh, format=fmt, dpi=fig.dpi, facecolor="white")

    atomic_write(path, write)
    return fig


def _write_palette_png(fig: Any, fh: Any) -> None:
    """``fig`` as a PNG of at most 256 colours (Pillow comes with matplotlib)."""
    from PIL import Image
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, facecolor="white")
    buf.seek(0)
    with Image.open(buf) as im:
        rgb = im.convert("RGB")
    rgb.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(fh, format="PNG")


def _check_dpi(dpi: Any) -> float:
    return check_number("dpi", dpi, minimum=10, maximum=1000)


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


# ---------------------------------------------------------------------------------------
# share axes (accuracy, % of neurons): never past 0 % or 100 %, evenly spaced ticks
# ---------------------------------------------------------------------------------------

def _share_ticks(lo: float, hi: float, scale: float) -> Any:
    """Evenly spaced, round ticks between ``lo`` and ``hi``, none outside ``[0, scale]``."""
    import numpy as np
    mpl = _mpl()
    ticks = mpl.ticker.MaxNLocator(nbins=5, steps=[1, 2, 5, 10]).tick_values(lo, hi)
    eps = 1e-9 * scale
    return np.array([t for t in ticks if max(lo, 0.0) - eps <= t <= min(hi, scale) + eps])


def _share_axis(ax: Any, values: Any = None, *, scale: float = 1.0, which: str = "y",
                min_span: float = 0.1) -> tuple[float, float]:
    """Make ``ax``'s ``which`` axis a share axis: limits inside ``[0, scale]`` (plus a margin
    of 2 % of the view, so that a line at 0 % or 100 % is not hidden by the frame), percent
    labels and evenly spaced ticks that never go past 0 % or 100 %.

    With ``values`` the view zooms onto them (at least ``min_span`` of the scale wide);
    without, it shows the whole range.  Returns the limits before the margin.
    """
    import numpy as np
    mpl = _mpl()
    v = np.asarray([] if values is None else values, dtype=np.float64).ravel()
    v = np.clip(v[np.isfinite(v)], 0.0, scale)
    lo, hi = (0.0, scale) if v.size == 0 else (float(v.min()), float(v.max()))
    span = min(max(hi - lo, min_span * scale) * 1.15, scale)
    mid = (lo + hi) / 2.0
    lo, hi = mid - span / 2.0, mid + span / 2.0
    if lo < 0.0:
        lo, hi = 0.0, span
    if hi > scale:
        lo, hi = scale - span, scale
    ticks = _share_ticks(lo, hi, scale)
    pct = ticks * 100.0 / scale
    decimals = next((d for d in range(4) if np.allclose(pct, np.round(pct, d), atol=1e-9)), 4)
    margin = 0.02 * (hi - lo)
    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_ylim if which == "y" else ax.set_xlim)(lo - margin, hi + margin)
    axis.set_major_locator(mpl.ticker.FixedLocator(ticks))
    axis.set_major_formatter(mpl.ticker.PercentFormatter(scale, decimals=decimals))
    return lo, hi


def _legend_away(ax: Any, ys: Any, **kwargs: Any) -> Any:
    """A legend in the right-hand corner (upper or lower) that the data of the right half of
    the plot stay away from, so that it never covers the lines' ends."""
    import numpy as np
    lo, hi = ax.get_ylim()
    halves = [np.asarray(y, dtype=np.float64)[len(y) // 2:] for y in ys if len(y)]
    tail = np.concatenate(halves) if halves else np.array([])
    tail = tail[np.isfinite(tail)]
    if tail.size and ax.get_yscale() == "log":
        tail, lo, hi = np.log10(tail[tail > 0]), np.log10(lo), np.log10(hi)
    high = tail.size and np.mean((tail - lo) / (hi - lo or 1.0)) > 0.5
    return ax.legend(loc="lower right" if high else "upper right", **kwargs)
