"""The commands that draw pictures (the plot extra): ``train`` with its pictures, ``plot``, ``activations
--plot`` and ``sweep --plot``."""
import re

import pytest

pytest.importorskip("matplotlib")

import neuronlab as nl  # noqa: E402
from neuronlab.sweep import read_results  # noqa: E402

from command_line import bad, ok, run  # noqa: E402


def test_train_with_no_arguments_learns_digits(tmp_path):
    r = ok(run("train", cwd=tmp_path))
    accuracy = float(re.search(r"test accuracy (\d\.\d+)", r.stdout).group(1))
    assert accuracy >= 0.95, r.stdout
    assert "confusion matrix" in r.stdout and "model written to" in r.stdout
    assert re.search(r"^epoch 1/49 .*val_loss", r.stderr, re.M)          # progress on stderr
    assert "defaults for 1438 training rows: up to 49 epochs (41 steps each), 144 of them (10%)" in r.stdout
    out = tmp_path / "neuronlab-out"
    assert (out / "model.nlz").is_file()
    pictures = sorted(p.name for p in (out / "plots").iterdir())
    assert {"curves.png", "histograms.png", "diagram.png"} <= set(pictures), r.stderr
    net = nl.load(out / "model.nlz")
    meta = net.metadata
    assert meta["task"] == "classification" and meta["classes"] == list(range(10))
    assert len(meta["scaler"]["mean"]) == 64
    history = nl.History.from_dict(meta["history"])
    assert len(history) >= 1 and "val_loss" in history


def test_plot(model, files, tmp_path):
    out = tmp_path / "curves.png"
    r = ok(run("plot", model, "--kind", "curves", "--out", out))
    assert out.stat().st_size > 1000 and str(out) in r.stdout
    out = tmp_path / "regions.png"
    ok(run("plot", model, "--data", files["train"], "--kind", "regions", "--out", out))
    assert out.stat().st_size > 1000
    bad(run("plot", model, "--kind", "histograms"), "needs --data")


def test_activations_plot(tmp_path):
    out = tmp_path / "acts.png"
    ok(run("activations", "--plot", out))
    assert out.stat().st_size > 1000


def test_command_line_sweep_draws_its_picture(tmp_path):
    out, pic = tmp_path / "s.csv", tmp_path / "s.png"
    args = ["--data", "xor", "--samples", "200", "--activation", "relu,tanh", "--hidden", "4,4x4", "--lr", "0.01,1e6",
            "--seeds", "2", "--epochs", "3", "--jobs", "2", "--progress", "lines", "--out", out, "--plot", pic]
    r = run("sweep", *args)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert len(read_results(out)) == 16
    assert pic.stat().st_size > 0
