"""User-registered activations are checked when registered and when used."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import HyperparameterError, ShapeError


@pytest.fixture
def name():
    yield "probe_act"
    if "probe_act" in nl.activations.names():
        nl.activations.unregister("probe_act")


def _tanh(**extra):
    return dict(f=np.tanh, derivative=lambda z: 1 - np.tanh(z) ** 2, output_range=(-1, 1), **extra)


def test_a_well_behaved_activation_is_registered_and_usable(name):
    act = nl.activations.register(name, f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    np.testing.assert_array_equal(act(np.array([2.0])), [8.0])


def test_an_activation_that_overflows_for_large_inputs_is_refused_naming_the_input(name):
    with pytest.raises(HyperparameterError, match=r"activation 'probe_act': f\(10000\) is inf.*finite"):
        nl.activations.register(name, f=np.exp, derivative=np.exp)
    assert name not in nl.activations.names()


def test_a_function_that_is_not_elementwise_is_refused_with_the_shapes(name):
    with pytest.raises(ShapeError, match=r"f\(z\) returned a single number for z of shape"):
        nl.activations.register(name, f=lambda z: z.sum(), derivative=lambda z: z)


def test_a_derivative_of_the_wrong_shape_is_refused(name):
    with pytest.raises(ShapeError, match=r"derivative\(z\) returned shape"):
        nl.activations.register(name, f=lambda z: z, derivative=lambda z: z[..., :2])


def test_non_numeric_results_are_refused(name):
    with pytest.raises(TypeError, match="must return numbers"):
        nl.activations.register(name, f=lambda z: z.astype(str), derivative=lambda z: z)


def test_values_outside_the_declared_range_are_refused(name):
    with pytest.raises(HyperparameterError, match="outside the declared output_range"):
        nl.activations.register(name, **{**_tanh(), "output_range": (0, 1)})


@pytest.mark.parametrize("extra,match", [({"output_range": (1, "x")}, "two numbers"),
                                         ({"output_range": (1, -1)}, "must not exceed"),
                                         ({"threshold": "a"}, "finite number"),
                                         ({"threshold": 5.0}, "outside output_range")])
def test_a_malformed_range_or_threshold_is_refused(name, extra, match):
    spec = _tanh()
    spec.update(extra)
    with pytest.raises(HyperparameterError, match=match):
        nl.activations.register(name, **spec)


def test_a_function_that_fails_later_on_another_shape_is_reported_by_name(name):
    def f(z):
        return z if z.shape[-1] != 3 else z[..., :2]
    nl.activations.register(name, f=f, derivative=lambda z: np.ones_like(z))
    with pytest.raises(ShapeError, match="activation 'probe_act': f"):
        nl.activations.get(name)(np.zeros((2, 3)))
