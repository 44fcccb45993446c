"""The classification losses: binary cross-entropy (sigmoid outputs) and categorical
cross-entropy (softmax outputs), each with its stable logit form and fused gradient.

The logit forms reuse the activations' own stable functions: ``sigmoid``, ``softplus``
and ``softmax`` (whose ``z − max z`` and ``Σ e^(z − max z)`` give the log-sum-exp), so
the loss, the activation and the training step's fused softmax + cross-entropy compute
the same numbers.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .base import Loss, _as_output, _as_targets, _float_targets, _sample_factor, clip_eps
from ..activations import sigmoid, softplus
from ..activations.smooth import softmax
from ..errors import DataError, ShapeError
from .._util.validate import check_array


def _probe_rows(z: np.ndarray) -> list[int]:
    """The rows on which :meth:`Loss.value` checks that ``a`` is ``fused_activation(z)``:
    the first one and the one with the largest ``|z|`` (where activations differ most)."""
    far = int(np.argmax(np.abs(z).max(axis=1)))
    return [0] if far == 0 else [0, far]


def _matches_on_probe_rows(a: np.ndarray, z: np.ndarray, activation: Any) -> bool:
    """Whether ``a`` is ``activation(z)`` (to rounding) on the :func:`_probe_rows` of ``z``."""
    rows = _probe_rows(z)
    return bool(np.allclose(a[rows], activation(z[rows]), rtol=1e-3, atol=1e-6))


def _clip_probabilities(a: np.ndarray) -> np.ndarray:
    """``a`` clipped to ``[eps, 1 − eps]`` with ``eps = clip_eps(a.dtype)`` (a new array)."""
    eps = clip_eps(a.dtype)
    return np.clip(a, eps, 1.0 - eps)


def _is_labels(y: np.ndarray) -> bool:
    return y.ndim == 1 and y.dtype.kind in "iu"


def _first_bad(mask: np.ndarray) -> str:
    """``row i`` (1-D) or ``row i, column j`` (2-D) of the first True entry of ``mask``."""
    where = np.argwhere(mask)[0]
    if mask.ndim == 1:
        return f"row {int(where[0])}"
    return f"row {int(where[0])}, column {int(where[1])}"


# ---------------------------------------------------------------------------------------
# Classification losses.
# ---------------------------------------------------------------------------------------

class BinaryCrossentropy(Loss):
    """Binary cross-entropy, averaged over the ``k`` sigmoid outputs.

    ``l_i = mean_k −[y log a + (1 − y) log(1 − a)]`` with ``a`` clipped to
    ``[eps, 1 − eps]``; ``∂l_i/∂a = (a − y) / (a(1 − a)) / k``.  From the logits:
    ``l_i = mean_k [softplus(z) − y·z]``, computed as ``max(z,0) − y·z + log(1 + e^−|z|)``.
    Fused with sigmoid: ``dL/dz = (a − y)/(n·k)``.

    Targets are probabilities in [0, 1] (usually 0/1 labels); several outputs make a
    multi-label classifier.  Equals ``torch.nn.BCELoss()`` / ``BCEWithLogitsLoss()``.
    """

    name = "binary_crossentropy"
    fused_activation = "sigmoid"
    is_classification = True
    formula = "mean_k −[y·log a + (1 − y)·log(1 − a)]"
    gradient_formula = "(a − y) / (a(1 − a)) / k"

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        """Targets in [0, 1] as a float array of ``dtype``, shape (n_samples, n_outputs).

        A 1-D ``y`` (0/1 labels) is accepted for a single-output network and made a column.

        Raises
        ------
        DataError
            A target outside [0, 1] (the message names it and its row), NaN/inf, no samples.
        ShapeError
            The shape does not match the outputs (expected vs got).
        """
        y = _float_targets(self.name, y, n_outputs, dtype)
        bad = (y < 0) | (y > 1)
        if bad.any():
            value = y[tuple(np.argwhere(bad)[0])]
            raise DataError(
                f"binary_crossentropy targets must be in [0, 1], got {value} at {_first_bad(bad)}; "
                "use 0/1 labels or probabilities"
            )
        return y

    def per_sample(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        p = _clip_probabilities(a)
        l = y * np.log(p)
        l += (1.0 - y) * np.log1p(-p)
        return -l.mean(axis=1)

    def per_sample_from_logits(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        l = np.maximum(z, 0.0) - y * z
        l += softplus(-np.abs(z))
        return l.mean(axis=1)

    def _matches_logits(self, a, z):
        return _matches_on_probe_rows(a, z, sigmoid)

    def _grad_per_sample(self, a, y, out):
        p = _clip_probabilities(a)
        denom = p * (1.0 - p)
        np.subtract(a, y, out=out)
        out /= denom
        out /= a.shape[1]
        return out

    def fused_gradient(self, a: Any, y: Any, sample_weight: Any = None, out: np.ndarray | None = None) -> np.ndarray:
        a = _as_output(a)
        y = _as_targets(y, a)
        out = self._fused_out(a, out)
        out -= y
        out *= _sample_factor(sample_weight, a.shape[0], a.dtype)
        out /= a.shape[1]
        return out

    fused_gradient.__doc__ = Loss.fused_gradient.__doc__


class CrossEntropy(Loss):
    """Categorical cross-entropy over the ``k`` softmax outputs.

    With integer labels ``l_i = −log a_{i,y_i}``; with one-hot or probability rows
    ``l_i = −Σ_k y_ik log a_ik`` (``a`` clipped to ``[eps, 1 − eps]``).
    ``∂l_i/∂a = −y/a`` (for labels: ``−1/a_{i,y_i}`` at the label, 0 elsewhere).  From the
    logits (log-sum-exp): ``l_i = logsumexp(z_i) − z_{i,y_i}``.  Fused with softmax:
    ``dL/dz = (a − onehot(y))/n``.  Equals ``torch.nn.CrossEntropyLoss()`` on the logits.
    """

    name = "cross_entropy"
    fused_activation = "softmax"
    is_classification = True
    formula = "−Σ_k y_k·log a_k  (= −log a_label)"
    gradient_formula = "−y/a"

    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        """Class labels as int64 (n_samples,), or one-hot/probability rows as ``dtype``.

        Parameters
        ----------
        y : array-like
            1-D integer labels in ``[0, n_outputs)`` (floats holding integers and an
            (n, 1) column are accepted), or a 2-D array of shape (n_samples, n_outputs) of
            one-hot or probability rows (non-negative, each summing to 1).
        n_outputs : int
            Number of softmax outputs (classes).
        dtype : numpy dtype
            Float dtype of 2-D targets.

        Raises
        ------
        DataError
            A label out of range (the message names it and the valid range), a label that is
            not an integer, non-numeric labels, a probability row that does not sum to 1.
        ShapeError
            A 2-D target whose width is not ``n_outputs`` (expected vs got), or 3-D data.
        """
        arr = np.asarray(y) if not isinstance(y, np.ndarray) else y
        if arr.ndim == 2 and arr.shape[1] == 1 and n_outputs > 1:
            arr = arr[:, 0]  # a column of labels
        if arr.ndim == 2:
            return self._prepare_rows(arr, n_outputs, dtype)
        if arr.ndim != 1:
            raise ShapeError(
                f"cross_entropy targets must be 1-D class labels or 2-D one-hot rows of shape "
                f"(n_samples, {n_outputs}), got shape {arr.shape}"
            )
        if arr.dtype.kind not in "fiub":
            raise DataError(
                f"cross_entropy labels must be integer class indices 0..{n_outputs - 1}, got dtype "
                f"{arr.dtype}; encode string labels first (e.g. with sklearn's LabelEncoder)"
            )
        if arr.size == 0:
            raise DataError("y is empty; pass one label per sample")
        if arr.dtype.kind == "f":
            bad = ~np.isfinite(arr)
            if bad.any():
                raise DataError(f"cross_entropy labels contain {arr[bad][0]} at {_first_bad(bad)}")
            bad = arr != np.rint(arr)
            if bad.any():
                raise DataError(
                    f"cross_entropy labels must be integers, got {arr[bad][0]} at {_first_bad(bad)}; "
                    "pass class indices 0..k-1 or one-hot rows"
                )
        bad = (arr < 0) | (arr >= n_outputs)
        if bad.any():
            value = int(arr[bad][0])
            raise DataError(
                f"label {value} at {_first_bad(bad)} is out of range: the network has {n_outputs} "
                f"outputs, so labels must be in [0, {n_outputs - 1}]; encode classes as 0..k-1 "
                "or give the output layer more units"
            )
        return np.ascontiguousarray(arr, dtype=np.int64)

    def _prepare_rows(self, arr: Any, n_outputs: int, dtype: Any) -> np.ndarray:
        y = check_array(arr, "y", ndim=2, dtype=dtype)
        if y.shape[1] != n_outputs:
            raise ShapeError(
                f"cross_entropy one-hot targets: expected shape (n_samples, {n_outputs}) for a "
                f"network with {n_outputs} outputs, got {y.shape}"
            )
        bad = (y < 0) | (y > 1)
        if bad.any():
            raise DataError(
                f"cross_entropy one-hot/probability targets must be in [0, 1], got "
                f"{y[tuple(np.argwhere(bad)[0])]} at {_first_bad(bad)}"
            )
        sums = y.sum(axis=1, dtype=np.float64)
        bad = np.abs(sums - 1.0) > (1e-3 if y.dtype == np.float32 else 1e-6)
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"cross_entropy one-hot/probability rows must sum to 1, row {i} sums to {sums[i]:.6g}"
            )
        return y

    def _targets(self, y, a):
        y = np.asarray(y)
        if _is_labels(y):
            if y.shape != (a.shape[0],):
                raise ShapeError(f"labels must have shape (n_samples,): expected ({a.shape[0]},), got {y.shape}")
            return y
        return _as_targets(y, a)

    def per_sample(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        if _is_labels(y):
            return -np.log(_clip_probabilities(a[np.arange(a.shape[0]), y]))
        return -np.einsum("ij,ij->i", y, np.log(_clip_probabilities(a)))

    def per_sample_from_logits(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        shifted, row_sum = np.empty_like(z), np.empty((z.shape[0], 1), z.dtype)
        softmax(z, shifted=shifted, row_sum=row_sum)
        lse = np.log(row_sum[:, 0])  # log Σ e^(z − max); ≥ 0, finite
        if _is_labels(y):
            return lse - shifted[np.arange(z.shape[0]), y]
        # −Σ y·log_softmax(z) with log_softmax = shifted − lse
        if not np.isfinite(shifted).all():  # logits far below the top one: 0·(−inf) counts as 0
            shifted = np.where(y != 0, shifted, 0.0).astype(z.dtype)
        return lse * y.sum(axis=1) - np.einsum("ij,ij->i", y, shifted)

    def _matches_logits(self, a, z):
        return _matches_on_probe_rows(a, z, softmax)

    def _grad_per_sample(self, a, y, out):
        eps = clip_eps(a.dtype)
        if _is_labels(y):
            rows = np.arange(a.shape[0])
            at_label = -1.0 / np.clip(a[rows, y], eps, 1.0)  # read before ``out`` (maybe ``a``) is cleared
            out[...] = 0.0
            out[rows, y] = at_label
            return out
        np.divide(y, np.clip(a, eps, 1.0), out=out)
        np.negative(out, out=out)
        return out

    def fused_gradient(self, a: Any, y: Any, sample_weight: Any = None, out: np.ndarray | None = None) -> np.ndarray:
        a = _as_output(a)
        y = self._targets(y, a)
        out = self._fused_out(a, out)
        if _is_labels(y):
            out[np.arange(a.shape[0]), y] -= 1.0
        else:
            out -= y
        out *= _sample_factor(sample_weight, a.shape[0], a.dtype)
        return out

    fused_gradient.__doc__ = Loss.fused_gradient.__doc__
