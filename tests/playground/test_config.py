"""The page's settings are checked with the library's rules, and build the data and the network
the way ``neuronlab train`` does."""
import numpy as np

import neuronlab as nl
from neuronlab.playground import config

from bad_input import cases, check

CASES = [
    ("unknown-setting", lambda t: config.check_config({"learnig_rate": 0.1}), nl.HyperparameterError,
     ["unknown setting", "did you mean 'learning_rate'?"]),
    ("unknown-activation", lambda t: config.check_config({"activations": ["tanh", "relux"]}), nl.UnknownNameError,
     ["relux", "did you mean 'relu'?"]),
    ("one-activation-per-layer", lambda t: config.check_config({"hidden": [4, 4, 4]}), nl.ShapeError,
     ["one activation per hidden layer (3)"]),
    ("too-many-neurons", lambda t: config.check_config({"hidden": [4, 1000]}), nl.HyperparameterError,
     ["hidden layer 2 size", "in [1, 64]"]),
    ("negative-learning-rate", lambda t: config.check_config({"learning_rate": -1}), nl.HyperparameterError,
     ["learning_rate must be > 0"]),
    ("unknown-data", lambda t: config.check_config({"data": "spiral"}), nl.UnknownNameError,
     ["unknown data set 'spiral'", "upload a CSV file"]),
    ("upload-before-a-file", lambda t: config.check_config({"data": "upload"}), nl.DataError,
     ["no CSV file has been uploaded"]),
    ("unknown-optimizer", lambda t: config.check_config({"optimizer": "adma"}), nl.UnknownNameError, ["adma"]),
    ("test-ratio-one", lambda t: config.check_config({"test_ratio": 1.0}), nl.HyperparameterError, ["test_ratio"]),
]


@cases(CASES)
def test_bad_settings_are_refused_with_the_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)


def test_the_data_is_split_and_standardised_as_the_command_line_does():
    cfg = config.check_config({"data": "iris", "test_ratio": 0.2, "seed": 4})
    data = config.load_data(cfg)
    pd = config.build_data(cfg, data)
    train, test = data.split(0.2, seed=4)
    scaler = nl.datasets.Standardizer().fit(train.X)
    np.testing.assert_allclose(pd.X_train, scaler.transform(train.X))
    np.testing.assert_allclose(pd.X_test, scaler.transform(test.X))
    assert pd.metadata["scaler"] == scaler.to_dict() and pd.metadata["classes"] == ["setosa", "versicolor", "virginica"]
    net = config.build_network(cfg, pd)
    assert net.output_activation.name == "softmax" and net.loss.name == "cross_entropy" and net.n_outputs == 3


def test_values_to_predict_take_an_identity_output_and_standardised_targets():
    cfg = config.check_config({"data": "diabetes", "hidden": [6], "activations": ["tanh"]})
    pd = config.build_data(cfg, config.load_data(cfg))
    net = config.build_network(cfg, pd)
    assert (net.output_activation.name, net.loss.name, pd.y_train.shape[1]) == ("identity", "mse", 1)
    assert abs(pd.y_train.mean()) < 1e-9 and abs(pd.y_train.std() - 1) < 1e-9


def test_the_snippet_of_an_uploaded_file_reads_it_with_its_target(tmp_path, monkeypatch):
    path = tmp_path / "pets.csv"
    path.write_text("a,b,kind\n" + "".join(f"{i % 5},{i % 3},{'cat' if i % 2 else 'dog'}\n" for i in range(30)))
    upload = nl.datasets.read_csv(str(path), target="kind")
    cfg = config.check_config({"data": "upload", "target": "kind", "hidden": [3], "activations": ["relu"]}, upload)
    code = config.snippet(cfg, 2, "pets.csv")
    assert "nl.datasets.read_csv('pets.csv', target='kind')" in code
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "playground.py", "exec"), scope)
    assert scope["net"].metadata["classes"] == ["cat", "dog"] and len(scope["history"]) == 2
