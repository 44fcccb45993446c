"""Networks agree with PyTorch: the same weights give the same outputs, loss and backprop gradients, and
the weight penalties equal their autograd gradients and spare the biases."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import oracles  # noqa: E402
import neuronlab as nl  # noqa: E402

HIDDEN = [n for n in nl.activations.names() if n not in ("softmax", "step")]


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-9), ("float32", 1e-4)])
@pytest.mark.parametrize("act", HIDDEN)
def test_three_layer_network_matches_torch(act, dtype, rtol, rng):
    if act == "hard_sigmoid" and dtype == "float64":
        # torch's float64 hardsigmoid backward multiplies by 1/6 rounded to float32 (relative error 3e-8);
        # ours uses the exact 1/6, which the finite-difference tests of the activation confirm
        rtol = 1e-7
    net = nl.Network([nl.Dense(5, 7, activation=act), nl.Dense(7, 6, activation=act),
                      nl.Dense(6, 4, activation="softmax")], seed=3, dtype=dtype)
    X = rng.normal(size=(16, 5))
    y = rng.integers(0, 4, size=16)
    value, out, grads = oracles.network_forward(net, X, y, "cross_entropy")
    Xc = net.check_inputs(X)
    yc = net.check_targets(Xc, y)
    a = net.forward(Xc)
    np.testing.assert_allclose(a, out, rtol=rtol, atol=1e-6 if dtype == "float32" else 1e-12)
    assert net.loss_value(yc) == pytest.approx(value, rel=rtol)
    net.backward(yc)
    np.testing.assert_allclose(net.gradients, grads, rtol=rtol, atol=1e-6 if dtype == "float32" else 1e-12)


@pytest.mark.parametrize("output, loss", [("sigmoid", "binary_crossentropy"), ("identity", "mse"),
                                          ("tanh", "mse")])
def test_other_output_pairs_match_torch(output, loss, rng):
    net = nl.Network([nl.Dense(3, 5, activation="tanh"), nl.Dense(5, 2, activation=output)],
                     loss=loss, seed=1, dtype="float64")
    X = rng.normal(size=(10, 3))
    y = rng.integers(0, 2, size=(10, 2)).astype(float) if loss == "binary_crossentropy" else rng.normal(size=(10, 2))
    value, out, grads = oracles.network_forward(net, X, y, loss)
    yc = net.check_targets(X, y)
    net.forward(net.check_inputs(X))
    assert net.loss_value(yc) == pytest.approx(value, rel=1e-9)
    net.backward(yc)
    np.testing.assert_allclose(net.gradients, grads, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("l1, l2", [(0.01, 0.0), (0.0, 0.1), (0.03, 0.2)])
def test_weight_penalties_equal_torch_autograd_and_spare_the_biases(l1, l2):
    net = nl.Network.mlp([3, 4, 2], hidden="tanh", seed=1, dtype="float64")
    net.gradients[...] = 0.0
    value = net.add_penalty_gradients(l1=l1, l2=l2)
    Ws = [torch.tensor(layer.W, requires_grad=True) for layer in net.dense_layers]
    penalty = oracles.weight_penalty(Ws, l1, l2)
    penalty.backward()
    assert value == pytest.approx(penalty.item(), rel=1e-12)
    for layer, W in zip(net.dense_layers, Ws):
        np.testing.assert_allclose(layer.dW, W.grad.numpy(), rtol=1e-12, atol=0)
        assert not layer.db.any()                      # biases carry no penalty
