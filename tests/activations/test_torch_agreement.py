"""The activations agree with PyTorch autograd: values, gradients, and the derivative at the kinks
(where the module promises PyTorch's conventions)."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import oracles  # noqa: E402
from neuronlab import activations as acts  # noqa: E402

TOLERANCES = {np.float64: dict(rtol=1e-9, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-6)}

#: where the two implementations may legitimately differ by more (gradients only)
GRAD_TOLERANCES = {
    # torch's hardsigmoid backward multiplies by 1/6 rounded to float32 even for float64
    # (0.1666666716...); ours is the exact 1/6, which the finite-difference test confirms
    ("hard_sigmoid", np.float64): dict(rtol=1e-7, atol=1e-12),
    # for z ≈ -5 both evaluate (1 + t) and (1 - t²) with t ≈ -1 in float32: each is off the
    # float64 truth by ~1e-6 absolute (cancellation), so they differ from each other by ~|g|·2e-6
    ("gelu_tanh", np.float32): dict(rtol=1e-4, atol=1e-5),
}


def test_every_builtin_except_step_has_a_torch_reference():
    covered = {key.split("[")[0] for key in oracles.ACTIVATIONS} - {"swish"}
    assert covered == {n for n in acts.names() if acts.is_builtin(n)} - {"step"}


def _torch_inputs(act: acts.Activation, dtype, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    z = rng.uniform(-10.0, 10.0, size=(64, 16))
    z[0, :] = np.linspace(-1e-3, 1e-3, 16)  # small values, where only atol makes sense
    for k in (0.0, -1.0, 1.0, -3.0, 3.0):  # stay clear of every kink
        close = np.abs(z - k) < 1e-4
        z[close] = k + np.where(z[close] >= k, 1e-4, -1e-4)
    return z.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("key", sorted(oracles.ACTIVATIONS))
def test_values_and_gradients_match_torch_autograd(key, dtype):
    params, torch_fn = oracles.ACTIVATIONS[key]
    act = acts.get(key.split("[")[0], **params)
    z = _torch_inputs(act, dtype, seed=len(key))
    g = np.random.default_rng(7).normal(size=z.shape).astype(dtype)
    want_a, want_grad = oracles.value_and_grad(torch_fn, z, g)

    a = act(z)
    got_grad = act.backward(z, a, g)
    assert a.dtype == dtype and got_grad.dtype == dtype
    grad_tol = GRAD_TOLERANCES.get((act.name, dtype), TOLERANCES[dtype])
    np.testing.assert_allclose(a, want_a, **TOLERANCES[dtype])
    np.testing.assert_allclose(got_grad, want_grad, **grad_tol)
    if act.name != "softmax":  # the elementwise derivative is the gradient for an upstream of ones
        np.testing.assert_allclose(act.derivative(z), oracles.value_and_grad(torch_fn, z, np.ones_like(z))[1],
                                   **grad_tol)


@pytest.mark.parametrize("key", sorted(k for k in oracles.ACTIVATIONS if k != "softmax"))
def test_derivative_at_kinks_follows_torch(key):
    """The module promises PyTorch's conventions where f is not differentiable."""
    params, torch_fn = oracles.ACTIVATIONS[key]
    act = acts.get(key.split("[")[0], **params)
    z = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    _, want = oracles.value_and_grad(torch_fn, z, np.ones_like(z))
    tol = GRAD_TOLERANCES.get((act.name, np.float64), TOLERANCES[np.float64])
    np.testing.assert_allclose(act.derivative(z), want, **tol)
