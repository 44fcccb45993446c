"""Code as a user writes it, for the type checker: ``tests/test_types.py`` runs mypy on it
(with ``src``) and fails on any error, so the public signatures stay typed.  It is never run
by pytest (its name does not start with ``test_``)."""
from typing_extensions import assert_type     # typing's own from Python 3.11; mypy knows both

import numpy as np
from numpy.typing import NDArray

import neuronlab as nl

net = nl.Network.mlp([2, 8, 2], hidden="tanh", seed=0)
X = [[0.0, 1.0], [1.0, 0.0]]                       # any array-like goes in
history = net.fit(X, [1, 0], epochs=2, batch_size=2, learning_rate=0.01, validation_split=0.0, verbose=0)
assert_type(history, nl.History)
assert_type(net.predict_proba(X), NDArray[np.floating])
assert_type(net.predict(X), NDArray)
assert_type(net.evaluate(X, [1, 0]), dict[str, float])
trace = net.trace(X, [1, 0])
delta = trace.layers[0].delta
explanation = net.explain([0.5, 0.6], layer=0, neuron=1)
assert_type(explanation, nl.NeuronExplanation)
assert_type(explanation.activation_value, float)
gradient = net.explain_gradient([0.5, 0.6], [1], layer=0, neuron=1, weight=0)
assert_type(gradient.gradient, float)

neuron = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
step = neuron.learn([0.5, 0.6], target=1.0, learning_rate=0.1)
assert_type(step, nl.NeuronGradient)
assert_type(neuron.weights, NDArray[np.float64])
