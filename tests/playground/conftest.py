"""Fixtures of the playground's server tests."""
import pytest

pytest.importorskip("starlette", reason="the playground needs the 'playground' extra (starlette)")
pytest.importorskip("httpx", reason="the playground's server tests need httpx (the 'test' extra)")

from playground_tabs import make_client  # noqa: E402


@pytest.fixture
def served():
    app, client = make_client()
    with client:
        yield app, client
    for session in list(app.state.sessions.values()):
        session.close()
