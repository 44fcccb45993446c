"""Activation functions, each one written beside its derivative, in one registry.

An activation turns a neuron's weighted sum ``z = w·x + b`` into its
**activation value** ``a = f(z)``.  Every entry of the registry is one
:class:`Activation` object that carries

* ``f`` (``act(z)``) and ``f'`` (``act.derivative(z)``), both elementwise, any shape;
* ``backward(z, a, grad)``: ``grad * f'(z)`` computed from whichever of the cached
  ``z`` or ``a`` is cheaper (the docstring of each class says which: it never recomputes
  ``f`` when the forward pass already has it);
* ``output_range``: the interval the activation values live in;
* ``threshold``: the activation value above which the neuron **fires**.  For every
  entry it is ``f(0)`` — a neuron fires when its weighted sum is positive — except
  ``step`` (fires when ``z`` reaches its threshold θ, i.e. ``a = 1``) and ``softmax``
  (fires above the uniform share ``1/k``);
* ``init``: the weight initializer it prefers (``he_*`` for the ReLU family,
  ``lecun_normal`` for SELU, ``glorot_uniform`` otherwise).

Numerics: every ``f`` and ``f'`` is finite, with no overflow or invalid-value warning,
for any input in [-1e4, 1e4] in float32 and float64 (stable sigmoid, ``logaddexp``
softplus, ``expm1`` on the clipped negative side for ELU/SELU, max-shifted softmax).

Derivatives at kinks are defined as PyTorch defines them: ``relu'(0) = 0``,
``leaky_relu'(0) = alpha``, ``elu'(0) = alpha``, ``hard_tanh'(±1) = 0``,
``hard_sigmoid'(±3) = 0``, ``step'(z) = 0`` everywhere.

The built-ins are in two parts: ``classic`` (step, identity, sigmoid, tanh, the ReLU
family) and ``smooth`` (GELU, softplus, SiLU, Mish, softsign, hard sigmoid/tanh, softmax);
:func:`register` adds your own.

>>> import neuronlab as nl
>>> float(nl.activations.get("relu")(0.47))
0.47
>>> float(nl.activations.get("sigmoid").derivative(0.0))
0.25
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np

from .base import _INF, Activation, sigmoid, softplus
from .classic import ELU, SELU, Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh
from .smooth import GELU, GELUTanh, HardSigmoid, HardTanh, Mish, SiLU, Softmax, Softplus, Softsign
from ..errors import ArgumentTypeError, HyperparameterError, ShapeError
from .._util.registry import Registry

__all__ = ["Activation", "get", "names", "register", "unregister", "is_builtin", "describe", "sigmoid",
           "softplus"]

_registry = Registry(
    "activation", Activation,
    builtins=[Step, Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SELU,
              GELU, GELUTanh, Softplus, SiLU, Mish, Softsign, HardSigmoid, HardTanh, Softmax],
    aliases={"swish": "silu", "linear": "identity", "threshold": "step", "heaviside": "step",
             "logistic": "sigmoid", "hardtanh": "hard_tanh", "hardsigmoid": "hard_sigmoid",
             "leakyrelu": "leaky_relu"},
    configs=True, expects="a name (str) or an Activation",
)


class _Custom(Activation):
    """An activation registered by the user from two callables (both take z)."""

    def __init__(self, name: str, fn: Callable, dfn: Callable, **attrs: Any) -> None:
        super().__init__()
        self.name = name
        self._fn, self._dfn = fn, dfn
        for k, v in attrs.items():
            setattr(self, k, v)

    def f(self, z):
        return _checked_result(self.name, "f", self._fn, z)

    def df(self, z):  # takes z
        return _checked_result(self.name, "derivative", self._dfn, z)


def _checked_result(name: str, what: str, fn: Callable, z: np.ndarray) -> np.ndarray:
    """``fn(z)`` as an array of ``z``'s shape and dtype, or an error naming the activation."""
    try:
        out = np.asarray(fn(z))
    except Exception as err:  # the user's function: any failure is reported as its own
        raise HyperparameterError(
            f"activation '{name}': {what}(z) raised {type(err).__name__}: {err}; "
            "make it take an array of weighted sums and return an array of the same shape"
        ) from err
    if out.shape != z.shape:
        if out.size == 1 and z.size != 1:
            detail = "a single number"
        else:
            detail = f"shape {out.shape}"
        raise ShapeError(
            f"activation '{name}': {what}(z) returned {detail} for z of shape {z.shape}; "
            "it must work elementwise and return an array shaped like z"
        )
    if out.dtype.kind not in "fiub":
        raise ArgumentTypeError(
            f"activation '{name}': {what}(z) returned dtype {out.dtype}; it must return numbers"
        )
    return out.astype(z.dtype, copy=False)


#: Weighted sums a registered activation is tried on: small, moderate and large magnitudes.
_PROBE = np.array([-1e4, -50.0, -5.0, -1.0, -0.5, 0.0, 0.5, 1.0, 5.0, 50.0, 1e4])


def _probe(name: str, f: Callable, derivative: Callable, output_range: tuple[float, float],
           threshold: Any) -> None:
    """Try ``f`` and ``derivative`` on :data:`_PROBE` in float32 and float64; raise an error
    naming the activation and the problem if a result has the wrong shape or kind, is not
    finite, or lies outside the declared ``output_range``."""
    low, high = _declared_range(name, output_range)
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not math.isfinite(threshold):
        raise HyperparameterError(f"activation '{name}': threshold must be a finite number, got {threshold!r}")
    if not low <= float(threshold) <= high:
        raise HyperparameterError(
            f"activation '{name}': threshold {threshold:g} is outside output_range ({low:g}, {high:g}); "
            "a neuron could never fire (or always would): pick a value f actually takes, usually f(0)"
        )
    for dtype in (np.float64, np.float32):
        z = _PROBE.astype(dtype).reshape(1, -1)
        for what, fn in (("f", f), ("derivative", derivative)):
            with np.errstate(all="ignore"):
                out = _checked_result(name, what, fn, z).astype(np.float64)
            bad = ~np.isfinite(out)
            if bad.any():
                at = float(z[bad][0])
                raise HyperparameterError(
                    f"activation '{name}': {what}({at:g}) is {out[bad][0]} in {np.dtype(dtype).name}; "
                    "it must be finite for finite inputs (clip or rewrite it stably, e.g. with np.logaddexp)"
                )
            if what == "f":
                slack = 1e-6 * max(1.0, float(np.abs(out).max()))
                outside = (out < low - slack) | (out > high + slack)
                if outside.any():
                    raise HyperparameterError(
                        f"activation '{name}': f({float(z[outside][0]):g}) = {out[outside][0]:g} is outside "
                        f"the declared output_range ({low:g}, {high:g}); declare the range f really has"
                    )


def _declared_range(name: str, output_range: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in output_range)
    except (TypeError, ValueError):
        raise HyperparameterError(
            f"activation '{name}': output_range must be two numbers (low, high), got {output_range!r}"
        ) from None
    if not low <= high:
        raise HyperparameterError(
            f"activation '{name}': output_range low must not exceed high, got ({low:g}, {high:g})"
        )
    return low, high


def names() -> list[str]:
    """Every registered activation name (built-in and user-registered), sorted."""
    return _registry.names()


def get(identifier: Any, **params: Any) -> Activation:
    """Return an :class:`Activation` from a name, a config dict or an instance.

    Parameters
    ----------
    identifier : str, dict or Activation
        ``"relu"``, ``"leaky_relu"``, ``{"name": "elu", "alpha": 0.5}``, or an
        :class:`Activation` (returned as is).  Case and ``-``/``_`` do not matter.
    **params
        Parameters of parametrised activations (``alpha=0.1``, ``threshold=0.5``); they
        override a config's values.

    Raises
    ------
    UnknownNameError
        For an unknown name; the message lists the known names and a close match.
    ArgumentTypeError
        For anything that is neither a string, a config dict nor an Activation.
    HyperparameterError
        For a parameter the activation does not take or an out-of-range value.
    """
    return _registry.get(identifier, **params)


def register(
    name: str,
    f: Callable[[np.ndarray], np.ndarray],
    derivative: Callable[[np.ndarray], np.ndarray],
    *,
    output_range: tuple[float, float] = (-_INF, _INF),
    threshold: float = 0.0,
    init: str = "glorot_uniform",
    saturating: bool = False,
    formula: str = "",
    derivative_formula: str = "",
    overwrite: bool = False,
) -> Activation:
    """Register a user-defined activation; both callables take the weighted sums ``z``.

    >>> register("cube", f=lambda z: z**3, derivative=lambda z: 3*z**2)  # doctest: +SKIP

    Raises
    ------
    HyperparameterError
        If ``name`` is not a lower-case identifier, is a built-in or an alias, or is
        already registered and ``overwrite`` is false; if ``f`` or ``derivative`` fails
        or returns non-finite values on a probe of weighted sums from -1e4 to 1e4 (in
        float32 and float64), or ``f``'s values leave the declared ``output_range``; if
        ``output_range`` is not two ordered numbers or ``threshold`` not a finite number.
    ShapeError
        If ``f`` or ``derivative`` returns an array not shaped like its input (checked at
        registration and on every call).
    ArgumentTypeError
        If ``f`` or ``derivative`` is not callable or returns non-numbers.
    """
    if not (callable(f) and callable(derivative)):
        raise ArgumentTypeError("register() needs two callables: f(z) and derivative(z)")
    _probe(name, f, derivative, output_range, threshold)
    attrs = dict(output_range=tuple(output_range), threshold=float(threshold), init=init,
                 saturating=bool(saturating), formula=formula, derivative_formula=derivative_formula)

    def factory() -> Activation:
        return _Custom(name, f, derivative, **attrs)

    _registry.register(name, factory, overwrite=overwrite)
    return factory()


def unregister(name: str) -> None:
    """Remove a user-registered activation (built-ins cannot be removed)."""
    _registry.unregister(name)


def is_builtin(name: str) -> bool:
    """Whether ``name`` is one of neuronlab's own activations."""
    return _registry.is_builtin(name)


def describe() -> list[dict[str, Any]]:
    """One row per activation: name, formula, derivative formula, range, threshold, init."""
    return _registry.describe(lambda act: {
        "formula": act.formula, "derivative": act.derivative_formula, "range": act.output_range,
        "threshold": act.threshold, "init": act.init, "derivative_uses": act.uses,
    })
