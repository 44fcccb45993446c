"""Losses: values and gradients equal PyTorch autograd, fused gradients equal d(loss∘activation)/dz,
logit forms stay finite where the activation saturates, bad targets give clear errors."""
import numpy as np
import pytest
import torch

import neuronlab as nl
from neuronlab import losses
from neuronlab.activations import sigmoid

N, K = 7, 4
DTYPES = [(np.float64, torch.float64, 1e-9), (np.float32, torch.float32, 1e-4)]
TORCH_DT = {np.float64: torch.float64, np.float32: torch.float32}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def make_case(name, rng, dtype, target="labels"):
    """Activation values ``a`` (in (0, 1) for the cross-entropies) and prepared targets."""
    z = rng.normal(scale=1.5, size=(N, K))
    if name == "cross_entropy":
        a = softmax(z)
        if target == "labels":
            y = rng.integers(0, K, size=N)
        else:  # one-hot rows, and one probability row
            y = np.eye(K)[rng.integers(0, K, size=N)]
            y[0] = [0.1, 0.2, 0.3, 0.4]
    elif name == "binary_crossentropy":
        a = sigmoid(z)
        y = rng.integers(0, 2, size=(N, K)).astype(float)
        y[0, 0] = 0.3  # soft target
    else:
        a = z
        y = rng.normal(size=(N, K))
        if name == "mae":
            y[1, 2] = a[1, 2]  # a tie: torch's d|x|/dx at 0 is 0
    loss = losses.get(name)
    return a.astype(dtype), loss.prepare_targets(y, K, dtype), z.astype(dtype)


def torch_per_sample(name, a, y):
    """Per-sample losses written directly in torch (the reference formulas)."""
    if name == "mse":
        return ((a - y) ** 2).mean(dim=1)
    if name == "mae":
        return (a - y).abs().mean(dim=1)
    if name == "binary_crossentropy":
        return -(y * torch.log(a) + (1 - y) * torch.log(1 - a)).mean(dim=1)
    if y.dim() == 1:
        return -torch.log(a[torch.arange(a.shape[0]), y])
    return -(y * torch.log(a)).sum(dim=1)


def torch_reduce(per_sample, w):
    return per_sample.mean() if w is None else (w * per_sample).sum() / w.sum()


CASES = [("mse", "values"), ("mae", "values"), ("binary_crossentropy", "values"),
         ("cross_entropy", "labels"), ("cross_entropy", "onehot")]


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
    ref = torch_reduce(torch_per_sample(name, at, yt), wt)
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
    F = torch.nn.functional
    ref = {"mse": lambda: F.mse_loss(at, yt), "mae": lambda: F.l1_loss(at, yt),
           "binary_crossentropy": lambda: F.binary_cross_entropy(at, yt),
           "cross_entropy": lambda: F.cross_entropy(zt, yt)}[name]().item()
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
    ref = torch_reduce(torch_per_sample(name, at, yt), None if w is None else torch.tensor(w, dtype=tdt))
    ref.backward()

    g = loss.fused_gradient(a, y, w)
    assert g.dtype == dtype and g.shape == a.shape
    np.testing.assert_allclose(g, zt.grad.numpy(), rtol=rtol, atol=rtol * 1e-3)
    # and it is the gradient of the activation's backward applied to dL/da
    chained = act.backward(z, a, loss.gradient(a, y, w))
    np.testing.assert_allclose(g, chained, rtol=100 * rtol, atol=rtol * 1e-2)


def test_fused_gradient_writes_into_out_and_keeps_labels_unexpanded(rng):
    _, y, z = make_case("cross_entropy", rng, np.float32)
    a = softmax(z)
    expected = losses.get("cross_entropy").fused_gradient(a.copy(), y)
    out = np.empty_like(a)
    res = losses.get("cross_entropy").fused_gradient(a, y, out=out)
    assert res is out
    np.testing.assert_array_equal(out, expected)
    res = losses.get("cross_entropy").fused_gradient(a, y, out=a)  # in place
    assert res is a
    np.testing.assert_array_equal(a, expected)


@pytest.mark.parametrize("name", ["mse", "mae"])
def test_fused_gradient_needs_a_fused_loss(name):
    loss = losses.get(name)
    assert loss.fused_activation is None
    with pytest.raises(TypeError, match="no fused"):
        loss.fused_gradient(np.zeros((2, 1)), np.zeros((2, 1)))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("name, target", CASES)
def test_gradient_matches_central_finite_differences(name, target, weighted, rng):
    a, y, _ = make_case(name, rng, np.float64, target)
    if name == "mae":
        y[1, 2] += 0.5  # keep away from the kink
    w = rng.uniform(0.1, 3.0, size=N) if weighted else None
    loss = losses.get(name)
    g = loss.gradient(a, y, w)
    h = 1e-6
    fd = np.empty_like(a)
    for idx in np.ndindex(*a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += h
        down[idx] -= h
        fd[idx] = (loss.value(up, y, w) - loss.value(down, y, w)) / (2 * h)
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, target", [("binary_crossentropy", "values"), ("cross_entropy", "labels"),
                                          ("cross_entropy", "onehot")])
def test_value_from_logits_equals_value_from_activations(name, target, dtype, rng):
    _, y, z = make_case(name, rng, dtype, target)
    loss = losses.get(name)
    a = nl.activations.get(loss.fused_activation)(z)
    w = rng.uniform(0.1, 3.0, size=N).astype(dtype)
    rel = 1e-12 if dtype == np.float64 else 1e-5
    assert loss.value(a, y, z=z) == pytest.approx(loss.value(a, y), rel=rel)
    assert loss.value(a, y, w, z=z) == pytest.approx(loss.value(a, y, w), rel=rel)


@pytest.mark.parametrize("dtype, tdt", [(np.float64, torch.float64), (np.float32, torch.float32)])
@pytest.mark.parametrize("name", ["binary_crossentropy", "cross_entropy"])
def test_value_from_extreme_logits_is_finite_and_exact(name, dtype, tdt):
    # z = ±1e4: the activation values are exactly 0 or 1, the logit form is still exact
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [3.0, -1e4, 1e4]], dtype=dtype)
    loss = losses.get(name)
    a = nl.activations.get(loss.fused_activation)(z)
    zt = torch.tensor(z, dtype=tdt)
    F = torch.nn.functional
    if name == "cross_entropy":
        y = loss.prepare_targets(np.array([1, 0, 1]), 3, dtype)  # the wrong class each time
        ref = F.cross_entropy(zt, torch.tensor(y)).item()
    else:
        y = loss.prepare_targets(np.array([[0, 1, 1], [0, 1, 0], [1, 1, 0]]), 3, dtype)
        ref = F.binary_cross_entropy_with_logits(zt, torch.tensor(y, dtype=tdt)).item()
    from_z = loss.value(a, y, z=z)
    from_a = loss.value(a, y)
    assert np.isfinite(from_z) and np.isfinite(from_a)
    assert from_z == pytest.approx(ref, rel=1e-6)
    assert from_z > 1e3 > from_a  # the clipped form saturates near -log(eps)
    g = loss.fused_gradient(a, y)
    assert np.isfinite(g).all()


def test_logits_of_another_activation_are_ignored(rng):
    # z is not the sigmoid's input here: the value must come from a
    loss = losses.get("binary_crossentropy")
    a = rng.uniform(0.05, 0.95, size=(5, 2))
    y = rng.integers(0, 2, size=(5, 2)).astype(float)
    z = rng.normal(size=(5, 2))
    assert loss.value(a, y, z=z) == loss.value(a, y)
    ce = losses.get("cross_entropy")
    labels = rng.integers(0, 2, size=5)
    assert ce.value(a / a.sum(1, keepdims=True), labels, z=z) == ce.value(a / a.sum(1, keepdims=True), labels)


def test_logits_of_an_activation_that_agrees_on_the_first_row_are_ignored():
    # hard_sigmoid(z) ≈ sigmoid(z) near z = 0: a first row of zeros alone must not fool the check
    loss = losses.get("binary_crossentropy")
    z = np.array([[0.0, 0.0], [4.0, -5.0], [1.0, 2.0]])
    a = nl.activations.get("hard_sigmoid")(z)
    y = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert loss.value(a, y, z=z) == loss.value(a, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_activations_give_no_warning(dtype):
    a = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype)
    y01 = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=dtype)
    for name, y in [("binary_crossentropy", y01), ("cross_entropy", np.array([0, 1]))]:
        loss = losses.get(name)
        assert np.isfinite(loss.value(a, y))
        g = loss.gradient(a, y)
        assert g.dtype == dtype and np.isfinite(g).all()


# -- targets ---------------------------------------------------------------------------------

def test_cross_entropy_targets_are_converted():
    ce = losses.get("cross_entropy")
    out = ce.prepare_targets([0.0, 2.0, 1.0], 3, np.float32)
    assert out.dtype == np.int64 and out.tolist() == [0, 2, 1]
    assert ce.prepare_targets(np.array([[1], [2]]), 3, np.float32).tolist() == [1, 2]  # a column of labels
    onehot = ce.prepare_targets(np.eye(3)[[0, 2]], 3, np.float32)
    assert onehot.dtype == np.float32 and onehot.shape == (2, 3)


@pytest.mark.parametrize("name", ["mse", "mae", "binary_crossentropy"])
def test_single_output_targets_become_a_column(name):
    out = losses.get(name).prepare_targets([0, 1, 1], 1, np.float64)
    assert out.shape == (3, 1) and out.dtype == np.float64


def test_label_out_of_range_names_the_label_and_the_range():
    with pytest.raises(nl.DataError, match=r"label 10 .*out of range.*\[0, 9\]"):
        losses.get("cross_entropy").prepare_targets(np.array([0, 3, 10]), 10, np.float32)
    with pytest.raises(nl.DataError, match=r"label -1"):
        losses.get("cross_entropy").prepare_targets([-1, 0], 10, np.float32)


@pytest.mark.parametrize("y, n_out, err, words", [
    ([0.5, 1.0], 3, nl.DataError, "integers"),
    (["cat", "dog"], 3, nl.DataError, "LabelEncoder"),
    (np.eye(3), 4, nl.ShapeError, r"expected shape \(n_samples, 4\).*got \(3, 3\)"),
    (np.full((2, 3), 0.5), 3, nl.DataError, "sum to 1"),
    (np.zeros((2, 2, 2)), 2, nl.ShapeError, "1-D class labels"),
])
def test_bad_cross_entropy_targets(y, n_out, err, words):
    with pytest.raises(err, match=words):
        losses.get("cross_entropy").prepare_targets(y, n_out, np.float32)


def test_bce_target_outside_unit_interval():
    with pytest.raises(nl.DataError, match=r"\[0, 1\].*2\.0.*row 1"):
        losses.get("binary_crossentropy").prepare_targets([[0.0], [2.0]], 1, np.float64)


@pytest.mark.parametrize("name", ["mse", "mae", "binary_crossentropy"])
def test_shape_mismatch_says_expected_and_got(name):
    with pytest.raises(nl.ShapeError, match=r"expected shape \(n_samples, 2\).*got \(4, 3\)"):
        losses.get(name).prepare_targets(np.zeros((4, 3)), 2, np.float32)
    with pytest.raises(nl.ShapeError, match="expected"):
        losses.get(name).prepare_targets(np.zeros(4), 2, np.float32)
    with pytest.raises(nl.ShapeError, match=r"expected \(4, 2\), got \(4, 3\)"):
        losses.get(name).value(np.full((4, 2), 0.5), np.zeros((4, 3)))


def test_bad_sample_weight():
    loss = losses.get("mse")
    with pytest.raises(nl.DataError, match="positive sum"):
        loss.value(np.zeros((2, 1)), np.ones((2, 1)), np.zeros(2))
    with pytest.raises(nl.ShapeError, match="sample_weight"):
        loss.gradient(np.zeros((2, 1)), np.ones((2, 1)), np.ones(3))


# -- registry --------------------------------------------------------------------------------

@pytest.mark.parametrize("alias, name", [("categorical_crossentropy", "cross_entropy"), ("log_loss", "cross_entropy"),
                                         ("bce", "binary_crossentropy"), ("mean_squared_error", "mse"),
                                         ("MSE", "mse"), ("binary-crossentropy", "binary_crossentropy")])
def test_aliases(alias, name):
    assert losses.get(alias).name == name


def test_registry_and_instances():
    assert losses.names() == ["binary_crossentropy", "cross_entropy", "mae", "mse"]
    ce = losses.get("cross_entropy")
    assert losses.get(ce) is ce
    assert ce.fused_activation == "softmax" and ce.is_classification
    assert losses.get("bce").fused_activation == "sigmoid"
    assert not losses.get("mae").is_classification
    assert {row["name"] for row in losses.describe()} == set(losses.names())
    with pytest.raises(TypeError, match="known names"):
        losses.get(3)


def test_unknown_loss_lists_the_known_names():
    with pytest.raises(nl.UnknownNameError) as info:
        losses.get("hinge")
    for n in losses.names():
        assert n in str(info.value)
    with pytest.raises(ValueError, match="did you mean 'cross_entropy'"):
        losses.get("cross_entropi")
