"""Progress on stderr: a tqdm bar when tqdm is installed, else one line per step; in a
notebook (when asked), a bar that is updated in place."""
from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

from . import html
from .extras import install_hint, optional
from .notebook import LiveDisplay, in_notebook

MODES = ("auto", "bar", "lines", "none")


class Progress:
    """A progress display over ``total`` steps (epochs, runs).

    Parameters
    ----------
    mode : {"auto", "bar", "lines", "none"} or bool
        ``"bar"`` (or True): a tqdm bar; without tqdm, a note and one line per step.
        ``"auto"``: a bar when tqdm is installed and the stream is a terminal, else lines.
        ``"lines"``: one line per step.  ``"none"`` (or False, None): nothing.
    total : int
        Steps in all.
    desc, unit : str
        The bar's label and the name of one step (``"training"``, ``"epoch"``).
    initial : int
        Steps already done before this display started.
    stream : file, optional
        Where to write (default: ``sys.stderr`` at the time of each write).
    notebook : bool
        In a Jupyter kernel, show any mode but ``"none"`` as a bar in the cell's output
        instead (mode ``"notebook"``): tqdm's widget when tqdm and ipywidgets are
        installed, else an HTML bar updated in place.  Outside a kernel it changes nothing.

    Call :meth:`step` after every step and :meth:`close` at the end (or use ``with``).
    """

    def __init__(self, mode: Any, total: int, *, desc: str, unit: str, initial: int = 0,
                 stream: TextIO | None = None, notebook: bool = False) -> None:
        self.total, self.done, self.unit, self._stream = total, initial, unit, stream
        self.desc = desc
        self.bar: Any = None
        self.live: NotebookBar | None = None
        self.mode = "none" if mode in (None, False, "none") else "lines"
        if notebook and self.mode != "none" and in_notebook():
            self.mode = "notebook"
            self._notebook_bar(total, initial, desc, unit)
        elif mode in (True, "auto", "bar"):
            tqdm = optional("tqdm")
            if tqdm is None and mode in (True, "bar"):
                self.line(f"note: a progress bar needs tqdm; install it with: {install_hint('cli')}; "
                          f"showing one line per {unit}")
            if tqdm is not None and (mode in (True, "bar") or self.stream.isatty()):
                self.mode = "bar"
                self.bar = tqdm.tqdm(total=total, initial=initial, desc=desc, unit=unit, file=self.stream,
                                leave=True, **_bar_size(self.stream))

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def line(self, text: str) -> None:
        """Write ``text`` as a line of its own, unless the display is ``"none"`` or a bar."""
        if self.mode == "lines":
            print(text, file=self.stream, flush=True)

    def _notebook_bar(self, total: int, initial: int, desc: str, unit: str) -> None:
        """tqdm's notebook widget when ipywidgets is there (without it tqdm would warn and
        fall back to text), else neuronlab's HTML bar."""
        tqdm = optional("tqdm") if optional("ipywidgets") is not None else None
        if tqdm is not None:
            notebook = optional("tqdm.notebook")
            if notebook is not None:
                self.bar = notebook.tqdm(total=total, initial=initial, desc=desc, unit=unit, leave=True)
                return
        self.live = NotebookBar(total, initial, desc=desc, unit=unit)

    def step(self, line: str, postfix: str | None = None) -> None:
        """One step more: the bar moves on (showing ``postfix``), or ``line`` is written."""
        self.done += 1
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix_str(postfix, refresh=False)
            self.bar.update(1)
        elif self.live is not None:
            self.live.step(postfix or line)
        else:
            self.line(line)

    def close(self) -> None:
        """End the bar (a second call does nothing)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.live is not None:
            self.live.close()
            self.live = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class NotebookBar:
    """A progress bar in a notebook cell's output: one HTML display, replaced in place at
    most every :attr:`every` seconds (and at the first and the last step); its plain text
    is the last step's line.

    Parameters
    ----------
    total : int
        Steps in all.
    initial : int
        Steps already done.
    desc, unit : str
        The label and the name of one step.
    every : float
        The shortest time in seconds between two redraws (the last step always redraws).
    """

    def __init__(self, total: int, initial: int = 0, *, desc: str, unit: str, every: float = 0.1) -> None:
        self.total, self.done, self.desc, self.unit, self.every = total, initial, desc, unit, every
        self.text = f"{desc}: {initial}/{total} {unit}s"
        self.display = LiveDisplay()
        self.start = self._last = time.perf_counter()
        self._pending = False
        self._draw()

    def step(self, text: str) -> None:
        """One step more; ``text`` (e.g. the epoch's losses) is written beside the bar."""
        self.done += 1
        self.text = text
        now = time.perf_counter()
        if now - self._last >= self.every or self.done >= self.total:
            self._draw()
        else:
            self._pending = True

    def close(self) -> None:
        """Draw the last state if a redraw was skipped."""
        if self._pending:
            self._draw()

    def _draw(self) -> None:
        self._last, self._pending = time.perf_counter(), False
        elapsed = self._last - self.start
        self.display.update(html.RichText(self.text, html.progress_bar(self.done, self.total, desc=self.desc,
                                                                       unit=self.unit, text=self.text,
                                                                       elapsed=elapsed)))


def _bar_size(stream: TextIO) -> dict[str, Any]:
    """Follow the terminal's width; a bare pty reports 0 × 0, where tqdm would hide the bar."""
    try:
        cols, rows = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError, AttributeError):
        cols, rows = 0, 0
    if cols >= 40 and rows >= 1:
        return {"dynamic_ncols": True}
    return {"dynamic_ncols": False, "ncols": 100, "nrows": 20}
