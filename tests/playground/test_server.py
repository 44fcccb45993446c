"""The playground's server without a browser: the token, Host and Origin checks, one
session per websocket trained by the library's fit, uploads parsed as the command line
parses files, downloads that load with nl.load and predict like the server's network."""
from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground needs the 'playground' extra (starlette)")
pytest.importorskip("httpx", reason="the playground's server tests need httpx (the 'test' extra)")

from starlette.websockets import WebSocketDisconnect  # noqa: E402

import neuronlab as nl  # noqa: E402
from neuronlab import datasets  # noqa: E402

from playground_tabs import HOST, TOKEN, Tab, make_client, open_tab  # noqa: E402


def test_a_request_without_the_token_is_refused(served):
    _, client = served
    for path in ("/", "/static/app.js", "/download/model", "/ws"):
        r = client.get(path)
        assert r.status_code == 403
        assert "token" in r.text
    assert client.get("/?token=wrong").status_code == 403


def test_a_websocket_without_the_token_is_refused(served):
    _, client = served
    with pytest.raises(WebSocketDisconnect) as err:
        with client.websocket_connect("/ws", headers=HOST):
            pass
    assert err.value.code == 1008


def test_the_page_sets_the_token_cookie_and_a_strict_content_policy(served):
    _, client = served
    r = client.get(f"/?token={TOKEN}")
    assert r.status_code == 200 and 'data-testid="play"' in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
    js = client.get("/static/app.js")            # the cookie now carries the token
    assert js.status_code == 200 and "WebSocket" in js.text


def test_a_foreign_host_or_origin_is_refused():
    app, client = make_client(port=8765)
    url = f"/?token={TOKEN}"
    assert client.get(url, headers={"host": "127.0.0.1:8765"}).status_code == 200
    assert client.get(url, headers={"host": "localhost:8765"}).status_code == 200
    for host in ("evil.example:8765", "127.0.0.1:9999", "127.0.0.1.evil.example"):
        r = client.get(url, headers={"host": host})
        assert r.status_code == 403 and "Host" in r.text, host
    r = client.get(url, headers={"host": "127.0.0.1:8765", "origin": "http://evil.example"})
    assert r.status_code == 403 and "other web pages" in r.text
    assert client.get(url, headers={"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:8765"}).status_code == 200
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect(f"/ws?token={TOKEN}", headers={"host": "127.0.0.1:8765",
                                                                      "origin": "http://evil.example"}):
            pass


def test_a_tab_gets_its_own_session_freed_when_it_closes(served):
    app, client = served
    with open_tab(client) as ws1, open_tab(client) as ws2:
        a, b = Tab(ws1), Tab(ws2)
        assert a.session != b.session
        assert set(app.state.sessions) == {a.session, b.session}
        session = app.state.sessions[a.session]
    for _ in range(200):
        if not app.state.sessions and not session.thread.is_alive():
            break
        session.thread.join(0.05)
    assert app.state.sessions == {}
    assert not session.thread.is_alive()


def test_the_first_messages_describe_the_data_and_the_network(served):
    _, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        m = tab.model
        assert m["dataset"] == "spirals" and m["task"] == "classification" and m["classes"] == ["0", "1", "2"]
        assert [l["n_out"] for l in m["layers"]] == [8, 8, 3] and m["loss"] == "cross_entropy"
        assert "relu" in m["options"]["activations"] and "adam" in m["options"]["optimizers"]
        f = tab.frame()
        assert f["epoch"] == 0 and f["train_loss"] > 0
        grid = m["map"]["grid"]
        assert f["data"]["out_class"].shape == (grid * grid,)
        assert f["data"]["hidden0"].shape == (8, grid // 2, grid // 2)
        assert f["data"]["W0"].shape == (2, 8)


def test_play_trains_with_the_library_fit_and_the_loss_falls(served):
    app, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        first = tab.frame()
        tab.send("play")
        later = tab.frame(lambda f: f["epoch"] >= 30)
        tab.send("pause")
        paused = tab.frame(lambda f: not f["playing"])
        assert later["train_loss"] < first["train_loss"] / 2
        assert paused["epoch"] >= later["epoch"]
        net = app.state.sessions[tab.session].net
        assert len(net.history) == paused["epoch"]             # one run of fit, one epoch per epoch
        assert net.history["loss"][-1] == pytest.approx(paused["train_loss"])


def test_one_step_trains_one_epoch(served):
    _, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        tab.frame()
        for expected in (1, 2, 3):
            tab.send("step")
            f = tab.frame(lambda f: f["epoch"] == expected)
            assert not f["playing"]


def test_the_snippet_rebuilds_the_configuration_to_the_same_weights(served, tmp_path, monkeypatch):
    app, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        tab.send("config", config={"hidden": [5], "activations": ["relu"], "learning_rate": 0.01, "seed": 3})
        tab.until("model", lambda m: m["config"]["hidden"] == [5])
        for _ in range(4):
            tab.send("step")
        tab.frame(lambda f: f["epoch"] == 4)
        code = client.get("/download/snippet", params={"session": tab.session, "token": TOKEN}).text
        server_net = app.state.sessions[tab.session].net
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "playground.py", "exec"), scope)
    assert "epochs=4" in code
    np.testing.assert_array_equal(scope["net"].parameters, server_net.parameters)


def test_the_downloaded_model_loads_and_predicts_like_the_server_network(served, tmp_path):
    app, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        tab.send("step")
        tab.frame(lambda f: f["epoch"] == 1)
        r = client.get("/download/model", params={"session": tab.session, "token": TOKEN})
        session = app.state.sessions[tab.session]
        assert r.status_code == 200 and 'filename="playground.nlz"' in r.headers["content-disposition"]
        path = tmp_path / "m.nlz"
        path.write_bytes(r.content)
        loaded = nl.load(str(path))
        X = session.pd.X_train
        np.testing.assert_array_equal(loaded.predict_proba(X), session.net.predict_proba(X))
        assert loaded.metadata["classes"] == [0, 1, 2] and "scaler" in loaded.metadata


def test_a_neuron_click_gives_the_library_explanations(served):
    app, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        tab.send("step")
        tab.frame(lambda f: f["epoch"] == 1)
        tab.send("explain", layer=2, neuron=1, sample=7)
        m = tab.until("explanation")
        s = app.state.sessions[tab.session]
        x, y = s.pd.X_train[7], s.pd.y_train[7]
        e = s.net.explain(x, 2, 1)
        assert m["forward"]["weighted_sum"] == pytest.approx(e.weighted_sum)
        assert m["forward"]["activation_value"] == pytest.approx(e.activation_value)
        assert m["forward"]["fires"] == e.fires
        for k in range(8):
            g = s.net.explain_gradient(x, y, 2, 1, weight=k)
            assert m["backward"]["weights"][k]["gradient"] == pytest.approx(g.gradient)
        assert m["backward"]["delta"] == pytest.approx(s.net.explain_gradient(x, y, 2, 1).delta)


def test_an_edited_weight_changes_the_network_and_every_picture(served):
    app, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        before = tab.frame()
        tab.send("set_weight", layer=0, source=1, neuron=3, value=4.5)
        after = tab.frame()
        assert after["data"]["W0"][1, 3] == 4.5
        assert app.state.sessions[tab.session].net.layers[0].W[1, 3] == np.float32(4.5)
        assert not np.array_equal(before["data"]["hidden0"][3], after["data"]["hidden0"][3])
        np.testing.assert_array_equal(before["data"]["hidden0"][2], after["data"]["hidden0"][2])
        tab.send("set_weight", layer=0, source=9, neuron=3, value=1.0)
        assert "inputs 0..1" in tab.until("error")["message"]


def test_a_csv_upload_trains_on_its_features_and_text_labels(served):
    _, client = served
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    rows = ["a,b,c,kind"] + [f"{r[0]:.4f},{r[1]:.4f},{r[2]:.4f},{'cat' if r[0] + r[2] > 0 else 'dog'}" for r in X]
    with open_tab(client) as ws:
        tab = Tab(ws)
        r = client.post("/upload", params={"session": tab.session, "token": TOKEN},
                        files={"file": ("pets.csv", "\n".join(rows).encode())})
        assert r.status_code == 200 and r.json()["features"] == ["a", "b", "c"]
        m = tab.until("model", lambda m: m["dataset"] == "pets.csv")
        assert m["classes"] == ["cat", "dog"] and m["config"]["data"] == "upload" and len(m["features"]) == 3
        first = tab.frame()
        tab.send("play")
        f = tab.frame(lambda f: f["epoch"] >= 20)
        assert f["train_loss"] < first["train_loss"]


def test_a_malformed_csv_gets_the_same_message_as_the_command_line(served, tmp_path):
    _, client = served
    bad = b"a,b,y\n1,2,0\n3,x,1\n"
    path = tmp_path / "bad.csv"
    path.write_bytes(bad)
    with pytest.raises(nl.DataError) as expected:
        datasets.load(str(path))
    with open_tab(client) as ws:
        tab = Tab(ws)
        r = client.post("/upload", params={"session": tab.session, "token": TOKEN}, files={"file": ("bad.csv", bad)})
        assert r.status_code == 400
        assert r.json()["error"] == str(expected.value).replace(str(path), "bad.csv")
        tab.send("step")                          # and the session trains on
        assert tab.frame(lambda f: f["epoch"] == 1)["epoch"] == 1


def test_an_upload_too_large_or_without_a_file_is_refused(served, monkeypatch):
    from neuronlab.playground import server
    _, client = served
    monkeypatch.setattr(server, "MAX_UPLOAD", 1000)
    with open_tab(client) as ws:
        tab = Tab(ws)
        params = {"session": tab.session, "token": TOKEN}
        r = client.post("/upload", params=params, files={"file": ("big.csv", b"a,y\n" + b"1,0\n" * 400)})
        assert r.status_code == 400 and "larger than" in r.json()["error"]
        r = client.post("/upload", params=params, data={"target": "y"})
        assert r.status_code == 400 and "no file" in r.json()["error"]
        r = client.post("/upload", params={"token": TOKEN, "session": "nope"}, files={"file": ("a.csv", b"a,y\n1,0\n")})
        assert r.status_code == 400 and "no such session" in r.json()["error"]


def test_a_wrong_setting_shows_its_message_and_the_session_goes_on(served):
    _, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        tab.send("config", config={"activations": ["relx", "tanh"]})
        assert "did you mean 'relu'" in tab.until("error")["message"]
        tab.send("config", config={"learning_rte": 0.1})
        assert "did you mean 'learning_rate'" in tab.until("error")["message"]
        tab.send("config", config={"data": "upload"})
        assert "no CSV file has been uploaded" in tab.until("error")["message"]
        ws.send_text("not json")
        assert "JSON object" in tab.until("error")["message"]
        tab.send("step")
        assert tab.frame(lambda f: f["epoch"] == 1)["epoch"] == 1


def test_a_diverging_learning_rate_shows_the_message_and_keeps_finite_weights(served):
    app, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        tab.send("config", config={"data": "diabetes", "hidden": [16], "activations": ["relu"], "optimizer": "sgd",
                                   "learning_rate": 1e6, "test_ratio": 0.2})
        tab.until("model", lambda m: m["dataset"] == "diabetes")
        tab.send("play")
        message = tab.until("error")["message"]
        assert "diverged" in message and "lower learning rate" in message
        f = tab.frame(lambda f: not f["playing"])
        assert np.isfinite(app.state.sessions[tab.session].net.parameters).all()
        assert all(np.isfinite(f["data"][k]).all() for k in f["data"] if k.startswith("W"))
        tab.send("config", config={"learning_rate": 0.01})
        tab.until("model", lambda m: m["config"]["learning_rate"] == 0.01)
        tab.send("step")
        assert math.isfinite(tab.frame(lambda f: f["epoch"] == 1)["train_loss"])


def test_regression_data_sends_predictions_against_true_values(served):
    _, client = served
    with open_tab(client) as ws:
        tab = Tab(ws)
        tab.send("config", config={"data": "diabetes", "hidden": [8], "activations": ["tanh"]})
        m = tab.until("model", lambda m: m["dataset"] == "diabetes")
        assert m["task"] == "regression" and m["loss"] == "mse" and m["output"] == "identity"
        f = tab.frame()
        assert f["data"]["pred"].shape == (len(m["points"]["target"]),)
        tab.send("view", map_x=2, map_y=8)
        m = tab.until("model")
        assert (m["map"]["x"], m["map"]["y"]) == (2, 8)


def test_a_download_for_a_session_that_is_gone_is_not_found(served):
    _, client = served
    r = client.get("/download/model", params={"session": "gone", "token": TOKEN})
    assert r.status_code == 404 and "reload the page" in r.text
    r = client.get("/download/snippet", params={"session": "gone", "token": TOKEN})
    assert r.status_code == 404


def test_an_upload_that_cannot_be_learnt_leaves_the_data_before_it(served):
    _, client = served
    good = "a,b,y\n" + "".join(f"{i % 7},{i % 5},{'p' if i % 2 else 'q'}\n" for i in range(40))
    one_class = "a,b,y\n" + "".join(f"{i},{i},same\n" for i in range(10))
    with open_tab(client) as ws:
        tab = Tab(ws)
        params = {"session": tab.session, "token": TOKEN}
        assert client.post("/upload", params=params, files={"file": ("good.csv", good.encode())}).status_code == 200
        tab.until("model", lambda m: m["dataset"] == "good.csv")
        assert client.post("/upload", params=params, files={"file": ("one.csv", one_class.encode())}).status_code == 200
        assert "only one class" in tab.until("error")["message"]
        tab.send("config", config={"learning_rate": 0.01})          # rebuilds on the file that worked
        m = tab.until("model", lambda m: m["config"]["learning_rate"] == 0.01)
        assert m["dataset"] == "good.csv" and m["upload"] == "good.csv"
