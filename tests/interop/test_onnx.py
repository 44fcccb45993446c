"""ONNX both ways: Network.to_onnx writes a standard graph that onnxruntime runs with the
network's outputs (float32, to 1e-6), for every activation and every kind of output;
from_onnx reads it back exactly, and reads the other standard spellings (Gemm, Constant
nodes, the single Gelu, Mish and Selu operators)."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import neuronlab as nl  # noqa: E402
from neuronlab.interop import EXPORTABLE, OPSET  # noqa: E402

PARAMS = {"leaky_relu": {"alpha": 0.3}, "elu": {"alpha": 0.7}}


def _run(path, X):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": X})[0]


@pytest.fixture
def X(rng):
    return (3.0 * rng.normal(size=(64, 5))).astype(np.float32)


@pytest.mark.parametrize("act", EXPORTABLE)
def test_onnxruntime_computes_what_the_network_computes(act, X, tmp_path):
    net = nl.Network([nl.Dense(5, 8, activation={"name": act, **PARAMS.get(act, {})}), nl.Dropout(0.2),
                      nl.Dense(8, 6, activation="tanh"), nl.Dense(6, 3, activation="softmax")], seed=1)
    path = tmp_path / "m.onnx"
    net.to_onnx(path)
    np.testing.assert_allclose(_run(path, X), net.predict_proba(X), rtol=0, atol=1e-6)


@pytest.mark.parametrize("act", EXPORTABLE)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_to_onnx_and_back_is_exact(act, dtype, tmp_path):
    net = nl.Network([nl.Dense(3, 4, activation={"name": act, **PARAMS.get(act, {})}), nl.Dropout(0.1),
                      nl.Dense(4, 2, activation="identity", use_bias=False), nl.Dense(2, 2, activation="sigmoid")],
                     loss="mse", seed=5, dtype=dtype)
    net.metadata = {"classes": ["a", "b"], "feature_names": ["x", "y", "z"]}
    net.to_onnx(tmp_path / "m.onnx")
    back = nl.from_onnx(tmp_path / "m.onnx")
    assert back.dtype == net.dtype
    np.testing.assert_array_equal(back.parameters, net.parameters)
    assert back.config()["layers"] == net.config()["layers"] and back.loss.name == "mse"
    assert back.metadata["classes"] == ["a", "b"] and back.metadata["feature_names"] == ["x", "y", "z"]


@pytest.mark.parametrize("n_out, output, loss", [(1, "sigmoid", "binary_crossentropy"),
                                                 (4, "sigmoid", "binary_crossentropy"),
                                                 (3, "softmax", "cross_entropy"), (2, "identity", "mse")])
def test_trained_networks_of_every_output_kind_agree_with_onnxruntime(n_out, output, loss, rng, tmp_path):
    X = rng.normal(size=(200, 4)).astype(np.float32)
    if loss == "mse":
        y = np.column_stack([X[:, 0] - X[:, 1], X[:, 2] * X[:, 3]])
    elif loss == "cross_entropy":
        y = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])
    else:
        y = (X[:, :n_out] > 0).astype(np.float32)
    net = nl.Network.mlp([4, 12, 8, n_out], hidden="relu", output=output, loss=loss, seed=3)
    net.fit(X, y, epochs=5, verbose=0)
    net.to_onnx(tmp_path / "m.onnx")
    np.testing.assert_allclose(_run(tmp_path / "m.onnx", X), net.predict_proba(X), rtol=1e-6, atol=1e-6)
    assert nl.from_onnx(tmp_path / "m.onnx").metadata["task"] == ("regression" if loss == "mse" else "classification")


def test_the_file_is_a_valid_standard_graph_with_the_stated_opset(tmp_path):
    net = nl.Network.mlp([3, 4, 2], hidden="mish", seed=0)
    net.to_onnx(tmp_path / "m.onnx")
    model = onnx.load(str(tmp_path / "m.onnx"))
    onnx.checker.check_model(model, full_check=True)
    assert [(o.domain, o.version) for o in model.opset_import] == [("", OPSET)]
    assert {n.op_type for n in model.graph.node} <= {"MatMul", "Add", "Softplus", "Tanh", "Mul", "Softmax",
                                                     "Identity"}


def _write(tmp_path, nodes, inits, n_in=3, n_out=2, opset=20):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", n_in])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", n_out])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    path = tmp_path / "other.onnx"
    onnx.save(model, str(path))
    return path


@pytest.mark.parametrize("op, attrs, name", [("Gelu", {}, "gelu"), ("Gelu", {"approximate": "tanh"}, "gelu_tanh"),
                                             ("Mish", {}, "mish"), ("Selu", {}, "selu"),
                                             ("HardSigmoid", {"alpha": 1 / 6}, "hard_sigmoid")])
def test_gemm_with_transposed_weights_and_single_activation_operators_are_read(op, attrs, name, rng, tmp_path):
    W = rng.normal(size=(4, 3)).astype(np.float32)      # Gemm transB=1: (out, in), as PyTorch writes it
    b = rng.normal(size=4).astype(np.float32)
    W2 = rng.normal(size=(4, 2)).astype(np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["h"], transB=1),
             helper.make_node(op, ["h"], ["a"], **attrs),
             helper.make_node("Constant", [], ["W2"], value=numpy_helper.from_array(W2, "W2")),
             helper.make_node("MatMul", ["a", "W2"], ["y"])]
    path = _write(tmp_path, nodes, [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")])
    net = nl.from_onnx(path)
    assert [l.activation.name for l in net.dense_layers] == [name, "identity"]
    assert not net.dense_layers[1].use_bias
    X = rng.normal(size=(30, 3)).astype(np.float32) * 2
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(net.predict_proba(X), session.run(None, {"x": X})[0], rtol=1e-6, atol=1e-6)


def test_log_softmax_at_the_end_reads_as_softmax(rng, tmp_path):
    W = rng.normal(size=(3, 2)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W"], ["h"]), helper.make_node("LogSoftmax", ["h"], ["y"], axis=1)]
    net = nl.from_onnx(_write(tmp_path, nodes, [numpy_helper.from_array(W, "W")]))
    assert net.output_activation.name == "softmax" and net.metadata["log_probabilities"] is True
