"""Model files: one safe file per model, written atomically, validated when read.

Format (``.nlz``, any extension works): a zip archive of ``.npy`` members, the layout
``numpy.savez`` writes, read back with ``numpy.load(allow_pickle=False)``:

* ``header`` — one JSON document (stored as uint8 bytes): ``format`` ("neuronlab-model"),
  ``version``, ``kind`` ("Network" or an estimator class), the network's architecture
  (``Network.config()``), its ``metadata`` (scaler, class labels, history, ...) and, for an
  estimator, its parameters and fitted attributes;
* ``parameters`` — the network's flat parameter buffer (float32 or float64).

**Loading never executes code from the file**: there is no pickle anywhere, object
arrays are refused, and activations are looked up by name in the registry — a custom
activation must be registered (``nl.activations.register``) before loading.  Every check
that fails raises :class:`~neuronlab.errors.ModelFileError` saying what is wrong.
Writing goes to a temporary file in the same directory which is then renamed over the
target, so an interrupted save leaves the previous file intact.
"""
from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from . import activations
from ._util.extras import install_hint
from ._util.files import read_container, write_container
from .errors import ArgumentTypeError, ModelFileError, NeuronLabError
from .network import Network

__all__ = ["save", "load", "to_json", "network_from_json", "FORMAT", "VERSION"]

FORMAT = "neuronlab-model"
VERSION = 1
#: Estimator classes a model file may name, and the module that defines them.
ESTIMATORS = {"NetworkClassifier": "neuronlab.sklearn", "NetworkRegressor": "neuronlab.sklearn"}


def _network_of(obj: Any) -> tuple[Network, str, dict[str, Any]]:
    """The network inside ``obj``, the file's ``kind`` and the estimator's own state."""
    if isinstance(obj, Network):
        return obj, "Network", {}
    kind = type(obj).__name__
    if kind in ESTIMATORS and hasattr(obj, "_model_state"):
        network, state = obj._model_state()
        return network, kind, state
    raise ArgumentTypeError(f"cannot save a {kind}: pass a neuronlab Network, NetworkClassifier or NetworkRegressor")


def save(obj: Any, path: str | os.PathLike) -> None:
    """Write a network or a fitted estimator to ``path`` atomically.

    Parameters
    ----------
    obj : Network, NetworkClassifier or NetworkRegressor
    path : str or path-like

    Raises
    ------
    ArgumentTypeError
        ``obj`` is not a network or an estimator.
    ModelFileError
        The directory does not exist or cannot be written.
    """
    network, kind, state = _network_of(obj)
    for layer in network.dense_layers:
        if not activations.is_builtin(layer.activation.name) and layer.activation.name not in activations.names():
            raise ModelFileError(f"activation {layer.activation.name!r} is not registered")
    header = {"format": FORMAT, "version": VERSION, "kind": kind, "network": network.config(),
              "metadata": network.metadata, "estimator": state}
    try:
        write_container(path, header, {"parameters": network.parameters})
    except ModelFileError:
        raise
    except (TypeError, ValueError) as err:
        raise ModelFileError(f"metadata must be plain JSON values (numbers, strings, lists, dicts): {err}") from None
    except OSError as err:
        raise ModelFileError(f"cannot write model file {path}: {err.strerror or err}") from None

def _check_header(header: Any, path: Path) -> dict[str, Any]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{path} is not a neuronlab model file (format {header.get('format') if isinstance(header, dict) else None!r})")
    if header.get("version") != VERSION:
        raise ModelFileError(f"{path} has model file version {header.get('version')!r}; this neuronlab "
                             f"reads version {VERSION} — save it again with the neuronlab that trained it")
    return header


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _parameter_count(config: Any, path: Any) -> int:
    """How many parameters the architecture ``config`` declares, computed from its numbers
    alone, before anything of that size is built."""
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list) or not config["layers"]:
        raise ModelFileError(f"{path}: the header has no network architecture")
    total = 0
    for i, spec in enumerate(config["layers"]):
        kind = spec.get("type") if isinstance(spec, dict) else None
        if kind == "Dropout":
            continue
        if kind != "Dense":
            raise ModelFileError(f"{path}: the architecture in the header is invalid (layer {i}: unknown layer "
                                 f"type {kind!r} in config; known: Dense, Dropout)")
        n_in, n_out = spec.get("n_in"), spec.get("n_out")
        if not (_positive_int(n_in) and _positive_int(n_out)):
            raise ModelFileError(f"{path}: the architecture in the header is invalid (layer {i} has n_in={n_in!r}, "
                                 f"n_out={n_out!r}; both must be positive integers)")
        total += n_in * n_out + (n_out if spec.get("use_bias", True) else 0)
    return total


def _expected_members(header: Any, path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """The members a model file with this header must hold: its parameters, of the count and
    dtype the architecture declares."""
    header = _check_header(header, path)
    config = header.get("network")
    count = _parameter_count(config, path)
    dtype = config.get("dtype", "float32")
    if dtype not in ("float32", "float64"):
        raise ModelFileError(f"{path}: the architecture in the header is invalid (dtype {dtype!r}; "
                             f"a network is float32 or float64)")
    return {"parameters": ((count,), np.dtype(dtype))}


def _network_from(header: dict[str, Any], parameters: Any, path: Any) -> Network:
    config = header.get("network")
    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ModelFileError(f"{path}: the header has no network architecture")
    for i, spec in enumerate(config["layers"]):
        act = spec.get("activation") if isinstance(spec, dict) else None
        name = act.get("name") if isinstance(act, dict) else act
        if isinstance(name, str) and name not in activations.names():
            try:
                activations.get(name)
            except NeuronLabError:
                raise ModelFileError(
                    f"{path}: layer {i} uses activation {name!r}, which is not registered; register it with "
                    f"nl.activations.register({name!r}, f=..., derivative=...) before loading"
                ) from None
    try:
        network = Network.from_config(config)
    except (NeuronLabError, KeyError, TypeError, ValueError, AttributeError) as err:
        raise ModelFileError(f"{path}: the architecture in the header is invalid ({err})") from None
    if not isinstance(parameters, np.ndarray):
        raise ModelFileError(f"{path} has no parameters array")
    if parameters.dtype != network.dtype:
        raise ModelFileError(f"{path}: parameters are {parameters.dtype}, the architecture says {network.dtype.name}")
    if parameters.shape != network.parameters.shape:
        raise ModelFileError(f"{path}: {parameters.shape[0] if parameters.ndim == 1 else parameters.shape} parameters "
                             f"stored, the architecture needs {network.n_params}")
    if not np.isfinite(parameters).all():
        bad = int(np.flatnonzero(~np.isfinite(parameters))[0])
        raise ModelFileError(f"{path}: parameter {bad} is {parameters[bad]}; the file holds non-finite weights")
    network.parameters[...] = parameters
    metadata = header.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{path}: metadata must be a JSON object")
    network.metadata = metadata
    return network


def load(path: str | os.PathLike) -> Any:
    """Read a model file written by :func:`save` (``net.save`` / ``est.save``).

    Returns
    -------
    Network, NetworkClassifier or NetworkRegressor
        Whatever was saved; predictions are bit-identical to the saved model's.

    Raises
    ------
    ModelFileError
        Missing, truncated or damaged files, another format or version, shapes or dtypes
        that do not match the architecture, non-finite weights, unregistered activations,
        pickled objects.
    """
    path = Path(path)
    header, members = read_container(path, expect=lambda h: _expected_members(h, path))
    network = _network_from(header, members.get("parameters"), path)
    kind = header.get("kind")
    if kind == "Network":
        return network
    if kind not in ESTIMATORS:
        raise ModelFileError(f"{path}: unknown model kind {kind!r}; known: Network, {', '.join(ESTIMATORS)}")
    try:
        cls = getattr(importlib.import_module(ESTIMATORS[kind]), kind)
    except ImportError as err:
        raise ModelFileError(f"{path} holds a {kind}, which needs scikit-learn; install it with: "
                             f"{install_hint('sklearn')} ({err})") from None
    state = header.get("estimator")
    if not isinstance(state, dict):
        raise ModelFileError(f"{path}: the {kind} state is missing")
    try:
        return cls._from_model_state(network, state)
    except ModelFileError:
        raise
    except (NeuronLabError, KeyError, TypeError, ValueError) as err:
        raise ModelFileError(f"{path}: the {kind} state is invalid ({err})") from None


def to_json(network: Network, indent: int | None = 1) -> str:
    """Architecture and weights as human-readable JSON (weights as nested lists).

    ``Network.from_json`` reads it back; float64 values round-trip exactly, float32
    values too (each is written with enough digits).
    """
    doc = {
        "format": FORMAT, "version": VERSION, "network": network.config(), "metadata": network.metadata,
        "layers": [{"index": i, "activation": layer.activation.name, "weights": layer.W.tolist(),
                    "bias": layer.b.tolist()}
                   for i, layer in enumerate(network.layers) if layer in network.dense_layers],
    }
    return json.dumps(doc, indent=indent, allow_nan=False)


def network_from_json(text: str) -> Network:
    """Rebuild a network from :func:`to_json` output, with the same checks as :func:`load`."""
    try:
        doc = json.loads(text)
    except (TypeError, json.JSONDecodeError) as err:
        raise ModelFileError(f"not valid JSON: {err}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ModelFileError("this JSON is not a neuronlab network (no 'format': 'neuronlab-model')")
    if doc.get("version") != VERSION:
        raise ModelFileError(f"JSON network version {doc.get('version')!r}; this neuronlab reads version {VERSION}")
    layers = doc.get("layers")
    if not isinstance(layers, list):
        raise ModelFileError("the JSON has no 'layers' list of weights")
    config = doc.get("network")
    if not isinstance(config, dict):
        raise ModelFileError("the JSON has no 'network' architecture")
    try:
        given = [(np.asarray(spec["weights"], dtype=np.float64), np.asarray(spec["bias"], dtype=np.float64))
                 for spec in layers]
        declared = _parameter_count(config, "JSON")
        if declared != sum(W.size + b.size for W, b in given):
            raise ModelFileError(f"the JSON holds {sum(W.size + b.size for W, b in given)} weights and biases, "
                                 f"its architecture declares {declared}; export it again with to_json")
        dense = Network.from_config(config).dense_layers
        dtype = np.dtype(config.get("dtype", "float32"))
        parts = []
        for spec, layer, (W, b) in zip(layers, dense, given, strict=True):
            if W.shape != layer.W.shape or b.shape != layer.b.shape:
                raise ModelFileError(f"layer {spec.get('index')}: weights {W.shape} and bias {b.shape}, "
                                     f"the architecture needs {layer.W.shape} and {layer.b.shape}")
            parts += [W.ravel(), b]
        params = np.concatenate(parts).astype(dtype)
    except ModelFileError:
        raise
    except (NeuronLabError, KeyError, TypeError, ValueError, AttributeError) as err:
        raise ModelFileError(f"the JSON network is invalid ({err})") from None
    return _network_from({"network": config, "metadata": doc.get("metadata", {})}, params, "JSON")
