"""Data for the command line and the examples: generated 2-D sets, small real sets, CSV,
``.npz`` and IDX files, a stratified train/test split and a JSON-able standardiser.

Floor 4 (faces).  NumPy only; scikit-learn is imported lazily, and only for its bundled
data sets (digits, iris, wine, breast_cancer, diabetes).  Nothing here ever touches the
network.

>>> import neuronlab as nl
>>> data = nl.datasets.load("moons", n=100, noise=0.1, seed=0)
>>> data.X.shape, data.task, data.target_names
((100, 2), 'classification', [0, 1])
>>> train, test = data.split(test_size=0.25, seed=0)
>>> len(train), len(test)
(75, 25)

The preprocessing that a model needs at prediction time (the fitted scaler, the class
labels, the feature names) is stored in ``net.metadata`` by :func:`model_metadata` and
applied again by :func:`prepare_features`, :func:`encode_targets` and
:func:`decode_classes`, so a saved model predicts on raw data.
"""
from __future__ import annotations

import csv
import gzip
import math
import os
import struct
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .errors import (DataError, HyperparameterError, MissingExtraError, ShapeError, check_array,
                     unknown_name)

__all__ = [
    "Dataset", "Standardizer", "MissingExtraError", "names", "generated_names", "real_names", "load",
    "xor", "circles", "moons", "spirals", "blobs", "load_sklearn", "read_csv", "read_npz", "read_idx",
    "write_idx", "read_idx_pair", "train_test_split", "model_metadata", "prepare_features",
    "encode_targets", "decode_classes", "decode_values", "class_labels",
]


# ---------------------------------------------------------------------------------------
# The Dataset record
# ---------------------------------------------------------------------------------------

@dataclass
class Dataset:
    """Features, targets and what they mean.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray or None
        Classification: int64 class indices into ``target_names``.  Regression: float64
        values, shape (n_samples,) or (n_samples, n_targets).  ``None`` for unlabeled data
        (e.g. a CSV file without its target column, read for prediction).
    feature_names : list of str
    target_names : list
        Classification: the class labels (any JSON-able type: ints or strings), in index
        order.  Regression: the name(s) of the target value(s).
    task : {"classification", "regression"}
    name : str
        Where the data came from.
    target : str or None
        Name of the target column (CSV).
    """

    X: np.ndarray
    y: np.ndarray | None
    feature_names: list[str]
    target_names: list[Any]
    task: str = "classification"
    name: str = ""
    target: str | None = None
    description: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.task not in ("classification", "regression"):
            raise HyperparameterError(f"task must be 'classification' or 'regression', got {self.task!r}")
        if self.X.ndim != 2:
            raise ShapeError(f"Dataset.X must be 2-D, got shape {self.X.shape}")
        if self.y is not None and len(self.y) != len(self.X):
            raise DataError(f"Dataset has {len(self.X)} rows of features but {len(self.y)} targets")
        if len(self.feature_names) != self.X.shape[1]:
            raise ShapeError(f"{len(self.feature_names)} feature names for {self.X.shape[1]} features")

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_samples(self) -> int:
        return len(self)

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        """Number of classes (0 for regression)."""
        return len(self.target_names) if self.task == "classification" else 0

    @property
    def labels(self) -> list[Any] | None:
        """The targets as the original class labels (classification) or values."""
        if self.y is None:
            return None
        if self.task == "classification":
            return [self.target_names[int(i)] for i in self.y]
        return self.y.tolist()

    def subset(self, index: Any) -> "Dataset":
        """The rows ``index`` (an index array or a boolean mask) as a new Dataset."""
        return Dataset(self.X[index], None if self.y is None else self.y[index], list(self.feature_names),
                       list(self.target_names), self.task, self.name, self.target, self.description)

    def split(self, test_size: float = 0.2, seed: int | None = 0,
              stratify: bool | None = None) -> tuple["Dataset", "Dataset"]:
        """``(train, test)``; stratified by class for classification unless ``stratify=False``."""
        if self.y is None:
            raise DataError(f"{self.name or 'this data'} has no targets to split by")
        strat = self.task == "classification" if stratify is None else stratify
        train, test = _split_indices(self.y, test_size, seed, strat)
        return self.subset(train), self.subset(test)

    def __repr__(self) -> str:
        extra = f", {self.n_classes} classes" if self.task == "classification" else ""
        return (f"Dataset({self.name!r}, {self.n_samples} samples, {self.n_features} features, "
                f"{self.task}{extra})")


# ---------------------------------------------------------------------------------------
# Generated 2-D sets
# ---------------------------------------------------------------------------------------

def _check_gen(n: Any, noise: Any, min_n: int = 2) -> tuple[int, float]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < min_n:
        raise HyperparameterError(f"n must be an integer >= {min_n}, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.floating, np.integer)) \
            or not np.isfinite(noise) or noise < 0:
        raise HyperparameterError(f"noise must be a number >= 0, got {noise!r}")
    return int(n), float(noise)


def _balanced_labels(n: int, k: int) -> np.ndarray:
    return np.arange(n) % k


def _finish(name: str, X: np.ndarray, y: np.ndarray, rng: np.random.Generator, k: int, desc: str) -> Dataset:
    perm = rng.permutation(len(X))
    return Dataset(np.ascontiguousarray(X[perm], dtype=np.float64), y[perm].astype(np.int64), ["x1", "x2"],
                   list(range(k)), "classification", name, None, desc)


def xor(n: int = 400, noise: float = 0.2, seed: int | None = 0) -> Dataset:
    """Four Gaussian clusters at the corners (±1, ±1); class 1 where exactly one coordinate is positive.

    Not linearly separable: a network needs a hidden layer (a perceptron cannot learn it).
    """
    n, noise = _check_gen(n, noise, 4)
    rng = np.random.default_rng(seed)
    corner = _balanced_labels(n, 4)
    centers = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    X = centers[corner] + rng.normal(0.0, noise, (n, 2))
    y = (corner >= 2).astype(np.int64)
    return _finish("xor", X, y, rng, 2, "XOR: four clusters, opposite corners share a class")


def circles(n: int = 400, noise: float = 0.05, seed: int | None = 0, factor: float = 0.5) -> Dataset:
    """Two concentric circles (radius 1 = class 0, radius ``factor`` = class 1)."""
    n, noise = _check_gen(n, noise)
    if not 0 < factor < 1:
        raise HyperparameterError(f"factor must be in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    angle = rng.uniform(0.0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, factor)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]) + rng.normal(0.0, noise, (n, 2))
    return _finish("circles", X, y, rng, 2, "two concentric circles")


def moons(n: int = 400, noise: float = 0.1, seed: int | None = 0) -> Dataset:
    """Two interleaving half circles."""
    n, noise = _check_gen(n, noise)
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, 2)
    t = rng.uniform(0.0, np.pi, n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)]))
    X = X + rng.normal(0.0, noise, (n, 2))
    return _finish("moons", X, y, rng, 2, "two interleaving half circles")


def spirals(n: int = 600, noise: float = 0.1, seed: int | None = 0, classes: int = 3, turns: float = 1.0) -> Dataset:
    """``classes`` interleaved spiral arms (3 by default), each ``turns`` turns long."""
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise HyperparameterError(f"classes must be an integer >= 2, got {classes!r}")
    n, noise = _check_gen(n, noise, int(classes))
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, int(classes))
    r = rng.uniform(0.05, 1.0, n)
    theta = 2 * np.pi * (turns * r + y / classes)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)]) + rng.normal(0.0, noise * 0.2, (n, 2))
    return _finish("spirals", X, y, rng, int(classes), f"{classes} spiral arms")


def blobs(n: int = 400, noise: float = 0.5, seed: int | None = 0, centers: int = 3) -> Dataset:
    """``centers`` Gaussian blobs (standard deviation ``noise``) on a circle of radius 2."""
    if isinstance(centers, bool) or not isinstance(centers, (int, np.integer)) or centers < 2:
        raise HyperparameterError(f"centers must be an integer >= 2, got {centers!r}")
    n, noise = _check_gen(n, noise, int(centers))
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, int(centers))
    angle = 2 * np.pi * np.arange(centers) / centers
    middles = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = middles[y] + rng.normal(0.0, noise, (n, 2))
    return _finish("blobs", X, y, rng, int(centers), f"{centers} Gaussian blobs")


_GENERATED: dict[str, Callable[..., Dataset]] = {
    "xor": xor, "circles": circles, "moons": moons, "spirals": spirals, "blobs": blobs,
}

# ---------------------------------------------------------------------------------------
# Small real sets bundled with scikit-learn (no download)
# ---------------------------------------------------------------------------------------

_SKLEARN = {
    "digits": ("load_digits", "classification", "8×8 images of handwritten digits, 1797 samples, 10 classes"),
    "iris": ("load_iris", "classification", "150 iris flowers, 4 measurements, 3 species"),
    "wine": ("load_wine", "classification", "178 wines, 13 chemical measurements, 3 cultivars"),
    "breast_cancer": ("load_breast_cancer", "classification", "569 tumours, 30 features, malignant/benign"),
    "diabetes": ("load_diabetes", "regression", "442 patients, 10 features, disease progression after a year"),
}


def _sklearn_datasets():
    try:
        import sklearn.datasets as skd
    except ImportError:
        raise MissingExtraError(
            "the built-in real data sets (digits, iris, wine, breast_cancer, diabetes) come bundled with "
            "scikit-learn, which is not installed; install it with: pip install 'neuronlab[sklearn]'"
        ) from None
    return skd


def _digits_without_importing_sklearn() -> Dataset | None:
    """digits straight from scikit-learn's bundled ``digits.csv.gz``: the same numbers as
    ``sklearn.datasets.load_digits()`` without the second or so that importing scikit-learn
    takes (``neuronlab train`` with no options starts faster).  None if the file is not there."""
    import importlib.util
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "datasets", "data", "digits.csv.gz")
    try:
        with gzip.open(path, "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.float64)
    except (OSError, ValueError, EOFError):
        return None
    if table.ndim != 2 or table.shape[1] != 65:
        return None
    X = np.ascontiguousarray(table[:, :64])
    y = table[:, 64].astype(np.int64)
    features = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
    return Dataset(X, y, features, list(range(10)), "classification", "digits", None, _SKLEARN["digits"][2])


def load_sklearn(name: str) -> Dataset:
    """One of scikit-learn's bundled data sets (read from disk, never downloaded)."""
    key = name.strip().lower().replace("-", "_")
    if key not in _SKLEARN:
        raise unknown_name("data set", name, list(_SKLEARN))
    fn_name, task, desc = _SKLEARN[key]
    if key == "digits":
        fast = _digits_without_importing_sklearn()
        if fast is not None:
            return fast
    skd = _sklearn_datasets()
    bunch = getattr(skd, fn_name)()
    X = np.ascontiguousarray(bunch.data, dtype=np.float64)
    raw_names = getattr(bunch, "feature_names", None)
    features = [str(f) for f in (raw_names if raw_names is not None else [])]
    if len(features) != X.shape[1]:
        features = [f"pixel_{i}" if key == "digits" else f"x{i + 1}" for i in range(X.shape[1])]
    if task == "classification":
        y = np.asarray(bunch.target, dtype=np.int64)
        targets: list[Any] = [_plain(t) for t in bunch.target_names]
    else:
        y = np.asarray(bunch.target, dtype=np.float64)
        targets = ["target"]
    return Dataset(X, y, features, targets, task, key, None, desc)


def _plain(v: Any) -> Any:
    """NumPy scalars to plain Python (JSON-able) values."""
    return v.item() if isinstance(v, np.generic) else v


def generated_names() -> list[str]:
    """Names of the generated 2-D sets."""
    return sorted(_GENERATED)


def real_names() -> list[str]:
    """Names of the small real sets (scikit-learn's bundled data)."""
    return sorted(_SKLEARN)


def names() -> list[str]:
    """Every built-in data set name."""
    return sorted([*_GENERATED, *_SKLEARN])


def describe() -> list[dict[str, str]]:
    """One row per built-in data set: name, kind, task, description."""
    rows = [{"name": k, "source": "generated", "task": "classification", "description": (f.__doc__ or "").split("\n")[0]}
            for k, f in sorted(_GENERATED.items())]
    rows += [{"name": k, "source": "scikit-learn", "task": v[1], "description": v[2]} for k, v in sorted(_SKLEARN.items())]
    return rows


def _looks_like_path(spec: str) -> bool:
    return (os.sep in spec or "/" in spec or "," in spec or os.path.exists(spec)
            or os.path.splitext(spec)[1].lower() in (".csv", ".npz", ".gz", ".idx", ".tsv", ".txt")
            or "ubyte" in spec.lower())


def load(name: str, *, target: str | None = None, task: str = "auto", require_target: bool = True,
         feature_names: Sequence[str] | None = None, **kwargs: Any) -> Dataset:
    """A data set by built-in name or from a file.

    Parameters
    ----------
    name : str
        A generated set (``xor``, ``circles``, ``moons``, ``spirals``, ``blobs``; keyword
        arguments ``n``, ``noise``, ``seed`` and the set's own), a real set
        (``digits``, ``iris``, ``wine``, ``breast_cancer``, ``diabetes``), a ``.csv`` file, a
        ``.npz`` file (arrays ``X`` and ``y``), or an IDX image/label pair
        ``"images.idx3-ubyte,labels.idx1-ubyte"`` (plain or gzip; one IDX file alone gives
        unlabeled images).
    target : str, optional
        CSV only: the target column (default: the last column).
    task : {"auto", "classification", "regression"}
        Files only: how to read the targets (auto: strings and few distinct integers are classes).
    require_target : bool
        Files only: if False, a file without targets is read as unlabeled features.
    feature_names : sequence of str, optional
        CSV only: the feature columns to read, in this order (a model's features).

    Raises
    ------
    UnknownNameError
        An unknown name (with a close match and the known names).
    DataError
        A missing or malformed file (the message names the line and column).
    """
    if not isinstance(name, str) or not name.strip():
        raise DataError("data must be a built-in name or a file path, got an empty name")
    key = name.strip().lower().replace("-", "_")
    if key in _GENERATED:
        try:
            return _GENERATED[key](**kwargs)
        except TypeError as err:
            raise HyperparameterError(f"data set '{key}': {err}") from None
    if key in _SKLEARN:
        if kwargs:
            raise HyperparameterError(f"data set '{key}' takes no options, got {sorted(kwargs)}")
        return load_sklearn(key)
    if not _looks_like_path(name):
        raise unknown_name("data set", name, names())
    if kwargs:
        raise HyperparameterError(f"options {sorted(kwargs)} apply to generated data sets only")
    if "," in name:
        parts = [p.strip() for p in name.split(",")]
        if len(parts) != 2 or not all(parts):
            raise DataError(f"an IDX pair is two paths separated by one comma (images,labels), got {name!r}")
        return read_idx_pair(parts[0], parts[1], task=task)
    _check_file(name)
    low = name.lower()
    if low.endswith(".npz"):
        return read_npz(name, task=task, require_target=require_target)
    if _is_idx(name):
        return read_idx_pair(name, None, task=task)
    return read_csv(name, target=target, task=task, require_target=require_target, feature_names=feature_names)


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise DataError(f"no such file: {path}")
    if os.path.isdir(path):
        raise DataError(f"{path} is a folder, not a data file")


# ---------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------

def _read_rows(path: str, delimiter: str | None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, fields) for every non-blank row."""
    _check_file(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
    except UnicodeDecodeError as err:
        raise DataError(f"{path} is not a UTF-8 text file ({err.reason} at byte {err.start})") from None
    if not text.strip():
        raise DataError(f"{path} is empty; a CSV file needs a header row and at least one data row")
    if delimiter is None:
        first = text.splitlines()[0]
        delimiter = max([",", ";", "\t"], key=first.count) if any(c in first for c in ",;\t") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue
            if header is None:
                header = [f.strip() for f in fields]
                continue
            rows.append((reader.line_num, fields))
    except csv.Error as err:
        raise DataError(f"{path}, line {reader.line_num}: {err}") from None
    assert header is not None
    for i, h in enumerate(header):
        if not h:
            raise DataError(f"{path}, line 1: column {i + 1} of the header has no name")
    seen: set[str] = set()
    for h in header:
        if h in seen:
            raise DataError(f"{path}, line 1: the column name '{h}' appears twice in the header")
        seen.add(h)
    for line, fields in rows:
        if len(fields) != len(header):
            raise DataError(f"{path}, line {line}: expected {len(header)} values (one per header column), "
                            f"got {len(fields)}")
    if not rows:
        raise DataError(f"{path} has a header but no data rows")
    return header, rows


def _parse_number(value: str, line: int, column: str, path: str) -> float:
    v = value.strip()
    if not v:
        raise DataError(f"{path}, line {line}, column '{column}': missing value")
    try:
        x = float(v)
    except ValueError:
        raise DataError(f"{path}, line {line}, column '{column}': {v!r} is not a number") from None
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


def _class_values(raw: list[str]) -> tuple[list[Any], bool]:
    """Labels as ints when every label is an integer, else as the stripped strings."""
    out: list[Any] = []
    for v in raw:
        try:
            f = float(v)
        except ValueError:
            return [v for v in raw], False
        if not math.isfinite(f) or f != int(f):
            return [v for v in raw], False
        out.append(int(f))
    return out, True


def read_csv(path: str, target: str | None = None, task: str = "auto", *, delimiter: str | None = None,
             require_target: bool = True, feature_names: Sequence[str] | None = None) -> Dataset:
    """Read a CSV file with a header row.

    Parameters
    ----------
    path : str
    target : str, optional
        The target column by name; default: the last column.  Class labels may be of any
        type (strings such as ``"setosa"``); they are sorted and mapped to 0..k-1.
    task : {"auto", "classification", "regression"}
        ``auto``: a non-numeric target, or integers with few distinct values, is a class label.
    delimiter : str, optional
        Default: the most frequent of ``,`` ``;`` and tab in the header line.
    require_target : bool
        If False and ``feature_names`` are given, the target column may be absent (data to
        predict on); if False without ``feature_names``, every column is a feature when
        ``target`` is not in the header.
    feature_names : sequence of str, optional
        The columns to use as features, in this order (the model's features); by default
        every column but the target.

    Raises
    ------
    DataError
        With the line and column: ``line 17, column 'age': 'abc' is not a number``,
        ``missing value``, a row of the wrong length, an unknown target column.
    """
    if task not in ("auto", "classification", "regression"):
        raise HyperparameterError(f"task must be 'auto', 'classification' or 'regression', got {task!r}")
    header, rows = _read_rows(str(path), delimiter)
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
    if feature_names is not None:
        missing = [f for f in feature_names if f not in header]
        others = [h for h in header if not (has_target and h == target)]
        if missing and len(others) == len(feature_names) and not set(others) & set(feature_names):
            feature_names = others  # no name in common, same count: the columns in file order
            missing = []
        if missing:
            raise DataError(f"{path} lacks the feature column(s) {', '.join(repr(m) for m in missing[:5])}"
                            f"{' …' if len(missing) > 5 else ''}; the model expects the columns "
                            f"{', '.join(feature_names[:8])}{' …' if len(feature_names) > 8 else ''}")
        features = list(feature_names)
    else:
        features = [h for h in header if not (has_target and h == target)]
    if not features:
        raise DataError(f"{path} has no feature columns besides the target '{target}'")
    col = {h: i for i, h in enumerate(header)}
    fidx = [col[f] for f in features]
    X = np.empty((len(rows), len(features)), dtype=np.float64)
    for r, (line, fields) in enumerate(rows):
        for j, ci in enumerate(fidx):
            X[r, j] = _parse_number(fields[ci], line, header[ci], path)
    if not has_target:
        return Dataset(X, None, features, [], "classification" if task == "auto" else task,
                       os.path.basename(str(path)), target)
    ti = col[target]
    raw = [fields[ti].strip() for _, fields in rows]
    for (line, _), v in zip(rows, raw):
        if not v:
            raise DataError(f"{path}, line {line}, column '{target}': missing value")
    values, numeric = _class_values(raw)
    if not numeric:
        numbers_ok = True
        for v in raw:
            try:
                if not math.isfinite(float(v)):
                    numbers_ok = False
                    break
            except ValueError:
                numbers_ok = False
                break
        if numbers_ok:
            values = [float(v) for v in raw]
    floats_ok = all(isinstance(v, (int, float)) for v in values)
    kind = task if task != "auto" else _infer_task(values, floats_ok)
    if kind == "regression":
        if not floats_ok:
            for (line, _), v in zip(rows, raw):
                _parse_number(v, line, target, path)
        y = np.asarray(values, dtype=np.float64)
        return Dataset(X, y, features, [target], "regression", os.path.basename(str(path)), target)
    if floats_ok and not numeric:
        values = raw  # e.g. 0.5 / 1.5 treated as classes: keep their text
    classes = sorted(set(values), key=lambda v: (isinstance(v, str), v))
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[v] for v in values], dtype=np.int64)
    return Dataset(X, y, features, classes, "classification", os.path.basename(str(path)), target)


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


def read_npz(path: str, task: str = "auto", require_target: bool = True) -> Dataset:
    """Read arrays ``X`` and ``y`` (also ``data``/``target``, ``features``/``labels``) from a ``.npz``
    file; optional string arrays ``feature_names`` and ``target_names`` name them.  Images
    (3-D or more) are flattened to one row per sample."""
    _check_file(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (ValueError, OSError, EOFError) as err:
        raise DataError(f"{path} is not a readable .npz file ({err})") from None
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
        return Dataset(X, None, fnames, [], "classification" if task == "auto" else task, base)
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
        classes = sorted(set(labels))
        index = {c: i for i, c in enumerate(classes)}
        return Dataset(X, np.array([index[v] for v in labels], dtype=np.int64), fnames, classes, kind, name)
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
        raise DataError(f"{where}: class labels must be one per sample (1-D), got shape {y.shape}")
    if not np.all(y == np.rint(y)):
        raise DataError(f"{where}: class labels must be integers or strings; use task='regression' for values")
    ints = y.astype(np.int64)
    values = sorted(set(ints.tolist()))
    if target_names is not None and len(target_names) == max(values) + 1 and min(values) >= 0:
        classes: list[Any] = [_plain(t) for t in target_names]
        return Dataset(X, ints, fnames, [str(c) if isinstance(c, bytes) else c for c in classes], "classification", name)
    index = {c: i for i, c in enumerate(values)}
    return Dataset(X, np.array([index[v] for v in ints.tolist()], dtype=np.int64), fnames, values, "classification", name)


# ---------------------------------------------------------------------------------------
# IDX (the MNIST format)
# ---------------------------------------------------------------------------------------

_IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
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
    except (OSError, EOFError):
        return False
    return len(head) == 4 and head[:2] == b"\x00\x00" and head[2] in _IDX_TYPES and 1 <= head[3] <= 8 \
        and not low.endswith((".csv", ".txt", ".tsv"))


def read_idx(path: str) -> np.ndarray:
    """Read an IDX file (plain or gzip-compressed, detected from its first bytes).

    Returns an array of the file's type and shape (e.g. uint8, (60000, 28, 28) for MNIST images).
    """
    _check_file(path)
    try:
        with _open_maybe_gzip(path) as fh:
            data = fh.read()
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"{path} could not be read as an IDX file ({err})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{path} is not an IDX file: it must start with two zero bytes, a type code and a rank")
    code, ndim = data[2], data[3]
    if code not in _IDX_TYPES:
        raise DataError(f"{path}: unknown IDX type code 0x{code:02X}; known: "
                        f"{', '.join(f'0x{c:02X}' for c in _IDX_TYPES)}")
    if ndim == 0 or len(data) < 4 + 4 * ndim:
        raise DataError(f"{path}: IDX header is truncated or has rank 0")
    shape = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    dt = _IDX_TYPES[code]
    expected = int(np.prod(shape)) * dt.itemsize
    body = data[4 + 4 * ndim:]
    if len(body) != expected:
        raise DataError(f"{path}: IDX header says shape {tuple(shape)} ({expected} bytes of data) "
                        f"but the file holds {len(body)} bytes")
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
        return Dataset(X, None, fnames, [], "classification" if task == "auto" else task, base)
    lab = read_idx(labels)
    if len(lab) != len(X):
        raise DataError(f"{images} holds {len(X)} images but {labels} holds {len(lab)} labels")
    return _with_targets(X, lab, fnames, base, task, None, labels)


# ---------------------------------------------------------------------------------------
# Splitting and scaling
# ---------------------------------------------------------------------------------------

def _split_indices(y: np.ndarray, test_size: float, seed: int | None, stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)) or not 0 < test_size < 1:
        raise HyperparameterError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    n = len(y)
    rng = np.random.default_rng(seed)
    if stratify:
        labels = np.asarray(y)
        if labels.ndim != 1:
            raise DataError("stratified splitting needs one class label per sample")
        classes, counts = np.unique(labels, return_counts=True)
        # per-class test sizes that add up to the overall size (largest remainders get the extra ones)
        exact = counts * test_size
        sizes = np.floor(exact).astype(np.int64)
        extra = int(math.floor(n * test_size + 0.5)) - int(sizes.sum())
        if extra > 0:
            order = np.argsort(-(exact - sizes), kind="stable")
            sizes[order[:extra]] += 1
        sizes = np.where(counts >= 2, np.clip(sizes, 1, counts - 1), sizes)
        test_parts = []
        for c, k in zip(classes, sizes):
            idx = np.flatnonzero(labels == c)
            test_parts.append(idx[rng.permutation(len(idx))][:k])
        test = np.concatenate(test_parts)
    else:
        k = int(math.floor(n * test_size + 0.5))
        test = rng.permutation(n)[:k]
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    train, test = np.flatnonzero(~mask), np.flatnonzero(mask)
    if len(train) == 0 or len(test) == 0:
        raise HyperparameterError(f"test_size={test_size} leaves {len(train)} training and {len(test)} test "
                                  f"samples out of {n}; use more data or another fraction")
    return train[rng.permutation(len(train))], test[rng.permutation(len(test))]


def train_test_split(X: Any, y: Any, test_size: float = 0.2, seed: int | None = 0,
                     stratify: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_test, y_train, y_test``; with ``stratify=True`` every class keeps its share
    (each class with at least two samples appears on both sides)."""
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise DataError(f"X has {len(X)} samples but y has {len(y)}")
    train, test = _split_indices(y, test_size, seed, stratify)
    return X[train], X[test], y[train], y[test]


class Standardizer:
    """Scale every feature to mean 0 and standard deviation 1: ``(X − mean) / scale``.

    A feature that is constant in the fitted data keeps scale 1.  :meth:`to_dict` /
    :meth:`from_dict` store it as JSON-able lists.

    >>> s = Standardizer().fit([[0.0, 10.0], [2.0, 10.0]])
    >>> s.to_dict()
    {'mean': [1.0, 10.0], 'scale': [1.0, 1.0]}
    """

    def __init__(self, mean: Any = None, scale: Any = None) -> None:
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float64).reshape(-1)
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float64).reshape(-1)
        if (self.mean is None) != (self.scale is None):
            raise HyperparameterError("give both mean and scale, or neither")
        if self.mean is not None:
            if self.mean.shape != self.scale.shape:
                raise ShapeError(f"mean has {self.mean.size} values but scale has {self.scale.size}")
            if not (np.all(np.isfinite(self.mean)) and np.all(np.isfinite(self.scale)) and np.all(self.scale > 0)):
                raise DataError("a scaler needs finite means and positive, finite scales")

    @property
    def fitted(self) -> bool:
        return self.mean is not None

    def fit(self, X: Any) -> "Standardizer":
        X = check_array(X, "X", ndim=2, dtype=np.float64)
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale = np.where(std > 1e-12 * np.maximum(1.0, np.abs(self.mean)), std, 1.0)
        return self

    def _check(self, X: Any) -> np.ndarray:
        if self.mean is None:
            from .errors import NotFittedError
            raise NotFittedError("this Standardizer is not fitted; call fit(X) first")
        X = check_array(X, "X", ndim=2, dtype=np.float64)
        if X.shape[1] != self.mean.size:
            raise ShapeError(f"X has {X.shape[1]} features but the scaler was fitted on {self.mean.size}")
        return X

    def transform(self, X: Any) -> np.ndarray:
        return (self._check(X) - self.mean) / self.scale

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        return self._check(X) * self.scale + self.mean

    def to_dict(self) -> dict[str, list[float]]:
        if self.mean is None:
            return {}
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "Standardizer":
        if not d:
            return cls()
        try:
            return cls(d["mean"], d["scale"])
        except (KeyError, TypeError) as err:
            raise DataError(f"a stored scaler needs 'mean' and 'scale' lists ({err})") from None

    def __repr__(self) -> str:
        return f"Standardizer({'fitted on ' + str(self.mean.size) + ' features' if self.fitted else 'not fitted'})"


# ---------------------------------------------------------------------------------------
# What a model file carries: preprocessing in net.metadata
# ---------------------------------------------------------------------------------------

def model_metadata(data: Dataset, scaler: Standardizer | None = None,
                   target_scaler: Standardizer | None = None) -> dict[str, Any]:
    """The JSON-able facts a model needs to predict on raw data like ``data``::

        {"task", "classes" (classification), "feature_names", "target", "dataset",
         "scaler": {"mean", "scale"}, "target_scaler" (regression, optional),
         "target_names" (regression)}

    Store it in ``net.metadata`` before saving.
    """
    meta: dict[str, Any] = {"task": data.task, "feature_names": list(data.feature_names),
                            "target": data.target, "dataset": data.name}
    if data.task == "classification":
        meta["classes"] = [_plain(c) for c in data.target_names]
    else:
        meta["target_names"] = [str(t) for t in data.target_names]
    if scaler is not None and scaler.fitted:
        meta["scaler"] = scaler.to_dict()
    if target_scaler is not None and target_scaler.fitted:
        meta["target_scaler"] = target_scaler.to_dict()
    return meta


def class_labels(metadata: dict[str, Any] | None, n_classes: int) -> list[Any]:
    """The model's class labels (``0..k-1`` when the metadata has none)."""
    classes = (metadata or {}).get("classes")
    if classes and len(classes) == n_classes:
        return list(classes)
    return list(range(n_classes))


def prepare_features(metadata: dict[str, Any] | None, data: Dataset | np.ndarray, n_inputs: int | None = None) -> np.ndarray:
    """The model's inputs for raw ``data``: columns in the model's feature order (for a
    Dataset with names) and the stored scaler applied."""
    meta = metadata or {}
    if isinstance(data, Dataset):
        X = data.X
        names_ = meta.get("feature_names")
        if names_ and list(data.feature_names) != list(names_) and set(names_) <= set(data.feature_names):
            pos = {f: i for i, f in enumerate(data.feature_names)}
            X = X[:, [pos[f] for f in names_]]
    else:
        X = check_array(data, "X", ndim=2, dtype=np.float64)
    expected = n_inputs if n_inputs is not None else len(meta.get("feature_names") or []) or None
    if expected is not None and X.shape[1] != expected:
        raise ShapeError(f"the data has {X.shape[1]} features but the model takes {expected}"
                         + (f" ({', '.join(meta['feature_names'][:6])}{' …' if len(meta['feature_names']) > 6 else ''})"
                            if meta.get("feature_names") else ""))
    if meta.get("scaler"):
        X = Standardizer.from_dict(meta["scaler"]).transform(X)
    return np.ascontiguousarray(X, dtype=np.float64)


def encode_targets(metadata: dict[str, Any] | None, data: Dataset) -> np.ndarray:
    """``data``'s targets in the model's encoding: class indices of the model's classes
    (matched by label, so a CSV with the classes in another order still works), or values
    scaled by the stored target scaler."""
    if data.y is None:
        raise DataError(f"{data.name or 'the data'} has no target column; evaluation needs the true targets"
                        + (f" ('{data.target}')" if data.target else ""))
    meta = metadata or {}
    task = meta.get("task", data.task)
    if task == "classification":
        if data.task != "classification":
            raise DataError("the model is a classifier but the data's targets are continuous values")
        classes = meta.get("classes")
        if classes is None:
            return data.y.astype(np.int64)
        index = {str(c): i for i, c in enumerate(classes)}
        labels = data.labels or []
        out = np.empty(len(labels), dtype=np.int64)
        for r, lab in enumerate(labels):
            i = index.get(str(lab))
            if i is None:
                shown = ", ".join(str(c) for c in classes[:10])
                raise DataError(f"row {r + 1}: class {lab!r} was not seen in training; the model knows: {shown}"
                                f"{' …' if len(classes) > 10 else ''}")
            out[r] = i
        return out
    y = np.asarray(data.y, dtype=np.float64)
    if data.task == "classification":  # integer values read as classes: use the values
        y = np.asarray(data.labels, dtype=np.float64)
    y = y.reshape(len(y), -1)
    if meta.get("target_scaler"):
        y = Standardizer.from_dict(meta["target_scaler"]).transform(y)
    return y


def decode_classes(metadata: dict[str, Any] | None, indices: Any, n_classes: int) -> list[Any]:
    """Class indices back to the original labels."""
    labels = class_labels(metadata, n_classes)
    return [labels[int(i)] for i in np.asarray(indices).reshape(-1)]


def decode_values(metadata: dict[str, Any] | None, values: Any) -> np.ndarray:
    """Regression outputs back to the original units (undoing the stored target scaler)."""
    v = np.asarray(values, dtype=np.float64)
    v = v.reshape(len(v), -1)
    meta = metadata or {}
    if meta.get("target_scaler"):
        v = Standardizer.from_dict(meta["target_scaler"]).inverse_transform(v)
    return v
