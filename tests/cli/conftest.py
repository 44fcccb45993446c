"""The data files and the trained model the command-line tests share."""
import csv
import json

import numpy as np
import pytest

import neuronlab as nl

from command_line import COLOURS, QUICK, ok, run


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """A labelled CSV with string classes, the same rows without labels, and a regression CSV."""
    d = tmp_path_factory.mktemp("data")
    data = nl.datasets.load("blobs", n=150, noise=0.4, seed=1)
    with open(d / "train.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["width", "height", "colour"])
        for x, y in zip(data.X, data.y):
            w.writerow([f"{x[0]:.5f}", f"{x[1]:.5f}", COLOURS[y]])
    with open(d / "new.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["height", "width"])          # other column order, no target
        for x in data.X[:17]:
            w.writerow([f"{x[1]:.5f}", f"{x[0]:.5f}"])
    rng = np.random.default_rng(0)
    Xr = rng.uniform(-2, 2, (120, 2))
    yr = 3.0 * Xr[:, 0] - 2.0 * Xr[:, 1] + 10.0
    with open(d / "reg.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "price"])
        w.writerows([[f"{a:.5f}", f"{b:.5f}", f"{t:.5f}"] for (a, b), t in zip(Xr, yr)])
    return {"dir": d, "train": d / "train.csv", "new": d / "new.csv", "reg": d / "reg.csv", "labels": data.y}


@pytest.fixture(scope="session")
def model(files):
    path = files["dir"] / "colours.nlz"
    r = ok(run("train", "--data", files["train"], "--hidden", "8", "--epochs", "60", "--lr", "0.03",
               "--out", path, "--json", *QUICK))
    summary = json.loads(r.stdout)
    assert summary["test"]["accuracy"] >= 0.85
    assert summary["test"]["classes"] == ["blue", "green", "red"]
    return path
