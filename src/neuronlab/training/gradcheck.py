"""Check backpropagation against central finite differences, and say where they differ most.

For every parameter θ_i (or a random subset of them)::

    numeric_i  = (L(θ + ε e_i) − L(θ − ε e_i)) / (2ε)
    analytic_i = dL/dθ_i from backprop
    floor      = 1e4 · u · max(|L(θ)|, 1) / ε              (u = 2.2e-16, float64's machine epsilon)
    rel_i      = |analytic_i − numeric_i| / max(|analytic_i| + |numeric_i|, floor)

Why a floor: each loss value carries round-off of order u·|L| (and of order u even when the
loss itself is tiny, since it is computed from terms of order 1, such as logits), and the
difference quotient divides it by ε, so the numeric derivative is only known to about
u·max(|L|, 1)/ε (2.2e-11 for a loss below 1 and ε = 1e-5; measured: at most a third of
that).  Without a floor, a gradient of 3e-12 met by a numeric 0 counts as a relative error
of 1.  With it, entries that are tiny on both sides are compared against the floor, so
round-off contributes at most about 1e-4 (measured: 4e-5 or less), while an entry of any
real size is still compared against its own magnitude, and a wrong derivative still gives
1e-2 or more.  Two exact zeros give 0.

The check runs on a float64 copy of the network with dropout off, so a float32 network
is checked without float32 rounding noise.  Values below about 1e-4 mean the gradients are
right (well below it when no entry is tiny: 1e-7 is typical); 1e-2 and above mean a bug (or
an input sitting exactly on a kink).  :func:`gradcheck` returns a :class:`GradientCheck`, a
float that also says which weight or bias was the worst and what the two gradients were.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._util.text import format_number
from .._util.validate import check_int, check_positive, check_positive_int
from ..errors import DivergenceError

__all__ = ["gradcheck", "gradient_errors", "GradientCheck", "ROUNDOFF_MARGIN"]

#: How many times the numeric derivative's round-off, ``u · max(|L|, 1) / ε``, the floor is.
ROUNDOFF_MARGIN = 1e4


class GradientCheck(float):
    """The largest relative error of a gradient check, and where it is.

    A ``float`` (compare it, format it, do arithmetic with it) whose attributes locate the
    worst entry; ``str()`` and ``repr()`` say it in one line::

        1.3e-09 (worst: layer 2, W[3, 7]: analytic 0.01234, numeric 0.01234)

    Attributes
    ----------
    layer : int or None
        Position of the worst entry's layer in ``network.layers`` (``None``: nothing checked).
    parameter : {"W", "b"} or None
        The weight matrix, of shape (n_in, n_out), or the bias vector, of shape (n_out,).
    position : tuple of int or None
        ``(row, column)`` = (input, neuron) in ``W``, or ``(neuron,)`` in ``b``.
    analytic, numeric : float
        Backprop's and the finite differences' values for that entry.
    floor : float
        The denominator's floor used: ``ROUNDOFF_MARGIN · u · max(|L|, 1) / ε``.
    """

    layer: int | None
    parameter: str | None
    position: tuple[int, ...] | None
    analytic: float
    numeric: float
    floor: float

    def __new__(cls, value: float, *, layer: int | None = None, parameter: str | None = None,
                position: tuple[int, ...] | None = None, analytic: float = 0.0, numeric: float = 0.0,
                floor: float = 0.0) -> "GradientCheck":
        self = super().__new__(cls, value)
        self.layer, self.parameter = layer, parameter
        self.position = None if position is None else tuple(int(i) for i in position)
        self.analytic, self.numeric, self.floor = float(analytic), float(numeric), float(floor)
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[float], dict[str, Any]]:
        return (float(self),), {"layer": self.layer, "parameter": self.parameter, "position": self.position,
                                "analytic": self.analytic, "numeric": self.numeric, "floor": self.floor}

    @property
    def where(self) -> str:
        """The worst entry in words, e.g. ``"layer 2, W[3, 7]"`` (``""`` when nothing was checked)."""
        if self.layer is None or self.position is None:
            return ""
        return f"layer {self.layer}, {self.parameter}[{', '.join(str(i) for i in self.position)}]"

    def __str__(self) -> str:
        value = format(float(self), ".2g")
        if not self.where:
            return f"{value} (no parameters checked)"
        return (f"{value} (worst: {self.where}: analytic {format_number(self.analytic)}, "
                f"numeric {format_number(self.numeric)})")

    __repr__ = __str__


def _locate(network: Any, index: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple[int, ...]]]:
    """Layer position, parameter name and index inside it of each flat parameter index."""
    layers, names, positions = np.empty(len(index), dtype=int), np.empty(len(index), dtype="<U1"), []
    starts, owners = [], []
    offset = 0
    for pos, layer in enumerate(network.layers):
        if layer.n_params:
            starts.append(offset)
            owners.append(pos)
            offset += layer.n_params
    which = np.searchsorted(starts, index, side="right") - 1
    for k, (i, w) in enumerate(zip(index, which)):
        pos, local = owners[w], int(i) - starts[w]
        layer = network.layers[pos]
        n_w = layer.n_in * layer.n_out
        layers[k] = pos
        if local < n_w:
            names[k] = "W"
            positions.append(divmod(local, layer.n_out))
        else:
            names[k] = "b"
            positions.append((local - n_w,))
    return layers, names, positions


def _numeric_gradient(net: Any, loss: Any, idx: np.ndarray, eps: float) -> np.ndarray:
    """Central differences ``(L(θ + ε e_i) − L(θ − ε e_i)) / (2ε)`` for each index in ``idx``."""
    numeric = np.empty(len(idx))
    p = net.parameters
    for k, i in enumerate(idx):
        old = p[i]
        p[i] = old + eps
        up = loss()
        p[i] = old - eps
        down = loss()
        p[i] = old
        numeric[k] = (up - down) / (2 * eps)
    return numeric


def _roundoff_floor(loss_value: float, eps: float) -> float:
    """The relative error's floor: ``ROUNDOFF_MARGIN · u · max(|L|, 1) / ε``.

    ``u · max(|L|, 1) / ε`` is about the round-off of a central difference of a loss of size
    ``|L|`` with step ``ε`` (``u`` is float64's machine epsilon).
    """
    return ROUNDOFF_MARGIN * float(np.finfo(np.float64).eps) * max(abs(loss_value), 1.0) / eps


def gradient_errors(network: Any, X: Any, y: Any, *, eps: float = 1e-5, sample_weight: Any = None,
                    max_params: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Analytic and numeric gradients side by side, entry by entry, and where each entry is.

    ``relative_error = |analytic − numeric| / max(|analytic| + |numeric|, floor)`` with
    ``floor = ROUNDOFF_MARGIN · u · max(|L|, 1) / ε`` (``ROUNDOFF_MARGIN = 1e4``, ``u`` float64's
    machine epsilon, ``L`` the loss at the current weights): entries tiny on both sides, where
    the finite difference is round-off, count as agreeing (see the module's docstring).

    Parameters
    ----------
    network, X, y, eps, sample_weight, max_params, seed
        As for :func:`gradcheck`.

    Returns
    -------
    dict
        For the ``n_checked`` parameters checked, arrays of shape (n_checked,): ``index`` (flat
        index into ``network.parameters``), ``analytic``, ``numeric``, ``relative_error``,
        ``layer`` (position in ``network.layers``), ``parameter`` (``"W"`` or ``"b"``); and
        ``position``, a list of ``(row, column)`` tuples for ``W`` and ``(column,)`` for ``b``;
        plus the floats ``floor`` and ``loss`` (the loss at the current weights).

    Raises
    ------
    DivergenceError
        If the loss at the current weights is not finite (finite differences need a finite loss).
    """
    eps = check_positive("eps", eps)
    if max_params is not None:
        max_params = check_positive_int("max_params", max_params)
    seed = check_int("seed", seed, minimum=0)
    net = network.copy(dtype="float64")
    X = net.check_inputs(X)
    y = net.check_targets(X, y)
    sw = net.check_sample_weight(X, sample_weight)

    def loss() -> float:
        net.forward(X, training=False)
        return net.loss_value(y, sw)

    value = loss()
    if not math.isfinite(value):
        raise DivergenceError(f"gradcheck: the loss at the network's current weights is {value}; finite "
                              f"differences need a finite loss: check the weights and the inputs for huge values")
    net.backward(y, sw)
    analytic = net.gradients.copy()
    idx = np.arange(net.n_params)
    if max_params is not None and max_params < net.n_params:
        idx = np.sort(np.random.default_rng(seed).choice(net.n_params, size=max_params, replace=False))
    numeric = _numeric_gradient(net, loss, idx, eps)
    a = analytic[idx]
    floor = _roundoff_floor(value, eps)
    rel = np.abs(a - numeric) / np.maximum(np.abs(a) + np.abs(numeric), floor)
    layers, names, positions = _locate(net, idx)
    return {"index": idx, "analytic": a, "numeric": numeric, "relative_error": rel, "layer": layers,
            "parameter": names, "position": positions, "floor": floor, "loss": float(value)}


def gradcheck(network: Any, X: Any, y: Any, *, eps: float = 1e-5, sample_weight: Any = None,
              max_params: int | None = None, seed: int = 0) -> GradientCheck:
    """Maximum relative error between backprop gradients and central finite differences.

    Parameters
    ----------
    network : Network
    X : array-like of shape (n_samples, n_inputs)
        A few samples are enough (e.g. ``X[:8]``).
    y : array-like
        Matching targets.
    eps : float
        Finite-difference step ε.
    sample_weight : array-like of shape (n_samples,), optional
        Per-sample weights of the loss.
    max_params : int, optional
        Check only this many randomly chosen parameters (large networks).
    seed : int
        Seed of that random choice.

    Returns
    -------
    GradientCheck
        A float, ``max_i |analytic_i − numeric_i| / max(|analytic_i| + |numeric_i|, floor)``
        with ``floor = 1e4 · u · max(|L|, 1) / ε`` (``u`` = 2.2e-16, ``L`` the loss): about 1e4
        times the finite difference's round-off, so gradients tiny on both sides count as
        agreeing.  Below about 1e-4: right; 1e-2 and above: a bug.  Its ``layer``,
        ``parameter``, ``position``, ``analytic`` and ``numeric`` say where the worst entry is
        and what the two values were; it prints as one line, e.g.
        ``1.3e-09 (worst: layer 2, W[3, 7]: analytic 0.01234, numeric 0.01234)``.

    Raises
    ------
    DivergenceError
        If the loss at the current weights is not finite.

    Examples
    --------
    >>> import numpy as np, neuronlab as nl
    >>> net = nl.Network.mlp([4, 5, 3], hidden="tanh", seed=0)
    >>> X = np.random.default_rng(0).normal(size=(8, 4)); y = np.arange(8) % 3
    >>> err = nl.gradcheck(net, X, y)
    >>> err < 1e-6, err.layer, err.parameter
    (True, 0, 'W')
    """
    errs = gradient_errors(network, X, y, eps=eps, sample_weight=sample_weight, max_params=max_params, seed=seed)
    rel = errs["relative_error"]
    if not rel.size:
        return GradientCheck(0.0, floor=errs["floor"])
    k = int(np.argmax(rel))
    return GradientCheck(float(rel[k]), layer=int(errs["layer"][k]), parameter=str(errs["parameter"][k]),
                         position=errs["position"][k], analytic=errs["analytic"][k],
                         numeric=errs["numeric"][k], floor=errs["floor"])
