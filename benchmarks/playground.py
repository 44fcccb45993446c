#!/usr/bin/env python
"""How fast the playground trains: epochs per second between frames, and overall, against
headless ``fit`` of the same data, network and settings.

    python benchmarks/playground.py            # three configurations, 5 repetitions each
    python benchmarks/playground.py --quick    # seconds

The playground trains with the library's ``fit`` and a callback that, after each epoch, takes
the page's commands and sends a frame at most 20 times a second (and never more than a tenth
of the time).  "between frames" counts only the time spent in ``fit``'s epochs (the frames
excluded); "overall" is the wall clock, frames included.  No server and no browser: the
session's messages go to a function that counts their bytes.
"""
from __future__ import annotations

import statistics
import sys
import time

from neuronlab.playground import config as pconfig
from neuronlab.playground.session import Session

#: (name, settings, epochs of one full run: about two seconds each on a 2-core machine)
CONFIGS = [
    ("spirals, 2-8-8-3 tanh, batch 16", {"data": "spirals", "samples": 600}, 800),
    ("spirals 4,000, 2-32-32-3 relu, batch 32",
     {"data": "spirals", "samples": 4000, "hidden": [32, 32], "activations": ["relu", "relu"], "batch_size": 32}, 120),
    ("digits, 64-32-10 relu, batch 32",
     {"data": "digits", "hidden": [32], "activations": ["relu"], "batch_size": 32, "learning_rate": 0.003}, 400),
]


def headless(cfg: dict, epochs: int) -> float:
    """Epochs per second of plain ``fit`` on the same data and network."""
    full = pconfig.check_config(cfg)
    pd = pconfig.build_data(full, pconfig.load_data(full))
    net = pconfig.build_network(full, pd)
    start = time.perf_counter()
    net.fit(pd.X_train, pd.y_train, epochs=epochs, batch_size=full["batch_size"], optimizer=full["optimizer"],
            learning_rate=full["learning_rate"], l1=full["l1"], l2=full["l2"])
    return epochs / (time.perf_counter() - start)


def played(cfg: dict, epochs: int) -> dict:
    """The playground's epochs per second between frames and overall, frames per second and bytes a frame."""
    sent = {"frames": 0, "bytes": 0}

    def publish(message: object) -> None:
        if isinstance(message, bytes):
            sent["frames"] += 1
            sent["bytes"] += len(message)

    session = Session(publish, cfg).start()
    while session.net is None:
        time.sleep(0.01)
    base = dict(session.timing)
    start = time.perf_counter()
    session.send("play")
    while session.timing["epochs"] - base["epochs"] < epochs:
        time.sleep(0.005)
    session.send("pause")
    wall = time.perf_counter() - start
    done = session.timing["epochs"] - base["epochs"]
    train = session.timing["train"] - base["train"]
    frames = session.timing["frame_count"] - base["frame_count"]
    frame_s = session.timing["frames"] - base["frames"]
    session.close()
    return {"between": done / train, "overall": done / wall, "fps": frames / wall,
            "frame_ms": 1000 * frame_s / max(frames, 1), "kb": sent["bytes"] / max(sent["frames"], 1) / 1024}


def main() -> None:
    quick = "--quick" in sys.argv
    reps = 1 if quick else 5
    print("| configuration | headless epochs/s | playground between frames | ratio | overall | ratio "
          "| frames/s | ms a frame | KiB a frame |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, cfg, epochs in CONFIGS:
        n = max(5, epochs // 20) if quick else epochs
        headless(cfg, 2)                                  # warm up: imports, data, workspaces
        h, p = [], []
        for _ in range(reps):                             # interleaved, so a busy moment hits both
            h.append(headless(cfg, n))
            p.append(played(cfg, n))
        hs = statistics.median(h)
        between = statistics.median(r["between"] for r in p)
        overall = statistics.median(r["overall"] for r in p)
        fps = statistics.median(r["fps"] for r in p)
        ms = statistics.median(r["frame_ms"] for r in p)
        kb = statistics.median(r["kb"] for r in p)
        print(f"| {name} | {hs:,.0f} | {between:,.0f} | {between / hs:.2f} | {overall:,.0f} | {overall / hs:.2f} "
              f"| {fps:.1f} | {ms:.1f} | {kb:.0f} |")


if __name__ == "__main__":
    main()
