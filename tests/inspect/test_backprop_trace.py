"""A trace with targets is the backward pass: every layer's dL/da, delta, dW and db agree with PyTorch
autograd and with finite differences, equal what training computes, and leave the network as it was."""
import copy

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import HyperparameterError, ShapeError

torch = pytest.importorskip("torch")
import oracles  # noqa: E402

HIDDEN = [n for n in nl.activations.names() if n not in ("softmax", "step")]

# output activation, loss, targets ("labels", "onehot", "binary", "values")
OUTPUTS = [("softmax", "cross_entropy", "labels"), ("softmax", "cross_entropy", "onehot"),
           ("softmax", "mse", "onehot"), ("sigmoid", "binary_crossentropy", "binary"),
           ("sigmoid", "mse", "values01"), ("identity", "mse", "values"), ("identity", "mae", "values"),
           ("tanh", "mse", "values"), ("sigmoid", "mae", "values01")]


def targets(kind, rng, n, k):
    if kind == "labels":
        return rng.integers(0, k, size=n)
    if kind == "onehot":
        return np.eye(k)[rng.integers(0, k, size=n)]
    if kind == "binary":
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if kind == "values01":
        return rng.uniform(size=(n, k))
    return rng.normal(size=(n, k))


def make(hidden, output, loss, dtype="float64", dropout=False, seed=0):
    layers = [nl.Dense(4, 6, activation=hidden), nl.Dense(6, 5, activation=hidden),
              nl.Dense(5, 3, activation=output)]
    if dropout:
        layers.insert(1, nl.Dropout(0.5))
    return nl.Network(layers, loss=loss, seed=seed, dtype=dtype)


def assert_matches_torch(net, t, X, y, loss, sample_weight=None, l1=0.0, l2=0.0, rtol=1e-10, atol=1e-12):
    value, ref = oracles.network_backward(net, X, y, loss, sample_weight, l1, l2)
    assert t.loss == pytest.approx(value, rel=rtol, abs=atol)
    for lt, r in zip(t.dense, ref):
        np.testing.assert_allclose(lt.a, r["a"], rtol=rtol, atol=atol)
        np.testing.assert_allclose(lt.delta, r["delta"], rtol=rtol, atol=atol)
        np.testing.assert_allclose(lt.dW, r["dW"], rtol=rtol, atol=atol)
        np.testing.assert_allclose(lt.db, r["db"], rtol=rtol, atol=atol)
        if lt.dL_da is not None:
            np.testing.assert_allclose(lt.dL_da, r["dL_da"], rtol=rtol, atol=atol)


@pytest.mark.parametrize("output, loss, kind", OUTPUTS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_delta_dW_and_db_equal_torch_autograd_for_every_activation_and_loss(hidden, output, loss, kind, rng):
    net = make(hidden, output, loss)
    X = rng.normal(size=(9, 4))
    y = targets(kind, rng, 9, 3)
    t = net.trace(X, y)
    assert t.has_gradients
    # torch's float64 hard_sigmoid backward multiplies by 1/6 rounded to float32 (relative error 6e-8)
    assert_matches_torch(net, t, X, y, loss, rtol=1e-7 if hidden == "hard_sigmoid" else 1e-10)


@pytest.mark.parametrize("output, loss, kind", OUTPUTS)
def test_fused_outputs_have_no_dL_da_and_the_others_do(output, loss, kind, rng):
    net = make("tanh", output, loss)
    t = net.trace(rng.normal(size=(3, 4)), targets(kind, rng, 3, 3))
    fused = (output, loss) in [("softmax", "cross_entropy"), ("sigmoid", "binary_crossentropy")]
    assert (t.layers[-1].dL_da is None) == fused
    assert all(lt.dL_da is not None for lt in t.dense[:-1])


def test_sample_weights_and_penalties_equal_torch_autograd(rng):
    net = make("tanh", "softmax", "cross_entropy")
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
    sw = rng.uniform(0.1, 3.0, size=8)
    t = net.trace(X, y, sample_weight=sw, l1=0.01, l2=0.05)
    assert t.penalty > 0
    assert_matches_torch(net, t, X, y, "cross_entropy", sw, 0.01, 0.05)


def test_a_dropout_network_traces_as_the_identity_when_predicting(rng):
    net = make("relu", "softmax", "cross_entropy", dropout=True)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    t = net.trace(X, y)
    assert t.layers[1].kind == "Dropout" and t.layers[1].delta is None
    np.testing.assert_array_equal(t.layers[1].dL_da, t.layers[0].dL_da)
    assert_matches_torch(net, t, X, y, "cross_entropy")


@pytest.mark.parametrize("output, loss, kind", OUTPUTS)
def test_dW_and_db_agree_with_finite_differences(output, loss, kind, rng):
    net = make("tanh", output, loss)
    X, y = rng.normal(size=(5, 4)), targets(kind, rng, 5, 3)
    t = net.trace(X, y, l2=0.1)
    h = 1e-6
    for lt in t.dense:
        layer = net.layers[lt.index]
        for param, grad in ((layer.W, lt.dW), (layer.b, lt.db)):
            numeric = np.empty_like(param)
            for idx in np.ndindex(param.shape):
                old = param[idx]
                param[idx] = old + h
                up = net.trace(X, y, l2=0.1).loss
                param[idx] = old - h
                down = net.trace(X, y, l2=0.1).loss
                param[idx] = old
                numeric[idx] = (up - down) / (2 * h)
            np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("output, loss, kind", OUTPUTS)
def test_the_gradients_are_those_training_computes(dtype, output, loss, kind, rng):
    net = make("relu", output, loss, dtype=dtype)
    X, y = rng.normal(size=(7, 4)), targets(kind, rng, 7, 3)
    sw = rng.uniform(0.5, 2.0, size=7)
    t = net.trace(X, y, sample_weight=sw, l2=0.01)
    Xc = net.check_inputs(X)
    yc = net.check_targets(Xc, y)
    net.forward(Xc)
    net.backward(yc, net.check_sample_weight(Xc, sw))
    value = net.loss_value(yc, net.check_sample_weight(Xc, sw)) + net.add_penalty_gradients(l2=0.01)
    tol = dict(rtol=1e-5, atol=1e-7) if dtype == "float32" else dict(rtol=1e-13, atol=1e-15)
    assert t.loss == pytest.approx(value, rel=tol["rtol"], abs=tol["atol"])
    for lt in t.dense:
        layer = net.layers[lt.index]
        assert lt.dW.dtype == np.dtype(dtype)
        np.testing.assert_allclose(lt.dW, layer.dW, **tol)
        np.testing.assert_allclose(lt.db, layer.db, **tol)


def test_one_neuron_of_the_trace_carries_its_delta_column(rng):
    net = make("sigmoid", "softmax", "cross_entropy")
    t = net.trace(rng.normal(size=(4, 4)), rng.integers(0, 3, size=4))
    n = t.layers[1].neuron(2)
    np.testing.assert_array_equal(n.delta, t.layers[1].delta[:, 2])
    np.testing.assert_array_equal(n.dL_da, t.layers[1].dL_da[:, 2])
    assert n.delta.shape == (4,)


def test_a_trace_without_targets_has_no_gradients(rng):
    t = make("relu", "softmax", "cross_entropy").trace(rng.normal(size=(2, 4)))
    assert not t.has_gradients and t.loss is None
    assert all(lt.delta is None and lt.dW is None for lt in t.layers)


def snapshot(net):
    return {"params": net.parameters.copy(), "grads": net.gradients.copy(),
            "rng": copy.deepcopy(net._rng.bit_generator.state),
            "caches": [(getattr(l, "x", None), getattr(l, "z", None), getattr(l, "a", None)) for l in net.layers]}


def test_tracing_with_targets_changes_nothing_in_the_network(rng):
    net = make("relu", "softmax", "cross_entropy", dropout=True)
    X, y = rng.normal(size=(20, 4)), rng.integers(0, 3, size=20)
    adam = nl.optimizers.get("adam")
    net.fit(X, y, epochs=2, batch_size=5, optimizer=adam)
    before, adam_before = snapshot(net), copy.deepcopy(adam.state_dict())
    net.trace(X, y, l1=0.1, l2=0.1)
    net.explain_gradient(X[:3], y[:3], layer=0, neuron=1, weight=2, learning_rate=0.5)
    after = snapshot(net)
    adam_after = adam.state_dict()
    assert adam_before.keys() == adam_after.keys() and adam_before["step"] == 8
    for k, v in adam_before.items():
        np.testing.assert_array_equal(v, adam_after[k])
    np.testing.assert_array_equal(before["params"], after["params"])
    np.testing.assert_array_equal(before["grads"], after["grads"])
    assert before["rng"] == after["rng"]
    for old, new in zip(before["caches"], after["caches"]):
        for o, n in zip(old, new):
            assert o is n


def test_targets_of_the_wrong_shape_are_refused_by_name(rng):
    net = make("relu", "softmax", "cross_entropy")
    X = rng.normal(size=(4, 4))
    with pytest.raises(ValueError, match="y"):
        net.trace(X, [0, 1])
    with pytest.raises(ShapeError, match="needs targets"):
        net.trace(X, sample_weight=np.ones(4))
    with pytest.raises(ShapeError, match="needs targets"):
        net.trace(X, l2=0.1)
    with pytest.raises(HyperparameterError, match="l1"):
        net.trace(X, [0, 1, 2, 0], l1=-1)
    with pytest.raises(ValueError, match="sample_weight"):
        net.trace(X, [0, 1, 2, 0], sample_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match="class"):
        net.trace(X, [0, 1, 2, 7])
