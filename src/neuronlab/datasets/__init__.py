"""Data for the command line and the examples: generated 2-D sets, small real sets, CSV,
``.npz`` and IDX files, a stratified train/test split and a JSON-able standardiser.

NumPy only; scikit-learn is imported lazily, and only for its bundled data sets (digits,
iris, wine, breast_cancer, diabetes).  Nothing here ever touches the network.

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

import os
from typing import Any, Sequence

from ..errors import ArgumentTypeError, DataError, HyperparameterError, MissingExtraError, UnknownNameError
from .._util.registry import unknown_name
from .dataset import (Dataset, Standardizer, class_labels, decode_classes, decode_values, encode_targets,
                      model_metadata, prepare_features, train_test_split)
from .builtin import _GENERATED, _SKLEARN, _set_key, blobs, circles, load_sklearn, moons, spirals, xor
from .files import (_NPY_MAGIC, _ZIP_MAGIC, _check_file, _first_bytes, _is_idx, read_csv, read_csv_bytes, read_idx,
                    read_idx_pair, read_npz, write_csv, write_idx)

__all__ = [
    "Dataset", "Standardizer", "MissingExtraError", "names", "generated_names", "real_names", "load",
    "xor", "circles", "moons", "spirals", "blobs", "load_sklearn", "read_csv", "read_csv_bytes", "write_csv", "read_npz", "read_idx",
    "write_idx", "read_idx_pair", "train_test_split", "model_metadata", "prepare_features",
    "encode_targets", "decode_classes", "decode_values", "class_labels",
]


# ---------------------------------------------------------------------------------------
# The built-in names, and loading by name or path
# ---------------------------------------------------------------------------------------

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
            or os.path.splitext(spec)[1].lower() in (".csv", ".npz", ".npy", ".gz", ".idx", ".tsv", ".txt")
            or "ubyte" in spec.lower())


def load(name: str, *, target: str | None = None, task: str = "auto", require_target: bool = True,
         feature_names: Sequence[str] | None = None, header: bool | None = None, **kwargs: Any) -> Dataset:
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
    header : bool, optional
        CSV only: False reads a file without a header row, naming the columns ``x0``, ``x1``, …;
        True takes the first row as the header even when it holds only numbers; None (the
        default) refuses a first row that looks like data (see :func:`read_csv`).

    Raises
    ------
    UnknownNameError
        An unknown or empty name (with a close match and the known names).
    ArgumentTypeError
        ``name`` is not a str.
    DataError
        A missing, damaged or malformed file (the message names the file, and for CSV the line
        and column).
    HyperparameterError
        Options that do not apply to the data named (``header`` for a non-CSV source, generator
        options for a file).
    """
    if not isinstance(name, str):
        raise ArgumentTypeError(f"data must be a built-in name or a file path (a str), got {type(name).__name__}")
    if not name.strip():
        raise UnknownNameError("data must be a built-in name or a file path, got an empty name")
    key = _set_key(name)
    if header is not None and (key in _GENERATED or key in _SKLEARN):
        raise HyperparameterError(f"header= applies to CSV files only, not to the data set '{key}'")
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
    return _load_file(name, target=target, task=task, require_target=require_target,
                      feature_names=feature_names, header=header)


def _load_file(name: str, *, target: str | None, task: str, require_target: bool,
               feature_names: Sequence[str] | None, header: bool | None) -> Dataset:
    """A data set from a file path, or an IDX pair ``"images,labels"``; the format from the
    name and the first bytes (zip and ``.npy`` magic: ``.npz``; IDX; else CSV)."""
    if "," in name:
        if header is not None:
            raise HyperparameterError(f"header= applies to CSV files only, not to the IDX pair {name}")
        parts = [p.strip() for p in name.split(",")]
        if len(parts) != 2 or not all(parts):
            raise DataError(f"an IDX pair is two paths separated by one comma (images,labels), got {name!r}")
        return read_idx_pair(parts[0], parts[1], task=task)
    _check_file(name)
    binary = name.lower().endswith((".npz", ".npy")) or _first_bytes(name).startswith((_ZIP_MAGIC, _NPY_MAGIC))
    if header is not None and (binary or _is_idx(name)):
        raise HyperparameterError(f"header= applies to CSV files only, not to {name}")
    if binary:
        return read_npz(name, task=task, require_target=require_target)
    if _is_idx(name):
        return read_idx_pair(name, None, task=task)
    return read_csv(name, target=target, task=task, require_target=require_target, feature_names=feature_names,
                    header=header)
