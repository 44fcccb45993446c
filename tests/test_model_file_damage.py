"""Damaged, foreign and hostile model files and checkpoints: each is refused quickly, with little
memory, by a one-line ModelFileError that says precisely what is wrong (never MemoryError, never a
zipfile, NumPy or KeyError exception, never the diagnosis of another damage)."""
import io
import json
import time
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

import neuronlab as nl
from neuronlab._util import files
from neuronlab.training.checkpoint import load_checkpoint

RNG = np.random.default_rng(3)
X = RNG.normal(size=(30, 4))
Y = (X[:, 0] > 0).astype(int)


def _model_bytes(tmp_path):
    net = nl.Network.mlp([4, 5, 2], seed=0)
    net.save(tmp_path / "good.nlz")
    return (tmp_path / "good.nlz").read_bytes()


def _checkpoint_bytes(tmp_path):
    nl.Network.mlp([4, 5, 2], seed=0).fit(X, Y, epochs=1, checkpoint=tmp_path / "good.ckpt")
    return (tmp_path / "good.ckpt").read_bytes()


KINDS = {"model": (_model_bytes, nl.load, "header"), "checkpoint": (_checkpoint_bytes, load_checkpoint, "meta")}


def members_of(raw):
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def zip_of(members, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                    # duplicate names are wanted in one case
        with zipfile.ZipFile(buf, "w", method) as z:
            for name, data in members:
                z.writestr(name, data)
    return buf.getvalue()


def npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def header_npy(doc):
    return npy(np.frombuffer(json.dumps(doc).encode(), dtype=np.uint8))


def flip(raw, at):
    raw = bytearray(raw)
    raw[at] ^= 0xFF
    return bytes(raw)


def after(raw, marker, skip):
    """An offset ``skip`` bytes after the first ``marker`` (a member's local entry)."""
    return raw.index(marker) + len(marker) + skip


def with_header(raw, key, change):
    members = members_of(raw)
    doc = json.loads(np.load(io.BytesIO(members[f"{key}.npy"])).tobytes())
    change(doc)
    members[f"{key}.npy"] = header_npy(doc)
    return zip_of(members.items())


def declared_size_patched(raw, name, size):
    """The archive's central directory entry for ``name`` claims ``size`` uncompressed bytes."""
    raw = bytearray(raw)
    at = raw.index(name.encode(), raw.index(b"PK\x01\x02")) - 46
    while raw[at + 46: at + 46 + len(name)] != name.encode():
        at = raw.index(name.encode(), at + 47) - 46
    raw[at + 24: at + 28] = size.to_bytes(4, "little")
    return bytes(raw)


def deflated_bomb(raw, key):
    """The parameters member deflated, its npy header and the archive both claiming ~4 GiB."""
    members = members_of(raw)
    big = (2**32 - 256) // 8
    head = npy(np.zeros(0))
    head = head.replace(b"(0,)", f"({big},)".encode()).replace(b" " * (len(f"{big}") - 1) + b"\n", b"\n", 1)
    members["parameters.npy"] = head + bytes(4096)
    bomb = zip_of(members.items(), zipfile.ZIP_DEFLATED)
    return declared_size_patched(bomb, "parameters.npy", len(head) + big * 8)


def huge_npy_shape(raw, key):
    members = members_of(raw)
    members["parameters.npy"] = npy(np.zeros(3)).replace(b"(3,)", b"(1250000000,)", 1)[:-24]
    return zip_of(members.items())


def pickled(raw, key):
    members = members_of(raw)
    members["parameters.npy"] = npy(np.array([{"run": "code"}], dtype=object))
    return zip_of(members.items())


def extra_member(raw, key):
    return zip_of([*members_of(raw).items(), ("extra.npy", npy(np.zeros(2)))])


def duplicate_member(raw, key):
    items = list(members_of(raw).items())
    return zip_of([*items, items[-1]])


def without(name):
    return lambda raw, key: zip_of([(n, d) for n, d in members_of(raw).items() if n != name])


def huge_layers(doc):
    doc["network"]["layers"][0].update(n_in=100_000, n_out=100_000)


SHARED = [                                                  # (id, damage(raw, key), message)
    ("empty", lambda raw, key: b"", "it is empty"),
    ("text", lambda raw, key: b"epoch,loss\n1,0.5\n" * 20, "it is a text file"),
    ("random bytes", lambda raw, key: np.random.default_rng(0).bytes(3000), "it is not a zip archive"),
    ("bare npy", lambda raw, key: npy(np.zeros(4)), "it is a bare .npy array"),
    ("pickle", lambda raw, key: b"\x80\x04\x95" + bytes(40), "pickled Python objects"),
    ("another program's npz", lambda raw, key: zip_of([("weights.npy", npy(np.zeros(3)))]),
     "NumPy .npz archive with no neuronlab header"),
    ("a zip of other files", lambda raw, key: zip_of([("notes.txt", b"hello")]), "zip archive of other files"),
    *[(f"truncated at {cut}", lambda raw, key, cut=cut: raw[:cut], "is truncated: it ends after")
      for cut in (10, 40, 100, 700, -400, -30, -1)],
    ("flipped header byte", lambda raw, key: flip(raw, after(raw, f"{key}.npy".encode(), 140)),
     "fails its checksum"),
    ("flipped parameter byte", lambda raw, key: flip(raw, after(raw, b"parameters.npy", 140)),
     "fails its checksum"),
    ("flipped array header shape", lambda raw, key: flip(raw, raw.index(b"'shape': (", raw.index(b"parameters.npy")) + 10),
     "damaged: member 'parameters'"),
    ("flipped directory entry", lambda raw, key: flip(raw, raw.rindex(b"PK\x01\x02") + 1), "damaged"),
    ("deflated member declaring 4 GiB", deflated_bomb, "member 'parameters' (declares|is an array)"),
    ("array header declaring 10 GB", huge_npy_shape, "damaged: member 'parameters' is an array of shape \\(1250000000,\\)"),
    ("archive declaring 4 GiB for a stored member",
     lambda raw, key: declared_size_patched(raw, "parameters.npy", 2**32 - 2), "damaged: member 'parameters'"),
    ("pickled member", pickled, "member 'parameters' contains pickled Python objects"),
    ("duplicate member", duplicate_member, "appears twice"),
    ("no header", without, "no neuronlab header"),
]
MODEL_ONLY = [
    ("missing parameters", without("parameters.npy"), "member 'parameters' is missing"),
    ("extra member", extra_member, "holds member 'extra', which a neuronlab model file never has"),
    ("wrong version", lambda raw, key: with_header(raw, key, lambda d: d.update(version=99)), "version 99"),
    ("header claiming huge layers", lambda raw, key: with_header(raw, key, huge_layers),
     r"inconsistent with member 'parameters'.*needs shape \(10000100012,\)"),
]
CHECKPOINT_ONLY = [
    ("missing parameters", without("parameters.npy"), "damaged: parameters is missing"),
    ("wrong version", lambda raw, key: with_header(raw, key, lambda d: d.update(version=99)), "checkpoint version 99"),
]
CASES = ([("model", *c) for c in SHARED + MODEL_ONLY] + [("checkpoint", *c) for c in SHARED + CHECKPOINT_ONLY])


@pytest.mark.parametrize("kind, case, damage, message", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_every_damage_is_a_quick_small_precise_model_file_error(tmp_path, kind, case, damage, message):
    make, load, key = KINDS[kind]
    raw = make(tmp_path)
    if case == "no header":
        damage = without(f"{key}.npy")
    path = tmp_path / f"damaged.{kind}"
    path.write_bytes(damage(raw, key))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(nl.ModelFileError, match=message) as caught:
            load(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    text = str(caught.value)
    assert isinstance(caught.value, ValueError) and "\n" not in text
    assert f"damaged.{kind}" in text
    assert seconds < 1.0, f"{seconds:.2f} s"
    assert peak < 16 * 2**20, f"peak {peak:,} bytes"


def test_a_header_larger_than_the_bound_is_refused_before_it_is_read(tmp_path, monkeypatch):
    raw = _model_bytes(tmp_path)
    monkeypatch.setattr(files, "MAX_HEADER_BYTES", 50)
    (tmp_path / "m.nlz").write_bytes(raw)
    with pytest.raises(nl.ModelFileError, match="its header declares .* more than the 50 a header may hold"):
        nl.load(tmp_path / "m.nlz")


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
def test_a_byte_changed_anywhere_is_refused_or_changes_nothing_readable(tmp_path, kind):
    make, load, key = KINDS[kind]
    raw = make(tmp_path)
    path = tmp_path / "f"
    for at in range(0, len(raw), max(1, len(raw) // 150)):
        path.write_bytes(flip(raw, at))
        try:
            load(path)
        except nl.ModelFileError as err:
            assert "\n" not in str(err)
