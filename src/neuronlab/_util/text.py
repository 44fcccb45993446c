"""Text for people: short numbers, plain-text tables and errors on one line."""
from __future__ import annotations

from typing import Any, Sequence

from ..errors import NeuronLabError


def format_number(v: float) -> str:
    """Short, readable number: ``0.47`` rather than ``0.47000000000000003``.

    >>> format_number(0.1 + 0.37), format_number(0.0), format_number(1234567.0)
    ('0.47', '0', '1.235e+06')
    """
    v = float(v)
    if v == 0:
        return "0"
    return f"{v:.4g}"


def table(rows: Sequence[Sequence[Any]], header: Sequence[Any] | None = None, *, align: str | None = None,
          rule: bool = False, closing_rule: bool = False, strip: bool = True, sep: str = "  ") -> str:
    """A plain-text table: every column padded to its widest cell.

    Parameters
    ----------
    rows : sequence of sequences
        The body, one sequence of cells per line (cells go through ``str``).
    header : sequence, optional
        A first line, padded like the rows.
    align : str, optional
        One letter per column, ``"l"`` (left, the default) or ``"r"`` (right: numbers).
    rule : bool
        A line of dashes under the header, as wide as each column.
    closing_rule : bool
        The same line of dashes again after the last row.
    strip : bool
        Remove the blanks that padding leaves at the end of each line.
    sep : str
        What stands between two columns.

    >>> print(table([["relu", 0.5], ["tanh", 12]], header=["name", "value"], align="lr", rule=True))
    name  value
    ----  -----
    relu    0.5
    tanh     12
    """
    lines = [[str(c) for c in r] for r in ([header] if header is not None else []) + list(rows)]
    n = max((len(r) for r in lines), default=0)
    widths = [max(len(r[i]) for r in lines if i < len(r)) for i in range(n)]
    align = align or "l" * n

    def line(cells: Sequence[str]) -> str:
        text = sep.join(c.rjust(w) if align[i] == "r" else c.ljust(w)
                        for i, (c, w) in enumerate(zip(cells, widths)))
        return text.rstrip() if strip else text

    dashes = sep.join("-" * w for w in widths)
    out = []
    if header is not None:
        out.append(line(lines[0]))
        if rule:
            out.append(dashes)
        lines = lines[1:]
    out += [line(r) for r in lines]
    if closing_rule:
        out.append(dashes)
    return "\n".join(out)


def one_line(err: BaseException, *, with_type: bool = False) -> str:
    """An error's message on one line (whitespace runs become one blank).

    An ``OSError`` reads ``"No such file or directory: data.csv"``, a ``KeyError`` its
    message without quotes, an error without a message its class name.  ``with_type=True``
    puts the class name in front (``"ValueError: bad value"``) unless the message already
    starts with it.

    >>> one_line(ValueError("two\\n   lines"))
    'two lines'
    >>> one_line(ValueError("bad value"), with_type=True)
    'ValueError: bad value'
    """
    if isinstance(err, OSError) and err.strerror and not isinstance(err, NeuronLabError):
        text = f"{err.strerror}: {err.filename}" if err.filename else err.strerror
    else:
        text = str(err) or type(err).__name__
        if isinstance(err, KeyError) and len(err.args) == 1 and isinstance(err.args[0], str):
            text = err.args[0]
    text = " ".join(text.split())
    if with_type:
        name = type(err).__name__
        text = text or name
        if not text.startswith(name):
            text = f"{name}: {text}"
    return text

