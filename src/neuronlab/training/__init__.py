"""The training loop: shuffled minibatches, validation, early stopping, callbacks, history.

Floor 3 (learning).  :meth:`Network.fit <neuronlab.network.Network.fit>` calls :func:`fit`.

One epoch (what each step computes; the loop runs it through
``Network._train_step``, the same arithmetic in preallocated buffers, bit for bit)::

    for each shuffled batch (X_b, y_b):
        a = net.forward(X_b)                 # weighted sums and activation values, layer by layer
        loss = cost(a, y_b)
        net.backward(y_b)                    # backpropagation: dL/dW, dL/db for every layer
        optimizer.step(parameters, grads)    # gradient descent on all weights and biases at once

The loop lives here; :class:`History`, :class:`Callback` and :class:`EarlyStopping` live
in ``_training_history``, gradient clipping, Ctrl-C and the divergence report in
``_training_guard``, checkpoint resume in ``_training_resume``.
"""
from __future__ import annotations

import math
import sys
import time
from typing import Any, Iterable, Sequence

import numpy as np

from .. import optimizers as _optimizers
from .checkpoint import load_checkpoint, save_checkpoint
from ..errors import ArgumentTypeError, DivergenceError, HyperparameterError
from .._util.validate import check_classes, check_fraction, check_nonnegative, check_positive, check_positive_int
from .guards import _ClipNorm, _StopOnInterrupt, _first_bad_batch, _kept
from .history import Callback, EarlyStopping, History
from .checkpoint import _check_resumable, _restore

__all__ = ["fit", "History", "Callback", "EarlyStopping"]

# History, Callback and EarlyStopping keep this module as their home: pickles (a Network
# holds its History) and help() name ``neuronlab.training``, as before.
for _cls in (History, Callback, EarlyStopping):
    _cls.__module__ = __name__
del _cls


def _split_validation(X, y, sw, validation_split, rng):
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


def fit(network: Any, X: Any, y: Any, *, epochs: int = 10, batch_size: int = 32, optimizer: Any = "adam",
        learning_rate: float | None = None, validation_split: float = 0.0,
        validation_data: Sequence[Any] | None = None, early_stopping: int | EarlyStopping | None = None,
        callbacks: Iterable[Callback] | None = None, verbose: int = 0, shuffle: bool = True,
        sample_weight: Any = None, l1: float = 0.0, l2: float = 0.0, schedule: Any = None,
        clip_norm: float | None = None, checkpoint: Any = None, checkpoint_every: int = 1,
        resume: Any = None) -> History:
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
    callbacks : list of Callback
    verbose : int
        1 prints one line per epoch.
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
    restored = load_checkpoint(resume) if resume is not None else None
    if restored is not None:
        _check_resumable(network, restored, resume)
        network._rng.bit_generator.state = restored["meta"]["rng_start"]
    rng_start = network._rng.bit_generator.state
    X = network.check_inputs(X)
    y = network.check_targets(X, y)
    if network.is_classifier:
        check_classes(y)
    sw = network.check_sample_weight(X, sample_weight)
    rng = network._rng

    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise HyperparameterError("validation_data must be a tuple (X_val, y_val) or (X_val, y_val, sample_weight)")
        Xv = network.check_inputs(validation_data[0], "X_val")
        yv = network.check_targets(Xv, validation_data[1], "y_val", "X_val")
        swv = (network.check_sample_weight(Xv, validation_data[2], "sample_weight_val", "X_val")
               if len(validation_data) == 3 else None)
        val = (Xv, yv, swv)
    elif validation_split > 0:
        X, y, sw, val = _split_validation(X, y, sw, validation_split, rng)
    else:
        val = None

    opt = _optimizers.get(optimizer)
    if learning_rate is not None:
        opt.learning_rate = float(learning_rate)
    base_lr = opt.learning_rate
    if isinstance(schedule, str) and schedule.strip().lower() == "cosine":
        schedule = {"name": "cosine", "t_max": epochs}      # anneal over this run by default
    sched = _optimizers.get_schedule(schedule) if schedule is not None else None

    cbs: list[Callback] = list(callbacks or [])
    for i, cb in enumerate(cbs):
        if not isinstance(cb, Callback):
            raise ArgumentTypeError(f"callbacks[{i}] is {type(cb).__name__}, not a neuronlab Callback; "
                                    "subclass nl.Callback and override its hooks")
    if early_stopping is not None:
        cbs.append(early_stopping if isinstance(early_stopping, EarlyStopping)
                   else EarlyStopping(patience=early_stopping,
                                      monitor="val_loss" if val is not None else "loss"))
    metric = network.metric_name
    history = History(metric)
    network.history = history
    network.stop_training = False
    for cb in cbs:
        cb.set_network(network)
        cb.on_train_begin({})
    stopper = next((cb for cb in cbs if isinstance(cb, EarlyStopping)), None)
    first_epoch = 1
    if restored is not None:
        first_epoch = _restore(network, opt, stopper, history, restored) + 1
    stepper = opt if clip_norm is None else _ClipNorm(opt, clip_norm)
    last_good = network.parameters.copy()

    n = len(X)
    order = np.arange(n)
    # Each step is Network.train_on_batch's arithmetic, run by Network._train_step into
    # buffers allocated once (see network._Workspace; tests/test_speed_paths.py checks that
    # both give bit-identical weights).  With softmax + cross-entropy on integer labels the
    # per-sample losses and hits go into two epoch-long arrays, averaged once per epoch.
    per_sample = network._labels_fast(y) and not (l1 or l2)
    if per_sample:
        sample_loss = np.empty(n, network.dtype)
        sample_hit = np.empty(n, bool)
    bs = min(batch_size, n)
    ws_full = network._workspace(bs, True)
    ws_last = network._workspace(n % bs, True) if n % bs else ws_full
    step = network._train_step
    # Ctrl-C ends the epoch after the current batch; overflow in a diverging run is reported
    # as one DivergenceError below rather than as floating-point warnings
    with _blas_threads(network, bs), _StopOnInterrupt(network) as interrupt, \
            np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(first_epoch, epochs + 1):
            start = time.perf_counter()
            if sched is not None:
                opt.learning_rate = sched(epoch - 1, base_lr)
            if shuffle:
                order = rng.permutation(n)
            total = metric_total = seen = 0.0
            first_bad = None             # first batch whose loss was NaN/inf (no per-sample losses)
            hi = 0
            for b, lo in enumerate(range(0, n, bs)):
                hi = lo + bs
                if hi > n:
                    hi, ws = n, ws_last
                else:
                    ws = ws_full
                idx = order[lo:hi]
                swb = None if sw is None else sw[idx]
                if per_sample:
                    step(ws, X, y, idx, swb, stepper, 0.0, 0.0, sample_loss[lo:hi], sample_hit[lo:hi])
                    if cbs:
                        batch_loss = _mean(sample_loss[lo:hi], swb)
                else:
                    batch_loss = step(ws, X, y, idx, swb, stepper, l1, l2)
                    if first_bad is None and not _isfinite(batch_loss):
                        first_bad = b
                    w = float(hi - lo if swb is None else swb.sum())
                    total += batch_loss * w
                    metric_total += network._metrics(ws.steps[-1][2], ws.last_y, swb)[metric] * w
                    seen += w
                if cbs and any(cb.on_batch_end(b, {"loss": batch_loss}) for cb in cbs):
                    network.stop_training = True
                if network.stop_training:
                    break
            # running averages over the epoch's batches (each measured before its update step)
            if per_sample:
                swe = None if sw is None else sw[order[:hi]]
                logs: dict[str, Any] = {"loss": _mean(sample_loss[:hi], swe),
                                        metric: _mean(sample_hit[:hi], swe)}
            else:
                logs = {"loss": total / seen, metric: metric_total / seen}
            if not (np.isfinite(logs["loss"]) and np.isfinite(network.parameters).all()):
                batch = _first_bad_batch(sample_loss[:hi] if per_sample else None, bs,
                                         b if first_bad is None else first_bad)
                network.parameters[...] = last_good
                raise DivergenceError(
                    f"training diverged in epoch {epoch}, batch {batch}: the loss or a weight became NaN or "
                    f"infinite; the network keeps {_kept(epoch)}. Try a lower learning rate "
                    f"(now {opt.learning_rate:g}) or fit(..., clip_norm=1.0)"
                )
            if interrupt.fired:              # drop the unfinished epoch: history and weights agree
                network.parameters[...] = last_good
                history.interrupted = True
                break
            np.copyto(last_good, network.parameters)
            if val is not None:
                v = network._evaluate(*val)
                logs["val_loss"] = v["loss"]
                logs["val_" + metric] = v[metric]
            logs["lr"] = float(opt.learning_rate)
            logs["time"] = time.perf_counter() - start
            history.record(epoch, logs)
            if verbose:
                _print_epoch(epoch, epochs, logs)
            if any(cb.on_epoch_end(epoch, logs) for cb in cbs):
                network.stop_training = True
            if checkpoint is not None and (epoch % checkpoint_every == 0 or epoch == epochs):
                save_checkpoint(checkpoint, network=network, optimizer=opt, epoch=epoch, history=history,
                                rng_start=rng_start, early_stopping=stopper)
            if network.stop_training:
                if interrupt.fired:          # Ctrl-C came after this epoch's last batch: it is kept
                    history.interrupted = True
                else:
                    history.stopped_early = epoch < epochs
                break
    for cb in cbs:
        cb.on_train_end({})
    return history


_isfinite = math.isfinite


def _mean(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Mean (weighted mean with ``weights``) of per-sample values, accumulated in float64."""
    if weights is None:
        return float(np.mean(values, dtype=np.float64))
    w = weights.astype(np.float64)
    return float(np.dot(w, values.astype(np.float64)) / w.sum())


#: Batch size at or below which training runs BLAS on one thread (see _blas_threads).
#: 0 = never: on the reference machine (2 cores, OpenBLAS) two threads won at every batch
#: size of the 784-256-128-10 benchmark (one epoch, SGD: 0.52 vs 0.76 s at batch 32,
#: 0.34 vs 0.60 s at batch 512).  Raise it where one thread measures faster.
ONE_THREAD_MAX_BATCH = 0


class _blas_threads:
    """Context manager: run the epoch's matrix products on one BLAS thread when the batch
    size is at most :data:`ONE_THREAD_MAX_BATCH` (thread hand-off can cost more than it
    saves on tiny products).

    Uses ``threadpoolctl`` (the ``fast`` extra), imported only when a limit applies;
    without it the thread count is left alone.
    """

    def __init__(self, network: Any, batch_size: int) -> None:
        self.limit = 1 if batch_size <= ONE_THREAD_MAX_BATCH else None
        self.ctl = None

    def __enter__(self) -> "_blas_threads":
        if self.limit is not None:
            try:
                from threadpoolctl import threadpool_limits  # optional extra, imported lazily
            except ImportError:
                return self
            self.ctl = threadpool_limits(limits=self.limit, user_api="blas")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.ctl is not None:
            self.ctl.restore_original_limits()
            self.ctl = None


def _print_epoch(epoch: int, epochs: int, logs: dict[str, Any]) -> None:
    parts = [f"epoch {epoch}/{epochs}"]
    for k, v in logs.items():
        if k in ("lr", "time"):
            continue
        parts.append(f"{k} {v:.4f}")
    parts.append(f"{logs['time']:.2f}s")
    print(" - ".join(parts), file=sys.stdout, flush=True)
