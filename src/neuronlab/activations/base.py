"""The :class:`Activation` base class, and the stable ``sigmoid`` and ``softplus`` that
built-ins of both groups (and the losses) use.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ArgumentTypeError
from .._util.validate import check_int

_INF = float("inf")


def _as_float(z: Any) -> np.ndarray:
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    return z


def sigmoid(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    """Numerically stable logistic function ``1 / (1 + exp(-z))``.

    Computed as ``exp(min(z,0)) / (1 + exp(-|z|))`` so that ``exp`` never sees a
    large positive argument: no overflow for any finite ``z``.
    """
    z = _as_float(z)
    e = np.exp(-np.abs(z))
    num = np.where(z >= 0, np.ones_like(e), e)
    return np.divide(num, 1.0 + e, out=out)


def softplus(z: Any) -> np.ndarray:
    """Stable ``log(1 + exp(z))`` as ``logaddexp(0, z)``."""
    z = _as_float(z)
    return np.logaddexp(np.zeros_like(z), z)



class Activation:
    """One activation function: ``f`` and ``f'`` together, with range, threshold and init.

    Subclasses implement :meth:`f` and :meth:`df` (the derivative as a function of ``z``)
    and may override :meth:`backward` to use the cached activation value instead.

    Attributes
    ----------
    name : str
        Registry name.
    params : dict
        Parameters it was built with (``{"alpha": 0.1}``).
    output_range : tuple of float
        ``(low, high)`` of the activation values.
    threshold : float or None
        Activation value above which the neuron fires.
    init : str
        Name of the preferred weight initializer.
    saturating : bool
        Whether the derivative goes to 0 on one or both sides (sigmoid, tanh, ...).
    formula, derivative_formula : str
        Human-readable formulas (for tables and the CLI).
    """

    name: str = "activation"
    output_range: tuple[float, float] = (-_INF, _INF)
    threshold: float | None = 0.0
    init: str = "glorot_uniform"
    saturating: bool = False
    formula: str = ""
    derivative_formula: str = ""
    #: which cached array :meth:`backward` reads: "z" (weighted sums) or "a" (activation values)
    uses: str = "z"

    def __init__(self, **params: Any) -> None:
        if params and type(self).__init__ is Activation.__init__:
            # only subclasses with their own __init__ (alpha, threshold) take parameters
            raise ArgumentTypeError(f"{type(self).__name__} takes no parameters, got {sorted(params)}")
        self.params = dict(params)

    # -- the function and its derivative -------------------------------------------------
    def f(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def df(self, z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, z: Any) -> np.ndarray:
        """Activation values ``f(z)``, elementwise, same shape and float dtype as ``z``."""
        return self.f(_as_float(z))

    def derivative(self, z: Any) -> np.ndarray:
        """``f'(z)``, elementwise; takes the weighted sums ``z`` (not the activation values)."""
        return self.df(_as_float(z))

    def backward(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Backpropagate through the activation: ``grad * f'(z)``.

        Parameters
        ----------
        z, a : ndarray of shape (n_samples, n_units)
            Weighted sums and activation values cached by the forward pass.
        grad : ndarray of shape (n_samples, n_units)
            dL/da.
        out : ndarray, optional
            Where to write dL/dz (may be ``grad`` itself).
        """
        return np.multiply(grad, self.df(z), out=out)

    def firing_threshold(self, n_units: int = 1) -> float | None:
        """The activation value above which a neuron fires, in a layer of ``n_units`` neurons.

        For every built-in activation but two this is :attr:`threshold`, which is ``f(0)``:
        the neuron fires exactly when its weighted sum is positive.  Softmax shares one
        unit of probability among the layer, so it fires above the uniform share
        ``1/n_units``; a step neuron's value is 0 or 1 and it fires at 1, so its threshold
        on the value is 0.5 (its θ applies to the weighted sum).

        >>> import neuronlab as nl
        >>> nl.activations.get("sigmoid").firing_threshold()
        0.5
        >>> nl.activations.get("softmax").firing_threshold(4)   # 1/4
        0.25
        >>> nl.activations.get("step", threshold=0.3).firing_threshold()
        0.5

        ``n_units`` must be a positive integer (a HyperparameterError says so otherwise).
        Subclasses with a rule of their own override :meth:`_firing_threshold`.
        """
        return self._firing_threshold(check_int("n_units", n_units, minimum=1))

    def _firing_threshold(self, n_units: int) -> float | None:
        return self.threshold

    def fires(self, a: Any) -> np.ndarray:
        """Whether activation values ``a`` pass the firing threshold
        (``a > firing_threshold(k)`` with ``k`` the size of the last axis)."""
        a = np.asarray(a)
        return a > self.firing_threshold(a.shape[-1] if a.ndim else 1)

    # -- in-place forms used by the training workspace (same numbers as f / backward) ------
    def f_into(self, z: np.ndarray, out: np.ndarray, zeros: np.ndarray | None = None) -> np.ndarray:
        """Write ``f(z)`` into ``out`` (same shape and dtype as ``z``) and return it.

        The result is exactly :meth:`f`'s.  ``zeros`` is an optional array of zeros shaped
        like ``z`` that activations comparing against 0 may use (NumPy's ``maximum``
        against a full zero array is about 3× faster than against the scalar 0).  The
        default computes :meth:`f` and copies it; ReLU and a few others write in place.
        """
        np.copyto(out, self.f(z))
        return out

    def backward_inplace(self, z: np.ndarray, a: np.ndarray, grad: np.ndarray,
                         mask: np.ndarray | None = None) -> np.ndarray:
        """``grad *= f'(z)`` in place (dL/da becomes dL/dz) and return ``grad``.

        Exactly :meth:`backward` with ``out=grad``.  ``mask`` is an optional boolean
        scratch array shaped like ``grad`` (ReLU writes ``a > 0`` into it instead of
        allocating).
        """
        return self.backward(z, a, grad, out=grad)

    # -- description ----------------------------------------------------------------------
    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name}{', ' + args if args else ''})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Activation) and (self.name, self.params) == (other.name, other.params)

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    def config(self) -> dict[str, Any]:
        """``{"name": ..., **params}``: enough to rebuild it with :func:`get`."""
        return {"name": self.name, **self.params}
