"""The optimizers: SGD, RMSprop, Adam and AdamW, each exactly as its ``torch.optim`` namesake,
sorted in order of increasing complexity.  :mod:`neuronlab.optimizers` has the update formulas
side by side.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .base import Optimizer
from .kernels import _adam_numpy, _numba_kernel, _sgd_kernel, check_use_numba, kernel_for
from ..errors import HyperparameterError
from .._util.validate import check_flag, check_fraction, check_nonnegative, check_positive


# =======================================================================================
# SGD
# =======================================================================================

class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.

    Exactly ``torch.optim.SGD`` with ``dampening=0``::

        g = grad + weight_decay·p
        b = g                     (first step)       b = momentum·b + g   (later steps)
        d = g + momentum·b        (nesterov)         d = b                (otherwise)
        p -= learning_rate·d

    Parameters
    ----------
    learning_rate : float, > 0
    momentum : float in [0, 1)
    nesterov : bool
        Nesterov momentum; needs ``momentum > 0``.
    weight_decay : float, >= 0
        L2 penalty coefficient added to the gradient.
    use_numba : bool or None
        Without momentum, ``p -= learning_rate·g`` in one fused pass compiled by numba (the
        ``fast`` extra; bit-identical to the NumPy path): ``None`` = automatic (installed and
        buffer size at least :data:`NUMBA_MIN_SIZE`), ``True`` = whenever installed,
        ``False`` = never.  ``NEURONLAB_NO_NUMBA=1`` overrides it.
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, use_numba: bool | None = None) -> None:
        super().__init__(learning_rate)
        self.momentum = check_fraction("sgd momentum", momentum)
        self.nesterov = check_flag("sgd nesterov", nesterov)
        if self.nesterov and self.momentum <= 0:
            raise HyperparameterError(
                "sgd nesterov=True requires momentum > 0 (e.g. momentum=0.9), got momentum="
                f"{momentum!r}"
            )
        self.weight_decay = check_nonnegative("sgd weight_decay", weight_decay)
        self.use_numba = check_use_numba("sgd", use_numba)
        self._scratch_names = ("d", "g") if self.weight_decay else ("d",)

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "learning_rate": self.learning_rate, "momentum": self.momentum,
                "nesterov": self.nesterov, "weight_decay": self.weight_decay, "use_numba": self.use_numba}

    def _state_names(self) -> tuple[str, ...]:
        return ("momentum_buffer",) if self.momentum else ()

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        g = self._decayed_grad(params, grads, self.weight_decay)
        if self.momentum:
            buf = self._state["momentum_buffer"]
            if self._step == 1:
                np.copyto(buf, g)
            else:
                buf *= self.momentum
                buf += g
            d = self._scratch["d"]
            if self.nesterov:
                np.multiply(buf, self.momentum, out=d)
                d += g
                d *= self.learning_rate
            else:
                np.multiply(buf, self.learning_rate, out=d)
        else:
            # p -= lr·g: one pass with the numba kernel (2× faster in a training loop on
            # 235k parameters, where p and g no longer sit in this core's cache), else two
            kernel = kernel_for(self.use_numba, params.size, _sgd_kernel)
            if kernel is not None:
                kernel(params, g, params.dtype.type(self.learning_rate))
                return
            d = self._scratch["d"]
            np.multiply(g, self.learning_rate, out=d)
        params -= d


# =======================================================================================
# RMSprop
# =======================================================================================

class RMSprop(Optimizer):
    """RMSprop (Hinton, 2012), exactly as ``torch.optim.RMSprop``.

    ::

        g = grad + weight_decay·p
        s = α·s + (1-α)·g²
        centered:  ḡ = α·ḡ + (1-α)·g ;  denom = √(s - ḡ²) + eps     else  denom = √s + eps
        momentum:  b = μ·b + g/denom ;  p -= lr·b                  else  p -= lr·g/denom

    Parameters
    ----------
    learning_rate : float, > 0
    alpha : float in [0, 1)
        Decay rate of the squared-gradient average.
    eps : float, > 0
    momentum : float in [0, 1)
    centered : bool
        Normalise by the estimated variance instead of the raw second moment.  ``s - ḡ²``
        is non-negative in exact arithmetic; it is clipped at 0 against rounding.
    weight_decay : float, >= 0
        L2 coefficient added to the gradient.
    """

    name = "rmsprop"

    def __init__(self, learning_rate: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate)
        self.alpha = check_fraction("rmsprop alpha", alpha)
        self.eps = check_positive("rmsprop eps", eps)
        self.momentum = check_fraction("rmsprop momentum", momentum)
        self.centered = check_flag("rmsprop centered", centered)
        self.weight_decay = check_nonnegative("rmsprop weight_decay", weight_decay)
        self._scratch_names = ("tmp", "g") if self.weight_decay else ("tmp",)

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "learning_rate": self.learning_rate, "alpha": self.alpha,
                "eps": self.eps, "momentum": self.momentum, "centered": self.centered,
                "weight_decay": self.weight_decay}

    def _state_names(self) -> tuple[str, ...]:
        names = ["square_avg"]
        if self.centered:
            names.append("grad_avg")
        if self.momentum:
            names.append("momentum_buffer")
        return tuple(names)

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        g = self._decayed_grad(params, grads, self.weight_decay)
        s, tmp = self._state["square_avg"], self._scratch["tmp"]
        c = 1.0 - self.alpha
        np.multiply(g, g, out=tmp)
        tmp *= c
        s *= self.alpha
        s += tmp
        if self.centered:
            ga = self._state["grad_avg"]
            np.subtract(g, ga, out=tmp)
            tmp *= c
            ga += tmp
            np.multiply(ga, ga, out=tmp)
            np.subtract(s, tmp, out=tmp)
            np.maximum(tmp, 0.0, out=tmp)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        if self.momentum:
            buf = self._state["momentum_buffer"]
            buf *= self.momentum
            buf += tmp
            np.multiply(buf, self.learning_rate, out=tmp)
        else:
            tmp *= self.learning_rate
        params -= tmp


# =======================================================================================
# Adam / AdamW
# =======================================================================================

class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), exactly as ``torch.optim.Adam`` (``amsgrad=False``).

    ::

        g = grad + weight_decay·p                  (L2 penalty through the gradient)
        m = β1·m + (1-β1)·g ;  v = β2·v + (1-β2)·g²
        p -= lr/(1-β1ᵗ) · m / (√v / √(1-β2ᵗ) + eps)

    Parameters
    ----------
    learning_rate : float, > 0
    beta1, beta2 : float in [0, 1)
        Decay rates of the first and second moment averages.
    eps : float, > 0
        Added to the denominator.
    weight_decay : float, >= 0
        L2 coefficient added to the gradient (for decoupled decay use :class:`AdamW`).
    use_numba : bool or None
        Fused numba kernel: ``None`` = automatic (installed and buffer size at least
        :data:`NUMBA_MIN_SIZE`), ``True`` = whenever installed, ``False`` = never.
        ``NEURONLAB_NO_NUMBA=1`` overrides it.
    """

    name = "adam"
    _decoupled = False
    _scratch_names: tuple[str, ...] = ("tmp",)

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0, use_numba: bool | None = None) -> None:
        super().__init__(learning_rate)
        self.beta1 = check_fraction(f"{self.name} beta1", beta1)
        self.beta2 = check_fraction(f"{self.name} beta2", beta2)
        self.eps = check_positive(f"{self.name} eps", eps)
        self.weight_decay = check_nonnegative(f"{self.name} weight_decay", weight_decay)
        self.use_numba = check_use_numba(self.name, use_numba)
        if self.weight_decay and not self._decoupled:
            self._scratch_names = ("tmp", "g")

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "learning_rate": self.learning_rate, "beta1": self.beta1,
                "beta2": self.beta2, "eps": self.eps, "weight_decay": self.weight_decay,
                "use_numba": self.use_numba}

    def _state_names(self) -> tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq")

    def uses_numba(self, size: int) -> bool:
        """Whether a step on a buffer of ``size`` entries would run the numba kernel."""
        return kernel_for(self.use_numba, size, _numba_kernel) is not None

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:
        t = self._step
        lr = self.learning_rate
        bc1 = 1.0 - self.beta1 ** t
        bc2_sqrt = math.sqrt(1.0 - self.beta2 ** t)
        alpha = lr / bc1 * bc2_sqrt            # lr/bc1 / (1/√bc2)
        eps_hat = self.eps * bc2_sqrt          # (√v/√bc2 + eps) = (√v + eps·√bc2)/√bc2
        decay = 1.0 - lr * self.weight_decay if self._decoupled else 1.0
        l2 = 0.0 if self._decoupled else self.weight_decay
        m, v = self._state["exp_avg"], self._state["exp_avg_sq"]
        kernel = kernel_for(self.use_numba, params.size, _numba_kernel)
        if kernel is not None:
            s = params.dtype.type
            kernel(params, grads, m, v, s(decay), s(l2), s(1.0 - self.beta1), s(self.beta2),
                            s(1.0 - self.beta2), s(eps_hat), s(alpha), decay != 1.0, l2 != 0.0)
        else:
            _adam_numpy(params, grads, m, v, self._scratch["tmp"], self._scratch.get("g"),
                        decay, l2, 1.0 - self.beta1, self.beta2, 1.0 - self.beta2, eps_hat, alpha)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019), exactly as
    ``torch.optim.AdamW``: first ``p *= 1 - lr·weight_decay``, then the Adam step on the
    plain gradient.

    Parameters are those of :class:`Adam`; ``weight_decay`` defaults to 0.01.
    """

    name = "adamw"
    _decoupled = True

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.01, use_numba: bool | None = None) -> None:
        super().__init__(learning_rate, beta1, beta2, eps, weight_decay, use_numba)
