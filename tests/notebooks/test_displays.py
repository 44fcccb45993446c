"""neuronlab in a real Jupyter kernel: a small notebook is executed with nbclient and its
outputs (MIME types, contents, display ids) are read back."""
import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

SRC = str(Path(__file__).resolve().parents[2] / "src")

CELLS = {
    "setup": f"""
import sys
sys.path.insert(0, {SRC!r})
sys.modules["ipywidgets"] = None          # as without ipywidgets: the HTML progress bar
import numpy as np, neuronlab as nl
assert nl.__file__.startswith({SRC!r}), nl.__file__
rng = np.random.default_rng(0)
X = rng.normal(size=(60, 2)); y = (X[:, 0] > 0).astype(int)
net = nl.Network.mlp([2, 6, 2], seed=0)
net.metadata["feature_names"] = ["<script>alert(1)</script>", "a&b"]
history = net.fit(X, y, epochs=3)
""",
    "figure": "nl.plots.decision_regions(net, X, y)",
    "svg": "old = nl.plots.set_display_format('svg'); fig = nl.plots.activation('relu'); "
           "nl.plots.set_display_format(old); fig.display_format = 'svg'; fig",
    "network": "net",
    "summary": "net.summary()",
    "explain": "net.explain(X[0], layer=0, neuron=1)",
    "stats": "nl.inspect.neuron_stats(net, X)",
    "history": "history",
    "gradient": "net.explain_gradient(X[0], y[0], layer=0, neuron=1, weight=0)",
    "verbose": "net.fit(X, y, epochs=5, verbose=1); None",
    "stopped": "class Fail(nl.Callback):\n"
               "    def on_epoch_end(self, epoch, logs):\n"
               "        if epoch == 3: raise RuntimeError('stop')\n"
               "try:\n    net.fit(X, y, epochs=50, verbose=1, callbacks=[Fail()])\n"
               "except RuntimeError:\n    pass",
    "live": "live = nl.callbacks.LivePlot(X, y, regions=True, budget=1.0)\n"
            "net.fit(X, y, epochs=4, callbacks=[live]); live.draws",
}


class _Recording(nbclient.NotebookClient):
    """Keeps every output message with the cell it came from."""

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] in ("display_data", "update_display_data", "execute_result", "stream", "comm_open",
                               "comm_msg"):
            self.messages.append((cell_index, msg["msg_type"], msg["content"]))
        return super().process_message(msg, cell, cell_index)


def _execute(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(code) for code in cells.values()]
    client = _Recording(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": SRC}})
    client.messages = []
    env = dict(os.environ, PYTHONPATH=SRC)
    env.pop("MPLBACKEND", None)
    client.execute(env=env)
    names = list(cells)
    outputs = {name: cell.outputs for name, cell in zip(names, nb.cells)}
    messages = {name: [(kind, content) for i, kind, content in client.messages if i == k]
                for k, name in enumerate(names)}
    return outputs, messages


@pytest.fixture(scope="module")
def run():
    return _execute(CELLS)


def _html(outputs, name):
    (out,) = outputs[name]
    return out["data"]["text/html"]


def test_a_figure_as_the_last_expression_shows_one_png_without_matplotlib_magic(run):
    outputs, _ = run
    (out,) = outputs["figure"]
    assert out["output_type"] == "execute_result" and "image/png" in out["data"]
    assert "image/svg+xml" not in out["data"]
    assert outputs["setup"] == []


def test_a_figure_asked_for_svg_shows_svg_and_no_png(run):
    (out,) = run[0]["svg"]
    assert "image/svg+xml" in out["data"] and "image/png" not in out["data"]


def test_the_network_shows_its_table_with_the_feature_names_escaped(run):
    text = _html(run[0], "network")
    assert "Network: 2 → 6 → 2" in text and "32" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>" not in text and "a&amp;b" in text


def test_the_summary_shows_html_and_its_plain_text_is_the_text_itself(run):
    (out,) = run[0]["summary"]
    assert "<table" in out["data"]["text/html"]
    plain = out["data"]["text/plain"]
    assert plain.splitlines()[-1].startswith("total parameters: 32") and "\\n" not in plain


def test_an_explanation_neuron_stats_a_history_and_a_gradient_show_as_html(run):
    outputs, _ = run
    assert "z = " in _html(outputs, "explain") and "a&amp;b" in _html(outputs, "explain")
    assert "NeuronStats: 2 Dense layers, 60 samples" in _html(outputs, "stats")
    assert "History: 3 epochs" in _html(outputs, "history") and "<svg" in _html(outputs, "history")
    assert "∂L/∂a" in _html(outputs, "gradient")


def test_fit_verbose_shows_one_progress_bar_updated_in_place_and_no_lines(run):
    outputs, messages = run
    kinds = [kind for kind, _ in messages["verbose"]]
    assert "stream" not in kinds
    ids = {c["transient"]["display_id"] for kind, c in messages["verbose"] if kind.endswith("display_data")}
    assert len(ids) == 1 and kinds[0] == "display_data" and "update_display_data" in kinds
    (out,) = outputs["verbose"]
    assert "5/5 epochs" in out["data"]["text/html"] and out["data"]["text/plain"].startswith("epoch 5/5")


def test_a_bar_stopped_by_an_error_still_shows_the_last_epoch_that_ended(run):
    outputs, messages = run
    texts = [c["data"]["text/plain"] for kind, c in messages["stopped"] if kind.endswith("display_data")]
    assert texts and texts[-1].startswith("epoch 3/50")


def test_live_plot_shows_one_picture_updated_after_every_epoch(run):
    outputs, messages = run
    kinds = [kind for kind, _ in messages["live"]]
    ids = {c["transient"]["display_id"] for kind, c in messages["live"] if kind.endswith("display_data")}
    assert len(ids) == 1
    assert kinds.count("display_data") == 1 and kinds.count("update_display_data") == 3
    display, result = outputs["live"]
    assert "image/png" in display["data"] and result["data"]["text/plain"] == "4"


def test_with_tqdm_and_ipywidgets_fit_verbose_shows_tqdm_s_widget_and_no_lines():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("tqdm")
    outputs, messages = _execute({
        "setup": CELLS["setup"].replace('sys.modules["ipywidgets"] = None', ""),
        "verbose": "net.fit(X, y, epochs=5, verbose=1); None",
    })
    assert not [c for kind, c in messages["verbose"] if kind == "stream" and c["name"] == "stdout"]
    widgets = [out for out in outputs["verbose"] if "application/vnd.jupyter.widget-view+json" in out.get("data", {})]
    assert len(widgets) == 1                                   # one bar, whose widgets then update in place
    states = [c["data"].get("state", {}) for kind, c in messages["verbose"] if kind in ("comm_open", "comm_msg")]
    assert any(s.get("max") == 5 for s in states)
    assert any(s.get("value") == 5 for s in states)                  # the bar reached 5 of 5 epochs
    assert any("5/5" in str(s.get("value", "")) for s in states)     # and its text says so
