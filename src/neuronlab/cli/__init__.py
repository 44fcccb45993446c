"""The ``neuronlab`` command line: train, evaluate, predict, inspect and explain networks.

``neuronlab`` (the console script) and ``python -m neuronlab`` both call :func:`main`; with
no command they print the help.  ``neuronlab train`` with no options
trains a network on the built-in digits data and writes the model and pictures to
``./neuronlab-out/``.

Exit codes: 0 success; 2 bad usage or bad input (one line on stderr, no traceback);
130 interrupted (``train`` still writes the model of the last finished epoch); 1 otherwise.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, Sequence

from .. import datasets as _datasets
from .. import losses as _losses
from .. import optimizers as _optimizers
from .._util.text import one_line
from ..errors import MissingExtraError, NeuronLabError, UsageError
from .common import (DEFAULT_MODEL, PLOT_KINDS, PROG, _Formatter, _add_data_args, _err, _finite_float, _float_list, _fraction,
                     _int, _int_list, _nonneg_int, _positive_float, _positive_int, suggest)
from .compute import _GATES, DEFAULT_NEURON_LR, cmd_activations, cmd_neuron, cmd_perceptron
from .interop import add_interop_commands
from .playground import add_playground_command
from .model import cmd_evaluate, cmd_explain, cmd_inspect, cmd_plot, cmd_predict
from .sweep import add_sweep_command
from .train import (AUTO_MAX_EPOCHS, AUTO_MAX_VAL_SPLIT, AUTO_MIN_EPOCHS, AUTO_MIN_VAL_ROWS, AUTO_PATIENCE,
                    AUTO_STEPS, AUTO_VAL_SPLIT,
                    cmd_train)

__all__ = ["main", "build_parser", "UsageError"]


# =======================================================================================
# Argument parsing
# =======================================================================================

class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (and exit code 2) instead of
    printing the whole usage block, with a close match for a misspelt option, command or
    choice ("did you mean --epochs?")."""

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}{self._close_match(message)} (see '{self.prog} --help')")

    def _close_match(self, message: str) -> str:
        choice = _INVALID_CHOICE.search(message)
        if choice:
            return suggest(choice.group(1), _QUOTED.findall(choice.group(2)))
        return ""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        """As argparse's, but an unknown option is reported by the parser (the command) it
        was given to, with that command's closest option."""
        namespace, extras = super().parse_known_args(args, namespace)
        unknown = [a.split("=", 1)[0] for a in extras if a.startswith("-") and len(a) > 1 and not _NUMBER.match(a)]
        if unknown:
            options = [o for action in self._actions for o in action.option_strings if o.startswith("--")]
            self.error(f"unrecognized arguments: {' '.join(extras)}{suggest(unknown[0], options, quote=False)}")
        return namespace, extras


_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")
_QUOTED = re.compile(r"'([^']*)'")
_NUMBER = re.compile(r"^-\d|^-\.\d")


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (used by :func:`main` and by the docs)."""
    parser = _Parser(
        prog=PROG, formatter_class=_Formatter,
        description="Build, train and look inside neural networks, neuron by neuron.",
        epilog=_examples(
            "neuronlab train                                   # digits, progress, test accuracy, model + pictures",
            "neuronlab train --data moons --hidden 16,16 --activation tanh",
            "neuronlab evaluate neuronlab-out/model.nlz --data digits",
            "neuronlab neuron --weights 0.1,0.2 --bias 0.3 --inputs 0.5,0.6 --activation relu",
            "neuronlab playground                              # watch a network learn in the browser",
            "neuronlab <command> --help                        # options and examples of one command",
        ),
    )
    from .. import __version__
    parser.add_argument("--version", action="version", version=f"neuronlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="<command>", parser_class=_Parser)
    _add_train(sub)
    _add_evaluate(sub)
    _add_predict(sub)
    _add_inspect(sub)
    _add_explain(sub)
    _add_neuron(sub)
    _add_activations(sub)
    _add_plot(sub)
    _add_perceptron(sub)
    add_sweep_command(sub)
    add_interop_commands(sub)
    add_playground_command(sub)
    return parser


def _add_train(sub: Any) -> None:
    """``train``: the data, the network, the training and the outputs."""
    builtin = ", ".join(_datasets.names())
    p = sub.add_parser(
        "train", help="train a network on built-in data or your own file",
        formatter_class=_Formatter,
        description=("Train a multilayer perceptron by backpropagation and gradient descent.  With no options:\n"
                     "the digits data (8×8 images), hidden layers 128,64 (relu), Adam, 20% held out for the test.\n"
                     f"The number of epochs and the validation split follow the size of the data: epochs for about\n"
                     f"{AUTO_STEPS:,} steps ({AUTO_MIN_EPOCHS} to {AUTO_MAX_EPOCHS}); {AUTO_VAL_SPLIT:.0%} of the training rows for validation\n"
                     f"and early stopping, grown up to {AUTO_MAX_VAL_SPLIT:.0%} to reach {AUTO_MIN_VAL_ROWS} rows, and none when even that is\n"
                     "fewer (early stopping then watches the training loss); the chosen values are printed.  The model goes to ./neuronlab-out/model.nlz\n"
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
    p.add_argument("--no-header", action="store_true",
                   help="the CSV file has no header row: every row is data, columns are named x0, x1, …")
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
    _add_train_run_args(p)
    p.set_defaults(func=cmd_train)


def _add_train_run_args(p: argparse.ArgumentParser) -> None:
    """``train``'s options of the training run and of what it writes."""
    p.add_argument("--epochs", type=_positive_int, default=None, metavar="N",
                   help=f"most passes over the data (default: enough for about {AUTO_STEPS:,} steps, "
                        f"{AUTO_MIN_EPOCHS} to {AUTO_MAX_EPOCHS})")
    p.add_argument("--batch-size", type=_positive_int, default=32, metavar="N", help="samples per step (default: 32)")
    p.add_argument("--optimizer", default="adam", metavar="NAME",
                   help=f"{', '.join(_optimizers.names())} (default: adam)")
    p.add_argument("--lr", type=_positive_float, metavar="RATE", help="learning rate (default: the optimizer's own)")
    p.add_argument("--val-split", type=_fraction, default=None, metavar="F",
                   help=f"fraction of the training data held out for validation (default: {AUTO_VAL_SPLIT}, "
                        f"grown up to {AUTO_MAX_VAL_SPLIT} to reach {AUTO_MIN_VAL_ROWS} rows; none when even that "
                        "is fewer)")
    p.add_argument("--early-stopping", type=_nonneg_int, default=AUTO_PATIENCE, metavar="N",
                   help="stop after N epochs without improvement of the validation loss (of the training loss "
                        f"without validation) and keep the best weights (0: off; default: {AUTO_PATIENCE})")
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


def _add_evaluate(sub: Any) -> None:
    """``evaluate``: test metrics of a saved model."""
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


def _add_predict(sub: Any) -> None:
    """``predict``: one row of predictions per input row."""
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


def _add_inspect(sub: Any) -> None:
    """``inspect``: per-layer neuron statistics."""
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


def _add_explain(sub: Any) -> None:
    """``explain``: one neuron's computation on one row."""
    p = sub.add_parser(
        "explain", help="the computation of one neuron on one input row", formatter_class=_Formatter,
        description="Show w·x + b = z → f(z) = a → fires? for one neuron of a saved model on one row of\n"
                    "the data (rows count from 0; the inputs of the first layer are the standardised features).\n"
                    "With --gradient, then the chain rule of backpropagation for one of its weights (or its\n"
                    "bias) against the row's target, encoded as in training, and the step gradient descent takes.",
        epilog=_examples("neuronlab explain neuronlab-out/model.nlz --data digits --row 3 --layer 1 --neuron 5",
                         "neuronlab explain model.nlz --data moons --row 0 --layer 0 --neuron 2 --json",
                         "neuronlab explain model.nlz --data moons --row 0 --layer -1 --neuron 1 --gradient --weight 3"))
    p.add_argument("model", metavar="MODEL")
    _add_data_args(p, what="the rows")
    p.add_argument("--row", type=_nonneg_int, default=0, metavar="I", help="row index, from 0 (default: 0)")
    p.add_argument("--layer", type=_int, default=0, metavar="L",
                   help="position of the layer in the network, from 0 (-1: the output layer; default: 0)")
    p.add_argument("--neuron", type=_int, default=0, metavar="J", help="neuron index in the layer, from 0 (default: 0)")
    p.add_argument("--gradient", action="store_true",
                   help="then backpropagation on this row: one gradient's chain rule and its step")
    p.add_argument("--weight", type=_int, metavar="K",
                   help="with --gradient: the weight from input K, from 0 (default: the bias)")
    p.add_argument("--lr", type=_positive_float, metavar="RATE",
                   help=f"with --gradient: learning rate η of the step (default: "
                        f"{_optimizers.SGD().learning_rate:g}, plain SGD's)")
    p.add_argument("--json", action="store_true", help="print every number as JSON")
    p.set_defaults(func=cmd_explain)


def _add_neuron(sub: Any) -> None:
    """``neuron``: one neuron by hand."""
    p = sub.add_parser(
        "neuron", help="compute one neuron by hand: a = f(w·x + b)", formatter_class=_Formatter,
        description="The weighted sum z = w·x + b, the activation value a = f(z) (printed first) and whether\n"
                    "the neuron fires.  With --target, that arithmetic on one line, then one step of learning: the\n"
                    "chain rule of the loss's gradient, each weight's and the bias's update, the loss after it.\n"
                    "Write negative numbers with '=': --inputs=-0.5,0.6",
        epilog=_examples("neuronlab neuron --weights 0.1,0.2 --bias 0.3 --inputs 0.5,0.6 --activation relu",
                         "neuronlab neuron --weights=-1,2 --inputs 1,1 --activation sigmoid --json",
                         "neuronlab neuron --weights 0.1,0.2 --bias 0.3 --inputs 0.5,0.6 --target 1 --lr 0.1",
                         "neuronlab neuron --weights 0.5 --inputs 2 --activation sigmoid --target 0 "
                         "--loss binary_crossentropy"))
    p.add_argument("--weights", type=_float_list, required=True, metavar="W1,W2,…")
    p.add_argument("--bias", type=_finite_float, default=0.0, metavar="B", help="(default: 0)")
    p.add_argument("--inputs", type=_float_list, required=True, metavar="X1,X2,…")
    p.add_argument("--activation", default="relu", metavar="NAME", help="(default: relu)")
    p.add_argument("--threshold", type=_finite_float, metavar="T",
                   help="firing threshold on the activation value (default: the activation's own)")
    p.add_argument("--target", type=_finite_float, metavar="Y",
                   help="take one gradient-descent step towards the target Y: the chain rule and the new weights")
    p.add_argument("--lr", type=_positive_float, metavar="RATE",
                   help=f"with --target: learning rate η (default: {DEFAULT_NEURON_LR})")
    p.add_argument("--loss", metavar="NAME",
                   help="with --target: mse, mae or binary_crossentropy (default: mse)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_neuron)


def _add_activations(sub: Any) -> None:
    """``activations``: the table of activation functions."""
    p = sub.add_parser(
        "activations", help="every activation function: formula, derivative, range, threshold",
        formatter_class=_Formatter,
        description="A table of the registered activation functions.",
        epilog=_examples("neuronlab activations", "neuronlab activations --plot activations.png",
                         "neuronlab activations --json"))
    p.add_argument("--plot", metavar="FILE", help="also draw every activation and its derivative to FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_activations)


def _add_plot(sub: Any) -> None:
    """``plot``: a picture of a saved model."""
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


def _add_perceptron(sub: Any) -> None:
    """``perceptron``: Rosenblatt's rule on a logic gate."""
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


# =======================================================================================
# Entry point
# =======================================================================================


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
        _err(one_line(err))
        return 2
    except MissingExtraError as err:             # an optional dependency is missing: not the user's input
        _err(f"{command}: error: {one_line(err)}")
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
    except (NeuronLabError, OSError) as err:     # bad input, or a file that cannot be read or written
        _err(f"{command}: error: {one_line(err)}")
        return 2
    # anything else (a plain ValueError or TypeError from inside the library) is a bug: its
    # traceback is printed and the exit code is 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
