"""A learning rate of 1e3 raises DivergenceError naming the epoch and the first bad batch, and the network
keeps the finite weights of the last good epoch; clip_norm bounds every step and tames it."""
import math

import numpy as np
import pytest

import neuronlab as nl


class _Recorder(nl.Callback):
    """Snapshots the weights at the end of every epoch and each batch's loss."""

    def __init__(self):
        self.snapshots, self.batch_losses, self.epoch = {}, {}, 1

    def on_batch_end(self, batch, logs):
        self.batch_losses.setdefault(self.epoch, []).append(logs["loss"])

    def on_epoch_end(self, epoch, logs):
        self.snapshots[epoch] = self.network.parameters.copy()
        self.epoch = epoch + 1


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_learning_rate_1e3_raises_divergence_and_keeps_the_last_good_weights(kind):
    rng = np.random.default_rng(0)
    Xd = rng.normal(size=(64, 4))
    if kind == "classifier":
        net, yd = nl.Network.mlp([4, 8, 2], seed=0), (Xd[:, 0] + Xd[:, 1] > 0).astype(int)
    else:
        net, yd = nl.Network.mlp([4, 8, 1], output="identity", seed=0), Xd @ [1.0, 2.0, -1.0, 0.5]
    initial = net.parameters.copy()
    rec = _Recorder()
    with pytest.raises(nl.DivergenceError) as info:
        net.fit(Xd, yd, epochs=50, batch_size=16, optimizer="sgd", learning_rate=1e3, callbacks=[rec])
    err = info.value
    assert isinstance(err, nl.NeuronLabError) and isinstance(err, ArithmeticError)
    bad_epoch = rec.epoch
    assert bad_epoch not in rec.snapshots and bad_epoch - 1 == len(rec.snapshots)
    first_bad_batch = next(i for i, v in enumerate(rec.batch_losses[bad_epoch]) if not math.isfinite(v))
    message = str(err)
    assert f"epoch {bad_epoch}, batch {first_bad_batch}:" in message
    assert "lower learning rate" in message and "clip_norm" in message and "1000" in message
    assert np.isfinite(net.parameters).all()
    expected = rec.snapshots[bad_epoch - 1] if bad_epoch > 1 else initial
    np.testing.assert_array_equal(net.parameters, expected)
    assert ("initial weights" in message) == (bad_epoch == 1)
    assert (f"after epoch {bad_epoch - 1}" in message) == (bad_epoch > 1)


def test_clip_norm_bounds_every_step_and_tames_a_diverging_learning_rate():
    rng = np.random.default_rng(0)
    Xd = rng.normal(size=(64, 4))
    yd = Xd @ [1.0, 2.0, -1.0, 0.5]
    net = nl.Network.mlp([4, 8, 1], output="identity", seed=0)
    with pytest.raises(nl.DivergenceError):
        net.copy().fit(Xd, yd, epochs=5, batch_size=16, optimizer="sgd", learning_rate=0.5)

    class Steps(nl.Callback):
        def on_train_begin(self, logs):
            self.params = [self.network.parameters.astype(np.float64)]

        def on_batch_end(self, batch, logs):
            self.params.append(self.network.parameters.astype(np.float64))

    steps = Steps()
    h = net.fit(Xd, yd, epochs=5, batch_size=16, optimizer="sgd", learning_rate=0.5, clip_norm=1.0,
                callbacks=[steps])
    assert len(h) == 5 and np.isfinite(net.parameters).all()
    moves = np.linalg.norm(np.diff(np.array(steps.params), axis=0), axis=1)
    assert len(moves) == 20 and moves.max() <= 0.5 * 1.0 * (1 + 1e-5)   # SGD: |Δp| = lr·|g| ≤ lr·clip_norm
    assert moves.max() > 0.4                                           # and clipping was active
