"""The playground's web server: a Starlette application served by uvicorn.

Safe by default, as Jupyter is: it binds 127.0.0.1; every request and websocket must carry
the random token (in the URL, ``?token=…``, or in the cookie the first page sets); the
``Host`` header must name this server (no DNS rebinding) and an ``Origin`` header, when
there is one, this server's page; uploads are size-limited and parsed in memory, never
written to disk.  Each websocket (a browser tab) has its own :class:`~.session.Session`,
freed when the tab closes.

Routes (all behind the token): ``/`` the page, ``/static/…`` its JavaScript and style,
``/ws`` the tab's websocket, ``POST /upload`` a CSV file, ``/download/model`` and
``/download/snippet`` the trained model and the Python that rebuilds it.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import os
import re
import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from .._util.extras import require
from .._util.text import one_line
from ..datasets import Dataset, read_csv_bytes
from ..errors import DataError, NeuronLabError
from ..network import Network
from .session import Session

__all__ = ["STATIC", "MAX_UPLOAD", "build_app", "Guard", "GuardMiddleware"]

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
#: the largest CSV file the page may upload, in bytes
MAX_UPLOAD = 5 * 1024 * 1024
#: what a refused request is told
_REFUSED = {"token": "this playground needs its token: open the URL printed when it started (…/?token=…)",
            "host": "unknown Host header: open the playground at the address printed when it started",
            "origin": "requests from other web pages are refused"}
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


def _cookie_name(port: int | None) -> str:
    # cookies do not tell ports apart: one name per port keeps two playgrounds apart
    return f"neuronlab-playground-{port}" if port else "neuronlab-playground"


class Guard:
    """The checks every HTTP request and websocket passes (:class:`GuardMiddleware` runs them):
    the token, a ``Host`` that is this server, no foreign ``Origin``.  ``port`` may be set
    once the server knows it."""

    def __init__(self, token: str, hosts: set[str], port: int | None) -> None:
        self.token, self.hosts, self.port = token, hosts, port

    @property
    def cookie(self) -> str:
        return _cookie_name(self.port)

    def allowed_host(self, host: str) -> bool:
        name, _, given_port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not name:
            name, given_port = given_port, ""
        if self.port is not None and given_port not in ("", str(self.port)):
            return False
        return name.strip("[]").lower() in self.hosts

    def problem(self, scope: dict[str, Any]) -> str | None:
        """None for a request that may go on, else what is wrong: ``host``, ``origin`` or ``token``."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self.allowed_host(headers.get("host", "")):
            return "host"
        origin = headers.get("origin")
        if origin is not None:
            m = re.fullmatch(r"https?://([^/]+)", origin)
            if m is None or not self.allowed_host(m.group(1)):
                return "origin"
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        if not given and "cookie" in headers:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:                 # a malformed cookie header: as if there were none
                jar = SimpleCookie()
            given = jar[self.cookie].value if self.cookie in jar else ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return "token"
        return None


class GuardMiddleware:
    """ASGI middleware: refuse (403, or websocket close 1008) what :class:`Guard` refuses."""

    def __init__(self, app: Any, guard: Guard) -> None:
        self.app, self.guard = app, guard

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        problem = self.guard.problem(scope) if scope["type"] in ("http", "websocket") else None
        if problem is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            websockets = require("starlette.websockets", "playground")
            await websockets.WebSocketClose(code=1008, reason=_REFUSED[problem])(scope, receive, send)
        else:
            responses = require("starlette.responses", "playground")
            await responses.PlainTextResponse(_REFUSED[problem] + "\n", status_code=403)(scope, receive, send)


class _Outbox:
    """What the worker thread publishes, handed to the event loop: messages in order, and of
    the frames only the newest (a slow page skips frames, never falls behind)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.messages: list[Any] = []
        self.frame: bytes | None = None
        self.ready = asyncio.Event()

    def publish(self, message: Any) -> None:          # any thread
        try:
            self.loop.call_soon_threadsafe(self._put, message)
        except RuntimeError:                            # the loop has closed: the server is stopping
            pass

    def _put(self, message: Any) -> None:
        if isinstance(message, bytes):
            self.frame = message
        else:
            self.messages.append(message)
        self.ready.set()

    async def next(self) -> list[Any]:
        await self.ready.wait()
        self.ready.clear()
        out, self.messages = self.messages, []
        if self.frame is not None:
            out.append(self.frame)
            self.frame = None
        return out


def build_app(*, data: Dataset | str | None = None, net: Network | None = None, token: str | None = None,
              hosts: set[str] | None = None, port: int | None = None, config: dict[str, Any] | None = None,
              frame_rate: float = 20.0) -> Any:
    """The Starlette application (``app.state.token``, ``app.state.sessions``,
    ``app.state.guard``), before any server runs it.

    Parameters
    ----------
    data : Dataset or str, optional
        The data every new tab starts with: a built-in name, or a Dataset (a CSV file read
        by the command line).
    net : Network, optional
        The network every new tab starts with.
    token : str, optional
        Default: a new random token.
    hosts : set of str
        Host names the ``Host`` header may give (default: 127.0.0.1, localhost, ::1).
    port : int, optional
        The port the server listens on (the ``Host`` header must name it).
    """
    applications = require("starlette.applications", "playground", "neuronlab.playground", "starlette")
    routing = require("starlette.routing", "playground")
    staticfiles = require("starlette.staticfiles", "playground")
    token = token or secrets.token_urlsafe(24)
    start = dict(config or {})
    upload = None
    if isinstance(data, Dataset):
        upload, start["data"], start["target"] = data, "upload", data.target
    elif data is not None:
        start["data"] = data
    sessions: dict[str, Session] = {}
    handlers = _Handlers(sessions, start, upload, net, frame_rate)
    routes = [
        routing.Route("/", handlers.page),
        routing.Route("/upload", handlers.upload, methods=["POST"]),
        routing.Route("/download/model", handlers.download_model),
        routing.Route("/download/snippet", handlers.download_snippet),
        routing.WebSocketRoute("/ws", handlers.websocket),
        routing.Mount("/static", app=staticfiles.StaticFiles(directory=STATIC)),
    ]
    app = applications.Starlette(routes=routes)
    guard = Guard(token, set(hosts or {"127.0.0.1", "localhost", "::1"}), port)
    app.add_middleware(GuardMiddleware, guard=guard)
    app.state.token, app.state.sessions, app.state.guard = token, sessions, guard
    return app


class _Handlers:
    """The routes' functions, sharing the live sessions."""

    def __init__(self, sessions: dict[str, Session], start: dict[str, Any], upload: Dataset | None,
                 net: Network | None, frame_rate: float) -> None:
        self.sessions, self.start, self.first_upload, self.net, self.frame_rate = sessions, start, upload, net, frame_rate

    async def page(self, request: Any) -> Any:
        responses = require("starlette.responses", "playground")
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as fh:
            html = fh.read()
        response = responses.HTMLResponse(html, headers={"Content-Security-Policy": _CSP,
                                                         "Cache-Control": "no-store"})
        guard: Guard = request.app.state.guard
        response.set_cookie(guard.cookie, guard.token, httponly=True, samesite="strict")
        return response

    def _session(self, request: Any) -> Session:
        sid = request.query_params.get("session", "")
        session = self.sessions.get(sid)
        if session is None:
            raise DataError("no such session: reload the page")
        return session

    async def upload(self, request: Any) -> Any:
        responses = require("starlette.responses", "playground")
        try:
            session = self._session(request)
            size = request.headers.get("content-length")
            if size is not None and size.isdigit() and int(size) > MAX_UPLOAD + 65536:
                raise DataError(f"the file is larger than {MAX_UPLOAD // 2**20} MB, the most the playground "
                                "takes; upload a sample of its rows")
            async with request.form(max_files=1, max_fields=4, max_part_size=MAX_UPLOAD) as form:
                data = await _read_upload(form)       # the form's files are closed on the way out
        except NeuronLabError as err:
            return responses.JSONResponse({"error": one_line(err)}, status_code=400)
        except Exception as err:               # python-multipart's own refusals (too large, malformed)
            return responses.JSONResponse({"error": f"the upload could not be read: {one_line(err)}"},
                                          status_code=400)
        session.send("upload", data=data)
        return responses.JSONResponse({"ok": True, "name": data.name, "rows": len(data),
                                       "features": list(data.feature_names), "target": data.target})

    async def download_model(self, request: Any) -> Any:
        return await self._download(request, "model_bytes", "playground.nlz", "application/octet-stream")

    async def download_snippet(self, request: Any) -> Any:
        return await self._download(request, "snippet", "playground.py", "text/plain; charset=utf-8")

    async def _download(self, request: Any, what: str, filename: str, media_type: str) -> Any:
        """The session's ``what`` (computed in its worker thread) as a file to save."""
        responses = require("starlette.responses", "playground")
        try:
            session = self._session(request)
            body = await asyncio.wrap_future(session.call(getattr(session, what)))
        except NeuronLabError as err:
            return responses.PlainTextResponse(one_line(err) + "\n", status_code=404)
        return responses.Response(body, media_type=media_type,
                                  headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    async def websocket(self, ws: Any) -> None:
        websockets = require("starlette.websockets", "playground")
        await ws.accept()
        outbox = _Outbox(asyncio.get_running_loop())
        session = Session(outbox.publish, self.start, self.first_upload, self.net, self.frame_rate)
        self.sessions[session.id] = session
        session.start()
        sender = asyncio.create_task(_send_loop(ws, outbox))
        try:
            while True:
                text = await ws.receive_text()
                _command(session, text, outbox)
        except (websockets.WebSocketDisconnect, RuntimeError):
            pass
        finally:                                 # also when the server stops: the task is cancelled
            sender.cancel()
            self.sessions.pop(session.id, None)
            session.close(wait=0)                # the worker ends after its current epoch


def _command(session: Session, text: str, outbox: _Outbox) -> None:
    """One message from the page: ``{"type": "play"}``, ``{"type": "config", "config": {...}}``, …"""
    try:
        message = json.loads(text)
    except ValueError:
        message = None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        outbox.publish({"type": "error", "message": "a command is a JSON object with a 'type'"})
        return
    kind = message.pop("type")
    session.send(kind, **message)


async def _send_loop(ws: Any, outbox: _Outbox) -> None:
    while True:
        for message in await outbox.next():
            if isinstance(message, bytes):
                await ws.send_bytes(message)
            else:
                await ws.send_text(json.dumps(message, allow_nan=False))


async def _read_upload(form: Any) -> Dataset:
    """The uploaded CSV file of the form (field ``file``, optional ``target``), parsed in memory."""
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise DataError("the upload has no file; choose a CSV file")
    data = await upload.read()
    if len(data) > MAX_UPLOAD:
        raise DataError(f"the file is larger than {MAX_UPLOAD // 2**20} MB, the most the playground takes; "
                        "upload a sample of its rows")
    name = os.path.basename((upload.filename or "upload.csv").replace("\\", "/")) or "upload.csv"
    target = form.get("target")
    target = target.strip() if isinstance(target, str) and target.strip() else None
    return await asyncio.get_running_loop().run_in_executor(None, lambda: read_csv_bytes(data, name, target))
