"""Every argument of fit (and of gradcheck) given a wrong type or value is refused before training with
one line that names the argument and says what it takes, raised as the builtin a caller expects
(ValueError for a bad value or a validation set of the wrong form, TypeError for a wrong kind of
thing); never a bare NumPy or Python error."""
import numpy as np
import pytest

import neuronlab as nl

NAN = float("nan")
_rng = np.random.default_rng(1)
X = _rng.normal(size=(32, 3))
Y = (X[:, 0] > 0).astype(int)


def _gen():
    yield nl.Callback()


# (argument, bad value, the builtin expected); the message must name the argument
FIT_CASES = [
    *[("epochs", v, ValueError) for v in (2.0, "3", None, True, -1, 0, NAN)],
    *[("batch_size", v, ValueError) for v in (2.0, "8", None, True, -1, 0)],
    *[("optimizer", v, TypeError) for v in (None, 3, [1], True)],
    ("optimizer", {"name": "nope"}, ValueError),
    ("optimizer", "nope", ValueError),
    *[("learning_rate", v, ValueError) for v in ("0.1", True, -1, 0, NAN, [0.1])],
    *[("validation_split", v, ValueError) for v in ("0.2", None, True, 1.5, -0.1, NAN)],
    *[("validation_data", v, ValueError) for v in ("abc", {"a": 1}, _gen(), 5, X)],
    ("validation_data", (X,), ValueError),
    *[("early_stopping", v, ValueError) for v in ("5", 2.5, True, -1, 0, [3], NAN)],
    *[("callbacks", v, TypeError) for v in (5, "abc", {"a": 1}, _gen(), nl.Callback(), [3], [print])],
    *[("verbose", v, TypeError) for v in ("yes", None, 2.5, NAN)],
    ("verbose", -1, ValueError),
    *[("shuffle", v, TypeError) for v in ("yes", None, 1, NAN)],
    *[("sample_weight", v, ValueError) for v in ("abc", 5, {"a": 1}, -np.ones(32), np.ones(5))],
    *[("l1", v, ValueError) for v in ("x", None, -1, NAN, True)],
    *[("l2", v, ValueError) for v in ("x", None, -1, NAN, True)],
    *[("schedule", v, TypeError) for v in (5, [1], True)],
    ("schedule", "nope", ValueError),
    *[("clip_norm", v, ValueError) for v in ("1", True, -1, 0, NAN)],
    *[("checkpoint", v, TypeError) for v in (5, True, [1], {"a": 1})],
    ("checkpoint", "", ValueError),
    *[("checkpoint_every", v, ValueError) for v in (0, 1.5, "2", None, True, -3)],
    *[("resume", v, TypeError) for v in (5, True, [1], {"a": 1})],
    ("resume", " ", ValueError),
]


@pytest.mark.parametrize("argument, value, builtin", FIT_CASES,
                         ids=[f"{a}-{type(v).__name__}-{i}" for i, (a, v, _) in enumerate(FIT_CASES)])
def test_fit_refuses_a_bad_argument_naming_it(argument, value, builtin):
    net = nl.Network.mlp([3, 4, 2], seed=0)
    before = net.parameters.copy()
    with pytest.raises(builtin) as info:
        net.fit(X, Y, **{"epochs": 1, argument: value})
    assert isinstance(info.value, nl.NeuronLabError), f"{type(info.value).__name__}: {info.value}"
    message = str(info.value)
    assert argument in message or (argument == "early_stopping" and "patience" in message), message
    assert "\n" not in message
    assert np.array_equal(net.parameters, before)          # refused before any training


def test_fit_takes_verbose_as_a_bool_and_callbacks_as_a_tuple():
    history = nl.Network.mlp([3, 4, 2], seed=0).fit(X, Y, epochs=1, verbose=False, callbacks=(nl.Callback(),))
    assert len(history) == 1


GRADCHECK_CASES = [
    *[("eps", v, ValueError) for v in ("1e-5", None, True, -1e-5, 0, NAN)],
    *[("max_params", v, ValueError) for v in (0, -1, 2.5, "3", True)],
    *[("seed", v, ValueError) for v in (-1, 1.5, "0", None, True)],
    *[("sample_weight", v, ValueError) for v in ("abc", np.ones(3), -np.ones(8))],
]


@pytest.mark.parametrize("argument, value, builtin", GRADCHECK_CASES,
                         ids=[f"{a}-{type(v).__name__}-{i}" for i, (a, v, _) in enumerate(GRADCHECK_CASES)])
def test_gradcheck_refuses_a_bad_argument_naming_it(argument, value, builtin):
    net = nl.Network.mlp([3, 4, 2], hidden="tanh", seed=0)
    with pytest.raises(builtin) as info:
        nl.gradcheck(net, X[:8], Y[:8], **{argument: value})
    assert isinstance(info.value, nl.NeuronLabError)
    assert argument in str(info.value) and "\n" not in str(info.value)
