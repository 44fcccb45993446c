"""The classic built-in activations: step, identity, sigmoid, tanh and the ReLU family
(ReLU, leaky ReLU, ELU, SELU), each derivative written beside its function.
Look them up by name with ``neuronlab.activations.get``.
"""
from __future__ import annotations

import numpy as np

from .base import _INF, Activation, sigmoid
from .._util.validate import check_finite, check_positive

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _elu_core(z: np.ndarray, alpha: float) -> np.ndarray:
    """``z if z > 0 else alpha·(e^z - 1)``; ``expm1`` only sees ``min(z, 0)`` (ELU and SELU)."""
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def _elu_core_df(z: np.ndarray, alpha: float) -> np.ndarray:
    """``1 if z > 0 else alpha·e^z`` (not yet cast to ``z``'s dtype; ELU and SELU)."""
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


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
        super().__init__(threshold=check_finite("step threshold", threshold))
        self.threshold = float(threshold)

    def f(self, z):
        return (z >= self.threshold).astype(z.dtype)

    def df(self, z):  # takes z
        return np.zeros_like(z)

    def _firing_threshold(self, n_units: int) -> float:
        return 0.5       # the value is 0 or 1: it fires at 1 (θ applies to the weighted sum)


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
        return _elu_core(z, self.alpha)

    def df(self, z):  # takes z
        return _elu_core_df(z, self.alpha).astype(z.dtype)


class SELU(Activation):
    """Self-normalising ELU: ``scale·(z if z > 0 else alpha·(e^z - 1))`` with the fixed
    constants of Klambauer et al. (2017); derivative ``scale·(1 if z > 0 else alpha·e^z)``."""

    name = "selu"
    output_range = (-_SELU_SCALE * _SELU_ALPHA, _INF)
    init = "lecun_normal"
    formula = "λ·(z if z > 0 else α·(e^z − 1))"
    derivative_formula = "λ·(1 if z > 0 else α·e^z)"

    def f(self, z):
        with np.errstate(over="ignore"):  # λ·z beyond the dtype's range is inf, as it should be
            return _SELU_SCALE * _elu_core(z, _SELU_ALPHA)

    def df(self, z):  # takes z
        return (_SELU_SCALE * _elu_core_df(z, _SELU_ALPHA)).astype(z.dtype)
