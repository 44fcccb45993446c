"""``neuronlab neuron --target``: one step of gradient descent of a lone neuron, as
``Neuron.learn`` takes it."""
import json

import pytest

import neuronlab as nl

from command_line import bad, ok, run

WORKED = ["neuron", "--weights", "0.1,0.2", "--bias", "0.3", "--inputs", "0.5,0.6", "--activation", "relu"]


def test_the_worked_example_prints_the_new_weights_and_bias():
    r = ok(run(*WORKED, "--target", "1", "--lr", "0.1"))
    assert "w0 ← 0.1 − 0.1 × (-0.53) = 0.153" in r.stdout
    assert "w1 ← 0.2 − 0.1 × (-0.636) = 0.2636" in r.stdout
    assert "b ← 0.3 − 0.1 × (-1.06) = 0.406" in r.stdout


def test_the_step_is_printed_after_the_forward_arithmetic():
    lines = ok(run(*WORKED, "--target", "1")).stdout.splitlines()
    assert lines[0] == "0.5×0.1 + 0.6×0.2 + 0.3 = 0.47 → relu(0.47) = 0.47 → fires"
    step = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu").learn([0.5, 0.6], 1.0)
    assert lines[1:] == str(step).splitlines()


def test_json_holds_every_number_of_the_step():
    d = json.loads(ok(run(*WORKED, "--target", "1", "--lr", "0.5", "--json")).stdout)
    step = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu").learn([0.5, 0.6], 1.0, learning_rate=0.5)
    assert d["gradient"] == json.loads(json.dumps(step.to_dict()))
    assert d["weighted_sum"] == pytest.approx(0.47)          # the forward numbers are kept beside it


def test_the_default_learning_rate_is_0_1():
    d = json.loads(ok(run(*WORKED, "--target", "1", "--json")).stdout)
    assert d["gradient"]["learning_rate"] == 0.1
    assert d["gradient"]["new_bias"] == pytest.approx(0.406)


def test_the_loss_can_be_chosen():
    r = ok(run("neuron", "--weights", "0.5", "--inputs", "2", "--activation", "sigmoid", "--target", "0",
               "--loss", "binary_crossentropy"))
    assert "loss binary_crossentropy against the target 0" in r.stdout
    assert "δ = ∂L/∂z = a − y = 0.7311 − 0 = 0.7311" in r.stdout
    d = json.loads(ok(run("neuron", "--weights", "0.5", "--inputs", "2", "--target", "0", "--loss", "mae",
                          "--json")).stdout)
    assert d["gradient"]["loss"] == "mae" and d["gradient"]["bias_gradient"] == pytest.approx(1.0)


@pytest.mark.parametrize("flags,named", [(["--lr", "0.5"], "--lr needs --target"),
                                         (["--loss", "mae"], "--loss needs --target"),
                                         (["--lr", "0.5", "--loss", "mae"], "--lr and --loss need --target")])
def test_lr_and_loss_without_target_are_usage_errors(flags, named):
    bad(run(*WORKED, *flags), named, "add --target")


@pytest.mark.parametrize("flags,named", [
    (["--target", "1", "--lr", "0"], "--lr"),
    (["--target", "nan"], "--target"),
    (["--target", "1", "--loss", "mse2"], "did you mean 'mse'"),
    (["--target", "1", "--loss", "cross_entropy"], "binary_crossentropy"),
])
def test_bad_learning_input_is_one_clear_line(flags, named):
    bad(run(*WORKED, *flags), named)


def test_a_bce_target_outside_0_1_is_refused():
    bad(run("neuron", "--weights", "0.5", "--inputs", "2", "--activation", "sigmoid", "--target", "2",
            "--loss", "binary_crossentropy"), "[0, 1]")
