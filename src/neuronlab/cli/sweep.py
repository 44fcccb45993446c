"""The command line of sweeps: ``neuronlab sweep`` (its arguments, and running it)."""
from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any, Callable

from .. import datasets as _datasets
from .._util.extras import require
from ..errors import HyperparameterError
from ..sweep import sweep
from ..sweep.grid import _canon_hidden, hidden_text
from ..sweep.results import _check_plot_path
from .common import _Formatter, _finite_float, _int, _number, reading


def _arg_names(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    if not parts or not all(parts):
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of names like relu,tanh")
    return parts


def _arg_hidden(text: str) -> list[tuple[int, ...]]:
    out = []
    for part in text.split(","):
        try:
            out.append(_canon_hidden(part))
        except HyperparameterError:
            raise argparse.ArgumentTypeError(
                f"'{text}' is not a list of architectures like 16,32x32 (',' between architectures, "
                "'x' between layers, 'none' for no hidden layer)") from None
    return out


def _arg_floats(text: str) -> list[float]:
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers like 0.01,0.001") from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"'{text}' holds a value that is not finite")
    return values


def _arg_ints(text: str) -> list[int]:
    try:
        values = [int(p) for p in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers like 32,64") from None
    if any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"values must be >= 1, got '{text}'")
    return values


def _arg_seeds(text: str) -> Any:
    try:
        if "," in text:
            values = [int(p) for p in text.split(",")]
            if any(v < 0 for v in values):
                raise ValueError
            return values
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seeds (5) or a list of seeds (0,1,2)") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"the number of seeds must be >= 1, got {v}")
    return v


def _arg_count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        v = _int(text)
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {v}")
        return v
    return parse


def _arg_fraction(text: str) -> float:
    v = _number(text)
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in (0, 1), got {text}")
    return v


_DESCRIPTION = """\
Train every combination of the given activations, hidden-layer architectures and learning
rates (and optimizers, batch sizes, ...) with several seeds, and rank the configurations by
the mean ± std of the validation metric.  Runs go to one worker process per core (each with
one BLAS thread), or to a Dask cluster with --scheduler.  The same seeds give the same
numbers on either.

Every finished run is appended to --out at once; running the same command again skips the
runs already there (resume).  A run that diverges or fails is recorded as failed with its
reason, and the sweep goes on; runs of a worker that dies are run again elsewhere."""


def add_sweep_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to the ``neuronlab`` command line's subparsers."""
    p = subparsers.add_parser(
        "sweep", help="compare activations and architectures over seeds, on all cores or a Dask cluster",
        formatter_class=_Formatter,
        description=_DESCRIPTION,
        epilog="examples:\n"
               "  neuronlab sweep --data spirals --activation relu,tanh,sigmoid,gelu --hidden 16,32x32 \\\n"
               "                  --lr 0.01,0.001 --seeds 5 --epochs 50 --out sweep.csv --plot sweep.png\n"
               "  neuronlab sweep --data moons --hidden 8,16,8x8 --scheduler tcp://10.0.0.5:8786 --out moons.csv\n"
               "  neuronlab sweep --data digits --activation relu,gelu --hidden 64,128x64 --seeds 3 --jobs 4")
    p.add_argument("--data", default="spirals", metavar="DATA",
                   help="built-in name, .csv or .npz file (default: spirals)")
    p.add_argument("--target", metavar="COLUMN", help="CSV target column (default: the last column)")
    p.add_argument("--samples", type=_arg_count(2), metavar="N", help="generated data: number of samples")
    p.add_argument("--noise", type=_finite_float, metavar="X", help="generated data: noise level")
    p.add_argument("--data-seed", type=_arg_count(0), default=0, metavar="N",
                   help="seed of the generated data and of the validation split (default: 0)")
    p.add_argument("--activation", type=_arg_names, default=["relu"], metavar="NAMES",
                   help="hidden activations to compare, e.g. relu,tanh,gelu ('relu+tanh': one per layer; default: relu)")
    p.add_argument("--hidden", type=_arg_hidden, default=[(32,)], metavar="ARCHS",
                   help="architectures to compare, e.g. 16,32x32 ('x' between layers; default: 32)")
    p.add_argument("--lr", type=_arg_floats, metavar="RATES",
                   help="learning rates to compare, e.g. 0.01,0.001 (default: the optimizer's own)")
    p.add_argument("--optimizer", type=_arg_names, default=["adam"], metavar="NAMES",
                   help="optimizers to compare (default: adam)")
    p.add_argument("--batch-size", type=_arg_ints, default=[32], metavar="SIZES", help="batch sizes (default: 32)")
    p.add_argument("--epochs", type=_arg_ints, default=[50], metavar="N", help="epochs per run (default: 50)")
    p.add_argument("--dropout", type=_arg_floats, metavar="RATES", help="dropout rates to compare (default: 0)")
    p.add_argument("--l2", type=_arg_floats, metavar="VALUES", help="L2 penalties to compare (default: 0)")
    p.add_argument("--seeds", type=_arg_seeds, default=5, metavar="N",
                   help="seeds per configuration: a count (seeds 0..N-1) or a list 0,1,2 (default: 5)")
    p.add_argument("--val-split", type=_arg_fraction, default=0.2, metavar="F",
                   help="share of the rows held out for validation, the same for every run (default: 0.2)")
    p.add_argument("--metric", default="auto", metavar="NAME",
                   help="rank by val_accuracy, val_loss, val_mae, accuracy, loss or mae "
                        "(default: val_accuracy for classes, val_mae for values)")
    p.add_argument("--jobs", type=_arg_count(1), metavar="N",
                   help="local worker processes (default: one per core); with --scheduler: unused")
    p.add_argument("--serial", action="store_true", help="run in this process, one run after another")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on the Dask cluster of this scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--retries", type=_arg_count(0), default=2, metavar="N",
                   help="times a run whose worker died is run again (default: 2)")
    p.add_argument("--out", metavar="CSV", help="results file: one row per run, appended as runs finish")
    p.add_argument("--no-resume", action="store_true",
                   help="start --out afresh instead of skipping the runs already in it")
    p.add_argument("--plot", metavar="FILE", help="picture of the results (.png, .svg or .pdf)")
    p.add_argument("--progress", choices=("auto", "bar", "lines", "none"), default="auto",
                   help="progress on stderr: a bar over the runs (tqdm), one line per run, or nothing "
                        "(default: auto — a bar on a terminal when tqdm is installed, else lines)")
    p.add_argument("--json", action="store_true", help="print the ranked configurations as JSON")
    p.set_defaults(func=run_sweep_command)
    return p


def _check_data_file(data: str, target: str | None) -> None:
    """Read a data *file* once before the sweep, so that a damaged, missing or foreign file is
    one line naming it (exit code 2) rather than an error in every run."""
    if not isinstance(data, str) or data.strip().lower() in _datasets.names():
        return
    with reading(data, "a data file"):
        _datasets.load(data, target=target)


def run_sweep_command(args: argparse.Namespace) -> int:
    """Run ``neuronlab sweep`` from parsed arguments; prints the ranked table.  Bad input
    raises a :class:`~neuronlab.errors.NeuronLabError` (the command line prints it as one line)."""
    grid: dict[str, Any] = {"activation": args.activation, "hidden": args.hidden}
    if args.lr is not None:
        grid["learning_rate"] = args.lr
    if len(args.optimizer) > 1:
        grid["optimizer"] = args.optimizer
    for key, values in (("batch_size", args.batch_size), ("epochs", args.epochs)):
        if len(values) > 1:
            grid[key] = values
    for key, values in (("dropout", args.dropout), ("l2", args.l2)):
        if values is not None:
            grid[key] = values
    options: dict[str, Any] = {}
    if args.samples is not None:
        options["n"] = args.samples
    if args.noise is not None:
        options["noise"] = args.noise
    if args.target is not None:
        options["target"] = args.target
    if args.plot is not None:
        _check_plot_path(args.plot)
        require("matplotlib", extra="plot", what="--plot")   # fail before the sweep, not after it
    _check_data_file(args.data, args.target)
    if args.serial and args.scheduler:
        raise HyperparameterError("--serial and --scheduler exclude each other")
    executor = "serial" if args.serial else ("dask" if args.scheduler else "local")
    res = sweep(args.data, grid, seeds=args.seeds, epochs=args.epochs[0], batch_size=args.batch_size[0],
                optimizer=args.optimizer[0], metric=None if args.metric == "auto" else args.metric,
                validation_split=args.val_split, data_seed=args.data_seed, data_options=options or None,
                executor=executor, scheduler=args.scheduler, n_jobs=args.jobs, retries=args.retries,
                out=args.out, resume=not args.no_resume, progress=args.progress)
    if args.json:
        rows = [{k: (hidden_text(v) if k == "hidden" else (None if isinstance(v, float) and not math.isfinite(v) else v))
                 for k, v in r.items()} for r in res.summary()]
        print(json.dumps({"data": res.data, "metric": res.metric, "stats": res.stats, "configurations": rows},
                         indent=2))
    else:
        print(res.table())
    notes = []
    if res.stats.get("resumed"):
        notes.append(f"{res.stats['resumed']} of {len(res)} runs taken from {args.out}")
    n_failed = len(res.failed)
    if n_failed:
        notes.append(f"{n_failed} of {len(res)} runs failed (see the failures column"
                     f"{' and the error column of ' + args.out if args.out else ''})")
    if args.out:
        notes.append(f"results: {args.out}")
    if args.plot:
        res.plot(args.plot)
        notes.append(f"picture: {args.plot}")
    for note in notes:
        print(note, file=sys.stderr)
    return 0
