"""Optimizers that update one flat parameter buffer in place, and learning-rate schedules.

Floor 1 (math): NumPy only (``numba`` is an optional accelerator, imported lazily).

A network keeps all of its weights and biases in **one** contiguous 1-D array and all
of its gradients in another of the same size (the layers hold views into them).  An
optimizer therefore sees exactly two arrays::

    opt = nl.optimizers.get("adam", learning_rate=1e-3)
    opt.step(net.parameters, net.gradients)      # updates net.parameters in place

Every optimizer follows ``torch.optim`` to the letter (same update formulas, same
defaults, same order of operations where it matters), so a NumPy run and a PyTorch run
started from the same weights and fed the same gradients agree to rounding:

========== ====================================================================
``sgd``     ``g = grad + wd·p``; momentum buffer ``b = g`` on the first step, then
            ``b = μ·b + g``; ``d = g + μ·b`` (Nesterov) or ``d = b``; ``p -= lr·d``
``adam``    ``g = grad + wd·p`` (L2 penalty, like ``torch.optim.Adam``);
            ``m = β1·m + (1-β1)·g``; ``v = β2·v + (1-β2)·g²``;
            ``p -= lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + eps)``
``adamw``   as ``adam`` with ``g = grad``, after the decoupled decay
            ``p *= 1 - lr·wd`` (like ``torch.optim.AdamW``)
``rmsprop`` ``s = α·s + (1-α)·g²``; centered: ``ḡ = α·ḡ + (1-α)·g``, ``s' = s - ḡ²``;
            ``d = g / (√s' + eps)``; momentum: ``b = μ·b + d``, ``p -= lr·b``;
            otherwise ``p -= lr·d``
========== ====================================================================

Speed
-----
The update is a handful of full passes over the buffers with in-place ufuncs
(``out=``).  State (moments, momentum buffers) and scratch buffers are allocated once,
on the first :meth:`Optimizer.step`, with the size and dtype of the parameters; a step
allocates nothing.  The ``grads`` buffer is only read, never written.  Adam's bias
corrections are folded into two scalars (``p -= α_t · m / (√v + ε̂)`` with
``α_t = lr·√(1-β2ᵗ)/(1-β1ᵗ)`` and ``ε̂ = eps·√(1-β2ᵗ)``, which is the same expression
rearranged).

Adam and AdamW can also run as one fused loop compiled with ``numba`` (the ``fast``
extra).  It is chosen by the ``use_numba`` argument:

* ``None`` (default): use it when numba is installed and the buffer has at least
  :data:`NUMBA_MIN_SIZE` entries (below that the NumPy passes are already
  microseconds and compiling is not worth it);
* ``True``: use it whenever numba is installed; ``False``: never.

The environment variable ``NEURONLAB_NO_NUMBA=1`` forces the NumPy path everywhere.
The NumPy path is the reference; the fused loop performs the same operations in the
same order and dtype (no ``fastmath``), and in practice gives bit-identical results.
The kernel is compiled with ``cache=True``: the first process pays the compile time
(about 0.5 s for float32, 0.15 s for float64, plus 0.2 s to import numba); later ones
load it from ``__pycache__`` (about 0.2 s on first use).  On a 235,146-parameter
float32 buffer one Adam step takes about 270 µs with NumPy and 50 µs fused.

Schedules
---------
:class:`StepDecay`, :class:`ExponentialDecay` and :class:`CosineDecay` are callables
``schedule(epoch, base_lr) -> lr`` (``epoch`` counted from 0) with the closed-form
values of ``torch.optim.lr_scheduler.StepLR``, ``ExponentialLR`` and
``CosineAnnealingLR``.  The training loop sets ``optimizer.learning_rate`` from them
at the start of every epoch.

>>> import numpy as np
>>> import neuronlab as nl
>>> p = np.array([1.0, -2.0]); opt = nl.optimizers.SGD(learning_rate=0.1)
>>> opt.step(p, np.array([1.0, 1.0])); p
array([ 0.9, -2.1])
>>> nl.optimizers.get_schedule("step", step_size=2, gamma=0.5)(4, 0.1)
0.025
"""
from __future__ import annotations

import math
import numbers
import os
from typing import Any, Callable

import numpy as np

from .errors import (
    ArgumentTypeError,
    HyperparameterError,
    ModelFileError,
    ShapeError,
    UnknownNameError,
    check_fraction,
    check_nonnegative,
    check_positive,
    check_positive_int,
    unknown_name,
)

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "get", "names",
    "Schedule", "StepDecay", "ExponentialDecay", "CosineDecay", "get_schedule", "schedule_names",
    "NUMBA_MIN_SIZE", "numba_available",
]

#: With ``use_numba=None``, buffers at least this long use the fused numba kernel.
NUMBA_MIN_SIZE = 65_536


# =======================================================================================
# The base class
# =======================================================================================

class Optimizer:
    """Base class: updates one flat 1-D parameter buffer in place from one gradient buffer.

    Subclasses declare their hyperparameters in :meth:`config`, the names of their
    state arrays in :meth:`_state_names`, the scratch buffers they need in
    ``_scratch_names``, and implement :meth:`_update`.

    Attributes
    ----------
    name : str
        Registry name (``"adam"``).
    learning_rate : float
        Step size; a schedule may change it between epochs.
    iterations : int
        Number of steps taken since construction or the last :meth:`reset`.
    """

    name: str = "optimizer"
    _scratch_names: tuple[str, ...] = ()
    #: (params, grads, state, scratch) of the last validated step: while step() gets the
    #: same buffers and the state dicts were not replaced (reset, load_state_dict), it
    #: skips its checks
    _checked: tuple[Any, ...] = (None, None, None, None)

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_positive(f"{self.name} learning_rate", learning_rate)
        self._step = 0
        self._state: dict[str, np.ndarray] = {}
        self._scratch: dict[str, np.ndarray] = {}

    # -- public interface -----------------------------------------------------------------
    @property
    def iterations(self) -> int:
        """Steps taken so far (the ``t`` of the bias corrections)."""
        return self._step

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads``.

        Parameters
        ----------
        params : ndarray, 1-D, float32 or float64, writeable
            The flat parameter buffer.
        grads : ndarray, same shape and dtype as ``params``
            The flat gradient buffer (read only; never modified).

        Raises
        ------
        ShapeError
            ``params``/``grads`` are not matching 1-D float arrays, or the state was
            made for a buffer of another size (call :meth:`reset` after resizing).
        """
        c = self._checked
        if params is c[0] and grads is c[1] and self._state is c[2] and self._scratch is c[3]:
            # the same two buffers as the last validated step: skip the checks (a training
            # loop calls this thousands of times per epoch with the network's buffers)
            self._step += 1
            self._update(params, grads)
            return
        if not (isinstance(params, np.ndarray) and isinstance(grads, np.ndarray)):
            raise ShapeError(
                f"{self.name}.step takes two NumPy arrays, got "
                f"{type(params).__name__} and {type(grads).__name__}"
            )
        if params.ndim != 1 or params.shape != grads.shape:
            raise ShapeError(
                f"{self.name}.step needs a flat 1-D parameter buffer and a gradient buffer of the "
                f"same size, got shapes {params.shape} and {grads.shape}"
            )
        if params.dtype != grads.dtype or params.dtype.kind != "f":
            raise ShapeError(
                f"{self.name}.step needs params and grads of the same float dtype, "
                f"got {params.dtype} and {grads.dtype}"
            )
        if not self._ready(params):
            self._allocate(params)
        self._checked = (params, grads, self._state, self._scratch)
        self._step += 1
        self._update(params, grads)

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``step`` (int), ``learning_rate`` (float) and copies of
        its state arrays (moments, momentum buffers) once the first step has made them.

        Only NumPy arrays and plain numbers, so it can be written with ``np.savez``
        without pickling.
        """
        state: dict[str, Any] = {"step": int(self._step), "learning_rate": float(self.learning_rate)}
        for key, arr in self._state.items():
            state[key] = arr.copy()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state made by :meth:`state_dict` (on an optimizer of the same kind
        and hyperparameters); the next :meth:`step` continues exactly where it left off.

        Raises
        ------
        ModelFileError
            The state is missing entries, has unexpected ones, or its arrays disagree.
        """
        if not isinstance(state, dict):
            raise ModelFileError(f"{self.name} state must be a dict, got {type(state).__name__}")
        if "step" not in state:
            raise ModelFileError(f"{self.name} state has no 'step' entry; was it made by state_dict()?")
        step = _plain_number(state["step"])
        if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
            raise ModelFileError(f"{self.name} state 'step' must be an integer >= 0, got {state['step']!r}")
        expected = set(self._state_names())
        arrays = {k: v for k, v in state.items() if k not in ("step", "learning_rate")}
        unknown = sorted(set(arrays) - expected)
        if unknown:
            raise ModelFileError(
                f"{self.name} state has unexpected entries {unknown}; expected "
                f"{sorted(expected) or 'no arrays'} (is it from another optimizer or other "
                "hyperparameters?)"
            )
        missing = sorted(expected - set(arrays))
        if arrays and missing:
            raise ModelFileError(f"{self.name} state lacks the arrays {missing}")
        if step > 0 and missing and expected:
            raise ModelFileError(f"{self.name} state is at step {step} but lacks the arrays {missing}")
        new: dict[str, np.ndarray] = {}
        size = None
        for key in sorted(arrays):
            arr = np.asarray(arrays[key])
            if arr.ndim != 1 or arr.dtype.kind != "f":
                raise ModelFileError(
                    f"{self.name} state array '{key}' must be a 1-D float array, "
                    f"got shape {arr.shape} and dtype {arr.dtype}"
                )
            if size is not None and arr.size != size:
                raise ModelFileError(f"{self.name} state arrays have different sizes")
            size = arr.size
            new[key] = np.array(arr, copy=True, order="C")
        if "learning_rate" in state:
            self.learning_rate = check_positive(
                f"{self.name} learning_rate", _plain_number(state["learning_rate"])
            )
        self._step = int(step)
        self._state = new
        self._scratch = {}

    def reset(self) -> None:
        """Forget the state (moments, momentum buffers, step count); keeps hyperparameters."""
        self._step = 0
        self._state = {}
        self._scratch = {}

    def config(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """``{"name": ..., **hyperparameters}``: :func:`get` rebuilds the optimizer from it."""
        raise NotImplementedError

    def __repr__(self) -> str:
        cfg = self.config()
        cfg.pop("name")
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in cfg.items())})"

    # -- for subclasses -------------------------------------------------------------------
    def _state_names(self) -> tuple[str, ...]:
        """Names of the state arrays this configuration keeps."""
        return ()

    def _ready(self, params: np.ndarray) -> bool:
        names = self._state_names()
        if len(self._state) != len(names) or len(self._scratch) != len(self._scratch_names):
            return False
        for arr in self._state.values():
            if arr.size != params.size or arr.dtype != params.dtype:
                return False
        for arr in self._scratch.values():
            if arr.size != params.size or arr.dtype != params.dtype:
                return False
        return True

    def _allocate(self, params: np.ndarray) -> None:
        """Create (or convert) state and scratch buffers sized and typed like ``params``."""
        n, dtype = params.size, params.dtype
        if self._state:
            sizes = {arr.size for arr in self._state.values()}
            if sizes != {n}:
                raise ShapeError(
                    f"{self.name} state was made for {sizes.pop()} parameters but the buffer has {n}; "
                    "call reset() after changing the network"
                )
            self._state = {k: np.ascontiguousarray(v, dtype=dtype) for k, v in self._state.items()}
        elif self._step > 0 and self._state_names():
            raise ShapeError(f"{self.name} state is at step {self._step} but has no arrays; call reset()")
        else:
            self._state = {k: np.zeros(n, dtype=dtype) for k in self._state_names()}
        self._scratch = {k: np.empty(n, dtype=dtype) for k in self._scratch_names}

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _decayed_grad(self, params: np.ndarray, grads: np.ndarray, weight_decay: float) -> np.ndarray:
        """``grads + weight_decay·params`` in the ``"g"`` scratch buffer (or ``grads`` itself)."""
        if not weight_decay:
            return grads
        g = self._scratch["g"]
        np.multiply(params, weight_decay, out=g)
        g += grads
        return g


def _plain_number(value: Any) -> Any:
    """A 0-d NumPy array or NumPy scalar (as ``np.load`` returns them) as a Python number."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.generic):
        value = value.item()
    return value


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
    """

    name = "sgd"

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate)
        self.momentum = check_fraction("sgd momentum", momentum)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise HyperparameterError(f"sgd nesterov must be True or False, got {nesterov!r}")
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum <= 0:
            raise HyperparameterError(
                "sgd nesterov=True requires momentum > 0 (e.g. momentum=0.9), got momentum="
                f"{momentum!r}"
            )
        self.weight_decay = check_nonnegative("sgd weight_decay", weight_decay)
        self._scratch_names = ("d", "g") if self.weight_decay else ("d",)

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "learning_rate": self.learning_rate, "momentum": self.momentum,
                "nesterov": self.nesterov, "weight_decay": self.weight_decay}

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
            # (a one-pass numba kernel, _sgd_loop, is 3× faster on 235k parameters — 21 vs
            # 64 µs — but importing numba costs ~0.5 s and ~100 MiB of resident memory per
            # process; for plain SGD that outweighs 2–8 % of an epoch, so NumPy does it)
            d = self._scratch["d"]
            np.multiply(g, self.learning_rate, out=d)
        params -= d


# =======================================================================================
# Adam / AdamW
# =======================================================================================

def _adam_numpy(p, g, m, v, tmp, gbuf, decay, l2, c1, b2, c2, eps_hat, alpha) -> None:
    """Reference Adam/AdamW update, 12 in-place passes (14 with L2 decay, 13 with AdamW).

    ``p *= decay`` (AdamW), ``g = g + l2·p`` (Adam's L2 decay), then
    ``m += c1·(g - m)``, ``v = b2·v + c2·g²``, ``p -= alpha·m/(√v + eps_hat)``.
    """
    if decay != 1.0:
        p *= decay
    if l2:
        np.multiply(p, l2, out=gbuf)
        gbuf += g
        g = gbuf
    np.subtract(g, m, out=tmp)
    tmp *= c1
    m += tmp
    np.multiply(g, g, out=tmp)
    tmp *= c2
    v *= b2
    v += tmp
    np.sqrt(v, out=tmp)
    tmp += eps_hat
    np.divide(m, tmp, out=tmp)
    tmp *= alpha
    p -= tmp


def _adam_loop(p, g, m, v, decay, l2, c1, b2, c2, eps_hat, alpha, use_decay, use_l2):  # pragma: no cover - compiled
    """The same operations as :func:`_adam_numpy`, element by element, in one pass.

    Compiled by numba (``njit(cache=True)``) on first use; never run as plain Python.
    Scalars arrive already cast to the buffers' dtype so float32 stays float32.
    """
    for i in range(p.shape[0]):
        pi = p[i]
        if use_decay:
            pi = pi * decay
        gi = g[i]
        if use_l2:
            gi = pi * l2 + gi
        mi = m[i]
        mi = mi + (gi - mi) * c1
        vi = v[i] * b2 + (gi * gi) * c2
        m[i] = mi
        v[i] = vi
        p[i] = pi - (mi / (np.sqrt(vi) + eps_hat)) * alpha


def _sgd_loop(p, g, lr):  # pragma: no cover - compiled
    """Plain SGD ``p -= lr·g`` in one pass: the same two roundings as the NumPy path
    (``d = g·lr`` then ``p - d``).  Not used by default (see SGD._update); kept, and
    tested bit-identical, for experiments: ``_compiled("sgd", _sgd_loop)``."""
    for i in range(p.shape[0]):
        p[i] = p[i] - g[i] * lr


_NUMBA_KERNELS: dict[str, Any] = {}   # name -> compiled kernel, or False once numba proved unavailable
_NUMBA_KERNEL: Any = None          # (kept for compatibility: the Adam kernel once compiled)


def _numba_disabled() -> bool:
    return os.environ.get("NEURONLAB_NO_NUMBA", "").strip().lower() not in ("", "0", "false", "no")


def _compiled(name: str, func: Callable) -> Any:
    """``func`` compiled by numba (cached per process and on disk), or ``None`` if numba
    is missing or disabled by ``NEURONLAB_NO_NUMBA``."""
    if _numba_disabled():
        return None
    kernel = _NUMBA_KERNELS.get(name)
    if kernel is None:
        try:
            import numba  # optional extra; imported only when asked for
        except ImportError:
            kernel = False
        else:
            # error_model="numpy": IEEE division (no ZeroDivisionError check), which lets
            # LLVM vectorise the loop; no fastmath, so results equal the NumPy path's.
            try:
                kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(func)
            except Exception:  # no writable cache location: compile per process instead
                kernel = numba.njit(nogil=True, error_model="numpy")(func)
        _NUMBA_KERNELS[name] = kernel
    return kernel or None


def _numba_kernel() -> Any:
    """The compiled fused Adam kernel, or ``None`` if numba is missing or disabled."""
    global _NUMBA_KERNEL
    kernel = _compiled("adam", _adam_loop)
    if kernel is not None:
        _NUMBA_KERNEL = kernel
    return kernel


def numba_available() -> bool:
    """Whether the fused numba kernel can be used (installed and not disabled by
    ``NEURONLAB_NO_NUMBA``).  Imports numba on the first call."""
    return _numba_kernel() is not None


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
    _scratch_names = ("tmp",)

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0, use_numba: bool | None = None) -> None:
        super().__init__(learning_rate)
        self.beta1 = check_fraction(f"{self.name} beta1", beta1)
        self.beta2 = check_fraction(f"{self.name} beta2", beta2)
        self.eps = check_positive(f"{self.name} eps", eps)
        self.weight_decay = check_nonnegative(f"{self.name} weight_decay", weight_decay)
        if use_numba is not None and not isinstance(use_numba, (bool, np.bool_)):
            raise HyperparameterError(f"{self.name} use_numba must be True, False or None, got {use_numba!r}")
        self.use_numba = None if use_numba is None else bool(use_numba)
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
        if self.use_numba is False or (self.use_numba is None and size < NUMBA_MIN_SIZE):
            return False
        return _numba_kernel() is not None

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
        if self.uses_numba(params.size):
            s = params.dtype.type
            _numba_kernel()(params, grads, m, v, s(decay), s(l2), s(1.0 - self.beta1), s(self.beta2),
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
        if not isinstance(centered, (bool, np.bool_)):
            raise HyperparameterError(f"rmsprop centered must be True or False, got {centered!r}")
        self.centered = bool(centered)
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
# Registry
# =======================================================================================

_REGISTRY: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Adam, AdamW, RMSprop)}


def names() -> list[str]:
    """Registered optimizer names, sorted."""
    return sorted(_REGISTRY)


def get(identifier: Any, **kwargs: Any) -> Optimizer:
    """Return an :class:`Optimizer` from a name, a config dict or an instance.

    Parameters
    ----------
    identifier : str, dict or Optimizer
        ``"adam"``, ``{"name": "sgd", "momentum": 0.9}`` (as :meth:`Optimizer.config`
        returns), or an :class:`Optimizer` (returned as is).
    **kwargs
        Hyperparameters for a name or config (``learning_rate=0.01``); they override
        the config's values.

    Raises
    ------
    UnknownNameError
        For an unknown name; the message lists the known names and a close match.
    HyperparameterError
        For a hyperparameter the optimizer does not take, an out-of-range value, or
        hyperparameters passed together with an instance.
    """
    if isinstance(identifier, Optimizer):
        if kwargs:
            raise HyperparameterError(
                f"hyperparameters {sorted(kwargs)} can only be given with an optimizer *name* or config; "
                f"set them when building the instance, e.g. {type(identifier).__name__}(learning_rate=...)"
            )
        return identifier
    if isinstance(identifier, dict):
        cfg = dict(identifier)
        if "name" not in cfg:
            raise UnknownNameError(f"optimizer config {identifier!r} has no 'name'; known names: {', '.join(names())}")
        cfg.update(kwargs)
        return get(cfg.pop("name"), **cfg)
    if not isinstance(identifier, str):
        raise ArgumentTypeError(
            f"optimizer must be a name (str), a config dict or an Optimizer, got "
            f"{type(identifier).__name__}; known names: {', '.join(names())}"
        )
    key = identifier.strip().lower().replace("-", "_")
    if key not in _REGISTRY:
        raise unknown_name("optimizer", identifier, _REGISTRY)
    cls = _REGISTRY[key]
    try:
        return cls(**kwargs)
    except TypeError:
        cfg = cls.__init__.__code__.co_varnames[1:cls.__init__.__code__.co_argcount]
        raise HyperparameterError(
            f"optimizer '{key}' does not take {sorted(set(kwargs) - set(cfg))}; "
            f"its hyperparameters are {', '.join(cfg)}"
        ) from None


# =======================================================================================
# Learning-rate schedules
# =======================================================================================

def _check_epoch(epoch: Any) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
        raise HyperparameterError(f"epoch must be an integer >= 0 (counted from 0), got {epoch!r}")
    return int(epoch)


class Schedule:
    """Base class: ``schedule(epoch, base_lr) -> lr`` with ``epoch`` counted from 0."""

    name: str = "schedule"

    def __call__(self, epoch: int, base_lr: float) -> float:
        return self.lr(_check_epoch(epoch), float(base_lr))

    def lr(self, epoch: int, base_lr: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def config(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """``{"name": ..., **parameters}``: :func:`get_schedule` rebuilds it."""
        raise NotImplementedError

    def __repr__(self) -> str:
        cfg = self.config()
        cfg.pop("name")
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in cfg.items())})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.config().items())))


class StepDecay(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:
    ``base_lr · gamma^(epoch // step_size)`` (``torch.optim.lr_scheduler.StepLR``).

    Parameters
    ----------
    step_size : int, >= 1
    gamma : float in (0, 1]
    """

    name = "step"

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_positive_int("step schedule step_size", step_size)
        self.gamma = check_fraction("step schedule gamma", gamma, low_inclusive=False, high_inclusive=True)

    def lr(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "step_size": self.step_size, "gamma": self.gamma}


class ExponentialDecay(Schedule):
    """``base_lr · gamma^epoch`` (``torch.optim.lr_scheduler.ExponentialLR``).

    Parameters
    ----------
    gamma : float in (0, 1]
    """

    name = "exponential"

    def __init__(self, gamma: float) -> None:
        self.gamma = check_fraction("exponential schedule gamma", gamma, low_inclusive=False, high_inclusive=True)

    def lr(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** epoch

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "gamma": self.gamma}


class CosineDecay(Schedule):
    """Cosine annealing from ``base_lr`` (epoch 0) to ``min_lr`` (epoch ``t_max``):
    ``min_lr + (base_lr - min_lr)·(1 + cos(π·epoch/t_max))/2``, the closed form of
    ``torch.optim.lr_scheduler.CosineAnnealingLR``.  Past ``t_max`` the cosine goes on
    (back up towards ``base_lr``), as in PyTorch.

    Parameters
    ----------
    t_max : int, >= 1
        Epochs of the half period.
    min_lr : float, >= 0
    """

    name = "cosine"

    def __init__(self, t_max: int, min_lr: float = 0.0) -> None:
        self.t_max = check_positive_int("cosine schedule t_max", t_max)
        self.min_lr = check_nonnegative("cosine schedule min_lr", min_lr)

    def lr(self, epoch: int, base_lr: float) -> float:
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * epoch / self.t_max)) / 2

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "t_max": self.t_max, "min_lr": self.min_lr}


_SCHEDULES: dict[str, type[Schedule]] = {c.name: c for c in (StepDecay, ExponentialDecay, CosineDecay)}
_SCHEDULE_ALIASES = {"step_decay": "step", "steplr": "step", "exp": "exponential",
                     "exponential_decay": "exponential", "cosine_decay": "cosine", "cos": "cosine"}


def schedule_names() -> list[str]:
    """Registered schedule names, sorted."""
    return sorted(_SCHEDULES)


def get_schedule(identifier: Any, **kwargs: Any) -> Callable[[int, float], float]:
    """Return a schedule from a name, a config dict, an instance or a plain callable.

    Parameters
    ----------
    identifier : str, dict, Schedule or callable
        ``"step"``, ``"exponential"``, ``"cosine"`` (with their parameters as keyword
        arguments), ``{"name": "cosine", "t_max": 50}``, a :class:`Schedule`, or any
        function ``f(epoch, base_lr) -> lr`` (returned as is).

    Raises
    ------
    UnknownNameError
        For an unknown name.
    HyperparameterError
        For a missing, unknown or out-of-range parameter.
    """
    if isinstance(identifier, Schedule) or (callable(identifier) and not isinstance(identifier, (str, dict, type))):
        if kwargs:
            raise HyperparameterError("schedule parameters can only be given with a schedule *name* or config")
        return identifier
    if isinstance(identifier, dict):
        cfg = dict(identifier)
        if "name" not in cfg:
            raise UnknownNameError(f"schedule config {identifier!r} has no 'name'; known names: {', '.join(schedule_names())}")
        cfg.update(kwargs)
        return get_schedule(cfg.pop("name"), **cfg)
    if not isinstance(identifier, str):
        raise ArgumentTypeError(
            f"schedule must be a name (str), a config dict, a Schedule or a function, got "
            f"{type(identifier).__name__}; known names: {', '.join(schedule_names())}"
        )
    key = identifier.strip().lower().replace("-", "_")
    key = _SCHEDULE_ALIASES.get(key, key)
    if key not in _SCHEDULES:
        raise unknown_name("schedule", identifier, _SCHEDULES)
    cls = _SCHEDULES[key]
    code = cls.__init__.__code__
    params = code.co_varnames[1:code.co_argcount]
    n_required = code.co_argcount - 1 - len(cls.__init__.__defaults__ or ())
    missing = [p for p in params[:n_required] if p not in kwargs]
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise HyperparameterError(f"schedule '{key}' does not take {unknown}; its parameters are {', '.join(params)}")
    if missing:
        example = ", ".join(f"{p}=..." for p in missing)
        raise HyperparameterError(
            f"schedule '{key}' needs {', '.join(missing)}: use get_schedule('{key}', {example}) "
            f"or a config such as {{'name': '{key}', {', '.join(repr(p) + ': ...' for p in missing)}}}"
        )
    return cls(**kwargs)
