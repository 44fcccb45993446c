"""The results of a sweep: the results CSV file (written run by run, read back) and
:class:`SweepResult`, which ranks, tabulates and plots them."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import warnings
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import DataError, HyperparameterError, NeuronWarning
from .._util import html
from .._util.files import atomic_write
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


_LINE_END = re.compile(r"\r\n|\n|\r")


def _parse_row(text: str) -> dict[str, Any] | None:
    """One record's text as a run, or None when it is damaged (wrong number of fields,
    a value that does not read back, an unknown status)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if len(rows) != 1 or len(rows[0]) != len(COLUMNS):
        return None
    try:
        rec = {k: _decode(k, v) for k, v in zip(COLUMNS, rows[0])}
    except (ValueError, HyperparameterError):
        return None
    return rec if rec["status"] in ("ok", "failed") else None


def _next_record(text: str, start: int) -> tuple[str, bool]:
    """The CSV record that starts at ``text[start]`` and whether it is terminated.

    A record ends at a line break outside quotes (quotes are doubled inside a quoted
    field, so an even count of quotes means "outside").  A record still inside quotes
    at the end of the text, or without a final line break, is not terminated."""
    pos, quotes = start, 0
    while pos < len(text):
        m = _LINE_END.search(text, pos)
        if m is None:
            break
        quotes += text.count('"', pos, m.start())
        pos = m.end()
        if quotes % 2 == 0:
            return text[start:pos], True
    return text[start:], False


def scan_results(text: str) -> tuple[list[str] | None, list[tuple[str, dict[str, Any]]], list[str]]:
    """The header, the sound rows ``(text, run)`` and the damaged rows' text of a
    results file's content.

    A damaged row (cut short by a killed process, wrong number of fields, an
    unterminated quote) is set aside; when it spans several lines, only its first line
    is, and reading goes on from the next line, so a row that a damaged one swallowed is
    recovered."""
    m = _LINE_END.search(text)
    if m is None:
        return None, [], ([text] if text else [])
    header = next(csv.reader([text[:m.start()]]), [])
    good: list[tuple[str, dict[str, Any]]] = []
    damaged: list[str] = []
    pos = m.end()
    while pos < len(text):
        record, terminated = _next_record(text, pos)
        rec = _parse_row(record) if terminated else None
        if rec is not None or record.strip() == "":
            if rec is not None:
                good.append((record, rec))
            pos += len(record)
            continue
        first = _LINE_END.search(record)
        if first is not None and first.end() < len(record):
            record = record[:first.end()]             # keep reading after its first line
        damaged.append(record)
        pos += len(record)
    return header, good, damaged


def _read_text(path: str) -> str:
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8", errors="surrogateescape")


def _check_header(header: list[str] | None, path: str) -> None:
    if header is not None and header != COLUMNS:
        raise DataError(f"{path} is not a neuronlab sweep results file (its columns are "
                        f"{', '.join(header[:6])}{', ...' if len(header) > 6 else ''}); "
                        "give another out= file or delete this one")


def read_results(path: Any) -> list[dict[str, Any]]:
    """Every run recorded in a results CSV (a damaged row, e.g. one cut short by a
    crash, is skipped and its run counts as not done; for a run recorded twice, the last
    row wins)."""
    path = os.fspath(path)
    header, good, _ = scan_results(_read_text(path))
    _check_header(header, path)
    runs: dict[str, dict[str, Any]] = {}
    for _, rec in good:
        runs[rec["run_id"]] = rec
    return list(runs.values())


def repair_results(path: str) -> int:
    """Move the damaged rows of the results file ``path`` to ``path + ".damaged"`` (with
    a note), rewrite ``path`` atomically with its header and sound rows, and return how
    many rows were moved.  The file then ends with a line break, ready for appending."""
    text = _read_text(path)
    header, good, damaged = scan_results(text)
    if header is None:                                # not even a whole header line
        if COLUMNS_LINE.startswith(text):
            atomic_write(path, lambda fh: fh.write(COLUMNS_LINE.encode("utf-8")))
            return 0
        _check_header(next(csv.reader([text]), []), path)
    _check_header(header, path)
    if not damaged:
        return 0
    note = (f"# {len(damaged)} damaged row(s) set aside from {os.path.basename(path)} when a sweep resumed; "
            "their runs ran again\r\n")
    with open(path + ".damaged", "ab") as fh:
        fh.write((note + "".join(r if _LINE_END.search(r[-1:]) else r + "\r\n" for r in damaged))
                 .encode("utf-8", errors="surrogateescape"))
        fh.flush()
        os.fsync(fh.fileno())
    body = COLUMNS_LINE + "".join(r for r, _ in good)
    atomic_write(path, lambda fh: fh.write(body.encode("utf-8", errors="surrogateescape")))
    warnings.warn(f"{path}: {len(damaged)} damaged row(s) (e.g. cut short when a sweep was killed) moved to "
                  f"{path}.damaged; those runs run again", NeuronWarning, stacklevel=3)
    return len(damaged)


def _row_text(fields: list[str]) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf).writerow(fields)
    return buf.getvalue()


COLUMNS_LINE = _row_text(COLUMNS)


class _Appender:
    """Appends one CSV row per finished run: each row is one write, flushed and synced
    to disk, so a crash can cut short at most the row being written.  On resume the file
    is repaired first (:func:`repair_results`)."""

    def __init__(self, path: str, fresh: bool) -> None:
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise FileNotFoundError(f"folder {parent!r} does not exist; create it first")
        new = fresh or not os.path.exists(path) or os.path.getsize(path) == 0
        if not new:
            repair_results(path)
        self.fh = open(path, "wb" if new else "ab")
        if new:
            self._put(COLUMNS_LINE)

    def _put(self, line: str) -> None:
        self.fh.write(line.encode("utf-8", errors="surrogateescape"))
        self.fh.flush()
        os.fsync(self.fh.fileno())

    def write(self, rec: dict[str, Any]) -> None:
        self._put(_row_text([_encode(k, rec.get(k)) for k in COLUMNS]))

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

    def _repr_html_(self) -> str:
        """The ranked table, the best configuration tinted and failures in red, for notebooks."""
        return _sweep_html(self)

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

    def to_frame(self) -> Any:
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


def _sweep_html(result: SweepResult) -> str:
    """A sweep as HTML: the configurations ranked by the mean metric (as :meth:`SweepResult.table`),
    the best one tinted green and those with failed runs red."""
    rows, marks = [], []
    for r in result.summary():
        value = html.Html(f"{html.number(r['mean'])} ± {html.number(r['std'])}") if r["n_ok"] else None
        fails = ", ".join(f"{k} ({n})" for k, n in r["errors"].items())
        rows.append((r["rank"], *(_value_text(k, r[k]) for k in result.params), value, f"{r['n_ok']}/{r['n_runs']}",
                     _fmt_time(r["time_mean"]), fails or None))
        marks.append("bad" if r["n_ok"] == 0 else "good" if r["rank"] == 1 else "warn" if fails else None)
    header = ("rank", *result.params, f"{result.metric} (mean ± std)", "runs", "time/run", "failures")
    n_ok = sum(r["status"] == "ok" for r in result.runs)
    better = "higher" if result.higher_is_better else "lower"
    return html.box(f"SweepResult: {len(result.runs)} runs, {len(result.runs) - n_ok} failed, ranked by "
                    f"{result.metric} ({better} is better)",
                    html.table(rows, header, align="r" + "l" * len(result.params) + "rrrl", highlight=marks,
                               noun="configurations"),
                    note=result.data or None)
