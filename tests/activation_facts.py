"""Facts about the built-in activations that the tests state independently of the library:
where each one is not differentiable.  Shared by ``test_activations`` and ``test_properties``."""
from neuronlab import activations as acts


def kinks(act: acts.Activation) -> list[float]:
    """Points where ``f`` is not differentiable (or, for step, not continuous)."""
    if act.name == "step":
        return [act.threshold]
    if act.name in ("relu", "leaky_relu", "elu", "selu"):
        return [0.0]
    if act.name == "hard_tanh":
        return [-1.0, 1.0]
    if act.name == "hard_sigmoid":
        return [-3.0, 3.0]
    return []
