"""``neuronlab explain --gradient``: the chain rule of one weight's gradient on one row of the data,
against that row's target encoded as training encoded it, with the numbers of
``Network.explain_gradient``."""
import csv
import json
import re

import numpy as np
import pytest

import neuronlab as nl

from command_line import COLOURS, QUICK, bad, ok, run


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _library(model, files, row, **kw):
    """``explain_gradient`` computed here: the features prepared from the model's scaler and the
    class index of the row's label among the model's classes."""
    net = nl.load(model)
    X = nl.datasets.prepare_features(net.metadata, nl.datasets.load(str(files["train"]), target="colour"))
    label = COLOURS[files["labels"][row]]
    return net.explain_gradient(X[row], net.metadata["classes"].index(label), **kw)


@pytest.fixture(scope="module")
def regression_model(files):
    path = files["dir"] / "prices.nlz"
    ok(run("train", "--data", files["reg"], "--hidden", "4", "--epochs", "5", "--out", path, *QUICK))
    return path


def test_explain_gradient_gives_the_library_gradient_and_new_weight(model, files):
    d = json.loads(ok(run("explain", model, "--data", files["train"], "--row", "4", "--layer", "0", "--neuron", "5",
                          "--gradient", "--weight", "1", "--lr", "0.5", "--json")).stdout)
    g = _library(model, files, 4, layer=0, neuron=5, weight=1, learning_rate=0.5)
    assert d["gradient"]["gradient"] == g.gradient and d["gradient"]["gradient"] != 0
    assert d["gradient"]["new_weight"] == g.new_weight
    assert d["gradient"]["weight"] == g.weight and d["gradient"]["learning_rate"] == 0.5
    assert d["gradient"] == json.loads(json.dumps(g.to_dict()))


def test_explain_gradient_prints_the_chain_rule_after_the_forward_explanation(model, files):
    r = ok(run("explain", model, "--data", files["train"], "--row", "4", "--layer", "0", "--neuron", "5",
               "--gradient", "--weight", "1", "--lr", "0.5"))
    g = _library(model, files, 4, layer=0, neuron=5, weight=1, learning_rate=0.5)
    forward, _, backward = r.stdout.partition("backpropagation against this row's target")
    assert "weighted sum" in forward and "fires" in forward
    assert backward.startswith(f" (class {COLOURS[files['labels'][4]]}):")
    assert str(g) in backward
    assert "∂L/∂w = δ × x" in backward and "w ← w − η·∂L/∂w" in backward


def test_explain_gradient_without_weight_explains_the_bias(model, files):
    r = ok(run("explain", model, "--data", files["train"], "--row", "0", "--layer", "-1", "--neuron", "1",
               "--gradient"))
    g = _library(model, files, 0, layer=-1, neuron=1)
    assert str(g) in r.stdout and "∂L/∂b = δ" in r.stdout and "b ← b − η·∂L/∂b" in r.stdout
    assert g.weight_index is None and g.learning_rate == nl.optimizers.SGD().learning_rate


def test_explain_gradient_uses_the_standardised_target_of_training(regression_model, files):
    net = nl.load(regression_model)
    meta = net.metadata
    X = nl.datasets.prepare_features(meta, nl.datasets.load(str(files["reg"]), target="price"))
    price = float(_rows(files["reg"])[2]["price"])
    scaler = meta["target_scaler"]
    scaled = (price - scaler["mean"][0]) / scaler["scale"][0]
    d = json.loads(ok(run("explain", regression_model, "--data", files["reg"], "--row", "2", "--layer", "-1",
                          "--neuron", "0", "--gradient", "--weight", "0", "--json")).stdout)["gradient"]
    g = net.explain_gradient(X[2], scaled, layer=-1, neuron=0, weight=0)
    raw = net.explain_gradient(X[2], price, layer=-1, neuron=0, weight=0)
    assert d["target"] == pytest.approx(scaled, rel=1e-6)
    assert d["gradient"] == pytest.approx(g.gradient, rel=1e-5)
    assert d["new_weight"] == pytest.approx(g.new_weight, rel=1e-6)
    assert abs(raw.gradient - g.gradient) > 1.0          # the raw price would give another gradient
    r = ok(run("explain", regression_model, "--data", files["reg"], "--row", "2", "--layer", "-1", "--neuron", "0",
               "--gradient"))
    shown = re.search(r"\(value (\S+), standardised to (\S+) as in training\):", r.stdout)
    assert shown and float(shown.group(1)) == pytest.approx(price, rel=1e-3)
    assert float(shown.group(2)) == pytest.approx(scaled, rel=1e-3)


def test_explain_gradient_needs_a_target_column(model, files):
    line = bad(run("explain", model, "--data", files["new"], "--gradient"), "--gradient needs targets", "colour")
    assert "new.csv" in line


@pytest.mark.parametrize("flags,named", [(["--weight", "1"], "--weight needs --gradient"),
                                         (["--lr", "0.1"], "--lr needs --gradient"),
                                         (["--weight", "1", "--lr", "0.1"], "--weight and --lr need --gradient")])
def test_weight_and_lr_without_gradient_are_usage_errors(model, files, flags, named):
    bad(run("explain", model, "--data", files["train"], *flags), named, "add --gradient")


@pytest.mark.parametrize("flags,named", [
    (["--layer", "0", "--neuron", "0", "--weight", "2"], "valid weight indices are 0..1"),
    (["--layer", "1", "--neuron", "0", "--weight", "8"], "valid weight indices are 0..7"),
    (["--layer", "5", "--neuron", "0"], "valid layer indices are 0..1"),
    (["--layer", "1", "--neuron", "3"], "valid neuron indices are 0..2"),
])
def test_out_of_range_indices_name_the_valid_range(model, files, flags, named):
    bad(run("explain", model, "--data", files["train"], "--gradient", *flags), named)


def test_the_weight_range_message_speaks_of_the_option(model, files):
    line = bad(run("explain", model, "--data", files["train"], "--gradient", "--layer", "0", "--weight", "9"))
    assert "without --weight it explains its bias" in line and "weight=None" not in line


def test_explain_gradient_refuses_a_learning_rate_that_is_not_positive(model, files):
    bad(run("explain", model, "--data", files["train"], "--gradient", "--lr", "0"), "--lr", "positive")
