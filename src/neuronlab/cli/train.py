"""``neuronlab train``: training from the command line, with its progress display, Ctrl-C
handling, summary and pictures."""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, Callable

import numpy as np

from .. import activations as _activations
from .. import datasets as _datasets
from .. import losses as _losses
from .. import optimizers as _optimizers
from ..errors import DataError
from ..network import Network, default_loss
from ..training import Callback, History
from .common import MissingModuleError, UsageError, _err, _one_line, _out, _plural, _print_json
from .model import (_classification_metrics, _close_figure, _metrics_text, _plots_module, _regression_metrics,
                    _save_model, _targets_for)


# =======================================================================================
# Training callbacks: progress and Ctrl-C
# =======================================================================================

def _logs_text(logs: dict[str, Any], metric: str) -> str:
    parts = []
    for key in ("loss", metric, "val_loss", "val_" + metric):
        if key in logs:
            parts.append(f"{key} {logs[key]:.4f}")
    return "  ".join(parts)


class _LineProgress(Callback):
    """One line per epoch on stderr."""

    def __init__(self, epochs: int, metric: str) -> None:
        self.epochs, self.metric = epochs, metric

    def on_epoch_end(self, epoch, logs):
        _err(f"epoch {epoch}/{self.epochs}  {_logs_text(logs, self.metric)}  {logs.get('time', 0.0):.2f}s")


class _BarProgress(Callback):
    """A tqdm bar over the epochs, on stderr, showing the last epoch's losses and metrics."""

    def __init__(self, epochs: int, metric: str, tqdm: Any) -> None:
        self.epochs, self.metric, self._tqdm = epochs, metric, tqdm
        self.bar = None

    def on_train_begin(self, logs):
        try:
            cols, rows = os.get_terminal_size(sys.stderr.fileno())
        except (OSError, ValueError, AttributeError):
            cols, rows = 0, 0
        sized = cols >= 40 and rows >= 1  # a bare pty reports 0 × 0, where tqdm would hide the bar
        self.bar = self._tqdm(total=self.epochs, desc="training", unit="epoch", file=sys.stderr, leave=True,
                              dynamic_ncols=sized, ncols=None if sized else 100, nrows=None if sized else 20)

    def on_epoch_end(self, epoch, logs):
        if self.bar is not None:
            short = _logs_text(logs, self.metric).replace("accuracy", "acc").replace("  ", " ")
            self.bar.set_postfix_str(short, refresh=False)
            self.bar.update(1)

    def on_train_end(self, logs):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _progress_callback(mode: str, epochs: int, metric: str) -> Callback | None:
    if mode == "none":
        return None
    if mode in ("auto", "bar"):
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
            if mode == "bar":
                _err("note: tqdm is not installed (pip install 'neuronlab[cli]'); showing one line per epoch")
        if tqdm is not None and (mode == "bar" or sys.stderr.isatty()):
            return _BarProgress(epochs, metric, tqdm)
    return _LineProgress(epochs, metric)


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
    return checkpoint, resume


def cmd_train(args: argparse.Namespace) -> int:
    t_start = time.perf_counter()
    acts, output, loss_name = _check_names(args, len(args.hidden))
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
    data = _datasets.load(args.data, target=args.target, task=args.task, **gen_kw)
    if data.y is None:
        raise DataError(f"{args.data} has no targets to learn from")
    task = data.task
    k = data.n_classes
    if task == "classification" and k < 2:
        raise DataError(f"{args.data}: the target has only one class ({data.target_names[0]!r}); "
                                  "a classifier needs at least two")

    # -- split and scale -------------------------------------------------------------------
    if args.test_split > 0:
        train, test = data.split(args.test_split, seed=args.seed)
    else:
        train, test = data, None
    scaler = _datasets.Standardizer().fit(train.X)
    target_scaler = None
    if task == "regression":
        target_scaler = _datasets.Standardizer().fit(np.asarray(train.y, dtype=np.float64).reshape(len(train), -1))
    meta = _datasets.model_metadata(data, scaler, target_scaler)
    X_train = _datasets.prepare_features(meta, train)
    y_train_enc = _datasets.encode_targets(meta, train)

    # -- build -----------------------------------------------------------------------------
    if output is None:
        output = "softmax" if task == "classification" else "identity"
    if task == "classification":
        n_out = 1 if (output == "sigmoid" and k == 2) else k
    else:
        n_out = y_train_enc.shape[1]
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
    y_train = _targets_for(net, y_train_enc, task, k)
    metric = net.metric_name

    arch = " → ".join(str(s) for s in [data.n_features, *args.hidden, n_out])
    act_names = ", ".join([*acts, output])
    if not args.json:
        what = f"{_plural(k, 'class')}" if task == "classification" else "regression"
        sizes = f"{len(train)} train" + (f", {len(test)} test" if test is not None else "")
        _out(f"data: {data.name} — {data.n_samples} samples, {_plural(data.n_features, 'feature')}, {what} ({sizes})")
        _out(f"network: {arch} ({act_names}), loss {net.loss.name}, {net.n_params:,} parameters, "
             f"{args.optimizer} for up to {_plural(args.epochs, 'epoch')}")
        sys.stdout.flush()

    # -- train -----------------------------------------------------------------------------
    callbacks: list[Callback] = []
    progress = _progress_callback(args.progress, args.epochs, metric)
    if progress is not None:
        callbacks.append(progress)
    val_split = args.val_split
    if val_split > 0 and int(round(len(X_train) * val_split)) < 1:
        val_split = 0.0
    checkpoint, resume = _checkpoint_paths(args)
    t_fit = time.perf_counter()
    try:
        # fit handles Ctrl-C itself: it stops after the current batch, keeps the weights of the
        # last finished epoch and sets history.interrupted
        history = net.fit(X_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                          optimizer=args.optimizer, learning_rate=args.lr, validation_split=val_split,
                          early_stopping=args.early_stopping or None, callbacks=callbacks,
                          checkpoint=checkpoint, checkpoint_every=args.checkpoint_every, resume=resume)
    finally:
        if isinstance(progress, _BarProgress):
            progress.on_train_end({})
    fit_seconds = time.perf_counter() - t_fit
    interrupted = bool(history.interrupted)
    if interrupted:
        _err("\ninterrupted: training stopped after the current batch; keeping the last finished epoch")
    if interrupted and len(history) == 0:
        _err("neuronlab train: interrupted before the first epoch finished; no model written")
        return 130

    meta["history"] = history.to_dict()
    meta["training"] = {
        "data": args.data, "hidden": list(args.hidden), "activation": acts, "output": output, "loss": net.loss.name,
        "optimizer": args.optimizer, "learning_rate": args.lr, "epochs": args.epochs, "batch_size": args.batch_size,
        "val_split": val_split, "early_stopping": args.early_stopping, "test_split": args.test_split,
        "seed": args.seed, "interrupted": interrupted,
    }
    net.metadata = meta

    # -- test ------------------------------------------------------------------------------
    test_metrics = None
    if test is not None:
        X_test = _datasets.prepare_features(meta, test)
        y_test = _datasets.encode_targets(meta, test)
        if task == "classification":
            test_metrics = _classification_metrics(net, X_test, y_test, _datasets.class_labels(meta, k))
        else:
            test_metrics = _regression_metrics(net, X_test, y_test, meta)
    train_eval = net.evaluate(X_train, y_train)

    # -- write -----------------------------------------------------------------------------
    save_problem = None
    try:
        _save_model(net, args.out)
    except MissingModuleError as err:  # report it after the summary: the training is not lost on screen
        save_problem = str(err)
    pictures: list[str] = []
    plot_problems: list[str] = []
    plot_dir = None
    if not args.no_plots:
        plot_dir = args.plots or os.path.join(os.path.dirname(args.out) or ".", "plots")
        pictures, plot_problems = _training_pictures(net, history, X_train, y_train_enc, task, plot_dir)
    total = time.perf_counter() - t_start

    summary = {
        "data": data.name, "task": task, "samples": {"train": len(train), "test": len(test) if test is not None else 0},
        "network": arch, "activations": acts + [output], "loss": net.loss.name, "parameters": net.n_params,
        "epochs_run": len(history), "best_epoch": history.best_epoch, "stopped_early": history.stopped_early,
        "interrupted": interrupted, "train": train_eval, "test": test_metrics,
        "train_seconds": fit_seconds, "total_seconds": total, "model": None if save_problem else args.out,
        "plots": pictures, "plot_problems": plot_problems,
    }
    if args.json:
        _print_json(summary)
    else:
        _print_train_summary(summary, history, plot_dir)
    if save_problem:
        _err(f"neuronlab train: error: the model was not written: {save_problem}")
        return 1
    return 130 if interrupted else 0


def _print_train_summary(s: dict[str, Any], history: History, plot_dir: str | None) -> None:
    how = f"trained {_plural(s['epochs_run'], 'epoch')} in {s['train_seconds']:.1f} s"
    if s["interrupted"]:
        how += f" (interrupted; keeping the model of epoch {history.best_epoch or history.epochs[-1]})"
    elif s["stopped_early"]:
        how += f" (early stopping; best epoch {history.best_epoch})"
    _out(how)
    tr = s["train"]
    metric = "accuracy" if "accuracy" in tr else "mae"
    _out(f"train {metric} {tr[metric]:.4f}   loss {tr['loss']:.4f}")
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


def _training_pictures(net: Network, history: History, X: np.ndarray, y: np.ndarray, task: str,
                       plot_dir: str) -> tuple[list[str], list[str]]:
    """Draw what fits the data; a picture that cannot be drawn is reported, not fatal."""
    try:
        plots = _plots_module()
    except MissingModuleError as err:
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
        path = os.path.join(plot_dir, name)
        try:
            fig = draw(path)
        except Exception as err:  # a picture must not cost the trained model
            problems.append(f"could not draw {name}: {_one_line(err)}")
            continue
        _close_figure(fig)
        written.append(path)
    return written, problems
