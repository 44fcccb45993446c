"""Files that are never half written, and the container of model files and checkpoints.

The container is a zip of ``.npy`` members, the layout ``numpy.savez`` writes: one JSON
document stored as a 1-D uint8 array under a header key, and the arrays beside it.  It is
read member by member with bounded reads and never with pickle, so reading one never runs
code from the file, and every size the file declares is checked before memory is set
aside for it.

Temporary files
---------------
:func:`atomic_write` writes to ``.<name>.<host>-<pid>-<token>.tmp`` beside the target
(``host`` is a short hash of the machine's name, ``pid`` the writing process), then
renames it over the target.  The temporary file is removed when the write raises
(``KeyboardInterrupt`` included) and, in the main thread, when SIGTERM or SIGHUP with
their default action end the process mid-write.  A process killed outright (SIGKILL,
power loss) cannot clean up; the next save to the same target removes the temporaries of
that target left by processes of this machine that no longer exist, never those of a live
process.

Permissions
-----------
A new file gets the mode ``open(path, "w")`` would give it (``0o666`` less the umask); a
file that is replaced keeps its permission bits, as it would when opened for writing.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
import signal
import socket
import stat
import threading
import zipfile
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Mapping

import numpy as np

from ..errors import ModelFileError

__all__ = ["atomic_write", "write_container", "read_container", "read_arrays", "temporary_name", "MAX_HEADER_BYTES"]

#: The largest JSON header a container may hold (a long training history fits easily).
MAX_HEADER_BYTES = 64 * 2**20
#: The most members a container may list.
MAX_MEMBERS = 4096
_MAX_NPY_HEADER = 10_000            # numpy's own limit on an array header
_MAX_INFLATE_RATIO = 1032           # deflate never expands more than this
_CHUNK = 2**20
_STARTS_NPY, _STARTS_ZIP, _STARTS_EMPTY_ZIP, _END_OF_ZIP = b"\x93NUMPY", b"PK\x03\x04", b"PK\x05\x06", b"PK\x05\x06"
_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]

#: What a reader expects of each array member: ``{name: (shape, dtype)}``.
Expected = Mapping[str, tuple[tuple[int, ...], Any]]


# -- atomic writes ---------------------------------------------------------------------------

def temporary_name(target: str | os.PathLike, pid: int | None = None) -> str:
    """The name of a new temporary file for ``target``: same directory, tied to the target's
    name, this machine and the writing process ``pid``.

    >>> temporary_name("runs/model.nlz", pid=42).startswith(".model.nlz.")
    True
    >>> temporary_name("model.nlz", pid=42).endswith(".tmp") and "-42-" in temporary_name("model.nlz", pid=42)
    True
    """
    pid = os.getpid() if pid is None else pid
    return f".{Path(target).name}.{_HOST}-{pid}-{secrets.token_hex(4)}.tmp"


def _stale_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(name)}\.{_HOST}-(\d+)-[0-9a-f]{{8}}\.tmp")


def _process_exists(pid: int) -> bool:
    """Whether process ``pid`` is alive; when it cannot be told, it counts as alive."""
    if pid == os.getpid():
        return True
    if os.name == "nt" or pid <= 0:     # os.kill(pid, 0) would end a process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                     # another user's process, or cannot be asked
        return True
    return True


def _remove_stale_temporaries(directory: Path, name: str) -> None:
    """Remove the temporaries of ``name`` in ``directory`` whose writer has died."""
    pattern = _stale_pattern(name)
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry)
        if match and not _process_exists(int(match.group(1))):
            try:
                os.unlink(directory / entry)
            except OSError:
                pass


_ACTIVE: set[str] = set()
_ACTIVE_LOCK = threading.Lock()
_CLEANUP_SIGNALS = tuple(getattr(signal, s) for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s))
_previous_handlers: dict[int, Any] = {}


def _remove_active_and_die(signum: int, frame: Any) -> None:
    """A default-action termination signal arrived mid-write: remove the temporaries, then
    end the process by that signal as it would have without us."""
    for tmp in list(_ACTIVE):
        try:
            os.unlink(tmp)
        except OSError:
            pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _guard(tmp: str) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.add(tmp)
        if len(_ACTIVE) == 1 and threading.current_thread() is threading.main_thread():
            for sig in _CLEANUP_SIGNALS:
                if signal.getsignal(sig) is signal.SIG_DFL:
                    _previous_handlers[sig] = signal.signal(sig, _remove_active_and_die)


def _unguard(tmp: str) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.discard(tmp)
        if not _ACTIVE and threading.current_thread() is threading.main_thread():
            for sig, previous in list(_previous_handlers.items()):
                if signal.getsignal(sig) is _remove_active_and_die:
                    signal.signal(sig, previous)
                del _previous_handlers[sig]


def _open_temporary(path: Path, directory: Path) -> tuple[int, str]:
    """Create the temporary file with the mode a new file or the replaced one would have."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = str(directory / temporary_name(path))
        try:
            fd = os.open(tmp, flags, 0o666)             # the kernel applies the umask
            break
        except FileExistsError:
            continue
    try:
        existing = os.stat(path)
    except OSError:
        return fd, tmp
    if stat.S_ISREG(existing.st_mode) and hasattr(os, "fchmod"):
        try:
            os.fchmod(fd, stat.S_IMODE(existing.st_mode) & ~(stat.S_ISUID | stat.S_ISGID))
        except OSError:
            pass
    return fd, tmp


def _sync_directory(directory: Path) -> None:
    if os.name == "nt":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write(binary_file)`` on a temporary file beside ``path``, fsync it, then rename it
    over ``path``.

    The rename is atomic on POSIX and Windows, so readers see either the old file or the whole
    new one, never a half-written file.  When ``write`` raises (``KeyboardInterrupt`` too) the
    old file stays as it was and the temporary file is removed; temporaries of ``path`` that
    killed processes left behind are removed first.  The new file's mode follows the umask,
    or the replaced file's mode (see the module's notes).

    Raises
    ------
    ModelFileError
        The directory does not exist.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise ModelFileError(f"cannot write {path}: directory {directory} does not exist")
    _remove_stale_temporaries(directory, path.name)
    fd, tmp = _open_temporary(path, directory)
    _guard(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        _unguard(tmp)
    _sync_directory(directory)


def write_container(path: str | os.PathLike, header: Any, arrays: Mapping[str, np.ndarray], *,
                    header_key: str = "header", allow_nan: bool = False) -> None:
    """Write ``header`` (plain JSON values) and ``arrays`` to ``path`` atomically.

    The header is the first member, then the arrays in their order.  The header is encoded
    before anything is written, so a header that is not JSON (``TypeError``, or
    ``ValueError`` for NaN or infinity unless ``allow_nan``) leaves ``path`` untouched.
    """
    raw = json.dumps(header, allow_nan=allow_nan).encode("utf-8")
    if len(raw) > MAX_HEADER_BYTES:
        raise ValueError(f"the header is {len(raw):,} bytes of JSON, more than the {MAX_HEADER_BYTES:,} a file may hold")
    members = {header_key: np.frombuffer(raw, dtype=np.uint8), **arrays}
    savez: Callable[..., None] = np.savez     # NumPy's stubs read ``**members`` as its keyword options
    atomic_write(path, lambda fh: savez(fh, **members))


# -- reading the container -------------------------------------------------------------------

class _Reader:
    """Messages and checks of one archive being read: every failure names the file and what
    is wrong with it.  ``error`` is the class raised, ``label`` what a right file is called
    ("a neuronlab model file") and ``remedy`` how to get one."""

    def __init__(self, path: Path, kind: str, error: type[Exception] = ModelFileError,
                 label: str | None = None, remedy: str | None = None, dtype_kinds: str = "biufc") -> None:
        self.path, self.kind, self.error, self.dtype_kinds = path, kind, error, dtype_kinds
        self.label = label or f"a neuronlab {kind}"
        self.remedy = remedy or f"pass a {kind} that neuronlab wrote"

    def fail(self, problem: str, fix: str = "") -> Exception:
        return self.error(f"{self.path}: {problem}" + (f"; {fix}" if fix else ""))

    def foreign(self, what: str) -> Exception:
        return self.fail(f"not {self.label}: it {what}", self.remedy)

    def damaged(self, what: str) -> Exception:
        return self.fail(f"the {self.kind} is damaged: {what}",
                         "restore it from a good copy or write it again")


def _diagnose_start(fh: IO[bytes], size: int, r: _Reader) -> None:
    """Refuse, by their first bytes, files that are not zip archives at all."""
    if size == 0:
        raise r.foreign("is empty (0 bytes)")
    head = fh.read(4096)
    fh.seek(0)
    if head.startswith((_STARTS_ZIP, _STARTS_EMPTY_ZIP)):
        return
    if head.startswith(_STARTS_NPY):
        raise r.foreign("is a bare .npy array")
    if head.startswith(b"\x80"):
        raise r.fail("contains pickled Python objects; neuronlab never loads those", r.remedy)
    if _looks_like_text(head):
        raise r.foreign("is a text file")
    raise r.foreign("is not a zip archive (its first bytes are neither a zip nor a NumPy header)")


def _looks_like_text(head: bytes) -> bool:
    """Whether ``head`` is UTF-8 text (a character cut at its end allowed)."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 3:
            return False
        text = head[:err.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\r\n\f\v" for c in text)


def _open_zip(fh: IO[bytes], size: int, r: _Reader) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(fh)
    except Exception as err:        # any failure to parse the directory (zipfile, struct, unsupported version)
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
        end = tail.rfind(_END_OF_ZIP)
        if end >= 0 and len(tail) - end >= 22:      # the end record is whole, so the directory is damaged
            raise r.damaged(f"its archive directory cannot be read ({err})") from None
        fh.seek(0)
        if end >= 0 or _starts_with_an_array_member(fh.read(4096)):
            raise r.fail(f"the {r.kind} is truncated: it ends after {size:,} bytes, before the end of its archive",
                         "the save or copy was cut short; copy or write it again") from None
        raise r.fail(f"the file is damaged or not a {r.kind}: it starts like a zip archive but has no archive "
                     f"directory", r.remedy) from None


def _starts_with_an_array_member(head: bytes) -> bool:
    """Whether ``head`` starts like a zip entry of a ``.npy`` member (or of its first bytes)."""
    if not head.startswith(_STARTS_ZIP):
        return False
    plausible = head[5:6] in (b"", b"\x00") and head[8:10] in (b"", b"\x00", b"\x00\x00", b"\x08", b"\x08\x00")
    if len(head) < 30:
        return plausible
    name_length = int.from_bytes(head[26:28], "little")
    return len(head) >= 30 + name_length and head[30:30 + name_length].endswith(b".npy")


def _members(zf: zipfile.ZipFile, size: int, header_key: str | None, r: _Reader) -> dict[str, zipfile.ZipInfo]:
    """The members by array name, after checking names, count, compression and sizes."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise r.damaged(f"it lists {len(infos):,} members, more than the {MAX_MEMBERS:,} a {r.kind} may hold")
    names = [i.filename for i in infos]
    if not infos or any(not n.endswith(".npy") for n in names):
        others = ", ".join(repr(n) for n in names[:5] if not n.endswith(".npy"))
        raise r.foreign(f"is a zip archive of other files ({others or 'no members'})")
    members = {i.filename[:-4]: i for i in infos}
    if len(members) != len(infos):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise r.damaged(f"member {duplicate!r} appears twice")
    if header_key is not None and header_key not in members:
        listed = ", ".join(repr(n) for n in list(members)[:5])
        raise r.foreign(f"is a NumPy .npz archive with no neuronlab header (members: {listed})")
    for name, info in members.items():
        _check_declared_size(name, info, size, r)
    return members


def _check_declared_size(name: str, info: zipfile.ZipInfo, size: int, r: _Reader) -> None:
    """What the archive declares about a member, checked before a byte of it is read."""
    if info.flag_bits & 0x1:
        raise r.foreign(f"holds an encrypted member {name!r}")
    if info.compress_size > size:
        raise r.damaged(f"member {name!r} declares {info.compress_size:,} stored bytes, "
                        f"more than the whole file ({size:,} bytes)")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.file_size != info.compress_size:
            raise r.damaged(f"member {name!r} is stored uncompressed but declares {info.file_size:,} bytes "
                            f"in {info.compress_size:,}")
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        if info.file_size > _MAX_INFLATE_RATIO * info.compress_size + 64:
            raise r.damaged(f"member {name!r} declares {info.file_size:,} bytes from {info.compress_size:,} "
                            f"compressed ones, more than compression can give")
    else:
        raise r.foreign(f"holds member {name!r} compressed with method {info.compress_type}, "
                        f"which neuronlab does not read")


def _array_layout(stream: IO[bytes], name: str, info: zipfile.ZipInfo,
                  r: _Reader) -> tuple[tuple[int, ...], np.dtype, bool]:
    """Shape, dtype and order from a member's ``.npy`` header, checked against its declared size."""
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream, max_header_size=_MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream, max_header_size=_MAX_NPY_HEADER)
        else:
            raise ValueError(f"array format version {version[0]}.{version[1]} is not read")
    except zipfile.BadZipFile as err:
        what = "fails its checksum (CRC)" if "CRC" in str(err) else f"cannot be read ({err})"
        raise r.damaged(f"member {name!r} {what}") from None
    except (ValueError, TypeError, SyntaxError, EOFError, OverflowError, OSError) as err:
        raise r.damaged(f"member {name!r} has no readable array header ({err})") from None
    if dtype.hasobject:
        raise r.fail(f"member {name!r} contains pickled Python objects; neuronlab never loads those", r.remedy)
    if dtype.kind not in r.dtype_kinds or dtype.fields is not None or dtype.subdtype is not None:
        raise r.foreign(f"holds member {name!r} of dtype {dtype}, not numbers")
    expected = stream.tell() + math.prod(shape) * dtype.itemsize
    if expected != info.file_size:
        raise r.damaged(f"member {name!r} is an array of shape {shape} {dtype} ({expected:,} bytes with its "
                        f"header), but the archive declares {info.file_size:,} bytes")
    return shape, dtype, fortran


def _read_data(stream: Any, name: str, shape: tuple[int, ...], dtype: np.dtype, fortran: bool,
               r: _Reader) -> np.ndarray:
    """The array's data, read in bounded chunks (``stream`` is a zip member, which has
    ``readinto``); the member's checksum is checked at its end."""
    out = np.empty(shape[::-1] if fortran else shape, dtype=dtype)
    view = out.reshape(-1).view(np.uint8).data if out.size else memoryview(b"")
    done = 0
    try:
        while done < len(view):
            got = stream.readinto(view[done:done + _CHUNK])
            if not got:
                break
            done += got
        extra = stream.read(1)
    except zipfile.BadZipFile as err:
        what = "fails its checksum (CRC)" if "CRC" in str(err) else f"cannot be read ({err})"
        raise r.damaged(f"member {name!r} {what}") from None
    except (OSError, EOFError, ValueError, OverflowError) as err:     # zlib.error is an Exception
        raise r.damaged(f"member {name!r} cannot be read ({type(err).__name__}: {err})") from None
    except Exception as err:
        raise r.damaged(f"member {name!r} cannot be read ({type(err).__name__}: {err})") from None
    if done < len(view) or extra:
        raise r.damaged(f"member {name!r} holds {'more' if extra else 'fewer'} bytes than its header says")
    return out.T if fortran else out


def _read_member(zf: zipfile.ZipFile, name: str, info: zipfile.ZipInfo, r: _Reader,
                 expected: tuple[tuple[int, ...], Any] | None = None) -> np.ndarray:
    try:
        stream = zf.open(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as err:
        raise r.damaged(f"member {name!r} cannot be opened ({err})") from None
    with stream:
        shape, dtype, fortran = _array_layout(stream, name, info, r)
        if expected is not None:
            want_shape, want_dtype = tuple(expected[0]), np.dtype(expected[1])
            if shape != want_shape or dtype != want_dtype:
                raise r.fail(f"the header is inconsistent with member {name!r}: the member holds shape {shape} "
                             f"{dtype}, the header needs shape {want_shape} {want_dtype.name}",
                             "write the file again from the object it was saved from")
        return _read_data(stream, name, shape, dtype, fortran, r)


def _read_header(zf: zipfile.ZipFile, name: str, info: zipfile.ZipInfo, r: _Reader) -> Any:
    if info.file_size > MAX_HEADER_BYTES + 256:        # JSON bytes and their array header
        raise r.damaged(f"its header declares {info.file_size:,} bytes, more than the "
                        f"{MAX_HEADER_BYTES:,} a header may hold")
    raw = _read_member(zf, name, info, r)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise r.foreign(f"has no neuronlab header ({name!r} is {raw.dtype} of shape {raw.shape}, not JSON bytes)")
    try:
        return json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise r.damaged(f"its header is not JSON ({type(err).__name__}: {err})") from None


def read_container(path: str | os.PathLike, *, header_key: str = "header", kind: str = "model file",
                   missing_hint: str = "",
                   expect: Callable[[Any], Expected | None] | None = None) -> tuple[Any, dict[str, np.ndarray]]:
    """``(header, arrays)`` of a file written by :func:`write_container`.

    ``kind`` names the file in messages (``"model file"``, ``"checkpoint"``); ``missing_hint``
    follows the message for a file that does not exist.  ``expect(header)``, when given, checks
    the header (raising :class:`ModelFileError`) and returns ``{name: (shape, dtype)}`` of every
    array member the file must hold; each member's declared layout is compared with it before
    its data is read, and members it does not name are refused.

    Every declared size is checked before memory is set aside: the header's against
    :data:`MAX_HEADER_BYTES`, each member's ``.npy`` header against the size the archive
    declares for it and that against the file's size (or, compressed, what deflate can give);
    reads are bounded by those sizes and each member's checksum is verified.

    Raises
    ------
    ModelFileError
        The file does not exist; is not a container (empty, text, a bare ``.npy``, a pickle,
        another program's archive); is truncated; has a damaged member or header; holds
        pickled objects; or does not match what ``expect`` says.
    """
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{kind} {path} does not exist{missing_hint}")
    if not path.is_file():
        raise ModelFileError(f"{path} is not a file")
    r = _Reader(path, kind)
    with open(path, "rb") as fh:
        zf, members = _open_members(fh, header_key, r)
        with zf:
            header = _read_header(zf, header_key, members.pop(header_key), r)
            wanted = expect(header) if expect is not None else None
            if wanted is not None:
                missing = [n for n in wanted if n not in members]
                extra = [n for n in members if n not in wanted]
                if missing:
                    raise r.damaged(f"member {missing[0]!r} is missing")
                if extra:
                    raise r.foreign(f"holds member {extra[0]!r}, which a neuronlab {kind} never has")
            arrays = {name: _read_member(zf, name, info, r, None if wanted is None else wanted[name])
                      for name, info in members.items()}
    return header, arrays


def _open_members(fh: IO[bytes], header_key: str | None,
                  r: _Reader) -> tuple[zipfile.ZipFile, dict[str, zipfile.ZipInfo]]:
    """The open archive of ``fh`` and its checked members, or the error saying what it is instead."""
    size = os.fstat(fh.fileno()).st_size
    _diagnose_start(fh, size, r)
    zf = _open_zip(fh, size, r)
    try:
        return zf, _members(zf, size, header_key, r)
    except BaseException:
        zf.close()
        raise


def read_arrays(path: str | os.PathLike, *, kind: str, error: type[Exception], label: str, remedy: str,
                max_bytes: int, limit_hint: str = "") -> dict[str, np.ndarray]:
    """Every array of any ``.npz`` archive, read as :func:`read_container` reads its members:
    never unpickled, every declared size checked (their sum against ``max_bytes``) before
    memory is set aside, each member's checksum verified.

    Numbers and fixed-width text (``dtype.kind`` in ``"biufcUS"``) are read.
    ``kind``, ``label`` and ``remedy`` word the messages ("the {kind} is damaged", "not
    {label}", then ``remedy``); failures raise ``error``; ``limit_hint`` follows the message
    for an archive declaring more than ``max_bytes``.  The caller checks that ``path`` is a file.
    """
    r = _Reader(Path(path), kind, error, label, remedy, dtype_kinds="biufcUS")
    with open(path, "rb") as fh:
        zf, members = _open_members(fh, None, r)
        with zf:
            total = sum(info.file_size for info in members.values())
            if total > max_bytes:
                raise r.fail(f"it declares {total:,} bytes of arrays, more than the limit of {max_bytes:,}",
                             limit_hint)
            return {name: _read_member(zf, name, info, r) for name, info in members.items()}
