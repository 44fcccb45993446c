"""scikit-learn estimators: NetworkClassifier and NetworkRegressor behave like scikit-learn
estimators (its own check suite, Pipeline, GridSearchCV, cross_val_score, clone, pickle),
train as well as MLPClassifier, and save to model files exactly."""
import json
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

import joblib  # noqa: E402  (ships with scikit-learn)
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, load_iris, make_classification, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import NotFittedError as SklearnNotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import neuronlab as nl  # noqa: E402
from neuronlab import serialize  # noqa: E402
from neuronlab.sklearn import NetworkClassifier, NetworkRegressor  # noqa: E402


def blobs(n=120, k=3, seed=0):
    X, y = make_classification(n_samples=n, n_features=6, n_informative=4, n_redundant=0, n_classes=k,
                               n_clusters_per_class=1, class_sep=2.0, random_state=seed)
    return X, y


def regression(n=100, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=n)


# -- scikit-learn's own estimator checks, with an empty expected-failure list --------------

@parametrize_with_checks([NetworkClassifier(random_state=0), NetworkRegressor(random_state=0)],
                         expected_failed_checks=lambda est: {})
def test_passes_scikit_learns_estimator_checks(estimator, check):
    check(estimator)


# -- composition with scikit-learn's tools ---------------------------------------------

def test_works_in_a_pipeline_with_standard_scaler():
    X, y = blobs()
    pipe = make_pipeline(StandardScaler(), NetworkClassifier(hidden_layer_sizes=(16,), random_state=0)).fit(X, y)
    assert pipe.score(X, y) > 0.9
    assert pipe.predict(X[:5]).shape == (5,)


def test_grid_search_with_two_jobs_finds_a_fitted_best_estimator():
    X, y = blobs(90)
    grid = GridSearchCV(NetworkClassifier(epochs=20, random_state=0),
                        {"hidden_layer_sizes": [(4,), (16,)]}, cv=2, n_jobs=2).fit(X, y)
    assert grid.best_params_["hidden_layer_sizes"] in [(4,), (16,)]
    assert isinstance(grid.best_estimator_.network_, nl.Network)
    assert len(grid.cv_results_["mean_test_score"]) == 2


def test_cross_val_score_gives_one_score_per_fold():
    X, y = regression()
    scores = cross_val_score(NetworkRegressor(random_state=0), X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.9)


def test_clone_copies_parameters_not_the_fit():
    est = NetworkClassifier(hidden_layer_sizes=(8, 4), activation=["tanh", "relu"], class_weight={0: 2.0},
                            random_state=3).fit(*blobs())
    twin = clone(est)
    assert twin.get_params() == est.get_params()
    assert not hasattr(twin, "network_")


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_round_trip_predicts_the_same(tmp_path, dump):
    X, y = blobs()
    est = NetworkClassifier(hidden_layer_sizes=(8,), random_state=0).fit(X, y)
    if dump == "pickle":
        again = pickle.loads(pickle.dumps(est))
    else:
        joblib.dump(est, tmp_path / "est.joblib")
        again = joblib.load(tmp_path / "est.joblib")
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))


# -- targets ---------------------------------------------------------------------------

def test_output_activation_defaults_follow_the_task():
    X, y = blobs()
    multi = NetworkClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, y)
    binary = NetworkClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, y % 2)
    reg = NetworkRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(*regression())
    assert (multi.network_.output_activation.name, multi.network_.n_outputs) == ("softmax", 3)
    assert (binary.network_.output_activation.name, binary.network_.n_outputs) == ("sigmoid", 1)
    assert multi.network_.loss.name == "cross_entropy" and binary.network_.loss.name == "binary_crossentropy"
    assert (reg.network_.output_activation.name, reg.network_.loss.name) == ("identity", "mse")
    p = binary.predict_proba(X)
    assert p.shape == (len(X), 2)
    np.testing.assert_array_equal(p[:, 0], 1 - p[:, 1])


def test_string_labels_are_encoded_and_predicted_back():
    X, y = blobs()
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    est = NetworkClassifier(hidden_layer_sizes=(16,), random_state=0).fit(X, names)
    assert est.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert set(est.predict(X)) <= set(names) and est.score(X, names) > 0.9


def test_multi_label_targets_get_sigmoid_outputs_thresholded_at_one_half():
    X, Y = make_multilabel_classification(n_samples=300, n_features=8, n_classes=4, random_state=0)
    X = StandardScaler().fit_transform(X)
    est = NetworkClassifier(random_state=0).fit(X[:200], Y[:200])
    assert est.network_.output_activation.name == "sigmoid" and est.network_.loss.name == "binary_crossentropy"
    assert est.classes_.tolist() == [0, 1, 2, 3]
    proba = est.predict_proba(X)
    assert proba.shape == Y.shape
    np.testing.assert_array_equal(est.predict(X), (proba > 0.5).astype(Y.dtype))
    held_out = (est.predict(X[200:]) == Y[200:]).mean()     # per-label accuracy; the majority guess gets 0.6
    assert held_out > 0.72


def test_regressor_predicts_several_targets():
    X, y = regression()
    Y = np.column_stack([y, -y])
    est = NetworkRegressor(random_state=0).fit(X, Y)
    assert est.predict(X).shape == (len(X), 2) and est.score(X, Y) > 0.9


def test_class_weight_balanced_changes_the_fit_toward_the_rare_class():
    X, y = make_classification(n_samples=300, n_features=5, weights=[0.9, 0.1], class_sep=0.5, random_state=1)
    plain = NetworkClassifier(hidden_layer_sizes=(8,), random_state=0).fit(X, y)
    balanced = NetworkClassifier(hidden_layer_sizes=(8,), class_weight="balanced", random_state=0).fit(X, y)
    assert not np.array_equal(plain.network_.parameters, balanced.network_.parameters)
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_zero_sample_weights_equal_dropping_the_rows():
    X, y = blobs(60)
    keep = np.arange(len(X)) % 3 != 0
    settings = dict(hidden_layer_sizes=(8,), batch_size=len(X), epochs=30, random_state=0)
    weighted = NetworkClassifier(**settings).fit(X, y, sample_weight=keep.astype(float))
    dropped = NetworkClassifier(**settings).fit(X[keep], y[keep])
    np.testing.assert_allclose(weighted.predict_proba(X), dropped.predict_proba(X), rtol=1e-6, atol=1e-9)


# -- looking inside and incremental training ------------------------------------------

def test_transform_gives_hidden_activations_from_trace():
    X, y = blobs()
    est = NetworkClassifier(hidden_layer_sizes=(7, 5), dropout=0.1, random_state=0).fit(X, y)
    traced = est.network_.trace(X).dense
    assert est.transform(X).shape == (len(X), 5)
    np.testing.assert_array_equal(est.transform(X), traced[1].a)
    np.testing.assert_array_equal(est.transform(X, layer=0), traced[0].a)
    assert est.fit_transform(X, y).shape == (len(X), 5)
    with pytest.raises(nl.HyperparameterError, match=r"layer must be an integer in \[-2, 1\]"):
        est.transform(X, layer=2)
    flat = NetworkRegressor(hidden_layer_sizes=(), epochs=2).fit(*regression())
    with pytest.raises(nl.ShapeError, match="no hidden layers"):
        flat.transform(regression()[0])


def test_partial_fit_continues_training_and_checks_classes():
    X, y = blobs(200)
    est = NetworkClassifier(hidden_layer_sizes=(16,), random_state=0)
    with pytest.raises(nl.DataError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    for _ in range(15):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert est.n_iter_ == 15 and len(est.loss_curve_) == 15
    assert est.loss_curve_[-1] < 0.5 * est.loss_curve_[0]
    assert est.optimizer_.iterations == 15 * 4           # 200 samples in batches of 64: one state throughout
    with pytest.raises(nl.DataError, match="classes not in classes_"):
        est.partial_fit(X, y + 5)
    with pytest.raises(nl.DataError, match="differs from the classes of the first call"):
        est.partial_fit(X, y, classes=[0, 1])
    reg = NetworkRegressor(hidden_layer_sizes=(16,), random_state=0)
    Xr, yr = regression()
    for _ in range(10):
        reg.partial_fit(Xr, yr)
    assert reg.loss_curve_[-1] < reg.loss_curve_[0]


def test_early_stopping_records_validation_scores():
    X, y = blobs(200)
    est = NetworkClassifier(hidden_layer_sizes=(16,), early_stopping=True, validation_fraction=0.2,
                            random_state=0).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_ == len(est.loss_curve_)
    assert max(est.validation_scores_) > 0.9
    assert NetworkClassifier(epochs=3).fit(X, y).validation_scores_ is None


# -- accuracy against scikit-learn's MLPClassifier -------------------------------------

@pytest.mark.parametrize("load, splits", [(load_digits, 1), (load_iris, 5)])
def test_defaults_plus_scaling_match_mlp_classifier(load, splits):
    """Mean test accuracy over fixed stratified splits (one for digits' 450 test samples,
    five for iris' 38, where one sample is 2.6 points): ours >= MLPClassifier's − 0.01."""
    X, y = load(return_X_y=True)
    ours, theirs = [], []
    for seed in range(splits):
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
        ours.append(make_pipeline(StandardScaler(), NetworkClassifier(random_state=seed)).fit(Xtr, ytr)
                    .score(Xte, yte))
        with warnings.catch_warnings():       # MLPClassifier stops at max_iter=200 on iris: ConvergenceWarning
            warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
            theirs.append(make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(100,), random_state=seed))
                          .fit(Xtr, ytr).score(Xte, yte))
    assert np.mean(ours) >= np.mean(theirs) - 0.01, (ours, theirs)


# -- model files -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["classifier", "binary", "multilabel", "regressor"])
def test_save_then_load_predicts_bit_identically(tmp_path, kind, dtype):
    X, y = blobs()
    if kind == "classifier":
        y = np.array(["a", "b", "c"])[y]
        est = NetworkClassifier(hidden_layer_sizes=(8, 4), class_weight={"a": 2.0, "b": 1.0, "c": 1.0},
                                optimizer=nl.optimizers.get("sgd", momentum=0.9), dtype=dtype, random_state=0)
        est.fit(X, y)
    elif kind == "binary":
        y = y % 2 == 0
        est = NetworkClassifier(hidden_layer_sizes=(8,), dtype=dtype, random_state=0).fit(X, y)
    elif kind == "multilabel":
        X, y = make_multilabel_classification(n_samples=60, n_features=6, n_classes=3, random_state=0)
        est = NetworkClassifier(hidden_layer_sizes=(8,), dtype=dtype, random_state=0).fit(X, y)
    else:
        X, y = regression()
        est = NetworkRegressor(hidden_layer_sizes=(8,), early_stopping=True, dtype=dtype, random_state=0).fit(X, y)
    est.save(tmp_path / "est.nlz")
    again = nl.load(tmp_path / "est.nlz")
    assert type(again) is type(est) and again.network_.dtype == np.dtype(dtype)
    assert again.get_params().keys() == est.get_params().keys()
    for key, value in est.get_params().items():
        if not isinstance(value, nl.optimizers.Optimizer):
            assert again.get_params()[key] == value, key
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    np.testing.assert_array_equal(again.transform(X), est.transform(X))
    if hasattr(est, "predict_proba"):
        np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
        assert again.classes_.dtype == est.classes_.dtype
    assert again.loss_curve_ == est.loss_curve_ and again.n_iter_ == est.n_iter_
    again.partial_fit(X, y)                      # a loaded estimator keeps training


def test_model_file_state_is_plain_json_and_is_checked(tmp_path):
    X, y = blobs()
    est = NetworkClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, y)
    network, state = est._model_state()
    json.dumps(state)
    bad = json.loads(json.dumps(state))
    bad["params"]["hidden_layer_sizes"] = {"__reduce__": "os.system"}
    with pytest.raises(nl.ModelFileError, match="unexpected parameter value"):
        NetworkClassifier._from_model_state(network, bad)
    bad = json.loads(json.dumps(state))
    bad["params"]["evil"] = 1
    with pytest.raises(nl.ModelFileError, match="unknown NetworkClassifier parameters"):
        NetworkClassifier._from_model_state(network, bad)
    with pytest.raises(nl.NotFittedError):
        NetworkClassifier().save(tmp_path / "x.nlz")
    assert serialize.ESTIMATORS["NetworkClassifier"] == "neuronlab.sklearn"


# -- bad input -------------------------------------------------------------------------

def test_bad_input_raises_neuronlab_errors_with_clear_messages():
    X, y = blobs()
    with pytest.raises(nl.NotFittedError, match="not fitted yet"):
        NetworkClassifier().predict(X)
    with pytest.raises(SklearnNotFittedError):
        NetworkRegressor().transform(X)
    est = NetworkClassifier(hidden_layer_sizes=(4,), epochs=2).fit(X, y)
    with pytest.raises(nl.ShapeError, match="X has 5 features, but NetworkClassifier is expecting 6"):
        est.predict(X[:, :5])
    bad = X.copy()
    bad[3, 2] = np.nan
    with pytest.raises(nl.DataError, match="NaN"):
        NetworkClassifier().fit(bad, y)
    with pytest.raises(nl.DataError, match="at least 2 classes, got 1 class"):
        NetworkClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(nl.DataError, match="Unknown label type"):
        NetworkClassifier().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(nl.HyperparameterError, match="learning_rate must be > 0"):
        NetworkClassifier(learning_rate=-1).fit(X, y)
    with pytest.raises(nl.HyperparameterError, match="hidden_layer_sizes"):
        NetworkClassifier(hidden_layer_sizes="big").fit(X, y)
    with pytest.raises(nl.HyperparameterError, match="softmax"):
        NetworkClassifier(output_activation="sigmoid").fit(X, y)
    with pytest.raises(nl.HyperparameterError, match="sample_weight is zero for every sample"):
        NetworkClassifier().fit(X, y, sample_weight=np.zeros(len(X)))
    with pytest.raises(nl.UnknownNameError, match="did you mean 'relu'"):
        NetworkClassifier(activation="relux").fit(X, y)


# -- the optional dependency -----------------------------------------------------------

def test_import_neuronlab_does_not_import_sklearn():
    code = "import sys, neuronlab; assert 'sklearn' not in sys.modules; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_missing_sklearn_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] + [
            "neuronlab.sklearn", "neuronlab.sklearn.estimator"]:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "sklearn", None)        # import sklearn → ImportError
    with pytest.raises(nl.errors.MissingExtraError, match=r"neuronlab\[sklearn\]"):
        import neuronlab.sklearn  # noqa: F401
