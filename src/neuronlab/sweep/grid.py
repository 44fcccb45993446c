"""The parameters a sweep may vary (their defaults, canonical values and text forms), the
columns of its results, the grid, and :class:`SweepError`."""
from __future__ import annotations

import itertools
import numbers
from typing import Any, Callable, Mapping, Sequence

from ..errors import HyperparameterError
from .._util.validate import check_fraction, check_int, check_nonnegative, check_positive, check_positive_int
from .._util.registry import unknown_name

#: The parameters a grid may vary, in display order, with their defaults.
PARAMETERS: dict[str, Any] = {
    "activation": "relu",      # hidden activation; "relu+tanh" gives one per hidden layer
    "hidden": (32,),           # hidden layer sizes; () for none
    "learning_rate": None,     # None: the optimizer's own default
    "optimizer": "adam",
    "batch_size": 32,
    "epochs": 50,
    "dropout": 0.0,
    "l2": 0.0,
}
_ALIASES = {"lr": "learning_rate", "activations": "activation", "hidden_sizes": "hidden", "layers": "hidden",
            "batch": "batch_size", "weight_decay": "l2"}

#: Columns of the results CSV (the same for every sweep, so that one file can collect several).
COLUMNS = ["run_id", "data", *PARAMETERS, "seed", "status", "error", "epochs_run", "time_s",
           "loss", "val_loss", "accuracy", "val_accuracy", "mae", "val_mae", "worker", "history"]


# =======================================================================================
# Parameters: canonical values, text forms, the grid
# =======================================================================================

def _canon_activation(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        parts = [str(p) for p in v]
    elif isinstance(v, str):
        parts = v.replace(",", "+").split("+")
    else:
        from .. import activations
        parts = [activations.get(v).name]   # an Activation instance: by its registered name
    parts = [p.strip().lower() for p in parts]
    if not parts or not all(parts):
        raise HyperparameterError(f"activation must be a name like 'relu' (or 'relu+tanh', one per layer), got {v!r}")
    from .. import activations
    for p in parts:
        activations.get(p)          # UnknownNameError with a close match
    return "+".join(parts)


def _canon_hidden(v: Any) -> tuple[int, ...]:
    if isinstance(v, str):
        t = v.strip().lower()
        if t in ("", "none", "0", "-"):
            return ()
        try:
            sizes = tuple(int(p) for p in t.replace("×", "x").replace("*", "x").split("x"))
        except ValueError:
            raise HyperparameterError(f"hidden layers must look like 16 or 32x32 (sizes joined by 'x'), got {v!r}") from None
    elif isinstance(v, numbers.Integral) and not isinstance(v, bool):
        sizes = (int(v),)
    elif isinstance(v, (list, tuple)):
        sizes = tuple(v)
    else:
        raise HyperparameterError(f"hidden layers must be a list of sizes like [32, 32], got {v!r}")
    return tuple(check_int("hidden layer size", s, minimum=1) for s in sizes)


def _canon_lr(v: Any) -> float | None:
    if v is None or (isinstance(v, str) and v.strip().lower() in ("", "none", "default")):
        return None
    if isinstance(v, str):
        try:
            v = float(v)
        except ValueError:
            raise HyperparameterError(f"learning_rate must be a number, got {v!r}") from None
    return check_positive("learning_rate", v)


def _canon_optimizer(v: Any) -> str:
    if not isinstance(v, str):
        raise HyperparameterError(f"optimizer must be a name in a sweep (e.g. 'adam'), got {v!r}")
    from .. import optimizers
    name = v.strip().lower()
    optimizers.get(name)            # UnknownNameError with a close match
    return name


def _canon_int(name: str) -> Callable[[Any], int]:
    def canon(v: Any) -> int:
        if isinstance(v, str):
            try:
                v = int(v)
            except ValueError:
                raise HyperparameterError(f"{name} must be an integer, got {v!r}") from None
        return check_positive_int(name, v)
    return canon


def _canon_float(name: str, check: Callable[[str, Any], float]) -> Callable[[Any], float]:
    def canon(v: Any) -> float:
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                raise HyperparameterError(f"{name} must be a number, got {v!r}") from None
        return check(name, v)
    return canon


_CANON: dict[str, Callable[[Any], Any]] = {
    "activation": _canon_activation,
    "hidden": _canon_hidden,
    "learning_rate": _canon_lr,
    "optimizer": _canon_optimizer,
    "batch_size": _canon_int("batch_size"),
    "epochs": _canon_int("epochs"),
    "dropout": _canon_float("dropout", check_fraction),
    "l2": _canon_float("l2", check_nonnegative),
}


def _param_key(key: Any) -> str:
    k = str(key).strip().lower().replace("-", "_")
    k = _ALIASES.get(k, k)
    if k not in PARAMETERS:
        raise unknown_name("sweep parameter", key, list(PARAMETERS))
    return k


def hidden_text(sizes: Sequence[int]) -> str:
    """``(32, 32)`` → ``"32x32"``; ``()`` → ``"none"``."""
    return "x".join(str(s) for s in sizes) if sizes else "none"


def _value_text(key: str, v: Any) -> str:
    if v is None:
        return "default" if key == "learning_rate" else ""
    if key == "hidden":
        return hidden_text(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def expand_grid(grid: Mapping[str, Any] | None, defaults: Mapping[str, Any] | None = None
                ) -> tuple[list[str], list[dict[str, Any]]]:
    """``(swept keys, configurations)``: every combination of the grid's values, in order
    (the last key varies fastest), each a full dict of :data:`PARAMETERS` (canonical values).

    A grid value is a list of alternatives, or one value.  ``hidden`` alternatives are
    lists of sizes (``[[16], [32, 32]]``), single ints, or text like ``"32x32"``.

    >>> keys, configs = expand_grid({"activation": ["relu", "tanh"], "hidden": [[16], [8, 8]]})
    >>> keys, len(configs), configs[1]["activation"], configs[1]["hidden"]
    (['activation', 'hidden'], 4, 'relu', (8, 8))
    """
    base = {k: _CANON[k](v) for k, v in PARAMETERS.items()}
    for k, v in (defaults or {}).items():
        key = _param_key(k)
        base[key] = _CANON[key](v)
    if grid is None:
        grid = {}
    if not isinstance(grid, Mapping):
        raise HyperparameterError("grid must be a dict like {'activation': ['relu', 'tanh'], 'hidden': [[16], [32, 32]]}")
    keys: list[str] = []
    alternatives: list[list[Any]] = []
    for k, values in grid.items():
        key = _param_key(k)
        if key in keys:
            raise HyperparameterError(f"the grid names {key!r} twice (as {k!r})")
        vals = list(values) if isinstance(values, (list, tuple)) else [values]
        if not vals:
            raise HyperparameterError(f"grid[{k!r}] is empty; give at least one value")
        canon = [_CANON[key](v) for v in vals]
        seen = set()
        for c in canon:
            if c in seen:
                raise HyperparameterError(f"grid[{k!r}] lists {_value_text(key, c)} twice")
            seen.add(c)
        keys.append(key)
        alternatives.append(canon)
    configs = []
    for combo in itertools.product(*alternatives):
        cfg = dict(base)
        cfg.update(zip(keys, combo))
        n_acts = len(cfg["activation"].split("+"))
        if n_acts > 1 and n_acts != len(cfg["hidden"]):
            raise HyperparameterError(
                f"activation {cfg['activation']!r} names {n_acts} layers but hidden "
                f"{hidden_text(cfg['hidden'])} has {len(cfg['hidden'])}; give one activation or one per hidden layer")
        configs.append(cfg)
    return keys, configs


def _seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        return list(range(check_positive_int("seeds", seeds)))
    try:
        out = list(seeds)
    except TypeError:
        raise HyperparameterError(f"seeds must be a count (5) or a list of seeds ([0, 1, 2]), got {seeds!r}") from None
    if not out:
        raise HyperparameterError("seeds is empty; give a count or at least one seed")
    out = [check_int("seed", s, minimum=0) for s in out]
    if len(set(out)) != len(out):
        raise HyperparameterError(f"seeds lists a seed twice: {out}")
    return out
