"""A frame's bytes decode to the arrays that were sent, and its maps are the network's own
numbers over the grid, from one forward pass."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.playground import config
from neuronlab.playground.frames import (GRID, decode_frame, encode_frame, explanation_message, frame_arrays,
                                         grid_inputs, model_message)


def _built(**settings):
    cfg = config.check_config(settings)
    pd = config.build_data(cfg, config.load_data(cfg))
    return cfg, pd, config.build_network(cfg, pd)


def test_a_frame_decodes_to_the_header_and_the_float32_arrays_sent():
    a = np.arange(12, dtype=np.float64).reshape(3, 4) / 7
    b = np.array([1.5, -2.25, 1e-8], dtype=np.float32)
    message = encode_frame({"epoch": 3, "note": "é"}, [("a", a), ("b", b), ("empty", np.zeros((0, 2)))])
    header, arrays = decode_frame(message)
    assert header["epoch"] == 3 and header["note"] == "é"
    np.testing.assert_array_equal(arrays["a"], a.astype(np.float32))
    np.testing.assert_array_equal(arrays["b"], b)
    assert arrays["empty"].shape == (0, 2)
    n = int.from_bytes(message[:4], "little")
    assert (4 + n) % 4 == 0                          # the arrays start aligned, as Float32Array needs


def test_the_grid_varies_the_two_map_features_and_holds_the_others_at_their_mean():
    G = grid_inputs(4, [-1.0, 1.0, -2.0, 2.0], fx=3, fy=1, size=5)
    assert G.shape == (25, 4)
    assert np.all(G[:, [0, 2]] == 0)
    assert G[0, 3] == -1.0 and G[4, 3] == 1.0          # x grows along a row
    assert G[0, 1] == 2.0 and G[20, 1] == -2.0         # row 0 is the top of the map


def test_the_maps_are_the_network_numbers_on_the_grid():
    cfg, pd, net = _built(data="moons", hidden=[5, 3], activations=["tanh", "relu"])
    msg = model_message(net, pd, cfg, {"map_x": 0, "map_y": 1})
    grid = grid_inputs(2, msg["map"]["extent"], 0, 1)
    arrays = dict(frame_arrays(net, pd, grid, pd.X_train[:10]))
    proba = net.predict_proba(grid)
    np.testing.assert_array_equal(arrays["out_class"], proba.argmax(axis=1))
    np.testing.assert_allclose(arrays["out_conf"], proba.max(axis=1), rtol=1e-6)
    t = net.trace(grid)
    hidden = t.layers[0].a.reshape(GRID, GRID, 5)[::2, ::2]
    np.testing.assert_array_equal(arrays["hidden0"], np.moveaxis(hidden, 2, 0))
    assert arrays["hidden1"].shape == (3, GRID // 2, GRID // 2)
    np.testing.assert_array_equal(arrays["W2"], net.layers[2].W)


def test_the_explanation_message_holds_the_library_numbers():
    _, pd, net = _built(data="iris", hidden=[4], activations=["relu"])
    x, y = pd.X_train[3], pd.y_train[3]
    m = explanation_message(net, x, y, layer=1, neuron=2, sample=3)
    e = net.explain(x, 1, 2)
    assert m["forward"]["weighted_sum"] == pytest.approx(e.weighted_sum)
    assert m["forward"]["inputs"] == pytest.approx(e.inputs)
    assert [w["gradient"] for w in m["backward"]["weights"]] == pytest.approx(
        [net.explain_gradient(x, y, 1, 2, weight=k).gradient for k in range(4)])
    assert m["backward"]["bias_gradient"] == pytest.approx(net.explain_gradient(x, y, 1, 2).gradient)
    assert "∂L" in m["backward"]["text"] or "δ" in m["backward"]["text"]
