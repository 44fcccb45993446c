"""fit and predict keep the shapes for any sample count, feature count, hidden sizes, classes and output
kind hypothesis draws (float32 and float64)."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuronlab as nl


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
