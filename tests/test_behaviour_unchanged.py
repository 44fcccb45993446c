"""Reorganising the code changes nothing it computes: today's numbers and texts equal the recorded ones.

The record (``tests/data/fingerprint.npz``) was made through the public API before the code was laid
out in folders; see ``tests/fingerprint.py`` for what it covers.  Arrays must be bit-identical, texts equal.
"""
import numpy as np
import pytest

from fingerprint import RECORD, compute


@pytest.fixture(scope="module")
def today(tmp_path_factory):
    return compute(str(tmp_path_factory.mktemp("fingerprint")))


@pytest.fixture(scope="module")
def recorded():
    with np.load(RECORD, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def test_the_same_entries_are_computed(today, recorded):
    assert sorted(today) == sorted(recorded)


@pytest.mark.parametrize("group", ["train", "dropout", "regression", "binary", "trace", "neuron", "perceptron",
                                   "activation", "model_file"])
def test_numbers_are_bit_identical(today, recorded, group):
    keys = [k for k in recorded if k.startswith(group + "/")]
    assert keys
    for key in keys:
        want, got = recorded[key], np.asarray(today[key])
        assert got.dtype == want.dtype and got.shape == want.shape, key
        assert np.array_equal(got, want, equal_nan=True) and got.tobytes() == want.tobytes(), key


def test_texts_are_unchanged(today, recorded):
    keys = [k for k in recorded if k.startswith("text/")]
    assert len(keys) > 10
    for key in keys:
        assert str(today[key]) == str(recorded[key]), key
