"""The sweep the sweep tests run, and how its results are compared between executors."""

GRID = {"activation": ["relu", "tanh"], "hidden": [[8], [8, 8]], "learning_rate": [0.02]}
KW = dict(data="spirals", grid=GRID, seeds=3, epochs=15, data_options={"n": 240})
N_RUNS = 2 * 2 * 3
VOLATILE = ("time_s", "worker")        # the only columns allowed to differ between executors


def fixed(res):
    """The runs without the columns that depend on where and when they ran."""
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in res.runs]


def pid_of(rec):
    return int(rec["worker"].rsplit(":", 1)[1])
