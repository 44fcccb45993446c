"""Looking inside: trace, explain, neuron statistics and gradient flow (neuronlab.inspect)."""
import json

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.inspect import NeuronWarning, explain, gradient_flow, neuron_stats, trace

W0 = np.array([[0.1, -0.5, 0.3],
               [0.2, 0.4, -0.6]])
B0 = np.array([0.3, -0.1, 0.05])
W2 = np.array([[1.0, -2.0],
               [0.5, 0.25],
               [-1.5, 1.0]])
B2 = np.array([0.1, -0.2])
X_SMALL = np.array([[0.5, 0.6], [-1.0, 2.0], [3.0, -1.0]])


def _small_net(dtype="float64"):
    """relu layer, dropout, softmax layer: every number fixed."""
    return nl.Network([nl.Dense(2, 3, activation="relu", weights=W0, bias=B0),
                       nl.Dropout(0.5),
                       nl.Dense(3, 2, activation="softmax", weights=W2, bias=B2)],
                      loss="cross_entropy", seed=0, dtype=dtype)


def _hand_forward(X):
    z0 = X @ W0 + B0
    a0 = np.maximum(z0, 0.0)
    z2 = a0 @ W2 + B2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    return z0, a0, z2, e / e.sum(axis=1, keepdims=True)


# -- trace ------------------------------------------------------------------------------

def test_trace_equals_a_hand_computation():
    t = _small_net().trace(X_SMALL)
    z0, a0, z2, a2 = _hand_forward(X_SMALL)
    # first sample by hand: z = 0.5×0.1 + 0.6×0.2 + 0.3 = 0.47, 0.5×(−0.5) + 0.6×0.4 − 0.1 = −0.11, ...
    np.testing.assert_allclose(t.layers[0].z[0], [0.47, -0.11, 0.5 * 0.3 + 0.6 * -0.6 + 0.05], rtol=1e-12)
    np.testing.assert_allclose(t.layers[0].z, z0, rtol=1e-12)
    np.testing.assert_allclose(t.layers[0].a, a0, rtol=1e-12)
    np.testing.assert_allclose(t.layers[2].z, z2, rtol=1e-12)
    np.testing.assert_allclose(t.layers[2].a, a2, rtol=1e-12)
    np.testing.assert_allclose(t.output, a2, rtol=1e-12)
    assert [l.kind for l in t.layers] == ["Dense", "Dropout", "Dense"]
    assert [l.index for l in t.dense] == [0, 2]
    assert len(t) == 3 and t[2] is t.layers[2]


def test_trace_dropout_entry_passes_its_input_through():
    t = trace(_small_net(), X_SMALL)
    drop = t.layers[1]
    assert drop.z is None and drop.activation is None and drop.fires is None
    np.testing.assert_array_equal(drop.a, t.layers[0].a)
    np.testing.assert_array_equal(t.layers[2].x, t.layers[0].a)


def test_trace_neuron_gives_one_column():
    t = _small_net().trace(X_SMALL)
    n = t.layers[0].neuron(1)
    z0, a0, _, _ = _hand_forward(X_SMALL)
    np.testing.assert_allclose(n.z, z0[:, 1], rtol=1e-12)
    np.testing.assert_allclose(n.a, a0[:, 1], rtol=1e-12)
    np.testing.assert_array_equal(n.fires, a0[:, 1] > 0)
    assert (n.layer, n.neuron) == (0, 1)
    with pytest.raises(IndexError, match=r"0\.\.2"):
        t.layers[0].neuron(3)


def test_trace_keeps_copies_and_leaves_the_network_alone():
    net = _small_net()
    before = net.parameters.copy()
    t1 = net.trace(X_SMALL)
    assert all(getattr(l, "z", None) is None for l in net.layers)   # layer caches untouched
    for l in t1.dense:
        assert not np.shares_memory(l.z, net.parameters) and not np.shares_memory(l.a, l.z)
    t1.layers[0].a[...] = 99.0
    t2 = net.trace(X_SMALL)
    np.testing.assert_allclose(t2.layers[0].a, _hand_forward(X_SMALL)[1])
    np.testing.assert_array_equal(net.parameters, before)


def test_trace_in_float32_matches_float64_closely():
    t32 = _small_net("float32").trace(X_SMALL)
    assert t32.layers[0].z.dtype == np.float32
    np.testing.assert_allclose(t32.layers[2].a, _hand_forward(X_SMALL)[3], rtol=1e-5)


def test_trace_checks_inputs():
    net = _small_net()
    with pytest.raises(nl.ShapeError, match="features per sample"):
        net.trace(np.zeros((4, 3)))
    with pytest.raises(nl.ShapeError):
        net.trace([1.0, 2.0])
    with pytest.raises(nl.DataError):
        net.trace([[np.nan, 1.0]])


# -- explain ----------------------------------------------------------------------------

def test_explain_first_layer_is_the_worked_example():
    e = _small_net().explain([0.5, 0.6], layer=0, neuron=0)
    assert isinstance(e, nl.NeuronExplanation)
    assert (e.layer, e.neuron) == (0, 0)
    assert e.inputs == [0.5, 0.6]
    np.testing.assert_allclose(e.weights, [0.1, 0.2])
    np.testing.assert_allclose(e.products, [0.05, 0.12])
    assert e.bias == pytest.approx(0.3)
    assert e.weighted_sum == pytest.approx(0.47)
    assert e.activation_value == pytest.approx(0.47)
    assert e.fires is True and e.threshold == 0.0
    assert str(e) == "layer 0, neuron 0: 0.5×0.1 + 0.6×0.2 + 0.3 = 0.47 → relu(0.47) = 0.47 → fires"
    silent = _small_net().explain([0.5, 0.6], layer=0, neuron=1)
    assert silent.fires is False and silent.activation_value == 0.0
    assert str(silent).endswith("→ does not fire")


def test_explain_numbers_equal_trace_for_every_neuron():
    rng = np.random.default_rng(3)
    net = nl.Network.mlp([4, 6, 5, 3], hidden=["relu", "tanh"], output="softmax", dropout=0.1, seed=1)
    X = rng.normal(size=(10, 4))
    net.fit(X, rng.integers(0, 3, 10), epochs=2, batch_size=5)
    t = net.trace(X)
    for row in (0, 7):
        t_row = net.trace(X[row:row + 1])
        for layer in (0, 2, 4):
            lt = t_row.layers[layer]
            for j in range(lt.n_units):
                e = net.explain(X[row], layer=layer, neuron=j)
                assert e.weighted_sum == float(lt.z[0, j])
                assert e.activation_value == float(lt.a[0, j])
                assert e.inputs == lt.x[0].tolist()
                assert e.weights == net.layers[layer].W[:, j].tolist()
                np.testing.assert_allclose(e.products, lt.x[0] * net.layers[layer].W[:, j], rtol=1e-6)
                assert e.weighted_sum == pytest.approx(sum(e.products) + e.bias, rel=1e-4, abs=1e-5)
                assert e.fires == bool(lt.fires[0, j])
                np.testing.assert_allclose(lt.a[0, j], t.layers[layer].a[row, j], rtol=1e-5, atol=1e-6)


def test_explain_softmax_shows_the_normalisation_over_the_layer():
    net = _small_net()
    x = X_SMALL[1]
    e = net.explain(x, layer=2, neuron=1)
    _, _, z2, a2 = _hand_forward(X_SMALL[1:2])
    np.testing.assert_allclose(e.normalisation, z2[0], rtol=1e-12)
    assert e.activation_value == pytest.approx(a2[0, 1], rel=1e-12)
    assert e.threshold == pytest.approx(0.5)
    assert e.fires == bool(a2[0, 1] > 0.5)
    text = str(e)
    assert "softmax: e^" in text and "over 2 neurons" in text and text.startswith("layer 2, neuron 1: ")
    d = e.to_dict()
    json.dumps(d)
    assert d["layer"] == 2 and d["neuron"] == 1 and d["activation"] == "softmax"
    assert d["input_names"] == ["layer 0, neuron 0", "layer 0, neuron 1", "layer 0, neuron 2"]


def test_explain_names_inputs_from_metadata():
    net = _small_net()
    net.metadata["feature_names"] = ["height", "weight"]
    assert net.explain([1, 2], layer=0, neuron=2).input_names == ["height", "weight"]
    assert net.explain([1, 2], layer=-1, neuron=-1).neuron == 1


def test_explain_threshold_override():
    e = explain(_small_net(), [0.5, 0.6], layer=0, neuron=0, threshold=1.0)
    assert e.fires is False and e.threshold == 1.0
    e = _small_net().explain([0.5, 0.6], layer=0, neuron=0, threshold=1.0)   # the Network method too
    assert e.fires is False and e.threshold == 1.0


@pytest.mark.parametrize("layer, neuron, match", [
    (3, 0, r"valid layer indices are 0\.\.2"),
    (-4, 0, r"valid layer indices are 0\.\.2"),
    (1, 0, r"Dropout.*Dense layer: \[0, 2\]"),
    (0, 3, r"valid neuron indices are 0\.\.2"),
    (2, 2, r"valid neuron indices are 0\.\.1"),
])
def test_explain_bad_indices_name_the_valid_range(layer, neuron, match):
    with pytest.raises(IndexError, match=match):
        _small_net().explain([0.5, 0.6], layer=layer, neuron=neuron)


def test_explain_bad_inputs():
    net = _small_net()
    with pytest.raises(nl.ShapeError, match="2 features per sample|takes 2"):
        net.explain([0.5, 0.6, 0.7], layer=0, neuron=0)
    with pytest.raises(nl.ShapeError, match="one input vector"):
        net.explain(X_SMALL, layer=0, neuron=0)
    net.explain(X_SMALL[:1], layer=0, neuron=0)   # one row as 2-D is fine
    with pytest.raises(TypeError):
        net.explain([0.5, 0.6], layer="0", neuron=0)


# -- neuron_stats -----------------------------------------------------------------------

def _grid(n=21, lo=-1.0, hi=1.0):
    g = np.linspace(lo, hi, n)
    return np.array([(a, b) for a in g for b in g])


def test_constructed_dead_neurons_are_reported_exactly():
    # neurons 1 and 3 have huge negative biases: z < 0 on every input in [-1, 1]²
    W = np.array([[1.0, 1.0, -1.0, 0.5], [1.0, -1.0, 0.5, 0.5]])
    b = np.array([0.0, -100.0, 0.5, -50.0])
    net = nl.Network([nl.Dense(2, 4, activation="relu", weights=W, bias=b),
                      nl.Dense(4, 1, activation="identity", weights=np.ones((4, 1)))], loss="mse", dtype="float64")
    X = _grid()
    stats = neuron_stats(net, X)
    assert stats.dead == [(0, 1), (0, 3)]
    assert stats.saturated == []
    s0 = stats[0]
    assert s0.dead_neurons == [1, 3] and s0.dead_fraction == 0.5
    z = X @ W + b
    a = np.maximum(z, 0)
    np.testing.assert_allclose(s0.firing_rate, (a > 0).mean(axis=0))
    np.testing.assert_allclose(s0.mean, a.mean(axis=0))
    np.testing.assert_allclose(s0.std, a.std(axis=0))
    np.testing.assert_allclose(s0.min, a.min(axis=0))
    np.testing.assert_allclose(s0.max, a.max(axis=0))
    assert s0.firing_fraction == pytest.approx((a > 0).mean())
    row = stats.layer_summary()[0]
    assert row["dead"] == 0.5 and row["saturated"] == 0.0 and row["layer"] == 0
    assert "50.0" in str(stats.layer_summary())
    worst = stats.worst(2)
    assert [(w["layer"], w["neuron"]) for w in worst] == [(0, 1), (0, 3)]
    json.dumps(stats.to_dict())


def test_saturated_sigmoid_neurons_are_reported_exactly():
    # neuron 0: huge weights, |z| >= 10 everywhere -> f' < 1e-3; neuron 1: small weights;
    # neuron 2: huge positive bias (saturated, always fires); neuron 3: huge negative bias (saturated and dead)
    W = np.array([[100.0, 0.5, 0.1, 0.1], [0.0, 0.5, 0.1, 0.1]])
    b = np.array([0.0, 0.0, 40.0, -40.0])
    net = nl.Network([nl.Dense(2, 4, activation="sigmoid", weights=W, bias=b),
                      nl.Dense(4, 1, activation="identity")], loss="mse", dtype="float64", seed=0)
    g = np.concatenate([np.linspace(-1, -0.1, 10), np.linspace(0.1, 1, 10)])
    X = np.array([(u, v) for u in g for v in g])
    stats = neuron_stats(net, X)
    assert stats.saturated == [(0, 0), (0, 2), (0, 3)]
    assert stats[0].dead_neurons == [3]
    np.testing.assert_allclose(stats[0].saturation, [1.0, 0.0, 1.0, 1.0])
    assert stats[0].firing_rate[0] == 0.5 and stats[0].firing_rate[2] == 1.0
    # thresholds are configurable
    loose = neuron_stats(net, X, saturation_derivative=1e-12)
    assert loose.saturated == [(0, 2), (0, 3)]
    relaxed = neuron_stats(net, X, saturation_fraction=0.5)
    assert relaxed.saturated == [(0, 0), (0, 2), (0, 3)]


def test_non_saturating_activations_are_never_saturated():
    net = nl.Network([nl.Dense(2, 2, activation="relu", weights=[[100.0, 1.0], [0.0, 1.0]], bias=[0.0, -50.0]),
                      nl.Dense(2, 1, activation="identity", weights=[[1.0], [1.0]])], loss="mse", dtype="float64")
    stats = neuron_stats(net, _grid())
    assert stats.saturated == [] and stats.dead == [(0, 1)]
    assert not stats[0].saturating


@pytest.mark.parametrize("hidden", ["relu", "tanh", "elu", "leaky_relu"])
def test_healthy_networks_report_nothing(hidden):
    X = np.random.default_rng(0).normal(size=(200, 2))
    net = nl.Network.mlp([2, 16, 16, 2], hidden=hidden, seed=0)
    stats = neuron_stats(net, X)
    assert stats.dead == [] and stats.saturated == []
    for row in stats.layer_summary():
        assert row["dead"] == 0.0 and row["saturated"] == 0.0 and 0.0 < row["firing"] < 1.0


def test_firing_threshold_is_overridable():
    net = _small_net()
    z0, a0, _, _ = _hand_forward(X_SMALL)
    default = neuron_stats(net, X_SMALL)
    np.testing.assert_allclose(default[0].firing_rate, (a0 > 0).mean(axis=0))
    assert default[2].threshold == 0.5       # softmax: the uniform share 1/k
    high = neuron_stats(net, X_SMALL, threshold=0.4)
    np.testing.assert_allclose(high[0].firing_rate, (a0 > 0.4).mean(axis=0))
    per_layer = neuron_stats(net, X_SMALL, threshold={0: 0.4})
    np.testing.assert_allclose(per_layer[0].firing_rate, (a0 > 0.4).mean(axis=0))
    assert per_layer[2].threshold == 0.5
    with pytest.raises(IndexError):
        neuron_stats(net, X_SMALL, threshold={1: 0.4})   # Dropout has no neurons
    with pytest.raises(nl.HyperparameterError):
        neuron_stats(net, X_SMALL, threshold=float("nan"))
    with pytest.raises(nl.HyperparameterError):
        neuron_stats(net, X_SMALL, saturation_fraction=0.0)
    with pytest.raises(nl.HyperparameterError):
        neuron_stats(net, X_SMALL, saturation_derivative=-1)


def test_stats_lookup_by_layer_position():
    stats = neuron_stats(_small_net(), X_SMALL)
    assert [l.index for l in stats.layers] == [0, 2] and len(stats) == 2
    assert stats[2].is_output and not stats[0].is_output
    with pytest.raises(IndexError, match=r"Dense layers are at \[0, 2\]"):
        stats[1]
    with pytest.raises(nl.ShapeError):
        neuron_stats(_small_net(), np.zeros((3, 5)))


def test_stats_of_huge_activations_do_not_overflow():
    net = nl.Network([nl.Dense(1, 2, activation="relu", weights=[[1e30, 1.0]]),
                      nl.Dense(2, 1, activation="identity")], loss="mse", dtype="float32")
    stats = neuron_stats(net, [[1e8], [2e8], [0.0]])
    assert np.isfinite(stats[0].std).all()


# -- gradient_flow ----------------------------------------------------------------------

def test_gradient_flow_flags_vanishing_gradients_in_a_deep_sigmoid_stack():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = nl.Network.mlp([2] + [16] * 8 + [2], hidden="sigmoid", output="softmax", seed=0)
    flow = gradient_flow(net, X, y)
    assert len(flow) == 9
    assert 0 in flow.vanishing and 1 in flow.vanishing
    assert 8 not in flow.vanishing and flow.exploding == []
    rel = [l.relative for l in flow.layers]
    assert rel[-1] == 1.0 and rel[0] < 1e-4
    assert all(a < b for a, b in zip(rel[:6], rel[1:7]))     # weaker and weaker towards the input
    assert "vanishing" in str(flow)
    json.dumps(flow.to_dict())


def test_gradient_flow_of_a_shallow_relu_net_is_clean():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    flow = nl.inspect.gradient_flow(nl.Network.mlp([2, 16, 16, 2], hidden="relu", seed=0), X, y)
    assert flow.vanishing == [] and flow.exploding == []
    for l in flow:
        assert l.grad_mean_abs > 0 and l.grad_to_weight == pytest.approx(l.grad_mean_abs / l.weight_mean_abs)


def test_gradient_flow_flags_exploding_gradients():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 2)), rng.normal(size=(200, 1))
    net = nl.Network.mlp([2, 16, 16, 16, 16, 1], hidden="relu", output="identity", seed=0)
    assert gradient_flow(net, X, y).exploding == []
    net.parameters *= 3.0
    assert gradient_flow(net, X, y).exploding == [0, 1, 2, 3, 4]


def test_gradient_flow_matches_backprop_and_restores_the_gradients():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 2))
    y = rng.integers(0, 2, 20)
    net = _small_net()
    net.gradients[...] = 7.0
    flow = gradient_flow(net, X, y)
    assert (net.gradients == 7.0).all()
    net.forward(net.check_inputs(X))
    net.backward(net.check_targets(X, y))
    assert flow[0].grad_mean_abs == pytest.approx(np.abs(net.layers[0].dW).mean())
    assert flow[2].bias_grad_mean_abs == pytest.approx(np.abs(net.layers[2].db).mean())
    with pytest.raises(nl.DataError):
        gradient_flow(net, X, y[:5])


def test_neuron_warning_is_a_user_warning():
    assert issubclass(NeuronWarning, UserWarning)
    assert nl.callbacks.NeuronWarning is NeuronWarning
