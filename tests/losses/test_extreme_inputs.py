"""Losses and their gradients raise no warnings at extreme magnitudes."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import neuronlab as nl

MAGNITUDES = [1e30, 3e38, 1e300, 1.7e308]


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["mse", "mae"])
@pytest.mark.parametrize("v", MAGNITUDES)
def test_regression_losses_of_huge_errors_are_warning_free_and_exact_where_float64_holds_them(name, dtype, v):
    if v > float(np.finfo(dtype).max):
        pytest.skip("not representable")
    loss = nl.losses.get(name)
    a = np.array([[v], [0.0]], dtype=dtype)
    y = np.zeros((2, 1), dtype=dtype)
    value = _quiet(loss.value, a, y)
    grad = _quiet(loss.gradient, a, y)
    try:
        exact = (float(dtype(v)) ** 2 if name == "mse" else float(dtype(v))) / 2
    except OverflowError:
        exact = np.inf
    if np.isfinite(exact):
        assert value == pytest.approx(exact, rel=1e-6)
    else:
        assert value == np.inf
    assert not np.isnan(grad).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["binary_crossentropy", "cross_entropy"])
def test_cross_entropies_from_huge_logits_are_warning_free(name, dtype):
    big = float(np.finfo(dtype).max)
    z = np.array([[big, -big], [-big, big], [1e30, -1e30]], dtype=dtype)
    a = nl.activations.get("sigmoid" if name == "binary_crossentropy" else "softmax")(z)
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    loss = nl.losses.get(name)
    value = _quiet(loss.value, a, y, z=z)
    assert value == pytest.approx(0.0, abs=1e-6)
    assert np.isfinite(_quiet(loss.gradient, a, y)).all()
    assert np.isfinite(_quiet(loss.fused_gradient, a, y)).all()


@settings(max_examples=60, deadline=None)
@given(exponent=st.floats(0, 308), dtype=st.sampled_from([np.float32, np.float64]),
       name=st.sampled_from(["mse", "mae"]))
def test_property_regression_losses_never_warn_for_any_magnitude(exponent, dtype, name):
    v = min(10.0 ** exponent, float(np.finfo(dtype).max))
    a = np.array([[v, -v]], dtype=dtype)
    loss = nl.losses.get(name)
    assert not np.isnan(_quiet(loss.value, a, np.zeros_like(a)))
    assert not np.isnan(_quiet(loss.gradient, a, np.zeros_like(a))).any()
