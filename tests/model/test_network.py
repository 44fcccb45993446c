"""Networks: construction checks, forward values by hand, the flat buffer, copies and configs (backprop
against PyTorch autograd is in ``test_torch_agreement.py``)."""
import copy
import pickle
import numpy as np
import pytest

import neuronlab as nl

from bad_input import X as X24, Y as Y24

def test_worked_two_layer_example_by_hand():
    # inputs x = (1, 2); hidden layer: two relu neurons; output: one identity neuron
    net = nl.Network([
        nl.Dense(2, 2, activation="relu", weights=[[0.5, -1.0],
                                                   [0.25, 0.5]], bias=[0.0, 0.5]),
        nl.Dense(2, 1, activation="identity", weights=[[2.0], [3.0]], bias=[-1.0]),
    ], loss="mse", dtype="float64")
    X = np.array([[1.0, 2.0]])
    # hidden z0 = 1×0.5 + 2×0.25 + 0   = 1.0  → relu → 1.0
    # hidden z1 = 1×(−1) + 2×0.5 + 0.5 = 0.5  → relu → 0.5
    # output z  = 1.0×2 + 0.5×3 − 1    = 2.5  → identity → 2.5
    out = net.forward(X)
    np.testing.assert_allclose(net.layers[0].z, [[1.0, 0.5]])
    np.testing.assert_allclose(out, [[2.5]])
    # target 2.0: loss = (2.5 − 2)² = 0.25; dL/da_out = 2 × 0.5 = 1.0
    y = net.check_targets(X, [2.0])
    assert net.loss_value(y) == pytest.approx(0.25)
    net.backward(y)
    # dL/dW2 = a_hidden × 1.0 = (1.0, 0.5); dL/db2 = 1.0
    np.testing.assert_allclose(net.layers[1].dW, [[1.0], [0.5]])
    np.testing.assert_allclose(net.layers[1].db, [1.0])
    # dL/da_hidden = 1.0 × (2, 3); both relus are active so dL/dz_hidden = (2, 3)
    # dL/dW1 = xᵀ (2, 3) = [[2, 3], [4, 6]]; dL/db1 = (2, 3)
    np.testing.assert_allclose(net.layers[0].dW, [[2.0, 3.0], [4.0, 6.0]])
    np.testing.assert_allclose(net.layers[0].db, [2.0, 3.0])


def test_parameters_live_in_one_flat_buffer():
    net = nl.Network.mlp([4, 3, 2], seed=0)
    assert net.parameters.shape == (4 * 3 + 3 + 3 * 2 + 2,)
    assert np.shares_memory(net.layers[0].W, net.parameters)
    assert np.shares_memory(net.layers[1].db, net.gradients)
    net.parameters[:] = 0.0
    assert not net.layers[1].W.any()


def test_mlp_equals_explicit_layers():
    a = nl.Network.mlp([64, 32, 10], hidden="relu", output="softmax", seed=0)
    b = nl.Network([nl.Dense(64, 32, activation="relu"), nl.Dense(32, 10, activation="softmax")],
                   loss="cross_entropy", seed=0)
    np.testing.assert_array_equal(a.parameters, b.parameters)
    assert a.loss.name == b.loss.name == "cross_entropy"


def test_per_layer_activations_and_dropout():
    net = nl.Network.mlp([4, 8, 6, 2], hidden=["relu", "tanh"], output="sigmoid", dropout=0.5, seed=0)
    assert [l.activation.name for l in net.dense_layers] == ["relu", "tanh", "sigmoid"]
    assert net.loss.name == "binary_crossentropy"
    X = np.ones((3, 4), dtype=np.float32)
    np.testing.assert_array_equal(net.forward(X), net.forward(X))      # dropout off when predicting
    dropped = net.layers[1].forward(np.ones((1000, 8), np.float32), training=True)
    assert set(np.unique(dropped)) == {0.0, 2.0}                      # inverted dropout scales by 1/(1-p)


def test_summary_lists_every_layer():
    text = nl.Network.mlp([64, 32, 10], seed=0).summary()
    assert "64 → 32" in text and "softmax" in text and "2,410" in text


def test_float64_on_request():
    net = nl.Network.mlp([3, 4, 2], dtype="float64", seed=0)
    assert net.parameters.dtype == np.float64
    assert net.predict_proba(np.zeros((2, 3))).dtype == np.float64
    assert nl.Network.mlp([3, 4, 2], seed=0).parameters.dtype == np.float32


def test_float32_and_float64_start_from_the_same_weights():
    a = nl.Network.mlp([3, 4, 2], dtype="float64", seed=7)
    b = nl.Network.mlp([3, 4, 2], dtype="float32", seed=7)
    np.testing.assert_allclose(a.parameters, b.parameters, rtol=1e-6)


@pytest.mark.parametrize("make, error, words", [
    (lambda: nl.Network([nl.Dense(4, 3), nl.Dense(5, 2)]), nl.ShapeError, "layer 1"),
    (lambda: nl.Network([]), TypeError, "non-empty"),
    (lambda: nl.Network(["dense"]), TypeError, "not a neuronlab layer"),
    (lambda: nl.Network([nl.Dense(2, 2)], loss="hinge"), nl.UnknownNameError, "Known losses"),
    (lambda: nl.Network([nl.Dense(2, 2)], dtype="int8"), nl.HyperparameterError, "float32"),
    (lambda: nl.Network.mlp([3]), nl.ShapeError, "at least"),
    (lambda: nl.Network.mlp([3, 4, 5, 2], hidden=["relu"]), nl.ShapeError, "2 hidden layers"),
    (lambda: nl.Network.mlp([3, 4, 2], dropout=1.0), nl.HyperparameterError, "dropout"),
    (lambda: nl.Dense(0, 3), nl.HyperparameterError, "n_in"),
    (lambda: nl.Dense(2, 3, activation="relue"), nl.UnknownNameError, "did you mean 'relu'"),
    (lambda: nl.Dense(2, 3, weights=np.ones((3, 2))), nl.ShapeError, r"\(2, 3\)"),
])
def test_bad_construction_is_explained(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_layer_size_mismatch_names_both_layers():
    with pytest.raises(ValueError) as info:
        nl.Network([nl.Dense(4, 3), nl.Dense(5, 2)])
    msg = str(info.value)
    assert "takes 5 inputs" in msg and "gives 3 outputs" in msg


def test_predict_rejects_bad_inputs():
    net = nl.Network.mlp([3, 4, 2], seed=0)
    with pytest.raises(nl.ShapeError, match=r"expected shape \(n_samples, 3\)"):
        net.predict(np.zeros((2, 4)))
    with pytest.raises(nl.DataError, match="row 1, column 2"):
        net.predict([[0, 0, 0], [0, 0, np.inf]])
    with pytest.raises(nl.ShapeError, match="2-D"):
        net.predict(np.zeros(3))
    with pytest.raises(nl.DataError, match="empty"):
        net.predict(np.zeros((0, 3)))


def test_get_and_set_weights_round_trip():
    a = nl.Network.mlp([3, 4, 2], seed=0)
    b = nl.Network.mlp([3, 4, 2], seed=1)
    b.set_weights(a.get_weights())
    np.testing.assert_array_equal(a.parameters, b.parameters)
    with pytest.raises(nl.ShapeError):
        b.set_weights(a.get_weights()[:1])


def test_config_round_trip_rebuilds_the_architecture():
    net = nl.Network.mlp([3, 5, 2], hidden={"name": "leaky_relu", "alpha": 0.2}, dropout=0.1, seed=4)
    again = nl.Network.from_config(net.config())
    assert again.config() == net.config()
    np.testing.assert_array_equal(again.parameters, net.parameters)     # same seed → same weights


@pytest.mark.parametrize("make_copy", [lambda net: net.copy(), lambda net: net.copy(dtype="float64"),
                                       lambda net: pickle.loads(pickle.dumps(net)),
                                       lambda net: copy.deepcopy(net)],
                         ids=["copy", "copy-float64", "pickle", "deepcopy"])
def test_a_copied_network_keeps_its_layers_in_its_own_flat_buffer(make_copy, rng):
    net = nl.Network.mlp([4, 6, 3], hidden="tanh", seed=0)
    twin = make_copy(net)
    for layer in twin.dense_layers:
        assert np.shares_memory(layer.W, twin.parameters) and np.shares_memory(layer.b, twin.parameters)
        assert np.shares_memory(layer.dW, twin.gradients)
        assert not np.shares_memory(layer.W, net.parameters)
    np.testing.assert_allclose(twin.predict_proba(X := rng.normal(size=(5, 4))), net.predict_proba(X), rtol=1e-6)
    y = rng.integers(0, 3, 40)
    X = rng.normal(size=(40, 4))
    before = twin.evaluate(X, y)["loss"]
    twin.fit(X, y, epochs=20, learning_rate=0.05)
    assert twin.evaluate(X, y)["loss"] < before - 0.05      # it learns: the optimizer moves the weights it uses


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_a_copied_network_keeps_its_flat_buffer_and_trains_like_the_original(how):
    net = nl.Network.mlp([3, 5, 4, 2], dropout=0.1, seed=4)
    twin = {"copy": net.copy, "deepcopy": lambda: copy.deepcopy(net),
            "pickle": lambda: pickle.loads(pickle.dumps(net))}[how]()
    for layer in twin.dense_layers:
        assert np.shares_memory(layer.W, twin.parameters) and np.shares_memory(layer.dW, twin.gradients)
        assert not np.shares_memory(layer.W, net.parameters)
    net.fit(X24, Y24, epochs=2, batch_size=8)
    twin.fit(X24, Y24, epochs=2, batch_size=8)
    np.testing.assert_array_equal(twin.parameters, net.parameters)
    np.testing.assert_array_equal(twin.predict_proba(X24), net.predict_proba(X24))
