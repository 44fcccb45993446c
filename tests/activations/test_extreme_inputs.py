"""Every registered activation stays finite and warning-free at extreme magnitudes."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuronlab as nl

MAGNITUDES = [1e30, 3e38, 1e300, 1.7e308, np.inf]


def _inputs(dtype):
    values = [v for v in MAGNITUDES if v <= float(np.finfo(dtype).max) or v == np.inf]
    return np.array([values + [-v for v in values] + [0.0]], dtype=dtype)


def _run(act, z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act(z)
        d = act.derivative(z)
        g = act.backward(z, a, np.ones_like(z))
    return a, d, g


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", nl.activations.names())
def test_every_activation_has_no_nan_and_a_finite_derivative_at_extreme_inputs(name, dtype):
    z = _inputs(dtype)
    if name == "softmax":
        z = z[:, [0, 1, -1]]  # finite huge logits in one row
    a, d, g = _run(nl.activations.get(name), z)
    assert not np.isnan(a).any()
    assert np.isfinite(d).all() and np.isfinite(g).all()
    finite = np.isfinite(z)
    assert np.isfinite(a[finite]).all() or name in ("identity", "relu", "leaky_relu", "elu", "selu",
                                                    "gelu", "gelu_tanh", "softplus", "silu", "mish")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "silu", "mish", "softplus"])
def test_relu_like_smooth_activations_equal_z_far_right_and_zero_far_left(name, dtype):
    big = np.array([1e30, np.finfo(dtype).max, np.inf], dtype=dtype)
    a, d, _ = _run(nl.activations.get(name), np.concatenate([big, -big]))
    np.testing.assert_array_equal(a[:3], big)
    np.testing.assert_array_equal(a[3:], 0.0)
    np.testing.assert_array_equal(d, [1, 1, 1, 0, 0, 0])


@pytest.mark.parametrize("name,right,left", [("sigmoid", 1, 0), ("tanh", 1, -1), ("softsign", 1, -1)])
def test_saturating_activations_reach_their_limits_with_zero_slope(name, right, left):
    z = np.array([1e300, np.inf, -1e300, -np.inf])
    a, d, _ = _run(nl.activations.get(name), z)
    np.testing.assert_allclose(a, [right, right, left, left])
    np.testing.assert_allclose(d, 0.0, atol=1e-30)


def test_softmax_of_huge_logits_is_one_hot_and_of_infinite_logits_shares_the_mass():
    sm = nl.activations.get("softmax")
    a, _, _ = _run(sm, np.array([[1.7e308, -1.7e308, 0.0], [np.inf, np.inf, 1.0], [-np.inf, -np.inf, -np.inf]]))
    np.testing.assert_array_equal(a[0], [1, 0, 0])
    np.testing.assert_array_equal(a[1], [0.5, 0.5, 0])
    np.testing.assert_allclose(a[2], 1 / 3)


@settings(max_examples=60, deadline=None)
@given(exponent=st.floats(0, 308), sign=st.sampled_from([-1.0, 1.0]),
       dtype=st.sampled_from([np.float32, np.float64]), name=st.sampled_from(nl.activations.names()))
def test_property_no_activation_warns_or_returns_nan_for_any_magnitude(exponent, sign, dtype, name):
    value = sign * min(10.0 ** exponent, float(np.finfo(dtype).max))
    z = np.array([[value, 0.0]], dtype=dtype)
    a, d, g = _run(nl.activations.get(name), z)
    assert not np.isnan(a).any() and np.isfinite(d).all() and np.isfinite(g).all()
