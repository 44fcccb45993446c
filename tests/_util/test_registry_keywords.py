"""Unknown-keyword messages name only the wrong keywords, each with a close match."""
import pytest

import neuronlab as nl
from neuronlab.errors import HyperparameterError


def test_an_unknown_and_a_misspelt_optimizer_keyword_are_named_separately_and_right_ones_are_not_blamed():
    with pytest.raises(HyperparameterError) as info:
        nl.optimizers.get("adam", lr=0.1, bogus=1, beta1=0.8)
    message = str(info.value)
    assert "'bogus', 'lr' (did you mean 'learning_rate'?)" in message
    assert "'beta1'" not in message.split(";")[0]


def test_a_misspelt_activation_parameter_gets_a_did_you_mean():
    with pytest.raises(HyperparameterError, match=r"'alpah' \(did you mean 'alpha'\?\)"):
        nl.activations.get("leaky_relu", alpah=0.1)


def test_an_activation_without_parameters_says_to_remove_the_given_ones():
    with pytest.raises(HyperparameterError, match="does not take parameters 'alpha'"):
        nl.activations.get("relu", alpha=0.1)


def test_a_misspelt_schedule_keyword_gets_a_did_you_mean():
    with pytest.raises(HyperparameterError, match=r"'gama' \(did you mean 'gamma'\?\)"):
        nl.optimizers.get_schedule("step", step_size=2, gama=0.5)
