"""The update kernels: Adam/AdamW as in-place NumPy passes (the reference) and as one
fused loop that ``numba`` compiles (plus an experimental one-pass SGD loop), with the
lazy, optional numba loader behind them.

``numba`` (the ``fast`` extra) is imported inside :func:`neuronlab._util.extras.compiled`,
the first time a kernel is asked for, and never when ``NEURONLAB_NO_NUMBA=1``;
``import neuronlab`` does not import it.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .._util.extras import compiled
from .._util.validate import check_flag

#: With ``use_numba=None``, buffers at least this long use the fused numba kernel.
NUMBA_MIN_SIZE = 65_536


def _l2_grad(p: np.ndarray, g: np.ndarray, l2: float, out: np.ndarray) -> np.ndarray:
    """``g + l2·p`` (the L2 penalty through the gradient) written into ``out``, returned."""
    np.multiply(p, l2, out=out)
    out += g
    return out


def _adam_numpy(p, g, m, v, tmp, gbuf, decay, l2, c1, b2, c2, eps_hat, alpha) -> None:
    """Reference Adam/AdamW update, 12 in-place passes (14 with L2 decay, 13 with AdamW).

    ``p *= decay`` (AdamW), ``g = g + l2·p`` (Adam's L2 decay), then
    ``m += c1·(g - m)``, ``v = b2·v + c2·g²``, ``p -= alpha·m/(√v + eps_hat)``.
    """
    if decay != 1.0:
        p *= decay
    if l2:
        g = _l2_grad(p, g, l2, gbuf)
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
    (``d = g·lr`` then ``p - d``), bit-identical to it (tested).  Used by :class:`SGD`
    without momentum on large buffers, as the fused Adam kernel is by :class:`Adam`."""
    for i in range(p.shape[0]):
        p[i] = p[i] - g[i] * lr


def check_use_numba(owner: str, use_numba: Any) -> bool | None:
    """Validate an optimizer's ``use_numba`` option: ``True``, ``False`` or ``None``."""
    return check_flag(f"{owner} use_numba", use_numba, allow_none=True)


def kernel_for(use_numba: bool | None, size: int, get_kernel: Callable[[], Any]) -> Any:
    """The compiled kernel a step on ``size`` entries should run, or ``None`` for NumPy:
    ``use_numba=None`` means installed, not disabled, and ``size >= NUMBA_MIN_SIZE``."""
    if use_numba is False or (use_numba is None and size < NUMBA_MIN_SIZE):
        return None
    return get_kernel()


def _sgd_kernel() -> Any:
    """The compiled one-pass SGD loop, or ``None`` if numba is missing or disabled."""
    return compiled("sgd", _sgd_loop)


def _numba_kernel() -> Any:
    """The compiled fused Adam kernel, or ``None`` if numba is missing or disabled."""
    return compiled("adam", _adam_loop)


def numba_available() -> bool:
    """Whether the fused numba kernel can be used (installed and not disabled by
    ``NEURONLAB_NO_NUMBA``).  Imports numba on the first call."""
    return _numba_kernel() is not None

