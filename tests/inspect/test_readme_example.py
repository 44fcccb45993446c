"""The README's "Looking inside" example runs as written and prints what its comments say."""
import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def _looking_inside_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Looking inside"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_looking_inside_example_prints_the_explanation_its_comment_shows():
    code = _looking_inside_block()
    promised = [line[2:] for line in code.splitlines() if line.startswith("# layer ")]
    assert promised, "the example shows no printed explanation"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().splitlines() == promised


def _blocks(heading: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    section = section[:re.search(r"\n##+ ", section[len(heading):]).start() + len(heading)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def _printed(code: str) -> tuple[list[str], dict]:
    out, namespace = io.StringIO(), {}
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), namespace)
    return out.getvalue().splitlines(), namespace


def _promised(code: str) -> list[str]:
    return [line[2:] for line in code.splitlines() if line.startswith("# ")]


def test_the_backpropagation_example_prints_the_chain_rule_its_comments_show():
    code, = _blocks("### Backpropagation, one weight at a time")
    printed, ns = _printed(code)
    assert printed == _promised(code) and len(printed) == 12
    t = ns["t"]
    assert abs(t.loss - 0.0036) < 1e-12
    assert abs(t.layers[1].delta[0, 0] + 0.12) < 1e-12 and abs(t.layers[0].delta[0, 0] + 0.24) < 1e-12
    assert abs(t.layers[0].dW[0, 0] + 0.12) < 1e-12 and abs(t.layers[0].dW[1, 0] + 0.144) < 1e-12
    assert abs(t.layers[0].db[0] + 0.24) < 1e-12


def test_the_learning_neuron_of_the_tour_prints_its_step_and_keeps_the_new_weights():
    first, second = _blocks("### One neuron (the worked example)")[:2]
    printed, ns = _printed(first + second)
    assert printed[1:] == _promised(second) and len(printed) == 13   # the first block prints its explanation
    n = ns["n"]
    assert [round(w, 12) for w in n.weights] == [0.153, 0.2636] and round(n.bias, 12) == 0.406
