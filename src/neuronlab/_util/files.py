"""Files that are never half written, and the container of model files and checkpoints.

The container is a zip of ``.npy`` members, the layout ``numpy.savez`` writes: one JSON
document stored as a 1-D uint8 array under a header key, and the arrays beside it.  It is
read with ``numpy.load(allow_pickle=False)``, so reading one never runs code from the file.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping

import numpy as np

from ..errors import ModelFileError


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(binary_file)`` on a temporary file beside ``path``, fsync it, then rename it
    over ``path``.

    The rename is atomic on POSIX and Windows, so readers see either the old file or the whole
    new one, never a half-written file; when ``write`` raises, the old file stays as it was
    and the temporary file is removed.

    Raises
    ------
    ModelFileError
        The directory does not exist.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ModelFileError(f"cannot write {path}: directory {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_container(path: str | os.PathLike, header: Any, arrays: Mapping[str, np.ndarray], *,
                    header_key: str = "header", allow_nan: bool = False) -> None:
    """Write ``header`` (plain JSON values) and ``arrays`` to ``path`` atomically.

    The header is the first member, then the arrays in their order.  The header is encoded
    before anything is written, so a header that is not JSON (``TypeError``, or
    ``ValueError`` for NaN or infinity unless ``allow_nan``) leaves ``path`` untouched.
    """
    raw = json.dumps(header, allow_nan=allow_nan).encode("utf-8")
    members = {header_key: np.frombuffer(raw, dtype=np.uint8), **arrays}
    atomic_write(path, lambda fh: np.savez(fh, **members))


def read_container(path: str | os.PathLike, *, header_key: str = "header", kind: str = "model file",
                   missing_hint: str = "") -> tuple[Any, dict[str, np.ndarray]]:
    """``(header, arrays)`` of a file written by :func:`write_container`.

    ``kind`` names the file in messages (``"model file"``, ``"checkpoint"``); ``missing_hint``
    follows the message for a file that does not exist.

    Raises
    ------
    ModelFileError
        The file does not exist, is damaged, is not a container, holds pickled objects or
        has no readable header.
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{kind} {path} does not exist{missing_hint}")
    if not path.is_file():
        raise ModelFileError(f"{path} is not a file")
    try:
        with open(path, "rb") as fh:            # our handle: closed even when the archive is damaged
            data = np.load(fh, allow_pickle=False)
            if not hasattr(data, "files"):
                raise ModelFileError(f"{path} is a bare .npy array, not a neuronlab {kind}")
            with data:
                members = {name: data[name] for name in data.files}
    except ModelFileError:
        raise
    except ValueError as err:
        if "Object arrays" in str(err) or ("allow_pickle" in str(err) and _starts_like_a_pickle(path)):
            raise ModelFileError(f"{path} contains pickled Python objects; neuronlab never loads those") from None
        raise ModelFileError(f"{path} is damaged or not a {kind} ({err})") from None
    except Exception as err:  # any parse failure of a damaged archive (zipfile, zlib, struct, EOF, ...)
        raise ModelFileError(f"{path} is damaged or not a {kind} ({type(err).__name__}: {err})") from None
    raw = members.pop(header_key, None)
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise ModelFileError(f"{path} has no neuronlab header; it is not a neuronlab {kind}")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ModelFileError(f"{path}: the header is damaged ({err})") from None
    return header, members


def _starts_like_a_pickle(path: Path) -> bool:
    """numpy calls every file that is neither a zip nor a ``.npy`` a pickle; a pickle (protocol
    2 and later) starts with the PROTO opcode."""
    with open(path, "rb") as fh:
        return fh.read(1) == b"\x80"
