"""Check backpropagation against central finite differences.

For every parameter θ_i (or a random subset of them)::

    numeric_i  = (L(θ + ε e_i) − L(θ − ε e_i)) / (2ε)
    analytic_i = dL/dθ_i from backprop
    rel_i      = |analytic_i − numeric_i| / max(|analytic_i| + |numeric_i|, tiny)

The check runs on a float64 copy of the network with dropout off, so a float32 network
is checked without float32 rounding noise.  Values around 1e-7 or below mean the
gradients are right; 1e-2 and above mean a bug (or an input sitting exactly on a kink).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._util.validate import check_int, check_positive, check_positive_int

__all__ = ["gradcheck", "gradient_errors"]


def gradient_errors(network: Any, X: Any, y: Any, *, eps: float = 1e-5, sample_weight: Any = None,
                    max_params: int | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    """Analytic and numeric gradients side by side.

    Returns
    -------
    dict with ``index`` (flat parameter indices checked), ``analytic``, ``numeric`` and
    ``relative_error`` arrays.
    """
    eps = check_positive("eps", eps)
    if max_params is not None:
        max_params = check_positive_int("max_params", max_params)
    seed = check_int("seed", seed, minimum=0)
    net = network.copy(dtype="float64")
    X = net.check_inputs(X)
    y = net.check_targets(X, y)
    sw = net.check_sample_weight(X, sample_weight)

    def loss() -> float:
        net.forward(X, training=False)
        return net.loss_value(y, sw)

    loss()
    net.backward(y, sw)
    analytic = net.gradients.copy()
    idx = np.arange(net.n_params)
    if max_params is not None and max_params < net.n_params:
        idx = np.sort(np.random.default_rng(seed).choice(net.n_params, size=max_params, replace=False))
    numeric = np.empty(len(idx))
    p = net.parameters
    for k, i in enumerate(idx):
        old = p[i]
        p[i] = old + eps
        up = loss()
        p[i] = old - eps
        down = loss()
        p[i] = old
        numeric[k] = (up - down) / (2 * eps)
    a = analytic[idx]
    rel = np.abs(a - numeric) / np.maximum(np.abs(a) + np.abs(numeric), 1e-12)
    return {"index": idx, "analytic": a, "numeric": numeric, "relative_error": rel}


def gradcheck(network: Any, X: Any, y: Any, *, eps: float = 1e-5, sample_weight: Any = None,
              max_params: int | None = None, seed: int = 0) -> float:
    """Maximum relative error between backprop gradients and central finite differences.

    Parameters
    ----------
    network : Network
    X : array-like of shape (n_samples, n_inputs)
        A few samples are enough (e.g. ``X[:8]``).
    y : array-like
        Matching targets.
    eps : float
        Finite-difference step.
    max_params : int, optional
        Check only this many randomly chosen parameters (large networks).

    Returns
    -------
    float
        ``max_i |analytic_i − numeric_i| / (|analytic_i| + |numeric_i|)``.

    Examples
    --------
    >>> import numpy as np, neuronlab as nl
    >>> net = nl.Network.mlp([4, 5, 3], hidden="tanh", seed=0)
    >>> X = np.random.default_rng(0).normal(size=(8, 4)); y = np.arange(8) % 3
    >>> nl.gradcheck(net, X, y) < 1e-6
    True
    """
    errs = gradient_errors(network, X, y, eps=eps, sample_weight=sample_weight, max_params=max_params, seed=seed)
    return float(errs["relative_error"].max()) if errs["relative_error"].size else 0.0
