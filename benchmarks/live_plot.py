#!/usr/bin/env python
"""What ``callbacks.LivePlot`` costs a training run: ``fit`` with and without it, interleaved.

    python benchmarks/live_plot.py            # moons, 4,000 and 40,000 samples, 30 epochs
    python benchmarks/live_plot.py --quick    # seconds

LivePlot writes its picture to a temporary PNG (outside a notebook it would draw nothing);
``budget=1`` redraws after every epoch, the default ``budget=0.1`` as it allows.  Each line
gives the medians of the repetitions, the added time as a share of the run without it, and
the seconds per redraw (building the figure and rendering the axes once included).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import neuronlab as nl
from neuronlab import datasets


def _fit(X, y, callbacks, epochs):
    net = nl.Network.mlp([2, 32, 32, 2], seed=0)
    start = time.perf_counter()
    net.fit(X, y, epochs=epochs, batch_size=32, callbacks=callbacks)
    return time.perf_counter() - start


def main() -> None:
    quick = "--quick" in sys.argv
    sizes, epochs, reps = ((1000,), 5, 1) if quick else ((4000, 40000), 30, 3)
    out = Path(tempfile.mkdtemp()) / "live.png"
    print("| samples | regions | budget | fit s | with LivePlot s | added | redraws | s per redraw |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        d = datasets.load("moons", n=n)
        _fit(d.X, d.y, [], 1)                                       # warm up (imports, workspaces)
        for regions in (False, True):
            for budget in (1.0, 0.1):
                base, live_t, draws, per = [], [], [], []
                for _ in range(reps):
                    base.append(_fit(d.X, d.y, [], epochs))
                    live = nl.callbacks.LivePlot(d.X, d.y, regions=regions, path=out, budget=budget)
                    live_t.append(_fit(d.X, d.y, [live], epochs))
                    draws.append(live.draws)
                    per.append(live.draw_time / max(live.draws, 1))
                b, t = statistics.median(base), statistics.median(live_t)
                print(f"| {n:,} | {regions} | {budget:g} | {b:.2f} | {t:.2f} | {100 * (t / b - 1):+.0f} % | "
                      f"{statistics.median(draws):.0f} | {statistics.median(per):.3f} |")


if __name__ == "__main__":
    main()
