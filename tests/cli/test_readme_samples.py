"""The README's samples of what the commands print are what they print: every ``$ neuronlab ...`` line
of the console blocks in "The command line" is run again, in order and in one fresh folder, and its
output (stdout and stderr) compared line for line; only durations in seconds may differ."""
import pathlib
import re
import shlex

import pytest

from command_line import run

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
SECONDS = re.compile(r"\d+(\.\d+)? s\b")


def _section(text, title):
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def samples():
    """``[(command line, expected output lines)]`` from the console blocks of the section."""
    found = []
    section = _section(README.read_text(encoding="utf-8"), "The command line")
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output.rstrip("\n").splitlines()))
    return found


def _mask(lines):
    return [SECONDS.sub("<seconds> s", line.rstrip()) for line in lines]


def test_the_readme_shows_sample_output_of_the_commands():
    commands = [c.split()[1] for c, _ in samples()]
    assert {"neuron", "perceptron", "train", "evaluate", "explain", "inspect"} <= set(commands)


def test_every_readme_sample_is_what_the_command_prints(tmp_path):
    for command, expected in samples():
        argv = shlex.split(command)
        assert argv[0] == "neuronlab", command
        r = run(*argv[1:], cwd=tmp_path)
        printed = (r.stdout + r.stderr).rstrip("\n").splitlines()
        assert _mask(printed) == _mask(expected), f"$ {command}\n" + "\n".join(printed)


@pytest.mark.parametrize("text", ["0.47\n", "weights [2, 1]"])
def test_the_samples_are_parsed_from_the_readme(text):
    assert any(text.strip() in "\n".join(out) for _, out in samples())
