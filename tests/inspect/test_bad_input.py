"""trace and explain refuse bad inputs and indices, naming the valid range."""
import numpy as np

import neuronlab as nl

from bad_input import X, X_NAN, cases, check, clf

# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    ("trace-3d", lambda t: clf().trace(X[None]), nl.ShapeError, ["2-D", "3-D"]),
    ("trace-nan", lambda t: clf().trace(X_NAN), nl.DataError, ["row 17", "column 2"]),
    ("trace-wrong-features", lambda t: clf().trace(np.zeros((3, 5))), nl.ShapeError,
     ["5 features", "takes 3"]),
    ("explain-two-rows", lambda t: clf().explain(X[:2], 0, 0), nl.ShapeError,
     ["one input vector", "2 rows", "pick one row"]),
    ("explain-nan", lambda t: clf().explain(X_NAN[17], 0, 0), nl.DataError, ["x contains nan", "column 2"]),
    ("explain-wrong-length", lambda t: clf().explain(np.zeros(4), 0, 0), nl.ShapeError, ["4 features", "takes 3"]),
    ("explain-missing-layer", lambda t: clf().explain(X[0], 5, 0), nl.IndexRangeError,
     ["layer 5 does not exist", "0..1"]),
    ("explain-missing-neuron", lambda t: clf().explain(X[0], 0, 9), nl.IndexRangeError,
     ["neuron 9 does not exist", "0..4"]),
    ("trace-neuron-missing", lambda t: clf().trace(X).layers[0].neuron(5), nl.IndexRangeError,
     ["neuron 5 does not exist", "5 units", "0..4"]),
    ("trace-neuron-not-int", lambda t: clf().trace(X).layers[0].neuron("1"), nl.ArgumentTypeError,
     ["neuron must be an integer", "'1'"]),
    ("explain-layer-not-int", lambda t: clf().explain(X[0], "first", 0), nl.ArgumentTypeError,
     ["layer must be an integer", "'first'"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
