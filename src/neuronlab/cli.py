"""The ``neuronlab`` command line: train, evaluate, predict, inspect and explain networks.

Floor 4 (faces).  ``neuronlab`` (the console script) and ``python -m neuronlab`` both call
:func:`main`; with no command they print the help.  ``neuronlab train`` with no options
trains a network on the built-in digits data and writes the model and pictures to
``./neuronlab-out/``.

Exit codes: 0 success; 2 bad usage or bad input (one line on stderr, no traceback);
130 interrupted (``train`` still writes the model of the last finished epoch); 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from typing import Any, Callable, Sequence

import numpy as np

from . import activations as _activations
from . import datasets as _datasets
from . import losses as _losses
from . import optimizers as _optimizers
from .errors import DataError, MissingExtraError, NeuronLabError
from .network import Network, default_loss
from .neuron import Neuron, format_number
from .training import Callback, History

__all__ = ["main", "build_parser", "UsageError"]

PROG = "neuronlab"
DEFAULT_DIR = "neuronlab-out"
DEFAULT_MODEL = os.path.join(DEFAULT_DIR, "model.nlz")
PLOT_KINDS = ("curves", "regions", "neurons", "histograms", "diagram")


class UsageError(NeuronLabError, ValueError):
    """The command line itself is wrong (an unknown option, a malformed value)."""


class MissingModuleError(MissingExtraError):
    """A part of neuronlab that this command needs is not available (exit code 1)."""


# =======================================================================================
# Argument parsing
# =======================================================================================

class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (and exit code 2) instead of
    printing the whole usage block."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=100)


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _int_list(text: str) -> list[int]:
    t = text.strip().lower()
    if t in ("", "none", "0", "-"):
        return []
    try:
        sizes = [int(p) for p in t.replace(" ", "").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a list of layer sizes like 64,32") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got '{text}'")
    return sizes


def _float_list(text: str) -> list[float]:
    try:
        values = [float(p) for p in text.replace(" ", "").split(",") if p != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers like 0.5,0.6") from None
    if not values:
        raise argparse.ArgumentTypeError("give at least one number, e.g. 0.5,0.6")
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"'{text}' holds a value that is not finite")
    return values


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {v}")
    return v


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {v}")
    return v


def _fraction(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1), got {text}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return v


def _finite_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"must be finite, got {text}")
    return v


def _add_data_args(p: argparse.ArgumentParser, required: bool = True, what: str = "the data") -> None:
    p.add_argument("--data", required=required, metavar="DATA",
                   help=f"{what}: a built-in name, a .csv or .npz file, or an IDX pair IMAGES,LABELS")
    p.add_argument("--target", metavar="COLUMN",
                   help="CSV target column (default: the one the model was trained on, else the last column)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (used by :func:`main` and by the docs)."""
    builtin = ", ".join(_datasets.names())
    parser = _Parser(
        prog=PROG, formatter_class=_Formatter,
        description="Build, train and look inside neural networks, neuron by neuron.",
        epilog=_examples(
            "neuronlab train                                   # digits, progress, test accuracy, model + pictures",
            "neuronlab train --data moons --hidden 16,16 --activation tanh",
            "neuronlab evaluate neuronlab-out/model.nlz --data digits",
            "neuronlab neuron --weights 0.1,0.2 --bias 0.3 --inputs 0.5,0.6 --activation relu",
            "neuronlab <command> --help                        # options and examples of one command",
        ),
    )
    from . import __version__
    parser.add_argument("--version", action="version", version=f"neuronlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>", parser_class=_Parser)
    from .sweep import add_sweep_command

    # -- train -----------------------------------------------------------------------------
    p = sub.add_parser(
        "train", help="train a network on built-in data or your own file",
        formatter_class=_Formatter,
        description=("Train a multilayer perceptron by backpropagation and gradient descent.  With no options:\n"
                     "the digits data (8×8 images), hidden layers 128,64 (relu), 30 epochs of Adam, 20% held out\n"
                     "for the test, 10% of the rest for validation; the model goes to ./neuronlab-out/model.nlz\n"
                     "and pictures to ./neuronlab-out/plots/.\n\n"
                     f"Built-in data: {builtin}.\n"
                     "Features are standardised (the scaler is stored in the model file); class labels of any\n"
                     "type are mapped to classes and back.  Ctrl-C stops after the current batch and still\n"
                     "writes the model of the last finished epoch (exit code 130)."),
        epilog=_examples(
            "neuronlab train",
            "neuronlab train --data iris --hidden 16 --epochs 100",
            "neuronlab train --data spirals --hidden 32,32 --activation relu,tanh --lr 0.01 --plots pics/",
            "neuronlab train --data houses.csv --target price --loss mae --out houses.nlz",
            "neuronlab train --data train-images.idx3-ubyte,train-labels.idx1-ubyte --hidden 128 --epochs 5",
            "neuronlab train --epochs 100 --checkpoint run.ckpt            # killed? run it again with --resume:",
            "neuronlab train --epochs 100 --checkpoint run.ckpt --resume",
        ))
    p.add_argument("--data", default="digits", metavar="DATA",
                   help="built-in name, .csv or .npz file, or an IDX pair IMAGES,LABELS (default: digits)")
    p.add_argument("--target", metavar="COLUMN", help="CSV target column (default: the last column)")
    p.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                   help="how to read the targets of a file (default: auto — text or few distinct integers are classes)")
    p.add_argument("--samples", type=_positive_int, metavar="N", help="generated data: number of samples")
    p.add_argument("--noise", type=float, metavar="X", help="generated data: noise level")
    p.add_argument("--hidden", type=_int_list, default=[128, 64], metavar="SIZES",
                   help="hidden layer sizes, e.g. 64,32 ('none' for no hidden layer; default: 128,64)")
    p.add_argument("--activation", default="relu", metavar="NAME[,NAME…]",
                   help="hidden activation, or one per hidden layer, e.g. relu,tanh (default: relu)")
    p.add_argument("--output", default="auto", metavar="NAME",
                   help="output activation (default: auto — softmax for classes, identity for values)")
    p.add_argument("--loss", default="auto", metavar="NAME",
                   help=f"loss: {', '.join(_losses.names())} (default: auto — matches the output activation)")
    p.add_argument("--epochs", type=_positive_int, default=30, metavar="N", help="passes over the data (default: 30)")
    p.add_argument("--batch-size", type=_positive_int, default=32, metavar="N", help="samples per step (default: 32)")
    p.add_argument("--optimizer", default="adam", metavar="NAME",
                   help=f"{', '.join(_optimizers.names())} (default: adam)")
    p.add_argument("--lr", type=_positive_float, metavar="RATE", help="learning rate (default: the optimizer's own)")
    p.add_argument("--val-split", type=_fraction, default=0.1, metavar="F",
                   help="fraction of the training data held out for validation (default: 0.1)")
    p.add_argument("--early-stopping", type=_nonneg_int, default=10, metavar="N",
                   help="stop after N epochs without improvement and keep the best weights (0: off; default: 10)")
    p.add_argument("--test-split", type=_fraction, default=0.2, metavar="F",
                   help="fraction held out (stratified by class) for the final test (0: none; default: 0.2)")
    p.add_argument("--seed", type=_nonneg_int, default=0, metavar="N",
                   help="seed of the split, the weights and the shuffling (default: 0)")
    p.add_argument("--out", default=DEFAULT_MODEL, metavar="MODEL",
                   help=f"model file to write (default: {DEFAULT_MODEL})")
    p.add_argument("--plots", metavar="DIR",
                   help="folder for the pictures (default: 'plots' beside the model file)")
    p.add_argument("--no-plots", action="store_true", help="draw no pictures")
    p.add_argument("--progress", choices=("auto", "bar", "lines", "none"), default="auto",
                   help="progress on stderr: a bar (tqdm), one line per epoch, or nothing "
                        "(default: auto — a bar on a terminal when tqdm is installed, else lines)")
    p.add_argument("--checkpoint", metavar="FILE",
                   help="write a checkpoint (weights, optimizer and random state, history) to FILE after "
                        "every --checkpoint-every epochs, atomically")
    p.add_argument("--checkpoint-every", type=_positive_int, default=1, metavar="N",
                   help="epochs between checkpoints (default: 1)")
    p.add_argument("--resume", nargs="?", const=True, default=None, metavar="FILE",
                   help="continue from a checkpoint (default FILE: the --checkpoint file); run the same command "
                        "as before and the final weights equal an uninterrupted run's, bit for bit")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_train)

    # -- evaluate --------------------------------------------------------------------------
    p = sub.add_parser(
        "evaluate", help="test metrics of a saved model on labelled data", formatter_class=_Formatter,
        description="Loss and accuracy (with a confusion matrix) for a classifier, or MAE/RMSE/R² for\n"
                    "regression, on labelled data prepared exactly as at training time.",
        epilog=_examples("neuronlab evaluate neuronlab-out/model.nlz --data digits",
                         "neuronlab evaluate model.nlz --data test.csv --target species --json"))
    p.add_argument("model", metavar="MODEL", help="a model file written by 'neuronlab train' or net.save()")
    _add_data_args(p, what="labelled data")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_evaluate)

    # -- predict ---------------------------------------------------------------------------
    p = sub.add_parser(
        "predict", help="predictions of a saved model, one row per input row", formatter_class=_Formatter,
        description="Write one row per input row: the predicted class and the probability of every class,\n"
                    "or the predicted values for regression.  A target column in the input is ignored.",
        epilog=_examples("neuronlab predict model.nlz --data new.csv --out predictions.csv",
                         "neuronlab predict model.nlz --data digits | head"))
    p.add_argument("model", metavar="MODEL")
    _add_data_args(p, what="input rows")
    p.add_argument("--out", metavar="FILE", help="CSV file to write (default: standard output)")
    p.set_defaults(func=cmd_predict)

    # -- inspect ---------------------------------------------------------------------------
    p = sub.add_parser(
        "inspect", help="per-layer neuron statistics: firing, dead, saturated", formatter_class=_Formatter,
        description="Run the data through the model and report, for every layer, how many neurons there\n"
                    "are, how often they fire, how many are dead (never fire) or saturated, and the worst\n"
                    "neurons.",
        epilog=_examples("neuronlab inspect neuronlab-out/model.nlz --data digits",
                         "neuronlab inspect model.nlz --data data.csv --json > stats.json"))
    p.add_argument("model", metavar="MODEL")
    _add_data_args(p, what="inputs to look at")
    p.add_argument("--worst", type=_nonneg_int, default=5, metavar="N",
                   help="most problem neurons listed per hidden layer (0: none; default: 5)")
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    p.set_defaults(func=cmd_inspect)

    # -- explain ---------------------------------------------------------------------------
    p = sub.add_parser(
        "explain", help="the computation of one neuron on one input row", formatter_class=_Formatter,
        description="Show w·x + b = z → f(z) = a → fires? for one neuron of a saved model on one row of\n"
                    "the data (rows count from 0; the inputs of the first layer are the standardised features).",
        epilog=_examples("neuronlab explain neuronlab-out/model.nlz --data digits --row 3 --layer 1 --neuron 5",
                         "neuronlab explain model.nlz --data moons --row 0 --layer 0 --neuron 2 --json"))
    p.add_argument("model", metavar="MODEL")
    _add_data_args(p, what="the rows")
    p.add_argument("--row", type=_nonneg_int, default=0, metavar="I", help="row index, from 0 (default: 0)")
    p.add_argument("--layer", type=_int, default=0, metavar="L",
                   help="position of the layer in the network, from 0 (-1: the output layer; default: 0)")
    p.add_argument("--neuron", type=_int, default=0, metavar="J", help="neuron index in the layer, from 0 (default: 0)")
    p.add_argument("--json", action="store_true", help="print every number as JSON")
    p.set_defaults(func=cmd_explain)

    # -- neuron ----------------------------------------------------------------------------
    p = sub.add_parser(
        "neuron", help="compute one neuron by hand: a = f(w·x + b)", formatter_class=_Formatter,
        description="The weighted sum z = w·x + b, the activation value a = f(z) (printed first) and whether\n"
                    "the neuron fires.  Write negative numbers with '=': --inputs=-0.5,0.6",
        epilog=_examples("neuronlab neuron --weights 0.1,0.2 --bias 0.3 --inputs 0.5,0.6 --activation relu",
                         "neuronlab neuron --weights=-1,2 --inputs 1,1 --activation sigmoid --json"))
    p.add_argument("--weights", type=_float_list, required=True, metavar="W1,W2,…")
    p.add_argument("--bias", type=_finite_float, default=0.0, metavar="B", help="(default: 0)")
    p.add_argument("--inputs", type=_float_list, required=True, metavar="X1,X2,…")
    p.add_argument("--activation", default="relu", metavar="NAME", help="(default: relu)")
    p.add_argument("--threshold", type=_finite_float, metavar="T",
                   help="firing threshold on the activation value (default: the activation's own)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_neuron)

    # -- activations -----------------------------------------------------------------------
    p = sub.add_parser(
        "activations", help="every activation function: formula, derivative, range, threshold",
        formatter_class=_Formatter,
        description="A table of the registered activation functions.",
        epilog=_examples("neuronlab activations", "neuronlab activations --plot activations.png",
                         "neuronlab activations --json"))
    p.add_argument("--plot", metavar="FILE", help="also draw every activation and its derivative to FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_activations)

    # -- plot ------------------------------------------------------------------------------
    p = sub.add_parser(
        "plot", help="draw a picture of a saved model", formatter_class=_Formatter,
        description="curves: training and validation loss/metric per epoch (stored in the model file);\n"
                    "regions: decision regions over 2-D data; neurons: what each hidden neuron responds to\n"
                    "over 2-D data; histograms: activation values per layer; diagram: the network, neurons\n"
                    "and weights (coloured by activity when --data is given).",
        epilog=_examples("neuronlab plot neuronlab-out/model.nlz --kind curves --out curves.png",
                         "neuronlab plot model.nlz --data moons --kind regions --out regions.png"))
    p.add_argument("model", metavar="MODEL")
    _add_data_args(p, required=False, what="data (needed by regions, neurons and histograms)")
    p.add_argument("--kind", choices=PLOT_KINDS, required=True)
    p.add_argument("--out", metavar="FILE", help="picture file (default: KIND.png)")
    p.set_defaults(func=cmd_plot)

    # -- perceptron ------------------------------------------------------------------------
    p = sub.add_parser(
        "perceptron", help="Rosenblatt's perceptron on a logic gate (XOR does not converge)",
        formatter_class=_Formatter,
        description="Train one step neuron with the perceptron rule w ← w + η(y − ŷ)x on a two-input logic\n"
                    "gate and say whether it converged.  AND, OR, NAND and NOR are linearly separable;\n"
                    "XOR is not, so the rule never converges on it (this is reported, exit code 0).",
        epilog=_examples("neuronlab perceptron --gate and", "neuronlab perceptron --gate xor --epochs 50"))
    p.add_argument("--gate", choices=tuple(_GATES), required=True)
    p.add_argument("--epochs", type=_positive_int, default=100, metavar="N", help="most epochs to try (default: 100)")
    p.add_argument("--lr", type=_positive_float, default=1.0, metavar="ETA", help="learning rate η (default: 1)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_perceptron)

    # -- sweep (defined in sweep.py) --------------------------------------------------------
    add_sweep_command(sub)

    return parser


# =======================================================================================
# Output helpers
# =======================================================================================

def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, default=_json_default, allow_nan=True), file=sys.stdout)


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if hasattr(v, "to_dict"):
        return v.to_dict()
    return str(v)


def _table(rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    """Columns padded to their widest cell; ``align`` is one 'l' or 'r' per column."""
    cells = [[str(c) for c in r] for r in rows]
    n = max(len(r) for r in cells)
    widths = [max(len(r[i]) for r in cells if i < len(r)) for i in range(n)]
    align = align or "l" * n
    lines = []
    for r in cells:
        parts = [(c.rjust(w) if align[i] == "r" else c.ljust(w)) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _fmt(v: Any, digits: int = 4) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.{digits}f}"
    return str(v)


def _plural(n: int, word: str) -> str:
    irregular = {"class": "classes"}
    return f"{n} {word if n == 1 else irregular.get(word, word + 's')}"


# =======================================================================================
# Modules written alongside (model files, instruments, pictures)
# =======================================================================================

def _module(name: str, purpose: str):
    import importlib
    try:
        return importlib.import_module(f"neuronlab.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"neuronlab.{name}":
            raise MissingModuleError(
                f"{purpose} needs neuronlab.{name}, which is not part of this installation of neuronlab"
            ) from None
        if err.name and err.name.split(".")[0] == "matplotlib":
            raise MissingModuleError(f"{purpose} needs matplotlib; install it with: pip install 'neuronlab[plot]'") from None
        raise


def _plots_module():
    os.environ.setdefault("MPLBACKEND", "Agg")  # files only; never open a window
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise MissingModuleError("pictures need matplotlib; install it with: pip install 'neuronlab[plot]'") from None
    return _module("plots", "drawing pictures")


def _close_figure(fig: Any) -> None:
    """Release a figure (neuronlab.plots draws without pyplot; close it there only if pyplot made it)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        try:
            pyplot.close(fig)
        except Exception:  # pragma: no cover - not one of pyplot's figures
            pass


def _load_model(path: str) -> Network:
    if not os.path.exists(path):
        raise DataError(f"no such model file: {path} (train one with: neuronlab train --out {path})")
    if os.path.isdir(path):
        raise DataError(f"{path} is a folder, not a model file")
    serialize = _module("serialize", "reading model files")
    obj = serialize.load(path)
    if isinstance(obj, Network):
        return obj
    for attr in ("network_", "network", "net_"):
        net = getattr(obj, attr, None)
        if isinstance(net, Network):
            if not net.metadata and isinstance(getattr(obj, "metadata", None), dict):
                net.metadata = dict(obj.metadata)
            return net
    raise DataError(f"{path} holds a {type(obj).__name__}, not a network; "
                              "these commands work on networks written by 'neuronlab train' or net.save()")


def _save_model(net: Network, path: str) -> None:
    _module("serialize", "writing the model file")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    net.save(path)


def _task(net: Network) -> str:
    task = net.metadata.get("task") if isinstance(net.metadata, dict) else None
    if task in ("classification", "regression"):
        return task
    return "classification" if net.is_classifier or net.output_activation.name == "softmax" else "regression"


def _load_for_model(net: Network, args: argparse.Namespace, require_target: bool) -> _datasets.Dataset:
    """``--data`` read the way the model expects it (its task, target column and features)."""
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    return _datasets.load(args.data, target=args.target or meta.get("target"), task=_task(net),
                          require_target=require_target, feature_names=meta.get("feature_names"))


def _n_classes(net: Network) -> int:
    return max(2, net.n_outputs) if net.n_outputs == 1 else net.n_outputs


def _class_proba(net: Network, X: np.ndarray) -> np.ndarray:
    """Class probabilities (n_samples, n_classes); a single sigmoid output gives [1 − p, p]."""
    a = net.predict_proba(X).astype(np.float64)
    if a.shape[1] == 1:
        return np.column_stack([1.0 - a[:, 0], a[:, 0]])
    return a


def _targets_for(net: Network, y: np.ndarray, task: str, n_classes: int) -> np.ndarray:
    """Targets in the form the network's loss wants: labels, a 0/1 column or one-hot rows."""
    if task != "classification":
        return np.asarray(y, dtype=np.float64).reshape(len(y), -1)
    if net.n_outputs == 1:
        return np.asarray(y, dtype=np.float64).reshape(-1, 1)
    if net.loss.name == "cross_entropy":
        return np.asarray(y, dtype=np.int64)
    onehot = np.zeros((len(y), n_classes), dtype=np.float64)
    onehot[np.arange(len(y)), np.asarray(y, dtype=np.int64)] = 1.0
    return onehot


def _confusion(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return cm


def _confusion_text(cm: np.ndarray, labels: Sequence[Any]) -> str:
    k = len(labels)
    if k > 20:
        return f"confusion matrix: {k} classes, too many to print (use --json)"
    names = [str(l)[:10] for l in labels]
    rows = [["true \\ predicted", *names]]
    rows += [[names[i], *[str(v) for v in cm[i]]] for i in range(k)]
    return "confusion matrix (rows: true class, columns: predicted class)\n" + \
        _table(rows, "l" + "r" * k).replace("\n", "\n  ").join(["  ", ""])


def _classification_metrics(net: Network, X: np.ndarray, y: np.ndarray, labels: Sequence[Any]) -> dict[str, Any]:
    k = len(labels)
    proba = _class_proba(net, X)
    pred = np.argmax(proba, axis=1)
    loss = net.evaluate(X, _targets_for(net, y, "classification", k))["loss"]
    cm = _confusion(y, pred, k)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    per_class = []
    for i, lab in enumerate(labels):
        tp = int(cm[i, i])
        per_class.append({"class": lab, "support": int(support[i]),
                          "precision": tp / int(predicted[i]) if predicted[i] else None,
                          "recall": tp / int(support[i]) if support[i] else None})
    return {"samples": int(len(y)), "loss": float(loss), "accuracy": float(np.mean(pred == y)),
            "classes": list(labels), "confusion_matrix": cm.tolist(), "per_class": per_class}


def _regression_metrics(net: Network, X: np.ndarray, y_scaled: np.ndarray, meta: dict[str, Any]) -> dict[str, Any]:
    loss = net.evaluate(X, y_scaled)["loss"]
    pred = _datasets.decode_values(meta, net.predict(X))
    truth = _datasets.decode_values(meta, y_scaled)
    err = pred - truth
    ss_tot = float(np.sum((truth - truth.mean(axis=0)) ** 2))
    return {"samples": int(len(truth)), "loss": float(loss), "mae": float(np.mean(np.abs(err))),
            "rmse": float(np.sqrt(np.mean(err ** 2))),
            "r2": 1.0 - float(np.sum(err ** 2)) / ss_tot if ss_tot > 0 else float("nan")}


def _metrics_text(m: dict[str, Any], prefix: str = "") -> str:
    if "accuracy" in m:
        head = f"{prefix}accuracy {m['accuracy']:.4f}   loss {m['loss']:.4f}   ({m['samples']} samples)"
        return head + "\n" + _confusion_text(np.asarray(m["confusion_matrix"]), m["classes"])
    return (f"{prefix}MAE {_fmt(m['mae'])}   RMSE {_fmt(m['rmse'])}   R² {_fmt(m['r2'])}   "
            f"loss {_fmt(m['loss'])}   ({m['samples']} samples)")


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


def cmd_evaluate(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=True)
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    y = _datasets.encode_targets(meta, data)
    if _task(net) == "classification":
        m = _classification_metrics(net, X, y, _datasets.class_labels(meta, _n_classes(net)))
    else:
        m = _regression_metrics(net, X, y, meta)
    m = {"model": args.model, "data": args.data, **m}
    if args.json:
        _print_json(m)
    else:
        _out(f"model {args.model} on {data.name}")
        _out(_metrics_text(m))
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=False)
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    if _task(net) == "classification":
        k = _n_classes(net)
        labels = _datasets.class_labels(meta, k)
        proba = _class_proba(net, X)
        pred = np.argmax(proba, axis=1)
        header = ["prediction", *[f"p_{lab}" for lab in labels]]
        rows = [[labels[int(i)], *[f"{p:.6g}" for p in pr]] for i, pr in zip(pred, proba)]
    else:
        values = _datasets.decode_values(meta, net.predict(X))
        names = list(meta.get("target_names") or [])
        if len(names) != values.shape[1]:
            names = ["prediction"] if values.shape[1] == 1 else [f"prediction_{i}" for i in range(values.shape[1])]
        header = names
        rows = [[f"{v:.6g}" for v in r] for r in values]
    if args.out and args.out != "-":
        parent = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(parent, exist_ok=True)
        _datasets.write_csv(args.out, header, rows)
        _err(f"wrote {len(rows)} predictions to {args.out}")
    else:
        import csv
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return 0


def _worst_neurons(stats: Any, n: int) -> list[dict[str, Any]]:
    """Per hidden layer, up to ``n`` neurons in trouble: dead first, then saturated, then the
    ones that fire least often (on under 5 % of the samples)."""
    found: list[dict[str, Any]] = []
    for layer in stats.layers:
        if layer.is_output:
            continue
        rate = np.asarray(layer.firing_rate, dtype=np.float64)
        sat = np.asarray(layer.saturation, dtype=np.float64)
        rows: list[dict[str, Any]] = []
        for j in layer.dead_neurons:
            rows.append({"layer": layer.index, "neuron": j, "problem": "dead", "firing_rate": 0.0,
                         "max_activation": float(layer.max[j]),
                         "why": f"never fires on these {layer.n_samples} samples "
                                f"(largest activation value {format_number(layer.max[j])})"})
        for j in layer.saturated_neurons:
            rows.append({"layer": layer.index, "neuron": j, "problem": "saturated",
                         "firing_rate": float(rate[j]), "saturation": float(sat[j]),
                         "why": f"{layer.activation}′ ≈ 0 on {100 * sat[j]:.0f}% of the samples: it has stopped learning"})
        flagged = {r["neuron"] for r in rows}
        for j in np.argsort(rate, kind="stable"):
            j = int(j)
            if j in flagged or rate[j] >= 0.05:
                continue
            rows.append({"layer": layer.index, "neuron": j, "problem": "rarely fires", "firing_rate": float(rate[j]),
                         "why": f"fires on {100 * rate[j]:.1f}% of the samples"})
        found.extend(rows[:n])
    return found


def cmd_inspect(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=False)
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    inspect = _module("inspect", "inspecting neurons")
    stats = inspect.neuron_stats(net, X)
    summary = list(stats.layer_summary())
    by_index = {l.index: l for l in stats.layers}
    worst = _worst_neurons(stats, args.worst) if args.worst else []
    if args.json:
        layers = []
        for row in summary:
            l = by_index[row["layer"]]
            layers.append({**row, "n_dead": len(l.dead_neurons), "n_saturated": len(l.saturated_neurons),
                           "dead_neurons": l.dead_neurons, "saturated_neurons": l.saturated_neurons,
                           "firing_rate": np.asarray(l.firing_rate).tolist(),
                           "mean_activation": np.asarray(l.mean).tolist()})
        _print_json({"model": args.model, "data": args.data, "samples": int(len(X)), "layers": layers,
                     "worst": worst})
        return 0
    _out(f"model {args.model} on {data.name} ({len(X)} samples)")
    table = [["layer", "activation", "neurons", "% firing", "dead", "saturated"]]
    for row in summary:
        l = by_index[row["layer"]]
        name = f"{row['layer']}" + (" (output)" if row.get("is_output") else "")
        n_dead, n_sat = len(l.dead_neurons), len(l.saturated_neurons)
        table.append([name, row["activation"], str(row["neurons"]), f"{100 * row['firing']:.1f}",
                      f"{n_dead} ({100 * row['dead']:.0f}%)",
                      f"{n_sat} ({100 * row['saturated']:.0f}%)" if row.get("saturating") else "-"])
    _out(_table(table, "llrrrr"))
    if args.worst:
        if worst:
            _out("worst neurons:")
            for w in worst:
                _out(f"  layer {w['layer']}, neuron {w['neuron']}: {w['problem']} — {w['why']}")
        else:
            _out("no dead, saturated or rarely firing hidden neurons")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    data = _load_for_model(net, args, require_target=False)
    if args.row >= len(data):
        raise DataError(f"--row {args.row} is past the end: {data.name} has {len(data)} rows (0..{len(data) - 1})")
    X = _datasets.prepare_features(meta, data, net.n_inputs)
    x = X[args.row]
    _module("inspect", "explaining a neuron")
    try:
        expl = net.explain(x, layer=args.layer, neuron=args.neuron)
    except IndexError as err:
        raise DataError(_one_line(err)) from None
    if args.json:
        d = expl.to_dict() if hasattr(expl, "to_dict") else {"text": str(expl)}
        _print_json({"model": args.model, "data": args.data, "row": args.row, "layer": args.layer,
                     "neuron": args.neuron, **d})
        return 0
    proba_row = net.predict_proba(X[args.row:args.row + 1])
    head = f"row {args.row} of {data.name}"
    facts = []
    if data.y is not None and data.task == "classification":
        facts.append(f"class {data.target_names[int(data.y[args.row])]}")
    if _task(net) == "classification":
        labels = _datasets.class_labels(meta, _n_classes(net))
        facts.append(f"predicted {labels[int(np.argmax(_class_proba(net, X[args.row:args.row + 1])[0]))]}")
    elif proba_row.shape[1] >= 1:
        facts.append(f"predicted {format_number(_datasets.decode_values(meta, proba_row)[0, 0])}")
    _out(head + (f" ({', '.join(facts)})" if facts else ""))
    _explain_text(expl, first_layer=net.dense_layers[0] is net.layers[int(getattr(expl, "layer", -1) or 0)])
    return 0


def _explain_text(expl: Any, first_layer: bool) -> None:
    d = expl.to_dict() if hasattr(expl, "to_dict") else None
    if d is None:  # pragma: no cover - an explanation without fields
        _out(str(expl))
        return
    n = len(d["inputs"])
    prev = "the standardised features" if first_layer else "the activation values of the layer before"
    _out(f"layer {d['layer']}, neuron {d['neuron']} ({d['activation']}): {_plural(n, 'input')} — {prev}")
    products = np.asarray(d["products"], dtype=np.float64)
    z, b, a = d["weighted_sum"], d["bias"], d["activation_value"]
    _out(f"  weighted sum   z = Σ xᵢ·wᵢ + b = {format_number(products.sum())} + {format_number(b)} = {format_number(z)}")
    if d.get("normalisation") is not None:
        _out(f"  activation     a = softmax(z of the layer's {len(d['normalisation'])} neurons)[{d['neuron']}] "
             f"= {format_number(a)}")
    else:
        _out(f"  activation     a = {d['activation']}({format_number(z)}) = {format_number(a)}")
    thr = d.get("threshold")
    _out(f"  fires          {'yes' if d['fires'] else 'no'}"
         + (f" (threshold {format_number(thr)})" if thr is not None else ""))
    if n > 1:
        top = np.argsort(-np.abs(products), kind="stable")[:min(5, n)]
        names = d.get("input_names") or [f"x{i}" for i in range(n)]
        _out(f"  largest terms of the sum (of {n}):")
        rows = [["    input", "x", "", "w", "", "x·w"]]
        rows += [[f"    {names[i]}", format_number(d["inputs"][i]), "×", format_number(d["weights"][i]), "=",
                  format_number(products[i])] for i in top]
        _out(_table(rows, "lrlrlr"))
    _out(str(expl))


def cmd_neuron(args: argparse.Namespace) -> int:
    if len(args.weights) != len(args.inputs):
        raise UsageError(f"neuronlab neuron: {_plural(len(args.weights), 'weight')} but "
                         f"{_plural(len(args.inputs), 'input')}; give one weight per input")
    n = Neuron(weights=args.weights, bias=args.bias, activation=args.activation, threshold=args.threshold)
    expl = n.explain(args.inputs)
    if args.json:
        _print_json(expl.to_dict())
        return 0
    _out(format_number(expl.activation_value))
    _out(str(expl))
    thr = expl.threshold
    _out(f"weighted sum z = {format_number(expl.weighted_sum)}; activation value a = {expl.activation}(z) = "
         f"{format_number(expl.activation_value)}; it {'fires' if expl.fires else 'does not fire'}"
         + (f" (threshold {format_number(thr)})" if thr is not None else ""))
    return 0


def _range_text(r: Any) -> str:
    try:
        lo, hi = r
    except (TypeError, ValueError):
        return str(r)

    def one(v: float) -> str:
        if v == float("inf"):
            return "∞"
        if v == float("-inf"):
            return "-∞"
        return format_number(v)
    return f"({one(lo)}, {one(hi)})"


def cmd_activations(args: argparse.Namespace) -> int:
    rows = _activations.describe()
    if args.plot:
        plots = _plots_module()
        parent = os.path.dirname(os.path.abspath(args.plot))
        os.makedirs(parent, exist_ok=True)
        _close_figure(plots.activations_grid(path=args.plot))
    if args.json:
        _print_json([{**r, "range": [None if not math.isfinite(v) else v for v in r["range"]]} for r in rows])
    else:
        table = [["name", "range", "fires above", "f(z)", "f′(z)"]]
        for r in rows:
            thr = r["threshold"]
            if r["name"] == "step":
                fires = f"z ≥ {format_number(thr)}"
            elif r["name"] == "softmax":
                fires = "1/k"
            else:
                fires = "-" if thr is None else format_number(thr)
            table.append([r["name"], _range_text(r["range"]), fires,
                          r["formula"] or "-", r["derivative"] or "-"])
        _out(_table(table))
    if args.plot:
        _err(f"wrote {args.plot}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    net = _load_model(args.model)
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    out = args.out or f"{args.kind}.png"
    needs_data = args.kind in ("regions", "neurons", "histograms")
    if needs_data and not args.data:
        raise UsageError(f"neuronlab plot: --kind {args.kind} needs --data")
    if args.kind == "curves" and not meta.get("history"):
        raise DataError(f"{args.model} holds no training history; models written by "
                                  "'neuronlab train' do (it is kept in net.metadata['history'])")
    data = X = y = None
    if args.data:
        data = _load_for_model(net, args, require_target=args.kind == "regions")
        X = _datasets.prepare_features(meta, data, net.n_inputs)
        if data.y is not None and _task(net) == "classification":
            y = _datasets.encode_targets(meta, data)
    if args.kind in ("regions", "neurons") and X is not None and X.shape[1] != 2:
        raise DataError(f"--kind {args.kind} draws 2-D inputs; this model takes {X.shape[1]} features")
    if args.kind == "regions" and _task(net) != "classification":
        raise DataError("--kind regions draws the classes of a classifier; this model predicts values")
    plots = _plots_module()
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    if args.kind == "curves":
        fig = plots.training_curves(History.from_dict(meta["history"]), path=out)
    elif args.kind == "regions":
        fig = plots.decision_regions(net, X, y, path=out)
    elif args.kind == "neurons":
        fig = plots.neuron_maps(net, X, path=out)
    elif args.kind == "histograms":
        fig = plots.activation_histograms(net, X, path=out)
    else:
        fig = plots.network_diagram(net, X=X, path=out)
    _close_figure(fig)
    _out(f"wrote {out}")
    return 0


_GATES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
}


def cmd_perceptron(args: argparse.Namespace) -> int:
    from .errors import ConvergenceWarning
    from .perceptron import Perceptron
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array(_GATES[args.gate], dtype=np.float64)
    p = Perceptron(2, learning_rate=args.lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported below instead
        p.fit(X, y, max_epochs=args.epochs)
    pred = p.predict(X)
    result = {"gate": args.gate, "converged": bool(p.converged_), "epochs": int(p.n_epochs_),
              "mistakes_per_epoch": [int(e) for e in p.errors_], "weights": p.weights.tolist(),
              "bias": float(p.bias), "predictions": pred.tolist(), "targets": y.astype(int).tolist(),
              "accuracy": float(np.mean(pred == y))}
    if args.json:
        _print_json(result)
        return 0
    gate = args.gate.upper()
    _out(f"perceptron on {gate}: step(w·x + b), rule w ← w + η(y − ŷ)x, η = {format_number(args.lr)}")
    table = [["x1", "x2", "target", "predicted"]]
    table += [[str(int(a)), str(int(b)), str(int(t)), str(int(q))] for (a, b), t, q in zip(X, y, pred)]
    _out(_table(table, "rrrr"))
    _out(f"weights [{', '.join(format_number(w) for w in p.weights)}], bias {format_number(p.bias)}")
    mistakes = ", ".join(str(e) for e in p.errors_[:12]) + (" …" if len(p.errors_) > 12 else "")
    if p.converged_:
        _out(f"converged after {_plural(p.n_epochs_, 'epoch')} (mistakes per epoch: {mistakes})")
    else:
        _out(f"did not converge in {_plural(p.n_epochs_, 'epoch')} (mistakes per epoch: {mistakes}); "
             f"{gate} is not linearly separable — no single line splits its classes — so one step neuron "
             "cannot learn it; a network with a hidden layer can (neuronlab train --data xor)")
    return 0


# =======================================================================================
# Entry point
# =======================================================================================

def _one_line(err: BaseException) -> str:
    if isinstance(err, OSError) and not isinstance(err, NeuronLabError) and err.strerror:
        text = f"{err.strerror}: {err.filename}" if err.filename else err.strerror
    else:
        text = str(err) or type(err).__name__
        if isinstance(err, KeyError) and len(err.args) == 1 and isinstance(err.args[0], str):
            text = err.args[0]
    return " ".join(text.split())


def _safe_streams() -> None:
    """Never fail on printing ×, →, ∞ to a terminal that cannot show them."""
    for stream in (sys.stdout, sys.stderr):
        enc = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if enc and enc != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):  # pragma: no cover
                pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    _safe_streams()
    parser = build_parser()
    command = PROG
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        command = f"{PROG} {args.command}"
        return int(args.func(args) or 0)
    except UsageError as err:
        _err(_one_line(err))
        return 2
    except MissingExtraError as err:             # an optional dependency is missing: not the user's input
        _err(f"{command}: error: {_one_line(err)}")
        return 1
    except KeyboardInterrupt:
        _err(f"{command}: interrupted")
        return 130
    except BrokenPipeError:
        try:  # the reader went away (e.g. '| head'): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:  # pragma: no cover
            pass
        return 1
    except (NeuronLabError, ValueError, OSError) as err:
        _err(f"{command}: error: {_one_line(err)}")
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
