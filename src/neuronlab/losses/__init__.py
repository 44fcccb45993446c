"""Loss functions, each one written beside its gradient, in one registry.

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

=============================  ================================================  =======================================
name (aliases)                 per-sample loss ``l_i``                           PyTorch
=============================  ================================================  =======================================
``mse`` (mean_squared_error)   ``mean_k (a_ik − y_ik)²``                         ``MSELoss()``
``mae`` (mean_absolute_error)  ``mean_k |a_ik − y_ik|``                          ``L1Loss()``
``binary_crossentropy`` (bce)  ``mean_k −[y log a + (1−y) log(1−a)]``            ``BCELoss()`` / ``BCEWithLogitsLoss()``
``cross_entropy``              ``−log a_{i,y_i}`` (labels) or                    ``CrossEntropyLoss()`` on the logits
(categorical_crossentropy,     ``−Σ_k y_ik log a_ik`` (one-hot / probabilities)
log_loss)
=============================  ================================================  =======================================

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

from .base import Loss, clip_eps
from .classification import BinaryCrossentropy, CrossEntropy
from .penalties import weight_penalty
from .regression import MAE, MSE
from .._util.registry import Registry

__all__ = ["weight_penalty", "Loss", "MSE", "MAE", "BinaryCrossentropy", "CrossEntropy", "get", "names", "describe",
           "clip_eps"]

_registry = Registry(
    "loss", Loss,
    builtins=[MSE, MAE, BinaryCrossentropy, CrossEntropy],
    aliases={
        "mean_squared_error": "mse", "mean_absolute_error": "mae", "l1": "mae",
        "bce": "binary_crossentropy", "binary_cross_entropy": "binary_crossentropy",
        "categorical_crossentropy": "cross_entropy", "log_loss": "cross_entropy",
        "crossentropy": "cross_entropy", "ce": "cross_entropy",
    },
)


def names() -> list[str]:
    """Every loss name (without aliases), sorted."""
    return _registry.names()


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
    ArgumentTypeError
        For anything that is neither a string nor a Loss (it is also a ``TypeError``).
    """
    return _registry.get(identifier)


def describe() -> list[dict[str, Any]]:
    """One row per loss: name, aliases, formula, gradient, fused activation, task."""
    return _registry.describe(lambda loss: {
        "aliases": _registry.aliases_of(loss.name), "formula": loss.formula,
        "gradient": loss.gradient_formula, "fused_activation": loss.fused_activation,
        "task": "classification" if loss.is_classification else "regression",
    })
