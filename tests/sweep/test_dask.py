"""A real Dask LocalCluster gives the table of the local executor, loses no run when a worker is killed
mid-sweep, and sends the arrays once per worker."""
import os
import signal

import pytest

distributed = pytest.importorskip("distributed")

import neuronlab as nl  # noqa: E402
from neuronlab.sweep import sweep  # noqa: E402

from sweep_cases import KW, N_RUNS, fixed, pid_of  # noqa: E402


@pytest.fixture(scope="module")
def dask_client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


def test_a_dask_cluster_gives_the_table_of_the_local_executor(dask_client, reference):
    local = sweep(**KW, executor="local", n_jobs=2)
    res = sweep(**KW, client=dask_client)
    assert res.table(time=False) == local.table(time=False)
    assert fixed(res) == fixed(local) == fixed(reference)
    workers = {pid_of(r) for r in res.runs}
    assert os.getpid() not in workers and len(workers) == 2


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


def test_arrays_travel_once_per_worker_and_still_match(dask_client):
    data = nl.datasets.load("moons", n=160, noise=0.2, seed=3)
    kw = dict(grid={"activation": ["relu", "tanh"]}, seeds=2, epochs=5)
    here = sweep((data.X, data.y), **kw, executor="serial")
    there = sweep((data.X, data.y), **kw, client=dask_client)
    assert fixed(there) == fixed(here)
