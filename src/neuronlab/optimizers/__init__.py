"""Optimizers that update one flat parameter buffer in place, and learning-rate schedules.

Floor 1 (math): NumPy only (``numba`` is an optional accelerator, imported lazily).

A network keeps all of its weights and biases in **one** contiguous 1-D array and all
of its gradients in another of the same size (the layers hold views into them).  An
optimizer therefore sees exactly two arrays::

    opt = nl.optimizers.get("adam", learning_rate=1e-3)
    opt.step(net.parameters, net.gradients)      # updates net.parameters in place

Every optimizer follows ``torch.optim`` to the letter (same update formulas, same
defaults, same order of operations where it matters), so a NumPy run and a PyTorch run
started from the same weights and fed the same gradients agree to rounding:

========== ====================================================================
``sgd``     ``g = grad + wd·p``; momentum buffer ``b = g`` on the first step, then
            ``b = μ·b + g``; ``d = g + μ·b`` (Nesterov) or ``d = b``; ``p -= lr·d``
``adam``    ``g = grad + wd·p`` (L2 penalty, like ``torch.optim.Adam``);
            ``m = β1·m + (1-β1)·g``; ``v = β2·v + (1-β2)·g²``;
            ``p -= lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + eps)``
``adamw``   as ``adam`` with ``g = grad``, after the decoupled decay
            ``p *= 1 - lr·wd`` (like ``torch.optim.AdamW``)
``rmsprop`` ``s = α·s + (1-α)·g²``; centered: ``ḡ = α·ḡ + (1-α)·g``, ``s' = s - ḡ²``;
            ``d = g / (√s' + eps)``; momentum: ``b = μ·b + d``, ``p -= lr·b``;
            otherwise ``p -= lr·d``
========== ====================================================================

Speed
-----
The update is a handful of full passes over the buffers with in-place ufuncs
(``out=``).  State (moments, momentum buffers) and scratch buffers are allocated once,
on the first :meth:`Optimizer.step`, with the size and dtype of the parameters; a step
allocates nothing.  The ``grads`` buffer is only read, never written.  Adam's bias
corrections are folded into two scalars (``p -= α_t · m / (√v + ε̂)`` with
``α_t = lr·√(1-β2ᵗ)/(1-β1ᵗ)`` and ``ε̂ = eps·√(1-β2ᵗ)``, which is the same expression
rearranged).

Adam and AdamW can also run as one fused loop compiled with ``numba`` (the ``fast``
extra), and so can plain SGD (no momentum: ``p -= lr·g`` in one pass instead of two).  It is chosen by the ``use_numba`` argument:

* ``None`` (default): use it when numba is installed and the buffer has at least
  :data:`NUMBA_MIN_SIZE` entries (below that the NumPy passes are already
  microseconds and compiling is not worth it);
* ``True``: use it whenever numba is installed; ``False``: never.

The environment variable ``NEURONLAB_NO_NUMBA=1`` forces the NumPy path everywhere.
The NumPy path is the reference; the fused loop performs the same operations in the
same order and dtype (no ``fastmath``), and in practice gives bit-identical results.
The kernel is compiled with ``cache=True``: the first process pays the compile time
(about 0.5 s for float32, 0.15 s for float64, plus 0.2 s to import numba); later ones
load it from ``__pycache__`` (about 0.2 s on first use).  On a 235,146-parameter
float32 buffer one Adam step takes about 270 µs with NumPy and 50 µs fused.

Schedules
---------
:class:`StepDecay`, :class:`ExponentialDecay` and :class:`CosineDecay` are callables
``schedule(epoch, base_lr) -> lr`` (``epoch`` counted from 0) with the closed-form
values of ``torch.optim.lr_scheduler.StepLR``, ``ExponentialLR`` and
``CosineAnnealingLR``.  The training loop sets ``optimizer.learning_rate`` from them
at the start of every epoch.

>>> import numpy as np
>>> import neuronlab as nl
>>> p = np.array([1.0, -2.0]); opt = nl.optimizers.SGD(learning_rate=0.1)
>>> opt.step(p, np.array([1.0, 1.0])); p
array([ 0.9, -2.1])
>>> nl.optimizers.get_schedule("step", step_size=2, gamma=0.5)(4, 0.1)
0.025

The code lives in the private modules of this floor: ``_optim_base`` (the
:class:`Optimizer` base class), ``_optim_algorithms`` (SGD, Adam, AdamW, RMSprop),
``_optim_kernels`` (the NumPy and numba update kernels) and ``_optim_schedules``; this
module gathers them and holds the two registries (optimizers and schedules).
"""
from __future__ import annotations

from typing import Any, Callable

from .algorithms import SGD, Adam, AdamW, RMSprop
# (the private names are re-exported so that ``optimizers._compiled`` etc. keep working)
from .base import Optimizer, _plain_number
from .kernels import (_NUMBA_KERNELS, NUMBA_MIN_SIZE, _adam_loop, _adam_numpy, _compiled, _numba_disabled,
                      _numba_kernel, _sgd_loop, numba_available)
from .schedules import CosineDecay, ExponentialDecay, Schedule, StepDecay, _check_epoch
from ..errors import ArgumentTypeError, HyperparameterError, UnknownNameError
from .._util.registry import unknown_name

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "get", "names",
    "Schedule", "StepDecay", "ExponentialDecay", "CosineDecay", "get_schedule", "schedule_names",
    "NUMBA_MIN_SIZE", "numba_available",
]

# The classes live in the private modules ``_optim_*`` (same floor); they keep naming
# this module as theirs, so pickles and reprs refer to ``neuronlab.optimizers.Adam`` as
# before the split and do not depend on where the code sits.
for _cls in (Optimizer, SGD, Adam, AdamW, RMSprop, Schedule, StepDecay, ExponentialDecay, CosineDecay):
    _cls.__module__ = __name__
del _cls


def __getattr__(name: str) -> Any:
    # ``_NUMBA_KERNEL`` is rebound in ``_optim_kernels`` when the kernel compiles; read it there
    if name == "_NUMBA_KERNEL":
        from ..optimizers import kernels as _optim_kernels
        return _optim_kernels._NUMBA_KERNEL
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _from_config(kind: str, config: dict, kwargs: dict[str, Any], build: Callable[..., Any],
                 known: Callable[[], list[str]]) -> Any:
    """``build(name, **params)`` from a config dict ``{"name": ..., **params}`` updated with ``kwargs``."""
    cfg = dict(config)
    if "name" not in cfg:
        raise UnknownNameError(f"{kind} config {config!r} has no 'name'; known names: {', '.join(known())}")
    cfg.update(kwargs)
    return build(cfg.pop("name"), **cfg)


# =======================================================================================
# Registry
# =======================================================================================

_REGISTRY: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Adam, AdamW, RMSprop)}


def names() -> list[str]:
    """Registered optimizer names, sorted."""
    return sorted(_REGISTRY)


def get(identifier: Any, **kwargs: Any) -> Optimizer:
    """Return an :class:`Optimizer` from a name, a config dict or an instance.

    Parameters
    ----------
    identifier : str, dict or Optimizer
        ``"adam"``, ``{"name": "sgd", "momentum": 0.9}`` (as :meth:`Optimizer.config`
        returns), or an :class:`Optimizer` (returned as is).
    **kwargs
        Hyperparameters for a name or config (``learning_rate=0.01``); they override
        the config's values.

    Raises
    ------
    UnknownNameError
        For an unknown name; the message lists the known names and a close match.
    HyperparameterError
        For a hyperparameter the optimizer does not take, an out-of-range value, or
        hyperparameters passed together with an instance.
    """
    if isinstance(identifier, Optimizer):
        if kwargs:
            raise HyperparameterError(
                f"hyperparameters {sorted(kwargs)} can only be given with an optimizer *name* or config; "
                f"set them when building the instance, e.g. {type(identifier).__name__}(learning_rate=...)"
            )
        return identifier
    if isinstance(identifier, dict):
        return _from_config("optimizer", identifier, kwargs, get, names)
    if not isinstance(identifier, str):
        raise ArgumentTypeError(
            f"optimizer must be a name (str), a config dict or an Optimizer, got "
            f"{type(identifier).__name__}; known names: {', '.join(names())}"
        )
    key = identifier.strip().lower().replace("-", "_")
    if key not in _REGISTRY:
        raise unknown_name("optimizer", identifier, _REGISTRY)
    cls = _REGISTRY[key]
    try:
        return cls(**kwargs)
    except TypeError:
        cfg = cls.__init__.__code__.co_varnames[1:cls.__init__.__code__.co_argcount]
        raise HyperparameterError(
            f"optimizer '{key}' does not take {sorted(set(kwargs) - set(cfg))}; "
            f"its hyperparameters are {', '.join(cfg)}"
        ) from None


# =======================================================================================
# Schedule registry
# =======================================================================================

_SCHEDULES: dict[str, type[Schedule]] = {c.name: c for c in (StepDecay, ExponentialDecay, CosineDecay)}
_SCHEDULE_ALIASES = {"step_decay": "step", "steplr": "step", "exp": "exponential",
                     "exponential_decay": "exponential", "cosine_decay": "cosine", "cos": "cosine"}


def schedule_names() -> list[str]:
    """Registered schedule names, sorted."""
    return sorted(_SCHEDULES)


def get_schedule(identifier: Any, **kwargs: Any) -> Callable[[int, float], float]:
    """Return a schedule from a name, a config dict, an instance or a plain callable.

    Parameters
    ----------
    identifier : str, dict, Schedule or callable
        ``"step"``, ``"exponential"``, ``"cosine"`` (with their parameters as keyword
        arguments), ``{"name": "cosine", "t_max": 50}``, a :class:`Schedule`, or any
        function ``f(epoch, base_lr) -> lr`` (returned as is).

    Raises
    ------
    UnknownNameError
        For an unknown name.
    HyperparameterError
        For a missing, unknown or out-of-range parameter.
    """
    if isinstance(identifier, Schedule) or (callable(identifier) and not isinstance(identifier, (str, dict, type))):
        if kwargs:
            raise HyperparameterError("schedule parameters can only be given with a schedule *name* or config")
        return identifier
    if isinstance(identifier, dict):
        return _from_config("schedule", identifier, kwargs, get_schedule, schedule_names)
    if not isinstance(identifier, str):
        raise ArgumentTypeError(
            f"schedule must be a name (str), a config dict, a Schedule or a function, got "
            f"{type(identifier).__name__}; known names: {', '.join(schedule_names())}"
        )
    key = identifier.strip().lower().replace("-", "_")
    key = _SCHEDULE_ALIASES.get(key, key)
    if key not in _SCHEDULES:
        raise unknown_name("schedule", identifier, _SCHEDULES)
    cls = _SCHEDULES[key]
    code = cls.__init__.__code__
    params = code.co_varnames[1:code.co_argcount]
    n_required = code.co_argcount - 1 - len(cls.__init__.__defaults__ or ())
    missing = [p for p in params[:n_required] if p not in kwargs]
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise HyperparameterError(f"schedule '{key}' does not take {unknown}; its parameters are {', '.join(params)}")
    if missing:
        example = ", ".join(f"{p}=..." for p in missing)
        raise HyperparameterError(
            f"schedule '{key}' needs {', '.join(missing)}: use get_schedule('{key}', {example}) "
            f"or a config such as {{'name': '{key}', {', '.join(repr(p) + ': ...' for p in missing)}}}"
        )
    return cls(**kwargs)
