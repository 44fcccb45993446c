"""One run of a sweep (one configuration, one seed): what executes on a worker, in this
process, a local worker process or a Dask worker."""
from __future__ import annotations

import math
import os
import socket
import time
from typing import Any

import numpy as np

from .._util.extras import blas_threads
from .._util.text import one_line
from ..errors import SweepError
from .grid import COLUMNS
from .data import _build_generated, _data_token


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


def _worker_label() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _finite(v: Any) -> bool:
    return isinstance(v, float) and math.isfinite(v)


def _record_base(task: dict[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {c: None for c in COLUMNS}
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
        with blas_threads(1), np.errstate(all="ignore"):
            _train(task, prepared, rec)
    except Exception as err:  # the run failed: record why, the sweep goes on
        rec["status"] = "failed"
        rec["error"] = one_line(err, with_type=True)
    rec["time_s"] = time.perf_counter() - start
    return rec


def _train(task: dict[str, Any], prepared: tuple, rec: dict[str, Any]) -> None:
    from ..network import Network
    from ..training import Callback
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


def _failed_record(task: dict[str, Any], reason: str) -> dict[str, Any]:
    rec = _record_base(task)
    rec["status"], rec["error"] = "failed", reason
    return rec
