"""The workspace: the readable arithmetic in arrays allocated once per batch size.

Claims: its step records are named, one per layer; a training step equals
``Network.train_on_batch`` (the readable Dense forward/backward) bit for bit for every
optimizer and both dtypes; prediction and evaluation equal the readable forward pass;
and no array is reallocated from one step to the next.
"""
import tracemalloc

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.workspace import DenseStep, DropoutStep, Workspace


def _net(dtype="float64", **kw):
    args = dict(hidden=["relu", "tanh"], dropout=0.0, seed=3, dtype=dtype)
    args.update(kw)
    return nl.Network.mlp([6, 9, 7, 4], **args)


def _labels(rng, n=24):
    return rng.standard_normal((n, 6)), rng.integers(0, 4, n)


# ---------------------------------------------------------------------------------------
# named records
# ---------------------------------------------------------------------------------------

def test_one_named_record_per_layer():
    net = _net(dropout=0.2)
    ws = Workspace(net, 5, training=True)
    assert [type(s) for s in ws.steps] == [DenseStep, DropoutStep, DenseStep, DropoutStep, DenseStep]
    assert [s.layer for s in ws.steps] == net.layers
    assert ws.output is ws.steps[-1] and ws.output.layer is net.dense_layers[-1]
    first, hidden, out = (s for s in ws.steps if isinstance(s, DenseStep))
    assert first.z.shape == first.a.shape == (5, 9) and first.grad_in is None     # nothing below the first layer
    assert hidden.grad_in.shape == (5, 9) and out.grad_in.shape == (5, 7)        # dL/dx: (n, n_in)
    assert first.zeros.shape == (5, 9) and first.mask.dtype == bool              # relu's scratch
    assert hidden.zeros is None and hidden.mask is None                          # tanh needs none
    for s in (first, hidden, out):
        assert s.z.dtype == s.a.dtype == net.dtype


def test_a_prediction_workspace_has_only_the_forward_arrays():
    ws = Workspace(_net(), 5)
    assert not ws.training
    assert all(s.grad_in is None and s.mask is None for s in ws.steps)
    assert not hasattr(ws, "delta")


def test_the_network_keeps_its_workspaces_per_batch_size():
    net = _net()
    ws = net.workspace(8, training=True)
    assert net.workspace(8, training=True) is ws
    assert net.workspace(8) is not ws and net.workspace(3, training=True) is not ws
    assert isinstance(ws, Workspace) and ws.n == 8 and ws.net is net


# ---------------------------------------------------------------------------------------
# a training step equals the readable one
# ---------------------------------------------------------------------------------------

CASES = {
    # name: (network kwargs, targets, l1, l2)
    "softmax-labels-fused": ({}, "labels", 0.0, 0.0),
    "softmax-labels-penalties": ({}, "labels", 1e-3, 1e-2),
    "softmax-onehot": ({}, "onehot", 0.0, 0.0),
    "sigmoid-bce": ({"output": "sigmoid"}, "binary", 0.0, 0.0),
    "identity-mse": ({"output": "identity"}, "values", 0.0, 0.0),
    "relu-output-mse": ({"output": "relu", "loss": "mse"}, "values", 0.0, 0.0),
    "dropout": ({"dropout": 0.3}, "labels", 0.0, 0.0),
}


def _targets(kind, rng, n, k=4):
    if kind == "labels":
        return rng.integers(0, k, n)
    if kind == "onehot":
        return np.eye(k)[rng.integers(0, k, n)]
    if kind == "binary":
        return rng.integers(0, 2, (n, k)).astype(float)
    return rng.standard_normal((n, k))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", nl.optimizers.names())
@pytest.mark.parametrize("case", sorted(CASES))
def test_train_step_equals_train_on_batch_bit_for_bit(case, optimizer, dtype, rng):
    kwargs, kind, l1, l2 = CASES[case]
    fast, slow = _net(dtype, **kwargs), _net(dtype, **kwargs)
    X = fast.check_inputs(rng.standard_normal((30, 6)))
    y = fast.check_targets(X, _targets(kind, rng, 30))
    ws = fast.workspace(10, training=True)
    fused = ws.fuses_labels(y) and not (l1 or l2)
    assert fused == (case in ("softmax-labels-fused", "dropout"))
    opt_fast, opt_slow = nl.optimizers.get(optimizer), nl.optimizers.get(optimizer)
    for idx in (np.arange(0, 10), np.arange(20, 30), np.array([3, 17, 5, 29, 0, 11, 8, 2, 26, 14])):
        if fused:
            loss_out, hit_out = np.empty(10, fast.dtype), np.empty(10, bool)
            assert ws.train_step(X, y, idx, None, opt_fast, l1, l2, loss_out, hit_out) is None
        else:
            loss = ws.train_step(X, y, idx, None, opt_fast, l1, l2)
        out = slow.dense_layers[-1]
        expected = slow.train_on_batch(X[idx], y[idx], opt_slow, None, l1, l2)
        if fused:     # the per-sample losses are the loss's own, from the logits of the readable pass
            np.testing.assert_array_equal(loss_out, slow.loss.per_sample_from_logits(out.z, y[idx]))
            np.testing.assert_array_equal(hit_out, np.argmax(out.a, axis=1) == y[idx])
        else:
            assert loss == expected
        np.testing.assert_array_equal(fast.gradients, slow.gradients)
        np.testing.assert_array_equal(fast.parameters, slow.parameters)
    np.testing.assert_array_equal(ws.output.a, slow.dense_layers[-1].a)   # the batch's outputs, kept
    np.testing.assert_array_equal(ws.targets, y[idx])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_train_step_with_sample_weights_equals_train_on_batch(dtype, rng):
    fast, slow = _net(dtype), _net(dtype)
    X, y = _labels(rng)
    X, y = fast.check_inputs(X), fast.check_targets(fast.check_inputs(X), y)
    sw = rng.uniform(0.1, 2.0, 8).astype(dtype)
    idx = np.arange(4, 12)
    ws = fast.workspace(8, training=True)
    ws.train_step(X, y, idx, sw, nl.optimizers.get("adam"), 0.0, 0.0, np.empty(8, fast.dtype), np.empty(8, bool))
    slow.train_on_batch(X[idx], y[idx], nl.optimizers.get("adam"), sw)
    np.testing.assert_array_equal(fast.parameters, slow.parameters)


def test_fuses_labels_only_for_softmax_cross_entropy_on_integer_labels(rng):
    ws = _net().workspace(4, training=True)
    assert ws.fuses_labels(np.array([0, 1, 2, 3]))
    assert not ws.fuses_labels(np.eye(4))
    assert not ws.fuses_labels(np.array([0.0, 1.0, 2.0, 3.0]))
    assert not _net(output="sigmoid").workspace(4, training=True).fuses_labels(np.array([0, 1, 0, 1]))
    assert not _net(loss="mse").workspace(4, training=True).fuses_labels(np.array([0, 1, 2, 3]))


# ---------------------------------------------------------------------------------------
# prediction equals the readable forward pass
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_forward_equals_the_readable_forward_and_fills_the_layer_caches(dtype, rng):
    net = _net(dtype, dropout=0.2)
    X = net.check_inputs(rng.standard_normal((7, 6)))
    expected = net.forward(X)
    ws = Workspace(net, 7)
    a = ws.forward(X)
    assert a is ws.output.a
    np.testing.assert_array_equal(a, expected)
    for s in ws.steps:
        if isinstance(s, DenseStep):
            assert s.layer.z is s.z and s.layer.a is s.a


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_predict_equals_the_readable_forward_chunk_by_chunk(dtype, rng):
    net = _net(dtype)
    X = net.check_inputs(rng.standard_normal((23, 6)))
    ws = Workspace(net, 10)
    proba = ws.predict(X)                      # chunks of 10, 10 and 3 rows
    expected = np.concatenate([net.forward(X[i:i + 10]) for i in range(0, 23, 10)])
    np.testing.assert_array_equal(proba, expected)
    assert not np.shares_memory(proba, ws.output.a)
    np.testing.assert_array_equal(Workspace(net, 23).predict(X), net.forward(X))


def test_evaluate_equals_the_network_evaluate(rng):
    net = _net()
    X, y = _labels(rng, 23)
    X = net.check_inputs(X)
    y = net.check_targets(X, y)
    one = Workspace(net, 23).evaluate(X, y)
    assert one == net.evaluate(X, y)
    net.forward(X)
    assert one["loss"] == net.loss_value(y)
    assert one["accuracy"] == np.mean(np.argmax(net.forward(X), axis=1) == y)


# ---------------------------------------------------------------------------------------
# no reallocation
# ---------------------------------------------------------------------------------------

def _arrays(ws):
    found = {id(v) for v in vars(ws).values() if isinstance(v, np.ndarray)}
    for s in ws.steps:
        if isinstance(s, DenseStep):
            found |= {id(getattr(s, k)) for k in ("z", "a", "zeros", "grad_in", "mask") if getattr(s, k) is not None}
    return found


@pytest.mark.parametrize("fused", [True, False])
def test_steps_of_one_size_reuse_the_same_arrays(fused, rng):
    net = _net()
    X, y = _labels(rng, 40)
    X = net.check_inputs(X)
    y = net.check_targets(X, y if fused else np.eye(4)[y])
    ws = net.workspace(8, training=True)
    before = _arrays(ws)
    opt = nl.optimizers.get("adam")
    for lo in range(0, 40, 8):
        idx = np.arange(lo, lo + 8)
        if fused:
            ws.train_step(X, y, idx, None, opt, 0.0, 0.0, np.empty(8, net.dtype), np.empty(8, bool))
        else:
            ws.train_step(X, y, idx, None, opt)
        for s in ws.steps:
            assert s.layer.z is s.z and s.layer.a is s.a      # the layers cache the workspace's own arrays
    assert _arrays(ws) - {id(ws.targets)} == before - {id(ws.targets)}
    assert net.workspace(8, training=True) is ws


def test_a_training_step_allocates_no_array_of_a_layers_size(rng):
    net = nl.Network.mlp([50, 128, 64, 10], seed=0)
    n = 2048
    X = net.check_inputs(rng.standard_normal((n, 50)))
    y = net.check_targets(X, rng.integers(0, 10, n))
    ws = net.workspace(n, training=True)
    opt = nl.optimizers.get("sgd")
    idx = np.arange(n)
    loss_out, hit_out = np.empty(n, net.dtype), np.empty(n, bool)
    ws.train_step(X, y, idx, None, opt, 0.0, 0.0, loss_out, hit_out)      # warm up
    tracemalloc.start()
    try:
        ws.train_step(X, y, idx, None, opt, 0.0, 0.0, loss_out, hit_out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < ws.steps[0].z.nbytes / 4      # (n, 128) float32 is 1 MiB; NumPy's ufunc buffers are 32 KiB


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, None])
def test_a_workspace_needs_a_positive_integer_batch_size(batch_size):
    net = nl.Network.mlp([2, 3, 2], seed=0)
    with pytest.raises(nl.HyperparameterError, match="batch_size"):
        Workspace(net, batch_size)


# ---------------------------------------------------------------------------------------
# the fused ReLU loops (numba, the fast extra) round as the NumPy passes they replace
# ---------------------------------------------------------------------------------------

def _special_values(rng, shape, dtype):
    """Normal values with NaN, ±inf, -0.0 and huge/tiny magnitudes sprinkled in."""
    v = (rng.standard_normal(shape) * rng.choice([1.0, 1e30, 1e-30], shape)).astype(dtype)
    flat = v.reshape(-1)
    flat[::7], flat[3::11], flat[5::13], flat[1::5] = np.nan, np.inf, -np.inf, -0.0
    return v


def _same_bits(got, expected):
    """Equal bit for bit, -0.0 included; a NaN only has to be a NaN (the sign bit of a
    NaN made by ``inf·0`` is the processor's choice, not a number)."""
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(got), nan)
    assert got[~nan].tobytes() == expected[~nan].tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (3, 1), (2, 3), (7, 17), (32, 10), (33, 128), (600, 1), (129, 256)])
def test_the_fused_relu_loops_equal_the_numpy_passes_bit_for_bit(shape, dtype, rng):
    pytest.importorskip("numba")
    from neuronlab._util.extras import compiled
    from neuronlab.workspace import _bias_relu_loop, _relu_delta_loop
    bias_relu, relu_delta = compiled("bias_relu", _bias_relu_loop), compiled("relu_delta", _relu_delta_loop)
    if bias_relu is None:
        pytest.skip("NEURONLAB_NO_NUMBA is set")
    zero = dtype(0)
    for b in (_special_values(rng, shape[1], dtype), np.full(shape[1], -0.0, dtype)):
        z0 = _special_values(rng, shape, dtype)
        z_ref, a_ref = z0.copy(), np.empty(shape, dtype)
        with np.errstate(all="ignore"):
            z_ref += b
            np.maximum(z_ref, np.zeros(shape, dtype), out=a_ref)
        z, a = z0.copy(), np.empty(shape, dtype)
        bias_relu(z, b, a, zero)
        _same_bits(z, z_ref)
        _same_bits(a, a_ref)

        g0 = _special_values(rng, shape, dtype)
        g_ref, db_ref = g0.copy(), np.empty(shape[1], dtype)
        with np.errstate(all="ignore"):
            np.multiply(g_ref, np.greater(a_ref, 0), out=g_ref)
            np.add.reduce(g_ref, 0, None, db_ref)
        g, db = g0.copy(), np.empty(shape[1], dtype)
        relu_delta(g, a_ref, db, zero)
        _same_bits(g, g_ref)
        _same_bits(db, db_ref)


def test_a_large_relu_network_fuses_and_a_small_one_or_one_without_numba_does_not(monkeypatch):
    pytest.importorskip("numba")
    monkeypatch.delenv("NEURONLAB_NO_NUMBA", raising=False)
    large = nl.Network.mlp([300, 256, 10], hidden="relu", seed=0)        # 79,626 parameters
    assert large.n_params >= nl.optimizers.NUMBA_MIN_SIZE
    steps = Workspace(large, 4, training=True).steps
    assert steps[0].fused and not steps[1].fused                          # the softmax output has its own loop
    assert steps[0].zeros is None and steps[0].mask is None               # the loops need no NumPy scratch
    assert steps[1].softmax and steps[1].shifted.shape == (4, 10)
    assert not Workspace(_net(), 4).steps[0].fused                        # 183 parameters
    assert not Workspace(nl.Network.mlp([300, 256, 10], hidden="tanh", seed=0), 4).steps[0].fused
    monkeypatch.setenv("NEURONLAB_NO_NUMBA", "1")
    assert not Workspace(large, 4).steps[0].fused


@pytest.mark.parametrize("n_parameters", [-1, 2.5, "many", None, True])
def test_fused_loops_needs_a_count_of_parameters(n_parameters):
    from neuronlab.workspace import fused_loops
    with pytest.raises(nl.HyperparameterError, match="n_parameters"):
        fused_loops(n_parameters)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 2), (3, 2), (32, 10), (17, 3), (64, 129)])
def test_the_fused_softmax_loops_equal_the_numpy_step_bit_for_bit(shape, dtype, rng):
    pytest.importorskip("numba")
    from neuronlab._util.extras import compiled
    from neuronlab.activations.smooth import softmax
    from neuronlab.workspace import _shift_rows_loop, _softmax_finish_loop
    shift, finish = compiled("shift_rows", _shift_rows_loop), compiled("softmax_finish", _softmax_finish_loop)
    if shift is None:
        pytest.skip("NEURONLAB_NO_NUMBA is set")
    n, k = shape
    y = rng.integers(0, k, 5 * n)
    idx = rng.permutation(5 * n)[:n]
    z0 = (rng.standard_normal(shape) * 30).astype(dtype)
    if n > 2:
        z0[1, k // 2], z0[2, -1] = np.nan, np.inf    # a NaN row and an infinite logit
    b = rng.standard_normal(k).astype(dtype)
    b[1] = b[0]
    z0[0, :2] = 500.0                                 # a tie for the largest: the first one counts
    y[idx[0]] = 1                                     # ... and it is not the label
    with np.errstate(all="ignore"):
        z_ref = z0 + b
        shifted_ref, row_max, row_sum = np.empty(shape, dtype), np.empty((n, 1), dtype), np.empty((n, 1), dtype)
        a_ref = softmax(z_ref, np.empty(shape, dtype), shifted=shifted_ref, row_max=row_max, row_sum=row_sum)
        labels_ref = y[idx]
        loss_ref = np.log(row_sum[:, 0]) - shifted_ref[np.arange(n), labels_ref]
        hit_ref = a_ref.argmax(1) == labels_ref
        delta_ref = a_ref.copy()
        delta_ref[np.arange(n), labels_ref] -= 1.0
        delta_ref *= 1.0 / n

        z, a, shifted = z0.copy(), np.empty(shape, dtype), np.empty(shape, dtype)
        m, s, loss = np.empty(n, dtype), np.empty((n, 1), dtype), np.empty(n, dtype)
        labels, hit, delta = np.empty(n, np.int64), np.empty(n, bool), np.empty(shape, dtype)
        shift(z, b, m, shifted)
        np.exp(shifted, out=a)
        np.add.reduce(a, 1, None, s, True)
        np.log(s[:, 0], out=loss)
        finish(a, s[:, 0], shifted, y, idx, labels, loss, hit, delta, dtype(1), dtype(1.0 / n))
    for got, expected in ((z, z_ref), (shifted, shifted_ref), (m, row_max[:, 0]), (a, a_ref), (loss, loss_ref),
                          (delta, delta_ref)):
        _same_bits(got, expected)
    np.testing.assert_array_equal(labels, labels_ref)
    np.testing.assert_array_equal(hit, hit_ref)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_large_network_predicts_as_the_readable_forward_infinite_logits_included(dtype, rng):
    """Above NUMBA_MIN_SIZE parameters the ReLU layers and the softmax output run as
    compiled loops (with numba); an infinite logit still gets softmax's limit."""
    net = nl.Network.mlp([300, 256, 10], seed=0, dtype=dtype)
    X = net.check_inputs(rng.standard_normal((9, 300)))
    ws = Workspace(net, 9)
    np.testing.assert_array_equal(ws.forward(X), net.forward(X))
    net.dense_layers[-1].b[3] = np.inf                   # every row's logit 3 is +inf
    with np.errstate(all="ignore"):
        expected = net.forward(X)
        got = Workspace(net, 9).forward(X)
    assert (expected[:, 3] == 1).all()
    np.testing.assert_array_equal(got, expected)
