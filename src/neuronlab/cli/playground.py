"""``neuronlab playground``: the browser playground served from the command line until Ctrl-C."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import datasets as _datasets
from .._util.extras import require
from ..errors import UsageError
from .common import _Formatter, _add_data_args, _out, reading

__all__ = ["add_playground_command", "cmd_playground"]


def add_playground_command(sub: Any) -> None:
    """Add ``playground`` to the ``neuronlab`` command line's subparsers."""
    p = sub.add_parser(
        "playground", help="watch a network learn in the browser, on your own data", formatter_class=_Formatter,
        description="Serve the playground page and open it in the browser: pick or upload data, build the network,\n"
                    "play, pause or step the training, click a neuron for its arithmetic, edit a weight, download\n"
                    "the model.  It listens on 127.0.0.1 only, and the printed address carries a random token\n"
                    "that every request must give.  Ctrl-C stops it (needs the 'playground' extra).",
        epilog="examples:\n  neuronlab playground\n"
               "  neuronlab playground --data my.csv --target label --port 8765 --no-browser")
    _add_data_args(p, what="what every new tab starts with", default="spirals", target_default="the last column")
    p.add_argument("--port", type=int, metavar="N", help="port to listen on (default: a free one)")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                   help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--no-browser", action="store_true", help="print the address without opening a browser")
    p.set_defaults(func=cmd_playground)


def _start_data(args: argparse.Namespace) -> str | _datasets.Dataset:
    """A built-in name as it is, a file read now (so a bad file is reported before the server starts)."""
    builtin = args.data.strip().lower() in _datasets.names()
    if builtin:
        if args.target is not None or args.no_header:
            raise UsageError(f"neuronlab playground: --target and --no-header apply to CSV files, not to the "
                             f"built-in data set '{args.data}'")
        return args.data.strip().lower()
    with reading(args.data, "a data file"):
        return _datasets.load(args.data, target=args.target, header=False if args.no_header else None)


def cmd_playground(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 <= args.port <= 65535:
        raise UsageError(f"neuronlab playground: --port must be in 0..65535, got {args.port}")
    require("starlette", "playground", "neuronlab playground")
    require("uvicorn", "playground", "neuronlab playground")
    data = _start_data(args)
    from ..playground import serve

    def announce(url: str) -> None:
        _out(f"neuronlab playground: {url}")
        _out("  open it in a browser (the token is needed); Ctrl-C stops the server")
        sys.stdout.flush()

    try:
        serve(data, port=args.port, open_browser=not args.no_browser, host=args.host, announce=announce)
    except KeyboardInterrupt:
        pass
    _out("neuronlab playground: stopped")
    return 0
