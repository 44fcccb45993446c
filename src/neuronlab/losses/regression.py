"""The regression losses: mean squared error and mean absolute error."""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Loss, _float_targets


# ---------------------------------------------------------------------------------------
# Regression losses.
# ---------------------------------------------------------------------------------------

def _widened(per_sample, a: np.ndarray, y: np.ndarray, l: np.ndarray) -> np.ndarray:
    """``l``, or ``per_sample`` again in float64 where float32 outputs give a loss beyond
    float32's range (the loss value is a float64 number either way).  Beyond float64's
    range the loss is inf."""
    if a.dtype == np.float64 or np.isfinite(l).all():
        return l
    return per_sample(a.astype(np.float64), np.asarray(y, dtype=np.float64))


class MSE(Loss):
    """Mean squared error ``l_i = mean_k (a_ik − y_ik)²``; ``∂l_i/∂a = 2(a − y)/k``.

    Equals ``torch.nn.MSELoss()`` (mean over all entries) without weights.
    """

    name = "mse"
    formula = "mean_k (a − y)²"
    gradient_formula = "2(a − y)/k"

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        """Targets as a float array of ``dtype``, shape (n_samples, n_outputs).

        A 1-D ``y`` is accepted for a single-output network and made a column.

        Raises
        ------
        ShapeError
            The shape does not match the outputs (expected vs got).
        DataError
            NaN/inf, non-numbers or no samples.
        """
        return _float_targets(self.name, y, n_outputs, dtype)

    def per_sample(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            d = a - y
            l = np.einsum("ij,ij->i", d, d) / a.shape[1]
        return _widened(self.per_sample, a, y, l)

    def _grad_per_sample(self, a, y, out):
        with np.errstate(over="ignore"):  # a gradient beyond the dtype's range is ±inf
            np.subtract(a, y, out=out)
            out *= 2.0 / a.shape[1]
        return out


class MAE(Loss):
    """Mean absolute error ``l_i = mean_k |a_ik − y_ik|``; ``∂l_i/∂a = sign(a − y)/k``
    (0 where ``a = y``, as PyTorch defines it).

    Equals ``torch.nn.L1Loss()`` without weights.
    """

    name = "mae"
    formula = "mean_k |a − y|"
    gradient_formula = "sign(a − y)/k"

    prepare_targets = MSE.prepare_targets

    def per_sample(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            l = np.abs(a - y).mean(axis=1)
        return _widened(self.per_sample, a, y, l)

    def _grad_per_sample(self, a, y, out):
        with np.errstate(over="ignore"):  # only the sign of a − y is used
            np.subtract(a, y, out=out)
        np.sign(out, out=out)
        out /= a.shape[1]
        return out
