"""Loss functions, each one written beside its gradient, in one registry.

Floor 1 (math): NumPy only.

A loss compares the output layer's **activation values** ``a`` (shape
``(n_samples, n_outputs)``) with the targets ``y`` and returns one number.  Every entry
of the registry is one :class:`Loss` object that carries

* ``prepare_targets(y, n_outputs, dtype)``: checks and converts the targets **once**,
  before training (class labels checked against the number of outputs, 1-D targets of a
  single-output network made a column, values cast to the network's dtype);
* ``value(a, y, sample_weight, z=None)``: the loss, a Python float;
* ``gradient(a, y, sample_weight)``: dL/da, same shape and dtype as ``a``;
* ``fused_gradient(a, y, sample_weight)``: dL/dz for the two *fused* pairs
  softmax + cross_entropy and sigmoid + binary_crossentropy, where the chain rule
  through the activation collapses to ``a − y``;
* ``fused_activation``, ``is_classification``, ``formula``.

Reduction
---------
Each sample ``i`` gets a per-sample loss ``l_i``; the loss is their mean
``L = (1/n) Σ_i l_i`` or, with sample weights ``w``, their weighted mean
``L = Σ_i w_i l_i / Σ_i w_i``.  Gradients include that factor (``1/n`` or
``w_i / Σ w``), so they are the exact derivatives of the number :meth:`Loss.value`
returns.  Without weights every loss equals PyTorch's with ``reduction='mean'``:

============================  ==============================================  ===================================
name (aliases)                per-sample loss ``l_i``                          PyTorch
============================  ==============================================  ===================================
``mse`` (mean_squared_error)  ``mean_k (a_ik − y_ik)²``                        ``MSELoss()``
``mae`` (mean_absolute_error) ``mean_k |a_ik − y_ik|``                         ``L1Loss()``
``binary_crossentropy`` (bce) ``mean_k −[y log a + (1−y) log(1−a)]``           ``BCELoss()`` / ``BCEWithLogitsLoss()``
``cross_entropy``             ``−log a_{i,y_i}`` (labels) or                   ``CrossEntropyLoss()`` on the logits
(categorical_crossentropy,    ``−Σ_k y_ik log a_ik`` (one-hot / probabilities)
log_loss)
============================  ==============================================  ===================================

Numerics
--------
When the output layer's weighted sums ``z`` (logits) are passed to :meth:`Loss.value`
the two cross-entropies are computed from them, stably: log-sum-exp for
``cross_entropy`` and ``max(z,0) − y·z + log(1 + e^−|z|)`` (= ``softplus(z) − y·z``)
for ``binary_crossentropy``.  They stay finite and exact for any finite ``z`` (even
±1e4 in float32), where the activation values have already rounded to 0 or 1.
Otherwise ``a`` is clipped to ``[eps, 1 − eps]`` before any ``log`` or division
(``eps = 1e-7`` in float32, ``1e-15`` in float64): no ``log(0)``, no warning.

>>> import numpy as np
>>> import neuronlab as nl
>>> mse = nl.losses.get("mse")
>>> mse.value(np.array([[2.5]]), np.array([[2.0]]))
0.25
>>> mse.gradient(np.array([[2.5]]), np.array([[2.0]]))
array([[1.]])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .activations import sigmoid, softplus
from .errors import ArgumentTypeError, DataError, ShapeError, check_array, unknown_name

__all__ = ["Loss", "MSE", "MAE", "BinaryCrossentropy", "CrossEntropy", "get", "names", "describe",
           "clip_eps"]


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


def _sample_factor(sample_weight: Any, n: int, dtype: np.dtype) -> np.ndarray | float:
    """The reduction factor of each sample: ``1/n``, or ``w_i / Σ w`` as an (n, 1) column."""
    if sample_weight is None:
        return 1.0 / n
    w = np.asarray(sample_weight)
    if w.shape != (n,):
        raise ShapeError(f"sample_weight must have shape (n_samples,): expected ({n},), got {w.shape}")
    total = float(np.sum(w, dtype=np.float64))
    if not total > 0:
        raise DataError(f"sample_weight must have a positive sum, got {total}")
    return (w.astype(np.float64) / total).astype(dtype).reshape(n, 1)


def _reduce(per_sample: np.ndarray, sample_weight: Any) -> float:
    """Mean of the per-sample losses (weighted mean with ``sample_weight``), accumulated in float64."""
    n = per_sample.shape[0]
    if sample_weight is None:
        return float(np.mean(per_sample, dtype=np.float64))
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ShapeError(f"sample_weight must have shape (n_samples,): expected ({n},), got {w.shape}")
    total = float(w.sum())
    if not total > 0:
        raise DataError(f"sample_weight must have a positive sum, got {total}")
    return float(np.dot(w, per_sample.astype(np.float64, copy=False)) / total)


def _probe_rows(z: np.ndarray) -> list[int]:
    """The rows on which :meth:`Loss.value` checks that ``a`` is ``fused_activation(z)``:
    the first one and the one with the largest ``|z|`` (where activations differ most)."""
    far = int(np.argmax(np.abs(z).max(axis=1)))
    return [0] if far == 0 else [0, far]


def _is_labels(y: np.ndarray) -> bool:
    return y.ndim == 1 and y.dtype.kind in "iu"


def _first_bad(mask: np.ndarray) -> str:
    """``row i`` (1-D) or ``row i, column j`` (2-D) of the first True entry of ``mask``."""
    where = np.argwhere(mask)[0]
    if mask.ndim == 1:
        return f"row {int(where[0])}"
    return f"row {int(where[0])}, column {int(where[1])}"


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
        a = _as_output(a)
        if z is not None and self.fused_activation is not None:
            z = np.asarray(z)
            if z.shape == a.shape and z.dtype.kind == "f" and a.shape[0] and self._matches_logits(a, z):
                return _reduce(self.per_sample_from_logits(z, self._targets(y, a)), sample_weight)
        return _reduce(self.per_sample(a, self._targets(y, a)), sample_weight)

    def _matches_logits(self, a: np.ndarray, z: np.ndarray) -> bool:
        return False

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
        a = _as_output(a)
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


# ---------------------------------------------------------------------------------------
# Regression losses.
# ---------------------------------------------------------------------------------------

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

    def per_sample(self, a, y):
        d = a - y
        return np.einsum("ij,ij->i", d, d) / a.shape[1]

    def _grad_per_sample(self, a, y, out):
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

    def per_sample(self, a, y):
        return np.abs(a - y).mean(axis=1)

    def _grad_per_sample(self, a, y, out):
        np.subtract(a, y, out=out)
        np.sign(out, out=out)
        out /= a.shape[1]
        return out


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

    def per_sample(self, a, y):
        eps = clip_eps(a.dtype)
        p = np.clip(a, eps, 1.0 - eps)
        l = y * np.log(p)
        l += (1.0 - y) * np.log1p(-p)
        return -l.mean(axis=1)

    def per_sample_from_logits(self, z, y):
        l = np.maximum(z, 0.0) - y * z
        l += softplus(-np.abs(z))
        return l.mean(axis=1)

    def _matches_logits(self, a, z):
        rows = _probe_rows(z)
        return bool(np.allclose(a[rows], sigmoid(z[rows]), rtol=1e-3, atol=1e-6))

    def _grad_per_sample(self, a, y, out):
        eps = clip_eps(a.dtype)
        p = np.clip(a, eps, 1.0 - eps)
        denom = p * (1.0 - p)
        np.subtract(a, y, out=out)
        out /= denom
        out /= a.shape[1]
        return out

    def fused_gradient(self, a, y, sample_weight=None, out=None):
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

    def per_sample(self, a, y):
        eps = clip_eps(a.dtype)
        if _is_labels(y):
            p = a[np.arange(a.shape[0]), y]
            return -np.log(np.clip(p, eps, 1.0 - eps))
        return -np.einsum("ij,ij->i", y, np.log(np.clip(a, eps, 1.0 - eps)))

    def per_sample_from_logits(self, z, y):
        m = z.max(axis=1, keepdims=True)
        shifted = z - m
        lse = np.log(np.exp(shifted).sum(axis=1))  # log Σ e^(z − max); ≥ 0, finite
        if _is_labels(y):
            return lse - shifted[np.arange(z.shape[0]), y]
        # −Σ y·log_softmax(z) with log_softmax = shifted − lse
        return lse * y.sum(axis=1) - np.einsum("ij,ij->i", y, shifted)

    def _matches_logits(self, a, z):
        rows = _probe_rows(z)
        s = np.exp(z[rows] - z[rows].max(axis=1, keepdims=True))
        s /= s.sum(axis=1, keepdims=True)
        return bool(np.allclose(a[rows], s, rtol=1e-3, atol=1e-6))

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

    def fused_gradient(self, a, y, sample_weight=None, out=None):
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


# ---------------------------------------------------------------------------------------
# The registry: one dict, name -> class.
# ---------------------------------------------------------------------------------------

_REGISTRY: dict[str, type[Loss]] = {cls.name: cls for cls in (MSE, MAE, BinaryCrossentropy, CrossEntropy)}
_ALIASES = {
    "mean_squared_error": "mse", "mean_absolute_error": "mae", "l1": "mae",
    "bce": "binary_crossentropy", "binary_cross_entropy": "binary_crossentropy",
    "categorical_crossentropy": "cross_entropy", "log_loss": "cross_entropy",
    "crossentropy": "cross_entropy", "ce": "cross_entropy",
}


def names() -> list[str]:
    """Every loss name (without aliases), sorted."""
    return sorted(_REGISTRY)


def get(identifier: Any) -> Loss:
    """Return a :class:`Loss` from a name (or alias) or an instance.

    Parameters
    ----------
    identifier : str or Loss
        ``"mse"``, ``"mae"``, ``"binary_crossentropy"`` (``"bce"``), ``"cross_entropy"``
        (``"categorical_crossentropy"``, ``"log_loss"``), ``"mean_squared_error"``, ...;
        case and ``-``/``_`` do not matter.  A :class:`Loss` is returned as is.

    Raises
    ------
    UnknownNameError
        For an unknown name; the message lists the known names and a close match.
    TypeError
        For anything that is neither a string nor a Loss.
    """
    if isinstance(identifier, Loss):
        return identifier
    if not isinstance(identifier, str):
        raise ArgumentTypeError(
            f"loss must be a name (str) or a Loss, got {type(identifier).__name__}; "
            f"known names: {', '.join(names())}"
        )
    key = identifier.strip().lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in _REGISTRY:
        raise unknown_name("loss", identifier, _REGISTRY)
    return _REGISTRY[key]()


def describe() -> list[dict[str, Any]]:
    """One row per loss: name, aliases, formula, gradient, fused activation, task."""
    rows = []
    for n in names():
        loss = get(n)
        rows.append({
            "name": n, "aliases": sorted(k for k, v in _ALIASES.items() if v == n),
            "formula": loss.formula, "gradient": loss.gradient_formula,
            "fused_activation": loss.fused_activation,
            "task": "classification" if loss.is_classification else "regression",
        })
    return rows
