"""Weight penalties: L1 and L2 terms added to the cost, and their gradients.

The penalty of weights ``w`` (biases are never penalised) is ``l1·Σ|w| + l2/2·Σw²`` and its
gradient ``l2·w + l1·sign(w)``, elementwise: the same numbers for one layer's weights
as for the whole network's.

>>> import numpy as np
>>> value, gradient = weight_penalty(np.array([0.5, -2.0]), l1=0.1, l2=1.0)
>>> round(value, 10)              # 0.1×(0.5 + 2) + 1/2×(0.25 + 4)
2.375
>>> gradient                      # 1×w + 0.1×sign(w)
array([ 0.6, -2.1])
"""
from __future__ import annotations

import numpy as np

__all__ = ["weight_penalty"]


def weight_penalty(w: np.ndarray, l1: float = 0.0, l2: float = 0.0) -> tuple[float, np.ndarray]:
    """The penalty ``l1·Σ|w| + l2/2·Σw²`` of the weights ``w`` and its gradient.

    Parameters
    ----------
    w : ndarray, any shape
        Weights (not biases).
    l1, l2 : float
        Non-negative penalty strengths.

    Returns
    -------
    value : float
    gradient : ndarray shaped like ``w``, its dtype
        ``l2·w + l1·sign(w)``.
    """
    g = np.zeros_like(w)
    value = 0.0
    if l2:
        g += l2 * w
        value += 0.5 * l2 * float(np.dot(w.ravel(), w.ravel()))
    if l1:
        g += l1 * np.sign(w)
        value += l1 * float(np.abs(w).sum())
    return value, g
