"""Hardening (issue 7): bad input, divergence, interruption and resume.

1. A corpus of bad inputs across the public entry points.  Every case asserts the exact
   exception class, that it is an ``nl.NeuronLabError`` *and* the documented built-in
   (ValueError, TypeError or IndexError), and the key words of its message (what is
   wrong, where, and how to fix it).
2. Integers, lists, Fortran-order and strided arrays are accepted and give the same
   predictions, training and explanations as float C-contiguous arrays.
3. A Python process training with checkpoints is killed with SIGKILL in the middle of an
   epoch; ``fit(resume=...)`` ends with weights bit-identical to an uninterrupted run.
4. A learning rate of 1e3 raises DivergenceError naming the epoch and the first bad batch;
   the network keeps the finite weights of the last good epoch.

(The CLI's bad-input, Ctrl-C and SIGKILL tests live in tests/test_cli.py.)
"""
from __future__ import annotations

import gzip
import math
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import datasets

RNG = np.random.default_rng(7)
X = RNG.normal(size=(24, 3))
Y = (X[:, 0] + X[:, 1] > 0).astype(int)
Y[:2] = [0, 1]
X_NAN = X.copy()
X_NAN[17, 2] = np.nan
X_INF = X.copy()
X_INF[5, 1] = -np.inf


def clf():
    return nl.Network.mlp([3, 5, 2], seed=0)


def sigmoid_net():
    return nl.Network.mlp([3, 5, 1], output="sigmoid", seed=0)


def regressor():
    return nl.Network.mlp([3, 5, 1], output="identity", seed=0)


def write(tmp_path, name, content):
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content)
    return str(p)


#: the built-in class each neuronlab error also is (so plain ``except ValueError`` works)
BUILTIN = {
    nl.ShapeError: ValueError, nl.DataError: ValueError, nl.UnknownNameError: ValueError,
    nl.HyperparameterError: ValueError, nl.ModelFileError: ValueError,
    nl.ArgumentTypeError: TypeError, nl.IndexRangeError: IndexError,
}

# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    # -- Network.fit: data ------------------------------------------------------------------
    ("fit-nan-row-column", lambda t: clf().fit(X_NAN, Y, epochs=1), nl.DataError,
     ["nan", "row 17", "column 2", "impute"]),
    ("fit-3d-input", lambda t: clf().fit(X[None], Y, epochs=1), nl.ShapeError,
     ["2-D", "3-D", "(1, 24, 3)"]),
    ("fit-1d-input", lambda t: clf().fit(X[:, 0], Y, epochs=1), nl.ShapeError,
     ["2-D", "1-D", "reshape(-1, 1)"]),
    ("fit-wrong-features", lambda t: clf().fit(np.zeros((24, 4)), Y, epochs=1), nl.ShapeError,
     ["4 features", "takes 3", "expected shape (n_samples, 3)", "got (24, 4)"]),
    ("fit-empty", lambda t: clf().fit(np.zeros((0, 3)), [], epochs=1), nl.DataError,
     ["empty", "(0, 3)", "at least one sample"]),
    ("fit-length-mismatch", lambda t: clf().fit(X, Y[:-3], epochs=1), nl.DataError,
     ["24 samples", "y has 21", "one label per sample"]),
    ("fit-strings-in-X", lambda t: clf().fit([["1", "2", "a"]] * 4, [0, 1, 0, 1], epochs=1), nl.DataError,
     ["must hold numbers", "first non-number '1' at row 0, column 0", "encode"]),
    ("fit-ragged-rows", lambda t: clf().fit([[1, 2, 3], [1, 2]], [0, 1], epochs=1), nl.DataError,
     ["could not be read", "same length"]),
    ("fit-X-None", lambda t: clf().fit(None, Y, epochs=1), nl.DataError, ["X is None", "array of numbers"]),
    ("fit-label-out-of-range", lambda t: clf().fit(X, np.r_[Y[:-1], 2], epochs=1), nl.DataError,
     ["label 2", "row 23", "out of range", "2 outputs", "[0, 1]"]),
    ("fit-negative-label", lambda t: clf().fit(X, np.r_[-1, Y[1:]], epochs=1), nl.DataError,
     ["label -1", "row 0", "out of range"]),
    ("fit-fractional-label", lambda t: clf().fit(X, np.r_[Y[:3], 0.5, Y[4:]], epochs=1), nl.DataError,
     ["must be integers", "0.5", "row 3"]),
    ("fit-string-labels", lambda t: clf().fit(X, np.array(["cat", "dog"] * 12), epochs=1), nl.DataError,
     ["integer class indices", "encode string labels"]),
    ("fit-single-class", lambda t: clf().fit(X, np.zeros(24, int), epochs=1), nl.DataError,
     ["single class", "0", "24 samples", "at least two classes"]),
    ("fit-single-class-sigmoid", lambda t: sigmoid_net().fit(X, np.ones(24), epochs=1), nl.DataError,
     ["single class", "1", "at least two classes"]),
    ("fit-single-class-one-hot", lambda t: clf().fit(X, np.tile([0.0, 1.0], (24, 1)), epochs=1), nl.DataError,
     ["single class", "row [0., 1.]"]),
    ("fit-sigmoid-target-2", lambda t: sigmoid_net().fit(X, np.r_[Y[:-1], 2], epochs=1), nl.DataError,
     ["must be in [0, 1]", "2.0", "row 23"]),
    ("fit-one-hot-too-wide", lambda t: clf().fit(X, np.eye(3)[Y], epochs=1), nl.ShapeError,
     ["expected shape (n_samples, 2)", "got (24, 3)"]),
    ("fit-regression-nan-target", lambda t: regressor().fit(X, np.r_[np.ones(20), np.nan, np.ones(3)], epochs=1),
     nl.DataError, ["y contains nan", "row 20"]),
    ("fit-regression-target-width", lambda t: regressor().fit(X, np.ones((24, 2)), epochs=1), nl.ShapeError,
     ["expected shape (n_samples, 1)", "got (24, 2)"]),
    ("fit-negative-sample-weight", lambda t: clf().fit(X, Y, epochs=1, sample_weight=-np.ones(24)),
     nl.HyperparameterError, ["sample_weight", ">= 0"]),
    ("fit-validation-data-mismatch", lambda t: clf().fit(X, Y, epochs=1, validation_data=(X[:5], Y[:4])),
     nl.DataError, ["X_val has 5 samples", "y_val has 4"]),
    # -- Network.fit: hyperparameters -------------------------------------------------------
    ("fit-batch-size-0", lambda t: clf().fit(X, Y, batch_size=0), nl.HyperparameterError,
     ["batch_size", ">= 1", "got 0"]),
    ("fit-epochs-0", lambda t: clf().fit(X, Y, epochs=0), nl.HyperparameterError, ["epochs", ">= 1", "got 0"]),
    ("fit-epochs-float", lambda t: clf().fit(X, Y, epochs=2.5), nl.HyperparameterError,
     ["epochs must be an integer", "2.5"]),
    ("fit-validation-split-1.5", lambda t: clf().fit(X, Y, validation_split=1.5), nl.HyperparameterError,
     ["validation_split", "[0, 1)", "1.5"]),
    ("fit-early-stopping-negative", lambda t: clf().fit(X, Y, early_stopping=-2), nl.HyperparameterError,
     ["early_stopping patience", ">= 1", "-2"]),
    ("fit-clip-norm-0", lambda t: clf().fit(X, Y, clip_norm=0.0), nl.HyperparameterError,
     ["clip_norm", "> 0"]),
    ("fit-clip-norm-negative", lambda t: clf().fit(X, Y, clip_norm=-1), nl.HyperparameterError,
     ["clip_norm", "> 0", "-1"]),
    ("fit-negative-learning-rate", lambda t: clf().fit(X, Y, learning_rate=-0.1), nl.HyperparameterError,
     ["learning_rate", "> 0", "-0.1"]),
    ("fit-nan-learning-rate", lambda t: clf().fit(X, Y, learning_rate=float("nan")), nl.HyperparameterError,
     ["learning_rate", "finite"]),
    ("fit-string-learning-rate", lambda t: clf().fit(X, Y, learning_rate="0.1"), nl.HyperparameterError,
     ["learning_rate must be a number", "'0.1'"]),
    ("fit-l1-negative", lambda t: clf().fit(X, Y, l1=-1e-3), nl.HyperparameterError, ["l1", ">= 0"]),
    ("fit-checkpoint-every-0", lambda t: clf().fit(X, Y, checkpoint_every=0), nl.HyperparameterError,
     ["checkpoint_every", ">= 1"]),
    ("fit-unknown-optimizer", lambda t: clf().fit(X, Y, optimizer="adamm"), nl.UnknownNameError,
     ["unknown optimizer 'adamm'", "did you mean 'adam'?"]),
    ("fit-unknown-schedule", lambda t: clf().fit(X, Y, schedule="cosin"), nl.UnknownNameError,
     ["unknown schedule 'cosin'", "did you mean 'cosine'?"]),
    ("fit-callback-not-a-callback", lambda t: clf().fit(X, Y, epochs=1, callbacks=[print]), nl.ArgumentTypeError,
     ["callbacks[0]", "not a neuronlab Callback", "subclass nl.Callback"]),
    ("fit-resume-missing-file", lambda t: clf().fit(X, Y, resume=t / "none.ckpt"), nl.ModelFileError,
     ["none.ckpt", "does not exist", "fit(checkpoint=...)"]),
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
    # -- trace / explain --------------------------------------------------------------------
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
    ("explain-layer-not-int", lambda t: clf().explain(X[0], "first", 0), nl.ArgumentTypeError,
     ["layer must be an integer", "'first'"]),
    # -- Neuron -----------------------------------------------------------------------------
    ("neuron-nan-weight", lambda t: nl.Neuron([0.1, np.nan]), nl.DataError, ["weights", "nan", "position 1"]),
    ("neuron-2d-weights", lambda t: nl.Neuron([[0.1, 0.2]]), nl.ShapeError, ["weights must be 1-D", "2-D"]),
    ("neuron-no-weights", lambda t: nl.Neuron([]), nl.DataError, ["weights is empty"]),
    ("neuron-string-bias", lambda t: nl.Neuron([0.1, 0.2], bias="0.3"), nl.DataError,
     ["bias must be one finite number", "'0.3'"]),
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
    # -- activations / losses / optimizers by name ------------------------------------------
    ("activation-relue", lambda t: nl.activations.get("relue"), nl.UnknownNameError,
     ["unknown activation 'relue'", "did you mean 'relu'?", "Known activations"]),
    ("activation-negative-alpha", lambda t: nl.activations.get("leaky_relu", alpha=-0.1), nl.HyperparameterError,
     ["leaky_relu alpha", "> 0", "-0.1"]),
    ("activation-elu-zero-alpha", lambda t: nl.activations.get("elu", alpha=0), nl.HyperparameterError,
     ["elu alpha", "> 0"]),
    ("activation-unexpected-parameter", lambda t: nl.activations.get("relu", alpha=1), nl.HyperparameterError,
     ["'relu' does not take", "alpha"]),
    ("activation-not-a-name", lambda t: nl.activations.get(3), nl.ArgumentTypeError,
     ["name (str) or an Activation", "got int", "known names"]),
    ("loss-unknown", lambda t: nl.losses.get("mse2"), nl.UnknownNameError,
     ["unknown loss 'mse2'", "did you mean 'mse'?"]),
    ("loss-not-a-name", lambda t: nl.losses.get(5), nl.ArgumentTypeError, ["name (str) or a Loss", "got int"]),
    ("optimizer-unknown", lambda t: nl.optimizers.get("sgdd"), nl.UnknownNameError,
     ["unknown optimizer 'sgdd'", "did you mean 'sgd'?"]),
    ("optimizer-negative-lr", lambda t: nl.optimizers.get("sgd", learning_rate=-0.1), nl.HyperparameterError,
     ["sgd learning_rate", "> 0"]),
    ("optimizer-momentum-1.5", lambda t: nl.optimizers.get("sgd", momentum=1.5), nl.HyperparameterError,
     ["sgd momentum", "[0, 1)", "1.5"]),
    ("optimizer-momentum-negative", lambda t: nl.optimizers.SGD(momentum=-0.1), nl.HyperparameterError,
     ["sgd momentum", "[0, 1)"]),
    ("optimizer-rmsprop-momentum-1", lambda t: nl.optimizers.RMSprop(momentum=1.0), nl.HyperparameterError,
     ["rmsprop momentum", "[0, 1)"]),
    ("optimizer-beta1-1", lambda t: nl.optimizers.get("adam", beta1=1.0), nl.HyperparameterError,
     ["adam beta1", "[0, 1)"]),
    ("optimizer-beta2-negative", lambda t: nl.optimizers.Adam(beta2=-0.1), nl.HyperparameterError,
     ["adam beta2", "[0, 1)"]),
    ("optimizer-unknown-keyword", lambda t: nl.optimizers.get("adam", betaa=0.9), nl.HyperparameterError,
     ["does not take", "betaa", "beta1"]),
    # -- layers and networks ----------------------------------------------------------------
    ("dropout-rate-1", lambda t: nl.Dropout(1.0), nl.HyperparameterError, ["dropout rate", "[0, 1)", "1.0"]),
    ("dropout-rate-negative", lambda t: nl.Dropout(-0.2), nl.HyperparameterError, ["dropout rate", "[0, 1)"]),
    ("mlp-dropout-1.2", lambda t: nl.Network.mlp([3, 4, 2], dropout=1.2), nl.HyperparameterError,
     ["dropout", "[0, 1)"]),
    ("dense-n-in-0", lambda t: nl.Dense(0, 3), nl.HyperparameterError, ["n_in", ">= 1", "got 0"]),
    ("dense-n-out-float", lambda t: nl.Dense(3, 2.5), nl.HyperparameterError, ["n_out", "integer", "2.5"]),
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
     ["seed must be a non-negative integer"]),
    ("mlp-unknown-hidden", lambda t: nl.Network.mlp([3, 4, 2], hidden="tanhh"), nl.UnknownNameError,
     ["unknown activation 'tanhh'", "did you mean 'tanh'?"]),
    ("set-weights-count", lambda t: clf().set_weights([(np.zeros((3, 5)), np.zeros(5))]), nl.ShapeError,
     ["expected 2 (W, b) pairs", "got 1"]),
    # -- data loaders -----------------------------------------------------------------------
    ("dataset-unknown-name", lambda t: datasets.load("moon"), nl.UnknownNameError,
     ["unknown data set 'moon'", "did you mean 'moons'?"]),
    ("dataset-missing-file", lambda t: datasets.load(str(t / "missing.csv")), nl.DataError,
     ["no such file", "missing.csv"]),
    ("csv-ragged-line", lambda t: datasets.read_csv(write(t, "r.csv", "a,b,y\n1,2,0\n3,4\n"), target="y"),
     nl.DataError, ["line 3", "expected 3 values", "got 2"]),
    ("csv-non-numeric-cell", lambda t: datasets.read_csv(write(t, "n.csv", "a,b,y\n1,2,0\n3,x,1\n"), target="y"),
     nl.DataError, ["line 3", "column 'b'", "'x' is not a number"]),
    ("csv-missing-cell", lambda t: datasets.read_csv(write(t, "m.csv", "a,b,y\n1,,0\n3,4,1\n"), target="y"),
     nl.DataError, ["line 2", "column 'b'", "missing value"]),
    ("csv-inf-cell", lambda t: datasets.read_csv(write(t, "i.csv", "a,b,y\n1,2,0\n-inf,4,1\n"), target="y"),
     nl.DataError, ["line 3", "column 'a'", "not a finite number"]),
    ("csv-unknown-target", lambda t: datasets.read_csv(write(t, "t.csv", "a,b,y\n1,2,0\n3,4,1\n"), target="z"),
     nl.DataError, ["no column 'z'", "a, b, y"]),
    ("csv-empty-file", lambda t: datasets.read_csv(write(t, "e.csv", ""), target="y"), nl.DataError,
     ["is empty", "header row"]),
    ("idx-bad-magic", lambda t: datasets.read_idx(write(t, "bad.idx", b"\x01\x02\x08\x01\x00\x00\x00\x02ab")),
     nl.DataError, ["not an IDX file", "two zero bytes"]),
    ("idx-truncated", lambda t: datasets.read_idx(write(t, "cut.idx", gzip.compress(
        b"\x00\x00\x08\x01\x00\x00\x00\x05ab"))), nl.DataError, ["shape (5,)", "holds 2 bytes"]),
    ("idx-unknown-type", lambda t: datasets.read_idx(write(t, "type.idx", b"\x00\x00\x07\x01\x00\x00\x00\x02ab")),
     nl.DataError, ["unknown IDX type code 0x07"]),
    ("generator-n-too-small", lambda t: datasets.xor(n=1), nl.HyperparameterError, ["n must be an integer >= 4"]),
    ("split-test-size-1.5", lambda t: datasets.load("xor").split(test_size=1.5), nl.HyperparameterError,
     ["test_size", "(0, 1)", "1.5"]),
    ("model-file-missing", lambda t: nl.load(t / "none.nlz"), nl.ModelFileError, ["none.nlz", "does not exist"]),
]


def test_the_corpus_is_large_and_its_ids_are_distinct():
    ids = [c[0] for c in CASES]
    assert len(ids) >= 45 and len(set(ids)) == len(ids)
    assert len({c[2] for c in CASES}) >= 7            # every error class is exercised


@pytest.mark.parametrize("call, error, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    with pytest.raises(Exception) as info:
        call(tmp_path)
    err = info.value
    assert type(err) is error, f"{type(err).__name__}: {err}"
    assert isinstance(err, nl.NeuronLabError) and isinstance(err, BUILTIN[error])
    message = str(err)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "\n" not in message                         # one line, fit for a CLI


def test_a_single_class_is_fine_where_nothing_is_learned():
    """The single-class check guards training only: evaluating one class is legitimate."""
    net = clf()
    net.fit(X, Y, epochs=1)
    ones = Y == 1
    assert 0.0 <= net.evaluate(X[ones], Y[ones])["accuracy"] <= 1.0
    net.fit(X, Y, epochs=1, validation_data=(X[ones], Y[ones]))   # a one-class validation set is allowed


# ---------------------------------------------------------------------------------------
# Integers, lists and non-contiguous arrays are accepted and converted
# ---------------------------------------------------------------------------------------

X_INT = np.random.default_rng(3).integers(-3, 4, size=(24, 3))


def _variants(base: np.ndarray):
    """The same numbers as ``base`` in other layouts and types."""
    wide = np.zeros((base.shape[0] * 2, base.shape[1] * 3), dtype=base.dtype)
    wide[::2, 1::3] = base
    strided = wide[::2, 1::3]
    assert not strided.flags.c_contiguous and not strided.flags.f_contiguous
    fortran = np.asfortranarray(base)
    assert not fortran.flags.c_contiguous
    return {"int64": base, "int32": base.astype(np.int32), "int8": base.astype(np.int8),
            "fortran": fortran, "strided": strided, "list": base.tolist(),
            "float64-fortran": np.asfortranarray(base, dtype=np.float64),
            "float64-strided": wide.astype(np.float64)[::2, 1::3]}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_integer_and_non_contiguous_inputs_predict_like_float_c_arrays(dtype):
    net = nl.Network.mlp([3, 6, 2], seed=1, dtype=dtype)
    net.fit(X, Y, epochs=2, batch_size=8)
    reference = net.predict_proba(np.ascontiguousarray(X_INT, dtype=np.float64))
    variants = _variants(X_INT)
    assert not variants["float64-strided"].flags.c_contiguous and not variants["float64-fortran"].flags.c_contiguous
    for name, Xv in variants.items():
        np.testing.assert_array_equal(net.predict_proba(Xv), reference, err_msg=name)
        np.testing.assert_array_equal(net.predict(Xv), reference.argmax(1), err_msg=name)
        np.testing.assert_array_equal(net.trace(Xv).output, reference, err_msg=name)
    # a strided row (a column of a Fortran array's transpose) explains like the C row
    row = np.asfortranarray(X_INT)[4]
    assert not row.flags.c_contiguous
    assert net.explain(row, 0, 1).to_dict() == net.explain(X_INT[4].astype(float), 0, 1).to_dict()


def test_integer_and_non_contiguous_training_data_train_like_float_c_arrays():
    def train(Xt, yt):
        net = nl.Network.mlp([3, 6, 2], seed=2)
        h = net.fit(Xt, yt, epochs=3, batch_size=8)
        return net.parameters.copy(), h["loss"], net.evaluate(Xt, yt)

    ref_params, ref_loss, ref_eval = train(X_INT.astype(np.float64), Y)
    y_strided = np.repeat(Y, 2)[::2]
    assert not y_strided.flags.c_contiguous
    for name, Xv in _variants(X_INT).items():
        params, loss, ev = train(Xv, y_strided if name == "strided" else Y.astype(np.int32))
        np.testing.assert_array_equal(params, ref_params, err_msg=name)
        assert loss == ref_loss and ev == ref_eval, name


def test_a_neuron_accepts_integer_weights_and_strided_inputs():
    n_int = nl.Neuron([1, -2, 3], bias=1, activation="tanh")
    n_float = nl.Neuron(np.array([1.0, -2.0, 3.0]), bias=1.0, activation="tanh")
    x = np.arange(12).reshape(4, 3)[:, ::1].T[::-1].T      # a reversed, non-contiguous view
    assert not x.flags.c_contiguous
    np.testing.assert_array_equal(n_int.activation_value(x), n_float.activation_value(np.ascontiguousarray(x, float)))
    assert n_int.explain(x[1]).to_dict() == n_float.explain([5.0, 4.0, 3.0]).to_dict()


def test_a_pandas_frame_is_accepted_like_its_values():
    pd = pytest.importorskip("pandas")
    net = clf()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    np.testing.assert_array_equal(net.predict_proba(frame), net.predict_proba(X))


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_a_copied_network_keeps_its_flat_buffer_and_trains_like_the_original(how):
    import copy
    import pickle
    net = nl.Network.mlp([3, 5, 4, 2], dropout=0.1, seed=4)
    twin = {"copy": net.copy, "deepcopy": lambda: copy.deepcopy(net),
            "pickle": lambda: pickle.loads(pickle.dumps(net))}[how]()
    for layer in twin.dense_layers:
        assert np.shares_memory(layer.W, twin.parameters) and np.shares_memory(layer.dW, twin.gradients)
        assert not np.shares_memory(layer.W, net.parameters)
    net.fit(X, Y, epochs=2, batch_size=8)
    twin.fit(X, Y, epochs=2, batch_size=8)
    np.testing.assert_array_equal(twin.parameters, net.parameters)
    np.testing.assert_array_equal(twin.predict_proba(X), net.predict_proba(X))


# ---------------------------------------------------------------------------------------
# Divergence
# ---------------------------------------------------------------------------------------

class _Recorder(nl.Callback):
    """Snapshots the weights at the end of every epoch and each batch's loss."""

    def __init__(self):
        self.snapshots, self.batch_losses, self.epoch = {}, {}, 1

    def on_batch_end(self, batch, logs):
        self.batch_losses.setdefault(self.epoch, []).append(logs["loss"])

    def on_epoch_end(self, epoch, logs):
        self.snapshots[epoch] = self.network.parameters.copy()
        self.epoch = epoch + 1


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_learning_rate_1e3_raises_divergence_and_keeps_the_last_good_weights(kind):
    rng = np.random.default_rng(0)
    Xd = rng.normal(size=(64, 4))
    if kind == "classifier":
        net, yd = nl.Network.mlp([4, 8, 2], seed=0), (Xd[:, 0] + Xd[:, 1] > 0).astype(int)
    else:
        net, yd = nl.Network.mlp([4, 8, 1], output="identity", seed=0), Xd @ [1.0, 2.0, -1.0, 0.5]
    initial = net.parameters.copy()
    rec = _Recorder()
    with pytest.raises(nl.DivergenceError) as info:
        net.fit(Xd, yd, epochs=50, batch_size=16, optimizer="sgd", learning_rate=1e3, callbacks=[rec])
    err = info.value
    assert isinstance(err, nl.NeuronLabError) and isinstance(err, ArithmeticError)
    bad_epoch = rec.epoch
    assert bad_epoch not in rec.snapshots and bad_epoch - 1 == len(rec.snapshots)
    first_bad_batch = next(i for i, v in enumerate(rec.batch_losses[bad_epoch]) if not math.isfinite(v))
    message = str(err)
    assert f"epoch {bad_epoch}, batch {first_bad_batch}:" in message
    assert "lower learning rate" in message and "clip_norm" in message and "1000" in message
    assert np.isfinite(net.parameters).all()
    expected = rec.snapshots[bad_epoch - 1] if bad_epoch > 1 else initial
    np.testing.assert_array_equal(net.parameters, expected)
    assert ("initial weights" in message) == (bad_epoch == 1)
    assert (f"after epoch {bad_epoch - 1}" in message) == (bad_epoch > 1)


def test_clip_norm_bounds_every_step_and_tames_a_diverging_learning_rate():
    rng = np.random.default_rng(0)
    Xd = rng.normal(size=(64, 4))
    yd = Xd @ [1.0, 2.0, -1.0, 0.5]
    net = nl.Network.mlp([4, 8, 1], output="identity", seed=0)
    with pytest.raises(nl.DivergenceError):
        net.copy().fit(Xd, yd, epochs=5, batch_size=16, optimizer="sgd", learning_rate=0.5)

    class Steps(nl.Callback):
        def on_train_begin(self, logs):
            self.params = [self.network.parameters.astype(np.float64)]

        def on_batch_end(self, batch, logs):
            self.params.append(self.network.parameters.astype(np.float64))

    steps = Steps()
    h = net.fit(Xd, yd, epochs=5, batch_size=16, optimizer="sgd", learning_rate=0.5, clip_norm=1.0,
                callbacks=[steps])
    assert len(h) == 5 and np.isfinite(net.parameters).all()
    moves = np.linalg.norm(np.diff(np.array(steps.params), axis=0), axis=1)
    assert len(moves) == 20 and moves.max() <= 0.5 * 1.0 * (1 + 1e-5)   # SGD: |Δp| = lr·|g| ≤ lr·clip_norm
    assert moves.max() > 0.4                                           # and clipping was active


# ---------------------------------------------------------------------------------------
# SIGKILL in the middle of an epoch, then resume: bit-identical weights
# ---------------------------------------------------------------------------------------

_CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    import neuronlab as nl
    data, ckpt, hang_epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    d = np.load(data)

    class HangMidEpoch(nl.Callback):
        epoch = 1
        def on_batch_end(self, batch, logs):
            if self.epoch == hang_epoch and batch == 2:
                print("hanging", flush=True)
                time.sleep(60)                        # the parent kills us here
        def on_epoch_end(self, epoch, logs):
            self.epoch = epoch + 1

    net = nl.Network.mlp([4, 16, 3], dropout=0.2, seed=11)
    net.fit(d["X"], d["y"], epochs=6, batch_size=10, validation_split=0.2, optimizer="adam",
            learning_rate=0.01, checkpoint=ckpt, checkpoint_every=1, callbacks=[HangMidEpoch()])
    print("finished", flush=True)
""")

FIT_ARGS = dict(epochs=6, batch_size=10, validation_split=0.2, optimizer="adam", learning_rate=0.01)


def _kill_data():
    rng = np.random.default_rng(5)
    Xk = rng.normal(size=(90, 4))
    yk = np.digitize(Xk[:, 0] + 0.5 * Xk[:, 1], [-0.5, 0.5])
    return Xk, yk


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_python_training_killed_mid_epoch_resumes_to_bit_identical_weights(tmp_path):
    Xk, yk = _kill_data()
    np.savez(tmp_path / "data.npz", X=Xk, y=yk)
    straight = nl.Network.mlp([4, 16, 3], dropout=0.2, seed=11)
    h_straight = straight.fit(Xk, yk, **FIT_ARGS)

    script, ckpt, k = tmp_path / "child.py", tmp_path / "run.ckpt", 4
    script.write_text(_CHILD)
    proc = subprocess.Popen([sys.executable, "-W", "error", str(script), str(tmp_path / "data.npz"), str(ckpt),
                             str(k + 1)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()                # blocks until the child is in epoch k + 1
        assert line.strip() == "hanging", line + proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    from neuronlab.training.checkpoint import load_checkpoint
    assert load_checkpoint(ckpt)["meta"]["epoch"] == k       # the last finished epoch's checkpoint survived
    assert not list(tmp_path.glob(".run.ckpt.*.tmp"))         # no half-written temporary left behind

    class Epochs(nl.Callback):
        def on_train_begin(self, logs):
            self.ran = []

        def on_epoch_end(self, epoch, logs):
            self.ran.append(epoch)

    resumed, seen = nl.Network.mlp([4, 16, 3], dropout=0.2, seed=11), Epochs()
    h = resumed.fit(Xk, yk, **FIT_ARGS, checkpoint=ckpt, resume=ckpt, callbacks=[seen])
    assert seen.ran == [k + 1, k + 2]                        # it continued, it did not start over
    assert h.epochs == list(range(1, 7))
    assert np.array_equal(resumed.parameters, straight.parameters)
    assert h["loss"] == h_straight["loss"] and h["val_loss"] == h_straight["val_loss"]
    assert load_checkpoint(ckpt)["meta"]["epoch"] == 6


def test_resume_with_another_network_is_refused(tmp_path):
    Xk, yk = _kill_data()
    nl.Network.mlp([4, 16, 3], seed=11).fit(Xk, yk, epochs=1, checkpoint=tmp_path / "a.ckpt")
    with pytest.raises(nl.ModelFileError, match="another network"):
        nl.Network.mlp([4, 8, 3], seed=11).fit(Xk, yk, epochs=2, resume=tmp_path / "a.ckpt")
    (tmp_path / "junk.ckpt").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(nl.ModelFileError, match="damaged or not a checkpoint"):
        nl.Network.mlp([4, 16, 3], seed=11).fit(Xk, yk, epochs=2, resume=tmp_path / "junk.ckpt")
