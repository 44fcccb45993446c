"""Named things (activations, losses, optimizers, ...) and the error for an unknown name."""
from __future__ import annotations

import difflib
from typing import Any, Iterable

from ..errors import UnknownNameError


def unknown_name(kind: str, name: Any, known: Iterable[str]) -> UnknownNameError:
    """Build the error for an unknown ``name``, listing the known ones and a close match.

    >>> str(unknown_name("activation", "relue", ["relu", "tanh"]))
    "unknown activation 'relue' — did you mean 'relu'? Known activations: relu, tanh"
    """
    known = sorted(known)
    close = difflib.get_close_matches(str(name).lower(), known, n=1, cutoff=0.6)
    hint = f" — did you mean '{close[0]}'?" if close else "."
    plural = kind + ("es" if kind.endswith("s") else "s")
    return UnknownNameError(
        f"unknown {kind} '{name}'{hint} Known {plural}: {', '.join(known)}"
    )
