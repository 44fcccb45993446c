"""Pictures say what the numbers are: share axes stay within 0–100 % with even ticks,
coinciding lines stay visible, every diagram layer has its own colour scale and a true
title, and the diagram file stays small."""
import os

import numpy as np
import pytest

import neuronlab as nl

pytest.importorskip("matplotlib")
from neuronlab import plots  # noqa: E402

FLAT = {"loss": [0.5, 0.2, 0.1, 0.05, 0.04], "accuracy": [1.0] * 5,
        "val_loss": [0.5, 0.3, 0.2, 0.1, 0.1], "val_accuracy": [1.0] * 5}


def _percent_ticks(ax):
    """The tick values drawn inside the view, in percent, and their labels."""
    lo, hi = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if lo <= t <= hi]
    fmt = ax.yaxis.get_major_formatter()
    return np.array(ticks), [fmt(t) for t in ticks]


def _assert_share_axis(ax, scale):
    lo, hi = ax.get_ylim()
    assert -0.05 * scale < lo and hi < 1.05 * scale, (lo, hi)
    ticks, labels = _percent_ticks(ax)
    assert len(ticks) >= 3
    assert ticks.min() >= 0.0 and ticks.max() <= scale + 1e-9
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0]), labels
    for label in labels:
        assert label.endswith("%") and 0.0 <= float(label.rstrip("%")) <= 100.0, labels


def test_a_flat_at_one_accuracy_axis_stops_at_100_percent_with_even_ticks():
    fig = plots.training_curves(FLAT)
    acc = next(ax for ax in fig.axes if ax.get_title() == "Accuracy")
    _assert_share_axis(acc, 1.0)
    assert acc.get_ylim()[1] >= 1.0          # the line at 100 % is inside the view
    assert "100%" in _percent_ticks(acc)[1]


@pytest.mark.parametrize("values", [[0.0] * 4, [0.3, 0.5, 0.62, 0.7], [0.97, 0.985, 0.99, 0.995], [0.0, 1.0]])
def test_every_accuracy_axis_stays_in_0_to_100_percent_with_even_ticks(values):
    fig = plots.training_curves({"loss": [1.0, 0.8, 0.7, 0.6], "accuracy": values})
    acc = next(ax for ax in fig.axes if ax.get_title() == "Accuracy")
    _assert_share_axis(acc, 1.0)
    lo, hi = acc.get_ylim()
    assert lo <= min(values) and max(values) <= hi


def test_the_legend_of_a_flat_at_one_accuracy_does_not_cover_the_line():
    fig = plots.training_curves(FLAT)
    acc = next(ax for ax in fig.axes if ax.get_title() == "Accuracy")
    fig.canvas.draw()
    box = acc.get_legend().get_window_extent()
    y_line = acc.transData.transform((3, 1.0))[1]
    assert not box.y0 <= y_line <= box.y1


def _health_history(dead, fire=None, sat=None, acts=("relu", "relu", "softmax")):
    dead = np.asarray(dead, dtype=float)
    n_ep, n_layers = dead.shape
    h = nl.History()
    h.history.update(dead_fraction=dead.tolist(),
                     firing_fraction=(np.full_like(dead, 0.5) if fire is None else np.asarray(fire)).tolist(),
                     saturated_fraction=(np.zeros_like(dead) if sat is None else np.asarray(sat)).tolist())
    h.epochs = list(range(1, n_ep + 1))
    h.extra["neuron_layers"] = list(range(n_layers))
    h.extra["neuron_activations"] = list(acts)
    return h


def test_neuron_health_axes_run_from_0_to_100_percent_with_even_ticks():
    fig = plots.neuron_health(_health_history(np.zeros((5, 3))))
    for ax in fig.axes[:3]:
        _assert_share_axis(ax, 100.0)
        assert _percent_ticks(ax)[1][0] == "0%" and _percent_ticks(ax)[1][-1] == "100%"


def test_layers_at_0_percent_dead_are_named_and_all_visible():
    fig = plots.neuron_health(_health_history(np.zeros((5, 3))))
    dead_ax = fig.axes[1]
    notes = [t.get_text() for t in dead_ax.texts]
    assert any("layers 0, 1, 2: 0 % throughout (lines overlap)" in n for n in notes), notes
    lines = [ln for ln in dead_ax.get_lines() if ln.get_label().startswith("layer")]
    widths = [ln.get_linewidth() for ln in lines]
    sizes = [ln.get_markersize() for ln in lines]
    assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3      # each one peeks out below the next
    assert len(set(sizes)) == 3 and len({ln.get_marker() for ln in lines}) == 3


def test_layers_with_different_shares_get_no_overlap_note():
    dead = np.array([[0.0, 0.1, 0.5]] * 4)
    fig = plots.neuron_health(_health_history(dead))
    assert not any("overlap" in t.get_text() for t in fig.axes[1].texts)


def _layer_colours(fig, index):
    coll = next(c for c in fig.axes[0].collections if c.get_gid() == f"layer {index}")
    return coll.get_facecolors()[:, :3]


def _two_scale_network():
    """A relu layer with mean activation values near 100 and one near 0.01."""
    net = nl.Network.mlp([2, 4, 4, 2], hidden="relu", output="softmax", seed=0)
    l0, l1 = net.layers[0], net.layers[1]
    l0.W[...] = 0.0
    l0.b[...] = [100.0, 50.0, 25.0, 10.0]
    l1.W[...] = 0.0
    l1.b[...] = [0.01, 0.005, 0.0025, 0.001]
    net.layers[2].W[...] = 0.0
    net.layers[2].b[...] = 0.0
    return net


def test_each_diagram_layer_has_its_own_colour_scale():
    net = _two_scale_network()
    fig = plots.network_diagram(net, np.zeros((8, 2)))
    big, small = _layer_colours(fig, 0), _layer_colours(fig, 1)
    # the same pattern on two scales 10 000 times apart: the same colours, top to bottom
    assert np.allclose(big[0], small[0]) and np.allclose(big[1], small[1])
    assert not np.allclose(small[0], small[3])       # the small layer is not one flat colour
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "colour scale 0 … 100 (this layer's range)" in texts
    assert "colour scale 0 … 0.01 (this layer's range)" in texts
    assert "colour scale 0 … 1 (output range)" in texts


def test_a_softmax_layer_is_coloured_on_its_output_range():
    net = _two_scale_network()
    fig = plots.network_diagram(net, np.zeros((8, 2)))
    out = _layer_colours(fig, 2)             # both softmax outputs are 0.5: the middle of 0 … 1
    import matplotlib
    assert np.allclose(out, matplotlib.colormaps["viridis"](0.5)[:3])


def test_a_diagram_without_dead_neurons_says_so_and_one_with_them_counts_them():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    net = nl.Network.mlp([2, 4, 2], hidden="tanh", output="softmax", seed=0)
    title = plots.network_diagram(net, X)._suptitle.get_text()
    assert "no neuron" not in title and "every neuron fires on some of them" in title
    dead = _two_scale_network()
    dead.layers[0].b[...] = [-1.0, 5.0, 5.0, 5.0]
    stats = nl.inspect.neuron_stats(dead, np.zeros((8, 2)))
    n_dead = sum(int(stats[i].dead.sum()) for i in range(3))
    assert n_dead >= 2
    title = plots.network_diagram(dead, np.zeros((8, 2)))._suptitle.get_text()
    assert f"red ring: {n_dead} neurons never fire on them" in title
    assert "biases" in plots.network_diagram(net)._suptitle.get_text()


def test_the_default_diagram_file_is_small(tmp_path):
    rng = np.random.default_rng(0)
    net = nl.Network.mlp([64, 128, 64, 10], hidden="relu", output="softmax", seed=0)
    path = tmp_path / "diagram.png"
    fig = plots.network_diagram(net, rng.normal(size=(200, 64)), path=path)
    assert os.path.getsize(path) < 200_000
    lines = next(c for c in fig.axes[0].collections if c.get_gid() == "connections")
    assert len(lines.get_segments()) == 3 * plots.diagram.MAX_EDGES
    assert any("the strongest 180 of 1972 connections drawn" in t.get_text()
               for ax in fig.axes for t in ax.texts + [ax.xaxis.label])


def test_a_picture_that_cannot_be_drawn_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "curves.png"
    path.write_bytes(b"old picture")

    def broken(*args, **kwargs):
        raise RuntimeError("renderer failed")

    fig = plots.training_curves(FLAT)
    monkeypatch.setattr(fig, "savefig", broken)
    from neuronlab.plots.figure import _save
    with pytest.raises(RuntimeError):
        _save(fig, path)
    assert path.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]
