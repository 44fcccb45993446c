"""An estimator's parameters and fitted attributes as plain JSON, and back: what
:mod:`neuronlab.serialize` stores in a model file next to the network.

Decoding builds only numbers, strings, lists, tuples, dicts, NumPy
arrays of a checked dtype and optimizers looked up by name: **nothing from the file is
executed**.  A ``random_state`` that was a ``numpy.random.RandomState`` instance is
stored as ``None`` (the fitted weights do not depend on it any more).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import optimizers
from .._util.validate import check_int
from ..errors import ModelFileError
from ..network import Network

__all__ = ["model_state", "from_model_state", "steps_state", "steps_from_state", "STORABLE_STEPS"]

_LABEL_KINDS = "iufbUO"


def _encode(value: Any) -> Any:
    """A parameter value as JSON; tuples, dicts with any keys and optimizers are tagged."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, tuple):
        return {"tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, optimizers.Optimizer):
        return {"optimizer": value.config()}
    if isinstance(value, np.random.RandomState):
        return None
    raise ModelFileError(f"cannot store the parameter value {value!r} ({type(value).__name__}) in a model file; "
                         "use numbers, strings, lists, tuples, dicts or optimizer names")


def _decode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        (tag, inner), = value.items()
        if tag == "tuple" and isinstance(inner, list):
            return tuple(_decode(v) for v in inner)
        if tag == "dict" and isinstance(inner, list) and all(isinstance(p, list) and len(p) == 2 for p in inner):
            return {_decode(k): _decode(v) for k, v in inner}
        if tag == "optimizer" and isinstance(inner, dict):
            return optimizers.get(inner)
    raise ModelFileError(f"unexpected parameter value {value!r} in the model file")


def _encode_array(arr: np.ndarray) -> dict[str, Any]:
    if arr.dtype.kind not in _LABEL_KINDS:
        raise ModelFileError(f"cannot store labels of dtype {arr.dtype} in a model file")
    return {"values": arr.tolist(), "dtype": arr.dtype.str if arr.dtype.kind != "O" else "object"}


def _decode_array(doc: Any, name: str) -> np.ndarray:
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list) or not isinstance(doc.get("dtype"), str):
        raise ModelFileError(f"{name} in the model file must be {{'values': [...], 'dtype': '...'}}")
    values = doc["values"]
    if not all(v is None or isinstance(v, (bool, int, float, str)) for v in values):
        raise ModelFileError(f"{name} in the model file must hold plain numbers or strings")
    if doc["dtype"] == "object":
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return arr
    try:
        dtype = np.dtype(doc["dtype"])
    except TypeError:
        raise ModelFileError(f"{name} has an unknown dtype {doc['dtype']!r}") from None
    if dtype.kind not in _LABEL_KINDS or dtype.kind == "O":
        raise ModelFileError(f"{name} has dtype {dtype}, which a model file may not hold")
    return np.asarray(values, dtype=dtype)


def model_state(est: Any) -> tuple[Network, dict[str, Any]]:
    """``(network, state)`` for :func:`neuronlab.serialize.save`."""
    fitted: dict[str, Any] = {
        "n_features_in_": int(est.n_features_in_),
        "loss_curve_": [float(v) for v in est.loss_curve_],
        "validation_scores_": None if est.validation_scores_ is None else [float(v) for v in est.validation_scores_],
        "n_iter_": int(est.n_iter_),
        "optimizer_": est.optimizer_.config(),
    }
    if hasattr(est, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(f) for f in est.feature_names_in_]
    if hasattr(est, "classes_"):
        fitted["classes_"] = _encode_array(np.asarray(est.classes_))
    for key in est._PRIVATE_STATE:
        fitted[key] = _encode(getattr(est, key))
    params = {k: _encode(v) for k, v in est.get_params(deep=False).items()}
    return est.network_, {"params": params, "fitted": fitted}


def from_model_state(cls: type, network: Network, state: dict[str, Any]) -> Any:
    """The estimator :func:`model_state` described, around ``network``."""
    params, fitted = state.get("params"), state.get("fitted")
    if not isinstance(params, dict) or not isinstance(fitted, dict):
        raise ModelFileError(f"the {cls.__name__} state needs 'params' and 'fitted' objects")
    known = set(cls().get_params(deep=False))
    unknown = sorted(set(params) - known)
    if unknown:
        raise ModelFileError(f"the model file sets unknown {cls.__name__} parameters {unknown}")
    est = cls(**{k: _decode(v) for k, v in params.items()})
    n_features = check_int("n_features_in_", fitted.get("n_features_in_"), error=ModelFileError)
    if n_features != network.n_inputs:
        raise ModelFileError(f"n_features_in_={n_features!r} does not match the network's {network.n_inputs} inputs")
    est.n_features_in_ = n_features
    if "feature_names_in_" in fitted:
        names = fitted["feature_names_in_"]
        if not isinstance(names, list) or len(names) != n_features or not all(isinstance(f, str) for f in names):
            raise ModelFileError("feature_names_in_ must be a list of one string per feature")
        est.feature_names_in_ = np.asarray(names, dtype=object)
    if "classes_" in fitted:
        est.classes_ = _decode_array(fitted["classes_"], "classes_")
    curve, scores, n_iter = fitted.get("loss_curve_"), fitted.get("validation_scores_"), fitted.get("n_iter_")
    if not isinstance(curve, list) or not all(isinstance(v, (int, float)) for v in curve):
        raise ModelFileError("loss_curve_ must be a list of numbers")
    if scores is not None and (not isinstance(scores, list) or not all(isinstance(v, (int, float)) for v in scores)):
        raise ModelFileError("validation_scores_ must be a list of numbers or null")
    n_iter = check_int("n_iter_", n_iter, minimum=0, error=ModelFileError)
    est.loss_curve_, est.validation_scores_, est.n_iter_ = [float(v) for v in curve], scores, n_iter
    opt = fitted.get("optimizer_")
    if not isinstance(opt, dict):
        raise ModelFileError("optimizer_ must be an optimizer config")
    est.optimizer_ = optimizers.get(opt)
    for key in getattr(cls, "_PRIVATE_STATE"):     # the estimator class's own list
        if key not in fitted:
            raise ModelFileError(f"the {cls.__name__} state lacks {key!r}")
        setattr(est, key, _decode(fitted[key]))
    est._check_loaded(network)
    est.network_ = network
    if "pipeline" in state:
        return _pipeline(state["pipeline"], est)
    return est


# -- preprocessing steps of a Pipeline ------------------------------------------------------
#: transformer class -> (its parameters, its fitted array attributes, its fitted scalars)
STORABLE_STEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "StandardScaler": (("with_mean", "with_std"), ("mean_", "var_", "scale_"), ("n_samples_seen_",)),
    "MinMaxScaler": (("feature_range", "clip"), ("min_", "scale_", "data_min_", "data_max_", "data_range_"),
                     ("n_samples_seen_",)),
    "MaxAbsScaler": ((), ("max_abs_", "scale_"), ("n_samples_seen_",)),
}


def _step_classes() -> dict[str, type]:
    from sklearn import preprocessing
    return {name: getattr(preprocessing, name) for name in STORABLE_STEPS}


def steps_state(steps: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The fitted preprocessing ``steps`` of a Pipeline (name, transformer) as plain JSON:
    each transformer's parameters and fitted arrays (floats, which JSON keeps exactly)."""
    out = []
    for name, step in steps:
        kind = type(step).__name__
        params, arrays, scalars = STORABLE_STEPS[kind]
        if not hasattr(step, arrays[0]):
            raise ModelFileError(f"the pipeline step {name!r} ({kind}) is not fitted; fit the pipeline first")
        fitted: dict[str, Any] = {}
        for key in arrays:
            value = getattr(step, key)
            fitted[key] = None if value is None else np.asarray(value, dtype=np.float64).tolist()
        for key in scalars:
            fitted[key] = np.asarray(getattr(step, key)).tolist()
        fitted["n_features_in_"] = int(step.n_features_in_)
        if hasattr(step, "feature_names_in_"):
            fitted["feature_names_in_"] = [str(f) for f in step.feature_names_in_]
        out.append({"name": str(name), "kind": kind, "params": {k: _encode(getattr(step, k)) for k in params},
                    "fitted": fitted})
    return out


def steps_from_state(doc: Any) -> list[tuple[str, Any]]:
    """The (name, transformer) steps :func:`steps_state` described, fitted as they were."""
    if not isinstance(doc, list):
        raise ModelFileError("the pipeline steps in the model file must be a list")
    classes = _step_classes()
    steps = []
    for entry in doc:
        if not isinstance(entry, dict) or entry.get("kind") not in classes or not isinstance(entry.get("name"), str):
            raise ModelFileError(f"unexpected pipeline step {entry!r} in the model file; known kinds: "
                                 f"{', '.join(STORABLE_STEPS)}")
        kind = entry["kind"]
        params, arrays, scalars = STORABLE_STEPS[kind]
        given, fitted = entry.get("params"), entry.get("fitted")
        if not isinstance(given, dict) or set(given) != set(params) or not isinstance(fitted, dict):
            raise ModelFileError(f"the pipeline step {entry['name']!r} ({kind}) needs 'params' {list(params)} and "
                                 "'fitted' objects")
        step = classes[kind](**{k: _decode(v) for k, v in given.items()})
        n = check_int("n_features_in_", fitted.get("n_features_in_"), minimum=1, error=ModelFileError)
        for key in arrays:
            value = fitted.get(key, "missing")
            if value is None and key in ("mean_", "var_", "scale_"):
                setattr(step, key, None)
                continue
            if not isinstance(value, list) or len(value) != n or not all(isinstance(v, (int, float)) for v in value):
                raise ModelFileError(f"{key} of the pipeline step {entry['name']!r} must be {n} numbers")
            setattr(step, key, np.asarray(value, dtype=np.float64))
        for key in scalars:
            value = fitted.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, float, list)):
                raise ModelFileError(f"{key} of the pipeline step {entry['name']!r} must be a number or numbers")
            setattr(step, key, np.asarray(value)[()])
        step.n_features_in_ = n
        if "feature_names_in_" in fitted:
            step.feature_names_in_ = np.asarray([str(f) for f in fitted["feature_names_in_"]], dtype=object)
        steps.append((entry["name"], step))
    return steps


def _pipeline(doc: Any, est: Any) -> Any:
    if not isinstance(doc, dict) or not isinstance(doc.get("estimator_name"), str):
        raise ModelFileError("the pipeline in the model file needs 'steps' and 'estimator_name'")
    from sklearn.pipeline import Pipeline
    return Pipeline([*steps_from_state(doc.get("steps")), (doc["estimator_name"], est)])
