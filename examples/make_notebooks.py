"""Writes the learning path's notebooks (``examples/*.ipynb``) from the cells below, without outputs.

Edit the cells here, run ``python examples/make_notebooks.py``, and commit the notebooks: the
tests run every notebook top to bottom in a fresh kernel (``tests/examples/test_notebooks.py``).
"""
from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {}


def notebook(name: str, *cells: tuple[str, str]) -> None:
    NOTEBOOKS[name] = list(cells)


def md(text: str) -> tuple[str, str]:
    return ("markdown", text.strip())


def code(text: str) -> tuple[str, str]:
    return ("code", text.strip())


notebook(
    "01-one-neuron",
    md("""
# 1. One neuron

A neuron takes inputs **x**, weights **w** and a bias **b**. It computes the **weighted sum**
z = w·x + b and applies an **activation function** f to get its **activation value** a = f(z).
It **fires** when its activation value passes a threshold.

The worked example: x = (0.5, 0.6), w = (0.1, 0.2), b = 0.3 and ReLU."""),
    code("""
import neuronlab as nl

n = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
x = [0.5, 0.6]
n.weighted_sum(x)          # 0.5×0.1 + 0.6×0.2 + 0.3"""),
    code("""
n.activation_value(x), n.fires(x)"""),
    code("""
print(n.explain(x))"""),
    md("""
Every step is there: the products x·w, their sum with the bias, the activation and the verdict.
Try a negative bias: the weighted sum drops below 0, ReLU gives 0 and the neuron stays silent."""),
    code("""
quiet = nl.Neuron(weights=[0.1, 0.2], bias=-0.5, activation="relu")
print(quiet.explain(x))"""),
    md("""
### The step neuron: the oldest threshold
A step (threshold) neuron outputs 1 when z passes its threshold θ and 0 otherwise. With the right
weights it computes a logic gate: here AND of two binary inputs."""),
    code("""
gate = nl.Neuron(weights=[1.0, 1.0], bias=-1.5, activation="step")
[(a, b, int(gate.activation_value([a, b]))) for a in (0, 1) for b in (0, 1)]"""),
    code("""
assert n.weighted_sum(x) == 0.47 or abs(n.weighted_sum(x) - 0.47) < 1e-12
assert [int(gate.activation_value([a, b])) for a in (0, 1) for b in (0, 1)] == [0, 0, 0, 1]"""),
)

notebook(
    "02-activation-functions",
    md("""
# 2. Activation functions and their derivatives

The activation function decides what a neuron passes on. Its **derivative** decides how much a
change in the weighted sum changes the output, which is what learning needs."""),
    code("""
import numpy as np
import neuronlab as nl

nl.activations.names()"""),
    code("""
z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
for name in ["step", "sigmoid", "tanh", "relu"]:
    f = nl.activations.get(name)
    print(f"{name:8s} f(z) = {np.round(f(z), 4)}   f'(z) = {np.round(f.derivative(z), 4)}")"""),
    md("""
The sigmoid's derivative is s·(1 − s): check it against the definition of the derivative, a
small step h in z."""),
    code("""
sigmoid = nl.activations.get("sigmoid")
s = sigmoid(z)
h = 1e-6
numeric = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
np.max(np.abs(s * (1 - s) - numeric))"""),
    code("""
assert np.allclose(sigmoid.derivative(z), s * (1 - s))
assert np.allclose(numeric, s * (1 - s), atol=1e-9)"""),
    md("""
The step's derivative is 0 everywhere (and undefined at the threshold): no gradient passes
through it, which is why networks learn with smooth activations."""),
    code("""
nl.plots.activations_grid(["step", "sigmoid", "tanh", "relu"])"""),
)

notebook(
    "03-a-network-from-scratch",
    md("""
# 3. A network, from scratch

Layers of neurons: an input layer (the features), hidden layers and an output layer. Every neuron
of one layer is connected to every neuron of the next, and the weights start random."""),
    code("""
import numpy as np
import neuronlab as nl

net = nl.Network([nl.Dense(2, 3, activation="relu"), nl.Dense(3, 2, activation="softmax")], seed=0)
print(net.summary())"""),
    code("""
hidden, output = net.dense_layers
hidden.W, hidden.b        # one column of weights per hidden neuron, one bias each"""),
    md("""
The forward pass, by hand: each layer computes z = x·W + b and a = f(z), and passes a on."""),
    code("""
x = np.array([[0.5, 0.6]])
a1 = np.maximum(x @ hidden.W + hidden.b, 0)                 # relu
z2 = a1 @ output.W + output.b
a2 = np.exp(z2 - z2.max()) / np.exp(z2 - z2.max()).sum()    # softmax
a2, net.predict_proba(x)"""),
    code("""
assert np.allclose(a2, net.predict_proba(x))
print(net.explain(x[0], layer=0, neuron=1))"""),
    code("""
nl.plots.network_diagram(net)"""),
)

notebook(
    "04-training-and-the-cost-curve",
    md("""
# 4. Training and the cost curve

Training lowers a **cost** (loss) by **gradient descent**: each weight moves a little against its
gradient, batch after batch. Here: two interleaved half-moons, which no straight line separates."""),
    code("""
import neuronlab as nl

data = nl.datasets.load("moons", n=400, seed=0)
train, test = data.split(0.25, seed=0)
net = nl.Network.mlp([2, 16, 16, 2], hidden="relu", seed=0)
history = net.fit(train.X, train.y, epochs=60, learning_rate=0.01, validation_split=0.2)
history["loss"][0], history["loss"][-1]"""),
    code("""
accuracy = (net.predict(test.X) == test.y).mean()
accuracy"""),
    code("""
assert history["loss"][-1] < history["loss"][0]
assert accuracy > 0.9"""),
    code("""
nl.plots.training_curves(history)"""),
    code("""
nl.plots.decision_regions(net, test.X, test.y)"""),
)

notebook(
    "05-looking-inside",
    md("""
# 5. Looking inside

Every number the network computes can be read: the weighted sums and activation values of every
neuron on every sample, one neuron's arithmetic, which neurons never fire, and how strong the
gradients are in each layer."""),
    code("""
import neuronlab as nl

data = nl.datasets.load("moons", n=300, seed=1)
X, y = data.X, data.y
net = nl.Network.mlp([2, 16, 16, 2], hidden="relu", seed=1)
net.fit(X, y, epochs=40, learning_rate=0.01)
t = net.trace(X)
t.layers[1].a.shape"""),
    code("""
print(net.explain(X[0], layer=1, neuron=3))"""),
    code("""
stats = nl.inspect.neuron_stats(net, X)
print(stats.layer_summary())
stats.dead"""),
    code("""
print(nl.inspect.gradient_flow(net, X, y))"""),
    code("""
nl.plots.neuron_maps(net, X, layers=[0])"""),
)

notebook(
    "06-backpropagation",
    md("""
# 6. Backpropagation, step by step

The cost's gradient with respect to every weight comes from the **chain rule**, layer by layer from
the output back: ∂L/∂a from the loss (or from the layer above), times the activation's derivative
f′(z), gives δ = ∂L/∂z; then ∂L/∂w = δ × x. Gradient descent moves each weight against it.

First one neuron: the worked example learning to output 1."""),
    code("""
import numpy as np
import neuronlab as nl

n = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
print(n.learn([0.5, 0.6], target=1.0, learning_rate=0.1))"""),
    md("""
Repeat the step: the loss falls each time."""),
    code("""
losses = [n.learn([0.5, 0.6], target=1.0, learning_rate=0.1).loss_after for _ in range(10)]
np.round(losses, 5)"""),
    code("""
assert all(b < a for a, b in zip(losses, losses[1:]))"""),
    md("""
Now a network: the worked example's neuron feeds one output neuron through the weight 2. A trace
with targets runs the backward pass and keeps every δ and every gradient."""),
    code("""
net = nl.Network([nl.Dense(2, 1, activation="relu", weights=[[0.1], [0.2]], bias=[0.3]),
                  nl.Dense(1, 1, activation="identity", weights=[[2.0]], bias=[0.0])],
                 loss="mse", dtype="float64")
t = net.trace([[0.5, 0.6]], [1.0])
t.loss, t.layers[1].delta, t.layers[0].delta, t.layers[0].dW"""),
    code("""
print(net.explain_gradient([0.5, 0.6], 1.0, layer=0, neuron=0, weight=1, learning_rate=0.5))"""),
    md("""
The backward pass as a picture: each neuron coloured by its δ, each connection by its ∂L/∂w (red: a step
lowers it, blue: a step raises it)."""),
    code("""
nl.plots.backprop(net, [0.5, 0.6], [1.0])"""),
    md("""
The numbers are exactly those training uses: one step of plain gradient descent writes the same
new weight."""),
    code("""
g = net.explain_gradient([0.5, 0.6], 1.0, layer=0, neuron=0, weight=1, learning_rate=0.5)
net.fit([[0.5, 0.6]], [1.0], epochs=1, batch_size=1, optimizer="sgd", learning_rate=0.5, shuffle=False)
g.new_weight, net.layers[0].W[1, 0]"""),
    code("""
assert g.new_weight == net.layers[0].W[1, 0]"""),
    md("""
On a real network: one weight of a trained iris classifier, explained over a batch of flowers."""),
    code("""
iris = nl.datasets.load("iris")
clf = nl.Network.mlp([4, 8, 3], hidden="tanh", seed=0)
clf.fit(iris.X, iris.y, epochs=30, learning_rate=0.01)
print(clf.explain_gradient(iris.X[:5], iris.y[:5], layer=0, neuron=2, weight=3))"""),
    md("""
What one step of gradient descent does to every weight of that classifier, on 15 flowers: the weights before,
the step −η·∂L/∂W, and the weights after."""),
    code("""
nl.plots.gradient_step(clf, iris.X[::10], iris.y[::10], learning_rate=0.01)"""),
)

notebook(
    "07-scikit-learn-estimator",
    md("""
# 7. The scikit-learn estimator on real data

`neuronlab.sklearn.NetworkClassifier` is a scikit-learn estimator: it fits in pipelines,
cross-validation and grid searches, and its network stays open to everything above."""),
    code("""
import neuronlab as nl
from neuronlab.sklearn import NetworkClassifier
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

data = nl.datasets.load("breast_cancer")
model = make_pipeline(StandardScaler(), NetworkClassifier(hidden_layer_sizes=(16,), epochs=40, random_state=0))
scores = cross_val_score(model, data.X, data.y, cv=3)
scores.mean()"""),
    code("""
assert scores.mean() > 0.9"""),
    code("""
model.fit(data.X, data.y)
clf = model[-1]
print(clf.network_.summary())"""),
    code("""
stats = nl.inspect.neuron_stats(clf.network_, model[0].transform(data.X))
print(stats.layer_summary())"""),
)


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
                    for kind, src in cells]
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"cell-{i:02d}"            # stable ids: regenerating changes nothing
        nbformat.write(nb, HERE / f"{name}.ipynb")
        print("wrote", HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
