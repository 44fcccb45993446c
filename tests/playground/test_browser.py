"""The playground in a real browser: Playwright driving the system Chromium (``apt-get install
chromium``; CI installs it).  Every wait is for a condition on the page, never a sleep, with
generous limits: the machines that run this may be small and busy."""
from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

import neuronlab as nl

pytest.importorskip("starlette", reason="the playground needs the 'playground' extra (starlette, uvicorn)")
pytest.importorskip("uvicorn", reason="the playground needs the 'playground' extra (starlette, uvicorn)")
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the 'test' extra)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("the browser tests need the system Chromium: apt-get install -y chromium", allow_module_level=True)

expect = sync_api.expect
LONG = 60_000                       # ms: the most any one condition may take on a loaded machine
expect.set_options(timeout=LONG)


@pytest.fixture(scope="module")
def app():
    pg = nl.playground(open_browser=False)
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser, app):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(LONG)
    page.problems = []
    page.on("pageerror", lambda err: page.problems.append(str(err)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    yield page
    context.close()


def open_page(page, app, fragment=""):
    page.goto(app.url + fragment)
    expect(page.get_by_test_id("neuron-0-0")).to_be_visible()
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    return session_of(page, app)


def session_of(page, app):
    href = page.get_by_test_id("download-model").get_attribute("href")
    sid = re.search(r"session=([^&]+)", href).group(1)
    return app.sessions[sid]


def number(page, testid):
    return float(page.get_by_test_id(testid).inner_text())


def play_until(page, epochs_pattern=r"^[1-9]\d+$"):
    page.get_by_test_id("play").click()
    expect(page.get_by_test_id("epoch")).to_have_text(re.compile(epochs_pattern))
    page.get_by_test_id("play").click()                   # pause
    expect(page.get_by_test_id("play")).to_have_text("play")


def test_the_page_loads_with_its_controls_and_the_network(page, app):
    open_page(page, app)
    for testid in ("play", "step", "reset", "epoch", "train-loss", "test-loss", "dataset", "upload", "learning-rate",
                   "activation-0", "activation-1", "add-layer", "remove-layer", "output-map", "download-model"):
        expect(page.get_by_test_id(testid)).to_be_attached()
    expect(page.get_by_test_id("neuron-1-7")).to_be_visible()
    expect(page.get_by_test_id("neuron-2-2")).to_be_visible()          # three classes
    expect(page.get_by_test_id("error")).to_be_hidden()
    assert float(page.get_by_test_id("train-loss").inner_text()) > 0
    assert page.problems == []


def test_play_trains_the_epoch_grows_and_the_train_loss_falls_on_spirals(page, app):
    open_page(page, app)
    first = number(page, "train-loss")
    play_until(page, r"^([4-9]\d|\d{3,})$")               # 40 epochs or more: the loss is well down by then
    assert number(page, "epoch") >= 40
    assert number(page, "train-loss") < first / 2
    assert number(page, "test-loss") > 0
    step_from = int(number(page, "epoch"))
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text(str(step_from + 1))
    page.get_by_test_id("reset").click()
    expect(page.get_by_test_id("epoch")).to_have_text("0")


def test_a_neuron_click_shows_the_numbers_of_the_library_explanation(page, app):
    session = open_page(page, app)
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    page.get_by_test_id("sample").fill("5")
    page.get_by_test_id("neuron-2-1").click()
    expect(page.get_by_test_id("explanation")).to_contain_text("layer 2, neuron 1, training row 5")
    expect(page.get_by_test_id("gradient-explanation")).to_contain_text("δ")
    x, y = session.pd.X_train[5], session.pd.y_train[5]
    e = session.net.explain(x, 2, 1)

    def shown(panel, field):
        return float(page.get_by_test_id(panel).locator(f'[data-field="{field}"]').get_attribute("data-value"))

    assert shown("explanation", "weighted_sum") == pytest.approx(e.weighted_sum, rel=1e-6)
    assert shown("explanation", "activation_value") == pytest.approx(e.activation_value, rel=1e-6)
    assert shown("explanation", "bias") == pytest.approx(e.bias, rel=1e-6)
    g = session.net.explain_gradient(x, y, 2, 1)
    assert shown("gradient-explanation", "delta") == pytest.approx(g.delta, rel=1e-6)
    for k in (0, 7):
        gk = session.net.explain_gradient(x, y, 2, 1, weight=k)
        assert shown("gradient-explanation", f"gradient-{k}") == pytest.approx(gk.gradient, rel=1e-6, abs=1e-12)


def test_an_edge_click_edits_the_weight_and_the_pictures_follow(page, app):
    session = open_page(page, app)
    edge = page.get_by_test_id("edge-0-1-3")
    before = edge.get_attribute("data-weight")
    edge.click(force=True)
    expect(page.get_by_test_id("weight-editor")).to_be_visible()
    page.get_by_test_id("weight-input").fill("-3.25")
    page.get_by_test_id("weight-apply").click()
    expect(edge).to_have_attribute("data-weight", "-3.25")
    assert before != "-3.25"
    assert session.net.layers[0].W[1, 3] == np.float32(-3.25)


def test_the_network_and_the_settings_change_from_the_page(page, app):
    open_page(page, app)
    page.get_by_test_id("add-layer").click()
    expect(page.get_by_test_id("activation-2")).to_be_attached()
    expect(page.get_by_test_id("neuron-2-3")).to_be_visible()
    page.get_by_test_id("activation-2").select_option("relu")
    expect(page.get_by_test_id("activation-2")).to_have_value("relu")
    page.get_by_test_id("remove-layer").click()
    expect(page.get_by_test_id("activation-2")).to_have_count(0)
    page.get_by_test_id("learning-rate").fill("0.005")
    page.get_by_test_id("learning-rate").dispatch_event("change")
    expect(page).to_have_url(re.compile(r"learning_rate=0\.005"))
    page.get_by_test_id("learning-rate").fill("-1")
    page.get_by_test_id("learning-rate").dispatch_event("change")
    expect(page.get_by_test_id("error")).to_contain_text("learning_rate must be > 0")


def test_the_configuration_in_the_url_is_the_page_configuration(page, app):
    open_page(page, app, "#data=moons&hidden=3&activations=relu&learning_rate=0.01")
    expect(page.get_by_test_id("dataset")).to_have_value("moons")
    expect(page.get_by_test_id("activation-0")).to_have_value("relu")
    expect(page.get_by_test_id("neuron-0-2")).to_be_visible()
    expect(page.get_by_test_id("neuron-0-3")).to_have_count(0)
    expect(page.get_by_test_id("learning-rate")).to_have_value("0.01")


def _pets_csv(n=120):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, 3))
    rows = ["height,weight,age,kind"] + [f"{a:.3f},{b:.3f},{c:.3f},{'cat' if a - b > 0 else 'dog'}" for a, b, c in X]
    return "\n".join(rows).encode()


def test_a_csv_upload_trains(page, app):
    open_page(page, app)
    page.get_by_test_id("upload").set_input_files({"name": "pets.csv", "mimeType": "text/csv", "buffer": _pets_csv()})
    expect(page.get_by_test_id("data-info")).to_contain_text("pets.csv")
    expect(page.get_by_test_id("data-info")).to_contain_text("3 features, 2 classes (cat, dog)")
    expect(page.get_by_test_id("dataset")).to_have_value("upload")
    expect(page.get_by_test_id("epoch")).to_have_text("0")
    first = number(page, "train-loss")
    play_until(page)
    assert number(page, "train-loss") < first


def test_a_malformed_csv_shows_the_error_and_the_page_still_works(page, app):
    open_page(page, app)
    page.get_by_test_id("upload").set_input_files(
        {"name": "broken.csv", "mimeType": "text/csv", "buffer": b"a,b,y\n1,2,0\n3,x,1\n"})
    error = page.get_by_test_id("error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("broken.csv, line 3, column 'b': 'x' is not a number")
    page.get_by_test_id("dataset").select_option("moons")
    expect(page.get_by_test_id("data-info")).to_contain_text("moons")
    expect(error).to_be_hidden()
    play_until(page)


def test_the_downloaded_model_loads_and_predicts_like_the_server_network(page, app, tmp_path):
    session = open_page(page, app)
    play_until(page)
    with page.expect_download() as info:
        page.get_by_test_id("download-model").click()
    path = tmp_path / "playground.nlz"
    info.value.save_as(path)
    loaded = nl.load(str(path))
    X = np.vstack([session.pd.X_train, session.pd.X_test])
    np.testing.assert_array_equal(loaded.predict(X), session.net.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), session.net.predict_proba(X))


def test_a_request_without_the_token_is_refused(page, app):
    response = page.goto(f"http://127.0.0.1:{app.port}/")
    assert response.status == 403
    expect(page.locator("body")).to_contain_text("needs its token")
    response = page.goto(f"http://127.0.0.1:{app.port}/static/app.js")
    assert response.status == 403


def test_dead_neurons_are_marked_as_they_happen_with_the_warning_text(browser):
    net = nl.Network.mlp([2, 4, 3], hidden="relu", seed=0)
    net.layers[0].b[...] = -100.0
    pg = nl.playground(net=net, open_browser=False)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(LONG)
        page.goto(pg.url)
        expect(page.get_by_test_id("neuron-0-3")).to_have_class(re.compile(r"\bdead\b"))
        expect(page.get_by_test_id("warnings")).to_contain_text("layer 0: 100% of relu neurons dead since epoch 1")
    finally:
        context.close()
        pg.stop()


def test_each_tab_has_its_own_session_freed_when_the_tab_closes(browser, app):
    contexts = [browser.new_context() for _ in range(2)]
    try:
        sessions = []
        for context in contexts:
            page = context.new_page()
            page.set_default_timeout(LONG)
            sessions.append(open_page(page, app))
        assert sessions[0] is not sessions[1] and sessions[0].net is not sessions[1].net
    finally:
        for context in contexts:
            context.close()
    for s in sessions:
        s.thread.join(LONG / 1000)
        assert not s.thread.is_alive() and s.id not in app.sessions


def test_a_diverging_learning_rate_shows_the_message_and_the_page_goes_on(page, app):
    open_page(page, app, "#data=diabetes&hidden=16&activations=relu&optimizer=sgd&learning_rate=1000000")
    page.get_by_test_id("play").click()
    error = page.get_by_test_id("error")
    expect(error).to_contain_text("training diverged")
    expect(error).to_contain_text("Try a lower learning rate")
    expect(page.get_by_test_id("play")).to_have_text("play")
    page.get_by_test_id("learning-rate").fill("0.01")
    page.get_by_test_id("learning-rate").dispatch_event("change")
    expect(error).to_be_hidden()
    page.get_by_test_id("step").click()
    expect(page.get_by_test_id("epoch")).to_have_text("1")
    assert np.isfinite(number(page, "train-loss"))


def test_a_click_on_a_training_point_picks_the_row_the_neuron_explains(page, app):
    from neuronlab.playground.frames import model_message
    session = open_page(page, app)
    m = model_message(session.net, session.pd, session.cfg, session.view)
    p, (x0, x1, y0, y1) = m["points"], m["map"]["extent"]
    xy = np.array([p["x"], p["y"]]).T
    train = [i for i in range(len(xy)) if not p["test"][i]]
    gaps = [np.sort(np.hypot(*(xy - xy[i]).T))[1] for i in train]
    i = train[int(np.argmax(gaps))]                        # the most isolated training point
    canvas = page.get_by_test_id("output-map")
    box = canvas.bounding_box()
    canvas.click(position={"x": (xy[i, 0] - x0) / (x1 - x0) * box["width"],
                           "y": (y1 - xy[i, 1]) / (y1 - y0) * box["height"]})
    expect(page.get_by_test_id("sample")).to_have_value(str(p["row"][i]))
    page.get_by_test_id("neuron-0-0").click()
    expect(page.get_by_test_id("explanation")).to_contain_text(f"training row {p['row'][i]}")
