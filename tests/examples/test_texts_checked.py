"""What the texts say, checked (``examples/02-the-texts-checked.ipynb``): the notebook runs in a fresh kernel,
each verdict it prints is the one recomputed here (by hand where the arithmetic is short, with the library
where it trains), its closing table holds exactly those verdicts, and README.md shows the same table."""
import math
import re
from pathlib import Path

import numpy as np
import pytest

import neuronlab as nl

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("sklearn")             # the digits images

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "02-the-texts-checked.ipynb"
README = ROOT / "README.md"
SECTION = "## The texts, checked"


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> str:
    """Everything the notebook prints, run top to bottom in a fresh kernel."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path_factory.mktemp("texts"))}})
    client.execute()
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def verdict_lines(text: str) -> list[str]:
    return [line[len("verdict: "):] for line in text.splitlines() if line.startswith("verdict: ")]


def table_rows(text: str) -> list[tuple[str, ...]]:
    """The rows of the first markdown table in ``text``, without its header and rule."""
    rows = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    cells = [tuple(c.strip() for c in row.strip("|").split("|")) for row in rows]
    return [row for row in cells[2:]] if len(cells) > 2 else []


# -- each verdict, recomputed -----------------------------------------------------------------

def num(v) -> str:
    return f"{float(v):.4g}"


def about(error: float) -> str:
    return "0" if error == 0 else f"1e{round(np.log10(error))}"


def word(holds: bool) -> str:
    return "holds" if holds else "does not hold"


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def digits_split():
    digits = nl.datasets.load("digits")
    return digits, *digits.split(0.25, seed=0)


def worked_neuron():
    z = 0.5 * 0.1 + 0.6 * 0.2 + 0.3
    return f"holds — z = 0.5×0.1 + 0.6×0.2 + 0.3 = {num(z)}, relu(z) = {num(max(0.0, z))}"


def non_linearity():
    train, test = nl.datasets.load("xor", n=400, seed=0).split(0.25, seed=0)
    accuracy = {}
    for hidden in ["identity", "tanh"]:
        net = nl.Network.mlp([2, 8, 2], hidden=hidden, seed=0, dtype="float64")
        net.fit(train.X, train.y, epochs=100, learning_rate=0.05)
        accuracy[hidden] = (net.predict(test.X) == test.y).mean()
    assert accuracy["identity"] < 0.6 < 0.95 < accuracy["tanh"]
    return (f"holds — on XOR, linear hidden neurons reach {accuracy['identity']:.0%}, "
            f"tanh ones {accuracy['tanh']:.0%}")


def backpropagation():
    z = 0.5 * 0.1 + 0.6 * 0.2 + 0.3                    # the relu neuron, then the output 2·a
    out = 2 * z
    gradient = 2 * (out - 1.0) * 2 * 1.0 * 0.6          # ∂L/∂out × w_out × relu′(z) × x1
    net = nl.Network([nl.Dense(2, 1, activation="relu", weights=[[0.1], [0.2]], bias=[0.3]),
                      nl.Dense(1, 1, activation="identity", weights=[[2.0]], bias=[0.0])], loss="mse", dtype="float64")
    check = nl.gradcheck(net, [[0.5, 0.6]], [1.0])
    net.fit([[0.5, 0.6]], [1.0], epochs=20, batch_size=1, optimizer="sgd", learning_rate=0.1, shuffle=False)
    after = (net.predict([[0.5, 0.6]])[0, 0] - 1.0) ** 2
    return (f"holds — ∂L/∂w = {num(gradient)}, backprop and finite differences agree to about {about(check)}; "
            f"20 steps lower L from {num((out - 1.0) ** 2)} to {num(after)}")


def step_threshold():
    step = nl.activations.get("step", threshold=0.3)
    below, above = float(step(0.29)), float(step(0.31))
    assert (below, above) == (0.0, 1.0) and not step.derivative(np.linspace(-5, 5, 1001)).any()
    return f"holds — with θ = 0.3, step(0.29) = {num(below)}, step(0.31) = {num(above)}; its derivative is 0 everywhere"


def step_network():
    bits = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    AND, XOR = np.array([[0], [0], [0], [1.0]]), np.array([0, 1, 1, 0.0])
    largest = {}
    for name in ["step", "sigmoid"]:
        net = nl.Network([nl.Dense(2, 2, activation=name), nl.Dense(2, 1, activation=name)],
                         loss="mse", seed=0, dtype="float64")
        largest[name] = max(np.abs(layer.dW).max() for layer in net.trace(bits, AND).layers)
    and_rule = nl.Perceptron(2).fit(bits, AND[:, 0])
    with pytest.warns(nl.ConvergenceWarning, match="did not converge in 100 epochs"):
        xor_rule = nl.Perceptron(2).fit(bits, XOR, max_epochs=100)
    assert largest["step"] == 0 < largest["sigmoid"] and and_rule.converged_ and not xor_rule.converged_
    return (f"holds — every gradient of a step network is 0 (a sigmoid one's largest is {num(largest['sigmoid'])}) "
            f"and a nudge of 0.01 changes its loss by 0; the perceptron rule learns AND in {and_rule.n_epochs_} "
            f"epochs but still makes {xor_rule.errors_[-1]} mistakes on XOR after 100")


def sigmoid_range():
    first_one = next(z for z in range(60) if sigmoid(z) == 1.0)
    return (f"holds — sigmoid(−10) = {num(sigmoid(-10))}, sigmoid(10) = 1 − {num(1 - sigmoid(10))}; "
            f"only float64 rounding reaches 1 (from z = {first_one})")


def sigmoid_derivative():
    f = nl.activations.get("sigmoid")
    z = np.linspace(-6, 6, 121)
    s = f(z)
    error = np.abs(s * (1 - s) - (f(z + 1e-6) - f(z - 1e-6)) / 2e-6).max()
    exact = np.array_equal(f.derivative(z), s * (1 - s))
    assert error < 1e-8
    return (f"holds — s(1 − s) and a finite difference agree to about {about(error)} on [−6, 6]; neuronlab's derivative "
            f"is {'exactly s(1 − s)' if exact else 's(1 − s) to ' + about(np.abs(f.derivative(z) - s * (1 - s)).max())}")


def tanh_relu_derivatives():
    z = np.linspace(-3, 3, 60)
    tanh_error = np.abs((np.tanh(z + 1e-6) - np.tanh(z - 1e-6)) / 2e-6 - (1 - np.tanh(z) ** 2)).max()
    relu = nl.activations.get("relu")
    relu_error = np.abs((relu(z + 1e-6) - relu(z - 1e-6)) / 2e-6 - (z > 0)).max()
    assert np.allclose(nl.activations.get("tanh").derivative(z), 1 - np.tanh(z) ** 2)
    return (f"holds — tanh′ = 1 − tanh² and relu′ = (z > 0) match finite differences to about {about(tanh_error)} and "
            f"{about(relu_error)}")


def output_layer():
    digits, train, test = digits_split()
    net = nl.Network.mlp([64, 32, 10], seed=0, dtype="float64")
    net.fit(train.X / 16, train.y, epochs=10, learning_rate=0.01)
    accuracy = (net.predict_proba(test.X / 16).argmax(axis=1) == test.y).mean()
    assert accuracy > 0.9
    return (f"holds — 64 pixels in, one output neuron per digit (10); the largest names the digit of "
            f"{accuracy:.0%} of {len(test.y)} test images")


def connected():
    return f"holds for dense layers — 64 × 32 + 32 × 10 = {64 * 32 + 32 * 10} weights, one per pair of neurons in adjacent layers"


def input_scale():
    digits, train, test = digits_split()
    scaler = nl.datasets.Standardizer().fit(train.X)
    accuracy = []
    for prepare in [lambda X: X, lambda X: X / 16, scaler.transform]:
        net = nl.Network.mlp([64, 32, 10], seed=0, dtype="float64")
        net.fit(prepare(train.X), train.y, epochs=10, optimizer="sgd", learning_rate=0.1)
        accuracy.append((net.predict(prepare(test.X)) == test.y).mean())
    reader = nl.Network.mlp([64, 32, 10], seed=0, dtype="float64")
    reader.fit(train.X / 16, train.y, epochs=10, learning_rate=0.01)
    hidden = np.maximum(train.X / 16 @ reader.layers[0].W + reader.layers[0].b, 0).max()
    assert accuracy[0] < accuracy[1] < accuracy[2] and hidden > 1
    raw, unit, standard = accuracy
    return (f"holds only once someone scales them — digits pixels run from {digits.X.min():g} to {digits.X.max():g} "
            f"and ReLU outputs reach {num(hidden)}; with SGD (η = 0.1, 10 epochs) raw pixels give {raw:.0%}, "
            f"[0, 1] {unit:.0%}, standardised {standard:.0%}")


def random_weights_and_bias():
    digits, train, test = digits_split()
    first, second = (nl.Network.mlp([64, 32, 10], seed=seed, dtype="float64") for seed in (0, 1))
    W0 = first.layers[0].W.copy()
    shared = (W0 == second.layers[0].W).mean()
    first.fit(train.X / 16, train.y, epochs=1, learning_rate=0.01)
    still = first.layers[0].W == W0
    blank = (train.X == 0).all(axis=0)
    assert still[blank].all() and blank.any()
    z = 0.5 * 0.1 + 0.6 * 0.2 - 0.5
    return (f"holds — two seeds share {shared:.0%} of their weights, one epoch moves {1 - still.mean():.1%} (none from "
            f"the {blank.sum()} blank pixels); one bias per neuron, and b = −0.5 makes the worked neuron's "
            f"z = {num(z)}, relu gives {num(max(0.0, z))}: inactive")


def passing_on():
    return (f"holds only for step and relu neurons — below their threshold they pass 0; a sigmoid neuron that does "
            f"not fire passes {num(sigmoid(-1))}, a tanh neuron that does not fire passes {num(math.tanh(-1))} on")


def two_meanings():
    z = 0.5 * 0.1 + 0.6 * 0.2 + 0.3
    return (f"holds only as [3]'s own word for z — for the worked sigmoid neuron z = {num(z)} ([3]'s activation value) "
            f"but f(z) = {num(sigmoid(z))} ([1]'s, and neuronlab's activation_value)")


def scaled_down():
    digits, train, test = digits_split()
    net = nl.Network.mlp([64, 32, 10], seed=0, dtype="float64")
    sums = train.X / 16 @ net.layers[0].W + net.layers[0].b
    beyond, largest = (np.abs(sums) > 1).mean(), sums.max()
    return (f"{'holds only for squashing functions' if beyond > 0.5 else 'does not hold'} — {beyond:.0%} of a fresh "
            f"digits network's weighted sums lie beyond ±1 (the worked one is 0.47); the largest, {num(largest)}, "
            f"sigmoid and tanh scale down to {num(sigmoid(largest))} and {num(math.tanh(largest))}, relu leaves at "
            f"{num(largest)}")


def sigmoid_between():
    return f"holds — on [−30, 30] it runs from {num(sigmoid(-30))} to 1 − {num(1 - sigmoid(30))}"


def tanh_range():
    assert nl.activations.get("tanh").output_range == (-1.0, 1.0)
    return f"holds — tanh(±3) = ±{num(math.tanh(3))}, tanh(±10) = ±(1 − {num(1 - math.tanh(10))})"


def relu_range():
    relu = nl.activations.get("relu")
    assert relu.output_range == (0.0, math.inf)
    return (f"{word(float(relu(3.0)) <= 1)} — relu(3) = {num(relu(3.0))}, relu(100) = {num(relu(100.0))}: "
            f"its range is [0, ∞)")


VERDICTS = [worked_neuron, non_linearity, backpropagation, step_threshold, step_network, sigmoid_range,
            sigmoid_derivative, tanh_relu_derivatives, output_layer, connected, input_scale, random_weights_and_bias,
            passing_on, two_meanings, scaled_down, sigmoid_between, tanh_range, relu_range]


def test_one_verdict_per_section_in_the_texts_order(printed):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sections = [m.group(1) for c in nb.cells if c.cell_type == "markdown"
                for m in re.finditer(r"^## (\[\d\]) ", c.source, re.M)]
    rows = table_rows(printed)
    assert len(sections) == len(verdict_lines(printed)) == len(rows) == len(VERDICTS)
    assert [row[0][:3] for row in rows] == sections == sorted(sections)       # [1] … [2] … [3] …
    assert {"[1]", "[2]", "[3]"} == set(sections)


@pytest.mark.parametrize("index", range(len(VERDICTS)), ids=[f.__name__ for f in VERDICTS])
def test_each_printed_verdict_is_the_recomputed_one(printed, index):
    assert verdict_lines(printed)[index] == VERDICTS[index]()


def test_the_corrections_are_there(printed):
    """The claims the texts get wrong are printed as such, with the number that shows it."""
    lines = verdict_lines(printed)
    assert lines[-1].startswith("does not hold — relu(3) = 3")
    assert sum(line.startswith("holds only") for line in lines) == 3
    assert all(re.match(r"(holds|holds only .+?|does not hold)( for dense layers)? — .*\d", line) for line in lines)


def test_the_table_holds_the_printed_verdicts(printed):
    rows = table_rows(printed)
    assert [row[1] for row in rows] == verdict_lines(printed)
    assert all(len(row) == 3 and row[2].startswith("`") and row[2].endswith("`") for row in rows)


def test_the_readme_shows_the_notebooks_table(printed):
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"README.md has no section {SECTION!r} with the verdict table"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    assert "examples/02-the-texts-checked.ipynb" in section
    assert table_rows(section) == table_rows(printed)
