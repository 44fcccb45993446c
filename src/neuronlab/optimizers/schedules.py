"""Learning-rate schedules: ``schedule(epoch, base_lr) -> lr`` in closed form, with no
state beyond their parameters."""
from __future__ import annotations

import math
from typing import Any

from .base import _config_repr
from .._util.validate import check_fraction, check_int, check_nonnegative, check_positive_int


class Schedule:
    """Base class: ``schedule(epoch, base_lr) -> lr`` with ``epoch`` counted from 0."""

    name: str = "schedule"

    def __call__(self, epoch: int, base_lr: float) -> float:
        return self.lr(check_int("epoch (counted from 0)", epoch, minimum=0), float(base_lr))

    def lr(self, epoch: int, base_lr: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def config(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """``{"name": ..., **parameters}``: :func:`get_schedule` rebuilds it."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return _config_repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schedule) and self.config() == other.config()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.config().items())))


class StepDecay(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:
    ``base_lr · gamma^(epoch // step_size)`` (``torch.optim.lr_scheduler.StepLR``).

    Parameters
    ----------
    step_size : int, >= 1
    gamma : float in (0, 1]
    """

    name = "step"

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        self.step_size = check_positive_int("step schedule step_size", step_size)
        self.gamma = check_fraction("step schedule gamma", gamma, low_inclusive=False, high_inclusive=True)

    def lr(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "step_size": self.step_size, "gamma": self.gamma}


class ExponentialDecay(Schedule):
    """``base_lr · gamma^epoch`` (``torch.optim.lr_scheduler.ExponentialLR``).

    Parameters
    ----------
    gamma : float in (0, 1]
    """

    name = "exponential"

    def __init__(self, gamma: float) -> None:
        self.gamma = check_fraction("exponential schedule gamma", gamma, low_inclusive=False, high_inclusive=True)

    def lr(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** epoch

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "gamma": self.gamma}


class CosineDecay(Schedule):
    """Cosine annealing from ``base_lr`` (epoch 0) to ``min_lr`` (epoch ``t_max``):
    ``min_lr + (base_lr - min_lr)·(1 + cos(π·epoch/t_max))/2``, the closed form of
    ``torch.optim.lr_scheduler.CosineAnnealingLR``.  Past ``t_max`` the cosine goes on
    (back up towards ``base_lr``), as in PyTorch.

    Parameters
    ----------
    t_max : int, >= 1
        Epochs of the half period.
    min_lr : float, >= 0
    """

    name = "cosine"

    def __init__(self, t_max: int, min_lr: float = 0.0) -> None:
        self.t_max = check_positive_int("cosine schedule t_max", t_max)
        self.min_lr = check_nonnegative("cosine schedule min_lr", min_lr)

    def lr(self, epoch: int, base_lr: float) -> float:
        return self.min_lr + (base_lr - self.min_lr) * (1 + math.cos(math.pi * epoch / self.t_max)) / 2

    def config(self) -> dict[str, Any]:
        return {"name": self.name, "t_max": self.t_max, "min_lr": self.min_lr}
