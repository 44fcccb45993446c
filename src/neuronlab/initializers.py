"""Weight initializers, in one registry.

An initializer draws a layer's starting weight matrix ``W`` of shape
``(fan_in, fan_out)`` (inputs × units) from a distribution whose spread depends on
the fan-in and fan-out, so that activations and gradients keep roughly the same
variance from layer to layer:

==================  ============  =====================================  ===============
name                distribution  scale                                  alias
==================  ============  =====================================  ===============
``he_normal``       normal        ``std = √(2 / fan_in)``                kaiming_normal
``he_uniform``      uniform       ``limit = √(6 / fan_in)``              kaiming_uniform
``glorot_normal``   normal        ``std = √(2 / (fan_in + fan_out))``    xavier_normal
``glorot_uniform``  uniform       ``limit = √(6 / (fan_in + fan_out))``  xavier_uniform
``lecun_normal``    normal        ``std = √(1 / fan_in)``
``lecun_uniform``   uniform       ``limit = √(3 / fan_in)``
``zeros``           constant      all weights 0                          zero
==================  ============  =====================================  ===============

Uniform draws lie in ``[−limit, limit)``; their standard deviation is ``limit/√3``, the
same as the normal variant's ``std``.  The normal draws are **plain** (not truncated)
normal distributions — unlike Keras's ``*_normal`` initializers, which truncate at two
standard deviations and rescale.

Every draw is made in float64 from the given ``numpy.random.Generator`` and then cast
to the requested dtype, so a float32 and a float64 network built with the same seed
start from the same numbers (up to the cast).

>>> import numpy as np
>>> import neuronlab as nl
>>> W = nl.initializers.get("he_normal")((3, 2), np.random.default_rng(0), np.float32)
>>> W.shape, W.dtype
((3, 2), dtype('float32'))
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import ShapeError
from ._util.registry import Registry
from ._util.validate import check_int

__all__ = ["Initializer", "get", "names", "describe"]


class Initializer:
    """One weight initializer; call it as ``init(shape, rng, dtype)``.

    Attributes
    ----------
    name : str
        Registry name.
    distribution : str
        ``"normal"``, ``"uniform"`` or ``"constant"``.
    formula : str
        Human-readable scale (``"std = √(2/fan_in)"``).
    """

    name: str = "initializer"
    distribution: str = "constant"
    formula: str = ""

    def __repr__(self) -> str:
        return f"initializers.get({self.name!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def scale(self, fan_in: int, fan_out: int) -> float:  # pragma: no cover - abstract
        """The distribution's parameter: ``std`` (normal) or ``limit`` (uniform)."""
        raise NotImplementedError

    def std(self, shape: tuple[int, int]) -> float:
        """The standard deviation of the drawn weights for a ``(fan_in, fan_out)`` matrix."""
        fan_in, fan_out = _check_shape(shape)
        if self.distribution == "constant":
            return 0.0
        s = self.scale(fan_in, fan_out)
        return s / math.sqrt(3.0) if self.distribution == "uniform" else s

    def __call__(self, shape: tuple[int, int], rng: np.random.Generator | int | None = None,
                 dtype: Any = np.float32) -> np.ndarray:
        """Draw a weight matrix.

        Parameters
        ----------
        shape : tuple of int
            ``(fan_in, fan_out)``: inputs per unit and number of units.
        rng : numpy.random.Generator
            Source of randomness (an int seed or None is passed to ``default_rng``).
        dtype : numpy dtype
            Dtype of the result; the numbers are drawn in float64 and then cast.

        Returns
        -------
        ndarray of shape (fan_in, fan_out) and dtype ``dtype``
        """
        fan_in, fan_out = _check_shape(shape)
        dtype = np.dtype(dtype)
        if self.distribution == "constant":
            return np.zeros((fan_in, fan_out), dtype=dtype)
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        s = self.scale(fan_in, fan_out)
        if self.distribution == "normal":
            W = rng.standard_normal((fan_in, fan_out), dtype=np.float64)
            W *= s
        else:
            W = rng.uniform(-s, s, size=(fan_in, fan_out))
        return W.astype(dtype, copy=False)


def _check_shape(shape: Any) -> tuple[int, int]:
    try:
        dims = tuple(shape)
    except TypeError:
        raise ShapeError(f"initializer shape must be (fan_in, fan_out), got {shape!r}") from None
    if len(dims) != 2:
        raise ShapeError(f"initializer shape must be (fan_in, fan_out), got {shape!r}")
    return check_int("initializer fan_in", dims[0], minimum=1), check_int("initializer fan_out", dims[1], minimum=1)


class HeNormal(Initializer):
    """He/Kaiming normal: ``N(0, std²)``, ``std = √(2/fan_in)`` (for ReLU-like units)."""

    name, distribution, formula = "he_normal", "normal", "std = √(2/fan_in)"

    def scale(self, fan_in, fan_out):
        return math.sqrt(2.0 / fan_in)


class HeUniform(Initializer):
    """He/Kaiming uniform: ``U(−limit, limit)``, ``limit = √(6/fan_in)``."""

    name, distribution, formula = "he_uniform", "uniform", "limit = √(6/fan_in)"

    def scale(self, fan_in, fan_out):
        return math.sqrt(6.0 / fan_in)


class GlorotNormal(Initializer):
    """Glorot/Xavier normal: ``N(0, std²)``, ``std = √(2/(fan_in + fan_out))``."""

    name, distribution, formula = "glorot_normal", "normal", "std = √(2/(fan_in + fan_out))"

    def scale(self, fan_in, fan_out):
        return math.sqrt(2.0 / (fan_in + fan_out))


class GlorotUniform(Initializer):
    """Glorot/Xavier uniform: ``U(−limit, limit)``, ``limit = √(6/(fan_in + fan_out))``."""

    name, distribution, formula = "glorot_uniform", "uniform", "limit = √(6/(fan_in + fan_out))"

    def scale(self, fan_in, fan_out):
        return math.sqrt(6.0 / (fan_in + fan_out))


class LecunNormal(Initializer):
    """LeCun normal: ``N(0, std²)``, ``std = √(1/fan_in)`` (for SELU)."""

    name, distribution, formula = "lecun_normal", "normal", "std = √(1/fan_in)"

    def scale(self, fan_in, fan_out):
        return math.sqrt(1.0 / fan_in)


class LecunUniform(Initializer):
    """LeCun uniform: ``U(−limit, limit)``, ``limit = √(3/fan_in)``."""

    name, distribution, formula = "lecun_uniform", "uniform", "limit = √(3/fan_in)"

    def scale(self, fan_in, fan_out):
        return math.sqrt(3.0 / fan_in)


class Zeros(Initializer):
    """All weights 0 (every unit of the layer then learns the same thing: for tests and
    single-layer models only).  Uses no randomness."""

    name, distribution, formula = "zeros", "constant", "0"

    def scale(self, fan_in, fan_out):
        return 0.0


_registry = Registry(
    "initializer", Initializer,
    builtins=[HeNormal, HeUniform, GlorotNormal, GlorotUniform, LecunNormal, LecunUniform, Zeros],
    aliases={"xavier_normal": "glorot_normal", "xavier_uniform": "glorot_uniform",
             "kaiming_normal": "he_normal", "kaiming_uniform": "he_uniform", "zero": "zeros"},
)


def names() -> list[str]:
    """Every initializer name (without aliases), sorted."""
    return _registry.names()


def get(identifier: Any) -> Initializer:
    """Return an :class:`Initializer` from a name (or alias) or an instance.

    Parameters
    ----------
    identifier : str or Initializer
        ``"he_normal"``, ``"glorot_uniform"``, ``"xavier_uniform"``, ``"kaiming_normal"``, ...;
        case and ``-``/``_`` do not matter.

    Raises
    ------
    UnknownNameError
        For an unknown name; the message lists the known names and a close match.
    ArgumentTypeError
        For anything that is neither a string nor an Initializer (it is also a ``TypeError``).
    """
    return _registry.get(identifier)


def describe() -> list[dict[str, Any]]:
    """One row per initializer: name, aliases, distribution, formula."""
    return _registry.describe(lambda init: {
        "aliases": _registry.aliases_of(init.name), "distribution": init.distribution, "formula": init.formula,
    })
