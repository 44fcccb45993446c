"""PyTorch both ways: an nn.Sequential read into a network predicts what the module computes
(float32, to 1e-6), for every activation, random and trained; Network.to_torch writes the same
network back, and the round trip is exact."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import neuronlab as nl  # noqa: E402

#: neuronlab activation → the PyTorch module that computes it
MODULES = {
    "relu": lambda: nn.ReLU(), "leaky_relu": lambda: nn.LeakyReLU(0.2), "elu": lambda: nn.ELU(0.7),
    "selu": lambda: nn.SELU(), "gelu": lambda: nn.GELU(), "gelu_tanh": lambda: nn.GELU(approximate="tanh"),
    "sigmoid": lambda: nn.Sigmoid(), "tanh": lambda: nn.Tanh(), "softplus": lambda: nn.Softplus(),
    "silu": lambda: nn.SiLU(), "mish": lambda: nn.Mish(), "softsign": lambda: nn.Softsign(),
    "hard_sigmoid": lambda: nn.Hardsigmoid(), "hard_tanh": lambda: nn.Hardtanh(), "identity": lambda: nn.Identity(),
}


def _run(module, X):
    with torch.no_grad():
        return module(torch.from_numpy(X)).numpy()


@pytest.fixture
def X(rng):
    return (3.0 * rng.normal(size=(64, 5))).astype(np.float32)


@pytest.mark.parametrize("act", sorted(MODULES))
def test_every_activation_reads_back_with_the_same_outputs(act, X):
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(5, 8), MODULES[act](), nn.Dropout(0.1), nn.Linear(8, 3), nn.Softmax(dim=-1))
    net = nl.from_torch(module.eval())
    assert net.dense_layers[0].activation.name == act
    assert net.loss.name == "cross_entropy" and net.dtype == np.float32
    np.testing.assert_allclose(net.predict_proba(X), _run(module, X), rtol=0, atol=1e-6)


def test_leaky_relu_slope_and_elu_alpha_are_carried_over(X):
    net = nl.from_torch(nn.Sequential(nn.Linear(5, 4), nn.LeakyReLU(0.3), nn.Linear(4, 2), nn.ELU(alpha=0.5)))
    assert net.dense_layers[0].activation.params == {"alpha": 0.3}
    assert net.dense_layers[1].activation.params == {"alpha": 0.5}


@pytest.mark.parametrize("act", sorted(MODULES))
def test_to_torch_computes_what_the_network_computes(act, X):
    params = {"leaky_relu": {"alpha": 0.2}, "elu": {"alpha": 0.7}}.get(act, {})
    net = nl.Network([nl.Dense(5, 9, activation={"name": act, **params}), nl.Dropout(0.3),
                      nl.Dense(9, 4, activation="tanh"), nl.Dense(4, 3, activation="softmax")], seed=4)
    module = net.to_torch()
    assert not module.training
    np.testing.assert_allclose(_run(module, X), net.predict_proba(X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_network_to_torch_and_back_is_exact(dtype):
    net = nl.Network([nl.Dense(4, 6, activation={"name": "leaky_relu", "alpha": 0.05}), nl.Dropout(0.25),
                      nl.Dense(6, 5, activation="gelu_tanh", use_bias=False), nl.Dense(5, 2, activation="sigmoid")],
                     loss="mse", seed=2, dtype=dtype)
    net.metadata = {"classes": ["cat", "dog"], "feature_names": list("abcd")}
    back = nl.from_torch(net.to_torch())
    assert back.dtype == net.dtype
    np.testing.assert_array_equal(back.parameters, net.parameters)
    assert back.config()["layers"] == net.config()["layers"] and back.loss.name == "mse"
    assert back.metadata["classes"] == ["cat", "dog"] and back.metadata["feature_names"] == list("abcd")


def test_a_trained_torch_classifier_reads_back_with_the_same_predictions(rng):
    X = rng.normal(size=(256, 3)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    torch.manual_seed(1)
    module = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = torch.optim.Adam(module.parameters(), lr=0.02)
    for _ in range(60):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(module(torch.from_numpy(X)), torch.from_numpy(y))
        loss.backward()
        opt.step()
    trained = nn.Sequential(*module, nn.Softmax(dim=1)).eval()
    net = nl.from_torch(trained, n_inputs=3)
    np.testing.assert_allclose(net.predict_proba(X), _run(trained, X), rtol=0, atol=1e-6)
    assert (net.predict(X) == y).mean() > 0.9


def test_log_softmax_output_reads_as_softmax_probabilities(X):
    module = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3), nn.LogSoftmax(dim=-1))
    net = nl.from_torch(module)
    assert net.output_activation.name == "softmax" and net.metadata["log_probabilities"] is True
    np.testing.assert_allclose(net.predict_proba(X), np.exp(_run(module, X)), rtol=0, atol=1e-6)


@pytest.mark.parametrize("output, task, loss", [(nn.Sigmoid, "classification", "binary_crossentropy"),
                                                (nn.Identity, "regression", "mse")])
def test_binary_multilabel_and_regression_outputs(output, task, loss, X):
    for n_out in (1, 3):
        module = nn.Sequential(nn.Linear(5, 6), nn.SiLU(), nn.Linear(6, n_out), output())
        net = nl.from_torch(module)
        assert net.metadata["task"] == task and net.loss.name == loss and net.n_outputs == n_out
        np.testing.assert_allclose(net.predict_proba(X), _run(module, X), rtol=1e-6, atol=1e-6)


def test_nested_sequentials_flatten_and_identity_are_read_in_order(X):
    module = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(5, 4), nn.Mish()), nn.Identity(),
                           nn.Sequential(nn.Sequential(nn.Linear(4, 2))))
    net = nl.from_torch(module)
    assert [l.activation.name for l in net.dense_layers] == ["mish", "identity"]
    np.testing.assert_allclose(net.predict_proba(X), _run(module, X), rtol=1e-6, atol=1e-6)


def test_a_double_module_gives_a_float64_network_that_agrees_closely(rng):
    module = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    X = rng.normal(size=(20, 3))
    net = nl.from_torch(module)
    assert net.dtype == np.float64
    np.testing.assert_allclose(net.predict_proba(X), _run(module, X), rtol=0, atol=1e-12)
