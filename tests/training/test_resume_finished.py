"""Resuming a run that had already finished gives back the same final model and history, bit for bit;
``History.resumed_from`` and the verbose line say where training picked up."""
import numpy as np

import neuronlab as nl


def _data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 4))
    y = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
    return X, y


def _net():
    return nl.Network.mlp([4, 12, 2], dropout=0.1, seed=7)


ARGS = dict(batch_size=16, optimizer="adam", learning_rate=0.05, validation_split=0.25)


def _early_stopping_run(tmp_path):
    """A run that stops early (patience 2 at a high learning rate) with restore_best."""
    X, y = _data()
    net, ckpt = _net(), tmp_path / "es.ckpt"
    h = net.fit(X, y, epochs=200, early_stopping=2, checkpoint=ckpt, **ARGS)
    assert h.stopped_early and len(h) < 200
    return X, y, net, h, ckpt


def test_resuming_an_early_stopped_run_gives_the_same_restored_best_model(tmp_path, capsys):
    X, y, net, h, ckpt = _early_stopping_run(tmp_path)
    again = _net()
    h2 = again.fit(X, y, epochs=200, early_stopping=2, checkpoint=ckpt, resume=ckpt, verbose=1, **ARGS)
    assert np.array_equal(again.parameters, net.parameters)
    assert h2.history == h.history and h2.epochs == h.epochs
    assert h2.best_epoch == h.best_epoch and h2.stopped_early
    assert h2.resumed_from == len(h)
    assert f"already finished at epoch {len(h)} (early stopping); nothing to train" in capsys.readouterr().out


def test_an_early_stopped_run_stays_stopped_when_resumed_with_more_epochs(tmp_path):
    X, y, net, h, ckpt = _early_stopping_run(tmp_path)
    again = _net()
    h2 = again.fit(X, y, epochs=500, early_stopping=2, resume=ckpt, **ARGS)
    assert np.array_equal(again.parameters, net.parameters) and h2.epochs == h.epochs


def test_resuming_a_run_that_did_all_its_epochs_gives_the_same_model(tmp_path, capsys):
    X, y = _data()
    net, ckpt = _net(), tmp_path / "all.ckpt"
    h = net.fit(X, y, epochs=5, checkpoint=ckpt, **ARGS)
    again = _net()
    h2 = again.fit(X, y, epochs=5, checkpoint=ckpt, resume=ckpt, verbose=1, **ARGS)
    assert np.array_equal(again.parameters, net.parameters)
    assert h2.history == h.history and h2.resumed_from == 5 and not h2.stopped_early
    assert "already finished at epoch 5 of 5; nothing to train" in capsys.readouterr().out


def test_a_run_that_did_all_its_epochs_continues_to_a_larger_total_like_an_unbroken_run(tmp_path, capsys):
    X, y = _data()
    ckpt = tmp_path / "all.ckpt"
    _net().fit(X, y, epochs=4, checkpoint=ckpt, **ARGS)
    straight = _net()
    h_straight = straight.fit(X, y, epochs=7, **ARGS)
    more = _net()
    h = more.fit(X, y, epochs=7, resume=ckpt, verbose=1, **ARGS)
    assert h.epochs == list(range(1, 8)) and h.resumed_from == 4
    assert np.array_equal(more.parameters, straight.parameters)
    assert h["loss"] == h_straight["loss"]
    assert "resumed from epoch 4 of 7" in capsys.readouterr().out


def test_an_unfinished_early_stopping_run_resumes_to_the_unbroken_result(tmp_path):
    X, y = _data()
    straight = _net()
    h_straight = straight.fit(X, y, epochs=200, early_stopping=2, **ARGS)
    ckpt = tmp_path / "cut.ckpt"
    cut = len(h_straight) - 2
    assert cut >= 1
    _net().fit(X, y, epochs=cut, early_stopping=2, checkpoint=ckpt, **ARGS)     # ends as a kill would leave it
    resumed = _net()
    h = resumed.fit(X, y, epochs=200, early_stopping=2, resume=ckpt, **ARGS)
    assert h.resumed_from == cut
    assert np.array_equal(resumed.parameters, straight.parameters)
    assert h.history["loss"] == h_straight.history["loss"] and h.best_epoch == h_straight.best_epoch


def test_a_fresh_run_has_not_resumed():
    X, y = _data()
    assert _net().fit(X, y, epochs=1, **ARGS).resumed_from is None



def test_a_run_stopped_by_a_callback_stays_stopped_when_resumed(tmp_path):
    X, y = _data()
    net, ckpt = _net(), tmp_path / "cb.ckpt"
    h = net.fit(X, y, epochs=10, checkpoint=ckpt, callbacks=[_StopAfter(3)], **ARGS)
    assert h.stopped_early and h.epochs == [1, 2, 3]
    again = _net()
    h2 = again.fit(X, y, epochs=10, resume=ckpt, **ARGS)
    assert h2.epochs == [1, 2, 3] and np.array_equal(again.parameters, net.parameters)


class _StopAfter(nl.Callback):
    """Asks the run to stop after ``n`` epochs."""

    def __init__(self, n):
        self.n = n

    def on_epoch_end(self, epoch, logs):
        return epoch >= self.n
