"""The data loaders and generators name the file, line, column or value that is wrong."""
import gzip

import numpy as np

import neuronlab as nl
from neuronlab import datasets

from bad_input import cases, check, write


def _npz(tmp_path, **arrays):
    path = tmp_path / "a.npz"
    np.savez(path, **arrays)
    return str(path)


# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
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
    ("generator-n-float", lambda t: datasets.moons(n=100.0), nl.HyperparameterError,
     ["n must be an integer >= 2", "100.0"]),
    ("generator-negative-noise", lambda t: datasets.moons(noise=-0.1), nl.HyperparameterError,
     ["noise must be >= 0", "-0.1"]),
    ("generator-string-noise", lambda t: datasets.circles(noise="low"), nl.HyperparameterError,
     ["noise must be a number", "'low'"]),
    ("blobs-one-center", lambda t: datasets.blobs(centers=1), nl.HyperparameterError,
     ["centers must be an integer >= 2", "got 1"]),
    ("split-test-size-0", lambda t: datasets.load("xor").split(test_size=0), nl.HyperparameterError,
     ["test_size", "(0, 1)", "got 0"]),
    ("load-empty-name", lambda t: datasets.load(" "), nl.UnknownNameError, ["built-in name", "empty name"]),
    ("load-name-not-a-str", lambda t: datasets.load(3), nl.ArgumentTypeError, ["built-in name or a file path", "int"]),
    ("npz-class-labels-2d",
     lambda t: datasets.read_npz(_npz(t, X=np.zeros((6, 2)), y=np.zeros((6, 2), int)), task="classification"),
     nl.ShapeError, ["class labels must be one per sample", "(6, 2)"]),
    ("split-test-size-1.5", lambda t: datasets.load("xor").split(test_size=1.5), nl.HyperparameterError,
     ["test_size", "(0, 1)", "1.5"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
