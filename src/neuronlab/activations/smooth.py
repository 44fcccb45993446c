"""The smooth and modern built-in activations: GELU (exact and tanh), softplus, SiLU, Mish,
softsign, hard sigmoid, hard tanh and softmax, each derivative written beside its function.
Look them up by name with ``neuronlab.activations.get``.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .base import _INF, Activation, _as_float, sigmoid, softplus

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

_erf_object = np.frompyfunc(math.erf, 1, 1)


# the ufunc reductions behind np.max / np.sum, called directly: the same results without
# NumPy's Python-level wrapper (the training step calls softmax once per batch)
# positional calls (no keyword parsing) in the hot path; NumPy's stubs do not know this form
_max_reduce: Callable[..., np.ndarray] = np.maximum.reduce
_add_reduce: Callable[..., np.ndarray] = np.add.reduce


def softmax(z: np.ndarray, out: np.ndarray | None = None, *, shifted: np.ndarray | None = None,
            row_max: np.ndarray | None = None, row_sum: np.ndarray | None = None) -> np.ndarray:
    """Softmax over the last axis, ``e^(z_i − max z) / Σ_j e^(z_j − max z)``, stable for any finite ``z``.

    The one definition behind the ``softmax`` activation, the cross-entropy loss's
    logit form and the training step's fused softmax + cross-entropy.

    Parameters
    ----------
    z : ndarray of shape (..., k)
        Weighted sums (logits), a float array.
    out : ndarray like ``z``, optional
        Receives the result (a new array without it).
    shifted : ndarray like ``z``, optional
        Receives ``z − max z``, for the log-sum-exp: ``log Σ_j e^(z_j − max z)`` is
        ``log(row_sum)``, so cross-entropy's ``−log softmax(z)_y`` is
        ``log(row_sum) − shifted_y`` with no overflow and no log of 0.
    row_max, row_sum : ndarray of shape (..., 1), optional
        Receive ``max z`` and ``Σ_j e^(z_j − max z)``.

    Returns
    -------
    ndarray like ``z``
        ``out``, rows summing to 1.

    >>> softmax(np.array([[0.0, np.log(3.0)]]))      # e^0 : e^log 3 = 1 : 3
    array([[0.25, 0.75]])
    """
    if out is None:
        out = np.empty_like(z)
    m = _max_reduce(z, -1, None, row_max, True)          # np.max(z, axis=-1, keepdims=True)
    if shifted is None and not np.isfinite(m).all():
        # the limit for ±inf logits; a loss asking for ``shifted`` gets NaN there (divergence)
        return _softmax_infinite(z, m, out)
    if shifted is None:
        with np.errstate(over="ignore"):                   # z − m → −inf: e^−inf = 0, exact
            np.subtract(z, m, out=out)
        np.exp(out, out=out)
    else:
        with np.errstate(over="ignore"):
            np.subtract(z, m, out=shifted)
        np.exp(shifted, out=out)
    s = _add_reduce(out, -1, None, row_sum, True)         # np.sum(out, axis=-1, keepdims=True)
    np.divide(out, s, out=out)
    return out


#: Beyond ±_SATURATED every smooth activation below has reached its limit to the last bit
#: in float32 and float64 (erf, tanh and σ are exactly ±1 or 0 there); their formulas run on
#: z clipped to that interval, so huge inputs (up to ±inf) never overflow inside them.
_SATURATED = 1e4
#: softsign approaches ±1 only like 1/|z|: its clip is wider, and still squares in float32.
_SOFTSIGN_CLIP = 1e18


def _clip(z: np.ndarray, bound: float = _SATURATED) -> np.ndarray:
    """``z`` limited to ``[-bound, bound]`` (the same values, bit for bit, inside it)."""
    return np.clip(z, -bound, bound)


def _identity_above(z: np.ndarray, zc: np.ndarray, value: np.ndarray) -> np.ndarray:
    """``value``, except ``z`` itself where ``z`` was clipped from above (f(z) = z there)."""
    return np.where(z > zc, z, value) if (z > _SATURATED).any() else value


def _softmax_infinite(z: np.ndarray, m: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Softmax of rows whose largest logit is ±inf (its limit): the +inf logits share the
    probability equally; a row of only −inf logits is uniform."""
    top = np.where(m == np.inf, z == np.inf, np.where(m == -np.inf, True, z == m))
    top = top.astype(z.dtype)
    top /= top.sum(axis=-1, keepdims=True)
    finite_rows = np.isfinite(m[..., 0])
    if finite_rows.any():
        top[finite_rows] = softmax(z[finite_rows])
    np.copyto(out, top)
    return out


def _erf(z: np.ndarray) -> np.ndarray:
    """Exact (libm) error function, elementwise; NumPy has none of its own."""
    return np.asarray(_erf_object(z), dtype=z.dtype).reshape(z.shape)


# ---------------------------------------------------------------------------------------
# The entries.  Each derivative sits right under its function.
# ---------------------------------------------------------------------------------------

class GELU(Activation):
    """Gaussian error linear unit, exact form ``z·Φ(z) = z·(1 + erf(z/√2))/2``;
    derivative ``Φ(z) + z·φ(z)`` with φ the standard normal density."""

    name = "gelu"
    output_range = (-0.17000854, _INF)
    init = "he_uniform"
    formula = "z·Φ(z)"
    derivative_formula = "Φ(z) + z·φ(z)"

    def f(self, z):
        zc = _clip(z)
        return _identity_above(z, zc, 0.5 * zc * (1.0 + _erf(zc * _INV_SQRT_2)))

    def df(self, z):  # takes z
        z = _clip(z)
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
        zc = _clip(z)
        t = np.tanh(_SQRT_2_OVER_PI * (zc + 0.044715 * zc * zc * zc))
        return _identity_above(z, zc, 0.5 * zc * (1.0 + t))

    def df(self, z):  # takes z
        z = _clip(z)
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
        zc = _clip(z)
        return _identity_above(z, zc, zc * sigmoid(zc))

    def df(self, z):  # takes z
        z = _clip(z)
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
        zc = _clip(z)
        return _identity_above(z, zc, zc * np.tanh(softplus(zc)))

    def df(self, z):  # takes z
        z = _clip(z)
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
        z = _clip(z, _SOFTSIGN_CLIP)
        return z / (1.0 + np.abs(z))

    def df(self, z):  # takes z
        d = 1.0 + np.abs(_clip(z, _SOFTSIGN_CLIP))
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
        return softmax(z)

    def df(self, z):  # takes z; Jacobian diagonal only
        s = self.f(z)
        return s * (1.0 - s)

    def jacobian(self, z: Any) -> np.ndarray:
        """Full Jacobian ``∂s_i/∂z_j``, shape ``z.shape + (k,)``."""
        s = self.f(_as_float(z))
        return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])

    def f_into(self, z, out, zeros=None):
        return softmax(z, out)

    def backward(self, z, a, grad, out=None):  # uses a
        inner = np.sum(grad * a, axis=-1, keepdims=True)
        out = np.subtract(grad, inner, out=out)
        out *= a
        return out

    def _firing_threshold(self, n_units: int) -> float:
        return 1.0 / n_units
