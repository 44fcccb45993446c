"""Facts about the built-in activations that the tests state independently of the library: where each
one is not differentiable, and which parameters each may take (a hypothesis strategy draws any of them)."""
from hypothesis import strategies as st

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


BUILTINS = [name for name in acts.names() if acts.is_builtin(name)]
ELEMENTWISE = [name for name in BUILTINS if name != "softmax"]
#: activations that take a parameter, with the range it may take
PARAMS = {"leaky_relu": ("alpha", 1e-3, 1.0), "elu": ("alpha", 1e-2, 3.0), "step": ("threshold", -2.0, 2.0)}


@st.composite
def activation(draw, names=tuple(BUILTINS)):
    name = draw(st.sampled_from(names))
    if name in PARAMS:
        key, lo, hi = PARAMS[name]
        return acts.get(name, **{key: draw(st.floats(lo, hi))})
    return acts.get(name)
