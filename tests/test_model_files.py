"""Model files: save → load is exact (for any network hypothesis draws: sizes, activations, parameters,
dropout, dtype); damaged or hostile files raise ModelFileError, never run code."""
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import neuronlab as nl
from neuronlab import serialize

from activation_facts import BUILTINS, ELEMENTWISE, activation
from bad_input import check


def trained(dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)
    net = nl.Network.mlp([4, 6, 3], hidden={"name": "leaky_relu", "alpha": 0.2}, dropout=0.1, seed=seed, dtype=dtype)
    net.fit(X, y, epochs=3)
    net.metadata = {"classes": ["low", "mid", "high"], "scaler": {"mean": [0.0] * 4, "scale": [1.0] * 4}}
    return net, X


def write_raw(path, header, parameters):
    with open(path, "wb") as fh:                       # a handle: savez would append ".npz" to a name
        np.savez(fh, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8), parameters=parameters)


def header_of(net):
    return {"format": serialize.FORMAT, "version": serialize.VERSION, "kind": "Network",
            "network": net.config(), "metadata": {}, "estimator": {}}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_save_then_load_gives_bit_identical_predictions(tmp_path, dtype):
    net, X = trained(dtype)
    net.save(tmp_path / "model.nlz")
    again = nl.load(tmp_path / "model.nlz")
    assert isinstance(again, nl.Network) and again.dtype == net.dtype
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))
    assert again.metadata == net.metadata
    assert again.config() == net.config()


def test_json_round_trip_is_exact_and_readable():
    net, X = trained("float32")
    text = net.to_json()
    doc = json.loads(text)
    assert doc["layers"][0]["activation"] == "leaky_relu" and len(doc["layers"][0]["weights"]) == 4
    again = nl.Network.from_json(text)
    np.testing.assert_array_equal(again.parameters, net.parameters)
    with pytest.raises(nl.ModelFileError, match="not valid JSON"):
        nl.Network.from_json("{oops")
    doc["layers"][1]["bias"] = [0.0]
    with pytest.raises(nl.ModelFileError, match="bias"):
        nl.Network.from_json(json.dumps(doc))


def test_saving_something_that_is_not_a_model_is_an_argument_type_error(tmp_path):
    check(tmp_path, lambda t: serialize.save("relu", t / "x.nlz"), nl.ArgumentTypeError,
          ["cannot save a str", "Network, NetworkClassifier or NetworkRegressor"])


def test_an_unknown_layer_type_in_a_file_is_a_model_file_error(tmp_path):
    net, _ = trained()
    header = header_of(net)
    header["network"]["layers"][1]["type"] = "Conv2D"
    write_raw(tmp_path / "c.nlz", header, net.parameters)
    check(tmp_path, lambda t: nl.load(t / "c.nlz"), nl.ModelFileError, ["architecture", "unknown layer type 'Conv2D'"])


def test_missing_file(tmp_path):
    check(tmp_path, lambda t: nl.load(t / "none.nlz"), nl.ModelFileError, ["none.nlz", "does not exist"])


@pytest.mark.parametrize("cut", [0, 20, 200, -40, -1])
def test_truncated_files_are_refused(tmp_path, cut):
    net, _ = trained()
    net.save(tmp_path / "m.nlz")
    raw = (tmp_path / "m.nlz").read_bytes()
    (tmp_path / "t.nlz").write_bytes(raw[:cut] if cut > 0 else raw[:len(raw) + cut] if cut else b"")
    with pytest.raises(nl.ModelFileError, match="is truncated: it ends after" if cut else "it is empty"):
        nl.load(tmp_path / "t.nlz")


def test_flipped_bytes_are_detected(tmp_path):
    net, _ = trained()
    net.save(tmp_path / "m.nlz")
    raw = bytearray((tmp_path / "m.nlz").read_bytes())
    start = raw.index(b"parameters.npy") + 200          # inside the parameters member's data
    raw[start] ^= 0xFF
    (tmp_path / "f.nlz").write_bytes(bytes(raw))
    with pytest.raises(nl.ModelFileError):
        nl.load(tmp_path / "f.nlz")


def test_wrong_version(tmp_path):
    net, _ = trained()
    write_raw(tmp_path / "v.nlz", {**header_of(net), "version": 99}, net.parameters)
    with pytest.raises(nl.ModelFileError, match="version 99"):
        nl.load(tmp_path / "v.nlz")


def test_mismatched_shapes_and_dtypes(tmp_path):
    net, _ = trained()
    write_raw(tmp_path / "s.nlz", header_of(net), net.parameters[:-3])
    with pytest.raises(nl.ModelFileError, match=r"inconsistent .* holds shape \(48,\) float32, the header needs shape \(51,\)"):
        nl.load(tmp_path / "s.nlz")
    write_raw(tmp_path / "d.nlz", header_of(net), net.parameters.astype(np.float64))
    with pytest.raises(nl.ModelFileError, match="float64"):
        nl.load(tmp_path / "d.nlz")


def test_nan_weights_are_refused(tmp_path):
    net, _ = trained()
    params = net.parameters.copy()
    params[5] = np.nan
    write_raw(tmp_path / "n.nlz", header_of(net), params)
    with pytest.raises(nl.ModelFileError, match="parameter 5 is nan"):
        nl.load(tmp_path / "n.nlz")


def test_custom_activation_must_be_registered_before_loading(tmp_path):
    nl.activations.register("cube_mf", f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    try:
        net = nl.Network.mlp([2, 3, 2], hidden="cube_mf", seed=0)
        net.save(tmp_path / "c.nlz")
    finally:
        nl.activations.unregister("cube_mf")
    with pytest.raises(nl.ModelFileError, match="'cube_mf', which is not registered"):
        nl.load(tmp_path / "c.nlz")
    nl.activations.register("cube_mf", f=lambda z: z ** 3, derivative=lambda z: 3 * z ** 2)
    try:
        assert nl.load(tmp_path / "c.nlz").dense_layers[0].activation.name == "cube_mf"
    finally:
        nl.activations.unregister("cube_mf")


class Boom:
    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def test_a_pickled_object_is_never_loaded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net, _ = trained()
    with open(tmp_path / "p.nlz", "wb") as fh:
        np.savez(fh, header=np.array([Boom()], dtype=object), parameters=net.parameters)
    with pytest.raises(nl.ModelFileError, match="pickled"):
        nl.load(tmp_path / "p.nlz")
    assert not (tmp_path / "PWNED").exists()


def test_not_a_model_file(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(nl.ModelFileError):
        nl.load(tmp_path / "x.csv")
    np.save(tmp_path / "bare.npy", np.zeros(3))
    with pytest.raises(nl.ModelFileError, match="bare .npy"):
        nl.load(tmp_path / "bare.npy")
    write_raw(tmp_path / "o.nlz", {"format": "other"}, np.zeros(3))
    with pytest.raises(nl.ModelFileError, match="not a neuronlab model file"):
        nl.load(tmp_path / "o.nlz")


def test_an_interrupted_save_leaves_the_old_file_loadable(tmp_path, monkeypatch):
    net, X = trained()
    path = tmp_path / "m.nlz"
    net.save(path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk unplugged")

    monkeypatch.setattr(np, "savez", lambda fh, **arrays: (fh.write(b"PK\x03\x04half"), crash()))
    net.parameters[:] = 0.0
    with pytest.raises(nl.ModelFileError, match="disk unplugged"):
        net.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.nlz"]          # no temporary file left behind
    assert nl.load(path).predict_proba(X).shape == (40, 3)


def test_save_into_a_missing_directory(tmp_path):
    net, _ = trained()
    with pytest.raises(nl.ModelFileError, match="does not exist"):
        net.save(tmp_path / "no" / "such" / "m.nlz")


_NET, _X = trained()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_byte_mutations_load_the_same_model_or_raise_model_file_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("mut") / "m.nlz"
    _NET.save(path)
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 5))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(raw))
    try:
        model = nl.load(path)
    except nl.ModelFileError:
        return
    np.testing.assert_array_equal(model.predict_proba(_X), _NET.predict_proba(_X))


@st.composite
def random_network(draw):
    sizes = [draw(st.integers(1, 6))] + draw(st.lists(st.integers(1, 7), max_size=3)) + [draw(st.integers(1, 4))]
    layers = []
    dropout = draw(st.sampled_from([0.0, 0.0, 0.25]))
    for i in range(len(sizes) - 1):
        last = i == len(sizes) - 2
        names = BUILTINS if last and sizes[-1] > 1 else ELEMENTWISE
        act = draw(activation(tuple(names)))
        layers.append(nl.Dense(sizes[i], sizes[i + 1], activation=act, use_bias=draw(st.booleans())))
        if dropout and not last:
            layers.append(nl.Dropout(dropout))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    seed = draw(st.integers(0, 2**16))
    net = nl.Network(layers, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed)
    net.parameters[...] = rng.normal(scale=draw(st.sampled_from([0.1, 1.0, 3.0])), size=net.n_params)
    return net, rng.normal(size=(draw(st.integers(1, 9)), sizes[0]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=random_network())
def test_save_load_round_trips_random_networks(case):
    net, X = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.nlz"
        net.save(path)
        again = nl.load(path)
    assert isinstance(again, nl.Network)
    assert again.config() == net.config() and again.dtype == net.dtype
    assert again.parameters.dtype == net.parameters.dtype
    np.testing.assert_array_equal(again.parameters, net.parameters)
    np.testing.assert_array_equal(again.predict_proba(X), net.predict_proba(X))
    np.testing.assert_array_equal(again.predict(X), net.predict(X))
