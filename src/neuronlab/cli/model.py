"""The commands on a saved model — ``evaluate``, ``predict``, ``inspect``, ``explain`` and
``plot`` — and what they (and ``train``) compute from a model: loading and saving it, its
task, class probabilities, metrics and the confusion matrix."""
from __future__ import annotations

import argparse
import csv
import os
import sys
from typing import Any, Sequence

import numpy as np

from .. import datasets as _datasets
from .. import inspect as _inspect
from .. import serialize as _serialize
from .._util.text import format_number, one_line, table
from ..errors import DataError, ShapeError
from ..network import Network
from ..training import History
from ..errors import UsageError
from .common import _close_figure, _err, _fmt, _out, _plots, _plural, _print_json, reading


# =======================================================================================
# Model files and what is computed from a model
# =======================================================================================

def _load_model(path: str) -> Network:
    if not os.path.exists(path):
        raise DataError(f"no such model file: {path} (train one with: neuronlab train --out {path})")
    if os.path.isdir(path):
        raise DataError(f"{path} is a folder, not a model file")
    if path.lower().endswith(".onnx"):
        from ..interop import from_onnx
        with reading(path, "an ONNX file"):
            return from_onnx(path)
    with reading(path, "a model file"):
        obj = _serialize.load(path)
    if isinstance(obj, Network):
        return obj
    if hasattr(obj, "steps"):
        raise DataError(f"{path} holds a scikit-learn Pipeline (its preprocessing, then a network); these commands "
                        "would skip the preprocessing: use it in Python with nl.load(path).predict(X), or save "
                        "the network alone (pipeline[-1].save(path)) to inspect it here")
    for attr in ("network_", "network", "net_"):
        net = getattr(obj, attr, None)
        if isinstance(net, Network):
            if not net.metadata and isinstance(getattr(obj, "metadata", None), dict):
                net.metadata = dict(obj.metadata)
            return net
    raise DataError(f"{path} holds a {type(obj).__name__}, not a network; "
                              "these commands work on networks written by 'neuronlab train' or net.save()")


def _save_model(net: Network, path: str) -> None:
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
    with reading(args.data, "a data file"):
        return _datasets.load(args.data, target=args.target or meta.get("target"), task=_task(net),
                              require_target=require_target, feature_names=meta.get("feature_names"),
                              header=False if args.no_header else None)


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
        table(rows, align="l" + "r" * k).replace("\n", "\n  ").join(["  ", ""])


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


def _metrics_text(m: dict[str, Any], prefix: str = "", matrix: bool = True) -> str:
    """The metrics as text.  Regression: MAE and RMSE in the target's units, R², and the
    loss on standardised targets (what the network minimised), labelled ``std loss``."""
    if "accuracy" in m:
        head = f"{prefix}accuracy {m['accuracy']:.4f}   loss {m['loss']:.4f}   ({m['samples']} samples)"
        if not matrix:
            return head
        return head + "\n" + _confusion_text(np.asarray(m["confusion_matrix"]), m["classes"])
    return (f"{prefix}MAE {format_number(m['mae'])}   RMSE {format_number(m['rmse'])}   R² {_fmt(m['r2'])}   "
            f"std loss {_fmt(m['loss'])}   ({m['samples']} samples; MAE and RMSE in the target's units)")


# =======================================================================================
# Commands
# =======================================================================================

def cmd_evaluate(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=True)
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    y = _datasets.encode_targets(meta, data)
    if _task(net) == "classification":
        m = _classification_metrics(net, X, y, _datasets.class_labels(meta, _n_classes(net)))
    else:
        m = _regression_metrics(net, X, y, meta)
    m = {"model": args.model, "data": args.data, **m}
    if args.json:
        _print_json(m)
    else:
        _out(f"model {args.model} on {data.name}")
        _out(_metrics_text(m))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=False)
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    if _task(net) == "classification":
        k = _n_classes(net)
        labels = _datasets.class_labels(meta, k)
        proba = _class_proba(net, X)
        pred = np.argmax(proba, axis=1)
        header = ["prediction", *[f"p_{lab}" for lab in labels]]
        rows = [[labels[int(i)], *[f"{p:.6g}" for p in pr]] for i, pr in zip(pred, proba)]
    else:
        values = _datasets.decode_values(meta, net.predict(X))
        names = list(meta.get("target_names") or [])
        if len(names) != values.shape[1]:
            names = ["prediction"] if values.shape[1] == 1 else [f"prediction_{i}" for i in range(values.shape[1])]
        header = names
        rows = [[f"{v:.6g}" for v in r] for r in values]
    if args.out and args.out != "-":
        parent = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(parent, exist_ok=True)
        _datasets.write_csv(args.out, header, rows)
        _err(f"wrote {len(rows)} predictions to {args.out}")
    else:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return 0


def _worst_neurons(stats: Any, n: int) -> list[dict[str, Any]]:
    """Per hidden layer, up to ``n`` neurons in trouble: dead first, then saturated, then the
    ones that fire least often (on under 5 % of the samples)."""
    found: list[dict[str, Any]] = []
    for layer in stats.layers:
        if layer.is_output:
            continue
        rate = np.asarray(layer.firing_rate, dtype=np.float64)
        sat = np.asarray(layer.saturation, dtype=np.float64)
        rows: list[dict[str, Any]] = []
        for j in layer.dead_neurons:
            rows.append({"layer": layer.index, "neuron": j, "problem": "dead", "firing_rate": 0.0,
                         "max_activation": float(layer.max[j]),
                         "why": f"never fires on these {layer.n_samples} samples "
                                f"(largest activation value {format_number(layer.max[j])})"})
        for j in layer.saturated_neurons:
            rows.append({"layer": layer.index, "neuron": j, "problem": "saturated",
                         "firing_rate": float(rate[j]), "saturation": float(sat[j]),
                         "why": f"{layer.activation}′ ≈ 0 on {100 * sat[j]:.0f}% of the samples: it has stopped learning"})
        flagged = {r["neuron"] for r in rows}
        for j in np.argsort(rate, kind="stable"):
            j = int(j)
            if j in flagged or rate[j] >= 0.05:
                continue
            rows.append({"layer": layer.index, "neuron": j, "problem": "rarely fires", "firing_rate": float(rate[j]),
                         "why": f"fires on {100 * rate[j]:.1f}% of the samples"})
        found.extend(rows[:n])
    return found


def cmd_inspect(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=False)
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    stats = _inspect.neuron_stats(net, X)
    summary = list(stats.layer_summary())
    by_index = {l.index: l for l in stats.layers}
    worst = _worst_neurons(stats, args.worst) if args.worst else []
    if args.json:
        layers = []
        for row in summary:
            l = by_index[row["layer"]]
            layers.append({**row, "n_dead": len(l.dead_neurons), "n_saturated": len(l.saturated_neurons),
                           "dead_neurons": l.dead_neurons, "saturated_neurons": l.saturated_neurons,
                           "firing_rate": np.asarray(l.firing_rate).tolist(),
                           "mean_activation": np.asarray(l.mean).tolist()})
        _print_json({"model": args.model, "data": args.data, "samples": int(len(X)), "layers": layers,
                     "worst": worst})
        return 0
    _out(f"model {args.model} on {data.name} ({len(X)} samples)")
    rows = [["layer", "activation", "neurons", "% firing", "dead", "saturated"]]
    for row in summary:
        l = by_index[row["layer"]]
        name = f"{row['layer']}" + (" (output)" if row.get("is_output") else "")
        n_dead, n_sat = len(l.dead_neurons), len(l.saturated_neurons)
        rows.append([name, row["activation"], str(row["neurons"]), f"{100 * row['firing']:.1f}",
                      f"{n_dead} ({100 * row['dead']:.0f}%)",
                      f"{n_sat} ({100 * row['saturated']:.0f}%)" if row.get("saturating") else "-"])
    _out(table(rows, align="llrrrr"))
    if args.worst:
        if worst:
            _out("worst neurons:")
            for w in worst:
                _out(f"  layer {w['layer']}, neuron {w['neuron']}: {w['problem']} — {w['why']}")
        else:
            _out("no dead, saturated or rarely firing hidden neurons")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    _check_gradient_args(args)
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=False)
    if args.row >= len(data):
        raise DataError(f"--row {args.row} is past the end: {data.name} has {len(data)} rows (0..{len(data) - 1})")
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    x = X[args.row]
    try:
        expl = net.explain(x, layer=args.layer, neuron=args.neuron)
        grad = _row_gradient(net, meta, data, X, args) if args.gradient else None
    except IndexError as err:
        raise DataError(one_line(err).replace("weight=None explains", "without --weight it explains")) from None
    if args.json:
        d = expl.to_dict() if hasattr(expl, "to_dict") else {"text": str(expl)}
        _print_json({"model": args.model, "data": args.data, "row": args.row, "layer": args.layer,
                     "neuron": args.neuron, **d, **({"gradient": grad.to_dict()} if grad is not None else {})})
        return 0
    proba_row = net.predict_proba(X[args.row:args.row + 1])
    head = f"row {args.row} of {data.name}"
    facts = []
    if data.y is not None and data.task == "classification":
        facts.append(f"class {data.target_names[int(data.y[args.row])]}")
    if _task(net) == "classification":
        labels = _datasets.class_labels(meta, _n_classes(net))
        facts.append(f"predicted {labels[int(np.argmax(_class_proba(net, X[args.row:args.row + 1])[0]))]}")
    elif proba_row.shape[1] >= 1:
        facts.append(f"predicted {format_number(_datasets.decode_values(meta, proba_row)[0, 0])}")
    _out(head + (f" ({', '.join(facts)})" if facts else ""))
    _explain_text(expl, first_layer=net.dense_layers[0] is net.layers[int(getattr(expl, "layer", -1) or 0)])
    if grad is not None:
        _out(f"backpropagation against this row's target ({_target_text(net, meta, data, args.row)}):")
        _out(str(grad))
    return 0


def _check_gradient_args(args: argparse.Namespace) -> None:
    """``--weight`` and ``--lr`` only mean something with ``--gradient``."""
    given = [flag for flag, value in (("--weight", args.weight), ("--lr", args.lr)) if value is not None]
    if given and not args.gradient:
        them = "it" if len(given) == 1 else "them"
        raise UsageError(f"neuronlab explain: {' and '.join(given)} {'needs' if len(given) == 1 else 'need'} "
                         f"--gradient: add --gradient to explain the gradient, or leave {them} out")


def _row_gradient(net: Network, meta: dict[str, Any], data: _datasets.Dataset, X: np.ndarray,
                  args: argparse.Namespace) -> Any:
    """The chain rule of one weight's (or the bias's) gradient on row ``args.row``, against
    that row's target encoded as training encoded it (class indices, or standardised values,
    in the form the network's loss takes)."""
    if data.y is None:
        column = f" ('{data.target}')" if data.target else ""
        raise DataError(f"--gradient needs targets: {data.name} has no target column{column}; give labelled "
                        "data (the column the model was trained on, or --target COLUMN)")
    task = _task(net)
    y = _targets_for(net, _datasets.encode_targets(meta, data), task, _n_classes(net))
    return net.explain_gradient(X[args.row], y[args.row], layer=args.layer, neuron=args.neuron,
                                weight=args.weight, learning_rate=args.lr)


def _target_text(net: Network, meta: dict[str, Any], data: _datasets.Dataset, row: int) -> str:
    """The row's target as the data says it, and as the network learnt it when standardised."""
    if _task(net) == "classification":
        labels = _datasets.class_labels(meta, _n_classes(net))
        return f"class {labels[int(_datasets.encode_targets(meta, data)[row])]}"
    scaled = _datasets.encode_targets(meta, data)[row]
    values = _datasets.decode_values(meta, scaled.reshape(1, -1))[0]
    text = ", ".join(format_number(v) for v in values)
    if not meta.get("target_scaler"):
        return f"value {text}"
    return f"value {text}, standardised to {', '.join(format_number(v) for v in scaled)} as in training"


def _explain_text(expl: Any, first_layer: bool) -> None:
    d = expl.to_dict() if hasattr(expl, "to_dict") else None
    if d is None:  # pragma: no cover - an explanation without fields
        _out(str(expl))
        return
    n = len(d["inputs"])
    prev = "the standardised features" if first_layer else "the activation values of the layer before"
    _out(f"layer {d['layer']}, neuron {d['neuron']} ({d['activation']}): {_plural(n, 'input')} — {prev}")
    products = np.asarray(d["products"], dtype=np.float64)
    z, b, a = d["weighted_sum"], d["bias"], d["activation_value"]
    _out(f"  weighted sum   z = Σ xᵢ·wᵢ + b = {format_number(products.sum())} + {format_number(b)} = {format_number(z)}")
    if d.get("normalisation") is not None:
        _out(f"  activation     a = softmax(z of the layer's {len(d['normalisation'])} neurons)[{d['neuron']}] "
             f"= {format_number(a)}")
    else:
        _out(f"  activation     a = {d['activation']}({format_number(z)}) = {format_number(a)}")
    thr = d.get("threshold")
    _out(f"  fires          {'yes' if d['fires'] else 'no'}"
         + (f" (threshold {format_number(thr)})" if thr is not None else ""))
    if n > 1:
        top = np.argsort(-np.abs(products), kind="stable")[:min(5, n)]
        names = d.get("input_names") or [f"x{i}" for i in range(n)]
        _out(f"  largest terms of the sum (of {n}):")
        rows = [["    input", "x", "", "w", "", "x·w"]]
        rows += [[f"    {names[i]}", format_number(d["inputs"][i]), "×", format_number(d["weights"][i]), "=",
                  format_number(products[i])] for i in top]
        _out(table(rows, align="lrlrlr"))
    _out(str(expl))


def cmd_plot(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    out = args.out or f"{args.kind}.png"
    needs_data = args.kind in ("regions", "neurons", "histograms")
    if needs_data and not args.data:
        raise UsageError(f"neuronlab plot: --kind {args.kind} needs --data")
    if args.kind == "curves" and not meta.get("history"):
        raise DataError(f"{args.model} holds no training history; models written by "
                                  "'neuronlab train' do (it is kept in net.metadata['history'])")
    data = X = y = None
    if args.data:
        data = _load_for_model(net, args, require_target=args.kind == "regions")
        X = _datasets.prepare_features(meta, data, net.n_inputs)
        if data.y is not None and _task(net) == "classification":
            y = _datasets.encode_targets(meta, data)
    if args.kind in ("regions", "neurons") and X is not None and X.shape[1] != 2:
        raise ShapeError(f"--kind {args.kind} draws 2-D inputs; this model takes {X.shape[1]} features")
    if args.kind == "regions" and _task(net) != "classification":
        raise DataError("--kind regions draws the classes of a classifier; this model predicts values")
    plots = _plots()
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    if args.kind == "curves":
        fig = plots.training_curves(History.from_dict(meta["history"]), path=out)
    elif args.kind == "regions":
        fig = plots.decision_regions(net, X, y, path=out)
    elif args.kind == "neurons":
        fig = plots.neuron_maps(net, X, path=out)
    elif args.kind == "histograms":
        fig = plots.activation_histograms(net, X, path=out)
    else:
        fig = plots.network_diagram(net, X=X, path=out)
    _close_figure(fig)
    _out(f"wrote {out}")
    return 0
