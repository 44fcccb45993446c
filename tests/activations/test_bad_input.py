"""Asking for an activation by a wrong name, parameter or type says what is wrong and how to fix it."""
import neuronlab as nl

from bad_input import cases, check

# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    ("activation-relue", lambda t: nl.activations.get("relue"), nl.UnknownNameError,
     ["unknown activation 'relue'", "did you mean 'relu'?", "Known activations"]),
    ("activation-negative-alpha", lambda t: nl.activations.get("leaky_relu", alpha=-0.1), nl.HyperparameterError,
     ["leaky_relu alpha", "> 0", "-0.1"]),
    ("activation-elu-zero-alpha", lambda t: nl.activations.get("elu", alpha=0), nl.HyperparameterError,
     ["elu alpha", "> 0"]),
    ("activation-unexpected-parameter", lambda t: nl.activations.get("relu", alpha=1), nl.HyperparameterError,
     ["'relu' does not take", "alpha"]),
    ("activation-not-a-name", lambda t: nl.activations.get(3), nl.ArgumentTypeError,
     ["name (str) or an Activation", "got int", "known names"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
