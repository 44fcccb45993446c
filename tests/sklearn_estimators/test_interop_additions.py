"""The estimators name their transform columns (get_feature_names_out), give DataFrames
with set_output(transform="pandas"), and wrap a fitted scikit-learn MLP (from_sklearn)."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import neuronlab as nl  # noqa: E402
from neuronlab.sklearn import NetworkClassifier, NetworkRegressor  # noqa: E402


def _quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


@pytest.fixture
def frame(rng):
    X = pd.DataFrame(rng.normal(size=(80, 3)), columns=["age", "height", "weight"], index=np.arange(100, 180))
    return X, np.where(X["age"] + X["height"] > 0, "tall", "short")


def test_feature_names_out_name_every_neuron_of_the_chosen_layer(frame):
    X, y = frame
    clf = NetworkClassifier(hidden_layer_sizes=(5, 4), epochs=3, random_state=0).fit(X, y)
    assert clf.get_feature_names_out().tolist() == [f"networkclassifier_layer1_{j}" for j in range(4)]
    assert clf.get_feature_names_out(layer=0).tolist() == [f"networkclassifier_layer0_{j}" for j in range(5)]
    assert clf.get_feature_names_out(["age", "height", "weight"]).shape == (4,)
    with pytest.raises(nl.DataError, match="are not the 3 features seen in fit"):
        clf.get_feature_names_out(["a", "b", "c"])


def test_set_output_pandas_gives_named_frames_with_the_rows_index(frame):
    X, y = frame
    clf = NetworkClassifier(hidden_layer_sizes=(5, 4), epochs=3, random_state=0).fit(X, y)
    plain = clf.transform(X)
    out = clf.set_output(transform="pandas").transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == clf.get_feature_names_out().tolist()
    assert out.index.equals(X.index)
    np.testing.assert_array_equal(out.to_numpy(), plain)
    assert list(clf.transform(X, layer=0).columns) == clf.get_feature_names_out(layer=0).tolist()
    reg = NetworkRegressor(hidden_layer_sizes=(3,), epochs=3, random_state=0).set_output(transform="pandas")
    assert list(reg.fit_transform(X, X["weight"]).columns) == ["networkregressor_layer0_0", "networkregressor_layer0_1",
                                                                "networkregressor_layer0_2"]


def test_a_pipeline_passes_the_named_frame_on(frame):
    X, y = frame
    pipe = make_pipeline(StandardScaler(), NetworkRegressor(hidden_layer_sizes=(2,), epochs=2, random_state=0))
    pipe.set_output(transform="pandas")
    assert list(pipe.fit(X, X["weight"]).transform(X).columns) == ["networkregressor_layer0_0",
                                                                    "networkregressor_layer0_1"]


@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_classifier_from_sklearn_predicts_what_the_mlp_predicts(kind, frame):
    X, y = frame
    if kind == "multiclass":
        y = np.digitize(X["age"], [-0.5, 0.5])
    elif kind == "multilabel":
        y = np.column_stack([X["age"] > 0, X["weight"] > 0]).astype(int)
    mlp = _quiet_fit(MLPClassifier((6,), max_iter=40, random_state=0), X, y)
    clf = NetworkClassifier.from_sklearn(mlp)
    np.testing.assert_allclose(clf.predict_proba(X), mlp.predict_proba(X), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), mlp.predict(X))
    assert clf.score(X, y) == pytest.approx(mlp.score(X, y))
    assert clf.hidden_layer_sizes == (6,) and clf.n_iter_ == mlp.n_iter_
    assert list(clf.feature_names_in_) == ["age", "height", "weight"]


def test_classifier_from_sklearn_trains_further(frame):
    X, y = frame
    mlp = _quiet_fit(MLPClassifier((6,), activation="tanh", max_iter=5, random_state=0), X, y)
    clf = NetworkClassifier.from_sklearn(mlp)
    assert clf.activation == "tanh"
    before = clf.network_.parameters.copy()
    clf.partial_fit(X, y)
    assert not np.array_equal(clf.network_.parameters, before)


def test_regressor_from_sklearn_keeps_the_targets_shape(rng):
    X = rng.normal(size=(60, 2))
    for y in (X[:, 0] - X[:, 1], np.column_stack([X[:, 0], X[:, 1] ** 2])):
        mlp = _quiet_fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=30, random_state=0), X, y)
        reg = NetworkRegressor.from_sklearn(mlp)
        assert reg.predict(X).shape == mlp.predict(X).shape
        np.testing.assert_allclose(reg.predict(X), mlp.predict(X), rtol=0, atol=1e-12)


def test_from_sklearn_refuses_the_other_kind_of_mlp(rng):
    X = rng.normal(size=(30, 2))
    mlp = _quiet_fit(MLPRegressor(hidden_layer_sizes=(3,), max_iter=5, random_state=0), X, X[:, 0])
    with pytest.raises(nl.ArgumentTypeError, match="NetworkClassifier.from_sklearn reads a fitted MLPClassifier"):
        NetworkClassifier.from_sklearn(mlp)
