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

import math
import numbers
import os
from typing import Any, Literal, overload

import numpy as np

from .._util.files import read_container, write_container
from .._util.validate import check_int
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
    """Read a checkpoint written by :func:`save_checkpoint` and check every field in it.

    Returns ``{"meta": dict, "parameters": ndarray, "optimizer": dict of arrays and
    scalars, "best_parameters": ndarray or None}``.

    Raises
    ------
    ModelFileError
        Missing, damaged or foreign files, with the field that is wrong.
    """
    meta, members = read_container(path, header_key="meta", kind="checkpoint",
                                   missing_hint="; train with fit(checkpoint=...) first")
    if not isinstance(meta, dict) or meta.get("format") != CHECKPOINT_FORMAT:
        raise ModelFileError(f"{path} is not a neuronlab checkpoint")
    if meta.get("version") != CHECKPOINT_VERSION:
        raise ModelFileError(f"{path} is checkpoint version {meta.get('version')!r}; this neuronlab reads "
                             f"version {CHECKPOINT_VERSION}")
    fields = _Fields(path)
    epoch = fields.integer("epoch", fields.get(meta, "epoch"), minimum=1)
    parameters = fields.vector("parameters", members.get("parameters"))
    _check_meta(fields, meta, epoch)
    opt_state = dict(fields.mapping("optimizer.scalars", fields.get(meta, "optimizer", "scalars")))
    for key in list(members):
        if key.startswith("optimizer/"):
            opt_state[key[len("optimizer/"):]] = fields.vector(key, members.pop(key), size=parameters.size)
    best = members.get("early_stopping/best_parameters")
    if best is not None:
        best = fields.vector("early_stopping/best_parameters", best, size=parameters.size)
    return {"meta": meta, "parameters": parameters, "optimizer": opt_state, "best_parameters": best}


class _Fields:
    """Reads the fields of one checkpoint; anything missing or malformed is one
    :class:`ModelFileError` naming the file and the field."""

    def __init__(self, path: Any) -> None:
        self.path = path

    def fail(self, field: str, problem: str) -> ModelFileError:
        return ModelFileError(f"checkpoint {self.path} is damaged: {field} {problem}; delete it to start "
                              "afresh, or resume from an intact checkpoint")

    def get(self, meta: Any, *keys: str) -> Any:
        value = meta
        for depth, key in enumerate(keys):
            if not isinstance(value, dict) or key not in value:
                raise self.fail(".".join(keys[:depth + 1]), "is missing")
            value = value[key]
        return value

    def mapping(self, field: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"must be a mapping, got {type(value).__name__}")
        return value

    @overload
    def integer(self, field: str, value: Any, minimum: int = 0, maximum: int | None = None,
                allow_none: Literal[False] = False) -> int: ...
    @overload
    def integer(self, field: str, value: Any, minimum: int = 0, maximum: int | None = None, *,
                allow_none: bool) -> int | None: ...
    def integer(self, field: str, value: Any, minimum: int = 0, maximum: int | None = None,
                allow_none: bool = False) -> int | None:
        if value is None and allow_none:
            return None
        try:
            return check_int(field, value, minimum=minimum, maximum=maximum)
        except ValueError as err:
            raise self.fail(field, f"is {value!r}, not an integer {_bounds(minimum, maximum)}") from err

    def number(self, field: str, value: Any, allow_none: bool = False) -> float | None:
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise self.fail(field, f"is {value!r}, not a finite number")
        return float(value)

    def vector(self, field: str, value: Any, size: int | None = None) -> np.ndarray:
        """A 1-D array of finite floats (of ``size`` elements when given)."""
        if value is None:
            raise self.fail(field, "is missing")
        if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype.kind != "f":
            shape = getattr(value, "shape", None)
            raise self.fail(field, f"must be a 1-D float array, got {type(value).__name__} of shape {shape}")
        if size is not None and value.size != size:
            raise self.fail(field, f"holds {value.size} values, the parameters {size}")
        if not np.isfinite(value).all():
            raise self.fail(field, "holds NaN or infinite values")
        return value


def _bounds(minimum: int | None, maximum: int | None) -> str:
    if maximum is None:
        return f">= {minimum}"
    return f"in [{minimum}, {maximum}]"


def _check_meta(fields: _Fields, meta: dict[str, Any], epoch: int) -> None:
    """Check the JSON fields: network, dtype, optimizer, random states, history, early stopping."""
    layers = fields.get(meta, "network", "layers")
    if not isinstance(layers, list):
        raise fields.fail("network.layers", f"must be a list, got {type(layers).__name__}")
    if not isinstance(fields.get(meta, "dtype"), str):
        raise fields.fail("dtype", f"must be a dtype name, got {meta['dtype']!r}")
    if not isinstance(fields.get(meta, "optimizer", "config", "name"), str):
        raise fields.fail("optimizer.config.name", f"must be a name, got {meta['optimizer']['config']['name']!r}")
    for key in ("rng_start", "rng"):
        _check_rng_state(fields, key, fields.get(meta, key))
    _check_history(fields, fields.mapping("history", fields.get(meta, "history")), epoch)
    es = fields.get(meta, "early_stopping")
    if es is not None:
        es = fields.mapping("early_stopping", es)
        fields.number("early_stopping.best", fields.get(es, "best"), allow_none=True)
        fields.integer("early_stopping.best_epoch", fields.get(es, "best_epoch"), 1, epoch, allow_none=True)
        fields.integer("early_stopping.wait", fields.get(es, "wait"), 0, epoch)


#: Bit generators whose state a checkpoint may hold: NumPy's, by the name their state carries.
_BIT_GENERATORS = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM, "MT19937": np.random.MT19937,
                   "Philox": np.random.Philox, "SFC64": np.random.SFC64}


def _check_rng_state(fields: _Fields, key: str, state: Any) -> None:
    """A random generator's state: a known bit generator's name and non-negative integers
    that the bit generator takes as they are."""
    state = fields.mapping(key, state)
    name = fields.get(state, "bit_generator")
    if not isinstance(name, str) or name not in _BIT_GENERATORS:
        raise fields.fail(f"{key}.bit_generator", f"is {name!r}, not one of {sorted(_BIT_GENERATORS)}")
    trial = _BIT_GENERATORS[name]()
    _check_same_keys(fields, key, state, trial.state)
    _check_state_leaves(fields, key, state)
    try:
        trial.state = state
    except (TypeError, ValueError, KeyError, OverflowError, IndexError) as err:
        raise fields.fail(key, f"is not a valid {name} state ({err})") from None
    if trial.state != state:
        raise fields.fail(key, f"is not a valid {name} state (it does not read back as written)")


def _check_same_keys(fields: _Fields, field: str, value: Any, template: Any) -> None:
    """``value`` has the nested keys of a fresh bit generator's state ``template``."""
    if not isinstance(template, dict):
        return
    value = fields.mapping(field, value)
    for k in template:
        if k not in value:
            raise fields.fail(f"{field}.{k}", "is missing")
        _check_same_keys(fields, f"{field}.{k}", value[k], template[k])


def _check_state_leaves(fields: _Fields, field: str, value: Any) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k != "bit_generator":
                _check_state_leaves(fields, f"{field}.{k}", v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_state_leaves(fields, f"{field}[{i}]", v)
    elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2 ** 128:
        raise fields.fail(field, f"is {value!r}, not an integer in [0, 2**128)")


def _check_history(fields: _Fields, history: dict[str, Any], epoch: int) -> None:
    """Epochs 1..epoch, one number per epoch in every series, a best epoch among them."""
    epochs = fields.get(history, "epochs")
    if epochs != list(range(1, epoch + 1)) or any(isinstance(e, bool) for e in epochs):
        shown = epochs if not isinstance(epochs, list) or len(epochs) <= 8 else f"{len(epochs)} entries"
        raise fields.fail("history.epochs", f"must be 1..{epoch} (the epochs trained), got {shown!r}")
    series = fields.mapping("history.history", fields.get(history, "history"))
    for name, values in series.items():
        if not isinstance(values, list) or len(values) != epoch:
            length = len(values) if isinstance(values, list) else type(values).__name__
            raise fields.fail(f"history.history.{name}", f"must hold {epoch} values, one per epoch, got {length}")
        for value in values:
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
                raise fields.fail(f"history.history.{name}", f"holds {value!r}, not a number")
    if not isinstance(history.get("metric", "accuracy"), str):
        raise fields.fail("history.metric", f"must be a name, got {history['metric']!r}")
    fields.integer("history.best_epoch", history.get("best_epoch"), 1, epoch, allow_none=True)
    if not isinstance(history.get("stopped_early", False), bool):
        raise fields.fail("history.stopped_early", f"must be true or false, got {history['stopped_early']!r}")


def _check_resumable(network: Any, restored: dict[str, Any], path: Any) -> None:
    """Refuse a checkpoint written for another network (architecture, dtype, size, random generator)."""
    meta = restored["meta"]
    if meta["network"]["layers"] != network.config()["layers"] or meta["dtype"] != network.dtype.name:
        raise ModelFileError(
            f"checkpoint {path} was written for another network ({meta['network']['layers']!r}, "
            f"{meta['dtype']}); resume with the network it was made for"
        )
    if restored["parameters"].shape != network.parameters.shape:
        raise ModelFileError(f"checkpoint {path} holds {restored['parameters'].size} parameters, "
                             f"the network has {network.n_params}")
    own = type(network._rng.bit_generator).__name__
    for key in ("rng_start", "rng"):
        if meta[key]["bit_generator"] != own:
            raise _Fields(path).fail(f"{key}.bit_generator", f"is {meta[key]['bit_generator']!r}, but the "
                                     f"network draws from {own}")


def _restore(network: Any, opt: Any, stopper: Any, history: History, restored: dict[str, Any],
             path: Any = None) -> int:
    """Put the state saved in a checkpoint back; return the epoch it was written after."""
    meta = restored["meta"]
    if meta["optimizer"]["config"]["name"] != opt.config()["name"]:
        raise ModelFileError(f"the checkpoint was trained with {meta['optimizer']['config']['name']}, "
                             f"not {opt.config()['name']}; resume with the same optimizer")
    try:
        opt.load_state_dict(restored["optimizer"])
    except ModelFileError as err:
        raise _Fields(path).fail("optimizer", f"state does not fit ({err})") from None
    network.parameters[...] = restored["parameters"]
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
        if stopper.wait >= stopper.patience:        # a checkpoint of the epoch that stopped the run
            history.stopped_early = True
    return int(meta["epoch"])
