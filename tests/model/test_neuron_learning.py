"""A lone neuron learns by gradient descent: its gradient is the chain rule (checked against finite
differences and PyTorch autograd), one learning step is the worked example's arithmetic, and bad input is
refused with the fix."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import HyperparameterError, ShapeError

ELEMENTWISE = [n for n in nl.activations.names() if n not in ("softmax", "step")]


def worked(activation="relu"):
    return nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation=activation)


def test_the_worked_example_takes_one_step_toward_its_target():
    # a = relu(0.47) = 0.47, L = (0.47 − 1)² = 0.2809; ∂L/∂a = 2(0.47 − 1) = −1.06 = δ (relu′ = 1)
    # w0 ← 0.1 − 0.1 × (−1.06 × 0.5) = 0.153, w1 ← 0.2 − 0.1 × (−1.06 × 0.6) = 0.2636, b ← 0.3 + 0.106 = 0.406
    n = worked()
    g = n.learn([0.5, 0.6], target=1.0, learning_rate=0.1)
    assert g.loss_value == pytest.approx(0.2809) and g.dL_da == pytest.approx(-1.06) and g.da_dz == 1
    assert g.weight_gradients == pytest.approx([-0.53, -0.636]) and g.bias_gradient == pytest.approx(-1.06)
    assert g.new_weights == pytest.approx([0.153, 0.2636]) and g.new_bias == pytest.approx(0.406)
    assert n.weights.tolist() == pytest.approx([0.153, 0.2636]) and n.bias == pytest.approx(0.406)
    # after: z = 0.5 × 0.153 + 0.6 × 0.2636 + 0.406 = 0.64066, L = (0.64066 − 1)² = 0.12912
    assert g.activation_after == pytest.approx(0.64066) and g.loss_after == pytest.approx(0.35934 ** 2)
    text = str(g)
    assert "∂L/∂a = 2(a − y)/k = 2 × (0.47 − 1) = -1.06" in text
    assert "w1 ← 0.2 − 0.1 × (-0.636) = 0.2636" in text and "L = 0.1291 (was 0.2809)" in text


def test_gradient_changes_nothing_and_learn_repeated_drives_the_loss_down():
    n = worked("sigmoid")
    n.gradient([0.5, 0.6], 1.0)
    assert n.weights.tolist() == [0.1, 0.2] and n.bias == 0.3
    losses = [n.learn([0.5, 0.6], 1.0, learning_rate=1.0).loss_after for _ in range(20)]
    assert all(b < a for a, b in zip(losses, losses[1:]))


def numeric_gradient(n, x, y, loss, h=1e-6):
    def value(w, b):
        return nl.Neuron(w, b, activation=n.activation).gradient(x, y, loss).loss_value
    w, b = n.weights.astype(float), float(n.bias)
    gw = [(value(w + h * e, b) - value(w - h * e, b)) / (2 * h) for e in np.eye(len(w))]
    return gw, (value(w, b + h) - value(w, b - h)) / (2 * h)


@pytest.mark.parametrize("activation", ELEMENTWISE)
@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_the_gradient_agrees_with_finite_differences(activation, loss):
    n = nl.Neuron(weights=[0.4, -0.7, 0.2], bias=0.1, activation=activation)
    x = [[0.5, 0.6, -1.2], [1.5, -0.3, 0.8], [-0.2, 0.1, 0.4]]
    y = [0.3, -0.5, 1.1]
    g = n.gradient(x, y, loss)
    gw, gb = numeric_gradient(n, x, y, loss)
    np.testing.assert_allclose(g.weight_gradients, gw, rtol=1e-5, atol=1e-8)
    assert g.bias_gradient == pytest.approx(gb, rel=1e-5, abs=1e-8)


def test_sigmoid_with_binary_crossentropy_uses_the_fused_delta():
    n = worked("sigmoid")
    g = n.gradient([0.5, 0.6], 1, loss="binary_crossentropy")
    assert g.fused == "sigmoid and binary_crossentropy" and g.dL_da is None
    assert g.delta == pytest.approx(g.activation_value - 1)
    gw, gb = numeric_gradient(n, [0.5, 0.6], 1, "binary_crossentropy")
    np.testing.assert_allclose(g.weight_gradients, gw, rtol=1e-6)
    assert "a − y" in str(g)


@pytest.mark.parametrize("activation", ELEMENTWISE)
def test_the_gradient_equals_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    import oracles
    x = np.array([[0.5, 0.6, -1.2], [1.5, -0.3, 0.8]])
    y = np.array([0.3, -0.5])
    n = nl.Neuron(weights=[0.4, -0.7, 0.2], bias=0.1, activation=activation)
    g = n.gradient(x, y)
    w = torch.tensor(n.weights, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(n.bias, dtype=torch.float64, requires_grad=True)
    a = oracles.activation(activation)(torch.tensor(x) @ w + b)
    ((a - torch.tensor(y)) ** 2).mean().backward()
    rtol = 1e-7 if activation == "hard_sigmoid" else 1e-10   # torch rounds hard_sigmoid's 1/6 to float32
    np.testing.assert_allclose(g.weight_gradients, w.grad.numpy(), rtol=rtol, atol=1e-12)
    assert g.bias_gradient == pytest.approx(b.grad.item(), rel=rtol, abs=1e-12)


def test_a_step_neuron_has_no_gradient_and_says_why():
    n = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="step")
    g = n.learn([0.5, 0.6], 0.0, learning_rate=0.5)
    assert g.weight_gradients == [0.0, 0.0] and g.new_weights == [0.1, 0.2]
    assert "a step has no slope" in str(g)


def test_a_batch_lists_each_sample():
    g = worked().gradient([[0.5, 0.6], [1.0, -1.0]], [1.0, 0.0])
    assert len(g.delta) == 2 and "over 2 samples" in str(g)


def test_bad_input_is_refused_with_the_fix():
    n = worked()
    with pytest.raises(HyperparameterError, match="learning_rate"):
        n.learn([0.5, 0.6], 1.0, learning_rate=0)
    with pytest.raises(ShapeError, match="one target per sample"):
        n.gradient([[0.5, 0.6], [1.0, 1.0]], [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="binary_crossentropy"):
        n.gradient([0.5, 0.6], 1.0, loss="cross_entropy")
    with pytest.raises(ValueError, match="loss"):
        n.gradient([0.5, 0.6], 1.0, loss="hinge")
    with pytest.raises(ShapeError):
        n.gradient([0.5, 0.6, 0.7], 1.0)
    net = nl.Network.mlp([2, 3, 1], output="identity", loss="mse", seed=0)
    with pytest.raises(TypeError, match="explain_gradient"):
        net.layers[0].neuron(1).learn([0.5, 0.6], 1.0)
