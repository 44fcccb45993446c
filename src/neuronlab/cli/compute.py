"""The commands that compute by hand, without a model file: ``neuron`` (one neuron's
arithmetic), ``activations`` (the table of activation functions) and ``perceptron``
(Rosenblatt's rule on a logic gate)."""
from __future__ import annotations

import argparse
import inspect
import math
import os
import warnings
from typing import Any

import numpy as np

from .. import activations as _activations
from .._util.text import format_number, table
from ..errors import ConvergenceWarning
from ..neuron import Neuron
from ..perceptron import Perceptron
from ..errors import UsageError
from .common import _close_figure, _err, _out, _plots, _plural, _print_json


def cmd_neuron(args: argparse.Namespace) -> int:
    if len(args.weights) != len(args.inputs):
        raise UsageError(f"neuronlab neuron: {_plural(len(args.weights), 'weight')} but "
                         f"{_plural(len(args.inputs), 'input')}; give one weight per input")
    _check_learning_args(args)
    n = Neuron(weights=args.weights, bias=args.bias, activation=args.activation, threshold=args.threshold)
    expl = n.explain(args.inputs)
    if args.target is not None:
        step = n.learn(args.inputs, args.target, learning_rate=args.lr or DEFAULT_NEURON_LR, loss=args.loss or "mse")
        if args.json:
            _print_json({**expl.to_dict(), "gradient": step.to_dict()})
        else:
            _out(str(expl))
            _out(str(step))
        return 0
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


#: the learning rate of ``neuron --target`` without ``--lr``: Neuron.learn's own
DEFAULT_NEURON_LR: float = inspect.signature(Neuron.learn).parameters["learning_rate"].default


def _check_learning_args(args: argparse.Namespace) -> None:
    """``--lr`` and ``--loss`` only mean something with ``--target``."""
    given = [flag for flag, value in (("--lr", args.lr), ("--loss", args.loss)) if value is not None]
    if given and args.target is None:
        them = "it" if len(given) == 1 else "them"
        raise UsageError(f"neuronlab neuron: {' and '.join(given)} {'needs' if len(given) == 1 else 'need'} "
                         f"--target: add --target T to take one learning step towards T, or leave {them} out")


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
        plots = _plots()
        parent = os.path.dirname(os.path.abspath(args.plot))
        os.makedirs(parent, exist_ok=True)
        _close_figure(plots.activations_grid(path=args.plot))
    if args.json:
        _print_json([{**r, "range": [None if not math.isfinite(v) else v for v in r["range"]]} for r in rows])
    else:
        rows_out = [["name", "range", "fires above", "f(z)", "f′(z)"]]
        for r in rows:
            thr = r["threshold"]
            if r["name"] == "step":
                fires = f"z ≥ {format_number(thr)}"
            elif r["name"] == "softmax":
                fires = "1/k"
            else:
                fires = "-" if thr is None else format_number(thr)
            rows_out.append([r["name"], _range_text(r["range"]), fires,
                          r["formula"] or "-", r["derivative"] or "-"])
        _out(table(rows_out))
    if args.plot:
        _err(f"wrote {args.plot}")
    return 0


_GATES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
}


def cmd_perceptron(args: argparse.Namespace) -> int:
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
    rows = [["x1", "x2", "target", "predicted"]]
    rows += [[str(int(a)), str(int(b)), str(int(t)), str(int(q))] for (a, b), t, q in zip(X, y, pred)]
    _out(table(rows, align="rrrr"))
    _out(f"weights [{', '.join(format_number(w) for w in p.weights)}], bias {format_number(p.bias)}")
    mistakes = ", ".join(str(e) for e in p.errors_[:12]) + (" …" if len(p.errors_) > 12 else "")
    if p.converged_:
        _out(f"converged after {_plural(p.n_epochs_, 'epoch')} (mistakes per epoch: {mistakes})")
    else:
        _out(f"did not converge in {_plural(p.n_epochs_, 'epoch')} (mistakes per epoch: {mistakes}); "
             f"{gate} is not linearly separable — no single line splits its classes — so one step neuron "
             "cannot learn it; a network with a hidden layer can (neuronlab train --data xor)")
    return 0
