"""The playground: watch a real network learn in the browser, on your own data::

    app = nl.playground(data="spirals")     # opens the page in the browser
    app.url                                  # 'http://127.0.0.1:52817/?token=…'
    app.stop()

A web server (Starlette and uvicorn, the ``playground`` extra) serves a page of plain
JavaScript modules shipped in the package; each browser tab gets its own session, trained
in a worker thread by the library's own ``fit``.  See :func:`playground` and
``neuronlab playground --help``.
"""
from __future__ import annotations

import socket
import threading
import time
import webbrowser
from typing import TYPE_CHECKING, Any

from .._util.extras import require
from .._util.validate import check_int
from ..errors import ArgumentTypeError, HyperparameterError

if TYPE_CHECKING:
    from ..datasets import Dataset
    from ..network import Network

__all__ = ["Playground", "playground", "serve", "build_app"]

#: how long :func:`playground` waits for the server to listen
START_TIMEOUT = 30.0


class Playground:
    """A running playground server (from :func:`playground`): ``url`` opens it, ``stop()``
    ends it and its sessions."""

    def __init__(self, app: Any, server: Any, thread: threading.Thread, host: str, port: int) -> None:
        self.app, self._server, self._thread, self.host, self.port = app, server, thread, host, port

    @property
    def url(self) -> str:
        """The page's address, with its token."""
        return _url(self.host, self.port, self.app.state.token)

    @property
    def sessions(self) -> dict[str, Any]:
        """The open tabs' sessions, by id."""
        return self.app.state.sessions

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Close every session and stop the server (waits up to ``timeout`` seconds)."""
        for session in list(self.sessions.values()):
            session.close()
        self._server.should_exit = True
        self._thread.join(timeout)

    def __repr__(self) -> str:
        return f"Playground({self.url}{'' if self.running else ', stopped'})"

    def _repr_html_(self) -> str:
        from html import escape
        return f'<a href="{escape(self.url)}" target="_blank">neuronlab playground: {escape(self.url)}</a>'


def _url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def build_app(**kwargs: Any) -> Any:
    """The Starlette application, before a server runs it; see :func:`neuronlab.playground.server.build_app`."""
    from .server import build_app as build    # the server's modules load when a playground starts
    return build(**kwargs)


def _check_args(data: Any, net: Any, port: Any, host: Any) -> None:
    from ..datasets import Dataset
    from ..network import Network
    if data is not None and not isinstance(data, (str, Dataset)):
        raise ArgumentTypeError(f"data must be a built-in name or a nl.datasets.Dataset, got {type(data).__name__}")
    if net is not None and not isinstance(net, Network):
        raise ArgumentTypeError(f"net must be a nl.Network (or None), got {type(net).__name__}")
    if port is not None:
        check_int("port", port, minimum=0, maximum=65535)
    if not isinstance(host, str) or not host:
        raise HyperparameterError(f"host must be an address such as '127.0.0.1', got {host!r}")


def _server(app: Any, host: str) -> Any:
    uvicorn = require("uvicorn", "playground", "the playground")
    config = uvicorn.Config(app, host=host, log_level="warning", ws="auto", lifespan="off",
                            timeout_graceful_shutdown=2)
    return uvicorn.Server(config)


def _listen(host: str, port: int | None) -> socket.socket:
    """A socket bound to ``host:port`` (a free port for None or 0), or OSError saying what to do."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port or 0))
    except OSError as err:
        sock.close()
        raise OSError(f"the playground could not listen on {host}:{port or 'a free port'} ({err.strerror or err}); "
                      "is the port in use? Pass another port, or none for a free one") from None
    return sock


def playground(data: str | Dataset | None = "spirals", net: Network | None = None, port: int | None = None,
               open_browser: bool = True, host: str = "127.0.0.1", *, config: dict[str, Any] | None = None) -> Playground:
    """Start the playground server in a background thread and (by default) open it in the browser.

    Parameters
    ----------
    data : str or Dataset
        The data every tab starts with: a built-in name (``"spirals"``, ``"iris"``, …) or a
        :class:`~neuronlab.datasets.Dataset` (``nl.datasets.read_csv(...)``); the page can
        switch, and upload a CSV file.
    net : Network, optional
        Start from this network (its layers and weights) instead of the page's default.
    port : int, optional
        Default: a free port.
    open_browser : bool
    host : str
        The address to listen on; keep 127.0.0.1 (only this computer) unless you know why.
    config : dict, optional
        First settings of the page (see :mod:`neuronlab.playground.config`).

    Returns
    -------
    Playground
        ``.url`` (with its token), ``.stop()``.
    """
    _check_args(data, net, port, host)
    sock = _listen(host, port)
    bound = int(sock.getsockname()[1])
    app = build_app(data=data, net=net, port=bound, config=config, hosts={host, "127.0.0.1", "localhost", "::1"})
    server = _server(app, host)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="neuronlab-playground-server",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise OSError(f"the playground server on {host}:{bound} did not start; see the messages above")
        time.sleep(0.02)
    pg = Playground(app, server, thread, host, bound)
    if open_browser:
        webbrowser.open(pg.url)
    return pg


def serve(data: str | Dataset | None = "spirals", port: int | None = None, open_browser: bool = True,
          host: str = "127.0.0.1", announce: Any = print) -> None:
    """Run the playground in this thread until Ctrl-C (the command line's
    ``neuronlab playground``); ``announce`` is given the URL once the server listens."""
    _check_args(data, None, port, host)
    sock = _listen(host, port)
    port = int(sock.getsockname()[1])
    app = build_app(data=data, port=port, hosts={host, "127.0.0.1", "localhost", "::1"})
    server = _server(app, host)
    url = _url(host, port, app.state.token)

    def on_start() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if server.started:
            announce(url)
            if open_browser:
                webbrowser.open(url)

    threading.Thread(target=on_start, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        for session in list(app.state.sessions.values()):
            session.close()
