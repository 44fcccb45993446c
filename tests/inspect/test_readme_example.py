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
