"""Softmax and its log-sum-exp are defined once (``neuronlab.activations.smooth.softmax``):
the activation, the cross-entropy loss's logit form and the training step compute the
same numbers, bit for bit."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.activations.smooth import softmax


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_activation_is_the_function(dtype, rng):
    z = (rng.standard_normal((20, 5)) * 30).astype(dtype)
    act = nl.activations.get("softmax")
    expected = softmax(z)
    np.testing.assert_array_equal(act(z), expected)
    out = np.empty_like(z)
    assert act.f_into(z, out) is out
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_allclose(expected.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_its_parts_give_the_cross_entropy_from_the_logits(dtype, rng):
    z = (rng.standard_normal((20, 5)) * np.geomspace(0.1, 100, 20)[:, None]).astype(dtype)
    y = rng.integers(0, 5, 20)
    shifted, row_max, row_sum = np.empty_like(z), np.empty((20, 1), dtype), np.empty((20, 1), dtype)
    a = softmax(z, shifted=shifted, row_max=row_max, row_sum=row_sum)
    np.testing.assert_array_equal(a, softmax(z))
    np.testing.assert_array_equal(row_max[:, 0], z.max(axis=1))
    np.testing.assert_array_equal(shifted, z - row_max)
    loss = np.log(row_sum[:, 0]) - shifted[np.arange(20), y]      # log Σ e^(z − max) − (z_y − max)
    np.testing.assert_array_equal(loss, nl.losses.get("cross_entropy").per_sample_from_logits(z, y))
    small = np.abs(z).max(axis=1) < 3             # where no probability underflows
    np.testing.assert_allclose(loss[small], -np.log(a[np.arange(20), y][small]), rtol=1e-4)


def test_no_overflow_for_large_logits():
    z = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    a = softmax(z)
    np.testing.assert_array_equal(a, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_a_vector_is_one_row():
    np.testing.assert_array_equal(softmax(np.array([0.0, np.log(3.0)])), softmax(np.array([[0.0, np.log(3.0)]]))[0])
