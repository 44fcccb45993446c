"""Running the runs of a sweep: a local process pool and a Dask cluster (both retry the
runs of a worker that died), and the progress display."""
from __future__ import annotations

import os
import signal
from typing import Any, Callable

from .._util.extras import optional, require
from .._util.progress import Progress
from .._util.text import one_line
from ..errors import SweepError
from .worker import _DATA_CACHE, _failed_record, _run_task

_BLAS_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


# -- local process pool -----------------------------------------------------------------

_STARTED: Any = None


def _worker_init(shipped: dict[str, tuple], started: Any) -> None:
    """Initializer of every local worker process: one BLAS thread, the shipped data."""
    global _STARTED
    for var in _BLAS_VARS:
        os.environ[var] = "1"
    threadpoolctl = optional("threadpoolctl")
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(limits=1)          # for the whole life of this worker process
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
    """Run ``tasks`` on a pool of local processes; when a worker process dies, start a fresh
    pool for the runs not finished and charge the lost runs to the worker that died."""
    ctx = _mp_context()
    pending = {t["run_id"]: t for t in tasks}
    deaths = {rid: 0 for rid in pending}
    fruitless = 0
    while pending:
        before = len(pending)
        lost = _pool_round(ctx, pending, n_jobs, shipped, deliver)
        if len(pending) < before:         # runs finished: the workers do start
            fruitless = 0
        if lost is None:
            continue
        stats["worker_failures"] += 1
        lost_runs, culprits = lost
        if not lost_runs:
            fruitless += 1
            if fruitless > retries:
                raise SweepError("local worker processes keep dying before they start a run; in a script, "
                                 "call sweep() under 'if __name__ == \"__main__\":' (as multiprocessing needs), "
                                 "or use executor='serial' to see the error")
        stats["retried"] += len(lost_runs) - len(culprits)
        for rid in culprits:
            deaths[rid] += 1
            if deaths[rid] > retries:
                task = pending.pop(rid)
                deliver(_failed_record(task, f"worker died: its process died {deaths[rid]} times while running "
                                             "this run (killed, or out of memory?)"))
            else:
                stats["retried"] += 1


def _pool_round(ctx: Any, pending: dict[str, dict[str, Any]], n_jobs: int, shipped: dict[str, tuple],
                deliver: Callable[[dict[str, Any]], None]) -> tuple[list[str], list[str]] | None:
    """Run the ``pending`` tasks on one process pool, delivering (and removing from ``pending``)
    each that finishes.  None when the pool ran to the end; ``(lost, culprits)`` when a worker
    died: the runs that were under way, and those of them that the dead worker held."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    started_q = ctx.SimpleQueue()
    started: dict[str, int] = {}      # run → pid of the worker process that took it
    done: set[str] = set()
    pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(pending)), mp_context=ctx,
                               initializer=_worker_init, initargs=(shipped, started_q))
    processes = getattr(pool, "_processes", None)   # pid → Process, filled as workers start
    known: dict[int, Any] = {}        # every worker seen (the pool forgets them once it breaks)
    broken = False
    try:
        futures: dict[Any, str] = {}
        try:
            for rid, t in pending.items():
                futures[pool.submit(_run_task_local, t)] = rid
        except BrokenProcessPool:            # a worker died while the runs were handed out
            broken = True
        known.update(processes or {})
        waiting = set(futures)
        while waiting and not broken:
            finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            known.update(processes or {})
            _drain(started_q, started)
            for fut in finished:
                rid = futures[fut]
                try:
                    rec = fut.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                except Exception as err:   # e.g. a task that could not be pickled
                    rec = _failed_record(pending[rid], one_line(err, with_type=True))
                done.add(rid)
                del pending[rid]
                deliver(rec)
        for fut in waiting:             # finished just before the pool broke: keep them
            rid = futures[fut]
            if rid in pending and fut.done() and not fut.cancelled() and fut.exception() is None:
                done.add(rid)
                deliver(fut.result())
                del pending[rid]
    except BaseException:
        _stop_pool(pool, known)
        raise
    if not broken:
        pool.shutdown(wait=True)
        return None
    _stop_pool(pool, known)
    _drain(started_q, started)
    lost = [rid for rid in started if rid not in done and rid in pending]
    # The pool ends its other workers with SIGTERM once one dies; the one that died on
    # its own (killed, out of memory, crashed) exited otherwise.  Charge only its runs,
    # or, if it cannot be told apart, every run that was under way.
    known.update(processes or {})
    dead = {pid for pid, p in known.items() if p.exitcode not in (None, 0, -signal.SIGTERM)}
    return lost, [rid for rid in lost if started[rid] in dead] or lost


def _drain(queue: Any, started: dict[str, int]) -> None:
    while not queue.empty():
        rid, pid = queue.get()
        started[rid] = pid


def _stop_pool(pool: Any, known: dict[int, Any] | None = None) -> None:
    """Cancel what has not started and end the worker processes now (those of ``known`` too)."""
    processes = {**(known or {}), **(getattr(pool, "_processes", None) or {})}
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
    return require("distributed", extra="sweep", what="a sweep on a Dask cluster", package="dask.distributed")


def _connect(scheduler: str, timeout: float) -> Any:
    distributed = _dask()
    try:
        return distributed.Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise SweepError(f"could not reach the Dask scheduler at {scheduler} within {timeout:g} s ({one_line(err, with_type=True)}); "
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
                                           f"({one_line(err, with_type=True)})")
            except Exception as err:
                rec = _failed_record(task, one_line(err, with_type=True))
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
# Progress
# =======================================================================================

class _Progress:
    """The progress of a sweep: a bar over the runs, or one line per finished run."""

    def __init__(self, mode: Any, total: int, initial: int, metric: str) -> None:
        self.metric, self.failed = metric, 0
        self.display = Progress(mode, total, desc="sweep", unit="run", initial=initial)
        if initial:
            self.display.line(f"sweep: {initial} of {total} runs already in the results file, skipped")

    def update(self, rec: dict[str, Any], label: str) -> None:
        self.failed += rec["status"] != "ok"
        if rec["status"] == "ok":
            v = rec.get(self.metric)
            what = f"{self.metric} {v:.4f}" if isinstance(v, float) else "ok"
        else:
            what = f"FAILED ({rec['error']})"
        t = rec.get("time_s")
        when = f" ({t:.2f} s)" if isinstance(t, float) else ""
        d = self.display
        d.step(f"[{d.done + 1}/{d.total}] {label} seed {rec['seed']}: {what}{when}",
               postfix=f"failed={self.failed}" if self.failed else None)

    def close(self) -> None:
        self.display.close()
