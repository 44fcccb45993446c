"""An imported network is a full neuronlab network: it traces, explains, reports neuron
statistics and gradient flow, draws every picture, saves and loads, and fine-tunes."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

import neuronlab as nl  # noqa: E402


@pytest.fixture(scope="module")
def imported():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier((8, 6), max_iter=200, random_state=0).fit(X, y)
    return nl.from_sklearn(mlp), mlp, X, y


def test_trace_explain_stats_and_gradient_flow_run_on_it(imported):
    net, mlp, X, y = imported
    t = net.trace(X[:5], y[:5].reshape(-1, 1))
    np.testing.assert_allclose(t.output, net.predict_proba(X[:5]))
    assert t.layers[0].delta.shape == (5, 8)
    text = str(net.explain(X[0], layer=0, neuron=1))
    assert "relu" in text.lower()
    stats = nl.inspect.neuron_stats(net, X)
    assert len(stats.layers) == 3 and 0.0 <= stats.layers[0].dead_fraction <= 1.0
    flow = nl.inspect.gradient_flow(net, X, y.reshape(-1, 1))
    assert len(flow.layers) == 3


def test_every_picture_is_drawn(imported, tmp_path):
    pytest.importorskip("matplotlib")
    net, mlp, X, y = imported
    nl.plots.decision_regions(net, X, y, resolution=40, path=tmp_path / "regions.png")
    nl.plots.neuron_maps(net, X, resolution=20, path=tmp_path / "maps.png")
    nl.plots.activation_histograms(net, X, path=tmp_path / "hist.png")
    nl.plots.network_diagram(net, X, path=tmp_path / "diagram.png")
    nl.plots.backprop(net, X[0], y[:1].reshape(1, 1), path=tmp_path / "backprop.png")
    nl.plots.gradient_step(net, X[0], y[:1].reshape(1, 1), 0.1, path=tmp_path / "step.png")
    history = net.copy().fit(X, y.reshape(-1, 1), epochs=2, verbose=0)
    nl.plots.training_curves(history, path=tmp_path / "curves.png")
    for name in ("regions", "maps", "hist", "diagram", "backprop", "step", "curves"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000, name


def test_it_saves_and_loads_with_its_metadata(imported, tmp_path):
    net, mlp, X, y = imported
    net.save(tmp_path / "model.nlz")
    back = nl.load(tmp_path / "model.nlz")
    np.testing.assert_array_equal(back.predict_proba(X), net.predict_proba(X))
    assert back.metadata["classes"] == [0, 1] and back.metadata["task"] == "classification"


def test_fine_tuning_lowers_its_loss(imported):
    net, mlp, X, y = imported
    tuned = net.copy()
    before = tuned.evaluate(X, y.reshape(-1, 1))["loss"]
    tuned.fit(X, y.reshape(-1, 1), epochs=30, learning_rate=0.01, verbose=0)
    assert tuned.evaluate(X, y.reshape(-1, 1))["loss"] < before
    np.testing.assert_allclose(net.predict_proba(X)[:, 0], mlp.predict_proba(X)[:, 1], atol=1e-12)
