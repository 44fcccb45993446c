"""The estimators raise the documented error class for targets of the wrong shape, a bad
``transform`` layer, and a model file whose fitted state is damaged."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import neuronlab as nl  # noqa: E402
from neuronlab.sklearn import NetworkClassifier, NetworkRegressor  # noqa: E402
from neuronlab.sklearn.state import from_model_state, model_state  # noqa: E402

from bad_input import cases, check  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(30, 3))
Y = (X[:, 0] > 0).astype(int)
Y3 = np.column_stack([Y, 1 - Y, (X[:, 1] > 0).astype(int)])


def fitted(est, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y)


def damaged_state(key, value):
    est = fitted(NetworkClassifier(epochs=1, random_state=0), Y)
    network, state = model_state(est)
    state["fitted"][key] = value
    return from_model_state(NetworkClassifier, network, state)


CASES = [
    ("multilabel-wrong-width", lambda t: fitted(NetworkClassifier(epochs=1), Y3).partial_fit(X, Y3[:, :2]),
     nl.ShapeError, ["0/1 indicator matrix with 3 columns", "(30, 2)"]),
    ("single-label-given-matrix", lambda t: fitted(NetworkClassifier(epochs=1), Y).partial_fit(X, Y3),
     nl.ShapeError, ["one label per sample", "(30, 3)"]),
    ("regressor-targets-changed-shape", lambda t: fitted(NetworkRegressor(epochs=1), X[:, 0]).partial_fit(X, X[:, :2]),
     nl.ShapeError, ["y has shape (30, 2)", "(n_samples,)"]),
    ("transform-layer-out-of-range", lambda t: fitted(NetworkClassifier(epochs=1), Y).transform(X, layer=1),
     nl.HyperparameterError, ["layer must be an integer in [-1, 0]", "got 1"]),
    ("transform-layer-float", lambda t: fitted(NetworkClassifier(epochs=1), Y).transform(X, layer=0.0),
     nl.HyperparameterError, ["layer must be an integer", "0.0"]),
    ("state-n-iter-negative", lambda t: damaged_state("n_iter_", -1), nl.ModelFileError,
     ["n_iter_ must be an integer >= 0", "-1"]),
    ("state-n-features-not-int", lambda t: damaged_state("n_features_in_", "3"), nl.ModelFileError,
     ["n_features_in_ must be an integer", "'3'"]),
    ("state-n-features-mismatch", lambda t: damaged_state("n_features_in_", 4), nl.ModelFileError,
     ["n_features_in_=4", "3 inputs"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
