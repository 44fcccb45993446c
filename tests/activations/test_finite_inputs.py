"""Property tests (hypothesis): activations, shapes through fit/predict, model-file round trips.

* every built-in activation is finite (value, derivative, backward) on any finite float64
  or float32 input in [-1e4, 1e4], keeps the dtype and stays inside its output range;
* its derivative matches central finite differences at random points away from its kinks
  (softmax: the Jacobian's diagonal);
* fit and predict keep the shapes for random sample counts, feature counts, hidden sizes,
  classes and output kinds;
* save/load round-trips random networks (sizes, activations, parameters, dropout, dtype)
  with bit-identical predictions.

The suite runs with NumPy over/invalid/divide raised as errors (conftest.py), so any
numerical warning fails a property too.
"""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuronlab as nl
from neuronlab import activations as acts

from activation_facts import kinks

BUILTINS = [name for name in acts.names() if acts.is_builtin(name)]
ELEMENTWISE = [name for name in BUILTINS if name != "softmax"]
#: activations that take a parameter, with the range it may take
PARAMS = {"leaky_relu": ("alpha", 1e-3, 1.0), "elu": ("alpha", 1e-2, 3.0), "step": ("threshold", -2.0, 2.0)}

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def activation(draw, names=tuple(BUILTINS)):
    name = draw(st.sampled_from(names))
    if name in PARAMS:
        key, lo, hi = PARAMS[name]
        return acts.get(name, **{key: draw(st.floats(lo, hi))})
    return acts.get(name)


def _finite_inputs(dtype):
    return hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=2, max_side=12),
                      elements=st.floats(-1e4, 1e4, width=np.dtype(dtype).itemsize * 8))


# ---------------------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", BUILTINS)
@FAST
@given(data=st.data())
def test_activations_are_finite_on_finite_inputs(name, dtype, data):
    act = data.draw(activation((name,)))
    z = data.draw(_finite_inputs(dtype))
    if act.name == "softmax":
        z = z.reshape(1, -1) if z.ndim == 1 else z
    a = act(z)
    d = act.derivative(z)
    b = act.backward(z, a, np.ones_like(z))
    for arr in (a, d, b):
        assert arr.dtype == dtype and arr.shape == z.shape
        assert np.isfinite(arr).all(), (act, z[~np.isfinite(arr)][:3])
    lo, hi = act.output_range
    assert ((a >= lo) & (a <= hi)).all(), (act, a.min(), a.max())


FD_H = 1e-6


@pytest.mark.parametrize("name", ELEMENTWISE)
@FAST
@given(data=st.data(), z=hnp.arrays(np.float64, st.integers(1, 16), elements=st.floats(-8.0, 8.0)))
def test_derivatives_match_central_finite_differences(name, data, z):
    act = data.draw(activation((name,)))
    z = z[np.all([np.abs(z - k) > 1e-4 for k in kinks(act)], axis=0)] if kinks(act) else z
    assume(z.size > 0)
    fd = (act(z + FD_H) - act(z - FD_H)) / (2 * FD_H)
    np.testing.assert_allclose(act.derivative(z), fd, rtol=1e-5, atol=1e-6, err_msg=repr(act))


@settings(max_examples=60, deadline=None)
@given(z=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 6)), elements=st.floats(-8.0, 8.0)))
def test_softmax_derivative_is_the_jacobian_diagonal_by_finite_differences(z):
    sm = acts.get("softmax")
    fd = np.empty_like(z)
    for j in range(z.shape[1]):
        step = np.zeros_like(z)
        step[:, j] = FD_H
        fd[:, j] = (sm(z + step)[:, j] - sm(z - step)[:, j]) / (2 * FD_H)
    np.testing.assert_allclose(sm.derivative(z), fd, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------------------------------
# fit and predict keep shapes
# ---------------------------------------------------------------------------------------

@st.composite
def problem(draw):
    n = draw(st.integers(2, 40))
    n_features = draw(st.integers(1, 6))
    hidden = draw(st.lists(st.integers(1, 8), max_size=2))
    kind = draw(st.sampled_from(["softmax", "sigmoid", "multilabel", "regression"]))
    k = {"softmax": draw(st.integers(2, 4)), "sigmoid": 1, "multilabel": draw(st.integers(2, 3)),
         "regression": draw(st.integers(1, 3))}[kind]
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    if kind == "softmax":
        y = rng.permutation(np.arange(n) % k)            # every class shows up (if n >= k), never just one
    elif kind == "sigmoid":
        y = rng.permutation(np.arange(n) % 2)
    elif kind == "multilabel":
        y = (rng.random((n, k)) < 0.5).astype(float)
        y[0], y[1] = 0.0, 1.0                            # not a single class
    else:
        y = rng.normal(size=n) if k == 1 and draw(st.booleans()) else rng.normal(size=(n, k))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    batch = draw(st.integers(1, n + 3))
    return X, y, hidden, kind, k, dtype, seed, batch


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=problem())
def test_fit_and_predict_keep_shapes(p):
    X, y, hidden, kind, k, dtype, seed, batch = p
    output = {"softmax": "softmax", "sigmoid": "sigmoid", "multilabel": "sigmoid", "regression": "identity"}[kind]
    net = nl.Network.mlp([X.shape[1], *hidden, k], hidden="tanh", output=output, seed=seed, dtype=dtype)
    n_params = net.n_params
    history = net.fit(X, y, epochs=1, batch_size=batch, learning_rate=1e-3)
    n = len(X)
    assert len(history) == 1 and history.epochs == [1] and math.isfinite(history["loss"][0])
    assert net.parameters.shape == (n_params,) and net.parameters.dtype == np.dtype(dtype)
    proba = net.predict_proba(X)
    assert proba.shape == (n, k) and proba.dtype == np.dtype(dtype) and np.isfinite(proba).all()
    pred = net.predict(X)
    expected = {"softmax": (n,), "sigmoid": (n,), "multilabel": (n, k), "regression": (n, k)}[kind]
    assert pred.shape == expected
    if kind == "softmax":
        assert pred.min() >= 0 and pred.max() < k
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    one = net.predict(X[:1])
    assert one.shape == (1, *expected[1:])
    assert net.trace(X).output.shape == (n, k)
    metrics = net.evaluate(X, y)
    assert set(metrics) == ({"loss", "accuracy"} if kind != "regression" else {"loss", "mae", "r2"})


# ---------------------------------------------------------------------------------------
# save / load round-trips random networks
# ---------------------------------------------------------------------------------------

@st.composite
def random_network(draw):
    sizes = [draw(st.integers(1, 6))] + draw(st.lists(st.integers(1, 7), max_size=3)) + [draw(st.integers(1, 4))]
    layers = []
    dropout = draw(st.sampled_from([0.0, 0.0, 0.25]))
    for i in range(len(sizes) - 1):
        last = i == len(sizes) - 2
        names = BUILTINS if last and sizes[-1] > 1 else ELEMENTWISE
        act = draw(activation(tuple(names)))
        layers.append(nl.Dense(sizes[i], sizes[i + 1], activation=act, use_bias=draw(st.booleans())))
        if dropout and not last:
            layers.append(nl.Dropout(dropout))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    seed = draw(st.integers(0, 2**16))
    net = nl.Network(layers, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed)
    net.parameters[...] = rng.normal(scale=draw(st.sampled_from([0.1, 1.0, 3.0])), size=net.n_params)
    return net, rng.normal(size=(draw(st.integers(1, 9)), sizes[0]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=random_network())
def test_save_load_round_trips_random_networks(case):
    net, X = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.nlz"
        net.save(path)
        again = nl.load(path)
    assert isinstance(again, nl.Network)
    assert again.config() == net.config() and again.dtype == net.dtype
    assert again.parameters.dtype == net.parameters.dtype
    np.testing.assert_array_equal(again.parameters, net.parameters)
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), net.predict(X))
