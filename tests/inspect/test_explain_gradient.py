"""explain_gradient prints the chain rule with the network's own numbers: they are the backward pass's, its
new weight is what one plain-SGD step of fit writes, and bad arguments are refused with the valid range."""
import json

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import HyperparameterError, IndexRangeError, ShapeError


def worked():
    """The worked example's neuron (0.5×0.1 + 0.6×0.2 + 0.3 = 0.47) feeding one identity output, w = 2."""
    return nl.Network([nl.Dense(2, 1, activation="relu", weights=[[0.1], [0.2]], bias=[0.3]),
                       nl.Dense(1, 1, activation="identity", weights=[[2.0]], bias=[0.0])],
                      loss="mse", dtype="float64")


def small(output="softmax", loss="cross_entropy", dtype="float64", hidden="tanh", dropout=False):
    layers = [nl.Dense(3, 5, activation=hidden), nl.Dense(5, 4, activation=hidden), nl.Dense(4, 3, activation=output)]
    if dropout:
        layers.insert(2, nl.Dropout(0.3))
    return nl.Network(layers, loss=loss, seed=2, dtype=dtype)


def test_the_worked_example_by_hand():
    # forward: z = 0.47, a = 0.47; output 2 × 0.47 = 0.94; L = (0.94 − 1)² = 0.0036
    # output: ∂L/∂a = 2(0.94 − 1) = −0.12, δ = −0.12 × 1; ∂L/∂w = δ × 0.47 = −0.0564
    # hidden: ∂L/∂a = w·δ = 2 × (−0.12) = −0.24, relu′(0.47) = 1, δ = −0.24; ∂L/∂w1 = −0.24 × 0.6 = −0.144
    net = worked()
    out = net.explain_gradient([0.5, 0.6], 1.0, layer=1, neuron=0, weight=0, learning_rate=0.5)
    assert out.loss_value == pytest.approx(0.0036)
    assert out.dL_da == pytest.approx(-0.12) and out.da_dz == 1 and out.delta == pytest.approx(-0.12)
    assert out.input == pytest.approx(0.47) and out.gradient == pytest.approx(-0.0564)
    assert out.new_weight == pytest.approx(2 + 0.5 * 0.0564)
    hidden = net.explain_gradient([0.5, 0.6], 1.0, layer=0, neuron=0, weight=1, learning_rate=0.5)
    assert hidden.terms == [{"neuron": 0, "weight": 2.0, "delta": pytest.approx(-0.12), "product": pytest.approx(-0.24)}]
    assert hidden.dL_da == pytest.approx(-0.24) and hidden.delta == pytest.approx(-0.24)
    assert hidden.gradient == pytest.approx(-0.144) and hidden.new_weight == pytest.approx(0.272)
    text = str(hidden)
    assert "∂L/∂a = Σ_k w_jk·δ_k over layer 1 = 2 × (-0.12) = -0.24" in text
    assert "∂L/∂w = δ × x = -0.24 × 0.6 = -0.144" in text
    assert "w ← w − η·∂L/∂w = 0.2 − 0.5 × (-0.144) = 0.272" in text
    bias = net.explain_gradient([0.5, 0.6], 1.0, layer=0, neuron=0)
    assert bias.weight_index is None and bias.gradient == pytest.approx(-0.24) and bias.learning_rate == 0.01
    assert "∂L/∂b = δ = -0.24" in str(bias) and "b ← b − η·∂L/∂b = 0.3 − 0.01 × (-0.24) = 0.3024" in str(bias)


def test_the_dictionary_has_every_number_and_is_json():
    d = worked().explain_gradient([0.5, 0.6], 1.0, layer=0, neuron=0, weight=1, learning_rate=0.5).to_dict()
    for key in ("dL_da", "da_dz", "delta", "input", "gradient", "weight", "learning_rate", "new_weight", "terms"):
        assert key in d
    assert d["weight"] == 0.2 and d["input"] == 0.6
    assert json.loads(json.dumps(d)) == d


SETTINGS = [("softmax", "cross_entropy", [0, 2, 1, 1]), ("softmax", "mse", np.eye(3)[[0, 2, 1, 1]]),
            ("sigmoid", "binary_crossentropy", [[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 1, 0]]),
            ("identity", "mse", [[0.5, -1, 2], [0, 0, 1], [1, 1, 1], [-2, 0.3, 0.1]]),
            ("identity", "mae", [[0.5, -1, 2], [0, 0, 1], [1, 1, 1], [-2, 0.3, 0.1]])]
POSITIONS = [(0, 1, 2), (1, 3, 0), (2, 2, 3), (2, 0, None), (0, 4, None)]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("layer, neuron, weight", POSITIONS)
@pytest.mark.parametrize("output, loss, y", SETTINGS)
def test_the_new_weight_is_the_weight_after_one_plain_sgd_step_of_fit(output, loss, y, layer, neuron, weight, dtype):
    net = small(output, loss, dtype)
    X = np.random.default_rng(5).normal(size=(4, 3))
    g = net.explain_gradient(X, y, layer=layer, neuron=neuron, weight=weight, learning_rate=0.5)
    t = net.trace(X, y)
    lt = t.layers[layer]
    assert g.gradient == (lt.db[neuron] if weight is None else lt.dW[weight, neuron])
    net.fit(X, y, epochs=1, batch_size=len(X), optimizer="sgd", learning_rate=0.5, shuffle=False)
    after = net.layers[layer].b[neuron] if weight is None else net.layers[layer].W[weight, neuron]
    assert g.new_weight == float(after)
    assert g.weight != g.new_weight or g.gradient == 0


def test_penalties_and_sample_weights_reach_the_gradient_and_the_step():
    net = small()
    X, y = np.random.default_rng(1).normal(size=(6, 3)), [0, 1, 2, 2, 1, 0]
    sw = [1.0, 2.0, 0.5, 1.0, 3.0, 1.0]
    g = net.explain_gradient(X, y, layer=1, neuron=2, weight=3, learning_rate=0.2, sample_weight=sw, l1=0.01, l2=0.1)
    w = net.layers[1].W[3, 2]
    assert g.penalty_gradient == pytest.approx(0.1 * w + 0.01 * np.sign(w))
    assert g.gradient == pytest.approx(sum(d * x for d, x in zip(g.delta, g.input)) + g.penalty_gradient)
    net.fit(X, y, epochs=1, batch_size=6, optimizer="sgd", learning_rate=0.2, shuffle=False,
            sample_weight=sw, l1=0.01, l2=0.1)
    assert g.new_weight == pytest.approx(float(net.layers[1].W[3, 2]), rel=1e-14)
    assert "l2·w + l1·sign(w)" in str(g) and "penalty" in str(g)


def test_a_hidden_neurons_dL_da_is_the_sum_of_its_terms():
    net = small()
    X = np.random.default_rng(3).normal(size=(5, 3))
    g = net.explain_gradient(X, [0, 1, 2, 0, 1], layer=0, neuron=3, weight=1)
    assert g.next_layer == 1 and len(g.terms) == 5 and len(g.terms[0]) == 4
    for s, terms in enumerate(g.terms):
        assert sum(t["product"] for t in terms) == pytest.approx(g.dL_da[s], rel=1e-12)
        assert g.delta[s] == pytest.approx(g.dL_da[s] * g.da_dz[s], rel=1e-12)


def test_a_batch_shows_every_sample_and_sums_their_shares():
    net = small()
    X = np.random.default_rng(3).normal(size=(5, 3))
    g = net.explain_gradient(X, [0, 1, 2, 0, 1], layer=1, neuron=0, weight=2)
    assert g.n_samples == 5 and len(g.delta) == 5 and len(g.input) == 5
    assert g.gradient == pytest.approx(sum(d * x for d, x in zip(g.delta, g.input)), rel=1e-12)
    text = str(g)
    assert "over 5 samples" in text and "∂L/∂w = Σ δ × x" in text
    assert len([line for line in text.splitlines() if line.strip()[:1].isdigit()]) == 5


def test_softmax_with_cross_entropy_shows_the_fused_delta():
    net = small()
    g = net.explain_gradient([0.1, -0.3, 0.8], 2, layer=-1, neuron=2, weight=1)
    assert g.fused == "softmax and cross_entropy" and g.dL_da is None and g.target == 1.0
    assert g.delta == pytest.approx(g.activation_value - 1.0)
    assert "δ = ∂L/∂z = a − y" in str(g)


def test_softmax_without_its_loss_shows_the_jacobian_vector_product():
    net = small("softmax", "mse")
    g = net.explain_gradient([0.1, -0.3, 0.8], [0, 1, 0], layer=-1, neuron=1, weight=0)
    inner = sum(t["activation_value"] * t["dL_da"] for t in g.terms)
    assert g.delta == pytest.approx(g.activation_value * (g.dL_da - inner), rel=1e-12)
    assert g.da_dz is None and "Jacobian-vector product" in str(g)


def test_a_step_neuron_says_why_its_gradient_is_zero():
    net = nl.Network([nl.Dense(2, 2, activation="step"), nl.Dense(2, 1, activation="sigmoid")],
                     loss="binary_crossentropy", seed=0)
    g = net.explain_gradient([0.5, -0.2], 1, layer=0, neuron=1, weight=0)
    assert g.gradient == 0 and g.new_weight == g.weight
    assert "a step has no slope" in str(g)
    batch = net.explain_gradient([[0.5, -0.2], [1, 1]], [1, 0], layer=0, neuron=1, weight=0)
    assert "step neuron's gradient is always 0" in batch.note


def test_a_dropout_between_layers_is_named_and_passes_the_gradient_through():
    net = small(dropout=True)
    g = net.explain_gradient([0.1, -0.3, 0.8], 2, layer=1, neuron=0, weight=0)
    assert g.next_layer == 3 and "Dropout at position 2" in str(g)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(layer=7, neuron=0), IndexRangeError, "valid layer indices are 0..3"),
    (dict(layer=2, neuron=0), IndexRangeError, "Dropout"),
    (dict(layer=0, neuron=5), IndexRangeError, "valid neuron indices are 0..4"),
    (dict(layer=1, neuron=0, weight=5), IndexRangeError, "valid weight indices are 0..4"),
    (dict(layer=1, neuron=0, weight=1.5), TypeError, "weight"),
    (dict(layer=1, neuron=0, learning_rate=0), HyperparameterError, "learning_rate"),
])
def test_positions_out_of_range_name_the_argument_and_the_valid_range(kwargs, error, words):
    net = small(dropout=True)
    with pytest.raises(error, match=words):
        net.explain_gradient([0.1, -0.3, 0.8], 2, **kwargs)


def test_missing_or_misshapen_targets_are_refused():
    net = small()
    with pytest.raises(ShapeError, match="needs the targets y"):
        net.explain_gradient([0.1, -0.3, 0.8], None, layer=0, neuron=0)
    with pytest.raises(ValueError, match="y"):
        net.explain_gradient(np.zeros((3, 3)), [0, 1], layer=0, neuron=0)
    with pytest.raises(ShapeError, match="x"):
        net.explain_gradient([0.1, -0.3], 1, layer=0, neuron=0)


def test_a_layer_without_biases_has_no_bias_to_explain():
    net = nl.Network([nl.Dense(2, 2, use_bias=False), nl.Dense(2, 1, activation="identity")], loss="mse", seed=0)
    with pytest.raises(IndexRangeError, match="no biases"):
        net.explain_gradient([1.0, 2.0], 0.5, layer=0, neuron=0)


def test_an_output_close_to_its_target_is_written_with_the_digits_that_tell_them_apart():
    net = nl.Network([nl.Dense(1, 2, activation="softmax", weights=[[10, -10]], bias=[0, 0])],
                     loss="cross_entropy", dtype="float64")
    text = str(net.explain_gradient([1.0], 0, layer=0, neuron=0))
    assert "a − y = 0.999999998 − 1 = -2.061e-09" in text and "1 − 1 =" not in text


def test_a_negative_target_is_put_in_parentheses():
    net = nl.Network([nl.Dense(1, 1, activation="identity", weights=[[0.5]], bias=[0.0])], loss="mse", dtype="float64")
    assert "2 × (1 − (-1)) = 4" in str(net.explain_gradient([2.0], -1.0, layer=0, neuron=0, weight=0))
