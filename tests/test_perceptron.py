"""The perceptron rule: learns AND and OR, and says so when it cannot learn XOR."""
import numpy as np
import pytest

import neuronlab as nl

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


@pytest.mark.parametrize("gate, y", [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])])
def test_learns_linearly_separable_gates(gate, y):
    p = nl.Perceptron(n_inputs=2).fit(X, y)
    assert p.converged_ and p.errors_[-1] == 0
    np.testing.assert_array_equal(p.predict(X), y)
    assert p.neuron.activation.name == "step"
    assert [p.neuron.fires(x) for x in X] == [bool(v) for v in y]


def test_xor_does_not_converge_and_says_so():
    p = nl.Perceptron(n_inputs=2)
    with pytest.warns(nl.ConvergenceWarning, match="not linearly separable"):
        p.fit(X, [0, 1, 1, 0], max_epochs=50)
    assert p.converged_ is False and p.n_epochs_ == 50
    assert p.score(X, [0, 1, 1, 0]) < 1.0


def test_bad_perceptron_input():
    with pytest.raises(nl.DataError, match="0 or 1"):
        nl.Perceptron(2).fit(X, [0, 1, 2, 0])
    with pytest.raises(nl.ShapeError, match="3 features"):
        nl.Perceptron(2).fit(np.zeros((4, 3)), [0, 1, 1, 0])
    with pytest.raises(nl.HyperparameterError):
        nl.Perceptron(2, learning_rate=0)
