"""Rich displays: every ``_repr_html_`` is well-formed XML, escapes what the user named, and
carries the object's key numbers; every ``repr`` is one short line; printed text is unchanged."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import neuronlab as nl
from neuronlab._util import html
from neuronlab._util.notebook import LiveDisplay, in_notebook
from neuronlab._util.progress import Progress
from neuronlab.errors import HyperparameterError, ShapeError

EVIL = "<script>alert(1)</script>"


def _xml(obj):
    text = obj._repr_html_()
    ET.fromstring(text)               # raises on anything that is not well-formed
    return text


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    net = nl.Network.mlp([2, 5, 2], seed=0)
    net.metadata["feature_names"] = [EVIL, "a&b"]
    net.metadata["classes"] = ["no", "<yes>"]
    history = net.fit(X, y, epochs=4, validation_split=0.25)
    return net, X, y, history


def _displays(trained):
    net, X, y, history = trained
    lone = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
    stats = nl.inspect.neuron_stats(net, X)
    traced = net.trace(X, y)
    return {
        "Network": net, "Neuron": lone, "NeuronExplanation": net.explain(X[0], layer=0, neuron=1),
        "lone explanation": lone.explain([0.5, 0.6]), "Trace": traced, "LayerTrace": traced.layers[0],
        "NeuronStats": stats, "LayerStats": stats[0], "GradientFlow": nl.inspect.gradient_flow(net, X, y),
        "History": history, "GradientExplanation": net.explain_gradient(X[0], y[0], layer=0, neuron=1, weight=0),
        "NeuronGradient": lone.gradient([0.5, 0.6], target=1.0),
    }


def test_every_display_is_well_formed_xml_and_every_repr_one_short_line(trained):
    for name, obj in _displays(trained).items():
        text = _xml(obj)
        assert text.startswith('<div class="neuronlab"'), name
        r = repr(obj)
        assert "\n" not in r and len(r) < 200, (name, r)


def test_feature_names_and_class_labels_are_escaped_in_every_display(trained):
    net, X, y, _ = trained
    for obj in (net, net.explain(X[0], layer=0, neuron=1)):
        text = _xml(obj)
        assert EVIL not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "a&amp;b" in text
    assert "&lt;yes&gt;" in _xml(net)


def test_the_displays_carry_the_key_numbers(trained):
    net, X, y, history = trained
    shown = _displays(trained)
    assert f"{net.n_params:,}" in _xml(net) and "relu" in _xml(net)
    assert "0.47" in _xml(shown["lone explanation"]) and "fires" in _xml(shown["lone explanation"])
    assert html.number(history["loss"][-1]) in _xml(history) and "<svg" in _xml(history)
    g = shown["GradientExplanation"]
    assert html.number(g.gradient) in _xml(g) and "δ" in _xml(g)
    assert "-1.06" in _xml(shown["NeuronGradient"])
    layer = shown["LayerTrace"]
    assert "mean δ" in _xml(layer) and html.number(float(layer.db[0])) in _xml(layer)
    assert "mean δ" not in _xml(net.trace(X).layers[0])
    stats = shown["NeuronStats"]
    assert html.percent(stats[0].firing_fraction) in _xml(stats)


def test_a_lone_neuron_that_learned_shows_the_step(trained):
    n = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
    g = n.learn([0.5, 0.6], target=1.0, learning_rate=0.1)
    text = _xml(g)
    assert "0.153" in text and "0.406" in text and "η = 0.1" in text
    assert repr(g) == "NeuronGradient(loss mse=0.2809, ∂L/∂b=-1.06, stepped with η=0.1)"


def test_summary_is_a_rich_text_that_prints_as_before(trained):
    net = trained[0]
    s = net.summary()
    assert isinstance(s, html.RichText) and isinstance(s, str)
    assert type(str(s)) is str and str(s).splitlines()[-1].startswith("total parameters:")
    assert _xml(s) == net._repr_html_()


def test_a_sweep_result_shows_the_ranked_table_with_the_best_tinted():
    result = nl.sweep("xor", {"activation": ["tanh", "relu"]}, seeds=1, executor="serial", epochs=2)
    text = _xml(result)
    best = result.summary()[0]
    assert html.HIGHLIGHT["good"] in text and html.number(best["mean"]) in text
    assert text.index(best["activation"]) < text.index(result.summary()[1]["activation"])


def test_html_helpers_escape_and_refuse_bad_arguments():
    assert html.escape(EVIL + "&") == "&lt;script&gt;alert(1)&lt;/script&gt;&amp;"
    assert EVIL not in html.table([[EVIL]], [EVIL]) and EVIL not in html.sparkline([(EVIL, [1, 2])])
    assert EVIL not in html.formulas([EVIL]) and EVIL not in html.progress_bar(1, 2, desc=EVIL, unit="e", text=EVIL)
    with pytest.raises(ShapeError, match="row 0 has 1 cells but the header has 2"):
        html.table([[1]], ["a", "b"])
    with pytest.raises(HyperparameterError, match="align"):
        html.table([[1]], ["a"], align="x")
    with pytest.raises(HyperparameterError, match="values of curve 'loss' must be numbers"):
        html.sparkline([("loss", ["a"])])


def test_a_long_table_is_cut_around_a_count_of_the_hidden_rows():
    text = html.table([[i] for i in range(50)], ["i"], max_rows=6, noun="neurons")
    ET.fromstring(text)
    assert "… 44 more neurons" in text and ">49<" in text and ">25<" not in text


def test_a_sparkline_leaves_gaps_for_nan_and_says_when_nothing_is_finite():
    assert html.sparkline([("loss", [1.0, float("nan"), 0.5, 0.4])]).count("<polyline") == 1
    assert "no finite values" in html.sparkline([("loss", [float("nan")])])


def test_outside_a_kernel_nothing_is_displayed():
    assert not in_notebook()
    d = LiveDisplay()
    d.update("anything")
    assert not d.shown and d.updates == 0


def test_progress_in_notebook_mode_outside_a_kernel_still_writes_lines(capsys):
    with Progress("lines", 2, desc="training", unit="epoch", notebook=True) as p:
        p.step("epoch 1/2")
    assert p.mode == "lines" and capsys.readouterr().err == "epoch 1/2\n"
