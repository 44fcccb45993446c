"""Fixtures of the playground's server tests."""
import pytest


@pytest.fixture
def served():
    """The application and a test client (no socket); every session closed afterwards."""
    from playground_tabs import make_client
    app, client = make_client()
    with client:
        yield app, client
    for session in list(app.state.sessions.values()):
        session.close()
