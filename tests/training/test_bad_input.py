"""Network.fit refuses bad data and hyperparameters before it trains, naming what is wrong, where,
and how to fix it; a single class is refused only where something is learned.

(The command line's bad input is tested in tests/cli/.)"""
import numpy as np

import neuronlab as nl

from bad_input import X, X_NAN, Y, cases, check, clf, regressor, sigmoid_net

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
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)


def test_a_single_class_is_fine_where_nothing_is_learned():
    """The single-class check guards training only: evaluating one class is legitimate."""
    net = clf()
    net.fit(X, Y, epochs=1)
    ones = Y == 1
    assert 0.0 <= net.evaluate(X[ones], Y[ones])["accuracy"] <= 1.0
    net.fit(X, Y, epochs=1, validation_data=(X[ones], Y[ones]))   # a one-class validation set is allowed
