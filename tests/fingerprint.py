"""A fingerprint of neuronlab's behaviour, through the public API only.

``compute(workdir)`` trains small networks with every optimizer in both dtypes (with and without
dropout, penalties, schedules, validation and sample weights), and records their parameters,
histories, predictions, traces, neuron statistics, gradient flow, explanations, a perceptron, a
model file's predictions, CLI output and a sweep table.  ``tests/data/fingerprint.npz`` holds what
it returned when it was recorded; ``tests/test_behaviour_unchanged.py`` asserts that today's code returns
exactly the same numbers and text, so that reorganising the code cannot change what it computes.

Run ``python tests/fingerprint.py record`` only when a change of behaviour is intended.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import tempfile
from typing import Any

import numpy as np

import neuronlab as nl

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD = os.path.join(HERE, "data", "fingerprint.npz")
MODEL_FILE = os.path.join(HERE, "data", "fingerprint-model.nlz")


def _arrays(prefix: str, values: dict[str, Any], out: dict[str, Any]) -> None:
    for key, value in values.items():
        out[f"{prefix}/{key}"] = value


def _history(h: Any) -> dict[str, Any]:
    return {k: np.asarray(v, dtype=np.float64) for k, v in h.history.items() if k != "time"}


def _train_cases(out: dict[str, Any]) -> None:
    data = nl.datasets.spirals(n=240, seed=3)
    X, y = data.X, data.y
    rng = np.random.default_rng(7)
    sw = rng.uniform(0.5, 2.0, len(X))
    Xr = rng.normal(size=(150, 3))
    yr = np.stack([Xr[:, 0] * 2 - Xr[:, 1], np.sin(Xr[:, 2])], axis=1)
    for dtype in ("float32", "float64"):
        for opt in nl.optimizers.names():
            tag = f"{opt}-{dtype}"
            net = nl.Network.mlp([2, 12, 8, 3], hidden=["tanh", "relu"], output="softmax", seed=11, dtype=dtype)
            h = net.fit(X, y, epochs=4, batch_size=32, optimizer=opt, validation_split=0.2)
            _arrays(f"train/{tag}", {"parameters": net.parameters.copy(), "proba": net.predict_proba(X),
                                     "predict": net.predict(X), **_history(h)}, out)
            net = nl.Network.mlp([2, 10, 3], hidden="relu", output="softmax", dropout=0.25, seed=5, dtype=dtype)
            h = net.fit(X, y, epochs=3, batch_size=20, optimizer=opt, l1=1e-4, l2=1e-3, sample_weight=sw,
                        schedule="cosine", clip_norm=2.0)
            _arrays(f"dropout/{tag}", {"parameters": net.parameters.copy(), **_history(h)}, out)
            net = nl.Network.mlp([3, 6, 2], hidden="sigmoid", output="identity", seed=2, dtype=dtype)
            h = net.fit(Xr, yr, epochs=3, batch_size=16, optimizer=opt, validation_data=(Xr[:30], yr[:30]),
                        early_stopping=2)
            _arrays(f"regression/{tag}", {"parameters": net.parameters.copy(), "predict": net.predict(Xr),
                                          **_history(h)}, out)
            ev = net.evaluate(Xr, yr)
            out[f"regression/{tag}/evaluate"] = np.array([ev[k] for k in sorted(ev)])
        net = nl.Network.mlp([2, 5, 1], hidden="elu", output="sigmoid", seed=4, dtype=dtype)
        h = net.fit(X, (y == 1).astype(int), epochs=3, batch_size=17, optimizer="adam", shuffle=False)
        _arrays(f"binary/{dtype}", {"parameters": net.parameters.copy(), **_history(h)}, out)


def _looking_inside(out: dict[str, Any], texts: dict[str, str]) -> None:
    data = nl.datasets.moons(n=200, seed=1)
    for dtype in ("float32", "float64"):
        net = nl.Network.mlp([2, 8, 8, 2], hidden=["relu", "sigmoid"], output="softmax", seed=9, dtype=dtype)
        net.fit(data.X, data.y, epochs=3, batch_size=25, optimizer="sgd", learning_rate=0.3)
        t = net.trace(data.X[:40])
        for i, lt in enumerate(t.layers):
            out[f"trace/{dtype}/{i}/z"] = lt.z
            out[f"trace/{dtype}/{i}/a"] = lt.a
        stats = nl.inspect.neuron_stats(net, data.X)
        texts[f"stats/{dtype}"] = str(stats)
        texts[f"stats_dict/{dtype}"] = json.dumps(stats.to_dict(), sort_keys=True, default=str)
        flow = nl.inspect.gradient_flow(net, data.X, data.y)
        texts[f"flow/{dtype}"] = str(flow)
        texts[f"explain/{dtype}"] = str(net.explain(data.X[3], layer=1, neuron=2))
        texts[f"summary/{dtype}"] = net.summary()
        texts[f"repr/{dtype}"] = repr(net)
    n = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
    texts["neuron/explain"] = str(n.explain([0.5, 0.6]))
    out["neuron/activation_value"] = np.array(n.activation_value([0.5, 0.6]))
    p = nl.Perceptron(2, seed=0)
    p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1], max_epochs=20)
    out["perceptron/weights"] = np.asarray(p.weights, dtype=np.float64)
    out["perceptron/bias"] = np.asarray(p.bias, dtype=np.float64)
    z = np.linspace(-6, 6, 49)
    for name in nl.activations.names():
        act = nl.activations.get(name)
        zz = z.reshape(7, 7) if name == "softmax" else z
        out[f"activation/{name}/f"] = act(zz)
        out[f"activation/{name}/derivative"] = act.derivative(zz)


def _model_file(out: dict[str, Any], recording: bool) -> None:
    data = nl.datasets.blobs(n=120, seed=2)
    if recording:
        net = nl.Network.mlp([2, 7, 3], hidden="gelu", output="softmax", seed=8, dtype="float64")
        net.fit(data.X, data.y, epochs=2, batch_size=16, optimizer="rmsprop")
        net.save(MODEL_FILE)
    loaded = nl.load(MODEL_FILE)
    out["model_file/proba"] = loaded.predict_proba(data.X)


def _run_cli(args: list[str], workdir: str) -> str:
    """The command's exit code and standard output, with the folder and the timings blanked."""
    from neuronlab.cli import main
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(args)
    text = buf.getvalue().replace(workdir, "<dir>")
    return f"exit {code}\n" + re.sub(r"\d+\.\d+ s\b", "<seconds> s", text)


def _cli(texts: dict[str, str], workdir: str) -> None:
    model = os.path.join(workdir, "cli-model.nlz")
    texts["cli/train"] = _run_cli(["train", "--data", "moons", "--hidden", "6", "--epochs", "3", "--seed", "1",
                                   "--out", model, "--no-plots", "--progress", "none"], workdir)
    texts["cli/evaluate"] = _run_cli(["evaluate", model, "--data", "moons"], workdir)
    texts["cli/explain"] = _run_cli(["explain", model, "--data", "moons",
                                     "--row", "2", "--layer", "0", "--neuron", "1"], workdir)
    texts["cli/neuron"] = _run_cli(["neuron", "--weights", "0.1,0.2", "--bias", "0.3", "--inputs", "0.5,0.6",
                                    "--activation", "relu"], workdir)
    texts["cli/perceptron"] = _run_cli(["perceptron", "--gate", "and"], workdir)


def _sweep(texts: dict[str, str]) -> None:
    result = nl.sweep(data="xor", grid={"activation": ["relu", "tanh"], "hidden": [(4,), (3, 3)]}, seeds=[0, 1],
                      epochs=2, n_jobs=1)
    texts["sweep/table"] = result.table(time=False)
    texts["sweep/summary"] = json.dumps(
        [{k: v for k, v in row.items() if "time" not in k} for row in result.summary()], sort_keys=True, default=str)


def compute(workdir: str, recording: bool = False) -> dict[str, Any]:
    """Every recorded number (arrays) and text (as 0-d string arrays), keyed by what it is."""
    out: dict[str, Any] = {}
    texts: dict[str, str] = {}
    _train_cases(out)
    _looking_inside(out, texts)
    _model_file(out, recording)
    _cli(texts, workdir)
    _sweep(texts)
    for key, text in texts.items():
        out[f"text/{key}"] = np.array(text)
    return out


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] != ["record"]:
        sys.exit("usage: python tests/fingerprint.py record")
    os.makedirs(os.path.dirname(RECORD), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        values = compute(tmp, recording=True)
    np.savez_compressed(RECORD, **values)
    print(f"recorded {len(values)} entries in {RECORD}")
