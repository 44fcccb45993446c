"""The optimizer base class: buffer checks, state and scratch allocation, ``state_dict``."""
from __future__ import annotations

from typing import Any

import numpy as np

from .kernels import _l2_grad
from ..errors import ArgumentTypeError, ModelFileError, ShapeError
from .._util.validate import check_int, check_positive


class Optimizer:
    """Base class: updates one flat 1-D parameter buffer in place from one gradient buffer.

    Subclasses declare their hyperparameters in :meth:`config`, the names of their
    state arrays in :meth:`_state_names`, the scratch buffers they need in
    ``_scratch_names``, and implement :meth:`_update`.

    Attributes
    ----------
    name : str
        Registry name (``"adam"``).
    learning_rate : float
        Step size; a schedule may change it between epochs.
    iterations : int
        Number of steps taken since construction or the last :meth:`reset`.
    """

    name: str = "optimizer"
    _scratch_names: tuple[str, ...] = ()
    #: (params, grads, state, scratch) of the last validated step: while step() gets the
    #: same buffers and the state dicts were not replaced (reset, load_state_dict), it
    #: skips its checks
    _checked: tuple[Any, ...] = (None, None, None, None)

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_positive(f"{self.name} learning_rate", learning_rate)
        self._step = 0
        self._state: dict[str, np.ndarray] = {}
        self._scratch: dict[str, np.ndarray] = {}

    # -- public interface -----------------------------------------------------------------
    @property
    def iterations(self) -> int:
        """Steps taken so far (the ``t`` of the bias corrections)."""
        return self._step

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        """Update ``params`` in place from ``grads``.

        Parameters
        ----------
        params : ndarray, 1-D, float32 or float64, writeable
            The flat parameter buffer.
        grads : ndarray, same shape and dtype as ``params``
            The flat gradient buffer (read only; never modified).

        Raises
        ------
        ShapeError
            ``params``/``grads`` are not 1-D arrays of the same size, or the state was
            made for a buffer of another size (call :meth:`reset` after resizing).
        ArgumentTypeError
            ``params``/``grads`` are not NumPy arrays of one float dtype.
        """
        c = self._checked
        if params is c[0] and grads is c[1] and self._state is c[2] and self._scratch is c[3]:
            # the same two buffers as the last validated step: skip the checks (a training
            # loop calls this thousands of times per epoch with the network's buffers)
            self._step += 1
            self._update(params, grads)
            return
        if not (isinstance(params, np.ndarray) and isinstance(grads, np.ndarray)):
            raise ArgumentTypeError(
                f"{self.name}.step takes two NumPy arrays, got "
                f"{type(params).__name__} and {type(grads).__name__}"
            )
        if params.ndim != 1 or params.shape != grads.shape:
            raise ShapeError(
                f"{self.name}.step needs a flat 1-D parameter buffer and a gradient buffer of the "
                f"same size, got shapes {params.shape} and {grads.shape}"
            )
        if params.dtype != grads.dtype or params.dtype.kind != "f":
            raise ArgumentTypeError(
                f"{self.name}.step needs params and grads of the same float dtype, "
                f"got {params.dtype} and {grads.dtype}"
            )
        if not self._ready(params):
            self._allocate(params)
        self._checked = (params, grads, self._state, self._scratch)
        self._step += 1
        self._update(params, grads)

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: ``step`` (int), ``learning_rate`` (float) and copies of
        its state arrays (moments, momentum buffers) once the first step has made them.

        Only NumPy arrays and plain numbers, so it can be written with ``np.savez``
        without pickling.
        """
        state: dict[str, Any] = {"step": int(self._step), "learning_rate": float(self.learning_rate)}
        for key, arr in self._state.items():
            state[key] = arr.copy()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state made by :meth:`state_dict` (on an optimizer of the same kind
        and hyperparameters); the next :meth:`step` continues exactly where it left off.

        Raises
        ------
        ModelFileError
            The state is missing entries, has unexpected ones, or its arrays disagree.
        """
        if not isinstance(state, dict):
            raise ModelFileError(f"{self.name} state must be a dict, got {type(state).__name__}")
        if "step" not in state:
            raise ModelFileError(f"{self.name} state has no 'step' entry; was it made by state_dict()?")
        step = check_int(f"{self.name} state 'step'", _plain_number(state["step"]), minimum=0, error=ModelFileError)
        expected = set(self._state_names())
        arrays = {k: v for k, v in state.items() if k not in ("step", "learning_rate")}
        unknown = sorted(set(arrays) - expected)
        if unknown:
            raise ModelFileError(
                f"{self.name} state has unexpected entries {unknown}; expected "
                f"{sorted(expected) or 'no arrays'} (is it from another optimizer or other "
                "hyperparameters?)"
            )
        missing = sorted(expected - set(arrays))
        if arrays and missing:
            raise ModelFileError(f"{self.name} state lacks the arrays {missing}")
        if step > 0 and missing and expected:
            raise ModelFileError(f"{self.name} state is at step {step} but lacks the arrays {missing}")
        new: dict[str, np.ndarray] = {}
        size = None
        for key in sorted(arrays):
            arr = np.asarray(arrays[key])
            if arr.ndim != 1 or arr.dtype.kind != "f":
                raise ModelFileError(
                    f"{self.name} state array '{key}' must be a 1-D float array, "
                    f"got shape {arr.shape} and dtype {arr.dtype}"
                )
            if size is not None and arr.size != size:
                raise ModelFileError(f"{self.name} state arrays have different sizes")
            size = arr.size
            new[key] = np.array(arr, copy=True, order="C")
        if "learning_rate" in state:
            self.learning_rate = check_positive(
                f"{self.name} learning_rate", _plain_number(state["learning_rate"])
            )
        self._step = int(step)
        self._state = new
        self._scratch = {}

    def reset(self) -> None:
        """Forget the state (moments, momentum buffers, step count); keeps hyperparameters."""
        self._step = 0
        self._state = {}
        self._scratch = {}

    def config(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """``{"name": ..., **hyperparameters}``: :func:`get` rebuilds the optimizer from it."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return _config_repr(self)

    # -- for subclasses -------------------------------------------------------------------
    def _state_names(self) -> tuple[str, ...]:
        """Names of the state arrays this configuration keeps."""
        return ()

    def _ready(self, params: np.ndarray) -> bool:
        names = self._state_names()
        if len(self._state) != len(names) or len(self._scratch) != len(self._scratch_names):
            return False
        for arr in (*self._state.values(), *self._scratch.values()):
            if arr.size != params.size or arr.dtype != params.dtype:
                return False
        return True

    def _allocate(self, params: np.ndarray) -> None:
        """Create (or convert) state and scratch buffers sized and typed like ``params``."""
        n, dtype = params.size, params.dtype
        if self._state:
            sizes = {arr.size for arr in self._state.values()}
            if sizes != {n}:
                raise ShapeError(
                    f"{self.name} state was made for {sizes.pop()} parameters but the buffer has {n}; "
                    "call reset() after changing the network"
                )
            self._state = {k: np.ascontiguousarray(v, dtype=dtype) for k, v in self._state.items()}
        elif self._step > 0 and self._state_names():
            raise ShapeError(f"{self.name} state is at step {self._step} but has no arrays; call reset()")
        else:
            self._state = {k: np.zeros(n, dtype=dtype) for k in self._state_names()}
        self._scratch = {k: np.empty(n, dtype=dtype) for k in self._scratch_names}

    def _update(self, params: np.ndarray, grads: np.ndarray) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _decayed_grad(self, params: np.ndarray, grads: np.ndarray, weight_decay: float) -> np.ndarray:
        """``grads + weight_decay·params`` in the ``"g"`` scratch buffer (or ``grads`` itself)."""
        if not weight_decay:
            return grads
        return _l2_grad(params, grads, weight_decay, self._scratch["g"])


def _plain_number(value: Any) -> Any:
    """A 0-d NumPy array or NumPy scalar (as ``np.load`` returns them) as a Python number."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.generic):
        value = value.item()
    return value


def _config_repr(obj: Any) -> str:
    """``ClassName(key=value, ...)`` from ``obj.config()`` without its ``"name"`` (optimizers, schedules)."""
    cfg = obj.config()
    cfg.pop("name")
    return f"{type(obj).__name__}({', '.join(f'{k}={v!r}' for k, v in cfg.items())})"
