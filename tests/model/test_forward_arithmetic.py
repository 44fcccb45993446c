"""The forward arithmetic is defined once (``Dense.weighted_sum``, then the activation):
the readable forward pass, the workspace and a trace compute the same numbers, bit for bit."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.workspace import Workspace

HIDDEN = [name for name in nl.activations.names() if name != "softmax"]


def _net(hidden, dtype):
    return nl.Network.mlp([5, 6, 4, 3], hidden=[hidden, "tanh"], dropout=0.25, seed=2, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_network_forward_workspace_and_trace_agree_layer_by_layer(hidden, dtype, rng):
    net = _net(hidden, dtype)
    X = net.check_inputs(rng.standard_normal((9, 5)) * 2)
    t = net.trace(X)
    readable = []
    net.forward(X)
    for layer in net.dense_layers:
        readable.append((layer.z.copy(), layer.a.copy()))
    Workspace(net, 9).forward(X)
    fast = [(layer.z, layer.a) for layer in net.dense_layers]
    traced = [(lt.z, lt.a) for lt in t.dense]
    for (z0, a0), (z1, a1), (z2, a2) in zip(readable, fast, traced):
        np.testing.assert_array_equal(z0, z1)
        np.testing.assert_array_equal(z0, z2)
        np.testing.assert_array_equal(a0, a1)
        np.testing.assert_array_equal(a0, a2)
    np.testing.assert_array_equal(net.predict_proba(X), readable[-1][1])


def test_weighted_sum_is_x_at_w_plus_b_and_caches_nothing():
    layer = nl.Dense(2, 2, activation="relu", weights=[[0.1, -0.5], [0.2, 0.4]], bias=[0.3, -0.1])
    x = np.array([[0.5, 0.6]])
    z = layer.weighted_sum(x)
    np.testing.assert_allclose(z, [[0.47, -0.11]])   # 0.5×0.1 + 0.6×0.2 + 0.3, 0.5×(−0.5) + 0.6×0.4 − 0.1
    assert layer.x is None and layer.z is None and layer.a is None
    out = np.empty((1, 2))
    assert layer.weighted_sum(x, out) is out
    np.testing.assert_array_equal(out, z)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", nl.activations.names())
def test_dense_forward_into_given_arrays_equals_the_allocating_forward(name, dtype, rng):
    layer = nl.Dense(4, 3, activation=name)
    layer.W, layer.b = layer.W.astype(dtype), layer.b.astype(dtype) + dtype(0.1)
    x = (rng.standard_normal((6, 4)) * 3).astype(dtype)
    expected = layer.forward(x).copy()
    expected_z = layer.z.copy()
    z, a = np.empty((6, 3), dtype), np.empty((6, 3), dtype)
    got = layer.forward(x, z=z, a=a, zeros=np.zeros((6, 3), dtype))
    assert got is a and layer.z is z and layer.a is a and layer.x is x
    np.testing.assert_array_equal(z, expected_z)
    np.testing.assert_array_equal(a, expected)


def test_backward_from_z_into_a_given_array_equals_the_allocating_one(rng):
    layer = nl.Dense(4, 3, activation="tanh")
    x = rng.standard_normal((6, 4))
    layer.forward(x)
    delta = rng.standard_normal((6, 3))
    expected = layer.backward_from_z(delta)
    dW, db = layer.dW.copy(), layer.db.copy()
    out = np.empty((6, 4))
    assert layer.backward_from_z(delta, True, out) is out
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(layer.dW, dW)
    np.testing.assert_array_equal(layer.db, db)
    np.testing.assert_allclose(dW, x.T @ delta)
    np.testing.assert_allclose(db, delta.sum(axis=0))
    assert layer.backward_from_z(delta, False) is None
