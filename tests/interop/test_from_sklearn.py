"""A fitted scikit-learn MLP becomes a neuronlab network that predicts the same numbers
(float64, to 1e-12), with its activations, loss, class labels and feature names."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

import neuronlab as nl  # noqa: E402

HIDDEN = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid", "identity": "identity"}


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(120, 4))
    return X, X[:, 0] + 0.5 * X[:, 1] - X[:, 2] ** 2


@pytest.mark.parametrize("activation", sorted(HIDDEN))
def test_multiclass_probabilities_agree_to_1e12(activation, data):
    X, score = data
    y = np.digitize(score, [-1.0, 0.0])
    mlp = _fit(MLPClassifier((6, 5), activation=activation, max_iter=60, random_state=0), X, y)
    net = nl.from_sklearn(mlp)
    assert [l.activation.name for l in net.dense_layers] == [HIDDEN[activation]] * 2 + ["softmax"]
    assert net.loss.name == "cross_entropy" and net.dtype == np.float64
    np.testing.assert_allclose(net.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(mlp.classes_)[net.predict(X)], mlp.predict(X))


@pytest.mark.parametrize("activation", sorted(HIDDEN))
def test_binary_classifier_is_one_sigmoid_unit_with_the_same_probability(activation, data):
    X, score = data
    y = np.where(score > 0, "yes", "no")
    mlp = _fit(MLPClassifier((5,), activation=activation, max_iter=60, random_state=1), X, y)
    net = nl.from_sklearn(mlp)
    assert net.output_activation.name == "sigmoid" and net.loss.name == "binary_crossentropy"
    np.testing.assert_allclose(net.predict_proba(X)[:, 0], mlp.predict_proba(X)[:, 1], rtol=0, atol=1e-12)
    assert net.metadata["classes"] == ["no", "yes"] and net.metadata["task"] == "classification"


def test_multilabel_classifier_keeps_one_sigmoid_per_label(data):
    X, score = data
    Y = np.column_stack([score > 0, X[:, 3] > 0, X[:, 0] > X[:, 1]]).astype(int)
    mlp = _fit(MLPClassifier((8,), max_iter=80, random_state=2), X, Y)
    net = nl.from_sklearn(mlp)
    assert net.output_activation.name == "sigmoid" and net.n_outputs == 3
    np.testing.assert_allclose(net.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(net.predict(X), mlp.predict(X))


@pytest.mark.parametrize("activation", sorted(HIDDEN))
@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor_predictions_agree_to_1e12(activation, n_targets, data):
    X, score = data
    y = score if n_targets == 1 else np.column_stack([score, X[:, 1]])
    mlp = _fit(MLPRegressor(hidden_layer_sizes=(7,), activation=activation, max_iter=80, random_state=0), X, y)
    net = nl.from_sklearn(mlp)
    assert net.output_activation.name == "identity" and net.loss.name == "mse"
    assert net.metadata["task"] == "regression" and "classes" not in net.metadata
    np.testing.assert_allclose(net.predict(X).reshape(np.shape(mlp.predict(X))), mlp.predict(X), rtol=0, atol=1e-12)


def test_feature_names_of_a_dataframe_travel_in_the_metadata(data):
    pd = pytest.importorskip("pandas")
    X, score = data
    frame = pd.DataFrame(X, columns=["age", "height", "weight", "pulse"])
    mlp = _fit(MLPClassifier((4,), max_iter=30, random_state=0), frame, score > 0)
    net = nl.from_sklearn(mlp)
    assert net.metadata["feature_names"] == ["age", "height", "weight", "pulse"]
    assert net.metadata["classes"] == [False, True]


def test_the_weights_are_copies_of_the_mlps(data):
    X, score = data
    mlp = _fit(MLPRegressor(hidden_layer_sizes=(3,), max_iter=20, random_state=0), X, score)
    net = nl.from_sklearn(mlp)
    before = mlp.predict(X)
    net.parameters[:] = 0.0
    np.testing.assert_array_equal(mlp.predict(X), before)
