"""The training run's record and hooks: :class:`History`, :class:`Callback` and
:class:`EarlyStopping`.  Public through :mod:`neuronlab.training` (and ``nl.History``,
``nl.Callback``, ``nl.EarlyStopping``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._util import html
from .._util.validate import check_nonnegative, check_positive_int


class History:
    """Per-epoch record of a training run.

    Attributes
    ----------
    history : dict[str, list[float]]
        ``loss``, ``val_loss``, the metric (``accuracy`` or ``mae``) and ``val_<metric>``,
        ``lr`` and ``time``, one entry per epoch; callbacks may add their own keys.
    epochs : list[int]
        Epoch numbers (from 1).
    best_epoch : int or None
        Epoch whose weights were kept by early stopping.
    stopped_early : bool
    resumed_from : int or None
        The number of epochs the checkpoint that ``fit(resume=...)`` continued from had
        finished; None when the run started afresh.
    """

    def __init__(self, metric: str = "accuracy") -> None:
        self.metric = metric
        self.history: dict[str, list[Any]] = {}
        self.epochs: list[int] = []
        self.best_epoch: int | None = None
        self.stopped_early = False
        self.resumed_from: int | None = None
        #: True when Ctrl-C ended training early
        self.interrupted = False
        self.extra: dict[str, Any] = {}

    def record(self, epoch: int, logs: dict[str, Any]) -> None:
        self.epochs.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(v)

    def __getitem__(self, key: str) -> list[Any]:
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(f"no '{key}' in this history; it has {sorted(self.history)}") from None

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epochs)

    def __repr__(self) -> str:
        last = {k: v[-1] for k, v in self.history.items() if v and isinstance(v[-1], float)}
        shown = ", ".join(f"{k}={v:.4g}" for k, v in last.items())
        return f"History({len(self)} epochs{', ' + shown if shown else ''})"

    def _repr_html_(self) -> str:
        """The loss (and metric) curves as sparklines and the last epoch's numbers, for notebooks."""
        return _history_html(self)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "epochs": list(self.epochs), "history": {k: list(v) for k, v in self.history.items()},
                "best_epoch": self.best_epoch, "stopped_early": self.stopped_early}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "History":
        h = cls(d.get("metric", "accuracy"))
        h.epochs = list(d.get("epochs", []))
        h.history = {k: list(v) for k, v in d.get("history", {}).items()}
        h.best_epoch = d.get("best_epoch")
        h.stopped_early = bool(d.get("stopped_early", False))
        return h


class Callback:
    """Base class: override any hook.  ``self.network`` is set before training starts.

    Returning ``True`` from :meth:`on_epoch_end` or :meth:`on_batch_end` (or setting
    ``network.stop_training = True``) stops training.  :meth:`on_train_begin`'s ``logs``
    hold ``epochs``, the number of epochs ``fit`` was asked for.
    """

    network: Any = None

    def set_network(self, network: Any) -> None:
        self.network = network

    def on_train_begin(self, logs: dict[str, Any]) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> bool | None: ...
    def on_batch_end(self, batch: int, logs: dict[str, Any]) -> bool | None: ...
    def on_train_end(self, logs: dict[str, Any]) -> None: ...


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs and
    restore the best weights (``fit(early_stopping=N)`` builds one of these)."""

    def __init__(self, patience: int = 5, monitor: str = "val_loss", min_delta: float = 0.0,
                 restore_best: bool = True) -> None:
        self.patience = check_positive_int("early_stopping patience", patience)
        self.monitor = monitor
        self.min_delta = check_nonnegative("min_delta", min_delta)
        self.restore_best = restore_best

    def on_train_begin(self, logs: dict[str, Any]) -> None:
        self.best = np.inf
        self.best_epoch: int | None = None
        self.best_parameters: np.ndarray | None = None
        self.wait = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> bool | None:
        key = self.monitor if self.monitor in logs else "loss"
        value = logs[key]
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            self.best_parameters = self.network.parameters.copy()
            return None
        self.wait += 1
        return self.wait >= self.patience

    def on_train_end(self, logs: dict[str, Any]) -> None:
        if self.restore_best and self.best_parameters is not None:
            self.network.parameters[...] = self.best_parameters
        if self.network.history is not None:
            self.network.history.best_epoch = self.best_epoch


def _history_html(h: History) -> str:
    """A history as HTML: one sparkline for the losses, one for the metric (their scales
    differ), the best epoch marked, and a table of the first, best and last epochs."""
    series = {k: v for k, v in h.history.items() if v and all(isinstance(x, (int, float)) for x in v)}
    charts = []
    best = None if h.best_epoch is None or h.best_epoch not in h.epochs else h.epochs.index(h.best_epoch)
    for keys in (("loss", "val_loss"), (h.metric, "val_" + h.metric)):
        curves = [(k, series[k]) for k in keys if k in series]
        if curves:
            charts.append(html.sparkline(curves, mark=best))
    shown = [k for k in ("loss", "val_loss", h.metric, "val_" + h.metric, "lr") if k in series]
    picks = [("first", 0)] + ([("best", best)] if best is not None else []) + [("last", len(h) - 1)]
    rows = [(name, h.epochs[i], *(series[k][i] if i < len(series[k]) else None for k in shown))
            for name, i in picks if 0 <= i < len(h.epochs)]
    flags = [w for w, on in (("stopped early", h.stopped_early), ("interrupted", h.interrupted)) if on]
    if h.resumed_from is not None:
        flags.append(f"resumed from epoch {h.resumed_from}")
    body = [f'<div style="display:flex;gap:12px;flex-wrap:wrap">{"".join(charts)}</div>'] if charts else []
    if rows:
        body.append(html.table(rows, ("", "epoch", *shown), align="lr" + "r" * len(shown)))
    return html.box(f"History: {len(h)} epochs" + (f" ({', '.join(flags)})" if flags else ""), *body,
                    note="history['loss'] etc. hold the numbers; nl.plots.training_curves(history) draws them")
