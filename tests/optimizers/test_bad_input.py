"""Optimizers refuse unknown names, out-of-range and unknown hyperparameters, naming them."""
import neuronlab as nl

from bad_input import cases, check

# (id, call(tmp_path), exception class, words that must all appear in the message)
CASES = [
    ("optimizer-unknown", lambda t: nl.optimizers.get("sgdd"), nl.UnknownNameError,
     ["unknown optimizer 'sgdd'", "did you mean 'sgd'?"]),
    ("optimizer-negative-lr", lambda t: nl.optimizers.get("sgd", learning_rate=-0.1), nl.HyperparameterError,
     ["sgd learning_rate", "> 0"]),
    ("optimizer-momentum-1.5", lambda t: nl.optimizers.get("sgd", momentum=1.5), nl.HyperparameterError,
     ["sgd momentum", "[0, 1)", "1.5"]),
    ("optimizer-momentum-negative", lambda t: nl.optimizers.SGD(momentum=-0.1), nl.HyperparameterError,
     ["sgd momentum", "[0, 1)"]),
    ("optimizer-rmsprop-momentum-1", lambda t: nl.optimizers.RMSprop(momentum=1.0), nl.HyperparameterError,
     ["rmsprop momentum", "[0, 1)"]),
    ("optimizer-beta1-1", lambda t: nl.optimizers.get("adam", beta1=1.0), nl.HyperparameterError,
     ["adam beta1", "[0, 1)"]),
    ("optimizer-beta2-negative", lambda t: nl.optimizers.Adam(beta2=-0.1), nl.HyperparameterError,
     ["adam beta2", "[0, 1)"]),
    ("optimizer-unknown-keyword", lambda t: nl.optimizers.get("adam", betaa=0.9), nl.HyperparameterError,
     ["does not take", "betaa", "beta1"]),
]


@cases(CASES)
def test_bad_input_raises_the_documented_error_with_its_fix(tmp_path, call, error, words):
    check(tmp_path, call, error, words)
