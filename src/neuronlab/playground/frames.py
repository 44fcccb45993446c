"""What the page is sent: the description of the data and the network (JSON, once per
build), the live frames (a JSON header and float32 arrays in one binary message) and the
explanations of a clicked neuron (JSON, the library's own numbers).

A frame is ``uint32 n`` (little-endian), ``n`` bytes of JSON, then the arrays the JSON lists
(``{"name", "shape", "offset"}``, offsets in bytes from the end of the JSON), all
little-endian float32.  The maps come from one batched forward pass over the grid
(:func:`neuronlab.inspect.trace`): the output layer gives the decision regions, the hidden
layers their neurons' pictures.
"""
from __future__ import annotations

import json
import math
import struct
from typing import TYPE_CHECKING, Any

import numpy as np

from ..inspect.trace import trace
from ..layers import Dense
from ..network import Network

if TYPE_CHECKING:
    from .config import PlaygroundData

__all__ = ["GRID", "POINTS", "encode_frame", "decode_frame", "model_message", "grid_inputs", "frame_arrays",
           "drawn_points", "explanation_message"]

#: cells per side of the output map; the hidden neurons' maps take every other cell
GRID = 40
#: at most this many points are drawn over the maps
POINTS = 600


def encode_frame(header: dict[str, Any], arrays: list[tuple[str, np.ndarray]]) -> bytes:
    """One binary message: the JSON ``header`` (with the arrays' names, shapes and offsets
    added) and the arrays as little-endian float32."""
    listed, parts, offset = [], [], 0
    for name, a in arrays:
        data = np.ascontiguousarray(a, dtype="<f4")
        listed.append({"name": name, "shape": list(data.shape), "offset": offset})
        parts.append(data.tobytes())
        offset += data.nbytes
    head = json.dumps({**header, "arrays": listed}, allow_nan=False).encode()
    head += b" " * (-(4 + len(head)) % 4)          # the arrays start on a 4-byte boundary
    return struct.pack("<I", len(head)) + head + b"".join(parts)


def decode_frame(message: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and the arrays of :func:`encode_frame`'s message (what the page reads)."""
    (n,) = struct.unpack_from("<I", message)
    header = json.loads(message[4:4 + n])
    base = 4 + n
    arrays = {}
    for a in header["arrays"]:
        count = int(np.prod(a["shape"])) if a["shape"] else 1
        arrays[a["name"]] = np.frombuffer(message, "<f4", count, base + a["offset"]).reshape(a["shape"])
    return header, arrays


def finite_or_none(v: Any) -> float | None:
    """``v`` as a float, or None (JSON's null) when it is NaN or infinite."""
    v = float(v)
    return v if math.isfinite(v) else None


def _extent(pd: PlaygroundData, fx: int, fy: int) -> list[float]:
    """The map's ``[x0, x1, y0, y1]``: the data's range in the two features, and a margin."""
    X = pd.X_train if pd.X_test is None else np.vstack([pd.X_train, pd.X_test])
    out = []
    for f in (fx, fy):
        lo, hi = float(X[:, f].min()), float(X[:, f].max())
        pad = max(0.1 * (hi - lo), 0.25)
        out += [lo - pad, hi + pad]
    return out


def grid_inputs(n_features: int, extent: list[float], fx: int, fy: int, size: int = GRID) -> np.ndarray:
    """``size × size`` inputs over ``extent`` (row 0 at the top, the largest y), the two map
    features varying and the others at their mean (0 once standardised)."""
    xs = np.linspace(extent[0], extent[1], size)
    ys = np.linspace(extent[3], extent[2], size)
    gx, gy = np.meshgrid(xs, ys)
    G = np.zeros((size * size, n_features))
    G[:, fx], G[:, fy] = gx.ravel(), gy.ravel()
    return G


def drawn_points(pd: PlaygroundData, limit: int = POINTS) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Up to ``limit`` inputs to draw (training rows first, then test rows, evenly sampled),
    their targets (class index, or the first standardised value), whether each is a test row,
    and each one's row (in the training rows, or in the test rows)."""
    X, y = pd.X_train, np.asarray(pd.y_train)
    test = np.zeros(len(X), bool)
    rows = np.arange(len(X))
    if pd.X_test is not None and pd.y_test is not None:
        X, y = np.vstack([X, pd.X_test]), np.concatenate([y, np.asarray(pd.y_test)])
        test = np.concatenate([test, np.ones(len(pd.X_test), bool)])
        rows = np.concatenate([rows, np.arange(len(pd.X_test))])
    keep = np.linspace(0, len(X) - 1, min(limit, len(X))).astype(int)
    target = y[keep] if y.ndim == 1 else y[keep, 0]
    return X[keep], target.astype(np.float64), test[keep], rows[keep]


def model_message(net: Network, pd: PlaygroundData, cfg: dict[str, Any], view: dict[str, int]) -> dict[str, Any]:
    """The network and the data as the page draws them (sent once per build, and when the
    map's features change)."""
    fx, fy = view["map_x"], view["map_y"]
    X, target, test, rows = drawn_points(pd)
    layers = [{"index": i, "kind": type(l).__name__, "n_in": l.n_in, "n_out": l.n_out,
               "activation": l.activation.name if isinstance(l, Dense) else None}
              for i, l in enumerate(net.layers)]
    data = pd.data
    return {
        "type": "model", "config": cfg, "task": pd.task, "dataset": data.name,
        "features": list(data.feature_names),
        "classes": [str(c) for c in data.target_names] if pd.task == "classification" else [],
        "targets": [str(t) for t in data.target_names] if pd.task == "regression" else [],
        "layers": layers, "n_train": int(len(pd.X_train)),
        "n_test": 0 if pd.X_test is None else int(len(pd.X_test)),
        "loss": net.loss.name, "metric": net.metric_name, "output": net.output_activation.name,
        "map": {"x": fx, "y": fy, "extent": _extent(pd, fx, fy), "grid": GRID},
        "points": {"x": X[:, fx].tolist(), "y": X[:, fy].tolist(), "target": target.tolist(),
                   "test": test.tolist(), "row": rows.tolist()},
    }


def frame_arrays(net: Network, pd: PlaygroundData, grid: np.ndarray, points: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The arrays of one frame: every Dense layer's weights and biases, the output map (class
    and confidence, or the value), every hidden neuron's map, and for regression the
    predictions at the drawn points."""
    arrays: list[tuple[str, np.ndarray]] = []
    for i, layer in enumerate(net.layers):
        if isinstance(layer, Dense):
            arrays += [(f"W{i}", layer.W), (f"b{i}", layer.b)]
    t = trace(net, grid)                              # the one forward pass over the grid
    out = t.output
    if pd.task == "classification":
        arrays += [("out_class", out.argmax(axis=1)), ("out_conf", out.max(axis=1))]
    else:
        arrays.append(("out_value", out[:, 0]))
        arrays.append(("pred", net.predict_proba(points)[:, 0]))
    side = int(round(math.sqrt(len(grid))))
    for lt in t.dense[:-1]:
        a = lt.a.reshape(side, side, -1)[::2, ::2]    # the hidden maps at half the resolution
        arrays.append((f"hidden{lt.index}", np.moveaxis(a, 2, 0)))
    return arrays


def explanation_message(net: Network, x: np.ndarray, y: Any, layer: int, neuron: int, sample: int) -> dict[str, Any]:
    """A neuron's forward explanation (``net.explain``) and backward one
    (``net.explain_gradient`` for the bias and for every incoming weight) on one sample."""
    e = net.explain(x, layer, neuron)
    forward = e.to_dict()
    bias = net.explain_gradient(x, y, layer, neuron)
    n_in = net.layers[layer].n_in
    weights = []
    for k in range(n_in):
        g = net.explain_gradient(x, y, layer, neuron, weight=k)
        weights.append({"index": k, "source": g.source, "weight": g.weight, "input": g.input,
                        "gradient": g.gradient})
    backward = {"delta": bias.delta, "dL_da": bias.dL_da, "da_dz": bias.da_dz, "fused": bias.fused,
                "activation_value": bias.activation_value, "target": bias.target, "loss": bias.loss,
                "loss_value": bias.loss_value, "bias_gradient": bias.gradient, "weights": weights,
                "text": str(bias)}
    return {"type": "explanation", "layer": layer, "neuron": neuron, "sample": sample,
            "forward": _plain(forward), "forward_text": str(e), "backward": _plain(backward)}


def _plain(v: Any) -> Any:
    """JSON-safe: NumPy scalars and arrays as Python values, non-finite numbers as None."""
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, np.ndarray):
        return _plain(v.tolist())
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return finite_or_none(v)
    return v
