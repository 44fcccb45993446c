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
    batch; a second one interrupts at once with ``KeyboardInterrupt``.  Only installed in the
    main thread.

    A Python handler that was installed before (a program's own, such as the command
    line's) is called on every signal too, after the loop has been asked to stop, and then
    decides what the second one does; the default handler, ``SIG_DFL`` and ``SIG_IGN`` are
    not called: the second Ctrl-C always interrupts.
    """

    def __init__(self, network: Any) -> None:
        self.network = network
        self.fired = False
        self.installed = False
        self.previous: Any = None

    def _chained(self) -> bool:
        return callable(self.previous) and self.previous is not signal.default_int_handler

    def _handler(self, signum: int, frame: Any) -> None:
        first = not self.fired
        if first:
            self.fired = True
            self.network.stop_training = True
        if self._chained():
            self.previous(signum, frame)
        elif not first:
            raise KeyboardInterrupt

    def __enter__(self) -> "_StopOnInterrupt":
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handler)
            self.installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous if self.previous is not None else signal.SIG_DFL)
            self.installed = False


def _kept(epoch: int) -> str:
    return "its initial weights" if epoch <= 1 else f"the weights it had after epoch {epoch - 1}"


def _first_bad_batch(sample_loss: np.ndarray | None, batch_size: int, last_batch: int) -> int:
    """Index of the first batch with a non-finite per-sample loss (else the last batch run)."""
    if sample_loss is not None:
        bad = np.flatnonzero(~np.isfinite(sample_loss))
        if bad.size:
            return int(bad[0]) // batch_size
    return last_batch

