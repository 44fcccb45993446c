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

>>> import neuronlab as nl
>>> nl.activations.get("relu")(0.47)
array(0.47)
>>> float(nl.activations.get("sigmoid").derivative(0.0))
0.25
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .errors import ArgumentTypeError, HyperparameterError, UnknownNameError, check_positive, unknown_name

__all__ = ["Activation", "get", "names", "register", "unregister", "describe", "sigmoid", "softplus"]

_INF = float("inf")
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _as_float(z: Any) -> np.ndarray:
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    return z


def sigmoid(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    """Numerically stable logistic function ``1 / (1 + exp(-z))``.

    Computed as ``exp(min(z,0)) / (1 + exp(-|z|))`` so that ``exp`` never sees a
    large positive argument: no overflow for any finite ``z``.
    """
    z = _as_float(z)
    e = np.exp(-np.abs(z))
    num = np.where(z >= 0, np.ones_like(e), e)
    return np.divide(num, 1.0 + e, out=out)


def softplus(z: Any) -> np.ndarray:
    """Stable ``log(1 + exp(z))`` as ``logaddexp(0, z)``."""
    z = _as_float(z)
    return np.logaddexp(np.zeros_like(z), z)


_erf_object = np.frompyfunc(math.erf, 1, 1)


def _erf(z: np.ndarray) -> np.ndarray:
    """Exact (libm) error function, elementwise; NumPy has none of its own."""
    return np.asarray(_erf_object(z), dtype=z.dtype).reshape(z.shape)


class Activation:
    """One activation function: ``f`` and ``f'`` together, with range, threshold and init.

    Subclasses implement :meth:`f` and :meth:`df` (the derivative as a function of ``z``)
    and may override :meth:`backward` to use the cached activation value instead.

    Attributes
    ----------
    name : str
        Registry name.
    params : dict
        Parameters it was built with (``{"alpha": 0.1}``).
    output_range : tuple of float
        ``(low, high)`` of the activation values.
    threshold : float or None
        Activation value above which the neuron fires.
    init : str
        Name of the preferred weight initializer.
    saturating : bool
        Whether the derivative goes to 0 on one or both sides (sigmoid, tanh, ...).
    formula, derivative_formula : str
        Human-readable formulas (for tables and the CLI).
    """

    name: str = "activation"
    output_range: tuple[float, float] = (-_INF, _INF)
    threshold: float | None = 0.0
    init: str = "glorot_uniform"
    saturating: bool = False
    formula: str = ""
    derivative_formula: str = ""
    #: which cached array :meth:`backward` reads: "z" (weighted sums) or "a" (activation values)
    uses: str = "z"

    def __init__(self, **params: Any) -> None:
        if params and type(self).__init__ is Activation.__init__:
            # only subclasses with their own __init__ (alpha, threshold) take parameters
            raise ArgumentTypeError(f"{type(self).__name__} takes no parameters, got {sorted(params)}")
        self.params = dict(params)

    # -- the function and its derivative -------------------------------------------------
    def f(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def df(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, z: Any) -> np.ndarray:
        """Activation values ``f(z)``, elementwise, same shape and float dtype as ``z``."""
        return self.f(_as_float(z))

    def derivative(self, z: Any) -> np.ndarray:
        """``f'(z)``, elementwise; takes the weighted sums ``z`` (not the activation values)."""
        return self.df(_as_float(z))

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Backpropagate through the activation: ``grad * f'(z)``.

        Parameters
        ----------
        z, a : ndarray of shape (n_samples, n_units)
            Weighted sums and activation values cached by the forward pass.
        grad : ndarray of shape (n_samples, n_units)
            dL/da.
        out : ndarray, optional
            Where to write dL/dz (may be ``grad`` itself).
        """
        return np.multiply(grad, self.df(z), out=out)

    def fires(self, a: Any) -> np.ndarray:
        """Whether activation values ``a`` pass the firing threshold (``a > threshold``)."""
        return np.asarray(a) > self.threshold

    # -- in-place forms used by the training workspace (same numbers as f / backward) ------
    def f_into(self, z: np.ndarray, out: np.ndarray, zeros: np.ndarray | None = None) -> np.ndarray:
        """Write ``f(z)`` into ``out`` (same shape and dtype as ``z``) and return it.

        The result is exactly :meth:`f`'s.  ``zeros`` is an optional array of zeros shaped
        like ``z`` that activations comparing against 0 may use (NumPy's ``maximum``
        against a full zero array is about 3× faster than against the scalar 0).  The
        default computes :meth:`f` and copies it; ReLU and a few others write in place.
        """
        np.copyto(out, self.f(z))
        return out

    def backward_inplace(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray,
                         mask: np.ndarray | None = None) -> np.ndarray:
        """``grad *= f'(z)`` in place (dL/da becomes dL/dz) and return ``grad``.

        Exactly :meth:`backward` with ``out=grad``.  ``mask`` is an optional boolean
        scratch array shaped like ``grad`` (ReLU writes ``a > 0`` into it instead of
        allocating).
        """
        return self.backward(z, a, grad, out=grad)

    # -- description ----------------------------------------------------------------------
    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name}{', ' + args if args else ''})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and (self.name, self.params) == (other.name, other.params)

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def config(self) -> dict[str, Any]:
        """``{"name": ..., **params}``: enough to rebuild it with :func:`get`."""
        return {"name": self.name, **self.params}


# ---------------------------------------------------------------------------------------
# The entries.  Each derivative sits right under its function.
# ---------------------------------------------------------------------------------------

class Step(Activation):
    """Heaviside step: ``1 if z >= threshold else 0``.

    Its derivative is 0 everywhere (undefined at θ; 0 is used), so no gradient flows
    through it: this is why networks of step neurons cannot learn by gradient descent
    and the perceptron uses its own learning rule instead.  Fires when ``a = 1``.
    """

    name = "step"
    output_range = (0.0, 1.0)
    formula = "1 if z >= θ else 0"
    derivative_formula = "0 (everywhere)"

    def __init__(self, threshold: float = 0.0) -> None:
        if not np.isfinite(threshold):
            raise HyperparameterError(f"step threshold must be finite, got {threshold!r}")
        super().__init__(threshold=float(threshold))
        self.threshold = float(threshold)

    def f(self, z):
        return (z >= self.threshold).astype(z.dtype)

    def df(self, z):  # takes z
        return np.zeros_like(z)

    def fires(self, a):
        return np.asarray(a) >= 1.0


class Identity(Activation):
    """``f(z) = z``; ``f' = 1``.  For regression outputs."""

    name = "identity"
    formula = "z"
    derivative_formula = "1"

    def f(self, z):
        return z.copy()

    def df(self, z):  # takes z
        return np.ones_like(z)

    def backward(self, z, a, grad, out=None):
        if out is None:
            return grad.copy()
        if out is not grad:
            np.copyto(out, grad)
        return out

    def f_into(self, z, out, zeros=None):
        np.copyto(out, z)
        return out


class Sigmoid(Activation):
    """Logistic ``σ(z) = 1/(1+e^-z)`` (computed stably); ``σ' = σ(1-σ)``.

    ``backward`` uses the cached activation values ``a``: ``grad * a * (1 - a)``.
    """

    name = "sigmoid"
    output_range = (0.0, 1.0)
    threshold = 0.5
    saturating = True
    uses = "a"
    formula = "1 / (1 + e^-z)"
    derivative_formula = "σ(z)·(1 − σ(z))"

    def f(self, z):
        return sigmoid(z)

    def df(self, z):  # takes z
        s = sigmoid(z)
        return s * (1.0 - s)

    def backward(self, z, a, grad, out=None):  # uses a
        out = np.multiply(grad, a, out=out)
        out *= 1.0 - a
        return out


class Tanh(Activation):
    """Hyperbolic tangent; ``tanh' = 1 - tanh²``.  ``backward`` uses ``a``."""

    name = "tanh"
    output_range = (-1.0, 1.0)
    saturating = True
    uses = "a"
    formula = "tanh(z)"
    derivative_formula = "1 − tanh²(z)"

    def f(self, z):
        return np.tanh(z)

    def f_into(self, z, out, zeros=None):
        return np.tanh(z, out=out)

    def df(self, z):  # takes z
        t = np.tanh(z)
        return 1.0 - t * t

    def backward(self, z, a, grad, out=None):  # uses a
        d = a * a
        np.subtract(1.0, d, out=d)
        return np.multiply(grad, d, out=out)


class ReLU(Activation):
    """Rectified linear unit ``max(0, z)``; ``relu'(z) = 1 if z > 0 else 0`` (0 at the kink).

    ``backward`` uses ``a``: ``a > 0`` exactly when ``z > 0``.
    """

    name = "relu"
    output_range = (0.0, _INF)
    init = "he_uniform"
    uses = "a"
    formula = "max(0, z)"
    derivative_formula = "1 if z > 0 else 0"

    def f(self, z):
        return np.maximum(z, 0.0)

    def df(self, z):  # takes z
        return (z > 0).astype(z.dtype)

    def backward(self, z, a, grad, out=None):  # uses a
        return np.multiply(grad, a > 0, out=out)

    def f_into(self, z, out, zeros=None):
        # maximum against a zero array: same values as maximum(z, 0.0), ~3× faster
        return np.maximum(z, 0.0 if zeros is None else zeros, out=out)

    def backward_inplace(self, z, a, grad, mask=None):  # uses a
        # multiplying by a boolean mask is ~20× faster than copyto/putmask with where=
        return np.multiply(grad, np.greater(a, 0, out=mask), out=grad)


class LeakyReLU(Activation):
    """``z if z > 0 else alpha·z``; derivative ``1 if z > 0 else alpha`` (alpha at 0)."""

    name = "leaky_relu"
    init = "he_uniform"
    formula = "z if z > 0 else α·z"
    derivative_formula = "1 if z > 0 else α"

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__(alpha=check_positive("leaky_relu alpha", alpha))
        self.alpha = float(alpha)

    def f(self, z):
        return np.where(z > 0, z, self.alpha * z)

    def df(self, z):  # takes z
        return np.where(z > 0, 1.0, self.alpha).astype(z.dtype)


class ELU(Activation):
    """``z if z > 0 else alpha·(e^z - 1)``; derivative ``1 if z > 0 else alpha·e^z``.

    ``expm1``/``exp`` only see ``min(z, 0)``: no overflow.
    """

    name = "elu"
    init = "he_uniform"
    formula = "z if z > 0 else α·(e^z − 1)"
    derivative_formula = "1 if z > 0 else α·e^z"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__(alpha=check_positive("elu alpha", alpha))
        self.alpha = float(alpha)

    @property
    def output_range(self):  # type: ignore[override]
        return (-self.alpha, _INF)

    def f(self, z):
        return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def df(self, z):  # takes z
        return np.where(z > 0, 1.0, self.alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype)


class SELU(Activation):
    """Self-normalising ELU: ``scale·(z if z > 0 else alpha·(e^z - 1))`` with the fixed
    constants of Klambauer et al. (2017); derivative ``scale·(1 if z > 0 else alpha·e^z)``."""

    name = "selu"
    output_range = (-_SELU_SCALE * _SELU_ALPHA, _INF)
    init = "lecun_normal"
    formula = "λ·(z if z > 0 else α·(e^z − 1))"
    derivative_formula = "λ·(1 if z > 0 else α·e^z)"

    def f(self, z):
        return _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))

    def df(self, z):  # takes z
        return (_SELU_SCALE * np.where(z > 0, 1.0, _SELU_ALPHA * np.exp(np.minimum(z, 0.0)))).astype(z.dtype)


class GELU(Activation):
    """Gaussian error linear unit, exact form ``z·Φ(z) = z·(1 + erf(z/√2))/2``;
    derivative ``Φ(z) + z·φ(z)`` with φ the standard normal density."""

    name = "gelu"
    output_range = (-0.17000854, _INF)
    init = "he_uniform"
    formula = "z·Φ(z)"
    derivative_formula = "Φ(z) + z·φ(z)"

    def f(self, z):
        return 0.5 * z * (1.0 + _erf(z * _INV_SQRT_2))

    def df(self, z):  # takes z
        cdf = 0.5 * (1.0 + _erf(z * _INV_SQRT_2))
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * z * z)
        return cdf + z * pdf


class GELUTanh(Activation):
    """GELU, tanh approximation ``z/2·(1 + tanh(√(2/π)·(z + 0.044715·z³)))``
    (PyTorch's ``approximate='tanh'``); derivative by the product and chain rules."""

    name = "gelu_tanh"
    output_range = (-0.170041, _INF)  # min -0.1700407506 at z ≈ -0.7525 (rounded down)
    init = "he_uniform"
    formula = "z/2·(1 + tanh(√(2/π)(z + 0.044715 z³)))"
    derivative_formula = "(1 + t)/2 + z/2·(1 − t²)·√(2/π)(1 + 0.134145 z²)"

    def f(self, z):
        t = np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z * z * z))
        return 0.5 * z * (1.0 + t)

    def df(self, z):  # takes z
        z2 = z * z
        t = np.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z2 * z))
        return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * z2)


class Softplus(Activation):
    """``log(1 + e^z)`` (as ``logaddexp(0, z)``); derivative ``σ(z)``."""

    name = "softplus"
    output_range = (0.0, _INF)
    threshold = math.log(2.0)
    formula = "log(1 + e^z)"
    derivative_formula = "σ(z)"

    def f(self, z):
        return softplus(z)

    def df(self, z):  # takes z
        return sigmoid(z)


class SiLU(Activation):
    """SiLU / swish ``z·σ(z)``; derivative ``σ(z)·(1 + z·(1 − σ(z)))``."""

    name = "silu"
    output_range = (-0.278465, _INF)  # min -0.2784645428 at z ≈ -1.2785 (rounded down)
    init = "he_uniform"
    formula = "z·σ(z)"
    derivative_formula = "σ(z)·(1 + z·(1 − σ(z)))"

    def f(self, z):
        return z * sigmoid(z)

    def df(self, z):  # takes z
        s = sigmoid(z)
        return s * (1.0 + z * (1.0 - s))


class Mish(Activation):
    """``z·tanh(softplus(z))``; derivative ``tanh(sp) + z·(1 − tanh²(sp))·σ(z)``."""

    name = "mish"
    output_range = (-0.308844, _INF)  # min -0.3088434130 at z ≈ -1.1924 (rounded down)
    init = "he_uniform"
    formula = "z·tanh(softplus(z))"
    derivative_formula = "tanh(sp(z)) + z·(1 − tanh²(sp(z)))·σ(z)"

    def f(self, z):
        return z * np.tanh(softplus(z))

    def df(self, z):  # takes z
        t = np.tanh(softplus(z))
        return t + z * (1.0 - t * t) * sigmoid(z)


class Softsign(Activation):
    """``z / (1 + |z|)``; derivative ``1 / (1 + |z|)²``."""

    name = "softsign"
    output_range = (-1.0, 1.0)
    saturating = True
    formula = "z / (1 + |z|)"
    derivative_formula = "1 / (1 + |z|)²"

    def f(self, z):
        return z / (1.0 + np.abs(z))

    def df(self, z):  # takes z
        d = 1.0 + np.abs(z)
        return 1.0 / (d * d)


class HardSigmoid(Activation):
    """``clip(z/6 + 1/2, 0, 1)`` (PyTorch's definition); derivative ``1/6`` on (-3, 3), else 0."""

    name = "hard_sigmoid"
    output_range = (0.0, 1.0)
    threshold = 0.5
    saturating = True
    formula = "clip(z/6 + 1/2, 0, 1)"
    derivative_formula = "1/6 if −3 < z < 3 else 0"

    def f(self, z):
        return np.clip(z / 6.0 + 0.5, 0.0, 1.0)

    def df(self, z):  # takes z
        return (((z > -3.0) & (z < 3.0)) / 6.0).astype(z.dtype)


class HardTanh(Activation):
    """``clip(z, -1, 1)``; derivative 1 on (-1, 1), else 0 (0 at the kinks)."""

    name = "hard_tanh"
    output_range = (-1.0, 1.0)
    saturating = True
    formula = "clip(z, −1, 1)"
    derivative_formula = "1 if −1 < z < 1 else 0"

    def f(self, z):
        return np.clip(z, -1.0, 1.0)

    def df(self, z):  # takes z
        return ((z > -1.0) & (z < 1.0)).astype(z.dtype)


class Softmax(Activation):
    """``softmax(z)_i = e^(z_i − max z) / Σ_j e^(z_j − max z)`` over the **last axis**.

    Unlike the others it is not elementwise: each output depends on the whole layer.
    :meth:`derivative` returns the *diagonal* of the Jacobian, ``s_i(1 − s_i)``, which is
    not enough for backpropagation; :meth:`backward` applies the full Jacobian (a
    vector-Jacobian product, using ``a``): ``a ⊙ (g − Σ_j g_j a_j)``.  With cross-entropy
    the loss supplies the fused gradient ``a − y`` instead and this is never called.
    A softmax neuron fires when its share exceeds the uniform ``1/k``.
    """

    name = "softmax"
    output_range = (0.0, 1.0)
    threshold = None
    saturating = True
    uses = "a"
    formula = "e^z_i / Σ_j e^z_j"
    derivative_formula = "∂s_i/∂z_j = s_i(δ_ij − s_j)"

    def f(self, z):
        shifted = z - np.max(z, axis=-1, keepdims=True)
        e = np.exp(shifted)
        e /= np.sum(e, axis=-1, keepdims=True)
        return e

    def df(self, z):  # takes z; Jacobian diagonal only
        s = self.f(z)
        return s * (1.0 - s)

    def jacobian(self, z: Any) -> np.ndarray:
        """Full Jacobian ``∂s_i/∂z_j``, shape ``z.shape + (k,)``."""
        s = self.f(_as_float(z))
        return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])

    def f_into(self, z, out, zeros=None):  # the same operations as f, in out
        np.subtract(z, np.max(z, axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= np.sum(out, axis=-1, keepdims=True)
        return out

    def backward(self, z, a, grad, out=None):  # uses a
        inner = np.sum(grad * a, axis=-1, keepdims=True)
        out = np.subtract(grad, inner, out=out)
        out *= a
        return out

    def fires(self, a):
        a = np.asarray(a)
        return a > 1.0 / a.shape[-1]


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
# The registry: one dict, name -> factory building an Activation from its parameters.
# ---------------------------------------------------------------------------------------

_REGISTRY: dict[str, Callable[..., Activation]] = {}
_ALIASES = {"swish": "silu", "linear": "identity", "threshold": "step", "heaviside": "step",
            "logistic": "sigmoid", "hardtanh": "hard_tanh", "hardsigmoid": "hard_sigmoid",
            "leakyrelu": "leaky_relu"}
_BUILTIN: set[str] = set()

for _cls in (Step, Identity, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, SELU, GELU, GELUTanh, Softplus,
             SiLU, Mish, Softsign, HardSigmoid, HardTanh, Softmax):
    _REGISTRY[_cls.name] = _cls
    _BUILTIN.add(_cls.name)


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
