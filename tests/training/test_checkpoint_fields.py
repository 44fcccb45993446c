"""A checkpoint whose fields are missing, of the wrong type or shape, or garbage is refused with one
ModelFileError that names the file and the field and says to start afresh; never a bare KeyError,
TypeError, IndexError, AttributeError or a NumPy error from deep inside the restore."""
import copy

import numpy as np
import pytest

import neuronlab as nl
from neuronlab._util.files import read_container, write_container

FIT = dict(epochs=3, batch_size=16, optimizer="adam", learning_rate=0.01, validation_split=0.25)


def _data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3))
    return X, (X[:, 0] > 0).astype(int)


def _net():
    return nl.Network.mlp([3, 6, 2], seed=2)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "run.ckpt"
    X, y = _data()
    _net().fit(X, y, checkpoint=path, early_stopping=5, **FIT)
    return read_container(path, header_key="meta", kind="checkpoint")


def _delete(keys):
    def damage(meta, arrays):
        target = meta
        for k in keys[:-1]:
            target = target[k]
        del target[keys[-1]]
    return damage


def _set(keys, value):
    def damage(meta, arrays):
        target = meta
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value
    return damage


def _array(name, value):
    def damage(meta, arrays):
        if value is None:
            del arrays[name]
        else:
            arrays[name] = value(arrays[name]) if callable(value) else value
    return damage


HUGE = 2 ** 200
# (id, damage(meta, arrays), words the message names)
DAMAGES = [
    ("no-epoch", _delete(["epoch"]), "epoch"),
    ("epoch-string", _set(["epoch"], "3"), "epoch"),
    ("epoch-float", _set(["epoch"], 2.5), "epoch"),
    ("epoch-zero", _set(["epoch"], 0), "epoch"),
    ("epoch-bool", _set(["epoch"], True), "epoch"),
    ("epoch-beyond-history", _set(["epoch"], 7), "history.epochs"),
    ("no-network", _delete(["network"]), "network"),
    ("network-list", _set(["network"], []), "network"),
    ("layers-string", _set(["network", "layers"], "dense"), "network.layers"),
    ("no-dtype", _delete(["dtype"]), "dtype"),
    ("dtype-number", _set(["dtype"], 32), "dtype"),
    ("no-optimizer", _delete(["optimizer"]), "optimizer"),
    ("optimizer-string", _set(["optimizer"], "adam"), "optimizer"),
    ("no-optimizer-name", _delete(["optimizer", "config", "name"]), "optimizer.config.name"),
    ("optimizer-scalars-list", _set(["optimizer", "scalars"], [1, 2]), "optimizer.scalars"),
    ("optimizer-step-negative", _set(["optimizer", "scalars", "step"], -4), "optimizer"),
    ("optimizer-step-string", _set(["optimizer", "scalars", "step"], "x"), "optimizer"),
    ("no-rng", _delete(["rng"]), "rng"),
    ("rng-string", _set(["rng"], "PCG64"), "rng"),
    ("rng-unknown-bit-generator", _set(["rng", "bit_generator"], "NoSuchGenerator"), "rng.bit_generator"),
    ("rng-other-bit-generator", _set(["rng", "bit_generator"], "MT19937"), "rng"),
    ("rng-no-state", _delete(["rng", "state"]), "rng.state"),
    ("rng-state-huge", _set(["rng", "state", "state"], HUGE), "rng.state.state"),
    ("rng-state-negative", _set(["rng", "state", "inc"], -1), "rng.state.inc"),
    ("rng-state-float", _set(["rng", "state", "state"], 1.5), "rng.state.state"),
    ("rng-state-list", _set(["rng", "state", "state"], [1, 2]), "rng"),
    ("rng-start-string", _set(["rng_start", "bit_generator"], 7), "rng_start.bit_generator"),
    ("rng-start-missing", _delete(["rng_start"]), "rng_start"),
    ("no-history", _delete(["history"]), "history"),
    ("history-list", _set(["history"], [1, 2, 3]), "history"),
    ("history-epochs-short", _set(["history", "epochs"], [1, 2]), "history.epochs"),
    ("history-epochs-string", _set(["history", "epochs"], "123"), "history.epochs"),
    ("history-loss-short", lambda m, a: m["history"]["history"]["loss"].pop(), "history.history.loss"),
    ("history-loss-string", _set(["history", "history", "loss"], "low"), "history.history.loss"),
    ("history-loss-garbage", _set(["history", "history", "loss"], ["a", "b", "c"]), "history.history.loss"),
    ("history-series-list", _set(["history", "history"], [0.1]), "history.history"),
    ("history-best-epoch-beyond", _set(["history", "best_epoch"], 99), "history.best_epoch"),
    ("history-stopped-early-string", _set(["history", "stopped_early"], "no"), "history.stopped_early"),
    ("no-early-stopping", _delete(["early_stopping"]), "early_stopping"),
    ("early-stopping-list", _set(["early_stopping"], [1]), "early_stopping"),
    ("early-stopping-best-string", _set(["early_stopping", "best"], "0.3"), "early_stopping.best"),
    ("early-stopping-best-inf", _set(["early_stopping", "best"], float("inf")), "early_stopping.best"),
    ("early-stopping-wait-negative", _set(["early_stopping", "wait"], -1), "early_stopping.wait"),
    ("early-stopping-wait-float", _set(["early_stopping", "wait"], 0.5), "early_stopping.wait"),
    ("early-stopping-best-epoch-beyond", _set(["early_stopping", "best_epoch"], 40), "early_stopping.best_epoch"),
    ("no-parameters", _array("parameters", None), "parameters"),
    ("parameters-2d", _array("parameters", lambda p: p.reshape(1, -1)), "parameters"),
    ("parameters-ints", _array("parameters", lambda p: p.astype(np.int64)), "parameters"),
    ("parameters-nan", _array("parameters", lambda p: np.full_like(p, np.nan)), "parameters"),
    ("parameters-short", _array("parameters", lambda p: p[:-1]), "parameters"),
    ("optimizer-moment-short", _array("optimizer/exp_avg", lambda v: v[:-2]), "optimizer/exp_avg"),
    ("optimizer-moment-2d", _array("optimizer/exp_avg", lambda v: v.reshape(-1, 1)), "optimizer/exp_avg"),
    ("optimizer-moment-inf", _array("optimizer/exp_avg", lambda v: np.full_like(v, np.inf)), "optimizer/exp_avg"),
    ("optimizer-moment-missing", _array("optimizer/exp_avg_sq", None), "optimizer"),
    ("best-parameters-short", _array("early_stopping/best_parameters", lambda v: v[1:]),
     "early_stopping/best_parameters"),
    ("best-parameters-nan", _array("early_stopping/best_parameters", lambda v: v * np.nan),
     "early_stopping/best_parameters"),
]


@pytest.mark.parametrize("damage, field", [d[1:] for d in DAMAGES], ids=[d[0] for d in DAMAGES])
def test_a_damaged_checkpoint_field_is_refused_naming_the_file_and_the_field(written, tmp_path, damage, field):
    meta, arrays = copy.deepcopy(written[0]), {k: v.copy() for k, v in written[1].items()}
    damage(meta, arrays)
    path = tmp_path / "damaged.ckpt"
    write_container(path, meta, arrays, header_key="meta", allow_nan=True)
    X, y = _data()
    net = _net()
    before = net.parameters.copy()
    with pytest.raises(nl.ModelFileError) as info:
        net.fit(X, y, resume=path, early_stopping=5, **FIT)
    message = str(info.value)
    assert str(path) in message and field in message
    assert "delete it" in message or "another network" in message
    assert "\n" not in message
    assert np.array_equal(net.parameters, before)           # nothing was half restored


def test_the_undamaged_checkpoint_resumes(written, tmp_path):
    path = tmp_path / "intact.ckpt"
    write_container(path, written[0], written[1], header_key="meta", allow_nan=True)
    X, y = _data()
    assert _net().fit(X, y, resume=path, early_stopping=5, **FIT).resumed_from == 3
