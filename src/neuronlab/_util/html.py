"""HTML for notebooks: escaping, bounded tables, an inline-SVG sparkline and a text that
displays as HTML.  The rich displays (``_repr_html_``) of neuronlab's objects are built from
these, so every one escapes what it is given and cuts what is long in the same way.

Everything here is well-formed XML as well as HTML (no named entities but XML's own, every
element closed), so a test can parse a display with :mod:`xml.etree.ElementTree`.
"""
from __future__ import annotations

import html as _html
import math
import numbers
from typing import Any, Sequence

from ..errors import HyperparameterError, ShapeError
from .text import format_number
from .validate import check_positive_int

#: the most body rows a display table shows before it is cut with "… N more"
MAX_ROWS = 20

#: row highlights: a tint for the whole row, with a text colour that stays readable on dark themes
HIGHLIGHT = {
    "bad": "background:#fde0dc;color:#5a1408",     # dead, vanishing, failed
    "warn": "background:#fff1c2;color:#4d3800",    # saturated, exploding
    "good": "background:#e3f4e1;color:#143d12",    # the best of a ranking, a neuron that fires
    "plain": "background:#ececec;color:#333333",   # a neutral word
}
#: one colour per curve of a sparkline, in order
CURVE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")

_BOX = "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;line-height:1.4;margin:2px 0"
_TABLE = "border-collapse:collapse;margin:4px 0"
_TH = "padding:2px 10px;border-bottom:1px solid #999;text-align:{align};font-weight:600"
_TD = "padding:1px 10px;text-align:{align}"
_MORE = "padding:1px 10px;font-style:italic;color:#777;text-align:left"
_NOTE = "color:#666"


class Html(str):
    """Text that is already HTML: :func:`cell`, :func:`table` and :func:`box` pass it
    through unescaped (everything else they are given is escaped).

    >>> cell(Html("<b>7</b>")), cell("<b>7</b>")
    ('<b>7</b>', '&lt;b&gt;7&lt;/b&gt;')
    """

    __slots__ = ()


class RichText(str):
    """A ``str`` that a notebook shows as HTML and IPython prints as the text itself.

    Everything a ``str`` does is unchanged (``print``, ``==``, ``in``, slicing, ``str()``
    gives a plain ``str``); in a notebook, as the last expression of a cell, it displays
    ``html`` instead of a quoted string full of ``\\n``.

    Parameters
    ----------
    text : str
        The text.
    html : str
        Its HTML (already escaped).

    >>> t = RichText("a  b\\n1  2", "<table/>")
    >>> t == "a  b\\n1  2", type(str(t)) is str, t._repr_html_()
    (True, True, '<table/>')
    """

    _html: str

    def __new__(cls, text: str, html: str) -> "RichText":
        self = super().__new__(cls, text)
        self._html = str(html)
        return self

    def _repr_html_(self) -> str:
        return self._html

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (RichText, (str(self), self._html))


def escape(value: Any) -> str:
    """``value`` as text that HTML shows literally: ``&``, ``<``, ``>`` and both quotes escaped.

    >>> escape("<script>alert(1)</script> a&b")
    '&lt;script&gt;alert(1)&lt;/script&gt; a&amp;b'
    """
    return _html.escape(str(value), quote=True)


def number(v: Any, digits: int = 4) -> str:
    """A number as a display shows it: :func:`~neuronlab._util.text.format_number`
    (``digits=4``) or ``digits`` significant digits; ``nan`` and ``inf`` as they are.

    >>> number(0.1 + 0.37), number(1 / 3, digits=2), number(float("inf")), number(3)
    ('0.47', '0.33', 'inf', '3')
    """
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if digits == 4:
        return format_number(v)
    return "0" if v == 0 else f"{v:.{digits}g}"


def percent(fraction: Any, digits: int = 1) -> str:
    """A share as a percentage without the sign: ``0.513`` → ``"51.3"``.

    >>> percent(0.513), percent(1.0), percent(float("nan"))
    ('51.3', '100.0', 'nan')
    """
    f = float(fraction)
    return f"{100 * f:.{digits}f}" if math.isfinite(f) else str(f)


def cell(value: Any) -> str:
    """One table cell's content: :class:`Html` as it is, ``None`` as a dash, a bool as
    ``yes``/``no``, a float through :func:`number`, anything else escaped.

    >>> cell(None), cell(True), cell(0.30000000000000004), cell("a&b")
    ('-', 'yes', '0.3', 'a&amp;b')
    """
    if isinstance(value, Html):
        return str(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return number(value)
    return escape(value)


def cut(items: Sequence[Any], limit: int) -> tuple[list[Any], int, list[Any]]:
    """The first and last items of a long sequence and how many lie between them.

    At most ``limit`` items are kept, the first half (rounded up) and the rest from the end;
    a sequence of ``limit`` items or fewer is kept whole.

    >>> cut(list(range(10)), 4)
    ([0, 1], 6, [8, 9])
    >>> cut([1, 2], 4)
    ([1, 2], 0, [])
    """
    limit = check_positive_int("limit", limit)
    items = list(items)
    if len(items) <= limit:
        return items, 0, []
    head = (limit + 1) // 2
    tail = limit - head
    return items[:head], len(items) - limit, items[len(items) - tail:] if tail else []


def table(rows: Sequence[Sequence[Any]], header: Sequence[Any], *, align: str | None = None,
          highlight: Sequence[str | None] | None = None, max_rows: int = MAX_ROWS, noun: str = "rows",
          caption: str | None = None) -> Html:
    """An HTML table with a header row; long bodies are cut to ``max_rows`` rows around an
    "… N more" row.

    Parameters
    ----------
    rows : sequence of sequences
        The body, one sequence of cells per row, each as long as ``header``; cells go
        through :func:`cell` (escaped unless :class:`Html`).
    header : sequence
        The column names (escaped).
    align : str, optional
        One letter per column, ``"l"`` (left, the default) or ``"r"`` (right: numbers).
    highlight : sequence of str or None, optional
        One entry per row: ``None`` or a key of :data:`HIGHLIGHT` (``"bad"``, ``"warn"``,
        ``"good"``, ``"plain"``) that tints the row.
    max_rows : int
        The most body rows shown: the first ones and the last ones.
    noun : str
        What the hidden rows are, in the "… N more" row (``"neurons"``, ``"layers"``).
    caption : str, optional
        A caption above the table (escaped).

    Returns
    -------
    Html
        ``<table>…</table>``.

    >>> print(table([["relu", 0.5]], ["name", "value"], align="lr"))  # doctest: +NORMALIZE_WHITESPACE
    <table style="border-collapse:collapse;margin:4px 0"><thead><tr><th style="padding:2px 10px;border-bottom:1px solid #999;text-align:left;font-weight:600">name</th><th style="padding:2px 10px;border-bottom:1px solid #999;text-align:right;font-weight:600">value</th></tr></thead><tbody><tr><td style="padding:1px 10px;text-align:left">relu</td><td style="padding:1px 10px;text-align:right">0.5</td></tr></tbody></table>
    """
    n = len(header)
    align = align or "l" * n
    if len(align) != n or set(align) - {"l", "r"}:
        raise HyperparameterError(f"align must give 'l' or 'r' for each of the {n} columns, got {align!r}")
    rows = [list(r) for r in rows]
    for i, r in enumerate(rows):
        if len(r) != n:
            raise ShapeError(f"table row {i} has {len(r)} cells but the header has {n}; give one cell per column")
    marks = list(highlight) if highlight is not None else [None] * len(rows)
    if len(marks) != len(rows):
        raise ShapeError(f"highlight has {len(marks)} entries for {len(rows)} rows; give one per row (None: plain)")
    for m in marks:
        if m is not None and m not in HIGHLIGHT:
            raise HyperparameterError(f"highlight entries must be None or one of {sorted(HIGHLIGHT)}, got {m!r}")
    sides = ["right" if a == "r" else "left" for a in align]
    head = "".join(f'<th style="{_TH.format(align=s)}">{escape(h)}</th>' for h, s in zip(header, sides))

    def body_row(r: list[Any], mark: str | None) -> str:
        tint = f' style="{HIGHLIGHT[mark]}"' if mark else ""
        return f"<tr{tint}>" + "".join(f'<td style="{_TD.format(align=s)}">{cell(c)}</td>'
                                       for c, s in zip(r, sides)) + "</tr>"

    first, hidden, last = cut(list(zip(rows, marks)), max_rows)
    body = [body_row(r, m) for r, m in first]
    if hidden:
        body.append(f'<tr><td colspan="{n}" style="{_MORE}">… {hidden} more {escape(noun)}</td></tr>')
    body += [body_row(r, m) for r, m in last]
    top = f'<caption style="text-align:left;{_NOTE}">{escape(caption)}</caption>' if caption else ""
    return Html(f'<table style="{_TABLE}">{top}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def facts(pairs: Sequence[tuple[str, Any]]) -> Html:
    """A line of ``name: value`` pairs separated by dots (names and values escaped,
    :class:`Html` values as they are).

    >>> facts([("loss", "mse"), ("dtype", "float32")])
    '<div style="color:#666">loss: mse · dtype: float32</div>'
    """
    text = " · ".join(f"{escape(k)}: {cell(v)}" for k, v in pairs)
    return Html(f'<div style="{_NOTE}">{text}</div>')


def names(values: Sequence[Any], limit: int = 8) -> Html:
    """A list of names, escaped, cut to ``limit`` around "… N more".

    >>> names(["a&b", "<i>"]), names(list("abcdefghij"), limit=4)
    ('a&amp;b, &lt;i&gt;', 'a, b, … 6 more, i, j')
    """
    first, hidden, last = cut(values, limit)
    parts = [escape(v) for v in first] + ([f"… {hidden} more"] if hidden else []) + [escape(v) for v in last]
    return Html(", ".join(parts))


def box(title: str, *parts: str, note: str | None = None) -> Html:
    """One display: a bold title (escaped), the parts (HTML, as given) and a grey note (escaped).

    >>> box("History: 3 epochs", "<p/>")  # doctest: +ELLIPSIS
    '<div class="neuronlab" style="..."><div style="font-weight:600">History: 3 epochs</div><p/></div>'
    """
    tail = f'<div style="{_NOTE}">{escape(note)}</div>' if note else ""
    return Html(f'<div class="neuronlab" style="{_BOX}"><div style="font-weight:600">{escape(title)}</div>'
                f'{"".join(parts)}{tail}</div>')


def badge(text: str, kind: str) -> Html:
    """A short word on a tinted background (``kind`` a key of :data:`HIGHLIGHT`).

    >>> badge("dead", "bad")
    '<span style="background:#fde0dc;color:#5a1408;padding:0 4px;border-radius:3px">dead</span>'
    """
    if kind not in HIGHLIGHT:
        raise HyperparameterError(f"kind must be one of {sorted(HIGHLIGHT)}, got {kind!r}")
    return Html(f'<span style="{HIGHLIGHT[kind]};padding:0 4px;border-radius:3px">{escape(text)}</span>')


def _finite_segments(values: Sequence[float]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive finite values, as (position, value) pairs: NaN and inf break a curve."""
    segments: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if math.isfinite(v):
            segments[-1].append((i, v))
        elif segments[-1]:
            segments.append([])
    return [s for s in segments if s]


def sparkline(curves: Sequence[tuple[str, Sequence[Any]]], *, width: int = 260, height: int = 70,
              mark: int | None = None) -> Html:
    """A small line chart as inline SVG: one polyline per curve on shared axes, with the
    lowest and highest value written at the left and a legend below.

    Parameters
    ----------
    curves : sequence of (label, values)
        Each curve's name (escaped) and its values, one per step (epoch); NaN and inf
        leave a gap.  Curves may differ in length; the x axis spans the longest.
    width, height : int
        The plot area in pixels (the legend and labels add to it).
    mark : int, optional
        A position (0-based) to mark with a dashed vertical line, e.g. the best epoch.

    Returns
    -------
    Html
        ``<svg …>…</svg>``; without a finite value the chart says "no finite values".

    >>> svg = sparkline([("loss", [1.0, 0.5, 0.25])])
    >>> svg.startswith("<svg") and svg.count("<polyline") == 1
    True
    """
    width = check_positive_int("width", width)
    height = check_positive_int("height", height)
    series = []
    for label, values in curves:
        try:
            vals = [float(v) for v in values]
        except (TypeError, ValueError):
            raise HyperparameterError(f"the values of curve {label!r} must be numbers") from None
        series.append((str(label), vals))
    finite = [v for _, vals in series for v in vals if math.isfinite(v)]
    steps = max((len(vals) for _, vals in series), default=0)
    pad_left, pad, legend = 46, 6, 16
    total_w, total_h = width + pad_left + pad, height + 2 * pad + legend
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
           f'viewBox="0 0 {total_w} {total_h}" style="font:10px sans-serif">',
           f'<rect x="{pad_left}" y="{pad}" width="{width}" height="{height}" fill="none" stroke="#ccc"/>']
    if not finite:
        out.append(f'<text x="{pad_left + 6}" y="{pad + height / 2:.1f}" fill="#777">no finite values</text>')
    else:
        lo, hi = min(finite), max(finite)
        span = hi - lo if hi > lo else 1.0
        base = lo if hi > lo else lo - 0.5

        def x(i: int) -> float:
            return pad_left + (width * i / (steps - 1) if steps > 1 else width / 2)

        def y(v: float) -> float:
            return pad + height - height * (v - base) / span

        out.append(f'<text x="{pad_left - 3}" y="{pad + 8}" text-anchor="end" fill="#555">{escape(number(hi, 3))}</text>')
        out.append(f'<text x="{pad_left - 3}" y="{pad + height}" text-anchor="end" fill="#555">'
                   f'{escape(number(lo, 3))}</text>')
        if mark is not None and 0 <= mark < steps:
            out.append(f'<line x1="{x(mark):.1f}" y1="{pad}" x2="{x(mark):.1f}" y2="{pad + height}" '
                       'stroke="#999" stroke-dasharray="3,3"/>')
        for k, (label, vals) in enumerate(series):
            colour = CURVE_COLOURS[k % len(CURVE_COLOURS)]
            for seg in _finite_segments(vals):
                if len(seg) == 1:
                    i, v = seg[0]
                    out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2" fill="{colour}"/>')
                else:
                    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in seg)
                    out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    lx = pad_left
    for k, (label, _) in enumerate(series):
        colour = CURVE_COLOURS[k % len(CURVE_COLOURS)]
        ly = pad + height + legend - 2
        out.append(f'<line x1="{lx}" y1="{ly - 3}" x2="{lx + 14}" y2="{ly - 3}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{lx + 18}" y="{ly}" fill="#333">{escape(label)}</text>')
        lx += 24 + 6 * len(label)
    out.append("</svg>")
    return Html("".join(out))



#: the style of one line of arithmetic
FORMULA = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:1px 0;white-space:pre-wrap"


def formulas(lines: Sequence[str]) -> Html:
    """Lines of arithmetic (a chain rule, a step of gradient descent), escaped, one per
    row in a monospace font, their leading spaces kept as indentation.

    >>> formulas(["δ = a − y", "  w ← 0.1 − 0.1 × δ"])  # doctest: +ELLIPSIS
    '<div style="..."><div style="...">δ = a − y</div><div style="...">  w ← 0.1 − 0.1 × δ</div></div>'
    """
    rows = "".join(f'<div style="{FORMULA}">{escape(line)}</div>' for line in lines)
    return Html(f'<div style="margin:4px 0">{rows}</div>')


def progress_bar(done: int, total: int, *, desc: str, unit: str, text: str = "", elapsed: float | None = None) -> Html:
    """A progress bar as HTML: the label, a bar filled to ``done / total``, ``done/total``
    steps, the time so far and ``text`` (all escaped).

    >>> "3/10 epochs" in progress_bar(3, 10, desc="training", unit="epoch")
    True
    """
    share = min(max(done / total, 0.0), 1.0) if total > 0 else 1.0
    when = "" if elapsed is None else f" · {elapsed:.1f}s"
    return Html(f'<div class="neuronlab" style="{_BOX};display:flex;align-items:center;gap:8px">'
                f'<span>{escape(desc)}</span>'
                f'<span style="display:inline-block;width:220px;height:10px;background:#e6e6e6;border-radius:3px">'
                f'<span style="display:block;width:{100 * share:.1f}%;height:10px;background:#1f77b4;'
                f'border-radius:3px"></span></span>'
                f'<span>{done}/{total} {escape(unit)}s{when}</span>'
                f'<span style="{_NOTE}">{escape(text)}</span></div>')
