"""Optional dependencies: imported when a feature needs them, with one way of saying what
to install when they are missing."""
from __future__ import annotations

import contextlib
import os
from types import ModuleType
from typing import Any, Callable

from ..errors import MissingExtraError


def install_hint(extra: str | None, package: str | None = None) -> str:
    """The command that installs an extra (or, with ``extra=None``, a plain package), in the
    three forms that work: from the package index, from a checkout (editable), from a wheel.

    >>> install_hint("plot")
    "pip install 'neuronlab[plot]' (from a checkout: pip install -e '.[plot]'; from a built wheel: pip install '<wheel file>[plot]')"
    >>> install_hint(None, "pandas")
    'pip install pandas'
    """
    if extra is None:
        return f"pip install {package}"
    return (f"pip install 'neuronlab[{extra}]' (from a checkout: pip install -e '.[{extra}]'; "
            f"from a built wheel: pip install '<wheel file>[{extra}]')")


def missing(what: str, package: str, extra: str | None) -> MissingExtraError:
    """The error for a missing optional dependency: ``"<what> needs <package>; install it
    with: <command>"``.

    >>> print(missing("neuronlab.plots", "matplotlib", "plot"))
    neuronlab.plots needs matplotlib; install it with: pip install 'neuronlab[plot]' (from a checkout: pip install -e '.[plot]'; from a built wheel: pip install '<wheel file>[plot]')
    """
    return MissingExtraError(f"{what} needs {package}; install it with: {install_hint(extra, package)}")


def require(module: str, extra: str | None, what: str | None = None, package: str | None = None) -> ModuleType:
    """Import ``module`` and return it, or raise :class:`~neuronlab.errors.MissingExtraError`
    (also an ``ImportError``) naming the extra that installs it.

    Parameters
    ----------
    module : str
        What to import, e.g. ``"matplotlib"`` or ``"distributed"``.
    extra : str or None
        The neuronlab extra that installs it (``"plot"``, ``"sklearn"``, ``"sweep"``, ``"cli"``,
        ``"fast"``, ``"onnx"``, ``"torch"``); None for a package no extra installs (the hint is ``pip install <package>``).
    what : str, optional
        Who needs it, for the message (default: ``"this"``).
    package : str, optional
        The name it is installed by, for the message (default: the top of ``module``, e.g.
        ``package="scikit-learn"`` for ``module="sklearn"``).

    >>> require("json", extra=None).__name__
    'json'
    """
    try:
        # the import statement's own hook (not importlib), so that a hidden module is missing here too
        return __import__(module, fromlist=["__name__"])
    except ImportError as err:
        raise missing(what or "this", package or module.split(".")[0], extra) from err


def optional(module: str) -> ModuleType | None:
    """Import ``module`` if it is installed, else None: for accelerators that neuronlab runs
    without (numba, threadpoolctl), where nothing is missing when they are.

    >>> optional("neuronlab_no_such_module_here") is None
    True
    """
    try:
        return __import__(module, fromlist=["__name__"])
    except ImportError:
        return None


_COMPILED: dict[str, Any] = {}   # name -> compiled function, or False once numba proved unavailable


def numba_disabled() -> bool:
    """Whether ``NEURONLAB_NO_NUMBA`` (set to anything but ``""``, ``0``, ``false``, ``no``)
    asks for the NumPy path everywhere."""
    return os.environ.get("NEURONLAB_NO_NUMBA", "").strip().lower() not in ("", "0", "false", "no")


def compiled(name: str, func: Callable) -> Any:
    """``func`` compiled by numba (the ``fast`` extra) once per process and cached on disk,
    or None when numba is missing or ``NEURONLAB_NO_NUMBA`` is set: the one place
    neuronlab's optional kernels are compiled.

    ``error_model="numpy"`` gives IEEE division (no ZeroDivisionError check), which lets
    LLVM vectorise a loop; there is no ``fastmath``, so a kernel rounds exactly as the
    NumPy operations it replaces.
    """
    if numba_disabled():
        return None
    kernel = _COMPILED.get(name)
    if kernel is None:
        numba = optional("numba")
        if numba is None:
            kernel = False
        else:
            try:
                kernel = numba.njit(cache=True, nogil=True, error_model="numpy")(func)
            except Exception:  # no writable cache location: compile per process instead
                kernel = numba.njit(nogil=True, error_model="numpy")(func)
        _COMPILED[name] = kernel
    return kernel or None


_BLAS: list[Any] = []          # threadpoolctl's controller, made at the first limit (or None without it)


def blas_threads(limit: int | None) -> contextlib.AbstractContextManager[Any]:
    """A context in which BLAS runs on at most ``limit`` threads (None: as it is), through
    threadpoolctl (the ``fast`` extra) when it is installed; without it, nothing changes.

    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float((np.ones((2, 2)) @ np.ones((2, 2)))[0, 0])
    2.0
    """
    if limit is None:
        return contextlib.nullcontext()
    if not _BLAS:
        threadpoolctl = optional("threadpoolctl")
        _BLAS.append(None if threadpoolctl is None else threadpoolctl.ThreadpoolController())
    controller = _BLAS[0]
    return contextlib.nullcontext() if controller is None else controller.limit(limits=limit, user_api="blas")
