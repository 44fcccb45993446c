"""One browser tab's playground: its data, its network and the thread that trains it.

Everything that touches the network runs in the session's worker thread, so the web
server's event loop never waits on NumPy and never sees a half-updated network.  The page's
commands arrive in a queue; training is the library's own :func:`neuronlab.training.fit`,
with a callback (:class:`_FrameHook`) that, after every epoch, takes the commands that came
in (pause, one step, an edited weight, a click), publishes a frame at most ``frame_rate``
times a second, and holds the run while the page is paused — so play, pause and step
continue one run of ``fit``, its optimizer state included.

Frames cost time the training does not get: a frame is sent at most every
``1/frame_rate`` seconds and never more often than every ``FRAME_BUDGET``-th of the time
(a frame that took 2 ms is followed by at least 18 ms of training).
"""
from __future__ import annotations

import concurrent.futures
import math
import os
import queue
import secrets
import sys
import tempfile
import threading
import time
import traceback
from typing import Any, Callable, cast

import numpy as np

from .. import activations as _activations
from .. import datasets as _datasets
from .. import optimizers as _optimizers
from .._util.extras import blas_threads
from .._util.text import one_line
from ..callbacks import NeuronMonitor
from ..errors import DataError, DivergenceError, HyperparameterError, IndexRangeError, NeuronLabError
from ..inspect.health import neuron_stats
from ..layers import Dense
from ..network import Network
from ..serialize import save
from ..training.history import Callback
from . import config as _config
from .frames import (drawn_points, encode_frame, explanation_message, finite_or_none, frame_arrays, grid_inputs,
                     model_message)

__all__ = ["Session"]

#: one run of fit asks for this many epochs; the page stops it long before
MAX_EPOCHS = 10**9
#: frames take at most this share of the time
FRAME_BUDGET = 0.1
#: rows the neuron-health check looks at per frame
HEALTH_ROWS = 500

Publish = Callable[[Any], None]


class Session:
    """A tab's data, network and training thread; ``publish`` receives what the page is sent
    (a dict for JSON, bytes for a frame), from the worker thread.

    Parameters
    ----------
    publish : callable
        Called with each message, in the worker thread (the server hands it to its loop).
    config : dict, optional
        The first configuration (see :mod:`neuronlab.playground.config`).
    upload : Dataset, optional
        Data to start from instead of a built-in set (``data="upload"``).
    net : Network, optional
        A network to start from (its architecture and weights), for data of its size.
    frame_rate : float
        The most frames a second.
    """

    def __init__(self, publish: Publish, config: dict[str, Any] | None = None,
                 upload: _datasets.Dataset | None = None, net: Network | None = None,
                 frame_rate: float = 20.0) -> None:
        self.id = secrets.token_urlsafe(9)
        self.publish = publish
        self.commands: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.upload = upload
        self.frame_interval = 1.0 / frame_rate
        self.view = {"map_x": 0, "map_y": 1, "sample": 0}
        self.cfg: dict[str, Any] = {}
        self.pd: _config.PlaygroundData | None = None
        self.net: Network | None = None
        self.playing = False
        self.steps = 0
        self.pending: dict[str, Any] | None = None
        self._pending_upload: _datasets.Dataset | None = None
        self.closed = False
        self.epoch = 0
        self.offset = 0                     # epochs of earlier runs of fit (after a divergence)
        self.train_loss: float | None = None
        #: seconds spent training between frames, and computing frames; epochs trained
        self.timing = {"train": 0.0, "frames": 0.0, "epochs": 0, "frame_count": 0}
        self._start = (config or {}, net)
        self._last_frame = 0.0
        self._frame_cost = 0.0
        self.thread = threading.Thread(target=self._run, name=f"neuronlab-playground-{self.id}", daemon=True)

    # -- the outside: the server's side of the queue ------------------------------------------
    def start(self) -> "Session":
        self.thread.start()
        return self

    def send(self, kind: str, **payload: Any) -> None:
        """Queue a command from the page (``play``, ``pause``, ``step``, ``reset``, ``config``,
        ``view``, ``explain``, ``set_weight``, ``upload``)."""
        self.commands.put((kind, payload))

    def call(self, fn: Callable[[], Any]) -> concurrent.futures.Future:
        """Run ``fn`` in the worker thread (between two epochs) and give its result."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        if self.closed:
            future.set_exception(DataError("this session has closed: reload the page"))
        else:
            self.commands.put(("call", {"fn": fn, "future": future}))
        return future

    def close(self, wait: float = 5.0) -> None:
        """Stop training and end the worker thread (the tab closed), waiting up to ``wait``
        seconds for it (0: not at all)."""
        self.closed = True
        self.commands.put(("close", {}))
        if wait > 0 and self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(wait)

    # -- the worker thread ------------------------------------------------------------------
    def _run(self) -> None:
        config, net = self._start
        if not self._build(config, net) and not self._build({}):
            return
        while not self.closed:
            if (self.playing or self.steps) and self.pending is None:
                self._train()
            else:
                self._handle(*self.commands.get())
            if self.pending is not None and not self.closed:
                cfg, self.pending = self.pending, None
                upload, self._pending_upload = self._pending_upload, None
                self._build(cfg, upload=upload)
        self._refuse_calls()

    def _refuse_calls(self) -> None:
        """The session has closed: what still waits in the queue for an answer gets an error."""
        while True:
            try:
                kind, p = self.commands.get_nowait()
            except queue.Empty:
                return
            if kind == "call" and not p["future"].done():
                p["future"].set_exception(DataError("this session has closed: reload the page"))

    def _build(self, config: dict[str, Any], net: Network | None = None,
               upload: _datasets.Dataset | None = None) -> bool:
        """New data and network from ``config`` (and a new ``upload``); on bad settings or data,
        the message to the page, and the session keeps what it had."""
        upload = upload if upload is not None else self.upload
        try:
            cfg = _config.check_config(config, upload)
            if net is not None:
                cfg = _config.check_config(_config.config_of(net, cfg), upload)
            pd = _config.build_data(cfg, _config.load_data(cfg, upload))
            fresh = _config.build_network(cfg, pd)
            if net is not None:
                if net.n_inputs != fresh.n_inputs or net.n_outputs != fresh.n_outputs:
                    raise HyperparameterError(
                        f"the network takes {net.n_inputs} inputs and gives {net.n_outputs} outputs but "
                        f"{pd.data.name} has {fresh.n_inputs} features and needs {fresh.n_outputs} outputs; "
                        "give data that fits the network, or no network")
                fresh.parameters[...] = net.parameters
        except NeuronLabError as err:
            self._error(err)
            return False
        self.cfg, self.pd, self.net, self.upload = cfg, pd, fresh, upload
        self.epoch = self.offset = 0
        self.train_loss = None
        self.monitor = NeuronMonitor(pd.X_train[:HEALTH_ROWS], warn=False)
        self.monitor.set_network(fresh)
        self.monitor.on_train_begin({})
        n = pd.data.n_features
        self.view["map_x"] = min(self.view["map_x"], n - 1)
        self.view["map_y"] = min(self.view["map_y"], n - 1) if n > 1 else 0
        if self.view["map_y"] == self.view["map_x"] and n > 1:
            self.view["map_y"] = 1 if self.view["map_x"] == 0 else 0
        self.view["sample"] = min(self.view["sample"], len(pd.X_train) - 1)
        self._publish_model()
        self._frame()
        return True

    def _publish_model(self) -> None:
        assert self.net is not None and self.pd is not None
        msg = model_message(self.net, self.pd, self.cfg, self.view)
        msg["session"] = self.id
        msg["playing"] = self.playing
        msg["upload"] = None if self.upload is None else self.upload.name
        msg["options"] = _options()
        self._grid = grid_inputs(self.pd.data.n_features, msg["map"]["extent"], self.view["map_x"], self.view["map_y"])
        self._drawn = drawn_points(self.pd)[0]
        self.publish(msg)

    def _train(self) -> None:
        assert self.net is not None and self.pd is not None
        cfg, pd = self.cfg, self.pd
        try:
            self.net.fit(pd.X_train, pd.y_train, epochs=MAX_EPOCHS, batch_size=cfg["batch_size"],
                         optimizer=cfg["optimizer"], learning_rate=cfg["learning_rate"], l1=cfg["l1"], l2=cfg["l2"],
                         callbacks=[_FrameHook(self)])
        except DivergenceError as err:       # the network keeps its last finite weights
            self.playing, self.steps = False, 0
            self.offset = self.epoch
            self._error(err)
            self._frame()
        except NeuronLabError as err:
            self.playing, self.steps = False, 0
            self._error(err)
        except Exception as err:             # a bug: say so; the session waits for the next command
            traceback.print_exc(file=sys.stderr)
            self.playing, self.steps = False, 0
            self.offset = self.epoch
            self.publish({"type": "error", "message": f"internal error: {one_line(err, with_type=True)}"})

    def _handle(self, kind: str, p: dict[str, Any]) -> None:
        """One command from the page; bad input is answered with its message, and the
        session goes on."""
        try:
            self._dispatch(kind, p)
        except NeuronLabError as err:
            self._error(err)
        except Exception as err:             # a bug: say so, keep the server and the session alive
            traceback.print_exc(file=sys.stderr)
            self.publish({"type": "error", "message": f"internal error: {one_line(err, with_type=True)}"})

    def _dispatch(self, kind: str, p: dict[str, Any]) -> None:
        if kind == "close":
            self.closed = True
        elif kind == "play":
            self.playing = True
            self._state()
        elif kind == "pause":
            self.playing, self.steps = False, 0
            self._state()
            self._frame()
        elif kind == "step":
            if not self.playing:
                self.steps += 1
        elif kind == "reset":
            self.playing, self.steps = False, 0
            self.pending = dict(self.cfg)
        elif kind == "config":
            cfg = _config.check_config({**self.cfg, **(p.get("config") or {})}, self.upload)
            self.pending = cfg
        elif kind == "upload":                  # the session takes the file once it has built on it
            data = p["data"]
            self._pending_upload = data
            self.pending = {**self.cfg, "data": _config.UPLOAD, "target": data.target}
        elif kind == "view":
            self._set_view(p)
        elif kind == "explain":
            self._explain(p)
        elif kind == "set_weight":
            self._set_weight(p)
        elif kind == "call":
            future = p["future"]
            try:
                future.set_result(p["fn"]())
            except BaseException as err:     # handed to the caller, which reports it
                future.set_exception(err)
        else:
            raise HyperparameterError(f"unknown command {kind!r}; the page sends play, pause, step, reset, "
                                      "config, view, explain and set_weight")

    def _set_view(self, p: dict[str, Any]) -> None:
        assert self.pd is not None
        n = self.pd.data.n_features
        for key, limit in (("map_x", n), ("map_y", n), ("sample", len(self.pd.X_train))):
            if key in p:
                value = p[key]
                if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < limit:
                    raise IndexRangeError(f"{key} must be an integer in [0, {limit - 1}], got {value!r}")
                self.view[key] = value
        self._publish_model()
        self._frame()

    def _explain(self, p: dict[str, Any]) -> None:
        assert self.net is not None and self.pd is not None
        sample = p.get("sample", self.view["sample"])
        n = len(self.pd.X_train)
        if isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < n:
            raise IndexRangeError(f"sample must be a training row in [0, {n - 1}], got {sample!r}")
        self.view["sample"] = sample
        msg = explanation_message(self.net, self.pd.X_train[sample], self.pd.y_train[sample],
                                  _int(p, "layer"), _int(p, "neuron"), sample)
        self.publish(msg)

    def _set_weight(self, p: dict[str, Any]) -> None:
        assert self.net is not None
        layer, source, neuron = _int(p, "layer"), _int(p, "source"), _int(p, "neuron")
        value = p.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise HyperparameterError(f"a weight must be a finite number, got {value!r}")
        layers = self.net.layers
        if not 0 <= layer < len(layers) or not isinstance(layers[layer], Dense):
            dense = [i for i, l in enumerate(layers) if isinstance(l, Dense)]
            raise IndexRangeError(f"layer {layer} is not a Dense layer of this network; its Dense layers are {dense}")
        d = cast(Dense, layers[layer])
        if not 0 <= source < d.n_in or not 0 <= neuron < d.n_out:
            raise IndexRangeError(f"layer {layer} has weights from inputs 0..{d.n_in - 1} to neurons "
                                  f"0..{d.n_out - 1}, got {source} → {neuron}")
        d.W[source, neuron] = value
        self._frame()

    def _state(self) -> None:
        self.publish({"type": "state", "playing": self.playing, "epoch": self.epoch})

    def _error(self, err: BaseException) -> None:
        self.publish({"type": "error", "message": one_line(err)})

    # -- frames -------------------------------------------------------------------------
    def frame_due(self, now: float) -> bool:
        return now - self._last_frame >= max(self.frame_interval, self._frame_cost / FRAME_BUDGET)

    def _frame(self) -> None:
        """Measure the network and publish one frame."""
        if self.closed:
            return
        assert self.net is not None and self.pd is not None
        start = time.perf_counter()
        net, pd = self.net, self.pd
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), blas_threads(1):
            header = self._frame_header(net, pd)
            arrays = frame_arrays(net, pd, self._grid, self._drawn)
        self.publish(encode_frame(header, arrays))
        end = time.perf_counter()
        self._frame_cost = end - start
        self._last_frame = end
        self.timing["frames"] += self._frame_cost
        self.timing["frame_count"] += 1

    def _frame_header(self, net: Network, pd: _config.PlaygroundData) -> dict[str, Any]:
        test_loss = test_metric = None
        if pd.X_test is not None and pd.y_test is not None:
            scores = net.evaluate(pd.X_test, pd.y_test)
            test_loss, test_metric = finite_or_none(scores["loss"]), finite_or_none(scores[net.metric_name])
        train_loss = self.train_loss
        if train_loss is None:                # before the first epoch: the loss of the first weights
            train_loss = finite_or_none(net.evaluate(pd.X_train, pd.y_train)["loss"])
        stats = neuron_stats(net, pd.X_train[:HEALTH_ROWS])
        messages = self.monitor.check(max(self.epoch, 1), stats)
        dead = [[l.index, j] for l in stats.layers if not l.is_output for j in l.dead_neurons]
        saturated = [[l.index, j] for l in stats.layers if not l.is_output for j in l.saturated_neurons]
        return {"type": "frame", "epoch": self.epoch, "train_loss": train_loss, "test_loss": test_loss,
                "test_metric": test_metric, "metric": net.metric_name, "playing": self.playing,
                "dead": dead, "saturated": saturated, "warnings": list(messages.values())}

    # -- downloads ------------------------------------------------------------------------
    def model_bytes(self) -> bytes:
        """The network as a model file (``.nlz``), read back into memory (worker thread)."""
        assert self.net is not None
        with tempfile.TemporaryDirectory(prefix="neuronlab-playground-") as tmp:
            path = os.path.join(tmp, "playground.nlz")
            save(self.net, path)
            with open(path, "rb") as fh:
                return fh.read()

    def snippet(self) -> str:
        return _config.snippet(self.cfg, self.epoch, None if self.upload is None else self.upload.name)


def _options() -> dict[str, Any]:
    """The choices the page offers: every registered activation and optimizer, the built-in data."""
    return {"activations": _activations.names(), "optimizers": _optimizers.names(),
            "generated": _datasets.generated_names(), "real": _datasets.real_names(),
            "limits": dict(_config.LIMITS)}


def _int(p: dict[str, Any], key: str) -> int:
    value = p.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise HyperparameterError(f"{key} must be an integer, got {value!r}")
    return value


#: the epochs of history a run keeps (it may run for hours): the newest, once it holds twice as many
HISTORY_KEPT = 10_000


def _trim(history: Any) -> None:
    if history is None or len(history.epochs) <= 2 * HISTORY_KEPT:
        return
    del history.epochs[:-HISTORY_KEPT]
    for values in history.history.values():
        del values[:-HISTORY_KEPT]


class _FrameHook(Callback):
    """The callback the playground trains with: after each epoch, the page's commands, a
    frame when one is due, and the wait while paused."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def on_train_begin(self, logs: dict[str, Any]) -> None:
        self.mark = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> bool | None:
        s = self.session
        now = time.perf_counter()
        s.timing["train"] += now - self.mark
        s.timing["epochs"] += 1
        s.epoch = s.offset + epoch
        s.train_loss = finite_or_none(logs["loss"])
        _trim(s.net.history if s.net is not None else None)
        stepped = False
        if s.steps:
            s.steps -= 1
            stepped = True
        if stepped and not s.steps and not s.playing:
            s._state()
        while True:                              # the commands that came in meanwhile
            try:
                s._handle(*s.commands.get_nowait())
            except queue.Empty:
                break
        if stepped or s.frame_due(time.perf_counter()):
            s._frame()
        while not (s.playing or s.steps or s.pending is not None or s.closed):
            s._handle(*s.commands.get())         # paused: hold the run until the page says on
        self.mark = time.perf_counter()
        return s.pending is not None or s.closed
