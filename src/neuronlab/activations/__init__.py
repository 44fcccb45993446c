"""Activation functions, each one written beside its derivative, in one registry.

Floor 1 (math): NumPy only.

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

The built-ins live in two private modules on this floor, each derivative beside its
function: :mod:`neuronlab._activations_classic` (step, identity, sigmoid, tanh, the ReLU
family) and :mod:`neuronlab._activations_smooth` (GELU, softplus, SiLU, Mish, softsign,
hard sigmoid/tanh, softmax).  They register themselves into the one registry of
:mod:`neuronlab._activation_base` (which holds the :class:`Activation` class); this module
imports both, re-exports every class, and adds :func:`get`, :func:`register`,
:func:`names` and the rest.

>>> import neuronlab as nl
>>> float(nl.activations.get("relu")(0.47))
0.47
>>> float(nl.activations.get("sigmoid").derivative(0.0))
0.25
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

# The base class and the one registry dict; the two built-in modules register every
# built-in into it when imported here (they import only _activation_base: no cycle).
from .base import _BUILTIN, _INF, _REGISTRY, Activation, _as_float, sigmoid, softplus  # noqa: F401
from .classic import ELU, SELU, Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh  # noqa: F401
from .smooth import GELU, GELUTanh, HardSigmoid, HardTanh, Mish, SiLU, Softmax, Softplus, Softsign  # noqa: F401
from ..errors import ArgumentTypeError, HyperparameterError, UnknownNameError
from .._util.registry import unknown_name

__all__ = ["Activation", "get", "names", "register", "unregister", "describe", "sigmoid", "softplus"]

# The classes live in the private modules but belong to this one: pickles name
# ``neuronlab.activations.ReLU``, as the other split modules (losses, optimizers, ...) do.
for _cls in (Activation, ELU, SELU, Identity, LeakyReLU, ReLU, Sigmoid, Step, Tanh, GELU, GELUTanh, HardSigmoid,
             HardTanh, Mish, SiLU, Softmax, Softplus, Softsign):
    _cls.__module__ = __name__
del _cls


class _Custom(Activation):
    """An activation registered by the user from two callables (both take z)."""

    def __init__(self, name: str, fn: Callable, dfn: Callable, **attrs: Any) -> None:
        super().__init__()
        self.name = name
        self._fn, self._dfn = fn, dfn
        for k, v in attrs.items():
            setattr(self, k, v)

    def f(self, z):
        return np.asarray(self._fn(z), dtype=z.dtype).reshape(z.shape)

    def df(self, z):  # takes z
        return np.asarray(self._dfn(z), dtype=z.dtype).reshape(z.shape)


# ---------------------------------------------------------------------------------------
# The registry (``_REGISTRY``, filled by the built-in modules) and its functions.
# ---------------------------------------------------------------------------------------

_ALIASES = {"swish": "silu", "linear": "identity", "threshold": "step", "heaviside": "step",
            "logistic": "sigmoid", "hardtanh": "hard_tanh", "hardsigmoid": "hard_sigmoid",
            "leakyrelu": "leaky_relu"}


def names() -> list[str]:
    """Every registered activation name (built-in and user-registered), sorted."""
    return sorted(_REGISTRY)


def get(identifier: Any, **params: Any) -> Activation:
    """Return an :class:`Activation` from a name, a config dict or an instance.

    Parameters
    ----------
    identifier : str, dict or Activation
        ``"relu"``, ``"leaky_relu"``, ``{"name": "elu", "alpha": 0.5}``, or an
        :class:`Activation` (returned as is).
    **params
        Parameters of parametrised activations (``alpha=0.1``, ``threshold=0.5``).

    Raises
    ------
    UnknownNameError
        For an unknown name; the message lists the known names and a close match.
    HyperparameterError
        For a parameter the activation does not take or an out-of-range value.
    """
    if isinstance(identifier, Activation):
        if params:
            raise HyperparameterError("parameters can only be given with an activation *name*")
        return identifier
    if isinstance(identifier, dict):
        cfg = dict(identifier)
        if "name" not in cfg:
            raise UnknownNameError(f"activation config {identifier!r} has no 'name'")
        return get(cfg.pop("name"), **cfg, **params)
    if not isinstance(identifier, str):
        raise ArgumentTypeError(
            f"activation must be a name (str) or an Activation, got {type(identifier).__name__}; "
            f"known names: {', '.join(names())}"
        )
    key = identifier.strip().lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _REGISTRY:
        raise unknown_name("activation", identifier, _REGISTRY)
    try:
        return _REGISTRY[key](**params)
    except TypeError:
        raise HyperparameterError(
            f"activation '{key}' does not take parameters {sorted(params)}"
        ) from None


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
    ValueError
        If ``name`` is a built-in, or already registered and ``overwrite`` is false.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise HyperparameterError(f"activation name must be an identifier-like string, got {name!r}")
    if not (callable(f) and callable(derivative)):
        raise ArgumentTypeError("register() needs two callables: f(z) and derivative(z)")
    if name in _BUILTIN or name in _ALIASES:
        raise HyperparameterError(f"'{name}' is a built-in activation and cannot be replaced")
    if name in _REGISTRY and not overwrite:
        raise HyperparameterError(f"activation '{name}' is already registered; pass overwrite=True to replace it")
    attrs = dict(output_range=tuple(output_range), threshold=float(threshold), init=init,
                 saturating=bool(saturating), formula=formula, derivative_formula=derivative_formula)

    def factory(**params: Any) -> Activation:
        if params:
            raise TypeError
        return _Custom(name, f, derivative, **attrs)

    _REGISTRY[name] = factory
    return factory()


def unregister(name: str) -> None:
    """Remove a user-registered activation (built-ins cannot be removed)."""
    if name in _BUILTIN:
        raise HyperparameterError(f"'{name}' is built in and cannot be unregistered")
    if name not in _REGISTRY:
        raise unknown_name("activation", name, _REGISTRY)
    del _REGISTRY[name]


def is_builtin(name: str) -> bool:
    """Whether ``name`` is one of neuronlab's own activations."""
    return name in _BUILTIN


def describe() -> list[dict[str, Any]]:
    """One row per activation: name, formula, derivative formula, range, threshold, init."""
    rows = []
    for n in names():
        act = get(n)
        rows.append({
            "name": n, "formula": act.formula, "derivative": act.derivative_formula,
            "range": act.output_range, "threshold": act.threshold, "init": act.init,
            "derivative_uses": act.uses,
        })
    return rows
