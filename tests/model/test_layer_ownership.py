"""A layer belongs to at most one network; its arrays cannot be swapped behind the network's back."""
import copy
import pickle

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import DataError, ShapeError


def test_the_same_layer_twice_in_one_network_is_refused_with_the_fix():
    layer = nl.Dense(3, 3)
    with pytest.raises(TypeError, match=r"layer 1 .* same object as layer 0.*layer\.copy\(\)"):
        nl.Network([layer, layer])


def test_the_same_dropout_twice_is_refused():
    drop = nl.Dropout(0.5)
    with pytest.raises(TypeError, match="same object"):
        nl.Network([nl.Dense(2, 3), drop, nl.Dense(3, 3), drop, nl.Dense(3, 1)])


def test_a_layer_of_one_network_is_refused_by_a_second_network():
    hidden = nl.Dense(2, 4)
    nl.Network([hidden, nl.Dense(4, 1)], seed=0)
    net = nl.Network([nl.Dense(2, 4), nl.Dense(4, 1)], seed=0)  # keep the first one alive
    first = nl.Network([nl.Dense(2, 2)], seed=0)
    with pytest.raises(TypeError, match=r"already belongs to another network.*layer\.copy\(\)"):
        nl.Network([first.layers[0], nl.Dense(2, 1)])
    assert net.layers[0].network is net


def test_a_refused_network_leaves_its_layers_free_to_use():
    a, b = nl.Dense(2, 3), nl.Dense(4, 1)
    with pytest.raises(ShapeError):
        nl.Network([a, b])
    assert a.network is None
    nl.Network([a, nl.Dense(3, 1)])


def test_a_copied_layer_has_its_own_weights_and_can_join_another_network():
    first = nl.Network([nl.Dense(2, 2), nl.Dense(2, 1)], seed=0)
    twin = first.layers[0].copy()
    second = nl.Network([twin, nl.Dense(2, 1)], seed=1)
    np.testing.assert_array_equal(second.layers[0].W, first.layers[0].W.astype(second.dtype))
    second.parameters[:] = 0
    assert first.parameters.any()


@pytest.mark.parametrize("clone", [lambda n: n.copy(), lambda n: copy.deepcopy(n),
                                   lambda n: pickle.loads(pickle.dumps(n)),
                                   lambda n: nl.Network.from_config(n.config())])
def test_copies_pickles_and_configs_own_fresh_layers_bound_to_their_own_buffer(clone):
    net = nl.Network([nl.Dense(2, 3), nl.Dense(3, 1)], seed=0)
    new = clone(net)
    for layer in new.layers:
        assert layer.network is new
        assert layer not in net.layers
    assert np.shares_memory(new.layers[0].W, new.parameters)
    assert all(layer.network is net for layer in net.layers)


def test_assigning_weights_to_a_layer_in_a_network_writes_into_the_network_buffer():
    net = nl.Network([nl.Dense(2, 2), nl.Dense(2, 1)], seed=0)
    layer = net.layers[0]
    layer.W = np.full((2, 2), 0.5)            # float64 in, float32 buffer kept
    layer.b = [1.0, 2.0]
    assert np.shares_memory(layer.W, net.parameters) and layer.W.dtype == np.float32
    np.testing.assert_array_equal(net.parameters[:4], 0.5)
    np.testing.assert_array_equal(net.parameters[4:6], [1.0, 2.0])


@pytest.mark.parametrize("bad,error", [(np.zeros((3, 2)), ShapeError), (np.zeros(4), ShapeError),
                                       ([["a", "b"], ["c", "d"]], DataError)])
def test_weights_of_the_wrong_shape_or_kind_are_refused_and_the_buffer_is_untouched(bad, error):
    net = nl.Network([nl.Dense(2, 2), nl.Dense(2, 1)], seed=0)
    before = net.parameters.copy()
    with pytest.raises(error):
        net.layers[0].W = bad
    np.testing.assert_array_equal(net.parameters, before)
    assert np.shares_memory(net.layers[0].W, net.parameters)


def test_weights_assigned_to_a_free_layer_are_kept_by_the_network_it_joins():
    layer = nl.Dense(2, 1, activation="identity")
    layer.W = [[2.0], [3.0]]
    net = nl.Network([layer], seed=0)
    np.testing.assert_array_equal(net.predict_proba(np.array([[1.0, 1.0]])), [[5.0]])
