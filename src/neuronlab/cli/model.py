"""Model files and what the commands compute from a model: loading and saving, the task,
class probabilities, metrics and the confusion matrix, and the modules loaded on demand."""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence

import numpy as np

from .. import datasets as _datasets
from ..errors import DataError
from ..network import Network
from .common import MissingModuleError, _fmt, _table


# =======================================================================================
# Modules written alongside (model files, instruments, pictures)
# =======================================================================================

def _module(name: str, purpose: str):
    import importlib
    try:
        return importlib.import_module(f"neuronlab.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"neuronlab.{name}":
            raise MissingModuleError(
                f"{purpose} needs neuronlab.{name}, which is not part of this installation of neuronlab"
            ) from None
        if err.name and err.name.split(".")[0] == "matplotlib":
            raise MissingModuleError(f"{purpose} needs matplotlib; install it with: pip install 'neuronlab[plot]'") from None
        raise


def _plots_module():
    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; never open a window
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingModuleError("pictures need matplotlib; install it with: pip install 'neuronlab[plot]'") from None
    return _module("plots", "drawing pictures")


def _close_figure(fig: Any) -> None:
    """Release a figure (neuronlab.plots draws without pyplot; close it there only if pyplot made it)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close(fig)
        except Exception:  # pragma: no cover - not one of pyplot's figures
            pass


def _load_model(path: str) -> Network:
    if not os.path.exists(path):
        raise DataError(f"no such model file: {path} (train one with: neuronlab train --out {path})")
    if os.path.isdir(path):
        raise DataError(f"{path} is a folder, not a model file")
    serialize = _module("serialize", "reading model files")
    obj = serialize.load(path)
    if isinstance(obj, Network):
        return obj
    for attr in ("network_", "network", "net_"):
        net = getattr(obj, attr, None)
        if isinstance(net, Network):
            if not net.metadata and isinstance(getattr(obj, "metadata", None), dict):
                net.metadata = dict(obj.metadata)
            return net
    raise DataError(f"{path} holds a {type(obj).__name__}, not a network; "
                              "these commands work on networks written by 'neuronlab train' or net.save()")


def _save_model(net: Network, path: str) -> None:
    _module("serialize", "writing the model file")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    net.save(path)


def _task(net: Network) -> str:
    task = net.metadata.get("task") if isinstance(net.metadata, dict) else None
    if task in ("classification", "regression"):
        return task
    return "classification" if net.is_classifier or net.output_activation.name == "softmax" else "regression"


def _load_for_model(net: Network, args: argparse.Namespace, require_target: bool) -> _datasets.Dataset:
    """``--data`` read the way the model expects it (its task, target column and features)."""
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    return _datasets.load(args.data, target=args.target or meta.get("target"), task=_task(net),
                          require_target=require_target, feature_names=meta.get("feature_names"))


def _n_classes(net: Network) -> int:
    return max(2, net.n_outputs) if net.n_outputs == 1 else net.n_outputs


def _class_proba(net: Network, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n_samples, n_classes); a single sigmoid output gives [1 − p, p]."""
    a = net.predict_proba(X).astype(np.float64)
    if a.shape[1] == 1:
        return np.column_stack([1.0 - a[:, 0], a[:, 0]])
    return a


def _targets_for(net: Network, y: np.ndarray, task: str, n_classes: int) -> np.ndarray:
    """Targets in the form the network's loss wants: labels, a 0/1 column or one-hot rows."""
    if task != "classification":
        return np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if net.n_outputs == 1:
        return np.asarray(y, dtype=np.float64).reshape(-1, 1)
    if net.loss.name == "cross_entropy":
        return np.asarray(y, dtype=np.int64)
    onehot = np.zeros((len(y), n_classes), dtype=np.float64)
    onehot[np.arange(len(y)), np.asarray(y, dtype=np.int64)] = 1.0
    return onehot


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return cm


def _confusion_text(cm: np.ndarray, labels: Sequence[Any]) -> str:
    k = len(labels)
    if k > 20:
        return f"confusion matrix: {k} classes, too many to print (use --json)"
    names = [str(l)[:10] for l in labels]
    rows = [["true \\ predicted", *names]]
    rows += [[names[i], *[str(v) for v in cm[i]]] for i in range(k)]
    return "confusion matrix (rows: true class, columns: predicted class)\n" + \
        _table(rows, "l" + "r" * k).replace("\n", "\n  ").join(["  ", ""])


def _classification_metrics(net: Network, X: np.ndarray, y: np.ndarray, labels: Sequence[Any]) -> dict[str, Any]:
    k = len(labels)
    proba = _class_proba(net, X)
    pred = np.argmax(proba, axis=1)
    loss = net.evaluate(X, _targets_for(net, y, "classification", k))["loss"]
    cm = _confusion(y, pred, k)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    per_class = []
    for i, lab in enumerate(labels):
        tp = int(cm[i, i])
        per_class.append({"class": lab, "support": int(support[i]),
                          "precision": tp / int(predicted[i]) if predicted[i] else None,
                          "recall": tp / int(support[i]) if support[i] else None})
    return {"samples": int(len(y)), "loss": float(loss), "accuracy": float(np.mean(pred == y)),
            "classes": list(labels), "confusion_matrix": cm.tolist(), "per_class": per_class}


def _regression_metrics(net: Network, X: np.ndarray, y_scaled: np.ndarray, meta: dict[str, Any]) -> dict[str, Any]:
    loss = net.evaluate(X, y_scaled)["loss"]
    pred = _datasets.decode_values(meta, net.predict(X))
    truth = _datasets.decode_values(meta, y_scaled)
    err = pred - truth
    ss_tot = float(np.sum((truth - truth.mean(axis=0)) ** 2))
    return {"samples": int(len(truth)), "loss": float(loss), "mae": float(np.mean(np.abs(err))),
            "rmse": float(np.sqrt(np.mean(err ** 2))),
            "r2": 1.0 - float(np.sum(err ** 2)) / ss_tot if ss_tot > 0 else float("nan")}


def _metrics_text(m: dict[str, Any], prefix: str = "") -> str:
    if "accuracy" in m:
        head = f"{prefix}accuracy {m['accuracy']:.4f}   loss {m['loss']:.4f}   ({m['samples']} samples)"
        return head + "\n" + _confusion_text(np.asarray(m["confusion_matrix"]), m["classes"])
    return (f"{prefix}MAE {_fmt(m['mae'])}   RMSE {_fmt(m['rmse'])}   R² {_fmt(m['r2'])}   "
            f"loss {_fmt(m['loss'])}   ({m['samples']} samples)")
