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

A network keeps a few workspaces, one per batch size it has seen
(:meth:`Network.workspace <neuronlab.network.Network.workspace>`); copies and pickles of
the network leave them behind.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._util.validate import check_int
from .activations.smooth import softmax
from .layers import Dense, Layer

if TYPE_CHECKING:  # pragma: no cover
    from .network import Network

__all__ = ["Workspace", "DenseStep", "DropoutStep"]


class DenseStep:
    """A Dense layer's arrays in a :class:`Workspace` of batch size ``n``.

    Attributes
    ----------
    layer : Dense
    z, a : ndarray of shape (n, n_out)
        Weighted sums and activation values.
    zeros : ndarray of shape (n, n_out) or None
        Zeros for ReLU's ``maximum`` (see :meth:`Activation.f_into
        <neuronlab.activations.Activation.f_into>`); None for other activations.
    grad_in : ndarray of shape (n, n_in) or None
        dL/dx, the gradient this layer hands down (training workspaces, every layer but
        the first); the layer below turns it into its dL/dz in place.
    mask : bool ndarray of shape (n, n_out) or None
        ReLU's scratch for its derivative (training workspaces).
    """

    __slots__ = ("layer", "z", "a", "zeros", "grad_in", "mask")

    def __init__(self, layer: Dense, n: int, dtype: np.dtype, training: bool, first: bool) -> None:
        relu = layer.activation.name == "relu"
        self.layer = layer
        self.z = np.empty((n, layer.n_out), dtype)
        self.a = np.empty_like(self.z)
        self.zeros = np.zeros_like(self.z) if relu else None
        self.grad_in = np.empty((n, layer.n_in), dtype) if training and not first else None
        self.mask = np.empty(self.z.shape, bool) if training and relu else None

    def forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        """``a = f(x @ W + b)`` into ``z`` and ``a`` (the layer caches them, as always)."""
        return self.layer.forward(x, training, self.z, self.a, self.zeros)

    def backward(self, grad: np.ndarray) -> np.ndarray | None:
        """From dL/da (overwritten with dL/dz): fill ``dW`` and ``db``; return dL/dx in
        ``grad_in`` (None for the first layer)."""
        layer = self.layer
        layer.activation.backward_inplace(layer.z, layer.a, grad, self.mask)
        return layer.backward_from_z(grad, self.grad_in is not None, self.grad_in)

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
    """

    def __init__(self, net: Network, batch_size: int, training: bool = False) -> None:
        dt = net.dtype
        n = self.n = check_int("batch_size", batch_size, minimum=1)
        self.net = net
        self.training = training
        self.steps: list[DenseStep | DropoutStep] = [
            DenseStep(layer, n, dt, training, first=i == 0) if isinstance(layer, Dense) else DropoutStep(layer)
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
        z = layer.weighted_sum(x, out.z)
        a = softmax(z, out.a, shifted=self.shifted, row_max=self.row_max, row_sum=self.row_sum)
        layer.x, layer.z, layer.a = x, z, a            # the caches Dense.forward keeps
        labels = self.targets = self.labels
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
