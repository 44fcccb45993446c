"""Notebooks: whether the code runs in a Jupyter kernel, and one display that is updated in
place.  IPython is never imported here: only a kernel that already runs it counts."""
from __future__ import annotations

import sys
from typing import Any

from .extras import require


def in_notebook() -> bool:
    """True inside a Jupyter kernel (a notebook, JupyterLab, VS Code's notebooks), False in a
    script, a terminal IPython or a plain interpreter.

    >>> in_notebook()
    False
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:                      # a half-imported or stubbed IPython
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class LiveDisplay:
    """One output area of a notebook cell that is replaced in place (no flicker, no new
    outputs): the first :meth:`update` displays, every later one replaces it.

    Outside a notebook it shows nothing and :attr:`shown` stays False.

    Parameters
    ----------
    active : bool, optional
        Whether to display at all (default: :func:`in_notebook`).
    """

    def __init__(self, active: bool | None = None) -> None:
        self.active = in_notebook() if active is None else bool(active)
        self.handle: Any = None
        self.updates = 0

    @property
    def shown(self) -> bool:
        return self.handle is not None

    def update(self, obj: Any) -> None:
        """Show ``obj`` (anything IPython displays: an object with ``_repr_html_`` or
        ``_repr_png_``, a figure, text) in place of what was shown before."""
        if not self.active:
            return
        if self.handle is None:
            display = require("IPython.display", extra=None, what="a notebook display", package="ipython")
            self.handle = display.display(obj, display_id=True)
        else:
            self.handle.update(obj)
        self.updates += 1
