"""PyTorch: an ``nn.Sequential`` of ``Linear`` layers and activations, read and written."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._util.extras import require
from .._util.validate import check_positive_int
from ..errors import ArgumentTypeError, HyperparameterError, ShapeError
from .spec import DenseSpec, DropoutSpec, Imported, Spec, network_specs

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["read_torch", "to_torch", "SUPPORTED_MODULES"]

#: PyTorch's activation modules with no parameters → neuronlab names
_PLAIN = {"ReLU": "relu", "SELU": "selu", "Sigmoid": "sigmoid", "Tanh": "tanh", "SiLU": "silu", "Mish": "mish",
          "Softsign": "softsign", "Hardsigmoid": "hard_sigmoid"}
#: every module :func:`from_torch` reads, for messages
SUPPORTED_MODULES = ("Linear", "Dropout", "Flatten", "Identity", "ReLU", "LeakyReLU", "ELU", "SELU", "GELU",
                     "Sigmoid", "Tanh", "Softplus", "SiLU", "Mish", "Softsign", "Hardsigmoid", "Hardtanh",
                     "Softmax", "LogSoftmax (last)")


def _torch() -> Any:
    return require("torch", extra="torch", what="PyTorch import and export", package="torch")


def _modules(module: Any, nn: Any) -> list[Any]:
    """The leaf modules of a (possibly nested) ``nn.Sequential``, in order."""
    if isinstance(module, nn.Sequential):
        return [leaf for child in module for leaf in _modules(child, nn)]
    return [module]


def _activation(m: Any, where: str) -> tuple[str, dict[str, float]] | None:
    """``(name, params)`` of an activation module, or None if ``m`` is not one."""
    kind = type(m).__name__
    if kind in _PLAIN:
        return _PLAIN[kind], {}
    if kind == "LeakyReLU":
        if not m.negative_slope > 0:
            raise HyperparameterError(f"{where}: LeakyReLU(negative_slope={m.negative_slope}) is supported for "
                                      "a positive slope only (use ReLU for 0)")
        return "leaky_relu", {"alpha": float(m.negative_slope)}
    if kind == "ELU":
        return "elu", {"alpha": float(m.alpha)}
    if kind == "GELU":
        return ("gelu_tanh" if m.approximate == "tanh" else "gelu"), {}
    if kind == "Softplus":
        if m.beta != 1 or m.threshold < 20:
            raise HyperparameterError(f"{where}: Softplus(beta={m.beta}, threshold={m.threshold}) has no "
                                      "neuronlab equivalent; supported: beta=1 with threshold >= 20 (the default)")
        return "softplus", {}
    if kind == "Hardtanh":
        if (m.min_val, m.max_val) != (-1.0, 1.0):
            raise HyperparameterError(f"{where}: Hardtanh(min_val={m.min_val}, max_val={m.max_val}) has no "
                                      "neuronlab equivalent; supported: min_val=-1, max_val=1")
        return "hard_tanh", {}
    if kind in ("Softmax", "LogSoftmax"):
        if m.dim not in (-1, 1, None):
            raise ShapeError(f"{where}: {kind}(dim={m.dim}) is supported over the features only (dim=-1 or 1)")
        return "softmax", {}
    return None


class _Reader:
    """Walks the leaf modules, closing one Dense layer at each activation, Dropout or next Linear."""

    def __init__(self) -> None:
        self.specs: list[Spec] = []
        self.open: DenseSpec | None = None   # a Linear still waiting for its activation
        self.log_output = False

    def linear(self, m: Any, where: str, dtype: Any) -> None:
        if m.in_features == 0 or getattr(m.weight, "is_meta", False) or type(m).__name__.startswith("Lazy"):
            raise ShapeError(f"{where}: a lazy or uninitialised Linear has no weights yet; run the model once "
                             "on an input first")
        W = m.weight.detach().cpu().to(dtype).numpy().T.copy()
        before = [s for s in self.specs if isinstance(s, DenseSpec)]
        if before and before[-1].W.shape[1] != W.shape[0]:
            raise ShapeError(f"{where}: Linear takes {W.shape[0]} inputs but {before[-1].where} gives "
                             f"{before[-1].W.shape[1]} outputs; the model cannot run as written")
        b = None if m.bias is None else m.bias.detach().cpu().to(dtype).numpy().copy()
        self.open = DenseSpec(W, b, "identity", {}, where)
        self.specs.append(self.open)

    def activation(self, name: str, params: dict[str, float], where: str, kind: str) -> None:
        if self.open is None:
            follows = "the input" if not self.specs else "a Dropout or another activation"
            raise ShapeError(f"{where}: {kind} follows {follows}, not a Linear layer; neuronlab applies one "
                             "activation right after each Linear (put Dropout after the activation)")
        self.open.activation, self.open.params = name, params
        self.open = None


def _read(leaves: list[Any], nn: Any, dtype: Any) -> _Reader:
    reader = _Reader()
    for i, m in enumerate(leaves):
        kind, where = type(m).__name__, f"module {i} ({type(m).__name__})"
        if reader.log_output:
            raise ShapeError(f"{where} comes after LogSoftmax; LogSoftmax is read as the output layer only")
        if isinstance(m, nn.Linear):
            reader.linear(m, where, dtype)
        elif isinstance(m, nn.Dropout) and kind == "Dropout":
            reader.open = None
            if m.p > 0:
                reader.specs.append(DropoutSpec(float(m.p), where))
        elif isinstance(m, nn.Identity):
            continue
        elif isinstance(m, nn.Flatten):
            if m.start_dim != 1:
                raise ShapeError(f"{where}: Flatten(start_dim={m.start_dim}) changes the batch; supported: "
                                 "start_dim=1 (a no-op on rows of features)")
        else:
            act = _activation(m, where)
            if act is None:
                raise ArgumentTypeError(f"{where}: {kind} layers are not supported; from_torch reads an "
                                        f"nn.Sequential of {', '.join(SUPPORTED_MODULES)}")
            reader.activation(*act, where, kind)
            reader.log_output = kind == "LogSoftmax"
    return reader


def read_torch(module: Any, n_inputs: int | None = None) -> Imported:
    """The layers, loss and metadata of a PyTorch model, which :func:`neuronlab.interop.from_torch`
    documents: the weights in float64 for a double model, else float32; the loss None (it
    follows the output activation) unless the module came from :func:`to_torch`."""
    torch = _torch()
    nn = torch.nn
    if not isinstance(module, nn.Module):
        raise ArgumentTypeError(f"from_torch reads a torch.nn.Sequential, got {type(module).__name__}")
    if not isinstance(module, (nn.Sequential, nn.Linear)):
        raise ArgumentTypeError(f"from_torch reads an nn.Sequential; the module {type(module).__name__} has its own "
                                "forward() code, which cannot be read: rebuild it as an nn.Sequential of "
                                f"{', '.join(SUPPORTED_MODULES)}")
    params = list(module.parameters())
    dtype = torch.float64 if params and params[0].dtype == torch.float64 else torch.float32
    reader = _read(_modules(module, nn), nn, dtype)
    dense = [s for s in reader.specs if isinstance(s, DenseSpec)]
    if dense and n_inputs is not None and check_positive_int("n_inputs", n_inputs) != dense[0].W.shape[0]:
        raise ShapeError(f"n_inputs is {n_inputs} but the first Linear takes {dense[0].W.shape[0]} features; "
                         "leave n_inputs out or give the model's input size")
    extra = getattr(module, "neuronlab", None)
    extra = extra if isinstance(extra, dict) else {}
    found = Imported(reader.specs, extra.get("loss"), dict(extra.get("metadata") or {}),
                     f"this {type(module).__name__}")
    found.metadata.setdefault("task", found.task())
    found.metadata.setdefault("source", "torch")
    if reader.log_output:
        found.metadata["log_probabilities"] = True
    return found


def _module_for(name: str, params: dict[str, float], nn: Any) -> Any:
    """The PyTorch module computing neuronlab's activation ``name`` (None for identity)."""
    modules = {"relu": nn.ReLU, "selu": nn.SELU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softplus": nn.Softplus,
               "silu": nn.SiLU, "mish": nn.Mish, "softsign": nn.Softsign, "hard_sigmoid": nn.Hardsigmoid,
               "hard_tanh": nn.Hardtanh, "gelu": nn.GELU}
    if name == "identity":
        return None
    if name == "leaky_relu":
        return nn.LeakyReLU(params["alpha"])
    if name == "elu":
        return nn.ELU(params["alpha"])
    if name == "gelu_tanh":
        return nn.GELU(approximate="tanh")
    if name == "softmax":
        return nn.Softmax(dim=-1)
    return modules[name]()


def to_torch(net: "Network") -> Any:
    """An ``nn.Sequential`` computing what ``net`` computes, in eval mode.

    Each Dense layer becomes ``nn.Linear`` (weights transposed to PyTorch's (out, in)) and
    its activation module (none for identity); Dropout becomes ``nn.Dropout``.  Parameters
    are float64 for a float64 network, else float32.  The loss and the metadata travel as
    the module's ``neuronlab`` attribute, which ``from_torch`` reads back.

    Raises
    ------
    ArgumentTypeError
        For an activation PyTorch has no exact module for (step, or one registered by the user).
    """
    torch = _torch()
    nn = torch.nn
    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    modules: list[Any] = []
    for spec in network_specs(net, "PyTorch"):
        if isinstance(spec, DropoutSpec):
            modules.append(nn.Dropout(spec.rate))
            continue
        n_in, n_out = spec.W.shape
        linear = nn.Linear(n_in, n_out, bias=spec.b is not None, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(spec.W.T)))
            if spec.b is not None:
                linear.bias.copy_(torch.from_numpy(spec.b))
        modules.append(linear)
        act = _module_for(spec.activation, spec.params, nn)
        if act is not None:
            modules.append(act)
    model = nn.Sequential(*modules).eval()
    model.neuronlab = {"loss": net.loss.name, "metadata": dict(net.metadata)}
    return model
