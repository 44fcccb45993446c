"""Files that are never half written, and the npz-with-JSON-header container."""
import json
import os
import signal
import stat
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import neuronlab as nl
from neuronlab._util.files import atomic_write, read_container, temporary_name, write_container

HERE = os.path.dirname(os.path.abspath(__file__))
OLD_MODEL = os.path.join(os.path.dirname(HERE), "data", "fingerprint-model.nlz")


# -- atomic_write ----------------------------------------------------------------------------

def test_the_new_content_replaces_the_old(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    atomic_write(path, lambda fh: fh.write(b"new"))
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")

    def write(fh):
        fh.write(b"half of the new")
        raise RuntimeError("disk unplugged")

    with pytest.raises(RuntimeError, match="disk unplugged"):
        atomic_write(path, write)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_an_interrupted_writer_leaves_nothing_behind(tmp_path):
    def write(fh):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "new.bin", write)
    assert os.listdir(tmp_path) == []


def test_a_missing_directory_is_a_model_file_error(tmp_path):
    with pytest.raises(nl.ModelFileError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "f.bin", lambda fh: fh.write(b"x"))


# -- the container ---------------------------------------------------------------------------

def test_round_trip_of_header_and_arrays(tmp_path):
    path = tmp_path / "c.npz"
    header = {"format": "test", "numbers": [1, 2.5], "text": "ü → ∞", "nested": {"a": None}}
    arrays = {"parameters": np.arange(5, dtype=np.float32), "optimizer/m": np.ones((2, 3))}
    write_container(path, header, arrays)
    got_header, got = read_container(path)
    assert got_header == header
    assert list(got) == ["parameters", "optimizer/m"]
    for key, value in arrays.items():
        assert got[key].dtype == value.dtype and np.array_equal(got[key], value)


def test_the_header_is_the_first_member_a_uint8_json_document(tmp_path):
    path = tmp_path / "c.npz"
    write_container(path, {"k": 1}, {"a": np.zeros(2)}, header_key="meta")
    with zipfile.ZipFile(path) as z:
        assert z.namelist() == ["meta.npy", "a.npy"]
    with np.load(path, allow_pickle=False) as data:
        assert data["meta"].dtype == np.uint8 and data["meta"].ndim == 1
        assert json.loads(data["meta"].tobytes().decode("utf-8")) == {"k": 1}
    header, arrays = read_container(path, header_key="meta")
    assert header == {"k": 1} and list(arrays) == ["a"]


def test_a_header_that_is_not_json_writes_nothing(tmp_path):
    path = tmp_path / "c.npz"
    with pytest.raises(ValueError):
        write_container(path, {"x": float("nan")}, {})
    with pytest.raises(TypeError):
        write_container(path, {"x": object()}, {})
    assert os.listdir(tmp_path) == []
    write_container(path, {"x": float("nan")}, {}, allow_nan=True)
    assert np.isnan(read_container(path)[0]["x"])


def test_a_model_file_written_before_reads_the_same(tmp_path):
    header, arrays = read_container(OLD_MODEL)
    assert header["format"] == "neuronlab-model" and list(arrays) == ["parameters"]
    net = nl.load(OLD_MODEL)
    assert np.array_equal(net.parameters, arrays["parameters"])
    again = tmp_path / "again.nlz"
    net.save(again)
    with open(OLD_MODEL, "rb") as a, open(again, "rb") as b:
        assert a.read() == b.read()          # the byte format is unchanged


def test_pickled_members_are_refused(tmp_path):
    path = tmp_path / "evil.npz"
    header = np.frombuffer(json.dumps({"format": "x"}).encode(), dtype=np.uint8)
    np.savez(path, header=header, payload=np.array([{"run": "code"}], dtype=object))
    with pytest.raises(nl.ModelFileError, match="pickled"):
        read_container(path)


def test_a_pickle_file_is_refused_unread(tmp_path):
    import pickle
    path = tmp_path / "evil.nlz"
    path.write_bytes(pickle.dumps({"run": "code"}, protocol=4))
    with pytest.raises(nl.ModelFileError, match="pickled Python objects; neuronlab never loads those"):
        read_container(path)


def _npy(path, array):
    with open(path, "wb") as fh:
        np.save(fh, array)


def _npz(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.mkdir(), "is not a file"),
    (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "damaged or not a model file: it starts like a zip"),
    (lambda p: p.write_bytes(b"just some text"), "not a neuronlab model file: it is a text file"),
    (lambda p: p.write_bytes(b""), "not a neuronlab model file: it is empty"),
    (lambda p: p.write_bytes(bytes(range(7, 256))), "not a neuronlab model file: it is not a zip archive"),
    (lambda p: _npy(p, np.zeros(3)), "bare .npy"),
    (lambda p: _npz(p, other=np.zeros(3)), "NumPy .npz archive with no neuronlab header"),
    (lambda p: _npz(p, header=np.frombuffer(b"{not json", dtype=np.uint8)), "damaged: its header is not JSON"),
    (lambda p: _npz(p, header=np.zeros(3)), "no neuronlab header"),
])
def test_every_bad_file_is_a_model_file_error_saying_what_is_wrong(tmp_path, make, message):
    path = tmp_path / "bad.npz"
    make(path)
    with pytest.raises(nl.ModelFileError, match=message):
        read_container(path)


def test_messages_name_the_kind_of_file(tmp_path):
    with pytest.raises(nl.ModelFileError, match=r"^checkpoint .* does not exist; train first$"):
        read_container(tmp_path / "run.ckpt", kind="checkpoint", missing_hint="; train first")
    path = tmp_path / "junk"
    path.write_bytes(b"junk")
    with pytest.raises(nl.ModelFileError, match="not a neuronlab checkpoint: it is a text file"):
        read_container(path, kind="checkpoint")


def test_reading_works_from_a_path_object_and_text(tmp_path):
    path = tmp_path / "c.npz"
    write_container(str(path), [1, 2], {})
    assert read_container(str(path))[0] == [1, 2]
    assert read_container(path)[0] == [1, 2]


# -- permissions and temporary files ---------------------------------------------------------


SRC = os.path.join(os.path.dirname(os.path.dirname(HERE)), "src")


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002, 0o027])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, umask):
    old = os.umask(umask)
    try:
        atomic_write(tmp_path / "f.bin", lambda fh: fh.write(b"x"))
        write_container(tmp_path / "c.npz", {"k": 1}, {"a": np.zeros(2)})
    finally:
        os.umask(old)
    assert _mode(tmp_path / "f.bin") == 0o666 & ~umask
    assert _mode(tmp_path / "c.npz") == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    old = os.umask(0o077)
    try:
        atomic_write(path, lambda fh: fh.write(b"new"))
    finally:
        os.umask(old)
    assert path.read_bytes() == b"new" and _mode(path) == 0o640


def test_temporary_names_are_beside_the_target_and_name_it_and_the_process():
    name = temporary_name("/some/dir/model.nlz", pid=4321)
    assert name.startswith(".model.nlz.") and "-4321-" in name and name.endswith(".tmp") and "/" not in name


_SLOW_WRITER = """
import sys, time
sys.path.insert(0, {src!r})
from neuronlab._util.files import atomic_write
def write(fh):
    fh.write(b"half of it")
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)
atomic_write({target!r}, write)
"""


def _start_slow_writer(target):
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER.format(src=SRC, target=str(target))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    return proc


def _end(proc):
    proc.kill()
    proc.wait()
    proc.stdout.close()


def _temporaries(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_a_temporary_left_by_a_killed_save_is_removed_by_the_next_save(tmp_path):
    target = tmp_path / "m.nlz"
    target.write_bytes(b"old")
    proc = _start_slow_writer(target)
    _end(proc)
    assert len(_temporaries(tmp_path)) == 1 and target.read_bytes() == b"old"
    atomic_write(target, lambda fh: fh.write(b"new"))
    assert _temporaries(tmp_path) == [] and target.read_bytes() == b"new"


def test_a_save_never_removes_the_temporary_of_a_live_writer_or_of_another_target(tmp_path):
    target = tmp_path / "m.nlz"
    proc = _start_slow_writer(target)
    other = tmp_path / temporary_name(tmp_path / "other.nlz", pid=2**22 + 12345)
    other.write_bytes(b"x")
    try:
        atomic_write(target, lambda fh: fh.write(b"new"))
        live = [n for n in _temporaries(tmp_path) if n.startswith(".m.nlz.")]
        assert len(live) == 1 and f"-{proc.pid}-" in live[0]
        assert other.exists()
    finally:
        _end(proc)


def test_a_save_ended_by_sigterm_leaves_no_temporary_and_dies_by_the_signal(tmp_path):
    target = tmp_path / "m.nlz"
    proc = _start_slow_writer(target)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == -signal.SIGTERM
    proc.stdout.close()
    assert _temporaries(tmp_path) == []


def test_after_a_save_the_termination_handlers_are_as_before(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    atomic_write(tmp_path / "f.bin", lambda fh: fh.write(b"x"))
    assert signal.getsignal(signal.SIGTERM) is before
