"""Training on scikit-learn's digits: a 64-32-10 network reaches 96%, the same seed gives the same weights
and history, the history records each epoch, every optimizer and the L2 penalty do what they say, one-hot
targets train like labels."""
import numpy as np
import pytest

pytest.importorskip("sklearn")

import neuronlab as nl  # noqa: E402


def _digits_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)


def test_digits_64_32_10_relu_adam_reaches_96_percent():
    X_train, X_test, y_train, y_test = _digits_split()
    net = nl.Network.mlp([64, 32, 10], hidden="relu", output="softmax", seed=0)
    history = net.fit(X_train, y_train, epochs=30, batch_size=32, optimizer="adam", learning_rate=1e-3)
    accuracy = net.evaluate(X_test, y_test)["accuracy"]
    assert accuracy >= 0.96, accuracy
    assert history["loss"][-1] < history["loss"][0]


def test_same_seed_gives_bit_identical_weights_and_history():
    X_train, _, y_train, _ = _digits_split()
    runs = []
    for _ in range(2):
        net = nl.Network.mlp([64, 16, 10], seed=42, dropout=0.2)
        h = net.fit(X_train[:300], y_train[:300], epochs=3, batch_size=16, validation_split=0.2)
        runs.append((net.parameters.copy(), h.history))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        assert runs[0][1][key] == runs[1][1][key]


def test_history_records_train_and_validation_each_epoch():
    X_train, X_test, y_train, y_test = _digits_split()
    net = nl.Network.mlp([64, 16, 10], seed=0)
    h = net.fit(X_train, y_train, epochs=4, validation_data=(X_test, y_test))
    assert h.epochs == [1, 2, 3, 4]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"):
        assert len(h[key]) == 4
    assert h["val_loss"][-1] == pytest.approx(net.evaluate(X_test, y_test)["loss"], rel=1e-5)
    with pytest.raises(KeyError, match="val_mae"):
        h["val_mae"]


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop"])
def test_every_optimizer_reduces_the_loss(optimizer):
    X_train, _, y_train, _ = _digits_split()
    net = nl.Network.mlp([64, 16, 10], seed=0)
    h = net.fit(X_train[:500], y_train[:500], epochs=5, optimizer=optimizer,
                learning_rate=0.05 if optimizer == "sgd" else 1e-2)
    assert h["loss"][-1] < 0.8 * h["loss"][0]


def test_l2_penalty_shrinks_the_weights():
    X_train, _, y_train, _ = _digits_split()
    plain = nl.Network.mlp([64, 16, 10], seed=0)
    plain.fit(X_train[:400], y_train[:400], epochs=5)
    shrunk = nl.Network.mlp([64, 16, 10], seed=0)
    shrunk.fit(X_train[:400], y_train[:400], epochs=5, l2=0.1)
    assert np.linalg.norm(shrunk.layers[0].W) < np.linalg.norm(plain.layers[0].W)


def test_one_hot_targets_work_like_labels():
    X_train, _, y_train, _ = _digits_split()
    a = nl.Network.mlp([64, 8, 10], seed=0)
    b = nl.Network.mlp([64, 8, 10], seed=0)
    ha = a.fit(X_train[:200], y_train[:200], epochs=2)
    hb = b.fit(X_train[:200], np.eye(10)[y_train[:200]], epochs=2)
    np.testing.assert_allclose(a.parameters, b.parameters, rtol=1e-5, atol=1e-7)
    assert ha["accuracy"] == pytest.approx(hb["accuracy"])
