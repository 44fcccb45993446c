"""The playground's tests' helpers: a Starlette test client (no browser, no socket) and a
websocket helper that reads messages until one matches."""
from __future__ import annotations

import json
import warnings

with warnings.catch_warnings():       # newer Starlette prefers httpx2 in its test client; httpx works
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

from neuronlab.playground import build_app
from neuronlab.playground.frames import decode_frame

TOKEN = "test-token"
HOST = {"host": "127.0.0.1"}


def make_client(**kwargs):
    app = build_app(token=TOKEN, **kwargs)
    return app, TestClient(app, base_url="http://127.0.0.1")


class Tab:
    """One open websocket, as the page holds it: the model message, frames, the rest."""

    def __init__(self, ws):
        self.ws = ws
        self.model = self.until("model")
        self.session = self.model["session"]

    def send(self, kind, **payload):
        self.ws.send_text(json.dumps({"type": kind, **payload}))

    def next(self):
        m = self.ws.receive()
        if m.get("bytes") is not None:
            header, arrays = decode_frame(m["bytes"])
            return {**header, "data": arrays}
        if m.get("text") is not None:
            return json.loads(m["text"])
        raise AssertionError(f"the websocket closed: {m}")

    def until(self, kind, where=lambda m: True, limit=5000):
        for _ in range(limit):
            m = self.next()
            if m["type"] == kind and where(m):
                return m
        raise AssertionError(f"no {kind} message in {limit} messages")

    def frame(self, where=lambda m: True):
        return self.until("frame", where)


def open_tab(client):
    return client.websocket_connect(f"/ws?token={TOKEN}", headers=HOST)
