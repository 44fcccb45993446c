"""Data files: CSV (read and write), ``.npz`` and IDX (the MNIST format; read and write, plain
or gzip), each read into a :class:`~neuronlab.datasets.Dataset`.

NumPy and the standard library only.
"""
from __future__ import annotations

import csv
import gzip
import io
import math
import os
import struct
import zlib
from typing import Any, Sequence

import numpy as np

from ..errors import ArgumentTypeError, DataError, HyperparameterError, ShapeError
from .._util.files import read_arrays
from .._util.validate import check_array
from .dataset import Dataset, _plain


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise DataError(f"no such file: {path}")
    if os.path.isdir(path):
        raise DataError(f"{path} is a folder, not a data file")


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------

_HEADER_HINT = ("read it with header=False (command line: --no-header) to name the columns x0, x1, … "
                "(the target is still the last column unless named), or add a header row of column names")


def _read_text(path: str) -> str:
    """The whole file as text (UTF-8, an optional byte-order mark dropped)."""
    _check_file(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as err:
        raise DataError(f"{path} could not be read ({err.strerror or err})") from None
    return _decode_text(path, data)


def _decode_text(name: str, data: bytes) -> str:
    """``data`` as UTF-8 text (an optional byte-order mark dropped, line ends kept), refused
    when it is not UTF-8 or holds nothing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"{name} is not a UTF-8 text file ({err.reason} at byte {err.start}); "
                        f"save it as UTF-8 CSV, or give a .npz or IDX file its own extension") from None
    if not text.strip():
        raise DataError(f"{name} is empty; a CSV file needs a header row and at least one data row")
    return text


def _sniff_delimiter(path: str, text: str) -> str:
    """Tab for ``.tsv`` files, else the most frequent of ``,`` ``;`` and tab in the first line."""
    if path.lower().endswith(".tsv"):
        return "\t"
    first = next(line for line in text.splitlines() if line.strip())
    return max([",", ";", "\t"], key=first.count) if any(c in first for c in ",;\t") else ","


def _split_rows(path: str, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(line number, fields) for every row that is not blank."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            if fields and any(f.strip() for f in fields):
                rows.append((reader.line_num, fields))
    except csv.Error as err:
        raise DataError(f"{path}, line {reader.line_num}: {err}") from None
    return rows


def _looks_like_data(first: list[str], rest: list[tuple[int, list[str]]]) -> bool:
    """True when every value of the first row is a number and the rows after it have numbers
    in the same columns (so it reads as a data row, not as column names)."""
    if not all(_finite_float(f) is not None for f in first):
        return False
    for _, fields in rest[:20]:
        if len(fields) == len(first) and not all(_finite_float(f) is not None for f in fields):
            return False
    return True


def _check_header(path: str, line: int, header: list[str]) -> None:
    for i, h in enumerate(header):
        if not h:
            raise DataError(f"{path}, line {line}: column {i + 1} of the header has no name; "
                            f"name every column (or read the file with header=False)")
    seen: set[str] = set()
    for i, h in enumerate(header):
        if h in seen:
            raise DataError(f"{path}, line {line}: the column name '{h}' appears twice in the header "
                            f"(columns {header.index(h) + 1} and {i + 1}); give each column its own name")
        seen.add(h)


def _read_rows(path: str, delimiter: str | None, header: bool | None = None,
               text: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Column names and (line number, fields) for every data row.

    ``header`` None: the first row is the header, and a first row that looks like data is
    refused; True: the first row is the header, whatever it holds; False: every row is data
    and the columns are named ``x0, x1, …``.  ``text``: the file's text, already read
    (``path`` then only names it in the messages).
    """
    if text is None:
        text = _read_text(path)
    rows = _split_rows(path, text, delimiter or _sniff_delimiter(path, text))
    if header is False:
        names = [f"x{i}" for i in range(len(rows[0][1]))]
    else:
        line, first = rows.pop(0)
        if header is None and _looks_like_data(first, rows):
            shown = ", ".join(repr(f.strip()) for f in first[:4]) + (", …" if len(first) > 4 else "")
            raise DataError(f"{path}, line {line}: the first row looks like data, not a header (only numbers: "
                            f"{shown}); {_HEADER_HINT}; if it really is the header, pass header=True")
        names = [f.strip() for f in first]
        _check_header(path, line, names)
        if not rows:
            raise DataError(f"{path} has a header (line {line}) but no data rows")
    for line, fields in rows:
        if len(fields) != len(names):
            what = "one per header column" if header is not False else "as many as the first row"
            raise DataError(f"{path}, line {line}: expected {len(names)} values ({what}), got {len(fields)}")
    return names, rows


def _parse_number(value: str, line: int, column: str, path: str) -> float:
    v = value.strip()
    if not v:
        raise DataError(f"{path}, line {line}, column '{column}': missing value")
    try:
        x = float(v)
    except ValueError:
        hint = " (a decimal comma? write numbers with a decimal point, e.g. 1.5)" \
            if "," in v and _finite_float(v.replace(",", ".")) is not None else ""
        raise DataError(f"{path}, line {line}, column '{column}': {v!r} is not a number{hint}") from None
    if not math.isfinite(x):
        raise DataError(f"{path}, line {line}, column '{column}': {v!r} is not a finite number")
    return x


def _infer_task(values: list[Any], numeric: bool) -> str:
    if not numeric:
        return "classification"
    arr = np.asarray(values, dtype=np.float64)
    if np.all(arr == np.rint(arr)) and len(np.unique(arr)) <= max(2, min(20, len(arr) // 2)):
        return "classification"
    return "regression"


def _finite_float(text: str) -> float | None:
    """``text`` as a finite number, or None when it is not one."""
    try:
        f = float(text)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def _class_values(raw: list[str]) -> tuple[list[Any], bool]:
    """Labels as ints when every label is an integer, else as the stripped strings."""
    out: list[Any] = []
    for v in raw:
        f = _finite_float(v)
        if f is None or f != int(f):
            return [v for v in raw], False
        out.append(int(f))
    return out, True


def _index_classes(labels: list[Any]) -> tuple[list[Any], np.ndarray]:
    """The distinct class labels, sorted (numbers before text), and every label's index into them."""
    classes = sorted(set(labels), key=lambda v: (isinstance(v, str), v))
    index = {c: i for i, c in enumerate(classes)}
    return classes, np.array([index[v] for v in labels], dtype=np.int64)


def _unlabeled(X: np.ndarray, fnames: list[str], task: str, name: str, target: str | None = None) -> Dataset:
    """Features without targets (data to predict on); task ``auto`` reads as classification."""
    return Dataset(X, None, fnames, [], "classification" if task == "auto" else task, name, target)


def read_csv(path: str, target: str | None = None, task: str = "auto", *, delimiter: str | None = None,
             require_target: bool = True, feature_names: Sequence[str] | None = None,
             header: bool | None = None) -> Dataset:
    """Read a CSV (or tab-separated) file, with a header row unless ``header=False``.

    Parameters
    ----------
    path : str
    target : str, optional
        The target column by name; default: the last column.  Class labels may be of any
        type (strings such as ``"setosa"``); they are sorted and mapped to 0..k-1.
    task : {"auto", "classification", "regression"}
        ``auto``: a non-numeric target, or integers with few distinct values, is a class label.
    delimiter : str, optional
        Default: tab for a ``.tsv`` file, else the most frequent of ``,`` ``;`` and tab in the
        first line.
    require_target : bool
        If False and ``feature_names`` are given, the target column may be absent (data to
        predict on); if False without ``feature_names``, every column is a feature when
        ``target`` is not in the header.
    feature_names : sequence of str, optional
        The columns to use as features, in this order (the model's features); by default
        every column but the target.
    header : bool, optional
        None (the default): the first row names the columns, and a first row of numbers only
        (like the rows after it) is refused as a likely missing header.  True: the first row
        is the header, whatever it holds.  False: the file has no header; every row is data
        and the columns are named ``x0``, ``x1``, … (so the default target is the last one).

    Raises
    ------
    DataError
        With the line and column: ``line 17, column 'age': 'abc' is not a number``,
        ``missing value``, a row of the wrong length, an unknown target column, a header
        with an empty or repeated name, a first row that looks like data.
    """
    return _csv_dataset(os.fspath(path), None, target, task, delimiter, require_target, feature_names, header)


def read_csv_bytes(data: bytes, name: str = "upload.csv", target: str | None = None, task: str = "auto", *,
                   delimiter: str | None = None, header: bool | None = None) -> Dataset:
    """Read CSV data held in memory (a file uploaded to the playground) exactly as
    :func:`read_csv` reads a file: the same columns, labels and errors, each naming ``name``.

    >>> d = read_csv_bytes(b"a,b,kind\\n1,2,cat\\n3,4,dog\\n", "pets.csv")
    >>> d.X.tolist(), d.target_names, d.name
    ([[1.0, 2.0], [3.0, 4.0]], ['cat', 'dog'], 'pets.csv')
    """
    if not isinstance(data, (bytes, bytearray)):
        raise ArgumentTypeError(f"data must be the file's bytes, got {type(data).__name__}")
    text = _decode_text(name, bytes(data))
    return _csv_dataset(name, text, target, task, delimiter, True, None, header)


def _csv_dataset(path: str, text: str | None, target: str | None, task: str, delimiter: str | None,
                 require_target: bool, feature_names: Sequence[str] | None, header: bool | None) -> Dataset:
    """The data set of a CSV file (its ``text`` when already read), as :func:`read_csv` describes."""
    if task not in ("auto", "classification", "regression"):
        raise HyperparameterError(f"task must be 'auto', 'classification' or 'regression', got {task!r}")
    if header is not None and not isinstance(header, bool):
        raise ArgumentTypeError(f"header must be True, False or None, got {header!r}")
    names, rows = _read_rows(path, delimiter, header, text)
    target, features = _csv_columns(path, names, target, require_target, feature_names)
    col = {h: i for i, h in enumerate(names)}
    fidx = [col[f] for f in features]
    X = np.empty((len(rows), len(features)), dtype=np.float64)
    for r, (line, fields) in enumerate(rows):
        for j, ci in enumerate(fidx):
            X[r, j] = _parse_number(fields[ci], line, names[ci], path)
    name = os.path.basename(path)
    if target is None or target not in col:
        return _unlabeled(X, features, task, name, target)
    return _csv_targets(path, rows, col[target], target, X, features, task)


def _csv_columns(path: str, header: list[str], target: str | None, require_target: bool,
                 feature_names: Sequence[str] | None) -> tuple[str | None, list[str]]:
    """The target column (None or absent: no targets) and the feature columns of a CSV file."""
    if target is not None and target not in header:
        if require_target or feature_names is None:
            import difflib
            close = difflib.get_close_matches(target, header, n=1, cutoff=0.6)
            hint = f" — did you mean '{close[0]}'?" if close else ""
            raise DataError(f"{path} has no column '{target}'{hint} (its columns: {', '.join(header[:12])}"
                            f"{' …' if len(header) > 12 else ''})")
    if target is None and require_target:
        target = header[-1]
    has_target = target is not None and target in header
    others = [h for h in header if not (has_target and h == target)]
    if feature_names is None:
        features = others
    else:
        missing = [f for f in feature_names if f not in header]
        if missing and len(others) == len(feature_names) and not set(others) & set(feature_names):
            feature_names = others  # no name in common, same count: the columns in file order
            missing = []
        if missing:
            raise DataError(f"{path} lacks the feature column(s) {', '.join(repr(m) for m in missing[:5])}"
                            f"{' …' if len(missing) > 5 else ''}; the model expects the columns "
                            f"{', '.join(feature_names[:8])}{' …' if len(feature_names) > 8 else ''}")
        features = list(feature_names)
    if not features:
        raise DataError(f"{path} has no feature columns besides the target '{target}'")
    return target, features


def _csv_targets(path: str, rows: list[tuple[int, list[str]]], ti: int, target: str, X: np.ndarray,
                 features: list[str], task: str) -> Dataset:
    """The data set of features ``X`` and the targets in column ``ti``, read as ``task`` says."""
    raw = [fields[ti].strip() for _, fields in rows]
    for (line, _), v in zip(rows, raw):
        if not v:
            raise DataError(f"{path}, line {line}, column '{target}': missing value")
    values, numeric = _class_values(raw)
    if not numeric and all(_finite_float(v) is not None for v in raw):
        values = [float(v) for v in raw]
    floats_ok = all(isinstance(v, (int, float)) for v in values)
    kind = task if task != "auto" else _infer_task(values, floats_ok)
    name = os.path.basename(path)
    if kind == "regression":
        if not floats_ok:
            for (line, _), v in zip(rows, raw):
                _parse_number(v, line, target, path)
        y = np.asarray(values, dtype=np.float64)
        return Dataset(X, y, features, [target], "regression", name, target)
    if floats_ok and not numeric:
        values = raw  # e.g. 0.5 / 1.5 treated as classes: keep their text
    classes, y = _index_classes(values)
    return Dataset(X, y, features, classes, "classification", name, target)


def write_csv(path: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write ``rows`` under ``header`` with the csv module (used for predictions)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(list(header))
        w.writerows(rows)


# ---------------------------------------------------------------------------------------
# .npz
# ---------------------------------------------------------------------------------------

_X_KEYS = ("X", "x", "data", "features", "images")
_Y_KEYS = ("y", "Y", "target", "targets", "labels")

MAX_BYTES = 8 * 2**30
"""The most bytes of array data one ``.npz`` or IDX file may declare (8 GiB); larger ones are
refused before anything is read.  ``read_npz``/``read_idx`` take ``max_bytes`` to change it."""

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK\x03\x04"


def _first_bytes(path: str, n: int = 8) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def _npz_arrays(path: str, max_bytes: int) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, read without unpickling and within ``max_bytes``."""
    try:
        return read_arrays(path, kind=".npz file", error=DataError, label="an .npz file",
                           remedy="an .npz file is written by numpy.savez(path, X=X, y=y)", max_bytes=max_bytes,
                           limit_hint="pass max_bytes= to read it if it is genuine")
    except OSError as err:
        raise DataError(f"{path} could not be read ({err.strerror or err})") from None


def read_npz(path: str, task: str = "auto", require_target: bool = True, *,
             max_bytes: int = MAX_BYTES) -> Dataset:
    """Read arrays ``X`` and ``y`` (also ``data``/``target``, ``features``/``labels``) from a ``.npz``
    file; optional string arrays ``feature_names`` and ``target_names`` name them.  Images
    (3-D or more) are flattened to one row per sample.

    Nothing in the file is unpickled, and the sizes the file declares are checked (against
    each other and against ``max_bytes``) before any array is read.

    Raises
    ------
    DataError
        A missing, empty, truncated or damaged file, a file that is not an ``.npz`` archive
        (a single ``.npy`` array, text, random bytes), pickled objects, a file declaring more
        than ``max_bytes``, or no ``X``/``y`` arrays; the message names the file.
    """
    path = os.fspath(path)
    _check_file(path)
    arrays = _npz_arrays(path, max_bytes)
    xk = next((k for k in _X_KEYS if k in arrays), None)
    if xk is None:
        raise DataError(f"{path} has no features array; name it 'X' (it holds: {', '.join(sorted(arrays)) or 'nothing'})")
    X = arrays[xk]
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    elif X.ndim > 2:
        X = X.reshape(len(X), -1)
    X = check_array(X, f"{path}: {xk}", ndim=2, dtype=np.float64)
    fnames = [str(f) for f in arrays["feature_names"]] if "feature_names" in arrays else [f"x{i + 1}" for i in range(X.shape[1])]
    if len(fnames) != X.shape[1]:
        raise DataError(f"{path}: {len(fnames)} feature_names for {X.shape[1]} features")
    yk = next((k for k in _Y_KEYS if k in arrays), None)
    base = os.path.basename(path)
    if yk is None:
        if require_target:
            raise DataError(f"{path} has no targets array; name it 'y' (it holds: {', '.join(sorted(arrays))})")
        return _unlabeled(X, fnames, task, base)
    return _with_targets(X, arrays[yk], fnames, base, task, arrays.get("target_names"), path)


def _with_targets(X: np.ndarray, y: np.ndarray, fnames: list[str], name: str, task: str,
                  target_names: Any, where: str) -> Dataset:
    if len(y) != len(X):
        raise DataError(f"{where}: {len(X)} samples of features but {len(y)} targets")
    if y.dtype.kind in "US" or y.dtype == object:
        labels = [str(v) for v in y.reshape(-1)]
        kind = "classification" if task == "auto" else task
        if kind == "regression":
            raise DataError(f"{where}: the targets are text, so they cannot be regression values")
        text_classes, indices = _index_classes(labels)
        return Dataset(X, indices, fnames, text_classes, kind, name)
    y = check_array(y, f"{where}: targets", ndim=(1, 2), dtype=np.float64)
    if task == "auto":
        kind = _infer_task(y.reshape(-1).tolist(), True) if y.ndim == 1 else "regression"
    else:
        kind = task
    if kind == "regression":
        tnames = [str(t) for t in target_names] if target_names is not None else (
            ["target"] if y.ndim == 1 else [f"target_{i}" for i in range(y.shape[1])])
        return Dataset(X, y, fnames, tnames, "regression", name)
    if y.ndim != 1:
        raise ShapeError(f"{where}: class labels must be one per sample (1-D), got shape {y.shape}")
    if not np.all(y == np.rint(y)):
        raise DataError(f"{where}: class labels must be integers or strings; use task='regression' for values")
    ints = y.astype(np.int64)
    values, indices = _index_classes(ints.tolist())
    if target_names is not None and len(target_names) == max(values) + 1 and min(values) >= 0:
        classes: list[Any] = [_plain(t) for t in target_names]
        return Dataset(X, ints, fnames, [str(c) if isinstance(c, bytes) else c for c in classes], "classification", name)
    return Dataset(X, indices, fnames, values, "classification", name)


# ---------------------------------------------------------------------------------------
# IDX (the MNIST format)
# ---------------------------------------------------------------------------------------

_IDX_TYPES: dict[int, np.dtype] = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int16): 0x0B,
              np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D, np.dtype(np.float64): 0x0E}


def _open_maybe_gzip(path: str):
    with open(path, "rb") as fh:
        magic = fh.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def _is_idx(path: str) -> bool:
    low = path.lower()
    if "idx" in low or "ubyte" in low:
        return True
    try:
        with _open_maybe_gzip(path) as fh:
            head = fh.read(4)
    except (OSError, EOFError, zlib.error):
        return False
    return len(head) == 4 and head[:2] == b"\x00\x00" and head[2] in _IDX_TYPES and 1 <= head[3] <= 8 \
        and not low.endswith((".csv", ".txt", ".tsv"))


def read_idx(path: str, *, max_bytes: int = MAX_BYTES) -> np.ndarray:
    """Read an IDX file (plain or gzip-compressed, detected from its first bytes).

    Returns an array of the file's type and shape (e.g. uint8, (60000, 28, 28) for MNIST images).
    The header is checked before the data is read: a size above ``max_bytes``, or one that the
    file does not hold exactly, is refused.

    Raises
    ------
    DataError
        A missing, empty, truncated or damaged file, a wrong magic number, an unknown type code,
        or sizes that do not match the data; the message names the file.
    """
    path = os.fspath(path)
    _check_file(path)
    try:
        with _open_maybe_gzip(path) as fh:
            return _read_idx_stream(path, fh, max_bytes)
    except DataError:
        raise
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{path} could not be read as an IDX file: the gzip data is damaged or truncated "
                        f"({type(err).__name__}: {err})") from None


def _read_idx_stream(path: str, fh: Any, max_bytes: int) -> np.ndarray:
    head = fh.read(4)
    if not head:
        raise DataError(f"{path} is empty; an IDX file starts with two zero bytes, a type code and a rank")
    if len(head) < 4 or head[0] != 0 or head[1] != 0:
        raise DataError(f"{path} is not an IDX file: it must start with two zero bytes, a type code and a rank "
                        f"(it starts with {head!r})")
    code, ndim = head[2], head[3]
    if code not in _IDX_TYPES:
        raise DataError(f"{path}: unknown IDX type code 0x{code:02X}; known: "
                        f"{', '.join(f'0x{c:02X}' for c in _IDX_TYPES)}")
    dims = fh.read(4 * ndim)
    if ndim == 0 or len(dims) < 4 * ndim:
        raise DataError(f"{path}: IDX header is truncated or has rank 0")
    shape = struct.unpack(f">{ndim}I", dims)
    dt = _IDX_TYPES[code]
    expected = math.prod(shape) * dt.itemsize
    if expected > max_bytes:
        raise DataError(f"{path}: IDX header declares shape {tuple(shape)} ({expected} bytes), more than the "
                        f"limit of {max_bytes}; pass max_bytes= to read it if it is genuine")
    body = fh.read(expected + 1)
    if len(body) != expected:
        held = f"{len(body)} bytes" if len(body) <= expected else "more bytes than that"
        raise DataError(f"{path}: IDX header says shape {tuple(shape)} ({expected} bytes of data) "
                        f"but the file holds {held}")
    return np.frombuffer(body, dtype=dt).reshape(shape).astype(dt.newbyteorder("="))


def write_idx(path: str, array: Any, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file (uint8, int8, int16, int32, float32 or float64);
    gzip-compressed if ``compress`` or, by default, when ``path`` ends in ``.gz``."""
    arr = np.asarray(array)
    if arr.dtype not in _IDX_CODES:
        raise DataError(f"IDX files hold uint8, int8, int16, int32, float32 or float64, got {arr.dtype}")
    if arr.ndim == 0:
        raise ShapeError("an IDX file needs an array of at least one dimension")
    head = bytes([0, 0, _IDX_CODES[arr.dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    body = arr.astype(arr.dtype.newbyteorder(">")).tobytes()
    zipped = str(path).endswith(".gz") if compress is None else compress
    opener = gzip.open if zipped else open
    with opener(path, "wb") as fh:
        fh.write(head + body)


def read_idx_pair(images: str, labels: str | None = None, task: str = "auto") -> Dataset:
    """Images (any rank; flattened to one row per sample, uint8 scaled to [0, 1]) and, optionally,
    their labels, e.g. ``read_idx_pair("train-images.idx3-ubyte", "train-labels.idx1-ubyte")``."""
    imgs = read_idx(images)
    X = imgs.reshape(len(imgs), -1) if imgs.ndim > 1 else imgs.reshape(-1, 1)
    X = X.astype(np.float64)
    if imgs.dtype == np.uint8:
        X /= 255.0
    fnames = [f"pixel_{i}" for i in range(X.shape[1])]
    base = os.path.basename(images)
    if labels is None:
        return _unlabeled(X, fnames, task, base)
    lab = read_idx(labels)
    if len(lab) != len(X):
        raise DataError(f"{images} holds {len(X)} images but {labels} holds {len(lab)} labels")
    return _with_targets(X, lab, fnames, base, task, None, labels)
