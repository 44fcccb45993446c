"""gradcheck floors the relative error at the finite difference's round-off: gradients tiny on both sides
agree, exact zeros give 0, and a wrong derivative is still reported as large."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.training.gradcheck import ROUNDOFF_MARGIN

U = np.finfo(np.float64).eps


@pytest.fixture(scope="module", params=["float64", "float32"])
def trained_digits(request):
    data = nl.datasets.load("digits")
    net = nl.Network.mlp([64, 32, 10], seed=0, dtype=request.param)
    net.fit(data.X, data.y, epochs=30, verbose=False)
    return net, data.X[:8], data.y[:8]


def test_a_trained_digits_network_has_gradients_that_round_off_alone_decides(trained_digits):
    net, X, y = trained_digits
    errs = nl.training.gradient_errors(net, X, y)
    a, n = errs["analytic"], errs["numeric"]
    tiny = (np.abs(a) + np.abs(n)) < errs["floor"]
    assert tiny.sum() > 100                                   # the entries that used to cry wolf
    assert ((a != 0) & (n == 0) | (a == 0) & (n != 0)).any()  # one side exactly 0, the other round-off
    old = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-12)
    assert old.max() > 0.5                                    # without the floor: a false alarm


def test_a_trained_digits_network_passes_the_check(trained_digits):
    net, X, y = trained_digits
    err = nl.gradcheck(net, X, y)
    assert err < 1e-4, str(err)                               # measured: 1.5e-05


def test_the_floor_is_the_round_off_of_a_central_difference_times_the_margin(rng):
    net = nl.Network.mlp([3, 4, 2], hidden="tanh", seed=0)
    X, y = rng.normal(size=(6, 3)), [0, 1, 0, 1, 1, 0]
    for eps in (1e-5, 1e-4):
        errs = nl.training.gradient_errors(net, X, y, eps=eps)
        assert errs["floor"] == pytest.approx(ROUNDOFF_MARGIN * U * max(abs(errs["loss"]), 1.0) / eps)
    assert ROUNDOFF_MARGIN == 1e4


def test_a_large_loss_raises_the_floor_with_it(rng):
    net = nl.Network.mlp([3, 4, 1], hidden="tanh", output="identity", loss="mse", seed=0)
    X = rng.normal(size=(6, 3))
    errs = nl.training.gradient_errors(net, X, 1e4 * rng.normal(size=(6, 1)))
    assert errs["loss"] > 1e6
    assert errs["floor"] == pytest.approx(ROUNDOFF_MARGIN * U * errs["loss"] / 1e-5)
    assert errs["relative_error"].max() < 1e-6


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_dead_relu_unit_gives_exactly_zero_on_both_sides_and_zero_error(dtype, rng):
    net = nl.Network.mlp([3, 4, 2], hidden="relu", seed=0, dtype=dtype)
    net.layers[0].b[2] = -100.0                               # unit 2 never fires on these inputs
    X = rng.normal(size=(6, 3))
    errs = nl.training.gradient_errors(net, X, [0, 1, 0, 1, 1, 0])
    dead = [k for k, (layer, name, pos) in enumerate(zip(errs["layer"], errs["parameter"], errs["position"]))
            if (layer == 0 and pos[-1] == 2) or (layer == 1 and name == "W" and pos[0] == 2)]
    assert len(dead) == 3 + 1 + 2                             # W[:, 2], b[2] below; W[2, :] above
    assert np.all(errs["analytic"][dead] == 0) and np.all(errs["numeric"][dead] == 0)
    assert np.all(errs["relative_error"][dead] == 0)
    assert nl.gradcheck(net, X, [0, 1, 0, 1, 1, 0]) < 1e-6


def _doubled_tanh():
    nl.activations.register("doubled_tanh", f=np.tanh, derivative=lambda z: 2 * (1 - np.tanh(z) ** 2))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_derivative_off_by_two_in_one_layer_is_still_reported_large(dtype, rng):
    _doubled_tanh()
    try:
        net = nl.Network([nl.Dense(4, 6, "tanh"), nl.Dense(6, 5, "doubled_tanh"), nl.Dense(5, 3, "softmax")],
                         seed=0, dtype=dtype)
        X, y = rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
        err = nl.gradcheck(net, X, y)
        errs = nl.training.gradient_errors(net, X, y)
    finally:
        nl.activations.unregister("doubled_tanh")
    assert err >= 1e-2
    assert err.layer in (0, 1)                                # the bug's layer or one below it
    above = errs["layer"] == 2
    assert errs["relative_error"][above].max() < 1e-6         # the layer above the bug agrees
    assert errs["relative_error"][errs["layer"] == 1].min() > 0.3   # |2a - a| / 3|a| = 1/3


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_wrong_derivative_on_a_trained_digits_network_is_still_reported_large(dtype):
    data = nl.datasets.load("digits")
    net = nl.Network.mlp([64, 32, 10], hidden="tanh", seed=0, dtype=dtype)
    net.fit(data.X[:300], data.y[:300], epochs=5, verbose=False)
    _doubled_tanh()
    try:
        wrong = nl.Network([nl.Dense(64, 32, "doubled_tanh"), nl.Dense(32, 10, "softmax")], seed=0, dtype=dtype)
        wrong.set_weights(net.get_weights())
        err = nl.gradcheck(wrong, data.X[:8], data.y[:8], max_params=300)
    finally:
        nl.activations.unregister("doubled_tanh")
    assert nl.gradcheck(net, data.X[:8], data.y[:8], max_params=300) < 1e-4
    assert err >= 1e-2 and err.layer == 0
