"""Sweeps: the grid, reproducibility across executors (in-process, local worker processes), a worker
killed mid-sweep, resume, divergence and the results file. (A real Dask cluster: ``test_dask.py``; the
picture: ``test_plot.py``; the ``neuronlab sweep`` command: tests/cli/.)"""
import importlib
import csv
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import neuronlab as nl
exec_module = importlib.import_module("neuronlab.sweep.executors")  # where the local process pool lives
worker_module = importlib.import_module("neuronlab.sweep.worker")  # where one run is done
from neuronlab.errors import HyperparameterError, NeuronWarning, UnknownNameError
from neuronlab.sweep import COLUMNS, SweepResult, expand_grid, read_results, sweep

from sweep_cases import GRID, KW, N_RUNS, VOLATILE, fixed, pid_of

# -- the grid --------------------------------------------------------------------------------

def test_grid_expands_in_order_and_is_validated_before_anything_runs():
    keys, configs = expand_grid({"activation": ["relu", "gelu"], "hidden": [[16], [32, 32], "8x4"],
                                 "lr": [1e-2, 1e-3]}, {"epochs": 7})
    assert keys == ["activation", "hidden", "learning_rate"]
    assert len(configs) == 12
    assert configs[0] == {"activation": "relu", "hidden": (16,), "learning_rate": 0.01, "optimizer": "adam",
                          "batch_size": 32, "epochs": 7, "dropout": 0.0, "l2": 0.0}
    assert [c["hidden"] for c in configs[:6:2]] == [(16,), (32, 32), (8, 4)]
    with pytest.raises(UnknownNameError, match="did you mean 'activation'"):
        expand_grid({"activaton": ["relu"]})
    with pytest.raises(UnknownNameError, match="did you mean 'relu'"):
        sweep("xor", {"activation": ["relu", "relux"]}, executor="serial")
    with pytest.raises(HyperparameterError, match="learning_rate must be > 0"):
        sweep("xor", {"learning_rate": [0.1, -1.0]}, executor="serial")
    with pytest.raises(HyperparameterError, match="twice"):
        expand_grid({"hidden": [[8], "8"]})
    with pytest.raises(HyperparameterError, match="one per hidden layer"):
        expand_grid({"activation": ["relu+tanh"], "hidden": [[8]]})
    with pytest.raises(HyperparameterError, match="seeds"):
        sweep("xor", {}, seeds=0, executor="serial")


def test_importing_the_sweep_module_loads_no_optional_dependency():
    code = ("import sys, neuronlab, neuronlab.sweep; "
            "heavy = [m for m in ('dask', 'distributed', 'matplotlib', 'sklearn', 'tqdm', 'pandas') if m in sys.modules]; "
            "assert not heavy, heavy; "
            "assert callable(neuronlab.sweep)")
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True, timeout=60)


# -- reproducibility and fault tolerance: local processes ------------------------------------

def test_in_process_runs_are_ranked_with_mean_and_std(reference):
    assert len(reference.runs) == N_RUNS and not reference.failed
    assert [(r["activation"], r["hidden"], r["seed"]) for r in reference.runs[:4]] == \
        [("relu", (8,), 0), ("relu", (8,), 1), ("relu", (8,), 2), ("relu", (8, 8), 0)]
    rows = reference.summary()
    means = [r["mean"] for r in rows]
    assert means == sorted(means, reverse=True)
    best = rows[0]
    vals = [r["val_accuracy"] for r in reference.runs
            if (r["activation"], r["hidden"]) == (best["activation"], best["hidden"])]
    assert best["mean"] == pytest.approx(np.mean(vals)) and best["std"] == pytest.approx(np.std(vals, ddof=1))
    text = reference.table()
    assert "val_accuracy (mean ± std)" in text and "time/run" in text and "3/3" in text
    assert len(text.splitlines()) == 2 + 4
    for r in reference.runs:   # learning curves, one value per epoch
        assert len(r["history"]["val_accuracy"]) == r["epochs_run"] == 15
    # the same seed twice gives the same numbers
    again = sweep(**{**KW, "grid": {**GRID, "activation": ["tanh"]}, "seeds": [1]}, executor="serial")
    match = [r for r in reference.runs if r["activation"] == "tanh" and r["seed"] == 1]
    assert fixed(again) == [{k: v for k, v in r.items() if k not in VOLATILE} for r in match]


def test_local_processes_give_the_same_results_even_when_a_worker_is_killed(reference):
    clean = sweep(**KW, executor="local", n_jobs=2)
    assert fixed(clean) == fixed(reference)
    assert clean.table(time=False) == reference.table(time=False)
    # the runs ran in worker processes, at most n_jobs of them (how many of the two took a run
    # depends on how fast each started, so that is not asserted)
    workers = {pid_of(r) for r in clean.runs}
    assert 1 <= len(workers) <= 2 and os.getpid() not in workers

    killed = []

    def kill_a_worker(rec):
        if not killed:                                          # once, mid-sweep
            killed.append(pid_of(rec))
            os.kill(killed[0], signal.SIGKILL)

    res = sweep(**KW, executor="local", n_jobs=2, on_result=kill_a_worker)
    assert killed and res.stats["worker_failures"] >= 1
    assert len(res.runs) == N_RUNS and not res.failed
    assert fixed(res) == fixed(reference)


def crash_on_tanh_seed_1(task):
    """Runs in the worker processes (pickled by reference): the process dies on one run, every time."""
    if task["config"]["activation"] == "tanh" and task["config"]["hidden"] == (8,) and task["seed"] == 1:
        exec_module._STARTED.put((task["run_id"], os.getpid()))   # as _run_task_local does first
        os._exit(3)
    return exec_module._run_task_local(task)


def test_a_run_that_always_kills_its_worker_fails_alone_after_its_retries(monkeypatch, reference):
    monkeypatch.setattr(exec_module, "_run_task_local", crash_on_tanh_seed_1)
    res = sweep(**KW, executor="local", n_jobs=2, retries=1)
    assert len(res.runs) == N_RUNS
    [failed] = res.failed
    assert (failed["activation"], failed["hidden"], failed["seed"]) == ("tanh", (8,), 1)
    assert failed["error"].startswith("worker died: its process died 2 times")
    assert res.stats["worker_failures"] == 2
    ok = [r for r in fixed(res) if r["status"] == "ok"]
    assert ok == [r for r in fixed(reference) if r["run_id"] != failed["run_id"]]
    assert "2/3" in res.table() and "worker died (1)" in res.table()


# -- failures, resume, the results file -------------------------------------------------------

def test_a_diverging_configuration_is_recorded_not_raised(tmp_path):
    res = sweep("xor", {"learning_rate": [0.01, 1e6]}, seeds=2, epochs=5, data_options={"n": 200},
                executor="serial", out=tmp_path / "d.csv")
    ok = [r for r in res.runs if r["learning_rate"] == 0.01]
    bad = [r for r in res.runs if r["learning_rate"] == 1e6]
    assert all(r["status"] == "ok" for r in ok)
    assert all(r["status"] == "failed" and r["error"].startswith("diverged") for r in bad)
    assert res.failed == bad
    assert all(r["val_accuracy"] is None for r in bad)
    last = res.table().splitlines()[-1]
    assert "0/2" in last and "diverged (2)" in last
    # non-finite weights or losses are divergence too
    huge = sweep("xor", {"optimizer": ["sgd"], "learning_rate": [1e30]}, seeds=1, epochs=3, executor="serial")
    assert huge.runs[0]["status"] == "failed" and "diverged" in huge.runs[0]["error"]
    # a run that raises is recorded with its reason
    task = {"run_id": "x", "seed": 0, "divergence_factor": None,
            "data": {"token": "nope", "recipe": None, "name": "lost"},
            "config": expand_grid({})[1][0]}
    rec = worker_module._run_task(task)
    assert rec["status"] == "failed" and "did not reach this worker" in rec["error"]


def test_resume_skips_finished_runs_and_survives_a_cut_line(tmp_path, reference):
    out = tmp_path / "sweep.csv"

    class Stop(Exception):
        pass

    def stop_after_five(rec, seen=[]):
        seen.append(rec["run_id"])
        if len(seen) == 5:
            raise Stop

    with pytest.raises(Stop):
        sweep(**KW, executor="serial", out=out, on_result=stop_after_five)
    assert len(read_results(out)) == 5                      # appended (and flushed) run by run
    with open(out, "a", encoding="utf-8") as fh:
        fh.write(f"{reference.runs[7]['run_id']},spirals,relu,8x8,0.0")   # a crash mid-row
    ran = []
    with pytest.warns(NeuronWarning, match="1 damaged row"):
        res = sweep(**KW, executor="serial", out=out, on_result=ran.append)
    assert "spirals,relu,8x8,0.0" in (tmp_path / "sweep.csv.damaged").read_text(encoding="utf-8")
    assert len(ran) == N_RUNS - 5 and res.stats["resumed"] == 5
    assert fixed(res) == fixed(reference)                  # resumed rows are bit-identical
    assert len(read_results(out)) == N_RUNS
    ran.clear()
    res2 = sweep(**KW, executor="local", n_jobs=2, out=out, on_result=ran.append)
    assert ran == [] and res2.stats["resumed"] == N_RUNS and fixed(res2) == fixed(reference)
    # a different grid on the same file only adds its own new runs
    more = sweep(**{**KW, "grid": {**GRID, "activation": ["relu", "sigmoid"]}}, executor="serial", out=out,
                 on_result=ran.append)
    assert len(ran) == 6 and len(more.runs) == N_RUNS and more.stats["resumed"] == 6
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == COLUMNS
    # resume=False starts afresh
    ran.clear()
    sweep("xor", {}, seeds=1, epochs=2, executor="serial", out=out, resume=False)
    assert len(read_results(out)) == 1


def test_results_file_round_trip_and_a_foreign_file(tmp_path, reference):
    path = tmp_path / "all.csv"
    reference.to_csv(path)
    back = SweepResult.from_csv(path)
    assert back.params == ["activation", "hidden"]
    assert [{k: v for k, v in r.items()} for r in back.runs] == reference.runs
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(nl.NeuronLabError, match="not a neuronlab sweep results file"):
        sweep(**KW, executor="serial", out=other)
