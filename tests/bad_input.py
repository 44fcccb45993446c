"""Bad input, checked the same way for every concept.

Each concept's ``test_bad_input.py`` lists its cases as ``(id, call(tmp_path), exception class, words)``
and checks them with ``check``: the exact exception class, that it is an ``nl.NeuronLabError`` *and* the
documented built-in (ValueError, TypeError, IndexError: so plain ``except ValueError`` works), that every
one of the words (what is wrong, where, and how to fix it) is in the message, and that the message is one
line, fit for a command line. The data the cases feed in are here too.
"""
from __future__ import annotations

import numpy as np
import pytest

import neuronlab as nl

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


def cases(corpus):
    """``pytest.mark.parametrize`` over a list of cases, each named by its id (the ids are distinct)."""
    ids = [c[0] for c in corpus]
    assert corpus and len(set(ids)) == len(ids), ids
    return pytest.mark.parametrize("call, error, words", [c[1:] for c in corpus], ids=ids)


def check(tmp_path, call, error, words):
    """``call(tmp_path)`` raises exactly ``error``, a neuronlab error and its built-in, in one line naming ``words``."""
    with pytest.raises(Exception) as info:
        call(tmp_path)
    err = info.value
    assert type(err) is error, f"{type(err).__name__}: {err}"
    assert isinstance(err, nl.NeuronLabError) and isinstance(err, BUILTIN[error])
    message = str(err)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert "\n" not in message                         # one line, fit for a CLI
