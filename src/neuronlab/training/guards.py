"""Guards of the training loop: gradient clipping (:class:`_ClipNorm`), Ctrl-C
(:class:`_StopOnInterrupt`) and the divergence report (which batch went bad, which
weights the network keeps).  Used by :func:`neuronlab.training.fit`.
"""
from __future__ import annotations

import signal
import threading
from typing import Any

import numpy as np


class _ClipNorm:
    """Optimizer stand-in that rescales the gradient to a global L2 norm of at most ``clip``."""

    def __init__(self, optimizer: Any, clip: float) -> None:
        self.optimizer, self.clip = optimizer, clip

    def step(self, params: np.ndarray, grads: np.ndarray) -> None:
        norm = float(np.sqrt(np.dot(grads, grads)))
        if norm > self.clip:
            grads *= grads.dtype.type(self.clip / norm)
        self.optimizer.step(params, grads)


class _StopOnInterrupt:
    """While training, the first Ctrl-C (SIGINT) asks the loop to stop after the current
    batch; a second one interrupts at once.  Only installed in the main thread."""

    def __init__(self, network: Any) -> None:
        self.network = network
        self.fired = False
        self.previous = None

    def _handler(self, signum: int, frame: Any) -> None:
        self.fired = True
        self.network.stop_training = True
        signal.signal(signal.SIGINT, self.previous)

    def __enter__(self) -> "_StopOnInterrupt":
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None and not self.fired:
            signal.signal(signal.SIGINT, self.previous)


def _kept(epoch: int) -> str:
    return "its initial weights" if epoch <= 1 else f"the weights it had after epoch {epoch - 1}"


def _first_bad_batch(sample_loss: np.ndarray | None, batch_size: int, last_batch: int) -> int:
    """Index of the first batch with a non-finite per-sample loss (else the last batch run)."""
    if sample_loss is not None:
        bad = np.flatnonzero(~np.isfinite(sample_loss))
        if bad.size:
            return int(bad[0]) // batch_size
    return last_batch

