"""The reference formulas, written once in PyTorch: what neuronlab's activations, losses, weight
penalties, networks, optimizers and learning-rate schedules are compared against.

Only test modules that start with ``pytest.importorskip("torch")`` import this module.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------
# activations: name -> (our parameters, the torch function); ``name[param=value]`` keys carry
# non-default parameters
# ---------------------------------------------------------------------------------------------

ACTIVATIONS = {
    "identity": ({}, lambda x: x * 1.0),
    "sigmoid": ({}, lambda x: torch.sigmoid(x)),
    "tanh": ({}, lambda x: torch.tanh(x)),
    "relu": ({}, lambda x: F.relu(x)),
    "leaky_relu": ({}, lambda x: F.leaky_relu(x)),  # torch's default slope 0.01 == our default alpha
    "leaky_relu[alpha=0.1]": ({"alpha": 0.1}, lambda x: F.leaky_relu(x, negative_slope=0.1)),
    "elu": ({}, lambda x: F.elu(x)),
    "elu[alpha=0.5]": ({"alpha": 0.5}, lambda x: F.elu(x, alpha=0.5)),
    "selu": ({}, lambda x: F.selu(x)),
    "gelu": ({}, lambda x: F.gelu(x, approximate="none")),
    "gelu_tanh": ({}, lambda x: F.gelu(x, approximate="tanh")),
    "softplus": ({}, lambda x: F.softplus(x)),  # beta=1, threshold=20: |z| <= 10 stays below it
    "silu": ({}, lambda x: F.silu(x)),
    "swish": ({}, lambda x: F.silu(x)),
    "mish": ({}, lambda x: F.mish(x)),
    "softsign": ({}, lambda x: F.softsign(x)),
    "hard_sigmoid": ({}, lambda x: F.hardsigmoid(x)),
    "hard_tanh": ({}, lambda x: F.hardtanh(x)),
    "softmax": ({}, lambda x: F.softmax(x, dim=-1)),
}


def activation(name: str):
    """The torch function of the built-in activation ``name`` with its default parameters."""
    return ACTIVATIONS[name][1]


def value_and_grad(fn, z: np.ndarray, g: np.ndarray):
    """``fn(z)`` and the vector-Jacobian product ``g · dfn/dz`` by autograd."""
    x = torch.tensor(z, requires_grad=True)
    y = fn(x)
    (y * torch.tensor(g)).sum().backward()
    return y.detach().numpy(), x.grad.numpy()


# ---------------------------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------------------------

TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32,
               np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32,
               "float64": torch.float64, "float32": torch.float32}


def loss_per_sample(name: str, a, y):
    """Per-sample losses written directly in torch."""
    if name == "mse":
        return ((a - y) ** 2).mean(dim=1)
    if name == "mae":
        return (a - y).abs().mean(dim=1)
    if name == "binary_crossentropy":
        return -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).mean(dim=1)
    if y.dim() == 1:
        return -torch.log(a[torch.arange(a.shape[0]), y])
    return -(y * torch.log(a)).sum(dim=1)


def loss_reduce(per_sample, w):
    """The mean, or the ``w``-weighted mean, over the samples."""
    return per_sample.mean() if w is None else (w * per_sample).sum() / w.sum()


def builtin_loss(name: str, a, z, y):
    """torch's own loss functions (cross-entropy from the logits ``z``)."""
    return {"mse": lambda: F.mse_loss(a, y), "mae": lambda: F.l1_loss(a, y),
            "binary_crossentropy": lambda: F.binary_cross_entropy(a, y),
            "cross_entropy": lambda: F.cross_entropy(z, y)}[name]()


def loss_from_logits(name: str, z, y):
    """cross-entropy or binary cross-entropy computed by torch from the logits."""
    if name == "cross_entropy":
        return F.cross_entropy(z, y)
    return F.binary_cross_entropy_with_logits(z, y)


def weight_penalty(Ws, l1: float, l2: float):
    """``l1·Σ|W| + l2/2·ΣW²`` over the weight matrices (never the biases)."""
    return sum(l1 * W.abs().sum() + l2 / 2 * (W ** 2).sum() for W in Ws)


# ---------------------------------------------------------------------------------------------
# a whole network
# ---------------------------------------------------------------------------------------------

def network_forward(net, X, y, loss):
    """The same network written in PyTorch, with the same weights; returns loss, output, grads."""
    dt = TORCH_DTYPE[net.dtype]
    params = []
    a = torch.tensor(X, dtype=dt)
    for layer in net.dense_layers:
        W = torch.tensor(layer.W, dtype=dt, requires_grad=True)
        b = torch.tensor(layer.b, dtype=dt, requires_grad=True)
        params += [W, b]
        z = a @ W + b
        name = layer.activation.name
        a = z if name in ("softmax", "sigmoid") and layer is net.dense_layers[-1] else activation(name)(z)
    if loss == "cross_entropy":
        out = torch.softmax(z, dim=1)
        value = F.cross_entropy(z, torch.tensor(y))
    elif loss == "binary_crossentropy":
        out = torch.sigmoid(z)
        value = F.binary_cross_entropy_with_logits(z, torch.tensor(y, dtype=dt).reshape(z.shape))
    else:
        out = a
        value = F.mse_loss(a, torch.tensor(y, dtype=dt).reshape(a.shape))
    value.backward()
    grads = np.concatenate([p.grad.numpy().ravel() for p in params])
    return value.item(), out.detach().numpy(), grads


# ---------------------------------------------------------------------------------------------
# optimizers and schedules
# ---------------------------------------------------------------------------------------------

def optimizer_steps(cls_name: str, kwargs: dict, p0: np.ndarray, grads, lr_at=None) -> np.ndarray:
    """``torch.optim.<cls_name>`` run over ``grads`` from ``p0``; ``lr_at`` maps step -> new rate."""
    param = torch.tensor(p0.copy(), requires_grad=True)
    opt = getattr(torch.optim, cls_name)([param], **kwargs)
    for i, g in enumerate(grads):
        if lr_at is not None and i in lr_at:
            opt.param_groups[0]["lr"] = lr_at[i]
        param.grad = torch.tensor(g)
        opt.step()
    return param.detach().numpy()


def schedule_rates(torch_name: str, kwargs: dict, base_lr: float, epochs: int) -> list[float]:
    """The learning rate of each epoch under ``torch.optim.lr_scheduler.<torch_name>``."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=base_lr)
    sched = getattr(torch.optim.lr_scheduler, torch_name)(opt, **kwargs)
    rates = []
    for _ in range(epochs):
        rates.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return rates


def network_backward(net, X, y, loss, sample_weight=None, l1=0.0, l2=0.0):
    """The network's backward pass by autograd, layer by layer (Dropout as the identity, as when
    predicting): ``(loss, [per Dense layer: {"z", "a", "dL_da", "delta", "dW", "db"}])``, with the
    loss the (weighted) mean of :func:`loss_per_sample` plus :func:`weight_penalty`."""
    dt = TORCH_DTYPE[net.dtype]
    a = torch.tensor(np.asarray(X, dtype=net.dtype), dtype=dt)
    kept, Ws = [], []
    for layer in net.dense_layers:
        W = torch.tensor(layer.W, dtype=dt, requires_grad=True)
        b = torch.tensor(layer.b, dtype=dt, requires_grad=True)
        z = a @ W + b
        a = activation(layer.activation.name)(z)
        z.retain_grad()
        a.retain_grad()
        kept.append((W, b, z, a))
        Ws.append(W)
    yt = torch.tensor(y) if loss == "cross_entropy" and np.ndim(y) == 1 else torch.tensor(y, dtype=dt).reshape(a.shape)
    w = None if sample_weight is None else torch.tensor(sample_weight, dtype=dt)
    value = loss_reduce(loss_per_sample(loss, a, yt), w) + weight_penalty(Ws, l1, l2)
    value.backward()
    return value.item(), [{"z": z.detach().numpy(), "a": a.detach().numpy(), "dL_da": a.grad.numpy(),
                           "delta": z.grad.numpy(), "dW": W.grad.numpy(), "db": b.grad.numpy()}
                          for W, b, z, a in kept]
