"""Pictures (neuronlab.plots): every one is written, has the expected size and is not blank;
without matplotlib every one raises an error that names the extra to install."""
import os
import subprocess
import sys

import numpy as np
import pytest

import neuronlab as nl

mpl_image = pytest.importorskip("matplotlib.image")
from matplotlib.figure import Figure  # noqa: E402

from neuronlab import plots  # noqa: E402


@pytest.fixture(scope="module")
def trained():
    """A 2-D, 3-class problem, a small tanh/relu network trained with NeuronMonitor."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        rng = np.random.default_rng(0)
        centers = np.array([[-1.5, -1.0], [1.5, -1.0], [0.0, 1.5]])
        y = rng.integers(0, 3, 240)
        X = centers[y] + rng.normal(scale=0.6, size=(240, 2))
        net = nl.Network.mlp([2, 6, 5, 3], hidden=["tanh", "relu"], output="softmax", seed=0)
        history = net.fit(X, y, epochs=8, batch_size=16, learning_rate=0.02, validation_split=0.2,
                          callbacks=[nl.callbacks.NeuronMonitor(X)])
    return net, X, y, history


def _check_png(fig, path, min_colors=40):
    assert isinstance(fig, Figure)
    assert os.path.getsize(path) > 5000
    img = mpl_image.imread(path)
    w, h = fig.get_size_inches() * fig.dpi
    assert img.shape[:2] == (round(h), round(w))
    colors = np.unique(img.reshape(-1, img.shape[-1]), axis=0)
    assert len(colors) >= min_colors, f"{path} looks blank: {len(colors)} distinct colours"
    return img


PICTURES = {
    "activation": lambda net, X, y, h, p: plots.activation("tanh", path=p),
    "activation_leaky": lambda net, X, y, h, p: plots.activation("leaky_relu", alpha=0.2, z=(-3, 3), path=p),
    "activations_grid": lambda net, X, y, h, p: plots.activations_grid(path=p),
    "training_curves": lambda net, X, y, h, p: plots.training_curves(h, path=p),
    "decision_regions": lambda net, X, y, h, p: plots.decision_regions(net, X, y, resolution=80, path=p),
    "neuron_maps": lambda net, X, y, h, p: plots.neuron_maps(net, X, resolution=30, path=p),
    "activation_histograms": lambda net, X, y, h, p: plots.activation_histograms(net, X, path=p),
    "activation_histograms_epochs": lambda net, X, y, h, p: plots.activation_histograms(net, X, history=h, path=p),
    "network_diagram": lambda net, X, y, h, p: plots.network_diagram(net, X, path=p),
    "network_diagram_bias": lambda net, X, y, h, p: plots.network_diagram(net, path=p),
    "neuron_health": lambda net, X, y, h, p: plots.neuron_health(h, path=p),
}


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_every_picture_is_written_with_its_size_and_is_not_blank(name, trained, tmp_path):
    net, X, y, history = trained
    path = tmp_path / f"{name}.png"
    fig = PICTURES[name](net, X, y, history, str(path))
    _check_png(fig, path)


def test_svg_and_figure_without_path(trained, tmp_path):
    net, X, y, history = trained
    fig = plots.training_curves(history)
    assert isinstance(fig, Figure) and fig.axes
    path = tmp_path / "curves.svg"
    plots.training_curves(history.to_dict(), path=path)
    text = path.read_text()
    assert "<svg" in text and "epoch" in text
    _check_png(plots.neuron_health(history.to_dict(), path=tmp_path / "h.png"), tmp_path / "h.png")


def test_pictures_of_other_tasks(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 2))
    binary = nl.Network.mlp([2, 4, 1], hidden="tanh", output="sigmoid", seed=0)
    binary.fit(X, (X[:, 0] > X[:, 1]).astype(int), epochs=3)
    _check_png(plots.decision_regions(binary, X, (X[:, 0] > X[:, 1]).astype(int), resolution=60,
                                      path=tmp_path / "b.png"), tmp_path / "b.png")
    regression = nl.Network.mlp([2, 4, 1], hidden="tanh", output="identity", seed=0)
    values = X[:, 0] ** 2
    regression.fit(X, values, epochs=3)
    _check_png(plots.decision_regions(regression, X, values, resolution=60, path=tmp_path / "r.png"),
               tmp_path / "r.png")
    wide = nl.Network.mlp([40, 45, 3], seed=0, dropout=0.2)          # summarised beyond 30 neurons
    fig = plots.network_diagram(wide, rng.normal(size=(30, 40)), path=tmp_path / "w.png")
    _check_png(fig, tmp_path / "w.png")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "⋮  11 more" in texts and "⋮  16 more" in texts
    maps = plots.neuron_maps(nl.Network.mlp([2, 40, 2], seed=0), max_neurons=10, ncols=5, resolution=20,
                             path=tmp_path / "m.png")
    _check_png(maps, tmp_path / "m.png")


def test_plot_input_errors(trained, tmp_path):
    net, X, y, history = trained
    with pytest.raises(nl.HyperparameterError, match=r"\.png or \.svg"):
        plots.activation("relu", path=tmp_path / "relu.jpg")
    with pytest.raises(nl.UnknownNameError, match="did you mean 'relu'"):
        plots.activation("relue")
    with pytest.raises(nl.ShapeError, match="2 inputs"):
        plots.decision_regions(nl.Network.mlp([3, 4, 2], seed=0), np.zeros((5, 3)), [0, 1, 0, 1, 0])
    with pytest.raises(nl.ShapeError, match="2 inputs"):
        plots.neuron_maps(nl.Network.mlp([3, 4, 2], seed=0))
    with pytest.raises(nl.ShapeError):
        plots.decision_regions(net, X[:, :1], y)
    with pytest.raises(nl.HyperparameterError, match="NeuronMonitor"):
        plots.neuron_health(nl.Network.mlp([2, 3, 3], seed=0).fit(X, y, epochs=1))
    with pytest.raises(nl.HyperparameterError, match="NeuronMonitor"):
        plots.activation_histograms(history=nl.History())
    with pytest.raises(IndexError, match="Dense"):
        plots.neuron_maps(nl.Network.mlp([2, 3, 2], dropout=0.5, seed=0), layers=[1])
    with pytest.raises(nl.HyperparameterError, match="not recorded"):
        plots.activation_histograms(history=history, epochs=[99])
    with pytest.raises(nl.IndexRangeError, match=r"layer 5 does not exist: valid layer indices are 0\.\.2"):
        plots.neuron_maps(net, layers=[5])
    with pytest.raises(nl.ArgumentTypeError, match="layer must be an integer index"):
        plots.neuron_maps(net, layers=["0"])
    with pytest.raises(nl.HyperparameterError, match=r"resolution must be an integer in \[10, 2000\], got 5"):
        plots.decision_regions(net, X, y, resolution=5)
    with pytest.raises(nl.HyperparameterError, match=r"bins must be an integer in \[2, 1000\], got 1"):
        plots.activation_histograms(net, X, bins=1)
    with pytest.raises(nl.HyperparameterError, match=r"dpi must be in \[10, 1000\], got 5"):
        plots.activation("relu", dpi=5)
    with pytest.raises(nl.HyperparameterError, match="dpi must be a number, got '100'"):
        plots.activation("relu", dpi="100")
    with pytest.raises(nl.HyperparameterError, match="max_neurons must be an integer >= 3, got 2"):
        plots.network_diagram(net, max_neurons=2)
    with pytest.raises(nl.HyperparameterError, match="ncols must be an integer >= 1, got 0"):
        plots.activations_grid(ncols=0)


ALL_PLOTS = [
    lambda net, X, y, h: plots.activation("relu"),
    lambda net, X, y, h: plots.activations_grid(),
    lambda net, X, y, h: plots.training_curves(h),
    lambda net, X, y, h: plots.decision_regions(net, X, y),
    lambda net, X, y, h: plots.neuron_maps(net, X),
    lambda net, X, y, h: plots.activation_histograms(net, X),
    lambda net, X, y, h: plots.network_diagram(net, X),
    lambda net, X, y, h: plots.neuron_health(h),
]


@pytest.mark.parametrize("draw", ALL_PLOTS)
def test_without_matplotlib_every_plot_names_the_extra(draw, trained, monkeypatch):
    net, X, y, history = trained
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'neuronlab\[plot\]'") as err:
        draw(net, X, y, history)
    assert isinstance(err.value, nl.NeuronLabError)


def test_looking_inside_never_imports_matplotlib():
    code = ("import sys, numpy as np, neuronlab as nl\n"
            "import neuronlab.inspect, neuronlab.callbacks, neuronlab.plots\n"
            "net = nl.Network.mlp([2, 3, 2], seed=0); X = np.zeros((4, 2))\n"
            "net.trace(X); nl.inspect.neuron_stats(net, X); net.explain(X[0], layer=0, neuron=0)\n"
            "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
