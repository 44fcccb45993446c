"""The ``neuronlab`` command line, end to end: every command runs in a subprocess
(``python -W error -m neuronlab ...``) on small data and its output is parsed and checked."""
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import neuronlab as nl

from command_line import COLOURS, QUICK, bad, ok, run

COMMANDS = ["train", "evaluate", "predict", "inspect", "explain", "neuron", "activations", "plot", "perceptron",
            "sweep"]


# -- help and usage -------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command(command):
    r = ok(run(command, "--help"))
    assert "examples:" in r.stdout and f"neuronlab {command}" in r.stdout


def test_no_command_prints_help():
    r = ok(run())
    assert "usage: neuronlab" in r.stdout
    for command in COMMANDS:
        assert command in r.stdout


def test_console_script_is_the_same_program():
    script = shutil.which("neuronlab", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("console script not installed next to this Python")
    r = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout == ok(run("--help")).stdout


def test_usage_errors_are_one_line():
    bad(run("train", "--epochs", "zero"), "--epochs", "not a whole number")
    bad(run("train", "--hidden", "64,x"), "--hidden")
    bad(run("frobnicate"), "invalid choice")
    bad(run("neuron", "--weights", "0.1,0.2", "--inputs", "0.5"), "2 weights but 1 input")


# -- train ------------------------------------------------------------------------------------

def test_train_generated_data_and_options(tmp_path):
    r = ok(run("train", "--data", "xor", "--samples", "200", "--hidden", "8,8", "--activation", "tanh,relu",
               "--epochs", "40", "--lr", "0.03", "--optimizer", "rmsprop", "--early-stopping", "0",
               "--out", tmp_path / "xor.nlz", "--json", *QUICK))
    s = json.loads(r.stdout)
    assert s["network"] == "2 → 8 → 8 → 2" and s["activations"] == ["tanh", "relu", "softmax"]
    assert s["epochs_run"] == 40 and s["test"]["accuracy"] >= 0.9
    assert (tmp_path / "xor.nlz").is_file()


def test_regression_train_evaluate_predict(files, tmp_path):
    path = tmp_path / "reg.nlz"
    s = json.loads(ok(run("train", "--data", files["reg"], "--hidden", "16", "--epochs", "80", "--lr", "0.02",
                          "--out", path, "--json", *QUICK)).stdout)
    assert s["task"] == "regression" and s["loss"] == "mse"
    assert s["test"]["r2"] > 0.9
    m = json.loads(ok(run("evaluate", path, "--data", files["reg"], "--json")).stdout)
    assert m["r2"] > 0.9 and m["mae"] < 1.5                  # in the original units
    out = tmp_path / "values.csv"
    ok(run("predict", path, "--data", files["reg"], "--out", out))
    with open(out) as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["price"] and len(rows) == 121
    with open(files["reg"]) as fh:
        truth = [float(r[2]) for r in list(csv.reader(fh))[1:]]
    predicted = [float(r[0]) for r in rows[1:]]
    assert np.mean(np.abs(np.subtract(predicted, truth))) < 1.5


def test_train_reads_an_idx_pair(tmp_path):
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(2, dtype=np.uint8), 30)
    images = rng.integers(0, 60, (60, 3, 3)).astype(np.uint8)
    images[labels == 1, 1, 1] = 250                           # class 1 has a bright centre pixel
    nl.datasets.write_idx(str(tmp_path / "img-idx3-ubyte"), images)
    nl.datasets.write_idx(str(tmp_path / "lab-idx1-ubyte.gz"), labels)
    s = json.loads(ok(run("train", "--data", f"{tmp_path / 'img-idx3-ubyte'},{tmp_path / 'lab-idx1-ubyte.gz'}",
                          "--hidden", "4", "--epochs", "30", "--lr", "0.05", "--out", tmp_path / "m.nlz",
                          "--json", *QUICK)).stdout)
    assert s["network"].startswith("9 →") and s["test"]["accuracy"] >= 0.9


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery")
def test_ctrl_c_keeps_the_last_finished_epoch(files, tmp_path):
    path = tmp_path / "stopped.nlz"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-W", "error", "-m", "neuronlab", "train", "--data", str(files["train"]),
                             "--epochs", "100000", "--early-stopping", "0", "--batch-size", "1", "--hidden", "8",
                             "--out", str(path), "--no-plots", "--progress", "lines"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in proc.stderr:
            if line.startswith("epoch 3/"):
                break
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    assert "keeping the model of epoch" in stdout
    net = nl.load(path)
    done = net.metadata["history"]["epochs"]
    assert len(done) >= 3 and done == list(range(1, len(done) + 1))
    assert net.metadata["training"]["interrupted"] is True


def test_a_killed_training_resumes_from_its_checkpoint_to_the_same_weights(files, tmp_path):
    common = ["train", "--data", files["train"], "--epochs", "6", "--early-stopping", "0", "--hidden", "8",
              "--batch-size", "4", *QUICK]
    ok(run(*common, "--out", tmp_path / "straight.nlz", "--checkpoint", tmp_path / "straight.ckpt"))
    ckpt, out = tmp_path / "run.ckpt", tmp_path / "resumed.nlz"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-W", "error", "-m", "neuronlab", *map(str, common[:-2]),
                             "--progress", "lines", "--out", str(out), "--checkpoint", str(ckpt)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in proc.stderr:
            if line.startswith("epoch 3/"):
                break
        proc.kill()                                   # SIGKILL: no chance to clean up
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not out.exists() and ckpt.exists()         # killed after epoch 2's checkpoint, before the model
    assert "no checkpoint" not in ok(run(*common, "--out", out, "--checkpoint", ckpt, "--resume")).stderr
    straight, resumed = nl.load(tmp_path / "straight.nlz"), nl.load(out)
    assert np.array_equal(straight.parameters, resumed.parameters)
    assert resumed.metadata["history"]["epochs"] == list(range(1, 7))


def test_resuming_a_finished_run_says_so_and_writes_the_same_model(files, tmp_path):
    common = ["train", "--data", files["train"], "--epochs", "4", "--early-stopping", "0", "--hidden", "8", *QUICK,
              "--checkpoint", tmp_path / "run.ckpt"]
    first = ok(run(*common, "--out", tmp_path / "first.nlz"))
    assert "resumed" not in first.stdout
    again = ok(run(*common, "--out", tmp_path / "again.nlz", "--resume"))
    assert "resumed from epoch 4: the run had already finished; nothing left to train" in again.stdout
    assert np.array_equal(nl.load(tmp_path / "first.nlz").parameters, nl.load(tmp_path / "again.nlz").parameters)
    longer = ok(run(*common[:4], "6", *common[5:], "--out", tmp_path / "longer.nlz", "--resume"))
    assert "resumed from epoch 4: trained 2 more epochs (6 in all)" in longer.stdout


def test_resume_without_a_checkpoint_file_is_a_usage_error(files, tmp_path):
    bad(run("train", "--data", files["train"], "--resume", tmp_path / "missing.ckpt", *QUICK),
        "no checkpoint file", "missing.ckpt")
    bad(run("train", "--data", files["train"], "--resume", *QUICK), "--resume needs a file")


# -- the commands that read a model -----------------------------------------------------------

def test_evaluate(model, files):
    m = json.loads(ok(run("evaluate", model, "--data", files["train"], "--json")).stdout)
    assert m["accuracy"] >= 0.85 and m["samples"] == 150 and m["classes"] == ["blue", "green", "red"]
    cm = np.array(m["confusion_matrix"])
    assert cm.shape == (3, 3) and cm.sum() == 150
    text = ok(run("evaluate", model, "--data", files["train"])).stdout
    assert "accuracy" in text and "confusion matrix" in text and "green" in text


def test_predict_writes_one_row_per_input_row(model, files, tmp_path):
    out = tmp_path / "sub" / "predictions.csv"
    r = ok(run("predict", model, "--data", files["new"], "--out", out))
    assert "17 predictions" in r.stderr
    with open(out) as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["prediction", "p_blue", "p_green", "p_red"]
    assert len(rows) == 1 + 17
    probs = np.array([[float(v) for v in r[1:]] for r in rows[1:]])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    classes = ["blue", "green", "red"]
    assert [r[0] for r in rows[1:]] == [classes[i] for i in probs.argmax(axis=1)]
    truth = [COLOURS[i] for i in files["labels"][:17]]
    assert np.mean([p == t for p, t in zip([r[0] for r in rows[1:]], truth)]) >= 0.8
    # to standard output, from the labelled file (its target column is ignored)
    lines = ok(run("predict", model, "--data", files["train"])).stdout.strip().splitlines()
    assert len(lines) == 151


def test_inspect(model, files):
    r = ok(run("inspect", model, "--data", files["train"]))
    assert re.search(r"^layer\s+activation\s+neurons\s+% firing\s+dead\s+saturated", r.stdout, re.M)
    assert "(output)" in r.stdout
    s = json.loads(ok(run("inspect", model, "--data", files["train"], "--json")).stdout)
    assert s["samples"] == 150 and [l["neurons"] for l in s["layers"]] == [8, 3]
    for layer in s["layers"]:
        assert 0.0 <= layer["firing"] <= 1.0 and layer["n_dead"] == len(layer["dead_neurons"])
    assert isinstance(s["worst"], list)


def test_explain(model, files):
    r = ok(run("explain", model, "--data", files["train"], "--row", "3", "--layer", "0", "--neuron", "5"))
    assert "layer 0, neuron 5" in r.stdout and "weighted sum" in r.stdout
    d = json.loads(ok(run("explain", model, "--data", files["train"], "--row", "3", "--layer", "1",
                          "--neuron", "2", "--json")).stdout)
    assert len(d["inputs"]) == 8 and d["activation"] == "softmax"
    assert d["weighted_sum"] == pytest.approx(sum(d["products"]) + d["bias"], abs=1e-4)
    bad(run("explain", model, "--data", files["train"], "--row", "999"), "999", "150 rows")
    bad(run("explain", model, "--data", files["train"], "--layer", "7"), "layer 7")


# -- commands without a model ----------------------------------------------------------------

def test_neuron_prints_the_worked_example():
    r = ok(run("neuron", "--weights", "0.1,0.2", "--bias", "0.3", "--inputs", "0.5,0.6", "--activation", "relu"))
    lines = r.stdout.splitlines()
    assert lines[0] == "0.47"
    assert "0.5×0.1 + 0.6×0.2 + 0.3 = 0.47 → relu(0.47) = 0.47 → fires" in r.stdout
    d = json.loads(ok(run("neuron", "--weights=-1,2", "--inputs", "1,1", "--activation", "sigmoid", "--json")).stdout)
    assert d["weighted_sum"] == pytest.approx(1.0) and d["activation_value"] == pytest.approx(1 / (1 + np.exp(-1)))


def test_activations_table():
    r = ok(run("activations"))
    header = r.stdout.splitlines()[0]
    assert "range" in header and "fires above" in header and "f′(z)" in header
    assert re.search(r"^relu\s+\(0, ∞\)\s+0\s+max\(0, z\)", r.stdout, re.M)
    rows = json.loads(ok(run("activations", "--json")).stdout)
    assert [row["name"] for row in rows] == nl.activations.names()


@pytest.mark.parametrize("gate,converges", [("and", True), ("or", True), ("xor", False)])
def test_perceptron_gates(gate, converges):
    r = ok(run("perceptron", "--gate", gate))
    assert ("converged after" in r.stdout) is converges
    assert ("did not converge" in r.stdout) is (not converges)
    d = json.loads(ok(run("perceptron", "--gate", gate, "--json")).stdout)
    assert d["converged"] is converges
    if converges:
        assert d["predictions"] == d["targets"]


# -- bad input: exit code 2, one line ---------------------------------------------------------

def test_bad_input_is_one_line_and_exit_2(tmp_path, files):
    bad(run("train", "--data", tmp_path / "nope.csv", *QUICK), "no such file", "nope.csv")
    bad(run("train", "--data", "moon", *QUICK), "unknown data set 'moon'", "did you mean 'moons'")
    bad(run("train", "--data", "moons", "--activation", "relue", *QUICK), "unknown activation 'relue'",
        "did you mean 'relu'")
    bad(run("train", "--data", "moons", "--loss", "hinge", *QUICK), "unknown loss 'hinge'")
    bad(run("train", "--data", "moons", "--hidden", "4,4", "--activation", "relu,tanh,relu", *QUICK),
        "3 activations for 2 hidden layers")
    lines = ["age,income,label"] + [f"{20 + i},{1000 + i},{'yes' if i % 2 else 'no'}" for i in range(15)]
    lines.append("abc,1200,yes")
    (tmp_path / "bad.csv").write_text("\n".join(lines) + "\n")
    bad(run("train", "--data", tmp_path / "bad.csv", *QUICK), "line 17, column 'age': 'abc' is not a number")
    (tmp_path / "ragged.csv").write_text("a,b,label\n1,2,x\n3,y\n")
    bad(run("train", "--data", tmp_path / "ragged.csv", *QUICK), "line 3", "expected 3 values")
    bad(run("evaluate", tmp_path / "missing.nlz", "--data", "moons"), "no such model file")
    bad(run("train", "--data", files["train"], "--target", "color", *QUICK), "no column 'color'",
        "did you mean 'colour'")


def test_bad_input_for_a_model(model, files, tmp_path):
    bad(run("evaluate", model, "--data", files["new"]), "no column 'colour'", "height, width")
    (tmp_path / "wrong.csv").write_text("x,y,z,colour\n1,2,3,red\n")
    bad(run("evaluate", model, "--data", tmp_path / "wrong.csv"), "feature column")
    (tmp_path / "unseen.csv").write_text("width,height,colour\n1,2,purple\n")
    bad(run("evaluate", model, "--data", tmp_path / "unseen.csv"), "'purple' was not seen in training")
    (tmp_path / "notamodel.nlz").write_text("hello")
    r = run("evaluate", tmp_path / "notamodel.nlz", "--data", files["train"])
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_a_csv_without_a_header_row_is_refused_until_no_header_says_so(files, tmp_path):
    rows = files["reg"].read_text().splitlines()[1:]
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("\n".join(rows) + "\n")
    bad(run("train", "--data", headerless, "--epochs", "2", *QUICK, "--out", tmp_path / "m.nlz"),
        str(headerless), "looks like data", "--no-header")
    trained = ok(run("train", "--data", headerless, "--no-header", "--epochs", "2", *QUICK,
                     "--out", tmp_path / "m.nlz"))
    assert f"{len(rows)} samples, 2 features, regression" in trained.stdout
    assert nl.load(tmp_path / "m.nlz").metadata["feature_names"] == ["x0", "x1"]
    ok(run("evaluate", tmp_path / "m.nlz", "--data", headerless, "--no-header"))
    bad(run("train", "--data", "iris", "--no-header", *QUICK, "--out", tmp_path / "i.nlz"), "CSV files only")


def test_a_model_file_holding_a_pipeline_is_refused_rather_than_run_without_its_scaler(files, tmp_path):
    pytest.importorskip("sklearn")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from neuronlab.sklearn import NetworkClassifier, save
    data = nl.datasets.load("blobs", n=60, seed=0)
    pipe = make_pipeline(StandardScaler(), NetworkClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0))
    save(pipe.fit(data.X * 100, data.y), tmp_path / "pipe.nlz")
    bad(run("evaluate", tmp_path / "pipe.nlz", "--data", files["train"]), "Pipeline", "preprocessing", "nl.load(path)")
