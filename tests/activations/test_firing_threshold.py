"""Which activation value makes a neuron fire is one rule, ``Activation.firing_threshold``,
and every place that decides or reports firing follows it: the activation's ``fires``,
a neuron, a trace, neuron statistics and explanations."""
import numpy as np
import pytest

import neuronlab as nl

ELEMENTWISE = [name for name in nl.activations.names() if name not in ("softmax", "step")]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_an_elementwise_activation_fires_above_f_of_zero(name):
    act = nl.activations.get(name)
    assert act.firing_threshold() == act.threshold
    assert act.firing_threshold(7) == act.threshold         # the layer size does not matter
    assert act.firing_threshold() == pytest.approx(float(act(0.0)), abs=1e-15)
    a = act(np.linspace(-5, 5, 101).reshape(-1, 1))
    np.testing.assert_array_equal(act.fires(a), a > act.firing_threshold())


@pytest.mark.parametrize("k", [2, 3, 10])
def test_softmax_fires_above_the_uniform_share(k, rng):
    sm = nl.activations.get("softmax")
    assert sm.firing_threshold(k) == 1.0 / k
    a = sm(rng.normal(size=(50, k)))
    np.testing.assert_array_equal(sm.fires(a), a > 1.0 / k)


@pytest.mark.parametrize("theta", [-1.5, 0.0, 0.3, 2.0])
def test_a_step_neuron_fires_at_one_whatever_its_theta(theta):
    step = nl.activations.get("step", threshold=theta)
    assert step.firing_threshold() == 0.5                     # its values are 0 and 1
    z = np.linspace(-4, 4, 81)
    a = step(z)
    np.testing.assert_array_equal(a > step.firing_threshold(), z >= theta)
    np.testing.assert_array_equal(step.fires(a), a > step.firing_threshold())


def _layered(activation, dtype="float64"):
    return nl.Network([nl.Dense(2, 3, activation="tanh"), nl.Dense(3, 3, activation=activation)],
                      loss="mse", seed=4, dtype=dtype)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "softmax", "step", "softplus"])
def test_trace_stats_and_neurons_use_the_firing_threshold(activation, rng):
    net = _layered(activation)
    X = rng.standard_normal((40, 2))
    act = net.dense_layers[-1].activation
    expected = act.firing_threshold(3)
    a = net.trace(X).layers[1].a
    np.testing.assert_array_equal(net.trace(X).layers[1].fires, a > expected)
    stats = nl.inspect.neuron_stats(net, X)
    assert stats[1].threshold == expected
    np.testing.assert_array_equal(stats[1].firing_rate, (a > expected).mean(axis=0))
    for j in range(3):
        np.testing.assert_array_equal(net.layers[1].neuron(j).fires(net.trace(X).layers[0].a), a[:, j] > expected)


def test_a_threshold_given_replaces_the_activations_own(rng):
    net = _layered("sigmoid")
    X = rng.standard_normal((40, 2))
    a = net.trace(X).layers[1].a
    stats = nl.inspect.neuron_stats(net, X, threshold={1: 0.8})
    assert stats[1].threshold == 0.8
    np.testing.assert_array_equal(stats[1].firing_rate, (a > 0.8).mean(axis=0))
    e = net.explain(X[0], layer=1, neuron=2, threshold=0.8)
    assert e.threshold == 0.8 and e.fires == bool(a[0, 2] > 0.8)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "softmax"])
def test_explanations_report_the_firing_threshold(activation, rng):
    net = _layered(activation)
    x = rng.standard_normal(2)
    e = net.explain(x, layer=1, neuron=0)
    assert e.threshold == net.dense_layers[-1].activation.firing_threshold(3)
    assert net.layers[1].neuron(0).explain(net.trace(x[None]).layers[0].a[0]).threshold == e.threshold


def test_a_step_neurons_explanation_reports_its_theta():
    step = nl.Neuron(weights=[1.0, 1.0], bias=0.0, activation=nl.activations.get("step", threshold=0.3))
    e = step.explain([0.2, 0.2])                   # z = 0.4 ≥ θ = 0.3 → a = 1 → fires
    assert e.threshold == 0.3 and e.fires and e.activation_value == 1.0
    assert not step.fires([0.1, 0.1])              # z = 0.2 < 0.3


@pytest.mark.parametrize("name", ["relu", "softmax", "step"])
@pytest.mark.parametrize("n_units, error", [(0, nl.HyperparameterError), (-3, nl.HyperparameterError),
                                             (2.5, nl.HyperparameterError), ("4", nl.HyperparameterError)])
def test_a_layer_size_that_is_not_a_positive_integer_is_refused_by_name(name, n_units, error):
    with pytest.raises(error, match="n_units"):
        nl.activations.get(name).firing_threshold(n_units)
