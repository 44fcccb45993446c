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
    "02-the-texts-checked",
    md("""
# 2. What the texts say, checked

Three short texts are what many learners read before they open a library:

* **[1] "Activation value"**, a glossary entry (summary, ELI5 and an in-depth explanation with a worked neuron);
* **[2] "What is the Activation Function in AI?"**, a blog post on step, sigmoid, ReLU and their derivatives;
* **[3] "Neuron Activation in Artificial Neural Networks"**, a blog post on layers, weights, biases, thresholds
  and the sigmoid, tanh and ReLU functions.

They do not all agree with each other, nor with the mathematics. Below, one section per claim, in the
texts' order: the claim (quoted briefly, with its text), a cell that runs it with neuronlab, and a one-line
**verdict** (holds / holds only for … / does not hold) printed from the numbers the cell computed. The
table at the end collects the verdicts."""),
    code("""
import warnings

import numpy as np
import neuronlab as nl

TABLE = []      # one row per section: (claim, verdict, the call that shows it)


def verdict(claim, text, call):
    \"\"\"Print a section's verdict and keep it for the table at the end.\"\"\"
    TABLE.append((claim, text, call))
    print("verdict:", text)


def num(v):
    \"\"\"A number as the verdicts print it: four significant digits.\"\"\"
    return f"{float(v):.4g}"


def about(error):
    \"\"\"The power of ten nearest an error (``1e-11`` for 3e-11, ``1e-10`` for 4e-11).\"\"\"
    return "0" if error == 0 else f"1e{round(np.log10(error))}\""""),
    md("""
## [1] The worked neuron
> "x1, x2 = 0.5, 0.6 · w1, w2 = 0.1, 0.2 · b = 0.3 · weighted_sum = w1x1 + w2x2 + b · activation_value =
> relu(weighted_sum)" — [1]

The text stops before the number. neuronlab's `Neuron` computes it and shows each step."""),
    code("""
worked = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation="relu")
x = [0.5, 0.6]
print(worked.explain(x))
z, a = worked.weighted_sum(x), worked.activation_value(x)
verdict("[1] the worked neuron: x = (0.5, 0.6), w = (0.1, 0.2), b = 0.3, ReLU",
        f"holds — z = 0.5×0.1 + 0.6×0.2 + 0.3 = {num(z)}, relu(z) = {num(a)}",
        "nl.Neuron([0.1, 0.2], 0.3, 'relu').explain([0.5, 0.6])")"""),
    md("""
## [1] Non-linearity lets a network learn more complex patterns
> "The activation function also introduces non-linearity into the system, allowing it to learn more complex
> patterns." — [1]

XOR (class 1 where exactly one coordinate is positive) is the classic pattern no straight line separates. The
same network, once with linear (`identity`) hidden neurons and once with `tanh`:"""),
    code("""
xor = nl.datasets.load("xor", n=400, seed=0)
xor_train, xor_test = xor.split(0.25, seed=0)
xor_accuracy = {}
for hidden in ["identity", "tanh"]:
    net = nl.Network.mlp([2, 8, 2], hidden=hidden, seed=0, dtype="float64")
    net.fit(xor_train.X, xor_train.y, epochs=100, learning_rate=0.05)
    xor_accuracy[hidden] = (net.predict(xor_test.X) == xor_test.y).mean()
    print(f"hidden {hidden:8s}: test accuracy {xor_accuracy[hidden]:.0%}")
verdict("[1] non-linearity lets a network learn more complex patterns",
        f"{'holds' if xor_accuracy['tanh'] > xor_accuracy['identity'] else 'does not hold'} — on XOR, "
        f"linear hidden neurons reach {xor_accuracy['identity']:.0%}, tanh ones {xor_accuracy['tanh']:.0%}",
        "nl.Network.mlp([2, 8, 2], hidden='tanh').fit(X, y)")"""),
    md("""
## [1] Backpropagation and gradient descent tune the weights and biases
> "The objective of the learning process, typically based on a method called backpropagation, is to tune the
> weights and bias values in a way that minimizes the network's error … tightly tied to the gradient descent
> optimization algorithm and the computation of local gradients." — [1]

A tiny network: the worked neuron feeds one linear output neuron through the weight 2, with target 1.
`explain_gradient` writes out the chain rule for one weight (the local gradients, layer by layer);
`nl.gradcheck` compares every gradient with finite differences; then gradient descent runs."""),
    code("""
tiny = nl.Network([nl.Dense(2, 1, activation="relu", weights=[[0.1], [0.2]], bias=[0.3]),
                   nl.Dense(1, 1, activation="identity", weights=[[2.0]], bias=[0.0])],
                  loss="mse", dtype="float64")
X1, y1 = [[0.5, 0.6]], [1.0]
step_one = tiny.explain_gradient(X1[0], y1[0], layer=0, neuron=0, weight=1, learning_rate=0.1)
print(step_one)
check = nl.gradcheck(tiny, X1, y1)
loss_before = tiny.trace(X1, y1).loss
tiny.fit(X1, y1, epochs=20, batch_size=1, optimizer="sgd", learning_rate=0.1, shuffle=False)
loss_after = tiny.trace(X1, y1).loss
print(f"gradient check: {check}")
print(f"loss before {loss_before:.4g}, after 20 steps {loss_after:.4g}")
verdict("[1] backpropagation and gradient descent tune weights and biases to lower the error",
        f"{'holds' if loss_after < loss_before and check < 1e-6 else 'does not hold'} — ∂L/∂w = "
        f"{num(step_one.gradient)}, backprop and finite differences agree to about {about(check)}; 20 steps lower "
        f"L from {num(loss_before)} to {num(loss_after)}",
        "net.explain_gradient(x, y, layer=0, neuron=0, weight=1)")"""),
    md("""
## [2] The step function fires at a threshold
> "if the net input surpasses a certain threshold value, the neuron “fires” or its output equals 1. If the net
> input is below the threshold value, the neuron does not fire and its output equals 0." — [2]

A step neuron with threshold θ = 0.3 on one input with weight 1 (so the net input is the input):"""),
    code("""
step = nl.activations.get("step", threshold=0.3)
gate = nl.Neuron(weights=[1.0], bias=0.0, activation=step)
for net_input in [0.29, 0.3, 0.31]:
    print(f"net input {net_input}: output {gate.activation_value([net_input]):g}, fires {gate.fires([net_input])}")
step_slopes = step.derivative(np.linspace(-5, 5, 1001))
below, above = gate.activation_value([0.29]), gate.activation_value([0.31])
verdict("[2] a step neuron outputs 1 above its threshold and 0 below",
        f"{'holds' if (below, above) == (0, 1) else 'does not hold'} — with θ = 0.3, step(0.29) = {num(below)}, "
        f"step(0.31) = {num(above)}; its derivative is {num(np.abs(step_slopes).max())} everywhere",
        "nl.activations.get('step', threshold=0.3)")"""),
    md("""
At θ itself neuronlab's step gives 1 (`z >= θ`); the text leaves that case open. The derivative is 0
everywhere (undefined at θ), which is what the next claim is about."""),
    md("""
## [2] A step network cannot tell whether a small weight change helped
> "With a step function, the network wouldn't know whether slightly increasing or decreasing weights helped or
> hurt – it was just right or wrong." — [2]

Two networks of the same shape, one of step neurons and one of sigmoid neurons, on AND of two bits: their
gradients, and what a small nudge to one weight does to the step network's loss. Then Rosenblatt's perceptron
rule, which needs no gradient, on AND and on XOR."""),
    code("""
bits = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND, XOR = np.array([0, 0, 0, 1.0]), np.array([0, 1, 1, 0.0])


def two_layers(activation):
    return nl.Network([nl.Dense(2, 2, activation=activation), nl.Dense(2, 1, activation=activation)],
                      loss="mse", seed=0, dtype="float64")


largest_gradient = {}
for name in ["step", "sigmoid"]:
    t = two_layers(name).trace(bits, AND[:, None])
    largest_gradient[name] = max(np.abs(layer.dW).max() for layer in t.layers)
    print(f"{name:8s} network: loss {t.loss:.4g}, largest |∂L/∂w| {largest_gradient[name]:.4g}")
steps = two_layers("step")
print(steps.explain_gradient(bits, AND[:, None], layer=0, neuron=0, weight=0))
loss_then = steps.trace(bits, AND[:, None]).loss
steps.layers[0].W[0, 0] += 0.01
nudge = steps.trace(bits, AND[:, None]).loss - loss_then
print(f"nudging one weight by 0.01 changes the step network's loss by {nudge:g}")"""),
    code("""
and_rule = nl.Perceptron(2).fit(bits, AND)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    xor_rule = nl.Perceptron(2).fit(bits, XOR, max_epochs=100)
print(f"AND: converged {and_rule.converged_} in {and_rule.n_epochs_} epochs, accuracy {and_rule.score(bits, AND):.0%}")
print(f"XOR: converged {xor_rule.converged_}, {xor_rule.errors_[-1]} mistakes in epoch {xor_rule.n_epochs_}, "
      f"accuracy {xor_rule.score(bits, XOR):.0%}")
print("the warning:", caught[0].message)
verdict("[2] a step network cannot tell whether a small weight change helped",
        f"{'holds' if largest_gradient['step'] == 0 and nudge == 0 else 'does not hold'} — every gradient of a "
        f"step network is {num(largest_gradient['step'])} (a sigmoid one's largest is "
        f"{num(largest_gradient['sigmoid'])}) and a nudge of 0.01 changes its loss by {num(nudge)}; the perceptron "
        f"rule learns AND in {and_rule.n_epochs_} epochs but still makes {xor_rule.errors_[-1]} mistakes on XOR "
        f"after {xor_rule.n_epochs_}",
        "net.trace(X, y).layers[0].dW; nl.Perceptron(2).fit(X, y)")"""),
    md("""
## [2] Sigmoid: smoothly from 0 to 1, never reaching either
> "as the net input increases the neuron’s output value will smoothly transition from 0 to 1, never fully
> reaching either endpoint." — [2]"""),
    code("""
sigmoid = nl.activations.get("sigmoid")
grid = np.linspace(-10, 10, 2001)
s = sigmoid(grid)
rising = bool(np.all(np.diff(s) > 0))
print(f"sigmoid on [-10, 10]: from {s[0]:.4g} to 1 − {1 - s[-1]:.4g}, always rising: {rising}")
ones = np.arange(0.0, 60.0)
zeros = np.arange(-800.0, 0.0)
first_one = ones[sigmoid(ones) == 1.0].min()
last_zero = zeros[sigmoid(zeros) == 0.0].max()
print(f"in float64 it rounds to exactly 1 from z = {first_one:g}, and to exactly 0 from z = {last_zero:g}")
verdict("[2] sigmoid rises smoothly from 0 to 1, never reaching either",
        f"{'holds' if rising and 0 < s[0] and s[-1] < 1 else 'does not hold'} — sigmoid(−10) = {num(s[0])}, "
        f"sigmoid(10) = 1 − {num(1 - s[-1])}; only float64 rounding reaches 1 (from z = {first_one:g})",
        "nl.activations.get('sigmoid')(z)")"""),
    md("""
## [2] The sigmoid's derivative is s(1 − s)
> "its derivative is simply the function value times one minus the function value." — [2]

Against the definition of the derivative: a central finite difference with a small step h."""),
    code("""
grid = np.linspace(-6, 6, 121)
s = sigmoid(grid)
h = 1e-6
finite = (sigmoid(grid + h) - sigmoid(grid - h)) / (2 * h)
sigmoid_error = np.abs(s * (1 - s) - finite).max()
library_error = np.abs(sigmoid.derivative(grid) - s * (1 - s)).max()
print(f"largest |s(1 − s) − finite difference| on [-6, 6]: {sigmoid_error:.2g}")
print(f"largest |sigmoid.derivative − s(1 − s)|: {library_error:.2g}")
verdict("[2] the sigmoid's derivative is s(1 − s)",
        f"{'holds' if sigmoid_error < 1e-8 else 'does not hold'} — s(1 − s) and a finite difference agree to about "
        f"{about(sigmoid_error)} on [−6, 6]; neuronlab's derivative is "
        f"{'exactly s(1 − s)' if library_error == 0 else 's(1 − s) to ' + about(library_error)}",
        "nl.activations.get('sigmoid').derivative(z)")"""),
    md("""
## [2] tanh and ReLU have simple derivatives too
> "Some other common activation functions like tanh and ReLU also have simple derivatives" — [2]

tanh′ = 1 − tanh² and relu′ = 1 for z > 0, 0 below (the grid avoids the kink at 0, where ReLU has no
derivative and 0 is used)."""),
    code("""
tanh, relu = nl.activations.get("tanh"), nl.activations.get("relu")
grid = np.linspace(-3, 3, 60)
tanh_error = np.abs((tanh(grid + h) - tanh(grid - h)) / (2 * h) - (1 - tanh(grid) ** 2)).max()
relu_error = np.abs((relu(grid + h) - relu(grid - h)) / (2 * h) - (grid > 0)).max()
library_match = bool(np.allclose(tanh.derivative(grid), 1 - tanh(grid) ** 2)
                     and np.array_equal(relu.derivative(grid), (grid > 0).astype(float)))
print(f"tanh: largest error {tanh_error:.2g}; relu: largest error {relu_error:.2g}; "
      f"neuronlab's derivatives are these formulas: {library_match}")
verdict("[2] tanh and ReLU have simple derivatives",
        f"{'holds' if max(tanh_error, relu_error) < 1e-8 and library_match else 'does not hold'} — "
        f"tanh′ = 1 − tanh² and relu′ = (z > 0) match finite differences to about {about(tanh_error)} and "
        f"{about(relu_error)}",
        "nl.activations.get('tanh').derivative(z)")"""),
    md("""
## [3] The output layer classifies the input (the pixels of an image)
> "the very last layer is the output layer; this output layer classifies our input using the information
> passed from all the layers before it" … "the input data (a pixel from a image)" — [3]

The digits set: 8×8 images of handwritten digits, 64 pixels each. A network with 64 inputs, 32 hidden
neurons and one output neuron per digit."""),
    code("""
digits = nl.datasets.load("digits")
train, test = digits.split(0.25, seed=0)
top_pixel = digits.X.max()
reader = nl.Network.mlp([64, 32, 10], seed=0, dtype="float64")
reader.fit(train.X / top_pixel, train.y, epochs=10, learning_rate=0.01)
outputs = reader.predict_proba(test.X[:1] / top_pixel)[0]
print("the first test image:")
print("\\n".join("".join(" .:#"[int(p) // 5] for p in row) for row in test.X[0].reshape(8, 8)))
print("the 10 output neurons:", np.round(outputs, 3))
print(f"the largest is neuron {outputs.argmax()}; the image is a {test.y[0]}")
digits_accuracy = (reader.predict(test.X / top_pixel) == test.y).mean()
verdict("[3] the output layer classifies the input (pixels of an image)",
        f"{'holds' if digits_accuracy > 0.9 else 'does not hold'} — {reader.n_inputs} pixels in, one output "
        f"neuron per digit ({reader.n_outputs}); the largest names the digit of {digits_accuracy:.0%} of "
        f"{len(test.y)} test images",
        "nl.Network.mlp([64, 32, 10]).predict_proba(pixels)")"""),
    md("""
## [3] Each neuron is connected to every neuron of the next layer
> "Between two layers, each neuron is connected to every other neuron which enables information to be passed
> between the layers." — [3]

A `Dense` layer's weight matrix has one row per neuron before it and one column per neuron in it: weight
`W[i, j]` connects neuron i to neuron j. One neuron of the output layer sums over all 32 hidden neurons."""),
    code("""
sizes = [reader.n_inputs] + [layer.W.shape[1] for layer in reader.dense_layers]
for i, layer in enumerate(reader.dense_layers):
    print(f"layer {i}: W is {layer.W.shape[0]} × {layer.W.shape[1]}")
pairs = sum(n_from * n_to for n_from, n_to in zip(sizes, sizes[1:]))
weights = [layer.W for layer in reader.dense_layers]
nonzero = sum(int(np.count_nonzero(W)) for W in weights)
print(reader.explain(test.X[0] / top_pixel, layer=1, neuron=int(outputs.argmax())))
verdict("[3] each neuron is connected to every neuron of the next layer",
        f"{'holds' if nonzero == pairs == sum(W.size for W in weights) else 'does not hold'} for dense layers — "
        + " + ".join(f"{a} × {b}" for a, b in zip(sizes, sizes[1:]))
        + f" = {pairs} weights, one per pair of neurons in adjacent layers",
        "[layer.W.shape for layer in net.dense_layers]")"""),
    md("""
## [3] Inputs are usually between 0 and 1
> "a number which is either passed from the input data (a pixel from a image) or the output from the previous
> layer. This number is usually set to be between 0 and 1." — [3]

Only if someone scales it. The digits pixels, as they come, run from 0 to 16; the other usual preparation is
to **standardise** each feature (mean 0, standard deviation 1). What it changes for training: the same network,
plain gradient descent with the same learning rate, on the three."""),
    code("""
scaler = nl.datasets.Standardizer().fit(train.X)
preparations = {"as they come": lambda X: X, "scaled to [0, 1]": lambda X: X / top_pixel,
                "standardised": scaler.transform}
input_accuracy = {}
for name, prepare in preparations.items():
    net = nl.Network.mlp([64, 32, 10], seed=0, dtype="float64")
    history = net.fit(prepare(train.X), train.y, epochs=10, optimizer="sgd", learning_rate=0.1)
    input_accuracy[name] = (net.predict(prepare(test.X)) == test.y).mean()
    print(f"{name:16s} loss {history['loss'][0]:.3f} → {history['loss'][-1]:.3f}, "
          f"test accuracy {input_accuracy[name]:.0%}")
hidden_top = reader.trace(train.X / top_pixel).layers[0].a.max()
print(f"and the outputs of the previous layer: the trained reader's ReLU neurons reach {hidden_top:.3g}")
raw, unit, standard = (input_accuracy[k] for k in preparations)
verdict("[3] inputs are usually between 0 and 1",
        f"holds only once someone scales them — digits pixels run from {digits.X.min():g} to {top_pixel:g} and "
        f"ReLU outputs reach {num(hidden_top)}; with SGD (η = 0.1, 10 epochs) raw pixels give {raw:.0%}, "
        f"[0, 1] {unit:.0%}, standardised {standard:.0%}",
        "nl.datasets.Standardizer().fit(X).transform(X)")"""),
    md("""
## [3] Weights start random and are learned; a bias lets a neuron stay inactive
> "These weights are original given a random value but it is updated via backpropagation … Each neuron has a
> bias value associated with it to allow for a neuron to be inactive" — [3]"""),
    code("""
first, second = (nl.Network.mlp([64, 32, 10], seed=seed, dtype="float64") for seed in (0, 1))
W0 = first.dense_layers[0].W.copy()
shared = (W0 == second.dense_layers[0].W).mean()
first.fit(train.X / top_pixel, train.y, epochs=1, learning_rate=0.01)
moved = (first.dense_layers[0].W != W0).mean()
blank = (train.X == 0).all(axis=0)                  # pixels that are 0 in every training image
blank_still = bool((first.dense_layers[0].W == W0)[blank].all())
n_biases = sum(layer.b.size for layer in first.dense_layers)
n_neurons = sum(sizes[1:])
print(f"seeds 0 and 1 share {shared:.0%} of their first-layer weights; one epoch moves {moved:.1%} of them")
print(f"the weights from the {blank.sum()} pixels that are 0 in every training image get no gradient: "
      f"all unmoved {blank_still}")
print(f"{n_biases} biases for {n_neurons} neurons")
quiet = nl.Neuron(weights=[0.1, 0.2], bias=-0.5, activation="relu")
print(quiet.explain(x))
learned = shared == 0 and moved > 0 and blank_still
verdict("[3] weights start random and are learned; a bias lets a neuron stay inactive",
        f"{'holds' if learned and n_biases == n_neurons and not quiet.fires(x) else 'does not hold'}"
        f" — two seeds share {shared:.0%} of their weights, one epoch moves {moved:.1%} (none from the {blank.sum()} "
        f"blank pixels); one bias per neuron, and "
        f"b = −0.5 makes the worked neuron's z = {num(quiet.weighted_sum(x))}, relu gives "
        f"{num(quiet.activation_value(x))}: inactive",
        "nl.Neuron([0.1, 0.2], -0.5, 'relu').explain([0.5, 0.6])")"""),
    md("""
## [3] A neuron passes information on only if its threshold is met
> "this activiation is based on a threshold where only if the threshold is meet, only then that particular
> neuron is activated and the information is passed on to the next layer" and, at the end, "this scaled
> number is compared to the threshold for that neuron to decided whether or not to pass the information on"
> — [3]

In neuronlab `fires` says whether a neuron's activation value passed its threshold; what flows on to the next
layer is the activation value itself, whatever `fires` says. Four neurons with the weighted sum z = −1, below
every threshold:"""),
    code("""
passed = {}
for name in ["step", "relu", "sigmoid", "tanh"]:
    n = nl.Neuron(weights=[1.0], bias=-1.0, activation=name)        # z = −1 at x = 0
    passed[name] = (bool(n.fires([0.0])), float(n.activation_value([0.0])))
    print(f"{name:8s} fires {passed[name][0]!s:5s}  passes on {passed[name][1]:.4g}")
relay = nl.Network([nl.Dense(1, 1, activation="sigmoid", weights=[[1.0]], bias=[-1.0]),
                    nl.Dense(1, 1, activation="identity", weights=[[1.0]], bias=[0.0])], dtype="float64")
t = relay.trace([[0.0]])
print(f"in a network: the sigmoid neuron fires {bool(t.layers[0].fires[0, 0])}, yet the next layer's "
      f"weighted sum is {t.layers[1].z[0, 0]:.4g}: its value was passed on")
silent = [name for name, (fires, value) in passed.items() if not fires and value == 0]
leaky = [name for name, (fires, value) in passed.items() if not fires and value != 0]
verdict("[3] a neuron passes information on only if its threshold is met",
        f"holds only for {' and '.join(silent)} neurons — below their threshold they pass 0; a "
        + ", a ".join(f"{name} neuron that does not fire passes {num(passed[name][1])}" for name in leaky)
        + " on",
        "t = net.trace(X); t.layers[0].fires, t.layers[0].a")"""),
    md("""
## [3] The activation value is the weighted sum
> "An activation value is calculated using the input value, weights of the edges and the bias for that neuron.
> The formula is the sum of the inputs * weighted values plus the bias." — [3]
>
> against "The neuron computes a weighted sum of its inputs and then applies an activation function … to this
> sum to produce the activation value." — [1]

The two texts use the same words for two numbers. neuronlab follows [1]: `weighted_sum` is z = w·x + b and
`activation_value` is f(z). The worked neuron, side by side, with three activation functions:"""),
    code("""
meanings = {}
for name in ["relu", "sigmoid", "tanh"]:
    n = nl.Neuron(weights=[0.1, 0.2], bias=0.3, activation=name)
    meanings[name] = (n.weighted_sum(x), n.activation_value(x))
    print(f"{name:8s} [3]'s activation value (weighted_sum) {meanings[name][0]:.4g}   "
          f"[1]'s (activation_value) {meanings[name][1]:.4g}")
z_sig, a_sig = meanings["sigmoid"]
verdict("[3] the activation value is the weighted sum",
        f"holds only as [3]'s own word for z — for the worked sigmoid neuron z = {num(z_sig)} ([3]'s activation "
        f"value) but f(z) = {num(a_sig)} ([1]'s, and neuronlab's activation_value)",
        "n.weighted_sum(x), n.activation_value(x)")"""),
    md("""
With ReLU and a positive z the two meanings give the same number (0.47), which is how a worked example can
hide the difference."""),
    md("""
## [3] The weighted sum is typically above 1, and the activation function scales it down
> "This number will typically be larger than 1 so a non-linear activation function is used to scale this
> number down." — [3]

The weighted sums of a freshly initialised digits network's first layer, on pixels scaled to [0, 1]:"""),
    code("""
fresh = nl.Network.mlp([64, 32, 10], seed=0, dtype="float64")
sums = fresh.trace(train.X / top_pixel).layers[0].z
beyond = (np.abs(sums) > 1).mean()
largest = sums.max()
print(f"{beyond:.0%} of the weighted sums lie beyond ±1; the largest is {largest:.4g}")
for name in ["sigmoid", "tanh", "relu"]:
    print(f"{name:8s}({largest:.4g}) = {float(nl.activations.get(name)(largest)):.4g}")
verdict("[3] the weighted sum is typically above 1, and the activation function scales it down",
        f"{'holds only for squashing functions' if beyond > 0.5 else 'does not hold'} — {beyond:.0%} of a fresh "
        f"digits network's weighted sums lie beyond ±1 (the worked one is {num(z)}); the largest, {num(largest)}, "
        f"sigmoid and tanh scale down to {num(sigmoid(largest))} and {num(tanh(largest))}, relu leaves at "
        f"{num(relu(largest))}",
        "net.trace(X).layers[0].z")"""),
    md("""
How large the weighted sums are depends on the inputs and on the initial weights (neuronlab's initialisers are
chosen to keep them of order 1 at the start). And only a squashing function scales them down: on the positive
side ReLU passes z on unchanged, the correction two sections below."""),
    md("""
## [3] Sigmoid scales to between 0 and 1
> "Sigmoid scales the activation value to be between 0 and 1." — [3]

As [2] said, checked above; here neuronlab's declared range against the values on a wide grid."""),
    code("""
wide = sigmoid(np.linspace(-30, 30, 601))
print(f"output_range {sigmoid.output_range}; on [-30, 30] from {wide.min():.3g} to 1 − {1 - wide.max():.3g}")
verdict("[3] sigmoid scales to between 0 and 1",
        f"{'holds' if 0 < wide.min() and wide.max() < 1 else 'does not hold'} — on [−30, 30] it runs from "
        f"{num(wide.min())} to 1 − {num(1 - wide.max())}",
        "nl.activations.get('sigmoid').output_range")"""),
    md("""
## [3] Tan(h) scales to between −1 and 1
> "Tan scales the activation value to be between -1 and 1." — [3]

"Tan" is the hyperbolic tangent, `tanh`."""),
    code("""
wide = tanh(np.linspace(-10, 10, 2001))
print(f"output_range {tanh.output_range}; on [-10, 10] from -1 + {1 + wide.min():.4g} to 1 − {1 - wide.max():.4g}")
verdict("[3] tanh scales to between −1 and 1",
        f"{'holds' if -1 < wide.min() and wide.max() < 1 else 'does not hold'} — tanh(±3) = ±{num(tanh(3.0))}, "
        f"tanh(±10) = ±(1 − {num(1 - wide[-1])})",
        "nl.activations.get('tanh')(z)")"""),
    md("""
## [3] ReLU scales to between 0 and 1
> "ReLu scales the activation value to be between 0 and 1." — [3]

ReLU is max(0, z): it cuts off the negative side and leaves the positive side as it is."""),
    code("""
print(relu(np.array([-2.0, 0.5, 1.0, 3.0, 100.0])), "output_range", relu.output_range)
relu_3, relu_100 = float(relu(3.0)), float(relu(100.0))
verdict("[3] ReLU scales to between 0 and 1",
        f"{'holds' if relu_3 <= 1 and relu_100 <= 1 else 'does not hold'} — relu(3) = {num(relu_3)}, "
        f"relu(100) = {num(relu_100)}: its range is [0, ∞)",
        "nl.activations.get('relu')(3.0)")"""),
    md("""
## The verdicts
Every verdict above, as one table (the README's section "The texts, checked" shows the same table)."""),
    code("""
print("| claim | verdict | the call that shows it |")
print("|---|---|---|")
for claim, text, call in TABLE:
    print(f"| {claim} | {text} | `{call}` |")"""),
)

notebook(
    "03-activation-functions",
    md("""
# 3. Activation functions and their derivatives

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
    "04-a-network-from-scratch",
    md("""
# 4. A network, from scratch

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
    "05-training-and-the-cost-curve",
    md("""
# 5. Training and the cost curve

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
    "06-looking-inside",
    md("""
# 6. Looking inside

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
    "07-backpropagation",
    md("""
# 7. Backpropagation, step by step

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
    "08-scikit-learn-estimator",
    md("""
# 8. The scikit-learn estimator on real data

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
