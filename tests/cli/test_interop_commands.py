"""``neuronlab export`` writes ONNX and PyTorch files that compute what the model computes,
``neuronlab import`` reads ONNX into a model file, and the model commands read .onnx files
directly."""
import json

import numpy as np
import pytest

import neuronlab as nl

from command_line import bad, ok, run

onnx = pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def exported(model, tmp_path_factory):
    path = tmp_path_factory.mktemp("onnx") / "colours.onnx"
    r = ok(run("export", model, "--to", "onnx", "--out", path))
    assert f"wrote {path}: ONNX (opset 17)" in r.stdout
    return path


def test_the_onnx_file_runs_in_onnxruntime_with_the_models_outputs(model, exported, rng):
    ort = pytest.importorskip("onnxruntime")
    net = nl.load(model)
    X = rng.normal(size=(20, 2)).astype(np.float32)
    out = ort.InferenceSession(str(exported), providers=["CPUExecutionProvider"]).run(None, {"input": X})[0]
    np.testing.assert_allclose(out, net.predict_proba(X), rtol=0, atol=1e-6)


def test_inspect_explain_evaluate_and_plot_read_the_onnx_file_directly(model, exported, files, tmp_path):
    for command in ("inspect", "evaluate"):
        from_nlz = json.loads(ok(run(command, model, "--data", files["train"], "--json")).stdout)
        from_onnx = json.loads(ok(run(command, exported, "--data", files["train"], "--json")).stdout)
        assert from_onnx.keys() == from_nlz.keys()
        if command == "evaluate":
            assert from_onnx["accuracy"] == from_nlz["accuracy"] and from_onnx["classes"] == from_nlz["classes"]
            assert from_onnx["loss"] == pytest.approx(from_nlz["loss"], rel=1e-6)
    r = ok(run("explain", exported, "--data", files["train"], "--layer", "0", "--neuron", "1"))
    assert "layer 0, neuron 1" in r.stdout
    ok(run("plot", exported, "--data", files["train"], "--kind", "diagram", "--out", tmp_path / "d.png"))
    assert (tmp_path / "d.png").stat().st_size > 1000


def test_import_writes_a_model_file_with_the_same_weights_and_metadata(model, exported, tmp_path):
    r = ok(run("import", exported, "--out", tmp_path / "back.nlz"))
    assert "wrote" in r.stdout and "2 → 8 → 3 (relu, softmax)" in r.stdout
    back, net = nl.load(tmp_path / "back.nlz"), nl.load(model)
    np.testing.assert_array_equal(back.parameters, net.parameters)
    assert back.metadata["classes"] == net.metadata["classes"]


def test_export_to_torch_writes_weights_that_load_without_pickled_code(model, tmp_path, rng):
    torch = pytest.importorskip("torch")
    path = tmp_path / "colours.pt"
    r = ok(run("export", model, "--to", "torch", "--out", path))
    assert "weights_only=True" in r.stdout
    snippet = r.stdout[r.stdout.index("import torch"):].replace(repr(str(path)), "PATH")
    scope = {"PATH": str(path)}
    exec(snippet, scope)
    X = rng.normal(size=(10, 2)).astype(np.float32)
    with torch.no_grad():
        out = scope["model"](torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(out, nl.load(model).predict_proba(X), rtol=0, atol=1e-6)


def test_wrong_files_and_formats_are_one_line_errors(model, files, tmp_path):
    bad(run("import", model, "--out", tmp_path / "x.nlz"), "not an .onnx file")
    (tmp_path / "junk.onnx").write_bytes(b"\x08junk\xff")
    bad(run("inspect", tmp_path / "junk.onnx", "--data", files["train"]), "junk.onnx", "not an ONNX model")
    r = run("export", model, "--to", "keras", "--out", tmp_path / "x")
    assert r.returncode == 2 and "invalid choice: 'keras'" in r.stderr
    net = nl.Network([nl.Dense(2, 3, activation="step"), nl.Dense(3, 3, activation="softmax")])
    net.save(tmp_path / "step.nlz")
    bad(run("export", tmp_path / "step.nlz", "--to", "onnx", "--out", tmp_path / "s.onnx"), "'step'", "supports")
