"""What a framework cannot express, or a file that is not what it says, is refused with an
error naming the layer or the node, the problem and what is supported; reading an ONNX file
reads no other path and allocates nothing its declared sizes do not allow."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import (ArgumentTypeError, HyperparameterError, MissingExtraError, ModelFileError,
                              NotFittedError, ShapeError, UnknownNameError)


# -- PyTorch -------------------------------------------------------------------------------

@pytest.fixture
def nn():
    return pytest.importorskip("torch").nn


@pytest.mark.parametrize("make, message", [
    (lambda nn: nn.Sequential(nn.Conv2d(1, 2, 3), nn.Linear(3, 2)), r"module 0 \(Conv2d\): Conv2d layers are not supported.*Linear, Dropout"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU()), r"module 1 \(BatchNorm1d\).*not supported"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.LSTM(4, 2)), r"module 1 \(LSTM\)"),
])
def test_torch_layers_neuronlab_has_not_are_refused_by_position(nn, make, message):
    with pytest.raises(ArgumentTypeError, match=message):
        nl.from_torch(make(nn))


def test_a_module_with_its_own_forward_is_refused_with_the_fix(nn):
    class Branching(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 2), nn.Linear(3, 2)

        def forward(self, x):
            return self.a(x) + self.b(x)

    with pytest.raises(ArgumentTypeError, match="Branching has its own forward.*rebuild it as an nn.Sequential"):
        nl.from_torch(Branching())


@pytest.mark.parametrize("make, error, message", [
    (lambda nn: nn.Sequential(nn.ReLU(), nn.Linear(3, 4)), ShapeError, r"module 0 \(ReLU\): ReLU follows the input"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.ReLU()), ShapeError, "put Dropout after the activation"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Tanh()), ShapeError, r"module 2 \(Tanh\)"),
    (lambda nn: nn.Sequential(nn.Dropout(0.2), nn.Linear(3, 4)), ShapeError, "Dropout before the first"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 2)), ShapeError, r"module 1 \(Linear\): Linear takes 5"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.LogSoftmax(dim=1), nn.Linear(4, 2)), ShapeError, "after LogSoftmax"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=0)), ShapeError, "dim=-1 or 1"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.0)), HyperparameterError, "positive slope"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.Hardtanh(-2, 2)), HyperparameterError, "min_val=-1, max_val=1"),
    (lambda nn: nn.Sequential(nn.Linear(3, 4), nn.Softplus(beta=2)), HyperparameterError, "beta=1"),
    (lambda nn: nn.Sequential(nn.Flatten(0)), ShapeError, "start_dim=1"),
    (lambda nn: nn.Sequential(nn.LazyLinear(4)), ShapeError, "run the model once"),
    (lambda nn: nn.Sequential(), ShapeError, "no fully connected layer"),
])
def test_torch_arrangements_neuronlab_cannot_express_are_refused(nn, make, error, message):
    with pytest.raises(error, match=message):
        nl.from_torch(make(nn))


def test_n_inputs_must_match_the_first_linear(nn):
    with pytest.raises(ShapeError, match="n_inputs is 5 but the first Linear takes 3"):
        nl.from_torch(nn.Sequential(nn.Linear(3, 2)), n_inputs=5)


def test_something_that_is_not_a_module_is_refused(nn):
    with pytest.raises(ArgumentTypeError, match="got str"):
        nl.from_torch("model.pt")


@pytest.fixture
def cube():
    nl.activations.register("cube_for_export", lambda z: z ** 3, lambda z: 3 * z ** 2, output_range=(-np.inf, np.inf))
    yield "cube_for_export"
    nl.activations.unregister("cube_for_export")


def test_export_refuses_a_user_registered_activation_naming_the_layer(cube, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    net = nl.Network([nl.Dense(2, 3, activation=cube), nl.Dense(3, 1)])
    with pytest.raises(ArgumentTypeError, match="layer 0 .*'cube_for_export' is registered by the user.*supports "
                                                "identity, relu"):
        net.to_torch()
    with pytest.raises(ArgumentTypeError, match="ONNX export supports"):
        net.to_onnx(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_export_refuses_the_step_activation(tmp_path):
    pytest.importorskip("onnx")
    net = nl.Network([nl.Dense(2, 3, activation="step"), nl.Dense(3, 1)])
    with pytest.raises(ArgumentTypeError, match="'step' has no exact ONNX equivalent"):
        net.to_onnx(tmp_path / "m.onnx")


# -- scikit-learn --------------------------------------------------------------------------

def test_sklearn_refuses_unfitted_models_other_objects_and_the_poisson_loss():
    pytest.importorskip("sklearn")
    import warnings
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    with pytest.raises(NotFittedError, match="call fit"):
        nl.from_sklearn(MLPClassifier())
    with pytest.raises(ArgumentTypeError, match="MLPClassifier or MLPRegressor, got Network"):
        nl.from_sklearn(nl.Network.mlp([2, 1], output="identity"))
    X = np.random.default_rng(0).random((30, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        poisson = MLPRegressor(loss="poisson", max_iter=5).fit(X, X[:, 0] + 1)
    with pytest.raises(UnknownNameError, match="output activation 'exp'.*supported: identity, logistic, softmax"):
        nl.from_sklearn(poisson)


# -- ONNX ----------------------------------------------------------------------------------

@pytest.fixture
def onnx():
    return pytest.importorskip("onnx")


def _save(onnx, tmp_path, nodes, inits, outputs=("y",), name="bad.onnx"):
    h = onnx.helper
    graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["n", 3])],
                         [h.make_tensor_value_info(o, onnx.TensorProto.FLOAT, None) for o in outputs], inits)
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 17)])
    path = tmp_path / name
    path.write_bytes(model.SerializeToString())
    return path


def _w(onnx, name, shape=(3, 3)):
    return onnx.numpy_helper.from_array(np.ones(shape, np.float32), name)


def test_an_unknown_operator_is_refused_naming_the_node(onnx, tmp_path):
    nodes = [onnx.helper.make_node("MatMul", ["x", "W"], ["h"]),
             onnx.helper.make_node("BatchNormalization", ["h", "s", "b", "m", "v"], ["y"], name="bn1")]
    path = _save(onnx, tmp_path, nodes, [_w(onnx, "W")] + [_w(onnx, n, (3,)) for n in "sbmv"])
    with pytest.raises(ShapeError, match=r"node 'bn1' \(BatchNormalization\) is not supported; neuronlab reads "
                                         "chains of MatMul, Gemm"):
        nl.from_onnx(path)


def test_a_convolution_is_refused(onnx, tmp_path):
    nodes = [onnx.helper.make_node("Conv", ["x", "K"], ["y"])]
    with pytest.raises(ShapeError, match=r"\(Conv\) is not supported"):
        nl.from_onnx(_save(onnx, tmp_path, nodes, [_w(onnx, "K", (1, 1, 3))]))


def test_a_branching_graph_is_refused(onnx, tmp_path):
    nodes = [onnx.helper.make_node("MatMul", ["x", "A"], ["a"]), onnx.helper.make_node("MatMul", ["x", "B"], ["b"]),
             onnx.helper.make_node("Add", ["a", "b"], ["y"])]
    with pytest.raises(ShapeError, match="branching graph"):
        nl.from_onnx(_save(onnx, tmp_path, nodes, [_w(onnx, "A"), _w(onnx, "B")]))


def test_a_graph_with_two_outputs_is_refused(onnx, tmp_path):
    nodes = [onnx.helper.make_node("MatMul", ["x", "A"], ["y"]), onnx.helper.make_node("Relu", ["y"], ["z"])]
    with pytest.raises(ShapeError, match="1 inputs and 2 outputs.*branching graph"):
        nl.from_onnx(_save(onnx, tmp_path, nodes, [_w(onnx, "A")], outputs=("y", "z")))


def test_a_composition_that_is_no_known_activation_is_refused(onnx, tmp_path):
    h = onnx.helper
    nodes = [h.make_node("MatMul", ["x", "A"], ["a"]), h.make_node("Tanh", ["a"], ["t"]),
             h.make_node("Add", ["a", "t"], ["y"])]
    with pytest.raises(ShapeError, match=r"subgraph \(Tanh, Add\) that computes none of gelu"):
        nl.from_onnx(_save(onnx, tmp_path, nodes, [_w(onnx, "A")]))


def test_hard_sigmoid_with_onnx_default_slope_is_refused(onnx, tmp_path):
    nodes = [onnx.helper.make_node("MatMul", ["x", "A"], ["a"]), onnx.helper.make_node("HardSigmoid", ["a"], ["y"])]
    with pytest.raises(ShapeError, match="alpha=0.2.*PyTorch's"):
        nl.from_onnx(_save(onnx, tmp_path, nodes, [_w(onnx, "A")]))


def test_external_data_is_refused_and_the_other_file_is_never_opened(onnx, tmp_path, monkeypatch):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.ones(9, np.float32).tobytes())
    tensor = onnx.TensorProto(name="A", dims=[3, 3], data_type=onnx.TensorProto.FLOAT,
                              data_location=onnx.TensorProto.EXTERNAL)
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "secret.bin"
    path = _save(onnx, tmp_path, [onnx.helper.make_node("MatMul", ["x", "A"], ["y"])], [tensor])
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda f, *a, **k: opened.append(str(f)) or real_open(f, *a, **k))
    with pytest.raises(ModelFileError, match="'A' keeps its data in another file.*self-contained"):
        nl.from_onnx(path)
    assert str(secret) not in opened and not any("secret" in o for o in opened)


def test_an_oversized_declared_tensor_is_refused_before_allocation(onnx, tmp_path):
    tensor = onnx.TensorProto(name="A", dims=[3, 10 ** 9], data_type=onnx.TensorProto.FLOAT, raw_data=b"\0" * 12)
    path = _save(onnx, tmp_path, [onnx.helper.make_node("MatMul", ["x", "A"], ["y"])], [tensor])
    with pytest.raises(ModelFileError, match=r"'A' declares shape \[3, 1000000000\], more than the 50,000,000"):
        nl.from_onnx(path)


def test_a_tensor_holding_fewer_values_than_declared_is_damaged(onnx, tmp_path):
    tensor = onnx.TensorProto(name="A", dims=[3, 3], data_type=onnx.TensorProto.FLOAT, raw_data=b"\0" * 8)
    path = _save(onnx, tmp_path, [onnx.helper.make_node("MatMul", ["x", "A"], ["y"])], [tensor])
    with pytest.raises(ModelFileError, match="'A'"):
        nl.from_onnx(path)


def test_files_over_the_size_limit_are_refused_unread(onnx, tmp_path, monkeypatch):
    from neuronlab.interop import onnxfile
    net = nl.Network.mlp([3, 8, 2], seed=0)
    net.to_onnx(tmp_path / "m.onnx")
    monkeypatch.setattr(onnxfile, "MAX_FILE_BYTES", 100)
    with pytest.raises(ModelFileError, match="bytes, more than the 100 an ONNX file"):
        nl.from_onnx(tmp_path / "m.onnx")


@pytest.mark.parametrize("content, message", [(b"\x08\x07garbage\xff\xff\xff", "not an ONNX model"),
                                              (b"", "holds no graph")])
def test_bytes_that_are_not_onnx_are_named_so(onnx, tmp_path, content, message):
    (tmp_path / "m.onnx").write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        nl.from_onnx(tmp_path / "m.onnx")


def test_a_missing_file_is_a_data_error(onnx, tmp_path):
    with pytest.raises(nl.DataError, match="no such ONNX file"):
        nl.from_onnx(tmp_path / "none.onnx")


# -- the extras ----------------------------------------------------------------------------

@pytest.mark.parametrize("module, call", [("onnx", lambda: nl.from_onnx("m.onnx")),
                                          ("torch", lambda: nl.Network.mlp([2, 2]).to_torch())])
def test_a_missing_extra_names_what_to_install(monkeypatch, module, call):
    monkeypatch.setitem(__import__("sys").modules, module, None)
    with pytest.raises(MissingExtraError, match=rf"needs {module}; install it with: pip install 'neuronlab\[{module}\]'"):
        call()
