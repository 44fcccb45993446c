"""A neuron is the worked example made executable: weighted sum, activation value, firing, explanation."""
import numpy as np
import pytest

import neuronlab as nl


def seed_neuron(activation="relu"):
    return nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation=activation)


def test_the_worked_example_relu_neuron_gives_0_47():
    n = seed_neuron()
    # 0.5×0.1 + 0.6×0.2 + 0.3 = 0.05 + 0.12 + 0.3 = 0.47
    assert n.weighted_sum([0.5, 0.6]) == pytest.approx(0.47, abs=1e-12)
    assert n.activation_value([0.5, 0.6]) == pytest.approx(0.47, abs=1e-12)
    assert n.fires([0.5, 0.6]) is True
    assert isinstance(n.weighted_sum([0.5, 0.6]), float)


def test_explain_prints_the_arithmetic():
    text = str(seed_neuron().explain([0.5, 0.6]))
    assert text == "0.5×0.1 + 0.6×0.2 + 0.3 = 0.47 → relu(0.47) = 0.47 → fires"
    d = seed_neuron().explain([0.5, 0.6]).to_dict()
    assert d["products"] == pytest.approx([0.05, 0.12])
    assert d["weighted_sum"] == pytest.approx(0.47)
    assert d["fires"] is True and d["activation"] == "relu"


def test_negative_sum_does_not_fire():
    n = nl.Neuron(weights=[0.1, 0.2], bias=-1.0, activation="relu")
    assert n.activation_value([0.5, 0.6]) == 0.0
    assert n.fires([0.5, 0.6]) is False
    assert "does not fire" in str(n.explain([0.5, 0.6]))


def test_sigmoid_neuron_fires_above_one_half():
    n = seed_neuron("sigmoid")
    assert n.activation_value([0.5, 0.6]) == pytest.approx(1 / (1 + np.exp(-0.47)))
    assert n.threshold == 0.5 and n.fires([0.5, 0.6])
    assert not nl.Neuron([1.0], bias=-0.1, activation="sigmoid").fires([0.0])


def test_step_neuron_fires_at_its_threshold():
    n = nl.Neuron([1.0, 1.0], bias=-1.5, activation="step")   # an AND gate
    assert [n.fires(x) for x in ([0, 0], [0, 1], [1, 0], [1, 1])] == [False, False, False, True]


def test_custom_threshold_overrides_the_activation():
    n = nl.Neuron([0.1, 0.2], bias=0.3, activation="relu", threshold=0.5)
    assert n.fires([0.5, 0.6]) is False


def test_batch_inputs_give_arrays():
    n = seed_neuron()
    X = np.array([[0.5, 0.6], [-1.0, -2.0]])
    np.testing.assert_allclose(n.weighted_sum(X), [0.47, -0.2])
    np.testing.assert_array_equal(n.fires(X), [True, False])


def test_layer_neuron_is_a_live_view():
    layer = nl.Dense(2, 3, activation="relu", weights=np.arange(6.0).reshape(2, 3), bias=[0.0, 1.0, 2.0])
    n = layer.neuron(1)
    np.testing.assert_array_equal(n.weights, [1.0, 4.0])
    assert n.bias == 1.0
    layer.W[0, 1] = 10.0
    assert n.weights[0] == 10.0
    with pytest.raises(IndexError, match="0..2"):
        layer.neuron(3)


def test_softmax_layer_neuron_normalises_over_the_layer():
    layer = nl.Dense(2, 3, activation="softmax", weights=[[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    x = np.array([1.0, 2.0])
    z = x @ layer.W
    expected = np.exp(z) / np.exp(z).sum()
    assert layer.neuron(1).activation_value(x) == pytest.approx(expected[1])
    text = str(layer.neuron(1).explain(x))
    assert "softmax" in text and "over 3 neurons" in text


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(weights=[0.1, np.nan], bias=0.0), nl.DataError, "position 1"),
    (dict(weights=[[0.1, 0.2]], bias=0.0), nl.ShapeError, "1-D"),
    (dict(weights=[0.1], bias="x"), nl.DataError, "bias"),
    (dict(weights=[0.1], activation="relue"), nl.UnknownNameError, "did you mean 'relu'"),
    (dict(weights=[0.1], activation="softmax"), nl.HyperparameterError, "whole layer"),
    (dict(weights=[], bias=0.0), nl.DataError, "empty"),
])
def test_bad_neuron_construction(kwargs, error, words):
    with pytest.raises(error, match=words):
        nl.Neuron(**kwargs)


def test_wrong_number_of_inputs():
    with pytest.raises(nl.ShapeError, match="2 weights"):
        seed_neuron().weighted_sum([1.0, 2.0, 3.0])
    with pytest.raises(nl.DataError, match="non-number"):
        seed_neuron().weighted_sum(["a", "b"])
