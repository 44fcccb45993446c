"""Pictures of backpropagation (plots.backprop, plots.gradient_step): written, drawn with the
trace's numbers and signs, the network left as it was, and bad input refused before drawing."""
import os
import sys

import numpy as np
import pytest

import neuronlab as nl

mpl_image = pytest.importorskip("matplotlib.image")
import matplotlib  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from neuronlab import plots  # noqa: E402

CMAP = matplotlib.colormaps["RdBu_r"]


def _worked():
    """The worked example's neuron (0.5×0.1 + 0.6×0.2 + 0.3 = 0.47) and a second one, into
    one identity output: δ of the hidden neurons is −0.56 and +0.28 against the target 1."""
    return nl.Network([nl.Dense(2, 2, activation="relu", weights=[[0.1, -0.4], [0.2, 0.3]], bias=[0.3, 0.1]),
                       nl.Dense(2, 1, activation="identity", weights=[[2.0], [-1.0]], bias=[0.0])],
                      loss="mse", dtype="float64")


@pytest.fixture(scope="module")
def iris():
    data = nl.datasets.load("iris")
    net = nl.Network.mlp([4, 8, 3], hidden="tanh", seed=0, dropout=0.2)
    net.fit(data.X, data.y, epochs=2, learning_rate=0.01, verbose=0)
    return net, data.X[:16], data.y[:16]


def _check_png(fig, path):
    assert isinstance(fig, Figure)
    assert os.path.getsize(path) > 5000
    img = mpl_image.imread(path)
    w, h = fig.get_size_inches() * fig.dpi
    assert img.shape[:2] == (round(h), round(w))
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) >= 40


def _state(net):
    dropout_rngs = [l.rng.bit_generator.state for l in net.layers if isinstance(l, nl.Dropout)]
    return net.parameters.copy(), net.gradients.copy(), dropout_rngs


def _layer_artist(fig, gid):
    return next(c for c in fig.axes[0].collections if c.get_gid() == gid)


@pytest.mark.parametrize("draw", ["backprop", "gradient_step"])
def test_both_pictures_are_written_for_one_sample_and_for_a_batch_with_dropout(draw, iris, tmp_path):
    net, X, y = iris
    args = {"backprop": (), "gradient_step": (0.1,)}[draw]
    for name, x, t in (("tiny", [0.5, 0.6], 1.0), ("iris", X, y)):
        model = _worked() if name == "tiny" else net
        path = tmp_path / f"{draw}-{name}.png"
        fig = getattr(plots, draw)(model, x, t, *args, path=path)
        _check_png(fig, path)


@pytest.mark.parametrize("draw", ["backprop", "gradient_step"])
def test_the_network_its_gradient_buffer_and_its_random_state_are_left_as_they_were(draw, iris):
    net, X, y = iris
    net.gradients[...] = 7.0                 # whatever the last step left there
    before = _state(net)
    getattr(plots, draw)(net, X, y, *((0.5,) if draw == "gradient_step" else ()))
    after = _state(net)
    assert np.array_equal(before[0], after[0])
    assert np.array_equal(before[1], after[1])
    assert before[2] == after[2] and before[2]


def test_a_neuron_with_a_positive_delta_gets_the_red_end_and_a_negative_one_the_blue_end():
    fig = plots.backprop(_worked(), [0.5, 0.6], 1.0)
    hidden = _layer_artist(fig, "layer 0").get_facecolors()        # δ = −0.56 (its layer's largest), +0.28
    assert np.allclose(hidden[0], CMAP(0.0))
    assert np.allclose(hidden[1], CMAP(0.75))
    assert hidden[1][0] > hidden[1][2]                              # red above blue: positive
    output = _layer_artist(fig, "layer 1").get_facecolors()         # δ = 2 × (0.86 − 1) < 0
    assert np.allclose(output[0], CMAP(0.0))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "δ -0.56" in texts and "δ 0.28" in texts
    assert any("y = 1, δ = -0.28" in t for t in texts)
    assert "mse loss L = 0.0196" in fig._suptitle.get_text()


def test_the_strongest_connection_is_drawn_on_top_in_the_colour_of_its_gradients_sign():
    fig = plots.backprop(_worked(), [0.5, 0.6], 1.0)
    lines = _layer_artist(fig, "connections")
    colours = lines.get_colors()
    # ∂L/∂w of the gap x → layer 0: δ × x = (−0.56, 0.28) × (0.5, 0.6); the largest |·| is x1 → neuron 0
    first_gap = [(c, s) for c, s in zip(colours, lines.get_segments()) if s[0][0] == 0]
    colour, ((x0, y0), (x1, y1)) = first_gap[-1]                  # drawn last of its gap: the strongest
    assert np.allclose(colour[:3], CMAP(0.0)[:3])
    assert (x0, x1) == (0, 1) and y0 < 0 and y1 > 0               # from x1 (lower) to neuron 0 (upper)
    positive = [c for c, s in first_gap if s[1][1] < 0]
    assert len(positive) == 2 and all(c[0] > c[2] for c in positive)  # into neuron 1 (δ > 0): red


def test_a_batch_is_coloured_by_the_sum_of_its_deltas(iris):
    net, X, y = iris
    fig = plots.backprop(net, X, y)
    t = net.trace(X, y)
    d = t.layers[0].delta.sum(axis=0)
    expected = CMAP(matplotlib.colors.Normalize(-1, 1)(d / np.abs(d).max()))
    assert np.allclose(_layer_artist(fig, "layer 0").get_facecolors(), expected)
    assert "a batch of 16 samples" in fig._suptitle.get_text()
    assert "dropout 0.2 (off here)" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_one_sample_as_a_vector_draws_what_a_batch_of_one_row_draws(iris):
    net, X, y = iris
    one = _layer_artist(plots.backprop(net, X[3], y[3]), "layer 0").get_facecolors()
    row = _layer_artist(plots.backprop(net, X[3:4], y[3:4]), "layer 0").get_facecolors()
    assert np.array_equal(one, row)


def test_the_overall_scale_puts_every_layer_on_the_largest_delta_of_the_network(iris):
    net, X, y = iris
    t = net.trace(X, y)
    largest = max(np.abs(lt.delta.sum(axis=0)).max() for lt in t.dense)
    fig = plots.backprop(net, X, y, scale="overall")
    d = t.layers[0].delta.sum(axis=0)
    assert np.allclose(_layer_artist(fig, "layer 0").get_facecolors(),
                       CMAP(matplotlib.colors.Normalize(-1, 1)(d / largest)))


def test_a_digits_sized_network_shows_its_ends_and_the_strongest_connections(tmp_path):
    rng = np.random.default_rng(0)
    net = nl.Network.mlp([64, 32, 10], seed=0)
    X, y = rng.uniform(0, 16, size=(32, 64)), rng.integers(0, 10, 32)
    fig = plots.backprop(net, X, y, path=tmp_path / "digits.png")
    _check_png(fig, tmp_path / "digits.png")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "⋮  35 more" in texts and "⋮  3 more" in texts
    assert len(_layer_artist(fig, "connections").get_segments()) == 2 * 60
    step = plots.gradient_step(net, X, y, 0.01, max_neurons=9, path=tmp_path / "step.png")
    _check_png(step, tmp_path / "step.png")
    assert step.axes[0].images[0].get_array().shape == (9 + 1, 9)     # 9 inputs around a gap, and b


def test_gradient_step_draws_w_the_step_and_w_after_from_the_trace():
    net = _worked()
    eta = 0.1
    fig = plots.gradient_step(net, [0.5, 0.6], 1.0, eta)
    t = net.trace([[0.5, 0.6]], [1.0])
    W, b = net.layers[0].W, net.layers[0].b
    step = -eta * np.vstack([t.layers[0].dW, t.layers[0].db])
    before, shown_step, after = (ax.images[0].get_array() for ax in fig.axes[:3])
    assert np.allclose(before, np.vstack([W, b]))
    assert np.allclose(shown_step, step)                         # e.g. w01: −0.1 × (−0.56 × 0.5) = 0.028
    assert np.isclose(shown_step[0, 0], 0.028)
    assert np.allclose(after, np.vstack([W, b]) + step)
    # the loss after the step is the one a plain SGD step writes
    sgd = net.copy()
    sgd.train_on_batch(np.array([[0.5, 0.6]]), np.array([1.0]), nl.optimizers.SGD(learning_rate=eta))
    title = fig._suptitle.get_text()
    assert "0.0196 → " in title and f"{sgd.trace([[0.5, 0.6]], [1.0]).loss:.4g}" in title
    assert "rose" not in title


def test_gradient_step_says_when_the_step_overshoots():
    fig = plots.gradient_step(_worked(), [0.5, 0.6], 1.0, 0.5)
    assert "the loss rose" in fig._suptitle.get_text()


BAD = [
    (lambda net: plots.backprop(net, [0.5, 0.6], None), nl.ShapeError, "needs the targets y"),
    (lambda net: plots.gradient_step(net, [0.5, 0.6], None, 0.1), nl.ShapeError, "needs the targets y"),
    (lambda net: plots.backprop(net, [0.5, 0.6, 0.7], 1.0), nl.ShapeError, "x has 3 features"),
    (lambda net: plots.backprop(net, [[0.5, 0.6], [0.1, 0.2]], [1.0]), nl.DataError, "X has 2 samples but y has 1"),
    (lambda net: plots.backprop(net, [0.5, np.nan], 1.0), nl.DataError, "x contains nan at column 1"),
    (lambda net: plots.gradient_step(net, [0.5, 0.6], 1.0, 0), nl.HyperparameterError,
     r"learning_rate must be > 0, got 0"),
    (lambda net: plots.gradient_step(net, [0.5, 0.6], 1.0, -0.1), nl.HyperparameterError, "learning_rate"),
    (lambda net: plots.gradient_step(net, [0.5, 0.6], 1.0, "0.1"), nl.HyperparameterError, "learning_rate"),
    (lambda net: plots.backprop(net, [0.5, 0.6], 1.0, scale="global"), nl.HyperparameterError,
     "scale must be 'layer'"),
    (lambda net: plots.backprop(net, [0.5, 0.6], 1.0, max_neurons=2), nl.HyperparameterError,
     "max_neurons must be an integer >= 3"),
    (lambda net: plots.gradient_step(net, [0.5, 0.6], 1.0, 0.1, max_neurons=2), nl.HyperparameterError,
     "max_neurons"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_input_is_refused_with_a_clear_error_before_any_drawing(case, monkeypatch):
    draw, error, match = BAD[case]
    module = sys.modules["neuronlab.plots.backprop"]

    def no_drawing(*args, **kwargs):
        raise AssertionError("a figure was made before the input was checked")

    monkeypatch.setattr(module, "_figure", no_drawing)
    with pytest.raises(error, match=match):
        draw(_worked())


def test_a_bad_path_is_refused(tmp_path):
    with pytest.raises(nl.HyperparameterError, match=r"\.png or \.svg"):
        plots.backprop(_worked(), [0.5, 0.6], 1.0, path=tmp_path / "b.jpg")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("draw", [lambda net: plots.backprop(net, [0.5, 0.6], 1.0),
                                  lambda net: plots.gradient_step(net, [0.5, 0.6], 1.0, 0.1)])
def test_without_matplotlib_both_name_the_extra(draw, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'neuronlab\[plot\]'") as err:
        draw(_worked())
    assert isinstance(err.value, nl.NeuronLabError)
