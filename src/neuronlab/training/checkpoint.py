"""Training checkpoints: atomic, pickle-free files that let ``fit`` resume bit for bit.

Floor 3 (learning).

A checkpoint is one ``.npz`` file (a zip of ``.npy`` members, read with
``allow_pickle=False``) holding

* ``parameters``: the network's flat parameter buffer;
* ``optimizer/<name>``: every array of the optimizer's state;
* ``early_stopping/best_parameters``: the best weights so far, when early stopping runs;
* ``meta``: one JSON document (stored as a uint8 array) with the format version, the
  network's architecture, the epoch just finished, the optimizer's scalar state, the
  random generator's state at the start of ``fit`` and now, the history so far and the
  early-stopping counters.

:func:`atomic_write` writes to a temporary file in the same directory, flushes it to
disk and renames it over the target, so a crash or a kill during a save leaves the
previous checkpoint intact.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import ModelFileError

__all__ = ["atomic_write", "save_checkpoint", "load_checkpoint", "CHECKPOINT_FORMAT"]

CHECKPOINT_FORMAT = "neuronlab-checkpoint"
CHECKPOINT_VERSION = 1


def atomic_write(path: str | os.PathLike, write: Callable[[Any], None]) -> None:
    """Call ``write(binary_file)`` on a temporary file beside ``path``, fsync it, then rename.

    The rename is atomic on POSIX and Windows, so readers see either the old file or the
    whole new one, never a half-written file.
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


def _json_array(obj: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(obj).encode("utf-8"), dtype=np.uint8)


def save_checkpoint(path: str | os.PathLike, *, network: Any, optimizer: Any, epoch: int, history: Any,
                    rng_start: dict[str, Any], early_stopping: Any = None) -> None:
    """Write the training state after ``epoch`` atomically to ``path``."""
    arrays: dict[str, np.ndarray] = {"parameters": network.parameters}
    scalars: dict[str, Any] = {}
    for key, value in optimizer.state_dict().items():
        if isinstance(value, np.ndarray) and value.ndim > 0:
            arrays[f"optimizer/{key}"] = value
        else:
            scalars[key] = value.item() if isinstance(value, np.generic | np.ndarray) else value
    es = None
    if early_stopping is not None:
        es = {"best": None if not np.isfinite(early_stopping.best) else float(early_stopping.best),
              "best_epoch": early_stopping.best_epoch, "wait": early_stopping.wait}
        if early_stopping.best_parameters is not None:
            arrays["early_stopping/best_parameters"] = early_stopping.best_parameters
    meta = {
        "format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, "epoch": int(epoch),
        "network": network.config(), "dtype": network.dtype.name,
        "optimizer": {"config": optimizer.config(), "scalars": scalars},
        "rng_start": rng_start, "rng": network._rng.bit_generator.state,
        "history": history.to_dict(), "early_stopping": es,
    }
    arrays["meta"] = _json_array(meta)

    def write(fh: Any) -> None:
        np.savez(fh, **arrays)

    atomic_write(path, write)


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Returns ``{"meta": dict, "parameters": ndarray, "optimizer": dict of arrays and
    scalars, "best_parameters": ndarray or None}``.

    Raises
    ------
    ModelFileError
        Missing, damaged or foreign files, with what is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"checkpoint {path} does not exist; train with fit(checkpoint=...) first")
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as data:
            members = {k: data[k] for k in data.files}
    except Exception as err:  # any parse failure of a damaged archive (zipfile, zlib, EOF, ...)
        raise ModelFileError(f"checkpoint {path} is damaged or not a checkpoint ({err})") from None
    try:
        meta = json.loads(io.BytesIO(members.pop("meta").tobytes()).read().decode("utf-8"))
    except (KeyError, UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{path} has no readable checkpoint header; it is not a neuronlab checkpoint") from None
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        raise ModelFileError(f"{path} is not a neuronlab checkpoint")
    if meta.get("version") != CHECKPOINT_VERSION:
        raise ModelFileError(f"{path} is checkpoint version {meta.get('version')!r}; this neuronlab reads "
                             f"version {CHECKPOINT_VERSION}")
    if "parameters" not in members:
        raise ModelFileError(f"{path} has no parameters")
    opt_state = dict(meta["optimizer"]["scalars"])
    for key in list(members):
        if key.startswith("optimizer/"):
            opt_state[key[len("optimizer/"):]] = members.pop(key)
    return {"meta": meta, "parameters": members["parameters"], "optimizer": opt_state,
            "best_parameters": members.get("early_stopping/best_parameters")}
