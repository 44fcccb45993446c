"""Pictures of activation functions: one function with its derivative, or a grid of them."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .. import activations as _activations
from .._util.validate import check_int
from ..errors import HyperparameterError
from .figure import _check_dpi, _figure, _save

_F_COLOR, _DF_COLOR, _FIRE_COLOR = "#1f77b4", "#ff7f0e", "#2ca02c"


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
# activation functions
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
    check_int("ncols", ncols, minimum=1)
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
