"""The network: layers in order, one flat parameter buffer, forward and backward passes.

All weights and biases of a :class:`Network` live in **one contiguous array**,
``net.parameters``, and all gradients in another of the same size, ``net.gradients``;
every layer's ``W``, ``b``, ``dW`` and ``db`` are views into them.  An optimizer
therefore updates the whole network in one pass, a snapshot of the weights is one copy,
and a model file stores one array.

:meth:`Network.forward`, :meth:`Network.backward` and :meth:`Network.train_on_batch`
are the readable passes, layer by layer.  Training and prediction run the same
arithmetic in a :class:`~neuronlab.workspace.Workspace` (:meth:`Network.workspace`),
whose arrays are allocated once per batch size.  :meth:`Network.fit`,
:meth:`Network.trace`, :meth:`Network.explain`, :meth:`Network.explain_gradient` and
:meth:`Network.save` hand the network to :func:`neuronlab.training.fit`, :mod:`neuronlab.inspect` and
:mod:`neuronlab.serialize`.
"""
from __future__ import annotations

import copy as _copy
import math
import os
import weakref
from typing import TYPE_CHECKING, Any, Iterable, Sequence, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import activations
from . import losses
from .errors import ArgumentTypeError, HyperparameterError, ShapeError, UnknownNameError
from ._util import html
from ._util.text import table
from ._util.validate import check_array, check_fraction, check_int, check_labels_length, resolve_dtype
from .layers import Dense, Dropout, Layer
from .workspace import Workspace

if TYPE_CHECKING:       # the types the façades take and give (nothing is imported at run time)
    from .inspect.gradient import GradientExplanation
    from .inspect.trace import Trace
    from .neuron import NeuronExplanation
    from .training.history import Callback, EarlyStopping, History

__all__ = ["Network", "default_loss"]

#: Rows per chunk when predicting or evaluating: bounds the memory of the prediction
#: workspaces whatever the size of the data.
PREDICT_CHUNK = 8192


def default_loss(output_activation: str) -> str:
    """The loss that matches an output activation: softmax → cross_entropy,
    sigmoid → binary_crossentropy, anything else → mse."""
    return {"softmax": "cross_entropy", "sigmoid": "binary_crossentropy"}.get(output_activation, "mse")


def _check_unowned(layers: Sequence[Layer]) -> None:
    """Raise :class:`ArgumentTypeError` if a layer appears twice or already belongs to a network."""
    seen: dict[int, int] = {}
    for i, layer in enumerate(layers):
        if id(layer) in seen:
            raise ArgumentTypeError(
                f"layer {i} ({layer!r}) is the same object as layer {seen[id(layer)]}; a layer belongs "
                "to one place in one network: build a new layer or use layer.copy()"
            )
        seen[id(layer)] = i
        if layer.network is not None:
            raise ArgumentTypeError(
                f"layer {i} ({layer!r}) already belongs to another network; a layer belongs to one "
                "network: build a new layer, or use layer.copy() (or network.copy() for the whole network)"
            )


class Network:
    """A feed-forward network of :class:`~neuronlab.layers.Dense` (and Dropout) layers.

    Parameters
    ----------
    layers : sequence of Layer
        In order from the first hidden layer to the output layer.  Consecutive sizes must
        match (``Dense(64, 32)`` then ``Dense(32, 10)``).
    loss : str or Loss, optional
        Defaults from the output activation (see :func:`default_loss`).
    seed : int, optional
        Seeds weight initialization, shuffling and dropout: the same seed gives
        bit-identical weights and history.
    dtype : {"float32", "float64"}
        Floating type of parameters and computations (default float32).

    Examples
    --------
    >>> import neuronlab as nl
    >>> net = nl.Network([nl.Dense(64, 32, activation="relu"),
    ...                   nl.Dense(32, 10, activation="softmax")], loss="cross_entropy", seed=0)
    >>> net.n_params
    2410
    """

    def __init__(self, layers: Sequence[Layer], loss: Any = None, seed: int | None = None,
                 dtype: Any = "float32") -> None:
        if isinstance(layers, Layer) or not isinstance(layers, Sequence) or len(layers) == 0:
            raise ArgumentTypeError("layers must be a non-empty list of layers, e.g. [nl.Dense(2, 4), nl.Dense(4, 1)]")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ArgumentTypeError(f"layer {i} is {type(layer).__name__}, not a neuronlab layer (Dense, Dropout)")
        if not any(isinstance(l, Dense) for l in layers):
            raise ArgumentTypeError("a network needs at least one Dense layer")
        if isinstance(layers[-1], Dropout):
            raise ShapeError("the last layer cannot be Dropout; end with the Dense output layer")
        _check_unowned(layers)
        self.layers: list[Layer] = list(layers)
        self.dtype = resolve_dtype(dtype)
        self.seed = None if seed is None else check_int("seed", seed, minimum=0)
        self._rng = np.random.default_rng(self.seed)
        self._link_sizes()
        if self.output_activation.name == "softmax" and self.n_outputs == 1:
            raise ShapeError(
                "a softmax output layer with 1 unit always outputs 1; give it one unit per class "
                "(at least 2), or use one sigmoid unit for two classes"
            )
        self.loss = losses.get(loss if loss is not None else default_loss(self.output_activation.name))
        self._allocate()
        self._claim_layers()
        self.stop_training = False
        self.history = None
        #: JSON-able facts that travel with the model file (feature names, class labels,
        #: the fitted input scaler, ...); the network itself never reads them.
        self.metadata: dict[str, Any] = {}

    # -- construction --------------------------------------------------------------------
    @classmethod
    def mlp(cls, sizes: Sequence[int], hidden: Any = "relu", output: Any = "softmax", loss: Any = None,
            dropout: float = 0.0, init: str | None = None, seed: int | None = None,
            dtype: Any = "float32") -> "Network":
        """Build a multilayer perceptron from layer sizes.

        Parameters
        ----------
        sizes : sequence of int
            ``[n_inputs, hidden_1, ..., n_outputs]`` (at least two numbers).
        hidden : str or sequence of str
            One activation for every hidden layer, or one per hidden layer.
        output : str
            Output activation (``softmax`` for classes, ``sigmoid`` for binary or
            multi-label, ``identity`` for regression).
        dropout : float
            Dropout rate after every hidden layer (0 = none).

        >>> Network.mlp([64, 32, 10], hidden="relu", output="softmax", seed=0)  # doctest: +ELLIPSIS
        Network(64 → 32 → 10, ...)
        """
        sizes = list(sizes) if isinstance(sizes, Sequence) and not isinstance(sizes, str) else None
        if sizes is None or len(sizes) < 2:
            raise ShapeError("sizes must list at least the input and output sizes, e.g. [64, 32, 10]")
        n_hidden = len(sizes) - 2
        hidden_acts = [hidden] * n_hidden if isinstance(hidden, (str, activations.Activation, dict)) else list(hidden)
        if len(hidden_acts) != n_hidden:
            raise ShapeError(f"{n_hidden} hidden layers but {len(hidden_acts)} hidden activations were given")
        dropout = check_fraction("dropout", dropout)
        layers: list[Layer] = []
        for i in range(n_hidden):
            layers.append(Dense(sizes[i], sizes[i + 1], activation=hidden_acts[i], init=init))
            if dropout > 0:
                layers.append(Dropout(dropout))
        layers.append(Dense(sizes[-2], sizes[-1], activation=output, init=init))
        return cls(layers, loss=loss, seed=seed, dtype=dtype)

    def _link_sizes(self) -> None:
        prev: Layer | None = None
        prev_index = -1
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Dropout):
                if prev is None:
                    raise ShapeError("Dropout cannot come first: put it after a Dense layer")
                layer.n_in = layer.n_out = prev.n_out
                layer.rng = self._rng
                continue
            if prev is not None and layer.n_in != prev.n_out:
                raise ShapeError(
                    f"layer {i} ({layer!r}) takes {layer.n_in} inputs but layer {prev_index} "
                    f"({prev!r}) gives {prev.n_out} outputs; make them equal"
                )
            prev, prev_index = layer, i
        self.dense_layers: list[Dense] = [l for l in self.layers if isinstance(l, Dense)]

    def _claim_layers(self) -> None:
        ref = weakref.ref(self)
        for layer in self.layers:
            layer._owner = ref

    def _allocate(self) -> None:
        total = sum(l.n_params for l in self.layers)
        self.parameters = np.zeros(total, dtype=self.dtype)
        self.gradients = np.zeros(total, dtype=self.dtype)
        self._slices: list[slice] = []
        offset = 0
        for layer in self.layers:
            if layer.n_params:
                if not getattr(layer, "explicit", False):
                    layer.initialize(self._rng, np.float64)
                s = slice(offset, offset + layer.n_params)
                layer.bind(self.parameters[s], self.gradients[s])
                offset += layer.n_params
                self._slices.append(s)
        # L1/L2 penalties apply to weights only, not biases: a mask over the flat buffer
        self._weight_mask = np.zeros(total, dtype=bool)
        for layer, s in zip(self.dense_layers, self._slices):
            self._weight_mask[s.start:s.start + layer.n_in * layer.n_out] = True

    # -- shape facts ---------------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        return self.dense_layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.dense_layers[-1].n_out

    @property
    def n_params(self) -> int:
        return int(self.parameters.size)

    @property
    def output_activation(self) -> activations.Activation:
        return self.dense_layers[-1].activation

    @property
    def is_classifier(self) -> bool:
        return bool(self.loss.is_classification)

    def __repr__(self) -> str:
        sizes = " → ".join(str(s) for s in [self.n_inputs] + [l.n_out for l in self.dense_layers])
        acts = ", ".join(l.activation.name for l in self.dense_layers)
        return f"Network({sizes}, activations=[{acts}], loss={self.loss.name!r}, dtype={self.dtype.name})"

    def summary(self) -> str:
        """A table: layer, type, input → output shape, activation, parameter count."""
        rows = [("#", "layer", "shape", "activation", "params")]
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Dense):
                rows.append((str(i), "Dense", f"{layer.n_in} → {layer.n_out}", layer.activation.name,
                             f"{layer.n_params:,}"))
            else:
                rows.append((str(i), f"Dropout({cast(Dropout, layer).rate:g})", f"{layer.n_in} → {layer.n_out}",
                             "-", "0"))
        return html.RichText(table(rows[1:], rows[0], rule=True, closing_rule=True, strip=False) + "\n"
                             + f"total parameters: {self.n_params:,}   loss: {self.loss.name}   dtype: {self.dtype.name}",
                             _network_html(self))

    # -- input checks --------------------------------------------------------------------
    def check_inputs(self, X: ArrayLike, name: str = "X") -> NDArray[np.floating]:
        """``X`` as a C-contiguous array of this network's dtype, shape (n_samples, n_inputs)."""
        if (type(X) is np.ndarray and X.dtype == self.dtype and X.ndim == 2 and X.flags.c_contiguous
                and X.shape[0] and X.shape[1] == self.n_inputs):
            # Already the right array: check finiteness with one BLAS dot product, Σx²
            # (NaN and ±inf propagate), instead of a full-size boolean temporary, so that
            # fitting a large dataset allocates no second copy-sized block and one sample
            # costs a microsecond.  Anything else (any non-finite value, to name its place,
            # and a sum of squares that overflows) goes through check_array.
            flat = X.reshape(-1)
            with np.errstate(over="ignore", invalid="ignore"):
                sum_of_squares = np.dot(flat, flat)
            if math.isfinite(sum_of_squares):
                return X
        X = check_array(X, name, ndim=2, dtype=self.dtype)
        if X.shape[1] != self.n_inputs:
            raise ShapeError(
                f"{name} has {X.shape[1]} features per sample but the network's first layer takes "
                f"{self.n_inputs} (expected shape (n_samples, {self.n_inputs}), got {X.shape})"
            )
        return X

    def check_targets(self, X: np.ndarray, y: ArrayLike, name: str = "y", x_name: str = "X") -> np.ndarray:
        """Targets prepared for this network's loss (labels checked, one-hot or values cast)."""
        if y is None:
            raise ShapeError(f"{name} is None; pass one target per sample")
        y = self.loss.prepare_targets(y, self.n_outputs, self.dtype)
        check_labels_length(X, y, x_name, name)
        return y

    def check_sample_weight(self, X: np.ndarray, sample_weight: Any, name: str = "sample_weight",
                            x_name: str = "X") -> np.ndarray | None:
        if sample_weight is None:
            return None
        sw = check_array(sample_weight, name, ndim=1, dtype=self.dtype)
        check_labels_length(X, sw, x_name, name)
        if (sw < 0).any():
            row = int(np.flatnonzero(sw < 0)[0])
            raise HyperparameterError(f"{name} must be >= 0, got {sw[row]} at row {row}")
        if not sw.sum() > 0:
            raise HyperparameterError(f"{name} is zero for every sample; give at least one sample a "
                                      "positive weight")
        return sw

    # -- forward and backward ------------------------------------------------------------
    def forward(self, X: NDArray[np.floating], training: bool = False) -> NDArray[np.floating]:
        """Run every layer; each caches its ``x``, ``z`` and ``a``.  Returns the output activations.

        ``X`` must already be a float array of the network's dtype (see :meth:`check_inputs`).
        """
        a = X
        for layer in self.layers:
            a = layer.forward(a, training)
        return a

    def backward(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> None:
        """Backpropagate the loss gradient from the output layer down, filling ``gradients``.

        With softmax + cross_entropy or sigmoid + binary_crossentropy the output layer
        receives the fused dL/dz = (a − y)/n directly.
        """
        out = self.dense_layers[-1]
        if self.loss.fused_activation == out.activation.name:
            grad = out.backward_from_z(self.loss.fused_gradient(out.a, y, sample_weight),
                                       need_input_grad=len(self.layers) > 1)
        else:
            grad = out.backward(self.loss.gradient(out.a, y, sample_weight), need_input_grad=len(self.layers) > 1)
        for i in range(len(self.layers) - 2, -1, -1):
            grad = self.layers[i].backward(cast(np.ndarray, grad), need_input_grad=i > 0)

    def loss_value(self, y: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
        """Loss of the last forward pass (computed from the output logits when the pair is fused)."""
        out = self.dense_layers[-1]
        return float(self.loss.value(out.a, y, sample_weight, z=out.z))

    def workspace(self, batch_size: int, training: bool = False) -> Workspace:
        """The :class:`~neuronlab.workspace.Workspace` for batches of ``batch_size`` samples.

        Kept and reused: a network holds the workspaces of the last few batch sizes (an
        epoch needs at most two, the full batches and a shorter last one).  ``training``
        asks for one that can also run training steps.
        """
        cache: dict[tuple[Any, ...], Workspace] | None = self.__dict__.get("_workspaces")
        if cache is None:
            cache = {}
            self.__dict__["_workspaces"] = cache
        key = (batch_size, training, self.dtype, len(self.layers))
        ws = cache.get(key)
        if ws is None:
            if len(cache) >= 4:          # bound the memory
                cache.clear()
            ws = cache[key] = Workspace(self, batch_size, training)
        return ws

    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """The weight penalty ``l1·Σ|W| + l2/2·ΣW²`` of the current weights (biases are not
        penalised): what :meth:`add_penalty_gradients` adds to the loss."""
        if not (l1 or l2):
            return 0.0
        return losses.weight_penalty(self.parameters[self._weight_mask], l1, l2)[0]

    def add_penalty_gradients(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """Add the L1/L2 weight-penalty gradients to ``gradients``; return the penalty value.

        Penalty ``l1·Σ|W| + l2/2·ΣW²`` over weights (not biases); its gradient
        ``l2·W + l1·sign(W)``.
        """
        if not (l1 or l2):
            return 0.0
        value, g = losses.weight_penalty(self.parameters[self._weight_mask], l1, l2)
        self.gradients[self._weight_mask] += g
        return value

    def train_on_batch(self, X: np.ndarray, y: np.ndarray, optimizer: Any, sample_weight: np.ndarray | None = None,
                       l1: float = 0.0, l2: float = 0.0) -> float:
        """One step of gradient descent on one batch; returns the batch loss before the step."""
        self.forward(X, training=True)
        loss = self.loss_value(y, sample_weight)
        self.backward(y, sample_weight)
        loss += self.add_penalty_gradients(l1, l2)
        optimizer.step(self.parameters, self.gradients)
        return loss

    # -- prediction ----------------------------------------------------------------------
    def predict_proba(self, X: ArrayLike) -> NDArray[np.floating]:
        """Output activation values, shape (n_samples, n_outputs): class probabilities for
        softmax/sigmoid outputs."""
        X = self.check_inputs(X)
        return self.workspace(min(len(X), PREDICT_CHUNK)).predict(X)

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Predictions: class indices (n_samples,) for softmax and single-sigmoid outputs,
        0/1 indicators (n_samples, k) for multi-label sigmoid outputs, values
        (n_samples, n_outputs) for regression."""
        a = self.predict_proba(X)
        return self._decide(a)

    def evaluate(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> dict[str, float]:
        """Loss and metrics on ``(X, y)``: ``{"loss", "accuracy"}`` for classification,
        ``{"loss", "mae", "r2"}`` for regression."""
        X = self.check_inputs(X)
        y = self.check_targets(X, y)
        sw = self.check_sample_weight(X, sample_weight)
        return self.workspace(min(len(X), PREDICT_CHUNK)).evaluate(X, y, sw)

    def _decide(self, a: np.ndarray) -> np.ndarray:
        """Output activation values → predictions (see :meth:`predict`)."""
        name = self.output_activation.name
        if self.loss.is_classification:
            if a.shape[1] > 1 and name != "sigmoid":
                return np.argmax(a, axis=1)
            labels = (a >= 0.5).astype(np.int64)
            return labels[:, 0] if a.shape[1] == 1 else labels
        return a

    def metrics(self, a: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> dict[str, float]:
        """Metrics of output activation values ``a`` (n_samples, n_outputs) against
        targets ``y`` prepared by :meth:`check_targets`.

        Classification: ``{"accuracy"}`` (for multi-label sigmoid outputs, the share of
        right labels per sample, averaged); regression: ``{"mae", "r2"}`` (``r2`` is NaN
        when the targets are constant).  ``sample_weight`` weights the average over samples.
        """
        if self.loss.is_classification:
            pred = self._decide(a)
            truth = y
            if y.ndim == 2 and not (self.output_activation.name == "sigmoid"):
                truth = np.argmax(y, axis=1)
            elif y.ndim == 2 and y.shape[1] == 1:
                truth = y[:, 0]
            correct = (pred == np.rint(truth).astype(pred.dtype))
            if correct.ndim == 2:
                correct = correct.mean(axis=1)
            return {"accuracy": float(np.average(correct, weights=sample_weight))}
        err = a - y
        mae = float(np.average(np.abs(err).mean(axis=1), weights=sample_weight))
        ss_res = float(np.sum(err ** 2))
        ss_tot = float(np.sum((y - y.mean(axis=0)) ** 2))
        return {"mae": mae, "r2": 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")}

    @property
    def metric_name(self) -> str:
        """The metric recorded in the history: ``accuracy`` or ``mae``."""
        return "accuracy" if self.loss.is_classification else "mae"

    # -- weights, copies, config, pickling ----------------------------------------------
    def get_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of ``(W, b)`` for every Dense layer."""
        return [(l.W.copy(), l.b.copy()) for l in self.dense_layers]

    def set_weights(self, weights: Sequence[tuple[Any, Any]]) -> None:
        """Set ``(W, b)`` for every Dense layer (shapes must match)."""
        if len(weights) != len(self.dense_layers):
            raise ShapeError(f"expected {len(self.dense_layers)} (W, b) pairs, got {len(weights)}")
        for i, (layer, (W, b)) in enumerate(zip(self.dense_layers, weights)):
            W = check_array(W, f"W of layer {i}", ndim=2, dtype=self.dtype)
            b = check_array(b, f"b of layer {i}", ndim=1, dtype=self.dtype, allow_empty=True)
            if W.shape != layer.W.shape or b.shape != layer.b.shape:
                raise ShapeError(f"dense layer {i}: expected W {layer.W.shape} and b {layer.b.shape}, "
                                 f"got {W.shape} and {b.shape}")
            layer.W[...] = W
            layer.b[...] = b

    def copy(self, dtype: Any = None) -> "Network":
        """A deep copy, optionally converted to another dtype."""
        new = _copy.deepcopy(self)
        if dtype is not None and resolve_dtype(dtype) != self.dtype:
            new.dtype = resolve_dtype(dtype)
            new._allocate_from(new.parameters.astype(new.dtype))
        return new

    def _allocate_from(self, params: np.ndarray) -> None:
        """Make ``params`` the flat parameter buffer (and a zeroed gradient buffer like it)."""
        self.parameters = params
        self.gradients = np.zeros_like(params)
        for layer, s in zip(self.dense_layers, self._slices):     # the layers with parameters
            layer._W = layer._W.astype(self.dtype)
            layer._b = layer._b.astype(self.dtype)
            layer.bind(self.parameters[s], self.gradients[s])
            layer.x = layer.z = layer.a = None

    def config(self) -> dict[str, Any]:
        """Architecture and settings (no weights) as plain Python values."""
        return {"layers": [l.config() for l in self.layers], "loss": self.loss.name,
                "dtype": self.dtype.name, "seed": self.seed}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Network":
        """Rebuild an (untrained) network from :meth:`config`."""
        layers: list[Layer] = []
        for spec in config["layers"]:
            kind = spec.get("type")
            if kind == "Dense":
                layers.append(Dense(spec["n_in"], spec["n_out"], activation=spec["activation"],
                                    init=spec.get("init"), use_bias=spec.get("use_bias", True)))
            elif kind == "Dropout":
                layers.append(Dropout(spec["rate"]))
            else:
                raise UnknownNameError(f"unknown layer type {kind!r} in config; known: Dense, Dropout")
        return cls(layers, loss=config.get("loss"), seed=config.get("seed"), dtype=config.get("dtype", "float32"))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_workspaces", None)   # scratch arrays are rebuilt on demand, never copied
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickle and deepcopy copy each layer's W, b, dW, db as arrays of their own: make them
        # views of the (copied) flat buffers again, or training would update copies nobody reads
        self.__dict__.update(state)
        for name in ("parameters", "gradients"):      # joblib may hand back read-only memory maps
            buf = getattr(self, name)
            if not (buf.flags.writeable and buf.flags.c_contiguous) or type(buf) is not np.ndarray:
                setattr(self, name, np.array(buf, copy=True, order="C"))
        for layer, s in zip([l for l in self.layers if l.n_params], self._slices):
            layer.bind(self.parameters[s], self.gradients[s])
        self._claim_layers()

    # -- façades: training, looking inside, model files ---------------------------------
    def fit(self, X: ArrayLike, y: ArrayLike, *, epochs: int = 10, batch_size: int = 32, optimizer: Any = "adam",
            learning_rate: float | None = None, validation_split: float = 0.0,
            validation_data: Sequence[Any] | None = None, early_stopping: int | EarlyStopping | None = None,
            callbacks: Iterable[Callback] | None = None, verbose: int = 0, shuffle: bool = True,
            sample_weight: ArrayLike | None = None, l1: float = 0.0, l2: float = 0.0, schedule: Any = None,
            clip_norm: float | None = None, checkpoint: Any = None, checkpoint_every: int = 1,
            resume: Any = None, one_class_ok: bool = False) -> History:
        """Train by backpropagation and gradient descent: minibatches of ``batch_size``
        samples for ``epochs`` passes; see :func:`neuronlab.training.fit` for every option.
        Returns a :class:`~neuronlab.training.History`."""
        from .training import fit  # façade: imported when called
        return fit(self, X, y, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                   learning_rate=learning_rate, validation_split=validation_split, validation_data=validation_data,
                   early_stopping=early_stopping, callbacks=callbacks, verbose=verbose, shuffle=shuffle,
                   sample_weight=sample_weight, l1=l1, l2=l2, schedule=schedule, clip_norm=clip_norm,
                   checkpoint=checkpoint, checkpoint_every=checkpoint_every, resume=resume,
                   one_class_ok=one_class_ok)

    def trace(self, X: ArrayLike, y: ArrayLike | None = None, *, sample_weight: ArrayLike | None = None,
              l1: float = 0.0, l2: float = 0.0) -> Trace:
        """Forward pass that keeps every layer's weighted sums and activation values, and with
        targets ``y`` the backward pass (``delta``, ``dW``, ``db``); see :func:`neuronlab.inspect.trace`."""
        from .inspect.trace import trace  # façade (the module of the same name holds it)
        return trace(self, X, y, sample_weight=sample_weight, l1=l1, l2=l2)

    def explain_gradient(self, x: ArrayLike, y: ArrayLike, layer: int, neuron: int, weight: int | None = None,
                         learning_rate: float | None = None, *, sample_weight: ArrayLike | None = None,
                         l1: float = 0.0, l2: float = 0.0) -> GradientExplanation:
        """The chain rule behind one weight's (or bias's) gradient on ``x`` with targets ``y``,
        with this network's numbers, and the gradient-descent step it makes; see
        :func:`neuronlab.inspect.explain_gradient`."""
        from .inspect import explain_gradient  # façade
        return explain_gradient(self, x, y, layer=layer, neuron=neuron, weight=weight, learning_rate=learning_rate,
                                sample_weight=sample_weight, l1=l1, l2=l2)

    def explain(self, x: ArrayLike, layer: int, neuron: int, threshold: float | None = None) -> NeuronExplanation:
        """Every step of one neuron's computation on one input; see :func:`neuronlab.inspect.explain`."""
        from .inspect import explain  # façade
        return explain(self, x, layer=layer, neuron=neuron, threshold=threshold)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the network to one model file, atomically; see :func:`neuronlab.serialize.save`."""
        from .serialize import save  # façade
        save(self, path)

    def to_json(self) -> str:
        """Architecture and weights as human-readable JSON; see :func:`neuronlab.serialize.to_json`."""
        from .serialize import to_json  # façade
        return to_json(self)

    @classmethod
    def from_json(cls, text: str) -> "Network":
        """Rebuild a network from :meth:`to_json`'s output."""
        from .serialize import network_from_json  # façade
        return network_from_json(text)

    def to_torch(self) -> Any:
        """An ``nn.Sequential`` with this network's weights, in eval mode (needs the ``torch``
        extra); see :func:`neuronlab.interop.to_torch`."""
        from .interop.pytorch import to_torch  # façade
        return to_torch(self)

    def to_onnx(self, path: Any) -> None:
        """Write this network as a standard ONNX file, readable by onnxruntime (needs the
        ``onnx`` extra); see :func:`neuronlab.interop.to_onnx`."""
        from .interop.onnxfile import to_onnx  # façade
        to_onnx(self, path)

    def _repr_html_(self) -> str:
        """The summary table, for notebooks."""
        return _network_html(self)


def _network_html(net: Network) -> str:
    """:meth:`Network.summary` as HTML: the layers (at most ``html.MAX_ROWS``), then the
    totals and, when the metadata has them, the feature names and classes (escaped)."""
    rows = []
    for i, layer in enumerate(net.layers):
        if isinstance(layer, Dense):
            rows.append((i, "Dense", f"{layer.n_in} → {layer.n_out}", layer.activation.name, f"{layer.n_params:,}"))
        else:
            rows.append((i, f"Dropout({cast(Dropout, layer).rate:g})", f"{layer.n_in} → {layer.n_out}", "-", "0"))
    sizes = " → ".join(str(s) for s in [net.n_inputs] + [l.n_out for l in net.dense_layers])
    facts = [("total parameters", f"{net.n_params:,}"), ("loss", net.loss.name), ("dtype", net.dtype.name)]
    if net.history is not None and len(net.history):
        facts.append(("trained", f"{len(net.history)} epochs"))
    meta = net.metadata if isinstance(net.metadata, dict) else {}
    named = [(key, meta[key]) for key in ("feature_names", "classes")
             if isinstance(meta.get(key), (list, tuple)) and meta[key]]
    return html.box(f"Network: {sizes}",
                    html.table(rows, ("#", "layer", "shape", "activation", "params"), align="rlllr",
                               noun="layers"),
                    html.facts(facts),
                    *(html.facts([(key.replace("_", " "), html.names(values, limit=12))]) for key, values in named))
