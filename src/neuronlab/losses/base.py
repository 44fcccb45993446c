"""The loss base class and the helpers every loss shares: array and target conversion,
the sample-weight reduction and target checks for the value-per-output losses.

:mod:`neuronlab.losses` documents the reduction and the numerics.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ArgumentTypeError, DataError, ShapeError
from .._util.validate import check_array


def clip_eps(dtype: Any) -> float:
    """The clipping margin for probabilities: ``1e-7`` for float32, ``1e-15`` for float64."""
    return 1e-7 if np.dtype(dtype) == np.float32 else 1e-15


def _as_output(a: Any) -> np.ndarray:
    """Activation values as a 2-D float array (float32/float64 kept as is)."""
    a = np.asarray(a)
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    if a.ndim != 2:
        raise ShapeError(f"activation values must be 2-D (n_samples, n_outputs), got shape {a.shape}")
    return a


def _check_probabilities(a: np.ndarray, name: str) -> None:
    """Refuse finite activation values outside [0, 1] for a loss of probabilities (NaN is
    left to the divergence checks, which report it as such)."""
    outside = (a < 0.0) | (a > 1.0)
    if outside.any():
        r, c = np.unravel_index(int(np.argmax(outside)), a.shape)
        raise DataError(f"{name} takes probabilities in [0, 1] (a sigmoid or softmax output), but the activation "
                        f"values hold {float(a[r, c]):.4g} at row {r}, column {c}; pass the output layer's "
                        f"activation values, or use mse/mae for outputs that are not probabilities")


def _as_targets(y: Any, a: np.ndarray) -> np.ndarray:
    """Float targets of the same shape and dtype as ``a`` (a 1-D column is accepted for k = 1)."""
    y = np.asarray(y)
    if y.dtype != a.dtype:
        y = y.astype(a.dtype)
    if y.ndim == 1 and a.shape[1] == 1:
        y = y.reshape(-1, 1)
    if y.shape != a.shape:
        raise ShapeError(f"targets must have the shape of the outputs: expected {a.shape}, got {y.shape}")
    return y


def _weight_total(w: np.ndarray, n: int) -> float:
    """``Σ w`` accumulated in float64, after checking that ``w`` has shape (n,) and that the
    sum is positive (the checks of both :func:`_sample_factor` and :func:`_reduce`)."""
    if w.shape != (n,):
        raise ShapeError(f"sample_weight must have shape (n_samples,): expected ({n},), got {w.shape}")
    total = float(np.sum(w, dtype=np.float64))
    if not total > 0:
        raise DataError(f"sample_weight must have a positive sum, got {total}")
    return total


def _sample_factor(sample_weight: Any, n: int, dtype: np.dtype) -> np.ndarray | float:
    """The reduction factor of each sample: ``1/n``, or ``w_i / Σ w`` as an (n, 1) column."""
    if sample_weight is None:
        return 1.0 / n
    w = np.asarray(sample_weight)
    total = _weight_total(w, n)
    return (w.astype(np.float64) / total).astype(dtype).reshape(n, 1)


def _reduce(per_sample: np.ndarray, sample_weight: Any) -> float:
    """Mean of the per-sample losses (weighted mean with ``sample_weight``), accumulated in float64."""
    n = per_sample.shape[0]
    if sample_weight is None:
        return float(np.mean(per_sample, dtype=np.float64))
    w = np.asarray(sample_weight, dtype=np.float64)
    total = _weight_total(w, n)
    return float(np.dot(w, per_sample.astype(np.float64, copy=False)) / total)



def _float_targets(loss_name: str, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:
    """Shared target preparation for the value-per-output losses (mse, mae, bce)."""
    y = check_array(y, "y", ndim=(1, 2), dtype=dtype)
    if y.ndim == 1:
        if n_outputs != 1:
            hint = (" (class labels? use a softmax output with loss='cross_entropy')"
                    if loss_name == "binary_crossentropy" else "")
            raise ShapeError(
                f"{loss_name} targets: expected shape (n_samples, {n_outputs}) for a network with "
                f"{n_outputs} outputs, got a 1-D array of shape {y.shape}{hint}"
            )
        return y.reshape(-1, 1)
    if y.shape[1] != n_outputs:
        raise ShapeError(
            f"{loss_name} targets: expected shape (n_samples, {n_outputs}) for a network with "
            f"{n_outputs} outputs, got {y.shape}"
        )
    return y


class Loss:
    """One loss function: value, gradient and (for the fused pairs) dL/dz together.

    Subclasses implement :meth:`per_sample` (``l_i`` from ``a``), :meth:`_grad_per_sample`
    (``∂l_i/∂a``) and, where they have one, the logit forms.

    Attributes
    ----------
    name : str
        Registry name.
    fused_activation : str or None
        ``"softmax"`` for cross_entropy, ``"sigmoid"`` for binary_crossentropy, else None:
        the output activation whose composition with this loss has the simple
        derivative ``dL/dz = (a − y)·factor`` (see :meth:`fused_gradient`).
    is_classification : bool
        Whether the targets are classes (accuracy is the metric) or values (MAE is).
    formula, gradient_formula : str
        Human-readable per-sample loss and its derivative ``∂l_i/∂a``.
    """

    name: str = "loss"
    fused_activation: str | None = None
    is_classification: bool = False
    formula: str = ""
    gradient_formula: str = ""

    def __repr__(self) -> str:
        return f"losses.get({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def config(self) -> str:
        """What a model file stores: the loss name."""
        return self.name

    # -- targets -------------------------------------------------------------------------
    def prepare_targets(self, y: Any, n_outputs: int, dtype: Any) -> np.ndarray:  # pragma: no cover - abstract
        """Check and convert ``y`` once, before training; see each subclass."""
        raise NotImplementedError

    # -- value -----------------------------------------------------------------------------
    def per_sample(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Per-sample losses ``l_i``, shape (n_samples,), from the activation values."""
        raise NotImplementedError

    def per_sample_from_logits(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:  # pragma: no cover
        """Per-sample losses from the logits ``z`` (fused losses only)."""
        raise NotImplementedError

    def value(self, a: Any, y: Any, sample_weight: Any = None, z: Any = None) -> float:
        """The loss ``L`` (mean, or weighted mean, of the per-sample losses).

        Parameters
        ----------
        a : ndarray of shape (n_samples, n_outputs)
            Output activation values.
        y : ndarray
            Prepared targets (see :meth:`prepare_targets`): shape (n_samples, n_outputs),
            or (n_samples,) integer labels for cross_entropy.
        sample_weight : ndarray of shape (n_samples,), optional
            Non-negative weights with a positive sum: ``L = Σ w_i l_i / Σ w_i``.
        z : ndarray of shape (n_samples, n_outputs), optional
            The output layer's weighted sums (logits).  Used only by the fused losses, and
            only when ``a`` really is ``fused_activation(z)`` — checked cheaply on two
            samples (the first and the one with the largest ``|z|``), so passing the logits
            of another output activation is harmless: the value is then computed from
            ``a``.  Callers that know the output activation should still pass ``z`` only
            when it is ``fused_activation``.  With them the value is exact and finite for
            any finite ``z``.

        Returns
        -------
        float
        """
        a = self._output(a)
        if z is not None and self.fused_activation is not None:
            z = np.asarray(z)
            if z.shape == a.shape and z.dtype.kind == "f" and a.shape[0] and self._matches_logits(a, z):
                return _reduce(self.per_sample_from_logits(z, self._targets(y, a)), sample_weight)
        return _reduce(self.per_sample(a, self._targets(y, a)), sample_weight)

    def _matches_logits(self, a: np.ndarray, z: np.ndarray) -> bool:
        return False

    def _output(self, a: Any) -> np.ndarray:
        """``a`` as checked activation values: 2-D floats, and probabilities when
        ``fused_activation`` says the loss reads its outputs as such."""
        a = _as_output(a)
        if self.fused_activation is not None:
            _check_probabilities(a, self.name)
        return a

    def _targets(self, y: Any, a: np.ndarray) -> np.ndarray:
        return _as_targets(y, a)

    # -- gradients ---------------------------------------------------------------------------
    def _grad_per_sample(self, a: np.ndarray, y: np.ndarray, out: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def gradient(self, a: Any, y: Any, sample_weight: Any = None, out: np.ndarray | None = None) -> np.ndarray:
        """dL/da, the derivative of :meth:`value` with respect to the activation values.

        Parameters
        ----------
        a : ndarray of shape (n_samples, n_outputs)
        y : ndarray
            Prepared targets.
        sample_weight : ndarray of shape (n_samples,), optional
        out : ndarray of shape (n_samples, n_outputs), optional
            Where to write the result (may not be ``y``).

        Returns
        -------
        ndarray of shape (n_samples, n_outputs), the dtype of ``a``
            ``factor_i · ∂l_i/∂a_i`` with ``factor_i = 1/n`` or ``w_i / Σ w``.
        """
        a = self._output(a)
        y = self._targets(y, a)
        if out is None:
            out = np.empty_like(a)
        self._grad_per_sample(a, y, out)
        out *= _sample_factor(sample_weight, a.shape[0], a.dtype)
        return out

    def fused_gradient(self, a: Any, y: Any, sample_weight: Any = None, out: np.ndarray | None = None) -> np.ndarray:
        """dL/dz through the fused output activation: ``(a − y) · factor``.

        Exact **only** for softmax + cross_entropy and sigmoid + binary_crossentropy, where
        the activation's derivative cancels against the loss's (``a`` must be
        ``fused_activation(z)``).  ``factor = 1/n`` (or ``w_i / Σ w``) for cross_entropy and
        ``1/(n·k)`` (or ``w_i / (k Σ w)``) for binary_crossentropy, whose per-sample loss
        averages its ``k`` outputs.  For cross_entropy with probability targets it assumes
        each row of ``y`` sums to 1 (:meth:`prepare_targets` checks that).

        Parameters
        ----------
        a : ndarray of shape (n_samples, n_outputs)
            Output activation values (softmax or sigmoid of the logits).
        y : ndarray
            Prepared targets; integer labels are used directly, no one-hot matrix is built.
        sample_weight : ndarray of shape (n_samples,), optional
        out : ndarray of shape (n_samples, n_outputs), optional
            Where to write the result (may be ``a`` itself).

        Raises
        ------
        TypeError
            For a loss without a fused activation (mse, mae).
        """
        raise ArgumentTypeError(
            f"loss '{self.name}' has no fused output activation; use gradient() and "
            "backpropagate through the activation"
        )

    def _fused_out(self, a: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        if out is None:
            return a.copy()
        if out is not a:
            np.copyto(out, a)
        return out
