"""Properties of the activations on any input hypothesis draws.

* every built-in activation is finite (value, derivative, backward) on any finite float64
  or float32 input in [-1e4, 1e4], keeps the dtype and stays inside its output range;
* its derivative matches central finite differences at random points away from its kinks
  (softmax: the Jacobian's diagonal).

The suite runs with NumPy over/invalid/divide raised as errors (conftest.py), so any
numerical warning fails a property too.
"""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neuronlab import activations as acts

from activation_facts import BUILTINS, ELEMENTWISE, activation, kinks

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _finite_inputs(dtype):
    return hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=2, max_side=12),
                      elements=st.floats(-1e4, 1e4, width=np.dtype(dtype).itemsize * 8))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", BUILTINS)
@FAST
@given(data=st.data())
def test_activations_are_finite_on_finite_inputs(name, dtype, data):
    act = data.draw(activation((name,)))
    z = data.draw(_finite_inputs(dtype))
    if act.name == "softmax":
        z = z.reshape(1, -1) if z.ndim == 1 else z
    a = act(z)
    d = act.derivative(z)
    b = act.backward(z, a, np.ones_like(z))
    for arr in (a, d, b):
        assert arr.dtype == dtype and arr.shape == z.shape
        assert np.isfinite(arr).all(), (act, z[~np.isfinite(arr)][:3])
    lo, hi = act.output_range
    assert ((a >= lo) & (a <= hi)).all(), (act, a.min(), a.max())


FD_H = 1e-6


@pytest.mark.parametrize("name", ELEMENTWISE)
@FAST
@given(data=st.data(), z=hnp.arrays(np.float64, st.integers(1, 16), elements=st.floats(-8.0, 8.0)))
def test_derivatives_match_central_finite_differences_at_random_points(name, data, z):
    act = data.draw(activation((name,)))
    z = z[np.all([np.abs(z - k) > 1e-4 for k in kinks(act)], axis=0)] if kinks(act) else z
    assume(z.size > 0)
    fd = (act(z + FD_H) - act(z - FD_H)) / (2 * FD_H)
    np.testing.assert_allclose(act.derivative(z), fd, rtol=1e-5, atol=1e-6, err_msg=repr(act))


@settings(max_examples=60, deadline=None)
@given(z=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 6)), elements=st.floats(-8.0, 8.0)))
def test_softmax_derivative_is_the_jacobian_diagonal_at_random_points(z):
    sm = acts.get("softmax")
    fd = np.empty_like(z)
    for j in range(z.shape[1]):
        step = np.zeros_like(z)
        step[:, j] = FD_H
        fd[:, j] = (sm(z + step)[:, j] - sm(z - step)[:, j]) / (2 * FD_H)
    np.testing.assert_allclose(sm.derivative(z), fd, rtol=1e-5, atol=1e-7)
