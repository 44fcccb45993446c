"""The machinery shared by :class:`~neuronlab.sklearn.NetworkClassifier` and
:class:`~neuronlab.sklearn.NetworkRegressor`: parameters, input checks, training through
:meth:`Network.fit <neuronlab.network.Network.fit>`, ``transform`` and model files.

Floor 4 (faces).  Imports scikit-learn at module level, so only
:mod:`neuronlab.sklearn` imports it (after checking that scikit-learn is installed).

Input checks: scikit-learn's own ``validate_data`` keeps the scikit-learn conventions
(``n_features_in_``, ``feature_names_in_`` and the messages scikit-learn's tools expect);
its ``ValueError`` is re-raised as neuronlab's :class:`~neuronlab.errors.ShapeError` or
:class:`~neuronlab.errors.DataError` with the same message, and the network then runs its
own checks (:meth:`Network.check_inputs <neuronlab.network.Network.check_inputs>`,
``check_targets``, ``check_sample_weight``).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import sklearn.exceptions
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import column_or_1d, validate_data

from .. import errors
from .. import optimizers
from ..errors import DataError, HyperparameterError, NeuronLabError, ShapeError
from .._util.validate import check_fraction, check_nonnegative, check_positive, check_positive_int
from .state import from_model_state, model_state
from ..network import Network
from ..training import Callback, EarlyStopping

__all__ = ["NotFittedError", "NetworkEstimator"]


class NotFittedError(errors.NotFittedError, sklearn.exceptions.NotFittedError):
    """Raised when an estimator is used before ``fit``: both neuronlab's
    :class:`~neuronlab.errors.NotFittedError` and scikit-learn's
    ``sklearn.exceptions.NotFittedError``, so either ``except`` catches it."""


def _library_error(err: ValueError) -> NeuronLabError:
    """scikit-learn's validation ``ValueError`` as the matching neuronlab error, same message."""
    msg = str(err)
    data_words = ("contains", "Complex data", "inconsistent numbers of samples", "minimum of", "convert")
    return (DataError if any(w in msg for w in data_words) else ShapeError)(msg)


class _ValidationScores(Callback):
    """Scores the estimator on the held-out data after every epoch (``validation_scores_``)."""

    def __init__(self, estimator: "NetworkEstimator", X: np.ndarray, y: np.ndarray) -> None:
        self.estimator, self.X, self.y = estimator, X, y
        self.scores: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> None:
        self.scores.append(float(self.estimator.score(self.X, self.y)))


class NetworkEstimator(BaseEstimator):
    """Base class; use :class:`~neuronlab.sklearn.NetworkClassifier` or
    :class:`~neuronlab.sklearn.NetworkRegressor`.  Subclasses define ``_TASK``,
    ``_prepare_targets`` and the prediction methods."""

    _TASK = "regression"

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: Any = "relu", output_activation: Any = None,
                 loss: Any = None, optimizer: Any = "adam", learning_rate: float = 0.001, batch_size: Any = 64,
                 epochs: int = 200, alpha: float = 0.0001, dropout: float = 0.0, early_stopping: bool = False,
                 validation_fraction: float = 0.1, n_iter_no_change: int | None = 10, tol: float = 1e-4,
                 random_state: Any = None, verbose: int = 0, dtype: Any = "float64") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.alpha = alpha
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype

    # -- input checks --------------------------------------------------------------------
    def _validate_X(self, X: Any, reset: bool) -> np.ndarray:
        try:
            return validate_data(self, X, reset=reset, dtype=(np.float64, np.float32))
        except NeuronLabError:
            raise
        except ValueError as err:
            raise _library_error(err) from err

    def _validate_Xy(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        try:
            X, y = validate_data(self, X, y, reset=reset, multi_output=True, dtype=(np.float64, np.float32),
                                 y_numeric=self._TASK == "regression")
        except NeuronLabError:
            raise
        except ValueError as err:
            raise _library_error(err) from err
        if self._TASK == "classification" and y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)          # DataConversionWarning, as scikit-learn does
        return X, y

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                                 "appropriate arguments before using this estimator.")

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "network_")

    # -- settings ------------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise HyperparameterError(f"hidden_layer_sizes must be a tuple of layer sizes like (100,) or "
                                      f"(64, 32), got {sizes!r}")
        return [check_positive_int("hidden_layer_sizes entries", s) for s in sizes]

    def _seed(self) -> int:
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            if not 0 <= rs < 2 ** 32:
                raise HyperparameterError(f"random_state must be in [0, 2**32 - 1], got {rs}")
            return int(rs)
        if rs is None or isinstance(rs, np.random.RandomState):
            return int(check_random_state(rs).randint(0, 2 ** 31 - 1))
        raise HyperparameterError(f"random_state must be None, an int or a numpy RandomState, got {rs!r}")

    def _batch(self, n: int) -> int:
        if isinstance(self.batch_size, str) and self.batch_size == "auto":
            return min(200, n)
        return min(check_positive_int("batch_size", self.batch_size), n)

    def _check_settings(self) -> None:
        check_positive_int("epochs", self.epochs)
        check_positive("learning_rate", self.learning_rate)
        check_nonnegative("alpha", self.alpha)
        check_nonnegative("tol", self.tol)
        check_fraction("dropout", self.dropout)
        if self.n_iter_no_change is not None:
            check_positive_int("n_iter_no_change", self.n_iter_no_change)
        if self.early_stopping:
            check_fraction("validation_fraction", self.validation_fraction, low_inclusive=False)

    def _new_network(self, n_in: int, n_out: int, output: str, seed: int) -> Network:
        hidden = self._hidden_sizes()
        acts = self.activation
        if not isinstance(acts, (str, dict)) and hasattr(acts, "__iter__"):
            acts = list(acts)
        net = Network.mlp([n_in, *hidden, n_out], hidden=acts, output=output, loss=self.loss,
                          dropout=self.dropout, seed=seed, dtype=self.dtype)
        net.metadata = {"task": self._TASK}
        if hasattr(self, "feature_names_in_"):
            net.metadata["feature_names"] = [str(f) for f in self.feature_names_in_]
        return net

    def _new_optimizer(self) -> optimizers.Optimizer:
        opt = self.optimizer
        if isinstance(opt, optimizers.Optimizer):          # never train the instance held in the parameters
            opt = opt.config()
        return optimizers.get(opt, learning_rate=self.learning_rate)

    # -- training ------------------------------------------------------------------------
    def _start(self, X: np.ndarray, n_out: int, output: str) -> None:
        self._check_settings()
        self.network_ = self._new_network(X.shape[1], n_out, output, self._seed())
        self.optimizer_ = self._new_optimizer()

    def _train_kwargs(self, n: int, sample_weight: np.ndarray | None) -> dict[str, Any]:
        bs = self._batch(n)
        return {"batch_size": bs, "optimizer": self.optimizer_, "l2": float(self.alpha),
                "verbose": int(self.verbose), "sample_weight": sample_weight}

    def _fit(self, X: np.ndarray, y: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None) -> Any:
        """Full training: ``epochs`` at most, stopped by ``n_iter_no_change`` / ``tol``."""
        net = self.network_
        callbacks: list[Callback] = []
        val_data = None
        if self.early_stopping:
            train, val = self._split(y)
            sw_val = None if sample_weight is None else sample_weight[val]
            val_data = (X[val], targets[val]) if sw_val is None else (X[val], targets[val], sw_val)
            scorer = _ValidationScores(self, X[val], y[val])
            callbacks.append(scorer)
            X, targets = X[train], targets[train]
            sample_weight = None if sample_weight is None else sample_weight[train]
        if self.n_iter_no_change is not None:
            callbacks.append(EarlyStopping(patience=self.n_iter_no_change, monitor="val_loss" if val_data else "loss",
                                           min_delta=float(self.tol), restore_best=bool(val_data)))
        history = net.fit(X, targets, epochs=int(self.epochs), validation_data=val_data, callbacks=callbacks,
                          **self._train_kwargs(len(X), sample_weight))
        self.loss_curve_ = [float(v) for v in history["loss"]]
        self.validation_scores_ = scorer.scores if self.early_stopping else None
        self.n_iter_ = len(history)
        return self

    def _split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Training and validation row indices for ``early_stopping`` (stratified by class
        for single-label classification when every class has two samples or more)."""
        n = len(y)
        n_val = int(round(n * float(self.validation_fraction)))
        if n_val < 1 or n - n_val < 1:
            raise HyperparameterError(f"validation_fraction={self.validation_fraction} leaves {n - n_val} "
                                      f"training and {n_val} validation samples out of {n}")
        rng = np.random.default_rng(self.network_.seed)
        if self._TASK == "classification" and y.ndim == 1:
            _, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
            if counts.min() >= 2 and n_val >= len(counts):
                from sklearn.model_selection import train_test_split
                train, val = train_test_split(np.arange(n), test_size=n_val, stratify=codes,
                                              random_state=int(rng.integers(2 ** 31 - 1)))
                return np.sort(train), np.sort(val)
        perm = rng.permutation(n)
        return np.sort(perm[n_val:]), np.sort(perm[:n_val])

    def _partial(self, X: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None) -> Any:
        """One epoch over ``(X, targets)``, continuing the optimizer's state."""
        history = self.network_.fit(X, targets, epochs=1, **self._train_kwargs(len(X), sample_weight))
        self.loss_curve_.append(float(history["loss"][-1]))
        self.n_iter_ += 1
        return self

    # -- looking inside ------------------------------------------------------------------
    def _outputs(self, X: Any) -> np.ndarray:
        """The network's output activations for ``X``, shape (n_samples, n_outputs)."""
        self._check_fitted()
        return self.network_.predict_proba(self._validate_X(X, reset=False))

    def transform(self, X: Any, layer: int = -1) -> np.ndarray:
        """The activation values of one hidden layer, as features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        layer : int
            Which hidden (Dense) layer: 0 is the first, -1 (default) the last one before
            the output layer.

        Returns
        -------
        ndarray of shape (n_samples, hidden_layer_sizes[layer])
            ``network_.trace(X).dense[:-1][layer].a`` (the hidden Dense layers), in the
            network's dtype.
        """
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        n_hidden = len(self.network_.dense_layers) - 1
        if n_hidden == 0:
            raise ShapeError("this network has no hidden layers (hidden_layer_sizes=()), so there are no "
                             "hidden activations to transform into")
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not -n_hidden <= layer < n_hidden:
            raise HyperparameterError(f"layer must be an integer in [{-n_hidden}, {n_hidden - 1}] (the network has "
                                      f"{n_hidden} hidden layers), got {layer!r}")
        return self.network_.trace(X).dense[:-1][int(layer)].a

    # -- model files ---------------------------------------------------------------------
    #: private fitted attributes that travel with a model file (plain JSON values)
    _PRIVATE_STATE: tuple[str, ...] = ()

    def _model_state(self) -> tuple[Network, dict[str, Any]]:
        """``(network_, state)``: what :func:`neuronlab.serialize.save` writes (plain JSON state)."""
        self._check_fitted()
        return model_state(self)

    @classmethod
    def _from_model_state(cls, network: Network, state: dict[str, Any]) -> "NetworkEstimator":
        """The estimator :meth:`_model_state` described, around the loaded ``network``."""
        return from_model_state(cls, network, state)

    def _check_loaded(self, network: Network) -> None:  # pragma: no cover - overridden
        """Raise :class:`~neuronlab.errors.ModelFileError` if the state does not fit ``network``."""

    def save(self, path: Any) -> None:
        """Write the fitted estimator to one model file (see :func:`neuronlab.serialize.save`);
        ``nl.load(path)`` gives it back with bit-identical predictions."""
        self._check_fitted()
        from ..serialize import save
        save(self, path)
