"""Training checkpoints: atomic, pickle-free files that let ``fit`` resume bit for bit, and
putting their state back into a network, its optimizer and its early stopping.

A checkpoint is one ``.npz`` file (a zip of ``.npy`` members, read with
``allow_pickle=False``) holding

* ``meta``: one JSON document (stored as a uint8 array) with the format version, the
  network's architecture, the epoch just finished, the optimizer's scalar state, the
  random generator's state at the start of ``fit`` and now, the history so far and the
  early-stopping counters;
* ``parameters``: the network's flat parameter buffer;
* ``optimizer/<name>``: every array of the optimizer's state;
* ``early_stopping/best_parameters``: the best weights so far, when early stopping runs.

A checkpoint is written to a temporary file in the same directory, flushed to disk and
renamed over the target, so a crash or a kill during a save leaves the previous
checkpoint intact.
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._util.files import read_container, write_container
from ..errors import ModelFileError
from .history import History

__all__ = ["save_checkpoint", "load_checkpoint", "CHECKPOINT_FORMAT"]

CHECKPOINT_FORMAT = "neuronlab-checkpoint"
CHECKPOINT_VERSION = 1


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
    write_container(path, meta, arrays, header_key="meta", allow_nan=True)


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Returns ``{"meta": dict, "parameters": ndarray, "optimizer": dict of arrays and
    scalars, "best_parameters": ndarray or None}``.

    Raises
    ------
    ModelFileError
        Missing, damaged or foreign files, with what is wrong.
    """
    meta, members = read_container(path, header_key="meta", kind="checkpoint",
                                   missing_hint="; train with fit(checkpoint=...) first")
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


def _check_resumable(network: Any, restored: dict[str, Any], path: Any) -> None:
    meta = restored["meta"]
    if meta["network"]["layers"] != network.config()["layers"] or meta["dtype"] != network.dtype.name:
        raise ModelFileError(
            f"checkpoint {path} was written for another network ({meta['network']['layers']!r}, "
            f"{meta['dtype']}); resume with the network it was made for"
        )
    if restored["parameters"].shape != network.parameters.shape:
        raise ModelFileError(f"checkpoint {path} holds {restored['parameters'].size} parameters, "
                             f"the network has {network.n_params}")


def _restore(network: Any, opt: Any, stopper: Any, history: History, restored: dict[str, Any]) -> int:
    """Put the state saved in a checkpoint back; return the epoch it was written after."""
    meta = restored["meta"]
    if meta["optimizer"]["config"]["name"] != opt.config()["name"]:
        raise ModelFileError(f"the checkpoint was trained with {meta['optimizer']['config']['name']}, "
                             f"not {opt.config()['name']}; resume with the same optimizer")
    network.parameters[...] = restored["parameters"]
    opt.load_state_dict(restored["optimizer"])
    network._rng.bit_generator.state = meta["rng"]
    saved = History.from_dict(meta["history"])
    history.epochs, history.history = saved.epochs, saved.history
    history.best_epoch, history.stopped_early = saved.best_epoch, saved.stopped_early
    es = meta.get("early_stopping")
    if stopper is not None and es is not None:
        stopper.best = np.inf if es["best"] is None else es["best"]
        stopper.best_epoch, stopper.wait = es["best_epoch"], es["wait"]
        bp = restored["best_parameters"]
        stopper.best_parameters = None if bp is None else bp.astype(network.dtype)
    return int(meta["epoch"])

