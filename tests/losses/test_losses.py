"""Losses: gradients equal finite differences, fused gradients equal d(loss∘activation)/dz, logit forms
stay finite where the activation saturates, bad targets give clear errors (the agreement with PyTorch
autograd is in ``test_torch_agreement.py``)."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab import losses

from loss_cases import CASES, N, make_case, softmax

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
