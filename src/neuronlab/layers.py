"""Layers: :class:`Dense` (fully connected) and :class:`Dropout`.

A layer's ``forward`` caches what its ``backward`` needs — ``x`` (its inputs), ``z``
(weighted sums) and ``a`` (activation values) — and ``backward`` fills the parameter
gradients and returns the gradient for the layer below.  Nothing computed forward is
recomputed backward: activations whose derivative is cheaper from ``a`` (sigmoid, tanh,
relu, softmax) read ``a``.

Parameters live in one flat buffer owned by the :class:`~neuronlab.network.Network`;
a bound layer's ``W``, ``b``, ``dW`` and ``db`` are views into the network's
``parameters`` and ``gradients`` arrays, so an optimizer updates every layer in one pass.

:meth:`Dense.forward` and :meth:`Dense.backward` are the specification of the arithmetic.
Training and prediction run the same methods with preallocated arrays passed in (the
:class:`~neuronlab.workspace.Workspace`), and a trace computes
:meth:`Dense.weighted_sum` and the activation without touching the caches: the numbers
are the same, bit for bit.

Worked example (two inputs, two neurons, ReLU), the arithmetic in comments::

    >>> import numpy as np, neuronlab as nl
    >>> layer = nl.Dense(2, 2, activation="relu",
    ...                  weights=[[0.1, -0.5],    # column j holds neuron j's weights
    ...                           [0.2,  0.4]], bias=[0.3, -0.1])
    >>> x = np.array([[0.5, 0.6]])
    >>> layer.forward(x)
    ... # z0 = 0.5×0.1 + 0.6×0.2 + 0.3 = 0.47   → relu → 0.47
    ... # z1 = 0.5×(−0.5) + 0.6×0.4 − 0.1 = −0.11 → relu → 0
    array([[0.47, 0.  ]])
"""
from __future__ import annotations

import copy as _copy
import weakref
from typing import Any, Callable

import numpy as np
from numpy.typing import DTypeLike

from . import activations
from . import initializers
from .errors import ShapeError
from ._util.validate import check_array, check_fraction, check_index, check_positive_int
from .neuron import Neuron

__all__ = ["Layer", "Dense", "Dropout"]

# a positional call (no keyword parsing) in the hot path; NumPy's stubs do not know this form
_add_reduce: Callable[..., np.ndarray] = np.add.reduce


class Layer:
    """Base class: a step of the forward pass with a matching backward step.

    A layer belongs to at most one :class:`~neuronlab.network.Network`: its parameters are
    views into that network's flat buffers.  Putting the same layer object into a network
    twice, or into a second network, raises an error; :meth:`copy` gives an independent
    layer with the same settings and weights.
    """

    n_in: int
    n_out: int
    #: number of trainable scalars this layer keeps in the network's flat buffer
    n_params: int = 0
    #: whether the weights were given (not drawn by an initializer): a network keeps them
    explicit: bool = False
    _owner: "weakref.ref | None" = None

    @property
    def network(self) -> Any:
        """The network this layer belongs to, or ``None``."""
        return None if self._owner is None else self._owner()

    def copy(self) -> "Layer":
        """An independent copy (same settings and weights) that belongs to no network.

        >>> import neuronlab as nl
        >>> layer = nl.Dense(2, 2)
        >>> net = nl.Network([layer, nl.Dense(2, 1)])
        >>> twin = layer.copy()
        >>> twin.network is None and bool((twin.W == layer.W).all())
        True
        >>> other = nl.Network([twin, nl.Dense(2, 1)])   # layer itself would be refused here
        """
        new = _copy.deepcopy(self)
        if new.n_params:
            new.explicit = True
        return new

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_owner", None)  # a copy or an unpickled layer belongs to no network yet
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def bind(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Move this layer's parameters into the 1-D views ``params`` / ``grads``."""

    def initialize(self, rng: np.random.Generator, dtype: DTypeLike) -> None:
        """Draw fresh parameters."""

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:  # pragma: no cover
        raise NotImplementedError

    def config(self) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError


class Dense(Layer):
    """Fully connected layer: every input is connected to every neuron.

    ``z = x @ W + b``, ``a = f(z)``.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and of neurons.
    activation : str or Activation
        Activation of every neuron in the layer (default ``"relu"``).
    init : str, optional
        Weight initializer; defaults to the activation's preferred one (``he_uniform``
        for the ReLU family, ``lecun_normal`` for SELU, ``glorot_uniform`` otherwise).
        Biases start at zero.
    use_bias : bool
        Whether the layer has biases.
    weights : array-like of shape (n_in, n_out), optional
        Explicit initial weights (the network then keeps them instead of drawing new ones).
    bias : array-like of shape (n_out,), optional
        Explicit initial biases.

    Attributes
    ----------
    W : ndarray of shape (n_in, n_out)
        Weights; column ``j`` holds neuron ``j``'s incoming weights.
    b : ndarray of shape (n_out,)
    dW, db : ndarray
        Gradients of the loss, filled by :meth:`backward`.
    x, z, a : ndarray of shape (n_samples, ·)
        Inputs, weighted sums and activation values of the last forward pass (None before one).
    """

    x: Any
    z: Any
    a: Any

    def __init__(self, n_in: int, n_out: int, activation: Any = "relu", init: str | None = None,
                 use_bias: bool = True, weights: Any = None, bias: Any = None) -> None:
        self.n_in = check_positive_int("n_in", n_in)
        self.n_out = check_positive_int("n_out", n_out)
        self.activation = activations.get(activation)
        self.init = init if init is not None else self.activation.init
        self._initializer = initializers.get(self.init)
        self.use_bias = bool(use_bias)
        self.n_params = self.n_in * self.n_out + (self.n_out if self.use_bias else 0)
        self.explicit = weights is not None
        dtype = np.float64
        if weights is not None:
            W = check_array(weights, "weights", ndim=2, dtype=dtype)
            if W.shape != (self.n_in, self.n_out):
                raise ShapeError(f"weights must have shape (n_in, n_out) = {(self.n_in, self.n_out)}, got {W.shape}")
        else:
            W = self._initializer((self.n_in, self.n_out), np.random.default_rng(), dtype)
        if bias is not None:
            if not self.use_bias:
                raise ShapeError("bias given but use_bias=False")
            b = check_array(bias, "bias", ndim=1, dtype=dtype)
            if b.shape != (self.n_out,):
                raise ShapeError(f"bias must have shape ({self.n_out},), got {b.shape}")
        else:
            b = np.zeros(self.n_out, dtype)
        self._W, self._b = W, b if self.use_bias else np.zeros(0, dtype)
        self.dW = np.zeros_like(W)
        self.db = np.zeros_like(self.b)
        self.x = self.z = self.a = None

    # -- parameters ----------------------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """Weights, shape (n_in, n_out); in a network, a view of its ``parameters``."""
        return self._W

    @W.setter
    def W(self, value: Any) -> None:
        self._W = self._assign("weights", self._W, value, (self.n_in, self.n_out))

    @property
    def b(self) -> np.ndarray:
        """Biases, shape (n_out,) (or (0,) without biases); in a network, a view of its ``parameters``."""
        return self._b

    @b.setter
    def b(self, value: Any) -> None:
        if not self.use_bias:
            raise ShapeError("this layer has no biases (use_bias=False); build it with use_bias=True")
        self._b = self._assign("bias", self._b, value, (self.n_out,))

    def _assign(self, name: str, current: np.ndarray, value: Any, shape: tuple[int, ...]) -> np.ndarray:
        """Check ``value`` and write it into ``current`` when the layer is in a network
        (the network's buffer stays the one array of parameters); otherwise replace it."""
        bound = self.network is not None
        dtype = current.dtype
        if not bound and isinstance(value, np.ndarray) and value.dtype in (np.float32, np.float64):
            dtype = value.dtype                   # a free layer takes the float type it is given
        arr = check_array(value, name, ndim=len(shape), dtype=dtype, vector_index="position")
        if arr.shape != shape:
            raise ShapeError(f"{name} must have shape {shape}, got {arr.shape}; this layer is {self!r}")
        if bound:
            current[...] = arr
            return current
        self.explicit = True
        return arr.copy() if arr is value else arr

    def initialize(self, rng: np.random.Generator, dtype: DTypeLike) -> None:
        self.W[...] = self._initializer((self.n_in, self.n_out), rng, dtype)
        self.b[...] = 0.0

    def bind(self, params: np.ndarray, grads: np.ndarray) -> None:
        k = self.n_in * self.n_out
        W = params[:k].reshape(self.n_in, self.n_out)
        W[...] = self._W
        b = params[k:]
        b[...] = self._b
        self._W, self._b = W, b
        self.dW, self.db = grads[:k].reshape(self.n_in, self.n_out), grads[k:]

    def neuron(self, j: int) -> Neuron:
        """A :class:`~neuronlab.neuron.Neuron` view of unit ``j``: weights ``W[:, j]``, bias ``b[j]``."""
        j = check_index("neuron", j, self.n_out, negative=False, context=f"this layer has {self.n_out} neurons")
        return Neuron((), _layer=self, _index=j)          # the weights are the layer's column

    # -- forward and backward ------------------------------------------------------------
    def weighted_sum(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``z = x @ W + b``: every neuron's weighted sum, shape (n_samples, n_out).

        ``x`` has shape (n_samples, n_in); with ``out`` (that shape, the network's dtype,
        C-contiguous) the sums are written there instead of into a new array.
        Nothing is cached.
        """
        z = np.matmul(x, self.W, out=out)
        if self.use_bias:
            z += self.b
        return z

    def forward(self, x: np.ndarray, training: bool = False, z: np.ndarray | None = None,
                a: np.ndarray | None = None, zeros: np.ndarray | None = None) -> np.ndarray:
        """``a = f(x @ W + b)``; caches ``x``, ``z`` and ``a``.  ``x``: (n_samples, n_in).

        Returns the activation values, shape (n_samples, n_out).  Given arrays ``z`` and
        ``a`` of that shape, the weighted sums and activation values are written into
        them (``zeros``: see :meth:`Activation.f_into <neuronlab.activations.Activation.f_into>`),
        with the same results as without.
        """
        z = self.weighted_sum(x, z)
        a = self.activation.f(z) if a is None else self.activation.f_into(z, a, zeros)
        self.x, self.z, self.a = x, z, a
        return a

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        """From dL/da (n_samples, n_out): fill ``dW``, ``db``; return dL/dx (n_samples, n_in)."""
        grad_z = self.activation.backward(self.z, self.a, grad)
        return self.backward_from_z(grad_z, need_input_grad)

    def backward_from_z(self, grad_z: np.ndarray, need_input_grad: bool = True,
                        out: np.ndarray | None = None) -> np.ndarray | None:
        """Same as :meth:`backward` but starting from dL/dz (used by fused output losses).

        ``dW = xᵀ·δ``, ``db = Σ_samples δ``, ``dL/dx = δ·Wᵀ``.  With ``out`` (shape
        (n_samples, n_in)) dL/dx is written there instead of into a new array.
        """
        np.matmul(self.x.T, grad_z, out=self.dW)
        if self.use_bias:
            _add_reduce(grad_z, 0, None, self.db)          # = np.sum(grad_z, axis=0)
        if not need_input_grad:
            return None
        return np.matmul(grad_z, self.W.T, out=out)

    def config(self) -> dict[str, Any]:
        return {"type": "Dense", "n_in": self.n_in, "n_out": self.n_out,
                "activation": self.activation.config(), "init": self.init, "use_bias": self.use_bias}

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r})"


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability ``rate`` and
    scale the rest by ``1/(1 - rate)``; the identity at prediction time.

    Its size is taken from the layer before it when the network is built.
    """

    def __init__(self, rate: float) -> None:
        self.rate = check_fraction("dropout rate", rate)
        self.n_in = self.n_out = 0  # until a network gives it the size of the layer before
        self.rng: np.random.Generator | None = None
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        keep = 1.0 - self.rate
        if self.rng is None:                  # a layer used on its own, outside a network
            self.rng = np.random.default_rng()
        self.mask = (self.rng.random(x.shape, dtype=x.dtype) < keep) * x.dtype.type(1.0 / keep)
        return x * self.mask

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> np.ndarray | None:
        if not need_input_grad:
            return None
        return grad if self.mask is None else grad * self.mask

    def config(self) -> dict[str, Any]:
        return {"type": "Dropout", "rate": self.rate}

    def __repr__(self) -> str:
        return f"Dropout({self.rate})"
