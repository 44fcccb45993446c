"""Specification of :mod:`neuronlab.activations`.

Every activation in the registry is one object carrying ``f`` and ``f'`` side by side.
These tests pin down what that promise means:

1. ``derivative(z)`` *is* the derivative of ``f``: it matches central finite differences
   everywhere ``f`` is differentiable, and takes PyTorch's documented values at the kinks;
2. ``f`` and ``f'`` are finite, warning-free, dtype-preserving and stay inside
   ``output_range`` for any input in [-1e4, 1e4], in float32 and float64;
3. values and gradients agree with PyTorch autograd (``test_torch_agreement.py``);
4. ``backward(z, a, grad)`` (which may read the cached activation values ``a`` instead of
   ``z``) equals ``grad * derivative(z)``, also when it writes into ``grad`` in place;
5. the registry finds, aliases, rejects and extends activations as documented;
6. a neuron fires when its weighted sum is positive (``threshold == f(0)``), except
   ``step`` (fires at ``z >= θ``) and ``softmax`` (fires above ``1/k``);
7. the worked examples from the docs hold.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from neuronlab import activations as acts

from activation_facts import kinks

# ---------------------------------------------------------------------------------------
# Shared tables
# ---------------------------------------------------------------------------------------

REQUIRED = {
    "step", "identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "gelu",
    "gelu_tanh", "softplus", "silu", "mish", "softsign", "hard_sigmoid", "hard_tanh", "softmax",
}

#: every built-in with default parameters, plus the parametrised variants the docs use
CASES = [(name, {}) for name in acts.names() if acts.is_builtin(name)] + [
    ("leaky_relu", {"alpha": 0.1}),
    ("elu", {"alpha": 0.5}),
    ("step", {"threshold": 0.3}),
]


def _case_id(case):
    name, params = case
    return name + "".join(f"[{k}={v}]" for k, v in params.items())


def _build(case) -> acts.Activation:
    name, params = case
    return acts.get(name, **params)


ELEMENTWISE_CASES = [c for c in CASES if c[0] != "softmax"]


#: documented derivative values exactly at the kinks (PyTorch's conventions)
def documented_kink_derivatives(act: acts.Activation) -> dict[float, float]:
    if act.name == "relu":
        return {0.0: 0.0}
    if act.name == "leaky_relu":
        return {0.0: act.alpha}
    if act.name == "elu":
        return {0.0: act.alpha}
    if act.name == "hard_tanh":
        return {-1.0: 0.0, 1.0: 0.0}
    if act.name == "hard_sigmoid":
        return {-3.0: 0.0, 3.0: 0.0}
    if act.name == "step":
        return {act.threshold: 0.0, 0.0: 0.0}
    return {}


FD_STEP = 1e-6


def central_difference(fn, z: np.ndarray, h: float = FD_STEP) -> np.ndarray:
    return (fn(z + h) - fn(z - h)) / (2.0 * h)


def fd_points(act: acts.Activation) -> np.ndarray:
    """>= 1000 float64 points over [-8, 8] and around every kink, never across a kink."""
    grid = np.linspace(-8.0, 8.0, 1601)
    offsets = np.array([1e-4, 3e-4, 1e-3, 1e-2, 0.1])
    near = [k + s * offsets for k in (0.0, -1.0, 1.0, -3.0, 3.0, *kinks(act)) for s in (-1.0, 1.0)]
    z = np.concatenate([grid, *near])
    for k in kinks(act):
        z = z[np.abs(z - k) > 2 * FD_STEP]  # the FD stencil would straddle the kink
    return z


# ---------------------------------------------------------------------------------------
# 1. derivative(z) is f'(z)
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=_case_id)
def test_derivative_matches_central_finite_differences(case):
    act = _build(case)
    z = fd_points(act)
    assert z.size >= 1000
    np.testing.assert_allclose(act.derivative(z), central_difference(act, z), rtol=1e-6, atol=1e-7)


FAR_OUT = np.array([20.0, 50.0, 100.0, 1e3, 1e4])


@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=_case_id)
def test_derivative_matches_finite_differences_at_extreme_inputs(case):
    """Far out in the tails (|z| up to 1e4) f' still equals the slope of f: a relative step keeps
    the stencil resolvable in float64, and nothing overflows (NumPy errors are raised here)."""
    act = _build(case)
    z = np.concatenate([FAR_OUT, -FAR_OUT])
    h = FD_STEP * z.__abs__()
    numeric = (act(z + h) - act(z - h)) / (2.0 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-7)


def test_fd_points_cover_both_sides_of_every_kink():
    for case in ELEMENTWISE_CASES:
        act = _build(case)
        z = fd_points(act)
        for k in kinks(act):
            assert np.any((z > k) & (z - k < 2e-4)) and np.any((z < k) & (k - z < 2e-4))
            assert not np.any(np.abs(z - k) <= 2 * FD_STEP)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", [c for c in ELEMENTWISE_CASES if kinks(_build(c))], ids=_case_id)
def test_derivative_at_kinks_takes_the_documented_value(case, dtype):
    act = _build(case)
    for point, expected in documented_kink_derivatives(act).items():
        got = act.derivative(np.array([point], dtype=dtype))
        assert got.dtype == dtype
        assert got[0] == dtype(expected), f"{act!r}'({point}) = {got[0]}, documented {expected}"


def test_documented_kink_values_cover_the_relu_family_and_hard_functions():
    assert float(acts.get("relu").derivative(0.0)) == 0.0
    assert float(acts.get("leaky_relu", alpha=0.1).derivative(0.0)) == 0.1
    assert float(acts.get("leaky_relu").derivative(0.0)) == 0.01
    assert float(acts.get("elu", alpha=0.5).derivative(0.0)) == 0.5
    assert float(acts.get("elu").derivative(0.0)) == 1.0
    np.testing.assert_array_equal(acts.get("hard_tanh").derivative([-1.0, 1.0]), [0.0, 0.0])
    np.testing.assert_array_equal(acts.get("hard_sigmoid").derivative([-3.0, 3.0]), [0.0, 0.0])


@pytest.mark.parametrize("threshold", [0.0, 0.3, -2.0])
def test_step_derivative_is_zero_everywhere(threshold):
    step = acts.get("step", threshold=threshold)
    z = np.concatenate([np.linspace(-1e4, 1e4, 2001), [threshold, np.nextafter(threshold, 1), 0.0]])
    d = step.derivative(z)
    assert d.shape == z.shape
    assert np.all(d == 0.0)


def _softmax_inputs(rows: int = 250, k: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-8.0, 8.0, size=(rows, k))


def test_softmax_derivative_is_the_jacobian_diagonal_by_finite_differences():
    sm = acts.get("softmax")
    z = _softmax_inputs()  # 1000 points
    fd_diag = np.empty_like(z)
    for i in range(z.shape[-1]):
        e = np.zeros(z.shape[-1])
        e[i] = FD_STEP
        fd_diag[:, i] = (sm(z + e)[:, i] - sm(z - e)[:, i]) / (2 * FD_STEP)
    np.testing.assert_allclose(sm.derivative(z), fd_diag, rtol=1e-6, atol=1e-8)


def test_softmax_jacobian_matches_finite_differences():
    sm = acts.get("softmax")
    z = _softmax_inputs(rows=60, k=5, seed=1)
    k = z.shape[-1]
    jac = sm.jacobian(z)
    assert jac.shape == z.shape + (k,)
    fd = np.empty_like(jac)
    for j in range(k):
        e = np.zeros(k)
        e[j] = FD_STEP
        fd[..., :, j] = (sm(z + e) - sm(z - e)) / (2 * FD_STEP)  # column j: ∂s/∂z_j
    np.testing.assert_allclose(jac, fd, rtol=1e-6, atol=1e-8)
    # rows of the Jacobian sum to 0 (softmax outputs always sum to 1)
    np.testing.assert_allclose(jac.sum(axis=-2), 0.0, atol=1e-15)


@pytest.mark.parametrize("use_out", [False, True], ids=["new-array", "out=grad"])
def test_softmax_backward_is_the_vector_jacobian_product(use_out):
    sm = acts.get("softmax")
    rng = np.random.default_rng(2)
    z = _softmax_inputs(rows=50, k=6, seed=3)
    g = rng.normal(size=z.shape)

    def loss_rowwise(zz):  # sum_i g_i * softmax(z)_i, one value per row
        return np.sum(g * sm(zz), axis=-1)

    fd = np.empty_like(z)
    for j in range(z.shape[-1]):
        e = np.zeros(z.shape[-1])
        e[j] = FD_STEP
        fd[:, j] = (loss_rowwise(z + e) - loss_rowwise(z - e)) / (2 * FD_STEP)

    a = sm(z)
    grad = g.copy()
    got = sm.backward(z, a, grad, out=grad) if use_out else sm.backward(z, a, grad)
    if use_out:
        assert got is grad
    else:
        np.testing.assert_array_equal(grad, g)  # the upstream gradient is left untouched
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-8)
    # and it is exactly g @ J, row by row
    np.testing.assert_allclose(got, np.einsum("ni,nij->nj", g, sm.jacobian(z)), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------------------
# 2. numerics: finite, in range, no warnings, dtype preserved
# ---------------------------------------------------------------------------------------

EXTREMES = np.array([-1e4, -710.0, -709.0, -100.0, -88.8, -88.7, -50.0, -20.0, -1.0, -1e-8, -0.0,
                     0.0, 1e-8, 1.0, 20.0, 50.0, 88.7, 88.8, 100.0, 709.0, 710.0, 1e4])


def _wide_inputs() -> np.ndarray:
    return np.unique(np.concatenate([EXTREMES, np.linspace(-1e4, 1e4, 2001), np.linspace(-10, 10, 2001)]))


def _in_range(values: np.ndarray, act: acts.Activation) -> np.ndarray:
    lo, hi = act.output_range
    return (values >= lo) & (values <= hi)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_finite_in_range_and_dtype_preserving_on_extreme_inputs(case, dtype):
    act = _build(case)
    z = _wide_inputs().astype(dtype)
    if act.name == "softmax":
        z = z[: z.size // 3 * 3].reshape(-1, 3)  # rows mixing tiny and huge logits
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = act(z)
        d = act.derivative(z)
        b = act.backward(z, a, np.ones_like(z))
    for arr in (a, d, b):
        assert arr.dtype == dtype
        assert arr.shape == z.shape
        assert np.all(np.isfinite(arr))
    bad = ~_in_range(a, act)
    assert not bad.any(), f"{act!r} leaves output_range {act.output_range} at z={z[bad][:5]}: {a[bad][:5]}"
    if act.name == "softmax":
        np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=10 * np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_output_range_holds_around_the_minimum(case, dtype):
    """The lower bounds of the non-monotone activations (GELU, SiLU, Mish) are bounds:
    every float32 / float64 value near their minimum lies inside ``output_range``."""
    act = _build(case)
    z = np.linspace(-3.0, 3.0, 600_001).astype(dtype)
    if act.name == "softmax":
        z = z[:-1].reshape(-1, 4)
    a = act(z)
    bad = ~_in_range(a, act)
    assert not bad.any(), f"{act!r}: min {a.min()!r} below output_range {act.output_range}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_scalars_lists_and_integers_become_float_arrays(case):
    act = _build(case)
    a = act([[1, 2, 3]])
    assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape == (1, 3)
    assert act.derivative([[1, 2, 3]]).dtype == np.float64
    if act.name != "softmax":
        assert act(0.5).shape == ()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_shift_invariant_and_stable_for_huge_logits(dtype):
    sm = acts.get("softmax")
    z = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = sm(z)
    np.testing.assert_allclose(a, sm(np.array([[0.0, -1.0, -2e4], [0.0, 0.0, 0.0]], dtype=dtype)), rtol=1e-6)
    np.testing.assert_allclose(a[1], 1 / 3, rtol=1e-6)


# ---------------------------------------------------------------------------------------
# 4. backward(z, a, grad) == grad * derivative(z)
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", ELEMENTWISE_CASES, ids=_case_id)
def test_backward_equals_grad_times_derivative(case, dtype):
    act = _build(case)
    rng = np.random.default_rng(11)
    z = np.concatenate([rng.uniform(-8, 8, size=(40, 8)), rng.uniform(-1e3, 1e3, size=(10, 8)),
                        np.array([[-3.0, -1.0, 0.0, 1.0, 3.0, 0.3, -0.0, 1e-9]])]).astype(dtype)
    g = rng.normal(size=z.shape).astype(dtype)
    a = act(z)
    expected = g * act.derivative(z)
    tol = dict(rtol=1e-12, atol=1e-300) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-30)

    g_before = g.copy()
    got = act.backward(z, a, g)
    assert got is not g
    np.testing.assert_array_equal(g, g_before)  # grad is not modified without out=
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, **tol)

    buf = g.copy()
    got_in_place = act.backward(z, a, buf, out=buf)
    assert got_in_place is buf
    np.testing.assert_allclose(buf, expected, **tol)

    other = np.empty_like(g)
    got_out = act.backward(z, a, g, out=other)
    assert got_out is other
    np.testing.assert_allclose(other, expected, **tol)
    np.testing.assert_array_equal(g, g_before)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_uses_names_the_cached_array_backward_reads(case):
    """An activation with ``uses == "a"`` needs only ``a``; with ``uses == "z"`` only ``z``."""
    act = _build(case)
    assert act.uses in ("z", "a")
    rng = np.random.default_rng(5)
    z = rng.uniform(-4, 4, size=(6, 4)) + 0.05
    a, g = act(z), rng.normal(size=z.shape)
    expected = act.backward(z, a, g)
    poison = np.full_like(z, np.nan)
    with np.errstate(invalid="ignore"):
        if act.uses == "a":
            got = act.backward(poison, a, g)
        else:
            got = act.backward(z, poison, g)
    np.testing.assert_array_equal(got, expected)


# ---------------------------------------------------------------------------------------
# 5. the registry
# ---------------------------------------------------------------------------------------

def test_names_contains_every_required_activation_sorted():
    n = acts.names()
    assert REQUIRED <= set(n)
    assert n == sorted(n)
    for name in REQUIRED:
        assert acts.get(name).name == name
        assert acts.is_builtin(name)


def test_swish_is_an_alias_of_silu():
    swish = acts.get("swish")
    assert swish.name == "silu"
    assert swish == acts.get("silu")
    assert "swish" not in acts.names()


@pytest.mark.parametrize("spelling", ["ReLU", " relu ", "RELU"])
def test_names_are_case_and_space_insensitive(spelling):
    assert acts.get(spelling).name == "relu"


def test_get_returns_an_activation_instance_as_is():
    act = acts.get("elu", alpha=0.5)
    assert acts.get(act) is act
    with pytest.raises(ValueError):
        acts.get(act, alpha=0.3)


def test_get_accepts_a_config_dict_and_config_round_trips():
    assert acts.get({"name": "elu", "alpha": 0.5}).alpha == 0.5
    for case in CASES:
        act = _build(case)
        assert acts.get(act.config()) == act
    with pytest.raises(ValueError):
        acts.get({"alpha": 0.5})


def test_unknown_name_suggests_the_closest_and_lists_known_names():
    with pytest.raises(ValueError) as info:
        acts.get("relue")
    message = str(info.value)
    assert "did you mean 'relu'" in message
    for name in REQUIRED:
        assert name in message


def test_parameters_are_passed_to_the_activation():
    assert acts.get("leaky_relu", alpha=0.1).alpha == 0.1
    assert acts.get("elu", alpha=0.5).alpha == 0.5
    assert acts.get("step", threshold=0.3).threshold == 0.3
    assert acts.get("leaky_relu", alpha=0.1) != acts.get("leaky_relu")
    assert acts.get("leaky_relu", alpha=0.1) == acts.get("leaky_relu", alpha=0.1)
    assert hash(acts.get("leaky_relu", alpha=0.1)) == hash(acts.get("leaky_relu", alpha=0.1))


@pytest.mark.parametrize("name, params", [
    ("relu", {"alpha": 1}),
    ("sigmoid", {"threshold": 0.2}),
    ("leaky_relu", {"alpha": 0.0}),
    ("leaky_relu", {"alpha": -0.1}),
    ("elu", {"alpha": float("nan")}),
    ("step", {"threshold": float("inf")}),
])
def test_unknown_or_out_of_range_parameters_raise_value_error(name, params):
    with pytest.raises(ValueError):
        acts.get(name, **params)


@pytest.mark.parametrize("identifier", [3, 1.5, None, ["relu"]])
def test_non_string_identifiers_raise_type_error(identifier):
    with pytest.raises(TypeError):
        acts.get(identifier)


@pytest.fixture
def clean_registry():
    """Leave the registry exactly as it was, whatever the test registers."""
    before = acts.names()
    yield
    for name in set(acts.names()) - set(before):
        acts.unregister(name)
    assert acts.names() == before


def test_register_a_custom_activation(clean_registry):
    returned = acts.register("cube", f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    assert "cube" in acts.names()
    assert not acts.is_builtin("cube")
    cube = acts.get("cube")
    assert cube.name == "cube" and returned.name == "cube"
    np.testing.assert_allclose(cube([-2.0, 0.5, 3.0]), [-8.0, 0.125, 27.0])
    z = np.linspace(-8.0, 8.0, 1601)
    np.testing.assert_allclose(cube.derivative(z), central_difference(cube, z), rtol=1e-6, atol=1e-7)
    rng = np.random.default_rng(0)
    g = rng.normal(size=z.shape)
    np.testing.assert_allclose(cube.backward(z, cube(z), g), g * 3 * z ** 2, rtol=1e-12)
    assert cube(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert cube.threshold == float(cube(0.0))
    assert any(row["name"] == "cube" for row in acts.describe())


def test_register_refuses_builtins_aliases_and_duplicates(clean_registry):
    with pytest.raises(ValueError):
        acts.register("relu", f=lambda z: z, derivative=lambda z: z * 0 + 1)
    with pytest.raises(ValueError):
        acts.register("swish", f=lambda z: z, derivative=lambda z: z * 0 + 1)
    assert acts.get("relu")(-1.0) == 0.0  # the built-in is untouched
    acts.register("cube", f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    with pytest.raises(ValueError):
        acts.register("cube", f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    acts.register("cube", f=lambda z: 2 * z ** 3, derivative=lambda z: 6 * z ** 2, overwrite=True)
    assert float(acts.get("cube")(1.0)) == 2.0
    with pytest.raises(ValueError):
        acts.get("cube", alpha=1)
    with pytest.raises(ValueError):
        acts.register("not a name", f=lambda z: z, derivative=lambda z: z)
    with pytest.raises(TypeError):
        acts.register("quad", f=lambda z: z * z, derivative=2.0)


def test_unregister_removes_custom_and_refuses_builtins(clean_registry):
    acts.register("cube", f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    acts.unregister("cube")
    assert "cube" not in acts.names()
    with pytest.raises(ValueError):
        acts.get("cube")
    with pytest.raises(ValueError):
        acts.unregister("cube")
    with pytest.raises(ValueError):
        acts.unregister("relu")
    assert "relu" in acts.names()


def test_describe_has_one_row_per_activation():
    rows = acts.describe()
    assert [r["name"] for r in rows] == acts.names()
    for row in rows:
        act = acts.get(row["name"])
        assert row["formula"] and row["derivative"]
        assert row["range"] == act.output_range
        assert row["threshold"] == act.threshold
        assert row["init"] == act.init
        assert row["derivative_uses"] == act.uses


def test_preferred_initializers_and_saturation():
    for name in ("relu", "leaky_relu", "elu"):
        assert acts.get(name).init.startswith("he_")
    assert acts.get("selu").init == "lecun_normal"
    for name in ("sigmoid", "tanh", "softmax", "identity"):
        assert acts.get(name).init == "glorot_uniform"
    for name in ("sigmoid", "tanh", "hard_tanh", "hard_sigmoid", "softsign"):
        assert acts.get(name).saturating
    for name in ("relu", "identity", "leaky_relu"):
        assert not acts.get(name).saturating


# ---------------------------------------------------------------------------------------
# 6. thresholds and firing
# ---------------------------------------------------------------------------------------

def test_headline_thresholds():
    assert acts.get("sigmoid").threshold == 0.5
    assert acts.get("tanh").threshold == 0.0
    assert acts.get("relu").threshold == 0.0
    assert acts.get("softmax").threshold is None


@pytest.mark.parametrize("case", [c for c in ELEMENTWISE_CASES if c[0] != "step"], ids=_case_id)
def test_threshold_is_f_of_zero_so_a_neuron_fires_iff_its_weighted_sum_is_positive(case):
    act = _build(case)
    assert act.threshold == pytest.approx(float(act(0.0)), abs=1e-15)
    z = np.concatenate([np.linspace(-8, 8, 1601), [0.0, -0.0, 1e-3, -1e-3]])
    np.testing.assert_array_equal(act.fires(act(z)), z > 0)


@pytest.mark.parametrize("theta", [0.0, 0.3, -1.5])
def test_step_fires_iff_z_reaches_its_threshold(theta):
    step = acts.get("step", threshold=theta)
    z = np.concatenate([np.linspace(-4, 4, 801), [theta, np.nextafter(theta, -np.inf), np.nextafter(theta, np.inf)]])
    a = step(z)
    np.testing.assert_array_equal(a, (z >= theta).astype(float))
    np.testing.assert_array_equal(step.fires(a), z >= theta)
    assert step.fires(step(theta)) and not step.fires(step(np.nextafter(theta, -np.inf)))


@pytest.mark.parametrize("k", [2, 3, 4, 10])
def test_softmax_fires_above_the_uniform_share(k):
    sm = acts.get("softmax")
    z = np.random.default_rng(k).normal(size=(100, k))
    a = sm(z)
    np.testing.assert_array_equal(sm.fires(a), a > 1.0 / k)
    assert not sm.fires(sm(np.zeros((1, k)))).any()  # a uniform layer: nobody fires
    spike = np.zeros((1, k))
    spike[0, 0] = 5.0
    assert sm.fires(sm(spike)).tolist() == [[True] + [False] * (k - 1)]


# ---------------------------------------------------------------------------------------
# 7. worked examples
# ---------------------------------------------------------------------------------------

def test_worked_relu_neuron():
    z = 0.1 * 0.5 + 0.2 * 0.6 + 0.3
    assert float(acts.get("relu")(z)) == pytest.approx(0.47)
    assert float(acts.get("relu")(-z)) == 0.0


def test_sigmoid_derivative_at_zero_is_a_quarter():
    assert float(acts.get("sigmoid").derivative(0.0)) == 0.25
    assert float(acts.get("sigmoid")(0.0)) == 0.5
    assert float(acts.get("tanh").derivative(0.0)) == 1.0


def test_step_networks_get_no_gradient():
    """Why the perceptron needs its own rule: nothing flows back through a step."""
    step = acts.get("step")
    z = np.random.default_rng(0).normal(size=(20, 5))
    g = np.ones_like(z)
    assert np.all(step.backward(z, step(z), g) == 0.0)


def test_module_level_helpers_are_stable():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert float(acts.sigmoid(-1e4)) == 0.0 and float(acts.sigmoid(1e4)) == 1.0
        assert float(acts.softplus(1e4)) == 1e4 and float(acts.softplus(-1e4)) == 0.0
    assert float(acts.softplus(0.0)) == pytest.approx(math.log(2.0), abs=1e-16)
