"""A sweep refuses bad arguments before it trains anything, with the documented error class."""
import numpy as np

import neuronlab as nl

from bad_input import cases, check

XY = (np.random.default_rng(0).normal(size=(20, 2)), np.arange(20) % 2)

# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    ("sweep-data-of-wrong-type", lambda t: nl.sweep(data=42, epochs=1), nl.ArgumentTypeError,
     ["data must be a built-in name", "a tuple (X, y)", "got int"]),
    ("sweep-empty-data-name", lambda t: nl.sweep(data="", epochs=1), nl.UnknownNameError,
     ["empty name"]),
    ("sweep-negative-data-seed", lambda t: nl.sweep(data=XY, data_seed=-1, epochs=1), nl.HyperparameterError,
     ["data_seed must be an integer >= 0", "-1"]),
    ("sweep-float-retries", lambda t: nl.sweep(data=XY, retries=1.5, epochs=1), nl.HyperparameterError,
     ["retries must be an integer >= 0", "1.5"]),
    ("sweep-negative-seed", lambda t: nl.sweep(data=XY, seeds=[0, -1], epochs=1), nl.HyperparameterError,
     ["seed must be an integer >= 0", "-1"]),
    ("sweep-hidden-size-0", lambda t: nl.sweep(data=XY, hidden=[4, 0], epochs=1), nl.HyperparameterError,
     ["hidden layer size must be an integer >= 1", "got 0"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
