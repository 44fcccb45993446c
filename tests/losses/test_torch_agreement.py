"""Losses agree with PyTorch: values and gradients by autograd (weighted and not, both dtypes), torch's
built-in losses, the fused gradients through the activation, and the logit forms at extreme logits."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import oracles  # noqa: E402
import neuronlab as nl  # noqa: E402
from neuronlab import losses  # noqa: E402

from loss_cases import CASES, N, make_case  # noqa: E402

DTYPES = [(np.float64, torch.float64, 1e-9), (np.float32, torch.float32, 1e-4)]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype, tdt, rtol", DTYPES)
@pytest.mark.parametrize("name, target", CASES)
def test_value_and_gradient_match_torch_autograd(name, target, dtype, tdt, rtol, weighted, rng):
    a, y, _ = make_case(name, rng, dtype, target)
    w = rng.uniform(0.1, 3.0, size=N).astype(dtype) if weighted else None
    loss = losses.get(name)

    at = torch.tensor(a, dtype=tdt, requires_grad=True)
    yt = torch.tensor(y) if y.dtype == np.int64 else torch.tensor(y, dtype=tdt)
    wt = None if w is None else torch.tensor(w, dtype=tdt)
    ref = oracles.loss_reduce(oracles.loss_per_sample(name, at, yt), wt)
    ref.backward()

    assert loss.value(a, y, w) == pytest.approx(ref.item(), rel=rtol)
    g = loss.gradient(a, y, w)
    assert g.dtype == a.dtype and g.shape == a.shape
    np.testing.assert_allclose(g, at.grad.numpy(), rtol=rtol, atol=rtol * 1e-3)


@pytest.mark.parametrize("name, target", CASES)
def test_unweighted_values_equal_torch_builtin_losses(name, target, rng):
    a, y, z = make_case(name, rng, np.float64, target)
    at, zt = torch.tensor(a), torch.tensor(z)
    yt = torch.tensor(y)
    ref = oracles.builtin_loss(name, at, zt, yt).item()
    assert losses.get(name).value(a, y) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype, tdt, rtol", DTYPES)
@pytest.mark.parametrize("name, target", [("binary_crossentropy", "values"), ("cross_entropy", "labels"),
                                          ("cross_entropy", "onehot")])
def test_fused_gradient_equals_autograd_through_the_activation(name, target, dtype, tdt, rtol, weighted, rng):
    _, y, z = make_case(name, rng, dtype, target)
    w = rng.uniform(0.1, 3.0, size=N).astype(dtype) if weighted else None
    loss = losses.get(name)
    act = nl.activations.get(loss.fused_activation)
    a = act(z)

    zt = torch.tensor(z, dtype=tdt, requires_grad=True)
    yt = torch.tensor(y) if y.dtype == np.int64 else torch.tensor(y, dtype=tdt)
    at = torch.softmax(zt, dim=1) if name == "cross_entropy" else torch.sigmoid(zt)
    ref = oracles.loss_reduce(oracles.loss_per_sample(name, at, yt), None if w is None else torch.tensor(w, dtype=tdt))
    ref.backward()

    g = loss.fused_gradient(a, y, w)
    assert g.dtype == dtype and g.shape == a.shape
    np.testing.assert_allclose(g, zt.grad.numpy(), rtol=rtol, atol=rtol * 1e-3)
    # and it is the gradient of the activation's backward applied to dL/da
    chained = act.backward(z, a, loss.gradient(a, y, w))
    np.testing.assert_allclose(g, chained, rtol=100 * rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("dtype, tdt", [(np.float64, torch.float64), (np.float32, torch.float32)])
@pytest.mark.parametrize("name", ["binary_crossentropy", "cross_entropy"])
def test_value_from_extreme_logits_is_finite_and_exact(name, dtype, tdt):
    # z = ±1e4: the activation values are exactly 0 or 1, the logit form is still exact
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [3.0, -1e4, 1e4]], dtype=dtype)
    loss = losses.get(name)
    a = nl.activations.get(loss.fused_activation)(z)
    zt = torch.tensor(z, dtype=tdt)
    if name == "cross_entropy":
        y = loss.prepare_targets(np.array([1, 0, 1]), 3, dtype)  # the wrong class each time
        ref = oracles.loss_from_logits(name, zt, torch.tensor(y)).item()
    else:
        y = loss.prepare_targets(np.array([[0, 1, 1], [0, 1, 0], [1, 1, 0]]), 3, dtype)
        ref = oracles.loss_from_logits(name, zt, torch.tensor(y, dtype=tdt)).item()
    from_z = loss.value(a, y, z=z)
    from_a = loss.value(a, y)
    assert np.isfinite(from_z) and np.isfinite(from_a)
    assert from_z == pytest.approx(ref, rel=1e-6)
    assert from_z > 1e3 > from_a  # the clipped form saturates near -log(eps)
    g = loss.fused_gradient(a, y)
    assert np.isfinite(g).all()
