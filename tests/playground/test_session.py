"""A tab's session on its own (no server): its worker thread owns the network, keeps a long
run's memory bounded, starts from a given network, and ends when the tab closes."""
import queue

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.playground import session as session_module
from neuronlab.playground.frames import decode_frame
from neuronlab.playground.session import Session


class Inbox:
    """What a session publishes, read as the page reads it."""

    def __init__(self):
        self.q = queue.Queue()

    def __call__(self, message):
        self.q.put(message)

    def until(self, kind, where=lambda m: True, limit=5000):
        for _ in range(limit):
            m = self.q.get(timeout=60)
            if isinstance(m, bytes):
                header, arrays = decode_frame(m)
                m = {**header, "data": arrays}
            if m["type"] == kind and where(m):
                return m
        raise AssertionError(f"no {kind} message")


def test_a_long_run_keeps_only_the_newest_epochs_of_history(monkeypatch):
    monkeypatch.setattr(session_module, "HISTORY_KEPT", 5)
    inbox = Inbox()
    s = Session(inbox, {"data": "xor", "samples": 40, "hidden": [3], "activations": ["tanh"]}).start()
    try:
        inbox.until("frame")
        s.send("play")
        inbox.until("frame", lambda f: f["epoch"] >= 40)
        s.send("pause")
        f = inbox.until("frame", lambda f: not f["playing"])
        assert 5 <= len(s.net.history) <= 10
        assert s.net.history.epochs[-1] == f["epoch"] and len(s.net.history["loss"]) == len(s.net.history)
    finally:
        s.close()
    assert not s.thread.is_alive()


def test_it_starts_from_a_given_network_and_its_weights():
    net = nl.Network.mlp([2, 5, 3], hidden="relu", seed=11)
    inbox = Inbox()
    s = Session(inbox, {"data": "spirals"}, net=net).start()
    try:
        m = inbox.until("model")
        assert m["config"]["hidden"] == [5] and m["config"]["activations"] == ["relu"]
        np.testing.assert_array_equal(inbox.until("frame")["data"]["W0"], net.layers[0].W)
    finally:
        s.close()


def test_a_network_that_does_not_fit_the_data_is_refused_and_the_defaults_start():
    inbox = Inbox()
    s = Session(inbox, {"data": "iris"}, net=nl.Network.mlp([2, 4, 3], seed=0)).start()
    try:
        assert "takes 2 inputs" in inbox.until("error")["message"]
        assert inbox.until("model")["dataset"] == "spirals"
    finally:
        s.close()


def test_closing_a_playing_session_ends_its_thread():
    inbox = Inbox()
    s = Session(inbox, {}).start()
    inbox.until("frame")
    s.send("play")
    inbox.until("frame", lambda f: f["epoch"] >= 3)
    s.close()
    assert not s.thread.is_alive()


def test_dead_neurons_are_marked_with_the_library_warning_text():
    net = nl.Network.mlp([2, 4, 3], hidden="relu", seed=0)
    net.layers[0].b[...] = -100.0                          # no input gets a weighted sum past 0
    inbox = Inbox()
    s = Session(inbox, {"data": "spirals"}, net=net).start()
    try:
        f = inbox.until("frame")
        assert f["dead"] == [[0, 0], [0, 1], [0, 2], [0, 3]]
        assert f["warnings"] == [s.monitor.warned[(0, "dead")]]
        assert f["warnings"][0].startswith("layer 0: 100% of relu neurons dead since epoch 1 — ")
    finally:
        s.close()


def test_a_closed_session_answers_a_download_with_an_error():
    inbox = Inbox()
    s = Session(inbox, {}).start()
    inbox.until("frame")
    assert len(s.call(s.model_bytes).result(60)) > 100
    s.close()
    with pytest.raises(nl.DataError, match="this session has closed"):
        s.call(s.model_bytes).result(60)
