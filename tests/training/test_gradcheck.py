"""gradcheck compares backprop with central finite differences."""
import numpy as np
import pytest

import neuronlab as nl


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "softplus", "gelu", "elu", "silu"])
@pytest.mark.parametrize("output, loss", [("softmax", "cross_entropy"), ("sigmoid", "binary_crossentropy"),
                                          ("identity", "mse")])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backprop_agrees_with_finite_differences(hidden, output, loss, dtype, rng):
    net = nl.Network.mlp([4, 6, 5, 3], hidden=hidden, output=output, loss=loss, seed=0, dtype=dtype)
    X = rng.normal(size=(8, 4))
    y = rng.integers(0, 3, size=8) if loss == "cross_entropy" else (
        rng.integers(0, 2, size=(8, 3)) if loss == "binary_crossentropy" else rng.normal(size=(8, 3)))
    assert nl.gradcheck(net, X, y) < 1e-6


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradcheck_catches_a_wrong_derivative(dtype, rng):
    nl.activations.register("wrong_cube", f=lambda z: z ** 3, derivative=lambda z: 2 * z ** 2)
    try:
        net = nl.Network.mlp([3, 4, 2], hidden="wrong_cube", seed=0, dtype=dtype)
        assert nl.gradcheck(net, rng.normal(size=(5, 3)), [0, 1, 0, 1, 1]) > 1e-2
    finally:
        nl.activations.unregister("wrong_cube")


def test_gradcheck_with_sample_weights_and_subset(rng):
    net = nl.Network.mlp([4, 8, 3], hidden="tanh", seed=0)
    X = rng.normal(size=(6, 4))
    err = nl.gradcheck(net, X, [0, 1, 2, 0, 1, 2], sample_weight=rng.uniform(0.5, 2, 6), max_params=20)
    assert err < 1e-6
