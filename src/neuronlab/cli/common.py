"""Pieces every ``neuronlab`` command shares: names and defaults, the usage error, argument
types, printing (numbers, JSON) and the pictures module, loaded on demand."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

import numpy as np

from .._util.extras import require

PROG = "neuronlab"
DEFAULT_DIR = "neuronlab-out"
DEFAULT_MODEL = os.path.join(DEFAULT_DIR, "model.nlz")
PLOT_KINDS = ("curves", "regions", "neurons", "histograms", "diagram")


def _int_list(text: str) -> list[int]:
    t = text.strip().lower()
    if t in ("", "none", "0", "-"):
        return []
    try:
        sizes = [int(p) for p in t.replace(" ", "").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of layer sizes like 64,32") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got '{text}'")
    return sizes


def _float_list(text: str) -> list[float]:
    try:
        values = [float(p) for p in text.replace(" ", "").split(",") if p != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers like 0.5,0.6") from None
    if not values:
        raise argparse.ArgumentTypeError("give at least one number, e.g. 0.5,0.6")
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"'{text}' holds a value that is not finite")
    return values


def _int(text: str) -> int:
    """A whole number, or argparse's one-line error."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _number(text: str) -> float:
    """A number (``float``), or argparse's one-line error."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


def _positive_int(text: str) -> int:
    v = _int(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


def _nonneg_int(text: str) -> int:
    v = _int(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {v}")
    return v


def _fraction(text: str) -> float:
    v = _number(text)
    if not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1), got {text}")
    return v


def _positive_float(text: str) -> float:
    v = _number(text)
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return v


def _finite_float(text: str) -> float:
    v = _number(text)
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be finite, got {text}")
    return v


# =======================================================================================
# Output helpers
# =======================================================================================

def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=_json_default, allow_nan=True), file=sys.stdout)


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if hasattr(v, "to_dict"):
        return v.to_dict()
    return str(v)


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.{digits}f}"
    return str(v)


def _plural(n: int, word: str) -> str:
    irregular = {"class": "classes"}
    return f"{n} {word if n == 1 else irregular.get(word, word + 's')}"


def _plots():
    """:mod:`neuronlab.plots`, drawing to files only (never a window)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    require("matplotlib", extra="plot", what="pictures")
    from .. import plots
    return plots


def _close_figure(fig: Any) -> None:
    """Release a figure (neuronlab.plots draws without pyplot; close it there only if pyplot made it)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close(fig)
        except Exception:  # pragma: no cover - not one of pyplot's figures
            pass
