"""What every picture of :mod:`neuronlab.plots` shares: matplotlib imported lazily, a fresh
Agg figure, saving, and the names of features, classes and layers."""
from __future__ import annotations

import os
from typing import Any

from .._util.extras import require
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
