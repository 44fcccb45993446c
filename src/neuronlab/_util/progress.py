"""Progress on stderr: a tqdm bar when tqdm is installed, else one line per step."""
from __future__ import annotations

import os
import sys
from typing import Any, TextIO

from .extras import install_hint, optional

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

    Call :meth:`step` after every step and :meth:`close` at the end (or use ``with``).
    """

    def __init__(self, mode: Any, total: int, *, desc: str, unit: str, initial: int = 0,
                 stream: TextIO | None = None) -> None:
        self.total, self.done, self.unit, self._stream = total, initial, unit, stream
        self.bar: Any = None
        self.mode = "none" if mode in (None, False, "none") else "lines"
        if mode in (True, "auto", "bar"):
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

    def step(self, line: str, postfix: str | None = None) -> None:
        """One step more: the bar moves on (showing ``postfix``), or ``line`` is written."""
        self.done += 1
        if self.bar is not None:
            if postfix:
                self.bar.set_postfix_str(postfix, refresh=False)
            self.bar.update(1)
        else:
            self.line(line)

    def close(self) -> None:
        """End the bar (a second call does nothing)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _bar_size(stream: TextIO) -> dict[str, Any]:
    """Follow the terminal's width; a bare pty reports 0 × 0, where tqdm would hide the bar."""
    try:
        cols, rows = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError, AttributeError):
        cols, rows = 0, 0
    if cols >= 40 and rows >= 1:
        return {"dynamic_ncols": True}
    return {"dynamic_ncols": False, "ncols": 100, "nrows": 20}
