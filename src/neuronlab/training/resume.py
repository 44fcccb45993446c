"""Resuming :func:`neuronlab.training.fit` from a checkpoint: the checks that the
checkpoint fits the network and optimizer, and putting its state back.  The file itself
is read and written by :mod:`neuronlab.checkpoint`.

Floor 3 (learning): imports NumPy and the floors below only.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ModelFileError
from .history import History


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

