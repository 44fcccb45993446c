"""ONNX files: chains of ``MatMul``/``Gemm`` + ``Add`` + activation, read and written.

Reading never runs anything from the file: the graph is parsed with ``onnx`` (protobuf,
no code), matched node by node against the layers neuronlab has, and only its constant
tensors are turned into arrays.  A tensor stored outside the file (external data) is
refused, and so are files over :data:`MAX_FILE_BYTES` and tensors whose declared size is
over :data:`~neuronlab.interop.spec.MAX_PARAMETERS`, before anything is allocated.
"""
from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, BinaryIO, Callable

import numpy as np
import numpy.typing as npt

from .. import activations
from .._util.extras import require
from .._util.files import atomic_write
from ..errors import ArgumentTypeError, DataError, ModelFileError, ShapeError
from .spec import MAX_PARAMETERS, DenseSpec, DropoutSpec, Imported, Spec, network_specs, readable_float

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["read_onnx", "to_onnx", "OPSET", "MAX_FILE_BYTES", "SUPPORTED_OPS"]

#: The opset the files are written with (standard ``ai.onnx`` operators only).
OPSET = 17
#: The largest ONNX file :func:`from_onnx` reads.
MAX_FILE_BYTES = 512 * 2 ** 20
#: Every operator :func:`from_onnx` reads, for messages
SUPPORTED_OPS = ("MatMul", "Gemm", "Add", "Relu", "LeakyRelu", "Elu", "Selu", "Gelu", "Sigmoid", "Tanh",
                 "Softplus", "Softsign", "HardSigmoid", "Clip(-1, 1)", "Mish", "Softmax", "LogSoftmax (last)",
                 "Identity", "Dropout", "Flatten", "and x·σ(x), x·tanh(softplus(x)), GELU's erf and tanh forms "
                 "written with Mul, Add, Div, Pow, Erf, Tanh")

#: single operators that are one neuronlab activation with no parameters
_PLAIN = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softplus", "Softsign": "softsign",
          "Mish": "mish", "Softmax": "softmax", "LogSoftmax": "softmax"}
#: elementwise operators a composed activation may be written with
_ELEMENTWISE = {"Add", "Sub", "Mul", "Div", "Pow", "Erf", "Tanh", "Sigmoid", "Softplus", "Exp", "Log", "Neg",
                "Abs", "Sqrt", "Reciprocal", "Relu"}
#: the activations a composed subgraph is compared with
_COMPOSED = ("gelu", "gelu_tanh", "silu", "mish")
_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)


def _onnx() -> Any:
    return require("onnx", extra="onnx", what="ONNX import and export", package="onnx")


# =======================================================================================
# Reading
# =======================================================================================

def _load(path: Any) -> Any:
    onnx = _onnx()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataError(f"no such ONNX file: {path}")
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise ModelFileError(f"{path} is {size:,} bytes, more than the {MAX_FILE_BYTES:,} an ONNX file read "
                             "by neuronlab may have")
    with open(path, "rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    try:
        model = onnx.load_model_from_string(data)
    except Exception as err:  # protobuf's DecodeError and friends: the bytes are not a model
        raise ModelFileError(f"{path} is not an ONNX model ({type(err).__name__}: {err})") from None
    if not model.HasField("graph") or not model.graph.node:
        raise ModelFileError(f"{path} is not an ONNX model (it holds no graph)")
    return model


def _tensor(t: Any, onnx: Any, where: str) -> npt.NDArray[Any]:
    """A constant tensor as an array, after checking where its data is and how big it says it is."""
    if t.data_location == onnx.TensorProto.EXTERNAL or t.external_data:
        raise ModelFileError(f"{where}: tensor {t.name!r} keeps its data in another file (external data); "
                             "neuronlab reads self-contained ONNX files only: save the model with its weights "
                             "inside (onnx.save_model(model, path, save_as_external_data=False))")
    dims = list(t.dims)
    if any(d < 0 for d in dims) or math.prod(dims) > MAX_PARAMETERS:
        raise ModelFileError(f"{where}: tensor {t.name!r} declares shape {dims}, more than the "
                             f"{MAX_PARAMETERS:,} values an imported model may have")
    if t.data_type not in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.INT64,
                           onnx.TensorProto.FLOAT16):
        raise ModelFileError(f"{where}: tensor {t.name!r} has ONNX type "
                             f"{onnx.TensorProto.DataType.Name(t.data_type)}; supported: float, double")
    try:
        arr = onnx.numpy_helper.to_array(t)
    except Exception as err:
        raise ModelFileError(f"{where}: tensor {t.name!r} is damaged ({type(err).__name__}: {err})") from None
    if arr.size != math.prod(dims):
        raise ModelFileError(f"{where}: tensor {t.name!r} holds {arr.size} values but declares shape {dims}")
    return arr.astype(np.float32) if arr.dtype == np.float16 else arr


class _Graph:
    """The graph's nodes, who consumes each tensor, and its constants."""

    def __init__(self, model: Any, path: str) -> None:
        onnx = _onnx()
        g = model.graph
        self.path = path
        for opset in model.opset_import:
            if opset.domain not in ("", "ai.onnx"):
                raise ModelFileError(f"{path}: operators of domain {opset.domain!r} are not standard ONNX; "
                                     f"supported: {', '.join(SUPPORTED_OPS)}")
        self.consts: dict[str, npt.NDArray[Any]] = {t.name: _tensor(t, onnx, path) for t in g.initializer}
        self.nodes = []
        for i, node in enumerate(g.node):
            if node.op_type == "Constant":
                self._constant(node, i, onnx)
            else:
                self.nodes.append(node)
        inputs = [v for v in g.input if v.name not in self.consts]
        if len(inputs) != 1 or len(g.output) != 1:
            raise ShapeError(f"{path}: the graph has {len(inputs)} inputs and {len(g.output)} outputs; a network "
                             "has one of each (a branching graph cannot be read)")
        self.input, self.output = inputs[0].name, g.output[0].name
        self.consumers: dict[str, list[Any]] = {}
        for node in self.nodes:
            for name in node.input:
                if name and name not in self.consts:
                    self.consumers.setdefault(name, []).append(node)

    def _constant(self, node: Any, i: int, onnx: Any) -> None:
        attrs = {a.name: a for a in node.attribute}
        if "value" not in attrs:
            raise ModelFileError(f"{self.where(node, i)}: Constant without a 'value' tensor is not supported")
        self.consts[node.output[0]] = _tensor(attrs["value"].t, onnx, self.where(node, i))

    @staticmethod
    def where(node: Any, i: int | None = None) -> str:
        label = f" {node.name!r}" if node.name else ""
        return f"node{label} ({node.op_type})"

    def const(self, name: str) -> npt.NDArray[Any] | None:
        return self.consts.get(name)


def _attrs(node: Any) -> dict[str, Any]:
    onnx = _onnx()
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class _Walk:
    """Follows the chain from the graph's input to its output, one layer at a time."""

    def __init__(self, graph: _Graph) -> None:
        self.g = graph
        self.specs: list[Spec] = []
        self.open: DenseSpec | None = None     # a MatMul/Gemm whose bias and activation may follow
        self.biased = False
        self.log_output = False

    def fail(self, node: Any, why: str) -> ShapeError:
        return ShapeError(f"{self.g.path}: {self.g.where(node)} {why}; neuronlab reads chains of "
                          f"{', '.join(SUPPORTED_OPS)}")

    def weights(self, node: Any, name: str) -> npt.NDArray[Any]:
        W = self.g.const(name)
        if W is None or W.ndim != 2:
            raise self.fail(node, "multiplies by something that is not a constant 2-D weight matrix")
        return W

    def dense(self, node: Any, W: npt.NDArray[Any], b: npt.NDArray[Any] | None) -> None:
        if self.specs and isinstance(self.specs[-1], DenseSpec):
            prev = self.specs[-1].W.shape[1]
            if W.shape[0] != prev:
                raise self.fail(node, f"takes {W.shape[0]} inputs but the layer before gives {prev}")
        self.open = DenseSpec(np.array(W), None if b is None else np.array(b).reshape(-1), "identity", {},
                              self.g.where(node))
        self.biased = b is not None
        self.specs.append(self.open)

    def step(self, node: Any, current: str) -> None:
        op = node.op_type
        if op == "MatMul":
            if node.input[0] != current:
                raise self.fail(node, "multiplies the weights by the data (W·x); neuronlab reads x·W")
            self.dense(node, self.weights(node, node.input[1]), None)
        elif op == "Gemm":
            self.gemm(node, current)
        elif op == "Add":
            self.add(node, current)
        elif op in ("Identity", "Flatten"):
            if op == "Flatten" and _attrs(node).get("axis", 1) != 1:
                raise self.fail(node, "flattens with axis != 1")
        elif op == "Dropout":
            ratio = self.g.const(node.input[1]) if len(node.input) > 1 and node.input[1] else None
            rate = float(_attrs(node).get("ratio", 0.5) if ratio is None else ratio.reshape(-1)[0])
            self.open = None
            if rate > 0:
                self.specs.append(DropoutSpec(readable_float(rate), self.g.where(node)))
        else:
            name, params = self.activation(node)
            self.set_activation(node, name, params)
            self.log_output = op == "LogSoftmax"

    def gemm(self, node: Any, current: str) -> None:
        a = _attrs(node)
        if node.input[0] != current or a.get("transA", 0):
            raise self.fail(node, "multiplies the weights by the data; neuronlab reads x·W (transA=0)")
        if a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
            raise self.fail(node, "scales its product (alpha or beta != 1)")
        W = self.weights(node, node.input[1])
        W = W.T if a.get("transB", 0) else W
        b = self.g.const(node.input[2]) if len(node.input) > 2 and node.input[2] else None
        if b is not None and b.size != W.shape[1]:
            raise self.fail(node, f"adds {b.size} biases to {W.shape[1]} outputs")
        self.dense(node, W, b)

    def add(self, node: Any, current: str) -> None:
        other = [n for n in node.input if n != current]
        b = self.g.const(other[0]) if len(other) == 1 else None
        if self.open is None or self.biased or self.open.activation != "identity" or b is None:
            raise self.fail(node, "adds something other than the biases right after a MatMul")
        if b.size != self.open.W.shape[1] or (b.ndim == 2 and b.shape[0] != 1) or b.ndim > 2:
            raise self.fail(node, f"adds a tensor of shape {list(b.shape)} to {self.open.W.shape[1]} outputs")
        self.open.b = np.array(b).reshape(-1)
        self.biased = True

    def activation(self, node: Any) -> tuple[str, dict[str, float]]:
        op, a = node.op_type, _attrs(node)
        if op in _PLAIN:
            if op in ("Softmax", "LogSoftmax") and a.get("axis", -1) not in (-1, 1):
                raise self.fail(node, f"normalises over axis {a.get('axis')}, not the features")
            return _PLAIN[op], {}
        if op == "LeakyRelu":
            return "leaky_relu", {"alpha": readable_float(a.get("alpha", 0.01))}
        if op == "Elu":
            return "elu", {"alpha": readable_float(a.get("alpha", 1.0))}
        if op == "Selu":
            if not np.allclose([a.get("alpha", _SELU[0]), a.get("gamma", _SELU[1])], _SELU, rtol=1e-6, atol=0):
                raise self.fail(node, "has alpha and gamma other than SELU's constants")
            return "selu", {}
        if op == "HardSigmoid":
            if not (np.isclose(a.get("alpha", 0.2), 1 / 6, rtol=1e-6) and a.get("beta", 0.5) == 0.5):
                raise self.fail(node, f"has alpha={a.get('alpha', 0.2):g}, beta={a.get('beta', 0.5):g}; "
                                      "neuronlab's hard_sigmoid is PyTorch's (alpha=1/6, beta=0.5)")
            return "hard_sigmoid", {}
        if op == "Gelu":
            return ("gelu_tanh" if a.get("approximate", "none") in ("tanh", b"tanh") else "gelu"), {}
        if op == "Clip":
            low, high = self._clip_bounds(node, a)
            if (low, high) != (-1.0, 1.0):
                raise self.fail(node, f"clips to [{low}, {high}]; supported: [-1, 1] (hard_tanh)")
            return "hard_tanh", {}
        raise self.fail(node, "is not supported")

    def _clip_bounds(self, node: Any, a: dict[str, Any]) -> tuple[float, float]:
        if len(node.input) > 1:
            bounds = [self.g.const(n) if n else None for n in list(node.input[1:3]) + [""] * (3 - len(node.input))]
            if any(b is None for b in bounds[:2]):
                raise self.fail(node, "clips to bounds that are not constants")
            return float(bounds[0].reshape(-1)[0]), float(bounds[1].reshape(-1)[0])  # type: ignore[union-attr]
        return float(a.get("min", -np.inf)), float(a.get("max", np.inf))

    def set_activation(self, node: Any, name: str, params: dict[str, float]) -> None:
        if self.open is None or self.open.activation != "identity":
            raise self.fail(node, "does not follow a MatMul or Gemm (one activation per layer, Dropout after it)")
        self.open.activation, self.open.params = name, params
        self.open = None


# -- composed activations: a small region where the chain branches and joins again --------

def _regions(g: _Graph, start: str, limit: int = 24) -> list[tuple[list[Any], str]]:
    """Every stretch of elementwise nodes from ``start`` to a tensor where all branches have
    joined again (shortest first), with that tensor; empty if they never join within ``limit`` nodes."""
    produced = {start}
    region: list[Any] = []
    found: list[tuple[list[Any], str]] = []
    pending = list(g.consumers.get(start, []))
    while pending and len(region) < limit:
        ready = [n for n in pending if all(i in produced or i in g.consts or not i for i in n.input)]
        if not ready or ready[0].op_type not in _ELEMENTWISE or len(ready[0].output) != 1:
            break
        node = ready[0]
        pending.remove(node)
        region.append(node)
        produced.add(node.output[0])
        inside = {id(n) for n in region}
        open_ends = [t for t in produced if t == g.output or any(id(c) not in inside for c in g.consumers.get(t, []))]
        if len(open_ends) == 1 and open_ends[0] != start:
            found.append((list(region), open_ends[0]))
        pending += [c for c in g.consumers.get(node.output[0], []) if c not in pending and id(c) not in inside]
    return found


def _evaluate(region: list[Any], g: _Graph, start: str, z: npt.NDArray[np.float64]) -> dict[str, Any]:
    """The region's tensors computed in NumPy on ``z`` (float64)."""
    erf = np.vectorize(math.erf)
    unary: dict[str, Callable[..., Any]] = {"Erf": erf, "Tanh": np.tanh, "Sigmoid": activations.sigmoid, "Softplus": activations.softplus,
             "Exp": np.exp, "Log": np.log, "Neg": np.negative, "Abs": np.abs, "Sqrt": np.sqrt,
             "Reciprocal": np.reciprocal, "Relu": lambda v: np.maximum(v, 0.0)}
    binary: dict[str, Callable[..., Any]] = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power}
    values: dict[str, Any] = {start: z}
    for node in region:
        args = [values[i] if i in values else np.asarray(g.consts[i], dtype=np.float64) for i in node.input]
        with np.errstate(all="ignore"):
            fn = unary.get(node.op_type) or binary[node.op_type]
            values[node.output[0]] = fn(*args)
    return values


def _composed(g: _Graph, start: str, walk: _Walk) -> str:
    """Read the activation written as several nodes after ``start``; return the tensor it ends on."""
    node = g.consumers[start][0]
    found = _regions(g, start)
    if not found:
        raise walk.fail(node, "starts a branch that does not join again as one activation (a branching graph)")
    z = np.concatenate([np.linspace(-6.0, 6.0, 121), [-20.0, -9.0, 9.0, 20.0]])
    for region, end in found:
        got = _evaluate(region, g, start, z)[end]
        for name in _COMPOSED:
            if np.shape(got) == z.shape and np.allclose(got, activations.get(name)(z), rtol=1e-5, atol=1e-6):
                walk.set_activation(region[0], name, {})
                return end
    ops = ", ".join(n.op_type for n in found[-1][0])
    raise walk.fail(node, f"starts a subgraph ({ops}) that computes none of {', '.join(_COMPOSED)}")


def _walk(g: _Graph) -> _Walk:
    walk = _Walk(g)
    current, steps = g.input, 0
    while current != g.output:
        users = g.consumers.get(current, [])
        steps += 1
        if not users or steps > len(g.nodes) + 1:
            raise ShapeError(f"{g.path}: tensor {current!r} leads nowhere; the graph's output is not reached "
                             "from its input along one chain")
        if walk.log_output:
            raise walk.fail(users[0], "comes after LogSoftmax, which is read as the output layer only")
        if len(users) == 1:
            node = users[0]
            walk.step(node, current)
            current = node.output[0]
        else:
            current = _composed(g, current, walk)
    return walk


def read_onnx(path: Any) -> Imported:
    """The layers, loss and metadata of an ONNX file (see :func:`neuronlab.interop.from_onnx`).

    Parameters
    ----------
    path : str or path-like
        A self-contained ``.onnx`` file whose graph is one chain from its input to its output:
        ``MatMul`` + ``Add`` or ``Gemm`` per layer, each followed by at most one activation
        (one operator, or the compositions :func:`to_onnx` writes: SiLU ``x·σ(x)``, Mish
        ``x·tanh(softplus(x))``, GELU's erf and tanh forms), with ``Dropout``, ``Identity``
        and ``Flatten(axis=1)`` in between and ``Softmax`` or ``LogSoftmax`` last.

    Returns
    -------
    Imported
        The weights in their own dtype (float32 or float64); ``task`` and the metadata
        written by :func:`to_onnx` (class labels, feature names, the loss).

    Raises
    ------
    ModelFileError
        For a file that is not ONNX, too large, with external data or damaged tensors.
    ShapeError
        For a graph neuronlab cannot express, naming the node and what is supported.
    """
    path = os.fspath(path)
    model = _load(path)
    g = _Graph(model, path)
    walk = _walk(g)
    meta = _read_metadata(model)
    loss = meta.pop("loss", None)
    found = Imported(walk.specs, loss if isinstance(loss, str) else None, meta, path)
    meta.setdefault("task", found.task())
    meta.setdefault("source", "onnx")
    if walk.log_output:
        meta["log_probabilities"] = True
    return found


def _read_metadata(model: Any) -> dict[str, Any]:
    import json
    for prop in model.metadata_props:
        if prop.key == "neuronlab":
            try:
                meta = json.loads(prop.value)
            except ValueError:
                return {}
            return meta if isinstance(meta, dict) else {}
    return {}


# =======================================================================================
# Writing
# =======================================================================================

class _Writer:
    """Appends nodes and constants to a graph under construction, naming tensors in order."""

    def __init__(self, dtype: np.dtype) -> None:
        self.onnx = _onnx()
        self.dtype = dtype
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.count = 0

    def const(self, name: str, value: Any) -> str:
        arr = np.asarray(value, dtype=self.dtype)
        self.inits.append(self.onnx.numpy_helper.from_array(arr, name))
        return name

    def node(self, op: str, inputs: list[str], prefix: str, **attrs: Any) -> str:
        self.count += 1
        out = f"{prefix}_{op.lower()}{self.count}"
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def activation(self, x: str, name: str, params: dict[str, float], p: str) -> str:
        simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus",
                  "softsign": "Softsign"}
        if name in simple:
            return self.node(simple[name], [x], p)
        if name == "identity":
            return x
        if name == "leaky_relu":
            return self.node("LeakyRelu", [x], p, alpha=params["alpha"])
        if name == "elu":
            return self.node("Elu", [x], p, alpha=params["alpha"])
        if name == "selu":
            return self.node("Selu", [x], p, alpha=_SELU[0], gamma=_SELU[1])
        if name == "hard_sigmoid":
            return self.node("HardSigmoid", [x], p, alpha=1.0 / 6.0, beta=0.5)
        if name == "hard_tanh":
            return self.node("Clip", [x, self.const(f"{p}_min", -1.0), self.const(f"{p}_max", 1.0)], p)
        if name == "softmax":
            return self.node("Softmax", [x], p, axis=-1)
        return self.composed(x, name, p)

    def composed(self, x: str, name: str, p: str) -> str:
        """The activations with no single operator in opset 17, from standard ones."""
        if name == "silu":                                     # x·σ(x)
            return self.node("Mul", [x, self.node("Sigmoid", [x], p)], p)
        if name == "mish":                                     # x·tanh(softplus(x))
            return self.node("Mul", [x, self.node("Tanh", [self.node("Softplus", [x], p)], p)], p)
        half, one = self.const(f"{p}_half", 0.5), self.const(f"{p}_one", 1.0)
        if name == "gelu":                                     # x·(1 + erf(x/√2))·½
            erf = self.node("Erf", [self.node("Div", [x, self.const(f"{p}_sqrt2", math.sqrt(2.0))], p)], p)
            return self.node("Mul", [self.node("Mul", [x, self.node("Add", [erf, one], p)], p), half], p)
        # gelu_tanh: x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))·½
        cube = self.node("Pow", [x, self.const(f"{p}_three", 3.0)], p)
        inner = self.node("Add", [x, self.node("Mul", [cube, self.const(f"{p}_c", 0.044715)], p)], p)
        t = self.node("Tanh", [self.node("Mul", [inner, self.const(f"{p}_k", math.sqrt(2.0 / math.pi))], p)], p)
        return self.node("Mul", [self.node("Mul", [x, self.node("Add", [t, one], p)], p), half], p)


def to_onnx(net: "Network", path: Any) -> None:
    """Write ``net`` as a standard ONNX file (opset :data:`OPSET`), atomically.

    Each Dense layer is ``MatMul`` + ``Add`` and its activation: one operator where ONNX has
    it, else a composition of standard ones (SiLU ``x·σ(x)``, Mish ``x·tanh(softplus(x))``,
    GELU ``x·(1 + erf(x/√2))/2`` and its tanh form), which ``from_onnx`` reads back.
    The input is ``"input"`` of shape (batch, n_inputs), the output ``"output"`` of shape
    (batch, n_outputs), both in the network's dtype (float32 or float64; onnxruntime has
    float32 kernels for every operator used).  The loss and ``net.metadata`` travel as the
    model's ``neuronlab`` metadata property (JSON).

    Raises
    ------
    ArgumentTypeError
        For an activation ONNX cannot express exactly (step, or one registered by the user).
    """
    import json
    onnx = _onnx()
    specs = network_specs(net, "ONNX")
    w = _Writer(net.dtype)
    x = "input"
    for i, spec in enumerate(specs):
        p = f"layer{i}"
        if isinstance(spec, DropoutSpec):
            x = w.node("Dropout", [x, w.const(f"{p}_ratio", spec.rate)], p)
            continue
        x = w.node("MatMul", [x, w.const(f"{p}_W", spec.W)], p)
        if spec.b is not None:
            x = w.node("Add", [x, w.const(f"{p}_b", spec.b)], p)
        x = w.activation(x, spec.activation, spec.params, p)
    elem = onnx.TensorProto.DOUBLE if net.dtype == np.float64 else onnx.TensorProto.FLOAT
    w.nodes.append(onnx.helper.make_node("Identity", [x], ["output"], name="output"))
    graph = onnx.helper.make_graph(
        w.nodes, "neuronlab_network",
        [onnx.helper.make_tensor_value_info("input", elem, ["batch", net.n_inputs])],
        [onnx.helper.make_tensor_value_info("output", elem, ["batch", net.n_outputs])], w.inits)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", OPSET)],
                                   producer_name="neuronlab")
    model.ir_version = 8
    try:
        meta = json.dumps({"loss": net.loss.name, **(net.metadata if isinstance(net.metadata, dict) else {})})
    except (TypeError, ValueError) as err:
        raise ArgumentTypeError(f"net.metadata must be plain JSON values to travel in an ONNX file: {err}") from None
    onnx.helper.set_model_props(model, {"neuronlab": meta})
    onnx.checker.check_model(model)
    data = model.SerializeToString()

    def write(fh: BinaryIO) -> None:
        fh.write(data)

    atomic_write(os.fspath(path), write)
