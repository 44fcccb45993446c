"""Sweeps (issue #8): the grid, reproducibility across executors (in-process, local worker
processes, a real Dask LocalCluster), a worker killed mid-sweep, resume, divergence, the
results file, the picture and the command line."""
import importlib
import csv
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import neuronlab as nl
sweep_module = importlib.import_module("neuronlab.sweep")  # the module; nl.sweep is the function
exec_module = importlib.import_module("neuronlab.sweep.executors")  # where the local process pool lives
worker_module = importlib.import_module("neuronlab.sweep.worker")  # where one run is done
from neuronlab.errors import HyperparameterError, UnknownNameError
from neuronlab.sweep import COLUMNS, SweepResult, expand_grid, read_results, sweep

GRID = {"activation": ["relu", "tanh"], "hidden": [[8], [8, 8]], "learning_rate": [0.02]}
KW = dict(data="spirals", grid=GRID, seeds=3, epochs=15, data_options={"n": 240})
N_RUNS = 2 * 2 * 3
VOLATILE = ("time_s", "worker")        # the only columns allowed to differ between executors


def _has(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


needs_dask = pytest.mark.skipif(not _has("distributed"), reason="dask.distributed (the sweep extra) missing")
needs_mpl = pytest.mark.skipif(not _has("matplotlib"), reason="matplotlib (the plot extra) missing")


def fixed(res):
    """The runs without the columns that depend on where and when they ran."""
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in res.runs]


def pid_of(rec):
    return int(rec["worker"].rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def reference():
    """The sweep run one run after another in this process."""
    return sweep(**KW, executor="serial")


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


# -- reproducibility and fault tolerance: Dask ------------------------------------------------

@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@needs_dask
def test_a_dask_cluster_gives_the_table_of_the_local_executor(dask_client, reference):
    local = sweep(**KW, executor="local", n_jobs=2)
    res = sweep(**KW, client=dask_client)
    assert res.table(time=False) == local.table(time=False)
    assert fixed(res) == fixed(local) == fixed(reference)
    workers = {pid_of(r) for r in res.runs}
    assert os.getpid() not in workers and len(workers) == 2


@needs_dask
def test_a_dask_worker_killed_mid_sweep_loses_no_run(dask_client, reference):
    killed = []

    def kill_a_worker(rec):
        if not killed:
            killed.append(pid_of(rec))
            os.kill(killed[0], signal.SIGKILL)

    res = sweep(**KW, client=dask_client, on_result=kill_a_worker)
    assert killed and len(res.runs) == N_RUNS and not res.failed
    assert fixed(res) == fixed(reference)
    dask_client.wait_for_workers(2, timeout=60)                 # the nanny restarted it


@needs_dask
def test_arrays_travel_once_per_worker_and_still_match(dask_client):
    data = nl.datasets.load("moons", n=160, noise=0.2, seed=3)
    kw = dict(grid={"activation": ["relu", "tanh"]}, seeds=2, epochs=5)
    here = sweep((data.X, data.y), **kw, executor="serial")
    there = sweep((data.X, data.y), **kw, client=dask_client)
    assert fixed(there) == fixed(here)


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
    res = sweep(**KW, executor="serial", out=out, on_result=ran.append)
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


@needs_mpl
def test_plot_draws_metric_by_configuration_and_learning_curves(tmp_path, reference):
    path = tmp_path / "sweep.png"
    fig = reference.plot(path)
    assert path.stat().st_size > 5000
    left, right = fig.axes[:2]
    assert len(left.get_yticklabels()) == 4
    assert len(right.lines) == 2                            # one curve per activation
    with pytest.raises(HyperparameterError, match=r"\.png"):
        reference.plot(tmp_path / "sweep.jpg")


# -- the command line ---------------------------------------------------------------------------

def run_cli(*args, timeout=120):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-W", "error", "-m", "neuronlab", "sweep", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_command_line_runs_a_sweep_and_reports_bad_input_in_one_line(tmp_path):
    out, pic = tmp_path / "s.csv", tmp_path / "s.png"
    args = ["--data", "xor", "--samples", "200", "--activation", "relu,tanh", "--hidden", "4,4x4", "--lr", "0.01,1e6",
            "--seeds", "2", "--epochs", "3", "--jobs", "2", "--progress", "lines", "--out", out]
    if _has("matplotlib"):
        args += ["--plot", pic]
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    table = r.stdout.strip().splitlines()
    assert table[0].split()[:4] == ["rank", "activation", "hidden", "learning_rate"]
    assert len(table) == 2 + 8
    assert "[16/16]" in r.stderr and "8 of 16 runs failed" in r.stderr
    assert len(read_results(out)) == 16
    if _has("matplotlib"):
        assert pic.stat().st_size > 0
    for bad, fragment in ((["--hidden", "16,3y"], "16,32x32"), (["--activation", "relu,relux"], "did you mean 'relu'"),
                          (["--seeds", "0"], "seeds"), (["--data", "nosuchdata"], "nosuchdata")):
        r = run_cli("--epochs", "1", *bad)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], r.stderr
