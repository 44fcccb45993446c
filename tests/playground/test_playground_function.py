"""``nl.playground(...)``: a server in a background thread with ``.url`` and ``.stop()``, its
arguments checked, and a port in use refused with the fix."""
import socket

import pytest

import neuronlab as nl

pytest.importorskip("uvicorn", reason="the playground needs the 'playground' extra (starlette, uvicorn)")
httpx = pytest.importorskip("httpx", reason="the test asks the server with httpx (the 'test' extra)")


def test_it_serves_in_the_background_until_stopped():
    app = nl.playground(data="moons", open_browser=False)
    try:
        assert app.url.startswith(f"http://127.0.0.1:{app.port}/?token=") and app.running
        assert httpx.get(app.url, timeout=30).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{app.port}/", timeout=30).status_code == 403
        assert "Playground(http://127.0.0.1" in repr(app) and app.url.replace("&", "&amp;") in app._repr_html_()
    finally:
        app.stop()
    assert not app.running
    with pytest.raises(httpx.TransportError):
        httpx.get(app.url, timeout=5)


def test_a_port_in_use_is_refused_with_the_fix():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError, match=f"could not listen on 127.0.0.1:{port} .*Pass another port"):
            nl.playground(port=port, open_browser=False)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"data": 3}, nl.ArgumentTypeError, "data must be a built-in name or a nl.datasets.Dataset"),
    ({"net": "mlp"}, nl.ArgumentTypeError, "net must be a nl.Network"),
    ({"port": 70000}, nl.HyperparameterError, "port must be an integer in [0, 65535]"),
    ({"host": ""}, nl.HyperparameterError, "host must be an address"),
])
def test_wrong_arguments_are_refused_before_a_server_starts(kwargs, error, words):
    with pytest.raises(error) as err:
        nl.playground(open_browser=False, **kwargs)
    assert words in str(err.value)


def test_a_data_set_given_in_python_is_where_every_tab_starts(tmp_path):
    from playground_tabs import Tab, make_client, open_tab
    path = tmp_path / "pets.csv"
    path.write_text("a,b,kind\n" + "".join(f"{i % 7},{i % 5},{'cat' if i % 2 else 'dog'}\n" for i in range(40)))
    app, client = make_client(data=nl.datasets.read_csv(str(path)))
    with client, open_tab(client) as ws:
        m = Tab(ws).model
        assert (m["dataset"], m["upload"], m["config"]["data"], m["classes"]) == ("pets.csv", "pets.csv", "upload",
                                                                                   ["cat", "dog"])
