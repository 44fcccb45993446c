"""A Pipeline of scalers and a neuronlab estimator goes into one model file and comes
back whole; steps that cannot be stored are refused by name."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler

import neuronlab as nl
from neuronlab.sklearn import NetworkClassifier, NetworkRegressor, save

pd = pytest.importorskip("pandas")


def data():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[100.0, -5.0, 0.0], scale=[30.0, 0.01, 2.0], size=(80, 3))
    return X, (X[:, 0] > 100).astype(int), X[:, 0] * 0.01 - X[:, 2]


@pytest.mark.parametrize("scalers", [[StandardScaler()], [MinMaxScaler(feature_range=(-1, 1), clip=True)],
                                     [StandardScaler(with_mean=False), MaxAbsScaler(), "passthrough"]],
                         ids=["standard", "minmax", "several"])
@pytest.mark.parametrize("est", [NetworkClassifier, NetworkRegressor])
def test_a_saved_pipeline_loads_with_its_scalers_and_predicts_bit_identically_on_raw_data(tmp_path, scalers, est):
    X, yc, yr = data()
    pipe = make_pipeline(*scalers, est(hidden_layer_sizes=(4,), epochs=5, random_state=0))
    pipe.fit(X, yc if est is NetworkClassifier else yr)
    save(pipe, tmp_path / "pipe.npz")
    back = nl.load(tmp_path / "pipe.npz")
    assert isinstance(back, Pipeline) and [n for n, _ in back.steps] == [n for n, s in pipe.steps if s != "passthrough"]
    np.testing.assert_array_equal(back.predict(X), pipe.predict(X))


def test_a_saved_pipeline_keeps_the_feature_names_of_a_dataframe(tmp_path):
    X, y, _ = data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    pipe = make_pipeline(StandardScaler(), NetworkClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0))
    save(pipe.fit(frame, y), tmp_path / "pipe.npz")
    back = nl.load(tmp_path / "pipe.npz")
    assert list(back.feature_names_in_) == ["a", "b", "c"]
    np.testing.assert_array_equal(back.predict_proba(frame), pipe.predict_proba(frame))


def test_a_pipeline_step_that_cannot_be_stored_is_refused_by_name_with_the_alternative(tmp_path):
    X, y, _ = data()
    pipe = Pipeline([("reduce", PCA(2)), ("net", NetworkClassifier(hidden_layer_sizes=(4,), epochs=2))]).fit(X, y)
    with pytest.raises(nl.ModelFileError, match=r"step 'reduce' \(PCA\).*pipeline\[-1\]\.save\(path\)"):
        save(pipe, tmp_path / "pipe.npz")
    assert not (tmp_path / "pipe.npz").exists()


def test_a_pipeline_not_ending_in_a_neuronlab_estimator_is_refused(tmp_path):
    X, _, _ = data()
    with pytest.raises(nl.ModelFileError, match="last step 'scale'"):
        save(Pipeline([("scale", StandardScaler())]).fit(X), tmp_path / "p.npz")


def test_saving_the_estimator_alone_still_gives_the_estimator(tmp_path):
    X, y, _ = data()
    est = NetworkClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, y)
    save(est, tmp_path / "e.npz")
    back = nl.load(tmp_path / "e.npz")
    assert isinstance(back, NetworkClassifier) and not hasattr(est, "_pipeline_state")
