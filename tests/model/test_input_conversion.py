"""Integers, lists, Fortran-order and strided arrays are accepted and give the same predictions, training
and explanations as float C-contiguous arrays; a neuron takes integer weights and strided inputs."""
from __future__ import annotations

import numpy as np
import pytest

import neuronlab as nl

from bad_input import X, Y

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
    # an untrained network too: an integer array with a column step
    fresh = nl.Network.mlp([3, 4, 2], seed=0)
    Xs = np.arange(24).reshape(4, 6)[:, ::2]
    assert not Xs.flags.c_contiguous
    np.testing.assert_allclose(fresh.predict_proba(Xs), fresh.predict_proba(np.ascontiguousarray(Xs, dtype=float)))


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


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_ready_array_is_checked_for_every_non_finite_value_and_huge_finite_values_pass(dtype):
    """A C-contiguous array of the network's dtype is checked with one sum of squares: NaN and
    ±inf anywhere are refused by name, and values whose squares overflow are still accepted."""
    net = nl.Network.mlp([3, 4, 2], seed=0, dtype=dtype)
    big = np.finfo(dtype).max / 2
    huge = np.array([[big, -big, 1.0], [0.0, 2.0, big]], dtype)
    assert net.check_inputs(huge) is huge                       # Σx² overflows; every value is finite
    for bad in (np.nan, np.inf, -np.inf):
        for place in ((0, 0), (1, 2)):
            X = np.ones((2, 3), dtype)
            X[place] = bad
            with pytest.raises(ValueError, match=f"row {place[0]}, column {place[1]}"):
                net.check_inputs(X)
