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

The code lives in the private modules of this floor: ``_losses_base`` (the :class:`Loss`
base class and the shared reduction), ``_losses_regression`` (mse, mae) and
``_losses_classification`` (binary_crossentropy, cross_entropy); this module gathers them
and holds the registry.
"""
from __future__ import annotations

from typing import Any

# (the private names are re-exported so that ``losses._reduce`` etc. keep working)
from .base import Loss, _as_output, _as_targets, _float_targets, _reduce, _sample_factor, clip_eps
from .classification import BinaryCrossentropy, CrossEntropy, _first_bad, _is_labels, _probe_rows
from .regression import MAE, MSE
from ..errors import ArgumentTypeError
from .._util.registry import unknown_name

__all__ = ["Loss", "MSE", "MAE", "BinaryCrossentropy", "CrossEntropy", "get", "names", "describe",
           "clip_eps"]

# The classes live in the private modules ``_losses_*`` (same floor); they keep naming this
# module as theirs, so pickles (a network holds its loss) refer to ``neuronlab.losses.MSE``
# as before the split and do not depend on where the code sits.
for _cls in (Loss, MSE, MAE, BinaryCrossentropy, CrossEntropy):
    _cls.__module__ = __name__
del _cls

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
