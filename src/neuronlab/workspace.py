"""The workspace: a network's arithmetic on batches of one size, in arrays allocated once.

Training runs thousands of steps on batches of the same size, and every step needs the
same arrays: each layer's weighted sums ``z`` and activation values ``a``, the gradient
that flows back through it, a few rows of scratch for the loss.  A :class:`Workspace`
allocates them once for one network and one batch size; :meth:`Workspace.forward`,
:meth:`Workspace.train_step` and :meth:`Workspace.predict` then run the readable
methods (:meth:`Dense.forward <neuronlab.layers.Dense.forward>`,
:meth:`Dense.backward_from_z <neuronlab.layers.Dense.backward_from_z>`, the
activations' in-place forms) with those arrays passed in.  The numbers are the ones
:meth:`Network.forward <neuronlab.network.Network.forward>` and
:meth:`Network.train_on_batch <neuronlab.network.Network.train_on_batch>` compute, bit
for bit, but a step allocates (almost) nothing.

One training step, :meth:`Workspace.train_step`::

    x = X[idx]                                   # gathered into the workspace's input rows
    for each hidden layer:  x = f(x @ W + b)     # into that layer's z and a
    z = x @ W + b                                # the output layer
    softmax + cross-entropy on labels, fused:    # one pass over the logits
        loss_i = log Σ_j e^(z_ij − max z_i) − (z_iy − max z_i),   δ = (softmax(z) − onehot(y)) / n
    any other loss:  a = f(z), loss = L(a, y),   δ = dL/dz
    for each layer, output first:                # backpropagation
        dW = xᵀ·δ,  db = Σ δ,  δ ← (δ·Wᵀ) ⊙ f′(z below)
    optimizer.step(parameters, gradients)

With numba installed (the ``fast`` extra) and a network of at least ``NUMBA_MIN_SIZE``
parameters, the element-wise work around the matrix products runs as compiled loops
(:func:`fused_loops`): a ReLU layer's ``z += b`` with ``a = max(z, 0)``, and its
``δ = dL/da ⊙ (a > 0)`` with ``db = Σ δ``; the fused softmax + cross-entropy in two
loops around NumPy's ``exp``, row sums and ``log``.  The numbers stay the readable
path's, bit for bit.

A network keeps a few workspaces, one per batch size it has seen
(:meth:`Network.workspace <neuronlab.network.Network.workspace>`); copies and pickles of
the network leave them behind.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._util.extras import compiled
from ._util.validate import check_int
from .activations.smooth import _add_reduce, softmax
from .layers import Dense, Layer
from .optimizers.kernels import NUMBA_MIN_SIZE

if TYPE_CHECKING:  # pragma: no cover
    from .network import Network

__all__ = ["Workspace", "DenseStep", "DropoutStep", "fused_loops"]


class DenseStep:
    """A Dense layer's arrays in a :class:`Workspace` of batch size ``n``.

    Attributes
    ----------
    layer : Dense
    z, a : ndarray of shape (n, n_out)
        Weighted sums and activation values.
    zeros : ndarray of shape (n, n_out) or None
        Zeros for ReLU's ``maximum`` (see :meth:`Activation.f_into
        <neuronlab.activations.Activation.f_into>`); None for other activations and for a
        ReLU layer that runs as compiled loops.
    grad_in : ndarray of shape (n, n_in) or None
        dL/dx, the gradient this layer hands down (training workspaces, every layer but
        the first); the layer below turns it into its dL/dz in place.
    mask : bool ndarray of shape (n, n_out) or None
        ReLU's scratch for its derivative (training workspaces; None when compiled).
    fused : bool
        Whether this layer is a ReLU layer whose element-wise work runs as two compiled
        loops (see :func:`fused_loops`).
    softmax : bool
        Whether this layer is a softmax layer whose bias, row max and ``z − max`` run as one
        compiled loop before NumPy's ``exp`` and row sums; ``row_max``, ``row_sum`` and
        ``shifted`` are its scratch (None otherwise).
    """

    __slots__ = ("layer", "z", "a", "zeros", "grad_in", "mask", "fused", "zero", "softmax", "row_max", "row_sum",
                 "shifted")

    def __init__(self, layer: Dense, n: int, dtype: np.dtype, training: bool, first: bool,
                 fused: bool = False) -> None:
        name = layer.activation.name
        relu = name == "relu"
        self.layer = layer
        self.fused = fused and relu and layer.use_bias
        self.z = np.empty((n, layer.n_out), dtype)
        self.a = np.empty_like(self.z)
        numpy_relu = relu and not self.fused             # the compiled loops need neither scratch
        self.zeros = np.zeros_like(self.z) if numpy_relu else None
        self.grad_in = np.empty((n, layer.n_in), dtype) if training and not first else None
        self.mask = np.empty(self.z.shape, bool) if training and numpy_relu else None
        self.zero = dtype.type(0)
        # a softmax layer's scratch for its compiled loop: each row's max, sum and z − max
        self.softmax = fused and name == "softmax" and layer.use_bias
        self.row_max = np.empty(n, dtype) if self.softmax else None
        self.row_sum = np.empty((n, 1), dtype) if self.softmax else None
        self.shifted = np.empty_like(self.z) if self.softmax else None

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """``a = f(x @ W + b)`` into ``z`` and ``a`` (the layer caches them, as always)."""
        layer = self.layer
        if self.fused:
            z, a = np.matmul(x, layer.W, out=self.z), self.a
            _FUSED_RELU[0](z, layer.b, a, self.zero)          # z += b;  a = max(z, 0)
        elif self.softmax:
            z, a, shifted = np.matmul(x, layer.W, out=self.z), self.a, cast(np.ndarray, self.shifted)
            if _FUSED_SOFTMAX[0](z, layer.b, self.row_max, shifted):   # z += b; z − max z; all finite?
                np.exp(shifted, out=a)
                np.divide(a, _add_reduce(a, 1, None, self.row_sum, True), out=a)
            else:                                              # an infinite logit: softmax's own limit
                softmax(z, a)
        else:
            return layer.forward(x, training, self.z, self.a, self.zeros)
        layer.x, layer.z, layer.a = x, z, a
        return a

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        """From dL/da (overwritten with dL/dz): fill ``dW`` and ``db``; return dL/dx in
        ``grad_in`` (None for the first layer)."""
        layer = self.layer
        if not self.fused:
            layer.activation.backward_inplace(layer.z, layer.a, grad, self.mask)
            return layer.backward_from_z(grad, self.grad_in is not None, self.grad_in)
        _FUSED_RELU[1](grad, layer.a, layer.db, self.zero)  # grad *= (a > 0);  db = Σ grad
        np.matmul(layer.x.T, grad, out=layer.dW)
        return None if self.grad_in is None else np.matmul(grad, layer.W.T, out=self.grad_in)

    def __repr__(self) -> str:
        return f"DenseStep({self.layer!r}, batch of {self.z.shape[0]})"


class DropoutStep:
    """A Dropout layer in a :class:`Workspace`: it has no arrays here and runs its own
    forward and backward (the identity when predicting)."""

    __slots__ = ("layer",)

    def __init__(self, layer: Layer) -> None:
        self.layer = layer

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        return self.layer.forward(x, training)

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        return self.layer.backward(grad, True)

    def __repr__(self) -> str:
        return f"DropoutStep({self.layer!r})"


class Workspace:
    """The arrays for running one network on batches of ``batch_size`` samples.

    Parameters
    ----------
    net : Network
    batch_size : int
        Rows of every batch this workspace takes.
    training : bool
        Also allocate what :meth:`train_step` needs (input rows, gradients, the loss's
        scratch); a prediction workspace has only the forward arrays.

    Attributes
    ----------
    steps : list of DenseStep and DropoutStep
        One record per entry of ``net.layers``, same order.
    output : DenseStep
        The output layer's record (``steps[-1]``); after a step ``output.a`` holds the
        batch's output activation values.
    targets : ndarray or None
        The last training batch's targets, ``y[idx]``.
    fused : bool
        Whether the element-wise work runs as compiled loops (:func:`fused_loops`).
    """

    def __init__(self, net: Network, batch_size: int, training: bool = False) -> None:
        dt = net.dtype
        n = self.n = check_int("batch_size", batch_size, minimum=1)
        self.net = net
        self.training = training
        self.fused = fused = fused_loops(net.parameters.size)
        self.steps: list[DenseStep | DropoutStep] = [
            DenseStep(layer, n, dt, training, first=i == 0, fused=fused) if isinstance(layer, Dense)
            else DropoutStep(layer)
            for i, layer in enumerate(net.layers)]
        self.output = cast(DenseStep, self.steps[-1])   # a network ends with a Dense layer
        self.hidden = self.steps[:-1]
        self.hidden_reversed = self.hidden[::-1]
        self.targets: np.ndarray | None = None
        if training:
            self._allocate_training(net, n)

    def _allocate_training(self, net: Network, n: int) -> None:
        dt, k = net.dtype, net.n_outputs
        self.x = np.empty((n, net.n_inputs), dt)      # the gathered batch X[idx]
        self.delta = np.empty((n, k), dt)              # the output layer's dL/dz
        self.delta1 = self.delta.reshape(-1)
        # the fused softmax + cross-entropy step on integer labels
        self.labels = np.empty(n, np.int64)            # y[idx]
        self.row_start = np.arange(n, dtype=np.int64) * k   # flat index of row i, column 0
        self.flat = np.empty(n, np.int64)              # flat index of (row i, label y_i)
        self.row_max = np.empty((n, 1), dt)            # max z of each row
        self.row_sum = np.empty((n, 1), dt)            # Σ e^(z − max) of each row
        self.row_sum1 = self.row_sum.reshape(-1)
        self.shifted = np.empty((n, k), dt)            # z − max
        self.shifted1 = self.shifted.reshape(-1)
        self.picked = np.empty(n, dt)                  # (z − max) at each row's label
        self.argmax = np.empty(n, np.int64)
        self.row_max1 = self.row_max.reshape(-1)
        self.one, self.inv_n = dt.type(1), dt.type(1.0 / n)
        self.fused_softmax = self.fused and self.output.layer.use_bias

    def __repr__(self) -> str:
        kind = "training" if self.training else "prediction"
        return f"Workspace({self.net!r}, batch_size={self.n}, {kind})"

    # -- forward and prediction ----------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """:meth:`Network.forward <neuronlab.network.Network.forward>` into this workspace's arrays.

        ``x``: (batch_size, n_inputs) of the network's dtype.  Returns the output
        activation values (the workspace's own array, overwritten by the next call); the
        layers cache ``x``, ``z`` and ``a`` as in the readable forward pass.
        """
        for step in self.steps:
            x = step.forward(x, training)
        return x

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Output activation values for ``X`` of shape (n_samples, n_inputs), any
        ``n_samples``, as a new array (n_samples, n_outputs).

        ``X`` runs through :meth:`forward` in chunks of ``batch_size`` rows (a shorter last
        chunk through the network's workspace of that size).
        """
        if len(X) == self.n:                           # one chunk (one sample, one batch)
            return self.forward(X).copy()
        result = np.empty((len(X), self.net.n_outputs), self.net.dtype)
        for lo, ws in self._chunks(len(X)):
            result[lo:lo + ws.n] = ws.forward(X[lo:lo + ws.n])
        return result

    def evaluate(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> dict[str, float]:
        """The loss and metrics of :meth:`Network.evaluate <neuronlab.network.Network.evaluate>`
        on checked arrays, in chunks as :meth:`predict`: the loss is each chunk's loss
        weighted by its samples (or sample weights)."""
        net = self.net
        total = weight = 0.0
        parts = []
        for lo, ws in self._chunks(len(X)):
            hi = lo + ws.n
            swb = None if sample_weight is None else sample_weight[lo:hi]
            a = ws.forward(X[lo:hi])
            w = float(ws.n if swb is None else swb.sum())
            total += net.loss_value(y[lo:hi], swb) * w
            weight += w
            parts.append(a.copy())
        a = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return {"loss": total / weight, **net.metrics(a, y, sample_weight)}

    def _chunks(self, n_samples: int) -> list[tuple[int, Workspace]]:
        """``(first row, workspace)`` for each chunk of ``n_samples`` rows."""
        chunks = []
        for lo in range(0, n_samples, self.n):
            rows = min(self.n, n_samples - lo)
            chunks.append((lo, self if rows == self.n else self.net.workspace(rows)))
        return chunks

    # -- training ------------------------------------------------------------------------
    def fuses_labels(self, y: np.ndarray) -> bool:
        """Whether :meth:`train_step` can take the fused softmax + cross-entropy step on
        ``y`` (integer class labels) and report per-sample losses and hits."""
        net = self.net
        return (net.loss.name == "cross_entropy" and net.output_activation.name == "softmax"
                and net.n_outputs > 1 and y.ndim == 1 and y.dtype.kind in "iu")

    def train_step(self, X: np.ndarray, y: np.ndarray, idx: np.ndarray, sample_weight: np.ndarray | None,
                   optimizer: Any, l1: float = 0.0, l2: float = 0.0, loss_out: np.ndarray | None = None,
                   hit_out: np.ndarray | None = None) -> float | None:
        """One step of gradient descent on the batch ``X[idx]``, ``y[idx]`` (``batch_size`` rows):
        :meth:`Network.train_on_batch <neuronlab.network.Network.train_on_batch>`, bit for bit.

        Parameters
        ----------
        X, y : ndarray
            The whole (checked) training data and targets.
        idx : ndarray of int, shape (batch_size,)
            The batch's rows.
        sample_weight : ndarray of shape (batch_size,) or None
            The batch's sample weights.
        optimizer
            Anything with ``step(parameters, gradients)``.
        l1, l2 : float
            Weight penalties.
        loss_out, hit_out : ndarray of shape (batch_size,), optional
            Only where :meth:`fuses_labels` holds: receive the per-sample losses and
            whether each sample's largest output is its label (penalties not included);
            then ``None`` is returned (the caller averages them once per epoch).

        Returns
        -------
        float or None
            The batch loss before the step (penalties included), or None with ``loss_out``.
        """
        X.take(idx, 0, self.x, "clip")                 # x = X[idx], no allocation
        x = self.x
        for step in self.hidden:
            x = step.forward(x, True)
        loss: float | None = None
        if loss_out is None or hit_out is None:
            loss = self._output_and_delta(x, y, idx, sample_weight)
        else:
            self._softmax_cross_entropy(x, y, idx, sample_weight, loss_out, hit_out)
        self._backward()
        if l1 or l2:
            penalty = self.net.add_penalty_gradients(l1, l2)
            if loss is not None:
                loss += penalty
        optimizer.step(self.net.parameters, self.net.gradients)
        return loss

    def _output_and_delta(self, x: np.ndarray, y: np.ndarray, idx: np.ndarray,
                          sample_weight: np.ndarray | None) -> float:
        """The output layer's forward pass, the batch loss, and dL/dz into ``delta``."""
        net, out = self.net, self.output
        a = out.forward(x, True)
        yb = self.targets = y[idx]
        loss = net.loss_value(yb, sample_weight)
        if net.loss.fused_activation == out.layer.activation.name:
            net.loss.fused_gradient(a, yb, sample_weight, out=self.delta)
        else:
            net.loss.gradient(a, yb, sample_weight, out=self.delta)
            out.layer.activation.backward_inplace(out.z, a, self.delta, out.mask)
        return loss

    def _softmax_cross_entropy(self, x: np.ndarray, y: np.ndarray, idx: np.ndarray,
                               sample_weight: np.ndarray | None, loss_out: np.ndarray,
                               hit_out: np.ndarray) -> None:
        """The output layer with softmax and cross-entropy on integer labels, in one pass:
        per-sample losses ``log Σ e^(z − max) − (z_y − max)`` (as CrossEntropy computes
        them from the logits) and hits into ``loss_out``/``hit_out``, and the fused
        dL/dz = (a − onehot(y))/n into ``delta``."""
        out = self.output
        layer = out.layer
        labels = self.targets = self.labels
        if self.fused_softmax and sample_weight is None:
            z, a = np.matmul(x, layer.W, out=out.z), out.a
            shift, finish = _FUSED_SOFTMAX
            shift(z, layer.b, self.row_max1, self.shifted)   # z += b;  shifted = z − max z
            np.exp(self.shifted, out=a)
            _add_reduce(a, 1, None, self.row_sum, True)      # the row sums, as softmax() adds them
            np.log(self.row_sum1, out=loss_out)
            finish(a, self.row_sum1, self.shifted, y, idx, labels, loss_out, hit_out, self.delta,
                   self.one, self.inv_n)                  # a /= sums; hits; loss −= shifted_y; delta
            layer.x, layer.z, layer.a = x, z, a
            return
        z = layer.weighted_sum(x, out.z)
        a = softmax(z, out.a, shifted=self.shifted, row_max=self.row_max, row_sum=self.row_sum)
        layer.x, layer.z, layer.a = x, z, a            # the caches Dense.forward keeps
        y.take(idx, None, labels, "clip")              # labels = y[idx]
        flat = np.add(self.row_start, labels, out=self.flat)
        np.log(self.row_sum1, out=loss_out)
        loss_out -= self.shifted1.take(flat, None, self.picked, "clip")
        np.equal(a.argmax(1, self.argmax), labels, out=hit_out)
        delta = self.delta
        if sample_weight is None:
            np.copyto(delta, a)
            self.delta1[flat] -= 1.0
            delta *= 1.0 / self.n
        else:
            self.net.loss.fused_gradient(a, labels, sample_weight, out=delta)

    def _backward(self) -> None:
        """Backpropagation from ``delta`` (the output layer's dL/dz) down to the first layer."""
        out = self.output
        grad: Any = out.layer.backward_from_z(self.delta, out.grad_in is not None, out.grad_in)
        for step in self.hidden_reversed:
            grad = step.backward(grad)


# -- the compiled loops (numba, the ``fast`` extra) --------------------------------------
def _bias_relu_loop(z, b, a, zero):  # pragma: no cover - compiled
    """``z += b`` then ``a = max(z, 0)``, row by row in one pass: the same roundings as
    ``z += b; np.maximum(z, zeros, out=a)`` (NaN stays NaN and −0 becomes +0, as there)."""
    n, k = z.shape
    for i in range(n):
        for j in range(k):
            v = z[i, j] + b[j]
            z[i, j] = v
            a[i, j] = v if (v > zero or v != v) else zero


def _relu_delta_loop(grad, a, db, zero):  # pragma: no cover - compiled
    """``grad *= (a > 0)`` then ``db = Σ_rows grad``, in one pass: the same roundings as
    ``np.multiply(grad, a > 0, out=grad); np.add.reduce(grad, 0, out=db)``, which starts
    each column at +0 and adds the rows in order (a masked ``g`` becomes ``g·0``: ±0,
    or NaN for an infinite ``g``, as there)."""
    n, k = grad.shape
    for j in range(k):
        db[j] = zero
    for i in range(n):
        for j in range(k):
            g = grad[i, j] if a[i, j] > zero else grad[i, j] * zero
            grad[i, j] = g
            db[j] += g


def _shift_rows_loop(z, b, row_max, shifted):  # pragma: no cover - compiled
    """``z += b``, then each row's max and ``shifted = z − max``, in one pass: the numbers
    of ``z += b``, ``np.maximum.reduce(z, 1)`` (a NaN anywhere makes the max NaN) and
    ``np.subtract(z, max, out=shifted)``.  Returns whether every max is finite."""
    n, k = z.shape
    finite = True
    for i in range(n):
        m = z[i, 0] + b[0]
        z[i, 0] = m
        for j in range(1, k):
            v = z[i, j] + b[j]
            z[i, j] = v
            if m == m and (v > m or v != v):
                m = v
        row_max[i] = m
        finite = finite and m - m == 0
        for j in range(k):
            shifted[i, j] = z[i, j] - m
    return finite


def _softmax_finish_loop(a, row_sum, shifted, y, idx, labels, loss, hit, delta, one, inv_n):  # pragma: no cover
    """After NumPy's ``a = exp(shifted)``, its row sums and ``loss = log(row_sum)``: divide
    each row by its sum (softmax), take the label ``y[idx[i]]``, subtract ``shifted`` at the
    label from the loss, mark a hit where the first largest ``a`` (a NaN counts as largest,
    as ``np.argmax`` has it) is the label, and write ``delta = (a − onehot(label))·(1/n)``:
    the roundings of the NumPy path (``np.divide``, ``take``, ``argmax``, ``copyto``, ``−= 1``,
    ``*= 1/n``), in one pass.  Labels are in ``[0, k)`` (the caller checked them); the
    loop clips them all the same, so that memory outside the arrays is never read."""
    n, k = a.shape
    last = y.shape[0] - 1
    for i in range(n):
        r = min(max(idx[i], 0), last)
        label = min(max(y[r], 0), k - 1)
        labels[i] = label
        s = row_sum[i]
        best = 0
        for j in range(k):
            v = a[i, j] / s
            a[i, j] = v
            if j > 0 and a[i, best] == a[i, best] and (v > a[i, best] or v != v):
                best = j
        loss[i] -= shifted[i, label]
        hit[i] = best == label
        for j in range(k):
            d = a[i, j]
            if j == label:
                d = d - one
            delta[i, j] = d * inv_n


_FUSED_RELU: list[Any] = [None, None]     # the two compiled loops, once fused_loops has made them
_FUSED_SOFTMAX: list[Any] = [None, None]  # the output's two loops


def fused_loops(n_parameters: int) -> bool:
    """Whether workspaces of a network with ``n_parameters`` run the element-wise work
    around the matrix products as compiled loops (numba, the ``fast`` extra).

    A ReLU layer: ``z += b`` with ``a = max(z, 0)`` in one pass, ``δ = dL/da ⊙ (a > 0)``
    with ``db = Σ δ`` in another (two passes over its arrays instead of five).  The fused
    softmax + cross-entropy on integer labels: the bias, row max and ``z − max`` in one
    loop, NumPy's ``exp``, row sums and ``log`` (whose roundings a compiled loop would not
    repeat), then the division, the losses, the hits and ``δ`` in another (five calls
    instead of about seventeen).  Bit for bit the numbers of :meth:`Dense.forward
    <neuronlab.layers.Dense.forward>`, :meth:`Dense.backward <neuronlab.layers.Dense.backward>`
    and the NumPy step.

    True when numba is installed, ``NEURONLAB_NO_NUMBA`` is not set, and the network has
    at least ``NUMBA_MIN_SIZE`` parameters (a smaller one would wait longer for numba to
    load than the loops save), the optimizers' rule.
    """
    if check_int("n_parameters", n_parameters, minimum=0) < NUMBA_MIN_SIZE:
        return False
    loops = [compiled(name, func) for name, func in (
        ("bias_relu", _bias_relu_loop), ("relu_delta", _relu_delta_loop),
        ("shift_rows", _shift_rows_loop), ("softmax_finish", _softmax_finish_loop))]
    if any(loop is None for loop in loops):
        return False
    _FUSED_RELU[:], _FUSED_SOFTMAX[:] = loops[:2], loops[2:]
    return True
