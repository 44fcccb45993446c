"""The commands that read a saved model or compute by hand: ``evaluate``, ``predict``,
``inspect``, ``explain``, ``neuron``, ``activations``, ``plot`` and ``perceptron``."""
from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from typing import Any

import numpy as np

from .. import activations as _activations
from .. import datasets as _datasets
from ..errors import DataError
from ..neuron import Neuron, format_number
from ..training import History
from .common import UsageError, _err, _one_line, _out, _plural, _print_json, _table
from .model import (_class_proba, _classification_metrics, _close_figure, _load_for_model, _load_model,
                    _metrics_text, _module, _n_classes, _plots_module, _regression_metrics, _task)


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
        import csv
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
    inspect = _module("inspect", "inspecting neurons")
    stats = inspect.neuron_stats(net, X)
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
    table = [["layer", "activation", "neurons", "% firing", "dead", "saturated"]]
    for row in summary:
        l = by_index[row["layer"]]
        name = f"{row['layer']}" + (" (output)" if row.get("is_output") else "")
        n_dead, n_sat = len(l.dead_neurons), len(l.saturated_neurons)
        table.append([name, row["activation"], str(row["neurons"]), f"{100 * row['firing']:.1f}",
                      f"{n_dead} ({100 * row['dead']:.0f}%)",
                      f"{n_sat} ({100 * row['saturated']:.0f}%)" if row.get("saturating") else "-"])
    _out(_table(table, "llrrrr"))
    if args.worst:
        if worst:
            _out("worst neurons:")
            for w in worst:
                _out(f"  layer {w['layer']}, neuron {w['neuron']}: {w['problem']} — {w['why']}")
        else:
            _out("no dead, saturated or rarely firing hidden neurons")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=False)
    if args.row >= len(data):
        raise DataError(f"--row {args.row} is past the end: {data.name} has {len(data)} rows (0..{len(data) - 1})")
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    x = X[args.row]
    _module("inspect", "explaining a neuron")
    try:
        expl = net.explain(x, layer=args.layer, neuron=args.neuron)
    except IndexError as err:
        raise DataError(_one_line(err)) from None
    if args.json:
        d = expl.to_dict() if hasattr(expl, "to_dict") else {"text": str(expl)}
        _print_json({"model": args.model, "data": args.data, "row": args.row, "layer": args.layer,
                     "neuron": args.neuron, **d})
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
    return 0


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
        _out(_table(rows, "lrlrlr"))
    _out(str(expl))


def cmd_neuron(args: argparse.Namespace) -> int:
    if len(args.weights) != len(args.inputs):
        raise UsageError(f"neuronlab neuron: {_plural(len(args.weights), 'weight')} but "
                         f"{_plural(len(args.inputs), 'input')}; give one weight per input")
    n = Neuron(weights=args.weights, bias=args.bias, activation=args.activation, threshold=args.threshold)
    expl = n.explain(args.inputs)
    if args.json:
        _print_json(expl.to_dict())
        return 0
    _out(format_number(expl.activation_value))
    _out(str(expl))
    thr = expl.threshold
    _out(f"weighted sum z = {format_number(expl.weighted_sum)}; activation value a = {expl.activation}(z) = "
         f"{format_number(expl.activation_value)}; it {'fires' if expl.fires else 'does not fire'}"
         + (f" (threshold {format_number(thr)})" if thr is not None else ""))
    return 0


def _range_text(r: Any) -> str:
    try:
        lo, hi = r
    except (TypeError, ValueError):
        return str(r)

    def one(v: float) -> str:
        if v == float("inf"):
            return "∞"
        if v == float("-inf"):
            return "-∞"
        return format_number(v)
    return f"({one(lo)}, {one(hi)})"


def cmd_activations(args: argparse.Namespace) -> int:
    rows = _activations.describe()
    if args.plot:
        plots = _plots_module()
        parent = os.path.dirname(os.path.abspath(args.plot))
        os.makedirs(parent, exist_ok=True)
        _close_figure(plots.activations_grid(path=args.plot))
    if args.json:
        _print_json([{**r, "range": [None if not math.isfinite(v) else v for v in r["range"]]} for r in rows])
    else:
        table = [["name", "range", "fires above", "f(z)", "f′(z)"]]
        for r in rows:
            thr = r["threshold"]
            if r["name"] == "step":
                fires = f"z ≥ {format_number(thr)}"
            elif r["name"] == "softmax":
                fires = "1/k"
            else:
                fires = "-" if thr is None else format_number(thr)
            table.append([r["name"], _range_text(r["range"]), fires,
                          r["formula"] or "-", r["derivative"] or "-"])
        _out(_table(table))
    if args.plot:
        _err(f"wrote {args.plot}")
    return 0


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
        raise DataError(f"--kind {args.kind} draws 2-D inputs; this model takes {X.shape[1]} features")
    if args.kind == "regions" and _task(net) != "classification":
        raise DataError("--kind regions draws the classes of a classifier; this model predicts values")
    plots = _plots_module()
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


_GATES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
}


def cmd_perceptron(args: argparse.Namespace) -> int:
    from ..errors import ConvergenceWarning
    from ..perceptron import Perceptron
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array(_GATES[args.gate], dtype=np.float64)
    p = Perceptron(2, learning_rate=args.lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported below instead
        p.fit(X, y, max_epochs=args.epochs)
    pred = p.predict(X)
    result = {"gate": args.gate, "converged": bool(p.converged_), "epochs": int(p.n_epochs_),
              "mistakes_per_epoch": [int(e) for e in p.errors_], "weights": p.weights.tolist(),
              "bias": float(p.bias), "predictions": pred.tolist(), "targets": y.astype(int).tolist(),
              "accuracy": float(np.mean(pred == y))}
    if args.json:
        _print_json(result)
        return 0
    gate = args.gate.upper()
    _out(f"perceptron on {gate}: step(w·x + b), rule w ← w + η(y − ŷ)x, η = {format_number(args.lr)}")
    table = [["x1", "x2", "target", "predicted"]]
    table += [[str(int(a)), str(int(b)), str(int(t)), str(int(q))] for (a, b), t, q in zip(X, y, pred)]
    _out(_table(table, "rrrr"))
    _out(f"weights [{', '.join(format_number(w) for w in p.weights)}], bias {format_number(p.bias)}")
    mistakes = ", ".join(str(e) for e in p.errors_[:12]) + (" …" if len(p.errors_) > 12 else "")
    if p.converged_:
        _out(f"converged after {_plural(p.n_epochs_, 'epoch')} (mistakes per epoch: {mistakes})")
    else:
        _out(f"did not converge in {_plural(p.n_epochs_, 'epoch')} (mistakes per epoch: {mistakes}); "
             f"{gate} is not linearly separable — no single line splits its classes — so one step neuron "
             "cannot learn it; a network with a hidden layer can (neuronlab train --data xor)")
    return 0
