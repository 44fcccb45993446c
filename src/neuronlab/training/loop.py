"""The training loop: shuffled minibatches, validation, early stopping, callbacks, history.

:func:`fit` reads top to bottom: check the settings, prepare the data (and the
validation set), build the optimizer, the schedule and the callbacks, then run the
epochs.  Each epoch is a pass over the shuffled data in minibatches; what one step
computes, in the readable terms of :class:`~neuronlab.network.Network`::

    for each shuffled batch (X_b, y_b):
        a = net.forward(X_b)                 # weighted sums and activation values, layer by layer
        loss = cost(a, y_b)
        net.backward(y_b)                    # backpropagation: dL/dW, dL/db for every layer
        optimizer.step(parameters, grads)    # gradient descent on all weights and biases at once

The loop runs each step as :meth:`Workspace.train_step
<neuronlab.workspace.Workspace.train_step>`: the same arithmetic, bit for bit, in arrays
allocated once.  After an epoch it checks that the loss and the weights are finite,
measures the validation set, records the history, calls the callbacks and writes the
checkpoint.
"""
from __future__ import annotations

import math
import numbers
import os
import sys
import time
from typing import Any, Iterable, Sequence, cast

import numpy as np

from .. import optimizers as _optimizers
from ..errors import ArgumentTypeError, DivergenceError, HyperparameterError
from .._util.extras import blas_threads
from .._util.progress import Progress
from .._util.validate import check_classes, check_flag, check_fraction, check_int, check_nonnegative, check_positive, check_positive_int
from .checkpoint import _check_resumable, _restore, load_checkpoint, save_checkpoint
from .guards import _ClipNorm, _StopOnInterrupt, _first_bad_batch, _kept
from .history import Callback, EarlyStopping, History

__all__ = ["fit"]


def fit(network: Any, X: Any, y: Any, *, epochs: int = 10, batch_size: int = 32, optimizer: Any = "adam",
        learning_rate: float | None = None, validation_split: float = 0.0,
        validation_data: Sequence[Any] | None = None, early_stopping: int | EarlyStopping | None = None,
        callbacks: Iterable[Callback] | None = None, verbose: int = 0, shuffle: bool = True,
        sample_weight: Any = None, l1: float = 0.0, l2: float = 0.0, schedule: Any = None,
        clip_norm: float | None = None, checkpoint: Any = None, checkpoint_every: int = 1,
        resume: Any = None, one_class_ok: bool = False) -> History:
    """Train ``network`` on ``(X, y)`` with minibatch gradient descent and backpropagation.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_inputs)
    y : array-like
        Integer class labels (n_samples,) or one-hot (n_samples, n_classes) for
        cross_entropy; 0/1 targets for binary_crossentropy; values for mse/mae.
    epochs : int
        Passes over the training data.
    batch_size : int
        Samples per gradient step (the last batch of an epoch may be smaller).
    optimizer : str or Optimizer
        ``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"`` or an instance.
    learning_rate : float, optional
        Overrides the optimizer's default learning rate.
    validation_split : float in [0, 1)
        Fraction of samples held out (at random, from the network's seed) for validation.
    validation_data : (X_val, y_val), optional
        Explicit validation set (takes precedence over ``validation_split``).
    early_stopping : int or EarlyStopping, optional
        Patience in epochs: stop when the validation loss (the training loss without
        validation data) stops improving, and restore the best weights.
    callbacks : list or tuple of Callback, optional
    verbose : int or bool
        1 prints one line per epoch (and, when resuming, where training picks up); in a
        notebook, a progress bar updated in place instead of the lines.
    shuffle : bool
        Shuffle the samples each epoch.
    sample_weight : array-like of shape (n_samples,), optional
    l1, l2 : float
        Weight penalties ``l1·Σ|W| + l2/2·ΣW²`` (biases are not penalised).
    schedule : str or schedule, optional
        Learning-rate schedule per epoch (``"step"``, ``"exponential"``, ``"cosine"`` or an
        instance from :mod:`neuronlab.optimizers`).
    clip_norm : float, optional
        Rescale each step's gradient so its global L2 norm is at most ``clip_norm``.
    checkpoint : path, optional
        Write a checkpoint (weights, optimizer state, random state, history, epoch)
        atomically to this file every ``checkpoint_every`` epochs.
    checkpoint_every : int
        Epochs between checkpoints.
    resume : path, optional
        Continue from a checkpoint written by an earlier ``fit`` with the same network,
        data and arguments: the final weights are bit-identical to an uninterrupted run.
        ``History.resumed_from`` is the number of epochs the checkpoint had finished.  A
        run that had finished trains no further and gives back the same model and
        history; with a larger ``epochs``, a run that did all its epochs continues to the
        new total, one that early stopping or a callback ended stays ended.
    one_class_ok : bool, default False
        Train on classification targets that all hold one class.  By default those are
        refused (there is nothing to tell apart); a stream of batches whose classes are
        known from elsewhere (``partial_fit``) passes True.

    Returns
    -------
    History

    Raises
    ------
    DivergenceError
        When the loss or a weight becomes NaN or infinite.  The network keeps the weights
        of the last epoch that ended finite.

    Notes
    -----
    Ctrl-C (SIGINT) stops training at the end of the current batch and returns the
    history so far (``history.interrupted`` is True); the unfinished epoch is dropped, so
    the network keeps the weights of the last finished epoch, matching the history.
    """
    epochs = check_positive_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    validation_split = check_fraction("validation_split", validation_split)
    l1, l2 = check_nonnegative("l1", l1), check_nonnegative("l2", l2)
    if learning_rate is not None:
        check_positive("learning_rate", learning_rate)
    if clip_norm is not None:
        clip_norm = check_positive("clip_norm", clip_norm)
    checkpoint_every = check_positive_int("checkpoint_every", checkpoint_every)
    verbose = _check_verbose(verbose)
    shuffle = check_flag("shuffle", shuffle, error=ArgumentTypeError)
    one_class_ok = check_flag("one_class_ok", one_class_ok, error=ArgumentTypeError)
    _check_path("checkpoint", checkpoint)
    _check_path("resume", resume)
    restored = _rewind(network, resume)
    rng_start = network._rng.bit_generator.state
    X, y, sw, val = _prepare_data(network, X, y, sample_weight, validation_data, validation_split, one_class_ok)
    opt, sched = _build_optimizer(optimizer, learning_rate, schedule, epochs)
    cbs = _build_callbacks(callbacks, early_stopping, monitor="val_loss" if val is not None else "loss")
    run = _Run(network, opt, sched, cbs, val, epochs, verbose, resume)
    run.begin(restored)
    batches = _Batches(network, X, y, sw, batch_size, opt if clip_norm is None else _ClipNorm(opt, clip_norm),
                       l1, l2, cbs)
    # Ctrl-C ends the epoch after the current batch; overflow in a diverging run is reported
    # as one DivergenceError rather than as floating-point warnings
    # (the progress bar is closed on the way out, an error included)
    with blas_threads(1 if batches.batch_size <= ONE_THREAD_MAX_BATCH else None), _StopOnInterrupt(network) as interrupt, \
            run.progress, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(run.first_epoch, epochs + 1):
            start = time.perf_counter()
            run.set_learning_rate(epoch)
            order = network._rng.permutation(len(X)) if shuffle else np.arange(len(X))
            logs = batches.epoch(order)
            run.check_finite(epoch, logs, batches)
            if interrupt.fired:              # drop the unfinished epoch: history and weights agree
                run.drop_epoch()
                break
            run.end_epoch(epoch, logs, start)
            if network.stop_training:
                run.stop(epoch, interrupted=interrupt.fired)
            if checkpoint is not None and (epoch % checkpoint_every == 0 or epoch == epochs
                                           or network.stop_training):
                save_checkpoint(checkpoint, network=network, optimizer=opt, epoch=epoch, history=run.history,
                                rng_start=rng_start, early_stopping=run.stopper)
            if network.stop_training:
                break
    for cb in cbs:
        cb.on_train_end({})
    return run.history


# ---------------------------------------------------------------------------------------
# Before the first epoch
# ---------------------------------------------------------------------------------------

def _check_verbose(verbose: Any) -> int:
    """``verbose`` as an int >= 0 (True and False count as 1 and 0)."""
    if isinstance(verbose, (bool, np.bool_)):
        return int(verbose)
    if not isinstance(verbose, numbers.Integral):
        raise ArgumentTypeError(f"verbose must be an integer (0 for silence, 1 for a line per epoch), "
                                f"got {verbose!r}")
    return check_int("verbose", verbose, minimum=0)


def _check_path(name: str, path: Any) -> None:
    """``path`` is None, a str or an os.PathLike (a file name for ``checkpoint`` / ``resume``)."""
    if path is not None and (isinstance(path, bool) or not isinstance(path, (str, os.PathLike))):
        raise ArgumentTypeError(f"{name} must be a file path (str or pathlib.Path) or None, got "
                                f"{type(path).__name__} {path!r}")
    if isinstance(path, str) and not path.strip():
        raise HyperparameterError(f"{name} is an empty path; pass a file name such as 'run.ckpt' or None")


def _rewind(network: Any, resume: Any) -> dict[str, Any] | None:
    """The checkpoint to resume from (None without ``resume``), checked against the
    network; the network's random state goes back to where that run started."""
    if resume is None:
        return None
    restored = load_checkpoint(resume)
    _check_resumable(network, restored, resume)
    network._rng.bit_generator.state = restored["meta"]["rng_start"]
    return restored


def _prepare_data(network: Any, X: Any, y: Any, sample_weight: Any, validation_data: Sequence[Any] | None,
                  validation_split: float,
                  one_class_ok: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, tuple | None]:
    """Checked training data, targets and sample weights, and the validation set
    ``(X_val, y_val, sample_weight_val)`` (None without one)."""
    X = network.check_inputs(X)
    y = network.check_targets(X, y)
    if network.is_classifier and not one_class_ok:
        check_classes(y)
    sw = network.check_sample_weight(X, sample_weight)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)):
            raise HyperparameterError(f"validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
                                      f"sample_weight), got {type(validation_data).__name__}")
        if len(validation_data) not in (2, 3):
            raise HyperparameterError(f"validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
                                      f"sample_weight), got a tuple of {len(validation_data)}")
        Xv = network.check_inputs(validation_data[0], "X_val")
        yv = network.check_targets(Xv, validation_data[1], "y_val", "X_val")
        swv = (network.check_sample_weight(Xv, validation_data[2], "sample_weight_val", "X_val")
               if len(validation_data) == 3 else None)
        return X, y, sw, (Xv, yv, swv)
    if validation_split > 0:
        return _split_validation(X, y, sw, validation_split, network._rng)
    return X, y, sw, None


def _split_validation(X: np.ndarray, y: np.ndarray, sw: np.ndarray | None, validation_split: float,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, tuple]:
    """Hold out ``validation_split`` of the samples, drawn at random; the training rows keep their order."""
    n = len(X)
    n_val = int(round(n * validation_split))
    if n_val < 1 or n - n_val < 1:
        raise HyperparameterError(
            f"validation_split={validation_split} leaves {n - n_val} training and {n_val} validation "
            f"samples out of {n}; use a different split or pass validation_data"
        )
    perm = rng.permutation(n)
    val, train = perm[:n_val], np.sort(perm[n_val:])
    val_sw = None if sw is None else sw[val]
    train_sw = None if sw is None else sw[train]
    return X[train], y[train], train_sw, (X[val], y[val], val_sw)


def _build_optimizer(optimizer: Any, learning_rate: float | None, schedule: Any, epochs: int) -> tuple[Any, Any]:
    """The optimizer (with ``learning_rate`` if given) and the learning-rate schedule (or None)."""
    opt = _optimizers.get(optimizer)
    if learning_rate is not None:
        opt.learning_rate = float(learning_rate)
    if isinstance(schedule, str) and schedule.strip().lower() == "cosine":
        schedule = {"name": "cosine", "t_max": epochs}      # anneal over this run by default
    return opt, (_optimizers.get_schedule(schedule) if schedule is not None else None)


def _build_callbacks(callbacks: Iterable[Callback] | None, early_stopping: int | EarlyStopping | None,
                     monitor: str) -> list[Callback]:
    """The user's callbacks, checked, then the early stopping (monitoring ``monitor``)."""
    if callbacks is None:
        callbacks = []
    if isinstance(callbacks, Callback):
        raise ArgumentTypeError(f"callbacks must be a list of Callback, got one {type(callbacks).__name__}; "
                                "wrap it in a list: callbacks=[...]")
    if not isinstance(callbacks, (list, tuple)):
        raise ArgumentTypeError(f"callbacks must be a list of Callback (or None), got {type(callbacks).__name__}; "
                                "pass callbacks=[cb1, cb2]")
    cbs: list[Callback] = list(callbacks)
    for i, cb in enumerate(cbs):
        if not isinstance(cb, Callback):
            raise ArgumentTypeError(f"callbacks[{i}] is {type(cb).__name__}, not a neuronlab Callback; "
                                    "subclass nl.Callback and override its hooks")
    if early_stopping is not None:
        cbs.append(early_stopping if isinstance(early_stopping, EarlyStopping)
                   else EarlyStopping(patience=early_stopping, monitor=monitor))
    return cbs


# ---------------------------------------------------------------------------------------
# The epochs
# ---------------------------------------------------------------------------------------

class _Batches:
    """One epoch's steps: the data in minibatches, each one :meth:`Workspace.train_step
    <neuronlab.workspace.Workspace.train_step>` on the network's workspaces (one for the
    full batches, one for a shorter last batch).

    With softmax + cross-entropy on integer labels (and no penalty) the steps write
    per-sample losses and hits into two epoch-long arrays, averaged once per epoch;
    otherwise each step returns its batch loss and the metric is measured per batch.
    Both averages are over the epoch's batches, each measured before its update step.
    """

    def __init__(self, network: Any, X: np.ndarray, y: np.ndarray, sw: np.ndarray | None, batch_size: int,
                 stepper: Any, l1: float, l2: float, callbacks: list[Callback]) -> None:
        n = len(X)
        self.network, self.X, self.y, self.sw, self.n = network, X, y, sw, n
        self.stepper, self.l1, self.l2 = stepper, l1, l2
        #: only the callbacks that watch batches are called after each one (the base hook does nothing)
        self.callbacks = [cb for cb in callbacks if getattr(cb.on_batch_end, "__func__", None) is not Callback.on_batch_end]
        self.batch_size = bs = min(batch_size, n)
        self.full = network.workspace(bs, True)
        self.last = network.workspace(n % bs, True) if n % bs else self.full
        self.per_sample = self.full.fuses_labels(y) and not (l1 or l2)
        self.sample_loss = np.empty(n, network.dtype) if self.per_sample else None
        self.sample_hit = np.empty(n, bool) if self.per_sample else None
        self.metric = network.metric_name
        #: after an epoch: its last batch, the first batch whose loss was not finite (batch
        #: losses only), and how many samples it went through
        self.last_batch = 0
        self.first_bad: int | None = None
        self.seen = 0

    def epoch(self, order: np.ndarray) -> dict[str, Any]:
        """Run one epoch over the samples in ``order``; return its ``loss`` and metric."""
        if self.per_sample:
            return self._per_sample_epoch(order)
        return self._batch_loss_epoch(order)

    def _per_sample_epoch(self, order: np.ndarray) -> dict[str, Any]:
        X, y, sw, n, bs, network, cbs = self.X, self.y, self.sw, self.n, self.batch_size, self.network, self.callbacks
        step_full, step_last, stepper = self.full.train_step, self.last.train_step, self.stepper
        sample_loss, sample_hit = cast(np.ndarray, self.sample_loss), cast(np.ndarray, self.sample_hit)
        for b, lo in enumerate(range(0, n, bs)):
            hi = lo + bs
            step = step_full
            if hi > n:
                hi, step = n, step_last
            idx = order[lo:hi]
            swb = None if sw is None else sw[idx]
            step(X, y, idx, swb, stepper, 0.0, 0.0, sample_loss[lo:hi], sample_hit[lo:hi])
            if cbs and _batch_end(cbs, network, b, _mean(sample_loss[lo:hi], swb)):
                break
            if network.stop_training:
                break
        self.last_batch, self.seen = b, hi
        swe = None if sw is None else sw[order[:hi]]
        return {"loss": _mean(sample_loss[:hi], swe), self.metric: _mean(sample_hit[:hi], swe)}

    def _batch_loss_epoch(self, order: np.ndarray) -> dict[str, Any]:
        X, y, sw, n, bs, network, cbs = self.X, self.y, self.sw, self.n, self.batch_size, self.network, self.callbacks
        full, last, stepper, l1, l2, metric = self.full, self.last, self.stepper, self.l1, self.l2, self.metric
        total = metric_total = seen = 0.0
        self.first_bad = None
        for b, lo in enumerate(range(0, n, bs)):
            hi = lo + bs
            ws = full
            if hi > n:
                hi, ws = n, last
            idx = order[lo:hi]
            swb = None if sw is None else sw[idx]
            batch_loss = ws.train_step(X, y, idx, swb, stepper, l1, l2)
            if self.first_bad is None and not _isfinite(batch_loss):
                self.first_bad = b
            w = float(hi - lo if swb is None else swb.sum())
            total += batch_loss * w
            metric_total += network.metrics(ws.output.a, ws.targets, swb)[metric] * w
            seen += w
            if cbs and _batch_end(cbs, network, b, batch_loss):
                break
            if network.stop_training:
                break
        self.last_batch, self.seen = b, hi
        return {"loss": total / seen, metric: metric_total / seen}

    def bad_batch(self) -> int:
        """The batch of the last epoch where the loss first went NaN or infinite (else its last batch)."""
        sample_loss = self.sample_loss[:self.seen] if self.sample_loss is not None else None
        last = self.last_batch if self.first_bad is None else self.first_bad
        return _first_bad_batch(sample_loss, self.batch_size, last)


def _batch_end(callbacks: list[Callback], network: Any, batch: int, loss: float) -> bool:
    """Call every callback's ``on_batch_end``; True (and ``network.stop_training``) when one asks to stop."""
    if any(cb.on_batch_end(batch, {"loss": loss}) for cb in callbacks):
        network.stop_training = True
    return network.stop_training


class _Run:
    """What one call of :func:`fit` keeps between epochs: the optimizer and its schedule,
    the callbacks, the history, the validation set and the weights of the last good epoch."""

    def __init__(self, network: Any, opt: Any, sched: Any, callbacks: list[Callback], val: tuple | None,
                 epochs: int, verbose: int, path: Any = None) -> None:
        self.network, self.opt, self.sched, self.callbacks = network, opt, sched, callbacks
        self.val, self.epochs, self.verbose, self.path = val, epochs, verbose, path
        self.progress = Progress("lines" if verbose else "none", epochs, desc="training", unit="epoch",
                                 stream=sys.stdout, notebook=True)
        self.base_lr = opt.learning_rate
        self.metric = network.metric_name
        self.history = History(self.metric)
        self.stopper = next((cb for cb in callbacks if isinstance(cb, EarlyStopping)), None)
        self.first_epoch = 1
        #: the weights of the last epoch that ended finite (set by :meth:`begin`)
        self.last_good: np.ndarray = network.parameters.copy()

    def begin(self, restored: dict[str, Any] | None) -> None:
        """Start the history and the callbacks; put a checkpoint's state back."""
        network = self.network
        network.history = self.history
        network.stop_training = False
        for cb in self.callbacks:
            cb.set_network(network)
            cb.on_train_begin({"epochs": self.epochs})
        if restored is not None:
            self._resume(restored)
        np.copyto(self.last_good, network.parameters)

    def _resume(self, restored: dict[str, Any]) -> None:
        """Continue after the checkpoint's epoch; a run that had finished trains no further."""
        done = _restore(self.network, self.opt, self.stopper, self.history, restored, self.path)
        self.history.resumed_from = done
        if self.history.stopped_early:
            self.first_epoch = max(self.epochs, done) + 1
            self._say(f"the run had already finished at epoch {done} (early stopping); nothing to train")
        elif done >= self.epochs:
            self.first_epoch = done + 1
            self._say(f"the run had already finished at epoch {done} of {done}; nothing to train")
        else:
            self.first_epoch = done + 1
            self._say(f"resumed from epoch {done} of {self.epochs}")

    def _say(self, line: str) -> None:
        if self.verbose:
            print(line, file=sys.stdout, flush=True)

    def set_learning_rate(self, epoch: int) -> None:
        if self.sched is not None:
            self.opt.learning_rate = self.sched(epoch - 1, self.base_lr)

    def check_finite(self, epoch: int, logs: dict[str, Any], batches: _Batches) -> None:
        """Raise DivergenceError, with the weights of the last good epoch put back, when
        the epoch's loss or a weight is NaN or infinite."""
        network = self.network
        if np.isfinite(logs["loss"]) and np.isfinite(network.parameters).all():
            return
        batch = batches.bad_batch()
        network.parameters[...] = self.last_good
        raise DivergenceError(
            f"training diverged in epoch {epoch}, batch {batch}: the loss or a weight became NaN or "
            f"infinite; the network keeps {_kept(epoch)}. Try a lower learning rate "
            f"(now {self.opt.learning_rate:g}) or fit(..., clip_norm=1.0)"
        )

    def drop_epoch(self) -> None:
        """Ctrl-C came in the middle of an epoch: back to the weights the history ends with."""
        self.network.parameters[...] = self.last_good
        self.history.interrupted = True

    def end_epoch(self, epoch: int, logs: dict[str, Any], start: float) -> None:
        """Keep the weights, measure the validation set, record the epoch, call the callbacks."""
        network = self.network
        np.copyto(self.last_good, network.parameters)
        if self.val is not None:
            v = network.evaluate(*self.val)
            logs["val_loss"] = v["loss"]
            logs["val_" + self.metric] = v[self.metric]
        logs["lr"] = float(self.opt.learning_rate)
        logs["time"] = time.perf_counter() - start
        self.history.record(epoch, logs)
        self.progress.step(_epoch_line(epoch, self.epochs, logs))
        if any(cb.on_epoch_end(epoch, logs) for cb in self.callbacks):
            network.stop_training = True

    def stop(self, epoch: int, interrupted: bool) -> None:
        """Training stops after ``epoch``: by Ctrl-C after its last batch (the epoch is kept),
        or by a callback."""
        if interrupted:
            self.history.interrupted = True
        else:
            self.history.stopped_early = epoch < self.epochs


_isfinite = math.isfinite


def _mean(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Mean (weighted mean with ``weights``) of per-sample values, accumulated in float64."""
    if weights is None:
        return float(np.mean(values, dtype=np.float64))
    w = weights.astype(np.float64)
    return float(np.dot(w, values.astype(np.float64)) / w.sum())


#: Batch size at or below which training runs BLAS on one thread (thread hand-off can cost
#: more than it saves on tiny products).
#: 0 = never: on the reference machine (2 cores, OpenBLAS) two threads won at every batch
#: size of the 784-256-128-10 benchmark (one epoch, SGD: 0.52 vs 0.76 s at batch 32,
#: 0.34 vs 0.60 s at batch 512).  Raise it where one thread measures faster.
ONE_THREAD_MAX_BATCH = 0


def _epoch_line(epoch: int, epochs: int, logs: dict[str, Any]) -> str:
    """``epoch 3/10 - loss 0.4120 - accuracy 0.8800 - 0.02s``: what ``verbose=1`` prints."""
    parts = [f"epoch {epoch}/{epochs}"]
    for k, v in logs.items():
        if k in ("lr", "time"):
            continue
        parts.append(f"{k} {v:.4f}")
    parts.append(f"{logs['time']:.2f}s")
    return " - ".join(parts)
