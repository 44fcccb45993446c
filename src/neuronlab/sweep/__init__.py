"""Sweeps: train every combination of activations, architectures and learning rates over
several seeds, on all local cores or on a Dask cluster, and compare them.

NumPy only at import time: ``dask.distributed`` (the ``sweep`` extra), matplotlib (the
``plot`` extra), tqdm (the ``cli`` extra) and pandas are imported inside the functions that
need them.

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

import hashlib
import json
import os
from typing import Any, Callable, Iterable, Mapping

from ..errors import HyperparameterError
from .._util.validate import check_fraction, check_int, check_positive, check_positive_int
from .._util.registry import unknown_name
from .grid import COLUMNS, PARAMETERS, expand_grid, _seeds
from .data import _resolve_data
from .worker import _DATA_CACHE, _run_task
from .executors import _Progress, _connect, _dask, _default_jobs, _run_dask, _run_local
from .results import _Appender, SweepResult, read_results

__all__ = ["sweep", "SweepResult", "expand_grid", "read_results", "COLUMNS", "PARAMETERS"]


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
    ArgumentTypeError
        ``data`` is not a name, a path, a Dataset or a pair (X, y).
    """
    defaults = {"activation": activation, "hidden": hidden, "learning_rate": learning_rate, "optimizer": optimizer,
                "batch_size": batch_size, "epochs": epochs, "dropout": dropout, "l2": l2}
    params, configs = expand_grid(grid, defaults)
    seed_list = _seeds(seeds)
    validation_split = check_fraction("validation_split", validation_split, low_inclusive=False)
    data_seed = check_int("data_seed", data_seed, minimum=0)
    retries = check_int("retries", retries, minimum=0)
    if divergence_factor is not None:
        divergence_factor = check_positive("divergence_factor", divergence_factor)
    if n_jobs is not None:
        n_jobs = check_positive_int("n_jobs", n_jobs)
    executor = _check_executor(executor, client, scheduler)
    if out is not None:
        out = os.fspath(out)

    spec, prepared, data_name = _resolve_data(data, data_options, data_seed, validation_split, standardize)
    metric = _check_metric(metric, prepared[4]["task"])
    tasks = _tasks(configs, seed_list, spec, divergence_factor)
    order = {t["run_id"]: i for i, t in enumerate(tasks)}

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
        if todo:
            _execute(executor, todo, spec, prepared, deliver, stats, n_jobs=n_jobs or _default_jobs(),
                     retries=retries, client=client, scheduler=scheduler, connect_timeout=connect_timeout)
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    runs = sorted(results.values(), key=lambda r: order[r["run_id"]])
    return SweepResult(runs, params, metric, stats, data_name)


def _check_executor(executor: str | None, client: Any, scheduler: str | None) -> str:
    """The executor's name, checked against ``client`` and ``scheduler``; Dask must be installed
    for ``"dask"`` (checked now, before anything runs)."""
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
        _dask()
    return executor


def _check_metric(metric: str | None, task: str) -> str:
    allowed = ("val_accuracy", "val_loss", "accuracy", "loss") if task == "classification" \
        else ("val_mae", "val_loss", "mae", "loss")
    if metric is None:
        return allowed[0]
    if metric not in allowed:
        raise unknown_name(f"metric for {task}", metric, allowed)
    return metric


def _tasks(configs: list[dict[str, Any]], seeds: list[int], spec: dict[str, Any],
           divergence_factor: float | None) -> list[dict[str, Any]]:
    """One task per configuration and seed, named by a hash of the data, the configuration
    and the seed (the key that resuming from a results file looks up)."""
    tasks = []
    for cfg in configs:
        for seed in seeds:
            ident = json.dumps({"data": spec["token"], "config": cfg, "seed": seed,
                                "divergence_factor": divergence_factor}, sort_keys=True, default=list)
            run_id = hashlib.sha1(ident.encode()).hexdigest()[:16]
            tasks.append({"run_id": run_id, "config": cfg, "seed": seed, "data": spec,
                          "divergence_factor": divergence_factor})
    return tasks


def _execute(executor: str, todo: list[dict[str, Any]], spec: dict[str, Any], prepared: tuple,
             deliver: Callable[[dict[str, Any]], None], stats: dict[str, int], *, n_jobs: int, retries: int,
             client: Any, scheduler: str | None, connect_timeout: float) -> None:
    """Run ``todo`` on the executor, handing every finished run to ``deliver``."""
    if executor == "serial":
        _DATA_CACHE[spec["token"]] = prepared
        try:
            for t in todo:
                deliver(_run_task(t))
        finally:
            _DATA_CACHE.pop(spec["token"], None)
    elif executor == "local":
        shipped = {} if spec["recipe"] is not None else {spec["token"]: prepared}
        _run_local(todo, n_jobs, shipped, retries, deliver, stats)
    else:
        shipped_once = None if spec["recipe"] is not None else (spec["token"], prepared)
        own = None
        if client is None:
            own = _connect(scheduler, connect_timeout) if scheduler is not None else _local_dask_client(n_jobs)
            client = own
        try:
            _run_dask(client, todo, shipped_once, retries, deliver, stats)
        finally:
            if own is not None:
                _close_client(own)


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
