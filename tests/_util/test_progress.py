"""Progress: a tqdm bar, one line per step, or nothing."""
import io
import sys

import pytest

from neuronlab._util.progress import Progress


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_lines_write_one_line_per_step():
    out = _Stream(tty=False)
    with Progress("lines", 3, desc="training", unit="epoch", stream=out) as p:
        p.step("epoch 1/3")
        p.step("epoch 2/3", postfix="loss 0.5")
    assert out.getvalue() == "epoch 1/3\nepoch 2/3\n"
    assert p.done == 2 and p.mode == "lines"


def test_none_writes_nothing():
    for mode in ("none", None, False):
        out = _Stream(tty=True)
        p = Progress(mode, 2, desc="d", unit="run", stream=out)
        p.line("note")
        p.step("run 1")
        p.close()
        assert out.getvalue() == "" and p.mode == "none"


def test_auto_writes_lines_when_the_stream_is_not_a_terminal():
    out = _Stream(tty=False)
    p = Progress("auto", 2, desc="d", unit="run", stream=out)
    p.step("run 1")
    assert p.mode == "lines" and out.getvalue() == "run 1\n"


def test_without_tqdm_a_bar_falls_back_to_lines_with_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    out = _Stream(tty=True)
    p = Progress("bar", 2, desc="d", unit="epoch", stream=out)
    p.step("epoch 1/2")
    first, second = out.getvalue().splitlines()
    assert p.mode == "lines"
    assert "pip install 'neuronlab[cli]'" in first and first.endswith("one line per epoch")
    assert second == "epoch 1/2"


def test_a_bar_counts_from_the_steps_already_done():
    pytest.importorskip("tqdm")
    out = _Stream(tty=False)
    p = Progress(True, 5, desc="sweep", unit="run", initial=2, stream=out)
    assert p.mode == "bar"
    p.step("ignored for a bar", postfix="failed=1")
    assert p.bar.n == 3 and p.done == 3
    p.close()
    p.close()                         # a second close does nothing
    text = out.getvalue()
    assert "sweep" in text and "3/5" in text and "failed=1" in text and "ignored" not in text
