"""Damaged data files (.npz, IDX plain and gzip, CSV) are refused with one DataError that names
the file and the problem: never a zipfile, zlib, EOF, pickle or bare NumPy error, never a pickle
run, and never a read of more than the file declares."""
import gzip
import io
import zipfile

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import datasets


def _npz_bytes(compressed=False, **arrays):
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def _idx_bytes(array):
    buf = io.BytesIO()
    head = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    buf.write(head + array.astype(np.uint8).tobytes())
    return buf.getvalue()


GOOD = {
    "npz": _npz_bytes(X=np.arange(40.0).reshape(20, 2), y=np.arange(20) % 2),
    "npz-compressed": _npz_bytes(True, X=np.arange(400.0).reshape(200, 2), y=np.arange(200) % 2),
    "idx": _idx_bytes(np.arange(60).reshape(5, 3, 4)),
    "idx-gzip": gzip.compress(_idx_bytes(np.arange(60).reshape(5, 3, 4))),
    "csv": b"a,b,y\n1,2,0\n3,4,1\n",
}
SUFFIX = {"npz": ".npz", "npz-compressed": ".npz", "idx": ".idx", "idx-gzip": ".idx.gz", "csv": ".csv"}
READ = {"npz": datasets.read_npz, "npz-compressed": datasets.read_npz, "idx": datasets.read_idx,
        "idx-gzip": datasets.read_idx, "csv": datasets.read_csv}


def _flip_middle(raw):
    mid = len(raw) // 2
    return raw[:mid - 8] + bytes(b ^ 0xFF for b in raw[mid - 8:mid + 8]) + raw[mid + 8:]


DAMAGE = {
    "empty": lambda raw: b"",
    "random-bytes": lambda raw: np.random.default_rng(3).integers(0, 256, 300, dtype=np.uint8).tobytes(),
    "truncated-to-half": lambda raw: raw[: len(raw) // 2],
    "truncated-by-one-byte": lambda raw: raw[:-1],
    "one-byte-left": lambda raw: raw[:1],
    "bytes-flipped-in-the-middle": _flip_middle,
    "wrong-magic": lambda raw: b"\x01\x02" + raw[2:],
}
# damage that still leaves a valid file of the format (text stays text, a ragged CSV is covered elsewhere)
HARMLESS = {("csv", "truncated-by-one-byte"), ("csv", "wrong-magic"), ("csv", "bytes-flipped-in-the-middle"),
            ("csv", "truncated-to-half"), ("idx", "bytes-flipped-in-the-middle")}  # plain IDX has no checksum


def _cases():
    for fmt in GOOD:
        for damage in DAMAGE:
            if (fmt, damage) not in HARMLESS:
                yield pytest.param(fmt, damage, id=f"{fmt}-{damage}")


def _assert_clear(err, path):
    assert type(err) is nl.DataError, f"{type(err).__name__}: {err}"
    assert isinstance(err, ValueError)
    message = str(err)
    assert str(path) in message and "\n" not in message, message
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__), \
        "the low-level error is not shown"


def test_the_undamaged_files_read(tmp_path):
    for fmt, raw in GOOD.items():
        path = tmp_path / f"good{SUFFIX[fmt]}"
        path.write_bytes(raw)
        assert len(datasets.load(str(path))) in (2, 5, 20, 200)


@pytest.mark.parametrize("fmt, damage", list(_cases()))
def test_a_damaged_file_is_one_data_error_naming_the_file(tmp_path, fmt, damage):
    path = tmp_path / f"damaged{SUFFIX[fmt]}"
    path.write_bytes(DAMAGE[damage](GOOD[fmt]))
    for read in (READ[fmt], datasets.load):
        with pytest.raises(Exception) as info:
            read(str(path))
        _assert_clear(info.value, path)


@pytest.mark.parametrize("fmt", list(GOOD))
def test_a_folder_is_refused_as_a_data_file(tmp_path, fmt):
    path = tmp_path / f"folder{SUFFIX[fmt]}"
    path.mkdir()
    with pytest.raises(nl.DataError, match="is a folder, not a data file"):
        READ[fmt](str(path))


def test_a_single_npy_array_is_named_as_such(tmp_path):
    path = tmp_path / "features.npy"
    np.save(path, np.zeros((4, 2)))
    for read in (datasets.read_npz, datasets.load):
        with pytest.raises(nl.DataError, match=r"bare \.npy array.*numpy\.savez") as info:
            read(str(path))
        _assert_clear(info.value, path)


def test_an_npz_under_another_extension_is_read_as_npz(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(GOOD["npz"])
    assert len(datasets.load(str(path))) == 20


def test_pickled_objects_are_refused_and_never_unpickled(tmp_path, monkeypatch):
    path = tmp_path / "objects.npz"
    np.savez(path, X=np.array([[1.0, {"a": 1}]], dtype=object), y=np.array([0]))
    import pickle
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("a pickle was loaded"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("a pickle was loaded"))
    with pytest.raises(nl.DataError, match="pickled Python objects; neuronlab never loads those") as info:
        datasets.read_npz(str(path))
    _assert_clear(info.value, path)


def _with_lying_member(path, declared_shape, data):
    """An .npz whose member 'X' has a .npy header declaring ``declared_shape`` over ``data``."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": declared_shape})
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X.npy", header.getvalue() + data)
        zf.writestr("y.npy", _npz_member_bytes(np.zeros(2)))


def _npz_member_bytes(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array)
    return buf.getvalue()


def test_an_npz_member_holding_less_than_its_header_declares_is_refused_before_reading(tmp_path):
    path = tmp_path / "lying.npz"
    _with_lying_member(path, (100000, 1000), np.zeros(4).tobytes())
    with pytest.raises(nl.DataError, match=r"shape \(100000, 1000\).*but the archive declares 160 bytes") as info:
        datasets.read_npz(str(path))
    _assert_clear(info.value, path)


def test_an_npz_declaring_more_than_max_bytes_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.npz"
    np.savez_compressed(path, X=np.zeros((1000, 100)), y=np.zeros(1000))
    with pytest.raises(nl.DataError, match="more than the limit of 1,000; pass max_bytes=") as info:
        datasets.read_npz(str(path), max_bytes=1000)
    _assert_clear(info.value, path)
    assert datasets.read_npz(str(path), max_bytes=10**7).X.shape == (1000, 100)


def test_an_idx_header_declaring_more_than_max_bytes_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.idx.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 0x08, 3]) + b"".join(n.to_bytes(4, "big") for n in (60000, 2000, 2000))))
    with pytest.raises(nl.DataError, match=r"declares shape \(60000, 2000, 2000\).*more than the limit") as info:
        datasets.read_idx(str(path))
    _assert_clear(info.value, path)


def test_an_idx_file_longer_than_its_header_says_is_refused(tmp_path):
    path = tmp_path / "long.idx"
    path.write_bytes(GOOD["idx"] + b"\x00")
    with pytest.raises(nl.DataError, match=r"shape \(5, 3, 4\) \(60 bytes of data\) but the file holds more"):
        datasets.read_idx(str(path))


def test_a_fortran_ordered_npz_array_reads_in_its_order(tmp_path):
    path = tmp_path / "f.npz"
    X = np.asfortranarray(np.arange(12.0).reshape(4, 3))
    np.savez(path, X=X, y=np.array([0, 1, 0, 1]))
    np.testing.assert_array_equal(datasets.read_npz(str(path)).X, X)
