"""Looking activations up by name: parameters are checked by the activation (not mistaken
for unknown ones), configs take keyword overrides, and user names are reachable by name."""
import pytest

import neuronlab as nl
from neuronlab import activations as acts


@pytest.mark.parametrize("threshold, words", [("high", "must be a number"), (None, "must be a number"),
                                              (float("inf"), "must be finite")])
def test_a_bad_step_threshold_is_named_as_such(threshold, words):
    with pytest.raises(nl.HyperparameterError, match=f"step threshold {words}"):
        acts.get("step", threshold=threshold)


def test_an_unknown_parameter_lists_the_ones_the_activation_takes():
    with pytest.raises(nl.HyperparameterError, match=r"'leaky_relu' does not take 'beta'; its parameters are alpha"):
        acts.get("leaky_relu", beta=0.1)


def test_a_parameter_of_a_parameterless_activation_is_refused():
    with pytest.raises(nl.HyperparameterError, match=r"^activation 'relu' does not take parameters 'alpha'$"):
        acts.get("relu", alpha=1)


def test_keywords_override_a_config():
    assert acts.get({"name": "elu", "alpha": 0.5}, alpha=2.0) == acts.get("elu", alpha=2.0)


def test_a_config_without_a_name_lists_the_known_names():
    with pytest.raises(nl.UnknownNameError, match="has no 'name'; known names: .*relu"):
        acts.get({"alpha": 0.5})


def test_parameters_cannot_come_with_an_instance():
    with pytest.raises(nl.HyperparameterError, match="can only be given with an activation"):
        acts.get(acts.get("elu"), alpha=2.0)


def test_a_user_name_must_be_lower_case_so_that_get_can_find_it():
    with pytest.raises(nl.HyperparameterError, match="lower-case"):
        acts.register("Cube", f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    assert "Cube" not in acts.names() and "cube" not in acts.names()
