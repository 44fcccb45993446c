"""The fast paths equal the readable ones.

``fit`` runs every step through ``Workspace.train_step`` (preallocated buffers, in-place
activations, per-sample loss/hit arrays) and prediction through ``Workspace.forward``;
the readable reference is ``Network.train_on_batch`` / ``Network.forward`` /
``Dense.forward`` / ``Dense.backward``.  These tests replay ``fit``'s shuffling with the
readable pieces and require *bit-identical* weights (float64 and float32), plus the same
history to float64 rounding.
"""
import copy
import pickle

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import activations, optimizers
from neuronlab.training.loop import _mean


def _readable_fit(net, X, y, *, epochs, batch_size, optimizer, sample_weight=None, l1=0.0, l2=0.0):
    """fit() written with the readable per-layer path (train_on_batch), same shuffling."""
    X = net.check_inputs(X)
    y = net.check_targets(X, y)
    sw = net.check_sample_weight(X, sample_weight)
    opt = optimizers.get(optimizer)
    n = len(X)
    losses, metrics = [], []
    for _ in range(epochs):
        order = net._rng.permutation(n)
        total = metric_total = seen = 0.0
        for lo in range(0, n, batch_size):
            idx = order[lo:lo + batch_size]
            swb = None if sw is None else sw[idx]
            loss = net.train_on_batch(X[idx], y[idx], opt, swb, l1, l2)
            w = float(len(idx) if swb is None else swb.sum())
            total += loss * w
            metric_total += net.metrics(net.dense_layers[-1].a, y[idx], swb)[net.metric_name] * w
            seen += w
        losses.append(total / seen)
        metrics.append(metric_total / seen)
    return losses, metrics


def _twins(make):
    return make(), make()


CASES = {
    "relu-softmax-labels": (lambda dt: nl.Network.mlp([6, 9, 7, 4], seed=3, dtype=dt), "labels", {}),
    "tanh-sigmoid-softmax": (lambda dt: nl.Network.mlp([6, 9, 7, 4], hidden=["tanh", "sigmoid"], seed=3,
                                                      dtype=dt), "labels", {}),
    "one-layer-softmax": (lambda dt: nl.Network.mlp([6, 4], seed=3, dtype=dt), "labels", {}),
    "one-hot-targets": (lambda dt: nl.Network.mlp([6, 9, 4], seed=3, dtype=dt), "onehot", {}),
    "sigmoid-bce": (lambda dt: nl.Network.mlp([6, 9, 1], output="sigmoid", seed=3, dtype=dt), "binary", {}),
    "mse-regression": (lambda dt: nl.Network.mlp([6, 9, 2], output="identity", seed=3, dtype=dt), "values", {}),
    "softmax-mse-not-fused": (lambda dt: nl.Network.mlp([6, 9, 4], loss="mse", seed=3, dtype=dt), "onehot", {}),
    "relu-output-mse": (lambda dt: nl.Network.mlp([6, 9, 2], output="relu", loss="mse", seed=3, dtype=dt),
                        "values", {}),
    "dropout": (lambda dt: nl.Network.mlp([6, 9, 7, 4], dropout=0.3, seed=3, dtype=dt), "labels", {}),
    "sample-weights": (lambda dt: nl.Network.mlp([6, 9, 4], seed=3, dtype=dt), "labels", {"sw": True}),
    "l1-l2": (lambda dt: nl.Network.mlp([6, 9, 4], seed=3, dtype=dt), "labels", {"l1": 1e-3, "l2": 1e-2}),
}


def _data(kind, rng, n=53):
    X = rng.standard_normal((n, 6))
    if kind == "labels":
        return X, rng.integers(0, 4, n)
    if kind == "onehot":
        return X, np.eye(4)[rng.integers(0, 4, n)]
    if kind == "binary":
        return X, rng.integers(0, 2, n).astype(float)
    return X, rng.standard_normal((n, 2))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_equals_the_readable_loop_bit_for_bit(case, optimizer, dtype, rng):
    make, kind, extra = CASES[case]
    X, y = _data(kind, rng)
    sw = rng.uniform(0.1, 2.0, len(X)) if extra.get("sw") else None
    l1, l2 = extra.get("l1", 0.0), extra.get("l2", 0.0)
    fast, slow = _twins(lambda: make(dtype))
    np.testing.assert_array_equal(fast.parameters, slow.parameters)
    hist = fast.fit(X, y, epochs=3, batch_size=8, optimizer=optimizer, sample_weight=sw, l1=l1, l2=l2)
    losses, metrics = _readable_fit(slow, X, y, epochs=3, batch_size=8, optimizer=optimizer,
                                    sample_weight=sw, l1=l1, l2=l2)
    np.testing.assert_array_equal(fast.parameters, slow.parameters)
    np.testing.assert_array_equal(fast.gradients, slow.gradients)
    # the history is averaged per epoch in float64 (the readable loop sums float32 weights
    # per batch), so it agrees to float64 rounding, or to float32 rounding of the weights
    rtol = 1e-12 if dtype == "float64" else 1e-6
    np.testing.assert_allclose(hist["loss"], losses, rtol=rtol)
    np.testing.assert_allclose(hist[fast.metric_name], metrics, rtol=rtol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample-weights"])
def test_a_large_relu_network_fits_as_the_readable_loop_bit_for_bit(weighted, optimizer, dtype, rng):
    """Above NUMBA_MIN_SIZE parameters, with numba installed, the element-wise work runs as
    compiled loops (the ReLU layers always; the softmax + cross-entropy without sample
    weights); the weights still equal the readable loop's exactly."""
    X, y = rng.standard_normal((70, 300)), rng.integers(0, 10, 70)
    sw = rng.uniform(0.1, 2.0, 70) if weighted else None
    make = lambda: nl.Network.mlp([300, 256, 64, 10], seed=1, dtype=dtype)   # noqa: E731
    fast, slow = _twins(make)
    fast.fit(X, y, epochs=2, batch_size=16, optimizer=optimizer, sample_weight=sw)
    _readable_fit(slow, X, y, epochs=2, batch_size=16, optimizer=optimizer, sample_weight=sw)
    np.testing.assert_array_equal(fast.parameters, slow.parameters)
    np.testing.assert_array_equal(fast.gradients, slow.gradients)
    Xc = fast.check_inputs(X)
    np.testing.assert_array_equal(fast.predict_proba(Xc), slow.forward(Xc))


def test_large_buffers_use_the_same_arithmetic(rng):
    """A network above NUMBA_MIN_SIZE parameters (the fused numba Adam kernel when installed)."""
    X, y = rng.standard_normal((70, 300)), rng.integers(0, 10, 70)
    for opt in ("sgd", "adam"):
        fast, slow = _twins(lambda: nl.Network.mlp([300, 256, 10], seed=1))
        assert fast.n_params >= optimizers.NUMBA_MIN_SIZE
        fast.fit(X, y, epochs=2, batch_size=16, optimizer=opt)
        ref = optimizers.get(opt)
        if opt == "adam":
            ref.use_numba = False
        slow_opt = ref
        # readable loop with the NumPy-only optimizer
        Xc, yc = slow.check_inputs(X), slow.check_targets(slow.check_inputs(X), y)
        for _ in range(2):
            order = slow._rng.permutation(len(Xc))
            for lo in range(0, len(Xc), 16):
                idx = order[lo:lo + 16]
                slow.forward(Xc[idx], training=True)
                slow.backward(yc[idx])
                if opt == "sgd":   # NumPy path of SGD: d = g·lr; p -= d
                    slow.parameters -= slow.gradients * np.float32(0.01)
                else:
                    slow_opt.step(slow.parameters, slow.gradients)
        np.testing.assert_allclose(fast.parameters, slow.parameters, rtol=1e-6, atol=1e-6)


def test_fit_history_is_deterministic_and_the_last_batch_may_be_short(rng):
    X, y = rng.standard_normal((50, 5)), rng.integers(0, 3, 50)
    runs = []
    for _ in range(2):
        net = nl.Network.mlp([5, 8, 3], seed=11)
        h = net.fit(X, y, epochs=2, batch_size=16)          # batches of 16, 16, 16, 2
        runs.append((net.parameters.copy(), h.history["loss"], h.history["accuracy"]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1] and runs[0][2] == runs[1][2]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_predict_and_evaluate_equal_the_readable_forward(dtype, rng, monkeypatch):
    import neuronlab.network
    monkeypatch.setattr(neuronlab.network, "PREDICT_CHUNK", 16)   # several chunks, a short last one
    net = nl.Network.mlp([6, 9, 7, 4], hidden=["relu", "tanh"], seed=5, dtype=dtype)
    X = rng.standard_normal((37, 6)).astype(dtype)
    proba = net.predict_proba(X)
    ref = np.concatenate([net.forward(X[i:i + 16]) for i in range(0, 37, 16)])
    np.testing.assert_array_equal(proba, ref)
    np.testing.assert_array_equal(net.predict(X), np.argmax(ref, axis=1))
    again = net.predict_proba(X)
    assert again is not proba and np.array_equal(again, proba)    # buffers are reused, results are not
    # after a prediction the layers' caches hold that forward pass
    net.predict_proba(X[:5])
    for layer in net.dense_layers:
        assert layer.z.shape[0] == 5 and layer.a.shape[0] == 5
    np.testing.assert_array_equal(net.dense_layers[-1].a, net.forward(X[:5]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", activations.names())
def test_in_place_activation_forms_equal_the_readable_ones(name, dtype, rng):
    act = activations.get(name)
    z = (rng.standard_normal((7, 5)) * 3).astype(dtype)
    z[0, 0] = 0.0
    out = np.empty_like(z)
    res = act.f_into(z, out, np.zeros_like(z))
    assert res is out
    np.testing.assert_array_equal(out, act.f(z))
    np.testing.assert_array_equal(act.f_into(z, np.empty_like(z)), act.f(z))   # without zeros
    a = act.f(z)
    grad = rng.standard_normal(z.shape).astype(dtype)
    expected = act.backward(z, a, grad)
    g = grad.copy()
    res = act.backward_inplace(z, a, g, np.empty(z.shape, bool))
    assert res is g
    np.testing.assert_array_equal(g, expected)


def test_optimizer_rechecks_after_reset_or_new_buffers():
    opt = optimizers.Adam(use_numba=False)
    p, g = np.ones(4), np.full(4, 0.5)
    opt.step(p, g)
    opt.step(p, g)                      # fast re-entry
    assert opt.iterations == 2
    opt.reset()
    opt.step(p, g)
    assert opt.iterations == 1 and opt.state_dict()["exp_avg"].shape == (4,)
    with pytest.raises(nl.ShapeError):
        opt.step(np.ones(5), np.ones(5))      # other buffers: checked again


def test_fast_input_check_still_names_bad_values(rng):
    net = nl.Network.mlp([3, 4, 2], seed=0)
    X = rng.standard_normal((6, 3)).astype(np.float32)
    assert net.check_inputs(X) is X                    # no copy for the right array
    X[4, 2] = np.nan
    with pytest.raises(nl.DataError, match="row 4, column 2"):
        net.fit(X, [0, 1, 0, 1, 0, 1], epochs=1)
    X[4, 2] = np.inf
    with pytest.raises(nl.DataError, match="inf"):
        net.predict(X)


def test_workspaces_are_not_copied_or_pickled(rng):
    net = nl.Network.mlp([3, 4, 2], seed=0)
    net.fit(rng.standard_normal((20, 3)), rng.integers(0, 2, 20), epochs=1, batch_size=8)
    assert net._workspaces
    twin = copy.deepcopy(net)
    assert "_workspaces" not in twin.__dict__
    assert "_workspaces" not in pickle.loads(pickle.dumps(net)).__dict__
    X = rng.standard_normal((5, 3))
    np.testing.assert_array_equal(twin.predict_proba(X), net.predict_proba(X))
    twin.fit(rng.standard_normal((20, 3)), rng.integers(0, 2, 20), epochs=1, batch_size=8)


def test_epoch_mean_helper():
    v = np.array([1.0, 2.0, 4.0], np.float32)
    assert _mean(v, None) == pytest.approx(7 / 3)
    assert _mean(v, np.array([1.0, 0.0, 1.0])) == pytest.approx(2.5)
