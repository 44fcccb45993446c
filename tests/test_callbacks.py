"""Callbacks: the re-exports and NeuronMonitor (neuron health recorded and warned about during fit)."""
import re
import warnings

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.callbacks import NeuronMonitor
from neuronlab.inspect import NeuronWarning


def _xor_blobs(n=256, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def _messages(record):
    return [str(w.message) for w in record if issubclass(w.category, NeuronWarning)]


def test_callbacks_reexports_the_training_callbacks():
    assert nl.callbacks.Callback is nl.training.Callback is nl.Callback
    assert nl.callbacks.EarlyStopping is nl.training.EarlyStopping
    assert issubclass(NeuronMonitor, nl.Callback)


def test_dying_relu_run_warns_once_per_problem_with_advice():
    X, y = _xor_blobs()
    net = nl.Network.mlp([2, 32, 32, 2], hidden="relu", output="softmax", seed=0)
    monitor = NeuronMonitor(X)
    with pytest.warns(NeuronWarning) as record:
        net.fit(X, y, epochs=5, batch_size=32, optimizer="adam", learning_rate=1.0, callbacks=[monitor])
    messages = _messages(record)
    assert any(re.match(r"layer 1: \d+% of relu neurons dead since epoch 1 — ", m) for m in messages), messages
    assert all("leaky_relu" in m and "lower learning rate" in m and "he initialization" in m for m in messages)
    assert len(messages) == len(set(monitor.warned)) == len(monitor.warned)     # once per (layer, problem)
    assert sum(m.startswith("layer 1:") for m in messages) == 1
    assert record[0].filename == __file__                                   # points at the fit(...) line
    assert monitor.stats[-1][1].dead_fraction > 0.5


def test_healthy_run_is_silent_and_recorded_in_the_history():
    X, y = _xor_blobs()
    net = nl.Network.mlp([2, 16, 16, 2], hidden="relu", output="softmax", seed=0)
    monitor = NeuronMonitor(X[:128], y[:128])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = net.fit(X, y, epochs=6, batch_size=32, learning_rate=0.01, callbacks=[monitor])
    assert monitor.warned == {}
    for key in ("dead_fraction", "saturated_fraction", "firing_fraction", "grad_relative"):
        assert len(history[key]) == 6 and all(len(v) == 3 for v in history[key])
    assert history["dead_fraction"][-1] == [l.dead_fraction for l in monitor.stats[-1].layers]
    assert len(history.extra["neuron_stats"]) == 6
    assert history.extra["neuron_layers"] == [0, 1, 2]
    assert history.extra["neuron_activations"] == ["relu", "relu", "softmax"]
    assert len(history.extra["gradient_flow"]) == 6
    assert repr(history).startswith("History(6 epochs")


def test_monitor_does_not_change_training():
    X, y = _xor_blobs(128)
    runs = []
    for callbacks in ([], [NeuronMonitor(X, y)]):
        net = nl.Network.mlp([2, 8, 2], seed=3, dropout=0.3)
        h = net.fit(X, y, epochs=3, batch_size=16, validation_split=0.25, callbacks=callbacks)
        runs.append((net.parameters.copy(), h["loss"], h["val_loss"]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1:] == runs[1][1:]


def test_saturated_sigmoid_layer_warns():
    X, y = _xor_blobs(128)
    # huge biases push every weighted sum far out onto the flat tails of the sigmoid
    bias = np.tile([30.0, -30.0], 4)
    net = nl.Network([nl.Dense(2, 8, activation="sigmoid", weights=np.full((2, 8), 0.1), bias=bias),
                      nl.Dense(8, 2, activation="softmax")], seed=0)
    with pytest.warns(NeuronWarning) as record:
        net.fit(X, y, epochs=2, optimizer="sgd", learning_rate=1e-4, callbacks=[NeuronMonitor(X)])
    messages = _messages(record)
    assert any(re.match(r"layer 0: 100% of sigmoid neurons saturated since epoch 1 — .*standardize", m)
               for m in messages), messages


def test_vanishing_gradients_warn_when_targets_are_given():
    X, y = _xor_blobs(128)
    net = nl.Network.mlp([2] + [16] * 8 + [2], hidden="sigmoid", output="softmax", seed=0)
    with pytest.warns(NeuronWarning) as record:
        net.fit(X, y, epochs=1, callbacks=[NeuronMonitor(X, y, warn_dead=1.0)])
    messages = _messages(record)
    assert any(re.match(r"layer 0: gradients vanishing .* since epoch 1 — .*relu", m) for m in messages), messages
    assert not any(m.startswith("layer 8: gradients vanishing") for m in messages)


def test_patience_and_warn_false():
    X, y = _xor_blobs()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = NeuronMonitor(X, warn=False)
        nl.Network.mlp([2, 32, 32, 2], seed=0).fit(X, y, epochs=3, optimizer="adam", learning_rate=1.0,
                                                   callbacks=[quiet])
        assert (1, "dead") in quiet.warned and "since epoch 1" in quiet.warned[(1, "dead")]
        patient = NeuronMonitor(X, patience=10)
        nl.Network.mlp([2, 32, 32, 2], seed=0).fit(X, y, epochs=3, optimizer="adam", learning_rate=1.0,
                                                   callbacks=[patient])
        assert patient.warned == {}


def test_output_layer_is_only_checked_on_request():
    X, y = _xor_blobs(64)
    # output neuron 1 can never win: it is "dead" (never above 1/k)
    net = nl.Network([nl.Dense(2, 4, activation="tanh"),
                      nl.Dense(4, 2, activation="softmax", weights=np.zeros((4, 2)), bias=[50.0, -50.0])], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.copy().fit(X, y, epochs=1, optimizer="sgd", learning_rate=1e-6, callbacks=[NeuronMonitor(X)])
    with pytest.warns(NeuronWarning) as record:
        net.fit(X, y, epochs=1, optimizer="sgd", learning_rate=1e-6, callbacks=[NeuronMonitor(X, include_output=True)])
    assert any(m.startswith("layer 1: 50% of softmax neurons dead") for m in _messages(record))


def test_bad_settings_fail_before_training():
    X, y = _xor_blobs(32)
    net = nl.Network.mlp([2, 4, 2], seed=0)
    with pytest.raises(nl.HyperparameterError):
        NeuronMonitor(X, warn_dead=0.0)
    with pytest.raises(nl.HyperparameterError):
        NeuronMonitor(X, patience=0)
    with pytest.raises(nl.ShapeError, match="NeuronMonitor X"):
        net.fit(X, y, epochs=1, callbacks=[NeuronMonitor(np.zeros((4, 3)))])
    with pytest.raises(nl.DataError):
        net.fit(X, y, epochs=1, callbacks=[NeuronMonitor(X, y[:5])])
    with pytest.raises(nl.HyperparameterError):
        net.fit(X, y, epochs=1, callbacks=[NeuronMonitor(X, saturation_fraction=2.0)])
    assert len(net.history or []) == 0 or net.history.epochs == []
    assert "NeuronMonitor(32 samples" in repr(NeuronMonitor(X))


def test_neuron_monitor_check_returns_the_problems_present_and_warns_once():
    X = np.random.default_rng(0).normal(size=(50, 2))
    net = nl.Network.mlp([2, 4, 2], hidden="relu", seed=0)
    net.layers[0].b[...] = -100.0                       # every hidden relu neuron dead
    monitor = nl.callbacks.NeuronMonitor(X)
    monitor.set_network(net)
    monitor.on_train_begin({})
    stats = nl.inspect.neuron_stats(net, X)
    with pytest.warns(nl.callbacks.NeuronWarning, match="layer 0: 100% of relu neurons dead since epoch 1"):
        first = monitor.check(1, stats)
    assert list(first) == [(0, "dead")] and first[(0, "dead")].startswith("layer 0: 100% of relu neurons dead")
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # the same problem again: no second warning
        assert monitor.check(2, stats) == first
    net.layers[0].b[...] = 0.0
    assert monitor.check(3, nl.inspect.neuron_stats(net, X)) == {}
