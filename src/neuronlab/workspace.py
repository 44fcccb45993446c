"""The fast path of :class:`~neuronlab.network.Network`: the readable arithmetic, bit for bit,
into buffers allocated once per batch size.

Floor 2 (model).  A private part of :mod:`neuronlab.network`: :class:`_Workspace` holds the
buffers, and the functions below are ``Network`` methods (assigned in its class body, so a
call is a plain method call with no wrapper): the workspace cache
(``Network._workspace``), the forward pass into a workspace (``Network._forward_ws``), one
training step (``Network._train_step``, what :func:`neuronlab.training.fit` runs per
batch), chunked prediction and evaluation (``Network._forward_chunks``,
``Network._evaluate``), and the decisions and metrics both compute per batch
(``Network._decide``, ``Network._metrics``).  ``tests/test_speed_paths.py`` checks them against the readable
path.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .layers import Dense

if TYPE_CHECKING:  # pragma: no cover
    from .network import Network

_PREDICT_CHUNK = 8192
# the ufunc reductions behind np.sum / np.max, called directly in the per-step hot path
# (same results; skips NumPy's Python-level wrapper, ~1–2 µs a call)
_add_reduce = np.add.reduce
_max_reduce = np.maximum.reduce


class _Workspace:
    """Buffers for running one network on batches of one size, allocated once and reused.

    The training loop (:func:`neuronlab.training.fit`) and prediction run the *same*
    per-layer arithmetic as :meth:`Dense.forward <neuronlab.layers.Dense.forward>` and
    :meth:`Dense.backward <neuronlab.layers.Dense.backward>` — ``z = x @ W``,
    ``z += b``, ``a = f(z)``; ``dW = xᵀ·δ``, ``db = Σ δ``, ``dL/dx = δ·Wᵀ`` — but write
    every result into these preallocated arrays (``np.matmul(..., out=)``, in-place
    activations), so a step allocates (almost) nothing.  The results are bit-identical
    to the readable path (``tests/test_speed_paths.py`` checks it).

    Per Dense layer ``i`` (in order): ``z[i]``, ``a[i]`` (n, n_out), ``zeros[i]`` (for
    ReLU's ``maximum``), and for training ``gin[i]`` (n, n_in: dL/dx, which becomes the
    layer below's dL/dz in place), ``mask[i]`` (bool, n, n_out) and ``delta`` (n, k:
    the output layer's dL/dz).
    """

    def __init__(self, net: Network, n: int, training: bool) -> None:
        dt = net.dtype
        self.n = n
        self.training = training
        self.x = np.empty((n, net.n_inputs), dt) if training else None
        self.steps: list[tuple] = []
        first = True
        for layer in net.layers:
            if isinstance(layer, Dense):
                z = np.empty((n, layer.n_out), dt)
                a = np.empty_like(z)
                act = layer.activation
                zeros = np.zeros_like(z) if act.name in ("relu",) else None
                gin = None if (first or not training) else np.empty((n, layer.n_in), dt)
                mask = np.empty(z.shape, bool) if (training and act.name == "relu") else None
                self.steps.append((layer, z, a, zeros, gin, mask))
            else:
                self.steps.append((layer, None, None, None, None, None))
            first = False
        self.hidden = self.steps[:-1]
        self.rsteps = self.steps[::-1]
        if training:
            k = net.n_outputs
            self.delta = np.empty((n, k), dt)
            self.delta1 = self.delta.reshape(-1)
            self.y = np.empty(n, np.int64)
            self.rowk = np.arange(n, dtype=np.int64) * k   # flat index of row i, column 0
            self.flat = np.empty(n, np.int64)
            self.m = np.empty((n, 1), dt)        # row max of the logits
            self.s = np.empty((n, 1), dt)        # row sums of exp(z − max)
            self.s1 = self.s.reshape(-1)
            self.shifted = np.empty((n, k), dt)  # z − max
            self.shifted1 = self.shifted.reshape(-1)
            self.pick = np.empty(n, dt)
            self.pred = np.empty(n, np.int64)
            self.last_y = None


def _workspace(self, n: int, training: bool) -> _Workspace:
    """The cached :class:`_Workspace` for batches of ``n`` samples (a few sizes are kept)."""
    cache = self.__dict__.get("_workspaces")
    if cache is None:
        cache = self._workspaces = {}
    key = (n, training, self.dtype, len(self.layers))
    ws = cache.get(key)
    if ws is None:
        if len(cache) >= 4:          # bound the memory: an epoch needs at most two sizes
            cache.clear()
        ws = cache[key] = _Workspace(self, n, training)
    return ws


def _forward_ws(self, ws: _Workspace, x: np.ndarray, training: bool = False) -> np.ndarray:
    """:meth:`forward` into the workspace's buffers (layers still cache ``x``, ``z``, ``a``)."""
    a = x
    for layer, z, out, zeros, _, _ in ws.steps:
        if z is None:                          # Dropout: its own (readable) forward
            a = layer.forward(a, training)
            continue
        np.matmul(a, layer.W, out=z)           # z = x @ W
        if layer.use_bias:
            z += layer.b                       #   + b
        layer.activation.f_into(z, out, zeros)  # a = f(z)
        layer.x, layer.z, layer.a = a, z, out
        a = out
    return a


def _labels_fast(self, y: np.ndarray) -> bool:
    """Whether the fused softmax + cross-entropy step with integer labels applies."""
    return (self.loss.name == "cross_entropy" and self.output_activation.name == "softmax"
            and self.n_outputs > 1 and y.ndim == 1 and y.dtype.kind in "iu")


def _train_step(self, ws: _Workspace, X: np.ndarray, y: np.ndarray, idx: np.ndarray,
                sample_weight: np.ndarray | None, optimizer: Any, l1: float = 0.0, l2: float = 0.0,
                loss_out: np.ndarray | None = None, hit_out: np.ndarray | None = None) -> float | None:
    """One training step on ``X[idx]``: :meth:`train_on_batch`'s arithmetic, bit for bit,
    into the workspace ``ws`` (built for ``len(idx)`` samples).

    With ``loss_out``/``hit_out`` (softmax + cross_entropy with integer labels, see
    :meth:`_labels_fast`) the per-sample losses (log-sum-exp from the logits, the same
    numbers :meth:`loss_value` averages) and per-sample hits (argmax = label) are
    written there and ``None`` is returned; the caller averages them once per epoch.
    Otherwise the batch loss (with penalties) is returned, as by :meth:`train_on_batch`.
    """
    a = xb = ws.x
    X.take(idx, 0, xb, "clip")          # xb = X[idx]: gather the batch, no allocation
    for layer, z, out, zeros, _, _ in ws.hidden:       # hidden layers, as _forward_ws
        if z is None:
            a = layer.forward(a, True)
            continue
        np.matmul(a, layer.W, out=z)
        if layer.use_bias:
            z += layer.b
        layer.activation.f_into(z, out, zeros)
        layer.x, layer.z, layer.a = a, z, out
        a = out
    out_layer, z, out, zeros, _, out_mask = ws.steps[-1]
    np.matmul(a, out_layer.W, out=z)
    if out_layer.use_bias:
        z += out_layer.b
    out_layer.x, out_layer.z, out_layer.a = a, z, out
    delta = ws.delta
    if loss_out is not None:
        # softmax, keeping what the loss needs: shifted = z − max, s = Σ e^shifted
        shifted, s = ws.shifted, ws.s
        _max_reduce(z, 1, None, ws.m, True)            # = np.max(z, axis=1, keepdims=True)
        np.subtract(z, ws.m, out=shifted)
        np.exp(shifted, out=out)
        _add_reduce(out, 1, None, s, True)             # = np.sum(out, axis=1, keepdims=True)
        np.divide(out, s, out=out)
        yb = ws.y
        y.take(idx, None, yb, "clip")                  # yb = y[idx]
        flat = ws.flat
        np.add(ws.rowk, yb, out=flat)                 # index of (row i, label y_i)
        # per-sample loss: log Σ e^(z − max) − (z_y − max)   (as CrossEntropy does)
        np.log(ws.s1, out=loss_out)
        loss_out -= ws.shifted1.take(flat, None, ws.pick, "clip")
        np.equal(out.argmax(1, ws.pred), yb, out=hit_out)
        # fused dL/dz = (a − onehot(y)) / n
        if sample_weight is None:
            np.copyto(delta, out)
            ws.delta1[flat] -= 1.0
            delta *= 1.0 / ws.n
        else:
            self.loss.fused_gradient(out, yb, sample_weight, out=delta)
        loss = None
    else:
        out_layer.activation.f_into(z, out, zeros)
        yb = ws.last_y = y[idx]
        loss = self.loss_value(yb, sample_weight)
        if self.loss.fused_activation == out_layer.activation.name:
            self.loss.fused_gradient(out, yb, sample_weight, out=delta)
        else:
            self.loss.gradient(out, yb, sample_weight, out=delta)
            out_layer.activation.backward_inplace(z, out, delta, out_mask)
    # backpropagation, output layer down (as Dense.backward_from_z)
    g = delta
    for layer, z, out, _, gin, mask in ws.rsteps:
        if z is None:                          # Dropout
            g = layer.backward(g, True)
            continue
        if g is not delta:
            layer.activation.backward_inplace(z, out, g, mask)   # dL/da → dL/dz
        np.matmul(layer.x.T, g, out=layer.dW)                     # dW = xᵀ·δ
        if layer.use_bias:
            _add_reduce(g, 0, None, layer.db)                     # db = Σ δ  (np.sum without its wrapper)
        if gin is None:
            break
        np.matmul(g, layer.W.T, out=gin)                          # dL/dx = δ·Wᵀ
        g = gin
    if l1 or l2:
        loss += self.add_penalty_gradients(l1, l2)
    optimizer.step(self.parameters, self.gradients)
    return loss


def _forward_chunks(self, X: np.ndarray) -> np.ndarray:
    # the readable forward's arithmetic into cached buffers (see _Workspace), in chunks
    n = len(X)
    result = np.empty((n, self.n_outputs), self.dtype)
    for i in range(0, n, _PREDICT_CHUNK):
        xb = X[i:i + _PREDICT_CHUNK]
        result[i:i + len(xb)] = self._forward_ws(self._workspace(len(xb), False), xb)
    return result


def _evaluate(self, X: np.ndarray, y: np.ndarray, sw: np.ndarray | None = None) -> dict[str, float]:
    total, weight, parts = 0.0, 0.0, []
    for i in range(0, len(X), _PREDICT_CHUNK):
        xb, yb = X[i:i + _PREDICT_CHUNK], y[i:i + _PREDICT_CHUNK]
        swb = None if sw is None else sw[i:i + _PREDICT_CHUNK]
        a = self._forward_ws(self._workspace(len(xb), False), xb)
        w = float(len(xb) if swb is None else swb.sum())
        total += self.loss_value(yb, swb) * w
        weight += w
        parts.append(a.copy())
    a = np.concatenate(parts) if len(parts) > 1 else parts[0]
    out = {"loss": total / weight}
    out.update(self._metrics(a, y, sw))
    return out


def _decide(self, a: np.ndarray) -> np.ndarray:
    name = self.output_activation.name
    if self.loss.is_classification:
        if a.shape[1] > 1 and name != "sigmoid":
            return np.argmax(a, axis=1)
        labels = (a >= 0.5).astype(np.int64)
        return labels[:, 0] if a.shape[1] == 1 else labels
    return a


def _metrics(self, a: np.ndarray, y: np.ndarray, sw: np.ndarray | None = None) -> dict[str, float]:
    if self.loss.is_classification:
        pred = self._decide(a)
        truth = y
        if y.ndim == 2 and not (self.output_activation.name == "sigmoid"):
            truth = np.argmax(y, axis=1)
        elif y.ndim == 2 and y.shape[1] == 1:
            truth = y[:, 0]
        correct = (pred == np.rint(truth).astype(pred.dtype))
        if correct.ndim == 2:
            correct = correct.mean(axis=1)
        return {"accuracy": float(np.average(correct, weights=sw))}
    err = a - y
    mae = float(np.average(np.abs(err).mean(axis=1), weights=sw))
    ss_res = float(np.sum(err ** 2))
    ss_tot = float(np.sum((y - y.mean(axis=0)) ** 2))
    return {"mae": mae, "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")}
