"""The :class:`~neuronlab.datasets.Dataset` record and what is done to one before and after a
model sees it: the (stratified) train/test split, the JSON-able :class:`Standardizer`, and the
preprocessing facts stored in ``net.metadata`` (:func:`model_metadata`,
:func:`prepare_features`, :func:`encode_targets`, :func:`decode_classes`, :func:`decode_values`).

NumPy only; the lowest part of :mod:`neuronlab.datasets` (it imports none of the others).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import DataError, HyperparameterError, ShapeError
from .._util.validate import check_array, check_fraction


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


def _plain(v: Any) -> Any:
    """NumPy scalars to plain Python (JSON-able) values."""
    return v.item() if isinstance(v, np.generic) else v


# ---------------------------------------------------------------------------------------
# Splitting and scaling
# ---------------------------------------------------------------------------------------

def _split_indices(y: np.ndarray, test_size: float, seed: int | None, stratify: bool) -> tuple[np.ndarray, np.ndarray]:
    check_fraction("test_size", test_size, low_inclusive=False)
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
        m = None if mean is None else np.asarray(mean, dtype=np.float64).reshape(-1)
        s = None if scale is None else np.asarray(scale, dtype=np.float64).reshape(-1)
        if (m is None) != (s is None):
            raise HyperparameterError("give both mean and scale, or neither")
        if m is not None and s is not None:
            if m.shape != s.shape:
                raise ShapeError(f"mean has {m.size} values but scale has {s.size}")
            if not (np.all(np.isfinite(m)) and np.all(np.isfinite(s)) and np.all(s > 0)):
                raise DataError("a scaler needs finite means and positive, finite scales")
        self.mean, self.scale = m, s

    @property
    def fitted(self) -> bool:
        return self.mean is not None

    def fit(self, X: Any) -> "Standardizer":
        X = check_array(X, "X", ndim=2, dtype=np.float64)
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale = np.where(std > 1e-12 * np.maximum(1.0, np.abs(self.mean)), std, 1.0)
        return self

    def _check(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``X`` checked against the fitted scaler, and its means and scales."""
        mean, scale = self.mean, self.scale
        if mean is None or scale is None:
            from ..errors import NotFittedError
            raise NotFittedError("this Standardizer is not fitted; call fit(X) first")
        X = check_array(X, "X", ndim=2, dtype=np.float64)
        if X.shape[1] != mean.size:
            raise ShapeError(f"X has {X.shape[1]} features but the scaler was fitted on {mean.size}")
        return X, mean, scale

    def transform(self, X: Any) -> np.ndarray:
        X, mean, scale = self._check(X)
        return (X - mean) / scale

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        X, mean, scale = self._check(X)
        return X * scale + mean

    def to_dict(self) -> dict[str, list[float]]:
        if self.mean is None or self.scale is None:
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
        return f"Standardizer({'not fitted' if self.mean is None else f'fitted on {self.mean.size} features'})"


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
