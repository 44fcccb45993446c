"""Sweeps: train every combination of activations, architectures and learning rates over
several seeds, on all local cores or on a Dask cluster, and compare them.

Floor 4 (faces).  NumPy only at import time: ``dask.distributed`` (the ``sweep`` extra),
matplotlib (the ``plot`` extra), tqdm (the ``cli`` extra) and pandas are imported inside
the functions that need them.

>>> import neuronlab as nl                                                  # doctest: +SKIP
>>> res = nl.sweep(data="spirals",
...                grid={"activation": ["relu", "tanh", "sigmoid", "gelu"],
...                      "hidden": [[16], [32, 32]], "learning_rate": [1e-2, 1e-3]},
...                seeds=5, epochs=50)                                      # doctest: +SKIP
>>> print(res.table())        # ranked by mean ± std validation accuracy   # doctest: +SKIP
>>> res.to_csv("sweep.csv"); res.plot("sweep.png")                         # doctest: +SKIP

How a run is made reproducible
------------------------------
A *run* is one configuration (a point of the grid) and one seed.  The data set is built
once from its name and ``data_seed`` (or taken as given), split into training and
validation rows with ``data_seed`` (stratified for classes) and standardised on the
training rows; every run of the sweep sees the same split.  The run's seed seeds the
weights, the shuffling and dropout.  Each run does its BLAS on one thread.  So a run gives
bit-identical numbers wherever it runs: in this process (``executor="serial"``), in a
local worker process (``"local"``) or on any Dask worker (``client=``) — every column but
``time_s`` and ``worker``.

What travels to a worker is a small task (the configuration, the seed and how to build
the data); a generated data set (``xor``, ``circles``, ``moons``, ``spirals``, ``blobs``) is
rebuilt on the worker from its name and seed and cached there, and checked against the
client's copy by a hash.  Other data (a real set, a file, arrays) is prepared here and
shipped once per worker process (Dask: scattered once, broadcast), never per task.

Failures
--------
* A run that diverges (non-finite loss or weights, or an epoch's training loss above
  ``divergence_factor`` × the loss before training) or raises is recorded with
  ``status="failed"`` and the reason in ``error``; the sweep goes on.
* A worker process that dies (killed, out of memory) loses its runs; they are run again on
  a fresh process pool (local) or another worker (Dask), ``retries`` times at most.
* With ``out=``, each finished run is appended to the CSV file at once (flushed); running
  the same sweep again with the same ``out`` skips the runs already there (the key is a
  hash of the data, the configuration and the seed), so an interrupted sweep resumes.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import math
import numbers
import os
import signal
import socket
import sys
import time
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .errors import (DataError, HyperparameterError, NeuronLabError, check_fraction, check_nonnegative,
                     check_positive, check_positive_int, unknown_name)

__all__ = ["sweep", "SweepResult", "expand_grid", "read_results", "add_sweep_command", "run_sweep_command",
           "COLUMNS", "PARAMETERS"]

_SWEEP_EXTRA = 'pip install "neuronlab[sweep]"'
_PLOT_EXTRA = 'pip install "neuronlab[plot]"'

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

_METRICS = ("val_accuracy", "val_loss", "accuracy", "loss", "val_mae", "mae")
_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


class SweepError(NeuronLabError, RuntimeError):
    """The sweep itself could not go on (not one run failing: that is recorded, not raised)."""


def _missing(what: str, extra: str, err: BaseException | None = None) -> ImportError:
    from .errors import MissingExtraError
    e = MissingExtraError(f"{what} is not installed; install it with: {extra}")
    if err is not None:
        e.__cause__ = err
    return e


# =======================================================================================
# Parameters: canonical values, text forms, the grid
# =======================================================================================

def _canon_activation(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        parts = [str(p) for p in v]
    elif isinstance(v, str):
        parts = v.replace(",", "+").split("+")
    else:
        from . import activations
        parts = [activations.get(v).name]   # an Activation instance: by its registered name
    parts = [p.strip().lower() for p in parts]
    if not parts or not all(parts):
        raise HyperparameterError(f"activation must be a name like 'relu' (or 'relu+tanh', one per layer), got {v!r}")
    from . import activations
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
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1:
            raise HyperparameterError(f"hidden layer sizes must be positive integers, got {v!r}")
    return tuple(int(s) for s in sizes)


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
    from . import optimizers
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
    for s in out:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
            raise HyperparameterError(f"seeds must be non-negative integers, got {s!r}")
    if len(set(out)) != len(out):
        raise HyperparameterError(f"seeds lists a seed twice: {out}")
    return [int(s) for s in out]


# =======================================================================================
# Data: prepared once, identical everywhere
# =======================================================================================

def _prepare(X: np.ndarray, y: np.ndarray, task: str, n_classes: int, validation_split: float,
             split_seed: int, standardize: bool) -> tuple:
    """``(X_train, y_train, X_val, y_val, info)`` in float32, from a fixed split."""
    from .datasets import Standardizer, train_test_split
    X = np.asarray(X, dtype=np.float64)
    Xtr, Xv, ytr, yv = train_test_split(X, y, test_size=validation_split, seed=split_seed,
                                        stratify=task == "classification")
    if standardize:
        sc = Standardizer().fit(Xtr)
        Xtr, Xv = sc.transform(Xtr), sc.transform(Xv)
    if task == "classification":
        ytr, yv = ytr.astype(np.int64), yv.astype(np.int64)
        n_out = int(n_classes)
    else:
        ytr, yv = ytr.astype(np.float32), yv.astype(np.float32)
        n_out = 1 if ytr.ndim == 1 else int(ytr.shape[1])
    info = {"task": task, "n_features": int(X.shape[1]), "n_outputs": n_out,
            "metric": "accuracy" if task == "classification" else "mae"}
    arrays = tuple(np.ascontiguousarray(a) for a in (Xtr.astype(np.float32), ytr, Xv.astype(np.float32), yv))
    return arrays + (info,)


def _data_token(prepared: tuple) -> str:
    h = hashlib.sha1()
    for a in prepared[:4]:
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(json.dumps(prepared[4], sort_keys=True).encode())
    return h.hexdigest()[:16]


def _build_generated(recipe: dict[str, Any]) -> tuple:
    from . import datasets
    ds = datasets.load(recipe["name"], **recipe["options"])
    return _prepare(ds.X, ds.y, ds.task, ds.n_classes, recipe["validation_split"], recipe["split_seed"],
                    recipe["standardize"])


def _resolve_data(data: Any, data_options: Mapping[str, Any] | None, data_seed: int, validation_split: float,
                  standardize: bool) -> tuple[dict[str, Any], tuple, str]:
    """``(spec, prepared, display name)``.  ``spec`` travels with every task: a recipe for
    generated data (rebuilt on the worker), else only the token of the shipped arrays."""
    from . import datasets
    recipe = None
    if isinstance(data, str):
        key = data.strip().lower().replace("-", "_")
        options = dict(data_options or {})
        if key in datasets.generated_names():
            options["seed"] = data_seed
            recipe = {"name": key, "options": options, "validation_split": validation_split,
                      "split_seed": data_seed, "standardize": standardize}
            prepared = _build_generated(recipe)
            name = key
        else:
            ds = datasets.load(data, **options)
            if ds.y is None:
                raise DataError(f"{data} has no targets; a sweep needs labelled data")
            prepared = _prepare(ds.X, ds.y, ds.task, ds.n_classes, validation_split, data_seed, standardize)
            name = ds.name or os.path.basename(data)
    elif isinstance(data, datasets.Dataset):
        if data.y is None:
            raise DataError("the Dataset has no targets; a sweep needs labelled data")
        prepared = _prepare(data.X, data.y, data.task, data.n_classes, validation_split, data_seed, standardize)
        name = data.name or "dataset"
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        from .errors import check_array, check_labels_length
        X = check_array(data[0], "X", ndim=2, dtype=np.float64)
        y = np.asarray(data[1])
        check_labels_length(X, y)
        if y.dtype.kind in "iub" and y.ndim == 1:
            classes, y = np.unique(y, return_inverse=True)
            if len(classes) < 2:
                raise DataError("y holds a single class; a classifier needs at least two")
            prepared = _prepare(X, y, "classification", len(classes), validation_split, data_seed, standardize)
        else:
            y = check_array(y, "y", ndim=(1, 2), dtype=np.float64)
            prepared = _prepare(X, y, "regression", 0, validation_split, data_seed, standardize)
        name = "arrays"
    else:
        raise DataError("data must be a built-in name ('spirals'), a file path, a neuronlab Dataset or a tuple (X, y); "
                        f"got {type(data).__name__}")
    token = _data_token(prepared)
    spec = {"token": token, "recipe": recipe, "name": name}
    return spec, prepared, name


# =======================================================================================
# One run (this is what executes on a worker)
# =======================================================================================

_DATA_CACHE: dict[str, tuple] = {}


def _worker_data(spec: dict[str, Any]) -> tuple:
    token = spec["token"]
    prepared = _DATA_CACHE.get(token)
    if prepared is None:
        if spec.get("recipe") is None:
            raise SweepError("the data of this sweep did not reach this worker")
        prepared = _build_generated(spec["recipe"])
        if _data_token(prepared) != token:
            raise SweepError(f"data set '{spec['name']}' rebuilt on this worker differs from the client's "
                             "(different NumPy versions?); results would not be comparable")
        _DATA_CACHE[token] = prepared
    return prepared


class _one_blas_thread:
    """BLAS on one thread for the duration of a run (threadpoolctl, when installed)."""

    def __enter__(self):
        self.ctl = None
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return self
        self.ctl = threadpool_limits(limits=1, user_api="blas")
        return self

    def __exit__(self, *exc):
        if self.ctl is not None:
            self.ctl.restore_original_limits()


def _worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _finite(v: Any) -> bool:
    return isinstance(v, float) and math.isfinite(v)


def _record_base(task: dict[str, Any]) -> dict[str, Any]:
    rec = {c: None for c in COLUMNS}
    rec.update(task["config"])
    rec.update(run_id=task["run_id"], data=task["data"]["name"], seed=task["seed"], history={})
    return rec


def _run_task(task: dict[str, Any], data: tuple | None = None) -> dict[str, Any]:
    """Train one configuration with one seed; never raises for the run's own failures."""
    rec = _record_base(task)
    rec["worker"] = _worker_label()
    start = time.perf_counter()
    try:
        prepared = data if data is not None else _worker_data(task["data"])
        with _one_blas_thread(), np.errstate(all="ignore"):
            _train(task, prepared, rec)
    except Exception as err:  # the run failed: record why, the sweep goes on
        rec["status"] = "failed"
        rec["error"] = _one_line(err)
    rec["time_s"] = time.perf_counter() - start
    return rec


def _train(task: dict[str, Any], prepared: tuple, rec: dict[str, Any]) -> None:
    from .network import Network
    from .training import Callback
    Xtr, ytr, Xv, yv, info = prepared
    cfg = task["config"]
    acts = cfg["activation"].split("+")
    classification = info["task"] == "classification"
    net = Network.mlp([info["n_features"], *cfg["hidden"], info["n_outputs"]],
                      hidden=acts[0] if len(acts) == 1 else acts,
                      output="softmax" if classification else "identity",
                      dropout=cfg["dropout"], seed=task["seed"])
    initial_loss = float(net.evaluate(Xtr, ytr)["loss"])

    class _StopWhenNonFinite(Callback):
        bad: tuple[str, int] | None = None

        def on_epoch_end(self, epoch, logs):
            for k in ("loss", "val_loss"):
                if k in logs and not math.isfinite(logs[k]):
                    self.bad = (k, epoch)
                    return True
            return None

    watch = _StopWhenNonFinite()
    history = net.fit(Xtr, ytr, epochs=cfg["epochs"], batch_size=cfg["batch_size"], optimizer=cfg["optimizer"],
                      learning_rate=cfg["learning_rate"], validation_data=(Xv, yv), l2=cfg["l2"],
                      callbacks=[watch])
    m = info["metric"]
    h = history.history
    rec["history"] = {k: [float(v) for v in h[k]] for k in ("loss", "val_loss", m, "val_" + m) if k in h}
    rec["epochs_run"] = len(history)
    final = {k: float(h[k][-1]) for k in ("loss", "val_loss", m, "val_" + m) if h.get(k)}
    reason = None
    if watch.bad is not None:
        what = "training loss" if watch.bad[0] == "loss" else "validation loss"
        reason = f"diverged: {what} became {h[watch.bad[0]][-1]} at epoch {watch.bad[1]}"
    elif not np.isfinite(net.parameters).all():
        reason = f"diverged: non-finite weights after epoch {len(history)}"
    elif not all(_finite(v) for v in final.values()):
        reason = "diverged: a final loss or metric is not finite"
    elif task.get("divergence_factor") is not None and math.isfinite(initial_loss):
        limit = task["divergence_factor"] * max(initial_loss, 1e-12)
        worst = int(np.argmax(h["loss"]))
        if h["loss"][worst] > limit:
            reason = (f"diverged: training loss reached {h['loss'][worst]:.4g} at epoch {worst + 1}, over "
                      f"{task['divergence_factor']:g}× its {initial_loss:.4g} before training")
    if reason is not None:
        rec["status"], rec["error"] = "failed", reason
        return
    rec.update(final)
    rec["status"] = "ok"


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    name = type(err).__name__
    return text if text.startswith(name) else f"{name}: {text}"


def _failed_record(task: dict[str, Any], reason: str) -> dict[str, Any]:
    rec = _record_base(task)
    rec["status"], rec["error"] = "failed", reason
    return rec


# -- local process pool -----------------------------------------------------------------

_STARTED: Any = None


def _worker_init(shipped: dict[str, tuple], started: Any) -> None:
    """Initializer of every local worker process: one BLAS thread, the shipped data."""
    global _STARTED
    for var in _BLAS_VARS:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=1)          # for the whole life of this worker process
    except ImportError:  # pragma: no cover - optional
        pass
    _DATA_CACHE.update(shipped)
    _STARTED = started


def _run_task_local(task: dict[str, Any]) -> dict[str, Any]:
    if _STARTED is not None:
        _STARTED.put((task["run_id"], os.getpid()))   # so that the client knows what a dead worker held
    return _run_task(task)


def _mp_context():
    import multiprocessing as mp
    methods = mp.get_all_start_methods()
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run_local(tasks: list[dict[str, Any]], n_jobs: int, shipped: dict[str, tuple], retries: int,
               deliver: Callable[[dict[str, Any]], None], stats: dict[str, int]) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    ctx = _mp_context()
    pending = {t["run_id"]: t for t in tasks}
    deaths = {rid: 0 for rid in pending}
    fruitless = 0
    while pending:
        started_q = ctx.SimpleQueue()
        started: dict[str, int] = {}      # run → pid of the worker process that took it
        done: set[str] = set()
        pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(pending)), mp_context=ctx,
                                   initializer=_worker_init, initargs=(shipped, started_q))
        processes = getattr(pool, "_processes", None)   # pid → Process, filled as workers start
        broken = False
        try:
            futures: dict[Any, str] = {}
            try:
                for rid, t in pending.items():
                    futures[pool.submit(_run_task_local, t)] = rid
            except BrokenProcessPool:            # a worker died while the runs were handed out
                broken = True
            waiting = set(futures)
            while waiting and not broken:
                finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                while not started_q.empty():
                    rid, pid = started_q.get()
                    started[rid] = pid
                for fut in finished:
                    rid = futures[fut]
                    try:
                        rec = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    except Exception as err:   # e.g. a task that could not be pickled
                        rec = _failed_record(pending[rid], _one_line(err))
                    done.add(rid)
                    del pending[rid]
                    fruitless = 0
                    deliver(rec)
            for fut in waiting:             # finished just before the pool broke: keep them
                rid = futures[fut]
                if rid in pending and fut.done() and not fut.cancelled() and fut.exception() is None:
                    done.add(rid)
                    deliver(fut.result())
                    del pending[rid]
        except BaseException:
            _stop_pool(pool)
            raise
        if not broken:
            pool.shutdown(wait=True)
            continue
        _stop_pool(pool)
        while not started_q.empty():
            rid, pid = started_q.get()
            started[rid] = pid
        stats["worker_failures"] += 1
        lost = [rid for rid in started if rid not in done and rid in pending]
        # The pool ends its other workers with SIGTERM once one dies; the one that died on
        # its own (killed, out of memory, crashed) exited otherwise.  Charge only its runs,
        # or, if it cannot be told apart, every run that was under way.
        dead = {pid for pid, p in dict(processes or {}).items() if p.exitcode not in (None, 0, -signal.SIGTERM)}
        culprits = [rid for rid in lost if started[rid] in dead] or lost
        if not lost:
            fruitless += 1
            if fruitless > retries:
                raise SweepError("local worker processes keep dying before they start a run; in a script, "
                                 "call sweep() under 'if __name__ == \"__main__\":' (as multiprocessing needs), "
                                 "or use executor='serial' to see the error")
        stats["retried"] += len(lost) - len(culprits)
        for rid in culprits:
            deaths[rid] += 1
            if deaths[rid] > retries:
                task = pending.pop(rid)
                deliver(_failed_record(task, f"worker died: its process died {deaths[rid]} times while running "
                                             "this run (killed, or out of memory?)"))
            else:
                stats["retried"] += 1


def _stop_pool(pool: Any) -> None:
    """Cancel what has not started and end the worker processes now."""
    processes = dict(getattr(pool, "_processes", None) or {})
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes.values():
        try:
            p.terminate()
        except Exception:  # pragma: no cover - already gone
            pass
    for p in processes.values():
        try:
            p.join(5)
        except Exception:  # pragma: no cover
            pass


# -- Dask -------------------------------------------------------------------------------

def _dask():
    try:
        import distributed
    except ImportError as err:
        raise _missing("dask.distributed (needed for sweeps on a Dask cluster)", _SWEEP_EXTRA, err) from None
    return distributed


def _connect(scheduler: str, timeout: float) -> Any:
    distributed = _dask()
    try:
        return distributed.Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise SweepError(f"could not reach the Dask scheduler at {scheduler} within {timeout:g} s ({_one_line(err)}); "
                         "is 'dask scheduler' running there and the port open?") from None


_PLUGIN_CLASS: Any = None


def _install_data(token: str, prepared: tuple) -> None:
    _DATA_CACHE[token] = prepared


def _remove_data(token: str) -> None:
    _DATA_CACHE.pop(token, None)


def _data_plugin(token: str, prepared: tuple) -> Any:
    """A Dask worker plugin that puts the prepared data into every worker's cache — the
    ones there now and the ones that join later (a restarted worker too): the data
    travels once per worker, never with a task."""
    global _PLUGIN_CLASS
    if _PLUGIN_CLASS is None:
        from distributed.diagnostics.plugin import WorkerPlugin

        class SweepData(WorkerPlugin):
            idempotent = True

            def __init__(self, token: str, prepared: tuple) -> None:
                self.token, self.prepared = token, prepared

            def setup(self, worker: Any) -> None:
                _install_data(self.token, self.prepared)

            def teardown(self, worker: Any) -> None:
                _remove_data(self.token)

        _PLUGIN_CLASS = SweepData
    return _PLUGIN_CLASS(token, prepared)


def _run_dask(client: Any, tasks: list[dict[str, Any]], shipped: tuple[str, tuple] | None, retries: int,
              deliver: Callable[[dict[str, Any]], None], stats: dict[str, int]) -> None:
    import uuid
    distributed = _dask()
    from distributed.scheduler import KilledWorker
    plugin_name = None
    if shipped is not None:
        plugin_name = f"neuronlab-sweep-data-{shipped[0]}"
        plugin = _data_plugin(*shipped)
        register = getattr(client, "register_plugin", None) or client.register_worker_plugin
        register(plugin, name=plugin_name)
    futures: dict[Any, dict[str, Any]] = {}
    kills = {t["run_id"]: 0 for t in tasks}

    def submit(task: dict[str, Any]) -> Any:
        key = f"neuronlab-sweep-{task['run_id']}-{uuid.uuid4().hex[:8]}"
        fut = client.submit(_run_task, task, key=key, pure=False, retries=retries)
        futures[fut] = task
        return fut

    ac = distributed.as_completed([submit(t) for t in tasks], loop=client.loop)
    try:
        for fut in ac:
            task = futures.pop(fut)
            try:
                rec = fut.result()
            except KilledWorker as err:
                kills[task["run_id"]] += 1
                stats["worker_failures"] += 1
                if kills[task["run_id"]] <= retries:
                    stats["retried"] += 1
                    fut.release()
                    ac.add(submit(task))
                    continue
                rec = _failed_record(task, f"worker died: {kills[task['run_id']]} times while running this run "
                                           f"({_one_line(err)})")
            except Exception as err:
                rec = _failed_record(task, _one_line(err))
            fut.release()
            deliver(rec)
    except BaseException:
        client.cancel(list(futures))
        raise
    finally:
        if plugin_name is not None:
            try:
                client.unregister_worker_plugin(plugin_name)
            except Exception:  # pragma: no cover - the cluster went away
                pass


# =======================================================================================
# The results file
# =======================================================================================

def _encode(key: str, v: Any) -> str:
    if v is None:
        return ""
    if key == "hidden":
        return hidden_text(v)
    if key == "history":
        return json.dumps(v, separators=(",", ":"))
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _decode(key: str, text: str) -> Any:
    if text == "" and key not in ("hidden", "activation", "optimizer", "status", "data", "run_id", "error"):
        return {} if key == "history" else None
    if key == "hidden":
        return _canon_hidden(text)
    if key in ("batch_size", "epochs", "seed", "epochs_run"):
        return int(text)
    if key in ("learning_rate", "dropout", "l2", "time_s", "loss", "val_loss", "accuracy", "val_accuracy",
               "mae", "val_mae"):
        return float(text)
    if key == "history":
        return json.loads(text)
    if key == "error":
        return text or None
    return text


def read_results(path: Any) -> list[dict[str, Any]]:
    """Every run recorded in a results CSV (a line cut short by a crash is skipped; for a
    run recorded twice, the last row wins)."""
    path = os.fspath(path)
    runs: dict[str, dict[str, Any]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return []
        if header != COLUMNS:
            raise DataError(f"{path} is not a neuronlab sweep results file (its columns are "
                            f"{', '.join(header[:6])}{', ...' if len(header) > 6 else ''}); "
                            "give another out= file or delete this one")
        for row in reader:
            if len(row) != len(COLUMNS):
                continue
            try:
                rec = {k: _decode(k, v) for k, v in zip(COLUMNS, row)}
            except (ValueError, HyperparameterError):
                continue
            if rec["status"] not in ("ok", "failed"):
                continue
            runs[rec["run_id"]] = rec
    return list(runs.values())


class _Appender:
    """Appends one CSV row per finished run and flushes it."""

    def __init__(self, path: str, fresh: bool) -> None:
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
        new = fresh or not os.path.exists(path) or os.path.getsize(path) == 0
        if not new:
            with open(path, "rb") as fh:     # a row cut short by a crash: start on a new line
                fh.seek(-1, os.SEEK_END)
                needs_newline = fh.read(1) not in (b"\n", b"\r")
        self.fh = open(path, "w" if new else "a", newline="", encoding="utf-8")
        self.writer = csv.writer(self.fh)
        if new:
            self.writer.writerow(COLUMNS)
        elif needs_newline:
            self.fh.write("\r\n")
        self.fh.flush()

    def write(self, rec: dict[str, Any]) -> None:
        self.writer.writerow([_encode(k, rec.get(k)) for k in COLUMNS])
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


# =======================================================================================
# Progress
# =======================================================================================

class _Progress:
    def __init__(self, mode: Any, total: int, initial: int, metric: str) -> None:
        self.metric, self.total, self.done, self.failed = metric, total, initial, 0
        self.bar = None
        if mode in (None, False, "none"):
            self.mode = "none"
            return
        self.mode = "lines"
        if mode in (True, "auto", "bar"):
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
                if mode == "bar":
                    print("note: tqdm is not installed (pip install 'neuronlab[cli]'); showing one line per run",
                          file=sys.stderr)
            if tqdm is not None and (mode in (True, "bar") or sys.stderr.isatty()):
                self.mode = "bar"
                self.bar = tqdm(total=total, initial=initial, desc="sweep", unit="run", file=sys.stderr,
                                dynamic_ncols=True)
        if self.mode == "lines" and initial:
            print(f"sweep: {initial} of {total} runs already in the results file, skipped", file=sys.stderr, flush=True)

    def update(self, rec: dict[str, Any], label: str) -> None:
        self.done += 1
        self.failed += rec["status"] != "ok"
        if self.mode == "bar":
            self.bar.update(1)
            if self.failed:
                self.bar.set_postfix(failed=self.failed, refresh=False)
        elif self.mode == "lines":
            if rec["status"] == "ok":
                v = rec.get(self.metric)
                what = f"{self.metric} {v:.4f}" if isinstance(v, float) else "ok"
            else:
                what = f"FAILED ({rec['error']})"
            t = rec.get("time_s")
            when = f" ({t:.2f} s)" if isinstance(t, float) else ""
            print(f"[{self.done}/{self.total}] {label} seed {rec['seed']}: {what}{when}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# =======================================================================================
# The result
# =======================================================================================

def _fmt_time(t: float) -> str:
    if not math.isfinite(t):
        return "-"
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


class SweepResult:
    """The runs of a sweep, one dict each (the columns of :data:`COLUMNS`), in grid order
    (configuration, then seed).

    Attributes
    ----------
    runs : list of dict
    params : list of str
        The swept parameters (the grid's keys), in order.
    metric : str
        What the table ranks by (``val_accuracy`` by default; ``val_mae`` for regression).
    stats : dict
        ``runs``, ``resumed`` (taken from the results file), ``worker_failures`` and
        ``retried`` (runs that ran again after their worker died).
    """

    def __init__(self, runs: list[dict[str, Any]], params: Sequence[str], metric: str,
                 stats: Mapping[str, int] | None = None, data: str = "") -> None:
        if metric not in _METRICS:
            raise unknown_name("metric", metric, _METRICS)
        self.runs = list(runs)
        self.params = list(params)
        self.metric = metric
        self.data = data
        self.stats = dict(stats or {})

    @property
    def higher_is_better(self) -> bool:
        return self.metric.endswith("accuracy")

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The runs that failed (diverged or raised), with their ``error``."""
        return [r for r in self.runs if r["status"] != "ok"]

    def _config_key(self, r: Mapping[str, Any]) -> tuple:
        return tuple(r[k] for k in PARAMETERS)

    def label(self, r: Mapping[str, Any]) -> str:
        """A configuration in words, from the swept parameters: ``relu · 32x32 · lr 0.01``."""
        short = {"learning_rate": "lr", "batch_size": "batch", "dropout": "dropout", "l2": "l2", "epochs": "epochs"}
        parts = []
        for k in self.params or ["activation", "hidden"]:
            text = _value_text(k, r[k])
            parts.append(f"{short[k]} {text}" if k in short else text)
        return " · ".join(parts)

    def summary(self) -> list[dict[str, Any]]:
        """One dict per configuration, best first: the swept parameters, ``mean`` and
        ``std`` (sample standard deviation) of the metric over the runs that finished,
        ``n_ok``, ``n_runs``, ``errors`` (reason → count), ``time_mean`` (seconds per run)."""
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for r in self.runs:
            groups.setdefault(self._config_key(r), []).append(r)
        rows = []
        for order, (key, runs) in enumerate(groups.items()):
            ok = [r[self.metric] for r in runs if r["status"] == "ok" and isinstance(r.get(self.metric), float)]
            values = np.array(ok, dtype=np.float64)
            errors: dict[str, int] = {}
            for r in runs:
                if r["status"] != "ok":
                    reason = (r.get("error") or "failed").split(":")[0]
                    errors[reason] = errors.get(reason, 0) + 1
            times = [r["time_s"] for r in runs if isinstance(r.get("time_s"), float)]
            row = {k: runs[0][k] for k in self.params}
            row.update(
                label=self.label(runs[0]), metric=self.metric,
                mean=float(values.mean()) if len(values) else math.nan,
                std=float(values.std(ddof=1)) if len(values) > 1 else (0.0 if len(values) else math.nan),
                n_ok=len(values), n_runs=len(runs), errors=errors,
                time_mean=float(np.mean(times)) if times else math.nan, _order=order,
            )
            rows.append(row)
        sign = -1.0 if self.higher_is_better else 1.0
        rows.sort(key=lambda r: (r["n_ok"] == 0, sign * r["mean"] if r["n_ok"] else 0.0, r["_order"]))
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
            del row["_order"]
        return rows

    def table(self, time: bool = True, digits: int = 4) -> str:
        """The configurations ranked by mean ± std of the metric, with the runs that
        finished and (``time=True``) the mean time per run."""
        rows = self.summary()
        header = ["rank", *self.params, self.metric + " (mean ± std)", "runs"] + (["time/run"] if time else []) + ["failures"]
        body = []
        for r in rows:
            value = f"{r['mean']:.{digits}f} ± {r['std']:.{digits}f}" if r["n_ok"] else "-"
            fails = ", ".join(f"{k} ({n})" for k, n in r["errors"].items())
            line = [str(r["rank"]), *(_value_text(k, r[k]) for k in self.params), value, f"{r['n_ok']}/{r['n_runs']}"]
            if time:
                line.append(_fmt_time(r["time_mean"]))
            line.append(fails)
            body.append(line)
        if not any(line[-1] for line in body):
            header, body = header[:-1], [line[:-1] for line in body]
        widths = [max(len(x) for x in col) for col in zip(header, *body)]
        right = {0}
        fmt = lambda cells: "  ".join(c.rjust(w) if i in right else c.ljust(w)  # noqa: E731
                                      for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
        lines = [fmt(header), fmt(["-" * w for w in widths])] + [fmt(b) for b in body]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        n_ok = sum(r["status"] == "ok" for r in self.runs)
        return (f"SweepResult({len(self.runs)} runs, {len(self.runs) - n_ok} failed, "
                f"{len({self._config_key(r) for r in self.runs})} configurations, metric={self.metric!r})")

    def __len__(self) -> int:
        return len(self.runs)

    def to_csv(self, path: Any) -> None:
        """Write every run (the results-file format: :func:`sweep` can resume from it)."""
        path = os.fspath(path)
        tmp = f"{path}.tmp-{os.getpid()}"
        w = _Appender(tmp, fresh=True)
        try:
            for r in self.runs:
                w.write(r)
        finally:
            w.close()
        os.replace(tmp, path)

    @classmethod
    def from_csv(cls, path: Any, metric: str | None = None, params: Sequence[str] | None = None) -> "SweepResult":
        """The runs of a results file as a result (the swept parameters are the ones that vary)."""
        runs = read_results(path)
        if params is None:
            params = [k for k in PARAMETERS if len({r[k] for r in runs}) > 1]
        if metric is None:
            metric = "val_accuracy" if any(r.get("val_accuracy") is not None for r in runs) or not runs else "val_mae"
        data = ", ".join(sorted({r["data"] for r in runs}))
        return cls(runs, params, metric, {"runs": len(runs), "resumed": len(runs)}, data)

    def to_frame(self):
        """The runs as a pandas DataFrame (needs pandas)."""
        try:
            import pandas as pd
        except ImportError as err:
            raise _missing("pandas", "pip install pandas", err) from None
        rows = [{**r, "hidden": hidden_text(r["hidden"])} for r in self.runs]
        return pd.DataFrame(rows, columns=COLUMNS)

    # -- pictures ------------------------------------------------------------------------
    def plot(self, path: Any = None, by: str | None = None, curves: str = "best",
             figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
        """Left: the metric of every configuration (mean ± std over seeds), best at the top.
        Right: learning curves (the metric per epoch, mean ± std) grouped by ``by``
        (default: activation) — of each group's best configuration over its seeds
        (``curves="best"``), or pooled over all the group's runs (``curves="all"``).
        Returns the matplotlib Figure; writes ``path`` (.png, .svg or .pdf) when given."""
        if curves not in ("best", "all"):
            raise HyperparameterError(f"curves must be 'best' or 'all', got {curves!r}")
        fig_cls, canvas_cls = _matplotlib()
        if path is not None:
            path = _check_plot_path(path)
        rows = self.summary()
        by = by if by is not None else ("activation" if "activation" in self.params or not self.params
                                        else self.params[0])
        by = _param_key(by)
        n = max(len(rows), 1)
        fig = fig_cls(figsize=figsize or (12.0, max(3.8, 0.32 * n + 1.6)), dpi=dpi, layout="constrained")
        canvas_cls(fig)
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.15, 1.0])
        groups = list(dict.fromkeys(r[by] for r in self.runs))
        colors = {g: f"C{i % 10}" for i, g in enumerate(groups)}
        ys = np.arange(len(rows))[::-1]
        for y, r in zip(ys, rows):
            color = colors.get(self._group_of(r, by), "C0")
            if r["n_ok"]:
                ax1.errorbar(r["mean"], y, xerr=r["std"], fmt="o", color=color, ecolor=color, capsize=3, ms=5)
            else:
                ax1.annotate("failed", (0.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0),
                             textcoords="offset points", va="center", color="0.4", fontsize=8)
        ax1.set_yticks(ys, [f"{r['label']}  ({r['n_ok']}/{r['n_runs']})" for r in rows], fontsize=8)
        ax1.set_xlabel(f"{self.metric} (mean ± std over seeds)")
        ax1.set_title(f"{self.data + ': ' if self.data else ''}{len(rows)} configurations")
        ax1.grid(axis="x", alpha=0.3)
        bounded = self.metric.endswith("accuracy")
        for g in groups:
            chosen = [r for r in self.runs if r["status"] == "ok" and r[by] == g and r.get("history")]
            label = _value_text(by, g)
            if curves == "best":
                best = next((row for row in rows if row["n_ok"] and self._group_of(row, by) == g), None)
                if best is None:
                    continue
                chosen = [r for r in chosen if all(r[k] == best[k] for k in self.params)]
                label = f"{best['label']} ({len(chosen)} seeds)"
            else:
                label = f"{label} ({len(chosen)} runs)"
            series = [np.asarray(r["history"].get(self.metric, []), dtype=np.float64) for r in chosen]
            series = [c for c in series if len(c)]
            if not series:
                continue
            length = max(len(c) for c in series)
            stack = np.full((len(series), length), np.nan)
            for i, c in enumerate(series):
                stack[i, :len(c)] = c
            count = np.sum(~np.isnan(stack), axis=0)
            mean = np.nansum(stack, axis=0) / count
            std = np.sqrt(np.nansum((stack - mean) ** 2, axis=0) / count)
            lo, hi = mean - std, mean + std
            if bounded:
                lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
            epochs = np.arange(1, length + 1)
            ax2.plot(epochs, mean, color=colors[g], label=label)
            ax2.fill_between(epochs, lo, hi, color=colors[g], alpha=0.15, linewidth=0)
        ax2.set_xlabel("epoch")
        ax2.set_ylabel(self.metric)
        ax2.set_title(f"learning curves: best configuration per {by}" if curves == "best"
                      else f"learning curves by {by} (all runs)")
        ax2.grid(alpha=0.3)
        if ax2.lines:
            ax2.legend(title=by, fontsize=8)
        if path is not None:
            fig.savefig(path, dpi=dpi, facecolor="white")
        return fig

    def _group_of(self, summary_row: Mapping[str, Any], by: str) -> Any:
        if by in summary_row:
            return summary_row[by]
        for r in self.runs:   # by is not swept: every run has the same value
            return r[by]
        return None


def _matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise _missing("matplotlib (needed for res.plot)", _PLOT_EXTRA, err) from None
    return Figure, FigureCanvasAgg


def _check_plot_path(path: Any) -> str:
    path = os.fspath(path)
    if os.path.splitext(path)[1].lower() not in (".png", ".svg", ".pdf"):
        raise HyperparameterError(f"the plot file must end in .png, .svg or .pdf, got {path!r}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
    return path


# =======================================================================================
# The sweep
# =======================================================================================

def sweep(data: Any = "spirals", grid: Mapping[str, Any] | None = None, *, seeds: int | Iterable[int] = 5,
          epochs: int = 50, batch_size: int = 32, optimizer: str = "adam", learning_rate: float | None = None,
          activation: str = "relu", hidden: Any = (32,), dropout: float = 0.0, l2: float = 0.0,
          metric: str | None = None, validation_split: float = 0.2, data_seed: int = 0,
          data_options: Mapping[str, Any] | None = None, standardize: bool = True,
          executor: str | None = None, client: Any = None, scheduler: str | None = None,
          n_jobs: int | None = None, retries: int = 2, out: Any = None, resume: bool = True,
          progress: Any = False, on_result: Callable[[dict[str, Any]], Any] | None = None,
          divergence_factor: float | None = 1e3, connect_timeout: float = 10.0) -> SweepResult:
    """Train every configuration of ``grid`` with every seed and collect the results.

    Parameters
    ----------
    data : str, Dataset or (X, y)
        A built-in name (``"spirals"``, ``"moons"``, ``"digits"``, ...), a file (as
        :func:`neuronlab.datasets.load` reads), a :class:`~neuronlab.datasets.Dataset` or
        arrays.  Generated sets are built from ``data_seed`` and ``data_options``
        (``{"n": 600, "noise": 0.1}``).
    grid : dict
        Parameter → list of alternatives: ``activation``, ``hidden`` (lists of sizes),
        ``learning_rate`` (alias ``lr``), ``optimizer``, ``batch_size``, ``epochs``,
        ``dropout``, ``l2``.  Every combination is one configuration; the keyword
        arguments of the same names are the values of the parameters the grid leaves out.
    seeds : int or list of int
        ``5`` means seeds 0–4.  Each seed seeds weights, shuffling and dropout.
    metric : str, optional
        What to rank by: ``val_accuracy`` (default for classes), ``val_mae`` (default for
        values), ``val_loss``, ``accuracy``, ``loss`` or ``mae`` — the last epoch's value.
    validation_split : float
        Share of the rows held out for validation — the same rows (chosen by ``data_seed``,
        stratified by class) for every run.
    standardize : bool
        Scale features to mean 0, std 1 (fitted on the training rows).
    executor : {"local", "serial", "dask"}, optional
        ``local`` (default): one worker process per core (``n_jobs``), each with one BLAS
        thread.  ``serial``: one run after another in this process.  ``dask``: on the
        cluster of ``client`` or ``scheduler`` (chosen automatically when either is given),
        or, with neither, on a new local Dask cluster.
    client : dask.distributed.Client, optional
    scheduler : str, optional
        Address of a Dask scheduler (``"tcp://10.0.0.5:8786"``); a client is opened and
        closed for this sweep.
    n_jobs : int, optional
        Local worker processes (default: every core this process may use).
    retries : int
        How many times a run whose worker died is run again before it is recorded as failed.
    out : path, optional
        Results CSV: each finished run is appended at once.  With ``resume=True`` (the
        default) runs already in the file are not run again.
    progress : bool or {"auto", "bar", "lines", "none"}
        Progress on stderr: a tqdm bar (when installed) or one line per run.
    on_result : callable, optional
        Called here with each finished run's dict as it arrives.
    divergence_factor : float or None
        A run whose training loss (the mean of an epoch) ever exceeds this many times its
        loss before training is recorded as diverged, even if it came down again;
        non-finite losses or weights always are.  None: only non-finite values.

    Returns
    -------
    SweepResult

    Raises
    ------
    UnknownNameError, HyperparameterError
        A bad grid (unknown parameter, activation or optimizer, bad value), before anything runs.
    """
    defaults = {"activation": activation, "hidden": hidden, "learning_rate": learning_rate, "optimizer": optimizer,
                "batch_size": batch_size, "epochs": epochs, "dropout": dropout, "l2": l2}
    params, configs = expand_grid(grid, defaults)
    seed_list = _seeds(seeds)
    validation_split = check_fraction("validation_split", validation_split, low_inclusive=False)
    if isinstance(data_seed, bool) or not isinstance(data_seed, numbers.Integral) or data_seed < 0:
        raise HyperparameterError(f"data_seed must be a non-negative integer, got {data_seed!r}")
    data_seed = int(data_seed)
    if isinstance(retries, bool) or not isinstance(retries, numbers.Integral) or retries < 0:
        raise HyperparameterError(f"retries must be an integer >= 0, got {retries!r}")
    if divergence_factor is not None:
        divergence_factor = check_positive("divergence_factor", divergence_factor)
    if n_jobs is not None:
        n_jobs = check_positive_int("n_jobs", n_jobs)
    if executor is None:
        executor = "dask" if (client is not None or scheduler is not None) else "local"
    executor = str(executor).strip().lower()
    if executor not in ("local", "serial", "dask"):
        raise unknown_name("executor", executor, ["local", "serial", "dask"])
    if executor != "dask" and (client is not None or scheduler is not None):
        raise HyperparameterError(f"client/scheduler run the sweep on Dask; executor={executor!r} contradicts them")
    if client is not None and scheduler is not None:
        raise HyperparameterError("give client= or scheduler=, not both")
    if executor == "dask":
        _dask()                     # fail now, with the extra to install, if dask is missing
    if out is not None:
        out = os.fspath(out)

    spec, prepared, data_name = _resolve_data(data, data_options, data_seed, validation_split, standardize)
    info = prepared[4]
    allowed = ("val_accuracy", "val_loss", "accuracy", "loss") if info["task"] == "classification" \
        else ("val_mae", "val_loss", "mae", "loss")
    if metric is None:
        metric = allowed[0]
    if metric not in allowed:
        raise unknown_name(f"metric for {info['task']}", metric, allowed)

    tasks: list[dict[str, Any]] = []
    for cfg in configs:
        for seed in seed_list:
            ident = json.dumps({"data": spec["token"], "config": cfg, "seed": seed,
                                "divergence_factor": divergence_factor}, sort_keys=True, default=list)
            run_id = hashlib.sha1(ident.encode()).hexdigest()[:16]
            tasks.append({"run_id": run_id, "config": cfg, "seed": seed, "data": spec,
                          "divergence_factor": divergence_factor})
    order = {t["run_id"]: i for i, t in enumerate(tasks)}
    if len(order) != len(tasks):  # pragma: no cover - expand_grid rejects duplicates
        raise HyperparameterError("the grid holds the same configuration twice")

    results: dict[str, dict[str, Any]] = {}
    if out is not None and resume and os.path.exists(out):
        for rec in read_results(out):
            if rec["run_id"] in order:
                results[rec["run_id"]] = rec
    stats = {"runs": len(tasks), "resumed": len(results), "worker_failures": 0, "retried": 0}
    todo = [t for t in tasks if t["run_id"] not in results]
    shown = SweepResult([], params, metric, data=data_name)

    if out is not None:
        parent = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(parent):
            raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
    writer: _Appender | None = None      # opened when the first run finishes
    bar = _Progress(progress, len(tasks), len(results), metric)

    def deliver(rec: dict[str, Any]) -> None:
        nonlocal writer
        results[rec["run_id"]] = rec
        if out is not None:
            if writer is None:
                writer = _Appender(out, fresh=not resume)
            writer.write(rec)
        bar.update(rec, shown.label(rec))
        if on_result is not None:
            on_result(rec)

    try:
        if not todo:
            pass
        elif executor == "serial":
            _DATA_CACHE[spec["token"]] = prepared
            try:
                for t in todo:
                    deliver(_run_task(t))
            finally:
                _DATA_CACHE.pop(spec["token"], None)
        elif executor == "local":
            shipped = {} if spec["recipe"] is not None else {spec["token"]: prepared}
            _run_local(todo, n_jobs or _default_jobs(), shipped, retries, deliver, stats)
        else:
            shipped = None if spec["recipe"] is not None else (spec["token"], prepared)
            own = None
            if client is None:
                if scheduler is not None:
                    client = own = _connect(scheduler, connect_timeout)
                else:
                    own = _local_dask_client(n_jobs or _default_jobs())
                    client = own
            try:
                _run_dask(client, todo, shipped, retries, deliver, stats)
            finally:
                if own is not None:
                    _close_client(own)
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    runs = sorted(results.values(), key=lambda r: order[r["run_id"]])
    return SweepResult(runs, params, metric, stats, data_name)


def _local_dask_client(n_workers: int) -> Any:
    distributed = _dask()
    cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    return distributed.Client(cluster, set_as_default=False)


def _close_client(client: Any) -> None:
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


# =======================================================================================
# Command line: `neuronlab sweep`
# =======================================================================================

def _arg_names(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    if not parts or not all(parts):
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of names like relu,tanh")
    return parts


def _arg_hidden(text: str) -> list[tuple[int, ...]]:
    out = []
    for part in text.split(","):
        try:
            out.append(_canon_hidden(part))
        except HyperparameterError:
            raise argparse.ArgumentTypeError(
                f"'{text}' is not a list of architectures like 16,32x32 (',' between architectures, "
                "'x' between layers, 'none' for no hidden layer)") from None
    return out


def _arg_floats(text: str) -> list[float]:
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers like 0.01,0.001") from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"'{text}' holds a value that is not finite")
    return values


def _arg_ints(text: str) -> list[int]:
    try:
        values = [int(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers like 32,64") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"values must be >= 1, got '{text}'")
    return values


def _arg_seeds(text: str) -> Any:
    try:
        if "," in text:
            values = [int(p) for p in text.split(",")]
            if any(v < 0 for v in values):
                raise ValueError
            return values
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seeds (5) or a list of seeds (0,1,2)") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"the number of seeds must be >= 1, got {v}")
    return v


def _arg_count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {v}")
        return v
    return parse


def _arg_fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in (0, 1), got {text}")
    return v


def _arg_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be finite, got {text}")
    return v


_DESCRIPTION = """\
Train every combination of the given activations, hidden-layer architectures and learning
rates (and optimizers, batch sizes, ...) with several seeds, and rank the configurations by
the mean ± std of the validation metric.  Runs go to one worker process per core (each with
one BLAS thread), or to a Dask cluster with --scheduler.  The same seeds give the same
numbers on either.

Every finished run is appended to --out at once; running the same command again skips the
runs already there (resume).  A run that diverges or fails is recorded as failed with its
reason, and the sweep goes on; runs of a worker that dies are run again elsewhere."""


def add_sweep_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to the ``neuronlab`` command line's subparsers."""
    p = subparsers.add_parser(
        "sweep", help="compare activations and architectures over seeds, on all cores or a Dask cluster",
        formatter_class=lambda prog: argparse.RawDescriptionHelpFormatter(prog, max_help_position=30, width=100),
        description=_DESCRIPTION,
        epilog="examples:\n"
               "  neuronlab sweep --data spirals --activation relu,tanh,sigmoid,gelu --hidden 16,32x32 \\\n"
               "                  --lr 0.01,0.001 --seeds 5 --epochs 50 --out sweep.csv --plot sweep.png\n"
               "  neuronlab sweep --data moons --hidden 8,16,8x8 --scheduler tcp://10.0.0.5:8786 --out moons.csv\n"
               "  neuronlab sweep --data digits --activation relu,gelu --hidden 64,128x64 --seeds 3 --jobs 4")
    p.add_argument("--data", default="spirals", metavar="DATA",
                   help="built-in name, .csv or .npz file (default: spirals)")
    p.add_argument("--target", metavar="COLUMN", help="CSV target column (default: the last column)")
    p.add_argument("--samples", type=_arg_count(2), metavar="N", help="generated data: number of samples")
    p.add_argument("--noise", type=_arg_float, metavar="X", help="generated data: noise level")
    p.add_argument("--data-seed", type=_arg_count(0), default=0, metavar="N",
                   help="seed of the generated data and of the validation split (default: 0)")
    p.add_argument("--activation", type=_arg_names, default=["relu"], metavar="NAMES",
                   help="hidden activations to compare, e.g. relu,tanh,gelu ('relu+tanh': one per layer; default: relu)")
    p.add_argument("--hidden", type=_arg_hidden, default=[(32,)], metavar="ARCHS",
                   help="architectures to compare, e.g. 16,32x32 ('x' between layers; default: 32)")
    p.add_argument("--lr", type=_arg_floats, metavar="RATES",
                   help="learning rates to compare, e.g. 0.01,0.001 (default: the optimizer's own)")
    p.add_argument("--optimizer", type=_arg_names, default=["adam"], metavar="NAMES",
                   help="optimizers to compare (default: adam)")
    p.add_argument("--batch-size", type=_arg_ints, default=[32], metavar="SIZES", help="batch sizes (default: 32)")
    p.add_argument("--epochs", type=_arg_ints, default=[50], metavar="N", help="epochs per run (default: 50)")
    p.add_argument("--dropout", type=_arg_floats, metavar="RATES", help="dropout rates to compare (default: 0)")
    p.add_argument("--l2", type=_arg_floats, metavar="VALUES", help="L2 penalties to compare (default: 0)")
    p.add_argument("--seeds", type=_arg_seeds, default=5, metavar="N",
                   help="seeds per configuration: a count (seeds 0..N-1) or a list 0,1,2 (default: 5)")
    p.add_argument("--val-split", type=_arg_fraction, default=0.2, metavar="F",
                   help="share of the rows held out for validation, the same for every run (default: 0.2)")
    p.add_argument("--metric", default="auto", metavar="NAME",
                   help="rank by val_accuracy, val_loss, val_mae, accuracy, loss or mae "
                        "(default: val_accuracy for classes, val_mae for values)")
    p.add_argument("--jobs", type=_arg_count(1), metavar="N",
                   help="local worker processes (default: one per core); with --scheduler: unused")
    p.add_argument("--serial", action="store_true", help="run in this process, one run after another")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--retries", type=_arg_count(0), default=2, metavar="N",
                   help="times a run whose worker died is run again (default: 2)")
    p.add_argument("--out", metavar="CSV", help="results file: one row per run, appended as runs finish")
    p.add_argument("--no-resume", action="store_true",
                   help="start --out afresh instead of skipping the runs already in it")
    p.add_argument("--plot", metavar="FILE", help="picture of the results (.png, .svg or .pdf)")
    p.add_argument("--progress", choices=("auto", "bar", "lines", "none"), default="auto",
                   help="progress on stderr: a bar over the runs (tqdm), one line per run, or nothing "
                        "(default: auto — a bar on a terminal when tqdm is installed, else lines)")
    p.add_argument("--json", action="store_true", help="print the ranked configurations as JSON")
    p.set_defaults(func=run_sweep_command)
    return p


def run_sweep_command(args: argparse.Namespace) -> int:
    """Run ``neuronlab sweep`` from parsed arguments; prints the ranked table.  Bad input
    raises a :class:`~neuronlab.errors.NeuronLabError` (the command line prints it as one line)."""
    grid: dict[str, Any] = {"activation": args.activation, "hidden": args.hidden}
    if args.lr is not None:
        grid["learning_rate"] = args.lr
    if len(args.optimizer) > 1:
        grid["optimizer"] = args.optimizer
    for key, values in (("batch_size", args.batch_size), ("epochs", args.epochs)):
        if len(values) > 1:
            grid[key] = values
    for key, values in (("dropout", args.dropout), ("l2", args.l2)):
        if values is not None:
            grid[key] = values
    options: dict[str, Any] = {}
    if args.samples is not None:
        options["n"] = args.samples
    if args.noise is not None:
        options["noise"] = args.noise
    if args.target is not None:
        options["target"] = args.target
    if args.plot is not None:
        _check_plot_path(args.plot)
        _matplotlib()                      # fail before the sweep, not after it
    if args.serial and args.scheduler:
        raise HyperparameterError("--serial and --scheduler exclude each other")
    executor = "serial" if args.serial else ("dask" if args.scheduler else "local")
    res = sweep(args.data, grid, seeds=args.seeds, epochs=args.epochs[0], batch_size=args.batch_size[0],
                optimizer=args.optimizer[0], metric=None if args.metric == "auto" else args.metric,
                validation_split=args.val_split, data_seed=args.data_seed, data_options=options or None,
                executor=executor, scheduler=args.scheduler, n_jobs=args.jobs, retries=args.retries,
                out=args.out, resume=not args.no_resume, progress=args.progress)
    if args.json:
        rows = [{k: (hidden_text(v) if k == "hidden" else (None if isinstance(v, float) and not math.isfinite(v) else v))
                 for k, v in r.items()} for r in res.summary()]
        print(json.dumps({"data": res.data, "metric": res.metric, "stats": res.stats, "configurations": rows},
                         indent=2))
    else:
        print(res.table())
    notes = []
    if res.stats.get("resumed"):
        notes.append(f"{res.stats['resumed']} of {len(res)} runs taken from {args.out}")
    n_failed = len(res.failed)
    if n_failed:
        notes.append(f"{n_failed} of {len(res)} runs failed (see the failures column"
                     f"{' and the error column of ' + args.out if args.out else ''})")
    if args.out:
        notes.append(f"results: {args.out}")
    if args.plot:
        res.plot(args.plot)
        notes.append(f"picture: {args.plot}")
    for note in notes:
        print(note, file=sys.stderr)
    return 0
