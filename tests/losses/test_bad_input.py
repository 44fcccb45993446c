"""Asking for a loss by a wrong name or type says what is wrong and how to fix it."""
import neuronlab as nl

from bad_input import cases, check

# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    ("loss-unknown", lambda t: nl.losses.get("mse2"), nl.UnknownNameError,
     ["unknown loss 'mse2'", "did you mean 'mse'?"]),
    ("loss-not-a-name", lambda t: nl.losses.get(5), nl.ArgumentTypeError, ["name (str) or a Loss", "got int"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
