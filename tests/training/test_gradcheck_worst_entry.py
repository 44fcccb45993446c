"""gradcheck's answer is a float that says where the worst entry is; gradient_errors locates every entry."""
import pickle
import re

import numpy as np
import pytest

import neuronlab as nl

LINE = re.compile(r"^\S+ \(worst: layer \d+, [Wb]\[\d+(, \d+)?\]: analytic \S+, numeric \S+\)$")


def _net_and_data(rng):
    net = nl.Network([nl.Dense(4, 6, "tanh"), nl.Dropout(0.5), nl.Dense(6, 5, "sigmoid", use_bias=False),
                      nl.Dense(5, 3, "softmax")], seed=0)
    return net, rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)


def test_every_checked_entry_is_located_by_layer_parameter_and_position(rng):
    net, X, y = _net_and_data(rng)
    errs = nl.training.gradient_errors(net, X, y)
    assert len(errs["position"]) == len(errs["index"]) == net.n_params
    for i, layer, name, pos in zip(errs["index"], errs["layer"], errs["parameter"], errs["position"]):
        values = getattr(net.layers[layer], name)
        assert len(pos) == values.ndim
        assert values[pos] == net.parameters[i]               # the located weight is that parameter
    assert set(errs["layer"]) == {0, 2, 3}                    # positions in net.layers: Dropout counted
    assert "b" not in set(errs["parameter"][errs["layer"] == 2])   # use_bias=False has no b
    assert errs["position"][0] == (0, 0) and errs["position"][6 * 4] == (0,)


def test_a_subset_is_located_too(rng):
    net, X, y = _net_and_data(rng)
    errs = nl.training.gradient_errors(net, X, y, max_params=7, seed=3)
    for i, layer, name, pos in zip(errs["index"], errs["layer"], errs["parameter"], errs["position"]):
        assert getattr(net.layers[layer], name)[pos] == net.parameters[i]


def test_gradcheck_is_a_float_naming_the_worst_entry(rng):
    net, X, y = _net_and_data(rng)
    err = nl.gradcheck(net, X, y)
    errs = nl.training.gradient_errors(net, X, y)
    k = int(np.argmax(errs["relative_error"]))
    assert isinstance(err, float) and isinstance(err, nl.GradientCheck) and err < 1e-6
    assert float(err) == errs["relative_error"][k]
    assert (err.layer, err.parameter, err.position) == (errs["layer"][k], errs["parameter"][k], errs["position"][k])
    assert (err.analytic, err.numeric, err.floor) == (errs["analytic"][k], errs["numeric"][k], errs["floor"])
    assert nl.training.GradientCheck is nl.GradientCheck


def test_gradcheck_prints_as_one_readable_line(rng):
    net, X, y = _net_and_data(rng)
    err = nl.gradcheck(net, X, y)
    assert LINE.match(str(err)), str(err)
    assert repr(err) == str(err)
    assert str(err).startswith(f"{float(err):.2g} (worst: {err.where}: ")
    assert f"{err:.3e}" == f"{float(err):.3e}"                 # a format spec formats the number


def test_the_line_shows_the_two_values():
    err = nl.GradientCheck(1.3e-9, layer=2, parameter="W", position=(3, 7), analytic=0.01234, numeric=0.012340001)
    assert str(err) == "1.3e-09 (worst: layer 2, W[3, 7]: analytic 0.01234, numeric 0.01234)"
    bias = nl.GradientCheck(0.25, layer=0, parameter="b", position=(4,), analytic=2.0, numeric=1.0)
    assert str(bias) == "0.25 (worst: layer 0, b[4]: analytic 2, numeric 1)"


def test_a_gradient_check_survives_pickling_with_its_location():
    err = nl.GradientCheck(0.5, layer=1, parameter="b", position=(2,), analytic=3.0, numeric=1.0, floor=2e-7)
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is nl.GradientCheck and back == 0.5
    assert (back.layer, back.parameter, back.position, back.analytic, back.numeric, back.floor) == (
        1, "b", (2,), 3.0, 1.0, 2e-7)


@pytest.mark.parametrize("name, position", [("dW", (1, 2)), ("db", (3,))])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_gradient_doubled_in_one_layer_is_reported_large_and_named(name, position, dtype, rng, monkeypatch):
    net = nl.Network.mlp([4, 6, 5, 3], hidden="tanh", seed=0, dtype=dtype)
    backward_from_z = nl.Dense.backward_from_z

    def doubled_in_the_middle_layer(self, grad_z, need_input_grad=True, out=None):
        result = backward_from_z(self, grad_z, need_input_grad, out)
        if (self.n_in, self.n_out) == (6, 5):                 # layer 1 (the check works on a copy)
            getattr(self, name)[position] *= 2
        return result

    monkeypatch.setattr(nl.Dense, "backward_from_z", doubled_in_the_middle_layer)
    err = nl.gradcheck(net, rng.normal(size=(8, 4)), rng.integers(0, 3, size=8))
    assert err >= 1e-2
    assert (err.layer, err.parameter, err.position) == (1, name[1], position)
    assert err.analytic == pytest.approx(2 * err.numeric, rel=1e-6)


def test_no_parameters_checked_reads_as_such():
    err = nl.GradientCheck(0.0, floor=2e-7)
    assert err == 0 and err.layer is None and err.where == ""
    assert str(err) == "0 (no parameters checked)"


def test_a_non_finite_loss_is_refused_naming_the_loss():
    net = nl.Network.mlp([2, 3, 1], hidden="identity", output="identity", loss="mse", seed=0,
                         dtype="float64")
    net.set_weights([(np.full((2, 3), 1e200), np.zeros(3)), (np.full((3, 1), 1e200), np.zeros(1))])
    with np.errstate(all="ignore"), pytest.raises(nl.DivergenceError) as info:
        nl.gradcheck(net, np.ones((4, 2)), np.ones((4, 1)))
    assert "loss" in str(info.value) and "finite" in str(info.value) and "\n" not in str(info.value)
