"""The data of a sweep: prepared once (split, standardised), identified by a hash, and
rebuilt from its recipe on a worker."""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Mapping, cast

import numpy as np

from ..errors import ArgumentTypeError, DataError


# =======================================================================================
# Data: prepared once, identical everywhere
# =======================================================================================

def _prepare(X: np.ndarray, y: np.ndarray, task: str, n_classes: int, validation_split: float,
             split_seed: int, standardize: bool) -> tuple:
    """``(X_train, y_train, X_val, y_val, info)`` in float32, from a fixed split."""
    from ..datasets import Standardizer, train_test_split
    X = np.asarray(X, dtype=np.float64)
    Xtr, Xv, ytr, yv = train_test_split(X, y, test_size=validation_split, seed=split_seed,
                                        stratify=task == "classification")
    if standardize:
        sc = Standardizer().fit(Xtr)
        Xtr, Xv = sc.transform(Xtr), sc.transform(Xv)
    if task == "classification":
        ytr, yv = ytr.astype(np.int64), yv.astype(np.int64)
        n_out = int(n_classes)
    else:
        ytr, yv = ytr.astype(np.float32), yv.astype(np.float32)
        n_out = 1 if ytr.ndim == 1 else int(ytr.shape[1])
    info = {"task": task, "n_features": int(X.shape[1]), "n_outputs": n_out,
            "metric": "accuracy" if task == "classification" else "mae"}
    arrays = tuple(np.ascontiguousarray(a) for a in (Xtr.astype(np.float32), ytr, Xv.astype(np.float32), yv))
    return arrays + (info,)


def _data_token(prepared: tuple) -> str:
    h = hashlib.sha1()
    for a in prepared[:4]:
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(json.dumps(prepared[4], sort_keys=True).encode())
    return h.hexdigest()[:16]


def _build_generated(recipe: dict[str, Any]) -> tuple:
    from .. import datasets
    ds = datasets.load(recipe["name"], **recipe["options"])
    y = cast(np.ndarray, ds.y)                  # the generated sets have targets
    return _prepare(ds.X, y, ds.task, ds.n_classes, recipe["validation_split"], recipe["split_seed"],
                    recipe["standardize"])


def _resolve_data(data: Any, data_options: Mapping[str, Any] | None, data_seed: int, validation_split: float,
                  standardize: bool) -> tuple[dict[str, Any], tuple, str]:
    """``(spec, prepared, display name)``.  ``spec`` travels with every task: a recipe for
    generated data (rebuilt on the worker), else only the token of the shipped arrays."""
    from .. import datasets
    recipe = None
    if isinstance(data, str):
        key = data.strip().lower().replace("-", "_")
        options = dict(data_options or {})
        if key in datasets.generated_names():
            options["seed"] = data_seed
            recipe = {"name": key, "options": options, "validation_split": validation_split,
                      "split_seed": data_seed, "standardize": standardize}
            prepared = _build_generated(recipe)
            name = key
        else:
            ds = datasets.load(data, **options)
            if ds.y is None:
                raise DataError(f"{data} has no targets; a sweep needs labelled data")
            prepared = _prepare(ds.X, ds.y, ds.task, ds.n_classes, validation_split, data_seed, standardize)
            name = ds.name or os.path.basename(data)
    elif isinstance(data, datasets.Dataset):
        if data.y is None:
            raise DataError("the Dataset has no targets; a sweep needs labelled data")
        prepared = _prepare(data.X, data.y, data.task, data.n_classes, validation_split, data_seed, standardize)
        name = data.name or "dataset"
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        from .._util.validate import check_array, check_labels_length
        X = check_array(data[0], "X", ndim=2, dtype=np.float64)
        y = np.asarray(data[1])
        check_labels_length(X, y)
        if y.dtype.kind in "iub" and y.ndim == 1:
            classes, y = np.unique(y, return_inverse=True)
            if len(classes) < 2:
                raise DataError("y holds a single class; a classifier needs at least two")
            prepared = _prepare(X, y, "classification", len(classes), validation_split, data_seed, standardize)
        else:
            y = check_array(y, "y", ndim=(1, 2), dtype=np.float64)
            prepared = _prepare(X, y, "regression", 0, validation_split, data_seed, standardize)
        name = "arrays"
    else:
        raise ArgumentTypeError("data must be a built-in name ('spirals'), a file path, a neuronlab Dataset or a tuple "
                                f"(X, y); got {type(data).__name__}")
    token = _data_token(prepared)
    spec = {"token": token, "recipe": recipe, "name": name}
    return spec, prepared, name
