"""The playground's settings: what the page sends, checked with the library's own rules, and
what they build — the data (split and standardised as ``neuronlab train`` does), the network,
and a Python snippet that rebuilds both outside the page.

A configuration is a plain dict (JSON from the page, and the page's URL)::

    {"data": "spirals", "noise": 0.1, "samples": 600, "test_ratio": 0.3,
     "hidden": [8, 8], "activations": ["tanh", "tanh"], "optimizer": "adam",
     "learning_rate": 0.03, "batch_size": 16, "l1": 0.0, "l2": 0.0, "dropout": 0.0, "seed": 0}

``data`` is a built-in name or ``"upload"`` (the CSV uploaded in the page); the output
activation and the loss follow the task: softmax and cross-entropy for classes, identity and
mean squared error for values.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import activations as _activations
from .. import datasets as _datasets
from .. import optimizers as _optimizers
from .._util.registry import unknown_keywords
from .._util.validate import check_fraction, check_int, check_nonnegative, check_positive
from ..errors import DataError, HyperparameterError, ShapeError, UnknownNameError
from ..network import Network

__all__ = ["DEFAULTS", "LIMITS", "PlaygroundData", "check_config", "build_data", "build_network", "snippet"]

DEFAULTS: dict[str, Any] = {
    "data": "spirals", "noise": 0.1, "samples": 600, "test_ratio": 0.3, "target": None,
    "hidden": [8, 8], "activations": ["tanh", "tanh"], "optimizer": "adam", "learning_rate": 0.03,
    "batch_size": 16, "l1": 0.0, "l2": 0.0, "dropout": 0.0, "seed": 0,
}

#: what the page may ask for, so that one tab cannot make the server unusable
LIMITS = {"hidden_layers": 6, "neurons": 64, "samples": 5000, "rows": 20000, "batch_size": 4096}

UPLOAD = "upload"


def check_config(config: dict[str, Any] | None, upload: _datasets.Dataset | None = None) -> dict[str, Any]:
    """The full configuration: ``config`` over :data:`DEFAULTS`, every value checked (an
    unknown key, name or out-of-range number raises the library's error, naming the fix)."""
    cfg = dict(DEFAULTS)
    if config:
        unknown = sorted(set(config) - set(DEFAULTS))
        if unknown:
            raise HyperparameterError(f"unknown setting {unknown_keywords(unknown, DEFAULTS)}; the settings are "
                                      f"{', '.join(DEFAULTS)}")
        cfg.update(config)
    cfg["data"] = _check_data_name(cfg["data"], upload)
    cfg["noise"] = check_nonnegative("noise", cfg["noise"])
    cfg["samples"] = check_int("samples", cfg["samples"], minimum=20, maximum=LIMITS["samples"])
    cfg["test_ratio"] = check_fraction("test_ratio", cfg["test_ratio"], low_inclusive=False)
    hidden = cfg["hidden"]
    if not isinstance(hidden, (list, tuple)) or len(hidden) > LIMITS["hidden_layers"]:
        raise HyperparameterError(f"hidden must be a list of at most {LIMITS['hidden_layers']} layer sizes, "
                                  f"e.g. [8, 8], got {hidden!r}")
    cfg["hidden"] = [check_int(f"hidden layer {i + 1} size", n, minimum=1, maximum=LIMITS["neurons"])
                     for i, n in enumerate(hidden)]
    acts = cfg["activations"]
    if not isinstance(acts, (list, tuple)) or len(acts) != len(cfg["hidden"]):
        raise ShapeError(f"activations must name one activation per hidden layer ({len(cfg['hidden'])}), "
                         f"got {acts!r}")
    cfg["activations"] = [_activations.get(a).name for a in acts]
    cfg["optimizer"] = _optimizers.get(cfg["optimizer"]).name
    cfg["learning_rate"] = check_positive("learning_rate", cfg["learning_rate"])
    cfg["batch_size"] = check_int("batch_size", cfg["batch_size"], minimum=1, maximum=LIMITS["batch_size"])
    cfg["l1"], cfg["l2"] = check_nonnegative("l1", cfg["l1"]), check_nonnegative("l2", cfg["l2"])
    cfg["dropout"] = check_fraction("dropout", cfg["dropout"])
    cfg["seed"] = check_int("seed", cfg["seed"], minimum=0)
    if cfg["target"] is not None and not isinstance(cfg["target"], str):
        raise HyperparameterError(f"target must be a column name or null, got {cfg['target']!r}")
    return cfg


def _check_data_name(name: Any, upload: _datasets.Dataset | None) -> str:
    if name == UPLOAD:
        if upload is None:
            raise DataError("no CSV file has been uploaded yet; choose a file with 'upload CSV' first")
        return name
    if not isinstance(name, str) or name.strip().lower() not in _datasets.names():
        raise UnknownNameError(f"unknown data set {name!r}; choose one of {', '.join(_datasets.names())} "
                               "or upload a CSV file")
    return name.strip().lower()


@dataclass
class PlaygroundData:
    """The data a session trains on: the standardised training and test inputs, their
    targets in the network's encoding, and what they mean (``metadata``, stored in the model)."""

    data: _datasets.Dataset
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    metadata: dict[str, Any]

    @property
    def task(self) -> str:
        return self.data.task

    @property
    def n_outputs(self) -> int:
        return self.data.n_classes if self.task == "classification" else int(self.y_train.shape[1])


def load_data(cfg: dict[str, Any], upload: _datasets.Dataset | None = None) -> _datasets.Dataset:
    """The data set the configuration names (the generated ones with its noise, samples and seed)."""
    name = cfg["data"]
    if name == UPLOAD:
        assert upload is not None                     # check_config refuses "upload" without one
        return upload
    if name in _datasets.generated_names():
        return _datasets.load(name, n=cfg["samples"], noise=cfg["noise"], seed=cfg["seed"])
    return _datasets.load(name)


def build_data(cfg: dict[str, Any], data: _datasets.Dataset) -> PlaygroundData:
    """Split ``data`` (stratified by class) and standardise it on its training rows, as
    ``neuronlab train`` does; values to predict are standardised too."""
    if data.y is None:
        raise DataError(f"{data.name} has no targets to learn from")
    if data.task == "classification" and data.n_classes < 2:
        raise DataError(f"{data.name}: the target has only one class ({data.target_names[0]!r}); "
                        "a classifier needs at least two")
    if len(data) > LIMITS["rows"]:
        raise DataError(f"{data.name} has {len(data):,} rows; the playground trains on at most "
                        f"{LIMITS['rows']:,}: take a sample of the rows")
    train, test = data.split(cfg["test_ratio"], seed=cfg["seed"])
    scaler = _datasets.Standardizer().fit(train.X)
    target_scaler = None
    if data.task == "regression":
        target_scaler = _datasets.Standardizer().fit(np.asarray(train.y, dtype=np.float64).reshape(len(train), -1))
    meta = _datasets.model_metadata(data, scaler, target_scaler)
    X_test = y_test = None
    if len(test):
        X_test, y_test = _datasets.prepare_features(meta, test), _datasets.encode_targets(meta, test)
    return PlaygroundData(data, _datasets.prepare_features(meta, train), _datasets.encode_targets(meta, train),
                          X_test, y_test, meta)


def output_for(task: str) -> str:
    """The output activation the task takes: softmax for classes, identity for values."""
    return "softmax" if task == "classification" else "identity"


def build_network(cfg: dict[str, Any], pd: PlaygroundData) -> Network:
    """A fresh network of the configuration for the data (its seed gives its first weights)."""
    net = Network.mlp([pd.data.n_features, *cfg["hidden"], pd.n_outputs], hidden=list(cfg["activations"]),
                      output=output_for(pd.task), dropout=cfg["dropout"], seed=cfg["seed"])
    net.metadata = dict(pd.metadata)
    return net


def config_of(net: Network, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the hidden layers and activations of ``net`` (a network given to the playground)."""
    dense = net.dense_layers
    cfg = dict(base)
    cfg["hidden"] = [d.n_out for d in dense[:-1]]
    cfg["activations"] = [d.activation.name for d in dense[:-1]]
    rates = [getattr(l, "rate", 0.0) for l in net.layers if l not in dense]
    cfg["dropout"] = float(rates[0]) if rates else 0.0
    if net.seed is not None:
        cfg["seed"] = net.seed
    return cfg


def snippet(cfg: dict[str, Any], epochs: int, data_name: str | None = None) -> str:
    """Python that rebuilds this configuration outside the page and trains it for ``epochs``
    epochs (for a built-in data set and unedited weights, to the same weights)."""
    name = cfg["data"]
    if name == UPLOAD:
        target = f", target={cfg['target']!r}" if cfg.get("target") else ""
        load = f"data = nl.datasets.read_csv({(data_name or 'your-file.csv')!r}{target})"
    elif name in _datasets.generated_names():
        load = f"data = nl.datasets.load({name!r}, n={cfg['samples']}, noise={cfg['noise']!r}, seed={cfg['seed']})"
    else:
        load = f"data = nl.datasets.load({name!r})"
    regression = "target_scaler = nl.datasets.Standardizer().fit(train.y.reshape(len(train), -1))\n"
    lines = [
        "import neuronlab as nl",
        "",
        load,
        f"train, test = data.split({cfg['test_ratio']!r}, seed={cfg['seed']})",
        "scaler = nl.datasets.Standardizer().fit(train.X)",
        "target_scaler = None",
        "if data.task == 'regression':",
        "    " + regression.strip(),
        "meta = nl.datasets.model_metadata(data, scaler, target_scaler)",
        "X, y = nl.datasets.prepare_features(meta, train), nl.datasets.encode_targets(meta, train)",
        "n_out = data.n_classes if data.task == 'classification' else y.shape[1]",
        f"net = nl.Network.mlp([{', '.join(['data.n_features', *map(str, cfg['hidden']), 'n_out'])}], "
        f"hidden={list(cfg['activations'])!r},",
        "                     output='softmax' if data.task == 'classification' else 'identity',",
        f"                     dropout={cfg['dropout']!r}, seed={cfg['seed']})",
        "net.metadata = meta",
        f"history = net.fit(X, y, epochs={max(1, epochs)}, batch_size={cfg['batch_size']}, optimizer={cfg['optimizer']!r},",
        f"                  learning_rate={cfg['learning_rate']!r}, l1={cfg['l1']!r}, l2={cfg['l2']!r})",
        "if len(test):",
        "    print(net.evaluate(nl.datasets.prepare_features(meta, test), nl.datasets.encode_targets(meta, test)))",
        "net.save('playground.nlz')",
    ]
    return "\n".join(lines) + "\n"
