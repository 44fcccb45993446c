"""Initializers: spreads match their formulas, draws are reproducible and dtype-independent."""
import math

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import initializers

FAN_IN, FAN_OUT = 300, 500          # 150,000 draws: the sample std is within ~0.5 % of the truth
EXPECTED = {                        # name: (distribution, std or limit)
    "he_normal": ("normal", math.sqrt(2 / FAN_IN)),
    "he_uniform": ("uniform", math.sqrt(6 / FAN_IN)),
    "glorot_normal": ("normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
    "glorot_uniform": ("uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "lecun_normal": ("normal", math.sqrt(1 / FAN_IN)),
    "lecun_uniform": ("uniform", math.sqrt(3 / FAN_IN)),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_spread_matches_the_formula(name):
    dist, scale = EXPECTED[name]
    init = initializers.get(name)
    W = init((FAN_IN, FAN_OUT), np.random.default_rng(0), np.float64)
    assert W.shape == (FAN_IN, FAN_OUT) and W.dtype == np.float64
    assert abs(W.mean()) < 0.02 * scale
    std = scale if dist == "normal" else scale / math.sqrt(3)
    assert W.std() == pytest.approx(std, rel=0.02)
    assert init.std((FAN_IN, FAN_OUT)) == pytest.approx(std, rel=1e-12)
    if dist == "uniform":
        assert W.min() >= -scale and W.max() < scale
        assert W.min() < -0.99 * scale and W.max() > 0.99 * scale
        # flat: each quarter of [-limit, limit) holds about a quarter of the draws
        counts, _ = np.histogram(W, bins=4, range=(-scale, scale))
        np.testing.assert_allclose(counts / W.size, 0.25, atol=0.01)
    else:
        # plain (not truncated) normal: about 4.55 % of draws beyond two standard deviations
        assert np.mean(np.abs(W) > 2 * scale) == pytest.approx(0.0455, abs=0.004)


@pytest.mark.parametrize("name", initializers.names())
def test_same_seed_same_weights_in_both_dtypes(name):
    init = initializers.get(name)
    a = init((20, 30), np.random.default_rng(7), np.float64)
    b = init((20, 30), np.random.default_rng(7), np.float64)
    c = init((20, 30), np.random.default_rng(7), np.float32)
    np.testing.assert_array_equal(a, b)
    assert c.dtype == np.float32
    np.testing.assert_array_equal(c, a.astype(np.float32))


def test_different_seeds_differ():
    init = initializers.get("glorot_uniform")
    a = init((10, 10), np.random.default_rng(1), np.float64)
    b = init((10, 10), np.random.default_rng(2), np.float64)
    assert not np.array_equal(a, b)


def test_zeros_uses_no_randomness():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    W = initializers.get("zeros")((3, 4), rng, np.float32)
    assert W.dtype == np.float32 and W.shape == (3, 4) and not W.any()
    assert rng.bit_generator.state == state
    assert initializers.get("zeros").std((3, 4)) == 0.0


@pytest.mark.parametrize("alias, name", [("xavier_uniform", "glorot_uniform"), ("xavier_normal", "glorot_normal"),
                                         ("kaiming_uniform", "he_uniform"), ("kaiming_normal", "he_normal"),
                                         ("He-Normal", "he_normal")])
def test_aliases(alias, name):
    assert initializers.get(alias).name == name


def test_registry():
    assert initializers.names() == ["glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                                    "lecun_normal", "lecun_uniform", "zeros"]
    init = initializers.get("he_uniform")
    assert initializers.get(init) is init
    assert {row["name"] for row in initializers.describe()} == set(initializers.names())
    # every activation's preferred initializer exists
    for act in nl.activations.names():
        initializers.get(nl.activations.get(act).init)


def test_unknown_initializer_lists_the_known_names():
    with pytest.raises(nl.UnknownNameError) as info:
        initializers.get("orthogonal")
    for n in initializers.names():
        assert n in str(info.value)
    with pytest.raises(ValueError, match="did you mean 'he_normal'"):
        initializers.get("he_norml")
    with pytest.raises(TypeError, match="known names"):
        initializers.get(None)


@pytest.mark.parametrize("shape, err", [((3,), nl.ShapeError), ((3, 0), nl.HyperparameterError),
                                        ((2.5, 3), nl.HyperparameterError), (5, nl.ShapeError)])
def test_bad_shape(shape, err):
    with pytest.raises(err):
        initializers.get("he_normal")(shape, np.random.default_rng(0), np.float32)
