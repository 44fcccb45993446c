"""The perceptron checks its arguments with the library's error kinds."""
import numpy as np
import pytest

import neuronlab as nl

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def test_inputs_of_another_width_are_a_shape_error():
    with pytest.raises(nl.ShapeError, match="X has 3 features but this perceptron has 2 inputs"):
        nl.Perceptron(2).predict(np.zeros((1, 3)))


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_a_bad_seed_is_named(seed):
    with pytest.raises(nl.HyperparameterError, match="seed must be an integer >= 0"):
        nl.Perceptron(2, seed=seed)


def test_a_seed_starts_from_small_random_weights_and_none_from_zeros():
    assert np.array_equal(nl.Perceptron(2).weights, [0.0, 0.0])
    w = nl.Perceptron(2, seed=3).weights
    assert np.array_equal(w, np.random.default_rng(3).normal(0, 0.01, 2))


def test_score_counts_matches_and_needs_one_label_per_sample():
    p = nl.Perceptron(2).fit(X, [0, 0, 0, 1])
    assert p.score(X, [0, 0, 0, 1]) == 1.0
    assert p.score(X, [1, 0, 0, 1]) == 0.75
    with pytest.raises(nl.DataError, match="has 4 samples but y has 3"):
        p.score(X, [0, 0, 1])
