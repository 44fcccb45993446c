"""Asking for a loss by a wrong name or type says what is wrong and how to fix it."""
import numpy as np
import pytest

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


def _outside(loss, method, a, y):
    fn = getattr(nl.losses.get(loss), method)
    return lambda: fn(np.array(a, dtype=np.float32), np.array(y))



@pytest.mark.parametrize("loss, a, y", [
    ("binary_crossentropy", [[0.5], [-3e38]], [[1.0], [0.0]]),
    ("binary_crossentropy", [[1.5]], [[1.0]]),
    ("cross_entropy", [[0.5, 1.5]], [1]),
    ("cross_entropy", [[-0.2, 1.2]], [0]),
])
@pytest.mark.parametrize("method", ["value", "gradient"])
def test_a_loss_of_probabilities_refuses_values_outside_0_and_1_without_a_warning(loss, method, a, y):
    with pytest.raises(nl.DataError, match=rf"{loss} takes probabilities in \[0, 1\].*at row \d, column \d"):
        _outside(loss, method, a, y)()
