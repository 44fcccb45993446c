"""The commands between neuronlab and other frameworks: ``neuronlab export`` (a model file
to ONNX or PyTorch) and ``neuronlab import`` (an ONNX file to a model file).  The other
commands read ``.onnx`` files directly (``_load_model``)."""
from __future__ import annotations

import argparse
import os
from typing import Any

from .._util.extras import require
from .._util.files import atomic_write
from ..errors import UsageError
from ..network import Network
from .common import _Formatter, _out, reading
from .model import _load_model, _save_model

__all__ = ["add_interop_commands", "cmd_export", "cmd_import", "torch_snippet"]


def add_interop_commands(sub: Any) -> None:
    """Add ``export`` and ``import`` to the ``neuronlab`` command line's subparsers."""
    p = sub.add_parser(
        "export", help="write a model as an ONNX file or PyTorch weights", formatter_class=_Formatter,
        description="Write a model file as a standard ONNX graph (onnxruntime runs it) or as a PyTorch\n"
                    "state dict (load it with torch.load(path, weights_only=True): no pickled code). For\n"
                    "PyTorch, the lines that rebuild the nn.Sequential and load the weights are printed.",
        epilog="examples:\n  neuronlab export neuronlab-out/model.nlz --to onnx --out model.onnx\n"
               "  neuronlab export neuronlab-out/model.nlz --to torch --out model.pt")
    p.add_argument("model", metavar="MODEL", help="a model file (.nlz) or an ONNX file")
    p.add_argument("--to", required=True, choices=("onnx", "torch"), help="the format to write")
    p.add_argument("--out", required=True, metavar="FILE", help="where to write it")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser(
        "import", help="read an ONNX file into a neuronlab model file", formatter_class=_Formatter,
        description="Read an ONNX file (MatMul/Gemm + Add + activation chains) and write it as a\n"
                    "neuronlab model file, which every other command reads.",
        epilog="examples:\n  neuronlab import model.onnx --out model.nlz\n"
               "  neuronlab inspect model.onnx --data data.csv      # or look at it directly")
    p.add_argument("source", metavar="FILE", help="an .onnx file")
    p.add_argument("--out", required=True, metavar="FILE", help="the model file to write (.nlz)")
    p.set_defaults(func=cmd_import)


def torch_snippet(module: Any, path: str) -> str:
    """Python lines that rebuild ``module`` (an ``nn.Sequential`` from ``Network.to_torch``)
    and load the weights saved at ``path``."""
    layers = ",\n    ".join(f"nn.{child!r}" for child in module)
    double = ".double()" if str(next(module.parameters()).dtype) == "torch.float64" else ""
    return ("import torch\nfrom torch import nn\n\n"
            f"model = nn.Sequential(\n    {layers},\n){double}\n"
            f"model.load_state_dict(torch.load({path!r}, weights_only=True))\nmodel.eval()")


def _export_torch(net: Network, path: str) -> None:
    torch = require("torch", extra="torch", what="neuronlab export --to torch", package="torch")
    module = net.to_torch()
    state = module.state_dict()

    def write(fh: Any) -> None:
        torch.save(state, fh)

    atomic_write(path, write)
    _out(f"wrote {path}: PyTorch weights (a state dict; no code inside). Rebuild the model with:\n")
    _out(torch_snippet(module, path))


def cmd_export(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    out = args.out
    if os.path.isdir(out):
        raise UsageError(f"neuronlab export: error: --out {out} is a folder; give a file name like model.{args.to}")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    if args.to == "onnx":
        net.to_onnx(out)
        from ..interop import OPSET
        _out(f"wrote {out}: ONNX (opset {OPSET}), input 'input' ({net.n_inputs} features), "
             f"output 'output' ({net.n_outputs} values)")
    else:
        _export_torch(net, out)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if not args.source.lower().endswith(".onnx"):
        raise UsageError(f"neuronlab import: error: {args.source} is not an .onnx file; import reads ONNX files "
                         "(for PyTorch or scikit-learn models use nl.from_torch / nl.from_sklearn in Python)")
    net = _load_model(args.source)
    with reading(args.out, "a model file"):
        _save_model(net, args.out)
    sizes = " → ".join(str(s) for s in [net.n_inputs] + [l.n_out for l in net.dense_layers])
    acts = ", ".join(l.activation.name for l in net.dense_layers)
    _out(f"wrote {args.out}: {sizes} ({acts}), loss {net.loss.name}, {net.n_params:,} parameters")
    return 0
