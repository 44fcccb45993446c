"""The built-in data sets: the generated 2-D sets (xor, circles, moons, spirals, blobs) and the
small real sets bundled with scikit-learn (digits, iris, wine, breast_cancer, diabetes).

scikit-learn is imported lazily, inside the functions that load its bundled sets, never at
import time.
"""
from __future__ import annotations

import gzip
import os
from typing import Any, Callable

import numpy as np

from .._util.extras import require
from .._util.validate import check_int, check_number
from ..errors import HyperparameterError
from .._util.registry import unknown_name
from .dataset import Dataset, _plain


# ---------------------------------------------------------------------------------------
# Generated 2-D sets
# ---------------------------------------------------------------------------------------

def _check_gen(n: Any, noise: Any, min_n: int = 2) -> tuple[int, float]:
    return check_int("n", n, minimum=min_n), check_number("noise", noise, minimum=0)


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
    check_int("classes", classes, minimum=2)
    n, noise = _check_gen(n, noise, int(classes))
    rng = np.random.default_rng(seed)
    y = _balanced_labels(n, int(classes))
    r = rng.uniform(0.05, 1.0, n)
    theta = 2 * np.pi * (turns * r + y / classes)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)]) + rng.normal(0.0, noise * 0.2, (n, 2))
    return _finish("spirals", X, y, rng, int(classes), f"{classes} spiral arms")


def blobs(n: int = 400, noise: float = 0.5, seed: int | None = 0, centers: int = 3) -> Dataset:
    """``centers`` Gaussian blobs (standard deviation ``noise``) on a circle of radius 2."""
    check_int("centers", centers, minimum=2)
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
    return require("sklearn.datasets", extra="sklearn", package="scikit-learn",
                   what="the built-in real data sets (digits, iris, wine, breast_cancer, diabetes)")


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


def _set_key(name: str) -> str:
    """A built-in set's name as the registries spell it: ``" Breast-Cancer "`` → ``breast_cancer``."""
    return name.strip().lower().replace("-", "_")


def load_sklearn(name: str) -> Dataset:
    """One of scikit-learn's bundled data sets (read from disk, never downloaded)."""
    key = _set_key(name)
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

