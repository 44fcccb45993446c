"""Pieces every ``neuronlab`` command shares: names and defaults, the usage error, argument
types, printing (numbers, JSON) and the pictures module, loaded on demand."""
from __future__ import annotations

import argparse
import difflib
import io
import json
import math
import os
import pickle
import struct
import sys
import zipfile
import zlib
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import numpy as np

from .._util.extras import require
from .._util.text import one_line
from ..errors import DataError, MissingExtraError, UsageError

PROG = "neuronlab"
DEFAULT_DIR = "neuronlab-out"
DEFAULT_MODEL = os.path.join(DEFAULT_DIR, "model.nlz")
PLOT_KINDS = ("curves", "regions", "neurons", "histograms", "diagram")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Every command's help: the description and examples as written, options in two columns."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=100)


def _add_data_args(p: argparse.ArgumentParser, required: bool = True, what: str = "the data",
                   default: str | None = None,
                   target_default: str = "the one the model was trained on, else the last column") -> None:
    """``--data``, ``--target`` and ``--no-header``, as every command that reads data has them."""
    p.add_argument("--data", required=required and default is None, default=default, metavar="DATA",
                   help=f"{what}: a built-in name, a .csv or .npz file, or an IDX pair IMAGES,LABELS"
                        + (f" (default: {default})" if default else ""))
    p.add_argument("--target", metavar="COLUMN", help=f"CSV target column (default: {target_default})")
    p.add_argument("--no-header", action="store_true",
                   help="the CSV file has no header row: every row is data, columns are named x0, x1, …")


def _int_list(text: str) -> list[int]:
    t = text.strip().lower()
    if t in ("", "none", "0", "-"):
        return []
    try:
        sizes = [int(p) for p in t.replace(" ", "").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of layer sizes like 64,32") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got '{text}'")
    return sizes


def _float_list(text: str) -> list[float]:
    try:
        values = [float(p) for p in text.replace(" ", "").split(",") if p != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers like 0.5,0.6") from None
    if not values:
        raise argparse.ArgumentTypeError("give at least one number, e.g. 0.5,0.6")
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"'{text}' holds a value that is not finite")
    return values


def _int(text: str) -> int:
    """A whole number, or argparse's one-line error."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _number(text: str) -> float:
    """A number (``float``), or argparse's one-line error."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


def _positive_int(text: str) -> int:
    v = _int(text)
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


def _nonneg_int(text: str) -> int:
    v = _int(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {v}")
    return v


def _fraction(text: str) -> float:
    v = _number(text)
    if not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1), got {text}")
    return v


def _positive_float(text: str) -> float:
    v = _number(text)
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return v


def _finite_float(text: str) -> float:
    v = _number(text)
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be finite, got {text}")
    return v


# =======================================================================================
# Output helpers
# =======================================================================================

def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=_json_default, allow_nan=True), file=sys.stdout)


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if hasattr(v, "to_dict"):
        return v.to_dict()
    return str(v)


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.{digits}f}"
    return str(v)


def _plural(n: int, word: str) -> str:
    irregular = {"class": "classes"}
    return f"{n} {word if n == 1 else irregular.get(word, word + 's')}"


def _plots():
    """:mod:`neuronlab.plots`, drawing to files only (never a window)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        require("matplotlib", extra="plot", what="pictures")
    except MissingExtraError as err:
        cause = err.__cause__
        if cause is not None and not isinstance(cause, ModuleNotFoundError):
            # installed but failing to import (a broken install, an import cut short): not missing
            raise MissingExtraError(f"pictures need matplotlib, which is installed but failed to import: "
                                    f"{one_line(cause)}") from cause
        raise
    from .. import plots
    return plots


def _close_figure(fig: Any) -> None:
    """Release a figure (neuronlab.plots draws without pyplot; close it there only if pyplot made it)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close(fig)
        except Exception:  # pragma: no cover - not one of pyplot's figures
            pass


# =======================================================================================
# Files the user gives
# =======================================================================================

# What reading a damaged, truncated or foreign file raises from the standard library and
# NumPy (besides the loaders' own neuronlab errors).  Only the read itself is guarded by
# :func:`reading`, so the same exceptions anywhere else remain internal errors.
_FILE_PROBLEMS: tuple[type[BaseException], ...] = (
    OSError, EOFError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error,
    struct.error, pickle.UnpicklingError,
)


def _file_problem(path: str, what: str, err: BaseException) -> str:
    """One line naming ``path`` and what is wrong with it."""
    if isinstance(err, IsADirectoryError):
        return f"{path} is a folder, not {what}"
    if isinstance(err, FileNotFoundError):
        return f"no such file: {path} (check the path)"
    if isinstance(err, PermissionError):
        return f"cannot read {path}: permission denied (check the file's permissions)"
    if isinstance(err, OSError) and err.strerror:
        return f"cannot read {path}: {err.strerror.lower()}"
    text = one_line(err) if str(err) else type(err).__name__
    if "allow_pickle" in text:    # NumPy's reading of bytes that are not a .npy/.npz file
        return f"{path} is damaged or not {what} (it is not a NumPy .npz file); check the path"
    if path in text or os.path.basename(path) in text:
        return text
    if isinstance(err, (zipfile.BadZipFile, EOFError, zlib.error, struct.error, pickle.UnpicklingError, KeyError,
                        UnicodeDecodeError)):
        return f"{path} is damaged or not {what} ({type(err).__name__}: {text}); check that it is complete"
    return f"{path}: {text}"


@contextmanager
def reading(path: str | None, what: str) -> Iterator[None]:
    """Turn a problem with the user's file ``path`` met inside the block into one
    :class:`~neuronlab.errors.DataError` naming the file (exit code 2, one line).

    ``what`` says what the file should be, e.g. ``"a model file"``.  A missing optional
    dependency and ``KeyboardInterrupt`` pass through unchanged, and so does every exception
    that is not about reading a file (a ``TypeError`` there is a bug and keeps its traceback).

    >>> with reading("model.nlz", "a model file"):
    ...     raise EOFError("No data left in file")
    Traceback (most recent call last):
    neuronlab.errors.DataError: model.nlz is damaged or not a model file (EOFError: No data left in file); check that it is complete
    """
    try:
        yield
    except (MissingExtraError, UsageError):
        raise
    except _FILE_PROBLEMS as err:
        if path is None:
            raise
        _close_left_open(err, str(path))
        raise DataError(_file_problem(str(path), what, err)) from err


def _close_left_open(err: BaseException | None, path: str) -> None:
    """Close the handles of ``path`` that a failed read left open in its frames (NumPy's
    ``load`` does so on a damaged zip), so that no ``ResourceWarning`` follows the message."""
    seen: set[int] = set()
    target = os.path.abspath(path)
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        tb = err.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                name = getattr(value, "name", None)
                if (isinstance(value, io.IOBase) and isinstance(name, str) and not value.closed
                        and os.path.abspath(name) == target):
                    value.close()
            tb = tb.tb_next
        err = err.__cause__ or err.__context__


def suggest(word: str, choices: Iterable[str], quote: bool = True) -> str:
    """``" — did you mean 'X'?"`` for the closest of ``choices``, or ``""``.

    >>> suggest("bars", ["bar", "lines"])
    " — did you mean 'bar'?"
    >>> suggest("--epohcs", ["--epochs", "--seed"], quote=False)
    ' — did you mean --epochs?'
    >>> suggest("--colour", ["--epochs"])
    ''
    """
    close = difflib.get_close_matches(word.lower(), sorted(set(choices)), n=1, cutoff=0.6)
    if not close:
        return ""
    return f" — did you mean '{close[0]}'?" if quote else f" — did you mean {close[0]}?"
