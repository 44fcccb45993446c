"""The loss test cases: activation values and prepared targets for each built-in loss."""
import numpy as np

from neuronlab import losses
from neuronlab.activations import sigmoid

N, K = 7, 4


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def make_case(name, rng, dtype, target="labels"):
    """Activation values ``a`` (in (0, 1) for the cross-entropies) and prepared targets."""
    z = rng.normal(scale=1.5, size=(N, K))
    if name == "cross_entropy":
        a = softmax(z)
        if target == "labels":
            y = rng.integers(0, K, size=N)
        else:  # one-hot rows, and one probability row
            y = np.eye(K)[rng.integers(0, K, size=N)]
            y[0] = [0.1, 0.2, 0.3, 0.4]
    elif name == "binary_crossentropy":
        a = sigmoid(z)
        y = rng.integers(0, 2, size=(N, K)).astype(float)
        y[0, 0] = 0.3  # soft target
    else:
        a = z
        y = rng.normal(size=(N, K))
        if name == "mae":
            y[1, 2] = a[1, 2]  # a tie: torch's d|x|/dx at 0 is 0
    loss = losses.get(name)
    return a.astype(dtype), loss.prepare_targets(y, K, dtype), z.astype(dtype)


CASES = [("mse", "values"), ("mae", "values"), ("binary_crossentropy", "values"),
         ("cross_entropy", "labels"), ("cross_entropy", "onehot")]
