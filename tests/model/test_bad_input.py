"""Neurons, layers and networks refuse bad construction, weights and inputs, naming the fix."""
import numpy as np

import neuronlab as nl

from bad_input import X, X_INF, X_NAN, Y, cases, check, clf

# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    # -- predict / predict_proba / evaluate -------------------------------------------------
    ("predict-inf-row-column", lambda t: clf().predict(X_INF), nl.DataError, ["-inf", "row 5", "column 1"]),
    ("predict-3d", lambda t: clf().predict(np.zeros((2, 4, 3))), nl.ShapeError,
     ["must be 2-D", "3-D", "(2, 4, 3)"]),
    ("predict-one-sample-1d", lambda t: clf().predict(X[0]), nl.ShapeError, ["1-D", "X.reshape(1, -1)"]),
    ("predict-empty", lambda t: clf().predict(np.empty((0, 3))), nl.DataError, ["empty", "at least one sample"]),
    ("predict-wrong-features", lambda t: clf().predict(np.zeros((2, 2))), nl.ShapeError,
     ["2 features", "takes 3", "expected shape (n_samples, 3)"]),
    ("predict-proba-object-none", lambda t: clf().predict_proba(np.array([[1.0, None, 2.0]], dtype=object)),
     nl.DataError, ["must hold numbers", "None", "row 0, column 1"]),
    ("predict-proba-complex", lambda t: clf().predict_proba(np.zeros((2, 3), complex)), nl.DataError,
     ["must hold numbers", "complex128"]),
    ("evaluate-label-out-of-range", lambda t: clf().evaluate(X, np.r_[Y[:-1], 7]), nl.DataError,
     ["label 7", "row 23", "out of range"]),
    ("evaluate-length-mismatch", lambda t: clf().evaluate(X, Y[:10]), nl.DataError, ["24 samples", "y has 10"]),
    ("evaluate-nan", lambda t: clf().evaluate(X_NAN, Y), nl.DataError, ["nan", "row 17", "column 2"]),
    # -- Neuron -----------------------------------------------------------------------------
    ("neuron-nan-weight", lambda t: nl.Neuron([0.1, np.nan]), nl.DataError, ["weights", "nan", "position 1"]),
    ("neuron-2d-weights", lambda t: nl.Neuron([[0.1, 0.2]]), nl.ShapeError, ["weights must be 1-D", "2-D"]),
    ("neuron-no-weights", lambda t: nl.Neuron([]), nl.DataError, ["weights is empty"]),
    ("neuron-string-bias", lambda t: nl.Neuron([0.1, 0.2], bias="0.3"), nl.DataError,
     ["bias must be a number", "'0.3'"]),
    ("neuron-unknown-activation", lambda t: nl.Neuron([0.1], activation="sigmod"), nl.UnknownNameError,
     ["unknown activation 'sigmod'", "did you mean 'sigmoid'?"]),
    ("neuron-lone-softmax", lambda t: nl.Neuron([0.1], activation="softmax"), nl.HyperparameterError,
     ["softmax", "whole layer", "layer.neuron(j)"]),
    ("neuron-string-threshold", lambda t: nl.Neuron([0.1], threshold="high"), nl.HyperparameterError,
     ["threshold must be a number", "'high'"]),
    ("neuron-inputs-wrong-length", lambda t: nl.Neuron([0.1, 0.2]).weighted_sum([1, 2, 3]), nl.ShapeError,
     ["3 values", "2 weights"]),
    ("neuron-inputs-inf", lambda t: nl.Neuron([0.1, 0.2]).activation_value([np.inf, 1]), nl.DataError,
     ["inputs contains inf", "position 0"]),
    ("neuron-inputs-strings", lambda t: nl.Neuron([0.1, 0.2]).fires(["a", "b"]), nl.DataError,
     ["must hold numbers", "'a' at position 0"]),
    ("neuron-inputs-3d", lambda t: nl.Neuron([0.1, 0.2]).weighted_sum(np.zeros((1, 1, 2))), nl.ShapeError,
     ["1-D or 2-D", "3-D"]),
    # -- layers and networks ----------------------------------------------------------------
    ("dropout-rate-1", lambda t: nl.Dropout(1.0), nl.HyperparameterError, ["dropout rate", "[0, 1)", "1.0"]),
    ("dropout-rate-negative", lambda t: nl.Dropout(-0.2), nl.HyperparameterError, ["dropout rate", "[0, 1)"]),
    ("mlp-dropout-1.2", lambda t: nl.Network.mlp([3, 4, 2], dropout=1.2), nl.HyperparameterError,
     ["dropout", "[0, 1)"]),
    ("dense-n-in-0", lambda t: nl.Dense(0, 3), nl.HyperparameterError, ["n_in", ">= 1", "got 0"]),
    ("dense-n-out-float", lambda t: nl.Dense(3, 2.5), nl.HyperparameterError, ["n_out", "integer", "2.5"]),
    ("dense-neuron-missing", lambda t: nl.Dense(2, 3).neuron(3), nl.IndexRangeError,
     ["neuron 3 does not exist", "3 neurons", "0..2"]),
    ("dense-neuron-not-int", lambda t: nl.Dense(2, 3).neuron(1.0), nl.ArgumentTypeError,
     ["neuron must be an integer", "1.0"]),
    ("dense-unknown-init", lambda t: nl.Dense(3, 2, init="glorot"), nl.UnknownNameError,
     ["unknown initializer 'glorot'", "did you mean"]),
    ("dense-weights-shape", lambda t: nl.Dense(2, 3, weights=np.zeros((3, 2))), nl.ShapeError,
     ["(n_in, n_out) = (2, 3)", "got (3, 2)"]),
    ("network-mismatched-sizes", lambda t: nl.Network([nl.Dense(2, 3), nl.Dense(4, 1)]), nl.ShapeError,
     ["layer 1", "takes 4 inputs", "gives 3 outputs", "make them equal"]),
    ("network-no-layers", lambda t: nl.Network([]), nl.ArgumentTypeError, ["non-empty list of layers"]),
    ("network-not-a-layer", lambda t: nl.Network([nl.Dense(2, 3), "relu"]), nl.ArgumentTypeError,
     ["layer 1 is str", "not a neuronlab layer"]),
    ("network-dropout-first", lambda t: nl.Network([nl.Dropout(0.5), nl.Dense(2, 3)]), nl.ShapeError,
     ["Dropout cannot come first"]),
    ("network-softmax-one-unit", lambda t: nl.Network.mlp([3, 1], output="softmax"), nl.ShapeError,
     ["softmax", "1 unit", "at least 2", "sigmoid"]),
    ("network-float16", lambda t: nl.Network.mlp([3, 2], dtype="float16"), nl.HyperparameterError,
     ["dtype must be 'float32' or 'float64'", "float16"]),
    ("network-negative-seed", lambda t: nl.Network.mlp([3, 2], seed=-1), nl.HyperparameterError,
     ["seed must be an integer >= 0", "got -1"]),
    ("mlp-unknown-hidden", lambda t: nl.Network.mlp([3, 4, 2], hidden="tanhh"), nl.UnknownNameError,
     ["unknown activation 'tanhh'", "did you mean 'tanh'?"]),
    ("from-config-unknown-layer-type",
     lambda t: nl.Network.from_config({"layers": [{"type": "Conv2D"}], "loss": "mse"}), nl.UnknownNameError,
     ["unknown layer type 'Conv2D'", "Dense, Dropout"]),
    ("set-weights-count", lambda t: clf().set_weights([(np.zeros((3, 5)), np.zeros(5))]), nl.ShapeError,
     ["expected 2 (W, b) pairs", "got 1"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
