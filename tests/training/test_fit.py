"""Training: networks learn, with early stopping, callbacks, schedules, sample weights and Ctrl-C (the runs
on scikit-learn's digits are in ``test_fit_on_digits.py``)."""
import numpy as np
import pytest

import neuronlab as nl

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid"])
def test_2_4_1_network_learns_xor(hidden):
    net = nl.Network.mlp([2, 4, 1], hidden=hidden, output="sigmoid", seed=0)
    net.fit(XOR_X, XOR_Y, epochs=2000 if hidden == "sigmoid" else 500, batch_size=4,
            optimizer="adam", learning_rate=0.05)
    np.testing.assert_array_equal(net.predict(XOR_X), XOR_Y)
    assert net.evaluate(XOR_X, XOR_Y)["accuracy"] == 1.0


def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5))
    y = rng.integers(0, 2, size=60)          # pure noise: validation loss soon rises
    net = nl.Network.mlp([5, 64, 2], seed=0)
    best = {}

    class Snapshot(nl.Callback):
        def on_epoch_end(self, epoch, logs):
            best.setdefault("all", []).append((logs["val_loss"], self.network.parameters.copy()))

    h = net.fit(X, y, epochs=200, learning_rate=0.05, validation_split=0.3, early_stopping=3,
                callbacks=[Snapshot()])
    assert h.stopped_early and len(h) < 200
    losses = [v for v, _ in best["all"]]
    assert h.best_epoch == int(np.argmin(losses)) + 1
    np.testing.assert_array_equal(net.parameters, best["all"][h.best_epoch - 1][1])


def test_a_callback_can_stop_training():
    class StopAtTwo(nl.Callback):
        def on_epoch_end(self, epoch, logs):
            return epoch == 2

    net = nl.Network.mlp([2, 4, 2], seed=0)
    h = net.fit(XOR_X, XOR_Y, epochs=10, callbacks=[StopAtTwo()])
    assert len(h) == 2 and h.stopped_early


def test_callbacks_see_every_hook_in_order():
    calls = []

    class Recorder(nl.Callback):
        def on_train_begin(self, logs): calls.append("begin")
        def on_batch_end(self, batch, logs): calls.append("batch")
        def on_epoch_end(self, epoch, logs): calls.append("epoch")
        def on_train_end(self, logs): calls.append("end")

    nl.Network.mlp([2, 3, 2], seed=0).fit(XOR_X, XOR_Y, epochs=2, batch_size=2, callbacks=[Recorder()])
    assert calls == ["begin", "batch", "batch", "epoch", "batch", "batch", "epoch", "end"]


def test_a_batch_hook_is_called_whether_a_subclass_or_the_object_defines_it():
    calls = []

    class Inherited(nl.callbacks.NeuronMonitor):          # a subclass of a subclass overriding the hook
        def on_batch_end(self, batch, logs): calls.append(("inherited", batch))

    on_instance = nl.Callback()
    on_instance.on_batch_end = lambda batch, logs: calls.append(("instance", batch))   # set on the object
    epochs_only = nl.callbacks.NeuronMonitor(XOR_X)
    nl.Network.mlp([2, 3, 2], seed=0).fit(XOR_X, XOR_Y, epochs=1, batch_size=2,
                                          callbacks=[Inherited(XOR_X), on_instance, epochs_only])
    assert calls == [("inherited", 0), ("instance", 0), ("inherited", 1), ("instance", 1)]
    assert len(epochs_only.stats) == 1                     # its epoch hook still ran


def test_verbose_prints_one_line_per_epoch(capsys):
    nl.Network.mlp([2, 3, 2], seed=0).fit(XOR_X, XOR_Y, epochs=3, verbose=1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3") and "accuracy" in lines[0]


def test_schedule_changes_the_learning_rate_per_epoch():
    net = nl.Network.mlp([2, 3, 2], seed=0)
    h = net.fit(XOR_X, XOR_Y, epochs=4, optimizer="sgd", learning_rate=0.1,
                schedule=nl.optimizers.StepDecay(step_size=2, gamma=0.5))
    assert h["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05])


def test_regression_with_mse_learns_a_line():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(200, 1))
    y = 3 * X[:, 0] - 1
    net = nl.Network.mlp([1, 8, 1], hidden="tanh", output="identity", seed=0)
    h = net.fit(X, y, epochs=200, batch_size=32, learning_rate=0.01)
    assert h.metric == "mae"
    result = net.evaluate(X, y)
    assert result["r2"] > 0.99 and result["mae"] < 0.1


def test_sample_weights_change_what_is_learned():
    X = np.array([[0.0], [0.0]])
    y = np.array([0, 1])
    net_a = nl.Network.mlp([1, 2], output="softmax", seed=0)
    net_a.fit(X, y, epochs=200, batch_size=2, learning_rate=0.05, sample_weight=[1.0, 9.0])
    p = net_a.predict_proba([[0.0]])[0]
    assert p[1] == pytest.approx(0.9, abs=0.02)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(epochs=0), nl.HyperparameterError, "epochs"),
    (dict(batch_size=0), nl.HyperparameterError, "batch_size"),
    (dict(learning_rate=-1.0), nl.HyperparameterError, "learning_rate"),
    (dict(validation_split=1.0), nl.HyperparameterError, "validation_split"),
    (dict(optimizer="adamm"), nl.UnknownNameError, "did you mean 'adam'"),
    (dict(l2=-0.1), nl.HyperparameterError, "l2"),
    (dict(sample_weight=[1.0, 2.0]), nl.DataError, "sample_weight"),
    (dict(validation_data=np.zeros((2, 2))), nl.HyperparameterError, "validation_data"),
])
def test_bad_fit_arguments_are_explained(kwargs, error, words):
    with pytest.raises(error, match=words):
        nl.Network.mlp([2, 3, 2], seed=0).fit(XOR_X, XOR_Y, **kwargs)


def test_bad_training_data_is_explained():
    net = nl.Network.mlp([2, 3, 2], seed=0)
    with pytest.raises(nl.DataError, match="4 samples but y has 3"):
        net.fit(XOR_X, XOR_Y[:3])
    with pytest.raises(nl.DataError, match="row 2"):
        net.fit(np.where(np.arange(8).reshape(4, 2) == 5, np.nan, XOR_X), XOR_Y)
    with pytest.raises(nl.DataError):
        net.fit(XOR_X, [0, 1, 2, 5])            # label 5 with 2 outputs
    with pytest.raises(nl.ShapeError, match="3"):
        net.fit(np.zeros((4, 3)), XOR_Y)


class _CtrlC(nl.Callback):
    """Sends this process a SIGINT at a chosen point, as a user pressing Ctrl-C would."""

    def __init__(self, epoch, batch=None):
        self.epoch, self.batch, self.current, self.kept = epoch, batch, 1, {}

    def on_batch_end(self, batch, logs):
        if self.current == self.epoch and batch == self.batch:
            import os
            import signal
            os.kill(os.getpid(), signal.SIGINT)

    def on_epoch_end(self, epoch, logs):
        self.kept[epoch] = self.network.parameters.copy()
        self.current = epoch + 1
        if epoch == self.epoch and self.batch is None:
            import os
            import signal
            os.kill(os.getpid(), signal.SIGINT)


@pytest.mark.parametrize("batch", [3, None], ids=["mid-epoch", "after-the-epoch's-last-batch"])
def test_ctrl_c_stops_after_the_batch_and_keeps_the_last_finished_epoch(batch):
    X = np.random.default_rng(0).normal(size=(64, 2))
    y = (X[:, 0] > 0).astype(int)
    net = nl.Network.mlp([2, 4, 2], seed=0)
    ctrl_c = _CtrlC(epoch=3, batch=batch)
    history = net.fit(X, y, epochs=10, batch_size=8, callbacks=[ctrl_c])
    finished = 2 if batch is not None else 3
    assert history.interrupted and not history.stopped_early
    assert history.epochs == list(range(1, finished + 1))
    np.testing.assert_array_equal(net.parameters, ctrl_c.kept[finished])
    assert net.predict(X).shape == (64,)
