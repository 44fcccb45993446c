"""``neuronlab train``: training from the command line, with its progress display, Ctrl-C
handling, summary and pictures."""
from __future__ import annotations

import argparse
import glob
import math
import os
import signal
import sys
import threading
import time
from typing import Any, Callable, NoReturn

import numpy as np

from .. import activations as _activations
from .. import datasets as _datasets
from .. import losses as _losses
from .. import optimizers as _optimizers
from .._util.progress import Progress
from .._util.text import format_number, one_line
from ..errors import DataError, MissingExtraError
from ..network import Network, default_loss
from ..training import Callback, History
from ..errors import UsageError
from ..training.checkpoint import load_checkpoint
from .common import _close_figure, _err, _out, _plots, _plural, _print_json, reading
from .model import _classification_metrics, _metrics_text, _regression_metrics, _save_model, _targets_for


# =======================================================================================
# Progress
# =======================================================================================

def _logs_text(logs: dict[str, Any], metric: str, value_scale: float | None = None) -> str:
    """One epoch's numbers.  With ``value_scale`` (regression) the MAE is given in the
    target's units (the network learns standardised targets: their MAE times the target's
    standard deviation) and the loss, which stays on standardised targets, is labelled so."""
    parts = []
    for key in ("loss", metric, "val_loss", "val_" + metric):
        if key not in logs:
            continue
        value = float(logs[key])
        label = key
        if value_scale is not None:
            if key.endswith("loss"):
                label = key.replace("loss", "std loss")
            elif key.endswith("mae") and math.isfinite(value_scale):
                label, value = key.replace("mae", "MAE"), value * value_scale
            elif key.endswith("mae"):            # several targets, several units: say which scale
                label = key.replace("mae", "std MAE")
            label = label.replace("_", " ")
        parts.append(f"{label} {value:.4f}" if value_scale is None or "std" in label
                     else f"{label} {format_number(value)}")
    return "  ".join(parts)


class _EpochProgress(Callback):
    """A bar over the epochs (showing the last epoch's losses and metrics) or one line per
    epoch, on stderr."""

    def __init__(self, mode: str, epochs: int, metric: str, value_scale: float | None = None) -> None:
        self.mode, self.epochs, self.metric, self.value_scale = mode, epochs, metric, value_scale
        self.display: Progress | None = None

    def on_train_begin(self, logs):
        self.display = Progress(self.mode, self.epochs, desc="training", unit="epoch")

    def on_epoch_end(self, epoch, logs):
        if self.display is None:
            self.on_train_begin({})
        text = _logs_text(logs, self.metric, self.value_scale)
        self.display.step(f"epoch {epoch}/{self.epochs}  {text}  {logs.get('time', 0.0):.2f}s",
                          postfix=text.replace("accuracy", "acc").replace("  ", " "))

    def on_train_end(self, logs):
        if self.display is not None:
            self.display.close()


# =======================================================================================
# Defaults that follow the size of the data
# =======================================================================================

#: optimizer steps the default number of epochs aims at, and its bounds
AUTO_STEPS, AUTO_MIN_EPOCHS, AUTO_MAX_EPOCHS = 2000, 20, 200
#: share of the training rows held out for validation by default, the most it grows to, and the
#: fewest validation rows worth having
AUTO_VAL_SPLIT, AUTO_MAX_VAL_SPLIT, AUTO_MIN_VAL_ROWS = 0.1, 0.2, 70
#: early stopping's default patience, in epochs
AUTO_PATIENCE = 20


def _auto_val_split(n_train: int) -> float:
    """The default validation split of ``n_train`` rows (0.0: none).

    >>> _auto_val_split(100), _auto_val_split(400), _auto_val_split(5000)
    (0.0, 0.175, 0.1)
    """
    n_val = max(AUTO_VAL_SPLIT * n_train, min(AUTO_MIN_VAL_ROWS, AUTO_MAX_VAL_SPLIT * n_train))
    return 0.0 if n_val < AUTO_MIN_VAL_ROWS else max(AUTO_VAL_SPLIT, AUTO_MIN_VAL_ROWS / n_train)


def _resolve_sizes(args: argparse.Namespace, n_train: int) -> str | None:
    """Fill in ``--val-split`` and ``--epochs`` left to their defaults, from the number of
    training rows; returns the line that says what was chosen (None when both were given).

    A validation set of a few rows makes early stopping follow noise, so by default it is
    :data:`AUTO_VAL_SPLIT` of the rows, grown up to :data:`AUTO_MAX_VAL_SPLIT` to reach
    :data:`AUTO_MIN_VAL_ROWS` rows, and there is none when even that is too few; the epochs give
    about :data:`AUTO_STEPS` optimizer steps, so small data gets many passes and large data few.

    >>> ns = argparse.Namespace(val_split=None, epochs=None, batch_size=32)
    >>> _resolve_sizes(ns, 120)
    'defaults for 120 training rows: up to 200 epochs (4 steps each), no validation rows (fewer than 350 training rows; early stopping watches the training loss)'
    >>> ns.epochs, ns.val_split
    (200, 0.0)
    """
    chosen = []
    if args.val_split is None:
        args.val_split = _auto_val_split(n_train)
        if args.val_split:
            n_val = int(round(n_train * args.val_split))
            chosen.append(f"{n_val} of them ({args.val_split:.0%}) for validation and early stopping")
        else:
            chosen.append(f"no validation rows (fewer than {math.ceil(AUTO_MIN_VAL_ROWS / AUTO_MAX_VAL_SPLIT)} "
                          "training rows; early stopping watches the training loss)")
    if args.epochs is None:
        fit_rows = n_train - int(round(n_train * args.val_split))
        steps = max(1, math.ceil(fit_rows / args.batch_size))
        args.epochs = int(min(AUTO_MAX_EPOCHS, max(AUTO_MIN_EPOCHS, math.ceil(AUTO_STEPS / steps))))
        chosen.insert(0, f"up to {_plural(args.epochs, 'epoch')} ({_plural(steps, 'step')} each)")
    if not chosen:
        return None
    return f"defaults for {n_train} training rows: " + ", ".join(chosen)


# =======================================================================================
# Ctrl-C
# =======================================================================================

EXIT_INTERRUPTED = 130


class _Interrupts:
    """Ctrl-C (SIGINT) for the whole of ``neuronlab train``, from a terminal or ``kill -INT``.

    Before training starts there is nothing to keep: Ctrl-C aborts at once.  During
    training the first Ctrl-C asks :func:`~neuronlab.training.fit` to stop after the current
    batch (fit's own guard calls this handler too); the command then writes the model of
    the last finished epoch, skips the pictures not drawn yet and exits with 130.  A second
    Ctrl-C aborts at once: one line on stderr and exit code 130, by ``os._exit``, so that no
    Python code (an import, a C extension, a writer thread) is cut in the middle.  The files
    the command writes are written atomically; the temporary file of one being written is
    removed, and the file itself stays as it was before.
    """

    def __init__(self, paths: list[str | None]) -> None:
        self.paths = [p for p in paths if p]
        self.requested = False
        self.network: Network | None = None
        self.written: list[str] = []
        self.previous: Any = None
        self.installed = False
        self.stale = set(self._temporary_files())

    def _temporary_files(self) -> list[str]:
        """The temporary files of atomic writes of this command's output files."""
        found: list[str] = []
        for path in self.paths:
            folder, name = os.path.split(os.path.abspath(path))
            found += glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}.*.tmp"))
        return found

    def _handler(self, signum: int, frame: Any) -> None:
        if self.requested or self.network is None:
            self._abort()
        self.requested = True
        self.network.stop_training = True

    def _abort(self) -> NoReturn:
        for tmp in set(self._temporary_files()) - self.stale:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if self.network is None:
            what = "before training started; nothing written"
        elif self.written:
            what = f"at once; written before: {', '.join(self.written)}"
        else:
            what = "at once; no model written (a file being written is left as it was)"
        os.write(2, f"\nneuronlab train: interrupted {what}\n".encode("utf-8", "replace"))
        os._exit(EXIT_INTERRUPTED)

    def __enter__(self) -> "_Interrupts":
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handler)
            self.installed = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous if self.previous is not None else signal.SIG_DFL)
            self.installed = False


# =======================================================================================
# Commands
# =======================================================================================

def _check_names(args: argparse.Namespace, n_hidden: int) -> tuple[list[str], str | None, str | None]:
    acts = [a.strip() for a in args.activation.split(",") if a.strip()]
    if not acts:
        raise UsageError("neuronlab train: --activation needs a name, e.g. relu")
    for a in acts:
        _activations.get(a)
    if len(acts) == 1:
        acts = acts * n_hidden
    elif len(acts) != n_hidden:
        raise UsageError(f"neuronlab train: {len(acts)} activations for {_plural(n_hidden, 'hidden layer')}; "
                         "give one name, or one per hidden layer (e.g. --hidden 64,32 --activation relu,tanh)")
    output = None if args.output.strip().lower() == "auto" else _activations.get(args.output).name
    loss = None if args.loss.strip().lower() == "auto" else _losses.get(args.loss).name
    _optimizers.get(args.optimizer)
    return acts, output, loss


def _checkpoint_paths(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """``(checkpoint, resume)`` for fit from ``--checkpoint`` and ``--resume [FILE]``.  Resuming
    from a checkpoint that does not exist yet starts afresh (so one command line serves both
    the first run and every restart)."""
    checkpoint = args.checkpoint
    resume = args.resume
    if resume is True:
        if checkpoint is None:
            raise UsageError("neuronlab train: --resume needs a file: --resume FILE, or --checkpoint FILE --resume")
        resume = checkpoint
    if resume is not None and not os.path.exists(resume):
        if resume == checkpoint:
            _err(f"note: no checkpoint at {resume} yet; starting from the first epoch")
            resume = None
        else:
            raise UsageError(f"neuronlab train: no checkpoint file {resume}; check the path")
    if resume is not None:
        with reading(resume, "a checkpoint"):   # a damaged checkpoint is the user's file, not a bug
            load_checkpoint(resume)
    return checkpoint, resume


def _training_data(args: argparse.Namespace) -> _datasets.Dataset:
    """``--data`` (with ``--samples``, ``--noise`` and ``--seed`` for generated sets), checked
    to have targets to learn from."""
    gen_kw: dict[str, Any] = {}
    is_generated = args.data.strip().lower() in _datasets.generated_names()
    if args.samples is not None or args.noise is not None:
        if not is_generated:
            raise UsageError(f"neuronlab train: --samples and --noise apply to the generated data sets "
                             f"({', '.join(_datasets.generated_names())}), not to '{args.data}'")
        if args.samples is not None:
            gen_kw["n"] = args.samples
        if args.noise is not None:
            gen_kw["noise"] = args.noise
    if is_generated:
        gen_kw["seed"] = args.seed
    if args.no_header:
        gen_kw["header"] = False
    with reading(args.data, "a data file"):
        data = _datasets.load(args.data, target=args.target, task=args.task, **gen_kw)
    if data.y is None:
        raise DataError(f"{args.data} has no targets to learn from")
    if data.task == "classification" and data.n_classes < 2:
        raise DataError(f"{args.data}: the target has only one class ({data.target_names[0]!r}); "
                        "a classifier needs at least two")
    return data


def _split_and_scale(data: _datasets.Dataset, args: argparse.Namespace) -> tuple[Any, Any, dict[str, Any]]:
    """``(train, test or None, metadata)``: the test split, and the scalers fitted on the training rows."""
    if args.test_split > 0:
        train, test = data.split(args.test_split, seed=args.seed)
    else:
        train, test = data, None
    scaler = _datasets.Standardizer().fit(train.X)
    target_scaler = None
    if data.task == "regression":
        target_scaler = _datasets.Standardizer().fit(np.asarray(train.y, dtype=np.float64).reshape(len(train), -1))
    return train, test, _datasets.model_metadata(data, scaler, target_scaler)


def _build_network(args: argparse.Namespace, data: _datasets.Dataset, acts: list[str], output: str | None,
                   loss_name: str | None, y_encoded: np.ndarray) -> tuple[Network, str]:
    """The network of the command line's options: the output activation and the loss follow
    the task unless given, and a loss that does not fit the output is a usage error."""
    task, k = data.task, data.n_classes
    if output is None:
        output = "softmax" if task == "classification" else "identity"
    if task == "classification":
        n_out = 1 if (output == "sigmoid" and k == 2) else k
    else:
        n_out = y_encoded.shape[1]
    if loss_name is None:
        loss_name = default_loss(output)  # sigmoid with k > 2 outputs: one-hot rows, one sigmoid per class
    loss_obj = _losses.get(loss_name)
    if loss_obj.is_classification and task != "classification":
        raise UsageError(f"neuronlab train: loss '{loss_name}' is for classes but {data.name} has values to "
                         "predict (regression); use mse or mae, or --task classification")
    if loss_name == "cross_entropy" and output != "softmax":
        raise UsageError(f"neuronlab train: loss cross_entropy needs a softmax output, not '{output}'")
    if loss_name == "binary_crossentropy" and output not in ("sigmoid",) and task == "classification":
        raise UsageError(f"neuronlab train: loss binary_crossentropy needs a sigmoid output, not '{output}'")
    net = Network.mlp([data.n_features, *args.hidden, n_out], hidden=acts, output=output, loss=loss_name,
                      seed=args.seed)
    return net, output


def _fit(net: Network, X: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> tuple[History, float, float]:
    """``(history, seconds, validation split used)``.  fit handles Ctrl-C itself: it stops after
    the current batch, keeps the weights of the last finished epoch and sets
    ``history.interrupted``."""
    callbacks: list[Callback] = []
    progress = None if args.progress == "none" else _EpochProgress(args.progress, args.epochs, net.metric_name,
                                                                   _value_scale(net))
    if progress is not None:
        callbacks.append(progress)
    val_split = args.val_split
    if val_split > 0 and int(round(len(X) * val_split)) < 1:
        val_split = 0.0
    checkpoint, resume = _checkpoint_paths(args)
    t_fit = time.perf_counter()
    try:
        history = net.fit(X, y, epochs=args.epochs, batch_size=args.batch_size,
                          optimizer=args.optimizer, learning_rate=args.lr, validation_split=val_split,
                          early_stopping=args.early_stopping or None, callbacks=callbacks,
                          checkpoint=checkpoint, checkpoint_every=args.checkpoint_every, resume=resume)
    finally:
        if progress is not None:
            progress.on_train_end({})
    return history, time.perf_counter() - t_fit, val_split


def _value_scale(net: Network) -> float | None:
    """For a one-target regression, the target's standard deviation (standardised MAE → the
    target's units); NaN for several targets (their MAE stays standardised); None for classes."""
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    if meta.get("task") != "regression":
        return None
    scale = np.ravel(np.asarray((meta.get("target_scaler") or {}).get("scale", [1.0]), dtype=np.float64))
    return float(scale[0]) if scale.size == 1 else float("nan")


def _training_record(args: argparse.Namespace, net: Network, acts: list[str], output: str, val_split: float,
                     interrupted: bool) -> dict[str, Any]:
    """How the model was trained, as stored in its metadata."""
    return {
        "data": args.data, "hidden": list(args.hidden), "activation": acts, "output": output, "loss": net.loss.name,
        "optimizer": args.optimizer, "learning_rate": args.lr, "epochs": args.epochs, "batch_size": args.batch_size,
        "val_split": val_split, "early_stopping": args.early_stopping, "test_split": args.test_split,
        "seed": args.seed, "interrupted": interrupted,
    }


def _test_metrics(net: Network, meta: dict[str, Any], test: Any, task: str, k: int) -> dict[str, Any] | None:
    if test is None:
        return None
    X_test = _datasets.prepare_features(meta, test)
    y_test = _datasets.encode_targets(meta, test)
    if task == "classification":
        return _classification_metrics(net, X_test, y_test, _datasets.class_labels(meta, k))
    return _regression_metrics(net, X_test, y_test, meta)


def cmd_train(args: argparse.Namespace) -> int:
    """``neuronlab train``: data, network, training, test, model file, pictures, summary."""
    with _Interrupts([args.out, args.checkpoint]) as interrupts:
        return _train(args, interrupts)


def _train(args: argparse.Namespace, interrupts: _Interrupts) -> int:
    t_start = time.perf_counter()
    acts, output, loss_name = _check_names(args, len(args.hidden))
    data = _training_data(args)
    task, k = data.task, data.n_classes
    train, test, meta = _split_and_scale(data, args)
    X_train = _datasets.prepare_features(meta, train)
    y_train_enc = _datasets.encode_targets(meta, train)
    net, output = _build_network(args, data, acts, output, loss_name, y_train_enc)
    y_train = _targets_for(net, y_train_enc, task, k)

    arch = " → ".join(str(s) for s in [data.n_features, *args.hidden, net.n_outputs])
    chosen = _resolve_sizes(args, len(train))
    if not args.json:
        _print_train_header(args, data, train, test, arch, acts, output, net)
        if chosen:
            _out(chosen)

    net.metadata = meta
    interrupts.network = net
    history, fit_seconds, val_split = _fit(net, X_train, y_train, args)
    interrupted = bool(history.interrupted) or interrupts.requested
    if interrupted:
        _err("\ninterrupted: training stopped after the current batch; keeping the last finished epoch "
             "(press Ctrl-C again to abort at once)")
    if interrupted and len(history) == 0:
        _err("neuronlab train: interrupted before the first epoch finished; no model written")
        return EXIT_INTERRUPTED
    meta["history"] = history.to_dict()
    meta["training"] = _training_record(args, net, acts, output, val_split, interrupted)
    net.metadata = meta
    test_metrics = _test_metrics(net, meta, test, task, k)
    train_eval = _train_metrics(net, X_train, y_train, meta, task, k, y_train_enc)

    _save_model(net, args.out)
    interrupts.written.append(args.out)
    pictures: list[str] = []
    plot_problems: list[str] = []
    plot_dir = None
    if not args.no_plots:
        plot_dir = args.plots or os.path.join(os.path.dirname(args.out) or ".", "plots")
        pictures, plot_problems = _training_pictures(net, history, X_train, y_train_enc, task, plot_dir,
                                                     stop=lambda: interrupts.requested)
    interrupted = interrupted or interrupts.requested

    summary = {
        "data": data.name, "task": task, "samples": {"train": len(train), "test": len(test) if test is not None else 0},
        "network": arch, "activations": acts + [output], "loss": net.loss.name, "parameters": net.n_params,
        "epochs_run": len(history), "resumed_from": history.resumed_from, "best_epoch": history.best_epoch, "stopped_early": history.stopped_early,
        "interrupted": interrupted, "train": train_eval, "test": test_metrics,
        "train_seconds": fit_seconds, "total_seconds": time.perf_counter() - t_start,
        "model": args.out, "plots": pictures, "plot_problems": plot_problems,
    }
    if args.json:
        _print_json(summary)
    else:
        _print_train_summary(summary, history, plot_dir)
    return EXIT_INTERRUPTED if interrupted else 0


def _print_train_header(args: argparse.Namespace, data: Any, train: Any, test: Any, arch: str, acts: list[str],
                        output: str, net: Network) -> None:
    """The two lines before training: the data and the network."""
    k = data.n_classes
    what = f"{_plural(k, 'class')}" if data.task == "classification" else "regression"
    sizes = f"{len(train)} train" + (f", {len(test)} test" if test is not None else "")
    _out(f"data: {data.name} — {data.n_samples} samples, {_plural(data.n_features, 'feature')}, {what} ({sizes})")
    _out(f"network: {arch} ({', '.join([*acts, output])}), loss {net.loss.name}, {net.n_params:,} parameters, "
         f"{args.optimizer} for up to {_plural(args.epochs, 'epoch')}")
    sys.stdout.flush()


def _train_metrics(net: Network, X: np.ndarray, y: np.ndarray, meta: dict[str, Any], task: str, k: int,
                   y_encoded: np.ndarray) -> dict[str, Any]:
    """The training rows' metrics, in the same units as the test metrics."""
    if task == "classification":
        return _classification_metrics(net, X, y_encoded, _datasets.class_labels(meta, k))
    return _regression_metrics(net, X, y, meta)


def _print_train_summary(s: dict[str, Any], history: History, plot_dir: str | None) -> None:
    how = _how_trained(s, history)
    if s["interrupted"]:
        how += f" (interrupted; keeping the model of epoch {history.best_epoch or history.epochs[-1]})"
    elif s["stopped_early"]:
        how += f" (early stopping; best epoch {history.best_epoch})"
    _out(how)
    _out(_metrics_text(s["train"], prefix="train ", matrix=False))
    if s["test"] is not None:
        _out(_metrics_text(s["test"], prefix="test "))
    else:
        _out("no test set (--test-split 0)")
    if s["model"]:
        _out(f"model written to {s['model']}")
    if s["plots"]:
        _out(f"pictures written to {plot_dir}{os.sep}: {', '.join(os.path.basename(p) for p in s['plots'])}")
    for problem in s["plot_problems"]:
        _err(f"note: {problem}")
    _out(f"time {s['total_seconds']:.1f} s")


def _how_trained(s: dict[str, Any], history: History) -> str:
    """"trained 30 epochs in 1.2 s", or for a resumed run how many epochs it added to which."""
    done = history.resumed_from
    if done is None:
        return f"trained {_plural(s['epochs_run'], 'epoch')} in {s['train_seconds']:.1f} s"
    if s["epochs_run"] == done:
        return f"resumed from epoch {done}: the run had already finished; nothing left to train"
    return (f"resumed from epoch {done}: trained {_plural(s['epochs_run'] - done, 'more epoch')} "
            f"({s['epochs_run']} in all) in {s['train_seconds']:.1f} s")


def _training_pictures(net: Network, history: History, X: np.ndarray, y: np.ndarray, task: str,
                       plot_dir: str, stop: Callable[[], bool] = lambda: False) -> tuple[list[str], list[str]]:
    """Draw what fits the data; a picture that cannot be drawn is reported, not fatal.  When
    ``stop()`` turns true (Ctrl-C), the pictures not started yet are skipped."""
    try:
        plots = _plots()
    except MissingExtraError as err:
        return [], [f"no pictures: {err}"]
    os.makedirs(plot_dir, exist_ok=True)
    sample = X if len(X) <= 2000 else X[np.random.default_rng(0).choice(len(X), 2000, replace=False)]
    jobs: list[tuple[str, Callable[[str], Any]]] = [
        ("curves.png", lambda p: plots.training_curves(history, path=p)),
    ]
    if X.shape[1] == 2 and task == "classification":
        jobs.append(("regions.png", lambda p: plots.decision_regions(net, X, y, path=p)))
    if X.shape[1] == 2:
        jobs.append(("neurons.png", lambda p: plots.neuron_maps(net, X, path=p)))
    jobs.append(("histograms.png", lambda p: plots.activation_histograms(net, sample, path=p)))
    jobs.append(("diagram.png", lambda p: plots.network_diagram(net, X=sample[:200], path=p)))
    written, problems = [], []
    for name, draw in jobs:
        if stop():
            problems.append("interrupted: the remaining pictures were not drawn")
            break
        path = os.path.join(plot_dir, name)
        try:
            fig = draw(path)
        except Exception as err:  # a picture must not cost the trained model
            problems.append(f"could not draw {name}: {one_line(err)}")
            continue
        _close_figure(fig)
        written.append(path)
    return written, problems
