"""The results of a sweep: the results CSV file (written run by run, read back) and
:class:`SweepResult`, which ranks, tabulates and plots them."""
from __future__ import annotations

import csv
import json
import math
import os
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import DataError, HyperparameterError
from .._util.extras import require
from .._util.registry import unknown_name
from .._util.text import table
from .grid import COLUMNS, PARAMETERS, _canon_hidden, hidden_text, _param_key, _value_text

_METRICS = ("val_accuracy", "val_loss", "accuracy", "loss", "val_mae", "mae")


# =======================================================================================
# The results file
# =======================================================================================

def _encode(key: str, v: Any) -> str:
    if v is None:
        return ""
    if key == "hidden":
        return hidden_text(v)
    if key == "history":
        return json.dumps(v, separators=(",", ":"))
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _decode(key: str, text: str) -> Any:
    if text == "" and key not in ("hidden", "activation", "optimizer", "status", "data", "run_id", "error"):
        return {} if key == "history" else None
    if key == "hidden":
        return _canon_hidden(text)
    if key in ("batch_size", "epochs", "seed", "epochs_run"):
        return int(text)
    if key in ("learning_rate", "dropout", "l2", "time_s", "loss", "val_loss", "accuracy", "val_accuracy",
               "mae", "val_mae"):
        return float(text)
    if key == "history":
        return json.loads(text)
    if key == "error":
        return text or None
    return text


def read_results(path: Any) -> list[dict[str, Any]]:
    """Every run recorded in a results CSV (a line cut short by a crash is skipped; for a
    run recorded twice, the last row wins)."""
    path = os.fspath(path)
    runs: dict[str, dict[str, Any]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return []
        if header != COLUMNS:
            raise DataError(f"{path} is not a neuronlab sweep results file (its columns are "
                            f"{', '.join(header[:6])}{', ...' if len(header) > 6 else ''}); "
                            "give another out= file or delete this one")
        for row in reader:
            if len(row) != len(COLUMNS):
                continue
            try:
                rec = {k: _decode(k, v) for k, v in zip(COLUMNS, row)}
            except (ValueError, HyperparameterError):
                continue
            if rec["status"] not in ("ok", "failed"):
                continue
            runs[rec["run_id"]] = rec
    return list(runs.values())


class _Appender:
    """Appends one CSV row per finished run and flushes it."""

    def __init__(self, path: str, fresh: bool) -> None:
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
        new = fresh or not os.path.exists(path) or os.path.getsize(path) == 0
        if not new:
            with open(path, "rb") as fh:     # a row cut short by a crash: start on a new line
                fh.seek(-1, os.SEEK_END)
                needs_newline = fh.read(1) not in (b"\n", b"\r")
        self.fh = open(path, "w" if new else "a", newline="", encoding="utf-8")
        self.writer = csv.writer(self.fh)
        if new:
            self.writer.writerow(COLUMNS)
        elif needs_newline:
            self.fh.write("\r\n")
        self.fh.flush()

    def write(self, rec: dict[str, Any]) -> None:
        self.writer.writerow([_encode(k, rec.get(k)) for k in COLUMNS])
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


# =======================================================================================
# The result
# =======================================================================================

def _fmt_time(t: float) -> str:
    if not math.isfinite(t):
        return "-"
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


class SweepResult:
    """The runs of a sweep, one dict each (the columns of :data:`COLUMNS`), in grid order
    (configuration, then seed).

    Attributes
    ----------
    runs : list of dict
    params : list of str
        The swept parameters (the grid's keys), in order.
    metric : str
        What the table ranks by (``val_accuracy`` by default; ``val_mae`` for regression).
    stats : dict
        ``runs``, ``resumed`` (taken from the results file), ``worker_failures`` and
        ``retried`` (runs that ran again after their worker died).
    """

    def __init__(self, runs: list[dict[str, Any]], params: Sequence[str], metric: str,
                 stats: Mapping[str, int] | None = None, data: str = "") -> None:
        if metric not in _METRICS:
            raise unknown_name("metric", metric, _METRICS)
        self.runs = list(runs)
        self.params = list(params)
        self.metric = metric
        self.data = data
        self.stats = dict(stats or {})

    @property
    def higher_is_better(self) -> bool:
        return self.metric.endswith("accuracy")

    @property
    def failed(self) -> list[dict[str, Any]]:
        """The runs that failed (diverged or raised), with their ``error``."""
        return [r for r in self.runs if r["status"] != "ok"]

    def _config_key(self, r: Mapping[str, Any]) -> tuple:
        return tuple(r[k] for k in PARAMETERS)

    def label(self, r: Mapping[str, Any]) -> str:
        """A configuration in words, from the swept parameters: ``relu · 32x32 · lr 0.01``."""
        short = {"learning_rate": "lr", "batch_size": "batch", "dropout": "dropout", "l2": "l2", "epochs": "epochs"}
        parts = []
        for k in self.params or ["activation", "hidden"]:
            text = _value_text(k, r[k])
            parts.append(f"{short[k]} {text}" if k in short else text)
        return " · ".join(parts)

    def summary(self) -> list[dict[str, Any]]:
        """One dict per configuration, best first: the swept parameters, ``mean`` and
        ``std`` (sample standard deviation) of the metric over the runs that finished,
        ``n_ok``, ``n_runs``, ``errors`` (reason → count), ``time_mean`` (seconds per run)."""
        groups: dict[tuple, list[dict[str, Any]]] = {}
        for r in self.runs:
            groups.setdefault(self._config_key(r), []).append(r)
        rows = []
        for order, (key, runs) in enumerate(groups.items()):
            ok = [r[self.metric] for r in runs if r["status"] == "ok" and isinstance(r.get(self.metric), float)]
            values = np.array(ok, dtype=np.float64)
            errors: dict[str, int] = {}
            for r in runs:
                if r["status"] != "ok":
                    reason = (r.get("error") or "failed").split(":")[0]
                    errors[reason] = errors.get(reason, 0) + 1
            times = [r["time_s"] for r in runs if isinstance(r.get("time_s"), float)]
            row = {k: runs[0][k] for k in self.params}
            row.update(
                label=self.label(runs[0]), metric=self.metric,
                mean=float(values.mean()) if len(values) else math.nan,
                std=float(values.std(ddof=1)) if len(values) > 1 else (0.0 if len(values) else math.nan),
                n_ok=len(values), n_runs=len(runs), errors=errors,
                time_mean=float(np.mean(times)) if times else math.nan, _order=order,
            )
            rows.append(row)
        sign = -1.0 if self.higher_is_better else 1.0
        rows.sort(key=lambda r: (r["n_ok"] == 0, sign * r["mean"] if r["n_ok"] else 0.0, r["_order"]))
        for rank, row in enumerate(rows, 1):
            row["rank"] = rank
            del row["_order"]
        return rows

    def table(self, time: bool = True, digits: int = 4) -> str:
        """The configurations ranked by mean ± std of the metric, with the runs that
        finished and (``time=True``) the mean time per run."""
        rows = self.summary()
        header = ["rank", *self.params, self.metric + " (mean ± std)", "runs"] + (["time/run"] if time else []) + ["failures"]
        body = []
        for r in rows:
            value = f"{r['mean']:.{digits}f} ± {r['std']:.{digits}f}" if r["n_ok"] else "-"
            fails = ", ".join(f"{k} ({n})" for k, n in r["errors"].items())
            line = [str(r["rank"]), *(_value_text(k, r[k]) for k in self.params), value, f"{r['n_ok']}/{r['n_runs']}"]
            if time:
                line.append(_fmt_time(r["time_mean"]))
            line.append(fails)
            body.append(line)
        if not any(line[-1] for line in body):
            header, body = header[:-1], [line[:-1] for line in body]
        return table(body, header, align="r" + "l" * (len(header) - 1), rule=True)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        n_ok = sum(r["status"] == "ok" for r in self.runs)
        return (f"SweepResult({len(self.runs)} runs, {len(self.runs) - n_ok} failed, "
                f"{len({self._config_key(r) for r in self.runs})} configurations, metric={self.metric!r})")

    def __len__(self) -> int:
        return len(self.runs)

    def to_csv(self, path: Any) -> None:
        """Write every run (the results-file format: :func:`sweep` can resume from it)."""
        path = os.fspath(path)
        tmp = f"{path}.tmp-{os.getpid()}"
        w = _Appender(tmp, fresh=True)
        try:
            for r in self.runs:
                w.write(r)
        finally:
            w.close()
        os.replace(tmp, path)

    @classmethod
    def from_csv(cls, path: Any, metric: str | None = None, params: Sequence[str] | None = None) -> "SweepResult":
        """The runs of a results file as a result (the swept parameters are the ones that vary)."""
        runs = read_results(path)
        if params is None:
            params = [k for k in PARAMETERS if len({r[k] for r in runs}) > 1]
        if metric is None:
            metric = "val_accuracy" if any(r.get("val_accuracy") is not None for r in runs) or not runs else "val_mae"
        data = ", ".join(sorted({r["data"] for r in runs}))
        return cls(runs, params, metric, {"runs": len(runs), "resumed": len(runs)}, data)

    def to_frame(self):
        """The runs as a pandas DataFrame (needs pandas)."""
        pd = require("pandas", extra=None, what="SweepResult.to_frame")
        rows = [{**r, "hidden": hidden_text(r["hidden"])} for r in self.runs]
        return pd.DataFrame(rows, columns=COLUMNS)

    # -- pictures ------------------------------------------------------------------------
    def plot(self, path: Any = None, by: str | None = None, curves: str = "best",
             figsize: tuple[float, float] | None = None, dpi: float = 100) -> Any:
        """Left: the metric of every configuration (mean ± std over seeds), best at the top.
        Right: learning curves (the metric per epoch, mean ± std) grouped by ``by``
        (default: activation) — of each group's best configuration over its seeds
        (``curves="best"``), or pooled over all the group's runs (``curves="all"``).
        Returns the matplotlib Figure; writes ``path`` (.png, .svg or .pdf) when given."""
        if curves not in ("best", "all"):
            raise HyperparameterError(f"curves must be 'best' or 'all', got {curves!r}")
        fig_cls, canvas_cls = _matplotlib()
        if path is not None:
            path = _check_plot_path(path)
        rows = self.summary()
        by = by if by is not None else ("activation" if "activation" in self.params or not self.params
                                        else self.params[0])
        by = _param_key(by)
        n = max(len(rows), 1)
        fig = fig_cls(figsize=figsize or (12.0, max(3.8, 0.32 * n + 1.6)), dpi=dpi, layout="constrained")
        canvas_cls(fig)
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.15, 1.0])
        groups = list(dict.fromkeys(r[by] for r in self.runs))
        colors = {g: f"C{i % 10}" for i, g in enumerate(groups)}
        self._plot_ranking(ax1, rows, by, colors)
        self._plot_curves(ax2, rows, by, curves, groups, colors)
        if path is not None:
            fig.savefig(path, dpi=dpi, facecolor="white")
        return fig

    def _plot_ranking(self, ax: Any, rows: list[dict[str, Any]], by: str, colors: dict[Any, str]) -> None:
        """The metric of every configuration (mean ± std over seeds), best at the top."""
        ys = np.arange(len(rows))[::-1]
        for y, r in zip(ys, rows):
            color = colors.get(self._group_of(r, by), "C0")
            if r["n_ok"]:
                ax.errorbar(r["mean"], y, xerr=r["std"], fmt="o", color=color, ecolor=color, capsize=3, ms=5)
            else:
                ax.annotate("failed", (0.0, y), xycoords=("axes fraction", "data"), xytext=(4, 0),
                            textcoords="offset points", va="center", color="0.4", fontsize=8)
        ax.set_yticks(ys, [f"{r['label']}  ({r['n_ok']}/{r['n_runs']})" for r in rows], fontsize=8)
        ax.set_xlabel(f"{self.metric} (mean ± std over seeds)")
        ax.set_title(f"{self.data + ': ' if self.data else ''}{len(rows)} configurations")
        ax.grid(axis="x", alpha=0.3)

    def _plot_curves(self, ax: Any, rows: list[dict[str, Any]], by: str, curves: str, groups: list[Any],
                     colors: dict[Any, str]) -> None:
        """Learning curves (the metric per epoch, mean ± std) of each group of ``by``."""
        bounded = self.metric.endswith("accuracy")
        for g in groups:
            chosen = [r for r in self.runs if r["status"] == "ok" and r[by] == g and r.get("history")]
            label = _value_text(by, g)
            if curves == "best":
                best = next((row for row in rows if row["n_ok"] and self._group_of(row, by) == g), None)
                if best is None:
                    continue
                chosen = [r for r in chosen if all(r[k] == best[k] for k in self.params)]
                label = f"{best['label']} ({len(chosen)} seeds)"
            else:
                label = f"{label} ({len(chosen)} runs)"
            series = [np.asarray(r["history"].get(self.metric, []), dtype=np.float64) for r in chosen]
            series = [c for c in series if len(c)]
            if not series:
                continue
            length = max(len(c) for c in series)
            stack = np.full((len(series), length), np.nan)
            for i, c in enumerate(series):
                stack[i, :len(c)] = c
            count = np.sum(~np.isnan(stack), axis=0)
            mean = np.nansum(stack, axis=0) / count
            std = np.sqrt(np.nansum((stack - mean) ** 2, axis=0) / count)
            lo, hi = mean - std, mean + std
            if bounded:
                lo, hi = np.clip(lo, 0.0, 1.0), np.clip(hi, 0.0, 1.0)
            epochs = np.arange(1, length + 1)
            ax.plot(epochs, mean, color=colors[g], label=label)
            ax.fill_between(epochs, lo, hi, color=colors[g], alpha=0.15, linewidth=0)
        ax.set_xlabel("epoch")
        ax.set_ylabel(self.metric)
        ax.set_title(f"learning curves: best configuration per {by}" if curves == "best"
                     else f"learning curves by {by} (all runs)")
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(title=by, fontsize=8)

    def _group_of(self, summary_row: Mapping[str, Any], by: str) -> Any:
        if by in summary_row:
            return summary_row[by]
        for r in self.runs:   # by is not swept: every run has the same value
            return r[by]
        return None


def _matplotlib():
    require("matplotlib", extra="plot", what="SweepResult.plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    return Figure, FigureCanvasAgg


def _check_plot_path(path: Any) -> str:
    path = os.fspath(path)
    if os.path.splitext(path)[1].lower() not in (".png", ".svg", ".pdf"):
        raise HyperparameterError(f"the plot file must end in .png, .svg or .pdf, got {path!r}")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
    return path
