"""A Python process training with checkpoints is killed with SIGKILL in the middle of an epoch;
``fit(resume=...)`` ends with weights bit-identical to an uninterrupted run. A checkpoint of another
network, or a damaged one, is refused. (The command line's Ctrl-C and SIGKILL tests are in tests/cli/.)"""
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import neuronlab as nl

_CHILD = textwrap.dedent("""
    import sys, time
    import numpy as np
    import neuronlab as nl
    data, ckpt, hang_epoch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    d = np.load(data)

    class HangMidEpoch(nl.Callback):
        epoch = 1
        def on_batch_end(self, batch, logs):
            if self.epoch == hang_epoch and batch == 2:
                print("hanging", flush=True)
                time.sleep(60)                        # the parent kills us here
        def on_epoch_end(self, epoch, logs):
            self.epoch = epoch + 1

    net = nl.Network.mlp([4, 16, 3], dropout=0.2, seed=11)
    net.fit(d["X"], d["y"], epochs=6, batch_size=10, validation_split=0.2, optimizer="adam",
            learning_rate=0.01, checkpoint=ckpt, checkpoint_every=1, callbacks=[HangMidEpoch()])
    print("finished", flush=True)
""")

FIT_ARGS = dict(epochs=6, batch_size=10, validation_split=0.2, optimizer="adam", learning_rate=0.01)


def _kill_data():
    rng = np.random.default_rng(5)
    Xk = rng.normal(size=(90, 4))
    yk = np.digitize(Xk[:, 0] + 0.5 * Xk[:, 1], [-0.5, 0.5])
    return Xk, yk


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_python_training_killed_mid_epoch_resumes_to_bit_identical_weights(tmp_path):
    Xk, yk = _kill_data()
    np.savez(tmp_path / "data.npz", X=Xk, y=yk)
    straight = nl.Network.mlp([4, 16, 3], dropout=0.2, seed=11)
    h_straight = straight.fit(Xk, yk, **FIT_ARGS)

    script, ckpt, k = tmp_path / "child.py", tmp_path / "run.ckpt", 4
    script.write_text(_CHILD)
    proc = subprocess.Popen([sys.executable, "-W", "error", str(script), str(tmp_path / "data.npz"), str(ckpt),
                             str(k + 1)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()                # blocks until the child is in epoch k + 1
        assert line.strip() == "hanging", line + proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    from neuronlab.training.checkpoint import load_checkpoint
    assert load_checkpoint(ckpt)["meta"]["epoch"] == k       # the last finished epoch's checkpoint survived
    assert not list(tmp_path.glob(".run.ckpt.*.tmp"))         # no half-written temporary left behind

    class Epochs(nl.Callback):
        def on_train_begin(self, logs):
            self.ran = []

        def on_epoch_end(self, epoch, logs):
            self.ran.append(epoch)

    resumed, seen = nl.Network.mlp([4, 16, 3], dropout=0.2, seed=11), Epochs()
    h = resumed.fit(Xk, yk, **FIT_ARGS, checkpoint=ckpt, resume=ckpt, callbacks=[seen])
    assert seen.ran == [k + 1, k + 2]                        # it continued, it did not start over
    assert h.epochs == list(range(1, 7))
    assert np.array_equal(resumed.parameters, straight.parameters)
    assert h["loss"] == h_straight["loss"] and h["val_loss"] == h_straight["val_loss"]
    assert load_checkpoint(ckpt)["meta"]["epoch"] == 6


def test_resume_with_another_network_is_refused(tmp_path):
    Xk, yk = _kill_data()
    nl.Network.mlp([4, 16, 3], seed=11).fit(Xk, yk, epochs=1, checkpoint=tmp_path / "a.ckpt")
    with pytest.raises(nl.ModelFileError, match="another network"):
        nl.Network.mlp([4, 8, 3], seed=11).fit(Xk, yk, epochs=2, resume=tmp_path / "a.ckpt")
    (tmp_path / "junk.ckpt").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(nl.ModelFileError, match="damaged or not a checkpoint"):
        nl.Network.mlp([4, 16, 3], seed=11).fit(Xk, yk, epochs=2, resume=tmp_path / "junk.ckpt")
